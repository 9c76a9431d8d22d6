// SPDX-License-Identifier: MIT
/* bench-dispatch.c - Micro benchmark of replies inside a dispatch: request/response, conversations, vclient
 *
 * Replies are what the core's re-entrancy queue exists for: a device that
 * answers inside receive emits towards a device that is still busy (the
 * sender, or the hub in between), so the answer is queued and runs when that
 * callback returns. The cases:
 *
 *  - request/response: a core.pipe injects requests into an l2.hub; a
 *    responder behind it answers each with a NEW frame, which travels back
 *    through the hub (busy) to the pipe (busy). ns per request+answer.
 *  - the same without the hub (pipe linked to the responder).
 *  - conversation: two bouncers behind a hub answer each other inside
 *    receive for 1000 rounds per injected frame. ns per round.
 *  - vclient: a TCP request/response (64 bytes each way, application echo)
 *    between two l3.vclient devices on the monotonic clock and the GLib main
 *    loop, as applications drive them. ns per exchange.
 *
 * The graph cases run on a fake clock, like bench-hub. Allocations are counted
 * by wrapping the C allocator (bench-util) and from the buffer pool.
 *
 * Usage: bench-dispatch [requests per case [filter]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/embed/graph.h>
#include <pktkit/module.h>
#include <pktkit/embed/testing.h>
#include <pktkit/vclient.h>

#include "bench-util.h"

#define BENCH_ROUNDS 9
#define CONVERSATION_ROUNDS 1000u

static struct pk_registry *bench_reg;
static const char *bench_filter;

/* Frames: Ethernet header (hosts 02:00:00:00:00:xx), a 32-bit counter at
 * byte 14, and at byte 18 the host to answer instead of the sender (0: the
 * sender). */
static void frame_fill(uint8_t *f, unsigned int dst, unsigned int src, uint32_t count,
		       unsigned int answer_to)
{
	memset(f, 0, 64);
	if (dst == 0xff) {
		memset(f, 0xff, 6);
	} else {
		f[0] = 0x02;
		f[5] = (uint8_t)dst;
	}
	f[6] = 0x02;
	f[11] = (uint8_t)src;
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, &count, sizeof(count));
	f[18] = (uint8_t)answer_to;
}

/*
 * bench.responder (host `host`): answers every frame addressed to it with a
 * NEW frame, counter minus one, to the sender (or to the host named at byte
 * 18); a frame with counter 0 is not answered. Counter 1 makes a
 * request/response; counter n makes two responders behind a hub play n
 * rounds. At start it says hello (broadcast, counter 0) so a hub learns it.
 */
struct responder_config {
	uint32_t host;
};
static const struct pk_param responder_params[] = {
	PK_PARAM_U32(struct responder_config, host, "host", "16", 2, 254, 0,
		     "Last byte of the MAC address 02:00:00:00:00:xx"),
};

static void responder_receive(struct pk_dev *dev, void *self, uint32_t port,
			      const struct pk_batch *batch)
{
	const struct responder_config *cfg = self;
	struct pk_batch out;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < batch->n; i++) {
		const uint8_t *in = pk_buf_data(batch->buf[i]);
		uint32_t count;
		struct pk_buf *b;

		memcpy(&count, in + 14, sizeof(count));
		if (count == 0 || in[5] != cfg->host || !(b = pk_buf_alloc(64)))
			continue;
		frame_fill(pk_buf_data(b), in[18] ? in[18] : in[11], cfg->host, count - 1, 0);
		out.buf[out.n++] = b;
	}
	pk_dev_emit(dev, port, &out);
	pk_batch_unref_all(&out);
}

static int responder_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	(void)dev;
	(void)error;
	memcpy(self, config, sizeof(struct responder_config));
	return 0;
}

static int responder_start(struct pk_dev *dev, void *self, GError **error)
{
	const struct responder_config *cfg = self;
	struct pk_buf *b = pk_buf_alloc(64);

	(void)error;
	frame_fill(pk_buf_data(b), 0xff, cfg->host, 0, 0);
	pk_dev_emit_one(dev, 0, b);
	pk_buf_unref(b);
	return 0;
}

static const struct pk_device_ops responder_ops = {
	.init = responder_init, .start = responder_start, .receive = responder_receive,
};
static const struct pk_port_group responder_ports[] = { { "eth", PK_L2, 0, 1, "Port", 0 } };
static const struct pk_device_type responder_type = {
	.name = "bench.responder", .summary = "Answers each frame with a new one", .doc = "Bench.",
	PK_ARRAY(ports, responder_ports), PK_ARRAY(params, responder_params),
	.config_size = sizeof(struct responder_config),
	.instance_size = sizeof(struct responder_config), .ops = &responder_ops,
};
static const struct pk_device_type *const bench_types[] = { &responder_type, NULL };
static const struct pk_module_info bench_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR, .name = "bench", .version = "0",
	.license = "MIT", .description = "Benchmark helpers", .origin = "bench/dispatch",
	.types = bench_types,
};

