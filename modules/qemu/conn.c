// SPDX-License-Identifier: MIT
/* conn.c - Stream connection glue: batched reads into pool buffers, gathered writes, backpressure */
#include <errno.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include "conn.h"

/* Reads per wake-up before yielding to other sources (level-triggered: the rest comes next). */
#define CONN_READS_PER_WAKEUP 4
/* iovec entries per writev(): two per record. */
#define CONN_IOV 128

static void conn_fail(struct qemu_conn *c, uint32_t counter, const char *why)
{
	if (c->failed)
		return;
	c->failed = true;
	pk_dev_count(c->dev, counter, 1);	/* UINT32_MAX: no counter */
	if (c->watch)
		pk_watch_set_events(c->watch, 0);
	c->ops->closed(c, why);
}

static void conn_deliver(struct qemu_conn *c)
{
	if (c->batch.n == 0)
		return;
	pk_dev_count(c->dev, QC_RX_FRAMES, c->batch.n);
	c->ops->frames(c, &c->batch);
	pk_batch_unref_all(&c->batch);
}

static uint8_t *conn_alloc(void *ctx, uint32_t len)
{
	struct qemu_conn *c = ctx;

	c->cur = pk_buf_alloc(len);
	if (!c->cur) {
		pk_dev_drop(c->dev, PK_DROP_NO_BUFFER, 1);
		return NULL;
	}
	return pk_buf_data(c->cur);
}

static void conn_frame(void *ctx, uint8_t *storage, uint32_t len)
{
	struct qemu_conn *c = ctx;
	struct pk_buf *b = c->cur;

	(void)storage;
	c->cur = NULL;
	if (len < 14) {
		pk_dev_count(c->dev, QC_DROPPED_SHORT, 1);
		pk_buf_unref(b);
		return;
	}
	if (pk_batch_full(&c->batch))
		conn_deliver(c);
	pk_batch_add(&c->batch, b);
}

static void conn_read(struct qemu_conn *c)
{
	const struct qemu_stream_sink sink = { conn_alloc, conn_frame, c };

	for (int i = 0; i < CONN_READS_PER_WAKEUP && !c->failed; i++) {
		ssize_t n = read(c->fd, c->rbuf, QEMU_READ_CHUNK);
		int rc;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_deliver(c);
			conn_fail(c, QC_IO_ERRORS, g_strerror(errno));
			return;
		}
		if (n == 0) {
			conn_deliver(c);
			if (qemu_stream_mid_record(&c->rx))
				conn_fail(c, QC_PROTOCOL_ERRORS,
					  "peer closed the connection inside a record (truncated "
					  "frame)");
			else
				conn_fail(c, UINT32_MAX, "peer closed the connection");
			return;
		}
		pk_dev_count(c->dev, QC_RX_READS, 1);
		rc = qemu_stream_feed(&c->rx, c->rbuf, (size_t)n, &sink);
		if (rc != QEMU_STREAM_OK) {
			char why[128];

			conn_deliver(c);
			g_snprintf(why, sizeof(why), "protocol error: %s (max-frame %u)",
				   qemu_stream_error_str(rc), c->rx.max_frame);
			conn_fail(c, QC_PROTOCOL_ERRORS, why);
			return;
		}
		if ((size_t)n < QEMU_READ_CHUNK)
			break;
	}
	conn_deliver(c);
}

static void conn_on_ready(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			  void *data)
{
	struct qemu_conn *c = data;

	(void)dev;
	(void)self;
	(void)fd;
	if (c->failed)
		return;
	if (revents & G_IO_OUT)
		qemu_conn_flush(c);
	if (!c->failed && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
		conn_read(c);
	/* Last: the owner may free failed connections here, @c included. */
	if (c->ops->idle)
		c->ops->idle(c);
}

void qemu_conn_open(struct qemu_conn *c, struct pk_dev *dev, int fd, uint32_t max_frame,
		    uint32_t queue, uint8_t *rbuf, const struct qemu_conn_ops *ops, void *owner,
		    const char *name)
{
	c->dev = dev;
	c->fd = fd;
	c->rbuf = rbuf;
	c->ops = ops;
	c->owner = owner;
	c->failed = false;
	c->want_out = false;
	c->cur = NULL;
	pk_batch_init(&c->batch);
	g_strlcpy(c->name, name, sizeof(c->name));
	qemu_stream_parser_init(&c->rx, max_frame);
	qemu_txq_init(&c->tx, queue, true);
	c->watch = pk_watch_fd(dev, fd, G_IO_IN, conn_on_ready, c);
}

void qemu_conn_close(struct qemu_conn *c)
{
	pk_watch_free(c->watch);
	c->watch = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	qemu_stream_take_storage(&c->rx);
	g_clear_pointer(&c->cur, pk_buf_unref);
	pk_batch_unref_all(&c->batch);
	qemu_txq_clear(&c->tx);
}

bool qemu_conn_send(struct qemu_conn *c, struct pk_buf *b)
{
	uint32_t len = pk_buf_len(b);

	if (PK_UNLIKELY(len < 14)) {
		pk_dev_count(c->dev, QC_DROPPED_SHORT, 1);
		return false;
	}
	if (PK_UNLIKELY(len > c->rx.max_frame)) {
		pk_dev_count(c->dev, QC_DROPPED_TOO_LONG, 1);
		return false;
	}
	if (PK_UNLIKELY(!qemu_conn_is_open(c) || !qemu_txq_push(&c->tx, b))) {
		pk_dev_drop(c->dev, PK_DROP_QUEUE_FULL, 1);
		return false;
	}
	return true;
}

void qemu_conn_flush(struct qemu_conn *c)
{
	struct iovec iov[CONN_IOV];
	uint64_t sent = 0;

	while (qemu_conn_is_open(c) && !qemu_txq_empty(&c->tx)) {
		int k = qemu_txq_iov(&c->tx, iov, CONN_IOV);
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)k };
		ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			pk_dev_count(c->dev, QC_TX_FRAMES, sent);
			conn_fail(c, QC_IO_ERRORS, g_strerror(errno));
			return;
		}
		pk_dev_count(c->dev, QC_TX_WRITES, 1);
		sent += qemu_txq_advance(&c->tx, (size_t)n);
	}
	pk_dev_count(c->dev, QC_TX_FRAMES, sent);
	if (c->watch && !c->failed && c->want_out == qemu_txq_empty(&c->tx)) {
		c->want_out = !c->want_out;
		pk_watch_set_events(c->watch, c->want_out ? (G_IO_IN | G_IO_OUT) : G_IO_IN);
	}
}
