// SPDX-License-Identifier: MIT
/* test-build.c - Packet builders (build.h) against known-good packets, bounds, offload state and the ICMP error rules */
#include <string.h>

#include <pktkit/build.h>
#include <pktkit/toolkit/gso.h>

/*
 * Reference packets. Each was built once by the builders below, written to
 * a pcap (IP packets as LINKTYPE_RAW, ARP and NA as Ethernet) and decoded
 * with `tshark -V -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE`
 * (TShark 4.0.17): every IP header, UDP, ICMP and ICMPv6 checksum shows
 * [correct], the quoted packets inside the errors decode with correct
 * checksums too, and there is no "Malformed" or expert warning. Addresses
 * are from the documentation ranges (RFC 5737, RFC 3849).
 */
static const uint8_t MAC_A[6] = { 2, 0, 0, 0, 0, 1 }, MAC_B[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t IP4_A[4] = { 192, 0, 2, 1 }, IP4_B[4] = { 198, 51, 100, 7 };
static const uint8_t IP6_A[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t IP6_B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xfe };
static const char PAYLOAD[] = "pktkit builders";	/* 15 bytes: an odd length */

/* UDP 40000 -> 40001, "pktkit builders", IPv4 id 0x1234 DF TTL 64. */
static const char REF_UDP4[] =
	"4500002b1234400040113c52c0000201c63364079c409c410017b213706b746b"
	"6974206275696c64657273";
/* The same over IPv6, traffic class 0xb8, flow label 0x12345, hop limit 64. */
static const char REF_UDP6[] =
	"6b8123450017114020010db800000000000000000000000120010db800000000"
	"00000000000000fe9c409c41001741df706b746b6974206275696c64657273";
/* ICMP port unreachable about REF_UDP4, from its destination, quoting all of it. */
static const char REF_ERR4[] =
	"450000470000000040018e7ac6336407c00002010303e961000000004500002b"
	"1234400040113c52c0000201c63364079c409c410017b213706b746b69742062"
	"75696c64657273";
/* ICMPv6 port unreachable about REF_UDP6. */
static const char REF_ERR6[] =
	"6000000000473a4020010db80000000000000000000000fe20010db800000000"
	"000000000000000101040214000000006b8123450017114020010db800000000"
	"000000000000000120010db80000000000000000000000fe9c409c41001741df"
	"706b746b6974206275696c64657273";
/* Echo request id 0x4242 seq 1 "ping!" from A to B, and B's reply. */
static const char REF_ECHO_REQ4[] =
	"450000210000000040018ea0c0000201c63364070800b5eb4242000170696e67"
	"21";
static const char REF_ECHO_REP4[] =
	"450000210000000040018ea0c6336407c00002010000bdeb4242000170696e67"
	"21";
static const char REF_ECHO_REQ6[] =
	"60000000000d3a4020010db800000000000000000000000120010db800000000"
	"00000000000000fe8000e1324242000170696e6721";
static const char REF_ECHO_REP6[] =
	"60000000000d3a4020010db80000000000000000000000fe20010db800000000"
	"00000000000000018100e0324242000170696e6721";
/* Who has 198.51.100.7? Tell 192.0.2.1 (from MAC_A), and B's reply. */
static const char REF_ARP_REQ[] =
	"ffffffffffff02000000000108060001080006040001020000000001c0000201"
	"000000000000c6336407000000000000000000000000000000000000";
static const char REF_ARP_REP[] =
	"02000000000102000000000208060001080006040002020000000002c6336407"
	"020000000001c0000201000000000000000000000000000000000000";
/* Solicited NA (S, O) for 2001:db8::fe at MAC_B, to A. */
static const char REF_NA[] =
	"02000000000102000000000286dd6000000000203aff20010db8000000000000"
	"0000000000fe20010db800000000000000000000000188008879600000002001"
	"0db80000000000000000000000fe0201020000000002";

static uint32_t unhex(const char *hex, uint8_t *out, uint32_t size)
{
	uint32_t n = (uint32_t)strlen(hex) / 2;

	g_assert_cmpuint(n, <=, size);
	for (uint32_t i = 0; i < n; i++)
		out[i] = (uint8_t)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
				   g_ascii_xdigit_value(hex[2 * i + 1]));
	return n;
}

static void assert_bytes(const uint8_t *p, uint32_t len, const char *ref)
{
	uint8_t want[2048];
	uint32_t n = unhex(ref, want, sizeof(want));

	g_assert_cmpmem(p, len, want, n);
}

static struct pk_ip_fields fields(uint8_t version, uint8_t proto, bool a_to_b)
{
	struct pk_ip_fields f = { .version = version, .proto = proto, .ttl = 64 };

