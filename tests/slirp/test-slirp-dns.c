/* SPDX-License-Identifier: MIT
 * test-slirp-dns.c - l3.slirp's DNS forwarder against tiny resolvers on loopback, and its parsers
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include <pktkit/toolkit/dns.h>

#include "slirp-dns.h"
#include "slirp-test.h"

/* A resolver on loopback --------------------------------------------------- */

enum resolver_mode {
	RES_ANSWER,    /* one A record, 192.0.2.1 */
	RES_SILENT,    /* never answers */
	RES_SPOOF,     /* a wrong question and a wrong port first, then the answer */
	RES_TRUNCATED, /* TC set, no records */
	RES_BIG,       /* 50 A records */
};

struct resolver {
	int fd;
	guint source;
	bool ipv6;
	enum resolver_mode mode;
	unsigned int queries;
	uint16_t ids[300];
};

/* The answer to @q (header and one question, no records): QR, RA, one A
 * record per @n (the name as a pointer to the question's). */
static uint32_t make_answer(const uint8_t *q, uint32_t qlen, uint8_t *out, unsigned int n,
			    uint16_t extra_flags)
{
	uint32_t len = qlen;

	memcpy(out, q, qlen);
	pk_put_be16(out + 2, pk_get_be16(q + 2) | PK_DNS_F_QR | PK_DNS_F_RA | extra_flags);
	pk_put_be16(out + 6, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		static const uint8_t rr[] = {
			0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2
		};

		memcpy(out + len, rr, sizeof(rr));
		out[len + sizeof(rr)] = (uint8_t)(1 + i);
		len += sizeof(rr) + 1;
	}
	return len;
}

static gboolean resolver_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct resolver *r = data;
	uint8_t q[2048], a[4096];
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	ssize_t n = recvfrom(fd, q, sizeof(q), MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
	uint32_t len;

	if (n < PK_DNS_HDR_LEN)
		return G_SOURCE_CONTINUE;
	if (r->queries < G_N_ELEMENTS(r->ids))
		r->ids[r->queries] = pk_get_be16(q);
	r->queries++;
	switch (r->mode) {
	case RES_SILENT:
		return G_SOURCE_CONTINUE;
	case RES_SPOOF: {
		int other = socket(from.ss_family, SOCK_DGRAM, 0);

		/* the right answer from another port */
		len = make_answer(q, (uint32_t)n, a, 1, 0);
		g_assert_cmpint(sendto(other, a, len, 0, (struct sockaddr *)&from, from_len), ==,
				len);
		close(other);
		/* another question from the right port */
		len = make_answer(q, (uint32_t)n, a, 1, 0);
		a[PK_DNS_HDR_LEN + 1] ^= 0x01; /* first letter of the name changes */
		g_assert_cmpint(sendto(fd, a, len, 0, (struct sockaddr *)&from, from_len), ==, len);
		len = make_answer(q, (uint32_t)n, a, 1, 0);
		break;
	}
	case RES_TRUNCATED:
		len = make_answer(q, (uint32_t)n, a, 0, PK_DNS_F_TC);
		break;
	case RES_BIG:
		len = make_answer(q, (uint32_t)n, a, 50, 0);
		break;
	default:
		len = make_answer(q, (uint32_t)n, a, 1, 0);
		break;
	}
	g_assert_cmpint(sendto(fd, a, len, 0, (struct sockaddr *)&from, from_len), ==, len);
	return G_SOURCE_CONTINUE;
}

static void resolver_start(struct resolver *r, bool ipv6, enum resolver_mode mode)
{
	struct sockaddr_storage sa = { 0 };
	socklen_t len;

	memset(r, 0, sizeof(*r));
	r->ipv6 = ipv6;
	r->mode = mode;
	r->fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	g_assert_cmpint(r->fd, >=, 0);
	if (ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&sa;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*a);
	}
	g_assert_cmpint(bind(r->fd, (struct sockaddr *)&sa, len), ==, 0);
	r->source = g_unix_fd_add(r->fd, G_IO_IN, resolver_readable, r);
}

static uint16_t resolver_port(const struct resolver *r)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	g_assert_cmpint(getsockname(r->fd, (struct sockaddr *)&sa, &len), ==, 0);
	return ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
					      : ((struct sockaddr_in *)&sa)->sin_port);
}

