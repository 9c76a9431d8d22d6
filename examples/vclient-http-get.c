// SPDX-License-Identifier: MIT
/* vclient-http-get.c - Example: fetch a URL with HTTP/1.1 through a virtual client (l3.vclient) */
/*
 * Usage:
 *   vclient-http-get [--dns SERVER]... [-4|-6] [--timeout S] TOPOLOGY.json VCLIENT URL
 *   vclient-http-get [--dns SERVER]... [-4|-6] --resolve TOPOLOGY.json VCLIENT NAME
 *
 * It loads and starts the topology (a JSON file as pktkit-host takes it) in
 * this process, takes the l3.vclient device VCLIENT, resolves the URL's host
 * with the vclient's DNS resolver (pk_vclient_resolver_new(), servers from
 * --dns), connects to the first address that answers, sends
 *
 *   GET /path HTTP/1.1 / Host / Connection: close
 *
 * and streams the body to stdout (de-chunked if need be); the status line and
 * headers go to stderr. With --resolve it only prints the addresses of NAME,
 * one a line. --verbose adds the resolver's counters on stderr.
 *
 * Exit status: 0 success (a 2xx response), 1 usage or set-up error, 2
 * resolution failed ("error: not-found|temporary-failure|...: message" on
 * stderr), 3 connection or protocol error, 4 a response other than 2xx, 5
 * timeout.
 */
#include <stdio.h>
#include <string.h>

#include <pktkit/toolkit/dns.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>
#include <pktkit/vclient.h>

struct app {
	GMainLoop *loop;
	struct pk_vclient *vc;
	GResolver *resolver;
	GCancellable *cancel;
	int status;			/* exit status */
	char *host;			/* for Host: and error messages */
	guint16 port;
	char *request;
	GList *addrs, *next_addr;	/* GInetAddress, the one being tried */
	GIOStream *stream;
	/* response parsing */
	GByteArray *head;		/* until the blank line */
	bool in_body;
	bool chunked;
	gint64 remaining;		/* Content-Length left, -1: until EOF */
	gint64 chunk_left;		/* chunked: bytes of the current chunk, -1: size line next */
	GByteArray *line;		/* chunked: size line being read */
	bool trailer;			/* chunked: after the last chunk */
	int http_status;
	guint timer;
	guint8 buf[65536];
};

static void finish(struct app *a, int status)
{
	a->status = status;
	g_main_loop_quit(a->loop);
}

static const char *resolver_code(const GError *e)
{
	if (e->domain == G_RESOLVER_ERROR) {
		switch (e->code) {
		case G_RESOLVER_ERROR_NOT_FOUND:
			return "not-found";
		case G_RESOLVER_ERROR_TEMPORARY_FAILURE:
			return "temporary-failure";
		default:
			return "internal";
		}
	}
	return "other";
}

static void body_out(struct app *a, const guint8 *p, gsize n)
{
	if (n && fwrite(p, 1, n, stdout) != n) {
		fprintf(stderr, "vclient-http-get: cannot write to stdout\n");
		finish(a, 3);
	}
}

/* Consumes body bytes; returns false on a protocol error. Sets a->remaining = 0 when done. */
static bool body_input(struct app *a, const guint8 *p, gsize n)
{
	if (!a->chunked) {
		if (a->remaining >= 0 && (gint64)n > a->remaining)
			n = (gsize)a->remaining;
		body_out(a, p, n);
		if (a->remaining >= 0)
			a->remaining -= (gint64)n;
		return true;
	}
	while (n && a->remaining != 0) {
		if (a->chunk_left > 0) {
			gsize k = MIN(n, (gsize)a->chunk_left);

			body_out(a, p, k);
			a->chunk_left -= (gint64)k;
			p += k;
			n -= k;
			if (a->chunk_left == 0)
				a->chunk_left = -2;	/* CRLF after the data */
			continue;
		}
		/* A line: chunk size, the CRLF after data, or a trailer. */
		g_byte_array_append(a->line, p, 1);
		p++;
		n--;
		if (a->line->len > 1024)
			return false;
		if (a->line->len < 2 || memcmp(a->line->data + a->line->len - 2, "\r\n", 2) != 0)
			continue;
		if (a->chunk_left == -2) {
			if (a->line->len != 2)
				return false;
			a->chunk_left = -1;
		} else if (a->trailer) {
			if (a->line->len == 2)
				a->remaining = 0;	/* end of the trailer */
		} else {
			char *end;
			guint64 size;

			a->line->data[a->line->len - 2] = 0;
			size = g_ascii_strtoull((const char *)a->line->data, &end, 16);
			if (end == (char *)a->line->data || (*end && *end != ';') ||
			    size > G_MAXINT64 / 2)
				return false;
			if (size == 0)
				a->trailer = true;
			else
				a->chunk_left = (gint64)size;
		}
		g_byte_array_set_size(a->line, 0);
	}
	return true;
}

