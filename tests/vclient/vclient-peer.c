// SPDX-License-Identifier: MIT
/* vclient-peer.c - A TCP test peer on an l3.vclient of a topology: sink, source, echo, with ss-like info and counters */
/*
 * usage: vclient-peer TOPOLOGY.json [--vclient ID] MODE [options]
 *        vclient-peer --gen N [--seed S]        (the source stream on stdout)
 *
 *   --listen ADDR:PORT --sink         accept, read to EOF, print bytes and sha256 per connection
 *   --listen ADDR:PORT --source N     accept, send N bytes of the stream, shut down, print sha256
 *   --listen ADDR:PORT --echo         echo every connection back
 *   --connect ADDR:PORT --send N      connect, send N bytes, shut down, read to EOF
 *   --connect ADDR:PORT --recv        connect, read to EOF
 *
 * Listeners serve --max-conns K connections (0: until SIGINT/SIGTERM), any
 * number at once. IPv6 addresses go in brackets: [fd98::2]:5000. The data
 * sent is a xorshift64* stream of --seed (default 1), the same for every
 * connection; --gen prints it so that a kernel peer can send or check it.
 * --delay MS waits after the topology started (a TUN's addresses settle),
 * --linger MS at the end lets the last FINs go out, --no-checksum skips
 * hashing for benchmarks; --help lists the rest.
 *
 * Output (stdout, line-buffered), for scripts:
 *   listening ADDR PORT
 *   conn ID peer=ADDR:PORT sent=N received=N sha256-in=HEX sha256-out=HEX secs=S mbps=M
 *   info ID mss=.. sack=0|1 timestamps=0|1 wscale=SND,RCV cwnd=.. ssthresh=.. rtt-ms=.. rto-ms=.. cc=..
 *   summary served=N failed=N max-concurrent=N bytes=N
 *   stats ...   (every --stats-interval ms: tcp-connections, SYN cookies, RSS)
 *   counters DEV name=value ...   and   tcp-stats name=value ...   (at the end)
 * Errors go to stderr; the exit status is 0 only if every connection
 * completed without error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <pktkit/device-type.h>
#include <pktkit/embed/graph.h>
#include <pktkit/vclient.h>

enum mode { M_NONE, M_SINK, M_SOURCE, M_ECHO, M_SEND, M_RECV };

struct peer {
	struct pk_graph *g;
	struct pk_vclient *vc;
	struct pk_dev *dev;
	GMainLoop *loop;
	PkVclientListener *listener;
	GSocketAddress *addr;
	enum mode mode;
	guint64 count;		/* bytes to send (source, send) */
	guint64 seed;
	guint max_conns;	/* 0: until a signal */
	guint next_id;
	guint started;		/* connections accepted or connected */
	guint done;		/* finished, well or not */
	guint failed;
	guint active, max_active;
	guint64 bytes;		/* sent + received, all connections */
	guint max_tcp_conns;
	guint64 max_rss_kb;
	gboolean quiet;
	gboolean no_checksum;
	gboolean stopping;
	int rc;
};

struct conn {
	struct peer *p;
	GIOStream *stream;
	GInputStream *in;
	GOutputStream *out;
	GCancellable *cancel;
	guint id;
	guint64 to_send, sent, received;
	GChecksum *sum_in, *sum_out;
	guint64 rng;
	guint8 *rbuf;
	gsize rbuf_len;
	guint8 *wbuf;
	gsize wbuf_len;
	gint64 t0;
	gboolean rd_done, wr_done, failed;
	gboolean have_info;
	struct pk_tcp_conn_info info;
	char *peer_name;
};

/* The source stream: xorshift64*, 8 bytes per step, little-endian. @n is a
 * multiple of 8 except for the last piece of a stream. */
