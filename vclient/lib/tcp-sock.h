/* SPDX-License-Identifier: MIT
 * tcp-sock.h - TCP sockets of the vclient: engine connections bound to application objects
 */
#ifndef PKTKIT_VCLIENT_TCP_SOCK_H
#define PKTKIT_VCLIENT_TCP_SOCK_H

#include "vclient-private.h"

/*
 * One connection of the engine and what the application holds of it.
 *
 * Lifetime: the sock lives while the engine connection exists (it is in
 * vc->conns) or the application holds references (app_refs: the stream and
 * its input and output streams, each one). A connection whose application is
 * gone closes gracefully (FIN after the data, RST if unread data was left),
 * then the sock is freed when the engine reports CLOSED. When the device
 * stops, every connection is freed and socks still referenced are detached
 * (vc NULL): their operations fail with G_IO_ERROR_CLOSED.
 */
struct vc_tcp_sock {
	struct vc_key key;		/* first: the hash table key points here */
	struct pk_vclient *vc;		/* NULL once detached */
	struct pk_tcp_conn *conn;	/* NULL once freed */
	struct pk_timer *timer;
	struct vc_listen *listener;	/* passive opens until accepted */
	GTask *connect_task;		/* active opens until established */
	GSource *cancel_source;		/* of @connect_task's cancellable */
	GList dirty_link;		/* in vc->dirty while @dirty */
	GList ready_link;		/* in listener->ready while @queued */
	GError *error;			/* sticky: reset, timed out, refused */
	GByteArray *leftover;		/* unread data of a connection already freed */
	uint32_t app_refs;
	bool dirty;
	bool queued;
	bool established;
	bool read_closed;
	bool write_closed;
	bool eof;			/* the peer's FIN had arrived when the conn was freed */
	bool app_gone;			/* app_refs dropped to 0 after having been > 0 */
};

/* A listening port: the engine listener plus the accept queue. */
struct vc_listen {
	struct vc_key key;		/* first: the hash table key points here */
	struct pk_vclient *vc;		/* NULL once detached */
	/* The engine binds a listener to one address: a listener on the any
	 * address gets one per local address of the family, made when the
	 * first segment for that address arrives (addresses may come later,
	 * e.g. from a DHCP lease). */
	struct pk_tcp_listener *l[VC_MAX_ADDRS];
	uint8_t laddr[VC_MAX_ADDRS][16];
	uint32_t n_l;
	PkVclientListener *obj;		/* not a reference: it owns us */
	GQueue ready;			/* established socks not yet accepted */
	GQueue waiters;			/* GTask of pending accepts */
	guint backlog;
	struct pk_tcp_config cfg;	/* of the connections it accepts */
};

/* tcp-sock.c, for the stream objects */
void vc_sock_app_ref(struct vc_tcp_sock *s);
void vc_sock_app_unref(struct vc_tcp_sock *s);
gssize vc_sock_read(struct vc_tcp_sock *s, void *buf, gsize count, GError **error);
gssize vc_sock_write(struct vc_tcp_sock *s, const void *buf, gsize count, GError **error);
gboolean vc_sock_readable(struct vc_tcp_sock *s);
gboolean vc_sock_writable(struct vc_tcp_sock *s);
gboolean vc_sock_shutdown_write(struct vc_tcp_sock *s, GError **error);
void vc_sock_close_read(struct vc_tcp_sock *s);

/* tcp-stream.c */
GIOStream *vc_stream_new(struct vc_tcp_sock *s);
struct vc_tcp_sock *vc_stream_sock(PkVclientStream *stream);

/* Completion of a GTask from an idle source of its context, never from
 * inside a device callback. @obj: (transfer full) GObject or NULL. */
void vc_task_return_later(GTask *task, gpointer obj, GError *error);

/* A GSource that dispatches a GPollableSourceFunc(@obj) while @ready(@arg). */
GSource *vc_wait_source_new(GObject *obj, gboolean (*ready)(gpointer arg), gpointer arg,
			    GCancellable *cancellable);

#endif /* PKTKIT_VCLIENT_TCP_SOCK_H */
