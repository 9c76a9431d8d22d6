// SPDX-License-Identifier: MIT
/* test-qemu.c - Tests of the qemu module: framing parser, TX queue, io.qemu-listen, -connect and -dgram */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>

#include <glib/gstdio.h>

#include <pktkit/pktkit.h>
#include <pktkit/embed/testing.h>
#include <pktkit/toolkit/dhcp.h>

#include "framing.h"
#include "offload-test.h"
#include "txq.h"

/* Framing parser ------------------------------------------------------------- */

struct sinkrec {
	GPtrArray *frames;	/* GByteArray * */
	bool refuse;
	uint8_t store[70000];
};

static uint8_t *rec_alloc(void *ctx, uint32_t len)
{
	struct sinkrec *r = ctx;

	g_assert_cmpuint(len, <=, sizeof(r->store));
	return r->refuse ? NULL : r->store;
}

static void rec_frame(void *ctx, uint8_t *s, uint32_t len)
{
	struct sinkrec *r = ctx;
	GByteArray *a = g_byte_array_new();

	g_byte_array_append(a, s, len);
	g_ptr_array_add(r->frames, a);
}

static GByteArray *make_stream(const uint32_t *lens, unsigned n)
{
	GByteArray *a = g_byte_array_new();

	for (unsigned i = 0; i < n; i++) {
		uint8_t h[4];

		qemu_stream_put_header(h, lens[i]);
		g_byte_array_append(a, h, 4);
		for (uint32_t k = 0; k < lens[i]; k++) {
			uint8_t v = (uint8_t)(i * 31 + k);

			g_byte_array_append(a, &v, 1);
		}
	}
	return a;
}

static void test_framing_split(void)
{
	const uint32_t lens[] = { 60, 1, 1514, 42, 9000, 14 };
	g_autoptr(GByteArray) s = make_stream(lens, G_N_ELEMENTS(lens));

	/* every chunk size, so headers and bodies are split at every offset */
	for (size_t chunk = 1; chunk <= 23; chunk++) {
		struct sinkrec *r = g_new0(struct sinkrec, 1);
		const struct qemu_stream_sink sink = { rec_alloc, rec_frame, r };
		struct qemu_stream_parser p;

		r->frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
		qemu_stream_parser_init(&p, 16384);
		for (size_t off = 0; off < s->len; off += chunk) {
			size_t n = MIN(chunk, s->len - off);

			g_assert_cmpint(qemu_stream_feed(&p, s->data + off, n, &sink), ==, 0);
			if (off + n < s->len && off + n > 0)
				(void)qemu_stream_mid_record(&p);
		}
		g_assert_false(qemu_stream_mid_record(&p));
		g_assert_cmpuint(r->frames->len, ==, G_N_ELEMENTS(lens));
		for (unsigned i = 0; i < G_N_ELEMENTS(lens); i++) {
			GByteArray *f = g_ptr_array_index(r->frames, i);

			g_assert_cmpuint(f->len, ==, lens[i]);
			g_assert_cmpuint(f->data[lens[i] - 1], ==, (uint8_t)(i * 31 + lens[i] - 1));
		}
		g_ptr_array_unref(r->frames);
		g_free(r);
	}
}

static void test_framing_errors(void)
{
	struct sinkrec *r = g_new0(struct sinkrec, 1);
	const struct qemu_stream_sink sink = { rec_alloc, rec_frame, r };
	struct qemu_stream_parser p;
	const uint8_t zero[] = { 0, 0, 0, 0, 1, 2 };
	const uint8_t big[] = { 0, 0, 0x40, 0x01 };	/* 16385 */
	const uint8_t part[] = { 0, 0, 0, 60, 1, 2, 3 };
	const uint32_t lens[] = { 100, 50 };
	g_autoptr(GByteArray) s = make_stream(lens, 2);

	r->frames = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
	qemu_stream_parser_init(&p, 16384);
	g_assert_cmpint(qemu_stream_feed(&p, zero, sizeof(zero), &sink), ==, QEMU_STREAM_E_ZERO);
	/* sticky */
	g_assert_cmpint(qemu_stream_feed(&p, s->data, s->len, &sink), ==, QEMU_STREAM_E_ZERO);
	g_assert_cmpuint(r->frames->len, ==, 0);

	qemu_stream_parser_init(&p, 16384);
	g_assert_cmpint(qemu_stream_feed(&p, big, sizeof(big), &sink), ==, QEMU_STREAM_E_TOO_LONG);
	qemu_stream_parser_init(&p, 16385);
	g_assert_cmpint(qemu_stream_feed(&p, big, sizeof(big), &sink), ==, 0);
	g_assert_true(qemu_stream_mid_record(&p));

	/* truncated record: visible to the caller at end of stream */
	qemu_stream_parser_init(&p, 16384);
	g_assert_cmpint(qemu_stream_feed(&p, part, sizeof(part), &sink), ==, 0);
	g_assert_true(qemu_stream_mid_record(&p));
	g_assert_nonnull(qemu_stream_take_storage(&p));
	qemu_stream_parser_init(&p, 16384);
	g_assert_cmpint(qemu_stream_feed(&p, part, 2, &sink), ==, 0);
	g_assert_true(qemu_stream_mid_record(&p));

	/* a sink without storage skips the body but stays in sync */
	qemu_stream_parser_init(&p, 16384);
	r->refuse = true;
	g_assert_cmpint(qemu_stream_feed(&p, s->data, 104, &sink), ==, 0);
	r->refuse = false;
	g_assert_cmpint(qemu_stream_feed(&p, s->data + 104, s->len - 104, &sink), ==, 0);
	g_assert_cmpuint(r->frames->len, ==, 1);
	g_assert_cmpuint(((GByteArray *)g_ptr_array_index(r->frames, 0))->len, ==, 50);
	g_assert_cmpstr(qemu_stream_error_str(QEMU_STREAM_E_ZERO), ==, "record of length 0");
	g_ptr_array_unref(r->frames);
	g_free(r);
}

/* TX queue ----------------------------------------------------------------------- */