static void stream_fill(guint64 *state, guint8 *p, gsize n)
{
	guint64 x = *state;

	for (gsize i = 0; i < n; i += 8) {
		guint64 v;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = GUINT64_TO_LE(x * 0x2545f4914f6cdd1dull);
		memcpy(p + i, &v, MIN(8, n - i));
	}
	*state = x;
}

static guint64 stream_seed(guint64 seed)
{
	return seed ? seed * 0x9e3779b97f4a7c15ull | 1 : 0x853c49e6748fea9bull;
}

static guint64 rss_kb(void)
{
	g_autofree char *s = NULL;
	const char *v;

	if (!g_file_get_contents("/proc/self/status", &s, NULL, NULL))
		return 0;
	v = strstr(s, "VmRSS:");
	return v ? g_ascii_strtoull(v + 6, NULL, 10) : 0;
}

static const char *cc_name(enum pk_tcp_cc cc)
{
	return cc == PK_TCP_CC_NEWRENO ? "newreno" : "cubic";
}

static void print_info(guint id, const struct pk_tcp_conn_info *i)
{
	printf("info %u mss=%u sack=%d timestamps=%d wscale=%u,%u cwnd=%u ssthresh=%u "
	       "rtt-ms=%.3f rto-ms=%.1f snd-wnd=%u cc=%s in-recovery=%d\n",
	       id, i->mss, i->sack, i->timestamps, i->snd_wscale, i->rcv_wscale, i->cwnd,
	       i->ssthresh, i->srtt_ns / 1e6, i->rto_ns / 1e6, i->snd_wnd, cc_name(i->cc),
	       i->in_recovery);
}

static void print_counters(struct peer *p)
{
	g_autofree const char **ids = pk_graph_devices(p->g);
	const struct pk_tcp_stats *st = pk_vclient_tcp_stats(p->vc);
	uint32_t n_core;
	const struct pk_counter *core = pk_core_counters(&n_core);

	for (guint d = 0; ids[d]; d++) {
		struct pk_dev *dev = pk_graph_lookup(p->g, ids[d]);
		const struct pk_device_type *t = pk_dev_type(dev);
		GString *line = g_string_new(NULL);

		g_string_printf(line, "counters %s", ids[d]);
		for (uint32_t i = 0; i < t->n_counters; i++) {
			const char *name = pk_type_counter(t, i)->name;
			uint64_t v = pk_dev_counter(dev, name);

			if (v || dev == p->dev)
				g_string_append_printf(line, " %s=%" G_GUINT64_FORMAT, name, v);
		}
		for (uint32_t i = 0; i < n_core; i++) { /* the core's, every device has them */
			uint64_t v = pk_dev_counter(dev, core[i].name);

			if (v || dev == p->dev)
				g_string_append_printf(line, " %s=%" G_GUINT64_FORMAT, core[i].name,
						       v);
		}
		printf("%s\n", line->str);
		g_string_free(line, TRUE);
	}
	printf("tcp-stats segs-in=%" G_GUINT64_FORMAT " segs-out=%" G_GUINT64_FORMAT
	       " retransmits=%" G_GUINT64_FORMAT " timeouts=%" G_GUINT64_FORMAT
	       " fast-retransmits=%" G_GUINT64_FORMAT " sack-recoveries=%" G_GUINT64_FORMAT
	       " sack-retransmits=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT
	       " ooo-dropped=%" G_GUINT64_FORMAT " paws-dropped=%" G_GUINT64_FORMAT
	       " rst-accepted=%" G_GUINT64_FORMAT " conns-created=%" G_GUINT64_FORMAT
	       " syncookies-sent=%" G_GUINT64_FORMAT " syncookies-ok=%" G_GUINT64_FORMAT
	       " syncookies-failed=%" G_GUINT64_FORMAT " listen-overflows=%" G_GUINT64_FORMAT
	       " zero-window-probes=%" G_GUINT64_FORMAT "\n",
	       st->segs_in, st->segs_out, st->retransmits, st->timeouts, st->fast_retransmits,
	       st->sack_recoveries, st->sack_retransmits, st->dropped, st->ooo_dropped,
	       st->paws_dropped, st->rst_accepted, st->conns_created, st->syncookies_sent,
	       st->syncookies_ok, st->syncookies_failed, st->listen_overflows,
	       st->zero_window_probes);
	printf("peer max-tcp-connections=%u max-rss-kb=%" G_GUINT64_FORMAT
	       " rss-kb=%" G_GUINT64_FORMAT "\n",
	       p->max_tcp_conns, p->max_rss_kb, rss_kb());
}

