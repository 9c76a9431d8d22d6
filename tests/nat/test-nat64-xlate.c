/* SPDX-License-Identifier: MIT
 * test-nat64-xlate.c - RFC 7915 translation: headers, checksums from scratch, ICMP errors, fragments
 */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>
#include <pktkit/build.h>
#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

#include "nat64-xlate.h"

/* The picture: inside host H6 (2001:db8:1::10) talks to server S4
 * (198.51.100.7, seen inside as 64:ff9b::c633:6407) through the NAT's pool
 * address P4 (203.0.113.1). */
static uint8_t H6[16], S6[16], R6[16], P4[4], S4[4], R4[4];

static void addrs_init(void)
{
	g_assert_cmpint(inet_pton(AF_INET6, "2001:db8:1::10", H6), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET6, "64:ff9b::c633:6407", S6), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET6, "64:ff9b::c000:201", R6), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, "203.0.113.1", P4), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, "198.51.100.7", S4), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, "192.0.2.1", R4), ==, 1);
}

/* ---- Packet builders: every checksum computed from scratch ---- */

static void l4_csum6(uint8_t *l4, uint32_t len, uint8_t proto, const uint8_t *src,
		     const uint8_t *dst)
{
	uint32_t off = proto == PK_IPPROTO_TCP ? 16 : proto == PK_IPPROTO_UDP ? 6 : 2;
	uint16_t c;

	pk_put_be16(l4 + off, 0);
	c = pk_csum_fold(pk_csum_partial(l4, len, pk_csum_pseudo6(src, dst, proto, len)));
	if (proto == PK_IPPROTO_UDP && c == 0)
		c = 0xffff;
	pk_put_be16(l4 + off, c);
}

static void l4_csum4(uint8_t *l4, uint32_t len, uint8_t proto, const uint8_t *src,
		     const uint8_t *dst)
{
	uint32_t off = proto == PK_IPPROTO_TCP ? 16 : proto == PK_IPPROTO_UDP ? 6 : 2;
	uint32_t sum = proto == PK_IPPROTO_ICMP ? 0 : pk_csum_pseudo4(src, dst, proto, len);
	uint16_t c;

	pk_put_be16(l4 + off, 0);
	c = pk_csum_fold(pk_csum_partial(l4, len, sum));
	if (proto == PK_IPPROTO_UDP && c == 0)
		c = 0xffff;
	pk_put_be16(l4 + off, c);
}

/* A transport message: UDP/TCP with ports, or ICMP echo with an id; @n
 * bytes of patterned payload. Return its length. */
static uint32_t mk_l4(uint8_t *l4, uint8_t proto, uint8_t icmp_type, uint16_t sport, uint16_t dport,
		      uint32_t n)
{
	uint32_t hlen = proto == PK_IPPROTO_TCP ? 20 : 8;

	memset(l4, 0, hlen);
	if (proto == PK_IPPROTO_TCP || proto == PK_IPPROTO_UDP) {
		pk_put_be16(l4, sport);
		pk_put_be16(l4 + 2, dport);
		if (proto == PK_IPPROTO_UDP) {
			pk_put_be16(l4 + 4, (uint16_t)(hlen + n));
		} else {
			pk_put_be32(l4 + 4, 0x01020304);
			l4[12] = 5 << 4;
			l4[13] = PK_TCP_ACK;
			pk_put_be16(l4 + 14, 65535);
		}
	} else {
		l4[0] = icmp_type;
		pk_put_be16(l4 + 4, sport);
		pk_put_be16(l4 + 6, 7); /* sequence */
	}
	for (uint32_t i = 0; i < n; i++)
		l4[hlen + i] = (uint8_t)(i * 7 + 3);
	return hlen + n;
}

static uint32_t mk_ip6(uint8_t *pkt, const uint8_t *src, const uint8_t *dst, uint8_t nh,
		       uint8_t hlim, uint32_t plen)
{
	pk_put_be32(pkt, 6u << 28 | 0x2au << 20 | 0x12345);
	pk_put_be16(pkt + 4, (uint16_t)plen);
	pkt[6] = nh;
	pkt[7] = hlim;
	memcpy(pkt + 8, src, 16);
	memcpy(pkt + 24, dst, 16);
	return 40 + plen;
}

static uint32_t mk_ip4(uint8_t *pkt, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		       uint8_t ttl, uint16_t id, uint16_t fragw, uint32_t plen)
{
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[1] = 0x2a;
	pk_put_be16(pkt + 2, (uint16_t)(20 + plen));
	pk_put_be16(pkt + 4, id);
	pk_put_be16(pkt + 6, fragw);
	pkt[8] = ttl;
	pkt[9] = proto;
	memcpy(pkt + 12, src, 4);
	memcpy(pkt + 16, dst, 4);
	pk_ip4_csum_fill(pkt, 20);
	return 20 + plen;
}

/* A whole IPv6 packet with transport and checksum. */
static uint32_t pkt6(uint8_t *pkt, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     uint8_t icmp_type, uint16_t sport, uint16_t dport, uint32_t n)
{
	uint32_t l = mk_l4(pkt + 40, proto, icmp_type, sport, dport, n);

	l4_csum6(pkt + 40, l, proto, src, dst);
	return mk_ip6(pkt, src, dst, proto, 64, l);
}

static uint32_t pkt4(uint8_t *pkt, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		     uint8_t icmp_type, uint16_t sport, uint16_t dport, uint32_t n, uint16_t fragw)
{
	uint32_t l = mk_l4(pkt + 20, proto, icmp_type, sport, dport, n);

	l4_csum4(pkt + 20, l, proto, src, dst);
	return mk_ip4(pkt, src, dst, proto, 64, 0x4242, fragw, l);
}

/* ---- Checks from scratch ---- */

static void check_ip4(const uint8_t *p, int len, const uint8_t *src, const uint8_t *dst)
{
	struct pk_ip4_view v = { 0 };

	g_assert_cmpint(len, >, 0);
	g_assert_true(pk_ip4_parse(p, (uint32_t)len, &v));
	g_assert_cmpuint(v.total_len, ==, (uint32_t)len);
	g_assert_cmpuint(v.hdr_len, ==, 20);
	g_assert_true(pk_ip4_csum_ok(&v));
	g_assert_cmpmem(v.src, 4, src, 4);
	g_assert_cmpmem(v.dst, 4, dst, 4);
	if (pk_ip4_is_fragment(&v))
		return;
	if (v.proto == PK_IPPROTO_ICMP)
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, 0));
	else if (!(v.proto == PK_IPPROTO_UDP && pk_get_be16(v.payload + 6) == 0))
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v)));
}

static void check_ip6(const uint8_t *p, int len, const uint8_t *src, const uint8_t *dst)
{
	struct pk_ip6_view v = { 0 };

	g_assert_cmpint(len, >, 0);
	g_assert_true(pk_ip6_parse(p, (uint32_t)len, &v));
	g_assert_cmpuint(v.payload_len + 40, ==, (uint32_t)len);
	g_assert_cmpmem(v.src, 16, src, 16);
	g_assert_cmpmem(v.dst, 16, dst, 16);
	if (v.frag)
		return;
	g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
	if (v.proto == PK_IPPROTO_UDP)
		g_assert_cmpuint(pk_get_be16(v.l4 + 6), !=, 0);
}

