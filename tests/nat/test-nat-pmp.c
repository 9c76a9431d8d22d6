/* SPDX-License-Identifier: MIT
 * test-nat-pmp.c - NAT-PMP (RFC 6886) on the server: replies field by field, policy, expiry, announcements
 */
#include <glib.h>
#include <netinet/in.h>

#include "nat-pmp.h"
#include "nat-pmp-fake-core.h"

static struct fake_core core;
static uint8_t reply[NAT_PMP_REPLY_MAX];

static struct nat_pmp_server *server(const struct nat_pmp_config *cfg_in, uint64_t now)
{
	struct nat_pmp_config cfg = { 0 };

	if (cfg_in)
		cfg = *cfg_in;
	memset(&core, 0, sizeof(core));
	core.addr = ip4("203.0.113.1");
	if (!cfg_in)
		cfg.outside_addr = core.addr;
	return nat_pmp_server_new(&cfg, &fake_ops, &core, now);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A mapping request as natpmpc -a sends it: opcode 1 UDP / 2 TCP. */
static size_t map_req(uint8_t *b, uint8_t op, uint16_t priv, uint16_t pub, uint32_t life)
{
	b[0] = 0;
	b[1] = op;
	b[2] = b[3] = 0;
	b[4] = (uint8_t)(priv >> 8);
	b[5] = (uint8_t)priv;
	b[6] = (uint8_t)(pub >> 8);
	b[7] = (uint8_t)pub;
	b[8] = (uint8_t)(life >> 24);
	b[9] = (uint8_t)(life >> 16);
	b[10] = (uint8_t)(life >> 8);
	b[11] = (uint8_t)life;
	return 12;
}

static size_t ask(struct nat_pmp_server *s, const char *client, const uint8_t *req, size_t len,
		  uint64_t now)
{
	struct nat_pmp_addr a = nat_pmp_addr_v4(ip4(client));

	memset(reply, 0xee, sizeof(reply));
	return nat_pmp_server_handle(s, &a, req, len, now, reply, sizeof(reply));
}

static void check_map_reply(size_t n, uint8_t op, uint16_t result, uint32_t epoch, uint16_t priv,
			    uint16_t pub, uint32_t life)
{
	g_assert_cmpuint(n, ==, 16);
	g_assert_cmpuint(reply[0], ==, 0);
	g_assert_cmpuint(reply[1], ==, 128 + op);
	g_assert_cmpuint(get16(reply + 2), ==, result);
	g_assert_cmpuint(get32(reply + 4), ==, epoch);
	g_assert_cmpuint(get16(reply + 8), ==, priv);
	g_assert_cmpuint(get16(reply + 10), ==, pub);
	g_assert_cmpuint(get32(reply + 12), ==, life);
}

static void test_public_address(void)
{
	struct nat_pmp_server *s = server(NULL, 100 * SEC);
	const uint8_t req[2] = { 0, 0 };
	size_t n;

	n = ask(s, "10.0.0.2", req, 2, 107 * SEC + 999999999);
	g_assert_cmpuint(n, ==, 12);
	g_assert_cmpuint(reply[0], ==, 0);
	g_assert_cmpuint(reply[1], ==, 128);
	g_assert_cmpuint(get16(reply + 2), ==, NAT_PMP_SUCCESS);
	g_assert_cmpuint(get32(reply + 4), ==, 7); /* whole seconds since the start */
	g_assert_cmpmem(reply + 8, 4, &core.addr, 4);
	g_assert_cmpuint(nat_pmp_server_epoch(s, 99 * SEC), ==, 0);
	nat_pmp_server_free(s);
}

static void test_no_outside_address(void)
{
	struct nat_pmp_config cfg = { 0 };
	struct nat_pmp_server *s = server(&cfg, 0);
	uint8_t req[12] = { 0, 0 };
	struct nat_pmp_datagram out[NAT_PMP_ANNOUNCE_BATCH];
	size_t n;

	n = ask(s, "10.0.0.2", req, 2, 0);
	g_assert_cmpuint(n, ==, 12);
	g_assert_cmpuint(get16(reply + 2), ==, NAT_PMP_NETWORK_FAILURE);
	g_assert_cmpuint(get32(reply + 8), ==, 0);
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 5000, 60), 0);
	check_map_reply(n, 1, NAT_PMP_NETWORK_FAILURE, 0, 5000, 0, 0);
	g_assert_cmpuint(core.map_calls, ==, 0);
	/* Nothing to announce without an address. */
	g_assert_cmpuint(nat_pmp_server_announcements(s, 0, out), ==, 0);
	g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, UINT64_MAX);
	nat_pmp_server_free(s);
}

