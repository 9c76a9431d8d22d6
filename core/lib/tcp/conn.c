/* SPDX-License-Identifier: MIT
 * conn.c - TCP connections: engine, creation, RTT, application side (RFC 9293, RFC 6298)
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "conn-private.h"

void tcp_halfopen_unlink(struct pk_tcp_conn *c)
{
	struct pk_tcp_listener *l = c->lsn;

	if (!l)
		return;
	if (c->ho_prev)
		c->ho_prev->ho_next = c->ho_next;
	else
		l->half_open = c->ho_next;
	if (c->ho_next)
		c->ho_next->ho_prev = c->ho_prev;
	c->ho_prev = c->ho_next = NULL;
	c->lsn = NULL;
	l->n_half_open--;
}

void tcp_halfopen_link(struct pk_tcp_listener *l, struct pk_tcp_conn *c)
{
	c->lsn = l;
	c->ho_prev = NULL;
	c->ho_next = l->half_open;
	if (l->half_open)
		l->half_open->ho_prev = c;
	l->half_open = c;
	l->n_half_open++;
}

/* ---- engine ---- */

struct pk_tcp_engine *pk_tcp_engine_new(const uint8_t secret[16], uint32_t challenge_ack_limit)
{
	struct pk_tcp_engine *e = g_new0(struct pk_tcp_engine, 1);

	uint64_t k0 = pk_tcp_siphash(secret, (const uint8_t *)"syncookie-key-0", 15);
	uint64_t k1 = pk_tcp_siphash(secret, (const uint8_t *)"syncookie-key-1", 15);

	memcpy(e->secret, secret, 16);
	e->chack_limit = challenge_ack_limit ? challenge_ack_limit : 100;
	/* the cookie key is derived from the engine secret, rotated apart */
	for (int i = 0; i < 8; i++) {
		e->ck_key[i] = (uint8_t)(k0 >> (8 * i));
		e->ck_key[8 + i] = (uint8_t)(k1 >> (8 * i));
	}
	return e;
}

void pk_tcp_engine_rotate_cookie_secret(struct pk_tcp_engine *e, const uint8_t secret[16],
					uint64_t now_ns)
{
	memcpy(e->ck_prev, e->ck_key, 16);
	memcpy(e->ck_key, secret, 16);
	e->ck_have_prev = true;
	/* cookies of the current slot stay valid through the next one */
	e->ck_rot_slot = now_ns / PK_TCP_COOKIE_SLOT_NS;
}

void pk_tcp_engine_free(struct pk_tcp_engine *e)
{
	g_free(e);
}

const struct pk_tcp_stats *pk_tcp_engine_stats(const struct pk_tcp_engine *e)
{
	return &e->st;
}

size_t pk_tcp_conn_sizeof(void)
{
	return sizeof(struct pk_tcp_conn);
}

/* ---- helpers ---- */

void tcp_config_resolve(struct pk_tcp_config *c, const struct pk_tcp_config *in)
{
	if (in)
		*c = *in;
	else
		memset(c, 0, sizeof(*c));
	if (!c->sndbuf)
		c->sndbuf = 256 * 1024;
	if (!c->rcvbuf)
		c->rcvbuf = 256 * 1024;
	c->sndbuf = CLAMP(c->sndbuf, 1024u, 64u << 20);
	c->rcvbuf = CLAMP(c->rcvbuf, 1024u, 64u << 20);
	if (!c->ooo_max || c->ooo_max > c->rcvbuf)
		c->ooo_max = c->rcvbuf;
	if (!c->mtu)
		c->mtu = 1500;
	c->mtu = CLAMP(c->mtu, 576u, 65535u);
	if (!c->time_wait_ns)
		c->time_wait_ns = NS_PER_S;
	if (!c->delack_ns)
		c->delack_ns = 40 * NS_PER_MS;
	if (!c->rto_min_ns)
		c->rto_min_ns = 200 * NS_PER_MS;
	if (!c->rto_max_ns)
		c->rto_max_ns = 60 * NS_PER_S;
	if (!c->rto_initial_ns)
		c->rto_initial_ns = NS_PER_S;
	if (!c->max_retries)
		c->max_retries = 8;
	if (c->cc != PK_TCP_CC_NEWRENO)
		c->cc = PK_TCP_CC_CUBIC;
	if (!c->keepalive_intvl_ns)
		c->keepalive_intvl_ns = KA_INTVL_DEFAULT;
	if (!c->keepalive_count)
		c->keepalive_count = KA_COUNT_DEFAULT;
}

void tcp_set_state(struct pk_tcp_conn *c, enum pk_tcp_state s)
{
	c->state = s;
	if (s != PK_TCP_SYN_RECEIVED)
		tcp_halfopen_unlink(c);
	if (s == PK_TCP_CLOSED) {
		c->events |= PK_TCP_EV_CLOSED;
		c->t_rtx = c->t_delack = c->t_tw = c->t_ka = 0;
	}
}

