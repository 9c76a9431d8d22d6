/* SPDX-License-Identifier: MIT
 * fuzz-wg-handshake.c - Arbitrary WireGuard handshake messages into a responder, an initiator and a cookie maker
 *
 * Two sides with fixed keys (derived from constant labels, see fixed_key()):
 * a responder R with three peers (the initiator I with a preshared key,
 * another peer O without one, and the all-zero key, a low-order point), and
 * I with an initiation to R outstanding. Input: [control byte][message].
 *
 *   control & 0x03	what the message is: 0 (and 3) an initiation to R,
 *			1 a response to I, 2 a cookie reply to I's maker
 *   control & 0x04	fix the MAC1 of the message (initiation, response) with
 *			the receiver's key, or seal the cookie reply's 16 bytes at
 *			offset 32 as its cookie, so the fuzzer gets past the check
 *   control & 0x08	fix MAC2 with the cookie of the sender's address
 *   control & 0x10	the receiver is under load: MAC2 is checked, and without
 *			it a cookie reply is made and taken back by a maker
 *   control >> 5	the receiver's state before (see the setup_* helpers)
 *
 * A message shorter than its type's length is dropped, as a device does;
 * bytes after it are ignored. The message is copied into a heap block of
 * its exact size, so ASan sees any read past it. Invariants: a refused message leaves the handshake or the maker as it
 * was; an accepted initiation answers with a response, and when it is I's
 * outstanding initiation that response gives I and R crosswise equal keys;
 * an accepted response gives the keys of the recorded handshake when it is
 * R's answer; nothing is accepted twice; a cookie taken by a maker makes
 * MAC2 valid exactly when it is the checker's cookie for the address.
 * Set FUZZ_WG_STATS=1 to print how often each stage was reached at exit.
 * Seeds: tests/fuzz/corpus/wg-handshake (tests/fuzz/gen-wg-corpus.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg-cookie.h"
#include "wg-noise.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The clocks: the initiator's wall time in its timestamp, the receivers'
 * monotonic time. */
#define T_INIT (UINT64_C(1700000000) * WG_SEC)
#define NOW (UINT64_C(1000) * WG_SEC)
#define I_INDEX 0x1a2b3c4du
#define R_INDEX 0x5e6f7081u
#define N_PEERS 3

enum {
	PEER_I,
	PEER_O,
	PEER_ZERO
};

static struct wg_crypto *c;
static const struct wg_source src_i = { .addr = { 192, 0, 2, 7 }, .addr_len = 4, .port = 51820 };
static const struct wg_source src_r = { .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
					.addr_len = 16,
					.port = 4500 };

static struct {
	struct wg_identity r, i;
	uint8_t psk[WG_KEY_LEN], eph_i[WG_KEY_LEN], eph_r[WG_KEY_LEN];
	uint8_t secret[WG_HASH_LEN], nonce[WG_XNONCE_LEN];
	/* R's side: its peers in each prior state, its checker, its maker to I. */
	struct wg_handshake r_peers[4][N_PEERS];
	struct wg_cookie_checker r_checker;
	struct wg_cookie_maker r_maker;
	/* I's side: its handshake with R in each prior state, checker, maker. */
	struct wg_handshake i_hs[4];
	struct wg_cookie_checker i_checker;
	struct wg_cookie_maker i_makers[4];
	/* The recorded handshake: I's initiation, R's response, the keys. */
	uint8_t init[WG_INIT_LEN], resp[WG_RESP_LEN];
	struct wg_noise_keys keys_i, keys_r;
} fx;

static struct {
	unsigned long runs, mac_ok, cookie_made, init_opened, init_peer, init_accepted,
		resp_consumed, round_trips, cookie_taken;
} stats;

static void print_stats(void)
{
	fprintf(stderr,
		"fuzz-wg-handshake: %lu runs, MACs passed %lu, cookie replies made %lu, "
		"initiations opened %lu, for a peer %lu, accepted %lu, round trips %lu, "
		"responses consumed %lu, cookie replies taken %lu\n",
		stats.runs, stats.mac_ok, stats.cookie_made, stats.init_opened, stats.init_peer,
		stats.init_accepted, stats.round_trips, stats.resp_consumed, stats.cookie_taken);
}

