/* SPDX-License-Identifier: MIT
 * wg-noise.c - The Noise_IKpsk2 handshake of WireGuard (whitepaper 5.4.2-5.4.3, 5.4.5), without I/O
 */
#include "wg-noise.h"

#include <string.h>

static const char construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";
static const char label_mac1[] = "mac1----";
static const char label_cookie[] = "cookie--";

/* C and H before anything is mixed in: HASH(construction), then
 * HASH(C || identifier). The same for every handshake. */
static void noise_start(struct wg_crypto *c, uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			const uint8_t responder_pub[WG_KEY_LEN])
{
	wg_hash2(c, ck, construction, sizeof(construction) - 1, NULL, 0);
	wg_hash2(c, h, ck, WG_HASH_LEN, identifier, sizeof(identifier) - 1);
	wg_hash2(c, h, h, WG_HASH_LEN, responder_pub, WG_KEY_LEN);
}

/* H = HASH(H || data) */
static void mix_hash(struct wg_crypto *c, uint8_t h[WG_HASH_LEN], const void *data, size_t len)
{
	wg_hash2(c, h, h, WG_HASH_LEN, data, len);
}

/* C = KDF1(C, DH(priv, pub)), or (C, k) = KDF2(...) when @k is given. */
static bool mix_dh(struct wg_crypto *c, uint8_t ck[WG_HASH_LEN], uint8_t *k,
		   const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN])
{
	uint8_t shared[WG_KEY_LEN];
	bool ok = wg_dh(shared, priv, pub);

	if (ok)
		wg_kdf(c, ck, k, NULL, ck, shared, sizeof(shared));
	wg_wipe(shared, sizeof(shared));
	return ok;
}

void wg_noise_mac1_key(struct wg_crypto *c, uint8_t out[WG_HASH_LEN], const uint8_t pub[WG_KEY_LEN])
{
	wg_hash2(c, out, label_mac1, sizeof(label_mac1) - 1, pub, WG_KEY_LEN);
}

void wg_noise_cookie_key(struct wg_crypto *c, uint8_t out[WG_HASH_LEN],
			 const uint8_t pub[WG_KEY_LEN])
{
	wg_hash2(c, out, label_cookie, sizeof(label_cookie) - 1, pub, WG_KEY_LEN);
}

void wg_identity_set(struct wg_crypto *c, struct wg_identity *id, const uint8_t priv[WG_KEY_LEN])
{
	memcpy(id->priv, priv, WG_KEY_LEN);
	wg_pubkey(id->pub, id->priv);
	wg_noise_mac1_key(c, id->mac1_key, id->pub);
	wg_noise_cookie_key(c, id->cookie_key, id->pub);
}

void wg_identity_clear(struct wg_identity *id)
{
	wg_wipe(id, sizeof(*id));
}

void wg_handshake_init(struct wg_crypto *c, struct wg_handshake *hs, const struct wg_identity *id,
		       const uint8_t remote_pub[WG_KEY_LEN], const uint8_t *psk)
{
	(void)c;
	wg_handshake_reset(hs);
	memcpy(hs->remote_static, remote_pub, WG_KEY_LEN);
	hs->static_ok = wg_dh(hs->static_static, id->priv, remote_pub);
	if (psk)
		memcpy(hs->psk, psk, WG_KEY_LEN);
	else
		memset(hs->psk, 0, WG_KEY_LEN);
}

void wg_handshake_reset(struct wg_handshake *hs)
{
	hs->state = WG_HS_ZEROED;
	hs->local_index = 0;
	hs->remote_index = 0;
	wg_wipe(hs->ephemeral_priv, sizeof(hs->ephemeral_priv));
	wg_wipe(hs->remote_ephemeral, sizeof(hs->remote_ephemeral));
	wg_wipe(hs->hash, sizeof(hs->hash));
	wg_wipe(hs->chaining_key, sizeof(hs->chaining_key));
}

void wg_handshake_clear(struct wg_handshake *hs)
{
	wg_wipe(hs, sizeof(*hs));
}