void tcp_enter_time_wait(struct pk_tcp_conn *c, uint64_t now)
{
	tcp_set_state(c, PK_TCP_TIME_WAIT);
	c->t_rtx = c->t_delack = c->t_ka = 0;
	c->t_tw = now + c->cfg.time_wait_ns;
}

void tcp_challenge_ack(struct pk_tcp_conn *c, uint64_t now)
{
	struct pk_tcp_engine *e = c->e;

	if (now - e->chack_window >= NS_PER_S || !e->chack_windows) {
		/* A fixed budget lets an off-path attacker count the challenge
		 * ACKs a connection provoked (CVE-2016-5696): draw each
		 * window's from [limit/2, limit/2 + limit), keyed. */
		uint8_t in[9];

		for (int i = 0; i < 8; i++)
			in[i] = (uint8_t)(e->chack_windows >> (8 * i));
		in[8] = 'A';
		e->chack_windows++;
		e->chack_window = now;
		e->chack_count = 0;
		e->chack_budget = e->chack_limit / 2 +
				  (uint32_t)(pk_tcp_siphash(e->secret, in, sizeof(in)) % e->chack_limit);
		if (!e->chack_budget)
			e->chack_budget = 1;
	}
	if (e->chack_count < e->chack_budget) {
		e->chack_count++;
		e->st.challenge_acks++;
		c->ack_now = true;
	} else {
		e->st.challenge_acks_suppressed++;
	}
}

void tcp_queue_rst(struct pk_tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t flags)
{
	c->rst_pending = true;
	c->rst_seq = seq;
	c->rst_ack = ack;
	c->rst_flags = flags;
}

static uint32_t initial_window(uint32_t mss)
{
	/* RFC 6928 */
	return MIN(10 * mss, MAX(2 * mss, 14600u));
}

/* ---- creation ---- */

struct pk_tcp_conn *tcp_conn_new(struct pk_tcp_engine *e, const struct pk_tcp_config *cfg,
				    const struct pk_tcp_endpoints *ep, uint64_t now)
{
	struct pk_tcp_conn *c = g_try_new0(struct pk_tcp_conn, 1);

	if (!c)
		return NULL;
	c->e = e;
	tcp_config_resolve(&c->cfg, cfg);
	c->ep = *ep;
	c->sb.cap = c->cfg.sndbuf;
	c->rb.cap = c->cfg.rcvbuf;
	c->sb.buf = g_try_malloc(c->sb.cap);
	c->rb.buf = g_try_malloc(c->rb.cap);
	if (!c->sb.buf || !c->rb.buf) {
		g_free(c->sb.buf);
		g_free(c->rb.buf);
		g_free(c);
		return NULL;
	}
	c->iss = c->cfg.fixed_iss ? c->cfg.iss : pk_tcp_isn(e, ep, now);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->recover = c->high_rxt = c->rtx_mark = c->iss;
	c->reordering = DUPTHRESH;
	c->sb_seq = c->iss + 1;
	c->last_rcv = now;
	c->ts_offset = (uint32_t)pk_tcp_tuple_hash(e->secret, ep, 'T');
	c->rto = c->cfg.rto_initial_ns;
	c->ssthresh = UINT32_MAX;
	c->rcv_wscale = c->cfg.no_wscale ? 0 : choose_wscale(c->cfg.rcvbuf);
	c->mss_base = our_mss(c);
	e->st.conns_created++;
	return c;
}

struct pk_tcp_conn *pk_tcp_connect(struct pk_tcp_engine *e, const struct pk_tcp_config *cfg,
				   const struct pk_tcp_endpoints *ep, uint64_t now_ns)
{
	struct pk_tcp_conn *c = tcp_conn_new(e, cfg, ep, now_ns);

	if (c)
		c->state = PK_TCP_SYN_SENT;
	return c;
}

void pk_tcp_conn_free(struct pk_tcp_conn *c)
{
	if (!c)
		return;
	tcp_halfopen_unlink(c);
	g_free(c->sb.buf);
	g_free(c->rb.buf);
	g_free(c);
}

