// SPDX-License-Identifier: MIT
/* test-devices.c - Small device types for exercising the graph runtime in tests */
#include <unistd.h>
#include "test-devices.h"

GPtrArray *test_devices_log;

static void tlog(struct pk_dev *dev, const char *what, uint32_t port, bool with_port)
{
	if (!test_devices_log)
		test_devices_log = g_ptr_array_new_with_free_func(g_free);
	if (with_port)
		g_ptr_array_add(test_devices_log,
				g_strdup_printf("%s:%s:%u", what, pk_dev_id(dev), port));
	else
		g_ptr_array_add(test_devices_log, g_strdup_printf("%s:%s", what, pk_dev_id(dev)));
}

static int t_start(struct pk_dev *dev, void *self, GError **error)
{
	tlog(dev, "start", 0, false);
	return 0;
}

static void t_stop(struct pk_dev *dev, void *self)
{
	tlog(dev, "stop", 0, false);
}

static int t_link(struct pk_dev *dev, void *self, uint32_t port, GError **error)
{
	tlog(dev, "link", port, true);
	return 0;
}

static void t_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	tlog(dev, "unlink", port, true);
}

/* test.echo */
static void echo_receive(struct pk_dev *dev, void *self, uint32_t port,
			 const struct pk_batch *batch)
{
	pk_dev_emit(dev, port, batch);
}

static const struct pk_port_group echo_ports[] = { { "eth", PK_L2, 0, 1, "Port", 0 } };
static const struct pk_device_ops echo_ops = {
	.start = t_start, .stop = t_stop, .link = t_link, .unlink = t_unlink,
	.receive = echo_receive,
};
static const struct pk_device_type echo_type = {
	.name = "test.echo", .summary = "Reflects batches",
	PK_ARRAY(ports, echo_ports), .ops = &echo_ops,
};

/* test.tee: a hub without learning, taking references while flooding */
struct tee {
	uint32_t linked[64];
	uint32_t n;
};

static int tee_link(struct pk_dev *dev, void *self, uint32_t port, GError **error)
{
	struct tee *t = self;

	if (t->n == G_N_ELEMENTS(t->linked)) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE, "test.tee takes 64 links at most");
		return -1;
	}
	t->linked[t->n++] = port;
	return 0;
}

static void tee_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	struct tee *t = self;

	for (uint32_t i = 0; i < t->n; i++)
		if (t->linked[i] == port)
			t->linked[i] = t->linked[--t->n];
}

static void tee_receive(struct pk_dev *dev, void *self, uint32_t port,
			const struct pk_batch *batch)
{
	struct tee *t = self;

	for (uint32_t i = 0; i < batch->n; i++)
		pk_buf_ref(batch->buf[i]);
	for (uint32_t i = 0; i < t->n; i++)
		if (t->linked[i] != port)
			pk_dev_emit(dev, t->linked[i], batch);
	for (uint32_t i = 0; i < batch->n; i++)
		pk_buf_unref(batch->buf[i]);
}

static const struct pk_port_group tee_ports[] = { { "port", PK_L2, 0, 1000, "Ports", 0 } };
static const struct pk_device_ops tee_ops = {
	.link = tee_link, .unlink = tee_unlink, .receive = tee_receive,
};
static const struct pk_device_type tee_type = {
	.name = "test.tee", .summary = "Floods everything",
	PK_ARRAY(ports, tee_ports), .instance_size = sizeof(struct tee), .ops = &tee_ops,
};

/* test.mutate */
enum { MUTATE_COPIED, MUTATE_IN_PLACE, MUTATE_NO_MEMORY };
static const struct pk_counter mutate_counters[] = {
	{ "copied", "Writes that needed a copy" },
	{ "in-place", "Writes done in place" },
	{ "no-memory", "Buffers dropped" },
};
static const struct pk_port_group mutate_ports[] = {
	{ "in", PK_L2, 0, 1, "Input", 0 },
	{ "out", PK_L2, 0, 1, "Output", 0 },
};

static void mutate_receive(struct pk_dev *dev, void *self, uint32_t port,
			   const struct pk_batch *batch)
{
	struct pk_batch out;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *w = pk_buf_writable(dev, batch->buf[i]);

		if (!w) {
			pk_dev_count(dev, MUTATE_NO_MEMORY, 1);
			continue;
		}
		pk_dev_count(dev, w == batch->buf[i] ? MUTATE_IN_PLACE : MUTATE_COPIED, 1);
		if (pk_buf_len(w))
			pk_buf_data(w)[0] = 0xee;
		pk_batch_add(&out, w);
	}
	pk_dev_emit(dev, PK_PORT(1, 0), &out);
}

static const struct pk_device_ops mutate_ops = { .receive = mutate_receive };
static const struct pk_device_type mutate_type = {
	.name = "test.mutate", .summary = "Writes a byte",
	PK_ARRAY(ports, mutate_ports), PK_ARRAY(counters, mutate_counters), .ops = &mutate_ops,
};

