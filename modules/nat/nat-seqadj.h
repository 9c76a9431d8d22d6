/* SPDX-License-Identifier: MIT
 * nat-seqadj.h - TCP sequence and acknowledgment adjustment after an ALG changed a payload's length
 *
 * When an ALG rewrites "PORT 10,0,0,2,4,1" into a longer outside address,
 * every later byte of that direction moves: the receiver must see sequence
 * numbers shifted by the difference, and the sender must get its own numbers
 * back in the acknowledgments (and SACK blocks) of the other direction.
 *
 * The state of one flow is a struct nat_seqadj the core keeps with the flow
 * (zeroed = no adjustment). Per direction it holds the last few change
 * points: the original sequence number of a rewritten segment and its length
 * change. A sequence number after a change point is moved by its delta, the
 * point itself (a retransmission of the rewritten segment, which the ALG
 * rewrites again) and anything before it are not, so retransmissions map the
 * same way as the first transmission. Recording the same segment twice does
 * not add its delta twice. All comparisons are modulo 2^32 (RFC 1982).
 *
 * Limits: a change is keyed by the segment's first sequence number, so a
 * retransmission cut at other boundaries (a sender that repacketizes) over a
 * rewritten line is not detected; the stream is then off by that delta, as
 * it would be with any NAT. Beyond NAT_SEQADJ_POINTS changes the oldest is
 * folded into a base offset: retransmissions from before it then map with
 * the newer offset (by then long acknowledged).
 *
 * Pure functions, no allocation. Context: the NAT device's context, hot path.
 */
#ifndef PK_NAT_SEQADJ_H
#define PK_NAT_SEQADJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat-core-ops.h"

#define NAT_SEQADJ_POINTS 8

struct nat_seqadj_point {
	uint32_t pos;  /* original sequence number of the rewritten segment's first byte */
	int32_t delta; /* new length - old length */
};

struct nat_seqadj_dir {
	int32_t base; /* folded deltas of points dropped from @pt */
	uint32_t n;
	struct nat_seqadj_point pt[NAT_SEQADJ_POINTS];
};

/* Indexed by enum nat_dir: the direction whose payload changed. */
struct nat_seqadj {
	struct nat_seqadj_dir d[2];
};

/**
 * nat_seqadj_init() - No adjustment in either direction
 * @sa:	State to reset (equivalent to zeroing it)
 *
 * Context: any thread.
 */
void nat_seqadj_init(struct nat_seqadj *sa);

/**
 * nat_seqadj_active() - Whether any adjustment is recorded
 * @sa:	State
 *
 * The core skips nat_seqadj_apply_tcp() while this is false.
 * Context: any thread, hot path.
 */
bool nat_seqadj_active(const struct nat_seqadj *sa);

/**
 * nat_seqadj_record() - Record that a segment's payload changed length
 * @sa:		State
 * @dir:	Direction of the segment
 * @seq:	Its original sequence number (as the sender wrote it)
 * @old_len:	Payload length before the rewrite
 * @new_len:	Payload length after
 *
 * Call it after the ALG rewrote the payload and before
 * nat_seqadj_apply_tcp() on the same segment. Equal lengths record nothing.
 * A second record at the same @seq with the same delta (a retransmission)
 * changes nothing.
 *
 * Return: false if a different delta is already recorded at @seq (the old
 * one is kept: the retransmission was rewritten differently) or the delta
 * does not fit in 16 bits.
 * Context: the NAT device's context, hot path.
 */
bool nat_seqadj_record(struct nat_seqadj *sa, enum nat_dir dir, uint32_t seq, size_t old_len,
		       size_t new_len);

/**
 * nat_seqadj_map_seq() - Sequence number as the receiver sees it
 * @sa:		State
 * @dir:	Direction of the segment
 * @seq:	Sequence number as the sender wrote it
 *
 * Context: any thread, hot path.
 */
uint32_t nat_seqadj_map_seq(const struct nat_seqadj *sa, enum nat_dir dir, uint32_t seq);

/**
 * nat_seqadj_map_ack() - Acknowledgment number (or SACK edge) as the data's sender knows it
 * @sa:		State
 * @data_dir:	Direction of the data acknowledged (the opposite of the ACK's)
 * @ack:	Number as the acknowledging side wrote it
 *
 * Context: any thread, hot path.
 */
uint32_t nat_seqadj_map_ack(const struct nat_seqadj *sa, enum nat_dir data_dir, uint32_t ack);

/**
 * nat_seqadj_apply_tcp() - Adjust a TCP header in place
 * @sa:		State
 * @dir:	Direction of the segment
 * @tcp:	TCP header (and options); writable
 * @tcp_len:	Bytes at @tcp (at least the header)
 *
 * Maps the sequence number with @dir's changes, the acknowledgment number
 * (if ACK is set) and every SACK block edge with the other direction's, and
 * updates the TCP checksum incrementally (RFC 1624) for each changed word,
 * so a caller that fixes the checksum of its own rewrites incrementally
 * need not recompute it. After an ALG changed the payload the caller
 * recomputes the TCP checksum anyway (payload and length changed); the
 * order does not matter then.
 *
 * Return: false (nothing written) if the header is malformed.
 * Context: the NAT device's context, hot path.
 */
bool nat_seqadj_apply_tcp(const struct nat_seqadj *sa, enum nat_dir dir, uint8_t *tcp,
			  size_t tcp_len);

#endif /* PK_NAT_SEQADJ_H */
