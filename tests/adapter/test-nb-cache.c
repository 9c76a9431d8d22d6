// SPDX-License-Identifier: MIT
/* test-nb-cache.c - The adapter's neighbour cache: growth with use, limits, eviction, pending slots */
#include <glib.h>
#include <pktkit/buf.h>

#include "arp.h"

static void key_n(uint8_t key[NB_KEY_LEN], uint32_t n)
{
	const uint8_t ip[4] = { 10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	nb_key4(key, ip);
}

static const uint8_t mac_a[PK_ETH_ALEN] = { 2, 0, 0, 0, 0, 1 };

/* A new cache is small; learning many neighbours grows it up to the limit and
 * every one stays findable; at the limit the oldest reachable one is evicted. */
static void test_grow_to_limit(void)
{
	struct nb_cache c;
	uint8_t key[NB_KEY_LEN];
	uint32_t idx, evicted = 0;

	nb_cache_init(&c, 1000, 4, 1000);
	g_assert_cmpuint(c.size, ==, 16);
	for (uint32_t i = 0; i < 1000; i++) {
		key_n(key, i);
		g_assert_cmpint(nb_cache_learn(&c, key, mac_a, i, true, &idx, &evicted), ==,
				NB_LEARN_NEW);
	}
	g_assert_cmpuint(c.size, ==, 1000);
	g_assert_cmpuint(c.n, ==, 1000);
	g_assert_cmpuint(c.mask + 1, >=, 1000);
	g_assert_cmpuint(evicted, ==, 0);
	for (uint32_t i = 0; i < 1000; i++) {
		key_n(key, i);
		g_assert_nonnull(nb_cache_lookup(&c, key, 999));
	}
	/* Full: the neighbour learned first (earliest deadline) makes room. */
	key_n(key, 5000);
	g_assert_cmpint(nb_cache_learn(&c, key, mac_a, 2000, true, &idx, &evicted), ==, NB_LEARN_NEW);
	g_assert_cmpuint(evicted, ==, 1);
	g_assert_cmpuint(c.size, ==, 1000);
	key_n(key, 0);
	g_assert_cmpuint(nb_cache_find(&c, key), ==, NB_NONE);

	/* Clearing shrinks it back. */
	nb_cache_clear(&c);
	g_assert_cmpuint(c.size, ==, 16);
	g_assert_cmpuint(c.n, ==, 0);
	key_n(key, 7);
	g_assert_cmpuint(nb_cache_find(&c, key), ==, NB_NONE);
	nb_cache_free(&c);
}

/* Pending slots grow too, per-hop and total limits still hold, and buffers
 * parked in grown slots come back in order. */
static void test_pending_grows(void)
{
	struct nb_cache c;
	uint8_t key[NB_KEY_LEN];
	const uint32_t hops = 40, per_hop = 4;

	nb_cache_init(&c, 100, per_hop, 1000);
	g_assert_cmpuint(c.pend_size, ==, 16);
	for (uint32_t h = 0; h < hops; h++) {
		uint32_t idx;

		key_n(key, h);
		idx = nb_cache_add_incomplete(&c, key, 10, NULL);
		g_assert_cmpuint(idx, !=, NB_NONE);
		for (uint32_t k = 0; k < per_hop; k++) {
			uint8_t byte = (uint8_t)k;
			struct pk_buf *b = pk_buf_new_copy(&byte, 1);

			g_assert_true(nb_cache_enqueue(&c, idx, b));
		}
		/* The per-hop limit. */
		{
			struct pk_buf *b = pk_buf_alloc(64);

			g_assert_false(nb_cache_enqueue(&c, idx, b));
			pk_buf_unref(b);
		}
	}
	g_assert_cmpuint(c.pend_size, >=, hops * per_hop);
	g_assert_cmpuint(c.pend_size, <=, c.pend_cap);
	for (uint32_t h = 0; h < hops; h++) {
		struct pk_buf *b;
		uint32_t k = 0;

		key_n(key, h);
		while ((b = nb_cache_dequeue(&c, nb_cache_find(&c, key)))) {
			g_assert_cmpuint(pk_buf_data(b)[0], ==, k++);
			pk_buf_unref(b);
		}
		g_assert_cmpuint(k, ==, per_hop);
	}
	/* Buffers still parked are released by clear and free. */
	key_n(key, 999);
	g_assert_true(nb_cache_enqueue(&c, nb_cache_add_incomplete(&c, key, 10, NULL),
				       pk_buf_alloc(64)));
	nb_cache_clear(&c);
	g_assert_true(nb_cache_enqueue(&c, nb_cache_add_incomplete(&c, key, 10, NULL),
				       pk_buf_alloc(64)));
	nb_cache_free(&c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/adapter/nb-cache/grow-to-limit", test_grow_to_limit);
	g_test_add_func("/adapter/nb-cache/pending-grows", test_pending_grows);
	return g_test_run();
}