/* test.ticker */
struct ticker_config {
	int64_t period;
	uint32_t count;
};
struct ticker {
	struct ticker_config cfg;
	struct pk_timer *timer;
};
static const struct pk_param ticker_params[] = {
	PK_PARAM_DURATION(struct ticker_config, period, "period", "\"1s\"", PK_NSEC_PER_MSEC,
			  3600 * PK_NSEC_PER_SEC, PK_PF_LIVE, "Time between frames"),
	PK_PARAM_U32(struct ticker_config, count, "count", "0", 0, 1000, 0,
		     "Frames to send, 0 for no limit"),
};
static const struct pk_port_group ticker_ports[] = { { "out", PK_L2, 0, 1, "Output", 0 } };
enum { TICKER_SENT };
static const struct pk_counter ticker_counters[] = { { "sent", "Frames sent" } };

static void ticker_fire(struct pk_dev *dev, void *self, void *data)
{
	struct ticker *t = self;
	struct pk_buf *b = pk_buf_alloc(60);

	memset(pk_buf_data(b), 0, 60);
	pk_buf_data(b)[0] = 0xff;	/* broadcast */
	pk_dev_autorelease(dev, b);
	pk_dev_emit_one(dev, 0, b);
	pk_dev_count(dev, TICKER_SENT, 1);
	if (!t->cfg.count || pk_dev_counters(dev)[TICKER_SENT] < t->cfg.count)
		pk_timer_arm(t->timer, (uint64_t)t->cfg.period);
}

static int ticker_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct ticker *t = self;

	t->cfg = *(const struct ticker_config *)config;
	t->timer = pk_timer_new(dev, ticker_fire, NULL);
	return 0;
}

static int ticker_start(struct pk_dev *dev, void *self, GError **error)
{
	struct ticker *t = self;

	pk_timer_arm(t->timer, (uint64_t)t->cfg.period);
	return t_start(dev, self, error);
}

static void ticker_stop(struct pk_dev *dev, void *self)
{
	t_stop(dev, self);	/* the host cancels the timer */
}

static int ticker_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	struct ticker *t = self;

	t->cfg = *(const struct ticker_config *)config;
	if (pk_timer_is_armed(t->timer))
		pk_timer_arm(t->timer, (uint64_t)t->cfg.period);
	return 0;
}

static const struct pk_device_ops ticker_ops = {
	.init = ticker_init, .start = ticker_start, .stop = ticker_stop,
	.reconfigure = ticker_reconfigure,
};
static const struct pk_device_type ticker_type = {
	.name = "test.ticker", .summary = "Sends a frame per period",
	PK_ARRAY(ports, ticker_ports), PK_ARRAY(params, ticker_params),
	PK_ARRAY(counters, ticker_counters),
	.config_size = sizeof(struct ticker_config), .instance_size = sizeof(struct ticker),
	.ops = &ticker_ops,
};

/* test.l3sink */
static const struct pk_port_group l3sink_ports[] = { { "ip", PK_L3, 1, 1, "Input", 0 } };
static const struct pk_device_ops l3sink_ops = { 0 };
static const struct pk_device_type l3sink_type = {
	.name = "test.l3sink", .summary = "Swallows packets; must be linked",
	PK_ARRAY(ports, l3sink_ports), .ops = &l3sink_ops,
};

/* test.reader: reads datagrams from a descriptor given as a parameter and emits them */
struct reader_config {
	int64_t fd;
};
struct reader {
	int fd;
	struct pk_watch *watch;
};
static const struct pk_param reader_params[] = {
	PK_PARAM_I64(struct reader_config, fd, "fd", NULL, 0, 65535, PK_PF_REQUIRED,
		     "Descriptor to read"),
};
static const struct pk_port_group reader_ports[] = { { "out", PK_L2, 0, 1, "Output", 0 } };

static void reader_ready(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			 void *data)
{
	struct pk_buf *b = pk_buf_alloc(2048);
	ssize_t n = read(fd, pk_buf_data(b), 2048);

	if (n > 0) {
		pk_buf_trim(b, (uint32_t)n);
		pk_dev_emit_one(dev, 0, b);
	}
	pk_buf_unref(b);
}

static int reader_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	((struct reader *)self)->fd = (int)((const struct reader_config *)config)->fd;
	return 0;
}

static int reader_start(struct pk_dev *dev, void *self, GError **error)
{
	struct reader *r = self;

	r->watch = pk_watch_fd(dev, r->fd, G_IO_IN, reader_ready, NULL);
	return 0;
}