static void resolver_stop(struct resolver *r)
{
	g_source_remove(r->source);
	close(r->fd);
}

/* A loopback port nothing listens on (bound, then closed). */
static uint16_t closed_port(void)
{
	struct resolver r;
	uint16_t port;

	resolver_start(&r, false, RES_SILENT);
	port = resolver_port(&r);
	resolver_stop(&r);
	return port;
}

/* {"address": ..., "port": ...} */
static char *server_json(bool ipv6, uint16_t port)
{
	return g_strdup_printf("{\"address\": \"%s\", \"port\": %u}", ipv6 ? "::1" : "127.0.0.1",
			       port);
}

static void setup_with(struct slirp_test *t, const char *servers, const char *more)
{
	g_autofree char *params = g_strdup_printf("{\"dns-servers\": [%s]%s%s}", servers,
						  more ? ", " : "", more ? more : "");

	slirp_test_setup(t, params);
}

/* The guest ---------------------------------------------------------------- */

static uint32_t make_query(uint8_t *out, uint16_t id, const char *name, uint16_t qtype)
{
	uint8_t wire[PK_DNS_NAME_MAX];
	uint32_t wire_len, len;
	const struct pk_dns_query_params qp = { .id = id, .qtype = qtype, .rd = true };

	g_assert_cmpint(pk_dns_name_from_text(name, wire, &wire_len), ==, PK_DNS_OK);
	len = pk_dns_build_query(out, PK_DNS_QUERY_MAX, wire, wire_len, &qp);
	g_assert_cmpuint(len, >, 0);
	return len;
}

static void send_query(struct slirp_test *t, const char *guest, uint16_t port, uint16_t id)
{
	uint8_t q[PK_DNS_QUERY_MAX];
	uint32_t len = make_query(q, id, "www.example.com", PK_DNS_T_A);
	bool v6 = strchr(guest, ':') != NULL;

	slirp_test_send_udp(t, guest, port, v6 ? SLIRP_TEST_DNS6 : SLIRP_TEST_DNS4, 53, q, len);
}

static bool addr_is(const uint8_t *a, const char *text)
{
	uint8_t want[16];
	bool v6;

	slirp_test_addr(text, want, &v6);
	return memcmp(a, want, v6 ? 16 : 4) == 0;
}

/* Wait for the guest's answer: UDP from the DNS address, port 53, to @guest
 * @port; its DNS message parsed into @m (pointing into *@b, to unref). */
static void expect_answer(struct slirp_test *t, unsigned int timeout_ms, const char *guest,
			  uint16_t port, struct pk_buf **b, struct pk_dns_msg *m)
{
	struct slirp_test_pkt r;
	bool v6 = strchr(guest, ':') != NULL;

	*b = slirp_test_wait(t, timeout_ms);
	g_assert_nonnull(*b);
	slirp_test_parse(*b, &r);
	g_assert_cmpuint(r.proto, ==, PK_IPPROTO_UDP);
	g_assert_cmpint(r.ipv6, ==, v6);
	g_assert_true(addr_is(r.src, v6 ? SLIRP_TEST_DNS6 : SLIRP_TEST_DNS4));
	g_assert_true(addr_is(r.dst, guest));
	g_assert_cmpuint(pk_get_be16(r.l4), ==, 53);
	g_assert_cmpuint(pk_get_be16(r.l4 + 2), ==, port);
	g_assert_cmpuint(pk_get_be16(r.l4 + 4), ==, r.l4_len);
	g_assert_cmpint(pk_dns_parse(r.l4 + PK_UDP_HLEN, r.l4_len - PK_UDP_HLEN, m), ==, PK_DNS_OK);
	g_assert_true(m->flags & PK_DNS_F_QR);
	g_assert_cmpuint(m->qdcount, ==, 1);
	g_assert_true(m->has_question);
	g_assert_cmpuint(m->question.qtype, ==, PK_DNS_T_A);
}

