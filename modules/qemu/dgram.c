// SPDX-License-Identifier: MIT
/* dgram.c - Device type io.qemu-dgram: one port "eth" to a QEMU -netdev dgram (one frame per datagram) */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <pktkit/error.h>
#include <pktkit/module.h>
#include <pktkit/pktkit.h>

#include "conn.h"
#include "qemu-types.h"
#include "sockaddr.h"
#include "txq.h"

#define DGRAM_DOC                                                                                \
	"Exchanges Ethernet frames with a QEMU started with `-netdev dgram` (QEMU 7.2: "           \
	"`local.type=inet,local.host=H,local.port=P,remote.type=inet,...`, or `local.type=unix,"   \
	"local.path=...,remote.type=unix,remote.path=...`) or the legacy `-netdev "               \
	"socket,udp=HOST:PORT,localaddr=HOST:PORT`: one frame per datagram, no length prefix, "   \
	"over UDP or UNIX datagram sockets. The device receives on \"local\" (QEMU's remote) and " \
	"sends to \"remote\" (QEMU's local).\n\n"                                                  \
	"Datagrams whose source is not \"remote\" are dropped and counted (dropped-foreign), so " \
	"only that QEMU can inject frames. There is no connection: frames sent while the QEMU is " \
	"not running are refused by the kernel (UNIX) or lost (UDP) and counted as "              \
	"dropped-not-connected where the kernel says so. Reads take up to 64 datagrams per "      \
	"system call (recvmmsg) and hand them on as one batch; writes send up to 64 frames per "  \
	"system call (sendmmsg). When the socket or a UNIX peer's queue is full, up to "          \
	"queue-frames frames wait and are retried (UDP: when the socket is writable; UNIX: after " \
	"1 ms); more are dropped (dropped-queue-full).\n\n"                                        \
	"A UNIX socket file is created with socket-mode before it receives, a stale one is "      \
	"replaced, a live one is an error, and the file is removed when the device stops."

struct qdgram_config {
	char *local;
	char *remote;
	char *socket_mode;
	uint32_t max_frame;
	uint32_t queue_frames;
};

static const struct pk_param qdgram_params[] = {
	PK_PARAM_STR(struct qdgram_config, local, "local", NULL, PK_PF_REQUIRED,
		     "Where to receive: \"udp:HOST:PORT\" or \"unix:/PATH\" (QEMU's remote)"),
	PK_PARAM_STR(struct qdgram_config, remote, "remote", NULL, PK_PF_REQUIRED,
		     "Where QEMU receives: \"udp:HOST:PORT\" or \"unix:/PATH\" (QEMU's local); "
		     "the same kind as local"),
	PK_PARAM_STR(struct qdgram_config, socket_mode, "socket-mode", "\"0600\"", 0,
		     "Octal permissions of a UNIX socket file (QEMU must be able to send to it)"),
	PK_PARAM_U32(struct qdgram_config, max_frame, "max-frame", "16384", 64, 65535, 0,
		     "Largest frame in bytes, both ways; longer datagrams are dropped"),
	PK_PARAM_U32(struct qdgram_config, queue_frames, "queue-frames", "256", 1, 65536, 0,
		     "Frames waiting while the socket or the peer is full; more are dropped"),
};

static const struct pk_port_group qdgram_ports[] = {
	{ "eth", PK_L2, 0, 1, "The guest's Ethernet", 0 },
};

#define QDGRAM_OWN_COUNTERS(_)                  \
	_(D_DROPPED_FOREIGN, "dropped-foreign", \
	  "Datagrams from an address other than remote, dropped")
PK_COUNTERS_ENUM_FROM(QC_N_COMMON, QDGRAM_OWN_COUNTERS);
#define QDGRAM_COUNTERS(_) QEMU_COMMON_COUNTERS(_) QDGRAM_OWN_COUNTERS(_)
PK_COUNTERS_TABLE(qdgram_counters, QDGRAM_COUNTERS);

/* Datagrams per recvmmsg()/sendmmsg(). */
#define QD_BATCH 64
/* recvmmsg() calls per wake-up before yielding to other sources. */
#define QD_READS_PER_WAKEUP 4
/* Retry delay when a UNIX peer's queue is full (its socket gives no writability signal). */
#define QD_UNIX_RETRY_NS (1000 * 1000)

