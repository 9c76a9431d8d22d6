// SPDX-License-Identifier: MIT
/* pktkitctl-commands.c - pktkitctl's commands, each one or a few calls of org.pktkit.Host1.Manager
 *
 * KEY=VALUE arguments are typed with the signature DescribeType reports for
 * the key, so the command line needs no knowledge of any device type.
 * Values that do not read as their type are sent as text: the host then
 * answers with the same message a topology file would get.
 */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pktkitctl.h"

typedef int (*ctl_command_fn)(struct ctl *c, int argc, char **argv);

static GPtrArray *rows_new(void)
{
	return g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
}

static void rows_add(GPtrArray *rows, ...)
{
	GPtrArray *row = g_ptr_array_new();
	va_list ap;
	const char *s;

	va_start(ap, rows);
	while ((s = va_arg(ap, const char *)))
		g_ptr_array_add(row, g_strdup(s));
	va_end(ap);
	g_ptr_array_add(row, NULL);
	g_ptr_array_add(rows, g_ptr_array_free(row, FALSE));
}

/* list ----------------------------------------------------------------------- */

static int cmd_list(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) devs = ctl_call(c, NULL, NULL, "ListDevices", NULL, "(a(sso))", &rc);
	g_autoptr(GVariant) links = devs ? ctl_call(c, NULL, NULL, "ListLinks", NULL, "(a(ss))", &rc)
					 : NULL;
	g_autoptr(GPtrArray) rows = rows_new();
	g_autoptr(GVariantIter) iter = NULL;
	const char *id, *type, *path, *a, *b;

	if (!links)
		return rc;
	if (c->json) {
		g_autoptr(GVariant) both = g_variant_new_parsed("{'devices': %v, 'links': %v}",
								g_variant_get_child_value(devs, 0),
								g_variant_get_child_value(links, 0));

		ctl_variant_print(both);
		return rc;
	}
	rows_add(rows, "DEVICE", "TYPE", "LINKS", NULL);
	g_variant_get(devs, "(a(sso))", &iter);
	while (g_variant_iter_loop(iter, "(&s&s&o)", &id, &type, &path)) {
		g_autoptr(GString) peers = g_string_new(NULL);
		g_autoptr(GVariantIter) li = NULL;
		size_t n = strlen(id);

		g_variant_get(links, "(a(ss))", &li);
		while (g_variant_iter_loop(li, "(&s&s)", &a, &b)) {
			const char *mine = NULL, *other = NULL;

			if (strncmp(a, id, n) == 0 && a[n] == '.')
				mine = a, other = b;
			else if (strncmp(b, id, n) == 0 && b[n] == '.')
				mine = b, other = a;
			if (mine)
				g_string_append_printf(peers, "%s%s->%s", peers->len ? " " : "",
						       mine + n + 1, other);
		}
		rows_add(rows, id, type, peers->len ? peers->str : "-", NULL);
	}
	ctl_table_print(rows);
	return rc;
}

/* types / describe ----------------------------------------------------------- */

static int cmd_types(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) r = ctl_call(c, NULL, NULL, "ListTypes", NULL, "(a(ss))", &rc);
	g_autoptr(GPtrArray) rows = rows_new();
	g_autoptr(GVariantIter) iter = NULL;
	const char *name, *summary;

	if (!r)
		return rc;
	if (c->json) {
		g_autoptr(GVariant) v = g_variant_get_child_value(r, 0);

		ctl_variant_print(v);
		return rc;
	}
	rows_add(rows, "TYPE", "SUMMARY", NULL);
	g_variant_get(r, "(a(ss))", &iter);
	while (g_variant_iter_loop(iter, "(&s&s)", &name, &summary))
		rows_add(rows, name, summary, NULL);
	ctl_table_print(rows);
	return rc;
}

static char *dict_text(GVariant *dict, const char *key)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(dict, key, NULL);

	return v ? ctl_value_text(v) : g_strdup("");
}

