// SPDX-License-Identifier: MIT
/* registry.c - Module discovery and the ABI check; the table of device types
 *
 * A module file is pk-<name>.so exporting pk_module_query(), which returns
 * const data only. The registry opens the file, checks the ABI numbers and
 * the descriptors before calling anything else of the module, and keeps it
 * resident. Every refusal is one line naming the file and the reason; the
 * other modules still load. Of two types with the same name the first found
 * wins, the second is reported as shadowed.
 */
#include <gmodule.h>
#include "core-counters.h"
#include "runtime.h"

/* Sizes of the version 1.0 descriptor structs: the least a module may declare. */
#define PORT_GROUP_V1_0_SIZE (offsetof(struct pk_port_group, blurb) + sizeof(const char *))
#define PARAM_V1_0_SIZE (offsetof(struct pk_param, extra) + sizeof(const void *))
#define COUNTER_V1_0_SIZE (offsetof(struct pk_counter, blurb) + sizeof(const char *))
#define PORT_GROUP_V1_1_SIZE (offsetof(struct pk_port_group, flags) + sizeof(uint32_t))
/* Sizes of the 1.2 status descriptors: the least a module may declare. */
#define STATUS_FIELD_V1_2_SIZE (offsetof(struct pk_status_field, blurb) + sizeof(const char *))
#define STATUS_TABLE_V1_2_SIZE \
	(offsetof(struct pk_status_table, columns_size) + sizeof(uint32_t))

struct pk_registry {
	GPtrArray *modules;	/* struct pk_registry_module * */
	GPtrArray *types;	/* struct pk_registry_type *, sorted by name; stable */
	GPtrArray *diagnostics;	/* char *, NULL-terminated view kept in sync */
};

struct pk_registry *pk_registry_new(void)
{
	struct pk_registry *reg = g_new0(struct pk_registry, 1);

	reg->modules = g_ptr_array_new();
	reg->types = g_ptr_array_new_with_free_func(g_free);
	reg->diagnostics = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(reg->diagnostics, NULL);
	pk_registry_add_module(reg, &pk_core_module_info, "(built-in)", NULL);
	return reg;
}

void pk_registry_free(struct pk_registry *reg)
{
	if (!reg)
		return;
	for (guint i = 0; i < reg->modules->len; i++) {
		struct pk_registry_module *m = g_ptr_array_index(reg->modules, i);

		g_free((char *)m->file);
		g_free(m);
	}
	g_ptr_array_unref(reg->modules);
	g_ptr_array_unref(reg->types);
	g_ptr_array_unref(reg->diagnostics);
	g_free(reg);
}

static void registry_diagnose(struct pk_registry *reg, const char *line)
{
	/* Keep the array NULL-terminated: replace the terminator, add a new one. */
	g_ptr_array_index(reg->diagnostics, reg->diagnostics->len - 1) = g_strdup(line);
	g_ptr_array_add(reg->diagnostics, NULL);
	g_warning("%s", line);
}

const char *const *pk_registry_diagnostics(const struct pk_registry *reg)
{
	return (const char *const *)reg->diagnostics->pdata;
}

/* Checking descriptors -------------------------------------------------- */

/* "area.name" with lowercase kebab-case parts; vendors may nest ("acme.l2.echo"). */
static bool type_name_valid(const char *name)
{
	bool dot = false, start = true;

	if (!name || !*name)
		return false;
	for (const char *c = name; *c; c++) {
		if (*c == '.') {
			if (start)
				return false;
			dot = true;
			start = true;
			continue;
		}
		if (!(g_ascii_islower(*c) || g_ascii_isdigit(*c) || (*c == '-' && !start)))
			return false;
		start = false;
	}
	return dot && !start;
}

static bool kebab_valid(const char *name)
{
	if (!name || !*name || name[0] == '-')
		return false;
	for (const char *c = name; *c; c++)
		if (!(g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '-'))
			return false;
	return true;
}

/* Lists nest at most this deep (a list of records holding lists ...). */
#define PARAM_MAX_NESTING 4

