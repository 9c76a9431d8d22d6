/* SPDX-License-Identifier: MIT
 * test-nat64-prefix.c - RFC 6052 prefixes: parsing, the section 2.4 examples, the WKP policy
 */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "nat64-prefix.h"

static void v6_of(const char *text, uint8_t out[16])
{
	g_assert_cmpint(inet_pton(AF_INET6, text, out), ==, 1);
}

static void v4_of(const char *text, uint8_t out[4])
{
	g_assert_cmpint(inet_pton(AF_INET, text, out), ==, 1);
}

static void parse_ok(const char *text, struct nat64_prefix *p)
{
	const char *why = NULL;

	if (!nat64_prefix_parse(text, p, &why))
		g_error("%s: %s", text, why);
}

/* RFC 6052 section 2.4, table 1: 192.0.2.33 under each prefix length. */
static void test_rfc6052_examples(void)
{
	static const struct {
		const char *prefix;
		const char *v6;
	} ex[] = {
		{ "2001:db8::/32", "2001:db8:c000:221::" },
		{ "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
		{ "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
		{ "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
		{ "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0" },
		{ "2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33" },
		{ "64:ff9b::/96", "64:ff9b::192.0.2.33" },
	};
	uint8_t v4[4], got4[4], want[16], got[16];

	v4_of("192.0.2.33", v4);
	for (size_t i = 0; i < G_N_ELEMENTS(ex); i++) {
		struct nat64_prefix p;

		parse_ok(ex[i].prefix, &p);
		v6_of(ex[i].v6, want);
		nat64_prefix_embed(&p, v4, got);
		g_assert_cmpmem(got, 16, want, 16);
		g_assert_true(nat64_prefix_contains(&p, want));
		memset(got4, 0, 4);
		g_assert_true(nat64_prefix_extract(&p, want, got4));
		g_assert_cmpmem(got4, 4, v4, 4);
	}
}

static void test_parse(void)
{
	static const char *const bad[] = {
		"64:ff9b::",		  /* no length */
		"10.0.0.0/8",		  /* IPv4 */
		"2001:db8::/33",	  /* not an RFC 6052 length */
		"2001:db8::/128",	  /* nor this */
		"2001:db8::1/96",	  /* bits past the length */
		"2001:db8:1:2:ff00::/96", /* u octet set */
		"2001:db8::/0",		  /* too short */
		"",
		"nonsense/96",
	};
	struct nat64_prefix p, wkp;
	const char *why;

	parse_ok("64:ff9b::/96", &p);
	g_assert_cmpuint(p.len, ==, 96);
	g_assert_true(nat64_prefix_is_wkp(&p));
	nat64_prefix_wkp(&wkp);
	g_assert_cmpmem(&wkp, sizeof(wkp), &p, sizeof(p));
	parse_ok("64:ff9b:1::/48", &p); /* RFC 8215 local-use: not the WKP */
	g_assert_false(nat64_prefix_is_wkp(&p));
	parse_ok("2001:db8:122:344::/64", &p);
	g_assert_cmpuint(p.len, ==, 64);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		why = NULL;
		g_assert_false(nat64_prefix_parse(bad[i], &p, &why));
		g_assert_nonnull(why);
	}
	g_assert_false(nat64_prefix_parse(NULL, &p, NULL));
}

static void test_extract(void)
{
	struct nat64_prefix p;
	uint8_t v6[16], v4[4] = { 9, 9, 9, 9 }, want[4];

	parse_ok("2001:db8:122:344::/64", &p);
	v4_of("198.51.100.7", want);
	/* Outside the prefix. */
	v6_of("2001:db8:122:345:c6:3364:700:0", v6);
	g_assert_false(nat64_prefix_contains(&p, v6));
	g_assert_false(nat64_prefix_extract(&p, v6, v4));
	g_assert_cmpuint(v4[0], ==, 9);
	/* The suffix is ignored. */
	v6_of("2001:db8:122:344:c6:3364:7ff:ffff", v6);
	g_assert_true(nat64_prefix_extract(&p, v6, v4));
	g_assert_cmpmem(v4, 4, want, 4);
	/* A u octet that embedding never writes is refused. */
	v6_of("2001:db8:122:344:1c6:3364:700:0", v6);
	g_assert_false(nat64_prefix_extract(&p, v6, v4));
	/* Under a /96 byte 8 is prefix, compared like the rest. */
	parse_ok("64:ff9b::/96", &p);
	v6_of("64:ff9b::1:c633:6407", v6);
	g_assert_false(nat64_prefix_extract(&p, v6, v4));
	v6_of("64:ff9b::c633:6407", v6);
	g_assert_true(nat64_prefix_extract(&p, v6, v4));
	g_assert_cmpmem(v4, 4, want, 4);
}

static void test_policy(void)
{
	static const char *const non_global[] = {
		"0.1.2.3",    "10.1.1.1",	"100.64.0.1",	   "127.0.0.1",	    "169.254.9.9",
		"172.16.0.1", "172.31.255.255", "192.0.0.8",	   "192.0.2.33",    "192.168.1.1",
		"198.18.0.1", "198.19.255.1",	"198.51.100.1",	   "203.0.113.200", "224.0.0.1",
		"239.1.2.3",  "240.0.0.1",	"255.255.255.255",
	};
	static const char *const global[] = {
		"8.8.8.8",   "1.1.1.1",	   "172.15.255.255", "172.32.0.0",	"100.128.0.1",
		"192.0.3.1", "198.20.0.1", "203.0.114.1",    "223.255.255.255",
	};
	struct nat64_prefix wkp, nsp;
	uint8_t v4[4];

	nat64_prefix_wkp(&wkp);
	parse_ok("2001:db8:64::/96", &nsp);
	for (size_t i = 0; i < G_N_ELEMENTS(non_global); i++) {
		v4_of(non_global[i], v4);
		g_assert_false(nat64_ip4_is_global(v4));
		g_assert_false(nat64_prefix_allows(&wkp, v4));
		g_assert_true(nat64_prefix_allows(&nsp, v4));
	}
	for (size_t i = 0; i < G_N_ELEMENTS(global); i++) {
		v4_of(global[i], v4);
		g_assert_true(nat64_ip4_is_global(v4));
		g_assert_true(nat64_prefix_allows(&wkp, v4));
	}
}

/* Every address round-trips under every length, and the u octet stays 0. */
static void test_roundtrip(void)
{
	static const char *const prefixes[] = { "2001:db8::/32",	 "2001:db8:100::/40",
						"2001:db8:122::/48",	 "2001:db8:122:300::/56",
						"2001:db8:122:344::/64", "64:ff9b::/96" };
	GRand *r = g_rand_new_with_seed(6052);

	for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		struct nat64_prefix p;

		parse_ok(prefixes[i], &p);
		for (int k = 0; k < 1000; k++) {
			uint32_t a = g_rand_int(r);
			uint8_t v4[4] = { a >> 24, a >> 16, a >> 8, a }, v6[16], back[4];

			nat64_prefix_embed(&p, v4, v6);
			if (p.len < 96)
				g_assert_cmpuint(v6[8], ==, 0);
			g_assert_true(nat64_prefix_extract(&p, v6, back));
			g_assert_cmpmem(back, 4, v4, 4);
		}
	}
	g_rand_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat64/prefix/rfc6052-examples", test_rfc6052_examples);
	g_test_add_func("/nat64/prefix/parse", test_parse);
	g_test_add_func("/nat64/prefix/extract", test_extract);
	g_test_add_func("/nat64/prefix/wkp-policy", test_policy);
	g_test_add_func("/nat64/prefix/roundtrip", test_roundtrip);
	return g_test_run();
}
