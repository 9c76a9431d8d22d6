/* SPDX-License-Identifier: MIT
 * wg-peer.c - A peer's sessions and timers: keypair rotation, rekeying, retransmission, keepalives
 *
 * The timers follow the whitepaper (section 6) as the reference
 * implementations run them: each is a deadline in the peer, armed and
 * cleared by events (a handshake sent or completed, data or any
 * authenticated message sent or received) and run by wg_peer_tick().
 */
#include <string.h>

#include "wg-iface-private.h"

/* Retransmissions before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
static unsigned max_attempts(const struct wg_timing *t)
{
	return (unsigned)(t->rekey_attempt_time / t->rekey_timeout);
}

static uint64_t jitter(struct wg_iface *w)
{
	uint64_t r = 0;

	if (!w->timing.rekey_jitter_max)
		return 0;
	wg_iface_random(w, &r, sizeof(r));
	return r % w->timing.rekey_jitter_max;
}

void wg_peer_init(struct wg_iface *w, struct wg_peer *p, const uint8_t pub[WG_KEY_LEN],
		  const uint8_t *psk)
{
	p->timing = &w->timing;
	wg_handshake_init(w->c, &p->hs, &w->id, pub, psk);
	wg_cookie_maker_init(w->c, &p->maker, pub);
}

static void drop_keypair(struct wg_iface *w, struct wg_keypair **slot)
{
	if (!*slot)
		return;
	wg_index_remove(w, (*slot)->local_index);
	wg_keypair_free(*slot);
	*slot = NULL;
}

static void drop_handshake(struct wg_iface *w, struct wg_peer *p)
{
	if (p->hs.state != WG_HS_ZEROED && p->hs.local_index)
		wg_index_remove(w, p->hs.local_index);
	wg_handshake_reset(&p->hs);
}

void wg_peer_clear_sessions(struct wg_iface *w, struct wg_peer *p)
{
	drop_keypair(w, &p->current);
	drop_keypair(w, &p->previous);
	drop_keypair(w, &p->next);
	drop_handshake(w, p);
	p->t_retransmit = p->t_send_keepalive = p->t_new_handshake = 0;
	p->t_zero_keys = 0;
	p->attempts = 0;
	p->lastminute_sent = false;
	p->need_keepalive = false;
}

bool wg_peer_has_session(const struct wg_peer *p, uint64_t now_ns)
{
	return wg_keypair_can_send(p->current, p->timing, now_ns);
}

/* Any authenticated message sent or received keeps NAT mappings open: the
 * persistent keepalive counts from it. */
static void traversal(struct wg_peer *p, uint64_t now)
{
	if (p->persistent_keepalive)
		p->t_persistent = now + p->persistent_keepalive * WG_SEC;
}

void wg_peer_authenticated_sent(struct wg_iface *w, struct wg_peer *p, bool data, uint64_t now)
{
	p->t_send_keepalive = 0; /* what we sent answers for us */
	p->need_keepalive = false;
	traversal(p, now);
	/* Data with no answer for KEEPALIVE + REKEY_TIMEOUT: the session
	 * may be dead on the other side; start a new one then. */
	if (data && !p->t_new_handshake)
		p->t_new_handshake = now + w->timing.keepalive_timeout + w->timing.rekey_timeout +
				     jitter(w);
}

void wg_peer_send_initiation(struct wg_iface *w, struct wg_peer *p, uint64_t now, bool retry)
{
	uint8_t msg[WG_INIT_LEN], eph[WG_KEY_LEN];
	uint32_t index;

	if (!retry) {
		/* One new handshake message per REKEY_TIMEOUT at most
		 * (whitepaper 6.1); a response we sent counts, so a responder
		 * waiting for confirmation does not start a crossing one. */
		if (p->last_handshake_sent &&
		    now - p->last_handshake_sent < w->timing.rekey_timeout)
			return;
		p->attempts = 0;
		p->first_attempt = now;
	}
	if (!w->have_key || !p->hs.static_ok)
		return;
	drop_handshake(w, p);
	wg_iface_random(w, eph, sizeof(eph));
	wg_clamp(eph);
	index = wg_index_add(w, p, NULL);
	if (!wg_noise_initiation_create(w->c, &w->id, &p->hs, msg, index, eph, wg_iface_wall(w))) {
		wg_index_remove(w, index);
		wg_wipe(eph, sizeof(eph));
		return;
	}
	wg_wipe(eph, sizeof(eph));
	wg_cookie_add_macs(w->c, &p->maker, msg, sizeof(msg), now);
	p->last_handshake_sent = now ? now : 1;
	p->t_retransmit = now + w->timing.rekey_timeout + jitter(w);
	w->ops->send(w->ud, p, NULL, msg, sizeof(msg));
	p->tx_bytes += sizeof(msg);
	wg_peer_authenticated_sent(w, p, false, now);
}

void wg_peer_send_keepalive(struct wg_iface *w, struct wg_peer *p, uint64_t now)
{
	uint8_t msg[WG_DATA_MIN_LEN];

	if (wg_iface_seal(w, p, msg, 0, now))
		w->ops->send(w->ud, p, NULL, msg, sizeof(msg));
}

/* The session is usable for sending (as initiator at once, as responder
 * once confirmed): stop retrying, note the time, send what waited. */
