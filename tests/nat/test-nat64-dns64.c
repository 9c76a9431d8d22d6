/* SPDX-License-Identifier: MIT
 * test-nat64-dns64.c - DNS64 (RFC 6147): when to synthesise, the synthesised answer, TTLs, exclusions
 */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>
#include <pktkit/checksum.h>
#include <pktkit/toolkit/dns.h>

#include "nat64-dns64.h"

/* A message under construction. */
struct mb {
	uint8_t b[4096];
	uint32_t len;
};

static void mb_bytes(struct mb *m, const void *p, uint32_t n)
{
	g_assert_cmpuint(m->len + n, <=, sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void mb_u16(struct mb *m, uint16_t v)
{
	uint8_t b[2];

	pk_put_be16(b, v);
	mb_bytes(m, b, 2);
}

static void mb_u32(struct mb *m, uint32_t v)
{
	uint8_t b[4];

	pk_put_be32(b, v);
	mb_bytes(m, b, 4);
}

static void mb_name(struct mb *m, const char *text)
{
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl;

	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_OK);
	mb_bytes(m, w, wl);
}

/* Header and question; the counts of the other sections are patched in. */
static void mb_start(struct mb *m, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype)
{
	m->len = 0;
	mb_u16(m, id);
	mb_u16(m, flags);
	mb_u16(m, 1);
	mb_u16(m, 0);
	mb_u16(m, 0);
	mb_u16(m, 0);
	mb_name(m, qname);
	mb_u16(m, qtype);
	mb_u16(m, PK_DNS_CLASS_IN);
}

/* Append a record to section 1 (answer), 2 (authority) or 3 (additional). */
static void mb_rr(struct mb *m, int section, const char *owner, uint16_t type, uint32_t ttl,
		  const void *rdata, uint16_t rdlen)
{
	if (owner[0] == '@')
		mb_u16(m, 0xc000 | PK_DNS_HDR_LEN); /* pointer to the question name */
	else
		mb_name(m, owner);
	mb_u16(m, type);
	mb_u16(m, PK_DNS_CLASS_IN);
	mb_u32(m, ttl);
	mb_u16(m, rdlen);
	mb_bytes(m, rdata, rdlen);
	pk_put_be16(m->b + 4 + 2 * section, (uint16_t)(pk_get_be16(m->b + 4 + 2 * section) + 1));
}

static void mb_a(struct mb *m, const char *owner, const char *addr, uint32_t ttl)
{
	uint8_t a[4];

	g_assert_cmpint(inet_pton(AF_INET, addr, a), ==, 1);
	mb_rr(m, 1, owner, PK_DNS_T_A, ttl, a, 4);
}

static void mb_aaaa(struct mb *m, const char *owner, const char *addr, uint32_t ttl)
{
	uint8_t a[16];

	g_assert_cmpint(inet_pton(AF_INET6, addr, a), ==, 1);
	mb_rr(m, 1, owner, PK_DNS_T_AAAA, ttl, a, 16);
}

static void mb_cname(struct mb *m, const char *owner, const char *target, uint32_t ttl)
{
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl;

	g_assert_cmpint(pk_dns_name_from_text(target, w, &wl), ==, PK_DNS_OK);
	mb_rr(m, 1, owner, PK_DNS_T_CNAME, ttl, w, (uint16_t)wl);
}

static void mb_soa(struct mb *m, uint32_t ttl, uint32_t minimum)
{
	struct mb r = { .len = 0 };

	mb_name(&r, "ns.example.com");
	mb_name(&r, "admin.example.com");
	mb_u32(&r, 1);
	mb_u32(&r, 3600);
	mb_u32(&r, 600);
	mb_u32(&r, 86400);
	mb_u32(&r, minimum);
	mb_rr(m, 2, "example.com", PK_DNS_T_SOA, ttl, r.b, (uint16_t)r.len);
}

static void mb_opt(struct mb *m, uint16_t size, bool dnssec_ok)
{
	mb_u16(m, 0); /* root owner, type */
	m->len--;
	mb_u16(m, PK_DNS_T_OPT);
	mb_u16(m, size);
	mb_u32(m, dnssec_ok ? 0x8000u : 0);
	mb_u16(m, 0);
	pk_put_be16(m->b + 10, (uint16_t)(pk_get_be16(m->b + 10) + 1));
}

#define RESP (PK_DNS_F_QR | PK_DNS_F_RD | PK_DNS_F_RA)

static struct nat64_dns64_config cfg_wkp(void)
{
	struct nat64_dns64_config c = { 0 };

	nat64_prefix_wkp(&c.prefix);
	return c;
}

static void test_check(void)
{
	struct nat64_dns64_config c = cfg_wkp();
	struct pk_prefix excl[1];
	struct mb m;

	/* NOERROR, no answer: synthesise. */
	mb_start(&m, 1, RESP, "www.example.com", PK_DNS_T_AAAA);
	mb_soa(&m, 300, 60);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_NEED_A);
	/* A real AAAA: pass. */
	mb_start(&m, 1, RESP, "www.example.com", PK_DNS_T_AAAA);
	mb_aaaa(&m, "@", "2001:db8::1", 300);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_PASS);
	/* Only an excluded one (::ffff:0:0/96 by default): synthesise. */
	mb_start(&m, 1, RESP, "www.example.com", PK_DNS_T_AAAA);
	mb_aaaa(&m, "@", "::ffff:198.51.100.1", 300);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_NEED_A);
	/* ... unless the exclusion list is set without it. */
	g_assert_true(pk_prefix_parse("2001:db8:dead::/48", &excl[0]));
	c.exclude = excl;
	c.n_exclude = 1;
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_PASS);
	mb_start(&m, 1, RESP, "www.example.com", PK_DNS_T_AAAA);
	mb_aaaa(&m, "@", "2001:db8:dead::1", 300);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_NEED_A);
	c = cfg_wkp();
	/* A CNAME only: synthesise (for the chain's end). */
	mb_start(&m, 1, RESP, "www.example.com", PK_DNS_T_AAAA);
	mb_cname(&m, "@", "cdn.example.net", 300);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_NEED_A);
	/* NXDOMAIN passes; SERVFAIL counts as empty. */
	mb_start(&m, 1, RESP | PK_DNS_RCODE_NXDOMAIN, "www.example.com", PK_DNS_T_AAAA);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_PASS);
	mb_start(&m, 1, RESP | PK_DNS_RCODE_SERVFAIL, "www.example.com", PK_DNS_T_AAAA);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_NEED_A);
	/* CD: the validating client gets the real answer. */
	mb_start(&m, 1, RESP | PK_DNS_F_CD, "www.example.com", PK_DNS_T_AAAA);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_PASS);
	/* Not a AAAA response. */
	mb_start(&m, 1, PK_DNS_F_RD, "www.example.com", PK_DNS_T_AAAA);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_INVALID);
	mb_start(&m, 1, RESP, "www.example.com", PK_DNS_T_A);
	g_assert_cmpint(nat64_dns64_check(m.b, m.len, &c), ==, NAT64_DNS64_INVALID);
	g_assert_cmpint(nat64_dns64_check(m.b, 5, &c), ==, NAT64_DNS64_INVALID);
	g_assert_cmpint(nat64_dns64_check(NULL, 0, &c), ==, NAT64_DNS64_INVALID);
}

