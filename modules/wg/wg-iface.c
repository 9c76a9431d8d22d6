/* SPDX-License-Identifier: MIT
 * wg-iface.c - A WireGuard interface without I/O: peers, indices, and what each received message does
 */
#include <string.h>

#include "wg-iface-private.h"

/* Peers hash by the first bytes of their public key (uniformly random). */
static guint key_hash(gconstpointer k)
{
	guint h;

	memcpy(&h, k, sizeof(h));
	return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, WG_KEY_LEN) == 0;
}

void wg_iface_random(struct wg_iface *w, void *buf, size_t n)
{
	if (w->ops->random)
		w->ops->random(w->ud, buf, n);
	else
		wg_random(buf, n);
}

uint64_t wg_iface_wall(struct wg_iface *w)
{
	return w->ops->wall_ns(w->ud);
}

struct wg_iface *wg_iface_new(const struct wg_iface_ops *ops, void *ud,
			      const struct wg_timing *timing, const char **why)
{
	struct wg_iface *w;
	uint8_t secret[16];

	if (!wg_crypto_global_init(why))
		return NULL;
	w = g_new0(struct wg_iface, 1);
	w->ops = ops;
	w->ud = ud;
	if (timing)
		w->timing = *timing;
	else
		wg_timing_init(&w->timing);
	w->c = wg_crypto_new();
	if (!w->c) {
		if (why)
			*why = "out of memory for the crypto contexts";
		g_free(w);
		return NULL;
	}
	w->peers = g_hash_table_new(key_hash, key_equal);
	w->indices = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	w->load_threshold = WG_LOAD_THRESHOLD_DEFAULT;
	wg_iface_random(w, secret, sizeof(secret));
	wg_ratelimit_init(&w->ratelimit, secret);
	return w;
}

static void free_peer(struct wg_iface *w, struct wg_peer *p)
{
	wg_peer_clear_sessions(w, p);
	wg_handshake_clear(&p->hs);
	wg_wipe(&p->maker, sizeof(p->maker));
	g_free(p);
}

void wg_iface_free(struct wg_iface *w)
{
	GHashTableIter it;
	gpointer v;

	if (!w)
		return;
	g_hash_table_iter_init(&it, w->peers);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		g_hash_table_iter_steal(&it);
		free_peer(w, v);
	}
	g_hash_table_destroy(w->peers);
	g_hash_table_destroy(w->indices);
	wg_crypto_free(w->c);
	wg_identity_clear(&w->id);
	wg_wipe(&w->checker, sizeof(w->checker));
	wg_wipe(&w->ratelimit, sizeof(w->ratelimit));
	g_free(w);
}

void wg_iface_set_private_key(struct wg_iface *w, const uint8_t priv[WG_KEY_LEN])
{
	uint8_t k[WG_KEY_LEN];
	GHashTableIter it;
	gpointer v;

	memcpy(k, priv, WG_KEY_LEN);
	wg_clamp(k);
	wg_identity_set(w->c, &w->id, k);
	wg_wipe(k, sizeof(k));
	w->have_key = true;
	wg_cookie_checker_init(&w->checker, &w->id);
	/* DH(static, static) depends on our key: every peer's handshake is
	 * prepared again, and sessions made with the old key end. */
	g_hash_table_iter_init(&it, w->peers);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct wg_peer *p = v;
		uint8_t pub[WG_KEY_LEN], psk[WG_KEY_LEN];

		wg_peer_clear_sessions(w, p);
		memcpy(pub, p->hs.remote_static, WG_KEY_LEN);
		memcpy(psk, p->hs.psk, WG_KEY_LEN);
		wg_handshake_init(w->c, &p->hs, &w->id, pub, psk);
		wg_wipe(psk, sizeof(psk));
	}
}

const uint8_t *wg_iface_public_key(const struct wg_iface *w)
{
	return w->id.pub;
}

void wg_iface_set_load_threshold(struct wg_iface *w, unsigned per_second)
{
	w->load_threshold = per_second;
}

struct wg_peer *wg_iface_peer_add(struct wg_iface *w, const uint8_t pub[WG_KEY_LEN],
				  const uint8_t *psk, uint16_t persistent_keepalive, void *ud)
{
	struct wg_peer *p;

	if (g_hash_table_contains(w->peers, pub) ||
	    (w->have_key && memcmp(pub, w->id.pub, WG_KEY_LEN) == 0))
		return NULL;
	p = g_new0(struct wg_peer, 1);
	wg_peer_init(w, p, pub, psk);
	p->persistent_keepalive = persistent_keepalive;
	p->ud = ud;
	g_hash_table_insert(w->peers, p->hs.remote_static, p);
	return p;
}

struct wg_peer *wg_iface_peer_find(const struct wg_iface *w, const uint8_t pub[WG_KEY_LEN])
{
	return g_hash_table_lookup(w->peers, pub);
}