bool wg_noise_initiation_create(struct wg_crypto *c, const struct wg_identity *id,
				struct wg_handshake *hs, uint8_t msg[WG_INIT_LEN],
				uint32_t local_index, const uint8_t eph_priv[WG_KEY_LEN],
				uint64_t unix_ns)
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], k[WG_KEY_LEN], ts[WG_TAI64N_LEN];
	uint8_t *eph = msg + WG_INIT_EPHEMERAL;
	bool ok = false;

	wg_handshake_reset(hs);
	if (!hs->static_ok)
		return false;
	memset(msg, 0, WG_INIT_LEN);
	wg_put_type(msg, WG_MSG_INITIATION);
	wg_put_le32(msg + WG_INIT_SENDER, local_index);

	noise_start(c, ck, h, hs->remote_static);
	wg_pubkey(eph, eph_priv);
	wg_kdf(c, ck, NULL, NULL, ck, eph, WG_KEY_LEN);
	mix_hash(c, h, eph, WG_KEY_LEN);
	if (!mix_dh(c, ck, k, eph_priv, hs->remote_static))
		goto out;
	wg_aead_seal(c, msg + WG_INIT_STATIC, k, 0, id->pub, WG_KEY_LEN, h, WG_HASH_LEN);
	mix_hash(c, h, msg + WG_INIT_STATIC, WG_KEY_LEN + WG_AEAD_TAG_LEN);
	wg_kdf(c, ck, k, NULL, ck, hs->static_static, WG_KEY_LEN);
	wg_tai64n(ts, unix_ns);
	wg_aead_seal(c, msg + WG_INIT_TIMESTAMP, k, 0, ts, sizeof(ts), h, WG_HASH_LEN);
	mix_hash(c, h, msg + WG_INIT_TIMESTAMP, WG_TAI64N_LEN + WG_AEAD_TAG_LEN);

	memcpy(hs->ephemeral_priv, eph_priv, WG_KEY_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	hs->local_index = local_index;
	hs->state = WG_HS_CREATED_INITIATION;
	ok = true;
out:
	wg_wipe(ck, sizeof(ck));
	wg_wipe(h, sizeof(h));
	wg_wipe(k, sizeof(k));
	return ok;
}

void wg_noise_pending_clear(struct wg_noise_pending *p)
{
	wg_wipe(p, sizeof(*p));
}

enum wg_noise_result wg_noise_initiation_open(struct wg_crypto *c, const struct wg_identity *id,
					      const uint8_t msg[WG_INIT_LEN],
					      struct wg_noise_pending *p)
{
	uint8_t k[WG_KEY_LEN];
	const uint8_t *eph = msg + WG_INIT_EPHEMERAL;
	bool ok;

	noise_start(c, p->chaining_key, p->hash, id->pub);
	memcpy(p->remote_ephemeral, eph, WG_KEY_LEN);
	wg_kdf(c, p->chaining_key, NULL, NULL, p->chaining_key, eph, WG_KEY_LEN);
	mix_hash(c, p->hash, eph, WG_KEY_LEN);
	ok = mix_dh(c, p->chaining_key, k, id->priv, eph) &&
	     wg_aead_open(c, p->remote_static, k, 0, msg + WG_INIT_STATIC, WG_KEY_LEN, p->hash,
			  WG_HASH_LEN);
	wg_wipe(k, sizeof(k));
	if (!ok) {
		wg_noise_pending_clear(p);
		return WG_NOISE_BAD_AUTH;
	}
	mix_hash(c, p->hash, msg + WG_INIT_STATIC, WG_KEY_LEN + WG_AEAD_TAG_LEN);
	p->remote_index = wg_get_le32(msg + WG_INIT_SENDER);
	p->msg = msg;
	return WG_NOISE_OK;
}

enum wg_noise_result wg_noise_initiation_accept(struct wg_crypto *c, struct wg_noise_pending *p,
						struct wg_handshake *hs, uint64_t now_ns)
{
	uint8_t k[WG_KEY_LEN], ts[WG_TAI64N_LEN];
	enum wg_noise_result r = WG_NOISE_BAD_AUTH;