/* The answer carries the record the test resolver makes. */
static void assert_a_record(const struct pk_dns_msg *m, uint8_t last)
{
	struct pk_dns_iter it;
	struct pk_dns_rr rr;

	g_assert_cmpuint(m->rcode, ==, PK_DNS_RCODE_NOERROR);
	g_assert_cmpuint(m->ancount, ==, 1);
	pk_dns_iter_init(&it, m);
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpuint(rr.type, ==, PK_DNS_T_A);
	g_assert_cmpuint(rr.a.b[0], ==, 192);
	g_assert_cmpuint(rr.a.b[3], ==, last);
}

/* Tests ------------------------------------------------------------------- */

/* An A query of an IPv4 guest and of an IPv6 guest, each to a resolver of
 * its family, and across families: answered from the DNS address, the
 * guest's ID restored. */
static void answer_case(const char *guest, bool resolver_v6)
{
	struct resolver r;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *srv = NULL;

	resolver_start(&r, resolver_v6, RES_ANSWER);
	srv = server_json(resolver_v6, resolver_port(&r));
	setup_with(&t, srv, NULL);
	send_query(&t, guest, 5353, 0x1234);
	expect_answer(&t, 2000, guest, 5353, &b, &m);
	g_assert_cmpuint(m.id, ==, 0x1234);
	assert_a_record(&m, 1);
	pk_buf_unref(b);
	g_assert_cmpuint(r.queries, ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-queries"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-answers"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-servfail"), ==, 0);
	slirp_test_teardown(&t);
	resolver_stop(&r);
}

static void test_answer4(void)
{
	answer_case(SLIRP_TEST_GUEST4, false);
}

static void test_answer6(void)
{
	answer_case(SLIRP_TEST_GUEST6, true);
}

static void test_cross_family(void)
{
	answer_case(SLIRP_TEST_GUEST6, false);
	answer_case(SLIRP_TEST_GUEST4, true);
}

/* Two guests ask with the same ID and port at once: the resolver sees two
 * IDs, and each guest gets its own answer with its ID. */
static void test_equal_ids(void)
{
	static const char *const guests[] = { SLIRP_TEST_GUEST4, "10.0.2.16" };
	struct resolver r;
	struct slirp_test t;
	g_autofree char *srv = NULL;
	bool seen[2] = { false, false };

	resolver_start(&r, false, RES_ANSWER);
	srv = server_json(false, resolver_port(&r));
	setup_with(&t, srv, NULL);
	send_query(&t, guests[0], 40000, 7);
	send_query(&t, guests[1], 40000, 7);
	for (int k = 0; k < 2; k++) {
		struct pk_buf *b = slirp_test_wait(&t, 2000);
		struct slirp_test_pkt p;
		struct pk_dns_msg m;

		g_assert_nonnull(b);
		slirp_test_parse(b, &p);
		g_assert_cmpint(pk_dns_parse(p.l4 + 8, p.l4_len - 8, &m), ==, PK_DNS_OK);
		g_assert_cmpuint(m.id, ==, 7);
		assert_a_record(&m, 1);
		for (int i = 0; i < 2; i++)
			if (addr_is(p.dst, guests[i]))
				seen[i] = true;
		pk_buf_unref(b);
	}
	g_assert_true(seen[0] && seen[1]);
	g_assert_cmpuint(r.queries, ==, 2);
	g_assert_cmpuint(r.ids[0], !=, r.ids[1]);
	slirp_test_teardown(&t);
	resolver_stop(&r);
}

/* A resolver that never answers: after 2 s the next one is asked. */
static void test_failover(void)
{
	struct resolver dead, live;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *s1 = NULL, *s2 = NULL, *both = NULL;
	gint64 start;

	resolver_start(&dead, false, RES_SILENT);
	resolver_start(&live, true, RES_ANSWER);
	s1 = server_json(false, resolver_port(&dead));
	s2 = server_json(true, resolver_port(&live));
	both = g_strdup_printf("%s, %s", s1, s2);
	setup_with(&t, both, NULL);
	start = g_get_monotonic_time();
	send_query(&t, SLIRP_TEST_GUEST4, 5000, 0xbeef);
	expect_answer(&t, 4000, SLIRP_TEST_GUEST4, 5000, &b, &m);
	g_assert_cmpint(g_get_monotonic_time() - start, >=, 1900 * 1000);
	g_assert_cmpuint(m.id, ==, 0xbeef);
	assert_a_record(&m, 1);
	pk_buf_unref(b);
	g_assert_cmpuint(dead.queries, ==, 1);
	g_assert_cmpuint(live.queries, ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-retries"), ==, 1);

	/* The resolver that answered is asked first now. */
	start = g_get_monotonic_time();
	send_query(&t, SLIRP_TEST_GUEST4, 5001, 0xbef0);
	expect_answer(&t, 1000, SLIRP_TEST_GUEST4, 5001, &b, &m);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 1000 * 1000);
	pk_buf_unref(b);
	g_assert_cmpuint(dead.queries, ==, 1);
	slirp_test_teardown(&t);
	resolver_stop(&dead);
	resolver_stop(&live);
}

/* The SERVFAIL the forwarder makes: the guest's ID, QR, RA, RD as asked,
 * RCODE 2, the question, no records. */
static void assert_servfail(const struct pk_dns_msg *m, uint16_t id)
{
	g_assert_cmpuint(m->id, ==, id);
	g_assert_cmpuint(m->rcode, ==, PK_DNS_RCODE_SERVFAIL);
	g_assert_true(m->flags & PK_DNS_F_RD);
	g_assert_true(m->flags & PK_DNS_F_RA);
	g_assert_false(m->flags & PK_DNS_F_TC);
	g_assert_cmpuint(m->ancount + m->nscount + m->arcount, ==, 0);
}

/* No resolver answers: SERVFAIL after both had their 2 s. */
static void test_all_dead(void)
{
	struct resolver a, b6;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *s1 = NULL, *s2 = NULL, *both = NULL;
	gint64 start, took;

	resolver_start(&a, false, RES_SILENT);
	resolver_start(&b6, true, RES_SILENT);
	s1 = server_json(false, resolver_port(&a));
	s2 = server_json(true, resolver_port(&b6));
	both = g_strdup_printf("%s, %s", s1, s2);
	setup_with(&t, both, NULL);
	start = g_get_monotonic_time();
	send_query(&t, SLIRP_TEST_GUEST6, 5000, 0x4242);
	expect_answer(&t, 6000, SLIRP_TEST_GUEST6, 5000, &b, &m);
	took = g_get_monotonic_time() - start;
	g_assert_cmpint(took, >=, 3900 * 1000);
	g_assert_cmpint(took, <=, 5000 * 1000);
	assert_servfail(&m, 0x4242);
	pk_buf_unref(b);
	g_assert_cmpuint(a.queries, ==, 1);
	g_assert_cmpuint(b6.queries, ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-servfail"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-retries"), ==, 1);
	slirp_test_teardown(&t);
	resolver_stop(&a);
	resolver_stop(&b6);
}

