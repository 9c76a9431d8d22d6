// SPDX-License-Identifier: MIT
/* dbus-objects.c - One D-Bus object per device, link signals and the rate-limited Counters property
 *
 * After every change to the graph the service compares the graph with what
 * it last announced: new devices get an object and DeviceAdded, vanished
 * ones lose theirs with DeviceRemoved, and the link set (pk_graph_links(),
 * one pair per link) yields LinkAdded / LinkRemoved. One code path serves
 * every method, including a whole LoadTopology, and the graph's change
 * function (template instances that devices create and remove at run time).
 */
#include <string.h>

#include "dbus-internal.h"

char *dbus_device_path(const char *id)
{
	g_autofree char *escaped = g_dbus_escape_object_path(id);

	return g_strdup_printf("%s/%s", DBUS_DEVICES_PATH, escaped);
}

static gboolean device_on_get_config(PkDBusDevice *skel, GDBusMethodInvocation *inv,
				     gpointer data)
{
	struct dbus_device *d = data;
	GVariant *config = NULL;

	if (dbus_get_config(d->svc, inv, d->id, &config))
		pk_dbus_device_complete_get_config(skel, inv, config);
	return TRUE;
}

static gboolean device_on_set_config(PkDBusDevice *skel, GDBusMethodInvocation *inv,
				     GVariant *params, gpointer data)
{
	struct dbus_device *d = data;

	if (dbus_set_config(d->svc, inv, d->id, params))
		pk_dbus_device_complete_set_config(skel, inv);
	return TRUE;
}

static gboolean device_on_get_status(PkDBusDevice *skel, GDBusMethodInvocation *inv,
				     gpointer data)
{
	struct dbus_device *d = data;
	g_autoptr(GVariant) status = NULL;

	if (dbus_get_status(d->svc, inv, d->id, &status))
		pk_dbus_device_complete_get_status(skel, inv, status);
	return TRUE;
}

static void device_free(gpointer p)
{
	struct dbus_device *d = p;

	g_signal_handlers_disconnect_by_data(d->skeleton, d);
	dbus_unexport(G_DBUS_INTERFACE_SKELETON(d->skeleton));
	g_object_unref(d->skeleton);
	g_free(d->path);
	g_free(d->id);
	g_free(d);
}

/* a{st}: declared counters, core ones, then "<group>.<N>.<stat>" per port. */
static GVariant *device_counters(struct pk_dev *dev)
{
	g_autoptr(JsonObject) c = pk_dev_counters_to_json(dev);
	JsonObject *ports = json_object_get_object_member(c, "ports");
	GVariantBuilder b;
	JsonObjectIter iter, piter;
	const char *key, *pkey;
	JsonNode *node, *pnode;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{st}"));
	json_object_iter_init_ordered(&iter, c);
	while (json_object_iter_next_ordered(&iter, &key, &node))
		if (JSON_NODE_HOLDS_VALUE(node))
			g_variant_builder_add(&b, "{st}", key, (guint64)json_node_get_int(node));
	json_object_iter_init_ordered(&iter, ports);
	while (json_object_iter_next_ordered(&iter, &key, &node)) {
		json_object_iter_init_ordered(&piter, json_node_get_object(node));
		while (json_object_iter_next_ordered(&piter, &pkey, &pnode)) {
			g_autofree char *name = g_strdup_printf("%s.%s", key, pkey);

			g_variant_builder_add(&b, "{st}", name, (guint64)json_node_get_int(pnode));
		}
	}
	return g_variant_builder_end(&b);
}

static struct dbus_device *device_new(struct dbus_service *svc, struct pk_dev *dev)
{
	struct dbus_device *d = g_new0(struct dbus_device, 1);

	d->svc = svc;
	d->id = g_strdup(pk_dev_id(dev));
	d->path = dbus_device_path(d->id);
	d->skeleton = pk_dbus_device_skeleton_new();
	pk_dbus_device_set_id(d->skeleton, d->id);
	pk_dbus_device_set_type_(d->skeleton, pk_dev_type(dev)->name);
	pk_dbus_device_set_counters(d->skeleton, device_counters(dev));
	g_signal_connect(d->skeleton, "handle-get-config", G_CALLBACK(device_on_get_config), d);
	g_signal_connect(d->skeleton, "handle-set-config", G_CALLBACK(device_on_set_config), d);
	g_signal_connect(d->skeleton, "handle-get-status", G_CALLBACK(device_on_get_status), d);
	dbus_export(svc, G_DBUS_INTERFACE_SKELETON(d->skeleton), d->path);
	return d;
}

/* The graph's links as "a\nb" keys, each link once (template instances' too). */
static GHashTable *links_snapshot(struct dbus_service *svc)
{
	g_autoptr(JsonArray) links = pk_graph_links(svc->g);
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; i < json_array_get_length(links); i++) {
		JsonArray *pair = json_array_get_array_element(links, i);

		g_hash_table_add(set, g_strdup_printf("%s\n%s",
						      json_array_get_string_element(pair, 0),
						      json_array_get_string_element(pair, 1)));
	}
	return set;
}

