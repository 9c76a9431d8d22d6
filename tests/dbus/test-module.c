// SPDX-License-Identifier: MIT
/* test-module.c - pk-dbus-test.so: device types for the D-Bus tests only (a SECRET parameter, a traffic source)
 *
 * test.secret has a write-only password and key next to a live and a
 * non-live parameter. test.beacon emits an Ethernet frame from "src" to
 * "dst" every "interval" on its one port and counts what it receives, so a
 * hub has traffic that D-Bus can watch, rewire and capture.
 */
#include <pktkit/device-runtime.h>
#include <pktkit/module.h>

/* test.secret ---------------------------------------------------------------- */

struct secret_config {
	char *password;
	struct pk_key32 key;
	uint32_t level;
	char *label;
};

static const struct pk_param secret_params[] = {
	PK_PARAM_STR(struct secret_config, password, "password", NULL, PK_PF_SECRET | PK_PF_LIVE,
		     "Write-only password; never echoed"),
	PK_PARAM_KEY32(struct secret_config, key, "key", NULL, PK_PF_SECRET,
		       "Write-only 32-byte key (base64)"),
	PK_PARAM_U32(struct secret_config, level, "level", "1", 0, 10, PK_PF_LIVE,
		     "A live number 0..10"),
	PK_PARAM_STR(struct secret_config, label, "label", "\"plain\"", 0,
		     "A parameter that cannot change while running"),
};

static int secret_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	return 0;
}

static const struct pk_device_ops secret_ops = {
	.reconfigure = secret_reconfigure,
};

static const struct pk_device_type secret_type = {
	.name = "test.secret",
	.summary = "Test type with SECRET parameters",
	.doc = "For the D-Bus tests: GetConfig must never return password or key.",
	PK_ARRAY(params, secret_params),
	.config_size = sizeof(struct secret_config),
	.instance_size = 1,
	.ops = &secret_ops,
};

/* test.beacon ---------------------------------------------------------------- */

#define BEACON_ETHERTYPE 0x88b5	/* IEEE local experimental */
#define BEACON_FRAME_LEN 60

struct beacon_config {
	int64_t interval;
	struct pk_mac src;
	struct pk_mac dst;
	uint32_t burst;
};

struct beacon {
	struct beacon_config cfg;
	struct pk_timer *timer;
	uint64_t *ctr;
};

enum { BEACON_SENT, BEACON_RECEIVED };

static const struct pk_counter beacon_counters[] = {
	[BEACON_SENT] = { "sent", "Frames emitted while linked" },
	[BEACON_RECEIVED] = { "received", "Frames that arrived" },
};

static const struct pk_param beacon_params[] = {
	PK_PARAM_DURATION(struct beacon_config, interval, "interval", "\"10ms\"", PK_NSEC_PER_MSEC,
			  3600 * PK_NSEC_PER_SEC, PK_PF_LIVE, "Time between bursts"),
	PK_PARAM_MAC(struct beacon_config, src, "src", NULL, PK_PF_REQUIRED, "Source address"),
	PK_PARAM_MAC(struct beacon_config, dst, "dst", "\"ff:ff:ff:ff:ff:ff\"", PK_PF_LIVE,
		     "Destination address"),
	PK_PARAM_U32(struct beacon_config, burst, "burst", "1", 1, 64, PK_PF_LIVE,
		     "Frames per interval"),
};

static const struct pk_port_group beacon_ports[] = {
	{ "port", PK_L2, 0, 1, "Where the frames go", 0 },
};

static void beacon_tick(struct pk_dev *dev, void *self, void *data)
{
	struct beacon *b = self;
	struct pk_batch batch;

	pk_timer_arm(b->timer, (uint64_t)b->cfg.interval);
	if (!pk_dev_port_is_linked(dev, 0))
		return;
	pk_batch_init(&batch);
	for (uint32_t i = 0; i < b->cfg.burst; i++) {
		struct pk_buf *f = pk_buf_alloc(BEACON_FRAME_LEN);
		uint8_t *p;

		if (!f)
			break;
		p = pk_buf_data(f);
		memset(p, 0, BEACON_FRAME_LEN);
		memcpy(p, b->cfg.dst.b, 6);
		memcpy(p + 6, b->cfg.src.b, 6);
		p[12] = BEACON_ETHERTYPE >> 8;
		p[13] = BEACON_ETHERTYPE & 0xff;
		memcpy(p + 14, "pktkit-beacon", 13);
		pk_dev_autorelease(dev, f);
		batch.buf[batch.n++] = f;
	}
	pk_dev_emit(dev, 0, &batch);
	b->ctr[BEACON_SENT] += batch.n;
}

static int beacon_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct beacon *b = self;

	b->cfg = *(const struct beacon_config *)config;
	b->ctr = pk_dev_counters(dev);
	b->timer = pk_timer_new(dev, beacon_tick, NULL);
	return 0;
}

static int beacon_start(struct pk_dev *dev, void *self, GError **error)
{
	struct beacon *b = self;

	pk_timer_arm(b->timer, (uint64_t)b->cfg.interval);
	return 0;
}

static void beacon_finalize(struct pk_dev *dev, void *self)
{
	pk_timer_free(((struct beacon *)self)->timer);
}

static int beacon_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	((struct beacon *)self)->cfg = *(const struct beacon_config *)config;
	return 0;
}

static void beacon_receive(struct pk_dev *dev, void *self, uint32_t port,
			   const struct pk_batch *batch)
{
	((struct beacon *)self)->ctr[BEACON_RECEIVED] += batch->n;
}

static const struct pk_device_ops beacon_ops = {
	.init = beacon_init,
	.start = beacon_start,
	.finalize = beacon_finalize,
	.reconfigure = beacon_reconfigure,
	.receive = beacon_receive,
};

static const struct pk_device_type beacon_type = {
	.name = "test.beacon",
	.summary = "Test traffic source: one frame every interval",
	.doc = "For the D-Bus and capture tests.",
	PK_ARRAY(ports, beacon_ports),
	PK_ARRAY(params, beacon_params),
	PK_ARRAY(counters, beacon_counters),
	.config_size = sizeof(struct beacon_config),
	.instance_size = sizeof(struct beacon),
	.ops = &beacon_ops,
};

PK_MODULE_DEFINE("dbus-test", "Device types for the D-Bus tests", "0.1.0", "MIT",
		 "https://pktkit.invalid", &secret_type, &beacon_type)
