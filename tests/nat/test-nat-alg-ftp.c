/* SPDX-License-Identifier: MIT
 * test-nat-alg-ftp.c - The FTP ALG against a fake core: PORT, EPRT, 227, 229, malformed input
 */
#include <netinet/in.h>
#include <string.h>
#include <glib.h>

#include "nat-alg.h"
#include "test-nat-alg-core.h"

struct fx {
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out;
};

/* An inside client 10.0.0.2:40000 talking to the server 198.51.100.9:21. */
static void fx_client(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->core.outside_addr = fake_ip("203.0.113.7");
	f->ctx = (struct nat_alg_ctx){
		.ops = &fake_ops,
		.core = &f->core,
		.proto = IPPROTO_TCP,
		.dir = NAT_DIR_OUT,
		.server_inside = false,
		.inside = { fake_ip("10.0.0.2"), 40000 },
		.outside = { fake_ip("203.0.113.7"), 40000 },
		.remote = { fake_ip("198.51.100.9"), 21 },
		.seq = 1000,
	};
	f->out = g_byte_array_new();
}

/* An inside server 10.0.0.5:21 behind a forward, a client 198.51.100.20:51000. */
static void fx_server(struct fx *f)
{
	fx_client(f);
	f->ctx.server_inside = true;
	f->ctx.inside = (struct nat_endpoint4){ fake_ip("10.0.0.5"), 21 };
	f->ctx.outside = (struct nat_endpoint4){ fake_ip("203.0.113.7"), 21 };
	f->ctx.remote = (struct nat_endpoint4){ fake_ip("198.51.100.20"), 51000 };
}

static void fx_done(struct fx *f)
{
	g_byte_array_free(f->out, TRUE);
}

static enum nat_alg_verdict fx_run(struct fx *f, const char *in, size_t cap)
{
	return fake_run(&nat_alg_ftp, &f->ctx, in, strlen(in), cap, f->out);
}

static void fx_expect_out(struct fx *f, const char *want)
{
	g_assert_cmpmem(f->out->data, f->out->len, want, strlen(want));
}

static void test_port(void)
{
	struct fx f;

	fx_client(&f);
	g_assert_cmpint(fx_run(&f, "PORT 10,0,0,2,4,1\r\n", 256), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "PORT 203,0,113,7,4,1\r\n");
	g_assert_cmpuint(f.core.n_map, ==, 1);
	g_assert_cmpuint(f.core.map[0].proto, ==, IPPROTO_TCP);
	g_assert_cmpuint(f.core.map[0].inside.addr, ==, fake_ip("10.0.0.2"));
	g_assert_cmpuint(f.core.map[0].inside.port, ==, 1025);
	g_assert_cmpuint(f.core.map[0].want_port, ==, 1025);
	g_assert_false(f.core.map[0].exact);
	g_assert_cmpuint(f.core.n_expect, ==, 1);
	g_assert_cmpuint(f.core.expect[0].proto, ==, IPPROTO_TCP);
	g_assert_cmpuint(f.core.expect[0].remote.addr, ==, fake_ip("198.51.100.9"));
	g_assert_cmpuint(f.core.expect[0].remote.port, ==, 0);
	g_assert_cmpuint(f.core.expect[0].outside.port, ==, 1025);
	g_assert_cmpuint(f.core.expect[0].inside.addr, ==, fake_ip("10.0.0.2"));
	g_assert_cmpuint(f.core.expect[0].inside.port, ==, 1025);
	g_assert_cmpuint(f.core.expect[0].timeout_s, ==, NAT_ALG_EXPECT_TIMEOUT_S);

	/* Another outside port; lower case verb; shorter result; bare LF. */
	f.core.port_offset = 10000;
	f.ctx.outside.addr = f.core.outside_addr = fake_ip("1.2.3.4");
	g_assert_cmpint(fx_run(&f, "port 010,000,000,002,200,10\n", 256), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "port 1,2,3,4,239,26\n"); /* 51210 + 10000 = 239 * 256 + 26 */
	fx_done(&f);
}

