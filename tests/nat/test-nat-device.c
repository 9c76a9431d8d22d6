/* SPDX-License-Identifier: MIT
 * test-nat-device.c - l3.nat in a graph on a fake clock: both ways, filtering, hairpin, forwards, status, flush, NAT-PMP
 *
 * Pipes stand for two inside networks ("in0" on inside.0, "in1" on
 * inside.1) and the outside ("out").
 */
#include <arpa/inet.h>
#include <string.h>
#include <glib.h>
#include <pktkit/pktkit.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>
#include <pktkit/embed/testing.h>

#define SEC 1000000000ull
#define TCP 6
#define UDP 17
#define ICMP 1

struct net {
	struct pk_registry *reg;
	struct pk_graph *g;
	struct pk_dev *nat, *in0, *in1, *out;
};

static uint32_t A(const char *s)
{
	uint32_t a;

	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a;
}

static void net_setup(struct net *n, const char *nat_extra)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *json = g_strdup_printf(
		"{ \"devices\": {"
		" \"in0\": { \"type\": \"core.pipe-l3\" }, \"in1\": { \"type\": \"core.pipe-l3\" },"
		" \"out\": { \"type\": \"core.pipe-l3\" },"
		" \"nat\": { \"type\": \"l3.nat\", \"outside-addresses\": \"192.0.2.1\"%s } },"
		" \"links\": [ [\"in0\", \"nat.inside.0\"], [\"in1\", \"nat.inside.1\"],"
		"              [\"out\", \"nat.outside\"] ] }",
		nat_extra ? nat_extra : "");
	g_autoptr(JsonNode) root = json_from_string(json, &error);

	g_assert_no_error(error);
	n->reg = pk_registry_new();
	pk_registry_scan_default(n->reg);
	n->g = pk_graph_new(n->reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_assert_true(pk_graph_load(n->g, root, &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(n->g, &error));
	g_assert_no_error(error);
	n->nat = pk_graph_lookup(n->g, "nat");
	n->in0 = pk_graph_lookup(n->g, "in0");
	n->in1 = pk_graph_lookup(n->g, "in1");
	n->out = pk_graph_lookup(n->g, "out");
}

static void net_teardown(struct net *n)
{
	pk_graph_free(n->g);
	pk_registry_free(n->reg);
}

static uint32_t build(uint8_t *p, uint8_t proto, const char *src, uint16_t sport, const char *dst,
		      uint16_t dport, uint8_t tcp_flags, uint8_t ttl)
{
	uint32_t l4h = proto == TCP ? 20 : 8, len = 20 + l4h + 12;
	uint32_t s = A(src), d = A(dst);
	uint8_t *l4 = p + 20;

	memset(p, 0, len);
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	pk_ip4_csum_fill(p, 20);
	memcpy(l4 + l4h, "hello, world", 12);
	if (proto == ICMP) {
		l4[0] = 8;
		pk_put_be16(l4 + 4, sport);
		pk_put_be16(l4 + 2, pk_csum(l4, l4h + 12));
		return len;
	}
	pk_put_be16(l4, sport);
	pk_put_be16(l4 + 2, dport);
	if (proto == UDP) {
		pk_put_be16(l4 + 4, 20);
	} else {
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
		pk_put_be16(l4 + 14, 1000);
	}
	pk_put_be16(l4 + (proto == UDP ? 6 : 16),
		    pk_csum_fold(pk_csum_partial(
			    l4, l4h + 12, pk_csum_pseudo4(p + 12, p + 16, proto, l4h + 12))));
	return len;
}

static void tx(struct pk_dev *pipe, uint8_t proto, const char *src, uint16_t sport, const char *dst,
	       uint16_t dport, uint8_t flags)
{
	uint8_t p[128];
	uint32_t len = build(p, proto, src, sport, dst, dport, flags, 64);

	g_assert_true(pk_pipe_inject(pipe, p, len));
}

/* The one packet @pipe received (asserting it is alone), checksums verified. */
static struct pk_buf *pop_one(struct pk_dev *pipe)
{
	struct pk_buf *b = pk_pipe_pop(pipe);
	struct pk_ip4_view v = { 0 };

	g_assert_nonnull(b);
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 0);
	g_assert_true(pk_ip4_parse(pk_buf_data(b), pk_buf_len(b), &v));
	g_assert_true(pk_ip4_csum_ok(&v));
	if (v.proto == ICMP)
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, 0));
	else
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v)));
	return b;
}

