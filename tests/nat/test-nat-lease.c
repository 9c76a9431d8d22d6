/* SPDX-License-Identifier: MIT
 * test-nat-lease.c - The shared lease table: policy, quotas, renewal, expiry unmaps exactly once
 */
#include <glib.h>
#include <netinet/in.h>

#include "nat-lease.h"
#include "nat-pmp-fake-core.h"

static struct fake_core core;

static void setup(struct nat_lease_table *t, const struct nat_lease_policy *p)
{
	memset(&core, 0, sizeof(core));
	core.addr = ip4("203.0.113.1");
	nat_lease_table_init(t, p, &fake_ops, &core);
}

static struct nat_lease_req req(const char *client, uint8_t proto, uint16_t port, uint32_t life)
{
	return (struct nat_lease_req){ .client = ip4(client),
				       .proto = proto,
				       .int_port = port,
				       .lifetime_s = life,
				       .kind = NAT_LEASE_PMP };
}

static void test_defaults(void)
{
	struct nat_lease_table t;

	setup(&t, NULL);
	g_assert_cmpuint(t.policy.max_leases, ==, NAT_LEASE_DEFAULT_MAX_LEASES);
	g_assert_cmpuint(t.policy.max_lifetime_s, ==, 86400);
	g_assert_cmpuint(t.policy.min_lifetime_s, ==, 120);
	g_assert_true(nat_lease_inside_allowed(&t, ip4("10.0.0.2")));
	g_assert_false(nat_lease_inside_allowed(&t, 0));
	g_assert_true(nat_lease_port_allowed(&t, 1));
	g_assert_false(nat_lease_port_allowed(&t, 0));
	g_assert_cmpuint(nat_lease_next_expiry(&t), ==, UINT64_MAX);
	nat_lease_table_clear(&t);
}

static void test_grant_renew_expire(void)
{
	struct nat_lease_table t;
	struct nat_lease_req r = req("10.0.0.2", IPPROTO_UDP, 5000, 100);
	struct nat_lease *l;

	setup(&t, NULL);
	g_assert_cmpint(nat_lease_grant(&t, &r, 1 * SEC, &l), ==, NAT_LEASE_OK);
	g_assert_nonnull(l);
	g_assert_cmpuint(core.map_calls, ==, 1);
	g_assert_cmpuint(core.last_lifetime, ==, 100);
	g_assert_cmpuint(core.last_want, ==, 5000); /* the inside port is tried first */
	g_assert_cmpuint(l->outside.port, ==, 5000);
	g_assert_cmpuint(l->outside.addr, ==, core.addr);
	g_assert_cmpuint(l->expires, ==, 101 * SEC);
	g_assert_true(nat_lease_find(&t, ip4("10.0.0.2"), IPPROTO_UDP, 5000) == l);
	g_assert_null(nat_lease_find(&t, ip4("10.0.0.2"), IPPROTO_TCP, 5000));

	/* Renewal: same lease, same port (the suggestion is ignored), new expiry. */
	r.want_port = 7000;
	r.lifetime_s = 200;
	g_assert_cmpint(nat_lease_grant(&t, &r, 50 * SEC, &l), ==, NAT_LEASE_OK);
	g_assert_cmpuint(t.n, ==, 1);
	g_assert_cmpuint(l->outside.port, ==, 5000);
	g_assert_true(core.last_exact);
	g_assert_cmpuint(core.last_lifetime, ==, 200);
	g_assert_cmpuint(nat_lease_next_expiry(&t), ==, 250 * SEC);

	/* Expiry: nothing a nanosecond early, then unmap exactly once. */
	g_assert_cmpuint(nat_lease_expire(&t, 250 * SEC - 1), ==, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 0);
	g_assert_cmpuint(nat_lease_expire(&t, 250 * SEC), ==, 1);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
	g_assert_cmpuint(nat_lease_expire(&t, 1000 * SEC), ==, 0);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(t.n, ==, 0);
	nat_lease_table_clear(&t);
	g_assert_cmpuint(core.unmap_calls, ==, 1);
}

static void test_policy_inside(void)
{
	struct nat_lease_policy p = { .n_inside = 2 };
	struct nat_lease_table t;
	struct nat_lease_req r;
	struct nat_lease *l;

	p.inside[0] = (struct nat_lease_prefix){ ip4("10.0.0.0"), 24 };
	p.inside[1] = (struct nat_lease_prefix){ ip4("192.168.7.9"), 32 };
	setup(&t, &p);
	g_assert_true(nat_lease_inside_allowed(&t, ip4("10.0.0.200")));
	g_assert_true(nat_lease_inside_allowed(&t, ip4("192.168.7.9")));
	g_assert_false(nat_lease_inside_allowed(&t, ip4("10.0.1.1")));
	g_assert_false(nat_lease_inside_allowed(&t, ip4("192.168.7.8")));
	r = req("10.0.1.1", IPPROTO_TCP, 80, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_DENIED);
	g_assert_null(l);
	g_assert_cmpuint(core.map_calls, ==, 0);
	r = req("10.0.0.5", IPPROTO_TCP, 0, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_DENIED);
	nat_lease_table_clear(&t);
}