static void test_port_pipelined(void)
{
	struct fx f;

	fx_client(&f);
	g_assert_cmpint(fx_run(&f, "TYPE I\r\nPORT 10,0,0,2,4,1\r\nRETR x\r\n", 256), ==,
			NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "TYPE I\r\nPORT 203,0,113,7,4,1\r\nRETR x\r\n");
	/* Nothing to do. */
	g_assert_cmpint(fx_run(&f, "USER anonymous\r\nPASV\r\n", 256), ==, NAT_ALG_PASS);
	g_assert_cmpint(fx_run(&f, "PORTS 1\r\n", 256), ==, NAT_ALG_PASS);
	g_assert_cmpint(fx_run(&f, "", 256), ==, NAT_ALG_PASS);
	g_assert_cmpint(fx_run(&f, "STOR half a", 256), ==, NAT_ALG_PASS);
	g_assert_cmpuint(f.core.n_map, ==, 1);
	fx_done(&f);
}

static void test_eprt(void)
{
	struct fx f;

	fx_client(&f);
	g_assert_cmpint(fx_run(&f, "EPRT |1|10.0.0.2|6275|\r\n", 256), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "EPRT |1|203.0.113.7|6275|\r\n");
	g_assert_cmpuint(f.core.map[0].inside.port, ==, 6275);
	g_assert_cmpuint(f.core.expect[0].inside.port, ==, 6275);
	/* Another delimiter. */
	g_assert_cmpint(fx_run(&f, "EPRT !1!10.0.0.2!6276!\r\n", 256), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "EPRT !1!203.0.113.7!6276!\r\n");
	/* IPv6: not this NAT's business. */
	g_assert_cmpint(fx_run(&f, "EPRT |2|1080::8:800:200C:417A|5282|\r\n", 256), ==,
			NAT_ALG_PASS);
	g_assert_cmpuint(f.core.n_map, ==, 2);
	fx_done(&f);
}

static void test_pasv_reply(void)
{
	struct fx f;

	fx_server(&f);
	g_assert_cmpint(fx_run(&f, "227 Entering Passive Mode (10,0,0,5,195,80).\r\n", 256), ==,
			NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "227 Entering Passive Mode (203,0,113,7,195,80).\r\n");
	g_assert_cmpuint(f.core.map[0].inside.addr, ==, fake_ip("10.0.0.5"));
	g_assert_cmpuint(f.core.map[0].inside.port, ==, 50000);
	/* The data connection comes from the client's address, any port. */
	g_assert_cmpuint(f.core.expect[0].remote.addr, ==, fake_ip("198.51.100.20"));
	g_assert_cmpuint(f.core.expect[0].remote.port, ==, 0);
	g_assert_cmpuint(f.core.expect[0].outside.port, ==, 50000);
	/* Without parentheses (RFC 959 allows any text). */
	g_assert_cmpint(fx_run(&f, "227 =10,0,0,5,195,81\r\n", 256), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "227 =203,0,113,7,195,81\r\n");
	/* In the client's role, a 227 is not ours (and inbound never is). */
	f.ctx.server_inside = false;
	g_assert_cmpint(fx_run(&f, "227 Entering Passive Mode (10,0,0,5,195,80).\r\n", 256), ==,
			NAT_ALG_PASS);
	f.ctx.server_inside = true;
	f.ctx.dir = NAT_DIR_IN;
	g_assert_cmpint(fx_run(&f, "227 Entering Passive Mode (10,0,0,5,195,80).\r\n", 256), ==,
			NAT_ALG_PASS);
	g_assert_cmpint(fx_run(&f, "PORT 10,0,0,5,4,1\r\n", 256), ==, NAT_ALG_PASS);
	g_assert_cmpuint(f.core.n_map, ==, 2);
	fx_done(&f);
}

