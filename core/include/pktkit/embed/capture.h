/* SPDX-License-Identifier: MIT
 * embed/capture.h - Capture the traffic of ports to a pcapng file, without blocking the data path
 *
 * A capture copies every buffer that crosses its ports (both directions) into
 * a bounded in-memory queue; a writer thread turns the queue into pcapng
 * Enhanced Packet Blocks. When the queue is full the packet is counted as
 * dropped, never waited for; the drop counts go into the Interface
 * Statistics Blocks written at stop. Ports that are not captured cost one
 * predictable branch per emitted batch.
 *
 * File layout: a Section Header Block, one Interface Description Block per
 * port (link type ETHERNET for L2 ports, RAW for L3 ports, if_name the
 * endpoint "dev.group.N", if_tsresol 9 or 6), EPBs with epb_flags telling
 * inbound (delivered to the port's device) from outbound (sent by it), and
 * one ISB per interface at the end.
 */
#ifndef PKTKIT_EMBED_CAPTURE_H
#define PKTKIT_EMBED_CAPTURE_H

#include <pktkit/embed/graph.h>

G_BEGIN_DECLS

struct pk_capture;

/* Flags of struct pk_capture_options. */
#define PK_CAPTURE_USEC (1u << 0)	/* microsecond timestamps (default: nanoseconds) */

/**
 * struct pk_capture_options - How to capture; zero fields take the defaults
 * @flags:		PK_CAPTURE_* bits
 * @snaplen:		Bytes kept of each packet (default 65535)
 * @queue_bytes:	Size of the queue between data path and writer
 *			(default 4 MiB, rounded up to a power of two)
 */
struct pk_capture_options {
	uint32_t flags;
	uint32_t snaplen;
	uint32_t queue_bytes;
};

/**
 * struct pk_capture_stats - What a capture saw
 * @captured:	Packets queued for the file
 * @dropped:	Packets lost because the queue was full
 * @written:	Packets written to the file
 */
struct pk_capture_stats {
	uint64_t captured;
	uint64_t dropped;
	uint64_t written;
};

/**
 * pk_graph_capture_start() - Start capturing ports of @g into a new pcapng file
 * @g:		Graph
 * @endpoints:	NULL-terminated "dev.group.N" ("dev.group" or "dev" when that
 *		names a single port); each port must have been linked at least
 *		once and must not be captured already
 * @file:	Path; created or truncated
 * @opt:	Options, or NULL for the defaults
 * @error:	Set for an unknown device or port, a port captured already,
 *		or a file that cannot be written
 *
 * The capture keeps going across unlink and relink of its ports. Stop it
 * before removing a device it captures.
 *
 * Context: main context, outside device callbacks.
 * Return: (transfer full) the capture, or NULL.
 */
struct pk_capture *pk_graph_capture_start(struct pk_graph *g, const char *const *endpoints,
					  const char *file,
					  const struct pk_capture_options *opt, GError **error);

/**
 * pk_capture_stop() - Detach, write what is queued and the statistics, close and free
 * @cap:	Capture, or NULL
 * @stats:	Out, may be NULL: the final counts
 * @error:	Set if writing the file failed at any point
 *
 * Context: main context, outside device callbacks.
 * Return: true if the whole file was written.
 */
bool pk_capture_stop(struct pk_capture *cap, struct pk_capture_stats *stats, GError **error);

/**
 * pk_capture_file() - The file a capture writes
 * @cap:	Capture
 *
 * Context: any thread.
 */
const char *pk_capture_file(const struct pk_capture *cap);

G_END_DECLS

#endif /* PKTKIT_EMBED_CAPTURE_H */
