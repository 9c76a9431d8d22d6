// SPDX-License-Identifier: MIT
/* test-addr.c - MAC and prefix parsing, formatting and prefix matching */
#include <string.h>
#include <pktkit/addr.h>

static void test_mac_parse_good(void)
{
	static const struct {
		const char *text;
		uint8_t b[6];
	} cases[] = {
		{ "aa:bb:cc:dd:ee:ff", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
		{ "AA-BB-CC-DD-EE-0F", { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f } },
		{ "02:00:5E:10:00:01", { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 } },
		{ "00:00:00:00:00:00", { 0 } },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct pk_mac mac;

		g_assert_true(pk_mac_parse(cases[i].text, &mac));
		g_assert_cmpmem(mac.b, 6, cases[i].b, 6);
	}
}

static void test_mac_parse_bad(void)
{
	static const char *const bad[] = {
		"",
		"aa:bb:cc:dd:ee",
		"aa:bb:cc:dd:ee:ff:00",
		"aa:bb:cc:dd:ee:f",
		"aa:bb-cc:dd:ee:ff",		/* mixed separators */
		"aa.bb.cc.dd.ee.ff",
		"aabb.ccdd.eeff",
		"aa:bb:cc:dd:ee:fg",
		" aa:bb:cc:dd:ee:f",
		"aa:bb:cc:dd:ee:ff ",
		"a:bbb:cc:dd:ee:ff",
		"aa::bb:cc:dd:ee:f",
		"+a:bb:cc:dd:ee:ff",
		"aabbccddeeff",
	};
	struct pk_mac mac = { { 1, 2, 3, 4, 5, 6 } };
	struct pk_mac before = mac;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("bad MAC '%s'", bad[i]);
		g_assert_false(pk_mac_parse(bad[i], &mac));
		g_assert_cmpmem(mac.b, 6, before.b, 6);
	}
	g_assert_false(pk_mac_parse(NULL, &mac));
}

static void test_mac_format(void)
{
	struct pk_mac mac = { { 0x02, 0xAB, 0x00, 0xff, 0x10, 0x09 } };
	char buf[PK_MAC_STRLEN];
	struct pk_mac back;

	g_assert_cmpstr(pk_mac_format(&mac, buf), ==, "02:ab:00:ff:10:09");
	g_assert_true(pk_mac_parse(buf, &back));
	g_assert_cmpmem(back.b, 6, mac.b, 6);
}

static void check_prefix(const char *text, int family, int len, const char *formatted)
{
	struct pk_prefix p;
	char buf[PK_PREFIX_STRLEN];

	g_test_message("good prefix '%s'", text);
	g_assert_true(pk_prefix_parse(text, &p));
	g_assert_cmpint(p.family, ==, family);
	g_assert_cmpint(p.len, ==, len);
	g_assert_cmpstr(pk_prefix_format(&p, buf), ==, formatted);
}

static void test_prefix_parse_good(void)
{
	struct pk_prefix p;

	check_prefix("10.0.0.1/24", 4, 24, "10.0.0.1/24");
	check_prefix("0.0.0.0/0", 4, 0, "0.0.0.0/0");
	check_prefix("255.255.255.255/32", 4, 32, "255.255.255.255/32");
	check_prefix("fd00::/64", 6, 64, "fd00::/64");
	check_prefix("::/0", 6, 0, "::/0");
	check_prefix("2001:DB8:0:0:0:0:0:1/128", 6, 128, "2001:db8::1/128");
	check_prefix("::ffff:192.0.2.1/96", 6, 96, "::ffff:192.0.2.1/96");

	g_assert_true(pk_prefix_parse("10.1.2.3/8", &p));
	g_assert_cmpmem(p.addr, 4, ((uint8_t[]){ 10, 1, 2, 3 }), 4);	/* host bits kept */
}

static void test_prefix_parse_bad(void)
{
	static const char *const bad[] = {
		"",
		"10.0.0.0",		/* length is mandatory */
		"10.0.0.0/",
		"/8",
		"10.0.0.0/33",
		"fd00::/129",
		"10.0.0.0/+8",
		"10.0.0.0/-1",
		"10.0.0.0/ 8",
		"10.0.0.0 /8",
		" 10.0.0.0/8",
		"10.0.0.0/8 ",
		"10.0.0.0/8/8",
		"10.0.0.0/8x",
		"10.0.0.0/08",
		"10.0.0.0/0x8",
		"10.0.0/8",
		"10.0.0.256/8",
		"10.0.0.0.0/8",
		"fd00:::1/64",
		"fd00::g/64",
		"fe80::1%eth0/64",
		"localhost/8",
		"0000000000000000000000000000000000000000000000000000000000000000/8",
	};
	struct pk_prefix p = { .family = 6, .len = 7 };

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_test_message("bad prefix '%s'", bad[i]);
		g_assert_false(pk_prefix_parse(bad[i], &p));
		g_assert_cmpint(p.family, ==, 6);
		g_assert_cmpint(p.len, ==, 7);
	}
	g_assert_false(pk_prefix_parse(NULL, &p));
}

static void test_prefix_format_unset(void)
{
	struct pk_prefix p = { 0 };
	char buf[PK_PREFIX_STRLEN];

	g_assert_cmpstr(pk_prefix_format(&p, buf), ==, "");
}