struct qdgram {
	struct pk_dev *dev;
	/* Settings. */
	struct qemu_addr local;
	struct qemu_addr remote;
	unsigned int mode;
	uint32_t max_frame;
	uint32_t queue_frames;
	/* While running. */
	int fd;
	struct pk_watch *watch;
	struct pk_timer *retry;
	struct stat st;
	bool running;
	bool want_out;
	struct qemu_txq tx;
	struct pk_batch batch;
	struct pk_buf *rxb[QD_BATCH];
	struct sockaddr_storage from[QD_BATCH];
	struct iovec iov[QD_BATCH];
	struct mmsghdr msg[QD_BATCH];
};

static int qdgram_settings(struct qdgram *d, const struct qdgram_config *cfg, GError **error)
{
	if (!qemu_parse_mode(cfg->socket_mode, &d->mode)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "socket-mode: '%s' is not an octal mode such as \"0600\"",
			    cfg->socket_mode ? cfg->socket_mode : "");
		return -1;
	}
	if (!qemu_addr_parse(cfg->local, "udp", &d->local, error)) {
		g_prefix_error(error, "local: ");
		return -1;
	}
	if (!qemu_addr_parse(cfg->remote, "udp", &d->remote, error)) {
		g_prefix_error(error, "remote: ");
		return -1;
	}
	if (d->local.ss.ss_family != d->remote.ss.ss_family) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "local '%s' and remote '%s' are of different kinds (both UNIX, both "
			    "UDP over IPv4, or both over IPv6)", d->local.text, d->remote.text);
		return -1;
	}
	d->max_frame = cfg->max_frame;
	d->queue_frames = cfg->queue_frames;
	return 0;
}

static void qdgram_retry(struct pk_dev *dev, void *self, void *data);

static int qdgram_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct qdgram *d = self;

	d->dev = dev;
	d->fd = -1;
	if (qdgram_settings(d, config, error) < 0)
		return -1;
	d->retry = pk_timer_new(dev, qdgram_retry, NULL);
	return 0;
}

static int qdgram_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	struct qdgram *d = self;
	struct qdgram next;

	(void)dev;
	(void)changed;
	memset(&next, 0, sizeof(next));
	if (qdgram_settings(&next, config, error) < 0)
		return -1;
	d->local = next.local;
	d->remote = next.remote;
	d->mode = next.mode;
	d->max_frame = next.max_frame;
	d->queue_frames = next.queue_frames;
	return 0;
}

static void qdgram_finalize(struct pk_dev *dev, void *self)
{
	struct qdgram *d = self;

	(void)dev;
	pk_timer_free(d->retry);
	d->retry = NULL;
}

/* Whether @sa (from recvmmsg) is the configured remote. */
static bool qdgram_from_remote(const struct qdgram *d, const struct sockaddr_storage *sa,
			       socklen_t len)
{
	const struct sockaddr_storage *r = &d->remote.ss;

	if (sa->ss_family != r->ss_family)
		return false;
	switch (sa->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *a = (const void *)sa, *b = (const void *)r;

		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *a = (const void *)sa, *b = (const void *)r;

		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	case AF_UNIX: {
		const struct sockaddr_un *a = (const void *)sa, *b = (const void *)r;
		size_t n = len > offsetof(struct sockaddr_un, sun_path)
				   ? len - offsetof(struct sockaddr_un, sun_path)
				   : 0;

		return strnlen(a->sun_path, n) == strlen(b->sun_path) &&
		       strncmp(a->sun_path, b->sun_path, n) == 0;
	}
	default:
		return false;
	}
}

/* Receive ---------------------------------------------------------------------------- */

static void qdgram_deliver(struct qdgram *d)
{
	if (d->batch.n == 0)
		return;
	pk_dev_count(d->dev, QC_RX_FRAMES, d->batch.n);
	pk_dev_emit(d->dev, PK_PORT(0, 0), &d->batch);
	pk_batch_unref_all(&d->batch);
}

