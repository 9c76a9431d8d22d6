/* SPDX-License-Identifier: MIT
 * conn-private.h - State of TCP connections and listeners, shared by the engine's files
 *
 * conn.c (engine, creation, application side), input.c, output.c, sack.c,
 * cc.c and listener.c implement pktkit/toolkit/tcp.h's connection API on these
 * structs; nothing here is exported from libpktkit.
 */
#ifndef PKTKIT_TCP_CONN_PRIVATE_H
#define PKTKIT_TCP_CONN_PRIVATE_H

#include <string.h>
#include <glib.h>
#include <pktkit/toolkit/tcp.h>

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


/* conn.c */
void tcp_halfopen_unlink(struct pk_tcp_conn *c);
void tcp_halfopen_link(struct pk_tcp_listener *l, struct pk_tcp_conn *c);
void tcp_config_resolve(struct pk_tcp_config *c, const struct pk_tcp_config *in);
void tcp_set_state(struct pk_tcp_conn *c, enum pk_tcp_state s);
void tcp_enter_time_wait(struct pk_tcp_conn *c, uint64_t now);
void tcp_challenge_ack(struct pk_tcp_conn *c, uint64_t now);
void tcp_queue_rst(struct pk_tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t flags);
struct pk_tcp_conn *tcp_conn_new(struct pk_tcp_engine *e, const struct pk_tcp_config *cfg,
				    const struct pk_tcp_endpoints *ep, uint64_t now);
void tcp_take_syn_options(struct pk_tcp_conn *c, const struct pk_tcp_opts *o, bool active);
void tcp_rtt_sample(struct pk_tcp_conn *c, uint64_t r);

/* sack.c */
void tcp_sb_prune(struct pk_tcp_conn *c);
uint32_t tcp_sb_uncovered(const struct pk_tcp_conn *c, uint32_t s, uint32_t e);
void tcp_reorder_seen(struct pk_tcp_conn *c, uint32_t low, uint32_t fack);
uint32_t tcp_sb_update(struct pk_tcp_conn *c, const struct pk_tcp_opts *o, uint32_t ack,
			  uint32_t fack, uint32_t *low);
uint32_t tcp_sack_pipe(const struct pk_tcp_conn *c);
uint32_t tcp_sack_next(const struct pk_tcp_conn *c, bool lost_only, uint32_t *seq);
uint32_t tcp_sack_rescue(const struct pk_tcp_conn *c, uint32_t seg, uint32_t *seq);

/* cc.c */
void tcp_cc_loss(struct pk_tcp_conn *c);
void tcp_cc_ack(struct pk_tcp_conn *c, uint32_t acked, uint64_t now);
void tcp_enter_recovery(struct pk_tcp_conn *c);
void tcp_cc_undo(struct pk_tcp_conn *c);
void tcp_dsack_input(struct pk_tcp_conn *c, uint32_t l, uint32_t r, uint32_t fack);

/* input.c */
void tcp_established(struct pk_tcp_conn *c, uint64_t now);
void tcp_ka_timeout(struct pk_tcp_conn *c, uint64_t now);
void tcp_conn_input(struct pk_tcp_conn *c, const struct pk_tcp_view *t,
		       const struct pk_tcp_opts *op, uint64_t now);

static inline void ring_write_at(struct ring *r, uint32_t off, const uint8_t *p, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = MIN(n, r->cap - pos);

	memcpy(r->buf + pos, p, first);
	memcpy(r->buf, p + first, n - first);
}

static inline void ring_read_at(const struct ring *r, uint32_t off, uint8_t *p, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = MIN(n, r->cap - pos);

	memcpy(p, r->buf + pos, first);
	memcpy(p + first, r->buf, n - first);
}

static inline void ring_consume(struct ring *r, uint32_t n)
{
	r->head = (r->head + n) % r->cap;
	r->len -= n;
}

static inline uint32_t our_mss(const struct pk_tcp_conn *c)
{
	return c->cfg.mtu - (c->ep.ipv6 ? 60u : 40u);
}

/* Payload bytes of a full data segment: MSS minus the timestamp option. */
static inline uint32_t smss(const struct pk_tcp_conn *c)
{
	return c->mss_base - (c->ts_ok ? 12u : 0u);
}

static inline uint32_t flight(const struct pk_tcp_conn *c)
{
	return c->snd_max - c->snd_una;
}

static inline uint32_t ts_now(const struct pk_tcp_conn *c, uint64_t now)
{
	return (uint32_t)(now / NS_PER_MS) + c->ts_offset;
}

static inline uint8_t choose_wscale(uint32_t rcvbuf)
{
	uint8_t s = 0;

	while (s < PK_TCP_MAX_WSCALE && (rcvbuf >> s) > MAX_WIN16)
		s++;
	return s;
}

static inline uint32_t rcv_free(const struct pk_tcp_conn *c)
{
	return c->rb.cap - c->rb.len;
}

static inline bool ka_state(const struct pk_tcp_conn *c)
{
	return c->state == PK_TCP_ESTABLISHED || c->state == PK_TCP_CLOSE_WAIT;
}

/* The end of the highest byte known to have arrived (forward ACK). */
static inline uint32_t sb_fack(const struct pk_tcp_conn *c)
{
	return c->n_sacked ? c->sacked[c->n_sacked - 1].end : c->snd_una;
}

static inline uint32_t sb_bytes(const struct pk_tcp_conn *c, uint32_t from)
{
	uint32_t n = 0;

	for (uint32_t i = from; i < c->n_sacked; i++)
		n += c->sacked[i].end - c->sacked[i].start;
	return n;
}

/* DupThresh now: the reordering degree, but not above three quarters of
 * the segments in flight (nor below 3): with a small window that many
 * duplicate ACKs may never come (Linux's tcp_time_to_recover() has a
 * similar escape at half). */
static inline uint32_t dupthresh(const struct pk_tcp_conn *c)
{
	uint32_t part = flight(c) / MAX(smss(c), 1u) * 3 / 4;

	return MIN(c->reordering, MAX(DUPTHRESH, part));
}

/* RFC 6675 IsLost() for any byte of the hole just below range @i (i ==
 * n_sacked: above the highest range): nothing above it is SACKed there,
 * so the answer is the same for every byte of a hole. */
static inline bool hole_lost(const struct pk_tcp_conn *c, uint32_t i)
{
	uint32_t dt = dupthresh(c);

	return c->n_sacked - i >= dt || sb_bytes(c, i) > (dt - 1) * smss(c);
}

static inline void sb_clear(struct pk_tcp_conn *c)
{
	c->n_sacked = 0;
	c->sack_rec = false;
	c->high_rxt = c->snd_una;
}

#endif
