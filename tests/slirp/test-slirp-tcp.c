/* SPDX-License-Identifier: MIT
 * test-slirp-tcp.c - l3.slirp's TCP flows: an l3.vclient as the guest, servers on host loopback
 *
 * The guest is a real TCP client (l3.vclient, 10.0.2.15/24 and fd00:2::15/64)
 * linked to the slirp's port; it reaches servers this test runs on 127.0.0.1
 * and ::1 through host-loopback4/6 (10.0.2.2, fd00:2::2). Everything runs on
 * the default main context with the real clock. A few checks use the pipe
 * of slirp-test.h to send segments by hand.
 */
#include <errno.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pktkit/vclient.h>

#include "slirp-test.h"

/* The graph: guest (l3.vclient) <-> slirp ------------------------------------ */

struct fx {
	struct pk_registry *reg;
	struct pk_graph *g;
	struct pk_dev *slirp;
	struct pk_vclient *vc;
	guint guard;
};

static gboolean guard_fired(gpointer data)
{
	(void)data;
	g_error("test timed out");
	return G_SOURCE_REMOVE;
}

static JsonObject *json_obj(const char *text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) n = json_from_string(text, &error);

	g_assert_no_error(error);
	return json_object_ref(json_node_get_object(n));
}

/* @slirp_extra, @vc_extra: more members of the devices' parameter objects
 * (", "-separated JSON members) or NULL. False (graph freed) if the slirp
 * refused its parameters and @may_fail. */
static bool fx_try_setup(struct fx *f, const char *slirp_extra, const char *vc_extra, bool may_fail)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *sp = g_strdup_printf(
		"{\"host-loopback4\": \"" SLIRP_TEST_HOST4
		"\", \"host-loopback6\": \"" SLIRP_TEST_HOST6 "\", \"dns4\": \"" SLIRP_TEST_DNS4
		"\", \"dns6\": \"" SLIRP_TEST_DNS6 "\"%s%s}",
		slirp_extra ? ", " : "", slirp_extra ? slirp_extra : "");
	g_autofree char *vp = g_strdup_printf("{\"addresses\": [{\"prefix\": \"" SLIRP_TEST_GUEST4
					      "/24\"}, {\"prefix\": \"" SLIRP_TEST_GUEST6
					      "/64\"}]%s%s}",
					      vc_extra ? ", " : "", vc_extra ? vc_extra : "");
	g_autoptr(JsonObject) so = json_obj(sp);
	g_autoptr(JsonObject) vo = json_obj(vp);

	memset(f, 0, sizeof(*f));
	f->reg = pk_registry_new();
	pk_registry_scan_default(f->reg);
	g_assert_true(pk_vclient_register(f->reg, &error));
	g_assert_no_error(error);
	f->g = pk_graph_new(f->reg, NULL, 0);
	g_assert_nonnull(pk_graph_add_device(f->g, "guest", "l3.vclient", vo, &error));
	g_assert_no_error(error);
	f->slirp = pk_graph_add_device(f->g, "slirp", "l3.slirp", so, &error);
	if (!f->slirp && may_fail) {
		g_test_message("l3.slirp refused: %s", error->message);
		pk_graph_free(f->g);
		pk_registry_free(f->reg);
		return false;
	}
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "guest.ip", "slirp", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	f->vc = pk_vclient_lookup(f->g, "guest");
	g_assert_nonnull(f->vc);
	f->guard = g_timeout_add_seconds(60, guard_fired, NULL);
	return true;
}

static void fx_setup(struct fx *f, const char *slirp_extra, const char *vc_extra)
{
	fx_try_setup(f, slirp_extra, vc_extra, false);
}

static uint64_t fx_counter(struct fx *f, const char *name)
{
	return pk_dev_counter(f->slirp, name);
}

static void iterate_until(const gboolean *flag)
{
	while (!*flag)
		g_main_context_iteration(NULL, TRUE);
}

/* Iterate for @ms or until *@flag (if given). */
static void iterate_ms(unsigned int ms, const gboolean *flag)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end && !(flag && *flag))
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(500);
}

/* The state column of the slirp's only flow-table row. */
static char *fx_flow_state(struct fx *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = pk_graph_device_status(f->g, "slirp", &error);
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) row = NULL;
	char *state = NULL;

	g_assert_no_error(error);
	rows = g_variant_lookup_value(st, "flow-table", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(rows);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1);
	row = g_variant_get_child_value(rows, 0);
	g_assert_true(g_variant_lookup(row, "state", "s", &state));
	return state;
}

/* Wait until the slirp has no flows left (TIME-WAIT is 1 s). */
static void fx_wait_no_flows(struct fx *f)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (slirp_test_status_flows((f)->g) > 0) {
		if (g_get_monotonic_time() > end)
			g_error("flows left behind");
		iterate_ms(20, NULL);
	}
}

static void fx_teardown(struct fx *f)
{
	g_source_remove(f->guard);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_graph_free(f->g);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_registry_free(f->reg);
}

/* Host servers on loopback ---------------------------------------------------- */

enum srv_mode {
	SRV_ECHO,   /* echo until EOF, then shut down writing */
	SRV_BANNER, /* send a banner, shut down writing, count bytes until EOF */
	SRV_DROP,   /* read a little, then close with unread data (RST) */
	SRV_HOLD,   /* read until EOF or an error */
	SRV_SLOW,   /* as SRV_HOLD, but start reading only after 300 ms */
};

