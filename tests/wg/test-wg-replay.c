/* SPDX-License-Identifier: MIT
 * test-wg-replay.c - The transport counter window: order, replays, the window's edge, jumps, the limit
 */
#include <glib.h>

#include "wg-msg.h"
#include "wg-replay.h"

static void test_in_order_and_replay(void)
{
	struct wg_replay r;

	wg_replay_init(&r);
	for (uint64_t i = 0; i < 20000; i++)
		g_assert_true(wg_replay_accept(&r, i));
	for (uint64_t i = 20000 - WG_REPLAY_WINDOW; i < 20000; i += 97)
		g_assert_false(wg_replay_accept(&r, i));
	g_assert_false(wg_replay_accept(&r, 0));
}

static void test_out_of_order(void)
{
	struct wg_replay r;

	wg_replay_init(&r);
	g_assert_true(wg_replay_accept(&r, 5));
	g_assert_true(wg_replay_accept(&r, 2));
	g_assert_true(wg_replay_accept(&r, 0));
	g_assert_false(wg_replay_accept(&r, 2));
	g_assert_true(wg_replay_accept(&r, 4));
	g_assert_true(wg_replay_accept(&r, 100));
	g_assert_true(wg_replay_accept(&r, 64));
	g_assert_true(wg_replay_accept(&r, 63));
	g_assert_false(wg_replay_accept(&r, 64));
	g_assert_false(wg_replay_accept(&r, 5));
	/* Every counter below the top once, in reverse: each accepted once. */
	wg_replay_init(&r);
	g_assert_true(wg_replay_accept(&r, 3000));
	for (uint64_t i = 2999; i > 0; i--)
		g_assert_true(wg_replay_accept(&r, i));
	for (uint64_t i = 1; i <= 3000; i++)
		g_assert_false(wg_replay_accept(&r, i));
}

static void test_window_edge(void)
{
	struct wg_replay r;
	uint64_t top = 100000;

	wg_replay_init(&r);
	g_assert_true(wg_replay_accept(&r, top));
	g_assert_true(wg_replay_accept(&r, top - WG_REPLAY_WINDOW));	  /* last one inside */
	g_assert_false(wg_replay_accept(&r, top - WG_REPLAY_WINDOW - 1)); /* too old */
	g_assert_false(wg_replay_accept(&r, top - WG_REPLAY_WINDOW));
	/* The window is at least the 2048 the issue asks for. */
	g_assert_cmpuint(WG_REPLAY_WINDOW, >=, 2048);
}

static void test_jumps(void)
{
	struct wg_replay r;

	wg_replay_init(&r);
	g_assert_true(wg_replay_accept(&r, 10));
	/* Far beyond the ring: everything before is forgotten, nothing stale
	 * survives in the ring's words. */
	g_assert_true(wg_replay_accept(&r, 10 + 3 * WG_REPLAY_BITS));
	g_assert_false(wg_replay_accept(&r, 10));
	g_assert_true(wg_replay_accept(&r, 10 + 3 * WG_REPLAY_BITS - 1));
	g_assert_true(wg_replay_accept(&r, 10 + 2 * WG_REPLAY_BITS + 64));
	/* Jumps of one word less than the ring keep the bits of the top word. */
	wg_replay_init(&r);
	g_assert_true(wg_replay_accept(&r, 1000));
	g_assert_true(wg_replay_accept(&r, 1000 + WG_REPLAY_WINDOW));
	g_assert_false(wg_replay_accept(&r, 1000));
	g_assert_true(wg_replay_accept(&r, 1001));
	g_assert_false(wg_replay_accept(&r, 1000 + WG_REPLAY_WINDOW));
}

static void test_limit(void)
{
	struct wg_replay r;

	wg_replay_init(&r);
	g_assert_true(wg_replay_accept(&r, WG_REJECT_AFTER_MESSAGES - 1));
	g_assert_false(wg_replay_accept(&r, WG_REJECT_AFTER_MESSAGES));
	g_assert_false(wg_replay_accept(&r, UINT64_MAX));
	g_assert_true(wg_replay_accept(&r, WG_REJECT_AFTER_MESSAGES - 2));
}

/* Against a plain set of the counters seen: a seeded random walk of
 * reorders, replays and jumps gives the same answers. */
static void test_against_model(void)
{
	GHashTable *seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	GRand *rnd = g_rand_new_with_seed(20261207);
	struct wg_replay r;
	uint64_t top = 0;
	bool any = false;

	wg_replay_init(&r);
	for (unsigned n = 0; n < 200000; n++) {
		uint64_t ctr;
		unsigned pick = (unsigned)g_rand_int_range(rnd, 0, 100);
		bool want, got;

		if (pick < 60)
			ctr = top + (uint64_t)g_rand_int_range(rnd, 0, 4);
		else if (pick < 95)
			ctr = top > 9000 ? top - (uint64_t)g_rand_int_range(rnd, 0, 9000) : top;
		else
			ctr = top + (uint64_t)g_rand_int_range(rnd, 0, 20000);
		want = !g_hash_table_contains(seen, &ctr) &&
		       (!any || ctr > top || top - ctr <= WG_REPLAY_WINDOW);
		got = wg_replay_accept(&r, ctr);
		g_assert_cmpint(got, ==, want);
		if (got) {
			gint64 *k = g_new(gint64, 1);

			*k = (gint64)ctr;
			g_hash_table_add(seen, k);
			if (!any || ctr > top)
				top = ctr;
			any = true;
		}
	}
	g_rand_free(rnd);
	g_hash_table_destroy(seen);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wg/replay/in-order-and-replay", test_in_order_and_replay);
	g_test_add_func("/wg/replay/out-of-order", test_out_of_order);
	g_test_add_func("/wg/replay/window-edge", test_window_edge);
	g_test_add_func("/wg/replay/jumps", test_jumps);
	g_test_add_func("/wg/replay/limit", test_limit);
	g_test_add_func("/wg/replay/against-model", test_against_model);
	return g_test_run();
}
