/* SPDX-License-Identifier: MIT
 * test-dhcp-server.c - svc.dhcp-server through a graph: message flows, NAKs, relay, leases, bad input
 */
#include <string.h>
#include <arpa/inet.h>
#include <glib/gstdio.h>

#include <pktkit/toolkit/dhcp.h>
#include <pktkit/eth.h>
#include <pktkit/embed/graph.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/embed/testing.h>

#define SEC UINT64_C(1000000000)

/* Warnings the devices log, kept for assertions instead of aborting the test. */
static GPtrArray *warnings;

static GLogWriterOutput capture_writer(GLogLevelFlags level, const GLogField *fields,
				       gsize n_fields, gpointer data)
{
	if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO)) {
		for (gsize i = 0; i < n_fields; i++)
			if (!strcmp(fields[i].key, "MESSAGE"))
				g_ptr_array_add(warnings, g_strdup(fields[i].value));
		return G_LOG_WRITER_HANDLED;
	}
	return g_log_writer_default(level, fields, n_fields, data);
}

/* Whether a captured line contains @needle; clears the capture. */
static bool warned(const char *needle)
{
	bool found = false;

	for (guint i = 0; i < warnings->len; i++)
		found |= strstr(g_ptr_array_index(warnings, i), needle) != NULL;
	g_ptr_array_set_size(warnings, 0);
	return found;
}

static struct pk_registry *registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		if (!pk_registry_lookup(reg, "svc.dhcp-server"))
			g_error("pk-dhcp.so not found: is PKTKIT_MODULE_PATH set (meson test)?");
	}
	return reg;
}

static const char *base_params =
	"\"server-ip\": \"192.168.0.1\", \"range-start\": \"192.168.0.10\", "
	"\"range-end\": \"192.168.0.20\", \"router\": \"192.168.0.1\", "
	"\"dns\": [{\"address\": \"192.168.0.53\"}, {\"address\": \"9.9.9.9\"}], "
	"\"domain\": \"lan.test\"";

struct env {
	struct pk_graph *g;
	struct pk_dev *dhcp, *pipe;
};

static void env_start(struct env *e, const char *extra)
{
	g_autofree char *json = g_strdup_printf("{%s%s%s}", base_params, extra ? ", " : "",
						extra ? extra : "");
	g_autoptr(JsonNode) node = NULL;
	GError *error = NULL;

	node = json_from_string(json, &error);
	g_assert_no_error(error);
	e->g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	e->dhcp = pk_graph_add_device(e->g, "dhcp0", "svc.dhcp-server",
				      json_node_get_object(node), &error);
	g_assert_no_error(error);
	e->pipe = pk_graph_add_device(e->g, "c", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(e->g, "c", "dhcp0", &error));
	g_assert_true(pk_graph_start(e->g, &error));
	g_assert_no_error(error);
}

static void env_stop(struct env *e)
{
	while (pk_pipe_pending(e->pipe))
		pk_buf_unref(pk_pipe_pop(e->pipe));
	pk_graph_free(e->g);
	memset(e, 0, sizeof(*e));
}

static uint64_t ctr(struct env *e, const char *name)
{
	return pk_dev_counter(e->dhcp, name);
}

/* A number from the server's status ("leases-bound", ...). */
static uint64_t status_u(struct env *e, const char *name)
{
	GError *error = NULL;
	g_autoptr(GVariant) v = pk_graph_device_status(e->g, "dhcp0", &error);
	uint64_t n;

	g_assert_no_error(error);
	g_assert_true(g_variant_lookup(v, name, "t", &n));
	return n;
}

static struct pk_ip4 ip(const char *s)
{
	struct pk_ip4 a;

	g_assert_cmpint(inet_pton(AF_INET, s, a.b), ==, 1);
	return a;
}

static struct pk_mac cmac(unsigned int n)
{
	struct pk_mac m = { { 0x52, 0x54, 0x00, 0x00, (uint8_t)(n >> 8), (uint8_t)n } };

	return m;
}

/* One client message. */
struct req {
	uint8_t type;
	unsigned int client;
	const char *ciaddr, *reqip, *sid, *giaddr, *dst, *hostname;
	bool bcast_flag;
	bool want_routes;
};

static uint32_t build_req(const struct req *r, uint8_t *frame, uint32_t size)
{
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REQUEST, .xid = 0x1000 + r->client };
	struct pk_dhcp_addrs a = { .src_port = 68, .dst_port = 67 };
	struct pk_dhcp_builder b;
	struct pk_mac m = cmac(r->client);
	uint8_t msg[PK_DHCP_DEFAULT_MAX_MSG];
	uint32_t len;

	memcpy(h.chaddr, m.b, 6);
	if (r->ciaddr)
		h.ciaddr = ip(r->ciaddr);
	if (r->giaddr) {
		h.giaddr = ip(r->giaddr);
		a.src_port = 67;
	}
	h.flags = r->bcast_flag ? PK_DHCP_FLAG_BROADCAST : 0;
	pk_dhcp_build_init(&b, msg, sizeof(msg), &h);
	pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, r->type);
	if (r->reqip) {
		struct pk_ip4 x = ip(r->reqip);

		pk_dhcp_put_ip4(&b, PK_DHCP_OPT_REQUESTED_IP, &x);
	}
	if (r->sid) {
		struct pk_ip4 x = ip(r->sid);

		pk_dhcp_put_ip4(&b, PK_DHCP_OPT_SERVER_ID, &x);
	}
	pk_dhcp_put_str(&b, PK_DHCP_OPT_HOSTNAME, r->hostname);
	if (r->want_routes) {
		static const uint8_t prl[] = { 1, 3, 6, 121 };

		pk_dhcp_put_opt(&b, PK_DHCP_OPT_PARAM_LIST, prl, sizeof(prl));
	}
	len = pk_dhcp_build_finish(&b);
	g_assert_cmpuint(len, >, 0);
	a.src_mac = m;
	if (r->giaddr)
		a.src_mac = cmac(0xee);
	memset(a.dst_mac.b, 0xff, 6);
	a.src_ip = r->ciaddr ? ip(r->ciaddr) : (r->giaddr ? ip(r->giaddr) : ip("0.0.0.0"));
	a.dst_ip = ip(r->dst ? r->dst : "255.255.255.255");
	return pk_dhcp_frame_build(frame, size, &a, msg, len);
}

