/* SPDX-License-Identifier: MIT
 * test-nat-table.c - NAT44 connection tracking on a fake clock: mapping, ports, filtering, timeouts, limits
 */
#include <arpa/inet.h>
#include <glib.h>

#include "nat-table.h"

#define SEC 1000000000ull
#define TCP 6
#define UDP 17
#define ICMP 1

static uint32_t A(const char *s)
{
	uint32_t a;

	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a;
}

static struct nat_params params(void)
{
	struct nat_params p = {
		.n_outside = 1,
		.port_lo = 1024,
		.port_hi = 65535,
		.port_preserve = true,
		.filtering = NAT_FILTER_APD,
		.max_flows = 1024,
		.tcp_est_ns = (2 * 3600 + 4 * 60) * SEC,
		.tcp_trans_ns = 4 * 60 * SEC,
		.udp_ns = 300 * SEC,
		.icmp_ns = 60 * SEC,
		.seed = 1234,
	};

	p.outside[0] = A("192.0.2.1");
	return p;
}

static struct nat_tuple tup(uint8_t proto, const char *src, uint16_t sport, const char *dst,
			    uint16_t dport)
{
	return (struct nat_tuple){
		.proto = proto, .src = A(src), .dst = A(dst), .sport = sport, .dport = dport
	};
}

static enum nat_verdict out(struct nat_table *t, struct nat_tuple in, uint8_t flags, uint64_t now,
			    struct nat_xlate_res *r)
{
	struct nat_xlate_res tmp;

	return nat_table_outbound(t, &in, flags, 0, now, r ? r : &tmp);
}

static enum nat_verdict in(struct nat_table *t, struct nat_tuple tp, uint8_t flags, uint64_t now,
			   struct nat_xlate_res *r)
{
	struct nat_xlate_res tmp;

	return nat_table_inbound(t, &tp, flags, now, r ? r : &tmp);
}

static void test_mapping_eim_preservation(void)
{
	struct nat_params p = params();
	struct nat_table *t = nat_table_new(&p);
	struct nat_xlate_res r, r2;

	g_assert_cmpint(out(t, tup(UDP, "10.0.0.2", 5000, "198.51.100.1", 53), 0, 0, &r), ==,
			NAT_OK);
	g_assert_cmpuint(r.t.src, ==, A("192.0.2.1"));
	g_assert_cmpuint(r.t.sport, ==, 5000); /* preserved */
	g_assert_cmpuint(r.t.dst, ==, A("198.51.100.1"));
	g_assert_cmpuint(r.t.dport, ==, 53);
	/* Endpoint-independent: the same outside endpoint for another remote. */
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.2", 5000, "203.0.113.9", 123), 0, 0, &r2), ==,
			NAT_OK);
	g_assert_cmpuint(r2.t.sport, ==, 5000);
	g_assert_cmpuint(r2.mapping, ==, r.mapping);
	g_assert_cmpuint(nat_table_n_mappings(t), ==, 1);
	g_assert_cmpuint(nat_table_n_flows(t), ==, 2);
	/* Another host with the same port gets another outside port. */
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.3", 5000, "198.51.100.1", 53), 0, 0, &r2), ==,
			NAT_OK);
	g_assert_cmpuint(r2.t.sport, !=, 5000);
	g_assert_cmpuint(r2.t.sport, >=, 1024);
	/* The reply finds its way back. */
	g_assert_cmpint(in(t, tup(UDP, "198.51.100.1", 53, "192.0.2.1", 5000), 0, 0, &r2), ==,
			NAT_OK);
	g_assert_cmpuint(r2.t.dst, ==, A("10.0.0.2"));
	g_assert_cmpuint(r2.t.dport, ==, 5000);
	g_assert_cmpuint(r2.t.src, ==, A("198.51.100.1"));
	/* A port below the range is not preserved. */
	g_assert_cmpint(out(t, tup(TCP, "10.0.0.2", 80, "198.51.100.1", 80), 0x02, 0, &r2), ==,
			NAT_OK);
	g_assert_cmpuint(r2.t.sport, >=, 1024);
	nat_table_free(t);
}

static void test_parity(void)
{
	struct nat_params p = params();
	struct nat_table *t;
	struct nat_xlate_res r;

	p.port_parity = true;
	t = nat_table_new(&p);
	for (unsigned i = 0; i < 50; i++) {
		char host[32];

		g_snprintf(host, sizeof(host), "10.0.1.%u", i + 1);
		g_assert_cmpint(
			out(t, tup(UDP, host, 5000 + (i & 1), "198.51.100.1", 53), 0, 0, &r), ==,
			NAT_OK);
		g_assert_cmpuint(r.t.sport & 1, ==, i & 1);
		if (i < 2)
			g_assert_cmpuint(r.t.sport, ==, 5000 + i);
	}
	nat_table_free(t);
}

