// SPDX-License-Identifier: MIT
/* dbus-error.c - org.pktkit.Error.* names for library errors, returned on method calls */
#include <pktkit/error.h>

#include "dbus-error.h"

const char *dbus_error_name(const GError *error, const char *state_name)
{
	if (error->domain != PK_ERROR)
		return DBUS_ERROR_FAILED;
	switch (error->code) {
	case PK_ERROR_INVALID:
	case PK_ERROR_UNKNOWN:
		return DBUS_ERROR_INVALID_ARGS;
	case PK_ERROR_EXISTS:
		return DBUS_ERROR_EXISTS;
	case PK_ERROR_LAYER:
		return DBUS_ERROR_LAYER_MISMATCH;
	case PK_ERROR_STATE:
		return state_name ? state_name : DBUS_ERROR_FAILED;
	default:
		return DBUS_ERROR_FAILED;
	}
}

gboolean dbus_return_error(GDBusMethodInvocation *inv, const GError *error,
			   const char *state_name)
{
	g_dbus_method_invocation_return_dbus_error(inv, dbus_error_name(error, state_name),
						   error->message);
	return TRUE;
}

gboolean dbus_return_errorf(GDBusMethodInvocation *inv, const char *name, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_dbus_method_invocation_return_dbus_error(inv, name, msg);
	return TRUE;
}
