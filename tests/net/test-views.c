/* SPDX-License-Identifier: MIT
 * test-views.c - Header views: valid, truncated and malformed input, VLAN push/pop
 */
#include <string.h>

#include <pktkit/buf.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

/* Frames from tests/fuzz/gen-views-corpus.py (checked with tcpdump -vv). */
static const uint8_t eth_ip4_tcp_sack[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x4d, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
	0x32, 0x29, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x00, 0x50,
	0x9c, 0x41, 0x00, 0x00, 0x13, 0x88, 0x00, 0x00, 0x00, 0x02, 0xd0, 0x10,
	0xff, 0xff, 0x37, 0x12, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x01,
	0xe2, 0x41, 0x00, 0x00, 0x00, 0x02, 0x01, 0x01, 0x05, 0x12, 0x00, 0x00,
	0x03, 0xe8, 0x00, 0x00, 0x07, 0xd0, 0x00, 0x00, 0x0b, 0xb8, 0x00, 0x00,
	0x0f, 0xa0, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
};
static const uint8_t eth_ip4_opts_icmp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x46, 0x00, 0x00, 0x30, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x01,
	0x9d, 0x46, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x94, 0x04,
	0x00, 0x00, 0x08, 0x00, 0x7c, 0xb4, 0x00, 0x07, 0x00, 0x01, 0x70, 0x69,
	0x6e, 0x67, 0x70, 0x69, 0x6e, 0x67, 0x70, 0x69, 0x6e, 0x67, 0x70, 0x69,
	0x6e, 0x67,
};
static const uint8_t vlan_ip6_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x81, 0x00, 0x60, 0x64, 0x86, 0xdd, 0x60, 0x01, 0x23, 0x45, 0x00, 0x1c,
	0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x01, 0xbb,
	0xc3, 0x50, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x09, 0x60, 0x18,
	0xff, 0xff, 0xa3, 0x74, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00, 0x64, 0x61,
	0x74, 0x61,
};
static const uint8_t qinq_arp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x06, 0x00, 0x01,
	0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0xc0, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc6, 0x33,
	0x64, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t eth_ip6_ext_udp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x01, 0x23, 0x45, 0x00, 0x24, 0x00, 0x40, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x3c, 0x00, 0x01, 0x04, 0x00, 0x00,
	0x00, 0x00, 0x2c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x11, 0x00,
	0x00, 0x01, 0x00, 0x00, 0xca, 0xfe, 0x02, 0x22, 0x02, 0x23, 0x00, 0x0c,
	0x9e, 0x1f, 0x01, 0x00, 0x00, 0x01,
};
static const uint8_t eth_ip6_frag_later[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x01, 0x23, 0x45, 0x00, 0x18, 0x2c, 0x40, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x11, 0x00, 0x00, 0x40, 0x00, 0x00,
	0xca, 0xfe, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
	0x79, 0x79, 0x79, 0x79, 0x79, 0x79,
};
static const uint8_t eth_ip6_rh_ah_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x01, 0x23, 0x45, 0x00, 0x44, 0x2b, 0x40, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x33, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x50, 0x10, 0xff, 0xff, 0x53, 0x5a,
	0x00, 0x00,
};
static const uint8_t eth_ip6_icmp6_ns[] = {
	0x33, 0x33, 0xff, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x01, 0x23, 0x45, 0x00, 0x20, 0x3a, 0xff, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x87, 0x00, 0xea, 0x7a, 0x00, 0x00,
	0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x01,
};
static const uint8_t eth_ip4_frag[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x24, 0x1c, 0x46, 0x20, 0xb9, 0x40, 0x11,
	0x51, 0x8e, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x78, 0x78,
	0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78, 0x78,
	0x78, 0x78,
};
static const uint8_t eth_ip4_tcp_syn[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
	0x32, 0x3a, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x9c, 0x41,
	0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
	0xff, 0xff, 0xdc, 0xef, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	0x08, 0x0a, 0x00, 0x01, 0xe2, 0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
	0x03, 0x07,
};

/* --- helpers --------------------------------------------------------------- */

/*
 * Run @parse over the first n bytes of @pkt for every n in 0..@len, each time
 * from an exact-size heap copy so that a sanitizer sees any read past the end.
 * Lengths below @min_ok must be refused, the others accepted.
 */
static void check_truncations(const uint8_t *pkt, uint32_t len, uint32_t min_ok,
			      bool (*parse)(const uint8_t *p, uint32_t len))
{
	for (uint32_t n = 0; n <= len; n++) {
		g_autofree uint8_t *copy = g_malloc(n ? n : 1);

		memcpy(copy, pkt, n);
		if (parse(copy, n) != (n >= min_ok))
			g_error("length %u of %u: parse %s", n, len,
				n >= min_ok ? "refused" : "accepted");
	}
}

static bool parse_eth(const uint8_t *p, uint32_t len)
{
	struct pk_eth_view v = { 0 };

	return pk_eth_parse(p, len, &v);
}

static bool parse_arp(const uint8_t *p, uint32_t len)
{
	struct pk_arp_view v = { 0 };

	return pk_arp_parse(p, len, &v);
}

static bool parse_ip4(const uint8_t *p, uint32_t len)
{
	struct pk_ip4_view v = { 0 };

	return pk_ip4_parse(p, len, &v);
}