	f.src = version == 6 ? (a_to_b ? IP6_A : IP6_B) : (a_to_b ? IP4_A : IP4_B);
	f.dst = version == 6 ? (a_to_b ? IP6_B : IP6_A) : (a_to_b ? IP4_B : IP4_A);
	return f;
}

/* The reference UDP datagram of @version in a fresh buffer, built with @flags. */
static struct pk_buf *udp_packet(uint8_t version, uint32_t flags)
{
	struct pk_ip_fields f = fields(version, PK_IPPROTO_UDP, true);
	struct pk_buf *b = pk_buf_new_copy(PAYLOAD, sizeof(PAYLOAD) - 1);

	if (version == 4) {
		f.id = 0x1234;
		f.frag = PK_IP4_DF;
	} else {
		f.tos = 0xb8;
		f.flow_label = 0x12345;
	}
	g_assert_nonnull(b);
	g_assert_true(pk_udp_push(b, &f, 40000, 40001, flags));
	g_assert_true(pk_ip_push(b, &f));
	return b;
}

/* An empty buffer with exactly @room bytes from its data to the end of storage. */
static struct pk_buf *buf_with_room(uint32_t room)
{
	struct pk_buf *b = pk_buf_alloc(0);
	uint32_t total = pk_buf_tailroom(b);

	g_assert_cmpuint(total, >=, room);
	pk_buf_put(b, total);
	pk_buf_pull(b, total - room);
	pk_buf_trim(b, 0);
	g_assert_cmpuint(pk_buf_tailroom(b), ==, room);
	return b;
}

static int64_t outstanding(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	return st.allocated;
}

/* IP and UDP --------------------------------------------------------------- */

static void test_udp_v4(void)
{
	struct pk_buf *b = udp_packet(4, 0);
	struct pk_ip4_view v = { 0 };
	struct pk_udp_view u = { 0 };

	assert_bytes(pk_buf_data(b), pk_buf_len(b), REF_UDP4);
	g_assert_true(pk_ip4_parse(pk_buf_data(b), pk_buf_len(b), &v));
	g_assert_true(pk_ip4_csum_ok(&v));
	g_assert_true(pk_udp_parse(v.payload, v.payload_len, &u));
	g_assert_true(pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v)));
	g_assert_cmpuint(b->csum, ==, PK_CSUM_NONE);
	pk_buf_unref(b);
}

static void test_udp_v6(void)
{
	struct pk_buf *b = udp_packet(6, 0);
	struct pk_ip6_view v = { 0 };

	assert_bytes(pk_buf_data(b), pk_buf_len(b), REF_UDP6);
	g_assert_true(pk_ip6_parse(pk_buf_data(b), pk_buf_len(b), &v));
	g_assert_cmpuint(v.flow_label, ==, 0x12345);
	g_assert_cmpuint(v.tclass, ==, 0xb8);
	g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
	pk_buf_unref(b);
}

/* A partial checksum holds the pseudo-header sum; completing it in software
 * (what the core does for ports without offloads) gives the reference. */
static void test_udp_partial(void)
{
	for (uint8_t version = 4; version <= 6; version += 2) {
		struct pk_buf *b = udp_packet(version, PK_BUILD_CSUM_PARTIAL);
		struct pk_ip_fields f = fields(version, PK_IPPROTO_UDP, true);
		uint32_t hlen = pk_ip_hdr_len(version), ulen = pk_buf_len(b) - hlen, pos = 0;
		uint16_t folded = (uint16_t)~pk_csum_fold(
			version == 6 ? pk_csum_pseudo6(f.src, f.dst, PK_IPPROTO_UDP, ulen)
				     : pk_csum_pseudo4(f.src, f.dst, PK_IPPROTO_UDP, ulen));
		struct pk_batch out;

		g_assert_cmpuint(b->csum, ==, PK_CSUM_PARTIAL);
		g_assert_cmpint(pk_buf_csum_start(b), ==, (int32_t)hlen);
		g_assert_cmpuint(b->csum_offset, ==, 6);
		g_assert_true(pk_buf_needs_offload(b));
		g_assert_cmpuint(pk_get_be16(pk_buf_data(b) + hlen + 6), ==, folded);
		pk_batch_init(&out);
		g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, 1);
		g_assert_cmpuint(out.n, ==, 1);
		assert_bytes(pk_buf_data(out.buf[0]), pk_buf_len(out.buf[0]),
			     version == 6 ? REF_UDP6 : REF_UDP4);
		pk_batch_unref_all(&out);
		pk_buf_unref(b);
	}
}

