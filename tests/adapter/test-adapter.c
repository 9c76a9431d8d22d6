// SPDX-License-Identifier: MIT
/* test-adapter.c - l3.adapter through a graph: ARP, NDP, framing, routing, DHCP client, bad input */
#include <string.h>
#include <arpa/inet.h>
#include <pktkit/toolkit/dhcp.h>
#include <pktkit/embed/graph.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/embed/testing.h>

#include "adapter.h"
#include "ndp.h"
#include "offload-test.h"

#define SEC PK_NSEC_PER_SEC

static const uint8_t AD_MAC[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const uint8_t PEER_MAC[6] = { 0x02, 0xbb, 0, 0, 0, 9 };
static const uint8_t SRV_MAC[6] = { 0x02, 0xcc, 0, 0, 0, 1 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct fx {
	struct pk_graph *g;
	struct pk_dev *ad, *ipp, *ethp;
};

static struct pk_registry *registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		if (!pk_registry_lookup(reg, "l3.adapter"))
			g_error("pk-adapter.so not found: is PKTKIT_MODULE_PATH set (meson test)?");
		offload_test_register(reg);
	}
	return reg;
}

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

/* Pipes first, so that the adapter stops first (its RELEASE still reaches a pipe). */
static void fx_setup_keep(struct fx *f, const char *params, bool keep)
{
	GError *error = NULL;

	f->g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	f->ipp = add_dev(f->g, "ipp", "core.pipe-l3", "{\"capacity\": 1024}");
	f->ethp = add_dev(f->g, "ethp", "core.pipe-l2", "{\"capacity\": 1024}");
	f->ad = add_dev(f->g, "ad", "l3.adapter", params);
	g_assert_true(pk_graph_link(f->g, "ipp", "ad.ip", &error));
	g_assert_true(pk_graph_link(f->g, "ethp", "ad.eth", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	if (!keep)
		pk_pipe_clear(f->ethp);	/* announcements */
}

static void fx_setup(struct fx *f, const char *params)
{
	fx_setup_keep(f, params, false);
}

static void fx_teardown(struct fx *f)
{
	struct pk_buf_stats st;

	pk_graph_free(f->g);
	pk_buf_pool_stats(&st);
	g_assert_cmpint(st.allocated, ==, 0);
}

static uint64_t ctr(struct fx *f, const char *name)
{
	return pk_dev_counter(f->ad, name);
}

/* The adapter's status (a new reference). */
static GVariant *status(struct fx *f)
{
	GError *error = NULL;
	GVariant *v = pk_graph_device_status(f->g, "ad", &error);

	g_assert_no_error(error);
	return v;
}

/* Whether the status shows a DHCP lease. */
static bool leased(struct fx *f)
{
	g_autoptr(GVariant) v = status(f);
	uint64_t left;

	return g_variant_lookup(v, "lease-expires-in", "t", &left);
}

/* The addresses table as "address origin" lines joined by ", ". */
static char *status_table(struct fx *f, const char *table)
{
	g_autoptr(GVariant) v = status(f);
	g_autoptr(GVariant) rows = g_variant_lookup_value(v, table, G_VARIANT_TYPE("aa{sv}"));
	GString *out = g_string_new(NULL);

	g_assert_nonnull(rows);
	for (gsize i = 0; i < g_variant_n_children(rows); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, i);
		const char *addr, *origin;

		g_assert_true(g_variant_lookup(row, "address", "&s", &addr));
		g_assert_true(g_variant_lookup(row, "origin", "&s", &origin));
		g_string_append_printf(out, "%s%s %s", i ? ", " : "", addr, origin);
	}
	return g_string_free(out, FALSE);
}

static uint32_t ip4_pkt(uint8_t *buf, const char *src, const char *dst, uint32_t payload)
{
	uint32_t total = 20 + payload;

	memset(buf, 0, total);
	buf[0] = 0x45;
	pk_put_be16(buf + 2, (uint16_t)total);
	buf[8] = 64;
	buf[9] = PK_IPPROTO_UDP;
	g_assert_cmpint(inet_pton(AF_INET, src, buf + 12), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, dst, buf + 16), ==, 1);
	pk_ip4_csum_fill(buf, 20);
	for (uint32_t i = 0; i < payload; i++)
		buf[20 + i] = (uint8_t)i;
	return total;
}

static uint32_t ip6_pkt(uint8_t *buf, const char *src, const char *dst, uint32_t payload)
{
	memset(buf, 0, 40 + payload);
	buf[0] = 0x60;
	pk_put_be16(buf + 4, (uint16_t)payload);
	buf[6] = PK_IPPROTO_UDP;
	buf[7] = 64;
	g_assert_cmpint(inet_pton(AF_INET6, src, buf + 8), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET6, dst, buf + 24), ==, 1);
	return 40 + payload;
}

static void ip4(const char *s, uint8_t out[4])
{
	g_assert_cmpint(inet_pton(AF_INET, s, out), ==, 1);
}

static void ip6(const char *s, uint8_t out[16])
{
	g_assert_cmpint(inet_pton(AF_INET6, s, out), ==, 1);
}

/* Pop one frame; assert it is an ARP @op; return target/sender protocol addresses. */
static void pop_arp(struct fx *f, uint16_t op, const uint8_t *eth_dst, const char *spa,
		    const char *tpa)
{
	struct pk_buf *b = pk_pipe_pop(f->ethp);
	struct pk_arp_view v = { 0 };
	uint8_t a[4];

	g_assert_nonnull(b);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(b) + 12), ==, PK_ETH_P_ARP);
	g_assert_cmpmem(pk_buf_data(b), 6, eth_dst, 6);
	g_assert_cmpmem(pk_buf_data(b) + 6, 6, AD_MAC, 6);
	g_assert_true(pk_arp_parse(pk_buf_data(b) + 14, pk_buf_len(b) - 14, &v));
	g_assert_cmpuint(v.op, ==, op);
	g_assert_cmpmem(v.sha, 6, AD_MAC, 6);
	ip4(spa, a);
	g_assert_cmpmem(v.spa, 4, a, 4);
	ip4(tpa, a);
	g_assert_cmpmem(v.tpa, 4, a, 4);
	pk_buf_unref(b);
}

static void inject_arp(struct fx *f, uint16_t op, const uint8_t *sha, const char *spa,
		       const uint8_t *tha, const char *tpa, const uint8_t *eth_dst)
{
	uint8_t fr[ARP_FRAME_LEN], s[4], t[4];

	ip4(spa, s);
	ip4(tpa, t);
	arp_build(fr, op, eth_dst, sha, s, tha, t);
	g_assert_true(pk_pipe_inject(f->ethp, fr, sizeof(fr)));
}

/* Pop one frame carrying IP; check MACs and EtherType, and that it carries @pkt. */
static void pop_ip_frame(struct fx *f, const uint8_t *dst_mac, uint16_t type, const uint8_t *pkt,
			 uint32_t len)
{
	struct pk_buf *b = pk_pipe_pop(f->ethp);

	g_assert_nonnull(b);
	g_assert_cmpuint(pk_buf_len(b), ==, len + 14);
	g_assert_cmpmem(pk_buf_data(b), 6, dst_mac, 6);
	g_assert_cmpmem(pk_buf_data(b) + 6, 6, AD_MAC, 6);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(b) + 12), ==, type);
	g_assert_cmpmem(pk_buf_data(b) + 14, len, pkt, len);
	pk_buf_unref(b);
}

