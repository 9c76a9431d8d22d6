/* SPDX-License-Identifier: MIT
 * test-slirp-udp.c - l3.slirp's UDP flows and ICMP echo, against sockets on the host's loopback
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "slirp-test.h"

static bool addr_is(const uint8_t *a, const char *text)
{
	uint8_t want[16];
	bool v6;

	slirp_test_addr(text, want, &v6);
	return memcmp(a, want, v6 ? 16 : 4) == 0;
}

/* A UDP socket on the host's loopback (127.0.0.1 or ::1), non-blocking;
 * its port in *@port. */
static int server_open(bool ipv6, uint16_t *port)
{
	struct sockaddr_storage sa = { 0 };
	socklen_t len = ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	if (ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&sa;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, len), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sa, &len), ==, 0);
	*port = ntohs(ipv6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
			   : ((struct sockaddr_in *)&sa)->sin_port);
	return fd;
}

/* A loopback port nobody listens on (bound, then closed again). */
static uint16_t closed_port(bool ipv6)
{
	uint16_t port;
	int fd = server_open(ipv6, &port);

	close(fd);
	return port;
}

/* Iterate the graph until @fd has a datagram; its length (-1: none). */
static ssize_t server_recv(struct slirp_test *t, int fd, void *buf, size_t size,
			   struct sockaddr_storage *from, socklen_t *from_len)
{
	gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

	(void)t;
	for (;;) {
		ssize_t n;

		*from_len = sizeof(*from);
		n = recvfrom(fd, buf, size, 0, (struct sockaddr *)from, from_len);
		if (n >= 0 || g_get_monotonic_time() > end)
			return n;
		g_assert_cmpint(errno, ==, EAGAIN);
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	}
}

/* The one row of the status table "flow-table" says this. */
static void check_flow_row(struct slirp_test *t, const char *proto, const char *guest,
			   uint16_t guest_port, uint16_t remote_port, const char *state,
			   uint64_t guest_bytes, uint64_t host_bytes)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = pk_graph_device_status(t->g, "slirp", &error);
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) row = NULL;
	g_autofree char *text = NULL;
	const char *str;
	guint64 u64;

	g_assert_no_error(error);
	rows = g_variant_lookup_value(st, "flow-table", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(rows);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1);
	row = g_variant_get_child_value(rows, 0);
	text = g_variant_print(row, FALSE);
	g_test_message("flow: %s", text);
	g_assert_true(g_variant_lookup(row, "proto", "&s", &str));
	g_assert_cmpstr(str, ==, proto);
	g_assert_true(g_variant_lookup(row, "state", "&s", &str));
	g_assert_cmpstr(str, ==, state);
	g_assert_nonnull(strstr(text, guest));
	g_assert_true(g_variant_lookup(row, "guest-port", "t", &u64));
	g_assert_cmpuint(u64, ==, guest_port);
	g_assert_true(g_variant_lookup(row, "remote-port", "t", &u64));
	g_assert_cmpuint(u64, ==, remote_port);
	g_assert_true(g_variant_lookup(row, "guest-bytes", "t", &u64));
	g_assert_cmpuint(u64, ==, guest_bytes);
	g_assert_true(g_variant_lookup(row, "host-bytes", "t", &u64));
	g_assert_cmpuint(u64, ==, host_bytes);
}

/* The guest's datagram reaches a host socket through host-loopback; the
 * answer comes back from host-loopback with the ports swapped. */