static bool parse_ip6(const uint8_t *p, uint32_t len)
{
	struct pk_ip6_view v = { 0 };

	return pk_ip6_parse(p, len, &v);
}

static bool parse_udp(const uint8_t *p, uint32_t len)
{
	struct pk_udp_view v = { 0 };

	return pk_udp_parse(p, len, &v);
}

static bool parse_tcp(const uint8_t *p, uint32_t len)
{
	struct pk_tcp_view v = { 0 };

	return pk_tcp_parse(p, len, &v);
}

static bool parse_icmp(const uint8_t *p, uint32_t len)
{
	struct pk_icmp_view v = { 0 };

	return pk_icmp_parse(p, len, &v);
}

/* A writable copy of @len bytes of @pkt, with @extra zero bytes after them. */
static uint8_t *copy_of(const uint8_t *pkt, uint32_t len, uint32_t extra)
{
	uint8_t *p = g_malloc0(len + extra);

	memcpy(p, pkt, len);
	return p;
}

/* --- Ethernet and ARP ------------------------------------------------------- */

static void test_eth_untagged(void)
{
	struct pk_eth_view v = { 0 };

	g_assert_true(pk_eth_parse(eth_ip4_tcp_sack, sizeof(eth_ip4_tcp_sack), &v));
	g_assert_true(v.dst == eth_ip4_tcp_sack);
	g_assert_true(v.src == eth_ip4_tcp_sack + 6);
	g_assert_cmphex(v.ethertype, ==, PK_ETH_P_IPV4);
	g_assert_false(v.tagged);
	g_assert_cmpuint(v.n_tags, ==, 0);
	g_assert_cmpuint(v.vid, ==, 0);
	g_assert_cmpuint(v.l3_off, ==, PK_ETH_HLEN);
	g_assert_cmpuint(v.l3_len, ==, sizeof(eth_ip4_tcp_sack) - PK_ETH_HLEN);
	check_truncations(eth_ip4_tcp_sack, sizeof(eth_ip4_tcp_sack), PK_ETH_HLEN, parse_eth);
}

static void test_eth_vlan(void)
{
	struct pk_eth_view v = { 0 };

	g_assert_true(pk_eth_parse(vlan_ip6_tcp, sizeof(vlan_ip6_tcp), &v));
	g_assert_true(v.tagged);
	g_assert_cmpuint(v.n_tags, ==, 1);
	g_assert_cmphex(v.outer_tpid, ==, PK_ETH_P_VLAN);
	g_assert_cmpuint(v.vid, ==, 100);
	g_assert_cmpuint(v.pcp, ==, 3);
	g_assert_cmphex(v.ethertype, ==, PK_ETH_P_IPV6);
	g_assert_cmpuint(v.l3_off, ==, 18);
	check_truncations(vlan_ip6_tcp, sizeof(vlan_ip6_tcp), 18, parse_eth);
}

static void test_eth_qinq(void)
{
	g_autofree uint8_t *triple = NULL;
	struct pk_eth_view v = { 0 };

	g_assert_true(pk_eth_parse(qinq_arp, sizeof(qinq_arp), &v));
	g_assert_cmpuint(v.n_tags, ==, 2);
	g_assert_cmphex(v.outer_tpid, ==, PK_ETH_P_QINQ);
	g_assert_cmpuint(v.vid, ==, 100);
	g_assert_cmpuint(v.inner_vid, ==, 200);
	g_assert_cmphex(v.ethertype, ==, PK_ETH_P_ARP);
	g_assert_cmpuint(v.l3_off, ==, 22);
	g_assert_true(pk_eth_is_broadcast(v.dst));
	check_truncations(qinq_arp, sizeof(qinq_arp), 22, parse_eth);

	/* A third tag is refused. */
	triple = copy_of(qinq_arp, sizeof(qinq_arp), 0);
	pk_put_be16(triple + 20, PK_ETH_P_VLAN);
	g_assert_false(pk_eth_parse(triple, sizeof(qinq_arp), &v));
}