/* The reply, copied out of the pipe. */
struct reply {
	uint8_t bytes[2048];
	uint32_t len;
	struct pk_dhcp_frame f;
};

static bool send_req(struct env *e, const struct req *r, struct reply *out)
{
	uint8_t frame[1024];
	uint32_t len = build_req(r, frame, sizeof(frame));
	struct pk_buf *b;

	g_assert_true(pk_pipe_inject(e->pipe, frame, len));
	if (!pk_pipe_pending(e->pipe))
		return false;
	g_assert_cmpuint(pk_pipe_pending(e->pipe), ==, 1);
	b = pk_pipe_pop(e->pipe);
	g_assert_cmpuint(pk_buf_len(b), <=, sizeof(out->bytes));
	memcpy(out->bytes, pk_buf_data(b), pk_buf_len(b));
	out->len = pk_buf_len(b);
	pk_buf_unref(b);
	g_assert_cmpint(pk_dhcp_frame_parse(out->bytes, out->len, &out->f), ==, PK_DHCP_OK);
	g_assert_cmpuint(out->f.msg.op, ==, PK_DHCP_OP_REPLY);
	return true;
}

static void assert_ip(const uint8_t *p, const char *want)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, p, s, sizeof(s));
	g_assert_cmpstr(s, ==, want);
}

/* DISCOVER + REQUEST; returns the address as text (static buffer). */
static const char *dora(struct env *e, unsigned int client, const char *hostname)
{
	static char got[INET_ADDRSTRLEN];
	struct req d = { .type = PK_DHCP_DISCOVER, .client = client, .hostname = hostname };
	struct reply r;

	g_assert_true(send_req(e, &d, &r));
	g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_OFFER);
	inet_ntop(AF_INET, r.f.msg.yiaddr, got, sizeof(got));
	{
		struct req q = { .type = PK_DHCP_REQUEST, .client = client, .reqip = got,
				 .sid = "192.168.0.1", .hostname = hostname };

		g_assert_true(send_req(e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_ACK);
		assert_ip(r.f.msg.yiaddr, got);
	}
	return got;
}

/* The status lists the leases: MAC, address, state, expiry and host name. */
static void test_status(void)
{
	struct env e;
	struct reply r;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 3 };
	g_autoptr(GVariant) v = NULL, leases = NULL;
	GError *error = NULL;
	unsigned int seen = 0;

	env_start(&e, NULL);
	g_assert_cmpstr(dora(&e, 1, "alpha"), ==, "192.168.0.10");
	pk_graph_clock_advance(e.g, 600 * PK_NSEC_PER_SEC);
	g_assert_cmpstr(dora(&e, 2, NULL), ==, "192.168.0.11");
	g_assert_true(send_req(&e, &d, &r));	/* an offer for client 3 */
	g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_OFFER);
	v = pk_graph_device_status(e.g, "dhcp0", &error);
	g_assert_no_error(error);
	leases = g_variant_lookup_value(v, "leases", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(leases);
	g_assert_cmpuint(g_variant_n_children(leases), ==, 3);
	for (gsize i = 0; i < 3; i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(leases, i);
		const char *mac, *addr, *state, *host;
		uint64_t left;
		int64_t when;

		g_assert_true(g_variant_lookup(row, "mac", "&s", &mac));
		g_assert_true(g_variant_lookup(row, "address", "&s", &addr));
		g_assert_true(g_variant_lookup(row, "state", "&s", &state));
		g_assert_true(g_variant_lookup(row, "expires-in", "t", &left));
		g_assert_true(g_variant_lookup(row, "expires", "x", &when));
		if (strcmp(addr, "192.168.0.10") == 0) {
			g_assert_cmpstr(mac, ==, "52:54:00:00:00:01");
			g_assert_cmpstr(state, ==, "bound");
			g_assert_cmpuint(left, ==, 3000 * PK_NSEC_PER_SEC);
			g_assert_true(g_variant_lookup(row, "hostname", "&s", &host));
			g_assert_cmpstr(host, ==, "alpha");
			seen |= 1;
		} else if (strcmp(addr, "192.168.0.11") == 0) {
			g_assert_cmpstr(mac, ==, "52:54:00:00:00:02");
			g_assert_cmpstr(state, ==, "bound");
			g_assert_cmpuint(left, ==, 3600 * PK_NSEC_PER_SEC);
			g_assert_false(g_variant_lookup(row, "hostname", "&s", &host));
			seen |= 2;
		} else {
			g_assert_cmpstr(mac, ==, "52:54:00:00:00:03");
			g_assert_cmpstr(state, ==, "offered");
			g_assert_cmpuint(left, <, 3600 * PK_NSEC_PER_SEC);
			seen |= 4;
		}
	}
	g_assert_cmpuint(seen, ==, 7);
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 2);
	g_assert_cmpuint(status_u(&e, "leases-offered"), ==, 1);
	g_assert_cmpuint(status_u(&e, "addresses-declined"), ==, 0);
	/* Past the first lease's end it is gone from the status before the sweep. */
	pk_graph_clock_advance(e.g, 3000 * PK_NSEC_PER_SEC);
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 1);
	env_stop(&e);
}

