/* SPDX-License-Identifier: MIT
 * test-dhcp-codec.c - DHCP codec: parse, options (RFC 3396 concatenation, overload), build, framing
 */
#include <string.h>

#include <pktkit/buf.h>
#include <pktkit/toolkit/dhcp.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

static const uint8_t mac1[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct pk_ip4 ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct pk_ip4 r = { { a, b, c, d } };

	return r;
}

/* A request with a few options, built by hand (independent of the builder). */
static uint32_t handmade(uint8_t *m, const uint8_t *opts, uint32_t opts_len)
{
	memset(m, 0, 240);
	m[0] = 1;
	m[1] = 1;
	m[2] = 6;
	m[4] = 0xde;
	m[5] = 0xad;
	m[6] = 0xbe;
	m[7] = 0xef;
	m[10] = 0x80;
	memcpy(m + 28, mac1, 6);
	m[236] = 99;
	m[237] = 130;
	m[238] = 83;
	m[239] = 99;
	memcpy(m + 240, opts, opts_len);
	return 240 + opts_len;
}

static void test_parse_basic(void)
{
	static const uint8_t opts[] = { 53, 1, 3, 0, 0, 50, 4, 10, 0, 0, 7, 54, 4, 10, 0, 0, 1,
					12, 5, 'h', 'o', 's', 't', 0, 55, 3, 1, 3, 121,
					61, 7, 1, 2, 0, 0, 0, 0, 1, 255, 0, 0 };
	uint8_t m[512], scratch[16];
	struct pk_dhcp_msg v;
	struct pk_ip4 a;
	char host[64];
	uint32_t len = handmade(m, opts, sizeof(opts)), cl;
	const uint8_t *cid;

	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_OK);
	g_assert_cmpuint(v.op, ==, 1);
	g_assert_cmpuint(v.xid, ==, 0xdeadbeef);
	g_assert_cmpuint(v.flags, ==, PK_DHCP_FLAG_BROADCAST);
	g_assert_cmpuint(v.msg_type, ==, PK_DHCP_REQUEST);
	g_assert_cmpmem(v.chaddr, 6, mac1, 6);
	g_assert_true(pk_dhcp_requested_ip(&v, &a));
	g_assert_cmpmem(a.b, 4, ip4(10, 0, 0, 7).b, 4);
	g_assert_true(pk_dhcp_server_id(&v, &a));
	g_assert_cmpmem(a.b, 4, ip4(10, 0, 0, 1).b, 4);
	g_assert_cmpint(pk_dhcp_hostname(&v, host, sizeof(host)), ==, 4);
	g_assert_cmpstr(host, ==, "host");
	g_assert_true(pk_dhcp_param_requested(&v, 121));
	g_assert_false(pk_dhcp_param_requested(&v, 6));
	cid = pk_dhcp_client_id(&v, scratch, sizeof(scratch), &cl);
	g_assert_nonnull(cid);
	g_assert_cmpuint(cl, ==, 7);
	g_assert_true(cid >= m && cid < m + len);	/* zero-copy */
	g_assert_false(pk_dhcp_opt_has(&v, PK_DHCP_OPT_LEASE_TIME));
	g_assert_false(pk_dhcp_lease_time(&v, &cl));
	g_assert_nonnull(v.sname);
	g_assert_nonnull(v.file);
}

static void test_parse_bad(void)
{
	uint8_t m[5000];
	struct pk_dhcp_msg v;
	static const uint8_t overrun[] = { 53, 1, 1, 12, 200, 'x' };
	static const uint8_t no_len[] = { 53, 1, 1, 12 };
	static const uint8_t ok[] = { 53, 1, 1, 255 };
	uint32_t len;

	len = handmade(m, ok, sizeof(ok));
	for (uint32_t l = 0; l < 240; l++)
		g_assert_cmpint(pk_dhcp_parse(m, l, &v), ==, PK_DHCP_E_SHORT);
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_OK);
	m[236] = 0;
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_E_COOKIE);
	m[236] = 99;
	m[2] = 17;
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_E_HEADER);
	m[2] = 6;
	m[0] = 3;
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_E_HEADER);
	m[0] = 1;
	len = handmade(m, overrun, sizeof(overrun));
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_E_OPTIONS);
	len = handmade(m, no_len, sizeof(no_len));
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_E_OPTIONS);
	memset(m + 240, 0, sizeof(m) - 240);
	g_assert_cmpint(pk_dhcp_parse(m, PK_DHCP_MAX_LEN, &v), ==, PK_DHCP_OK);
	g_assert_cmpint(pk_dhcp_parse(m, PK_DHCP_MAX_LEN + 1, &v), ==, PK_DHCP_E_LONG);
	g_assert_cmpstr(pk_dhcp_err_name(PK_DHCP_E_COOKIE), ==, "bad-cookie");

	/* Message type of the wrong length: a BOOTP message. */
	{
		static const uint8_t mt2[] = { 53, 2, 1, 1, 255 };

		len = handmade(m, mt2, sizeof(mt2));
		g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_OK);
		g_assert_cmpuint(v.msg_type, ==, 0);
	}
}

