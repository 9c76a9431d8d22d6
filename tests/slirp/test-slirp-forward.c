/* SPDX-License-Identifier: MIT
 * test-slirp-forward.c - l3.slirp's port forwards: listeners bound, replaced live, refused, shown
 *
 * Everything listens on 127.0.0.1 or ::1 only. Ports are picked by binding
 * port 0 first and asking the kernel which one it gave.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "slirp-test.h"

/* Warnings of the devices, captured (GLib tests make them fatal otherwise). */
static GPtrArray *warnings;

static GLogWriterOutput capture_writer(GLogLevelFlags level, const GLogField *fields,
				       gsize n_fields, gpointer data)
{
	if (level & G_LOG_LEVEL_WARNING) {
		for (gsize i = 0; i < n_fields; i++)
			if (!strcmp(fields[i].key, "MESSAGE"))
				g_ptr_array_add(warnings, g_strdup(fields[i].value));
		return G_LOG_WRITER_HANDLED;
	}
	return g_log_writer_default(level, fields, n_fields, data);
}

/* How many captured warnings contain @needle; clears the capture. */
static guint warned(const char *needle)
{
	guint n = 0;

	for (guint i = 0; i < warnings->len; i++)
		n += strstr(g_ptr_array_index(warnings, i), needle) != NULL;
	g_ptr_array_set_size(warnings, 0);
	return n;
}

/* A socket address on the loopback of the family of @v6. */
static socklen_t loop_addr(bool v6, uint16_t port, struct sockaddr_storage *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (v6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		in6->sin6_addr = in6addr_loopback;
		return sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)sa;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*in);
	}
}

/* A socket of @type bound (without SO_REUSEADDR) to the loopback's @port
 * (0: any); its fd, or -1 with errno. */
