// SPDX-License-Identifier: MIT
/* test-graph.c - The graph runtime: emit, re-entrancy queue, hop count, budget, COW, timers, lifecycle */
#include <pktkit/embed/testing.h>
#include <unistd.h>
#include "test-devices.h"

struct fixture {
	struct pk_registry *reg;
	struct pk_graph *g;
	int64_t bufs_before;
};

static int64_t outstanding(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	return st.allocated;
}

static void fixture_setup(struct fixture *f, gconstpointer data)
{
	f->bufs_before = outstanding();
	f->reg = test_devices_registry();
	f->g = pk_graph_new(f->reg, NULL, PK_GRAPH_FAKE_CLOCK);
	if (test_devices_log)
		g_ptr_array_set_size(test_devices_log, 0);
}

static void fixture_teardown(struct fixture *f, gconstpointer data)
{
	pk_graph_free(f->g);
	pk_registry_free(f->reg);
	/* Every buffer any test touched went back to the pool. */
	g_assert_cmpint(outstanding(), ==, f->bufs_before);
}

static struct pk_dev *add(struct fixture *f, const char *id, const char *type, const char *json)
{
	g_autoptr(JsonNode) node = json ? json_from_string(json, NULL) : NULL;
	GError *error = NULL;
	struct pk_dev *dev;