/* What `natpmpc -a 8080 80 tcp 3600` sends: the address request, then TCP 80 -> 8080. */
static void test_natpmpc_exchange(void)
{
	struct nat_pmp_server *s = server(NULL, 0);
	uint8_t req[12] = { 0, 0 };
	size_t n;

	n = ask(s, "10.0.0.2", req, 2, 1 * SEC);
	g_assert_cmpuint(n, ==, 12);
	n = ask(s, "10.0.0.2", req, map_req(req, 2, 80, 8080, 3600), 2 * SEC);
	check_map_reply(n, 2, NAT_PMP_SUCCESS, 2, 80, 8080, 3600);
	g_assert_cmpuint(core.map_calls, ==, 1);
	g_assert_cmpuint(core.last_proto, ==, IPPROTO_TCP);
	g_assert_cmpuint(core.last_inside.addr, ==, ip4("10.0.0.2"));
	g_assert_cmpuint(core.last_inside.port, ==, 80);
	g_assert_cmpuint(core.last_want, ==, 8080);
	g_assert_false(core.last_exact);
	g_assert_cmpuint(core.last_lifetime, ==, 3600);
	/* UDP is another mapping. */
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 80, 8080, 3600), 2 * SEC);
	check_map_reply(n, 1, NAT_PMP_SUCCESS, 2, 80, 8080, 3600);
	g_assert_cmpuint(core.last_proto, ==, IPPROTO_UDP);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 2);
	/* Taken suggestion: another port, reported. */
	n = ask(s, "10.0.0.3", req, map_req(req, 2, 80, 8080, 3600), 3 * SEC);
	g_assert_cmpuint(n, ==, 16);
	g_assert_cmpuint(get16(reply + 2), ==, NAT_PMP_SUCCESS);
	g_assert_cmpuint(get16(reply + 10), !=, 8080);
	g_assert_cmpuint(get16(reply + 10), !=, 0);
	nat_pmp_server_free(s);
	g_assert_cmpuint(core.unmap_calls, ==, 3);
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
}

static void test_renew_clamp_delete(void)
{
	struct nat_lease_policy p = { .max_lifetime_s = 7200 };
	struct nat_pmp_config cfg = { .policy = p, .outside_addr = ip4("203.0.113.1") };
	struct nat_pmp_server *s = server(&cfg, 0);
	uint8_t req[12];
	size_t n;

	n = ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 0, 1000000), 0);
	check_map_reply(n, 1, NAT_PMP_SUCCESS, 0, 5000, 5000, 7200);
	g_assert_cmpuint(core.last_lifetime, ==, 7200);
	/* Renewal: same port even with another suggestion. */
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 6000, 60), 10 * SEC);
	check_map_reply(n, 1, NAT_PMP_SUCCESS, 10, 5000, 5000, 60);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 1);
	g_assert_cmpuint(nat_lease_next_expiry(nat_pmp_server_leases(s)), ==, 70 * SEC);
	/* Delete: lifetime 0; external port and lifetime 0 in the reply. */
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 0, 0), 11 * SEC);
	check_map_reply(n, 1, NAT_PMP_SUCCESS, 11, 5000, 0, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 0);
	/* Deleting again (or what never existed) succeeds, unmaps nothing. */
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 0, 0), 12 * SEC);
	check_map_reply(n, 1, NAT_PMP_SUCCESS, 12, 5000, 0, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	/* Internal port 0 asks for nothing unless it deletes. */
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 0, 0, 60), 12 * SEC);
	check_map_reply(n, 1, NAT_PMP_NOT_AUTHORIZED, 12, 0, 0, 0);
	nat_pmp_server_free(s);
}

static void test_delete_all(void)
{
	struct nat_pmp_server *s = server(NULL, 0);
	uint8_t req[12];
	size_t n;

	for (uint16_t i = 0; i < 3; i++) {
		ask(s, "10.0.0.2", req, map_req(req, 1, (uint16_t)(100 + i), 0, 60), 0);
		ask(s, "10.0.0.2", req, map_req(req, 2, (uint16_t)(100 + i), 0, 60), 0);
		ask(s, "10.0.0.3", req, map_req(req, 1, (uint16_t)(100 + i), 0, 60), 0);
	}
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 9);
	/* natpmpc -a 0 0 udp 0: every UDP mapping of this client. */
	n = ask(s, "10.0.0.2", req, map_req(req, 1, 0, 0, 0), 0);
	check_map_reply(n, 1, NAT_PMP_SUCCESS, 0, 0, 0, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 3);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 6);
	for (unsigned i = 0; i < nat_pmp_server_leases(s)->n; i++) {
		const struct nat_lease *l = &nat_pmp_server_leases(s)->v[i];

		g_assert_false(l->client == ip4("10.0.0.2") && l->proto == IPPROTO_UDP);
	}
	nat_pmp_server_free(s);
	g_assert_cmpuint(core.unmap_calls, ==, 9);
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
}

