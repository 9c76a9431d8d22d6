// SPDX-License-Identifier: MIT
/* dbus-manager.c - Methods of org.pktkit.Host1.Manager: types, devices, links, config, topology
 *
 * Every method checks the device and type names first (UnknownDevice,
 * UnknownType), then calls the graph API with parameters converted from
 * a{sv} to JSON, so the library parses and validates them exactly as it does
 * topology files; its GError message goes back unchanged. SECRET parameters
 * are never read out (pk_graph_get_config(..., false)), and no parameter
 * value is ever logged.
 */
#include <string.h>

#include <pktkit/error.h>

#include "dbus-error.h"
#include "dbus-internal.h"
#include "dbus-params.h"

/* Is the device named by endpoint @ep ("dev.group.N") in the graph? Else return the error. */
static bool endpoint_device_known(struct dbus_service *svc, GDBusMethodInvocation *inv,
				  const char *ep)
{
	g_autofree char *id = g_strndup(ep, strcspn(ep, "."));

	if (pk_graph_lookup(svc->g, id))
		return true;
	dbus_return_errorf(inv, DBUS_ERROR_UNKNOWN_DEVICE, "'%s': no device '%s'", ep, id);
	return false;
}

static bool device_known(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id)
{
	if (pk_graph_lookup(svc->g, id))
		return true;
	dbus_return_errorf(inv, DBUS_ERROR_UNKNOWN_DEVICE, "no device '%s'", id);
	return false;
}

static void device_error(struct dbus_service *svc, const char *id, const GError *error)
{
	if (error->domain == PK_ERROR && error->code == PK_ERROR_FAILED)
		pk_dbus_manager_emit_device_error(svc->manager, id, error->message);
}

static gboolean on_list_types(PkDBusManager *m, GDBusMethodInvocation *inv, gpointer data)
{
	struct dbus_service *svc = data;
	unsigned int n;
	const struct pk_registry_type *const *types = pk_registry_types(svc->reg, &n);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ss)"));
	for (unsigned int i = 0; i < n; i++)
		g_variant_builder_add(&b, "(ss)", types[i]->type->name,
				      types[i]->type->summary ? types[i]->type->summary : "");
	pk_dbus_manager_complete_list_types(m, inv, g_variant_builder_end(&b));
	return TRUE;
}

static const struct pk_registry_type *type_known(struct dbus_service *svc,
						 GDBusMethodInvocation *inv, const char *type)
{
	const struct pk_registry_type *rt = pk_registry_lookup(svc->reg, type);
	const char *near;

	if (rt)
		return rt;
	near = pk_registry_closest(svc->reg, type);
	dbus_return_errorf(inv, DBUS_ERROR_UNKNOWN_TYPE, "unknown device type '%s'%s%s%s", type,
			   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
	return NULL;
}

static gboolean on_describe_type(PkDBusManager *m, GDBusMethodInvocation *inv,
				 const char *type, gpointer data)
{
	const struct pk_registry_type *rt = type_known(data, inv, type);
	struct pk_param_table params;

	if (!rt)
		return TRUE;
	params = pk_type_params(rt->type);
	pk_dbus_manager_complete_describe_type(m, inv, dbus_type_info(rt),
					       dbus_type_params(&params));
	return TRUE;
}

static gboolean on_list_devices(PkDBusManager *m, GDBusMethodInvocation *inv, gpointer data)
{
	struct dbus_service *svc = data;
	g_autofree const char **ids = pk_graph_devices(svc->g);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(sso)"));
	for (const char **id = ids; *id; id++) {
		g_autofree char *path = dbus_device_path(*id);

		g_variant_builder_add(&b, "(sso)", *id, pk_dev_type(pk_graph_lookup(svc->g, *id))->name,
				      path);
	}
	pk_dbus_manager_complete_list_devices(m, inv, g_variant_builder_end(&b));
	return TRUE;
}

static gboolean on_list_links(PkDBusManager *m, GDBusMethodInvocation *inv, gpointer data)
{
	pk_dbus_manager_complete_list_links(m, inv, dbus_links_variant(data));
	return TRUE;
}

static gboolean on_add_device(PkDBusManager *m, GDBusMethodInvocation *inv, const char *id,
			      const char *type, GVariant *params, gpointer data)
{
	struct dbus_service *svc = data;
	g_autoptr(JsonObject) obj = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;

	if (!type_known(svc, inv, type))
		return TRUE;
	obj = dbus_params_from_variant(params);
	if (json_object_has_member(obj, "type"))
		return dbus_return_errorf(inv, DBUS_ERROR_INVALID_ARGS,
					  "devices.%s.type: give the type as the second argument, "
					  "not as a parameter", id);
	if (!pk_graph_add_device(svc->g, id, type, obj, &error)) {
		device_error(svc, id, error);
		return dbus_return_error(inv, error, NULL);
	}
	g_debug("D-Bus: added device %s (%s)", id, type);
	dbus_objects_sync(svc);
	path = dbus_device_path(id);
	pk_dbus_manager_complete_add_device(m, inv, path);
	return TRUE;
}

static gboolean on_remove_device(PkDBusManager *m, GDBusMethodInvocation *inv, const char *id,
				 gpointer data)
{
	struct dbus_service *svc = data;
	g_autoptr(GError) error = NULL;

	if (!device_known(svc, inv, id))
		return TRUE;
	dbus_capture_stop_device(svc, id);
	if (!pk_graph_remove_device(svc->g, id, &error))
		return dbus_return_error(inv, error, NULL);
	g_debug("D-Bus: removed device %s", id);
	dbus_objects_sync(svc);
	pk_dbus_manager_complete_remove_device(m, inv);
	return TRUE;
}

/* The link that appeared at (or, for a bare "dev", on) endpoint @a since the last sync. */
static void link_find_new(struct dbus_service *svc, GHashTable *before, char **out_a,
			  char **out_b)
{
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, svc->links);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_auto(GStrv) ends = NULL;

		if (g_hash_table_contains(before, key))
			continue;
		ends = g_strsplit(key, "\n", 2);
		*out_a = g_strdup(ends[0]);
		*out_b = g_strdup(ends[1]);
		return;
	}
}

