// SPDX-License-Identifier: MIT
/* tcp-stream.c - GIOStream, pollable input and output streams over a vclient TCP connection */
#include <string.h>

#include "sock-async.h"
#include "sock-table.h"
#include "tcp-sock.h"

/* Input stream ------------------------------------------------------------------------------- */

#define VC_TYPE_INPUT (vc_input_get_type())
G_DECLARE_FINAL_TYPE(VcInput, vc_input, VC, INPUT, GInputStream)

struct _VcInput {
	GInputStream parent;
	struct vc_tcp_sock *sock;
};

static void vc_input_pollable_init(GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(VcInput, vc_input, G_TYPE_INPUT_STREAM,
			      G_IMPLEMENT_INTERFACE(G_TYPE_POLLABLE_INPUT_STREAM,
						    vc_input_pollable_init))

static gssize vc_input_read(GInputStream *stream, void *buffer, gsize count,
			    GCancellable *cancellable, GError **error)
{
	(void)cancellable;
	return vc_sock_read(VC_INPUT(stream)->sock, buffer, count, error);
}

static gboolean vc_input_close(GInputStream *stream, GCancellable *cancellable, GError **error)
{
	(void)cancellable;
	(void)error;
	vc_sock_close_read(VC_INPUT(stream)->sock);
	return TRUE;
}

/* GIO's default asynchronous close runs close_fn on a worker thread: ours is
 * instant and must stay on the graph's thread. */
static void vc_input_close_async(GInputStream *stream, int io_priority, GCancellable *cancellable,
				 GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(stream, cancellable, callback, user_data);

	(void)io_priority;
	vc_input_close(stream, cancellable, NULL);
	g_task_return_boolean(task, TRUE);
	g_object_unref(task);
}

static gboolean vc_input_close_finish(GInputStream *stream, GAsyncResult *result, GError **error)
{
	(void)stream;
	return g_task_propagate_boolean(G_TASK(result), error);
}

static gboolean vc_input_is_readable(GPollableInputStream *stream)
{
	return vc_sock_readable(VC_INPUT(stream)->sock);
}

static gboolean vc_input_ready(gpointer arg)
{
	return vc_sock_readable(arg);
}

static GSource *vc_input_create_source(GPollableInputStream *stream, GCancellable *cancellable)
{
	return vc_wait_source_new(G_OBJECT(stream), vc_input_ready, VC_INPUT(stream)->sock,
				  cancellable);
}

static gssize vc_input_read_nonblocking(GPollableInputStream *stream, void *buffer, gsize count,
					GError **error)
{
	return vc_sock_read(VC_INPUT(stream)->sock, buffer, count, error);
}

static void vc_input_pollable_init(GPollableInputStreamInterface *iface)
{
	iface->is_readable = vc_input_is_readable;
	iface->create_source = vc_input_create_source;
	iface->read_nonblocking = vc_input_read_nonblocking;
}

static void vc_input_finalize(GObject *obj)
{
	VcInput *self = VC_INPUT(obj);

	G_OBJECT_CLASS(vc_input_parent_class)->finalize(obj);
	vc_sock_app_unref(self->sock);
}

static void vc_input_class_init(VcInputClass *klass)
{
	GInputStreamClass *is = G_INPUT_STREAM_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = vc_input_finalize;
	is->read_fn = vc_input_read;
	is->close_fn = vc_input_close;
	is->close_async = vc_input_close_async;
	is->close_finish = vc_input_close_finish;
}

static void vc_input_init(VcInput *self)
{
	(void)self;
}

/* Output stream ------------------------------------------------------------------------------ */

#define VC_TYPE_OUTPUT (vc_output_get_type())
G_DECLARE_FINAL_TYPE(VcOutput, vc_output, VC, OUTPUT, GOutputStream)

struct _VcOutput {
	GOutputStream parent;
	struct vc_tcp_sock *sock;
};

static void vc_output_pollable_init(GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(VcOutput, vc_output, G_TYPE_OUTPUT_STREAM,
			      G_IMPLEMENT_INTERFACE(G_TYPE_POLLABLE_OUTPUT_STREAM,
						    vc_output_pollable_init))

static gssize vc_output_write(GOutputStream *stream, const void *buffer, gsize count,
			      GCancellable *cancellable, GError **error)
{
	(void)cancellable;
	return vc_sock_write(VC_OUTPUT(stream)->sock, buffer, count, error);
}

static gboolean vc_output_close(GOutputStream *stream, GCancellable *cancellable, GError **error)
{
	struct vc_tcp_sock *s = VC_OUTPUT(stream)->sock;

	(void)cancellable;
	/* Closing a stream whose connection is already gone is not an error. */
	if (!s->vc || !s->conn || s->error)
		return TRUE;
	return vc_sock_shutdown_write(s, error);
}

static void vc_output_close_async(GOutputStream *stream, int io_priority,
				  GCancellable *cancellable, GAsyncReadyCallback callback,
				  gpointer user_data)
{
	GTask *task = g_task_new(stream, cancellable, callback, user_data);
	GError *error = NULL;

	(void)io_priority;
	if (vc_output_close(stream, cancellable, &error))
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
	g_object_unref(task);
}

static gboolean vc_output_close_finish(GOutputStream *stream, GAsyncResult *result,
				       GError **error)
{
	(void)stream;
	return g_task_propagate_boolean(G_TASK(result), error);
}

static gboolean vc_output_is_writable(GPollableOutputStream *stream)
{
	return vc_sock_writable(VC_OUTPUT(stream)->sock);
}

static gboolean vc_output_ready(gpointer arg)
{
	return vc_sock_writable(arg);
}

static GSource *vc_output_create_source(GPollableOutputStream *stream, GCancellable *cancellable)
{
	return vc_wait_source_new(G_OBJECT(stream), vc_output_ready, VC_OUTPUT(stream)->sock,
				  cancellable);
}

static gssize vc_output_write_nonblocking(GPollableOutputStream *stream, const void *buffer,
					  gsize count, GError **error)
{
	return vc_sock_write(VC_OUTPUT(stream)->sock, buffer, count, error);
}

static void vc_output_pollable_init(GPollableOutputStreamInterface *iface)
{
	iface->is_writable = vc_output_is_writable;
	iface->create_source = vc_output_create_source;
	iface->write_nonblocking = vc_output_write_nonblocking;
}

static void vc_output_finalize(GObject *obj)
{
	VcOutput *self = VC_OUTPUT(obj);

	G_OBJECT_CLASS(vc_output_parent_class)->finalize(obj);
	vc_sock_app_unref(self->sock);
}

static void vc_output_class_init(VcOutputClass *klass)
{
	GOutputStreamClass *os = G_OUTPUT_STREAM_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = vc_output_finalize;
	os->write_fn = vc_output_write;
	os->close_fn = vc_output_close;
	os->close_async = vc_output_close_async;
	os->close_finish = vc_output_close_finish;
}

static void vc_output_init(VcOutput *self)
{
	(void)self;
}

/* The I/O stream ---------------------------------------------------------------------------------- */

struct _PkVclientStream {
	GIOStream parent;
	struct vc_tcp_sock *sock;
	GInputStream *in;
	GOutputStream *out;
};

G_DEFINE_FINAL_TYPE(PkVclientStream, pk_vclient_stream, G_TYPE_IO_STREAM)

static GInputStream *pk_vclient_stream_get_input(GIOStream *stream)
{
	return PK_VCLIENT_STREAM(stream)->in;
}

static GOutputStream *pk_vclient_stream_get_output(GIOStream *stream)
{
	return PK_VCLIENT_STREAM(stream)->out;
}

static gboolean pk_vclient_stream_close(GIOStream *stream, GCancellable *cancellable,
					GError **error)
{
	PkVclientStream *self = PK_VCLIENT_STREAM(stream);
	gboolean ok = g_output_stream_close(self->out, cancellable, error);

	g_input_stream_close(self->in, cancellable, NULL);
	return ok;
}

static void pk_vclient_stream_close_async(GIOStream *stream, int io_priority,
					  GCancellable *cancellable, GAsyncReadyCallback callback,
					  gpointer user_data)
{
	GTask *task = g_task_new(stream, cancellable, callback, user_data);
	GError *error = NULL;

	(void)io_priority;
	if (pk_vclient_stream_close(stream, cancellable, &error))
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
	g_object_unref(task);
}

static gboolean pk_vclient_stream_close_finish(GIOStream *stream, GAsyncResult *result,
					       GError **error)
{
	(void)stream;
	return g_task_propagate_boolean(G_TASK(result), error);
}

static void pk_vclient_stream_finalize(GObject *obj)
{
	PkVclientStream *self = PK_VCLIENT_STREAM(obj);

	g_clear_object(&self->in);
	g_clear_object(&self->out);
	G_OBJECT_CLASS(pk_vclient_stream_parent_class)->finalize(obj);
	vc_sock_app_unref(self->sock);
}

static void pk_vclient_stream_class_init(PkVclientStreamClass *klass)
{
	GIOStreamClass *ios = G_IO_STREAM_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = pk_vclient_stream_finalize;
	ios->get_input_stream = pk_vclient_stream_get_input;
	ios->get_output_stream = pk_vclient_stream_get_output;
	ios->close_fn = pk_vclient_stream_close;
	ios->close_async = pk_vclient_stream_close_async;
	ios->close_finish = pk_vclient_stream_close_finish;
}

static void pk_vclient_stream_init(PkVclientStream *self)
{
	(void)self;
}

GIOStream *vc_stream_new(struct vc_tcp_sock *s)
{
	PkVclientStream *self = g_object_new(PK_TYPE_VCLIENT_STREAM, NULL);
	VcInput *in = g_object_new(VC_TYPE_INPUT, NULL);
	VcOutput *out = g_object_new(VC_TYPE_OUTPUT, NULL);

	/* Each object keeps the socket: the application may hold any of them. */
	self->sock = in->sock = out->sock = s;
	vc_sock_app_ref(s);
	vc_sock_app_ref(s);
	vc_sock_app_ref(s);
	self->in = G_INPUT_STREAM(in);
	self->out = G_OUTPUT_STREAM(out);
	return G_IO_STREAM(self);
}

struct vc_tcp_sock *vc_stream_sock(PkVclientStream *stream)
{
	return stream->sock;
}

/* Public helpers ------------------------------------------------------------------------------------ */

gboolean pk_vclient_stream_shutdown_write(PkVclientStream *stream, GError **error)
{
	return vc_sock_shutdown_write(stream->sock, error);
}

void pk_vclient_stream_set_nodelay(PkVclientStream *stream, gboolean nodelay)
{
	if (stream->sock->conn && stream->sock->vc)
		pk_tcp_conn_set_nodelay(stream->sock->conn, nodelay);
}

void pk_vclient_stream_set_keepalive(PkVclientStream *stream, guint idle_s, guint intvl_s,
				     guint count)
{
	if (stream->sock->conn && stream->sock->vc)
		pk_tcp_conn_set_keepalive(stream->sock->conn, (uint64_t)idle_s * PK_NSEC_PER_SEC,
					  (uint64_t)intvl_s * PK_NSEC_PER_SEC, count);
}

gboolean pk_vclient_stream_get_info(PkVclientStream *stream, struct pk_tcp_conn_info *info)
{
	if (!stream->sock->conn || !stream->sock->vc)
		return FALSE;
	pk_tcp_conn_get_info(stream->sock->conn, info);
	return TRUE;
}

GSocketAddress *pk_vclient_stream_get_local_address(PkVclientStream *stream)
{
	const struct vc_key *k = &stream->sock->key;

	return vc_sockaddr_new(k->ipv6, k->laddr, k->lport);
}

GSocketAddress *pk_vclient_stream_get_remote_address(PkVclientStream *stream)
{
	const struct vc_key *k = &stream->sock->key;

	return vc_sockaddr_new(k->ipv6, k->raddr, k->rport);
}
