/* SPDX-License-Identifier: MIT
 * wg-crypto.c - WireGuard's primitives over OpenSSL (BLAKE2s, HMAC, ChaCha20-Poly1305) and libsodium
 */
#include "wg-crypto.h"

#include <string.h>
#include <glib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

/* The algorithms, fetched once for the whole process (immutable after). */
static struct {
	EVP_MD *blake2s;
	EVP_MAC *blake2s_mac;
	EVP_MAC *hmac;
	EVP_CIPHER *chacha;
	const char *why;
	bool ok;
} algs;

struct wg_crypto {
	EVP_MD_CTX *md;
	EVP_MAC_CTX *mac;  /* keyed BLAKE2s-128 */
	EVP_MAC_CTX *hmac; /* HMAC-BLAKE2s */
	EVP_CIPHER_CTX *aead;
};

struct wg_aead_key {
	EVP_CIPHER_CTX *ctx;
	bool seal;
};

static gpointer global_init_once(gpointer unused)
{
	(void)unused;
	if (sodium_init() < 0) {
		algs.why = "libsodium failed to initialise";
		return NULL;
	}
	algs.blake2s = EVP_MD_fetch(NULL, "BLAKE2S-256", NULL);
	algs.blake2s_mac = EVP_MAC_fetch(NULL, "BLAKE2SMAC", NULL);
	algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	algs.chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	if (!algs.blake2s || !algs.blake2s_mac || !algs.hmac) {
		algs.why = "OpenSSL has no BLAKE2s (BLAKE2S-256, BLAKE2SMAC) or HMAC";
		return NULL;
	}
	if (!algs.chacha) {
		algs.why = "OpenSSL has no ChaCha20-Poly1305";
		return NULL;
	}
	algs.ok = true;
	return NULL;
}

bool wg_crypto_global_init(const char **why)
{
	static GOnce once = G_ONCE_INIT;

	g_once(&once, global_init_once, NULL);
	if (why)
		*why = algs.why;
	return algs.ok;
}

struct wg_crypto *wg_crypto_new(void)
{
	struct wg_crypto *c;
	OSSL_PARAM hp[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"BLAKE2S-256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (!wg_crypto_global_init(NULL))
		return NULL;
	c = g_new0(struct wg_crypto, 1);
	c->md = EVP_MD_CTX_new();
	c->mac = EVP_MAC_CTX_new(algs.blake2s_mac);
	c->hmac = EVP_MAC_CTX_new(algs.hmac);
	c->aead = EVP_CIPHER_CTX_new();
	if (!c->md || !c->mac || !c->hmac || !c->aead || !EVP_MAC_CTX_set_params(c->hmac, hp)) {
		wg_crypto_free(c);
		return NULL;
	}
	return c;
}

void wg_crypto_free(struct wg_crypto *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	EVP_MAC_CTX_free(c->mac);
	EVP_MAC_CTX_free(c->hmac);
	EVP_CIPHER_CTX_free(c->aead);
	g_free(c);
}

/* OpenSSL calls on valid contexts with valid lengths do not fail; if one
 * did, the output would be garbage that fails authentication at the peer,
 * so a failure is a programming error. */
static void must(int ok)
{
	if (G_UNLIKELY(ok <= 0))
		g_error("wg-crypto: an OpenSSL primitive failed");
}

void wg_hash2(struct wg_crypto *c, uint8_t out[WG_HASH_LEN], const void *a, size_t alen,
	      const void *b, size_t blen)
{
	unsigned int n = 0;

	must(EVP_DigestInit_ex2(c->md, algs.blake2s, NULL));
	must(EVP_DigestUpdate(c->md, a, alen));
	if (blen)
		must(EVP_DigestUpdate(c->md, b, blen));
	must(EVP_DigestFinal_ex(c->md, out, &n));
}

void wg_mac(struct wg_crypto *c, uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t keylen,
	    const void *msg, size_t len)
{
	size_t size = WG_MAC_LEN, n = 0;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
		OSSL_PARAM_construct_end(),
	};

	must(EVP_MAC_init(c->mac, key, keylen, p));
	must(EVP_MAC_update(c->mac, msg, len));
	must(EVP_MAC_final(c->mac, out, &n, WG_MAC_LEN));
}

/* HMAC(key, a || b) with a 32-byte key. */
static void hmac2(struct wg_crypto *c, uint8_t out[WG_HASH_LEN], const uint8_t key[WG_HASH_LEN],
		  const void *a, size_t alen, const void *b, size_t blen)
{
	size_t n = 0;

	must(EVP_MAC_init(c->hmac, key, WG_HASH_LEN, NULL));
	if (alen)
		must(EVP_MAC_update(c->hmac, a, alen));
	if (blen)
		must(EVP_MAC_update(c->hmac, b, blen));
	must(EVP_MAC_final(c->hmac, out, &n, WG_HASH_LEN));
}

void wg_kdf(struct wg_crypto *c, uint8_t t1[WG_HASH_LEN], uint8_t *t2, uint8_t *t3,
	    const uint8_t key[WG_HASH_LEN], const void *input, size_t len)
{
	uint8_t prk[WG_HASH_LEN], out[WG_HASH_LEN];
	uint8_t i = 1;

	/* Extract, then expand: T(i) = HMAC(prk, T(i-1) || i), T(0) empty. */
	hmac2(c, prk, key, input, len, NULL, 0);
	hmac2(c, out, prk, &i, 1, NULL, 0);
	memcpy(t1, out, WG_HASH_LEN);
	if (t2) {
		i = 2;
		hmac2(c, out, prk, out, WG_HASH_LEN, &i, 1);
		memcpy(t2, out, WG_HASH_LEN);
	}
	if (t3) {
		i = 3;
		hmac2(c, out, prk, out, WG_HASH_LEN, &i, 1);
		memcpy(t3, out, WG_HASH_LEN);
	}
	wg_wipe(prk, sizeof(prk));
	wg_wipe(out, sizeof(out));
}