/* A key from a label: HASH("fuzz-wg " || label), clamped when @clamp.
 * gen-wg-corpus.py derives the same ones. */
static void fixed_key(uint8_t out[WG_KEY_LEN], const char *label, bool clamp)
{
	wg_hash2(c, out, "fuzz-wg ", 8, label, strlen(label));
	if (clamp)
		wg_clamp(out);
}

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* The cookie the checker hands out to @src under the fixed secret. */
static void cookie_of(const struct wg_source *src, uint8_t out[WG_MAC_LEN])
{
	uint8_t in[18];

	memcpy(in, src->addr, src->addr_len);
	in[src->addr_len] = (uint8_t)(src->port >> 8);
	in[src->addr_len + 1] = (uint8_t)src->port;
	wg_mac(c, out, fx.secret, WG_HASH_LEN, in, src->addr_len + 2u);
}

static void setup(void)
{
	uint8_t priv[WG_KEY_LEN], zero_pub[WG_KEY_LEN] = { 0 }, scratch[WG_INIT_LEN];
	struct wg_noise_pending p;
	struct wg_handshake hs;

	if (!wg_crypto_global_init(NULL) || !(c = wg_crypto_new()))
		abort();
	if (getenv("FUZZ_WG_STATS"))
		atexit(print_stats);
	fixed_key(priv, "responder static", true);
	wg_identity_set(c, &fx.r, priv);
	fixed_key(priv, "initiator static", true);
	wg_identity_set(c, &fx.i, priv);
	fixed_key(fx.psk, "preshared key", false);
	fixed_key(fx.eph_i, "initiator ephemeral", true);
	fixed_key(fx.eph_r, "responder ephemeral", true);
	fixed_key(fx.secret, "cookie secret", false);
	fixed_key(priv, "cookie nonce", false);
	memcpy(fx.nonce, priv, WG_XNONCE_LEN);

	/* R: state 0 fresh; 1 has accepted the recorded initiation's timestamp
	 * (a replay); 2 an older one 10 ms ago (a flood); 3 is itself
	 * initiating to I (the peer's initiation wins). */
	wg_handshake_init(c, &fx.r_peers[0][PEER_I], &fx.r, fx.i.pub, fx.psk);
	fixed_key(priv, "other static", true);
	wg_pubkey(zero_pub, priv);
	wg_handshake_init(c, &fx.r_peers[0][PEER_O], &fx.r, zero_pub, NULL);
	memset(zero_pub, 0, sizeof(zero_pub));
	wg_handshake_init(c, &fx.r_peers[0][PEER_ZERO], &fx.r, zero_pub, NULL);
	if (fx.r_peers[0][PEER_ZERO].static_ok)
		abort();
	for (int s = 1; s < 4; s++)
		memcpy(fx.r_peers[s], fx.r_peers[0], sizeof(fx.r_peers[0]));
	wg_tai64n(fx.r_peers[1][PEER_I].latest_timestamp, T_INIT);
	wg_tai64n(fx.r_peers[2][PEER_I].latest_timestamp, T_INIT - WG_SEC);
	fx.r_peers[2][PEER_I].last_initiation_ns = NOW - WG_SEC / 100;
	wg_tai64n(fx.r_peers[3][PEER_I].latest_timestamp, T_INIT - 60 * WG_SEC);
	if (!wg_noise_initiation_create(c, &fx.r, &fx.r_peers[3][PEER_I], scratch, 0x99, fx.eph_r,
					T_INIT))
		abort();
	wg_cookie_checker_init(&fx.r_checker, &fx.r);
	memcpy(fx.r_checker.secret, fx.secret, WG_HASH_LEN);
	fx.r_checker.secret_born_ns = NOW;
	wg_cookie_maker_init(c, &fx.r_maker, fx.i.pub);

	/* I: the recorded initiation, outstanding (state 0). */
	wg_handshake_init(c, &fx.i_hs[0], &fx.i, fx.r.pub, fx.psk);
	wg_cookie_checker_init(&fx.i_checker, &fx.i);
	memcpy(fx.i_checker.secret, fx.secret, WG_HASH_LEN);
	fx.i_checker.secret_born_ns = NOW;
	wg_cookie_maker_init(c, &fx.i_makers[0], fx.r.pub);
	if (!wg_noise_initiation_create(c, &fx.i, &fx.i_hs[0], fx.init, I_INDEX, fx.eph_i, T_INIT))
		abort();
	wg_cookie_add_macs(c, &fx.i_makers[0], fx.init, WG_INIT_LEN, NOW);

	/* R answers it; I takes the answer: the recorded keys. */
	hs = fx.r_peers[0][PEER_I];
	if (wg_noise_initiation_open(c, &fx.r, fx.init, &p) != WG_NOISE_OK ||
	    wg_noise_initiation_accept(c, &p, &hs, NOW) != WG_NOISE_OK ||
	    !wg_noise_response_create(c, &fx.r, &hs, fx.resp, R_INDEX, fx.eph_r))
		abort();
	wg_cookie_add_macs(c, &fx.r_maker, fx.resp, WG_RESP_LEN, NOW);
	if (!wg_noise_derive_keys(c, &hs, &fx.keys_r))
		abort();
	/* I: 1 nothing outstanding; 2 has taken the response already; 3 an
	 * initiation under another index. */
	fx.i_hs[1] = fx.i_hs[0];
	wg_handshake_reset(&fx.i_hs[1]);
	fx.i_hs[2] = fx.i_hs[0];
	if (wg_noise_response_consume(c, &fx.i, &fx.i_hs[2], fx.resp) != WG_NOISE_OK)
		abort();
	hs = fx.i_hs[2];
	if (!wg_noise_derive_keys(c, &hs, &fx.keys_i) ||
	    memcmp(fx.keys_i.send, fx.keys_r.recv, WG_KEY_LEN) != 0)
		abort();
	fx.i_hs[3] = fx.i_hs[0];
	fx.i_hs[3].local_index = I_INDEX + 1;

	/* I's maker: 0 (and 3) waiting for a reply to the initiation; 1 has
	 * taken one already; 2 holds an older cookie and waits. */
	fx.i_makers[1] = fx.i_makers[0];
	fx.i_makers[1].last_mac1_valid = false;
	fx.i_makers[2] = fx.i_makers[0];
	memset(fx.i_makers[2].cookie, 0xc5, WG_MAC_LEN);
	fx.i_makers[2].cookie_born_ns = NOW - 10 * WG_SEC;
	fx.i_makers[3] = fx.i_makers[0];
}

