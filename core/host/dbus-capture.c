// SPDX-License-Identifier: MIT
/* dbus-capture.c - StartCapture / StopCapture: one pcapng file per captured port, written by the host */
#include <string.h>

#include <pktkit/embed/capture.h>

#include "dbus-error.h"
#include "dbus-internal.h"

/* Options a{sv} -> struct pk_capture_options; false (error returned) on a bad one. */
static bool capture_options(GDBusMethodInvocation *inv, GVariant *dict,
			    struct pk_capture_options *o)
{
	GVariantIter iter;
	const char *key;
	GVariant *v;

	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &v)) {
		if (strcmp(key, "nanoseconds") == 0 && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
			if (!g_variant_get_boolean(v))
				o->flags |= PK_CAPTURE_USEC;
		} else if (strcmp(key, "snaplen") == 0 &&
			   g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32)) {
			o->snaplen = g_variant_get_uint32(v);
		} else if (strcmp(key, "queue-bytes") == 0 &&
			   g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32)) {
			o->queue_bytes = g_variant_get_uint32(v);
		} else {
			dbus_return_errorf(inv, DBUS_ERROR_INVALID_ARGS,
					   "capture option '%s' (%s): known options are "
					   "nanoseconds (b), snaplen (u), queue-bytes (u)",
					   key, g_variant_get_type_string(v));
			g_variant_unref(v);
			return false;
		}
	}
	return true;
}

static gboolean on_start_capture(PkDBusManager *m, GDBusMethodInvocation *inv, const char *ep,
				 const char *file, GVariant *options, gpointer data)
{
	struct dbus_service *svc = data;
	struct pk_capture_options o = { 0 };
	g_autoptr(GError) error = NULL;
	const char *endpoints[] = { ep, NULL };
	g_autofree char *id = g_strndup(ep, strcspn(ep, "."));
	struct pk_capture *cap;

	if (!pk_graph_lookup(svc->g, id))
		return dbus_return_errorf(inv, DBUS_ERROR_UNKNOWN_DEVICE, "'%s': no device '%s'", ep,
					  id);
	if (!g_path_is_absolute(file))
		return dbus_return_errorf(inv, DBUS_ERROR_INVALID_ARGS,
					  "'%s': give an absolute path (the host's working "
					  "directory is not the caller's)", file);
	if (!capture_options(inv, options, &o))
		return TRUE;
	cap = pk_graph_capture_start(svc->g, endpoints, file, &o, &error);
	if (!cap)
		return dbus_return_error(inv, error, NULL);
	/* Keyed by the endpoint as given; one port per capture here. */
	g_hash_table_insert(svc->captures, g_strdup(ep), cap);
	g_debug("D-Bus: capturing %s to %s", ep, file);
	pk_dbus_manager_complete_start_capture(m, inv);
	return TRUE;
}

static gboolean on_stop_capture(PkDBusManager *m, GDBusMethodInvocation *inv, const char *ep,
				gpointer data)
{
	struct dbus_service *svc = data;
	struct pk_capture_stats stats = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *key = NULL;
	gpointer cap = NULL;

	if (!g_hash_table_steal_extended(svc->captures, ep, (gpointer *)&key, &cap))
		return dbus_return_errorf(inv, DBUS_ERROR_INVALID_ARGS,
					  "'%s': no capture runs there (give the endpoint as "
					  "passed to StartCapture)", ep);
	if (!pk_capture_stop(cap, &stats, &error))
		return dbus_return_error(inv, error, NULL);
	pk_dbus_manager_complete_stop_capture(m, inv, stats.written, stats.dropped);
	return TRUE;
}

static void capture_stop_quietly(gpointer p)
{
	g_autoptr(GError) error = NULL;

	if (!pk_capture_stop(p, NULL, &error))
		g_warning("%s", error->message);
}

void dbus_capture_stop_device(struct dbus_service *svc, const char *id)
{
	GHashTableIter iter;
	gpointer key;
	size_t n = id ? strlen(id) : 0;

	if (!svc->captures)
		return;
	g_hash_table_iter_init(&iter, svc->captures);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		const char *ep = key;

		if (!id || (strncmp(ep, id, n) == 0 && (ep[n] == '.' || !ep[n])))
			g_hash_table_iter_remove(&iter);
	}
}

void dbus_capture_connect(struct dbus_service *svc)
{
	svc->captures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      capture_stop_quietly);
	g_signal_connect(svc->manager, "handle-start-capture", G_CALLBACK(on_start_capture), svc);
	g_signal_connect(svc->manager, "handle-stop-capture", G_CALLBACK(on_stop_capture), svc);
}
