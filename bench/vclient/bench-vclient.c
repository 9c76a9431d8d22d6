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
 * The peer in the same run: the kernel's TCP over loopback (127.0.0.1), the
 * same transfer size, both ends on one thread (non-blocking send()/recv()
 * driven by poll(), as the two vclients share one main loop), with the MSS
 * clamped by TCP_MAXSEG to what each vclient MTU gives (1460, 8960) or left
 * at loopback's (MTU 65536). What still differs: loopback passes TCP's 64 KB
 * GSO packets through the stack unsegmented whatever the MSS, so the kernel
 * does per-packet work per 64 KB; the vclient rows with "tso" do the same
 * (64 KB super-segments handed from one vclient to the other), the rows
 * without it do their per-segment work per MSS.
 *
 * Connection set-up: sequential connect + accept + close on the same pair,
 * timed on the real clock and the real GLib main loop as an application
 * would see it; the CPU time of the process and the number of main-loop
 * polls that were allowed to sleep (non-zero timeout) are printed beside it.
 *
 * Every row runs BENCH_RUNS times (default 3); each run and the median are
 * printed. The first line shows /proc/loadavg: the machine may be shared.
 *
 * Usage: bench-vclient [megabytes per transfer (default 512)]
 */
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/resource.h>
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
static unsigned int n_runs = 3;

/* Polls of the main loop, and those allowed to sleep (timeout != 0). */
static GPollFunc real_poll;
static uint64_t n_polls, n_poll_waits;

