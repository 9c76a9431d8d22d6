/* SPDX-License-Identifier: MIT
 * bench-wg-crypto.c - WireGuard's crypto: the core's AEAD against raw OpenSSL EVP and libsodium, handshakes, X25519
 *
 * Transport: ChaCha20-Poly1305 seal and open of 64, 1420 and 8192-byte
 * packets, in place, no associated data, nonce = 32 zero bits and a 64-bit
 * counter, by (1) OpenSSL's EVP directly (context keyed once, only the IV set
 * per packet: the fastest honest use of EVP), (2) the core's
 * wg_aead_key_seal/open, (3) libsodium's
 * crypto_aead_chacha20poly1305_ietf_{en,de}crypt_detached. Every op first
 * copies its packet into the work buffer (a plaintext to seal, or one of 32
 * packets sealed by another library to open), so opens never see their own
 * output; the copy alone is a row of its own. Every open must authenticate;
 * after the runs, the last sealed packet is opened by another library and
 * the last opened one compared with the plaintext, so a no-op fails.
 *
 * Handshakes: a full one (both ephemerals drawn, initiation with MACs, the
 * responder's MAC check, open, lookup, accept, response with MACs, the
 * initiator's MAC check and consume, both derive), the responder's share
 * alone, and X25519 by libsodium (what the core uses) against OpenSSL
 * (EVP_PKEY_derive with keys made once, and from raw bytes as a handshake
 * must), each result compared across the two.
 *
 * Every case runs BENCH_RUNS rounds of about 0.2 s, the cases of a table
 * interleaved round by round (a load change hits them alike); every round
 * is printed, then the best and the median. Times are the thread's CPU
 * time (CLOCK_THREAD_CPUTIME_ID): on a shared machine the wall clock also
 * counts the time spent waiting for a core; each table says how much of a
 * core it got.
 * Allocations are malloc-family calls per op over all rounds (bench-util).
 * Usage: bench-wg-crypto [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <sodium.h>
#include <glib.h>

#include "bench-util.h"
#include "wg-cookie.h"
#include "wg-noise.h"

#define BENCH_RUNS 5
#define N_PKT 32 /* distinct packets (counters) per case */
#define MAX_LEN 8192u

static double round_s = 0.2;
static unsigned int n_runs = BENCH_RUNS;
static bool all_ok = true;

static void fail(const char *what)
{
	fprintf(stderr, "bench-wg-crypto: FAILED: %s\n", what);
	all_ok = false;
}

static void nonce_of(uint8_t iv[12], uint64_t counter)
{
	memset(iv, 0, 4);
	for (unsigned int i = 0; i < 8; i++)
		iv[4 + i] = (uint8_t)(counter >> (8 * i));
}

/* --- the three implementations ------------------------------------------ */

struct impl {
	EVP_CIPHER_CTX *evp_seal, *evp_open;
	struct wg_aead_key *core_seal, *core_open;
	uint8_t key[WG_KEY_LEN];
};

static bool evp_seal(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	uint8_t iv[12];
	int n = 0;

	nonce_of(iv, counter);
	return EVP_EncryptInit_ex2(im->evp_seal, NULL, NULL, iv, NULL) > 0 &&
	       EVP_EncryptUpdate(im->evp_seal, buf, &n, buf, (int)len) > 0 &&
	       EVP_EncryptFinal_ex(im->evp_seal, buf + len, &n) > 0 &&
	       EVP_CIPHER_CTX_ctrl(im->evp_seal, EVP_CTRL_AEAD_GET_TAG, 16, buf + len) > 0;
}

static bool evp_open(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	uint8_t iv[12];
	int n = 0;

	nonce_of(iv, counter);
	return EVP_DecryptInit_ex2(im->evp_open, NULL, NULL, iv, NULL) > 0 &&
	       EVP_CIPHER_CTX_ctrl(im->evp_open, EVP_CTRL_AEAD_SET_TAG, 16, buf + len) > 0 &&
	       EVP_DecryptUpdate(im->evp_open, buf, &n, buf, (int)len) > 0 &&
	       EVP_DecryptFinal_ex(im->evp_open, buf + len, &n) > 0;
}

static bool core_seal(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	wg_aead_key_seal(im->core_seal, counter, buf, len);
	return true;
}

static bool core_open(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	return wg_aead_key_open(im->core_open, counter, buf, len);
}

