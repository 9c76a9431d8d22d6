// SPDX-License-Identifier: MIT
/* test-template.c - Template instances: pk_dev_instantiate()/pk_dev_instance_remove(), deferral, limits, export */
#include <pktkit/embed/testing.h>
#include "test-devices.h"

static struct pk_registry *reg;

/* A spawner "s" and a template "seg": a tee with a ticker (a timer) on it. */
static const char *topo_json =
	"{\"devices\": {\"s\": {\"type\": \"test.spawner\", \"template\": \"seg\"}},"
	" \"templates\": {\"seg\": {"
	"   \"comment\": \"one segment\","
	"   \"devices\": {\"hub\": {\"type\": \"test.tee\"},"
	"                 \"tick\": {\"type\": \"test.ticker\", \"period\": \"1s\", \"count\": 0}},"
	"   \"links\": [[\"tick\", \"hub\"]],"
	"   \"attach\": \"hub.port\", \"max-instances\": 2}}}";

struct done_rec {
	guint calls;
	uint32_t instance;
	uint32_t port;
	GError *error;
	bool in_dispatch_ok;	/* the owner could emit: ran as a callback */
};

static void on_done(struct pk_dev *dev, void *self, uint32_t instance, uint32_t port,
		    const GError *error, void *data)
{
	struct done_rec *r = data;

	(void)self;
	r->calls++;
	r->instance = instance;
	r->port = port;
	g_clear_error(&r->error);
	if (error)
		r->error = g_error_copy(error);
	/* Emitting from here is allowed (a callback); unlinked ports just count. */
	r->in_dispatch_ok = true;
	(void)dev;
}

static guint changes;

static void on_change(struct pk_graph *g, void *data)
{
	(void)g;
	(void)data;
	changes++;
}

static struct pk_graph *graph_load(const char *json)
{
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_autoptr(JsonNode) root = json_from_string(json, NULL);
	GError *error = NULL;

	g_assert_nonnull(root);
	g_assert_true(pk_graph_load(g, root, &error));
	g_assert_no_error(error);
	pk_graph_set_change_func(g, on_change, NULL);
	return g;
}

static void run_idle(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static char *device_list(struct pk_graph *g)
{
	g_autofree const char **ids = pk_graph_devices(g);

	return g_strjoinv(",", (char **)ids);
}

static bool has_link(struct pk_graph *g, const char *a, const char *b)
{
	g_autoptr(JsonArray) links = pk_graph_links(g);

	for (guint i = 0; i < json_array_get_length(links); i++) {
		JsonArray *pair = json_array_get_array_element(links, i);
		const char *x = json_array_get_string_element(pair, 0);
		const char *y = json_array_get_string_element(pair, 1);

		if ((!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a)))
			return true;
	}
	return false;
}