/* A computed UDP checksum of 0 goes out as 0xffff (RFC 768). */
static void test_udp_zero_checksum(void)
{
	const struct pk_ip_fields f = fields(4, PK_IPPROTO_UDP, true);
	uint8_t d[10] = { 0 };
	uint16_t c;

	g_assert_true(pk_udp_hdr_write(d, sizeof(d), &f, 1, 2, 0));
	c = pk_get_be16(d + 6);
	/* A payload word equal to that checksum makes the sum 0xffff. */
	pk_put_be16(d + 8, c);
	g_assert_true(pk_udp_hdr_write(d, sizeof(d), &f, 1, 2, 0));
	g_assert_cmpuint(pk_get_be16(d + 6), ==, 0xffff);
	g_assert_true(pk_csum_ok(d, sizeof(d), pk_csum_pseudo4(IP4_A, IP4_B, PK_IPPROTO_UDP, 10)));
}

static void test_bounds(void)
{
	struct pk_ip_fields f = fields(4, PK_IPPROTO_UDP, true);
	uint8_t out[64];
	struct pk_buf *b;

	/* Header writers: room, version, length field. */
	g_assert_cmpuint(pk_ip_hdr_write(out, 19, &f, 0), ==, 0);
	g_assert_cmpuint(pk_ip_hdr_write(out, 20, &f, 65515), ==, 20);
	g_assert_cmpuint(pk_get_be16(out + 2), ==, 65535);
	g_assert_cmpuint(pk_ip_hdr_write(out, 20, &f, 65516), ==, 0);
	f.version = 5;
	g_assert_cmpuint(pk_ip_hdr_write(out, sizeof(out), &f, 0), ==, 0);
	g_assert_cmpuint(pk_ip_hdr_len(5), ==, 0);
	f = fields(6, PK_IPPROTO_UDP, true);
	g_assert_cmpuint(pk_ip_hdr_write(out, 39, &f, 0), ==, 0);
	g_assert_cmpuint(pk_ip_hdr_write(out, 40, &f, 65535), ==, 40);
	g_assert_cmpuint(pk_ip_hdr_write(out, 40, &f, 65536), ==, 0);
	g_assert_false(pk_udp_hdr_write(out, 7, &f, 1, 2, 0));
	g_assert_false(pk_udp_hdr_write(out, 65536, &f, 1, 2, 0));

	/* Pushes: too little headroom or too long changes nothing. */
	b = pk_buf_alloc(10);
	g_assert_nonnull(pk_buf_push(b, pk_buf_headroom(b) - 7));
	{
		uint8_t *data = pk_buf_data(b);
		uint32_t len = pk_buf_len(b);

		g_assert_false(pk_udp_push(b, &f, 1, 2, 0));
		g_assert_false(pk_ip_push(b, &f));
		g_assert_true(pk_buf_data(b) == data);
		g_assert_cmpuint(pk_buf_len(b), ==, len);
	}
	pk_buf_unref(b);
	b = pk_buf_alloc(65535 - 7);
	g_assert_false(pk_udp_push(b, &f, 1, 2, 0));
	g_assert_cmpuint(pk_buf_len(b), ==, 65535 - 7);
	pk_buf_trim(b, 65535 - 8);
	g_assert_true(pk_udp_push(b, &f, 1, 2, 0));
	g_assert_true(pk_ip_push(b, &f));	/* IPv6: 65535 bytes of payload */
	g_assert_cmpuint(pk_buf_len(b), ==, 65535 + 40);
	pk_buf_unref(b);
	b = pk_buf_alloc(65535 - 19);
	f.version = 4;
	g_assert_false(pk_ip_push(b, &f));
	pk_buf_unref(b);
}

/* ICMP errors ---------------------------------------------------------------- */

static void test_icmp_error_ref(void)
{
	for (uint8_t version = 4; version <= 6; version += 2) {
		struct pk_buf *off = udp_packet(version, 0);
		struct pk_buf *b = pk_buf_alloc(0);
		uint8_t type = version == 6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH;
		uint8_t code = version == 6 ? 4 : 3;

		g_assert_cmpint(pk_icmp_error_check(pk_buf_data(off), pk_buf_len(off), type, code, 0),
				==, PK_ICMP_ERR_OK);
		g_assert_cmpint(pk_icmp_error_build(b, NULL, type, code, 0, pk_buf_data(off),
						    pk_buf_len(off), 0), ==, PK_ICMP_ERR_OK);
		assert_bytes(pk_buf_data(b), pk_buf_len(b), version == 6 ? REF_ERR6 : REF_ERR4);
		pk_buf_unref(b);

		/* In place: the offending packet is the buffer's own data, or
		 * lies inside it (behind a link header). */
		g_assert_cmpint(pk_icmp_error_build(off, NULL, type, code, 0, pk_buf_data(off),
						    pk_buf_len(off), 0), ==, PK_ICMP_ERR_OK);
		assert_bytes(pk_buf_data(off), pk_buf_len(off), version == 6 ? REF_ERR6 : REF_ERR4);
		pk_buf_unref(off);
		off = udp_packet(version, 0);
		off->csum = PK_CSUM_VERIFIED;
		pk_buf_push(off, 14);
		memset(pk_buf_data(off), 0xee, 14);
		g_assert_cmpint(pk_icmp_error_build(off, NULL, type, code, 0, pk_buf_data(off) + 14,
						    pk_buf_len(off) - 14, 0), ==, PK_ICMP_ERR_OK);
		assert_bytes(pk_buf_data(off), pk_buf_len(off), version == 6 ? REF_ERR6 : REF_ERR4);
		g_assert_cmpuint(off->csum, ==, PK_CSUM_NONE);	/* offload state cleared */
		pk_buf_unref(off);
	}
}

