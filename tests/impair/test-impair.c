// SPDX-License-Identifier: MIT
/* test-impair.c - Tests of l2.impair / l3.impair through a graph of pipes, and of their pure helpers */
#include <math.h>
#include <string.h>

#include <pktkit/error.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>
#include <pktkit/embed/testing.h>

#include "impair-math.h"
#include "offload-test.h"

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)

/* Helpers ------------------------------------------------------------- */

static struct pk_registry *test_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		if (!pk_registry_lookup(reg, "l2.impair") || !pk_registry_lookup(reg, "l3.impair"))
			g_error("pk-impair.so not found: is PKTKIT_MODULE_PATH set (meson test)?");
		offload_test_register(reg);
	}
	return reg;
}

static int64_t bufs_in_use(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	return st.allocated;
}

static JsonObject *test_json(const char *json)
{
	g_autoptr(JsonNode) node = NULL;
	GError *error = NULL;

	if (!json)
		return NULL;
	node = json_from_string(json, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	return json_object_ref(json_node_get_object(node));
}

/* A running graph: pipe "pa" -- imp.a, imp.b -- pipe "pb". */
struct fixture {
	struct pk_graph *g;
	struct pk_dev *imp, *pa, *pb;
	int64_t bufs_before;
};

static void setup_layer(struct fixture *f, int layer, const char *params)
{
	g_autoptr(JsonObject) obj = test_json(params);
	g_autoptr(JsonObject) pipe = test_json("{\"capacity\": 100000}");
	const char *type = layer == 3 ? "l3.impair" : "l2.impair";
	const char *pipe_type = layer == 3 ? "core.pipe-l3" : "core.pipe-l2";
	GError *error = NULL;

	f->bufs_before = bufs_in_use();
	f->g = pk_graph_new(test_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	f->imp = pk_graph_add_device(f->g, "imp", type, obj, &error);
	g_assert_no_error(error);
	f->pa = pk_graph_add_device(f->g, "pa", pipe_type, pipe, &error);
	g_assert_no_error(error);
	f->pb = pk_graph_add_device(f->g, "pb", pipe_type, pipe, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "pa", "imp.a", &error));
	g_assert_true(pk_graph_link(f->g, "imp.b", "pb", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static void setup(struct fixture *f, const char *params)
{
	setup_layer(f, 2, params);
}

static void teardown(struct fixture *f)
{
	pk_graph_free(f->g);
	g_assert_cmpint(bufs_in_use(), ==, f->bufs_before);
}

static uint64_t ctr(struct fixture *f, const char *name)
{
	return pk_dev_counter(f->imp, name);
}

static char *set_config(struct fixture *f, const char *json)
{
	g_autoptr(JsonObject) obj = test_json(json);
	g_autoptr(GError) error = NULL;

	if (pk_graph_set_config(f->g, "imp", obj, &error))
		return NULL;
	return g_strdup(error->message);
}

/* A frame (or IPv4-looking packet for L3) of @len bytes carrying @seq. */
static struct pk_buf *make_pkt(uint32_t seq, uint32_t len)
{
	uint8_t p[2048] = { 0 };

	g_assert_cmpuint(len, >=, 24);
	g_assert_cmpuint(len, <=, sizeof(p));
	memset(p, 0x02, 12);
	p[12] = 0x88;
	p[13] = 0xb5;
	p[20] = (uint8_t)(seq >> 24);
	p[21] = (uint8_t)(seq >> 16);
	p[22] = (uint8_t)(seq >> 8);
	p[23] = (uint8_t)seq;
	return pk_buf_new_copy(p, len);
}

static uint32_t pkt_seq(const struct pk_buf *b)
{
	const uint8_t *p = pk_buf_data(b);

	g_assert_cmpuint(pk_buf_len(b), >=, 24);
	return (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
}

/* Inject packets first..first+n-1 of @len bytes into @pipe, in batches of up to 64. */
static void send_seq(struct pk_dev *pipe, uint32_t first, uint32_t n, uint32_t len)
{
	while (n) {
		struct pk_batch batch;
		uint32_t k = MIN(n, PK_BATCH_MAX);

		pk_batch_init(&batch);
		for (uint32_t i = 0; i < k; i++)
			pk_batch_add(&batch, make_pkt(first + i, len));
		g_assert_true(pk_pipe_inject_batch(pipe, &batch));
		pk_batch_unref_all(&batch);
		first += k;
		n -= k;
	}
}

/* Pop every pending buffer of @pipe; append their sequence numbers to @seqs. */
static unsigned int pop_seqs(struct pk_dev *pipe, GArray *seqs)
{
	unsigned int n = 0;
	struct pk_buf *b;

	while ((b = pk_pipe_pop(pipe))) {
		uint32_t s = pkt_seq(b);

		if (seqs)
			g_array_append_val(seqs, s);
		pk_buf_unref(b);
		n++;
	}
	return n;
}

/* Pure helpers --------------------------------------------------------- */

static void test_percent_parse(void)
{
	static const struct {
		const char *text;
		bool ok;
		double pct;
	} cases[] = {
		{ "0", true, 0 },	   { "0%", true, 0 },	     { "10%", true, 10 },
		{ "12.5", true, 12.5 },	   { " 50 % ", false, 0 },   { " 50% ", true, 50 },
		{ "100", true, 100 },	   { "100.0%", true, 100 },  { ".5%", true, 0.5 },
		{ "-5%", false, 0 },	   { "-0", false, 0 },	     { "150%", false, 0 },
		{ "100.0001", false, 0 },  { "abc", false, 0 },	     { "", false, 0 },
		{ "%", false, 0 },	   { "nan", false, 0 },	     { "inf", false, 0 },
		{ "1e2", false, 0 },  	   { "0x10", false, 0 },     { "5%%", false, 0 },
		{ "5 percent", false, 0 }, { "1.2.3", false, 0 }, { "007.50%", true, 7.5 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint64_t thr = 12345;
		bool ok = impair_percent_parse(cases[i].text, &thr);

		if (ok != cases[i].ok)
			g_error("\"%s\": parse %s, expected %s", cases[i].text, ok ? "ok" : "failed",
				cases[i].ok ? "ok" : "failure");
		if (ok)
			g_assert_cmpfloat_with_epsilon((double)thr / (double)IMPAIR_P_ONE,
						       cases[i].pct / 100.0, 1e-12);
	}
	g_assert_false(impair_percent_parse(NULL, &(uint64_t){ 0 }));
}

static void test_prng(void)
{
	struct impair_prng a, b, c;
	uint64_t hits = 0, thr;

	impair_prng_seed(&a, 42, 0);
	impair_prng_seed(&b, 42, 0);
	impair_prng_seed(&c, 42, 1);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = impair_prng_next(&a);

		g_assert_cmpuint(x, ==, impair_prng_next(&b));
		g_assert_cmpuint(x, !=, impair_prng_next(&c));
	}
	/* Never and always are exact; 25% is close. */
	g_assert_true(impair_percent_parse("25%", &thr));
	for (int i = 0; i < 100000; i++) {
		g_assert_false(impair_prng_chance(&a, 0));
		g_assert_true(impair_prng_chance(&a, IMPAIR_P_ONE));
		hits += impair_prng_chance(&a, thr);
		g_assert_cmpuint(impair_prng_upto(&a, 10), <=, 10);
	}
	g_assert_cmpuint(hits, >, 25000 - 700);	/* 5 sigma = 685 */
	g_assert_cmpuint(hits, <, 25000 + 700);
	g_assert_cmpuint(impair_prng_upto(&a, 0), ==, 0);
}

static void test_clock(void)
{
	struct impair_clock c = { 0 };
	uint64_t t = 0;

	/* 1000 packets of 1500 bytes at 7 Mbit/s: exactly floor(N*S*8/R), no drift. */
	for (int i = 0; i < 1000; i++)
		t = impair_clock_send(&c, 1000, 1500, 7000000);
	g_assert_cmpuint(t, ==, 1000 + (uint64_t)1000 * 1500 * 8 * SEC / 7000000);
	/* An idle link starts afresh at the arrival time. */
	t = impair_clock_send(&c, 10 * SEC, 125, 1000000);
	g_assert_cmpuint(t, ==, 10 * SEC + MS);
	/* A busy one queues. */
	t = impair_clock_send(&c, 10 * SEC, 125, 1000000);
	g_assert_cmpuint(t, ==, 10 * SEC + 2 * MS);
	/* The biggest sizes at the highest rate do not overflow. */
	t = impair_clock_send(&c, 20 * SEC, 65535 + 128, INT64_C(1000000000000));
	g_assert_cmpuint(t, ==, 20 * SEC + (65535 + 128) * 8 / 1000);
}

/* Through a graph ------------------------------------------------------ */

static void test_defaults_pass_unchanged(void)
{
	struct fixture f;
	struct pk_batch batch;

	setup(&f, NULL);
	for (int dir = 0; dir < 2; dir++) {
		struct pk_dev *in = dir ? f.pb : f.pa, *out = dir ? f.pa : f.pb;

		pk_batch_init(&batch);
		for (uint32_t i = 0; i < 40; i++)
			pk_batch_add(&batch, make_pkt(i, 60 + i));
		g_assert_true(pk_pipe_inject_batch(in, &batch));
		g_assert_cmpuint(pk_pipe_pending(out), ==, 40);
		g_assert_cmpuint(pk_pipe_pending(in), ==, 0);
		for (uint32_t i = 0; i < 40; i++) {
			struct pk_buf *b = pk_pipe_pop(out);

			g_assert_true(b == batch.buf[i]);	/* the same buffer */
			g_assert_cmpuint(pkt_seq(b), ==, i);
			g_assert_cmpuint(pk_buf_len(b), ==, 60 + i);
			pk_buf_unref(b);
		}
		pk_batch_unref_all(&batch);
	}
	g_assert_cmpuint(ctr(&f, "passed"), ==, 80);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 0);
	g_assert_cmpuint(ctr(&f, "dropped-loss"), ==, 0);
	teardown(&f);
}

/* Run @n packets through a->b with @params; return a bitmap (1 = arrived). */
static GByteArray *loss_pattern(const char *params, uint32_t n, uint64_t *dropped)
{
	GByteArray *got = g_byte_array_new();
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	struct fixture f;

	g_byte_array_set_size(got, n);
	memset(got->data, 0, n);
	setup(&f, params);
	for (uint32_t first = 0; first < n; first += 1024) {
		send_seq(f.pa, first, MIN(1024u, n - first), 64);
		pop_seqs(f.pb, seqs);
	}
	for (guint i = 0; i < seqs->len; i++) {
		uint32_t s = g_array_index(seqs, uint32_t, i);

		g_assert_cmpuint(s, <, n);
		if (i)	/* in order */
			g_assert_cmpuint(s, >, g_array_index(seqs, uint32_t, i - 1));
		got->data[s] = 1;
	}
	*dropped = ctr(&f, "dropped-loss");
	g_assert_cmpuint(*dropped + seqs->len, ==, n);
	g_assert_cmpuint(ctr(&f, "passed"), ==, seqs->len);
	teardown(&f);
	return got;
}

static void test_loss_statistics_and_seed(void)
{
	const uint32_t n = 100000;
	uint64_t d1, d2, d3, d4;
	g_autoptr(GByteArray) p1 = loss_pattern("{\"loss\": \"10%\", \"seed\": 42}", n, &d1);
	g_autoptr(GByteArray) p2 = loss_pattern("{\"loss\": \"10%\", \"seed\": 42}", n, &d2);
	g_autoptr(GByteArray) p3 = loss_pattern("{\"loss\": \"10%\", \"seed\": 43}", n, &d3);
	/* Other impairments draw from their own streams: same losses. */
	g_autoptr(GByteArray) p4 = loss_pattern(
		"{\"loss\": \"10%\", \"seed\": 42, \"reorder\": \"50%\"}", n, &d4);

	/* Binomial(100000, 0.1): sigma = 94.9; allow 5 sigma. */
	g_assert_cmpuint(d1, >, 10000 - 475);
	g_assert_cmpuint(d1, <, 10000 + 475);
	g_assert_cmpuint(d3, >, 10000 - 475);
	g_assert_cmpuint(d3, <, 10000 + 475);
	g_assert_cmpuint(d1, ==, d2);
	g_assert_cmpmem(p1->data, p1->len, p2->data, p2->len);
	g_assert_true(memcmp(p1->data, p3->data, n) != 0);
	g_assert_cmpuint(d1, ==, d4);
	g_assert_cmpmem(p1->data, p1->len, p4->data, p4->len);
}

static void test_loss_extremes(void)
{
	uint64_t d;
	g_autoptr(GByteArray) all = loss_pattern("{\"loss\": \"100%\"}", 5000, &d);
	g_autoptr(GByteArray) none = NULL;

	g_assert_cmpuint(d, ==, 5000);
	none = loss_pattern("{\"loss\": \"0\", \"seed\": 0}", 5000, &d);
	g_assert_cmpuint(d, ==, 0);
}

static void test_gilbert_elliott(void)
{
	const uint32_t n = 200000;
	uint64_t dropped, bursts = 0;
	g_autoptr(GByteArray) p = loss_pattern(
		"{\"loss-model\": \"gilbert-elliott\", \"ge-p\": \"1%\", \"ge-r\": \"10%\"}", n,
		&dropped);
	double frac = (double)dropped / n, mean_burst;

	for (uint32_t i = 0; i < n; i++)
		if (!p->data[i] && (i == 0 || p->data[i - 1]))
			bursts++;
	mean_burst = (double)dropped / (double)bursts;
	/* Stationary loss p/(p+r) = 1/11; bursts of 1/r = 10 packets on average. */
	g_assert_cmpfloat(frac, >, 0.075);
	g_assert_cmpfloat(frac, <, 0.107);
	g_assert_cmpfloat(mean_burst, >, 8.5);
	g_assert_cmpfloat(mean_burst, <, 11.5);
}

static void test_duplicate(void)
{
	struct fixture f;
	struct pk_batch batch;
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	setup(&f, "{\"duplicate\": \"100%\"}");
	pk_batch_init(&batch);
	for (uint32_t i = 0; i < 40; i++)	/* 80 out: more than one batch */
		pk_batch_add(&batch, make_pkt(i, 64));
	g_assert_true(pk_pipe_inject_batch(f.pa, &batch));
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 80);
	for (uint32_t i = 0; i < 80; i++) {
		struct pk_buf *b = pk_pipe_pop(f.pb);

		g_assert_true(b == batch.buf[i / 2]);	/* the copy is the same buffer */
		pk_buf_unref(b);
	}
	pk_batch_unref_all(&batch);
	g_assert_cmpuint(ctr(&f, "duplicated"), ==, 40);
	g_assert_cmpuint(ctr(&f, "passed"), ==, 80);

	/* 20%: the count is binomial and every copy follows its original. */
	g_assert_null(set_config(&f, "{\"duplicate\": \"20%\"}"));
	send_seq(f.pa, 0, 20000, 64);
	pop_seqs(f.pb, seqs);
	g_assert_cmpuint(seqs->len, ==, 20000 + ctr(&f, "duplicated") - 40);
	g_assert_cmpuint(ctr(&f, "duplicated") - 40, >, 4000 - 283);	/* 5 sigma */
	g_assert_cmpuint(ctr(&f, "duplicated") - 40, <, 4000 + 283);
	for (guint i = 1; i < seqs->len; i++)
		g_assert_cmpuint(g_array_index(seqs, uint32_t, i), >=,
				 g_array_index(seqs, uint32_t, i - 1));
	teardown(&f);
}

/* With a delay, duplicates are held as two references and still arrive in pairs. */
static void test_duplicate_delayed(void)
{
	struct fixture f;
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	setup(&f, "{\"duplicate\": \"100%\", \"delay\": \"5ms\"}");
	send_seq(f.pa, 0, 10, 64);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 5 * MS);
	pop_seqs(f.pb, seqs);
	g_assert_cmpuint(seqs->len, ==, 20);
	for (guint i = 0; i < 20; i++)
		g_assert_cmpuint(g_array_index(seqs, uint32_t, i), ==, i / 2);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 20);
	teardown(&f);
}

static void test_delay_exact(void)
{
	struct fixture f;

	setup(&f, "{\"delay\": \"10ms\"}");
	send_seq(f.pa, 0, 3, 64);
	pk_graph_clock_advance(f.g, 4 * MS);
	send_seq(f.pa, 3, 1, 64);	/* at 4 ms */
	pk_graph_clock_advance(f.g, 6 * MS - 1);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 1);	/* 10 ms */
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 3);
	pk_graph_clock_advance(f.g, 4 * MS - 1);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 1);	/* 14 ms */
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 1);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 4);
	g_assert_cmpuint(ctr(&f, "passed"), ==, 4);

	/* The other direction too. */
	send_seq(f.pb, 100, 1, 64);
	pk_graph_clock_advance(f.g, 10 * MS - 1);
	g_assert_cmpuint(pk_pipe_pending(f.pa), ==, 0);
	pk_graph_clock_advance(f.g, 1);
	g_assert_cmpuint(pop_seqs(f.pa, NULL), ==, 1);
	teardown(&f);
}

