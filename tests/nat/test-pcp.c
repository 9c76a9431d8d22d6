/* SPDX-License-Identifier: MIT
 * test-pcp.c - PCP (RFC 6887) on the server: replies field by field, nonces, options, errors
 */
#include <glib.h>
#include <netinet/in.h>

#include "nat-pmp.h"
#include "pcp.h"
#include "nat-pmp-fake-core.h"

static struct fake_core core;
static uint8_t reply[NAT_PMP_REPLY_MAX];
static const uint8_t nonce_a[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const uint8_t nonce_b[12] = { 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
#define OUTSIDE "203.0.113.1"

static struct nat_pmp_server *server_with(struct nat_pmp_config *cfg)
{
	memset(&core, 0, sizeof(core));
	core.addr = ip4(OUTSIDE);
	return nat_pmp_server_new(cfg, &fake_ops, &core, 0);
}

static struct nat_pmp_server *server(void)
{
	struct nat_pmp_config cfg = { .outside_addr = ip4(OUTSIDE) };

	return server_with(&cfg);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* A request under construction. */
struct msg {
	uint8_t b[1200];
	size_t len;
};

static void hdr(struct msg *m, uint8_t op, uint32_t life, const char *client)
{
	struct nat_pmp_addr a = nat_pmp_addr_v4(ip4(client));

	memset(m, 0, sizeof(*m));
	m->b[0] = 2;
	m->b[1] = op;
	put32(m->b + 4, life);
	memcpy(m->b + 8, a.b, 16);
	m->len = 24;
}

static void map_msg(struct msg *m, const uint8_t *nonce, uint8_t proto, uint16_t in_port,
		    uint16_t ext_port, const char *ext_addr, uint32_t life, const char *client)
{
	struct nat_pmp_addr e = nat_pmp_addr_v4(ext_addr ? ip4(ext_addr) : 0);

	hdr(m, PCP_OP_MAP, life, client);
	memcpy(m->b + 24, nonce, 12);
	m->b[36] = proto;
	put16(m->b + 40, in_port);
	put16(m->b + 42, ext_port);
	memcpy(m->b + 44, e.b, 16);
	m->len = 60;
}

static void peer_msg(struct msg *m, const uint8_t *nonce, uint8_t proto, uint16_t in_port,
		     uint16_t rport, const char *raddr, uint32_t life, const char *client)
{
	struct nat_pmp_addr r = nat_pmp_addr_v4(ip4(raddr));

	map_msg(m, nonce, proto, in_port, 0, NULL, life, client);
	m->b[1] = PCP_OP_PEER;
	put16(m->b + 60, rport);
	memcpy(m->b + 64, r.b, 16);
	m->len = 80;
}

static void option(struct msg *m, uint8_t code, const void *data, uint16_t len)
{
	m->b[m->len] = code;
	m->b[m->len + 1] = 0;
	put16(m->b + m->len + 2, len);
	if (len)
		memcpy(m->b + m->len + 4, data, len);
	m->len += 4 + ((len + 3u) & ~3u);
}

static void filter(struct msg *m, uint8_t plen, uint16_t port, const char *addr)
{
	uint8_t d[20] = { 0, plen };
	struct nat_pmp_addr a = nat_pmp_addr_v4(ip4(addr));

	put16(d + 2, port);
	memcpy(d + 4, a.b, 16);
	option(m, PCP_OPT_FILTER, d, 20);
}

static size_t send_from(struct nat_pmp_server *s, const struct msg *m, const char *src,
			uint64_t now)
{
	struct nat_pmp_addr a = nat_pmp_addr_v4(ip4(src));

	memset(reply, 0xee, sizeof(reply));
	return nat_pmp_server_handle(s, &a, m->b, m->len, now, reply, sizeof(reply));
}

static size_t send_msg(struct nat_pmp_server *s, const struct msg *m, uint64_t now)
{
	struct nat_pmp_addr a;

	memcpy(a.b, m->b + 8, 16); /* from the address it names */
	memset(reply, 0xee, sizeof(reply));
	return nat_pmp_server_handle(s, &a, m->b, m->len, now, reply, sizeof(reply));
}

/* The response header, field by field (§7.2). */
static void check_hdr(uint8_t op, uint8_t result, uint32_t life, uint32_t epoch)
{
	static const uint8_t zero[12];

	g_assert_cmpuint(reply[0], ==, 2);
	g_assert_cmpuint(reply[1], ==, 0x80 | op);
	g_assert_cmpuint(reply[2], ==, 0);
	g_assert_cmpuint(reply[3], ==, result);
	g_assert_cmpuint(get32(reply + 4), ==, life);
	g_assert_cmpuint(get32(reply + 8), ==, epoch);
	if (result == PCP_SUCCESS)
		g_assert_cmpmem(reply + 12, 12, zero, 12);
}

/* A MAP/PEER response body: the request's fields, the assigned endpoint. */
static void check_map_body(const struct msg *m, uint16_t ext_port, const char *ext_addr)
{
	struct nat_pmp_addr e = nat_pmp_addr_v4(ip4(ext_addr));

	g_assert_cmpmem(reply + 24, 12, m->b + 24, 12); /* nonce */
	g_assert_cmpuint(reply[36], ==, m->b[36]);	/* protocol */
	g_assert_cmpuint(reply[37] | reply[38] | reply[39], ==, 0);
	g_assert_cmpuint(get16(reply + 40), ==, get16(m->b + 40)); /* internal port */
	g_assert_cmpuint(get16(reply + 42), ==, ext_port);
	g_assert_cmpmem(reply + 44, 16, e.b, 16);
}

static void test_map(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;
	size_t n;

	map_msg(&m, nonce_a, IPPROTO_TCP, 8080, 80, NULL, 3600, "10.0.0.2");
	n = send_msg(s, &m, 9 * SEC);
	g_assert_cmpuint(n, ==, 60);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 3600, 9);
	check_map_body(&m, 80, OUTSIDE);
	g_assert_cmpuint(core.last_proto, ==, IPPROTO_TCP);
	g_assert_cmpuint(core.last_inside.port, ==, 8080);
	g_assert_cmpuint(core.last_want, ==, 80);
	g_assert_false(core.last_exact);
	g_assert_cmpuint(core.last_lifetime, ==, 3600);

	/* Refresh with the same nonce: same port, new lifetime, clamped up to 120 s. */
	put32(m.b + 4, 10);
	put16(m.b + 42, 0);
	n = send_msg(s, &m, 10 * SEC);
	g_assert_cmpuint(n, ==, 60);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 120, 10);
	check_map_body(&m, 80, OUTSIDE);
	/* And down to the maximum. */
	put32(m.b + 4, 0xffffffffu);
	send_msg(s, &m, 10 * SEC);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 86400, 10);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 1);

	/* Another nonce for the same mapping: NOT_AUTHORIZED, long error lifetime. */
	map_msg(&m, nonce_b, IPPROTO_TCP, 8080, 0, NULL, 3600, "10.0.0.2");
	core.map_calls = 0;
	n = send_msg(s, &m, 11 * SEC);
	g_assert_cmpuint(n, ==, 60);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 11);
	g_assert_cmpmem(reply + 24, 36, m.b + 24, 36); /* fields copied */
	g_assert_cmpuint(core.map_calls, ==, 0);
	/* ... nor may it delete it. */
	put32(m.b + 4, 0);
	send_msg(s, &m, 11 * SEC);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 11);
	g_assert_cmpuint(core.unmap_calls, ==, 0);

	/* Delete with the right nonce: SUCCESS, lifetime 0, unmapped once. */
	map_msg(&m, nonce_a, IPPROTO_TCP, 8080, 0, NULL, 0, "10.0.0.2");
	n = send_msg(s, &m, 12 * SEC);
	g_assert_cmpuint(n, ==, 60);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 0, 12);
	g_assert_cmpuint(get16(reply + 42), ==, 80);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	send_msg(s, &m, 13 * SEC);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 0, 13);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	nat_pmp_server_free(s);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
}