struct srv {
	GSocketListener *l;
	guint16 port;
	enum srv_mode mode;
	GSocketConnection *conn;
	guint accepted;
	gboolean done;
	gsize received;
	GError *error;	      /* the read error (SRV_HOLD) */
	GChecksum *sum;	      /* of the bytes received */
	GCancellable *cancel; /* srv_stop(): callbacks after it touch nothing */
	guint8 buf[16384];
};

static void srv_read(GObject *src, GAsyncResult *res, gpointer data);

static void srv_finish(struct srv *s)
{
	s->done = TRUE;
}

static void srv_read_more(struct srv *s)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(s->conn)), s->buf,
				  sizeof(s->buf), G_PRIORITY_DEFAULT, s->cancel, srv_read, s);
}

static void srv_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct srv *s = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_error_free(error);
		return; /* @s may be gone */
	}
	if (n <= 0) {
		s->error = error;
		srv_finish(s);
		return;
	}
	s->received += (gsize)n;
	g_checksum_update(s->sum, s->buf, n);
	if (s->mode == SRV_DROP && s->received >= 10000) {
		/* Unread data in the socket: close() sends a RST. */
		g_assert_true(g_io_stream_close(G_IO_STREAM(s->conn), NULL, NULL));
		srv_finish(s);
		return;
	}
	srv_read_more(s);
}

static void srv_spliced(GObject *src, GAsyncResult *res, gpointer data)
{
	struct srv *s = data;
	g_autoptr(GError) error = NULL;

	g_output_stream_splice_finish(G_OUTPUT_STREAM(src), res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* @s may be gone */
	g_assert_no_error(error);
	g_assert_true(
		g_socket_shutdown(g_socket_connection_get_socket(s->conn), FALSE, TRUE, &error));
	srv_finish(s);
}

static void srv_read_later(gpointer data)
{
	srv_read_more(data);
}

static const char banner[] = "hello from the host";

static void srv_accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct srv *s = data;
	g_autoptr(GError) error = NULL;
	GSocketConnection *c = g_socket_listener_accept_finish(G_SOCKET_LISTENER(src), res, NULL,
							       &error);

	if (!c)
		return; /* listener closed */
	s->accepted++;
	if (s->conn) {
		g_object_unref(c); /* one connection per server */
		return;
	}
	s->conn = c;
	switch (s->mode) {
	case SRV_ECHO:
		g_output_stream_splice_async(g_io_stream_get_output_stream(G_IO_STREAM(c)),
					     g_io_stream_get_input_stream(G_IO_STREAM(c)),
					     G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT,
					     s->cancel, srv_spliced, s);
		break;
	case SRV_BANNER:
		g_assert_true(
			g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(c)),
						  banner, strlen(banner), NULL, NULL, &error));
		g_assert_true(
			g_socket_shutdown(g_socket_connection_get_socket(c), FALSE, TRUE, &error));
		srv_read_more(s);
		break;
	case SRV_DROP:
	case SRV_HOLD:
		srv_read_more(s);
		break;
	case SRV_SLOW:
		g_timeout_add_once(300, srv_read_later, s);
		break;
	}
	g_socket_listener_accept_async(s->l, s->cancel, srv_accepted, s);
}

static void srv_start(struct srv *s, bool ipv6, enum srv_mode mode)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketAddress)
		a = g_inet_socket_address_new_from_string(ipv6 ? "::1" : "127.0.0.1", 0);
	g_autoptr(GSocketAddress) eff = NULL;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->sum = g_checksum_new(G_CHECKSUM_SHA256);
	s->cancel = g_cancellable_new();
	s->l = g_socket_listener_new();
	g_assert_true(g_socket_listener_add_address(s->l, a, G_SOCKET_TYPE_STREAM,
						    G_SOCKET_PROTOCOL_TCP, NULL, &eff, &error));
	g_assert_no_error(error);
	s->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(eff));
	g_socket_listener_accept_async(s->l, s->cancel, srv_accepted, s);
}

static void srv_stop(struct srv *s)
{
	g_cancellable_cancel(s->cancel);
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_clear_object(&s->cancel);
	g_socket_listener_close(s->l);
	g_clear_object(&s->l);
	if (s->conn)
		g_io_stream_close(G_IO_STREAM(s->conn), NULL, NULL);
	g_clear_object(&s->conn);
	g_clear_error(&s->error);
	g_clear_pointer(&s->sum, g_checksum_free);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

/* A free loopback port nothing listens on. */
static guint16 closed_port(bool ipv6)
{
	struct srv s;
	guint16 port;

	srv_start(&s, ipv6, SRV_HOLD);
	port = s.port;
	srv_stop(&s);
	return port;
}

/* The guest's client ------------------------------------------------------------ */

struct conn {
	struct pk_vclient *vc;
	GIOStream *stream;
	GError *error;
	gboolean done;
};

static void connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;

	(void)src;
	c->stream = pk_vclient_tcp_connect_finish(c->vc, res, &c->error);
	c->done = TRUE;
}

static void guest_connect(struct fx *f, struct conn *c, bool ipv6, guint16 port)
{
	g_autoptr(GSocketAddress) dst = g_inet_socket_address_new_from_string(
		ipv6 ? SLIRP_TEST_HOST6 : SLIRP_TEST_HOST4, port);

	memset(c, 0, sizeof(*c));
	c->vc = f->vc;
	pk_vclient_tcp_connect_async(f->vc, dst, NULL, connected, c);
	iterate_until(&c->done);
}

/* Bulk transfer: write @total pseudo-random bytes, shut down, read to EOF. */
struct xfer {
	GIOStream *stream;
	gsize total, sent, received;
	GChecksum *sum_out, *sum_in;
	guint32 seed;
	gboolean send_done, recv_done;
	GError *write_error, *read_error;
	guint8 chunk[40000];
	guint8 buf[65536];
};

