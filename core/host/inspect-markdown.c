// SPDX-License-Identifier: MIT
/* inspect-markdown.c - pktkit-inspect --markdown: the device type reference (docs/types.md)
 *
 * Reproducible: module file paths and registry diagnostics, which depend on
 * the machine, are left out.
 */
#include <stdio.h>
#include <string.h>
#include <pktkit/version.h>
#include "inspect.h"

/* A table cell: '|' escaped, line breaks as spaces. */
static void md_cell(GString *out, const char *text)
{
	g_string_append(out, "| ");
	for (const char *c = text ? text : ""; *c; c++) {
		if (*c == '|')
			g_string_append(out, "\\|");
		else if (*c == '\n')
			g_string_append_c(out, ' ');
		else
			g_string_append_c(out, *c);
	}
	g_string_append_c(out, ' ');
}

/* A table cell holding code; plain when the text itself has a backtick. */
static void md_code_cell(GString *out, const char *text)
{
	g_autofree char *code = strchr(text, '`') ? g_strdup(text) : g_strdup_printf("`%s`", text);

	md_cell(out, code);
}

static void md_row_end(GString *out)
{
	g_string_append(out, "|\n");
}

static void md_table_head(GString *out, const char *const *titles)
{
	guint n = 0;

	for (const char *const *t = titles; *t; t++, n++)
		md_cell(out, *t);
	md_row_end(out);
	for (guint i = 0; i < n; i++)
		g_string_append(out, "|---");
	g_string_append(out, "|\n");
}

/* GitHub's heading anchor: lowercase, keep letters, digits, '-' and '_'. */
static char *md_anchor(const char *heading)
{
	GString *s = g_string_new(NULL);

	for (const char *c = heading; *c; c++) {
		if (g_ascii_isalnum(*c) || *c == '-' || *c == '_')
			g_string_append_c(s, g_ascii_tolower(*c));
		else if (*c == ' ')
			g_string_append_c(s, '-');
	}
	return g_string_free(s, FALSE);
}

/* Sections of one type -------------------------------------------------- */

static void md_ports(GString *out, const struct pk_device_type *t)
{
	static const char *const titles[] = { "Group", "Layer", "Ports", "Description", NULL };

	g_string_append(out, "### Ports\n\n");
	if (t->n_ports == 0) {
		g_string_append(out, "None.\n\n");
		return;
	}
	md_table_head(out, titles);
	for (uint32_t i = 0; i < t->n_ports; i++) {
		const struct pk_port_group *pg = pk_type_port_group(t, i);
		g_autofree char *count = g_strdup_printf("%u..%u", pg->min, pg->max);

		md_code_cell(out, pg->name);
		md_cell(out, inspect_layer_name(pg->layer));
		md_cell(out, count);
		md_cell(out, pg->blurb);
		md_row_end(out);
	}
	g_string_append_c(out, '\n');
}

/* Append a sentence to @s, ending what is there with a full stop first. */
static void md_append_sentence(GString *s, const char *sentence)
{
	if (s->len && !strchr(".!?:", s->str[s->len - 1]))
		g_string_append_c(s, '.');
	if (s->len)
		g_string_append_c(s, ' ');
	g_string_append(s, sentence);
}

/* The description cell: blurb, enum names, a pointer to the record fields. */
static char *md_param_description(const struct pk_param *p)
{
	g_autofree char *names = inspect_enum_names(p, "`");
	GString *s = g_string_new(p->blurb);
	struct pk_param_table fields;

	if (*names) {
		g_autofree char *one_of = g_strdup_printf("One of: %s.", names);

		md_append_sentence(s, one_of);
	}
	if (inspect_record_table(p, &fields) && fields.n) {
		g_autofree char *each = g_strdup_printf("Each item has the fields `%s[].*` below.",
						       p->name);

		md_append_sentence(s, each);
	}
	return g_string_free(s, FALSE);
}

/* Rows of @params, names prefixed by @prefix ("peers[]."), records after their list. */
static void md_param_rows(GString *out, const struct pk_param_table *params, const char *prefix)
{
	for (uint32_t i = 0; i < params->n; i++) {
		const struct pk_param *p = pk_param_at(params, i);
		g_autofree char *name = g_strconcat(prefix, p->name, NULL);
		g_autofree char *range = inspect_param_range(p);
		g_autofree char *flags = inspect_param_flags(p);
		g_autofree char *description = md_param_description(p);
		struct pk_param_table fields;

		md_code_cell(out, name);
		md_cell(out, pk_param_type_name(p->type));
		if (p->def)
			md_code_cell(out, p->def);
		else
			md_cell(out, inspect_param_default(p));
		md_cell(out, range);
		md_cell(out, flags);
		md_cell(out, description);
		md_row_end(out);
		if (inspect_record_table(p, &fields)) {
			g_autofree char *sub = g_strconcat(name, "[].", NULL);

			md_param_rows(out, &fields, sub);
		}
	}
}

static void md_params(GString *out, const struct pk_device_type *t)
{
	static const char *const titles[] = { "Name", "Type", "Default", "Range", "Flags",
					      "Description", NULL };
	struct pk_param_table params = pk_type_params(t);

	g_string_append(out, "### Parameters\n\n");
	if (params.n == 0) {
		g_string_append(out, "None.\n\n");
		return;
	}
	md_table_head(out, titles);
	md_param_rows(out, &params, "");
	g_string_append_c(out, '\n');
}

