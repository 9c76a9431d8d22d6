/* SPDX-License-Identifier: MIT
 * wg-ratelimit.c - Token buckets per source address for handshake messages under load
 */
#include "wg-ratelimit.h"

#include <string.h>

#include "wg-msg.h"

#define COST_NS (WG_SEC / WG_RATELIMIT_PER_SECOND)
#define BURST_NS (COST_NS * WG_RATELIMIT_BURST)

void wg_ratelimit_init(struct wg_ratelimit *r, const uint8_t secret[16])
{
	memset(r, 0, sizeof(*r));
	memcpy(r->secret, secret, sizeof(r->secret));
}

/* The source as 64 bits: the IPv4 address, or the /64 of an IPv6 one,
 * with a tag so the two families never meet. */
static uint64_t source_key(const struct wg_source *src)
{
	uint64_t k = 0;

	if (src->addr_len == 4) {
		memcpy(&k, src->addr, 4);
		return k | UINT64_C(1) << 63;
	}
	memcpy(&k, src->addr, 8);
	return k & ~(UINT64_C(1) << 63);
}

/* A keyed mix of @k (two rounds of a 64-bit finaliser around the secret):
 * not cryptographic, but the slot of a source is not predictable. */
static uint32_t slot_of(const struct wg_ratelimit *r, uint64_t k)
{
	k ^= r->secret[0];
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k ^= r->secret[1];
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return (uint32_t)(k % WG_RATELIMIT_SLOTS);
}

bool wg_ratelimit_allow(struct wg_ratelimit *r, const struct wg_source *src, uint64_t now_ns)
{
	uint64_t key = source_key(src);
	struct wg_ratelimit_slot *s = &r->slots[slot_of(r, key)];
	uint64_t credit;

	/* A slot idle for a second is free: whoever lands in it starts full. */
	if (s->key != key && (s->last_ns == 0 || now_ns - s->last_ns >= WG_SEC)) {
		s->key = key;
		s->tokens_ns = BURST_NS;
		s->last_ns = now_ns;
	}
	credit = s->tokens_ns + (now_ns - s->last_ns);
	if (credit > BURST_NS)
		credit = BURST_NS;
	s->last_ns = now_ns ? now_ns : 1;
	if (credit < COST_NS) {
		s->tokens_ns = credit;
		return false;
	}
	s->tokens_ns = credit - COST_NS;
	return true;
}