/* Send one packet every @gap ns, @n of them, and collect them at steps of @gap. */
static void jitter_run(struct fixture *f, uint32_t n, uint64_t gap, uint64_t *min_lat,
		       uint64_t *max_lat)
{
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_autofree uint64_t *sent_at = g_new0(uint64_t, n);
	uint32_t steps = n + (uint32_t)(30 * MS / gap);

	*min_lat = UINT64_MAX;
	*max_lat = 0;
	for (uint32_t step = 0; step < steps; step++) {
		guint had = seqs->len;

		if (step < n) {
			sent_at[step] = pk_graph_now(f->g);
			send_seq(f->pa, step, 1, 64);
		}
		pk_graph_clock_advance(f->g, gap);
		pop_seqs(f->pb, seqs);
		for (guint i = had; i < seqs->len; i++) {
			uint32_t s = g_array_index(seqs, uint32_t, i);
			uint64_t lat = pk_graph_now(f->g) - sent_at[s];

			*min_lat = MIN(*min_lat, lat);
			*max_lat = MAX(*max_lat, lat);
		}
	}
	g_assert_cmpuint(seqs->len, ==, n);
	for (guint i = 0; i < seqs->len; i++)	/* in order */
		g_assert_cmpuint(g_array_index(seqs, uint32_t, i), ==, i);
}

