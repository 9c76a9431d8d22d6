/* SPDX-License-Identifier: MIT
 * tcp-sock.h - TCP sockets of the vclient: engine connections bound to application objects
 */
#ifndef PKTKIT_VCLIENT_TCP_SOCK_H
#define PKTKIT_VCLIENT_TCP_SOCK_H

#include "sock-table.h"

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

/* tcp-sock.c, for connect, listen and input */
struct vc_tcp_sock *vc_sock_new(struct pk_vclient *vc, struct pk_tcp_conn *c);
void vc_sock_free(struct vc_tcp_sock *s);
/* The engine connection is gone (closed, or the device stops). */
void vc_sock_drop_conn(struct vc_tcp_sock *s);
/* Queue @s for vc_tcp_flush(): its output, events and timer. */
void vc_sock_mark_dirty(struct vc_tcp_sock *s);
/* Send what the engine has for @s now (vc_send_l4(): inside device callbacks). */
void vc_sock_drain(struct pk_vclient *vc, struct vc_tcp_sock *s, uint64_t now);
void vc_sock_set_error(struct vc_tcp_sock *s, GIOErrorEnum code, const char *msg);
/* Fail a pending connect with the sock's error. */
void vc_sock_fail_connect(struct vc_tcp_sock *s);
/* The device's connection settings with @opts applied. */
bool vc_tcp_config(struct pk_vclient *vc, const struct pk_vclient_tcp_options *opts,
		   struct pk_tcp_config *cfg, GError **error);

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

/* tcp-input.c: one segment the engine made (RST, SYN-ACK) for @ep. */
void vc_send_segment(struct pk_vclient *vc, const struct pk_tcp_endpoints *ep, const uint8_t *seg,
		     uint32_t len);

#endif /* PKTKIT_VCLIENT_TCP_SOCK_H */