static void test_eth_addrs(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0xfe };
	static const uint8_t ucast[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const uint8_t almost[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
	uint8_t frame[14];

	g_assert_true(pk_eth_is_broadcast(bcast));
	g_assert_true(pk_eth_is_multicast(bcast));
	g_assert_true(pk_eth_is_multicast(mcast));
	g_assert_false(pk_eth_is_broadcast(mcast));
	g_assert_false(pk_eth_is_multicast(ucast));
	g_assert_false(pk_eth_is_broadcast(almost));

	memcpy(frame, eth_ip4_tcp_sack, sizeof(frame));
	pk_eth_swap_addrs(frame);
	g_assert_cmpmem(frame, 6, eth_ip4_tcp_sack + 6, 6);
	g_assert_cmpmem(frame + 6, 6, eth_ip4_tcp_sack, 6);
	g_assert_cmpmem(frame + 12, 2, eth_ip4_tcp_sack + 12, 2);
}

static void test_eth_vlan_push_pop(void)
{
	const uint32_t len = sizeof(eth_ip4_tcp_sack);
	struct pk_buf *b = pk_buf_alloc(len);
	struct pk_eth_view v = { 0 };
	const uint8_t *l3;
	uint32_t headroom;

	g_assert_nonnull(b);
	memcpy(pk_buf_data(b), eth_ip4_tcp_sack, len);
	l3 = pk_buf_data(b) + PK_ETH_HLEN;

	/* Nothing to pop on an untagged frame. */
	g_assert_false(pk_eth_vlan_pop(b));
	g_assert_cmpuint(pk_buf_len(b), ==, len);

	g_assert_true(pk_eth_vlan_push(b, PK_ETH_P_VLAN, (5u << PK_VLAN_PCP_SHIFT) | 42));
	g_assert_cmpuint(pk_buf_len(b), ==, len + PK_VLAN_HLEN);
	g_assert_true(pk_eth_parse(pk_buf_data(b), pk_buf_len(b), &v));
	g_assert_cmpuint(v.n_tags, ==, 1);
	g_assert_cmpuint(v.vid, ==, 42);
	g_assert_cmpuint(v.pcp, ==, 5);
	g_assert_cmphex(v.ethertype, ==, PK_ETH_P_IPV4);
	g_assert_cmpmem(v.dst, 12, eth_ip4_tcp_sack, 12);
	/* Zero-copy: the L3 packet has not moved. */
	g_assert_true(pk_buf_data(b) + v.l3_off == l3);

	/* Stack an S-tag on top: QinQ. */
	g_assert_true(pk_eth_vlan_push(b, PK_ETH_P_QINQ, 7));
	g_assert_true(pk_eth_parse(pk_buf_data(b), pk_buf_len(b), &v));
	g_assert_cmpuint(v.n_tags, ==, 2);
	g_assert_cmpuint(v.vid, ==, 7);
	g_assert_cmpuint(v.inner_vid, ==, 42);

	g_assert_true(pk_eth_vlan_pop(b));
	g_assert_true(pk_eth_vlan_pop(b));
	g_assert_false(pk_eth_vlan_pop(b));
	g_assert_cmpmem(pk_buf_data(b), pk_buf_len(b), eth_ip4_tcp_sack, len);
	g_assert_true(pk_buf_data(b) + PK_ETH_HLEN == l3);

	/* Without headroom the push fails and changes nothing. */
	headroom = pk_buf_headroom(b);
	g_assert_nonnull(pk_buf_push(b, headroom));
	memmove(pk_buf_data(b), pk_buf_data(b) + headroom, len);
	pk_buf_trim(b, len);
	g_assert_cmpuint(pk_buf_headroom(b), ==, 0);
	g_assert_false(pk_eth_vlan_push(b, PK_ETH_P_VLAN, 1));
	g_assert_cmpmem(pk_buf_data(b), pk_buf_len(b), eth_ip4_tcp_sack, len);

	/* Too short for a tag, or for a header at all. */
	pk_buf_trim(b, 17);
	pk_put_be16(pk_buf_data(b) + 12, PK_ETH_P_VLAN);
	g_assert_false(pk_eth_vlan_pop(b));
	pk_buf_trim(b, 13);
	g_assert_false(pk_eth_vlan_push(b, PK_ETH_P_VLAN, 1));
	pk_buf_unref(b);
}

static void test_arp(void)
{
	const uint8_t *arp = qinq_arp + 22;
	const uint32_t len = sizeof(qinq_arp) - 22;
	g_autofree uint8_t *bad = NULL;
	struct pk_arp_view v = { 0 };

	g_assert_true(pk_arp_parse(arp, len, &v));
	g_assert_cmpuint(v.op, ==, PK_ARP_OP_REQUEST);
	g_assert_cmpmem(v.sha, 6, qinq_arp + 6, 6);
	g_assert_true(v.spa == arp + 14);
	g_assert_true(v.tha == arp + 18);
	g_assert_cmpuint(v.tpa[0], ==, 198);
	g_assert_cmpuint(v.tpa[3], ==, 7);
	check_truncations(arp, len, PK_ARP_LEN, parse_arp);

	bad = copy_of(arp, len, 0);
	for (unsigned int i = 0; i < 6; i++) {
		memcpy(bad, arp, len);
		bad[i] ^= 0x10;	/* htype, ptype, hlen, plen */
		g_assert_false(pk_arp_parse(bad, len, &v));
	}
}

/* --- IPv4 ----------------------------------------------------------------- */

static void test_ip_version(void)
{
	static const uint8_t v4 = 0x45, v6 = 0x60, v5 = 0x50;

	g_assert_cmpuint(pk_ip_version(&v4, 1), ==, 4);
	g_assert_cmpuint(pk_ip_version(&v6, 1), ==, 6);
	g_assert_cmpuint(pk_ip_version(&v5, 1), ==, 0);
	g_assert_cmpuint(pk_ip_version(&v4, 0), ==, 0);
}

static void test_ip4_valid(void)
{
	const uint8_t *ip = eth_ip4_tcp_sack + 14;
	const uint32_t len = sizeof(eth_ip4_tcp_sack) - 14;
	g_autofree uint8_t *padded = copy_of(ip, len, 10);
	struct pk_ip4_view v = { 0 };

	g_assert_true(pk_ip4_parse(ip, len, &v));
	g_assert_cmpuint(v.hdr_len, ==, 20);
	g_assert_cmpuint(v.opts_len, ==, 0);
	g_assert_cmpuint(v.total_len, ==, len);
	g_assert_cmpuint(v.payload_len, ==, len - 20);
	g_assert_true(v.payload == ip + 20);
	g_assert_true(v.src == ip + 12);
	g_assert_true(v.dst == ip + 16);
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_TCP);
	g_assert_cmpuint(v.ttl, ==, 64);
	g_assert_cmphex(v.id, ==, 0x1c46);
	g_assert_true(v.df);
	g_assert_false(v.mf);
	g_assert_false(pk_ip4_is_fragment(&v));
	g_assert_true(pk_ip4_csum_ok(&v));
	check_truncations(ip, len, len, parse_ip4);

	/* Ethernet padding after the packet is not payload. */
	g_assert_true(pk_ip4_parse(padded, len + 10, &v));
	g_assert_cmpuint(v.payload_len, ==, len - 20);
	padded[15] ^= 0x20;
	g_assert_false(pk_ip4_csum_ok(&v));
}

