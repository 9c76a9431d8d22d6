/* SPDX-License-Identifier: MIT
 * test-ipv6-ra.c - svc.ipv6-ra through a graph: periodic and solicited advertisements, wire format
 */
#include <string.h>
#include <arpa/inet.h>

#include <pktkit/eth.h>
#include <pktkit/embed/graph.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/embed/testing.h>

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

#define RS_LEN (14 + 40 + 16)

/* A router solicitation from fe80::5054:ff:fe00:1 with a source link-layer option. */
static void build_rs(uint8_t rs[RS_LEN], uint8_t hop_limit)
{
	uint8_t *ip6 = rs + 14, *icmp = ip6 + 40;

	memset(rs, 0, RS_LEN);
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
	ip6[7] = hop_limit;
	inet_pton(AF_INET6, "fe80::5054:ff:fe00:1", ip6 + 8);
	inet_pton(AF_INET6, "ff02::2", ip6 + 24);
	icmp[0] = PK_ICMP6_ROUTER_SOLICIT;
	icmp[8] = 1;
	icmp[9] = 1;
	icmp[10] = 0x52;
	icmp[15] = 1;
	pk_put_be16(icmp + 2, pk_csum_fold(pk_csum_partial(
				      icmp, 16, pk_csum_pseudo6(ip6 + 8, ip6 + 24, 58, 16))));
}

static void inject_rs(struct pk_dev *pipe)
{
	uint8_t rs[RS_LEN];

	build_rs(rs, 255);
	g_assert_true(pk_pipe_inject(pipe, rs, sizeof(rs)));
}

/* Pop and check every advertisement the pipe holds; return how many. */
static unsigned int pop_ras(struct pk_dev *pipe)
{
	unsigned int n = 0;

	while (pk_pipe_pending(pipe)) {
		struct pk_buf *b = pk_pipe_pop(pipe);

		check_ra(b, "fd00::");
		pk_buf_unref(b);
		n++;
	}
	return n;
}

/*
 * Advance the fake clock in @step_ns steps for at most @span_ns; return the
 * time at the end of the step in which the first advertisement came out
 * (popped), or UINT64_MAX if none did.
 */
static uint64_t next_ra(struct pk_graph *g, struct pk_dev *pipe, uint64_t span_ns,
			uint64_t step_ns)
{
	for (uint64_t t = 0; t < span_ns; t += step_ns) {
		pk_graph_clock_advance(g, step_ns);
		if (pk_pipe_pending(pipe)) {
			g_assert_cmpuint(pop_ras(pipe), ==, 1);
			return pk_graph_now(g);
		}
	}
	return UINT64_MAX;
}

#define MS (SEC / 1000)

/*
 * RFC 4861 6.2.4: the first advertisement at start, the next ones after
 * random intervals between min-interval and interval.
 */
static void test_periodic(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup(NULL, &ra, &pipe);	/* interval 10 s: min 3.3 s */
	uint64_t last, t, lo = UINT64_MAX, hi = 0;
	struct pk_buf *b;

	pk_graph_clock_advance(g, 1);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 1);
	b = pk_pipe_pop(pipe);
	g_assert_cmpuint(check_ra(b, "fd00::"), ==, (1u << 1) | (1u << 3));
	pk_buf_unref(b);
	last = 0;
	for (int i = 0; i < 100; i++) {
		t = next_ra(g, pipe, 11 * SEC, 10 * MS);
		g_assert_cmpuint(t, !=, UINT64_MAX);
		lo = MIN(lo, t - last);
		hi = MAX(hi, t - last);
		last = t;
	}
	/* Times are those of the 10 ms steps: 10 ms of slack either way. */
	g_assert_cmpuint(lo, >=, 3290 * MS);
	g_assert_cmpuint(hi, <=, 10 * SEC + 10 * MS);
	g_assert_cmpuint(hi - lo, >, 1 * SEC);	/* randomized, not periodic */
	g_assert_cmpuint(pk_dev_counter(ra, "advertisements"), ==, 101);
	g_assert_cmpuint(pk_dev_counter(ra, "solicited-advertisements"), ==, 0);
	pk_graph_free(g);
}

/* With a long interval the first three intervals are at most 16 s. */
static void test_initial(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup("{\"interval\": \"60s\", \"min-interval\": \"30s\"}", &ra,
				   &pipe);
	uint64_t last, t;

	pk_graph_clock_advance(g, 1);
	g_assert_cmpuint(pop_ras(pipe), ==, 1);
	last = pk_graph_now(g);	/* steps of 100 ms from here meet 16 s exactly */
	for (int i = 0; i < 3; i++) {
		t = next_ra(g, pipe, 17 * SEC, 100 * MS);
		g_assert_cmpuint(t - last, ==, 16 * SEC);
		last = t;
	}
	t = next_ra(g, pipe, 61 * SEC, 100 * MS);
	g_assert_cmpuint(t - last, >=, 30 * SEC);
	g_assert_cmpuint(t - last, <=, 60 * SEC + 100 * MS);
	pk_graph_free(g);
}

