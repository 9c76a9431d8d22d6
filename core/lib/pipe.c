// SPDX-License-Identifier: MIT
/* pipe.c - Built-in pipe devices: inject traffic into a topology and capture what comes back
 *
 * core.pipe-l2 / core.pipe-l3 have one port "io". Buffers received are kept
 * (a reference each) in a bounded FIFO for pk_pipe_pop(); with capacity 0 they
 * are only counted, which is what benchmarks want.
 */
#include "runtime.h"
#include "pktkit/module.h"

struct pipe_config {
	uint32_t capacity;
};

struct pipe {
	uint32_t capacity;
	struct pk_buf **ring;
	uint32_t head;
	uint32_t len;
};

#define PIPE_COUNTERS(_)                                                           \
	_(PIPE_RECEIVED, "received", "Buffers that arrived on io")                 \
	_(PIPE_INJECTED, "injected", "Buffers sent out of io by pk_pipe_inject()") \
	_(PIPE_DROPPED_FULL, "dropped-full", "Buffers not kept because the queue was full")
PK_COUNTERS_DECLARE(pipe_counters, PIPE_COUNTERS);

static const struct pk_param pipe_params[] = {
	PK_PARAM_U32(struct pipe_config, capacity, "capacity", "1024", 0, 1048576, 0,
		     "Received buffers kept for pk_pipe_pop(); 0 only counts them"),
};

static const struct pk_port_group pipe_l2_ports[] = {
	{ "io", PK_L2, 0, 1, "Ethernet frames in and out", 0 },
};

static const struct pk_port_group pipe_l3_ports[] = {
	{ "io", PK_L3, 0, 1, "IP packets in and out", 0 },
};

static int pipe_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	const struct pipe_config *cfg = config;
	struct pipe *p = self;

	p->capacity = cfg->capacity;
	if (p->capacity)
		p->ring = g_new0(struct pk_buf *, p->capacity);
	return 0;
}

static void pipe_clear(struct pipe *p)
{
	while (p->len) {
		pk_buf_unref(p->ring[p->head]);
		p->head = (p->head + 1) % p->capacity;
		p->len--;
	}
}

static void pipe_finalize(struct pk_dev *dev, void *self)
{
	struct pipe *p = self;

	if (p->capacity)
		pipe_clear(p);
	g_free(p->ring);
}

static void pipe_receive(struct pk_dev *dev, void *self, uint32_t port,
			 const struct pk_batch *batch)
{
	struct pipe *p = self;
	uint64_t *ctr = pk_dev_counters(dev);

	ctr[PIPE_RECEIVED] += batch->n;
	for (uint32_t i = 0; i < batch->n; i++) {
		if (p->len == p->capacity) {
			ctr[PIPE_DROPPED_FULL] += batch->n - i;
			return;
		}
		p->ring[(p->head + p->len++) % p->capacity] = pk_buf_ref(batch->buf[i]);
	}
}

static const struct pk_device_ops pipe_ops = {
	.init = pipe_init,
	.finalize = pipe_finalize,
	.receive = pipe_receive,
};

#define PIPE_DOC                                                                               \
	"A test endpoint. Everything an application or test hands to pk_pipe_inject() leaves "  \
	"through the port io; everything arriving on io waits in a FIFO of 'capacity' buffers " \
	"for pk_pipe_pop(). With capacity 0 arrivals are only counted (for benchmarks)."

static const struct pk_device_type pipe_l2_type = {
	.name = "core.pipe-l2",
	.summary = "Inject and capture Ethernet frames (tests, embedding)",
	.doc = PIPE_DOC,
	PK_ARRAY(ports, pipe_l2_ports),
	PK_ARRAY(params, pipe_params),
	PK_ARRAY(counters, pipe_counters),
	.config_size = sizeof(struct pipe_config),
	.instance_size = sizeof(struct pipe),
	.ops = &pipe_ops,
};

static const struct pk_device_type pipe_l3_type = {
	.name = "core.pipe-l3",
	.summary = "Inject and capture IP packets (tests, embedding)",
	.doc = PIPE_DOC,
	PK_ARRAY(ports, pipe_l3_ports),
	PK_ARRAY(params, pipe_params),
	PK_ARRAY(counters, pipe_counters),
	.config_size = sizeof(struct pipe_config),
	.instance_size = sizeof(struct pipe),
	.ops = &pipe_ops,
};

static const struct pk_device_type *const pipe_types[] = { &pipe_l2_type, &pipe_l3_type, NULL };

const struct pk_module_info pk_core_module_info = {
	.abi_major = PK_ABI_MAJOR,
	.abi_minor = PK_ABI_MINOR,
	.name = "core",
	.version = PK_VERSION_STRING,
	.license = "MIT",
	.description = "Devices built into libpktkit",
	.origin = "pktkit",
	.types = pipe_types,
};

static struct pipe *pipe_of(struct pk_dev *dev)
{
	if (!dev || (dev->type != &pipe_l2_type && dev->type != &pipe_l3_type))
		return NULL;
	return dev->self;
}

bool pk_pipe_inject_batch(struct pk_dev *dev, const struct pk_batch *batch)
{
	if (!pipe_of(dev))
		return false;
	g_return_val_if_fail(!pk_dispatch_active(), false);
	pk_dispatch_begin(dev->graph);
	pk_dev_enter(dev);
	dev->counters[PIPE_INJECTED] += batch->n;
	pk_dev_emit(dev, 0, batch);
	pk_dev_leave(dev);
	pk_dispatch_end();
	return true;
}

bool pk_pipe_inject(struct pk_dev *dev, const void *data, uint32_t len)
{
	struct pk_batch batch = { .n = 1 };
	bool ok;

	if (!pipe_of(dev))
		return false;
	batch.buf[0] = pk_buf_new_copy(data, len);
	if (!batch.buf[0])
		return false;
	ok = pk_pipe_inject_batch(dev, &batch);
	pk_buf_unref(batch.buf[0]);
	return ok;
}

struct pk_buf *pk_pipe_pop(struct pk_dev *dev)
{
	struct pipe *p = pipe_of(dev);
	struct pk_buf *b;

	if (!p || p->len == 0)
		return NULL;
	b = p->ring[p->head];
	p->head = (p->head + 1) % p->capacity;
	p->len--;
	return b;
}

unsigned int pk_pipe_pending(struct pk_dev *dev)
{
	struct pipe *p = pipe_of(dev);

	return p ? p->len : 0;
}

void pk_pipe_clear(struct pk_dev *dev)
{
	struct pipe *p = pipe_of(dev);

	if (p && p->capacity)
		pipe_clear(p);
}