/* A resolver on a closed port (ICMP port unreachable: ECONNREFUSED) is
 * skipped at once: SERVFAIL quickly when it is the only one, the next
 * resolver's answer quickly when there is one. */
static void test_refused(void)
{
	struct resolver live;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *s1 = server_json(false, closed_port());
	g_autofree char *s6 = server_json(true, closed_port());
	g_autofree char *s2 = NULL, *both = NULL;
	gint64 start;

	setup_with(&t, s1, NULL);
	start = g_get_monotonic_time();
	send_query(&t, SLIRP_TEST_GUEST4, 5000, 0x1111);
	expect_answer(&t, 1500, SLIRP_TEST_GUEST4, 5000, &b, &m);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 1000 * 1000);
	assert_servfail(&m, 0x1111);
	pk_buf_unref(b);
	slirp_test_teardown(&t);

	resolver_start(&live, false, RES_ANSWER);
	s2 = server_json(false, resolver_port(&live));
	both = g_strdup_printf("%s, %s, %s", s6, s1, s2);
	setup_with(&t, both, NULL);
	start = g_get_monotonic_time();
	send_query(&t, SLIRP_TEST_GUEST4, 5001, 0x2222);
	expect_answer(&t, 1500, SLIRP_TEST_GUEST4, 5001, &b, &m);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 1000 * 1000);
	g_assert_cmpuint(m.id, ==, 0x2222);
	assert_a_record(&m, 1);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-retries"), ==, 2);
	slirp_test_teardown(&t);
	resolver_stop(&live);
}