static void test_txq(void)
{
	struct qemu_txq q = { 0 };
	struct iovec iov[8];
	struct pk_buf *b[3];
	struct pk_buf_stats st0, st1;
	uint8_t flat[4096];
	size_t fl = 0;
	int k;

	pk_buf_pool_stats(&st0);
	qemu_txq_init(&q, 3, true);
	for (int i = 0; i < 3; i++) {
		b[i] = pk_buf_alloc(100 + (uint32_t)i);
		memset(pk_buf_data(b[i]), 'a' + i, pk_buf_len(b[i]));
		g_assert_true(qemu_txq_push(&q, b[i]));
	}
	g_assert_false(qemu_txq_push(&q, b[0]));	/* full */
	g_assert_true(qemu_txq_full(&q));
	g_assert_cmpuint(q.bytes, ==, 3 * 4 + 100 + 101 + 102);
	for (int i = 0; i < 3; i++)
		pk_buf_unref(b[i]);	/* the queue holds its own references */

	/* write in uneven pieces: 3 bytes, then 50, then the rest */
	k = qemu_txq_iov(&q, iov, 8);
	g_assert_cmpint(k, ==, 6);
	for (size_t want = 3; !qemu_txq_empty(&q); want = want == 3 ? 50 : 1000) {
		size_t got = 0;

		k = qemu_txq_iov(&q, iov, 8);
		for (int i = 0; i < k && got < want; i++) {
			size_t n = MIN(iov[i].iov_len, want - got);

			memcpy(flat + fl, iov[i].iov_base, n);
			fl += n;
			got += n;
		}
		qemu_txq_advance(&q, got);
	}
	g_assert_cmpuint(fl, ==, 3 * 4 + 303);
	g_assert_cmpuint(flat[0], ==, 0);
	g_assert_cmpuint(flat[3], ==, 100);
	g_assert_cmpuint(flat[4], ==, 'a');
	g_assert_cmpuint(flat[104 + 3], ==, 101);
	g_assert_cmpuint(flat[fl - 1], ==, 'c');
	qemu_txq_clear(&q);
	pk_buf_pool_stats(&st1);
	g_assert_cmpint(st1.allocated, ==, st0.allocated);

	/* clear drops queued references */
	qemu_txq_init(&q, 4, false);
	b[0] = pk_buf_alloc(60);
	qemu_txq_push(&q, b[0]);
	k = qemu_txq_iov(&q, iov, 8);
	g_assert_cmpint(k, ==, 1);	/* unframed: no header */
	pk_buf_unref(b[0]);
	qemu_txq_clear(&q);
	pk_buf_pool_stats(&st1);
	g_assert_cmpint(st1.allocated, ==, st0.allocated);
}

/* Devices ------------------------------------------------------------------------- */

struct fx {
	struct pk_registry *reg;
	struct pk_graph *g;
	struct pk_dev *pipe;
	struct pk_dev *dev;
	char *dir;
	char *path;
	char *addr;
	struct pk_buf_stats st0;
};

#define WAIT(cond)                                                                    \
	do {                                                                          \
		gint64 dl_ = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;             \
		while (!(cond) && g_get_monotonic_time() < dl_) {                     \
			if (!g_main_context_iteration(NULL, FALSE))                   \
				g_usleep(1000);                                       \
		}                                                                     \
		g_assert_true(cond);                                                  \
	} while (0)

static void spin(int ms)
{
	gint64 dl = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < dl)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(500);
}

static void fx_setup(struct fx *f, gconstpointer data)
{
	GError *error = NULL;

	(void)data;
	pk_buf_pool_stats(&f->st0);
	f->reg = pk_registry_new();
	pk_registry_scan_default(f->reg);
	g_assert_nonnull(pk_registry_lookup(f->reg, "io.qemu-listen"));
	f->g = pk_graph_new(f->reg, NULL, 0);
	f->dir = g_dir_make_tmp("pk-qemu-test.XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "guests.sock", NULL);
	f->addr = g_strdup_printf("unix:%s", f->path);
}

static void fx_teardown(struct fx *f, gconstpointer data)
{
	struct pk_buf_stats st1;

	(void)data;
	pk_graph_free(f->g);
	pk_registry_free(f->reg);
	g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));	/* removed on stop */
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f->path);
	g_free(f->addr);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_buf_pool_stats(&st1);
	g_assert_cmpint(st1.allocated, ==, f->st0.allocated);
}