/* A NAT-PMP mapping and a PCP MAP for the same thing are one lease. */
static void test_shared_with_nat_pmp(void)
{
	struct nat_pmp_server *s = server();
	struct nat_pmp_addr a = nat_pmp_addr_v4(ip4("10.0.0.2"));
	uint8_t pmp[12] = { 0, 1, 0, 0, 0x13, 0x88, 0x13, 0x88, 0, 0, 0x0e, 0x10 };
	struct msg m;

	g_assert_cmpuint(nat_pmp_server_handle(s, &a, pmp, 12, 0, reply, sizeof(reply)), ==, 16);
	g_assert_cmpuint(get16(reply + 10), ==, 5000);
	map_msg(&m, nonce_a, IPPROTO_UDP, 5000, 0, NULL, 600, "10.0.0.2");
	send_msg(s, &m, SEC);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 600, 1);
	check_map_body(&m, 5000, OUTSIDE);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 1);
	g_assert_cmpuint(fake_live_count(&core), ==, 1);
	/* The PCP nonce now guards it. */
	map_msg(&m, nonce_b, IPPROTO_UDP, 5000, 0, NULL, 600, "10.0.0.2");
	send_msg(s, &m, SEC);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 1);
	/* NAT-PMP (no nonce to give) still deletes it. */
	pmp[8] = pmp[9] = pmp[10] = pmp[11] = 0;
	g_assert_cmpuint(nat_pmp_server_handle(s, &a, pmp, 12, 0, reply, sizeof(reply)), ==, 16);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 0);
	nat_pmp_server_free(s);
}

