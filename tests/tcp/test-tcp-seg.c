/* SPDX-License-Identifier: MIT
 * test-tcp-seg.c - TCP segment glue: options, checksums, SipHash, RFC 6528 ISNs, bad headers
 */
#include "tcp-test-util.h"
#include "../../core/lib/tcp/tcp-private.h"

static void test_siphash_vector(void)
{
	/* Reference vector of the SipHash paper: key 00..0f, message 00..0e. */
	uint8_t key[16], msg[15];

	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	g_assert_cmphex(pk_tcp_siphash(key, msg, 15), ==, 0xa129ca6149be45e5ull);
	g_assert_cmphex(pk_tcp_siphash(key, msg, 0), ==, 0x726fdb47dd0e0e31ull);
}

static void test_isn(void)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_engine *e2 = pk_tcp_engine_new((const uint8_t *)"fedcba9876543210", 0);
	struct pk_tcp_endpoints a, b;
	uint32_t i0, i1;

	ep_init(&a, false);
	b = a;
	b.remote_port++;
	i0 = pk_tcp_isn(e, &a, 0);
	g_assert_cmpuint(pk_tcp_isn(e, &a, 0), ==, i0);
	/* the 4 us clock advances it */
	i1 = pk_tcp_isn(e, &a, 4000 * 1000);
	g_assert_cmpuint(i1 - i0, ==, 1000);
	/* a different tuple or secret gives an unrelated offset */
	g_assert_cmpuint(pk_tcp_isn(e, &b, 0), !=, i0);
	g_assert_cmpuint(pk_tcp_isn(e2, &a, 0), !=, i0);
	ep_init(&b, true);
	g_assert_cmpuint(pk_tcp_isn(e, &b, 0), !=, i0);
	pk_tcp_engine_free(e);
	pk_tcp_engine_free(e2);
}

static void test_opts_roundtrip(void)
{
	struct pk_tcp_endpoints ep;
	struct pk_tcp_opts o = { 0 };
	struct seg s;

	ep_init(&ep, false);
	o.present = PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE | PK_TCP_HAS_SACK_PERM | PK_TCP_HAS_TIMESTAMP;
	o.mss = 1460;
	o.wscale = 7;
	o.ts_val = 0x11223344;
	o.ts_ecr = 0x55667788;
	mkseg(&s, &ep, 1, 0, PK_TCP_SYN, 65535, &o, NULL, 0);
	g_assert_cmpuint(s.v.hdr_len, ==, 40);
	g_assert_cmphex(s.o.present, ==, o.present);
	g_assert_cmpuint(s.o.mss, ==, 1460);
	g_assert_cmpuint(s.o.wscale, ==, 7);
	g_assert_cmphex(s.o.ts_val, ==, 0x11223344);
	g_assert_cmphex(s.o.ts_ecr, ==, 0x55667788);

	/* SACK blocks with timestamps: 3 fit */
	memset(&o, 0, sizeof(o));
	o.present = PK_TCP_HAS_TIMESTAMP | PK_TCP_HAS_SACK;
	o.n_sack = 4;
	for (int i = 0; i < 4; i++) {
		o.sack[i].left = 0xfffffff0u + 100u * i;
		o.sack[i].right = o.sack[i].left + 50;
	}
	mkseg(&s, &ep, 1, 0, PK_TCP_ACK, 100, &o, NULL, 0);
	g_assert_cmpuint(s.v.hdr_len, <=, 60);
	g_assert_cmpuint(s.o.n_sack, ==, 3);
	g_assert_cmphex(s.o.sack[2].left, ==, 0xfffffff0u + 200u);
	/* without timestamps: 4 fit */
	o.present = PK_TCP_HAS_SACK;
	mkseg(&s, &ep, 1, 0, PK_TCP_ACK, 100, &o, NULL, 0);
	g_assert_cmpuint(s.o.n_sack, ==, 4);
	/* SYN-only options are not written in other segments */
	o.present = PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE;
	mkseg(&s, &ep, 1, 0, PK_TCP_ACK, 100, &o, NULL, 0);
	g_assert_cmpuint(s.v.hdr_len, ==, 20);
}

static void check_csum(bool v6)
{
	struct pk_tcp_endpoints ep;
	uint8_t seg[64];
	uint8_t pseudo[40 + 64];
	uint32_t plen;

	ep_init(&ep, v6);
	for (unsigned i = 0; i < sizeof(seg); i++)
		seg[i] = (uint8_t)(i * 7 + 3);
	seg[12] = 0x50;
	pk_tcp_csum_set(&ep, seg, 63);	/* odd length */
	g_assert_true(pk_tcp_csum_ok(v6, ep.local_addr, ep.remote_addr, seg, 63));
	g_assert_false(pk_tcp_csum_ok(v6, ep.remote_addr + 1, ep.remote_addr, seg, 63));
	/* reference: explicit pseudo header + segment */
	memset(pseudo, 0, sizeof(pseudo));
	if (v6) {
		memcpy(pseudo, ep.local_addr, 16);
		memcpy(pseudo + 16, ep.remote_addr, 16);
		pk_put_be32(pseudo + 32, 63);
		pseudo[39] = 6;
		plen = 40;
	} else {
		memcpy(pseudo, ep.local_addr, 4);
		memcpy(pseudo + 4, ep.remote_addr, 4);
		pseudo[9] = 6;
		pk_put_be16(pseudo + 10, 63);
		plen = 12;
	}
	memcpy(pseudo + plen, seg, 63);
	g_assert_cmphex(pk_csum(pseudo, plen + 63), ==, 0);
	seg[30] ^= 1;
	g_assert_false(pk_tcp_csum_ok(v6, ep.local_addr, ep.remote_addr, seg, 63));
}

static void test_csum(void)
{
	check_csum(false);
	check_csum(true);
}

static void test_bad_headers(void)
{
	uint8_t b[60] = { 0 };
	struct pk_tcp_view v;
	struct pk_tcp_opts o;

	/* data offset beyond the segment */
	b[12] = 0xf0;
	g_assert_false(pk_tcp_parse(b, 40, &v));
	b[12] = 0x40;	/* below 5 */
	g_assert_false(pk_tcp_parse(b, 40, &v));
	/* option length running past the header */
	b[12] = 0x60;
	b[20] = PK_TCP_OPT_MSS;
	b[21] = 8;
	g_assert_true(pk_tcp_parse(b, 24, &v));
	g_assert_false(pk_tcp_opts_parse(&v, &o));
	/* absurd window scale: clamped */
	b[20] = PK_TCP_OPT_WSCALE;
	b[21] = 3;
	b[22] = 200;
	b[23] = 0;
	g_assert_true(pk_tcp_parse(b, 24, &v));
	pk_tcp_opts_parse(&v, &o);
	g_assert_cmpuint(o.wscale, ==, 14);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tcp/seg/siphash", test_siphash_vector);
	g_test_add_func("/tcp/seg/isn", test_isn);
	g_test_add_func("/tcp/seg/options", test_opts_roundtrip);
	g_test_add_func("/tcp/seg/checksum", test_csum);
	g_test_add_func("/tcp/seg/bad-headers", test_bad_headers);
	return g_test_run();
}
