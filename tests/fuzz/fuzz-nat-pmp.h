/* SPDX-License-Identifier: MIT
 * fuzz-nat-pmp.h - The NAT-PMP/PCP server under arbitrary datagrams and clock steps, with a fake core
 *
 * Shared by fuzz-nat-pmp.c (datagrams as they come) and fuzz-pcp.c (a valid
 * PCP header in front, so the fuzzer spends its time on opcodes and options).
 *
 * Input: one byte of setup flags, then steps of [length][control][length
 * bytes]. Control: bits 0-1 the client (two inside hosts, one outside the
 * allowed prefix, an IPv6 host), bits 2-3 the action (datagram, tick,
 * announcements, outside address change), bits 4-7 seconds the clock moves.
 *
 * Invariants, checked after every step: each lease is exactly one live
 * mapping of the core and the core has no other; no unmap() of something not
 * mapped (a double unmap); every lease within the policy (inside prefix,
 * ports, quota); a reply never longer than NAT_PMP_REPLY_MAX; after the
 * server is freed the core has nothing left.
 */
#ifndef PK_FUZZ_NAT_PMP_H
#define PK_FUZZ_NAT_PMP_H

#include <string.h>

#include "nat-pmp.h"
#include "nat-pmp-fake-core.h"
#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Turn the fuzzer's payload into the datagram to send (fuzz-pcp.c adds a header). */
static size_t fuzz_nat_pmp_datagram(const struct nat_pmp_addr *client, const uint8_t *p, size_t n,
				    uint8_t ctl, uint8_t *out);

static void fuzz_nat_pmp_check(const struct nat_pmp_server *s, const struct fake_core *c)
{
	const struct nat_lease_table *t = nat_pmp_server_leases(s);

	FUZZ_CHECK(c->unmap_unknown == 0);
	FUZZ_CHECK(fake_live_count(c) == t->n);
	FUZZ_CHECK(t->n <= t->policy.max_leases);
	for (unsigned i = 0; i < t->n; i++) {
		const struct nat_lease *l = &t->v[i];
		bool found = false;

		FUZZ_CHECK(nat_lease_inside_allowed(t, l->client));
		FUZZ_CHECK(nat_lease_port_allowed(t, l->outside.port));
		FUZZ_CHECK(l->int_port != 0);
		FUZZ_CHECK(l->proto == 6 || l->proto == 17);
		FUZZ_CHECK(l->lifetime_s <= t->policy.max_lifetime_s);
		FUZZ_CHECK(!t->policy.max_per_client ||
			   nat_lease_count_client(t, l->client) <= t->policy.max_per_client);
		for (unsigned j = 0; j < c->n_maps; j++) {
			const struct fake_map *m = &c->maps[j];

			if (m->live && m->proto == l->proto && m->outside.port == l->outside.port &&
			    m->inside.addr == l->client && m->inside.port == l->int_port)
				found = true;
		}
		FUZZ_CHECK(found);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_core core;
	static uint8_t reply[NAT_PMP_REPLY_MAX];
	static uint8_t dgram[2048];
	struct nat_pmp_config cfg = { 0 };
	struct nat_pmp_datagram ann[NAT_PMP_ANNOUNCE_BATCH];
	struct nat_pmp_addr clients[4];
	struct nat_pmp_server *s;
	uint64_t now = 1000 * SEC;
	uint8_t flags;
	size_t i = 1;

	if (size < 1)
		return 0;
	flags = data[0];
	memset(&core, 0, sizeof(core));
	core.addr = ip4("203.0.113.1");
	cfg.outside_addr = flags & 1 ? 0 : core.addr;
	cfg.announce_ipv6 = flags & 2;
	cfg.policy.allow_third_party = flags & 4;
	if (flags & 8) {
		cfg.policy.ports[0] = (struct nat_lease_ports){ 1024, 1100 };
		cfg.policy.ports[1] = (struct nat_lease_ports){ 40000, 40003 };
		cfg.policy.n_ports = 2;
	}
	if (flags & 16)
		cfg.policy.max_per_client = 3;
	if (flags & 32)
		cfg.policy.max_leases = 8;
	if (flags & 64)
		core.force_port = 5;
	cfg.policy.inside[0] = (struct nat_lease_prefix){ ip4("10.0.0.0"), 8 };
	cfg.policy.n_inside = 1;
	clients[0] = nat_pmp_addr_v4(ip4("10.0.0.2"));
	clients[1] = nat_pmp_addr_v4(ip4("10.0.0.3"));
	clients[2] = nat_pmp_addr_v4(ip4("192.168.0.2"));
	memset(&clients[3], 0, sizeof(clients[3]));
	clients[3].b[0] = 0xfd;
	clients[3].b[15] = 1;

	s = nat_pmp_server_new(&cfg, &fake_ops, &core, now);
	while (i + 2 <= size) {
		size_t n = data[i];
		uint8_t ctl = data[i + 1];
		const struct nat_pmp_addr *cl = &clients[ctl & 3];

		i += 2;
		if (n > size - i)
			n = size - i;
		now += (uint64_t)(ctl >> 4) * 37 * SEC;
		switch ((ctl >> 2) & 3) {
		case 0: {
			size_t len = fuzz_nat_pmp_datagram(cl, data + i, n, ctl, dgram);
			size_t r = nat_pmp_server_handle(s, cl, dgram, len, now, reply,
							 sizeof(reply));

			FUZZ_CHECK(r <= NAT_PMP_REPLY_MAX);
			break;
		}
		case 1:
			nat_pmp_server_tick(s, now);
			FUZZ_CHECK(nat_lease_next_expiry(nat_pmp_server_leases(s)) > now);
			break;
		case 2:
			FUZZ_CHECK(nat_pmp_server_announcements(s, now, ann) <=
				   NAT_PMP_ANNOUNCE_BATCH);
			break;
		default:
			nat_pmp_server_set_outside_addr(s, n & 1 ? ip4("198.51.100.1") : 0, now);
			if (n & 1)
				core.addr = ip4("198.51.100.1");
			break;
		}
		i += n;
		fuzz_nat_pmp_check(s, &core);
	}
	nat_pmp_server_free(s);
	FUZZ_CHECK(fake_live_count(&core) == 0);
	FUZZ_CHECK(core.unmap_unknown == 0);
	return 0;
}

#endif /* PK_FUZZ_NAT_PMP_H */