/* Quotes: as much as fits in 576 / 1280 bytes, what @b has room for, but
 * never less than the IP header and 8 bytes (RFC 792). */
static void test_icmp_error_quote(void)
{
	uint8_t big[1500];

	for (uint32_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	for (uint8_t version = 4; version <= 6; version += 2) {
		struct pk_ip_fields f = fields(version, PK_IPPROTO_UDP, true);
		struct pk_ip_fields e = { .ttl = 255, .tos = 0xc0, .id = 77 };
		uint32_t hlen = pk_ip_hdr_len(version), max = version == 6 ? 1280 : 576;
		uint8_t type = version == 6 ? PK_ICMP6_PACKET_TOO_BIG : PK_ICMP_DEST_UNREACH;
		uint8_t code = version == 6 ? 0 : 4;
		struct pk_buf *b = pk_buf_alloc(0);
		const uint8_t *p, *icmp;

		g_assert_true(pk_udp_hdr_write(big + hlen, 1400 - hlen, &f, 1234, 5678, 0));
		g_assert_cmpuint(pk_ip_hdr_write(big, hlen, &f, 1400 - hlen), ==, hlen);
		/* Link-layer padding after the packet is not quoted. */
		g_assert_cmpint(pk_icmp_error_build(b, &e, type, code, 1280, big, sizeof(big), 0),
				==, PK_ICMP_ERR_OK);
		p = pk_buf_data(b);
		icmp = p + hlen;
		g_assert_cmpuint(pk_buf_len(b), ==, max);
		g_assert_cmpmem(icmp + 8, max - hlen - 8, big, max - hlen - 8);
		g_assert_cmpuint(icmp[0], ==, type);
		g_assert_cmpuint(icmp[1], ==, code);
		g_assert_cmpuint(pk_get_be32(icmp + 4), ==, 1280);
		g_assert_cmpmem(version == 6 ? p + 8 : p + 12, hlen == 40 ? 16 : 4,
				version == 6 ? IP6_B : IP4_B, hlen == 40 ? 16 : 4);
		if (version == 4) {
			struct pk_ip4_view v = { 0 };

			g_assert_true(pk_ip4_parse(p, pk_buf_len(b), &v));
			g_assert_true(pk_ip4_csum_ok(&v));
			g_assert_cmpuint(v.ttl, ==, 255);
			g_assert_cmpuint(v.tos, ==, 0xc0);
			g_assert_cmpuint(v.id, ==, 77);
			g_assert_cmpuint(v.proto, ==, PK_IPPROTO_ICMP);
			g_assert_true(pk_csum_ok(v.payload, v.payload_len, 0));
		} else {
			struct pk_ip6_view v = { 0 };

			g_assert_true(pk_ip6_parse(p, pk_buf_len(b), &v));
			g_assert_cmpuint(v.hop_limit, ==, 255);
			g_assert_cmpuint(v.proto, ==, PK_IPPROTO_ICMPV6);
			g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
		}

		/* A buffer with room for 100 bytes quotes 100. */
		pk_buf_unref(b);
		b = buf_with_room(100);
		g_assert_cmpint(pk_icmp_error_build(b, NULL, type, code, 0, big, 1400, 0), ==,
				PK_ICMP_ERR_OK);
		g_assert_cmpuint(pk_buf_len(b), ==, hlen + 8 + 100);
		/* Room below the IP header + 8 bytes: refused. */
		pk_buf_unref(b);
		b = buf_with_room(hlen + 7);
		g_assert_cmpint(pk_icmp_error_build(b, NULL, type, code, 0, big, 1400, 0), ==,
				PK_ICMP_ERR_NO_ROOM);
		pk_buf_unref(b);

		/* A packet shorter than header + 8 is quoted whole. */
		b = pk_buf_alloc(0);
		g_assert_cmpuint(pk_ip_hdr_write(big, hlen, &f, 4), ==, hlen);
		g_assert_cmpint(pk_icmp_error_build(b, NULL, type, code, 0, big, sizeof(big), 0),
				==, PK_ICMP_ERR_OK);
		g_assert_cmpuint(pk_buf_len(b), ==, hlen + 8 + hlen + 4);
		pk_buf_unref(b);
	}
}

/* A packet built from the hex @ref, with bytes changed by the caller. */
static uint32_t pkt_from(const char *ref, uint8_t *out)
{
	return unhex(ref, out, 256);
}

/* Rewrite the IPv4 header checksum and the addresses of a reference packet. */
static void set4(uint8_t *p, const uint8_t *src, const uint8_t *dst)
{
	if (src)
		memcpy(p + 12, src, 4);
	if (dst)
		memcpy(p + 16, dst, 4);
	pk_ip4_csum_fill(p, 20);
}

static void test_icmp_error_rules4(void)
{
	static const uint8_t bcast[4] = { 255, 255, 255, 255 }, mcast[4] = { 224, 0, 0, 1 };
	static const uint8_t zero[4], lo[4] = { 127, 0, 0, 1 }, cls_e[4] = { 240, 0, 0, 1 };
	static const uint8_t this_net[4] = { 0, 1, 2, 3 }, mcast_src[4] = { 239, 1, 1, 1 };
	const uint8_t DU = PK_ICMP_DEST_UNREACH;
	uint8_t p[256];
	uint32_t n = pkt_from(REF_UDP4, p);

	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_OK);
	/* Error types only; the packet must parse. */
	g_assert_cmpint(pk_icmp_error_check(p, n, PK_ICMP_ECHO_REQUEST, 0, 0), ==,
			PK_ICMP_ERR_INVALID);
	g_assert_cmpint(pk_icmp_error_check(p, n, PK_ICMP6_DEST_UNREACH, 0, 0), ==,
			PK_ICMP_ERR_INVALID);
	for (unsigned int t = 0; t < 256; t++)
		g_assert_cmpint(pk_icmp_error_check(p, n, (uint8_t)t, 0, 0) == PK_ICMP_ERR_OK, ==,
				t == 3 || t == 4 || t == 5 || t == 11 || t == 12);
	g_assert_cmpint(pk_icmp_error_check(p, 0, DU, 3, 0), ==, PK_ICMP_ERR_MALFORMED);
	g_assert_cmpint(pk_icmp_error_check(p, n - 1, DU, 3, 0), ==, PK_ICMP_ERR_MALFORMED);
	p[0] = 0x44;
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_MALFORMED);
	p[0] = 0x55;
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_MALFORMED);

	/* Fragments: the first gets errors, the others do not. */
	n = pkt_from(REF_UDP4, p);
	pk_put_be16(p + 6, PK_IP4_MF);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_OK);
	pk_put_be16(p + 6, PK_IP4_MF | 1);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_FRAGMENT);
	pk_put_be16(p + 6, 185);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_FRAGMENT);

	/* Group destinations, and what the caller knows. */
	n = pkt_from(REF_UDP4, p);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, PK_ICMP_ERR_F_TO_GROUP), ==,
			PK_ICMP_ERR_TO_GROUP);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, PK_ICMP_ERR_F_FROM_GROUP), ==,
			PK_ICMP_ERR_FROM_GROUP);
	set4(p, NULL, bcast);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_TO_GROUP);
	set4(p, NULL, mcast);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==, PK_ICMP_ERR_TO_GROUP);

	/* Sources that are not one host. */
	{
		const uint8_t *bad[] = { zero, this_net, lo, mcast_src, cls_e, bcast };

		for (uint32_t i = 0; i < G_N_ELEMENTS(bad); i++) {
			n = pkt_from(REF_UDP4, p);
			set4(p, bad[i], NULL);
			g_assert_cmpint(pk_icmp_error_check(p, n, DU, 3, 0), ==,
					PK_ICMP_ERR_FROM_GROUP);
		}
	}
}