/* An answer from the resolver's port with another question, and one with
 * the right question from another port, are ignored; the real one passes. */
static void test_spoofed(void)
{
	struct resolver r;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *srv = NULL;
	char name[PK_DNS_NAME_STRLEN];

	resolver_start(&r, false, RES_SPOOF);
	srv = server_json(false, resolver_port(&r));
	setup_with(&t, srv, NULL);
	send_query(&t, SLIRP_TEST_GUEST4, 5000, 0x5151);
	expect_answer(&t, 2000, SLIRP_TEST_GUEST4, 5000, &b, &m);
	g_assert_cmpuint(m.id, ==, 0x5151);
	g_assert_cmpuint(pk_dns_name_to_text(&m.question.name, name, sizeof(name)), >, 0);
	g_assert_cmpstr(name, ==, "www.example.com");
	assert_a_record(&m, 1);
	pk_buf_unref(b);
	g_assert_null(slirp_test_wait(&t, 200));
	g_assert_cmpuint(slirp_test_counter(&t, "dns-dropped-answers"), ==, 2);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-answers"), ==, 1);
	slirp_test_teardown(&t);
	resolver_stop(&r);
}

/* Too short, a response, a message the codec refuses, UDP checksum wrong:
 * dropped, counted, nothing sent to the resolver or the guest. */
static void test_malformed(void)
{
	static const uint8_t short_msg[5] = { 1, 2, 3, 4, 5 };
	struct resolver r;
	struct slirp_test t;
	g_autofree char *srv = NULL;
	uint8_t q[PK_DNS_QUERY_MAX], u[PK_UDP_HLEN + PK_DNS_QUERY_MAX];
	uint32_t len;

	resolver_start(&r, false, RES_ANSWER);
	srv = server_json(false, resolver_port(&r));
	setup_with(&t, srv, NULL);
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5000, SLIRP_TEST_DNS4, 53, short_msg,
			    sizeof(short_msg));
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5000, SLIRP_TEST_DNS4, 53, "", 0);
	len = make_query(q, 9, "example.org", PK_DNS_T_AAAA);
	q[2] |= 0x80; /* QR: a response */
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST6, 5000, SLIRP_TEST_DNS6, 53, q, len);
	len = make_query(q, 9, "example.org", PK_DNS_T_AAAA);
	q[5] = 2; /* two questions, one present */
	slirp_test_send_udp(&t, SLIRP_TEST_GUEST4, 5000, SLIRP_TEST_DNS4, 53, q, len);
	/* a wrong UDP checksum */
	len = make_query(q, 9, "example.org", PK_DNS_T_AAAA);
	pk_put_be16(u, 5000);
	pk_put_be16(u + 2, 53);
	pk_put_be16(u + 4, (uint16_t)(PK_UDP_HLEN + len));
	pk_put_be16(u + 6, 0x1234);
	memcpy(u + PK_UDP_HLEN, q, len);
	slirp_test_send(&t, SLIRP_TEST_GUEST4, SLIRP_TEST_DNS4, PK_IPPROTO_UDP, u,
			PK_UDP_HLEN + len);
	g_assert_null(slirp_test_wait(&t, 300));
	g_assert_cmpuint(slirp_test_counter(&t, "dns-dropped-malformed"), ==, 4);
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-checksum"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-queries"), ==, 0);
	g_assert_cmpuint(r.queries, ==, 0);
	slirp_test_teardown(&t);
	resolver_stop(&r);
}

/* TC set by the resolver passes as it is; an answer bigger than the mtu
 * becomes an empty one with TC set. */
