// SPDX-License-Identifier: MIT
/* offload-peer.c - Run a topology and serve TCP on one of its l3.vclient devices: a sink and a source, with SHA-256 of what crossed (interop tests, benchmarks)
 *
 *   offload-peer TOPOLOGY.json VCLIENT-ID [SINK-PORT SOURCE-PORT SOURCE-BYTES]
 *
 * Listens on the any-addresses (IPv4 and IPv6) of the vclient. A connection
 * to SINK-PORT (default 5001) is read to EOF; a connection to SOURCE-PORT
 * (default 5002) gets SOURCE-BYTES (default 100 MB) of a fixed pseudo-random
 * stream, then EOF. After each connection a line goes to stdout:
 *
 *   SINK <bytes> <sha256>     SOURCE <bytes> <sha256>
 *
 * "READY" is printed once everything listens. Modules come from
 * $PKTKIT_MODULE_PATH. Runs until SIGINT/SIGTERM, then prints the vclient's
 * TCP counters (STATS) and the counters of a device called "tun" or "tap"
 * (COUNTERS <id> <json>) and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>
#include <pktkit/vclient.h>

#define PEER_CHUNK (256u * 1024u)

struct peer {
	GMainLoop *loop;
	struct pk_vclient *vc;
	guint64 source_bytes;
};

struct conn {
	struct peer *p;
	GIOStream *stream;
	GChecksum *sum;
	guint64 done;
	guint64 total;	/* source: bytes to send */
	guint64 rng;
	guint8 *buf;
	gsize buf_len;
	gsize buf_off;
};

static void conn_free(struct conn *c)
{
	g_io_stream_close(c->stream, NULL, NULL);
	g_object_unref(c->stream);
	if (c->sum)
		g_checksum_free(c->sum);
	g_free(c->buf);
	g_free(c);
}

static void conn_report(struct conn *c, const char *what)
{
	printf("%s %" G_GUINT64_FORMAT " %s\n", what, c->done, c->sum ? g_checksum_get_string(c->sum) : "-");
	fflush(stdout);
}

/* Sink --------------------------------------------------------------------- */

static void sink_read(struct conn *c);

static void sink_read_done(GObject *obj, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(obj), res, &error);

	if (n < 0) {
		fprintf(stderr, "offload-peer: sink read: %s\n", error->message);
		g_error_free(error);
		conn_report(c, "SINK-ERROR");
		conn_free(c);
		return;
	}
	if (n == 0) {
		conn_report(c, "SINK");
		conn_free(c);
		return;
	}
	if (c->sum)
		g_checksum_update(c->sum, c->buf, n);
	c->done += (guint64)n;
	sink_read(c);
}

static void sink_read(struct conn *c)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(c->stream), c->buf, PEER_CHUNK,
				  G_PRIORITY_DEFAULT, NULL, sink_read_done, c);
}

/* Source ------------------------------------------------------------------- */

static void source_write(struct conn *c);

static void source_fill(struct conn *c)
{
	gsize n = (gsize)MIN((guint64)PEER_CHUNK, c->total - c->done);

	/* xorshift64*: a fixed stream the kernel side cannot compress away */
	for (gsize i = 0; i < n; i += 8) {
		guint64 x = c->rng;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		c->rng = x;
		x *= 0x2545f4914f6cdd1dull;
		memcpy(c->buf + i, &x, MIN((gsize)8, n - i));
	}
	if (c->sum)
		g_checksum_update(c->sum, c->buf, n);
	c->buf_len = n;
	c->buf_off = 0;
}

static void source_write_done(GObject *obj, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;
	GError *error = NULL;
	gssize n = g_output_stream_write_finish(G_OUTPUT_STREAM(obj), res, &error);

	if (n < 0) {
		fprintf(stderr, "offload-peer: source write: %s\n", error->message);
		g_error_free(error);
		conn_report(c, "SOURCE-ERROR");
		conn_free(c);
		return;
	}
	c->buf_off += (gsize)n;
	c->done += (guint64)n;
	source_write(c);
}

static void source_closed(GObject *obj, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;

	g_output_stream_close_finish(G_OUTPUT_STREAM(obj), res, NULL);
	conn_free(c);
}

static void source_write(struct conn *c)
{
	GOutputStream *out = g_io_stream_get_output_stream(c->stream);

	if (c->buf_off == c->buf_len) {
		if (c->done == c->total) {
			/* Everything is queued: the checksum is final. */
			conn_report(c, "SOURCE");
			g_output_stream_close_async(out, G_PRIORITY_DEFAULT, NULL, source_closed, c);
			return;
		}
		source_fill(c);
	}
	g_output_stream_write_async(out, c->buf + c->buf_off, c->buf_len - c->buf_off,
				    G_PRIORITY_DEFAULT, NULL, source_write_done, c);
}

/* Listeners ------------------------------------------------------------------ */

struct listen {
	struct peer *p;
	PkVclientListener *l;
	bool source;
};

