/* SPDX-License-Identifier: MIT
 * test-ra-sched.c - The router advertisement schedule (RFC 4861 6.2.4, 6.2.6) without a device
 */
#include <pktkit/pktkit.h>

#include "ra-sched.h"

#define SEC ((uint64_t)PK_NSEC_PER_SEC)
#define MS ((uint64_t)PK_NSEC_PER_MSEC)
#define RND_MAX UINT32_MAX
#define RND_HALF (UINT32_C(1) << 31)

static void test_default_min(void)
{
	g_assert_cmpuint(ra_sched_default_min(600 * SEC), ==, 198 * SEC);
	g_assert_cmpuint(ra_sched_default_min(10 * SEC), ==, 3300 * MS);
	g_assert_cmpuint(ra_sched_default_min(4 * SEC), ==, 3 * SEC);
}

/* Unsolicited: at once, then min..max, the first three capped at 16 s. */
static void test_unsolicited(void)
{
	struct ra_sched s;

	ra_sched_init(&s, 200 * SEC, 600 * SEC, 1000 * SEC);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 1000 * SEC);
	for (int i = 0; i < 3; i++) {
		uint64_t now = ra_sched_deadline(&s);

		ra_sched_sent(&s, now, RND_MAX);
		g_assert_cmpuint(ra_sched_deadline(&s), ==, now + 16 * SEC);
	}
	ra_sched_sent(&s, 1048 * SEC, 0);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 1248 * SEC);
	ra_sched_sent(&s, 1248 * SEC, RND_MAX);
	g_assert_cmpuint(ra_sched_deadline(&s), <=, 1848 * SEC);
	g_assert_cmpuint(ra_sched_deadline(&s), >, 1847 * SEC);
	ra_sched_sent(&s, 2000 * SEC, RND_HALF);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 2400 * SEC);
	g_assert_cmpuint(s.n_sent, ==, 6);
	/* A minimum below MIN_DELAY_BETWEEN_RAS is raised to it. */
	ra_sched_init(&s, 1 * SEC, 4 * SEC, 0);
	ra_sched_sent(&s, 0, 0);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 3 * SEC);
}

/* Solicited: random delay 0..500 ms, relative to the first solicitation. */
static void test_solicit_delay(void)
{
	struct ra_sched s;

	ra_sched_init(&s, 200 * SEC, 600 * SEC, 0);
	ra_sched_sent(&s, 0, 0);	/* next unsolicited at 16 s */
	g_assert_cmpint(ra_sched_solicit(&s, 5 * SEC, 0), ==, RA_SOLICIT_SCHEDULED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 5 * SEC);
	ra_sched_sent(&s, 5 * SEC, 0);
	g_assert_cmpint(ra_sched_solicit(&s, 10 * SEC, RND_MAX), ==, RA_SOLICIT_SCHEDULED);
	g_assert_cmpuint(ra_sched_deadline(&s), >, 10 * SEC + 499 * MS);
	g_assert_cmpuint(ra_sched_deadline(&s), <=, 10 * SEC + 500 * MS);
	/* Later ones are answered by that one; the delay stays relative to the first. */
	g_assert_cmpint(ra_sched_solicit(&s, 10 * SEC + 100 * MS, 0), ==, RA_SOLICIT_COALESCED);
	g_assert_cmpuint(ra_sched_deadline(&s), >, 10 * SEC + 499 * MS);
	/* The answer resets the unsolicited interval (16 s: third advertisement). */
	ra_sched_sent(&s, 10 * SEC + 500 * MS, RND_MAX);
	g_assert_false(s.answer_pending);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 26 * SEC + 500 * MS);
}

/* At most one multicast advertisement per MIN_DELAY_BETWEEN_RAS. */
static void test_solicit_rate_limit(void)
{
	struct ra_sched s;

	ra_sched_init(&s, 200 * SEC, 600 * SEC, 0);
	ra_sched_sent(&s, 0, 0);
	g_assert_cmpint(ra_sched_solicit(&s, 1 * SEC, RND_HALF), ==, RA_SOLICIT_DEFERRED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 3 * SEC + 250 * MS);
	g_assert_cmpint(ra_sched_solicit(&s, 2 * SEC, 0), ==, RA_SOLICIT_COALESCED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 3 * SEC + 250 * MS);
	ra_sched_sent(&s, 3 * SEC + 250 * MS, 0);
	/* Just under 3 s after it: deferred; just at 3 s: not. */
	g_assert_cmpint(ra_sched_solicit(&s, 6 * SEC + 249 * MS, 0), ==, RA_SOLICIT_DEFERRED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 6 * SEC + 250 * MS);
	ra_sched_sent(&s, 6 * SEC + 250 * MS, 0);
	g_assert_cmpint(ra_sched_solicit(&s, 9 * SEC + 250 * MS, 0), ==, RA_SOLICIT_SCHEDULED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 9 * SEC + 250 * MS);
}

/* An unsolicited advertisement due sooner than the answer would be is the answer. */
static void test_solicit_before_unsolicited(void)
{
	struct ra_sched s;

	ra_sched_init(&s, 3 * SEC, 4 * SEC, 0);
	ra_sched_sent(&s, 0, 0);	/* next at 3 s */
	g_assert_cmpint(ra_sched_solicit(&s, 2900 * MS, RND_HALF), ==, RA_SOLICIT_COALESCED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 3 * SEC);
	g_assert_true(s.answer_pending);
	/* Before start: the first advertisement (due at once) answers. */
	ra_sched_init(&s, 3 * SEC, 4 * SEC, 50 * SEC);
	g_assert_cmpint(ra_sched_solicit(&s, 50 * SEC, 0), ==, RA_SOLICIT_COALESCED);
	g_assert_cmpuint(ra_sched_deadline(&s), ==, 50 * SEC);
}

/* 10,000 solicitations over 10 s, one per ms: an advertisement every 3..3.5 s. */
static void test_flood(void)
{
	struct ra_sched s;
	uint64_t now, last = 0, n = 1, coalesced = 0, other = 0;
	GRand *r = g_rand_new_with_seed(10);

	ra_sched_init(&s, 3300 * MS, 10 * SEC, 0);
	ra_sched_sent(&s, 0, g_rand_int(r));
	for (now = 1 * MS; now <= 10 * SEC; now += 1 * MS) {
		if (ra_sched_solicit(&s, now, g_rand_int(r)) == RA_SOLICIT_COALESCED)
			coalesced++;
		else
			other++;
		if (ra_sched_deadline(&s) <= now) {
			g_assert_cmpuint(now - last, >=, 3 * SEC);
			g_assert_cmpuint(now - last, <=, 3500 * MS);
			ra_sched_sent(&s, now, g_rand_int(r));
			last = now;
			n++;
		}
	}
	g_assert_cmpuint(coalesced + other, ==, 10000);
	g_assert_cmpuint(n, >=, 3);
	g_assert_cmpuint(n, <=, 4);
	g_assert_cmpuint(other, <=, n);
	g_rand_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/ra-sched/default-min", test_default_min);
	g_test_add_func("/dhcp/ra-sched/unsolicited", test_unsolicited);
	g_test_add_func("/dhcp/ra-sched/solicit-delay", test_solicit_delay);
	g_test_add_func("/dhcp/ra-sched/solicit-rate-limit", test_solicit_rate_limit);
	g_test_add_func("/dhcp/ra-sched/solicit-before-unsolicited", test_solicit_before_unsolicited);
	g_test_add_func("/dhcp/ra-sched/flood", test_flood);
	return g_test_run();
}