static void test_ip4_options(void)
{
	const uint8_t *ip = eth_ip4_opts_icmp + 14;
	const uint32_t len = sizeof(eth_ip4_opts_icmp) - 14;
	struct pk_ip4_view v = { 0 };

	g_assert_true(pk_ip4_parse(ip, len, &v));
	g_assert_cmpuint(v.hdr_len, ==, 24);
	g_assert_cmpuint(v.opts_len, ==, 4);
	g_assert_cmphex(v.opts[0], ==, 0x94);	/* router alert */
	g_assert_true(v.payload == ip + 24);
	g_assert_true(pk_ip4_csum_ok(&v));
	check_truncations(ip, len, len, parse_ip4);
}

static void test_ip4_fragment(void)
{
	const uint8_t *ip = eth_ip4_frag + 14;
	struct pk_ip4_view v = { 0 };

	g_assert_true(pk_ip4_parse(ip, sizeof(eth_ip4_frag) - 14, &v));
	g_assert_true(v.mf);
	g_assert_false(v.df);
	g_assert_cmpuint(v.frag_off, ==, 185 * 8);
	g_assert_true(pk_ip4_is_fragment(&v));
}

static void test_ip4_malformed(void)
{
	const uint8_t *ip = eth_ip4_tcp_sack + 14;
	const uint32_t len = sizeof(eth_ip4_tcp_sack) - 14;
	g_autofree uint8_t *p = copy_of(ip, len, 0);
	struct pk_ip4_view v = { 0 };

	p[0] = 0x65;			/* version 6 */
	g_assert_false(pk_ip4_parse(p, len, &v));
	p[0] = 0x44;			/* IHL 4 */
	g_assert_false(pk_ip4_parse(p, len, &v));
	p[0] = 0x40;			/* IHL 0 */
	g_assert_false(pk_ip4_parse(p, len, &v));
	p[0] = 0x4f;			/* IHL 15: 60 bytes > total length 77? no: */
	g_assert_true(pk_ip4_parse(p, len, &v));	/* ... 60 <= 77 <= 77 is fine */
	g_assert_cmpuint(v.opts_len, ==, 40);
	g_assert_false(pk_ip4_parse(p, 59, &v));	/* header beyond the buffer */
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)(len + 1));	/* total length > buffer */
	g_assert_false(pk_ip4_parse(p, len, &v));
	pk_put_be16(p + 2, 19);			/* total length < header */
	g_assert_false(pk_ip4_parse(p, len, &v));
	pk_put_be16(p + 2, 20);			/* header only */
	g_assert_true(pk_ip4_parse(p, len, &v));
	g_assert_cmpuint(v.payload_len, ==, 0);
	p[0] = 0x46;			/* IHL 6 > total length 20 */
	g_assert_false(pk_ip4_parse(p, len, &v));
}

/* --- IPv6 ----------------------------------------------------------------- */

static void test_ip6_plain(void)
{
	const uint8_t *ip = vlan_ip6_tcp + 18;
	const uint32_t len = sizeof(vlan_ip6_tcp) - 18;
	g_autofree uint8_t *padded = copy_of(ip, len, 6);
	struct pk_ip6_view v = { 0 };
	struct pk_tcp_view t = { 0 };

	g_assert_true(pk_ip6_parse(ip, len, &v));
	g_assert_cmpuint(v.payload_len, ==, len - 40);
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_TCP);
	g_assert_cmpuint(v.next_hdr, ==, PK_IPPROTO_TCP);
	g_assert_cmpuint(v.n_ext, ==, 0);
	g_assert_cmpuint(v.l4_off, ==, 40);
	g_assert_cmpuint(v.l4_len, ==, len - 40);
	g_assert_cmphex(v.flow_label, ==, 0x12345);
	g_assert_cmpuint(v.tclass, ==, 0);
	g_assert_cmpuint(v.hop_limit, ==, 64);
	g_assert_true(v.src == ip + 8);
	g_assert_true(v.dst == ip + 24);
	g_assert_false(pk_ip6_is_fragment(&v));
	g_assert_true(pk_tcp_parse(v.l4, v.l4_len, &t));
	g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
	check_truncations(ip, len, len, parse_ip6);

	g_assert_true(pk_ip6_parse(padded, len + 6, &v));
	g_assert_cmpuint(v.l4_len, ==, len - 40);
}

