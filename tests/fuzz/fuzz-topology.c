// SPDX-License-Identifier: MIT
/* fuzz-topology.c - libFuzzer target: topology JSON parse, validate, load, export, reload, free */
#include <dlfcn.h>
#include <netdb.h>
#include <string.h>

#include <pktkit/device-type.h>
#include <pktkit/embed/graph.h>

#include "fuzz-util.h"

/*
 * Every in-tree module is loaded, so every type's parameters and ports are
 * reachable. A topology that loads is exported, and the export must load
 * into a fresh graph and export to the same text (export → load → export is
 * a fixed point, docs/architecture.md). The graph is started (and its
 * fake clock run for an hour) only when no device could touch the system:
 * io.* types (kernel interfaces, sockets), types that need CAP_NET_ADMIN
 * and a svc.dhcp-server with a state-dir are loaded and exported but never
 * started. Host names in addresses (io.qemu-* resolve them when a
 * device is created) are never looked up: getaddrinfo() is replaced below
 * by one that takes numeric addresses only, so no query leaves the machine.
 */
/* Modules resolve through the executable's symbol (as the sanitizers'
 * interceptors do): numeric hosts only, whatever the caller asked. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	static int (*real)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	struct addrinfo h = { 0 };

	if (!real)
		real = (int (*)(const char *, const char *, const struct addrinfo *,
				struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
	if (hints)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	return real(node, service, &h, res);
}

static struct pk_registry *fuzz_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		g_auto(GStrv) dirs = g_strsplit(FUZZ_MODULE_DIRS, ":", -1);

		/* Quiet: refused modules and similar would flood the fuzzer output. */
		g_log_set_writer_func(g_log_writer_default, NULL, NULL);
		g_setenv("G_MESSAGES_DEBUG", "", TRUE);
		reg = pk_registry_new();
		for (char **d = dirs; *d; d++)
			pk_registry_scan_dir(reg, *d);
	}
	return reg;
}

/* Whether starting @g stays inside the process. */
static bool start_is_safe(struct pk_graph *g)
{
	g_autofree const char **ids = pk_graph_devices(g);
	bool safe = true;

	for (const char **id = ids; safe && *id; id++) {
		struct pk_dev *d = pk_graph_lookup(g, *id);
		const struct pk_device_type *t = pk_dev_type(d);

		if (g_str_has_prefix(t->name, "io.") || (t->flags & PK_TYPE_NEEDS_NET_ADMIN)) {
			safe = false;
		} else if (strcmp(t->name, "svc.dhcp-server") == 0) {
			g_autoptr(JsonObject) cfg = pk_graph_get_config(g, *id, false, NULL);
			const char *dir = cfg && json_object_has_member(cfg, "state-dir")
						  ? json_object_get_string_member(cfg, "state-dir")
						  : NULL;

			safe = !dir || !*dir;
		}
	}
	return safe;
}

static char *export_text(struct pk_graph *g, JsonNode **out)
{
	JsonNode *node = pk_graph_export(g, true);
	char *text = json_to_string(node, FALSE);

	if (out)
		*out = node;
	else
		json_node_unref(node);
	return text;
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
			struct pk_graph *g2 = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
			JsonNode *out = NULL;
			g_autofree char *text = export_text(g, &out);
			g_autofree char *again = NULL;

			/* What was exported loads, and exports the same. */
			FUZZ_CHECK(pk_topology_check(reg, out, NULL));
			FUZZ_CHECK(pk_graph_load(g2, out, NULL));
			again = export_text(g2, NULL);
			FUZZ_CHECK(strcmp(text, again) == 0);
			pk_graph_free(g2);
			json_node_unref(out);

			if (start_is_safe(g) && pk_graph_start(g, NULL))
				pk_graph_clock_advance(g, 3600 * PK_NSEC_PER_SEC);
		}
		pk_graph_free(g);
	}
	g_clear_error(&error);
	json_node_unref(root);
	return 0;
}
