// SPDX-License-Identifier: MIT
/* test-dbus-client.c - A GDBus client of pktkit-host over a private address: API, errors, signals, live-change stress
 *
 * Usage: test-dbus-client PKTKIT_HOST
 * Starts the host with --dbus-address on a socket in a temporary directory
 * and talks to it through the gdbus-codegen proxies. The stress test pushes
 * beacon traffic through a hub while a device is added, linked, unlinked and
 * removed and a beacon is moved between hub ports 1000 times; then the host
 * must still answer, the hub must never have sent a frame towards an unlinked
 * port (no stale MAC entry), counters must only grow, and the host must exit
 * cleanly (leaks fail the exit status under LeakSanitizer).
 */
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "dbus-generated.h"

#define STRESS_ROUNDS 1000
#define MAC_A "02:00:00:00:00:0a"
#define MAC_B "02:00:00:00:00:0b"

static const char *host_path;
static char *workdir;
static GPid host_pid;
static GDBusConnection *conn;
static PkDBusManager *mgr;

static const char topology[] =
	"{ \"devices\": { \"hub\": { \"type\": \"l2.hub\" },\n"
	"  \"a\": { \"type\": \"test.beacon\", \"src\": \"" MAC_A "\", \"interval\": \"1ms\" },\n"
	"  \"b\": { \"type\": \"test.beacon\", \"src\": \"" MAC_B "\", \"dst\": \"" MAC_A "\",\n"
	"         \"interval\": \"1ms\", \"burst\": 4 } },\n"
	"  \"links\": [ [\"hub\", \"a\"], [\"hub\", \"b\"] ] }\n";

/* In the child: die with the test, so a failed assertion leaves no host behind. */
static void host_child_setup(gpointer data)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void host_start(void)
{
	g_autofree char *topo = g_build_filename(workdir, "topology.json", NULL);
	g_autofree char *sock = g_build_filename(workdir, "host.sock", NULL);
	g_autofree char *addr_opt = g_strdup_printf("--dbus-address=unix:path=%s", sock);
	g_autofree char *address = g_strdup_printf("unix:path=%s", sock);
	char *argv[] = { (char *)host_path, addr_opt, topo, NULL };
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(topo, topology, -1, &error));
	g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, host_child_setup, NULL,
				    &host_pid, &error));
	for (int i = 0; i < 200 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++)
		g_usleep(25000);
	conn = g_dbus_connection_new_for_address_sync(
		address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
	g_assert_no_error(error);
	mgr = pk_dbus_manager_proxy_new_sync(conn, G_DBUS_PROXY_FLAGS_NONE, NULL,
					     "/org/pktkit/Host1", NULL, &error);
	g_assert_no_error(error);
}

static int host_stop(void)
{
	int status = 0;

	g_clear_object(&mgr);
	g_dbus_connection_close_sync(conn, NULL, NULL);
	g_clear_object(&conn);
	kill(host_pid, SIGTERM);
	g_assert_cmpint(waitpid(host_pid, &status, 0), ==, host_pid);
	g_spawn_close_pid(host_pid);
	return status;
}

/* The call failed with D-Bus error @name; clears *@error. */
static void assert_remote_error(GError **error, const char *name)
{
	g_autofree char *remote = NULL;

	g_assert_nonnull(*error);
	remote = g_dbus_error_get_remote_error(*error);
	g_assert_cmpstr(remote, ==, name);
	g_clear_error(error);
}

static GVariant *params(const char *text)
{
	g_autoptr(GError) error = NULL;
	GVariant *v = g_variant_parse(G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &error);

	g_assert_no_error(error);
	return v;
}