static void test_range_exhaustion(void)
{
	struct nat_params p = params();
	struct nat_table *t;
	struct nat_xlate_res r;

	p.port_lo = 2000;
	p.port_hi = 2003;
	t = nat_table_new(&p);
	for (unsigned i = 0; i < 4; i++) {
		char host[32];

		g_snprintf(host, sizeof(host), "10.0.0.%u", i + 1);
		g_assert_cmpint(out(t, tup(UDP, host, 40000, "198.51.100.1", 53), 0, 0, &r), ==,
				NAT_OK);
		g_assert_cmpuint(r.t.sport, >=, 2000);
		g_assert_cmpuint(r.t.sport, <=, 2003);
	}
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.9", 40000, "198.51.100.1", 53), 0, 0, &r), ==,
			NAT_DROP_PORTS_EXHAUSTED);
	/* A known mapping still gets new flows. */
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.1", 40000, "198.51.100.2", 53), 0, 0, &r), ==,
			NAT_OK);
	/* TCP has ports of its own. */
	g_assert_cmpint(out(t, tup(TCP, "10.0.0.9", 40000, "198.51.100.1", 80), 0x02, 0, &r), ==,
			NAT_OK);
	/* ICMP identifiers use the whole range. */
	g_assert_cmpint(out(t, tup(ICMP, "10.0.0.9", 7, "198.51.100.1", 7), 0, 0, &r), ==, NAT_OK);
	g_assert_cmpuint(r.t.sport, ==, 7);
	g_assert_cmpuint(r.t.dport, ==, 7);
	nat_table_free(t);
}

static void filtering_case(uint32_t mode, bool other_port_ok, bool other_addr_ok)
{
	struct nat_params p = params();
	struct nat_table *t;

	p.filtering = mode;
	t = nat_table_new(&p);
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.2", 5000, "198.51.100.1", 3478), 0, 0, NULL), ==,
			NAT_OK);
	/* The remote it sent to. */
	g_assert_cmpint(in(t, tup(UDP, "198.51.100.1", 3478, "192.0.2.1", 5000), 0, 0, NULL), ==,
			NAT_OK);
	g_assert_cmpint(in(t, tup(UDP, "198.51.100.1", 3479, "192.0.2.1", 5000), 0, 0, NULL), ==,
			other_port_ok ? NAT_OK : NAT_DROP_FILTERED);
	g_assert_cmpint(in(t, tup(UDP, "198.51.100.2", 3478, "192.0.2.1", 5000), 0, 0, NULL), ==,
			other_addr_ok ? NAT_OK : NAT_DROP_FILTERED);
	/* No mapping at all. */
	g_assert_cmpint(in(t, tup(UDP, "198.51.100.1", 3478, "192.0.2.1", 5001), 0, 0, NULL), ==,
			NAT_DROP_NO_MAPPING);
	/* Unsolicited TCP: not a SYN, or no mapping. */
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 80, "192.0.2.1", 5000), 0x10, 0, NULL), ==,
			NAT_DROP_NO_MAPPING);
	nat_table_free(t);
}

static void test_filtering(void)
{
	filtering_case(NAT_FILTER_EI, true, true);
	filtering_case(NAT_FILTER_AD, true, false);
	filtering_case(NAT_FILTER_APD, false, false);
}

