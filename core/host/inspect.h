/* SPDX-License-Identifier: MIT
 * inspect.h - pktkit-inspect: descriptor facts in words, and the text/Markdown/JSON renderers
 *
 * Everything shown comes from the module and type descriptors; nothing is
 * written per type. Descriptor arrays are walked with the strided helpers of
 * the SDK, so modules built with older (smaller) structs read correctly.
 */
#ifndef PKTKIT_HOST_INSPECT_H
#define PKTKIT_HOST_INSPECT_H

#include <pktkit/embed/registry.h>
#include <pktkit/status.h>

G_BEGIN_DECLS

/* Column where inspect wraps prose. */
#define INSPECT_WRAP_COLUMN 78

/* inspect-describe.c: facts shared by every renderer */

/**
 * inspect_layer_name() - "L2" or "L3"
 * @layer:	enum pk_layer value
 *
 * Context: any thread.
 */
const char *inspect_layer_name(uint32_t layer);

/**
 * inspect_param_default() - The default as the module wrote it (JSON text), or "none"
 * @p:	Parameter
 *
 * Context: any thread.
 */
const char *inspect_param_default(const struct pk_param *p);

/**
 * inspect_param_range() - The allowed values in brackets' content: "60..65535",
 * "1s..1h", "0..16 items", "at least 1 item"
 * @p:	Parameter
 *
 * Context: any thread.
 * Return: (transfer full) the text, or NULL when the type has no range.
 */
char *inspect_param_range(const struct pk_param *p);

/* A flag bit and its name as inspect shows it. */
struct inspect_flag {
	uint32_t bit;
	const char *name;
};

/* Parameter flags in the order shown; ends with { 0, NULL }. */
extern const struct inspect_flag inspect_param_flag_names[];

/**
 * inspect_param_flags() - The flags in words: "required, live, secret"
 * @p:	Parameter
 *
 * Context: any thread.
 * Return: (transfer full) the text; empty when there are none.
 */
char *inspect_param_flags(const struct pk_param *p);

/**
 * inspect_enum_names() - The names of an enum parameter, joined
 * @p:		Parameter of type PK_PT_ENUM
 * @quote:	Put around each name ("" or "`")
 *
 * Context: any thread.
 * Return: (transfer full) "a, b, c"; empty for other types.
 */
char *inspect_enum_names(const struct pk_param *p, const char *quote);

/**
 * inspect_record_table() - The fields of a list parameter's records
 * @p:		Parameter of type PK_PT_LIST
 * @out:	Filled in
 *
 * Context: any thread.
 * Return: false if @p is not a list.
 */
bool inspect_record_table(const struct pk_param *p, struct pk_param_table *out);

/**
 * inspect_type_needs() - What the type needs from the system, in words ("CAP_NET_ADMIN")
 * @t:	Type
 *
 * Context: any thread.
 * Return: (transfer full) the text; empty when it needs nothing special.
 */
char *inspect_type_needs(const struct pk_device_type *t);

/**
 * inspect_wrap() - Append @text to @out, wrapped at INSPECT_WRAP_COLUMN
 * @out:	Output
 * @text:	Prose; blank lines separate paragraphs, lines starting with
 *		"- " are list items
 * @indent:	Columns before every line
 *
 * Context: any thread.
 */
void inspect_wrap(GString *out, const char *text, unsigned int indent);

/**
 * inspect_wrap_continue() - Append words of @text to the current line, wrapping
 * @out:	Output, whose current line has reached column @col
 * @text:	Words
 * @col:	Current column
 * @indent:	Column of continuation lines
 *
 * Ends with a newline.
 *
 * Context: any thread.
 */
void inspect_wrap_continue(GString *out, const char *text, unsigned int col,
			   unsigned int indent);

/* Renderers: each returns the process exit code. */

/**
 * inspect_text_list() - Modules, types and registry diagnostics, for people
 * @reg:	Registry
 *
 * Context: main thread.
 */
int inspect_text_list(struct pk_registry *reg);

/**
 * inspect_text_type() - Everything about one type, for people
 * @rt:	Type and its module
 *
 * Context: main thread.
 */
int inspect_text_type(const struct pk_registry_type *rt);

/**
 * inspect_markdown() - The reference of @only or of every type, as Markdown
 * @reg:	Registry
 * @only:	One type, or NULL for the whole reference
 *
 * Context: main thread.
 */
int inspect_markdown(struct pk_registry *reg, const struct pk_registry_type *only);

/**
 * inspect_json() - Modules, types and diagnostics (or @only) as JSON
 * @reg:	Registry
 * @only:	One type, or NULL for everything
 *
 * Context: main thread.
 */
int inspect_json(struct pk_registry *reg, const struct pk_registry_type *only);

G_END_DECLS

#endif /* PKTKIT_HOST_INSPECT_H */