static void xfer_write_more(struct xfer *x);

static void xfer_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct xfer *x = data;
	gsize n = 0;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, &n, &x->write_error)) {
		x->send_done = TRUE;
		return;
	}
	x->sent += n;
	xfer_write_more(x);
}

static void xfer_write_more(struct xfer *x)
{
	gsize n = MIN(sizeof(x->chunk), x->total - x->sent);

	if (n == 0) {
		pk_vclient_stream_shutdown_write(PK_VCLIENT_STREAM(x->stream), &x->write_error);
		x->send_done = TRUE;
		return;
	}
	for (gsize i = 0; i < n; i++) {
		x->seed = x->seed * 1103515245u + 12345u;
		x->chunk[i] = (guint8)(x->seed >> 16);
	}
	g_checksum_update(x->sum_out, x->chunk, (gssize)n);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(x->stream), x->chunk, n,
					G_PRIORITY_DEFAULT, NULL, xfer_written, x);
}

static void xfer_read(GObject *src, GAsyncResult *res, gpointer data)
{
	struct xfer *x = data;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &x->read_error);

	if (n <= 0) {
		x->recv_done = TRUE;
		return;
	}
	g_checksum_update(x->sum_in, x->buf, n);
	x->received += (gsize)n;
	g_input_stream_read_async(G_INPUT_STREAM(src), x->buf, sizeof(x->buf), G_PRIORITY_DEFAULT,
				  NULL, xfer_read, x);
}

static void xfer_start(struct xfer *x, GIOStream *stream, gsize total, guint32 seed)
{
	memset(x, 0, sizeof(*x));
	x->stream = stream;
	x->total = total;
	x->seed = seed;
	x->sum_out = g_checksum_new(G_CHECKSUM_SHA256);
	x->sum_in = g_checksum_new(G_CHECKSUM_SHA256);
	xfer_write_more(x);
	g_input_stream_read_async(g_io_stream_get_input_stream(stream), x->buf, sizeof(x->buf),
				  G_PRIORITY_DEFAULT, NULL, xfer_read, x);
}

static void xfer_clear(struct xfer *x)
{
	g_checksum_free(x->sum_out);
	g_checksum_free(x->sum_in);
	g_clear_error(&x->write_error);
	g_clear_error(&x->read_error);
}

/* Read everything until EOF or an error into @out (may be NULL). */
static gssize read_all(GIOStream *stream, char *out, gsize cap, GError **error)
{
	struct xfer *x = g_new0(struct xfer, 1);
	gssize n;

	x->sum_in = g_checksum_new(G_CHECKSUM_SHA256);
	x->sum_out = g_checksum_new(G_CHECKSUM_SHA256);
	x->stream = stream;
	g_input_stream_read_async(g_io_stream_get_input_stream(stream), x->buf, sizeof(x->buf),
				  G_PRIORITY_DEFAULT, NULL, xfer_read, x);
	iterate_until(&x->recv_done);
	n = (gssize)x->received;
	if (out)
		memcpy(out, x->buf, MIN(cap, x->received));
	if (x->read_error) {
		g_propagate_error(error, g_steal_pointer(&x->read_error));
		n = -1;
	}
	xfer_clear(x);
	g_free(x);
	return n;
}

/* Tests ----------------------------------------------------------------------------- */

/* 1 MB out and back through a host echo server; the guest's FIN reaches the
 * host (the echo ends), the host's FIN reaches the guest (EOF); every flow
 * goes away afterwards. */
static void echo(bool ipv6, const char *slirp_extra, const char *vc_extra, bool tso)
{
	struct fx f;
	struct srv s;
	struct conn c;
	static struct xfer x;
	const gsize total = 1u << 20;

	fx_setup(&f, slirp_extra, vc_extra);
	srv_start(&s, ipv6, SRV_ECHO);
	guest_connect(&f, &c, ipv6, s.port);
	g_assert_no_error(c.error);
	xfer_start(&x, c.stream, total, ipv6 ? 7 : 3);
	iterate_until(&x.send_done);
	iterate_until(&x.recv_done);
	g_assert_no_error(x.write_error);
	g_assert_no_error(x.read_error);
	g_assert_cmpuint(x.received, ==, total);
	g_assert_cmpstr(g_checksum_get_string(x.sum_out), ==, g_checksum_get_string(x.sum_in));
	iterate_until(&s.done);
	g_assert_cmpuint(s.accepted, ==, 1);
	g_assert_true(g_io_stream_close(c.stream, NULL, NULL));
	g_clear_object(&c.stream);
	xfer_clear(&x);
	fx_wait_no_flows(&f);
	g_assert_cmpuint(fx_counter(&f, "tcp-flows"), ==, 1);
	g_assert_cmpuint(fx_counter(&f, "tcp-resets-from-host"), ==, 0);
	g_assert_cmpuint(fx_counter(&f, "tcp-resets-from-guest"), ==, 0);
	g_assert_cmpuint(fx_counter(&f, "dropped-checksum"), ==, 0);
	/* Bursts towards the guest stay within what the core queues for a busy peer. */
	g_assert_cmpuint(fx_counter(&f, "dropped-queue-full"), ==, 0);
	g_assert_cmpuint(pk_dev_counter(pk_graph_lookup(f.g, "guest"), "dropped-queue-full"), ==,
			 0);
	if (tso) {
		/* About 1100 packets each way without super-segments. */
		g_assert_cmpuint(fx_counter(&f, "tx-packets"), <, 400);
		g_assert_cmpuint(fx_counter(&f, "rx-packets"), <, 400);
	}
	srv_stop(&s);
	fx_teardown(&f);
}