static void test_policy(void)
{
	struct nat_pmp_config cfg = { .outside_addr = ip4("203.0.113.1") };
	struct nat_pmp_server *s;
	uint8_t req[12];
	size_t n;

	cfg.policy.inside[0] = (struct nat_lease_prefix){ ip4("10.0.0.0"), 8 };
	cfg.policy.n_inside = 1;
	cfg.policy.max_per_client = 2;
	s = server(&cfg, 0);
	n = ask(s, "192.168.1.2", req, map_req(req, 2, 22, 22, 60), 0);
	check_map_reply(n, 2, NAT_PMP_NOT_AUTHORIZED, 0, 22, 0, 0);
	g_assert_cmpuint(core.map_calls, ==, 0);
	ask(s, "10.1.2.3", req, map_req(req, 2, 22, 22, 60), 0);
	ask(s, "10.1.2.3", req, map_req(req, 2, 23, 23, 60), 0);
	n = ask(s, "10.1.2.3", req, map_req(req, 2, 24, 24, 60), 0);
	check_map_reply(n, 2, NAT_PMP_NO_RESOURCES, 0, 24, 0, 0);
	core.refuse = NAT_CORE_ERR_FULL;
	n = ask(s, "10.1.2.4", req, map_req(req, 2, 24, 24, 60), 0);
	check_map_reply(n, 2, NAT_PMP_NO_RESOURCES, 0, 24, 0, 0);
	nat_pmp_server_free(s);
}

static void test_expiry(void)
{
	struct nat_pmp_server *s = server(NULL, 0);
	uint8_t req[12];

	ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 0, 30), 5 * SEC);
	ask(s, "10.0.0.2", req, map_req(req, 2, 5000, 0, 60), 5 * SEC);
	g_assert_cmpuint(nat_pmp_server_tick(s, 34 * SEC), ==, 0);
	g_assert_cmpuint(nat_pmp_server_tick(s, 35 * SEC), ==, 1);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(core.maps[0].live, ==, false);
	g_assert_cmpuint(nat_pmp_server_tick(s, 35 * SEC), ==, 0);
	g_assert_cmpuint(nat_pmp_server_tick(s, 65 * SEC), ==, 1);
	g_assert_cmpuint(core.unmap_calls, ==, 2);
	nat_pmp_server_free(s);
	g_assert_cmpuint(core.unmap_calls, ==, 2);
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
}

static void test_malformed(void)
{
	struct nat_pmp_server *s = server(NULL, 0);
	struct nat_pmp_addr v6 = { .b = { 0xfe, 0x80, [15] = 1 } };
	uint8_t req[16] = { 0 };
	size_t n;

	/* Runts, responses, short mapping requests: no reply, no state. */
	g_assert_cmpuint(ask(s, "10.0.0.2", req, 0, 0), ==, 0);
	g_assert_cmpuint(ask(s, "10.0.0.2", req, 1, 0), ==, 0);
	req[1] = 128;
	g_assert_cmpuint(ask(s, "10.0.0.2", req, 12, 0), ==, 0);
	map_req(req, 1, 5000, 5000, 60);
	g_assert_cmpuint(ask(s, "10.0.0.2", req, 11, 0), ==, 0);
	g_assert_cmpuint(core.map_calls, ==, 0);
	/* Longer than needed: the extra bytes are ignored. */
	g_assert_cmpuint(ask(s, "10.0.0.2", req, 16, 0), ==, 16);
	/* NAT-PMP is IPv4 only. */
	g_assert_cmpuint(nat_pmp_server_handle(s, &v6, req, 12, 0, reply, sizeof(reply)), ==, 0);
	/* A reply buffer too small for the largest reply: nothing. */
	g_assert_cmpuint(nat_pmp_server_handle(s, &v6, req, 12, 0, reply, 100), ==, 0);
	/* Unsupported opcode: the opcode with the top bit set, result 5. */
	req[1] = 3;
	n = ask(s, "10.0.0.2", req, 12, 4 * SEC);
	g_assert_cmpuint(n, ==, 8);
	g_assert_cmpuint(reply[0], ==, 0);
	g_assert_cmpuint(reply[1], ==, 131);
	g_assert_cmpuint(get16(reply + 2), ==, NAT_PMP_UNSUPP_OPCODE);
	g_assert_cmpuint(get32(reply + 4), ==, 4);
	/* Another version: PCP answers UNSUPP_VERSION with its version, 2. */
	req[0] = 1;
	req[1] = 0;
	n = ask(s, "10.0.0.2", req, 12, 0);
	g_assert_cmpuint(n, ==, 24);
	g_assert_cmpuint(reply[0], ==, 2);
	g_assert_cmpuint(reply[1], ==, 0x80);
	g_assert_cmpuint(reply[3], ==, 1);
	nat_pmp_server_free(s);
}