static void accepted(GObject *obj, GAsyncResult *res, gpointer data)
{
	struct listen *ls = data;
	GError *error = NULL;
	GIOStream *s = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(obj), res, &error);
	struct conn *c;

	if (!s) {
		fprintf(stderr, "offload-peer: accept: %s\n", error->message);
		g_error_free(error);
		return;
	}
	c = g_new0(struct conn, 1);
	c->p = ls->p;
	c->stream = s;
	/* NOHASH=1 (benchmarks): GLib's SHA-256 runs at ~2 Gbit/s and would be
	 * the bottleneck being measured. */
	c->sum = g_getenv("NOHASH") ? NULL : g_checksum_new(G_CHECKSUM_SHA256);
	c->buf = g_malloc(PEER_CHUNK);
	c->rng = 0x9e3779b97f4a7c15ull;
	if (ls->source) {
		c->total = ls->p->source_bytes;
		source_write(c);
	} else {
		sink_read(c);
	}
	pk_vclient_listener_accept_async(ls->l, NULL, accepted, ls);
}

static struct listen *listen_on(struct peer *p, const char *any, guint16 port, bool source)
{
	GInetAddress *ia = g_inet_address_new_from_string(any);
	GSocketAddress *sa = g_inet_socket_address_new(ia, port);
	struct listen *ls = g_new0(struct listen, 1);
	GError *error = NULL;

	ls->p = p;
	ls->source = source;
	ls->l = pk_vclient_tcp_listen(p->vc, sa, 0, &error);
	g_object_unref(sa);
	g_object_unref(ia);
	if (!ls->l) {
		fprintf(stderr, "offload-peer: listen %s port %u: %s\n", any, port, error->message);
		exit(1);
	}
	pk_vclient_listener_accept_async(ls->l, NULL, accepted, ls);
	return ls;
}

static gboolean on_signal(gpointer data)
{
	g_main_loop_quit(((struct peer *)data)->loop);
	return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
	struct peer p = { 0 };
	struct pk_registry *reg;
	struct pk_graph *g;
	GError *error = NULL;
	const char *path = g_getenv("PKTKIT_MODULE_PATH");
	guint16 sink_port = 5001, source_port = 5002;
	const struct pk_tcp_stats *st;

	if (argc != 3 && argc != 6) {
		fprintf(stderr, "usage: %s TOPOLOGY VCLIENT-ID [SINK-PORT SOURCE-PORT SOURCE-BYTES]\n",
			argv[0]);
		return 2;
	}
	p.source_bytes = 100u * 1000u * 1000u;
	if (argc == 6) {
		sink_port = (guint16)atoi(argv[3]);
		source_port = (guint16)atoi(argv[4]);
		p.source_bytes = g_ascii_strtoull(argv[5], NULL, 10);
	}
	reg = pk_registry_new();
	if (path) {
		g_auto(GStrv) dirs = g_strsplit(path, ":", -1);

		for (char **d = dirs; *d; d++)
			if (**d)
				pk_registry_scan_dir(reg, *d);
	}
	if (!pk_vclient_register(reg, &error)) {
		fprintf(stderr, "offload-peer: %s\n", error->message);
		return 1;
	}
	g = pk_graph_new(reg, NULL, 0);
	if (!pk_graph_load_file(g, argv[1], &error) || !pk_graph_start(g, &error)) {
		fprintf(stderr, "offload-peer: %s\n", error->message);
		return 1;
	}
	p.vc = pk_vclient_lookup(g, argv[2]);
	if (!p.vc) {
		fprintf(stderr, "offload-peer: no l3.vclient '%s' in %s\n", argv[2], argv[1]);
		return 1;
	}
	p.loop = g_main_loop_new(NULL, FALSE);
	listen_on(&p, "0.0.0.0", sink_port, false);
	listen_on(&p, "::", sink_port, false);
	listen_on(&p, "0.0.0.0", source_port, true);
	listen_on(&p, "::", source_port, true);
	g_unix_signal_add(SIGINT, on_signal, &p);
	g_unix_signal_add(SIGTERM, on_signal, &p);
	printf("READY\n");
	fflush(stdout);
	g_main_loop_run(p.loop);
	st = pk_vclient_tcp_stats(p.vc);
	printf("STATS segs-in %" G_GUINT64_FORMAT " segs-out %" G_GUINT64_FORMAT
	       " retransmits %" G_GUINT64_FORMAT " dropped %" G_GUINT64_FORMAT "\n",
	       st->segs_in, st->segs_out, st->retransmits, st->dropped);
	/* The TUN or TAP device of the topology, if it is called "tun" or "tap". */
	for (const char *const *id = (const char *const[]){ "tun", "tap", NULL }; *id; id++) {
		g_autofree char *json = NULL;
		struct pk_dev *dev = pk_graph_lookup(g, *id);

		if (dev) {
			JsonObject *o = pk_dev_counters_to_json(dev);
			JsonNode *n = json_node_init_object(json_node_alloc(), o);

			json = json_to_string(n, FALSE);
			json_node_unref(n);
			json_object_unref(o);
			printf("COUNTERS %s %s\n", *id, json);
		}
	}
	fflush(stdout);
	pk_graph_free(g);
	pk_registry_free(reg);
	g_main_loop_unref(p.loop);
	return 0;
}
