/* SPDX-License-Identifier: MIT
 * conn.c - TCP connection state machine (RFC 9293), loss recovery, timers, listener
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/tcp.h>

#include "tcp-private.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define OOO_RANGES 8u		/* out-of-order holes tracked; more: segment dropped */
#define MAX_WIN16 65535u
#define LISTENER_REPLYQ 16u	/* RSTs and cookie SYN-ACKs waiting in a listener */
#define DEFAULT_HALF_OPEN 128u
#define SACK_SB 8u		/* SACKed ranges the sender remembers; more: highest dropped */
#define DUPTHRESH 3u		/* RFC 6675 DupThresh: the initial reordering degree */
#define REORDER_MAX 127u	/* largest reordering degree, segments */
#define QUICKACK_MAX 16u	/* segments ACKed at once after start or reordering */
#define KA_INTVL_DEFAULT (75ull * NS_PER_S)
#define KA_COUNT_DEFAULT 9u
#define PAWS_IDLE_NS (24ull * 24 * 3600 * NS_PER_S)	/* RFC 7323 5.5: 24 days */
#define CUBIC_C 0.4		/* RFC 9438 4.1 */
#define CUBIC_BETA 0.7
#define CWND_MAX (1u << 30)

struct ring {
	uint8_t *buf;
	uint32_t cap;
	uint32_t head;		/* first byte */
	uint32_t len;		/* bytes stored from head */
};

struct seq_range {
	uint32_t start;
	uint32_t end;
};

struct pk_tcp_conn {
	struct pk_tcp_engine *e;
	struct pk_tcp_config cfg;
	struct pk_tcp_endpoints ep;
	enum pk_tcp_state state;
	uint32_t events;

	/* Send side: the ring holds [sb_seq, sb_seq + sb.len); FIN (if queued)
	 * is at sb_seq + sb.len, which stays fixed once queued. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t sb_seq;
	struct ring sb;
	bool fin_queued, fin_acked, syn_acked;
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok, ts_ok, sack_ok;
	bool peer_ws, peer_ts, peer_sack;	/* options the peer's SYN carried */
	uint16_t peer_mss;
	uint32_t mss_base;			/* min(ours, peer's MSS option) */
	uint32_t tso_max;			/* pk_tcp_conn_set_tso(); 0: off */

	/* Congestion control: RFC 5681 + RFC 6582 NewReno + RFC 3042, or
	 * RFC 6675 SACK recovery (sack_rec) when SACK was negotiated. */
	uint32_t cwnd, ssthresh, recover, dupacks;
	bool in_recovery, fast_rtx, probe, sack_rec;

	/* Sender SACK scoreboard: SACKed ranges above SND.UNA, sorted and
	 * disjoint (one spare slot for insertion). HighRxt is kept as the end
	 * of the highest retransmitted byte (exclusive). */
	struct seq_range sacked[SACK_SB + 1];
	uint32_t n_sacked;
	uint32_t high_rxt;
	uint32_t rescue_rxt;		/* RFC 6675 RescueRxt, if rescue_set */
	bool rescue_set;

	/* Undo of the last fast recovery (RFC 3708 detection, Linux-like
	 * response): the state before it, where it started, the end of the
	 * highest byte retransmitted in it and the retransmissions not yet
	 * D-SACKed. Valid from entry until undone, a timeout or the next one. */
	bool undo_valid, undo_dsacked;
	uint32_t undo_marker, undo_high, undo_retrans;
	uint32_t prior_cwnd, prior_ssthresh;
	double prior_wmax;

	/* Reordering degree in segments (Linux tp->reordering): DupThresh,
	 * raised by reordering the SACKs reveal, back to 3 on a timeout.
	 * rtx_mark: end of the highest byte ever sent twice (below it we do
	 * not know which copy arrived). */
	uint32_t reordering;
	uint32_t rtx_mark;

	/* CUBIC (RFC 9438): W_max in bytes, K in seconds, W_est in segments,
	 * epoch start (0: none), fractional cwnd growth in bytes. */
	double cub_wmax, cub_k, cub_west, cub_acc;
	uint64_t cub_epoch;

	/* RFC 6298 */
	uint64_t srtt, rttvar, rto;
	bool have_rtt, rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint32_t retries;

	/* Timers: 0 = not armed. The retransmission timer doubles as the
	 * persist timer when persist is set. */
	uint64_t t_rtx, t_delack, t_tw, t_ka;
	bool persist;
	uint32_t persist_shift;

	/* Keepalive: time of the last acceptable segment, probes sent */
	uint64_t last_rcv;
	uint32_t ka_probes;
	bool ka_send;

	/* Receive side: the ring holds in-order unread data; out-of-order data
	 * sits after it at its offset from RCV.NXT, tracked by ooo[]. */
	uint32_t irs, rcv_nxt, rcv_adv;
	struct ring rb;
	struct seq_range ooo[OOO_RANGES];
	uint32_t n_ooo;
	uint32_t ooo_recent;			/* start of the most recently touched range */
	bool fin_rcvd, ooo_fin;
	uint32_t ooo_fin_seq;
	/* RFC 2883 D-SACK: a duplicate received, reported once, as the first
	 * SACK block of the next ACK */
	bool dsack_pending;
	struct seq_range dsack;

	bool ack_now;
	uint32_t quickack;		/* segments still to be ACKed at once */
	uint32_t unacked_bytes;
	uint32_t ts_recent, ts_offset, last_ack_sent;
	uint64_t ts_recent_time;	/* when TS.Recent was last set */

	bool rst_pending;
	uint32_t rst_seq, rst_ack;
	uint8_t rst_flags;

	/* While in SYN-RECEIVED: on the half-open list of the listener that
	 * created it (NULL otherwise, or once the listener is gone). */
	struct pk_tcp_listener *lsn;
	struct pk_tcp_conn *ho_prev, *ho_next;
};

struct pk_tcp_listener {
	struct pk_tcp_engine *e;
	struct pk_tcp_config cfg;	/* resolved */
	bool ipv6;
	uint8_t addr[16];
	uint16_t port;
	/* FIFO of stateless replies: RSTs and SYN-cookie SYN-ACKs */
	struct {
		struct pk_tcp_endpoints ep;
		uint32_t seq, ack;
		uint16_t win;
		uint8_t flags;
		uint8_t olen;
		uint8_t opts[40];
	} q[LISTENER_REPLYQ];
	uint32_t q_head, q_len;
	/* connections it created that are still in SYN-RECEIVED */
	struct pk_tcp_conn *half_open;
	uint32_t n_half_open;
};

static void halfopen_unlink(struct pk_tcp_conn *c)
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

static void halfopen_link(struct pk_tcp_listener *l, struct pk_tcp_conn *c)
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

/* ---- rings ---- */

static void ring_write_at(struct ring *r, uint32_t off, const uint8_t *p, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = MIN(n, r->cap - pos);

	memcpy(r->buf + pos, p, first);
	memcpy(r->buf, p + first, n - first);
}

static void ring_read_at(const struct ring *r, uint32_t off, uint8_t *p, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = MIN(n, r->cap - pos);

	memcpy(p, r->buf + pos, first);
	memcpy(p + first, r->buf, n - first);
}

static void ring_consume(struct ring *r, uint32_t n)
{
	r->head = (r->head + n) % r->cap;
	r->len -= n;
}

/* ---- helpers ---- */

static void config_resolve(struct pk_tcp_config *c, const struct pk_tcp_config *in)
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

static uint32_t our_mss(const struct pk_tcp_conn *c)
{
	return c->cfg.mtu - (c->ep.ipv6 ? 60u : 40u);
}

/* Payload bytes of a full data segment: MSS minus the timestamp option. */
static uint32_t smss(const struct pk_tcp_conn *c)
{
	return c->mss_base - (c->ts_ok ? 12u : 0u);
}

