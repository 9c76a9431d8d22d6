/* SPDX-License-Identifier: MIT
 * param.h - Parameter schema: the single declaration of a device type's configuration
 *
 * A device type lists its parameters as a const array of struct pk_param. Each
 * entry names a field of the module's config struct; the host parses JSON (and
 * D-Bus values) into that struct, fills defaults through the same parser,
 * rejects unknown keys, and derives inspect output and docs from the table.
 */
#ifndef PKTKIT_PARAM_H
#define PKTKIT_PARAM_H

#include <json-glib/json-glib.h>
#include <pktkit/addr.h>

G_BEGIN_DECLS

/**
 * enum pk_param_type - Value types; the C field type each one fills
 * @PK_PT_BOOL:		bool
 * @PK_PT_U32:		uint32_t, within [min, max]
 * @PK_PT_I64:		int64_t, within [min, max]
 * @PK_PT_STR:		char *, owned by the host (NULL when unset)
 * @PK_PT_ENUM:		uint32_t, the value of one of the names in @extra
 *			(a NULL-terminated const struct pk_param_enum array)
 * @PK_PT_MAC:		struct pk_mac, "aa:bb:cc:dd:ee:ff"
 * @PK_PT_IP4:		struct pk_ip4, "192.0.2.1"
 * @PK_PT_IP6:		struct pk_ip6, "2001:db8::1"
 * @PK_PT_PREFIX:	struct pk_prefix, "10.0.0.1/24" or "fd00::/64"
 * @PK_PT_KEY32:	struct pk_key32, 32 bytes as base64
 * @PK_PT_DURATION:	int64_t nanoseconds; text "1h30m", "250ms", "2.5s", or
 *			a JSON number of seconds; within [min, max] ns
 * @PK_PT_LIST:		struct pk_list of records described by @extra (a
 *			const struct pk_param_record); [min, max] items
 */
enum pk_param_type {
	PK_PT_BOOL = 1,
	PK_PT_U32,
	PK_PT_I64,
	PK_PT_STR,
	PK_PT_ENUM,
	PK_PT_MAC,
	PK_PT_IP4,
	PK_PT_IP6,
	PK_PT_PREFIX,
	PK_PT_KEY32,
	PK_PT_DURATION,
	PK_PT_LIST,
};

/* Parameter flags. */
#define PK_PF_REQUIRED (1u << 0)	/* must be given: no default */
#define PK_PF_LIVE (1u << 1)		/* may change while the device runs */
#define PK_PF_SECRET (1u << 2)		/* write-only: never echoed or logged */
/* Since: 1.1. A PK_PT_STR parameter that names a template of the topology
 * (pk_dev_instantiate()); the host checks at load that the template exists
 * and that templates do not instantiate each other in a cycle. Honoured only
 * for top-level parameters of modules built for 1.1 or later. */
#define PK_PF_TEMPLATE (1u << 3)

/* One name of an enum parameter. Arrays end with a { NULL } entry. */
struct pk_param_enum {
	const char *name;
	uint32_t value;
};

/**
 * struct pk_list - Value of a PK_PT_LIST parameter
 * @n:		Number of records
 * @items:	@n records of the element size, owned by the host
 */
struct pk_list {
	uint32_t n;
	void *items;
};

/**
 * struct pk_param - One parameter of a device type (or of a list record)
 * @name:	Key, lowercase kebab-case
 * @type:	enum pk_param_type
 * @flags:	PK_PF_* bits
 * @offset:	offsetof() the field in the config struct (or record)
 * @blurb:	One sentence for inspect, docs and D-Bus
 * @def:	Default as JSON text ("true", "300", "\"10.0.0.1/24\""), or
 *		NULL: the field stays zero (NULL for strings, empty list).
 *		Not applied to PK_PF_REQUIRED parameters, which the user must
 *		give (so the "[]" of PK_PARAM_LIST() may coexist with @min >= 1)
 * @min:	Lower bound (numbers, durations in ns, list item count)
 * @max:	Upper bound; for lists 0 means unbounded
 * @extra:	PK_PT_ENUM: const struct pk_param_enum *; PK_PT_LIST: const
 *		struct pk_param_record *; otherwise NULL
 *
 * Use the PK_PARAM_* macros below: they check the field's C type.
 */
