// SPDX-License-Identifier: MIT
/* tcp-listen.c - TCP listeners of the vclient: passive opens, the accept queue, PkVclientListener */
#include <string.h>

#include "sock-async.h"
#include "tcp-listen.h"

/* Engine listeners ---------------------------------------------------------------------------- */

struct vc_listen *vc_listen_find(struct pk_vclient *vc, bool ipv6, const uint8_t *addr,
				 uint16_t port)
{
	return vc_bound_lookup(vc->listeners, ipv6, addr, port);
}

static void vc_listen_drain(struct pk_vclient *vc, struct pk_tcp_listener *el)
{
	uint8_t seg[PK_TCP_MAX_HLEN];
	struct pk_tcp_endpoints ep;
	uint32_t n;

	while ((n = pk_tcp_listener_output(el, seg, sizeof(seg), &ep)))
		vc_send_segment(vc, &ep, seg, n);
}

/* The engine listener of @l for local address @dst (made on first use). */
static struct pk_tcp_listener *vc_listen_engine(struct pk_vclient *vc, struct vc_listen *l,
						const uint8_t *dst)
{
	uint32_t alen = l->key.ipv6 ? 16 : 4;

	for (uint32_t i = 0; i < l->n_l; i++)
		if (memcmp(l->laddr[i], dst, alen) == 0)
			return l->l[i];
	if (l->n_l == VC_MAX_ADDRS || !vc_is_local(vc, l->key.ipv6, dst))
		return NULL;
	memset(l->laddr[l->n_l], 0, 16);
	memcpy(l->laddr[l->n_l], dst, alen);
	l->l[l->n_l] = pk_tcp_listener_new(vc->engine, &l->cfg, l->key.ipv6, dst, l->key.lport);
	return l->l[l->n_l++];
}

void vc_listen_input(struct pk_vclient *vc, struct vc_listen *l, const uint8_t *src,
		     const uint8_t *dst, const struct pk_tcp_view *v, uint64_t now)
{
	struct pk_tcp_listener *el = vc_listen_engine(vc, l, dst);
	struct pk_tcp_conn *c;
	struct vc_tcp_sock *s;

	if (!el)
		return;
	c = pk_tcp_listener_input(el, src, v, now);
	vc_listen_drain(vc, el);
	if (c) {
		s = vc_sock_new(vc, c);
		s->listener = l;
		vc_sock_mark_dirty(s);
	}
}

/* Listen and accept ------------------------------------------------------------------------- */

struct _PkVclientListener {
	GObject parent;
	struct vc_listen *l;
};

G_DEFINE_FINAL_TYPE(PkVclientListener, pk_vclient_listener, G_TYPE_OBJECT)

static void vc_listen_complete(struct vc_listen *l)
{
	while (l->ready.length && l->waiters.length) {
		GTask *t = g_queue_pop_head(&l->waiters);
		struct vc_tcp_sock *s = g_queue_pop_head_link(&l->ready)->data;

		s->queued = false;
		s->listener = NULL;
		vc_task_return_later(t, vc_stream_new(s), NULL);
	}
}

bool vc_listen_offer(struct vc_listen *l, struct vc_tcp_sock *s)
{
	if (l->ready.length >= l->backlog) {
		pk_dev_count(l->vc->dev, VC_C_TCP_BACKLOG_FULL, 1);
		pk_tcp_conn_abort(s->conn);
		vc_sock_drain(l->vc, s, pk_dev_now(l->vc->dev));
		vc_sock_drop_conn(s);
		vc_sock_free(s);
		return false;
	}
	s->queued = true;
	g_queue_push_tail_link(&l->ready, &s->ready_link);
	vc_listen_complete(l);
	return true;
}

void vc_listen_teardown(struct vc_listen *l)
{
	struct pk_vclient *vc = l->vc;
	GHashTableIter it;
	gpointer key;
	GTask *t;

	/* Called again (closed, then finalized; or the device stopped first):
	 * nothing left to do. */
	if (!vc)
		return;
	g_hash_table_remove(vc->listeners, l);
	/* Connections it made that the application never took: half-open,
	 * or established and queued for accept. Nothing here adds to or
	 * removes from vc->conns, so they are reset while iterating it. */
	g_hash_table_iter_init(&it, vc->conns);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct vc_tcp_sock *s = key;

		if (s->listener != l)
			continue;
		if (vc->running)
			pk_tcp_conn_abort(s->conn);
		if (s->queued) {
			g_queue_unlink(&l->ready, &s->ready_link);
			s->queued = false;
		}
		s->listener = NULL;
		/* Sends the RST, then frees it (CLOSED); if the device is
		 * stopping, vc_tcp_shutdown() frees it next. */
		vc_sock_mark_dirty(s);
	}
	while ((t = g_queue_pop_head(&l->waiters)))
		vc_task_return_later(t, NULL,
				     g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CLOSED,
							 "Listener closed"));
	for (uint32_t i = 0; i < l->n_l; i++) {
		pk_tcp_listener_free(l->l[i]);
		l->l[i] = NULL;
	}
	l->n_l = 0;
	l->vc = NULL;
}