static void handshake_complete(struct wg_iface *w, struct wg_peer *p)
{
	p->t_retransmit = 0;
	p->attempts = 0;
	p->lastminute_sent = false;
	p->last_handshake_unix_ns = wg_iface_wall(w);
	p->want_handshake = false;
	if (w->ops->keys_ready)
		w->ops->keys_ready(w->ud, p);
}

void wg_peer_session_derived(struct wg_iface *w, struct wg_peer *p, struct wg_noise_keys *keys,
			     uint64_t now)
{
	struct wg_keypair *kp = wg_keypair_new(keys, p, now);

	if (!kp)
		return;
	/* The handshake's index now names the keypair. */
	wg_index_remove(w, kp->local_index);
	g_hash_table_insert(w->indices, GUINT_TO_POINTER(kp->local_index),
			    g_memdup2(&(struct wg_index_entry){ .peer = p, .kp = kp },
				      sizeof(struct wg_index_entry)));
	p->t_zero_keys = now + 3 * w->timing.reject_after_time;
	if (kp->initiator) {
		/* Whitepaper 5.4.6: the initiator sends with the new keys at
		 * once; the old current stays as previous for what is still
		 * in flight, an unconfirmed next is abandoned. */
		drop_keypair(w, &p->next);
		drop_keypair(w, &p->previous);
		p->previous = p->current;
		p->current = kp;
		handshake_complete(w, p);
		/* Confirm the session to the responder if keys_ready sent
		 * nothing: it may not send with the new keys before we do. */
		if (!p->current->send_counter)
			wg_peer_send_keepalive(w, p, now);
	} else {
		/* The responder keeps sending with the old keys until the
		 * initiator's first message on the new ones. */
		drop_keypair(w, &p->next);
		p->next = kp;
	}
}

/* The rekeying the receiving side asks for (whitepaper 6.2): an initiator
 * whose session nears REJECT_AFTER_TIME starts a new one, once. */
static void keep_key_fresh_rx(struct wg_iface *w, struct wg_peer *p, uint64_t now)
{
	const struct wg_timing *t = &w->timing;
	struct wg_keypair *kp = p->current;

	uint64_t margin = t->keepalive_timeout + t->rekey_timeout;

	if (!kp || !kp->initiator || p->lastminute_sent)
		return;
	if (now - kp->born_ns + margin >= t->reject_after_time) {
		p->lastminute_sent = true;
		wg_peer_send_initiation(w, p, now, false);
	}
}

void wg_peer_authenticated_received(struct wg_peer *p, uint64_t now)
{
	p->t_new_handshake = 0; /* the peer is alive */
	traversal(p, now);
}

void wg_peer_data_received(struct wg_iface *w, struct wg_peer *p, struct wg_keypair *kp,
			   bool keepalive, uint64_t now)
{
	if (kp == p->next) {
		/* The initiator used the keys we answered with: confirmed. */
		drop_keypair(w, &p->previous);
		p->previous = p->current;
		p->current = kp;
		p->next = NULL;
		handshake_complete(w, p);
	}
	wg_peer_authenticated_received(p, now);
	if (!keepalive) {
		if (!p->t_send_keepalive)
			p->t_send_keepalive = now + w->timing.keepalive_timeout;
		else
			p->need_keepalive = true;
	}
	if (kp == p->current)
		keep_key_fresh_rx(w, p, now);
}

static bool due(uint64_t deadline, uint64_t now)
{
	return deadline && deadline <= now;
}

void wg_peer_tick(struct wg_iface *w, struct wg_peer *p, uint64_t now)
{
	if (due(p->t_retransmit, now)) {
		p->t_retransmit = 0;
		if (p->attempts >= max_attempts(&w->timing)) {
			/* Whitepaper 6.4: give up after REKEY_ATTEMPT_TIME; what
			 * waited is dropped, the keys go later. */
			p->t_send_keepalive = 0;
			p->want_handshake = false;
			drop_handshake(w, p);
			if (w->ops->handshake_failed)
				w->ops->handshake_failed(w->ud, p);
			if (!p->t_zero_keys)
				p->t_zero_keys = now + 3 * w->timing.reject_after_time;
		} else {
			p->attempts++;
			wg_peer_send_initiation(w, p, now, true);
		}
	}
	if (due(p->t_send_keepalive, now)) {
		p->t_send_keepalive = 0;
		wg_peer_send_keepalive(w, p, now);
		if (p->need_keepalive) {
			p->need_keepalive = false;
			p->t_send_keepalive = now + w->timing.keepalive_timeout;
		}
	}
	if (due(p->t_new_handshake, now)) {
		p->t_new_handshake = 0;
		wg_peer_send_initiation(w, p, now, false);
	}
	if (due(p->t_zero_keys, now)) {
		/* Whitepaper 6.3: nothing of a session outlives 3 x REJECT_AFTER_TIME. */
		wg_peer_clear_sessions(w, p);
	}
	if (due(p->t_persistent, now)) {
		p->t_persistent = 0;
		if (p->persistent_keepalive)
			wg_peer_send_keepalive(w, p, now);
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

uint64_t wg_peer_next_deadline(const struct wg_peer *p)
{
	uint64_t d = earliest(p->t_retransmit, p->t_send_keepalive);

	d = earliest(d, p->t_new_handshake);
	d = earliest(d, p->t_zero_keys);
	return earliest(d, p->t_persistent);
}
