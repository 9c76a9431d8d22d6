// SPDX-License-Identifier: MIT
/* bench-impair.c - Micro benchmark of l2.impair: ns/packet with no impairment and with loss, delay, rate
 *
 * pipe -> l2.impair -> pipe (capacity 0: counted, not queued) on a fake clock.
 * Each iteration injects one batch; cases with a delay also move the fake
 * clock on by a fixed step per iteration, so in steady state the impair
 * device holds a few batches and releases about one batch per step from its
 * timer. The time per packet covers the injection, the hold and the release.
 * Pipe to pipe without the device is measured too.
 *
 * Usage: bench-impair [packets per case [filter]].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "bench-util.h"

static struct pk_registry *bench_reg;
static const char *bench_filter;

#define BENCH_ROUNDS 9

struct bench_case {
	const char *name;
	struct pk_graph *g;
	struct pk_dev *src;
	struct pk_batch batch;
	uint64_t step_ns;	/* fake time per iteration, 0: none */
};

static void bench_run_iters(void *ctx, uint64_t iters)
{
	struct bench_case *c = ctx;

	for (uint64_t i = 0; i < iters; i++) {
		pk_pipe_inject_batch(c->src, &c->batch);
		if (c->step_ns)
			pk_graph_clock_advance(c->g, c->step_ns);
	}
}

/* Run one case: @params for the impair device (NULL: no device at all). */
static void bench_case(const char *name, const char *params, unsigned int batch,
		       uint64_t step_ns, uint64_t packets)
{
	struct bench_case c = { .name = name, .step_ns = step_ns };
	struct pk_graph *g = pk_graph_new(bench_reg, NULL, PK_GRAPH_FAKE_CLOCK);
	uint64_t iters = MAX(packets / batch / BENCH_ROUNDS, 1000);
	struct bench_result res;
	GError *error = NULL;
	uint8_t f[64];

	if (!bench_selected(bench_filter, name, batch)) {
		pk_graph_free(g);
		return;
	}
	c.g = g;
	c.src = bench_device(g, "p0", "core.pipe-l2", "{\"capacity\": 0}");
	bench_device(g, "p1", "core.pipe-l2", "{\"capacity\": 0}");
	if (params) {
		bench_device(g, "dut", "l2.impair", params);
		bench_link(g, "p0", "dut.a");
		bench_link(g, "dut.b", "p1");
	} else {
		bench_link(g, "p0", "p1");
	}
	if (!pk_graph_start(g, &error))
		g_error("%s", error->message);
	memset(f, 0, sizeof(f));
	f[0] = 0x02;
	f[6] = 0x02;
	f[12] = 0x08;
	pk_batch_init(&c.batch);
	for (unsigned int i = 0; i < batch; i++)
		pk_batch_add(&c.batch, pk_buf_new_copy(f, sizeof(f)));
	bench_run_iters(&c, iters);	/* warm up: fill the delay line */
	bench_rounds(BENCH_ROUNDS, bench_run_iters, &c, iters, iters * batch, &res);
	bench_rate_row(44, name, batch, &res, iters * BENCH_ROUNDS * batch);
	pk_batch_unref_all(&c.batch);
	pk_graph_free(g);
}

int main(int argc, char **argv)
{
	uint64_t packets = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 10000000;
	static const char *const needed[] = { "l2.impair", NULL };
	int status;

	bench_filter = argc > 2 ? argv[2] : NULL;
	status = bench_registry_load(&bench_reg, NULL, "(bench/impair)", needed,
				     "bench-impair: pk-impair.so not found (set PKTKIT_MODULE_PATH)");
	if (status)
		return status;
	bench_rate_header(44, "ns/packet", "malloc/pkt", "pool/pkt");

	bench_case("baseline pipe->pipe (no impair)", NULL, 32, 0, packets);
	bench_case("l2.impair defaults (pass-through)", "{}", 1, 0, packets / 4);
	bench_case("l2.impair defaults (pass-through)", "{}", 32, 0, packets);
	bench_case("l2.impair loss 1%", "{\"loss\": \"1%\"}", 32, 0, packets);
	bench_case("l2.impair loss 1% + delay 1ms", "{\"loss\": \"1%\", \"delay\": \"1ms\"}", 32,
		   100000, packets);
	bench_case("l2.impair loss+dup+reorder+delay+jitter",
		   "{\"loss\": \"1%\", \"duplicate\": \"1%\", \"reorder\": \"1%\", "
		   "\"delay\": \"1ms\", \"jitter\": \"200us\"}", 32, 100000, packets);
	/* 64-byte frames at 10 Gbit/s: 51.2 ns each, one timer per packet. */
	bench_case("l2.impair rate 10 Gbit/s", "{\"rate\": 10000000000}", 32, 32 * 52, packets / 4);

	printf("\nns/packet: fastest of %d rounds (median next to it), per injected packet.\n"
	       "Delay cases move the fake clock 100 us per batch of 32 (about 10 batches held);\n"
	       "the rate case releases every packet from its own timer event.\n"
	       "malloc/pkt: C allocator calls per packet; pool/pkt: buffer-pool system\n"
	       "allocations per packet.\n", BENCH_ROUNDS);
	pk_registry_free(bench_reg);
	return 0;
}
