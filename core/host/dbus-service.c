// SPDX-License-Identifier: MIT
/* dbus-service.c - pktkit-host's D-Bus service: own the name or listen, export on every connection
 *
 * On a bus there is one connection; the objects are exported before the name
 * is requested, so a client that sees the name finds them. On a private
 * address every peer gets its own connection with every object exported on
 * it; a peer that goes away takes only its connection.
 */
#include <pktkit/version.h>

#include "dbus-internal.h"

/* org.freedesktop.DBus.RequestName flag and replies. */
#define NAME_FLAG_DO_NOT_QUEUE 4u
#define NAME_REPLY_PRIMARY_OWNER 1u
#define NAME_REPLY_ALREADY_OWNER 4u

void dbus_export(struct dbus_service *svc, GDBusInterfaceSkeleton *skel, const char *path)
{
	for (guint i = 0; i < svc->conns->len; i++) {
		g_autoptr(GError) error = NULL;

		if (!g_dbus_interface_skeleton_export(skel, g_ptr_array_index(svc->conns, i), path,
						      &error))
			g_warning("cannot export %s: %s", path, error->message);
	}
}

void dbus_unexport(GDBusInterfaceSkeleton *skel)
{
	GList *conns = g_dbus_interface_skeleton_get_connections(skel);

	if (conns)
		g_dbus_interface_skeleton_unexport(skel);
	g_list_free_full(conns, g_object_unref);
}

static void service_export_on(struct dbus_service *svc, GDBusConnection *conn)
{
	g_autoptr(GError) error = NULL;

	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(svc->manager), conn,
					      DBUS_MANAGER_PATH, &error))
		g_warning("cannot export %s: %s", DBUS_MANAGER_PATH, error->message);
	dbus_objects_export_all(svc, conn);
}

static void service_on_closed(GDBusConnection *conn, gboolean remote_peer_vanished,
			      GError *error, gpointer data)
{
	struct dbus_service *svc = data;

	g_debug("D-Bus connection closed%s%s", error ? ": " : "", error ? error->message : "");
	g_signal_handlers_disconnect_by_data(conn, svc);
	/* Skeletons hold a reference on every connection they are exported on:
	 * withdraw them now, or a gone peer's socket stays open for good. */
	if (g_dbus_interface_skeleton_has_connection(G_DBUS_INTERFACE_SKELETON(svc->manager), conn))
		g_dbus_interface_skeleton_unexport_from_connection(
			G_DBUS_INTERFACE_SKELETON(svc->manager), conn);
	dbus_objects_unexport_all(svc, conn);
	g_ptr_array_remove(svc->conns, conn);
}

static void service_add_connection(struct dbus_service *svc, GDBusConnection *conn)
{
	g_ptr_array_add(svc->conns, g_object_ref(conn));
	g_signal_connect(conn, "closed", G_CALLBACK(service_on_closed), svc);
	service_export_on(svc, conn);
}

static gboolean service_on_peer(GDBusServer *server, GDBusConnection *conn, gpointer data)
{
	g_debug("D-Bus peer connected");
	service_add_connection(data, conn);
	return TRUE;
}

static bool service_listen(struct dbus_service *svc, const char *address, GError **error)
{
	g_autofree char *guid = g_dbus_generate_guid();

	svc->server = g_dbus_server_new_sync(address,
					     G_DBUS_SERVER_FLAGS_AUTHENTICATION_REQUIRE_SAME_USER,
					     guid, NULL, NULL, error);
	if (!svc->server) {
		g_prefix_error(error, "cannot listen on D-Bus address '%s': ", address);
		return false;
	}
	g_signal_connect(svc->server, "new-connection", G_CALLBACK(service_on_peer), svc);
	g_dbus_server_start(svc->server);
	svc->description = g_strdup_printf("D-Bus peer-to-peer at %s",
					   g_dbus_server_get_client_address(svc->server));
	return true;
}

