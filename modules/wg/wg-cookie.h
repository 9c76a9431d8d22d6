/* SPDX-License-Identifier: MIT
 * wg-cookie.h - MAC1, MAC2 and cookie replies of WireGuard (whitepaper 5.4.4, 5.4.7), without I/O
 *
 * Every handshake message ends in two MACs. MAC1 is keyed with the
 * receiver's public key: a receiver checks it before any DH, so only those
 * who know its public key make it work. MAC2 is keyed with a cookie the
 * receiver handed out: under load, a receiver answers an initiation or
 * response without a valid MAC2 with a cookie reply instead of doing the
 * handshake, and the sender retries with the cookie as MAC2 key. The cookie
 * is a MAC of the sender's address and port under a secret that changes
 * every two minutes, so it proves the sender receives at that address.
 *
 * The checker is the receiving side (one per interface), the maker the
 * sending side (one per peer). Times are ns on the caller's clock; random
 * bytes (the secret, nonces) come from the caller.
 *
 * Thread context: the device's owner context.
 */
#ifndef PK_WG_COOKIE_H
#define PK_WG_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg-crypto.h"
#include "wg-msg.h"
#include "wg-noise.h"

/* A maker uses a cookie this long: a little less than the checker keeps the
 * secret it came from, for the time the reply took (whitepaper 6.6). */
#define WG_COOKIE_MAKER_LIFETIME (WG_COOKIE_REFRESH_TIME - 5 * WG_SEC)

/**
 * struct wg_cookie_checker - Checks the MACs of messages sent to us; makes cookies
 * @mac1_key:		HASH("mac1----" || our public key)
 * @cookie_key:		HASH("cookie--" || our public key): seals our replies
 * @secret:		Key of the cookies we hand out
 * @secret_born_ns:	When @secret was drawn; 0: not yet
 */
struct wg_cookie_checker {
	uint8_t mac1_key[WG_HASH_LEN];
	uint8_t cookie_key[WG_HASH_LEN];
	uint8_t secret[WG_HASH_LEN];
	uint64_t secret_born_ns;
};

/* Set @k up for the identity @id (again when the private key changes). */
void wg_cookie_checker_init(struct wg_cookie_checker *k, const struct wg_identity *id);

/* What the MACs of a handshake message say. */
enum wg_mac_result {
	WG_MAC_BAD,	/* MAC1 wrong: drop without further work */
	WG_MAC1_ONLY,	/* MAC1 right, MAC2 absent or wrong */
	WG_MAC_BOTH_OK, /* MAC1 and MAC2 right: the sender holds a current cookie */
};

/**
 * struct wg_source - Where a message came from, as the cookie binds it
 * @addr:	4 (IPv4) or 16 (IPv6) bytes of address, network order
 * @addr_len:	4 or 16
 * @port:	UDP port, host order
 */
struct wg_source {
	uint8_t addr[16];
	uint8_t addr_len;
	uint16_t port;
};

/* Check the MACs at the end of @msg (@len bytes: an initiation or a
 * response) from @src. MAC2 is checked only when @check_mac2 (under load):
 * otherwise the result is WG_MAC_BAD or WG_MAC1_ONLY. @now_ns decides whether
 * the secret is still current; @fresh_secret is used to replace an expired
 * one (WG_HASH_LEN random bytes; may be NULL when @check_mac2 is false). */
enum wg_mac_result wg_cookie_check(struct wg_crypto *c, struct wg_cookie_checker *k,
				   const uint8_t *msg, size_t len, const struct wg_source *src,
				   bool check_mac2, uint64_t now_ns, const uint8_t *fresh_secret);

/* Write into @out the cookie reply to @msg (@len bytes, whose MAC1 was
 * right) from @src: to its sender's index @receiver, with the 24 random bytes
 * @nonce, and as of @now_ns (@fresh_secret: as above, not NULL). */
void wg_cookie_reply_create(struct wg_crypto *c, struct wg_cookie_checker *k, const uint8_t *msg,
			    size_t len, uint32_t receiver, const struct wg_source *src,
			    uint64_t now_ns, const uint8_t fresh_secret[WG_HASH_LEN],
			    const uint8_t nonce[WG_XNONCE_LEN], uint8_t out[WG_COOKIE_LEN]);

/**
 * struct wg_cookie_maker - The MACs we put on messages to one peer
 * @mac1_key:		HASH("mac1----" || the peer's public key)
 * @cookie_key:		HASH("cookie--" || the peer's public key): opens its replies
 * @cookie:		The last cookie the peer gave us
 * @cookie_born_ns:	When we got @cookie; 0: none
 * @last_mac1:		MAC1 of the last handshake message we sent (a reply
 *			is accepted only for it, once)
 * @last_mac1_valid:	@last_mac1 is set and no reply came for it yet
 */
struct wg_cookie_maker {
	uint8_t mac1_key[WG_HASH_LEN];
	uint8_t cookie_key[WG_HASH_LEN];
	uint8_t cookie[WG_MAC_LEN];
	uint64_t cookie_born_ns;
	uint8_t last_mac1[WG_MAC_LEN];
	bool last_mac1_valid;
};

/* Set @m up for the peer whose public key is @peer_pub (forgets any cookie). */
void wg_cookie_maker_init(struct wg_crypto *c, struct wg_cookie_maker *m,
			  const uint8_t peer_pub[WG_KEY_LEN]);
/* Write MAC1 and MAC2 (zero without a current cookie) at the end of @msg. */
void wg_cookie_add_macs(struct wg_crypto *c, struct wg_cookie_maker *m, uint8_t *msg, size_t len,
			uint64_t now_ns);
/* Take the cookie reply @reply (its receiver index already matched one of
 * our handshakes with this peer). False when it does not open: not for the
 * last message we sent, already used, or forged. */
bool wg_cookie_reply_consume(struct wg_cookie_maker *m, const uint8_t reply[WG_COOKIE_LEN],
			     uint64_t now_ns);

#endif /* PK_WG_COOKIE_H */