static bool params_valid(const struct pk_param_table *tab, uint32_t struct_size,
			 const char *type, GString *why, unsigned int depth)
{
	if (tab->n && tab->stride < PARAM_V1_0_SIZE) {
		g_string_printf(why, "type '%s': parameter table element size %u is too small", type,
				tab->stride);
		return false;
	}
	for (uint32_t i = 0; i < tab->n; i++) {
		const struct pk_param *p = pk_param_at(tab, i);

		if (!kebab_valid(p->name)) {
			g_string_printf(why, "type '%s': parameter name '%s' is not lowercase kebab-case",
					type, p->name ? p->name : "(null)");
			return false;
		}
		if (p->type < PK_PT_BOOL || p->type > PK_PT_LIST) {
			g_string_printf(why, "type '%s': parameter '%s' has unknown value type %u", type,
					p->name, p->type);
			return false;
		}
		if ((uint64_t)p->offset + pk_param_field_size(p->type) > struct_size) {
			g_string_printf(why, "type '%s': parameter '%s' lies outside its config struct (offset %u, struct size %u)",
					type, p->name, p->offset, struct_size);
			return false;
		}
		if ((p->type == PK_PT_ENUM || p->type == PK_PT_LIST) && !p->extra) {
			g_string_printf(why, "type '%s': parameter '%s' lacks its %s description", type,
					p->name, p->type == PK_PT_ENUM ? "enum values" : "record");
			return false;
		}
		if (p->type == PK_PT_LIST) {
			const struct pk_param_record *rec = p->extra;
			struct pk_param_table sub = { rec->params, rec->n_params, rec->params_size };

			if (depth >= PARAM_MAX_NESTING) {
				g_string_printf(why, "type '%s': parameter '%s' nests lists deeper than %u levels",
						type, p->name, PARAM_MAX_NESTING);
				return false;
			}
			if (!params_valid(&sub, rec->record_size, type, why, depth + 1))
				return false;
		}
	}
	return true;
}

/* Every default must parse: a broken one would fail each device of the type. */
static bool defaults_valid(const struct pk_device_type *t, const struct pk_param_table *tab,
			   GString *why)
{
	void *config = g_malloc0(MAX(t->config_size, 1u));
	GError *error = NULL;
	bool ok = pk_params_set_defaults(tab, config, &error);

	if (!ok)
		g_string_printf(why, "type '%s': %s", t->name, error->message);
	g_clear_error(&error);
	pk_params_clear(tab, config);
	g_free(config);
	return ok;
}

/* Names of a set of status fields: kebab-case, known types, unique in @seen. */
static bool status_fields_valid(const struct pk_device_type *t, const struct pk_status_field *a,
				uint32_t n, uint32_t stride, const char *table, GHashTable *seen,
				GString *why)
{
	if (n && (!a || stride < STATUS_FIELD_V1_2_SIZE)) {
		g_string_printf(why, "type '%s': status field table element size too small", t->name);
		return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct pk_status_field *f = pk_status_field_at(a, stride, i);

		if (!kebab_valid(f->name) || f->type < PK_ST_STR || f->type > PK_ST_TIMESTAMP ||
		    !g_hash_table_add(seen, (gpointer)f->name)) {
			g_string_printf(why,
					"type '%s': status %s%s%s%u ('%s') has a bad or duplicate name or an unknown type",
					t->name, table ? "table '" : "field", table ? table : "",
					table ? "' column " : " ", i, f->name ? f->name : "(null)");
			return false;
		}
	}
	return true;
}

/* Since 1.2: status fields and tables (read only from modules built for 1.2+). */
static bool status_valid(const struct pk_device_type *t, GString *why)
{
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);

	if (!status_fields_valid(t, t->status, t->n_status, t->status_size, NULL, names, why))
		return false;
	if (t->n_status_tables &&
	    (!t->status_tables || t->status_tables_size < STATUS_TABLE_V1_2_SIZE)) {
		g_string_printf(why, "type '%s': status table element size too small", t->name);
		return false;
	}
	for (uint32_t i = 0; i < t->n_status_tables; i++) {
		const struct pk_status_table *tab = pk_type_status_table(t, i);
		g_autoptr(GHashTable) cols = g_hash_table_new(g_str_hash, g_str_equal);

		if (!kebab_valid(tab->name) || !g_hash_table_add(names, (gpointer)tab->name)) {
			g_string_printf(why, "type '%s': status table %u ('%s') has a bad or duplicate name",
					t->name, i, tab->name ? tab->name : "(null)");
			return false;
		}
		if (!status_fields_valid(t, tab->columns, tab->n_columns, tab->columns_size,
					 tab->name, cols, why))
			return false;
	}
	return true;
}