static void assert_src_dst(struct pk_buf *b, const char *src, uint16_t sport, const char *dst,
			   uint16_t dport)
{
	const uint8_t *p = pk_buf_data(b);
	uint32_t s, d;

	memcpy(&s, p + 12, 4);
	memcpy(&d, p + 16, 4);
	g_assert_cmpuint(s, ==, A(src));
	g_assert_cmpuint(d, ==, A(dst));
	if (sport)
		g_assert_cmpuint(pk_get_be16(p + 20), ==, sport);
	if (dport)
		g_assert_cmpuint(pk_get_be16(p + 22), ==, dport);
}

static void set_config(struct net *n, const char *json, const char *want_error)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = json_from_string(json, &error);

	g_assert_no_error(error);
	if (want_error) {
		g_assert_false(
			pk_graph_set_config(n->g, "nat", json_node_get_object(node), &error));
		g_assert_nonnull(error);
		if (!strstr(error->message, want_error))
			g_error("error \"%s\" lacks \"%s\"", error->message, want_error);
	} else {
		g_assert_true(pk_graph_set_config(n->g, "nat", json_node_get_object(node), &error));
		g_assert_no_error(error);
	}
}

static void test_both_ways(void)
{
	struct net n;
	struct pk_buf *b;

	net_setup(&n, NULL);
	tx(n.in0, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 0);
	b = pop_one(n.out);
	assert_src_dst(b, "192.0.2.1", 5000, "198.51.100.1", 53);
	g_assert_cmpuint(pk_buf_data(b)[8], ==, 63);
	pk_buf_unref(b);
	tx(n.out, UDP, "198.51.100.1", 53, "192.0.2.1", 5000, 0);
	b = pop_one(n.in0);
	assert_src_dst(b, "198.51.100.1", 53, "10.0.0.2", 5000);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_pipe_pending(n.in1), ==, 0);
	/* A host behind inside.1 gets its answers there. */
	tx(n.in1, TCP, "10.0.1.2", 40000, "198.51.100.1", 80, 0x02);
	pk_buf_unref(pop_one(n.out));
	tx(n.out, TCP, "198.51.100.1", 80, "192.0.2.1", 40000, 0x12);
	b = pop_one(n.in1);
	assert_src_dst(b, "198.51.100.1", 80, "10.0.1.2", 40000);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_dev_counter(n.nat, "translated-out"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(n.nat, "translated-in"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(n.nat, "flows-created"), ==, 2);

	/* Unsolicited: nobody's port, and (address-dependent) a stranger. */
	tx(n.out, UDP, "198.51.100.1", 53, "192.0.2.1", 5001, 0);
	tx(n.out, UDP, "203.0.113.1", 53, "192.0.2.1", 5000, 0);
	tx(n.out, TCP, "203.0.113.1", 53, "192.0.2.1", 40000, 0x02);
	tx(n.out, UDP, "203.0.113.1", 53, "192.0.2.99", 5000, 0);
	g_assert_cmpuint(pk_pipe_pending(n.in0) + pk_pipe_pending(n.in1), ==, 0);
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-no-mapping"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-filtered"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-not-ours"), ==, 1);
	/* Same address, other port: allowed by address-dependent filtering. */
	tx(n.out, UDP, "198.51.100.1", 5353, "192.0.2.1", 5000, 0);
	pk_buf_unref(pop_one(n.in0));

	/* Idle timeout on the fake clock: 5 minutes for UDP. */
	pk_graph_clock_advance(n.g, 301 * SEC);
	tx(n.out, UDP, "198.51.100.1", 53, "192.0.2.1", 5000, 0);
	g_assert_cmpuint(pk_pipe_pending(n.in0), ==, 0);
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-no-mapping"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(n.nat, "flows-expired"), >=, 1);
	net_teardown(&n);
}

