// SPDX-License-Identifier: MIT
/* bench-vclient.c - TCP between two virtual clients in memory: throughput, ns/segment, setup rate, vs kernel loopback
 *
 * Two l3.vclient devices linked back to back in one graph on the monotonic
 * clock, driven by the GLib main loop like an application would: one
 * connection, the sender writes through the pollable output stream whenever
 * it is writable, the receiver reads through the pollable input stream. The
 * numbers include the GIO stream layer, both TCP engines, IP framing and
 * checksums, the graph's dispatch and the copies in and out of the rings.
 *
 * The peer in the same run: the kernel's TCP over loopback (127.0.0.1),
 * blocking send()/recv() on two threads, the same transfer size.
 *
 * Usage: bench-vclient [megabytes per transfer (default 512)]
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pktkit/vclient.h>

#include "bench-util.h"

static struct pk_registry *reg;

struct bulk {
	GOutputStream *out;
	GInputStream *in;
	uint64_t to_send, sent, received;
	uint8_t wbuf[256 * 1024];
	uint8_t rbuf[256 * 1024];
	GMainLoop *loop;
	bool sender_done;
};

static gboolean bulk_writable(GObject *obj, gpointer data)
{
	struct bulk *b = data;

	(void)obj;
	while (b->sent < b->to_send) {
		gsize n = MIN(sizeof(b->wbuf), b->to_send - b->sent);
		gssize w = g_pollable_output_stream_write_nonblocking(
			G_POLLABLE_OUTPUT_STREAM(b->out), b->wbuf, n, NULL, NULL);

		if (w <= 0)
			return G_SOURCE_CONTINUE;
		b->sent += (uint64_t)w;
	}
	b->sender_done = true;
	return G_SOURCE_REMOVE;
}

static gboolean bulk_readable(GObject *obj, gpointer data)
{
	struct bulk *b = data;

	(void)obj;
	for (;;) {
		gssize r = g_pollable_input_stream_read_nonblocking(
			G_POLLABLE_INPUT_STREAM(b->in), b->rbuf, sizeof(b->rbuf), NULL, NULL);

		if (r <= 0)
			break;
		b->received += (uint64_t)r;
	}
	if (b->received >= b->to_send) {
		g_main_loop_quit(b->loop);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

struct pair {
	struct pk_graph *g;
	struct pk_vclient *a, *b;
	GIOStream *client, *server;
	PkVclientListener *l;
};

static void on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct pair *p = data;

	(void)src;
	p->client = pk_vclient_tcp_connect_finish(p->a, res, NULL);
}

static void on_accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct pair *p = data;

	p->server = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(src), res, NULL);
}

static void pair_setup(struct pair *p, uint32_t mtu, uint32_t bufsz)
{
	char params[256];
	GError *error = NULL;

	memset(p, 0, sizeof(*p));
	p->g = pk_graph_new(reg, NULL, 0);
	snprintf(params, sizeof(params),
		 "{\"addresses\": [{\"prefix\": \"10.0.0.1/24\"}], \"mtu\": %u, \"tcp-sndbuf\": %u, "
		 "\"tcp-rcvbuf\": %u, \"tcp-time-wait\": \"1ms\"}", mtu, bufsz, bufsz);
	bench_device(p->g, "a", "l3.vclient", params);
	snprintf(params, sizeof(params),
		 "{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}], \"mtu\": %u, \"tcp-sndbuf\": %u, "
		 "\"tcp-rcvbuf\": %u, \"tcp-time-wait\": \"1ms\"}", mtu, bufsz, bufsz);
	bench_device(p->g, "b", "l3.vclient", params);
	bench_link(p->g, "a.ip", "b.ip");
	if (!pk_graph_start(p->g, &error))
		g_error("start: %s", error->message);
	p->a = pk_vclient_lookup(p->g, "a");
	p->b = pk_vclient_lookup(p->g, "b");
	{
		g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string("0.0.0.0", 5001);

		p->l = pk_vclient_tcp_listen(p->b, any, 1024, &error);
		if (!p->l)
			g_error("listen: %s", error->message);
	}
}

static void pair_connect(struct pair *p)
{
	g_autoptr(GSocketAddress) dst = g_inet_socket_address_new_from_string("10.0.0.2", 5001);

	pk_vclient_listener_accept_async(p->l, NULL, on_accepted, p);
	pk_vclient_tcp_connect_async(p->a, dst, NULL, on_connected, p);
	while (!p->client || !p->server)
		g_main_context_iteration(NULL, TRUE);
}

static void pair_close(struct pair *p)
{
	g_io_stream_close(p->client, NULL, NULL);
	g_io_stream_close(p->server, NULL, NULL);
	g_clear_object(&p->client);
	g_clear_object(&p->server);
}

static void pair_free(struct pair *p)
{
	g_clear_object(&p->l);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_graph_free(p->g);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static void bench_bulk(const char *name, uint32_t mtu, uint32_t bufsz, uint64_t bytes)
{
	struct pair p;
	static struct bulk b;
	struct bench_counts counts;
	const struct pk_tcp_stats *st;
	uint64_t segs0, segs;
	double t0, dt;
	GSource *ws, *rs;

	pair_setup(&p, mtu, bufsz);
	pair_connect(&p);
	memset(&b, 0, sizeof(b));
	b.out = g_io_stream_get_output_stream(p.client);
	b.in = g_io_stream_get_input_stream(p.server);
	b.to_send = bytes;
	b.loop = g_main_loop_new(NULL, FALSE);
	st = pk_vclient_tcp_stats(p.a);
	segs0 = st->segs_out + pk_vclient_tcp_stats(p.b)->segs_out;
	ws = g_pollable_output_stream_create_source(G_POLLABLE_OUTPUT_STREAM(b.out), NULL);
	g_source_set_callback(ws, G_SOURCE_FUNC(bulk_writable), &b, NULL);
	g_source_attach(ws, NULL);
	rs = g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(b.in), NULL);
	g_source_set_callback(rs, G_SOURCE_FUNC(bulk_readable), &b, NULL);
	g_source_attach(rs, NULL);
	bench_counts_begin(&counts);
	t0 = bench_now_ns();
	g_main_loop_run(b.loop);
	dt = bench_now_ns() - t0;
	bench_counts_end(&counts);
	segs = pk_vclient_tcp_stats(p.a)->segs_out + pk_vclient_tcp_stats(p.b)->segs_out - segs0;
	printf("| %-34s | %7.2f | %9.1f | %10" G_GUINT64_FORMAT " | %9.3f | %9.3f | %6" G_GUINT64_FORMAT " |\n",
	       name, (double)bytes * 8 / dt, dt / (double)segs, segs,
	       (double)counts.allocs / (double)segs, (double)counts.pool_allocs / (double)segs,
	       pk_vclient_tcp_stats(p.a)->retransmits);
	if (pk_dev_counter(pk_graph_lookup(p.g, "a"), "loop-drops") ||
	    pk_dev_counter(pk_graph_lookup(p.g, "b"), "loop-drops"))
		printf("  (loop-drops a=%" G_GUINT64_FORMAT " b=%" G_GUINT64_FORMAT ")\n",
		       pk_dev_counter(pk_graph_lookup(p.g, "a"), "loop-drops"),
		       pk_dev_counter(pk_graph_lookup(p.g, "b"), "loop-drops"));
	fflush(stdout);
	g_source_destroy(ws);
	g_source_unref(ws);
	g_source_destroy(rs);
	g_source_unref(rs);
	g_main_loop_unref(b.loop);
	pair_close(&p);
	pair_free(&p);
}

static void bench_setup_rate(unsigned int n)
{
	struct pair p;
	struct bench_counts counts;
	double t0, dt;

	pair_setup(&p, 1500, 16384);
	bench_counts_begin(&counts);
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < n; i++) {
		pair_connect(&p);
		pair_close(&p);
	}
	while (pk_vclient_tcp_connections(p.a) || pk_vclient_tcp_connections(p.b))
		g_main_context_iteration(NULL, TRUE);
	dt = bench_now_ns() - t0;
	bench_counts_end(&counts);
	printf("| %-34s | %7.0f conn/s | %9.1f µs/conn | malloc/conn %.1f |\n",
	       "connect+accept+close (sequential)", n / (dt / 1e9), dt / n / 1e3,
	       (double)counts.allocs / n);
	pair_free(&p);
}

/* The kernel's TCP over loopback: the same transfer, two threads. */
struct kside {
	int fd;
	uint64_t bytes;
};