static void md_counters(GString *out, const struct pk_device_type *t)
{
	static const char *const titles[] = { "Name", "Description", NULL };

	g_string_append(out, "### Counters\n\n");
	if (t->n_counters == 0) {
		g_string_append(out, "None.\n\n");
		return;
	}
	md_table_head(out, titles);
	for (uint32_t i = 0; i < t->n_counters; i++) {
		const struct pk_counter *c = pk_type_counter(t, i);

		md_code_cell(out, c->name);
		md_cell(out, c->blurb);
		md_row_end(out);
	}
	g_string_append_c(out, '\n');
}

static void md_status_rows(GString *out, const struct pk_status_field *a, uint32_t n,
			   uint32_t stride)
{
	static const char *const titles[] = { "Name", "Type", "Description", NULL };

	md_table_head(out, titles);
	for (uint32_t i = 0; i < n; i++) {
		const struct pk_status_field *f = pk_status_field_at(a, stride, i);

		md_code_cell(out, f->name);
		md_cell(out, pk_status_type_name(f->type));
		md_cell(out, f->blurb ? f->blurb : "");
		md_row_end(out);
	}
	g_string_append_c(out, '\n');
}

/* Read-only status (ABI 1.2): left out for types that declare none. */
static void md_status(GString *out, const struct pk_registry_type *rt)
{
	struct pk_status_schema s;

	pk_registry_type_status(rt, &s);
	if (s.n_fields == 0 && s.n_tables == 0)
		return;
	g_string_append(out, "### Status\n\n");
	if (s.n_fields)
		md_status_rows(out, s.fields, s.n_fields, s.fields_size);
	for (uint32_t i = 0; i < s.n_tables; i++) {
		const struct pk_status_table *t =
			(const struct pk_status_table *)((const char *)s.tables +
							 (size_t)i * s.tables_size);

		g_string_append_printf(out, "Table `%s`: %s\n\n", t->name, t->blurb ? t->blurb : "");
		md_status_rows(out, t->columns, t->n_columns, t->columns_size);
	}
}

static void md_type(GString *out, const struct pk_registry_type *rt)
{
	const struct pk_device_type *t = rt->type;
	const struct pk_module_info *m = rt->module->info;
	g_autofree char *needs = inspect_type_needs(t);

	g_string_append_printf(out, "## %s\n\n%s\n\n", t->name, t->summary);
	g_string_append_printf(out, "Module `%s` %s (%s, ABI %u.%u).", m->name, m->version,
			       m->license, m->abi_major, m->abi_minor);
	if (*needs)
		g_string_append_printf(out, " Needs %s.", needs);
	g_string_append(out, "\n\n");
	if (t->doc && *t->doc)
		g_string_append_printf(out, "%s\n\n", t->doc);
	md_ports(out, t);
	md_params(out, t);
	md_counters(out, t);
	md_status(out, rt);
}

/* The whole reference ------------------------------------------------------ */

static void md_preface(GString *out)
{
	const struct pk_counter *core;
	uint32_t n_core;

	g_string_append_printf(
		out,
		"# pktkit device types\n\n"
		"<!-- Generated by `pktkit-inspect --markdown` from the type descriptors; "
		"do not edit. -->\n\n"
		"The device types pktkit %s (module ABI %d.%d) found, with their ports, "
		"parameters, counters and status (what `pktkitctl status` shows).\n\n"
		"Every device also has the counters the core keeps (a type does not "
		"declare them); a device that can instantiate templates (a parameter "
		"flagged *template*) also `instances` (live now) and "
		"`instances-refused`.\n\n"
		"| Core counter | Counts |\n|---|---|\n",
		PK_VERSION_STRING, PK_ABI_MAJOR, PK_ABI_MINOR);
	core = pk_core_counters(&n_core);
	for (uint32_t i = 0; i < n_core; i++)
		g_string_append_printf(out, "| `%s` | %s |\n", core[i].name, core[i].blurb);
	g_string_append_c(out, '\n');
}

static void md_modules(GString *out, struct pk_registry *reg)
{
	static const char *const titles[] = { "Module", "Version", "License", "ABI",
					      "Description", NULL };
	unsigned int n;
	const struct pk_registry_module *const *mods = pk_registry_modules(reg, &n);

	g_string_append(out, "## Modules\n\n");
	md_table_head(out, titles);
	for (unsigned int i = 0; i < n; i++) {
		const struct pk_module_info *m = mods[i]->info;
		g_autofree char *abi = g_strdup_printf("%u.%u", m->abi_major, m->abi_minor);

		md_code_cell(out, m->name);
		md_cell(out, m->version);
		md_cell(out, m->license);
		md_cell(out, abi);
		md_cell(out, m->description);
		md_row_end(out);
	}
	g_string_append_c(out, '\n');
}

static void md_index(GString *out, const struct pk_registry_type *const *types, unsigned int n)
{
	g_string_append(out, "## Types\n\n");
	for (unsigned int i = 0; i < n; i++) {
		g_autofree char *anchor = md_anchor(types[i]->type->name);

		g_string_append_printf(out, "- [`%s`](#%s): %s\n", types[i]->type->name, anchor,
				       types[i]->type->summary);
	}
	g_string_append_c(out, '\n');
}

int inspect_markdown(struct pk_registry *reg, const struct pk_registry_type *only)
{
	g_autoptr(GString) out = g_string_new(NULL);
	unsigned int n;
	const struct pk_registry_type *const *types = pk_registry_types(reg, &n);

	if (only) {
		md_type(out, only);
	} else {
		md_preface(out);
		md_modules(out, reg);
		md_index(out, types, n);
		for (unsigned int i = 0; i < n; i++)
			md_type(out, types[i]);
	}
	/* One trailing newline, not two. */
	if (out->len >= 2 && out->str[out->len - 2] == '\n')
		g_string_truncate(out, out->len - 1);
	fputs(out->str, stdout);
	return 0;
}