static struct nat64_params params_6to4(uint16_t sport, uint16_t dport)
{
	struct nat64_params p = { 0 };

	memcpy(p.outer.src, P4, 4);
	memcpy(p.outer.dst, S4, 4);
	p.outer.sport = sport;
	p.outer.dport = dport;
	p.ip4_id = 0x7777;
	return p;
}

static struct nat64_params params_4to6(uint16_t sport, uint16_t dport)
{
	struct nat64_params p = { 0 };

	memcpy(p.outer.src, S6, 16);
	memcpy(p.outer.dst, H6, 16);
	p.outer.sport = sport;
	p.outer.dport = dport;
	return p;
}

/* ---- Tests ---- */

static void test_udp_tcp_6to4(void)
{
	uint8_t in[2048], out[2048];
	static const uint8_t protos[] = { PK_IPPROTO_UDP, PK_IPPROTO_TCP };

	for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
		uint32_t hl = protos[i] == PK_IPPROTO_TCP ? 20 : 8;
		uint32_t len = pkt6(in, H6, S6, protos[i], 0, 40000, 53, 100);
		struct nat64_params p = params_6to4(61001, 53);
		struct nat64_result res;
		int n = nat64_6to4(in, len, &p, out, sizeof(out), &res);

		g_assert_cmpint(n, ==, (int)len - 20);
		check_ip4(out, n, P4, S4);
		g_assert_cmpuint(out[1], ==, 0x2a); /* traffic class -> TOS */
		g_assert_cmpuint(out[8], ==, 63);   /* hop limit 64, decremented */
		g_assert_cmpuint(out[9], ==, protos[i]);
		g_assert_cmpuint(pk_get_be16(out + 4), ==, 0x7777);
		g_assert_cmpuint(pk_get_be16(out + 6), ==, 0); /* <= 1260: DF clear */
		g_assert_cmpuint(pk_get_be16(out + 20), ==, 61001);
		g_assert_cmpuint(pk_get_be16(out + 22), ==, 53);
		g_assert_cmpmem(out + 20 + hl, 100, in + 40 + hl, 100);
		g_assert_false(res.icmp);

		/* Larger than 1260 bytes: DF set (RFC 7915 5.1). */
		len = pkt6(in, H6, S6, protos[i], 0, 40000, 53, 1300);
		n = nat64_6to4(in, len, &p, out, sizeof(out), NULL);
		check_ip4(out, n, P4, S4);
		g_assert_cmpuint(pk_get_be16(out + 6), ==, PK_IP4_DF);
		/* mtu4 refuses it with a Packet Too Big of the IPv4 MTU + 20. */
		p.mtu4 = 1300;
		n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
		g_assert_cmpint(n, ==, -NAT64_E_TOO_BIG);
		g_assert_true(res.icmp);
		g_assert_cmpuint(res.icmp_type, ==, PK_ICMP6_PACKET_TOO_BIG);
		g_assert_cmpuint(res.icmp_info, ==, 1320);
		/* No room. */
		p.mtu4 = 0;
		g_assert_cmpint(nat64_6to4(in, len, &p, out, 100, NULL), ==, -NAT64_E_NO_ROOM);
	}
}

static void test_udp_tcp_4to6(void)
{
	uint8_t in[2048], out[2048];
	static const uint8_t protos[] = { PK_IPPROTO_UDP, PK_IPPROTO_TCP };

	for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
		uint32_t hl = protos[i] == PK_IPPROTO_TCP ? 20 : 8;
		uint32_t len = pkt4(in, S4, P4, protos[i], 0, 53, 61001, 200, PK_IP4_DF);
		struct nat64_params p = params_4to6(53, 40000);
		struct nat64_result res;
		int n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);

		g_assert_cmpint(n, ==, (int)len + 20);
		check_ip6(out, n, S6, H6);
		g_assert_cmpuint(out[6], ==, protos[i]);
		g_assert_cmpuint(out[7], ==, 63);
		g_assert_cmpuint(pk_get_be32(out) >> 20 & 0xff, ==, 0x2a);
		g_assert_cmpuint(pk_get_be32(out) & 0xfffff, ==, 0);
		g_assert_cmpuint(pk_get_be16(out + 40), ==, 53);
		g_assert_cmpuint(pk_get_be16(out + 42), ==, 40000);
		g_assert_cmpmem(out + 40 + hl, 200, in + 20 + hl, 200);
		g_assert_cmpuint(res.resume, ==, 0);
		g_assert_false(res.icmp);

		p.flags = NAT64_F_TOS_ZERO | NAT64_F_NO_TTL_DEC;
		n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);
		check_ip6(out, n, S6, H6);
		g_assert_cmpuint(out[7], ==, 64);
		g_assert_cmpuint(pk_get_be32(out) >> 20 & 0xff, ==, 0);
	}
}

/* A UDP/IPv4 datagram without checksum gets one; as a fragment it is dropped. */
static void test_udp_zero_csum(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_4to6(53, 40000);
	uint32_t len = pkt4(in, S4, P4, PK_IPPROTO_UDP, 0, 53, 61001, 333, 0);
	int n;

	pk_put_be16(in + 26, 0);
	n = nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL);
	check_ip6(out, n, S6, H6); /* non-zero and right */

	mk_ip4(in, S4, P4, PK_IPPROTO_UDP, 64, 1, PK_IP4_MF, len - 20);
	g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL), ==, -NAT64_E_UDP_CSUM0);

	/* Zero is not a valid UDP/IPv6 checksum. */
	len = pkt6(in, H6, S6, PK_IPPROTO_UDP, 0, 1, 2, 10);
	pk_put_be16(in + 46, 0);
	p = params_6to4(1, 2);
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), NULL), ==, -NAT64_E_UDP_CSUM0);
}

static void test_echo(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_6to4(0x5151, 0);
	uint32_t len = pkt6(in, H6, S6, PK_IPPROTO_ICMPV6, PK_ICMP6_ECHO_REQUEST, 0x1111, 0, 56);
	int n = nat64_6to4(in, len, &p, out, sizeof(out), NULL);

	check_ip4(out, n, P4, S4);
	g_assert_cmpuint(out[9], ==, PK_IPPROTO_ICMP);
	g_assert_cmpuint(out[20], ==, PK_ICMP_ECHO_REQUEST);
	g_assert_cmpuint(pk_get_be16(out + 24), ==, 0x5151);
	g_assert_cmpuint(pk_get_be16(out + 26), ==, 7);
	g_assert_cmpmem(out + 28, 56, in + 48, 56);

	len = pkt4(in, S4, P4, PK_IPPROTO_ICMP, PK_ICMP_ECHO_REPLY, 0x5151, 0, 56, 0);
	p = params_4to6(0x1111, 0);
	n = nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL);
	check_ip6(out, n, S6, H6);
	g_assert_cmpuint(out[6], ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(out[40], ==, PK_ICMP6_ECHO_REPLY);
	g_assert_cmpuint(pk_get_be16(out + 44), ==, 0x1111);

	/* Informational messages other than echo are not translated. */
	len = pkt6(in, H6, S6, PK_IPPROTO_ICMPV6, PK_ICMP6_NEIGHBOR_SOLICIT, 0, 0, 16);
	p = params_6to4(1, 0);
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), NULL), ==, -NAT64_E_ICMP_TYPE);
	len = pkt4(in, S4, P4, PK_IPPROTO_ICMP, 13 /* timestamp */, 0, 0, 12, 0);
	p = params_4to6(1, 0);
	g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL), ==, -NAT64_E_ICMP_TYPE);
}

