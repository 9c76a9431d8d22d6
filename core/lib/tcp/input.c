/* SPDX-License-Identifier: MIT
 * input.c - TCP input: receive side, ACK processing, keepalive, segment arrival (RFC 9293 3.10.7)
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "conn-private.h"

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
		tcp_set_state(c, PK_TCP_CLOSE_WAIT);
		break;
	case PK_TCP_FIN_WAIT_1:
		if (c->fin_acked)
			tcp_enter_time_wait(c, now);
		else
			tcp_set_state(c, PK_TCP_CLOSING);
		break;
	case PK_TCP_FIN_WAIT_2:
		tcp_enter_time_wait(c, now);
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

/* Keepalive (RFC 9293 3.8.4, see also tcp_ka_timeout()): something
 * acceptable arrived, the peer is alive. */
static void ka_touch(struct pk_tcp_conn *c, uint64_t now)
{
	c->last_rcv = now;
	c->ka_probes = 0;
	c->t_ka = c->cfg.keepalive_idle_ns && ka_state(c) ? now + c->cfg.keepalive_idle_ns : 0;
}

void tcp_established(struct pk_tcp_conn *c, uint64_t now)
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
	tcp_set_state(c, c->fin_queued ? PK_TCP_FIN_WAIT_1 : PK_TCP_ESTABLISHED);
	/* Keepalive idles from the segment that completed the handshake: in
	 * SYN-RECEIVED its ka_touch() armed nothing (no probes there), so a
	 * connection idle from the start would never be probed. */
	ka_touch(c, now);
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
			tcp_rtt_sample(c, (uint64_t)d * NS_PER_MS);
	} else if (c->rtt_timing && SEQ_GT(ack, c->rtt_seq)) {
		tcp_rtt_sample(c, now - c->rtt_start);
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
	tcp_sb_prune(c);

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
				tcp_cc_undo(c);
		} else if (!c->sack_rec) {
			/* partial ACK: retransmit the next hole, deflate */
			c->fast_rtx = true;
			c->e->st.retransmits++;
			c->cwnd = c->cwnd > acked ? c->cwnd - acked : 0;
			c->cwnd += mss;
		}
		/* SACK recovery: NextSeg() picks the holes, cwnd stays */
	} else if (cwnd_limited) {
		tcp_cc_ack(c, acked, now);
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
		tcp_enter_recovery(c);
	}
}

/* Returns false if the segment must be dropped. */
static bool process_ack(struct pk_tcp_conn *c, const struct pk_tcp_view *t,
			const struct pk_tcp_opts *o, uint64_t now)
{
	uint32_t ack = t->ack;
	uint32_t wnd = (uint32_t)t->window << c->snd_wscale;

	if (SEQ_GT(ack, c->snd_max) && c->state == PK_TCP_SYN_RECEIVED) {
		tcp_queue_rst(c, ack, 0, PK_TCP_RST);
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
		tcp_challenge_ack(c, now);
		c->e->st.dropped++;
		return false;
	}
	if (c->state == PK_TCP_SYN_RECEIVED) {
		if (SEQ_LEQ(ack, c->snd_una)) {
			tcp_queue_rst(c, ack, 0, PK_TCP_RST);
			c->e->st.dropped++;
			return false;
		}
		c->snd_wnd = wnd;
		c->max_snd_wnd = MAX(c->max_snd_wnd, wnd);
		c->snd_wl1 = t->seq;
		c->snd_wl2 = ack;
		tcp_established(c, now);
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
			low = tcp_sb_uncovered(c, c->snd_una, SEQ_LT(ack, fack) ? ack : fack);
		if (advanced)
			ack_advanced(c, ack, o, now);
		if (c->sack_ok && (o->present & PK_TCP_HAS_SACK) && o->n_sack)
			newly = tcp_sb_update(c, o, ack, fack, &low);
		if (SEQ_LT(low, fack) && SEQ_GEQ(low, c->rtx_mark))
			tcp_reorder_seen(c, low, fack);
		if (!advanced && c->snd_max != c->snd_una &&
		    (c->sack_ok && (o->present & PK_TCP_HAS_SACK) ? newly > 0 : classic))
			dup_ack(c);
		/* RFC 6675 5 (4 b): IsLost(HighACK + 1) also starts recovery */
		if (c->sack_ok && !c->in_recovery && c->n_sacked && c->snd_max != c->snd_una &&
		    recovery_allowed(c) && hole_lost(c, 0))
			tcp_enter_recovery(c);
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
			tcp_set_state(c, PK_TCP_FIN_WAIT_2);
		break;
	case PK_TCP_CLOSING:
		if (c->fin_acked)
			tcp_enter_time_wait(c, now);
		break;
	case PK_TCP_LAST_ACK:
		if (c->fin_acked) {
			tcp_set_state(c, PK_TCP_CLOSED);
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

/* ---- keepalive (RFC 9293 3.8.4) ---- */

void tcp_ka_timeout(struct pk_tcp_conn *c, uint64_t now)
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
		tcp_queue_rst(c, c->snd_max, 0, PK_TCP_RST);
		c->events |= PK_TCP_EV_TIMEOUT;
		tcp_set_state(c, PK_TCP_CLOSED);
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
				tcp_queue_rst(c, t->ack, 0, PK_TCP_RST);
			c->e->st.dropped++;
			return;
		}
		ack_ok = true;
	}
	if (t->flags & PK_TCP_RST) {
		if (ack_ok) {
			c->e->st.rst_accepted++;
			c->events |= PK_TCP_EV_RESET;
			tcp_set_state(c, PK_TCP_CLOSED);
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
	tcp_take_syn_options(c, o, true);
	c->ts_recent_time = now;
	c->snd_wnd = t->window;	/* never scaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = t->seq;
	c->snd_wl2 = t->ack;
	c->ack_now = true;
	if (ack_ok) {
		c->events |= PK_TCP_EV_ESTABLISHED;
		ack_advanced(c, t->ack, o, now);
		tcp_established(c, now);
	} else {
		/* simultaneous open: SYN-ACK with the same ISN */
		tcp_set_state(c, PK_TCP_SYN_RECEIVED);
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

void tcp_conn_input(struct pk_tcp_conn *c, const struct pk_tcp_view *t,
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
			tcp_set_state(c, PK_TCP_CLOSED);
		} else {
			c->e->st.rst_ignored++;
			tcp_challenge_ack(c, now);
		}
		return;
	}
	/* SYN in a synchronized state (RFC 5961 section 4) */
	if (t->flags & PK_TCP_SYN) {
		c->e->st.syn_in_sync++;
		c->e->st.dropped++;
		tcp_challenge_ack(c, now);
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
	tcp_conn_input(c, t, &o, now);
}
