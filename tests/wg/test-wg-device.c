/* SPDX-License-Identifier: MIT
 * test-wg-device.c - l3.wg devices talking to each other over loopback UDP: routing, isolation, config, status
 *
 * One graph, three WireGuard devices: "wa" and "wc" are clients whose inner
 * address is the same, 10.0.0.2; "wb" serves both with isolate-peers, each
 * on its own port. Pipes stand for what is behind each port. Packets are
 * real UDP on 127.0.0.1 between the devices, on the real clock.
 */
#include <arpa/inet.h>
#include <string.h>
#include <glib.h>
#include <pktkit/pktkit.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>
#include <pktkit/embed/testing.h>

#include "wg-crypto.h"

struct keys {
	char priv[3][64];
	char pub[3][64];
};

struct net {
	struct pk_registry *reg;
	struct pk_graph *g;
	unsigned port[3];
	struct keys k;
};

static void make_keys(struct keys *k)
{
	for (unsigned i = 0; i < 3; i++) {
		uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
		g_autofree char *a = NULL, *b = NULL;

		wg_genkey(priv);
		wg_pubkey(pub, priv);
		a = g_base64_encode(priv, WG_KEY_LEN);
		b = g_base64_encode(pub, WG_KEY_LEN);
		g_strlcpy(k->priv[i], a, sizeof(k->priv[i]));
		g_strlcpy(k->pub[i], b, sizeof(k->pub[i]));
	}
}

/* The topology: wa (key 0) and wc (key 2) are clients of wb (key 1). */
static char *topology(const struct net *n, const char *wb_extra, const char *links)
{
	return g_strdup_printf(
		"{ \"templates\": { \"seg\": { \"devices\": { \"p\": { \"type\": "
		"\"core.pipe-l3\" } }, \"attach\": \"p\" } },"
		" \"devices\": {"
		" \"a\": { \"type\": \"core.pipe-l3\" }, \"c\": { \"type\": \"core.pipe-l3\" },"
		" \"b0\": { \"type\": \"core.pipe-l3\" }, \"b1\": { \"type\": \"core.pipe-l3\" },"
		" \"wa\": { \"type\": \"l3.wg\", \"private-key\": \"%s\", \"listen-port\": %u,"
		"   \"peers\": [ { \"public-key\": \"%s\", \"endpoint\": \"127.0.0.1:%u\","
		"                  \"allowed-ips\": \"10.0.0.0/24\" } ] },"
		" \"wc\": { \"type\": \"l3.wg\", \"private-key\": \"%s\", \"listen-port\": %u,"
		"   \"peers\": [ { \"public-key\": \"%s\", \"endpoint\": \"127.0.0.1:%u\","
		"                  \"allowed-ips\": \"10.0.0.0/24\" } ] },"
		" \"wb\": { \"type\": \"l3.wg\", \"private-key\": \"%s\", \"listen-port\": %u,"
		"   \"isolate-peers\": true%s,"
		"   \"peers\": [ { \"public-key\": \"%s\", \"allowed-ips\": \"10.0.0.2/32\" },"
		"                { \"public-key\": \"%s\", \"allowed-ips\": \"10.0.0.2/32\" } ] }"
		" },"
		" \"links\": [ %s ] }",
		n->k.priv[0], n->port[0], n->k.pub[1], n->port[1], n->k.priv[2], n->port[2],
		n->k.pub[1], n->port[1], n->k.priv[1], n->port[1], wb_extra ? wb_extra : "",
		n->k.pub[0], n->k.pub[2],
		links ? links
		      : "[\"a\", \"wa.ip\"], [\"c\", \"wc.ip\"], [\"b0\", \"wb.peer.0\"], "
			"[\"b1\", \"wb.peer.1\"]");
}

static void net_setup_links(struct net *n, const char *wb_extra, const char *links);

static void net_setup(struct net *n, const char *wb_extra)
{
	net_setup_links(n, wb_extra, NULL);
}

