// SPDX-License-Identifier: MIT
/* tcp-sock.c - TCP for the vclient: demux, engine timers and output, connect, listen and accept */
#include <string.h>

#include <pktkit/checksum.h>

#include "tcp-sock.h"

/* Keys and addresses -------------------------------------------------------- */

static guint32 vc_hash_seed;

guint vc_key_hash(gconstpointer k)
{
	const uint8_t *p = k;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ vc_hash_seed;

	for (size_t i = 0; i < sizeof(struct vc_key); i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (guint)(h ^ (h >> 32));
}

gboolean vc_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct vc_key)) == 0;
}

gpointer vc_bound_lookup(GHashTable *table, bool ipv6, const uint8_t *addr, uint16_t port)
{
	struct vc_key k;
	gpointer found;

	memset(&k, 0, sizeof(k));
	k.ipv6 = ipv6;
	k.lport = port;
	memcpy(k.laddr, addr, ipv6 ? 16 : 4);
	found = g_hash_table_lookup(table, &k);
	if (found)
		return found;
	memset(k.laddr, 0, sizeof(k.laddr));
	return g_hash_table_lookup(table, &k);
}

bool vc_pick_ephemeral(struct pk_vclient *vc, struct vc_key *k,
		       bool (*is_free)(struct pk_vclient *vc, const struct vc_key *k))
{
	uint32_t span = VC_EPHEMERAL_HI - VC_EPHEMERAL_LO + 1;
	uint32_t start = (uint32_t)g_random_int_range(0, (gint32)span);

	/* A random start, then the next free one: random and collision-free. */
	for (uint32_t i = 0; i < span; i++) {
		k->lport = (uint16_t)(VC_EPHEMERAL_LO + (start + i) % span);
		if (is_free(vc, k))
			return true;
	}
	return false;
}

bool vc_bind_key(struct pk_vclient *vc, GSocketAddress *local, struct vc_key *k, uint16_t *port,
		 GError **error)
{
	bool ipv6;

	memset(k, 0, sizeof(*k));
	if (!vc_sockaddr_get(local, &ipv6, k->laddr, port, error))
		return false;
	if (!vc->running) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "The virtual client is not running");
		return false;
	}
	k->ipv6 = ipv6;
	if (!vc_addr_is_any(ipv6, k->laddr) && !vc_is_local(vc, ipv6, k->laddr)) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "Not an address of this virtual client");
		return false;
	}
	return true;
}

GSocketAddress *vc_sockaddr_new(bool ipv6, const uint8_t *addr, uint16_t port)
{
	GInetAddress *ia = g_inet_address_new_from_bytes(
		addr, ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
	GSocketAddress *sa = g_inet_socket_address_new(ia, port);

	g_object_unref(ia);
	return sa;
}

bool vc_sockaddr_get(GSocketAddress *sa, bool *ipv6, uint8_t *addr, uint16_t *port,
		     GError **error)
{
	GInetAddress *ia;

	if (!G_IS_INET_SOCKET_ADDRESS(sa)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "not an IP socket address");
		return false;
	}
	ia = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa));
	*ipv6 = g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV6;
	memset(addr, 0, 16);
	memcpy(addr, g_inet_address_to_bytes(ia), *ipv6 ? 16 : 4);
	*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(sa));
	return true;
}

/* Deferred completion ---------------------------------------------------------- */

struct vc_later {
	GTask *task;
	gpointer obj;
	GError *error;
};

static gboolean vc_later_run(gpointer p)
{
	struct vc_later *l = p;

	if (l->error)
		g_task_return_error(l->task, g_steal_pointer(&l->error));
	else
		g_task_return_pointer(l->task, g_steal_pointer(&l->obj), g_object_unref);
	return G_SOURCE_REMOVE;
}

static void vc_later_free(gpointer p)
{
	struct vc_later *l = p;

	g_clear_object(&l->obj);
	g_clear_error(&l->error);
	g_object_unref(l->task);
	g_free(l);
}

void vc_task_return_later(GTask *task, gpointer obj, GError *error)
{
	struct vc_later *l = g_new0(struct vc_later, 1);
	GSource *src = g_idle_source_new();

	l->task = task;
	l->obj = obj;
	l->error = error;
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, vc_later_run, l, vc_later_free);
	g_source_set_static_name(src, "pktkit vclient completion");
	g_source_attach(src, g_task_get_context(task));
	g_source_unref(src);
}

/* Sock lifetime ------------------------------------------------------------------ */

/* Largest TCP segment with 'tso': the IP packet within 65535 bytes. */
static uint32_t vc_tso_cap(bool ipv6)
{
	return 65535u - vc_ip_hlen(ipv6);
}

static void vc_sock_timer_fired(struct pk_dev *dev, void *self, void *data);

static struct vc_tcp_sock *vc_sock_new(struct pk_vclient *vc, struct pk_tcp_conn *c)
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