static void test_hop_limit(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_6to4(1, 2);
	struct nat64_result res;
	uint32_t len = pkt6(in, H6, S6, PK_IPPROTO_UDP, 0, 1, 2, 10);
	int n;

	in[7] = 1;
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==, -NAT64_E_TTL);
	g_assert_true(res.icmp);
	g_assert_cmpuint(res.icmp_type, ==, PK_ICMP6_TIME_EXCEEDED);
	g_assert_cmpuint(res.icmp_code, ==, 0);
	in[7] = 0;
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==, -NAT64_E_TTL);
	in[7] = 2;
	n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
	check_ip4(out, n, P4, S4);
	g_assert_cmpuint(out[8], ==, 1);
	in[7] = 1;
	p.flags = NAT64_F_NO_TTL_DEC;
	n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
	check_ip4(out, n, P4, S4);
	g_assert_cmpuint(out[8], ==, 1);

	len = pkt4(in, S4, P4, PK_IPPROTO_UDP, 0, 2, 1, 10, 0);
	in[8] = 1;
	pk_ip4_csum_fill(in, 20);
	p = params_4to6(2, 1);
	g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), &res), ==, -NAT64_E_TTL);
	g_assert_true(res.icmp);
	g_assert_cmpuint(res.icmp_type, ==, PK_ICMP_TIME_EXCEEDED);
	g_assert_cmpuint(res.icmp_code, ==, 0);
}

/* Hop-by-hop, destination options and a spent routing header are skipped;
 * a routing header with segments left is answered with a Parameter Problem. */
static void test_ext_headers(void)
{
	uint8_t in[2048], out[2048], l4[256];
	struct nat64_params p = params_6to4(7000, 80);
	struct nat64_result res;
	uint32_t l4len = mk_l4(l4, PK_IPPROTO_TCP, 0, 5000, 80, 30), len, off = 40;
	int n;

	l4_csum6(l4, l4len, PK_IPPROTO_TCP, H6, S6);
	memset(in, 0, sizeof(in));
	in[off] = PK_IPPROTO_DSTOPTS; /* hop-by-hop, 8 bytes: PadN */
	in[off + 2] = 1;
	in[off + 3] = 4;
	off += 8;
	in[off] = PK_IPPROTO_ROUTING; /* destination options, 16 bytes */
	in[off + 1] = 1;
	in[off + 2] = 1;
	in[off + 3] = 12;
	off += 16;
	in[off] = PK_IPPROTO_TCP; /* routing type 4 (SRH-like), 24 bytes, segments left 0 */
	in[off + 1] = 2;
	in[off + 2] = 4;
	in[off + 3] = 0;
	off += 24;
	memcpy(in + off, l4, l4len);
	len = mk_ip6(in, H6, S6, PK_IPPROTO_HOPOPTS, 64, off - 40 + l4len);
	n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
	g_assert_cmpint(n, ==, (int)(20 + l4len));
	check_ip4(out, n, P4, S4);
	g_assert_cmpuint(out[9], ==, PK_IPPROTO_TCP);
	g_assert_cmpuint(pk_get_be16(out + 20), ==, 7000);

	struct nat64_tuple t;
	g_assert_cmpint(nat64_inspect6(in, len, &t), ==, 0);
	g_assert_cmpuint(t.proto, ==, PK_IPPROTO_TCP);
	g_assert_cmpuint(t.sport, ==, 5000);
	g_assert_cmpuint(t.dport, ==, 80);
	g_assert_cmpmem(t.src, 16, H6, 16);

	in[40 + 8 + 16 + 3] = 1; /* segments left */
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==, -NAT64_E_EXT_HDR);
	g_assert_true(res.icmp);
	g_assert_cmpuint(res.icmp_type, ==, PK_ICMP6_PARAM_PROBLEM);
	g_assert_cmpuint(res.icmp_code, ==, 0);
	g_assert_cmpuint(res.icmp_info, ==, 40 + 8 + 16 + 3);

	/* A hop-by-hop header anywhere but first is malformed. */
	in[40 + 8 + 16 + 3] = 0;
	in[40] = PK_IPPROTO_HOPOPTS;
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==, -NAT64_E_MALFORMED);
	/* AH cannot be translated. */
	in[40] = PK_IPPROTO_AH;
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==, -NAT64_E_EXT_HDR);
	g_assert_false(res.icmp);
}

/* An IPv6 UDP datagram in two fragments: IPv4 fragments with ID, MF and
 * offset, and the first one's checksum adjusted so the reassembled
 * datagram verifies. */
static void test_fragments_6to4(void)
{
	uint8_t dgram[1600], in[2048], out[2][2048], reasm[1600];
	struct nat64_params p = params_6to4(61001, 53);
	uint32_t dlen = mk_l4(dgram, PK_IPPROTO_UDP, 0, 40000, 53, 1000), first = 512;
	int n[2];

	l4_csum6(dgram, dlen, PK_IPPROTO_UDP, H6, S6);
	for (int f = 0; f < 2; f++) {
		uint32_t off = f ? first : 0, flen = f ? dlen - first : first;
		uint32_t len;

		memcpy(in + 48, dgram + off, flen);
		in[40] = PK_IPPROTO_UDP;
		in[41] = 0;
		pk_put_be16(in + 42, (uint16_t)(off | (f ? 0 : 1)));
		pk_put_be32(in + 44, 0xabcd1234);
		len = mk_ip6(in, H6, S6, PK_IPPROTO_FRAGMENT, 64, 8 + flen);
		n[f] = nat64_6to4(in, len, &p, out[f], sizeof(out[f]), NULL);
		g_assert_cmpint(n[f], ==, (int)(20 + flen));
		check_ip4(out[f], n[f], P4, S4);
		g_assert_cmpuint(pk_get_be16(out[f] + 4), ==, 0x1234);
		g_assert_cmpuint(pk_get_be16(out[f] + 6), ==, (f ? 0 : PK_IP4_MF) | off / 8);
		g_assert_cmpuint(out[f][9], ==, PK_IPPROTO_UDP);

		struct nat64_tuple t;
		g_assert_cmpint(nat64_inspect6(in, len, &t), ==, 0);
		g_assert_cmpint(t.later_fragment, ==, f == 1);
		g_assert_true(t.fragment);
		g_assert_cmpuint(t.frag_id, ==, 0xabcd1234);
		g_assert_cmpuint(t.sport, ==, f ? 0 : 40000);
	}
	memcpy(reasm, out[0] + 20, first);
	memcpy(reasm + first, out[1] + 20, dlen - first);
	g_assert_cmpuint(pk_get_be16(reasm), ==, 61001);
	g_assert_true(pk_csum_ok(reasm, dlen, pk_csum_pseudo4(P4, S4, PK_IPPROTO_UDP, dlen)));
	g_assert_cmpmem(reasm + 8, dlen - 8, dgram + 8, dlen - 8);

	/* ICMPv6 in fragments cannot be translated (its pseudo header). */
	in[40] = PK_IPPROTO_ICMPV6;
	mk_ip6(in, H6, S6, PK_IPPROTO_FRAGMENT, 64, 8 + 100);
	g_assert_cmpint(nat64_6to4(in, 40 + 8 + 100, &p, out[0], sizeof(out[0]), NULL), ==,
			-NAT64_E_ICMP_FRAG);
}