static int cmd_describe(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) r = NULL, info = NULL, params = NULL, ports = NULL, counters = NULL;
	g_autoptr(GPtrArray) rows = rows_new();
	g_autofree char *summary = NULL;
	GVariantIter iter;
	GVariant *d;

	if (argc != 2)
		return ctl_usage("describe TYPE");
	r = ctl_call(c, NULL, NULL, "DescribeType", g_variant_new("(s)", argv[1]),
		     "(a{sv}aa{sv})", &rc);
	if (!r)
		return rc;
	if (c->json) {
		ctl_variant_print(r);
		return rc;
	}
	info = g_variant_get_child_value(r, 0);
	params = g_variant_get_child_value(r, 1);
	summary = dict_text(info, "summary");
	printf("%s - %s\n\nPorts:\n", argv[1], summary);
	ports = g_variant_lookup_value(info, "ports", NULL);
	rows_add(rows, "  GROUP", "LAYER", "MIN", "MAX", "DESCRIPTION", NULL);
	g_variant_iter_init(&iter, ports);
	while ((d = g_variant_iter_next_value(&iter))) {
		g_autofree char *n = dict_text(d, "name"), *l = dict_text(d, "layer"),
				*mn = dict_text(d, "min"), *mx = dict_text(d, "max"),
				*b = dict_text(d, "blurb"), *in = g_strconcat("  ", n, NULL);

		rows_add(rows, in, l, mn, mx, b, NULL);
		g_variant_unref(d);
	}
	ctl_table_print(rows);
	g_ptr_array_set_size(rows, 0);
	printf("\nParameters:\n");
	rows_add(rows, "  NAME", "TYPE", "DEFAULT", "FLAGS", "DESCRIPTION", NULL);
	g_variant_iter_init(&iter, params);
	while ((d = g_variant_iter_next_value(&iter))) {
		g_autofree char *n = dict_text(d, "name"), *t = dict_text(d, "type"),
				*def = dict_text(d, "default"), *f = dict_text(d, "flags"),
				*b = dict_text(d, "blurb"), *in = g_strconcat("  ", n, NULL);

		rows_add(rows, in, t, *def ? def : "-", strcmp(f, "[]") ? f : "-", b, NULL);
		g_variant_unref(d);
	}
	ctl_table_print(rows);
	g_ptr_array_set_size(rows, 0);
	printf("\nCounters:\n");
	counters = g_variant_lookup_value(info, "counters", NULL);
	rows_add(rows, "  NAME", "DESCRIPTION", NULL);
	g_variant_iter_init(&iter, counters);
	while ((d = g_variant_iter_next_value(&iter))) {
		g_autofree char *n = dict_text(d, "name"), *b = dict_text(d, "blurb"),
				*in = g_strconcat("  ", n, NULL);

		rows_add(rows, in, b, NULL);
		g_variant_unref(d);
	}
	ctl_table_print(rows);
	return rc;
}

/* Parameters ----------------------------------------------------------------- */

/* The D-Bus signature of each parameter of @type, by name. */
static GHashTable *type_signatures(struct ctl *c, const char *type, int *rc)
{
	g_autoptr(GVariant) r = ctl_call(c, NULL, NULL, "DescribeType", g_variant_new("(s)", type),
					 "(a{sv}aa{sv})", rc);
	g_autoptr(GVariant) params = NULL;
	GHashTable *sigs;
	GVariantIter iter;
	GVariant *d;

	if (!r)
		return NULL;
	sigs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	params = g_variant_get_child_value(r, 1);
	g_variant_iter_init(&iter, params);
	while ((d = g_variant_iter_next_value(&iter))) {
		g_hash_table_insert(sigs, dict_text(d, "name"), dict_text(d, "signature"));
		g_variant_unref(d);
	}
	return sigs;
}

/* @text as a value of D-Bus type @sig; text when it does not read as one. */
static GVariant *value_parse(const char *sig, const char *text)
{
	guint64 u;
	gint64 x;

	if (g_strcmp0(sig, "b") == 0) {
		if (!g_ascii_strcasecmp(text, "true") || !strcmp(text, "1") ||
		    !g_ascii_strcasecmp(text, "yes") || !g_ascii_strcasecmp(text, "on"))
			return g_variant_new_boolean(TRUE);
		if (!g_ascii_strcasecmp(text, "false") || !strcmp(text, "0") ||
		    !g_ascii_strcasecmp(text, "no") || !g_ascii_strcasecmp(text, "off"))
			return g_variant_new_boolean(FALSE);
	} else if (g_strcmp0(sig, "u") == 0) {
		if (g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT32, &u, NULL))
			return g_variant_new_uint32((guint32)u);
	} else if (g_strcmp0(sig, "x") == 0) {
		if (g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &x, NULL))
			return g_variant_new_int64(x);
	} else if (g_strcmp0(sig, "aa{sv}") == 0) {
		g_autoptr(JsonNode) node = json_from_string(text, NULL);
		GVariant *v = node ? json_gvariant_deserialize(node, NULL, NULL) : NULL;

		if (v)
			return v;
	}
	return g_variant_new_string(text);
}

