// SPDX-License-Identifier: MIT
/* fuzz-topology.c - libFuzzer target: topology JSON parse, validate, load, export, free */
#include <pktkit/graph.h>

static struct pk_registry *fuzz_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		/* Quiet: refused modules and similar would flood the fuzzer output. */
		g_log_set_writer_func(g_log_writer_default, NULL, NULL);
		g_setenv("G_MESSAGES_DEBUG", "", TRUE);
		reg = pk_registry_new();
		pk_registry_scan_dir(reg, FUZZ_MODULE_DIR);
	}
	return reg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_registry *reg = fuzz_registry();
	GError *error = NULL;
	JsonNode *root;

	if (size > 64 * 1024)
		return 0;
	root = pk_topology_parse((const char *)data, (gssize)size, &error);
	if (!root) {
		g_clear_error(&error);
		return 0;
	}
	if (pk_topology_check(reg, root, &error)) {
		struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);

		if (pk_graph_load(g, root, &error)) {
			JsonNode *out = pk_graph_export(g, true);

			if (pk_graph_start(g, NULL))
				pk_graph_clock_advance(g, 3600 * PK_NSEC_PER_SEC);
			json_node_unref(out);
		}
		pk_graph_free(g);
	}
	g_clear_error(&error);
	json_node_unref(root);
	return 0;
}
