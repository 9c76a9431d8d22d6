/* SPDX-License-Identifier: MIT
 * batch.h - Batches of buffers: the unit of work on the hot path
 */
#ifndef PKTKIT_BATCH_H
#define PKTKIT_BATCH_H

#include <pktkit/buf.h>

G_BEGIN_DECLS

/* Most buffers a batch holds; sources read at most this many per syscall. */
#define PK_BATCH_MAX 64u

/**
 * struct pk_batch - Up to PK_BATCH_MAX buffers travelling together
 * @n:		Buffers in @buf
 * @flags:	Reserved, zero
 * @buf:	The buffers; a batch holds no references of its own
 *
 * A batch is plain storage, usually on the stack or in a device's instance
 * memory, reused for every call. Receiving a batch means borrowing its buffers
 * until the callback returns.
 */
struct pk_batch {
	uint32_t n;
	uint32_t flags;
	struct pk_buf *buf[PK_BATCH_MAX];
};

static inline void pk_batch_init(struct pk_batch *batch)
{
	batch->n = 0;
	batch->flags = 0;
}

static inline bool pk_batch_full(const struct pk_batch *batch)
{
	return batch->n >= PK_BATCH_MAX;
}

/**
 * pk_batch_add() - Append a buffer (no reference taken)
 * @batch:	Batch
 * @b:		Buffer
 *
 * Context: any thread, hot path.
 * Return: false, adding nothing, if the batch is full.
 */
static inline bool pk_batch_add(struct pk_batch *batch, struct pk_buf *b)
{
	if (PK_UNLIKELY(batch->n >= PK_BATCH_MAX))
		return false;
	batch->buf[batch->n++] = b;
	return true;
}

/**
 * pk_batch_unref_all() - Drop one reference on every buffer and empty the batch
 * @batch:	Batch whose buffers the caller owns
 *
 * Context: any thread.
 */
static inline void pk_batch_unref_all(struct pk_batch *batch)
{
	for (uint32_t i = 0; i < batch->n; i++)
		pk_buf_unref(batch->buf[i]);
	batch->n = 0;
}

G_END_DECLS

#endif /* PKTKIT_BATCH_H */
