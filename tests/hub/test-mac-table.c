// SPDX-License-Identifier: MIT
/* test-mac-table.c - Unit tests of the l2.hub MAC table (pure, no graph) */
#include <glib.h>

#include "mac-table.h"

static uint64_t mac_n(uint32_t n)
{
	/* 02:00:xx:xx:xx:xx, locally administered unicast, as loaded. */
	uint8_t b[8] = { 0x02, 0x00, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
			 (uint8_t)n, 0xee, 0xee };

	return mac_table_load_mac(b);
}

static void test_load_mac(void)
{
	uint8_t b[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xaa, 0xbb };
	uint64_t m = mac_table_load_mac(b);

	g_assert_cmphex(m, ==, UINT64_C(0x060504030201));
	g_assert_true(m & 1);	/* group bit of byte 0 is bit 0 */
	g_assert_cmphex(mac_table_key(4095, m) >> 48, ==, 0x8fff);
	g_assert_cmphex(mac_table_key(0, 0), !=, 0);
}

static void test_learn_lookup(void)
{
	struct mac_table t;
	uint64_t a = mac_table_key(0, mac_n(1)), b = mac_table_key(0, mac_n(2));
	uint64_t a10 = mac_table_key(10, mac_n(1));

	g_assert_true(mac_table_init(&t, 100, 1000));
	g_assert_cmpuint(mac_table_lookup(&t, a, 0), ==, MAC_TABLE_MISS);
	g_assert_cmpuint(mac_table_learn(&t, a, 3, 0), ==, MAC_LEARN_NEW);
	g_assert_cmpuint(mac_table_learn(&t, a, 3, 5), ==, MAC_LEARN_REFRESHED);
	g_assert_cmpuint(mac_table_lookup(&t, a, 5), ==, 3);
	g_assert_cmpuint(mac_table_lookup(&t, b, 5), ==, MAC_TABLE_MISS);
	/* Same MAC on another VLAN is another entry. */
	g_assert_cmpuint(mac_table_lookup(&t, a10, 5), ==, MAC_TABLE_MISS);
	g_assert_cmpuint(mac_table_learn(&t, a10, 7, 5), ==, MAC_LEARN_NEW);
	g_assert_cmpuint(mac_table_lookup(&t, a10, 5), ==, 7);
	g_assert_cmpuint(mac_table_lookup(&t, a, 5), ==, 3);
	/* Move. */
	g_assert_cmpuint(mac_table_learn(&t, a, 4, 6), ==, MAC_LEARN_MOVED);
	g_assert_cmpuint(mac_table_lookup(&t, a, 6), ==, 4);
	g_assert_cmpuint(t.count, ==, 2);
	g_assert_true(mac_table_remove(&t, a));
	g_assert_false(mac_table_remove(&t, a));
	g_assert_cmpuint(mac_table_lookup(&t, a, 6), ==, MAC_TABLE_MISS);
	g_assert_cmpuint(t.count, ==, 1);
	mac_table_clear(&t);
	g_assert_cmpuint(t.count, ==, 0);
	g_assert_cmpuint(mac_table_lookup(&t, a10, 6), ==, MAC_TABLE_MISS);
	mac_table_free(&t);
}

static void test_aging(void)
{
	struct mac_table t;
	uint64_t a = mac_table_key(1, mac_n(1)), b = mac_table_key(1, mac_n(2));

	g_assert_true(mac_table_init(&t, 16, 100));
	mac_table_learn(&t, a, 1, 1000);
	mac_table_learn(&t, b, 2, 1000);
	g_assert_cmpuint(mac_table_lookup(&t, a, 1100), ==, 1);
	g_assert_cmpuint(mac_table_lookup(&t, a, 1101), ==, MAC_TABLE_MISS);
	/* Refreshing keeps it alive. */
	g_assert_cmpuint(mac_table_learn(&t, a, 1, 1100), ==, MAC_LEARN_REFRESHED);
	g_assert_cmpuint(mac_table_lookup(&t, a, 1200), ==, 1);
	/* b is stale: relearning reports NEW with AGED. */
	g_assert_cmpuint(mac_table_lookup(&t, b, 1150), ==, MAC_TABLE_MISS);
	g_assert_cmpuint(mac_table_learn(&t, b, 5, 1150), ==, MAC_LEARN_NEW | MAC_LEARN_AGED);
	g_assert_cmpuint(mac_table_lookup(&t, b, 1150), ==, 5);
	/* Sweep removes only what is stale. */
	g_assert_cmpuint(mac_table_sweep(&t, 1220), ==, 1);	/* a: seen 1100 */
	g_assert_cmpuint(t.count, ==, 1);
	g_assert_cmpuint(mac_table_lookup(&t, b, 1220), ==, 5);
	/* Ticks wrap. */
	mac_table_clear(&t);
	mac_table_learn(&t, a, 1, UINT32_MAX - 10);
	g_assert_cmpuint(mac_table_lookup(&t, a, 50), ==, 1);
	g_assert_cmpuint(mac_table_lookup(&t, a, 90), ==, MAC_TABLE_MISS);
	/* Shorter aging applies to existing entries. */
	mac_table_learn(&t, b, 2, 100);
	mac_table_set_max_age(&t, 10);
	g_assert_cmpuint(mac_table_lookup(&t, b, 111), ==, MAC_TABLE_MISS);
	mac_table_free(&t);
}

