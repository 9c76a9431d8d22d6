/* SPDX-License-Identifier: MIT
 * conn.h - One QEMU stream connection on a device: non-blocking fd, framing, bounded TX queue
 *
 * The I/O glue shared by io.qemu-listen (one per guest) and io.qemu-connect.
 * Reads are batched: one read() of up to 64 KiB is parsed into many frames
 * which are handed to the owner as one batch. Writes are gathered: one
 * writev() carries as many queued records as fit. A connection that would
 * block keeps its records queued (bounded, overflow counted) and watches
 * G_IO_OUT until the queue drains, so a slow peer never blocks anyone.
 */
#ifndef QEMU_CONN_H
#define QEMU_CONN_H

#include <pktkit/pktkit.h>

#include "framing.h"
#include "txq.h"

/* Counters every type of the module declares first (then its own, from
 * QC_N_COMMON on: PK_COUNTERS_ENUM_FROM()). */
#define QEMU_COMMON_COUNTERS(_)                                                    \
	_(QC_RX_FRAMES, "rx-frames", "Frames received from QEMU peers")            \
	_(QC_TX_FRAMES, "tx-frames", "Frames handed to the kernel for QEMU peers") \
	_(QC_RX_READS, "rx-reads",                                                 \
	  "Read system calls that returned data (frames per "                      \
	  "read = rx-frames / rx-reads)")                                          \
	_(QC_TX_WRITES, "tx-writes", "Write system calls that sent data")          \
	_(QC_DROPPED_TOO_LONG, "dropped-too-long",                                 \
	  "Frames towards a peer longer than max-frame, dropped")                  \
	_(QC_DROPPED_SHORT, "dropped-short",                                       \
	  "Frames shorter than an Ethernet header (14 bytes), dropped")            \
	_(QC_DROPPED_NOT_CONNECTED, "dropped-not-connected",                       \
	  "Frames that arrived while no peer was connected")                       \
	_(QC_PROTOCOL_ERRORS, "protocol-errors",                                   \
	  "Connections closed for a bad record length or a truncated "             \
	  "record")                                                                \
	_(QC_IO_ERRORS, "io-errors", "Connections closed for a socket error")
PK_COUNTERS_ENUM(QEMU_COMMON_COUNTERS);
enum {
	QC_N_COMMON = PK_COUNTERS_COUNT(QEMU_COMMON_COUNTERS)
};

/* Size of the read buffer a device shares among its connections. */
#define QEMU_READ_CHUNK 65536u

struct qemu_conn;

/**
 * struct qemu_conn_ops - What a connection asks of its owner
 * @frames:	Frames read from the peer; the buffers are owned by the
 *		connection and released after the call (take references to keep)
 * @closed:	The connection failed or ended; @why says how (for the log).
 *		The owner must call qemu_conn_close() later, not from here
 *		(the connection is still in use up the stack).
 * @idle:	Called last in each wake-up of the connection's watch, when
 *		nothing of the connection is in use any more: the place to close
 *		and free failed connections (this one included). May be NULL.
 */
struct qemu_conn_ops {
	void (*frames)(struct qemu_conn *c, const struct pk_batch *batch);
	void (*closed)(struct qemu_conn *c, const char *why);
	void (*idle)(struct qemu_conn *c);
};

/**
 * struct qemu_conn - State of one stream connection
 * @dev:	Owning device
 * @fd:		Socket (non-blocking), -1 when closed
 * @watch:	Watch on @fd
 * @rx:		Framing parser
 * @tx:		Outbound queue
 * @cur:	Buffer of the record being reassembled
 * @batch:	Frames of the current read
 * @rbuf:	Read buffer, QEMU_READ_CHUNK bytes, owned by the device
 * @ops:	Owner callbacks
 * @owner:	For the owner
 * @failed:	An error was seen; @closed has been called
 * @want_out:	G_IO_OUT is being watched (records are queued)
 * @name:	Peer description for log lines ("unix:/run/x.sock#3")
 */
struct qemu_conn {
	struct pk_dev *dev;
	int fd;
	struct pk_watch *watch;
	struct qemu_stream_parser rx;
	struct qemu_txq tx;
	struct pk_buf *cur;
	struct pk_batch batch;
	uint8_t *rbuf;
	const struct qemu_conn_ops *ops;
	void *owner;
	bool failed;
	bool want_out;
	char name[128];
};

/**
 * qemu_conn_open() - Start serving a connected non-blocking socket
 * @c:		Connection (zeroed)
 * @dev:	Owning device
 * @fd:		Socket; owned by the connection from now on
 * @max_frame:	Largest record accepted from the peer
 * @queue:	Outbound queue capacity in frames
 * @rbuf:	Shared read buffer of QEMU_READ_CHUNK bytes
 * @ops:	Callbacks
 * @owner:	For the callbacks
 * @name:	Peer description
 *
 * Context: owner context (cold).
 */
void qemu_conn_open(struct qemu_conn *c, struct pk_dev *dev, int fd, uint32_t max_frame,
		    uint32_t queue, uint8_t *rbuf, const struct qemu_conn_ops *ops, void *owner,
		    const char *name);

/**
 * qemu_conn_close() - Close the socket, free the watch, drop queued frames
 * @c:	Connection; may be closed already
 *
 * Context: owner context.
 */
void qemu_conn_close(struct qemu_conn *c);

/**
 * qemu_conn_send() - Queue one frame for the peer (reference taken)
 * @c:	Connection
 * @b:	Frame
 *
 * Does not write: call qemu_conn_flush() after queuing a batch.
 * Counts dropped-queue-full / dropped-too-long / dropped-short itself.
 *
 * Context: owner context, hot path.
 * Return: true if queued.
 */
bool qemu_conn_send(struct qemu_conn *c, struct pk_buf *b);

/**
 * qemu_conn_flush() - Write what the queue holds without blocking
 * @c:	Connection
 *
 * Arms G_IO_OUT while records remain. On a socket error marks the
 * connection failed and calls ops->closed.
 *
 * Context: owner context, hot path.
 */
void qemu_conn_flush(struct qemu_conn *c);

/**
 * qemu_conn_is_open() - Whether the connection has a socket and has not failed
 * @c:	Connection
 */
static inline bool qemu_conn_is_open(const struct qemu_conn *c)
{
	return c->fd >= 0 && !c->failed;
}

#endif /* QEMU_CONN_H */
