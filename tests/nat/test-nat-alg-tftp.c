/* SPDX-License-Identifier: MIT
 * test-nat-alg-tftp.c - The TFTP ALG against a fake core: requests open the reply, the rest does not
 */
#include <netinet/in.h>
#include <string.h>
#include <glib.h>

#include "nat-alg.h"
#include "test-nat-alg-core.h"

static void ctx_init(struct nat_alg_ctx *ctx, struct fake_core *core)
{
	memset(core, 0, sizeof(*core));
	core->outside_addr = fake_ip("203.0.113.7");
	*ctx = (struct nat_alg_ctx){
		.ops = &fake_ops,
		.core = core,
		.proto = IPPROTO_UDP,
		.dir = NAT_DIR_OUT,
		.inside = { fake_ip("10.0.0.2"), 3456 },
		.outside = { fake_ip("203.0.113.7"), 13456 },
		.remote = { fake_ip("198.51.100.9"), 69 },
	};
}

#define RUN(s) fake_run(&nat_alg_tftp, &ctx, (s), sizeof(s) - 1, 600, out)

static void test_requests(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core);
	g_assert_cmpint(RUN("\0\1pxelinux.0\0octet\0"), ==, NAT_ALG_PASS);
	g_assert_cmpuint(core.n_expect, ==, 1);
	g_assert_cmpuint(core.expect[0].proto, ==, IPPROTO_UDP);
	g_assert_cmpuint(core.expect[0].remote.addr, ==, fake_ip("198.51.100.9"));
	g_assert_cmpuint(core.expect[0].remote.port, ==, 0);
	g_assert_cmpuint(core.expect[0].outside.addr, ==, fake_ip("203.0.113.7"));
	g_assert_cmpuint(core.expect[0].outside.port, ==, 13456);
	g_assert_cmpuint(core.expect[0].inside.addr, ==, fake_ip("10.0.0.2"));
	g_assert_cmpuint(core.expect[0].inside.port, ==, 3456);
	g_assert_cmpuint(core.expect[0].timeout_s, ==, NAT_ALG_EXPECT_TIMEOUT_S);
	g_assert_cmpuint(core.n_map, ==, 0);
	/* Write request, mode in capitals, options (RFC 2347), an empty value. */
	g_assert_cmpint(RUN("\0\2up.bin\0NetASCII\0blksize\0001428\0tsize\0\0"), ==, NAT_ALG_PASS);
	g_assert_cmpuint(core.n_expect, ==, 2);
	g_byte_array_free(out, TRUE);
}

static void test_not_requests(void)
{
	static const struct {
		const char *p;
		size_t n;
	} bad[] = {
#define B(s) { s, sizeof(s) - 1 }
		B(""),
		B("\0"),
		B("\0\3\0\1data"),	      /* DATA to port 69 */
		B("\0\5\0\1error\0"),	      /* ERROR */
		B("\1\1a\0octet\0"),	      /* opcode 257 */
		B("\0\1\0octet\0"),	      /* empty file name */
		B("\0\1a\0binary\0"),	      /* unknown mode */
		B("\0\1a\0octet"),	      /* unterminated */
		B("\0\1a\0octet\0blksize\0"), /* option without value */
		B("\0\1a"),
#undef B
	};
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core);
	for (size_t k = 0; k < G_N_ELEMENTS(bad); k++)
		g_assert_cmpint(fake_run(&nat_alg_tftp, &ctx, bad[k].p, bad[k].n, 600, out), ==,
				NAT_ALG_MALFORMED);
	g_assert_cmpuint(core.n_expect, ==, 0);
	/* Replies coming in, or an inside server: nothing to do. */
	ctx.dir = NAT_DIR_IN;
	g_assert_cmpint(RUN("\0\1pxelinux.0\0octet\0"), ==, NAT_ALG_PASS);
	ctx.dir = NAT_DIR_OUT;
	ctx.server_inside = true;
	g_assert_cmpint(RUN("\0\1pxelinux.0\0octet\0"), ==, NAT_ALG_PASS);
	g_assert_cmpuint(core.n_expect, ==, 0);
	/* The core refuses. */
	ctx.server_inside = false;
	core.fail_expect = true;
	g_assert_cmpint(RUN("\0\1pxelinux.0\0octet\0"), ==, NAT_ALG_REFUSED);
	g_byte_array_free(out, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/alg/tftp/requests", test_requests);
	g_test_add_func("/nat/alg/tftp/not-requests", test_not_requests);
	return g_test_run();
}