/* Quiet device: advertisements at 0, 16 and 32 s, then none for at least 594 s. */
static struct pk_graph *setup_quiet(struct pk_dev **ra, struct pk_dev **pipe)
{
	struct pk_graph *g = setup("{\"interval\": \"1800s\"}", ra, pipe);

	pk_graph_clock_advance(g, 40 * SEC);
	g_assert_cmpuint(pop_ras(*pipe), ==, 3);
	return g;
}

/* RFC 4861 6.2.6: the answer comes after a random delay of at most 500 ms. */
static void test_solicited_delay(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup_quiet(&ra, &pipe);
	uint64_t d, lo = UINT64_MAX, hi = 0;

	for (int i = 0; i < 40; i++) {
		uint64_t t0;

		pk_graph_clock_advance(g, 4 * SEC);	/* more than 3 s after the last */
		t0 = pk_graph_now(g);
		inject_rs(pipe);
		g_assert_cmpuint(pk_pipe_pending(pipe), ==, 0);	/* never at once */
		d = next_ra(g, pipe, 1 * SEC, 1 * MS) - t0;
		g_assert_cmpuint(d, >=, 1 * MS);
		g_assert_cmpuint(d, <=, 501 * MS);
		lo = MIN(lo, d);
		hi = MAX(hi, d);
	}
	g_assert_cmpuint(hi, >, lo);	/* random */
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations"), ==, 40);
	g_assert_cmpuint(pk_dev_counter(ra, "solicited-advertisements"), ==, 40);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-coalesced"), ==, 0);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-deferred"), ==, 0);
	pk_graph_free(g);
}

/* Multicast advertisements at least 3 s apart; solicitations meanwhile share one. */
static void test_spacing_and_coalescing(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup_quiet(&ra, &pipe);
	uint64_t t1, t2;

	inject_rs(pipe);
	t1 = next_ra(g, pipe, 1 * SEC, 1 * MS);
	g_assert_cmpuint(t1, !=, UINT64_MAX);
	/* 100 ms later: the answer waits until 3 s after t1 (+ up to 500 ms),
	 * and nine more solicitations are answered by it. */
	pk_graph_clock_advance(g, 100 * MS);
	for (int i = 0; i < 10; i++)
		inject_rs(pipe);
	pk_graph_clock_advance(g, 2800 * MS);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 0);
	t2 = next_ra(g, pipe, 1 * SEC, 1 * MS);
	g_assert_cmpuint(t2 - t1, >=, 3 * SEC);
	g_assert_cmpuint(t2 - t1, <=, 3501 * MS);
	pk_graph_clock_advance(g, 10 * SEC);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 0);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations"), ==, 11);
	g_assert_cmpuint(pk_dev_counter(ra, "solicited-advertisements"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-deferred"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-coalesced"), ==, 9);
	g_assert_cmpuint(pk_dev_counter(ra, "advertisements"), ==, 5);
	pk_graph_free(g);
}

/*
 * Issue 10: 10,000 solicitations over 10 s give one advertisement every 3 to
 * 3.5 s, everything else counted; afterwards the unsolicited schedule goes on
 * as before (random intervals between min-interval and interval).
 */