/* Parses the status line and headers in a->head (ending with the blank line). */
static bool head_parse(struct app *a)
{
	g_autofree char *text = g_strndup((const char *)a->head->data, a->head->len);
	g_auto(GStrv) lines = g_strsplit(text, "\r\n", -1);

	if (!lines[0] || sscanf(lines[0], "HTTP/1.%*1[01] %3d", &a->http_status) != 1)
		return false;
	a->remaining = -1;
	for (guint i = 0; lines[i]; i++) {
		const char *colon;

		if (!*lines[i])
			continue;
		fprintf(stderr, "%s\n", lines[i]);
		colon = strchr(lines[i], ':');
		if (i == 0 || !colon)
			continue;
		if (g_ascii_strncasecmp(lines[i], "content-length", 14) == 0 &&
		    colon == lines[i] + 14)
			a->remaining = g_ascii_strtoll(g_strstrip((char *)colon + 1), NULL, 10);
		else if (g_ascii_strncasecmp(lines[i], "transfer-encoding", 17) == 0 &&
			 colon == lines[i] + 17 && strstr(colon, "chunked"))
			a->chunked = true;
	}
	if (a->chunked) {
		a->remaining = -1;
		a->chunk_left = -1;
	}
	/* No body for 1xx, 204, 304 (HEAD is never sent). */
	if (a->http_status == 204 || a->http_status == 304 || a->http_status / 100 == 1)
		a->remaining = 0;
	return true;
}

static void response_done(struct app *a)
{
	fflush(stdout);
	finish(a, a->http_status / 100 == 2 ? 0 : 4);
}

static void read_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct app *a = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(src), res, &error);
	const guint8 *p = a->buf;

	if (n < 0) {
		fprintf(stderr, "vclient-http-get: read: %s\n", error->message);
		g_error_free(error);
		finish(a, g_cancellable_is_cancelled(a->cancel) ? 5 : 3);
		return;
	}
	if (n == 0) {
		if (a->in_body && a->remaining == -1 && !a->chunked) {
			response_done(a);
			return;
		}
		fprintf(stderr, "vclient-http-get: connection closed %s\n",
			a->in_body ? "before the end of the body" : "before the response header");
		finish(a, 3);
		return;
	}
	if (!a->in_body) {
		gsize old = a->head->len;
		const guint8 *end;

		g_byte_array_append(a->head, a->buf, (guint)n);
		end = memmem(a->head->data, a->head->len, "\r\n\r\n", 4);
		if (!end) {
			if (a->head->len > 65536) {
				fprintf(stderr, "vclient-http-get: response header too long\n");
				finish(a, 3);
				return;
			}
			goto more;
		}
		g_byte_array_set_size(a->head, (guint)(end - a->head->data + 4));
		if (!head_parse(a)) {
			fprintf(stderr, "vclient-http-get: not an HTTP/1.x response\n");
			finish(a, 3);
			return;
		}
		a->in_body = true;
		p = a->buf + (a->head->len - old);
		n -= (gssize)(a->head->len - old);
	}
	if (!body_input(a, p, (gsize)n)) {
		fprintf(stderr, "vclient-http-get: bad chunked encoding\n");
		finish(a, 3);
		return;
	}
	if (a->remaining == 0) {
		response_done(a);
		return;
	}
more:
	g_input_stream_read_async(G_INPUT_STREAM(src), a->buf, sizeof(a->buf), G_PRIORITY_DEFAULT,
				  a->cancel, read_done, a);
}

static void request_written(GObject *src, GAsyncResult *res, gpointer data)
{
	struct app *a = data;
	GError *error = NULL;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(src), res, NULL, &error)) {
		fprintf(stderr, "vclient-http-get: write: %s\n", error->message);
		g_error_free(error);
		finish(a, 3);
		return;
	}
	g_input_stream_read_async(g_io_stream_get_input_stream(a->stream), a->buf, sizeof(a->buf),
				  G_PRIORITY_DEFAULT, a->cancel, read_done, a);
}