static void test_ip6_ext_chain(void)
{
	const uint8_t *ip = eth_ip6_ext_udp + 14;
	const uint32_t len = sizeof(eth_ip6_ext_udp) - 14;
	struct pk_ip6_view v = { 0 };
	struct pk_udp_view u = { 0 };

	g_assert_true(pk_ip6_parse(ip, len, &v));
	g_assert_cmpuint(v.next_hdr, ==, PK_IPPROTO_HOPOPTS);
	g_assert_cmpuint(v.n_ext, ==, 3);
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_UDP);
	g_assert_cmpuint(v.l4_off, ==, 40 + 24);
	g_assert_cmpuint(v.l4_len, ==, 12);
	g_assert_true(v.frag);
	g_assert_true(v.frag_more);
	g_assert_cmpuint(v.frag_off, ==, 0);
	g_assert_cmphex(v.frag_id, ==, 0xcafe);
	g_assert_false(v.routing);
	g_assert_true(pk_udp_parse(v.l4, v.l4_len, &u));
	g_assert_cmpuint(u.dport, ==, 547);
	check_truncations(ip, len, len, parse_ip6);
}

static void test_ip6_later_fragment(void)
{
	const uint8_t *ip = eth_ip6_frag_later + 14;
	const uint32_t len = sizeof(eth_ip6_frag_later) - 14;
	struct pk_ip6_view v = { 0 };

	g_assert_true(pk_ip6_parse(ip, len, &v));
	g_assert_cmpuint(v.n_ext, ==, 1);
	g_assert_true(pk_ip6_is_fragment(&v));
	g_assert_cmpuint(v.frag_off, ==, 64);
	g_assert_false(v.frag_more);
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_UDP);
	g_assert_cmpuint(v.l4_off, ==, 48);
	g_assert_cmpuint(v.l4_len, ==, 16);
	check_truncations(ip, len, len, parse_ip6);
}

static void test_ip6_routing_ah(void)
{
	const uint8_t *ip = eth_ip6_rh_ah_tcp + 14;
	const uint32_t len = sizeof(eth_ip6_rh_ah_tcp) - 14;
	struct pk_ip6_view v = { 0 };
	struct pk_tcp_view t = { 0 };

	g_assert_true(pk_ip6_parse(ip, len, &v));
	g_assert_cmpuint(v.n_ext, ==, 2);
	g_assert_true(v.routing);
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_TCP);
	g_assert_cmpuint(v.l4_off, ==, 40 + 24 + 24);	/* AH: (4 + 2) * 4 bytes */
	g_assert_true(pk_tcp_parse(v.l4, v.l4_len, &t));
	g_assert_cmpuint(t.sport, ==, 1);
	/* The routing header's only (final) address equals the fixed header's. */
	g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
	check_truncations(ip, len, len, parse_ip6);
}

/* An IPv6 packet with @n destination-options headers of 8 bytes, then 8 bytes of UDP. */
static uint32_t make_ip6_dstopts(uint8_t *buf, unsigned int n)
{
	uint32_t plen = 8 * n + 8;

	memset(buf, 0, 40 + plen);
	buf[0] = 0x60;
	pk_put_be16(buf + 4, (uint16_t)plen);
	buf[6] = n ? PK_IPPROTO_DSTOPTS : PK_IPPROTO_UDP;
	buf[7] = 64;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *h = buf + 40 + 8 * i;

		h[0] = i + 1 < n ? PK_IPPROTO_DSTOPTS : PK_IPPROTO_UDP;
		h[2] = 1;	/* PadN, 4 bytes */
		h[3] = 4;
	}
	pk_put_be16(buf + 40 + 8 * n + 4, 8);
	return 40 + plen;
}

static void test_ip6_too_many(void)
{
	uint8_t buf[40 + 8 * 12 + 8];
	struct pk_ip6_view v = { 0 };
	uint32_t len;

	for (unsigned int n = 0; n <= PK_IP6_MAX_EXT; n++) {
		len = make_ip6_dstopts(buf, n);
		g_assert_true(pk_ip6_parse(buf, len, &v));
		g_assert_cmpuint(v.n_ext, ==, n);
		g_assert_cmpuint(v.proto, ==, PK_IPPROTO_UDP);
		g_assert_cmpuint(v.l4_len, ==, 8);
	}
	for (unsigned int n = PK_IP6_MAX_EXT + 1; n <= 12; n++) {
		len = make_ip6_dstopts(buf, n);
		g_assert_false(pk_ip6_parse(buf, len, &v));
	}
	len = make_ip6_dstopts(buf, PK_IP6_MAX_EXT);
	check_truncations(buf, len, len, parse_ip6);
}