static void test_flood(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup(NULL, &ra, &pipe);	/* interval 10 s: min 3.3 s */
	uint64_t times[64], t0;
	unsigned int n = 0;

	pk_graph_clock_advance(g, 1);
	g_assert_cmpuint(pop_ras(pipe), ==, 1);
	times[n++] = pk_graph_now(g);
	t0 = pk_graph_now(g);
	for (int i = 0; i < 10000; i++) {
		inject_rs(pipe);
		pk_graph_clock_advance(g, 1 * MS);
		if (pk_pipe_pending(pipe)) {
			g_assert_cmpuint(pop_ras(pipe), ==, 1);
			g_assert_cmpuint(n, <, G_N_ELEMENTS(times));
			times[n++] = pk_graph_now(g);
		}
	}
	g_assert_cmpuint(pk_graph_now(g) - t0, ==, 10 * SEC);
	/* One every 3 to 3.5 s: 0 (start), then 2 or 3 in the next 10 s. */
	g_assert_cmpuint(n, >=, 3);
	g_assert_cmpuint(n, <=, 4);
	for (unsigned int i = 1; i < n; i++) {
		g_assert_cmpuint(times[i] - times[i - 1], >=, 3 * SEC);
		g_assert_cmpuint(times[i] - times[i - 1], <=, 3501 * MS);
	}
	g_assert_cmpuint(pk_dev_counter(ra, "advertisements"), ==, n);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations"), ==, 10000);
	g_assert_cmpuint(pk_dev_counter(ra, "solicited-advertisements"), ==, n - 1);
	/* Every solicitation either started an answer or was coalesced into one. */
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-coalesced"), >=, 10000 - n);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-deferred"), >=, n - 1);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations-coalesced") +
			 pk_dev_counter(ra, "solicitations-deferred"), <=, 10000);
	g_assert_cmpuint(pk_dev_counter(ra, "dropped-no-buffer"), ==, 0);
	/* The flood over, the answer still due (unless the last advertisement
	 * came just after the last solicitation) goes 3 to 3.5 s after the last;
	 * then the unsolicited schedule is as before (10 ms steps: 10 ms slack). */
	{
		uint64_t t = next_ra(g, pipe, 11 * SEC, 1 * MS);
		bool answer = pk_dev_counter(ra, "solicited-advertisements") == n;

		g_assert_cmpuint(t - times[n - 1], >=, answer ? 3 * SEC : 3300 * MS);
		g_assert_cmpuint(t - times[n - 1], <=, answer ? 3501 * MS : 10 * SEC + 1 * MS);
		times[n - 1] = t;
	}
	for (int i = 0; i < 20; i++) {
		uint64_t t = next_ra(g, pipe, 11 * SEC, 10 * MS);

		g_assert_cmpuint(t - times[n - 1], >=, 3290 * MS);
		g_assert_cmpuint(t - times[n - 1], <=, 10 * SEC + 10 * MS);
		times[n - 1] = t;
	}
	g_assert_cmpuint(pk_dev_counter(ra, "solicited-advertisements"), <=, n);
	g_assert_cmpuint(pk_dev_counter(ra, "solicitations"), ==, 10000);
	pk_graph_free(g);
}

static void test_solicited_and_options(void)
{
	struct pk_dev *ra, *pipe;
	struct pk_graph *g = setup("{\"prefix\": \"2001:db8:1::/64\", \"mtu\": 1400, \"rdnss\": "
				   "[{\"address\": \"2001:db8:1::53\"}], \"managed\": true, "
				   "\"interval\": \"1800s\"}",
				   &ra, &pipe);
	uint8_t rs[RS_LEN];
	struct pk_buf *b;

	pk_graph_clock_advance(g, 1);
	pk_buf_unref(pk_pipe_pop(pipe));
	pk_graph_clock_advance(g, 5 * SEC);

	build_rs(rs, 255);
	g_assert_true(pk_pipe_inject(pipe, rs, sizeof(rs)));
	pk_graph_clock_advance(g, 500 * MS);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 1);
	b = pk_pipe_pop(pipe);
	g_assert_cmpuint(check_ra(b, "2001:db8:1::"), ==,
			 (1u << 1) | (1u << 3) | (1u << 5) | (1u << 25));
	g_assert_cmpuint(pk_buf_data(b)[14 + 40 + 5], ==, 0x80);
	pk_buf_unref(b);
	/* Hop limit below 255: not a valid solicitation. */
	pk_graph_clock_advance(g, 5 * SEC);
	build_rs(rs, 254);
	g_assert_true(pk_pipe_inject(pipe, rs, sizeof(rs)));
	pk_graph_clock_advance(g, 1 * SEC);
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

	/* min-interval: 3 s .. 3/4 of interval; interval at least 4 s. */
	for (unsigned int i = 0; i < 3; i++) {
		static const char *const bad[] = {
			"{\"min-interval\": \"2s\"}",
			"{\"interval\": \"10s\", \"min-interval\": \"8s\"}",
			"{\"interval\": \"3s\"}",
		};
		g_autoptr(JsonNode) n2 = json_from_string(bad[i], NULL);
		g_autoptr(GError) err2 = NULL;

		g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
		g_assert_null(pk_graph_add_device(g, "ra", "svc.ipv6-ra", json_node_get_object(n2),
						  &err2));
		g_assert_nonnull(err2);
		pk_graph_free(g);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dhcp/ra/periodic", test_periodic);
	g_test_add_func("/dhcp/ra/initial", test_initial);
	g_test_add_func("/dhcp/ra/solicited-delay", test_solicited_delay);
	g_test_add_func("/dhcp/ra/spacing-and-coalescing", test_spacing_and_coalescing);
	g_test_add_func("/dhcp/ra/flood", test_flood);
	g_test_add_func("/dhcp/ra/solicited-and-options", test_solicited_and_options);
	g_test_add_func("/dhcp/ra/bad-config", test_bad_config);
	return g_test_run();
}
