// SPDX-License-Identifier: MIT
/* test-vclient.c - l3.vclient: ICMP, closed ports, bad input (packets), TCP/UDP sockets between two vclients */
#include <string.h>
#include <arpa/inet.h>
#include <pktkit/checksum.h>
#include <pktkit/embed/graph.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/embed/testing.h>
#include <pktkit/vclient.h>

#include "vclient-test.h"

static struct pk_dev *add_dev(struct pk_graph *g, const char *id, const char *type,
			      const char *json)
{
	g_autoptr(JsonNode) node = NULL;
	GError *error = NULL;
	struct pk_dev *d;

	if (json) {
		node = json_from_string(json, &error);
		g_assert_no_error(error);
	}
	d = pk_graph_add_device(g, id, type, node ? json_node_get_object(node) : NULL, &error);
	g_assert_no_error(error);
	return d;
}

static void check_no_buffers(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	g_assert_cmpint(st.allocated, ==, 0);
}

/* Packet level: a pipe on the vclient's port, fake clock ------------------------------- */

struct pfx {
	struct pk_graph *g;
	struct pk_dev *vc, *pipe;
};

static void pfx_setup(struct pfx *f, const char *extra)
{
	GError *error = NULL;
	g_autofree char *params = g_strdup_printf(
		"{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, {\"prefix\": \"fd00::2/64\"}]%s%s}",
		extra ? ", " : "", extra ? extra : "");

	f->g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	f->pipe = add_dev(f->g, "net", "core.pipe-l3", "{\"capacity\": 1024}");
	f->vc = add_dev(f->g, "vc", "l3.vclient", params);
	g_assert_true(pk_graph_link(f->g, "net", "vc.ip", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static void pfx_teardown(struct pfx *f)
{
	pk_graph_free(f->g);
	check_no_buffers();
}

static uint64_t ctr(struct pfx *f, const char *name)
{
	return pk_dev_counter(f->vc, name);
}

static void ip_addr(const char *s, uint8_t *out)
{
	g_assert_cmpint(inet_pton(strchr(s, ':') ? AF_INET6 : AF_INET, s, out), ==, 1);
}

/* An IP packet around @l4 (its checksum field at @csum_off is filled, -1: none). */
static uint32_t build_ip(uint8_t *buf, const char *src, const char *dst, uint8_t proto,
			 const uint8_t *l4, uint32_t l4_len, int csum_off)
{
	bool v6 = strchr(src, ':') != NULL;
	uint32_t hl = v6 ? 40 : 20;
	uint8_t *p = buf + hl;

	memset(buf, 0, hl);
	memcpy(p, l4, l4_len);
	if (v6) {
		buf[0] = 0x60;
		pk_put_be16(buf + 4, (uint16_t)l4_len);
		buf[6] = proto;
		buf[7] = 64;
		ip_addr(src, buf + 8);
		ip_addr(dst, buf + 24);
	} else {
		buf[0] = 0x45;
		pk_put_be16(buf + 2, (uint16_t)(20 + l4_len));
		buf[8] = 64;
		buf[9] = proto;
		ip_addr(src, buf + 12);
		ip_addr(dst, buf + 16);
		pk_ip4_csum_fill(buf, 20);
	}
	if (csum_off >= 0) {
		uint32_t sum = 0;

		if (v6)
			sum = pk_csum_pseudo6(buf + 8, buf + 24, proto, l4_len);
		else if (proto != PK_IPPROTO_ICMP)
			sum = pk_csum_pseudo4(buf + 12, buf + 16, proto, l4_len);
		pk_put_be16(p + csum_off, 0);
		pk_put_be16(p + csum_off, pk_csum_fold(pk_csum_partial(p, l4_len, sum)));
	}
	return hl + l4_len;
}

static void test_echo(const char *peer, const char *ours, uint8_t req_type, uint8_t rep_type)
{
	struct pfx f;
	uint8_t icmp[64], pkt[128];
	uint32_t n;
	struct pk_buf *b;
	bool v6 = strchr(peer, ':') != NULL;

	pfx_setup(&f, NULL);
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = req_type;
	pk_put_be16(icmp + 4, 0x1234);
	pk_put_be16(icmp + 6, 7);
	memcpy(icmp + 8, "pktkit echo payload", 19);
	n = build_ip(pkt, peer, ours, v6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP, icmp, 27, 2);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	b = pk_pipe_pop(f.pipe);
	g_assert_nonnull(b);
	g_assert_cmpuint(pk_buf_len(b), ==, n);
	{
		const uint8_t *r = pk_buf_data(b);
		uint32_t hl = v6 ? 40 : 20;
		uint32_t sum = v6 ? pk_csum_pseudo6(r + 8, r + 24, PK_IPPROTO_ICMPV6, 27) : 0;

		g_assert_cmpmem(r + (v6 ? 8 : 12), v6 ? 16 : 4, pkt + (v6 ? 24 : 16), v6 ? 16 : 4);
		g_assert_cmpmem(r + (v6 ? 24 : 16), v6 ? 16 : 4, pkt + (v6 ? 8 : 12), v6 ? 16 : 4);
		g_assert_cmpuint(r[hl], ==, rep_type);
		g_assert_cmpmem(r + hl + 4, 23, icmp + 4, 23);
		g_assert_true(pk_csum_ok(r + hl, 27, sum));
		if (!v6)
			g_assert_true(pk_csum_ok(r, 20, 0));
	}
	pk_buf_unref(b);
	g_assert_cmpuint(ctr(&f, "icmp-echo-replies"), ==, 1);
	pfx_teardown(&f);
}

static void test_echo4(void)
{
	test_echo("10.0.0.1", "10.0.0.2", PK_ICMP_ECHO_REQUEST, PK_ICMP_ECHO_REPLY);
}

static void test_echo6(void)
{
	test_echo("fd00::1", "fd00::2", PK_ICMP6_ECHO_REQUEST, PK_ICMP6_ECHO_REPLY);
}

static uint32_t tcp_seg(uint8_t *seg, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			uint8_t flags)
{
	memset(seg, 0, 20);
	pk_put_be16(seg, sport);
	pk_put_be16(seg + 2, dport);
	pk_put_be32(seg + 4, seq);
	pk_put_be32(seg + 8, ack);
	seg[12] = 5 << 4;
	seg[13] = flags;
	pk_put_be16(seg + 14, 65535);
	return 20;
}

static void test_closed_tcp_port(void)
{
	struct pfx f;
	uint8_t seg[20], pkt[128];
	uint32_t n;
	struct pk_buf *b;
	struct pk_tcp_view v = { 0 };

	pfx_setup(&f, NULL);
	tcp_seg(seg, 40000, 80, 1000, 0, PK_TCP_SYN);
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	b = pk_pipe_pop(f.pipe);
	g_assert_nonnull(b);
	g_assert_true(pk_tcp_parse(pk_buf_data(b) + 20, pk_buf_len(b) - 20, &v));
	g_assert_cmpuint(v.flags, ==, PK_TCP_RST | PK_TCP_ACK);
	g_assert_cmpuint(v.ack, ==, 1001);
	g_assert_cmpuint(v.sport, ==, 80);
	g_assert_cmpuint(v.dport, ==, 40000);
	g_assert_true(pk_tcp_csum_ok(false, pk_buf_data(b) + 12, pk_buf_data(b) + 16,
				     pk_buf_data(b) + 20, pk_buf_len(b) - 20));
	pk_buf_unref(b);
	/* A RST is never answered. */
	tcp_seg(seg, 40000, 80, 1000, 0, PK_TCP_RST);
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_null(pk_pipe_pop(f.pipe));
	g_assert_cmpuint(ctr(&f, "tcp-rst-closed"), ==, 1);
	pfx_teardown(&f);
}

static void test_closed_udp_port_rate_limited(void)
{
	struct pfx f;
	uint8_t udp[16], pkt[128];
	uint32_t n;
	struct pk_buf *b;

	pfx_setup(&f, "\"icmp-error-rate\": 2");
	memset(udp, 0, sizeof(udp));
	pk_put_be16(udp, 5353);
	pk_put_be16(udp + 2, 9999);
	pk_put_be16(udp + 4, 16);
	memcpy(udp + 8, "datagram", 8);
	n = build_ip(pkt, "fd00::1", "fd00::2", PK_IPPROTO_UDP, udp, 16, 6);
	for (int i = 0; i < 5; i++)
		g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 2);
	b = pk_pipe_pop(f.pipe);
	g_assert_cmpuint(pk_buf_data(b)[6], ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(pk_buf_data(b)[40], ==, PK_ICMP6_DEST_UNREACH);
	g_assert_cmpuint(pk_buf_data(b)[41], ==, 4);
	/* The offending packet is quoted whole. */
	g_assert_cmpuint(pk_buf_len(b), ==, 40 + 8 + n);
	g_assert_cmpmem(pk_buf_data(b) + 48, n, pkt, n);
	pk_buf_unref(b);
	pk_pipe_clear(f.pipe);
	g_assert_cmpuint(ctr(&f, "udp-unreachable-sent"), ==, 2);
	g_assert_cmpuint(ctr(&f, "icmp-rate-limited"), ==, 3);
	/* A second later the budget is back. */
	pk_graph_clock_advance(f.g, PK_NSEC_PER_SEC);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 1);
	pk_pipe_clear(f.pipe);
	pfx_teardown(&f);
}

/* An IPv6 packet for upper-layer protocol 253 (RFC 3692 experiment), after @ext
 * (extension headers whose last Next Header is 253; NULL: none), draws a
 * Parameter Problem code 1 whose pointer is @pointer. */
static void check_unknown_proto6(const uint8_t *ext, uint32_t ext_len, uint8_t first_nh,
				 uint32_t pointer)
{
	struct pfx f;
	uint8_t l4[64], pkt[128];
	uint32_t n;
	struct pk_buf *b;
	const uint8_t *r;

	pfx_setup(&f, NULL);
	if (ext_len)
		memcpy(l4, ext, ext_len);
	memcpy(l4 + ext_len, "unknown protocol", 16);
	n = build_ip(pkt, "fd00::1", "fd00::2", ext_len ? first_nh : 253, l4, ext_len + 16, -1);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	b = pk_pipe_pop(f.pipe);
	g_assert_nonnull(b);
	r = pk_buf_data(b);
	g_assert_cmpuint(pk_buf_len(b), ==, 40 + 8 + n);
	g_assert_cmpuint(r[6], ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(r[40], ==, PK_ICMP6_PARAM_PROBLEM);
	g_assert_cmpuint(r[41], ==, 1);
	g_assert_cmpuint(pk_get_be32(r + 44), ==, pointer);
	g_assert_cmpuint(pkt[pointer], ==, 253); /* it does point at the value */
	g_assert_cmpmem(r + 48, n, pkt, n);
	g_assert_true(pk_csum_ok(r + 40, 8 + n,
				 pk_csum_pseudo6(r + 8, r + 24, PK_IPPROTO_ICMPV6, 8 + n)));
	pk_buf_unref(b);
	g_assert_cmpuint(ctr(&f, "dropped-proto"), ==, 1);
	pfx_teardown(&f);
}

static void test_unknown_proto6(void)
{
	/* Destination options: Next Header 253, length 0 (8 bytes), a PadN of 4. */
	static const uint8_t dstopts[8] = { 253, 0, 1, 4, 0, 0, 0, 0 };
	/* Hop-by-hop (16 bytes: length 1, PadN of 12) then that destination options. */
	static const uint8_t hbh_dstopts[24] = {
		PK_IPPROTO_DSTOPTS, 1, 1, 12, [16] = 253, 0, 1, 4
	};

	/* The fixed header's Next Header field, at offset 6. */
	check_unknown_proto6(NULL, 0, 0, 6);
	/* The destination options header's, the first byte after the fixed header. */
	check_unknown_proto6(dstopts, sizeof(dstopts), PK_IPPROTO_DSTOPTS, 40);
	/* The last of two extension headers. */
	check_unknown_proto6(hbh_dstopts, sizeof(hbh_dstopts), PK_IPPROTO_HOPOPTS, 56);
}

/* RFC 8200 4.7: Next Header 59 (No Next Header) ends the packet: dropped
 * and counted, never answered with a Parameter Problem; bytes after it are
 * ignored. Over IPv4, 59 is an unknown protocol as any other. */
static void test_no_next_header6(void)
{
	static const uint8_t dstopts[8] = { PK_IPPROTO_NONE, 0, 1, 4, 0, 0, 0, 0 };
	uint8_t l4[64], pkt[128];
	struct pk_buf *b;
	struct pfx f;
	uint32_t n;

	pfx_setup(&f, NULL);
	memcpy(l4, "ignored", 7);
	n = build_ip(pkt, "fd00::1", "fd00::2", PK_IPPROTO_NONE, l4, 7, -1);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 0);
	/* After an extension header, and with nothing after it at all. */
	memcpy(l4, dstopts, sizeof(dstopts));
	n = build_ip(pkt, "fd00::1", "fd00::2", PK_IPPROTO_DSTOPTS, l4, sizeof(dstopts), -1);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	n = build_ip(pkt, "fd00::1", "fd00::2", PK_IPPROTO_NONE, l4, 0, -1);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 0);
	g_assert_cmpuint(ctr(&f, "dropped-proto"), ==, 3);
	/* IPv4 protocol 59: protocol unreachable. */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_NONE, l4, 7, -1);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	b = pk_pipe_pop(f.pipe);
	g_assert_nonnull(b);
	g_assert_cmpuint(pk_buf_data(b)[9], ==, PK_IPPROTO_ICMP);
	g_assert_cmpuint(pk_buf_data(b)[20], ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(pk_buf_data(b)[21], ==, 2);
	pk_buf_unref(b);
	g_assert_cmpuint(ctr(&f, "dropped-proto"), ==, 4);
	pfx_teardown(&f);
}

/* The next packet the vclient sent: a TCP segment, checksum verified (the
 * core completed a partial one for the pipe); its view in @v. */
static void pop_tcp(struct pfx *f, struct pk_tcp_view *v, bool v6)
{
	struct pk_buf *b = pk_pipe_pop(f->pipe);
	static uint8_t copy[128];
	const uint8_t *p;
	uint32_t hl = v6 ? 40 : 20, n;

	g_assert_nonnull(b);
	p = pk_buf_data(b);
	n = pk_buf_len(b);
	g_assert_cmpuint(n, <=, sizeof(copy));
	g_assert_cmpuint(p[v6 ? 6 : 9], ==, PK_IPPROTO_TCP);
	g_assert_true(pk_tcp_csum_ok(v6, p + (v6 ? 8 : 12), p + (v6 ? 24 : 16), p + hl, n - hl));
	memcpy(copy, p, n);
	pk_buf_unref(b);
	g_assert_true(pk_tcp_parse(copy + hl, n - hl, v));
}

/* Complete a handshake from @sport to port 80 of the vclient (IPv4), with
 * @data in the final ACK; returns the vclient's ISS. */
static uint32_t handshake4(struct pfx *f, uint16_t sport, const char *data)
{
	uint8_t seg[64], pkt[128];
	struct pk_tcp_view v;
	uint32_t n, dlen = data ? (uint32_t)strlen(data) : 0, iss;

	tcp_seg(seg, sport, 80, 1000, 0, PK_TCP_SYN);
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f->pipe, pkt, n));
	pop_tcp(f, &v, false);
	g_assert_cmphex(v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	iss = v.seq;
	tcp_seg(seg, sport, 80, 1001, iss + 1, PK_TCP_ACK | (dlen ? PK_TCP_PSH : 0));
	if (dlen)
		memcpy(seg + 20, data, dlen);
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20 + dlen, 16);
	g_assert_true(pk_pipe_inject(f->pipe, pkt, n));
	pk_graph_clock_advance(f->g, PK_NSEC_PER_SEC); /* delayed ACKs */
	pk_pipe_clear(f->pipe);
	return iss;
}