#define V4_PARAMS "{\"mac\": \"02:aa:00:00:00:01\", \"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, " \
		  "{\"prefix\": \"fd00::2/64\"}]"

/* ARP ---------------------------------------------------------------------- */

static void test_arp_retransmit_then_drop(void)
{
	struct fx f;
	uint8_t pkt[64];
	uint32_t n;

	fx_setup(&f, V4_PARAMS ", \"icmp-unreachable\": true}");
	n = ip4_pkt(pkt, "10.0.0.2", "10.0.0.9", 20);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.9");
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	pk_graph_clock_advance(f.g, SEC - 1);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	pk_graph_clock_advance(f.g, 1);
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.9");
	pk_graph_clock_advance(f.g, SEC);
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.9");
	g_assert_cmpuint(ctr(&f, "dropped-unresolved"), ==, 0);
	pk_graph_clock_advance(f.g, SEC);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	g_assert_cmpuint(ctr(&f, "arp-requests-sent"), ==, 3);
	g_assert_cmpuint(ctr(&f, "dropped-unresolved"), ==, 1);
	g_assert_cmpuint(ctr(&f, "resolve-failed"), ==, 1);
	/* ICMP host unreachable back to the sender on "ip". */
	{
		struct pk_buf *b = pk_pipe_pop(f.ipp);
		struct pk_ip4_view v = { 0 };

		g_assert_nonnull(b);
		g_assert_true(pk_ip4_parse(pk_buf_data(b), pk_buf_len(b), &v));
		g_assert_true(pk_ip4_csum_ok(&v));
		g_assert_cmpuint(v.proto, ==, PK_IPPROTO_ICMP);
		g_assert_cmpuint(v.payload[0], ==, 3);
		g_assert_cmpuint(v.payload[1], ==, 1);
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, 0));
		g_assert_cmpmem(v.payload + 8, 28, pkt, 28);
		pk_buf_unref(b);
	}
	g_assert_cmpuint(ctr(&f, "icmp-unreachable-sent"), ==, 1);
	/* Nothing more happens later. */
	pk_graph_clock_advance(f.g, 10 * SEC);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	fx_teardown(&f);
}

static void test_arp_resolve_and_queue_bound(void)
{
	struct fx f;
	uint8_t pkt[64];
	uint32_t n;

	fx_setup(&f, V4_PARAMS ", \"pending-max\": 4}");
	n = ip4_pkt(pkt, "10.0.0.2", "10.0.0.9", 20);
	for (int i = 0; i < 6; i++)
		g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	g_assert_cmpuint(ctr(&f, "dropped-pending-full"), ==, 2);
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.9");
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);	/* one request only */
	inject_arp(&f, PK_ARP_OP_REPLY, PEER_MAC, "10.0.0.9", AD_MAC, "10.0.0.2", AD_MAC);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 4);
	for (int i = 0; i < 4; i++)
		pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV4, pkt, n);
	/* Resolved: the next one goes straight out, no retransmission later. */
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV4, pkt, n);
	pk_graph_clock_advance(f.g, 5 * SEC);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	g_assert_cmpuint(ctr(&f, "neighbours-learned"), ==, 1);
	fx_teardown(&f);
}

static void test_arp_reply_and_policy(void)
{
	static const uint8_t EVIL[6] = { 0x02, 0xee, 0, 0, 0, 6 };
	struct fx f;
	uint8_t pkt[64];
	uint32_t n;

	fx_setup(&f, V4_PARAMS "}");
	/* A request for our address is answered and its sender learned. */
	inject_arp(&f, PK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", (const uint8_t[6]){ 0 }, "10.0.0.2",
		   BCAST);
	pop_arp(&f, PK_ARP_OP_REPLY, PEER_MAC, "10.0.0.2", "10.0.0.9");
	g_assert_cmpuint(ctr(&f, "arp-replies-sent"), ==, 1);
	/* A request for someone else: no reply. */
	inject_arp(&f, PK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", (const uint8_t[6]){ 0 }, "10.0.0.7",
		   BCAST);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	/* Gratuitous ARP and an unsolicited reply cannot move 10.0.0.9. */
	inject_arp(&f, PK_ARP_OP_REQUEST, EVIL, "10.0.0.9", (const uint8_t[6]){ 0 }, "10.0.0.9",
		   BCAST);
	inject_arp(&f, PK_ARP_OP_REPLY, EVIL, "10.0.0.9", BCAST, "10.0.0.9", BCAST);
	n = ip4_pkt(pkt, "10.0.0.2", "10.0.0.9", 8);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV4, pkt, n);
	/* Someone claiming our address is counted, not learned. */
	inject_arp(&f, PK_ARP_OP_REPLY, EVIL, "10.0.0.2", AD_MAC, "10.0.0.2", AD_MAC);
	g_assert_cmpuint(ctr(&f, "address-conflicts"), ==, 1);
	/* Frames for other MACs are not ours. */
	inject_arp(&f, PK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", (const uint8_t[6]){ 0 }, "10.0.0.2",
		   EVIL);
	g_assert_cmpuint(ctr(&f, "dropped-not-for-us"), ==, 1);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	fx_teardown(&f);
}

static void test_arp_cache_ttl(void)
{
	struct fx f;
	uint8_t pkt[64];
	uint32_t n;

	fx_setup(&f, V4_PARAMS ", \"cache-ttl\": \"10s\"}");
	n = ip4_pkt(pkt, "10.0.0.2", "10.0.0.9", 8);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.9");
	inject_arp(&f, PK_ARP_OP_REPLY, PEER_MAC, "10.0.0.9", AD_MAC, "10.0.0.2", AD_MAC);
	pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV4, pkt, n);
	pk_graph_clock_advance(f.g, 9 * SEC);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV4, pkt, n);
	pk_graph_clock_advance(f.g, 2 * SEC);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.9");
	fx_teardown(&f);
}

static void test_gratuitous_on_change(void)
{
	struct fx f;
	g_autoptr(JsonNode) node = json_from_string(
		"{\"addresses\": [{\"prefix\": \"10.0.0.3/24\"}]}", NULL);
	GError *error = NULL;

	fx_setup(&f, V4_PARAMS "}");
	g_assert_true(pk_graph_set_config(f.g, "ad", json_node_get_object(node), &error));
	g_assert_no_error(error);
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.3", "10.0.0.3");
	/* then the unsolicited NA of the link-local address */
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 1);
	pk_pipe_clear(f.ethp);
	fx_teardown(&f);
}

/* NDP ---------------------------------------------------------------------- */