static void test_jitter_keeps_order(void)
{
	struct fixture f;
	uint64_t min_lat, max_lat;

	setup(&f, "{\"delay\": \"10ms\", \"jitter\": \"10ms\"}");
	/* Dense: a packet every 100 us, so many are in flight at once. They stay
	 * in order, and no packet waits longer than delay + jitter. */
	jitter_run(&f, 2000, 100000, &min_lat, &max_lat);
	g_assert_cmpuint(max_lat, <=, 20 * MS + 100000);
	/* One every millisecond. */
	jitter_run(&f, 300, MS, &min_lat, &max_lat);
	g_assert_cmpuint(max_lat, <=, 20 * MS + MS);
	g_assert_cmpuint(ctr(&f, "reordered"), ==, 0);
	teardown(&f);
}

/* Sparse traffic sees the full uniform range of the jitter. */
static void test_jitter_range(void)
{
	struct fixture f;
	uint64_t lo = UINT64_MAX, hi = 0;

	setup(&f, "{\"delay\": \"10ms\", \"jitter\": \"10ms\", \"seed\": 5}");
	for (uint32_t i = 0; i < 300; i++) {
		uint64_t t0 = pk_graph_now(f.g), lat = UINT64_MAX;

		send_seq(f.pa, i, 1, 64);
		for (uint64_t t = 0; t <= 21 * MS && lat == UINT64_MAX; t += 100000) {
			if (pk_pipe_pending(f.pb))
				lat = pk_graph_now(f.g) - t0;
			else
				pk_graph_clock_advance(f.g, 100000);
		}
		g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 1);
		g_assert_cmpuint(lat, <=, 20 * MS + 100000);
		lo = MIN(lo, lat);
		hi = MAX(hi, lat);
		pk_graph_clock_advance(f.g, 25 * MS);
	}
	g_assert_cmpuint(lo, <, MS);
	g_assert_cmpuint(hi, >, 19 * MS);
	teardown(&f);
}

