/* SPDX-License-Identifier: MIT
 * host-common.h - Shared by pktkit-host and pktkit-inspect: log output, registry, errors
 */
#ifndef PKTKIT_HOST_COMMON_H
#define PKTKIT_HOST_COMMON_H

#include <pktkit/embed/registry.h>

G_BEGIN_DECLS

/* Exit codes of the command-line programs. */
#define HOST_EXIT_OK 0
#define HOST_EXIT_INVALID 1	/* invalid topology, failed check, unknown type */
#define HOST_EXIT_USAGE 2	/* bad command line */
#define HOST_EXIT_RUNTIME 3	/* a device failed to initialise or start */

/**
 * host_log_init() - Route GLib structured logging to concise stderr lines
 * @prog:	Program name put in front of every line
 *
 * Lines look like "pktkit-host: warning: ..."; the journal gets the
 * structured fields when stderr is connected to it. G_MESSAGES_DEBUG,
 * g_log_set_debug_enabled() and G_DEBUG=fatal-* keep their meaning.
 *
 * Context: main thread, before anything logs.
 */
void host_log_init(const char *prog);

/**
 * host_log_mute_domain() - Drop warnings and lesser messages of one log domain
 * @domain:	Log domain, or NULL to mute nothing
 *
 * For output that shows the same lines another way (inspect's list of
 * registry diagnostics).
 *
 * Context: main thread.
 */
void host_log_mute_domain(const char *domain);

/**
 * host_registry_new() - A registry with the modules of @dirs, or of the default path
 * @dirs:	NULL-terminated directories to scan instead of the default
 *		search path, or NULL for $PKTKIT_MODULE_PATH and the install dir
 *
 * Refused modules and shadowed types are logged as warnings by the registry.
 *
 * Context: main thread.
 * Return: (transfer full) the registry.
 */
struct pk_registry *host_registry_new(char **dirs);

/**
 * host_module_dir() - The directory installed modules are searched in
 *
 * Context: any thread.
 */
const char *host_module_dir(void);

/**
 * host_print_error_lines() - Print each line of @message to stderr, prefixed by @name
 * @name:	File or topology name
 * @message:	One problem per line
 *
 * JSON syntax errors ("<data>:3:7: ...") become "name:3:7: ...".
 *
 * Context: main thread.
 */
void host_print_error_lines(const char *name, const char *message);

/**
 * host_print_json() - Print @root to stdout as indented JSON and a newline
 * @root:	Node
 *
 * Context: main thread.
 */
void host_print_json(JsonNode *root);

/**
 * host_usage_error() - Print a usage problem and the hint to --help
 * @prog:	Program name
 * @fmt:	printf format
 *
 * Context: main thread.
 * Return: HOST_EXIT_USAGE.
 */
int host_usage_error(const char *prog, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

G_END_DECLS

#endif /* PKTKIT_HOST_COMMON_H */