void pk_vclient_listener_close(PkVclientListener *self)
{
	if (self->l)
		vc_listen_teardown(self->l);
}

static void pk_vclient_listener_finalize(GObject *obj)
{
	PkVclientListener *self = PK_VCLIENT_LISTENER(obj);

	pk_vclient_listener_close(self);
	g_free(self->l);
	G_OBJECT_CLASS(pk_vclient_listener_parent_class)->finalize(obj);
}

static void pk_vclient_listener_class_init(PkVclientListenerClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = pk_vclient_listener_finalize;
}

static void pk_vclient_listener_init(PkVclientListener *self)
{
	(void)self;
}

static bool vc_port_free_for_listen(struct pk_vclient *vc, const struct vc_key *k)
{
	struct vc_key any = *k;

	memset(any.laddr, 0, sizeof(any.laddr));
	if (g_hash_table_contains(vc->listeners, k) || g_hash_table_contains(vc->listeners, &any))
		return false;
	if (vc_addr_is_any(k->ipv6, k->laddr)) {
		GHashTableIter it;
		gpointer key;

		g_hash_table_iter_init(&it, vc->listeners);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			const struct vc_key *o = key;

			if (o->ipv6 == k->ipv6 && o->lport == k->lport)
				return false;
		}
	}
	return true;
}

PkVclientListener *pk_vclient_tcp_listen(struct pk_vclient *vc, GSocketAddress *local,
					 guint backlog, GError **error)
{
	return pk_vclient_tcp_listen_full(vc, local, backlog, NULL, error);
}

PkVclientListener *pk_vclient_tcp_listen_full(struct pk_vclient *vc, GSocketAddress *local,
					      guint backlog,
					      const struct pk_vclient_tcp_options *opts,
					      GError **error)
{
	struct pk_tcp_config cfg;
	struct vc_key k;
	bool ipv6;
	uint16_t port;
	PkVclientListener *obj;
	struct vc_listen *l;

	if (!vc_bind_key(vc, local, &k, &port, error))
		return NULL;
	ipv6 = k.ipv6;
	if (!vc_tcp_config(vc, opts, &cfg, error))
		return NULL;
	if (port == 0) {
		if (!vc_pick_ephemeral(vc, &k, vc_port_free_for_listen)) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
					    "No free port");
			return NULL;
		}
	} else {
		k.lport = port;
		if (!vc_port_free_for_listen(vc, &k)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "TCP port %u is already listened on", port);
			return NULL;
		}
	}
	l = g_new0(struct vc_listen, 1);
	l->key = k;
	l->vc = vc;
	l->backlog = backlog ? backlog : 128;
	l->cfg = cfg;
	if (!vc_addr_is_any(ipv6, k.laddr)) {
		l->n_l = 1;
		memcpy(l->laddr[0], k.laddr, 16);
		l->l[0] = pk_tcp_listener_new(vc->engine, &l->cfg, ipv6, k.laddr, k.lport);
	}
	g_hash_table_add(vc->listeners, l);
	obj = g_object_new(PK_TYPE_VCLIENT_LISTENER, NULL);
	obj->l = l;
	l->obj = obj;
	return obj;
}

guint16 pk_vclient_listener_get_port(PkVclientListener *self)
{
	return self->l->key.lport;
}

static gboolean vc_accept_cancelled(GCancellable *c, gpointer data)
{
	GTask *t = data;
	PkVclientListener *self = g_task_get_source_object(t);

	(void)c;
	if (self->l && g_queue_remove(&self->l->waiters, t))
		vc_task_return_later(t, NULL,
				     g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED,
							 "Operation was cancelled"));
	return G_SOURCE_REMOVE;
}

void pk_vclient_listener_accept_async(PkVclientListener *self, GCancellable *cancellable,
				      GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);

	g_task_set_source_tag(task, pk_vclient_listener_accept_async);
	if (!self->l->vc) {
		vc_task_return_later(task, NULL,
				     g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CLOSED,
							 "Listener closed"));
		return;
	}
	g_queue_push_tail(&self->l->waiters, task);
	if (cancellable) {
		GSource *src = g_cancellable_source_new(cancellable);

		g_source_set_callback(src, G_SOURCE_FUNC(vc_accept_cancelled), task, NULL);
		g_task_attach_source(task, src, G_SOURCE_FUNC(vc_accept_cancelled));
		g_source_unref(src);
	}
	vc_listen_complete(self->l);
}

GIOStream *pk_vclient_listener_accept_finish(PkVclientListener *self, GAsyncResult *result,
					     GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