static int bind_loop(int type, bool v6, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t len = loop_addr(v6, port, &sa);
	int fd = socket(v6 ? AF_INET6 : AF_INET, type | SOCK_CLOEXEC, 0), err;

	g_assert_cmpint(fd, >=, 0);
	if (bind(fd, (struct sockaddr *)&sa, len) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
	if (sa.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
	return ntohs(((struct sockaddr_in *)&sa)->sin_port);
}

/* A port of @type that is free on the loopback right now. */
static uint16_t free_port(int type, bool v6)
{
	int fd = bind_loop(type, v6, 0);
	uint16_t port;

	g_assert_cmpint(fd, >=, 0);
	port = bound_port(fd);
	close(fd);
	return port;
}

/* Whether a TCP connect() to the loopback's @port succeeds (something
 * listens there); the connection is closed again. */
static bool tcp_listening(bool v6, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t len = loop_addr(v6, port, &sa);
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	g_assert_cmpint(fd, >=, 0);
	r = connect(fd, (struct sockaddr *)&sa, len);
	if (r < 0)
		g_assert_cmpint(errno, ==, ECONNREFUSED);
	close(fd);
	return r == 0;
}

/* Whether a UDP socket of ours (no SO_REUSEADDR) can bind the loopback's @port. */
static bool udp_port_free(bool v6, uint16_t port)
{
	int fd = bind_loop(SOCK_DGRAM, v6, port);

	if (fd < 0) {
		g_assert_cmpint(errno, ==, EADDRINUSE);
		return false;
	}
	close(fd);
	return true;
}

static char *fwd_json(const char *proto, const char *host, uint16_t host_port, const char *guest,
		      uint16_t guest_port)
{
	return g_strdup_printf("{\"proto\": \"%s\", \"host-address\": \"%s\", \"host-port\": %u, "
			       "\"guest-address\": \"%s\", \"guest-port\": %u}",
			       proto, host, host_port, guest, guest_port);
}

static char *tcp4_fwd(uint16_t host_port, uint16_t guest_port)
{
	return fwd_json("tcp", "127.0.0.1", host_port, SLIRP_TEST_GUEST4, guest_port);
}

static bool set_forwards(struct slirp_test *t, const char *list, GError **error)
{
	g_autofree char *text = g_strdup_printf("{\"forwards\": [%s]}", list);
	g_autoptr(JsonNode) n = json_from_string(text, NULL);

	g_assert_nonnull(n);
	return pk_graph_set_config(t->g, "slirp", json_node_get_object(n), error);
}

/* The rows of the "forwards" status table. */
static GVariant *fwd_rows(struct slirp_test *t)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = pk_graph_device_status(t->g, "slirp", &error);
	GVariant *rows;

	g_assert_no_error(error);
	rows = g_variant_lookup_value(st, "forwards", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(rows);
	return rows;
}

/* The status row of the forward on host port @port, or NULL. */
static GVariant *fwd_row(struct slirp_test *t, uint16_t port)
{
	g_autoptr(GVariant) rows = fwd_rows(t);

	for (gsize i = 0; i < g_variant_n_children(rows); i++) {
		GVariant *row = g_variant_get_child_value(rows, i);
		uint64_t p;

		g_assert_true(g_variant_lookup(row, "host-port", "t", &p));
		if (p == port)
			return row;
		g_variant_unref(row);
	}
	return NULL;
}

static uint64_t row_uint(GVariant *row, const char *key)
{
	uint64_t v;

	g_assert_true(g_variant_lookup(row, key, "t", &v));
	return v;
}

static void assert_row_str(GVariant *row, const char *key, const char *want)
{
	const char *v;

	g_assert_true(g_variant_lookup(row, key, "&s", &v));
	g_assert_cmpstr(v, ==, want);
}

/* Iterate until the counter @name reaches @n (or 3 s pass). */
static void wait_counter(struct slirp_test *t, const char *name, uint64_t n)
{
	gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

	while (slirp_test_counter(t, name) < n && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	g_assert_cmpuint(slirp_test_counter(t, name), >=, n);
}

/* Forwards given at creation are bound at start: a host connection is
 * accepted, counted and handed to the TCP area (which either made it a flow,
 * counted in the forward's "connections", or refused it). The status shows
 * the forward. Stop closes the listener; start binds it again. */
static void test_start_binds(void)
{
	uint16_t port = free_port(SOCK_STREAM, false);
	g_autofree char *fwd = tcp4_fwd(port, 8080);
	g_autofree char *params = g_strdup_printf("{\"forwards\": [%s]}", fwd);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) row = NULL;
	struct slirp_test t;

	slirp_test_setup(&t, params);
	g_assert_true(tcp_listening(false, port));
	wait_counter(&t, "forward-accepted", 1);
	slirp_test_run(&t, 50);
	g_assert_cmpuint(slirp_test_counter(&t, "forward-accepted"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "forward-accept-errors"), ==, 0);

	row = fwd_row(&t, port);
	g_assert_nonnull(row);
	assert_row_str(row, "proto", "tcp");
	assert_row_str(row, "host", "127.0.0.1");
	assert_row_str(row, "guest", SLIRP_TEST_GUEST4);
	g_assert_cmpuint(row_uint(row, "guest-port"), ==, 8080);
	g_assert_cmpuint(slirp_test_counter(&t, "forward-refused") + row_uint(row, "connections"),
			 ==, 1);

	pk_graph_stop(t.g);
	g_assert_false(tcp_listening(false, port));
	g_assert_true(pk_graph_start(t.g, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, port));
	slirp_test_teardown(&t);
	g_assert_false(tcp_listening(false, port));
}

/* Forwards set while stopped are only stored; start binds them, all or
 * nothing: with one port taken, start fails naming it and leaves the other
 * unbound. */
static void test_stopped(void)
{
	uint16_t p1 = free_port(SOCK_STREAM, false), p2 = free_port(SOCK_STREAM, false);
	g_autofree char *f1 = tcp4_fwd(p1, 80);
	g_autofree char *f2 = tcp4_fwd(p2, 81);
	g_autofree char *both = g_strdup_printf("%s, %s", f1, f2);
	g_autofree char *want = NULL;
	g_autoptr(GVariant) rows = NULL;
	GError *error = NULL;
	struct slirp_test t;
	int taken;

	slirp_test_setup(&t, NULL);
	pk_graph_stop(t.g);
	g_assert_true(set_forwards(&t, both, &error));
	g_assert_no_error(error);
	g_assert_false(tcp_listening(false, p1));
	g_assert_false(tcp_listening(false, p2));
	rows = fwd_rows(&t);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 2);

	taken = bind_loop(SOCK_STREAM, false, p2);
	g_assert_cmpint(taken, >=, 0);
	g_assert_cmpint(listen(taken, 1), ==, 0);
	g_assert_false(pk_graph_start(t.g, &error));
	g_assert_nonnull(error);
	want = g_strdup_printf("forwards[1]: 127.0.0.1:%u/tcp: %s", p2, g_strerror(EADDRINUSE));
	g_assert_nonnull(strstr(error->message, want));
	g_clear_error(&error);
	g_assert_false(tcp_listening(false, p1));

	close(taken);
	g_assert_true(pk_graph_start(t.g, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, p1));
	g_assert_true(tcp_listening(false, p2));
	slirp_test_teardown(&t);
}

/* The forwards change while the device runs: one is added, one removed,
 * one stays (and keeps its socket and count). */
static void test_live(void)
{
	uint16_t p1 = free_port(SOCK_STREAM, false), p2 = free_port(SOCK_STREAM, false);
	uint16_t p3 = free_port(SOCK_STREAM, false);
	g_autofree char *f1 = tcp4_fwd(p1, 80);
	g_autofree char *f2 = tcp4_fwd(p2, 81);
	g_autofree char *f3 = tcp4_fwd(p3, 82);
	g_autofree char *f1b = tcp4_fwd(p1, 8000);
	g_autofree char *params = g_strdup_printf("{\"forwards\": [%s, %s]}", f1, f2);
	g_autofree char *next = g_strdup_printf("%s, %s", f3, f1);
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) row = NULL;
	GError *error = NULL;
	struct slirp_test t;

	slirp_test_setup(&t, params);
	g_assert_true(tcp_listening(false, p1));
	g_assert_true(tcp_listening(false, p2));
	g_assert_false(tcp_listening(false, p3));
	wait_counter(&t, "forward-accepted", 2);

	g_assert_true(set_forwards(&t, next, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, p1));
	g_assert_false(tcp_listening(false, p2));
	g_assert_true(tcp_listening(false, p3));
	wait_counter(&t, "forward-accepted", 4);
	rows = fwd_rows(&t);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 2);
	row = fwd_row(&t, p2);
	g_assert_null(row);
	row = fwd_row(&t, p1);
	g_assert_nonnull(row);
	g_assert_cmpuint(row_uint(row, "guest-port"), ==, 80);
	g_clear_pointer(&row, g_variant_unref);

	/* Same host socket, another guest port: the listener stays. */
	g_assert_true(set_forwards(&t, f1b, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, p1));
	g_assert_false(tcp_listening(false, p3));
	row = fwd_row(&t, p1);
	g_assert_nonnull(row);
	g_assert_cmpuint(row_uint(row, "guest-port"), ==, 8000);
	g_clear_pointer(&row, g_variant_unref);

	/* None at all. */
	g_assert_true(set_forwards(&t, "", &error));
	g_assert_no_error(error);
	g_assert_false(tcp_listening(false, p1));
	g_clear_pointer(&rows, g_variant_unref);
	rows = fwd_rows(&t);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 0);
	slirp_test_teardown(&t);
}