static void test_echo4(void)
{
	echo(false, NULL, NULL, false);
}

static void test_echo6(void)
{
	echo(true, NULL, NULL, false);
}

/* Small flow buffers (windows of 4 KiB) and a small MTU: flow control both ways. */
/* Windows of 8 MiB: larger bursts towards the guest. */
static void test_echo_big(void)
{
	echo(false, "\"flow-buffer\": 8388608", "\"tcp-rcvbuf\": 8388608, \"tcp-sndbuf\": 8388608",
	     false);
}

static void test_echo_small(void)
{
	echo(false, "\"flow-buffer\": 4096, \"mtu\": 576", "\"mtu\": 576", false);
}

/* Super-segments both ways: the guest sends them (its 'tso'), the slirp too. */
static void test_echo_tso(void)
{
	echo(false, "\"tso\": true", "\"tso\": true", true);
	echo(true, "\"tso\": true", "\"tso\": true", true);
}

/* A host that reads late: the host socket fills up, the guest's data waits
 * in the flow (its window closes) and arrives whole when the host reads. */
static void test_slow_host(void)
{
	struct fx f;
	struct srv s;
	struct conn c;
	static struct xfer x;
	const gsize total = 16u << 20;

	fx_setup(&f, "\"flow-buffer\": 65536", NULL);
	srv_start(&s, false, SRV_SLOW);
	guest_connect(&f, &c, false, s.port);
	g_assert_no_error(c.error);
	xfer_start(&x, c.stream, total, 13);
	iterate_until(&x.send_done);
	g_assert_no_error(x.write_error);
	iterate_until(&s.done);
	g_assert_no_error(s.error);
	g_assert_cmpuint(s.received, ==, total);
	g_assert_cmpstr(g_checksum_get_string(s.sum), ==, g_checksum_get_string(x.sum_out));
	g_io_stream_close(c.stream, NULL, NULL);
	g_clear_object(&c.stream);
	xfer_clear(&x);
	srv_stop(&s);
	fx_wait_no_flows(&f);
	fx_teardown(&f);
}

/* A port nothing listens on: refused (RST) at once, counted. */
static void test_refused(void)
{
	struct fx f;
	struct conn c;

	fx_setup(&f, NULL, NULL);
	for (int v6 = 0; v6 < 2; v6++) {
		gint64 t0 = g_get_monotonic_time();

		guest_connect(&f, &c, v6, closed_port(v6));
		g_assert_error(c.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
		g_assert_cmpint(g_get_monotonic_time() - t0, <, G_USEC_PER_SEC);
		g_clear_error(&c.error);
	}
	g_assert_cmpuint(fx_counter(&f, "tcp-refused"), ==, 2);
	fx_wait_no_flows(&f);
	fx_teardown(&f);
}

/* The host shuts its side first (banner, FIN); the guest reads to EOF, then
 * still sends, and the host gets all of it and the guest's FIN. */
static void test_half_close(void)
{
	struct fx f;
	struct srv s;
	struct conn c;
	char got[64] = { 0 };
	static struct xfer x;
	g_autoptr(GError) error = NULL;

	fx_setup(&f, NULL, NULL);
	srv_start(&s, false, SRV_BANNER);
	guest_connect(&f, &c, false, s.port);
	g_assert_no_error(c.error);
	g_assert_cmpint(read_all(c.stream, got, sizeof(got) - 1, &error), ==, strlen(banner));
	g_assert_no_error(error);
	g_assert_cmpstr(got, ==, banner);
	xfer_start(&x, c.stream, 300000, 5);
	iterate_until(&x.send_done);
	g_assert_no_error(x.write_error);
	iterate_until(&s.done);
	g_assert_no_error(s.error);
	g_assert_cmpuint(s.received, ==, 300000);
	g_assert_true(g_io_stream_close(c.stream, NULL, NULL));
	g_clear_object(&c.stream);
	xfer_clear(&x);
	fx_wait_no_flows(&f);
	srv_stop(&s);
	fx_teardown(&f);
}

/* The host closes while the guest is sending: its RST becomes the guest's. */
static void test_host_reset(void)
{
	struct fx f;
	struct srv s;
	struct conn c;
	static struct xfer x;

	fx_setup(&f, NULL, NULL);
	srv_start(&s, true, SRV_DROP);
	guest_connect(&f, &c, true, s.port);
	g_assert_no_error(c.error);
	xfer_start(&x, c.stream, 8u << 20, 9);
	iterate_until(&x.recv_done);
	g_assert_nonnull(x.read_error);
	iterate_until(&x.send_done);
	g_assert_cmpuint(x.sent, <, 8u << 20);
	g_assert_cmpuint(fx_counter(&f, "tcp-resets-from-host"), ==, 1);
	g_io_stream_close(c.stream, NULL, NULL);
	g_clear_object(&c.stream);
	xfer_clear(&x);
	fx_wait_no_flows(&f);
	srv_stop(&s);
	fx_teardown(&f);
}

/* The guest aborts (closes with unread data: RST): the host connection is
 * reset, not closed cleanly. */
static void test_guest_abort(void)
{
	struct fx f;
	struct srv s;
	struct conn c;

	fx_setup(&f, NULL, NULL);
	srv_start(&s, false, SRV_HOLD);
	guest_connect(&f, &c, false, s.port);
	g_assert_no_error(c.error);
	while (!s.conn)
		g_main_context_iteration(NULL, TRUE);
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(s.conn)),
						banner, strlen(banner), NULL, NULL, NULL));
	iterate_ms(100, NULL);
	g_io_stream_close(c.stream, NULL, NULL); /* unread data: RST */
	g_clear_object(&c.stream);
	iterate_until(&s.done);
	g_assert_error(s.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
	g_assert_cmpuint(fx_counter(&f, "tcp-resets-from-guest"), ==, 1);
	fx_wait_no_flows(&f);
	srv_stop(&s);
	fx_teardown(&f);
}

