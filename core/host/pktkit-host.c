// SPDX-License-Identifier: MIT
/* pktkit-host.c - Run a JSON topology in a GMainLoop until SIGINT/SIGTERM, or only check it
 *
 * Every topology, a file or the built-in default, goes the same way: read,
 * parse (duplicate keys refused), validate against the registry's schemas,
 * then create, start and run. Validation problems exit 1 before anything is
 * created; a device failing to initialise or start exits 3. While running,
 * the D-Bus service org.pktkit.Host1 (dbus-service.c) controls the graph.
 */
#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <pktkit/error.h>
#include <pktkit/embed/graph.h>
#include <pktkit/version.h>
#include "dbus-service.h"
#include "default-topology.h"
#include "host-common.h"

#define HOST_PROG "pktkit-host"
#define HOST_DEFAULT_NAME "(built-in default)"

struct host_options {
	gboolean check;
	gboolean print_default;
	gboolean export_topology;
	gboolean with_secrets;
	gboolean verbose;
	gboolean version;
	gboolean dbus_session;
	gboolean dbus_system;
	gboolean no_dbus;
	char *dbus_address;
	char **module_dirs;
	char **files;
};

/* Socket path of the default topology's QEMU listener (set in main). */
static char *host_default_socket;

/* What the signal handlers share with the run loop. */
struct host_loop {
	GMainLoop *loop;
	const char *stopped_by;
};

/* Command line --------------------------------------------------------- */

