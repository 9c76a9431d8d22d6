/* SPDX-License-Identifier: MIT
 * wg-crypto.h - WireGuard's primitives over OpenSSL and libsodium: BLAKE2s, HMAC, KDF, X25519, AEADs
 *
 * WireGuard (Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s) needs five primitives.
 * None is written here; each comes from a library:
 *
 *	HASH, MAC	BLAKE2s-256 and keyed BLAKE2s-128: OpenSSL ("BLAKE2S-256",
 *			"BLAKE2SMAC"; libsodium has only BLAKE2b)
 *	HMAC, KDF	HMAC over BLAKE2s-256: OpenSSL's HMAC
 *	DH		X25519: libsodium's crypto_scalarmult
 *	AEAD		ChaCha20-Poly1305 (RFC 8439), 96-bit nonce of 32 zero bits
 *			and a 64-bit little-endian counter: OpenSSL's EVP
 *	XAEAD		XChaCha20-Poly1305 (cookie replies): libsodium
 *
 * Speed: OpenSSL's ChaCha20-Poly1305 is the faster one on x86-64 (AVX2/AVX-512
 * code); bench/wg/bench-wg-crypto measures it against libsodium's on the same
 * buffers. The contexts are allocated once per struct wg_crypto (one per
 * device) and reused: the transport keys (struct wg_aead_key) allocate
 * nothing per packet. The handshake's primitives do: OpenSSL 3.0 rebuilds
 * its HMAC state at every new key (about 5 allocations per HMAC, 117 per
 * responder's handshake), which is the control path.
 *
 * Thread context: a struct wg_crypto belongs to one thread at a time (the
 * device's owner context); the functions without one are thread-safe.
 */
#ifndef PK_WG_CRYPTO_H
#define PK_WG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WG_KEY_LEN 32u
#define WG_HASH_LEN 32u
#define WG_MAC_LEN 16u
#define WG_AEAD_TAG_LEN 16u
#define WG_XNONCE_LEN 24u
#define WG_TAI64N_LEN 12u

struct wg_crypto;

/* Load the algorithms (once per process; later calls return the first
 * result). False when OpenSSL lacks BLAKE2s or libsodium fails to start, with
 * the reason in *why (a static string). Thread-safe. */
bool wg_crypto_global_init(const char **why);

/* Contexts for one thread; NULL if wg_crypto_global_init() failed or memory
 * ran out. Free with wg_crypto_free() (NULL is fine). */
struct wg_crypto *wg_crypto_new(void);
void wg_crypto_free(struct wg_crypto *c);

/* HASH(a || b): BLAKE2s-256 of the two parts (@b may be NULL with @blen 0). */
void wg_hash2(struct wg_crypto *c, uint8_t out[WG_HASH_LEN], const void *a, size_t alen,
	      const void *b, size_t blen);

/* MAC(key, msg): keyed BLAKE2s with a 16-byte output; @keylen 16 or 32. */
void wg_mac(struct wg_crypto *c, uint8_t out[WG_MAC_LEN], const uint8_t *key, size_t keylen,
	    const void *msg, size_t len);

/* KDFn(key, input) of the whitepaper (HKDF with HMAC-BLAKE2s): writes the
 * first one, two or three 32-byte outputs to @t1, @t2, @t3 (@t2 and @t3 may be
 * NULL). The outputs may alias @key. */
void wg_kdf(struct wg_crypto *c, uint8_t t1[WG_HASH_LEN], uint8_t *t2, uint8_t *t3,
	    const uint8_t key[WG_HASH_LEN], const void *input, size_t len);

/* DH(priv, pub): X25519. False when the result is all zero (a low-order
 * public key), which WireGuard treats as a failed handshake. */
bool wg_dh(uint8_t out[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN], const uint8_t pub[WG_KEY_LEN]);
/* The public key of @priv. */
void wg_pubkey(uint8_t pub[WG_KEY_LEN], const uint8_t priv[WG_KEY_LEN]);
/* A fresh private key from the system's CSPRNG, clamped as X25519 says. */
void wg_genkey(uint8_t priv[WG_KEY_LEN]);
/* Clamp @priv in place (the bits X25519 ignores, set as wg(8) does). */
void wg_clamp(uint8_t priv[WG_KEY_LEN]);
/* @n bytes from the system's CSPRNG. */
void wg_random(void *buf, size_t n);

/* AEAD(key, counter, plain, ad) into @out: @len bytes of ciphertext then the
 * 16-byte tag. @out may equal @plain (in place). */
void wg_aead_seal(struct wg_crypto *c, uint8_t *out, const uint8_t key[WG_KEY_LEN],
		  uint64_t counter, const uint8_t *plain, size_t len, const uint8_t *ad,
		  size_t adlen);
/* Open @len bytes of ciphertext followed by the tag into @out (@len bytes;
 * may equal @sealed). False (and @out's content undefined) when the tag does
 * not authenticate. */
bool wg_aead_open(struct wg_crypto *c, uint8_t *out, const uint8_t key[WG_KEY_LEN],
		  uint64_t counter, const uint8_t *sealed, size_t len, const uint8_t *ad,
		  size_t adlen);

/* XAEAD with a 24-byte nonce (cookie replies); the same layout as above. */
void wg_xaead_seal(uint8_t *out, const uint8_t key[WG_KEY_LEN], const uint8_t nonce[WG_XNONCE_LEN],
		   const uint8_t *plain, size_t len, const uint8_t *ad, size_t adlen);
bool wg_xaead_open(uint8_t *out, const uint8_t key[WG_KEY_LEN], const uint8_t nonce[WG_XNONCE_LEN],
		   const uint8_t *sealed, size_t len, const uint8_t *ad, size_t adlen);

/* TAI64N of @unix_ns (nanoseconds since 1970), its nanoseconds rounded down
 * to a multiple of 2^24 so the timestamp does not reveal the clock finely
 * (as wireguard-go and Linux do). Big-endian, so memcmp() orders them. */
void wg_tai64n(uint8_t out[WG_TAI64N_LEN], uint64_t unix_ns);

/* Constant-time comparison of @n bytes: true when equal. */
bool wg_equal(const void *a, const void *b, size_t n);
/* Zero @n bytes in a way the compiler does not remove. */
void wg_wipe(void *p, size_t n);

/**
 * struct wg_aead_key - A transport key prepared for many packets
 *
 * The data path seals or opens every packet with the same key: the cipher
 * context is keyed once, and each packet only sets its nonce. One per
 * direction of a keypair; owner context only.
 */
struct wg_aead_key;

/* A context keyed with @key for sealing (@seal) or opening; NULL if memory
 * ran out. */
struct wg_aead_key *wg_aead_key_new(const uint8_t key[WG_KEY_LEN], bool seal);
/* Free @k (NULL is fine); the key material is wiped. */
void wg_aead_key_free(struct wg_aead_key *k);
/* In place: @len bytes at @buf become ciphertext, the tag is written after
 * them (the caller leaves 16 bytes of room). No associated data. */
void wg_aead_key_seal(struct wg_aead_key *k, uint64_t counter, uint8_t *buf, size_t len);
/* In place: @len bytes of ciphertext at @buf followed by the tag become
 * plaintext. False when the tag does not authenticate; @buf then holds
 * garbage (drop the packet). */
bool wg_aead_key_open(struct wg_aead_key *k, uint64_t counter, uint8_t *buf, size_t len);

#endif /* PK_WG_CRYPTO_H */
