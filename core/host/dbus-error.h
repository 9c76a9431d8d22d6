/* SPDX-License-Identifier: MIT
 * dbus-error.h - org.pktkit.Error.* names for library errors, returned on method calls
 */
#ifndef PKTKIT_HOST_DBUS_ERROR_H
#define PKTKIT_HOST_DBUS_ERROR_H

#include <gio/gio.h>

G_BEGIN_DECLS

#define DBUS_ERROR_PREFIX "org.pktkit.Error."
#define DBUS_ERROR_INVALID_ARGS DBUS_ERROR_PREFIX "InvalidArgs"
#define DBUS_ERROR_UNKNOWN_DEVICE DBUS_ERROR_PREFIX "UnknownDevice"
#define DBUS_ERROR_UNKNOWN_TYPE DBUS_ERROR_PREFIX "UnknownType"
#define DBUS_ERROR_NOT_LIVE DBUS_ERROR_PREFIX "NotLive"
#define DBUS_ERROR_LAYER_MISMATCH DBUS_ERROR_PREFIX "LayerMismatch"
#define DBUS_ERROR_EXISTS DBUS_ERROR_PREFIX "Exists"
#define DBUS_ERROR_FAILED DBUS_ERROR_PREFIX "Failed"

/**
 * dbus_error_name() - The D-Bus error name for a libpktkit GError
 * @error:	Error (PK_ERROR domain, or any other: Failed)
 * @state_name:	Name to use for PK_ERROR_STATE (which means different things
 *		per method: NotLive for SetConfig, Exists for Link), or NULL
 *		for Failed
 *
 * PK_ERROR_UNKNOWN maps to InvalidArgs (an unknown key or port group):
 * callers check devices and types first and report UnknownDevice and
 * UnknownType themselves.
 *
 * Context: any thread.
 */
const char *dbus_error_name(const GError *error, const char *state_name);

/**
 * dbus_return_error() - Finish @inv with the D-Bus error for @error
 * @inv:	Invocation (consumed)
 * @error:	Error; its message goes out unchanged
 * @state_name:	As dbus_error_name()
 *
 * Context: main context.
 * Return: TRUE (the value a handle-* signal handler returns).
 */
gboolean dbus_return_error(GDBusMethodInvocation *inv, const GError *error,
			   const char *state_name);

/**
 * dbus_return_errorf() - Finish @inv with error @name and a formatted message
 * @inv:	Invocation (consumed)
 * @name:	org.pktkit.Error.* name
 * @fmt:	printf format
 *
 * Context: main context.
 * Return: TRUE.
 */
gboolean dbus_return_errorf(GDBusMethodInvocation *inv, const char *name, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

G_END_DECLS

#endif /* PKTKIT_HOST_DBUS_ERROR_H */