/* Connections the engine accepted but the application never took (queued,
 * some holding data, one still half-open) are reset and freed with their
 * listener, however it goes: closed, finalized, or the device stopped
 * first. Nothing may leak (the suite runs under LeakSanitizer too). */
static void test_tcp_listener_unaccepted(void)
{
	g_autoptr(GSocketAddress) local = sa("10.0.0.2", 80);
	GError *error = NULL;
	PkVclientListener *l;
	struct pk_vclient *vc;
	uint8_t seg[20], pkt[128];
	struct pk_tcp_view v;
	struct pfx f;
	uint32_t n;

	/* Closed while running: RSTs, then nothing left. */
	pfx_setup(&f, NULL);
	vc = pk_vclient_lookup(f.g, "vc");
	l = pk_vclient_tcp_listen(vc, local, 0, &error);
	g_assert_no_error(error);
	handshake4(&f, 40001, "unread data");
	handshake4(&f, 40002, NULL);
	tcp_seg(seg, 40003, 80, 1000, 0, PK_TCP_SYN); /* half-open */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	pk_pipe_clear(f.pipe);
	g_assert_cmpuint(pk_vclient_tcp_connections(vc), ==, 3);
	pk_vclient_listener_close(l);
	pk_graph_clock_advance(f.g, 0);
	for (int i = 0; i < 3; i++) {
		pop_tcp(&f, &v, false);
		g_assert_cmphex(v.flags & PK_TCP_RST, ==, PK_TCP_RST);
	}
	g_assert_cmpuint(pk_vclient_tcp_connections(vc), ==, 0);
	pk_vclient_listener_close(l); /* again: nothing to do */
	g_object_unref(l);
	pfx_teardown(&f);

	/* Finalized without a close. */
	pfx_setup(&f, NULL);
	vc = pk_vclient_lookup(f.g, "vc");
	l = pk_vclient_tcp_listen(vc, local, 0, &error);
	handshake4(&f, 40001, "unread data");
	g_object_unref(l);
	pk_graph_clock_advance(f.g, 0);
	pop_tcp(&f, &v, false);
	g_assert_cmphex(v.flags & PK_TCP_RST, ==, PK_TCP_RST);
	g_assert_cmpuint(pk_vclient_tcp_connections(vc), ==, 0);
	pfx_teardown(&f);

	/* The device stops (then goes away) before the listener is closed. */
	pfx_setup(&f, NULL);
	vc = pk_vclient_lookup(f.g, "vc");
	l = pk_vclient_tcp_listen(vc, local, 0, &error);
	handshake4(&f, 40001, "unread data");
	handshake4(&f, 40002, NULL);
	pk_graph_stop(f.g);
	pk_vclient_listener_close(l);
	pfx_teardown(&f);
	g_object_unref(l);
}