/* A new forward whose port is taken: the change is refused with the reason,
 * and the forwards that were there still listen. */
static void test_port_taken(void)
{
	uint16_t p1 = free_port(SOCK_STREAM, false), p3 = free_port(SOCK_STREAM, false);
	int taken = bind_loop(SOCK_STREAM, false, 0);
	uint16_t p2 = bound_port(taken);
	g_autofree char *f1 = tcp4_fwd(p1, 80);
	g_autofree char *f2 = tcp4_fwd(p2, 81);
	g_autofree char *f3 = tcp4_fwd(p3, 82);
	g_autofree char *params = g_strdup_printf("{\"forwards\": [%s]}", f1);
	g_autofree char *next = g_strdup_printf("%s, %s, %s", f3, f2, f1);
	g_autofree char *want = NULL;
	g_autoptr(GVariant) rows = NULL;
	GError *error = NULL;
	struct slirp_test t;

	g_assert_cmpint(listen(taken, 1), ==, 0);
	slirp_test_setup(&t, params);
	g_assert_false(set_forwards(&t, next, &error));
	g_assert_nonnull(error);
	want = g_strdup_printf("forwards[1]: 127.0.0.1:%u/tcp: Address already in use", p2);
	g_assert_nonnull(strstr(error->message, want));
	g_clear_error(&error);
	g_assert_true(tcp_listening(false, p1));
	g_assert_false(tcp_listening(false, p3)); /* bound by the failed change, closed again */
	rows = fwd_rows(&t);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1);
	close(taken);

	/* Still in a state that takes the next change. */
	g_assert_true(set_forwards(&t, next, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, p1));
	g_assert_true(tcp_listening(false, p2));
	g_assert_true(tcp_listening(false, p3));
	slirp_test_teardown(&t);
}

/* A client on the host's loopback with neither host-loopback4 nor dns4 set:
 * the guest could not answer it, so the connection is accepted and closed,
 * counted as refused, and a warning says once what to set. */