/* Add a listener "q" (extra JSON members in @extra) linked to a pipe "p", and start. */
static void fx_listener(struct fx *f, const char *extra)
{
	g_autofree char *json = g_strdup_printf("{\"listen\": \"%s\"%s%s}", f->addr,
						extra ? ", " : "", extra ? extra : "");
	g_autoptr(JsonNode) params = json_from_string(json, NULL);
	GError *error = NULL;

	f->dev = pk_graph_add_device(f->g, "q", "io.qemu-listen", json_node_get_object(params),
				     &error);
	g_assert_no_error(error);
	f->pipe = pk_graph_add_device(f->g, "p", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "q.lan", "p", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

struct client {
	int fd;
	GByteArray *in;
	bool eof;
};

static void client_open(struct fx *f, struct client *c)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	uint64_t before = pk_dev_counter(f->dev, "guests-accepted") +
			  pk_dev_counter(f->dev, "guests-refused");

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_strlcpy(un.sun_path, f->path, sizeof(un.sun_path));
	g_assert_cmpint(connect(c->fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
	g_assert_cmpint(fcntl(c->fd, F_SETFL, O_NONBLOCK), ==, 0);
	c->in = g_byte_array_new();
	c->eof = false;
	WAIT(pk_dev_counter(f->dev, "guests-accepted") + pk_dev_counter(f->dev, "guests-refused") ==
	     before + 1);
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	g_clear_pointer(&c->in, g_byte_array_unref);
}

static void client_send_raw(struct client *c, const void *p, size_t n)
{
	g_assert_cmpint(write(c->fd, p, n), ==, (ssize_t)n);
}

static void client_send(struct client *c, const uint8_t *frame, uint32_t len)
{
	uint8_t h[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			 (uint8_t)len };

	client_send_raw(c, h, 4);
	client_send_raw(c, frame, len);
}

static void client_pump(struct client *c)
{
	uint8_t buf[65536];
	ssize_t n;

	while ((n = read(c->fd, buf, sizeof(buf))) > 0)
		g_byte_array_append(c->in, buf, (guint)n);
	if (n == 0)
		c->eof = true;
}

/* Pop one record into @out (len returned) or return -1 if none is complete. */
static int client_pop(struct client *c, uint8_t *out, size_t cap)
{
	uint32_t len;

	client_pump(c);
	if (c->in->len < 4)
		return -1;
	len = ((uint32_t)c->in->data[0] << 24) | ((uint32_t)c->in->data[1] << 16) |
	      ((uint32_t)c->in->data[2] << 8) | c->in->data[3];
	if (c->in->len < 4 + len)
		return -1;
	g_assert_cmpuint(len, <=, cap);
	memcpy(out, c->in->data + 4, len);
	g_byte_array_remove_range(c->in, 0, 4 + len);
	return (int)len;
}

/* Wait up to @ms for a record. */
static int client_recv(struct client *c, uint8_t *out, size_t cap, int ms)
{
	gint64 dl = g_get_monotonic_time() + ms * 1000;
	int n;

	while ((n = client_pop(c, out, cap)) < 0 && g_get_monotonic_time() < dl)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(500);
	return n;
}

static const uint8_t MAC_A[6] = { 0x52, 0x54, 0, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0, 0, 0, 0xb };
static const uint8_t MAC_LAN[6] = { 0x02, 0, 0, 0, 0, 0x1 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint32_t frame(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint32_t len,
		      uint8_t tag)
{
	memset(buf, tag, len);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	return len;
}

static void test_listen_both_ways(struct fx *f, gconstpointer data)
{
	struct client a;
	uint8_t buf[2048], got[2048];
	struct pk_buf *b;
	struct stat st;

	(void)data;
	fx_listener(f, NULL);
	g_assert_cmpint(stat(f->path, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 0777, ==, 0600);
	client_open(f, &a);
	g_assert_cmpuint(pk_dev_counter(f->dev, "guests-connected"), ==, 1);

	/* guest -> lan: several records in one write arrive as one batch */
	{
		g_autoptr(GByteArray) w = g_byte_array_new();

		for (int i = 0; i < 5; i++) {
			uint32_t n = frame(buf, BCAST, MAC_A, 60 + (uint32_t)i, (uint8_t)i);
			uint8_t h[4] = { 0, 0, 0, (uint8_t)n };

			g_byte_array_append(w, h, 4);
			g_byte_array_append(w, buf, n);
		}
		client_send_raw(&a, w->data, w->len);
	}
	WAIT(pk_pipe_pending(f->pipe) == 5);
	b = pk_pipe_pop(f->pipe);
	g_assert_cmpuint(pk_buf_len(b), ==, 60);
	g_assert_cmpmem(pk_buf_data(b) + 6, 6, MAC_A, 6);
	pk_buf_unref(b);
	pk_pipe_clear(f->pipe);
	g_assert_cmpuint(pk_dev_counter(f->dev, "rx-frames"), ==, 5);
	g_assert_cmpuint(pk_dev_counter(f->dev, "rx-reads"), ==, 1);
	g_assert_cmpuint(pk_dev_counter(f->dev, "macs"), ==, 1);

	/* lan -> guest: a short (42-byte) unpadded frame goes through as is */
	frame(buf, MAC_A, MAC_LAN, 42, 0x42);
	g_assert_true(pk_pipe_inject(f->pipe, buf, 42));
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 42);
	g_assert_cmpmem(got, 42, buf, 42);
	g_assert_cmpuint(pk_dev_counter(f->dev, "tx-frames"), ==, 1);

	/* frames shorter than an Ethernet header are dropped, not fatal */
	client_send(&a, buf, 10);
	WAIT(pk_dev_counter(f->dev, "dropped-short") == 1);
	g_assert_cmpuint(pk_dev_counter(f->dev, "guests-connected"), ==, 1);
	client_close(&a);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

/* The QEMU socket netdevs carry plain frames (no vnet header), so the ports
 * do not take offloads: a TCP super-frame reaches the guest as segments of at
 * most 1514 bytes with complete checksums (cut by the core in front). */
static void test_listen_offload_segmented(struct fx *f, gconstpointer data)
{
	struct pk_buf *segs[64], *b = offload_test_super(false, 60000, 1448, MAC_A, MAC_LAN);
	struct pk_batch batch = { .n = 1, .buf = { b } };
	uint8_t got[2048];
	struct client a;
	uint32_t n = 0;
	int len;

	(void)data;
	fx_listener(f, NULL);
	client_open(f, &a);
	g_assert_true(pk_pipe_inject_batch(f->pipe, &batch));
	pk_buf_unref(b);
	while (n < (60000 + 1447) / 1448 && (len = client_recv(&a, got, sizeof(got), 2000)) > 0) {
		g_assert_cmpint(len, <=, 1514);
		segs[n++] = pk_buf_new_copy(got, (uint32_t)len);
	}
	offload_test_check_segments(segs, n, PK_ETH_HLEN, false, 60000, 1448);
	for (uint32_t i = 0; i < n; i++)
		pk_buf_unref(segs[i]);
	client_close(&a);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

static void test_listen_two_guests(struct fx *f, gconstpointer data)
{
	struct client a, b;
	uint8_t buf[2048], got[2048];

	(void)data;
	fx_listener(f, NULL);
	client_open(f, &a);
	client_open(f, &b);

	/* A broadcasts: lan and B get it, A does not */
	client_send(&a, buf, frame(buf, BCAST, MAC_A, 60, 1));
	WAIT(pk_pipe_pending(f->pipe) == 1);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 60);
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 50), ==, -1);
	pk_pipe_clear(f->pipe);

	/* B -> A unicast (A's MAC learned): only A gets it */
	client_send(&b, buf, frame(buf, MAC_A, MAC_B, 70, 2));
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 70);
	g_assert_cmpuint(got[20], ==, 2);
	spin(30);
	g_assert_cmpuint(pk_pipe_pending(f->pipe), ==, 0);
	g_assert_cmpuint(pk_dev_counter(f->dev, "macs"), ==, 2);

	/* lan -> B unicast: only B; lan -> unknown: flooded to both */
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_B, MAC_LAN, 64, 3)));
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 64);
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 50), ==, -1);
	{
		const uint8_t unknown[6] = { 0x52, 0x54, 0, 0, 0, 0x77 };

		g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, unknown, MAC_LAN, 64, 4)));
	}
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 64);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 64);

	/* a MAC that moves from A to B follows */
	client_send(&b, buf, frame(buf, BCAST, MAC_A, 60, 5));
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 60);
	WAIT(pk_dev_counter(f->dev, "macs-moved") == 1);
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 64, 6)));
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 64);
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 50), ==, -1);
	client_close(&a);
	client_close(&b);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
	g_assert_cmpuint(pk_dev_counter(f->dev, "macs"), ==, 0);
}

/* Rows of the hub's MAC table (status). */
static gsize hub_macs(struct fx *f)
{
	g_autoptr(GVariant) st = pk_graph_device_status(f->g, "hub", NULL);
	g_autoptr(GVariant) t = g_variant_lookup_value(st, "mac-table", G_VARIANT_TYPE("aa{sv}"));

	return g_variant_n_children(t);
}

/* The listener's guests table as "id port macs state" lines joined by ", ". */
static char *guests_status(struct fx *f)
{
	g_autoptr(GVariant) st = pk_graph_device_status(f->g, "q", NULL);
	g_autoptr(GVariant) t = g_variant_lookup_value(st, "guests", G_VARIANT_TYPE("aa{sv}"));
	GString *out = g_string_new(NULL);

	for (gsize i = 0; t && i < g_variant_n_children(t); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(t, i);
		const char *port, *state, *peer;
		uint64_t id, macs;

		g_assert_true(g_variant_lookup(row, "id", "t", &id));
		g_assert_true(g_variant_lookup(row, "port", "&s", &port));
		g_assert_true(g_variant_lookup(row, "macs", "t", &macs));
		g_assert_true(g_variant_lookup(row, "state", "&s", &state));
		g_assert_true(g_variant_lookup(row, "peer", "&s", &peer));
		g_string_append_printf(out, "%s%" G_GUINT64_FORMAT " %s %" G_GUINT64_FORMAT " %s",
				       i ? ", " : "", id, port, macs, state);
	}
	return g_string_free(out, FALSE);
}

