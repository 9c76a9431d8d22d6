/* SPDX-License-Identifier: MIT
 * test-nat-alg-pptp.c - The PPTP ALG against a fake core: Call IDs both ways, GRE expectations
 */
#include <netinet/in.h>
#include <string.h>
#include <glib.h>

#include <pktkit/checksum.h>

#include "nat-alg.h"
#include "test-nat-alg-core.h"

static const uint16_t msg_len[16] = { 0,  156, 156, 16, 16, 16,	 16, 168,
				      32, 220, 24,  28, 16, 148, 40, 24 };

/* A control message of @type (RFC 2637) with @a at offset 12 and @b at 14. */
static size_t pptp_msg(uint8_t *p, uint16_t type, uint16_t a, uint16_t b)
{
	size_t n = msg_len[type];

	memset(p, 0, n);
	pk_put_be16(p, (uint16_t)n);
	pk_put_be16(p + 2, 1);
	pk_put_be32(p + 4, 0x1a2b3c4du);
	pk_put_be16(p + 8, type);
	pk_put_be16(p + 12, a);
	if (n >= 16)
		pk_put_be16(p + 14, b);
	return n;
}

struct fx {
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out;
	void *state;
};

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->core.outside_addr = fake_ip("203.0.113.7");
	f->core.port_offset = 1;
	f->state = g_malloc(nat_alg_pptp.state_size);
	nat_alg_pptp.init(f->state);
	f->ctx = (struct nat_alg_ctx){
		.ops = &fake_ops,
		.core = &f->core,
		.state = f->state,
		.proto = IPPROTO_TCP,
		.dir = NAT_DIR_OUT,
		.inside = { fake_ip("10.0.0.2"), 40000 },
		.outside = { fake_ip("203.0.113.7"), 40000 },
		.remote = { fake_ip("198.51.100.9"), 1723 },
	};
	f->out = g_byte_array_new();
}

static void fx_done(struct fx *f)
{
	g_byte_array_free(f->out, TRUE);
	g_free(f->state);
}

static enum nat_alg_verdict fx_run(struct fx *f, enum nat_dir dir, const uint8_t *p, size_t n)
{
	f->ctx.dir = dir;
	return fake_run(&nat_alg_pptp, &f->ctx, (const char *)p, n, n, f->out);
}

static void test_client_calls(void)
{
	struct fx f;
	uint8_t m[512];
	size_t n;

	fx_init(&f);
	/* Start-Control-Connection-Request: nothing to translate. */
	n = pptp_msg(m, 1, 0, 0);
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_PASS);
	/* Outgoing-Call-Request with Call ID 0x1234: mapped to 0x1235. */
	n = pptp_msg(m, 7, 0x1234, 0x0007);
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_REWRITTEN);
	g_assert_cmpuint(f.out->len, ==, 168);
	g_assert_cmpuint(pk_get_be16(f.out->data + 12), ==, 0x1235);
	g_assert_cmpmem(f.out->data + 14, 168 - 14, m + 14, 168 - 14);
	g_assert_cmpuint(f.core.n_map, ==, 1);
	g_assert_cmpuint(f.core.map[0].proto, ==, 47);
	g_assert_cmpuint(f.core.map[0].inside.port, ==, 0x1234);
	g_assert_cmpuint(f.core.n_expect, ==, 1);
	g_assert_cmpuint(f.core.expect[0].proto, ==, 47);
	g_assert_cmpuint(f.core.expect[0].remote.addr, ==, fake_ip("198.51.100.9"));
	g_assert_cmpuint(f.core.expect[0].outside.port, ==, 0x1235);
	g_assert_cmpuint(f.core.expect[0].inside.port, ==, 0x1234);
	/* Outgoing-Call-Reply: the server's Call ID stays, the peer's goes back. */
	n = pptp_msg(m, 8, 0x0042, 0x1235);
	g_assert_cmpint(fx_run(&f, NAT_DIR_IN, m, n), ==, NAT_ALG_REWRITTEN);
	g_assert_cmpuint(pk_get_be16(f.out->data + 12), ==, 0x0042);
	g_assert_cmpuint(pk_get_be16(f.out->data + 14), ==, 0x1234);
	/* WAN-Error-Notify and Set-Link-Info in one segment, then a call never announced. */
	n = pptp_msg(m, 14, 0x1235, 0);
	n += pptp_msg(m + n, 15, 0x1235, 0);
	g_assert_cmpint(fx_run(&f, NAT_DIR_IN, m, n), ==, NAT_ALG_REWRITTEN);
	g_assert_cmpuint(pk_get_be16(f.out->data + 12), ==, 0x1234);
	g_assert_cmpuint(pk_get_be16(f.out->data + 40 + 12), ==, 0x1234);
	n = pptp_msg(m, 8, 0x0042, 0x7777);
	g_assert_cmpint(fx_run(&f, NAT_DIR_IN, m, n), ==, NAT_ALG_PASS);
	/* Call-Clear-Request from the client: its own Call ID, as mapped. */
	n = pptp_msg(m, 12, 0x1234, 0);
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_REWRITTEN);
	g_assert_cmpuint(pk_get_be16(f.out->data + 12), ==, 0x1235);
	g_assert_cmpuint(f.core.n_map, ==, 1);
	/* The same outside Call ID as the inside one: nothing to rewrite. */
	f.core.port_offset = 0;
	n = pptp_msg(m, 7, 0x2000, 0);
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_PASS);
	g_assert_cmpuint(f.core.n_expect, ==, 2);
	fx_done(&f);
}

static void test_malformed(void)
{
	struct fx f;
	uint8_t m[512];
	size_t n;

	fx_init(&f);
	n = pptp_msg(m, 7, 0x1234, 0);
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n - 1), ==, NAT_ALG_MALFORMED); /* cut */
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, 10), ==, NAT_ALG_MALFORMED);
	m[4] ^= 1; /* magic cookie */
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_MALFORMED);
	n = pptp_msg(m, 7, 0x1234, 0);
	pk_put_be16(m, 100); /* wrong length for the type */
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_MALFORMED);
	n = pptp_msg(m, 7, 0x1234, 0);
	pk_put_be16(m + 2, 2); /* management message */
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_MALFORMED);
	n = pptp_msg(m, 7, 0x1234, 0);
	pk_put_be16(m + 8, 16); /* unknown type */
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_MALFORMED);
	/* A good message followed by a cut one: neither is translated. */
	n = pptp_msg(m, 7, 0x1234, 0);
	n += pptp_msg(m + n, 12, 0x1234, 0) - 2;
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_MALFORMED);
	g_assert_cmpuint(f.core.n_map + f.core.n_expect, ==, 0);
	/* The core refusing. */
	f.core.fail_map = true;
	n = pptp_msg(m, 7, 0x1234, 0);
	g_assert_cmpint(fx_run(&f, NAT_DIR_OUT, m, n), ==, NAT_ALG_REFUSED);
	fx_done(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/alg/pptp/client-calls", test_client_calls);
	g_test_add_func("/nat/alg/pptp/malformed", test_malformed);
	return g_test_run();
}