static void test_no_source(void)
{
	uint16_t port = free_port(SOCK_STREAM, false);
	g_autofree char *fwd = tcp4_fwd(port, 80);
	g_autofree char *params = g_strdup_printf(
		"{\"host-loopback4\": \"0.0.0.0\", \"dns4\": \"0.0.0.0\", \"forwards\": [%s]}",
		fwd);
	g_autoptr(GVariant) row = NULL;
	struct slirp_test t;

	slirp_test_setup(&t, params);
	g_assert_true(tcp_listening(false, port));
	g_assert_true(tcp_listening(false, port));
	wait_counter(&t, "forward-accepted", 2);
	g_assert_cmpuint(slirp_test_counter(&t, "forward-refused"), ==, 2);
	row = fwd_row(&t, port);
	g_assert_nonnull(row);
	g_assert_cmpuint(row_uint(row, "connections"), ==, 0);
	g_assert_cmpuint(warned("forwards[0]"), ==, 1);
	slirp_test_teardown(&t);
}

/* A forward moves to a host address that overlaps the old one's (here
 * 127.0.0.1 to the same port on ::ffff:127.0.0.1): the new one can only be
 * bound once the old one is closed, and is. */
static void test_move(void)
{
	uint16_t port = free_port(SOCK_STREAM, false);
	g_autofree char *f1 = tcp4_fwd(port, 80);
	g_autofree char *f2 = fwd_json("tcp", "::ffff:127.0.0.1", port, SLIRP_TEST_GUEST4, 80);
	g_autofree char *params = g_strdup_printf("{\"forwards\": [%s]}", f1);
	g_autoptr(GVariant) row = NULL;
	GError *error = NULL;
	struct slirp_test t;

	slirp_test_setup(&t, params);
	g_assert_true(set_forwards(&t, f2, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, port));
	wait_counter(&t, "forward-accepted", 1);
	row = fwd_row(&t, port);
	g_assert_nonnull(row);
	assert_row_str(row, "host", "::ffff:127.0.0.1");
	g_clear_pointer(&row, g_variant_unref);

	g_assert_true(set_forwards(&t, f1, &error));
	g_assert_no_error(error);
	g_assert_true(tcp_listening(false, port));
	row = fwd_row(&t, port);
	g_assert_nonnull(row);
	assert_row_str(row, "host", "127.0.0.1");
	slirp_test_teardown(&t);
}

/* Bad addresses and duplicates are refused, naming the forward and the value,
 * at creation and while running (then the old forwards stay). */
static void test_bad_config(void)
{
	static const struct {
		const char *list;
		const char *want;
	} bad[] = {
		{ "{\"host-address\": \"127.0.0.256\", \"host-port\": 1, \"guest-address\": "
		  "\"10.0.2.15\", \"guest-port\": 1}",
		  "forwards[0]: host-address \"127.0.0.256\"" },
		{ "{\"host-port\": 1, \"guest-address\": \"10.0.2.15\", \"guest-port\": 1}, "
		  "{\"host-port\": 2, \"guest-address\": \"guest\", \"guest-port\": 1}",
		  "forwards[1]: guest-address \"guest\"" },
		{ "{\"host-port\": 1, \"guest-address\": \"0.0.0.0\", \"guest-port\": 1}",
		  "forwards[0]: guest-address \"0.0.0.0\"" },
		{ "{\"host-port\": 1, \"guest-address\": \"::1\", \"guest-port\": 1}",
		  "forwards[0]: guest-address \"::1\"" },
		{ "{\"host-port\": 7, \"guest-address\": \"10.0.2.15\", \"guest-port\": 1}, "
		  "{\"proto\": \"udp\", \"host-port\": 7, \"guest-address\": \"10.0.2.15\", "
		  "\"guest-port\": 1}, "
		  "{\"host-port\": 7, \"guest-address\": \"10.0.2.16\", \"guest-port\": 2}",
		  "forwards[2]: 127.0.0.1:7/tcp: also forwards[0]" },
	};
	uint16_t port = free_port(SOCK_STREAM, false);
	g_autofree char *f1 = tcp4_fwd(port, 80);
	g_autofree char *params = g_strdup_printf("{\"forwards\": [%s]}", f1);
	struct slirp_test t;

	slirp_test_setup(&t, params);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strdup_printf("{\"forwards\": [%s]}", bad[i].list);
		g_autoptr(JsonNode) n = json_from_string(text, NULL);
		g_autofree char *id = g_strdup_printf("bad%zu", i);

		g_assert_nonnull(n);
		g_assert_null(
			pk_graph_add_device(t.g, id, "l3.slirp", json_node_get_object(n), &error));
		g_assert_nonnull(error);
		if (!strstr(error->message, bad[i].want))
			g_error("%s: \"%s\" lacks \"%s\"", text, error->message, bad[i].want);
		g_clear_error(&error);

		g_assert_false(set_forwards(&t, bad[i].list, &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, bad[i].want));
		g_assert_true(tcp_listening(false, port));
	}
	slirp_test_teardown(&t);
}