	dev = pk_graph_add_device(f->g, id, type, node ? json_node_get_object(node) : NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(dev);
	return dev;
}

static void link_ok(struct fixture *f, const char *a, const char *b)
{
	GError *error = NULL;

	g_assert_true(pk_graph_link(f->g, a, b, &error));
	g_assert_no_error(error);
}

static void test_pipe_to_pipe(struct fixture *f, gconstpointer data)
{
	struct pk_dev *a = add(f, "a", "core.pipe-l2", NULL);
	struct pk_dev *b = add(f, "b", "core.pipe-l2", NULL);
	struct pk_port_stats st;
	struct pk_buf *got;

	link_ok(f, "a", "b.io");
	g_assert_true(pk_pipe_inject(a, "hello", 5));
	g_assert_cmpuint(pk_pipe_pending(b), ==, 1);
	got = pk_pipe_pop(b);
	g_assert_cmpmem(pk_buf_data(got), pk_buf_len(got), "hello", 5);
	pk_buf_unref(got);
	g_assert_true(pk_dev_port_stats(a, 0, &st));
	g_assert_cmpuint(st.tx_packets, ==, 1);
	g_assert_cmpuint(st.tx_bytes, ==, 5);
	g_assert_true(pk_dev_port_stats(b, 0, &st));
	g_assert_cmpuint(st.rx_packets, ==, 1);
	g_assert_cmpuint(pk_dev_counter(b, "received"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(a, "injected"), ==, 1);
	/* Not a pipe: refused. */
	add(f, "e", "test.echo", NULL);
	g_assert_false(pk_pipe_inject(pk_graph_lookup(f->g, "e"), "x", 1));
}

/* pipe -> echo -> pipe: the pipe is busy injecting, so the echo is queued
 * and delivered when the injection returns. */
static void test_reentrant_delivery(struct fixture *f, gconstpointer data)
{
	struct pk_dev *p = add(f, "p", "core.pipe-l2", NULL);
	struct pk_buf *got;

	add(f, "e", "test.echo", NULL);
	link_ok(f, "p", "e");
	g_assert_true(pk_pipe_inject(p, "ping", 4));
	g_assert_cmpuint(pk_pipe_pending(p), ==, 1);
	got = pk_pipe_pop(p);
	g_assert_cmpmem(pk_buf_data(got), pk_buf_len(got), "ping", 4);
	pk_buf_unref(got);
	g_assert_cmpuint(pk_dev_counter(p, "loop-drops"), ==, 0);
}

/* A busy device's queue grows on demand but never past 1024 deliveries:
 * 17 echoes answer a 64-frame batch to the tee that is still flooding it,
 * 1088 deliveries for a queue of 1024, so 64 are dropped and counted on the
 * tee's ports; the queued ones are still delivered. */
static void test_queue_limit(struct fixture *f, gconstpointer data)
{
	struct pk_dev *p = add(f, "p", "core.pipe-l2", "{\"capacity\": 0}");
	struct pk_dev *t = add(f, "t", "test.tee", NULL);
	struct pk_buf *bufs[PK_BATCH_MAX];
	struct pk_batch batch;
	uint64_t drops = 0;

	link_ok(f, "p", "t");
	for (unsigned int i = 0; i < 17; i++) {
		g_autofree char *id = g_strdup_printf("e%u", i);

		add(f, id, "test.echo", NULL);
		link_ok(f, id, "t");
	}
	pk_batch_init(&batch);
	for (unsigned int i = 0; i < PK_BATCH_MAX; i++) {
		bufs[i] = pk_buf_new_copy("frame", 5);
		pk_batch_add(&batch, bufs[i]);
	}
	g_assert_true(pk_pipe_inject_batch(p, &batch));
	for (unsigned int i = 0; i < PK_BATCH_MAX; i++)
		pk_buf_unref(bufs[i]);
	/* The storm that follows dies by hop count; what the dispatch budget
	 * deferred runs in later main-loop iterations. */
	for (unsigned int i = 0; i < 10000 && g_main_context_iteration(NULL, FALSE); i++)
		;
	for (unsigned int i = 1; i <= 17; i++) {
		struct pk_port_stats st;

		g_assert_true(pk_dev_port_stats(t, PK_PORT(0, i), &st));
		drops += st.drops;
	}
	/* The first round alone drops 64; later rounds of the storm may drop
	 * more, but every drop is counted and the pipe got the queued ones. */
	g_assert_cmpuint(drops, >=, 64);
	{
		struct pk_port_stats st;

		/* ... and counted once more, by reason, in the tee's core counter */
		g_assert_true(pk_dev_port_stats(t, PK_PORT(0, 0), &st));
		g_assert_cmpuint(pk_dev_counter(t, "dropped-queue-full"), ==, drops + st.drops);
		g_assert_true(pk_dev_port_stats(p, PK_PORT(0, 0), &st));
		g_test_message("drops %" G_GUINT64_FORMAT " pipe rx %" G_GUINT64_FORMAT, drops,
			       st.rx_packets);
		g_assert_cmpuint(st.rx_packets, >=, 1024);
	}
}

/* Two tees linked twice form an L2 loop: a broadcast storm must end, counted. */
static void test_loop_guard(struct fixture *f, gconstpointer data)
{
	struct pk_dev *p = add(f, "p", "core.pipe-l2", "{\"capacity\": 0}");
	struct pk_dev *a = add(f, "a", "test.tee", NULL);
	struct pk_dev *b = add(f, "b", "test.tee", NULL);
	uint64_t drops;

	link_ok(f, "p", "a");
	link_ok(f, "a", "b");
	link_ok(f, "a", "b");
	g_assert_true(pk_pipe_inject(p, "storm", 5));
	/* Nothing was deferred: the storm ended inside the dispatch. */
	g_assert_false(g_main_context_pending(NULL));
	drops = pk_dev_counter(a, "loop-drops") + pk_dev_counter(b, "loop-drops");
	/* Two copies circle, each cut once its hops are spent. */
	g_assert_cmpuint(drops, ==, 2);
	/* The storm reached the pipe a bounded number of times: every second
	 * hop of each copy passes a, which also floods to the pipe. */
	g_assert_cmpuint(pk_dev_counter(p, "received"), >, 0);
	g_assert_cmpuint(pk_dev_counter(p, "received"), <=, PK_BUF_HOPS + 2);
}

/* Iterate the default context until @dev counted @want "received", at
 * most @max_iter times; return the iterations it took. */
static unsigned int run_until(struct pk_dev *dev, uint64_t want, unsigned int max_iter)
{
	unsigned int n = 0;

	while (pk_dev_counter(dev, "received") < want && n < max_iter) {
		g_main_context_iteration(NULL, FALSE);
		n++;
	}
	return n;
}

/* A conversation is not a loop: 10,000 rounds of ping-pong between two
 * devices that answer inside receive, each answer a new buffer, lose
 * nothing and drop nothing, however many dispatches they take. */
static void test_ping_pong(struct fixture *f, gconstpointer data)
{
	struct pk_dev *a = add(f, "a", "test.bounce", "{\"rounds\": 10000}");
	struct pk_dev *b = add(f, "b", "test.bounce", NULL);
	struct pk_port_stats st;
	GError *error = NULL;

	link_ok(f, "a", "b");
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	pk_graph_clock_advance(f->g, 0);	/* a's timer: round 1 */
	run_until(a, 10000, 1000);
	g_assert_cmpuint(pk_dev_counter(a, "received"), ==, 10000);
	g_assert_cmpuint(pk_dev_counter(b, "received"), ==, 10000);
	g_assert_cmpuint(pk_dev_counter(a, "sent"), ==, 10000);
	g_assert_cmpuint(pk_dev_counter(b, "sent"), ==, 10000);
	g_assert_cmpuint(pk_dev_counter(a, "loop-drops"), ==, 0);
	g_assert_cmpuint(pk_dev_counter(b, "loop-drops"), ==, 0);
	g_assert_true(pk_dev_port_stats(a, 0, &st));
	g_assert_cmpuint(st.drops, ==, 0);
	g_assert_cmpuint(st.rx_packets, ==, 10000);
	g_assert_true(pk_dev_port_stats(b, 0, &st));
	g_assert_cmpuint(st.drops, ==, 0);
	/* Done: no more work waits in the context. */
	g_assert_false(g_main_context_pending(NULL));
}

/* A dispatch has a bounded budget of queued deliveries: a long exchange
 * started by one timer spans several main-loop iterations, keeps going in
 * order while other sources run in between, and completes. */
static void test_dispatch_budget(struct fixture *f, gconstpointer data)
{
	struct pk_dev *a = add(f, "a", "test.bounce", "{\"rounds\": 50000}");
	struct pk_dev *b = add(f, "b", "test.bounce", NULL);
	GError *error = NULL;
	uint64_t first, prev;
	unsigned int iters = 0;

	link_ok(f, "a", "b");
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_clock_advance(f->g, 0);
	first = pk_dev_counter(a, "received");
	/* The timer's dispatch ran a part of the exchange, not all of it. */
	g_assert_cmpuint(first, >, 0);
	g_assert_cmpuint(first, <, 50000);
	g_assert_true(g_main_context_pending(NULL));
	/* Each iteration makes progress and none finishes the rest at once. */
	prev = first;
	while (pk_dev_counter(a, "received") < 50000 && iters < 1000) {
		g_main_context_iteration(NULL, FALSE);
		iters++;
		g_assert_cmpuint(pk_dev_counter(a, "received"), >, prev);
		g_assert_cmpuint(pk_dev_counter(a, "received") - prev, <=, first + 1);
		prev = pk_dev_counter(a, "received");
	}
	g_assert_cmpuint(iters, >=, 2);
	g_assert_cmpuint(pk_dev_counter(a, "received"), ==, 50000);
	g_assert_cmpuint(pk_dev_counter(b, "received"), ==, 50000);
	g_assert_cmpuint(pk_dev_counter(a, "loop-drops") + pk_dev_counter(b, "loop-drops"), ==, 0);
	g_assert_false(g_main_context_pending(NULL));
}

/* Deferred deliveries of a device removed (or a graph freed) before they
 * ran are dropped, and their buffers returned (the fixture checks). */
static void test_budget_teardown(struct fixture *f, gconstpointer data)
{
	struct pk_dev *a = add(f, "a", "test.bounce", "{\"rounds\": 50000}");
	GError *error = NULL;

	add(f, "b", "test.bounce", NULL);
	link_ok(f, "a", "b");
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_clock_advance(f->g, 0);
	g_assert_cmpuint(pk_dev_counter(a, "received"), <, 50000);
	g_assert_true(pk_graph_remove_device(f->g, "b", &error));
	g_assert_no_error(error);
	while (g_main_context_pending(NULL))
		g_main_context_iteration(NULL, FALSE);
	g_assert_cmpuint(pk_dev_counter(a, "received"), <, 50000);
	/* A new pair (started on add) is deferred, then the graph goes: the
	 * fixture frees it with the work still waiting. */
	add(f, "d", "test.bounce", NULL);
	add(f, "c", "test.bounce", "{\"rounds\": 50000}");
	link_ok(f, "c", "d");
	pk_graph_clock_advance(f->g, 0);
	g_assert_cmpuint(pk_dev_counter(pk_graph_lookup(f->g, "c"), "received"), >, 0);
	g_assert_true(g_main_context_pending(NULL));
}

/* Three l2.hub devices in a ring: a broadcast circles both ways until its
 * hop count is spent, is counted where it died, and the injection returns. */
static void test_hub_ring(struct fixture *f, gconstpointer data)
{
	struct pk_dev *p, *h[3];
	uint64_t drops = 0;
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5 };
	GError *error = NULL;

	pk_registry_scan_default(f->reg);
	g_assert_nonnull(pk_registry_lookup(f->reg, "l2.hub"));
	p = add(f, "p", "core.pipe-l2", "{\"capacity\": 0}");
	for (unsigned int i = 0; i < 3; i++) {
		g_autofree char *id = g_strdup_printf("h%u", i);

		h[i] = add(f, id, "l2.hub", NULL);
	}
	link_ok(f, "h0.port", "h1.port");
	link_ok(f, "h1.port", "h2.port");
	link_ok(f, "h2.port", "h0.port");
	link_ok(f, "p", "h0.port");
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	g_assert_true(pk_pipe_inject(p, frame, sizeof(frame)));
	while (g_main_context_pending(NULL))
		g_main_context_iteration(NULL, FALSE);
	for (unsigned int i = 0; i < 3; i++)
		drops += pk_dev_counter(h[i], "loop-drops");
	/* One copy each way, each dropped where its count ran out: by a hub
	 * that would flood it, once per port it would have left by. */
	g_assert_cmpuint(drops, >=, 2);
	g_assert_cmpuint(drops, <=, 4);
	g_assert_cmpuint(pk_dev_counter(p, "loop-drops"), ==, 0);
	/* Each copy passes h0 every third hop, and h0 floods to the pipe. */
	g_assert_cmpuint(pk_dev_counter(p, "received"), >=, 2);
	g_assert_cmpuint(pk_dev_counter(p, "received"), <=, 2 * (PK_BUF_HOPS / 3 + 1));
}

/* A shared buffer is copied before a write; an exclusive one is written in place. */
static void test_copy_on_write(struct fixture *f, gconstpointer data)
{
	struct pk_dev *src = add(f, "src", "core.pipe-l2", NULL);
	struct pk_dev *dst = add(f, "dst", "core.pipe-l2", NULL);
	struct pk_dev *m = add(f, "m", "test.mutate", NULL);
	struct pk_batch batch = { .n = 1 };
	struct pk_buf *b, *got;

	link_ok(f, "src", "m.in");
	link_ok(f, "m.out", "dst");

	/* exclusive: written in place */
	b = pk_buf_new_copy("abc", 3);
	batch.buf[0] = b;
	pk_pipe_inject_batch(src, &batch);
	g_assert_cmpuint(pk_dev_counter(m, "in-place"), ==, 1);
	got = pk_pipe_pop(dst);
	g_assert_true(got == b);
	g_assert_cmpuint(pk_buf_data(b)[0], ==, 0xee);
	pk_buf_unref(got);

	/* shared (we keep a second reference): the writer gets a copy */
	memcpy(pk_buf_data(b), "abc", 3);
	pk_buf_ref(b);
	pk_pipe_inject_batch(src, &batch);
	g_assert_cmpuint(pk_dev_counter(m, "copied"), ==, 1);
	got = pk_pipe_pop(dst);
	g_assert_true(got != b);
	g_assert_cmpuint(pk_buf_data(got)[0], ==, 0xee);
	g_assert_cmpmem(pk_buf_data(b), 3, "abc", 3);	/* the original is untouched */
	pk_buf_unref(got);
	pk_buf_unref(b);
	pk_buf_unref(b);
}

static void test_timers_fake_clock(struct fixture *f, gconstpointer data)
{
	struct pk_dev *t = add(f, "t", "test.ticker", "{\"period\": \"100ms\", \"count\": 3}");
	struct pk_dev *p = add(f, "p", "core.pipe-l2", NULL);
	GError *error = NULL;

	link_ok(f, "t", "p");
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_clock_advance(f->g, 99 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(pk_pipe_pending(p), ==, 0);
	pk_graph_clock_advance(f->g, 1 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(pk_pipe_pending(p), ==, 1);
	pk_graph_clock_advance(f->g, 250 * PK_NSEC_PER_MSEC);	/* t=350ms: fired at 200, 300 */
	g_assert_cmpuint(pk_pipe_pending(p), ==, 3);
	pk_graph_clock_advance(f->g, 10 * PK_NSEC_PER_SEC);	/* count reached */
	g_assert_cmpuint(pk_dev_counter(t, "sent"), ==, 3);
	g_assert_cmpuint(pk_graph_now(f->g), ==, 10350 * PK_NSEC_PER_MSEC);
	pk_pipe_clear(p);
}

/* Stop cancels timers without freeing them: a restart arms them again. */
static void test_timer_survives_restart(struct fixture *f, gconstpointer data)
{
	struct pk_dev *p = add(f, "p", "core.pipe-l2", "{\"capacity\": 0}");
	GError *error = NULL;

	add(f, "t", "test.ticker", "{\"period\": \"1s\"}");
	link_ok(f, "t", "p");
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_clock_advance(f->g, 1500 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(pk_dev_counter(p, "received"), ==, 1);
	pk_graph_stop(f->g);
	pk_graph_clock_advance(f->g, 10 * PK_NSEC_PER_SEC);	/* stopped: nothing fires */
	g_assert_cmpuint(pk_dev_counter(p, "received"), ==, 1);
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_clock_advance(f->g, 2 * PK_NSEC_PER_SEC);
	g_assert_cmpuint(pk_dev_counter(p, "received"), ==, 3);
}

static void test_live_config(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonNode) live = json_from_string("{\"period\": \"50ms\"}", NULL);
	g_autoptr(JsonNode) frozen = json_from_string("{\"count\": 5}", NULL);
	g_autoptr(JsonNode) bad = json_from_string("{\"period\": \"soon\"}", NULL);
	struct pk_dev *t = add(f, "t", "test.ticker", "{\"period\": \"1s\"}");
	struct pk_dev *p = add(f, "p", "core.pipe-l2", "{\"capacity\": 0}");
	GError *error = NULL;

	link_ok(f, "t", "p");
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_true(pk_graph_set_config(f->g, "t", json_node_get_object(live), &error));
	g_assert_no_error(error);
	pk_graph_clock_advance(f->g, 120 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(pk_dev_counter(p, "received"), ==, 2);

	g_assert_false(pk_graph_set_config(f->g, "t", json_node_get_object(frozen), &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_STATE);
	g_assert_cmpstr(error->message, ==,
			"devices.t.count: cannot change while the device runs (not a live parameter); stop it first");
	g_clear_error(&error);

	g_assert_false(pk_graph_set_config(f->g, "t", json_node_get_object(bad), &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "devices.t.period"));
	g_clear_error(&error);
	/* the old value survived the failed update: still 50ms */
	pk_graph_clock_advance(f->g, 50 * PK_NSEC_PER_MSEC);
	g_assert_cmpuint(pk_dev_counter(p, "received"), ==, 3);

	/* stopped, any parameter may change */
	pk_graph_stop(f->g);
	g_assert_true(pk_graph_set_config(f->g, "t", json_node_get_object(frozen), &error));
	g_assert_no_error(error);
	(void)t;
}

static void test_lifecycle_order(struct fixture *f, gconstpointer data)
{
	static const char *const want[] = {
		"link:e1:0", "link:e2:0", "start:e1", "start:e2", "stop:e2", "stop:e1",
		"unlink:e2:0", "unlink:e1:0",
	};
	GError *error = NULL;

	add(f, "e1", "test.echo", NULL);
	add(f, "e2", "test.echo", NULL);
	link_ok(f, "e1", "e2");
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_stop(f->g);
	g_assert_true(pk_graph_unlink(f->g, "e2", &error));
	g_assert_cmpuint(test_devices_log->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++)
		g_assert_cmpstr(g_ptr_array_index(test_devices_log, i), ==, want[i]);
}

static void test_link_errors(struct fixture *f, gconstpointer data)
{
	GError *error = NULL;

	add(f, "p2", "core.pipe-l2", NULL);
	add(f, "p3", "core.pipe-l3", NULL);
	add(f, "m", "test.mutate", NULL);
	add(f, "e", "test.echo", NULL);

	g_assert_false(pk_graph_link(f->g, "p2", "p3", &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_LAYER);
	g_assert_cmpstr(error->message, ==,
			"cannot link 'p2' (L2) to 'p3' (L3): the layers differ; put an adapter between them");
	g_clear_error(&error);

	g_assert_false(pk_graph_link(f->g, "m", "p2", &error));
	g_assert_cmpstr(error->message, ==,
			"'m': type test.mutate has several port groups; name one ('in', 'out')");
	g_clear_error(&error);

	g_assert_false(pk_graph_link(f->g, "m.side", "p2", &error));
	g_assert_cmpstr(error->message, ==,
			"'m.side': type test.mutate has no port group 'side' (port groups: 'in', 'out')");
	g_clear_error(&error);

	g_assert_false(pk_graph_link(f->g, "nope.port", "p2", &error));
	g_assert_cmpstr(error->message, ==, "'nope.port': no device 'nope'");
	g_clear_error(&error);

	g_assert_false(pk_graph_link(f->g, "e.eth.1", "p2", &error));
	g_assert_cmpstr(error->message, ==, "'e.eth.1': port index 1 out of range (group 'eth' has 1)");
	g_clear_error(&error);

	link_ok(f, "e", "p2");
	g_assert_false(pk_graph_link(f->g, "m.in", "e", &error));
	g_assert_cmpstr(error->message, ==, "'e': all 1 port(s) of group 'eth' are linked");
	g_clear_error(&error);
	g_assert_false(pk_graph_link(f->g, "m.in", "e.eth.0", &error));
	g_assert_cmpstr(error->message, ==, "'e.eth.0': port already linked");
	g_clear_error(&error);

	g_assert_false(pk_graph_unlink(f->g, "m.in", &error));
	g_assert_cmpstr(error->message, ==, "'m.in': port is not linked");
	g_clear_error(&error);
	g_assert_false(pk_graph_link(f->g, "a..b", "e", &error));
	g_clear_error(&error);

	/* l3sink needs its port linked before start */
	add(f, "s", "test.l3sink", NULL);
	g_assert_false(pk_graph_start(f->g, &error));
	g_assert_cmpstr(error->message, ==, "devices.s: port group 'ip' needs at least 1 link(s), has 0");
	g_clear_error(&error);
}

/* Removing a device in the middle of a path while traffic flows. */
static void test_remove_while_running(struct fixture *f, gconstpointer data)
{
	struct pk_dev *src = add(f, "src", "core.pipe-l2", NULL);
	struct pk_dev *dst = add(f, "dst", "core.pipe-l2", "{\"capacity\": 0}");
	GError *error = NULL;

	add(f, "tee", "test.tee", NULL);
	link_ok(f, "src", "tee");
	link_ok(f, "tee", "dst");
	g_assert_true(pk_graph_start(f->g, &error));
	for (int i = 0; i < 10; i++)
		pk_pipe_inject(src, "x", 1);
	g_assert_cmpuint(pk_dev_counter(dst, "received"), ==, 10);
	g_assert_true(pk_graph_remove_device(f->g, "tee", &error));
	g_assert_null(pk_graph_lookup(f->g, "tee"));
	g_assert_false(pk_dev_port_is_linked(src, 0));
	pk_pipe_inject(src, "x", 1);
	g_assert_cmpuint(pk_dev_counter(src, "unlinked-drops"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(dst, "received"), ==, 10);
	/* the freed port is reusable; a new device is started because the graph runs */
	add(f, "e", "test.echo", NULL);
	link_ok(f, "src", "e");
	pk_pipe_inject(src, "y", 1);
	g_assert_cmpuint(pk_pipe_pending(src), ==, 1);
	pk_pipe_clear(src);
	g_assert_false(pk_graph_remove_device(f->g, "tee", &error));
	g_assert_cmpstr(error->message, ==, "no device 'tee'");
	g_clear_error(&error);
}

struct invoke_ctx {
	struct pk_dev *dev;
	int ran;
};

static void invoked(struct pk_dev *dev, void *self, void *data)
{
	struct invoke_ctx *c = data;

	g_assert_true(dev == c->dev);
	c->ran++;
}

static gpointer invoke_thread(gpointer data)
{
	struct invoke_ctx *c = data;

	pk_dev_invoke(c->dev, invoked, c, NULL);
	return NULL;
}

static void test_invoke_from_thread(struct fixture *f, gconstpointer data)
{
	struct invoke_ctx c = { .dev = add(f, "e", "test.echo", NULL) };

	g_thread_join(g_thread_new("invoker", invoke_thread, &c));
	g_assert_cmpint(c.ran, ==, 0);	/* never inline: it runs on the graph's context */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_assert_cmpint(c.ran, ==, 1);
}

static void test_many_ports(struct fixture *f, gconstpointer data)
{
	struct pk_dev *first = NULL;
	uint64_t total = 0;

	add(f, "tee", "test.tee", NULL);
	for (int i = 0; i < 50; i++) {
		g_autofree char *id = g_strdup_printf("p%d", i);
		struct pk_dev *p = add(f, id, "core.pipe-l2", "{\"capacity\": 0}");

		link_ok(f, id, "tee.port");
		if (!first)
			first = p;
	}
	pk_pipe_inject(first, "flood", 5);
	for (int i = 1; i < 50; i++) {
		g_autofree char *id = g_strdup_printf("p%d", i);

		total += pk_dev_counter(pk_graph_lookup(f->g, id), "received");
	}
	g_assert_cmpuint(total, ==, 49);
}

/* Real clock: fd watches and timers are driven by the GLib main loop. */
static void test_fd_watch_and_real_timer(void)
{
	struct pk_registry *reg = test_devices_registry();
	struct pk_graph *g = pk_graph_new(reg, NULL, 0);
	g_autofree char *json = NULL;
	g_autoptr(JsonNode) params = NULL;
	struct pk_dev *p, *t;
	GError *error = NULL;
	int fds[2];
	gint64 deadline;

	g_assert_cmpint(pipe(fds), ==, 0);
	json = g_strdup_printf("{\"fd\": %d}", fds[0]);
	params = json_from_string(json, NULL);
	g_assert_nonnull(pk_graph_add_device(g, "r", "test.reader", json_node_get_object(params),
					     &error));
	p = pk_graph_add_device(g, "p", "core.pipe-l2", NULL, &error);
	g_assert_true(pk_graph_link(g, "r", "p", &error));
	g_assert_true(pk_graph_start(g, &error));
	g_assert_cmpint(write(fds[1], "frame", 5), ==, 5);
	deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	while (pk_pipe_pending(p) == 0 && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(pk_pipe_pending(p), ==, 1);
	pk_pipe_clear(p);

	/* a ticker with a 20 ms period fires on the real clock */
	{
		g_autoptr(JsonNode) tp = json_from_string("{\"period\": \"20ms\", \"count\": 2}", NULL);
		struct pk_dev *q = pk_graph_add_device(g, "q", "core.pipe-l2", NULL, &error);

		t = pk_graph_add_device(g, "t", "test.ticker", json_node_get_object(tp), &error);
		g_assert_no_error(error);
		g_assert_true(pk_graph_link(g, "t", "q", &error));
		deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
		while (pk_pipe_pending(q) < 2 && g_get_monotonic_time() < deadline)
			g_main_context_iteration(NULL, TRUE);
		g_assert_cmpuint(pk_pipe_pending(q), ==, 2);
		g_assert_cmpuint(pk_dev_counter(t, "sent"), ==, 2);
		pk_pipe_clear(q);
	}
	pk_graph_free(g);
	pk_registry_free(reg);
	close(fds[0]);
	close(fds[1]);
}

/* A timer armed with delay 0 on the real clock fires in the next main-loop
 * iteration without the loop sleeping: every poll() while it is due gets
 * timeout 0 (GLib's millisecond rounding of a ready time once made each such
 * timer cost a 1 ms poll timeout). Checked through the poll function, not by
 * timing. */
static GPollFunc real_poll;
static guint polls, polls_with_timeout;

static gint recording_poll(GPollFD *fds, guint nfds, gint timeout)
{
	polls++;
	if (timeout != 0)
		polls_with_timeout++;
	return real_poll(fds, nfds, timeout);
}

static void test_zero_delay_timer_no_poll_timeout(void)
{
	struct pk_registry *reg = test_devices_registry();
	struct pk_graph *g = pk_graph_new(reg, NULL, 0);
	g_autoptr(JsonNode) tp = json_from_string("{\"period\": \"0s\", \"count\": 500}", NULL);
	g_autoptr(JsonNode) qp = json_from_string("{\"capacity\": 0}", NULL);
	GMainContext *ctx = g_main_context_default();
	GError *error = NULL;
	struct pk_dev *t;

	t = pk_graph_add_device(g, "t", "test.ticker", json_node_get_object(tp), &error);
	g_assert_no_error(error);
	g_assert_nonnull(pk_graph_add_device(g, "q", "core.pipe-l2", json_node_get_object(qp),
					     &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(g, "t", "q", &error));
	real_poll = g_main_context_get_poll_func(ctx);
	g_main_context_set_poll_func(ctx, recording_poll);
	polls = polls_with_timeout = 0;
	g_assert_true(pk_graph_start(g, &error));
	/* The ticker re-arms itself with delay 0 from each firing, so a timer is
	 * due at every iteration until it has sent 500 frames. */
	while (pk_dev_counter(t, "sent") < 500 && polls < 100000)
		g_main_context_iteration(ctx, TRUE);
	g_main_context_set_poll_func(ctx, real_poll);
	g_assert_cmpuint(pk_dev_counter(t, "sent"), ==, 500);
	g_assert_cmpuint(polls, >=, 500);
	g_assert_cmpuint(polls_with_timeout, ==, 0);
	pk_graph_free(g);
	pk_registry_free(reg);
}

/* The core's own counters: every device has them, under one name each, and
 * pk_dev_drop() counts the shared reasons. */
static void test_core_drops(struct fixture *f, gconstpointer data)
{
	struct pk_dev *e = add(f, "e", "test.echo", NULL);
	g_autoptr(JsonObject) json = NULL;
	const struct pk_counter *core;
	uint32_t n;

	core = pk_core_counters(&n);
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpstr(core[PK_DROP_NO_BUFFER].name, ==, "dropped-no-buffer");
	g_assert_cmpstr(core[PK_DROP_QUEUE_FULL].name, ==, "dropped-queue-full");

	pk_dev_drop(e, PK_DROP_NO_BUFFER, 3);
	pk_dev_drop(e, PK_DROP_QUEUE_FULL, 2);
	pk_dev_drop(e, (enum pk_drop)7, 5); /* no such reason: ignored */
	g_assert_cmpuint(pk_dev_counter(e, "dropped-no-buffer"), ==, 3);
	g_assert_cmpuint(pk_dev_counter(e, "dropped-queue-full"), ==, 2);
	g_assert_cmpuint(pk_dev_counter(e, "loop-drops"), ==, 0);

	json = pk_dev_counters_to_json(e);
	for (uint32_t i = 0; i < n; i++)
		g_assert_true(json_object_has_member(json, core[i].name));
	g_assert_cmpint(json_object_get_int_member(json, "dropped-no-buffer"), ==, 3);
	g_assert_cmpint(json_object_get_int_member(json, "dropped-queue-full"), ==, 2);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
	g_test_add(path, struct fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/graph/pipe-to-pipe", test_pipe_to_pipe);
	ADD("/graph/core-drops", test_core_drops);
	ADD("/graph/reentrant-delivery", test_reentrant_delivery);
	ADD("/graph/queue-limit", test_queue_limit);
	ADD("/graph/loop-guard", test_loop_guard);
	ADD("/graph/ping-pong", test_ping_pong);
	ADD("/graph/dispatch-budget", test_dispatch_budget);
	ADD("/graph/budget-teardown", test_budget_teardown);
	ADD("/graph/hub-ring", test_hub_ring);
	ADD("/graph/copy-on-write", test_copy_on_write);
	ADD("/graph/timers-fake-clock", test_timers_fake_clock);
	ADD("/graph/timer-survives-restart", test_timer_survives_restart);
	ADD("/graph/live-config", test_live_config);
	ADD("/graph/lifecycle-order", test_lifecycle_order);
	ADD("/graph/link-errors", test_link_errors);
	ADD("/graph/remove-while-running", test_remove_while_running);
	ADD("/graph/invoke-from-thread", test_invoke_from_thread);
	ADD("/graph/many-ports", test_many_ports);
	g_test_add_func("/graph/fd-watch-and-real-timer", test_fd_watch_and_real_timer);
	g_test_add_func("/graph/zero-delay-timer-no-poll-timeout",
			test_zero_delay_timer_no_poll_timeout);
	return g_test_run();
}
