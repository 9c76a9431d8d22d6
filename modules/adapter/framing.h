/* SPDX-License-Identifier: MIT
 * framing.h - Interface addresses, next-hop choice and Ethernet framing in the headroom
 */
#ifndef PK_ADAPTER_FRAMING_H
#define PK_ADAPTER_FRAMING_H

#include <string.h>
#include <pktkit/buf.h>
#include <pktkit/eth.h>

/* Addresses of each family: configured ones, plus the DHCP lease / link-local. */
#define FR_MAX_ADDRS 17u

/**
 * struct fr_addr4 - One IPv4 interface address, host-order numbers for the hot path
 * @ip:		Address, wire order
 * @addr:	Address, host order
 * @mask:	Netmask, host order
 * @bcast:	Subnet-directed broadcast, host order (0 for /31 and /32)
 * @len:	Prefix length
 */
struct fr_addr4 {
	uint8_t ip[4];
	uint32_t addr, mask, bcast;
	uint8_t len;
};

struct fr_addr6 {
	uint8_t ip[16];
	uint8_t len;
};

/**
 * struct fr_table - What the adapter is on the link
 * @v4:		IPv4 addresses (@n4)
 * @v6:		IPv6 addresses (@n6); [0] is always the EUI-64 link-local
 * @gw4:	IPv4 next hop for off-link destinations (host order), 0: none
 * @gw6:	IPv6 next hop for off-link destinations
 * @has_gw6:	@gw6 is set
 */
struct fr_table {
	struct fr_addr4 v4[FR_MAX_ADDRS];
	uint32_t n4;
	struct fr_addr6 v6[FR_MAX_ADDRS];
	uint32_t n6;
	uint32_t gw4;
	uint8_t gw6[16];
	bool has_gw6;
};

/* Where a packet goes on the link. */
enum fr_dest {
	FR_DROP,	/* unspecified or loopback-like destination */
	FR_BROADCAST,	/* ff:ff:ff:ff:ff:ff */
	FR_MULTICAST,	/* mapped group MAC */
	FR_UNICAST,	/* resolve the next hop */
};

bool fr_table_add4(struct fr_table *t, const uint8_t ip[4], uint8_t len);
bool fr_table_add6(struct fr_table *t, const uint8_t ip[16], uint8_t len);
int fr_table_find4(const struct fr_table *t, const uint8_t ip[4]);
int fr_table_find6(const struct fr_table *t, const uint8_t ip[16]);
const uint8_t *fr_table_src4(const struct fr_table *t, uint32_t dst);
enum fr_dest fr_route4(const struct fr_table *t, uint32_t dst, uint32_t *nexthop);
enum fr_dest fr_route6(const struct fr_table *t, const uint8_t dst[16], const uint8_t **nexthop);

/**
 * fr_mcast4_mac() - 01:00:5e plus the low 23 bits of an IPv4 group (RFC 1112 6.4)
 * @dst:	Group, host order
 * @mac:	6 bytes
 *
 * Context: any thread, hot path.
 */
static inline void fr_mcast4_mac(uint32_t dst, uint8_t mac[6])
{
	mac[0] = 0x01;
	mac[1] = 0x00;
	mac[2] = 0x5e;
	mac[3] = (uint8_t)((dst >> 16) & 0x7f);
	mac[4] = (uint8_t)(dst >> 8);
	mac[5] = (uint8_t)dst;
}

/**
 * fr_push_eth() - Prepend an Ethernet header in the headroom
 * @b:		Writable buffer
 * @dst:	Destination MAC
 * @src:	Source MAC
 * @type:	EtherType, host order
 *
 * Context: owner context, hot path.
 * Return: false, changing nothing, if the headroom is under 14 bytes.
 */
static inline bool fr_push_eth(struct pk_buf *b, const uint8_t dst[6], const uint8_t src[6],
			       uint16_t type)
{
	uint8_t *p = pk_buf_push(b, PK_ETH_HLEN);

	if (PK_UNLIKELY(!p))
		return false;
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	pk_put_be16(p + 12, type);
	return true;
}

#endif /* PK_ADAPTER_FRAMING_H */
