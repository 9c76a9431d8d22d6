/* SPDX-License-Identifier: MIT
 * wg-cookie.c - MAC1, MAC2 and cookie replies of WireGuard, without I/O
 */
#include "wg-cookie.h"

#include <string.h>

void wg_cookie_checker_init(struct wg_cookie_checker *k, const struct wg_identity *id)
{
	memcpy(k->mac1_key, id->mac1_key, WG_HASH_LEN);
	memcpy(k->cookie_key, id->cookie_key, WG_HASH_LEN);
	wg_wipe(k->secret, sizeof(k->secret));
	k->secret_born_ns = 0;
}

/* Draw a new secret when the current one is older than two minutes. */
static void refresh_secret(struct wg_cookie_checker *k, uint64_t now_ns,
			   const uint8_t fresh_secret[WG_HASH_LEN])
{
	if (k->secret_born_ns && now_ns - k->secret_born_ns < WG_COOKIE_REFRESH_TIME)
		return;
	memcpy(k->secret, fresh_secret, WG_HASH_LEN);
	k->secret_born_ns = now_ns ? now_ns : 1;
}

/* The cookie of @src: MAC(secret, address || port), the port big-endian. */
static void make_cookie(struct wg_crypto *c, const struct wg_cookie_checker *k,
			const struct wg_source *src, uint8_t out[WG_MAC_LEN])
{
	uint8_t in[18];

	memcpy(in, src->addr, src->addr_len);
	in[src->addr_len] = (uint8_t)(src->port >> 8);
	in[src->addr_len + 1] = (uint8_t)src->port;
	wg_mac(c, out, k->secret, WG_HASH_LEN, in, src->addr_len + 2u);
}

enum wg_mac_result wg_cookie_check(struct wg_crypto *c, struct wg_cookie_checker *k,
				   const uint8_t *msg, size_t len, const struct wg_source *src,
				   bool check_mac2, uint64_t now_ns, const uint8_t *fresh_secret)
{
	size_t mac1_off = len - 2 * WG_MAC_LEN, mac2_off = len - WG_MAC_LEN;
	uint8_t want[WG_MAC_LEN], cookie[WG_MAC_LEN];
	bool ok;

	wg_mac(c, want, k->mac1_key, WG_HASH_LEN, msg, mac1_off);
	if (!wg_equal(want, msg + mac1_off, WG_MAC_LEN))
		return WG_MAC_BAD;
	if (!check_mac2)
		return WG_MAC1_ONLY;
	refresh_secret(k, now_ns, fresh_secret);
	make_cookie(c, k, src, cookie);
	wg_mac(c, want, cookie, WG_MAC_LEN, msg, mac2_off);
	ok = wg_equal(want, msg + mac2_off, WG_MAC_LEN);
	wg_wipe(cookie, sizeof(cookie));
	return ok ? WG_MAC_BOTH_OK : WG_MAC1_ONLY;
}

void wg_cookie_reply_create(struct wg_crypto *c, struct wg_cookie_checker *k, const uint8_t *msg,
			    size_t len, uint32_t receiver, const struct wg_source *src,
			    uint64_t now_ns, const uint8_t fresh_secret[WG_HASH_LEN],
			    const uint8_t nonce[WG_XNONCE_LEN], uint8_t out[WG_COOKIE_LEN])
{
	uint8_t cookie[WG_MAC_LEN];

	refresh_secret(k, now_ns, fresh_secret);
	make_cookie(c, k, src, cookie);
	memset(out, 0, WG_COOKIE_LEN);
	wg_put_type(out, WG_MSG_COOKIE);
	wg_put_le32(out + WG_COOKIE_RECEIVER, receiver);
	memcpy(out + WG_COOKIE_NONCE, nonce, WG_XNONCE_LEN);
	/* Associated data: the MAC1 of the message answered, so the reply is
	 * good for that message only. */
	wg_xaead_seal(out + WG_COOKIE_COOKIE, k->cookie_key, nonce, cookie, WG_MAC_LEN,
		      msg + len - 2 * WG_MAC_LEN, WG_MAC_LEN);
	wg_wipe(cookie, sizeof(cookie));
}

void wg_cookie_maker_init(struct wg_crypto *c, struct wg_cookie_maker *m,
			  const uint8_t peer_pub[WG_KEY_LEN])
{
	wg_wipe(m, sizeof(*m));
	wg_noise_mac1_key(c, m->mac1_key, peer_pub);
	wg_noise_cookie_key(c, m->cookie_key, peer_pub);
}

void wg_cookie_add_macs(struct wg_crypto *c, struct wg_cookie_maker *m, uint8_t *msg, size_t len,
			uint64_t now_ns)
{
	size_t mac1_off = len - 2 * WG_MAC_LEN, mac2_off = len - WG_MAC_LEN;

	wg_mac(c, msg + mac1_off, m->mac1_key, WG_HASH_LEN, msg, mac1_off);
	memcpy(m->last_mac1, msg + mac1_off, WG_MAC_LEN);
	m->last_mac1_valid = true;
	if (m->cookie_born_ns && now_ns - m->cookie_born_ns < WG_COOKIE_MAKER_LIFETIME)
		wg_mac(c, msg + mac2_off, m->cookie, WG_MAC_LEN, msg, mac2_off);
	else
		memset(msg + mac2_off, 0, WG_MAC_LEN);
}

bool wg_cookie_reply_consume(struct wg_cookie_maker *m, const uint8_t reply[WG_COOKIE_LEN],
			     uint64_t now_ns)
{
	uint8_t cookie[WG_MAC_LEN];

	if (!m->last_mac1_valid)
		return false;
	if (!wg_xaead_open(cookie, m->cookie_key, reply + WG_COOKIE_NONCE, reply + WG_COOKIE_COOKIE,
			   WG_MAC_LEN, m->last_mac1, WG_MAC_LEN))
		return false;
	memcpy(m->cookie, cookie, WG_MAC_LEN);
	m->cookie_born_ns = now_ns ? now_ns : 1;
	m->last_mac1_valid = false;
	wg_wipe(cookie, sizeof(cookie));
	return true;
}