GVariant *dbus_links_variant(struct dbus_service *svc)
{
	g_autoptr(JsonArray) links = pk_graph_links(svc->g);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a(ss)"));
	for (guint i = 0; i < json_array_get_length(links); i++) {
		JsonArray *pair = json_array_get_array_element(links, i);

		g_variant_builder_add(&b, "(ss)", json_array_get_string_element(pair, 0),
				      json_array_get_string_element(pair, 1));
	}
	return g_variant_builder_end(&b);
}

/* Emit @emit for every key of @a missing from @b. */
static void links_announce_missing(struct dbus_service *svc, GHashTable *a, GHashTable *b,
				   bool added)
{
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, a);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_auto(GStrv) ends = NULL;

		if (g_hash_table_contains(b, key))
			continue;
		ends = g_strsplit(key, "\n", 2);
		if (added)
			pk_dbus_manager_emit_link_added(svc->manager, ends[0], ends[1]);
		else
			pk_dbus_manager_emit_link_removed(svc->manager, ends[0], ends[1]);
	}
}

void dbus_objects_sync(struct dbus_service *svc)
{
	g_autofree const char **ids = pk_graph_devices(svc->g);
	g_autoptr(GHashTable) now = links_snapshot(svc);
	g_autoptr(GPtrArray) gone = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key, value;

	/* Removed devices (and ids now held by a device of another type). */
	g_hash_table_iter_init(&iter, svc->devices);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		struct pk_dev *dev = pk_graph_lookup(svc->g, key);
		struct dbus_device *d = value;

		if (!dev || strcmp(pk_dev_type(dev)->name, pk_dbus_device_get_type_(d->skeleton)))
			g_ptr_array_add(gone, key);
	}
	links_announce_missing(svc, svc->links, now, false);
	for (guint i = 0; i < gone->len; i++) {
		struct dbus_device *d = g_hash_table_lookup(svc->devices, gone->pdata[i]);
		g_autofree char *id = g_strdup(d->id), *path = g_strdup(d->path);

		g_hash_table_remove(svc->devices, id);
		pk_dbus_manager_emit_device_removed(svc->manager, id, path);
	}
	for (const char **id = ids; *id; id++) {
		struct dbus_device *d;

		if (g_hash_table_contains(svc->devices, *id))
			continue;
		d = device_new(svc, pk_graph_lookup(svc->g, *id));
		g_hash_table_insert(svc->devices, d->id, d);
		pk_dbus_manager_emit_device_added(svc->manager, d->id,
						  pk_dev_type(pk_graph_lookup(svc->g, *id))->name,
						  d->path);
	}
	links_announce_missing(svc, now, svc->links, true);
	g_hash_table_unref(svc->links);
	svc->links = g_steal_pointer(&now);
}

void dbus_objects_export_all(struct dbus_service *svc, GDBusConnection *conn)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, svc->devices);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct dbus_device *d = value;
		g_autoptr(GError) error = NULL;

		if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(d->skeleton), conn,
						      d->path, &error))
			g_warning("cannot export %s: %s", d->path, error->message);
	}
}

void dbus_objects_unexport_all(struct dbus_service *svc, GDBusConnection *conn)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, svc->devices);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		GDBusInterfaceSkeleton *skel =
			G_DBUS_INTERFACE_SKELETON(((struct dbus_device *)value)->skeleton);

		if (g_dbus_interface_skeleton_has_connection(skel, conn))
			g_dbus_interface_skeleton_unexport_from_connection(skel, conn);
	}
}

void dbus_objects_refresh_counters(struct dbus_service *svc)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, svc->devices);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		struct dbus_device *d = value;
		struct pk_dev *dev = pk_graph_lookup(svc->g, d->id);

		/* The skeleton compares and sends PropertiesChanged only on change. */
		if (dev)
			pk_dbus_device_set_counters(d->skeleton, device_counters(dev));
	}
}

void dbus_objects_init(struct dbus_service *svc)
{
	svc->devices = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, device_free);
	svc->links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	/* Devices already in the graph are objects from the start, silently. */
	{
		g_autofree const char **ids = pk_graph_devices(svc->g);

		for (const char **id = ids; *id; id++) {
			struct dbus_device *d = device_new(svc, pk_graph_lookup(svc->g, *id));

			g_hash_table_insert(svc->devices, d->id, d);
		}
		g_hash_table_unref(svc->links);
		svc->links = links_snapshot(svc);
	}
}

void dbus_objects_fini(struct dbus_service *svc)
{
	g_clear_pointer(&svc->devices, g_hash_table_unref);
	g_clear_pointer(&svc->links, g_hash_table_unref);
}
