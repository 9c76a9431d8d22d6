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
#include "runtime.h"

#define PARAM_GOT_MAX 60	/* characters of a bad value quoted in an error */
#define PARAM_SUGGEST_MAX 2u	/* edit distance of a "did you mean" */

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

static bool param_apply_node(const struct pk_param *p, JsonNode *node, void *config,
			     const char *keypath, GError **error);
static bool param_fill_defaults(const struct pk_param_table *t, void *config, const char *path,
				GError **error);

/* ---- Schema helpers ---------------------------------------------------- */

size_t pk_param_field_size(uint32_t type)
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

		if ((uint64_t)f->offset + pk_param_field_size(f->type) > rec->record_size)
			return false;
	}
	return true;
}

/* A module bug in one entry: unknown type, enum without names, bad record. */
static bool param_check_entry(const struct pk_param *p, const char *keypath, GError **error)
{
	const char *why = NULL;

	if (pk_param_field_size(p->type) == 0)
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

/* "a u32 between 1 and 65535"; bounds are left out where the C type sets them. */
static char *param_expected_int(const char *what, const struct pk_param *p, int64_t lo,
				int64_t hi)
{
	int64_t min = MAX(p->min, lo), max = MIN(p->max, hi);

	if (min == lo && max == hi)
		return g_strdup(what);
	if (max == hi)
		return g_strdup_printf("%s of at least %" G_GINT64_FORMAT, what, min);
	if (min == lo && lo == INT64_MIN)
		return g_strdup_printf("%s of at most %" G_GINT64_FORMAT, what, max);
	return g_strdup_printf("%s between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT, what,
			       min, max);
}

static char *param_expected_duration(const struct pk_param *p)
{
	const char *forms = "(text such as \"1h30m\", \"2.5s\", \"250ms\", or a number of seconds)";
	int64_t min = MAX(p->min, 0);
	g_autofree char *lo = pk_duration_format(min);
	g_autofree char *hi = pk_duration_format(p->max);

	if (p->max == INT64_MAX)
		return min == 0 ? g_strdup_printf("a duration %s", forms)
				: g_strdup_printf("a duration of at least %s %s", lo, forms);
	return g_strdup_printf("a duration between %s and %s %s", lo, hi, forms);
}

static char *param_expected_enum(const struct pk_param *p)
{
	GString *s = g_string_new("one of ");

	for (const struct pk_param_enum *e = p->extra; e && e->name; e++)
		g_string_append_printf(s, "%s\"%s\"", e == p->extra ? "" : ", ", e->name);
	return g_string_free(s, FALSE);
}

static char *param_expected_list(const struct pk_param *p)
{
	int64_t min = MAX(p->min, 0);

	if (p->max <= 0)
		return min == 0 ? g_strdup("an array of objects")
				: g_strdup_printf("an array of at least %" G_GINT64_FORMAT " objects",
						  min);
	if (min == p->max)
		return g_strdup_printf("an array of exactly %" G_GINT64_FORMAT " objects", min);
	return g_strdup_printf("an array of %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " objects",
			       min, p->max);
}

/* What a valid value of @p looks like, for "expected X, got Y". */
static char *param_expected(const struct pk_param *p)
{
	switch (p->type) {
	case PK_PT_BOOL:
		return g_strdup("a boolean (true or false)");
	case PK_PT_U32:
		return param_expected_int("a u32", p, 0, UINT32_MAX);
	case PK_PT_I64:
		return param_expected_int("an i64", p, INT64_MIN, INT64_MAX);
	case PK_PT_STR:
		return g_strdup("a string");
	case PK_PT_ENUM:
		return param_expected_enum(p);
	case PK_PT_MAC:
		return g_strdup("a MAC address such as \"02:00:00:00:00:01\"");
	case PK_PT_IP4:
		return g_strdup("an IPv4 address such as \"192.0.2.1\"");
	case PK_PT_IP6:
		return g_strdup("an IPv6 address such as \"2001:db8::1\"");
	case PK_PT_PREFIX:
		return g_strdup("an address with a prefix length such as \"10.0.0.1/24\" or "
				"\"fd00::/64\"");
	case PK_PT_KEY32:
		return g_strdup("a 32-byte key in base64 (44 characters ending in '=')");
	case PK_PT_DURATION:
		return param_expected_duration(p);
	case PK_PT_LIST:
		return param_expected_list(p);
	}
	return g_strdup("a value");
}

static void param_set_expected_error(const struct pk_param *p, JsonNode *node,
				     const char *keypath, GError **error)
{
	g_autofree char *expected = param_expected(p);
	g_autofree char *got = param_got(p, node);

	g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "%s: expected %s, got %s", keypath,
		    expected, got);
}