static void test_reorder_gap(void)
{
	struct fixture f;
	g_autoptr(GArray) now = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_autoptr(GArray) later = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	/* Every third packet (gap 3) goes at once, the others 10 ms later. */
	setup(&f, "{\"delay\": \"10ms\", \"reorder\": \"100%\", \"reorder-gap\": 3}");
	send_seq(f.pa, 0, 9, 64);
	pop_seqs(f.pb, now);
	pk_graph_clock_advance(f.g, 10 * MS);
	pop_seqs(f.pb, later);
	g_assert_cmpuint(now->len, ==, 3);
	g_assert_cmpuint(g_array_index(now, uint32_t, 0), ==, 2);
	g_assert_cmpuint(g_array_index(now, uint32_t, 1), ==, 5);
	g_assert_cmpuint(g_array_index(now, uint32_t, 2), ==, 8);
	g_assert_cmpuint(later->len, ==, 6);
	g_assert_cmpuint(ctr(&f, "reordered"), ==, 3);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 6);
	teardown(&f);
}

static void test_reorder_probability(void)
{
	struct fixture f;
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	uint64_t r;
	uint32_t overtaken = 0, max_seen = 0;

	setup(&f, "{\"delay\": \"1ms\", \"reorder\": \"25%\", \"seed\": 7}");
	for (uint32_t i = 0; i < 20000; i += 10) {
		send_seq(f.pa, i, 10, 64);
		pk_graph_clock_advance(f.g, 100000);
		pop_seqs(f.pb, seqs);
	}
	pk_graph_clock_advance(f.g, SEC);
	pop_seqs(f.pb, seqs);
	r = ctr(&f, "reordered");
	g_assert_cmpuint(seqs->len, ==, 20000);
	g_assert_cmpuint(r, >, 5000 - 307);	/* 5 sigma */
	g_assert_cmpuint(r, <, 5000 + 307);
	g_assert_cmpuint(r + ctr(&f, "delayed"), ==, 20000);
	/* Packets out of order happen, and the delayed ones keep their order. */
	for (guint i = 0; i < seqs->len; i++) {
		uint32_t s = g_array_index(seqs, uint32_t, i);

		if (i && s < max_seen)
			overtaken++;
		max_seen = MAX(max_seen, s);
	}
	g_assert_cmpuint(overtaken, >, 1000);
	teardown(&f);
}