void wg_iface_peer_set_psk(struct wg_iface *w, struct wg_peer *p, const uint8_t *psk)
{
	(void)w;
	if (psk)
		memcpy(p->hs.psk, psk, WG_KEY_LEN);
	else
		wg_wipe(p->hs.psk, WG_KEY_LEN);
}

void wg_iface_peer_set_keepalive(struct wg_iface *w, struct wg_peer *p, uint16_t seconds,
				 uint64_t now_ns)
{
	(void)w;
	p->persistent_keepalive = seconds;
	/* wg(8): setting it sends a keepalive at once, so a peer behind NAT
	 * is reachable without waiting for traffic. */
	p->t_persistent = seconds ? (now_ns ? now_ns : 1) : 0;
}

void wg_iface_peer_remove(struct wg_iface *w, struct wg_peer *p)
{
	g_hash_table_remove(w->peers, p->hs.remote_static);
	free_peer(w, p);
}

unsigned wg_iface_n_peers(const struct wg_iface *w)
{
	return g_hash_table_size(w->peers);
}

void wg_iface_foreach_peer(const struct wg_iface *w, void (*fn)(struct wg_peer *p, void *data),
			   void *data)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, w->peers);
	while (g_hash_table_iter_next(&it, NULL, &v))
		fn(v, data);
}

uint32_t wg_index_add(struct wg_iface *w, struct wg_peer *peer, struct wg_keypair *kp)
{
	struct wg_index_entry *e = g_new(struct wg_index_entry, 1);
	uint32_t index;

	do
		wg_iface_random(w, &index, sizeof(index));
	while (!index || g_hash_table_contains(w->indices, GUINT_TO_POINTER(index)));
	e->peer = peer;
	e->kp = kp;
	g_hash_table_insert(w->indices, GUINT_TO_POINTER(index), e);
	return index;
}

void wg_index_remove(struct wg_iface *w, uint32_t index)
{
	g_hash_table_remove(w->indices, GUINT_TO_POINTER(index));
}

struct wg_index_entry *wg_index_find(struct wg_iface *w, uint32_t index)
{
	return g_hash_table_lookup(w->indices, GUINT_TO_POINTER(index));
}

/* Count a handshake message; whether the interface is under load: more
 * than the threshold in the current second, or in the second before. */
static bool under_load(struct wg_iface *w, uint64_t now)
{
	if (now - w->load_window_start >= WG_SEC) {
		w->load_window_start = now;
		w->load_count = 0;
	}
	if (++w->load_count > w->load_threshold)
		w->under_load_until = now + WG_SEC;
	return now < w->under_load_until;
}

/* MAC checks, cookie reply and rate limit of a handshake message; true
 * when it may go on to the Noise code. */
static bool admit_handshake(struct wg_iface *w, const struct wg_source *src, const uint8_t *msg,
			    size_t len, uint32_t sender, uint64_t now, struct wg_rx_result *res)
{
	uint8_t secret[WG_HASH_LEN] = { 0 }, nonce[WG_XNONCE_LEN], reply[WG_COOKIE_LEN];
	bool load = under_load(w, now);
	enum wg_mac_result m;

	if (load)
		wg_iface_random(w, secret, sizeof(secret));
	m = wg_cookie_check(w->c, &w->checker, msg, len, src, load, now, secret);
	if (m == WG_MAC_BAD) {
		res->drop = WG_DROP_MAC1;
		return false;
	}
	if (load && m != WG_MAC_BOTH_OK) {
		wg_iface_random(w, nonce, sizeof(nonce));
		wg_cookie_reply_create(w->c, &w->checker, msg, len, sender, src, now, secret, nonce,
				       reply);
		w->ops->send(w->ud, NULL, src, reply, sizeof(reply));
		res->drop = WG_DROP_COOKIE_SENT;
		return false;
	}
	if (load && !wg_ratelimit_allow(&w->ratelimit, src, now)) {
		res->drop = WG_DROP_RATELIMIT;
		return false;
	}
	return true;
}