static void test_timeouts(void)
{
	struct nat_params p = params();
	struct nat_table *t = nat_table_new(&p);
	uint64_t now = 1000 * SEC;

	/* UDP: 5 minutes, refreshed by traffic. */
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.2", 5000, "198.51.100.1", 53), 0, now, NULL), ==,
			NAT_OK);
	g_assert_cmpint(
		in(t, tup(UDP, "198.51.100.1", 53, "192.0.2.1", 5000), 0, now + 299 * SEC, NULL),
		==, NAT_OK);
	g_assert_cmpint(
		in(t, tup(UDP, "198.51.100.1", 53, "192.0.2.1", 5000), 0, now + 598 * SEC, NULL),
		==, NAT_OK);
	g_assert_cmpint(
		in(t, tup(UDP, "198.51.100.1", 53, "192.0.2.1", 5000), 0, now + 899 * SEC, NULL),
		==, NAT_DROP_NO_MAPPING);
	g_assert_cmpuint(nat_table_n_flows(t), ==, 0);
	g_assert_cmpuint(nat_table_n_mappings(t), ==, 0);

	/* TCP: transitory until established in both directions. */
	now = 10000 * SEC;
	g_assert_cmpint(out(t, tup(TCP, "10.0.0.2", 40000, "198.51.100.1", 80), 0x02, now, NULL),
			==, NAT_OK);
	g_assert_cmpint(nat_table_expire(t, now + 4 * 60 * SEC + 1), ==, 1);
	g_assert_cmpint(out(t, tup(TCP, "10.0.0.2", 40000, "198.51.100.1", 80), 0x02, now, NULL),
			==, NAT_OK);
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 80, "192.0.2.1", 40000), 0x12, now, NULL),
			==, NAT_OK);
	g_assert_cmpint(out(t, tup(TCP, "10.0.0.2", 40000, "198.51.100.1", 80), 0x10, now, NULL),
			==, NAT_OK);
	{
		const struct nat_flow *f = NULL;

		for (uint32_t i = 0; i < nat_table_capacity(t) && !f; i++)
			f = nat_table_flow_at(t, i);
		g_assert_nonnull(f);
		g_assert_cmpuint(f->tcp_state, ==, NAT_TCP_ESTABLISHED);
		g_assert_cmpuint(nat_table_flow_timeout(t, f), ==, p.tcp_est_ns);
	}
	g_assert_cmpint(nat_table_expire(t, now + 2 * 3600 * SEC), ==, 0);
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 80, "192.0.2.1", 40000), 0x10,
			   now + 2 * 3600 * SEC, NULL),
			==, NAT_OK);
	now += 2 * 3600 * SEC;
	/* FIN both ways: transitory again. */
	g_assert_cmpint(out(t, tup(TCP, "10.0.0.2", 40000, "198.51.100.1", 80), 0x11, now, NULL),
			==, NAT_OK);
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 80, "192.0.2.1", 40000), 0x11, now, NULL),
			==, NAT_OK);
	g_assert_cmpint(nat_table_expire(t, now + 3 * 60 * SEC), ==, 0);
	g_assert_cmpint(nat_table_expire(t, now + 4 * 60 * SEC + 1), ==, 1);

	/* ICMP echo: 60 s. */
	g_assert_cmpint(out(t, tup(ICMP, "10.0.0.2", 99, "198.51.100.1", 99), 0, now, NULL), ==,
			NAT_OK);
	g_assert_cmpint(
		in(t, tup(ICMP, "198.51.100.1", 99, "192.0.2.1", 99), 0, now + 59 * SEC, NULL), ==,
		NAT_OK);
	g_assert_cmpint(in(t, tup(ICMP, "198.51.100.1", 99, "192.0.2.1", 99), 0,
			   now + 59 * SEC + 61 * SEC, NULL),
			==, NAT_DROP_NO_MAPPING);
	g_assert_cmpuint(nat_table_stats(t)->flows_expired, >=, 4);
	nat_table_free(t);
}

static void test_table_full(void)
{
	struct nat_params p = params();
	struct nat_table *t;
	size_t mem;

	p.max_flows = 16;
	t = nat_table_new(&p);
	mem = nat_table_memory(t);
	for (unsigned i = 0; i < 16; i++)
		g_assert_cmpint(out(t,
				    tup(UDP, "10.0.0.2", (uint16_t)(3000 + i), "198.51.100.1", 53),
				    0, 0, NULL),
				==, NAT_OK);
	for (unsigned i = 0; i < 100; i++)
		g_assert_cmpint(out(t,
				    tup(UDP, "10.0.0.3", (uint16_t)(3000 + i), "198.51.100.1", 53),
				    0, 10 * SEC, NULL),
				==, NAT_DROP_TABLE_FULL);
	/* Existing flows go on. */
	g_assert_cmpint(in(t, tup(UDP, "198.51.100.1", 53, "192.0.2.1", 3000), 0, 10 * SEC, NULL),
			==, NAT_OK);
	g_assert_cmpuint(nat_table_n_flows(t), ==, 16);
	g_assert_cmpuint(nat_table_memory(t), ==, mem);
	/* Once they expired, room again (reclaimed when a new flow needs it). */
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.3", 3000, "198.51.100.1", 53), 0, 400 * SEC, NULL),
			==, NAT_OK);
	g_assert_cmpuint(nat_table_n_flows(t), ==, 1);
	nat_table_free(t);
}

