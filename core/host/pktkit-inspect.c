// SPDX-License-Identifier: MIT
/* pktkit-inspect.c - Describe modules and device types from their descriptors: text, Markdown, JSON
 *
 * Only the modules' pk_module_query() descriptors are read; no device is
 * created. The renderers live in inspect-text.c, inspect-markdown.c and
 * inspect-json.c.
 */
#include <locale.h>
#include <stdio.h>
#include <pktkit/version.h>
#include "host-common.h"
#include "inspect.h"

#define INSPECT_PROG "pktkit-inspect"

struct inspect_options {
	gboolean markdown;
	gboolean json;
	gboolean verbose;
	gboolean version;
	char **module_dirs;
	char **args;
};

static GOptionContext *inspect_option_context(struct inspect_options *opt)
{
	const GOptionEntry entries[] = {
		{ "markdown", 'm', 0, G_OPTION_ARG_NONE, &opt->markdown,
		  "Write the reference (all types, or TYPE) as Markdown", NULL },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &opt->json,
		  "Write everything (or TYPE) as JSON", NULL },
		{ "module-dir", 'M', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt->module_dirs,
		  "Load modules only from DIR (repeatable)", "DIR" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt->verbose, "Also log debug messages",
		  NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &opt->version,
		  "Print the version and module ABI", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt->args, NULL, "[TYPE]" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	g_autofree char *description = g_strdup_printf(
		"Without TYPE: the modules, the types they provide and the modules that were\n"
		"refused. With TYPE: its ports, parameters, counters and reference text.\n"
		"`pktkit-inspect --markdown > docs/types.md` regenerates the reference.\n"
		"Modules are loaded from the directories in $%s, then from\n%s\n"
		"(or from those in $%s instead, when set).\n"
		"\n"
		"Exit status: 0 success; 1 unknown TYPE; 2 usage error.",
		PK_MODULE_PATH_ENV, host_module_dir(), PK_MODULE_SYSTEM_PATH_ENV);

	g_option_context_set_summary(ctx, "Describe pktkit modules and device types.");
	g_option_context_set_description(ctx, description);
	g_option_context_add_main_entries(ctx, entries, NULL);
	return ctx;
}

static int inspect_options_check(const struct inspect_options *opt)
{
	guint n_args = opt->args ? g_strv_length(opt->args) : 0;

	if (opt->markdown && opt->json)
		return host_usage_error(INSPECT_PROG, "--markdown and --json exclude each other");
	if (n_args > 1)
		return host_usage_error(INSPECT_PROG, "at most one TYPE (got %u)", n_args);
	return 0;
}

static void inspect_options_clear(struct inspect_options *opt)
{
	g_strfreev(opt->module_dirs);
	g_strfreev(opt->args);
}

static int inspect_unknown_type(struct pk_registry *reg, const char *name)
{
	const char *near = pk_registry_closest(reg, name);

	if (near)
		fprintf(stderr, "%s: unknown type '%s' (did you mean '%s'?)\n", INSPECT_PROG, name,
			near);
	else
		fprintf(stderr, "%s: unknown type '%s' (run %s without arguments to list the types)\n",
			INSPECT_PROG, name, INSPECT_PROG);
	if (pk_registry_diagnostics(reg)[0])
		fprintf(stderr, "%s: note: some modules were refused (warnings above); "
			"the types they provide are unknown\n", INSPECT_PROG);
	return HOST_EXIT_INVALID;
}

static int inspect_run(struct pk_registry *reg, const struct inspect_options *opt)
{
	const char *name = opt->args ? opt->args[0] : NULL;
	const struct pk_registry_type *rt = NULL;

	if (name) {
		rt = pk_registry_lookup(reg, name);
		if (!rt)
			return inspect_unknown_type(reg, name);
	}
	if (opt->markdown)
		return inspect_markdown(reg, rt);
	if (opt->json)
		return inspect_json(reg, rt);
	return rt ? inspect_text_type(rt) : inspect_text_list(reg);
}

int main(int argc, char **argv)
{
	struct inspect_options opt = { 0 };
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	struct pk_registry *reg;
	bool shows_diagnostics;
	int rc;

	setlocale(LC_ALL, "");
	host_log_init(INSPECT_PROG);
	ctx = inspect_option_context(&opt);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		rc = host_usage_error(INSPECT_PROG, "%s", error->message);
		goto out;
	}
	if (opt.version) {
		printf("%s %s (module ABI %d.%d)\n", INSPECT_PROG, PK_VERSION_STRING, PK_ABI_MAJOR,
		       PK_ABI_MINOR);
		rc = 0;
		goto out;
	}
	rc = inspect_options_check(&opt);
	if (rc)
		goto out;
	if (opt.verbose)
		g_log_set_debug_enabled(TRUE);
	/* The list and the JSON show the registry's diagnostics themselves. */
	shows_diagnostics = !opt.args && !opt.markdown;
	if (shows_diagnostics)
		host_log_mute_domain("pktkit");
	reg = host_registry_new(opt.module_dirs);
	host_log_mute_domain(NULL);
	rc = inspect_run(reg, &opt);
	pk_registry_free(reg);
out:
	inspect_options_clear(&opt);
	return rc;
}