static void udp_echo(bool ipv6)
{
	const char *guest = ipv6 ? SLIRP_TEST_GUEST6 : SLIRP_TEST_GUEST4;
	const char *host = ipv6 ? SLIRP_TEST_HOST6 : SLIRP_TEST_HOST4;
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct sockaddr_storage from;
	socklen_t from_len;
	char buf[64];
	uint16_t port;
	struct pk_buf *b;
	int fd;

	slirp_test_setup(&t, NULL);
	fd = server_open(ipv6, &port);
	for (int i = 0; i < 2; i++) {
		slirp_test_send_udp(&t, guest, 5000, host, port, "hello", 5);
		g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 5);
		g_assert_cmpmem(buf, 5, "hello", 5);
		g_assert_cmpint(sendto(fd, "world!", 6, 0, (struct sockaddr *)&from, from_len), ==,
				6);
		b = slirp_test_wait(&t, 3000);
		g_assert_nonnull(b);
		slirp_test_parse(b, &r);
		g_assert_cmpuint(r.proto, ==, PK_IPPROTO_UDP);
		g_assert_true(addr_is(r.src, host));
		g_assert_true(addr_is(r.dst, guest));
		g_assert_cmpuint(pk_get_be16(r.l4), ==, port);
		g_assert_cmpuint(pk_get_be16(r.l4 + 2), ==, 5000);
		g_assert_cmpuint(pk_get_be16(r.l4 + 4), ==, PK_UDP_HLEN + 6);
		g_assert_cmpmem(r.l4 + PK_UDP_HLEN, r.l4_len - PK_UDP_HLEN, "world!", 6);
		pk_buf_unref(b);
	}
	/* One flow for both datagrams. */
	g_assert_cmpuint(slirp_test_counter(&t, "udp-flows"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-datagrams-in"), ==, 2);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-datagrams-out"), ==, 2);
	g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 1);
	check_flow_row(&t, "udp", guest, 5000, port, "open", 10, 12);
	close(fd);
	slirp_test_teardown(&t);
}

static void test_udp_echo4(void)
{
	udp_echo(false);
}

static void test_udp_echo6(void)
{
	udp_echo(true);
}

/* A burst larger than one wakeup's batch arrives whole, in order; a
 * datagram larger than 'mtu' allows is dropped and counted. */
static void test_burst_and_too_big(void)
{
	static const char big[600] = { 'B' };
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct sockaddr_storage from;
	socklen_t from_len;
	char buf[16];
	uint16_t port;
	struct pk_buf *b;
	int fd;

	slirp_test_setup(&t, "{\"mtu\": 576}");
	fd = server_open(false, &port);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5006, SLIRP_TEST_HOST4, port, "go", 2);
	g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 2);
	g_assert_cmpint(sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&from, from_len), ==,
			sizeof(big));
	for (uint32_t i = 0; i < 100; i++)
		g_assert_cmpint(sendto(fd, &i, sizeof(i), 0, (struct sockaddr *)&from, from_len),
				==, sizeof(i));
	for (uint32_t i = 0; i < 100; i++) {
		uint32_t got;

		b = slirp_test_wait(&t, 3000);
		g_assert_nonnull(b);
		slirp_test_parse(b, &r);
		g_assert_cmpuint(r.l4_len, ==, PK_UDP_HLEN + sizeof(got));
		memcpy(&got, r.l4 + PK_UDP_HLEN, sizeof(got));
		g_assert_cmpuint(got, ==, i);
		pk_buf_unref(b);
	}
	g_assert_cmpuint(slirp_test_counter(&t, "udp-dropped-too-big"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-datagrams-out"), ==, 100);
	close(fd);
	slirp_test_teardown(&t);
}

/* Nobody listens: the host's port unreachable (IP_RECVERR) reaches the
 * guest as ICMP from the address it sent to, quoting its datagram. */
static void port_unreachable(bool ipv6)
{
	const char *guest = ipv6 ? SLIRP_TEST_GUEST6 : SLIRP_TEST_GUEST4;
	const char *host = ipv6 ? SLIRP_TEST_HOST6 : SLIRP_TEST_HOST4;
	uint32_t iph = ipv6 ? PK_IP6_HLEN : PK_IP4_HLEN;
	uint16_t port = closed_port(ipv6);
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;

	slirp_test_setup(&t, NULL);
	/* Every datagram gets its error: the host's pending error from the
	 * first does not swallow the second. */
	for (int i = 0; i < 3; i++) {
		slirp_test_send_udp(&t, guest, 5001, host, port, "anyone?", 7);
		b = slirp_test_wait(&t, 3000);
		g_assert_nonnull(b);
		slirp_test_parse(b, &r);
		g_assert_cmpuint(r.proto, ==, ipv6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP);
		g_assert_true(addr_is(r.src, host));
		g_assert_true(addr_is(r.dst, guest));
		g_assert_cmpuint(r.l4[0], ==, ipv6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH);
		g_assert_cmpuint(r.l4[1], ==, ipv6 ? 4 : 3);
		/* The quote: the guest's IP header and UDP ports. */
		g_assert_cmpuint(r.l4_len, >=, PK_ICMP_HLEN + iph + PK_UDP_HLEN);
		g_assert_true(addr_is(r.l4 + PK_ICMP_HLEN + (ipv6 ? 8 : 12), guest));
		g_assert_cmpuint(pk_get_be16(r.l4 + PK_ICMP_HLEN + iph), ==, 5001);
		g_assert_cmpuint(pk_get_be16(r.l4 + PK_ICMP_HLEN + iph + 2), ==, port);
		pk_buf_unref(b);
	}
	/* Back to back: the second send() meets the error of the first. */
	slirp_test_send_udp(&t, guest, 5001, host, port, "one", 3);
	slirp_test_send_udp(&t, guest, 5001, host, port, "two", 3);
	for (int i = 0; i < 2; i++) {
		b = slirp_test_wait(&t, 3000);
		g_assert_nonnull(b);
		slirp_test_parse(b, &r);
		g_assert_cmpuint(r.l4[1], ==, ipv6 ? 4 : 3);
		pk_buf_unref(b);
	}
	g_assert_null(slirp_test_wait(&t, 100));
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-errors-from-host"), ==, 5);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-datagrams-in"), ==, 5);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-flows"), ==, 1);
	slirp_test_teardown(&t);
}

