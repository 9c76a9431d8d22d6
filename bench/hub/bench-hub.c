// SPDX-License-Identifier: MIT
/* bench-hub.c - Micro benchmark of l2.hub and l3.router: ns/frame, Mpps, allocations per op
 *
 * Traffic is injected from a core.pipe device with pk_pipe_inject_batch()
 * and lands in core.pipe devices with capacity 0 (counted, not queued), on a
 * fake-clock graph so that a dispatch does not read the system clock. The
 * same path without the hub (pipe linked to pipe) is measured too: the
 * difference is what the hub costs. Allocations are counted by wrapping the
 * C allocator of the whole process, and from the buffer pool's statistics.
 * Each case checks that its work was done: the sink pipes' "received"
 * counters must grow by exactly the frames injected times the deliveries per
 * frame (8 for the flood, 1 otherwise), and nothing may come back to the
 * injecting pipe; a failed check aborts the run.
 *
 * Usage: bench-hub [frames per case [filter]]; filter selects the cases whose
 * "name/batch" contains it. BENCH_L2_PARAMS: JSON parameters of the l2.hub
 * in the unicast cases (e.g. '{"mac-table-size": 100000}'). BENCH_REAL_CLOCK: use
 * the monotonic clock instead of a fake one (each dispatch then reads it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "bench-util.h"

/* Setup ------------------------------------------------------------------ */

#define BENCH_ROUTES                                                          \
	"{\"routes\": ["                                                      \
	"{\"prefix\": \"10.1.0.0/16\", \"port\": 1},"                        \
	"{\"prefix\": \"10.2.0.0/16\", \"port\": 2},"                        \
	"{\"prefix\": \"10.3.0.0/24\", \"port\": 2},"                        \
	"{\"prefix\": \"10.3.1.0/24\", \"port\": 1},"                        \
	"{\"prefix\": \"10.3.2.0/24\", \"port\": 2},"                        \
	"{\"prefix\": \"10.4.0.0/14\", \"port\": 1},"                        \
	"{\"prefix\": \"10.9.9.9/32\", \"port\": 2},"                        \
	"{\"prefix\": \"172.16.0.0/12\", \"port\": 2},"                      \
	"{\"prefix\": \"192.168.0.0/16\", \"port\": 0},"                     \
	"{\"prefix\": \"fd00:1::/64\", \"port\": 1},"                        \
	"{\"prefix\": \"fd00:2::/64\", \"port\": 2},"                        \
	"{\"prefix\": \"fd00:3::/48\", \"port\": 2},"                        \
	"{\"prefix\": \"fd00:1::9/128\", \"port\": 2},"                      \
	"{\"prefix\": \"2001:db8::/32\", \"port\": 2}"                       \
	"], \"default-port\": 2}"

static struct pk_registry *bench_reg;

/* The graph of the cases being measured and its pipe count (p0 injects). */
static struct pk_graph *bench_cur_graph;
static unsigned int bench_cur_ports;

/*
 * bench.wire-l2 / bench.wire-l3: a device with ports 0 and 1 that emits every
 * batch out of the other port, doing nothing else. pipe -> wire -> pipe costs
 * what one extra hop costs the core, so "hub row - wire row" is the hub's own
 * work.
 */
#include <pktkit/module.h>

static void wire_receive(struct pk_dev *dev, void *self, uint32_t port,
			 const struct pk_batch *batch)
{
	pk_dev_emit(dev, PK_PORT(0, PK_PORT_INDEX(port) ^ 1), batch);
}

static const struct pk_device_ops wire_ops = { .receive = wire_receive };
static const struct pk_port_group wire_l2_ports[] = { { "port", PK_L2, 0, 2, "Ends", 0 } };
static const struct pk_port_group wire_l3_ports[] = { { "port", PK_L3, 0, 2, "Ends", 0 } };
static const struct pk_device_type wire_l2_type = {
	.name = "bench.wire-l2", .summary = "Forwards between its two ports", .doc = "Bench.",
	PK_ARRAY(ports, wire_l2_ports), .ops = &wire_ops,
};
static const struct pk_device_type wire_l3_type = {
	.name = "bench.wire-l3", .summary = "Forwards between its two ports", .doc = "Bench.",
	PK_ARRAY(ports, wire_l3_ports), .ops = &wire_ops,
};
static const struct pk_device_type *const wire_types[] = { &wire_l2_type, &wire_l3_type, NULL };
static const struct pk_module_info wire_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR, .name = "bench", .version = "0",
	.license = "MIT", .description = "Benchmark helpers", .origin = "bench/hub",
	.types = wire_types,
};