/* A guest that disconnects makes the hub behind "lan" forget its MAC at once. */
static void test_listen_disconnect_flush(struct fx *f, gconstpointer data)
{
	g_autoptr(JsonNode) params = NULL;
	g_autofree char *json = g_strdup_printf("{\"listen\": \"%s\"}", f->addr);
	struct pk_dev *hub;
	struct client a, b;
	uint8_t buf[2048], got[2048];
	GError *error = NULL;

	(void)data;
	params = json_from_string(json, NULL);
	f->dev = pk_graph_add_device(f->g, "q", "io.qemu-listen", json_node_get_object(params),
				     &error);
	g_assert_no_error(error);
	hub = pk_graph_add_device(f->g, "hub", "l2.hub", NULL, &error);
	g_assert_no_error(error);
	f->pipe = pk_graph_add_device(f->g, "p", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "q.lan", "hub.port.0", &error));
	g_assert_true(pk_graph_link(f->g, "p", "hub.port.1", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
	client_open(f, &a);
	client_open(f, &b);
	client_send(&a, buf, frame(buf, BCAST, MAC_A, 60, 1));
	client_send(&b, buf, frame(buf, BCAST, MAC_B, 60, 2));
	WAIT(pk_pipe_pending(f->pipe) == 2);
	pk_pipe_clear(f->pipe);
	g_assert_cmpuint(hub_macs(f), ==, 2);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 60);
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 60);
	{
		g_autofree char *guests = guests_status(f);

		g_assert_cmpstr(guests, ==, "1 lan 1 connected, 2 lan 1 connected");
	}

	/* A goes away: the hub is told and forgets what it learned behind lan. */
	client_close(&a);
	WAIT(pk_dev_counter(hub, "mac-flushed") == 2);
	g_assert_cmpuint(hub_macs(f), ==, 0);
	{
		g_autofree char *guests = guests_status(f);

		g_assert_cmpstr(guests, ==, "2 lan 1 connected");
	}
	/* A frame for A is flooded now (before: sent to lan as known). */
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 64, 3)));
	g_assert_cmpuint(pk_dev_counter(hub, "flooded"), ==, 3);
	g_assert_cmpuint(pk_dev_counter(hub, "forwarded-unicast"), ==, 0);
	/* B is learned again from its next frame. */
	client_send(&b, buf, frame(buf, MAC_LAN, MAC_B, 60, 4));
	WAIT(pk_pipe_pending(f->pipe) == 1);
	pk_pipe_clear(f->pipe);
	g_assert_cmpuint(hub_macs(f), ==, 2);	/* B on port 0, the pipe's MAC on 1 */
	client_close(&b);
	WAIT(pk_dev_counter(hub, "mac-flushed") == 3);
	g_assert_cmpuint(hub_macs(f), ==, 1);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

static void test_listen_isolated(struct fx *f, gconstpointer data)
{
	struct client a, b;
	uint8_t buf[2048], got[2048];

	(void)data;
	fx_listener(f, "\"segments\": \"isolated\"");
	client_open(f, &a);
	client_open(f, &b);
	client_send(&a, buf, frame(buf, BCAST, MAC_A, 60, 1));
	client_send(&b, buf, frame(buf, MAC_A, MAC_B, 60, 2));	/* A's MAC known: still lan only */
	WAIT(pk_pipe_pending(f->pipe) == 2);
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 100), ==, -1);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 10), ==, -1);
	pk_pipe_clear(f->pipe);
	/* lan reaches each guest; broadcasts reach all */
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 64, 3)));
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 64);
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, BCAST, MAC_LAN, 64, 4)));
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 2000), ==, 64);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 64);
	client_close(&a);
	client_close(&b);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

static void test_listen_slots(struct fx *f, gconstpointer data)
{
	g_autoptr(JsonNode) params = NULL;
	g_autofree char *json = g_strdup_printf("{\"listen\": \"%s\", \"segments\": \"slots\"}",
						f->addr);
	struct pk_dev *s0, *s1;
	struct client a, b, c;
	uint8_t buf[2048], got[2048];
	GError *error = NULL;
	struct pk_buf *pb;

	(void)data;
	params = json_from_string(json, NULL);
	f->dev = pk_graph_add_device(f->g, "q", "io.qemu-listen", json_node_get_object(params),
				     &error);
	g_assert_no_error(error);
	s0 = pk_graph_add_device(f->g, "s0", "core.pipe-l2", NULL, &error);
	s1 = pk_graph_add_device(f->g, "s1", "core.pipe-l2", NULL, &error);
	g_assert_true(pk_graph_link(f->g, "q.guest.0", "s0", &error));
	g_assert_true(pk_graph_link(f->g, "q.guest.1", "s1", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	client_open(f, &a);
	client_open(f, &b);
	client_open(f, &c);	/* no third slot: refused */
	WAIT(pk_dev_counter(f->dev, "guests-refused") == 1);
	WAIT((client_pump(&c), c.eof));
	client_send(&a, buf, frame(buf, BCAST, MAC_A, 60, 1));
	client_send(&b, buf, frame(buf, BCAST, MAC_A, 61, 2));	/* same MAC: separate segments */
	WAIT(pk_pipe_pending(s0) == 1 && pk_pipe_pending(s1) == 1);
	pb = pk_pipe_pop(s1);
	g_assert_cmpuint(pk_buf_len(pb), ==, 61);
	pk_buf_unref(pb);
	pk_pipe_clear(s0);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 50), ==, -1);
	g_assert_true(pk_pipe_inject(s1, buf, frame(buf, MAC_A, MAC_LAN, 64, 3)));
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 64);
	g_assert_cmpint(client_recv(&a, got, sizeof(got), 50), ==, -1);
	/* a slot freed by a disconnect is taken by the next guest */
	client_close(&a);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 1);
	client_close(&c);
	client_open(f, &c);
	client_send(&c, buf, frame(buf, BCAST, MAC_A, 62, 4));
	WAIT(pk_pipe_pending(s0) == 1);
	client_close(&b);
	client_close(&c);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