/* Graph cases ------------------------------------------------------------- */

struct graph_case {
	const char *name;
	struct pk_graph *g;
	struct pk_dev *src;
	struct pk_batch batch;
	uint64_t units_per_inject;
};

static void graph_run(void *ctx, uint64_t iters)
{
	struct graph_case *c = ctx;

	for (uint64_t i = 0; i < iters; i++)
		pk_pipe_inject_batch(c->src, &c->batch);
}

static void graph_measure(struct graph_case *c, uint64_t target)
{
	uint64_t units = c->batch.n * c->units_per_inject;
	uint64_t iters = MAX(target / units / BENCH_ROUNDS, 100);
	struct bench_result res;

	if (bench_selected(bench_filter, c->name, c->batch.n)) {
		graph_run(c, iters);	/* warm up */
		bench_rounds(BENCH_ROUNDS, graph_run, c, iters, iters * units, &res);
		bench_rate_row(40, c->name, c->batch.n, &res, iters * BENCH_ROUNDS * units);
		/* Nothing may be dropped as a loop, nor left for later. */
		const char **ids = pk_graph_devices(c->g);

		for (const char **id = ids; *id; id++) {
			uint64_t drops = pk_dev_counter(pk_graph_lookup(c->g, *id), "loop-drops");

			if (drops)
				printf("  (%s: %" G_GUINT64_FORMAT " loop drops)\n", *id, drops);
		}
		g_free(ids);
		if (g_main_context_pending(NULL))
			printf("  (work was deferred to the main loop)\n");
	}
	pk_batch_unref_all(&c->batch);
	pk_graph_free(c->g);
}

/* A pipe (host 1) and responders (hosts 0x10, 0x11) behind an l2.hub, or
 * the pipe linked straight to one responder. */
static void graph_case_new(struct graph_case *c, const char *name, bool hub, unsigned int n_resp)
{
	GError *error = NULL;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->g = bench_graph_new(bench_reg);
	c->src = bench_device(c->g, "p", "core.pipe-l2", "{\"capacity\": 0}");
	if (hub) {
		bench_device(c->g, "hub", "l2.hub", NULL);
		bench_link(c->g, "p", "hub.port");
	}
	for (unsigned int i = 0; i < n_resp; i++) {
		g_autofree char *id = g_strdup_printf("r%u", i);
		g_autofree char *params = g_strdup_printf("{\"host\": %u}", 0x10 + i);

		bench_device(c->g, id, "bench.responder", params);
		bench_link(c->g, id, hub ? "hub.port" : "p");
	}
	if (!pk_graph_start(c->g, &error))
		g_error("start: %s", error->message);
}

static void bench_request_response(bool hub, unsigned int batch, uint64_t target)
{
	struct graph_case c;
	uint8_t f[64];

	graph_case_new(&c, hub ? "request/response via l2.hub" : "request/response direct",
		       hub, 1);
	frame_fill(f, 0x10, 1, 1, 0);
	for (unsigned int i = 0; i < batch; i++)
		c.batch.buf[c.batch.n++] = pk_buf_new_copy(f, 64);
	c.units_per_inject = 1;
	graph_measure(&c, target);
}

/* Two responders behind a hub answer each other CONVERSATION_ROUNDS times
 * per injected frame, which asks 0x10 to answer 0x11. */
static void bench_conversation(uint64_t target)
{
	struct graph_case c;
	uint8_t f[64];

	graph_case_new(&c, "conversation via l2.hub, per answer", true, 2);
	frame_fill(f, 0x10, 1, CONVERSATION_ROUNDS, 0x11);
	c.batch.buf[c.batch.n++] = pk_buf_new_copy(f, 64);
	c.units_per_inject = CONVERSATION_ROUNDS;
	graph_measure(&c, target);
}

/* vclient ------------------------------------------------------------------ */

struct vc_pair {
	struct pk_graph *g;
	struct pk_vclient *a, *b;
	GIOStream *client, *server;
	PkVclientListener *l;
	uint8_t buf[256];
};

static void on_connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct vc_pair *p = data;

	(void)src;
	p->client = pk_vclient_tcp_connect_finish(p->a, res, NULL);
}

static void on_accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct vc_pair *p = data;

	p->server = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(src), res, NULL);
}

