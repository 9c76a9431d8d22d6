/* SPDX-License-Identifier: MIT
 * slirp-tcp.c - TCP flows of l3.slirp: guest connections carried over host sockets
 *
 * A guest's SYN makes a flow in state "connecting" while the host socket's
 * non-blocking connect() runs; the SYN waits as a copy of the packet, and
 * retransmissions of it are absorbed. Only when the host accepted does the
 * guest get its SYN-ACK: the saved SYN goes to an engine listener made for
 * that one segment. A refusal is answered with RST, no route or a timeout
 * with ICMP host unreachable or RST ('unreachable'), so the guest never hangs.
 *
 * From then on the engine's connection is the guest's peer and bytes move
 * between its rings and the socket, each side read only as far as the other
 * takes: the rings ('flow-buffer' bytes each way) are the flow's buffers and
 * their free space the windows, so a slow host shrinks the guest's window
 * and a slow guest stops the reads from the host. Half-closes and resets are
 * passed on both ways. A port forward's accepted connection
 * (slirp_tcp_open_inbound()) is the same flow with an active open.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "slirp-private.h"

/* Bytes moved per read from the host or from the engine. */
#define TCP_CHUNK 65536u

struct slirp_tcp {
	struct pk_tcp_engine *engine;
	uint8_t buf[TCP_CHUNK]; /* bytes on their way, one call at a time */
};

/**
 * struct tcp_flow - A TCP flow: a host socket and the engine's connection
 * @base:	The common part (first)
 * @fd:		Host socket
 * @watch:	On @fd, only while something is to be watched (see tcp_flow_update())
 * @watching:	Conditions @watch has
 * @timer:	Connect timeout while connecting, then the engine's deadline
 * @conn:	Guest side; NULL while connecting
 * @syn:	Connecting: the guest's SYN, its whole IP packet (@syn_len bytes,
 *		TCP header at @syn_l4)
 * @out:	Guest-to-host bytes taken from the engine that the socket did not
 *		take yet (@out_len bytes from @out_off; at most TCP_CHUNK; NULL
 *		while there are none)
 * @host_eof:	The host's FIN was read: the guest side is shut down
 * @host_shut:	shutdown(SHUT_WR) done after the guest's FIN
 */
struct tcp_flow {
	struct slirp_flow base;
	int fd;
	struct pk_watch *watch;
	GIOCondition watching;
	struct pk_timer *timer;
	struct pk_tcp_conn *conn;
	uint8_t *syn;
	uint32_t syn_len, syn_l4;
	uint8_t *out;
	uint32_t out_off, out_len;
	bool host_eof;
	bool host_shut;
};

static void tcp_flow_ready(struct pk_dev *dev, void *self, int fd, GIOCondition rev, void *data);

/* Engine and settings ------------------------------------------------------- */

struct slirp_tcp *slirp_tcp_new(struct slirp *s)
{
	struct slirp_tcp *t = g_try_new0(struct slirp_tcp, 1);
	uint8_t secret[16];

	(void)s;
	if (!t)
		return NULL;
	if (getrandom(secret, sizeof(secret), 0) != (ssize_t)sizeof(secret))
		for (size_t i = 0; i < sizeof(secret); i++)
			secret[i] = (uint8_t)g_random_int();
	t->engine = pk_tcp_engine_new(secret, 0);
	return t;
}

void slirp_tcp_free(struct slirp_tcp *t)
{
	if (!t)
		return;
	pk_tcp_engine_free(t->engine);
	g_free(t);
}

/* The guest side's settings, from the instance's (which may change while
 * stopped). */
static void tcp_engine_config(const struct slirp *s, struct pk_tcp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sndbuf = CLAMP(s->cfg.flow_buffer, 1024u, 64u << 20);
	c->rcvbuf = c->sndbuf;
	/* A full segment and the largest header must fit in one packet buffer. */
	c->mtu = MIN(s->cfg.mtu, PK_BUF_MAX_LEN - (PK_TCP_MAX_HLEN - PK_TCP_HLEN));
	/* The host application chose its writes; do not hold them back. */
	c->nodelay = true;
}

/* Largest TCP segment with 'tso': the IP packet within 65535 bytes. */
static uint32_t tcp_tso_cap(bool ipv6)
{
	return 65535u - pk_ip_hdr_len(ipv6 ? 6 : 4);
}

