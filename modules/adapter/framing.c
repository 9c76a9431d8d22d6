// SPDX-License-Identifier: MIT
/* framing.c - Interface addresses and the next-hop choice for IPv4 and IPv6 packets */
#include <pktkit/checksum.h>

#include "framing.h"

/**
 * fr_table_add4() - Add an IPv4 interface address
 * @t:		Table
 * @ip:		Address, wire order
 * @len:	Prefix length, 0..32
 *
 * Context: owner context (cold).
 * Return: false if the table is full.
 */
bool fr_table_add4(struct fr_table *t, const uint8_t ip[4], uint8_t len)
{
	struct fr_addr4 *a;

	if (t->n4 >= FR_MAX_ADDRS)
		return false;
	a = &t->v4[t->n4++];
	memcpy(a->ip, ip, 4);
	a->addr = pk_get_be32(ip);
	a->len = len;
	a->mask = len ? ~0u << (32 - len) : 0;
	a->bcast = len < 31 ? (a->addr | ~a->mask) : 0;
	return true;
}

/**
 * fr_table_add6() - Add an IPv6 interface address
 * @t:		Table
 * @ip:		Address
 * @len:	Prefix length, 0..128
 *
 * Context: owner context (cold).
 * Return: false if the table is full.
 */
bool fr_table_add6(struct fr_table *t, const uint8_t ip[16], uint8_t len)
{
	if (t->n6 >= FR_MAX_ADDRS)
		return false;
	memcpy(t->v6[t->n6].ip, ip, 16);
	t->v6[t->n6++].len = len;
	return true;
}

/**
 * fr_table_find4() - Index of one of our IPv4 addresses
 * @t:	Table
 * @ip:	Address, wire order
 *
 * Context: owner context, hot path of control traffic.
 * Return: the index, or -1 if @ip is not ours.
 */
int fr_table_find4(const struct fr_table *t, const uint8_t ip[4])
{
	uint32_t a = pk_get_be32(ip);

	for (uint32_t i = 0; i < t->n4; i++)
		if (t->v4[i].addr == a && a != 0)
			return (int)i;
	return -1;
}

/**
 * fr_table_find6() - Index of one of our IPv6 addresses
 * @t:	Table
 * @ip:	Address
 *
 * Context: owner context, hot path of control traffic.
 * Return: the index, or -1 if @ip is not ours.
 */
int fr_table_find6(const struct fr_table *t, const uint8_t ip[16])
{
	for (uint32_t i = 0; i < t->n6; i++)
		if (memcmp(t->v6[i].ip, ip, 16) == 0)
			return (int)i;
	return -1;
}

/**
 * fr_table_src4() - Our IPv4 address to speak to @dst with
 * @t:		Table
 * @dst:	Destination, host order
 *
 * Context: owner context.
 * Return: the address on @dst's subnet, else the first one, else NULL.
 */
const uint8_t *fr_table_src4(const struct fr_table *t, uint32_t dst)
{
	for (uint32_t i = 0; i < t->n4; i++)
		if (((dst ^ t->v4[i].addr) & t->v4[i].mask) == 0)
			return t->v4[i].ip;
	return t->n4 ? t->v4[0].ip : NULL;
}

/**
 * fr_route4() - Where an IPv4 packet to @dst goes on the link
 * @t:		Table
 * @dst:	Destination, host order
 * @nexthop:	Out, for FR_UNICAST: the address to resolve (host order)
 *
 * 255.255.255.255 and the broadcast address of one of our subnets go to
 * the Ethernet broadcast, 224.0.0.0/4 to the mapped group; a destination on
 * one of our subnets is resolved itself, any other through gateway4 (or
 * itself when no gateway is known, so a bare adapter still works on one
 * flat link).
 *
 * Context: owner context, hot path.
 */
enum fr_dest fr_route4(const struct fr_table *t, uint32_t dst, uint32_t *nexthop)
{
	if (PK_UNLIKELY(dst == UINT32_MAX))
		return FR_BROADCAST;
	if ((dst >> 28) == 0xe)
		return FR_MULTICAST;
	if (PK_UNLIKELY(dst == 0))
		return FR_DROP;
	for (uint32_t i = 0; i < t->n4; i++) {
		const struct fr_addr4 *a = &t->v4[i];

		if (((dst ^ a->addr) & a->mask) == 0) {
			if (PK_UNLIKELY(dst == a->bcast))
				return FR_BROADCAST;
			*nexthop = dst;
			return FR_UNICAST;
		}
	}
	*nexthop = t->gw4 ? t->gw4 : dst;
	return FR_UNICAST;
}

static bool fr_in6(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t bytes = len / 8, bits = len % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	return !bits || ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00u >> bits)) == 0;
}

/**
 * fr_route6() - Where an IPv6 packet to @dst goes on the link
 * @t:		Table
 * @dst:	Destination
 * @nexthop:	Out, for FR_UNICAST: the address to resolve
 *
 * Multicast goes to 33:33 plus the low 32 bits; link-local (fe80::/10) and
 * destinations in one of our prefixes are resolved themselves, others
 * through gateway6 (or themselves without one).
 *
 * Context: owner context, hot path.
 */
enum fr_dest fr_route6(const struct fr_table *t, const uint8_t dst[16], const uint8_t **nexthop)
{
	static const uint8_t zero15[15];

	if (dst[0] == 0xff)
		return FR_MULTICAST;
	if (PK_UNLIKELY(dst[0] == 0 && memcmp(dst, zero15, 15) == 0 && dst[15] <= 1))
		return FR_DROP;	/* :: and ::1 */
	*nexthop = dst;
	if (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80)
		return FR_UNICAST;
	for (uint32_t i = 1; i < t->n6; i++)
		if (fr_in6(dst, t->v6[i].ip, t->v6[i].len))
			return FR_UNICAST;
	if (t->has_gw6)
		*nexthop = t->gw6;
	return FR_UNICAST;
}