static void test_ttl_and_icmp(void)
{
	struct net n;
	struct pk_buf *b;
	uint8_t p[256], q[128];
	uint32_t len, qlen, s;

	net_setup(&n, ", \"inside-address\": \"10.0.0.1\"");
	/* TTL 1 from inside: Time Exceeded from the inside address. */
	len = build(p, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 0, 1);
	g_assert_true(pk_pipe_inject(n.in0, p, len));
	g_assert_cmpuint(pk_pipe_pending(n.out), ==, 0);
	b = pop_one(n.in0);
	assert_src_dst(b, "10.0.0.1", 0, "10.0.0.2", 0);
	g_assert_cmpuint(pk_buf_data(b)[20], ==, 11);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-ttl-expired"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(n.nat, "icmp-errors-sent"), ==, 1);

	/* An error from a router outside about our packet reaches the host. */
	tx(n.in0, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 0);
	b = pop_one(n.out);
	qlen = pk_buf_len(b);
	memcpy(q, pk_buf_data(b), qlen);
	pk_buf_unref(b);
	memset(p, 0, 28);
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)(28 + qlen));
	p[8] = 64;
	p[9] = ICMP;
	s = A("203.0.113.1");
	memcpy(p + 12, &s, 4);
	s = A("192.0.2.1");
	memcpy(p + 16, &s, 4);
	pk_ip4_csum_fill(p, 20);
	p[20] = 3;
	p[21] = 3;
	memcpy(p + 28, q, qlen);
	pk_put_be16(p + 22, pk_csum(p + 20, 8 + qlen));
	g_assert_true(pk_pipe_inject(n.out, p, 28 + qlen));
	b = pop_one(n.in0);
	assert_src_dst(b, "203.0.113.1", 0, "10.0.0.2", 0);
	g_assert_cmpuint(pk_dev_counter(n.nat, "icmp-errors-translated"), ==, 1);
	{
		const uint8_t *e = pk_buf_data(b) + 28;

		memcpy(&s, e + 12, 4);
		g_assert_cmpuint(s, ==, A("10.0.0.2"));
		g_assert_true(pk_csum_ok(e, 20, 0));
	}
	pk_buf_unref(b);
	/* Pings go out, their replies come back. */
	tx(n.in0, ICMP, "10.0.0.2", 33, "198.51.100.1", 33, 0);
	b = pop_one(n.out);
	assert_src_dst(b, "192.0.2.1", 0, "198.51.100.1", 0);
	pk_buf_unref(b);
	/* IPv6 is not translated. */
	memset(p, 0, 40);
	p[0] = 0x60;
	g_assert_true(pk_pipe_inject(n.in0, p, 40));
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-not-ipv4"), ==, 1);
	net_teardown(&n);
}