/* ---- Parsing one value --------------------------------------------------- */

static bool param_parse_bool(JsonNode *node, bool *out)
{
	if (!param_node_is(node, G_TYPE_BOOLEAN))
		return false;
	*out = json_node_get_boolean(node);
	return true;
}

/* A JSON integer (never a float or string) within [@p->min, @p->max] ∩ [@lo, @hi]. */
static bool param_parse_int(const struct pk_param *p, JsonNode *node, int64_t lo, int64_t hi,
			    int64_t *out)
{
	int64_t v;

	if (!param_node_is(node, G_TYPE_INT64))
		return false;
	v = json_node_get_int(node);
	if (v < MAX(p->min, lo) || v > MIN(p->max, hi))
		return false;
	*out = v;
	return true;
}

static bool param_parse_u32(const struct pk_param *p, JsonNode *node, uint32_t *out)
{
	int64_t v;

	if (!param_parse_int(p, node, 0, UINT32_MAX, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool param_parse_str(JsonNode *node, char **out)
{
	const char *s = param_node_string(node);

	if (!s)
		return false;
	*out = g_strdup(s);
	return true;
}

static bool param_parse_enum(const struct pk_param *p, JsonNode *node, uint32_t *out)
{
	const char *s = param_node_string(node);

	for (const struct pk_param_enum *e = p->extra; s && e->name; e++) {
		if (strcmp(e->name, s) == 0) {
			*out = e->value;
			return true;
		}
	}
	return false;
}

static bool param_parse_inet(JsonNode *node, int af, void *out)
{
	const char *s = param_node_string(node);

	return s && inet_pton(af, s, out) == 1;
}

/* A JSON integer or float counts seconds; a string is pk_duration_parse() text. */
static bool param_parse_duration(const struct pk_param *p, JsonNode *node, int64_t *out)
{
	int64_t v;

	if (param_node_is(node, G_TYPE_INT64)) {
		int64_t sec = json_node_get_int(node);

		if (sec < 0 || __builtin_mul_overflow(sec, PK_NSEC_PER_SEC, &v))
			return false;
	} else if (param_node_is(node, G_TYPE_DOUBLE)) {
		double sec = json_node_get_double(node);

		if (!(sec >= 0.0 && sec < (double)(INT64_MAX / PK_NSEC_PER_SEC)))
			return false;
		v = (int64_t)(sec * (double)PK_NSEC_PER_SEC + 0.5);
	} else if (!pk_duration_parse(param_node_string(node), &v)) {
		return false;
	}
	if (v < MAX(p->min, 0) || v > p->max)
		return false;
	*out = v;
	return true;
}

static bool param_list_count_ok(const struct pk_param *p, guint n)
{
	return (int64_t)n >= p->min && (p->max <= 0 || (int64_t)n <= p->max);
}

/* One list record: its defaults, then the members of the object at @node. */
static bool param_parse_record(const struct pk_param_table *rt, JsonNode *node, void *record,
			       const char *path, GError **error)
{
	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_autofree char *got = param_got(NULL, node);

		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "%s: expected an object, got %s",
			    path, got);
		return false;
	}
	return param_fill_defaults(rt, record, path, error) &&
	       pk_params_apply_json(rt, json_node_get_object(node), record, path, NULL, true,
				    NULL, error);
}

static void param_list_free(const struct pk_param_record *rec, struct pk_list *l)
{
	if (l->items && param_record_ok(rec)) {
		struct pk_param_table rt = param_record_table(rec);

		for (uint32_t i = 0; i < l->n; i++)
			pk_params_clear(&rt, param_list_item(rec, l, i));
	}
	g_free(l->items);
	l->items = NULL;
	l->n = 0;
}

static bool param_parse_list(const struct pk_param *p, JsonNode *node, const char *keypath,
			     struct pk_list *out, GError **error)
{
	const struct pk_param_record *rec = p->extra;
	struct pk_param_table rt = param_record_table(rec);
	struct pk_list l = { 0 };
	JsonArray *arr;

	if (!JSON_NODE_HOLDS_ARRAY(node) ||
	    !param_list_count_ok(p, json_array_get_length(json_node_get_array(node)))) {
		param_set_expected_error(p, node, keypath, error);
		return false;
	}
	arr = json_node_get_array(node);
	l.n = json_array_get_length(arr);
	l.items = g_malloc0_n(l.n, rec->record_size);
	for (uint32_t i = 0; i < l.n; i++) {
		g_autofree char *itempath = g_strdup_printf("%s[%u]", keypath, i);

		if (!param_parse_record(&rt, json_array_get_element(arr, i),
					param_list_item(rec, &l, i), itempath, error)) {
			param_list_free(rec, &l);	/* items not reached are still zero */
			return false;
		}
	}
	*out = l;
	return true;
}

/* Parse @node as a value of @p into @v; false with an error naming @keypath. */
static bool param_parse(const struct pk_param *p, JsonNode *node, const char *keypath,
			union param_value *v, GError **error)
{
	bool ok = false;

	switch (p->type) {
	case PK_PT_BOOL:
		ok = param_parse_bool(node, &v->b);
		break;
	case PK_PT_U32:
		ok = param_parse_u32(p, node, &v->u32);
		break;
	case PK_PT_I64:
		ok = param_parse_int(p, node, INT64_MIN, INT64_MAX, &v->i64);
		break;
	case PK_PT_STR:
		ok = param_parse_str(node, &v->str);
		break;
	case PK_PT_ENUM:
		ok = param_parse_enum(p, node, &v->u32);
		break;
	case PK_PT_MAC:
		ok = pk_mac_parse(param_node_string(node), &v->mac);
		break;
	case PK_PT_IP4:
		ok = param_parse_inet(node, AF_INET, v->ip4.b);
		break;
	case PK_PT_IP6:
		ok = param_parse_inet(node, AF_INET6, v->ip6.b);
		break;
	case PK_PT_PREFIX:
		ok = pk_prefix_parse(param_node_string(node), &v->prefix);
		break;
	case PK_PT_KEY32:
		ok = pk_key32_parse(param_node_string(node), &v->key);
		break;
	case PK_PT_DURATION:
		ok = param_parse_duration(p, node, &v->i64);
		break;
	case PK_PT_LIST:
		return param_parse_list(p, node, keypath, &v->list, error);
	}
	if (!ok)
		param_set_expected_error(p, node, keypath, error);
	return ok;
}

/* ---- Fields -------------------------------------------------------------- */

/* Free what the field of @p owns (a string, list records); leaves it dangling. */
static void param_free_field(const struct pk_param *p, void *field)
{
	if (p->type == PK_PT_STR)
		g_free(*(char **)field);
	else if (p->type == PK_PT_LIST)
		param_list_free(p->extra, field);
}

/* Parse @node into a temporary, then replace the field: a failure leaves it intact. */
static bool param_apply_node(const struct pk_param *p, JsonNode *node, void *config,
			     const char *keypath, GError **error)
{
	union param_value v;
	void *field;

	memset(&v, 0, sizeof(v));
	if (!param_check_entry(p, keypath, error) || !param_parse(p, node, keypath, &v, error))
		return false;
	field = param_field(p, config);
	param_free_field(p, field);
	memcpy(field, &v, pk_param_field_size(p->type));
	return true;
}

static bool param_apply_default(const struct pk_param *p, void *config, const char *path,
				GError **error)
{
	g_autofree char *keypath = param_keypath(path, p->name);
	g_autoptr(GError) json_error = NULL;
	g_autoptr(JsonNode) node = json_from_string(p->def, &json_error);

	if (!node) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "invalid default of %s: not JSON text (%s)", keypath,
			    json_error ? json_error->message : "empty");
		return false;
	}
	if (param_apply_node(p, node, config, keypath, error))
		return true;
	g_prefix_error(error, "invalid default of ");
	return false;
}

