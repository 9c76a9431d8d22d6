/* SPDX-License-Identifier: MIT
 * wg-replay.h - The sliding window that refuses replayed or too old transport counters
 *
 * A ring of 64-bit words holds one bit per counter in the window below the
 * highest counter seen. A counter is accepted once: when it is above the
 * highest (the window slides up, clearing the words it passes), or inside the
 * window with its bit still clear. Counters more than WG_REPLAY_WINDOW below
 * the highest are too old. The window is 8128 counters: packets reordered by
 * that much (multi-queue NICs, parallel decryption) still pass.
 *
 * Call wg_replay_accept() only after the packet authenticated (whitepaper
 * 5.4.6): a forged packet must not move the window.
 *
 * Thread context: one keypair's receive side, owner context.
 */
#ifndef PK_WG_REPLAY_H
#define PK_WG_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define WG_REPLAY_BITS 8192u
#define WG_REPLAY_WORDS (WG_REPLAY_BITS / 64u)
/* Counters this far below the highest are still accepted (the ring keeps
 * one word more than the window, for the word being filled). */
#define WG_REPLAY_WINDOW (WG_REPLAY_BITS - 64u)

/**
 * struct wg_replay - Receive window of one keypair
 * @next:	One more than the highest counter accepted (0: none yet)
 * @bits:	The ring: bit c % 64 of word (c / 64) % WG_REPLAY_WORDS is
 *		set when counter c was accepted
 */
struct wg_replay {
	uint64_t next;
	uint64_t bits[WG_REPLAY_WORDS];
};

/* An empty window. */
void wg_replay_init(struct wg_replay *r);
/* Whether @counter is new (then it is recorded) rather than a replay, too
 * old, or at or above WG_REJECT_AFTER_MESSAGES. */
bool wg_replay_accept(struct wg_replay *r, uint64_t counter);

#endif /* PK_WG_REPLAY_H */