static void test_epsv_reply(void)
{
	struct fx f;

	fx_server(&f);
	/* Same outside port: mapped and expected, nothing rewritten. */
	g_assert_cmpint(fx_run(&f, "229 Entering Extended Passive Mode (|||6446|)\r\n", 256), ==,
			NAT_ALG_PASS);
	g_assert_cmpuint(f.core.n_map, ==, 1);
	g_assert_cmpuint(f.core.map[0].inside.port, ==, 6446);
	g_assert_cmpuint(f.core.n_expect, ==, 1);
	g_assert_cmpuint(f.core.expect[0].outside.port, ==, 6446);
	/* Another outside port: the port is rewritten. */
	f.core.port_offset = 1;
	g_assert_cmpint(fx_run(&f, "229 Entering Extended Passive Mode (|||6446|)\r\n", 256), ==,
			NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "229 Entering Extended Passive Mode (|||6447|)\r\n");
	g_assert_cmpint(fx_run(&f, "229 ok (!!!9!)\r\n", 256), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "229 ok (!!!10!)\r\n");
	fx_done(&f);
}

static void test_malformed(void)
{
	static const char *const client_bad[] = {
		"PORT 10,0,0,2,4\r\n",	    /* five numbers */
		"PORT 10,0,0,2,4,1,7\r\n",  /* seven */
		"PORT 10,0,0,256,4,1\r\n",  /* out of range */
		"PORT 10,0,0,2,4,1 \r\n",   /* trailing space */
		"PORT  10,0,0,2,4,1\r\n",   /* two spaces */
		"PORT 10,0,0,2,0,0\r\n",    /* port 0 */
		"PORT 10,0,0,2,4,0001\r\n", /* four digits */
		"PORT 10,0,0,2,4,1",	    /* cut by the segment */
		"PORT\r\n",
		"PORT 10,0,0,2,,1\r\n",
		"PORT -1,0,0,2,4,1\r\n",
		"EPRT |1|10.0.0.2|6275\r\n", /* no closing delimiter */
		"EPRT |1|10.0.0.2|6275|x\r\n",
		"EPRT |1|10.0.0|6275|\r\n",
		"EPRT |1|10.0.0.2|65536|\r\n",
		"EPRT |1|10.0.0.2|0|\r\n",
		"EPRT |3|10.0.0.2|6275|\r\n", /* unknown family */
		"EPRT |1!10.0.0.2!6275!\r\n", /* mixed delimiters */
		"EPRT \x7f"
		"1\x7f"
		"10.0.0.2\x7f"
		"1\x7f\r\n", /* DEL is no delimiter */
		"EPRT |1|10.0.0.2|6275|",
		"NOOP\r\nPORT 10,0,0,2,4,1\r\nPORT 10,0,0,2,4\r\n", /* one good, one bad */
	};
	static const char *const server_bad[] = {
		"227 Entering Passive Mode (10,0,0,5,195).\r\n",
		"227 Entering Passive Mode.\r\n",
		"227 Entering Passive Mode (10,0,0,5,195,80,1).\r\n",
		"227 Entering Passive Mode (10,0,0,5,195,80",
		"229 Entering Extended Passive Mode (|||6446)\r\n",
		"229 Entering Extended Passive Mode (||6446|)\r\n",
		"229 Entering Extended Passive Mode (|||70000|)\r\n",
		"229 Entering Extended Passive Mode\r\n",
		"229 (|||",
	};
	struct fx f;

	fx_client(&f);
	for (size_t k = 0; k < G_N_ELEMENTS(client_bad); k++) {
		g_test_message("client: %s", client_bad[k]);
		g_assert_cmpint(fx_run(&f, client_bad[k], 256), ==, NAT_ALG_MALFORMED);
	}
	g_assert_cmpuint(f.core.n_map + f.core.n_expect, ==, 0);
	fx_done(&f);
	fx_server(&f);
	for (size_t k = 0; k < G_N_ELEMENTS(server_bad); k++) {
		g_test_message("server: %s", server_bad[k]);
		g_assert_cmpint(fx_run(&f, server_bad[k], 256), ==, NAT_ALG_MALFORMED);
	}
	g_assert_cmpuint(f.core.n_map + f.core.n_expect, ==, 0);
	fx_done(&f);
}