static bool sodium_seal(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	uint8_t iv[12];

	nonce_of(iv, counter);
	return crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf, buf + len, NULL, buf, len,
								  NULL, 0, NULL, iv, im->key) == 0;
}

static bool sodium_open(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	uint8_t iv[12];

	nonce_of(iv, counter);
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(buf, NULL, buf, len, buf + len,
								  NULL, 0, iv, im->key) == 0;
}

static bool copy_only(struct impl *im, uint64_t counter, uint8_t *buf, size_t len)
{
	(void)im;
	(void)counter;
	__asm__ volatile("" : : "r"(buf), "r"(len) : "memory");
	return true;
}

/* --- one case: a function over many packets ------------------------------ */

struct bcase {
	const char *name;
	void (*run)(struct bcase *bc, uint64_t iters);
	uint64_t iters;
	double bytes; /* per op, for Gbit/s; 0: ops/s instead */
	double ns[16];
	struct bench_counts counts;
	uint64_t ops;
	/* AEAD cases */
	bool (*op)(struct impl *im, uint64_t counter, uint8_t *buf, size_t len);
	struct impl *im;
	size_t len;
	uint8_t (*src)[MAX_LEN + 16]; /* N_PKT packets copied in before each op */
	uint8_t *work;
	bool ok;
	uint64_t last_counter;
	/* other cases */
	void *ctx;
};

static void run_aead(struct bcase *bc, uint64_t iters)
{
	bool ok = true;

	for (uint64_t i = 0; i < iters; i++) {
		unsigned int k = (unsigned int)(i % N_PKT);

		memcpy(bc->work, bc->src[k], bc->len + 16);
		ok &= bc->op(bc->im, k, bc->work, bc->len);
		bc->last_counter = k;
	}
	bc->ok &= ok;
}

/* This thread's CPU time in ns: on a shared machine the time the benchmark
 * waited for a core is not the cost of the work. */
static double cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double wall_total, cpu_total;

static double time_once(struct bcase *bc, uint64_t iters)
{
	double w0 = bench_now_ns(), t0 = cpu_now_ns(), t;

	bc->run(bc, iters);
	t = cpu_now_ns() - t0;
	wall_total += bench_now_ns() - w0;
	cpu_total += t;
	return t;
}