static void sample(struct peer *p)
{
	guint n = pk_vclient_tcp_connections(p->vc);
	guint64 r = rss_kb();

	p->max_tcp_conns = MAX(p->max_tcp_conns, n);
	p->max_rss_kb = MAX(p->max_rss_kb, r);
}

static gboolean stats_tick(gpointer data)
{
	struct peer *p = data;

	sample(p);
	printf("stats tcp-connections=%u syncookies-sent=%" G_GUINT64_FORMAT
	       " syncookies-ok=%" G_GUINT64_FORMAT " conns-created=%" G_GUINT64_FORMAT
	       " rss-kb=%" G_GUINT64_FORMAT " served=%u active=%u\n",
	       pk_vclient_tcp_connections(p->vc), pk_vclient_tcp_stats(p->vc)->syncookies_sent,
	       pk_vclient_tcp_stats(p->vc)->syncookies_ok, pk_vclient_tcp_stats(p->vc)->conns_created,
	       rss_kb(), p->done, p->active);
	return G_SOURCE_CONTINUE;
}

static void maybe_quit(struct peer *p)
{
	if (p->stopping)
		return;
	if (p->listener && (p->max_conns == 0 || p->done < p->max_conns))
		return;
	if (!p->listener && p->done < p->started)
		return;
	p->stopping = TRUE;
	g_main_loop_quit(p->loop);
}

static void conn_finish(struct conn *c)
{
	struct peer *p = c->p;
	double secs = (g_get_monotonic_time() - c->t0) / 1e6;
	guint64 moved = MAX(c->sent, c->received);

	if (!c->have_info)
		c->have_info = pk_vclient_stream_get_info(PK_VCLIENT_STREAM(c->stream), &c->info);
	if (!p->quiet || c->failed) {
		printf("conn %u peer=%s sent=%" G_GUINT64_FORMAT " received=%" G_GUINT64_FORMAT
		       " sha256-in=%s sha256-out=%s secs=%.3f mbps=%.1f%s\n",
		       c->id, c->peer_name, c->sent, c->received, g_checksum_get_string(c->sum_in),
		       g_checksum_get_string(c->sum_out), secs,
		       secs > 0 ? moved * 8 / secs / 1e6 : 0.0, c->failed ? " FAILED" : "");
		if (c->have_info)
			print_info(c->id, &c->info);
	}
	p->bytes += c->sent + c->received;
	if (c->failed) {
		p->failed++;
		p->rc = 1;
	}
	p->done++;
	p->active--;
	if (!c->failed)
		g_io_stream_close(c->stream, NULL, NULL);
	g_object_unref(c->cancel);
	g_object_unref(c->stream);
	g_checksum_free(c->sum_in);
	g_checksum_free(c->sum_out);
	g_free(c->rbuf);
	g_free(c->wbuf);
	g_free(c->peer_name);
	g_free(c);
	maybe_quit(p);
}

static void conn_error(struct conn *c, const char *what, GError *error)
{
	if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		fprintf(stderr, "vclient-peer: conn %u (%s): %s: %s\n", c->id, c->peer_name, what,
			error->message);
	g_error_free(error);
	c->failed = TRUE;
	/* Stop the other direction too; its callback finishes the connection. */
	g_cancellable_cancel(c->cancel);
}

static void conn_step_done(struct conn *c)
{
	if (c->rd_done && c->wr_done)
		conn_finish(c);
}