static void test_policy_ports(void)
{
	struct nat_lease_policy p = { .n_ports = 2 };
	struct nat_lease_table t;
	struct nat_lease_req r;
	struct nat_lease *l;

	p.ports[0] = (struct nat_lease_ports){ 20000, 20009 };
	p.ports[1] = (struct nat_lease_ports){ 30000, 30000 };
	setup(&t, &p);
	/* The inside port is not allowed: a port of the ranges is given. */
	r = req("10.0.0.2", IPPROTO_TCP, 22, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	g_assert_true(nat_lease_port_allowed(&t, l->outside.port));
	/* A suggested port in range is kept. */
	r = req("10.0.0.2", IPPROTO_TCP, 23, 60);
	r.want_port = 30000;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	g_assert_cmpuint(l->outside.port, ==, 30000);
	/* Exactly a port outside the ranges: refused without asking the core. */
	r = req("10.0.0.2", IPPROTO_TCP, 24, 60);
	r.want_port = 8080;
	r.exact = true;
	core.map_calls = 0;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_PORT_UNAVAILABLE);
	g_assert_cmpuint(core.map_calls, ==, 0);
	/* Exactly a port in range that is taken. */
	r.want_port = 30000;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_PORT_UNAVAILABLE);
	/* A core that ignores the suggestion and gives a port outside the
	 * policy: that mapping is undone and an allowed one made. */
	core.force_port = 9999;
	r = req("10.0.0.3", IPPROTO_UDP, 25, 60);
	r.want_port = 20005;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	g_assert_true(nat_lease_port_allowed(&t, l->outside.port));
	g_assert_cmpuint(core.unmap_calls, ==, 1);
	g_assert_cmpuint(fake_live_count(&core), ==, t.n);
	nat_lease_table_clear(&t);
	g_assert_cmpuint(fake_live_count(&core), ==, 0);
}

static void test_quota_and_capacity(void)
{
	struct nat_lease_policy p = { .max_per_client = 2, .max_leases = 3 };
	struct nat_lease_table t;
	struct nat_lease_req r;
	struct nat_lease *l;

	setup(&t, &p);
	for (uint16_t i = 0; i < 2; i++) {
		r = req("10.0.0.2", IPPROTO_UDP, (uint16_t)(1000 + i), 60);
		g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	}
	r = req("10.0.0.2", IPPROTO_UDP, 1002, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_QUOTA);
	/* Renewing one held is not a new lease. */
	r = req("10.0.0.2", IPPROTO_UDP, 1001, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	g_assert_cmpuint(nat_lease_count_client(&t, ip4("10.0.0.2")), ==, 2);
	r = req("10.0.0.3", IPPROTO_UDP, 1000, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	r = req("10.0.0.4", IPPROTO_UDP, 1000, 60);
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_NO_RESOURCES);
	g_assert_cmpuint(nat_lease_flush(&t), ==, 3);
	g_assert_cmpuint(core.unmap_calls, ==, 3);
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
	nat_lease_table_clear(&t);
	g_assert_cmpuint(core.unmap_calls, ==, 3);
}

static void test_core_refuses(void)
{
	struct nat_lease_table t;
	struct nat_lease_req r = req("10.0.0.2", IPPROTO_UDP, 5000, 60);
	struct nat_lease *l;

	setup(&t, NULL);
	core.refuse = NAT_CORE_ERR_FULL;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_NO_RESOURCES);
	core.refuse = NAT_CORE_ERR_INVALID;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_UNSUPPORTED);
	g_assert_cmpuint(t.n, ==, 0);
	/* The core lost the mapping: a renewal makes a new one. */
	core.refuse = NAT_CORE_OK;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	core.maps[0].live = false;
	core.taken[core.n_taken++] = 5000;
	g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	g_assert_cmpuint(t.n, ==, 1);
	g_assert_cmpuint(l->outside.port, !=, 5000);
	nat_lease_table_clear(&t);
}

static void test_many_expire_in_order(void)
{
	struct nat_lease_table t;
	struct nat_lease *l;

	setup(&t, NULL);
	for (uint16_t i = 1; i <= 50; i++) {
		struct nat_lease_req r = req("10.0.0.2", IPPROTO_TCP, i, i);

		g_assert_cmpint(nat_lease_grant(&t, &r, 0, &l), ==, NAT_LEASE_OK);
	}
	for (uint64_t s = 1; s <= 50; s++) {
		g_assert_cmpuint(nat_lease_next_expiry(&t), ==, s * SEC);
		g_assert_cmpuint(nat_lease_expire(&t, s * SEC), ==, 1);
		g_assert_cmpuint(core.unmap_calls, ==, s);
	}
	g_assert_cmpuint(core.unmap_unknown, ==, 0);
	g_assert_cmpuint(fake_live_count(&core), ==, 0);
	nat_lease_table_clear(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat-lease/defaults", test_defaults);
	g_test_add_func("/nat-lease/grant-renew-expire", test_grant_renew_expire);
	g_test_add_func("/nat-lease/policy-inside", test_policy_inside);
	g_test_add_func("/nat-lease/policy-ports", test_policy_ports);
	g_test_add_func("/nat-lease/quota-capacity", test_quota_and_capacity);
	g_test_add_func("/nat-lease/core-refuses", test_core_refuses);
	g_test_add_func("/nat-lease/many-expire", test_many_expire_in_order);
	return g_test_run();
}