static void test_refused(void)
{
	struct fx f;

	fx_client(&f);
	/* Another inside host's address: no mapping for it. */
	g_assert_cmpint(fx_run(&f, "PORT 10,0,0,3,4,1\r\n", 256), ==, NAT_ALG_REFUSED);
	g_assert_cmpint(fx_run(&f, "EPRT |1|192.168.1.1|80|\r\n", 256), ==, NAT_ALG_REFUSED);
	g_assert_cmpuint(f.core.n_map, ==, 0);
	/* No room for the longest rewrite. */
	g_assert_cmpint(fx_run(&f, "PORT 10,0,0,2,4,1\r\n", 20), ==, NAT_ALG_REFUSED);
	g_assert_cmpuint(f.core.n_map, ==, 0);
	/* The core refuses. */
	f.core.fail_map = true;
	g_assert_cmpint(fx_run(&f, "PORT 10,0,0,2,4,1\r\n", 256), ==, NAT_ALG_REFUSED);
	f.core.fail_map = false;
	f.core.fail_expect = true;
	g_assert_cmpint(fx_run(&f, "PORT 10,0,0,2,4,1\r\n", 256), ==, NAT_ALG_REFUSED);
	/* Too many in one segment. */
	f.core.fail_expect = false;
	g_assert_cmpint(fx_run(&f,
			       "PORT 10,0,0,2,4,1\r\nPORT 10,0,0,2,4,1\r\nPORT 10,0,0,2,4,1\r\n"
			       "PORT 10,0,0,2,4,1\r\nPORT 10,0,0,2,4,1\r\n",
			       256),
			==, NAT_ALG_REFUSED);
	fx_done(&f);
}

/* The exact capacity the rewrite needs is enough (nothing is written past it). */
static void test_tight_capacity(void)
{
	struct fx f;
	const char *in = "PORT 10,0,0,2,4,1\r\n";

	fx_client(&f);
	f.ctx.outside.addr = f.core.outside_addr = fake_ip("255.255.255.255");
	f.core.port_offset = 65535 - 1025;
	/* The worst case is 23 characters for 12: len + 11. */
	g_assert_cmpint(fx_run(&f, in, strlen(in) + 11), ==, NAT_ALG_REWRITTEN);
	fx_expect_out(&f, "PORT 255,255,255,255,255,255\r\n");
	g_assert_cmpint(fx_run(&f, in, strlen(in) + 10), ==, NAT_ALG_REFUSED);
	fx_done(&f);
}

