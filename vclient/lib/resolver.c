// SPDX-License-Identifier: MIT
/* resolver.c - PkVclientResolver: a GResolver driving the libpktkit DNS stub resolver over vclient sockets */
#include <string.h>

#include <pktkit/toolkit/dns.h>

#include "sock-table.h"

/*
 * Everything runs on the thread-default main context of the thread that
 * created the resolver (the graph's context thread, where the vclient's
 * sockets live):
 *
 *  - pump() is called after every call into struct pk_dns_resolver that can
 *    start tries or finish lookups: it sends what next_query() hands out,
 *    finishes the GTasks of done lookups, drops TCP connections whose try is
 *    over and re-arms the timer for pk_dns_resolver_deadline().
 *  - UDP: each lookup gets its own PkVclientUdp per server family, on a
 *    random port, opened at its first query and closed when it ends. A
 *    shared socket would be cheaper, but then an off-path attacker only has
 *    the 16-bit ID to guess (RFC 5452 section 9.2 asks for source port
 *    randomization); a socket per try would lose the late replies to an
 *    earlier try that the stub resolver still accepts. Vclient ports cost a
 *    hash table entry, nothing in the kernel.
 *  - TCP (after a truncated reply): one PkVclientStream per try: connect,
 *    write the framed query, read one framed reply, close. A failure is
 *    reported with pk_dns_resolver_send_failed(); the connection is cancelled
 *    as soon as pk_dns_resolver_try_pending() says the try is over.
 *  - Task completions that reenter the resolver (a callback starting a new
 *    lookup) only happen at the end of pump(), when the state is consistent.
 */

#define RES_RX_MAX 65536u
#define RES_TCP_MAX (65535u + PK_DNS_TCP_PREFIX)

struct _PkVclientResolver {
	GResolver parent;
	struct pk_vclient *vc;		/* no reference: see vclient.h */
	struct pk_dns_resolver *r;
	GMainContext *ctx;
	GSource *timer;
	uint64_t timer_at;		/* deadline the timer is armed for */
	GList *tcp;			/* struct res_tcp, tries still wanted */
	uint8_t *rx;			/* RES_RX_MAX bytes: one datagram */
};

G_DEFINE_FINAL_TYPE(PkVclientResolver, pk_vclient_resolver, G_TYPE_RESOLVER)

struct res_lookup {
	PkVclientResolver *self;
	GTask *task;			/* holds a reference on self */
	struct pk_dns_lookup *l;	/* NULL once freed */
	PkVclientUdp *udp[2];		/* [0] IPv4 servers, [1] IPv6 servers */
	GSource *udp_src[2];
	GSource *cancel_src;
	char *name;
};

struct res_tcp {
	PkVclientResolver *self;	/* a reference */
	uint32_t tag;
	struct pk_dns_server to;
	GCancellable *cancel;
	GIOStream *stream;
	uint8_t *query;
	uint32_t query_len;
	uint8_t *buf;
	gsize len;
};

static void pump(PkVclientResolver *self);

static uint64_t now_ns(void)
{
	return (uint64_t)g_get_monotonic_time() * 1000u;
}

/* Server strings --------------------------------------------------------------------------- */

static bool parse_server(const char *s, struct pk_dns_server *out, GError **error)
{
	g_autofree char *host = NULL;
	const char *port_s = NULL;
	g_autoptr(GInetAddress) ia = NULL;
	const char *colon = strchr(s, ':');

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || (end[1] && end[1] != ':'))
			goto bad;
		host = g_strndup(s + 1, (gsize)(end - s - 1));
		if (end[1] == ':')
			port_s = end + 2;
	} else if (colon && !strchr(colon + 1, ':')) {
		host = g_strndup(s, (gsize)(colon - s));
		port_s = colon + 1;
	} else {
		host = g_strdup(s);
	}
	ia = g_inet_address_new_from_string(host);
	if (!ia)
		goto bad;
	if (port_s) {
		guint64 port;

		if (!g_ascii_string_to_unsigned(port_s, 10, 1, 65535, &port, NULL))
			goto bad;
		out->port = (uint16_t)port;
	} else {
		out->port = PK_DNS_PORT;
	}
	out->ipv6 = g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV6;
	memcpy(out->addr, g_inet_address_to_bytes(ia), out->ipv6 ? 16 : 4);
	return true;