static void test_announcements(void)
{
	struct nat_pmp_config cfg = { .outside_addr = ip4("203.0.113.1"), .announce_ipv6 = true };
	struct nat_pmp_server *s = server(&cfg, 1000 * SEC);
	struct nat_pmp_datagram out[NAT_PMP_ANNOUNCE_BATCH];
	uint64_t t = 1000 * SEC, gap = 250000000ull;
	uint8_t req[12];

	for (unsigned round = 0; round < 10; round++) {
		g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, t);
		g_assert_cmpuint(nat_pmp_server_announcements(s, t - 1, out), ==, 0);
		g_assert_cmpuint(nat_pmp_server_announcements(s, t, out), ==, 3);
		/* NAT-PMP to 224.0.0.1:5350: the public address response. */
		g_assert_false(out[0].ipv6);
		g_assert_cmpuint(out[0].port, ==, 5350);
		g_assert_cmpuint(out[0].len, ==, 12);
		g_assert_cmpuint(out[0].data[1], ==, 128);
		g_assert_cmpuint(get16(out[0].data + 2), ==, 0);
		g_assert_cmpuint(get32(out[0].data + 4), ==, (t - 1000 * SEC) / SEC);
		g_assert_cmpmem(out[0].data + 8, 4, &cfg.outside_addr, 4);
		/* PCP ANNOUNCE to 224.0.0.1 and ff02::1. */
		g_assert_false(out[1].ipv6);
		g_assert_true(out[2].ipv6);
		g_assert_cmpuint(out[1].len, ==, 24);
		g_assert_cmpmem(out[1].data, 24, out[2].data, 24);
		g_assert_cmpuint(out[1].data[0], ==, 2);
		g_assert_cmpuint(out[1].data[1], ==, 0x80);
		g_assert_cmpuint(out[1].data[3], ==, 0);
		g_assert_cmpuint(get32(out[1].data + 4), ==, 0);
		g_assert_cmpuint(get32(out[1].data + 8), ==, (t - 1000 * SEC) / SEC);
		t += gap;
		gap *= 2;
	}
	g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, UINT64_MAX);
	g_assert_cmpuint(nat_pmp_server_announcements(s, t * 2, out), ==, 0);

	/* Address change: leases unmapped, epoch restarts, ten more rounds. */
	ask(s, "10.0.0.2", req, map_req(req, 1, 5000, 0, 60), t);
	nat_pmp_server_set_outside_addr(s, ip4("198.51.100.7"), t + 5 * SEC);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(nat_pmp_server_leases(s)->n, ==, 0);
	g_assert_cmpuint(nat_pmp_server_epoch(s, t + 6 * SEC), ==, 1);
	g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, t + 5 * SEC);
	g_assert_cmpuint(nat_pmp_server_announcements(s, t + 5 * SEC, out), ==, 3);
	g_assert_cmpuint(get32(out[0].data + 8), ==, 0xc6336407u);
	/* The same address again: nothing happens. */
	nat_pmp_server_set_outside_addr(s, ip4("198.51.100.7"), t + 9 * SEC);
	g_assert_cmpuint(nat_pmp_server_next_deadline(s), ==, t + 5 * SEC + 250000000ull);
	nat_pmp_server_free(s);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat-pmp/public-address", test_public_address);
	g_test_add_func("/nat-pmp/no-outside-address", test_no_outside_address);
	g_test_add_func("/nat-pmp/natpmpc-exchange", test_natpmpc_exchange);
	g_test_add_func("/nat-pmp/renew-clamp-delete", test_renew_clamp_delete);
	g_test_add_func("/nat-pmp/delete-all", test_delete_all);
	g_test_add_func("/nat-pmp/policy", test_policy);
	g_test_add_func("/nat-pmp/expiry", test_expiry);
	g_test_add_func("/nat-pmp/malformed", test_malformed);
	g_test_add_func("/nat-pmp/announcements", test_announcements);
	return g_test_run();
}
