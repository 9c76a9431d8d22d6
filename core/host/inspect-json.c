// SPDX-License-Identifier: MIT
/* inspect-json.c - pktkit-inspect --json: modules, types and schemas for scripts
 *
 * Keys are kebab-case. A parameter's "default" is the module's default text
 * parsed as JSON (null when it has none); "min"/"max" are numbers (durations
 * in nanoseconds) and "range" is the same in words, as the text output shows.
 */
#include <pktkit/version.h>
#include "host-common.h"
#include "inspect.h"

static void json_member_string(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void json_member_int(JsonBuilder *b, const char *key, int64_t value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, value);
}

/* The default text as a JSON value; a default that is no JSON stays a string. */
static void json_member_default(JsonBuilder *b, const struct pk_param *p)
{
	JsonNode *value = p->def ? json_from_string(p->def, NULL) : NULL;

	json_builder_set_member_name(b, "default");
	if (value)
		json_builder_add_value(b, value);
	else if (p->def)
		json_builder_add_string_value(b, p->def);
	else
		json_builder_add_null_value(b);
}

static void json_param_range(JsonBuilder *b, const struct pk_param *p)
{
	g_autofree char *range = inspect_param_range(p);

	switch (p->type) {
	case PK_PT_U32:
	case PK_PT_I64:
	case PK_PT_DURATION:
		json_member_int(b, "min", p->min);
		json_member_int(b, "max", p->max);
		break;
	case PK_PT_LIST:
		json_member_int(b, "min-items", p->min);
		if (p->max)
			json_member_int(b, "max-items", p->max);
		break;
	}
	if (range)
		json_member_string(b, "range", range);
}

static void json_param_flags(JsonBuilder *b, const struct pk_param *p)
{
	json_builder_set_member_name(b, "flags");
	json_builder_begin_array(b);
	for (const struct inspect_flag *f = inspect_param_flag_names; f->name; f++)
		if (p->flags & f->bit)
			json_builder_add_string_value(b, f->name);
	json_builder_end_array(b);
}

static void json_enum_values(JsonBuilder *b, const struct pk_param *p)
{
	json_builder_set_member_name(b, "values");
	json_builder_begin_array(b);
	for (const struct pk_param_enum *e = p->extra; e && e->name; e++) {
		json_builder_begin_object(b);
		json_member_string(b, "name", e->name);
		json_member_int(b, "value", e->value);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_params(JsonBuilder *b, const char *key, const struct pk_param_table *params);

static void json_param(JsonBuilder *b, const struct pk_param *p)
{
	struct pk_param_table fields;

	json_builder_begin_object(b);
	json_member_string(b, "name", p->name);
	json_member_string(b, "type", pk_param_type_name(p->type));
	json_member_string(b, "blurb", p->blurb);
	json_member_default(b, p);
	json_param_range(b, p);
	json_param_flags(b, p);
	if (p->type == PK_PT_ENUM)
		json_enum_values(b, p);
	if (inspect_record_table(p, &fields))
		json_params(b, "fields", &fields);
	json_builder_end_object(b);
}

static void json_params(JsonBuilder *b, const char *key, const struct pk_param_table *params)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < params->n; i++)
		json_param(b, pk_param_at(params, i));
	json_builder_end_array(b);
}