bad:
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
		    "Bad DNS server \"%s\" (expected 10.0.0.1, 10.0.0.1:5353, fd00::1 or "
		    "[fd00::1]:5353)", s);
	return false;
}

static GSocketAddress *server_sockaddr(const struct pk_dns_server *s)
{
	return vc_sockaddr_new(s->ipv6, s->addr, s->port);
}

static bool server_from_sockaddr(GSocketAddress *sa, struct pk_dns_server *out)
{
	bool ipv6;

	memset(out, 0, sizeof(*out));
	if (!vc_sockaddr_get(sa, &ipv6, out->addr, &out->port, NULL))
		return false;
	out->ipv6 = ipv6;
	return true;
}

/* Lookups ---------------------------------------------------------------------------------- */

static void lookup_release(struct res_lookup *lk)
{
	for (int i = 0; i < 2; i++) {
		if (lk->udp_src[i]) {
			g_source_destroy(lk->udp_src[i]);
			g_clear_pointer(&lk->udp_src[i], g_source_unref);
		}
		if (lk->udp[i]) {
			pk_vclient_udp_close(lk->udp[i]);
			g_clear_object(&lk->udp[i]);
		}
	}
	if (lk->cancel_src) {
		g_source_destroy(lk->cancel_src);
		g_clear_pointer(&lk->cancel_src, g_source_unref);
	}
	g_clear_pointer(&lk->l, pk_dns_lookup_free);
}

static void lookup_free(struct res_lookup *lk)
{
	lookup_release(lk);
	g_free(lk->name);
	g_free(lk);
}

static void free_addresses(gpointer list)
{
	g_resolver_free_addresses(list);
}

/* Completes the task of a finished lookup and frees everything of it. */
static void lookup_complete(struct res_lookup *lk)
{
	GTask *task = lk->task;
	enum pk_dns_status st = pk_dns_lookup_status(lk->l);
	const struct pk_dns_addr *a;
	unsigned int n = 0;
	GList *list = NULL;
	const char *why = NULL;
	int code = G_RESOLVER_ERROR_TEMPORARY_FAILURE;

	switch (st) {
	case PK_DNS_ST_OK:
		a = pk_dns_lookup_addrs(lk->l, &n);
		for (unsigned int i = 0; i < n; i++)
			list = g_list_prepend(list, g_inet_address_new_from_bytes(
						  a[i].addr, a[i].family == 6 ? G_SOCKET_FAMILY_IPV6
									      : G_SOCKET_FAMILY_IPV4));
		list = g_list_reverse(list);
		break;
	case PK_DNS_ST_NXDOMAIN:
		code = G_RESOLVER_ERROR_NOT_FOUND;
		why = "the name does not exist";
		break;
	case PK_DNS_ST_NODATA:
		code = G_RESOLVER_ERROR_NOT_FOUND;
		why = "no address of the requested family";
		break;
	case PK_DNS_ST_CNAME_LOOP:
		code = G_RESOLVER_ERROR_NOT_FOUND;
		why = "its CNAME chain loops or is too long";
		break;
	case PK_DNS_ST_SERVFAIL:
		why = "the DNS servers reported an error";
		break;
	case PK_DNS_ST_TIMEOUT:
		why = "no DNS server answered";
		break;
	case PK_DNS_ST_MALFORMED:
		why = "malformed reply from the DNS server";
		break;
	case PK_DNS_ST_LIMIT:
		why = "too many queries in flight";
		break;
	default:
		code = G_RESOLVER_ERROR_INTERNAL;
		why = pk_dns_status_name(st);
		break;
	}
	if (!list && !why) {
		code = G_RESOLVER_ERROR_NOT_FOUND;
		why = "no address";
	}
	if (list)
		g_task_return_pointer(task, list, free_addresses);
	else
		g_task_return_new_error(task, G_RESOLVER_ERROR, code, "Error resolving \"%s\": %s",
					lk->name, why);
	lookup_free(lk);
	g_object_unref(task);
}