static void try_connect(struct app *a);

static void connected(GObject *src, GAsyncResult *res, gpointer data)
{
	struct app *a = data;
	GError *error = NULL;

	(void)src;
	a->stream = pk_vclient_tcp_connect_finish(a->vc, res, &error);
	if (!a->stream) {
		g_autofree char *s = g_inet_address_to_string(a->next_addr->data);

		fprintf(stderr, "vclient-http-get: connect to %s port %u: %s\n", s, a->port,
			error->message);
		g_error_free(error);
		if (g_cancellable_is_cancelled(a->cancel)) {
			finish(a, 5);
			return;
		}
		a->next_addr = a->next_addr->next;
		try_connect(a);
		return;
	}
	g_output_stream_write_all_async(g_io_stream_get_output_stream(a->stream), a->request,
					strlen(a->request), G_PRIORITY_DEFAULT, a->cancel,
					request_written, a);
}

static void try_connect(struct app *a)
{
	g_autoptr(GSocketAddress) to = NULL;

	if (!a->next_addr) {
		finish(a, 3);
		return;
	}
	to = g_inet_socket_address_new(a->next_addr->data, a->port);
	pk_vclient_tcp_connect_async(a->vc, to, a->cancel, connected, a);
}

static void resolved(GObject *src, GAsyncResult *res, gpointer data)
{
	struct app *a = data;
	GError *error = NULL;

	a->addrs = g_resolver_lookup_by_name_with_flags_finish(G_RESOLVER(src), res, &error);
	if (!a->addrs) {
		fprintf(stderr, "error: %s: %s\n", resolver_code(error), error->message);
		finish(a, error->domain == G_IO_ERROR && error->code == G_IO_ERROR_CANCELLED ? 5
											   : 2);
		g_error_free(error);
		return;
	}
	if (!a->request) {	/* --resolve */
		for (GList *l = a->addrs; l; l = l->next) {
			g_autofree char *s = g_inet_address_to_string(l->data);

			printf("%s\n", s);
		}
		finish(a, 0);
		return;
	}
	a->next_addr = a->addrs;
	try_connect(a);
}

static gboolean timed_out(gpointer data)
{
	struct app *a = data;

	a->timer = 0;
	fprintf(stderr, "vclient-http-get: timed out\n");
	g_cancellable_cancel(a->cancel);
	return G_SOURCE_REMOVE;
}

/* The request for @url; sets a->host and a->port. */
static char *make_request(struct app *a, const char *url, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, error);
	const char *path, *query;
	int port;
	g_autofree char *host_hdr = NULL;

	if (!uri)
		return NULL;
	if (g_strcmp0(g_uri_get_scheme(uri), "http") != 0 || !g_uri_get_host(uri) ||
	    !*g_uri_get_host(uri)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "Only http://HOST[:PORT]/... URLs are supported");
		return NULL;
	}
	port = g_uri_get_port(uri);
	a->port = port > 0 ? (guint16)port : 80;
	a->host = g_strdup(g_uri_get_host(uri));
	path = g_uri_get_path(uri);
	query = g_uri_get_query(uri);
	host_hdr = g_strdup_printf(strchr(a->host, ':') ? "[%s]" : "%s", a->host);
	if (port > 0 && port != 80) {
		char *h = g_strdup_printf("%s:%d", host_hdr, port);

		g_free(host_hdr);
		host_hdr = h;
	}
	return g_strdup_printf("GET %s%s%s HTTP/1.1\r\n"
			       "Host: %s\r\n"
			       "User-Agent: pktkit-vclient-http-get/" PACKAGE_VERSION "\r\n"
			       "Accept: */*\r\n"
			       "Connection: close\r\n"
			       "\r\n",
			       *path ? path : "/", query ? "?" : "", query ? query : "", host_hdr);
}