/* Reassemble IPv6 fragments written by nat64_4to6(); check each. */
static uint32_t reassemble6(uint8_t *in, uint32_t len, const struct nat64_params *p, uint32_t mtu,
			    uint8_t *data, uint32_t *id, int *count)
{
	uint8_t out[2048];
	struct nat64_result res;
	uint32_t resume = 0, total = 0;

	*count = 0;
	do {
		struct pk_ip6_view v = { 0 };
		int n = nat64_4to6(in, len, p, resume, out, sizeof(out), &res);

		g_assert_cmpint(n, >, 0);
		g_assert_cmpint(n, <=, (int)mtu);
		check_ip6(out, n, S6, H6);
		g_assert_true(pk_ip6_parse(out, (uint32_t)n, &v));
		g_assert_true(v.frag);
		g_assert_cmpuint(v.frag_off, ==, total);
		g_assert_cmpint(v.frag_more, ==, res.resume != 0);
		if (res.resume)
			g_assert_cmpuint(v.l4_len % 8, ==, 0);
		*id = v.frag_id;
		memcpy(data + total, v.l4, v.l4_len);
		total += v.l4_len;
		resume = res.resume;
		(*count)++;
	} while (resume);
	return total;
}

/* DF clear and larger than the IPv6 MTU: fragmented here; DF set: refused. */
static void test_fragments_4to6(void)
{
	uint8_t in[4096], data[4096], out[4096];
	struct nat64_params p = params_4to6(53, 40000);
	struct nat64_result res;
	uint32_t len = pkt4(in, S4, P4, PK_IPPROTO_UDP, 0, 53, 61001, 3000, 0), id, total;
	int count, n;

	total = reassemble6(in, len, &p, 1280, data, &id, &count);
	g_assert_cmpuint(total, ==, 3008);
	g_assert_cmpint(count, ==, 3);
	g_assert_cmpuint(id, ==, 0x4242);
	g_assert_cmpuint(pk_get_be16(data + 2), ==, 40000);
	g_assert_true(pk_csum_ok(data, total, pk_csum_pseudo6(S6, H6, PK_IPPROTO_UDP, total)));
	g_assert_cmpmem(data + 8, 3000, in + 28, 3000);

	/* A larger IPv6 MTU: fewer, larger fragments; an unfragmented fit. */
	p.mtu6 = 1500;
	total = reassemble6(in, len, &p, 1500, data, &id, &count);
	g_assert_cmpint(count, ==, 3);
	g_assert_true(pk_csum_ok(data, total, pk_csum_pseudo6(S6, H6, PK_IPPROTO_UDP, total)));
	p.mtu6 = 9000;
	n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);
	check_ip6(out, n, S6, H6);
	g_assert_cmpuint(out[6], ==, PK_IPPROTO_UDP);
	/* A bad resume. */
	p.mtu6 = 0;
	g_assert_cmpint(nat64_4to6(in, len, &p, 5, out, sizeof(out), &res), ==, -NAT64_E_RESUME);
	g_assert_cmpint(nat64_4to6(in, len, &p, 4096, out, sizeof(out), &res), ==, -NAT64_E_RESUME);

	/* An ICMP echo with DF clear is fragmented too (its checksum gets the
	 * pseudo header of the whole message). */
	len = pkt4(in, S4, P4, PK_IPPROTO_ICMP, PK_ICMP_ECHO_REQUEST, 9, 0, 2000, 0);
	p = params_4to6(9, 0);
	total = reassemble6(in, len, &p, 1280, data, &id, &count);
	g_assert_cmpint(count, ==, 2);
	g_assert_cmpuint(data[0], ==, PK_ICMP6_ECHO_REQUEST);
	g_assert_true(pk_csum_ok(data, total, pk_csum_pseudo6(S6, H6, PK_IPPROTO_ICMPV6, total)));

	/* DF set: Fragmentation Needed with the IPv6 MTU - 20. */
	len = pkt4(in, S4, P4, PK_IPPROTO_TCP, 0, 80, 61001, 1400, PK_IP4_DF);
	p = params_4to6(80, 40000);
	g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), &res), ==, -NAT64_E_TOO_BIG);
	g_assert_true(res.icmp);
	g_assert_cmpuint(res.icmp_type, ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(res.icmp_code, ==, 4);
	g_assert_cmpuint(res.icmp_info, ==, 1260);
	p.mtu6 = 1500;
	n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);
	check_ip6(out, n, S6, H6);
	g_assert_cmpuint(out[6], ==, PK_IPPROTO_TCP);

	/* IPv4 fragments get a Fragment header carrying their ID, offset, MF. */
	uint8_t dgram[1200];
	uint32_t dlen = mk_l4(dgram, PK_IPPROTO_TCP, 0, 80, 61001, 1000);
	uint8_t got[1200];

	l4_csum4(dgram, dlen, PK_IPPROTO_TCP, S4, P4);
	p = params_4to6(80, 40000);
	for (int f = 0; f < 2; f++) {
		uint32_t off = f ? 600 : 0, flen = f ? dlen - 600 : 600;
		struct pk_ip6_view v = { 0 };

		memcpy(in + 20, dgram + off, flen);
		len = mk_ip4(in, S4, P4, PK_IPPROTO_TCP, 64, 0x9999,
			     (uint16_t)((f ? 0 : PK_IP4_MF) | off / 8), flen);
		n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);
		g_assert_cmpint(n, ==, (int)(48 + flen));
		g_assert_cmpuint(res.resume, ==, 0);
		check_ip6(out, n, S6, H6);
		g_assert_true(pk_ip6_parse(out, (uint32_t)n, &v));
		g_assert_true(v.frag);
		g_assert_cmpuint(v.frag_id, ==, 0x9999);
		g_assert_cmpuint(v.frag_off, ==, off);
		g_assert_cmpint(v.frag_more, ==, f == 0);
		memcpy(got + off, out + 48, flen);

		struct nat64_tuple t;
		g_assert_cmpint(nat64_inspect4(in, len, &t), ==, 0);
		g_assert_true(t.fragment);
		g_assert_cmpint(t.later_fragment, ==, f == 1);
		g_assert_cmpuint(t.frag_id, ==, 0x9999);
		g_assert_cmpuint(t.sport, ==, f ? 0 : 80);
	}
	g_assert_true(pk_csum_ok(got, dlen, pk_csum_pseudo6(S6, H6, PK_IPPROTO_TCP, dlen)));
}