static gboolean lookup_cancelled(GCancellable *cancellable, gpointer data)
{
	struct res_lookup *lk = data;
	PkVclientResolver *self = g_object_ref(lk->self);
	GTask *task = lk->task;

	(void)cancellable;
	/* Forget its tries first, so pump() drops its TCP connections. */
	lookup_release(lk);
	pump(self);
	g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
				"Lookup of \"%s\" cancelled", lk->name);
	lookup_free(lk);
	g_object_unref(task);
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

/* UDP -------------------------------------------------------------------------------------- */

static gboolean udp_readable(GObject *obj, gpointer data)
{
	struct res_lookup *lk = data;
	PkVclientResolver *self = lk->self;
	PkVclientUdp *u = PK_VCLIENT_UDP(obj);
	int fam = lk->udp[1] == u;
	GSource *src = g_main_current_source();
	bool any = false;

	for (;;) {
		g_autoptr(GSocketAddress) from = NULL;
		g_autoptr(GError) error = NULL;
		struct pk_dns_server srv;
		gssize n = pk_vclient_udp_receive_from(u, &from, self->rx, RES_RX_MAX,
						       &error);

		if (n < 0) {
			if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
				break;
			/* Closed (the device stopped): stop watching; the next query
			 * opens a new socket or fails over to the next server. */
			g_clear_pointer(&lk->udp_src[fam], g_source_unref);
			g_clear_object(&lk->udp[fam]);
			if (any)
				pump(self);
			return G_SOURCE_REMOVE;
		}
		if (server_from_sockaddr(from, &srv)) {
			pk_dns_resolver_input(self->r, &srv, PK_DNS_UDP, self->rx, (uint32_t)n,
					      now_ns());
			any = true;
		}
	}
	if (any) {
		/* May finish @lk: its source is then destroyed and @lk freed. */
		g_object_ref(self);
		pump(self);
		g_object_unref(self);
		if (g_source_is_destroyed(src))
			return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static bool udp_send(PkVclientResolver *self, const struct pk_dns_outgoing *q)
{
	struct res_lookup *lk = pk_dns_lookup_user_data(q->lookup);
	int fam = q->to->ipv6 ? 1 : 0;
	g_autoptr(GSocketAddress) to = server_sockaddr(q->to);
	g_autoptr(GError) error = NULL;

	if (!lk->udp[fam]) {
		lk->udp[fam] = pk_vclient_udp_new(self->vc, NULL,
						  fam ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4,
						  &error);
		if (!lk->udp[fam]) {
			g_debug("resolver: no UDP socket: %s", error->message);
			return false;
		}
		lk->udp_src[fam] = pk_vclient_udp_create_source(lk->udp[fam], NULL);
		g_source_set_callback(lk->udp_src[fam], G_SOURCE_FUNC(udp_readable), lk, NULL);
		g_source_attach(lk->udp_src[fam], self->ctx);
	}
	if (pk_vclient_udp_send_to(lk->udp[fam], to, q->data, q->len, &error) < 0) {
		g_debug("resolver: UDP send failed: %s", error->message);
		return false;
	}
	return true;
}

/* TCP -------------------------------------------------------------------------------------- */

static void tcp_free(struct res_tcp *t)
{
	PkVclientResolver *self = t->self;

	self->tcp = g_list_remove(self->tcp, t);
	if (t->stream)
		g_io_stream_close(t->stream, NULL, NULL);
	g_clear_object(&t->stream);
	g_clear_object(&t->cancel);
	g_free(t->query);
	g_free(t->buf);
	g_free(t);
	g_object_unref(self);
}

/* A step failed: unless the try was abandoned anyway, move on to the next server. */
static void tcp_fail(struct res_tcp *t, GError *error)
{
	PkVclientResolver *self = g_object_ref(t->self);
	bool wanted = !g_cancellable_is_cancelled(t->cancel);
	uint32_t tag = t->tag;

	g_debug("resolver: TCP try %u: %s", tag, error ? error->message : "closed early");
	tcp_free(t);
	if (wanted) {
		pk_dns_resolver_send_failed(self->r, tag, now_ns());
		pump(self);
	}
	g_object_unref(self);
}

static void tcp_read_more(struct res_tcp *t);

static void tcp_read_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct res_tcp *t = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &error);
	const uint8_t *msg;
	uint32_t msg_len;

	if (n <= 0) {
		tcp_fail(t, error);
		g_clear_error(&error);
		return;
	}
	t->len += (gsize)n;
	if (!pk_dns_tcp_unframe(t->buf, (uint32_t)t->len, &msg, &msg_len)) {
		tcp_read_more(t);
		return;
	}
	{
		PkVclientResolver *self = g_object_ref(t->self);

		pk_dns_resolver_input(self->r, &t->to, PK_DNS_TCP, msg, msg_len, now_ns());
		/* A reply the resolver refused leaves the try pending: pump()
		 * cancels it once it is over, so nothing to do either way. */
		tcp_free(t);
		pump(self);
		g_object_unref(self);
	}
}

