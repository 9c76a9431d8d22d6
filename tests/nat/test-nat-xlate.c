/* SPDX-License-Identifier: MIT
 * test-nat-xlate.c - NAT44 rewriting: every checksum recomputed from scratch after translation
 */
#include <arpa/inet.h>
#include <string.h>
#include <glib.h>
#include <pktkit/checksum.h>
#include <pktkit/ip.h>

#include "nat-xlate.h"

#define SEC 1000000000ull
#define TCP 6
#define UDP 17
#define ICMP 1

static uint32_t A(const char *s)
{
	uint32_t a;

	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a;
}

static struct nat_table *table(void)
{
	struct nat_params p = {
		.n_outside = 1,
		.port_lo = 1024,
		.port_hi = 65535,
		.port_preserve = true,
		.filtering = NAT_FILTER_APD,
		.max_flows = 256,
		.tcp_est_ns = 7440 * SEC,
		.tcp_trans_ns = 240 * SEC,
		.udp_ns = 300 * SEC,
		.icmp_ns = 60 * SEC,
		.seed = 7,
	};

	p.outside[0] = A("192.0.2.1");
	return nat_table_new(&p);
}

/* An IPv4 packet with complete checksums; returns its length. */
static uint32_t build(uint8_t *p, uint8_t proto, const char *src, uint16_t sport, const char *dst,
		      uint16_t dport, uint32_t payload, uint8_t tcp_flags)
{
	uint32_t l4h = proto == TCP ? 20 : 8, len = 20 + l4h + payload;
	uint32_t s = A(src), d = A(dst);
	uint8_t *l4 = p + 20;

	memset(p, 0, len);
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	pk_put_be16(p + 4, 0x1234);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	pk_ip4_csum_fill(p, 20);
	for (uint32_t i = 0; i < payload; i++)
		l4[l4h + i] = (uint8_t)(i * 7 + 3);
	if (proto == ICMP) {
		l4[0] = 8; /* echo request */
		pk_put_be16(l4 + 4, sport);
		pk_put_be16(l4 + 6, 1);
		pk_put_be16(l4 + 2, pk_csum(l4, l4h + payload));
		return len;
	}
	pk_put_be16(l4, sport);
	pk_put_be16(l4 + 2, dport);
	if (proto == UDP) {
		pk_put_be16(l4 + 4, (uint16_t)(8 + payload));
		pk_put_be16(l4 + 6, pk_csum_fold(pk_csum_partial(
					    l4, 8 + payload,
					    pk_csum_pseudo4(p + 12, p + 16, UDP, 8 + payload))));
	} else {
		p[20 + 12] = 5 << 4;
		l4[13] = tcp_flags;
		pk_put_be16(l4 + 14, 65535);
		pk_put_be32(l4 + 4, 1000);
		pk_put_be16(l4 + 16, pk_csum_fold(pk_csum_partial(
					     l4, 20 + payload,
					     pk_csum_pseudo4(p + 12, p + 16, TCP, 20 + payload))));
	}
	return len;
}

/* Every checksum of the packet, recomputed from scratch. */
static void verify(const uint8_t *p, uint32_t len)
{
	struct pk_ip4_view v = { 0 };

	g_assert_true(pk_ip4_parse(p, len, &v));
	g_assert_true(pk_ip4_csum_ok(&v));
	if (pk_ip4_is_fragment(&v))
		return;
	if (v.proto == ICMP)
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, 0));
	else if (v.proto == UDP && pk_get_be16(v.payload + 6) == 0)
		return;
	else
		g_assert_true(pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v)));
}

static void assert_ep(const uint8_t *addr_p, const uint8_t *port_p, const char *a, uint16_t port)
{
	uint32_t x;

	memcpy(&x, addr_p, 4);
	g_assert_cmpuint(x, ==, A(a));
	if (port_p)
		g_assert_cmpuint(pk_get_be16(port_p), ==, port);
}

