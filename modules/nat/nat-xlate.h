/* SPDX-License-Identifier: MIT
 * nat-xlate.h - NAT44 packet rewriting: parse, translate through the table, fix every checksum
 *
 * Sans-I/O: bytes of one IPv4 packet, the table and the time in; the packet
 * rewritten in place and a decision (where it goes, or why not) out. The
 * device (nat-device*.c) is a shell around nat_xlate_packet(); the unit tests
 * and the fuzz target call it directly.
 *
 * Checksums are updated incrementally (RFC 1624). A packet whose L4
 * checksum is left to offload (PK_CSUM_PARTIAL: the field holds the folded,
 * uncomplemented pseudo-header sum) gets only the pseudo-header part of
 * that sum adjusted, as the ports are summed later with the data. ICMP
 * errors have the quoted packet translated too (RFC 5508): its address and
 * port, its IP header checksum, its transport checksum, and the ICMP
 * checksum over all of it.
 *
 * Context: the owner's context; nothing here allocates.
 */
#ifndef PK_NAT_XLATE_H
#define PK_NAT_XLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "nat-table.h"

/* What became of a packet. */
enum nat_result {
	NAT_R_FORWARD = 0,	     /* translated: send it out of nat_action.out_if */
	NAT_R_DROP_INVALID,	     /* not a well-formed IPv4 packet */
	NAT_R_DROP_BAD_CSUM,	     /* IPv4 header checksum wrong */
	NAT_R_DROP_PROTO,	     /* a protocol the NAT does not translate */
	NAT_R_DROP_NOT_OURS,	     /* from outside, to an address that is not ours */
	NAT_R_DROP_NO_MAPPING,	     /* from outside, to no mapping */
	NAT_R_DROP_FILTERED,	     /* from outside, refused by the filtering */
	NAT_R_DROP_TABLE_FULL,	     /* a new flow refused: max-flows reached */
	NAT_R_DROP_PORTS,	     /* a new mapping refused: outside ports exhausted */
	NAT_R_DROP_TCP_NOT_SYN,	     /* from outside, TCP without a flow and not a SYN */
	NAT_R_DROP_FRAG_NO_STATE,    /* a fragment whose first fragment was not seen */
	NAT_R_DROP_ICMP_NO_FLOW,     /* an ICMP error about no known flow */
	NAT_R_DROP_ICMP_UNSUPPORTED, /* an ICMP type the NAT does not translate */
	NAT_R_TTL_EXCEEDED,	     /* TTL 0 or 1: answer Time Exceeded, the packet untouched */
	NAT_R_COUNT
};

/* Bits of nat_action.flags. */
#define NAT_ACT_HAIRPIN 0x1u	/* inside to inside through an outside mapping */
#define NAT_ACT_ICMP_ERROR 0x2u /* an ICMP error, its quoted packet translated */
#define NAT_ACT_FRAGMENT 0x4u	/* a fragment after the first, by fragment state */

/**
 * struct nat_action - Where a translated packet goes
 * @out_if:	NAT_IF_OUTSIDE, or the inside port index
 * @flags:	NAT_ACT_* bits
 * @len:	The packet's length (link padding after it dropped)
 */
struct nat_action {
	uint16_t out_if;
	uint16_t flags;
	uint32_t len;
};

/**
 * nat_xlate_packet() - Translate one IPv4 packet in place
 * @t:		Table
 * @pkt:	The packet, writable
 * @len:	Bytes at @pkt (may include link padding)
 * @dir:	NAT_DIR_OUT: it came from the inside port @ifindex;
 *		NAT_DIR_IN: from the outside
 * @ifindex:	Inside port index (NAT_DIR_OUT)
 * @partial:	The L4 checksum is PK_CSUM_PARTIAL (TCP/UDP only, the
 *		checksum starting at the L4 header)
 * @now:	Clock, ns
 * @act:	(out) where it goes
 *
 * On NAT_R_FORWARD the packet is translated, its TTL decremented. On any
 * other result the packet has not been changed.
 *
 * Context: owner context, hot path.
 */
enum nat_result nat_xlate_packet(struct nat_table *t, uint8_t *pkt, uint32_t len, enum nat_dir dir,
				 uint16_t ifindex, bool partial, uint64_t now,
				 struct nat_action *act);

/*
 * Pieces, exposed for the tests.
 */

/* A checksum field holding a folded, uncomplemented partial sum (offload),
 * adjusted for a 32-bit word of the pseudo header that changed. */
void nat_csum_partial_update32(uint8_t *field, uint32_t from, uint32_t to);

#endif /* PK_NAT_XLATE_H */