/* Keepalive towards the guest: the first probe after 'keepalive' idle, the
 * next ones as often (at most every 75 s, the usual interval), and after 9
 * unanswered the guest is gone: the flow is reset both ways. With the
 * engine's fixed 75 s a dead guest held its flow and host socket for over
 * 11 minutes whatever 'keepalive' said. */
static void tcp_keepalive_on(const struct slirp *s, struct pk_tcp_conn *c)
{
	uint64_t idle = (uint64_t)s->cfg.keepalive;

	pk_tcp_conn_set_keepalive(c, idle, MIN(idle, (uint64_t)75 * PK_NSEC_PER_SEC), 0);
}

static void tcp_conn_setup(struct slirp *s, struct pk_tcp_conn *c, bool ipv6)
{
	if (s->cfg.tso)
		pk_tcp_conn_set_tso(c, tcp_tso_cap(ipv6) - PK_TCP_MAX_HLEN);
	if (s->cfg.keepalive > 0)
		tcp_keepalive_on(s, c);
}

/* Stateless answers --------------------------------------------------------- */

/* RST for the guest's segment @seg of packet @p (nothing for a RST). */
static void tcp_reply_rst(struct slirp *s, const struct slirp_pkt *p, const struct pk_tcp_view *seg)
{
	struct pk_tcp_endpoints ep = { .ipv6 = p->ipv6 };
	uint8_t *l4;
	struct pk_buf *b;
	uint32_t n;

	if (seg->flags & PK_TCP_RST)
		return;
	memcpy(ep.local_addr, p->dst, p->ipv6 ? 16 : 4);
	memcpy(ep.remote_addr, p->src, p->ipv6 ? 16 : 4);
	b = slirp_alloc_l4(s, p->ipv6, PK_TCP_HLEN, &l4);
	if (!b)
		return;
	n = pk_tcp_reply_rst(seg, seg->payload_len, &ep, l4, PK_TCP_HLEN);
	if (!n) {
		pk_buf_unref(b);
		return;
	}
	s->ctr[SLIRP_C_TCP_RST_SENT]++;
	slirp_send_l4(s, b, p->ipv6, PK_IPPROTO_TCP, p->dst, p->src);
}

/* The saved SYN of a connecting flow, as the packet it was. */
static void tcp_syn_pkt(const struct tcp_flow *f, struct slirp_pkt *p, struct pk_tcp_view *seg)
{
	bool ipv6 = f->base.key.ipv6;

	memset(p, 0, sizeof(*p));
	p->ipv6 = ipv6;
	p->proto = PK_IPPROTO_TCP;
	p->pkt = f->syn;
	p->pkt_len = f->syn_len;
	p->src = f->syn + (ipv6 ? 8 : 12);
	p->dst = f->syn + (ipv6 ? 24 : 16);
	p->l4 = f->syn + f->syn_l4;
	p->l4_len = f->syn_len - f->syn_l4;
	if (!pk_tcp_parse(p->l4, p->l4_len, seg))
		g_assert_not_reached(); /* parsed when it arrived */
}

/* Flow lifetime ------------------------------------------------------------- */

static const char *tcp_flow_state(const struct slirp_flow *base)
{
	static const char *const names[] = {
		[PK_TCP_CLOSED] = "closed",	      [PK_TCP_LISTEN] = "listen",
		[PK_TCP_SYN_SENT] = "syn-sent",	      [PK_TCP_SYN_RECEIVED] = "syn-received",
		[PK_TCP_ESTABLISHED] = "established", [PK_TCP_FIN_WAIT_1] = "fin-wait-1",
		[PK_TCP_FIN_WAIT_2] = "fin-wait-2",   [PK_TCP_CLOSE_WAIT] = "close-wait",
		[PK_TCP_CLOSING] = "closing",	      [PK_TCP_LAST_ACK] = "last-ack",
		[PK_TCP_TIME_WAIT] = "time-wait",
	};
	const struct tcp_flow *f = (const struct tcp_flow *)base;
	enum pk_tcp_state st;

	if (!f->conn)
		return "connecting";
	st = pk_tcp_conn_state(f->conn);
	return (unsigned int)st < G_N_ELEMENTS(names) ? names[st] : pk_tcp_state_name(st);
}