/* Build an NS/NA frame from the peer; @hop is the IPv6 hop limit. */
static uint32_t peer_ndp(uint8_t *fr, uint8_t type, const char *src, const char *dst,
			 const char *target, uint8_t flags, bool opt, uint8_t hop,
			 const uint8_t *eth_dst)
{
	uint8_t s[16], d[16], t[16];
	uint8_t *ip = fr + 14, *ic = ip + 40;
	uint32_t plen = 24 + (opt ? 8 : 0);

	ip6(src, s);
	ip6(dst, d);
	ip6(target, t);
	memcpy(fr, eth_dst, 6);
	memcpy(fr + 6, PEER_MAC, 6);
	pk_put_be16(fr + 12, PK_ETH_P_IPV6);
	memset(ip, 0, 40 + plen);
	ip[0] = 0x60;
	pk_put_be16(ip + 4, (uint16_t)plen);
	ip[6] = PK_IPPROTO_ICMPV6;
	ip[7] = hop;
	memcpy(ip + 8, s, 16);
	memcpy(ip + 24, d, 16);
	ic[0] = type;
	ic[4] = flags;
	memcpy(ic + 8, t, 16);
	if (opt) {
		ic[24] = type == PK_ICMP6_NEIGHBOR_SOLICIT ? 1 : 2;
		ic[25] = 1;
		memcpy(ic + 26, PEER_MAC, 6);
	}
	pk_put_be16(ic + 2, pk_csum_fold(pk_csum_partial(ic, plen,
				pk_csum_pseudo6(s, d, PK_IPPROTO_ICMPV6, plen))));
	return 14 + 40 + plen;
}

/* Pop an NA; check its destination, target and flags. */
static void pop_na(struct fx *f, const uint8_t *eth_dst, const char *dst, const char *target,
		   uint8_t flags)
{
	struct pk_buf *b = pk_pipe_pop(f->ethp);
	struct pk_ip6_view v = { 0 };
	struct ndp_msg m = { 0 };
	uint8_t a[16];

	g_assert_nonnull(b);
	g_assert_cmpmem(pk_buf_data(b), 6, eth_dst, 6);
	g_assert_true(pk_ip6_parse(pk_buf_data(b) + 14, pk_buf_len(b) - 14, &v));
	g_assert_cmpint(ndp_parse(&v, &m), ==, NDP_OK);
	g_assert_cmpuint(m.type, ==, PK_ICMP6_NEIGHBOR_ADVERT);
	g_assert_cmpuint(m.flags, ==, flags);
	ip6(dst, a);
	g_assert_cmpmem(v.dst, 16, a, 16);
	ip6(target, a);
	g_assert_cmpmem(m.target, 16, a, 16);
	g_assert_cmpmem(v.src, 16, a, 16);
	g_assert_nonnull(m.lla);
	g_assert_cmpmem(m.lla, 6, AD_MAC, 6);
	pk_buf_unref(b);
}

static void test_ndp_ns_na(void)
{
	static const uint8_t SN2[6] = { 0x33, 0x33, 0xff, 0, 0, 2 };
	static const uint8_t ALL[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct fx f;
	uint8_t fr[128], pkt[128];
	uint32_t n;

	fx_setup(&f, V4_PARAMS "}");
	/* NS for our address with SLLA: unicast NA, S|O. */
	n = peer_ndp(fr, 135, "fd00::9", "ff02::1:ff00:2", "fd00::2", 0, true, 255, SN2);
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	pop_na(&f, PEER_MAC, "fd00::9", "fd00::2", NDP_NA_SOLICITED | NDP_NA_OVERRIDE);
	/* ... and the sender was learned: a packet to it needs no NS. */
	n = ip6_pkt(pkt, "fd00::2", "fd00::9", 16);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV6, pkt, n);
	/* DAD NS (from ::, no option): NA to all-nodes, S clear. */
	n = peer_ndp(fr, 135, "::", "ff02::1:ff00:2", "fd00::2", 0, false, 255, SN2);
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	pop_na(&f, ALL, "ff02::1", "fd00::2", NDP_NA_OVERRIDE);
	/* Link-local EUI-64 target: 02:aa:00:00:00:01 -> fe80::aa:ff:fe00:1 */
	{
		static const uint8_t SNLL[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };

		n = peer_ndp(fr, 135, "fe80::9", "ff02::1:ff00:1", "fe80::aa:ff:fe00:1", 0, true,
			     255, SNLL);
		g_assert_true(pk_pipe_inject(f.ethp, fr, n));
		pop_na(&f, PEER_MAC, "fe80::9", "fe80::aa:ff:fe00:1",
		       NDP_NA_SOLICITED | NDP_NA_OVERRIDE);
	}
	/* Hop limit 64: dropped and counted. */
	n = peer_ndp(fr, 135, "fd00::9", "ff02::1:ff00:2", "fd00::2", 0, true, 64, SN2);
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	g_assert_cmpuint(ctr(&f, "dropped-ndp-hop-limit"), ==, 1);
	/* Bad checksum. */
	n = peer_ndp(fr, 135, "fd00::9", "ff02::1:ff00:2", "fd00::2", 0, true, 255, SN2);
	fr[14 + 40 + 2] ^= 1;
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	g_assert_cmpuint(ctr(&f, "dropped-bad-ndp"), ==, 1);
	/* NS for another target: ignored (and its group filtered). */
	n = peer_ndp(fr, 135, "fd00::9", "ff02::1:ff00:3", "fd00::3", 0, true, 255,
		     (const uint8_t[6]){ 0x33, 0x33, 0xff, 0, 0, 3 });
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	fx_teardown(&f);
}

static void test_ndp_resolve(void)
{
	struct fx f;
	uint8_t fr[128], pkt[128];
	uint32_t n;
	struct pk_buf *b;
	struct pk_ip6_view v = { 0 };
	struct ndp_msg m = { 0 };
	uint8_t t[16];

	fx_setup(&f, V4_PARAMS "}");
	n = ip6_pkt(pkt, "fd00::2", "fd00::1:9", 16);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	b = pk_pipe_pop(f.ethp);
	g_assert_nonnull(b);
	g_assert_cmpmem(pk_buf_data(b), 6, ((const uint8_t[6]){ 0x33, 0x33, 0xff, 1, 0, 0x09 }), 6);
	g_assert_true(pk_ip6_parse(pk_buf_data(b) + 14, pk_buf_len(b) - 14, &v));
	g_assert_cmpuint(v.hop_limit, ==, 255);
	g_assert_cmpint(ndp_parse(&v, &m), ==, NDP_OK);
	g_assert_cmpuint(m.type, ==, PK_ICMP6_NEIGHBOR_SOLICIT);
	ip6("fd00::1:9", t);
	g_assert_cmpmem(m.target, 16, t, 16);
	ip6("ff02::1:ff01:9", t);
	g_assert_cmpmem(v.dst, 16, t, 16);
	ip6("fe80::aa:ff:fe00:1", t);
	g_assert_cmpmem(v.src, 16, t, 16);
	g_assert_nonnull(m.lla);
	pk_buf_unref(b);
	/* Solicited NA with TLLA resolves and releases the packet. */
	n = peer_ndp(fr, 136, "fd00::1:9", "fe80::aa:ff:fe00:1", "fd00::1:9",
		     NDP_NA_SOLICITED | NDP_NA_OVERRIDE, true, 255, AD_MAC);
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	pop_ip_frame(&f, PEER_MAC, PK_ETH_P_IPV6, pkt, n > 0 ? ip6_pkt(pkt, "fd00::2", "fd00::1:9", 16) : 0);
	/* Unsolicited NA for an unknown address creates nothing. */
	n = peer_ndp(fr, 136, "fd00::1:8", "ff02::1", "fd00::1:8", NDP_NA_OVERRIDE, true, 255,
		     (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 });
	g_assert_true(pk_pipe_inject(f.ethp, fr, n));
	n = ip6_pkt(pkt, "fd00::2", "fd00::1:8", 16);
	g_assert_true(pk_pipe_inject(f.ipp, pkt, n));
	b = pk_pipe_pop(f.ethp);	/* an NS, not the packet */
	g_assert_nonnull(b);
	g_assert_cmpuint(pk_buf_data(b)[0], ==, 0x33);
	pk_buf_unref(b);
	fx_teardown(&f);
}

