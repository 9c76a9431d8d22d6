// SPDX-License-Identifier: MIT
/* inspect-text.c - pktkit-inspect's plain-text output: the module/type list and one type
 *
 * One type looks like this (columns aligned per table):
 *   acme.echo -- Reflect every frame   [module acme_echo 0.1.0, MIT, ABI 1.0]
 *     ports     eth: L2, 1..1  The wire
 *     params    max-len  u32  default 1514  [60..65535]  live
 *                 Drop frames longer than this many bytes
 *     counters  reflected  Frames sent back
 *     status    last-len  uint  Length of the last frame
 *     table     peers: One row per peer
 *                 mac  mac  Its address
 *
 *     Reference text, wrapped.
 */
#include <stdio.h>
#include <string.h>
#include "inspect.h"

#define TEXT_INDENT 2		/* before a section label */
#define TEXT_COL 12		/* where section content starts */
#define TEXT_NEST 2		/* extra indent of blurbs and record fields */
#define TEXT_GAP 2		/* spaces between columns */
#define PARAM_COLS 5		/* name, type, default, range, flags */
#define MAX_COLS PARAM_COLS
#define TEXT_WRAP_MIN 24	/* narrowest column a last cell wraps in */

/* Rows of cells, aligned when printed. */
struct text_table {
	GPtrArray *rows;	/* char ** of n_cols cells each */
	unsigned int n_cols;
	unsigned int width[MAX_COLS];
};

static void text_table_init(struct text_table *t, unsigned int n_cols)
{
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	t->n_cols = n_cols;
	memset(t->width, 0, sizeof(t->width));
}

/* Add a row; takes the @n_cols cells (NULL becomes ""). */
static void text_table_add(struct text_table *t, char **cells)
{
	char **row = g_new0(char *, t->n_cols + 1);

	for (unsigned int c = 0; c < t->n_cols; c++) {
		row[c] = cells[c] ? cells[c] : g_strdup("");
		t->width[c] = MAX(t->width[c], (unsigned int)g_utf8_strlen(row[c], -1));
	}
	g_ptr_array_add(t->rows, row);
}

static void text_table_clear(struct text_table *t)
{
	g_ptr_array_unref(t->rows);
}

/* The start of a line: "  label     " on a section's first line, else blanks. */
static void text_lead(GString *out, const char *label, unsigned int col)
{
	if (label)
		g_string_append_printf(out, "%*s%-*s", TEXT_INDENT, "", (int)(col - TEXT_INDENT),
				       label);
	else
		g_string_append_printf(out, "%*s", (int)col, "");
}

