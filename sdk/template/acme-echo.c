// SPDX-License-Identifier: MIT
/* acme-echo.c - Example out-of-tree pktkit module: an L2 device reflecting frames to their sender
 *
 * The device type "acme.echo" has one Ethernet port, "eth". Every frame that
 * arrives there is sent back out of the same port, by default with its source
 * and destination MAC addresses swapped so that the sender sees a reply
 * addressed to itself. Frames longer than "max-len" are dropped and counted.
 *
 * This file is the starting point for a new module: copy the directory,
 * replace the "acme" vendor prefix, keep the shape (sdk/template/README.md).
 * Everything the host needs to know is the const data at the bottom; the
 * only symbol the .so exports is pk_module_query(), from PK_MODULE_DEFINE().
 */
#include <pktkit/pktkit.h>

/* meson.build passes the project version; a fallback keeps the file buildable alone. */
#ifndef ACME_ECHO_VERSION
#define ACME_ECHO_VERSION "0.0.0"
#endif

/**
 * struct echo_config - Configuration, filled by the host from the parameter schema
 * @swap_mac:	Swap destination and source MAC before reflecting
 * @max_len:	Longest frame reflected, in bytes
 *
 * The host parses the topology JSON (and later changes) into this struct,
 * defaults included, and validates it before any method sees it.
 */
struct echo_config {
	bool swap_mac;
	uint32_t max_len;
};

/**
 * struct echo - Instance state; the host allocates it zeroed (instance_size)
 * @cfg:	Copy of the configuration in force
 * @out:	Output batch, reused by every receive so that the hot path
 *		never allocates
 * @last_len:	Length of the last frame reflected (for the status)
 * @last_at:	When it was reflected (pk_dev_now())
 * @reflected:	Whether any frame was reflected yet
 */
struct echo {
	struct echo_config cfg;
	struct pk_batch out;
	uint32_t last_len;
	uint64_t last_at;
	bool reflected;
};

/* Parameter indexes: PK_PARAM_BIT(ECHO_P_...) is their bit in reconfigure's @changed. */
enum {
	ECHO_P_SWAP_MAC,
	ECHO_P_MAX_LEN,
};

static const struct pk_param echo_params[] = {
	[ECHO_P_SWAP_MAC] = PK_PARAM_BOOL(struct echo_config, swap_mac, "swap-mac", "true",
					  PK_PF_LIVE,
					  "Swap source and destination MAC before reflecting"),
	[ECHO_P_MAX_LEN] = PK_PARAM_U32(struct echo_config, max_len, "max-len", "1514", 60, 65535,
					0, "Drop frames longer than this many bytes"),
};

/*
 * Counters: one list gives the index enum (ECHO_C_*) and the table. Frames
 * lost for want of a buffer are the core's "dropped-no-buffer", which every
 * device has: pk_buf_writable() counts them itself.
 */
#define ECHO_COUNTERS(_)                                                              \
	_(ECHO_C_REFLECTED, "reflected", "Frames sent back out of eth")               \
	_(ECHO_C_TOO_LONG, "dropped-too-long", "Frames longer than max-len, dropped") \
	_(ECHO_C_SHORT, "dropped-short", "Frames shorter than an Ethernet header, dropped")
PK_COUNTERS_DECLARE(echo_counters, ECHO_COUNTERS);

static const struct pk_port_group echo_ports[] = {
	{ "eth", PK_L2, 1, 1, "Ethernet frames in; their reflections out", 0 },
};

/**
 * echo_reconfigure() - Take a new configuration
 * @dev:	Host handle of this instance
 * @self:	Instance state (struct echo)
 * @config:	The full new configuration (struct echo_config), validated
 * @changed:	PK_PARAM_BIT() of every parameter that was given
 * @error:	Unused: every value the schema accepts is fine here
 *
 * While the device runs the host passes only LIVE parameters (swap-mac)
 * here; it refuses max-len itself. @config holds no strings, so a plain copy
 * keeps everything (a module with PK_PT_STR parameters copies the strings it
 * needs beyond the next reconfigure).
 *
 * Context: main context (cold).
 * Return: 0.
 */
static int echo_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			    GError **error G_GNUC_UNUSED)
{
	struct echo *e = self;
	const struct echo_config *cfg = config;

	if ((changed & PK_PARAM_BIT(ECHO_P_SWAP_MAC)) && cfg->swap_mac != e->cfg.swap_mac)
		pk_dev_debug(dev, "swap-mac is now %s", cfg->swap_mac ? "on" : "off");
	e->cfg = *cfg;
	return 0;
}

/**
 * echo_init() - Set up a new instance from its configuration
 * @dev:	Host handle of this instance
 * @self:	Zeroed instance memory (struct echo)
 * @config:	Parsed and validated configuration (struct echo_config)
 * @error:	Unused
 *
 * Context: main context (cold).
 * Return: 0.
 */
static int echo_init(struct pk_dev *dev G_GNUC_UNUSED, void *self, const void *config,
		     GError **error G_GNUC_UNUSED)
{
	struct echo *e = self;

	e->cfg = *(const struct echo_config *)config;
	pk_batch_init(&e->out);
	return 0;
}

