// SPDX-License-Identifier: MIT
/* bench-scale.c - What idle devices cost: RSS and start time of many hubs and per-guest segments
 *
 * Rows (each in a fresh graph; memory is the C allocator's bytes in use before
 * and after, so it includes every allocation a device makes to exist, touched
 * or not, and nothing earlier rows freed):
 *   idle-hubs	N l2.hub devices in a chain (N - 1 links): add + link + start
 *   segments	M per-guest segments as io.qemu-listen's templates build them:
 *		l2.hub + svc.dhcp-server + l3.adapter + l3.vclient, 3 links each
 *   mac-learn	one l2.hub learning K source MACs (frames injected from a
 *		core.pipe-l2; a second pipe counts what arrives)
 * Targets (issue 11): an idle segment <= 64 KB; 10,000 idle devices start in
 * under 2 s. Each row prints its figures and "met" or "MISSED".
 *
 *   idle <type>	1,000 devices of each of those types, unlinked, not started
 * Usage: bench-scale [hubs [segments [macs]]]  (defaults 10000 1000 10000)
 * The graph runs on the real clock (start time includes arming timers), with
 * the buffer pool as built (its slabs are not per device).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>

#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "bench-util.h"

static struct pk_registry *scale_reg;

#define SCALE_DHCP                                                            \
	"{\"server-ip\": \"10.88.0.1\", \"router\": \"10.88.0.1\","                \
	" \"range-start\": \"10.88.0.100\", \"range-end\": \"10.88.0.199\"}"
#define SCALE_ADDR "{\"addresses\": [{\"prefix\": \"10.88.0.1/24\"}]}"

/*
 * Bytes the C allocator has handed out and not taken back (mallinfo2: small
 * chunks in use plus mmap'd large ones). Unlike the resident set this does
 * not depend on what earlier rows freed back into the heap, and it counts
 * memory allocated but not yet touched (calloc'd tables).
 */
