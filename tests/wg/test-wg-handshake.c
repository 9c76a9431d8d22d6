/* SPDX-License-Identifier: MIT
 * test-wg-handshake.c - The Noise_IKpsk2 handshake and the cookie layer between two in-memory peers
 *
 * Both sides are this implementation; bit-exactness against another one is
 * proven by the wireguard-go interop test. Here: the keys agree, every
 * tampered, replayed, flooded or misdirected message is refused with the
 * right reason and leaves the state as it was, and the cookie round trip
 * works as the whitepaper says.
 */
#include <string.h>
#include <glib.h>

#include "wg-cookie.h"
#include "wg-noise.h"

#define T0 (UINT64_C(1700000000) * WG_SEC)

struct side {
	struct wg_identity id;
	struct wg_handshake hs; /* the other side as our peer */
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
};

static struct wg_crypto *c;

static void side_pair(struct side *a, struct side *b, const uint8_t *psk_a, const uint8_t *psk_b)
{
	uint8_t k[32];

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	wg_genkey(k);
	wg_identity_set(c, &a->id, k);
	wg_genkey(k);
	wg_identity_set(c, &b->id, k);
	wg_handshake_init(c, &a->hs, &a->id, b->id.pub, psk_a);
	wg_handshake_init(c, &b->hs, &b->id, a->id.pub, psk_b);
	wg_cookie_checker_init(&a->checker, &a->id);
	wg_cookie_checker_init(&b->checker, &b->id);
	wg_cookie_maker_init(c, &a->maker, b->id.pub);
	wg_cookie_maker_init(c, &b->maker, a->id.pub);
}

static void make_initiation(struct side *i, uint8_t msg[WG_INIT_LEN], uint32_t idx, uint64_t t)
{
	uint8_t eph[32];

	wg_genkey(eph);
	g_assert_true(wg_noise_initiation_create(c, &i->id, &i->hs, msg, idx, eph, t));
	wg_cookie_add_macs(c, &i->maker, msg, WG_INIT_LEN, t);
	g_assert_cmpint(i->hs.state, ==, WG_HS_CREATED_INITIATION);
}

/* The responder's side of an initiation, through the MAC check. */
static enum wg_noise_result take_initiation(struct side *r, const uint8_t msg[WG_INIT_LEN],
					    uint64_t now)
{
	struct wg_noise_pending p;
	struct wg_source src = { .addr = { 10, 0, 0, 1 }, .addr_len = 4, .port = 51820 };
	enum wg_noise_result res;

	g_assert_cmpint(wg_cookie_check(c, &r->checker, msg, WG_INIT_LEN, &src, false, now, NULL),
			==, WG_MAC1_ONLY);
	res = wg_noise_initiation_open(c, &r->id, msg, &p);
	if (res != WG_NOISE_OK)
		return res;
	if (memcmp(p.remote_static, r->hs.remote_static, 32) != 0) {
		wg_noise_pending_clear(&p);
		return WG_NOISE_BAD_AUTH; /* not our peer */
	}
	return wg_noise_initiation_accept(c, &p, &r->hs, now);
}

static void full_handshake(struct side *a, struct side *b, uint64_t t, struct wg_noise_keys *ka,
			   struct wg_noise_keys *kb)
{
	uint8_t init[WG_INIT_LEN], resp[WG_RESP_LEN], eph[32];

	make_initiation(a, init, 0x11111111, t);
	g_assert_cmpint(take_initiation(b, init, t), ==, WG_NOISE_OK);
	g_assert_cmpuint(b->hs.remote_index, ==, 0x11111111);
	wg_genkey(eph);
	g_assert_true(wg_noise_response_create(c, &b->id, &b->hs, resp, 0x22222222, eph));
	wg_cookie_add_macs(c, &b->maker, resp, WG_RESP_LEN, t);
	g_assert_cmpint(wg_cookie_check(c, &a->checker, resp, WG_RESP_LEN,
					&(struct wg_source){ .addr_len = 4 }, false, t, NULL),
			==, WG_MAC1_ONLY);
	g_assert_cmpint(wg_noise_response_consume(c, &a->id, &a->hs, resp), ==, WG_NOISE_OK);
	g_assert_true(wg_noise_derive_keys(c, &a->hs, ka));
	g_assert_true(wg_noise_derive_keys(c, &b->hs, kb));
	g_assert_cmpint(a->hs.state, ==, WG_HS_ZEROED);
	g_assert_cmpint(b->hs.state, ==, WG_HS_ZEROED);
}

