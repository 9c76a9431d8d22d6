/* SPDX-License-Identifier: MIT
 * toolkit/gso.h - Software segmentation offload: cut TCP super-packets, complete partial checksums
 *
 * The fallback for buffers that carry offload metadata (pk_buf.gso_size,
 * PK_CSUM_PARTIAL; <pktkit/buf.h>) where the receiver cannot take them: the
 * core calls it on delivery to ports without PK_PORT_F_OFFLOAD, and a device
 * may call it where it has to put such a packet on a medium that needs
 * ordinary packets. Since: 1.1
 */
#ifndef PKTKIT_TOOLKIT_GSO_H
#define PKTKIT_TOOLKIT_GSO_H

#include <pktkit/batch.h>

G_BEGIN_DECLS

/**
 * pk_gso_segment() - Ordinary packets from a buffer with offload metadata
 * @b:		Buffer: a TCP super-packet (gso_size and gso_type set) and/or a
 *		packet with a PK_CSUM_PARTIAL checksum; not modified
 * @l3_off:	Offset of the IP header from pk_buf_data(@b): 0 for IP
 *		packets (L3 ports), pk_eth_l3_offset() for Ethernet frames
 * @pos:	Cursor: 0 on the first call for @b; advanced past the
 *		segments added
 * @out:	Batch the new buffers are appended to; each carries one
 *		reference owned by the caller and no offload metadata
 *
 * A super-packet becomes ceil(payload / gso_size) packets with the headers
 * (link header included) of @b and at most gso_size bytes of payload each:
 * IPv4 total length, identification (counting up from @b's) and header
 * checksum, IPv6 payload length, TCP sequence number and checksum are set
 * per segment; FIN and PSH stay only on the last segment, CWR only on the
 * first. A packet that is not a super-packet (or whose payload fits in one
 * segment) becomes one copy with its checksum completed.
 *
 * Only TCP over IPv4 or IPv6 (extension headers allowed when the checksum
 * start says where TCP begins) is segmented; checksum completion works for
 * any protocol. Lengths are taken from the IP header and must fit in @b.
 *
 * Context: any thread (allocates from the buffer pool).
 * Return: 1 when the last packet was added, 0 when @out filled up first
 * (empty it and call again with the same @pos), -EINVAL if @b is malformed
 * or not something this handles, -ENOMEM if no buffer was free (@pos
 * stays at the packet that failed).
 */
int pk_gso_segment(const struct pk_buf *b, uint32_t l3_off, uint32_t *pos, struct pk_batch *out);

/**
 * pk_eth_l3_offset() - Where the IPv4 or IPv6 header of an Ethernet frame starts
 * @frame:	Frame
 * @len:	Bytes at @frame
 *
 * Skips up to two 802.1Q / 802.1ad tags.
 *
 * Context: any thread.
 * Return: the offset, or -1 if the frame carries neither IPv4 nor IPv6.
 */
int32_t pk_eth_l3_offset(const uint8_t *frame, uint32_t len);

G_END_DECLS

#endif /* PKTKIT_TOOLKIT_GSO_H */