static uint32_t flight(const struct pk_tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

static void set_state(struct pk_tcp_conn *c, enum pk_tcp_state s)
{
	c->state = s;
	if (s != PK_TCP_SYN_RECEIVED)
		halfopen_unlink(c);
	if (s == PK_TCP_CLOSED) {
		c->events |= PK_TCP_EV_CLOSED;
		c->t_rtx = c->t_delack = c->t_tw = c->t_ka = 0;
	}
}

static void enter_time_wait(struct pk_tcp_conn *c, uint64_t now)
{
	set_state(c, PK_TCP_TIME_WAIT);
	c->t_rtx = c->t_delack = c->t_ka = 0;
	c->t_tw = now + c->cfg.time_wait_ns;
}

static void challenge_ack(struct pk_tcp_conn *c, uint64_t now)
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

static void queue_rst(struct pk_tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t flags)
{
	c->rst_pending = true;
	c->rst_seq = seq;
	c->rst_ack = ack;
	c->rst_flags = flags;
}

static uint32_t ts_now(const struct pk_tcp_conn *c, uint64_t now)
{
	return (uint32_t)(now / NS_PER_MS) + c->ts_offset;
}

static uint32_t initial_window(uint32_t mss)
{
	/* RFC 6928 */
	return MIN(10 * mss, MAX(2 * mss, 14600u));
}

static uint8_t choose_wscale(uint32_t rcvbuf)
{
	uint8_t s = 0;

	while (s < PK_TCP_MAX_WSCALE && (rcvbuf >> s) > MAX_WIN16)
		s++;
	return s;
}

static uint32_t rcv_free(const struct pk_tcp_conn *c)
{
	return c->rb.cap - c->rb.len;
}

/* ---- creation ---- */

static struct pk_tcp_conn *conn_new(struct pk_tcp_engine *e, const struct pk_tcp_config *cfg,
				    const struct pk_tcp_endpoints *ep, uint64_t now)
{
	struct pk_tcp_conn *c = g_try_new0(struct pk_tcp_conn, 1);

	if (!c)
		return NULL;
	c->e = e;
	config_resolve(&c->cfg, cfg);
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
	struct pk_tcp_conn *c = conn_new(e, cfg, ep, now_ns);

	if (c)
		c->state = PK_TCP_SYN_SENT;
	return c;
}

void pk_tcp_conn_free(struct pk_tcp_conn *c)
{
	if (!c)
		return;
	halfopen_unlink(c);
	g_free(c->sb.buf);
	g_free(c->rb.buf);
	g_free(c);
}

/* Negotiate from the options of the peer's SYN (or SYN-ACK). */
static void take_syn_options(struct pk_tcp_conn *c, const struct pk_tcp_opts *o, bool active)
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

static void rtt_sample(struct pk_tcp_conn *c, uint64_t r)
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

/* ---- sender SACK scoreboard (RFC 6675) ---- */

static uint32_t sb_bytes(const struct pk_tcp_conn *c, uint32_t from)
{
	uint32_t n = 0;

	for (uint32_t i = from; i < c->n_sacked; i++)
		n += c->sacked[i].end - c->sacked[i].start;
	return n;
}

/* Forget what SND.UNA has passed. */
static void sb_prune(struct pk_tcp_conn *c)
{
	uint32_t i = 0;

	while (i < c->n_sacked && SEQ_LEQ(c->sacked[i].end, c->snd_una))
		i++;
	memmove(&c->sacked[0], &c->sacked[i], (c->n_sacked - i) * sizeof(c->sacked[0]));
	c->n_sacked -= i;
	if (c->n_sacked && SEQ_LT(c->sacked[0].start, c->snd_una))
		c->sacked[0].start = c->snd_una;
	if (SEQ_LT(c->high_rxt, c->snd_una))
		c->high_rxt = c->snd_una;
}

/* Add [s, e), merging neighbours; with the array full the highest range is
 * dropped (we then merely retransmit data the peer has: safe). */
static void sb_insert(struct pk_tcp_conn *c, uint32_t s, uint32_t e)
{
	uint32_t i = 0, j;

	while (i < c->n_sacked && SEQ_LT(c->sacked[i].end, s))
		i++;
	if (i < c->n_sacked && SEQ_LEQ(c->sacked[i].start, e)) {
		if (SEQ_LT(s, c->sacked[i].start))
			c->sacked[i].start = s;
		if (SEQ_GT(e, c->sacked[i].end))
			c->sacked[i].end = e;
		j = i + 1;
		while (j < c->n_sacked && SEQ_LEQ(c->sacked[j].start, c->sacked[i].end)) {
			if (SEQ_GT(c->sacked[j].end, c->sacked[i].end))
				c->sacked[i].end = c->sacked[j].end;
			j++;
		}
		memmove(&c->sacked[i + 1], &c->sacked[j], (c->n_sacked - j) * sizeof(c->sacked[0]));
		c->n_sacked -= j - (i + 1);
	} else {
		memmove(&c->sacked[i + 1], &c->sacked[i], (c->n_sacked - i) * sizeof(c->sacked[0]));
		c->sacked[i].start = s;
		c->sacked[i].end = e;
		c->n_sacked++;
		if (c->n_sacked > SACK_SB)
			c->n_sacked = SACK_SB;
	}
}

/* First byte of [s, e) no SACKed range covers (e if there is none). */
static uint32_t sb_uncovered(const struct pk_tcp_conn *c, uint32_t s, uint32_t e)
{
	for (uint32_t i = 0; i < c->n_sacked && SEQ_LT(s, e); i++) {
		if (SEQ_LEQ(c->sacked[i].end, s))
			continue;
		if (SEQ_GT(c->sacked[i].start, s))
			break;
		s = c->sacked[i].end;
	}
	return SEQ_LT(s, e) ? s : e;
}

/* The end of the highest byte known to have arrived (forward ACK). */
static uint32_t sb_fack(const struct pk_tcp_conn *c)
{
	return c->n_sacked ? c->sacked[c->n_sacked - 1].end : c->snd_una;
}

/* The byte at @low arrived after everything up to @fack: the path reorders
 * by that many segments. Raise the reordering degree to it (as Linux's
 * tcp_check_sack_reordering(); never lowered but by a timeout). */
static void reorder_seen(struct pk_tcp_conn *c, uint32_t low, uint32_t fack)
{
	uint32_t mss = smss(c), segs;

	if (!SEQ_LT(low, fack) || !mss)
		return;
	segs = MIN((fack - low + mss - 1) / mss, REORDER_MAX);
	if (segs > c->reordering) {
		c->reordering = segs;
		c->e->st.reordering_raised++;
	}
}

/* DupThresh now: the reordering degree, but not above three quarters of
 * the segments in flight (nor below 3): with a small window that many
 * duplicate ACKs may never come (Linux's tcp_time_to_recover() has a
 * similar escape at half). */
static uint32_t dupthresh(const struct pk_tcp_conn *c)
{
	uint32_t part = flight(c) / MAX(smss(c), 1u) * 3 / 4;

	return MIN(c->reordering, MAX(DUPTHRESH, part));
}

static void dsack_input(struct pk_tcp_conn *c, uint32_t l, uint32_t r, uint32_t fack);

/* RFC 2883 section 4 (RFC 3708 2): the first block of an ACK is a D-SACK if
 * it lies at or below the ACK field, or inside the second block. */
static bool is_dsack(const struct pk_tcp_opts *o, uint32_t ack)
{
	uint32_t l = o->sack[0].left, r = o->sack[0].right;

	if (!SEQ_LT(l, r))
		return false;
	return SEQ_LEQ(r, ack) || (o->n_sack > 1 && SEQ_GEQ(l, o->sack[1].left) &&
				   SEQ_LEQ(r, o->sack[1].right));
}

/* Take the SACK blocks of an ACK (SND.UNA already advanced; @ack is its
 * ACK field, @fack the forward ACK before it). A D-SACK block is no SACK
 * information: it goes to dsack_input(). *@low is lowered to the first
 * newly SACKed byte below @fack, if any. Returns the bytes newly SACKed. */
static uint32_t sb_update(struct pk_tcp_conn *c, const struct pk_tcp_opts *o, uint32_t ack,
			  uint32_t fack, uint32_t *low)
{
	uint32_t before = sb_bytes(c, 0), after;

	for (uint32_t i = 0; i < o->n_sack && i < PK_TCP_MAX_SACK; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;

		if (i == 0 && is_dsack(o, ack)) {
			if (SEQ_GT(r, c->snd_max) || SEQ_LT(l, c->iss))
				c->e->st.sack_blocks_ignored++;
			else
				dsack_input(c, l, r, fack);
			continue;
		}

		if (!SEQ_LT(l, r) || SEQ_GT(r, c->snd_max) || SEQ_LEQ(r, c->snd_una)) {
			c->e->st.sack_blocks_ignored++;
			continue;
		}
		if (SEQ_LT(l, c->snd_una))
			l = c->snd_una;
		if (SEQ_LT(l, fack)) {
			uint32_t e = SEQ_LT(r, fack) ? r : fack, u = sb_uncovered(c, l, e);

			if (u != e && SEQ_LT(u, *low))
				*low = u;
		}
		sb_insert(c, l, r);
	}
	after = sb_bytes(c, 0);
	return after > before ? after - before : 0;
}

/* RFC 6675 IsLost() for any byte of the hole just below range @i (i ==
 * n_sacked: above the highest range): nothing above it is SACKed there,
 * so the answer is the same for every byte of a hole. */
static bool hole_lost(const struct pk_tcp_conn *c, uint32_t i)
{
	uint32_t dt = dupthresh(c);

	return c->n_sacked - i >= dt || sb_bytes(c, i) > (dt - 1) * smss(c);
}

/* RFC 6675 SetPipe(), computed per hole: unSACKed bytes not deemed lost,
 * plus those retransmitted (below HighRxt). */
static uint32_t sack_pipe(const struct pk_tcp_conn *c)
{
	uint32_t pipe = 0, s = c->snd_una;

	for (uint32_t i = 0; i <= c->n_sacked; i++) {
		uint32_t e = i < c->n_sacked ? c->sacked[i].start : c->snd_max;

		if (SEQ_LT(s, e)) {
			if (!hole_lost(c, i))
				pipe += e - s;
			if (SEQ_GT(c->high_rxt, s))
				pipe += (SEQ_LT(c->high_rxt, e) ? c->high_rxt : e) - s;
		}
		if (i < c->n_sacked)
			s = c->sacked[i].end;
	}
	return pipe;
}

/* RFC 6675 NextSeg() rules 1 (@lost_only) and 3: the first unSACKed byte at
 * or above HighRxt (1.a) and below the highest SACKed byte (1.b), lost for
 * rule 1, and the length of its hole. Bytes above the highest SACKed one
 * are never chosen here (only rule 4 may send one segment of them). */
static uint32_t sack_next(const struct pk_tcp_conn *c, bool lost_only, uint32_t *seq)
{
	uint32_t s = c->snd_una;

	for (uint32_t i = 0; i < c->n_sacked; i++) {
		uint32_t e = c->sacked[i].start;
		uint32_t lo = SEQ_GT(c->high_rxt, s) ? c->high_rxt : s;

		if (SEQ_LT(lo, e) && (!lost_only || hole_lost(c, i))) {
			*seq = lo;
			return e - lo;
		}
		s = c->sacked[i].end;
	}
	return 0;
}

/* RFC 6675 NextSeg() rule 4, the rescue retransmission: once per recovery
 * (HighACK > RescueRxt, or none yet), one segment of up to @seg bytes that
 * ends at the highest unSACKed sequence number (the end of the highest
 * hole: usually the tail above every SACK block, where a loss would
 * otherwise wait for the RTO). Returns its length, 0 if not allowed. */
static uint32_t sack_rescue(const struct pk_tcp_conn *c, uint32_t seg, uint32_t *seq)
{
	uint32_t n = c->n_sacked, s, e;

	if (c->rescue_set && SEQ_LEQ(c->snd_una, c->rescue_rxt))
		return 0;
	if (!n) {
		s = c->snd_una;
		e = c->snd_max;
	} else if (SEQ_LT(c->sacked[n - 1].end, c->snd_max)) {
		s = c->sacked[n - 1].end;
		e = c->snd_max;
	} else {
		s = n > 1 ? c->sacked[n - 2].end : c->snd_una;
		e = c->sacked[n - 1].start;
	}
	if (!SEQ_LT(s, e) || !seg)
		return 0;
	*seq = e - s > seg ? e - seg : s;
	return e - *seq;
}

static void sb_clear(struct pk_tcp_conn *c)
{
	c->n_sacked = 0;
	c->sack_rec = false;
	c->high_rxt = c->snd_una;
}

/* ---- congestion control: NewReno (RFC 5681) or CUBIC (RFC 9438) ---- */

/* Cube root of x >= 0 by Newton's method from above: +, *, / only, so
 * the result is the same on every IEEE 754 machine. */
static double cbrt_pos(double x)
{
	double y, ny;

	if (x <= 0)
		return 0;
	y = x > 1 ? x : 1;	/* >= cbrt(x): the iteration decreases to it */
	for (int i = 0; i < 200; i++) {
		ny = (2 * y + x / (y * y)) / 3;
		if (ny >= y)
			break;
		y = ny;
	}
	return y;
}

/* A congestion event (fast retransmit or timeout): set ssthresh. */
static void cc_loss(struct pk_tcp_conn *c)
{
	uint32_t mss = smss(c);

	if (c->cfg.cc == PK_TCP_CC_NEWRENO) {
		c->ssthresh = MAX(flight(c) / 2, 2 * mss);	/* RFC 5681 (4) */
		return;
	}
	/* RFC 9438 4.6 and 4.7; the base is cwnd, or the flight size when
	 * that is smaller (an application-limited cwnd says nothing) */
	{
		double prior = (double)MIN(c->cwnd, MAX(flight(c), mss));

		if (prior < c->cub_wmax)	/* fast convergence */
			c->cub_wmax = prior * (1 + CUBIC_BETA) / 2;
		else
			c->cub_wmax = prior;
		c->ssthresh = MAX((uint32_t)(prior * CUBIC_BETA), 2 * mss);
		c->cub_epoch = 0;
		c->cub_acc = 0;
	}
}

/* CUBIC congestion avoidance for @acked new bytes (RFC 9438 4.2 - 4.5). */
static void cubic_avoid(struct pk_tcp_conn *c, uint32_t acked, uint64_t now)
{
	double mss = smss(c), cw = c->cwnd / mss, wmax, t, rtt, target, wcub, alpha, inc;

	if (!c->cub_epoch) {
		c->cub_epoch = now ? now : 1;
		if (c->cub_wmax > c->cwnd) {
			c->cub_k = cbrt_pos((c->cub_wmax / mss - cw) / CUBIC_C);
		} else {
			c->cub_k = 0;
			c->cub_wmax = c->cwnd;
		}
		c->cub_west = cw;
		c->cub_acc = 0;
	}
	wmax = c->cub_wmax / mss;
	t = (double)(now - c->cub_epoch) / NS_PER_S;
	rtt = (double)(c->have_rtt ? c->srtt : 0) / NS_PER_S;
	/* W_est, the Reno-friendly estimate (4.3): alpha until W_max, then 1 */
	alpha = c->cub_west >= wmax ? 1.0 : 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
	c->cub_west += alpha * (acked / mss) / cw;
	wcub = CUBIC_C * (t - c->cub_k) * (t - c->cub_k) * (t - c->cub_k) + wmax;
	if (wcub < c->cub_west) {
		/* Reno-friendly region */
		if (c->cub_west > cw)
			c->cwnd = (uint32_t)MIN(c->cub_west * mss, (double)CWND_MAX);
		return;
	}
	t += rtt;
	target = CUBIC_C * (t - c->cub_k) * (t - c->cub_k) * (t - c->cub_k) + wmax;
	if (target < cw)
		target = cw;
	if (target > 1.5 * cw)
		target = 1.5 * cw;
	/* (target - cwnd) / cwnd segments per acknowledged segment */
	inc = (target - cw) / cw * acked + c->cub_acc;
	if (inc >= 1) {
		uint32_t n = (uint32_t)inc;

		c->cub_acc = inc - n;
		c->cwnd = MIN(c->cwnd + n, CWND_MAX);
	} else {
		c->cub_acc = inc;
	}
}

/* Growth for @acked new bytes outside loss recovery. */
static void cc_ack(struct pk_tcp_conn *c, uint32_t acked, uint64_t now)
{
	uint32_t mss = smss(c);

	if (c->cwnd < c->ssthresh)
		c->cwnd += MIN(acked, 2 * mss);	/* slow start, RFC 3465 L = 2 */
	else if (c->cfg.cc == PK_TCP_CC_NEWRENO)
		c->cwnd += MAX(1u, (uint32_t)((uint64_t)mss * mss / c->cwnd));
	else
		cubic_avoid(c, acked, now);
	c->cwnd = MIN(c->cwnd, CWND_MAX);
}

/* Fast retransmit: enter RFC 6675 (SACK) or RFC 6582 (NewReno) recovery. */
static void enter_recovery(struct pk_tcp_conn *c)
{
	uint32_t mss = smss(c);

	/* remember what the reduction changes, for an undo (SACK only: the
	 * evidence is D-SACK) */
	c->undo_valid = c->sack_ok;
	c->undo_dsacked = false;
	c->undo_marker = c->undo_high = c->snd_una;
	c->undo_retrans = 0;
	c->prior_cwnd = c->cwnd;
	c->prior_ssthresh = c->ssthresh;
	c->prior_wmax = c->cub_wmax;
	cc_loss(c);
	c->recover = c->snd_max;
	c->in_recovery = true;
	c->fast_rtx = true;		/* SND.UNA goes first (RFC 6675 5 (4.3)) */
	c->rtt_timing = false;
	c->e->st.fast_retransmits++;
	c->e->st.retransmits++;
	if (c->sack_ok) {
		c->sack_rec = true;
		c->high_rxt = c->snd_una;
		c->cwnd = c->ssthresh;
		c->e->st.sack_recoveries++;
	} else {
		c->cwnd = c->ssthresh + 3 * mss;
	}
}

/* Every retransmission of the last fast recovery was D-SACKed: the loss was
 * reordering, so take back the reduction (the window does not shrink, the
 * CUBIC epoch restarts from the restored W_max). Once per episode. */
static void cc_undo(struct pk_tcp_conn *c)
{
	c->undo_valid = false;
	c->cwnd = MAX(c->cwnd, c->prior_cwnd);
	c->ssthresh = MAX(c->ssthresh, c->prior_ssthresh);
	if (c->cfg.cc == PK_TCP_CC_CUBIC) {
		c->cub_wmax = c->prior_wmax;
		c->cub_epoch = 0;
		c->cub_acc = 0;
	}
	c->e->st.dsack_undos++;
}

/* A D-SACK block [l, r) arrived: the peer received those bytes twice. If
 * they lie within what the last recovery retransmitted, one retransmission
 * (per segment) was spurious (RFC 3708 section 3): the original arrived
 * late, after the data up to @fack (the forward ACK before this ACK), and
 * the reordering degree rises to that distance. */
static void dsack_input(struct pk_tcp_conn *c, uint32_t l, uint32_t r, uint32_t fack)
{
	uint32_t mss = smss(c), segs;

	c->e->st.dsack_received++;
	if (!c->undo_valid || SEQ_LT(l, c->undo_marker) || SEQ_GT(r, c->undo_high))
		return;
	reorder_seen(c, l, fack);
	if (!c->undo_retrans)
		return;
	segs = MAX(1u, (r - l + mss - 1) / mss);
	c->undo_retrans -= MIN(segs, c->undo_retrans);
	c->undo_dsacked = true;
	/* during recovery the holes still drive it: undo at its end */
	if (!c->undo_retrans && !c->in_recovery)
		cc_undo(c);
}

/* ---- receive side ---- */

/* ACK the next segments at once: at the start, and after reordering so
 * that the sender's loss recovery gets its information without delay. */
static void quickack_enter(struct pk_tcp_conn *c)
{
	c->quickack = MIN(QUICKACK_MAX, MAX(2u, c->rb.cap / (2 * c->mss_base)));
}

/* Report [s, e), data received twice, in the first SACK block of the next
 * ACK (RFC 2883 section 4); that ACK goes out at once. One block only: a
 * second duplicate extends it if the two touch, else the first is kept. */
static void dsack_note(struct pk_tcp_conn *c, uint32_t s, uint32_t e)
{
	if (!c->sack_ok || !SEQ_LT(s, e))
		return;
	c->ack_now = true;
	if (c->dsack_pending) {
		if (SEQ_GT(s, c->dsack.end) || SEQ_LT(e, c->dsack.start))
			return;
		if (SEQ_LT(c->dsack.start, s))
			s = c->dsack.start;
		if (SEQ_GT(c->dsack.end, e))
			e = c->dsack.end;
	}
	c->dsack_pending = true;
	c->dsack.start = s;
	c->dsack.end = e;
}

/* [s, e), about to be stored above RCV.NXT: report the part that duplicates
 * the first out-of-order range it overlaps (a D-SACK block is contiguous). */
static void dsack_ooo(struct pk_tcp_conn *c, uint32_t s, uint32_t e)
{
	for (uint32_t i = 0; i < c->n_ooo; i++) {
		uint32_t lo = SEQ_GT(s, c->ooo[i].start) ? s : c->ooo[i].start;
		uint32_t hi = SEQ_LT(e, c->ooo[i].end) ? e : c->ooo[i].end;

		if (SEQ_LT(lo, hi)) {
			dsack_note(c, lo, hi);
			return;
		}
	}
}

/* Insert [s, e) into the out-of-order list, merging neighbours. */
static bool ooo_insert(struct pk_tcp_conn *c, uint32_t s, uint32_t e)
{
	uint32_t i = 0, j;

	while (i < c->n_ooo && SEQ_LT(c->ooo[i].end, s))
		i++;
	/* ranges i.. may overlap or follow */
	if (i < c->n_ooo && SEQ_LEQ(c->ooo[i].start, e)) {
		if (SEQ_LT(s, c->ooo[i].start))
			c->ooo[i].start = s;
		if (SEQ_GT(e, c->ooo[i].end))
			c->ooo[i].end = e;
		j = i + 1;
		while (j < c->n_ooo && SEQ_LEQ(c->ooo[j].start, c->ooo[i].end)) {
			if (SEQ_GT(c->ooo[j].end, c->ooo[i].end))
				c->ooo[i].end = c->ooo[j].end;
			j++;
		}
		memmove(&c->ooo[i + 1], &c->ooo[j], (c->n_ooo - j) * sizeof(c->ooo[0]));
		c->n_ooo -= j - (i + 1);
	} else {
		if (c->n_ooo == OOO_RANGES)
			return false;
		memmove(&c->ooo[i + 1], &c->ooo[i], (c->n_ooo - i) * sizeof(c->ooo[0]));
		c->ooo[i].start = s;
		c->ooo[i].end = e;
		c->n_ooo++;
	}
	c->ooo_recent = c->ooo[i].start;
	return true;
}

static void deliver_fin(struct pk_tcp_conn *c, uint64_t now)
{
	c->rcv_nxt++;
	c->fin_rcvd = true;
	c->ooo_fin = false;
	c->ack_now = true;
	c->events |= PK_TCP_EV_PEER_CLOSED;
	switch (c->state) {
	case PK_TCP_SYN_RECEIVED:
	case PK_TCP_ESTABLISHED:
		set_state(c, PK_TCP_CLOSE_WAIT);
		break;
	case PK_TCP_FIN_WAIT_1:
		if (c->fin_acked)
			enter_time_wait(c, now);
		else
			set_state(c, PK_TCP_CLOSING);
		break;
	case PK_TCP_FIN_WAIT_2:
		enter_time_wait(c, now);
		break;
	default:
		break;
	}
}

/* Data of an acceptable segment, already trimmed to start at or after RCV.NXT. */
static void receive_data(struct pk_tcp_conn *c, uint32_t seq, const uint8_t *p, uint32_t len,
			 bool fin, uint64_t now)
{
	uint32_t off = seq - c->rcv_nxt;
	uint32_t room = rcv_free(c);

	if (len) {
		uint32_t limit = off ? MIN(room, c->cfg.ooo_max) : room;

		if (off >= limit) {
			c->e->st.dropped++;
			c->ack_now = true;
			return;
		}
		if (len > limit - off) {
			len = limit - off;
			fin = false;
		}
		dsack_ooo(c, seq, seq + len);
		if (off == 0) {
			uint32_t adv = len;

			ring_write_at(&c->rb, c->rb.len, p, len);
			c->rcv_nxt += len;
			/* absorb out-of-order ranges now contiguous */
			while (c->n_ooo && SEQ_LEQ(c->ooo[0].start, c->rcv_nxt)) {
				if (SEQ_GT(c->ooo[0].end, c->rcv_nxt)) {
					adv += c->ooo[0].end - c->rcv_nxt;
					c->rcv_nxt = c->ooo[0].end;
				}
				memmove(&c->ooo[0], &c->ooo[1], (c->n_ooo - 1) * sizeof(c->ooo[0]));
				c->n_ooo--;
				c->ack_now = true;	/* filled a hole: ACK at once */
				quickack_enter(c);
			}
			c->rb.len += adv;
			c->events |= PK_TCP_EV_READABLE;
			c->unacked_bytes += len;
			if (c->quickack) {
				c->quickack--;
				c->ack_now = true;
			} else if (c->unacked_bytes >= 2 * smss(c)) {
				c->ack_now = true;
			}
			else if (!c->t_delack)
				c->t_delack = now + c->cfg.delack_ns;
		} else {
			if (!ooo_insert(c, seq, seq + len)) {
				c->e->st.ooo_dropped++;
				c->e->st.dropped++;
				c->ack_now = true;
				return;
			}
			ring_write_at(&c->rb, c->rb.len + off, p, len);
			c->ack_now = true;	/* out of order: duplicate ACK at once */
			quickack_enter(c);
			if (fin) {
				c->ooo_fin = true;
				c->ooo_fin_seq = seq + len;
			}
			return;
		}
	} else if (off != 0) {
		if (fin) {	/* a bare FIN beyond a hole */
			c->ooo_fin = true;
			c->ooo_fin_seq = seq;
		}
		c->ack_now = true;
		return;
	}
	if (fin && seq + len == c->rcv_nxt)
		deliver_fin(c, now);
	else if (c->ooo_fin && c->ooo_fin_seq == c->rcv_nxt)
		deliver_fin(c, now);
}

/* ---- send side: ACK processing ---- */

static void established(struct pk_tcp_conn *c)
{
	/* RFC 6298 5.7: without an RTT sample (Karn: the SYN or SYN-ACK was
	 * retransmitted and no timestamps), do not carry the handshake's
	 * backoff into data transfer: 3 s after a timed-out handshake, else
	 * the initial RTO. */
	if (!c->srtt) {
		uint64_t fallback = c->rto > c->cfg.rto_initial_ns ? 3 * NS_PER_S : 0;

		c->rto = CLAMP(MAX(c->cfg.rto_initial_ns, fallback), c->cfg.rto_min_ns,
			       c->cfg.rto_max_ns);
	}
	quickack_enter(c);
	c->events |= PK_TCP_EV_ESTABLISHED | PK_TCP_EV_WRITABLE;
	set_state(c, c->fin_queued ? PK_TCP_FIN_WAIT_1 : PK_TCP_ESTABLISHED);
}

static void ack_advanced(struct pk_tcp_conn *c, uint32_t ack, const struct pk_tcp_opts *o,
			 uint64_t now)
{
	uint32_t acked = ack - c->snd_una;
	uint32_t mss = smss(c);
	/* Congestion window validation (RFC 7661, simplified as Linux does): the
	 * window grows only while the sender used at least half of it, so an
	 * application- or receiver-limited connection does not build up a
	 * window it never tested. */
	bool cwnd_limited = 2 * (uint64_t)(c->snd_max - c->snd_una) >= c->cwnd;

	/* RTT sample: timestamps if present, else the timed segment (Karn: it
	 * is untimed once anything was retransmitted). */
	if (c->ts_ok && (o->present & PK_TCP_HAS_TIMESTAMP) && o->ts_ecr) {
		uint32_t d = ts_now(c, now) - o->ts_ecr;

		if (d < 60000)
			rtt_sample(c, (uint64_t)d * NS_PER_MS);
	} else if (c->rtt_timing && SEQ_GT(ack, c->rtt_seq)) {
		rtt_sample(c, now - c->rtt_start);
		c->rtt_timing = false;
	}
	if (c->rtt_timing && SEQ_GT(ack, c->rtt_seq))
		c->rtt_timing = false;

	if (!c->syn_acked && SEQ_GT(ack, c->iss)) {
		c->syn_acked = true;
		acked--;	/* the SYN does not grow cwnd */
	}
	if (SEQ_GT(ack, c->sb_seq)) {
		uint32_t n = MIN(ack - c->sb_seq, c->sb.len);

		ring_consume(&c->sb, n);
		c->sb_seq += n;
		if (n)
			c->events |= PK_TCP_EV_WRITABLE;
	}
	if (c->fin_queued && SEQ_GT(ack, c->sb_seq + c->sb.len))
		c->fin_acked = true;
	c->snd_una = ack;
	if (SEQ_LT(c->snd_nxt, c->snd_una))
		c->snd_nxt = c->snd_una;
	c->retries = 0;
	sb_prune(c);

	/* Congestion control */
	if (c->in_recovery) {
		if (SEQ_GEQ(ack, c->recover)) {
			/* full ACK (RFC 6582 3.2 step 3; RFC 6675: cwnd is ssthresh) */
			if (c->sack_rec)
				c->cwnd = c->ssthresh;
			else
				c->cwnd = MIN(c->ssthresh, MAX(flight(c), mss) + mss);
			c->in_recovery = false;
			c->sack_rec = false;
			if (c->undo_valid && c->undo_dsacked && !c->undo_retrans)
				cc_undo(c);
		} else if (!c->sack_rec) {
			/* partial ACK: retransmit the next hole, deflate */
			c->fast_rtx = true;
			c->e->st.retransmits++;
			c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
			c->cwnd += mss;
		}
		/* SACK recovery: NextSeg() picks the holes, cwnd stays */
	} else if (cwnd_limited) {
		cc_ack(c, acked, now);
	}
	c->dupacks = 0;

	/* Retransmission timer (RFC 6298 5.2, 5.3) */
	if (c->snd_una == c->snd_max)
		c->t_rtx = 0;
	else
		c->t_rtx = now + c->rto;
	c->persist = false;
}

/* Whether a new recovery may start: RFC 6582 3.2 step 2 (beyond the last
 * recovery point), RFC 6675 5.1 (at or beyond it). */
static bool recovery_allowed(const struct pk_tcp_conn *c)
{
	return c->sack_ok ? SEQ_GEQ(c->snd_una, c->recover) : SEQ_GT(c->snd_una, c->recover);
}

static void dup_ack(struct pk_tcp_conn *c)
{
	c->dupacks++;
	if (c->in_recovery) {
		if (!c->sack_rec)
			c->cwnd += smss(c);	/* NewReno inflation */
	} else if (c->dupacks >= dupthresh(c) && recovery_allowed(c)) {
		enter_recovery(c);
	}
}

/* Returns false if the segment must be dropped. */
static bool process_ack(struct pk_tcp_conn *c, const struct pk_tcp_view *t,
			const struct pk_tcp_opts *o, uint64_t now)
{
	uint32_t ack = t->ack;
	uint32_t wnd = (uint32_t)t->window << c->snd_wscale;

	if (SEQ_GT(ack, c->snd_max) && c->state == PK_TCP_SYN_RECEIVED) {
		queue_rst(c, ack, 0, PK_TCP_RST);
		c->e->st.dropped++;
		return false;
	}
	if (SEQ_GT(ack, c->snd_max)) {
		/* acks something not yet sent */
		c->ack_now = true;
		c->e->st.dropped++;
		return false;
	}
	if (SEQ_LT(ack, c->snd_una - MAX(c->max_snd_wnd, 1u))) {
		/* RFC 5961 section 5: too old */
		challenge_ack(c, now);
		c->e->st.dropped++;
		return false;
	}
	if (c->state == PK_TCP_SYN_RECEIVED) {
		if (SEQ_LEQ(ack, c->snd_una)) {
			queue_rst(c, ack, 0, PK_TCP_RST);
			c->e->st.dropped++;
			return false;
		}
		c->snd_wnd = wnd;
		c->max_snd_wnd = MAX(c->max_snd_wnd, wnd);
		c->snd_wl1 = t->seq;
		c->snd_wl2 = ack;
		established(c);
	}
	{
		/* RFC 5681 duplicate ACK; with SACK (RFC 6675 2) one that SACKs
		 * new data, or a classic one that carries no SACK option */
		bool classic = ack == c->snd_una && t->payload_len == 0 &&
			       !(t->flags & (PK_TCP_SYN | PK_TCP_FIN)) && wnd == c->snd_wnd &&
			       c->snd_max != c->snd_una &&
			       /* the answers to zero-window probes repeat the
				* same ACK and window: not a loss signal */
			       wnd != 0 && !c->persist;
		bool advanced = SEQ_GT(ack, c->snd_una);
		uint32_t newly = 0, fack = sb_fack(c), low = fack;

		/* Reordering: bytes below the forward ACK that arrive now, by
		 * this ACK or a SACK block, and were never sent twice */
		if (advanced && c->n_sacked)
			low = sb_uncovered(c, c->snd_una, SEQ_LT(ack, fack) ? ack : fack);
		if (advanced)
			ack_advanced(c, ack, o, now);
		if (c->sack_ok && (o->present & PK_TCP_HAS_SACK) && o->n_sack)
			newly = sb_update(c, o, ack, fack, &low);
		if (SEQ_LT(low, fack) && SEQ_GEQ(low, c->rtx_mark))
			reorder_seen(c, low, fack);
		if (!advanced && c->snd_max != c->snd_una &&
		    (c->sack_ok && (o->present & PK_TCP_HAS_SACK) ? newly > 0 : classic))
			dup_ack(c);
		/* RFC 6675 5 (4 b): IsLost(HighACK + 1) also starts recovery */
		if (c->sack_ok && !c->in_recovery && c->n_sacked && c->snd_max != c->snd_una &&
		    recovery_allowed(c) && hole_lost(c, 0))
			enter_recovery(c);
	}
	/* window update (RFC 9293 3.10.7.4) */
	if (SEQ_LT(c->snd_wl1, t->seq) || (c->snd_wl1 == t->seq && SEQ_LEQ(c->snd_wl2, ack))) {
		c->snd_wnd = wnd;
		c->max_snd_wnd = MAX(c->max_snd_wnd, wnd);
		c->snd_wl1 = t->seq;
		c->snd_wl2 = ack;
		if (wnd && c->persist) {
			c->persist = false;
			c->t_rtx = 0;
		}
		if (wnd)
			c->persist_shift = 0;
	}

	switch (c->state) {
	case PK_TCP_FIN_WAIT_1:
		if (c->fin_acked)
			set_state(c, PK_TCP_FIN_WAIT_2);
		break;
	case PK_TCP_CLOSING:
		if (c->fin_acked)
			enter_time_wait(c, now);
		break;
	case PK_TCP_LAST_ACK:
		if (c->fin_acked) {
			set_state(c, PK_TCP_CLOSED);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

/* ---- keepalive (RFC 9293 3.8.4) ---- */

static bool ka_state(const struct pk_tcp_conn *c)
{
	return c->state == PK_TCP_ESTABLISHED || c->state == PK_TCP_CLOSE_WAIT;
}

/* Something acceptable arrived: the peer is alive. */
static void ka_touch(struct pk_tcp_conn *c, uint64_t now)
{
	c->last_rcv = now;
	c->ka_probes = 0;
	c->t_ka = c->cfg.keepalive_idle_ns && ka_state(c) ? now + c->cfg.keepalive_idle_ns : 0;
}

static void ka_timeout(struct pk_tcp_conn *c, uint64_t now)
{
	c->t_ka = 0;
	if (!c->cfg.keepalive_idle_ns || !ka_state(c))
		return;
	if (c->snd_una != c->snd_max || c->sb.len) {
		/* data in flight or waiting: retransmission or persist timer */
		c->ka_probes = 0;
		c->t_ka = now + c->cfg.keepalive_idle_ns;
		return;
	}
	if (c->ka_probes >= c->cfg.keepalive_count) {
		c->e->st.keepalive_timeouts++;
		queue_rst(c, c->snd_max, 0, PK_TCP_RST);
		c->events |= PK_TCP_EV_TIMEOUT;
		set_state(c, PK_TCP_CLOSED);
		return;
	}
	c->ka_probes++;
	c->ka_send = true;
	c->e->st.keepalive_probes++;
	c->t_ka = now + c->cfg.keepalive_intvl_ns;
}

/* ---- input ---- */

static void input_syn_sent(struct pk_tcp_conn *c, const struct pk_tcp_view *t,
			   const struct pk_tcp_opts *o, uint64_t now)
{
	bool ack_ok = false;

	if (t->flags & PK_TCP_ACK) {
		if (SEQ_LEQ(t->ack, c->iss) || SEQ_GT(t->ack, c->snd_max)) {
			if (!(t->flags & PK_TCP_RST))
				queue_rst(c, t->ack, 0, PK_TCP_RST);
			c->e->st.dropped++;
			return;
		}
		ack_ok = true;
	}
	if (t->flags & PK_TCP_RST) {
		if (ack_ok) {
			c->e->st.rst_accepted++;
			c->events |= PK_TCP_EV_RESET;
			set_state(c, PK_TCP_CLOSED);
		} else {
			c->e->st.rst_ignored++;
			c->e->st.dropped++;
		}
		return;
	}
	if (!(t->flags & PK_TCP_SYN)) {
		c->e->st.dropped++;
		return;
	}
	c->irs = t->seq;
	c->rcv_nxt = t->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	take_syn_options(c, o, true);
	c->ts_recent_time = now;
	c->snd_wnd = t->window;	/* never scaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = t->seq;
	c->snd_wl2 = t->ack;
	c->ack_now = true;
	if (ack_ok) {
		c->events |= PK_TCP_EV_ESTABLISHED;
		ack_advanced(c, t->ack, o, now);
		established(c);
		ka_touch(c, now);
	} else {
		/* simultaneous open: SYN-ACK with the same ISN */
		set_state(c, PK_TCP_SYN_RECEIVED);
		c->snd_nxt = c->iss;
		c->t_rtx = 0;
		c->rtt_timing = false;
	}
	if (t->payload_len && c->state != PK_TCP_SYN_RECEIVED)
		receive_data(c, c->rcv_nxt, t->payload, t->payload_len, t->flags & PK_TCP_FIN, now);
	else if ((t->flags & PK_TCP_FIN) && c->state != PK_TCP_SYN_RECEIVED)
		deliver_fin(c, now);
}

/*
 * A segment that failed PAWS but may be taken all the same, as Linux does
 * (tcp_disordered_ack()): a pure ACK (no data, SYN, FIN or RST) at RCV.NXT
 * that is a duplicate ACK of SND.UNA, with exactly the window we have and
 * from no later window update, and whose TSval is behind TS.Recent by at
 * most one RTO (taking the peer's clock as 1 ms per tick, as Linux's is).
 * Such an ACK was only overtaken by a later one (ACKs of a delayed-ACK
 * pair, reordered on the path); it moves nothing, and it cannot change
 * data, the window or TS.Recent (not updated from it), but its SACK blocks
 * and its duplicate-ACK count are worth having during loss recovery. Data,
 * SYNs, FINs and RSTs keep the full PAWS and RFC 5961 checks.
 */
static bool paws_disordered_ack(const struct pk_tcp_conn *c, const struct pk_tcp_view *t,
				const struct pk_tcp_opts *o)
{
	uint32_t wnd = (uint32_t)t->window << c->snd_wscale;
	uint64_t rto_ms = c->rto / NS_PER_MS;

	return (t->flags & (PK_TCP_ACK | PK_TCP_SYN | PK_TCP_FIN | PK_TCP_RST)) == PK_TCP_ACK &&
	       !t->payload_len && t->seq == c->rcv_nxt && t->ack == c->snd_una &&
	       wnd == c->snd_wnd && SEQ_LEQ(t->seq, c->snd_wl1) &&
	       (uint64_t)(c->ts_recent - o->ts_val) <= rto_ms;
}

static void conn_input(struct pk_tcp_conn *c, const struct pk_tcp_view *t,
		       const struct pk_tcp_opts *op, uint64_t now)
{
	const struct pk_tcp_opts o = *op;
	uint32_t seq = t->seq, len = t->payload_len, seglen, wnd;
	const uint8_t *data = t->payload;
	bool fin = (t->flags & PK_TCP_FIN) != 0;
	bool acceptable, ts_old = false;

	switch (c->state) {
	case PK_TCP_CLOSED:
	case PK_TCP_LISTEN:
		c->e->st.dropped++;
		return;
	case PK_TCP_SYN_SENT:
		input_syn_sent(c, t, &o, now);
		return;
	default:
		break;
	}
	if (c->state == PK_TCP_TIME_WAIT && fin)
		c->t_tw = now + c->cfg.time_wait_ns;

	/* PAWS (RFC 7323 section 5); TS.Recent is void after 24 days idle (5.5);
	 * a pure duplicate ACK only overtaken by a later one passes */
	if (c->ts_ok && (o.present & PK_TCP_HAS_TIMESTAMP) && !(t->flags & PK_TCP_RST) &&
	    (int32_t)(o.ts_val - c->ts_recent) < 0) {
		if (now - c->ts_recent_time <= PAWS_IDLE_NS && paws_disordered_ack(c, t, &o)) {
			c->e->st.paws_acks_accepted++;
			ts_old = true;
		} else if (now - c->ts_recent_time <= PAWS_IDLE_NS) {
			/* as Linux: an old duplicate is D-SACKed even so */
			if (len && SEQ_LT(seq, c->rcv_nxt))
				dsack_note(c, seq, SEQ_LT(seq + len, c->rcv_nxt) ? seq + len : c->rcv_nxt);
			c->e->st.paws_dropped++;
			c->e->st.dropped++;
			c->ack_now = true;
			return;
		}
		c->e->st.paws_idle_expired++;
	}

	/* Acceptability (RFC 9293 3.10.7.4, first check) */
	seglen = len + ((t->flags & PK_TCP_SYN) ? 1 : 0) + (fin ? 1 : 0);
	wnd = rcv_free(c);
	if (seglen == 0)
		acceptable = wnd == 0 ? seq == c->rcv_nxt
				      : SEQ_LEQ(c->rcv_nxt, seq) && SEQ_LT(seq, c->rcv_nxt + wnd);
	else
		acceptable = wnd != 0 &&
			     ((SEQ_LEQ(c->rcv_nxt, seq) && SEQ_LT(seq, c->rcv_nxt + wnd)) ||
			      (SEQ_LEQ(c->rcv_nxt, seq + seglen - 1) &&
			       SEQ_LT(seq + seglen - 1, c->rcv_nxt + wnd)));
	if (!acceptable) {
		if (t->flags & PK_TCP_RST) {
			c->e->st.rst_ignored++;
		} else {
			/* an old duplicate (RFC 2883 4.1.1): D-SACK its old part */
			if (len && SEQ_LT(seq, c->rcv_nxt))
				dsack_note(c, seq, SEQ_LT(seq + len, c->rcv_nxt) ? seq + len : c->rcv_nxt);
			c->ack_now = true;
			if (c->state == PK_TCP_TIME_WAIT)
				c->t_tw = now + c->cfg.time_wait_ns;
		}
		c->e->st.dropped++;
		return;
	}

	ka_touch(c, now);

	/* RST (RFC 5961 section 3) */
	if (t->flags & PK_TCP_RST) {
		if (seq == c->rcv_nxt) {
			c->e->st.rst_accepted++;
			if (c->state != PK_TCP_TIME_WAIT && c->state != PK_TCP_CLOSING &&
			    c->state != PK_TCP_LAST_ACK)
				c->events |= PK_TCP_EV_RESET;
			set_state(c, PK_TCP_CLOSED);
		} else {
			c->e->st.rst_ignored++;
			challenge_ack(c, now);
		}
		return;
	}
	/* SYN in a synchronized state (RFC 5961 section 4) */
	if (t->flags & PK_TCP_SYN) {
		c->e->st.syn_in_sync++;
		c->e->st.dropped++;
		challenge_ack(c, now);
		return;
	}
	if (!(t->flags & PK_TCP_ACK)) {
		c->e->st.dropped++;
		return;
	}

	/* timestamps: remember TSval (RFC 7323 section 4.3) */
	if (c->ts_ok && (o.present & PK_TCP_HAS_TIMESTAMP) && SEQ_LEQ(seq, c->last_ack_sent) &&
	    !ts_old) {
		c->ts_recent = o.ts_val;
		c->ts_recent_time = now;
	}

	if (!process_ack(c, t, &o, now))
		return;

	/* Trim to the window: old bytes at the front, bytes beyond at the end. */
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t d = c->rcv_nxt - seq;

		/* the bytes already received: D-SACK (RFC 2883 4.1.1) */
		if (len && c->state != PK_TCP_TIME_WAIT)
			dsack_note(c, seq, d >= len ? seq + len : c->rcv_nxt);
		if (d >= len) {
			/* a duplicate (keep a FIN that is exactly at rcv_nxt) */
			if (!(fin && seq + len == c->rcv_nxt)) {
				if (len || fin)
					c->ack_now = true;
				return;
			}
			d = len;
		}
		data += d;
		len -= d;
		seq += d;
	}
	if (len > wnd - (seq - c->rcv_nxt)) {
		len = wnd - (seq - c->rcv_nxt);
		fin = false;
	}
	switch (c->state) {
	case PK_TCP_ESTABLISHED:
	case PK_TCP_FIN_WAIT_1:
	case PK_TCP_FIN_WAIT_2:
		if (len || fin)
			receive_data(c, seq, data, len, fin, now);
		break;
	case PK_TCP_TIME_WAIT:
		if (fin)
			c->ack_now = true;
		break;
	default:
		/* CLOSE-WAIT, CLOSING, LAST-ACK: the peer already sent FIN */
		break;
	}
}

void pk_tcp_conn_input(struct pk_tcp_conn *c, const struct pk_tcp_view *t, uint64_t now)
{
	struct pk_tcp_opts o;

	c->e->st.segs_in++;
	if (!pk_tcp_opts_parse(t, &o))
		c->e->st.bad_header++;
	conn_input(c, t, &o, now);
}

/* ---- output ---- */

static uint32_t build_opts(struct pk_tcp_conn *c, uint8_t *out, bool syn, uint64_t now)
{
	struct pk_tcp_opts o;

	memset(&o, 0, sizeof(o));
	if (syn) {
		bool active = c->state == PK_TCP_SYN_SENT;

		o.present |= PK_TCP_HAS_MSS;
		o.mss = (uint16_t)MIN(our_mss(c), 65535u);
		if (!c->cfg.no_wscale && (active || c->peer_ws)) {
			o.present |= PK_TCP_HAS_WSCALE;
			o.wscale = c->rcv_wscale;
		}
		if (!c->cfg.no_sack && (active || c->peer_sack))
			o.present |= PK_TCP_HAS_SACK_PERM;
		if (!c->cfg.no_timestamps && (active || c->peer_ts)) {
			o.present |= PK_TCP_HAS_TIMESTAMP;
			o.ts_val = ts_now(c, now);
			o.ts_ecr = active ? 0 : c->ts_recent;
		}
	} else {
		if (c->ts_ok) {
			o.present |= PK_TCP_HAS_TIMESTAMP;
			o.ts_val = ts_now(c, now);
			o.ts_ecr = c->ts_recent;
		}
		if (c->sack_ok && (c->n_ooo || c->dsack_pending)) {
			uint32_t k = 0;

			o.present |= PK_TCP_HAS_SACK;
			if (c->dsack_pending) {	/* RFC 2883: the D-SACK block first */
				o.sack[k].left = c->dsack.start;
				o.sack[k++].right = c->dsack.end;
			}
			for (uint32_t i = 0; i < c->n_ooo && k < PK_TCP_MAX_SACK; i++)
				if (c->ooo[i].start == c->ooo_recent) {
					o.sack[k].left = c->ooo[i].start;
					o.sack[k++].right = c->ooo[i].end;
				}
			for (uint32_t i = 0; i < c->n_ooo && k < PK_TCP_MAX_SACK; i++)
				if (c->ooo[i].start != c->ooo_recent) {
					o.sack[k].left = c->ooo[i].start;
					o.sack[k++].right = c->ooo[i].end;
				}
			o.n_sack = (uint8_t)k;
		}
	}
	return pk_tcp_opts_build(&o, out, syn);
}

static uint16_t window_to_advertise(struct pk_tcp_conn *c, bool syn)
{
	uint32_t free = rcv_free(c), cur = c->rcv_adv - c->rcv_nxt;
	uint32_t w;

	if (SEQ_LT(c->rcv_adv, c->rcv_nxt))
		cur = 0;
	/* receiver SWS avoidance (RFC 9293 3.8.6.2.2): open only by a useful amount */
	if (free > cur && free - cur < MIN(c->rb.cap / 2, c->mss_base) && !syn)
		w = cur;
	else
		w = free;
	if (syn)
		return (uint16_t)MIN(w, MAX_WIN16);
	w >>= c->rcv_wscale;
	return (uint16_t)MIN(w, MAX_WIN16);
}

static uint32_t emit(struct pk_tcp_conn *c, uint8_t *buf, uint32_t seq, uint8_t flags,
		     const uint8_t *unused, uint32_t data_off, uint32_t data_len, uint64_t now)
{
	uint8_t opts[40];
	bool syn = (flags & PK_TCP_SYN) != 0;
	uint32_t olen = build_opts(c, opts, syn, now);
	uint16_t win = window_to_advertise(c, syn);
	uint32_t hlen;

	(void)unused;
	hlen = pk_tcp_write_header(buf, c->ep.local_port, c->ep.remote_port, seq,
				   (flags & PK_TCP_ACK) ? c->rcv_nxt : 0, flags, win, olen);
	memcpy(buf + PK_TCP_HLEN, opts, olen);
	if (data_len)
		ring_read_at(&c->sb, data_off, buf + hlen, data_len);
	if (c->tso_max)
		pk_tcp_csum_set_partial_(&c->ep, buf, hlen + data_len);
	else
		pk_tcp_csum_set(&c->ep, buf, hlen + data_len);
	if (flags & PK_TCP_ACK) {
		c->ack_now = false;
		c->dsack_pending = false;	/* reported once (RFC 2883 4) */
		c->unacked_bytes = 0;
		c->t_delack = 0;
		c->last_ack_sent = c->rcv_nxt;
		if (syn)
			c->rcv_adv = c->rcv_nxt + win;
		else if (SEQ_GT(c->rcv_nxt + ((uint32_t)win << c->rcv_wscale), c->rcv_adv))
			c->rcv_adv = c->rcv_nxt + ((uint32_t)win << c->rcv_wscale);
	}
	c->e->st.segs_out++;
	return hlen + data_len;
}

/* Bytes the options of a non-SYN segment take now. */
static uint32_t opts_len_now(struct pk_tcp_conn *c)
{
	uint32_t n = c->ts_ok ? 12 : 0;

	if (c->sack_ok && (c->n_ooo || c->dsack_pending))
		n += 4 + 8 * MIN(c->n_ooo + (c->dsack_pending ? 1u : 0u), (40 - n - 4) / 8);
	return n;
}

static void sent_new(struct pk_tcp_conn *c, uint32_t seq, uint32_t end, uint64_t now)
{
	if (SEQ_GT(end, c->snd_max)) {
		if (!c->rtt_timing && seq == c->snd_max) {
			c->rtt_timing = true;
			c->rtt_seq = seq;
			c->rtt_start = now;
		}
		c->snd_max = end;
	} else {
		c->e->st.retransmits++;
		if (SEQ_GT(end, c->rtx_mark))
			c->rtx_mark = end;
	}
	if (!c->t_rtx || c->persist) {
		c->persist = false;
		c->t_rtx = now + c->rto;
	}
}

/* Send again one segment of the sent sequence space [seq, seq + n) (the FIN
 * included if it is in there). Returns the segment length, 0 if nothing. */
static uint32_t emit_rtx(struct pk_tcp_conn *c, uint8_t *buf, uint32_t seq, uint32_t n,
			 uint32_t seg_max, uint64_t now)
{
	uint32_t data_end = c->sb_seq + c->sb.len, len = 0, r, end;
	bool fin_sent = c->fin_queued && SEQ_GT(c->snd_max, data_end);
	uint8_t fl = PK_TCP_ACK;

	if (!n || SEQ_LT(seq, c->snd_una))
		return 0;
	if (SEQ_LT(seq, data_end)) {
		len = MIN(MIN(n, data_end - seq), seg_max);
		if (!len)
			return 0;
		if (seq + len == data_end)
			fl |= PK_TCP_PSH;
	}
	if (fin_sent && seq + len == data_end && SEQ_GT(seq + n, data_end))
		fl |= PK_TCP_FIN;
	if (!len && !(fl & PK_TCP_FIN))
		return 0;
	r = emit(c, buf, seq, fl, NULL, len ? seq - c->sb_seq : 0, len, now);
	end = seq + len + ((fl & PK_TCP_FIN) ? 1 : 0);
	if (c->sack_rec && SEQ_GT(end, c->high_rxt))
		c->high_rxt = end;
	if (SEQ_GT(end, c->rtx_mark))
		c->rtx_mark = end;
	if (c->undo_valid && c->in_recovery) {
		c->undo_retrans++;
		if (SEQ_GT(end, c->undo_high))
			c->undo_high = end;
	}
	if (!c->t_rtx || c->persist) {
		c->persist = false;
		c->t_rtx = now + c->rto;
	}
	return r;
}

uint32_t pk_tcp_conn_output(struct pk_tcp_conn *c, uint64_t now, uint8_t *buf, uint32_t cap)
{
	uint32_t data_end, fin_seq, hdr, room, seg_max, rec_room = UINT32_MAX;
	bool can_send_data;

	if (cap < PK_TCP_MAX_HLEN + 1)
		return 0;
	if (c->rst_pending) {
		uint32_t n = pk_tcp_write_header(buf, c->ep.local_port, c->ep.remote_port,
						 c->rst_seq, c->rst_ack, c->rst_flags, 0, 0);

		c->rst_pending = false;
		pk_tcp_csum_set(&c->ep, buf, n);
		c->e->st.segs_out++;
		return n;
	}
	if (c->ka_send) {
		c->ka_send = false;
		/* RFC 9293 3.8.4: SEG.SEQ = SND.NXT - 1, no data */
		if (c->state == PK_TCP_ESTABLISHED || c->state == PK_TCP_CLOSE_WAIT)
			return emit(c, buf, c->snd_max - 1, PK_TCP_ACK, NULL, 0, 0, now);
	}
	switch (c->state) {
	case PK_TCP_CLOSED:
	case PK_TCP_LISTEN:
		return 0;
	case PK_TCP_SYN_SENT:
	case PK_TCP_SYN_RECEIVED:
		if (c->snd_nxt == c->iss) {
			uint8_t fl = PK_TCP_SYN | (c->state == PK_TCP_SYN_RECEIVED ? PK_TCP_ACK : 0);
			uint32_t n = emit(c, buf, c->iss, fl, NULL, 0, 0, now);

			c->snd_nxt = c->iss + 1;
			sent_new(c, c->iss, c->iss + 1, now);
			return n;
		}
		if (c->ack_now)
			return emit(c, buf, c->snd_nxt, PK_TCP_ACK, NULL, 0, 0, now);
		return 0;
	case PK_TCP_TIME_WAIT:
		if (c->ack_now)
			return emit(c, buf, c->snd_max, PK_TCP_ACK, NULL, 0, 0, now);
		return 0;
	default:
		break;
	}

	data_end = c->sb_seq + c->sb.len;
	fin_seq = data_end;
	hdr = PK_TCP_HLEN + opts_len_now(c);
	room = cap - hdr;
	can_send_data = true;

	seg_max = MIN(c->mss_base - (hdr - PK_TCP_HLEN), room);

	/* Fast retransmit / NewReno partial ACK: one segment at SND.UNA (up
	 * to the first SACKed byte). */
	if (c->fast_rtx) {
		uint32_t end = c->n_sacked ? c->sacked[0].start : c->snd_max;
		uint32_t r;

		c->fast_rtx = false;
		r = emit_rtx(c, buf, c->snd_una, end - c->snd_una, seg_max, now);
		if (r)
			return r;
	}

	/* RFC 6675 loss recovery: while cwnd - pipe >= 1 SMSS, NextSeg():
	 * (1) a lost hole, (2) new data, (3) any unSACKed byte above HighRxt
	 * and below the highest SACKed one, (4) once, the rescue segment */
	if (c->in_recovery && c->sack_rec) {
		uint32_t pipe = sack_pipe(c), seq = 0, n;
		bool new_ok = SEQ_LT(c->snd_nxt, data_end) &&
			      c->snd_nxt - c->snd_una < c->snd_wnd;

		if (c->cwnd < pipe + smss(c)) {
			can_send_data = false;
		} else {
			bool rescue = false;

			n = sack_next(c, true, &seq);
			if (!n && !new_ok)
				n = sack_next(c, false, &seq);
			if (!n && !new_ok) {
				n = sack_rescue(c, seg_max, &seq);
				rescue = n != 0;
			}
			if (n) {
				uint32_t hr = c->high_rxt;
				uint32_t r = emit_rtx(c, buf, seq, n, seg_max, now);

				if (r) {
					c->e->st.retransmits++;
					c->e->st.sack_retransmits++;
					if (rescue) {
						/* RescueRxt = RecoveryPoint; HighRxt
						 * MUST NOT move (RFC 6675 4 (4)) */
						c->high_rxt = hr;
						c->rescue_rxt = c->recover;
						c->rescue_set = true;
						c->e->st.sack_rescues++;
					}
					return r;
				}
			}
			rec_room = c->cwnd - pipe;
		}
	}

	/* Zero-window probe: one byte at SND.UNA beyond the window. */
	if (c->probe) {
		c->probe = false;
		if (SEQ_LT(c->snd_una, data_end)) {
			c->e->st.zero_window_probes++;
			if (SEQ_GT(c->snd_una + 1, c->snd_max))
				c->snd_max = c->snd_una + 1;
			return emit(c, buf, c->snd_una, PK_TCP_ACK, NULL, c->snd_una - c->sb_seq, 1, now);
		}
	}

	if (SEQ_LT(c->snd_nxt, data_end) && can_send_data) {
		uint32_t avail = data_end - c->snd_nxt;
		uint32_t in_flight = c->snd_nxt - c->snd_una;
		/* RFC 3042 limited transmit, one new segment per duplicate ACK
		 * below DupThresh (beyond 2 when reordering raised it: each
		 * such ACK still reports a segment that left the network) */
		uint32_t lt = c->dupacks < dupthresh(c) && !c->in_recovery ? c->dupacks * smss(c) : 0;
		uint32_t wnd = MIN(c->snd_wnd, c->cwnd + lt);
		uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
		uint32_t n, big = seg_max;
		bool retrans = SEQ_LT(c->snd_nxt, c->snd_max);
		bool ok;

		if (rec_room != UINT32_MAX)	/* SACK recovery: pipe, not flight */
			usable = MIN(c->snd_wnd > in_flight ? c->snd_wnd - in_flight : 0, rec_room);
		/* TSO: new data in whole multiples of a segment, up to tso_max. */
		if (c->tso_max > seg_max && !retrans && seg_max > 0)
			big = MAX(MIN(c->tso_max, room) / seg_max, 1u) * seg_max;
		n = MIN(MIN(avail, usable), big);

		if (n == 0) {
			ok = false;
		} else if (n >= seg_max || retrans) {
			ok = true;
			/* A short tail only where Nagle would send it on its own
			 * (everything queued and nothing outstanding, or no-delay,
			 * or a FIN follows); otherwise it waits for more data. */
			if (n > seg_max && n % seg_max &&
			    !(n == avail && (c->cfg.nodelay || c->fin_queued ||
					     c->snd_nxt == c->snd_una)))
				n -= n % seg_max;
		} else if (n == avail) {
			/* Nagle (RFC 9293 3.7.4): a short segment only if nothing is
			 * outstanding, unless disabled; the last piece before a FIN goes. */
			ok = c->cfg.nodelay || c->fin_queued || c->snd_nxt == c->snd_una;
		} else {
			/* window-limited short segment: sender SWS avoidance */
			ok = c->snd_nxt == c->snd_una || n >= c->max_snd_wnd / 2;
		}
		if (ok) {
			uint32_t seq = c->snd_nxt;
			uint8_t fl = PK_TCP_ACK | (seq + n == data_end ? PK_TCP_PSH : 0);
			uint32_t r;

			if (c->fin_queued && seq + n == fin_seq)
				fl |= PK_TCP_FIN;
			r = emit(c, buf, seq, fl, NULL, seq - c->sb_seq, n, now);
			c->snd_nxt = seq + n + ((fl & PK_TCP_FIN) ? 1 : 0);
			sent_new(c, seq, c->snd_nxt, now);
			return r;
		}
		if (c->snd_wnd == 0 && c->snd_una == c->snd_max && !c->t_rtx) {
			/* persist timer (RFC 9293 3.8.6.1) */
			c->persist = true;
			c->t_rtx = now + MIN(c->rto << c->persist_shift, c->cfg.rto_max_ns);
		}
	} else if (c->fin_queued && c->snd_nxt == fin_seq) {
		/* FIN alone, after every byte has been sent; always at fin_seq */
		uint32_t r = emit(c, buf, fin_seq, PK_TCP_ACK | PK_TCP_FIN, NULL, 0, 0, now);

		c->snd_nxt = fin_seq + 1;
		sent_new(c, fin_seq, fin_seq + 1, now);
		return r;
	}

	/* window update after the application read */
	if (!c->ack_now) {
		uint32_t free = MIN(rcv_free(c), MAX_WIN16 << c->rcv_wscale);
		uint32_t cur = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;

		if (free > cur && (free - cur >= 2 * c->mss_base || free - cur >= c->rb.cap / 2) &&
		    cur < free / 2)
			c->ack_now = true;
	}
	/* a pure ACK carries SND.MAX: after a timeout SND.NXT went back, and
	 * the peer's window starts at the highest byte sent */
	if (c->ack_now)
		return emit(c, buf, c->snd_max, PK_TCP_ACK, NULL, 0, 0, now);
	return 0;
}

/* ---- timers ---- */

uint64_t pk_tcp_conn_deadline(const struct pk_tcp_conn *c)
{
	uint64_t d = UINT64_MAX;

	if (c->t_rtx)
		d = MIN(d, c->t_rtx);
	if (c->t_delack)
		d = MIN(d, c->t_delack);
	if (c->t_tw)
		d = MIN(d, c->t_tw);
	if (c->t_ka)
		d = MIN(d, c->t_ka);
	return d;
}

static void rtx_timeout(struct pk_tcp_conn *c, uint64_t now)
{
	uint32_t mss = smss(c);

	c->t_rtx = 0;
	if (c->persist) {
		c->persist = false;
		c->probe = true;
		if (c->persist_shift < 16)
			c->persist_shift++;
		/* rearmed after the probe goes out */
		c->persist = true;
		c->t_rtx = now + MIN(c->rto << c->persist_shift, c->cfg.rto_max_ns);
		return;
	}
	if (c->snd_una == c->snd_max)
		return;
	c->e->st.timeouts++;
	if (++c->retries > c->cfg.max_retries) {
		c->events |= PK_TCP_EV_TIMEOUT;
		set_state(c, PK_TCP_CLOSED);
		return;
	}
	c->rto = MIN(c->rto * 2, c->cfg.rto_max_ns);	/* RFC 6298 5.5 */
	c->rtt_timing = false;				/* Karn */
	if (c->state == PK_TCP_SYN_SENT || c->state == PK_TCP_SYN_RECEIVED) {
		c->snd_nxt = c->iss;
		c->e->st.retransmits++;
		return;
	}
	/* RFC 5681 (4) and RFC 6582 section 4: back to slow start from SND.UNA;
	 * ssthresh only drops on the first timeout of a series. The SACK
	 * scoreboard is cleared (RFC 2018: the receiver may have reneged). */
	if (c->retries == 1)
		cc_loss(c);
	c->undo_valid = false;	/* no undo of a timeout (that would need F-RTO) */
	/* Everything in flight may be sent again. The reordering degree goes
	 * back to 3 on every timeout: it may be a loss a raised DupThresh
	 * kept from being detected in time (Linux resets it only when the
	 * timeout found SACKed data waiting outside recovery). */
	c->rtx_mark = c->snd_max;
	c->reordering = DUPTHRESH;
	sb_clear(c);
	c->cwnd = mss;
	c->recover = c->snd_max;
	c->in_recovery = false;
	c->dupacks = 0;
	c->snd_nxt = c->snd_una;
}

void pk_tcp_conn_timer(struct pk_tcp_conn *c, uint64_t now)
{
	if (c->t_tw && now >= c->t_tw) {
		c->t_tw = 0;
		set_state(c, PK_TCP_CLOSED);
		return;
	}
	if (c->t_delack && now >= c->t_delack) {
		c->t_delack = 0;
		c->ack_now = true;
	}
	if (c->t_rtx && now >= c->t_rtx)
		rtx_timeout(c, now);
	if (c->t_ka && now >= c->t_ka && c->state != PK_TCP_CLOSED)
		ka_timeout(c, now);
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
		c->fin_queued = true;	/* FIN-WAIT-1 once established */
		break;
	case PK_TCP_ESTABLISHED:
		c->fin_queued = true;
		set_state(c, PK_TCP_FIN_WAIT_1);
		break;
	case PK_TCP_CLOSE_WAIT:
		c->fin_queued = true;
		set_state(c, PK_TCP_LAST_ACK);
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
		queue_rst(c, c->snd_max, 0, PK_TCP_RST);
		break;
	default:
		break;
	}
	if (c->state != PK_TCP_CLOSED)
		set_state(c, PK_TCP_CLOSED);
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
	i->pipe = c->sack_rec ? sack_pipe(c) : c->snd_nxt - c->snd_una;
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

/* ---- SYN cookies (RFC 4987) ---- */

/*
 * ISS = hash:28 | slot parity:1 | MSS index:3. The hash is SipHash-2-4 keyed
 * with the cookie key over both addresses and ports, the peer's ISN, the
 * full 64-second slot number, the MSS index and the option bits (window
 * scale and SACK-permitted as sent in our TSval), so none of them can be
 * altered. The parity bit picks which of the current and previous slot to
 * check, so one hash per key validates an ACK.
 */
const uint16_t pk_tcp_cookie_mss[8] = { 256, 536, 1220, 1360, 1440, 1460, 4312, 8960 };

static uint32_t cookie_hash(const uint8_t key[16], const struct pk_tcp_endpoints *ep,
			    uint32_t irs, uint64_t slot, uint32_t mss_idx, uint32_t optbits)
{
	uint8_t in[16 + 16 + 4 + 4 + 8 + 2 + 1];
	size_t alen = ep->ipv6 ? 16 : 4, n = 0;

	memcpy(in + n, ep->local_addr, alen);
	n += alen;
	memcpy(in + n, ep->remote_addr, alen);
	n += alen;
	pk_put_be16(in + n, ep->local_port);
	pk_put_be16(in + n + 2, ep->remote_port);
	pk_put_be32(in + n + 4, irs);
	n += 8;
	for (int i = 0; i < 8; i++)
		in[n++] = (uint8_t)(slot >> (8 * i));
	in[n++] = (uint8_t)mss_idx;
	in[n++] = (uint8_t)optbits;
	in[n++] = 'C';
	return (uint32_t)(pk_tcp_siphash(key, in, n) >> 36);	/* 28 bits */
}

uint32_t pk_tcp_cookie_make(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
			    uint32_t irs, uint32_t mss_idx, uint32_t optbits, uint64_t now)
{
	uint64_t slot = now / PK_TCP_COOKIE_SLOT_NS;

	mss_idx &= 7;
	return cookie_hash(e->ck_key, ep, irs, slot, mss_idx, optbits) << 4 |
	       (uint32_t)(slot & 1) << 3 | mss_idx;
}

bool pk_tcp_cookie_check(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
			 uint32_t irs, uint32_t cookie, uint32_t optbits, uint64_t now)
{
	uint64_t cur = now / PK_TCP_COOKIE_SLOT_NS, slot = cur;
	uint32_t idx = cookie & 7, h = cookie >> 4;

	if (((cookie >> 3) & 1) != (cur & 1)) {
		if (cur == 0)
			return false;
		slot = cur - 1;
	}
	if (cookie_hash(e->ck_key, ep, irs, slot, idx, optbits) == h)
		return true;
	return e->ck_have_prev && slot <= e->ck_rot_slot &&
	       cookie_hash(e->ck_prev, ep, irs, slot, idx, optbits) == h;
}

/* ---- listener ---- */

struct pk_tcp_listener *pk_tcp_listener_new(struct pk_tcp_engine *e,
					    const struct pk_tcp_config *cfg, bool ipv6,
					    const uint8_t *local_addr, uint16_t local_port)
{
	struct pk_tcp_listener *l = g_new0(struct pk_tcp_listener, 1);

	l->e = e;
	config_resolve(&l->cfg, cfg);	/* idempotent: conn_new resolves it again */
	if (!l->cfg.max_half_open)
		l->cfg.max_half_open = DEFAULT_HALF_OPEN;
	l->ipv6 = ipv6;
	memcpy(l->addr, local_addr, ipv6 ? 16 : 4);
	l->port = local_port;
	return l;
}

void pk_tcp_listener_free(struct pk_tcp_listener *l)
{
	if (!l)
		return;
	while (l->half_open)
		halfopen_unlink(l->half_open);
	g_free(l);
}

static bool listener_queue(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
			   uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
			   const uint8_t *opts, uint32_t olen)
{
	uint32_t i;

	if (l->q_len == LISTENER_REPLYQ) {
		l->e->st.dropped++;
		return false;
	}
	i = (l->q_head + l->q_len++) % LISTENER_REPLYQ;
	l->q[i].ep = *ep;
	l->q[i].seq = seq;
	l->q[i].ack = ack;
	l->q[i].flags = flags;
	l->q[i].win = win;
	l->q[i].olen = (uint8_t)olen;
	if (olen)
		memcpy(l->q[i].opts, opts, olen);
	return true;
}

static void listener_rst(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
			 uint32_t seq, uint32_t ack, uint8_t flags)
{
	listener_queue(l, ep, seq, ack, flags, 0, NULL, 0);
}

static uint32_t listener_ts_now(const struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
				uint64_t now)
{
	/* the clock the connection will have: same offset as conn_new() */
	return (uint32_t)(now / NS_PER_MS) + (uint32_t)pk_tcp_tuple_hash(l->e->secret, ep, 'T');
}

/* Answer a SYN with a cookie SYN-ACK, keeping no state. */
static void listener_cookie_synack(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
				   const struct pk_tcp_view *t, const struct pk_tcp_opts *o,
				   uint64_t now)
{
	const struct pk_tcp_config *cfg = &l->cfg;
	uint32_t peer_mss = (o->present & PK_TCP_HAS_MSS) && o->mss ? o->mss
								   : (ep->ipv6 ? 1220u : 536u);
	uint32_t idx = 0, optbits = 0, olen, cookie;
	struct pk_tcp_opts so;
	uint8_t opts[40];

	for (uint32_t i = 1; i < G_N_ELEMENTS(pk_tcp_cookie_mss); i++)
		if (pk_tcp_cookie_mss[i] <= peer_mss)
			idx = i;
	memset(&so, 0, sizeof(so));
	so.present = PK_TCP_HAS_MSS;
	so.mss = (uint16_t)MIN(cfg->mtu - (ep->ipv6 ? 60u : 40u), 65535u);
	if ((o->present & PK_TCP_HAS_TIMESTAMP) && !cfg->no_timestamps) {
		/* RFC 7323 options ride in the low bits of our TSval, which the
		 * peer echoes in the ACK's TSecr; without timestamps we cannot
		 * remember them, so window scale and SACK are not offered. */
		uint32_t ws = PK_TCP_COOKIE_NO_WS, low, tsnow, tsval;
		bool sack = (o->present & PK_TCP_HAS_SACK_PERM) && !cfg->no_sack;

		if ((o->present & PK_TCP_HAS_WSCALE) && !cfg->no_wscale)
			ws = MIN(o->wscale, (uint8_t)PK_TCP_MAX_WSCALE);
		low = ws | (sack ? 1u << 4 : 0);
		tsnow = listener_ts_now(l, ep, now);
		/* round down so that TSval never runs ahead of the clock */
		tsval = (tsnow & ~((1u << PK_TCP_COOKIE_TS_BITS) - 1)) | low;
		if ((int32_t)(tsval - tsnow) > 0)
			tsval -= 1u << PK_TCP_COOKIE_TS_BITS;
		optbits = 1u << PK_TCP_COOKIE_TS_BITS | low;
		so.present |= PK_TCP_HAS_TIMESTAMP;
		so.ts_val = tsval;
		so.ts_ecr = o->ts_val;
		if (ws != PK_TCP_COOKIE_NO_WS) {
			so.present |= PK_TCP_HAS_WSCALE;
			so.wscale = choose_wscale(cfg->rcvbuf);
		}
		if (sack)
			so.present |= PK_TCP_HAS_SACK_PERM;
	}
	cookie = pk_tcp_cookie_make(l->e, ep, t->seq, idx, optbits, now);
	olen = pk_tcp_opts_build(&so, opts, true);
	if (listener_queue(l, ep, cookie, t->seq + 1, PK_TCP_SYN | PK_TCP_ACK,
			   (uint16_t)MIN(cfg->rcvbuf, MAX_WIN16), opts, olen))
		l->e->st.syncookies_sent++;
	else
		l->e->st.listen_overflows++;
}

/* An ACK for which no connection exists: complete a cookie handshake. */
static struct pk_tcp_conn *listener_cookie_ack(struct pk_tcp_listener *l,
					       const struct pk_tcp_endpoints *ep,
					       const struct pk_tcp_view *t,
					       const struct pk_tcp_opts *o, uint64_t now)
{
	uint32_t irs = t->seq - 1, cookie = t->ack - 1, optbits = 0;
	struct pk_tcp_opts so;
	struct pk_tcp_conn *c;

	if ((o->present & PK_TCP_HAS_TIMESTAMP) && !l->cfg.no_timestamps)
		optbits = 1u << PK_TCP_COOKIE_TS_BITS |
			  (o->ts_ecr & ((1u << PK_TCP_COOKIE_TS_BITS) - 1));
	if (!pk_tcp_cookie_check(l->e, ep, irs, cookie, optbits, now))
		return NULL;
	c = conn_new(l->e, &l->cfg, ep, now);
	if (!c)
		return NULL;
	l->e->st.syncookies_ok++;
	/* as if our SYN-ACK (ISS = cookie) had just been sent */
	c->iss = cookie;
	c->recover = c->high_rxt = cookie;
	c->snd_una = cookie;
	c->snd_nxt = c->snd_max = cookie + 1;
	c->sb_seq = cookie + 1;
	c->state = PK_TCP_SYN_RECEIVED;		/* not on the half-open list */
	c->irs = irs;
	c->rcv_nxt = t->seq;
	c->rcv_adv = c->rcv_nxt + MIN(c->cfg.rcvbuf, MAX_WIN16);
	c->last_ack_sent = c->rcv_nxt;
	c->snd_wl1 = irs;
	memset(&so, 0, sizeof(so));
	so.present = PK_TCP_HAS_MSS;
	so.mss = pk_tcp_cookie_mss[cookie & 7];
	if (optbits) {
		uint32_t ws = optbits & 0xf;

		so.present |= PK_TCP_HAS_TIMESTAMP;
		so.ts_val = o->ts_val;		/* the SYN's is lost; this one passes PAWS */
		if (ws != PK_TCP_COOKIE_NO_WS) {
			so.present |= PK_TCP_HAS_WSCALE;
			so.wscale = (uint8_t)ws;
		}
		if (optbits & (1u << 4))
			so.present |= PK_TCP_HAS_SACK_PERM;
	}
	take_syn_options(c, &so, false);
	c->ts_recent_time = now;
	/* the normal SYN-RECEIVED path takes the ACK (and any data, FIN) */
	conn_input(c, t, o, now);
	return c;
}

struct pk_tcp_conn *pk_tcp_listener_input(struct pk_tcp_listener *l, const uint8_t *remote_addr,
					  const struct pk_tcp_view *t, uint64_t now)
{
	struct pk_tcp_endpoints ep;
	struct pk_tcp_opts o;
	struct pk_tcp_conn *c;
	bool opts_ok;

	l->e->st.segs_in++;
	memset(&ep, 0, sizeof(ep));
	ep.ipv6 = l->ipv6;
	memcpy(ep.local_addr, l->addr, l->ipv6 ? 16 : 4);
	memcpy(ep.remote_addr, remote_addr, l->ipv6 ? 16 : 4);
	ep.local_port = l->port;
	ep.remote_port = t->sport;
	if (t->flags & PK_TCP_RST) {
		l->e->st.dropped++;
		return NULL;
	}
	opts_ok = pk_tcp_opts_parse(t, &o);
	if (t->flags & PK_TCP_ACK) {
		if (!(t->flags & PK_TCP_SYN) && t->dport == l->port) {
			c = listener_cookie_ack(l, &ep, t, &o, now);
			if (c) {
				if (!opts_ok)
					l->e->st.bad_header++;
				return c;
			}
			l->e->st.syncookies_failed++;
			l->e->st.dropped++;
		}
		listener_rst(l, &ep, t->ack, 0, PK_TCP_RST);
		return NULL;
	}
	if (!(t->flags & PK_TCP_SYN) || t->dport != l->port) {
		l->e->st.dropped++;
		return NULL;
	}
	if (!opts_ok)
		l->e->st.bad_header++;
	if (l->cfg.no_syncookies ? l->n_half_open >= l->cfg.max_half_open
				 : l->cfg.syncookies_always || l->n_half_open >= l->cfg.max_half_open) {
		if (l->cfg.no_syncookies) {
			l->e->st.listen_overflows++;
			l->e->st.dropped++;
		} else {
			listener_cookie_synack(l, &ep, t, &o, now);
		}
		return NULL;
	}
	c = conn_new(l->e, &l->cfg, &ep, now);
	if (!c) {
		l->e->st.dropped++;
		return NULL;
	}
	c->state = PK_TCP_SYN_RECEIVED;
	halfopen_link(l, c);
	c->irs = t->seq;
	c->rcv_nxt = t->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	take_syn_options(c, &o, false);
	c->ts_recent_time = now;
	c->snd_wnd = t->window;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = t->seq;
	/* Data in a SYN is not kept (it would be acknowledged only after the
	 * handshake anyway); the peer retransmits it. */
	return c;
}

uint32_t pk_tcp_listener_output(struct pk_tcp_listener *l, uint8_t *buf, uint32_t cap,
				struct pk_tcp_endpoints *ep)
{
	uint32_t n, i = l->q_head;

	if (!l->q_len || cap < PK_TCP_HLEN + l->q[i].olen)
		return 0;
	l->q_head = (l->q_head + 1) % LISTENER_REPLYQ;
	l->q_len--;
	*ep = l->q[i].ep;
	n = pk_tcp_write_header(buf, ep->local_port, ep->remote_port, l->q[i].seq, l->q[i].ack,
				l->q[i].flags, l->q[i].win, l->q[i].olen);
	memcpy(buf + PK_TCP_HLEN, l->q[i].opts, l->q[i].olen);
	pk_tcp_csum_set(ep, buf, n);
	l->e->st.segs_out++;
	return n;
}