static void test_hairpin_forwards(void)
{
	struct net n;
	struct pk_buf *b;

	net_setup(&n, ", \"forwards\": [ { \"outside-port\": 8080, \"inside-address\": "
		      "\"10.0.1.5\", \"inside-port\": 80, \"port\": 1 } ]");
	/* From outside through the forward. */
	tx(n.out, TCP, "203.0.113.7", 1111, "192.0.2.1", 8080, 0x02);
	b = pop_one(n.in1);
	assert_src_dst(b, "203.0.113.7", 1111, "10.0.1.5", 80);
	pk_buf_unref(b);
	/* From inside: hairpinned, the source is the client's outside endpoint. */
	tx(n.in0, TCP, "10.0.0.2", 40000, "192.0.2.1", 8080, 0x02);
	g_assert_cmpuint(pk_pipe_pending(n.out), ==, 0);
	b = pop_one(n.in1);
	assert_src_dst(b, "192.0.2.1", 40000, "10.0.1.5", 80);
	pk_buf_unref(b);
	tx(n.in1, TCP, "10.0.1.5", 80, "192.0.2.1", 40000, 0x12);
	b = pop_one(n.in0);
	assert_src_dst(b, "192.0.2.1", 8080, "10.0.0.2", 40000);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_dev_counter(n.nat, "hairpinned"), ==, 2);

	/* Live: add a UDP forward, refuse duplicates and taken ports. */
	set_config(&n,
		   "{ \"forwards\": [ { \"outside-port\": 8080, \"inside-address\": \"10.0.1.5\","
		   " \"inside-port\": 80, \"port\": 1 }, { \"proto\": \"udp\", \"outside-port\": "
		   "5353, \"inside-address\": \"10.0.0.9\" } ] }",
		   NULL);
	tx(n.out, UDP, "203.0.113.7", 1111, "192.0.2.1", 5353, 0);
	b = pop_one(n.in0);
	assert_src_dst(b, "203.0.113.7", 1111, "10.0.0.9", 5353);
	pk_buf_unref(b);
	set_config(&n,
		   "{ \"forwards\": [ { \"outside-port\": 8080, \"inside-address\": \"10.0.1.5\" },"
		   " { \"outside-port\": 8080, \"inside-address\": \"10.0.1.6\" } ] }",
		   "forwards[1]: tcp 192.0.2.1:8080 is already forwarded by forwards[0]");
	/* 10.0.0.2:40000 holds 192.0.2.1:40000 (tcp) now. */
	set_config(&n,
		   "{ \"forwards\": [ { \"outside-port\": 40000, \"inside-address\": "
		   "\"10.0.1.6\" } ] }",
		   "forwards[0]: tcp 192.0.2.1:40000 is in use by a mapping of 10.0.0.2:40000");
	set_config(&n,
		   "{ \"forwards\": [ { \"outside-port\": 80, \"outside-address\": \"192.0.2.7\","
		   " \"inside-address\": \"10.0.1.6\" } ] }",
		   "not one of outside-addresses");
	/* The failed changes left the forwards as they were. */
	tx(n.out, UDP, "203.0.113.7", 1112, "192.0.2.1", 5353, 0);
	pk_buf_unref(pop_one(n.in0));
	/* Removed: the port closes at once. */
	set_config(&n, "{ \"forwards\": [] }", NULL);
	tx(n.out, UDP, "203.0.113.7", 1113, "192.0.2.1", 5353, 0);
	tx(n.out, TCP, "203.0.113.8", 1111, "192.0.2.1", 8080, 0x02);
	g_assert_cmpuint(pk_pipe_pending(n.in0) + pk_pipe_pending(n.in1), ==, 0);
	/* A port in use cannot be changed while running... but live ones can. */
	set_config(&n, "{ \"filtering\": \"endpoint-independent\" }", NULL);
	set_config(&n, "{ \"max-flows\": 100 }", "not a live parameter");
	net_teardown(&n);
}

static GVariant *table_rows(GVariant *st, const char *name)
{
	GVariant *v = g_variant_lookup_value(st, name, G_VARIANT_TYPE("aa{sv}"));

	g_assert_nonnull(v);
	return v;
}

