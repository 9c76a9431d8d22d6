/* SPDX-License-Identifier: MIT
 * output.c - TCP output: options, segments, retransmission, timers
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "conn-private.h"

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

/* The checksum of every segment a connection makes, RSTs included: partial
 * (pseudo-header sum only) with TSO on, complete otherwise. */
static void seg_csum(const struct pk_tcp_conn *c, uint8_t *seg, uint32_t len)
{
	if (c->tso_max)
		pk_tcp_csum_set_partial_(&c->ep, seg, len);
	else
		pk_tcp_csum_set(&c->ep, seg, len);
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
	seg_csum(c, buf, hlen + data_len);
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
		seg_csum(c, buf, n);
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
		uint32_t pipe = tcp_sack_pipe(c), seq = 0, n;
		bool new_ok = SEQ_LT(c->snd_nxt, data_end) &&
			      c->snd_nxt - c->snd_una < c->snd_wnd;

		if (c->cwnd < pipe + smss(c)) {
			can_send_data = false;
		} else {
			bool rescue = false;

			n = tcp_sack_next(c, true, &seq);
			if (!n && !new_ok)
				n = tcp_sack_next(c, false, &seq);
			if (!n && !new_ok) {
				n = tcp_sack_rescue(c, seg_max, &seq);
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
		tcp_set_state(c, PK_TCP_CLOSED);
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
		tcp_cc_loss(c);
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
		tcp_set_state(c, PK_TCP_CLOSED);
		return;
	}
	if (c->t_delack && now >= c->t_delack) {
		c->t_delack = 0;
		c->ack_now = true;
	}
	if (c->t_rtx && now >= c->t_rtx)
		rtx_timeout(c, now);
	if (c->t_ka && now >= c->t_ka && c->state != PK_TCP_CLOSED)
		tcp_ka_timeout(c, now);
}