static void net_setup_links(struct net *n, const char *wb_extra, const char *links)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *json = NULL;
	g_autoptr(JsonNode) root = NULL;
	unsigned base = (unsigned)g_random_int_range(20000, 60000);

	memset(n, 0, sizeof(*n));
	for (unsigned i = 0; i < 3; i++)
		n->port[i] = base + i;
	make_keys(&n->k);
	n->reg = pk_registry_new();
	pk_registry_scan_default(n->reg);
	n->g = pk_graph_new(n->reg, NULL, 0);
	json = topology(n, wb_extra, links);
	root = json_from_string(json, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_load(n->g, root, &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(n->g, &error));
	g_assert_no_error(error);
}

static void net_teardown(struct net *n)
{
	pk_graph_free(n->g);
	pk_registry_free(n->reg);
}

/* An IPv4/UDP packet @src -> @dst with @tag as payload. */
static void inject(struct net *n, const char *pipe, const char *src, const char *dst,
		   const char *tag)
{
	uint8_t p[128] = { 0 };
	size_t tl = strlen(tag), len = 28 + tl;
	struct pk_dev *d = pk_graph_lookup(n->g, pipe);

	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = 17;
	g_assert_cmpint(inet_pton(AF_INET, src, p + 12), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, dst, p + 16), ==, 1);
	pk_put_be16(p + 10, pk_csum(p, 20));
	pk_put_be16(p + 20, 4000);
	pk_put_be16(p + 22, 5000);
	pk_put_be16(p + 24, (uint16_t)(8 + tl));
	memcpy(p + 28, tag, tl);
	g_assert_true(pk_pipe_inject(d, p, (uint32_t)len));
}

