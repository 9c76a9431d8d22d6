// SPDX-License-Identifier: MIT
/* test-module.c - One source, several deliberately good and broken modules for the registry tests
 *
 * Built once per variant with -DVARIANT_*; see meson.build beside this file.
 */
#include <pktkit/pktkit.h>

struct tm_config {
	uint32_t value;
};

static const struct pk_param tm_params[] = {
	PK_PARAM_U32(struct tm_config, value, "value", "7", 0, 100, PK_PF_LIVE, "A number"),
};

static const struct pk_port_group tm_ports[] = {
	{ "eth", PK_L2, 0, 1, "The only port", 0 },
};

static const struct pk_device_ops tm_ops = { 0 };

#if defined(VARIANT_BAD_NAME)
#define TM_TYPE_NAME "BadName"
#else
#define TM_TYPE_NAME "test.good"
#endif

static const struct pk_device_type tm_type = {
	.name = TM_TYPE_NAME,
	.summary = "A device type for registry tests",
	.doc = "Does nothing.",
	PK_ARRAY(ports, tm_ports),
	PK_ARRAY(params, tm_params),
	.config_size = sizeof(struct tm_config),
	.instance_size = 1,
	.ops = &tm_ops,
};

#if defined(VARIANT_NO_SYMBOL)
/* Exports something, but not pk_module_query. */
PK_EXPORT int tm_not_a_query(void);
PK_EXPORT int tm_not_a_query(void)
{
	return tm_type.n_params;
}
#elif defined(VARIANT_MAJOR) || defined(VARIANT_MINOR)
static const struct pk_device_type *const tm_types[] = { &tm_type, NULL };
static const struct pk_module_info tm_info = {
#if defined(VARIANT_MAJOR)
	.abi_major = PK_ABI_MAJOR + 1,
	.abi_minor = 0,
#else
	.abi_major = PK_ABI_MAJOR,
	.abi_minor = PK_ABI_MINOR + 1,
#endif
	.name = "test-abi",
	.version = "1.0",
	.license = "MIT",
	.description = "Built for another ABI",
	.origin = "tests",
	.types = tm_types,
};
PK_EXPORT const struct pk_module_info *pk_module_query(void);
PK_EXPORT const struct pk_module_info *pk_module_query(void)
{
	return &tm_info;
}
#else
PK_MODULE_DEFINE("test-" VARIANT_NAME, "Registry test module", "1.0", "MIT", "tests", &tm_type)
#endif
