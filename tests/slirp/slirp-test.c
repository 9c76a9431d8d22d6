/* SPDX-License-Identifier: MIT
 * slirp-test.c - The slirp tests' graph (pipe <-> l3.slirp) and guest packet builders
 */
#include <arpa/inet.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "slirp-test.h"

static const char slirp_test_defaults[] = "{\"host-loopback4\": \"" SLIRP_TEST_HOST4
					  "\", \"host-loopback6\": \"" SLIRP_TEST_HOST6
					  "\", \"dns4\": \"" SLIRP_TEST_DNS4
					  "\", \"dns6\": \"" SLIRP_TEST_DNS6 "\"}";

static JsonObject *slirp_test_params(const char *extra)
{
	g_autoptr(JsonNode) defaults = json_from_string(slirp_test_defaults, NULL);
	JsonObject *o = json_object_ref(json_node_get_object(defaults));

	if (extra) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonNode) n = json_from_string(extra, &error);
		JsonObjectIter it;
		const char *key;
		JsonNode *value;

		g_assert_no_error(error);
		json_object_iter_init(&it, json_node_get_object(n));
		while (json_object_iter_next(&it, &key, &value))
			json_object_set_member(o, key, json_node_copy(value));
	}
	return o;
}

void slirp_test_setup(struct slirp_test *t, const char *params_json)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) params = slirp_test_params(params_json);

	memset(t, 0, sizeof(*t));
	t->reg = pk_registry_new();
	pk_registry_scan_default(t->reg);
	t->g = pk_graph_new(t->reg, NULL, 0);
	t->pipe = pk_graph_add_device(t->g, "guest", "core.pipe-l3", NULL, &error);
	g_assert_no_error(error);
	t->slirp = pk_graph_add_device(t->g, "slirp", "l3.slirp", params, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(t->g, "guest", "slirp", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(t->g, &error));
	g_assert_no_error(error);
}

void slirp_test_teardown(struct slirp_test *t)
{
	pk_graph_free(t->g);
	pk_registry_free(t->reg);
}

void slirp_test_run(struct slirp_test *t, unsigned int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

struct pk_buf *slirp_test_wait(struct slirp_test *t, unsigned int timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	struct pk_buf *b;

	while (!(b = pk_pipe_pop(t->pipe)) && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	return b;
}

uint64_t slirp_test_status_flows(struct pk_graph *g)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = pk_graph_device_status(g, "slirp", &error);
	g_autoptr(GVariant) v = NULL;

	g_assert_no_error(error);
	v = g_variant_lookup_value(st, "flows", NULL);
	g_assert_nonnull(v);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64))
		return g_variant_get_uint64(v);
	return g_variant_get_uint32(v);
}

uint64_t slirp_test_counter(struct slirp_test *t, const char *name)
{
	return pk_dev_counter(t->slirp, name);
}

void slirp_test_addr(const char *text, uint8_t *out, bool *ipv6)
{
	*ipv6 = strchr(text, ':') != NULL;
	g_assert_cmpint(inet_pton(*ipv6 ? AF_INET6 : AF_INET, text, out), ==, 1);
}

void slirp_test_send(struct slirp_test *t, const char *src, const char *dst, uint8_t proto,
		     const uint8_t *l4, uint32_t l4_len)
{
	uint8_t s[16], d[16];
	bool v6, v6d;
	struct pk_buf *b;
	struct pk_ip_fields f = { .src = s, .dst = d, .proto = proto, .ttl = 64 };

	slirp_test_addr(src, s, &v6);
	slirp_test_addr(dst, d, &v6d);
	g_assert_cmpint(v6, ==, v6d);
	f.version = v6 ? 6 : 4;
	b = pk_buf_new_copy(l4, l4_len);
	g_assert_nonnull(b);
	g_assert_true(pk_ip_push(b, &f));
	g_assert_true(pk_pipe_inject(t->pipe, pk_buf_data(b), pk_buf_len(b)));
	pk_buf_unref(b);
}

static uint32_t slirp_test_pseudo(const char *src, const char *dst, uint8_t proto, uint32_t len)
{
	uint8_t s[16], d[16];
	bool v6;

	slirp_test_addr(src, s, &v6);
	slirp_test_addr(dst, d, &v6);
	return v6 ? pk_csum_pseudo6(s, d, proto, len) : pk_csum_pseudo4(s, d, proto, len);
}