static void test_listen_bad_length(struct fx *f, gconstpointer data)
{
	struct client a, b;
	uint8_t buf[2048], got[2048];
	const uint8_t zero[4] = { 0 }, big[4] = { 0, 0, 0x40, 0x01 }, part[6] = { 0, 0, 0, 60, 1, 2 };

	(void)data;
	fx_listener(f, NULL);
	client_open(f, &b);
	client_send(&b, buf, frame(buf, BCAST, MAC_B, 60, 1));
	WAIT(pk_pipe_pending(f->pipe) == 1);
	pk_pipe_clear(f->pipe);

	/* length 0 */
	client_open(f, &a);
	client_send_raw(&a, zero, 4);
	WAIT((client_pump(&a), a.eof));
	WAIT(pk_dev_counter(f->dev, "protocol-errors") == 1);
	client_close(&a);
	/* above max-frame (16384) */
	client_open(f, &a);
	client_send(&a, buf, frame(buf, BCAST, MAC_A, 60, 2));	/* good one first, delivered */
	client_send_raw(&a, big, 4);
	WAIT((client_pump(&a), a.eof));
	WAIT(pk_dev_counter(f->dev, "protocol-errors") == 2);
	client_close(&a);
	/* truncated: half a record, then the peer goes away */
	client_open(f, &a);
	client_send_raw(&a, part, sizeof(part));
	spin(20);
	client_close(&a);
	WAIT(pk_dev_counter(f->dev, "protocol-errors") == 3);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 1);
	g_assert_cmpuint(pk_dev_counter(f->dev, "guests-closed"), ==, 3);
	/* A's MAC went with it; B is unaffected both ways */
	g_assert_cmpuint(pk_dev_counter(f->dev, "macs"), ==, 1);
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 60);	/* A's good frame */
	client_send(&b, buf, frame(buf, BCAST, MAC_B, 60, 3));
	WAIT(pk_pipe_pending(f->pipe) >= 1);
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_B, MAC_LAN, 64, 4)));
	g_assert_cmpint(client_recv(&b, got, sizeof(got), 2000), ==, 64);
	client_close(&b);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

static void test_listen_slow_reader(struct fx *f, gconstpointer data)
{
	struct client slow, fast;
	uint8_t buf[2048], got[2048];
	int small = 4096;
	gint64 t0;
	int n = 0;

	(void)data;
	fx_listener(f, "\"queue-frames\": 8");
	client_open(f, &slow);
	client_open(f, &fast);
	setsockopt(slow.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	client_send(&slow, buf, frame(buf, BCAST, MAC_A, 60, 1));
	client_send(&fast, buf, frame(buf, BCAST, MAC_B, 60, 1));
	WAIT(pk_dev_counter(f->dev, "macs") == 2);
	while (client_pop(&fast, got, sizeof(got)) >= 0)
		;
	pk_pipe_clear(f->pipe);
	/* 3000 frames of 1500 bytes for the guest that never reads: nothing blocks */
	t0 = g_get_monotonic_time();
	frame(buf, MAC_A, MAC_LAN, 1500, 7);
	for (int i = 0; i < 3000; i++)
		g_assert_true(pk_pipe_inject(f->pipe, buf, 1500));
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 3 * G_USEC_PER_SEC);
	g_assert_cmpuint(pk_dev_counter(f->dev, "dropped-queue-full"), >, 0);
	g_assert_cmpuint(pk_dev_counter(f->dev, "guests-connected"), ==, 2);
	/* the other guest still gets its frames promptly */
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_B, MAC_LAN, 100, 8)));
	g_assert_cmpint(client_recv(&fast, got, sizeof(got), 2000), ==, 100);
	/* when the slow guest reads again, its queue drains (G_IO_OUT) */
	{
		gint64 dl = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

		while (g_get_monotonic_time() < dl) {
			int r = client_recv(&slow, got, sizeof(got), 100);

			if (r < 0 && n > 0)
				break;
			if (r == 1500)
				n++;
		}
	}
	g_assert_cmpint(n, >, 8);
	g_test_message("slow guest got %d of 3000, dropped %" G_GUINT64_FORMAT, n,
		       pk_dev_counter(f->dev, "dropped-queue-full"));
	g_assert_cmpuint((uint64_t)n + pk_dev_counter(f->dev, "dropped-queue-full"), ==, 3000);
	client_close(&slow);
	client_close(&fast);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
}

static void test_listen_stale_socket(struct fx *f, gconstpointer data)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	g_autoptr(JsonNode) params = NULL;
	g_autofree char *json = NULL;
	struct pk_graph *g2;
	GError *error = NULL;
	struct stat st;
	int s;

	(void)data;
	/* a socket file nobody listens on */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	g_strlcpy(un.sun_path, f->path, sizeof(un.sun_path));
	g_assert_cmpint(bind(s, (struct sockaddr *)&un, sizeof(un)), ==, 0);
	close(s);
	g_assert_true(g_file_test(f->path, G_FILE_TEST_EXISTS));
	fx_listener(f, "\"socket-mode\": \"0660\"");
	g_assert_cmpint(stat(f->path, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 0777, ==, 0660);

	/* a second listener on the live socket is refused, the first keeps it */
	json = g_strdup_printf("{\"listen\": \"%s\"}", f->addr);
	params = json_from_string(json, NULL);
	g2 = pk_graph_new(f->reg, NULL, 0);
	g_assert_nonnull(pk_graph_add_device(g2, "q2", "io.qemu-listen",
					     json_node_get_object(params), &error));
	g_assert_false(pk_graph_start(g2, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_EXISTS);
	g_test_message("%s", error->message);
	g_clear_error(&error);
	pk_graph_free(g2);
	g_assert_true(g_file_test(f->path, G_FILE_TEST_EXISTS));
	/* the liveness probe was a (short) connection to the first listener */
	WAIT(pk_dev_counter(f->dev, "guests-closed") == 1);
	{
		struct client a;

		client_open(f, &a);
		client_close(&a);
	}
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
	/* not a socket: refused, left alone */
	pk_graph_stop(f->g);
	g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_set_contents(f->path, "x", 1, NULL));
	g_assert_false(pk_graph_start(f->g, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_EXISTS);
	g_clear_error(&error);
	g_assert_true(g_file_test(f->path, G_FILE_TEST_EXISTS));
	g_unlink(f->path);
	/* bad parameters */
	{
		g_autoptr(JsonNode) bad = json_from_string("{\"listen\": \"udp:1.2.3.4:5\"}", NULL);
		g_autoptr(JsonNode) bad2 =
			json_from_string("{\"listen\": \"unix:/x\", \"socket-mode\": \"999\"}", NULL);

		g_assert_null(pk_graph_add_device(f->g, "b1", "io.qemu-listen",
						  json_node_get_object(bad), &error));
		g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
		g_clear_error(&error);
		g_assert_null(pk_graph_add_device(f->g, "b2", "io.qemu-listen",
						  json_node_get_object(bad2), &error));
		g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
		g_clear_error(&error);
	}
}

static void test_listen_tcp(struct fx *f, gconstpointer data)
{
	g_autoptr(JsonNode) params = json_from_string("{\"listen\": \"tcp:127.0.0.1:0\"}", NULL);
	GError *error = NULL;

	(void)data;
	f->dev = pk_graph_add_device(f->g, "q", "io.qemu-listen", json_node_get_object(params),
				     &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(f->g, &error));
	pk_graph_stop(f->g);
}

/* io.qemu-connect against a test server standing in for QEMU's listening socket. */
static void test_connect(struct fx *f, gconstpointer data)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	g_autofree char *json = g_strdup_printf("{\"connect\": \"%s\", \"reconnect\": \"50ms\"}",
						f->addr);
	g_autoptr(JsonNode) params = json_from_string(json, NULL);
	struct client c = { .fd = -1 };
	uint8_t buf[2048], got[2048];
	GError *error = NULL;
	struct pk_buf *b;
	int ls;

	(void)data;
	f->dev = pk_graph_add_device(f->g, "c", "io.qemu-connect", json_node_get_object(params),
				     &error);
	g_assert_no_error(error);
	f->pipe = pk_graph_add_device(f->g, "p", "core.pipe-l2", NULL, &error);
	g_assert_true(pk_graph_link(f->g, "c", "p", &error));
	/* QEMU is not there yet: the device starts anyway and retries */
	g_assert_true(pk_graph_start(f->g, &error));
	WAIT(pk_dev_counter(f->dev, "connect-failures") >= 2);
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 60, 1)));
	g_assert_cmpuint(pk_dev_counter(f->dev, "dropped-not-connected"), ==, 1);

	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	g_strlcpy(un.sun_path, f->path, sizeof(un.sun_path));
	g_assert_cmpint(bind(ls, (struct sockaddr *)&un, sizeof(un)), ==, 0);
	g_assert_cmpint(listen(ls, 1), ==, 0);
	for (int round = 0; round < 2; round++) {
		gint64 dl = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

		while ((c.fd = accept(ls, NULL, NULL)) < 0 && g_get_monotonic_time() < dl)
			spin(1);
		g_assert_cmpint(c.fd, >=, 0);
		g_assert_cmpint(fcntl(c.fd, F_SETFL, O_NONBLOCK), ==, 0);
		c.in = g_byte_array_new();
		WAIT(pk_dev_counter(f->dev, "connected") == 1);
		client_send(&c, buf, frame(buf, BCAST, MAC_A, 60 + (uint32_t)round, 2));
		WAIT(pk_pipe_pending(f->pipe) == 1);
		b = pk_pipe_pop(f->pipe);
		g_assert_cmpuint(pk_buf_len(b), ==, 60 + (uint32_t)round);
		pk_buf_unref(b);
		g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 80, 3)));
		g_assert_cmpint(client_recv(&c, got, sizeof(got), 2000), ==, 80);
		client_close(&c);	/* QEMU goes away: the device reconnects */
		WAIT(pk_dev_counter(f->dev, "connected") == 0);
	}
	g_assert_cmpuint(pk_dev_counter(f->dev, "connects"), ==, 2);
	pk_graph_stop(f->g);
	close(ls);
	g_unlink(f->path);
}

