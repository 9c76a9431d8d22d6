// SPDX-License-Identifier: MIT
/* tcp-sock.c - TCP connections of the vclient: lifetime, engine output and events, reads and writes */
#include <string.h>

#include "sock-async.h"
#include "tcp-listen.h"

/* Sock lifetime ------------------------------------------------------------------ */

/* Largest TCP segment with 'tso': the IP packet within 65535 bytes. */
static uint32_t vc_tso_cap(bool ipv6)
{
	return 65535u - vc_ip_hlen(ipv6);
}

static void vc_sock_timer_fired(struct pk_dev *dev, void *self, void *data);

struct vc_tcp_sock *vc_sock_new(struct pk_vclient *vc, struct pk_tcp_conn *c)
{
	struct vc_tcp_sock *s = g_new0(struct vc_tcp_sock, 1);
	const struct pk_tcp_endpoints *ep = pk_tcp_conn_endpoints(c);

	s->vc = vc;
	s->conn = c;
	s->key.ipv6 = ep->ipv6;
	if (vc->cfg.tso)
		pk_tcp_conn_set_tso(c, vc_tso_cap(ep->ipv6) - PK_TCP_MAX_HLEN);
	s->key.lport = ep->local_port;
	s->key.rport = ep->remote_port;
	memcpy(s->key.laddr, ep->local_addr, ep->ipv6 ? 16 : 4);
	memcpy(s->key.raddr, ep->remote_addr, ep->ipv6 ? 16 : 4);
	s->timer = pk_timer_new(vc->dev, vc_sock_timer_fired, s);
	s->dirty_link.data = s;
	s->ready_link.data = s;
	g_hash_table_add(vc->conns, s);
	return s;
}

void vc_sock_free(struct vc_tcp_sock *s)
{
	g_clear_error(&s->error);
	if (s->leftover)
		g_byte_array_unref(s->leftover);
	g_free(s);
}

void vc_sock_drop_conn(struct vc_tcp_sock *s)
{
	struct pk_vclient *vc = s->vc;

	if (s->dirty) {
		g_queue_unlink(&vc->dirty, &s->dirty_link);
		s->dirty = false;
	}
	if (s->queued) {
		g_queue_unlink(&s->listener->ready, &s->ready_link);
		s->queued = false;
	}
	s->listener = NULL;
	if (s->cancel_source) {
		g_source_destroy(s->cancel_source);
		g_clear_pointer(&s->cancel_source, g_source_unref);
	}
	g_hash_table_remove(vc->conns, s);
	pk_timer_free(s->timer);
	s->timer = NULL;
	/* Data the application has not read yet outlives the connection
	 * (e.g. TIME-WAIT ended first); a reset discards it, as sockets do. */
	s->eof = pk_tcp_conn_peer_closed(s->conn) || pk_tcp_conn_recv_available(s->conn) > 0;
	if (s->app_refs > 0 && !s->error && pk_tcp_conn_recv_available(s->conn) > 0) {
		size_t n = pk_tcp_conn_recv_available(s->conn);

		s->leftover = g_byte_array_sized_new((guint)n);
		g_byte_array_set_size(s->leftover, (guint)n);
		pk_tcp_conn_recv(s->conn, s->leftover->data, n);
	}
	pk_tcp_conn_free(s->conn);
	s->conn = NULL;
}

void vc_sock_mark_dirty(struct vc_tcp_sock *s)
{
	if (s->dirty || !s->vc)
		return;
	s->dirty = true;
	g_queue_push_tail_link(&s->vc->dirty, &s->dirty_link);
	vc_schedule_flush(s->vc);
}

/* Errors ----------------------------------------------------------------------------- */

void vc_sock_set_error(struct vc_tcp_sock *s, GIOErrorEnum code, const char *msg)
{
	if (!s->error)
		s->error = g_error_new_literal(G_IO_ERROR, code, msg);
}

void vc_sock_fail_connect(struct vc_tcp_sock *s)
{
	GTask *t = g_steal_pointer(&s->connect_task);

	if (!t)
		return;
	if (s->cancel_source) {
		g_source_destroy(s->cancel_source);
		g_clear_pointer(&s->cancel_source, g_source_unref);
	}
	vc_task_return_later(t, NULL, g_error_copy(s->error));
}