/* Framing and routing --------------------------------------------------------- */

static void expect_dst_mac(struct fx *f, const uint8_t *pkt, uint32_t n, const uint8_t mac[6])
{
	struct pk_buf *b;

	g_assert_true(pk_pipe_inject(f->ipp, pkt, n));
	b = pk_pipe_pop(f->ethp);
	g_assert_nonnull(b);
	g_assert_cmpmem(pk_buf_data(b), 6, mac, 6);
	pk_buf_unref(b);
}

static void test_multicast_broadcast(void)
{
	struct fx f;
	uint8_t pkt[128];

	fx_setup(&f, V4_PARAMS "}");
	expect_dst_mac(&f, pkt, ip4_pkt(pkt, "10.0.0.2", "224.1.2.3", 8),
		       (const uint8_t[6]){ 1, 0, 0x5e, 1, 2, 3 });
	expect_dst_mac(&f, pkt, ip4_pkt(pkt, "10.0.0.2", "239.129.2.3", 8),
		       (const uint8_t[6]){ 1, 0, 0x5e, 1, 2, 3 });
	expect_dst_mac(&f, pkt, ip4_pkt(pkt, "10.0.0.2", "255.255.255.255", 8), BCAST);
	expect_dst_mac(&f, pkt, ip4_pkt(pkt, "10.0.0.2", "10.0.0.255", 8), BCAST);
	expect_dst_mac(&f, pkt, ip6_pkt(pkt, "fd00::2", "ff02::1:ff00:1234", 8),
		       (const uint8_t[6]){ 0x33, 0x33, 0xff, 0, 0x12, 0x34 });
	expect_dst_mac(&f, pkt, ip6_pkt(pkt, "fd00::2", "ff05::1:3", 8),
		       (const uint8_t[6]){ 0x33, 0x33, 0, 1, 0, 3 });
	/* Unspecified destinations never go on the link. */
	g_assert_true(pk_pipe_inject(f.ipp, pkt, ip4_pkt(pkt, "10.0.0.2", "0.0.0.0", 8)));
	g_assert_true(pk_pipe_inject(f.ipp, pkt, ip6_pkt(pkt, "fd00::2", "::1", 8)));
	g_assert_cmpuint(ctr(&f, "dropped-no-route"), ==, 2);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	fx_teardown(&f);
}

static void test_gateway_routing(void)
{
	struct fx f;
	uint8_t pkt[128];
	struct pk_buf *b;
	struct pk_ip6_view v = { 0 };
	struct ndp_msg m = { 0 };
	uint8_t t[16];

	fx_setup(&f, "{\"mac\": \"02:aa:00:00:00:01\", \"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, "
		     "{\"prefix\": \"fd00::2/64\"}], \"gateway4\": \"10.0.0.1\", "
		     "\"gateway6\": \"fd00::1\"}");
	{
		/* The status shows the configuration: no DHCP, no lease. */
		g_autoptr(GVariant) st = status(&f);
		g_autofree char *addrs = status_table(&f, "addresses");
		const char *str;

		g_assert_cmpstr(addrs, ==, "10.0.0.2/24 static, fd00::2/64 static, "
					   "fe80::aa:ff:fe00:1/64 link-local");
		g_assert_true(g_variant_lookup(st, "router4", "&s", &str));
		g_assert_cmpstr(str, ==, "10.0.0.1");
		g_assert_true(g_variant_lookup(st, "router6", "&s", &str));
		g_assert_cmpstr(str, ==, "fd00::1");
		g_assert_false(g_variant_lookup(st, "dhcp-state", "&s", &str));
		g_assert_false(leased(&f));
	}
	g_assert_true(pk_pipe_inject(f.ipp, pkt, ip4_pkt(pkt, "10.0.0.2", "8.8.8.8", 8)));
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.1");
	g_assert_true(pk_pipe_inject(f.ipp, pkt, ip4_pkt(pkt, "10.0.0.2", "10.0.0.77", 8)));
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.0.0.2", "10.0.0.77");
	g_assert_true(pk_pipe_inject(f.ipp, pkt, ip6_pkt(pkt, "fd00::2", "2001:db8::1", 8)));
	b = pk_pipe_pop(f.ethp);
	g_assert_true(pk_ip6_parse(pk_buf_data(b) + 14, pk_buf_len(b) - 14, &v));
	g_assert_cmpint(ndp_parse(&v, &m), ==, NDP_OK);
	ip6("fd00::1", t);
	g_assert_cmpmem(m.target, 16, t, 16);
	pk_buf_unref(b);
	/* The gateway answers: the off-link packet goes to its MAC. */
	inject_arp(&f, PK_ARP_OP_REPLY, PEER_MAC, "10.0.0.1", AD_MAC, "10.0.0.2", AD_MAC);
	b = pk_pipe_pop(f.ethp);
	g_assert_nonnull(b);
	g_assert_cmpmem(pk_buf_data(b), 6, PEER_MAC, 6);
	g_assert_cmpmem(pk_buf_data(b) + 14 + 16, 4, ((const uint8_t[4]){ 8, 8, 8, 8 }), 4);
	pk_buf_unref(b);
	pk_pipe_clear(f.ethp);
	fx_teardown(&f);
}

static void test_framing_in_place(void)
{
	struct fx f;
	uint8_t pkt[128];
	uint32_t n = 0;
	struct pk_batch batch = { .n = 1 };
	struct pk_buf *b, *got;

	fx_setup(&f, V4_PARAMS "}");
	inject_arp(&f, PK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", (const uint8_t[6]){ 0 }, "10.0.0.2",
		   BCAST);
	pk_pipe_clear(f.ethp);
	/* packet -> frame: the same buffer, the header in its headroom */
	n = ip4_pkt(pkt, "10.0.0.2", "10.0.0.9", 40);
	b = pk_buf_new_copy(pkt, n);
	batch.buf[0] = b;
	g_assert_true(pk_pipe_inject_batch(f.ipp, &batch));
	pk_buf_unref(b);
	got = pk_pipe_pop(f.ethp);
	g_assert_true(got == b);
	g_assert_cmpuint(pk_buf_len(got), ==, n + 14);
	pk_buf_unref(got);
	/* frame -> packet: the same buffer, padding trimmed */
	{
		uint8_t fr[128] = { 0 };

		memcpy(fr, AD_MAC, 6);
		memcpy(fr + 6, PEER_MAC, 6);
		pk_put_be16(fr + 12, PK_ETH_P_IPV4);
		n = ip4_pkt(fr + 14, "10.0.0.9", "10.0.0.2", 4);	/* 24 bytes + padding */
		b = pk_buf_new_copy(fr, 60);
		batch.buf[0] = b;
		g_assert_true(pk_pipe_inject_batch(f.ethp, &batch));
		pk_buf_unref(b);
		got = pk_pipe_pop(f.ipp);
		g_assert_true(got == b);
		g_assert_cmpmem(pk_buf_data(got), pk_buf_len(got), fr + 14, n);
		pk_buf_unref(got);
	}
	/* A shared buffer is copied, the original left alone. */
	b = pk_buf_new_copy(pkt, ip4_pkt(pkt, "10.0.0.2", "10.0.0.9", 40));
	pk_buf_ref(b);
	batch.buf[0] = b;
	g_assert_true(pk_pipe_inject_batch(f.ipp, &batch));
	got = pk_pipe_pop(f.ethp);
	g_assert_true(got != b);
	g_assert_cmpuint(pk_buf_len(b), ==, 60);
	pk_buf_unref(got);
	pk_buf_unref(b);
	pk_buf_unref(b);
	fx_teardown(&f);
}