static void test_udp_tcp(void)
{
	struct nat_table *t = table();
	uint8_t p[2048];
	struct nat_action act;
	uint32_t len;

	/* Odd payload length: the checksum's last byte is a half word. */
	len = build(p, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 33, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 2, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(act.out_if, ==, NAT_IF_OUTSIDE);
	g_assert_cmpuint(p[8], ==, 63);
	assert_ep(p + 12, p + 20, "192.0.2.1", 5000);
	verify(p, len);
	/* Second host, same port: the port changes. */
	len = build(p, UDP, "10.0.0.3", 5000, "198.51.100.1", 53, 100, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 1, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(pk_get_be16(p + 20), !=, 5000);
	verify(p, len);
	{
		uint16_t port = pk_get_be16(p + 20);

		/* The reply. */
		len = build(p, UDP, "198.51.100.1", 53, "192.0.2.1", port, 1, 0);
		g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, 0, &act), ==,
				NAT_R_FORWARD);
		g_assert_cmpuint(act.out_if, ==, 1);
		assert_ep(p + 16, p + 22, "10.0.0.3", 5000);
		verify(p, len);
	}
	/* A UDP checksum of zero stays zero. */
	len = build(p, UDP, "10.0.0.4", 5000, "198.51.100.1", 53, 10, 0);
	p[26] = p[27] = 0;
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(pk_get_be16(p + 26), ==, 0);
	verify(p, len);
	/* TCP. */
	len = build(p, TCP, "10.0.0.3", 40000, "198.51.100.1", 80, 501, 0x02);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	assert_ep(p + 12, p + 20, "192.0.2.1", 40000);
	verify(p, len);
	len = build(p, TCP, "10.0.0.4", 40000, "198.51.100.1", 80, 0, 0x02);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(pk_get_be16(p + 20), !=, 40000);
	verify(p, len);
	/* Link padding is not part of the packet. */
	len = build(p, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 2, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len + 8, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(act.len, ==, len);
	nat_table_free(t);
}

static void test_icmp_echo(void)
{
	struct nat_table *t = table();
	uint8_t p[256];
	struct nat_action act;
	uint32_t len;
	uint16_t id;

	len = build(p, ICMP, "10.0.0.2", 77, "198.51.100.1", 77, 56, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(pk_get_be16(p + 24), ==, 77);
	verify(p, len);
	len = build(p, ICMP, "10.0.0.3", 77, "198.51.100.1", 77, 56, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	id = pk_get_be16(p + 24);
	g_assert_cmpuint(id, !=, 77);
	verify(p, len);
	/* The reply to it. */
	len = build(p, ICMP, "198.51.100.1", id, "192.0.2.1", id, 56, 0);
	p[20] = 0;
	p[22] = p[23] = 0;
	pk_put_be16(p + 22, pk_csum(p + 20, len - 20));
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	assert_ep(p + 16, p + 24, "10.0.0.3", 77);
	verify(p, len);
	/* An echo request from outside is not translated. */
	len = build(p, ICMP, "198.51.100.1", id, "192.0.2.1", id, 8, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, 0, &act), ==,
			NAT_R_DROP_NO_MAPPING);
	nat_table_free(t);
}

/* An ICMP error from @src to @dst quoting @q (@qlen bytes of it). */
static uint32_t build_error(uint8_t *p, const char *src, const char *dst, uint8_t type,
			    const uint8_t *q, uint32_t qlen)
{
	uint32_t s = A(src), d = A(dst), len = 20 + 8 + qlen;

	memset(p, 0, 28);
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = ICMP;
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	pk_ip4_csum_fill(p, 20);
	p[20] = type;
	p[21] = 3;
	memcpy(p + 28, q, qlen);
	pk_put_be16(p + 22, pk_csum(p + 20, 8 + qlen));
	return len;
}

static void test_icmp_errors(void)
{
	struct nat_table *t = table();
	uint8_t p[1024], q[512], q2[512];
	struct nat_action act;
	uint32_t len, qlen;
	uint16_t port;

	/* Two hosts: the second one's port is translated. */
	len = build(q, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 20, 0);
	g_assert_cmpint(nat_xlate_packet(t, q, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	qlen = build(q, UDP, "10.0.0.3", 5000, "198.51.100.1", 53, 20, 0);
	g_assert_cmpint(nat_xlate_packet(t, q, qlen, NAT_DIR_OUT, 4, false, 0, &act), ==,
			NAT_R_FORWARD);
	port = pk_get_be16(q + 20);
	/* A router outside answers: the quote is what left the NAT. */
	len = build_error(p, "203.0.113.1", "192.0.2.1", 3, q, qlen);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, SEC, &act), ==,
			NAT_R_FORWARD);
	g_assert_true(act.flags & NAT_ACT_ICMP_ERROR);
	g_assert_cmpuint(act.out_if, ==, 4);
	assert_ep(p + 16, NULL, "10.0.0.3", 0);
	assert_ep(p + 28 + 12, p + 28 + 20, "10.0.0.3", 5000);
	verify(p, len);
	verify(p + 28, qlen); /* the quote: IP and UDP checksums */
	/* Truncated quote (8 bytes of UDP): still translated, ICMP sum right. */
	len = build_error(p, "203.0.113.1", "192.0.2.1", 11, q, 28);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, SEC, &act), ==,
			NAT_R_FORWARD);
	assert_ep(p + 28 + 12, p + 28 + 20, "10.0.0.3", 5000);
	g_assert_true(pk_csum_ok(p + 20, len - 20, 0));
	g_assert_true(pk_csum_ok(p + 28, 20, 0));

	/* The inside host answers a packet from outside with an error. */
	qlen = build(q2, UDP, "198.51.100.1", 53, "10.0.0.3", 5000, 20, 0);
	len = build_error(p, "10.0.0.3", "198.51.100.1", 3, q2, qlen);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 4, false, SEC, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(act.out_if, ==, NAT_IF_OUTSIDE);
	assert_ep(p + 12, NULL, "192.0.2.1", 0);
	assert_ep(p + 28 + 16, p + 28 + 22, "192.0.2.1", port);
	verify(p, len);
	verify(p + 28, qlen);
	/* About no known flow: dropped. */
	qlen = build(q2, UDP, "198.51.100.1", 53, "10.0.0.9", 5000, 20, 0);
	len = build_error(p, "10.0.0.9", "198.51.100.1", 3, q2, qlen);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 4, false, SEC, &act), ==,
			NAT_R_DROP_ICMP_NO_FLOW);
	/* An error about a ping. */
	qlen = build(q, ICMP, "10.0.0.3", 9, "198.51.100.1", 9, 16, 0);
	g_assert_cmpint(nat_xlate_packet(t, q, qlen, NAT_DIR_OUT, 4, false, 0, &act), ==,
			NAT_R_FORWARD);
	len = build_error(p, "203.0.113.1", "192.0.2.1", 11, q, qlen);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, SEC, &act), ==,
			NAT_R_FORWARD);
	assert_ep(p + 28 + 12, p + 28 + 24, "10.0.0.3", 9);
	verify(p, len);
	verify(p + 28, qlen);
	nat_table_free(t);
}