/* Iterate until @pipe holds a packet (or 3 s); its payload as text, or NULL. */
static char *wait_pop(struct net *n, const char *pipe, unsigned ms)
{
	struct pk_dev *d = pk_graph_lookup(n->g, pipe);
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	struct pk_buf *b;
	char *out;

	while (!(b = pk_pipe_pop(d)) && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	if (!b)
		return NULL;
	g_assert_cmpuint(pk_buf_len(b), >=, 28);
	out = g_strndup((const char *)pk_buf_data(b) + 28, pk_buf_len(b) - 28);
	pk_buf_unref(b);
	return out;
}

static void run_ms(unsigned ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static uint64_t counter(struct net *n, const char *dev, const char *name)
{
	return pk_dev_counter(pk_graph_lookup(n->g, dev), name);
}

/* An IPv4/UDP packet of @len bytes @src -> @dst, DF set or not, from @pipe. */
static void inject_sized(struct net *n, const char *pipe, const char *src, const char *dst,
			 uint32_t len, bool df)
{
	g_autofree uint8_t *p = g_malloc0(len);

	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[6] = df ? 0x40 : 0;
	p[8] = 64;
	p[9] = 17;
	g_assert_cmpint(inet_pton(AF_INET, src, p + 12), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, dst, p + 16), ==, 1);
	pk_put_be16(p + 10, pk_csum(p, 20));
	pk_put_be16(p + 20, 4000);
	pk_put_be16(p + 22, 5000);
	pk_put_be16(p + 24, (uint16_t)(len - 20));
	g_assert_true(pk_pipe_inject(pk_graph_lookup(n->g, pipe), p, len));
}

/* The ICMP error @pipe got: checks its IP header (from @from to @to, a
 * valid checksum) and returns type, code and the 4 bytes after the
 * checksum; false if nothing came. */
static bool pop_icmp(struct net *n, const char *pipe, const char *from, const char *to,
		     uint8_t *type, uint8_t *code, uint32_t *info)
{
	struct pk_buf *b = pk_pipe_pop(pk_graph_lookup(n->g, pipe));
	const uint8_t *p;
	uint8_t a[4];

	if (!b)
		return false;
	p = pk_buf_data(b);
	g_assert_cmpuint(pk_buf_len(b), >=, 20 + 8 + 28);
	g_assert_cmpuint(p[0], ==, 0x45);
	g_assert_cmpuint(p[9], ==, 1);
	g_assert_cmpuint(pk_csum(p, 20), ==, 0);
	g_assert_cmpuint(pk_csum(p + 20, pk_buf_len(b) - 20), ==, 0);
	g_assert_cmpint(inet_pton(AF_INET, from, a), ==, 1);
	g_assert_cmpmem(p + 12, 4, a, 4);
	g_assert_cmpint(inet_pton(AF_INET, to, a), ==, 1);
	g_assert_cmpmem(p + 16, 4, a, 4);
	*type = p[20];
	*code = p[21];
	*info = pk_get_be32(p + 24);
	pk_buf_unref(b);
	return true;
}

/* Packets the device cannot send are answered as a kernel WireGuard
 * interface answers them: no peer for the destination, or too big with DF. */
static void test_icmp_errors(void)
{
	struct net n;
	uint8_t type, code;
	uint32_t info;

	net_setup(&n, NULL);
	/* No peer has 10.9.9.9: host unreachable, from that address. */
	inject(&n, "a", "10.0.0.2", "10.9.9.9", "lost");
	g_assert_true(pop_icmp(&n, "a", "10.9.9.9", "10.0.0.2", &type, &code, &info));
	g_assert_cmpuint(type, ==, 3);
	g_assert_cmpuint(code, ==, 1);
	g_assert_cmpuint(counter(&n, "wa", "dropped-no-peer"), ==, 1);
	g_assert_cmpuint(counter(&n, "wa", "icmp-errors-sent"), ==, 1);
	/* Over the mtu (1420) with DF: fragmentation needed, saying 1420. */
	inject_sized(&n, "a", "10.0.0.2", "10.0.0.1", 1500, true);
	g_assert_true(pop_icmp(&n, "a", "10.0.0.1", "10.0.0.2", &type, &code, &info));
	g_assert_cmpuint(type, ==, 3);
	g_assert_cmpuint(code, ==, 4);
	g_assert_cmpuint(info & 0xffff, ==, 1420);
	/* Without DF: dropped and counted, no answer (nobody could act on it). */
	inject_sized(&n, "a", "10.0.0.2", "10.0.0.1", 1500, false);
	g_assert_false(pop_icmp(&n, "a", "10.0.0.1", "10.0.0.2", &type, &code, &info));
	g_assert_cmpuint(counter(&n, "wa", "dropped-too-big"), ==, 2);
	/* A flood gets a bounded trickle of answers (a burst of 50). */
	for (unsigned i = 0; i < 500; i++)
		inject(&n, "a", "10.0.0.2", "10.9.9.9", "flood");
	g_assert_cmpuint(counter(&n, "wa", "dropped-no-peer"), ==, 501);
	g_assert_cmpuint(counter(&n, "wa", "icmp-errors-sent"), <, 2 + 60);
	net_teardown(&n);
}

static void test_isolated_peers(void)
{
	struct net n;
	char *got;

	net_setup(&n, NULL);
	/* Both clients are 10.0.0.2; each reaches only its own port on wb. */
	inject(&n, "a", "10.0.0.2", "10.0.0.1", "from-a");
	got = wait_pop(&n, "b0", 3000);
	g_assert_cmpstr(got, ==, "from-a");
	g_free(got);
	inject(&n, "c", "10.0.0.2", "10.0.0.1", "from-c");
	got = wait_pop(&n, "b1", 3000);
	g_assert_cmpstr(got, ==, "from-c");
	g_free(got);
	run_ms(100);
	g_assert_cmpuint(pk_pipe_pending(pk_graph_lookup(n.g, "b0")), ==, 0);
	g_assert_cmpuint(pk_pipe_pending(pk_graph_lookup(n.g, "b1")), ==, 0);
	/* Answers to 10.0.0.2 from each segment go to that segment's client. */
	inject(&n, "b0", "10.0.0.1", "10.0.0.2", "to-a");
	inject(&n, "b1", "10.0.0.1", "10.0.0.2", "to-c");
	got = wait_pop(&n, "a", 3000);
	g_assert_cmpstr(got, ==, "to-a");
	g_free(got);
	got = wait_pop(&n, "c", 3000);
	g_assert_cmpstr(got, ==, "to-c");
	g_free(got);
	run_ms(100);
	g_assert_cmpuint(pk_pipe_pending(pk_graph_lookup(n.g, "a")), ==, 0);
	g_assert_cmpuint(pk_pipe_pending(pk_graph_lookup(n.g, "c")), ==, 0);
	g_assert_cmpuint(counter(&n, "wb", "handshakes"), ==, 2);
	g_assert_cmpuint(counter(&n, "wb", "rx-packets"), ==, 2);
	/* A client may not use another source: dropped at wb. */
	inject(&n, "a", "10.0.0.9", "10.0.0.1", "spoofed");
	run_ms(200);
	g_assert_cmpuint(pk_pipe_pending(pk_graph_lookup(n.g, "b0")), ==, 0);
	g_assert_cmpuint(counter(&n, "wb", "dropped-source-not-allowed"), ==, 1);
	/* A destination outside a client's allowed-ips has no peer. */
	inject(&n, "a", "10.0.0.2", "192.0.2.1", "nowhere");
	run_ms(50);
	g_assert_cmpuint(counter(&n, "wa", "dropped-no-peer"), ==, 1);
	net_teardown(&n);
}

/* With peer-template each peer's port gets its own pipe, made at start;
 * a peer removed takes its segment along, one added gets a new one. */
static void test_peer_template(void)
{
	struct net n;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) params = NULL;
	g_autofree char *json = NULL;
	struct pk_dev *seg0 = NULL, *seg1 = NULL;
	const char **ids;

	/* wb's peers are not linked statically this time. */
	net_setup_links(&n, ", \"peer-template\": \"seg\"",
			"[\"a\", \"wa.ip\"], [\"c\", \"wc.ip\"]");
	run_ms(100); /* the host builds the instances outside the dispatch */
	ids = pk_graph_devices(n.g);
	for (const char **id = ids; *id; id++) {
		if (!g_str_has_prefix(*id, "wb/") || !g_str_has_suffix(*id, "/p"))
			continue;
		if (!seg0)
			seg0 = pk_graph_lookup(n.g, *id);
		else
			seg1 = pk_graph_lookup(n.g, *id);
	}
	g_free(ids);
	g_assert_nonnull(seg0);
	g_assert_nonnull(seg1);
	inject(&n, "a", "10.0.0.2", "10.0.0.1", "from-a");
	inject(&n, "c", "10.0.0.2", "10.0.0.1", "from-c");
	run_ms(500);
	g_assert_cmpuint(pk_pipe_pending(seg0) + pk_pipe_pending(seg1), ==, 2);
	g_assert_cmpuint(pk_pipe_pending(seg0), ==, 1);
	/* Remove the first peer: its segment goes. */
	json = g_strdup_printf("{ \"peers\": [ { \"public-key\": \"%s\", \"allowed-ips\": "
			       "\"10.0.0.2/32\" } ] }",
			       n.k.pub[2]);
	params = json_from_string(json, &error);
	g_assert_true(pk_graph_set_config(n.g, "wb", json_node_get_object(params), &error));
	g_assert_no_error(error);
	run_ms(100);
	ids = pk_graph_devices(n.g);
	{
		unsigned segs = 0;

		for (const char **id = ids; *id; id++)
			segs += g_str_has_prefix(*id, "wb/");
		g_assert_cmpuint(segs, ==, 1);
	}
	g_free(ids);
	net_teardown(&n);
}

