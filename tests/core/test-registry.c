// SPDX-License-Identifier: MIT
/* test-registry.c - Module loading: ABI rule, broken modules, duplicates, lookup and hints */
#include <pktkit/pktkit.h>
#include <pktkit/embed/registry.h>

static char *module_dir;
static GPtrArray *warnings;	/* messages the library logged at warning level */

/* Capture the library's warnings instead of aborting on them. */
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

static void assert_warned(const char *substring)
{
	for (guint i = 0; i < warnings->len; i++)
		if (strstr(g_ptr_array_index(warnings, i), substring))
			return;
	g_error("no warning containing '%s' was logged", substring);
}

static char *module_path(const char *name)
{
	return g_build_filename(module_dir, name, NULL);
}

static void test_scan_diagnostics(void)
{
	struct pk_registry *reg = pk_registry_new();
	g_autofree char *good = module_path("pk-a-good.so");
	g_autofree char *dup = module_path("pk-b-duplicate.so");
	g_autofree char *major = module_path("pk-c-major.so");
	g_autofree char *minor = module_path("pk-d-minor.so");
	g_autofree char *nosym = module_path("pk-e-nosymbol.so");
	g_autofree char *bad = module_path("pk-f-badname.so");
	char *want[6] = { NULL };
	const char *const *diag;
	unsigned int accepted;
	guint n;

	/* Each refusal is logged as a warning too; the test checks the text. */
	accepted = pk_registry_scan_dir(reg, module_dir);

	/* good and duplicate load (the duplicate's type is shadowed), the rest are refused */
	g_assert_cmpuint(accepted, ==, 2);
	want[0] = g_strdup_printf("%s: type 'test.good' ignored: already provided by %s", dup, good);
	want[1] = g_strdup_printf(
		"%s: refused: module ABI %u.0, host ABI %u.%u (the major version must match; rebuild the module against pktkit-%u)",
		major, PK_ABI_MAJOR + 1, PK_ABI_MAJOR, PK_ABI_MINOR, PK_ABI_MAJOR);
	want[2] = g_strdup_printf(
		"%s: refused: module ABI %u.%u, host ABI %u.%u (the module needs a newer pktkit; upgrade the host or rebuild with PK_TARGET_ABI_MINOR=%u)",
		minor, PK_ABI_MAJOR, PK_ABI_MINOR + 1, PK_ABI_MAJOR, PK_ABI_MINOR, PK_ABI_MINOR);
	want[3] = g_strdup_printf("%s: not a pktkit module: no symbol 'pk_module_query'", nosym);
	want[4] = g_strdup_printf(
		"%s: refused: type name 'BadName' is not \"area.name\" in lowercase kebab-case", bad);
	diag = pk_registry_diagnostics(reg);
	for (n = 0; diag[n]; n++) {
		g_assert_cmpstr(diag[n], ==, want[n]);
		assert_warned(want[n]);	/* each one also reached the log */
	}
	g_assert_cmpuint(n, ==, 5);
	for (n = 0; n < G_N_ELEMENTS(want); n++)
		g_free(want[n]);

	/* the first module found provides the type */
	const struct pk_registry_type *t = pk_registry_lookup(reg, "test.good");
	g_assert_nonnull(t);
	g_assert_cmpstr(t->module->file, ==, good);
	g_assert_cmpstr(t->module->info->name, ==, "test-a");
	pk_registry_free(reg);
}

static void test_load_file_error(void)
{
	struct pk_registry *reg = pk_registry_new();
	g_autofree char *major = module_path("pk-c-major.so");
	GError *error = NULL;

	g_assert_false(pk_registry_load_file(reg, major, &error));
	assert_warned("module ABI 2.0");
	g_assert_error(error, PK_ERROR, PK_ERROR_ABI);
	g_assert_nonnull(strstr(error->message, "host ABI 1."));
	g_clear_error(&error);

	g_assert_false(pk_registry_load_file(reg, "/nonexistent/no-such-file.so", &error));
	assert_warned("/nonexistent/no-such-file.so: cannot load:");
	g_clear_error(&error);
	pk_registry_free(reg);
}