/* Processing: output, events, timer ----------------------------------------------------- */

void vc_sock_drain(struct pk_vclient *vc, struct vc_tcp_sock *s, uint64_t now)
{
	uint32_t mss = pk_tcp_conn_mss(s->conn), cap = PK_TCP_MAX_HLEN + mss;
	uint32_t hlen = vc_ip_hlen(s->key.ipv6);
	bool tso = vc->cfg.tso;

	for (;;) {
		uint8_t *l4;
		uint32_t n, thl;
		struct pk_buf *b;

		/* Inside receive, one batch of segments per call: a window opening
		 * must not burst into the queue of a peer that is still busy. The
		 * rest leaves from the flush timer. */
		if (vc->in_receive && pk_tcp_conn_send_pending(s->conn) > 0) {
			if (vc->inline_segs == 0) {
				vc_sock_mark_dirty(s);
				return;
			}
			vc->inline_segs--;
		}
		/* A 64 KB buffer only while there is data for more than a segment. */
		if (tso)
			cap = pk_tcp_conn_send_pending(s->conn) > mss ? vc_tso_cap(s->key.ipv6)
								       : PK_TCP_MAX_HLEN + mss;
		b = vc_alloc_l4(vc, s->key.ipv6, cap, &l4);
		if (!b)
			return;
		n = pk_tcp_conn_output(s->conn, now, l4, cap);
		if (!n) {
			pk_buf_unref(b);
			return;
		}
		if (tso) {
			/* The engine left the checksum of every segment partial,
			 * RSTs included (pk_tcp_conn_set_tso()). */
			pk_buf_set_csum_partial(b, hlen, 16);
			thl = (uint32_t)(l4[12] >> 4) * 4;
			if (n - thl > pk_tcp_conn_seg_size(s->conn, thl))
				pk_buf_set_gso(b, (uint16_t)pk_tcp_conn_seg_size(s->conn, thl),
					       s->key.ipv6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
		}
		vc_send_l4(vc, b, s->key.ipv6, PK_IPPROTO_TCP, s->key.laddr, s->key.raddr, n);
	}
}

/* Drain output, act on events, re-arm the timer; may free @s. */
static void vc_sock_process(struct pk_vclient *vc, struct vc_tcp_sock *s, uint64_t now)
{
	uint32_t ev;
	uint64_t deadline;

	vc_sock_drain(vc, s, now);
	ev = pk_tcp_conn_events(s->conn);
	if (ev & PK_TCP_EV_RESET)
		vc_sock_set_error(s, s->established ? G_IO_ERROR_CONNECTION_CLOSED
						    : G_IO_ERROR_CONNECTION_REFUSED,
				  s->established ? "Connection reset by peer" : "Connection refused");
	if (ev & PK_TCP_EV_TIMEOUT)
		vc_sock_set_error(s, G_IO_ERROR_TIMED_OUT, "Connection timed out");
	if ((ev & PK_TCP_EV_ESTABLISHED) && !s->error) {
		s->established = true;
		if (s->connect_task) {
			GTask *t = g_steal_pointer(&s->connect_task);

			if (s->cancel_source) {
				g_source_destroy(s->cancel_source);
				g_clear_pointer(&s->cancel_source, g_source_unref);
			}
			vc_task_return_later(t, vc_stream_new(s), NULL);
		} else if (s->listener && !vc_listen_offer(s->listener, s)) {
			return; /* backlog full: reset and freed */
		}
	}
	if (s->error && s->connect_task)
		vc_sock_fail_connect(s);
	if (ev & PK_TCP_EV_CLOSED || pk_tcp_conn_state(s->conn) == PK_TCP_CLOSED) {
		if (!s->error && !s->established)
			vc_sock_set_error(s, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused");
		vc_sock_fail_connect(s);
		vc_sock_drop_conn(s);
		if (s->app_refs == 0)
			vc_sock_free(s);
		return;
	}
	deadline = pk_tcp_conn_deadline(s->conn);
	if (deadline == UINT64_MAX)
		pk_timer_cancel(s->timer);
	else
		pk_timer_arm(s->timer, deadline > now ? deadline - now : 0);
}

static void vc_sock_timer_fired(struct pk_dev *dev, void *self, void *data)
{
	struct pk_vclient *vc = self;
	struct vc_tcp_sock *s = data;
	uint64_t now = pk_dev_now(dev);

	pk_tcp_conn_timer(s->conn, now);
	vc_sock_process(vc, s, now);
	vc_tcp_flush(vc);
	vc_flush_out(vc);
}

static void vc_tcp_sync_counters(struct pk_vclient *vc)
{
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(vc->engine);
	uint64_t *c = pk_dev_counters(vc->dev);

	c[VC_C_TCP_SEGS_IN] = st->segs_in;
	c[VC_C_TCP_SEGS_OUT] = st->segs_out;
	c[VC_C_TCP_RETRANSMITS] = st->retransmits;
	c[VC_C_TCP_TIMEOUTS] = st->timeouts;
	c[VC_C_TCP_DROPPED] = st->dropped;
	c[VC_C_TCP_CHALLENGE_ACKS] = st->challenge_acks;
	c[VC_C_TCP_SYNCOOKIES_SENT] = st->syncookies_sent;
	c[VC_C_TCP_SYNCOOKIES_OK] = st->syncookies_ok;
	c[VC_C_TCP_CONNECTIONS] = g_hash_table_size(vc->conns);
}

void vc_tcp_flush(struct pk_vclient *vc)
{
	uint64_t now;
	GList *link;

	if (!vc->engine)
		return;
	now = pk_dev_now(vc->dev);
	/* Inside receive, sockets left dirty when the inline segments are
	 * spent wait for the flush timer. */
	while ((!vc->in_receive || vc->inline_segs > 0) &&
	       (link = g_queue_pop_head_link(&vc->dirty))) {
		struct vc_tcp_sock *s = link->data;

		s->dirty = false;
		vc_sock_process(vc, s, now);
	}
	vc_tcp_sync_counters(vc);
}

/* Options --------------------------------------------------------------------------------- */

bool vc_tcp_config(struct pk_vclient *vc, const struct pk_vclient_tcp_options *opts,
		   struct pk_tcp_config *cfg, GError **error)
{
	struct pk_vclient_tcp_options o = { 0 };

	*cfg = vc->tcp_cfg;
	if (!opts)
		return true;
	memcpy(&o, opts, MIN(opts->size ? opts->size : sizeof(o), sizeof(o)));
	if ((o.sndbuf && (o.sndbuf < 1024 || o.sndbuf > (64u << 20))) ||
	    (o.rcvbuf && (o.rcvbuf < 1024 || o.rcvbuf > (64u << 20)))) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "sndbuf and rcvbuf must be 1 KiB .. 64 MiB");
		return false;
	}
	if (o.sndbuf)
		cfg->sndbuf = o.sndbuf;
	if (o.rcvbuf) {
		cfg->rcvbuf = o.rcvbuf;
		cfg->ooo_max = 0;	/* the default follows rcvbuf */
	}
	cfg->nodelay = o.nodelay;
	cfg->keepalive_idle_ns = (uint64_t)o.keepalive_idle_s * PK_NSEC_PER_SEC;
	cfg->keepalive_intvl_ns = (uint64_t)o.keepalive_intvl_s * PK_NSEC_PER_SEC;
	cfg->keepalive_count = o.keepalive_count;
	return true;
}

