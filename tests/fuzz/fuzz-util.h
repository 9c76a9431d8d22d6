/* SPDX-License-Identifier: MIT
 * fuzz-util.h - What the fuzz targets share: the invariant check, a module registry, adding devices
 */
#ifndef PK_FUZZ_UTIL_H
#define PK_FUZZ_UTIL_H

#include <stdlib.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>

/* An invariant of the code under test: a violation is a finding (trap, so
 * libFuzzer saves the input). */
#define FUZZ_CHECK(cond)			\
	do {					\
		if (!(cond))			\
			__builtin_trap();	\
	} while (0)

#ifdef FUZZ_MODULE_DIR
/* The registry of the module in FUZZ_MODULE_DIR, made once; logging quiet. */
static inline struct pk_registry *fuzz_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		g_log_set_writer_func(g_log_writer_default, NULL, NULL);
		g_setenv("G_MESSAGES_DEBUG", "", TRUE);
		reg = pk_registry_new();
		pk_registry_scan_dir(reg, FUZZ_MODULE_DIR);
	}
	return reg;
}
#endif

/* Add a device with parameters @json (or defaults); a failure is a bug of
 * the target, not a finding: abort. */
static inline struct pk_dev *fuzz_add(struct pk_graph *g, const char *id, const char *type,
				      const char *json)
{
	JsonNode *node = json ? json_from_string(json, NULL) : NULL;
	struct pk_dev *d = pk_graph_add_device(g, id, type, node ? json_node_get_object(node) : NULL,
					       NULL);

	if (node)
		json_node_unref(node);
	if (!d)
		abort();
	return d;
}

#endif /* PK_FUZZ_UTIL_H */
