/* SPDX-License-Identifier: MIT
 * wg-keypair.h - One session's transport keys: counters, replay window, age limits
 *
 * A handshake gives a keypair: a key to seal what we send, one to open what
 * we receive, the two indices, and its birth time. It is used until
 * REJECT_AFTER_TIME or REJECT_AFTER_MESSAGES, whichever comes first, and
 * replaced sooner (REKEY_AFTER_*) by the peer's session (wg-peer.h).
 *
 * Thread context: the device's owner context.
 */
#ifndef PK_WG_KEYPAIR_H
#define PK_WG_KEYPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "wg-crypto.h"
#include "wg-noise.h"
#include "wg-replay.h"

struct wg_peer;

/**
 * struct wg_keypair - Transport keys of one completed handshake
 * @send, @recv:	Prepared AEAD keys
 * @replay:		Receive window
 * @send_counter:	Counter of the next message we seal
 * @born_ns:		When the handshake completed (monotonic ns)
 * @local_index:	The index the peer sends to (ours, in the index table)
 * @remote_index:	The index we send to
 * @initiator:		We initiated the handshake (only the initiator rekeys
 *			by age, whitepaper 6.2)
 * @peer:		Whose keypair it is
 */
struct wg_keypair {
	struct wg_aead_key *send;
	struct wg_aead_key *recv;
	struct wg_replay replay;
	uint64_t send_counter;
	uint64_t born_ns;
	uint32_t local_index;
	uint32_t remote_index;
	bool initiator;
	struct wg_peer *peer;
};

/* A keypair from @keys (wiped here), born @now_ns; NULL if memory ran out. */
struct wg_keypair *wg_keypair_new(struct wg_noise_keys *keys, struct wg_peer *peer,
				  uint64_t now_ns);
/* Free @kp (NULL is fine); keys are wiped. */
void wg_keypair_free(struct wg_keypair *kp);

/* Whether @kp may still seal (age and counter below the reject limits). */
static inline bool wg_keypair_can_send(const struct wg_keypair *kp, const struct wg_timing *t,
				       uint64_t now_ns)
{
	return kp && now_ns - kp->born_ns < t->reject_after_time &&
	       kp->send_counter < t->reject_after_messages;
}

/* Whether a message for @kp may still be opened (age below the limit). */
static inline bool wg_keypair_can_receive(const struct wg_keypair *kp, const struct wg_timing *t,
					  uint64_t now_ns)
{
	return kp && now_ns - kp->born_ns < t->reject_after_time;
}

#endif /* PK_WG_KEYPAIR_H */