static void tcp_flow_close(struct slirp *s, struct slirp_flow *base)
{
	struct tcp_flow *f = (struct tcp_flow *)base;

	(void)s;
	pk_watch_free(f->watch);
	pk_timer_free(f->timer);
	if (f->fd >= 0)
		close(f->fd);
	pk_tcp_conn_free(f->conn);
	g_free(f->syn);
	g_free(f->out);
	g_free(f);
}

static const struct slirp_flow_ops tcp_flow_ops = {
	.state = tcp_flow_state,
	.close = tcp_flow_close,
};

static void tcp_flow_timer(struct pk_dev *dev, void *self, void *data);

/* A flow for @k around the host socket @fd, in the table. */
static struct tcp_flow *tcp_flow_new(struct slirp *s, const struct slirp_flow_key *k, int fd)
{
	struct tcp_flow *f = g_new0(struct tcp_flow, 1);

	f->base.key = *k;
	f->base.ops = &tcp_flow_ops;
	f->fd = fd;
	f->timer = pk_timer_new(s->dev, tcp_flow_timer, f);
	slirp_flow_add(s, &f->base);
	s->ctr[SLIRP_C_TCP_FLOWS]++;
	return f;
}

/* Close the host socket with a RST to its peer (SO_LINGER 0). */
static void tcp_host_reset(struct tcp_flow *f)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	if (f->fd >= 0)
		(void)setsockopt(f->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* Established flows --------------------------------------------------------- */

/* Send what the engine has for the guest. */
static void tcp_flow_drain(struct slirp *s, struct tcp_flow *f)
{
	bool ipv6 = f->base.key.ipv6;
	uint64_t now = pk_dev_now(s->dev);
	uint32_t mss = pk_tcp_conn_mss(f->conn);

	for (;;) {
		uint32_t cap = PK_TCP_MAX_HLEN + mss, n, thl, seg;
		struct pk_buf *b;
		uint8_t *l4;

		/* A 64 KB buffer only while there is data for more than a segment. */
		if (s->cfg.tso && pk_tcp_conn_send_pending(f->conn) > mss)
			cap = tcp_tso_cap(ipv6);
		b = slirp_alloc_l4(s, ipv6, cap, &l4);
		if (!b)
			return; /* counted; the rest goes on the next call */
		n = pk_tcp_conn_output(f->conn, now, l4, cap);
		if (!n) {
			pk_buf_unref(b);
			return;
		}
		pk_buf_trim(b, n);
		/* With TSO the engine leaves the checksum of every segment
		 * partial, RSTs included (pk_tcp_conn_set_tso()). */
		if (s->cfg.tso) {
			pk_buf_set_csum_partial(b, 0, 16);
			thl = (uint32_t)(l4[12] >> 4) * 4;
			seg = pk_tcp_conn_seg_size(f->conn, thl);
			if (n - thl > seg)
				pk_buf_set_gso(b, (uint16_t)seg,
					       ipv6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
		}
		slirp_send_l4(s, b, ipv6, PK_IPPROTO_TCP, f->base.key.remote_addr,
			      f->base.key.guest_addr);
	}
}

/* Guest to host: write what the engine received, as far as the socket takes
 * it; then, after the guest's FIN, shut the host's direction down. Returns 0
 * or the socket's errno. */
static int tcp_flow_to_host(struct slirp *s, struct tcp_flow *f)
{
	uint8_t *buf = s->tcp->buf;

	for (;;) {
		const uint8_t *p;
		uint32_t len;
		ssize_t w;

		if (f->out_len) {
			p = f->out + f->out_off;
			len = f->out_len;
		} else {
			len = (uint32_t)pk_tcp_conn_recv(f->conn, buf, TCP_CHUNK);
			if (!len)
				break;
			p = buf;
		}
		w = send(f->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			w = 0;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		if (w > 0) {
			f->base.guest_bytes += (uint64_t)w;
			f->base.last_active = pk_dev_now(s->dev);
		}
		if (w < 0)
			w = 0;
		if (f->out_len) {
			f->out_off += (uint32_t)w;
			f->out_len -= (uint32_t)w;
			if (f->out_len)
				return 0; /* the socket is full: wait for G_IO_OUT */
			g_clear_pointer(&f->out, g_free);
		} else if ((uint32_t)w < len) {
			/* Keep the rest (only while the socket is full); the
			 * engine's window stays closed by as much until the
			 * socket takes it. */
			f->out = g_memdup2(p + w, len - (uint32_t)w);
			f->out_off = 0;
			f->out_len = len - (uint32_t)w;
			return 0;
		}
	}
	if (!f->host_shut && pk_tcp_conn_peer_closed(f->conn)) {
		f->host_shut = true;
		if (shutdown(f->fd, SHUT_WR) < 0 && errno != ENOTCONN)
			return errno;
	}
	return 0;
}

/* Host to guest: read only as much as the engine's send ring takes; the
 * host's FIN becomes ours. Returns 0 or the socket's errno. */
static int tcp_flow_from_host(struct slirp *s, struct tcp_flow *f)
{
	uint8_t *buf = s->tcp->buf;

	while (!f->host_eof) {
		size_t space = pk_tcp_conn_send_space(f->conn);
		ssize_t n;

		if (!space)
			return 0;
		n = recv(f->fd, buf, MIN(space, TCP_CHUNK), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : errno;
		}
		if (n == 0) {
			f->host_eof = true;
			pk_tcp_conn_shutdown(f->conn);
			return 0;
		}
		/* Fits (send space); -1 only if the guest side is gone, which its
		 * events tell. */
		if (pk_tcp_conn_send(f->conn, buf, (size_t)n) < 0)
			return 0;
		f->base.host_bytes += (uint64_t)n;
		f->base.last_active = pk_dev_now(s->dev);
		tcp_flow_drain(s, f);
	}
	return 0;
}

/* Watch the socket for what the flow can take, and arm the engine's timer. */
static void tcp_flow_update(struct slirp *s, struct tcp_flow *f)
{
	GIOCondition want = 0;

	if (!f->conn) {
		want = G_IO_OUT; /* connect() completing */
	} else {
		enum pk_tcp_state st = pk_tcp_conn_state(f->conn);
		uint64_t deadline = pk_tcp_conn_deadline(f->conn), now;

		if (!f->host_eof && st != PK_TCP_CLOSED && pk_tcp_conn_send_space(f->conn) > 0)
			want |= G_IO_IN;
		if (f->out_len)
			want |= G_IO_OUT;
		if (deadline == UINT64_MAX) {
			pk_timer_cancel(f->timer);
		} else {
			now = pk_dev_now(s->dev);
			pk_timer_arm(f->timer, deadline > now ? deadline - now : 0);
		}
	}
	/* No watch while nothing is wanted: a hung-up socket would otherwise
	 * report G_IO_HUP over and over. */
	if (!want) {
		g_clear_pointer(&f->watch, pk_watch_free);
	} else if (!f->watch) {
		f->watch = pk_watch_fd(s->dev, f->fd, want, tcp_flow_ready, f);
	} else if (want != f->watching) {
		pk_watch_set_events(f->watch, want);
	}
	f->watching = want;
}

/* After anything that touched the connection: move data, send, act on the
 * engine's events. @err: a host socket error already seen (0: none). May
 * remove @f. */
static void tcp_flow_process(struct slirp *s, struct tcp_flow *f, int err)
{
	uint32_t ev;

	if (!err)
		err = tcp_flow_to_host(s, f);
	tcp_flow_drain(s, f);
	s->ctr[SLIRP_C_TCP_RETRANSMITS] = pk_tcp_engine_stats(s->tcp->engine)->retransmits;
	ev = pk_tcp_conn_events(f->conn);
	if (err) {
		/* Reset or failed on the host: reset the guest side. */
		s->ctr[SLIRP_C_TCP_RESETS_FROM_HOST]++;
		pk_tcp_conn_abort(f->conn);
		tcp_flow_drain(s, f);
		slirp_flow_remove(s, &f->base);
		return;
	}
	if (ev & (PK_TCP_EV_RESET | PK_TCP_EV_TIMEOUT)) {
		/* The guest reset, refused (inbound) or stopped answering. */
		s->ctr[SLIRP_C_TCP_RESETS_FROM_GUEST]++;
		tcp_host_reset(f);
		slirp_flow_remove(s, &f->base);
		return;
	}
	/* Closed both ways; whatever the guest sent is with the host. */
	if (pk_tcp_conn_state(f->conn) == PK_TCP_CLOSED && !f->out_len &&
	    !pk_tcp_conn_recv_available(f->conn)) {
		slirp_flow_remove(s, &f->base);
		return;
	}
	tcp_flow_update(s, f);
}

/* Connecting ------------------------------------------------------------------ */

/* The host connect() failed with @err (ETIMEDOUT also for our own timeout). */
static void tcp_connect_failed(struct slirp *s, struct tcp_flow *f, int err)
{
	struct slirp_pkt p;
	struct pk_tcp_view seg;
	bool icmp = false;

	tcp_syn_pkt(f, &p, &seg);
	switch (err) {
	case ECONNREFUSED:
		s->ctr[SLIRP_C_TCP_REFUSED]++;
		break;
	case ETIMEDOUT:
		s->ctr[SLIRP_C_TCP_CONNECT_TIMEOUTS]++;
		icmp = s->cfg.unreachable == SLIRP_UNREACH_ICMP;
		break;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
		s->ctr[SLIRP_C_TCP_UNREACHABLE]++;
		icmp = s->cfg.unreachable == SLIRP_UNREACH_ICMP;
		break;
	default:
		pk_dev_log(s->dev, G_LOG_LEVEL_DEBUG, "host connect failed: %s", g_strerror(err));
		break;
	}
	if (icmp)
		slirp_send_unreach(s, &p, false, false);
	else
		tcp_reply_rst(s, &p, &seg);
	slirp_flow_remove(s, &f->base);
}

/* The host accepted: answer the saved SYN as a listener would. */
static void tcp_connect_established(struct slirp *s, struct tcp_flow *f)
{
	const struct slirp_flow_key *k = &f->base.key;
	struct pk_tcp_config cfg;
	struct pk_tcp_listener *l;
	struct slirp_pkt p;
	struct pk_tcp_view seg;

	tcp_syn_pkt(f, &p, &seg);
	tcp_engine_config(s, &cfg);
	l = pk_tcp_listener_new(s->tcp->engine, &cfg, k->ipv6, k->remote_addr, k->remote_port);
	f->conn = pk_tcp_listener_input(l, k->guest_addr, &seg, pk_dev_now(s->dev));
	pk_tcp_listener_free(l);
	if (!f->conn) {
		/* No memory for the rings. */
		tcp_host_reset(f);
		tcp_reply_rst(s, &p, &seg);
		slirp_flow_remove(s, &f->base);
		return;
	}
	g_clear_pointer(&f->syn, g_free);
	pk_timer_cancel(f->timer);
	tcp_conn_setup(s, f->conn, k->ipv6);
	tcp_flow_process(s, f, 0); /* the SYN-ACK */
}

static void tcp_connect_ready(struct slirp *s, struct tcp_flow *f)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err)
		tcp_connect_failed(s, f, err);
	else
		tcp_connect_established(s, f);
}

/* A guest's SYN for which there is no flow. */
static void tcp_open(struct slirp *s, const struct slirp_pkt *p, const struct pk_tcp_view *seg,
		     const struct slirp_flow_key *k)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	struct tcp_flow *f;
	int fd;
	/* The slirp's own DNS service (as UDP to it, not subject to the
	 * allow/deny lists: they are about the outside). */
	bool dns = seg->dport == 53 && slirp_is_dns_addr(s, p->ipv6, p->dst);

	if (!dns && !slirp_policy_allows(s, p->ipv6, p->dst, PK_IPPROTO_TCP, seg->dport))
		goto refuse;
	if (!slirp_flow_admit(s))
		goto refuse;
	if (dns) {
		if (!slirp_dns_tcp_target(s, &sa, &salen))
			goto refuse;
	} else {
		slirp_host_sockaddr(s, p->ipv6, p->dst, seg->dport, &sa, &salen);
	}
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		slirp_count_socket_error(s, errno);
		goto refuse;
	}
	f = tcp_flow_new(s, k, fd);
	f->syn = g_memdup2(p->pkt, p->pkt_len);
	f->syn_len = p->pkt_len;
	f->syn_l4 = (uint32_t)(p->l4 - p->pkt);
	if (connect(fd, (struct sockaddr *)&sa, salen) == 0) {
		tcp_connect_established(s, f);
		return;
	}
	if (errno != EINPROGRESS) {
		tcp_connect_failed(s, f, errno);
		return;
	}
	if (s->cfg.tcp_connect_timeout > 0)
		pk_timer_arm(f->timer, (uint64_t)s->cfg.tcp_connect_timeout);
	tcp_flow_update(s, f);
	return;