static void qdgram_read(struct qdgram *d)
{
	uint64_t *ctr = pk_dev_counters(d->dev);

	for (int round = 0; round < QD_READS_PER_WAKEUP; round++) {
		unsigned int want = QD_BATCH;
		int n;

		for (unsigned int i = 0; i < want; i++) {
			if (!d->rxb[i]) {
				d->rxb[i] = pk_buf_alloc(d->max_frame);
				if (!d->rxb[i]) {
					want = i;
					break;
				}
			}
			/* A longer datagram comes back with MSG_TRUNC: counted as too long. */
			d->iov[i].iov_base = pk_buf_data(d->rxb[i]);
			d->iov[i].iov_len = pk_buf_len(d->rxb[i]);
			memset(&d->msg[i], 0, sizeof(d->msg[i]));
			d->msg[i].msg_hdr.msg_iov = &d->iov[i];
			d->msg[i].msg_hdr.msg_iovlen = 1;
			d->msg[i].msg_hdr.msg_name = &d->from[i];
			d->msg[i].msg_hdr.msg_namelen = sizeof(d->from[i]);
		}
		if (want == 0) {
			/* No buffer: take one datagram off the socket and count it. */
			char sink;

			if (recv(d->fd, &sink, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
				pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
			break;
		}
		n = recvmmsg(d->fd, d->msg, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ctr[QC_IO_ERRORS]++;	/* e.g. a queued ICMP error: not fatal */
			break;
		}
		if (n == 0)
			break;
		ctr[QC_RX_READS]++;
		for (int i = 0; i < n; i++) {
			struct mmsghdr *m = &d->msg[i];
			uint32_t len = m->msg_len;

			if (!qdgram_from_remote(d, &d->from[i], m->msg_hdr.msg_namelen)) {
				ctr[D_DROPPED_FOREIGN]++;
				continue;
			}
			if (m->msg_hdr.msg_flags & MSG_TRUNC) {
				ctr[QC_DROPPED_TOO_LONG]++;
				continue;
			}
			if (len < 14) {
				ctr[QC_DROPPED_SHORT]++;
				continue;
			}
			pk_buf_trim(d->rxb[i], len);
			pk_batch_add(&d->batch, d->rxb[i]);
			d->rxb[i] = NULL;
		}
		/* Buffers kept for the next round were not trimmed (their length is intact). */
		qdgram_deliver(d);
		if ((unsigned int)n < want)
			break;
	}
}

/* Send ------------------------------------------------------------------------------- */

/* Drop the oldest queued frame (the kernel refused it). */
static void qdgram_drop_head(struct qdgram *d, uint32_t counter)
{
	struct qemu_txq *q = &d->tx;

	qemu_txq_advance(q, pk_buf_len(q->ent[q->head].b));
	pk_dev_count(d->dev, counter, 1);
}

static void qdgram_want_out(struct qdgram *d, bool on)
{
	if (d->remote.kind == QEMU_ADDR_UNIX) {
		if (on)
			pk_timer_arm(d->retry, QD_UNIX_RETRY_NS);
		return;
	}
	if (d->want_out != on && d->watch) {
		d->want_out = on;
		pk_watch_set_events(d->watch, on ? (G_IO_IN | G_IO_OUT) : G_IO_IN);
	}
}

static void qdgram_flush(struct qdgram *d)
{
	struct qemu_txq *q = &d->tx;
	uint64_t sent = 0;

	while (d->fd >= 0 && !qemu_txq_empty(q)) {
		unsigned int k = q->n < QD_BATCH ? q->n : QD_BATCH;
		int n;

		for (unsigned int i = 0; i < k; i++) {
			struct pk_buf *b = q->ent[(q->head + i) % q->cap].b;

			d->iov[i].iov_base = pk_buf_data(b);
			d->iov[i].iov_len = pk_buf_len(b);
			memset(&d->msg[i], 0, sizeof(d->msg[i]));
			d->msg[i].msg_hdr.msg_iov = &d->iov[i];
			d->msg[i].msg_hdr.msg_iovlen = 1;
			d->msg[i].msg_hdr.msg_name = &d->remote.ss;
			d->msg[i].msg_hdr.msg_namelen = d->remote.len;
		}
		n = sendmmsg(d->fd, d->msg, k, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			size_t bytes = 0;

			for (int i = 0; i < n; i++)
				bytes += d->iov[i].iov_len;
			pk_dev_count(d->dev, QC_TX_WRITES, 1);
			sent += qemu_txq_advance(q, bytes);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			pk_dev_count(d->dev, QC_TX_FRAMES, sent);
			qdgram_want_out(d, true);
			return;
		}
		if (n < 0 && (errno == ECONNREFUSED || errno == ENOENT || errno == ENOTCONN ||
			      errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EPERM))
			qdgram_drop_head(d, QC_DROPPED_NOT_CONNECTED);
		else
			qdgram_drop_head(d, QC_IO_ERRORS);
	}
	pk_dev_count(d->dev, QC_TX_FRAMES, sent);
	qdgram_want_out(d, false);
}

static void qdgram_retry(struct pk_dev *dev, void *self, void *data)
{
	(void)dev;
	(void)data;
	qdgram_flush(self);
}

static void qdgram_on_ready(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			    void *data)
{
	struct qdgram *d = self;

	(void)dev;
	(void)fd;
	(void)data;
	if (revents & G_IO_OUT)
		qdgram_flush(d);
	if (revents & (G_IO_IN | G_IO_ERR))
		qdgram_read(d);
}

static void qdgram_receive(struct pk_dev *dev, void *self, uint32_t port,
			   const struct pk_batch *batch)
{
	struct qdgram *d = self;
	uint64_t *ctr = pk_dev_counters(dev);

	(void)port;
	if (PK_UNLIKELY(d->fd < 0)) {
		ctr[QC_DROPPED_NOT_CONNECTED] += batch->n;
		return;
	}
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		uint32_t len = pk_buf_len(b);

		if (PK_UNLIKELY(len < 14))
			ctr[QC_DROPPED_SHORT]++;
		else if (PK_UNLIKELY(len > d->max_frame))
			ctr[QC_DROPPED_TOO_LONG]++;
		else if (PK_UNLIKELY(!qemu_txq_push(&d->tx, b)))
			pk_dev_drop(d->dev, PK_DROP_QUEUE_FULL, 1);
	}
	qdgram_flush(d);
}

/* Start and stop ---------------------------------------------------------------------- */

static int qdgram_start(struct pk_dev *dev, void *self, GError **error)
{
	struct qdgram *d = self;
	int sz = 1 << 20;
	char where[160];

	d->fd = qemu_socket_bind(&d->local, SOCK_DGRAM, d->mode, &d->st, error);
	if (d->fd < 0)
		return -1;
	/* Room for bursts (a guest's TCP window) while the main loop is busy; best effort. */
	(void)setsockopt(d->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	(void)setsockopt(d->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (d->local.kind == QEMU_ADDR_INET) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getsockname(d->fd, (struct sockaddr *)&ss, &sl) == 0)
			qemu_addr_format((struct sockaddr *)&ss, sl, "udp", where, sizeof(where));
		else
			g_strlcpy(where, d->local.text, sizeof(where));
	} else {
		g_snprintf(where, sizeof(where), "%s (mode %04o)", d->local.text, d->mode);
	}
	qemu_txq_init(&d->tx, d->queue_frames, false);
	pk_batch_init(&d->batch);
	d->want_out = false;
	d->watch = pk_watch_fd(dev, d->fd, G_IO_IN, qdgram_on_ready, NULL);
	d->running = true;
	pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "QEMU datagrams: receiving on %s, sending to %s",
		   where, d->remote.text);
	return 0;
}

