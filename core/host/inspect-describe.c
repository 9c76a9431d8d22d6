// SPDX-License-Identifier: MIT
/* inspect-describe.c - Descriptor facts in words, shared by inspect's text, Markdown and JSON */
#include <string.h>
#include "inspect.h"

#define WRAP_LIST_MARK "- "

const char *inspect_layer_name(uint32_t layer)
{
	switch (layer) {
	case PK_L2:
		return "L2";
	case PK_L3:
		return "L3";
	}
	return "L?";
}

const char *inspect_param_default(const struct pk_param *p)
{
	return p->def ? p->def : "none";
}

static char *describe_list_range(const struct pk_param *p)
{
	if (p->max == 0 && p->min <= 0)
		return NULL;
	if (p->max == 0)
		return g_strdup_printf("at least %" G_GINT64_FORMAT " item%s", p->min,
				       p->min == 1 ? "" : "s");
	return g_strdup_printf("%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " item%s", p->min,
			       p->max, p->max == 1 ? "" : "s");
}

char *inspect_param_range(const struct pk_param *p)
{
	switch (p->type) {
	case PK_PT_U32:
	case PK_PT_I64:
		return g_strdup_printf("%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, p->min, p->max);
	case PK_PT_DURATION: {
		g_autofree char *lo = pk_duration_format(p->min);
		g_autofree char *hi = pk_duration_format(p->max);

		return g_strdup_printf("%s..%s", lo, hi);
	}
	case PK_PT_LIST:
		return describe_list_range(p);
	}
	return NULL;
}

const struct inspect_flag inspect_param_flag_names[] = {
	{ PK_PF_REQUIRED, "required" },
	{ PK_PF_LIVE, "live" },
	{ PK_PF_SECRET, "secret" },
	{ PK_PF_TEMPLATE, "template" },
	{ 0, NULL },
};

char *inspect_param_flags(const struct pk_param *p)
{
	GString *s = g_string_new(NULL);

	for (const struct inspect_flag *f = inspect_param_flag_names; f->name; f++)
		if (p->flags & f->bit)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", f->name);
	return g_string_free(s, FALSE);
}

char *inspect_enum_names(const struct pk_param *p, const char *quote)
{
	GString *s = g_string_new(NULL);

	if (p->type != PK_PT_ENUM || !p->extra)
		return g_string_free(s, FALSE);
	for (const struct pk_param_enum *e = p->extra; e->name; e++)
		g_string_append_printf(s, "%s%s%s%s", s->len ? ", " : "", quote, e->name, quote);
	return g_string_free(s, FALSE);
}

bool inspect_record_table(const struct pk_param *p, struct pk_param_table *out)
{
	const struct pk_param_record *rec = p->extra;

	if (p->type != PK_PT_LIST || !rec)
		return false;
	out->params = rec->params;
	out->n = rec->n_params;
	out->stride = rec->params_size;
	return true;
}

char *inspect_type_needs(const struct pk_device_type *t)
{
	return g_strdup(t->flags & PK_TYPE_NEEDS_NET_ADMIN ? "CAP_NET_ADMIN" : "");
}

/* Wrapping ------------------------------------------------------------- */

void inspect_wrap_continue(GString *out, const char *text, unsigned int col,
			   unsigned int indent)
{
	g_auto(GStrv) words = g_strsplit_set(text, " \t\n", -1);
	bool line_has_word = false;

	for (char **w = words; *w; w++) {
		unsigned int len = (unsigned int)g_utf8_strlen(*w, -1);

		if (len == 0)
			continue;
		if (line_has_word && col + 1 + len > INSPECT_WRAP_COLUMN) {
			g_string_append_printf(out, "\n%*s", (int)indent, "");
			col = indent;
			line_has_word = false;
		}
		if (line_has_word) {
			g_string_append_c(out, ' ');
			col++;
		}
		g_string_append(out, *w);
		col += len;
		line_has_word = true;
	}
	g_string_append_c(out, '\n');
}

/* One block of words: first line at @indent, the rest at @indent + @hang. */
static void wrap_block(GString *out, const char *text, unsigned int indent, unsigned int hang)
{
	g_string_append_printf(out, "%*s", (int)indent, "");
	inspect_wrap_continue(out, text, indent, indent + hang);
}

/* Emit the pending block, if any, and start a new one. */
static void wrap_flush(GString *out, GString *block, unsigned int indent, bool *is_item)
{
	if (block->len)
		wrap_block(out, block->str, indent, *is_item ? strlen(WRAP_LIST_MARK) : 0);
	g_string_truncate(block, 0);
	*is_item = false;
}

void inspect_wrap(GString *out, const char *text, unsigned int indent)
{
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
	g_autoptr(GString) block = g_string_new(NULL);
	bool is_item = false, pending_blank = false;
	gsize start = out->len;

	for (char **line = lines; *line; line++) {
		const char *s = *line + strspn(*line, " \t");

		if (!*s) {
			wrap_flush(out, block, indent, &is_item);
			pending_blank = out->len > start;
			continue;
		}
		if (g_str_has_prefix(s, WRAP_LIST_MARK))
			wrap_flush(out, block, indent, &is_item);
		if (pending_blank && !block->len) {
			g_string_append_c(out, '\n');
			pending_blank = false;
		}
		if (!block->len)
			is_item = g_str_has_prefix(s, WRAP_LIST_MARK);
		g_string_append_printf(block, "%s%s", block->len ? " " : "", s);
	}
	wrap_flush(out, block, indent, &is_item);
}