static void test_rate(void)
{
	struct fixture f;
	const uint32_t n = 100, size = 125;	/* 1000 bits each */
	const uint64_t rate = 1000000;	/* 1 ms per packet */
	g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_autofree char *params = g_strdup_printf("{\"rate\": %" G_GUINT64_FORMAT "}", rate);

	setup(&f, params);
	send_seq(f.pa, 0, n, size);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, MS - 1);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 1);
	g_assert_cmpuint(pop_seqs(f.pb, seqs), ==, 1);
	/* N*S*8/R in all: the last one leaves at exactly 100 ms. */
	pk_graph_clock_advance(f.g, (uint64_t)n * size * 8 * SEC / rate - MS - 1);
	pop_seqs(f.pb, seqs);
	g_assert_cmpuint(seqs->len, ==, n - 1);
	pk_graph_clock_advance(f.g, 1);
	pop_seqs(f.pb, seqs);
	g_assert_cmpuint(seqs->len, ==, n);
	for (guint i = 0; i < n; i++)
		g_assert_cmpuint(g_array_index(seqs, uint32_t, i), ==, i);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, n);
	g_assert_cmpuint(ctr(&f, "dropped-queue-full"), ==, 0);

	/* An idle link starts again at the arrival; with a delay on top. */
	g_assert_null(set_config(&f, "{\"delay\": \"5ms\", \"rate\": 8000000}"));
	pk_graph_clock_advance(f.g, SEC);
	send_seq(f.pa, 0, 2, 1000);	/* 1 ms each at 8 Mbit/s */
	pk_graph_clock_advance(f.g, 6 * MS - 1);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 1);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 1);
	pk_graph_clock_advance(f.g, MS);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 1);
	teardown(&f);
}