static void test_port_unreachable4(void)
{
	port_unreachable(false);
}

static void test_port_unreachable6(void)
{
	port_unreachable(true);
}

/* An idle flow closes after udp-timeout; the next datagram opens a new one. */
static void test_idle_timeout(void)
{
	struct slirp_test t;
	struct sockaddr_storage from;
	socklen_t from_len;
	char buf[16];
	uint16_t port;
	int fd;

	slirp_test_setup(&t, "{\"udp-timeout\": \"1s\"}");
	fd = server_open(false, &port);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5002, SLIRP_TEST_HOST4, port, "a", 1);
	g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 1);
	g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 1);
	slirp_test_run(&t, 400);
	g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-timeouts"), ==, 0);
	slirp_test_run(&t, 1600);
	g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 0);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-timeouts"), ==, 1);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5002, SLIRP_TEST_HOST4, port, "b", 1);
	g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-flows"), ==, 2);
	close(fd);
	slirp_test_teardown(&t);
}

/* A new flow over max-flows gets port unreachable and is counted. */
static void test_max_flows(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct sockaddr_storage from;
	socklen_t from_len;
	char buf[16];
	uint16_t port;
	struct pk_buf *b;
	int fd;

	slirp_test_setup(&t, "{\"max-flows\": 1}");
	fd = server_open(false, &port);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5003, SLIRP_TEST_HOST4, port, "a", 1);
	g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 1);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5004, SLIRP_TEST_HOST4, port, "b", 1);
	b = slirp_test_wait(&t, 1000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.proto, ==, PK_IPPROTO_ICMP);
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(r.l4[1], ==, 3);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "flow-limit"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-flows"), ==, 1);
	/* The open flow still carries. */
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5003, SLIRP_TEST_HOST4, port, "c", 1);
	g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 1);
	g_assert_cmpint(buf[0], ==, 'c');
	close(fd);
	slirp_test_teardown(&t);
}

/* A denied destination: administratively prohibited, no socket opened. */
static void test_denied(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;

	slirp_test_setup(&t, "{\"deny\": [{\"prefix\": \"10.0.2.2/32\", \"proto\": \"udp\"}, "
			     "{\"prefix\": \"fd00:2::/64\", \"ports\": \"7-9\"}]}");
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5005, SLIRP_TEST_HOST4, 7, "x", 1);
	b = slirp_test_wait(&t, 1000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(r.l4[1], ==, 13);
	pk_buf_unref(b);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST6, 5005, SLIRP_TEST_HOST6, 8, "x", 1);
	b = slirp_test_wait(&t, 1000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP6_DEST_UNREACH);
	g_assert_cmpuint(r.l4[1], ==, 1);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "denied"), ==, 2);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-flows"), ==, 0);
	slirp_test_teardown(&t);
}