/* An ICMPv4 error about a packet we sent: the quoted UDP datagram
 * (P4:61001 -> S4:53) becomes H6:40000 -> S6:53. */
static uint32_t icmp4_error(uint8_t *in, uint8_t type, uint8_t code, uint32_t rest, uint8_t qproto,
			    uint32_t qpayload)
{
	uint8_t *icmp = in + 20;
	uint32_t qlen = pkt4(icmp + 8, P4, S4, qproto,
			     qproto == PK_IPPROTO_ICMP ? PK_ICMP_ECHO_REQUEST : 0, 61001, 53,
			     qpayload, PK_IP4_DF);

	icmp[0] = type;
	icmp[1] = code;
	pk_put_be32(icmp + 4, rest);
	l4_csum4(icmp, 8 + qlen, PK_IPPROTO_ICMP, NULL, NULL);
	return mk_ip4(in, R4, P4, PK_IPPROTO_ICMP, 64, 5, 0, 8 + qlen);
}

static struct nat64_params params_err_4to6(void)
{
	struct nat64_params p = { 0 };

	memcpy(p.outer.src, R6, 16);
	memcpy(p.outer.dst, H6, 16);
	memcpy(p.inner.src, H6, 16);
	memcpy(p.inner.dst, S6, 16);
	p.inner.sport = 40000;
	p.inner.dport = 53;
	return p;
}

static void test_icmp_errors_4to6(void)
{
	static const struct {
		uint8_t type, code;
		uint32_t rest;
		uint8_t t6, c6;
		uint32_t info6;
	} map[] = {
		{ 3, 0, 0, 1, 0, 0 },		{ 3, 1, 0, 1, 0, 0 },
		{ 3, 2, 0, 4, 1, 6 },		{ 3, 3, 0, 1, 4, 0 },
		{ 3, 4, 1400, 2, 0, 1280 },	{ 3, 5, 0, 1, 0, 0 },
		{ 3, 9, 0, 1, 1, 0 },		{ 3, 10, 0, 1, 1, 0 },
		{ 3, 13, 0, 1, 1, 0 },		{ 3, 15, 0, 1, 1, 0 },
		{ 11, 0, 0, 3, 0, 0 },		{ 11, 1, 0, 3, 1, 0 },
		{ 12, 0, 9u << 24, 4, 0, 6 },	{ 12, 0, 8u << 24, 4, 0, 7 },
		{ 12, 0, 2u << 24, 4, 0, 4 },	{ 12, 0, 13u << 24, 4, 0, 8 },
		{ 12, 2, 17u << 24, 4, 0, 24 }, { 12, 0, 1u << 24, 4, 0, 1 },
	};
	static const struct {
		uint8_t type, code;
		uint32_t rest;
	} dropped[] = {
		{ 3, 14, 0 },	     { 3, 16, 0 },	   { 11, 2, 0 }, { 12, 1, 0 },
		{ 12, 0, 4u << 24 }, { 12, 0, 10u << 24 }, { 4, 0, 0 },	 { 5, 0, 0 },
	};
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_err_4to6();
	struct nat64_result res;

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		uint32_t len = icmp4_error(in, map[i].type, map[i].code, map[i].rest,
					   PK_IPPROTO_UDP, 20);
		int n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);
		struct pk_ip6_view v = { 0 }, iv = { 0 };

		g_test_message("ICMPv4 %u/%u", map[i].type, map[i].code);
		check_ip6(out, n, R6, H6);
		g_assert_cmpuint(out[6], ==, PK_IPPROTO_ICMPV6);
		g_assert_cmpuint(out[40], ==, map[i].t6);
		g_assert_cmpuint(out[41], ==, map[i].c6);
		g_assert_cmpuint(pk_get_be32(out + 44), ==, map[i].info6);
		/* The quoted packet, translated, its UDP checksum right for its
		 * new addresses (the quote is whole here). */
		g_assert_true(pk_ip6_parse(out + 48, (uint32_t)n - 48, &iv));
		g_assert_cmpmem(iv.src, 16, H6, 16);
		g_assert_cmpmem(iv.dst, 16, S6, 16);
		g_assert_cmpuint(iv.proto, ==, PK_IPPROTO_UDP);
		g_assert_cmpuint(iv.hop_limit, ==, 64); /* not decremented */
		g_assert_cmpuint(pk_get_be16(iv.l4), ==, 40000);
		g_assert_cmpuint(pk_get_be16(iv.l4 + 2), ==, 53);
		g_assert_true(pk_csum_ok(iv.l4, iv.l4_len, pk_ip6_pseudo(&iv)));
		g_assert_true(pk_ip6_parse(out, (uint32_t)n, &v));

		struct nat64_tuple t;
		g_assert_cmpint(nat64_inspect4(in, len, &t), ==, 0);
		g_assert_true(t.is_error);
		g_assert_cmpuint(t.proto, ==, PK_IPPROTO_UDP);
		g_assert_cmpmem(t.src, 4, P4, 4);
		g_assert_cmpmem(t.dst, 4, S4, 4);
		g_assert_cmpuint(t.sport, ==, 61001);
		g_assert_cmpuint(t.dport, ==, 53);
		g_assert_cmpmem(t.err_src, 4, R4, 4);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++) {
		uint32_t len = icmp4_error(in, dropped[i].type, dropped[i].code, dropped[i].rest,
					   PK_IPPROTO_UDP, 20);

		g_test_message("ICMPv4 %u/%u dropped", dropped[i].type, dropped[i].code);
		g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), &res), ==,
				-NAT64_E_ICMP_TYPE);
	}
}

/* Packet Too Big from Fragmentation Needed: +20, capped by the IPv6 MTU,
 * at least 1280; RFC 1191 plateaus when the router gave no MTU. */