static void test_keys_agree(void)
{
	struct side a, b;
	struct wg_noise_keys ka, kb;
	uint8_t psk[32];

	side_pair(&a, &b, NULL, NULL);
	full_handshake(&a, &b, T0, &ka, &kb);
	g_assert_true(ka.initiator);
	g_assert_false(kb.initiator);
	g_assert_cmpmem(ka.send, 32, kb.recv, 32);
	g_assert_cmpmem(ka.recv, 32, kb.send, 32);
	g_assert_cmpint(memcmp(ka.send, ka.recv, 32), !=, 0);
	g_assert_cmpuint(ka.local_index, ==, 0x11111111);
	g_assert_cmpuint(ka.remote_index, ==, 0x22222222);
	g_assert_cmpuint(kb.local_index, ==, 0x22222222);
	g_assert_cmpuint(kb.remote_index, ==, 0x11111111);

	/* With the same preshared key on both sides, too. */
	wg_random(psk, sizeof(psk));
	side_pair(&a, &b, psk, psk);
	full_handshake(&a, &b, T0, &ka, &kb);
	g_assert_cmpmem(ka.send, 32, kb.recv, 32);
	/* Derive needs a finished handshake. */
	g_assert_false(wg_noise_derive_keys(c, &a.hs, &ka));
}

static void test_psk_mismatch(void)
{
	struct side a, b;
	uint8_t psk[32], init[WG_INIT_LEN], resp[WG_RESP_LEN], eph[32];

	wg_random(psk, sizeof(psk));
	side_pair(&a, &b, psk, NULL);
	/* The PSK enters only at the response: the initiation is accepted,
	 * the response does not authenticate at the initiator. */
	make_initiation(&a, init, 1, T0);
	g_assert_cmpint(take_initiation(&b, init, T0), ==, WG_NOISE_OK);
	wg_genkey(eph);
	g_assert_true(wg_noise_response_create(c, &b.id, &b.hs, resp, 2, eph));
	g_assert_cmpint(wg_noise_response_consume(c, &a.id, &a.hs, resp), ==, WG_NOISE_BAD_AUTH);
	g_assert_cmpint(a.hs.state, ==,
			WG_HS_CREATED_INITIATION); /* a forged one changes nothing */
}

static void test_tampered(void)
{
	struct side a, b, x, y;
	uint8_t init[WG_INIT_LEN], bad[WG_INIT_LEN], resp[WG_RESP_LEN], eph[32];
	struct wg_noise_pending p;
	struct wg_source src = { .addr_len = 4 };

	side_pair(&a, &b, NULL, NULL);
	make_initiation(&a, init, 1, T0);
	/* Any bit of the encrypted part flipped: refused; MAC1 catches it first. */
	for (unsigned off = WG_INIT_EPHEMERAL; off < WG_INIT_MAC1; off += 7) {
		memcpy(bad, init, sizeof(bad));
		bad[off] ^= 0x10;
		g_assert_cmpint(
			wg_cookie_check(c, &b.checker, bad, WG_INIT_LEN, &src, false, T0, NULL), ==,
			WG_MAC_BAD);
		if (off >= WG_INIT_STATIC && off < WG_INIT_TIMESTAMP)
			g_assert_cmpint(wg_noise_initiation_open(c, &b.id, bad, &p), ==,
					WG_NOISE_BAD_AUTH);
	}
	/* The timestamp field flipped: the static key opens, the timestamp not. */
	memcpy(bad, init, sizeof(bad));
	bad[WG_INIT_TIMESTAMP + 3] ^= 1;
	g_assert_cmpint(wg_noise_initiation_open(c, &b.id, bad, &p), ==, WG_NOISE_OK);
	g_assert_cmpint(wg_noise_initiation_accept(c, &p, &b.hs, T0), ==, WG_NOISE_BAD_AUTH);
	g_assert_cmpint(b.hs.state, ==, WG_HS_ZEROED);

	/* Sent to someone else: its MAC1 is wrong there and its static key
	 * does not open. */
	side_pair(&x, &y, NULL, NULL);
	g_assert_cmpint(wg_cookie_check(c, &y.checker, init, WG_INIT_LEN, &src, false, T0, NULL),
			==, WG_MAC_BAD);
	g_assert_cmpint(wg_noise_initiation_open(c, &y.id, init, &p), ==, WG_NOISE_BAD_AUTH);

	/* A response with a flipped bit, or for another index, changes nothing. */
	g_assert_cmpint(take_initiation(&b, init, T0), ==, WG_NOISE_OK);
	wg_genkey(eph);
	g_assert_true(wg_noise_response_create(c, &b.id, &b.hs, resp, 2, eph));
	resp[WG_RESP_EMPTY] ^= 1;
	g_assert_cmpint(wg_noise_response_consume(c, &a.id, &a.hs, resp), ==, WG_NOISE_BAD_AUTH);
	resp[WG_RESP_EMPTY] ^= 1;
	wg_put_le32(resp + WG_RESP_RECEIVER, 99);
	g_assert_cmpint(wg_noise_response_consume(c, &a.id, &a.hs, resp), ==, WG_NOISE_BAD_STATE);
	wg_put_le32(resp + WG_RESP_RECEIVER, 1);
	g_assert_cmpint(wg_noise_response_consume(c, &a.id, &a.hs, resp), ==, WG_NOISE_OK);
	/* A second copy of the response: no initiation waits for it any more. */
	g_assert_cmpint(wg_noise_response_consume(c, &a.id, &a.hs, resp), ==, WG_NOISE_BAD_STATE);
}

