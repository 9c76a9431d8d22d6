/* SPDX-License-Identifier: MIT
 * test-nat-alg-h323.c - The H.323 ALG against a fake core: the H.245 address in TPKT-framed Q.931
 */
#include <netinet/in.h>
#include <string.h>
#include <glib.h>

#include <pktkit/checksum.h>

#include "nat-alg.h"
#include "test-nat-alg-core.h"

static void ctx_init(struct nat_alg_ctx *ctx, struct fake_core *core)
{
	memset(core, 0, sizeof(*core));
	core->outside_addr = fake_ip("203.0.113.7");
	core->port_offset = 3;
	*ctx = (struct nat_alg_ctx){
		.ops = &fake_ops,
		.core = core,
		.proto = IPPROTO_TCP,
		.dir = NAT_DIR_OUT,
		.inside = { fake_ip("10.0.0.2"), 40000 },
		.outside = { fake_ip("203.0.113.7"), 40000 },
		.remote = { fake_ip("198.51.100.9"), 1720 },
	};
}

/* A TPKT frame holding a Q.931 Connect whose user-user part has the H.245
 * address 10.0.0.2:0x2af8 (11000) after some PER bytes. */
static size_t connect_frame(uint8_t *p)
{
	static const uint8_t q931[] = {
		0x08, 0x02, 0x80, 0x01, 0x07,	    /* Q.931, call ref, Connect */
		0x7e, 0x00, 0x16, 0x05, 0x22, 0xc0, /* user-user IE, some PER */
		0x06, 0x00, 0x08, 0x91, 0x4a, 0x00, 0x04, 10, 0, 0, 2, 0x2a, 0xf8, /* h245Address */
		0x11, 0x00, 0x0a, 0x00, 0x00, 0x02, /* 10.0.0.2 again, no port after it */
	};
	p[0] = 3;
	p[1] = 0;
	pk_put_be16(p + 2, (uint16_t)(4 + sizeof(q931)));
	memcpy(p + 4, q931, sizeof(q931));
	return 4 + sizeof(q931);
}

static void test_connect(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();
	uint8_t m[256], want[256];
	size_t n = connect_frame(m);

	ctx_init(&ctx, &core);
	memcpy(want, m, n);
	memcpy(want + 4 + 18, (const uint8_t[]){ 203, 0, 113, 7, 0x2a, 0xfb }, 6);
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n, n, out), ==, NAT_ALG_REWRITTEN);
	g_assert_cmpmem(out->data, out->len, want, n);
	g_assert_cmpuint(core.n_map, ==, 1);
	g_assert_cmpuint(core.map[0].inside.port, ==, 11000);
	g_assert_cmpuint(core.n_expect, ==, 1);
	g_assert_cmpuint(core.expect[0].proto, ==, IPPROTO_TCP);
	g_assert_cmpuint(core.expect[0].remote.addr, ==, fake_ip("198.51.100.9"));
	g_assert_cmpuint(core.expect[0].outside.port, ==, 11003);
	/* Two frames in one segment: both looked at. */
	size_t n2 = n + connect_frame(m + n);

	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n2, n2, out), ==,
			NAT_ALG_REWRITTEN);
	g_assert_cmpmem(out->data + n, n, want, n);
	/* Inbound, or a frame that is not Q.931 (H.245 tunnelled elsewhere): nothing. */
	ctx.dir = NAT_DIR_IN;
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n, n, out), ==, NAT_ALG_PASS);
	ctx.dir = NAT_DIR_OUT;
	m[4] = 0x03;
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n, n, out), ==, NAT_ALG_PASS);
	g_byte_array_free(out, TRUE);
}

static void test_malformed(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();
	uint8_t m[256];
	size_t n = connect_frame(m);

	ctx_init(&ctx, &core);
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n - 1, n, out), ==,
			NAT_ALG_MALFORMED); /* cut */
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, 3, n, out), ==, NAT_ALG_MALFORMED);
	m[0] = 2; /* TPKT version */
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n, n, out), ==, NAT_ALG_MALFORMED);
	n = connect_frame(m);
	pk_put_be16(m + 2, 3);
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n, n, out), ==, NAT_ALG_MALFORMED);
	g_assert_cmpuint(core.n_map, ==, 0);
	n = connect_frame(m);
	core.fail_expect = true;
	g_assert_cmpint(fake_run(&nat_alg_h323, &ctx, (char *)m, n, n, out), ==, NAT_ALG_REFUSED);
	g_byte_array_free(out, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/alg/h323/connect", test_connect);
	g_test_add_func("/nat/alg/h323/malformed", test_malformed);
	return g_test_run();
}
