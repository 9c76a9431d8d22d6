/* SPDX-License-Identifier: MIT
 * tcp-private.h - Internals of the TCP engine shared by its files and the tests
 */
#ifndef PKTKIT_TCP_PRIVATE_H
#define PKTKIT_TCP_PRIVATE_H

#include <pktkit/toolkit/tcp.h>

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
	uint32_t chack_budget;		/* this window's limit: randomized */
	uint64_t chack_window;
	uint64_t chack_windows;		/* windows started: input of the draw */
	/* SYN cookies: current key; the previous one is accepted for cookies
	 * of time slots up to ck_rot_slot, the slot of the rotation (so for
	 * at most one more slot, and a leaked old key mints nothing newer). */
	uint8_t ck_key[16];
	uint8_t ck_prev[16];
	bool ck_have_prev;
	uint64_t ck_rot_slot;
};

/* SYN cookies (listener.c), reached by the tests (not exported). */
#define PK_TCP_COOKIE_NO_WS 15u		/* wscale field: no window scaling */
#define PK_TCP_COOKIE_TS_BITS 5u	/* TSval low bits: 4 wscale, 1 SACK */
extern const uint16_t pk_tcp_cookie_mss[8];
uint32_t pk_tcp_cookie_make(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
			    uint32_t irs, uint32_t mss_idx, uint32_t optbits, uint64_t now);
bool pk_tcp_cookie_check(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
			 uint32_t irs, uint32_t cookie, uint32_t optbits, uint64_t now);

uint64_t pk_tcp_siphash(const uint8_t key[16], const uint8_t *in, size_t len);
uint64_t pk_tcp_tuple_hash(const uint8_t key[16], const struct pk_tcp_endpoints *ep,
			   uint8_t purpose);
uint32_t pk_tcp_write_header(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq,
			     uint32_t ack, uint8_t flags, uint16_t win, uint32_t opt_len);
/* TSO: store only the pseudo-header sum (PK_CSUM_PARTIAL convention). */
void pk_tcp_csum_set_partial_(const struct pk_tcp_endpoints *ep, uint8_t *seg, uint32_t len);

#endif