/* The receiver is under load and the message had no valid MAC2: it answers
 * with a cookie reply, which the sender's maker (@m, whose last message was
 * @msg) must take, and then the message with MAC2 must pass. */
static void cookie_round_trip(struct wg_cookie_checker *k, struct wg_cookie_maker *m,
			      const uint8_t *msg, size_t len, const struct wg_source *src)
{
	uint8_t reply[WG_COOKIE_LEN], again[WG_INIT_LEN];
	uint32_t sender = wg_get_le32(msg + 4);

	wg_cookie_reply_create(c, k, msg, len, sender, src, NOW, fx.secret, fx.nonce, reply);
	stats.cookie_made++;
	FUZZ_CHECK(wg_get_le32(reply) == WG_MSG_COOKIE);
	FUZZ_CHECK(wg_get_le32(reply + WG_COOKIE_RECEIVER) == sender);
	memcpy(m->last_mac1, msg + len - 2 * WG_MAC_LEN, WG_MAC_LEN);
	m->last_mac1_valid = true;
	FUZZ_CHECK(wg_cookie_reply_consume(m, reply, NOW + 1));
	FUZZ_CHECK(!wg_cookie_reply_consume(m, reply, NOW + 1));
	memcpy(again, msg, len);
	wg_cookie_add_macs(c, m, again, len, NOW + 2);
	FUZZ_CHECK(wg_cookie_check(c, k, again, len, src, true, NOW + 2, fx.secret) ==
		   WG_MAC_BOTH_OK);
}