/* With 'tso' every segment of a connection leaves with a partial checksum,
 * the RSTs the engine sends for it included: after the checksum is
 * completed, they verify. */
static void tso_rst(const char *peer, const char *ours)
{
	bool v6 = strchr(peer, ':') != NULL;
	g_autoptr(GSocketAddress) local = sa(ours, 80);
	GError *error = NULL;
	PkVclientListener *l;
	struct pk_vclient *vc;
	struct pk_tcp_view v;
	uint8_t seg[20], pkt[128];
	uint32_t n, iss;
	struct pfx f;

	pfx_setup(&f, "\"tso\": true");
	vc = pk_vclient_lookup(f.g, "vc");
	l = pk_vclient_tcp_listen(vc, local, 0, &error);
	g_assert_no_error(error);
	/* A bad ACK in SYN-RECEIVED: the connection answers with a RST. */
	tcp_seg(seg, 40000, 80, 1000, 0, PK_TCP_SYN);
	n = build_ip(pkt, peer, ours, PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	pop_tcp(&f, &v, v6);
	g_assert_cmphex(v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	iss = v.seq;
	tcp_seg(seg, 40000, 80, 1001, iss + 7, PK_TCP_ACK);
	n = build_ip(pkt, peer, ours, PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	pop_tcp(&f, &v, v6);
	g_assert_cmphex(v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(v.seq, ==, iss + 7);
	/* Established, never accepted, then the listener closes: aborted. */
	tcp_seg(seg, 40000, 80, 1001, iss + 1, PK_TCP_ACK);
	n = build_ip(pkt, peer, ours, PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 0);
	g_assert_cmpuint(pk_vclient_tcp_connections(vc), ==, 1);
	pk_vclient_listener_close(l);
	pk_graph_clock_advance(f.g, 0);
	pop_tcp(&f, &v, v6);
	g_assert_cmphex(v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(v.seq, ==, iss + 1);
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 0);
	g_assert_cmpuint(pk_vclient_tcp_connections(vc), ==, 0);
	g_object_unref(l);
	pfx_teardown(&f);
}

static void test_tcp_tso_rst(void)
{
	tso_rst("10.0.0.1", "10.0.0.2");
	tso_rst("fd00::1", "fd00::2");
}

static void test_bad_input(void)
{
	struct pfx f;
	uint8_t seg[20], pkt[128];
	uint32_t n;

	pfx_setup(&f, NULL);
	tcp_seg(seg, 40000, 80, 1000, 0, PK_TCP_SYN);
	/* Not ours. */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.3", PK_IPPROTO_TCP, seg, 20, 16);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(ctr(&f, "dropped-not-ours"), ==, 1);
	/* Bad TCP checksum. */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	pkt[20 + 16] ^= 0x55;
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(ctr(&f, "dropped-checksum"), ==, 1);
	/* Bad IPv4 header checksum. */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	pkt[10] ^= 1;
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(ctr(&f, "dropped-checksum"), ==, 2);
	/* A fragment. */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, 16);
	pkt[6] = 0x20;	/* MF */
	pk_ip4_csum_fill(pkt, 20);
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(ctr(&f, "dropped-fragment"), ==, 1);
	/* Data offset past the segment. */
	n = build_ip(pkt, "10.0.0.1", "10.0.0.2", PK_IPPROTO_TCP, seg, 20, -1);
	pkt[20 + 12] = 15 << 4;
	g_assert_true(pk_pipe_inject(f.pipe, pkt, n));
	g_assert_cmpuint(ctr(&f, "dropped-bad-ip"), ==, 1);
	/* Garbage and an empty packet. */
	g_assert_true(pk_pipe_inject(f.pipe, "\x45\x00", 2));
	g_assert_cmpuint(ctr(&f, "dropped-bad-ip"), ==, 2);
	g_assert_cmpuint(pk_pipe_pending(f.pipe), ==, 0);
	pfx_teardown(&f);
}

static void test_bad_config(void)
{
	struct pk_graph *g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	g_autoptr(JsonNode) none = json_from_string("{\"use-link-info\": false}", NULL);
	g_autoptr(JsonNode) any = json_from_string("{\"addresses\": [{\"prefix\": \"0.0.0.0/0\"}]}",
						   NULL);
	GError *error = NULL;

	g_assert_null(pk_graph_add_device(g, "a", "l3.vclient", json_node_get_object(none), &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "addresses"));
	g_clear_error(&error);
	g_assert_null(pk_graph_add_device(g, "b", "l3.vclient", json_node_get_object(any), &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "unspecified"));
	g_clear_error(&error);
	pk_graph_free(g);
}

/* Socket level: two vclients linked back to back, real clock ---------------------------- */

struct sfx {
	struct pk_graph *g;
	struct pk_vclient *a, *b;
	GMainLoop *loop;
	guint guard;
};

static void sfx_setup(struct sfx *f, const char *extra)
{
	GError *error = NULL;
	g_autofree char *pa = g_strdup_printf(
		"{\"addresses\": [{\"prefix\": \"10.0.0.1/24\"}, {\"prefix\": \"fd00::1/64\"}]%s%s}",
		extra ? ", " : "", extra ? extra : "");
	g_autofree char *pb = g_strdup_printf(
		"{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, {\"prefix\": \"fd00::2/64\"}]%s%s}",
		extra ? ", " : "", extra ? extra : "");

	f->g = pk_graph_new(registry(), NULL, 0);
	add_dev(f->g, "a", "l3.vclient", pa);
	add_dev(f->g, "b", "l3.vclient", pb);
	g_assert_true(pk_graph_link(f->g, "a.ip", "b.ip", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	f->a = pk_vclient_lookup(f->g, "a");
	f->b = pk_vclient_lookup(f->g, "b");
	g_assert_nonnull(f->a);
	g_assert_nonnull(f->b);
	g_assert_null(pk_vclient_lookup(f->g, "nonexistent"));
	f->loop = g_main_loop_new(NULL, FALSE);
	f->guard = g_timeout_add_seconds(60, guard_fired, NULL);
}

static void sfx_teardown(struct sfx *f)
{
	g_source_remove(f->guard);
	/* Let completions queued on idle sources run (they hold references). */
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_graph_free(f->g);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_main_loop_unref(f->loop);
	check_no_buffers();
}

/* Runs the loop until *@flag is set. */
static void run_until(struct sfx *f, const gboolean *flag)
{
	while (!*flag)
		g_main_context_iteration(NULL, TRUE);
	(void)f;
}

struct xfer {
	GIOStream *stream;
	gsize total;		/* bytes to send */
	gsize sent;
	gsize received;
	GChecksum *sum_out;
	GChecksum *sum_in;
	guint8 buf[65536];
	guint8 chunk[40000];	/* lent to write_all_async until it completes */
	gboolean send_done;
	gboolean recv_done;
	guint32 seed;
};

static void fill(struct xfer *x, guint8 *p, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		x->seed = x->seed * 1103515245u + 12345u;
		p[i] = (guint8)(x->seed >> 16);
	}
}

static void xfer_write_more(struct xfer *x);

static void xfer_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct xfer *x = data;
	GError *error = NULL;
	gsize n = 0;

	g_assert_true(g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, &n, &error));
	g_assert_no_error(error);
	x->sent += n;
	xfer_write_more(x);
}

static void xfer_write_more(struct xfer *x)
{
	GOutputStream *out = g_io_stream_get_output_stream(x->stream);
	gsize n = MIN(sizeof(x->chunk), x->total - x->sent);
	GError *error = NULL;

	if (n == 0) {
		g_assert_true(pk_vclient_stream_shutdown_write(PK_VCLIENT_STREAM(x->stream), &error));
		g_assert_no_error(error);
		x->send_done = TRUE;
		return;
	}
	fill(x, x->chunk, n);
	g_checksum_update(x->sum_out, x->chunk, (gssize)n);
	g_output_stream_write_all_async(out, x->chunk, n, G_PRIORITY_DEFAULT, NULL, xfer_written, x);
}

static void xfer_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct xfer *x = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &error);

	g_assert_no_error(error);
	if (n == 0) {
		x->recv_done = TRUE;
		return;
	}
	g_checksum_update(x->sum_in, x->buf, n);
	x->received += (gsize)n;
	g_input_stream_read_async(G_INPUT_STREAM(src), x->buf, sizeof(x->buf), G_PRIORITY_DEFAULT,
				  NULL, xfer_read, x);
}