/* Application side ------------------------------------------------------------------------ */

void vc_sock_app_ref(struct vc_tcp_sock *s)
{
	s->app_refs++;
}

/* The application let go of the connection: close it like close(2) does. */
static void vc_sock_orphan(struct vc_tcp_sock *s)
{
	if (!s->vc || !s->conn)
		return;
	if (pk_tcp_conn_recv_available(s->conn) > 0)
		pk_tcp_conn_abort(s->conn);
	else
		pk_tcp_conn_shutdown(s->conn);
	vc_sock_mark_dirty(s);
}

void vc_sock_app_unref(struct vc_tcp_sock *s)
{
	g_assert(s->app_refs > 0);
	if (--s->app_refs > 0)
		return;
	s->app_gone = true;
	if (!s->vc || !s->conn) {
		vc_sock_free(s);
		return;
	}
	vc_sock_orphan(s);
}

static gboolean vc_sock_check(struct vc_tcp_sock *s, GError **error)
{
	if (s->error) {
		g_propagate_error(error, g_error_copy(s->error));
		return FALSE;
	}
	if (!s->vc || !s->conn) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Connection closed");
		return FALSE;
	}
	return TRUE;
}

gssize vc_sock_read(struct vc_tcp_sock *s, void *buf, gsize count, GError **error)
{
	size_t n;

	if (s->read_closed) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Stream is closed");
		return -1;
	}
	if (s->leftover && s->leftover->len) {
		n = MIN(count, s->leftover->len);
		memcpy(buf, s->leftover->data, n);
		g_byte_array_remove_range(s->leftover, 0, (guint)n);
		return (gssize)n;
	}
	if (s->error) {
		g_propagate_error(error, g_error_copy(s->error));
		return -1;
	}
	if (!s->vc || !s->conn)
		return 0;	/* closed cleanly: end of stream */
	n = pk_tcp_conn_recv(s->conn, buf, count);
	if (n > 0) {
		vc_sock_mark_dirty(s);	/* a window update may be due */
		return (gssize)n;
	}
	if (pk_tcp_conn_peer_closed(s->conn))
		return 0;
	g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "No data yet");
	return -1;
}

