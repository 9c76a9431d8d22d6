/* SPDX-License-Identifier: MIT
 * nat-pmp-private.h - The server state NAT-PMP (nat-pmp.c) and PCP (pcp.c) share
 */
#ifndef PK_NAT_PMP_PRIVATE_H
#define PK_NAT_PMP_PRIVATE_H

#include "nat-pmp.h"

#define NAT_PMP_ANNOUNCE_ROUNDS 10
#define NAT_PMP_ANNOUNCE_FIRST_GAP 250000000ull /* ns */

/**
 * struct nat_pmp_server - One NAT-PMP/PCP server
 * @leases:		The shared lease table (policy inside)
 * @outside_addr:	Outside IPv4 address, network order; 0: none
 * @epoch_start:	Clock time (ns) the epoch began
 * @announce_ipv6:	PCP announcements to ff02::1 as well
 * @announce_left:	Announcement rounds still to send
 * @announce_at:	When the next round is due
 * @announce_gap:	Gap after the next round
 */
struct nat_pmp_server {
	struct nat_lease_table leases;
	uint32_t outside_addr;
	uint64_t epoch_start;
	bool announce_ipv6;
	unsigned announce_left;
	uint64_t announce_at;
	uint64_t announce_gap;
};

/* Big-endian field access. */
static inline uint16_t nat_pmp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t nat_pmp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void nat_pmp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void nat_pmp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * pcp_handle() - Answer one datagram whose version is not NAT-PMP's (0)
 *
 * Same arguments and return as nat_pmp_server_handle() (@cap >= NAT_PMP_REPLY_MAX).
 * Context: device context.
 */
size_t pcp_handle(struct nat_pmp_server *s, const struct nat_pmp_addr *client, const uint8_t *req,
		  size_t len, uint64_t now, uint8_t *reply);

/**
 * pcp_announce() - The unsolicited ANNOUNCE response (RFC 6887 §14.1.3)
 * @out:	(out) 24 bytes
 * Context: device context. Return: its length (24).
 */
size_t pcp_announce(const struct nat_pmp_server *s, uint64_t now, uint8_t *out);

#endif /* PK_NAT_PMP_PRIVATE_H */