static void test_truncated(void)
{
	struct resolver r;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *srv = NULL;

	resolver_start(&r, false, RES_TRUNCATED);
	srv = server_json(false, resolver_port(&r));
	setup_with(&t, srv, NULL);
	send_query(&t, SLIRP_TEST_GUEST4, 5000, 0x7070);
	expect_answer(&t, 2000, SLIRP_TEST_GUEST4, 5000, &b, &m);
	g_assert_cmpuint(m.id, ==, 0x7070);
	g_assert_true(m.flags & PK_DNS_F_TC);
	g_assert_cmpuint(m.ancount, ==, 0);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-truncated"), ==, 0);
	slirp_test_teardown(&t);
	resolver_stop(&r);

	resolver_start(&r, false, RES_BIG);
	g_free(srv);
	srv = server_json(false, resolver_port(&r));
	setup_with(&t, srv, "\"mtu\": 576");
	send_query(&t, SLIRP_TEST_GUEST4, 5000, 0x7171);
	expect_answer(&t, 2000, SLIRP_TEST_GUEST4, 5000, &b, &m);
	g_assert_cmpuint(m.id, ==, 0x7171);
	g_assert_true(m.flags & PK_DNS_F_TC);
	g_assert_cmpuint(m.rcode, ==, PK_DNS_RCODE_NOERROR);
	g_assert_cmpuint(m.ancount, ==, 0);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-truncated"), ==, 1);
	slirp_test_teardown(&t);

	/* with the default mtu (1500) it fits */
	setup_with(&t, srv, NULL);
	send_query(&t, SLIRP_TEST_GUEST4, 5000, 0x7272);
	expect_answer(&t, 2000, SLIRP_TEST_GUEST4, 5000, &b, &m);
	g_assert_false(m.flags & PK_DNS_F_TC);
	g_assert_cmpuint(m.ancount, ==, 50);
	pk_buf_unref(b);
	slirp_test_teardown(&t);
	resolver_stop(&r);
}

/* At most SLIRP_DNS_MAX_PENDING queries wait; the next gets SERVFAIL at
 * once. Stopping with queries waiting frees them. */
static void test_pending_full(void)
{
	struct resolver r;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autofree char *srv = NULL;

	resolver_start(&r, false, RES_SILENT);
	srv = server_json(false, resolver_port(&r));
	setup_with(&t, srv, NULL);
	for (unsigned int i = 0; i < SLIRP_DNS_MAX_PENDING; i++)
		send_query(&t, SLIRP_TEST_GUEST4, (uint16_t)(10000 + i), (uint16_t)i);
	g_assert_null(slirp_test_wait(&t, 100));
	send_query(&t, SLIRP_TEST_GUEST4, 9999, 0xfeed);
	expect_answer(&t, 500, SLIRP_TEST_GUEST4, 9999, &b, &m);
	assert_servfail(&m, 0xfeed);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "dns-pending-full"), ==, 1);
	slirp_test_run(&t, 200);
	g_assert_cmpuint(r.queries, ==, SLIRP_DNS_MAX_PENDING);
	slirp_test_teardown(&t);
	resolver_stop(&r);
}

/* The status shows the resolvers; after a stop (queries waiting) and a new
 * start the forwarder opens its sockets again and answers. */
static void test_status_restart(void)
{
	struct resolver dead, live;
	struct slirp_test t;
	struct pk_dns_msg m;
	struct pk_buf *b;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) st = NULL;
	g_autofree char *s1 = NULL, *s2 = NULL, *both = NULL, *want = NULL;
	const char *servers = NULL;

	resolver_start(&dead, false, RES_SILENT);
	resolver_start(&live, true, RES_ANSWER);
	s1 = server_json(false, resolver_port(&dead));
	s2 = server_json(true, resolver_port(&live));
	both = g_strdup_printf("%s, %s", s1, s2);
	setup_with(&t, both, NULL);
	st = pk_graph_device_status(t.g, "slirp", &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_lookup(st, "dns-servers", "&s", &servers));
	want = g_strdup_printf("127.0.0.1:%u, [::1]:%u", resolver_port(&dead),
			       resolver_port(&live));
	g_assert_cmpstr(servers, ==, want);

	send_query(&t, SLIRP_TEST_GUEST4, 5000, 1);
	slirp_test_run(&t, 100);
	g_assert_cmpuint(dead.queries, ==, 1);
	pk_graph_stop(t.g);
	slirp_test_run(&t, 2500);
	g_assert_null(pk_pipe_pop(t.pipe));
	g_assert_cmpuint(live.queries, ==, 0);
	g_assert_true(pk_graph_start(t.g, &error));
	g_assert_no_error(error);
	send_query(&t, SLIRP_TEST_GUEST4, 5001, 2);
	expect_answer(&t, 4000, SLIRP_TEST_GUEST4, 5001, &b, &m);
	g_assert_cmpuint(m.id, ==, 2);
	assert_a_record(&m, 1);
	pk_buf_unref(b);
	g_assert_cmpuint(dead.queries, ==, 2);
	g_assert_cmpuint(live.queries, ==, 1);
	slirp_test_teardown(&t);
	resolver_stop(&dead);
	resolver_stop(&live);
}