/* max-flows 1: a second connection is refused while the first lives. */
static void test_max_flows(void)
{
	struct fx f;
	struct srv s;
	struct conn c1, c2;

	fx_setup(&f, "\"max-flows\": 1", NULL);
	srv_start(&s, false, SRV_HOLD);
	guest_connect(&f, &c1, false, s.port);
	g_assert_no_error(c1.error);
	{
		g_autofree char *state = fx_flow_state(&f);

		g_assert_cmpstr(state, ==, "established");
	}
	guest_connect(&f, &c2, false, s.port);
	g_assert_error(c2.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_clear_error(&c2.error);
	g_assert_cmpuint(fx_counter(&f, "flow-limit"), ==, 1);
	iterate_ms(50, NULL);
	g_assert_cmpuint(s.accepted, ==, 1);
	g_io_stream_close(c1.stream, NULL, NULL);
	g_clear_object(&c1.stream);
	iterate_until(&s.done);
	/* Half-closed until the host closes too. */
	g_assert_cmpuint(slirp_test_status_flows(f.g), ==, 1);
	srv_stop(&s);
	fx_wait_no_flows(&f);
	fx_teardown(&f);
}

/* A denied destination gets a RST and no host connection. */
static void test_denied(void)
{
	struct fx f;
	struct srv s;
	struct conn c;
	g_autofree char *deny = NULL;

	srv_start(&s, false, SRV_HOLD);
	deny = g_strdup_printf("\"deny\": [{\"prefix\": \"10.0.2.2/32\", \"proto\": \"tcp\", "
			       "\"ports\": \"%u\"}]",
			       s.port);
	fx_setup(&f, deny, NULL);
	guest_connect(&f, &c, false, s.port);
	g_assert_error(c.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_clear_error(&c.error);
	g_assert_cmpuint(fx_counter(&f, "denied"), ==, 1);
	g_assert_cmpuint(fx_counter(&f, "tcp-flows"), ==, 0);
	iterate_ms(50, NULL);
	g_assert_cmpuint(s.accepted, ==, 0);
	srv_stop(&s);
	fx_teardown(&f);
}

/* Stopping the slirp closes its flows' host sockets. */
static void test_stop_with_flows(void)
{
	struct fx f;
	struct srv s;
	struct conn c;

	fx_setup(&f, NULL, NULL);
	srv_start(&s, false, SRV_HOLD);
	guest_connect(&f, &c, false, s.port);
	g_assert_no_error(c.error);
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(c.stream), "x", 1,
						NULL, NULL, NULL));
	while (!s.received)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(slirp_test_status_flows(f.g), ==, 1);
	g_clear_object(&c.stream);
	fx_teardown(&f);
	iterate_until(&s.done);
	srv_stop(&s);
}

/* A host listener whose accept queue is full (backlog 0, one connection
 * waiting): Linux drops further SYNs, so a connect() to it hangs, locally. */
static int full_listener(bool ipv6, guint16 *port, int *filler)
{
	struct sockaddr_storage sa = { 0 };
	socklen_t len = ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int l = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(l, >=, 0);
	if (ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&sa;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	g_assert_cmpint(bind(l, (struct sockaddr *)&sa, len), ==, 0);
	g_assert_cmpint(listen(l, 0), ==, 0);
	g_assert_cmpint(getsockname(l, (struct sockaddr *)&sa, &len), ==, 0);
	*port = ntohs(ipv6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
			   : ((struct sockaddr_in *)&sa)->sin_port);
	*filler = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(connect(*filler, (struct sockaddr *)&sa, len), ==, 0);
	g_usleep(50000);
	return l;
}

/* tcp-connect-timeout with 'unreachable' rst: the guest is refused when
 * the host connect() does not complete in time. */
static void test_connect_timeout_rst(void)
{
	struct fx f;
	struct conn c;
	guint16 port;
	int filler, l = full_listener(false, &port, &filler);
	gint64 t0;

	fx_setup(&f, "\"tcp-connect-timeout\": \"1s\", \"unreachable\": \"rst\"", NULL);
	t0 = g_get_monotonic_time();
	guest_connect(&f, &c, false, port);
	g_assert_error(c.error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
	g_clear_error(&c.error);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 900000);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 4 * G_USEC_PER_SEC);
	g_assert_cmpuint(fx_counter(&f, "tcp-connect-timeouts"), ==, 1);
	fx_wait_no_flows(&f);
	fx_teardown(&f);
	close(filler);
	close(l);
}

/* The same with 'unreachable' icmp (the default), through the pipe: ICMP
 * host unreachable from the destination, quoting the SYN; a SYN repeated
 * while connecting is absorbed. */
