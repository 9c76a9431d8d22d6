// SPDX-License-Identifier: MIT
/* test-route-table.c - Unit tests of the l3.router longest-prefix-match table (pure) */
#include <string.h>
#include <arpa/inet.h>
#include <glib.h>

#include "route-table.h"

static struct route r4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len, uint32_t value)
{
	struct route r = { .family = 4, .len = len, .value = value };

	r.addr[0] = a;
	r.addr[1] = b;
	r.addr[2] = c;
	r.addr[3] = d;
	return r;
}

static struct route r6(const char *text, uint8_t len, uint32_t value)
{
	struct route r = { .family = 6, .len = len, .value = value };

	g_assert_cmpint(inet_pton(AF_INET6, text, r.addr), ==, 1);
	return r;
}

static uint32_t look4(const struct route_table *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t addr[4] = { a, b, c, d };

	return route_table_lookup4(t, addr);
}

static uint32_t look6(const struct route_table *t, const char *text)
{
	uint8_t addr[16];

	g_assert_cmpint(inet_pton(AF_INET6, text, addr), ==, 1);
	return route_table_lookup6(t, addr);
}

static void test_empty(void)
{
	struct route_table t;

	route_table_init(&t);
	g_assert_cmpuint(look4(&t, 10, 0, 0, 1), ==, ROUTE_NONE);
	g_assert_cmpuint(look6(&t, "2001:db8::1"), ==, ROUTE_NONE);
	g_assert_cmpint(route_table_build(&t, NULL, 0, NULL), ==, ROUTE_OK);
	g_assert_cmpuint(look4(&t, 10, 0, 0, 1), ==, ROUTE_NONE);
	route_table_free(&t);
}

static void test_default_only(void)
{
	const struct route routes[] = { r4(0, 0, 0, 0, 0, 7), r6("::", 0, 8) };
	struct route_table t;

	g_assert_cmpint(route_table_build(&t, routes, 2, NULL), ==, ROUTE_OK);
	g_assert_null(t.v4.tbl16);	/* no trie for a default route alone */
	g_assert_null(t.v6.slots);
	g_assert_cmpuint(look4(&t, 1, 2, 3, 4), ==, 7);
	g_assert_cmpuint(look4(&t, 255, 255, 255, 255), ==, 7);
	g_assert_cmpuint(look6(&t, "2001:db8::1"), ==, 8);
	route_table_free(&t);
}

static void test_longest_wins(void)
{
	/* Most specific route listed last and first: order must not matter. */
	const struct route routes[] = {
		r4(10, 0, 0, 0, 8, 1),
		r4(10, 1, 0, 0, 16, 2),
		r4(10, 1, 2, 0, 24, 3),
		r4(10, 1, 2, 3, 32, 4),
		r4(0, 0, 0, 0, 0, 9),
		r4(192, 168, 0, 0, 16, 5),
		r4(192, 168, 77, 99, 24, 6),	/* host bits ignored */
	};
	struct route rev[G_N_ELEMENTS(routes)];
	struct route_table t;

	for (int pass = 0; pass < 2; pass++) {
		for (guint i = 0; i < G_N_ELEMENTS(routes); i++)
			rev[i] = routes[pass ? G_N_ELEMENTS(routes) - 1 - i : i];
		g_assert_cmpint(route_table_build(&t, rev, G_N_ELEMENTS(rev), NULL), ==, ROUTE_OK);
		g_assert_cmpuint(look4(&t, 10, 1, 2, 3), ==, 4);
		g_assert_cmpuint(look4(&t, 10, 1, 2, 4), ==, 3);
		g_assert_cmpuint(look4(&t, 10, 1, 3, 3), ==, 2);
		g_assert_cmpuint(look4(&t, 10, 2, 2, 3), ==, 1);
		g_assert_cmpuint(look4(&t, 11, 1, 2, 3), ==, 9);
		g_assert_cmpuint(look4(&t, 192, 168, 77, 1), ==, 6);
		g_assert_cmpuint(look4(&t, 192, 168, 78, 1), ==, 5);
		g_assert_cmpuint(look4(&t, 255, 255, 255, 255), ==, 9);
		/* No IPv6 routes: IPv4's default does not apply. */
		g_assert_cmpuint(look6(&t, "::1"), ==, ROUTE_NONE);
		route_table_free(&t);
	}
}