static void vc_sock_free(struct vc_tcp_sock *s)
{
	g_clear_error(&s->error);
	if (s->leftover)
		g_byte_array_unref(s->leftover);
	g_free(s);
}

/* The engine connection is gone (closed, or the device stops). */
static void vc_sock_drop_conn(struct vc_tcp_sock *s)
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

static void vc_sock_mark_dirty(struct vc_tcp_sock *s)
{
	if (s->dirty || !s->vc)
		return;
	s->dirty = true;
	g_queue_push_tail_link(&s->vc->dirty, &s->dirty_link);
	vc_schedule_flush(s->vc);
}

/* Errors ----------------------------------------------------------------------------- */

static void vc_sock_set_error(struct vc_tcp_sock *s, GIOErrorEnum code, const char *msg)
{
	if (!s->error)
		s->error = g_error_new_literal(G_IO_ERROR, code, msg);
}

static void vc_sock_fail_connect(struct vc_tcp_sock *s)
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

static void vc_listen_offer(struct vc_listen *l, struct vc_tcp_sock *s);

static void vc_sock_mark_dirty(struct vc_tcp_sock *s);

static void vc_sock_drain(struct pk_vclient *vc, struct vc_tcp_sock *s, uint64_t now)
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
			/* The engine left the checksum partial (pk_tcp_conn_set_tso()). */
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
		} else if (s->listener) {
			vc_listen_offer(s->listener, s);
			if (!s->conn)
				return;	/* backlog full: reset and freed */
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

/* Input ------------------------------------------------------------------------------- */

static struct vc_listen *vc_listen_find(struct pk_vclient *vc, bool ipv6, const uint8_t *addr,
					uint16_t port)
{
	return vc_bound_lookup(vc->listeners, ipv6, addr, port);
}

static void vc_send_segment(struct pk_vclient *vc, const struct pk_tcp_endpoints *ep,
			    const uint8_t *seg, uint32_t len)
{
	uint8_t *l4;
	struct pk_buf *b = vc_alloc_l4(vc, ep->ipv6, len, &l4);

	if (!b)
		return;
	memcpy(l4, seg, len);
	vc_send_l4(vc, b, ep->ipv6, PK_IPPROTO_TCP, ep->local_addr, ep->remote_addr, len);
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

static void vc_reply_rst(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
			 const struct pk_tcp_view *v)
{
	struct pk_tcp_endpoints ep;
	uint8_t seg[PK_TCP_HLEN];
	uint32_t n;

	if (v->flags & PK_TCP_RST)
		return;
	pk_dev_count(vc->dev, VC_C_TCP_RST_CLOSED, 1);
	if (!vc->cfg.reject_closed || !vc_icmp_allowed(vc))
		return;
	memset(&ep, 0, sizeof(ep));
	ep.ipv6 = ipv6;
	memcpy(ep.local_addr, dst, ipv6 ? 16 : 4);
	memcpy(ep.remote_addr, src, ipv6 ? 16 : 4);
	ep.local_port = v->dport;
	ep.remote_port = v->sport;
	n = pk_tcp_reply_rst(v, v->payload_len, &ep, seg, sizeof(seg));
	if (n)
		vc_send_segment(vc, &ep, seg, n);
}

void vc_tcp_input(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *pkt, uint32_t pkt_len, const uint8_t *seg, uint32_t seg_len,
		  bool csum_trusted)
{
	struct pk_tcp_view v;
	struct vc_key k;
	struct vc_tcp_sock *s;
	struct vc_listen *l;
	uint64_t now = pk_dev_now(vc->dev);

	(void)pkt;
	(void)pkt_len;
	if (!pk_tcp_parse(seg, seg_len, &v)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
		return;
	}
	if (!csum_trusted && !pk_tcp_csum_ok(ipv6, src, dst, seg, seg_len)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_CHECKSUM, 1);
		return;
	}
	memset(&k, 0, sizeof(k));
	k.ipv6 = ipv6;
	k.lport = v.dport;
	k.rport = v.sport;
	memcpy(k.laddr, dst, ipv6 ? 16 : 4);
	memcpy(k.raddr, src, ipv6 ? 16 : 4);
	s = g_hash_table_lookup(vc->conns, &k);
	if (s) {
		pk_tcp_conn_input(s->conn, &v, now);
		vc_sock_mark_dirty(s);
		return;
	}
	l = vc_listen_find(vc, ipv6, dst, v.dport);
	if (!l) {
		vc_reply_rst(vc, ipv6, src, dst, &v);
		return;
	}
	if ((v.flags & (PK_TCP_SYN | PK_TCP_ACK | PK_TCP_RST)) == PK_TCP_SYN &&
	    g_hash_table_size(vc->conns) >= vc->cfg.tcp_max_connections) {
		pk_dev_count(vc->dev, VC_C_TCP_CONN_LIMIT, 1);
		return;
	}
	{
		struct pk_tcp_listener *el = vc_listen_engine(vc, l, dst);
		struct pk_tcp_conn *c;

		if (!el)
			return;
		c = pk_tcp_listener_input(el, src, &v, now);
		vc_listen_drain(vc, el);
		if (c) {
			s = vc_sock_new(vc, c);
			s->listener = l;
			vc_sock_mark_dirty(s);
		}
	}
}

/* ICMP errors about our segments (RFC 5927 checks: the quoted sequence is in flight). */
void vc_tcp_icmp_error(struct pk_vclient *vc, bool ipv6, uint8_t type, uint8_t code, uint32_t mtu,
		       const uint8_t *inner, uint32_t inner_len)
{
	uint32_t ihl = ipv6 ? PK_IP6_HLEN : (uint32_t)(inner[0] & 0x0f) * 4;
	const uint8_t *th = inner + ihl;
	struct vc_key k;
	struct vc_tcp_sock *s;

	if (inner_len < ihl + 8)
		return;
	memset(&k, 0, sizeof(k));
	k.ipv6 = ipv6;
	k.lport = pk_get_be16(th);
	k.rport = pk_get_be16(th + 2);
	memcpy(k.laddr, ipv6 ? inner + 8 : inner + 12, ipv6 ? 16 : 4);
	memcpy(k.raddr, ipv6 ? inner + 24 : inner + 16, ipv6 ? 16 : 4);
	s = g_hash_table_lookup(vc->conns, &k);
	if (!s || !pk_tcp_conn_icmp_seq_ok(s->conn, pk_get_be32(th + 4)))
		return;	/* not a segment we could have in flight: forged or stale */
	if (mtu) {
		pk_tcp_conn_set_path_mtu(s->conn, mtu, pk_dev_now(vc->dev));
		vc_sock_mark_dirty(s);
		return;
	}
	/* A hard error refuses a connection attempt (RFC 1122 4.2.3.9 leaves
	 * established connections alone). */
	bool port_unreach = ipv6 ? (type == PK_ICMP6_DEST_UNREACH && code == 4)
				 : (type == PK_ICMP_DEST_UNREACH && (code == 2 || code == 3));
	if (port_unreach && pk_tcp_conn_state(s->conn) == PK_TCP_SYN_SENT) {
		vc_sock_set_error(s, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused (ICMP)");
		vc_sock_fail_connect(s);
		vc_sock_drop_conn(s);
		if (s->app_refs == 0)
			vc_sock_free(s);
	}
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

/* Connect ------------------------------------------------------------------------------------ */

/* The device's connection settings with @opts applied. */
static bool vc_tcp_config(struct pk_vclient *vc, const struct pk_vclient_tcp_options *opts,
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

static void vc_listen_offer(struct vc_listen *l, struct vc_tcp_sock *s)
{
	if (l->ready.length >= l->backlog) {
		pk_dev_count(l->vc->dev, VC_C_TCP_BACKLOG_FULL, 1);
		pk_tcp_conn_abort(s->conn);
		vc_sock_drain(l->vc, s, pk_dev_now(l->vc->dev));
		vc_sock_drop_conn(s);
		vc_sock_free(s);
		return;
	}
	s->queued = true;
	g_queue_push_tail_link(&l->ready, &s->ready_link);
	vc_listen_complete(l);
}

/* Reset what was never accepted, fail pending accepts, free the engine listener. */
static void vc_listen_teardown(struct vc_listen *l)
{
	struct pk_vclient *vc = l->vc;
	GHashTableIter it;
	gpointer key;
	GTask *t;
	GPtrArray *orphans = g_ptr_array_new();

	if (!vc)
		return;
	g_hash_table_remove(vc->listeners, l);
	g_hash_table_iter_init(&it, vc->conns);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct vc_tcp_sock *s = key;

		if (s->listener == l)
			g_ptr_array_add(orphans, s);
	}
	for (guint i = 0; i < orphans->len; i++) {
		struct vc_tcp_sock *s = orphans->pdata[i];

		if (vc->running)
			pk_tcp_conn_abort(s->conn);
		if (s->queued) {
			g_queue_unlink(&l->ready, &s->ready_link);
			s->queued = false;
		}
		s->listener = NULL;
		vc_sock_mark_dirty(s);	/* sends the RST, then frees it (CLOSED) */
	}
	g_ptr_array_free(orphans, TRUE);
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

struct vc_accept_wait {
	PkVclientListener *obj;
	GTask *task;
};

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

/* Device start and stop ------------------------------------------------------------------------ */

void vc_tcp_init(struct pk_vclient *vc)
{
	if (!vc_hash_seed)
		vc_hash_seed = g_random_int() | 1;
	vc->conns = g_hash_table_new(vc_key_hash, vc_key_equal);
	vc->listeners = g_hash_table_new(vc_key_hash, vc_key_equal);
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