/**
 * echo_receive() - Reflect a batch of frames out of the port it came in on
 * @dev:	Host handle of this instance
 * @self:	Instance state (struct echo)
 * @port:	Port the batch arrived on (the only one: eth)
 * @in:		Borrowed batch; it and its buffers are valid until return
 *
 * Builds one output batch and emits it once. A buffer nobody else holds is
 * changed in place; a shared one (a hub's flood, a test's extra reference)
 * is copied by pk_buf_writable(), and the copy belongs to the current
 * dispatch, so nothing here needs releasing. @e->out can be reused safely:
 * the host never calls back into this instance while it is inside
 * pk_dev_emit(); a reply aimed at it is queued until this function returns.
 *
 * Context: owner context, hot path: must not block or allocate.
 */
static PK_HOT void echo_receive(struct pk_dev *dev, void *self, uint32_t port,
				const struct pk_batch *in)
{
	struct echo *e = self;
	uint64_t too_long = 0, short_frames = 0;

	e->out.n = 0;
	for (uint32_t i = 0; i < in->n; i++) {
		struct pk_buf *b = in->buf[i];

		if (PK_UNLIKELY(pk_buf_len(b) > e->cfg.max_len)) {
			too_long++;
			continue;
		}
		if (PK_UNLIKELY(pk_buf_len(b) < PK_ETH_HLEN)) {
			short_frames++;
			continue;
		}
		if (e->cfg.swap_mac) {
			b = pk_buf_writable(dev, b);	/* copies only if shared */
			if (PK_UNLIKELY(!b))		/* the core counted it */
				continue;
			pk_eth_swap_addrs(pk_buf_data(b));
		}
		e->out.buf[e->out.n++] = b;	/* in->n <= PK_BATCH_MAX: always fits */
	}
	/* Drops are counted, never returned: one update per counter per batch. */
	if (too_long)
		pk_dev_count(dev, ECHO_C_TOO_LONG, too_long);
	if (short_frames)
		pk_dev_count(dev, ECHO_C_SHORT, short_frames);
	if (e->out.n == 0)
		return;
	pk_dev_count(dev, ECHO_C_REFLECTED, e->out.n);
	e->last_len = pk_buf_len(e->out.buf[e->out.n - 1]);
	e->last_at = pk_dev_now(dev);	/* read once per dispatch: cheap */
	e->reflected = true;
	pk_dev_emit(dev, port, &e->out);
	e->out.n = 0;	/* the buffers were only lent to the peer */
}

/* Status (ABI 1.2): read-only state, filled only when someone asks. */
enum {
	ECHO_S_LAST_LENGTH,
	ECHO_S_LAST_AGE,
};

static const struct pk_status_field echo_status[] = {
	[ECHO_S_LAST_LENGTH] = { "last-length", PK_ST_UINT, "Length of the last frame reflected" },
	[ECHO_S_LAST_AGE] = { "last-age", PK_ST_DURATION, "Time since the last frame reflected" },
};

/**
 * echo_status_write() - Fill the status (pktkitctl status, D-Bus GetStatus)
 * @dev:	Device
 * @self:	Instance state (struct echo)
 * @w:		Writer: values by index into echo_status[]
 *
 * Context: owner context, between dispatches; must not block. Values left
 * unset (nothing reflected yet) are absent.
 */
static void echo_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	const struct echo *e = self;

	if (!e->reflected)
		return;
	pk_status_set_uint(w, ECHO_S_LAST_LENGTH, e->last_len);
	pk_status_set_duration(w, ECHO_S_LAST_AGE, pk_dev_now(dev) - e->last_at);
}

static const struct pk_device_ops echo_ops = {
	.init = echo_init,
	.reconfigure = echo_reconfigure,
	.receive = echo_receive,
	.status = echo_status_write,
};

#define ECHO_DOC                                                                              \
	"Sends every Ethernet frame that arrives on eth back out of eth. With swap-mac (the "   \
	"default) the source and destination MAC addresses are exchanged first, so the "       \
	"sender receives a frame addressed to itself; swap-mac can be changed while the "      \
	"device runs. Frames longer than max-len or shorter than an Ethernet header are "     \
	"dropped and counted. The status shows the length and age of the last frame "         \
	"reflected. Useful as the far end of a link when testing a topology.\n\n"              \
	"This type is the example of the pktkit SDK (sdk/template): copy it to start a module."

static const struct pk_device_type echo_type = {
	.name = "acme.echo",
	.summary = "Reflect every frame back to its sender",
	.doc = ECHO_DOC,
	PK_ARRAY(ports, echo_ports),
	PK_ARRAY(params, echo_params),
	PK_ARRAY(counters, echo_counters),
	.config_size = sizeof(struct echo_config),
	.instance_size = sizeof(struct echo),
	.ops = &echo_ops,
	PK_ARRAY(status, echo_status),
};

/* The module: pure const data behind the one exported symbol, pk_module_query(). */
PK_MODULE_DEFINE("acme-echo", "Echo device for testing topologies (pktkit SDK example)",
		 ACME_ECHO_VERSION, "MIT", "https://example.org/acme", &echo_type)
