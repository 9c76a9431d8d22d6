/* SPDX-License-Identifier: MIT
 * cc.c - TCP congestion control: NewReno (RFC 5681, RFC 6582) and CUBIC (RFC 9438), undo
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "conn-private.h"

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
void tcp_cc_loss(struct pk_tcp_conn *c)
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
void tcp_cc_ack(struct pk_tcp_conn *c, uint32_t acked, uint64_t now)
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
void tcp_enter_recovery(struct pk_tcp_conn *c)
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
	tcp_cc_loss(c);
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
void tcp_cc_undo(struct pk_tcp_conn *c)
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
void tcp_dsack_input(struct pk_tcp_conn *c, uint32_t l, uint32_t r, uint32_t fack)
{
	uint32_t mss = smss(c), segs;

	c->e->st.dsack_received++;
	if (!c->undo_valid || SEQ_LT(l, c->undo_marker) || SEQ_GT(r, c->undo_high))
		return;
	tcp_reorder_seen(c, l, fack);
	if (!c->undo_retrans)
		return;
	segs = MAX(1u, (r - l + mss - 1) / mss);
	c->undo_retrans -= MIN(segs, c->undo_retrans);
	c->undo_dsacked = true;
	/* during recovery the holes still drive it: undo at its end */
	if (!c->undo_retrans && !c->in_recovery)
		tcp_cc_undo(c);
}