/* KEY=VALUE words as an a{sv} typed for @type. */
static GVariant *params_parse(struct ctl *c, const char *type, int argc, char **argv, int *rc)
{
	g_autoptr(GHashTable) sigs = type_signatures(c, type, rc);
	GVariantBuilder b;

	if (!sigs)
		return NULL;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		g_autofree char *key = NULL;

		if (!eq || eq == argv[i]) {
			g_variant_builder_clear(&b);
			*rc = ctl_usage("'%s': expected KEY=VALUE", argv[i]);
			return NULL;
		}
		key = g_strndup(argv[i], (gsize)(eq - argv[i]));
		g_variant_builder_add(&b, "{sv}", key,
				      value_parse(g_hash_table_lookup(sigs, key), eq + 1));
	}
	return g_variant_builder_end(&b);
}

/* The type of device @id, or NULL (UnknownDevice printed). */
static char *device_type(struct ctl *c, const char *id, int *rc)
{
	g_autoptr(GVariant) r = ctl_call(c, NULL, NULL, "ListDevices", NULL, "(a(sso))", rc);
	g_autoptr(GVariantIter) iter = NULL;
	const char *did, *type, *path;

	if (!r)
		return NULL;
	g_variant_get(r, "(a(sso))", &iter);
	while (g_variant_iter_loop(iter, "(&s&s&o)", &did, &type, &path))
		if (strcmp(did, id) == 0)
			return g_strdup(type);
	fprintf(stderr, "%s: no device '%s'\n", CTL_PROG, id);
	*rc = CTL_EXIT_UNKNOWN_DEVICE;
	return NULL;
}

static int cmd_add(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) r = NULL;
	GVariant *params;
	const char *path;

	if (argc < 3)
		return ctl_usage("add ID TYPE [KEY=VALUE...]");
	params = params_parse(c, argv[2], argc - 3, argv + 3, &rc);
	if (!params)
		return rc;
	r = ctl_call(c, NULL, NULL, "AddDevice", g_variant_new("(ss@a{sv})", argv[1], argv[2], params),
		     "(o)", &rc);
	if (!r)
		return rc;
	g_variant_get(r, "(&o)", &path);
	if (c->json)
		ctl_variant_print(g_variant_get_child_value(r, 0));
	else
		printf("%s\n", path);
	return rc;
}

static int cmd_set(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autofree char *type = NULL;
	g_autoptr(GVariant) r = NULL;
	GVariant *params;

	if (argc < 3)
		return ctl_usage("set ID KEY=VALUE...");
	type = device_type(c, argv[1], &rc);
	if (!type)
		return rc;
	params = params_parse(c, type, argc - 2, argv + 2, &rc);
	if (!params)
		return rc;
	r = ctl_call(c, NULL, NULL, "SetConfig", g_variant_new("(s@a{sv})", argv[1], params), "()",
		     &rc);
	return rc;
}

static int cmd_get(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) r = NULL, dict = NULL;
	g_autoptr(GPtrArray) rows = rows_new();
	GVariantIter iter;
	const char *key;
	GVariant *v;

	if (argc != 2)
		return ctl_usage("get ID");
	r = ctl_call(c, NULL, NULL, "GetConfig", g_variant_new("(s)", argv[1]), "(a{sv})", &rc);
	if (!r)
		return rc;
	dict = g_variant_get_child_value(r, 0);
	if (c->json) {
		ctl_variant_print(dict);
		return rc;
	}
	rows_add(rows, "PARAMETER", "VALUE", NULL);
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &v)) {
		g_autofree char *text = ctl_value_text(v);

		rows_add(rows, key, text, NULL);
	}
	ctl_table_print(rows);
	return rc;
}

