// SPDX-License-Identifier: MIT
/* test-lease-table.c - The DHCP server's lease table: storage follows use, pointers stay valid */
#include <glib.h>

#include "lease-table.h"

static struct pk_mac mac_n(uint32_t n)
{
	struct pk_mac m = { { 0x02, 0, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, 1 } };

	return m;
}

static uint32_t chunks_in_use(const struct lease_table *t)
{
	uint32_t n = 0;

	for (uint32_t c = 0; c < (t->max + LEASE_CHUNK - 1) / LEASE_CHUNK; c++)
		n += t->chunks[c] != NULL;
	return n;
}

/* An empty table holds no entries; storage comes a chunk at a time, entries
 * keep their address while the table grows, and clear gives it all back. */
static void test_grows_with_use(void)
{
	struct lease_table t;
	struct lease *first;
	const uint32_t max = 4096, used = 100;

	lease_table_init(&t, max);
	g_assert_cmpuint(chunks_in_use(&t), ==, 0);
	g_assert_cmpuint(t.n_free, ==, max);

	struct pk_mac m0 = mac_n(0);

	first = lease_table_add(&t, 0x0a000001, &m0, LEASE_BOUND, 100);
	g_assert_nonnull(first);
	g_assert_cmpuint(chunks_in_use(&t), ==, 1);
	for (uint32_t i = 1; i < used; i++) {
		struct pk_mac m = mac_n(i);

		g_assert_nonnull(lease_table_add(&t, 0x0a000001 + i, &m, LEASE_OFFERED, 100 + i));
	}
	g_assert_cmpuint(chunks_in_use(&t), ==, (used + LEASE_CHUNK - 1) / LEASE_CHUNK);
	g_assert_cmpuint(t.n + t.n_free, ==, max);
	/* The first entry did not move. */
	g_assert_true(lease_table_by_ip(&t, 0x0a000001) == first);
	g_assert_true(lease_table_by_mac(&t, &m0) == first);

	/* Freed slots are reused before new storage is taken. */
	for (uint32_t i = 10; i < 20; i++)
		lease_table_remove(&t, lease_table_by_ip(&t, 0x0a000001 + i));
	for (uint32_t i = 0; i < 10; i++) {
		struct pk_mac m = mac_n(1000 + i);

		g_assert_nonnull(lease_table_add(&t, 0x0a100001 + i, &m, LEASE_BOUND, 5));
	}
	g_assert_cmpuint(chunks_in_use(&t), ==, (used + LEASE_CHUNK - 1) / LEASE_CHUNK);
	g_assert_cmpuint(t.n, ==, used);

	/* Iteration sees every entry once; expiry removes by time. */
	{
		uint32_t cursor, n = 0;

		for (struct lease *l = lease_table_first(&t, &cursor); l; l = lease_table_next(&t, &cursor))
			n++;
		g_assert_cmpuint(n, ==, used);
		g_assert_cmpuint(lease_table_next_expiry(&t), ==, 5);
		g_assert_cmpuint(lease_table_expire(&t, 5, NULL), ==, 10);
		g_assert_cmpuint(t.n + t.n_free, ==, max);
	}

	lease_table_clear(&t);
	g_assert_cmpuint(chunks_in_use(&t), ==, 0);
	g_assert_cmpuint(t.n_free, ==, max);
	g_assert_null(lease_table_by_ip(&t, 0x0a000001));
	lease_table_free(&t);
}

/* The limit holds: max entries fit, one more does not. */
static void test_limit(void)
{
	struct lease_table t;

	lease_table_init(&t, 40);
	for (uint32_t i = 0; i < 40; i++) {
		struct pk_mac m = mac_n(i);

		g_assert_nonnull(lease_table_add(&t, 0x0a000001 + i, &m, LEASE_BOUND, 100));
	}
	struct pk_mac m = mac_n(99);

	g_assert_null(lease_table_add(&t, 0x0a0000ff, &m, LEASE_BOUND, 100));
	g_assert_cmpuint(t.n_free, ==, 0);
	lease_table_free(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/lease-table/grows-with-use", test_grows_with_use);
	g_test_add_func("/dhcp/lease-table/limit", test_limit);
	return g_test_run();
}
