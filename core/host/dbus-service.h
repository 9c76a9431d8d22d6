/* SPDX-License-Identifier: MIT
 * dbus-service.h - pktkit-host's D-Bus service org.pktkit.Host1: the bus, objects and methods
 *
 * The service owns the name org.pktkit.Host1 on the session or system bus,
 * or listens on a private address (peer to peer, for embedding and tests).
 * It exports the manager at DBUS_MANAGER_PATH and one object per device
 * under DBUS_DEVICES_PATH on every connection.
 */
#ifndef PKTKIT_HOST_DBUS_SERVICE_H
#define PKTKIT_HOST_DBUS_SERVICE_H

#include <pktkit/embed/graph.h>
#include <gio/gio.h>

G_BEGIN_DECLS

#define DBUS_BUS_NAME "org.pktkit.Host1"
#define DBUS_MANAGER_PATH "/org/pktkit/Host1"
#define DBUS_DEVICES_PATH "/org/pktkit/Host1/devices"
/* Counters are read and PropertiesChanged is sent at most this often. */
#define DBUS_COUNTERS_PERIOD_MS 500

/* Where the service listens. */
enum dbus_where {
	DBUS_NONE,
	DBUS_SESSION,
	DBUS_SYSTEM,
	DBUS_ADDRESS,	/* a private GDBusServer address ("unix:path=...") */
};

struct dbus_service;

/**
 * dbus_service_new() - Connect (or listen) and export the manager and devices of @g
 * @g:		Running graph; must outlive the service
 * @reg:	Its registry
 * @where:	DBUS_SESSION, DBUS_SYSTEM or DBUS_ADDRESS
 * @address:	For DBUS_ADDRESS: the address to listen on
 * @error:	Set if the bus is unreachable, the name is taken or the
 *		address cannot be listened on
 *
 * Context: main context.
 * Return: (transfer full) the service, or NULL.
 */
struct dbus_service *dbus_service_new(struct pk_graph *g, struct pk_registry *reg,
				      enum dbus_where where, const char *address,
				      GError **error);

/**
 * dbus_service_free() - Stop captures, unexport everything, release the name
 * @svc:	Service, or NULL
 *
 * Context: main context.
 */
void dbus_service_free(struct dbus_service *svc);

/**
 * dbus_service_describe() - Where the service is reachable, for a log line
 * @svc:	Service
 *
 * Context: main context.
 * Return: (transfer none) e.g. "org.pktkit.Host1 on the session bus".
 */
const char *dbus_service_describe(const struct dbus_service *svc);

G_END_DECLS

#endif /* PKTKIT_HOST_DBUS_SERVICE_H */