bool wg_dh(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN])
{
	/* libsodium refuses (-1) exactly the all-zero result. */
	return crypto_scalarmult(out, priv, pub) == 0;
}

void wg_pubkey(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN])
{
	crypto_scalarmult_base(pub, priv);
}

void wg_clamp(uint8_t priv[WG_KEY_LEN])
{
	priv[0] &= 248;
	priv[31] = (uint8_t)((priv[31] & 127) | 64);
}

void wg_genkey(uint8_t priv[WG_KEY_LEN])
{
	wg_random(priv, WG_KEY_LEN);
	wg_clamp(priv);
}

void wg_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

static void nonce_of(uint8_t iv[12], uint64_t counter)
{
	memset(iv, 0, 4);
	for (unsigned i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(counter >> (8 * i));
}

/* One AEAD pass on @ctx, already keyed (or keyed now with @key). */
static bool aead_run(EVP_CIPHER_CTX *ctx, bool seal, const uint8_t *key, uint64_t counter,
		     uint8_t *out, const uint8_t *in, size_t len, const uint8_t *ad, size_t adlen)
{
	uint8_t iv[12];
	int n = 0;

	nonce_of(iv, counter);
	must(EVP_CipherInit_ex2(ctx, key ? algs.chacha : NULL, key, iv, seal, NULL));
	if (!seal)
		must(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, WG_AEAD_TAG_LEN,
					 (void *)(in + len)));
	if (adlen)
		must(EVP_CipherUpdate(ctx, NULL, &n, ad, (int)adlen));
	if (len)
		must(EVP_CipherUpdate(ctx, out, &n, in, (int)len));
	if (EVP_CipherFinal_ex(ctx, out + len, &n) <= 0)
		return false;
	if (seal)
		must(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, WG_AEAD_TAG_LEN, out + len));
	return true;
}

void wg_aead_seal(struct wg_crypto *c, uint8_t *out, const uint8_t key[WG_KEY_LEN],
		  uint64_t counter, const uint8_t *plain, size_t len, const uint8_t *ad,
		  size_t adlen)
{
	must(aead_run(c->aead, true, key, counter, out, plain, len, ad, adlen));
}

bool wg_aead_open(struct wg_crypto *c, uint8_t *out, const uint8_t key[WG_KEY_LEN],
		  uint64_t counter, const uint8_t *sealed, size_t len, const uint8_t *ad,
		  size_t adlen)
{
	return aead_run(c->aead, false, key, counter, out, sealed, len, ad, adlen);
}

void wg_xaead_seal(uint8_t *out, const uint8_t key[WG_KEY_LEN], const uint8_t nonce[WG_XNONCE_LEN],
		   const uint8_t *plain, size_t len, const uint8_t *ad, size_t adlen)
{
	unsigned long long n = 0;

	crypto_aead_xchacha20poly1305_ietf_encrypt(out, &n, plain, len, ad, adlen, NULL, nonce,
						   key);
}

bool wg_xaead_open(uint8_t *out, const uint8_t key[WG_KEY_LEN], const uint8_t nonce[WG_XNONCE_LEN],
		   const uint8_t *sealed, size_t len, const uint8_t *ad, size_t adlen)
{
	unsigned long long n = 0;

	return crypto_aead_xchacha20poly1305_ietf_decrypt(
		       out, &n, NULL, sealed, len + WG_AEAD_TAG_LEN, ad, adlen, nonce, key) == 0;
}

void wg_tai64n(uint8_t out[WG_TAI64N_LEN], uint64_t unix_ns)
{
	/* TAI64 labels second s of 1970 as 2^62 + 10 + s (10: TAI - UTC then). */
	uint64_t secs = UINT64_C(0x400000000000000a) + unix_ns / 1000000000u;
	uint32_t nsec = (uint32_t)(unix_ns % 1000000000u) & ~((UINT32_C(1) << 24) - 1);

	for (unsigned i = 0; i < 8; i++)
		out[i] = (uint8_t)(secs >> (56 - 8 * i));
	for (unsigned i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}

bool wg_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void wg_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

struct wg_aead_key *wg_aead_key_new(const uint8_t key[WG_KEY_LEN], bool seal)
{
	struct wg_aead_key *k;

	if (!wg_crypto_global_init(NULL))
		return NULL;
	k = g_new0(struct wg_aead_key, 1);
	k->seal = seal;
	k->ctx = EVP_CIPHER_CTX_new();
	if (!k->ctx || EVP_CipherInit_ex2(k->ctx, algs.chacha, key, NULL, seal, NULL) <= 0) {
		wg_aead_key_free(k);
		return NULL;
	}
	return k;
}

void wg_aead_key_free(struct wg_aead_key *k)
{
	if (!k)
		return;
	EVP_CIPHER_CTX_free(k->ctx); /* clears the key schedule */
	g_free(k);
}

void wg_aead_key_seal(struct wg_aead_key *k, uint64_t counter, uint8_t *buf, size_t len)
{
	g_assert(k->seal);
	must(aead_run(k->ctx, true, NULL, counter, buf, buf, len, NULL, 0));
}

bool wg_aead_key_open(struct wg_aead_key *k, uint64_t counter, uint8_t *buf, size_t len)
{
	g_assert(!k->seal);
	return aead_run(k->ctx, false, NULL, counter, buf, buf, len, NULL, 0);
}