static void test_dora(void)
{
	struct env e;
	struct reply r;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 1, .want_routes = true };
	struct pk_ip4 a[4];
	struct pk_dhcp_route rt[4];
	uint32_t u;
	char dom[64];

	env_start(&e, "\"classless-routes\": [{\"prefix\": \"10.20.0.0/16\", \"via\": "
		      "\"192.168.0.2\"}], \"mtu\": 1400");
	g_assert_true(send_req(&e, &d, &r));
	g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_OFFER);
	assert_ip(r.f.msg.yiaddr, "192.168.0.10");
	/* No broadcast flag: unicast to the offered address at chaddr. */
	g_assert_cmpmem(r.f.eth_dst, 6, cmac(1).b, 6);
	assert_ip(r.f.ip_dst, "192.168.0.10");
	assert_ip(r.f.ip_src, "192.168.0.1");
	g_assert_cmpuint(r.f.dst_port, ==, 68);
	g_assert_true(pk_dhcp_server_id(&r.f.msg, &a[0]));
	assert_ip(a[0].b, "192.168.0.1");
	g_assert_true(pk_dhcp_lease_time(&r.f.msg, &u));
	g_assert_cmpuint(u, ==, 3600);
	g_assert_true(pk_dhcp_t1(&r.f.msg, &u));
	g_assert_cmpuint(u, ==, 1800);
	g_assert_true(pk_dhcp_t2(&r.f.msg, &u));
	g_assert_cmpuint(u, ==, 3150);
	g_assert_true(pk_dhcp_subnet_mask(&r.f.msg, &a[0]));
	assert_ip(a[0].b, "255.255.255.0");
	g_assert_true(pk_dhcp_broadcast_addr(&r.f.msg, &a[0]));
	assert_ip(a[0].b, "192.168.0.255");
	g_assert_cmpuint(pk_dhcp_routers(&r.f.msg, a, 4), ==, 1);
	g_assert_cmpuint(pk_dhcp_dns_servers(&r.f.msg, a, 4), ==, 2);
	assert_ip(a[1].b, "9.9.9.9");
	g_assert_cmpint(pk_dhcp_domain(&r.f.msg, dom, sizeof(dom)), ==, 8);
	g_assert_cmpint(pk_dhcp_get_routes(&r.f.msg, rt, 4), ==, 2);	/* + default */
	g_assert_cmpuint(rt[1].len, ==, 0);
	{
		uint16_t mtu;

		g_assert_true(pk_dhcp_mtu(&r.f.msg, &mtu));
		g_assert_cmpuint(mtu, ==, 1400);
	}

	{
		struct req q = { .type = PK_DHCP_REQUEST, .client = 1, .reqip = "192.168.0.10",
				 .sid = "192.168.0.1" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_ACK);
		assert_ip(r.f.msg.yiaddr, "192.168.0.10");
	}
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 1);
	/* Renewal: unicast with ciaddr, no server id. */
	{
		struct req q = { .type = PK_DHCP_REQUEST, .client = 1, .ciaddr = "192.168.0.10",
				 .dst = "192.168.0.1" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_ACK);
		assert_ip(r.f.ip_dst, "192.168.0.10");
		assert_ip(r.f.msg.ciaddr, "192.168.0.10");
	}
	/* A second DISCOVER of a bound client offers the same address. */
	g_assert_true(send_req(&e, &d, &r));
	assert_ip(r.f.msg.yiaddr, "192.168.0.10");
	g_assert_cmpuint(ctr(&e, "discovers"), ==, 2);
	g_assert_cmpuint(ctr(&e, "offers"), ==, 2);
	g_assert_cmpuint(ctr(&e, "acks"), ==, 2);
	g_assert_cmpuint(ctr(&e, "naks"), ==, 0);
	/* Another client gets the next address. */
	g_assert_cmpstr(dora(&e, 2, NULL), ==, "192.168.0.11");
	env_stop(&e);
}

static void test_broadcast_flag(void)
{
	struct env e;
	struct reply r;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 1, .bcast_flag = true };
	static const uint8_t ff[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	env_start(&e, NULL);
	g_assert_true(send_req(&e, &d, &r));
	g_assert_cmpmem(r.f.eth_dst, 6, ff, 6);
	assert_ip(r.f.ip_dst, "255.255.255.255");
	g_assert_cmpuint(r.f.msg.flags, ==, PK_DHCP_FLAG_BROADCAST);
	env_stop(&e);
}

static void test_nak(void)
{
	struct env e;
	struct reply r;

	env_start(&e, NULL);
	dora(&e, 1, NULL);	/* .10 bound to client 1 */
	{	/* INIT-REBOOT on the wrong network */
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "10.0.0.5" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_NAK);
		assert_ip(r.f.ip_dst, "255.255.255.255");
		assert_ip(r.f.msg.yiaddr, "0.0.0.0");
	}
	{	/* address taken by client 1 */
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "192.168.0.10" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_NAK);
	}
	{	/* the server's own address */
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "192.168.0.1" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_NAK);
	}
	{	/* SELECTING with an address we did not offer */
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "192.168.0.10",
				 .sid = "192.168.0.1" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_NAK);
	}
	{	/* in the subnet, outside the pool: not ours */
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "192.168.0.200" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_NAK);
	}
	g_assert_cmpuint(ctr(&e, "naks"), ==, 5);
	{	/* INIT-REBOOT for a free pool address is granted */
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "192.168.0.15" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_ACK);
	}
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 2);
	env_stop(&e);

	/* Not authoritative: silent for unknown clients, NAK for the wrong network. */
	env_start(&e, "\"authoritative\": false");
	dora(&e, 1, NULL);
	{
		struct req q = { .type = PK_DHCP_REQUEST, .client = 2, .reqip = "192.168.0.10" };

		g_assert_false(send_req(&e, &q, &r));
		q.reqip = "10.1.1.1";
		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_NAK);
	}
	env_stop(&e);
}