struct pk_param {
	const char *name;
	uint32_t type;
	uint32_t flags;
	uint32_t offset;
	const char *blurb;
	const char *def;
	int64_t min;
	int64_t max;
	const void *extra;
};

/**
 * struct pk_param_record - Schema of the records of a list parameter
 * @params:		Fields of one record
 * @n_params:		Number of entries in @params
 * @params_size:	sizeof(struct pk_param) the module was built with
 * @record_size:	sizeof() one record
 */
struct pk_param_record {
	const struct pk_param *params;
	uint32_t n_params;
	uint32_t params_size;
	uint32_t record_size;
};

/* Compile-time check that @field of struct @st has C type @ctype; evaluates to 0. */
#define PK_FIELD_CHECK_(st, field, ctype)                                              \
	(0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((st *)0)->field), ctype) \
				 ? 1 : -1]))
#define PK_PARAM_(st, field, ctype, nm, pt, dflt, lo, hi, ext, fl, text)                \
	{ .name = (nm), .type = (pt), .flags = (fl),                                     \
	  .offset = (uint32_t)(offsetof(st, field) + PK_FIELD_CHECK_(st, field, ctype)), \
	  .blurb = (text), .def = (dflt), .min = (lo), .max = (hi), .extra = (ext) }

#define PK_PARAM_BOOL(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, bool, nm, PK_PT_BOOL, dflt, 0, 1, NULL, fl, text)
#define PK_PARAM_U32(st, field, nm, dflt, lo, hi, fl, text) \
	PK_PARAM_(st, field, uint32_t, nm, PK_PT_U32, dflt, lo, hi, NULL, fl, text)
#define PK_PARAM_I64(st, field, nm, dflt, lo, hi, fl, text) \
	PK_PARAM_(st, field, int64_t, nm, PK_PT_I64, dflt, lo, hi, NULL, fl, text)
#define PK_PARAM_STR(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, char *, nm, PK_PT_STR, dflt, 0, 0, NULL, fl, text)
#define PK_PARAM_ENUM(st, field, nm, dflt, values, fl, text) \
	PK_PARAM_(st, field, uint32_t, nm, PK_PT_ENUM, dflt, 0, 0, values, fl, text)
#define PK_PARAM_MAC(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, struct pk_mac, nm, PK_PT_MAC, dflt, 0, 0, NULL, fl, text)
#define PK_PARAM_IP4(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, struct pk_ip4, nm, PK_PT_IP4, dflt, 0, 0, NULL, fl, text)
#define PK_PARAM_IP6(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, struct pk_ip6, nm, PK_PT_IP6, dflt, 0, 0, NULL, fl, text)
#define PK_PARAM_PREFIX(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, struct pk_prefix, nm, PK_PT_PREFIX, dflt, 0, 0, NULL, fl, text)
#define PK_PARAM_KEY32(st, field, nm, dflt, fl, text) \
	PK_PARAM_(st, field, struct pk_key32, nm, PK_PT_KEY32, dflt, 0, 0, NULL, fl, text)
#define PK_PARAM_DURATION(st, field, nm, dflt, lo_ns, hi_ns, fl, text) \
	PK_PARAM_(st, field, int64_t, nm, PK_PT_DURATION, dflt, lo_ns, hi_ns, NULL, fl, text)
#define PK_PARAM_LIST(st, field, nm, record, lo, hi, fl, text) \
	PK_PARAM_(st, field, struct pk_list, nm, PK_PT_LIST, "[]", lo, hi, record, fl, text)