static void test_partial(void)
{
	struct nat_table *t = table();
	uint8_t p[512];
	struct nat_action act;
	uint32_t len, l4len;

	/* A TCP segment whose checksum field holds the pseudo-header sum. */
	len = build(p, TCP, "10.0.0.2", 40000, "198.51.100.1", 80, 100, 0x02);
	l4len = len - 20;
	pk_put_be16(p + 36, (uint16_t)~pk_csum_fold(pk_csum_pseudo4(p + 12, p + 16, TCP, l4len)));
	/* Another host holds port 40000, so the port changes too. */
	{
		uint8_t o[128];
		uint32_t ol = build(o, TCP, "10.0.0.9", 40000, "198.51.100.1", 80, 0, 0x02);

		g_assert_cmpint(nat_xlate_packet(t, o, ol, NAT_DIR_OUT, 0, false, 0, &act), ==,
				NAT_R_FORWARD);
	}
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, true, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_cmpuint(pk_get_be16(p + 20), !=, 40000);
	g_assert_true(pk_csum_ok(p, 20, 0));
	/* The field is now the pseudo-header sum of the new addresses ... */
	g_assert_cmpuint(pk_get_be16(p + 36), ==,
			 (uint16_t)~pk_csum_fold(pk_csum_pseudo4(p + 12, p + 16, TCP, l4len)));
	/* ... so completing it as offload would gives a right checksum. */
	pk_put_be16(p + 36, pk_csum_fold(pk_csum_partial(p + 20, l4len, 0)));
	verify(p, len);
	nat_table_free(t);
}

static void test_ttl(void)
{
	struct nat_table *t = table();
	uint8_t p[128], copy[128];
	struct nat_action act;
	uint32_t len = build(p, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 4, 0);

	p[8] = 1;
	pk_ip4_csum_fill(p, 20);
	memcpy(copy, p, len);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_TTL_EXCEEDED);
	g_assert_cmpmem(p, len, copy, len);
	g_assert_cmpuint(nat_table_n_flows(t), ==, 0);
	/* Malformed and foreign packets. */
	p[8] = 64;
	p[10] ^= 1;
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_DROP_BAD_CSUM);
	g_assert_cmpint(nat_xlate_packet(t, p, 19, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_DROP_INVALID);
	len = build(p, UDP, "198.51.100.1", 53, "192.0.2.77", 5000, 4, 0);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_IN, 0, false, 0, &act), ==,
			NAT_R_DROP_NOT_OURS);
	nat_table_free(t);
}

