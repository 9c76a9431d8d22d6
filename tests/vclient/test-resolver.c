// SPDX-License-Identifier: MIT
/* test-resolver.c - PkVclientResolver against a small DNS server on a second vclient (UDP and TCP) */
#include <string.h>
#include <pktkit/toolkit/dns.h>
#include <pktkit/embed/graph.h>
#include <pktkit/ip.h>
#include <pktkit/vclient.h>

#include "vclient-test.h"

/* The zone served by vclient b (10.0.0.2, fd00::2):
 *   a.test       A 10.1.0.1, 10.1.0.2; AAAA fd01::1
 *   alias.test   CNAME a.test (and a.test's records in the same reply)
 *   v4only.test  A 10.1.0.9; no AAAA (NODATA with SOA)
 *   nx.test      NXDOMAIN with SOA
 *   big.test     UDP: TC set, no records; TCP: 40 A records 10.2.0.1..40, no AAAA
 *   slow.test    never answered
 */

/* Response builder ------------------------------------------------------------------------ */

struct wbuf {
	uint8_t b[4096];
	uint32_t n;
};

static void put(struct wbuf *w, const void *p, uint32_t n)
{
	g_assert_cmpuint(w->n + n, <=, sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void put16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(w, b, 2);
}

static void put32(struct wbuf *w, uint32_t v)
{
	put16(w, (uint16_t)(v >> 16));
	put16(w, (uint16_t)v);
}

static void put_name(struct wbuf *w, const char *text)
{
	uint8_t wire[PK_DNS_NAME_MAX];
	uint32_t len;

	g_assert_cmpint(pk_dns_name_from_text(text, wire, &len), ==, PK_DNS_OK);
	put(w, wire, len);
}

/* A record whose owner is the name at offset @owner (a compression pointer). */
static void put_rr(struct wbuf *w, uint16_t owner, uint16_t type, const void *rdata, uint16_t len)
{
	put16(w, 0xc000 | owner);
	put16(w, type);
	put16(w, PK_DNS_CLASS_IN);
	put32(w, 300);
	put16(w, len);
	put(w, rdata, len);
}

static void put_soa(struct wbuf *w)
{
	uint32_t len_at;

	put_name(w, "test");
	put16(w, PK_DNS_T_SOA);
	put16(w, PK_DNS_CLASS_IN);
	put32(w, 300);
	len_at = w->n;
	put16(w, 0);
	put_name(w, "ns.test");
	put_name(w, "host.test");
	for (int i = 0; i < 5; i++)
		put32(w, i == 4 ? 60 : 1000);
	w->b[len_at] = (uint8_t)((w->n - len_at - 2) >> 8);
	w->b[len_at + 1] = (uint8_t)(w->n - len_at - 2);
}

static void put_addrs(struct wbuf *w, uint16_t owner, uint16_t qtype, const char *name,
		      bool tcp, uint16_t *an)
{
	if (strcmp(name, "a.test") == 0) {
		if (qtype == PK_DNS_T_A) {
			put_rr(w, owner, PK_DNS_T_A, "\x0a\x01\x00\x01", 4);
			put_rr(w, owner, PK_DNS_T_A, "\x0a\x01\x00\x02", 4);
			*an += 2;
		} else {
			put_rr(w, owner, PK_DNS_T_AAAA,
			       "\xfd\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
			*an += 1;
		}
	} else if (strcmp(name, "v4only.test") == 0 && qtype == PK_DNS_T_A) {
		put_rr(w, owner, PK_DNS_T_A, "\x0a\x01\x00\x09", 4);
		*an += 1;
	} else if (strcmp(name, "big.test") == 0 && tcp && qtype == PK_DNS_T_A) {
		for (uint8_t i = 1; i <= 40; i++) {
			uint8_t a[4] = { 10, 2, 0, i };

			put_rr(w, owner, PK_DNS_T_A, a, 4);
		}
		*an += 40;
	}
}

/* Builds the reply to @q in @w; false: no reply (slow.test). */
static bool answer(const uint8_t *q, uint32_t qlen, bool tcp, struct wbuf *w)
{
	struct pk_dns_msg m;
	char name[PK_DNS_NAME_STRLEN];
	uint8_t wire[PK_DNS_NAME_MAX];
	uint32_t wlen;
	uint16_t an = 0, ns = 0, rcode = 0, flags;
	bool tc = false;

	g_assert_cmpint(pk_dns_parse(q, qlen, &m), ==, PK_DNS_OK);
	g_assert_true(m.has_question);
	g_assert_cmpuint(pk_dns_name_to_text(&m.question.name, name, sizeof(name)), >, 0);
	g_assert_cmpint(pk_dns_name_unpack(&m.question.name, wire, &wlen), ==, PK_DNS_OK);
	if (strcmp(name, "slow.test") == 0)
		return false;
	w->n = PK_DNS_HDR_LEN;
	put(w, q + PK_DNS_HDR_LEN, wlen + 4);	/* the question as asked */
	if (strcmp(name, "alias.test") == 0) {
		uint16_t target = (uint16_t)(w->n + 12);

		put16(w, 0xc000 | PK_DNS_HDR_LEN);
		put16(w, PK_DNS_T_CNAME);
		put16(w, PK_DNS_CLASS_IN);
		put32(w, 300);
		put16(w, 8);
		put_name(w, "a.test");
		an = 1;
		put_addrs(w, target, m.question.qtype, "a.test", tcp, &an);
	} else if (strcmp(name, "nx.test") == 0) {
		rcode = PK_DNS_RCODE_NXDOMAIN;
	} else if (strcmp(name, "big.test") == 0 && !tcp) {
		tc = true;
	} else {
		put_addrs(w, PK_DNS_HDR_LEN, m.question.qtype, name, tcp, &an);
	}
	if (!an && !tc) {
		put_soa(w);
		ns = 1;
	}
	flags = PK_DNS_F_QR | PK_DNS_F_AA | PK_DNS_F_RA | (m.flags & PK_DNS_F_RD) | rcode |
		(tc ? PK_DNS_F_TC : 0);
	pk_put_be16(w->b, m.id);
	pk_put_be16(w->b + 2, flags);
	pk_put_be16(w->b + 4, 1);
	pk_put_be16(w->b + 6, an);
	pk_put_be16(w->b + 8, ns);
	pk_put_be16(w->b + 10, 0);
	return true;
}

/* The server ------------------------------------------------------------------------------ */

struct server {
	struct pk_vclient *vc;
	PkVclientUdp *udp;
	GSource *src;
	PkVclientListener *listener;
	bool silent;		/* count queries, answer none */
	bool tcp_silent;	/* the same over TCP only */
	guint udp_queries;
	guint tcp_queries;
};

struct srv_conn {
	struct server *s;
	GIOStream *stream;
	uint8_t buf[1024];
	gsize len;
	struct wbuf reply;
};

static gboolean srv_udp_readable(GObject *obj, gpointer data)
{
	struct server *s = data;
	uint8_t q[1500];
	struct wbuf *w = g_new(struct wbuf, 1);
	GSocketAddress *from = NULL;
	gssize n;

	while ((n = pk_vclient_udp_receive_from(PK_VCLIENT_UDP(obj), &from, q, sizeof(q),
						NULL)) >= 0) {
		s->udp_queries++;
		if (!s->silent && answer(q, (uint32_t)n, false, w))
			g_assert_cmpint(pk_vclient_udp_send_to(s->udp, from, w->b, w->n, NULL), ==,
					w->n);
		g_clear_object(&from);
	}
	g_free(w);
	return G_SOURCE_CONTINUE;
}

static void srv_conn_free(struct srv_conn *c)
{
	g_io_stream_close(c->stream, NULL, NULL);
	g_object_unref(c->stream);
	g_free(c);
}

static void srv_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct srv_conn *c = data;

	g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, NULL);
	srv_conn_free(c);
}