static void test_full(void)
{
	struct mac_table t;

	g_assert_true(mac_table_init(&t, 8, 100));
	for (uint32_t i = 0; i < 8; i++)
		g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(i)), i, 0), ==,
				 MAC_LEARN_NEW);
	g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(100)), 1, 0), ==,
			 MAC_LEARN_FULL);
	g_assert_cmpuint(mac_table_lookup(&t, mac_table_key(0, mac_n(100)), 0), ==,
			 MAC_TABLE_MISS);
	/* Known MACs still refresh and move when full. */
	g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(3)), 3, 1), ==,
			 MAC_LEARN_REFRESHED);
	g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(3)), 4, 1), ==,
			 MAC_LEARN_MOVED);
	/* Once everything is stale a new key may take a stale slot, or the
	 * sweep frees room. */
	g_assert_cmpuint(mac_table_sweep(&t, 101), ==, 7);
	g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(100)), 1, 101), ==,
			 MAC_LEARN_NEW);
	mac_table_free(&t);
	g_assert_false(mac_table_init(&t, 0, 1));
	g_assert_false(mac_table_init(&t, MAC_TABLE_MAX_ENTRIES + 1, 1));
}

/* Memory follows use: small when empty, doubled as keys arrive, halved after
 * a sweep or purge empties it, never past what the limit needs. */
static void test_grow_shrink(void)
{
	struct mac_table t;
	const uint32_t n = 10000;

	g_assert_true(mac_table_init(&t, 16384, 1000));
	g_assert_cmpuint(mac_table_bytes(&t), ==, 16 * sizeof(struct mac_entry));
	for (uint32_t i = 0; i < n; i++) {
		g_assert_cmpuint(mac_table_learn(&t, mac_table_key(i & 7, mac_n(i)), i % 13, 0), ==,
				 MAC_LEARN_NEW);
		/* Never more than half full, so probe paths stay short. */
		g_assert_cmpuint((uint64_t)t.count * 2, <=, (uint64_t)t.mask + 1);
	}
	g_assert_cmpuint(mac_table_bytes(&t), ==, 32768 * sizeof(struct mac_entry));
	for (uint32_t i = 0; i < n; i++)
		g_assert_cmpuint(mac_table_lookup(&t, mac_table_key(i & 7, mac_n(i)), 1), ==, i % 13);

	/* Half the keys go stale (refresh the others); the sweep shrinks nothing
	 * yet: 5000 in 32768 slots is more than an eighth. */
	for (uint32_t i = 0; i < n; i += 2)
		mac_table_learn(&t, mac_table_key(i & 7, mac_n(i)), i % 13, 900);
	g_assert_cmpuint(mac_table_sweep(&t, 1500), ==, n / 2);
	g_assert_cmpuint(mac_table_bytes(&t), ==, 32768 * sizeof(struct mac_entry));
	for (uint32_t i = 0; i < n; i++)
		g_assert_cmpuint(mac_table_lookup(&t, mac_table_key(i & 7, mac_n(i)), 1500), ==,
				 i % 2 ? MAC_TABLE_MISS : i % 13);

	/* Purging the ports empties it down to the initial size. */
	for (uint32_t p = 0; p < 13; p++)
		mac_table_purge_port(&t, p);
	g_assert_cmpuint(t.count, ==, 0);
	g_assert_cmpuint(mac_table_bytes(&t), ==, 16 * sizeof(struct mac_entry));

	/* The limit still holds while growing, and clear shrinks at once. */
	for (uint32_t i = 0; i < 16384; i++)
		g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(i)), 1, 2000), ==,
				 MAC_LEARN_NEW);
	g_assert_cmpuint(mac_table_learn(&t, mac_table_key(0, mac_n(99999)), 1, 2000), ==,
			 MAC_LEARN_FULL);
	g_assert_cmpuint(mac_table_bytes(&t), ==, 32768 * sizeof(struct mac_entry));
	mac_table_clear(&t);
	g_assert_cmpuint(mac_table_bytes(&t), ==, 16 * sizeof(struct mac_entry));
	g_assert_cmpuint(mac_table_lookup(&t, mac_table_key(0, mac_n(5)), 2000), ==, MAC_TABLE_MISS);
	mac_table_free(&t);

	/* A tiny limit makes a tiny table. */
	g_assert_true(mac_table_init(&t, 2, 1000));
	g_assert_cmpuint(mac_table_bytes(&t), ==, 4 * sizeof(struct mac_entry));
	mac_table_free(&t);
}