static void test_queue_full(void)
{
	struct fixture f;

	setup(&f, "{\"rate\": 1000000, \"queue-limit\": 10}");
	send_seq(f.pa, 0, 64, 125);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 10);
	g_assert_cmpuint(ctr(&f, "dropped-queue-full"), ==, 54);
	/* Dropped packets did not take link time: the 10 leave by 10 ms. */
	pk_graph_clock_advance(f.g, 10 * MS);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 10);
	g_assert_cmpuint(ctr(&f, "passed"), ==, 10);

	/* A byte limit: 4 packets of 125 fit in 500 bytes. */
	g_assert_null(set_config(&f, "{\"queue-limit\": 1000, \"queue-bytes\": 500}"));
	send_seq(f.pa, 0, 10, 125);
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 14);
	g_assert_cmpuint(ctr(&f, "dropped-queue-full"), ==, 60);
	pk_graph_clock_advance(f.g, SEC);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 4);
	teardown(&f);
}

static void test_stop_with_packets_held(void)
{
	struct fixture f;
	GError *error = NULL;

	setup(&f, "{\"delay\": \"1s\", \"duplicate\": \"50%\"}");
	send_seq(f.pa, 0, 300, 200);
	send_seq(f.pb, 0, 100, 200);
	g_assert_cmpint(bufs_in_use(), >, f.bufs_before);
	pk_graph_stop(f.g);
	g_assert_cmpuint(ctr(&f, "dropped-flushed"), ==, ctr(&f, "delayed"));
	g_assert_cmpuint(ctr(&f, "delayed"), ==, 400 + ctr(&f, "duplicated"));
	g_assert_cmpint(bufs_in_use(), ==, f.bufs_before);
	/* Started again, nothing old comes out. */
	g_assert_true(pk_graph_start(f.g, &error));
	g_assert_no_error(error);
	pk_graph_clock_advance(f.g, 2 * SEC);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	/* And freeing a running graph with packets held frees them too. */
	send_seq(f.pa, 0, 50, 200);
	teardown(&f);
}

static void test_bad_config(void)
{
	static const struct {
		const char *json;
		const char *needle;
	} cases[] = {
		{ "{\"loss\": \"-5%\"}", "loss: \"-5%\" is not a percentage from 0 to 100" },
		{ "{\"loss\": \"150%\"}", "loss: \"150%\" is not a percentage" },
		{ "{\"duplicate\": \"abc\"}", "duplicate: \"abc\" is not a percentage" },
		{ "{\"reorder\": \"\"}", "reorder: \"\" is not a percentage" },
		{ "{\"ge-p\": \"101\"}", "ge-p: \"101\" is not a percentage" },
		{ "{\"loss\": 10}", "devices.imp.loss" },	/* a number: the schema says string */
		{ "{\"delay\": \"10ms\", \"jitter\": \"20ms\"}",
		  "jitter: 20ms is more than the delay (10ms)" },
		{ "{\"jitter\": \"1ms\"}", "jitter: 1ms is more than the delay (0s)" },
		{ "{\"loss-model\": \"gilbert-elliott\", \"loss\": \"5%\"}",
		  "loss: applies to loss-model \"random\" only" },
		{ "{\"rate\": -1}", "devices.imp.rate" },
		{ "{\"queue-limit\": 0}", "devices.imp.queue-limit" },
		{ "{\"reorder-gap\": 0}", "devices.imp.reorder-gap" },
		{ "{\"direction\": \"up\"}", "devices.imp.direction" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct pk_graph *g = pk_graph_new(test_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
		g_autoptr(JsonObject) obj = test_json(cases[i].json);
		g_autoptr(GError) error = NULL;

		g_assert_null(pk_graph_add_device(g, "imp", "l2.impair", obj, &error));
		g_assert_nonnull(error);
		g_assert_true(error->domain == PK_ERROR);
		g_assert_cmpint(error->code, ==, PK_ERROR_INVALID);
		if (!strstr(error->message, cases[i].needle))
			g_error("%s: error \"%s\" does not mention \"%s\"", cases[i].json,
				error->message, cases[i].needle);
		if (g_test_verbose())
			g_printerr("%s -> %s\n", cases[i].json, error->message);
		pk_graph_free(g);
	}
}

static void test_live_reconfigure(void)
{
	struct fixture f;
	g_autofree char *err = NULL;

	setup(&f, NULL);
	send_seq(f.pa, 0, 10, 64);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 10);
	g_assert_null(set_config(&f, "{\"loss\": \"100%\"}"));
	send_seq(f.pa, 0, 10, 64);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 0);
	g_assert_cmpuint(ctr(&f, "dropped-loss"), ==, 10);

	/* A bad value is refused and the old one stays in force. */
	err = set_config(&f, "{\"loss\": \"200%\"}");
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err, "devices.imp: loss: \"200%\" is not a percentage"));
	send_seq(f.pa, 0, 10, 64);
	g_assert_cmpuint(ctr(&f, "dropped-loss"), ==, 20);

	/* Delay changes apply to new packets; held ones keep their time, and a
	 * shorter delay never lets a new packet overtake a held one. */
	g_assert_null(set_config(&f, "{\"loss\": \"0%\", \"delay\": \"50ms\"}"));
	send_seq(f.pa, 0, 1, 64);
	g_assert_null(set_config(&f, "{\"delay\": \"10ms\", \"queue-limit\": 5000}"));
	send_seq(f.pa, 1, 1, 64);
	pk_graph_clock_advance(f.g, 10 * MS);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 40 * MS);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 2);
	g_assert_null(set_config(&f, "{\"delay\": \"0\"}"));
	send_seq(f.pa, 0, 5, 64);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 5);
	teardown(&f);
}