static void test_delete_all(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;

	for (uint16_t p = 1; p <= 3; p++) {
		map_msg(&m, nonce_a, IPPROTO_UDP, p, 0, NULL, 600, "10.0.0.2");
		send_msg(s, &m, 0);
		map_msg(&m, nonce_a, IPPROTO_TCP, p, 0, NULL, 600, "10.0.0.2");
		send_msg(s, &m, 0);
	}
	map_msg(&m, nonce_b, IPPROTO_TCP, 9, 0, NULL, 600, "10.0.0.2");
	send_msg(s, &m, 0);
	/* Protocol 0, port 0, lifetime 0: all the mappings with this nonce. */
	map_msg(&m, nonce_a, 0, 0, 0, NULL, 0, "10.0.0.2");
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 60);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 0, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 6);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 1);
	/* Protocol 0 with a port is malformed; all-protocol mappings unsupported. */
	map_msg(&m, nonce_a, 0, 80, 0, NULL, 600, "10.0.0.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	map_msg(&m, nonce_a, 0, 0, 0, NULL, 600, "10.0.0.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_UNSUPP_PROTOCOL, PCP_LONG_ERROR_LIFETIME, 0);
	map_msg(&m, nonce_a, 132, 80, 0, NULL, 600, "10.0.0.2"); /* SCTP */
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_UNSUPP_PROTOCOL, PCP_LONG_ERROR_LIFETIME, 0);
	nat_pmp_server_free(s);
}

