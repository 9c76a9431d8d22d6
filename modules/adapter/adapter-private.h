/* SPDX-License-Identifier: MIT
 * adapter-private.h - What the files of l3.adapter share: config, indices, cross-file functions
 *
 * All of these run in the device's context (its GMainContext); "hot path" marks
 * the per-batch ones.
 */
#ifndef PK_ADAPTER_PRIVATE_H
#define PK_ADAPTER_PRIVATE_H

#include <pktkit/addr.h>
#include <pktkit/ip.h>
#include <pktkit/param.h>

#include "adapter-counters.h"
#include "adapter.h"

/* Parameters (schema in adapter-type.c) -------------------------------- */

struct ad_addr_rec {
	struct pk_prefix prefix;
};

struct ad_config {
	struct pk_mac mac;
	struct pk_list addresses;
	struct pk_ip4 gateway4;
	struct pk_ip6 gateway6;
	bool dhcp;
	char *dhcp_hostname;
	int64_t arp_timeout;
	uint32_t arp_retries;
	int64_t cache_ttl;
	uint32_t cache_size;
	uint32_t pending_max;
	bool icmp_unreachable;
};

enum {
	AD_P_MAC,
	AD_P_ADDRESSES,
	AD_P_GATEWAY4,
	AD_P_GATEWAY6,
	AD_P_DHCP,
	AD_P_DHCP_HOSTNAME,
	AD_P_ARP_TIMEOUT,
	AD_P_ARP_RETRIES,
	AD_P_CACHE_TTL,
	AD_P_CACHE_SIZE,
	AD_P_PENDING_MAX,
	AD_P_ICMP_UNREACHABLE,
};

/* Status (ABI 1.2): addresses, the DHCP lease, routers and DNS servers. */
enum {
	AD_S_MAC,
	AD_S_DHCP_STATE,
	AD_S_DHCP_SERVER,
	AD_S_LEASE_TIME,
	AD_S_LEASE_EXPIRES,
	AD_S_LEASE_EXPIRES_IN,
	AD_S_RENEW_IN,
	AD_S_ROUTER4,
	AD_S_ROUTER6,
	AD_S_DOMAIN,
};
enum {
	AD_T_ADDRESSES,
	AD_T_DNS
};
enum {
	AD_AC_ADDRESS,
	AD_AC_ORIGIN
};

/* ff:ff:ff:ff:ff:ff and 00:00:00:00:00:00 (adapter-addr.c). */
extern const uint8_t ad_bcast[6];
extern const uint8_t ad_zero_mac[6];

static inline uint32_t ad_ip4_num(const struct pk_ip4 *a)
{
	return pk_get_be32(a->b);
}

/* adapter-addr.c: the address table and what follows from it. */
void ad_rebuild_table(struct adapter *a);
void ad_announce(struct adapter *a, struct pk_dev *dev);

/* adapter-tx.c: the L3 -> L2 path (hot path) and the control frames we send. */
void ad_receive_ip(struct adapter *a, struct pk_dev *dev, const struct pk_batch *batch);
void ad_emit_bytes(struct adapter *a, struct pk_dev *dev, uint32_t port, const uint8_t *p,
		   uint32_t len);
void ad_send_arp(struct adapter *a, struct pk_dev *dev, uint16_t op, const uint8_t *eth_dst,
		 const uint8_t spa[4], const uint8_t *tha, const uint8_t tpa[4]);

/* adapter-resolve.c: next-hop resolution. */
void ad_miss(struct adapter *a, struct pk_dev *dev, const uint8_t key[NB_KEY_LEN], struct pk_buf *b,
	     uint64_t now);
void ad_learned(struct adapter *a, struct pk_dev *dev, enum nb_learn r, uint32_t idx);
void ad_resolve_tick(struct pk_dev *dev, void *self, void *data);
void ad_sweep(struct pk_dev *dev, void *self, void *data);

/* adapter-neigh-input.c: ARP and NDP from "eth". */
void ad_arp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *eth, const uint8_t *arp,
		  uint32_t len);
void ad_ndp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *eth,
		  const struct pk_ip6_view *ip);

/* adapter-rx.c: the L2 -> L3 path (hot path). */
void ad_receive_eth(struct adapter *a, struct pk_dev *dev, const struct pk_batch *batch);

/* adapter-dhcp.c: the DHCP client shell. */
void ad_dhcp_act(struct adapter *a, struct pk_dev *dev, unsigned int act);
void ad_dhcp_tick(struct pk_dev *dev, void *self, void *data);
void ad_dhcp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *frame, uint32_t len);

/* adapter-lifecycle.c and adapter-status.c: the ops (table in adapter-type.c). */
int ad_init(struct pk_dev *dev, void *self, const void *config, GError **error);
int ad_start(struct pk_dev *dev, void *self, GError **error);
void ad_stop(struct pk_dev *dev, void *self);
void ad_finalize(struct pk_dev *dev, void *self);
int ad_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
		   GError **error);
void ad_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch);
void ad_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w);

#endif /* PK_ADAPTER_PRIVATE_H */