static GOptionContext *host_option_context(struct host_options *opt)
{
	const GOptionEntry entries[] = {
		{ "check", 'c', 0, G_OPTION_ARG_NONE, &opt->check,
		  "Only validate FILE (several allowed; none: the default)", NULL },
		{ "export", 'e', 0, G_OPTION_ARG_NONE, &opt->export_topology,
		  "Load FILE, print it as exported JSON, then exit", NULL },
		{ "with-secrets", 0, 0, G_OPTION_ARG_NONE, &opt->with_secrets,
		  "With --export: include secret parameters", NULL },
		{ "print-default", 0, 0, G_OPTION_ARG_NONE, &opt->print_default,
		  "Print the built-in default topology", NULL },
		{ "module-dir", 'M', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt->module_dirs,
		  "Load modules only from DIR (repeatable)", "DIR" },
		{ "session", 0, 0, G_OPTION_ARG_NONE, &opt->dbus_session,
		  "Serve org.pktkit.Host1 on the session bus (the default)", NULL },
		{ "system", 0, 0, G_OPTION_ARG_NONE, &opt->dbus_system,
		  "Serve org.pktkit.Host1 on the system bus", NULL },
		{ "dbus-address", 0, 0, G_OPTION_ARG_STRING, &opt->dbus_address,
		  "Serve D-Bus peer to peer on ADDR (e.g. unix:path=/run/pk.sock)", "ADDR" },
		{ "no-dbus", 0, 0, G_OPTION_ARG_NONE, &opt->no_dbus, "No D-Bus control", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt->verbose, "Also log debug messages",
		  NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &opt->version,
		  "Print the version and module ABI", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt->files, NULL,
		  "[FILE]" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	g_autofree char *description = g_strdup_printf(
		"Without FILE the built-in default topology runs (see --print-default): a hub,\n"
		"a DHCP server and a QEMU listener on the UNIX socket %s\n"
		"($XDG_RUNTIME_DIR/pktkit/qemu.sock, or /run/pktkit/qemu.sock as root).\n"
		"Modules are loaded from the directories in $%s, then from\n%s\n"
		"(or from those in $%s instead, when set).\n"
		"\n"
		"While running, org.pktkit.Host1 on the session bus controls the topology\n"
		"(see pktkitctl); without a session bus the host runs without D-Bus unless\n"
		"--session was given.\n"
		"\n"
		"Exit status: 0 success; 1 unreadable or invalid topology, failed check;\n"
		"2 usage error; 3 a device failed to initialise or start, or the D-Bus\n"
		"service asked for could not start.",
		host_default_socket, PK_MODULE_PATH_ENV, host_module_dir(),
		PK_MODULE_SYSTEM_PATH_ENV);

	g_option_context_set_summary(ctx,
				     "Run a pktkit topology (JSON) until SIGINT or SIGTERM.");
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	return ctx;
}

/* Combinations of options that make no sense; HOST_EXIT_OK if none. */
static int host_options_check(const struct host_options *opt)
{
	guint n_files = opt->files ? g_strv_length(opt->files) : 0;

	if (opt->print_default && (n_files || opt->check || opt->export_topology))
		return host_usage_error(HOST_PROG, "--print-default takes no FILE and no other mode");
	if (opt->check && opt->export_topology)
		return host_usage_error(HOST_PROG, "--check and --export are separate modes; pick one");
	if (opt->with_secrets && !opt->export_topology)
		return host_usage_error(HOST_PROG, "--with-secrets only applies to --export");
	if (opt->dbus_session + opt->dbus_system + opt->no_dbus + (opt->dbus_address != NULL) > 1)
		return host_usage_error(HOST_PROG,
					"--session, --system, --dbus-address and --no-dbus exclude each other");
	if (!opt->check && n_files > 1)
		return host_usage_error(HOST_PROG,
					"one topology FILE at a time (got %u); --check accepts several",
					n_files);
	return HOST_EXIT_OK;
}

static void host_options_clear(struct host_options *opt)
{
	g_strfreev(opt->module_dirs);
	g_strfreev(opt->files);
	g_free(opt->dbus_address);
}

/* Topologies ------------------------------------------------------------ */

/* Parse @file, or the default when NULL; problems are printed. */
static JsonNode *host_read_topology(const char *file)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	gsize len = 0;
	JsonNode *root;

	if (!file) {
		text = host_default_topology_text(host_default_socket);
		len = strlen(text);
	} else if (!g_file_get_contents(file, &text, &len, &error)) {
		fprintf(stderr, "%s: %s\n", HOST_PROG, error->message);
		return NULL;
	}
	root = pk_topology_parse(text, (gssize)len, &error);
	if (!root)
		host_print_error_lines(file ? file : HOST_DEFAULT_NAME, error->message);
	return root;
}

/* After "unknown device type": say why a type may be missing. */
static void host_explain_unknown_types(struct pk_registry *reg)
{
	const char *const *diagnostics = pk_registry_diagnostics(reg);
	unsigned int n_modules;

	pk_registry_modules(reg, &n_modules);
	if (diagnostics[0])
		fprintf(stderr, "%s: note: some modules were refused (warnings above); "
			"the types they provide are unknown\n", HOST_PROG);
	if (n_modules <= 1)
		fprintf(stderr, "%s: note: no modules were found; install them in %s "
			"or list their directories in $%s\n", HOST_PROG, host_module_dir(),
			PK_MODULE_PATH_ENV);
}

/* Validate @root; print every problem, one per line, prefixed with @name. */
static bool host_validate(struct pk_registry *reg, JsonNode *root, const char *name)
{
	g_autoptr(GError) error = NULL;

	if (pk_topology_check(reg, root, &error))
		return true;
	host_print_error_lines(name, error->message);
	if (strstr(error->message, "unknown device type"))
		host_explain_unknown_types(reg);
	return false;
}

/* Read, parse and validate; NULL (problems printed) if any step fails. */
static JsonNode *host_load_checked(struct pk_registry *reg, const char *file)
{
	JsonNode *root = host_read_topology(file);

	if (root && !host_validate(reg, root, file ? file : HOST_DEFAULT_NAME)) {
		json_node_unref(root);
		return NULL;
	}
	return root;
}

static const char *plural(guint n)
{
	return n == 1 ? "" : "s";
}

static int host_check_one(struct pk_registry *reg, const char *file)
{
	g_autoptr(JsonNode) root = host_load_checked(reg, file);
	JsonObject *obj;
	guint n_devices, n_links = 0;

	if (!root)
		return HOST_EXIT_INVALID;
	obj = json_node_get_object(root);
	n_devices = json_object_get_size(json_object_get_object_member(obj, "devices"));
	if (json_object_has_member(obj, "links"))
		n_links = json_array_get_length(json_object_get_array_member(obj, "links"));
	printf("%s: ok (%u device%s, %u link%s)\n", file ? file : HOST_DEFAULT_NAME, n_devices,
	       plural(n_devices), n_links, plural(n_links));
	return HOST_EXIT_OK;
}

static int host_check_all(struct pk_registry *reg, char **files)
{
	int rc = HOST_EXIT_OK;

	if (!files || !files[0])
		return host_check_one(reg, NULL);
	for (char **file = files; *file; file++)
		if (host_check_one(reg, *file) != HOST_EXIT_OK)
			rc = HOST_EXIT_INVALID;
	return rc;
}

/* Running ----------------------------------------------------------------- */

/* Ports of device @id in the exported @links ("id.group.N" endpoints). */
static guint host_ports_linked(JsonArray *links, const char *id)
{
	size_t id_len = strlen(id);
	guint n = 0;

	for (guint i = 0; i < json_array_get_length(links); i++) {
		JsonArray *pair = json_array_get_array_element(links, i);

		for (guint side = 0; side < 2; side++) {
			const char *ep = json_array_get_string_element(pair, side);

			if (strncmp(ep, id, id_len) == 0 && (ep[id_len] == '.' || !ep[id_len]))
				n++;
		}
	}
	return n;
}

/* One line per device: "lan: l2.hub, 2 ports linked". */
static void host_log_devices(struct pk_graph *g)
{
	g_autoptr(JsonNode) topology = pk_graph_export(g, false);
	JsonArray *links = json_object_get_array_member(json_node_get_object(topology), "links");
	g_autofree const char **ids = pk_graph_devices(g);

	for (const char **id = ids; *id; id++) {
		guint n = host_ports_linked(links, *id);

		g_message("%s: %s, %u port%s linked", *id, pk_dev_type(pk_graph_lookup(g, *id))->name,
			  n, plural(n));
	}
}

/* SIGINT/SIGTERM are caught from the start of a run (before modules load and
 * the topology starts), so a signal during start-up stops the host cleanly
 * instead of killing it with the default action. */
static struct host_loop host_signals;

static void host_stop_by(struct host_loop *hl, const char *signal_name)
{
	if (!hl->stopped_by)
		hl->stopped_by = signal_name;
	if (hl->loop)
		g_main_loop_quit(hl->loop);
}

static gboolean host_on_sigint(gpointer data)
{
	host_stop_by(data, "SIGINT");
	return G_SOURCE_CONTINUE;
}

static gboolean host_on_sigterm(gpointer data)
{
	host_stop_by(data, "SIGTERM");
	return G_SOURCE_CONTINUE;
}

/*
 * The D-Bus service @opt asks for; NULL with *@rc unchanged when none is
 * wanted or the implicit session bus is missing, NULL with *@rc set when a
 * service asked for explicitly cannot start.
 */
static struct dbus_service *host_dbus_start(struct pk_graph *g, struct pk_registry *reg,
					    const struct host_options *opt, int *rc)
{
	g_autoptr(GError) error = NULL;
	enum dbus_where where = DBUS_SESSION;
	struct dbus_service *svc;

	if (opt->no_dbus)
		return NULL;
	if (opt->dbus_system)
		where = DBUS_SYSTEM;
	else if (opt->dbus_address)
		where = DBUS_ADDRESS;
	svc = dbus_service_new(g, reg, where, opt->dbus_address, &error);
	if (svc) {
		g_message("D-Bus control: %s", dbus_service_describe(svc));
		return svc;
	}
	if (where == DBUS_SESSION && !opt->dbus_session) {
		g_message("no D-Bus control (%s)", error->message);
		return NULL;
	}
	fprintf(stderr, "%s: %s\n", HOST_PROG, error->message);
	*rc = HOST_EXIT_RUNTIME;
	return NULL;
}

/* Append @s to @out as one QEMU option value (a comma is doubled). */
static void host_qemu_value(GString *out, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			g_string_append_c(out, ',');
		g_string_append_c(out, *s);
	}
}