static gpointer kernel_sender(gpointer data)
{
	struct kside *k = data;
	static uint8_t buf[256 * 1024];
	uint64_t sent = 0;

	while (sent < k->bytes) {
		ssize_t n = send(k->fd, buf, MIN(sizeof(buf), k->bytes - sent), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sent += (uint64_t)n;
	}
	shutdown(k->fd, SHUT_WR);
	return NULL;
}

static void bench_kernel_loopback(uint64_t bytes)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int ls = socket(AF_INET, SOCK_STREAM, 0), cs, as;
	static uint8_t buf[256 * 1024];
	struct kside k;
	uint64_t got = 0;
	double t0, dt;
	GThread *th;

	if (ls < 0 || bind(ls, (struct sockaddr *)&sin, sizeof(sin)) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&sin, &len)) {
		printf("| kernel loopback: %s |\n", g_strerror(errno));
		return;
	}
	cs = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cs, (struct sockaddr *)&sin, sizeof(sin)) || (as = accept(ls, NULL, NULL)) < 0) {
		printf("| kernel loopback: %s |\n", g_strerror(errno));
		return;
	}
	k.fd = cs;
	k.bytes = bytes;
	t0 = bench_now_ns();
	th = g_thread_new("sender", kernel_sender, &k);
	for (;;) {
		ssize_t n = recv(as, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	dt = bench_now_ns() - t0;
	g_thread_join(th);
	printf("| %-34s | %7.2f | %9s | %10s | %9s | %9s | %6s |\n",
	       "kernel TCP, loopback (peer)", (double)got * 8 / dt, "-", "-", "-", "-", "-");
	close(as);
	close(cs);
	close(ls);
}

int main(int argc, char **argv)
{
	uint64_t mb = argc > 1 ? strtoull(argv[1], NULL, 10) : 512;
	uint64_t bytes = mb << 20;
	static const char *const types[] = { "l3.vclient", NULL };
	int rc = bench_registry_load(&reg, NULL, NULL, types,
				     "bench-vclient: pk-vclient.so not found (PKTKIT_MODULE_PATH)");

	if (rc)
		return rc;
	printf("TCP between two l3.vclient devices in memory, %" G_GUINT64_FORMAT " MiB per run, one "
	       "connection, GIO pollable streams; segments counted on both sides (data and ACKs)\n\n",
	       mb);
	printf("| %-34s | %7s | %9s | %10s | %9s | %9s | %6s |\n", "case", "Gbit/s", "ns/seg",
	       "segments", "malloc/seg", "pool/seg", "retx");
	printf("|%s|%s|%s|%s|%s|%s|%s|\n", "------------------------------------", "--------:",
	       "----------:", "-----------:", "----------:", "----------:", "-------:");
	bench_bulk("vclient->vclient, MTU 1500", 1500, 4u << 20, bytes);
	bench_bulk("vclient->vclient, MTU 9000", 9000, 4u << 20, bytes);
	bench_bulk("vclient->vclient, MTU 65535", 65535, 4u << 20, bytes);
	bench_kernel_loopback(bytes);
	printf("\n");
	bench_setup_rate(2000);
	return 0;
}
