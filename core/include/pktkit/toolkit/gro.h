/* SPDX-License-Identifier: MIT
 * toolkit/gro.h - Software receive offload: coalesce in-order TCP segments into super-packets
 *
 * The inverse of pk_gso_segment() (<pktkit/toolkit/gso.h>). A device that
 * receives many ordinary TCP segments at once (WireGuard after decryption, a
 * tunnel after decapsulation) gives each IP packet to pk_gro_add(); segments
 * that continue an open flow exactly are appended to one buffer, which leaves
 * as a TCP super-packet (pk_buf.gso_size, PK_CSUM_PARTIAL; <pktkit/buf.h>).
 * A port that takes offloads (io.tun with 'offload') then writes 64 KB at a
 * time instead of 45 packets; every other port gets the segments back, cut
 * by the core, byte for byte as they arrived.
 *
 * What is merged. A segment joins the open flow of its 4-tuple (addresses and
 * ports, one direction) when all of this holds, as in Linux's GRO:
 *
 *  - IPv4 without options, not a fragment, header checksum right, the same
 *    TOS (ECN bits included), TTL and flags (DF) as the flow, and an IP
 *    identification one more than the previous segment's (pk_gso_segment()
 *    counts it up the same way; senders with a fixed ID are not merged);
 *    IPv6 without extension headers, the same first word (traffic class,
 *    flow label) and hop limit;
 *  - the IP packet fills the buffer exactly (no trailing bytes) and carries
 *    no offload metadata of its own other than PK_CSUM_VERIFIED or a
 *    PK_CSUM_PARTIAL checksum at the TCP header;
 *  - TCP flags ACK or ACK|PSH only, payload not empty, sequence number the
 *    flow's next one, and every other TCP header byte (acknowledgement,
 *    header length, window, urgent pointer, options) identical to the
 *    flow's first segment. Options are compared byte for byte, timestamps
 *    included: segments sent in the same timestamp tick merge, a new TSval
 *    starts a new super-packet (Linux does the same);
 *  - a payload no larger than the first segment's (that size becomes
 *    gso_size); a smaller one, or PSH, ends the super-packet, which is then
 *    emitted at once;
 *  - the TCP checksum verifies, or the buffer says PK_CSUM_VERIFIED or
 *    PK_CSUM_PARTIAL (data that never left memory). Trust rule: a device
 *    whose packets were authenticated end to end by something that also
 *    covered the sender's TCP checksum may mark them PK_CSUM_VERIFIED to skip
 *    the check; WireGuard's AEAD authenticates the inner packet as the peer
 *    encrypted it, but the peer's TCP checksum inside may still be wrong (a
 *    buggy or hostile peer), so without the mark the coalescer verifies;
 *  - the super-packet stays within the limit given to pk_gro_new().
 *
 * Anything else passes through unchanged: non-TCP, TCP without payload (pure
 * ACKs), SYN/FIN/RST/URG/ECE/CWR segments, bad checksums, super-packets,
 * fragments, options. Such a packet first flushes the open flow of its
 * 4-tuple, and a TCP packet whose ports cannot be read (a fragment, IPv4
 * options, IPv6 extension headers) flushes every open flow between its two
 * addresses, so the packets of one flow never change order. Packets of
 * different flows may overtake each other: a UDP packet passes a TCP flow
 * held open before it.
 *
 * Output. A flow of one segment leaves as the buffer that came in, marked
 * PK_CSUM_VERIFIED when the coalescer verified its checksum and the buffer is
 * not shared. A flow of several is one new buffer (from the pool's 64 KB
 * class, no malloc in steady state) holding the first segment's headers with
 * IPv4 total length and header checksum or IPv6 payload length fixed, PSH if
 * the last segment had it, the payload of all segments, gso_size (the first
 * segment's payload), gso_type PK_GSO_TCPV4 / PK_GSO_TCPV6 and the TCP
 * checksum PK_CSUM_PARTIAL (pseudo-header sum; io.tun with 'offload' writes
 * it with VIRTIO_NET_HDR_F_NEEDS_CSUM and a GSO type, which is what a kernel
 * takes). pk_gso_segment() of it gives back the original segments byte for
 * byte.
 *
 * A struct pk_gro is owned by one device instance and used from its context
 * only; it holds no lock. Since: 1.2
 */