static void test_status_flush(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = NULL, rows = NULL, maps = NULL;
	struct net n;
	bool found = false;

	net_setup(&n, ", \"forwards\": [ { \"outside-port\": 2222, \"inside-address\": "
		      "\"10.0.0.22\", \"inside-port\": 22 } ]");
	tx(n.in0, TCP, "10.0.0.2", 40000, "198.51.100.1", 443, 0x02);
	tx(n.out, TCP, "198.51.100.1", 443, "192.0.2.1", 40000, 0x12);
	tx(n.in0, TCP, "10.0.0.2", 40000, "198.51.100.1", 443, 0x10);
	tx(n.in0, UDP, "10.0.0.3", 5000, "198.51.100.1", 53, 0);
	pk_pipe_clear(n.out);
	pk_pipe_clear(n.in0);
	st = pk_graph_device_status(n.g, "nat", &error);
	g_assert_no_error(error);
	{
		guint64 flows = 0, mappings = 0;

		g_assert_true(g_variant_lookup(st, "flows", "t", &flows));
		g_assert_true(g_variant_lookup(st, "mappings", "t", &mappings));
		g_assert_cmpuint(flows, ==, 2);
		g_assert_cmpuint(mappings, ==, 3);
	}
	rows = table_rows(st, "flow-table");
	g_assert_cmpuint(g_variant_n_children(rows), ==, 2);
	for (gsize i = 0; i < g_variant_n_children(rows); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, i);
		const char *proto = NULL, *state = NULL, *inside = NULL, *outside = NULL,
			   *remote = NULL;
		guint64 pout = 0, pin = 0, left = 0;

		g_assert_true(g_variant_lookup(row, "proto", "&s", &proto));
		g_assert_true(g_variant_lookup(row, "inside", "&s", &inside));
		g_assert_true(g_variant_lookup(row, "outside", "&s", &outside));
		g_assert_true(g_variant_lookup(row, "remote", "&s", &remote));
		g_assert_true(g_variant_lookup(row, "expires-in", "t", &left));
		if (strcmp(proto, "tcp") == 0) {
			g_assert_true(g_variant_lookup(row, "state", "&s", &state));
			g_assert_cmpstr(state, ==, "established");
			g_assert_cmpstr(inside, ==, "10.0.0.2:40000");
			g_assert_cmpstr(outside, ==, "192.0.2.1:40000");
			g_assert_cmpstr(remote, ==, "198.51.100.1:443");
			g_assert_true(g_variant_lookup(row, "packets-out", "t", &pout));
			g_assert_true(g_variant_lookup(row, "packets-in", "t", &pin));
			g_assert_cmpuint(pout, ==, 2);
			g_assert_cmpuint(pin, ==, 1);
			g_assert_cmpuint(left, ==, (2 * 3600 + 4 * 60) * SEC);
			found = true;
		}
	}
	g_assert_true(found);
	maps = table_rows(st, "mapping-table");
	found = false;
	for (gsize i = 0; i < g_variant_n_children(maps); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(maps, i);
		const char *kind = NULL, *outside = NULL;

		g_assert_true(g_variant_lookup(row, "kind", "&s", &kind));
		g_assert_true(g_variant_lookup(row, "outside", "&s", &outside));
		if (strcmp(kind, "forward") == 0) {
			g_assert_cmpstr(outside, ==, "192.0.2.1:2222");
			found = true;
		}
	}
	g_assert_true(found);

	/* Flush: the flows go, the forward stays. */
	set_config(&n, "{ \"flush\": true }", NULL);
	g_clear_pointer(&st, g_variant_unref);
	st = pk_graph_device_status(n.g, "nat", &error);
	g_assert_no_error(error);
	{
		guint64 flows = 1, mappings = 0;

		g_assert_true(g_variant_lookup(st, "flows", "t", &flows));
		g_assert_true(g_variant_lookup(st, "mappings", "t", &mappings));
		g_assert_cmpuint(flows, ==, 0);
		g_assert_cmpuint(mappings, ==, 1);
	}
	tx(n.out, TCP, "198.51.100.1", 443, "192.0.2.1", 40000, 0x10);
	g_assert_cmpuint(pk_pipe_pending(n.in0), ==, 0);
	tx(n.out, TCP, "198.51.100.1", 443, "192.0.2.1", 2222, 0x02);
	pk_buf_unref(pop_one(n.in0));
	/* Setting it again flushes again. */
	set_config(&n, "{ \"flush\": true }", NULL);
	net_teardown(&n);
}

