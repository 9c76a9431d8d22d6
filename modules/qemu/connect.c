// SPDX-License-Identifier: MIT
/* connect.c - Device type io.qemu-connect: one port "eth" to a QEMU that listens on a stream socket */
#include <errno.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <pktkit/error.h>
#include <pktkit/module.h>
#include <pktkit/pktkit.h>

#include "conn.h"
#include "qemu-types.h"
#include "sockaddr.h"

#define CONNECT_DOC                                                                              \
	"Connects to a QEMU that listens: `-netdev stream,server=on,addr.type=unix,"                \
	"addr.path=PATH` (or `addr.type=inet`), or `-netdev socket,listen=HOST:PORT`, and "         \
	"carries the guest's Ethernet frames between that socket and the \"eth\" port in QEMU's "  \
	"stream framing (4-byte big-endian length, then the frame).\n\n"                           \
	"QEMU serves one peer at a time. When the connection fails or ends, the device tries "     \
	"again every reconnect interval (0: never), so it may be started before QEMU. Frames "     \
	"from \"eth\" while not connected are dropped and counted. A record of length 0 or above " \
	"max-frame, or a connection that ends inside a record, closes the connection with a log "  \
	"line. Writes never block: up to queue-frames frames wait while the socket is full, more " \
	"are dropped (dropped-queue-full)."

struct qconnect_config {
	char *connect;
	int64_t reconnect;
	uint32_t max_frame;
	uint32_t queue_frames;
};

static const struct pk_param qconnect_params[] = {
	PK_PARAM_STR(struct qconnect_config, connect, "connect", NULL, PK_PF_REQUIRED,
		     "QEMU's listening socket: \"unix:/PATH\" or \"tcp:HOST:PORT\""),
	PK_PARAM_DURATION(struct qconnect_config, reconnect, "reconnect", "\"1s\"", 0,
			  3600 * PK_NSEC_PER_SEC, 0,
			  "Wait before connecting again after a failure or disconnect; 0: never"),
	PK_PARAM_U32(struct qconnect_config, max_frame, "max-frame", "16384", 64, 65535, 0,
		     "Largest frame in bytes, both ways; a longer record from QEMU closes the "
		     "connection"),
	PK_PARAM_U32(struct qconnect_config, queue_frames, "queue-frames", "256", 1, 65536, 0,
		     "Frames queued while the socket is full; more are dropped"),
};

static const struct pk_port_group qconnect_ports[] = {
	{ "eth", PK_L2, 0, 1, "The guest's Ethernet", 0 },
};

#define QCONNECT_OWN_COUNTERS(_)                                                     \
	_(C_CONNECTS, "connects", "Connections established")                         \
	_(C_CONNECT_FAILURES, "connect-failures", "Connection attempts that failed") \
	_(C_DISCONNECTS, "disconnects", "Connections that ended")                    \
	_(C_CONNECTED, "connected", "1 while connected (a gauge)")
PK_COUNTERS_ENUM_FROM(QC_N_COMMON, QCONNECT_OWN_COUNTERS);
#define QCONNECT_COUNTERS(_) QEMU_COMMON_COUNTERS(_) QCONNECT_OWN_COUNTERS(_)
PK_COUNTERS_TABLE(qconnect_counters, QCONNECT_COUNTERS);

struct qconnect {
	struct pk_dev *dev;
	struct qemu_addr addr;
	int64_t reconnect;
	uint32_t max_frame;
	uint32_t queue_frames;
	/* While running. */
	bool running;
	int pfd;			/* connect() in progress */
	struct pk_watch *pwatch;
	struct qemu_conn c;
	bool have_conn;
	struct pk_timer *retry;
	uint8_t *rbuf;
	bool logged_failure;
};

static int qconnect_settings(struct qconnect *q, const struct qconnect_config *cfg,
			     GError **error)
{
	if (!qemu_addr_parse(cfg->connect, "tcp", &q->addr, error)) {
		g_prefix_error(error, "connect: ");
		return -1;
	}
	q->reconnect = cfg->reconnect;
	q->max_frame = cfg->max_frame;
	q->queue_frames = cfg->queue_frames;
	return 0;
}

static void qconnect_try(struct pk_dev *dev, void *self, void *data);

static int qconnect_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct qconnect *q = self;

	q->dev = dev;
	q->pfd = -1;
	q->c.fd = -1;
	if (qconnect_settings(q, config, error) < 0)
		return -1;
	q->retry = pk_timer_new(dev, qconnect_try, NULL);
	q->rbuf = g_malloc(QEMU_READ_CHUNK);
	return 0;
}

static int qconnect_reconfigure(struct pk_dev *dev, void *self, const void *config,
				uint64_t changed, GError **error)
{
	struct qconnect *q = self;
	struct qconnect next = *q;

	(void)dev;
	(void)changed;
	if (qconnect_settings(&next, config, error) < 0)
		return -1;
	q->addr = next.addr;
	q->reconnect = next.reconnect;
	q->max_frame = next.max_frame;
	q->queue_frames = next.queue_frames;
	return 0;
}

static void qconnect_finalize(struct pk_dev *dev, void *self)
{
	struct qconnect *q = self;

	(void)dev;
	pk_timer_free(q->retry);
	q->retry = NULL;
	g_clear_pointer(&q->rbuf, g_free);
}

static void qconnect_schedule(struct qconnect *q)
{
	if (q->running && q->reconnect > 0)
		pk_timer_arm(q->retry, (uint64_t)q->reconnect);
}