/* Negotiate from the options of the peer's SYN (or SYN-ACK). */
void tcp_take_syn_options(struct pk_tcp_conn *c, const struct pk_tcp_opts *o, bool active)
{
	uint32_t def_mss = c->ep.ipv6 ? 1220u : 536u;

	c->peer_mss = (o->present & PK_TCP_HAS_MSS) && o->mss ? o->mss : (uint16_t)def_mss;
	c->peer_ws = (o->present & PK_TCP_HAS_WSCALE) != 0;
	c->peer_ts = (o->present & PK_TCP_HAS_TIMESTAMP) != 0;
	c->peer_sack = (o->present & PK_TCP_HAS_SACK_PERM) != 0;
	(void)active;
	c->ws_ok = c->peer_ws && !c->cfg.no_wscale;
	c->snd_wscale = c->ws_ok ? MIN(o->wscale, (uint8_t)PK_TCP_MAX_WSCALE) : 0;
	if (!c->ws_ok)
		c->rcv_wscale = 0;
	c->ts_ok = c->peer_ts && !c->cfg.no_timestamps;
	c->sack_ok = c->peer_sack && !c->cfg.no_sack;
	if (c->ts_ok)
		c->ts_recent = o->ts_val;
	c->mss_base = MAX(MIN(our_mss(c), (uint32_t)c->peer_mss), 64u + (c->ts_ok ? 12u : 0u));
	c->cwnd = initial_window(smss(c));
}

/* ---- RTT / RTO (RFC 6298) ---- */

void tcp_rtt_sample(struct pk_tcp_conn *c, uint64_t r)
{
	uint64_t g = NS_PER_MS;	/* clock granularity of the timestamp clock */

	if (!c->have_rtt) {
		c->srtt = r;
		c->rttvar = r / 2;
		c->have_rtt = true;
	} else {
		uint64_t d = c->srtt > r ? c->srtt - r : r - c->srtt;

		c->rttvar = (3 * c->rttvar + d) / 4;
		c->srtt = (7 * c->srtt + r) / 8;
	}
	c->rto = c->srtt + MAX(g, 4 * c->rttvar);
	c->rto = CLAMP(c->rto, c->cfg.rto_min_ns, c->cfg.rto_max_ns);
}

/* ---- application side ---- */

uint32_t pk_tcp_conn_events(struct pk_tcp_conn *c)
{
	uint32_t ev = c->events;

	c->events = 0;
	return ev;
}

int64_t pk_tcp_conn_send(struct pk_tcp_conn *c, const void *data, size_t len)
{
	uint32_t n;

	switch (c->state) {
	case PK_TCP_SYN_SENT:
	case PK_TCP_SYN_RECEIVED:
	case PK_TCP_ESTABLISHED:
	case PK_TCP_CLOSE_WAIT:
		break;
	default:
		return -1;
	}
	if (c->fin_queued)
		return -1;
	n = (uint32_t)MIN(len, (size_t)(c->sb.cap - c->sb.len));
	ring_write_at(&c->sb, c->sb.len, data, n);
	c->sb.len += n;
	return n;
}

size_t pk_tcp_conn_recv(struct pk_tcp_conn *c, void *buf, size_t len)
{
	uint32_t n = (uint32_t)MIN(len, (size_t)c->rb.len);

	if (!n)
		return 0;
	/* out-of-order bytes sit after the unread ones: moving head keeps
	 * their offsets from RCV.NXT */
	ring_read_at(&c->rb, 0, buf, n);
	ring_consume(&c->rb, n);
	return n;
}

void pk_tcp_conn_shutdown(struct pk_tcp_conn *c)
{
	if (c->fin_queued)
		return;
	switch (c->state) {
	case PK_TCP_SYN_SENT:
	case PK_TCP_SYN_RECEIVED:
		c->fin_queued = true;	/* FIN-WAIT-1 once tcp_established */
		break;
	case PK_TCP_ESTABLISHED:
		c->fin_queued = true;
		tcp_set_state(c, PK_TCP_FIN_WAIT_1);
		break;
	case PK_TCP_CLOSE_WAIT:
		c->fin_queued = true;
		tcp_set_state(c, PK_TCP_LAST_ACK);
		break;
	default:
		break;
	}
}

void pk_tcp_conn_abort(struct pk_tcp_conn *c)
{
	switch (c->state) {
	case PK_TCP_SYN_RECEIVED:
	case PK_TCP_ESTABLISHED:
	case PK_TCP_FIN_WAIT_1:
	case PK_TCP_FIN_WAIT_2:
	case PK_TCP_CLOSE_WAIT:
		tcp_queue_rst(c, c->snd_max, 0, PK_TCP_RST);
		break;
	default:
		break;
	}
	if (c->state != PK_TCP_CLOSED)
		tcp_set_state(c, PK_TCP_CLOSED);
}

enum pk_tcp_state pk_tcp_conn_state(const struct pk_tcp_conn *c)
{
	return c->state;
}

bool pk_tcp_conn_peer_closed(const struct pk_tcp_conn *c)
{
	return c->fin_rcvd && c->rb.len == 0;
}

const struct pk_tcp_endpoints *pk_tcp_conn_endpoints(const struct pk_tcp_conn *c)
{
	return &c->ep;
}

void pk_tcp_conn_set_tso(struct pk_tcp_conn *c, uint32_t max_payload)
{
	c->tso_max = MIN(max_payload, 65535u);
}

