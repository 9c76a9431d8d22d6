/* SPDX-License-Identifier: MIT
 * test-nat-alg-irc.c - The IRC DCC ALG against a fake core: SEND/CHAT offers rewritten, the rest not
 */
#include <netinet/in.h>
#include <string.h>
#include <glib.h>

#include "nat-alg.h"
#include "test-nat-alg-core.h"

/* 10.0.0.2 is 167772162; 203.0.113.7 is 3405803783. */
static void ctx_init(struct nat_alg_ctx *ctx, struct fake_core *core)
{
	memset(core, 0, sizeof(*core));
	core->outside_addr = fake_ip("203.0.113.7");
	*ctx = (struct nat_alg_ctx){
		.ops = &fake_ops,
		.core = core,
		.proto = IPPROTO_TCP,
		.dir = NAT_DIR_OUT,
		.inside = { fake_ip("10.0.0.2"), 50000 },
		.outside = { fake_ip("203.0.113.7"), 50000 },
		.remote = { fake_ip("198.51.100.9"), 6667 },
	};
}

static enum nat_alg_verdict run(struct nat_alg_ctx *ctx, const char *in, size_t cap,
				GByteArray *out)
{
	return fake_run(&nat_alg_irc, ctx, in, strlen(in), cap, out);
}

static void expect_out(GByteArray *out, const char *want)
{
	g_assert_cmpmem(out->data, out->len, want, strlen(want));
}

static void test_send_chat(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core);
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC SEND file.txt 167772162 5000 1234\x01\r\n",
			    512, out),
			==, NAT_ALG_REWRITTEN);
	expect_out(out, "PRIVMSG bob :\x01"
			"DCC SEND file.txt 3405803783 5000 1234\x01\r\n");
	g_assert_cmpuint(core.n_map, ==, 1);
	g_assert_cmpuint(core.map[0].inside.addr, ==, fake_ip("10.0.0.2"));
	g_assert_cmpuint(core.map[0].inside.port, ==, 5000);
	g_assert_cmpuint(core.n_expect, ==, 1);
	g_assert_cmpuint(core.expect[0].remote.addr, ==, 0); /* the peer is not known */
	g_assert_cmpuint(core.expect[0].outside.port, ==, 5000);
	g_assert_cmpuint(core.expect[0].inside.port, ==, 5000);

	/* CHAT, another port, no size, a quoted name with spaces. */
	core.port_offset = 100;
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC CHAT chat 167772162 4000\x01\r\n",
			    512, out),
			==, NAT_ALG_REWRITTEN);
	expect_out(out, "PRIVMSG bob :\x01"
			"DCC CHAT chat 3405803783 4100\x01\r\n");
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC SEND \"my file.txt\" 167772162 5000 99\x01\r\n"
			    "PRIVMSG amy :\x01"
			    "DCC SEND b 167772162 5001\x01\r\n",
			    512, out),
			==, NAT_ALG_REWRITTEN);
	expect_out(out, "PRIVMSG bob :\x01"
			"DCC SEND \"my file.txt\" 3405803783 5100 99\x01\r\n"
			"PRIVMSG amy :\x01"
			"DCC SEND b 3405803783 5101\x01\r\n");
	g_byte_array_free(out, TRUE);
}

static void test_nothing_to_do(void)
{
	static const char *const pass[] = {
		"PRIVMSG bob :hello\r\n",
		"PRIVMSG bob :\x01"
		"ACTION waves\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC RESUME file.txt 5000 100\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162 0 1234 7\x01\r\n", /* passive */
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt fe80::1 5000 1234\x01\r\n", /* IPv6 text */
		"PING :irc.example\r\n",
		"PRIVMSG bob :half a line",
	};
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core);
	for (size_t k = 0; k < G_N_ELEMENTS(pass); k++)
		g_assert_cmpint(run(&ctx, pass[k], 512, out), ==, NAT_ALG_PASS);
	/* Offers coming in from the server need nothing. */
	ctx.dir = NAT_DIR_IN;
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG me :\x01"
			    "DCC SEND f 167772162 5000\x01\r\n",
			    512, out),
			==, NAT_ALG_PASS);
	g_assert_cmpuint(core.n_map + core.n_expect, ==, 0);
	g_byte_array_free(out, TRUE);
}

static void test_malformed_refused(void)
{
	static const char *const bad[] = {
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162 5000 1234\r\n", /* no end */
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162 5000 1234", /* cut */
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 4294967296 5000\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162 65536\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162 5000 12x\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND file.txt 167772162 5000 1 2 3\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND \"unterminated 167772162 5000\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND \"\" 167772162 5000\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC SEND  167772162 5000\x01\r\n",
		"PRIVMSG bob :\x01"
		"DCC CHAT chat 10.0.0.2 5000\x01\r\n",
	};
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core);
	for (size_t k = 0; k < G_N_ELEMENTS(bad); k++) {
		g_test_message("%s", bad[k]);
		g_assert_cmpint(run(&ctx, bad[k], 512, out), ==, NAT_ALG_MALFORMED);
	}
	/* Another host's address (10.0.0.3), no room, the core refusing. */
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC SEND f 167772163 5000\x01\r\n",
			    512, out),
			==, NAT_ALG_REFUSED);
	/* The worst case is 16 characters for 14 ("4294967295 65535"): len + 2. */
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC SEND f 167772162 5000\x01\r\n",
			    43, out),
			==, NAT_ALG_REFUSED);
	g_assert_cmpuint(core.n_map + core.n_expect, ==, 0);
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC SEND f 167772162 5000\x01\r\n",
			    44, out),
			==, NAT_ALG_REWRITTEN);
	expect_out(out, "PRIVMSG bob :\x01"
			"DCC SEND f 3405803783 5000\x01\r\n");
	core.fail_map = true;
	g_assert_cmpint(run(&ctx,
			    "PRIVMSG bob :\x01"
			    "DCC SEND f 167772162 5000\x01\r\n",
			    512, out),
			==, NAT_ALG_REFUSED);
	g_byte_array_free(out, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/alg/irc/send-chat", test_send_chat);
	g_test_add_func("/nat/alg/irc/nothing-to-do", test_nothing_to_do);
	g_test_add_func("/nat/alg/irc/malformed-refused", test_malformed_refused);
	return g_test_run();
}