/* A wrong checksum is dropped; none at all is fine for IPv4 only. */
static void test_checksum(void)
{
	uint8_t u[PK_UDP_HLEN + 1] = { 0x13, 0x8e, 0, 0, 0, PK_UDP_HLEN + 1, 0, 0, 'z' };
	struct slirp_test t;
	struct sockaddr_storage from;
	socklen_t from_len;
	char buf[16];
	uint16_t port;
	int fd;

	slirp_test_setup(&t, NULL);
	fd = server_open(false, &port);
	pk_put_be16(u + 2, port);
	slirp_test_send(&t, SLIRP_TEST_GUEST4, SLIRP_TEST_HOST4, PK_IPPROTO_UDP, u, sizeof(u));
	g_assert_cmpint(server_recv(&t, fd, buf, sizeof(buf), &from, &from_len), ==, 1);
	g_assert_cmpint(buf[0], ==, 'z');
	slirp_test_send(&t, SLIRP_TEST_GUEST6, SLIRP_TEST_HOST6, PK_IPPROTO_UDP, u, sizeof(u));
	pk_put_be16(u + 6, 0x1234);
	slirp_test_send(&t, SLIRP_TEST_GUEST4, SLIRP_TEST_HOST4, PK_IPPROTO_UDP, u, sizeof(u));
	slirp_test_run(&t, 100);
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-checksum"), ==, 2);
	g_assert_cmpuint(slirp_test_counter(&t, "udp-datagrams-in"), ==, 1);
	close(fd);
	slirp_test_teardown(&t);
}

/* Whether this process may open an ICMP socket of @ipv6's family at all. */
static bool can_ping(bool ipv6)
{
	int af = ipv6 ? AF_INET6 : AF_INET, proto = ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = socket(af, SOCK_DGRAM, proto);

	if (fd < 0)
		fd = socket(af, SOCK_RAW, proto);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void send_echo(struct slirp_test *t, bool ipv6, uint16_t id, uint16_t seq)
{
	const char *guest = ipv6 ? SLIRP_TEST_GUEST6 : SLIRP_TEST_GUEST4;
	const char *host = ipv6 ? SLIRP_TEST_HOST6 : SLIRP_TEST_HOST4;
	uint8_t m[PK_ICMP_HLEN + 12] = { ipv6 ? PK_ICMP6_ECHO_REQUEST : PK_ICMP_ECHO_REQUEST };
	uint8_t s[16], d[16];
	bool v6;

	pk_put_be16(m + 4, id);
	pk_put_be16(m + 6, seq);
	memcpy(m + PK_ICMP_HLEN, "ping-payload", 12);
	slirp_test_addr(guest, s, &v6);
	slirp_test_addr(host, d, &v6);
	pk_put_be16(m + 2,
		    pk_csum_fold(pk_csum_partial(
			    m, sizeof(m),
			    ipv6 ? pk_csum_pseudo6(s, d, PK_IPPROTO_ICMPV6, sizeof(m)) : 0)));
	slirp_test_send(t, guest, host, ipv6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP, m, sizeof(m));
}

/* Ping host-loopback: the reply comes from it with the guest's identifier,
 * sequence number and data (or, where this process may open no ICMP
 * socket, the request is counted as dropped). */
static void ping(bool ipv6)
{
	const char *guest = ipv6 ? SLIRP_TEST_GUEST6 : SLIRP_TEST_GUEST4;
	const char *host = ipv6 ? SLIRP_TEST_HOST6 : SLIRP_TEST_HOST4;
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;

	slirp_test_setup(&t, NULL);
	if (!can_ping(ipv6)) {
		g_test_message("no ICMP socket here: the echo is dropped");
		/* The slirp warns once why (a warning is fatal in a test). */
		g_log_set_always_fatal(G_LOG_FATAL_MASK);
		send_echo(&t, ipv6, 0x4242, 1);
		send_echo(&t, ipv6, 0x4242, 2);
		g_assert_null(slirp_test_wait(&t, 200));
		g_assert_cmpuint(slirp_test_counter(&t, "icmp-echo-dropped"), ==, 2);
		g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 0);
		slirp_test_teardown(&t);
		return;
	}
	for (uint16_t seq = 1; seq <= 3; seq++) {
		send_echo(&t, ipv6, 0x4242, seq);
		b = slirp_test_wait(&t, 3000);
		g_assert_nonnull(b);
		slirp_test_parse(b, &r);
		g_assert_cmpuint(r.proto, ==, ipv6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP);
		g_assert_true(addr_is(r.src, host));
		g_assert_true(addr_is(r.dst, guest));
		g_assert_cmpuint(r.l4[0], ==, ipv6 ? PK_ICMP6_ECHO_REPLY : PK_ICMP_ECHO_REPLY);
		g_assert_cmpuint(pk_get_be16(r.l4 + 4), ==, 0x4242);
		g_assert_cmpuint(pk_get_be16(r.l4 + 6), ==, seq);
		g_assert_cmpmem(r.l4 + PK_ICMP_HLEN, r.l4_len - PK_ICMP_HLEN, "ping-payload", 12);
		pk_buf_unref(b);
	}
	g_assert_null(slirp_test_wait(&t, 100));
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-echo-flows"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-echo-requests"), ==, 3);
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-echo-replies"), ==, 3);
	slirp_test_teardown(&t);
}