static void xfer_start(struct xfer *x, GIOStream *stream, gsize total, guint32 seed)
{
	memset(x, 0, sizeof(*x));
	x->stream = stream;
	x->total = total;
	x->seed = seed;
	x->sum_out = g_checksum_new(G_CHECKSUM_SHA256);
	x->sum_in = g_checksum_new(G_CHECKSUM_SHA256);
	xfer_write_more(x);
	g_input_stream_read_async(g_io_stream_get_input_stream(stream), x->buf, sizeof(x->buf),
				  G_PRIORITY_DEFAULT, NULL, xfer_read, x);
}

static void xfer_clear(struct xfer *x)
{
	g_checksum_free(x->sum_out);
	g_checksum_free(x->sum_in);
	g_clear_object(&x->stream);
}

struct accept_result {
	GIOStream *stream;
	GError *error;
	gboolean done;
};

static void accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct accept_result *r = data;

	r->stream = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(src), res, &r->error);
	r->done = TRUE;
}

struct connect_result {
	struct pk_vclient *vc;
	GIOStream *stream;
	GError *error;
	gboolean done;
};

static void connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct connect_result *r = data;

	(void)src;
	r->stream = pk_vclient_tcp_connect_finish(r->vc, res, &r->error);
	r->done = TRUE;
}

