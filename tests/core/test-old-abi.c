// SPDX-License-Identifier: MIT
/* test-old-abi.c - Modules built for ABI 1.0 and 1.1 load and run on this host */
#include <string.h>

#include <pktkit/pktkit.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

static char *module_dir;

static void iterate(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static void check_minor(gconstpointer data)
{
	unsigned int minor = GPOINTER_TO_UINT(data);
	g_autofree char *name = g_strdup_printf("pk-old-abi-1-%u.so", minor);
	g_autofree char *file = g_build_filename(module_dir, name, NULL);
	struct pk_registry *reg = pk_registry_new();
	const struct pk_registry_type *rt;
	struct pk_status_schema schema;
	struct pk_graph *g;
	struct pk_dev *pipe, *echo;
	struct pk_buf *got;
	GError *error = NULL;
	g_autoptr(GVariant) status = NULL;

	g_assert_true(pk_registry_load_file(reg, file, &error));
	g_assert_no_error(error);
	rt = pk_registry_lookup(reg, "test.old-echo");
	g_assert_nonnull(rt);
	g_assert_cmpuint(rt->module->info->abi_minor, ==, minor);
	/* The status schema is not read from a descriptor that lacks it. */
	pk_registry_type_status(rt, &schema);
	g_assert_null(schema.fields);
	g_assert_null(schema.tables);
	g_assert_cmpuint(schema.n_fields + schema.n_tables, ==, 0);

	g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	pipe = pk_graph_add_device(g, "p", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	echo = pk_graph_add_device(g, "e", "test.old-echo", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(g, "p", "e", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);

	/* It runs: a frame comes back, counted by the module. */
	g_assert_true(pk_pipe_inject(pipe, "hello, old module", 17));
	got = pk_pipe_pop(pipe);
	g_assert_nonnull(got);
	g_assert_cmpmem(pk_buf_data(got), got->len, "hello, old module", 17);
	pk_buf_unref(got);
	g_assert_cmpuint(pk_dev_counter(echo, "frames"), ==, 1);

	/* Its ops table has no status method: reading gives nothing. */
	status = pk_graph_device_status(g, "e", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_variant_n_children(status), ==, 0);
	/* Nor a port_event method: a flush for it is dropped. */
	g_assert_true(pk_dev_port_event(pipe, 0, PK_PORT_EVENT_FLUSH));
	iterate();
	g_assert_cmpuint(pk_dev_counter(echo, "frames"), ==, 1);

	pk_graph_stop(g);
	pk_graph_free(g);
	pk_registry_free(reg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	module_dir = g_strdup(g_getenv("PKTKIT_OLD_ABI_MODULE_DIR"));
	if (!module_dir) {
		g_printerr("PKTKIT_OLD_ABI_MODULE_DIR is not set\n");
		return 1;
	}
	g_test_add_data_func("/old-abi/1.0", GUINT_TO_POINTER(0), check_minor);
	g_test_add_data_func("/old-abi/1.1", GUINT_TO_POINTER(1), check_minor);
	return g_test_run();
}