static gint counting_poll(GPollFD *fds, guint nfds, gint timeout)
{
	n_polls++;
	if (timeout != 0)
		n_poll_waits++;
	return real_poll(fds, nfds, timeout);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n values; @text gets them in run order ("a, b, c") with @prec decimals. */
static double runs_median(const double *v, unsigned int n, char *text, size_t len, int prec)
{
	double sorted[16];
	size_t off = 0;

	g_assert(n >= 1 && n <= G_N_ELEMENTS(sorted));
	text[0] = 0;
	for (unsigned int i = 0; i < n && off < len; i++) {
		off += (size_t)snprintf(text + off, len - off, "%s", i ? ", " : "");
		if (off < len)
			off += (size_t)snprintf(text + off, len - off, "%.*f", prec, v[i]);
	}
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static void print_loadavg(void)
{
	g_autofree char *load = NULL;

	if (g_file_get_contents("/proc/loadavg", &load, NULL, NULL))
		printf("loadavg: %s", load);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

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

static void pair_setup(struct pair *p, uint32_t mtu, uint32_t bufsz, bool tso)
{
	char params[320];
	GError *error = NULL;

	memset(p, 0, sizeof(*p));
	p->g = pk_graph_new(reg, NULL, 0);
	snprintf(params, sizeof(params),
		 "{\"addresses\": [{\"prefix\": \"10.0.0.1/24\"}], \"mtu\": %u, \"tcp-sndbuf\": %u, "
		 "\"tcp-rcvbuf\": %u, \"tcp-time-wait\": \"1ms\", \"tso\": %s}", mtu, bufsz, bufsz,
		 tso ? "true" : "false");
	bench_device(p->g, "a", "l3.vclient", params);
	snprintf(params, sizeof(params),
		 "{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}], \"mtu\": %u, \"tcp-sndbuf\": %u, "
		 "\"tcp-rcvbuf\": %u, \"tcp-time-wait\": \"1ms\", \"tso\": %s}", mtu, bufsz, bufsz,
		 tso ? "true" : "false");
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

struct bulk_run {
	double gbps, ns_per_seg, cpu_ns_per_seg, segs, mallocs_per_seg, pool_per_seg, retx;
};

static void bench_bulk_once(uint32_t mtu, uint32_t bufsz, bool tso, uint64_t bytes,
			    struct bulk_run *out)
{
	struct pair p;
	static struct bulk b;
	struct bench_counts counts;
	uint64_t segs0, segs;
	double t0, dt, c0;
	GSource *ws, *rs;

	pair_setup(&p, mtu, bufsz, tso);
	pair_connect(&p);
	memset(&b, 0, sizeof(b));
	b.out = g_io_stream_get_output_stream(p.client);
	b.in = g_io_stream_get_input_stream(p.server);
	b.to_send = bytes;
	b.loop = g_main_loop_new(NULL, FALSE);
	segs0 = pk_vclient_tcp_stats(p.a)->segs_out + pk_vclient_tcp_stats(p.b)->segs_out;
	ws = g_pollable_output_stream_create_source(G_POLLABLE_OUTPUT_STREAM(b.out), NULL);
	g_source_set_callback(ws, G_SOURCE_FUNC(bulk_writable), &b, NULL);
	g_source_attach(ws, NULL);
	rs = g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(b.in), NULL);
	g_source_set_callback(rs, G_SOURCE_FUNC(bulk_readable), &b, NULL);
	g_source_attach(rs, NULL);
	bench_counts_begin(&counts);
	c0 = cpu_seconds();
	t0 = bench_now_ns();
	g_main_loop_run(b.loop);
	dt = bench_now_ns() - t0;
	c0 = cpu_seconds() - c0;
	bench_counts_end(&counts);
	/* The work was done: every byte arrived, nothing was dropped by the loop guard. */
	if (b.received != bytes)
		g_error("MTU %u: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes arrived", mtu,
			b.received, bytes);
	if (pk_dev_counter(pk_graph_lookup(p.g, "a"), "loop-drops") ||
	    pk_dev_counter(pk_graph_lookup(p.g, "b"), "loop-drops"))
		g_error("MTU %u: loop-drops a=%" G_GUINT64_FORMAT " b=%" G_GUINT64_FORMAT, mtu,
			pk_dev_counter(pk_graph_lookup(p.g, "a"), "loop-drops"),
			pk_dev_counter(pk_graph_lookup(p.g, "b"), "loop-drops"));
	segs = pk_vclient_tcp_stats(p.a)->segs_out + pk_vclient_tcp_stats(p.b)->segs_out - segs0;
	out->gbps = (double)bytes * 8 / dt;
	out->ns_per_seg = dt / (double)segs;
	out->cpu_ns_per_seg = c0 * 1e9 / (double)segs;
	out->segs = (double)segs;
	out->mallocs_per_seg = (double)counts.allocs / (double)segs;
	out->pool_per_seg = (double)counts.pool_allocs / (double)segs;
	out->retx = (double)pk_vclient_tcp_stats(p.a)->retransmits;
	g_source_destroy(ws);
	g_source_unref(ws);
	g_source_destroy(rs);
	g_source_unref(rs);
	g_main_loop_unref(b.loop);
	pair_close(&p);
	pair_free(&p);
}

static void bench_bulk(const char *name, uint32_t mtu, uint32_t bufsz, bool tso, uint64_t bytes)
{
	struct bulk_run r[16];
	double gbps[16], ns[16], cpu[16], mallocs = 0, pool = 0, retx = 0, segs = 0, med;
	char runs[256];

	for (unsigned int i = 0; i < n_runs; i++) {
		bench_bulk_once(mtu, bufsz, tso, bytes, &r[i]);
		gbps[i] = r[i].gbps;
		ns[i] = r[i].ns_per_seg;
		cpu[i] = r[i].cpu_ns_per_seg;
		mallocs += r[i].mallocs_per_seg / n_runs;
		pool += r[i].pool_per_seg / n_runs;
		retx = MAX(retx, r[i].retx);
		segs += r[i].segs / n_runs;
	}
	med = runs_median(gbps, n_runs, runs, sizeof(runs), 1);
	printf("| %-38s | %6.1f | %-24s | %8.0f | %8.0f | %9.0f | %9.4f | %9.4f | %4.0f |\n", name,
	       med, runs, runs_median(ns, n_runs, (char[256]){ 0 }, 256, 0),
	       runs_median(cpu, n_runs, (char[256]){ 0 }, 256, 0), segs, mallocs, pool, retx);
	fflush(stdout);
}

static void bench_setup_once(unsigned int n, double *us, double *cpu_us, double *waits,
			     double *mallocs)
{
	struct pair p;
	struct bench_counts counts;
	GMainContext *ctx = g_main_context_default();
	double t0, dt, c0;

	pair_setup(&p, 1500, 16384, false);
	real_poll = g_main_context_get_poll_func(ctx);
	g_main_context_set_poll_func(ctx, counting_poll);
	n_polls = n_poll_waits = 0;
	bench_counts_begin(&counts);
	c0 = cpu_seconds();
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < n; i++) {
		pair_connect(&p);
		pair_close(&p);
	}
	while (pk_vclient_tcp_connections(p.a) || pk_vclient_tcp_connections(p.b))
		g_main_context_iteration(NULL, TRUE);
	dt = bench_now_ns() - t0;
	*cpu_us = (cpu_seconds() - c0) * 1e6 / n;
	bench_counts_end(&counts);
	g_main_context_set_poll_func(ctx, real_poll);
	*us = dt / n / 1e3;
	*waits = (double)n_poll_waits / n;
	*mallocs = (double)counts.allocs / n;
	pair_free(&p);
}

static void bench_setup_rate(unsigned int n)
{
	double us[16], cpu[16], waits[16], mallocs[16], med;
	char runs[256], cpu_runs[256], tmp[256];

	for (unsigned int i = 0; i < n_runs; i++)
		bench_setup_once(n, &us[i], &cpu[i], &waits[i], &mallocs[i]);
	med = runs_median(us, n_runs, runs, sizeof(runs), 1);
	runs_median(cpu, n_runs, cpu_runs, sizeof(cpu_runs), 1);
	printf("Connection set-up, %u sequential connect + accept + close on one pair, real clock "
	       "and GLib main loop:\n\n", n);
	printf("| %-22s | %9s | %-22s | %-22s | %12s | %11s |\n", "case", "conn/s", "µs/conn (runs)",
	       "CPU µs/conn (runs)", "poll waits/c", "malloc/conn");
	printf("|------------------------|----------:|------------------------|"
	       "------------------------|-------------:|------------:|\n");
	printf("| %-22s | %9.0f | %-22s | %-22s | %12.3f | %11.1f |\n", "connect+accept+close",
	       1e6 / med, runs, cpu_runs, runs_median(waits, n_runs, tmp, sizeof(tmp), 3),
	       runs_median(mallocs, n_runs, tmp, sizeof(tmp), 1));
	printf("\nconn/s from the median wall time; \"poll waits\" are main-loop polls per "
	       "connection allowed to sleep\n(non-zero timeout): 0 means no connection waited for "
	       "a timer or a wake-up.\n");
}

/* The kernel's TCP over loopback: the same transfer, both ends on this thread. */
static double kernel_loopback_once(uint64_t bytes, int mss)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int ls = socket(AF_INET, SOCK_STREAM, 0), cs = -1, as = -1;
	static uint8_t wbuf[256 * 1024], rbuf[256 * 1024];
	uint64_t sent = 0, got = 0;
	double t0, dt;

	if (ls < 0 || (mss && setsockopt(ls, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss))) ||
	    bind(ls, (struct sockaddr *)&sin, sizeof(sin)) || listen(ls, 1) ||
	    getsockname(ls, (struct sockaddr *)&sin, &len))
		g_error("kernel loopback: %s", g_strerror(errno));
	cs = socket(AF_INET, SOCK_STREAM, 0);
	if (cs < 0 || (mss && setsockopt(cs, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss))) ||
	    connect(cs, (struct sockaddr *)&sin, sizeof(sin)) || (as = accept(ls, NULL, NULL)) < 0)
		g_error("kernel loopback: %s", g_strerror(errno));
	fcntl(cs, F_SETFL, fcntl(cs, F_GETFL) | O_NONBLOCK);
	fcntl(as, F_SETFL, fcntl(as, F_GETFL) | O_NONBLOCK);
	t0 = bench_now_ns();
	for (;;) {
		struct pollfd pfd[2] = { { .fd = as, .events = POLLIN },
					 { .fd = cs, .events = sent < bytes ? POLLOUT : 0 } };
		ssize_t n;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			g_error("poll: %s", g_strerror(errno));
		while (sent < bytes &&
		       (n = send(cs, wbuf, MIN(sizeof(wbuf), bytes - sent), 0)) > 0) {
			sent += (uint64_t)n;
			if (sent == bytes)
				shutdown(cs, SHUT_WR);
		}
		while ((n = recv(as, rbuf, sizeof(rbuf), 0)) > 0)
			got += (uint64_t)n;
		if (n == 0)
			break;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			g_error("recv: %s", g_strerror(errno));
	}
	dt = bench_now_ns() - t0;
	if (got != bytes)
		g_error("kernel loopback: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes", got,
			bytes);
	close(as);
	close(cs);
	close(ls);
	return (double)got * 8 / dt;
}

