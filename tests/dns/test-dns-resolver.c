/* SPDX-License-Identifier: MIT
 * test-dns-resolver.c - Sans-I/O stub resolver on a fake clock: retries, spoofing, TC -> TCP, CNAMEs, cache
 */
#include "dns-test-util.h"

static const struct pk_dns_server servers[2] = {
	{ .addr = { 10, 0, 0, 53 } },
	{ .addr = { 10, 0, 0, 54 }, .port = 5353 },
};

/* A query the resolver handed out, parsed. */
struct sent {
	struct pk_dns_outgoing o;
	uint8_t buf[PK_DNS_QUERY_MAX];
	uint32_t len;
	struct pk_dns_msg m;
};

static struct pk_dns_resolver *mk(unsigned int attempts, unsigned int cache_size)
{
	struct pk_dns_resolver_config cfg = {
		.servers = servers, .n_servers = 2, .timeout_ns = 1 * SEC,
		.attempts = attempts, .cache_size = cache_size,
	};
	struct pk_dns_resolver *r = pk_dns_resolver_new(&cfg);

	g_assert_nonnull(r);
	return r;
}

static void take(struct pk_dns_resolver *r, struct sent *s)
{
	const uint8_t *msg = NULL;
	uint32_t ml = 0;

	g_assert_true(pk_dns_resolver_next_query(r, &s->o));
	if (s->o.transport == PK_DNS_TCP) {
		g_assert_cmpuint(pk_dns_tcp_unframe(s->o.data, s->o.len, &msg, &ml), ==, s->o.len);
	} else {
		msg = s->o.data;
		ml = s->o.len;
	}
	g_assert_cmpuint(ml, <=, sizeof(s->buf));
	memcpy(s->buf, msg, ml);
	s->len = ml;
	g_assert_cmpint(pk_dns_parse(s->buf, s->len, &s->m), ==, PK_DNS_OK);
	g_assert_cmpuint(s->m.flags & PK_DNS_F_RD, !=, 0);
}

static void nothing_to_send(struct pk_dns_resolver *r)
{
	struct pk_dns_outgoing o;

	g_assert_false(pk_dns_resolver_next_query(r, &o));
}

/* Header and question of a reply to @s. */
static void reply(struct mb *m, const struct sent *s, uint16_t flags, uint16_t an, uint16_t ns)
{
	mb_hdr(m, s->m.id, PK_DNS_F_QR | PK_DNS_F_RD | PK_DNS_F_RA | flags, 1, an, ns, 0);
	mb_bytes(m, s->buf + PK_DNS_HDR_LEN, s->m.an_off - PK_DNS_HDR_LEN);
}

static enum pk_dns_input_result feed(struct pk_dns_resolver *r, const struct mb *m,
				     unsigned int server, enum pk_dns_transport tr, uint64_t now)
{
	struct pk_dns_server from = servers[server];

	if (!from.port)
		from.port = 53;
	return pk_dns_resolver_input(r, &from, tr, m->b, m->len, now);
}

static struct pk_dns_lookup *start(struct pk_dns_resolver *r, const char *name,
				   enum pk_dns_family fam, uint64_t now)
{
	enum pk_dns_err err;
	struct pk_dns_lookup *l = pk_dns_resolver_lookup(r, name, fam, (void *)name, now, &err);

	g_assert_cmpint(err, ==, PK_DNS_OK);
	g_assert_nonnull(l);
	return l;
}

