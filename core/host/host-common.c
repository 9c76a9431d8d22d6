// SPDX-License-Identifier: MIT
/* host-common.c - Shared by pktkit-host and pktkit-inspect: log output, registry, errors
 *
 * GLib's default log writer prints "** (prog:pid): WARNING **: 12:00:00.000:
 * ..." which is meant for developers. The programs here talk to people, so
 * their writer prints "prog: warning: ..." instead, and hands the structured
 * fields to the journal when stderr is connected to it. Filtering
 * (G_MESSAGES_DEBUG, --verbose) and G_DEBUG=fatal-* behave as with GLib's
 * own writer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "host-common.h"

#define JSON_DATA_PREFIX "<data>:"	/* how json-glib names in-memory input */

static const char *log_prog = "pktkit";
static GLogLevelFlags log_fatal_levels;
static char *log_muted_domain;

/* The text of field @key, or NULL; *@tmp frees a copy made for counted fields. */
static const char *log_field(const GLogField *fields, gsize n_fields, const char *key,
			     char **tmp)
{
	for (gsize i = 0; i < n_fields; i++) {
		if (strcmp(fields[i].key, key) != 0)
			continue;
		if (fields[i].length < 0)
			return fields[i].value;
		*tmp = g_strndup(fields[i].value, (gsize)fields[i].length);
		return *tmp;
	}
	return NULL;
}

static const char *log_level_label(GLogLevelFlags level)
{
	if (level & G_LOG_LEVEL_ERROR)
		return "error: ";
	if (level & G_LOG_LEVEL_CRITICAL)
		return "critical: ";
	if (level & G_LOG_LEVEL_WARNING)
		return "warning: ";
	if (level & G_LOG_LEVEL_DEBUG)
		return "debug: ";
	return "";
}

static bool log_is_muted(GLogLevelFlags level, const char *domain)
{
	const GLogLevelFlags mutable =
		G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG;

	return log_muted_domain && domain && strcmp(domain, log_muted_domain) == 0 &&
	       (level & G_LOG_LEVEL_MASK & ~mutable) == 0;
}

static void log_to_stderr(GLogLevelFlags level, const char *domain, const char *message)
{
	if (level & G_LOG_LEVEL_DEBUG)
		fprintf(stderr, "%s: debug: [%s] %s\n", log_prog, domain ? domain : "-",
			message ? message : "");
	else
		fprintf(stderr, "%s: %s%s\n", log_prog, log_level_label(level),
			message ? message : "");
	fflush(stderr);
}

static GLogWriterOutput log_write(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
				  gpointer user_data)
{
	g_autofree char *domain_tmp = NULL, *message_tmp = NULL, *old_tmp = NULL;
	const char *domain = log_field(fields, n_fields, "GLIB_DOMAIN", &domain_tmp);
	const char *message = log_field(fields, n_fields, "MESSAGE", &message_tmp);
	/* g_log() callers get fatal handling from g_logv() itself. */
	bool old_api = log_field(fields, n_fields, "GLIB_OLD_LOG_API", &old_tmp) != NULL;

	if (g_log_writer_default_would_drop(level, domain) || log_is_muted(level, domain))
		return G_LOG_WRITER_HANDLED;
	if (!g_log_writer_is_journald(fileno(stderr)) ||
	    g_log_writer_journald(level, fields, n_fields, user_data) != G_LOG_WRITER_HANDLED)
		log_to_stderr(level, domain, message);
	if ((level & G_LOG_FLAG_FATAL) || (!old_api && (level & log_fatal_levels)))
		abort();
	return G_LOG_WRITER_HANDLED;
}

void host_log_init(const char *prog)
{
	/* Read the always-fatal levels (G_DEBUG=fatal-warnings/-criticals) back. */
	log_fatal_levels = g_log_set_always_fatal(G_LOG_FATAL_MASK);
	g_log_set_always_fatal(log_fatal_levels);
	log_fatal_levels &= G_LOG_LEVEL_MASK;
	log_prog = prog;
	g_set_prgname(prog);
	g_log_set_writer_func(log_write, NULL, NULL);
}

void host_log_mute_domain(const char *domain)
{
	g_free(log_muted_domain);
	log_muted_domain = g_strdup(domain);
}

struct pk_registry *host_registry_new(char **dirs)
{
	struct pk_registry *reg = pk_registry_new();
	unsigned int accepted = 0;

	if (!dirs) {
		accepted = pk_registry_scan_default(reg);
		g_debug("module search path: $%s, then %s", PK_MODULE_PATH_ENV, host_module_dir());
	} else {
		for (char **dir = dirs; *dir; dir++)
			accepted += pk_registry_scan_dir(reg, *dir);
	}
	g_info("%u module(s) loaded besides the built-in one", accepted);
	return reg;
}

const char *host_module_dir(void)
{
	return PKTKIT_MODULE_DIR;
}

void host_print_error_lines(const char *name, const char *message)
{
	g_auto(GStrv) lines = g_strsplit(message, "\n", -1);

	for (char **line = lines; *line; line++) {
		if (!**line)
			continue;
		if (g_str_has_prefix(*line, JSON_DATA_PREFIX))
			fprintf(stderr, "%s:%s\n", name, *line + strlen(JSON_DATA_PREFIX));
		else
			fprintf(stderr, "%s: %s\n", name, *line);
	}
}

void host_print_json(JsonNode *root)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

int host_usage_error(const char *prog, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, text, prog);
	return HOST_EXIT_USAGE;
}