/* io.qemu-dgram ------------------------------------------------------------------- */

/* Add "d" (io.qemu-dgram, @json params) linked to a pipe "p", and start. */
static void fx_dgram(struct fx *f, const char *json)
{
	g_autoptr(JsonNode) params = json_from_string(json, NULL);
	GError *error = NULL;

	f->dev = pk_graph_add_device(f->g, "d", "io.qemu-dgram", json_node_get_object(params),
				     &error);
	g_assert_no_error(error);
	f->pipe = pk_graph_add_device(f->g, "p", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(f->g, "d", "p", &error));
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static int unix_dgram(const char *path)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (path) {
		g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
		g_assert_cmpint(bind(fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
	}
	return fd;
}

static void unix_sendto(int fd, const char *path, const void *p, size_t n)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };

	g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
	g_assert_cmpint(sendto(fd, p, n, 0, (struct sockaddr *)&un, sizeof(un)), ==, (ssize_t)n);
}

/* Wait up to @ms for a datagram on @fd. */
static ssize_t dgram_recv(int fd, uint8_t *out, size_t cap, int ms)
{
	gint64 dl = g_get_monotonic_time() + ms * 1000;
	ssize_t n;

	while ((n = recv(fd, out, cap, MSG_DONTWAIT)) < 0 && g_get_monotonic_time() < dl)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(500);
	return n;
}

static void test_dgram_unix(struct fx *f, gconstpointer data)
{
	g_autofree char *qpath = g_build_filename(f->dir, "qemu.sock", NULL);
	g_autofree char *other = g_build_filename(f->dir, "other.sock", NULL);
	g_autofree char *json = g_strdup_printf(
		"{\"local\": \"%s\", \"remote\": \"unix:%s\", \"max-frame\": 1000, "
		"\"queue-frames\": 32}", f->addr, qpath);
	uint8_t buf[2048], got[2048];
	struct stat st;
	struct pk_buf *b;
	int q, x;
	uint64_t rx = 0;

	(void)data;
	fx_dgram(f, json);
	g_assert_cmpint(stat(f->path, &st), ==, 0);
	g_assert_cmpuint(st.st_mode & 0777, ==, 0600);

	/* QEMU is not running: the kernel refuses, the frame is counted */
	g_assert_true(pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 60, 1)));
	g_assert_cmpuint(pk_dev_counter(f->dev, "dropped-not-connected"), ==, 1);

	q = unix_dgram(qpath);
	/* QEMU -> eth: one frame per datagram, short frames as they are */
	for (uint32_t i = 0; i < 5; i++)
		unix_sendto(q, f->path, buf, frame(buf, BCAST, MAC_A, 42 + i, (uint8_t)i));
	WAIT(pk_pipe_pending(f->pipe) == 5);
	b = pk_pipe_pop(f->pipe);
	g_assert_cmpuint(pk_buf_len(b), ==, 42);
	g_assert_cmpmem(pk_buf_data(b), 12, buf, 12);
	pk_buf_unref(b);
	pk_pipe_clear(f->pipe);
	g_assert_cmpuint(pk_dev_counter(f->dev, "rx-frames"), ==, 5);

	/* eth -> QEMU */
	frame(buf, MAC_A, MAC_LAN, 60, 0x60);
	g_assert_true(pk_pipe_inject(f->pipe, buf, 60));
	g_assert_cmpint(dgram_recv(q, got, sizeof(got), 2000), ==, 60);
	g_assert_cmpmem(got, 60, buf, 60);

	/* someone else, a datagram too long, one too short: dropped and counted */
	x = unix_dgram(other);
	unix_sendto(x, f->path, buf, 60);
	unix_sendto(q, f->path, buf, 1001);
	unix_sendto(q, f->path, buf, 13);
	WAIT(pk_dev_counter(f->dev, "dropped-foreign") == 1 &&
	     pk_dev_counter(f->dev, "dropped-too-long") == 1 &&
	     pk_dev_counter(f->dev, "dropped-short") == 1);
	g_assert_cmpuint(pk_pipe_pending(f->pipe), ==, 0);
	close(x);
	g_unlink(other);

	/* QEMU does not read: its queue fills (net.unix.max_dgram_qlen), ours holds 32, the
	 * rest is dropped; once QEMU reads again the retry timer sends what waited */
	for (int i = 0; i < 200; i++)
		pk_pipe_inject(f->pipe, buf, frame(buf, MAC_A, MAC_LAN, 100, (uint8_t)i));
	g_assert_cmpuint(pk_dev_counter(f->dev, "dropped-queue-full"), >, 0);
	{
		gint64 dl = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

		while (g_get_monotonic_time() < dl &&
		       rx + pk_dev_counter(f->dev, "dropped-queue-full") < 200) {
			while (recv(q, got, sizeof(got), MSG_DONTWAIT) == 100)
				rx++;
			if (!g_main_context_iteration(NULL, FALSE))
				g_usleep(200);
		}
	}
	g_assert_cmpuint(rx + pk_dev_counter(f->dev, "dropped-queue-full"), ==, 200);
	g_assert_cmpuint(rx, >=, 32);
	g_assert_cmpuint(pk_dev_counter(f->dev, "tx-frames"), ==, 1 + rx);
	close(q);
	g_unlink(qpath);
	pk_graph_stop(f->g);
}