static void test_basic(void)
{
	struct pk_dns_resolver *r = mk(2, 0);
	struct pk_dns_lookup *l;
	const struct pk_dns_addr *a;
	struct sent s;
	struct mb m;
	char buf[PK_DNS_NAME_STRLEN];
	unsigned int n;
	enum pk_dns_err err;

	g_assert_null(pk_dns_resolver_lookup(r, "a..b", PK_DNS_FAMILY_V4, NULL, 0, &err));
	g_assert_cmpint(err, ==, PK_DNS_E_EMPTY_LABEL);

	l = start(r, "www.example.com", PK_DNS_FAMILY_V4, 0);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_PENDING);
	g_assert_null(pk_dns_resolver_next_done(r));
	take(r, &s);
	nothing_to_send(r);
	g_assert_true(s.o.lookup == l);
	g_assert_cmpuint(s.o.server, ==, 0);
	g_assert_cmpuint(s.o.to->port, ==, 53);
	g_assert_cmpint(s.o.transport, ==, PK_DNS_UDP);
	g_assert_true(s.m.edns);
	g_assert_cmpuint(s.m.edns_udp_size, ==, PK_DNS_EDNS_UDP_DEFAULT);
	g_assert_cmpuint(s.m.question.qtype, ==, PK_DNS_T_A);
	g_assert_cmpuint(pk_dns_resolver_deadline(r), ==, 1 * SEC);
	g_assert_true(pk_dns_resolver_try_pending(r, s.o.tag));

	reply(&m, &s, 0, 2, 0);
	mb_a(&m, NULL, 300, 192, 0, 2, 1);
	mb_a(&m, "WWW.EXAMPLE.COM", 200, 192, 0, 2, 2);	/* case-insensitive owner */
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 10 * MS), ==, PK_DNS_IN_ACCEPTED);
	g_assert_true(pk_dns_resolver_next_done(r) == l);
	g_assert_null(pk_dns_resolver_next_done(r));
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	a = pk_dns_lookup_addrs(l, &n);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(a[0].family, ==, 4);
	g_assert_cmpmem(a[0].addr, 4, "\xc0\x00\x02\x01", 4);
	g_assert_cmpuint(a[0].ttl, ==, 300);
	g_assert_cmpuint(a[1].ttl, ==, 200);
	g_assert_cmpuint(pk_dns_lookup_canonical_name(l, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "www.example.com");
	g_assert_cmpstr(pk_dns_lookup_user_data(l), ==, "www.example.com");
	g_assert_false(pk_dns_resolver_try_pending(r, s.o.tag));
	g_assert_cmpuint(pk_dns_resolver_deadline(r), ==, UINT64_MAX);
	/* a duplicate of the reply finds no query */
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 20 * MS), ==, PK_DNS_IN_UNKNOWN_ID);
	g_assert_cmpuint(pk_dns_resolver_stats(r)->queries_sent, ==, 1);
	g_assert_cmpuint(pk_dns_resolver_stats(r)->replies, ==, 1);
	g_assert_cmpuint(pk_dns_resolver_stats(r)->drop_unknown_id, ==, 1);
	pk_dns_lookup_free(l);
	pk_dns_resolver_free(r);
}

/* Two servers, two rounds, 1 s per try: 0, 1, 0, 1, then timeout. */
static void test_retries(void)
{
	struct pk_dns_resolver *r = mk(2, 0);
	struct pk_dns_lookup *l = start(r, "slow.example", PK_DNS_FAMILY_V4, 0);
	const struct pk_dns_resolver_stats *st = pk_dns_resolver_stats(r);
	struct sent s, first;
	struct mb m;
	uint64_t now = 0;

	take(r, &first);
	g_assert_cmpuint(first.o.server, ==, 0);
	for (unsigned int i = 1; i < 4; i++) {
		pk_dns_resolver_timer(r, now + 999 * MS);	/* early: nothing */
		nothing_to_send(r);
		now += 1 * SEC;
		g_assert_cmpuint(pk_dns_resolver_deadline(r), ==, now);
		pk_dns_resolver_timer(r, now);
		take(r, &s);
		g_assert_cmpuint(s.o.server, ==, i % 2);
		g_assert_cmpuint(s.o.to->port, ==, i % 2 ? 5353 : 53);
		g_assert_cmphex(s.m.id, ==, first.m.id);
		g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_PENDING);
	}
	now += 1 * SEC;
	pk_dns_resolver_timer(r, now);
	nothing_to_send(r);
	g_assert_true(pk_dns_resolver_next_done(r) == l);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_TIMEOUT);
	g_assert_cmpuint(st->queries_sent, ==, 4);
	g_assert_cmpuint(st->retries, ==, 3);
	g_assert_cmpuint(st->timeouts, ==, 4);
	pk_dns_lookup_free(l);

	/* a late reply from the first server is still taken during the second try */
	l = start(r, "late.example", PK_DNS_FAMILY_V4, now);
	take(r, &first);
	now += 1 * SEC;
	pk_dns_resolver_timer(r, now);
	take(r, &s);
	g_assert_cmpuint(s.o.server, ==, 1);
	reply(&m, &first, 0, 1, 0);
	mb_a(&m, NULL, 60, 10, 1, 1, 1);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, now + 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	pk_dns_lookup_free(l);

	/* a send failure moves on at once; the old tag is no longer pending */
	l = start(r, "unreach.example", PK_DNS_FAMILY_V4, now);
	take(r, &first);
	pk_dns_resolver_send_failed(r, first.o.tag, now);
	g_assert_false(pk_dns_resolver_try_pending(r, first.o.tag));
	take(r, &s);
	g_assert_cmpuint(s.o.server, ==, 1);
	g_assert_true(pk_dns_resolver_try_pending(r, s.o.tag));
	g_assert_cmpuint(st->send_failures, ==, 1);
	pk_dns_resolver_send_failed(r, first.o.tag, now);	/* stale: ignored */
	g_assert_cmpuint(st->send_failures, ==, 1);
	pk_dns_lookup_free(l);
	nothing_to_send(r);
	g_assert_cmpuint(pk_dns_resolver_deadline(r), ==, UINT64_MAX);
	pk_dns_resolver_free(r);
}

