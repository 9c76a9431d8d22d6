// SPDX-License-Identifier: MIT
/* test-lpm.c - Unit tests of the longest-prefix-match toolkit (toolkit/lpm.h) */
#include <string.h>
#include <arpa/inet.h>
#include <glib.h>

#include <pktkit/error.h>
#include <pktkit/toolkit/lpm.h>

static struct pk_lpm_route r4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len,
			      uint32_t value)
{
	struct pk_lpm_route r = { .family = 4, .len = len, .value = value };

	r.addr[0] = a;
	r.addr[1] = b;
	r.addr[2] = c;
	r.addr[3] = d;
	return r;
}

static struct pk_lpm_route r6(const char *text, uint8_t len, uint32_t value)
{
	struct pk_lpm_route r = { .family = 6, .len = len, .value = value };

	g_assert_cmpint(inet_pton(AF_INET6, text, r.addr), ==, 1);
	return r;
}

static uint32_t look4(const struct pk_lpm *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t addr[4] = { a, b, c, d };

	return pk_lpm_lookup4(t, addr);
}

static uint32_t look6(const struct pk_lpm *t, const char *text)
{
	uint8_t addr[16];

	g_assert_cmpint(inet_pton(AF_INET6, text, addr), ==, 1);
	return pk_lpm_lookup6(t, addr);
}