static void test_mtu_4to6(void)
{
	uint8_t in[4096], out[4096];
	struct nat64_params p = params_err_4to6();
	struct nat64_result res;
	static const struct {
		uint32_t mtu4, mtu6param, quoted_payload, want;
	} cases[] = {
		{ 1400, 1500, 20, 1420 }, { 1400, 0, 20, 1280 },   { 1000, 1500, 20, 1280 },
		{ 1480, 9000, 20, 1500 }, { 0, 9000, 1472, 1512 }, /* plateau 1492 for 1500 */
		{ 0, 9000, 2000, 2022 },			   /* plateau 2002 */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint32_t len = icmp4_error(in, 3, 4, cases[i].mtu4, PK_IPPROTO_UDP,
					   cases[i].quoted_payload);
		int n;

		p.mtu6 = cases[i].mtu6param;
		n = nat64_4to6(in, len, &p, 0, out, sizeof(out), &res);
		check_ip6(out, n, R6, H6);
		g_assert_cmpuint(out[40], ==, PK_ICMP6_PACKET_TOO_BIG);
		g_assert_cmpuint(pk_get_be32(out + 44), ==, cases[i].want);
		/* The error stays within 1280 bytes, quote cut. */
		g_assert_cmpint(n, <=, 1280);
	}
}

/* An ICMPv6 error from inside about a packet from the server (S6 -> H6),
 * quoting it; translated with outer H4? no: the NAT's pool address P4 -> S4. */
static uint32_t icmp6_error(uint8_t *in, uint8_t type, uint8_t code, uint32_t rest, uint8_t qproto,
			    uint32_t qpayload)
{
	uint8_t *icmp = in + 40;
	uint32_t qlen = pkt6(icmp + 8, S6, H6, qproto,
			     qproto == PK_IPPROTO_ICMPV6 ? PK_ICMP6_ECHO_REPLY : 0, 53, 40000,
			     qpayload);

	icmp[0] = type;
	icmp[1] = code;
	pk_put_be32(icmp + 4, rest);
	l4_csum6(icmp, 8 + qlen, PK_IPPROTO_ICMPV6, H6, S6);
	return mk_ip6(in, H6, S6, PK_IPPROTO_ICMPV6, 64, 8 + qlen);
}

static struct nat64_params params_err_6to4(void)
{
	struct nat64_params p = { 0 };

	memcpy(p.outer.src, P4, 4);
	memcpy(p.outer.dst, S4, 4);
	memcpy(p.inner.src, S4, 4);
	memcpy(p.inner.dst, P4, 4);
	p.inner.sport = 53;
	p.inner.dport = 61001;
	return p;
}

static void test_icmp_errors_6to4(void)
{
	static const struct {
		uint8_t type, code;
		uint32_t rest;
		uint8_t t4, c4;
		uint32_t rest4;
	} map[] = {
		{ 1, 0, 0, 3, 1, 0 },	       { 1, 1, 0, 3, 10, 0 },
		{ 1, 2, 0, 3, 1, 0 },	       { 1, 3, 0, 3, 1, 0 },
		{ 1, 4, 0, 3, 3, 0 },	       { 2, 0, 1500, 3, 4, 1480 },
		{ 2, 0, 1280, 3, 4, 1260 },    { 3, 0, 0, 11, 0, 0 },
		{ 3, 1, 0, 11, 1, 0 },	       { 4, 0, 7, 12, 0, 8u << 24 },
		{ 4, 0, 6, 12, 0, 9u << 24 },  { 4, 0, 4, 12, 0, 2u << 24 },
		{ 4, 0, 8, 12, 0, 12u << 24 }, { 4, 0, 30, 12, 0, 16u << 24 },
		{ 4, 0, 0, 12, 0, 0 },	       { 4, 1, 40, 3, 2, 0 },
	};
	static const struct {
		uint8_t type, code;
		uint32_t rest;
	} dropped[] = {
		{ 1, 5, 0 }, { 1, 6, 0 }, { 3, 2, 0 }, { 4, 2, 0 }, { 4, 0, 2 }, { 4, 0, 40 },
	};
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_err_6to4();
	struct nat64_result res;

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		uint32_t len = icmp6_error(in, map[i].type, map[i].code, map[i].rest,
					   PK_IPPROTO_TCP, 20);
		int n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
		struct pk_ip4_view iv = { 0 };
		uint32_t ql;

		g_test_message("ICMPv6 %u/%u", map[i].type, map[i].code);
		check_ip4(out, n, P4, S4);
		g_assert_cmpuint(out[9], ==, PK_IPPROTO_ICMP);
		g_assert_cmpuint(out[20], ==, map[i].t4);
		g_assert_cmpuint(out[21], ==, map[i].c4);
		g_assert_cmpuint(pk_get_be32(out + 24), ==, map[i].rest4);
		g_assert_true(pk_ip4_parse(out + 28, (uint32_t)n - 28, &iv));
		g_assert_true(pk_ip4_csum_ok(&iv));
		g_assert_cmpmem(iv.src, 4, S4, 4);
		g_assert_cmpmem(iv.dst, 4, P4, 4);
		g_assert_cmpuint(iv.proto, ==, PK_IPPROTO_TCP);
		g_assert_cmpuint(iv.ttl, ==, 64);
		ql = iv.payload_len;
		g_assert_cmpuint(pk_get_be16(iv.payload), ==, 53);
		g_assert_cmpuint(pk_get_be16(iv.payload + 2), ==, 61001);
		g_assert_true(pk_csum_ok(iv.payload, ql, pk_ip4_pseudo(&iv)));

		struct nat64_tuple t;
		g_assert_cmpint(nat64_inspect6(in, len, &t), ==, 0);
		g_assert_true(t.is_error);
		g_assert_cmpuint(t.proto, ==, PK_IPPROTO_TCP);
		g_assert_cmpmem(t.src, 16, S6, 16);
		g_assert_cmpuint(t.sport, ==, 53);
		g_assert_cmpuint(t.dport, ==, 40000);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++) {
		uint32_t len = icmp6_error(in, dropped[i].type, dropped[i].code, dropped[i].rest,
					   PK_IPPROTO_TCP, 20);

		g_test_message("ICMPv6 %u/%u dropped", dropped[i].type, dropped[i].code);
		g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==,
				-NAT64_E_ICMP_TYPE);
	}

	/* PTB capped by the IPv4 MTU; a bad checksum is dropped. */
	uint32_t len = icmp6_error(in, 2, 0, 9000, PK_IPPROTO_TCP, 20);
	int n;

	p.mtu4 = 1400;
	n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
	check_ip4(out, n, P4, S4);
	g_assert_cmpuint(pk_get_be16(out + 26), ==, 1400);
	in[50] ^= 1;
	g_assert_cmpint(nat64_6to4(in, len, &p, out, sizeof(out), &res), ==, -NAT64_E_CSUM);
	/* Quoting a packet with a Fragment header: 28 bytes of difference. */
	{
		uint8_t *icmp = in + 40, *q = icmp + 8;
		uint32_t ulen = mk_l4(q + 48, PK_IPPROTO_UDP, 0, 53, 40000, 20);

		l4_csum6(q + 48, ulen, PK_IPPROTO_UDP, S6, H6);
		memset(q + 40, 0, 8);
		q[40] = PK_IPPROTO_UDP;
		q[43] = 1; /* M */
		mk_ip6(q, S6, H6, PK_IPPROTO_FRAGMENT, 64, 8 + ulen);
		icmp[0] = PK_ICMP6_PACKET_TOO_BIG;
		icmp[1] = 0;
		pk_put_be32(icmp + 4, 1280);
		l4_csum6(icmp, 8 + 48 + ulen, PK_IPPROTO_ICMPV6, H6, S6);
		len = mk_ip6(in, H6, S6, PK_IPPROTO_ICMPV6, 64, 8 + 48 + ulen);
		n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
		check_ip4(out, n, P4, S4);
		g_assert_cmpuint(pk_get_be16(out + 26), ==, 1252);
		g_assert_cmpuint(pk_get_be16(out + 28 + 6), ==, PK_IP4_MF); /* quoted: MF */
		g_assert_cmpuint(pk_get_be16(out + 28 + 2), ==, 20 + ulen);
	}
	/* A long quote is cut to keep the ICMPv4 error within 576 bytes. */
	len = icmp6_error(in, 1, 4, 0, PK_IPPROTO_UDP, 1000);
	n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
	g_assert_cmpint(n, ==, 576);
	check_ip4(out, n, P4, S4);
	g_assert_cmpuint(pk_get_be16(out + 28 + 2), ==, 20 + 8 + 1000); /* quoted length kept */
}