static void test_live_peers_keep_sessions(void)
{
	struct net n;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) params = NULL;
	g_autofree char *json = NULL;
	char *got;

	net_setup(&n, NULL);
	inject(&n, "a", "10.0.0.2", "10.0.0.1", "one");
	got = wait_pop(&n, "b0", 3000);
	g_assert_cmpstr(got, ==, "one");
	g_free(got);
	g_assert_cmpuint(counter(&n, "wa", "handshakes"), ==, 1);
	/* wa's peer gets a keepalive setting and a wider allowed-ips: the
	 * session stays (no new handshake), traffic flows on. */
	json = g_strdup_printf("{ \"peers\": [ { \"public-key\": \"%s\", \"endpoint\": "
			       "\"127.0.0.1:%u\", \"allowed-ips\": \"10.0.0.0/16\", "
			       "\"persistent-keepalive\": 25 } ] }",
			       n.k.pub[1], n.port[1]);
	params = json_from_string(json, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_set_config(n.g, "wa", json_node_get_object(params), &error));
	g_assert_no_error(error);
	inject(&n, "a", "10.0.0.2", "10.0.0.1", "two");
	got = wait_pop(&n, "b0", 3000);
	g_assert_cmpstr(got, ==, "two");
	g_free(got);
	g_assert_cmpuint(counter(&n, "wa", "handshakes"), ==, 1);
	/* Removing the peer ends it: nothing goes out any more. */
	json_node_unref(g_steal_pointer(&params));
	params = json_from_string("{ \"peers\": [] }", &error);
	g_assert_true(pk_graph_set_config(n.g, "wa", json_node_get_object(params), &error));
	g_assert_no_error(error);
	inject(&n, "a", "10.0.0.2", "10.0.0.1", "three");
	run_ms(200);
	g_assert_cmpuint(pk_pipe_pending(pk_graph_lookup(n.g, "b0")), ==, 0);
	g_assert_cmpuint(counter(&n, "wa", "dropped-no-peer"), ==, 1);
	net_teardown(&n);
}