static void conn_read_more(struct conn *c);
static void conn_write_more(struct conn *c);

static void conn_echoed(GObject *src, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;
	GError *error = NULL;
	gsize n = 0;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, &n, &error)) {
		c->rd_done = c->wr_done = TRUE;
		conn_error(c, "echo write", error);
		conn_step_done(c);
		return;
	}
	c->sent += n;
	conn_read_more(c);
}

static void conn_read_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &error);

	if (n < 0) {
		c->rd_done = TRUE;
		if (c->p->mode != M_SOURCE && c->p->mode != M_SEND)
			c->wr_done = TRUE;	/* no write pending */
		conn_error(c, "read", error);
		conn_step_done(c);
		return;
	}
	if (n == 0) {
		c->rd_done = TRUE;
		c->have_info = pk_vclient_stream_get_info(PK_VCLIENT_STREAM(c->stream), &c->info);
		if (c->p->mode == M_ECHO || c->p->mode == M_SINK || c->p->mode == M_RECV) {
			if (!pk_vclient_stream_shutdown_write(PK_VCLIENT_STREAM(c->stream), &error))
				conn_error(c, "shutdown", error);
			c->wr_done = TRUE;
		}
		conn_step_done(c);
		return;
	}
	c->received += (guint64)n;
	if (!c->p->no_checksum)
		g_checksum_update(c->sum_in, c->rbuf, n);
	if (c->p->mode == M_ECHO) {
		if (!c->p->no_checksum)
			g_checksum_update(c->sum_out, c->rbuf, n);
		g_output_stream_write_all_async(c->out, c->rbuf, (gsize)n, G_PRIORITY_DEFAULT,
						c->cancel, conn_echoed, c);
		return;
	}
	conn_read_more(c);
}

static void conn_read_more(struct conn *c)
{
	g_input_stream_read_async(c->in, c->rbuf, c->rbuf_len, G_PRIORITY_DEFAULT, c->cancel,
				  conn_read_done, c);
}

static void conn_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct conn *c = data;
	GError *error = NULL;
	gsize n = 0;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, &n, &error)) {
		c->wr_done = TRUE;
		conn_error(c, "write", error);
		conn_step_done(c);
		return;
	}
	c->sent += n;
	conn_write_more(c);
}

static void conn_write_more(struct conn *c)
{
	gsize n = (gsize)MIN((guint64)c->wbuf_len, c->to_send - c->sent);
	GError *error = NULL;

	if (n == 0) {
		c->have_info = pk_vclient_stream_get_info(PK_VCLIENT_STREAM(c->stream), &c->info);
		if (!pk_vclient_stream_shutdown_write(PK_VCLIENT_STREAM(c->stream), &error))
			conn_error(c, "shutdown", error);
		c->wr_done = TRUE;
		conn_step_done(c);
		return;
	}
	stream_fill(&c->rng, c->wbuf, n);
	if (!c->p->no_checksum)
		g_checksum_update(c->sum_out, c->wbuf, (gssize)n);
	g_output_stream_write_all_async(c->out, c->wbuf, n, G_PRIORITY_DEFAULT, c->cancel,
					conn_written, c);
}