/* Row @r of @t after a lead that ends at column @col; the last cell wraps. */
static void text_table_row(GString *out, const struct text_table *t, guint r, unsigned int col)
{
	char **row = g_ptr_array_index(t->rows, r);
	unsigned int last = t->n_cols - 1;
	unsigned int indent;

	for (unsigned int c = 0; c < last; c++) {
		unsigned int len = (unsigned int)g_utf8_strlen(row[c], -1);

		g_string_append(out, row[c]);
		g_string_append_printf(out, "%*s", (int)(t->width[c] - len + TEXT_GAP), "");
		col += t->width[c] + TEXT_GAP;
	}
	if (!*row[last]) {
		while (out->len && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append_c(out, '\n');
		return;
	}
	/* Far right: continue further left rather than in a narrow column. */
	indent = col + TEXT_WRAP_MIN > INSPECT_WRAP_COLUMN ? TEXT_COL + TEXT_NEST : col;
	inspect_wrap_continue(out, row[last], col, indent);
}

/* A whole table under @label; "none" when it has no rows. */
static void text_table_print(GString *out, const struct text_table *t, const char *label)
{
	if (t->rows->len == 0) {
		text_lead(out, label, TEXT_COL);
		g_string_append(out, "none\n");
	}
	for (guint r = 0; r < t->rows->len; r++) {
		text_lead(out, r == 0 ? label : NULL, TEXT_COL);
		text_table_row(out, t, r, TEXT_COL);
	}
}

/* One type ------------------------------------------------------------ */

static void text_header(GString *out, const struct pk_registry_type *rt)
{
	const struct pk_module_info *m = rt->module->info;
	g_autofree char *needs = inspect_type_needs(rt->type);

	g_string_append_printf(out, "%s -- %s   [module %s %s, %s, ABI %u.%u]\n", rt->type->name,
			       rt->type->summary, m->name, m->version, m->license, m->abi_major,
			       m->abi_minor);
	if (*needs) {
		text_lead(out, "needs", TEXT_COL);
		g_string_append_printf(out, "%s\n", needs);
	}
}

static void text_ports(GString *out, const struct pk_device_type *t)
{
	struct text_table tab;

	text_table_init(&tab, 2);
	for (uint32_t i = 0; i < t->n_ports; i++) {
		const struct pk_port_group *pg = pk_type_port_group(t, i);
		char *cells[2] = {
			g_strdup_printf("%s: %s, %u..%u", pg->name, inspect_layer_name(pg->layer),
					pg->min, pg->max),
			g_strdup(pg->blurb),
		};

		text_table_add(&tab, cells);
	}
	text_table_print(out, &tab, "ports");
	text_table_clear(&tab);
}

static void param_cells(const struct pk_param *p, char **cells)
{
	char *range = inspect_param_range(p);

	cells[0] = g_strdup(p->name);
	cells[1] = g_strdup(pk_param_type_name(p->type));
	cells[2] = g_strdup_printf("default %s", inspect_param_default(p));
	cells[3] = range ? g_strdup_printf("[%s]", range) : NULL;
	cells[4] = inspect_param_flags(p);
	g_free(range);
}

static void text_params_at(GString *out, const struct pk_param_table *params, const char *label,
			   unsigned int col);

/* Blurb, enum names and record fields under a parameter's row. */
static void text_param_details(GString *out, const struct pk_param *p, unsigned int col)
{
	g_autofree char *names = inspect_enum_names(p, "");
	struct pk_param_table fields;

	if (p->blurb)
		inspect_wrap(out, p->blurb, col + TEXT_NEST);
	if (*names) {
		g_autofree char *line = g_strdup_printf("one of: %s", names);

		inspect_wrap(out, line, col + TEXT_NEST);
	}
	if (inspect_record_table(p, &fields)) {
		text_lead(out, NULL, col + TEXT_NEST);
		g_string_append(out, "each item:\n");
		text_params_at(out, &fields, NULL, col + 2 * TEXT_NEST);
	}
}

static void text_params_at(GString *out, const struct pk_param_table *params, const char *label,
			   unsigned int col)
{
	struct text_table tab;

	text_table_init(&tab, PARAM_COLS);
	for (uint32_t i = 0; i < params->n; i++) {
		char *cells[PARAM_COLS];

		param_cells(pk_param_at(params, i), cells);
		text_table_add(&tab, cells);
	}
	if (params->n == 0) {
		text_lead(out, label, col);
		g_string_append(out, "none\n");
	}
	for (uint32_t i = 0; i < params->n; i++) {
		text_lead(out, i == 0 ? label : NULL, col);
		text_table_row(out, &tab, i, col);
		text_param_details(out, pk_param_at(params, i), col);
	}
	text_table_clear(&tab);
}

static void text_counters(GString *out, const struct pk_device_type *t)
{
	struct text_table tab;

	text_table_init(&tab, 2);
	for (uint32_t i = 0; i < t->n_counters; i++) {
		const struct pk_counter *c = pk_type_counter(t, i);
		char *cells[2] = { g_strdup(c->name), g_strdup(c->blurb) };

		text_table_add(&tab, cells);
	}
	text_table_print(out, &tab, "counters");
	text_table_clear(&tab);
}

static void text_status_fields(GString *out, const struct pk_status_field *a, uint32_t n,
			       uint32_t stride, const char *label, unsigned int col)
{
	struct text_table tab;

	text_table_init(&tab, 3);
	for (uint32_t i = 0; i < n; i++) {
		const struct pk_status_field *f = pk_status_field_at(a, stride, i);
		char *cells[3] = { g_strdup(f->name), g_strdup(pk_status_type_name(f->type)),
				   g_strdup(f->blurb ? f->blurb : "") };

		text_table_add(&tab, cells);
	}
	for (guint r = 0; r < tab.rows->len; r++) {
		text_lead(out, r == 0 ? label : NULL, col);
		text_table_row(out, &tab, r, col);
	}
	text_table_clear(&tab);
}

/* Status fields, then each table with its columns (ABI 1.2; none before). */
static void text_status(GString *out, const struct pk_registry_type *rt)
{
	struct pk_status_schema s;

	pk_registry_type_status(rt, &s);
	if (s.n_fields == 0 && s.n_tables == 0)
		return;
	text_status_fields(out, s.fields, s.n_fields, s.fields_size, "status", TEXT_COL);
	for (uint32_t i = 0; i < s.n_tables; i++) {
		const struct pk_status_table *t =
			(const struct pk_status_table *)((const char *)s.tables +
							 (size_t)i * s.tables_size);

		text_lead(out, "table", TEXT_COL);
		g_string_append_printf(out, "%s: ", t->name);
		inspect_wrap_continue(out, t->blurb ? t->blurb : "", TEXT_COL +
				      (unsigned int)strlen(t->name) + 2, TEXT_COL + TEXT_NEST);
		text_status_fields(out, t->columns, t->n_columns, t->columns_size, NULL,
				   TEXT_COL + TEXT_NEST);
	}
}

int inspect_text_type(const struct pk_registry_type *rt)
{
	g_autoptr(GString) out = g_string_new(NULL);
	struct pk_param_table params = pk_type_params(rt->type);

	text_header(out, rt);
	text_ports(out, rt->type);
	text_params_at(out, &params, "params", TEXT_COL);
	text_counters(out, rt->type);
	text_status(out, rt);
	if (rt->type->doc && *rt->type->doc) {
		g_string_append_c(out, '\n');
		inspect_wrap(out, rt->type->doc, TEXT_INDENT);
	}
	fputs(out->str, stdout);
	return 0;
}

/* The list -------------------------------------------------------------- */

static void text_list_modules(GString *out, struct pk_registry *reg)
{
	unsigned int n;
	const struct pk_registry_module *const *mods = pk_registry_modules(reg, &n);
	struct text_table tab;

	text_table_init(&tab, 5);
	for (unsigned int i = 0; i < n; i++) {
		const struct pk_module_info *m = mods[i]->info;
		char *cells[5] = {
			g_strdup(m->name), g_strdup(m->version), g_strdup(m->license),
			g_strdup_printf("ABI %u.%u", m->abi_major, m->abi_minor),
			g_strdup(mods[i]->file),
		};

		text_table_add(&tab, cells);
	}
	g_string_append(out, "Modules\n");
	for (guint r = 0; r < tab.rows->len; r++) {
		text_lead(out, NULL, TEXT_INDENT);
		text_table_row(out, &tab, r, TEXT_INDENT);
	}
	text_table_clear(&tab);
}

static void text_list_types(GString *out, struct pk_registry *reg)
{
	unsigned int n;
	const struct pk_registry_type *const *types = pk_registry_types(reg, &n);
	struct text_table tab;

	text_table_init(&tab, 2);
	for (unsigned int i = 0; i < n; i++) {
		char *cells[2] = { g_strdup(types[i]->type->name), g_strdup(types[i]->type->summary) };

		text_table_add(&tab, cells);
	}
	g_string_append(out, "\nTypes\n");
	for (guint r = 0; r < tab.rows->len; r++) {
		text_lead(out, NULL, TEXT_INDENT);
		text_table_row(out, &tab, r, TEXT_INDENT);
	}
	text_table_clear(&tab);
}

static void text_list_diagnostics(GString *out, struct pk_registry *reg)
{
	const char *const *diagnostics = pk_registry_diagnostics(reg);

	if (!diagnostics[0])
		return;
	g_string_append(out, "\nProblems (refused modules, shadowed types)\n");
	for (const char *const *d = diagnostics; *d; d++)
		g_string_append_printf(out, "%*s%s\n", TEXT_INDENT, "", *d);
}

int inspect_text_list(struct pk_registry *reg)
{
	g_autoptr(GString) out = g_string_new(NULL);

	text_list_modules(out, reg);
	text_list_types(out, reg);
	text_list_diagnostics(out, reg);
	g_string_append(out, "\nDetails of one type: pktkit-inspect TYPE\n");
	fputs(out->str, stdout);
	return 0;
}