static void test_instantiate(void)
{
	struct pk_graph *g = graph_load(topo_json);
	struct pk_dev *s = pk_graph_lookup(g, "s");
	struct done_rec r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	GError *error = NULL;
	uint32_t h1, h2, h3;
	g_autofree char *list = NULL;

	g_assert_true(pk_graph_start(g, &error));
	changes = 0;
	h1 = pk_dev_instantiate(s, "seg", PK_PORT(0, PK_PORT_ANY), on_done, &r1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(h1, ==, 1);
	/* Nothing happens inside the call: the graph changes on the main context. */
	g_assert_null(pk_graph_lookup(g, "s/1/hub"));
	g_assert_cmpuint(pk_dev_counter(s, "instances"), ==, 1);
	h2 = pk_dev_instantiate(s, "seg", PK_PORT(0, PK_PORT_ANY), on_done, &r2, &error);
	g_assert_cmpuint(h2, ==, 2);
	/* max-instances 2: the third is refused at once and counted */
	h3 = pk_dev_instantiate(s, "seg", PK_PORT(0, PK_PORT_ANY), on_done, &r3, &error);
	g_assert_cmpuint(h3, ==, 0);
	g_assert_error(error, PK_ERROR, PK_ERROR_STATE);
	g_assert_cmpstr(error->message, ==,
			"template 'seg': 2 instance(s) already (its max-instances)");
	g_clear_error(&error);
	g_assert_cmpuint(pk_dev_counter(s, "instances-refused"), ==, 1);

	run_idle();
	g_assert_cmpuint(r1.calls, ==, 1);
	g_assert_no_error(r1.error);
	g_assert_true(r1.in_dispatch_ok);
	g_assert_cmpuint(r1.instance, ==, h1);
	g_assert_cmpuint(r1.port, ==, PK_PORT(0, 0));
	g_assert_cmpuint(r2.port, ==, PK_PORT(0, 1));
	g_assert_cmpuint(r3.calls, ==, 0);
	g_assert_cmpuint(changes, >=, 1);
	list = device_list(g);
	g_assert_cmpstr(list, ==, "s,s/1/hub,s/1/tick,s/2/hub,s/2/tick");
	g_assert_true(has_link(g, "s.seg.0", "s/1/hub.port.1"));
	g_assert_true(has_link(g, "s/1/tick.out.0", "s/1/hub.port.0"));
	g_assert_true(has_link(g, "s.seg.1", "s/2/hub.port.1"));
	/* instance devices run: their timers fire */
	pk_graph_clock_advance(g, 2 * PK_NSEC_PER_SEC);
	g_assert_cmpuint(pk_dev_counter(pk_graph_lookup(g, "s/2/tick"), "sent"), ==, 2);
	/* ... and the tee floods the ticks to the owner's port */
	{
		struct pk_port_stats st;

		g_assert_true(pk_dev_port_stats(s, PK_PORT(0, 1), &st));
		g_assert_cmpuint(st.rx_packets, ==, 2);
	}

	/* they belong to the instance */
	g_assert_false(pk_graph_remove_device(g, "s/1/hub", &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_STATE);
	g_clear_error(&error);

	/* export leaves instances out and writes the template */
	{
		g_autoptr(JsonNode) out = pk_graph_export(g, false);
		JsonObject *root = json_node_get_object(out);

		g_assert_cmpuint(json_object_get_size(json_object_get_object_member(root, "devices")),
				 ==, 1);
		g_assert_cmpuint(json_array_get_length(json_object_get_array_member(root, "links")),
				 ==, 0);
		g_assert_true(json_object_has_member(
			json_object_get_object_member(root, "templates"), "seg"));
	}

	/* removal: at once for the owner, the devices go on the main context */
	g_ptr_array_set_size(test_devices_log, 0);
	pk_dev_instance_remove(s, h1);
	pk_dev_instance_remove(s, h1);	/* twice: ignored */
	pk_dev_instance_remove(s, 99);	/* unknown: ignored */
	g_assert_cmpuint(pk_dev_counter(s, "instances"), ==, 1);
	g_assert_nonnull(pk_graph_lookup(g, "s/1/hub"));
	changes = 0;
	run_idle();
	g_assert_null(pk_graph_lookup(g, "s/1/hub"));
	g_assert_null(pk_graph_lookup(g, "s/1/tick"));
	g_assert_cmpuint(changes, ==, 1);
	g_assert_true(g_ptr_array_find_with_equal_func(test_devices_log, "unlink:s:0", g_str_equal,
						       NULL));
	/* the freed port is taken again; the handle is new */
	h3 = pk_dev_instantiate(s, "seg", PK_PORT(0, PK_PORT_ANY), on_done, &r3, &error);
	g_assert_cmpuint(h3, ==, 3);
	run_idle();
	g_assert_cmpuint(r3.port, ==, PK_PORT(0, 0));
	g_assert_nonnull(pk_graph_lookup(g, "s/3/hub"));

	/* stopping the owner removes every instance */
	pk_graph_stop(g);
	g_free(list);
	list = device_list(g);
	g_assert_cmpstr(list, ==, "s");
	g_assert_cmpuint(pk_dev_counter(s, "instances"), ==, 0);
	g_clear_error(&r1.error);
	pk_graph_free(g);
}

/* Removed before it was built: never built, done never called. */
static void test_pending_remove(void)
{
	struct pk_graph *g = graph_load(topo_json);
	struct pk_dev *s = pk_graph_lookup(g, "s");
	struct done_rec r = { 0 };
	uint32_t h;

	g_assert_true(pk_graph_start(g, NULL));
	h = pk_dev_instantiate(s, "seg", PK_PORT(0, 3), on_done, &r, NULL);
	g_assert_cmpuint(h, >, 0);
	/* the port is held meanwhile */
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 3), on_done, &r, NULL), ==, 0);
	pk_dev_instance_remove(s, h);
	run_idle();
	g_assert_cmpuint(r.calls, ==, 0);
	g_assert_null(pk_graph_lookup(g, "s/1/hub"));
	/* pending at stop: dropped too */
	h = pk_dev_instantiate(s, "seg", PK_PORT(0, 3), on_done, &r, NULL);
	pk_graph_stop(g);
	run_idle();
	g_assert_cmpuint(r.calls, ==, 0);
	g_assert_null(pk_graph_lookup(g, "s/2/hub"));
	pk_graph_free(g);
}