static void conn_start(struct peer *p, GIOStream *stream)
{
	struct conn *c = g_new0(struct conn, 1);
	g_autoptr(GSocketAddress) ra = pk_vclient_stream_get_remote_address(
		PK_VCLIENT_STREAM(stream));
	GInetSocketAddress *isa = G_INET_SOCKET_ADDRESS(ra);
	g_autofree char *as = g_inet_address_to_string(g_inet_socket_address_get_address(isa));
	gboolean sends = p->mode == M_SOURCE || p->mode == M_SEND;

	c->p = p;
	c->id = p->next_id++;
	c->stream = stream;
	c->in = g_io_stream_get_input_stream(stream);
	c->out = g_io_stream_get_output_stream(stream);
	c->cancel = g_cancellable_new();
	c->peer_name = g_strdup_printf(strchr(as, ':') ? "[%s]:%u" : "%s:%u", as,
				       g_inet_socket_address_get_port(isa));
	c->sum_in = g_checksum_new(G_CHECKSUM_SHA256);
	c->sum_out = g_checksum_new(G_CHECKSUM_SHA256);
	c->rng = stream_seed(p->seed);
	c->rbuf_len = p->mode == M_ECHO ? 4096 : 65536;
	c->rbuf = g_malloc(c->rbuf_len);
	c->t0 = g_get_monotonic_time();
	p->started++;
	p->active++;
	p->max_tcp_conns = MAX(p->max_tcp_conns, pk_vclient_tcp_connections(p->vc));
	p->max_active = MAX(p->max_active, p->active);
	if (p->mode == M_ECHO)
		pk_vclient_stream_set_nodelay(PK_VCLIENT_STREAM(stream), TRUE);
	conn_read_more(c);
	if (sends) {
		c->to_send = p->count;
		c->wbuf_len = 65536;
		c->wbuf = g_malloc(c->wbuf_len);
		conn_write_more(c);
	}
}

static void accepted(GObject *src, GAsyncResult *res, gpointer data)
{
	struct peer *p = data;
	GError *error = NULL;
	GIOStream *s = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(src), res, &error);

	if (!s) {
		if (!p->stopping) {
			fprintf(stderr, "vclient-peer: accept: %s\n", error->message);
			p->rc = 1;
			p->stopping = TRUE;
			g_main_loop_quit(p->loop);
		}
		g_error_free(error);
		return;
	}
	if (p->max_conns == 0 || p->started + 1 < p->max_conns)
		pk_vclient_listener_accept_async(p->listener, NULL, accepted, p);
	conn_start(p, s);
}

static void connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct peer *p = data;
	GError *error = NULL;
	GIOStream *s = pk_vclient_tcp_connect_finish(p->vc, res, &error);

	(void)src;
	if (!s) {
		fprintf(stderr, "vclient-peer: connect: %s\n", error->message);
		g_error_free(error);
		p->rc = 1;
		p->stopping = TRUE;
		g_main_loop_quit(p->loop);
		return;
	}
	conn_start(p, s);
}

static gboolean on_signal(gpointer data)
{
	struct peer *p = data;

	if (p->active) {
		fprintf(stderr, "vclient-peer: interrupted with %u connection(s) still open\n",
			p->active);
		p->rc = 1;
	}
	if (!p->listener && p->done < 1)
		p->rc = 1;
	p->stopping = TRUE;
	g_main_loop_quit(p->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer data)
{
	struct peer *p = data;

	fprintf(stderr, "vclient-peer: --timeout reached (%u done, %u active)\n", p->done,
		p->active);
	p->rc = 1;
	p->stopping = TRUE;
	g_main_loop_quit(p->loop);
	return G_SOURCE_REMOVE;
}

static GSocketAddress *parse_addr(const char *s)
{
	g_autofree char *host = NULL;
	const char *colon;
	guint64 port;
	char *end;
	GSocketAddress *sa;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return NULL;
		host = g_strndup(s + 1, (gsize)(rb - s - 1));
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return NULL;
		host = g_strndup(s, (gsize)(colon - s));
	}
	port = g_ascii_strtoull(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535)
		return NULL;
	sa = g_inet_socket_address_new_from_string(host, (guint)port);
	return sa;
}

