/* SPDX-License-Identifier: MIT
 * test-wg-crypto.c - WireGuard's primitives against published vectors and an independent implementation
 *
 * BLAKE2s and X25519 against RFC 7693 and RFC 7748; keyed BLAKE2s-128,
 * HMAC-BLAKE2s, the KDF and ChaCha20-Poly1305 with WireGuard's nonce layout
 * against values computed with Python's hashlib/hmac and the cryptography
 * package (OpenSSL-independent for BLAKE2s).
 */
#include <string.h>
#include <glib.h>

#include "wg-crypto.h"

static void unhex(uint8_t *out, size_t n, const char *hex)
{
	g_assert_cmpuint(strlen(hex), ==, 2 * n);
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
				   g_ascii_xdigit_value(hex[2 * i + 1]));
}

static void assert_hex(const uint8_t *got, size_t n, const char *hex)
{
	uint8_t want[256];

	g_assert_cmpuint(n, <=, sizeof(want));
	unhex(want, n, hex);
	g_assert_cmpmem(got, n, want, n);
}

static struct wg_crypto *crypto(void)
{
	const char *why = NULL;
	struct wg_crypto *c;

	if (!wg_crypto_global_init(&why))
		g_error("crypto: %s", why);
	c = wg_crypto_new();
	g_assert_nonnull(c);
	return c;
}