/* Requests that are refused at once, and a build that fails later. */
static void test_refusals(void)
{
	struct pk_graph *g = graph_load(topo_json);
	struct pk_dev *s = pk_graph_lookup(g, "s");
	struct done_rec r = { 0 };
	GError *error = NULL;
	g_autofree char *list = NULL;

	/* not running */
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 0), on_done, &r, &error), ==, 0);
	g_assert_error(error, PK_ERROR, PK_ERROR_STATE);
	g_clear_error(&error);
	g_assert_true(pk_graph_start(g, NULL));
	g_assert_cmpuint(pk_dev_instantiate(s, "nope", PK_PORT(0, 0), on_done, &r, &error), ==, 0);
	g_assert_error(error, PK_ERROR, PK_ERROR_UNKNOWN);
	g_clear_error(&error);
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(1, 0), on_done, &r, &error), ==, 0);
	g_assert_error(error, PK_ERROR, PK_ERROR_LAYER);
	g_assert_cmpstr(error->message, ==,
			"template 'seg': its attach point hub.port is L2, port group 'ip' is L3");
	g_clear_error(&error);
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 16), on_done, &r, &error), ==, 0);
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(7, 0), on_done, &r, &error), ==, 0);
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_clear_error(&error);

	/* the port is taken by someone else before the build: done gets the error */
	g_assert_true(pk_graph_add_device(g, "other", "test.echo", NULL, NULL) != NULL);
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 5), on_done, &r, &error), ==, 1);
	g_assert_true(pk_graph_link(g, "s.seg.5", "other", &error));
	g_assert_no_error(error);
	run_idle();
	g_assert_cmpuint(r.calls, ==, 1);
	g_assert_nonnull(r.error);
	g_assert_true(g_str_has_prefix(r.error->message,
				       "instance s/1 of template 'seg': attach: 's.seg.5': port already linked"));
	g_clear_error(&r.error);
	list = device_list(g);
	g_assert_cmpstr(list, ==, "s,other");
	g_assert_cmpuint(pk_dev_counter(s, "instances"), ==, 0);
	pk_graph_free(g);
}

/* The owner asks from inside its own callbacks (the normal case). */
static void spawn_in_callback(struct pk_dev *dev, void *self, void *data)
{
	struct done_rec *r = data;
	GError *error = NULL;

	(void)self;
	r->instance = pk_dev_instantiate(dev, "seg", PK_PORT(0, PK_PORT_ANY), on_done, r, &error);
	g_assert_no_error(error);
}

static void remove_in_callback(struct pk_dev *dev, void *self, void *data)
{
	(void)self;
	pk_dev_instance_remove(dev, GPOINTER_TO_UINT(data));
}

static void test_inside_dispatch(void)
{
	struct pk_graph *g = graph_load(topo_json);
	struct pk_dev *s = pk_graph_lookup(g, "s");
	struct done_rec r = { 0 };
	g_autofree char *list = NULL;

	g_assert_true(pk_graph_start(g, NULL));
	pk_dev_invoke(s, spawn_in_callback, &r, NULL);
	run_idle();
	g_assert_cmpuint(r.calls, ==, 1);
	g_assert_nonnull(pk_graph_lookup(g, "s/1/tick"));
	pk_dev_invoke(s, remove_in_callback, GUINT_TO_POINTER(r.instance), NULL);
	run_idle();
	list = device_list(g);
	g_assert_cmpstr(list, ==, "s");
	pk_graph_free(g);
}

/* Removing the owner takes its instances along; so does freeing the graph. */
static void test_owner_removed(void)
{
	struct pk_graph *g = graph_load(topo_json);
	struct pk_dev *s = pk_graph_lookup(g, "s");
	g_autoptr(JsonNode) params = json_from_string("{\"template\": \"seg\"}", NULL);
	g_autofree char *list = NULL;

	g_assert_true(pk_graph_start(g, NULL));
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 0), NULL, NULL, NULL), ==, 1);
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 1), NULL, NULL, NULL), ==, 2);
	run_idle();
	g_assert_nonnull(pk_graph_lookup(g, "s/2/hub"));
	g_assert_true(pk_graph_remove_device(g, "s", NULL));
	list = device_list(g);
	g_assert_cmpstr(list, ==, "");

	g_assert_nonnull(pk_graph_add_device(g, "s2", "test.spawner", json_node_get_object(params),
					     NULL));
	s = pk_graph_lookup(g, "s2");
	g_assert_cmpuint(pk_dev_instantiate(s, "seg", PK_PORT(0, 0), NULL, NULL, NULL), ==, 1);
	run_idle();
	g_assert_nonnull(pk_graph_lookup(g, "s2/1/hub"));
	pk_graph_free(g);	/* LSan checks that this frees everything */
}