/* A device @type "dut" with @n_ports pipes (p0 injects, the others count only). */
static struct pk_graph *bench_graph(const char *type, const char *params, unsigned int n_ports,
				    const char *pipe_type, struct pk_dev **src)
{
	struct pk_graph *g = bench_graph_new(bench_reg);
	GError *error = NULL;

	if (type)
		bench_device(g, "dut", type, params);
	for (unsigned int i = 0; i < n_ports; i++) {
		g_autofree char *id = g_strdup_printf("p%u", i);
		g_autofree char *ep = g_strdup_printf("dut.port.%u", i);
		struct pk_dev *p = bench_device(g, id, pipe_type, "{\"capacity\": 0}");

		if (i == 0)
			*src = p;
		if (type)
			bench_link(g, id, ep);
	}
	if (!type)
		bench_link(g, "p0", "p1");	/* baseline: the same path without the hub */
	if (!pk_graph_start(g, &error))
		g_error("%s", error->message);
	bench_cur_graph = g;
	bench_cur_ports = n_ports;
	return g;
}

/* Frames counted by pipe @first .. the last pipe of the current graph. */
static uint64_t bench_received(unsigned int first, unsigned int last)
{
	uint64_t n = 0;

	for (unsigned int i = first; i <= last; i++) {
		g_autofree char *id = g_strdup_printf("p%u", i);

		n += pk_dev_counter(pk_graph_lookup(bench_cur_graph, id), "received");
	}
	return n;
}

static void bench_eth(uint8_t *f, unsigned int dst, unsigned int src, uint32_t len)
{
	memset(f, 0, len);
	f[0] = 0x02;
	f[5] = (uint8_t)dst;
	f[6] = 0x02;
	f[11] = (uint8_t)src;
	f[12] = 0x08;
	f[13] = 0x00;
	if (dst == 0xff)
		memset(f, 0xff, 6);
}

static uint16_t bench_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t bench_ip(uint8_t *p, int family, const char *dst, uint32_t len)
{
	memset(p, 0, len);
	if (family == 4) {
		uint16_t c;

		p[0] = 0x45;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		p[8] = 64;
		p[9] = 17;
		inet_pton(AF_INET, "192.168.1.1", p + 12);
		inet_pton(AF_INET, dst, p + 16);
		c = bench_csum(p, 20);
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
	} else {
		p[0] = 0x60;
		p[4] = (uint8_t)((len - 40) >> 8);
		p[5] = (uint8_t)(len - 40);
		p[6] = 17;
		p[7] = 64;
		inet_pton(AF_INET6, "fd00:9::1", p + 8);
		inet_pton(AF_INET6, dst, p + 24);
	}
	return len;
}

/* Measurement ----------------------------------------------------------- */

struct bench_case {
	const char *name;
	struct pk_dev *src;
	struct pk_batch batch;
	bool restore_ttl;	/* the router decrements in place: put it back */
	unsigned int fanout;	/* deliveries per injected frame (the check) */
	uint8_t hdr[64][12];	/* first 12 bytes of each packet as built */
};

static void bench_run_once(struct bench_case *c)
{
	pk_pipe_inject_batch(c->src, &c->batch);
	if (c->restore_ttl) {
		for (uint32_t i = 0; i < c->batch.n; i++) {
			uint8_t *d = pk_buf_data(c->batch.buf[i]);

			/* TTL/hop limit and the IPv4 checksum live in bytes 7..11. */
			memcpy(d + 7, c->hdr[i] + 7, 5);
		}
	}
}

/* @iters runs of the case @ctx: the timed loop. */
static void bench_run_iters(void *ctx, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		bench_run_once(ctx);
}

static const char *bench_filter;

/*
 * Run a case in BENCH_ROUNDS rounds and report the fastest and the median
 * round: the machine is shared, and the minimum is the least disturbed.
 */
#define BENCH_ROUNDS 9