static void tcp_read_more(struct res_tcp *t)
{
	if (t->len >= RES_TCP_MAX) {
		tcp_fail(t, NULL);
		return;
	}
	g_input_stream_read_async(g_io_stream_get_input_stream(t->stream), t->buf + t->len,
				  RES_TCP_MAX - t->len, G_PRIORITY_DEFAULT, t->cancel, tcp_read_done,
				  t);
}

static void tcp_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct res_tcp *t = data;
	GError *error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, &error)) {
		tcp_fail(t, error);
		g_clear_error(&error);
		return;
	}
	t->buf = g_malloc(RES_TCP_MAX);
	tcp_read_more(t);
}

static void tcp_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct res_tcp *t = data;
	GError *error = NULL;

	(void)src;
	t->stream = pk_vclient_tcp_connect_finish(t->self->vc, res, &error);
	if (!t->stream) {
		tcp_fail(t, error);
		g_clear_error(&error);
		return;
	}
	pk_vclient_stream_set_nodelay(PK_VCLIENT_STREAM(t->stream), TRUE);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(t->stream), t->query,
					t->query_len, G_PRIORITY_DEFAULT, t->cancel, tcp_written, t);
}

static void tcp_start(PkVclientResolver *self, const struct pk_dns_outgoing *q)
{
	struct res_tcp *t = g_new0(struct res_tcp, 1);
	g_autoptr(GSocketAddress) to = server_sockaddr(q->to);

	t->self = g_object_ref(self);
	t->tag = q->tag;
	t->to = *q->to;
	t->cancel = g_cancellable_new();
	t->query = g_memdup2(q->data, q->len);
	t->query_len = q->len;
	self->tcp = g_list_prepend(self->tcp, t);
	pk_vclient_tcp_connect_async(self->vc, to, t->cancel, tcp_connected, t);
}

/* Driving the stub resolver ------------------------------------------------------------------ */

static gboolean timer_fired(gpointer data)
{
	PkVclientResolver *self = data;

	g_clear_pointer(&self->timer, g_source_unref);
	self->timer_at = UINT64_MAX;
	g_object_ref(self);
	pk_dns_resolver_timer(self->r, now_ns());
	pump(self);
	g_object_unref(self);
	return G_SOURCE_REMOVE;
}

static void timer_arm(PkVclientResolver *self)
{
	uint64_t at = pk_dns_resolver_deadline(self->r), now;
	guint ms = 0;

	if (at == self->timer_at && (self->timer || at == UINT64_MAX))
		return;
	if (self->timer) {
		g_source_destroy(self->timer);
		g_clear_pointer(&self->timer, g_source_unref);
	}
	self->timer_at = at;
	if (at == UINT64_MAX)
		return;
	now = now_ns();
	if (at > now)
		ms = (guint)MIN((at - now + 999999u) / 1000000u, (uint64_t)G_MAXUINT);
	self->timer = g_timeout_source_new(ms);
	g_source_set_static_name(self->timer, "pktkit vclient resolver timer");
	g_source_set_callback(self->timer, timer_fired, self, NULL);
	g_source_attach(self->timer, self->ctx);
}