static void bench_kernel_loopback(const char *name, uint64_t bytes, int mss)
{
	double gbps[16], med;
	char runs[256];

	for (unsigned int i = 0; i < n_runs; i++)
		gbps[i] = kernel_loopback_once(bytes, mss);
	med = runs_median(gbps, n_runs, runs, sizeof(runs), 1);
	printf("| %-38s | %6.1f | %-24s | %8s | %8s | %9s | %9s | %9s | %4s |\n", name, med, runs,
	       "-", "-", "-", "-", "-", "-");
	fflush(stdout);
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
	if (getenv("BENCH_RUNS"))
		n_runs = (unsigned int)CLAMP(atoi(getenv("BENCH_RUNS")), 1, 16);
	printf("TCP between two l3.vclient devices in memory, %" G_GUINT64_FORMAT " MiB per run, one "
	       "connection, GIO pollable streams, %u runs per row; segments counted on both sides "
	       "(data and ACKs)\n\n", mb, n_runs);
	printf("| %-38s | %6s | %-24s | %8s | %8s | %9s | %9s | %9s | %4s |\n", "case", "Gbit/s",
	       "runs (Gbit/s)", "ns/seg", "CPU ns/s", "segments", "malloc/seg", "pool/seg", "retx");
	printf("|----------------------------------------|-------:|--------------------------|"
	       "---------:|---------:|----------:|----------:|----------:|-----:|\n");
	bench_bulk("vclient->vclient, MTU 1500", 1500, 4u << 20, false, bytes);
	bench_bulk("vclient->vclient, MTU 1500, tso", 1500, 4u << 20, true, bytes);
	bench_bulk("vclient->vclient, MTU 9000", 9000, 4u << 20, false, bytes);
	bench_bulk("vclient->vclient, MTU 65535", 65535, 4u << 20, false, bytes);
	bench_kernel_loopback("kernel loopback, MSS 1460 (peer)", bytes, 1460);
	bench_kernel_loopback("kernel loopback, MSS 8960 (peer)", bytes, 8960);
	bench_kernel_loopback("kernel loopback, MTU 65536 (peer)", bytes, 0);
	printf("\nGbit/s: median of the runs; ns/seg (wall) and CPU ns/s (process CPU time per "
	       "segment): medians; segments, malloc/seg, pool/seg: mean "
	       "per run; retx: most in a run.\nKernel rows: both ends on one thread (poll), "
	       "TCP_MAXSEG as given; loopback passes 64 KB GSO packets\nunsegmented, like the "
	       "vclient rows with tso.\n");
	print_loadavg();
	printf("\n");
	bench_setup_rate(2000);
	print_loadavg();
	return 0;
}
