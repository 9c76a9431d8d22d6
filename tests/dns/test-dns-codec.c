/* SPDX-License-Identifier: MIT
 * test-dns-codec.c - DNS codec: names from/to text, query building, compression, every parse error, framing
 */
#include "dns-test-util.h"

static enum pk_dns_err parse(const struct mb *m, struct pk_dns_msg *msg)
{
	return pk_dns_parse(m->b, m->len, msg);
}

static void test_name_text(void)
{
	uint8_t w[PK_DNS_NAME_MAX];
	char text[400], buf[PK_DNS_NAME_STRLEN];
	uint32_t wl;
	struct pk_dns_name n;

	g_assert_cmpint(pk_dns_name_from_text("www.Example.com", w, &wl), ==, PK_DNS_OK);
	g_assert_cmpuint(wl, ==, 17);
	g_assert_cmpmem(w, wl, "\3www\7Example\3com", 17);
	g_assert_cmpint(pk_dns_name_from_text("www.Example.com.", w, &wl), ==, PK_DNS_OK);
	g_assert_cmpuint(wl, ==, 17);
	g_assert_cmpint(pk_dns_name_from_text(".", w, &wl), ==, PK_DNS_OK);
	g_assert_cmpuint(wl, ==, 1);
	g_assert_cmpuint(w[0], ==, 0);

	g_assert_cmpint(pk_dns_name_from_text("", w, &wl), ==, PK_DNS_E_EMPTY_LABEL);
	g_assert_cmpint(pk_dns_name_from_text("a..b", w, &wl), ==, PK_DNS_E_EMPTY_LABEL);
	g_assert_cmpint(pk_dns_name_from_text(".a", w, &wl), ==, PK_DNS_E_EMPTY_LABEL);
	g_assert_cmpint(pk_dns_name_from_text("a..", w, &wl), ==, PK_DNS_E_EMPTY_LABEL);
	g_assert_cmpint(pk_dns_name_from_text("a b", w, &wl), ==, PK_DNS_E_BAD_CHAR);
	g_assert_cmpint(pk_dns_name_from_text("a\tb", w, &wl), ==, PK_DNS_E_BAD_CHAR);
	g_assert_cmpint(pk_dns_name_from_text("a\x7f", w, &wl), ==, PK_DNS_E_BAD_CHAR);
	g_assert_cmpint(pk_dns_name_from_text("a\\", w, &wl), ==, PK_DNS_E_BAD_ESCAPE);
	g_assert_cmpint(pk_dns_name_from_text("a\\256", w, &wl), ==, PK_DNS_E_BAD_ESCAPE);
	g_assert_cmpint(pk_dns_name_from_text("a\\25", w, &wl), ==, PK_DNS_E_BAD_ESCAPE);

	/* permissive: underscore, UTF-8, escapes */
	g_assert_cmpint(pk_dns_name_from_text("_sip._udp.example", w, &wl), ==, PK_DNS_OK);
	g_assert_cmpint(pk_dns_name_from_text("b\xc3\xbc" "cher.example", w, &wl), ==, PK_DNS_OK);
	g_assert_cmpuint(w[0], ==, 7);
	g_assert_cmpint(pk_dns_name_from_text("a\\.b\\065\\032.c", w, &wl), ==, PK_DNS_OK);
	g_assert_cmpmem(w, wl, "\5a.bA \1c", 9);
	n = pk_dns_name_wire(w, wl);
	g_assert_cmpuint(pk_dns_name_to_text(&n, buf, sizeof(buf)), ==, strlen("a\\.bA\\032.c"));
	g_assert_cmpstr(buf, ==, "a\\.bA\\032.c");
	/* too small a buffer */
	g_assert_cmpuint(pk_dns_name_to_text(&n, buf, 5), ==, 0);
	w[0] = 0;
	n = pk_dns_name_wire(w, 1);
	g_assert_cmpuint(pk_dns_name_to_text(&n, buf, sizeof(buf)), ==, 1);
	g_assert_cmpstr(buf, ==, ".");

	/* labels: 63 fine, 64 not */
	memset(text, 'a', 64);
	text[64] = 0;
	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_E_LABEL_LONG);
	text[63] = 0;
	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_OK);
	g_assert_cmpuint(wl, ==, 65);

	/* 253 characters of text = 255 bytes of wire; one more is too long */
	for (int i = 0; i < 253; i++)
		text[i] = i % 64 == 63 ? '.' : 'x';
	text[253] = 0;
	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_OK);
	g_assert_cmpuint(wl, ==, 255);
	text[253] = '.';
	text[254] = 0;
	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_OK);
	text[253] = 'y';
	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_E_NAME_LONG);
	text[253] = '.';
	text[254] = 'y';
	text[255] = 0;
	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_E_NAME_LONG);
}