/* Errors quoting ICMP echo: type and identifier translated in the quote. */
static void test_icmp_error_quoting_echo(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_err_4to6();
	struct pk_ip6_view iv = { 0 };
	uint32_t len = icmp4_error(in, 11, 0, 0, PK_IPPROTO_ICMP, 32);
	int n;

	p.inner.sport = 0x1111;
	n = nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL);
	check_ip6(out, n, R6, H6);
	g_assert_true(pk_ip6_parse(out + 48, (uint32_t)n - 48, &iv));
	g_assert_cmpuint(iv.proto, ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(iv.l4[0], ==, PK_ICMP6_ECHO_REQUEST);
	g_assert_cmpuint(pk_get_be16(iv.l4 + 4), ==, 0x1111);
	g_assert_true(pk_csum_ok(iv.l4, iv.l4_len, pk_ip6_pseudo(&iv)));

	struct pk_ip4_view iv4 = { 0 };
	struct nat64_params q = params_err_6to4();

	len = icmp6_error(in, 1, 4, 0, PK_IPPROTO_ICMPV6, 32);
	q.inner.sport = 0x5151;
	n = nat64_6to4(in, len, &q, out, sizeof(out), NULL);
	check_ip4(out, n, P4, S4);
	g_assert_true(pk_ip4_parse(out + 28, (uint32_t)n - 28, &iv4));
	g_assert_cmpuint(iv4.proto, ==, PK_IPPROTO_ICMP);
	g_assert_cmpuint(iv4.payload[0], ==, PK_ICMP_ECHO_REPLY);
	g_assert_cmpuint(pk_get_be16(iv4.payload + 4), ==, 0x5151);
	g_assert_true(pk_csum_ok(iv4.payload, iv4.payload_len, 0));

	/* An error quoting an error is not translated. */
	len = icmp4_error(in, 3, 3, 0, PK_IPPROTO_ICMP, 32);
	in[20 + 8 + 20] = PK_ICMP_DEST_UNREACH;
	l4_csum4(in + 20, len - 20, PK_IPPROTO_ICMP, NULL, NULL);
	g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL), ==, -NAT64_E_INNER);
}

/* A quote cut inside the transport header: the checksum is adjusted where
 * present, and the quoted length fields keep the original size. */
static void test_truncated_quote(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p = params_err_4to6();
	uint32_t len = icmp4_error(in, 3, 3, 0, PK_IPPROTO_TCP, 500);
	struct pk_ip6_view ov = { 0 };
	int n;

	/* Keep 8 bytes of TCP only (RFC 792's minimum quote). */
	len = 20 + 8 + 20 + 8;
	pk_put_be16(in + 2, (uint16_t)len);
	pk_ip4_csum_fill(in, 20);
	l4_csum4(in + 20, len - 20, PK_IPPROTO_ICMP, NULL, NULL);
	n = nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL);
	g_assert_cmpint(n, ==, 40 + 8 + 40 + 8);
	check_ip6(out, n, R6, H6);
	g_assert_true(pk_ip6_parse(out, (uint32_t)n, &ov));
	g_assert_cmpuint(pk_get_be16(out + 48 + 4), ==, 520); /* quoted payload length */
	g_assert_cmpuint(pk_get_be16(out + 88), ==, 40000);
	g_assert_cmpuint(pk_get_be16(out + 90), ==, 53);

	/* Too short to hold the ports: refused. */
	len = 20 + 8 + 20 + 4;
	pk_put_be16(in + 2, (uint16_t)len);
	pk_ip4_csum_fill(in, 20);
	l4_csum4(in + 20, len - 20, PK_IPPROTO_ICMP, NULL, NULL);
	g_assert_cmpint(nat64_4to6(in, len, &p, 0, out, sizeof(out), NULL), ==, -NAT64_E_INNER);
}

/* 6 -> 4 -> 6 gives the packet back (hop limit aside). */
static void test_roundtrip(void)
{
	uint8_t in[2048], mid[2048], out[2048];
	static const uint8_t protos[] = { PK_IPPROTO_UDP, PK_IPPROTO_TCP, PK_IPPROTO_ICMPV6 };

	for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
		for (uint32_t size = 0; size < 1400; size += 97) {
			uint32_t len = pkt6(in, H6, S6, protos[i], PK_ICMP6_ECHO_REQUEST, 40000, 53,
					    size);
			struct nat64_params a = params_6to4(61001, 4242), b = { 0 };
			int n, m;

			pk_put_be32(in, 6u << 28 | 0x2au << 20); /* no flow label */
			a.flags = NAT64_F_NO_TTL_DEC;
			n = nat64_6to4(in, len, &a, mid, sizeof(mid), NULL);
			check_ip4(mid, n, P4, S4);
			memcpy(b.outer.src, H6, 16);
			memcpy(b.outer.dst, S6, 16);
			b.outer.sport = 40000;
			b.outer.dport = 53;
			b.flags = NAT64_F_NO_TTL_DEC;
			b.mtu6 = 1500;
			if (protos[i] == PK_IPPROTO_ICMPV6) {
				/* the echo request goes back as if it came from outside */
				mid[20] = PK_ICMP_ECHO_REQUEST;
			}
			m = nat64_4to6(mid, (uint32_t)n, &b, 0, out, sizeof(out), NULL);
			g_assert_cmpint(m, ==, (int)len);
			g_assert_cmpmem(out, len, in, len);
		}
	}
}

