// SPDX-License-Identifier: MIT
/* dbus-params.c - Parameter schemas and values as GVariant: derived from the descriptors only */
#include <string.h>

#include "dbus-params.h"
#include "inspect.h"

const char *dbus_param_signature(uint32_t type)
{
	switch (type) {
	case PK_PT_BOOL:
		return "b";
	case PK_PT_U32:
		return "u";
	case PK_PT_I64:
		return "x";
	case PK_PT_LIST:
		return "aa{sv}";
	default:
		return "s";
	}
}

static const struct pk_param *params_find(const struct pk_param_table *t, const char *name)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (strcmp(pk_param_at(t, i)->name, name) == 0)
			return pk_param_at(t, i);
	return NULL;
}

/* A value of @p (NULL: not in the schema) in its fixed D-Bus type. */
static GVariant *param_value_to_variant(const struct pk_param *p, JsonNode *node)
{
	struct pk_param_table fields;

	if (!p)
		return json_gvariant_deserialize(node, NULL, NULL);
	switch (p->type) {
	case PK_PT_BOOL:
		return g_variant_new_boolean(json_node_get_boolean(node));
	case PK_PT_U32:
		return g_variant_new_uint32((uint32_t)json_node_get_int(node));
	case PK_PT_I64:
		return g_variant_new_int64(json_node_get_int(node));
	case PK_PT_LIST: {
		GVariantBuilder b;
		JsonArray *arr = json_node_get_array(node);

		g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
		inspect_record_table(p, &fields);
		for (guint i = 0; arr && i < json_array_get_length(arr); i++)
			g_variant_builder_add_value(
				&b, dbus_params_to_variant(&fields,
							   json_array_get_object_element(arr, i)));
		return g_variant_builder_end(&b);
	}
	default:
		return g_variant_new_string(json_node_get_string(node) ? json_node_get_string(node)
								       : "");
	}
}

GVariant *dbus_params_to_variant(const struct pk_param_table *t, JsonObject *values)
{
	GVariantBuilder b;
	JsonObjectIter iter;
	const char *key;
	JsonNode *node;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	json_object_iter_init_ordered(&iter, values);
	while (json_object_iter_next_ordered(&iter, &key, &node)) {
		GVariant *v = param_value_to_variant(params_find(t, key), node);

		if (v)
			g_variant_builder_add(&b, "{sv}", key, v);
	}
	return g_variant_builder_end(&b);
}

JsonObject *dbus_params_from_variant(GVariant *dict)
{
	g_autoptr(JsonNode) node = json_gvariant_serialize(dict);

	if (!JSON_NODE_HOLDS_OBJECT(node))
		return json_object_new();
	return json_object_ref(json_node_get_object(node));
}

static void dict_add_string(GVariantBuilder *b, const char *key, const char *value)
{
	if (value)
		g_variant_builder_add(b, "{sv}", key, g_variant_new_string(value));
}

static GVariant *type_ports(const struct pk_device_type *t)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (uint32_t i = 0; i < t->n_ports; i++) {
		const struct pk_port_group *pg = pk_type_port_group(t, i);
		GVariantBuilder d;

		g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
		dict_add_string(&d, "name", pg->name);
		dict_add_string(&d, "layer", inspect_layer_name(pg->layer));
		g_variant_builder_add(&d, "{sv}", "min", g_variant_new_uint32(pg->min));
		g_variant_builder_add(&d, "{sv}", "max", g_variant_new_uint32(pg->max));
		dict_add_string(&d, "blurb", pg->blurb);
		g_variant_builder_add_value(&b, g_variant_builder_end(&d));
	}
	return g_variant_builder_end(&b);
}

static GVariant *type_counters(const struct pk_device_type *t)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (uint32_t i = 0; i < t->n_counters; i++) {
		const struct pk_counter *c = pk_type_counter(t, i);
		GVariantBuilder d;

		g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
		dict_add_string(&d, "name", c->name);
		dict_add_string(&d, "blurb", c->blurb);
		g_variant_builder_add_value(&b, g_variant_builder_end(&d));
	}
	return g_variant_builder_end(&b);
}