static void test_bad_input(void)
{
	struct fx f;
	uint8_t fr[128] = { 0 };

	fx_setup(&f, V4_PARAMS "}");
	g_assert_true(pk_pipe_inject(f.ethp, fr, 13));
	g_assert_cmpuint(ctr(&f, "dropped-short"), ==, 1);
	/* ARP with a protocol size of 5 */
	arp_build(fr, PK_ARP_OP_REQUEST, BCAST, PEER_MAC, (const uint8_t[4]){ 10, 0, 0, 9 },
		  (const uint8_t[6]){ 0 }, (const uint8_t[4]){ 10, 0, 0, 2 });
	fr[14 + 5] = 5;
	g_assert_true(pk_pipe_inject(f.ethp, fr, 60));
	/* truncated ARP */
	fr[14 + 5] = 4;
	g_assert_true(pk_pipe_inject(f.ethp, fr, 14 + 20));
	g_assert_cmpuint(ctr(&f, "dropped-bad-arp"), ==, 2);
	/* VLAN-tagged, unknown EtherType, bad IPv4 */
	memcpy(fr, AD_MAC, 6);
	pk_put_be16(fr + 12, 0x8100);
	g_assert_true(pk_pipe_inject(f.ethp, fr, 60));
	pk_put_be16(fr + 12, 0x88b5);
	g_assert_true(pk_pipe_inject(f.ethp, fr, 60));
	pk_put_be16(fr + 12, PK_ETH_P_IPV4);
	fr[14] = 0x4f;
	g_assert_true(pk_pipe_inject(f.ethp, fr, 40));
	g_assert_cmpuint(ctr(&f, "dropped-vlan"), ==, 1);
	g_assert_cmpuint(ctr(&f, "dropped-ethertype"), ==, 1);
	g_assert_cmpuint(ctr(&f, "dropped-bad-ip"), ==, 1);
	/* garbage on the L3 side */
	g_assert_true(pk_pipe_inject(f.ipp, fr, 10));
	g_assert_cmpuint(ctr(&f, "dropped-bad-ip"), ==, 2);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	g_assert_cmpuint(pk_pipe_pending(f.ipp), ==, 0);
	fx_teardown(&f);
}

/* DHCP ------------------------------------------------------------------------ */

#define DHCP_PARAMS "{\"mac\": \"02:aa:00:00:00:01\", \"dhcp\": true, \"dhcp-hostname\": \"ad1\"}"

/* Pop a frame that must be a DHCP message from us; copy out what the tests check. */
struct seen {
	uint8_t type;
	uint32_t xid;
	uint8_t eth_dst[6];
	uint8_t ip_src[4], ip_dst[4], ciaddr[4];
	bool has_req_ip, has_sid;
};

static struct seen pop_dhcp(struct fx *f)
{
	struct pk_buf *b;
	struct pk_dhcp_frame df;
	struct seen s = { 0 };
	struct pk_ip4 tmp;

	/* Skip announcements and resolution traffic. */
	while ((b = pk_pipe_pop(f->ethp)) && !pk_dhcp_is_candidate(pk_buf_data(b), pk_buf_len(b), 67))
		pk_buf_unref(b);
	g_assert_nonnull(b);
	g_assert_cmpint(pk_dhcp_frame_parse(pk_buf_data(b), pk_buf_len(b), &df), ==, PK_DHCP_OK);
	g_assert_cmpuint(df.src_port, ==, 68);
	g_assert_cmpuint(df.dst_port, ==, 67);
	g_assert_cmpmem(df.msg.chaddr, 6, AD_MAC, 6);
	s.type = df.msg.msg_type;
	s.xid = df.msg.xid;
	memcpy(s.eth_dst, df.eth_dst, 6);
	memcpy(s.ip_src, df.ip_src, 4);
	memcpy(s.ip_dst, df.ip_dst, 4);
	memcpy(s.ciaddr, df.msg.ciaddr, 4);
	s.has_req_ip = pk_dhcp_requested_ip(&df.msg, &tmp);
	s.has_sid = pk_dhcp_server_id(&df.msg, &tmp);
	pk_buf_unref(b);
	return s;
}

/* Inject a server reply of @type for @xid offering 10.1.0.50 (lease @lease s);
 * with @partial, its UDP checksum left to offload (PK_CSUM_PARTIAL), as a
 * kernel UDP socket behind a TAP with 'offload' sends it. */
static void server_reply_ex(struct fx *f, uint8_t type, uint32_t xid, uint32_t lease,
			    bool partial)
{
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REPLY, .xid = xid };
	static const struct pk_ip4 sid = { { 10, 1, 0, 1 } }, mask = { { 255, 255, 255, 0 } };
	static const struct pk_ip4 dns[2] = { { { 10, 1, 0, 53 } }, { { 9, 9, 9, 9 } } };
	struct pk_dhcp_addrs ad = { .src_port = 67, .dst_port = 68 };
	struct pk_dhcp_builder bld;
	uint8_t msg[600], fr[700];
	uint32_t len, flen;

	memcpy(h.chaddr, AD_MAC, 6);
	if (type != PK_DHCP_NAK)
		h.yiaddr = (struct pk_ip4){ { 10, 1, 0, 50 } };
	pk_dhcp_build_init(&bld, msg, sizeof(msg), &h);
	pk_dhcp_put_u8(&bld, PK_DHCP_OPT_MSG_TYPE, type);
	pk_dhcp_put_ip4(&bld, PK_DHCP_OPT_SERVER_ID, &sid);
	if (type != PK_DHCP_NAK) {
		pk_dhcp_put_u32(&bld, PK_DHCP_OPT_LEASE_TIME, lease);
		pk_dhcp_put_ip4(&bld, PK_DHCP_OPT_SUBNET_MASK, &mask);
		pk_dhcp_put_ip4_list(&bld, PK_DHCP_OPT_ROUTER, &sid, 1);
		pk_dhcp_put_ip4_list(&bld, PK_DHCP_OPT_DNS, dns, 2);
		pk_dhcp_put_str(&bld, PK_DHCP_OPT_DOMAIN, "lan.test");
	}
	len = pk_dhcp_build_finish(&bld);
	g_assert_cmpuint(len, >, 0);
	memcpy(ad.src_mac.b, SRV_MAC, 6);
	memcpy(ad.dst_mac.b, AD_MAC, 6);
	ad.src_ip = sid;
	ad.dst_ip = (struct pk_ip4){ { 10, 1, 0, 50 } };
	flen = pk_dhcp_frame_build(fr, sizeof(fr), &ad, msg, len);
	g_assert_cmpuint(flen, >, 0);
	if (partial) {
		uint32_t sum = pk_csum_pseudo4(fr + 26, fr + 30, PK_IPPROTO_UDP,
					       pk_get_be16(fr + 38));
		struct pk_batch batch = { .n = 1, .buf = { pk_buf_new_copy(fr, flen) } };

		g_assert_cmpuint(fr[14], ==, 0x45);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		pk_put_be16(pk_buf_data(batch.buf[0]) + 40, (uint16_t)sum);
		pk_buf_set_csum_partial(batch.buf[0], 34, 6);
		g_assert_true(pk_pipe_inject_batch(f->ethp, &batch));
		pk_buf_unref(batch.buf[0]);
		return;
	}
	g_assert_true(pk_pipe_inject(f->ethp, fr, flen));
}