#ifndef PKTKIT_TOOLKIT_GRO_H
#define PKTKIT_TOOLKIT_GRO_H

#include <pktkit/batch.h>

G_BEGIN_DECLS

/* Open flows a coalescer holds when pk_gro_new() is given 0. */
#define PK_GRO_DEFAULT_FLOWS 8u
/* Most open flows a coalescer may hold. */
#define PK_GRO_MAX_FLOWS 64u
/* Largest super-packet (IP header included): the IPv4 total-length limit. */
#define PK_GRO_MAX_LEN 65535u

/* A coalescer (opaque). */
struct pk_gro;

/**
 * pk_gro_new() - Create a coalescer
 * @max_flows:	Flows held open at once, 1..PK_GRO_MAX_FLOWS; 0 for
 *		PK_GRO_DEFAULT_FLOWS. When a segment of a new flow finds the
 *		table full, the flow opened first is emitted.
 * @max_len:	Largest super-packet in bytes, IP header included, e.g. a
 *		port's limit; 0 or anything above PK_GRO_MAX_LEN for
 *		PK_GRO_MAX_LEN; values below 1280 are raised to 1280.
 *
 * Opaque so that the flow table's layout is not part of the ABI.
 *
 * Context: any thread; control path (allocates).
 * Return: (transfer full) the coalescer, freed with pk_gro_free(); never NULL.
 */
struct pk_gro *pk_gro_new(uint32_t max_flows, uint32_t max_len);

/**
 * pk_gro_free() - Free a coalescer and the buffers it still holds
 * @gro:	(transfer full) Coalescer, or NULL
 *
 * Held segments are dropped: call pk_gro_flush() first to deliver them.
 *
 * Context: the owner's context.
 */
void pk_gro_free(struct pk_gro *gro);

/**
 * pk_gro_add() - Coalesce one received IP packet
 * @gro:	Coalescer
 * @b:		(transfer full) An IPv4 or IPv6 packet (L3, at pk_buf_data());
 *		the caller's reference passes to @gro unless -ENOSPC is returned.
 *		A device that only borrows @b takes a reference for it
 *		(pk_buf_ref()). @b is not written unless it is unshared (then
 *		its checksum state may become PK_CSUM_VERIFIED, or its storage
 *		may hold the super-packet).
 * @out:	Batch that buffers ready to leave are appended to, in order;
 *		each carries one reference owned by the caller
 *
 * @b is appended to its open flow, or held as the first segment of a new
 * one, or added to @out (after its flow, if it ends or breaks one). Any call
 * adds at most pk_gro_pending() + 1 buffers to @out, and a buffer in @out or
 * held stands for at least one packet given since the last flush, so a
 * device that gives at most PK_BATCH_MAX packets between an empty @out and
 * pk_gro_flush() never sees -ENOSPC.
 *
 * Context: the owner's context, hot path. No malloc in steady state: a
 * super-packet's buffer comes from the pool; payload is copied once.
 * Return: 0 when @b was taken; -ENOSPC, with nothing done, if @out has fewer
 * than pk_gro_pending() + 1 free slots (send @out, empty it, call again).
 */
int pk_gro_add(struct pk_gro *gro, struct pk_buf *b, struct pk_batch *out);

/**
 * pk_gro_flush() - Emit every open flow (the end of a receive batch)
 * @gro:	Coalescer
 * @out:	Batch the held buffers are appended to, oldest flow first; each
 *		carries one reference owned by the caller
 *
 * Call it once all packets of a receive batch have gone through
 * pk_gro_add(), before emitting @out: the coalescer never holds packets
 * across batches by itself (it has no timer).
 *
 * Context: the owner's context, hot path.
 * Return: 1 when nothing is held any more, 0 when @out filled up first
 * (send @out, empty it, call again).
 */
int pk_gro_flush(struct pk_gro *gro, struct pk_batch *out);

/**
 * pk_gro_pending() - Flows held open
 * @gro:	Coalescer
 *
 * Each leaves as one buffer on pk_gro_flush().
 *
 * Context: the owner's context.
 * Return: the number of open flows, 0..max_flows.
 */
uint32_t pk_gro_pending(const struct pk_gro *gro);

G_END_DECLS

#endif /* PKTKIT_TOOLKIT_GRO_H */
