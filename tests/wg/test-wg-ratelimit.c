/* SPDX-License-Identifier: MIT
 * test-wg-ratelimit.c - Handshake rate limit per source on a fake clock: burst, refill, sources apart, IPv6 per /64
 */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "wg-msg.h"
#include "wg-ratelimit.h"

#define COST (WG_SEC / WG_RATELIMIT_PER_SECOND)
/* A start far from 0, as a monotonic clock is. */
#define T0 (1000 * WG_SEC)

static struct wg_source v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	struct wg_source s = { .addr = { a, b, c, d }, .addr_len = 4, .port = port };

	return s;
}

static struct wg_source v6(const char *text, uint16_t port)
{
	struct wg_source s = { .addr_len = 16, .port = port };

	g_assert_cmpint(inet_pton(AF_INET6, text, s.addr), ==, 1);
	return s;
}

static struct wg_ratelimit *limiter(void)
{
	static const uint8_t secret[16] = { 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct wg_ratelimit *r = g_new(struct wg_ratelimit, 1);

	wg_ratelimit_init(r, secret);
	return r;
}

/* How many of @n messages sent at @now are allowed. */
static unsigned allowed(struct wg_ratelimit *r, const struct wg_source *s, uint64_t now, unsigned n)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += wg_ratelimit_allow(r, s, now);
	return ok;
}

static void test_burst_then_rate(void)
{
	g_autofree struct wg_ratelimit *r = limiter();
	struct wg_source a = v4(192, 0, 2, 1, 51820);
	uint64_t t = T0;

	/* A fresh source gets the burst, then nothing at the same instant. */
	g_assert_cmpuint(allowed(r, &a, t, 100), ==, WG_RATELIMIT_BURST);
	/* Just under one message's worth of time: still nothing. */
	g_assert_cmpuint(allowed(r, &a, t + COST - 1, 10), ==, 0);
	/* One message's worth: exactly one. */
	t += COST;
	g_assert_cmpuint(allowed(r, &a, t, 10), ==, 1);
	/* A steady sender at 10x the rate for 10 s gets the rate, no more. */
	{
		unsigned ok = 0;

		for (unsigned i = 1; i <= 10 * 10 * WG_RATELIMIT_PER_SECOND; i++)
			ok += wg_ratelimit_allow(r, &a, t + i * (COST / 10));
		g_assert_cmpuint(ok, >=, 10 * WG_RATELIMIT_PER_SECOND - 1);
		g_assert_cmpuint(ok, <=, 10 * WG_RATELIMIT_PER_SECOND + 1);
		t += 10 * 10 * WG_RATELIMIT_PER_SECOND * (COST / 10);
	}
	/* A long pause refills to the burst, not beyond. */
	t += 60 * WG_SEC;
	g_assert_cmpuint(allowed(r, &a, t, 100), ==, WG_RATELIMIT_BURST);
}

static void test_sources_apart(void)
{
	g_autofree struct wg_ratelimit *r = limiter();
	struct wg_source a = v4(192, 0, 2, 1, 51820), a2 = v4(192, 0, 2, 1, 40000);
	struct wg_source b = v4(192, 0, 2, 2, 51820);

	g_assert_cmpuint(allowed(r, &a, T0, 100), ==, WG_RATELIMIT_BURST);
	/* The same address from another port is the same source. */
	g_assert_cmpuint(allowed(r, &a2, T0, 100), ==, 0);
	/* Another address is not held back by the first one's flood. */
	g_assert_cmpuint(allowed(r, &b, T0, 100), ==, WG_RATELIMIT_BURST);
}

static void test_ipv6_per_64(void)
{
	g_autofree struct wg_ratelimit *r = limiter();
	struct wg_source x1 = v6("2001:db8:0:1::1", 1), x2 = v6("2001:db8:0:1:ffff::2", 2);
	struct wg_source y = v6("2001:db8:0:2::1", 1);
	/* An IPv4 address whose bytes begin like an IPv6 /64 stays apart. */
	struct wg_source four = v4(0x20, 0x01, 0x0d, 0xb8, 1);

	g_assert_cmpuint(allowed(r, &x1, T0, 100), ==, WG_RATELIMIT_BURST);
	g_assert_cmpuint(allowed(r, &x2, T0, 100), ==, 0);
	g_assert_cmpuint(allowed(r, &y, T0, 100), ==, WG_RATELIMIT_BURST);
	g_assert_cmpuint(allowed(r, &four, T0, 100), ==, WG_RATELIMIT_BURST);
}

static void test_many_sources_bounded(void)
{
	g_autofree struct wg_ratelimit *r = limiter();
	unsigned full = 0, n = 20000;

	/* Far more sources than slots: memory is the fixed table, and a source
	 * that shares a busy slot is held back with its neighbour, never let
	 * through beyond one burst per slot and instant. */
	for (unsigned i = 0; i < n; i++) {
		struct wg_source s = v4(10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i, 1);

		full += allowed(r, &s, T0, 1);
	}
	g_assert_cmpuint(full, <=, WG_RATELIMIT_SLOTS * WG_RATELIMIT_BURST);
	/* ... and sources are not all starved by their neighbours (about 4
	 * sources share a slot here, each slot serves up to its burst). */
	g_assert_cmpuint(full, >=, WG_RATELIMIT_SLOTS);
	/* A second later every slot is free again: the next comer starts full. */
	{
		struct wg_source late = v4(198, 51, 100, 7, 1);

		g_assert_cmpuint(allowed(r, &late, T0 + WG_SEC, 100), ==, WG_RATELIMIT_BURST);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wg/ratelimit/burst-then-rate", test_burst_then_rate);
	g_test_add_func("/wg/ratelimit/sources-apart", test_sources_apart);
	g_test_add_func("/wg/ratelimit/ipv6-per-64", test_ipv6_per_64);
	g_test_add_func("/wg/ratelimit/many-sources-bounded", test_many_sources_bounded);
	return g_test_run();
}