/* Devices and links ---------------------------------------------------------- */

static int cmd_simple(struct ctl *c, const char *method, GVariant *args)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) reply = ctl_call(c, NULL, NULL, method, args, NULL, &rc);

	(void)reply;	/* only the exit code matters */
	return rc;
}

static int cmd_rm(struct ctl *c, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage("rm ID");
	return cmd_simple(c, "RemoveDevice", g_variant_new("(s)", argv[1]));
}

static int cmd_unlink(struct ctl *c, int argc, char **argv)
{
	if (argc != 2)
		return ctl_usage("unlink DEV.GROUP.N");
	return cmd_simple(c, "Unlink", g_variant_new("(s)", argv[1]));
}

static int cmd_link(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) r = NULL;
	const char *a, *b;

	if (argc != 3)
		return ctl_usage("link A.PORT B.PORT");
	r = ctl_call(c, NULL, NULL, "Link", g_variant_new("(ss)", argv[1], argv[2]), "(ss)", &rc);
	if (!r)
		return rc;
	g_variant_get(r, "(&s&s)", &a, &b);
	if (c->json)
		ctl_variant_print(r);
	else
		printf("%s <-> %s\n", a, b);
	return rc;
}

/* Topology ------------------------------------------------------------------- */

static int cmd_export(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) r = ctl_call(c, NULL, NULL, "ExportTopology", NULL, "(s)", &rc);
	const char *json;

	if (!r)
		return rc;
	g_variant_get(r, "(&s)", &json);
	printf("%s\n", json);
	return rc;
}

static int cmd_load(struct ctl *c, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	if (argc != 2)
		return ctl_usage("load FILE [--merge]");
	if (!g_file_get_contents(argv[1], &text, NULL, &error)) {
		fprintf(stderr, "%s: %s\n", CTL_PROG, error->message);
		return CTL_EXIT_INVALID;
	}
	return cmd_simple(c, "LoadTopology", g_variant_new("(sb)", text, !c->merge));
}

/* stats ---------------------------------------------------------------------- */

static GVariant *device_counters(struct ctl *c, const char *path, int *rc)
{
	g_autoptr(GVariant) r = ctl_call(c, path, "org.freedesktop.DBus.Properties", "Get",
					 g_variant_new("(ss)", CTL_DEVICE_IFACE, "Counters"), "(v)",
					 rc);
	g_autoptr(GVariant) v = NULL;

	if (!r)
		return NULL;
	g_variant_get(r, "(v)", &v);
	return g_steal_pointer(&v);
}

static void stats_rows(GPtrArray *rows, const char *id, GVariant *counters)
{
	GVariantIter iter;
	const char *name;
	guint64 value;

	g_variant_iter_init(&iter, counters);
	while (g_variant_iter_next(&iter, "{&st}", &name, &value)) {
		g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, value);

		rows_add(rows, id, name, text, NULL);
	}
}

static void stats_on_changed(GDBusConnection *conn, const char *sender, const char *path,
			     const char *iface, const char *signal, GVariant *params,
			     gpointer data)
{
	g_autoptr(GVariant) changed = g_variant_get_child_value(params, 1);
	g_autoptr(GVariant) counters = g_variant_lookup_value(changed, "Counters",
							      G_VARIANT_TYPE("a{st}"));
	const char *id = strrchr(path, '/') + 1;
	struct ctl *c = data;

	if (!counters)
		return;
	if (c->json) {
		g_autoptr(GVariant) v = g_variant_ref_sink(
			g_variant_new_parsed("{'device': <%s>, 'counters': <%@a{st}>}", id, counters));

		ctl_variant_print(v);
	} else {
		g_autoptr(GPtrArray) rows = rows_new();

		stats_rows(rows, id, counters);
		ctl_table_print(rows);
		printf("\n");
	}
	fflush(stdout);
}

/* SIGINT, SIGTERM or --duration: end the loop. The sources stay; the caller
 * removes them (removing one twice is a GLib critical). */
static gboolean ctl_quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