static void test_policy(void)
{
	struct nat_pmp_config cfg = { .outside_addr = ip4(OUTSIDE) };
	struct nat_pmp_server *s;
	struct msg m;

	cfg.policy.inside[0] = (struct nat_lease_prefix){ ip4("10.0.0.0"), 24 };
	cfg.policy.n_inside = 1;
	cfg.policy.max_per_client = 1;
	cfg.policy.max_lifetime_s = 3600;
	cfg.policy.min_lifetime_s = 300;
	s = server_with(&cfg);
	map_msg(&m, nonce_a, IPPROTO_UDP, 1000, 0, NULL, 60, "10.0.1.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 0);
	map_msg(&m, nonce_a, IPPROTO_UDP, 1000, 0, NULL, 60, "10.0.0.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 300, 0);
	map_msg(&m, nonce_a, IPPROTO_UDP, 1001, 0, NULL, 60000, "10.0.0.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_USER_EX_QUOTA, PCP_SHORT_ERROR_LIFETIME, 0);
	core.refuse = NAT_CORE_ERR_FULL;
	map_msg(&m, nonce_a, IPPROTO_UDP, 1001, 0, NULL, 60000, "10.0.0.3");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_NO_RESOURCES, PCP_SHORT_ERROR_LIFETIME, 0);
	nat_pmp_server_free(s);

	/* No outside address yet. */
	cfg = (struct nat_pmp_config){ 0 };
	s = server_with(&cfg);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_NETWORK_FAILURE, PCP_SHORT_ERROR_LIFETIME, 0);
	nat_pmp_server_free(s);
}

static void test_third_party(void)
{
	struct nat_pmp_config cfg = { .outside_addr = ip4(OUTSIDE) };
	struct nat_pmp_addr tp = nat_pmp_addr_v4(ip4("10.0.0.9"));
	struct nat_pmp_server *s = server_with(&cfg);
	struct msg m;
	size_t n;

	map_msg(&m, nonce_a, IPPROTO_TCP, 22, 0, NULL, 600, "10.0.0.2");
	option(&m, PCP_OPT_THIRD_PARTY, tp.b, 16);
	n = send_msg(s, &m, 0);
	g_assert_cmpuint(n, ==, 80);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 0);
	g_assert_cmpmem(reply + 60, 20, m.b + 60, 20); /* the option is echoed */
	g_assert_cmpuint(core.map_calls, ==, 0);
	nat_pmp_server_free(s);

	cfg.policy.allow_third_party = true;
	s = server_with(&cfg);
	n = send_msg(s, &m, 0);
	g_assert_cmpuint(n, ==, 80);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 600, 0);
	g_assert_cmpuint(core.last_inside.addr, ==, ip4("10.0.0.9"));
	g_assert_nonnull(nat_lease_find((struct nat_lease_table *)nat_pmp_server_leases(s),
					ip4("10.0.0.9"), IPPROTO_TCP, 22));
	/* The named host must be within the policy too. */
	nat_pmp_server_free(s);
	cfg.policy.inside[0] = (struct nat_lease_prefix){ ip4("10.0.0.0"), 29 };
	cfg.policy.n_inside = 1;
	s = server_with(&cfg);
	tp = nat_pmp_addr_v4(ip4("10.0.0.77"));
	map_msg(&m, nonce_a, IPPROTO_TCP, 22, 0, NULL, 600, "10.0.0.2");
	option(&m, PCP_OPT_THIRD_PARTY, tp.b, 16);
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 80);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 0);
	g_assert_cmpuint(core.map_calls, ==, 0);
	/* Twice is malformed: the header's reserved field carries the client address. */
	option(&m, PCP_OPT_THIRD_PARTY, tp.b, 16);
	n = send_msg(s, &m, 0);
	g_assert_cmpuint(n, ==, 60);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	g_assert_cmpmem(reply + 12, 12, m.b + 12, 12);
	nat_pmp_server_free(s);
}

static void test_prefer_failure(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;

	core.taken[core.n_taken++] = 80;
	map_msg(&m, nonce_a, IPPROTO_TCP, 8080, 80, NULL, 600, "10.0.0.2");
	option(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 64);
	check_hdr(PCP_OP_MAP, PCP_CANNOT_PROVIDE_EXTERNAL, PCP_SHORT_ERROR_LIFETIME, 0);
	g_assert_true(core.last_exact);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 0);
	/* Without it, another port. */
	m.len = 60;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 60);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 600, 0);
	g_assert_cmpuint(get16(reply + 42), !=, 80);
	/* Another external address than ours. */
	map_msg(&m, nonce_a, IPPROTO_TCP, 8081, 0, "198.51.100.1", 600, "10.0.0.2");
	option(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_CANNOT_PROVIDE_EXTERNAL, PCP_SHORT_ERROR_LIFETIME, 0);
	m.len = 60;
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 600, 0);
	check_map_body(&m, 8081, OUTSIDE);
	/* On PEER it is not a valid option. */
	peer_msg(&m, nonce_a, IPPROTO_TCP, 5000, 443, "192.0.2.1", 600, "10.0.0.2");
	option(&m, PCP_OPT_PREFER_FAILURE, NULL, 0);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_PEER, PCP_UNSUPP_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	nat_pmp_server_free(s);
}