/* Each bad configuration is refused with a message naming what is wrong. */
static void test_config_errors(void)
{
	static const struct {
		const char *params;
		const char *message;
	} cases[] = {
		{ "{}", "private-key or private-key-file is needed" },
		{ "{\"private-key\": \"%s\", \"private-key-file\": \"/nonexistent\"}",
		  "both given" },
		{ "{\"private-key-file\": \"/nonexistent/key\"}", "private-key-file" },
		{ "{\"private-key\": \"%s\", \"peers\": [ {\"public-key\": \"%s\", \"allowed-ips\": "
		  "\"10.0.0.0/33\"} ]}",
		  "peers[0]: allowed-ips: '10.0.0.0/33'" },
		{ "{\"private-key\": \"%s\", \"peers\": [ {\"public-key\": \"%s\", \"endpoint\": "
		  "\"1.2.3.4\"} ]}",
		  "peers[0]: endpoint '1.2.3.4'" },
		{ "{\"private-key\": \"%s\", \"peers\": [ {\"public-key\": \"%s\", \"endpoint\": "
		  "\"[::1:51820\"} ]}",
		  "[address]:port" },
		{ "{\"private-key\": \"%s\", \"peers\": [ {\"public-key\": \"%s\"}, {\"public-key\": "
		  "\"%s\"} ]}",
		  "peers[1]: public-key is the same as peers[0]'s" },
		{ "{\"private-key\": \"%s\", \"peers\": [ {\"public-key\": \"%s\"} ]}",
		  "this interface's own public key" },
	};
	struct keys k;
	struct pk_registry *reg = pk_registry_new();
	struct pk_graph *g;

	make_keys(&k);
	pk_registry_scan_default(reg);
	g = pk_graph_new(reg, NULL, 0);
	for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonNode) params = NULL;
		g_autofree char *json = NULL;
		const char *peer = i == 7 ? k.pub[0] : k.pub[1];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		json = g_strdup_printf(cases[i].params, k.priv[0], peer, peer);
#pragma GCC diagnostic pop
		params = json_from_string(json, &error);
		g_assert_no_error(error);
		g_assert_null(
			pk_graph_add_device(g, "w", "l3.wg", json_node_get_object(params), &error));
		g_assert_nonnull(error);
		if (!strstr(error->message, cases[i].message))
			g_error("case %u: '%s' does not say '%s'", i, error->message,
				cases[i].message);
	}
	pk_graph_free(g);
	pk_registry_free(reg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_true(wg_crypto_global_init(NULL));
	g_test_add_func("/wg/device/isolated-peers", test_isolated_peers);
	g_test_add_func("/wg/device/live-peers-keep-sessions", test_live_peers_keep_sessions);
	g_test_add_func("/wg/device/peer-template", test_peer_template);
	g_test_add_func("/wg/device/config-errors", test_config_errors);
	g_test_add_func("/wg/device/icmp-errors", test_icmp_errors);
	return g_test_run();
}
