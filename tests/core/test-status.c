// SPDX-License-Identifier: MIT
/* test-status.c - Read-only status (the writer, schema checks, reading) and port events */
#include <string.h>

#include <pktkit/pktkit.h>
#include <pktkit/embed/graph.h>

static GPtrArray *warnings;	/* MESSAGE of every warning logged */

/* Capture warnings (a module mistake is one) instead of aborting on them. */
static GLogWriterOutput capture_writer(GLogLevelFlags level, const GLogField *fields,
				       gsize n_fields, gpointer data)
{
	if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL)) {
		for (gsize i = 0; i < n_fields; i++)
			if (strcmp(fields[i].key, "MESSAGE") == 0)
				g_ptr_array_add(warnings, g_strdup(fields[i].value));
		return G_LOG_WRITER_HANDLED;
	}
	return g_log_writer_default(level, fields, n_fields, data);
}

/* Exactly one warning since the last call, containing @substring. */
static void assert_one_warning(const char *substring)
{
	g_assert_cmpuint(warnings->len, ==, 1);
	g_assert_nonnull(strstr(g_ptr_array_index(warnings, 0), substring));
	g_ptr_array_set_size(warnings, 0);
}

/* test.status: one field of each type, a table "rows"; the config chooses
 * what the status method writes. */
enum { ST_NAME, ST_COUNT, ST_DELTA, ST_UP, ST_MAC, ST_ADDR4, ST_ADDR6, ST_NET, ST_AGE, ST_WHEN };
enum { COL_KEY, COL_VALUE };

struct ts_config {
	uint32_t mode;	/* 0: everything, 1: mistakes, 2: nothing */
	uint32_t rows;
};

struct ts {
	struct ts_config c;
	uint32_t events[8];
	uint32_t n_events;
	uint32_t event_port;
};

static const struct pk_param ts_params[] = {
	PK_PARAM_U32(struct ts_config, mode, "mode", "0", 0, 2, PK_PF_LIVE, "What to write"),
	PK_PARAM_U32(struct ts_config, rows, "rows", "2", 0, 1000, PK_PF_LIVE, "Rows to write"),
};

static const struct pk_status_field ts_fields[] = {
	[ST_NAME] = { "name", PK_ST_STR, "A string" },
	[ST_COUNT] = { "count", PK_ST_UINT, "A number" },
	[ST_DELTA] = { "delta", PK_ST_INT, "A signed number" },
	[ST_UP] = { "up", PK_ST_BOOL, "A flag" },
	[ST_MAC] = { "mac", PK_ST_MAC, "A MAC" },
	[ST_ADDR4] = { "addr4", PK_ST_IP, "An IPv4 address" },
	[ST_ADDR6] = { "addr6", PK_ST_IP, "An IPv6 address" },
	[ST_NET] = { "net", PK_ST_PREFIX, "A prefix" },
	[ST_AGE] = { "age", PK_ST_DURATION, "A duration" },
	[ST_WHEN] = { "when", PK_ST_TIMESTAMP, "A moment" },
};

static const struct pk_status_field ts_columns[] = {
	[COL_KEY] = { "key", PK_ST_UINT, "Row number" },
	[COL_VALUE] = { "value", PK_ST_STR, "Row text" },
};

static const struct pk_status_table ts_tables[] = {
	{ "rows", "One row", PK_ARRAY(columns, ts_columns) },
	{ "empty", "Never filled", PK_ARRAY(columns, ts_columns) },
};