/* Errors about ICMP: only about queries. */
static void test_icmp_error_about_icmp4(void)
{
	const struct pk_ip_fields f = fields(4, PK_IPPROTO_ICMP, true);
	uint8_t p[64];

	for (unsigned int t = 0; t < 256; t++) {
		bool query = t == 0 || t == 8 || t == 9 || t == 10 || (t >= 13 && t <= 18);

		memset(p, 0, sizeof(p));
		pk_ip_hdr_write(p, sizeof(p), &f, 8);
		p[20] = (uint8_t)t;
		g_assert_cmpint(pk_icmp_error_check(p, 28, PK_ICMP_DEST_UNREACH, 1, 0), ==,
				query ? PK_ICMP_ERR_OK : PK_ICMP_ERR_ABOUT_ERROR);
	}
	/* Its type cannot be read: no error either. */
	pk_ip_hdr_write(p, sizeof(p), &f, 0);
	g_assert_cmpint(pk_icmp_error_check(p, 20, PK_ICMP_DEST_UNREACH, 1, 0), ==,
			PK_ICMP_ERR_ABOUT_ERROR);
}

static void test_icmp_error_rules6(void)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t any[16], lo[16] = { [15] = 1 };
	const uint8_t DU = PK_ICMP6_DEST_UNREACH, PP = PK_ICMP6_PARAM_PROBLEM;
	struct pk_ip_fields f = fields(6, PK_IPPROTO_ICMPV6, true);
	uint8_t p[256];
	uint32_t n = pkt_from(REF_UDP6, p);
	struct pk_buf *b;

	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 4, 0), ==, PK_ICMP_ERR_OK);
	for (unsigned int t = 0; t < 256; t++)
		g_assert_cmpint(pk_icmp_error_check(p, n, (uint8_t)t, 0, 0) == PK_ICMP_ERR_OK, ==,
				t >= 1 && t <= 4);
	g_assert_cmpint(pk_icmp_error_check(p, 39, DU, 4, 0), ==, PK_ICMP_ERR_MALFORMED);
	g_assert_cmpint(pk_icmp_error_check(p, n - 1, DU, 4, 0), ==, PK_ICMP_ERR_MALFORMED);

	/* Multicast destination: only Packet Too Big and Parameter Problem
	 * code 2, and then from a unicast source the caller gives. */
	memcpy(p + 24, all_nodes, 16);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 4, 0), ==, PK_ICMP_ERR_TO_GROUP);
	g_assert_cmpint(pk_icmp_error_check(p, n, PP, 1, 0), ==, PK_ICMP_ERR_TO_GROUP);
	g_assert_cmpint(pk_icmp_error_check(p, n, PP, 2, 0), ==, PK_ICMP_ERR_OK);
	g_assert_cmpint(pk_icmp_error_check(p, n, PK_ICMP6_PACKET_TOO_BIG, 0, 0), ==,
			PK_ICMP_ERR_OK);
	b = pk_buf_alloc(0);
	g_assert_cmpint(pk_icmp_error_build(b, NULL, PK_ICMP6_PACKET_TOO_BIG, 0, 1280, p, n, 0), ==,
			PK_ICMP_ERR_TO_GROUP);
	f.src = IP6_B;
	g_assert_cmpint(pk_icmp_error_build(b, &f, PK_ICMP6_PACKET_TOO_BIG, 0, 1280, p, n, 0), ==,
			PK_ICMP_ERR_OK);
	g_assert_cmpmem(pk_buf_data(b) + 8, 16, IP6_B, 16);
	g_assert_cmpmem(pk_buf_data(b) + 24, 16, IP6_A, 16);
	pk_buf_unref(b);
	n = pkt_from(REF_UDP6, p);
	g_assert_cmpint(pk_icmp_error_check(p, n, PK_ICMP6_PACKET_TOO_BIG, 0,
					    PK_ICMP_ERR_F_TO_GROUP), ==, PK_ICMP_ERR_OK);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 4, PK_ICMP_ERR_F_TO_GROUP), ==,
			PK_ICMP_ERR_TO_GROUP);

	/* Sources that are not one host (anycast: the caller knows). */
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 4, PK_ICMP_ERR_F_FROM_GROUP), ==,
			PK_ICMP_ERR_FROM_GROUP);
	memcpy(p + 8, any, 16);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 4, 0), ==, PK_ICMP_ERR_FROM_GROUP);
	memcpy(p + 8, lo, 16);
	g_assert_cmpint(pk_icmp_error_check(p, n, DU, 4, 0), ==, PK_ICMP_ERR_FROM_GROUP);
	memcpy(p + 8, all_nodes, 16);
	g_assert_cmpint(pk_icmp_error_check(p, n, PK_ICMP6_PACKET_TOO_BIG, 0, 0), ==,
			PK_ICMP_ERR_FROM_GROUP);
}

