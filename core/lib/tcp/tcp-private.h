/* SPDX-License-Identifier: MIT
 * tcp-private.h - Internals of the TCP engine shared by seg.c, conn.c and the tests
 */
#ifndef PKTKIT_TCP_PRIVATE_H
#define PKTKIT_TCP_PRIVATE_H

#include <pktkit/tcp.h>

/* Sequence-space comparisons (RFC 9293 section 3.4), valid across 2^32 wrap. */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

struct pk_tcp_engine {
	uint8_t secret[16];
	struct pk_tcp_stats st;
	uint32_t chack_limit;
	uint32_t chack_count;
	uint64_t chack_window;
};

uint64_t pk_tcp_siphash(const uint8_t key[16], const uint8_t *in, size_t len);
uint64_t pk_tcp_tuple_hash(const uint8_t key[16], const struct pk_tcp_endpoints *ep,
			   uint8_t purpose);
uint32_t pk_tcp_write_header(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq,
			     uint32_t ack, uint8_t flags, uint16_t win, uint32_t opt_len);

#endif