static void bench_measure(struct bench_case *c, uint64_t frames_target)
{
	uint64_t iters = MAX(frames_target / c->batch.n / BENCH_ROUNDS, 1000);
	uint64_t frames = iters * BENCH_ROUNDS * c->batch.n;
	struct bench_result res;
	uint64_t sunk, back, expected;

	if (!bench_selected(bench_filter, c->name, c->batch.n))
		return;
	sunk = bench_received(1, bench_cur_ports - 1);
	back = bench_received(0, 0);
	bench_run_iters(c, iters);	/* warm up */
	bench_rounds(BENCH_ROUNDS, bench_run_iters, c, iters, iters * c->batch.n, &res);
	sunk = bench_received(1, bench_cur_ports - 1) - sunk;
	back = bench_received(0, 0) - back;
	expected = (frames + iters * c->batch.n) * c->fanout;
	if (sunk != expected || back != 0)
		g_error("%s/%u: %" G_GUINT64_FORMAT " deliveries to the sinks (expected %"
			G_GUINT64_FORMAT "), %" G_GUINT64_FORMAT " back to the source",
			c->name, c->batch.n, sunk, expected, back);
	bench_rate_row(36, c->name, c->batch.n, &res, frames);
}

/* @n frames to host @dst from host 1, or with @flows, from host 1 + i to @dst + i. */
static void bench_case_frames(struct bench_case *c, struct pk_dev *src, const char *name,
			      unsigned int n, unsigned int dst, uint32_t len, bool flows)
{
	uint8_t f[2048];

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->src = src;
	c->fanout = 1;
	for (unsigned int i = 0; i < n; i++) {
		bench_eth(f, flows ? dst + i : dst, flows ? 1 + i : 1, len);
		c->batch.buf[c->batch.n++] = pk_buf_new_copy(f, len);
	}
}

/* @n packets to @dst, or to dst[i % n_dst] when @dst lists several ("a|b|c"). */
static void bench_case_packets(struct bench_case *c, struct pk_dev *src, const char *name,
			       unsigned int n, int family, const char *dst, uint32_t len)
{
	g_auto(GStrv) dsts = g_strsplit(dst, "|", -1);
	guint n_dsts = g_strv_length(dsts);
	uint8_t p[2048];

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->src = src;
	c->fanout = 1;
	c->restore_ttl = true;
	for (unsigned int i = 0; i < n; i++) {
		bench_ip(p, family, dsts[i % n_dsts], len);
		memcpy(c->hdr[i], p, 12);
		c->batch.buf[c->batch.n++] = pk_buf_new_copy(p, len);
	}
}

static void bench_case_free(struct bench_case *c)
{
	pk_batch_unref_all(&c->batch);
}