/* A UDP forward holds its port (a second socket cannot bind it) while the
 * device runs; a datagram sent to it is read and handed to the UDP area. */
static void test_udp(void)
{
	uint16_t port = free_port(SOCK_DGRAM, false);
	g_autofree char *fwd = fwd_json("udp", "127.0.0.1", port, SLIRP_TEST_GUEST4, 5353);
	g_autofree char *params = g_strdup_printf("{\"forwards\": [%s]}", fwd);
	g_autoptr(GVariant) row = NULL;
	struct sockaddr_storage sa;
	socklen_t len = loop_addr(false, port, &sa);
	struct slirp_test t;
	int fd;

	slirp_test_setup(&t, params);
	g_assert_false(udp_port_free(false, port));
	row = fwd_row(&t, port);
	g_assert_nonnull(row);
	assert_row_str(row, "proto", "udp");
	assert_row_str(row, "guest", SLIRP_TEST_GUEST4);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(sendto(fd, "ping", 4, 0, (struct sockaddr *)&sa, len), ==, 4);
	close(fd);
	slirp_test_run(&t, 50);
	g_assert_cmpuint(slirp_test_counter(&t, "forward-accept-errors"), ==, 0);
	g_assert_cmpuint(slirp_test_counter(&t, "forward-refused"), ==, 0);

	pk_graph_stop(t.g);
	g_assert_true(udp_port_free(false, port));
	slirp_test_teardown(&t);
}

/* IPv6: a forward on ::1 to an IPv6 guest, and one on ::1 to an IPv4 guest
 * (the guest sees host-loopback4 as the source). */
static void test_ipv6(void)
{
	int probe = bind_loop(SOCK_STREAM, true, 0);
	uint16_t p1, p2;
	g_autofree char *f1 = NULL, *f2 = NULL, *params = NULL;
	g_autoptr(GVariant) row = NULL;
	struct slirp_test t;

	if (probe < 0) {
		g_test_skip("no IPv6 loopback");
		return;
	}
	close(probe);
	p1 = free_port(SOCK_STREAM, true);
	p2 = free_port(SOCK_STREAM, true);
	f1 = fwd_json("tcp", "::1", p1, SLIRP_TEST_GUEST6, 80);
	f2 = fwd_json("tcp", "0:0::1", p2, SLIRP_TEST_GUEST4, 80);
	params = g_strdup_printf("{\"forwards\": [%s, %s]}", f1, f2);
	slirp_test_setup(&t, params);
	g_assert_true(tcp_listening(true, p1));
	g_assert_true(tcp_listening(true, p2));
	wait_counter(&t, "forward-accepted", 2);
	row = fwd_row(&t, p2);
	g_assert_nonnull(row);
	assert_row_str(row, "host", "::1");
	g_assert_cmpuint(slirp_test_counter(&t, "forward-accept-errors"), ==, 0);

	/* The new forward wants the port of one it removes ([::1]:p1), which
	 * is closed for it, but the port is taken for IPv4 by someone else:
	 * the old forward is bound again. */
	{
		g_autofree char *f3 = fwd_json("tcp", "::ffff:127.0.0.1", p1, SLIRP_TEST_GUEST4,
					       80);
		int taken = bind_loop(SOCK_STREAM, false, p1);
		GError *error = NULL;

		g_assert_cmpint(taken, >=, 0);
		g_assert_false(set_forwards(&t, f3, &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, "Address already in use"));
		g_clear_error(&error);
		g_assert_true(tcp_listening(true, p1));
		g_assert_true(tcp_listening(true, p2));
		close(taken);
	}
	slirp_test_teardown(&t);
	g_assert_false(tcp_listening(true, p1));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	warnings = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(capture_writer, NULL, NULL);
	g_test_add_func("/slirp/forward/start-binds", test_start_binds);
	g_test_add_func("/slirp/forward/stopped", test_stopped);
	g_test_add_func("/slirp/forward/live", test_live);
	g_test_add_func("/slirp/forward/port-taken", test_port_taken);
	g_test_add_func("/slirp/forward/no-source", test_no_source);
	g_test_add_func("/slirp/forward/move", test_move);
	g_test_add_func("/slirp/forward/bad-config", test_bad_config);
	g_test_add_func("/slirp/forward/udp", test_udp);
	g_test_add_func("/slirp/forward/ipv6", test_ipv6);
	return g_test_run();
}