static void test_build_query(void)
{
	struct pk_dns_query_params qp = { .id = 0xbeef, .qtype = PK_DNS_T_AAAA, .rd = true,
					  .edns_udp_size = 1232 };
	uint8_t w[PK_DNS_NAME_MAX], out[PK_DNS_QUERY_MAX], frame[PK_DNS_QUERY_MAX + 2];
	struct pk_dns_msg m;
	struct pk_dns_iter it;
	struct pk_dns_question q;
	struct pk_dns_rr rr;
	struct pk_dns_name want;
	const uint8_t *msg;
	uint32_t wl, n, ml;

	g_assert_cmpint(pk_dns_name_from_text("host.example", w, &wl), ==, PK_DNS_OK);
	n = pk_dns_build_query(out, sizeof(out), w, wl, &qp);
	g_assert_cmpuint(n, ==, 12 + wl + 4 + 11);
	g_assert_cmpint(pk_dns_parse(out, n, &m), ==, PK_DNS_OK);
	g_assert_cmphex(m.id, ==, 0xbeef);
	g_assert_cmphex(m.flags, ==, PK_DNS_F_RD);
	g_assert_cmpuint(m.qdcount, ==, 1);
	g_assert_cmpuint(m.arcount, ==, 1);
	g_assert_true(m.edns);
	g_assert_cmpuint(m.edns_udp_size, ==, 1232);
	g_assert_true(m.has_question);
	g_assert_cmpuint(m.question.qtype, ==, PK_DNS_T_AAAA);
	g_assert_cmpuint(m.question.qclass, ==, PK_DNS_CLASS_IN);
	want = pk_dns_name_wire((const uint8_t *)"\4HOST\7EXAMPLE", 14);
	g_assert_true(pk_dns_name_equal(&m.question.name, &want));
	pk_dns_iter_init(&it, &m);
	g_assert_true(pk_dns_next_question(&it, &q));
	g_assert_false(pk_dns_next_question(&it, &q));
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpuint(rr.type, ==, PK_DNS_T_OPT);
	g_assert_cmpint(rr.section, ==, PK_DNS_SEC_ADDITIONAL);
	g_assert_false(pk_dns_next_rr(&it, &rr));

	/* no EDNS, no RD; small buffers and bad names refused */
	qp.edns_udp_size = 0;
	qp.rd = false;
	n = pk_dns_build_query(out, sizeof(out), w, wl, &qp);
	g_assert_cmpuint(n, ==, 12 + wl + 4);
	g_assert_cmpint(pk_dns_parse(out, n, &m), ==, PK_DNS_OK);
	g_assert_cmphex(m.flags, ==, 0);
	g_assert_false(m.edns);
	g_assert_cmpuint(pk_dns_build_query(out, n - 1, w, wl, &qp), ==, 0);
	g_assert_cmpuint(pk_dns_build_query(out, sizeof(out), w, wl - 1, &qp), ==, 0);
	g_assert_cmpuint(pk_dns_build_query(out, sizeof(out), (const uint8_t *)"\xc0\x0c", 2, &qp), ==, 0);

	/* TCP framing, in place and from a stream that arrives in pieces */
	memcpy(frame + 2, out, n);
	g_assert_cmpuint(pk_dns_tcp_frame(frame, sizeof(frame), frame + 2, n), ==, n + 2);
	g_assert_cmpuint(pk_get_be16(frame), ==, n);
	g_assert_cmpuint(pk_dns_tcp_frame(frame, n + 1, out, n), ==, 0);
	g_assert_cmpuint(pk_dns_tcp_unframe(frame, 1, &msg, &ml), ==, 0);
	g_assert_cmpuint(pk_dns_tcp_unframe(frame, n + 1, &msg, &ml), ==, 0);
	g_assert_cmpuint(pk_dns_tcp_unframe(frame, n + 2, &msg, &ml), ==, n + 2);
	g_assert_cmpmem(msg, ml, out, n);
	g_assert_cmpuint(pk_dns_random_id() != pk_dns_random_id() || pk_dns_random_id() != pk_dns_random_id(), ==, 1);
}