static gboolean on_link(PkDBusManager *m, GDBusMethodInvocation *inv, const char *a,
			const char *b, gpointer data)
{
	struct dbus_service *svc = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) before = NULL;
	g_autofree char *la = NULL, *lb = NULL;

	if (!endpoint_device_known(svc, inv, a) || !endpoint_device_known(svc, inv, b))
		return TRUE;
	if (!pk_graph_link(svc->g, a, b, &error))
		return dbus_return_error(inv, error, DBUS_ERROR_EXISTS);
	before = g_hash_table_ref(svc->links);
	dbus_objects_sync(svc);
	link_find_new(svc, before, &la, &lb);
	/* The export lists a link from the device added first: put @a's end first. */
	if (la && lb && strncmp(lb, a, strcspn(a, ".")) == 0 && lb[strcspn(a, ".")] == '.' &&
	    strncmp(la, a, strcspn(a, ".")) != 0) {
		char *t = la;

		la = lb;
		lb = t;
	}
	pk_dbus_manager_complete_link(m, inv, la ? la : a, lb ? lb : b);
	return TRUE;
}

static gboolean on_unlink(PkDBusManager *m, GDBusMethodInvocation *inv, const char *ep,
			  gpointer data)
{
	struct dbus_service *svc = data;
	g_autoptr(GError) error = NULL;

	if (!endpoint_device_known(svc, inv, ep))
		return TRUE;
	if (!pk_graph_unlink(svc->g, ep, &error))
		return dbus_return_error(inv, error, DBUS_ERROR_INVALID_ARGS);
	dbus_objects_sync(svc);
	pk_dbus_manager_complete_unlink(m, inv);
	return TRUE;
}

gboolean dbus_get_config(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id,
			 GVariant **out)
{
	g_autoptr(JsonObject) values = NULL;
	g_autoptr(GError) error = NULL;
	struct pk_param_table params;

	if (!device_known(svc, inv, id))
		return FALSE;
	values = pk_graph_get_config(svc->g, id, false, &error);
	if (!values) {
		dbus_return_error(inv, error, NULL);
		return FALSE;
	}
	params = pk_type_params(pk_dev_type(pk_graph_lookup(svc->g, id)));
	*out = dbus_params_to_variant(&params, values);
	return TRUE;
}

gboolean dbus_set_config(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id,
			 GVariant *params)
{
	g_autoptr(JsonObject) obj = NULL;
	g_autoptr(GError) error = NULL;

	if (!device_known(svc, inv, id))
		return FALSE;
	obj = dbus_params_from_variant(params);
	if (!pk_graph_set_config(svc->g, id, obj, &error)) {
		device_error(svc, id, error);
		dbus_return_error(inv, error, DBUS_ERROR_NOT_LIVE);
		return FALSE;
	}
	g_debug("D-Bus: reconfigured %s (%u parameter(s))", id, json_object_get_size(obj));
	return TRUE;
}