/* Since 1.2 a type's counter names are its own: unique, and none of the
 * core's, which every device has (older types that declare one keep it). */
static bool counters_own(const struct pk_device_type *t, GString *why)
{
	for (uint32_t i = 0; i < t->n_counters; i++) {
		const char *name = pk_type_counter(t, i)->name;

		if (pk_core_counter_index(name) >= 0 || strcmp(name, "instances") == 0 ||
		    strcmp(name, "instances-refused") == 0) {
			g_string_printf(why,
					"type '%s': counter '%s' is one the core keeps for every "
					"device (report it with pk_dev_drop())",
					t->name, name);
			return false;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(pk_type_counter(t, j)->name, name) == 0) {
				g_string_printf(why, "type '%s': counter '%s' is declared twice",
						t->name, name);
				return false;
			}
		}
	}
	return true;
}

static bool type_valid(const struct pk_device_type *t, uint32_t minor, GString *why)
{
	struct pk_param_table tab;

	if (!type_name_valid(t->name)) {
		g_string_printf(why, "type name '%s' is not \"area.name\" in lowercase kebab-case",
				t->name ? t->name : "(null)");
		return false;
	}
	if (!t->summary || !*t->summary || !t->ops) {
		g_string_printf(why, "type '%s' lacks %s", t->name, t->ops ? "a summary" : "an ops table");
		return false;
	}
	if ((t->n_ports && t->ports_size < PORT_GROUP_V1_0_SIZE) ||
	    (t->n_counters && t->counters_size < COUNTER_V1_0_SIZE)) {
		g_string_printf(why, "type '%s': descriptor array element size too small", t->name);
		return false;
	}
	if (t->n_params > 64) {
		g_string_printf(why, "type '%s' declares %u parameters (at most 64; nest records)",
				t->name, t->n_params);
		return false;
	}
	for (uint32_t i = 0; i < t->n_ports; i++) {
		const struct pk_port_group *pg = pk_type_port_group(t, i);

		if (!kebab_valid(pg->name) || (pg->layer != PK_L2 && pg->layer != PK_L3) ||
		    pg->max == 0 || pg->min > pg->max) {
			g_string_printf(why, "type '%s': port group %u is invalid (name, layer or min/max)",
					t->name, i);
			return false;
		}
	}
	for (uint32_t i = 0; i < t->n_counters; i++) {
		if (!kebab_valid(pk_type_counter(t, i)->name)) {
			g_string_printf(why, "type '%s': counter %u name is not lowercase kebab-case",
					t->name, i);
			return false;
		}
	}
	if (minor >= 2 && !counters_own(t, why))
		return false;
	if (minor >= 2 && !status_valid(t, why))
		return false;
	tab = pk_type_params(t);
	if (!params_valid(&tab, t->config_size, t->name, why, 0))
		return false;
	return defaults_valid(t, &tab, why);
}

static bool info_valid(const struct pk_module_info *info, GString *why)
{
	if (info->abi_major != PK_ABI_MAJOR) {
		g_string_printf(why,
				"refused: module ABI %u.%u, host ABI %u.%u (the major version must match; rebuild the module against pktkit-%u)",
				info->abi_major, info->abi_minor, PK_ABI_MAJOR, PK_ABI_MINOR,
				PK_ABI_MAJOR);
		return false;
	}
	if (info->abi_minor > PK_ABI_MINOR) {
		g_string_printf(why,
				"refused: module ABI %u.%u, host ABI %u.%u (the module needs a newer pktkit; upgrade the host or rebuild with PK_TARGET_ABI_MINOR=%u)",
				info->abi_major, info->abi_minor, PK_ABI_MAJOR, PK_ABI_MINOR,
				PK_ABI_MINOR);
		return false;
	}
	if (!info->name || !*info->name || !info->version || !info->license || !info->types) {
		g_string_assign(why, "refused: module descriptor lacks name, version, license or types");
		return false;
	}
	for (const char *c = info->name; *c; c++) {
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '-' && *c != '_') {
			g_string_printf(why, "refused: module name '%s' is not lowercase (letters, digits, '-', '_')",
					info->name);
			return false;
		}
	}
	for (const struct pk_device_type *const *t = info->types; *t; t++) {
		if (!type_valid(*t, info->abi_minor, why)) {
			g_string_prepend(why, "refused: ");
			return false;
		}
	}
	return true;
}