static void test_replay_and_flood(void)
{
	struct side a, b;
	uint8_t first[WG_INIT_LEN], second[WG_INIT_LEN];

	side_pair(&a, &b, NULL, NULL);
	make_initiation(&a, first, 1, T0);
	g_assert_cmpint(take_initiation(&b, first, T0), ==, WG_NOISE_OK);
	/* The same initiation again, even much later: its timestamp is not newer. */
	g_assert_cmpint(take_initiation(&b, first, T0 + 60 * WG_SEC), ==, WG_NOISE_REPLAY);
	/* A newer one 10 ms after the last accepted: too soon. */
	make_initiation(&a, second, 2, T0 + WG_SEC);
	g_assert_cmpint(take_initiation(&b, second, T0 + WG_SEC / 100), ==, WG_NOISE_FLOOD);
	/* The same newer one after the interval: accepted, and the state is its. */
	g_assert_cmpint(take_initiation(&b, second, T0 + WG_SEC / 50), ==, WG_NOISE_OK);
	g_assert_cmpuint(b.hs.remote_index, ==, 2);
	/* An older timestamp than the newest accepted: a replay. */
	g_assert_cmpint(take_initiation(&b, first, T0 + 2 * WG_SEC), ==, WG_NOISE_REPLAY);
}

static void test_crossed_initiations(void)
{
	struct side a, b;
	uint8_t ia[WG_INIT_LEN], ib[WG_INIT_LEN], ra[WG_RESP_LEN], rb[WG_RESP_LEN], eph[32];
	struct wg_noise_keys ka, kb;

	/* Both sides initiate at once. Each answers the other's initiation,
	 * which replaces its own, so the two responses find no initiation
	 * waiting and the keys each side derives as responder do not pair up.
	 * The session layer resolves this by retrying after REKEY_TIMEOUT
	 * with jitter; here only the handshake's part: states and refusals. */
	side_pair(&a, &b, NULL, NULL);
	make_initiation(&a, ia, 10, T0);
	make_initiation(&b, ib, 20, T0);
	g_assert_cmpint(take_initiation(&b, ia, T0), ==, WG_NOISE_OK);
	g_assert_cmpint(take_initiation(&a, ib, T0), ==, WG_NOISE_OK);
	wg_genkey(eph);
	g_assert_true(wg_noise_response_create(c, &b.id, &b.hs, rb, 21, eph));
	wg_genkey(eph);
	g_assert_true(wg_noise_response_create(c, &a.id, &a.hs, ra, 11, eph));
	g_assert_cmpint(wg_noise_response_consume(c, &a.id, &a.hs, rb), ==, WG_NOISE_BAD_STATE);
	g_assert_cmpint(wg_noise_response_consume(c, &b.id, &b.hs, ra), ==, WG_NOISE_BAD_STATE);
	/* Each can still derive its responder keys; they do not pair up. */
	g_assert_true(wg_noise_derive_keys(c, &a.hs, &ka));
	g_assert_true(wg_noise_derive_keys(c, &b.hs, &kb));
	g_assert_false(ka.initiator);
	g_assert_false(kb.initiator);
	g_assert_cmpint(memcmp(ka.send, kb.recv, 32), !=, 0);
	/* A fresh initiation from one side completes normally afterwards. */
	full_handshake(&a, &b, T0 + WG_SEC, &ka, &kb);
	g_assert_cmpmem(ka.send, 32, kb.recv, 32);
}