static void test_empty(void)
{
	g_autoptr(GError) error = NULL;
	struct pk_lpm *t;

	/* NULL stands for an empty table. */
	g_assert_cmpuint(look4(NULL, 10, 0, 0, 1), ==, PK_LPM_NONE);
	g_assert_cmpuint(look6(NULL, "2001:db8::1"), ==, PK_LPM_NONE);
	g_assert_cmpuint(pk_lpm_n_routes(NULL, 0), ==, 0);
	pk_lpm_free(NULL);
	/* A table built from no routes: valid, matches nothing. */
	t = pk_lpm_build(NULL, 0, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(t);
	g_assert_cmpuint(look4(t, 10, 0, 0, 1), ==, PK_LPM_NONE);
	g_assert_cmpuint(look4(t, 0, 0, 0, 0), ==, PK_LPM_NONE);
	g_assert_cmpuint(look6(t, "2001:db8::1"), ==, PK_LPM_NONE);
	g_assert_cmpuint(look6(t, "::"), ==, PK_LPM_NONE);
	g_assert_cmpuint(pk_lpm_n_routes(t, 0), ==, 0);
	g_assert_cmpuint(pk_lpm_n_routes(t, 4), ==, 0);
	g_assert_cmpuint(pk_lpm_n_routes(t, 6), ==, 0);
	/* No trie, no hash table: only the table's header. */
	g_assert_cmpuint(pk_lpm_memory(t), <, 8192);
	pk_lpm_free(t);
}

static void test_default_only(void)
{
	const struct pk_lpm_route routes[] = { r4(0, 0, 0, 0, 0, 7), r6("::", 0, 8) };
	struct pk_lpm *t = pk_lpm_build(routes, 2, NULL, NULL);

	g_assert_nonnull(t);
	/* No trie for a default route alone (a trie takes 256 KiB). */
	g_assert_cmpuint(pk_lpm_memory(t), <, 8192);
	g_assert_cmpuint(look4(t, 1, 2, 3, 4), ==, 7);
	g_assert_cmpuint(look4(t, 255, 255, 255, 255), ==, 7);
	g_assert_cmpuint(look6(t, "2001:db8::1"), ==, 8);
	pk_lpm_free(t);
}

static void test_longest_wins(void)
{
	/* Most specific route listed last and first: order must not matter. */
	const struct pk_lpm_route routes[] = {
		r4(10, 0, 0, 0, 8, 1),	     r4(10, 1, 0, 0, 16, 2), r4(10, 1, 2, 0, 24, 3),
		r4(10, 1, 2, 3, 32, 4),	     r4(0, 0, 0, 0, 0, 9),   r4(192, 168, 0, 0, 16, 5),
		r4(192, 168, 77, 99, 24, 6), /* host bits ignored */
	};
	struct pk_lpm_route rev[G_N_ELEMENTS(routes)];

	for (int pass = 0; pass < 2; pass++) {
		struct pk_lpm *t;

		for (guint i = 0; i < G_N_ELEMENTS(routes); i++)
			rev[i] = routes[pass ? G_N_ELEMENTS(routes) - 1 - i : i];
		t = pk_lpm_build(rev, G_N_ELEMENTS(rev), NULL, NULL);
		g_assert_nonnull(t);
		g_assert_cmpuint(pk_lpm_n_routes(t, 4), ==, G_N_ELEMENTS(routes));
		g_assert_cmpuint(pk_lpm_n_routes(t, 6), ==, 0);
		/* The trie plus one second-level chunk per /16 with longer routes
		 * (10.1, 192.168) and one third-level chunk (10.1.2). */
		g_assert_cmpuint(pk_lpm_memory(t), >=, 65536 * 4 + 3 * 1024);
		g_assert_cmpuint(look4(t, 10, 1, 2, 3), ==, 4);
		g_assert_cmpuint(look4(t, 10, 1, 2, 4), ==, 3);
		g_assert_cmpuint(look4(t, 10, 1, 3, 3), ==, 2);
		g_assert_cmpuint(look4(t, 10, 2, 2, 3), ==, 1);
		g_assert_cmpuint(look4(t, 11, 1, 2, 3), ==, 9);
		g_assert_cmpuint(look4(t, 192, 168, 77, 1), ==, 6);
		g_assert_cmpuint(look4(t, 192, 168, 78, 1), ==, 5);
		g_assert_cmpuint(look4(t, 255, 255, 255, 255), ==, 9);
		/* No IPv6 routes: IPv4's default does not apply. */
		g_assert_cmpuint(look6(t, "::1"), ==, PK_LPM_NONE);
		pk_lpm_free(t);
	}
}

static void test_ipv6(void)
{
	const struct pk_lpm_route routes[] = {
		r6("fd00::", 8, 1),
		r6("fd00:1::", 32, 2),
		r6("fd00:1:0:5::", 64, 3),
		r6("fd00:1:0:5::77", 128, 4),
		r6("2001:db8::", 48, 5),
		r6("2001:db8:0:0:8000::", 65, 6),
		r6("::", 0, 7),
	};
	struct pk_lpm *t = pk_lpm_build(routes, G_N_ELEMENTS(routes), NULL, NULL);

	g_assert_nonnull(t);
	g_assert_cmpuint(pk_lpm_n_routes(t, 6), ==, G_N_ELEMENTS(routes));
	g_assert_cmpuint(look6(t, "fd00:1:0:5::77"), ==, 4);
	g_assert_cmpuint(look6(t, "fd00:1:0:5::78"), ==, 3);
	g_assert_cmpuint(look6(t, "fd00:1:0:6::1"), ==, 2);
	g_assert_cmpuint(look6(t, "fd00:2::1"), ==, 1);
	g_assert_cmpuint(look6(t, "fe80::1"), ==, 7);
	g_assert_cmpuint(look6(t, "2001:db8::1"), ==, 5);
	g_assert_cmpuint(look6(t, "2001:db8::8000:0:0:1"), ==, 6);
	g_assert_cmpuint(look6(t, "2001:db8::7fff:0:0:1"), ==, 5);
	g_assert_cmpuint(look4(t, 10, 0, 0, 1), ==, PK_LPM_NONE);
	pk_lpm_free(t);
}

/* pk_lpm_lookup() picks the family's table; other families match nothing. */
static void test_lookup_family(void)
{
	const struct pk_lpm_route routes[] = {
		r4(10, 0, 0, 0, 8, 1),
		r4(0, 0, 0, 0, 0, 2),
		r6("fd00::", 8, 3),
		r6("::", 0, 4),
	};
	const uint8_t a4[4] = { 10, 2, 3, 4 }, b4[4] = { 11, 2, 3, 4 };
	uint8_t a6[16], b6[16];
	struct pk_lpm *t = pk_lpm_build(routes, G_N_ELEMENTS(routes), NULL, NULL);

	g_assert_nonnull(t);
	g_assert_cmpint(inet_pton(AF_INET6, "fd00::1", a6), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET6, "2001:db8::1", b6), ==, 1);
	g_assert_cmpuint(pk_lpm_lookup(t, 4, a4), ==, 1);
	g_assert_cmpuint(pk_lpm_lookup(t, 4, b4), ==, 2);
	g_assert_cmpuint(pk_lpm_lookup(t, 6, a6), ==, 3);
	g_assert_cmpuint(pk_lpm_lookup(t, 6, b6), ==, 4);
	g_assert_cmpuint(pk_lpm_lookup(t, 0, a6), ==, PK_LPM_NONE);
	g_assert_cmpuint(pk_lpm_lookup(t, 5, a6), ==, PK_LPM_NONE);
	g_assert_cmpuint(pk_lpm_lookup(NULL, 4, a4), ==, PK_LPM_NONE);
	g_assert_cmpuint(pk_lpm_n_routes(t, 0), ==, 4);
	g_assert_cmpuint(pk_lpm_n_routes(t, 5), ==, 0);
	pk_lpm_free(t);
}