gssize vc_sock_write(struct vc_tcp_sock *s, const void *buf, gsize count, GError **error)
{
	int64_t n;

	if (!vc_sock_check(s, error))
		return -1;
	if (s->write_closed) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Stream is closed");
		return -1;
	}
	n = pk_tcp_conn_send(s->conn, buf, count);
	if (n < 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
				    "Connection cannot send any more");
		return -1;
	}
	if (n == 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Send buffer full");
		return -1;
	}
	vc_sock_mark_dirty(s);
	return (gssize)n;
}

gboolean vc_sock_readable(struct vc_tcp_sock *s)
{
	if (s->read_closed || s->error || !s->vc || !s->conn)
		return TRUE;
	return pk_tcp_conn_recv_available(s->conn) > 0 || pk_tcp_conn_peer_closed(s->conn);
}

gboolean vc_sock_writable(struct vc_tcp_sock *s)
{
	if (s->write_closed || s->error || !s->vc || !s->conn)
		return TRUE;
	return pk_tcp_conn_send_space(s->conn) > 0;
}

gboolean vc_sock_shutdown_write(struct vc_tcp_sock *s, GError **error)
{
	if (s->write_closed)
		return TRUE;
	if (!vc_sock_check(s, error))
		return FALSE;
	s->write_closed = true;
	pk_tcp_conn_shutdown(s->conn);
	vc_sock_mark_dirty(s);
	return TRUE;
}

void vc_sock_close_read(struct vc_tcp_sock *s)
{
	s->read_closed = true;
}

/* Device start and stop ------------------------------------------------------------------------ */

void vc_tcp_init(struct pk_vclient *vc)
{
	vc->conns = vc_key_table_new();
	vc->listeners = vc_key_table_new();
	g_queue_init(&vc->dirty);
}

void vc_tcp_shutdown(struct pk_vclient *vc)
{
	GHashTableIter it;
	gpointer key;
	GPtrArray *all;

	if (!vc->conns)
		return;
	/* Listeners first: they fail pending accepts. */
	all = g_ptr_array_new();
	g_hash_table_iter_init(&it, vc->listeners);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(all, key);
	for (guint i = 0; i < all->len; i++)
		vc_listen_teardown(all->pdata[i]);
	g_ptr_array_set_size(all, 0);
	g_hash_table_iter_init(&it, vc->conns);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(all, key);
	for (guint i = 0; i < all->len; i++) {
		struct vc_tcp_sock *s = all->pdata[i];

		vc_sock_set_error(s, G_IO_ERROR_CLOSED, "The virtual client stopped");
		vc_sock_fail_connect(s);
		vc_sock_drop_conn(s);
		s->vc = NULL;
		if (s->app_refs == 0)
			vc_sock_free(s);
	}
	g_ptr_array_free(all, TRUE);
	g_clear_pointer(&vc->conns, g_hash_table_destroy);
	g_clear_pointer(&vc->listeners, g_hash_table_destroy);
}