/* A reply with compression in owners and in CNAME RDATA, and a SOA. */
static void test_compressed(void)
{
	struct mb m;
	struct pk_dns_msg msg;
	struct pk_dns_iter it;
	struct pk_dns_rr rr;
	char buf[PK_DNS_NAME_STRLEN];
	uint32_t alias_at;
	struct pk_dns_name n;
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl;

	mb_hdr(&m, 7, PK_DNS_F_QR | PK_DNS_F_RD | PK_DNS_F_RA, 1, 3, 1, 0);
	mb_question(&m, "www.example.com", PK_DNS_T_A);
	/* www.example.com CNAME edge.example.com (compressed onto example.com at 16) */
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, PK_DNS_T_CNAME, 300, 7);
	alias_at = mb_label_ptr(&m, "edge", 16);
	/* edge.example.com A, owner pointing into the CNAME RDATA */
	mb_ptr(&m, (uint16_t)alias_at);
	mb_rr_fixed(&m, PK_DNS_T_A, 60, 4);
	mb_bytes(&m, "\xc0\x00\x02\x01", 4);
	/* an unknown type is skipped as raw RDATA */
	mb_ptr(&m, (uint16_t)alias_at);
	mb_rr_fixed(&m, 99, 60, 3);
	mb_bytes(&m, "xyz", 3);
	mb_soa(&m, "example.com", 3600, 120);
	/* trailing bytes are ignored */
	mb_u8(&m, 0xff);

	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_OK);
	g_assert_cmpuint(msg.end, ==, m.len - 1);
	pk_dns_iter_init(&it, &msg);
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpint(rr.section, ==, PK_DNS_SEC_ANSWER);
	g_assert_cmpuint(rr.type, ==, PK_DNS_T_CNAME);
	g_assert_cmpuint(rr.ttl, ==, 300);
	g_assert_cmpuint(pk_dns_name_to_text(&rr.name, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "www.example.com");
	g_assert_cmpuint(pk_dns_name_to_text(&rr.cname, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "edge.example.com");
	g_assert_cmpint(pk_dns_name_unpack(&rr.cname, w, &wl), ==, PK_DNS_OK);
	g_assert_cmpmem(w, wl, "\4edge\7example\3com", 18);
	g_assert_cmpint(pk_dns_name_from_text("EDGE.EXAMPLE.COM", w, &wl), ==, PK_DNS_OK);
	n = pk_dns_name_wire(w, wl);
	g_assert_true(pk_dns_name_equal(&rr.cname, &n));
	g_assert_false(pk_dns_name_equal(&rr.name, &n));
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpuint(rr.type, ==, PK_DNS_T_A);
	g_assert_true(pk_dns_name_equal(&rr.name, &n));
	g_assert_cmpmem(rr.a.b, 4, "\xc0\x00\x02\x01", 4);
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpuint(rr.type, ==, 99);
	g_assert_cmpmem(rr.rdata, rr.rdlen, "xyz", 3);
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpint(rr.section, ==, PK_DNS_SEC_AUTHORITY);
	g_assert_cmpuint(rr.type, ==, PK_DNS_T_SOA);
	g_assert_cmpuint(rr.soa.minimum, ==, 120);
	g_assert_cmpuint(rr.soa.expire, ==, 1209600);
	g_assert_cmpuint(pk_dns_name_to_text(&rr.soa.rname, buf, sizeof(buf)), >, 0);
	g_assert_cmpstr(buf, ==, "hostmaster.example");
	g_assert_false(pk_dns_next_rr(&it, &rr));

	/* a negative TTL reads as 0 (RFC 2181) */
	pk_put_be32(m.b + 12 + 17 + 4 + 2 + 4, 0x80000001u);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_OK);
	pk_dns_iter_init(&it, &msg);
	g_assert_true(pk_dns_next_rr(&it, &rr));
	g_assert_cmpuint(rr.ttl, ==, 0);
}