	if (!hs->static_ok)
		goto out;
	wg_kdf(c, p->chaining_key, k, NULL, p->chaining_key, hs->static_static, WG_KEY_LEN);
	if (!wg_aead_open(c, ts, k, 0, p->msg + WG_INIT_TIMESTAMP, WG_TAI64N_LEN, p->hash,
			  WG_HASH_LEN))
		goto out;
	/* Authenticated: now the replay and flood rules (whitepaper 5.1). */
	if (memcmp(ts, hs->latest_timestamp, WG_TAI64N_LEN) <= 0) {
		r = WG_NOISE_REPLAY;
		goto out;
	}
	if (hs->last_initiation_ns &&
	    now_ns - hs->last_initiation_ns < WG_INITIATION_MIN_INTERVAL) {
		r = WG_NOISE_FLOOD;
		goto out;
	}
	mix_hash(c, p->hash, p->msg + WG_INIT_TIMESTAMP, WG_TAI64N_LEN + WG_AEAD_TAG_LEN);

	wg_handshake_reset(hs);
	memcpy(hs->remote_ephemeral, p->remote_ephemeral, WG_KEY_LEN);
	memcpy(hs->hash, p->hash, WG_HASH_LEN);
	memcpy(hs->chaining_key, p->chaining_key, WG_HASH_LEN);
	memcpy(hs->latest_timestamp, ts, WG_TAI64N_LEN);
	hs->remote_index = p->remote_index;
	hs->last_initiation_ns = now_ns ? now_ns : 1;
	hs->state = WG_HS_CONSUMED_INITIATION;
	r = WG_NOISE_OK;
out:
	wg_wipe(k, sizeof(k));
	wg_noise_pending_clear(p);
	return r;
}

/* The part of the response both sides compute alike once the responder's
 * ephemeral is known: C through the two DHs and the PSK, H through tau.
 * @eph_dh and @static_dh are the results of the two DHs (each side computes
 * them from its own private keys). Leaves the AEAD key in @k. */
static void response_mix(struct wg_crypto *c, uint8_t ck[WG_HASH_LEN], uint8_t h[WG_HASH_LEN],
			 uint8_t k[WG_KEY_LEN], const uint8_t resp_eph_pub[WG_KEY_LEN],
			 const uint8_t eph_dh[WG_KEY_LEN], const uint8_t static_dh[WG_KEY_LEN],
			 const uint8_t psk[WG_KEY_LEN])
{
	uint8_t tau[WG_HASH_LEN];

	wg_kdf(c, ck, NULL, NULL, ck, resp_eph_pub, WG_KEY_LEN);
	mix_hash(c, h, resp_eph_pub, WG_KEY_LEN);
	wg_kdf(c, ck, NULL, NULL, ck, eph_dh, WG_KEY_LEN);
	wg_kdf(c, ck, NULL, NULL, ck, static_dh, WG_KEY_LEN);
	wg_kdf(c, ck, tau, k, ck, psk, WG_KEY_LEN);
	mix_hash(c, h, tau, sizeof(tau));
	wg_wipe(tau, sizeof(tau));
}