static void rx_initiation(struct wg_iface *w, const struct wg_source *src, const uint8_t *msg,
			  uint64_t now, struct wg_rx_result *res)
{
	struct wg_noise_pending pend;
	struct wg_noise_keys keys;
	uint8_t resp[WG_RESP_LEN], eph[WG_KEY_LEN];
	enum wg_noise_result r;
	struct wg_peer *p;
	uint32_t index, old_index;

	if (!admit_handshake(w, src, msg, WG_INIT_LEN, wg_get_le32(msg + WG_INIT_SENDER), now, res))
		return;
	if (wg_noise_initiation_open(w->c, &w->id, msg, &pend) != WG_NOISE_OK) {
		res->drop = WG_DROP_HANDSHAKE_AUTH;
		return;
	}
	p = wg_iface_peer_find(w, pend.remote_static);
	if (!p) {
		wg_noise_pending_clear(&pend);
		res->drop = WG_DROP_UNKNOWN_PEER;
		return;
	}
	old_index = p->hs.state != WG_HS_ZEROED ? p->hs.local_index : 0;
	r = wg_noise_initiation_accept(w->c, &pend, &p->hs, now);
	if (r != WG_NOISE_OK) {
		res->drop = r == WG_NOISE_REPLAY  ? WG_DROP_REPLAYED_INITIATION
			    : r == WG_NOISE_FLOOD ? WG_DROP_INITIATION_FLOOD
						  : WG_DROP_HANDSHAKE_AUTH;
		return;
	}
	/* The peer's new handshake replaced any of ours in progress. */
	if (old_index)
		wg_index_remove(w, old_index);
	wg_peer_authenticated_received(p, now);
	wg_iface_random(w, eph, sizeof(eph));
	wg_clamp(eph);
	index = wg_index_add(w, p, NULL);
	if (!wg_noise_response_create(w->c, &w->id, &p->hs, resp, index, eph)) {
		wg_wipe(eph, sizeof(eph));
		wg_index_remove(w, index);
		res->drop = WG_DROP_HANDSHAKE_AUTH;
		return;
	}
	wg_wipe(eph, sizeof(eph));
	wg_cookie_add_macs(w->c, &p->maker, resp, sizeof(resp), now);
	res->kind = WG_RX_HANDSHAKE;
	res->peer = p;
	p->rx_bytes += WG_INIT_LEN;
	p->last_handshake_sent = now ? now : 1;
	w->ops->send(w->ud, p, src, resp, sizeof(resp));
	p->tx_bytes += sizeof(resp);
	wg_peer_authenticated_sent(w, p, false, now);
	if (wg_noise_derive_keys(w->c, &p->hs, &keys))
		wg_peer_session_derived(w, p, &keys, now);
}

static void rx_response(struct wg_iface *w, const struct wg_source *src, const uint8_t *msg,
			uint64_t now, struct wg_rx_result *res)
{
	struct wg_index_entry *e;
	struct wg_noise_keys keys;
	struct wg_peer *p;

	if (!admit_handshake(w, src, msg, WG_RESP_LEN, wg_get_le32(msg + WG_RESP_SENDER), now, res))
		return;
	e = wg_index_find(w, wg_get_le32(msg + WG_RESP_RECEIVER));
	if (!e || e->kp) {
		res->drop = WG_DROP_UNKNOWN_INDEX;
		return;
	}
	p = e->peer;
	switch (wg_noise_response_consume(w->c, &w->id, &p->hs, msg)) {
	case WG_NOISE_OK:
		break;
	case WG_NOISE_BAD_STATE:
		res->drop = WG_DROP_UNKNOWN_INDEX;
		return;
	default:
		res->drop = WG_DROP_HANDSHAKE_AUTH;
		return;
	}
	res->kind = WG_RX_HANDSHAKE;
	res->peer = p;
	p->rx_bytes += WG_RESP_LEN;
	wg_peer_authenticated_received(p, now);
	if (wg_noise_derive_keys(w->c, &p->hs, &keys))
		wg_peer_session_derived(w, p, &keys, now);
}

static void rx_cookie(struct wg_iface *w, const uint8_t *msg, uint64_t now,
		      struct wg_rx_result *res)
{
	struct wg_index_entry *e = wg_index_find(w, wg_get_le32(msg + WG_COOKIE_RECEIVER));

	if (!e) {
		res->drop = WG_DROP_UNKNOWN_INDEX;
		return;
	}
	if (!wg_cookie_reply_consume(&e->peer->maker, msg, now)) {
		res->drop = WG_DROP_BAD_COOKIE;
		return;
	}
	/* Not authenticated as the peer: no roaming on a cookie reply. */
	res->kind = WG_RX_HANDSHAKE;
}

static void rx_data(struct wg_iface *w, uint8_t *msg, size_t len, uint64_t now,
		    struct wg_rx_result *res)
{
	struct wg_index_entry *e = wg_index_find(w, wg_get_le32(msg + WG_DATA_RECEIVER));
	struct wg_keypair *kp = e ? e->kp : NULL;
	uint64_t counter = wg_get_le64(msg + WG_DATA_COUNTER);
	size_t sealed = len - WG_DATA_MIN_LEN;
	struct wg_peer *p;

