// SPDX-License-Identifier: MIT
/* bench-qemu.c - Frames/s and bytes/s through io.qemu-listen with synthetic QEMU stream clients
 *
 * Two clients speak QEMU's stream framing (4-byte big-endian length + frame)
 * over UNIX sockets, each on its own thread; the graph runs on the main
 * thread's context. Client B first sends one frame so that its MAC is known,
 * then client A writes N frames to B's MAC and B counts what arrives.
 *
 *   shared: A and B on one io.qemu-listen (segments shared): guest to guest
 *           inside the listener.
 *   hub:    A on listener L1, B on listener L2, both linked to an l2.hub:
 *           L1 -> hub -> L2, the path of two QEMU listeners on one LAN.
 *
 * A writes either one record per write() ("single") or 64 records per
 * write() ("batched"). Time runs from A's first write to B's last frame;
 * frames the listener drops (B's queue full) are reported, not hidden.
 * Allocations: calls to malloc and friends in the whole process during the
 * run, and buffer-pool system allocations, per frame delivered.
 *
 * Usage: bench-qemu [frames per case [filter]]; filter selects the cases whose
 * "path/size/writes" name contains it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <glib/gstdio.h>

#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "bench-util.h"

/* Clients ------------------------------------------------------------------ */

#define BATCH 64

static const uint8_t MAC_A[6] = { 0x52, 0x54, 0, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0, 0, 0, 0xb };

struct run {
	const char *path_a, *path_b;
	uint32_t frames;
	uint32_t size;
	bool batched;
	int fa, fb;
	/* Results. */
	gint64 t_start;		/* A's first write */
	gint64 t_last;		/* B's last frame */
	uint64_t received;
	gint writer_done;
	gint reader_done;
};

static int client_connect(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
	if (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			perror("write");
			exit(1);
		}
		p += k;
		n -= (size_t)k;
	}
}

/* @n records of a frame of @size bytes from @src to @dst. */
static uint8_t *make_records(const uint8_t *dst, const uint8_t *src, uint32_t size, uint32_t n)
{
	uint8_t *buf = g_malloc0((size_t)(4 + size) * n);

	for (uint32_t i = 0; i < n; i++) {
		uint8_t *r = buf + (size_t)(4 + size) * i;

		r[0] = (uint8_t)(size >> 24);
		r[1] = (uint8_t)(size >> 16);
		r[2] = (uint8_t)(size >> 8);
		r[3] = (uint8_t)size;
		memcpy(r + 4, dst, 6);
		memcpy(r + 10, src, 6);
		r[16] = 0x88;
		r[17] = 0xb5;
	}
	return buf;
}

static gpointer writer_main(gpointer data)
{
	struct run *r = data;
	uint32_t per = r->batched ? BATCH : 1;
	size_t rec = 4 + (size_t)r->size;
	uint8_t *buf = make_records(MAC_B, MAC_A, r->size, per);

	r->t_start = g_get_monotonic_time();
	for (uint32_t sent = 0; sent < r->frames; sent += per) {
		uint32_t n = r->frames - sent < per ? r->frames - sent : per;

		write_all(r->fa, buf, rec * n);
	}
	g_free(buf);
	g_atomic_int_set(&r->writer_done, 1);
	return NULL;
}

static gpointer reader_main(gpointer data)
{
	struct run *r = data;
	size_t cap = 1 << 20, have = 0, rec = 4 + (size_t)r->size;
	uint8_t *buf = g_malloc(cap);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };

	/* The end: all frames, or no data for 200 ms after the writer finished. */
	setsockopt(r->fb, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (r->received < r->frames) {
		ssize_t k = read(r->fb, buf + have, cap - have);

		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (g_atomic_int_get(&r->writer_done))
				break;
			continue;
		}
		if (k <= 0)
			break;
		have += (size_t)k;
		/* All records have the same length: count whole ones, keep the rest. */
		r->received += have / rec;
		r->t_last = g_get_monotonic_time();
		memmove(buf, buf + have - have % rec, have % rec);
		have %= rec;
	}
	g_free(buf);
	g_atomic_int_set(&r->reader_done, 1);
	g_main_context_wakeup(NULL);
	return NULL;
}

/* Cases ---------------------------------------------------------------------- */

static struct pk_registry *bench_reg;
static char *bench_dir;

static void add(struct pk_graph *g, const char *id, const char *type, const char *json)
{
	g_autoptr(JsonNode) params = json ? json_from_string(json, NULL) : NULL;
	GError *error = NULL;

	if (!pk_graph_add_device(g, id, type, params ? json_node_get_object(params) : NULL,
				 &error)) {
		fprintf(stderr, "bench-qemu: %s: %s\n", id, error->message);
		exit(1);
	}
}

static void link_or_die(struct pk_graph *g, const char *a, const char *b)
{
	GError *error = NULL;

	if (!pk_graph_link(g, a, b, &error)) {
		fprintf(stderr, "bench-qemu: link: %s\n", error->message);
		exit(1);
	}
}

static void iterate_until(gint *flag)
{
	while (!g_atomic_int_get(flag))
		g_main_context_iteration(NULL, TRUE);
}

static void spin_ms(int ms)
{
	gint64 dl = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < dl)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(200);
}