/* Template parameters are checked when devices are added or reconfigured. */
static void test_param_checks(void)
{
	struct pk_graph *g = graph_load(topo_json);
	g_autoptr(JsonNode) bad = json_from_string("{\"template\": \"nope\"}", NULL);
	g_autoptr(JsonNode) good = json_from_string("{\"template\": \"seg\"}", NULL);
	GError *error = NULL;

	g_assert_null(pk_graph_add_device(g, "x", "test.spawner", json_node_get_object(bad), &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_UNKNOWN);
	g_assert_cmpstr(error->message, ==,
			"devices.x.template: no template 'nope' (a topology's \"templates\" declares them)");
	g_clear_error(&error);
	g_assert_nonnull(pk_graph_add_device(g, "x", "test.spawner", json_node_get_object(good),
					     &error));
	g_assert_false(pk_graph_set_config(g, "x", json_node_get_object(bad), &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_UNKNOWN);
	g_clear_error(&error);
	pk_graph_free(g);
}

/* A second load may not redefine a template; the first stays. */
static void test_merge_and_roundtrip(void)
{
	struct pk_graph *g = graph_load(topo_json);
	struct pk_graph *g2 = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_autoptr(JsonNode) again = json_from_string(
		"{\"devices\": {}, \"templates\": {\"seg\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"attach\": \"h\"}}}",
		NULL);
	g_autoptr(JsonNode) out1 = NULL, out2 = NULL;
	g_autofree char *t1 = NULL, *t2 = NULL;
	GError *error = NULL;

	g_assert_false(pk_graph_load(g, again, &error));
	g_assert_cmpstr(error->message, ==, "templates.seg: a template with this name already exists");
	g_clear_error(&error);

	/* export (with a live instance) -> load -> export is a fixed point */
	g_assert_true(pk_graph_start(g, NULL));
	pk_dev_instantiate(pk_graph_lookup(g, "s"), "seg", PK_PORT(0, 0), NULL, NULL, NULL);
	run_idle();
	out1 = pk_graph_export(g, false);
	t1 = json_to_string(out1, TRUE);
	g_assert_nonnull(strstr(t1, "\"max-instances\" : 2"));
	g_assert_null(strstr(t1, "s/1"));
	g_assert_null(strstr(t1, "\"count\""));	/* defaults left out */
	g_assert_true(pk_graph_load(g2, out1, &error));
	g_assert_no_error(error);
	out2 = pk_graph_export(g2, false);
	t2 = json_to_string(out2, TRUE);
	g_assert_cmpstr(t1, ==, t2);
	pk_graph_free(g2);
	pk_graph_free(g);
}

/* Ids inside a template are keys of its "devices": duplicates are refused. */
static void test_duplicate_ids(void)
{
	GError *error = NULL;
	JsonNode *root = pk_topology_parse(
		"{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\n"
		"\"h\": {\"type\": \"test.tee\"},\n\"h\": {\"type\": \"test.echo\"}}, \"attach\": \"h\"}}}",
		-1, &error);

	g_assert_null(root);
	g_assert_nonnull(strstr(error->message, "duplicate key 'h' (line 3)"));
	g_clear_error(&error);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	reg = test_devices_registry();
	test_devices_log = g_ptr_array_new_with_free_func(g_free);
	g_test_add_func("/template/instantiate", test_instantiate);
	g_test_add_func("/template/pending-remove", test_pending_remove);
	g_test_add_func("/template/refusals", test_refusals);
	g_test_add_func("/template/inside-dispatch", test_inside_dispatch);
	g_test_add_func("/template/owner-removed", test_owner_removed);
	g_test_add_func("/template/param-checks", test_param_checks);
	g_test_add_func("/template/merge-and-roundtrip", test_merge_and_roundtrip);
	g_test_add_func("/template/duplicate-ids", test_duplicate_ids);
	rc = g_test_run();
	g_ptr_array_unref(test_devices_log);
	pk_registry_free(reg);
	return rc;
}
