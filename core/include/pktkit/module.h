/* SPDX-License-Identifier: MIT
 * module.h - The module descriptor and the one symbol a module exports
 */
#ifndef PKTKIT_MODULE_H
#define PKTKIT_MODULE_H

#include <pktkit/device-type.h>
#include <pktkit/version.h>

G_BEGIN_DECLS

/* The only symbol the host looks up in a module file. */
#define PK_MODULE_QUERY_SYMBOL "pk_module_query"

/**
 * struct pk_module_info - What a module file provides
 * @abi_major:	PK_ABI_MAJOR the module was built with
 * @abi_minor:	PK_TARGET_ABI_MINOR the module was built for
 * @name:	Module name (snake_case or kebab-case)
 * @version:	The module's own version
 * @license:	SPDX identifier
 * @description:	One line
 * @origin:	URL or vendor
 * @types:	NULL-terminated array of device types
 */
struct pk_module_info {
	uint32_t abi_major;
	uint32_t abi_minor;
	const char *name;
	const char *version;
	const char *license;
	const char *description;
	const char *origin;
	const struct pk_device_type *const *types;
	/* Since: 1.1 -- append only below this line */
};

typedef const struct pk_module_info *(*pk_module_query_func)(void);

/*
 * PK_MODULE_DEFINE() - Define the module descriptor and export pk_module_query()
 *
 * pk_module_query() only returns static const data: no code of the module
 * runs before the host has checked the ABI numbers.
 */
#define PK_MODULE_DEFINE(nm, descr, ver, lic, orig, ...)                              \
	static const struct pk_device_type *const pk_module_types_[] = { __VA_ARGS__,   \
									 NULL };        \
	static const struct pk_module_info pk_module_info_ = {                          \
		.abi_major = PK_ABI_MAJOR, .abi_minor = PK_TARGET_ABI_MINOR,           \
		.name = (nm), .version = (ver), .license = (lic), .description = (descr), \
		.origin = (orig), .types = pk_module_types_,                            \
	};                                                                              \
	PK_EXPORT const struct pk_module_info *pk_module_query(void);                  \
	PK_EXPORT const struct pk_module_info *pk_module_query(void)                   \
	{                                                                               \
		return &pk_module_info_;                                                \
	}

G_END_DECLS

#endif /* PKTKIT_MODULE_H */
