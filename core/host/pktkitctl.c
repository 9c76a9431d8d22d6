// SPDX-License-Identifier: MIT
/* pktkitctl.c - Command-line client of pktkit-host's D-Bus API: options, connection, errors to exit codes */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "pktkitctl.h"

static const struct {
	const char *name;
	int rc;
} ctl_errors[] = {
	{ "org.pktkit.Error.InvalidArgs", CTL_EXIT_INVALID },
	{ "org.pktkit.Error.UnknownDevice", CTL_EXIT_UNKNOWN_DEVICE },
	{ "org.pktkit.Error.UnknownType", CTL_EXIT_UNKNOWN_TYPE },
	{ "org.pktkit.Error.NotLive", CTL_EXIT_NOT_LIVE },
	{ "org.pktkit.Error.LayerMismatch", CTL_EXIT_LAYER },
	{ "org.pktkit.Error.Exists", CTL_EXIT_EXISTS },
	{ "org.pktkit.Error.Failed", CTL_EXIT_FAILED },
	{ "org.freedesktop.DBus.Error.ServiceUnknown", CTL_EXIT_UNREACHABLE },
	{ "org.freedesktop.DBus.Error.NameHasNoOwner", CTL_EXIT_UNREACHABLE },
};

/* The exit code for @error; prints its message. */
static int ctl_error(const GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);
	g_autofree char *msg = g_strdup(error->message);
	int rc = CTL_EXIT_FAILED;

	if (remote) {
		for (size_t i = 0; i < G_N_ELEMENTS(ctl_errors); i++)
			if (strcmp(remote, ctl_errors[i].name) == 0)
				rc = ctl_errors[i].rc;
		g_dbus_error_strip_remote_error((GError *)error);
		g_free(msg);
		msg = g_strdup(error->message);
	}
	if (rc == CTL_EXIT_UNREACHABLE)
		fprintf(stderr, "%s: no pktkit-host is serving %s here (start one, or pass "
			"--system or --address)\n", CTL_PROG, CTL_BUS_NAME);
	else
		fprintf(stderr, "%s: %s\n", CTL_PROG, msg);
	return rc;
}

GVariant *ctl_call(struct ctl *c, const char *path, const char *iface, const char *method,
		   GVariant *args, const char *reply_type, int *rc)
{
	g_autoptr(GError) error = NULL;
	GVariant *reply;

	reply = g_dbus_connection_call_sync(c->conn, c->dest, path ? path : CTL_MANAGER_PATH,
					    iface ? iface : CTL_MANAGER_IFACE, method, args,
					    reply_type ? G_VARIANT_TYPE(reply_type) : NULL,
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	if (!reply)
		*rc = ctl_error(error);
	return reply;
}

int ctl_usage(const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", CTL_PROG, text,
		CTL_PROG);
	return CTL_EXIT_USAGE;
}

static const char ctl_commands_help[] =
	"Commands:\n"
	"  list                      devices and links\n"
	"  types                     device types\n"
	"  describe TYPE             ports, parameters and counters of a type\n"
	"  add ID TYPE [KEY=VALUE...] create a device\n"
	"  rm ID                     remove a device\n"
	"  link A.PORT B.PORT        link two ports (\"dev\", \"dev.group\", \"dev.group.N\")\n"
	"  unlink DEV.GROUP.N        remove the link at a port\n"
	"  get ID                    parameters (secret ones are never shown)\n"
	"  set ID KEY=VALUE...       change parameters (only live ones while running)\n"
	"  stats [ID] [--watch]      counters\n"
	"  status ID                 read-only status: values and tables (--json:\n"
	"                            durations in ns, timestamps in Unix microseconds)\n"
	"  capture PORT FILE         capture a port to pcapng until Ctrl-C (or --duration)\n"
	"  export                    the topology as JSON\n"
	"  load FILE [--merge]       replace (or add to) the topology\n"
	"\n"
	"VALUE is read as the parameter's type says (see describe): true/false,\n"
	"numbers, text, or JSON for lists.\n"
	"\n"
	"Exit status: 0 success; 1 failed; 2 usage; 3 no host reachable; 4 invalid\n"
	"argument; 5 unknown device; 6 unknown type; 7 parameter not live; 8 layer\n"
	"mismatch; 9 exists or in use.";

static GDBusConnection *ctl_connect(bool system, const char *address, int *rc)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *conn;

	if (address)
		conn = g_dbus_connection_new_for_address_sync(
			address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
	else
		conn = g_bus_get_sync(system ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION, NULL, &error);
	if (!conn) {
		fprintf(stderr, "%s: cannot connect to %s: %s\n", CTL_PROG,
			address ? address : system ? "the system bus" : "the session bus",
			error->message);
		*rc = CTL_EXIT_UNREACHABLE;
	}
	return conn;
}

int main(int argc, char **argv)
{
	gboolean system = FALSE, session = FALSE, json = FALSE, watch = FALSE, merge = FALSE,
		 usec = FALSE;
	int duration = 0;
	g_autofree char *address = NULL;
	const GOptionEntry entries[] = {
		{ "system", 0, 0, G_OPTION_ARG_NONE, &system, "Talk to the host on the system bus",
		  NULL },
		{ "session", 0, 0, G_OPTION_ARG_NONE, &session,
		  "Talk to the host on the session bus (the default)", NULL },
		{ "address", 'a', 0, G_OPTION_ARG_STRING, &address,
		  "Talk to a host serving peer to peer at ADDR (its --dbus-address)", "ADDR" },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON for scripts", NULL },
		{ "watch", 'w', 0, G_OPTION_ARG_NONE, &watch, "stats: print again on every change",
		  NULL },
		{ "merge", 0, 0, G_OPTION_ARG_NONE, &merge, "load: add to the topology", NULL },
		{ "usec", 0, 0, G_OPTION_ARG_NONE, &usec, "capture: microsecond timestamps", NULL },
		{ "duration", 'd', 0, G_OPTION_ARG_INT, &duration, "capture: stop after SECS",
		  "SECS" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("COMMAND [ARG...]");
	g_autoptr(GError) error = NULL;
	struct ctl c = { 0 };
	int rc = CTL_EXIT_OK;

	setlocale(LC_ALL, "");
	g_option_context_set_summary(ctx, "Control a running pktkit-host over D-Bus.");
	g_option_context_set_description(ctx, ctl_commands_help);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		return ctl_usage("%s", error->message);
	if (system + session + (address != NULL) > 1)
		return ctl_usage("--system, --session and --address exclude each other");
	if (argc < 2)
		return ctl_usage("no command given");
	c.conn = ctl_connect(system, address, &rc);
	if (!c.conn)
		return rc;
	c.dest = address ? NULL : CTL_BUS_NAME;
	c.json = json;
	c.watch = watch;
	c.merge = merge;
	c.usec = usec;
	c.duration = duration;
	rc = ctl_run(&c, argc - 1, argv + 1);
	g_dbus_connection_flush_sync(c.conn, NULL, NULL);
	g_object_unref(c.conn);
	return rc;
}