static void test_purge_port(void)
{
	struct mac_table t;

	g_assert_true(mac_table_init(&t, 1000, 100));
	for (uint32_t i = 0; i < 900; i++)
		mac_table_learn(&t, mac_table_key(i % 3, mac_n(i)), i % 7, 0);
	g_assert_cmpuint(mac_table_purge_port(&t, 3), ==, 900 / 7 + (900 % 7 > 3));
	for (uint32_t i = 0; i < 900; i++) {
		uint32_t p = mac_table_lookup(&t, mac_table_key(i % 3, mac_n(i)), 0);

		g_assert_cmpuint(p, ==, i % 7 == 3 ? MAC_TABLE_MISS : i % 7);
	}
	mac_table_free(&t);
}

/* Random operations against a GHashTable model, with a small table so that
 * clusters wrap around the end of the slot array. */
static void test_random_model(void)
{
	GRand *rnd = g_rand_new_with_seed(1234);
	GHashTable *model = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	struct mac_table t;
	const uint32_t cap = 24;
	uint32_t now = 0;

	g_assert_true(mac_table_init(&t, cap, 50));
	for (int iter = 0; iter < 200000; iter++) {
		uint64_t key = mac_table_key(g_rand_int_range(rnd, 0, 3),
					     mac_n(g_rand_int_range(rnd, 0, 40)));
		uint32_t port = g_rand_int_range(rnd, 0, 5);
		int op = g_rand_int_range(rnd, 0, 100);
		uint32_t *m;

		now += g_rand_int_range(rnd, 0, 3);
		m = g_hash_table_lookup(model, &key);
		if (op < 60) {
			unsigned int r = mac_table_learn(&t, key, port, now);
			bool fresh = m && (uint32_t)(now - m[1]) <= 50;

			if (fresh) {
				g_assert_cmpuint(MAC_LEARN_WHAT(r), ==,
						 m[0] == port ? MAC_LEARN_REFRESHED : MAC_LEARN_MOVED);
			} else if (MAC_LEARN_WHAT(r) == MAC_LEARN_FULL) {
				/* Only a key without a fresh entry is refused. */
				g_assert_cmpuint(t.count, ==, cap);
				continue;
			} else {
				g_assert_cmpuint(MAC_LEARN_WHAT(r), ==, MAC_LEARN_NEW);
			}
			if (!m) {
				uint64_t *k = g_new(uint64_t, 1);

				*k = key;
				m = g_new(uint32_t, 2);
				g_hash_table_insert(model, k, m);
			}
			m[0] = port;
			m[1] = now;
		} else if (op < 90) {
			uint32_t p = mac_table_lookup(&t, key, now);

			if (m && (uint32_t)(now - m[1]) <= 50)
				g_assert_cmpuint(p, ==, m[0]);
			else
				g_assert_cmpuint(p, ==, MAC_TABLE_MISS);
		} else if (op < 95) {
			GHashTableIter it;
			gpointer k, v;

			mac_table_sweep(&t, now);
			g_hash_table_iter_init(&it, model);
			while (g_hash_table_iter_next(&it, &k, &v))
				if ((uint32_t)(now - ((uint32_t *)v)[1]) > 50)
					g_hash_table_iter_remove(&it);
		} else if (op < 98) {
			GHashTableIter it;
			gpointer k, v;

			mac_table_purge_port(&t, port);
			g_hash_table_iter_init(&it, model);
			while (g_hash_table_iter_next(&it, &k, &v))
				if (((uint32_t *)v)[0] == port)
					g_hash_table_iter_remove(&it);
		} else {
			bool had = mac_table_remove(&t, key);

			/* The table may already have dropped a stale entry the model kept. */
			if (!m)
				g_assert_false(had);
			g_hash_table_remove(model, &key);
		}
		/* Every fresh model entry must be found. */
		if (iter % 97 == 0) {
			GHashTableIter it;
			gpointer k, v;

			g_hash_table_iter_init(&it, model);
			while (g_hash_table_iter_next(&it, &k, &v)) {
				uint32_t *mv = v;

				if ((uint32_t)(now - mv[1]) <= 50)
					g_assert_cmpuint(mac_table_lookup(&t, *(uint64_t *)k, now), ==,
							 mv[0]);
			}
		}
		g_assert_cmpuint(t.count, <=, cap);
	}
	mac_table_free(&t);
	g_hash_table_destroy(model);
	g_rand_free(rnd);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hub/mac-table/load-mac", test_load_mac);
	g_test_add_func("/hub/mac-table/learn-lookup", test_learn_lookup);
	g_test_add_func("/hub/mac-table/aging", test_aging);
	g_test_add_func("/hub/mac-table/full", test_full);
	g_test_add_func("/hub/mac-table/purge-port", test_purge_port);
	g_test_add_func("/hub/mac-table/grow-shrink", test_grow_shrink);
	g_test_add_func("/hub/mac-table/random-model", test_random_model);
	return g_test_run();
}