static void test_other_server(void)
{
	struct env e;
	struct reply r;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 1 };
	struct req q = { .type = PK_DHCP_REQUEST, .client = 1, .reqip = "192.168.0.10",
			 .sid = "192.168.0.2" };

	env_start(&e, "\"range-end\": \"192.168.0.10\"");
	g_assert_true(send_req(&e, &d, &r));
	assert_ip(r.f.msg.yiaddr, "192.168.0.10");
	g_assert_false(send_req(&e, &q, &r));
	g_assert_cmpuint(ctr(&e, "ignored-other-server"), ==, 1);
	g_assert_cmpuint(ctr(&e, "acks"), ==, 0);
	/* The offer was withdrawn: the only address goes to another client. */
	d.client = 2;
	g_assert_true(send_req(&e, &d, &r));
	assert_ip(r.f.msg.yiaddr, "192.168.0.10");
	env_stop(&e);
}

static void test_relay(void)
{
	struct env e;
	struct reply r;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 1, .giaddr = "192.168.0.254",
			 .dst = "192.168.0.1" };

	env_start(&e, NULL);
	g_assert_true(send_req(&e, &d, &r));
	g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_OFFER);
	assert_ip(r.f.ip_dst, "192.168.0.254");
	g_assert_cmpuint(r.f.dst_port, ==, 67);
	g_assert_cmpmem(r.f.eth_dst, 6, cmac(0xee).b, 6);
	assert_ip(r.f.msg.giaddr, "192.168.0.254");
	env_stop(&e);
}

static void test_static_and_exclusion(void)
{
	struct env e;

	/* Pool .1-.3 holds the server (.1) and a reservation (.2) for client 9. */
	env_start(&e, "\"range-start\": \"192.168.0.1\", \"range-end\": \"192.168.0.3\", "
		      "\"static-leases\": [{\"mac\": \"52:54:00:00:00:09\", \"ip\": "
		      "\"192.168.0.2\"}, {\"mac\": \"52:54:00:00:00:08\", \"ip\": "
		      "\"192.168.0.100\", \"hostname\": \"fixed\"}]");
	g_assert_cmpstr(dora(&e, 1, NULL), ==, "192.168.0.3");
	g_assert_cmpstr(dora(&e, 9, NULL), ==, "192.168.0.2");
	g_assert_cmpstr(dora(&e, 8, NULL), ==, "192.168.0.100");
	{
		struct req d = { .type = PK_DHCP_DISCOVER, .client = 2 };
		struct reply r;

		g_assert_false(send_req(&e, &d, &r));
	}
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 1);
	g_assert_true(warned("address pool exhausted: 1 DISCOVER"));
	{	/* Rate-limited: the next one within a minute is counted, not logged. */
		struct req d = { .type = PK_DHCP_DISCOVER, .client = 2 };
		struct reply r;

		g_assert_false(send_req(&e, &d, &r));
		g_assert_false(warned("exhausted"));
		pk_graph_clock_advance(e.g, 61 * SEC);
		g_assert_false(send_req(&e, &d, &r));
		g_assert_true(warned("address pool exhausted: 2 DISCOVER"));
	}
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 3);
	env_stop(&e);
}

static void test_expiry(void)
{
	struct env e;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 2 };
	struct reply r;

	env_start(&e, "\"range-end\": \"192.168.0.10\", \"lease-time\": \"20s\"");
	g_assert_cmpstr(dora(&e, 1, NULL), ==, "192.168.0.10");
	g_assert_false(send_req(&e, &d, &r));
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 1);
	pk_graph_clock_advance(e.g, 19 * SEC);
	g_assert_cmpuint(ctr(&e, "leases-expired"), ==, 0);
	pk_graph_clock_advance(e.g, 5 * SEC);
	g_assert_cmpuint(ctr(&e, "leases-expired"), ==, 1);
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 0);
	g_assert_cmpstr(dora(&e, 2, NULL), ==, "192.168.0.10");
	env_stop(&e);
}

static void test_decline_release_inform(void)
{
	struct env e;
	struct reply r;

	env_start(&e, NULL);
	g_assert_cmpstr(dora(&e, 1, NULL), ==, "192.168.0.10");
	{
		struct req q = { .type = PK_DHCP_DECLINE, .client = 1, .reqip = "192.168.0.10",
				 .sid = "192.168.0.1" };

		g_assert_false(send_req(&e, &q, &r));
	}
	g_assert_cmpuint(ctr(&e, "declines"), ==, 1);
	g_assert_cmpstr(dora(&e, 2, NULL), ==, "192.168.0.11");
	g_assert_cmpstr(dora(&e, 1, NULL), ==, "192.168.0.12");
	{
		struct req q = { .type = PK_DHCP_RELEASE, .client = 1, .ciaddr = "192.168.0.12",
				 .sid = "192.168.0.1", .dst = "192.168.0.1" };

		g_assert_false(send_req(&e, &q, &r));
		/* A release from another MAC is ignored. */
		q.client = 3;
		q.ciaddr = "192.168.0.11";
		g_assert_false(send_req(&e, &q, &r));
	}
	g_assert_cmpuint(ctr(&e, "releases"), ==, 1);
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 1);
	g_assert_cmpstr(dora(&e, 4, NULL), ==, "192.168.0.12");
	/* The declined address is free again after 10 minutes. */
	pk_graph_clock_advance(e.g, 601 * SEC);
	g_assert_cmpstr(dora(&e, 5, NULL), ==, "192.168.0.10");
	{
		struct req q = { .type = PK_DHCP_INFORM, .client = 7, .ciaddr = "192.168.0.77",
				 .dst = "192.168.0.1" };
		uint32_t u;

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_ACK);
		assert_ip(r.f.ip_dst, "192.168.0.77");
		assert_ip(r.f.msg.yiaddr, "0.0.0.0");
		g_assert_false(pk_dhcp_lease_time(&r.f.msg, &u));
		g_assert_true(pk_dhcp_opt_has(&r.f.msg, PK_DHCP_OPT_SERVER_ID));
	}
	g_assert_cmpuint(ctr(&e, "informs"), ==, 1);
	env_stop(&e);
}