/* Every way pk_dns_parse() refuses a message. */
static void test_errors(void)
{
	struct mb m;
	struct pk_dns_msg msg;
	char big[64 * 4 + 1];
	uint32_t at;

	/* shorter than the header */
	mb_hdr(&m, 1, PK_DNS_F_QR, 0, 0, 0, 0);
	m.len = 11;
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_SHORT);
	m.len = 12;
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_OK);

	/* counts larger than the message */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 100, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_a(&m, NULL, 1, 1, 2, 3, 4);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_COUNTS);
	g_assert_true(msg.has_question);	/* still matchable */
	g_assert_cmpuint(msg.question.qtype, ==, PK_DNS_T_A);
	g_assert_cmpuint(msg.ancount, ==, 100);
	mb_set_count(&m, 0, 0xffff);
	mb_set_count(&m, 1, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_COUNTS);
	/* a count that fits the minimum sizes but not the actual records */
	mb_set_count(&m, 0, 1);
	mb_set_count(&m, 1, 2);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RR_TRUNC);
	g_assert_true(msg.has_question);

	/* a pointer to itself, past itself, into the header */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_ptr(&m, 12);
	mb_u32(&m, 0x00010001);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_FORWARD);
	g_assert_false(msg.has_question);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_ptr(&m, 14);
	mb_u8(&m, 0);
	mb_u32(&m, 0x00010001);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_FORWARD);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_ptr(&m, 4);
	mb_u32(&m, 0x00010001);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_FORWARD);

	/* pointer loops: a label then a pointer back to that label; two
	 * names pointing at each other through their labels */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_label_ptr(&m, "a", 12);
	mb_u32(&m, 0x00010001);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_LOOP);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "q.example", PK_DNS_T_A);
	at = m.len;
	/* owner: "b" -> (at + 4): "c" -> at: "b" -> ... */
	mb_u8(&m, 1);
	mb_u8(&m, 'b');
	mb_ptr(&m, (uint16_t)(at + 4));
	mb_u8(&m, 1);
	mb_u8(&m, 'c');
	mb_ptr(&m, (uint16_t)at);
	mb_rr_fixed(&m, PK_DNS_T_A, 1, 4);
	mb_u32(&m, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_FORWARD);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "q.example", PK_DNS_T_A);
	at = m.len;
	mb_u8(&m, 1);
	mb_u8(&m, 'b');
	mb_u8(&m, 1);
	mb_u8(&m, 'c');
	mb_ptr(&m, (uint16_t)(at + 2));	/* backwards, but into its own run */
	mb_rr_fixed(&m, PK_DNS_T_A, 1, 4);
	mb_u32(&m, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_LOOP);

	/* a chain of PK_DNS_MAX_PTR_HOPS + 1 pointers, each to the one before */
	for (unsigned int hops = PK_DNS_MAX_PTR_HOPS; hops <= PK_DNS_MAX_PTR_HOPS + 1; hops++) {
		uint32_t rd_at, prev;

		mb_hdr(&m, 1, PK_DNS_F_QR, 1, 2, 0, 0);
		mb_question(&m, ".", PK_DNS_T_A);
		mb_ptr(&m, 12);
		mb_rr_fixed(&m, 99, 1, 0);
		rd_at = m.len;
		prev = 12;
		for (unsigned int i = 0; i + 1 < hops; i++) {
			uint32_t here = m.len;

			mb_ptr(&m, (uint16_t)prev);
			prev = here;
		}
		pk_put_be16(m.b + rd_at - 2, (uint16_t)(m.len - rd_at));
		mb_ptr(&m, (uint16_t)prev);
		mb_rr_fixed(&m, PK_DNS_T_A, 1, 4);
		mb_u32(&m, 0);
		g_assert_cmpint(parse(&m, &msg), ==,
				hops <= PK_DNS_MAX_PTR_HOPS ? PK_DNS_OK : PK_DNS_E_PTR_LOOP);
	}

	/* names over 255 bytes: plain, and only through a pointer */
	memset(big, 0, sizeof(big));
	for (int i = 0; i < 4 * 64 - 1; i++)
		big[i] = i % 64 == 63 ? '.' : 'x';
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		mb_u8(&m, 63);
		mb_bytes(&m, big, 63);
	}
	mb_u8(&m, 0);
	mb_u32(&m, 0x00010001);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_NAME_LONG);
	big[3 * 64 - 1] = 0;	/* three 63-byte labels: 193 bytes */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, big, PK_DNS_T_A);
	mb_label_ptr(&m, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", 12);	/* 61 */
	mb_rr_fixed(&m, PK_DNS_T_A, 1, 4);
	mb_u32(&m, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_OK);	/* 62 + 193 = 255 */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, big, PK_DNS_T_A);
	mb_label_ptr(&m, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", 12);	/* 62 */
	mb_rr_fixed(&m, PK_DNS_T_A, 1, 4);
	mb_u32(&m, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_NAME_LONG);

	/* a label length byte of 64 (and the reserved 10 type) */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_u8(&m, 64);
	for (int i = 0; i < 64; i++)
		mb_u8(&m, 'a');
	mb_u8(&m, 0);
	mb_u32(&m, 0x00010001);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_LABEL_LONG);
	m.b[12] = 0x80;
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_LABEL_LONG);

	/* a name running past the end: label, and half a pointer */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_u8(&m, 10);
	mb_bytes(&m, "abc", 3);
	mb_u8(&m, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_NAME_TRUNC);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_u8(&m, 0xc0);
	g_assert_cmpuint(m.len, ==, 12 + 5 + 11);	/* the counts fit */
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_NAME_TRUNC);

	/* question and record fixed parts and RDATA cut short */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 0, 0, 0);
	mb_name(&m, "a.example");
	mb_u16(&m, 1);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RR_TRUNC);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_a(&m, NULL, 1, 1, 2, 3, 4);
	m.len -= 2;
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RR_TRUNC);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, 99, 1, 100);
	mb_bytes(&m, "0123456789", 10);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RR_TRUNC);

	/* RDATA of the wrong size for A, AAAA; CNAME with a byte too many */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, PK_DNS_T_A, 1, 5);
	mb_bytes(&m, "12345", 5);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RDATA);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_AAAA);
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, PK_DNS_T_AAAA, 1, 4);
	mb_bytes(&m, "1234", 4);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RDATA);
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, PK_DNS_T_CNAME, 1, 3);
	mb_bytes(&m, "\xc0\x0c\x00", 3);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RDATA);
	/* a CNAME whose name runs past its RDATA into the next bytes */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_ptr(&m, 12);
	mb_rr_fixed(&m, PK_DNS_T_CNAME, 1, 2);
	mb_bytes(&m, "\1b\0", 3);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_RDATA);
	/* a CNAME target with a pointer loop keeps its specific error */
	mb_hdr(&m, 1, PK_DNS_F_QR, 1, 1, 0, 0);
	mb_question(&m, "a.example", PK_DNS_T_A);
	mb_ptr(&m, 12);
	at = m.len + 10;
	mb_rr_fixed(&m, PK_DNS_T_CNAME, 1, 4);
	mb_u8(&m, 1);
	mb_u8(&m, 'z');
	mb_ptr(&m, (uint16_t)at);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_PTR_LOOP);

	/* OPT in the answer section; two OPTs */
	mb_hdr(&m, 1, PK_DNS_F_QR, 0, 1, 0, 0);
	mb_u8(&m, 0);
	mb_rr_fixed(&m, PK_DNS_T_OPT, 0, 0);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_OPT);
	mb_set_count(&m, 1, 0);
	mb_set_count(&m, 3, 1);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_OK);
	g_assert_true(msg.edns);
	mb_u8(&m, 0);
	mb_rr_fixed(&m, PK_DNS_T_OPT, 0, 0);
	mb_set_count(&m, 3, 2);
	g_assert_cmpint(parse(&m, &msg), ==, PK_DNS_E_OPT);

	for (int e = PK_DNS_OK; e <= PK_DNS_E_NO_SPACE; e++)
		g_assert_cmpstr(pk_dns_err_name(e), !=, "unknown");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dns/codec/name-text", test_name_text);
	g_test_add_func("/dns/codec/build-query", test_build_query);
	g_test_add_func("/dns/codec/compressed", test_compressed);
	g_test_add_func("/dns/codec/errors", test_errors);
	return g_test_run();
}