static void srv_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct srv_conn *c = data;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, NULL);
	const uint8_t *msg;
	uint32_t len;
	struct wbuf w;

	if (n <= 0) {
		srv_conn_free(c);
		return;
	}
	c->len += (gsize)n;
	if (!pk_dns_tcp_unframe(c->buf, (uint32_t)c->len, &msg, &len)) {
		g_input_stream_read_async(G_INPUT_STREAM(src), c->buf + c->len,
					  sizeof(c->buf) - c->len, G_PRIORITY_DEFAULT, NULL,
					  srv_read, c);
		return;
	}
	c->s->tcp_queries++;
	if (c->s->silent || c->s->tcp_silent || !answer(msg, len, true, &w)) {
		srv_conn_free(c);
		return;
	}
	c->reply.n = pk_dns_tcp_frame(c->reply.b, sizeof(c->reply.b), w.b, w.n);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(c->stream), c->reply.b,
					c->reply.n, G_PRIORITY_DEFAULT, NULL, srv_written, c);
}

static void srv_accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct server *s = data;
	GError *error = NULL;
	GIOStream *st = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(src), res, &error);
	struct srv_conn *c;

	if (!st) {
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
		g_error_free(error);
		return;
	}
	c = g_new0(struct srv_conn, 1);
	c->s = s;
	c->stream = st;
	g_input_stream_read_async(g_io_stream_get_input_stream(st), c->buf, sizeof(c->buf),
				  G_PRIORITY_DEFAULT, NULL, srv_read, c);
	pk_vclient_listener_accept_async(s->listener, NULL, srv_accepted, s);
}