/* Spoofed and stray replies are dropped, counted, and end nothing. */
static void test_validation(void)
{
	struct pk_dns_resolver *r = mk(1, 0);
	const struct pk_dns_resolver_stats *st = pk_dns_resolver_stats(r);
	struct pk_dns_lookup *l = start(r, "bank.example", PK_DNS_FAMILY_V4, 0);
	struct pk_dns_server from;
	struct sent s;
	struct mb m;

	take(r, &s);
	reply(&m, &s, 0, 1, 0);
	mb_a(&m, NULL, 60, 6, 6, 6, 6);
	/* wrong ID */
	pk_put_be16(m.b, (uint16_t)(s.m.id + 1));
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_UNKNOWN_ID);
	pk_put_be16(m.b, s.m.id);
	/* right address, wrong port; unknown address; server not asked */
	from = servers[0];
	from.port = 54;
	g_assert_cmpint(pk_dns_resolver_input(r, &from, PK_DNS_UDP, m.b, m.len, 1), ==,
			PK_DNS_IN_WRONG_SOURCE);
	from.port = 53;
	from.addr[3] = 99;
	g_assert_cmpint(pk_dns_resolver_input(r, &from, PK_DNS_UDP, m.b, m.len, 1), ==,
			PK_DNS_IN_WRONG_SOURCE);
	g_assert_cmpint(feed(r, &m, 1, PK_DNS_UDP, 1), ==, PK_DNS_IN_WRONG_SOURCE);
	/* TCP while the query is on UDP */
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_TCP, 1), ==, PK_DNS_IN_WRONG_SOURCE);
	/* not a response */
	pk_put_be16(m.b + 2, PK_DNS_F_RD);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_NOT_RESPONSE);
	pk_put_be16(m.b + 2, PK_DNS_F_QR | PK_DNS_F_RD | PK_DNS_F_RA);
	/* another question: name, type */
	m.b[13] = 'c';
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_WRONG_QUESTION);
	m.b[13] = 'B';	/* case does not matter */
	pk_put_be16(m.b + 12 + 14, PK_DNS_T_AAAA);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_WRONG_QUESTION);
	pk_put_be16(m.b + 12 + 14, PK_DNS_T_A);
	/* garbage */
	g_assert_cmpint(pk_dns_resolver_input(r, &servers[0], PK_DNS_UDP, m.b, 5, 1), ==,
			PK_DNS_IN_MALFORMED);

	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_PENDING);
	g_assert_cmpuint(st->drop_unknown_id, ==, 1);
	g_assert_cmpuint(st->drop_wrong_source, ==, 4);
	g_assert_cmpuint(st->drop_not_response, ==, 1);
	g_assert_cmpuint(st->drop_question, ==, 2);
	g_assert_cmpuint(st->drop_malformed, ==, 1);
	g_assert_cmpuint(st->replies, ==, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	pk_dns_lookup_free(l);

	/* a matching but malformed reply ends the try: next server */
	l = start(r, "bad.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, 0, 1, 0);
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, PK_DNS_T_A, 1, 3);
	mb_bytes(&m, "123", 3);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_MALFORMED);
	take(r, &s);
	g_assert_cmpuint(s.o.server, ==, 1);
	/* counts beyond the message, from the second server: also malformed */
	reply(&m, &s, 0, 1, 0);
	mb_set_count(&m, 1, 300);
	mb_a(&m, NULL, 1, 1, 2, 3, 4);
	g_assert_cmpint(feed(r, &m, 1, PK_DNS_UDP, 2), ==, PK_DNS_IN_MALFORMED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_MALFORMED);
	g_assert_cmpuint(st->drop_malformed, ==, 3);
	pk_dns_lookup_free(l);
	pk_dns_resolver_free(r);
}