/* Apply the MAC flags of @ctl to @msg for a receiver with MAC1 key @mac1_key,
 * from @src; then check the MACs as the receiver does. False: dropped (or
 * answered with a cookie reply). */
static bool macs(uint8_t ctl, uint8_t *msg, size_t len, const uint8_t mac1_key[WG_HASH_LEN],
		 struct wg_cookie_checker *k, const struct wg_source *src,
		 const uint8_t maker_peer[WG_KEY_LEN])
{
	bool load = ctl & 0x10;
	enum wg_mac_result res;
	uint8_t cookie[WG_MAC_LEN];

	if (ctl & 0x04)
		wg_mac(c, msg + len - 2 * WG_MAC_LEN, mac1_key, WG_HASH_LEN, msg,
		       len - 2 * WG_MAC_LEN);
	if (ctl & 0x08) {
		cookie_of(src, cookie);
		wg_mac(c, msg + len - WG_MAC_LEN, cookie, WG_MAC_LEN, msg, len - WG_MAC_LEN);
	}
	res = wg_cookie_check(c, k, msg, len, src, load, NOW, fx.secret);
	if (res == WG_MAC_BAD)
		return false;
	FUZZ_CHECK(load || res == WG_MAC1_ONLY);
	stats.mac_ok++;
	if (load && res != WG_MAC_BOTH_OK) {
		struct wg_cookie_maker m;

		wg_cookie_maker_init(c, &m, maker_peer);
		cookie_round_trip(k, &m, msg, len, src);
		return false;
	}
	return true;
}

static struct wg_handshake *peer_by_key(struct wg_handshake *peers, const uint8_t *key)
{
	for (int n = 0; n < N_PEERS; n++)
		if (memcmp(peers[n].remote_static, key, WG_KEY_LEN) == 0)
			return &peers[n];
	return NULL;
}