/* Split options are concatenated; overload moves options into file and sname. */
static void test_concat_overload(void)
{
	static const uint8_t opts[] = { 52, 1, 3, 53, 1, 1, 12, 3, 'a', 'b', 'c', 255 };
	uint8_t m[512], scratch[64];
	struct pk_dhcp_msg v;
	char host[64];
	uint32_t len = handmade(m, opts, sizeof(opts)), dl;
	const uint8_t *d;
	struct pk_ip4 dns[4];

	/* file: hostname continued, DNS split in two; sname: more DNS. */
	{
		uint8_t *f = m + PK_DHCP_OFF_FILE, *s = m + PK_DHCP_OFF_SNAME;
		const uint8_t fo[] = { 12, 2, 'd', 'e', 6, 4, 1, 1, 1, 1, 255 };
		const uint8_t so[] = { 0, 6, 4, 8, 8, 8, 8, 255 };

		memcpy(f, fo, sizeof(fo));
		memcpy(s, so, sizeof(so));
	}
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_OK);
	g_assert_cmpuint(v.overload, ==, 3);
	g_assert_null(v.sname);
	g_assert_null(v.file);
	g_assert_cmpuint(v.n_areas, ==, 3);
	g_assert_cmpint(pk_dhcp_hostname(&v, host, sizeof(host)), ==, 5);
	g_assert_cmpstr(host, ==, "abcde");
	g_assert_cmpuint(pk_dhcp_dns_servers(&v, dns, 4), ==, 2);
	g_assert_cmpmem(dns[0].b, 4, ip4(1, 1, 1, 1).b, 4);
	g_assert_cmpmem(dns[1].b, 4, ip4(8, 8, 8, 8).b, 4);
	/* Concatenation needs room: a too small scratch gives NULL. */
	g_assert_null(pk_dhcp_opt_data(&v, PK_DHCP_OPT_HOSTNAME, scratch, 4, &dl));
	d = pk_dhcp_opt_data(&v, PK_DHCP_OPT_HOSTNAME, scratch, 5, &dl);
	g_assert_true(d == scratch);
	g_assert_cmpuint(dl, ==, 5);
	/* Truncated option inside the file area invalidates the message. */
	m[PK_DHCP_OFF_FILE + PK_DHCP_FILE_LEN - 2] = 200;
	m[PK_DHCP_OFF_FILE + 10] = 0;	/* remove the end so the walk reaches it */
	memset(m + PK_DHCP_OFF_FILE + 10, 0, PK_DHCP_FILE_LEN - 12);
	m[PK_DHCP_OFF_FILE + PK_DHCP_FILE_LEN - 2] = 12;
	m[PK_DHCP_OFF_FILE + PK_DHCP_FILE_LEN - 1] = 5;
	g_assert_cmpint(pk_dhcp_parse(m, len, &v), ==, PK_DHCP_E_OPTIONS);
}

