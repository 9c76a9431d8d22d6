/* SPDX-License-Identifier: MIT
 * sock-async.h - Main-context glue of the socket objects: deferred GTask completion, wait sources
 */
#ifndef PKTKIT_VCLIENT_SOCK_ASYNC_H
#define PKTKIT_VCLIENT_SOCK_ASYNC_H

#include <gio/gio.h>

/* Completion of a GTask from an idle source of its context, never from
 * inside a device callback. @obj: (transfer full) GObject or NULL. */
void vc_task_return_later(GTask *task, gpointer obj, GError *error);

/* A GSource that dispatches a GPollableSourceFunc(@obj) while @ready(@arg). */
GSource *vc_wait_source_new(GObject *obj, gboolean (*ready)(gpointer arg), gpointer arg,
			    GCancellable *cancellable);

#endif /* PKTKIT_VCLIENT_SOCK_ASYNC_H */