static void test_ipv6(void)
{
	const struct route routes[] = {
		r6("fd00::", 8, 1),
		r6("fd00:1::", 32, 2),
		r6("fd00:1:0:5::", 64, 3),
		r6("fd00:1:0:5::77", 128, 4),
		r6("2001:db8::", 48, 5),
		r6("2001:db8:0:0:8000::", 65, 6),
		r6("::", 0, 7),
	};
	struct route_table t;

	g_assert_cmpint(route_table_build(&t, routes, G_N_ELEMENTS(routes), NULL), ==, ROUTE_OK);
	g_assert_cmpuint(look6(&t, "fd00:1:0:5::77"), ==, 4);
	g_assert_cmpuint(look6(&t, "fd00:1:0:5::78"), ==, 3);
	g_assert_cmpuint(look6(&t, "fd00:1:0:6::1"), ==, 2);
	g_assert_cmpuint(look6(&t, "fd00:2::1"), ==, 1);
	g_assert_cmpuint(look6(&t, "fe80::1"), ==, 7);
	g_assert_cmpuint(look6(&t, "2001:db8::1"), ==, 5);
	g_assert_cmpuint(look6(&t, "2001:db8::8000:0:0:1"), ==, 6);
	g_assert_cmpuint(look6(&t, "2001:db8::7fff:0:0:1"), ==, 5);
	g_assert_cmpuint(look4(&t, 10, 0, 0, 1), ==, ROUTE_NONE);
	route_table_free(&t);
}

static void test_errors(void)
{
	struct route routes[] = {
		r4(10, 0, 0, 0, 8, 1),
		r4(10, 9, 9, 9, 8, 1),	/* same prefix, same value: fine */
		r4(10, 1, 0, 0, 16, 2),
		r4(10, 1, 3, 3, 16, 3),	/* same prefix as [2], other value */
	};
	uint32_t bad[2];
	struct route_table t;

	g_assert_cmpint(route_table_build(&t, routes, 3, bad), ==, ROUTE_OK);
	g_assert_cmpuint(t.v4.n_routes, ==, 2);
	route_table_free(&t);
	g_assert_cmpint(route_table_build(&t, routes, 4, bad), ==, ROUTE_ERR_DUPLICATE);
	g_assert_cmpuint(bad[0], ==, 3);
	g_assert_cmpuint(bad[1], ==, 2);
	g_assert_cmpuint(look4(&t, 10, 0, 0, 1), ==, ROUTE_NONE);
	routes[1].len = 33;
	g_assert_cmpint(route_table_build(&t, routes, 2, bad), ==, ROUTE_ERR_INVALID);
	g_assert_cmpuint(bad[0], ==, 1);
	routes[1].family = 5;
	routes[1].len = 8;
	g_assert_cmpint(route_table_build(&t, routes, 2, bad), ==, ROUTE_ERR_INVALID);
	routes[1] = r4(1, 2, 3, 4, 32, ROUTE_NONE);
	g_assert_cmpint(route_table_build(&t, routes, 2, bad), ==, ROUTE_ERR_INVALID);
}

/* Reference: linear scan for the longest covering prefix. */
static uint32_t naive_lookup(const struct route *routes, uint32_t n, uint8_t family,
			     const uint8_t *addr)
{
	int best_len = -1;
	uint32_t best = ROUTE_NONE;

	for (uint32_t i = 0; i < n; i++) {
		const struct route *r = &routes[i];
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
		struct route *routes = g_new0(struct route, n);
		/* Few distinct lengths in some rounds, all lengths in others. */
		uint32_t len_pool = round % 3 == 0 ? maxlen + 1 : 4;
		uint32_t lens[4] = { 0, 8, maxlen / 2, maxlen };
		uint8_t base[16];
		struct route_table t;
		uint32_t k = 0;

		for (uint32_t i = 0; i < alen; i++)
			base[i] = (uint8_t)g_rand_int(rnd);
		for (uint32_t i = 0; i < n; i++) {
			struct route *r = &routes[k];
			uint32_t len = len_pool == 4 ? lens[g_rand_int_range(rnd, 0, 4)]
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
			if (naive_lookup(routes, k, family, r->addr) != ROUTE_NONE) {
				bool dup = false;

				for (uint32_t j = 0; j < k; j++)
					dup |= routes[j].len == r->len &&
					       memcmp(routes[j].addr, r->addr, alen) == 0;
				if (dup)
					continue;
			}
			k++;
		}
		g_assert_cmpint(route_table_build(&t, routes, k, NULL), ==, ROUTE_OK);
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

			g_assert_cmpuint(family == 4 ? route_table_lookup4(&t, addr)
						     : route_table_lookup6(&t, addr),
					 ==, want);
			hits += want != ROUTE_NONE;
		}
		route_table_free(&t);
		g_free(routes);
	}
	/* The queries did exercise matches, not only misses. */
	g_assert_cmpuint(hits, >, 60000);
	g_rand_free(rnd);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hub/route-table/empty", test_empty);
	g_test_add_func("/hub/route-table/default-only", test_default_only);
	g_test_add_func("/hub/route-table/longest-wins", test_longest_wins);
	g_test_add_func("/hub/route-table/ipv6", test_ipv6);
	g_test_add_func("/hub/route-table/errors", test_errors);
	g_test_add_func("/hub/route-table/random-vs-naive", test_random_vs_naive);
	return g_test_run();
}