static void test_build_roundtrip(void)
{
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REPLY, .xid = 42, .flags = 0x8000 };
	struct pk_dhcp_route routes[2] = {
		{ ip4(10, 1, 0, 0), 16, ip4(192, 168, 0, 1) },
		{ ip4(0, 0, 0, 0), 0, ip4(192, 168, 0, 254) },
	};
	struct pk_dhcp_route back[4];
	struct pk_ip4 dns[3] = { ip4(9, 9, 9, 9), ip4(1, 0, 0, 1), ip4(8, 8, 4, 4) }, got[3];
	struct pk_dhcp_builder b;
	struct pk_dhcp_msg v;
	uint8_t buf[PK_DHCP_DEFAULT_MAX_MSG], big[600];
	uint32_t len, u;
	uint16_t mtu;
	char dom[64];

	h.yiaddr = ip4(192, 168, 0, 50);
	memcpy(h.chaddr, mac1, 6);
	pk_dhcp_build_init(&b, buf, sizeof(buf), &h);
	g_assert_true(pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, PK_DHCP_ACK));
	g_assert_true(pk_dhcp_put_u32(&b, PK_DHCP_OPT_LEASE_TIME, 3600));
	g_assert_true(pk_dhcp_put_u16(&b, PK_DHCP_OPT_MTU, 1400));
	g_assert_true(pk_dhcp_put_ip4_list(&b, PK_DHCP_OPT_DNS, dns, 3));
	g_assert_true(pk_dhcp_put_str(&b, PK_DHCP_OPT_DOMAIN, "lan.example"));
	g_assert_true(pk_dhcp_put_routes(&b, routes, 2));
	len = pk_dhcp_build_finish(&b);
	g_assert_cmpuint(len, ==, PK_DHCP_BOOTP_MIN_LEN);
	g_assert_cmpint(pk_dhcp_parse(buf, len, &v), ==, PK_DHCP_OK);
	g_assert_cmpuint(v.msg_type, ==, PK_DHCP_ACK);
	g_assert_cmpuint(v.xid, ==, 42);
	g_assert_cmpmem(v.yiaddr, 4, h.yiaddr.b, 4);
	g_assert_true(pk_dhcp_lease_time(&v, &u));
	g_assert_cmpuint(u, ==, 3600);
	g_assert_true(pk_dhcp_mtu(&v, &mtu));
	g_assert_cmpuint(mtu, ==, 1400);
	g_assert_cmpuint(pk_dhcp_dns_servers(&v, got, 3), ==, 3);
	g_assert_cmpmem(got, 12, dns, 12);
	g_assert_cmpuint(pk_dhcp_dns_servers(&v, got, 1), ==, 1);
	g_assert_cmpint(pk_dhcp_domain(&v, dom, sizeof(dom)), ==, 11);
	g_assert_cmpstr(dom, ==, "lan.example");
	g_assert_cmpint(pk_dhcp_domain(&v, dom, 5), ==, -1);
	g_assert_cmpint(pk_dhcp_get_routes(&v, back, 4), ==, 2);
	g_assert_cmpuint(back[0].len, ==, 16);
	g_assert_cmpmem(back[0].dest.b, 4, routes[0].dest.b, 4);
	g_assert_cmpmem(back[1].via.b, 4, routes[1].via.b, 4);

	/* A 600-byte option splits into 255 + 255 + 90 and concatenates back. */
	{
		uint8_t val[600], bigbuf[1200], out[700];
		const uint8_t *d;

		for (unsigned int i = 0; i < sizeof(val); i++)
			val[i] = (uint8_t)i;
		pk_dhcp_build_init(&b, bigbuf, sizeof(bigbuf), &h);
		g_assert_true(pk_dhcp_put_opt(&b, 224, val, sizeof(val)));
		len = pk_dhcp_build_finish(&b);
		g_assert_cmpuint(len, ==, 240 + 606 + 1);
		g_assert_cmpint(pk_dhcp_parse(bigbuf, len, &v), ==, PK_DHCP_OK);
		d = pk_dhcp_opt_data(&v, 224, out, sizeof(out), &u);
		g_assert_nonnull(d);
		g_assert_cmpmem(d, u, val, sizeof(val));
	}
	/* Overflow: nothing partial is written and finish fails. */
	pk_dhcp_build_init(&b, big, 260, &h);
	g_assert_true(pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, 1));
	g_assert_false(pk_dhcp_put_opt(&b, 224, big, 100));
	g_assert_cmpuint(pk_dhcp_build_finish(&b), ==, 0);
	pk_dhcp_build_init(&b, big, 100, &h);
	g_assert_true(b.overflow);
}

