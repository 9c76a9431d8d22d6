/* SPDX-License-Identifier: MIT
 * nat-pmp-fake-core.h - A NAT core for the port mapping tests: records calls, can refuse
 *
 * Implements struct nat_core_ops over a small array of mappings: map() keeps
 * the asked-for port when free (or fails with TAKEN when exact), refreshes an
 * existing mapping of the same inside endpoint, and can be told to refuse
 * (@refuse) or to ignore the port asked for (@force_port, while it is free). unmap() records
 * each call so tests can check "exactly once".
 */
#ifndef PK_NAT_PMP_FAKE_CORE_H
#define PK_NAT_PMP_FAKE_CORE_H

#include <string.h>
#include <arpa/inet.h>

#include "nat-core-ops.h"

#define FAKE_MAX 512

struct fake_map {
	uint8_t proto;
	struct nat_endpoint4 inside;
	struct nat_endpoint4 outside;
	uint32_t lifetime;
	bool live;
};

struct fake_core {
	uint32_t addr;			/* outside address, network order */
	struct fake_map maps[FAKE_MAX]; /* every mapping ever made, live or not */
	unsigned n_maps;
	unsigned map_calls;
	unsigned unmap_calls;
	unsigned unmap_unknown; /* unmap() of nothing live: a double unmap */
	uint8_t last_proto;
	struct nat_endpoint4 last_inside;
	uint16_t last_want;
	bool last_exact;
	uint32_t last_lifetime;
	enum nat_core_err refuse; /* non-zero: map() fails so */
	uint16_t force_port;	  /* non-zero: non-exact map() gives this port */
	uint16_t taken[16];	  /* ports held by others */
	unsigned n_taken;
};

static inline struct fake_map *fake_live(struct fake_core *c, uint8_t proto,
					 const struct nat_endpoint4 *in)
{
	for (unsigned i = 0; i < c->n_maps; i++) {
		struct fake_map *m = &c->maps[i];

		if (m->live && m->proto == proto && m->inside.addr == in->addr &&
		    m->inside.port == in->port)
			return m;
	}
	return NULL;
}

static inline bool fake_port_used(struct fake_core *c, uint8_t proto, uint16_t port)
{
	for (unsigned i = 0; i < c->n_taken; i++)
		if (c->taken[i] == port)
			return true;
	for (unsigned i = 0; i < c->n_maps; i++)
		if (c->maps[i].live && c->maps[i].proto == proto && c->maps[i].outside.port == port)
			return true;
	return false;
}

static inline enum nat_core_err fake_map_op(void *core, uint8_t proto,
					    const struct nat_endpoint4 *inside, uint16_t want_port,
					    bool exact, uint32_t lifetime_s,
					    struct nat_endpoint4 *outside)
{
	struct fake_core *c = core;
	struct fake_map *m;
	uint16_t port;

	c->map_calls++;
	c->last_proto = proto;
	c->last_inside = *inside;
	c->last_want = want_port;
	c->last_exact = exact;
	c->last_lifetime = lifetime_s;
	if (c->refuse)
		return c->refuse;
	m = fake_live(c, proto, inside);
	if (m) {
		if (exact && want_port && want_port != m->outside.port)
			return NAT_CORE_ERR_TAKEN;
		m->lifetime = lifetime_s;
		*outside = m->outside;
		return NAT_CORE_OK;
	}
	if (!exact && c->force_port && !fake_port_used(c, proto, c->force_port)) {
		port = c->force_port;
	} else if (want_port && !fake_port_used(c, proto, want_port)) {
		port = want_port;
	} else if (exact) {
		return NAT_CORE_ERR_TAKEN;
	} else {
		for (port = 40000; fake_port_used(c, proto, port); port++)
			;
	}
	if (c->n_maps == FAKE_MAX)
		return NAT_CORE_ERR_FULL;
	m = &c->maps[c->n_maps++];
	m->proto = proto;
	m->inside = *inside;
	m->outside.addr = c->addr;
	m->outside.port = port;
	m->lifetime = lifetime_s;
	m->live = true;
	*outside = m->outside;
	return NAT_CORE_OK;
}

static inline void fake_unmap_op(void *core, uint8_t proto, const struct nat_endpoint4 *outside)
{
	struct fake_core *c = core;

	c->unmap_calls++;
	for (unsigned i = 0; i < c->n_maps; i++) {
		struct fake_map *m = &c->maps[i];

		if (m->live && m->proto == proto && m->outside.port == outside->port &&
		    m->outside.addr == outside->addr) {
			m->live = false;
			return;
		}
	}
	c->unmap_unknown++;
}

static inline unsigned fake_live_count(const struct fake_core *c)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n_maps; i++)
		n += c->maps[i].live;
	return n;
}

static inline uint32_t fake_outside_addr(void *core, uint32_t inside_addr)
{
	(void)inside_addr;
	return ((struct fake_core *)core)->addr;
}

static const struct nat_core_ops fake_ops = {
	.map = fake_map_op,
	.unmap = fake_unmap_op,
	.outside_addr = fake_outside_addr,
};

static inline uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

#define SEC 1000000000ull

#endif /* PK_NAT_PMP_FAKE_CORE_H */
