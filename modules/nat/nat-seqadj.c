/* SPDX-License-Identifier: MIT
 * nat-seqadj.c - TCP sequence and acknowledgment adjustment after an ALG changed a payload's length
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/l4.h>

#include "nat-seqadj.h"

/* a is after b, modulo 2^32. */
static bool nat_seqadj_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

void nat_seqadj_init(struct nat_seqadj *sa)
{
	memset(sa, 0, sizeof(*sa));
}

bool nat_seqadj_active(const struct nat_seqadj *sa)
{
	return sa->d[0].n || sa->d[0].base || sa->d[1].n || sa->d[1].base;
}

/* Offset of the original sequence number @seq: changes strictly before it. */
static int32_t nat_seqadj_offset(const struct nat_seqadj_dir *d, uint32_t seq)
{
	int32_t off = d->base;

	for (uint32_t k = 0; k < d->n; k++)
		if (nat_seqadj_after(seq, d->pt[k].pos))
			off += d->pt[k].delta;
	return off;
}

static void nat_seqadj_fold_oldest(struct nat_seqadj_dir *d)
{
	d->base += d->pt[0].delta;
	memmove(&d->pt[0], &d->pt[1], (d->n - 1) * sizeof(d->pt[0]));
	d->n--;
}

bool nat_seqadj_record(struct nat_seqadj *sa, enum nat_dir dir, uint32_t seq, size_t old_len,
		       size_t new_len)
{
	struct nat_seqadj_dir *d = &sa->d[dir & 1];
	int64_t delta64 = (int64_t)new_len - (int64_t)old_len;

	if (delta64 == 0)
		return true;
	if (delta64 > 0xffff || delta64 < -0xffff)
		return false;
	for (uint32_t k = 0; k < d->n; k++)
		if (d->pt[k].pos == seq)
			return d->pt[k].delta == (int32_t)delta64;
	/*
	 * Points half a sequence space behind the new one would compare
	 * "after" it again: fold them, as the oldest when the array is full.
	 */
	while (d->n && ((int32_t)(seq - d->pt[0].pos) > (1 << 30) || d->n == NAT_SEQADJ_POINTS))
		nat_seqadj_fold_oldest(d);
	d->pt[d->n].pos = seq;
	d->pt[d->n].delta = (int32_t)delta64;
	d->n++;
	return true;
}

uint32_t nat_seqadj_map_seq(const struct nat_seqadj *sa, enum nat_dir dir, uint32_t seq)
{
	return seq + (uint32_t)nat_seqadj_offset(&sa->d[dir & 1], seq);
}

uint32_t nat_seqadj_map_ack(const struct nat_seqadj *sa, enum nat_dir data_dir, uint32_t ack)
{
	const struct nat_seqadj_dir *d = &sa->d[data_dir & 1];
	int32_t off = d->base;

	/*
	 * A change point sits at pos + (offset before it) in the receiver's
	 * numbering; an ack after that covers the rewritten segment's bytes
	 * (or part of them: then the rewritten length is taken as a whole).
	 */
	for (uint32_t k = 0; k < d->n; k++) {
		uint32_t tpos = d->pt[k].pos + (uint32_t)nat_seqadj_offset(d, d->pt[k].pos);

		if (nat_seqadj_after(ack, tpos))
			off += d->pt[k].delta;
	}
	return ack - (uint32_t)off;
}

/* The 16-bit ones' complement sum of a 32-bit value's two words, bytes swapped. */
static uint16_t nat_seqadj_swapped_sum(uint32_t v)
{
	uint16_t s = pk_csum_fold(pk_csum_add(v >> 16, v & 0xffff)) ^ 0xffff;

	return (uint16_t)((s << 8) | (s >> 8));
}

/*
 * Write @to at @field, @odd bytes past an even offset of the TCP header,
 * and fix the checksum. At an odd offset the value's bytes straddle the
 * checksum's words; their contribution is the byte-swapped sum (RFC 1071's
 * byte order independence), updated as one 16-bit word.
 */
static void nat_seqadj_rewrite32(uint8_t *field, bool odd, uint8_t *csum, uint32_t to)
{
	uint32_t from = pk_get_be32(field);

	if (from == to)
		return;
	pk_put_be32(field, to);
	if (!odd)
		pk_csum_update32(csum, from, to);
	else
		pk_csum_update16(csum, nat_seqadj_swapped_sum(from), nat_seqadj_swapped_sum(to));
}

bool nat_seqadj_apply_tcp(const struct nat_seqadj *sa, enum nat_dir dir, uint8_t *tcp,
			  size_t tcp_len)
{
	struct pk_tcp_view v;
	enum nat_dir other = dir == NAT_DIR_OUT ? NAT_DIR_IN : NAT_DIR_OUT;
	uint8_t *csum = tcp + 16;

	if (tcp_len > UINT32_MAX || !pk_tcp_parse(tcp, (uint32_t)tcp_len, &v))
		return false;
	nat_seqadj_rewrite32(tcp + 4, false, csum, nat_seqadj_map_seq(sa, dir, v.seq));
	if (!(v.flags & PK_TCP_ACK))
		return true;
	nat_seqadj_rewrite32(tcp + 8, false, csum, nat_seqadj_map_ack(sa, other, v.ack));
	/* SACK blocks (RFC 2018) name the other direction's data, as the ack does. */
	uint8_t *o = tcp + PK_TCP_HLEN;
	size_t olen = v.opts_len;
	size_t i = 0;

	while (i < olen) {
		uint8_t kind = o[i];

		if (kind == PK_TCP_OPT_EOL)
			break;
		if (kind == PK_TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= olen || o[i + 1] < 2 || i + o[i + 1] > olen)
			break;
		if (kind == PK_TCP_OPT_SACK && (o[i + 1] - 2) % 8 == 0) {
			for (size_t b = i + 2; b + 8 <= i + o[i + 1]; b += 8) {
				bool odd = (b & 1) != 0;

				nat_seqadj_rewrite32(
					o + b, odd, csum,
					nat_seqadj_map_ack(sa, other, pk_get_be32(o + b)));
				nat_seqadj_rewrite32(
					o + b + 4, odd, csum,
					nat_seqadj_map_ack(sa, other, pk_get_be32(o + b + 4)));
			}
		}
		i += o[i + 1];
	}
	return true;
}