static void server_reply(struct fx *f, uint8_t type, uint32_t xid, uint32_t lease)
{
	server_reply_ex(f, type, xid, lease, false);
}

static const uint8_t SRV_IP[4] = { 10, 1, 0, 1 };
static const uint8_t LEASE_IP[4] = { 10, 1, 0, 50 };
static const uint8_t ALL_ONES[4] = { 255, 255, 255, 255 };

/* Run DISCOVER/OFFER/REQUEST/ACK; the client ends BOUND with 10.1.0.50/24. */
static void dhcp_bind(struct fx *f, uint32_t lease)
{
	struct seen s = pop_dhcp(f);

	g_assert_cmpuint(s.type, ==, PK_DHCP_DISCOVER);
	g_assert_cmpmem(s.eth_dst, 6, BCAST, 6);
	g_assert_cmpmem(s.ip_dst, 4, ALL_ONES, 4);
	server_reply(f, PK_DHCP_OFFER, s.xid, lease);
	s = pop_dhcp(f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_REQUEST);
	g_assert_true(s.has_req_ip && s.has_sid);
	server_reply(f, PK_DHCP_ACK, s.xid, lease);
	g_assert_true(leased(f));
	pk_pipe_clear(f->ethp);	/* announcements */
}

static void test_dhcp_flow(void)
{
	struct fx f;
	struct seen s;
	uint8_t pkt[64];

	fx_setup_keep(&f, DHCP_PARAMS, true);
	dhcp_bind(&f, 100);
	{
		g_autoptr(GVariant) v = status(&f);
		g_autofree char *addrs = status_table(&f, "addresses");
		g_autofree char *dns = status_table(&f, "dns");
		const char *str;
		uint64_t t;

		g_assert_cmpstr(addrs, ==, "fe80::aa:ff:fe00:1/64 link-local, 10.1.0.50/24 dhcp");
		g_assert_cmpstr(dns, ==, "10.1.0.53 dhcp, 9.9.9.9 dhcp");
		g_assert_true(g_variant_lookup(v, "dhcp-state", "&s", &str));
		g_assert_cmpstr(str, ==, "bound");
		g_assert_true(g_variant_lookup(v, "mac", "&s", &str));
		g_assert_cmpstr(str, ==, "02:aa:00:00:00:01");
		g_assert_true(g_variant_lookup(v, "dhcp-server", "&s", &str));
		g_assert_cmpstr(str, ==, "10.1.0.1");
		g_assert_true(g_variant_lookup(v, "router4", "&s", &str));
		g_assert_cmpstr(str, ==, "10.1.0.1");
		g_assert_true(g_variant_lookup(v, "domain", "&s", &str));
		g_assert_cmpstr(str, ==, "lan.test");
		g_assert_false(g_variant_lookup(v, "router6", "&s", &str));
		g_assert_true(g_variant_lookup(v, "lease-time", "t", &t));
		g_assert_cmpuint(t, ==, 100 * SEC);
		g_assert_true(g_variant_lookup(v, "lease-expires-in", "t", &t));
		g_assert_cmpuint(t, ==, 100 * SEC);
		g_assert_true(g_variant_lookup(v, "renew-in", "t", &t));
		g_assert_cmpuint(t, ==, 50 * SEC);
	}
	{
		struct adapter *a = pk_dev_instance(f.ad);

		g_assert_cmpuint(a->dc.lease.n_dns, ==, 2);
		g_assert_cmpstr(a->dc.lease.domain, ==, "lan.test");
	}
	/* The leased address is answered in ARP, and the router is the gateway. */
	inject_arp(&f, PK_ARP_OP_REQUEST, PEER_MAC, "10.1.0.9", (const uint8_t[6]){ 0 }, "10.1.0.50",
		   BCAST);
	pop_arp(&f, PK_ARP_OP_REPLY, PEER_MAC, "10.1.0.50", "10.1.0.9");
	g_assert_true(pk_pipe_inject(f.ipp, pkt, ip4_pkt(pkt, "10.1.0.50", "1.1.1.1", 8)));
	pop_arp(&f, PK_ARP_OP_REQUEST, BCAST, "10.1.0.50", "10.1.0.1");
	pk_graph_clock_advance(f.g, 3 * SEC);	/* let that resolution fail */
	pk_pipe_clear(f.ethp);
	/* T1 = 50 s: REQUEST by unicast to the server. */
	pk_graph_clock_advance(f.g, 47 * SEC - 1);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	pk_graph_clock_advance(f.g, 1);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_REQUEST);
	g_assert_cmpmem(s.eth_dst, 6, SRV_MAC, 6);
	g_assert_cmpmem(s.ip_dst, 4, SRV_IP, 4);
	g_assert_cmpmem(s.ip_src, 4, LEASE_IP, 4);
	g_assert_cmpmem(s.ciaddr, 4, LEASE_IP, 4);
	g_assert_false(s.has_req_ip || s.has_sid);
	g_assert_cmpuint(ctr(&f, "dhcp-renewals"), ==, 1);
	/* T2 = 7/8 of 100 s, in whole seconds: 87 s, broadcast. */
	pk_graph_clock_advance(f.g, 37 * SEC - 1);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	pk_graph_clock_advance(f.g, 1);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_REQUEST);
	g_assert_cmpmem(s.eth_dst, 6, BCAST, 6);
	g_assert_cmpmem(s.ip_dst, 4, ALL_ONES, 4);
	g_assert_cmpmem(s.ciaddr, 4, LEASE_IP, 4);
	g_assert_cmpuint(ctr(&f, "dhcp-rebinds"), ==, 1);
	/* Expiry at 100 s: address gone, discovery again. */
	pk_graph_clock_advance(f.g, 13 * SEC - 1);
	g_assert_true(leased(&f));
	pk_graph_clock_advance(f.g, 1);
	g_assert_false(leased(&f));
	{
		g_autofree char *addrs = status_table(&f, "addresses");
		g_autofree char *dns = status_table(&f, "dns");

		g_assert_cmpstr(addrs, ==, "fe80::aa:ff:fe00:1/64 link-local");
		g_assert_cmpstr(dns, ==, "");
	}
	g_assert_cmpuint(ctr(&f, "dhcp-expiries"), ==, 1);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_DISCOVER);
	pk_pipe_clear(f.ethp);
	inject_arp(&f, PK_ARP_OP_REQUEST, PEER_MAC, "10.1.0.9", (const uint8_t[6]){ 0 }, "10.1.0.50",
		   BCAST);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	fx_teardown(&f);
}