static void test_paired(void)
{
	struct nat_params p = params();
	struct nat_table *t;

	p.n_outside = 4;
	p.outside[1] = A("192.0.2.2");
	p.outside[2] = A("192.0.2.3");
	p.outside[3] = A("192.0.2.4");
	t = nat_table_new(&p);
	for (unsigned h = 1; h < 30; h++) {
		char host[32];
		uint32_t first = 0;

		g_snprintf(host, sizeof(host), "10.0.0.%u", h);
		for (unsigned i = 0; i < 10; i++) {
			struct nat_xlate_res r;

			g_assert_cmpint(out(t,
					    tup(i & 1 ? TCP : UDP, host, (uint16_t)(2000 + i),
						"198.51.100.1", 53),
					    0x02, 0, &r),
					==, NAT_OK);
			if (!i)
				first = r.t.src;
			g_assert_cmpuint(r.t.src, ==, first);
		}
		g_assert_cmpuint(nat_table_core_ops.outside_addr(t, A(host)), ==, first);
	}
	nat_table_free(t);
}

static void test_expect(void)
{
	struct nat_params p = params();
	struct nat_table *t = nat_table_new(&p);
	struct nat_endpoint4 inside = { A("10.0.0.2"), 2000 }, o, remote = { A("198.51.100.1"), 0 };
	struct nat_xlate_res r;

	nat_table_set_now(t, 0);
	g_assert_cmpint(nat_table_core_ops.map(t, TCP, &inside, 0, false, 0, &o), ==, NAT_CORE_OK);
	g_assert_cmpuint(o.addr, ==, A("192.0.2.1"));
	g_assert_cmpuint(o.port, ==, 2000);
	/* Without the expectation, a SYN from the server is filtered. */
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 20, "192.0.2.1", 2000), 0x02, 0, NULL), ==,
			NAT_DROP_FILTERED);
	g_assert_cmpint(nat_table_core_ops.expect(t, TCP, &remote, &o, &inside, 30), ==,
			NAT_CORE_OK);
	/* Another remote does not match it. */
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.7", 20, "192.0.2.1", 2000), 0x02, SEC, NULL), ==,
			NAT_DROP_FILTERED);
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 20, "192.0.2.1", 2000), 0x02, SEC, &r), ==,
			NAT_OK);
	g_assert_cmpuint(r.t.dst, ==, A("10.0.0.2"));
	g_assert_cmpuint(r.t.dport, ==, 2000);
	/* Consumed: a second connection from another port is filtered. */
	g_assert_cmpint(in(t, tup(TCP, "198.51.100.1", 21, "192.0.2.1", 2000), 0x02, SEC, NULL), ==,
			NAT_DROP_FILTERED);
	/* An expectation that timed out matches nothing. */
	g_assert_cmpint(nat_table_core_ops.expect(t, TCP, &remote, &o, &inside, 30), ==,
			NAT_CORE_OK);
	g_assert_cmpint(
		in(t, tup(TCP, "198.51.100.1", 22, "192.0.2.1", 2000), 0x02, 31 * SEC, NULL), ==,
		NAT_DROP_FILTERED);
	/* Invalid requests. */
	o.addr = A("192.0.2.99");
	g_assert_cmpint(nat_table_core_ops.expect(t, TCP, &remote, &o, &inside, 30), ==,
			NAT_CORE_ERR_INVALID);
	nat_table_free(t);
}

static void test_lease(void)
{
	struct nat_params p = params();
	struct nat_table *t = nat_table_new(&p);
	struct nat_endpoint4 inside = { A("10.0.0.2"), 6000 }, o, o2;

	nat_table_set_now(t, 0);
	g_assert_cmpint(nat_table_core_ops.map(t, UDP, &inside, 7000, true, 60, &o), ==,
			NAT_CORE_OK);
	g_assert_cmpuint(o.port, ==, 7000);
	/* exact: the port is taken now. */
	{
		struct nat_endpoint4 other = { A("10.0.0.3"), 6000 };

		g_assert_cmpint(nat_table_core_ops.map(t, UDP, &other, 7000, true, 60, &o2), ==,
				NAT_CORE_ERR_TAKEN);
		g_assert_cmpint(nat_table_core_ops.map(t, UDP, &other, 7000, false, 60, &o2), ==,
				NAT_CORE_OK);
		g_assert_cmpuint(o2.port, !=, 7000);
	}
	/* A lease takes anyone in, whatever the filtering. */
	g_assert_cmpint(in(t, tup(UDP, "203.0.113.5", 999, "192.0.2.1", 7000), 0, 10 * SEC, NULL),
			==, NAT_OK);
	/* Gone after its lifetime (and its flow's timeout). */
	nat_table_expire(t, 400 * SEC);
	g_assert_cmpint(in(t, tup(UDP, "203.0.113.6", 999, "192.0.2.1", 7000), 0, 400 * SEC, NULL),
			==, NAT_DROP_NO_MAPPING);
	/* unmap removes it at once. */
	nat_table_set_now(t, 400 * SEC);
	g_assert_cmpint(nat_table_core_ops.map(t, UDP, &inside, 7000, true, 60, &o), ==,
			NAT_CORE_OK);
	nat_table_core_ops.unmap(t, UDP, &o);
	g_assert_cmpint(in(t, tup(UDP, "203.0.113.6", 999, "192.0.2.1", 7000), 0, 401 * SEC, NULL),
			==, NAT_DROP_NO_MAPPING);
	nat_table_free(t);
}