static void test_ip6_malformed(void)
{
	uint8_t buf[40 + 8 * 4 + 8];
	uint32_t len = make_ip6_dstopts(buf, 3);
	struct pk_ip6_view v = { 0 };

	g_assert_true(pk_ip6_parse(buf, len, &v));

	/* Hop-by-hop as the second extension header. */
	buf[40] = PK_IPPROTO_HOPOPTS;
	g_assert_false(pk_ip6_parse(buf, len, &v));

	/* Two fragment headers, both with offset 0. */
	len = make_ip6_dstopts(buf, 3);
	buf[6] = PK_IPPROTO_FRAGMENT;
	buf[40] = PK_IPPROTO_FRAGMENT;
	memset(buf + 40 + 2, 0, 2);
	memset(buf + 48 + 2, 0, 2);
	g_assert_false(pk_ip6_parse(buf, len, &v));
	buf[40] = PK_IPPROTO_DSTOPTS;	/* one is fine */
	g_assert_true(pk_ip6_parse(buf, len, &v));
	g_assert_true(v.frag);
	g_assert_cmpuint(v.n_ext, ==, 3);

	/* An extension header longer than the payload. */
	len = make_ip6_dstopts(buf, 3);
	buf[40 + 16 + 1] = 2;	/* third header claims 24 bytes */
	g_assert_false(pk_ip6_parse(buf, len, &v));

	/* A header that fits in the buffer but not in the payload length. */
	len = make_ip6_dstopts(buf, 3);
	pk_put_be16(buf + 4, 8 * 3 - 1);
	g_assert_false(pk_ip6_parse(buf, len, &v));

	/* Fewer than 8 bytes left for the next extension header. */
	pk_put_be16(buf + 4, 8 * 2 + 4);
	g_assert_false(pk_ip6_parse(buf, len, &v));

	/* Payload length beyond the buffer; wrong version. */
	len = make_ip6_dstopts(buf, 3);
	pk_put_be16(buf + 4, (uint16_t)(len - 40 + 1));
	g_assert_false(pk_ip6_parse(buf, len, &v));
	len = make_ip6_dstopts(buf, 3);
	buf[0] = 0x40;
	g_assert_false(pk_ip6_parse(buf, len, &v));

	/* ESP ends the walk: its contents are opaque. */
	len = make_ip6_dstopts(buf, 1);
	buf[40] = PK_IPPROTO_ESP;
	g_assert_true(pk_ip6_parse(buf, len, &v));
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_ESP);
	g_assert_cmpuint(v.l4_off, ==, 48);
}

static void test_ip6_dec_hop_limit(void)
{
	uint8_t buf[48];

	make_ip6_dstopts(buf, 0);
	g_assert_true(pk_ip6_dec_hop_limit(buf));
	g_assert_cmpuint(buf[7], ==, 63);
	buf[7] = 1;
	g_assert_false(pk_ip6_dec_hop_limit(buf));
	g_assert_cmpuint(buf[7], ==, 1);
}

/* --- UDP, TCP, ICMP ---------------------------------------------------------- */

static void test_udp(void)
{
	const uint8_t *ip = eth_ip6_ext_udp + 14;
	struct pk_ip6_view v = { 0 };
	struct pk_udp_view u = { 0 };
	g_autofree uint8_t *p = NULL;

	g_assert_true(pk_ip6_parse(ip, sizeof(eth_ip6_ext_udp) - 14, &v));
	g_assert_true(pk_udp_parse(v.l4, v.l4_len, &u));
	g_assert_cmpuint(u.sport, ==, 546);
	g_assert_cmpuint(u.dport, ==, 547);
	g_assert_cmpuint(u.len, ==, 12);
	g_assert_cmpuint(u.payload_len, ==, 4);
	g_assert_true(u.payload == v.l4 + 8);
	check_truncations(v.l4, v.l4_len, 12, parse_udp);

	p = copy_of(v.l4, v.l4_len, 4);
	g_assert_true(pk_udp_parse(p, v.l4_len + 4, &u));	/* trailing bytes ignored */
	g_assert_cmpuint(u.payload_len, ==, 4);
	pk_put_be16(p + 4, 7);
	g_assert_false(pk_udp_parse(p, v.l4_len + 4, &u));
	pk_put_be16(p + 4, 0);
	g_assert_false(pk_udp_parse(p, v.l4_len + 4, &u));
	pk_put_be16(p + 4, 8);
	g_assert_true(pk_udp_parse(p, v.l4_len + 4, &u));
	g_assert_cmpuint(u.payload_len, ==, 0);
	pk_put_be16(p + 4, (uint16_t)(v.l4_len + 5));
	g_assert_false(pk_udp_parse(p, v.l4_len + 4, &u));
}

static const uint8_t *tcp_of(const uint8_t *frame, uint32_t frame_len, uint32_t *len)
{
	struct pk_ip4_view ip = { 0 };

	g_assert_true(pk_ip4_parse(frame + 14, frame_len - 14, &ip));
	*len = ip.payload_len;
	return ip.payload;
}

static void test_tcp_header(void)
{
	uint32_t len;
	const uint8_t *seg = tcp_of(eth_ip4_tcp_sack, sizeof(eth_ip4_tcp_sack), &len);
	g_autofree uint8_t *p = copy_of(seg, len, 0);
	struct pk_tcp_view t = { 0 };

	g_assert_true(pk_tcp_parse(seg, len, &t));
	g_assert_cmpuint(t.sport, ==, 80);
	g_assert_cmpuint(t.dport, ==, 40001);
	g_assert_cmpuint(t.seq, ==, 5000);
	g_assert_cmpuint(t.ack, ==, 2);
	g_assert_cmphex(t.flags, ==, PK_TCP_ACK);
	g_assert_cmpuint(t.window, ==, 65535);
	g_assert_cmphex(t.csum, ==, 0x3712);
	g_assert_cmpuint(t.hdr_len, ==, 52);
	g_assert_cmpuint(t.opts_len, ==, 32);
	g_assert_cmpuint(t.payload_len, ==, 5);
	g_assert_cmpmem(t.payload, t.payload_len, "hello", 5);
	check_truncations(seg, len, 52, parse_tcp);

	p[12] = 0x40;	/* data offset 4 */
	g_assert_false(pk_tcp_parse(p, len, &t));
	p[12] = 0xf0;	/* data offset 15: 60 bytes > 57 */
	g_assert_false(pk_tcp_parse(p, len, &t));
	p[12] = 0x50;
	g_assert_true(pk_tcp_parse(p, len, &t));
	g_assert_cmpuint(t.opts_len, ==, 0);
}