static void json_ports(JsonBuilder *b, const struct pk_device_type *t)
{
	json_builder_set_member_name(b, "ports");
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < t->n_ports; i++) {
		const struct pk_port_group *pg = pk_type_port_group(t, i);

		json_builder_begin_object(b);
		json_member_string(b, "name", pg->name);
		json_member_string(b, "layer", inspect_layer_name(pg->layer));
		json_member_int(b, "min", pg->min);
		json_member_int(b, "max", pg->max);
		json_member_string(b, "blurb", pg->blurb);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_counters(JsonBuilder *b, const struct pk_device_type *t)
{
	json_builder_set_member_name(b, "counters");
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < t->n_counters; i++) {
		const struct pk_counter *c = pk_type_counter(t, i);

		json_builder_begin_object(b);
		json_member_string(b, "name", c->name);
		json_member_string(b, "blurb", c->blurb);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_status_fields(JsonBuilder *b, const char *member,
			       const struct pk_status_field *a, uint32_t n, uint32_t stride)
{
	json_builder_set_member_name(b, member);
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < n; i++) {
		const struct pk_status_field *f = pk_status_field_at(a, stride, i);

		json_builder_begin_object(b);
		json_member_string(b, "name", f->name);
		json_member_string(b, "type", pk_status_type_name(f->type));
		json_member_string(b, "blurb", f->blurb);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* "status": fields; "status-tables": tables with their columns (empty before ABI 1.2). */
static void json_status(JsonBuilder *b, const struct pk_registry_type *rt)
{
	struct pk_status_schema s;

	pk_registry_type_status(rt, &s);
	json_status_fields(b, "status", s.fields, s.n_fields, s.fields_size);
	json_builder_set_member_name(b, "status-tables");
	json_builder_begin_array(b);
	for (uint32_t i = 0; i < s.n_tables; i++) {
		const struct pk_status_table *t =
			(const struct pk_status_table *)((const char *)s.tables +
							 (size_t)i * s.tables_size);

		json_builder_begin_object(b);
		json_member_string(b, "name", t->name);
		json_member_string(b, "blurb", t->blurb);
		json_status_fields(b, "columns", t->columns, t->n_columns, t->columns_size);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_type(JsonBuilder *b, const struct pk_registry_type *rt)
{
	const struct pk_device_type *t = rt->type;
	struct pk_param_table params = pk_type_params(t);
	g_autofree char *needs = inspect_type_needs(t);

	json_builder_begin_object(b);
	json_member_string(b, "name", t->name);
	json_member_string(b, "summary", t->summary);
	json_member_string(b, "module", rt->module->info->name);
	json_builder_set_member_name(b, "needs");
	json_builder_begin_array(b);
	if (*needs)
		json_builder_add_string_value(b, needs);
	json_builder_end_array(b);
	json_ports(b, t);
	json_params(b, "params", &params);
	json_counters(b, t);
	json_status(b, rt);
	json_member_string(b, "doc", t->doc);
	json_builder_end_object(b);
}

/* Names of the accepted types that @m provides. */
static void json_module_types(JsonBuilder *b, struct pk_registry *reg,
			      const struct pk_registry_module *m)
{
	unsigned int n;
	const struct pk_registry_type *const *types = pk_registry_types(reg, &n);

	json_builder_set_member_name(b, "types");
	json_builder_begin_array(b);
	for (unsigned int i = 0; i < n; i++)
		if (types[i]->module == m)
			json_builder_add_string_value(b, types[i]->type->name);
	json_builder_end_array(b);
}

static void json_modules(JsonBuilder *b, struct pk_registry *reg)
{
	unsigned int n;
	const struct pk_registry_module *const *mods = pk_registry_modules(reg, &n);

	json_builder_set_member_name(b, "modules");
	json_builder_begin_array(b);
	for (unsigned int i = 0; i < n; i++) {
		const struct pk_module_info *m = mods[i]->info;

		json_builder_begin_object(b);
		json_member_string(b, "name", m->name);
		json_member_string(b, "version", m->version);
		json_member_string(b, "license", m->license);
		json_member_string(b, "description", m->description);
		json_member_string(b, "origin", m->origin);
		json_member_int(b, "abi-major", m->abi_major);
		json_member_int(b, "abi-minor", m->abi_minor);
		json_member_string(b, "file", mods[i]->file);
		json_module_types(b, reg, mods[i]);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void json_all(JsonBuilder *b, struct pk_registry *reg)
{
	unsigned int n;
	const struct pk_registry_type *const *types = pk_registry_types(reg, &n);

	json_builder_begin_object(b);
	json_member_string(b, "pktkit-version", PK_VERSION_STRING);
	json_member_int(b, "abi-major", PK_ABI_MAJOR);
	json_member_int(b, "abi-minor", PK_ABI_MINOR);
	json_modules(b, reg);
	json_builder_set_member_name(b, "types");
	json_builder_begin_array(b);
	for (unsigned int i = 0; i < n; i++)
		json_type(b, types[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "diagnostics");
	json_builder_begin_array(b);
	for (const char *const *d = pk_registry_diagnostics(reg); *d; d++)
		json_builder_add_string_value(b, *d);
	json_builder_end_array(b);
	json_builder_end_object(b);
}

int inspect_json(struct pk_registry *reg, const struct pk_registry_type *only)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	if (only)
		json_type(b, only);
	else
		json_all(b, reg);
	root = json_builder_get_root(b);
	host_print_json(root);
	return 0;
}
