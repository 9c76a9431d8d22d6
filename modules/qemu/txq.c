// SPDX-License-Identifier: MIT
/* txq.c - Bounded outbound record queue with iovec gathering and partial-write resume */
#include <glib.h>

#include "txq.h"

void qemu_txq_init(struct qemu_txq *q, uint32_t cap, bool framed)
{
	q->cap = cap ? cap : 1;
	q->ent = g_new0(struct qemu_txq_ent, q->cap);
	q->head = q->n = q->off = 0;
	q->bytes = 0;
	q->framed = framed;
}

void qemu_txq_clear(struct qemu_txq *q)
{
	for (uint32_t i = 0; i < q->n; i++)
		pk_buf_unref(q->ent[(q->head + i) % q->cap].b);
	g_clear_pointer(&q->ent, g_free);
	q->head = q->n = q->off = 0;
	q->bytes = 0;
}

static uint32_t txq_hdr_len(const struct qemu_txq *q)
{
	return q->framed ? QEMU_STREAM_HDR : 0;
}

bool qemu_txq_push(struct qemu_txq *q, struct pk_buf *b)
{
	struct qemu_txq_ent *e;

	if (q->n >= q->cap || !q->ent)
		return false;
	e = &q->ent[(q->head + q->n) % q->cap];
	e->b = pk_buf_ref(b);
	qemu_stream_put_header(e->hdr, pk_buf_len(b));
	q->n++;
	q->bytes += txq_hdr_len(q) + pk_buf_len(b);
	return true;
}

int qemu_txq_iov(const struct qemu_txq *q, struct iovec *iov, int max)
{
	uint32_t hl = txq_hdr_len(q);
	int k = 0;

	for (uint32_t i = 0; i < q->n && k + 2 <= max; i++) {
		const struct qemu_txq_ent *e = &q->ent[(q->head + i) % q->cap];
		uint32_t skip = i == 0 ? q->off : 0;

		if (skip < hl) {
			iov[k].iov_base = (void *)(e->hdr + skip);
			iov[k].iov_len = hl - skip;
			k++;
			skip = 0;
		} else {
			skip -= hl;
		}
		if (pk_buf_len(e->b) > skip) {
			iov[k].iov_base = pk_buf_data(e->b) + skip;
			iov[k].iov_len = pk_buf_len(e->b) - skip;
			k++;
		}
	}
	return k;
}

uint32_t qemu_txq_advance(struct qemu_txq *q, size_t n)
{
	uint32_t hl = txq_hdr_len(q), done = 0;

	if (n > q->bytes)
		n = (size_t)q->bytes;
	q->bytes -= n;
	while (n > 0 && q->n > 0) {
		struct qemu_txq_ent *e = &q->ent[q->head];
		size_t left = (size_t)hl + pk_buf_len(e->b) - q->off;

		if (n < left) {
			q->off += (uint32_t)n;
			break;
		}
		n -= left;
		pk_buf_unref(e->b);
		e->b = NULL;
		q->head = (q->head + 1) % q->cap;
		q->n--;
		q->off = 0;
		done++;
	}
	return done;
}