/* TC=1 over UDP: the same server over TCP. */
static void test_tcp_fallback(void)
{
	struct pk_dns_resolver *r = mk(1, 0);
	const struct pk_dns_resolver_stats *st = pk_dns_resolver_stats(r);
	struct pk_dns_lookup *l = start(r, "big.example", PK_DNS_FAMILY_V4, 0);
	const struct pk_dns_addr *a;
	struct sent s, t;
	struct mb m;
	unsigned int n;

	take(r, &s);
	reply(&m, &s, PK_DNS_F_TC, 0, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 100 * MS), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_PENDING);
	take(r, &t);
	g_assert_cmpint(t.o.transport, ==, PK_DNS_TCP);
	g_assert_cmpuint(t.o.server, ==, 0);
	g_assert_cmpuint(pk_get_be16(t.o.data), ==, t.len);
	g_assert_cmpuint(pk_dns_resolver_deadline(r), ==, 1100 * MS);
	/* a TCP reply from the other server is not taken */
	reply(&m, &t, 0, 40, 0);
	for (int i = 0; i < 40; i++)
		mb_a(&m, NULL, 30, 10, 0, 0, (uint8_t)i);
	g_assert_cmpint(feed(r, &m, 1, PK_DNS_TCP, 200 * MS), ==, PK_DNS_IN_WRONG_SOURCE);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_TCP, 200 * MS), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	a = pk_dns_lookup_addrs(l, &n);
	g_assert_cmpuint(n, ==, PK_DNS_MAX_ADDRS);
	g_assert_cmpuint(a[31].addr[3], ==, 31);
	g_assert_cmpuint(st->truncated, ==, 1);
	g_assert_cmpuint(st->queries_tcp, ==, 1);
	g_assert_cmpuint(st->queries_sent, ==, 2);
	pk_dns_lookup_free(l);

	/* the TCP try times out: next server, still over TCP */
	l = start(r, "big2.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, PK_DNS_F_TC, 0, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 0), ==, PK_DNS_IN_ACCEPTED);
	take(r, &t);
	pk_dns_resolver_timer(r, 1 * SEC);
	take(r, &t);
	g_assert_cmpint(t.o.transport, ==, PK_DNS_TCP);
	g_assert_cmpuint(t.o.server, ==, 1);
	g_assert_cmpuint(t.o.to->port, ==, 5353);
	pk_dns_resolver_timer(r, 2 * SEC);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_TIMEOUT);
	pk_dns_lookup_free(l);
	pk_dns_resolver_free(r);
}

