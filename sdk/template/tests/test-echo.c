// SPDX-License-Identifier: MIT
/* test-echo.c - Tests of acme.echo through the installed libpktkit: pipes, counters, live config
 *
 * The module under test is loaded the way a host loads it, from its .so:
 * the path comes from $ACME_ECHO_MODULE (meson test sets it) or from the
 * first argument:
 *
 *   test-echo [GTest options] [path/to/pk-acme-echo.so]
 *
 * Each test builds a small graph with a fake clock: a core.pipe-l2 named
 * "tap" linked to an acme.echo named "echo". What the test injects into tap
 * reaches echo.eth; what echo reflects queues up in tap for pk_pipe_pop().
 */
#include <pktkit/pktkit.h>
#include <pktkit/embed/testing.h>

#define FRAME_LEN 60u

static const char *module_path;

static const uint8_t mac_a[PK_ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[PK_ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

struct fixture {
	struct pk_registry *reg;
	struct pk_graph *g;
	struct pk_dev *tap;
	struct pk_dev *echo;
	int64_t bufs_before;
};

/* Buffers currently handed out by the pool: equal before and after = no leak. */
static int64_t bufs_outstanding(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	return st.allocated;
}

/* A frame from mac_a to mac_b, EtherType 0x88b5 (local experimental), payload i & 0xff. */
static void frame_fill(uint8_t *f, uint32_t len)
{
	memcpy(f, mac_b, PK_ETH_ALEN);
	memcpy(f + PK_ETH_ALEN, mac_a, PK_ETH_ALEN);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (uint32_t i = PK_ETH_HLEN; i < len; i++)
		f[i] = (uint8_t)i;
}

static JsonObject *json_object_parse(const char *text)
{
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(GError) error = NULL;

	node = json_from_string(text, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	return json_object_ref(json_node_get_object(node));
}

/*
 * Fixture data: the echo device's parameters as JSON text, or NULL for the
 * defaults. The graph is running when the test starts.
 */
static void fixture_setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(JsonObject) params = data ? json_object_parse(data) : NULL;
	g_autoptr(GError) error = NULL;

	f->bufs_before = bufs_outstanding();
	f->reg = pk_registry_new();
	g_assert_true(pk_registry_load_file(f->reg, module_path, &error));
	g_assert_no_error(error);

	f->g = pk_graph_new(f->reg, NULL, PK_GRAPH_FAKE_CLOCK);
	f->tap = pk_graph_add_device(f->g, "tap", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	f->echo = pk_graph_add_device(f->g, "echo", "acme.echo", params, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "tap", "echo.eth", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static void fixture_teardown(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	pk_graph_free(f->g);
	pk_registry_free(f->reg);
	/* Every buffer the test or the module touched went back to the pool. */
	g_assert_cmpint(bufs_outstanding(), ==, f->bufs_before);
}

static void set_config(struct fixture *f, const char *json, GError **error)
{
	g_autoptr(JsonObject) params = json_object_parse(json);

	pk_graph_set_config(f->g, "echo", params, error);
}

static void inject_frame(struct fixture *f, uint32_t len)
{
	uint8_t frame[2048];

	g_assert_cmpuint(len, <=, sizeof(frame));
	frame_fill(frame, len);
	g_assert_true(pk_pipe_inject(f->tap, frame, len));
}

/* Pop one reflection from tap and check its length, addresses and payload. */
static void expect_reflection(struct fixture *f, uint32_t len, bool swapped)
{
	struct pk_buf *b = pk_pipe_pop(f->tap);
	uint8_t want[2048];

	g_assert_nonnull(b);
	frame_fill(want, len);
	if (swapped)
		pk_eth_swap_addrs(want);
	g_assert_cmpmem(pk_buf_data(b), pk_buf_len(b), want, len);
	pk_buf_unref(b);
}

/* The module loads, and the host sees what its descriptors declare. */
static void test_registry(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	const struct pk_registry_type *rt = pk_registry_lookup(f->reg, "acme.echo");
	const struct pk_device_type *t;
	struct pk_param_table params;

	g_assert_nonnull(rt);
	t = rt->type;
	g_assert_cmpstr(rt->module->info->name, ==, "acme-echo");
	g_assert_cmpstr(rt->module->file, ==, module_path);
	g_assert_cmpuint(rt->module->info->abi_major, ==, PK_ABI_MAJOR);
	g_assert_cmpuint(rt->module->info->abi_minor, <=, PK_ABI_MINOR);
	g_assert_null(pk_registry_diagnostics(f->reg)[0]);

	g_assert_cmpuint(t->n_ports, ==, 1);
	g_assert_cmpstr(pk_type_port_group(t, 0)->name, ==, "eth");
	g_assert_cmpuint(pk_type_port_group(t, 0)->layer, ==, PK_L2);

	params = pk_type_params(t);
	g_assert_cmpuint(params.n, ==, 2);
	g_assert_cmpstr(pk_param_at(&params, 0)->name, ==, "swap-mac");
	g_assert_true(pk_param_at(&params, 0)->flags & PK_PF_LIVE);
	g_assert_cmpstr(pk_param_at(&params, 1)->name, ==, "max-len");
	g_assert_false(pk_param_at(&params, 1)->flags & PK_PF_LIVE);

	g_assert_cmpuint(t->n_counters, >=, 2);
	g_assert_cmpstr(pk_type_counter(t, 0)->name, ==, "reflected");
	g_assert_cmpstr(pk_type_counter(t, 1)->name, ==, "dropped-too-long");
}

/* A frame comes back with its MAC addresses swapped and nothing else changed. */
static void test_reflect(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	inject_frame(f, FRAME_LEN);
	g_assert_cmpuint(pk_pipe_pending(f->tap), ==, 1);
	expect_reflection(f, FRAME_LEN, true);
	g_assert_cmpuint(pk_pipe_pending(f->tap), ==, 0);
	g_assert_cmpuint(pk_dev_counter(f->echo, "reflected"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(f->echo, "dropped-too-long"), ==, 0);
	g_assert_cmpuint(pk_dev_counter(f->tap, "received"), ==, 1);
}

/* The status shows the last frame: absent before, its length after. */
static void test_status(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GVariant) before = NULL, after = NULL;
	GError *error = NULL;
	uint64_t v;

	before = pk_graph_device_status(f->g, "echo", &error);
	g_assert_no_error(error);
	g_assert_false(g_variant_lookup(before, "last-length", "t", &v));
	inject_frame(f, FRAME_LEN);
	expect_reflection(f, FRAME_LEN, true);
	after = pk_graph_device_status(f->g, "echo", &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_lookup(after, "last-length", "t", &v));
	g_assert_cmpuint(v, ==, FRAME_LEN);
	g_assert_true(g_variant_lookup(after, "last-age", "t", &v));
}

/* A buffer someone else holds is not written to: the echo reflects a copy. */
static void test_shared_copy_on_write(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	uint8_t frame[FRAME_LEN];
	struct pk_batch batch;
	struct pk_buf *mine;

	frame_fill(frame, sizeof(frame));
	mine = pk_buf_new_copy(frame, sizeof(frame));
	g_assert_nonnull(mine);
	pk_batch_init(&batch);
	pk_batch_add(&batch, mine);
	pk_buf_ref(mine);	/* a second holder: the frame is now shared */
	g_assert_true(pk_pipe_inject_batch(f->tap, &batch));

	g_assert_cmpmem(pk_buf_data(mine), pk_buf_len(mine), frame, sizeof(frame));
	expect_reflection(f, FRAME_LEN, true);
	pk_buf_unref(mine);
	pk_buf_unref(mine);
}

/* One batch in, one batch out: order kept, drops counted per reason. */
static void test_batch(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	static const uint32_t lens[] = { 60, 1515, 100, 10, 1514 };
	uint8_t frame[2048];
	struct pk_batch batch;
	struct pk_port_stats st;

	pk_batch_init(&batch);
	for (guint i = 0; i < G_N_ELEMENTS(lens); i++) {
		frame_fill(frame, lens[i]);
		g_assert_true(pk_batch_add(&batch, pk_buf_new_copy(frame, lens[i])));
	}
	g_assert_true(pk_pipe_inject_batch(f->tap, &batch));
	pk_batch_unref_all(&batch);

	g_assert_cmpuint(pk_pipe_pending(f->tap), ==, 3);
	expect_reflection(f, 60, true);
	expect_reflection(f, 100, true);
	expect_reflection(f, 1514, true);
	g_assert_cmpuint(pk_dev_counter(f->echo, "reflected"), ==, 3);
	g_assert_cmpuint(pk_dev_counter(f->echo, "dropped-too-long"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(f->echo, "dropped-short"), ==, 1);
	/* The reflections left the echo as one emission on one port. */
	g_assert_true(pk_dev_port_stats(f->echo, PK_PORT(0, 0), &st));
	g_assert_cmpuint(st.rx_packets, ==, 5);
	g_assert_cmpuint(st.tx_packets, ==, 3);
}

/* max-len is inclusive; longer frames are dropped and counted, not reflected. */
static void test_too_long(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	inject_frame(f, 100);
	inject_frame(f, 101);
	inject_frame(f, 1500);
	g_assert_cmpuint(pk_pipe_pending(f->tap), ==, 1);
	expect_reflection(f, 100, true);
	g_assert_cmpuint(pk_dev_counter(f->echo, "reflected"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(f->echo, "dropped-too-long"), ==, 2);
}

/* swap-mac is LIVE: it changes while running; max-len waits for a stop. */
static void test_live_reconfigure(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) exported = NULL;
	JsonObject *echo_json;

	g_assert_true(pk_graph_is_running(f->g));
	set_config(f, "{\"swap-mac\": false}", &error);
	g_assert_no_error(error);
	inject_frame(f, FRAME_LEN);
	expect_reflection(f, FRAME_LEN, false);

	/* The host refuses a non-live parameter while running, and keeps the old config. */
	set_config(f, "{\"max-len\": 64}", &error);
	g_assert_error(error, PK_ERROR, PK_ERROR_STATE);
	g_clear_error(&error);
	inject_frame(f, 100);
	expect_reflection(f, 100, false);

	/* Unknown keys and out-of-range values are errors too, never ignored. */
	set_config(f, "{\"swap-macs\": true}", &error);
	g_assert_error(error, PK_ERROR, PK_ERROR_UNKNOWN);
	g_clear_error(&error);
	set_config(f, "{\"swap-mac\": \"yes\"}", &error);
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_clear_error(&error);

	/* Stopped, every parameter may change. */
	pk_graph_stop(f->g);
	set_config(f, "{\"max-len\": 64, \"swap-mac\": true}", &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	inject_frame(f, 64);
	inject_frame(f, 65);
	expect_reflection(f, 64, true);
	g_assert_cmpuint(pk_pipe_pending(f->tap), ==, 0);
	g_assert_cmpuint(pk_dev_counter(f->echo, "dropped-too-long"), ==, 1);

	/* Export writes only what differs from the defaults. */
	exported = pk_graph_export(f->g, false);
	echo_json = json_object_get_object_member(
		json_object_get_object_member(json_node_get_object(exported), "devices"), "echo");
	g_assert_cmpstr(json_object_get_string_member(echo_json, "type"), ==, "acme.echo");
	g_assert_cmpint(json_object_get_int_member(echo_json, "max-len"), ==, 64);
	g_assert_false(json_object_has_member(echo_json, "swap-mac"));
}

/* The fake clock only moves when told to; an echo has nothing pending in time. */
static void test_fake_clock(struct fixture *f, gconstpointer data G_GNUC_UNUSED)
{
	uint64_t t0 = pk_graph_now(f->g);

	pk_graph_clock_advance(f->g, 3600 * (uint64_t)PK_NSEC_PER_SEC);
	g_assert_cmpuint(pk_graph_now(f->g) - t0, ==, 3600 * (uint64_t)PK_NSEC_PER_SEC);
	g_assert_cmpuint(pk_pipe_pending(f->tap), ==, 0);
	inject_frame(f, FRAME_LEN);
	expect_reflection(f, FRAME_LEN, true);
}

/* Bad parameters at creation name the device and the key. */
static void test_bad_params(void)
{
	struct pk_registry *reg = pk_registry_new();
	struct pk_graph *g;
	g_autoptr(JsonObject) params = json_object_parse("{\"max-len\": 59}");
	g_autoptr(GError) error = NULL;

	g_assert_true(pk_registry_load_file(reg, module_path, &error));
	g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_assert_null(pk_graph_add_device(g, "echo", "acme.echo", params, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "devices.echo.max-len"));
	pk_graph_free(g);
	pk_registry_free(reg);
}

#define ADD(path, params, fn) \
	g_test_add(path, struct fixture, params, fixture_setup, fn, fixture_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	module_path = argc > 1 ? argv[1] : g_getenv("ACME_ECHO_MODULE");
	if (!module_path || !*module_path) {
		g_printerr("usage: %s [path/to/pk-acme-echo.so] (or set ACME_ECHO_MODULE)\n",
			   argv[0]);
		return 2;
	}

	ADD("/acme-echo/registry", NULL, test_registry);
	ADD("/acme-echo/reflect", NULL, test_reflect);
	ADD("/acme-echo/status", NULL, test_status);
	ADD("/acme-echo/shared-copy-on-write", NULL, test_shared_copy_on_write);
	ADD("/acme-echo/batch", NULL, test_batch);
	ADD("/acme-echo/too-long", "{\"max-len\": 100}", test_too_long);
	ADD("/acme-echo/live-reconfigure", NULL, test_live_reconfigure);
	ADD("/acme-echo/fake-clock", NULL, test_fake_clock);
	g_test_add_func("/acme-echo/bad-params", test_bad_params);
	return g_test_run();
}