bool wg_noise_response_create(struct wg_crypto *c, const struct wg_identity *id,
			      struct wg_handshake *hs, uint8_t msg[WG_RESP_LEN],
			      uint32_t local_index, const uint8_t eph_priv[WG_KEY_LEN])
{
	uint8_t k[WG_KEY_LEN], ee[WG_KEY_LEN], se[WG_KEY_LEN];
	uint8_t *eph = msg + WG_RESP_EPHEMERAL;
	bool ok = false;

	(void)id;
	if (hs->state != WG_HS_CONSUMED_INITIATION)
		return false;
	memset(msg, 0, WG_RESP_LEN);
	wg_put_type(msg, WG_MSG_RESPONSE);
	wg_put_le32(msg + WG_RESP_SENDER, local_index);
	wg_put_le32(msg + WG_RESP_RECEIVER, hs->remote_index);
	wg_pubkey(eph, eph_priv);
	if (!wg_dh(ee, eph_priv, hs->remote_ephemeral) || !wg_dh(se, eph_priv, hs->remote_static))
		goto out;
	response_mix(c, hs->chaining_key, hs->hash, k, eph, ee, se, hs->psk);
	wg_aead_seal(c, msg + WG_RESP_EMPTY, k, 0, NULL, 0, hs->hash, WG_HASH_LEN);
	mix_hash(c, hs->hash, msg + WG_RESP_EMPTY, WG_AEAD_TAG_LEN);
	memcpy(hs->ephemeral_priv, eph_priv, WG_KEY_LEN);
	hs->local_index = local_index;
	hs->state = WG_HS_CREATED_RESPONSE;
	ok = true;
out:
	wg_wipe(k, sizeof(k));
	wg_wipe(ee, sizeof(ee));
	wg_wipe(se, sizeof(se));
	if (!ok)
		wg_handshake_reset(hs);
	return ok;
}

enum wg_noise_result wg_noise_response_consume(struct wg_crypto *c, const struct wg_identity *id,
					       struct wg_handshake *hs,
					       const uint8_t msg[WG_RESP_LEN])
{
	uint8_t ck[WG_HASH_LEN], h[WG_HASH_LEN], k[WG_KEY_LEN], ee[WG_KEY_LEN], se[WG_KEY_LEN];
	const uint8_t *eph = msg + WG_RESP_EPHEMERAL;
	enum wg_noise_result r = WG_NOISE_BAD_AUTH;
	uint8_t empty[1];

	if (hs->state != WG_HS_CREATED_INITIATION ||
	    wg_get_le32(msg + WG_RESP_RECEIVER) != hs->local_index)
		return WG_NOISE_BAD_STATE;
	/* Work on copies: a forged response must not disturb the handshake. */
	memcpy(ck, hs->chaining_key, WG_HASH_LEN);
	memcpy(h, hs->hash, WG_HASH_LEN);
	if (!wg_dh(ee, hs->ephemeral_priv, eph) || !wg_dh(se, id->priv, eph))
		goto out;
	response_mix(c, ck, h, k, eph, ee, se, hs->psk);
	if (!wg_aead_open(c, empty, k, 0, msg + WG_RESP_EMPTY, 0, h, WG_HASH_LEN))
		goto out;
	mix_hash(c, h, msg + WG_RESP_EMPTY, WG_AEAD_TAG_LEN);
	memcpy(hs->chaining_key, ck, WG_HASH_LEN);
	memcpy(hs->hash, h, WG_HASH_LEN);
	memcpy(hs->remote_ephemeral, eph, WG_KEY_LEN);
	hs->remote_index = wg_get_le32(msg + WG_RESP_SENDER);
	hs->state = WG_HS_CONSUMED_RESPONSE;
	r = WG_NOISE_OK;
out:
	wg_wipe(ck, sizeof(ck));
	wg_wipe(h, sizeof(h));
	wg_wipe(k, sizeof(k));
	wg_wipe(ee, sizeof(ee));
	wg_wipe(se, sizeof(se));
	return r;
}

bool wg_noise_derive_keys(struct wg_crypto *c, struct wg_handshake *hs, struct wg_noise_keys *out)
{
	bool initiator;

	if (hs->state == WG_HS_CONSUMED_RESPONSE)
		initiator = true;
	else if (hs->state == WG_HS_CREATED_RESPONSE)
		initiator = false;
	else
		return false;
	if (initiator)
		wg_kdf(c, out->send, out->recv, NULL, hs->chaining_key, NULL, 0);
	else
		wg_kdf(c, out->recv, out->send, NULL, hs->chaining_key, NULL, 0);
	out->local_index = hs->local_index;
	out->remote_index = hs->remote_index;
	out->initiator = initiator;
	wg_handshake_reset(hs);
	return true;
}
