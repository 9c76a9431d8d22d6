// SPDX-License-Identifier: MIT
/* old-abi-module.c - A module as built for ABI 1.0 or 1.1: the descriptors it had then, followed by poison
 *
 * Built with -DPK_TARGET_ABI_MINOR=0 or 1. The type descriptor and the ops
 * table are laid out as the SDK of that minor declared them (copies of the
 * old struct layouts), and each is followed in memory by words of poison
 * where newer fields would be: a host that read them would see a bogus
 * pointer and count (and crash, or fail the test's checks). An
 * AddressSanitizer build also reports any read past them.
 */
#include <pktkit/pktkit.h>

/* struct pk_device_ops up to 1.0's "unlink", and 1.1's "link_info". */
struct old_ops {
	int (*init)(struct pk_dev *dev, void *self, const void *config, GError **error);
	int (*start)(struct pk_dev *dev, void *self, GError **error);
	void (*stop)(struct pk_dev *dev, void *self);
	void (*finalize)(struct pk_dev *dev, void *self);
	int (*reconfigure)(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			   GError **error);
	void (*receive)(struct pk_dev *dev, void *self, uint32_t port,
			const struct pk_batch *batch);
	int (*link)(struct pk_dev *dev, void *self, uint32_t port, GError **error);
	void (*unlink)(struct pk_dev *dev, void *self, uint32_t port);
#if PK_TARGET_ABI_MINOR >= 1
	void (*link_info)(struct pk_dev *dev, void *self, uint32_t port,
			  const struct pk_link_info *info);
#endif
};

/* struct pk_device_type as of 1.0 and 1.1 (1.1 added nothing to it). */
struct old_type {
	const char *name;
	const char *summary;
	const char *doc;
	const struct pk_port_group *ports;
	uint32_t n_ports, ports_size;
	const struct pk_param *params;
	uint32_t n_params, params_size;
	const struct pk_counter *counters;
	uint32_t n_counters, counters_size;
	uint32_t flags;
	uint32_t config_size;
	uint32_t instance_size;
	const struct old_ops *ops;
};

/* Poison: a pointer of 1 and counts of 1 wherever a newer field would be. */
#define POISON { 1, 1, 1, 1, 1, 1, 1, 1 }

struct old_echo {
	uint64_t frames;
};

static void old_receive(struct pk_dev *dev, void *self, uint32_t port,
			const struct pk_batch *batch)
{
	struct old_echo *e = self;

	e->frames += batch->n;
	pk_dev_count(dev, 0, batch->n);
	pk_dev_emit(dev, port, batch);
}

static const struct {
	struct old_ops ops;
	uintptr_t poison[8];
} old_ops = {
	.ops = { .receive = old_receive },
	.poison = POISON,
};

/* 1.0's port group had no flags: the element ends after blurb. */
struct old_port_group {
	const char *name;
	uint32_t layer;
	uint16_t min;
	uint16_t max;
	const char *blurb;
};

static const struct old_port_group old_ports[] = {
	{ "eth", PK_L2, 0, 1, "Echoes what arrives" },
};

static const struct pk_counter old_counters[] = {
	{ "frames", "Frames echoed" },
};

static const struct {
	struct old_type t;
	uintptr_t poison[8];
} old_type = {
	.t = {
		.name = "test.old-echo",
		.summary = "An echo device built for an older ABI minor",
		.doc = "Sends every frame back.",
		.ports = (const struct pk_port_group *)old_ports,
		.n_ports = G_N_ELEMENTS(old_ports),
		.ports_size = sizeof(old_ports[0]),
		PK_ARRAY(counters, old_counters),
		.instance_size = sizeof(struct old_echo),
		.ops = &old_ops.ops,
	},
	.poison = POISON,
};

PK_MODULE_DEFINE("test-old-abi", "Module built for an older ABI minor", "1.0", "MIT", "tests",
		 (const struct pk_device_type *)&old_type.t)