static uint64_t scale_heap(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static struct pk_graph *scale_graph(void)
{
	return pk_graph_new(scale_reg, NULL, 0);
}

static void scale_start(struct pk_graph *g)
{
	GError *error = NULL;

	if (!pk_graph_start(g, &error))
		g_error("start: %s", error->message);
}

static void scale_verdict(const char *what, bool met)
{
	printf("  %-58s %s\n", what, met ? "met" : "MISSED");
}

/* N hubs, hub i's port linked to hub i+1's port. */
static void scale_hubs(unsigned int n)
{
	struct pk_graph *g = scale_graph();
	uint64_t rss0 = scale_heap();
	double t0 = bench_now_ns(), t1, t2;
	uint64_t rss1;

	for (unsigned int i = 0; i < n; i++) {
		char id[32], a[48], b[48];

		snprintf(id, sizeof(id), "hub%u", i);
		bench_device(g, id, "l2.hub", NULL);
		if (i > 0) {
			snprintf(a, sizeof(a), "hub%u.port", i - 1);
			snprintf(b, sizeof(b), "hub%u.port", i);
			bench_link(g, a, b);
		}
	}
	t1 = bench_now_ns();
	scale_start(g);
	t2 = bench_now_ns();
	rss1 = scale_heap();
	printf("| idle-hubs | %u devices, %u links | %.0f KB | %.2f KB | %.3f s | %.3f s |\n", n,
	       n ? n - 1 : 0, (double)(rss1 - rss0) / 1024, (double)(rss1 - rss0) / 1024 / n,
	       (t1 - t0) / 1e9, (t2 - t0) / 1e9);
	fflush(stdout);
	if (n >= 10000)
		scale_verdict("10,000 idle devices start in under 2 s", (t2 - t0) < 2e9);
	pk_graph_free(g);
}

/* N devices of one type, unlinked (ports with a minimum of links are not
 * checked: the graph is not started, so this is what creating one costs). */
static void scale_type(const char *type, const char *params, unsigned int n)
{
	struct pk_graph *g = scale_graph();
	uint64_t rss0 = scale_heap(), rss1;
	double t0 = bench_now_ns(), t1;

	for (unsigned int i = 0; i < n; i++) {
		char id[32];

		snprintf(id, sizeof(id), "d%u", i);
		bench_device(g, id, type, params);
	}
	t1 = bench_now_ns();
	rss1 = scale_heap();
	printf("| idle %s | %u devices, not started | %.0f KB | %.2f KB | %.3f s | |\n", type, n,
	       (double)(rss1 - rss0) / 1024, (double)(rss1 - rss0) / 1024 / n, (t1 - t0) / 1e9);
	fflush(stdout);
	pk_graph_free(g);
}

/* M segments like the ones io.qemu-listen builds from a template. */
static void scale_segments(unsigned int m)
{
	struct pk_graph *g = scale_graph();
	uint64_t rss0 = scale_heap(), rss1;
	double t0 = bench_now_ns(), t1;
	struct pk_buf_stats pool0, pool1;

	for (unsigned int i = 0; i < m; i++) {
		char id[4][32], a[64], b[64];
		static const char *const kind[4] = { "lan", "dhcp", "gw", "vc" };

		for (unsigned int k = 0; k < 4; k++)
			snprintf(id[k], sizeof(id[k]), "s%u-%s", i, kind[k]);
		bench_device(g, id[0], "l2.hub", NULL);
		bench_device(g, id[1], "svc.dhcp-server", SCALE_DHCP);
		bench_device(g, id[2], "l3.adapter", SCALE_ADDR);
		bench_device(g, id[3], "l3.vclient", SCALE_ADDR);
		bench_link(g, id[1], id[0]);
		snprintf(a, sizeof(a), "%s.eth", id[2]);
		bench_link(g, a, id[0]);
		snprintf(a, sizeof(a), "%s.ip", id[2]);
		snprintf(b, sizeof(b), "%s.ip", id[3]);
		bench_link(g, a, b);
	}
	pk_buf_pool_stats(&pool0);
	scale_start(g);
	t1 = bench_now_ns();
	rss1 = scale_heap();
	pk_buf_pool_stats(&pool1);
	printf("| segments | %u x (hub, dhcp-server, adapter, vclient), %u links | %.0f KB | %.2f KB | | %.3f s |\n",
	       m, 3 * m, (double)(rss1 - rss0) / 1024, (double)(rss1 - rss0) / 1024 / m, (t1 - t0) / 1e9);
	printf("  buffer-pool slabs taken while starting: %" G_GUINT64_FORMAT ", buffers held after: %" G_GINT64_FORMAT "\n",
	       pool1.slabs - pool0.slabs, pool1.allocated - pool0.allocated);
	fflush(stdout);
	scale_verdict("an idle segment takes at most 64 KB", (rss1 - rss0) / m <= 64 * 1024);
	pk_graph_free(g);
}

/* One hub learns @k source MACs; every frame must reach the counting pipe. */
static void scale_macs(unsigned int k)
{
	struct pk_graph *g = scale_graph();
	struct pk_dev *src, *sink;
	uint8_t frame[64];
	uint64_t rss0, rss1;
	double t0, t1;

	g_autofree char *params = g_strdup_printf("{\"mac-table-size\": %u}", MAX(k, 8192u));

	bench_device(g, "hub", "l2.hub", params);
	src = bench_device(g, "src", "core.pipe-l2", "{\"capacity\": 0}");
	sink = bench_device(g, "sink", "core.pipe-l2", "{\"capacity\": 0}");
	bench_link(g, "src", "hub");
	bench_link(g, "sink", "hub");
	scale_start(g);
	/* Teach the hub where the sink is, so the frames are unicast to it. */
	memset(frame, 0, sizeof(frame));
	memcpy(frame + 6, "\x02\x00\x00\xff\xff\xfe", 6);
	frame[12] = 0x08;
	pk_pipe_inject(sink, frame, sizeof(frame));
	memcpy(frame, "\x02\x00\x00\xff\xff\xfe", 6);

	rss0 = scale_heap();
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < k; i++) {
		frame[6] = 0x02;
		frame[7] = 0x10;
		frame[8] = (uint8_t)(i >> 24);
		frame[9] = (uint8_t)(i >> 16);
		frame[10] = (uint8_t)(i >> 8);
		frame[11] = (uint8_t)i;
		pk_pipe_inject(src, frame, sizeof(frame));
	}
	t1 = bench_now_ns();
	rss1 = scale_heap();
	if (pk_dev_counter(pk_graph_lookup(g, "hub"), "mac-learned") < k)
		g_error("mac-learn: the hub learned %" G_GUINT64_FORMAT " of %u MACs",
			pk_dev_counter(pk_graph_lookup(g, "hub"), "mac-learned"), k);
	printf("| mac-learn | 1 hub, %u MACs | %.0f KB | %.1f B/MAC | %.1f ns/MAC | |\n", k,
	       (double)(rss1 - rss0) / 1024, (double)(rss1 - rss0) / k, (t1 - t0) / k);
	fflush(stdout);
	pk_graph_free(g);
}

int main(int argc, char **argv)
{
	static const char *const types[] = { "l2.hub", "svc.dhcp-server", "l3.adapter", "l3.vclient",
					     "core.pipe-l2", NULL };
	unsigned int hubs = argc > 1 ? (unsigned int)atoi(argv[1]) : 10000;
	unsigned int segs = argc > 2 ? (unsigned int)atoi(argv[2]) : 1000;
	unsigned int macs = argc > 3 ? (unsigned int)atoi(argv[3]) : 10000;
	int rc = bench_registry_load(&scale_reg, NULL, "bench/scale", types,
				     "bench-scale: needs the hub, dhcp, adapter and vclient modules "
				     "(PKTKIT_MODULE_PATH)");

	if (rc)
		return rc;
	g_autofree char *load = NULL;

	g_file_get_contents("/proc/loadavg", &load, NULL, NULL);
	printf("bench-scale: loadavg %s", load ? load : "?\n");
	/* The buffer pool takes its first slab of each size class on first use,
	 * once per process: take them now so no row counts them. */
	for (uint32_t len = 64; len <= 65000; len *= 8)
		pk_buf_unref(pk_buf_alloc(len));
	printf("\n| row | what | heap in use | per device/segment | create | create + start |\n"
	       "|---|---|---:|---:|---:|---:|\n");
	scale_hubs(hubs);
	scale_type("l2.hub", NULL, 1000);
	scale_type("svc.dhcp-server", SCALE_DHCP, 1000);
	scale_type("l3.adapter", SCALE_ADDR, 1000);
	scale_type("l3.vclient", SCALE_ADDR, 1000);
	scale_segments(segs);
	scale_macs(macs);
	pk_registry_free(scale_reg);
	return 0;
}