static void test_blake2s(void)
{
	struct wg_crypto *c = crypto();
	uint8_t out[WG_HASH_LEN];

	/* RFC 7693 appendix B: BLAKE2s-256("abc"), also split in two parts. */
	wg_hash2(c, out, "abc", 3, NULL, 0);
	assert_hex(out, sizeof(out),
		   "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_hash2(c, out, "a", 1, "bc", 2);
	assert_hex(out, sizeof(out),
		   "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	wg_crypto_free(c);
}

static void test_mac_hmac_kdf(void)
{
	struct wg_crypto *c = crypto();
	uint8_t key[32], mac[WG_MAC_LEN], t1[32], t2[32], t3[32];

	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	/* hashlib.blake2s(b"pktkit", key=bytes(range(32)), digest_size=16) */
	wg_mac(c, mac, key, sizeof(key), "pktkit", 6);
	assert_hex(mac, sizeof(mac), "bb3e36f906c75a39bf8f0994ce8a010f");
	/* KDF3(key, "in"): HMAC-BLAKE2s extract and expand, by Python's hmac. */
	wg_kdf(c, t1, t2, t3, key, "in", 2);
	assert_hex(t1, 32, "540b3bf07c384a92662f1f1f22cddd3a1b1ecfd48cd6b259b95fceac5a5b736b");
	assert_hex(t2, 32, "c3c08a2b6876d423e74eb7cd1ba9e44b5633091c51e950adcfc8a822a51a727d");
	assert_hex(t3, 32, "4aec318f00a4134757316bb9cf3fe1ed4c084e9858b0e6013844afaeb7312d6c");
	/* KDF1 and KDF2 are prefixes of KDF3; outputs may alias the key. */
	memcpy(t3, key, 32);
	wg_kdf(c, t3, NULL, NULL, t3, "in", 2);
	assert_hex(t3, 32, "540b3bf07c384a92662f1f1f22cddd3a1b1ecfd48cd6b259b95fceac5a5b736b");
	wg_crypto_free(c);
}

static void test_x25519(void)
{
	uint8_t a[32], b[32], pub[32], s1[32], s2[32], zero[32] = { 0 };

	/* RFC 7748 section 6.1. */
	unhex(a, 32, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex(b, 32, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	wg_pubkey(pub, a);
	assert_hex(pub, 32, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	g_assert_true(wg_dh(s1, a, (wg_pubkey(pub, b), pub)));
	assert_hex(s1, 32, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
	/* A fresh pair agrees with itself; a low-order point gives no secret. */
	wg_genkey(a);
	g_assert_cmpuint(a[0] & 7, ==, 0);
	g_assert_cmpuint(a[31] & 0xc0, ==, 0x40);
	wg_genkey(b);
	wg_pubkey(pub, b);
	g_assert_true(wg_dh(s1, a, pub));
	wg_pubkey(pub, a);
	g_assert_true(wg_dh(s2, b, pub));
	g_assert_cmpmem(s1, 32, s2, 32);
	g_assert_false(wg_dh(s1, a, zero));
}

static void test_aead(void)
{
	static const char pt[] = "WireGuard transport payload, 45 bytes long!!";
	struct wg_crypto *c = crypto();
	struct wg_aead_key *ks, *ko;
	uint8_t key[32], buf[sizeof(pt) + 16], out[sizeof(pt)];
	size_t n = sizeof(pt) - 1;

	for (unsigned i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x80 + i);
	/* ChaCha20Poly1305 of the cryptography package, nonce 0 || LE64 counter. */
	wg_aead_seal(c, buf, key, UINT64_C(0x0102030405060708), (const uint8_t *)pt, n,
		     (const uint8_t *)"pktkit ad", 9);
	assert_hex(buf, n + 16,
		   "a3d89cde17af3aaf479105f96f1916af9c0120cb424beac264511cb2457fbc42e61f40d0"
		   "cede180312f820ebd1cdc8082c01b38cd440be8f851eb5a9");
	g_assert_true(wg_aead_open(c, out, key, UINT64_C(0x0102030405060708), buf, n,
				   (const uint8_t *)"pktkit ad", 9));
	g_assert_cmpmem(out, n, pt, n);
	/* Wrong counter, wrong AD, a flipped bit: refused. */
	g_assert_false(wg_aead_open(c, out, key, 1, buf, n, (const uint8_t *)"pktkit ad", 9));
	g_assert_false(wg_aead_open(c, out, key, UINT64_C(0x0102030405060708), buf, n,
				    (const uint8_t *)"pktkit ae", 9));
	buf[3] ^= 1;
	g_assert_false(wg_aead_open(c, out, key, UINT64_C(0x0102030405060708), buf, n,
				    (const uint8_t *)"pktkit ad", 9));

	/* The prepared transport keys: in place, no AD, many packets. */
	ks = wg_aead_key_new(key, true);
	ko = wg_aead_key_new(key, false);
	for (uint64_t ctr = 0; ctr < 3; ctr++) {
		memcpy(buf, pt, n);
		wg_aead_key_seal(ks, ctr, buf, n);
		wg_aead_seal(c, out, key, ctr, (const uint8_t *)pt, 0, NULL, 0); /* interleaved */
		g_assert_true(wg_aead_key_open(ko, ctr, buf, n));
		g_assert_cmpmem(buf, n, pt, n);
	}
	memcpy(buf, pt, n);
	wg_aead_key_seal(ks, 7, buf, n);
	memcpy(out, buf, n);
	g_assert_false(wg_aead_key_open(ko, 8, buf, n));
	/* A failed open leaves garbage in place (the packet is dropped); the
	 * context is still good for the next packet. */
	memcpy(buf, out, n);
	g_assert_true(wg_aead_key_open(ko, 7, buf, n));
	g_assert_cmpmem(buf, n, pt, n);
	/* A keepalive: nothing sealed, only the tag. */
	wg_aead_key_seal(ks, 9, buf, 0);
	g_assert_true(wg_aead_key_open(ko, 9, buf, 0));
	buf[0] ^= 0x80;
	g_assert_false(wg_aead_key_open(ko, 9, buf, 0));
	wg_aead_key_free(ks);
	wg_aead_key_free(ko);
	wg_crypto_free(c);
}

static void test_xaead(void)
{
	uint8_t key[32], nonce[24], buf[16 + 16], out[16], cookie[16];

	wg_random(key, sizeof(key));
	wg_random(nonce, sizeof(nonce));
	wg_random(cookie, sizeof(cookie));
	wg_xaead_seal(buf, key, nonce, cookie, 16, (const uint8_t *)"mac1mac1mac1mac1", 16);
	g_assert_true(
		wg_xaead_open(out, key, nonce, buf, 16, (const uint8_t *)"mac1mac1mac1mac1", 16));
	g_assert_cmpmem(out, 16, cookie, 16);
	g_assert_false(
		wg_xaead_open(out, key, nonce, buf, 16, (const uint8_t *)"mac1mac1mac1mac2", 16));
	nonce[23] ^= 1;
	g_assert_false(
		wg_xaead_open(out, key, nonce, buf, 16, (const uint8_t *)"mac1mac1mac1mac1", 16));
}

static void test_tai64n(void)
{
	uint8_t a[12], b[12];

	/* 2^62 + 10 + seconds, then the nanoseconds rounded down to 2^24. */
	wg_tai64n(a, UINT64_C(1700000000) * 1000000000u + 123456789u);
	assert_hex(a, 12,
		   "400000006553f10a"
		   "07000000");
	/* Within one 2^24 ns step the timestamps are equal, after it larger. */
	wg_tai64n(b, UINT64_C(1700000000) * 1000000000u + 117440512u);
	g_assert_cmpmem(a, 12, b, 12);
	wg_tai64n(b, UINT64_C(1700000000) * 1000000000u + 134217728u);
	g_assert_cmpint(memcmp(a, b, 12), <, 0);
	wg_tai64n(b, UINT64_C(1700000001) * 1000000000u);
	g_assert_cmpint(memcmp(a, b, 12), <, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wg/crypto/blake2s", test_blake2s);
	g_test_add_func("/wg/crypto/mac-hmac-kdf", test_mac_hmac_kdf);
	g_test_add_func("/wg/crypto/x25519", test_x25519);
	g_test_add_func("/wg/crypto/aead", test_aead);
	g_test_add_func("/wg/crypto/xaead", test_xaead);
	g_test_add_func("/wg/crypto/tai64n", test_tai64n);
	return g_test_run();
}