static void server_start(struct server *s, struct pk_vclient *vc, const char *any, guint16 port)
{
	g_autoptr(GSocketAddress) local = sa(any, port);
	GError *error = NULL;

	memset(s, 0, sizeof(*s));
	s->vc = vc;
	s->udp = pk_vclient_udp_new(vc, local, G_SOCKET_FAMILY_INVALID, &error);
	g_assert_no_error(error);
	s->src = pk_vclient_udp_create_source(s->udp, NULL);
	g_source_set_callback(s->src, G_SOURCE_FUNC(srv_udp_readable), s, NULL);
	g_source_attach(s->src, NULL);
	s->listener = pk_vclient_tcp_listen(vc, local, 0, &error);
	g_assert_no_error(error);
	pk_vclient_listener_accept_async(s->listener, NULL, srv_accepted, s);
}

static void server_stop(struct server *s)
{
	g_source_destroy(s->src);
	g_source_unref(s->src);
	g_object_unref(s->udp);
	pk_vclient_listener_close(s->listener);
	g_object_unref(s->listener);
}

/* Fixture: vclient a (client) and b (server) back to back -------------------------------- */

struct fx {
	struct pk_graph *g;
	struct pk_vclient *a, *b;
	struct server s4, s6, dead;
	GResolver *res;
	guint guard;
};