static int cmd_stats(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autoptr(GVariant) devs = ctl_call(c, NULL, NULL, "ListDevices", NULL, "(a(sso))", &rc);
	g_autoptr(GPtrArray) rows = rows_new();
	g_autoptr(GVariantIter) iter = NULL;
	GVariantBuilder json;
	const char *id, *type, *path;
	g_autofree char *one = NULL;	/* the object path of device argv[1] */
	bool found = false;

	if (!devs)
		return rc;
	if (argc > 2)
		return ctl_usage("stats [ID] [--watch]");
	g_variant_builder_init(&json, G_VARIANT_TYPE("a{sv}"));
	rows_add(rows, "DEVICE", "COUNTER", "VALUE", NULL);
	g_variant_get(devs, "(a(sso))", &iter);
	while (g_variant_iter_loop(iter, "(&s&s&o)", &id, &type, &path)) {
		g_autoptr(GVariant) counters = NULL;

		if (argc == 2 && strcmp(argv[1], id) != 0)
			continue;
		found = true;
		if (argc == 2)
			one = g_strdup(path);
		counters = device_counters(c, path, &rc);
		if (!counters) {
			g_variant_builder_clear(&json);
			return rc;
		}
		g_variant_builder_add(&json, "{sv}", id, counters);
		stats_rows(rows, id, counters);
	}
	if (argc == 2 && !found) {
		g_variant_builder_clear(&json);
		fprintf(stderr, "%s: no device '%s'\n", CTL_PROG, argv[1]);
		return CTL_EXIT_UNKNOWN_DEVICE;
	}
	if (c->json)
		ctl_variant_print(g_variant_builder_end(&json));
	else {
		g_variant_builder_clear(&json);
		ctl_table_print(rows);
	}
	if (c->watch) {
		g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
		guint sub, s1, s2;

		fflush(stdout);
		/* arg0 of PropertiesChanged is the interface: every device, or just @one. */
		sub = g_dbus_connection_signal_subscribe(
			c->conn, c->dest, "org.freedesktop.DBus.Properties", "PropertiesChanged",
			one, CTL_DEVICE_IFACE, G_DBUS_SIGNAL_FLAGS_NONE, stats_on_changed, c, NULL);
		s1 = g_unix_signal_add(SIGINT, ctl_quit, loop);
		s2 = g_unix_signal_add(SIGTERM, ctl_quit, loop);
		g_main_loop_run(loop);
		g_source_remove(s1);
		g_source_remove(s2);
		g_dbus_connection_signal_unsubscribe(c->conn, sub);
	}
	return rc;
}

/* capture -------------------------------------------------------------------- */

static int cmd_capture(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autofree char *file = NULL;
	g_autoptr(GVariant) started = NULL, stopped = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	GVariantBuilder opts;
	guint64 written, dropped;
	guint s1, s2, timer = 0;

	if (argc != 3)
		return ctl_usage("capture PORT FILE [--duration SECS] [--usec]");
	file = g_canonicalize_filename(argv[2], NULL);
	g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&opts, "{sv}", "nanoseconds", g_variant_new_boolean(!c->usec));
	started = ctl_call(c, NULL, NULL, "StartCapture",
			   g_variant_new("(ssa{sv})", argv[1], file, &opts), "()", &rc);
	if (!started)
		return rc;
	if (!c->json)
		fprintf(stderr, "%s: capturing %s to %s; stop with Ctrl-C\n", CTL_PROG, argv[1], file);
	loop = g_main_loop_new(NULL, FALSE);
	s1 = g_unix_signal_add(SIGINT, ctl_quit, loop);
	s2 = g_unix_signal_add(SIGTERM, ctl_quit, loop);
	if (c->duration > 0)
		timer = g_timeout_add_seconds((guint)c->duration, ctl_quit, loop);
	g_main_loop_run(loop);
	g_source_remove(s1);
	g_source_remove(s2);
	if (timer && g_main_context_find_source_by_id(NULL, timer))
		g_source_remove(timer);
	stopped = ctl_call(c, NULL, NULL, "StopCapture", g_variant_new("(s)", argv[1]), "(tt)",
			   &rc);
	if (!stopped)
		return rc;
	g_variant_get(stopped, "(tt)", &written, &dropped);
	if (c->json)
		printf("{\"file\": \"%s\", \"written\": %" G_GUINT64_FORMAT
		       ", \"dropped\": %" G_GUINT64_FORMAT "}\n", file, written, dropped);
	else
		printf("%s: %" G_GUINT64_FORMAT " packets written, %" G_GUINT64_FORMAT
		       " dropped\n", file, written, dropped);
	return rc;
}