static void test_cname(void)
{
	struct pk_dns_resolver *r = mk(1, 0);
	const struct pk_dns_resolver_stats *st = pk_dns_resolver_stats(r);
	struct pk_dns_lookup *l = start(r, "www.example", PK_DNS_FAMILY_V4, 0);
	const struct pk_dns_addr *a;
	char buf[PK_DNS_NAME_STRLEN];
	struct sent s;
	struct mb m;
	unsigned int n;

	/* a chain inside one reply, out of order, with an unrelated A */
	take(r, &s);
	reply(&m, &s, 0, 4, 0);
	mb_a(&m, "edge2.cdn.example", 500, 198, 51, 100, 7);
	mb_cname(&m, "edge.cdn.example", 100, "edge2.cdn.example");
	mb_a(&m, "other.example", 500, 1, 1, 1, 1);
	mb_cname(&m, NULL, 400, "edge.cdn.example");
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	a = pk_dns_lookup_addrs(l, &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(a[0].addr[3], ==, 7);
	g_assert_cmpuint(a[0].ttl, ==, 100);
	g_assert_cmpuint(pk_dns_lookup_canonical_name(l, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "edge2.cdn.example");
	pk_dns_lookup_free(l);

	/* a loop */
	l = start(r, "loop.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, 0, 2, 0);
	mb_cname(&m, NULL, 100, "loop2.example");
	mb_cname(&m, "loop2.example", 100, "LOOP.example");
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_CNAME_LOOP);
	pk_dns_lookup_free(l);

	/* a chain longer than PK_DNS_MAX_CNAME */
	l = start(r, "c0.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, 0, PK_DNS_MAX_CNAME + 1, 0);
	for (unsigned int i = 0; i <= PK_DNS_MAX_CNAME; i++) {
		char from[32], to[32];

		g_snprintf(from, sizeof(from), "c%u.example", i);
		g_snprintf(to, sizeof(to), "c%u.example", i + 1);
		mb_cname(&m, from, 100, to);
	}
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_CNAME_LOOP);
	pk_dns_lookup_free(l);

	/* the chain ends without an address or SOA: ask for its end */
	l = start(r, "alias.example", PK_DNS_FAMILY_V6, 0);
	take(r, &s);
	reply(&m, &s, 0, 1, 0);
	mb_cname(&m, NULL, 50, "target.other");
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_PENDING);
	{
		uint16_t old_id = s.m.id;

		take(r, &s);
		g_assert_cmphex(s.m.id, !=, old_id);
	}
	g_assert_cmpuint(s.m.question.qtype, ==, PK_DNS_T_AAAA);
	g_assert_cmpuint(pk_dns_name_to_text(&s.m.question.name, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "target.other");
	g_assert_cmpuint(st->cname_requeries, ==, 1);
	reply(&m, &s, 0, 1, 0);
	mb_aaaa(&m, NULL, 3600, 9);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	a = pk_dns_lookup_addrs(l, &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(a[0].family, ==, 6);
	g_assert_cmpuint(a[0].addr[15], ==, 9);
	g_assert_cmpuint(a[0].ttl, ==, 50);	/* the CNAME's TTL bounds it */
	g_assert_cmpuint(pk_dns_lookup_canonical_name(l, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "target.other");
	pk_dns_lookup_free(l);

	/* chain ends in a SOA: the target has no such records (NODATA) */
	l = start(r, "alias2.example", PK_DNS_FAMILY_V6, 0);
	take(r, &s);
	reply(&m, &s, 0, 1, 1);
	mb_cname(&m, NULL, 50, "v4only.other");
	mb_soa(&m, "other", 300, 30);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_NODATA);
	nothing_to_send(r);
	pk_dns_lookup_free(l);
	pk_dns_resolver_free(r);
}

static void test_cache(void)
{
	struct pk_dns_resolver *r = mk(1, 2);
	const struct pk_dns_resolver_stats *st = pk_dns_resolver_stats(r);
	struct pk_dns_lookup *l;
	const struct pk_dns_addr *a;
	struct sent s;
	struct mb m;
	unsigned int n;

	l = start(r, "cached.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, 0, 1, 0);
	mb_a(&m, NULL, 300, 10, 0, 0, 1);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 0), ==, PK_DNS_IN_ACCEPTED);
	pk_dns_lookup_free(l);
	g_assert_cmpuint(pk_dns_resolver_cache_count(r), ==, 1);

	/* hit, in another case, 100 s later: 200 s left, nothing sent */
	l = start(r, "CACHED.example.", PK_DNS_FAMILY_V4, 100 * SEC);
	nothing_to_send(r);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	g_assert_true(pk_dns_resolver_next_done(r) == l);
	a = pk_dns_lookup_addrs(l, &n);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpuint(a[0].ttl, ==, 200);
	g_assert_cmpuint(st->cache_hits, ==, 1);
	g_assert_cmpuint(st->cache_misses, ==, 1);
	pk_dns_lookup_free(l);

	/* expired at 300 s */
	l = start(r, "cached.example", PK_DNS_FAMILY_V4, 300 * SEC);
	take(r, &s);
	g_assert_cmpuint(st->cache_misses, ==, 2);
	g_assert_cmpuint(pk_dns_resolver_cache_count(r), ==, 0);
	pk_dns_lookup_free(l);

	/* NXDOMAIN: SOA TTL 3600, MINIMUM 60 -> 60 s */
	l = start(r, "nope.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, PK_DNS_RCODE_NXDOMAIN, 0, 1);
	mb_soa(&m, "example", 3600, 60);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 0), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_NXDOMAIN);
	pk_dns_lookup_free(l);
	l = start(r, "nope.example", PK_DNS_FAMILY_V4, 59 * SEC);
	nothing_to_send(r);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_NXDOMAIN);
	pk_dns_lookup_free(l);
	l = start(r, "nope.example", PK_DNS_FAMILY_V4, 60 * SEC);
	take(r, &s);
	/* without SOA: the default 15 s */
	reply(&m, &s, PK_DNS_RCODE_NXDOMAIN, 0, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 60 * SEC), ==, PK_DNS_IN_ACCEPTED);
	pk_dns_lookup_free(l);
	l = start(r, "nope.example", PK_DNS_FAMILY_V4, 74 * SEC);
	nothing_to_send(r);
	pk_dns_lookup_free(l);
	l = start(r, "nope.example", PK_DNS_FAMILY_V4, 75 * SEC);
	take(r, &s);
	pk_dns_lookup_free(l);

	/* LRU: size 2; using "a" makes "b" the one evicted by "c" */
	pk_dns_resolver_cache_clear(r);
	for (int i = 0; i < 3; i++) {
		const char *names[] = { "a.example", "b.example", "c.example" };

		if (i == 2) {
			l = start(r, "a.example", PK_DNS_FAMILY_V4, 1 * SEC);
			nothing_to_send(r);
			pk_dns_lookup_free(l);
		}
		l = start(r, names[i], PK_DNS_FAMILY_V4, 1 * SEC);
		take(r, &s);
		reply(&m, &s, 0, 1, 0);
		mb_a(&m, NULL, 300, 10, 0, 0, (uint8_t)i);
		g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1 * SEC), ==, PK_DNS_IN_ACCEPTED);
		pk_dns_lookup_free(l);
	}
	g_assert_cmpuint(pk_dns_resolver_cache_count(r), ==, 2);
	g_assert_cmpuint(st->cache_evictions, ==, 1);
	l = start(r, "a.example", PK_DNS_FAMILY_V4, 2 * SEC);
	nothing_to_send(r);
	pk_dns_lookup_free(l);
	l = start(r, "b.example", PK_DNS_FAMILY_V4, 2 * SEC);
	take(r, &s);
	pk_dns_lookup_free(l);

	/* TTL 0 is not cached */
	l = start(r, "zero.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	reply(&m, &s, 0, 1, 0);
	mb_a(&m, NULL, 0, 10, 0, 0, 1);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 0), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	pk_dns_lookup_free(l);
	l = start(r, "zero.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	pk_dns_lookup_free(l);
	pk_dns_resolver_free(r);
}