static GVariant *counters(const char *id)
{
	g_autofree char *path = g_strdup_printf("/org/pktkit/Host1/devices/%s", id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
		conn, NULL, path, "org.freedesktop.DBus.Properties", "Get",
		g_variant_new("(ss)", "org.pktkit.Host1.Device", "Counters"), G_VARIANT_TYPE("(v)"),
		G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	GVariant *v;

	g_assert_no_error(error);
	g_variant_get(r, "(v)", &v);
	return v;
}

static guint64 counter(GVariant *c, const char *name)
{
	guint64 value = 0;

	g_assert_true(g_variant_lookup(c, name, "t", &value));
	return value;
}

static void test_types(void)
{
	g_autoptr(GVariant) types = NULL, info = NULL, ps = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(pk_dbus_manager_call_list_types_sync(mgr, &types, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(g_variant_n_children(types), >=, 4);
	g_assert_true(pk_dbus_manager_call_describe_type_sync(mgr, "test.secret", &info, &ps, NULL,
							      &error));
	g_assert_cmpuint(g_variant_n_children(ps), ==, 4);
	g_clear_pointer(&info, g_variant_unref);
	g_clear_pointer(&ps, g_variant_unref);
	g_assert_false(pk_dbus_manager_call_describe_type_sync(mgr, "test.nope", &info, &ps, NULL,
							       &error));
	assert_remote_error(&error, "org.pktkit.Error.UnknownType");
}

static void test_errors(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *la = NULL, *lb = NULL;

	g_assert_false(pk_dbus_manager_call_remove_device_sync(mgr, "nope", NULL, &error));
	assert_remote_error(&error, "org.pktkit.Error.UnknownDevice");
	g_assert_false(pk_dbus_manager_call_add_device_sync(mgr, "hub", "l2.hub", params("{}"),
							    &path, NULL, &error));
	assert_remote_error(&error, "org.pktkit.Error.Exists");
	g_assert_false(pk_dbus_manager_call_add_device_sync(
		mgr, "s", "test.secret", params("{'level': <'high'>}"), &path, NULL, &error));
	assert_remote_error(&error, "org.pktkit.Error.InvalidArgs");
	g_assert_false(pk_dbus_manager_call_set_config_sync(
		mgr, "hub", params("{'mac-table-size': <uint32 16>}"), NULL, &error));
	assert_remote_error(&error, "org.pktkit.Error.NotLive");
	g_assert_true(pk_dbus_manager_call_add_device_sync(mgr, "l3", "core.pipe-l3", params("{}"),
							   &path, NULL, &error));
	g_assert_false(pk_dbus_manager_call_link_sync(mgr, "l3", "hub", &la, &lb, NULL, &error));
	assert_remote_error(&error, "org.pktkit.Error.LayerMismatch");
	g_assert_true(pk_dbus_manager_call_remove_device_sync(mgr, "l3", NULL, &error));
	g_assert_false(pk_dbus_manager_call_load_topology_sync(mgr, "{\"devices\": 1}", TRUE, NULL,
							       &error));
	assert_remote_error(&error, "org.pktkit.Error.InvalidArgs");
}

static void test_secret(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autoptr(GVariant) config = NULL;
	g_autofree char *text = NULL, *topo = NULL;

	g_assert_true(pk_dbus_manager_call_add_device_sync(
		mgr, "s", "test.secret", params("{'password': <'client-secret'>, 'level': <uint32 2>}"),
		&path, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(pk_dbus_manager_call_get_config_sync(mgr, "s", &config, NULL, &error));
	text = g_variant_print(config, TRUE);
	g_assert_null(strstr(text, "client-secret"));
	g_assert_null(strstr(text, "password"));
	g_assert_nonnull(strstr(text, "'level': <uint32 2>"));
	g_assert_true(pk_dbus_manager_call_export_topology_sync(mgr, &topo, NULL, &error));
	g_assert_null(strstr(topo, "client-secret"));
	g_assert_true(pk_dbus_manager_call_remove_device_sync(mgr, "s", NULL, &error));
}

struct seen {
	unsigned int added, removed, links_added, links_removed;
};

static void on_signal(GDBusProxy *proxy, const char *sender, const char *name, GVariant *args,
		      gpointer data)
{
	struct seen *seen = data;

	if (!strcmp(name, "DeviceAdded"))
		seen->added++;
	else if (!strcmp(name, "DeviceRemoved"))
		seen->removed++;
	else if (!strcmp(name, "LinkAdded"))
		seen->links_added++;
	else if (!strcmp(name, "LinkRemoved"))
		seen->links_removed++;
}

/* Let queued signals arrive. */
static void drain(unsigned int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

static void test_stress(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) before = NULL, after = NULL, hub = NULL, a = NULL;
	struct seen seen = { 0 };
	gulong handler;

	drain(600);	/* signals of the tests before */
	handler = g_signal_connect(mgr, "g-signal", G_CALLBACK(on_signal), &seen);
	before = counters("hub");
	for (unsigned int i = 0; i < STRESS_ROUNDS; i++) {
		g_autofree char *path = NULL, *la = NULL, *lb = NULL;
		g_autofree char *src = g_strdup_printf("{'src': <'02:00:00:01:%02x:%02x'>, "
						       "'interval': <'1ms'>}", i >> 8, i & 0xff);

		g_assert_true(pk_dbus_manager_call_add_device_sync(mgr, "x", "test.beacon",
								   params(src), &path, NULL, &error));
		g_assert_no_error(error);
		g_assert_true(pk_dbus_manager_call_link_sync(mgr, "x", "hub", &la, &lb, NULL, &error));
		g_assert_no_error(error);
		g_assert_cmpstr(la, ==, "x.port.0");
		/* Move beacon a to another hub port: its MAC must follow. */
		g_assert_true(pk_dbus_manager_call_unlink_sync(mgr, "a.port", NULL, &error));
		g_assert_no_error(error);
		g_clear_pointer(&la, g_free);
		g_clear_pointer(&lb, g_free);
		g_assert_true(pk_dbus_manager_call_link_sync(mgr, "a", "hub", &la, &lb, NULL, &error));
		g_assert_no_error(error);
		g_assert_true(pk_dbus_manager_call_remove_device_sync(mgr, "x", NULL, &error));
		g_assert_no_error(error);
	}
	drain(1200);
	g_signal_handler_disconnect(mgr, handler);
	g_assert_cmpuint(seen.added, ==, STRESS_ROUNDS);
	g_assert_cmpuint(seen.removed, ==, STRESS_ROUNDS);
	g_assert_cmpuint(seen.links_added, ==, 2 * STRESS_ROUNDS);
	g_assert_cmpuint(seen.links_removed, ==, 2 * STRESS_ROUNDS);
	after = counters("hub");
	/* Counters only grow, traffic flowed, and nothing went to an unlinked port. */
	g_assert_cmpuint(counter(after, "flooded"), >, counter(before, "flooded"));
	g_assert_cmpuint(counter(after, "mac-learned"), >=, counter(before, "mac-learned"));
	g_assert_cmpuint(counter(after, "unlinked-drops"), ==, 0);
	g_assert_cmpuint(counter(after, "loop-drops"), ==, 0);
	a = counters("a");
	g_assert_cmpuint(counter(a, "received"), >, 0);
	g_assert_cmpuint(counter(a, "unlinked-drops"), ==, 0);
	hub = counters("b");
	g_assert_cmpuint(counter(hub, "sent"), >, 0);
}

int main(int argc, char **argv)
{
	int rc, status;

	g_test_init(&argc, &argv, NULL);
	if (argc != 2) {
		g_printerr("usage: %s PKTKIT_HOST\n", argv[0]);
		return 2;
	}
	host_path = argv[1];
	workdir = g_dir_make_tmp("pktkit-dbus-XXXXXX", NULL);
	g_assert_nonnull(workdir);
	host_start();
	g_test_add_func("/dbus/types", test_types);
	g_test_add_func("/dbus/errors", test_errors);
	g_test_add_func("/dbus/secret", test_secret);
	g_test_add_func("/dbus/stress", test_stress);
	rc = g_test_run();
	status = host_stop();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_printerr("pktkit-host did not exit cleanly (status 0x%x)\n", status);
		rc = 1;
	}
	for (const char *const *f = (const char *const[]){ "topology.json", "host.sock", NULL }; *f;
	     f++) {
		g_autofree char *file = g_build_filename(workdir, *f, NULL);

		g_remove(file);
	}
	g_rmdir(workdir);
	g_free(workdir);
	return rc;
}