/*
 * Append a pktkit address ("unix:/p", "tcp:h:p", "udp:h:p") as QEMU's
 * "@key.type=unix,@key.path=/p" or "@key.type=inet,@key.host=h,@key.port=p".
 * False if it cannot be written (port 0: chosen at start, the device logs it).
 */
static bool host_qemu_addr(GString *out, const char *key, const char *addr)
{
	const char *hp, *colon;
	g_autofree char *host = NULL;

	if (g_str_has_prefix(addr, "unix:")) {
		g_string_append_printf(out, "%s.type=unix,%s.path=", key, key);
		host_qemu_value(out, addr + 5);
		return true;
	}
	if (!g_str_has_prefix(addr, "tcp:") && !g_str_has_prefix(addr, "udp:"))
		return false;
	hp = addr + 4;
	colon = strrchr(hp, ':');
	if (!colon || colon == hp || strcmp(colon + 1, "0") == 0)
		return false;
	if (hp[0] == '[' && colon[-1] == ']')	/* QEMU wants IPv6 hosts without brackets */
		host = g_strndup(hp + 1, (gsize)(colon - hp - 2));
	else
		host = g_strndup(hp, (gsize)(colon - hp));
	g_string_append_printf(out, "%s.type=inet,%s.host=", key, key);
	host_qemu_value(out, host);
	g_string_append_printf(out, ",%s.port=%s", key, colon + 1);
	return true;
}