/* A and AAAA in parallel. */
static void test_both(void)
{
	struct pk_dns_resolver *r = mk(1, 0);
	struct pk_dns_lookup *l = start(r, "dual.example", PK_DNS_FAMILY_ANY, 0);
	const struct pk_dns_addr *a;
	struct sent s4, s6;
	struct mb m;
	unsigned int n;

	take(r, &s4);
	take(r, &s6);
	nothing_to_send(r);
	g_assert_cmpuint(s4.m.question.qtype, ==, PK_DNS_T_A);
	g_assert_cmpuint(s6.m.question.qtype, ==, PK_DNS_T_AAAA);
	g_assert_cmphex(s4.m.id, !=, s6.m.id);
	/* the AAAA answer to the A query's ID does not match its question */
	reply(&m, &s6, 0, 1, 0);
	mb_aaaa(&m, NULL, 100, 1);
	pk_put_be16(m.b, s4.m.id);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_WRONG_QUESTION);
	pk_put_be16(m.b, s6.m.id);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_PENDING);
	g_assert_null(pk_dns_resolver_next_done(r));
	reply(&m, &s4, 0, 1, 0);
	mb_a(&m, NULL, 100, 10, 9, 9, 9);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 2), ==, PK_DNS_IN_ACCEPTED);
	g_assert_true(pk_dns_resolver_next_done(r) == l);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	a = pk_dns_lookup_addrs(l, &n);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpuint(a[0].family, ==, 4);
	g_assert_cmpuint(a[1].family, ==, 6);
	pk_dns_lookup_free(l);

	/* A: NODATA, AAAA: an address -> OK; both NODATA -> NODATA */
	for (int round = 0; round < 2; round++) {
		l = start(r, round ? "none.example" : "v6only.example", PK_DNS_FAMILY_ANY, 0);
		take(r, &s4);
		take(r, &s6);
		reply(&m, &s4, 0, 0, 1);
		mb_soa(&m, "example", 300, 30);
		g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
		if (round) {
			reply(&m, &s6, 0, 0, 0);
		} else {
			reply(&m, &s6, 0, 1, 0);
			mb_aaaa(&m, NULL, 100, 1);
		}
		g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
		g_assert_cmpint(pk_dns_lookup_status(l), ==, round ? PK_DNS_ST_NODATA : PK_DNS_ST_OK);
		pk_dns_lookup_addrs(l, &n);
		g_assert_cmpuint(n, ==, round ? 0 : 1);
		pk_dns_lookup_free(l);
	}

	/* freeing a running lookup forgets its queries */
	l = start(r, "gone.example", PK_DNS_FAMILY_ANY, 0);
	take(r, &s4);
	pk_dns_lookup_free(l);
	nothing_to_send(r);
	reply(&m, &s4, 0, 0, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_UNKNOWN_ID);
	g_assert_cmpuint(pk_dns_resolver_deadline(r), ==, UINT64_MAX);
	/* and the resolver frees what is left */
	start(r, "left.example", PK_DNS_FAMILY_ANY, 0);
	pk_dns_resolver_free(r);
}

