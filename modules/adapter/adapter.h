/* SPDX-License-Identifier: MIT
 * adapter.h - The l3.adapter device type and its instance state (for module.c and the tests)
 */
#ifndef PK_ADAPTER_H
#define PK_ADAPTER_H

#include <pktkit/device-runtime.h>

#include "arp.h"
#include "dhcp-client.h"
#include "framing.h"

extern const struct pk_device_type l3_adapter_type;

/* Port groups: "ip" (group 0) and "eth" (group 1). */
#define AD_PORT_IP PK_PORT(0, 0)
#define AD_PORT_ETH PK_PORT(1, 0)

#define AD_MAX_CFG_ADDRS 16u

/**
 * struct adapter - Instance state of l3.adapter
 * @mac:	Our MAC (configured or generated at init)
 * @fr:		Addresses and gateways in use (config + lease + link-local)
 * @nb:		Neighbour cache (ARP and NDP)
 * @dc:		DHCP client
 * @lease_applied:	@dc's lease is part of @fr
 * @server_mac:	Where DHCP unicasts (RENEW, RELEASE) go: the ACK's source
 */
struct adapter {
	struct pk_dev *dev;
	uint64_t *ctr;
	uint8_t mac[6];
	bool running;
	struct fr_table fr;
	struct pk_prefix cfg_addrs[AD_MAX_CFG_ADDRS];
	uint32_t n_cfg_addrs;
	struct pk_ip4 cfg_gw4;
	struct pk_ip6 cfg_gw6;
	struct nb_cache nb;
	struct pk_timer *resolve_timer;
	struct pk_timer *sweep_timer;
	uint64_t arp_timeout;
	uint32_t arp_retries;
	uint64_t cache_ttl;
	bool icmp_unreachable;
	bool dhcp;
	char hostname[64];
	struct dhcp_client dc;
	struct pk_timer *dhcp_timer;
	bool lease_applied;
	enum dc_state logged_state;
	uint8_t server_mac[6];
	struct pk_batch out;
};

#endif /* PK_ADAPTER_H */
