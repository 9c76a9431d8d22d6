/* SPDX-License-Identifier: MIT
 * wg-iface-private.h - What wg-iface.c (messages, peers, indices) and wg-peer.c (sessions, timers) share
 */
#ifndef PK_WG_IFACE_PRIVATE_H
#define PK_WG_IFACE_PRIVATE_H

#include <glib.h>

#include "wg-iface.h"
#include "wg-ratelimit.h"

/* An entry of the index table: the handshake in progress of @peer
 * (@kp NULL) or one of its keypairs. */
struct wg_index_entry {
	struct wg_peer *peer;
	struct wg_keypair *kp;
};

struct wg_iface {
	const struct wg_iface_ops *ops;
	void *ud;
	struct wg_timing timing;
	struct wg_crypto *c;
	struct wg_identity id;
	bool have_key;
	struct wg_cookie_checker checker;
	GHashTable *peers;   /* public key (the peer's hs.remote_static) -> peer */
	GHashTable *indices; /* local index -> struct wg_index_entry (owned) */
	unsigned load_threshold;
	uint64_t load_window_start;
	unsigned load_count;
	uint64_t under_load_until;
	struct wg_ratelimit ratelimit;
};

void wg_iface_random(struct wg_iface *w, void *buf, size_t n);
uint64_t wg_iface_wall(struct wg_iface *w);
/* A fresh local index for @peer's handshake (@kp NULL) or keypair. */
uint32_t wg_index_add(struct wg_iface *w, struct wg_peer *peer, struct wg_keypair *kp);
void wg_index_remove(struct wg_iface *w, uint32_t index);
struct wg_index_entry *wg_index_find(struct wg_iface *w, uint32_t index);

/* wg-peer.c: sessions and timers. */
void wg_peer_init(struct wg_iface *w, struct wg_peer *p, const uint8_t pub[WG_KEY_LEN],
		  const uint8_t *psk);
/* End every session and handshake of @p and wipe its keys. */
void wg_peer_clear_sessions(struct wg_iface *w, struct wg_peer *p);
/* Send an initiation (@retry: a retransmission, which is not rate limited
 * and keeps counting attempts). */
void wg_peer_send_initiation(struct wg_iface *w, struct wg_peer *p, uint64_t now, bool retry);
/* A handshake completed with keys @keys (wiped here): as initiator the
 * keypair becomes current at once, as responder it waits as next. */
void wg_peer_session_derived(struct wg_iface *w, struct wg_peer *p, struct wg_noise_keys *keys,
			     uint64_t now);
/* Any authenticated message from @p arrived. */
void wg_peer_authenticated_received(struct wg_peer *p, uint64_t now);
/* An authenticated data message (@keepalive: empty) arrived on @kp. */
void wg_peer_data_received(struct wg_iface *w, struct wg_peer *p, struct wg_keypair *kp,
			   bool keepalive, uint64_t now);
/* We sent a handshake message or a data message (@data: not a keepalive). */
void wg_peer_authenticated_sent(struct wg_iface *w, struct wg_peer *p, bool data, uint64_t now);
void wg_peer_send_keepalive(struct wg_iface *w, struct wg_peer *p, uint64_t now);
void wg_peer_tick(struct wg_iface *w, struct wg_peer *p, uint64_t now);
uint64_t wg_peer_next_deadline(const struct wg_peer *p);

#endif /* PK_WG_IFACE_PRIVATE_H */