static int udp_socket(uint16_t *port)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(in);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	g_assert_cmpint(bind(fd, (struct sockaddr *)&in, sizeof(in)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&in, &sl), ==, 0);
	*port = ntohs(in.sin_port);
	return fd;
}

static void udp_sendto(int fd, uint16_t port, const void *p, size_t n)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	g_assert_cmpint(sendto(fd, p, n, 0, (struct sockaddr *)&in, sizeof(in)), ==, (ssize_t)n);
}

static void test_dgram_udp(struct fx *f, gconstpointer data)
{
	uint16_t qport, dport, xport;
	int q = udp_socket(&qport), x = udp_socket(&xport);
	g_autofree char *json = NULL;
	uint8_t buf[2048], got[2048];
	struct pk_buf *b;
	int probe;

	(void)data;
	probe = udp_socket(&dport);	/* a free port for the device */
	close(probe);
	json = g_strdup_printf("{\"local\": \"udp:127.0.0.1:%u\", \"remote\": \"udp:127.0.0.1:%u\"}",
			       dport, qport);
	fx_dgram(f, json);
	for (uint32_t i = 0; i < 3; i++)
		udp_sendto(q, dport, buf, frame(buf, BCAST, MAC_A, 1500 - i, (uint8_t)i));
	WAIT(pk_pipe_pending(f->pipe) == 3);
	b = pk_pipe_pop(f->pipe);
	g_assert_cmpuint(pk_buf_len(b), ==, 1500);
	pk_buf_unref(b);
	pk_pipe_clear(f->pipe);
	udp_sendto(x, dport, buf, 60);	/* not the remote */
	WAIT(pk_dev_counter(f->dev, "dropped-foreign") == 1);
	/* a jumbo frame in one datagram */
	{
		static uint8_t big[9000], bigin[9100];

		g_assert_true(pk_pipe_inject(f->pipe, big, frame(big, MAC_A, MAC_LAN, 9000, 9)));
		g_assert_cmpint(dgram_recv(q, bigin, sizeof(bigin), 2000), ==, 9000);
		g_assert_cmpmem(bigin, 9000, big, 9000);
	}
	(void)got;
	close(q);
	close(x);
	pk_graph_stop(f->g);
}

/* Segments "template": a hub and a DHCP server made per guest ------------------------ */

#define TEMPLATE_TOPO \
	"{\"devices\": {\"q\": {\"type\": \"io.qemu-listen\", \"listen\": \"%s\"," \
	"                      \"segments\": \"template\", \"template\": \"seg\"}}," \
	" \"templates\": {\"seg\": {" \
	"   \"devices\": {\"lan\": {\"type\": \"l2.hub\"}," \
	"                 \"dhcp\": {\"type\": \"svc.dhcp-server\", \"server-ip\": \"10.88.0.1\"," \
	"                            \"router\": \"10.88.0.1\", \"range-start\": \"10.88.0.100\"," \
	"                            \"range-end\": \"10.88.0.120\"}}," \
	"   \"links\": [[\"dhcp\", \"lan\"]]," \
	"   \"attach\": \"lan\", \"max-instances\": 3}}}"

static void fx_template_listener(struct fx *f)
{
	g_autofree char *json = g_strdup_printf(TEMPLATE_TOPO, f->addr);
	g_autoptr(JsonNode) root = json_from_string(json, NULL);
	GError *error = NULL;

	g_assert_true(pk_graph_load(f->g, root, &error));
	g_assert_no_error(error);
	f->dev = pk_graph_lookup(f->g, "q");
	g_assert_true(pk_graph_start(f->g, &error));
	g_assert_no_error(error);
}

static guint n_devices(struct fx *f)
{
	g_autofree const char **ids = pk_graph_devices(f->g);

	return g_strv_length((char **)ids);
}

/* Send a DISCOVER from @mac; return the OFFER's yiaddr as text (or fail). */
static void discover_offer(struct client *c, uint8_t macbyte, char *yiaddr, size_t size)
{
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REQUEST, .xid = 0x4242u + macbyte };
	struct pk_dhcp_addrs a = { .src_port = 68, .dst_port = 67 };
	struct pk_dhcp_builder b;
	uint8_t msg[PK_DHCP_DEFAULT_MAX_MSG], fr[1024], got[2048];
	struct pk_dhcp_frame f;
	uint32_t len;
	int n;

	a.src_mac = (struct pk_mac){ { 0x52, 0x54, 0, 0, 0, macbyte } };
	memset(a.dst_mac.b, 0xff, 6);
	memset(a.dst_ip.b, 0xff, 4);
	memcpy(h.chaddr, a.src_mac.b, 6);
	pk_dhcp_build_init(&b, msg, sizeof(msg), &h);
	pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, PK_DHCP_DISCOVER);
	len = pk_dhcp_build_finish(&b);
	len = pk_dhcp_frame_build(fr, sizeof(fr), &a, msg, len);
	g_assert_cmpuint(len, >, 0);
	client_send(c, fr, len);
	n = client_recv(c, got, sizeof(got), 3000);
	g_assert_cmpint(n, >, 0);
	g_assert_cmpint(pk_dhcp_frame_parse(got, (uint32_t)n, &f), ==, PK_DHCP_OK);
	g_assert_cmpuint(f.msg.msg_type, ==, PK_DHCP_OFFER);
	g_assert_cmpuint(f.msg.xid, ==, h.xid);
	g_assert_nonnull(inet_ntop(AF_INET, f.msg.yiaddr, yiaddr, (socklen_t)size));
}