/*
 * For every io.qemu-listen and io.qemu-dgram device, log the QEMU options that
 * attach a guest to it, e.g. "-netdev stream,id=n0,server=off,addr.type=unix,
 * addr.path=P -device virtio-net-pci,netdev=n0".
 */
static void host_log_qemu_lines(struct pk_graph *g)
{
	g_autoptr(JsonNode) topology = pk_graph_export(g, false);
	JsonObject *devices = json_object_get_object_member(json_node_get_object(topology),
							    "devices");
	g_autoptr(GList) ids = json_object_get_members(devices);

	for (GList *l = ids; l; l = l->next) {
		JsonObject *dev = json_object_get_object_member(devices, l->data);
		const char *type = json_object_get_string_member_with_default(dev, "type", "");
		g_autoptr(GString) opt = g_string_new(NULL);
		g_autofree char *quoted = NULL;
		const char *value;
		bool ok;

		if (strcmp(type, "io.qemu-listen") == 0) {
			g_string_append(opt, "stream,id=n0,server=off,");
			ok = host_qemu_addr(opt, "addr",
					    json_object_get_string_member_with_default(dev, "listen", ""));
		} else if (strcmp(type, "io.qemu-dgram") == 0) {
			/* QEMU's local is the device's remote and the other way round. */
			g_string_append(opt, "dgram,id=n0,");
			ok = host_qemu_addr(opt, "local",
					    json_object_get_string_member_with_default(dev, "remote", ""));
			g_string_append_c(opt, ',');
			ok = ok && host_qemu_addr(opt, "remote",
						  json_object_get_string_member_with_default(
							  dev, "local", ""));
		} else {
			continue;
		}
		if (!ok)
			continue;
		/* Shell-quote the value only when it needs it, so the usual line stays plain. */
		value = opt->str;
		if (strpbrk(value, " \t'\"\\$`!*?;&|<>(){}[]~#"))
			value = quoted = g_shell_quote(value);
		g_message("%s: attach a QEMU guest with: qemu-system-x86_64 ... -netdev %s "
			  "-device virtio-net-pci,netdev=n0", (const char *)l->data, value);
	}
}

/* Start @g, run until a signal, stop. */
static int host_serve(struct pk_graph *g, struct pk_registry *reg, const char *name,
		      const struct host_options *opt)
{
	g_autoptr(GError) error = NULL;
	struct host_loop *hl = &host_signals;
	struct dbus_service *svc;
	int rc = HOST_EXIT_OK;
	g_autofree const char **ids = pk_graph_devices(g);

	host_log_devices(g);
	if (!pk_graph_start(g, &error)) {
		fprintf(stderr, "%s: cannot start %s: %s\n", HOST_PROG, name, error->message);
		if (strcmp(name, HOST_DEFAULT_NAME) == 0 &&
		    g_error_matches(error, PK_ERROR, PK_ERROR_EXISTS))
			fprintf(stderr, "%s: note: is another pktkit-host running the default topology? "
				"Stop it, or run this one with XDG_RUNTIME_DIR set to another "
				"directory or with a topology FILE\n", HOST_PROG);
		return HOST_EXIT_RUNTIME;
	}
	host_log_qemu_lines(g);
	svc = host_dbus_start(g, reg, opt, &rc);
	if (rc != HOST_EXIT_OK) {
		pk_graph_stop(g);
		return rc;
	}
	hl->loop = g_main_loop_new(NULL, FALSE);
	g_message("running %u device%s from %s; stop with Ctrl-C or kill -TERM %d",
		  g_strv_length((char **)ids), plural(g_strv_length((char **)ids)), name,
		  (int)getpid());
	if (!hl->stopped_by)	/* a signal during start-up: stop right away */
		g_main_loop_run(hl->loop);
	g_message("%s received, stopping", hl->stopped_by);
	dbus_service_free(svc);
	pk_graph_stop(g);
	g_clear_pointer(&hl->loop, g_main_loop_unref);
	return HOST_EXIT_OK;
}