uint32_t pk_tcp_conn_seg_size(const struct pk_tcp_conn *c, uint32_t tcp_hlen)
{
	uint32_t opts = tcp_hlen > PK_TCP_HLEN ? tcp_hlen - PK_TCP_HLEN : 0;

	return c->mss_base > opts ? c->mss_base - opts : 1;
}

uint32_t pk_tcp_conn_mss(const struct pk_tcp_conn *c)
{
	return smss(c);
}

size_t pk_tcp_conn_send_space(const struct pk_tcp_conn *c)
{
	return c->fin_queued ? 0 : c->sb.cap - c->sb.len;
}

size_t pk_tcp_conn_send_pending(const struct pk_tcp_conn *c)
{
	return c->sb.len;
}

size_t pk_tcp_conn_recv_available(const struct pk_tcp_conn *c)
{
	return c->rb.len;
}

void pk_tcp_conn_get_info(const struct pk_tcp_conn *c, struct pk_tcp_conn_info *i)
{
	memset(i, 0, sizeof(*i));
	i->mss = smss(c);
	i->snd_wscale = c->snd_wscale;
	i->rcv_wscale = c->ws_ok ? c->rcv_wscale : 0;
	i->timestamps = c->ts_ok;
	i->sack = c->sack_ok;
	i->cwnd = c->cwnd;
	i->ssthresh = c->ssthresh;
	i->srtt_ns = c->have_rtt ? c->srtt : 0;
	i->rto_ns = c->rto;
	i->snd_wnd = c->snd_wnd;
	i->iss = c->iss;
	i->irs = c->irs;
	i->cc = c->cfg.cc;
	i->in_recovery = c->in_recovery;
	i->sacked_bytes = sb_bytes(c, 0);
	i->pipe = c->sack_rec ? tcp_sack_pipe(c) : c->snd_nxt - c->snd_una;
	i->keepalive_probes = c->ka_probes;
	i->cubic_wmax = c->cfg.cc == PK_TCP_CC_CUBIC ? (uint32_t)c->cub_wmax : 0;
	i->reordering = c->reordering;
}

void pk_tcp_conn_set_keepalive(struct pk_tcp_conn *c, uint64_t idle_ns, uint64_t intvl_ns,
			       uint32_t count)
{
	c->cfg.keepalive_idle_ns = idle_ns;
	c->cfg.keepalive_intvl_ns = intvl_ns ? intvl_ns : KA_INTVL_DEFAULT;
	c->cfg.keepalive_count = count ? count : KA_COUNT_DEFAULT;
	c->ka_probes = 0;
	c->t_ka = idle_ns && ka_state(c) ? c->last_rcv + idle_ns : 0;
}

bool pk_tcp_conn_icmp_seq_ok(const struct pk_tcp_conn *c, uint32_t seq)
{
	/* RFC 5927 4.1: SND.UNA <= seq < SND.NXT (the highest sent) */
	return c->state != PK_TCP_CLOSED && c->state != PK_TCP_LISTEN &&
	       SEQ_GEQ(seq, c->snd_una) && SEQ_LT(seq, c->snd_max);
}

void pk_tcp_conn_set_path_mtu(struct pk_tcp_conn *c, uint32_t mtu, uint64_t now_ns)
{
	uint32_t floor = c->ep.ipv6 ? 1280u : 68u, mss;

	if (mtu < floor)
		mtu = floor;
	mss = mtu - (c->ep.ipv6 ? 60u : 40u);
	/* room for the timestamp option plus at least 8 bytes of data */
	mss = MAX(mss, (c->ts_ok ? 12u : 0u) + 8u);
	if (mss >= c->mss_base)
		return;
	c->mss_base = mss;
	c->e->st.pmtu_updates++;
	if (c->state == PK_TCP_CLOSED || c->state == PK_TCP_LISTEN || c->snd_una == c->snd_max)
		return;
	if (c->state == PK_TCP_SYN_SENT || c->state == PK_TCP_SYN_RECEIVED)
		return;		/* a SYN is small; its retransmission is due anyway */
	/* resend what is in flight at the new size (RFC 8201 4: no
	 * congestion response); the old segments' ACKs must not start a
	 * fast retransmit */
	c->snd_nxt = c->snd_una;
	c->rtt_timing = false;
	c->rtx_mark = c->snd_max;
	sb_clear(c);
	c->undo_valid = false;
	c->in_recovery = false;
	c->fast_rtx = false;
	c->dupacks = 0;
	c->recover = c->snd_max;
	c->cwnd = MAX(c->cwnd, smss(c));
	c->t_rtx = now_ns + c->rto;
}

void pk_tcp_conn_set_nodelay(struct pk_tcp_conn *c, bool nodelay)
{
	c->cfg.nodelay = nodelay;
}
