/* SPDX-License-Identifier: MIT
 * embed/registry.h - Finding, checking and loading modules; looking up device types
 */
#ifndef PKTKIT_EMBED_REGISTRY_H
#define PKTKIT_EMBED_REGISTRY_H

#include <pktkit/module.h>

G_BEGIN_DECLS

/* Environment variable with extra module directories (':'-separated), searched first. */
#define PK_MODULE_PATH_ENV "PKTKIT_MODULE_PATH"
/* If set, replaces the installed module directory ('' for none: build-tree tests). */
#define PK_MODULE_SYSTEM_PATH_ENV "PKTKIT_MODULE_SYSTEM_PATH"

struct pk_registry;

/**
 * struct pk_registry_module - A module the registry accepted
 * @info:	Its descriptor
 * @file:	Path it was loaded from; "(built-in)" for libpktkit's own
 */
struct pk_registry_module {
	const struct pk_module_info *info;
	const char *file;
};

/**
 * struct pk_registry_type - A device type and the module providing it
 * @type:	Descriptor
 * @module:	Providing module
 */
struct pk_registry_type {
	const struct pk_device_type *type;
	const struct pk_registry_module *module;
};

/**
 * pk_core_counters() - The counters the core keeps for every device
 * @n:	(out) Entries in the table
 *
 * "dropped-no-buffer", "dropped-queue-full" (enum pk_drop), "loop-drops"
 * and "unlinked-drops", with their blurbs, for front ends that document
 * them. Types built for 1.2 or later may not declare these names; a type
 * built for 1.0 or 1.1 that declares one keeps its own. (A device that
 * instantiates templates also has "instances" and "instances-refused".)
 *
 * Context: any thread. Since: 1.2
 * Return: a static table.
 */
const struct pk_counter *pk_core_counters(uint32_t *n);

/**
 * pk_registry_new() - An empty registry holding only libpktkit's built-in types
 *
 * Context: main context.
 * Return: (transfer full) a registry; free with pk_registry_free().
 */
struct pk_registry *pk_registry_new(void);

/**
 * pk_registry_free() - Free the registry (loaded modules stay resident)
 * @reg:	Registry, or NULL
 *
 * Context: main context.
 */
void pk_registry_free(struct pk_registry *reg);

/**
 * pk_registry_scan_default() - Scan $PKTKIT_MODULE_PATH, then the install dir
 *
 * The install dir is replaced by $PKTKIT_MODULE_SYSTEM_PATH when that is set
 * (an empty value scans no system directory).
 * @reg:	Registry
 *
 * Context: main context.
 * Return: number of modules accepted.
 */
unsigned int pk_registry_scan_default(struct pk_registry *reg);

/**
 * pk_registry_scan_dir() - Load every pk-*.so in @dir (sorted by name)
 * @reg:	Registry
 * @dir:	Directory; a missing one is skipped silently
 *
 * A refused or broken module yields one diagnostic line (logged as a
 * warning and kept, see pk_registry_diagnostics()); the rest still load.
 *
 * Context: main context.
 * Return: number of modules accepted.
 */
unsigned int pk_registry_scan_dir(struct pk_registry *reg, const char *dir);

/**
 * pk_registry_load_file() - Load one module file
 * @reg:	Registry
 * @file:	Path
 * @error:	Set, with the diagnostic line as message, when refused
 *
 * Context: main context.
 * Return: true if accepted (types shadowed by earlier modules only warn).
 */
bool pk_registry_load_file(struct pk_registry *reg, const char *file, GError **error);

/**
 * pk_registry_add_module() - Register a module descriptor that is already in memory
 * @reg:	Registry
 * @info:	Descriptor (checked like a file's)
 * @origin:	Shown as its file
 * @error:	Set when refused
 *
 * Context: main context.
 * Return: true if accepted.
 */
bool pk_registry_add_module(struct pk_registry *reg, const struct pk_module_info *info,
			    const char *origin, GError **error);

/**
 * pk_registry_lookup() - Find a device type by name
 * @reg:	Registry
 * @name:	Type name
 *
 * Context: main context.
 * Return: (transfer none) the entry, or NULL.
 */
const struct pk_registry_type *pk_registry_lookup(const struct pk_registry *reg,
						  const char *name);

/**
 * pk_registry_closest() - The known type name closest to @name (edit distance)
 * @reg:	Registry
 * @name:	Misspelt name
 *
 * Context: main context.
 * Return: (transfer none) a type name, or NULL if none is reasonably close.
 */
const char *pk_registry_closest(const struct pk_registry *reg, const char *name);

/**
 * pk_registry_types() - All accepted types, sorted by name
 * @reg:	Registry
 * @n:		Out: number of entries
 *
 * Context: main context.
 * Return: (transfer none) array of @n entries.
 */
const struct pk_registry_type *const *pk_registry_types(const struct pk_registry *reg,
							 unsigned int *n);

/**
 * pk_registry_modules() - All accepted modules, in load order
 * @reg:	Registry
 * @n:		Out: number of entries
 *
 * Context: main context.
 * Return: (transfer none) the array.
 */
const struct pk_registry_module *const *pk_registry_modules(const struct pk_registry *reg,
							    unsigned int *n);

/**
 * pk_registry_diagnostics() - One line per refused module or shadowed type, in order
 * @reg:	Registry
 *
 * Context: main context.
 * Return: (transfer none) NULL-terminated array of strings.
 */
const char *const *pk_registry_diagnostics(const struct pk_registry *reg);

/**
 * struct pk_status_schema - The status a device type declares
 * @fields:	@n_fields entries of @fields_size bytes (pk_status_field_at())
 * @tables:	@n_tables entries of @tables_size bytes
 *
 * Since: 1.2. Filled by the library; it never grows (a new minor would add
 * a new function).
 */
struct pk_status_schema {
	const struct pk_status_field *fields;
	uint32_t n_fields, fields_size;
	const struct pk_status_table *tables;
	uint32_t n_tables, tables_size;
};

/**
 * pk_registry_type_status() - The status fields and tables of a registered type
 * @rt:		Type from this registry
 * @out:	Filled in; all zero for a type of a module built before ABI 1.2
 *		(whose descriptor lacks the fields)
 *
 * Context: any thread (descriptors are const).
 * Since: 1.2
 */
void pk_registry_type_status(const struct pk_registry_type *rt, struct pk_status_schema *out);

G_END_DECLS

#endif /* PKTKIT_EMBED_REGISTRY_H */
