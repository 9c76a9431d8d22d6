// SPDX-License-Identifier: MIT
/* param.c - Parameter schemas: JSON into config structs and back, defaults, copies
 *
 * Every value, whether a user's JSON member, a module's default text or a
 * field of a list record, goes through param_apply_node(): parse into a
 * temporary, then replace the field (freeing what it owned). Tables are always
 * walked with pk_param_at(), so a module built with a smaller struct pk_param
 * keeps its own stride.
 */
#include <arpa/inet.h>
#include <string.h>
#include "pktkit/error.h"
#include "pktkit/param.h"

#define PARAM_GOT_MAX 60	/* characters of a bad value quoted in an error */
#define PARAM_SUGGEST_MAX 2u	/* edit distance of a "did you mean" */
#define PARAM_KEY32_TEXT_LEN 44	/* base64 of 32 bytes, with one '=' */
#define PARAM_FRAC_DIGITS 17	/* fraction digits of a duration kept */

/* Size of struct pk_param in ABI 1.0: no module may have a smaller stride. */
#define PARAM_SIZE_1_0 (offsetof(struct pk_param, extra) + sizeof(const void *))

/* A parsed value, before it replaces the field. */
union param_value {
	bool b;
	uint32_t u32;
	int64_t i64;
	char *str;
	struct pk_mac mac;
	struct pk_ip4 ip4;
	struct pk_ip6 ip6;
	struct pk_prefix prefix;
	struct pk_key32 key;
	struct pk_list list;
};

static const char *const param_type_names[] = {
	[PK_PT_BOOL] = "bool",		[PK_PT_U32] = "u32",	   [PK_PT_I64] = "i64",
	[PK_PT_STR] = "string",		[PK_PT_ENUM] = "enum",	   [PK_PT_MAC] = "mac",
	[PK_PT_IP4] = "ipv4",		[PK_PT_IP6] = "ipv6",	   [PK_PT_PREFIX] = "prefix",
	[PK_PT_KEY32] = "key32",	[PK_PT_DURATION] = "duration", [PK_PT_LIST] = "list",
};

/* Duration units, largest first; h and m are never written with a fraction. */
struct param_unit {
	const char *name;
	int64_t ns;
};

static const struct param_unit param_units[] = {
	{ "h", 3600 * PK_NSEC_PER_SEC }, { "m", 60 * PK_NSEC_PER_SEC },
	{ "s", PK_NSEC_PER_SEC },	  { "ms", PK_NSEC_PER_MSEC },
	{ "us", PK_NSEC_PER_USEC },	  { "ns", 1 },
};
#define PARAM_N_UNITS ((int)G_N_ELEMENTS(param_units))
#define PARAM_UNIT_S 2

/* "12" or "12.345" as read from a duration. */
struct param_decimal {
	int64_t whole;
	int64_t frac;
	int frac_digits;
};

static bool param_apply_node(const struct pk_param *p, JsonNode *node, void *config,
			     const char *keypath, GError **error);
static bool param_fill_defaults(const struct pk_param_table *t, void *config, const char *path,
				GError **error);

/* ---- Schema helpers ---------------------------------------------------- */

static size_t param_field_size(uint32_t type)
{
	switch (type) {
	case PK_PT_BOOL:
		return sizeof(bool);
	case PK_PT_U32:
	case PK_PT_ENUM:
		return sizeof(uint32_t);
	case PK_PT_I64:
	case PK_PT_DURATION:
		return sizeof(int64_t);
	case PK_PT_STR:
		return sizeof(char *);
	case PK_PT_MAC:
		return sizeof(struct pk_mac);
	case PK_PT_IP4:
		return sizeof(struct pk_ip4);
	case PK_PT_IP6:
		return sizeof(struct pk_ip6);
	case PK_PT_PREFIX:
		return sizeof(struct pk_prefix);
	case PK_PT_KEY32:
		return sizeof(struct pk_key32);
	case PK_PT_LIST:
		return sizeof(struct pk_list);
	}
	return 0;
}

static void *param_field(const struct pk_param *p, void *config)
{
	return (char *)config + p->offset;
}

static const void *param_field_const(const struct pk_param *p, const void *config)
{
	return (const char *)config + p->offset;
}

static struct pk_param_table param_record_table(const struct pk_param_record *rec)
{
	struct pk_param_table t = { rec->params, rec->n_params, rec->params_size };