/* ICMPv6: no error about errors (type < 128) or redirects; a non-first
 * fragment's type is unknown, so it may get one. */
static void test_icmp_error_about_icmp6(void)
{
	const struct pk_ip_fields f = fields(6, PK_IPPROTO_ICMPV6, true);
	struct pk_ip_fields ff = fields(6, PK_IPPROTO_FRAGMENT, true);
	uint8_t p[128];

	for (unsigned int t = 0; t < 256; t++) {
		memset(p, 0, sizeof(p));
		pk_ip_hdr_write(p, sizeof(p), &f, 8);
		p[40] = (uint8_t)t;
		g_assert_cmpint(pk_icmp_error_check(p, 48, PK_ICMP6_DEST_UNREACH, 0, 0), ==,
				t < 128 || t == 137 ? PK_ICMP_ERR_ABOUT_ERROR : PK_ICMP_ERR_OK);
	}
	pk_ip_hdr_write(p, sizeof(p), &f, 0);
	g_assert_cmpint(pk_icmp_error_check(p, 40, PK_ICMP6_DEST_UNREACH, 0, 0), ==,
			PK_ICMP_ERR_ABOUT_ERROR);

	/* Behind a fragment header: offset 0 shows the type, others do not. */
	memset(p, 0, sizeof(p));
	pk_ip_hdr_write(p, sizeof(p), &ff, 16);
	p[40] = PK_IPPROTO_ICMPV6;
	pk_put_be16(p + 42, 0x0001);	/* offset 0, M */
	p[48] = PK_ICMP6_TIME_EXCEEDED;
	g_assert_cmpint(pk_icmp_error_check(p, 56, PK_ICMP6_DEST_UNREACH, 0, 0), ==,
			PK_ICMP_ERR_ABOUT_ERROR);
	pk_put_be16(p + 42, 0x0008);	/* offset 8 */
	g_assert_cmpint(pk_icmp_error_check(p, 56, PK_ICMP6_DEST_UNREACH, 0, 0), ==,
			PK_ICMP_ERR_OK);
	/* A malformed extension chain leaves only the fixed header: allowed. */
	p[6] = PK_IPPROTO_HOPOPTS;
	p[40] = PK_IPPROTO_HOPOPTS;
	p[41] = 0;
	g_assert_cmpint(pk_icmp_error_check(p, 56, PK_ICMP6_PARAM_PROBLEM, 1, 0), ==,
			PK_ICMP_ERR_OK);
}