static void pump(PkVclientResolver *self)
{
	struct pk_dns_outgoing q;
	struct pk_dns_lookup *l;
	GPtrArray *done = NULL;
	GList *it, *next;

	while (pk_dns_resolver_next_query(self->r, &q)) {
		bool ok;

		if (q.transport == PK_DNS_TCP) {
			tcp_start(self, &q);
			continue;
		}
		ok = udp_send(self, &q);
		if (!ok)
			pk_dns_resolver_send_failed(self->r, q.tag, now_ns());
	}
	for (it = self->tcp; it; it = next) {
		struct res_tcp *t = it->data;

		next = it->next;
		if (!g_cancellable_is_cancelled(t->cancel) &&
		    !pk_dns_resolver_try_pending(self->r, t->tag))
			g_cancellable_cancel(t->cancel);	/* callback frees it */
	}
	while ((l = pk_dns_resolver_next_done(self->r))) {
		if (!done)
			done = g_ptr_array_new();
		g_ptr_array_add(done, pk_dns_lookup_user_data(l));
	}
	timer_arm(self);
	if (done) {
		for (guint i = 0; i < done->len; i++)
			lookup_complete(done->pdata[i]);
		g_ptr_array_free(done, TRUE);
	}
}

/* GResolver methods ------------------------------------------------------------------------- */

static const char *const sync_msg =
	"Synchronous lookups are not supported by the vclient resolver: it runs on the "
	"graph's main context, which a blocking call would stall; use the async API";

static GList *literal_lookup(const char *hostname, GResolverNameLookupFlags flags,
			     GError **error)
{
	g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(hostname);
	GSocketFamily fam;

	if (!ia)
		return NULL;
	fam = g_inet_address_get_family(ia);
	if (((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) && fam != G_SOCKET_FAMILY_IPV4) ||
	    ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY) && fam != G_SOCKET_FAMILY_IPV6)) {
		g_set_error(error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
			    "Error resolving \"%s\": an address of another family", hostname);
		return NULL;
	}
	return g_list_prepend(NULL, g_steal_pointer(&ia));
}

static void res_lookup_by_name_with_flags_async(GResolver *resolver, const char *hostname,
						GResolverNameLookupFlags flags,
						GCancellable *cancellable,
						GAsyncReadyCallback callback, gpointer user_data)
{
	PkVclientResolver *self = PK_VCLIENT_RESOLVER(resolver);
	GTask *task = g_task_new(resolver, cancellable, callback, user_data);
	enum pk_dns_family family = PK_DNS_FAMILY_ANY;
	struct res_lookup *lk;
	enum pk_dns_err err = PK_DNS_OK;
	GError *error = NULL;
	GList *lit;

	g_task_set_source_tag(task, res_lookup_by_name_with_flags_async);
	g_task_set_name(task, "pk_vclient_resolver lookup");
	if ((flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY) &&
	    (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY)) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					"IPV4_ONLY and IPV6_ONLY exclude each other");
		g_object_unref(task);
		return;
	}
	lit = literal_lookup(hostname, flags, &error);
	if (lit || error) {
		if (lit)
			g_task_return_pointer(task, lit, free_addresses);
		else
			g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	if (!pk_vclient_is_running(self->vc)) {
		g_task_return_new_error(task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL,
					"Error resolving \"%s\": the virtual client is not running",
					hostname);
		g_object_unref(task);
		return;
	}
	if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY)
		family = PK_DNS_FAMILY_V4;
	else if (flags & G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY)
		family = PK_DNS_FAMILY_V6;
	else if (self->vc->n_addr4 && !self->vc->n_addr6)
		family = PK_DNS_FAMILY_V4;	/* like AI_ADDRCONFIG */
	else if (self->vc->n_addr6 && !self->vc->n_addr4)
		family = PK_DNS_FAMILY_V6;
	if (g_task_return_error_if_cancelled(task)) {
		g_object_unref(task);
		return;
	}
	lk = g_new0(struct res_lookup, 1);
	lk->self = self;
	lk->task = task;
	lk->name = g_strdup(hostname);
	lk->l = pk_dns_resolver_lookup(self->r, hostname, family, lk, now_ns(), &err);
	if (!lk->l) {
		g_task_return_new_error(task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
					"Error resolving \"%s\": invalid name (%s)", hostname,
					pk_dns_err_name(err));
		lookup_free(lk);
		g_object_unref(task);
		return;
	}
	if (cancellable) {
		lk->cancel_src = g_cancellable_source_new(cancellable);
		g_source_set_callback(lk->cancel_src, G_SOURCE_FUNC(lookup_cancelled), lk, NULL);
		g_source_attach(lk->cancel_src, self->ctx);
	}
	/* A cache hit completes the task here; GTask then defers the callback
	 * to the next main-loop iteration, as the async contract wants. */
	pump(self);
}