static void test_table_full(void)
{
	struct net n;

	net_setup(&n, ", \"max-flows\": 16");
	for (unsigned i = 0; i < 20; i++)
		tx(n.in0, UDP, "10.0.0.2", (uint16_t)(2000 + i), "198.51.100.1", 53, 0);
	g_assert_cmpuint(pk_pipe_pending(n.out), ==, 16);
	g_assert_cmpuint(pk_dev_counter(n.nat, "dropped-table-full"), ==, 4);
	net_teardown(&n);
}

static void test_config_errors(void)
{
	struct pk_registry *reg = pk_registry_new();
	struct pk_graph *g;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = NULL;

	pk_registry_scan_default(reg);
	g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	node = json_from_string("{ \"outside-addresses\": \"192.0.2.1, nope\" }", &error);
	g_assert_no_error(error);
	g_assert_null(pk_graph_add_device(g, "nat", "l3.nat", json_node_get_object(node), &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "\"nope\" is not an IPv4"));
	g_clear_error(&error);
	g_clear_pointer(&node, json_node_unref);
	node = json_from_string("{ \"outside-addresses\": \"192.0.2.1\", \"port-range-start\": "
				"5000, \"port-range-end\": 4000 }",
				&error);
	g_assert_null(pk_graph_add_device(g, "nat", "l3.nat", json_node_get_object(node), &error));
	g_assert_nonnull(strstr(error->message, "port-range-start"));
	g_clear_error(&error);
	g_clear_pointer(&node, json_node_unref);
	node = json_from_string("{ \"outside-addresses\": \"192.0.2.1\", \"port-mapping\": true }",
				&error);
	g_assert_null(pk_graph_add_device(g, "nat", "l3.nat", json_node_get_object(node), &error));
	g_assert_nonnull(strstr(error->message, "port-mapping needs inside-address"));
	g_clear_error(&error);
	g_clear_pointer(&node, json_node_unref);
	node = json_from_string("{ \"outside-addresses\": \"192.0.2.1\", \"inside-address\": "
				"\"10.0.0.1\", \"port-mapping\": true, \"port-mapping-ports\": "
				"\"2000-1000\" }",
				&error);
	g_assert_null(pk_graph_add_device(g, "nat", "l3.nat", json_node_get_object(node), &error));
	g_assert_nonnull(strstr(error->message, "port-mapping-ports"));
	pk_graph_free(g);
	pk_registry_free(reg);
}

/* A TCP super-packet with its checksum left to offload: the NAT rewrites
 * its headers once, and the pipe (no offload) gets right segments. */
static void test_offload(void)
{
	struct net n;
	struct pk_batch batch;
	struct pk_buf *b = pk_buf_alloc(20 + 20 + 3000);
	uint8_t *p = pk_buf_data(b), *l4 = p + 20;
	uint32_t s = A("10.0.0.2"), d = A("198.51.100.1");

	net_setup(&n, NULL);
	memset(p, 0, 40);
	p[0] = 0x45;
	pk_put_be16(p + 2, 3040);
	pk_put_be16(p + 6, PK_IP4_DF);
	p[8] = 64;
	p[9] = TCP;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	pk_ip4_csum_fill(p, 20);
	pk_put_be16(l4, 40000);
	pk_put_be16(l4 + 2, 80);
	pk_put_be32(l4 + 4, 1);
	l4[12] = 5 << 4;
	l4[13] = 0x18;
	pk_put_be16(l4 + 14, 1000);
	for (unsigned i = 0; i < 3000; i++)
		l4[20 + i] = (uint8_t)(i * 13);
	pk_put_be16(l4 + 16, (uint16_t)~pk_csum_fold(pk_csum_pseudo4(p + 12, p + 16, TCP, 3020)));
	pk_buf_set_csum_partial(b, 20, 16);
	pk_buf_set_gso(b, 1000, PK_GSO_TCPV4);
	pk_batch_init(&batch);
	pk_batch_add(&batch, b);
	g_assert_true(pk_pipe_inject_batch(n.in0, &batch));
	pk_buf_unref(b);
	g_assert_cmpuint(pk_pipe_pending(n.out), ==, 3);
	for (unsigned i = 0; i < 3; i++) {
		struct pk_buf *seg = pk_pipe_pop(n.out);
		struct pk_ip4_view v = { 0 };

		g_assert_true(pk_ip4_parse(pk_buf_data(seg), pk_buf_len(seg), &v));
		g_assert_true(pk_ip4_csum_ok(&v));
		g_assert_cmpuint(v.payload_len, ==, 1020);
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v)));
		assert_src_dst(seg, "192.0.2.1", 40000, "198.51.100.1", 80);
		g_assert_cmpuint(v.ttl, ==, 63);
		pk_buf_unref(seg);
	}
	net_teardown(&n);
}