/* Echo, ARP, NA ---------------------------------------------------------------- */

static void test_echo_reply(void)
{
	for (uint8_t version = 4; version <= 6; version += 2) {
		const struct pk_ip_fields f = fields(version, version == 6 ? 58 : 1, false);
		uint8_t req[128], out[128];
		uint32_t n = unhex(version == 6 ? REF_ECHO_REQ6 : REF_ECHO_REQ4, req, sizeof(req));
		uint32_t hlen = pk_ip_hdr_len(version), mlen = n - hlen;

		g_assert_cmpuint(pk_ip_hdr_write(out, sizeof(out), &f, mlen), ==, hlen);
		g_assert_cmpuint(pk_icmp_echo_reply_write(out + hlen, sizeof(out) - hlen, &f,
							  req + hlen, mlen), ==, mlen);
		assert_bytes(out, n, version == 6 ? REF_ECHO_REP6 : REF_ECHO_REP4);
		/* In place. */
		g_assert_cmpuint(pk_icmp_echo_reply_write(req + hlen, mlen, &f, req + hlen, mlen),
				 ==, mlen);
		g_assert_cmpmem(req + hlen, mlen, out + hlen, mlen);
		/* Not a request (the reply itself), the wrong family, short, no room. */
		g_assert_cmpuint(pk_icmp_echo_reply_write(out, sizeof(out), &f, req + hlen, mlen),
				 ==, 0);
		unhex(version == 6 ? REF_ECHO_REQ6 : REF_ECHO_REQ4, req, sizeof(req));
		{
			struct pk_ip_fields g = f;

			g.version = version == 6 ? 4 : 6;
			g_assert_cmpuint(pk_icmp_echo_reply_write(out, sizeof(out), &g, req + hlen,
								  mlen), ==, 0);
		}
		g_assert_cmpuint(pk_icmp_echo_reply_write(out, sizeof(out), &f, req + hlen, 7), ==, 0);
		g_assert_cmpuint(pk_icmp_echo_reply_write(out, mlen - 1, &f, req + hlen, mlen), ==, 0);
		/* A nonzero code in the request becomes 0 (RFC 792, RFC 4443 4.2). */
		req[hlen + 1] = 9;
		g_assert_cmpuint(pk_icmp_echo_reply_write(out, sizeof(out), &f, req + hlen, mlen),
				 ==, mlen);
		g_assert_cmpuint(out[1], ==, 0);
	}
}