	if (!kp) {
		res->drop = WG_DROP_UNKNOWN_INDEX;
		return;
	}
	if (!wg_keypair_can_receive(kp, &w->timing, now)) {
		res->drop = WG_DROP_EXPIRED_KEYS;
		return;
	}
	if (!wg_aead_key_open(kp->recv, counter, msg + WG_DATA_HEADER_LEN, sealed)) {
		res->drop = WG_DROP_DATA_AUTH;
		return;
	}
	/* Only now, authenticated, may the counter move the window. */
	if (counter >= w->timing.reject_after_messages || !wg_replay_accept(&kp->replay, counter)) {
		res->drop = WG_DROP_REPLAY;
		return;
	}
	p = kp->peer;
	p->rx_bytes += len;
	res->peer = p;
	res->kind = sealed ? WG_RX_DATA : WG_RX_KEEPALIVE;
	res->inner = msg + WG_DATA_HEADER_LEN;
	res->inner_len = sealed;
	wg_peer_data_received(w, p, kp, sealed == 0, now);
}

void wg_iface_rx(struct wg_iface *w, const struct wg_source *src, uint8_t *msg, size_t len,
		 uint64_t now_ns, struct wg_rx_result *res)
{
	memset(res, 0, sizeof(*res));
	res->kind = WG_RX_DROPPED;
	res->drop = WG_DROP_MALFORMED;
	if (len < 4 || msg[1] || msg[2] || msg[3])
		return;
	switch (msg[0]) {
	case WG_MSG_INITIATION:
		if (len != WG_INIT_LEN)
			return;
		if (!w->have_key) {
			res->drop = WG_DROP_MAC1;
			return;
		}
		rx_initiation(w, src, msg, now_ns, res);
		return;
	case WG_MSG_RESPONSE:
		if (len != WG_RESP_LEN)
			return;
		if (!w->have_key) {
			res->drop = WG_DROP_MAC1;
			return;
		}
		rx_response(w, src, msg, now_ns, res);
		return;
	case WG_MSG_COOKIE:
		if (len != WG_COOKIE_LEN)
			return;
		rx_cookie(w, msg, now_ns, res);
		return;
	case WG_MSG_DATA:
		if (len < WG_DATA_MIN_LEN)
			return;
		rx_data(w, msg, len, now_ns, res);
		return;
	default:
		return;
	}
}

size_t wg_padded_len(size_t len, size_t mtu)
{
	size_t padded = (len + WG_DATA_PAD - 1) / WG_DATA_PAD * WG_DATA_PAD;

	if (padded > mtu)
		padded = mtu;
	return padded < len ? len : padded;
}

/* The rekeying the sending side asks for (whitepaper 6.2): after
 * REKEY_AFTER_MESSAGES, or REKEY_AFTER_TIME for the session's initiator. */
static void keep_key_fresh_tx(struct wg_iface *w, struct wg_peer *p, uint64_t now)
{
	struct wg_keypair *kp = p->current;

	if (kp && (kp->send_counter > w->timing.rekey_after_messages ||
		   (kp->initiator && now - kp->born_ns >= w->timing.rekey_after_time)))
		wg_peer_send_initiation(w, p, now, false);
}

bool wg_iface_seal(struct wg_iface *w, struct wg_peer *p, uint8_t *msg, size_t padded_len,
		   uint64_t now_ns)
{
	struct wg_keypair *kp = p->current;
	uint64_t counter;

	if (!wg_keypair_can_send(kp, &w->timing, now_ns)) {
		wg_iface_peer_want_session(w, p, now_ns);
		return false;
	}
	counter = kp->send_counter++;
	wg_put_type(msg, WG_MSG_DATA);
	wg_put_le32(msg + WG_DATA_RECEIVER, kp->remote_index);
	wg_put_le64(msg + WG_DATA_COUNTER, counter);
	wg_aead_key_seal(kp->send, counter, msg + WG_DATA_HEADER_LEN, padded_len);
	p->tx_bytes += WG_DATA_MIN_LEN + padded_len;
	wg_peer_authenticated_sent(w, p, padded_len > 0, now_ns);
	keep_key_fresh_tx(w, p, now_ns);
	return true;
}

void wg_iface_peer_want_session(struct wg_iface *w, struct wg_peer *p, uint64_t now_ns)
{
	p->want_handshake = true;
	if (p->hs.state != WG_HS_CREATED_INITIATION || !p->t_retransmit)
		wg_peer_send_initiation(w, p, now_ns, false);
}

void wg_iface_tick(struct wg_iface *w, uint64_t now_ns)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, w->peers);
	while (g_hash_table_iter_next(&it, NULL, &v))
		wg_peer_tick(w, v, now_ns);
}

uint64_t wg_iface_next_deadline(const struct wg_iface *w)
{
	GHashTableIter it;
	gpointer v;
	uint64_t best = 0;

	g_hash_table_iter_init(&it, w->peers);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		uint64_t d = wg_peer_next_deadline(v);

		if (d && (!best || d < best))
			best = d;
	}
	return best;
}