refuse:
	tcp_reply_rst(s, p, seg);
}

/* Callbacks ----------------------------------------------------------------- */

static void tcp_flow_ready(struct pk_dev *dev, void *self, int fd, GIOCondition rev, void *data)
{
	struct slirp *s = self;
	struct tcp_flow *f = data;
	int err = 0;

	(void)dev;
	(void)fd;
	if (!f->conn) {
		tcp_connect_ready(s, f);
		return;
	}
	if (rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
		if (!f->host_eof) {
			err = tcp_flow_from_host(s, f);
		} else if (rev & G_IO_ERR) {
			socklen_t len = sizeof(err);

			if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
		}
	}
	tcp_flow_process(s, f, err);
}

static void tcp_flow_timer(struct pk_dev *dev, void *self, void *data)
{
	struct slirp *s = self;
	struct tcp_flow *f = data;

	if (!f->conn) {
		tcp_connect_failed(s, f, ETIMEDOUT);
		return;
	}
	pk_tcp_conn_timer(f->conn, pk_dev_now(dev));
	tcp_flow_process(s, f, 0);
}

/* Entry points ---------------------------------------------------------------- */

void slirp_tcp_input(struct slirp *s, const struct slirp_pkt *p)
{
	struct pk_tcp_view seg;
	struct slirp_flow_key k;
	struct tcp_flow *f;

	if (!pk_tcp_parse(p->l4, p->l4_len, &seg)) {
		s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
		return;
	}
	if (!p->csum_trusted && !pk_tcp_csum_ok(p->ipv6, p->src, p->dst, p->l4, p->l4_len)) {
		s->ctr[SLIRP_C_DROPPED_CHECKSUM]++;
		return;
	}
	slirp_flow_key_from_pkt(&k, p, seg.sport, seg.dport);
	f = (struct tcp_flow *)slirp_flow_lookup(s, &k);
	if (f && !f->conn) {
		/* Connecting: SYNs again are absorbed; a RST gives up. */
		if (seg.flags & PK_TCP_RST)
			slirp_flow_remove(s, &f->base);
		return;
	}
	if (f && (seg.flags & (PK_TCP_SYN | PK_TCP_ACK | PK_TCP_RST)) == PK_TCP_SYN &&
	    pk_tcp_conn_state(f->conn) == PK_TCP_TIME_WAIT) {
		/* The guest reuses the port of a connection we keep in TIME-WAIT. */
		slirp_flow_remove(s, &f->base);
		f = NULL;
	}
	if (f) {
		pk_tcp_conn_input(f->conn, &seg, pk_dev_now(s->dev));
		tcp_flow_process(s, f, 0);
		return;
	}
	if ((seg.flags & (PK_TCP_SYN | PK_TCP_ACK | PK_TCP_RST)) == PK_TCP_SYN)
		tcp_open(s, p, &seg, &k);
	else
		tcp_reply_rst(s, p, &seg);
}