int main(int argc, char **argv)
{
	uint64_t frames = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 20000000;
	struct pk_graph *g;
	struct pk_dev *src;
	struct bench_case c;
	static const char *const needed[] = { "l2.hub", NULL };
	int status;

	/* Run only the cases whose "name/batch" contains this. */
	bench_filter = argc > 2 ? argv[2] : NULL;
	status = bench_registry_load(&bench_reg, &wire_module, "(bench/hub)", needed,
				     "bench-hub: pk-hub.so not found (set PKTKIT_MODULE_PATH)");
	if (status)
		return status;
	bench_rate_header(36, "ns/frame", "malloc/fr", "pool/fr");

	/* Baseline: pipe -> pipe, the cost of the core and the pipes alone. */
	g = bench_graph(NULL, NULL, 2, "core.pipe-l2", &src);
	bench_case_frames(&c, src, "baseline pipe->pipe (no hub)", 1, 2, 64, false);
	bench_measure(&c, frames / 4);
	bench_case_free(&c);
	bench_case_frames(&c, src, "baseline pipe->pipe (no hub)", 32, 2, 64, false);
	bench_measure(&c, frames);
	bench_case_free(&c);
	pk_graph_free(g);

	/* One extra hop that does nothing: the core's share of the rows below. */
	g = bench_graph("bench.wire-l2", NULL, 2, "core.pipe-l2", &src);
	bench_case_frames(&c, src, "null hop pipe->wire->pipe", 1, 2, 64, false);
	bench_measure(&c, frames / 4);
	bench_case_free(&c);
	bench_case_frames(&c, src, "null hop pipe->wire->pipe", 32, 2, 64, false);
	bench_measure(&c, frames);
	bench_case_free(&c);
	pk_graph_free(g);

	/* L2 known unicast. */
	g = bench_graph("l2.hub", getenv("BENCH_L2_PARAMS"), 2, "core.pipe-l2", &src);
	{
		uint8_t f[64];
		struct pk_dev *p1 = pk_graph_lookup(g, "p1");

		bench_eth(f, 0xff, 2, 64);	/* host 2 behind port 1 */
		pk_pipe_inject(p1, f, 64);
		for (unsigned int i = 0; i < 32; i++) {	/* hosts 100..131 too */
			bench_eth(f, 0xff, 100 + i, 64);
			pk_pipe_inject(p1, f, 64);
		}
	}
	bench_case_frames(&c, src, "l2.hub known unicast", 1, 2, 64, false);
	bench_measure(&c, frames / 4);
	bench_case_free(&c);
	bench_case_frames(&c, src, "l2.hub known unicast", 32, 2, 64, false);
	bench_measure(&c, frames);
	bench_case_free(&c);
	bench_case_frames(&c, src, "l2.hub known unicast, 32 flows", 32, 100, 64, true);
	bench_measure(&c, frames);
	bench_case_free(&c);
	pk_graph_free(g);

	/* L2 flood to 8 ports. */
	g = bench_graph("l2.hub", NULL, 9, "core.pipe-l2", &src);
	bench_case_frames(&c, src, "l2.hub broadcast flood to 8 ports", 1, 0xff, 64, false);
	c.fanout = 8;
	bench_measure(&c, frames / 16);
	bench_case_free(&c);
	bench_case_frames(&c, src, "l2.hub broadcast flood to 8 ports", 32, 0xff, 64, false);
	c.fanout = 8;
	bench_measure(&c, frames / 4);
	bench_case_free(&c);
	pk_graph_free(g);

	/* L3 routing (14 routes + default). */
	g = bench_graph("l3.router", BENCH_ROUTES, 3, "core.pipe-l3", &src);
	bench_case_packets(&c, src, "l3.router IPv4 /24 route", 1, 4, "10.3.1.7", 64);
	bench_measure(&c, frames / 4);
	bench_case_free(&c);
	bench_case_packets(&c, src, "l3.router IPv4 /24 route", 32, 4, "10.3.1.7", 64);
	bench_measure(&c, frames);
	bench_case_free(&c);
	bench_case_packets(&c, src, "l3.router IPv4 default route", 32, 4, "8.8.8.8", 64);
	bench_measure(&c, frames);
	bench_case_free(&c);
	bench_case_packets(&c, src, "l3.router IPv4 mixed dsts", 32, 4,
			   "10.3.1.7|10.1.7.7|172.16.4.4|8.8.8.8|10.9.9.9|10.5.0.1|10.3.2.9|10.2.2.2",
			   64);
	bench_measure(&c, frames);
	bench_case_free(&c);
	bench_case_packets(&c, src, "l3.router IPv6 /64 route", 1, 6, "fd00:1::7", 80);
	bench_measure(&c, frames / 4);
	bench_case_free(&c);
	bench_case_packets(&c, src, "l3.router IPv6 /64 route", 32, 6, "fd00:1::7", 80);
	bench_measure(&c, frames);
	bench_case_free(&c);
	bench_case_packets(&c, src, "l3.router IPv6 mixed dsts", 32, 6,
			   "fd00:1::7|fd00:2::1|fd00:3:0:5::1|2001:db8::2|fd00:1::9|fe00::1", 80);
	bench_measure(&c, frames);
	bench_case_free(&c);
	pk_graph_free(g);

	printf("\nns/frame: fastest of %d rounds (median next to it); Mpps from the fastest.\n"
	       "Per input frame (a flood to 8 ports is one frame, 8 deliveries).\n"
	       "malloc/fr: C allocator calls per frame; pool/fr: buffer-pool system\n"
	       "allocations per frame. Router rows include restoring TTL and checksum\n"
	       "(5 bytes) per packet in the driver loop. Every case checked that each\n"
	       "frame reached a sink (8 sinks for the flood), none came back.\n", BENCH_ROUNDS);
	/* Shows that the counting allocator is in use (setup does allocate). */
	printf("C allocator calls in the whole run, setup included: %" G_GUINT64_FORMAT "\n",
	       bench_allocs());
	pk_registry_free(bench_reg);
	return 0;
}