static const struct pk_device_ops reader_ops = {
	.init = reader_init, .start = reader_start,
};
static const struct pk_device_type reader_type = {
	.name = "test.reader", .summary = "Emits what it reads from a descriptor",
	PK_ARRAY(ports, reader_ports), PK_ARRAY(params, reader_params),
	.config_size = sizeof(struct reader_config), .instance_size = sizeof(struct reader),
	.ops = &reader_ops,
};

/* test.spawner: names a template; tests call pk_dev_instantiate() on it */
struct spawner_config {
	char *template_name;
};
static const struct pk_param spawner_params[] = {
	PK_PARAM_STR(struct spawner_config, template_name, "template", NULL, PK_PF_TEMPLATE,
		     "Template to instantiate"),
};
static const struct pk_port_group spawner_ports[] = {
	{ "seg", PK_L2, 0, 16, "Instances' attach points", 0 },
	{ "ip", PK_L3, 0, 4, "An L3 group", 0 },
};
static const struct pk_device_ops spawner_ops = {
	.start = t_start, .stop = t_stop, .link = t_link, .unlink = t_unlink,
};
static const struct pk_device_type spawner_type = {
	.name = "test.spawner", .summary = "Owns template instances",
	PK_ARRAY(ports, spawner_ports), PK_ARRAY(params, spawner_params),
	.config_size = sizeof(struct spawner_config), .ops = &spawner_ops,
};

/* test.bounce: ping-pong. Each frame carries a round number (bytes 0..3).
 * The passive side answers every frame with a NEW frame of the same round;
 * the side with `rounds` > 0 starts round 1 from a timer at start (delay 0)
 * and answers round n with a new frame of round n + 1 until `rounds`. */
struct bounce_config {
	uint32_t rounds;
};
struct bounce {
	struct bounce_config cfg;
	struct pk_timer *timer;
};
static const struct pk_param bounce_params[] = {
	PK_PARAM_U32(struct bounce_config, rounds, "rounds", "0", 0, 10000000, 0,
		     "Rounds to play (starts them); 0: answer only"),
};
static const struct pk_port_group bounce_ports[] = { { "eth", PK_L2, 0, 1, "Port", 0 } };
enum { BOUNCE_RECEIVED, BOUNCE_SENT };
static const struct pk_counter bounce_counters[] = {
	{ "received", "Frames received" }, { "sent", "Frames sent" },
};

static void bounce_send(struct pk_dev *dev, uint32_t round)
{
	struct pk_buf *b = pk_buf_alloc(60);

	memset(pk_buf_data(b), 0, 60);
	memcpy(pk_buf_data(b), &round, sizeof(round));
	pk_dev_emit_one(dev, 0, b);
	pk_buf_unref(b);
	pk_dev_count(dev, BOUNCE_SENT, 1);
}

static void bounce_fire(struct pk_dev *dev, void *self, void *data)
{
	bounce_send(dev, 1);
}

static void bounce_receive(struct pk_dev *dev, void *self, uint32_t port,
			   const struct pk_batch *batch)
{
	struct bounce *t = self;

	for (uint32_t i = 0; i < batch->n; i++) {
		uint32_t round;

		memcpy(&round, pk_buf_data(batch->buf[i]), sizeof(round));
		pk_dev_count(dev, BOUNCE_RECEIVED, 1);
		if (!t->cfg.rounds)
			bounce_send(dev, round);
		else if (round < t->cfg.rounds)
			bounce_send(dev, round + 1);
	}
}

static int bounce_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct bounce *t = self;

	t->cfg = *(const struct bounce_config *)config;
	t->timer = pk_timer_new(dev, bounce_fire, NULL);
	return 0;
}

static int bounce_start(struct pk_dev *dev, void *self, GError **error)
{
	struct bounce *t = self;

	if (t->cfg.rounds)
		pk_timer_arm(t->timer, 0);
	return 0;
}

static const struct pk_device_ops bounce_ops = {
	.init = bounce_init, .start = bounce_start, .receive = bounce_receive,
};
static const struct pk_device_type bounce_type = {
	.name = "test.bounce", .summary = "Plays ping-pong with new frames",
	PK_ARRAY(ports, bounce_ports), PK_ARRAY(params, bounce_params),
	PK_ARRAY(counters, bounce_counters),
	.config_size = sizeof(struct bounce_config), .instance_size = sizeof(struct bounce),
	.ops = &bounce_ops,
};

static const struct pk_device_type *const test_types[] = {
	&echo_type, &tee_type, &mutate_type, &ticker_type, &l3sink_type, &reader_type,
	&spawner_type, &bounce_type, NULL,
};

const struct pk_module_info test_devices_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR,
	.name = "test-devices", .version = "1", .license = "MIT",
	.description = "Graph runtime test devices", .origin = "tests", .types = test_types,
};

struct pk_registry *test_devices_registry(void)
{
	struct pk_registry *reg = pk_registry_new();

	g_assert_true(pk_registry_add_module(reg, &test_devices_module, "(test)", NULL));
	return reg;
}