static void test_filter(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;

	/* Prefix 0 (remove all filters) is accepted and echoed. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	filter(&m, 0, 0, "0.0.0.0");
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 84);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 600, 0);
	g_assert_cmpmem(reply + 60, 24, m.b + 60, 24);
	/* An IPv4 prefix must be 97..128 (erratum 3891). */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	filter(&m, 96, 0, "192.0.2.0");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	filter(&m, 129, 0, "192.0.2.0");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	/* A valid filter the core cannot apply: UNSUPP_OPTION, nothing changed. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	filter(&m, 120, 53, "192.0.2.0");
	core.map_calls = 0;
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_UNSUPP_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	g_assert_cmpuint(core.map_calls, ==, 0);
	/* Wrong length. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	option(&m, PCP_OPT_FILTER, "0123456789abcdef", 16);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	nat_pmp_server_free(s);
}

static void test_options(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;

	/* Unknown, mandatory-to-process: UNSUPP_OPTION. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	option(&m, 50, "xyz", 3);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_UNSUPP_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	/* Unknown, optional: ignored and not echoed. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	option(&m, 200, "xyz", 3);
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 60);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 600, 0);
	/* An option running past the end. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	option(&m, 200, "xyz", 3);
	put16(m.b + 62, 5);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_OPTION, PCP_LONG_ERROR_LIFETIME, 0);
	nat_pmp_server_free(s);
}

static void test_peer(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;
	size_t n;

	peer_msg(&m, nonce_a, IPPROTO_TCP, 5000, 443, "192.0.2.1", 600, "10.0.0.2");
	n = send_msg(s, &m, 2 * SEC);
	g_assert_cmpuint(n, ==, 80);
	check_hdr(PCP_OP_PEER, PCP_SUCCESS, 600, 2);
	check_map_body(&m, 5000, OUTSIDE);
	g_assert_cmpmem(reply + 60, 20, m.b + 60, 20); /* remote peer fields copied */
	/* A MAP for it makes it a port forward; a PEER delete leaves that alone. */
	map_msg(&m, nonce_a, IPPROTO_TCP, 5000, 0, NULL, 900, "10.0.0.2");
	send_msg(s, &m, 2 * SEC);
	check_hdr(PCP_OP_MAP, PCP_SUCCESS, 900, 2);
	peer_msg(&m, nonce_a, IPPROTO_TCP, 5000, 443, "192.0.2.1", 120, "10.0.0.2");
	core.map_calls = 0;
	send_msg(s, &m, 3 * SEC);
	check_hdr(PCP_OP_PEER, PCP_SUCCESS, 899, 3); /* the forward's own lifetime left */
	check_map_body(&m, 5000, OUTSIDE);
	g_assert_cmpuint(core.map_calls, ==, 0);
	put32(m.b + 4, 0);
	send_msg(s, &m, 3 * SEC);
	check_hdr(PCP_OP_PEER, PCP_SUCCESS, 0, 3);
	g_assert_cmpuint(core.unmap_calls, ==, 0);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 1);
	/* Malformed PEERs. */
	peer_msg(&m, nonce_a, IPPROTO_TCP, 5001, 0, "192.0.2.1", 600, "10.0.0.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_PEER, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	peer_msg(&m, nonce_a, IPPROTO_TCP, 5001, 443, "0.0.0.0", 600, "10.0.0.2");
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_PEER, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	peer_msg(&m, nonce_a, IPPROTO_TCP, 5001, 443, "192.0.2.1", 600, "10.0.0.2");
	m.len = 76; /* a body too short */
	n = send_msg(s, &m, 0);
	check_hdr(PCP_OP_PEER, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	/* A PEER lease deleted by PEER goes. */
	peer_msg(&m, nonce_b, IPPROTO_UDP, 6000, 443, "192.0.2.1", 600, "10.0.0.2");
	send_msg(s, &m, 0);
	put32(m.b + 4, 0);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_PEER, PCP_SUCCESS, 0, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	nat_pmp_server_free(s);
}

static void test_announce_and_versions(void)
{
	struct nat_pmp_server *s = server();
	struct nat_pmp_addr v6 = { .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } };
	struct msg m;
	size_t n;

	hdr(&m, PCP_OP_ANNOUNCE, 0, "10.0.0.2");
	n = send_msg(s, &m, 5 * SEC);
	g_assert_cmpuint(n, ==, 24);
	check_hdr(PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, 5);
	/* ANNOUNCE over IPv6 works; MAP of an IPv6 host does not (NAT44). */
	memcpy(m.b + 8, v6.b, 16);
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 24);
	check_hdr(PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, 0);
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	memcpy(m.b + 8, v6.b, 16);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_MAP, PCP_NOT_AUTHORIZED, PCP_LONG_ERROR_LIFETIME, 0);
	/* THIRD_PARTY is not an ANNOUNCE option. */
	hdr(&m, PCP_OP_ANNOUNCE, 0, "10.0.0.2");
	option(&m, PCP_OPT_THIRD_PARTY, v6.b, 16);
	send_msg(s, &m, 0);
	check_hdr(PCP_OP_ANNOUNCE, PCP_UNSUPP_OPTION, PCP_LONG_ERROR_LIFETIME, 0);

	/* Versions 1 and 3: UNSUPP_VERSION, version 2, header only. */
	for (uint8_t v = 1; v <= 3; v += 2) {
		map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
		m.b[0] = v;
		g_assert_cmpuint(send_msg(s, &m, 0), ==, 24);
		check_hdr(PCP_OP_MAP, PCP_UNSUPP_VERSION, PCP_LONG_ERROR_LIFETIME, 0);
		g_assert_cmpmem(reply + 12, 12, m.b + 12, 12);
	}
	/* Unsupported opcode: the request copied behind the header. */
	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	m.b[1] = 5;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 60);
	check_hdr(5, PCP_UNSUPP_OPCODE, PCP_LONG_ERROR_LIFETIME, 0);
	g_assert_cmpmem(reply + 24, 36, m.b + 24, 36);
	g_assert_cmpuint(core.map_calls, ==, 0);
	nat_pmp_server_free(s);
}