/* Read exactly @n bytes from @s, running the main loop while it would block. */
static void vc_read_n(struct vc_pair *p, GIOStream *s, gsize n)
{
	GPollableInputStream *in = G_POLLABLE_INPUT_STREAM(g_io_stream_get_input_stream(s));
	gsize got = 0;

	while (got < n) {
		gssize r = g_pollable_input_stream_read_nonblocking(in, p->buf + got, n - got,
								     NULL, NULL);

		if (r > 0)
			got += (gsize)r;
		else if (r == 0)
			g_error("vclient: connection closed");
		else
			g_main_context_iteration(NULL, TRUE);
	}
}

static void vc_write_n(struct vc_pair *p, GIOStream *s, gsize n)
{
	GPollableOutputStream *out = G_POLLABLE_OUTPUT_STREAM(g_io_stream_get_output_stream(s));
	gsize done = 0;

	while (done < n) {
		gssize w = g_pollable_output_stream_write_nonblocking(out, p->buf + done, n - done,
								       NULL, NULL);

		if (w > 0)
			done += (gsize)w;
		else
			g_main_context_iteration(NULL, TRUE);
	}
}

static void vc_run(void *ctx, uint64_t iters)
{
	struct vc_pair *p = ctx;

	for (uint64_t i = 0; i < iters; i++) {
		vc_write_n(p, p->client, 64);
		vc_read_n(p, p->server, 64);
		vc_write_n(p, p->server, 64);
		vc_read_n(p, p->client, 64);
	}
}

/* Two vclients linked directly (or through an l3.router is not needed: the
 * answers inside receive are what is measured) on the monotonic clock. */
static void bench_vclient(uint64_t exchanges)
{
	const char *name = "vclient TCP request/response 64 B";
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string("0.0.0.0", 7);
	g_autoptr(GSocketAddress) dst = g_inet_socket_address_new_from_string("10.0.0.2", 7);
	uint64_t iters = MAX(exchanges / BENCH_ROUNDS, 100);
	struct bench_result res;
	struct vc_pair p;
	GError *error = NULL;

	if (!bench_selected(bench_filter, name, 1))
		return;
	memset(&p, 0, sizeof(p));
	p.g = pk_graph_new(bench_reg, NULL, 0);
	bench_device(p.g, "a", "l3.vclient", "{\"addresses\": [{\"prefix\": \"10.0.0.1/24\"}]}");
	bench_device(p.g, "b", "l3.vclient", "{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}]}");
	bench_link(p.g, "a.ip", "b.ip");
	if (!pk_graph_start(p.g, &error))
		g_error("start: %s", error->message);
	p.a = pk_vclient_lookup(p.g, "a");
	p.b = pk_vclient_lookup(p.g, "b");
	p.l = pk_vclient_tcp_listen(p.b, any, 16, &error);
	if (!p.l)
		g_error("listen: %s", error->message);
	pk_vclient_listener_accept_async(p.l, NULL, on_accepted, &p);
	pk_vclient_tcp_connect_async(p.a, dst, NULL, on_connected, &p);
	while (!p.client || !p.server)
		g_main_context_iteration(NULL, TRUE);
	vc_run(&p, iters);	/* warm up */
	bench_rounds(BENCH_ROUNDS, vc_run, &p, iters, iters, &res);
	bench_rate_row(40, name, 1, &res, iters * BENCH_ROUNDS);
	g_io_stream_close(p.client, NULL, NULL);
	g_io_stream_close(p.server, NULL, NULL);
	g_clear_object(&p.client);
	g_clear_object(&p.server);
	g_clear_object(&p.l);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_graph_free(p.g);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

int main(int argc, char **argv)
{
	static const char *const needed[] = { "l2.hub", "l3.vclient", NULL };
	uint64_t target = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000;
	int status;

	bench_filter = argc > 2 ? argv[2] : NULL;
	status = bench_registry_load(&bench_reg, &bench_module, "(bench/dispatch)", needed,
				     "bench-dispatch: pk-hub.so or pk-vclient.so not found "
				     "(set PKTKIT_MODULE_PATH)");
	if (status)
		return status;
	bench_rate_header(40, "ns/op", "malloc/op", "pool/op");
	bench_request_response(false, 1, target / 4);
	bench_request_response(false, 32, target);
	bench_request_response(true, 1, target / 4);
	bench_request_response(true, 32, target);
	bench_conversation(target);
	bench_vclient(MAX(target / 100, 1000));
	printf("\nns/op: fastest of %d rounds (median next to it); M/s from the fastest.\n"
	       "An op is one request and its answer (request/response), one answer\n"
	       "(conversation: %u answers per injected frame, all inside one dispatch),\n"
	       "or one 64-byte request and its 64-byte echo through two vclients'\n"
	       "TCP and GIO streams on the main loop (real clock).\n"
	       "malloc/op: C allocator calls per op; pool/op: buffer-pool system\n"
	       "allocations per op.\n", BENCH_ROUNDS, CONVERSATION_ROUNDS);
	pk_registry_free(bench_reg);
	return 0;
}