static void test_connect_timeout_icmp(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;
	guint16 port;
	int filler, l = full_listener(true, &port, &filler);
	uint8_t a[16];
	bool v6;

	slirp_test_setup(&t, "{\"tcp-connect-timeout\": \"1s\"}");
	for (int i = 0; i < 2; i++)
		slirp_test_send_tcp(&t, SLIRP_TEST_GUEST6, 40002, SLIRP_TEST_HOST6, port, 5000, 0,
				    PK_TCP_SYN, 65535, NULL, 0, NULL, 0);
	b = slirp_test_wait(&t, 3000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.proto, ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP6_DEST_UNREACH);
	g_assert_cmpuint(r.l4[1], ==, 3);
	slirp_test_addr(SLIRP_TEST_HOST6, a, &v6);
	g_assert_cmpmem(r.src, 16, a, 16);
	/* The quoted packet: our SYN's ports. */
	g_assert_cmpuint(pk_get_be16(r.l4 + 8 + 40), ==, 40002);
	g_assert_cmpuint(pk_get_be16(r.l4 + 8 + 42), ==, port);
	pk_buf_unref(b);
	g_assert_null(slirp_test_wait(&t, 200));
	g_assert_cmpuint(slirp_test_counter(&t, "tcp-connect-timeouts"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "tcp-flows"), ==, 1);
	slirp_test_teardown(&t);
	close(filler);
	close(l);
}

/* Through the pipe: a segment with a wrong checksum is dropped and counted,
 * not answered; a SYN sent twice while the host connect runs makes one flow. */
static void test_pipe_checks(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;
	uint8_t seg[PK_TCP_HLEN] = { 0 };
	struct srv s;
	int synacks = 0;

	slirp_test_setup(&t, NULL);
	pk_put_be16(seg, 40000);
	pk_put_be16(seg + 2, 1);
	seg[12] = 5 << 4;
	seg[13] = PK_TCP_SYN;
	pk_put_be16(seg + 16, 0x1234); /* wrong */
	slirp_test_send(&t, SLIRP_TEST_GUEST4, SLIRP_TEST_HOST4, PK_IPPROTO_TCP, seg, sizeof(seg));
	g_assert_null(slirp_test_wait(&t, 100));
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-checksum"), ==, 1);

	srv_start(&s, false, SRV_HOLD);
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40001, SLIRP_TEST_HOST4, s.port, 1000, 0,
			    PK_TCP_SYN, 65535, NULL, 0, NULL, 0);
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40001, SLIRP_TEST_HOST4, s.port, 1000, 0,
			    PK_TCP_SYN, 65535, NULL, 0, NULL, 0);
	while ((b = slirp_test_wait(&t, 300))) {
		slirp_test_parse(b, &r);
		g_assert_cmpuint(r.proto, ==, PK_IPPROTO_TCP);
		g_assert_cmpuint(r.l4[13] & (PK_TCP_SYN | PK_TCP_ACK | PK_TCP_RST), ==,
				 PK_TCP_SYN | PK_TCP_ACK);
		g_assert_cmpuint(pk_get_be32(r.l4 + 8), ==, 1001);
		synacks++;
		pk_buf_unref(b);
	}
	/* One SYN-ACK, or a second one if the repeated SYN met the connection. */
	g_assert_cmpint(synacks, >=, 1);
	g_assert_cmpint(synacks, <=, 2);
	g_assert_cmpuint(slirp_test_counter(&t, "tcp-flows"), ==, 1);
	g_assert_cmpuint(s.accepted, ==, 1);
	slirp_test_teardown(&t);
	srv_stop(&s);
}

/* 'keepalive': once the guest side is idle, the slirp probes the guest
 * (an ACK one below SND.NXT), through the pipe. */
static void test_keepalive(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;
	struct srv s;
	uint32_t iss;

	srv_start(&s, false, SRV_HOLD);
	slirp_test_setup(&t, "{\"keepalive\": \"300ms\"}");
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40003, SLIRP_TEST_HOST4, s.port, 7000, 0,
			    PK_TCP_SYN, 65535, NULL, 0, NULL, 0);
	b = slirp_test_wait(&t, 2000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.l4[13] & (PK_TCP_SYN | PK_TCP_ACK), ==, PK_TCP_SYN | PK_TCP_ACK);
	iss = pk_get_be32(r.l4 + 4);
	pk_buf_unref(b);
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40003, SLIRP_TEST_HOST4, s.port, 7001, iss + 1,
			    PK_TCP_ACK, 65535, NULL, 0, NULL, 0);
	b = slirp_test_wait(&t, 2000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.l4[13] & (PK_TCP_SYN | PK_TCP_ACK | PK_TCP_RST | PK_TCP_FIN), ==,
			 PK_TCP_ACK);
	g_assert_cmpuint(pk_get_be32(r.l4 + 4), ==, iss); /* SND.NXT - 1 */
	g_assert_cmpuint(r.l4_len, <=, PK_TCP_MAX_HLEN);  /* no data */
	pk_buf_unref(b);
	g_assert_cmpuint(s.accepted, ==, 1);
	slirp_test_teardown(&t);
	srv_stop(&s);
}

/* 'keepalive' against a guest that is gone: the probes come every
 * 'keepalive' (not the engine's default 75 s), and after 9 unanswered the
 * slirp resets both sides: a RST to the guest, the host socket closed with a
 * RST, the flow out of the table, all within a few seconds. */