static void test_a_query(void)
{
	struct mb m;
	struct pk_dns_msg q;
	uint8_t out[PK_DNS_QUERY_MAX];
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t n, wl;

	mb_start(&m, 7, RESP, "WWW.Example.com", PK_DNS_T_AAAA);
	mb_opt(&m, 4096, false);
	n = nat64_dns64_a_query(m.b, m.len, 0x4321, out, sizeof(out));
	g_assert_cmpuint(n, >, 0);
	g_assert_cmpint(pk_dns_parse(out, n, &q), ==, PK_DNS_OK);
	g_assert_cmpuint(q.id, ==, 0x4321);
	g_assert_false(q.flags & PK_DNS_F_QR);
	g_assert_true(q.flags & PK_DNS_F_RD);
	g_assert_cmpuint(q.question.qtype, ==, PK_DNS_T_A);
	g_assert_true(q.edns);
	g_assert_cmpint(pk_dns_name_from_text("www.example.com", w, &wl), ==, PK_DNS_OK);
	struct pk_dns_name want = pk_dns_name_wire(w, wl);
	g_assert_true(pk_dns_name_equal(&q.question.name, &want));
	g_assert_cmpuint(nat64_dns64_a_query(m.b, m.len, 1, out, 10), ==, 0);
	g_assert_cmpuint(nat64_dns64_a_query(m.b, 3, 1, out, sizeof(out)), ==, 0);
}

struct synth {
	struct pk_dns_msg msg;
	unsigned int n_aaaa, n_cname;
	uint8_t aaaa[8][16];
	uint32_t ttl[8];
};

static void parse_synth(const uint8_t *p, int n, struct synth *s)
{
	struct pk_dns_iter it;
	struct pk_dns_rr rr;

	memset(s, 0, sizeof(*s));
	g_assert_cmpint(n, >, 0);
	g_assert_cmpint(pk_dns_parse(p, (uint32_t)n, &s->msg), ==, PK_DNS_OK);
	pk_dns_iter_init(&it, &s->msg);
	while (pk_dns_next_rr(&it, &rr)) {
		if (rr.section != PK_DNS_SEC_ANSWER)
			continue;
		if (rr.type == PK_DNS_T_CNAME)
			s->n_cname++;
		if (rr.type == PK_DNS_T_AAAA && s->n_aaaa < 8) {
			memcpy(s->aaaa[s->n_aaaa], rr.aaaa.b, 16);
			s->ttl[s->n_aaaa++] = rr.ttl;
		}
	}
}

static void assert_v6(const uint8_t *got, const char *want)
{
	uint8_t w[16];

	g_assert_cmpint(inet_pton(AF_INET6, want, w), ==, 1);
	g_assert_cmpmem(got, 16, w, 16);
}