static void test_table_full(void)
{
	struct env e;
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 3 };
	struct reply r;

	env_start(&e, "\"max-leases\": 2");
	dora(&e, 1, NULL);
	dora(&e, 2, NULL);
	g_assert_false(send_req(&e, &d, &r));
	g_assert_cmpuint(ctr(&e, "lease-table-full"), ==, 1);
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 1);
	env_stop(&e);
}

/* DISCOVER from @client; the offered address as text, or NULL if none. */
static const char *discover(struct env *e, unsigned int client)
{
	static char got[INET_ADDRSTRLEN];
	struct req d = { .type = PK_DHCP_DISCOVER, .client = client, .bcast_flag = true };
	struct reply r;

	if (!send_req(e, &d, &r))
		return NULL;
	g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_OFFER);
	inet_ntop(AF_INET, r.f.msg.yiaddr, got, sizeof(got));
	return got;
}

/* REQUEST (selecting) of @ipaddr by @client: the reply type, or 0 for none. */
static uint8_t request(struct env *e, unsigned int client, const char *ipaddr)
{
	struct req q = { .type = PK_DHCP_REQUEST, .client = client, .reqip = ipaddr,
			 .sid = "192.168.0.1", .bcast_flag = true };
	struct reply r;

	if (!send_req(e, &q, &r))
		return 0;
	if (r.f.msg.msg_type == PK_DHCP_ACK)
		assert_ip(r.f.msg.yiaddr, ipaddr);
	return r.f.msg.msg_type;
}

/*
 * Issue 10: DISCOVERs alone do not hold the pool. With every address offered,
 * a new client gets the oldest offer's address; offers go oldest first; bound
 * leases are never taken; the client that lost its offer can still complete
 * its REQUEST for the address while no one else has.
 */
static void test_offer_reuse(void)
{
	struct env e;

	/* Pool .10-.13. */
	env_start(&e, "\"range-end\": \"192.168.0.13\"");
	g_assert_cmpstr(discover(&e, 1), ==, "192.168.0.10");
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(discover(&e, 2), ==, "192.168.0.11");
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(discover(&e, 3), ==, "192.168.0.12");
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(dora(&e, 4, NULL), ==, "192.168.0.13");
	/* Client 1 renews its offer (a second DISCOVER keeps its address). */
	g_assert_cmpstr(discover(&e, 1), ==, "192.168.0.10");
	g_assert_cmpuint(ctr(&e, "offers-reclaimed"), ==, 0);
	/* Pool full: the oldest offer is now client 2's, then 3's, then 1's. */
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(discover(&e, 5), ==, "192.168.0.11");
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(discover(&e, 6), ==, "192.168.0.12");
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(discover(&e, 7), ==, "192.168.0.10");
	g_assert_cmpuint(ctr(&e, "offers-reclaimed"), ==, 3);
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 0);
	/* Client 6 completes its exchange; client 3, whose offer it took, gets a
	 * NAK for it (bound now) and the oldest offer (client 5's) on DISCOVER. */
	g_assert_cmpuint(request(&e, 6, "192.168.0.12"), ==, PK_DHCP_ACK);
	g_assert_cmpuint(request(&e, 3, "192.168.0.12"), ==, PK_DHCP_NAK);
	g_assert_cmpstr(discover(&e, 3), ==, "192.168.0.11");
	/* Client 5 lost .11 to client 3 but REQUESTs it first: a REQUEST takes
	 * an address that is only offered. */
	g_assert_cmpuint(request(&e, 5, "192.168.0.11"), ==, PK_DHCP_ACK);
	g_assert_cmpuint(ctr(&e, "offers-reclaimed"), ==, 5);
	/* Bound: .11 (5), .12 (6), .13 (4); offered: .10 (7). The bound leases
	 * stay; a new client takes .10, and then nothing is left. */
	g_assert_cmpstr(discover(&e, 8), ==, "192.168.0.10");
	g_assert_cmpuint(request(&e, 8, "192.168.0.10"), ==, PK_DHCP_ACK);
	g_assert_null(discover(&e, 9));
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 1);
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 4);
	env_stop(&e);
}

/* The same with max-leases as the limit: the table is full of offers. */
static void test_offer_reuse_table_full(void)
{
	struct env e;

	env_start(&e, "\"max-leases\": 3");
	g_assert_cmpstr(dora(&e, 1, NULL), ==, "192.168.0.10");
	g_assert_cmpstr(discover(&e, 2), ==, "192.168.0.11");
	pk_graph_clock_advance(e.g, 1 * SEC);
	g_assert_cmpstr(discover(&e, 3), ==, "192.168.0.12");
	/* Table full; the pool is not: client 2's offer (oldest) makes room. */
	g_assert_nonnull(discover(&e, 4));
	g_assert_cmpuint(ctr(&e, "offers-reclaimed"), ==, 1);
	g_assert_cmpuint(request(&e, 3, "192.168.0.12"), ==, PK_DHCP_ACK);
	g_assert_cmpuint(ctr(&e, "lease-table-full"), ==, 0);
	env_stop(&e);
}