static void test_hairpin(void)
{
	struct nat_table *t = table();
	struct nat_endpoint4 o = { A("192.0.2.1"), 8080 }, srv = { A("10.0.0.5"), 80 };
	uint8_t p[256];
	struct nat_action act;
	uint32_t len;

	g_assert_cmpint(nat_table_static_add(t, TCP, &o, &srv, 2), ==, NAT_CORE_OK);
	len = build(p, TCP, "10.0.0.2", 40000, "192.0.2.1", 8080, 10, 0x02);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_true(act.flags & NAT_ACT_HAIRPIN);
	g_assert_cmpuint(act.out_if, ==, 2);
	assert_ep(p + 12, p + 20, "192.0.2.1", 40000);
	assert_ep(p + 16, p + 22, "10.0.0.5", 80);
	verify(p, len);
	/* The answer goes back through the client's mapping. */
	len = build(p, TCP, "10.0.0.5", 80, "192.0.2.1", 40000, 10, 0x12);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 2, false, 0, &act), ==,
			NAT_R_FORWARD);
	g_assert_true(act.flags & NAT_ACT_HAIRPIN);
	g_assert_cmpuint(act.out_if, ==, 0);
	assert_ep(p + 12, p + 20, "192.0.2.1", 8080);
	assert_ep(p + 16, p + 22, "10.0.0.2", 40000);
	verify(p, len);
	nat_table_free(t);
}

static void test_fragments(void)
{
	struct nat_table *t = table();
	uint8_t p[256], f2[64];
	struct nat_action act;
	uint32_t len;

	/* First fragment: UDP header and 16 bytes of a longer datagram. */
	len = build(p, UDP, "10.0.0.2", 5000, "198.51.100.1", 53, 16, 0);
	pk_put_be16(p + 24, 60); /* the whole datagram */
	pk_put_be16(p + 6, PK_IP4_MF);
	pk_ip4_csum_fill(p, 20);
	g_assert_cmpint(nat_xlate_packet(t, p, len, NAT_DIR_OUT, 0, false, 0, &act), ==,
			NAT_R_FORWARD);
	assert_ep(p + 12, NULL, "192.0.2.1", 0);
	/* A later one follows it. */
	memcpy(f2, p, 20);
	f2[8] = 64;
	memcpy(f2 + 12, &(uint32_t){ A("10.0.0.2") }, 4);
	pk_put_be16(f2 + 2, 20 + 24);
	pk_put_be16(f2 + 6, 3); /* offset 24 */
	pk_ip4_csum_fill(f2, 20);
	g_assert_cmpint(nat_xlate_packet(t, f2, 44, NAT_DIR_OUT, 0, false, SEC, &act), ==,
			NAT_R_FORWARD);
	g_assert_true(act.flags & NAT_ACT_FRAGMENT);
	assert_ep(f2 + 12, NULL, "192.0.2.1", 0);
	g_assert_true(pk_csum_ok(f2, 20, 0));
	/* One of a datagram whose first fragment was not seen. */
	memcpy(f2 + 12, &(uint32_t){ A("10.0.0.2") }, 4);
	pk_put_be16(f2 + 4, 0x9999);
	pk_ip4_csum_fill(f2, 20);
	g_assert_cmpint(nat_xlate_packet(t, f2, 44, NAT_DIR_OUT, 0, false, SEC, &act), ==,
			NAT_R_DROP_FRAG_NO_STATE);
	nat_table_free(t);
}

static void test_partial_update_math(void)
{
	/* Adjusting a partial sum equals summing the new pseudo header. */
	for (unsigned i = 0; i < 1000; i++) {
		uint8_t a[4], b[4], c[4], field[2];
		uint32_t from, to;

		for (unsigned k = 0; k < 4; k++) {
			a[k] = (uint8_t)g_random_int();
			b[k] = (uint8_t)g_random_int();
			c[k] = (uint8_t)g_random_int();
		}
		pk_put_be16(field, (uint16_t)~pk_csum_fold(pk_csum_pseudo4(a, b, TCP, 1234)));
		from = pk_get_be32(a);
		to = pk_get_be32(c);
		nat_csum_partial_update32(field, from, to);
		/* Equal as one's-complement numbers (0 and 0xffff alike). */
		{
			uint16_t want = (uint16_t)~pk_csum_fold(pk_csum_pseudo4(c, b, TCP, 1234));
			uint16_t got = pk_get_be16(field);

			g_assert_true(got == want || (got % 0xffff) == (want % 0xffff));
		}
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/xlate/udp-tcp", test_udp_tcp);
	g_test_add_func("/nat/xlate/icmp-echo", test_icmp_echo);
	g_test_add_func("/nat/xlate/icmp-errors", test_icmp_errors);
	g_test_add_func("/nat/xlate/partial", test_partial);
	g_test_add_func("/nat/xlate/partial-math", test_partial_update_math);
	g_test_add_func("/nat/xlate/ttl-invalid", test_ttl);
	g_test_add_func("/nat/xlate/hairpin", test_hairpin);
	g_test_add_func("/nat/xlate/fragments", test_fragments);
	return g_test_run();
}