static void test_malformed(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p6 = params_6to4(1, 2), p4 = params_4to6(1, 2);
	struct nat64_result res;
	uint32_t len = pkt6(in, H6, S6, PK_IPPROTO_UDP, 0, 1, 2, 10);

	for (uint32_t l = 0; l < len; l++)
		g_assert_cmpint(nat64_6to4(in, l, &p6, out, sizeof(out), NULL), <, 0);
	in[6] = 47; /* GRE */
	g_assert_cmpint(nat64_6to4(in, len, &p6, out, sizeof(out), NULL), ==, -NAT64_E_PROTO);
	in[6] = PK_IPPROTO_UDP;
	pk_put_be16(in + 4, 4); /* payload shorter than a UDP header */
	g_assert_cmpint(nat64_6to4(in, len, &p6, out, sizeof(out), NULL), ==, -NAT64_E_MALFORMED);

	len = pkt4(in, S4, P4, PK_IPPROTO_TCP, 0, 1, 2, 10, 0);
	for (uint32_t l = 0; l < len; l++)
		g_assert_cmpint(nat64_4to6(in, l, &p4, 0, out, sizeof(out), NULL), <, 0);
	in[10] ^= 0xff; /* header checksum */
	g_assert_cmpint(nat64_4to6(in, len, &p4, 0, out, sizeof(out), NULL), ==,
			-NAT64_E_MALFORMED);

	/* IPv4 options are dropped; an unexpired source route is refused. */
	uint8_t opt[2048];
	uint32_t l4len = mk_l4(opt + 28, PK_IPPROTO_UDP, 0, 53, 61001, 10);
	int n;

	l4_csum4(opt + 28, l4len, PK_IPPROTO_UDP, S4, P4);
	mk_ip4(opt, S4, P4, PK_IPPROTO_UDP, 64, 1, 0, 8 + l4len);
	opt[0] = 0x47;
	opt[20] = 1;   /* NOP */
	opt[21] = 131; /* LSRR, length 7, pointer 4: one hop left */
	opt[22] = 7;
	opt[23] = 4;
	memcpy(opt + 24, R4, 4);
	pk_ip4_csum_fill(opt, 28);
	g_assert_cmpint(nat64_4to6(opt, 28 + l4len, &p4, 0, out, sizeof(out), &res), ==,
			-NAT64_E_SRC_ROUTE);
	g_assert_true(res.icmp);
	g_assert_cmpuint(res.icmp_type, ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(res.icmp_code, ==, 5);
	opt[23] = 8; /* used up */
	pk_ip4_csum_fill(opt, 28);
	n = nat64_4to6(opt, 28 + l4len, &p4, 0, out, sizeof(out), &res);
	g_assert_cmpint(n, ==, (int)(40 + l4len));
	p4.outer.sport = 53;
	p4.outer.dport = 61001;
	n = nat64_4to6(opt, 28 + l4len, &p4, 0, out, sizeof(out), &res);
	check_ip6(out, n, S6, H6);

	g_assert_cmpstr(nat64_drop_name(-NAT64_E_TTL), ==, "ttl-exceeded");
	g_assert_cmpstr(nat64_drop_name(NAT64_E_NO_ROOM), ==, "no-room");
	g_assert_cmpstr(nat64_drop_name(99), ==, "unknown");
	for (int i = 1; i < NAT64_E_COUNT; i++)
		g_assert_nonnull(nat64_drop_name(i));
}

/* The ICMP error a failure asks for builds with pk_icmp_error_build() as
 * given (type, code, info), about the input packet. */
static void test_hint_builds(void)
{
	uint8_t in[2048], out[2048];
	struct nat64_params p6 = params_6to4(1, 2), p4 = params_4to6(2, 1);
	struct nat64_result res;
	struct pk_buf *b = pk_buf_alloc(0);
	struct pk_ip6_view v6 = { 0 };
	struct pk_ip4_view v4 = { 0 };
	uint32_t len;

	/* IPv6 hop limit: ICMPv6 Time Exceeded from the translator's IPv6 address. */
	len = pkt6(in, H6, S6, PK_IPPROTO_UDP, 0, 1, 2, 10);
	in[7] = 1;
	g_assert_cmpint(nat64_6to4(in, len, &p6, out, sizeof(out), &res), ==, -NAT64_E_TTL);
	struct pk_ip_fields f6 = { .src = S6 };
	g_assert_cmpint(pk_icmp_error_build(b, &f6, res.icmp_type, res.icmp_code, res.icmp_info, in,
					    len, 0),
			==, PK_ICMP_ERR_OK);
	g_assert_true(pk_ip6_parse(pk_buf_data(b), pk_buf_len(b), &v6));
	g_assert_cmpmem(v6.dst, 16, H6, 16);
	g_assert_cmpuint(v6.l4[0], ==, PK_ICMP6_TIME_EXCEEDED);
	g_assert_true(pk_csum_ok(v6.l4, v6.l4_len, pk_ip6_pseudo(&v6)));

	/* IPv4 DF and too big: Fragmentation Needed carrying the MTU. */
	len = pkt4(in, S4, P4, PK_IPPROTO_UDP, 0, 2, 1, 1400, PK_IP4_DF);
	g_assert_cmpint(nat64_4to6(in, len, &p4, 0, out, sizeof(out), &res), ==, -NAT64_E_TOO_BIG);
	struct pk_ip_fields f4 = { .src = P4 };
	g_assert_cmpint(pk_icmp_error_build(b, &f4, res.icmp_type, res.icmp_code, res.icmp_info, in,
					    len, 0),
			==, PK_ICMP_ERR_OK);
	g_assert_true(pk_ip4_parse(pk_buf_data(b), pk_buf_len(b), &v4));
	g_assert_cmpmem(v4.dst, 4, S4, 4);
	g_assert_cmpuint(v4.payload[0], ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(v4.payload[1], ==, 4);
	g_assert_cmpuint(pk_get_be16(v4.payload + 6), ==, 1260);
	pk_buf_unref(b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	addrs_init();
	g_test_add_func("/nat64/xlate/udp-tcp-6to4", test_udp_tcp_6to4);
	g_test_add_func("/nat64/xlate/udp-tcp-4to6", test_udp_tcp_4to6);
	g_test_add_func("/nat64/xlate/udp-zero-checksum", test_udp_zero_csum);
	g_test_add_func("/nat64/xlate/echo", test_echo);
	g_test_add_func("/nat64/xlate/hop-limit", test_hop_limit);
	g_test_add_func("/nat64/xlate/extension-headers", test_ext_headers);
	g_test_add_func("/nat64/xlate/fragments-6to4", test_fragments_6to4);
	g_test_add_func("/nat64/xlate/fragments-4to6", test_fragments_4to6);
	g_test_add_func("/nat64/xlate/icmp-errors-4to6", test_icmp_errors_4to6);
	g_test_add_func("/nat64/xlate/mtu-4to6", test_mtu_4to6);
	g_test_add_func("/nat64/xlate/icmp-errors-6to4", test_icmp_errors_6to4);
	g_test_add_func("/nat64/xlate/icmp-error-quoting-echo", test_icmp_error_quoting_echo);
	g_test_add_func("/nat64/xlate/truncated-quote", test_truncated_quote);
	g_test_add_func("/nat64/xlate/roundtrip", test_roundtrip);
	g_test_add_func("/nat64/xlate/malformed", test_malformed);
	g_test_add_func("/nat64/xlate/hint-builds", test_hint_builds);
	return g_test_run();
}