static GList *res_lookup_by_name_with_flags_finish(GResolver *resolver, GAsyncResult *result,
						   GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, resolver), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

static void res_lookup_by_name_async(GResolver *resolver, const char *hostname,
				     GCancellable *cancellable, GAsyncReadyCallback callback,
				     gpointer user_data)
{
	res_lookup_by_name_with_flags_async(resolver, hostname,
					    G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, cancellable,
					    callback, user_data);
}

static GList *res_lookup_by_name_with_flags(GResolver *resolver, const char *hostname,
					    GResolverNameLookupFlags flags,
					    GCancellable *cancellable, GError **error)
{
	GList *lit;

	(void)resolver;
	(void)cancellable;
	lit = literal_lookup(hostname, flags, error);
	if (lit || (error && *error))
		return lit;
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, sync_msg);
	return NULL;
}

static GList *res_lookup_by_name(GResolver *resolver, const char *hostname,
				 GCancellable *cancellable, GError **error)
{
	return res_lookup_by_name_with_flags(resolver, hostname,
					     G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT, cancellable,
					     error);
}

/* Reverse, SRV and record lookups: not supported. */

static const char *const unsupported_msg =
	"The vclient resolver only looks up addresses (A and AAAA): reverse, SRV and "
	"other record lookups are not supported";

static void unsupported_async(GResolver *resolver, gpointer tag, GAsyncReadyCallback callback,
			      gpointer user_data)
{
	GTask *task = g_task_new(resolver, NULL, callback, user_data);

	g_task_set_source_tag(task, tag);
	g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s", unsupported_msg);
	g_object_unref(task);
}

static char *res_lookup_by_address(GResolver *resolver, GInetAddress *address,
				   GCancellable *cancellable, GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, unsupported_msg);
	return NULL;
}

static void res_lookup_by_address_async(GResolver *resolver, GInetAddress *address,
					GCancellable *cancellable, GAsyncReadyCallback callback,
					gpointer user_data)
{
	unsupported_async(resolver, res_lookup_by_address_async, callback, user_data);
}

static char *res_lookup_by_address_finish(GResolver *resolver, GAsyncResult *result,
					  GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GList *res_lookup_service(GResolver *resolver, const char *rrname,
				 GCancellable *cancellable, GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, unsupported_msg);
	return NULL;
}

static void res_lookup_service_async(GResolver *resolver, const char *rrname,
				     GCancellable *cancellable, GAsyncReadyCallback callback,
				     gpointer user_data)
{
	unsupported_async(resolver, res_lookup_service_async, callback, user_data);
}

static GList *res_lookup_list_finish(GResolver *resolver, GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

static GList *res_lookup_records(GResolver *resolver, const char *rrname,
				 GResolverRecordType type, GCancellable *cancellable,
				 GError **error)
{
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, unsupported_msg);
	return NULL;
}

static void res_lookup_records_async(GResolver *resolver, const char *rrname,
				     GResolverRecordType type, GCancellable *cancellable,
				     GAsyncReadyCallback callback, gpointer user_data)
{
	unsupported_async(resolver, res_lookup_records_async, callback, user_data);
}

/* Object ----------------------------------------------------------------------------------- */

static void pk_vclient_resolver_dispose(GObject *obj)
{
	PkVclientResolver *self = PK_VCLIENT_RESOLVER(obj);

	/* Lookups and TCP tries hold references: none is left here. */
	if (self->timer) {
		g_source_destroy(self->timer);
		g_clear_pointer(&self->timer, g_source_unref);
	}
	G_OBJECT_CLASS(pk_vclient_resolver_parent_class)->dispose(obj);
}