/*
 * A flood of DISCOVERs from 10,000 MACs into a pool of 11 addresses: every
 * one is answered, and a real client arriving afterwards gets a lease.
 */
static void test_discover_flood(void)
{
	struct env e;

	env_start(&e, NULL);
	for (unsigned int i = 0; i < 10000; i++) {
		g_assert_nonnull(discover(&e, 1000 + i));
		if (i % 100 == 0)
			pk_graph_clock_advance(e.g, 10 * PK_NSEC_PER_MSEC);
	}
	g_assert_cmpuint(ctr(&e, "offers"), ==, 10000);
	g_assert_cmpuint(ctr(&e, "offers-reclaimed"), ==, 10000 - 11);
	g_assert_cmpuint(ctr(&e, "pool-exhausted"), ==, 0);
	g_assert_nonnull(dora(&e, 1, NULL));
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 1);
	env_stop(&e);
}

/*
 * New leases take from a budget of new-lease-burst refilled at new-lease-rate;
 * REQUESTs beyond it are ignored and counted; renewals and reservations are
 * never limited.
 */
static void test_new_lease_rate(void)
{
	struct env e;
	unsigned int granted = 0;
	char addr[INET_ADDRSTRLEN];

	env_start(&e, "\"range-end\": \"192.168.0.250\", \"new-lease-burst\": 5, "
		      "\"new-lease-rate\": 2, \"static-leases\": [{\"mac\": "
		      "\"52:54:00:00:00:63\", \"ip\": \"192.168.0.5\"}]");
	/* A REQUEST flood: 100 clients doing DISCOVER + REQUEST at once. */
	for (unsigned int i = 0; i < 100; i++) {
		const char *got = discover(&e, 200 + i);
		uint8_t t;

		g_assert_nonnull(got);
		t = request(&e, 200 + i, got);
		g_assert_true(t == 0 || t == PK_DHCP_ACK);
		granted += t == PK_DHCP_ACK;
	}
	g_assert_cmpuint(granted, ==, 5);
	g_assert_cmpuint(ctr(&e, "new-leases-rate-limited"), ==, 95);
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 5);
	/* The reservation is not limited. */
	{
		struct req d = { .type = PK_DHCP_DISCOVER, .client = 0x63 };
		struct reply r;

		g_assert_true(send_req(&e, &d, &r));
		assert_ip(r.f.msg.yiaddr, "192.168.0.5");
	}
	g_assert_cmpuint(request(&e, 0x63, "192.168.0.5"), ==, PK_DHCP_ACK);
	/* A renewal of a bound lease is not limited either. */
	g_assert_cmpuint(request(&e, 200, "192.168.0.10"), ==, PK_DHCP_ACK);
	g_assert_cmpuint(ctr(&e, "new-leases-rate-limited"), ==, 95);
	/* Half a second refills one new lease: the next client retrying its
	 * REQUEST gets it, and the one after waits again. */
	pk_graph_clock_advance(e.g, 499 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(request(&e, 205, "192.168.0.15"), ==, 0);
	pk_graph_clock_advance(e.g, 1 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(request(&e, 205, "192.168.0.15"), ==, PK_DHCP_ACK);
	g_assert_cmpuint(request(&e, 206, "192.168.0.16"), ==, 0);
	g_assert_cmpuint(ctr(&e, "new-leases-rate-limited"), ==, 97);
	/* Over 10 s the flood gets 2 per second, never more than the burst. */
	granted = 0;
	for (unsigned int t = 0; t < 1000; t++) {
		unsigned int c = 300 + t;
		const char *got;

		pk_graph_clock_advance(e.g, 10 * PK_NSEC_PER_MSEC);
		got = discover(&e, c);
		if (!got)
			continue;
		g_strlcpy(addr, got, sizeof(addr));
		granted += request(&e, c, addr) == PK_DHCP_ACK;
	}
	g_assert_cmpuint(granted, >=, 19);
	g_assert_cmpuint(granted, <=, 21);
	env_stop(&e);

	/* new-lease-burst 0: no limit. */
	env_start(&e, "\"new-lease-burst\": 0");
	for (unsigned int i = 0; i < 11; i++)
		g_assert_nonnull(dora(&e, 10 + i, NULL));
	g_assert_cmpuint(ctr(&e, "new-leases-rate-limited"), ==, 0);
	env_stop(&e);
}

static void test_persistence(void)
{
	g_autofree char *dir = g_dir_make_tmp("pk-dhcp-XXXXXX", NULL);
	g_autofree char *extra = g_strdup_printf(
		"\"state-dir\": \"%s/sub\", \"static-leases\": [{\"mac\": \"52:54:00:00:00:08\", "
		"\"ip\": \"192.168.0.100\", \"hostname\": \"fixed\"}]", dir);
	g_autofree char *sub = g_build_filename(dir, "sub", NULL);
	g_autofree char *file = g_build_filename(sub, "dhcp0.leases", NULL);
	g_autofree char *aside = g_strdup_printf("%s.corrupt", file);
	g_autofree char *text = NULL;
	struct env e;
	struct reply r;

	env_start(&e, extra);
	g_assert_cmpstr(dora(&e, 1, "my-host"), ==, "192.168.0.10");
	g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "52:54:00:00:00:01 192.168.0.10 "));
	g_assert_nonnull(strstr(text, " my-host\n"));
	g_free(g_steal_pointer(&text));
	/* A reserved client without a name of its own gets the reservation's. */
	g_assert_cmpstr(dora(&e, 8, NULL), ==, "192.168.0.100");
	g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
	g_assert_nonnull(strstr(text, "52:54:00:00:00:08 192.168.0.100 "));
	g_assert_nonnull(strstr(text, " fixed\n"));
	env_stop(&e);

	/* Restart: the lease is still client 1's. */
	env_start(&e, extra);
	g_assert_true(warned("2 lease(s) loaded"));
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 2);
	g_assert_cmpstr(dora(&e, 2, NULL), ==, "192.168.0.11");
	{
		struct req q = { .type = PK_DHCP_REQUEST, .client = 1, .reqip = "192.168.0.10" };

		g_assert_true(send_req(&e, &q, &r));
		g_assert_cmpuint(r.f.msg.msg_type, ==, PK_DHCP_ACK);
	}
	env_stop(&e);

	/* A corrupt file is set aside; the server starts empty. */
	g_assert_true(g_file_set_contents(file, "# pktkit dhcp leases 1\ngarbage here\n", -1,
					  NULL));
	env_start(&e, extra);
	g_assert_cmpuint(ctr(&e, "lease-file-errors"), ==, 1);
	g_assert_true(warned("malformed lease line"));
	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 0);
	g_assert_true(g_file_test(aside, G_FILE_TEST_EXISTS));
	g_assert_cmpstr(dora(&e, 3, NULL), ==, "192.168.0.10");
	env_stop(&e);
	g_unlink(aside);
	g_unlink(file);
	g_rmdir(sub);
	g_rmdir(dir);
}