static GVariant *status_fields(const struct pk_status_field *a, uint32_t n, uint32_t stride)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (uint32_t i = 0; i < n; i++) {
		const struct pk_status_field *f = pk_status_field_at(a, stride, i);
		GVariantBuilder d;

		g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
		dict_add_string(&d, "name", f->name);
		dict_add_string(&d, "type", pk_status_type_name(f->type));
		dict_add_string(&d, "blurb", f->blurb);
		g_variant_builder_add_value(&b, g_variant_builder_end(&d));
	}
	return g_variant_builder_end(&b);
}

static GVariant *status_tables(const struct pk_status_schema *s)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (uint32_t i = 0; i < s->n_tables; i++) {
		const struct pk_status_table *t =
			(const struct pk_status_table *)((const char *)s->tables +
							 (size_t)i * s->tables_size);
		GVariantBuilder d;

		g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
		dict_add_string(&d, "name", t->name);
		dict_add_string(&d, "blurb", t->blurb);
		g_variant_builder_add(&d, "{sv}", "columns",
				      status_fields(t->columns, t->n_columns, t->columns_size));
		g_variant_builder_add_value(&b, g_variant_builder_end(&d));
	}
	return g_variant_builder_end(&b);
}

GVariant *dbus_type_info(const struct pk_registry_type *rt)
{
	struct pk_status_schema status;
	const struct pk_device_type *t = rt->type;
	g_autofree char *needs = inspect_type_needs(t);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	dict_add_string(&b, "name", t->name);
	dict_add_string(&b, "summary", t->summary);
	dict_add_string(&b, "doc", t->doc);
	dict_add_string(&b, "module", rt->module->info->name);
	if (*needs)
		dict_add_string(&b, "needs", needs);
	g_variant_builder_add(&b, "{sv}", "ports", type_ports(t));
	g_variant_builder_add(&b, "{sv}", "counters", type_counters(t));
	pk_registry_type_status(rt, &status);
	g_variant_builder_add(&b, "{sv}", "status",
			      status_fields(status.fields, status.n_fields, status.fields_size));
	g_variant_builder_add(&b, "{sv}", "status-tables", status_tables(&status));
	return g_variant_builder_end(&b);
}

static GVariant *param_flags(const struct pk_param *p)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_STRING_ARRAY);
	for (const struct inspect_flag *f = inspect_param_flag_names; f->name; f++)
		if (p->flags & f->bit)
			g_variant_builder_add(&b, "s", f->name);
	return g_variant_builder_end(&b);
}

static GVariant *param_describe(const struct pk_param *p)
{
	g_autofree char *range = inspect_param_range(p);
	struct pk_param_table fields;
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	dict_add_string(&b, "name", p->name);
	dict_add_string(&b, "type", pk_param_type_name(p->type));
	dict_add_string(&b, "signature", dbus_param_signature(p->type));
	dict_add_string(&b, "blurb", p->blurb);
	dict_add_string(&b, "default", p->def);
	dict_add_string(&b, "range", range);
	g_variant_builder_add(&b, "{sv}", "flags", param_flags(p));
	if (p->type == PK_PT_U32 || p->type == PK_PT_I64 || p->type == PK_PT_DURATION ||
	    p->type == PK_PT_LIST) {
		g_variant_builder_add(&b, "{sv}", "min", g_variant_new_int64(p->min));
		g_variant_builder_add(&b, "{sv}", "max", g_variant_new_int64(p->max));
	}
	if (p->type == PK_PT_ENUM) {
		GVariantBuilder names;

		g_variant_builder_init(&names, G_VARIANT_TYPE_STRING_ARRAY);
		for (const struct pk_param_enum *e = p->extra; e && e->name; e++)
			g_variant_builder_add(&names, "s", e->name);
		g_variant_builder_add(&b, "{sv}", "values", g_variant_builder_end(&names));
	}
	if (inspect_record_table(p, &fields))
		g_variant_builder_add(&b, "{sv}", "fields", dbus_type_params(&fields));
	return g_variant_builder_end(&b);
}

GVariant *dbus_type_params(const struct pk_param_table *t)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (uint32_t i = 0; i < t->n; i++)
		g_variant_builder_add_value(&b, param_describe(pk_param_at(t, i)));
	return g_variant_builder_end(&b);
}