static void qconnect_drop_conn(struct qconnect *q)
{
	if (!q->have_conn)
		return;
	qemu_conn_close(&q->c);
	q->have_conn = false;
	pk_dev_counters(q->dev)[C_CONNECTED] = 0;
}

static void qconnect_frames(struct qemu_conn *c, const struct pk_batch *batch)
{
	struct qconnect *q = c->owner;

	pk_dev_emit(q->dev, PK_PORT(0, 0), batch);
}

static void qconnect_closed(struct qemu_conn *c, const char *why)
{
	struct qconnect *q = c->owner;

	pk_dev_count(q->dev, C_DISCONNECTS, 1);
	pk_dev_log(q->dev, G_LOG_LEVEL_MESSAGE, "connection to %s ended: %s", c->name, why);
}

static void qconnect_idle(struct qemu_conn *c)
{
	struct qconnect *q = c->owner;

	if (c->failed) {
		qconnect_drop_conn(q);
		qconnect_schedule(q);
	}
}

static const struct qemu_conn_ops qconnect_conn_ops = {
	.frames = qconnect_frames,
	.closed = qconnect_closed,
	.idle = qconnect_idle,
};

static void qconnect_established(struct qconnect *q, int fd)
{
	if (q->addr.kind == QEMU_ADDR_INET) {
		int one = 1;

		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	memset(&q->c, 0, sizeof(q->c));
	qemu_conn_open(&q->c, q->dev, fd, q->max_frame, q->queue_frames, q->rbuf,
		       &qconnect_conn_ops, q, q->addr.text);
	q->have_conn = true;
	q->logged_failure = false;
	pk_dev_count(q->dev, C_CONNECTS, 1);
	pk_dev_counters(q->dev)[C_CONNECTED] = 1;
	pk_dev_log(q->dev, G_LOG_LEVEL_MESSAGE, "connected to %s", q->addr.text);
}

static void qconnect_failed(struct qconnect *q, int err)
{
	pk_dev_count(q->dev, C_CONNECT_FAILURES, 1);
	if (!q->logged_failure)	/* once per outage, not per retry */
		pk_dev_log(q->dev, G_LOG_LEVEL_MESSAGE, "cannot connect to %s: %s%s", q->addr.text,
			   g_strerror(err), q->reconnect > 0 ? " (retrying)" : "");
	q->logged_failure = true;
	qconnect_schedule(q);
}

static void qconnect_on_connected(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
				  void *data)
{
	struct qconnect *q = self;
	int err = 0;
	socklen_t el = sizeof(err);

	(void)dev;
	(void)revents;
	(void)data;
	pk_watch_free(q->pwatch);
	q->pwatch = NULL;
	q->pfd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err) {
		close(fd);
		qconnect_failed(q, err);
		return;
	}
	qconnect_established(q, fd);
}

static void qconnect_try(struct pk_dev *dev, void *self, void *data)
{
	struct qconnect *q = self;
	int fd;

	(void)data;
	if (!q->running || q->have_conn || q->pfd >= 0)
		return;
	fd = socket(q->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		qconnect_failed(q, errno);
		return;
	}
	if (connect(fd, (const struct sockaddr *)&q->addr.ss, q->addr.len) == 0) {
		qconnect_established(q, fd);
		return;
	}
	if (errno == EINPROGRESS || errno == EAGAIN) {
		q->pfd = fd;
		q->pwatch = pk_watch_fd(dev, fd, G_IO_OUT, qconnect_on_connected, NULL);
		return;
	}
	{
		int e = errno;

		close(fd);
		qconnect_failed(q, e);
	}
}

static int qconnect_start(struct pk_dev *dev, void *self, GError **error)
{
	struct qconnect *q = self;

	(void)error;
	q->running = true;
	q->logged_failure = false;
	qconnect_try(dev, q, NULL);
	return 0;
}

static void qconnect_stop(struct pk_dev *dev, void *self)
{
	struct qconnect *q = self;

	(void)dev;
	q->running = false;
	pk_timer_cancel(q->retry);
	qconnect_drop_conn(q);
	pk_watch_free(q->pwatch);
	q->pwatch = NULL;
	if (q->pfd >= 0)
		close(q->pfd);
	q->pfd = -1;
}

static void qconnect_receive(struct pk_dev *dev, void *self, uint32_t port,
			     const struct pk_batch *batch)
{
	struct qconnect *q = self;

	(void)port;
	if (PK_UNLIKELY(!q->have_conn || !qemu_conn_is_open(&q->c))) {
		pk_dev_count(dev, QC_DROPPED_NOT_CONNECTED, batch->n);
		return;
	}
	for (uint32_t i = 0; i < batch->n; i++)
		qemu_conn_send(&q->c, batch->buf[i]);
	qemu_conn_flush(&q->c);
	if (q->c.failed) {
		qconnect_drop_conn(q);
		qconnect_schedule(q);
	}
}

static const struct pk_device_ops qconnect_ops = {
	.init = qconnect_init,
	.start = qconnect_start,
	.stop = qconnect_stop,
	.finalize = qconnect_finalize,
	.reconfigure = qconnect_reconfigure,
	.receive = qconnect_receive,
};

const struct pk_device_type qemu_connect_type = {
	.name = "io.qemu-connect",
	.summary = "Connect to a QEMU listening with -netdev stream,server=on or socket,listen=",
	.doc = CONNECT_DOC,
	PK_ARRAY(ports, qconnect_ports),
	PK_ARRAY(params, qconnect_params),
	PK_ARRAY(counters, qconnect_counters),
	.config_size = sizeof(struct qconnect_config),
	.instance_size = sizeof(struct qconnect),
	.ops = &qconnect_ops,
};
