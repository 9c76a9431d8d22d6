// SPDX-License-Identifier: MIT
/* tcp-connect.c - Active opens of the vclient's TCP: pk_vclient_tcp_connect_async() and its cancel */
#include <string.h>

#include "sock-async.h"
#include "tcp-listen.h"

static bool vc_conn_port_free(struct pk_vclient *vc, const struct vc_key *k)
{
	return !g_hash_table_contains(vc->conns, k) &&
	       !vc_listen_find(vc, k->ipv6, k->laddr, k->lport);
}

static gboolean vc_connect_cancelled(GCancellable *c, gpointer data)
{
	struct vc_tcp_sock *s = data;

	(void)c;
	g_clear_pointer(&s->cancel_source, g_source_unref);
	if (s->connect_task && s->conn) {
		GTask *t = g_steal_pointer(&s->connect_task);

		pk_tcp_conn_abort(s->conn);
		vc_sock_set_error(s, G_IO_ERROR_CANCELLED, "Operation was cancelled");
		vc_sock_mark_dirty(s);
		vc_task_return_later(t, NULL, g_error_copy(s->error));
	}
	return G_SOURCE_REMOVE;
}

void pk_vclient_tcp_connect_async(struct pk_vclient *vc, GSocketAddress *remote,
				  GCancellable *cancellable, GAsyncReadyCallback callback,
				  gpointer user_data)
{
	pk_vclient_tcp_connect_full_async(vc, remote, NULL, cancellable, callback, user_data);
}

void pk_vclient_tcp_connect_full_async(struct pk_vclient *vc, GSocketAddress *remote,
				       const struct pk_vclient_tcp_options *opts,
				       GCancellable *cancellable, GAsyncReadyCallback callback,
				       gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	struct pk_tcp_config cfg;
	struct pk_tcp_endpoints ep;
	struct pk_tcp_conn *c;
	struct vc_tcp_sock *s;
	struct vc_key k;
	GError *error = NULL;

	g_task_set_source_tag(task, pk_vclient_tcp_connect_async);
	memset(&ep, 0, sizeof(ep));
	if (!vc_tcp_config(vc, opts, &cfg, &error))
		goto fail;
	if (!vc_sockaddr_get(remote, &ep.ipv6, ep.remote_addr, &ep.remote_port, &error))
		goto fail;
	if (!vc->running) {
		g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "The virtual client is not running");
		goto fail;
	}
	if (ep.remote_port == 0 || vc_addr_is_any(ep.ipv6, ep.remote_addr)) {
		g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "Cannot connect to port 0 or the unspecified address");
		goto fail;
	}
	if (!vc_pick_source(vc, ep.ipv6, ep.remote_addr, ep.local_addr)) {
		g_set_error(&error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
			    "The virtual client has no IPv%d address", ep.ipv6 ? 6 : 4);
		goto fail;
	}
	if (g_hash_table_size(vc->conns) >= vc->cfg.tcp_max_connections) {
		g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
				    "tcp-max-connections reached");
		goto fail;
	}
	memset(&k, 0, sizeof(k));
	k.ipv6 = ep.ipv6;
	k.rport = ep.remote_port;
	memcpy(k.laddr, ep.local_addr, 16);
	memcpy(k.raddr, ep.remote_addr, 16);
	if (!vc_pick_ephemeral(vc, &k, vc_conn_port_free)) {
		g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "No free local port for this destination");
		goto fail;
	}
	ep.local_port = k.lport;
	c = pk_tcp_connect(vc->engine, &cfg, &ep, pk_dev_now(vc->dev));
	if (!c) {
		g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
				    "Out of memory for the connection's buffers");
		goto fail;
	}
	s = vc_sock_new(vc, c);
	s->connect_task = task;
	if (cancellable) {
		s->cancel_source = g_cancellable_source_new(cancellable);
		g_source_set_callback(s->cancel_source, G_SOURCE_FUNC(vc_connect_cancelled), s, NULL);
		g_source_attach(s->cancel_source, g_task_get_context(task));
	}
	vc_sock_mark_dirty(s);
	return;
fail:
	vc_task_return_later(task, NULL, error);
}

GIOStream *pk_vclient_tcp_connect_finish(struct pk_vclient *vc, GAsyncResult *result,
					 GError **error)
{
	(void)vc;
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