/* Defaults of @t into @config; REQUIRED entries are left alone (no default). */
static bool param_fill_defaults(const struct pk_param_table *t, void *config, const char *path,
				GError **error)
{
	if (!param_check_table(t, path, error))
		return false;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pk_param *p = pk_param_at(t, i);

		if (p->def && !(p->flags & PK_PF_REQUIRED) &&
		    !param_apply_default(p, config, path, error))
			return false;
	}
	return true;
}

/**
 * pk_params_set_defaults() - Fill a zeroed config struct with every default
 * @t:		Schema
 * @config:	Zeroed storage of the config size
 * @error:	Set if a default does not parse (a bug in the module)
 *
 * Each default text goes through the parser of user input. The default of a
 * PK_PF_REQUIRED parameter is not applied: the user must give the value.
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_params_set_defaults(const struct pk_param_table *t, void *config, GError **error)
{
	g_return_val_if_fail(t && config, false);
	return param_fill_defaults(t, config, NULL, error);
}

/* ---- Applying an object ---------------------------------------------------- */

/* The known name closest to @key, if within PARAM_SUGGEST_MAX edits. */
static const char *param_suggest(const struct pk_param_table *t, const char *key)
{
	const char *best = NULL;
	unsigned best_d = PARAM_SUGGEST_MAX + 1;

	for (uint32_t i = 0; i < t->n; i++) {
		const char *name = pk_param_at(t, i)->name;
		unsigned d = pk_edit_distance(key, name);

		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	return best;
}

static void param_set_unknown_error(const struct pk_param_table *t, const char *key,
				    const char *path, GError **error)
{
	g_autofree char *keypath = param_keypath(path, key);
	const char *near = param_suggest(t, key);
	GString *known;

	if (near) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN,
			    "%s: unknown parameter; did you mean '%s'?", keypath, near);
		return;
	}
	known = g_string_new(NULL);
	for (uint32_t i = 0; i < t->n; i++)
		g_string_append_printf(known, "%s%s", i ? ", " : "", pk_param_at(t, i)->name);
	g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "%s: unknown parameter; known: %s", keypath,
		    t->n ? known->str : "none (this takes no parameters)");
	g_string_free(known, TRUE);
}