static void test_dhcp_renew_ack(void)
{
	struct fx f;
	struct seen s;

	fx_setup_keep(&f, DHCP_PARAMS, true);
	dhcp_bind(&f, 100);
	pk_graph_clock_advance(f.g, 50 * SEC);
	s = pop_dhcp(&f);
	server_reply(&f, PK_DHCP_ACK, s.xid, 100);
	g_assert_cmpuint(ctr(&f, "dhcp-acks"), ==, 2);
	pk_pipe_clear(f.ethp);	/* the refreshed lease is announced again */
	/* Renewed: no rebind at the old T2, next renewal at 100 s. */
	pk_graph_clock_advance(f.g, 49 * SEC);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	pk_graph_clock_advance(f.g, SEC);
	s = pop_dhcp(&f);
	g_assert_cmpmem(s.eth_dst, 6, SRV_MAC, 6);
	g_assert_true(leased(&f));
	fx_teardown(&f);
}

static void test_dhcp_nak_restart(void)
{
	struct fx f;
	struct seen s;

	fx_setup_keep(&f, DHCP_PARAMS, true);
	s = pop_dhcp(&f);
	server_reply(&f, PK_DHCP_OFFER, s.xid, 100);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_REQUEST);
	server_reply(&f, PK_DHCP_NAK, s.xid, 0);
	g_assert_cmpuint(ctr(&f, "dhcp-naks"), ==, 1);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_DISCOVER);
	/* A reply with a stale xid is ignored. */
	server_reply(&f, PK_DHCP_OFFER, s.xid + 1, 100);
	g_assert_cmpuint(pk_pipe_pending(f.ethp), ==, 0);
	g_assert_cmpuint(ctr(&f, "dhcp-dropped"), ==, 1);
	/* NAK while bound (renewing) removes the address. */
	server_reply(&f, PK_DHCP_OFFER, s.xid, 100);
	s = pop_dhcp(&f);
	server_reply(&f, PK_DHCP_ACK, s.xid, 100);
	pk_pipe_clear(f.ethp);
	pk_graph_clock_advance(f.g, 50 * SEC);
	s = pop_dhcp(&f);
	server_reply(&f, PK_DHCP_NAK, s.xid, 0);
	g_assert_false(leased(&f));
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_DISCOVER);
	fx_teardown(&f);
}

static void test_dhcp_release_at_stop(void)
{
	struct fx f;
	struct seen s;

	fx_setup_keep(&f, DHCP_PARAMS, true);
	dhcp_bind(&f, 100);
	pk_graph_stop(f.g);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_RELEASE);
	g_assert_cmpmem(s.eth_dst, 6, SRV_MAC, 6);
	g_assert_cmpmem(s.ip_dst, 4, SRV_IP, 4);
	g_assert_cmpmem(s.ciaddr, 4, LEASE_IP, 4);
	g_assert_cmpuint(ctr(&f, "dhcp-releases-sent"), ==, 1);
	g_assert_false(leased(&f));
	fx_teardown(&f);
}

static void test_dhcp_backoff(void)
{
	static const double want[] = { 4, 8, 16, 32, 64, 64 };
	struct fx f;
	uint64_t last = 0, step = SEC / 10;
	unsigned int k = 0;

	fx_setup_keep(&f, DHCP_PARAMS, true);
	g_assert_cmpuint(pop_dhcp(&f).type, ==, PK_DHCP_DISCOVER);
	last = pk_graph_now(f.g);
	while (k < G_N_ELEMENTS(want)) {
		pk_graph_clock_advance(f.g, step);
		if (pk_pipe_pending(f.ethp)) {
			double dt = (double)(pk_graph_now(f.g) - last) / SEC;

			g_assert_cmpuint(pop_dhcp(&f).type, ==, PK_DHCP_DISCOVER);
			if (dt < want[k] - 1.0 - 0.11 || dt > want[k] + 1.0 + 0.11)
				g_error("retransmission %u after %.1f s, want %.0f ± 1 s", k, dt,
					want[k]);
			last = pk_graph_now(f.g);
			k++;
		}
		g_assert_cmpuint(pk_graph_now(f.g) - last, <, 70 * SEC);
	}
	/* Bad DHCP input on port 68 is counted and changes nothing. */
	{
		uint8_t fr[400];
		struct pk_dhcp_addrs ad = { .src_port = 67, .dst_port = 68 };
		uint8_t junk[300] = { 2, 1, 6 };
		uint32_t n;

		memcpy(ad.src_mac.b, SRV_MAC, 6);
		memcpy(ad.dst_mac.b, AD_MAC, 6);
		ad.dst_ip = (struct pk_ip4){ { 255, 255, 255, 255 } };
		n = pk_dhcp_frame_build(fr, sizeof(fr), &ad, junk, sizeof(junk));	/* no cookie */
		g_assert_true(pk_pipe_inject(f.ethp, fr, n));
		g_assert_true(pk_pipe_inject(f.ethp, fr, n - 100));	/* truncated */
		g_assert_cmpuint(ctr(&f, "dhcp-dropped"), ==, 1);
		g_assert_cmpuint(ctr(&f, "dropped-bad-ip"), ==, 1);
		g_assert_false(leased(&f));
	}
	fx_teardown(&f);
}

/* Offload: the adapter between a pipe and an offload sink (@sink_on_ip: the
 * sink on "ip", the pipe on "eth"; else the other way round). */