static bool service_own_name(struct dbus_service *svc, GBusType type, GError **error)
{
	const char *bus_name = type == G_BUS_TYPE_SYSTEM ? "system" : "session";
	g_autoptr(GVariant) reply = NULL;
	guint32 code;

	svc->bus = g_bus_get_sync(type, NULL, error);
	if (!svc->bus) {
		g_prefix_error(error, "cannot connect to the %s bus: ", bus_name);
		return false;
	}
	g_dbus_connection_set_exit_on_close(svc->bus, FALSE);
	service_add_connection(svc, svc->bus);
	reply = g_dbus_connection_call_sync(svc->bus, "org.freedesktop.DBus",
					    "/org/freedesktop/DBus", "org.freedesktop.DBus",
					    "RequestName",
					    g_variant_new("(su)", DBUS_BUS_NAME,
							  NAME_FLAG_DO_NOT_QUEUE),
					    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
					    error);
	if (!reply) {
		g_prefix_error(error, "cannot own %s on the %s bus: ", DBUS_BUS_NAME, bus_name);
		return false;
	}
	g_variant_get(reply, "(u)", &code);
	if (code != NAME_REPLY_PRIMARY_OWNER && code != NAME_REPLY_ALREADY_OWNER) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "%s is already owned on the %s bus: another pktkit-host runs there "
			    "(stop it, or use --dbus-address or --no-dbus)",
			    DBUS_BUS_NAME, bus_name);
		return false;
	}
	svc->description = g_strdup_printf("%s on the %s bus", DBUS_BUS_NAME, bus_name);
	return true;
}

/* Template instances came or went (the library's idle source, not a method). */
static void service_on_graph_changed(struct pk_graph *g, void *data)
{
	(void)g;
	dbus_objects_sync(data);
}

static gboolean service_on_counters_timer(gpointer data)
{
	dbus_objects_refresh_counters(data);
	return G_SOURCE_CONTINUE;
}

struct dbus_service *dbus_service_new(struct pk_graph *g, struct pk_registry *reg,
				      enum dbus_where where, const char *address,
				      GError **error)
{
	struct dbus_service *svc = g_new0(struct dbus_service, 1);
	bool ok;

	svc->g = g;
	svc->reg = reg;
	svc->where = where;
	svc->conns = g_ptr_array_new_with_free_func(g_object_unref);
	svc->manager = pk_dbus_manager_skeleton_new();
	pk_dbus_manager_set_version(svc->manager, PK_VERSION_STRING);
	pk_dbus_manager_set_running(svc->manager, pk_graph_is_running(g));
	dbus_objects_init(svc);
	dbus_manager_connect(svc);
	dbus_capture_connect(svc);
	if (where == DBUS_ADDRESS)
		ok = service_listen(svc, address, error);
	else
		ok = service_own_name(svc, where == DBUS_SYSTEM ? G_BUS_TYPE_SYSTEM
							 : G_BUS_TYPE_SESSION, error);
	if (!ok) {
		dbus_service_free(svc);
		return NULL;
	}
	svc->counters_timer = g_timeout_add(DBUS_COUNTERS_PERIOD_MS, service_on_counters_timer,
					    svc);
	pk_graph_set_change_func(g, service_on_graph_changed, svc);
	return svc;
}

void dbus_service_free(struct dbus_service *svc)
{
	if (!svc)
		return;
	pk_graph_set_change_func(svc->g, NULL, NULL);
	if (svc->counters_timer)
		g_source_remove(svc->counters_timer);
	dbus_capture_stop_device(svc, NULL);
	g_clear_pointer(&svc->captures, g_hash_table_unref);
	if (svc->server) {
		g_dbus_server_stop(svc->server);
		g_signal_handlers_disconnect_by_data(svc->server, svc);
		g_object_unref(svc->server);
	}
	dbus_objects_fini(svc);
	dbus_unexport(G_DBUS_INTERFACE_SKELETON(svc->manager));
	g_object_unref(svc->manager);
	for (guint i = 0; i < svc->conns->len; i++) {
		GDBusConnection *conn = g_ptr_array_index(svc->conns, i);

		g_signal_handlers_disconnect_by_data(conn, svc);
		if (conn != svc->bus)
			g_dbus_connection_close_sync(conn, NULL, NULL);
		else
			g_dbus_connection_flush_sync(conn, NULL, NULL);
	}
	g_ptr_array_unref(svc->conns);
	g_clear_object(&svc->bus);
	g_free(svc->description);
	g_free(svc);
}

const char *dbus_service_describe(const struct dbus_service *svc)
{
	return svc->description;
}