static void test_tcp_opts_syn(void)
{
	uint32_t len;
	const uint8_t *seg = tcp_of(eth_ip4_tcp_syn, sizeof(eth_ip4_tcp_syn), &len);
	struct pk_tcp_view t = { 0 };
	struct pk_tcp_opts o = { 0 };

	g_assert_true(pk_tcp_parse(seg, len, &t));
	g_assert_cmphex(t.flags, ==, PK_TCP_SYN);
	g_assert_true(pk_tcp_opts_parse(&t, &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM |
			PK_TCP_HAS_TIMESTAMP | PK_TCP_HAS_WSCALE);
	g_assert_cmpuint(o.mss, ==, 1460);
	g_assert_cmpuint(o.wscale, ==, 7);
	g_assert_cmpuint(o.ts_val, ==, 123456);
	g_assert_cmpuint(o.ts_ecr, ==, 0);
	g_assert_cmpuint(o.n_sack, ==, 0);
}

static void test_tcp_opts_sack(void)
{
	uint32_t len;
	const uint8_t *seg = tcp_of(eth_ip4_tcp_sack, sizeof(eth_ip4_tcp_sack), &len);
	struct pk_tcp_view t = { 0 };
	struct pk_tcp_opts o = { 0 };
	struct pk_tcp_opt_iter it = { 0 };
	struct pk_tcp_opt opt = { 0 };
	unsigned int n = 0;

	g_assert_true(pk_tcp_parse(seg, len, &t));
	g_assert_true(pk_tcp_opts_parse(&t, &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_SACK | PK_TCP_HAS_TIMESTAMP);
	g_assert_cmpuint(o.ts_val, ==, 123457);
	g_assert_cmpuint(o.ts_ecr, ==, 2);
	g_assert_cmpuint(o.n_sack, ==, 2);
	g_assert_cmpuint(o.sack[0].left, ==, 1000);
	g_assert_cmpuint(o.sack[0].right, ==, 2000);
	g_assert_cmpuint(o.sack[1].left, ==, 3000);
	g_assert_cmpuint(o.sack[1].right, ==, 4000);

	/* The raw iterator sees the two options with length bytes, no NOPs. */
	pk_tcp_opt_iter_init(&it, &t);
	while (pk_tcp_opt_next(&it, &opt)) {
		g_assert_cmpuint(opt.kind, ==, n == 0 ? PK_TCP_OPT_TIMESTAMP : PK_TCP_OPT_SACK);
		g_assert_cmpuint(opt.data_len, ==, opt.len - 2);
		n++;
	}
	g_assert_cmpuint(n, ==, 2);
	g_assert_false(it.malformed);
	g_assert_false(pk_tcp_opt_next(&it, &opt));	/* stays ended */
}

/* Parse @n bytes of options from an exact-size copy. */
static bool opts_parse(const uint8_t *opts, uint32_t n, struct pk_tcp_opts *o)
{
	g_autofree uint8_t *copy = g_malloc(n ? n : 1);
	struct pk_tcp_view t = { 0 };

	if (n)
		memcpy(copy, opts, n);
	t.opts = copy;
	t.opts_len = n;
	return pk_tcp_opts_parse(&t, o);
}

static void test_tcp_opts_malformed(void)
{
	static const uint8_t len0[] = { 0x02, 0x00, 0x05, 0xb4 };
	static const uint8_t len1[] = { 0x02, 0x04, 0x05, 0xb4, 0x03, 0x01, 0x00, 0x00 };
	static const uint8_t overrun[] = { 0x02, 0x04, 0x05, 0xb4, 0x08, 0x0a, 0x00, 0x01 };
	static const uint8_t lone_kind[] = { 0x01, 0x01, 0x01, 0x03 };
	static const uint8_t eol[] = { 0x00, 0x02, 0x04, 0x05 };
	static const uint8_t wrong_len[] = { 0x02, 0x03, 0x05, 0x03, 0x03, 0x0f, 0x00, 0x00 };
	static const uint8_t sack_odd[] = { 0x05, 0x06, 0, 0, 0, 1, 0x04, 0x02 };
	static const uint8_t unknown[] = { 0xfe, 0x04, 0xab, 0xcd, 0x02, 0x04, 0x02, 0x18 };
	uint8_t sack5[2 + 5 * 8] = { PK_TCP_OPT_SACK, 2 + 5 * 8 };
	struct pk_tcp_opts o = { 0 };

	g_assert_false(opts_parse(len0, sizeof(len0), &o));
	g_assert_cmphex(o.present, ==, 0);

	g_assert_false(opts_parse(len1, sizeof(len1), &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_MSS);	/* what came before is kept */

	g_assert_false(opts_parse(overrun, sizeof(overrun), &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_MSS);

	g_assert_false(opts_parse(lone_kind, sizeof(lone_kind), &o));
	g_assert_cmphex(o.present, ==, 0);

	g_assert_true(opts_parse(eol, sizeof(eol), &o));
	g_assert_cmphex(o.present, ==, 0);

	/* Known options with the wrong length are skipped; wscale is clamped. */
	g_assert_true(opts_parse(wrong_len, sizeof(wrong_len), &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_WSCALE);
	g_assert_cmpuint(o.wscale, ==, PK_TCP_MAX_WSCALE);

	g_assert_true(opts_parse(sack_odd, sizeof(sack_odd), &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_SACK_PERM);

	g_assert_true(opts_parse(sack5, sizeof(sack5), &o));	/* more blocks than fit */
	g_assert_cmphex(o.present, ==, 0);

	g_assert_true(opts_parse(unknown, sizeof(unknown), &o));
	g_assert_cmphex(o.present, ==, PK_TCP_HAS_MSS);
	g_assert_cmpuint(o.mss, ==, 0x218);

	g_assert_true(opts_parse(NULL, 0, &o));
	g_assert_cmphex(o.present, ==, 0);

	/* Every truncation of a valid options area parses without reading past it. */
	for (uint32_t n = 0; n <= sizeof(unknown); n++)
		opts_parse(unknown, n, &o);
}

static void test_icmp(void)
{
	struct pk_ip4_view ip = { 0 };
	struct pk_icmp_view ic = { 0 };

	g_assert_true(pk_ip4_parse(eth_ip4_opts_icmp + 14, sizeof(eth_ip4_opts_icmp) - 14, &ip));
	g_assert_cmpuint(ip.proto, ==, PK_IPPROTO_ICMP);
	g_assert_true(pk_icmp_parse(ip.payload, ip.payload_len, &ic));
	g_assert_cmpuint(ic.type, ==, PK_ICMP_ECHO_REQUEST);
	g_assert_cmpuint(ic.code, ==, 0);
	g_assert_cmpuint(ic.id, ==, 7);
	g_assert_cmpuint(ic.seq, ==, 1);
	g_assert_true(ic.rest == ip.payload + 4);
	g_assert_cmpuint(ic.body_len, ==, 16);
	g_assert_cmpmem(ic.body, 4, "ping", 4);
	g_assert_true(pk_csum_ok(ip.payload, ip.payload_len, 0));
	check_truncations(ip.payload, ip.payload_len, PK_ICMP_HLEN, parse_icmp);
}

static void test_icmp6(void)
{
	struct pk_ip6_view ip = { 0 };
	struct pk_icmp_view ic = { 0 };

	g_assert_true(pk_ip6_parse(eth_ip6_icmp6_ns + 14, sizeof(eth_ip6_icmp6_ns) - 14, &ip));
	g_assert_cmpuint(ip.proto, ==, PK_IPPROTO_ICMPV6);
	g_assert_true(pk_icmp6_parse(ip.l4, ip.l4_len, &ic));
	g_assert_cmpuint(ic.type, ==, PK_ICMP6_NEIGHBOR_SOLICIT);
	g_assert_cmpuint(ic.body_len, ==, 24);
	g_assert_cmpmem(ic.body, 16, ip.dst, 16);	/* target address */
	g_assert_true(pk_csum_ok(ip.l4, ip.l4_len, pk_ip6_pseudo(&ip)));
	g_assert_false(pk_csum_ok(ip.l4, ip.l4_len, 0));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/views/eth/untagged", test_eth_untagged);
	g_test_add_func("/net/views/eth/vlan", test_eth_vlan);
	g_test_add_func("/net/views/eth/qinq", test_eth_qinq);
	g_test_add_func("/net/views/eth/addrs", test_eth_addrs);
	g_test_add_func("/net/views/eth/vlan-push-pop", test_eth_vlan_push_pop);
	g_test_add_func("/net/views/arp", test_arp);
	g_test_add_func("/net/views/ip/version", test_ip_version);
	g_test_add_func("/net/views/ip4/valid", test_ip4_valid);
	g_test_add_func("/net/views/ip4/options", test_ip4_options);
	g_test_add_func("/net/views/ip4/fragment", test_ip4_fragment);
	g_test_add_func("/net/views/ip4/malformed", test_ip4_malformed);
	g_test_add_func("/net/views/ip6/plain", test_ip6_plain);
	g_test_add_func("/net/views/ip6/ext-chain", test_ip6_ext_chain);
	g_test_add_func("/net/views/ip6/later-fragment", test_ip6_later_fragment);
	g_test_add_func("/net/views/ip6/routing-ah", test_ip6_routing_ah);
	g_test_add_func("/net/views/ip6/too-many", test_ip6_too_many);
	g_test_add_func("/net/views/ip6/malformed", test_ip6_malformed);
	g_test_add_func("/net/views/ip6/dec-hop-limit", test_ip6_dec_hop_limit);
	g_test_add_func("/net/views/udp", test_udp);
	g_test_add_func("/net/views/tcp/header", test_tcp_header);
	g_test_add_func("/net/views/tcp/opts-syn", test_tcp_opts_syn);
	g_test_add_func("/net/views/tcp/opts-sack", test_tcp_opts_sack);
	g_test_add_func("/net/views/tcp/opts-malformed", test_tcp_opts_malformed);
	g_test_add_func("/net/views/icmp", test_icmp);
	g_test_add_func("/net/views/icmp6", test_icmp6);
	return g_test_run();
}