/* A UDP datagram carrying @pl injected on @pipe. */
static void tx_udp(struct pk_dev *pipe, const char *src, uint16_t sport, const char *dst,
		   uint16_t dport, const uint8_t *pl, uint32_t plen)
{
	uint8_t p[128];
	uint32_t s = A(src), d = A(dst), len = 28 + plen;

	memset(p, 0, sizeof(p));
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = UDP;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	pk_ip4_csum_fill(p, 20);
	pk_put_be16(p + 20, sport);
	pk_put_be16(p + 22, dport);
	pk_put_be16(p + 24, (uint16_t)(8 + plen));
	memcpy(p + 28, pl, plen);
	pk_put_be16(p + 26,
		    pk_csum_fold(pk_csum_partial(p + 20, 8 + plen,
						 pk_csum_pseudo4(p + 12, p + 16, UDP, 8 + plen))));
	g_assert_true(pk_pipe_inject(pipe, p, len));
}

/* A NAT-PMP mapping request (RFC 6886 3.3) from @client:40001 on @pipe; its reply. */
static struct pk_buf *pmp_map(struct pk_dev *pipe, const char *client, uint8_t op, uint16_t in_port,
			      uint16_t want, uint32_t lifetime)
{
	uint8_t req[12] = { 0, op };
	struct pk_buf *b;

	pk_put_be16(req + 4, in_port);
	pk_put_be16(req + 6, want);
	pk_put_be32(req + 8, lifetime);
	tx_udp(pipe, client, 40001, "10.0.0.1", 5351, req, sizeof(req));
	b = pop_one(pipe);
	assert_src_dst(b, "10.0.0.1", 5351, client, 40001);
	g_assert_cmpuint(pk_buf_len(b), ==, 28 + 16);
	g_assert_cmpuint(pk_buf_data(b)[28], ==, 0);
	g_assert_cmpuint(pk_buf_data(b)[29], ==, 128 + op);
	return b;
}