static bool param_is_skipped(const char *key, const char *skip)
{
	return skip && strcmp(key, skip) == 0;
}

static bool param_check_keys(const struct pk_param_table *t, JsonObject *obj, const char *path,
			     const char *skip, GError **error)
{
	JsonObjectIter it;
	const char *key;
	JsonNode *node;
	uint32_t index;

	json_object_iter_init_ordered(&it, obj);
	while (json_object_iter_next_ordered(&it, &key, &node)) {
		if (!param_is_skipped(key, skip) && !param_find(t, key, &index)) {
			param_set_unknown_error(t, key, path, error);
			return false;
		}
	}
	return true;
}

static bool param_check_required(const struct pk_param_table *t, JsonObject *obj,
				 const char *path, GError **error)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pk_param *p = pk_param_at(t, i);
		g_autofree char *keypath = NULL;

		if (!(p->flags & PK_PF_REQUIRED) || json_object_has_member(obj, p->name))
			continue;
		keypath = param_keypath(path, p->name);
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "%s: required parameter missing (%s: %s)", keypath,
			    pk_param_type_name(p->type), p->blurb ? p->blurb : "no description");
		return false;
	}
	return true;
}

/**
 * pk_params_apply_json() - Parse the members of @obj into @config
 * @t:		Schema
 * @obj:	Members to apply; every key must be in the schema
 * @config:	Config struct, already holding defaults or a previous config
 * @path:	JSON path of @obj for error messages ("devices.hub0"), or NULL
 * @skip:	Key to ignore (e.g. "type"), or NULL
 * @check_required:	Fail if a REQUIRED parameter is not in @obj
 * @changed:	Out, may be NULL: PK_PARAM_BIT() of every key applied (set
 *		to 0 first; parameters from index 64 on have no bit)
 * @error:	"<path>.<key>: <reason>" on failure
 *
 * Unknown keys and missing REQUIRED keys are found before anything is
 * written. A value that does not parse leaves its field as it was, but keys
 * applied before it stay applied: apply to a copy (pk_params_copy()) when
 * the old config must survive.
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_params_apply_json(const struct pk_param_table *t, JsonObject *obj, void *config,
			  const char *path, const char *skip, bool check_required,
			  uint64_t *changed, GError **error)
{
	JsonObjectIter it;
	const char *key;
	JsonNode *node;
	uint32_t index;

	g_return_val_if_fail(t && obj && config, false);
	if (changed)
		*changed = 0;
	if (!param_check_table(t, path, error) || !param_check_keys(t, obj, path, skip, error) ||
	    (check_required && !param_check_required(t, obj, path, error)))
		return false;
	json_object_iter_init_ordered(&it, obj);
	while (json_object_iter_next_ordered(&it, &key, &node)) {
		g_autofree char *keypath = NULL;

		if (param_is_skipped(key, skip) || !param_find(t, key, &index))
			continue;
		keypath = param_keypath(path, key);
		if (!param_apply_node(pk_param_at(t, index), node, config, keypath, error))
			return false;
		if (changed && index < 64)
			*changed |= PK_PARAM_BIT(index);
	}
	return true;
}

/* ---- Serialising ------------------------------------------------------------ */