/* Server errors move on; FORMERR to EDNS is retried without it. */
static void test_server_errors(void)
{
	struct pk_dns_resolver *r = mk(1, 0);
	const struct pk_dns_resolver_stats *st = pk_dns_resolver_stats(r);
	struct pk_dns_lookup *l = start(r, "broken.example", PK_DNS_FAMILY_V4, 0);
	struct sent s;
	struct mb m;

	take(r, &s);
	reply(&m, &s, PK_DNS_RCODE_SERVFAIL, 0, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	take(r, &s);
	g_assert_cmpuint(s.o.server, ==, 1);
	reply(&m, &s, PK_DNS_RCODE_REFUSED, 0, 0);
	g_assert_cmpint(feed(r, &m, 1, PK_DNS_UDP, 2), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_SERVFAIL);
	g_assert_cmpuint(st->server_errors, ==, 2);
	pk_dns_lookup_free(l);

	l = start(r, "old.example", PK_DNS_FAMILY_V4, 0);
	take(r, &s);
	g_assert_true(s.m.edns);
	/* FORMERR without a question section */
	mb_hdr(&m, s.m.id, PK_DNS_F_QR | PK_DNS_RCODE_FORMERR, 0, 0, 0, 0);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 1), ==, PK_DNS_IN_ACCEPTED);
	take(r, &s);
	g_assert_cmpuint(s.o.server, ==, 0);
	g_assert_false(s.m.edns);
	g_assert_cmpuint(s.m.arcount, ==, 0);
	g_assert_cmpuint(st->edns_fallbacks, ==, 1);
	reply(&m, &s, 0, 1, 0);
	mb_a(&m, NULL, 10, 1, 2, 3, 4);
	g_assert_cmpint(feed(r, &m, 0, PK_DNS_UDP, 2), ==, PK_DNS_IN_ACCEPTED);
	g_assert_cmpint(pk_dns_lookup_status(l), ==, PK_DNS_ST_OK);
	pk_dns_lookup_free(l);
	pk_dns_resolver_free(r);
	for (int i = PK_DNS_ST_PENDING; i <= PK_DNS_ST_LIMIT; i++)
		g_assert_cmpstr(pk_dns_status_name(i), !=, "unknown");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dns/resolver/basic", test_basic);
	g_test_add_func("/dns/resolver/retries", test_retries);
	g_test_add_func("/dns/resolver/validation", test_validation);
	g_test_add_func("/dns/resolver/tcp-fallback", test_tcp_fallback);
	g_test_add_func("/dns/resolver/cname", test_cname);
	g_test_add_func("/dns/resolver/cache", test_cache);
	g_test_add_func("/dns/resolver/both-families", test_both);
	g_test_add_func("/dns/resolver/server-errors", test_server_errors);
	return g_test_run();
}