static void run_case(const char *path, uint32_t size, bool batched, uint32_t frames,
		     const char *filter)
{
	g_autofree char *name = g_strdup_printf("%s/%u/%s", path, size,
						batched ? "batched" : "single");
	g_autofree char *sa = g_build_filename(bench_dir, "a.sock", NULL);
	g_autofree char *sb = g_build_filename(bench_dir, "b.sock", NULL);
	bool hub = strcmp(path, "hub") == 0;
	struct pk_graph *g = pk_graph_new(bench_reg, NULL, 0);
	struct run r = { .frames = frames, .size = size, .batched = batched };
	struct bench_counts counts;
	uint64_t drops = 0;
	GThread *tw, *tr;
	GError *error = NULL;
	double s, ns;

	if (filter && !strstr(name, filter)) {
		pk_graph_free(g);
		return;
	}
	{
#define LISTENER_PARAMS "{\"listen\": \"unix:%s\", \"queue-frames\": 4096}"
		g_autofree char *ja = g_strdup_printf(LISTENER_PARAMS, sa);
		g_autofree char *jb = g_strdup_printf(LISTENER_PARAMS, sb);

		add(g, "l1", "io.qemu-listen", ja);
		add(g, "lan", "l2.hub", NULL);
		link_or_die(g, "l1.lan", "lan");
		if (hub) {
			add(g, "l2", "io.qemu-listen", jb);
			link_or_die(g, "l2.lan", "lan");
		}
	}
	if (!pk_graph_start(g, &error)) {
		fprintf(stderr, "bench-qemu: start: %s\n", error->message);
		exit(1);
	}
	r.fa = client_connect(sa);
	r.fb = client_connect(hub ? sb : sa);
	spin_ms(20);
	{
		/* B announces its MAC (learned by its listener and the hub). */
		uint8_t *hello = make_records((const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
					      MAC_B, 60, 1);

		write_all(r.fb, hello, 64);
		g_free(hello);
		spin_ms(20);
		/* A's flood of its own hello reaches B: drain it before measuring. */
	}
	bench_counts_begin(&counts);
	tr = g_thread_new("reader", reader_main, &r);
	tw = g_thread_new("writer", writer_main, &r);
	iterate_until(&r.reader_done);
	bench_counts_end(&counts);
	g_thread_join(tw);
	g_thread_join(tr);
	drops = pk_dev_counter(pk_graph_lookup(g, "l1"), "dropped-queue-full") +
		(hub ? pk_dev_counter(pk_graph_lookup(g, "l2"), "dropped-queue-full") : 0);
	close(r.fa);
	close(r.fb);
	pk_graph_free(g);

	s = (double)(r.t_last - r.t_start) / 1e6;
	ns = r.received ? s * 1e9 / (double)r.received : 0;
	printf("| %-22s | %8" G_GUINT64_FORMAT " | %6.1f%% | %7.0f | %6.3f | %6.2f | %5.3f | %5.3f |\n",
	       name, r.received, 100.0 * (double)r.received / frames, ns,
	       (double)r.received / s / 1e6, (double)r.received * size * 8 / s / 1e9,
	       r.received ? (double)counts.allocs / (double)r.received : 0,
	       r.received ? (double)counts.pool_allocs / (double)r.received : 0);
	if (drops)
		printf("|   (listener dropped %" G_GUINT64_FORMAT " frames: B's queue full) | | | | | | | |\n",
		       drops);
	fflush(stdout);
}

/* Drop the listeners' connect lines (they would interleave with the table). */
static GLogWriterOutput quiet_writer(GLogLevelFlags level, const GLogField *fields, gsize n,
				     gpointer data)
{
	if (level & G_LOG_LEVEL_MESSAGE)
		return G_LOG_WRITER_HANDLED;
	return g_log_writer_default(level, fields, n, data);
}

int main(int argc, char **argv)
{
	uint32_t frames = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 200000;
	const char *filter = argc > 2 ? argv[2] : NULL;
	static const uint32_t sizes[] = { 64, 1500 };
	static const char *const needed[] = { "io.qemu-listen", "l2.hub", NULL };
	GError *error = NULL;
	int status;

	g_log_set_writer_func(quiet_writer, NULL, NULL);
	status = bench_registry_load(&bench_reg, NULL, NULL, needed,
				     "bench-qemu: io.qemu-listen and l2.hub are needed "
				     "(PKTKIT_MODULE_PATH)");
	if (status)
		return status;
	bench_dir = g_dir_make_tmp("pk-bench-qemu.XXXXXX", &error);
	if (!bench_dir) {
		fprintf(stderr, "bench-qemu: %s\n", error->message);
		return 1;
	}
	printf("%u frames per case; A -> B through io.qemu-listen (shared) or listener -> l2.hub -> "
	       "listener; writes of 1 or %d records\n\n",
	       frames, BATCH);
	printf("| case (path/size/writes) | received | of sent | ns/frame | Mpps | Gbit/s | "
	       "mallocs/frame | pool allocs/frame |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (int p = 0; p < 2; p++)
		for (unsigned s = 0; s < G_N_ELEMENTS(sizes); s++)
			for (int b = 0; b < 2; b++)
				run_case(p ? "hub" : "shared", sizes[s], b, frames, filter);
	g_rmdir(bench_dir);
	g_free(bench_dir);
	pk_registry_free(bench_reg);
	return 0;
}
