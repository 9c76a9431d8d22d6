/* SPDX-License-Identifier: MIT
 * wg-ratelimit.h - Token buckets per source address for handshake messages under load
 *
 * Under load, a source that proved its address (a valid MAC2) may still
 * send only WG_RATELIMIT_PER_SECOND handshake messages a second, with
 * bursts of WG_RATELIMIT_BURST: one host cannot keep the interface busy
 * with DH computations. IPv6 sources count per /64 (one host usually owns
 * a whole /64). The table has a fixed size: sources hash (with a random
 * key, so nobody can aim at a slot) into direct-mapped buckets, and an idle
 * bucket is taken over by the next source that lands in it, so memory does
 * not grow with the number of sources.
 *
 * Thread context: owner context.
 */
#ifndef PK_WG_RATELIMIT_H
#define PK_WG_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "wg-cookie.h"

#define WG_RATELIMIT_PER_SECOND 20u
#define WG_RATELIMIT_BURST 5u
#define WG_RATELIMIT_SLOTS 4096u

struct wg_ratelimit_slot {
	uint64_t key;
	uint64_t tokens_ns; /* credit, in ns of the refill (1 s / rate per message) */
	uint64_t last_ns;
};

struct wg_ratelimit {
	uint64_t secret[2];
	struct wg_ratelimit_slot slots[WG_RATELIMIT_SLOTS];
};

/* Empty buckets hashed with the 16 random bytes @secret. */
void wg_ratelimit_init(struct wg_ratelimit *r, const uint8_t secret[16]);
/* Whether a message from @src at @now_ns is within its source's rate
 * (then it is charged). */
bool wg_ratelimit_allow(struct wg_ratelimit *r, const struct wg_source *src, uint64_t now_ns);

#endif /* PK_WG_RATELIMIT_H */