static void tcp_transfer(const char *server_addr, gsize a_to_b, gsize b_to_a, const char *extra)
{
	struct sfx f;
	GError *error = NULL;
	g_autoptr(GSocketAddress) any = sa(strchr(server_addr, ':') ? "::" : "0.0.0.0", 7000);
	g_autoptr(GSocketAddress) dst = sa(server_addr, 7000);
	PkVclientListener *l;
	struct accept_result ar = { 0 };
	struct connect_result cr = { 0 };
	static struct xfer xa, xb;
	struct pk_tcp_conn_info info;

	sfx_setup(&f, extra);
	l = pk_vclient_tcp_listen(f.b, any, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pk_vclient_listener_get_port(l), ==, 7000);
	pk_vclient_listener_accept_async(l, NULL, accepted, &ar);
	cr.vc = f.a;
	pk_vclient_tcp_connect_async(f.a, dst, NULL, connected, &cr);
	run_until(&f, &cr.done);
	run_until(&f, &ar.done);
	g_assert_no_error(cr.error);
	g_assert_no_error(ar.error);
	g_assert_true(pk_vclient_stream_get_info(PK_VCLIENT_STREAM(cr.stream), &info));
	if (!extra) {
		g_assert_true(info.sack);
		g_assert_true(info.timestamps);
		g_assert_cmpuint(info.rcv_wscale, >, 0);
	}
	{
		g_autoptr(GSocketAddress) local = pk_vclient_stream_get_local_address(
			PK_VCLIENT_STREAM(cr.stream));
		g_autoptr(GSocketAddress) remote = pk_vclient_stream_get_remote_address(
			PK_VCLIENT_STREAM(ar.stream));

		g_assert_cmpuint(g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local)), ==,
				 g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(remote)));
		g_assert_cmpuint(g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local)), >=,
				 49152);
	}
	xfer_start(&xa, cr.stream, a_to_b, 1);
	xfer_start(&xb, ar.stream, b_to_a, 2);
	run_until(&f, &xa.recv_done);
	run_until(&f, &xb.recv_done);
	run_until(&f, &xa.send_done);
	run_until(&f, &xb.send_done);
	g_assert_cmpuint(xb.received, ==, a_to_b);
	g_assert_cmpuint(xa.received, ==, b_to_a);
	g_assert_cmpstr(g_checksum_get_string(xa.sum_out), ==, g_checksum_get_string(xb.sum_in));
	g_assert_cmpstr(g_checksum_get_string(xb.sum_out), ==, g_checksum_get_string(xa.sum_in));
	g_assert_true(g_io_stream_close(xa.stream, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_io_stream_close(xb.stream, NULL, &error));
	xfer_clear(&xa);
	xfer_clear(&xb);
	g_object_unref(l);
	/* Both ends close; TIME-WAIT (10 ms here) ends; nothing stays behind. */
	while (pk_vclient_tcp_connections(f.a) || pk_vclient_tcp_connections(f.b))
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(pk_vclient_tcp_stats(f.a)->rst_accepted, ==, 0);
	sfx_teardown(&f);
}

