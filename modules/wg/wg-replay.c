/* SPDX-License-Identifier: MIT
 * wg-replay.c - The sliding window that refuses replayed or too old transport counters
 */
#include "wg-replay.h"

#include <string.h>

#include "wg-msg.h"

void wg_replay_init(struct wg_replay *r)
{
	memset(r, 0, sizeof(*r));
}

bool wg_replay_accept(struct wg_replay *r, uint64_t counter)
{
	uint64_t word, top_word, bit, *w;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	word = counter / 64u;
	if (counter >= r->next) {
		/* Slide up: clear every word between the old top and the new
		 * one (all of them if it jumps further than the ring). */
		top_word = r->next ? (r->next - 1) / 64u : 0;
		if (!r->next) {
			memset(r->bits, 0, sizeof(r->bits));
		} else if (word - top_word >= WG_REPLAY_WORDS) {
			memset(r->bits, 0, sizeof(r->bits));
		} else {
			for (uint64_t i = top_word + 1; i <= word; i++)
				r->bits[i % WG_REPLAY_WORDS] = 0;
		}
		r->next = counter + 1;
	} else if (r->next - 1 - counter > WG_REPLAY_WINDOW) {
		return false;
	}
	w = &r->bits[word % WG_REPLAY_WORDS];
	bit = UINT64_C(1) << (counter % 64u);
	if (*w & bit)
		return false;
	*w |= bit;
	return true;
}