static void test_keepalive_dead_guest(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;
	struct srv s;
	uint32_t iss, probes = 0;
	gint64 t0, ms;
	bool rst = false;

	srv_start(&s, false, SRV_HOLD);
	slirp_test_setup(&t, "{\"keepalive\": \"200ms\"}");
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40004, SLIRP_TEST_HOST4, s.port, 9000, 0,
			    PK_TCP_SYN, 65535, NULL, 0, NULL, 0);
	b = slirp_test_wait(&t, 2000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.l4[13] & (PK_TCP_SYN | PK_TCP_ACK), ==, PK_TCP_SYN | PK_TCP_ACK);
	iss = pk_get_be32(r.l4 + 4);
	pk_buf_unref(b);
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40004, SLIRP_TEST_HOST4, s.port, 9001, iss + 1,
			    PK_TCP_ACK, 65535, NULL, 0, NULL, 0);
	t0 = g_get_monotonic_time();
	/* The guest answers nothing from now on. */
	while (!rst && (b = slirp_test_wait(&t, 5000))) {
		slirp_test_parse(b, &r);
		if (r.l4[13] & PK_TCP_RST)
			rst = true;
		else if ((r.l4[13] & PK_TCP_ACK) && pk_get_be32(r.l4 + 4) == iss)
			probes++;
		pk_buf_unref(b);
	}
	ms = (g_get_monotonic_time() - t0) / 1000;
	g_test_message("%u probes, RST after %" G_GINT64_FORMAT " ms", probes, ms);
	g_assert_true(rst);
	g_assert_cmpuint(probes, ==, 9);
	g_assert_cmpint(ms, <, 5000);
	for (int i = 0; i < 100 && !s.done; i++)
		slirp_test_run(&t, 20);
	g_assert_true(s.done);
	g_assert_nonnull(s.error); /* reset, not a clean EOF */
	g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 0);
	g_assert_cmpuint(slirp_test_counter(&t, "tcp-resets-from-guest"), ==, 1);
	slirp_test_teardown(&t);
	srv_stop(&s);
}

/* TCP to the DNS address, port 53, goes to the first of 'dns-servers' (here
 * an echo server on loopback). Skipped while the slirp has no DNS forwarder
 * (its status shows no "dns-servers"). */
static void test_dns_tcp(void)
{
	struct fx f;
	struct srv s;
	struct conn c;
	static struct xfer x;
	g_autofree char *dns = NULL;
	g_autoptr(GVariant) st = NULL;
	g_autoptr(GVariant) servers = NULL;
	g_autoptr(GSocketAddress) dst = g_inet_socket_address_new_from_string(SLIRP_TEST_DNS4, 53);

	srv_start(&s, false, SRV_ECHO);
	dns = g_strdup_printf("\"dns-servers\": [{\"address\": \"127.0.0.1\", \"port\": %u}]",
			      s.port);
	fx_setup(&f, dns, NULL);
	st = pk_graph_device_status(f.g, "slirp", NULL);
	servers = g_variant_lookup_value(st, "dns-servers", NULL);
	if (!servers) {
		g_test_skip("l3.slirp has no DNS forwarder yet");
		fx_teardown(&f);
		srv_stop(&s);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.vc = f.vc;
	pk_vclient_tcp_connect_async(f.vc, dst, NULL, connected, &c);
	iterate_until(&c.done);
	g_assert_no_error(c.error);
	xfer_start(&x, c.stream, 1000, 21);
	iterate_until(&x.recv_done);
	g_assert_no_error(x.read_error);
	g_assert_cmpuint(x.received, ==, 1000);
	g_assert_cmpstr(g_checksum_get_string(x.sum_out), ==, g_checksum_get_string(x.sum_in));
	g_io_stream_close(c.stream, NULL, NULL);
	g_clear_object(&c.stream);
	xfer_clear(&x);
	fx_wait_no_flows(&f);
	fx_teardown(&f);
	srv_stop(&s);
}

/* With 'tso', segments carry partial checksums (the core completes them for
 * the pipe), but the RST that passes a host reset on has a complete one: it
 * must not be marked partial, or completing it would break it. */
static void test_tso_rst(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;
	struct srv s;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint32_t iss;

	srv_start(&s, false, SRV_HOLD);
	slirp_test_setup(&t, "{\"tso\": true}");
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40004, SLIRP_TEST_HOST4, s.port, 9000, 0,
			    PK_TCP_SYN, 65535, NULL, 0, NULL, 0);
	b = slirp_test_wait(&t, 2000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	iss = pk_get_be32(r.l4 + 4);
	pk_buf_unref(b);
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40004, SLIRP_TEST_HOST4, s.port, 9001, iss + 1,
			    PK_TCP_ACK, 65535, NULL, 0, NULL, 0);
	while (!s.conn)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpint(setsockopt(g_socket_get_fd(g_socket_connection_get_socket(s.conn)),
				   SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)),
			==, 0);
	g_assert_true(g_io_stream_close(G_IO_STREAM(s.conn), NULL, NULL));
	b = slirp_test_wait(&t, 2000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r); /* checks the checksum */
	g_assert_cmpuint(r.l4[13] & PK_TCP_RST, ==, PK_TCP_RST);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "tcp-resets-from-host"), ==, 1);
	slirp_test_teardown(&t);
	srv_stop(&s);
}

/* Port forwards (slirp_tcp_open_inbound()) ---------------------------------- */

static void guest_accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;

	c->stream = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(src), res, &c->error);
	c->done = TRUE;
}

struct host_conn {
	GSocketConnection *conn;
	GError *error;
	gboolean done;
};

static void host_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct host_conn *h = data;

	h->conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(src), res, &h->error);
	h->done = TRUE;
}

static void host_connect(struct host_conn *h, guint16 port)
{
	g_autoptr(GSocketClient) cl = g_socket_client_new();
	g_autoptr(GSocketAddress) a = g_inet_socket_address_new_from_string("127.0.0.1", port);

	memset(h, 0, sizeof(*h));
	g_socket_client_connect_async(cl, G_SOCKET_CONNECTABLE(a), NULL, host_connected, h);
	iterate_until(&h->done);
}