static void test_arp(void)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, z[6];
	uint8_t req[64], out[64];
	struct pk_arp_view v = { 0 };

	g_assert_cmpuint(pk_arp_write(req, 59, PK_ARP_OP_REQUEST, bc, MAC_A, IP4_A, z, IP4_B), ==,
			 0);
	memset(req, 0xaa, sizeof(req));
	g_assert_cmpuint(pk_arp_write(req, sizeof(req), PK_ARP_OP_REQUEST, bc, MAC_A, IP4_A, z,
				      IP4_B), ==, PK_ARP_FRAME_LEN);
	assert_bytes(req, PK_ARP_FRAME_LEN, REF_ARP_REQ);
	g_assert_cmpuint(req[PK_ARP_FRAME_LEN], ==, 0xaa);	/* nothing past the frame */
	g_assert_true(pk_arp_parse(req + PK_ETH_HLEN, PK_ARP_FRAME_LEN - PK_ETH_HLEN, &v));
	g_assert_cmpuint(pk_arp_reply_write(out, 59, &v, MAC_B, IP4_B), ==, 0);
	g_assert_cmpuint(pk_arp_reply_write(out, sizeof(out), &v, MAC_B, IP4_B), ==,
			 PK_ARP_FRAME_LEN);
	assert_bytes(out, PK_ARP_FRAME_LEN, REF_ARP_REP);
	/* No reply to a reply. */
	g_assert_true(pk_arp_parse(out + PK_ETH_HLEN, PK_ARP_FRAME_LEN - PK_ETH_HLEN, &v));
	g_assert_cmpuint(pk_arp_reply_write(req, sizeof(req), &v, MAC_A, IP4_A), ==, 0);
}

static void test_na(void)
{
	uint8_t out[128];
	struct pk_ip6_view v = { 0 };

	g_assert_cmpuint(pk_ndp_na_write(out, PK_NDP_NA_FRAME_LEN - 1, MAC_B, MAC_A, IP6_B, IP6_A,
					 IP6_B, PK_NDP_NA_SOLICITED), ==, 0);
	g_assert_cmpuint(pk_ndp_na_write(out, sizeof(out), MAC_B, MAC_A, IP6_B, IP6_A, IP6_B,
					 PK_NDP_NA_SOLICITED | PK_NDP_NA_OVERRIDE),
			 ==, PK_NDP_NA_FRAME_LEN);
	assert_bytes(out, PK_NDP_NA_FRAME_LEN, REF_NA);
	g_assert_true(pk_ip6_parse(out + PK_ETH_HLEN, PK_NDP_NA_FRAME_LEN - PK_ETH_HLEN, &v));
	g_assert_cmpuint(v.hop_limit, ==, 255);
	g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
}

static void test_icmp_csum_fill(void)
{
	const struct pk_ip_fields f4 = fields(4, PK_IPPROTO_ICMP, true);
	const struct pk_ip_fields f6 = fields(6, PK_IPPROTO_ICMPV6, true);
	uint8_t m[9] = { 8, 0, 0x12, 0x34, 1, 2, 3, 4, 5 };

	pk_icmp_csum_fill(m, sizeof(m), &f4);
	g_assert_true(pk_csum_ok(m, sizeof(m), 0));
	m[0] = PK_ICMP6_ECHO_REQUEST;
	pk_icmp_csum_fill(m, sizeof(m), &f6);
	g_assert_true(pk_csum_ok(m, sizeof(m),
				 pk_csum_pseudo6(IP6_A, IP6_B, PK_IPPROTO_ICMPV6, sizeof(m))));
	/* Too short to hold a checksum: untouched. */
	m[2] = 0x55;
	pk_icmp_csum_fill(m, 3, &f4);
	g_assert_cmpuint(m[2], ==, 0x55);
}

int main(int argc, char **argv)
{
	int64_t before = outstanding();
	int rc;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/build/udp-v4", test_udp_v4);
	g_test_add_func("/build/udp-v6", test_udp_v6);
	g_test_add_func("/build/udp-partial", test_udp_partial);
	g_test_add_func("/build/udp-zero-checksum", test_udp_zero_checksum);
	g_test_add_func("/build/bounds", test_bounds);
	g_test_add_func("/build/icmp-error/reference", test_icmp_error_ref);
	g_test_add_func("/build/icmp-error/quote", test_icmp_error_quote);
	g_test_add_func("/build/icmp-error/rules-v4", test_icmp_error_rules4);
	g_test_add_func("/build/icmp-error/about-icmp-v4", test_icmp_error_about_icmp4);
	g_test_add_func("/build/icmp-error/rules-v6", test_icmp_error_rules6);
	g_test_add_func("/build/icmp-error/about-icmp-v6", test_icmp_error_about_icmp6);
	g_test_add_func("/build/echo-reply", test_echo_reply);
	g_test_add_func("/build/arp", test_arp);
	g_test_add_func("/build/na", test_na);
	g_test_add_func("/build/icmp-csum-fill", test_icmp_csum_fill);
	rc = g_test_run();
	g_assert_cmpint(outstanding(), ==, before);	/* every buffer returned */
	return rc;
}