int main(int argc, char **argv)
{
	g_auto(GStrv) dns = NULL;
	gboolean resolve_only = FALSE, v4 = FALSE, v6 = FALSE, verbose = FALSE;
	gint timeout_s = 30;
	GOptionEntry entries[] = {
		{ "dns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &dns,
		  "DNS server on the virtual network (repeatable; default 10.0.0.1)", "ADDR[:PORT]" },
		{ "resolve", 0, 0, G_OPTION_ARG_NONE, &resolve_only,
		  "Only resolve NAME and print its addresses", NULL },
		{ "ipv4", '4', 0, G_OPTION_ARG_NONE, &v4, "IPv4 addresses only", NULL },
		{ "ipv6", '6', 0, G_OPTION_ARG_NONE, &v6, "IPv6 addresses only", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print DNS counters", NULL },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after S seconds (30)", "S" },
		{ NULL }
	};
	g_autoptr(GOptionContext) oc = g_option_context_new(
		"TOPOLOGY.json VCLIENT URL|NAME - fetch a URL through a pktkit virtual client");
	static const char *const def_dns[] = { "10.0.0.1", NULL };
	struct app a = { 0 };
	struct pk_registry *reg;
	struct pk_graph *g;
	GError *error = NULL;
	GResolverNameLookupFlags flags = G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error) || argc != 4 || (v4 && v6) ||
	    timeout_s <= 0) {
		fprintf(stderr, "%s\n", error ? error->message
					      : "usage: vclient-http-get [OPTION...] TOPOLOGY.json "
						"VCLIENT URL|NAME (--help for more)");
		return 1;
	}
	if (v4)
		flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY;
	if (v6)
		flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY;
	if (!resolve_only) {
		a.request = make_request(&a, argv[3], &error);
		if (!a.request) {
			fprintf(stderr, "vclient-http-get: %s: %s\n", argv[3], error->message);
			return 1;
		}
	} else {
		a.host = g_strdup(argv[3]);
	}

	/* The graph: modules from PKTKIT_MODULE_PATH and the installed ones. */
	reg = pk_registry_new();
	pk_registry_scan_default(reg);
	if (!pk_vclient_register(reg, &error))
		goto fail_setup;
	g = pk_graph_new(reg, NULL, 0);
	if (!pk_graph_load_file(g, argv[1], &error) || !pk_graph_start(g, &error))
		goto fail_graph;
	a.vc = pk_vclient_lookup(g, argv[2]);
	if (!a.vc) {
		g_set_error(&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "no l3.vclient device \"%s\" in %s", argv[2], argv[1]);
		goto fail_graph;
	}
	a.resolver = pk_vclient_resolver_new(a.vc, dns ? (const char *const *)dns : def_dns,
					     &error);
	if (!a.resolver)
		goto fail_graph;

	a.loop = g_main_loop_new(NULL, FALSE);
	a.cancel = g_cancellable_new();
	a.head = g_byte_array_new();
	a.line = g_byte_array_new();
	a.timer = g_timeout_add_seconds((guint)timeout_s, timed_out, &a);
	g_resolver_lookup_by_name_with_flags_async(a.resolver, a.host, flags, a.cancel, resolved,
						   &a);
	g_main_loop_run(a.loop);
	if (a.timer)
		g_source_remove(a.timer);
	if (verbose) {
		const struct pk_dns_resolver_stats *st =
			pk_vclient_resolver_get_stats(PK_VCLIENT_RESOLVER(a.resolver));

		fprintf(stderr, "dns: queries %" G_GUINT64_FORMAT " tcp %" G_GUINT64_FORMAT
			" truncated %" G_GUINT64_FORMAT " timeouts %" G_GUINT64_FORMAT
			" replies %" G_GUINT64_FORMAT "\n", st->queries_sent, st->queries_tcp,
			st->truncated, st->timeouts, st->replies);
	}

	if (a.stream)
		g_io_stream_close(a.stream, NULL, NULL);
	g_clear_object(&a.stream);
	g_resolver_free_addresses(a.addrs);
	g_object_unref(a.resolver);
	g_object_unref(a.cancel);
	g_byte_array_unref(a.head);
	g_byte_array_unref(a.line);
	/* Let the connection's FIN go out before the graph goes. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	g_main_loop_unref(a.loop);
	pk_graph_free(g);
	pk_registry_free(reg);
	g_free(a.request);
	g_free(a.host);
	return a.status;

fail_graph:
	pk_graph_free(g);
fail_setup:
	fprintf(stderr, "vclient-http-get: %s\n", error->message);
	g_error_free(error);
	pk_registry_free(reg);
	g_free(a.request);
	g_free(a.host);
	return 1;
}