/* The shared edit and number helpers the ALGs rewrite with. */
static void test_helpers(void)
{
	uint8_t b[16];
	size_t len = 10, i = 0;
	uint32_t v;
	struct nat_alg_edit e[2] = {
		{ .off = 1, .len = 2, .text_len = 4, .text = "WXYZ" },
		{ .off = 6, .len = 3, .text_len = 0 },
	};

	memcpy(b, "0123456789", 10);
	g_assert_true(nat_alg_apply_edits(b, &len, 11, e, 2));
	g_assert_cmpmem(b, len, "0WXYZ3459", 9);
	/* Out of range, overlapping, too long: refused, nothing written. */
	memcpy(b, "0123456789", 10);
	len = 10;
	e[1].off = 9;
	g_assert_false(nat_alg_apply_edits(b, &len, 16, e, 2));
	e[1].off = 2;
	g_assert_false(nat_alg_apply_edits(b, &len, 16, e, 2));
	g_assert_false(nat_alg_apply_edits(b, &len, 11, e, 1));
	g_assert_cmpmem(b, len, "0123456789", 10);
	/* A shrink before a growth at full capacity: never longer than either end. */
	{
		uint8_t *h = g_malloc(10);
		struct nat_alg_edit m[3] = {
			{ .off = 0, .len = 4, .text_len = 0 },
			{ .off = 5, .len = 1, .text_len = 3, .text = "abc" },
			{ .off = 8, .len = 0, .text_len = 2, .text = "yz" },
		};

		memcpy(h, "0123456789", 10);
		len = 10;
		g_assert_true(nat_alg_apply_edits(h, &len, 10, m, 3));
		g_assert_cmpmem(h, len, "4abc67yz89", 10);
		g_free(h);
	}
	g_assert_true(nat_alg_parse_dec((const uint8_t *)"65535x", 6, &i, 5, 65535, &v));
	g_assert_cmpuint(v, ==, 65535);
	g_assert_cmpuint(i, ==, 5);
	i = 0;
	g_assert_false(nat_alg_parse_dec((const uint8_t *)"65536", 5, &i, 5, 65535, &v));
	g_assert_false(nat_alg_parse_dec((const uint8_t *)"000001", 6, &i, 5, 65535, &v));
	g_assert_false(nat_alg_parse_dec((const uint8_t *)"x", 1, &i, 5, 65535, &v));
	g_assert_cmpuint(i, ==, 0);
	char t[16];

	g_assert_cmpmem(t, nat_alg_fmt_addr(t, fake_ip("255.0.10.1"), ','), "255,0,10,1", 10);
	g_assert_cmpmem(t, nat_alg_fmt_dec(t, 0), "0", 1);
	g_assert_cmpmem(t, nat_alg_fmt_dec(t, 4294967295u), "4294967295", 10);
}

static void test_registry(void)
{
	g_assert_true(nat_alg_find("ftp") == &nat_alg_ftp);
	g_assert_true(nat_alg_find("tftp") == &nat_alg_tftp);
	g_assert_true(nat_alg_find("irc") == &nat_alg_irc);
	g_assert_true(nat_alg_find("sip") == &nat_alg_sip);
	g_assert_true(nat_alg_find("pptp") == &nat_alg_pptp);
	g_assert_true(nat_alg_find("h323") == &nat_alg_h323);
	g_assert_null(nat_alg_find("FTP"));
	g_assert_null(nat_alg_find("gopher"));
	g_assert_null(nat_alg_find(NULL));
	g_assert_cmpuint(nat_alg_ftp.default_port, ==, 21);
	g_assert_true(nat_alg_handles(&nat_alg_ftp, IPPROTO_TCP));
	g_assert_false(nat_alg_handles(&nat_alg_ftp, IPPROTO_UDP));
	size_t n = 0;

	for (const struct nat_alg *const *a = nat_alg_builtin(); *a; a++, n++) {
		g_assert_nonnull((*a)->process);
		g_assert_true(nat_alg_find((*a)->name) == *a);
	}
	g_assert_cmpuint(n, ==, 6);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/alg/ftp/port", test_port);
	g_test_add_func("/nat/alg/ftp/port-pipelined", test_port_pipelined);
	g_test_add_func("/nat/alg/ftp/eprt", test_eprt);
	g_test_add_func("/nat/alg/ftp/pasv-reply", test_pasv_reply);
	g_test_add_func("/nat/alg/ftp/epsv-reply", test_epsv_reply);
	g_test_add_func("/nat/alg/ftp/malformed", test_malformed);
	g_test_add_func("/nat/alg/ftp/refused", test_refused);
	g_test_add_func("/nat/alg/ftp/tight-capacity", test_tight_capacity);
	g_test_add_func("/nat/alg/helpers", test_helpers);
	g_test_add_func("/nat/alg/registry", test_registry);
	return g_test_run();
}