static void initiation(uint8_t ctl, uint8_t *msg)
{
	struct wg_handshake peers[N_PEERS], *hs, before, ihs;
	struct wg_noise_pending p;
	struct wg_noise_keys kr, ki;
	enum wg_noise_result res;
	uint8_t resp[WG_RESP_LEN];
	struct wg_cookie_checker k = fx.r_checker;
	struct wg_cookie_maker rm = fx.r_maker;

	if (!macs(ctl, msg, WG_INIT_LEN, fx.r.mac1_key, &k, &src_i, fx.r.pub))
		return;
	memset(&p, 0xa5, sizeof(p));
	res = wg_noise_initiation_open(c, &fx.r, msg, &p);
	if (res != WG_NOISE_OK) {
		FUZZ_CHECK(res == WG_NOISE_BAD_AUTH);
		FUZZ_CHECK(zero(&p, sizeof(p)));
		return;
	}
	stats.init_opened++;
	FUZZ_CHECK(p.msg == msg && p.remote_index == wg_get_le32(msg + WG_INIT_SENDER));
	memcpy(peers, fx.r_peers[(ctl >> 5) & 3], sizeof(peers));
	hs = peer_by_key(peers, p.remote_static);
	if (!hs) {
		wg_noise_pending_clear(&p);
		return;
	}
	stats.init_peer++;
	memcpy(&before, hs, sizeof(before));
	res = wg_noise_initiation_accept(c, &p, hs, NOW);
	FUZZ_CHECK(zero(&p, sizeof(p)));
	if (res != WG_NOISE_OK) {
		FUZZ_CHECK(res == WG_NOISE_BAD_AUTH || res == WG_NOISE_REPLAY ||
			   res == WG_NOISE_FLOOD);
		FUZZ_CHECK(memcmp(hs, &before, sizeof(before)) == 0);
		return;
	}
	stats.init_accepted++;
	FUZZ_CHECK(hs->static_ok && hs->state == WG_HS_CONSUMED_INITIATION);
	FUZZ_CHECK(hs->remote_index == wg_get_le32(msg + WG_INIT_SENDER));
	FUZZ_CHECK(memcmp(hs->latest_timestamp, before.latest_timestamp, WG_TAI64N_LEN) > 0);
	FUZZ_CHECK(!before.last_initiation_ns ||
		   NOW - before.last_initiation_ns >= WG_INITIATION_MIN_INTERVAL);
	FUZZ_CHECK(hs->last_initiation_ns == NOW);
	/* The same initiation again is a replay. */
	memcpy(&before, hs, sizeof(before));
	FUZZ_CHECK(wg_noise_initiation_open(c, &fx.r, msg, &p) == WG_NOISE_OK);
	FUZZ_CHECK(wg_noise_initiation_accept(c, &p, hs, NOW + WG_SEC) == WG_NOISE_REPLAY);
	FUZZ_CHECK(memcmp(hs, &before, sizeof(before)) == 0);

	/* An authentic ephemeral cannot be low order: the open's DH would have
	 * failed, so the answer never does. */
	FUZZ_CHECK(wg_noise_response_create(c, &fx.r, hs, resp, R_INDEX, fx.eph_r));
	FUZZ_CHECK(hs->state == WG_HS_CREATED_RESPONSE);
	FUZZ_CHECK(wg_get_le32(resp + WG_RESP_RECEIVER) == wg_get_le32(msg + WG_INIT_SENDER));
	wg_cookie_add_macs(c, &rm, resp, WG_RESP_LEN, NOW);
	FUZZ_CHECK(wg_noise_derive_keys(c, hs, &kr));
	FUZZ_CHECK(hs->state == WG_HS_ZEROED && !kr.initiator);
	FUZZ_CHECK(!wg_noise_derive_keys(c, hs, &kr));
	if (hs != &peers[PEER_I] || memcmp(msg, fx.init, WG_INIT_MAC1) != 0)
		return;
	/* I's own initiation: its answer completes I's handshake. */
	stats.round_trips++;
	FUZZ_CHECK(memcmp(resp, fx.resp, WG_RESP_LEN) == 0);
	ihs = fx.i_hs[0];
	k = fx.i_checker;
	FUZZ_CHECK(wg_cookie_check(c, &k, resp, WG_RESP_LEN, &src_r, false, NOW, NULL) ==
		   WG_MAC1_ONLY);
	FUZZ_CHECK(wg_noise_response_consume(c, &fx.i, &ihs, resp) == WG_NOISE_OK);
	FUZZ_CHECK(wg_noise_derive_keys(c, &ihs, &ki));
	FUZZ_CHECK(memcmp(ki.send, kr.recv, WG_KEY_LEN) == 0);
	FUZZ_CHECK(memcmp(ki.recv, kr.send, WG_KEY_LEN) == 0);
	FUZZ_CHECK(ki.remote_index == R_INDEX && kr.remote_index == I_INDEX);
}

static void response(uint8_t ctl, uint8_t *msg)
{
	struct wg_handshake hs, before;
	struct wg_cookie_checker k = fx.i_checker;
	struct wg_noise_keys keys;
	enum wg_noise_result res;

	memcpy(&hs, &fx.i_hs[(ctl >> 5) & 3], sizeof(hs));
	if (!macs(ctl, msg, WG_RESP_LEN, fx.i.mac1_key, &k, &src_r, fx.i.pub))
		return;
	memcpy(&before, &hs, sizeof(before));
	res = wg_noise_response_consume(c, &fx.i, &hs, msg);
	if (res != WG_NOISE_OK) {
		FUZZ_CHECK(res == WG_NOISE_BAD_AUTH || res == WG_NOISE_BAD_STATE);
		FUZZ_CHECK(before.state == WG_HS_CREATED_INITIATION || res == WG_NOISE_BAD_STATE);
		FUZZ_CHECK(memcmp(&hs, &before, sizeof(before)) == 0);
		return;
	}
	stats.resp_consumed++;
	FUZZ_CHECK(before.state == WG_HS_CREATED_INITIATION);
	FUZZ_CHECK(wg_get_le32(msg + WG_RESP_RECEIVER) == before.local_index);
	FUZZ_CHECK(hs.state == WG_HS_CONSUMED_RESPONSE);
	FUZZ_CHECK(hs.remote_index == wg_get_le32(msg + WG_RESP_SENDER));
	/* Taken once only. */
	memcpy(&before, &hs, sizeof(before));
	FUZZ_CHECK(wg_noise_response_consume(c, &fx.i, &hs, msg) == WG_NOISE_BAD_STATE);
	FUZZ_CHECK(memcmp(&hs, &before, sizeof(before)) == 0);
	FUZZ_CHECK(wg_noise_derive_keys(c, &hs, &keys));
	FUZZ_CHECK(keys.initiator && keys.local_index == before.local_index);
	/* The ephemeral and the empty field are all that is authenticated:
	 * with R's, the keys are the recorded ones. */
	if (memcmp(msg + WG_RESP_EPHEMERAL, fx.resp + WG_RESP_EPHEMERAL,
		   WG_RESP_MAC1 - WG_RESP_EPHEMERAL) == 0) {
		FUZZ_CHECK(memcmp(keys.send, fx.keys_i.send, WG_KEY_LEN) == 0);
		FUZZ_CHECK(memcmp(keys.recv, fx.keys_i.recv, WG_KEY_LEN) == 0);
	}
}