static void qdgram_stop(struct pk_dev *dev, void *self)
{
	struct qdgram *d = self;

	(void)dev;
	d->running = false;
	pk_timer_cancel(d->retry);
	pk_watch_free(d->watch);
	d->watch = NULL;
	if (d->fd >= 0) {
		close(d->fd);
		qemu_socket_unlink(&d->local, &d->st);
	}
	d->fd = -1;
	qemu_txq_clear(&d->tx);
	pk_batch_unref_all(&d->batch);
	for (unsigned int i = 0; i < QD_BATCH; i++)
		g_clear_pointer(&d->rxb[i], pk_buf_unref);
}

static const struct pk_device_ops qdgram_ops = {
	.init = qdgram_init,
	.start = qdgram_start,
	.stop = qdgram_stop,
	.finalize = qdgram_finalize,
	.reconfigure = qdgram_reconfigure,
	.receive = qdgram_receive,
};

const struct pk_device_type qemu_dgram_type = {
	.name = "io.qemu-dgram",
	.summary = "Exchange frames with a QEMU -netdev dgram / socket,udp= (UDP or UNIX datagrams)",
	.doc = DGRAM_DOC,
	PK_ARRAY(ports, qdgram_ports),
	PK_ARRAY(params, qdgram_params),
	PK_ARRAY(counters, qdgram_counters),
	.config_size = sizeof(struct qdgram_config),
	.instance_size = sizeof(struct qdgram),
	.ops = &qdgram_ops,
};