/* Durations, in the nanoseconds PK_PT_DURATION stores. */
#define PK_NSEC_PER_USEC INT64_C(1000)
#define PK_NSEC_PER_MSEC INT64_C(1000000)
#define PK_NSEC_PER_SEC INT64_C(1000000000)

/* Schema of a parameter table: the array, its length and element size. */
struct pk_param_table {
	const struct pk_param *params;
	uint32_t n;
	uint32_t stride;
};

/* Index of a parameter in the table, for the @changed bitmask of reconfigure. */
#define PK_PARAM_BIT(index) (UINT64_C(1) << (index))

/**
 * pk_param_at() - The i-th entry of a table, honouring the module's stride
 * @t:	Table
 * @i:	Index, < @t->n
 *
 * Context: any thread.
 */
static inline const struct pk_param *pk_param_at(const struct pk_param_table *t, uint32_t i)
{
	return (const struct pk_param *)((const char *)t->params + (size_t)i * t->stride);
}

/**
 * pk_params_set_defaults() - Fill a zeroed config struct with every default
 * @t:		Schema
 * @config:	Zeroed storage of the config size
 * @error:	Set if a default does not parse (a bug in the module)
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_params_set_defaults(const struct pk_param_table *t, void *config, GError **error);

/**
 * pk_params_apply_json() - Parse the members of @obj into @config
 * @t:		Schema
 * @obj:	Members to apply; every key must be in the schema
 * @config:	Config struct, already holding defaults or a previous config
 * @path:	JSON path of @obj for error messages ("devices.hub0")
 * @skip:	Key to ignore (e.g. "type"), or NULL
 * @check_required:	Fail if a REQUIRED parameter is not in @obj
 * @changed:	Out, may be NULL: PK_PARAM_BIT() of every key applied (set
 *		to 0 first; parameters from index 64 on have no bit)
 * @error:	"<path>.<key>: <reason>" on failure
 *
 * On failure @config may be partly updated: apply to a copy
 * (pk_params_copy()) when the old value must survive.
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_params_apply_json(const struct pk_param_table *t, JsonObject *obj, void *config,
			  const char *path, const char *skip, bool check_required,
			  uint64_t *changed, GError **error);

/**
 * pk_params_to_json() - Serialise a config struct
 * @t:			Schema
 * @config:		Config struct
 * @with_secrets:	Include PK_PF_SECRET values (only for files the user
 *			asked to export with secrets)
 *
 * Context: main context.
 * Return: (transfer full) a new object with one member per parameter.
 */
JsonObject *pk_params_to_json(const struct pk_param_table *t, const void *config,
			      bool with_secrets);

/**
 * pk_params_copy() - Deep-copy a config struct (strings and lists duplicated)
 * @t:		Schema
 * @dst:	Zeroed storage of the config size
 * @src:	Source
 *
 * Context: main context.
 */
void pk_params_copy(const struct pk_param_table *t, void *dst, const void *src);

/**
 * pk_params_clear() - Free what a config struct owns and zero it
 * @t:		Schema
 * @config:	Config struct
 *
 * Context: main context.
 */
void pk_params_clear(const struct pk_param_table *t, void *config);

/**
 * pk_param_type_name() - Name of a value type as inspect shows it ("u32", "prefix")
 * @type:	enum pk_param_type
 *
 * Context: any thread.
 */
const char *pk_param_type_name(uint32_t type);

/**
 * pk_duration_parse() - Parse "1h30m", "250ms", "2.5s", "90" (seconds)
 * @s:		Text
 * @out_ns:	Result in nanoseconds
 *
 * Context: any thread.
 * Return: true on success.
 */
bool pk_duration_parse(const char *s, int64_t *out_ns);

/**
 * pk_duration_format() - Format nanoseconds as the shortest exact text ("5m", "1.5s")
 * @ns:		Duration
 *
 * Context: any thread.
 * Return: (transfer full) a new string.
 */
char *pk_duration_format(int64_t ns);

G_END_DECLS

#endif /* PKTKIT_PARAM_H */