/* status --------------------------------------------------------------------- */

/* Type and object path of device @id, or FALSE (UnknownDevice printed). */
static gboolean device_lookup(struct ctl *c, const char *id, char **type, char **path, int *rc)
{
	g_autoptr(GVariant) r = ctl_call(c, NULL, NULL, "ListDevices", NULL, "(a(sso))", rc);
	g_autoptr(GVariantIter) iter = NULL;
	const char *did, *dtype, *dpath;

	if (!r)
		return FALSE;
	g_variant_get(r, "(a(sso))", &iter);
	while (g_variant_iter_loop(iter, "(&s&s&o)", &did, &dtype, &dpath)) {
		if (strcmp(did, id) == 0) {
			*type = g_strdup(dtype);
			*path = g_strdup(dpath);
			return TRUE;
		}
	}
	fprintf(stderr, "%s: no device '%s'\n", CTL_PROG, id);
	*rc = CTL_EXIT_UNKNOWN_DEVICE;
	return FALSE;
}

/* "1h 2m 3s", "2.5s", "40ms" from nanoseconds. */
static char *duration_text(guint64 ns)
{
	guint64 s = ns / G_GUINT64_CONSTANT(1000000000);
	GString *out = g_string_new(NULL);

	if (s < 10) {
		if (ns < G_GUINT64_CONSTANT(1000000000))
			g_string_printf(out, "%" G_GUINT64_FORMAT "ms", ns / 1000000u);
		else
			g_string_printf(out, "%.1fs", (double)ns / 1e9);
		return g_string_free(out, FALSE);
	}
	if (s >= 86400)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT "d ", s / 86400);
	if (s >= 3600)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT "h ", s / 3600 % 24);
	if (s >= 60)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT "m ", s / 60 % 60);
	g_string_append_printf(out, "%" G_GUINT64_FORMAT "s", s % 60);
	return g_string_free(out, FALSE);
}

/* A status value as text, formatted by its declared type. */
static char *status_value_text(GVariant *v, const char *type)
{
	if (strcmp(type, "duration") == 0 && g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64))
		return duration_text(g_variant_get_uint64(v));
	if (strcmp(type, "timestamp") == 0 && g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
		g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(
			g_variant_get_int64(v) / G_USEC_PER_SEC);
		g_autoptr(GDateTime) local = utc ? g_date_time_to_local(utc) : NULL;

		if (local)
			return g_date_time_format(local, "%Y-%m-%d %H:%M:%S");
	}
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
		return g_strdup(g_variant_get_boolean(v) ? "yes" : "no");
	return ctl_value_text(v);
}

/* Header and rows of one status table, columns in declared order. */
static void status_table_print(GVariant *decl, GVariant *rows_v)
{
	g_autoptr(GVariant) columns = g_variant_lookup_value(decl, "columns", NULL);
	g_autoptr(GPtrArray) rows = rows_new();
	g_autofree char *name = dict_text(decl, "name");
	gsize n_cols = columns ? g_variant_n_children(columns) : 0;
	gsize n_rows = rows_v ? g_variant_n_children(rows_v) : 0;
	GPtrArray *head = g_ptr_array_new();

	printf("\n%s:%s\n", name, n_rows ? "" : " none");
	if (!n_rows) {
		g_ptr_array_free(head, TRUE);
		return;
	}
	for (gsize c = 0; c < n_cols; c++) {
		g_autoptr(GVariant) col = g_variant_get_child_value(columns, c);
		g_autofree char *cname = dict_text(col, "name");

		g_ptr_array_add(head, g_strconcat(c ? "" : "  ", cname, NULL));
		for (char *p = head->pdata[head->len - 1]; *p; p++)
			*p = g_ascii_toupper(*p);
	}
	g_ptr_array_add(head, NULL);
	g_ptr_array_add(rows, g_ptr_array_free(head, FALSE));
	for (gsize r = 0; r < n_rows; r++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(rows_v, r);
		GPtrArray *cells = g_ptr_array_new();

		for (gsize c = 0; c < n_cols; c++) {
			g_autoptr(GVariant) col = g_variant_get_child_value(columns, c);
			g_autofree char *cname = dict_text(col, "name"), *ctype = dict_text(col, "type");
			g_autoptr(GVariant) v = g_variant_lookup_value(row, cname, NULL);
			g_autofree char *text = v ? status_value_text(v, ctype) : g_strdup("-");

			g_ptr_array_add(cells, g_strconcat(c ? "" : "  ", text, NULL));
		}
		g_ptr_array_add(cells, NULL);
		g_ptr_array_add(rows, g_ptr_array_free(cells, FALSE));
	}
	ctl_table_print(rows);
}