static void test_errors(void)
{
	struct pk_lpm_route routes[] = {
		r4(10, 0, 0, 0, 8, 1), r4(10, 9, 9, 9, 8, 1), /* same prefix, same value: fine */
		r4(10, 1, 0, 0, 16, 2),
		r4(10, 1, 3, 3, 16, 3), /* same prefix as [2], other value */
	};
	size_t bad[2];
	struct pk_lpm *t;
	GError *error = NULL;

	t = pk_lpm_build(routes, 3, bad, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pk_lpm_n_routes(t, 4), ==, 2);
	pk_lpm_free(t);
	t = pk_lpm_build(routes, 4, bad, &error);
	g_assert_null(t);
	g_assert_error(error, PK_ERROR, PK_ERROR_EXISTS);
	g_assert_nonnull(strstr(error->message, "routes[3]"));
	g_assert_nonnull(strstr(error->message, "routes[2]"));
	g_clear_error(&error);
	g_assert_cmpuint(bad[0], ==, 3);
	g_assert_cmpuint(bad[1], ==, 2);
	routes[1].len = 33;
	g_assert_null(pk_lpm_build(routes, 2, bad, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "routes[1]"));
	g_clear_error(&error);
	g_assert_cmpuint(bad[0], ==, 1);
	g_assert_cmpuint(bad[1], ==, 1);
	routes[1].family = 5;
	routes[1].len = 8;
	g_assert_null(pk_lpm_build(routes, 2, NULL, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_clear_error(&error);
	routes[1] = r4(1, 2, 3, 4, 32, PK_LPM_NONE);
	g_assert_null(pk_lpm_build(routes, 2, bad, NULL));
	routes[1] = r4(1, 2, 3, 4, 32, PK_LPM_VALUE_MAX + 1);
	g_assert_null(pk_lpm_build(routes, 2, bad, NULL));
	routes[1] = r6("::1", 129, 1);
	g_assert_null(pk_lpm_build(routes, 2, bad, NULL));
	/* The largest value is a value like any other. */
	routes[1] = r4(1, 2, 3, 4, 32, PK_LPM_VALUE_MAX);
	t = pk_lpm_build(routes, 2, NULL, NULL);
	g_assert_nonnull(t);
	g_assert_cmpuint(look4(t, 1, 2, 3, 4), ==, PK_LPM_VALUE_MAX);
	g_assert_cmpuint(look4(t, 10, 2, 3, 4), ==, 1);
	pk_lpm_free(t);
}

/*
 * The duplicate rule: the same family, length and masked address is one
 * prefix, whatever the host bits say. The same value again counts once;
 * another value is refused, naming both routes, in either family, and
 * however far apart the two are. Equal addresses of different lengths or
 * families are different prefixes.
 */
static void test_duplicates(void)
{
	const struct pk_lpm_route same[] = {
		r6("fd00:1::", 32, 5),	     r4(10, 1, 0, 0, 16, 2),
		r6("fd00:1:ffff::1", 32, 5), /* host bits differ: same prefix */
		r4(10, 1, 255, 255, 16, 2),  r4(10, 1, 0, 0, 16, 2),
		r4(10, 1, 0, 0, 17, 3), /* another length: another prefix */
		r6("::a01:0", 16, 4),	/* 10.1.0.0's bits as IPv6: unrelated */
	};
	struct pk_lpm_route clash[] = {
		r4(10, 1, 0, 0, 16, 2), r6("fd00:1::", 32, 5), r4(192, 168, 0, 0, 16, 7),
		r6("fd00:1:8000::", 32, 6), /* fd00:1::/32 again, another value */
	};
	GError *error = NULL;
	struct pk_lpm *t;
	size_t bad[2];

	t = pk_lpm_build(same, G_N_ELEMENTS(same), NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pk_lpm_n_routes(t, 4), ==, 2);
	g_assert_cmpuint(pk_lpm_n_routes(t, 6), ==, 2);
	g_assert_cmpuint(pk_lpm_n_routes(t, 0), ==, 4);
	g_assert_cmpuint(look4(t, 10, 1, 200, 1), ==, 2);
	g_assert_cmpuint(look4(t, 10, 1, 100, 1), ==, 3);
	g_assert_cmpuint(look6(t, "fd00:1:1234::1"), ==, 5);
	g_assert_cmpuint(look6(t, "0:0:0:0:0:0:a01:1"), ==, 4);
	pk_lpm_free(t);

	t = pk_lpm_build(clash, G_N_ELEMENTS(clash), bad, &error);
	g_assert_null(t);
	g_assert_error(error, PK_ERROR, PK_ERROR_EXISTS);
	g_assert_cmpuint(bad[0], ==, 3);
	g_assert_cmpuint(bad[1], ==, 1);
	g_assert_nonnull(strstr(error->message, "routes[3]: fd00:1:8000::/32"));
	g_clear_error(&error);
	/* The clash of a family checked first wins the report; each is found. */
	clash[2] = r4(10, 1, 2, 3, 16, 9);
	t = pk_lpm_build(clash, G_N_ELEMENTS(clash), bad, &error);
	g_assert_null(t);
	g_assert_error(error, PK_ERROR, PK_ERROR_EXISTS);
	g_assert_cmpuint(bad[0], ==, 2);
	g_assert_cmpuint(bad[1], ==, 0);
	g_clear_error(&error);
	/* Resolved by the caller (last one wins): builds. */
	clash[0].value = 9;
	clash[1].value = 6;
	t = pk_lpm_build(clash, G_N_ELEMENTS(clash), bad, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(look4(t, 10, 1, 0, 1), ==, 9);
	g_assert_cmpuint(look6(t, "fd00:1::1"), ==, 6);
	pk_lpm_free(t);
}

/* A table with routes of one family only; and the same table read by
 * several threads at once (immutable after the build). */
static gpointer lookup_thread(gpointer data)
{
	const struct pk_lpm *t = data;
	uint32_t bad = 0;

	for (uint32_t i = 0; i < 200000; i++) {
		const uint8_t a[4] = { 10, (uint8_t)(i >> 8), (uint8_t)i, 1 };

		uint32_t want = a[1] == 0 ? a[2] : 0;

		bad += pk_lpm_lookup4(t, a) != want;
	}
	return GUINT_TO_POINTER(bad);
}

static void test_threads(void)
{
	struct pk_lpm_route routes[256];
	GThread *th[4];
	struct pk_lpm *t;

	for (uint32_t i = 0; i < 256; i++)
		routes[i] = r4(10, 0, (uint8_t)i, 0, 24, i);
	routes[0] = r4(10, 0, 0, 0, 8, 0); /* 10.x.0.0/24 fall back to it */
	t = pk_lpm_build(routes, G_N_ELEMENTS(routes), NULL, NULL);
	g_assert_nonnull(t);
	for (guint i = 0; i < G_N_ELEMENTS(th); i++)
		th[i] = g_thread_new("lpm", lookup_thread, t);
	for (guint i = 0; i < G_N_ELEMENTS(th); i++)
		g_assert_cmpuint(GPOINTER_TO_UINT(g_thread_join(th[i])), ==, 0);
	pk_lpm_free(t);
}

/* Reference: linear scan for the longest covering prefix. */
static uint32_t naive_lookup(const struct pk_lpm_route *routes, uint32_t n, uint8_t family,
			     const uint8_t *addr)
{
	int best_len = -1;
	uint32_t best = PK_LPM_NONE;

	for (uint32_t i = 0; i < n; i++) {
		const struct pk_lpm_route *r = &routes[i];
		bool match = r->family == family;

		for (uint32_t bit = 0; match && bit < r->len; bit++)
			match = ((r->addr[bit / 8] ^ addr[bit / 8]) & (0x80 >> (bit % 8))) == 0;
		if (match && (int)r->len > best_len) {
			best_len = r->len;
			best = r->value;
		}
	}
	return best;
}

/* Random tables of 1..3000 routes clustered in a few regions, checked
 * against the naive scan for random and route-derived addresses. */
static void test_random_vs_naive(void)
{
	GRand *rnd = g_rand_new_with_seed(42);
	uint32_t hits = 0;

	for (int round = 0; round < 60; round++) {
		uint8_t family = round % 2 ? 6 : 4;
		uint32_t maxlen = family == 4 ? 32 : 128, alen = family == 4 ? 4 : 16;
		uint32_t n = g_rand_int_range(rnd, 1, round < 40 ? 60 : 3000);
		struct pk_lpm_route *routes = g_new0(struct pk_lpm_route, n);
		/* Few distinct lengths in some rounds, all lengths in others. */
		uint32_t len_pool = round % 3 == 0 ? maxlen + 1 : 4;
		uint32_t lens[4] = { 0, 8, maxlen / 2, maxlen };
		uint8_t base[16];
		struct pk_lpm *t;
		uint32_t k = 0;

		for (uint32_t i = 0; i < alen; i++)
			base[i] = (uint8_t)g_rand_int(rnd);
		for (uint32_t i = 0; i < n; i++) {
			struct pk_lpm_route *r = &routes[k];
			uint32_t len = len_pool == 4
					       ? lens[g_rand_int_range(rnd, 0, 4)]
					       : (uint32_t)g_rand_int_range(rnd, 0, maxlen + 1);

			r->family = family;
			r->len = (uint8_t)len;
			r->value = g_rand_int_range(rnd, 0, 1000);
			/* Near the base address so prefixes nest. */
			memcpy(r->addr, base, alen);
			for (uint32_t j = g_rand_int_range(rnd, 0, alen); j < alen; j++)
				r->addr[j] = (uint8_t)g_rand_int(rnd);
			/* Canonical host bits, and no conflicting duplicates. */
			for (uint32_t bit = len; bit < alen * 8; bit++)
				r->addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
			if (naive_lookup(routes, k, family, r->addr) != PK_LPM_NONE) {
				bool dup = false;

				for (uint32_t j = 0; j < k; j++)
					dup |= routes[j].len == r->len &&
					       memcmp(routes[j].addr, r->addr, alen) == 0;
				if (dup)
					continue;
			}
			k++;
		}
		t = pk_lpm_build(routes, k, NULL, NULL);
		g_assert_nonnull(t);
		for (int q = 0; q < 3000; q++) {
			uint8_t addr[16];

			if (q % 2) {
				memcpy(addr, routes[g_rand_int_range(rnd, 0, k)].addr, alen);
				for (uint32_t j = g_rand_int_range(rnd, 0, alen); j < alen; j++)
					if (g_rand_boolean(rnd))
						addr[j] = (uint8_t)g_rand_int(rnd);
			} else {
				memcpy(addr, base, alen);
				for (uint32_t j = g_rand_int_range(rnd, 0, alen); j < alen; j++)
					addr[j] = (uint8_t)g_rand_int(rnd);
			}
			uint32_t want = naive_lookup(routes, k, family, addr);

			g_assert_cmpuint(family == 4 ? pk_lpm_lookup4(t, addr)
						     : pk_lpm_lookup6(t, addr),
					 ==, want);
			g_assert_cmpuint(pk_lpm_lookup(t, family, addr), ==, want);
			hits += want != PK_LPM_NONE;
		}
		pk_lpm_free(t);
		g_free(routes);
	}
	/* The queries did exercise matches, not only misses. */
	g_assert_cmpuint(hits, >, 60000);
	g_rand_free(rnd);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lpm/empty", test_empty);
	g_test_add_func("/lpm/default-only", test_default_only);
	g_test_add_func("/lpm/longest-wins", test_longest_wins);
	g_test_add_func("/lpm/ipv6", test_ipv6);
	g_test_add_func("/lpm/lookup-family", test_lookup_family);
	g_test_add_func("/lpm/errors", test_errors);
	g_test_add_func("/lpm/duplicates", test_duplicates);
	g_test_add_func("/lpm/threads", test_threads);
	g_test_add_func("/lpm/random-vs-naive", test_random_vs_naive);
	return g_test_run();
}