static void test_direction(void)
{
	struct fixture f;
	struct pk_buf *b, *got;

	setup(&f, "{\"delay\": \"10ms\", \"direction\": \"a-to-b\"}");
	b = make_pkt(1, 64);
	g_assert_true(pk_pipe_inject_batch(f.pb, &(struct pk_batch){ .n = 1, .buf = { b } }));
	got = pk_pipe_pop(f.pa);
	g_assert_true(got == b);	/* b to a: at once, the same buffer */
	pk_buf_unref(got);
	send_seq(f.pa, 0, 1, 64);
	g_assert_cmpuint(pk_pipe_pending(f.pb), ==, 0);
	pk_graph_clock_advance(f.g, 10 * MS);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 1);

	/* Switched live to b-to-a. */
	g_assert_null(set_config(&f, "{\"direction\": \"b-to-a\"}"));
	send_seq(f.pa, 0, 1, 64);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 1);
	send_seq(f.pb, 0, 1, 64);
	g_assert_cmpuint(pk_pipe_pending(f.pa), ==, 0);
	pk_graph_clock_advance(f.g, 10 * MS);
	g_assert_cmpuint(pop_seqs(f.pa, NULL), ==, 1);
	pk_buf_unref(b);
	teardown(&f);
}

static void test_l3(void)
{
	struct fixture f;

	setup_layer(&f, 3, "{\"delay\": \"1ms\", \"seed\": 0}");
	send_seq(f.pa, 0, 3, 40);
	send_seq(f.pb, 0, 2, 40);
	pk_graph_clock_advance(f.g, MS);
	g_assert_cmpuint(pop_seqs(f.pb, NULL), ==, 3);
	g_assert_cmpuint(pop_seqs(f.pa, NULL), ==, 2);
	teardown(&f);
}

/* The same seed gives the same output after a stop and start. */
static void test_restart_repeats(void)
{
	struct fixture f;
	g_autoptr(GArray) s1 = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_autoptr(GArray) s2 = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GError *error = NULL;

	setup(&f, "{\"loss\": \"30%\", \"duplicate\": \"30%\", \"seed\": 99}");
	send_seq(f.pa, 0, 1000, 64);
	pop_seqs(f.pb, s1);
	pk_graph_stop(f.g);
	g_assert_true(pk_graph_start(f.g, &error));
	g_assert_no_error(error);
	send_seq(f.pa, 0, 1000, 64);
	pop_seqs(f.pb, s2);
	g_assert_cmpmem(s1->data, s1->len * sizeof(uint32_t), s2->data,
			s2->len * sizeof(uint32_t));
	teardown(&f);
}