static void test_listen_template(struct fx *f, gconstpointer data)
{
	struct client c[4], d;
	char ip[4][INET_ADDRSTRLEN];

	(void)data;
	fx_template_listener(f);
	g_assert_cmpuint(n_devices(f), ==, 1);

	/* three guests: three segments, each with its own DHCP server */
	for (int i = 0; i < 3; i++)
		client_open(f, &c[i]);
	WAIT(n_devices(f) == 1 + 3 * 2);
	WAIT(pk_dev_counter(f->dev, "instances") == 3);
	for (int i = 0; i < 3; i++) {
		g_autofree char *id = g_strdup_printf("q/%d/dhcp", i + 1);

		g_assert_nonnull(pk_graph_lookup(f->g, id));
	}
	/* the same MAC on every guest, to show the segments are separate too */
	for (int i = 0; i < 3; i++)
		discover_offer(&c[i], 0x21, ip[i], sizeof(ip[i]));
	for (int i = 0; i < 3; i++) {
		g_autofree char *id = g_strdup_printf("q/%d/dhcp", i + 1);

		/* identical addressing: each fresh server offers the first address */
		g_assert_cmpstr(ip[i], ==, "10.88.0.100");
		g_assert_cmpuint(pk_dev_counter(pk_graph_lookup(f->g, id), "offers"), ==, 1);
	}

	/* the limit (max-instances 3): a fourth guest is refused and counted */
	client_open(f, &c[3]);
	WAIT(pk_dev_counter(f->dev, "guests-refused") == 1);
	WAIT((client_pump(&c[3]), c[3].eof));
	g_assert_cmpuint(pk_dev_counter(f->dev, "instances-refused"), ==, 1);
	client_close(&c[3]);

	/* a disconnect removes that guest's segment, and only it */
	client_close(&c[1]);
	WAIT(n_devices(f) == 1 + 2 * 2);
	g_assert_null(pk_graph_lookup(f->g, "q/2/lan"));
	g_assert_null(pk_graph_lookup(f->g, "q/2/dhcp"));
	g_assert_nonnull(pk_graph_lookup(f->g, "q/3/lan"));
	g_assert_cmpuint(pk_dev_counter(f->dev, "instances"), ==, 2);

	/* a new guest gets a new segment on the freed port, with a fresh server */
	client_open(f, &d);
	WAIT(pk_graph_lookup(f->g, "q/4/dhcp") != NULL);
	discover_offer(&d, 0x22, ip[3], sizeof(ip[3]));
	g_assert_cmpstr(ip[3], ==, "10.88.0.100");
	g_assert_true(pk_dev_port_is_linked(f->dev, PK_PORT(1, 1)));

	/* the export knows the template but not its instances */
	{
		g_autoptr(JsonNode) out = pk_graph_export(f->g, false);
		g_autofree char *text = json_to_string(out, FALSE);

		g_assert_null(strstr(text, "q/"));
		g_assert_nonnull(strstr(text, "\"templates\""));
	}

	/* everyone leaves: the graph is as loaded */
	client_close(&c[0]);
	client_close(&c[2]);
	client_close(&d);
	WAIT(n_devices(f) == 1);
	WAIT(pk_dev_counter(f->dev, "guests-connected") == 0);
	g_assert_cmpuint(pk_dev_counter(f->dev, "instances"), ==, 0);
	g_assert_cmpuint(pk_dev_counter(f->dev, "guests-accepted"), ==, 4);
	pk_graph_stop(f->g);
}

/* Stopping the listener removes every segment, also one still being made. */
static void test_listen_template_stop(struct fx *f, gconstpointer data)
{
	struct client a, b;

	(void)data;
	fx_template_listener(f);
	client_open(f, &a);
	WAIT(n_devices(f) == 3);
	client_open(f, &b);	/* its segment is requested, not yet made */
	pk_graph_stop(f->g);
	g_assert_cmpuint(n_devices(f), ==, 1);
	WAIT((client_pump(&a), a.eof));
	WAIT((client_pump(&b), b.eof));
	client_close(&a);
	client_close(&b);
	spin(20);
	g_assert_cmpuint(n_devices(f), ==, 1);
}

/* segments "template" needs a template that exists. */
static void test_listen_template_params(struct fx *f, gconstpointer data)
{
	g_autofree char *json = g_strdup_printf(
		"{\"listen\": \"%s\", \"segments\": \"template\"}", f->addr);
	g_autofree char *json2 = g_strdup_printf(
		"{\"listen\": \"%s\", \"segments\": \"template\", \"template\": \"nope\"}", f->addr);
	g_autoptr(JsonNode) p1 = json_from_string(json, NULL);
	g_autoptr(JsonNode) p2 = json_from_string(json2, NULL);
	GError *error = NULL;

	(void)data;
	g_assert_null(pk_graph_add_device(f->g, "q", "io.qemu-listen", json_node_get_object(p1),
					  &error));
	g_assert_cmpstr(error->message, ==,
			"devices.q: template: required with segments \"template\" (name one of the topology's templates)");
	g_clear_error(&error);
	g_assert_null(pk_graph_add_device(f->g, "q", "io.qemu-listen", json_node_get_object(p2),
					  &error));
	g_assert_cmpstr(error->message, ==,
			"devices.q.template: no template 'nope' (a topology's \"templates\" declares them)");
	g_clear_error(&error);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qemu/framing/split", test_framing_split);
	g_test_add_func("/qemu/framing/errors", test_framing_errors);
	g_test_add_func("/qemu/txq", test_txq);
#define ADD(path, fn) g_test_add(path, struct fx, NULL, fx_setup, fn, fx_teardown)
	ADD("/qemu/listen/both-ways", test_listen_both_ways);
	ADD("/qemu/listen/offload-segmented", test_listen_offload_segmented);
	ADD("/qemu/listen/two-guests", test_listen_two_guests);
	ADD("/qemu/listen/disconnect-flush", test_listen_disconnect_flush);
	ADD("/qemu/listen/isolated", test_listen_isolated);
	ADD("/qemu/listen/slots", test_listen_slots);
	ADD("/qemu/listen/template", test_listen_template);
	ADD("/qemu/listen/template-stop", test_listen_template_stop);
	ADD("/qemu/listen/template-params", test_listen_template_params);
	ADD("/qemu/listen/bad-length", test_listen_bad_length);
	ADD("/qemu/listen/slow-reader", test_listen_slow_reader);
	ADD("/qemu/listen/stale-socket", test_listen_stale_socket);
	ADD("/qemu/listen/tcp", test_listen_tcp);
	ADD("/qemu/connect", test_connect);
	ADD("/qemu/dgram/unix", test_dgram_unix);
	ADD("/qemu/dgram/udp", test_dgram_udp);
	return g_test_run();
}