/*
 * Raise the soft limit of open files to the hard one. Devices hold a
 * descriptor per host socket (an l3.slirp one per flow, up to its max-flows,
 * 4096 by default), and the usual soft limit of 1024 would refuse flows long
 * before that; GLib polls with poll(), so descriptors above FD_SETSIZE are
 * fine. Logs what it did, and warns when it cannot.
 */
static void host_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		g_warning("cannot read the open file limit: %s", g_strerror(errno));
		return;
	}
	if (rl.rlim_cur >= rl.rlim_max)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		g_warning("cannot raise the open file limit from %llu to %llu: %s",
			  (unsigned long long)was, (unsigned long long)rl.rlim_max,
			  g_strerror(errno));
		return;
	}
	g_message("open file limit raised from %llu to %llu (the hard limit)",
		  (unsigned long long)was, (unsigned long long)rl.rlim_max);
}

static int host_run(struct pk_registry *reg, const char *file, const struct host_options *opt)
{
	const char *name = file ? file : HOST_DEFAULT_NAME;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root = host_load_checked(reg, file);
	struct pk_graph *g;
	int rc;

	if (!root)
		return HOST_EXIT_INVALID;
	if (!file && !opt->export_topology) {
		g_autofree char *dir = g_path_get_dirname(host_default_socket);

		if (!host_runtime_dir_prepare(dir, &error)) {
			fprintf(stderr, "%s: %s\n", HOST_PROG, error->message);
			return HOST_EXIT_RUNTIME;
		}
	}
	if (!opt->export_topology)
		host_raise_nofile();
	g = pk_graph_new(reg, NULL, 0);
	if (!pk_graph_load(g, root, &error)) {
		host_print_error_lines(name, error->message);
		rc = HOST_EXIT_RUNTIME;
	} else if (opt->export_topology) {
		g_autoptr(JsonNode) exported = pk_graph_export(g, opt->with_secrets);

		host_print_json(exported);
		rc = HOST_EXIT_OK;
	} else {
		rc = host_serve(g, reg, name, opt);
	}
	pk_graph_free(g);
	if (rc == HOST_EXIT_OK && !opt->export_topology)
		g_message("stopped");
	return rc;
}

int main(int argc, char **argv)
{
	struct host_options opt = { 0 };
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	struct pk_registry *reg;
	int rc;

	setlocale(LC_ALL, "");
	host_log_init(HOST_PROG);
	{
		g_autofree char *dir = host_runtime_dir();

		host_default_socket = g_build_filename(dir, HOST_DEFAULT_SOCKET_NAME, NULL);
	}
	ctx = host_option_context(&opt);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		rc = host_usage_error(HOST_PROG, "%s", error->message);
		goto out;
	}
	if (opt.version) {
		printf("%s %s (module ABI %d.%d)\n", HOST_PROG, PK_VERSION_STRING, PK_ABI_MAJOR,
		       PK_ABI_MINOR);
		rc = HOST_EXIT_OK;
		goto out;
	}
	rc = host_options_check(&opt);
	if (rc != HOST_EXIT_OK)
		goto out;
	if (opt.print_default) {
		g_autofree char *text = host_default_topology_text(host_default_socket);

		fputs(text, stdout);
		goto out;
	}
	if (opt.verbose)
		g_log_set_debug_enabled(TRUE);
	if (!opt.check) {
		g_unix_signal_add(SIGINT, host_on_sigint, &host_signals);
		g_unix_signal_add(SIGTERM, host_on_sigterm, &host_signals);
	}
	reg = host_registry_new(opt.module_dirs);
	if (opt.check)
		rc = host_check_all(reg, opt.files);
	else
		rc = host_run(reg, opt.files ? opt.files[0] : NULL, &opt);
	pk_registry_free(reg);
out:
	host_options_clear(&opt);
	g_free(host_default_socket);
	return rc;
}