static void test_static(void)
{
	struct nat_params p = params();
	struct nat_table *t = nat_table_new(&p);
	struct nat_endpoint4 o = { A("192.0.2.1"), 8080 }, inside = { A("10.0.0.5"), 80 }, by;
	struct nat_endpoint4 other = { A("10.0.0.6"), 80 };
	struct nat_xlate_res r;

	g_assert_cmpint(nat_table_static_add(t, TCP, &o, &inside, 3), ==, NAT_CORE_OK);
	g_assert_cmpint(nat_table_static_check(t, TCP, &o, &other, &by), ==, NAT_CORE_ERR_TAKEN);
	g_assert_cmpuint(by.addr, ==, inside.addr);
	g_assert_cmpint(in(t, tup(TCP, "203.0.113.5", 5555, "192.0.2.1", 8080), 0x02, 0, &r), ==,
			NAT_OK);
	g_assert_cmpuint(r.t.dst, ==, inside.addr);
	g_assert_cmpuint(r.t.dport, ==, 80);
	g_assert_cmpuint(r.in_ifindex, ==, 3);
	/* Flush keeps forwards. */
	nat_table_flush(t);
	g_assert_cmpuint(nat_table_n_flows(t), ==, 0);
	g_assert_cmpuint(nat_table_n_mappings(t), ==, 1);
	/* A dynamic mapping's port is taken for a forward. */
	g_assert_cmpint(out(t, tup(UDP, "10.0.0.7", 9000, "198.51.100.1", 53), 0, 0, NULL), ==,
			NAT_OK);
	o.port = 9000;
	g_assert_cmpint(nat_table_static_check(t, UDP, &o, &other, &by), ==, NAT_CORE_ERR_TAKEN);
	g_assert_cmpuint(by.port, ==, 9000);
	/* Removal frees the port at once. */
	o.port = 8080;
	nat_table_static_remove(t, TCP, &o);
	g_assert_cmpint(nat_table_static_check(t, TCP, &o, &other, NULL), ==, NAT_CORE_OK);
	g_assert_cmpint(in(t, tup(TCP, "203.0.113.5", 5555, "192.0.2.1", 8080), 0x02, 0, NULL), ==,
			NAT_DROP_NO_MAPPING);
	nat_table_free(t);
}

static void test_fragments(void)
{
	struct nat_params p = params();
	struct nat_table *t = nat_table_new(&p);
	struct nat_frag f = { .src = A("10.0.0.2"),
			      .dst = A("198.51.100.1"),
			      .id = 77,
			      .proto = UDP,
			      .dir = NAT_DIR_OUT,
			      .new_src = A("192.0.2.1"),
			      .new_dst = A("198.51.100.1"),
			      .out_if = NAT_IF_OUTSIDE };

	nat_table_frag_note(t, &f, 0);
	g_assert_nonnull(nat_table_frag_find(t, NAT_DIR_OUT, f.src, f.dst, UDP, 77, SEC));
	g_assert_null(nat_table_frag_find(t, NAT_DIR_OUT, f.src, f.dst, UDP, 78, SEC));
	g_assert_null(nat_table_frag_find(t, NAT_DIR_IN, f.src, f.dst, UDP, 77, SEC));
	g_assert_null(nat_table_frag_find(t, NAT_DIR_OUT, f.src, f.dst, UDP, 77, 31 * SEC));
	nat_table_free(t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/table/eim-preservation", test_mapping_eim_preservation);
	g_test_add_func("/nat/table/parity", test_parity);
	g_test_add_func("/nat/table/range-exhaustion", test_range_exhaustion);
	g_test_add_func("/nat/table/filtering", test_filtering);
	g_test_add_func("/nat/table/timeouts", test_timeouts);
	g_test_add_func("/nat/table/full", test_table_full);
	g_test_add_func("/nat/table/paired", test_paired);
	g_test_add_func("/nat/table/expect", test_expect);
	g_test_add_func("/nat/table/lease", test_lease);
	g_test_add_func("/nat/table/static", test_static);
	g_test_add_func("/nat/table/fragments", test_fragments);
	return g_test_run();
}