static void test_malformed(void)
{
	struct nat_pmp_server *s = server();
	struct msg m;

	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 600, "10.0.0.2");
	/* §8.3: shorter than 2 octets, or the R bit: silently dropped. */
	m.len = 1;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 0);
	m.len = 60;
	m.b[1] |= 0x80;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 0);
	m.b[1] &= 0x7f;
	/* Shorter than 24, not a multiple of 4, longer than 1100: MALFORMED_REQUEST. */
	m.len = 20;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 24);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	m.len = 2;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 24);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	m.len = 62;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 60);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	m.len = 1104;
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 1100);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	m.len = 40; /* header fine, MAP body short */
	g_assert_cmpuint(send_msg(s, &m, 0), ==, 40);
	check_hdr(PCP_OP_MAP, PCP_MALFORMED_REQUEST, PCP_LONG_ERROR_LIFETIME, 0);
	/* The client address field is not the source: ADDRESS_MISMATCH. */
	m.len = 60;
	g_assert_cmpuint(send_from(s, &m, "10.0.0.3", 0), ==, 60);
	check_hdr(PCP_OP_MAP, PCP_ADDRESS_MISMATCH, PCP_LONG_ERROR_LIFETIME, 0);
	g_assert_cmpuint(core.map_calls, ==, 0);
	nat_pmp_server_free(s);
}

static void test_expiry(void)
{
	struct nat_pmp_server *s = server();
	struct nat_pmp_datagram out[NAT_PMP_ANNOUNCE_BATCH];
	struct msg m;
	uint64_t t;

	map_msg(&m, nonce_a, IPPROTO_UDP, 7000, 0, NULL, 200, "10.0.0.2");
	send_msg(s, &m, 0);
	/* Drain the announcements; then the deadline is the lease's. */
	for (t = 0; nat_pmp_server_next_deadline(s) < 200 * SEC;
	     t = nat_pmp_server_next_deadline(s))
		g_assert_cmpuint(nat_pmp_server_announcements(s, t, out), ==, 2);
	g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, 200 * SEC);
	g_assert_cmpuint(nat_pmp_server_tick(s, 200 * SEC), ==, 1);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(nat_pmp_server_tick(s, 300 * SEC), ==, 0);
	g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, UINT64_MAX);
	nat_pmp_server_free(s);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/pcp/map", test_map);
	g_test_add_func("/pcp/shared-with-nat-pmp", test_shared_with_nat_pmp);
	g_test_add_func("/pcp/delete-all", test_delete_all);
	g_test_add_func("/pcp/policy", test_policy);
	g_test_add_func("/pcp/third-party", test_third_party);
	g_test_add_func("/pcp/prefer-failure", test_prefer_failure);
	g_test_add_func("/pcp/filter", test_filter);
	g_test_add_func("/pcp/options", test_options);
	g_test_add_func("/pcp/peer", test_peer);
	g_test_add_func("/pcp/announce-versions", test_announce_and_versions);
	g_test_add_func("/pcp/malformed", test_malformed);
	g_test_add_func("/pcp/expiry", test_expiry);
	return g_test_run();
}