static void inject_and_expect_drop(struct env *e, const uint8_t *frame, uint32_t len)
{
	uint64_t before = ctr(e, "dropped-malformed");

	g_assert_true(pk_pipe_inject(e->pipe, frame, len));
	g_assert_cmpuint(pk_pipe_pending(e->pipe), ==, 0);
	g_assert_cmpuint(ctr(e, "dropped-malformed"), ==, before + 1);
}

static void test_bad_input(void)
{
	struct req d = { .type = PK_DHCP_DISCOVER, .client = 2 };
	struct env e;
	uint8_t frame[6000], msg[5200];
	uint32_t len;
	struct pk_dhcp_addrs a = { .src_port = 68, .dst_port = 67 };

	env_start(&e, NULL);
	dora(&e, 1, NULL);
	len = build_req(&d, frame, sizeof(frame));
	/* Truncated: IP and UDP lengths no longer match. */
	inject_and_expect_drop(&e, frame, len - 100);
	inject_and_expect_drop(&e, frame, 50);
	/* Bad UDP checksum. */
	frame[len - 1] ^= 0x55;
	inject_and_expect_drop(&e, frame, len);
	frame[len - 1] ^= 0x55;

	memset(a.dst_mac.b, 0xff, 6);
	a.dst_ip = ip("255.255.255.255");
	a.src_mac = cmac(2);
	/* Missing cookie. */
	memcpy(msg, frame + 42, len - 42);
	msg[236] = 0;
	inject_and_expect_drop(&e, frame, pk_dhcp_frame_build(frame, sizeof(frame), &a, msg,
								 len - 42));
	/* Option overflow: a length running past the end. */
	memcpy(msg, frame + 42, len - 42);
	msg[236] = 99;
	msg[240] = 53;
	msg[241] = 1;
	msg[242] = 1;
	msg[243] = 12;
	msg[244] = 250;
	memset(msg + 245, 'a', 20);
	inject_and_expect_drop(&e, frame, pk_dhcp_frame_build(frame, sizeof(frame), &a, msg, 265));
	/* Oversized message. */
	memset(msg + 243, 0, sizeof(msg) - 243);
	inject_and_expect_drop(&e, frame, pk_dhcp_frame_build(frame, sizeof(frame), &a, msg,
								 PK_DHCP_MAX_LEN + 10));
	/* Bad hardware length; no message type (BOOTP). */
	msg[2] = 17;
	inject_and_expect_drop(&e, frame, pk_dhcp_frame_build(frame, sizeof(frame), &a, msg, 300));
	msg[2] = 6;
	msg[240] = 0;
	inject_and_expect_drop(&e, frame, pk_dhcp_frame_build(frame, sizeof(frame), &a, msg, 300));
	/* Short UDP header length field. */
	len = build_req(&d, frame, sizeof(frame));
	frame[14 + 20 + 4] = 0;
	frame[14 + 20 + 5] = 4;
	inject_and_expect_drop(&e, frame, len);

	g_assert_cmpuint(status_u(&e, "leases-bound"), ==, 1);
	g_assert_cmpuint(ctr(&e, "offers"), ==, 1);
	g_assert_cmpuint(ctr(&e, "acks"), ==, 1);
	env_stop(&e);
}