static void test_port_mapping(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = NULL, rows = NULL;
	struct net n;
	struct pk_buf *b;
	const uint8_t *r;

	net_setup(&n, ", \"inside-address\": \"10.0.0.1\", \"port-mapping\": true, "
		      "\"port-mapping-inside-prefixes\": \"10.0.1.0/24\"");
	/* The restart announcements: ten rounds, NAT-PMP and PCP, on both inside ports. */
	pk_graph_clock_advance(n.g, 300 * SEC);
	g_assert_cmpuint(pk_dev_counter(n.nat, "pmp-announcements"), ==, 40);
	b = pk_pipe_pop(n.in0);
	g_assert_nonnull(b);
	assert_src_dst(b, "10.0.0.1", 5351, "224.0.0.1", 5350);
	pk_buf_unref(b);
	pk_pipe_clear(n.in0);
	pk_pipe_clear(n.in1);
	g_assert_cmpuint(pk_pipe_pending(n.out), ==, 0);

	/* A host behind inside.1 maps TCP 80 to outside 8080 for an hour. */
	b = pmp_map(n.in1, "10.0.1.2", 2, 80, 8080, 3600);
	r = pk_buf_data(b) + 28;
	g_assert_cmpuint(pk_get_be16(r + 2), ==, 0);
	g_assert_cmpuint(pk_get_be16(r + 8), ==, 80);
	g_assert_cmpuint(pk_get_be16(r + 10), ==, 8080);
	g_assert_cmpuint(pk_get_be32(r + 12), ==, 3600);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_pipe_pending(n.out), ==, 0);
	/* Anyone outside reaches it, on the port the host is behind. */
	tx(n.out, TCP, "203.0.113.9", 5555, "192.0.2.1", 8080, 0x02);
	b = pop_one(n.in1);
	assert_src_dst(b, "203.0.113.9", 5555, "10.0.1.2", 80);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_pipe_pending(n.in0), ==, 0);

	/* A host outside port-mapping-inside-prefixes: Not Authorized (2). */
	b = pmp_map(n.in0, "10.0.0.2", 1, 5000, 5000, 3600);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(b) + 28 + 2), ==, 2);
	pk_buf_unref(b);
	g_assert_cmpuint(pk_dev_counter(n.nat, "pmp-requests"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(n.nat, "pmp-replies"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(n.nat, "pmp-refused"), ==, 1);

	st = pk_graph_device_status(n.g, "nat", &error);
	g_assert_no_error(error);
	rows = table_rows(st, "pmp-lease-table");
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1);
	{
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, 0);
		const char *kind = NULL, *inside = NULL, *outside = NULL;

		g_assert_true(g_variant_lookup(row, "kind", "&s", &kind));
		g_assert_true(g_variant_lookup(row, "inside", "&s", &inside));
		g_assert_true(g_variant_lookup(row, "outside", "&s", &outside));
		g_assert_cmpstr(kind, ==, "nat-pmp");
		g_assert_cmpstr(inside, ==, "10.0.1.2:80");
		g_assert_cmpstr(outside, ==, "192.0.2.1:8080");
	}

	/* The lease runs out on the device's timer: the port is closed. */
	pk_graph_clock_advance(n.g, 3601 * SEC);
	g_assert_cmpuint(pk_dev_counter(n.nat, "pmp-leases-expired"), ==, 1);
	tx(n.out, TCP, "203.0.113.9", 5556, "192.0.2.1", 8080, 0x02);
	g_assert_cmpuint(pk_pipe_pending(n.in1), ==, 0);

	/* Deleting (lifetime 0) a fresh lease closes the port at once. */
	b = pmp_map(n.in1, "10.0.1.2", 1, 6000, 0, 600);
	r = pk_buf_data(b) + 28;
	g_assert_cmpuint(pk_get_be16(r + 2), ==, 0);
	g_assert_cmpuint(pk_get_be16(r + 10), ==, 6000);
	pk_buf_unref(b);
	b = pmp_map(n.in1, "10.0.1.2", 1, 6000, 0, 0);
	pk_buf_unref(b);
	tx(n.out, UDP, "203.0.113.9", 53, "192.0.2.1", 6000, 0);
	g_assert_cmpuint(pk_pipe_pending(n.in1), ==, 0);
	/* Other traffic to the inside address is translated as before. */
	tx(n.in0, UDP, "10.0.0.2", 5000, "10.0.0.1", 53, 0);
	pk_buf_unref(pop_one(n.out));
	net_teardown(&n);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/device/both-ways", test_both_ways);
	g_test_add_func("/nat/device/ttl-icmp", test_ttl_and_icmp);
	g_test_add_func("/nat/device/hairpin-forwards", test_hairpin_forwards);
	g_test_add_func("/nat/device/status-flush", test_status_flush);
	g_test_add_func("/nat/device/table-full", test_table_full);
	g_test_add_func("/nat/device/offload", test_offload);
	g_test_add_func("/nat/device/config-errors", test_config_errors);
	g_test_add_func("/nat/device/port-mapping", test_port_mapping);
	return g_test_run();
}