static void test_prefix_format_longest(void)
{
	struct pk_prefix p = { .family = 6, .len = 128 };
	char buf[PK_PREFIX_STRLEN];

	g_assert_true(pk_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", &p));
	pk_prefix_format(&p, buf);
	g_assert_cmpuint(strlen(buf), <, PK_PREFIX_STRLEN);
	g_assert_cmpstr(buf, ==, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
}

static bool contains(const char *prefix, const char *addr_text)
{
	struct pk_prefix p, a;

	g_assert_true(pk_prefix_parse(prefix, &p));
	g_assert_true(pk_prefix_parse(addr_text, &a));
	return pk_prefix_contains(&p, a.family, a.addr);
}

static void test_prefix_contains(void)
{
	g_assert_true(contains("10.0.0.0/8", "10.255.1.2/32"));
	g_assert_false(contains("10.0.0.0/8", "11.0.0.0/32"));
	g_assert_true(contains("192.168.1.0/24", "192.168.1.255/32"));
	g_assert_false(contains("192.168.1.0/24", "192.168.2.0/32"));
	/* masked last byte: /20 looks at the top 4 bits of the third byte */
	g_assert_true(contains("172.16.16.0/20", "172.16.31.1/32"));
	g_assert_false(contains("172.16.16.0/20", "172.16.32.1/32"));
	g_assert_false(contains("172.16.16.0/20", "172.16.15.1/32"));
	g_assert_true(contains("10.1.2.3/32", "10.1.2.3/32"));
	g_assert_false(contains("10.1.2.3/32", "10.1.2.2/32"));
	g_assert_true(contains("0.0.0.0/0", "203.0.113.9/32"));
	g_assert_true(contains("10.0.0.1/31", "10.0.0.0/32"));
	g_assert_true(contains("fd00::/64", "fd00::1234:5678/128"));
	g_assert_false(contains("fd00::/64", "fd00:0:0:1::1/128"));
	g_assert_true(contains("2001:db8::/33", "2001:db8:7fff::1/128"));
	g_assert_false(contains("2001:db8::/33", "2001:db8:8000::1/128"));
	g_assert_true(contains("::/0", "2001:db8::1/128"));
	g_assert_true(contains("2001:db8::1/128", "2001:db8::1/128"));
	g_assert_false(contains("2001:db8::1/128", "2001:db8::2/128"));
	/* another family never matches, not even ::/0 or 0.0.0.0/0 */
	g_assert_false(contains("0.0.0.0/0", "::/128"));
	g_assert_false(contains("::/0", "0.0.0.0/32"));
}

static void test_prefix_contains_bad_prefix(void)
{
	struct pk_prefix p = { .family = 4, .len = 40 };
	uint8_t addr[16] = { 0 };

	g_assert_false(pk_prefix_contains(&p, 4, addr));	/* len out of range */
	p = (struct pk_prefix){ .family = 0, .len = 0 };
	g_assert_false(pk_prefix_contains(&p, 0, addr));	/* unset prefix */
	g_assert_false(pk_prefix_contains(&p, 4, addr));
}

static void test_key32(void)
{
	struct pk_key32 k, back;
	char text[PK_KEY32_STRLEN];

	/* Every byte value, through text and back. */
	for (unsigned i = 0; i < sizeof(k.b); i++)
		k.b[i] = (uint8_t)(i * 37 + 11);
	pk_key32_format(&k, text);
	g_assert_cmpuint(strlen(text), ==, 44);
	g_assert_true(pk_key32_parse(text, &back));
	g_assert_cmpmem(back.b, 32, k.b, 32);
	/* The same text as GLib's base64 writes. */
	{
		g_autofree char *glib = g_base64_encode(k.b, sizeof(k.b));

		g_assert_cmpstr(text, ==, glib);
	}
	memset(&k, 0, sizeof(k));
	g_assert_cmpstr(pk_key32_format(&k, text), ==,
			"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	memset(&k, 0xff, sizeof(k));
	g_assert_cmpstr(pk_key32_format(&k, text), ==,
			"//////////////////////////////////////////8=");
	g_assert_true(pk_key32_parse("//////////////////////////////////////////8=", &back));
	g_assert_cmpmem(back.b, 32, k.b, 32);
	/* Refused, and @out untouched: non-canonical (the 2 spare bits set),
	 * wrong length, no '=', characters outside the alphabet, NULL. */
	memset(&back, 0x5a, sizeof(back));
	g_assert_false(pk_key32_parse("//////////////////////////////////////////9=", &back));
	g_assert_false(pk_key32_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &back));
	g_assert_false(pk_key32_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &back));
	g_assert_false(pk_key32_parse("AAAAAAAAAAAAAAAAAAAAAAAA-AAAAAAAAAAAAAAAAAA=", &back));
	g_assert_false(pk_key32_parse(" AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &back));
	g_assert_false(pk_key32_parse(NULL, &back));
	for (unsigned i = 0; i < sizeof(back.b); i++)
		g_assert_cmpuint(back.b[i], ==, 0x5a);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/addr/mac/parse-good", test_mac_parse_good);
	g_test_add_func("/addr/mac/parse-bad", test_mac_parse_bad);
	g_test_add_func("/addr/mac/format", test_mac_format);
	g_test_add_func("/addr/prefix/parse-good", test_prefix_parse_good);
	g_test_add_func("/addr/prefix/parse-bad", test_prefix_parse_bad);
	g_test_add_func("/addr/prefix/format-unset", test_prefix_format_unset);
	g_test_add_func("/addr/prefix/format-longest", test_prefix_format_longest);
	g_test_add_func("/addr/prefix/contains", test_prefix_contains);
	g_test_add_func("/addr/prefix/contains-bad-prefix", test_prefix_contains_bad_prefix);
	g_test_add_func("/addr/key32", test_key32);
	return g_test_run();
}
