/* SPDX-License-Identifier: MIT
 * test-ipv6-ra.c - svc.ipv6-ra through a graph: periodic and solicited advertisements, wire format
 */
#include <string.h>
#include <arpa/inet.h>

#include <pktkit/eth.h>
#include <pktkit/graph.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/testing.h>

#define SEC UINT64_C(1000000000)

static struct pk_registry *registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		if (!pk_registry_lookup(reg, "svc.ipv6-ra"))
			g_error("pk-dhcp.so not found: is PKTKIT_MODULE_PATH set (meson test)?");
	}
	return reg;
}

static struct pk_graph *setup(const char *json, struct pk_dev **ra, struct pk_dev **pipe)
{
	struct pk_graph *g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	g_autoptr(JsonNode) node = json ? json_from_string(json, NULL) : NULL;
	GError *error = NULL;

	*ra = pk_graph_add_device(g, "ra", "svc.ipv6-ra", node ? json_node_get_object(node) : NULL,
				  &error);
	g_assert_no_error(error);
	*pipe = pk_graph_add_device(g, "c", "core.pipe-l2", NULL, &error);
	g_assert_true(pk_graph_link(g, "c", "ra", &error));
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	return g;
}

/* Check one RA frame; returns the option types seen as a bitmask. */
static uint32_t check_ra(struct pk_buf *b, const char *prefix)
{
	static const uint8_t dst_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	const uint8_t *f = pk_buf_data(b);
	struct pk_eth_view eth = { 0 };
	struct pk_ip6_view v = { 0 };
	struct pk_icmp_view icmp = { 0 };
	uint8_t want_prefix[16];
	uint32_t seen = 0, off;

	g_assert_true(pk_eth_parse(f, pk_buf_len(b), &eth));
	g_assert_cmpmem(eth.dst, 6, dst_mac, 6);
	g_assert_cmpuint(eth.ethertype, ==, PK_ETH_P_IPV6);
	g_assert_true(pk_ip6_parse(f + eth.l3_off, eth.l3_len, &v));
	g_assert_cmpuint(v.hop_limit, ==, 255);
	g_assert_cmpuint(v.proto, ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(v.src[0], ==, 0xfe);
	g_assert_cmpuint(v.src[1], ==, 0x80);
	g_assert_cmpuint(v.dst[0], ==, 0xff);
	g_assert_cmpuint(v.dst[15], ==, 1);
	g_assert_true(pk_icmp6_parse(v.l4, v.l4_len, &icmp));
	g_assert_cmpuint(icmp.type, ==, PK_ICMP6_ROUTER_ADVERT);
	g_assert_true(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
	g_assert_cmpint(inet_pton(AF_INET6, prefix, want_prefix), ==, 1);
	for (off = 16; off + 8 <= v.l4_len;) {
		const uint8_t *o = v.l4 + off;

		g_assert_cmpuint(o[1], >, 0);
		g_assert_cmpuint(off + o[1] * 8u, <=, v.l4_len);
		seen |= 1u << o[0];
		if (o[0] == 3) {
			g_assert_cmpuint(o[2], ==, 64);
			g_assert_cmpuint(o[3], ==, 0xc0);
			g_assert_cmpmem(o + 16, 16, want_prefix, 16);
		}
		off += o[1] * 8u;
	}
	g_assert_cmpuint(off, ==, v.l4_len);
	return seen;
}

static void test_periodic(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup(NULL, &ra, &pipe);
	struct pk_buf *b;

	pk_graph_clock_advance(g, 1);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 1);
	b = pk_pipe_pop(pipe);
	g_assert_cmpuint(check_ra(b, "fd00::"), ==, (1u << 1) | (1u << 3));
	pk_buf_unref(b);
	pk_graph_clock_advance(g, 9 * SEC);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 0);
	pk_graph_clock_advance(g, 1 * SEC);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 1);
	pk_buf_unref(pk_pipe_pop(pipe));
	g_assert_cmpuint(pk_dev_counter(ra, "advertisements"), ==, 2);
	pk_graph_free(g);
}

static void test_solicited_and_options(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup("{\"prefix\": \"2001:db8:1::/64\", \"mtu\": 1400, \"rdnss\": "
				   "[{\"address\": \"2001:db8:1::53\"}], \"managed\": true}",
				   &ra, &pipe);
	uint8_t rs[14 + 40 + 16];
	uint8_t *ip6 = rs + 14, *icmp = ip6 + 40;
	struct pk_buf *b;

	pk_graph_clock_advance(g, 1);
	pk_buf_unref(pk_pipe_pop(pipe));

	memset(rs, 0, sizeof(rs));
	rs[0] = 0x33;
	rs[1] = 0x33;
	rs[5] = 2;
	rs[6] = 0x52;
	rs[11] = 1;
	rs[12] = 0x86;
	rs[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[5] = 16;
	ip6[6] = 58;
	ip6[7] = 255;
	inet_pton(AF_INET6, "fe80::5054:ff:fe00:1", ip6 + 8);
	inet_pton(AF_INET6, "ff02::2", ip6 + 24);
	icmp[0] = PK_ICMP6_ROUTER_SOLICIT;
	icmp[8] = 1;
	icmp[9] = 1;
	icmp[10] = 0x52;
	icmp[15] = 1;
	pk_put_be16(icmp + 2, pk_csum_fold(pk_csum_partial(
				      icmp, 16, pk_csum_pseudo6(ip6 + 8, ip6 + 24, 58, 16))));
	g_assert_true(pk_pipe_inject(pipe, rs, sizeof(rs)));
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 1);
	b = pk_pipe_pop(pipe);
	g_assert_cmpuint(check_ra(b, "2001:db8:1::"), ==,
			 (1u << 1) | (1u << 3) | (1u << 5) | (1u << 25));
	g_assert_cmpuint(pk_buf_data(b)[14 + 40 + 5], ==, 0x80);
	pk_buf_unref(b);
	/* Hop limit below 255: not a valid solicitation. */
	ip6[7] = 254;
	g_assert_true(pk_pipe_inject(pipe, rs, sizeof(rs)));
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 0);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations"), ==, 1);
	pk_graph_free(g);
}

static void test_bad_config(void)
{
	struct pk_graph *g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	g_autoptr(JsonNode) node = json_from_string("{\"prefix\": \"fd00::/48\"}", NULL);
	g_autoptr(GError) error = NULL;

	g_assert_null(pk_graph_add_device(g, "ra", "svc.ipv6-ra", json_node_get_object(node),
					  &error));
	g_assert_nonnull(strstr(error->message, "/64"));
	pk_graph_free(g);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/ra/periodic", test_periodic);
	g_test_add_func("/dhcp/ra/solicited-and-options", test_solicited_and_options);
	g_test_add_func("/dhcp/ra/bad-config", test_bad_config);
	return g_test_run();
}
