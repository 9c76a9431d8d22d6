/* SPDX-License-Identifier: MIT
 * dbus-internal.h - What the parts of pktkit-host's D-Bus service share (not an API)
 */
#ifndef PKTKIT_HOST_DBUS_INTERNAL_H
#define PKTKIT_HOST_DBUS_INTERNAL_H

#include "dbus-generated.h"
#include "dbus-service.h"

G_BEGIN_DECLS

struct dbus_service {
	struct pk_graph *g;
	struct pk_registry *reg;
	enum dbus_where where;
	char *description;
	GDBusConnection *bus;		/* DBUS_SESSION / DBUS_SYSTEM */
	GDBusServer *server;		/* DBUS_ADDRESS */
	GPtrArray *conns;		/* GDBusConnection *, every peer or the bus */
	PkDBusManager *manager;
	GHashTable *devices;		/* id -> struct dbus_device * */
	GHashTable *links;		/* "a\nb" -> NULL, as last announced */
	GHashTable *captures;		/* endpoint -> struct pk_capture * */
	guint counters_timer;
};

/* One exported device object. */
struct dbus_device {
	struct dbus_service *svc;
	char *id;
	char *path;
	PkDBusDevice *skeleton;
};

/* dbus-service.c: export on every connection; unexport from all (if exported at all) */
void dbus_export(struct dbus_service *svc, GDBusInterfaceSkeleton *skel, const char *path);
void dbus_unexport(GDBusInterfaceSkeleton *skel);

/* dbus-objects.c: device objects, link and counter announcements */
char *dbus_device_path(const char *id);
void dbus_objects_init(struct dbus_service *svc);
void dbus_objects_fini(struct dbus_service *svc);
/* After any change to the graph: add/remove objects, signal links. */
void dbus_objects_sync(struct dbus_service *svc);
void dbus_objects_export_all(struct dbus_service *svc, GDBusConnection *conn);
/* Withdraw every device object from @conn (a peer that went away). */
void dbus_objects_unexport_all(struct dbus_service *svc, GDBusConnection *conn);
/* Read every device's counters now; PropertiesChanged goes out if they changed. */
void dbus_objects_refresh_counters(struct dbus_service *svc);
/* The graph's links as an a(ss). */
GVariant *dbus_links_variant(struct dbus_service *svc);

/* dbus-manager.c: method handlers of org.pktkit.Host1.Manager and .Device */
void dbus_manager_connect(struct dbus_service *svc);
gboolean dbus_get_config(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id,
			 GVariant **out);
gboolean dbus_set_config(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id,
			 GVariant *params);
/* The device's status (pk_graph_device_status()); on failure @inv is answered. */
gboolean dbus_get_status(struct dbus_service *svc, GDBusMethodInvocation *inv, const char *id,
			 GVariant **out);

/* dbus-capture.c: StartCapture / StopCapture */
void dbus_capture_connect(struct dbus_service *svc);
/* Stop the captures of ports of @id (NULL: all), before the device goes away. */
void dbus_capture_stop_device(struct dbus_service *svc, const char *id);

G_END_DECLS

#endif /* PKTKIT_HOST_DBUS_INTERNAL_H */