/* Iterations for a round of about round_s seconds. */
static void calibrate(struct bcase *bc)
{
	uint64_t n = 4;
	double t;

	while ((t = time_once(bc, n)) < 2e7 && n < (UINT64_C(1) << 40))
		n *= 2;
	bc->iters = (uint64_t)((double)n * round_s * 1e9 / t) + 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Run @n cases interleaved, round by round, and print one row each. */
static void run_table(struct bcase *cases, size_t n, const char *unit)
{
	wall_total = cpu_total = 0;
	for (size_t c = 0; c < n; c++) {
		calibrate(&cases[c]);
		cases[c].ops = 0;
		memset(&cases[c].counts, 0, sizeof(cases[c].counts));
	}
	for (unsigned int r = 0; r < n_runs; r++) {
		for (size_t c = 0; c < n; c++) {
			struct bench_counts k;

			bench_counts_begin(&k);
			cases[c].ns[r] = time_once(&cases[c], cases[c].iters) /
					 (double)cases[c].iters;
			bench_counts_end(&k);
			cases[c].counts.allocs += k.allocs;
			cases[c].ops += cases[c].iters;
		}
	}
	printf("| case | %s, every run | best | median | %s | allocs/op |\n", unit,
	       cases[0].bytes ? "Gbit/s (best)" : "per s (best)");
	printf("|---|---|---:|---:|---:|---:|\n");
	for (size_t c = 0; c < n; c++) {
		struct bcase *bc = &cases[c];
		double s[16], best, median;
		char runs[256] = "", rate[32], allocs[32];
		size_t o = 0;

		for (unsigned int r = 0; r < n_runs; r++)
			o += (size_t)snprintf(runs + o, sizeof(runs) - o, "%s%.0f", r ? ", " : "",
					      bc->ns[r]);
		memcpy(s, bc->ns, sizeof(double) * n_runs);
		qsort(s, n_runs, sizeof(double), cmp_double);
		best = s[0];
		median = s[n_runs / 2];
		if (bc->bytes)
			snprintf(rate, sizeof(rate), "%.2f", bc->bytes * 8 / best);
		else
			snprintf(rate, sizeof(rate), "%.0f", 1e9 / best);
		if (bench_allocs_counted())
			snprintf(allocs, sizeof(allocs), "%.3g",
				 (double)bc->counts.allocs / (double)bc->ops);
		else
			snprintf(allocs, sizeof(allocs), "n/a");
		printf("| %s | %s | %.0f | %.0f | %s | %s |\n", bc->name, runs, best, median, rate,
		       allocs);
	}
	printf("\nThis table: %.1f s of CPU time in %.1f s of wall-clock time (%.0f %% of a core).\n",
	       cpu_total / 1e9, wall_total / 1e9, 100 * cpu_total / wall_total);
	fflush(stdout);
}

static double median_of(const struct bcase *bc)
{
	double s[16];

	memcpy(s, bc->ns, sizeof(double) * n_runs);
	qsort(s, n_runs, sizeof(double), cmp_double);
	return s[n_runs / 2];
}

/* --- transport ----------------------------------------------------------- */

enum {
	C_COPY,
	C_EVP_SEAL,
	C_CORE_SEAL,
	C_SOD_SEAL,
	C_EVP_OPEN,
	C_CORE_OPEN,
	C_SOD_OPEN,
	C_N
};

static void bench_transport(struct impl *im, size_t len, double ratios[2][2])
{
	static uint8_t plain[N_PKT][MAX_LEN + 16], sealed[N_PKT][MAX_LEN + 16];
	static uint8_t work[C_N][MAX_LEN + 16] __attribute__((aligned(64)));
	static const char *const names[C_N] = {
		"copy only (in every row below)",
		"OpenSSL EVP seal",
		"core wg_aead_key_seal",
		"libsodium seal",
		"OpenSSL EVP open",
		"core wg_aead_key_open",
		"libsodium open",
	};
	bool (*const ops[C_N])(struct impl *, uint64_t, uint8_t *, size_t) = {
		copy_only, evp_seal, core_seal, sodium_seal, evp_open, core_open, sodium_open,
	};
	struct bcase cases[C_N];
	uint8_t check[MAX_LEN + 16];
	char title[C_N][64];

	for (unsigned int k = 0; k < N_PKT; k++) {
		randombytes_buf(plain[k], len);
		memcpy(sealed[k], plain[k], len);
		/* Sealed by libsodium, opened by all three. */
		if (!sodium_seal(im, k, sealed[k], len))
			fail("libsodium seal");
	}
	memset(cases, 0, sizeof(cases));
	for (int c = 0; c < C_N; c++) {
		snprintf(title[c], sizeof(title[c]), "%s, %zu B", names[c], len);
		cases[c] = (struct bcase){ .name = title[c],
					   .run = run_aead,
					   .bytes = (double)len,
					   .op = ops[c],
					   .im = im,
					   .len = len,
					   .src = c >= C_EVP_OPEN ? sealed : plain,
					   .work = work[c],
					   .ok = true };
	}
	printf("\n### %zu-byte packets\n\n", len);
	run_table(cases, C_N, "ns/packet");

	/* Check the work: each seal's last output opens (by another library)
	 * to its plaintext; each open's last output is the plaintext. */
	for (int c = C_EVP_SEAL; c < C_N; c++) {
		struct bcase *bc = &cases[c];
		uint64_t k = bc->last_counter;

		if (!bc->ok) {
			fail(bc->name);
			continue;
		}
		memcpy(check, bc->work, len + 16);
		if (c <= C_SOD_SEAL && !(c == C_SOD_SEAL ? evp_open(im, k, check, len)
							 : sodium_open(im, k, check, len)))
			fail(bc->name);
		if (memcmp(check, plain[k], len) != 0)
			fail(bc->name);
	}
	/* core / EVP, by medians: seal, open; raw and with the copy taken out. */
	for (int d = 0; d < 2; d++) {
		double copy = median_of(&cases[C_COPY]);
		double evp = median_of(&cases[d ? C_EVP_OPEN : C_EVP_SEAL]);
		double core = median_of(&cases[d ? C_CORE_OPEN : C_CORE_SEAL]);

		ratios[d][0] = evp / core;
		ratios[d][1] = (evp - copy) / (core - copy);
	}
}

/* --- handshakes ---------------------------------------------------------- */

struct hs_fixture {
	struct wg_crypto *c;
	struct wg_identity i, r;
	struct wg_handshake i_hs, r_hs;
	struct wg_cookie_checker i_checker, r_checker;
	struct wg_cookie_maker i_maker, r_maker;
	struct wg_source src;
	uint64_t t;
	uint8_t init[WG_INIT_LEN];
	struct wg_noise_keys ki, kr;
	bool ok;
};

/* The responder's share: MAC check, open, lookup, accept, response with
 * MACs, derive. The peer's replay state is reset first, so the same
 * initiation serves every iteration. */
static bool responder_share(struct hs_fixture *f, const uint8_t *init, uint8_t *resp)
{
	struct wg_noise_pending p;
	uint8_t eph[WG_KEY_LEN];

	if (wg_cookie_check(f->c, &f->r_checker, init, WG_INIT_LEN, &f->src, false, f->t, NULL) !=
		    WG_MAC1_ONLY ||
	    wg_noise_initiation_open(f->c, &f->r, init, &p) != WG_NOISE_OK)
		return false;
	if (memcmp(p.remote_static, f->r_hs.remote_static, WG_KEY_LEN) != 0) {
		wg_noise_pending_clear(&p);
		return false;
	}
	if (wg_noise_initiation_accept(f->c, &p, &f->r_hs, f->t) != WG_NOISE_OK)
		return false;
	wg_genkey(eph);
	if (!wg_noise_response_create(f->c, &f->r, &f->r_hs, resp, 2, eph))
		return false;
	wg_cookie_add_macs(f->c, &f->r_maker, resp, WG_RESP_LEN, f->t);
	return wg_noise_derive_keys(f->c, &f->r_hs, &f->kr);
}

static void run_full_handshake(struct bcase *bc, uint64_t iters)
{
	struct hs_fixture *f = bc->ctx;
	uint8_t init[WG_INIT_LEN], resp[WG_RESP_LEN], eph[WG_KEY_LEN];
	bool ok = true;

	for (uint64_t n = 0; n < iters; n++) {
		f->t += WG_SEC; /* newer timestamp, past the flood interval */
		wg_genkey(eph);
		ok &= wg_noise_initiation_create(f->c, &f->i, &f->i_hs, init, 1, eph, f->t);
		wg_cookie_add_macs(f->c, &f->i_maker, init, WG_INIT_LEN, f->t);
		ok &= responder_share(f, init, resp);
		ok &= wg_cookie_check(f->c, &f->i_checker, resp, WG_RESP_LEN, &f->src, false, f->t,
				      NULL) == WG_MAC1_ONLY;
		ok &= wg_noise_response_consume(f->c, &f->i, &f->i_hs, resp) == WG_NOISE_OK;
		ok &= wg_noise_derive_keys(f->c, &f->i_hs, &f->ki);
	}
	ok &= memcmp(f->ki.send, f->kr.recv, WG_KEY_LEN) == 0 &&
	      memcmp(f->ki.recv, f->kr.send, WG_KEY_LEN) == 0;
	bc->ok &= ok;
}

static void run_responder(struct bcase *bc, uint64_t iters)
{
	struct hs_fixture *f = bc->ctx;
	uint8_t resp[WG_RESP_LEN];
	bool ok = true;

	for (uint64_t n = 0; n < iters; n++) {
		memset(f->r_hs.latest_timestamp, 0, WG_TAI64N_LEN);
		f->r_hs.last_initiation_ns = 0;
		ok &= responder_share(f, f->init, resp);
	}
	bc->ok &= ok;
}

/* X25519 */
struct x_fixture {
	uint8_t a_priv[32], b_pub[32], out[32];
	EVP_PKEY_CTX *derive; /* keys made once */
	bool ok;
};

static void run_x_sodium(struct bcase *bc, uint64_t iters)
{
	struct x_fixture *x = bc->ctx;

	for (uint64_t n = 0; n < iters; n++)
		bc->ok &= crypto_scalarmult(x->out, x->a_priv, x->b_pub) == 0;
}

static void run_x_evp_prepared(struct bcase *bc, uint64_t iters)
{
	struct x_fixture *x = bc->ctx;

	for (uint64_t n = 0; n < iters; n++) {
		size_t len = 32;

		bc->ok &= EVP_PKEY_derive(x->derive, x->out, &len) > 0 && len == 32;
	}
}

/* What a handshake has to do with OpenSSL: keys from raw bytes each time. */
static bool evp_x25519_raw(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32])
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
	EVP_PKEY_CTX *ctx = a ? EVP_PKEY_CTX_new(a, NULL) : NULL;
	size_t len = 32;
	bool ok = ctx && b && EVP_PKEY_derive_init(ctx) > 0 &&
		  EVP_PKEY_derive_set_peer(ctx, b) > 0 && EVP_PKEY_derive(ctx, out, &len) > 0 &&
		  len == 32;

	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return ok;
}