/* Adding ------------------------------------------------------------------ */

static gint type_cmp(gconstpointer a, gconstpointer b)
{
	const struct pk_registry_type *x = *(const struct pk_registry_type *const *)a;
	const struct pk_registry_type *y = *(const struct pk_registry_type *const *)b;

	return strcmp(x->type->name, y->type->name);
}

bool pk_registry_add_module(struct pk_registry *reg, const struct pk_module_info *info,
			    const char *origin, GError **error)
{
	g_autoptr(GString) why = g_string_new(NULL);
	struct pk_registry_module *m;

	if (!info) {
		g_string_printf(why, "%s: refused: pk_module_query() returned no descriptor", origin);
		goto refuse;
	}
	if (!info_valid(info, why)) {
		g_string_prepend(why, ": ");
		g_string_prepend(why, origin);
		goto refuse;
	}
	m = g_new0(struct pk_registry_module, 1);
	m->info = info;
	m->file = g_strdup(origin);
	g_ptr_array_add(reg->modules, m);
	for (const struct pk_device_type *const *t = info->types; *t; t++) {
		const struct pk_registry_type *prev = pk_registry_lookup(reg, (*t)->name);
		struct pk_registry_type *entry;

		if (prev) {
			g_autofree char *line = g_strdup_printf(
				"%s: type '%s' ignored: already provided by %s", origin, (*t)->name,
				prev->module->file);

			registry_diagnose(reg, line);
			continue;
		}
		entry = g_new(struct pk_registry_type, 1);
		entry->type = *t;
		entry->module = m;
		g_ptr_array_add(reg->types, entry);
		g_ptr_array_sort(reg->types, type_cmp);
	}
	return true;
refuse:
	registry_diagnose(reg, why->str);
	g_set_error_literal(error, PK_ERROR, PK_ERROR_ABI, why->str);
	return false;
}