gboolean dbus_get_status(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id,
			 GVariant **out)
{
	g_autoptr(GError) error = NULL;

	if (!device_known(svc, inv, id))
		return FALSE;
	*out = pk_graph_device_status(svc->g, id, &error);
	if (!*out) {
		dbus_return_error(inv, error, NULL);
		return FALSE;
	}
	return TRUE;
}

static gboolean on_get_status(PkDBusManager *m, GDBusMethodInvocation *inv, const char *id,
			      gpointer data)
{
	g_autoptr(GVariant) status = NULL;

	if (dbus_get_status(data, inv, id, &status))
		pk_dbus_manager_complete_get_status(m, inv, status);
	return TRUE;
}

static gboolean on_get_config(PkDBusManager *m, GDBusMethodInvocation *inv, const char *id,
			      gpointer data)
{
	GVariant *config = NULL;

	if (dbus_get_config(data, inv, id, &config))
		pk_dbus_manager_complete_get_config(m, inv, config);
	return TRUE;
}

static gboolean on_set_config(PkDBusManager *m, GDBusMethodInvocation *inv, const char *id,
			      GVariant *params, gpointer data)
{
	if (dbus_set_config(data, inv, id, params))
		pk_dbus_manager_complete_set_config(m, inv);
	return TRUE;
}

static gboolean on_export_topology(PkDBusManager *m, GDBusMethodInvocation *inv, gpointer data)
{
	struct dbus_service *svc = data;
	g_autoptr(JsonNode) root = pk_graph_export(svc->g, false);
	g_autofree char *text = json_to_string(root, TRUE);

	pk_dbus_manager_complete_export_topology(m, inv, text);
	return TRUE;
}

/* Remove every device; on failure of the new topology put the old one back. */
static bool load_replace(struct dbus_service *svc, JsonNode *root, GError **error)
{
	g_autoptr(JsonNode) old = NULL;
	g_autoptr(GError) restore_error = NULL;

	if (!pk_topology_check(svc->reg, root, error))
		return false;
	old = pk_graph_export(svc->g, true);	/* kept in memory only */
	dbus_capture_stop_device(svc, NULL);
	/* Devices, their template instances, captures and templates. */
	pk_graph_clear(svc->g);
	if (pk_graph_load(svc->g, root, error))
		return true;
	if (!pk_graph_load(svc->g, old, &restore_error))
		g_warning("the previous topology could not be restored either: %s",
			  restore_error->message);
	return false;
}

static gboolean on_load_topology(PkDBusManager *m, GDBusMethodInvocation *inv,
				 const char *json, gboolean replace, gpointer data)
{
	struct dbus_service *svc = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) root = pk_topology_parse(json, -1, &error);
	bool ok;

	if (!root)
		return dbus_return_errorf(inv, DBUS_ERROR_INVALID_ARGS, "%s", error->message);
	ok = replace ? load_replace(svc, root, &error) : pk_graph_load(svc->g, root, &error);
	dbus_objects_sync(svc);
	if (!ok)
		return dbus_return_error(inv, error, NULL);
	g_debug("D-Bus: topology loaded (%s)", replace ? "replaced" : "merged");
	pk_dbus_manager_complete_load_topology(m, inv);
	return TRUE;
}

void dbus_manager_connect(struct dbus_service *svc)
{
	static const struct {
		const char *signal;
		GCallback fn;
	} handlers[] = {
		{ "handle-list-types", G_CALLBACK(on_list_types) },
		{ "handle-describe-type", G_CALLBACK(on_describe_type) },
		{ "handle-get-status", G_CALLBACK(on_get_status) },
		{ "handle-list-devices", G_CALLBACK(on_list_devices) },
		{ "handle-list-links", G_CALLBACK(on_list_links) },
		{ "handle-add-device", G_CALLBACK(on_add_device) },
		{ "handle-remove-device", G_CALLBACK(on_remove_device) },
		{ "handle-link", G_CALLBACK(on_link) },
		{ "handle-unlink", G_CALLBACK(on_unlink) },
		{ "handle-get-config", G_CALLBACK(on_get_config) },
		{ "handle-set-config", G_CALLBACK(on_set_config) },
		{ "handle-export-topology", G_CALLBACK(on_export_topology) },
		{ "handle-load-topology", G_CALLBACK(on_load_topology) },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(handlers); i++)
		g_signal_connect(svc->manager, handlers[i].signal, handlers[i].fn, svc);
}