static void test_builtin_and_closest(void)
{
	struct pk_registry *reg = pk_registry_new();
	const struct pk_registry_type *const *types;
	unsigned int n;

	g_assert_nonnull(pk_registry_lookup(reg, "core.pipe-l2"));
	g_assert_nonnull(pk_registry_lookup(reg, "core.pipe-l3"));
	g_assert_null(pk_registry_lookup(reg, "core.pipe"));
	g_assert_cmpstr(pk_registry_closest(reg, "core.pipe-l4"), ==, "core.pipe-l2");
	g_assert_cmpstr(pk_registry_closest(reg, "cre.pipel3"), ==, "core.pipe-l3");
	g_assert_null(pk_registry_closest(reg, "wireguard"));
	types = pk_registry_types(reg, &n);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpstr(types[0]->type->name, ==, "core.pipe-l2");
	g_assert_cmpstr(types[0]->module->file, ==, "(built-in)");
	pk_registry_free(reg);
}

static void test_env_path(void)
{
	struct pk_registry *reg = pk_registry_new();
	g_autofree char *path = g_strdup_printf("/nonexistent:%s", module_dir);

	g_setenv(PK_MODULE_PATH_ENV, path, TRUE);
	g_assert_cmpuint(pk_registry_scan_default(reg), >=, 2);
	g_assert_nonnull(pk_registry_lookup(reg, "test.good"));
	pk_registry_free(reg);
}

/* $PKTKIT_MODULE_SYSTEM_PATH replaces the install dir; empty means none. */
static void test_system_path(void)
{
	struct pk_registry *reg = pk_registry_new();

	g_unsetenv(PK_MODULE_PATH_ENV);
	g_setenv(PK_MODULE_SYSTEM_PATH_ENV, module_dir, TRUE);
	g_assert_cmpuint(pk_registry_scan_default(reg), ==, 2);
	g_assert_nonnull(pk_registry_lookup(reg, "test.good"));
	pk_registry_free(reg);

	reg = pk_registry_new();
	g_setenv(PK_MODULE_SYSTEM_PATH_ENV, "", TRUE);
	g_assert_cmpuint(pk_registry_scan_default(reg), ==, 0);
	pk_registry_free(reg);
}

static const struct pk_device_ops counters_ops = { 0 };

/* A type built for ABI @minor that declares @counters. */
static bool add_counters_type(struct pk_registry *reg, uint32_t minor,
			      const struct pk_counter *counters, uint32_t n, GError **error)
{
	static struct pk_device_type type;
	static const struct pk_device_type *types[] = { &type, NULL };
	static struct pk_module_info info;

	type = (struct pk_device_type){
		.name = "test.counters",
		.summary = "Declares counters",
		.ops = &counters_ops,
		.counters = counters,
		.n_counters = n,
		.counters_size = sizeof(*counters),
	};
	info = (struct pk_module_info){
		.abi_major = PK_ABI_MAJOR,
		.abi_minor = minor,
		.name = "test-counters",
		.version = "1",
		.license = "MIT",
		.description = "counters",
		.types = types,
	};
	return pk_registry_add_module(reg, &info, "test-counters", error);
}

/* Since 1.2 a type's counter names are unique and none is the core's; a
 * 1.1 type that declares a core name still loads (and keeps its own). */
static void test_counters_own(void)
{
	static const struct pk_counter core_name[] = { { "echoed", "Frames" },
						       { "dropped-no-buffer", "No buffer" } };
	static const struct pk_counter twice[] = { { "echoed", "Frames" }, { "echoed", "Again" } };
	struct pk_registry *reg = pk_registry_new();
	GError *error = NULL;

	g_assert_false(add_counters_type(reg, 2, core_name, 2, &error));
	g_assert_nonnull(
		strstr(error->message, "counter 'dropped-no-buffer' is one the core keeps"));
	g_clear_error(&error);
	g_assert_false(add_counters_type(reg, 2, twice, 2, &error));
	g_assert_nonnull(strstr(error->message, "counter 'echoed' is declared twice"));
	g_clear_error(&error);
	g_assert_true(add_counters_type(reg, 1, core_name, 2, &error));
	g_assert_no_error(error);
	g_assert_nonnull(pk_registry_lookup(reg, "test.counters"));
	pk_registry_free(reg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	warnings = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(capture_writer, NULL, NULL);
	module_dir = g_strdup(g_getenv("PKTKIT_TEST_MODULE_DIR"));
	if (!module_dir) {
		g_printerr("PKTKIT_TEST_MODULE_DIR is not set\n");
		return 1;
	}
	g_test_add_func("/registry/scan-diagnostics", test_scan_diagnostics);
	g_test_add_func("/registry/load-file-error", test_load_file_error);
	g_test_add_func("/registry/builtin-and-closest", test_builtin_and_closest);
	g_test_add_func("/registry/env-path", test_env_path);
	g_test_add_func("/registry/system-path", test_system_path);
	g_test_add_func("/registry/counters-own", test_counters_own);
	return g_test_run();
}
