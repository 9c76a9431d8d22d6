/* SPDX-License-Identifier: MIT
 * wg-keypair.c - One session's transport keys: creation and wiping
 */
#include "wg-keypair.h"

#include <glib.h>

struct wg_keypair *wg_keypair_new(struct wg_noise_keys *keys, struct wg_peer *peer, uint64_t now_ns)
{
	struct wg_keypair *kp = g_new0(struct wg_keypair, 1);

	kp->send = wg_aead_key_new(keys->send, true);
	kp->recv = wg_aead_key_new(keys->recv, false);
	kp->local_index = keys->local_index;
	kp->remote_index = keys->remote_index;
	kp->initiator = keys->initiator;
	kp->born_ns = now_ns;
	kp->peer = peer;
	wg_replay_init(&kp->replay);
	wg_wipe(keys, sizeof(*keys));
	if (!kp->send || !kp->recv) {
		wg_keypair_free(kp);
		return NULL;
	}
	return kp;
}

void wg_keypair_free(struct wg_keypair *kp)
{
	if (!kp)
		return;
	wg_aead_key_free(kp->send);
	wg_aead_key_free(kp->recv);
	wg_wipe(kp, sizeof(*kp));
	g_free(kp);
}