static void test_low_order_peer(void)
{
	struct wg_identity id;
	struct wg_handshake hs;
	uint8_t k[32], zero[32] = { 0 }, msg[WG_INIT_LEN];

	wg_genkey(k);
	wg_identity_set(c, &id, k);
	memset(&hs, 0, sizeof(hs));
	wg_handshake_init(c, &hs, &id, zero, NULL);
	g_assert_false(hs.static_ok);
	g_assert_false(wg_noise_initiation_create(c, &id, &hs, msg, 1, k, T0));
}

static void test_cookie_round_trip(void)
{
	struct side a, b;
	uint8_t init[WG_INIT_LEN], reply[WG_COOKIE_LEN], secret[32], nonce[24];
	struct wg_source src = { .addr = { 192, 0, 2, 7 }, .addr_len = 4, .port = 40000 };
	struct wg_source other = src;

	wg_random(secret, sizeof(secret));
	wg_random(nonce, sizeof(nonce));
	side_pair(&a, &b, NULL, NULL);
	make_initiation(&a, init, 5, T0);
	/* Under load b wants MAC2: none yet, so it answers with a cookie. */
	g_assert_cmpint(wg_cookie_check(c, &b.checker, init, WG_INIT_LEN, &src, true, T0, secret),
			==, WG_MAC1_ONLY);
	wg_cookie_reply_create(c, &b.checker, init, WG_INIT_LEN, 5, &src, T0, secret, nonce, reply);
	g_assert_cmpuint(reply[0], ==, WG_MSG_COOKIE);
	g_assert_cmpuint(wg_get_le32(reply + WG_COOKIE_RECEIVER), ==, 5);
	/* A reply tampered with, or sealed for another message, is refused. */
	reply[40] ^= 1;
	g_assert_false(wg_cookie_reply_consume(&a.maker, reply, T0));
	reply[40] ^= 1;
	g_assert_true(wg_cookie_reply_consume(&a.maker, reply, T0));
	g_assert_false(wg_cookie_reply_consume(&a.maker, reply, T0)); /* once */
	/* The retry carries MAC2 and passes, from the same address and port. */
	make_initiation(&a, init, 6, T0 + WG_SEC);
	g_assert_cmpint(
		wg_cookie_check(c, &b.checker, init, WG_INIT_LEN, &src, true, T0 + WG_SEC, secret),
		==, WG_MAC_BOTH_OK);
	other.port = 40001;
	g_assert_cmpint(wg_cookie_check(c, &b.checker, init, WG_INIT_LEN, &other, true, T0 + WG_SEC,
					secret),
			==, WG_MAC1_ONLY);
	other = src;
	other.addr[3] = 8;
	g_assert_cmpint(wg_cookie_check(c, &b.checker, init, WG_INIT_LEN, &other, true, T0 + WG_SEC,
					secret),
			==, WG_MAC1_ONLY);
	/* Two minutes on, b's secret is new, the cookie stale: MAC2 fails again
	 * (and a's maker no longer uses the cookie). */
	wg_random(secret, sizeof(secret));
	g_assert_cmpint(wg_cookie_check(c, &b.checker, init, WG_INIT_LEN, &src, true,
					T0 + WG_COOKIE_REFRESH_TIME, secret),
			==, WG_MAC1_ONLY);
	make_initiation(&a, init, 7, T0 + WG_COOKIE_MAKER_LIFETIME);
	for (unsigned i = 0; i < WG_MAC_LEN; i++)
		g_assert_cmpuint(init[WG_INIT_MAC2 + i], ==, 0);
}

int main(int argc, char **argv)
{
	const char *why = NULL;

	g_test_init(&argc, &argv, NULL);
	if (!wg_crypto_global_init(&why))
		g_error("crypto: %s", why);
	c = wg_crypto_new();
	g_test_add_func("/wg/handshake/keys-agree", test_keys_agree);
	g_test_add_func("/wg/handshake/psk-mismatch", test_psk_mismatch);
	g_test_add_func("/wg/handshake/tampered", test_tampered);
	g_test_add_func("/wg/handshake/replay-and-flood", test_replay_and_flood);
	g_test_add_func("/wg/handshake/crossed-initiations", test_crossed_initiations);
	g_test_add_func("/wg/handshake/low-order-peer", test_low_order_peer);
	g_test_add_func("/wg/cookie/round-trip", test_cookie_round_trip);
	int rc = g_test_run();
	wg_crypto_free(c);
	return rc;
}