bool slirp_tcp_open_inbound(struct slirp *s, int fd, bool ipv6, const uint8_t *guest,
			    uint16_t guest_port, const uint8_t *from, uint16_t from_port)
{
	uint32_t alen = ipv6 ? 16 : 4;
	struct pk_tcp_endpoints ep = { .ipv6 = ipv6 };
	struct slirp_flow_key k = {
		.proto = PK_IPPROTO_TCP,
		.ipv6 = ipv6,
		.guest_port = guest_port,
		.remote_port = from_port,
	};
	struct pk_tcp_config cfg;
	struct pk_tcp_conn *c;
	struct tcp_flow *f;

	memcpy(k.guest_addr, guest, alen);
	memcpy(k.remote_addr, from, alen);
	if (!s->running || slirp_flow_lookup(s, &k) || !slirp_flow_admit(s)) {
		close(fd);
		return false;
	}
	memcpy(ep.local_addr, from, alen);
	memcpy(ep.remote_addr, guest, alen);
	ep.local_port = from_port;
	ep.remote_port = guest_port;
	tcp_engine_config(s, &cfg);
	c = pk_tcp_connect(s->tcp->engine, &cfg, &ep, pk_dev_now(s->dev));
	if (!c) {
		close(fd);
		return false;
	}
	tcp_conn_setup(s, c, ipv6);
	f = tcp_flow_new(s, &k, fd);
	f->base.inbound = true;
	f->conn = c;
	tcp_flow_process(s, f, 0); /* the SYN */
	return true;
}