static JsonNode *param_string_node(const char *s)
{
	return json_node_init_string(json_node_alloc(), s);
}

static JsonNode *param_string_node_take(char *s)
{
	JsonNode *node = param_string_node(s);

	g_free(s);
	return node;
}

static JsonNode *param_enum_node(const struct pk_param *p, uint32_t value)
{
	for (const struct pk_param_enum *e = p->extra; e && e->name; e++) {
		if (e->value == value)
			return param_string_node(e->name);
	}
	return NULL;
}

static JsonNode *param_inet_node(int af, const void *addr)
{
	char buf[INET6_ADDRSTRLEN];

	return param_string_node(inet_ntop(af, addr, buf, sizeof(buf)));
}

static JsonNode *param_prefix_node(const struct pk_prefix *prefix)
{
	char buf[PK_PREFIX_STRLEN];

	if (prefix->family != 4 && prefix->family != 6)
		return NULL;
	return param_string_node(pk_prefix_format(prefix, buf));
}

static JsonNode *param_list_node(const struct pk_param *p, const struct pk_list *l,
				 bool with_secrets)
{
	const struct pk_param_record *rec = p->extra;
	JsonArray *arr = json_array_sized_new(l->n);
	JsonNode *node = json_node_alloc();

	if (param_record_ok(rec)) {
		struct pk_param_table rt = param_record_table(rec);

		for (uint32_t i = 0; i < l->n && l->items; i++)
			json_array_add_object_element(
				arr, pk_params_to_json(&rt, param_list_item(rec, l, i), with_secrets));
	}
	json_node_init_array(node, arr);
	json_array_unref(arr);
	return node;
}

/* The JSON form of a field, as the parser accepts it; NULL for "unset". */
static JsonNode *param_to_node(const struct pk_param *p, const void *field, bool with_secrets)
{
	char mac[PK_MAC_STRLEN];
	char key[PK_KEY32_STRLEN];

	switch (p->type) {
	case PK_PT_BOOL:
		return json_node_init_boolean(json_node_alloc(), *(const bool *)field);
	case PK_PT_U32:
		return json_node_init_int(json_node_alloc(), *(const uint32_t *)field);
	case PK_PT_I64:
		return json_node_init_int(json_node_alloc(), *(const int64_t *)field);
	case PK_PT_STR:
		return *(char *const *)field ? param_string_node(*(char *const *)field) : NULL;
	case PK_PT_ENUM:
		return param_enum_node(p, *(const uint32_t *)field);
	case PK_PT_MAC:
		return param_string_node(pk_mac_format(field, mac));
	case PK_PT_IP4:
		return param_inet_node(AF_INET, field);
	case PK_PT_IP6:
		return param_inet_node(AF_INET6, field);
	case PK_PT_PREFIX:
		return param_prefix_node(field);
	case PK_PT_KEY32:
		return param_string_node(pk_key32_format(field, key));
	case PK_PT_DURATION:
		return param_string_node_take(pk_duration_format(*(const int64_t *)field));
	case PK_PT_LIST:
		return param_list_node(p, field, with_secrets);
	}
	return NULL;
}