bool pk_registry_load_file(struct pk_registry *reg, const char *file, GError **error)
{
	pk_module_query_func query;
	GModule *module;

	for (guint i = 0; i < reg->modules->len; i++) {
		struct pk_registry_module *m = g_ptr_array_index(reg->modules, i);

		if (strcmp(m->file, file) == 0)
			return true;
	}
	module = g_module_open(file, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
	if (!module) {
		g_autofree char *line = g_strdup_printf("%s: cannot load: %s", file, g_module_error());

		registry_diagnose(reg, line);
		g_set_error_literal(error, PK_ERROR, PK_ERROR_ABI, line);
		return false;
	}
	if (!g_module_symbol(module, PK_MODULE_QUERY_SYMBOL, (gpointer *)&query) || !query) {
		g_autofree char *line = g_strdup_printf(
			"%s: not a pktkit module: no symbol '%s'", file, PK_MODULE_QUERY_SYMBOL);

		registry_diagnose(reg, line);
		g_set_error_literal(error, PK_ERROR, PK_ERROR_ABI, line);
		g_module_close(module);
		return false;
	}
	if (!pk_registry_add_module(reg, query(), file, error)) {
		g_module_close(module);
		return false;
	}
	/* Descriptors point into the module: it must never be unloaded. */
	g_module_make_resident(module);
	return true;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

unsigned int pk_registry_scan_dir(struct pk_registry *reg, const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	unsigned int accepted = 0;

	if (!d)
		return 0;
	while ((name = g_dir_read_name(d)))
		if (g_str_has_prefix(name, "pk-") && g_str_has_suffix(name, ".so"))
			g_ptr_array_add(files, g_build_filename(dir, name, NULL));
	g_ptr_array_sort(files, str_cmp);
	for (guint i = 0; i < files->len; i++)
		accepted += pk_registry_load_file(reg, g_ptr_array_index(files, i), NULL);
	return accepted;
}

/* Scan the ':'-separated directories of @path, or @fallback if @path is NULL. */
static unsigned int scan_path(struct pk_registry *reg, const char *path, const char *fallback)
{
	g_auto(GStrv) dirs = NULL;
	unsigned int accepted = 0;

	if (!path)
		return fallback ? pk_registry_scan_dir(reg, fallback) : 0;
	dirs = g_strsplit(path, G_SEARCHPATH_SEPARATOR_S, -1);
	for (char **dir = dirs; *dir; dir++)
		if (**dir)
			accepted += pk_registry_scan_dir(reg, *dir);
	return accepted;
}

unsigned int pk_registry_scan_default(struct pk_registry *reg)
{
	unsigned int accepted = scan_path(reg, g_getenv(PK_MODULE_PATH_ENV), NULL);

	accepted += scan_path(reg, g_getenv(PK_MODULE_SYSTEM_PATH_ENV), PKTKIT_MODULE_DIR);
	return accepted;
}

/* Lookup ------------------------------------------------------------------ */

const struct pk_registry_type *pk_registry_lookup(const struct pk_registry *reg, const char *name)
{
	guint lo = 0, hi = reg->types->len;

	while (lo < hi) {
		guint mid = (lo + hi) / 2;
		const struct pk_registry_type *e = g_ptr_array_index(reg->types, mid);
		int c = strcmp(name, e->type->name);

		if (c == 0)
			return e;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *pk_registry_closest(const struct pk_registry *reg, const char *name)
{
	const char *best = NULL;
	guint best_d = G_MAXUINT;

	for (guint i = 0; i < reg->types->len; i++) {
		const char *cand =
			((const struct pk_registry_type *)g_ptr_array_index(reg->types, i))->type->name;
		guint d = pk_edit_distance(name, cand);

		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	/* Close enough: a third of the name's length, at least 2 edits. */
	return best && best_d <= MAX(2u, (guint)strlen(name) / 3) ? best : NULL;
}

const struct pk_registry_type *const *pk_registry_types(const struct pk_registry *reg,
							 unsigned int *n)
{
	*n = reg->types->len;
	return (const struct pk_registry_type *const *)reg->types->pdata;
}

const struct pk_registry_module *const *pk_registry_modules(const struct pk_registry *reg,
							    unsigned int *n)
{
	*n = reg->modules->len;
	return (const struct pk_registry_module *const *)reg->modules->pdata;
}

uint32_t pk_port_group_flags(const struct pk_dev *dev, uint32_t group)
{
	const struct pk_registry_type *rt = dev->rtype;
	const struct pk_device_type *t = dev->type;

	/* The field exists only in modules built for 1.1+, and only if their
	 * element size (PK_ARRAY) covers it. */
	if (rt && rt->module && rt->module->info && rt->module->info->abi_minor < 1)
		return 0;
	if (group >= t->n_ports || t->ports_size < PORT_GROUP_V1_1_SIZE)
		return 0;
	return pk_type_port_group(t, group)->flags;
}

uint32_t pk_dev_abi_minor(const struct pk_dev *dev)
{
	const struct pk_registry_type *rt = dev->rtype;

	/* Devices of types registered without a module (none today) are current. */
	return rt && rt->module && rt->module->info ? rt->module->info->abi_minor : PK_ABI_MINOR;
}

void pk_registry_type_status(const struct pk_registry_type *rt, struct pk_status_schema *out)
{
	const struct pk_device_type *t = rt->type;

	memset(out, 0, sizeof(*out));
	/* The fields exist only in descriptors of modules built for 1.2+. */
	if (rt->module && rt->module->info && rt->module->info->abi_minor < 2)
		return;
	out->fields = t->status;
	out->n_fields = t->n_status;
	out->fields_size = t->status_size;
	out->tables = t->status_tables;
	out->n_tables = t->n_status_tables;
	out->tables_size = t->status_tables_size;
}