static void test_tcp_v4(void)
{
	tcp_transfer("10.0.0.2", 8u << 20, 3u << 20, NULL);
}

static void test_tcp_v6(void)
{
	tcp_transfer("fd00::2", 3u << 20, 8u << 20, NULL);
}

static void test_tcp_small_buffers_no_options(void)
{
	tcp_transfer("10.0.0.2", 1u << 20, 1u << 20,
		     "\"tcp-sndbuf\": 4096, \"tcp-rcvbuf\": 4096, \"tcp-no-sack\": true, "
		     "\"tcp-no-timestamps\": true, \"mtu\": 576");
}

/* At an MTU near 64 KiB a full segment plus the largest header is more than a
 * packet buffer holds: output must still go out (it used to stall at the SYN). */
static void test_tcp_jumbo_mtu(void)
{
	tcp_transfer("10.0.0.2", 4u << 20, 1u << 20, "\"mtu\": 65535");
	tcp_transfer("fd00::2", 1u << 20, 4u << 20, "\"mtu\": 65535");
}

static void test_tcp_refused(void)
{
	struct sfx f;
	g_autoptr(GSocketAddress) dst = sa("10.0.0.2", 9);
	struct connect_result cr = { 0 };

	sfx_setup(&f, NULL);
	cr.vc = f.a;
	pk_vclient_tcp_connect_async(f.a, dst, NULL, connected, &cr);
	run_until(&f, &cr.done);
	g_assert_error(cr.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_assert_null(cr.stream);
	g_clear_error(&cr.error);
	g_assert_cmpuint(pk_vclient_tcp_connections(f.a), ==, 0);
	sfx_teardown(&f);
}

static void test_tcp_errors(void)
{
	struct sfx f;
	GError *error = NULL;
	g_autoptr(GSocketAddress) port = sa("10.0.0.2", 80);
	g_autoptr(GSocketAddress) foreign = sa("10.9.9.9", 80);
	g_autoptr(GSocketAddress) v6 = sa("fd00::2", 0);
	struct connect_result cr = { 0 };
	PkVclientListener *l, *l2;

	sfx_setup(&f, NULL);
	l = pk_vclient_tcp_listen(f.b, port, 0, &error);
	g_assert_no_error(error);
	l2 = pk_vclient_tcp_listen(f.b, port, 0, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
	g_assert_null(l2);
	g_clear_error(&error);
	g_assert_null(pk_vclient_tcp_listen(f.b, foreign, 0, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	l2 = pk_vclient_tcp_listen(f.b, v6, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(pk_vclient_listener_get_port(l2), >=, 49152);
	/* An accept pending on a closed listener fails. */
	{
		struct accept_result ar = { 0 };

		pk_vclient_listener_accept_async(l, NULL, accepted, &ar);
		pk_vclient_listener_close(l);
		run_until(&f, &ar.done);
		g_assert_error(ar.error, G_IO_ERROR, G_IO_ERROR_CLOSED);
		g_clear_error(&ar.error);
	}
	/* Cancelling a connect to a host that never answers. */
	{
		GCancellable *c = g_cancellable_new();

		cr.vc = f.a;
		pk_vclient_tcp_connect_async(f.a, foreign, c, connected, &cr);
		g_cancellable_cancel(c);
		run_until(&f, &cr.done);
		g_assert_error(cr.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		g_clear_error(&cr.error);
		g_object_unref(c);
	}
	g_object_unref(l);
	g_object_unref(l2);
	sfx_teardown(&f);
}

/* Socket options: buffer sizes given at listen/connect time reach the engine. */
static void test_tcp_options(void)
{
	struct sfx f;
	GError *error = NULL;
	g_autoptr(GSocketAddress) port = sa("10.0.0.2", 81);
	struct pk_vclient_tcp_options small = { .size = sizeof(small), .rcvbuf = 8192,
						.nodelay = TRUE, .keepalive_idle_s = 30 };
	struct pk_vclient_tcp_options bad = { .size = sizeof(bad), .sndbuf = 10 };
	struct accept_result ar = { 0 };
	struct connect_result cr = { 0 };
	struct pk_tcp_conn_info ci, si;
	PkVclientListener *l;

	sfx_setup(&f, NULL);
	g_assert_null(pk_vclient_tcp_listen_full(f.b, port, 0, &bad, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);
	l = pk_vclient_tcp_listen_full(f.b, port, 0, &small, &error);
	g_assert_no_error(error);
	pk_vclient_listener_accept_async(l, NULL, accepted, &ar);
	cr.vc = f.a;
	pk_vclient_tcp_connect_full_async(f.a, port, &small, NULL, connected, &cr);
	run_until(&f, &cr.done);
	run_until(&f, &ar.done);
	g_assert_no_error(cr.error);
	g_assert_no_error(ar.error);
	g_assert_true(pk_vclient_stream_get_info(PK_VCLIENT_STREAM(cr.stream), &ci));
	g_assert_true(pk_vclient_stream_get_info(PK_VCLIENT_STREAM(ar.stream), &si));
	/* Each side's window is the other's 8 KiB receive buffer. */
	g_assert_cmpuint(ci.snd_wnd, <=, 8192);
	g_assert_cmpuint(si.snd_wnd, <=, 8192);
	g_assert_cmpuint(ci.snd_wnd, >, 0);
	g_clear_object(&cr.stream);
	cr.done = FALSE;
	pk_vclient_tcp_connect_full_async(f.a, port, &bad, NULL, connected, &cr);
	run_until(&f, &cr.done);
	g_assert_error(cr.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&cr.error);
	g_object_unref(ar.stream);
	g_object_unref(l);
	sfx_teardown(&f);
}

/* A passive open beyond the backlog is reset and freed; the queued one is accepted. */
static void test_tcp_backlog_full(void)
{
	struct sfx f;
	GError *error = NULL;
	g_autoptr(GSocketAddress) port = sa("10.0.0.2", 82);
	struct connect_result cr1 = { 0 }, cr2 = { 0 };
	struct accept_result ar = { 0 };
	struct pk_dev *b;
	PkVclientListener *l;

	sfx_setup(&f, NULL);
	b = pk_graph_lookup(f.g, "b");
	l = pk_vclient_tcp_listen(f.b, port, 1, &error);
	g_assert_no_error(error);
	cr1.vc = f.a;
	pk_vclient_tcp_connect_async(f.a, port, NULL, connected, &cr1);
	run_until(&f, &cr1.done);
	g_assert_no_error(cr1.error);
	cr2.vc = f.a;
	pk_vclient_tcp_connect_async(f.a, port, NULL, connected, &cr2);
	run_until(&f, &cr2.done);
	while (pk_dev_counter(b, "tcp-backlog-full") == 0)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(pk_dev_counter(b, "tcp-backlog-full"), ==, 1);
	pk_vclient_listener_accept_async(l, NULL, accepted, &ar);
	run_until(&f, &ar.done);
	g_assert_no_error(ar.error);
	g_clear_object(&ar.stream);
	g_clear_object(&cr1.stream);
	g_clear_object(&cr2.stream);
	g_clear_error(&cr2.error);
	g_object_unref(l);
	sfx_teardown(&f);
}

/* Streams outlive their device: operations fail cleanly, nothing leaks. */
static void test_tcp_device_stops(void)
{
	struct sfx f;
	GError *error = NULL;
	g_autoptr(GSocketAddress) port = sa("10.0.0.2", 80);
	PkVclientListener *l;
	struct accept_result ar = { 0 };
	struct connect_result cr = { 0 };
	char buf[16];

	sfx_setup(&f, NULL);
	l = pk_vclient_tcp_listen(f.b, port, 0, &error);
	pk_vclient_listener_accept_async(l, NULL, accepted, &ar);
	cr.vc = f.a;
	pk_vclient_tcp_connect_async(f.a, port, NULL, connected, &cr);
	run_until(&f, &cr.done);
	run_until(&f, &ar.done);
	g_assert_no_error(cr.error);
	g_assert_true(g_output_stream_write(g_io_stream_get_output_stream(cr.stream), "hi", 2, NULL,
					    &error) == 2);
	pk_graph_stop(f.g);
	g_assert_cmpint(g_input_stream_read(g_io_stream_get_input_stream(ar.stream), buf,
					    sizeof(buf), NULL, &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
	g_clear_error(&error);
	g_assert_cmpint(g_output_stream_write(g_io_stream_get_output_stream(cr.stream), "hi", 2,
					      NULL, &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
	g_clear_error(&error);
	g_object_unref(cr.stream);
	g_object_unref(ar.stream);
	g_object_unref(l);
	sfx_teardown(&f);
}

static void test_udp(void)
{
	struct sfx f;
	GError *error = NULL;
	g_autoptr(GSocketAddress) bind_b = sa("::", 5353);
	g_autoptr(GSocketAddress) to_b = sa("fd00::2", 5353);
	g_autoptr(GSocketAddress) closed = sa("fd00::2", 5354);
	PkVclientUdp *ua, *ub, *uc;
	char buf[64];
	GSocketAddress *from = NULL;
	gssize n;

	sfx_setup(&f, NULL);
	ub = pk_vclient_udp_new(f.b, bind_b, G_SOCKET_FAMILY_INVALID, &error);
	g_assert_no_error(error);
	g_assert_null(pk_vclient_udp_new(f.b, bind_b, G_SOCKET_FAMILY_INVALID, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
	g_clear_error(&error);
	ua = pk_vclient_udp_new(f.a, NULL, G_SOCKET_FAMILY_IPV6, &error);
	g_assert_no_error(error);
	g_assert_cmpint(pk_vclient_udp_send_to(ua, to_b, "hello", 5, &error), ==, 5);
	g_assert_cmpint(pk_vclient_udp_receive_from(ub, NULL, buf, sizeof(buf), &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
	g_clear_error(&error);
	/* The datagram goes out from the flush timer, on the main loop. */
	while ((n = pk_vclient_udp_receive_from(ub, &from, buf, sizeof(buf), NULL)) < 0)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpint(n, ==, 5);
	g_assert_cmpmem(buf, 5, "hello", 5);
	{
		g_autoptr(GSocketAddress) la = pk_vclient_udp_get_local_address(ua);
		g_autofree char *fs = g_inet_address_to_string(
			g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(from)));

		g_assert_cmpstr(fs, ==, "fd00::1");
		g_assert_cmpuint(g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(from)), ==,
				 g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(la)));
	}
	/* Reply to the source. */
	g_assert_cmpint(pk_vclient_udp_send_to(ub, from, "world", 5, &error), ==, 5);
	g_clear_object(&from);
	while ((n = pk_vclient_udp_receive_from(ua, NULL, buf, sizeof(buf), NULL)) < 0)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpmem(buf, 5, "world", 5);
	/* A connected socket to a closed port learns it from the ICMP error. */
	uc = pk_vclient_udp_new(f.a, NULL, G_SOCKET_FAMILY_IPV6, &error);
	g_assert_true(pk_vclient_udp_connect(uc, closed, &error));
	g_assert_cmpint(pk_vclient_udp_send_to(uc, NULL, "x", 1, &error), ==, 1);
	while ((n = pk_vclient_udp_receive_from(uc, NULL, buf, sizeof(buf), &error)) < 0 &&
	       g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
		g_clear_error(&error);
		g_main_context_iteration(NULL, TRUE);
	}
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_clear_error(&error);
	/* The receive queue holds udp-queue (256) datagrams; more are counted. */
	for (int i = 0; i < 260; i++)
		g_assert_cmpint(pk_vclient_udp_send_to(ua, to_b, &i, sizeof(i), &error), ==,
				sizeof(i));
	while (pk_dev_counter(pk_graph_lookup(f.g, "b"), "udp-queue-full") < 4)
		g_main_context_iteration(NULL, TRUE);
	for (int i = 0; i < 256; i++) {
		int got = -1;

		g_assert_cmpint(pk_vclient_udp_receive_from(ub, NULL, &got, sizeof(got), &error), ==,
				sizeof(got));
		g_assert_cmpint(got, ==, i);
	}
	g_assert_cmpint(pk_vclient_udp_receive_from(ub, NULL, buf, sizeof(buf), &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
	g_clear_error(&error);
	/* Too large for the MTU. */
	{
		static char big[1500];

		g_assert_cmpint(pk_vclient_udp_send_to(ua, to_b, big, sizeof(big), &error), ==, -1);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
		g_clear_error(&error);
	}
	pk_vclient_udp_close(ub);
	g_assert_cmpint(pk_vclient_udp_send_to(ub, to_b, "x", 1, &error), ==, -1);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
	g_clear_error(&error);
	g_object_unref(ua);
	g_object_unref(ub);
	g_object_unref(uc);
	sfx_teardown(&f);
}

/* An l3.adapter with a DHCP client in front of a vclient without addresses:
 * the vclient owns the leased address (link information, ABI 1.1), another
 * host on the segment connects to it, and its DNS server list is the lease's. */
static void test_address_from_dhcp(void)
{
	struct sfx f = { 0 };
	GError *error = NULL;
	g_auto(GStrv) addrs = NULL;
	g_auto(GStrv) dns = NULL;
	g_autoptr(GSocketAddress) any = sa("0.0.0.0", 8080);
	g_autoptr(GSocketAddress) leased = NULL;
	PkVclientListener *l;
	struct accept_result ar = { 0 };
	struct connect_result cr = { 0 };

	f.g = pk_graph_new(registry(), NULL, 0);
	add_dev(f.g, "lan", "l2.hub", NULL);
	add_dev(f.g, "dhcp", "svc.dhcp-server",
		"{\"server-ip\": \"10.5.0.1\", \"range-start\": \"10.5.0.50\", "
		"\"range-end\": \"10.5.0.60\", \"dns\": [{\"address\": \"10.5.0.53\"}]}");
	add_dev(f.g, "ad1", "l3.adapter", "{\"dhcp\": true}");
	add_dev(f.g, "host1", "l3.vclient", NULL);
	add_dev(f.g, "ad2", "l3.adapter", "{\"addresses\": [{\"prefix\": \"10.5.0.9/24\"}]}");
	add_dev(f.g, "host2", "l3.vclient", "{\"use-link-info\": false, "
		"\"addresses\": [{\"prefix\": \"10.5.0.9/24\"}]}");
	g_assert_true(pk_graph_link(f.g, "dhcp", "lan", &error));
	g_assert_true(pk_graph_link(f.g, "ad1.eth", "lan", &error));
	g_assert_true(pk_graph_link(f.g, "ad1.ip", "host1", &error));
	g_assert_true(pk_graph_link(f.g, "ad2.eth", "lan", &error));
	g_assert_true(pk_graph_link(f.g, "ad2.ip", "host2", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f.g, &error));
	g_assert_no_error(error);
	f.a = pk_vclient_lookup(f.g, "host1");
	f.b = pk_vclient_lookup(f.g, "host2");
	f.loop = g_main_loop_new(NULL, FALSE);
	f.guard = g_timeout_add_seconds(60, guard_fired, NULL);
	addrs = NULL;
	/* A listener on the any address made before the lease arrives. */
	l = pk_vclient_tcp_listen(f.a, any, 0, &error);
	g_assert_no_error(error);
	while (!addrs || !addrs[0] || !g_str_has_prefix(addrs[0], "10.")) {
		g_clear_pointer(&addrs, g_strfreev);
		g_main_context_iteration(NULL, TRUE);
		addrs = pk_vclient_dup_addresses(f.a);
	}
	g_assert_cmpstr(addrs[0], ==, "10.5.0.50/32");
	/* The adapter's EUI-64 link-local address comes with it. */
	g_assert_cmpuint(g_strv_length(addrs), ==, 2);
	g_assert_true(g_str_has_prefix(addrs[1], "fe80::"));
	dns = pk_vclient_dup_dns_servers(f.a);
	g_assert_cmpuint(g_strv_length(dns), ==, 1);
	g_assert_cmpstr(dns[0], ==, "10.5.0.53");
	{
		/* The resolver defaults to the lease's DNS servers. */
		GResolver *r = pk_vclient_resolver_new(f.a, NULL, &error);

		g_assert_no_error(error);
		g_assert_nonnull(r);
		g_object_unref(r);
		g_assert_null(pk_vclient_resolver_new(f.b, NULL, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
		g_clear_error(&error);
	}
	leased = sa("10.5.0.50", 8080);
	pk_vclient_listener_accept_async(l, NULL, accepted, &ar);
	cr.vc = f.b;
	pk_vclient_tcp_connect_async(f.b, leased, NULL, connected, &cr);
	run_until(&f, &cr.done);
	run_until(&f, &ar.done);
	g_assert_no_error(cr.error);
	g_assert_no_error(ar.error);
	g_object_unref(cr.stream);
	g_object_unref(ar.stream);
	g_object_unref(l);
	sfx_teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vclient/echo4", test_echo4);
	g_test_add_func("/vclient/echo6", test_echo6);
	g_test_add_func("/vclient/closed-tcp-port", test_closed_tcp_port);
	g_test_add_func("/vclient/closed-udp-port-rate-limited", test_closed_udp_port_rate_limited);
	g_test_add_func("/vclient/unknown-proto6", test_unknown_proto6);
	g_test_add_func("/vclient/no-next-header6", test_no_next_header6);
	g_test_add_func("/vclient/tcp-tso-rst", test_tcp_tso_rst);
	g_test_add_func("/vclient/tcp-listener-unaccepted", test_tcp_listener_unaccepted);
	g_test_add_func("/vclient/bad-input", test_bad_input);
	g_test_add_func("/vclient/bad-config", test_bad_config);
	g_test_add_func("/vclient/tcp-v4", test_tcp_v4);
	g_test_add_func("/vclient/tcp-v6", test_tcp_v6);
	g_test_add_func("/vclient/tcp-small-buffers-no-options", test_tcp_small_buffers_no_options);
	g_test_add_func("/vclient/tcp-jumbo-mtu", test_tcp_jumbo_mtu);
	g_test_add_func("/vclient/tcp-refused", test_tcp_refused);
	g_test_add_func("/vclient/tcp-errors", test_tcp_errors);
	g_test_add_func("/vclient/tcp-options", test_tcp_options);
	g_test_add_func("/vclient/tcp-backlog-full", test_tcp_backlog_full);
	g_test_add_func("/vclient/tcp-device-stops", test_tcp_device_stops);
	g_test_add_func("/vclient/udp", test_udp);
	g_test_add_func("/vclient/address-from-dhcp", test_address_from_dhcp);
	return g_test_run();
}
