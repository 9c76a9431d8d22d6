// SPDX-License-Identifier: MIT
/* topology-capture.c - Captures a topology asks for: started on load, stopped with the graph, exported */
#include "pktkit/embed/capture.h"
#include "runtime.h"

/* A capture the topology asked for, with its JSON for export. */
struct topo_capture {
	struct pk_capture *cap;
	JsonNode *spec;
};

static void topo_capture_stop(struct topo_capture *tc)
{
	GError *error = NULL;

	if (!pk_capture_stop(tc->cap, NULL, &error)) {
		g_warning("capture %s: %s", json_object_get_string_member(json_node_get_object(tc->spec), "file"),
			  error->message);
		g_clear_error(&error);
	}
	json_node_unref(tc->spec);
	g_free(tc);
}

void pk_graph_stop_captures(struct pk_graph *g, const struct pk_dev *dev)
{
	for (guint i = g->captures ? g->captures->len : 0; i-- > 0;) {
		struct topo_capture *tc = g_ptr_array_index(g->captures, i);

		if (!dev || pk_capture_uses_device(tc->cap, dev)) {
			g_ptr_array_remove_index(g->captures, i);
			topo_capture_stop(tc);
		}
	}
}

bool pk_graph_capture_from_json(struct pk_graph *g, JsonNode *spec, GError **error)
{
	JsonObject *obj = json_node_get_object(spec);
	JsonArray *ports = json_object_get_array_member(obj, "ports");
	g_autofree const char **endpoints = g_new0(const char *, json_array_get_length(ports) + 1);
	struct pk_capture_options opt = { 0 };
	struct topo_capture *tc;
	struct pk_capture *cap;

	for (guint i = 0; i < json_array_get_length(ports); i++)
		endpoints[i] = json_array_get_string_element(ports, i);
	if (json_object_has_member(obj, "timestamps") &&
	    strcmp(json_object_get_string_member(obj, "timestamps"), "us") == 0)
		opt.flags |= PK_CAPTURE_USEC;
	if (json_object_has_member(obj, "snaplen"))
		opt.snaplen = (uint32_t)json_object_get_int_member(obj, "snaplen");
	cap = pk_graph_capture_start(g, endpoints, json_object_get_string_member(obj, "file"), &opt,
				     error);
	if (!cap)
		return false;
	tc = g_new0(struct topo_capture, 1);
	tc->cap = cap;
	tc->spec = json_node_copy(spec);
	if (!g->captures)
		g->captures = g_ptr_array_new();
	g_ptr_array_add(g->captures, tc);
	return true;
}

JsonArray *pk_graph_captures_to_json(struct pk_graph *g)
{
	JsonArray *a = json_array_new();

	for (guint i = 0; g->captures && i < g->captures->len; i++)
		json_array_add_element(
			a, json_node_copy(((struct topo_capture *)g_ptr_array_index(g->captures, i))->spec));
	return a;
}