static void test_routes_malformed(void)
{
	static const uint8_t bad_len[] = { 53, 1, 5, 121, 5, 33, 10, 1, 1, 1, 255 };
	static const uint8_t trunc[] = { 53, 1, 5, 121, 6, 24, 10, 1, 2, 1, 1, 255 };
	uint8_t m[512];
	struct pk_dhcp_msg v;
	struct pk_dhcp_route r[2];

	g_assert_cmpint(pk_dhcp_parse(m, handmade(m, bad_len, sizeof(bad_len)), &v), ==, PK_DHCP_OK);
	g_assert_cmpint(pk_dhcp_get_routes(&v, r, 2), ==, -1);
	g_assert_cmpint(pk_dhcp_parse(m, handmade(m, trunc, sizeof(trunc)), &v), ==, PK_DHCP_OK);
	g_assert_cmpint(pk_dhcp_get_routes(&v, r, 2), ==, -1);
}

static void test_framing(void)
{
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REQUEST, .xid = 7 };
	struct pk_dhcp_addrs a = {
		.src_port = 68, .dst_port = 67,
	};
	struct pk_dhcp_builder b;
	struct pk_dhcp_frame f;
	struct pk_ip4_view ip = { 0 };
	struct pk_buf *buf;
	uint8_t frame[1024];
	uint32_t flen;

	memcpy(h.chaddr, mac1, 6);
	memcpy(a.src_mac.b, mac1, 6);
	memset(a.dst_mac.b, 0xff, 6);
	a.dst_ip = ip4(255, 255, 255, 255);
	buf = pk_dhcp_buf_new(&b, PK_DHCP_DEFAULT_MAX_MSG, &h);
	g_assert_nonnull(buf);
	pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, PK_DHCP_DISCOVER);
	g_assert_true(pk_dhcp_buf_finish(buf, &b));
	g_assert_true(pk_dhcp_frame_wrap(buf, &a));
	g_assert_cmpuint(pk_buf_len(buf), ==, 42 + 300);
	g_assert_true(pk_dhcp_is_candidate(pk_buf_data(buf), pk_buf_len(buf), 67));
	g_assert_false(pk_dhcp_is_candidate(pk_buf_data(buf), pk_buf_len(buf), 68));
	g_assert_cmpint(pk_dhcp_frame_parse(pk_buf_data(buf), pk_buf_len(buf), &f), ==, PK_DHCP_OK);
	g_assert_cmpuint(f.msg.msg_type, ==, PK_DHCP_DISCOVER);
	g_assert_cmpuint(f.dst_port, ==, 67);
	g_assert_true(pk_ip4_parse(pk_buf_data(buf) + 14, pk_buf_len(buf) - 14, &ip));
	g_assert_true(pk_ip4_csum_ok(&ip));
	g_assert_true(pk_csum_ok(ip.payload, ip.payload_len, pk_ip4_pseudo(&ip)));

	/* The byte-buffer variant gives the same frame. */
	flen = pk_dhcp_frame_build(frame, sizeof(frame), &a, pk_buf_data(buf) + 42, 300);
	g_assert_cmpmem(frame, flen, pk_buf_data(buf), pk_buf_len(buf));
	g_assert_cmpuint(pk_dhcp_frame_build(frame, 100, &a, pk_buf_data(buf) + 42, 300), ==, 0);

	/* Corrupt UDP checksum, IP checksum, padding after the packet. */
	frame[42 + 100] ^= 1;
	g_assert_cmpint(pk_dhcp_frame_parse(frame, flen, &f), ==, PK_DHCP_E_BAD_UDP);
	frame[42 + 100] ^= 1;
	frame[14 + 8] ^= 1;
	g_assert_cmpint(pk_dhcp_frame_parse(frame, flen, &f), ==, PK_DHCP_E_BAD_IP);
	frame[14 + 8] ^= 1;
	g_assert_cmpint(pk_dhcp_frame_parse(frame, flen + 20, &f), ==, PK_DHCP_OK);
	g_assert_cmpint(pk_dhcp_frame_parse(frame, 30, &f), ==, PK_DHCP_E_BAD_IP);
	g_assert_cmpint(pk_dhcp_frame_parse(frame, 10, &f), ==, PK_DHCP_E_NOT_DHCP);
	pk_buf_unref(buf);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/codec/parse", test_parse_basic);
	g_test_add_func("/dhcp/codec/bad-input", test_parse_bad);
	g_test_add_func("/dhcp/codec/concat-overload", test_concat_overload);
	g_test_add_func("/dhcp/codec/build", test_build_roundtrip);
	g_test_add_func("/dhcp/codec/routes-malformed", test_routes_malformed);
	g_test_add_func("/dhcp/codec/framing", test_framing);
	return g_test_run();
}