/* A host connection to a forwarded port becomes an active open to the
 * guest: 1 MB from the guest to the host, 100 kB back, FINs both ways; a
 * guest port nothing listens on resets the host connection. Skipped while
 * the slirp has no forwards. */
static void test_inbound(void)
{
	struct fx f;
	struct conn gc = { 0 };
	struct host_conn hc;
	guint16 hport = closed_port(false), hport2 = closed_port(false);
	g_autofree char *fwd = g_strdup_printf(
		"\"forwards\": [{\"host-port\": %u, \"guest-address\": \"" SLIRP_TEST_GUEST4
		"\", \"guest-port\": 8080}, {\"host-port\": %u, \"guest-address\": "
		"\"" SLIRP_TEST_GUEST4 "\", \"guest-port\": 8081}]",
		hport, hport2);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string("0.0.0.0", 8080);
	g_autoptr(GError) error = NULL;
	static guint8 back[100000];
	static struct xfer xg, xh;
	PkVclientListener *l;

	if (!fx_try_setup(&f, fwd, NULL, true)) {
		g_test_skip("l3.slirp has no port forwards yet");
		return;
	}
	l = pk_vclient_tcp_listen(f.vc, any, 0, &error);
	g_assert_no_error(error);
	pk_vclient_listener_accept_async(l, NULL, guest_accepted, &gc);
	host_connect(&hc, hport);
	g_assert_no_error(hc.error);
	iterate_until(&gc.done);
	g_assert_no_error(gc.error);

	xfer_start(&xg, gc.stream, 1u << 20, 17);
	memset(&xh, 0, sizeof(xh));
	xh.stream = G_IO_STREAM(hc.conn);
	xh.sum_in = g_checksum_new(G_CHECKSUM_SHA256);
	xh.sum_out = g_checksum_new(G_CHECKSUM_SHA256);
	g_input_stream_read_async(g_io_stream_get_input_stream(xh.stream), xh.buf, sizeof(xh.buf),
				  G_PRIORITY_DEFAULT, NULL, xfer_read, &xh);
	iterate_until(&xh.recv_done);
	g_assert_no_error(xh.read_error);
	g_assert_cmpuint(xh.received, ==, 1u << 20);
	g_assert_cmpstr(g_checksum_get_string(xh.sum_in), ==, g_checksum_get_string(xg.sum_out));
	memset(back, 7, sizeof(back));
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(xh.stream), back,
						sizeof(back), NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_io_stream_close(xh.stream, NULL, NULL));
	iterate_until(&xg.recv_done);
	g_assert_no_error(xg.read_error);
	g_assert_cmpuint(xg.received, ==, sizeof(back));
	g_io_stream_close(gc.stream, NULL, NULL);
	g_clear_object(&gc.stream);
	g_clear_object(&hc.conn);
	xfer_clear(&xg);
	xfer_clear(&xh);
	fx_wait_no_flows(&f);

	/* Nothing listens on the guest's port 8081: the guest's RST closes the
	 * host connection (it may already fail the connect). */
	host_connect(&hc, hport2);
	if (hc.conn) {
		g_autoptr(GError) rerr = NULL;
		char buf[16];

		g_assert_cmpint(
			g_input_stream_read(g_io_stream_get_input_stream(G_IO_STREAM(hc.conn)), buf,
					    sizeof(buf), NULL, &rerr),
			<=, 0);
		g_clear_object(&hc.conn);
	}
	g_clear_error(&hc.error);
	while (fx_counter(&f, "tcp-resets-from-guest") < 1)
		g_main_context_iteration(NULL, TRUE);
	fx_wait_no_flows(&f);
	pk_vclient_listener_close(l);
	g_object_unref(l);
	fx_teardown(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slirp/tcp/echo4", test_echo4);
	g_test_add_func("/slirp/tcp/echo6", test_echo6);
	g_test_add_func("/slirp/tcp/echo-small", test_echo_small);
	g_test_add_func("/slirp/tcp/echo-big", test_echo_big);
	g_test_add_func("/slirp/tcp/echo-tso", test_echo_tso);
	g_test_add_func("/slirp/tcp/slow-host", test_slow_host);
	g_test_add_func("/slirp/tcp/refused", test_refused);
	g_test_add_func("/slirp/tcp/half-close", test_half_close);
	g_test_add_func("/slirp/tcp/host-reset", test_host_reset);
	g_test_add_func("/slirp/tcp/guest-abort", test_guest_abort);
	g_test_add_func("/slirp/tcp/max-flows", test_max_flows);
	g_test_add_func("/slirp/tcp/denied", test_denied);
	g_test_add_func("/slirp/tcp/stop-with-flows", test_stop_with_flows);
	g_test_add_func("/slirp/tcp/connect-timeout-rst", test_connect_timeout_rst);
	g_test_add_func("/slirp/tcp/connect-timeout-icmp", test_connect_timeout_icmp);
	g_test_add_func("/slirp/tcp/pipe-checks", test_pipe_checks);
	g_test_add_func("/slirp/tcp/keepalive", test_keepalive);
	g_test_add_func("/slirp/tcp/keepalive-dead-guest", test_keepalive_dead_guest);
	g_test_add_func("/slirp/tcp/tso-rst", test_tso_rst);
	g_test_add_func("/slirp/tcp/inbound", test_inbound);
	g_test_add_func("/slirp/tcp/dns", test_dns_tcp);
	return g_test_run();
}