static void ts_status(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	const struct ts_config *c = &((struct ts *)self)->c;
	struct pk_mac mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	struct pk_ip6 a6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct pk_prefix net;

	if (c->mode == 2)
		return;
	if (c->mode == 1) {
		pk_status_set_uint(w, ST_NAME, 1);		/* wrong type */
		pk_status_set_str(w, 99, "x");		/* no such field */
		g_assert_false(pk_status_row_begin(w, 7));	/* no such table */
		pk_status_row_begin(w, 0);
		pk_status_set_uint(w, 5, 1);		/* no such column */
		pk_status_set_str(w, COL_KEY, "x");	/* wrong type */
		pk_status_set_str(w, COL_VALUE, "kept");
		pk_status_row_end(w);
		pk_status_row_end(w);			/* harmless */
		pk_status_set_str(w, ST_NAME, "still");
		return;
	}
	g_assert_true(pk_prefix_parse("10.1.0.0/16", &net));
	pk_status_set_str(w, ST_NAME, "first");
	pk_status_set_str(w, ST_NAME, "device");	/* the last value wins */
	pk_status_set_uint(w, ST_COUNT, UINT64_MAX);
	pk_status_set_int(w, ST_DELTA, -5);
	pk_status_set_bool(w, ST_UP, true);
	pk_status_set_mac(w, ST_MAC, &mac);
	pk_status_set_ip4(w, ST_ADDR4, (struct pk_ip4){ { 192, 0, 2, 7 } });
	pk_status_set_ip6(w, ST_ADDR6, &a6);
	pk_status_set_prefix(w, ST_NET, &net);
	pk_status_set_duration(w, ST_AGE, 1500000000u);
	pk_status_set_timestamp(w, ST_WHEN, pk_dev_now(dev) + 2000000000u);
	for (uint32_t i = 0; i < c->rows; i++) {
		g_autofree char *text = g_strdup_printf("row %u", i);

		g_assert_true(pk_status_row_begin(w, 0));
		pk_status_set_uint(w, COL_KEY, i);
		if (i % 2 == 0)
			pk_status_set_str(w, COL_VALUE, text);
		/* the next begin ends this row */
	}
	pk_status_row_end(w);
}

static void ts_port_event(struct pk_dev *dev, void *self, uint32_t port, uint32_t event)
{
	struct ts *t = self;

	if (t->n_events < G_N_ELEMENTS(t->events))
		t->events[t->n_events++] = event;
	t->event_port = port;
	/* A callback of the device: it may emit (here into nothing). */
	pk_dev_count(dev, 0, 1);
}

static const struct pk_counter ts_counters[] = { { "events", "Port events received" } };
static const struct pk_port_group ts_ports[] = { { "eth", PK_L2, 0, 2, "Ports", 0 } };
static int ts_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	((struct ts *)self)->c = *(const struct ts_config *)config;
	return 0;
}
static int ts_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			  GError **error)
{
	return ts_init(dev, self, config, error);
}
static const struct pk_device_ops ts_ops = {
	.init = ts_init, .port_event = ts_port_event,
};
static const struct pk_device_ops ts_ops_live = {
	.init = ts_init, .reconfigure = ts_reconfigure, .status = ts_status,
	.port_event = ts_port_event,
};
static const struct pk_device_type ts_type = {
	.name = "test.status", .summary = "Status of every type",
	PK_ARRAY(ports, ts_ports), PK_ARRAY(params, ts_params), PK_ARRAY(counters, ts_counters),
	.config_size = sizeof(struct ts_config), .instance_size = sizeof(struct ts),
	.ops = &ts_ops_live,
	PK_ARRAY(status, ts_fields), PK_ARRAY(status_tables, ts_tables),
};

/* The same type without a status method: reading gives the empty tables. */
static const struct pk_device_type ts_plain_type = {
	.name = "test.no-status", .summary = "Declares status, has no method",
	PK_ARRAY(ports, ts_ports), PK_ARRAY(params, ts_params),
	.config_size = sizeof(struct ts_config), .instance_size = sizeof(struct ts),
	.ops = &ts_ops,
	PK_ARRAY(status_tables, ts_tables),
};

static const struct pk_device_type *const ts_types[] = { &ts_type, &ts_plain_type, NULL };
static const struct pk_module_info ts_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR, .name = "test-status",
	.version = "1", .license = "MIT", .origin = "tests", .types = ts_types,
};

struct fixture {
	struct pk_registry *reg;
	struct pk_graph *g;
};

static void fixture_setup(struct fixture *f, gconstpointer data)
{
	f->reg = pk_registry_new();
	g_assert_true(pk_registry_add_module(f->reg, &ts_module, "(test)", NULL));
	f->g = pk_graph_new(f->reg, NULL, PK_GRAPH_FAKE_CLOCK);
}