static void test_ping4(void)
{
	ping(false);
}

static void test_ping6(void)
{
	ping(true);
}

/* An echo to a denied destination: administratively prohibited. */
static void test_ping_denied(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;

	slirp_test_setup(&t, "{\"deny\": [{\"prefix\": \"0.0.0.0/0\", \"proto\": \"icmp\"}]}");
	send_echo(&t, false, 7, 1);
	b = slirp_test_wait(&t, 1000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(r.l4[1], ==, 13);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "denied"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-echo-flows"), ==, 0);
	slirp_test_teardown(&t);
}

/* icmp-echo off: requests are counted and dropped; other ICMP messages
 * from the guests are never forwarded. */
static void test_icmp_dropped(void)
{
	uint8_t m[PK_ICMP_HLEN] = { PK_ICMP_ECHO_REPLY };
	struct slirp_test t;

	slirp_test_setup(&t, "{\"icmp-echo\": false}");
	send_echo(&t, false, 1, 1);
	pk_put_be16(m + 2, pk_csum(m, sizeof(m)));
	slirp_test_send(&t, SLIRP_TEST_GUEST4, SLIRP_TEST_HOST4, PK_IPPROTO_ICMP, m, sizeof(m));
	g_assert_null(slirp_test_wait(&t, 200));
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-echo-dropped"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "icmp-dropped"), ==, 1);
	g_assert_cmpuint(slirp_test_status_flows(t.g), ==, 0);
	slirp_test_teardown(&t);
}

/* Broadcast is never a flow (the core drops it before UDP sees it). */
static void test_broadcast(void)
{
	struct slirp_test t;

	slirp_test_setup(&t, NULL);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 68, "255.255.255.255", 67, "x", 1);
	g_assert_null(slirp_test_wait(&t, 100));
	g_assert_cmpuint(slirp_test_counter(&t, "udp-flows"), ==, 0);
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-not-unicast"), ==, 1);
	slirp_test_teardown(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slirp-udp/echo4", test_udp_echo4);
	g_test_add_func("/slirp-udp/echo6", test_udp_echo6);
	g_test_add_func("/slirp-udp/burst-and-too-big", test_burst_and_too_big);
	g_test_add_func("/slirp-udp/port-unreachable4", test_port_unreachable4);
	g_test_add_func("/slirp-udp/port-unreachable6", test_port_unreachable6);
	g_test_add_func("/slirp-udp/idle-timeout", test_idle_timeout);
	g_test_add_func("/slirp-udp/max-flows", test_max_flows);
	g_test_add_func("/slirp-udp/denied", test_denied);
	g_test_add_func("/slirp-udp/checksum", test_checksum);
	g_test_add_func("/slirp-udp/ping4", test_ping4);
	g_test_add_func("/slirp-udp/ping6", test_ping6);
	g_test_add_func("/slirp-udp/ping-denied", test_ping_denied);
	g_test_add_func("/slirp-udp/icmp-dropped", test_icmp_dropped);
	g_test_add_func("/slirp-udp/broadcast", test_broadcast);
	return g_test_run();
}