static int gen(guint64 n, guint64 seed)
{
	guint64 st = stream_seed(seed);
	static guint8 buf[65536];

	while (n) {
		gsize k = (gsize)MIN(n, sizeof(buf));

		stream_fill(&st, buf, k);
		if (fwrite(buf, 1, k, stdout) != k) {
			if (errno != EPIPE)
				perror("vclient-peer: write");
			return 1;
		}
		n -= k;
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct peer p = { .seed = 1 };
	g_autofree char *vclient_id = NULL, *listen_s = NULL, *connect_s = NULL;
	gboolean sink = FALSE, echo = FALSE, recv = FALSE;
	gint64 source = -1, send = -1, gen_n = -1, seed = 1;
	gint max_conns = 0, backlog = 1024, stats_ms = 0, timeout_s = 0, delay_ms = 0;
	gint linger_ms = 5000;
	GOptionEntry entries[] = {
		{ "vclient", 0, 0, G_OPTION_ARG_STRING, &vclient_id, "Device id (default: vc)", "ID" },
		{ "listen", 0, 0, G_OPTION_ARG_STRING, &listen_s, "Accept connections", "ADDR:PORT" },
		{ "connect", 0, 0, G_OPTION_ARG_STRING, &connect_s, "Open a connection", "ADDR:PORT" },
		{ "sink", 0, 0, G_OPTION_ARG_NONE, &sink, "Read to EOF", NULL },
		{ "source", 0, 0, G_OPTION_ARG_INT64, &source, "Send N bytes, then FIN", "N" },
		{ "echo", 0, 0, G_OPTION_ARG_NONE, &echo, "Echo back", NULL },
		{ "send", 0, 0, G_OPTION_ARG_INT64, &send, "Send N bytes, then FIN", "N" },
		{ "recv", 0, 0, G_OPTION_ARG_NONE, &recv, "Read to EOF", NULL },
		{ "max-conns", 0, 0, G_OPTION_ARG_INT, &max_conns,
		  "Listener: exit after K connections (0: at a signal)", "K" },
		{ "backlog", 0, 0, G_OPTION_ARG_INT, &backlog, "Accept backlog (1024)", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the data stream (1)", "S" },
		{ "gen", 0, 0, G_OPTION_ARG_INT64, &gen_n, "Write N bytes of the stream to stdout",
		  "N" },
		{ "stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_ms,
		  "Print a stats line every MS milliseconds", "MS" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after SECS", "SECS" },
		{ "delay", 0, 0, G_OPTION_ARG_INT, &delay_ms,
		  "Wait MS milliseconds after the topology started (e.g. for a TUN's routes)", "MS" },
		{ "linger", 0, 0, G_OPTION_ARG_INT, &linger_ms,
		  "At the end, wait up to MS milliseconds for connections to close (5000)", "MS" },
		{ "no-checksum", 0, 0, G_OPTION_ARG_NONE, &p.no_checksum,
		  "Do not hash the data (benchmarks; the sha256 fields are then of nothing)", NULL },
		{ "quiet", 'q', 0, G_OPTION_ARG_NONE, &p.quiet,
		  "No per-connection lines (except failures)", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("TOPOLOGY.json");
	GError *error = NULL;
	struct pk_registry *reg;
	int modes;

	setvbuf(stdout, NULL, _IOLBF, 0);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "vclient-peer: %s\n", error->message);
		return 2;
	}
	p.seed = (guint64)seed;
	if (gen_n >= 0)
		return gen((guint64)gen_n, p.seed);
	modes = (sink ? 1 : 0) + (echo ? 1 : 0) + (recv ? 1 : 0) + (source >= 0) + (send >= 0);
	if (argc != 2 || modes != 1 || !listen_s == !connect_s ||
	    (listen_s && (recv || send >= 0)) || (connect_s && (sink || echo || source >= 0)) ||
	    max_conns < 0 || backlog <= 0) {
		fprintf(stderr, "usage: vclient-peer TOPOLOGY.json [--vclient ID] "
				"(--listen ADDR:PORT (--sink|--source N|--echo) [--max-conns K] | "
				"--connect ADDR:PORT (--send N|--recv))  (--help for more)\n");
		return 2;
	}
	p.mode = sink ? M_SINK : echo ? M_ECHO : recv ? M_RECV : source >= 0 ? M_SOURCE : M_SEND;
	p.count = (guint64)(source >= 0 ? source : send >= 0 ? send : 0);
	p.max_conns = (guint)max_conns;
	p.addr = parse_addr(listen_s ? listen_s : connect_s);
	if (!p.addr) {
		fprintf(stderr, "vclient-peer: bad address '%s' (ADDR:PORT, [IPv6]:PORT)\n",
			listen_s ? listen_s : connect_s);
		return 2;
	}

	reg = pk_registry_new();
	pk_registry_scan_default(reg);
	if (!pk_vclient_register(reg, &error)) {
		fprintf(stderr, "vclient-peer: %s\n", error->message);
		return 1;
	}
	p.g = pk_graph_new(reg, NULL, 0);
	if (!pk_graph_load_file(p.g, argv[1], &error) || !pk_graph_start(p.g, &error)) {
		fprintf(stderr, "vclient-peer: %s: %s\n", argv[1], error->message);
		return 1;
	}
	if (!vclient_id)
		vclient_id = g_strdup("vc");
	p.dev = pk_graph_lookup(p.g, vclient_id);
	p.vc = pk_vclient_lookup(p.g, vclient_id);
	if (!p.vc) {
		fprintf(stderr, "vclient-peer: no l3.vclient '%s' in %s\n", vclient_id, argv[1]);
		return 1;
	}
	p.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGINT, on_signal, &p);
	g_unix_signal_add(SIGTERM, on_signal, &p);
	if (timeout_s > 0)
		g_timeout_add_seconds((guint)timeout_s, on_timeout, &p);
	if (stats_ms > 0)
		g_timeout_add((guint)stats_ms, stats_tick, &p);

	if (delay_ms > 0) {
		gint64 until = g_get_monotonic_time() + (gint64)delay_ms * 1000;

		while (g_get_monotonic_time() < until) {
			if (!g_main_context_iteration(NULL, FALSE))
				g_usleep(1000);
		}
	}
	if (listen_s) {
		GInetSocketAddress *isa;
		g_autofree char *as = NULL;

		p.listener = pk_vclient_tcp_listen(p.vc, p.addr, (guint)backlog, &error);
		if (!p.listener) {
			fprintf(stderr, "vclient-peer: listen %s: %s\n", listen_s, error->message);
			return 1;
		}
		isa = G_INET_SOCKET_ADDRESS(p.addr);
		as = g_inet_address_to_string(g_inet_socket_address_get_address(isa));
		printf("listening %s %u\n", as, pk_vclient_listener_get_port(p.listener));
		pk_vclient_listener_accept_async(p.listener, NULL, accepted, &p);
	} else {
		pk_vclient_tcp_connect_async(p.vc, p.addr, NULL, connected, &p);
	}
	if (!p.stopping)
		g_main_loop_run(p.loop);

	/* Let the last FINs and ACKs go out: stopping the graph now would drop
	 * them and leave the peers waiting. TIME-WAIT ends the wait too. */
	sample(&p);
	{
		gint64 until = g_get_monotonic_time() + (gint64)linger_ms * 1000;

		while (g_get_monotonic_time() < until && pk_vclient_tcp_connections(p.vc) > 0) {
			if (!g_main_context_iteration(NULL, FALSE))
				g_usleep(1000);
		}
	}
	printf("summary served=%u failed=%u max-concurrent=%u bytes=%" G_GUINT64_FORMAT "\n",
		       p.done, p.failed, p.max_active, p.bytes);
	print_counters(&p);
	if (p.listener) {
		pk_vclient_listener_close(p.listener);
		g_object_unref(p.listener);
	}
	pk_graph_stop(p.g);
	while (g_main_context_iteration(NULL, FALSE))
		;
	pk_graph_free(p.g);
	g_object_unref(p.addr);
	g_main_loop_unref(p.loop);
	pk_registry_free(reg);
	return p.rc;
}