void slirp_test_send_udp(struct slirp_test *t, const char *src, uint16_t sport, const char *dst,
			 uint16_t dport, const void *payload, uint32_t len)
{
	g_autofree uint8_t *u = g_malloc0(PK_UDP_HLEN + len);
	uint16_t sum;

	pk_put_be16(u, sport);
	pk_put_be16(u + 2, dport);
	pk_put_be16(u + 4, (uint16_t)(PK_UDP_HLEN + len));
	memcpy(u + PK_UDP_HLEN, payload, len);
	sum = pk_csum_fold(
		pk_csum_partial(u, PK_UDP_HLEN + len,
				slirp_test_pseudo(src, dst, PK_IPPROTO_UDP, PK_UDP_HLEN + len)));
	pk_put_be16(u + 6, sum ? sum : 0xffff);
	slirp_test_send(t, src, dst, PK_IPPROTO_UDP, u, PK_UDP_HLEN + len);
}

void slirp_test_send_tcp(struct slirp_test *t, const char *src, uint16_t sport, const char *dst,
			 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
			 const uint8_t *opts, uint32_t opts_len, const void *payload, uint32_t len)
{
	uint32_t hlen = PK_TCP_HLEN + opts_len, total = hlen + len;
	g_autofree uint8_t *seg = g_malloc0(total);

	g_assert_cmpuint(opts_len % 4, ==, 0);
	pk_put_be16(seg, sport);
	pk_put_be16(seg + 2, dport);
	pk_put_be32(seg + 4, seq);
	pk_put_be32(seg + 8, ack);
	seg[12] = (uint8_t)((hlen / 4) << 4);
	seg[13] = flags;
	pk_put_be16(seg + 14, window);
	if (opts_len)
		memcpy(seg + PK_TCP_HLEN, opts, opts_len);
	if (len)
		memcpy(seg + hlen, payload, len);
	pk_put_be16(seg + 16,
		    pk_csum_fold(pk_csum_partial(
			    seg, total, slirp_test_pseudo(src, dst, PK_IPPROTO_TCP, total))));
	slirp_test_send(t, src, dst, PK_IPPROTO_TCP, seg, total);
}

void slirp_test_parse(const struct pk_buf *b, struct slirp_test_pkt *out)
{
	const uint8_t *d = pk_buf_data(b);
	uint32_t len = pk_buf_len(b);

	memset(out, 0, sizeof(*out));
	if (pk_ip_version(d, len) == 4) {
		struct pk_ip4_view v = { 0 };

		g_assert_true(pk_ip4_parse(d, len, &v));
		g_assert_true(pk_ip4_csum_ok(&v));
		out->proto = v.proto;
		memcpy(out->src, v.src, 4);
		memcpy(out->dst, v.dst, 4);
		out->l4 = v.payload;
		out->l4_len = v.payload_len;
	} else {
		struct pk_ip6_view v = { 0 };

		g_assert_true(pk_ip6_parse(d, len, &v));
		out->ipv6 = true;
		out->proto = v.proto;
		memcpy(out->src, v.src, 16);
		memcpy(out->dst, v.dst, 16);
		out->l4 = v.l4;
		out->l4_len = v.l4_len;
	}
	/* Transport checksums are complete unless the packet says otherwise. */
	if (b->csum != PK_CSUM_PARTIAL &&
	    (out->proto == PK_IPPROTO_TCP || out->proto == PK_IPPROTO_UDP ||
	     out->proto == PK_IPPROTO_ICMPV6)) {
		uint32_t ps = out->ipv6
				      ? pk_csum_pseudo6(out->src, out->dst, out->proto, out->l4_len)
				      : pk_csum_pseudo4(out->src, out->dst, out->proto,
							out->l4_len);

		g_assert_cmphex(pk_csum_fold(pk_csum_partial(out->l4, out->l4_len, ps)), ==, 0);
	}
	if (out->proto == PK_IPPROTO_ICMP)
		g_assert_cmphex(pk_csum_fold(pk_csum_partial(out->l4, out->l4_len, 0)), ==, 0);
}
