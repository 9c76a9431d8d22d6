/* SPDX-License-Identifier: MIT
 * txq.h - Bounded outbound queue of one stream connection, gathered into iovecs
 *
 * Each entry is a buffer reference plus its 4-byte stream header. The queue
 * hands out an iovec array covering as many records as fit (one writev() for
 * many frames) and is advanced by the bytes the kernel took, so a partial
 * write resumes mid-record. No I/O here: the caller does the writev().
 */
#ifndef QEMU_TXQ_H
#define QEMU_TXQ_H

#include <stdbool.h>
#include <sys/uio.h>

#include <pktkit/buf.h>

#include "framing.h"

struct qemu_txq_ent {
	struct pk_buf *b;
	uint8_t hdr[QEMU_STREAM_HDR];
};

/**
 * struct qemu_txq - Ring of queued records
 * @ent:	@cap entries
 * @cap:	Capacity (records)
 * @head:	Index of the oldest record
 * @n:		Records queued
 * @off:	Bytes of the oldest record (header included) already written
 * @bytes:	Bytes queued and not yet written (headers included)
 * @framed:	true: records carry a header (stream); false: frames only
 */
struct qemu_txq {
	struct qemu_txq_ent *ent;
	uint32_t cap;
	uint32_t head;
	uint32_t n;
	uint32_t off;
	uint64_t bytes;
	bool framed;
};

/**
 * qemu_txq_init() - Allocate a queue
 * @q:		Queue (zeroed or cleared)
 * @cap:	Most records queued (at least 1)
 * @framed:	Whether each record gets a 4-byte length prefix
 */
void qemu_txq_init(struct qemu_txq *q, uint32_t cap, bool framed);

/**
 * qemu_txq_clear() - Drop every queued reference and free the ring
 * @q:	Queue
 */
void qemu_txq_clear(struct qemu_txq *q);

/**
 * qemu_txq_push() - Queue a buffer, taking a reference
 * @q:	Queue
 * @b:	Buffer
 *
 * Return: false (nothing taken) when the queue is full.
 */
bool qemu_txq_push(struct qemu_txq *q, struct pk_buf *b);

/**
 * qemu_txq_iov() - Describe the queued bytes as an iovec array
 * @q:		Queue
 * @iov:	Output
 * @max:	Entries of @iov (at least 2)
 *
 * Return: entries filled (0 when the queue is empty).
 */
int qemu_txq_iov(const struct qemu_txq *q, struct iovec *iov, int max);

/**
 * qemu_txq_advance() - Forget @n bytes the kernel accepted
 * @q:	Queue
 * @n:	Bytes written, at most what qemu_txq_iov() described
 *
 * Return: records completed (their references dropped).
 */
uint32_t qemu_txq_advance(struct qemu_txq *q, size_t n);

static inline bool qemu_txq_empty(const struct qemu_txq *q)
{
	return q->n == 0;
}

static inline bool qemu_txq_full(const struct qemu_txq *q)
{
	return q->n >= q->cap;
}

#endif /* QEMU_TXQ_H */