static void pk_vclient_resolver_finalize(GObject *obj)
{
	PkVclientResolver *self = PK_VCLIENT_RESOLVER(obj);

	pk_dns_resolver_free(self->r);
	g_free(self->rx);
	g_clear_pointer(&self->ctx, g_main_context_unref);
	G_OBJECT_CLASS(pk_vclient_resolver_parent_class)->finalize(obj);
}

static void pk_vclient_resolver_class_init(PkVclientResolverClass *klass)
{
	GResolverClass *rc = G_RESOLVER_CLASS(klass);

	G_OBJECT_CLASS(klass)->dispose = pk_vclient_resolver_dispose;
	G_OBJECT_CLASS(klass)->finalize = pk_vclient_resolver_finalize;
	rc->lookup_by_name = res_lookup_by_name;
	rc->lookup_by_name_async = res_lookup_by_name_async;
	rc->lookup_by_name_finish = res_lookup_by_name_with_flags_finish;
	rc->lookup_by_name_with_flags = res_lookup_by_name_with_flags;
	rc->lookup_by_name_with_flags_async = res_lookup_by_name_with_flags_async;
	rc->lookup_by_name_with_flags_finish = res_lookup_by_name_with_flags_finish;
	rc->lookup_by_address = res_lookup_by_address;
	rc->lookup_by_address_async = res_lookup_by_address_async;
	rc->lookup_by_address_finish = res_lookup_by_address_finish;
	rc->lookup_service = res_lookup_service;
	rc->lookup_service_async = res_lookup_service_async;
	rc->lookup_service_finish = res_lookup_list_finish;
	rc->lookup_records = res_lookup_records;
	rc->lookup_records_async = res_lookup_records_async;
	rc->lookup_records_finish = res_lookup_list_finish;
}

static void pk_vclient_resolver_init(PkVclientResolver *self)
{
	self->timer_at = UINT64_MAX;
	self->rx = g_malloc(RES_RX_MAX);
}

GResolver *pk_vclient_resolver_new_full(struct pk_vclient *vc, const char *const *servers,
					const struct pk_vclient_resolver_options *opts,
					GError **error)
{
	struct pk_dns_server srv[PK_DNS_MAX_SERVERS];
	struct pk_dns_resolver_config cfg;
	PkVclientResolver *self;
	unsigned int n = 0;
	g_auto(GStrv) from_link = NULL;

	g_return_val_if_fail(vc != NULL, NULL);
	if (!servers) {
		/* The servers the link published (an l3.adapter's DHCP lease). */
		from_link = pk_vclient_dup_dns_servers(vc);
		servers = (const char *const *)from_link;
	}
	for (; servers && servers[n]; n++) {
		if (n == PK_DNS_MAX_SERVERS) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "More than %u DNS servers", PK_DNS_MAX_SERVERS);
			return NULL;
		}
		if (!parse_server(servers[n], &srv[n], error))
			return NULL;
	}
	if (n == 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    from_link ? "No DNS server given, and the link published none "
						"(no DHCP lease with DNS servers yet?)"
					      : "No DNS server given");
		return NULL;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.servers = srv;
	cfg.n_servers = n;
	if (opts) {
		cfg.timeout_ns = (uint64_t)opts->timeout_ms * 1000000u;
		cfg.attempts = opts->attempts;
		cfg.cache_size = opts->cache_size;
		cfg.no_cache = opts->no_cache;
	}
	self = g_object_new(PK_TYPE_VCLIENT_RESOLVER, NULL);
	self->vc = vc;
	self->r = pk_dns_resolver_new(&cfg);
	self->ctx = g_main_context_ref_thread_default();
	return G_RESOLVER(self);
}

GResolver *pk_vclient_resolver_new(struct pk_vclient *vc, const char *const *servers,
				   GError **error)
{
	return pk_vclient_resolver_new_full(vc, servers, NULL, error);
}

const struct pk_dns_resolver_stats *pk_vclient_resolver_get_stats(PkVclientResolver *self)
{
	return pk_dns_resolver_stats(self->r);
}

void pk_vclient_resolver_clear_cache(PkVclientResolver *self)
{
	pk_dns_resolver_cache_clear(self->r);
}