static void cookie_reply(uint8_t ctl, uint8_t *msg)
{
	struct wg_cookie_maker m, before;
	struct wg_cookie_checker k = fx.r_checker;
	uint8_t plain[WG_MAC_LEN], want[WG_MAC_LEN], init[WG_INIT_LEN];
	bool ok;

	memcpy(&m, &fx.i_makers[(ctl >> 5) & 3], sizeof(m));
	/* The device finds the maker by the receiver index. */
	if (wg_get_le32(msg + WG_COOKIE_RECEIVER) != I_INDEX)
		return;
	if (ctl & 0x04) {
		/* Anyone who knows R's public key can seal a reply. */
		memcpy(plain, msg + WG_COOKIE_COOKIE, WG_MAC_LEN);
		wg_xaead_seal(msg + WG_COOKIE_COOKIE, fx.i_makers[0].cookie_key,
			      msg + WG_COOKIE_NONCE, plain, WG_MAC_LEN, fx.i_makers[0].last_mac1,
			      WG_MAC_LEN);
	}
	memcpy(&before, &m, sizeof(before));
	ok = wg_cookie_reply_consume(&m, msg, NOW);
	if (!ok) {
		FUZZ_CHECK(memcmp(&m, &before, sizeof(before)) == 0);
		return;
	}
	stats.cookie_taken++;
	FUZZ_CHECK(before.last_mac1_valid && !m.last_mac1_valid && m.cookie_born_ns == NOW);
	FUZZ_CHECK(!wg_cookie_reply_consume(&m, msg, NOW));
	/* MAC2 with the cookie taken passes R's check iff it is R's cookie. */
	cookie_of(&src_i, want);
	memcpy(init, fx.init, WG_INIT_LEN);
	wg_cookie_add_macs(c, &m, init, WG_INIT_LEN, NOW + WG_SEC);
	FUZZ_CHECK(
		(wg_cookie_check(c, &k, init, WG_INIT_LEN, &src_i, true, NOW + WG_SEC, fx.secret) ==
		 WG_MAC_BOTH_OK) == (memcmp(m.cookie, want, WG_MAC_LEN) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[4] = { WG_INIT_LEN, WG_RESP_LEN, WG_COOKIE_LEN, WG_INIT_LEN };
	uint8_t ctl, *msg;
	size_t len;

	if (!c)
		setup();
	stats.runs++;
	if (size < 1)
		return 0;
	ctl = data[0];
	/* Bytes after the message are ignored, so the fuzzer's insertions are
	 * not all wasted on a length a device drops. */
	len = lens[ctl & 3];
	if (size - 1 < len)
		return 0;
	msg = malloc(len);
	if (!msg)
		abort();
	memcpy(msg, data + 1, len);
	switch (ctl & 3) {
	case 1:
		response(ctl, msg);
		break;
	case 2:
		cookie_reply(ctl, msg);
		break;
	default:
		initiation(ctl, msg);
		break;
	}
	free(msg);
	return 0;
}