static int cmd_status(struct ctl *c, int argc, char **argv)
{
	int rc = CTL_EXIT_OK;
	g_autofree char *type = NULL, *path = NULL;
	g_autoptr(GVariant) r = NULL, st = NULL, desc = NULL, info = NULL, fields = NULL,
			    tables = NULL;
	g_autoptr(GPtrArray) rows = rows_new();

	if (argc != 2)
		return ctl_usage("status ID");
	if (!device_lookup(c, argv[1], &type, &path, &rc))
		return rc;
	r = ctl_call(c, path, CTL_DEVICE_IFACE, "GetStatus", NULL, "(a{sv})", &rc);
	if (!r)
		return rc;
	st = g_variant_get_child_value(r, 0);
	if (c->json) {
		ctl_variant_print(st);
		return rc;
	}
	/* The declaration gives the order, the types and the tables. */
	desc = ctl_call(c, NULL, NULL, "DescribeType", g_variant_new("(s)", type),
			"(a{sv}aa{sv})", &rc);
	if (!desc)
		return rc;
	info = g_variant_get_child_value(desc, 0);
	fields = g_variant_lookup_value(info, "status", G_VARIANT_TYPE("aa{sv}"));
	tables = g_variant_lookup_value(info, "status-tables", G_VARIANT_TYPE("aa{sv}"));
	if ((!fields || !g_variant_n_children(fields)) && (!tables || !g_variant_n_children(tables))) {
		printf("%s (%s) has no status\n", argv[1], type);
		return rc;
	}
	rows_add(rows, "FIELD", "VALUE", NULL);
	for (gsize i = 0; fields && i < g_variant_n_children(fields); i++) {
		g_autoptr(GVariant) f = g_variant_get_child_value(fields, i);
		g_autofree char *name = dict_text(f, "name"), *ftype = dict_text(f, "type");
		g_autoptr(GVariant) v = g_variant_lookup_value(st, name, NULL);
		g_autofree char *text = NULL;

		if (!v)
			continue;	/* not set now: no lease, no router */
		text = status_value_text(v, ftype);
		rows_add(rows, name, text, NULL);
	}
	if (rows->len > 1)
		ctl_table_print(rows);
	for (gsize i = 0; tables && i < g_variant_n_children(tables); i++) {
		g_autoptr(GVariant) t = g_variant_get_child_value(tables, i);
		g_autofree char *name = dict_text(t, "name");
		g_autoptr(GVariant) rv = g_variant_lookup_value(st, name, G_VARIANT_TYPE("aa{sv}"));

		status_table_print(t, rv);
	}
	return rc;
}

/* Dispatch ------------------------------------------------------------------- */

int ctl_run(struct ctl *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		ctl_command_fn fn;
	} commands[] = {
		{ "list", cmd_list },	  { "types", cmd_types },     { "describe", cmd_describe },
		{ "add", cmd_add },	  { "rm", cmd_rm },	      { "link", cmd_link },
		{ "unlink", cmd_unlink }, { "get", cmd_get },	      { "set", cmd_set },
		{ "stats", cmd_stats },	  { "capture", cmd_capture }, { "export", cmd_export },
		{ "load", cmd_load },	  { "status", cmd_status },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(c, argc, argv);
	return ctl_usage("unknown command '%s'", argv[0]);
}