/* A dns-servers address that does not parse is refused, named. */
static void test_bad_server(void)
{
	static const char *const bad[] = {
		"{\"dns-servers\": [{\"address\": \"resolver.example\"}]}",
		"{\"dns-servers\": [{\"address\": \"127.0.0.1\"}, {\"address\": \"1.2.3.4:53\"}]}",
		"{\"dns-servers\": [{\"address\": \"fe80::1%no-such-if0\"}]}",
	};
	static const char *const what[] = { "dns-servers[0].address: \"resolver.example\"",
					    "dns-servers[1].address: \"1.2.3.4:53\"",
					    "dns-servers[0].address: \"fe80::1%no-such-if0\"" };
	struct pk_registry *reg = pk_registry_new();
	struct pk_graph *g;

	pk_registry_scan_default(reg);
	g = pk_graph_new(reg, NULL, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonNode) n = json_from_string(bad[i], NULL);
		g_autofree char *id = g_strdup_printf("s%zu", i);

		g_assert_null(
			pk_graph_add_device(g, id, "l3.slirp", json_node_get_object(n), &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, what[i]));
	}
	pk_graph_free(g);
	pk_registry_free(reg);
}

/* The parsers and the description, without a device. */
static void test_describe(void)
{
	struct slirp_dns_server v[SLIRP_DNS_MAX_SERVERS];
	g_autofree char *d1 = NULL, *d2 = NULL, *d3 = NULL;
	unsigned int n;

	g_assert_true(slirp_dns_server_parse("127.0.0.1", 53, &v[0]));
	g_assert_true(slirp_dns_server_parse("::1", 53, &v[1]));
	d1 = slirp_dns_servers_describe(v, 2);
	g_assert_cmpstr(d1, ==, "127.0.0.1:53, [::1]:53");
	g_assert_null(slirp_dns_servers_describe(v, 0));
	g_assert_true(slirp_dns_server_parse("::ffff:192.0.2.1", 5353, &v[0]));
	g_assert_cmpint(v[0].sa.ss_family, ==, AF_INET);
	g_assert_true(slirp_dns_server_parse("fe80::1%1", 53, &v[0]));
	g_assert_true(slirp_dns_server_parse("fe80::2%lo", 53, &v[1]));
	d2 = slirp_dns_servers_describe(v, 2);
	g_assert_cmpstr(d2, ==, "[fe80::1%lo]:53, [fe80::2%lo]:53");
	g_assert_false(slirp_dns_server_parse("", 53, &v[0]));
	g_assert_false(slirp_dns_server_parse("1.2.3", 53, &v[0]));
	g_assert_false(slirp_dns_server_parse("::1%", 53, &v[0]));
	g_assert_false(slirp_dns_server_parse("[::1]", 53, &v[0]));
	g_assert_false(slirp_dns_server_parse("1.2.3.4%lo", 53, &v[0]));

	n = slirp_dns_resolv_conf_parse("# Generated\n"
					"search example.com\n"
					"nameserver 192.0.2.53\n"
					"nameserver\n"
					"nameserver not-an-address\n"
					"nameservers 192.0.2.99\n"
					"  nameserver\t2001:db8::53 # comment\n"
					"; nameserver 192.0.2.98\n"
					"nameserver 192.0.2.54;x\r\n"
					"nameserver fe80::53%lo\n"
					"options ndots:2\n"
					"nameserver 192.0.2.55",
					v, SLIRP_DNS_MAX_SERVERS);
	g_assert_cmpuint(n, ==, 5);
	d3 = slirp_dns_servers_describe(v, n);
	g_assert_cmpstr(d3, ==,
			"192.0.2.53:53, [2001:db8::53]:53, 192.0.2.54:53, [fe80::53%lo]:53, "
			"192.0.2.55:53");
	g_assert_cmpuint(
		slirp_dns_resolv_conf_parse("nameserver 1.1.1.1\nnameserver 8.8.8.8\n", v, 1), ==,
		1);
	g_assert_cmpuint(slirp_dns_resolv_conf_parse("", v, 8), ==, 0);
	g_assert_cmpuint(slirp_dns_resolv_conf_parse(NULL, v, 8), ==, 0);
}