static void fx_setup_offload(struct fx *f, const char *params, bool sink_on_ip)
{
	GError *error = NULL;

	f->g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	if (sink_on_ip) {
		f->ipp = add_dev(f->g, "ipp", "test.offload-sink-l3", NULL);
		f->ethp = add_dev(f->g, "ethp", "core.pipe-l2", "{\"capacity\": 1024}");
	} else {
		f->ipp = add_dev(f->g, "ipp", "core.pipe-l3", "{\"capacity\": 1024}");
		f->ethp = add_dev(f->g, "ethp", "test.offload-sink-l2", NULL);
	}
	f->ad = add_dev(f->g, "ad", "l3.adapter", params);
	g_assert_true(pk_graph_link(f->g, "ipp.io", "ad.ip", &error));
	g_assert_true(pk_graph_link(f->g, "ethp.io", "ad.eth", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static void inject_buf(struct pk_dev *pipe, struct pk_buf *b)
{
	struct pk_batch batch = { .n = 1, .buf = { b } };

	g_assert_true(pk_pipe_inject_batch(pipe, &batch));
	pk_buf_unref(b);
}

/* L2 -> L3: the Ethernet header comes off, the super-frame stays whole. */
static void test_offload_eth_to_ip(void)
{
	struct fx f;
	GPtrArray *got;

	fx_setup_offload(&f, "{\"mac\": \"02:aa:00:00:00:01\", \"addresses\": ["
			 "{\"prefix\": \"10.0.0.2/24\"}, {\"prefix\": \"fd00::2/64\"}]}", true);
	got = offload_test_got(f.ipp);
	for (int v6 = 0; v6 <= 1; v6++)
		inject_buf(f.ethp, offload_test_super(v6, 65000, 1448, AD_MAC, PEER_MAC));
	g_assert_cmpuint(got->len, ==, 2);
	offload_test_assert_super(g_ptr_array_index(got, 0), 0, false, 65000, 1448);
	offload_test_assert_super(g_ptr_array_index(got, 1), 0, true, 65000, 1448);
	fx_teardown(&f);
}

/* L3 -> L2: an Ethernet header goes on, whole, also for a packet that waited
 * for ARP; to a port without offloads, segments. */
static void test_offload_ip_to_eth(void)
{
	static const uint8_t spa[4] = { 10, 0, 0, 2 }, tpa[4] = { 10, 0, 0, 1 };
	uint8_t reply[60] = { 0 };
	struct fx f;
	GPtrArray *got;
	const struct pk_buf *b;
	struct pk_buf *segs[64];
	uint32_t n = 0;

	fx_setup_offload(&f, "{\"mac\": \"02:aa:00:00:00:01\", \"addresses\": ["
			 "{\"prefix\": \"10.0.0.1/24\"}]}", false);
	got = offload_test_got(f.ethp);
	offload_test_clear(f.ethp);	/* announcements */
	inject_buf(f.ipp, offload_test_super(false, 65000, 1448, NULL, NULL));
	g_assert_cmpuint(got->len, ==, 1);	/* the ARP request; the packet waits */
	g_assert_cmpuint(pk_get_be16(pk_buf_data(g_ptr_array_index(got, 0)) + 12), ==,
			 PK_ETH_P_ARP);
	offload_test_clear(f.ethp);
	/* 10.0.0.2 is at PEER_MAC. */
	memcpy(reply, AD_MAC, 6);
	memcpy(reply + 6, PEER_MAC, 6);
	pk_put_be16(reply + 12, PK_ETH_P_ARP);
	pk_put_be16(reply + 14, 1);
	pk_put_be16(reply + 16, PK_ETH_P_IPV4);
	reply[18] = 6;
	reply[19] = 4;
	pk_put_be16(reply + 20, PK_ARP_OP_REPLY);
	memcpy(reply + 22, PEER_MAC, 6);
	memcpy(reply + 28, spa, 4);
	memcpy(reply + 32, AD_MAC, 6);
	memcpy(reply + 38, tpa, 4);
	offload_test_send(f.ethp, reply, sizeof(reply));
	g_assert_cmpuint(ctr(&f, "neighbours-learned"), ==, 1);
	inject_buf(f.ipp, offload_test_super(false, 30000, 1448, NULL, NULL));
	g_assert_cmpuint(got->len, ==, 2);
	for (uint32_t i = 0; i < 2; i++) {
		b = g_ptr_array_index(got, i);
		g_assert_cmpmem(pk_buf_data(b), 6, PEER_MAC, 6);
		g_assert_cmpmem(pk_buf_data(b) + 6, 6, AD_MAC, 6);
		offload_test_assert_super(b, PK_ETH_HLEN, false, i ? 30000 : 65000, 1448);
	}
	fx_teardown(&f);

	/* Plain pipes on both sides: segments, both ways. */
	fx_setup(&f, "{\"mac\": \"02:aa:00:00:00:01\", \"addresses\": ["
		 "{\"prefix\": \"10.0.0.1/24\"}]}");
	inject_buf(f.ipp, offload_test_super(false, 65000, 1448, NULL, NULL));
	pk_pipe_clear(f.ethp);	/* the ARP request */
	g_assert_true(pk_pipe_inject(f.ethp, reply, sizeof(reply)));
	while ((segs[n] = pk_pipe_pop(f.ethp)))
		g_assert_cmpuint(++n, <, G_N_ELEMENTS(segs));
	offload_test_check_segments(segs, n, PK_ETH_HLEN, false, 65000, 1448);
	for (uint32_t i = 0; i < n; i++)
		pk_buf_unref(segs[i]);
	n = 0;
	inject_buf(f.ethp, offload_test_super(true, 65000, 1448, AD_MAC, PEER_MAC));
	while ((segs[n] = pk_pipe_pop(f.ipp)))
		g_assert_cmpuint(++n, <, G_N_ELEMENTS(segs));
	offload_test_check_segments(segs, n, 0, true, 65000, 1448);
	for (uint32_t i = 0; i < n; i++)
		pk_buf_unref(segs[i]);
	fx_teardown(&f);
}

/* DHCP replies whose UDP checksum was left to offload are completed, not dropped. */
static void test_offload_dhcp_partial(void)
{
	struct fx f;
	struct seen s;

	fx_setup_keep(&f, DHCP_PARAMS, true);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_DISCOVER);
	server_reply_ex(&f, PK_DHCP_OFFER, s.xid, 100, true);
	s = pop_dhcp(&f);
	g_assert_cmpuint(s.type, ==, PK_DHCP_REQUEST);
	server_reply_ex(&f, PK_DHCP_ACK, s.xid, 100, true);
	g_assert_true(leased(&f));
	g_assert_cmpuint(ctr(&f, "dhcp-dropped"), ==, 0);
	fx_teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/adapter/arp/retransmit-then-drop", test_arp_retransmit_then_drop);
	g_test_add_func("/adapter/arp/resolve-and-queue-bound", test_arp_resolve_and_queue_bound);
	g_test_add_func("/adapter/arp/reply-and-policy", test_arp_reply_and_policy);
	g_test_add_func("/adapter/arp/cache-ttl", test_arp_cache_ttl);
	g_test_add_func("/adapter/arp/gratuitous-on-change", test_gratuitous_on_change);
	g_test_add_func("/adapter/ndp/ns-na-dad-hop-limit", test_ndp_ns_na);
	g_test_add_func("/adapter/ndp/resolve", test_ndp_resolve);
	g_test_add_func("/adapter/framing/multicast-broadcast", test_multicast_broadcast);
	g_test_add_func("/adapter/framing/gateway", test_gateway_routing);
	g_test_add_func("/adapter/framing/in-place", test_framing_in_place);
	g_test_add_func("/adapter/bad-input", test_bad_input);
	g_test_add_func("/adapter/dhcp/flow-renew-rebind-expire", test_dhcp_flow);
	g_test_add_func("/adapter/dhcp/renew-ack", test_dhcp_renew_ack);
	g_test_add_func("/adapter/dhcp/nak-restart", test_dhcp_nak_restart);
	g_test_add_func("/adapter/dhcp/release-at-stop", test_dhcp_release_at_stop);
	g_test_add_func("/adapter/dhcp/backoff", test_dhcp_backoff);
	g_test_add_func("/adapter/offload/eth-to-ip", test_offload_eth_to_ip);
	g_test_add_func("/adapter/offload/ip-to-eth", test_offload_ip_to_eth);
	g_test_add_func("/adapter/offload/dhcp-partial", test_offload_dhcp_partial);
	return g_test_run();
}