static void test_synthesize(void)
{
	struct nat64_dns64_config c = cfg_wkp();
	struct mb m6, m4;
	struct synth s;
	uint8_t out[1500];
	int n;

	mb_start(&m6, 0x1111, RESP | PK_DNS_F_AA | PK_DNS_F_AD, "www.example.com", PK_DNS_T_AAAA);
	mb_soa(&m6, 300, 60);
	mb_opt(&m6, 1232, true);
	mb_start(&m4, 0x2222, RESP, "www.example.com", PK_DNS_T_A);
	mb_cname(&m4, "@", "cdn.example.net", 3600);
	mb_a(&m4, "cdn.example.net", "198.51.100.7", 30); /* TEST-NET-2: not global */
	mb_a(&m4, "cdn.example.net", "8.8.4.4", 3600);
	mb_a(&m4, "cdn.example.net", "1.1.1.1", 45);
	mb_soa(&m4, 300, 60); /* authority of the A response is not copied */

	/* The WKP leaves the non-global address out; TTLs capped by the SOA. */
	n = nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out));
	parse_synth(out, n, &s);
	g_assert_cmpuint(s.msg.id, ==, 0x1111);
	g_assert_true(s.msg.flags & PK_DNS_F_QR);
	g_assert_true(s.msg.flags & PK_DNS_F_RD);
	g_assert_true(s.msg.flags & PK_DNS_F_RA);
	g_assert_false(s.msg.flags & (PK_DNS_F_AA | PK_DNS_F_AD | PK_DNS_F_TC));
	g_assert_cmpuint(s.msg.rcode, ==, 0);
	g_assert_cmpuint(s.msg.question.qtype, ==, PK_DNS_T_AAAA);
	g_assert_cmpuint(s.msg.ancount, ==, 3);
	g_assert_cmpuint(s.msg.nscount, ==, 0);
	g_assert_cmpuint(s.n_cname, ==, 1);
	g_assert_cmpuint(s.n_aaaa, ==, 2);
	assert_v6(s.aaaa[0], "64:ff9b::8.8.4.4");
	assert_v6(s.aaaa[1], "64:ff9b::1.1.1.1");
	g_assert_cmpuint(s.ttl[0], ==, 60);
	g_assert_cmpuint(s.ttl[1], ==, 45);
	g_assert_true(s.msg.edns);
	g_assert_cmpuint(s.msg.edns_udp_size, ==, 1232);
	g_assert_true(s.msg.edns_do);

	/* A network-specific /64 synthesises every address. */
	g_assert_true(nat64_prefix_parse("2001:db8:122:344::/64", &c.prefix, NULL));
	n = nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out));
	parse_synth(out, n, &s);
	g_assert_cmpuint(s.n_aaaa, ==, 3);
	assert_v6(s.aaaa[0], "2001:db8:122:344:c6:3364:700:0");
	g_assert_cmpuint(s.ttl[0], ==, 30);

	/* Without an SOA the TTL is at most 600 s (RFC 6147 5.1.7). */
	mb_start(&m6, 0x1111, RESP, "www.example.com", PK_DNS_T_AAAA);
	n = nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out));
	parse_synth(out, n, &s);
	g_assert_cmpuint(s.ttl[1], ==, 600);
	g_assert_cmpuint(s.ttl[2], ==, 45);
	g_assert_false(s.msg.edns);

	/* Too small: the records that fit, and TC. */
	n = nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, 100);
	parse_synth(out, n, &s);
	g_assert_cmpint(n, <=, 100);
	g_assert_true(s.msg.flags & PK_DNS_F_TC);
	g_assert_cmpuint(s.msg.ancount, <, 4);
	g_assert_cmpint(nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, 20), <, 0);

	/* An A response in error: forward the AAAA one. */
	mb_start(&m4, 0x2222, RESP | PK_DNS_RCODE_SERVFAIL, "www.example.com", PK_DNS_T_A);
	g_assert_cmpint(nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out)),
			==, 0);
	/* Responses that do not belong together. */
	mb_start(&m4, 0x2222, RESP, "other.example.com", PK_DNS_T_A);
	g_assert_cmpint(nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out)), <,
			0);
	mb_start(&m4, 0x2222, RESP, "www.example.com", PK_DNS_T_AAAA);
	g_assert_cmpint(nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out)), <,
			0);
	/* Case differences in the name do not matter (RFC 4343). */
	mb_start(&m4, 0x2222, RESP, "WWW.EXAMPLE.COM", PK_DNS_T_A);
	mb_a(&m4, "@", "8.8.8.8", 100);
	n = nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out));
	parse_synth(out, n, &s);
	g_assert_cmpuint(s.n_aaaa, ==, 1);
	/* No A records: an empty NOERROR answer. */
	mb_start(&m4, 0x2222, RESP, "www.example.com", PK_DNS_T_A);
	n = nat64_dns64_synthesize(m6.b, m6.len, m4.b, m4.len, &c, out, sizeof(out));
	parse_synth(out, n, &s);
	g_assert_cmpuint(s.msg.ancount, ==, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat64/dns64/check", test_check);
	g_test_add_func("/nat64/dns64/a-query", test_a_query);
	g_test_add_func("/nat64/dns64/synthesize", test_synthesize);
	return g_test_run();
}