	return t;
}

static void *param_list_item(const struct pk_param_record *rec, const struct pk_list *l,
			     uint32_t i)
{
	return (char *)l->items + (size_t)i * rec->record_size;
}

static bool param_table_stride_ok(const struct pk_param *params, uint32_t n, uint32_t stride)
{
	return n == 0 || (params && stride >= PARAM_SIZE_1_0);
}

/* Whether a list record schema is usable: sane stride, fields inside the record. */
static bool param_record_ok(const struct pk_param_record *rec)
{
	struct pk_param_table rt;

	if (!rec || rec->record_size == 0 ||
	    !param_table_stride_ok(rec->params, rec->n_params, rec->params_size))
		return false;
	rt = param_record_table(rec);
	for (uint32_t i = 0; i < rt.n; i++) {
		const struct pk_param *f = pk_param_at(&rt, i);

		if ((uint64_t)f->offset + param_field_size(f->type) > rec->record_size)
			return false;
	}
	return true;
}

/* A module bug in one entry: unknown type, enum without names, bad record. */
static bool param_check_entry(const struct pk_param *p, const char *keypath, GError **error)
{
	const char *why = NULL;

	if (param_field_size(p->type) == 0)
		why = "has an unknown type";
	else if (p->type == PK_PT_ENUM && !p->extra)
		why = "is an enum without a table of names";
	else if (p->type == PK_PT_LIST && !param_record_ok(p->extra))
		why = "is a list without a valid record schema";
	if (why)
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "%s: parameter %s (a bug in the module)", keypath, why);
	return !why;
}

static bool param_check_table(const struct pk_param_table *t, const char *path, GError **error)
{
	if (param_table_stride_ok(t->params, t->n, t->stride))
		return true;
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
		    "%s: parameter table element size %u is below the %zu of ABI 1.0 "
		    "(a bug in the module)", path && *path ? path : "params", t->stride,
		    PARAM_SIZE_1_0);
	return false;
}

static bool param_find(const struct pk_param_table *t, const char *name, uint32_t *index)
{
	for (uint32_t i = 0; i < t->n; i++) {
		if (strcmp(pk_param_at(t, i)->name, name) == 0) {
			*index = i;
			return true;
		}
	}
	return false;
}

static char *param_keypath(const char *path, const char *key)
{
	return path && *path ? g_strconcat(path, ".", key, NULL) : g_strdup(key);
}

/* ---- Error text -------------------------------------------------------- */

static bool param_node_is(JsonNode *node, GType type)
{
	return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

static const char *param_node_string(JsonNode *node)
{
	return param_node_is(node, G_TYPE_STRING) ? json_node_get_string(node) : NULL;
}

static const char *param_node_kind(JsonNode *node)
{
	switch (json_node_get_node_type(node)) {
	case JSON_NODE_OBJECT:
		return "an object";
	case JSON_NODE_ARRAY:
		return "an array";
	case JSON_NODE_NULL:
		return "null";
	case JSON_NODE_VALUE:
		break;
	}
	if (param_node_is(node, G_TYPE_BOOLEAN))
		return "a boolean";
	if (param_node_is(node, G_TYPE_INT64))
		return "an integer";
	if (param_node_is(node, G_TYPE_DOUBLE))
		return "a number";
	return "a string";
}

/* What was given, for "expected X, got Y": JSON text, shortened; never a secret. */
static char *param_got(const struct pk_param *p, JsonNode *node)
{
	const char *s = param_node_string(node);
	char *text, *cut;

	if (p && (p->flags & PK_PF_SECRET)) {
		if (p->type == PK_PT_KEY32 && s)
			return g_strdup_printf("a string of %zu characters (not shown: secret)",
					       strlen(s));
		return g_strdup_printf("%s (not shown: secret)", param_node_kind(node));
	}
	if (JSON_NODE_HOLDS_ARRAY(node)) {
		guint n = json_array_get_length(json_node_get_array(node));

		return g_strdup_printf("an array of %u item%s", n, n == 1 ? "" : "s");
	}
	text = json_to_string(node, FALSE);
	if (g_utf8_strlen(text, -1) <= PARAM_GOT_MAX)
		return text;
	cut = g_utf8_substring(text, 0, PARAM_GOT_MAX);
	g_free(text);
	text = g_strconcat(cut, "...", NULL);
	g_free(cut);
	return text;
}
