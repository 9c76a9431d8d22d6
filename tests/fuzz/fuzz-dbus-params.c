/* SPDX-License-Identifier: MIT
 * fuzz-dbus-params.c - libFuzzer target: a serialized GVariant through pktkit-host's D-Bus parameter conversion
 *
 * Input: [type string][NUL][serialized GVariant]. Without a NUL in the
 * first 64 bytes, or with an invalid or indefinite type string, the whole input is an
 * "a{sv}" (what AddDevice and SetConfig receive). The value is made with
 * g_variant_new_from_data() (untrusted), converted by
 * dbus_params_from_variant() (core/host/dbus-params.c) and applied to the
 * parameters of every type of every in-tree module, as AddDevice would.
 * Where that succeeds, the config must survive the way back: GetConfig's
 * conversion (dbus_params_to_variant()), then SetConfig's, gives the same
 * config. No device is created, so nothing touches the system.
 */
#include <string.h>

#include <pktkit/device-type.h>
#include <pktkit/param.h>
#include <pktkit/embed/registry.h>

#include "dbus-params.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pk_registry *fuzz_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		g_auto(GStrv) dirs = g_strsplit(FUZZ_MODULE_DIRS, ":", -1);

		g_log_set_writer_func(g_log_writer_default, NULL, NULL);
		g_setenv("G_MESSAGES_DEBUG", "", TRUE);
		reg = pk_registry_new();
		for (char **d = dirs; *d; d++)
			pk_registry_scan_dir(reg, *d);
	}
	return reg;
}

static char *to_text(JsonObject *obj)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);

	json_node_set_object(node, obj);
	return json_to_string(node, FALSE);
}

/* Apply @obj to a fresh config of @t; its JSON form (NULL if refused). */
static JsonObject *apply(const struct pk_param_table *t, size_t config_size, JsonObject *obj)
{
	void *config = g_malloc0(config_size ? config_size : 1);
	JsonObject *out = NULL;
	GError *error = NULL;

	if (!pk_params_set_defaults(t, config, &error))
		__builtin_trap();	/* a module's defaults do not parse */
	if (pk_params_apply_json(t, obj, config, "devices.fuzz", "type", true, NULL, &error))
		out = pk_params_to_json(t, config, true);
	else
		FUZZ_CHECK(error != NULL && error->message != NULL);
	g_clear_error(&error);
	pk_params_clear(t, config);
	g_free(config);
	return out;
}

static void convert(const struct pk_device_type *type, JsonObject *obj)
{
	struct pk_param_table t = pk_type_params(type);
	g_autoptr(JsonObject) cfg = apply(&t, type->config_size, obj);
	g_autoptr(JsonObject) back_obj = NULL, cfg2 = NULL;
	g_autoptr(GVariant) v = NULL;
	g_autofree char *a = NULL, *b = NULL;

	if (!cfg)
		return;
	/* GetConfig, then SetConfig with what it returned. */
	v = g_variant_ref_sink(dbus_params_to_variant(&t, cfg));
	FUZZ_CHECK(g_variant_is_of_type(v, G_VARIANT_TYPE_VARDICT));
	back_obj = dbus_params_from_variant(v);
	cfg2 = apply(&t, type->config_size, back_obj);
	FUZZ_CHECK(cfg2 != NULL);
	a = to_text(cfg);
	b = to_text(cfg2);
	FUZZ_CHECK(strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_registry *reg = fuzz_registry();
	const struct pk_registry_type *const *types;
	const GVariantType *vt = G_VARIANT_TYPE_VARDICT;
	const uint8_t *nul = memchr(data, '\0', MIN(size, (size_t)64));
	g_autoptr(GVariant) v = NULL;
	g_autoptr(JsonObject) obj = NULL;
	unsigned int n = 0;
	void *copy;

	if (size > 16384)
		return 0;
	if (nul && g_variant_type_string_is_valid((const char *)data) &&
	    g_variant_type_is_definite(G_VARIANT_TYPE((const char *)data))) {
		vt = G_VARIANT_TYPE((const char *)data);
		size -= (size_t)(nul + 1 - data);
		data = nul + 1;
	}
	/* g_memdup2: aligned for any type, as GDBus hands over values. */
	copy = g_memdup2(data, size);
	v = g_variant_ref_sink(g_variant_new_from_data(vt, copy, size, FALSE, g_free, copy));
	obj = dbus_params_from_variant(v);
	FUZZ_CHECK(obj != NULL);
	types = pk_registry_types(reg, &n);
	for (unsigned int i = 0; i < n; i++)
		convert(types[i]->type, obj);
	return 0;
}