static void run_x_evp_raw(struct bcase *bc, uint64_t iters)
{
	struct x_fixture *x = bc->ctx;

	for (uint64_t n = 0; n < iters; n++)
		bc->ok &= evp_x25519_raw(x->out, x->a_priv, x->b_pub);
}

static void run_base_sodium(struct bcase *bc, uint64_t iters)
{
	struct x_fixture *x = bc->ctx;

	for (uint64_t n = 0; n < iters; n++)
		bc->ok &= crypto_scalarmult_base(x->out, x->a_priv) == 0;
}

static bool evp_x25519_pub(uint8_t out[32], const uint8_t priv[32])
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	size_t len = 32;
	bool ok = a && EVP_PKEY_get_raw_public_key(a, out, &len) > 0 && len == 32;

	EVP_PKEY_free(a);
	return ok;
}

static void run_base_evp(struct bcase *bc, uint64_t iters)
{
	struct x_fixture *x = bc->ctx;

	for (uint64_t n = 0; n < iters; n++)
		bc->ok &= evp_x25519_pub(x->out, x->a_priv);
}

static void bench_handshakes(void)
{
	struct hs_fixture f = { 0 };
	struct x_fixture x = { 0 };
	uint8_t k[32], psk[32], resp[WG_RESP_LEN], eph[32], s1[32], s2[32], b_priv[32];
	EVP_PKEY *a, *b;
	struct bcase cases[7];
	static const char *const names[7] = {
		"full handshake (both sides)",
		"responder's share",
		"X25519 DH, libsodium crypto_scalarmult (core)",
		"X25519 DH, OpenSSL EVP_PKEY_derive, keys made once",
		"X25519 DH, OpenSSL from raw keys (new keys, ctx, derive)",
		"X25519 public key, libsodium crypto_scalarmult_base (core)",
		"X25519 public key, OpenSSL from raw private key",
	};
	void (*const runs[7])(struct bcase *, uint64_t) = {
		run_full_handshake, run_responder,   run_x_sodium, run_x_evp_prepared,
		run_x_evp_raw,	    run_base_sodium, run_base_evp,
	};

	f.c = wg_crypto_new();
	wg_genkey(k);
	wg_identity_set(f.c, &f.i, k);
	wg_genkey(k);
	wg_identity_set(f.c, &f.r, k);
	wg_random(psk, sizeof(psk));
	wg_handshake_init(f.c, &f.i_hs, &f.i, f.r.pub, psk);
	wg_handshake_init(f.c, &f.r_hs, &f.r, f.i.pub, psk);
	wg_cookie_checker_init(&f.i_checker, &f.i);
	wg_cookie_checker_init(&f.r_checker, &f.r);
	wg_cookie_maker_init(f.c, &f.i_maker, f.r.pub);
	wg_cookie_maker_init(f.c, &f.r_maker, f.i.pub);
	f.src = (struct wg_source){ .addr = { 192, 0, 2, 1 }, .addr_len = 4, .port = 51820 };
	f.t = UINT64_C(1700000000) * WG_SEC;
	/* The initiation the responder's share takes again and again. */
	wg_genkey(eph);
	if (!wg_noise_initiation_create(f.c, &f.i, &f.i_hs, f.init, 1, eph, f.t))
		fail("initiation");
	wg_cookie_add_macs(f.c, &f.i_maker, f.init, WG_INIT_LEN, f.t);
	if (!responder_share(&f, f.init, resp) ||
	    wg_noise_response_consume(f.c, &f.i, &f.i_hs, resp) != WG_NOISE_OK ||
	    !wg_noise_derive_keys(f.c, &f.i_hs, &f.ki) ||
	    memcmp(f.ki.send, f.kr.recv, WG_KEY_LEN) != 0)
		fail("handshake set-up");
	wg_handshake_reset(&f.r_hs);

	wg_genkey(x.a_priv);
	wg_genkey(b_priv);
	wg_pubkey(x.b_pub, b_priv);
	a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, x.a_priv, 32);
	b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, x.b_pub, 32);
	x.derive = a ? EVP_PKEY_CTX_new(a, NULL) : NULL;
	if (!x.derive || !b || EVP_PKEY_derive_init(x.derive) <= 0 ||
	    EVP_PKEY_derive_set_peer(x.derive, b) <= 0)
		fail("OpenSSL X25519 set-up");
	/* The two libraries agree. */
	if (!wg_dh(s1, x.a_priv, x.b_pub) || !evp_x25519_raw(s2, x.a_priv, x.b_pub) ||
	    memcmp(s1, s2, 32) != 0)
		fail("X25519: libsodium and OpenSSL differ");
	wg_pubkey(s1, b_priv);
	if (!evp_x25519_pub(s2, b_priv) || memcmp(s1, s2, 32) != 0)
		fail("X25519 public key: libsodium and OpenSSL differ");

	memset(cases, 0, sizeof(cases));
	for (int c = 0; c < 7; c++)
		cases[c] = (struct bcase){ .name = names[c],
					   .run = runs[c],
					   .ctx = c < 2 ? (void *)&f : (void *)&x,
					   .ok = true };
	printf("\n### Handshakes and X25519\n\n");
	run_table(cases, 7, "ns/op");
	for (int c = 0; c < 7; c++)
		if (!cases[c].ok)
			fail(cases[c].name);
	/* The last DH of each case is the same shared secret. */
	wg_dh(s1, x.a_priv, x.b_pub);
	{
		size_t len = 32;

		if (EVP_PKEY_derive(x.derive, s2, &len) <= 0 || memcmp(s1, s2, 32) != 0)
			fail("X25519 prepared derive");
	}
	EVP_PKEY_CTX_free(x.derive);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	wg_crypto_free(f.c);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1420, 8192 };
	double ratios[3][2][2];
	struct impl im = { 0 };
	const char *why = NULL;
	EVP_CIPHER *chacha;

	if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
		round_s = 0.02;
		n_runs = 2;
	}
	bench_print_conditions();
	if (!wg_crypto_global_init(&why)) {
		fprintf(stderr, "bench-wg-crypto: %s\n", why);
		return 1;
	}
	printf("%s; libsodium %s; %u runs of ~%.2f s per case, interleaved\n",
	       OpenSSL_version(OPENSSL_VERSION), sodium_version_string(), n_runs, round_s);
	chacha = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	randombytes_buf(im.key, sizeof(im.key));
	im.evp_seal = EVP_CIPHER_CTX_new();
	im.evp_open = EVP_CIPHER_CTX_new();
	if (!chacha || EVP_EncryptInit_ex2(im.evp_seal, chacha, im.key, NULL, NULL) <= 0 ||
	    EVP_DecryptInit_ex2(im.evp_open, chacha, im.key, NULL, NULL) <= 0) {
		fprintf(stderr, "bench-wg-crypto: OpenSSL ChaCha20-Poly1305 unavailable\n");
		return 1;
	}
	im.core_seal = wg_aead_key_new(im.key, true);
	im.core_open = wg_aead_key_new(im.key, false);
	if (!im.core_seal || !im.core_open)
		return 1;

	for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++)
		bench_transport(&im, sizes[s], ratios[s]);
	printf("\n### Core / raw EVP (EVP time over core time, medians; target >= 90 %%)\n\n");
	printf("| size | seal | seal, copy taken out | open | open, copy taken out |\n");
	printf("|---:|---:|---:|---:|---:|\n");
	for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++)
		printf("| %zu B | %.0f %% | %.0f %% | %.0f %% | %.0f %% |\n", sizes[s],
		       100 * ratios[s][0][0], 100 * ratios[s][0][1], 100 * ratios[s][1][0],
		       100 * ratios[s][1][1]);
	bench_handshakes();

	wg_aead_key_free(im.core_seal);
	wg_aead_key_free(im.core_open);
	EVP_CIPHER_CTX_free(im.evp_seal);
	EVP_CIPHER_CTX_free(im.evp_open);
	EVP_CIPHER_free(chacha);
	{
		g_autofree char *load = NULL;

		g_file_get_contents("/proc/loadavg", &load, NULL, NULL);
		printf("\nloadavg at the end: %s", load ? load : "unknown\n");
	}
	if (!all_ok) {
		fprintf(stderr, "bench-wg-crypto: a check failed\n");
		return 1;
	}
	return 0;
}