static void test_arp_and_ping(void)
{
	struct env e;
	uint8_t f[128];
	struct pk_buf *b;
	struct pk_arp_view arp = { 0 };
	const struct pk_mac me = cmac(1);
	const uint8_t server_mac[6] = { 0x02, 0xdd, 0xcc, 0x00, 0x00, 0x01 };

	env_start(&e, NULL);
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, me.b, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;
	f[16] = 0x08;
	f[18] = 6;
	f[19] = 4;
	f[21] = 1;
	memcpy(f + 22, me.b, 6);
	memcpy(f + 28, ip("192.168.0.10").b, 4);
	memcpy(f + 38, ip("192.168.0.1").b, 4);
	g_assert_true(pk_pipe_inject(e.pipe, f, 60));
	b = pk_pipe_pop(e.pipe);
	g_assert_nonnull(b);
	g_assert_true(pk_arp_parse(pk_buf_data(b) + 14, pk_buf_len(b) - 14, &arp));
	g_assert_cmpuint(arp.op, ==, PK_ARP_OP_REPLY);
	g_assert_cmpmem(arp.sha, 6, server_mac, 6);
	assert_ip(arp.spa, "192.168.0.1");
	pk_buf_unref(b);
	/* ARP for another address: silence. */
	memcpy(f + 38, ip("192.168.0.2").b, 4);
	g_assert_true(pk_pipe_inject(e.pipe, f, 60));
	g_assert_cmpuint(pk_pipe_pending(e.pipe), ==, 0);
	g_assert_cmpuint(ctr(&e, "arp-replies"), ==, 1);

	/* ICMP echo to server-ip. */
	{
		uint8_t *ipv4 = f + 14, *icmp = f + 34;
		struct pk_ip4_view v = { 0 };

		memset(f, 0, sizeof(f));
		memcpy(f, server_mac, 6);
		memcpy(f + 6, me.b, 6);
		f[12] = 0x08;
		ipv4[0] = 0x45;
		ipv4[3] = 20 + 16;
		ipv4[8] = 64;
		ipv4[9] = 1;
		memcpy(ipv4 + 12, ip("192.168.0.10").b, 4);
		memcpy(ipv4 + 16, ip("192.168.0.1").b, 4);
		pk_ip4_csum_fill(ipv4, 20);
		icmp[0] = 8;
		icmp[5] = 7;
		memcpy(icmp + 8, "pingping", 8);
		pk_put_be16(icmp + 2, pk_csum(icmp, 16));
		g_assert_true(pk_pipe_inject(e.pipe, f, 14 + 36));
		b = pk_pipe_pop(e.pipe);
		g_assert_nonnull(b);
		g_assert_true(pk_ip4_parse(pk_buf_data(b) + 14, pk_buf_len(b) - 14, &v));
		g_assert_true(pk_ip4_csum_ok(&v));
		g_assert_cmpuint(v.payload[0], ==, 0);
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, 0));
		g_assert_cmpmem(v.payload + 8, 8, "pingping", 8);
		assert_ip(v.dst, "192.168.0.10");
		pk_buf_unref(b);
	}
	g_assert_cmpuint(ctr(&e, "echo-replies"), ==, 1);
	env_stop(&e);
}

static void test_bad_config(void)
{
	static const char *const bad[] = {
		"{\"server-ip\": \"10.0.0.1\", \"range-start\": \"192.168.0.10\", "
		"\"range-end\": \"192.168.0.20\"}",
		"{\"server-ip\": \"192.168.0.1\", \"range-start\": \"192.168.0.30\", "
		"\"range-end\": \"192.168.0.20\"}",
		"{\"server-ip\": \"192.168.0.1\", \"range-start\": \"192.168.0.10\", "
		"\"range-end\": \"192.168.0.20\", \"t1\": \"2h\"}",
		"{\"server-ip\": \"192.168.0.1\", \"range-start\": \"192.168.0.10\", "
		"\"range-end\": \"192.168.0.20\", \"static-leases\": [{\"mac\": "
		"\"52:54:00:00:00:01\", \"ip\": \"192.168.0.1\"}]}",
		"{\"server-ip\": \"192.168.0.1\"}",
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct pk_graph *g = pk_graph_new(registry(), NULL, PK_GRAPH_FAKE_CLOCK);
		g_autoptr(JsonNode) node = json_from_string(bad[i], NULL);
		g_autoptr(GError) error = NULL;

		g_assert_null(pk_graph_add_device(g, "d", "svc.dhcp-server",
						  json_node_get_object(node), &error));
		g_assert_nonnull(error);
		pk_graph_free(g);
	}
}

int main(int argc, char **argv)
{
	struct pk_buf_stats st;

	g_test_init(&argc, &argv, NULL);
	warnings = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(capture_writer, NULL, NULL);
	g_test_add_func("/dhcp/server/dora", test_dora);
	g_test_add_func("/dhcp/server/status", test_status);
	g_test_add_func("/dhcp/server/broadcast-flag", test_broadcast_flag);
	g_test_add_func("/dhcp/server/nak", test_nak);
	g_test_add_func("/dhcp/server/other-server", test_other_server);
	g_test_add_func("/dhcp/server/relay", test_relay);
	g_test_add_func("/dhcp/server/static-and-exclusion", test_static_and_exclusion);
	g_test_add_func("/dhcp/server/expiry", test_expiry);
	g_test_add_func("/dhcp/server/decline-release-inform", test_decline_release_inform);
	g_test_add_func("/dhcp/server/table-full", test_table_full);
	g_test_add_func("/dhcp/server/offer-reuse", test_offer_reuse);
	g_test_add_func("/dhcp/server/offer-reuse-table-full", test_offer_reuse_table_full);
	g_test_add_func("/dhcp/server/discover-flood", test_discover_flood);
	g_test_add_func("/dhcp/server/new-lease-rate", test_new_lease_rate);
	g_test_add_func("/dhcp/server/persistence", test_persistence);
	g_test_add_func("/dhcp/server/bad-input", test_bad_input);
	g_test_add_func("/dhcp/server/arp-and-ping", test_arp_and_ping);
	g_test_add_func("/dhcp/server/bad-config", test_bad_config);
	{
		int rc = g_test_run();

		pk_buf_pool_stats(&st);
		g_assert_cmpint(st.allocated, ==, 0);
		return rc;
	}
}