static void fx_setup(struct fx *f, const char *const *servers, guint timeout_ms)
{
	GError *error = NULL;
	g_autoptr(JsonNode) pa = json_from_string(
		"{\"addresses\": [{\"prefix\": \"10.0.0.1/24\"}, {\"prefix\": \"fd00::1/64\"}]}",
		NULL);
	g_autoptr(JsonNode) pb = json_from_string(
		"{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, {\"prefix\": \"fd00::2/64\"}]}",
		NULL);
	struct pk_vclient_resolver_options opts = { .timeout_ms = timeout_ms };
	static const char *const def[] = { "10.0.0.2", NULL };

	f->g = pk_graph_new(registry(), NULL, 0);
	g_assert_nonnull(pk_graph_add_device(f->g, "a", "l3.vclient", json_node_get_object(pa),
					     &error));
	g_assert_nonnull(pk_graph_add_device(f->g, "b", "l3.vclient", json_node_get_object(pb),
					     &error));
	g_assert_true(pk_graph_link(f->g, "a.ip", "b.ip", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	f->a = pk_vclient_lookup(f->g, "a");
	f->b = pk_vclient_lookup(f->g, "b");
	server_start(&f->s4, f->b, "0.0.0.0", 53);
	server_start(&f->s6, f->b, "::", 53);
	server_start(&f->dead, f->b, "0.0.0.0", 5300);
	f->dead.silent = true;
	f->res = pk_vclient_resolver_new_full(f->a, servers ? servers : def, &opts, &error);
	g_assert_no_error(error);
	g_assert_true(PK_IS_VCLIENT_RESOLVER(f->res));
	f->guard = g_timeout_add_seconds(60, guard_fired, NULL);
}

static void fx_teardown(struct fx *f)
{
	struct pk_buf_stats st;

	g_source_remove(f->guard);
	g_object_unref(f->res);
	server_stop(&f->s4);
	server_stop(&f->s6);
	server_stop(&f->dead);
	/* Let closes, TIME-WAIT and deferred completions run out. */
	while (pk_vclient_tcp_connections(f->a) || pk_vclient_tcp_connections(f->b))
		g_main_context_iteration(NULL, TRUE);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_graph_free(f->g);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_buf_pool_stats(&st);
	g_assert_cmpint(st.allocated, ==, 0);
}

static const struct pk_dns_resolver_stats *stats(struct fx *f)
{
	return pk_vclient_resolver_get_stats(PK_VCLIENT_RESOLVER(f->res));
}

struct result {
	GList *addrs;
	GError *error;
	gboolean done;
};

static void looked_up(GObject *src, GAsyncResult *res, gpointer data)
{
	struct result *r = data;

	r->addrs = g_resolver_lookup_by_name_with_flags_finish(G_RESOLVER(src), res, &r->error);
	r->done = TRUE;
}

/* Looks @name up and returns the addresses as "a b c", or the error as "error:CODE". */
static char *resolve_full(struct fx *f, const char *name, GResolverNameLookupFlags flags,
			  GCancellable *cancel, GError **error_out)
{
	struct result r = { 0 };
	GString *s = g_string_new(NULL);

	g_resolver_lookup_by_name_with_flags_async(f->res, name, flags, cancel, looked_up, &r);
	/* Never completed inside the call. */
	g_assert_false(r.done);
	while (!r.done)
		g_main_context_iteration(NULL, TRUE);
	if (r.error) {
		g_string_printf(s, "error:%s:%d", g_quark_to_string(r.error->domain), r.error->code);
		if (error_out)
			*error_out = r.error;
		else
			g_error_free(r.error);
	}
	for (GList *l = r.addrs; l; l = l->next) {
		g_autofree char *a = g_inet_address_to_string(l->data);

		g_string_append_printf(s, "%s%s", s->len ? " " : "", a);
	}
	g_resolver_free_addresses(r.addrs);
	return g_string_free(s, FALSE);
}

static char *resolve(struct fx *f, const char *name, GResolverNameLookupFlags flags)
{
	return resolve_full(f, name, flags, NULL, NULL);
}

#define V4 G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY
#define V6 G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY
#define ANY G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT
#define NOT_FOUND "error:g-resolver-error-quark:0"
#define TEMP_FAIL "error:g-resolver-error-quark:1"

static void check(char *got, const char *want)
{
	g_assert_cmpstr(got, ==, want);
	g_free(got);
}

static void test_answers(void)
{
	struct fx f;
	uint64_t sent;

	fx_setup(&f, NULL, 0);
	check(resolve(&f, "a.test", ANY), "10.1.0.1 10.1.0.2 fd01::1");
	g_assert_cmpuint(f.s4.udp_queries, ==, 2);
	/* Cached: nothing is sent for the same name, types or families. */
	sent = stats(&f)->queries_sent;
	check(resolve(&f, "A.TEST", V4), "10.1.0.1 10.1.0.2");
	check(resolve(&f, "a.test", V6), "fd01::1");
	check(resolve(&f, "a.test", ANY), "10.1.0.1 10.1.0.2 fd01::1");
	g_assert_cmpuint(stats(&f)->queries_sent, ==, sent);
	g_assert_cmpuint(f.s4.udp_queries, ==, 2);
	g_assert_cmpuint(stats(&f)->cache_hits, ==, 4);
	/* The plain GResolver call. */
	{
		struct result r = { 0 };
		GList *l;

		g_resolver_lookup_by_name_async(f.res, "alias.test", NULL, looked_up, &r);
		while (!r.done)
			g_main_context_iteration(NULL, TRUE);
		g_assert_no_error(r.error);
		g_assert_cmpuint(g_list_length(r.addrs), ==, 3);
		l = r.addrs;
		g_assert_cmpint(g_inet_address_get_family(l->data), ==, G_SOCKET_FAMILY_IPV4);
		g_resolver_free_addresses(r.addrs);
	}
	check(resolve(&f, "v4only.test", ANY), "10.1.0.9");
	check(resolve(&f, "v4only.test", V6), NOT_FOUND);
	check(resolve(&f, "nx.test", ANY), NOT_FOUND);
	/* The negative answer is cached too. */
	sent = stats(&f)->queries_sent;
	check(resolve(&f, "nx.test", V4), NOT_FOUND);
	g_assert_cmpuint(stats(&f)->queries_sent, ==, sent);
	/* After clearing the cache the server is asked again. */
	pk_vclient_resolver_clear_cache(PK_VCLIENT_RESOLVER(f.res));
	check(resolve(&f, "a.test", V4), "10.1.0.1 10.1.0.2");
	g_assert_cmpuint(stats(&f)->queries_sent, ==, sent + 1);
	/* Each lookup's sockets stayed open until its last reply: none came
	 * to a closed port of a. */
	g_assert_cmpuint(pk_dev_counter(pk_graph_lookup(f.g, "a"), "udp-unreachable-sent"), ==, 0);
	fx_teardown(&f);
}

static void test_ipv6_server(void)
{
	static const char *const servers[] = { "[fd00::2]:53", NULL };
	struct fx f;

	fx_setup(&f, servers, 0);
	check(resolve(&f, "alias.test", ANY), "10.1.0.1 10.1.0.2 fd01::1");
	g_assert_cmpuint(f.s6.udp_queries, ==, 2);
	g_assert_cmpuint(f.s4.udp_queries, ==, 0);
	fx_teardown(&f);
}

static void test_truncated_tcp(void)
{
	struct fx f;
	g_autofree char *got = NULL;
	g_auto(GStrv) parts = NULL;

	fx_setup(&f, NULL, 0);
	got = resolve(&f, "big.test", ANY);
	parts = g_strsplit(got, " ", -1);
	/* 40 records sent, PK_DNS_MAX_ADDRS kept. */
	g_assert_cmpuint(g_strv_length(parts), ==, PK_DNS_MAX_ADDRS);
	g_assert_cmpstr(parts[0], ==, "10.2.0.1");
	g_assert_cmpstr(parts[31], ==, "10.2.0.32");
	g_assert_cmpuint(stats(&f)->truncated, ==, 2);
	g_assert_cmpuint(stats(&f)->queries_tcp, ==, 2);
	g_assert_cmpuint(f.s4.tcp_queries, ==, 2);
	g_assert_cmpuint(f.s4.udp_queries, ==, 2);
	fx_teardown(&f);
}

static void test_retry_second_server(void)
{
	static const char *const servers[] = { "10.0.0.2:5300", "[fd00::2]", NULL };
	struct fx f;
	gint64 t0;

	fx_setup(&f, servers, 200);
	t0 = g_get_monotonic_time();
	check(resolve(&f, "a.test", V4), "10.1.0.1 10.1.0.2");
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 190 * 1000);
	g_assert_cmpuint(f.dead.udp_queries, ==, 1);
	g_assert_cmpuint(f.s6.udp_queries, ==, 1);
	g_assert_cmpuint(stats(&f)->timeouts, ==, 1);
	g_assert_cmpuint(stats(&f)->retries, ==, 1);
	fx_teardown(&f);
}

static void test_timeout(void)
{
	static const char *const servers[] = { "10.0.0.2:5300", NULL };
	struct fx f;

	fx_setup(&f, servers, 100);
	check(resolve(&f, "a.test", V4), TEMP_FAIL);
	/* Two rounds over the one server. */
	g_assert_cmpuint(f.dead.udp_queries, ==, 2);
	fx_teardown(&f);
}

static gboolean cancel_when_asked(gpointer data)
{
	struct fx *f = ((void **)data)[0];
	GCancellable *c = ((void **)data)[1];

	if (f->s4.udp_queries == 0)
		return G_SOURCE_CONTINUE;
	g_cancellable_cancel(c);
	return G_SOURCE_REMOVE;
}

static void test_cancel(void)
{
	struct fx f;
	GCancellable *c = g_cancellable_new();
	GError *error = NULL;
	void *arg[2] = { &f, c };
	g_autofree char *got = NULL;

	fx_setup(&f, NULL, 0);
	/* Cancelled while the query is out: the server saw it, the lookup ends at once. */
	g_timeout_add(5, cancel_when_asked, arg);
	got = resolve_full(&f, "slow.test", V4, c, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_error(&error);
	g_assert_cmpuint(f.s4.udp_queries, ==, 1);
	g_clear_pointer(&got, g_free);
	/* Already cancelled. */
	got = resolve_full(&f, "a.test", V4, c, &error);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_error(&error);
	g_assert_cmpuint(f.s4.udp_queries, ==, 1);
	g_clear_pointer(&got, g_free);
	/* Cancelled during the TCP exchange (the server's TCP side stalls):
	 * the connection is dropped too. */
	g_object_unref(c);
	c = g_cancellable_new();
	f.s4.tcp_silent = true;
	{
		struct result r = { 0 };

		g_resolver_lookup_by_name_with_flags_async(f.res, "big.test", V4, c, looked_up, &r);
		while (f.s4.tcp_queries == 0)
			g_main_context_iteration(NULL, TRUE);
		g_assert_cmpuint(pk_vclient_tcp_connections(f.a), ==, 1);
		g_cancellable_cancel(c);
		while (!r.done)
			g_main_context_iteration(NULL, TRUE);
		g_assert_error(r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		g_clear_error(&r.error);
		g_assert_cmpuint(stats(&f)->queries_tcp, ==, 1);
	}
	g_object_unref(c);
	fx_teardown(&f);
}

static void test_literals_and_unsupported(void)
{
	struct fx f;
	GError *error = NULL;
	GList *l;

	fx_setup(&f, NULL, 0);
	check(resolve(&f, "10.9.8.7", ANY), "10.9.8.7");
	check(resolve(&f, "fd00::99", V6), "fd00::99");
	/* GIO answers literals before the resolver sees them, whatever the flags. */
	check(resolve(&f, "10.9.8.7", V6), "10.9.8.7");
	check(resolve(&f, "bad..name", ANY), NOT_FOUND);
	g_assert_cmpuint(stats(&f)->queries_sent, ==, 0);
	/* Synchronous: literals only. */
	l = g_resolver_lookup_by_name(f.res, "10.1.2.3", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_list_length(l), ==, 1);
	g_resolver_free_addresses(l);
	g_assert_null(g_resolver_lookup_by_name(f.res, "a.test", NULL, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);
	{
		g_autoptr(GInetAddress) ia = g_inet_address_new_from_string("10.1.0.1");

		g_assert_null(g_resolver_lookup_by_address(f.res, ia, NULL, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
		g_clear_error(&error);
	}
	g_assert_null(g_resolver_lookup_records(f.res, "a.test", G_RESOLVER_RECORD_MX, NULL,
						&error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);
	/* Bad server lists. */
	{
		static const char *const bad[][2] = { { "10.0.0.300", NULL }, { "[fd00::1", NULL },
						      { "10.0.0.1:0", NULL }, { "host", NULL },
						      { NULL, NULL } };

		for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
			g_assert_null(pk_vclient_resolver_new(f.a, bad[i], &error));
			g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
			g_clear_error(&error);
		}
	}
	fx_teardown(&f);
}

/* GIO code that knows nothing of pktkit: GNetworkAddress with the default resolver. */
static void enumerated(GObject *src, GAsyncResult *res, gpointer data)
{
	GSocketAddress **out = data;
	GError *error = NULL;

	*out = g_socket_address_enumerator_next_finish(G_SOCKET_ADDRESS_ENUMERATOR(src), res,
						       &error);
	g_assert_no_error(error);
	g_assert_nonnull(*out);
}

static void test_default_resolver(void)
{
	struct fx f;
	GResolver *old = g_resolver_get_default();
	g_autoptr(GSocketConnectable) na = g_network_address_new("alias.test", 80);
	g_autoptr(GSocketAddressEnumerator) en = NULL;
	GSocketAddress *got = NULL;

	fx_setup(&f, NULL, 0);
	g_resolver_set_default(f.res);
	en = g_socket_connectable_enumerate(na);
	g_socket_address_enumerator_next_async(en, NULL, enumerated, &got);
	while (!got)
		g_main_context_iteration(NULL, TRUE);
	{
		g_autofree char *s = g_inet_address_to_string(
			g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(got)));

		g_assert_true(g_str_equal(s, "fd01::1") || g_str_has_prefix(s, "10.1.0."));
		g_assert_cmpuint(g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got)), ==, 80);
	}
	g_object_unref(got);
	g_clear_object(&en);
	g_resolver_set_default(old);
	g_object_unref(old);
	/* The enumerator may still hold the resolver until its other lookup ends. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	fx_teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vclient-resolver/answers-cache", test_answers);
	g_test_add_func("/vclient-resolver/ipv6-server", test_ipv6_server);
	g_test_add_func("/vclient-resolver/truncated-tcp", test_truncated_tcp);
	g_test_add_func("/vclient-resolver/retry-second-server", test_retry_second_server);
	g_test_add_func("/vclient-resolver/timeout", test_timeout);
	g_test_add_func("/vclient-resolver/cancel", test_cancel);
	g_test_add_func("/vclient-resolver/literals-unsupported", test_literals_and_unsupported);
	g_test_add_func("/vclient-resolver/default-resolver", test_default_resolver);
	return g_test_run();
}