static void fixture_teardown(struct fixture *f, gconstpointer data)
{
	pk_graph_free(f->g);
	pk_registry_free(f->reg);
}

static struct pk_dev *add(struct fixture *f, const char *id, const char *type, const char *json)
{
	g_autoptr(JsonNode) node = json ? json_from_string(json, NULL) : NULL;
	GError *error = NULL;
	struct pk_dev *dev = pk_graph_add_device(f->g, id, type,
						 node ? json_node_get_object(node) : NULL, &error);

	g_assert_no_error(error);
	return dev;
}

static void set_config(struct fixture *f, const char *id, const char *json)
{
	g_autoptr(JsonNode) node = json_from_string(json, NULL);
	GError *error = NULL;

	g_assert_true(pk_graph_set_config(f->g, id, json_node_get_object(node), &error));
	g_assert_no_error(error);
}

static void test_every_type(struct fixture *f, gconstpointer data)
{
	GError *error = NULL;
	g_autoptr(GVariant) v = NULL;
	g_autoptr(GVariant) rows = NULL, empty = NULL, row0 = NULL, row1 = NULL;
	const char *s;
	uint64_t u;
	int64_t i, when;
	gboolean b;
	int64_t before = g_get_real_time();

	add(f, "s", "test.status", NULL);
	pk_graph_clock_advance(f->g, 5000000000u);
	v = pk_graph_device_status(f->g, "s", &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_is_of_type(v, G_VARIANT_TYPE("a{sv}")));
	g_assert_true(g_variant_lookup(v, "name", "&s", &s));
	g_assert_cmpstr(s, ==, "device");
	g_assert_true(g_variant_lookup(v, "count", "t", &u));
	g_assert_cmpuint(u, ==, UINT64_MAX);
	g_assert_true(g_variant_lookup(v, "delta", "x", &i));
	g_assert_cmpint(i, ==, -5);
	g_assert_true(g_variant_lookup(v, "up", "b", &b));
	g_assert_true(b);
	g_assert_true(g_variant_lookup(v, "mac", "&s", &s));
	g_assert_cmpstr(s, ==, "02:00:00:00:00:01");
	g_assert_true(g_variant_lookup(v, "addr4", "&s", &s));
	g_assert_cmpstr(s, ==, "192.0.2.7");
	g_assert_true(g_variant_lookup(v, "addr6", "&s", &s));
	g_assert_cmpstr(s, ==, "2001:db8::1");
	g_assert_true(g_variant_lookup(v, "net", "&s", &s));
	g_assert_cmpstr(s, ==, "10.1.0.0/16");
	g_assert_true(g_variant_lookup(v, "age", "t", &u));
	g_assert_cmpuint(u, ==, 1500000000u);
	/* Two seconds after the wall clock at the reading, in microseconds. */
	g_assert_true(g_variant_lookup(v, "when", "x", &when));
	g_assert_cmpint(when, >=, before + 2000000);
	g_assert_cmpint(when, <=, g_get_real_time() + 2000000);

	rows = g_variant_lookup_value(v, "rows", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(rows);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 2);
	row0 = g_variant_get_child_value(rows, 0);
	row1 = g_variant_get_child_value(rows, 1);
	g_assert_true(g_variant_lookup(row0, "key", "t", &u));
	g_assert_cmpuint(u, ==, 0);
	g_assert_true(g_variant_lookup(row0, "value", "&s", &s));
	g_assert_cmpstr(s, ==, "row 0");
	g_assert_true(g_variant_lookup(row1, "key", "t", &u));
	g_assert_cmpuint(u, ==, 1);
	/* A column not set is absent from its row. */
	g_assert_false(g_variant_lookup(row1, "value", "&s", &s));
	/* A declared table without rows is an empty array. */
	empty = g_variant_lookup_value(v, "empty", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(empty);
	g_assert_cmpuint(g_variant_n_children(empty), ==, 0);
	g_assert_cmpuint(g_variant_n_children(v), ==, 12);
}

static void test_many_rows(struct fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) v = NULL, rows = NULL;

	add(f, "s", "test.status", "{\"rows\": 1000}");
	v = pk_graph_device_status(f->g, "s", NULL);
	rows = g_variant_lookup_value(v, "rows", G_VARIANT_TYPE("aa{sv}"));
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1000);
}

