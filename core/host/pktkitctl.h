/* SPDX-License-Identifier: MIT
 * pktkitctl.h - pktkitctl: a command-line client of org.pktkit.Host1 (commands, output, exit codes)
 */
#ifndef PKTKIT_HOST_PKTKITCTL_H
#define PKTKIT_HOST_PKTKITCTL_H

#include <stdbool.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CTL_PROG "pktkitctl"
#define CTL_BUS_NAME "org.pktkit.Host1"
#define CTL_MANAGER_PATH "/org/pktkit/Host1"
#define CTL_MANAGER_IFACE "org.pktkit.Host1.Manager"
#define CTL_DEVICE_IFACE "org.pktkit.Host1.Device"

/* Exit codes: one per kind of failure, so scripts can tell them apart. */
enum ctl_exit {
	CTL_EXIT_OK = 0,
	CTL_EXIT_FAILED = 1,		/* org.pktkit.Error.Failed, or anything else */
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_UNREACHABLE = 3,	/* no host on that bus or address */
	CTL_EXIT_INVALID = 4,		/* InvalidArgs */
	CTL_EXIT_UNKNOWN_DEVICE = 5,
	CTL_EXIT_UNKNOWN_TYPE = 6,
	CTL_EXIT_NOT_LIVE = 7,
	CTL_EXIT_LAYER = 8,
	CTL_EXIT_EXISTS = 9,
};

/* What every command gets. */
struct ctl {
	GDBusConnection *conn;
	const char *dest;	/* bus name, or NULL on a peer-to-peer connection */
	bool json;
	bool watch;
	bool merge;
	bool usec;
	int duration;		/* capture: seconds, 0 until Ctrl-C */
};

/* pktkitctl.c */

/**
 * ctl_call() - Call a method of the manager (or of @path's @iface) and wait
 * @c:		Client
 * @path:	Object path, NULL for the manager
 * @iface:	Interface, NULL for the manager's
 * @method:	Method name
 * @args:	(transfer floating) arguments, or NULL
 * @reply_type:	Expected reply type
 * @rc:		Out: the exit code for the error, when the call fails
 *
 * Prints the D-Bus error's message on failure.
 *
 * Context: main thread.
 * Return: (transfer full) the reply, or NULL.
 */
GVariant *ctl_call(struct ctl *c, const char *path, const char *iface, const char *method,
		   GVariant *args, const char *reply_type, int *rc);

/**
 * ctl_usage() - Print a usage problem and the hint to --help
 * @fmt:	printf format
 *
 * Context: main thread.
 * Return: CTL_EXIT_USAGE.
 */
int ctl_usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* pktkitctl-commands.c */

/**
 * ctl_run() - Run one command
 * @c:		Client
 * @argc:	Words of the command, the command name first
 * @argv:	The words
 *
 * Context: main thread.
 * Return: the exit code.
 */
int ctl_run(struct ctl *c, int argc, char **argv);

/* pktkitctl-output.c */

/**
 * ctl_table_print() - Print rows as aligned columns, the first row as header
 * @rows:	GPtrArray of GStrv, all of the same length
 *
 * Context: main thread.
 */
void ctl_table_print(GPtrArray *rows);

/**
 * ctl_json_print() - Print @node as indented JSON
 * @node:	Node
 *
 * Context: main thread.
 */
void ctl_json_print(JsonNode *node);

/**
 * ctl_variant_print() - Print @v as JSON
 * @v:	Value
 *
 * Context: main thread.
 */
void ctl_variant_print(GVariant *v);

/**
 * ctl_value_text() - A value as a person reads it: strings bare, the rest as GVariant text
 * @v:	Value (a variant's content)
 *
 * Context: main thread.
 * Return: (transfer full) the text.
 */
char *ctl_value_text(GVariant *v);

G_END_DECLS

#endif /* PKTKIT_HOST_PKTKITCTL_H */