/**
 * pk_params_to_json() - Serialise a config struct
 * @t:			Schema
 * @config:		Config struct
 * @with_secrets:	Include PK_PF_SECRET values (only for files the user
 *			asked to export with secrets)
 *
 * Values are written in the text forms the parser reads (durations as
 * "1h30m", keys as base64, enums by name), so applying the result to the
 * defaults gives back an equal config. Unset values (NULL strings, prefixes
 * of family 0, enum values without a name) are left out.
 *
 * Context: main context.
 * Return: (transfer full) a new object with one member per parameter.
 */
JsonObject *pk_params_to_json(const struct pk_param_table *t, const void *config,
			      bool with_secrets)
{
	JsonObject *obj = json_object_new();

	g_return_val_if_fail(t && config, obj);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pk_param *p = pk_param_at(t, i);
		JsonNode *node;

		if ((p->flags & PK_PF_SECRET) && !with_secrets)
			continue;
		node = param_to_node(p, param_field_const(p, config), with_secrets);
		if (node)
			json_object_set_member(obj, p->name, node);
	}
	return obj;
}

/* ---- Copy and clear ------------------------------------------------------- */

static void param_list_copy(const struct pk_param_record *rec, struct pk_list *dst,
			    const struct pk_list *src)
{
	struct pk_param_table rt;

	dst->n = 0;
	dst->items = NULL;
	if (!src->items || src->n == 0 || !param_record_ok(rec))
		return;
	rt = param_record_table(rec);
	dst->items = g_malloc0_n(src->n, rec->record_size);
	dst->n = src->n;
	for (uint32_t i = 0; i < src->n; i++)
		pk_params_copy(&rt, param_list_item(rec, dst, i), param_list_item(rec, src, i));
}

/**
 * pk_params_copy() - Deep-copy a config struct (strings and lists duplicated)
 * @t:		Schema
 * @dst:	Zeroed storage of the config size
 * @src:	Source
 *
 * Only the fields the schema describes are copied.
 *
 * Context: main context.
 */
void pk_params_copy(const struct pk_param_table *t, void *dst, const void *src)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pk_param *p = pk_param_at(t, i);
		void *d = param_field(p, dst);
		const void *s = param_field_const(p, src);

		if (p->type == PK_PT_STR)
			*(char **)d = g_strdup(*(char *const *)s);
		else if (p->type == PK_PT_LIST)
			param_list_copy(p->extra, d, s);
		else
			memcpy(d, s, pk_param_field_size(p->type));
	}
}

/**
 * pk_params_clear() - Free what a config struct owns and zero it
 * @t:		Schema
 * @config:	Config struct
 *
 * Strings and list records (recursively) are freed and every field the
 * schema describes is zeroed; the struct may be filled again afterwards.
 *
 * Context: main context.
 */
void pk_params_clear(const struct pk_param_table *t, void *config)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct pk_param *p = pk_param_at(t, i);
		void *field = param_field(p, config);

		param_free_field(p, field);
		memset(field, 0, pk_param_field_size(p->type));
	}
}

/**
 * pk_param_type_name() - Name of a value type as inspect shows it ("u32", "prefix")
 * @type:	enum pk_param_type
 *
 * Context: any thread.
 * Return: a static string; "unknown" for a value outside the enum.
 */
const char *pk_param_type_name(uint32_t type)
{
	if (type < G_N_ELEMENTS(param_type_names) && param_type_names[type])
		return param_type_names[type];
	return "unknown";
}
