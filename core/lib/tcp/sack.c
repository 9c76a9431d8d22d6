/* SPDX-License-Identifier: MIT
 * sack.c - TCP sender SACK scoreboard and loss detection (RFC 6675, RFC 2883 D-SACK)
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "conn-private.h"

/* ---- sender SACK scoreboard (RFC 6675) ---- */

/* Forget what SND.UNA has passed. */
void tcp_sb_prune(struct pk_tcp_conn *c)
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
uint32_t tcp_sb_uncovered(const struct pk_tcp_conn *c, uint32_t s, uint32_t e)
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

/* The byte at @low arrived after everything up to @fack: the path reorders
 * by that many segments. Raise the reordering degree to it (as Linux's
 * tcp_check_sack_reordering(); never lowered but by a timeout). */
void tcp_reorder_seen(struct pk_tcp_conn *c, uint32_t low, uint32_t fack)
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
 * information: it goes to tcp_dsack_input(). *@low is lowered to the first
 * newly SACKed byte below @fack, if any. Returns the bytes newly SACKed. */
uint32_t tcp_sb_update(struct pk_tcp_conn *c, const struct pk_tcp_opts *o, uint32_t ack,
			  uint32_t fack, uint32_t *low)
{
	uint32_t before = sb_bytes(c, 0), after;

	for (uint32_t i = 0; i < o->n_sack && i < PK_TCP_MAX_SACK; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;

		if (i == 0 && is_dsack(o, ack)) {
			if (SEQ_GT(r, c->snd_max) || SEQ_LT(l, c->iss))
				c->e->st.sack_blocks_ignored++;
			else
				tcp_dsack_input(c, l, r, fack);
			continue;
		}

		if (!SEQ_LT(l, r) || SEQ_GT(r, c->snd_max) || SEQ_LEQ(r, c->snd_una)) {
			c->e->st.sack_blocks_ignored++;
			continue;
		}
		if (SEQ_LT(l, c->snd_una))
			l = c->snd_una;
		if (SEQ_LT(l, fack)) {
			uint32_t e = SEQ_LT(r, fack) ? r : fack, u = tcp_sb_uncovered(c, l, e);

			if (u != e && SEQ_LT(u, *low))
				*low = u;
		}
		sb_insert(c, l, r);
	}
	after = sb_bytes(c, 0);
	return after > before ? after - before : 0;
}

/* RFC 6675 SetPipe(), computed per hole: unSACKed bytes not deemed lost,
 * plus those retransmitted (below HighRxt). */
uint32_t tcp_sack_pipe(const struct pk_tcp_conn *c)
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
uint32_t tcp_sack_next(const struct pk_tcp_conn *c, bool lost_only, uint32_t *seq)
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
uint32_t tcp_sack_rescue(const struct pk_tcp_conn *c, uint32_t seg, uint32_t *seq)
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