static void test_mistakes(struct fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) v = NULL, rows = NULL, row = NULL;
	const char *s;

	add(f, "s", "test.status", "{\"mode\": 1}");
	/* Told once per reading, never fatal: the values are left out. */
	g_ptr_array_set_size(warnings, 0);
	v = pk_graph_device_status(f->g, "s", NULL);
	assert_one_warning("[s] status: value of the wrong type (index 0)");
	g_assert_true(g_variant_lookup(v, "name", "&s", &s));
	g_assert_cmpstr(s, ==, "still");
	rows = g_variant_lookup_value(v, "rows", G_VARIANT_TYPE("aa{sv}"));
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1);
	row = g_variant_get_child_value(rows, 0);
	g_assert_cmpuint(g_variant_n_children(row), ==, 1);
	g_assert_true(g_variant_lookup(row, "value", "&s", &s));
	g_assert_cmpstr(s, ==, "kept");
}

static void test_empty_and_unknown(struct fixture *f, gconstpointer data)
{
	GError *error = NULL;
	g_autoptr(GVariant) v = NULL, w = NULL, rows = NULL;

	add(f, "s", "test.status", "{\"mode\": 2}");
	add(f, "n", "test.no-status", NULL);
	v = pk_graph_device_status(f->g, "s", &error);
	g_assert_no_error(error);
	/* Only the two declared tables, empty. */
	g_assert_cmpuint(g_variant_n_children(v), ==, 2);
	w = pk_graph_device_status(f->g, "n", &error);
	g_assert_no_error(error);
	rows = g_variant_lookup_value(w, "rows", G_VARIANT_TYPE("aa{sv}"));
	g_assert_cmpuint(g_variant_n_children(rows), ==, 0);
	g_assert_null(pk_graph_device_status(f->g, "nope", &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_UNKNOWN);
	g_clear_error(&error);
	/* Status follows the live configuration. */
	set_config(f, "s", "{\"mode\": 0, \"rows\": 3}");
	g_clear_pointer(&v, g_variant_unref);
	g_clear_pointer(&rows, g_variant_unref);
	v = pk_graph_device_status(f->g, "s", &error);
	rows = g_variant_lookup_value(v, "rows", G_VARIANT_TYPE("aa{sv}"));
	g_assert_cmpuint(g_variant_n_children(rows), ==, 3);
}

static void iterate(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static void test_port_event(struct fixture *f, gconstpointer data)
{
	struct pk_dev *a = add(f, "a", "test.status", NULL);
	struct pk_dev *b = add(f, "b", "test.status", NULL);
	struct ts *tb = pk_dev_instance(b);
	struct ts *ta = pk_dev_instance(a);
	GError *error = NULL;

	g_assert_true(pk_graph_link(f->g, "a.eth.0", "b.eth.1", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	/* Delivered later, to the peer's port, never inside the call. */
	g_assert_true(pk_dev_port_event(a, PK_PORT(0, 0), PK_PORT_EVENT_FLUSH));
	g_assert_cmpuint(tb->n_events, ==, 0);
	iterate();
	g_assert_cmpuint(tb->n_events, ==, 1);
	g_assert_cmpuint(tb->events[0], ==, PK_PORT_EVENT_FLUSH);
	g_assert_cmpuint(tb->event_port, ==, PK_PORT(0, 1));
	g_assert_cmpuint(pk_dev_counter(b, "events"), ==, 1);
	g_assert_cmpuint(ta->n_events, ==, 0);
	/* Unlinked port: nothing to tell. */
	g_assert_false(pk_dev_port_event(a, PK_PORT(0, 1), PK_PORT_EVENT_FLUSH));
	/* The link goes before delivery: the event is dropped. */
	g_assert_true(pk_dev_port_event(a, PK_PORT(0, 0), PK_PORT_EVENT_FLUSH));
	g_assert_true(pk_graph_unlink(f->g, "a.eth.0", &error));
	g_assert_no_error(error);
	iterate();
	g_assert_cmpuint(tb->n_events, ==, 1);
	pk_graph_stop(f->g);
}

static void test_schema_checks(void)
{
	static const struct pk_status_field bad_name[] = { { "Bad", PK_ST_STR, "x" } };
	static const struct pk_status_field bad_type[] = { { "ok", 99, "x" } };
	static const struct pk_status_field dup[] = { { "a", PK_ST_STR, "x" },
						      { "a", PK_ST_UINT, "y" } };
	static const struct pk_status_table clash[] = { { "name", "x", PK_ARRAY(columns, dup) } };
	static const struct pk_status_table dupcols[] = { { "t", "x", PK_ARRAY(columns, dup) } };
	static const struct pk_device_ops ops = { 0 };
	struct pk_device_type t = { .name = "test.bad", .summary = "x", .ops = &ops };
	const struct pk_device_type *types[] = { &t, NULL };
	struct pk_module_info m = { .abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR,
				    .name = "bad", .version = "1", .license = "MIT",
				    .types = types };
	static const struct pk_status_field one[] = { { "name", PK_ST_STR, "x" } };
	struct {
		const struct pk_status_field *f;
		uint32_t n, size;
		const struct pk_status_table *t;
		uint32_t nt, tsize;
		const char *why;
	} cases[] = {
		{ bad_name, 1, sizeof(bad_name[0]), NULL, 0, 0, "status field 0 ('Bad')" },
		{ bad_type, 1, sizeof(bad_type[0]), NULL, 0, 0, "status field 0 ('ok')" },
		{ dup, 2, sizeof(dup[0]), NULL, 0, 0, "status field 1 ('a')" },
		{ one, 1, 4, NULL, 0, 0, "status field table element size too small" },
		{ one, 1, sizeof(one[0]), clash, 1, sizeof(clash[0]), "status table 0 ('name')" },
		{ NULL, 0, 0, dupcols, 1, sizeof(dupcols[0]), "status table 't' column 1 ('a')" },
		{ NULL, 0, 0, dupcols, 1, 8, "status table element size too small" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct pk_registry *reg = pk_registry_new();
		GError *error = NULL;

		t.status = cases[i].f;
		t.n_status = cases[i].n;
		t.status_size = cases[i].size;
		t.status_tables = cases[i].t;
		t.n_status_tables = cases[i].nt;
		t.status_tables_size = cases[i].tsize;
		g_ptr_array_set_size(warnings, 0);
		g_assert_false(pk_registry_add_module(reg, &m, "(bad)", &error));
		assert_one_warning(cases[i].why);
		g_assert_error(error, PK_ERROR, PK_ERROR_ABI);
		g_clear_error(&error);
		/* A module built for 1.1 has no such fields: they are not read. */
		m.abi_minor = 1;
		g_assert_true(pk_registry_add_module(reg, &m, "(old)", &error));
		g_assert_no_error(error);
		m.abi_minor = PK_ABI_MINOR;
		pk_registry_free(reg);
	}
}

static void test_schema_lookup(struct fixture *f, gconstpointer data)
{
	struct pk_status_schema s;

	pk_registry_type_status(pk_registry_lookup(f->reg, "test.status"), &s);
	g_assert_cmpuint(s.n_fields, ==, G_N_ELEMENTS(ts_fields));
	g_assert_cmpuint(s.n_tables, ==, 2);
	g_assert_cmpstr(pk_status_field_at(s.fields, s.fields_size, ST_WHEN)->name, ==, "when");
	pk_registry_type_status(pk_registry_lookup(f->reg, "core.pipe-l2"), &s);
	g_assert_cmpuint(s.n_fields + s.n_tables, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	warnings = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(capture_writer, NULL, NULL);
#define ADD(path, fn) \
	g_test_add("/status/" path, struct fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("every-type", test_every_type);
	ADD("many-rows", test_many_rows);
	ADD("mistakes", test_mistakes);
	ADD("empty-and-unknown", test_empty_and_unknown);
	ADD("port-event", test_port_event);
	ADD("schema-lookup", test_schema_lookup);
	g_test_add_func("/status/schema-checks", test_schema_checks);
	return g_test_run();
}