/* Offload: pipe "pa" -- imp -- offload sink "pb" (f->pb is the sink). */
static void setup_offload(struct fixture *f, int layer, const char *params)
{
	g_autoptr(JsonObject) obj = test_json(params);
	GError *error = NULL;

	f->bufs_before = bufs_in_use();
	f->g = pk_graph_new(test_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	f->imp = pk_graph_add_device(f->g, "imp", layer == 3 ? "l3.impair" : "l2.impair", obj,
				     &error);
	g_assert_no_error(error);
	f->pa = pk_graph_add_device(f->g, "pa", layer == 3 ? "core.pipe-l3" : "core.pipe-l2",
				    NULL, &error);
	g_assert_no_error(error);
	f->pb = pk_graph_add_device(f->g, "pb", layer == 3 ? "test.offload-sink-l3"
							   : "test.offload-sink-l2", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "pa", "imp.a", &error));
	g_assert_true(pk_graph_link(f->g, "imp.b", "pb.io", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static const uint8_t off_mac_a[6] = { 2, 0, 0, 0, 0, 1 }, off_mac_b[6] = { 2, 0, 0, 0, 0, 2 };

static void inject_super(struct fixture *f, int layer, bool v6, uint32_t payload, uint16_t mss)
{
	struct pk_buf *b = offload_test_super(v6, payload, mss, layer == 2 ? off_mac_b : NULL,
					      off_mac_a);
	struct pk_batch batch = { .n = 1, .buf = { b } };

	g_assert_true(pk_pipe_inject_batch(f->pa, &batch));
	pk_buf_unref(b);
}

/* A direction that is not impaired passes super-packets whole. */
static void test_offload_pass(void)
{
	for (int layer = 2; layer <= 3; layer++) {
		uint32_t l3 = layer == 2 ? PK_ETH_HLEN : 0;
		struct fixture f;
		GPtrArray *got;

		setup_offload(&f, layer, NULL);
		got = offload_test_got(f.pb);
		inject_super(&f, layer, false, 60000, 1448);
		g_assert_cmpuint(got->len, ==, 1);
		offload_test_assert_super(g_ptr_array_index(got, 0), l3, false, 60000, 1448);
		teardown(&f);

		setup_offload(&f, layer, "{\"direction\": \"b-to-a\", \"loss\": \"50%\"}");
		got = offload_test_got(f.pb);
		inject_super(&f, layer, true, 60000, 1448);
		g_assert_cmpuint(got->len, ==, 1);
		offload_test_assert_super(g_ptr_array_index(got, 0), l3, true, 60000, 1448);
		g_assert_cmpuint(ctr(&f, "segmented"), ==, 0);
		teardown(&f);
	}
}

/* An impaired direction cuts super-packets and impairs every segment. */
static void test_offload_segments(void)
{
	for (int layer = 2; layer <= 3; layer++) {
		uint32_t l3 = layer == 2 ? PK_ETH_HLEN : 0, nseg = (65000 + 1447) / 1448;
		struct fixture f;
		GPtrArray *got;

		/* Delay: every segment held, then released in order. */
		setup_offload(&f, layer, "{\"delay\": \"10ms\"}");
		got = offload_test_got(f.pb);
		inject_super(&f, layer, false, 65000, 1448);
		g_assert_cmpuint(got->len, ==, 0);
		g_assert_cmpuint(ctr(&f, "segmented"), ==, 1);
		g_assert_cmpuint(ctr(&f, "delayed"), ==, nseg);
		pk_graph_clock_advance(f.g, 10 * MS);
		offload_test_check_segments((struct pk_buf *const *)got->pdata, got->len, l3, false,
					    65000, 1448);
		teardown(&f);

		/* Loss: per segment, not per super-packet. */
		setup_offload(&f, layer, "{\"loss\": \"30%\", \"seed\": 7}");
		got = offload_test_got(f.pb);
		for (int i = 0; i < 4; i++)
			inject_super(&f, layer, true, 65000, 1448);
		g_assert_cmpuint(ctr(&f, "segmented"), ==, 4);
		g_assert_cmpuint(ctr(&f, "passed") + ctr(&f, "dropped-loss"), ==, 4 * nseg);
		g_assert_cmpuint(ctr(&f, "dropped-loss"), >, 0);
		g_assert_cmpuint(ctr(&f, "passed"), >, 0);
		g_assert_cmpuint(got->len, ==, ctr(&f, "passed"));
		for (uint32_t i = 0; i < got->len; i++) {
			const struct pk_buf *b = g_ptr_array_index(got, i);

			g_assert_false(pk_buf_needs_offload(b));
			g_assert_cmpuint(pk_buf_len(b), <=, l3 + 40 + 32 + 1448);
		}
		teardown(&f);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/impair/percent-parse", test_percent_parse);
	g_test_add_func("/impair/prng", test_prng);
	g_test_add_func("/impair/clock", test_clock);
	g_test_add_func("/impair/defaults-pass-unchanged", test_defaults_pass_unchanged);
	g_test_add_func("/impair/loss-statistics-and-seed", test_loss_statistics_and_seed);
	g_test_add_func("/impair/loss-extremes", test_loss_extremes);
	g_test_add_func("/impair/gilbert-elliott", test_gilbert_elliott);
	g_test_add_func("/impair/duplicate", test_duplicate);
	g_test_add_func("/impair/duplicate-delayed", test_duplicate_delayed);
	g_test_add_func("/impair/delay-exact", test_delay_exact);
	g_test_add_func("/impair/jitter-keeps-order", test_jitter_keeps_order);
	g_test_add_func("/impair/jitter-range", test_jitter_range);
	g_test_add_func("/impair/reorder-gap", test_reorder_gap);
	g_test_add_func("/impair/reorder-probability", test_reorder_probability);
	g_test_add_func("/impair/rate", test_rate);
	g_test_add_func("/impair/queue-full", test_queue_full);
	g_test_add_func("/impair/stop-with-packets-held", test_stop_with_packets_held);
	g_test_add_func("/impair/bad-config", test_bad_config);
	g_test_add_func("/impair/live-reconfigure", test_live_reconfigure);
	g_test_add_func("/impair/direction", test_direction);
	g_test_add_func("/impair/l3", test_l3);
	g_test_add_func("/impair/restart-repeats", test_restart_repeats);
	g_test_add_func("/impair/offload-pass", test_offload_pass);
	g_test_add_func("/impair/offload-segments", test_offload_segments);
	return g_test_run();
}