/* The query and answer checks, and the SERVFAIL built from a query. */
static void test_checks(void)
{
	uint8_t q[PK_DNS_QUERY_MAX], a[1024], r[1024];
	uint32_t qlen, alen, rlen;
	struct pk_dns_msg m;

	qlen = make_query(q, 0xabcd, "WwW.Example.COM", PK_DNS_T_AAAA);
	g_assert_true(slirp_dns_query_ok(q, qlen));
	g_assert_false(slirp_dns_query_ok(q, 11));
	g_assert_false(slirp_dns_query_ok(q, qlen - 1));

	alen = make_answer(q, qlen, a, 0, 0);
	g_assert_true(slirp_dns_answer_matches(q, qlen, a, alen));
	/* names compare without case */
	a[PK_DNS_HDR_LEN + 1] = 'w';
	g_assert_true(slirp_dns_answer_matches(q, qlen, a, alen));
	/* another ID, type, QR clear, opcode, question count: no */
	a[1] ^= 1;
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, alen));
	a[1] ^= 1;
	a[qlen - 3] = PK_DNS_T_A;
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, alen));
	a[qlen - 3] = PK_DNS_T_AAAA;
	a[2] &= 0x7f;
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, alen));
	a[2] |= 0x80 | 0x10; /* opcode 2 */
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, alen));
	a[2] &= (uint8_t)~0x10;
	g_assert_true(slirp_dns_answer_matches(q, qlen, a, alen));
	a[5] = 0;
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, alen));
	a[5] = 1;
	/* cut anywhere after the question: still its answer (TC) */
	alen = make_answer(q, qlen, a, 2, PK_DNS_F_TC);
	g_assert_true(slirp_dns_answer_matches(q, qlen, a, alen - 5));
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, qlen - 1));
	g_assert_false(slirp_dns_answer_matches(q, qlen, a, 11));

	rlen = slirp_dns_reply_build(r, sizeof(r), q, qlen, 0x0102,
				     slirp_dns_servfail_flags(pk_get_be16(q + 2)));
	g_assert_cmpuint(rlen, ==, qlen);
	g_assert_cmpint(pk_dns_parse(r, rlen, &m), ==, PK_DNS_OK);
	g_assert_cmpuint(m.id, ==, 0x0102);
	g_assert_cmpuint(m.rcode, ==, PK_DNS_RCODE_SERVFAIL);
	g_assert_cmphex(m.flags, ==, PK_DNS_F_QR | PK_DNS_F_RD | PK_DNS_F_RA | 2);
	g_assert_cmpuint(m.qdcount, ==, 1);
	g_assert_cmpuint(m.ancount + m.nscount + m.arcount, ==, 0);
	g_assert_cmpmem(r + 12, rlen - 12, q + 12, qlen - 12);
	g_assert_cmpuint(slirp_dns_reply_build(r, qlen - 1, q, qlen, 0, 0), ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slirp/dns/answer4", test_answer4);
	g_test_add_func("/slirp/dns/answer6", test_answer6);
	g_test_add_func("/slirp/dns/cross-family", test_cross_family);
	g_test_add_func("/slirp/dns/equal-ids", test_equal_ids);
	g_test_add_func("/slirp/dns/failover", test_failover);
	g_test_add_func("/slirp/dns/all-dead", test_all_dead);
	g_test_add_func("/slirp/dns/refused", test_refused);
	g_test_add_func("/slirp/dns/spoofed", test_spoofed);
	g_test_add_func("/slirp/dns/malformed", test_malformed);
	g_test_add_func("/slirp/dns/truncated", test_truncated);
	g_test_add_func("/slirp/dns/pending-full", test_pending_full);
	g_test_add_func("/slirp/dns/status-restart", test_status_restart);
	g_test_add_func("/slirp/dns/bad-server", test_bad_server);
	g_test_add_func("/slirp/dns/describe", test_describe);
	g_test_add_func("/slirp/dns/checks", test_checks);
	return g_test_run();
}
