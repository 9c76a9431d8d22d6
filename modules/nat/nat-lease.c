/* SPDX-License-Identifier: MIT
 * nat-lease.c - Port-forward leases granted by NAT-PMP and PCP, their policy and expiry
 */
#include "nat-lease.h"

#include <string.h>
#include <arpa/inet.h>
#include <glib.h>

/* How many allowed ports a grant tries when the preferred one will not do. */
#define NAT_LEASE_PORT_TRIES 32u

void nat_lease_table_init(struct nat_lease_table *t, const struct nat_lease_policy *policy,
			  const struct nat_core_ops *ops, void *core)
{
	memset(t, 0, sizeof(*t));
	if (policy)
		t->policy = *policy;
	if (t->policy.n_inside > NAT_LEASE_MAX_PREFIXES)
		t->policy.n_inside = NAT_LEASE_MAX_PREFIXES;
	if (t->policy.n_ports > NAT_LEASE_MAX_RANGES)
		t->policy.n_ports = NAT_LEASE_MAX_RANGES;
	if (!t->policy.max_leases)
		t->policy.max_leases = NAT_LEASE_DEFAULT_MAX_LEASES;
	if (!t->policy.max_lifetime_s)
		t->policy.max_lifetime_s = NAT_LEASE_DEFAULT_MAX_LIFETIME;
	if (!t->policy.min_lifetime_s)
		t->policy.min_lifetime_s = NAT_LEASE_DEFAULT_MIN_LIFETIME;
	if (t->policy.min_lifetime_s > t->policy.max_lifetime_s)
		t->policy.min_lifetime_s = t->policy.max_lifetime_s;
	t->ops = ops;
	t->core = core;
	t->v = g_new0(struct nat_lease, t->policy.max_leases);
}

void nat_lease_table_clear(struct nat_lease_table *t)
{
	if (!t->v)
		return;
	nat_lease_flush(t);
	g_free(t->v);
	t->v = NULL;
}

static bool nat_lease_prefix_match(const struct nat_lease_prefix *p, uint32_t addr)
{
	uint32_t mask;

	if (p->len == 0)
		return true;
	mask = p->len >= 32 ? 0xffffffffu : ~(0xffffffffu >> p->len);
	return ((ntohl(addr) ^ ntohl(p->addr)) & mask) == 0;
}

bool nat_lease_inside_allowed(const struct nat_lease_table *t, uint32_t client)
{
	if (client == 0 || client == 0xffffffffu)
		return false;
	if (t->policy.n_inside == 0)
		return true;
	for (unsigned i = 0; i < t->policy.n_inside; i++)
		if (nat_lease_prefix_match(&t->policy.inside[i], client))
			return true;
	return false;
}

bool nat_lease_port_allowed(const struct nat_lease_table *t, uint16_t port)
{
	if (port == 0)
		return false;
	if (t->policy.n_ports == 0)
		return true;
	for (unsigned i = 0; i < t->policy.n_ports; i++)
		if (port >= t->policy.ports[i].first && port <= t->policy.ports[i].last)
			return true;
	return false;
}

struct nat_lease *nat_lease_find(struct nat_lease_table *t, uint32_t client, uint8_t proto,
				 uint16_t int_port)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct nat_lease *l = &t->v[i];

		if (l->client == client && l->proto == proto && l->int_port == int_port)
			return l;
	}
	return NULL;
}

unsigned nat_lease_count_client(const struct nat_lease_table *t, uint32_t client)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->n; i++)
		n += t->v[i].client == client;
	return n;
}

/* The @i-th candidate port of the allowed ranges, from a starting point that
 * depends on the request (so two clients do not walk the same sequence). */
static uint16_t nat_lease_candidate(const struct nat_lease_table *t, const struct nat_lease_req *r,
				    unsigned i)
{
	uint32_t total = 0, k;

	if (t->policy.n_ports == 0) {
		total = 65535;
	} else {
		for (unsigned j = 0; j < t->policy.n_ports; j++)
			if (t->policy.ports[j].first &&
			    t->policy.ports[j].first <= t->policy.ports[j].last)
				total += (uint32_t)t->policy.ports[j].last -
					 t->policy.ports[j].first + 1;
	}
	if (total == 0)
		return 0;
	k = (ntohl(r->client) * 2654435761u + r->int_port * 40503u + r->proto + i * 7919u) % total;
	if (t->policy.n_ports == 0)
		return (uint16_t)(k + 1);
	for (unsigned j = 0; j < t->policy.n_ports; j++) {
		const struct nat_lease_ports *p = &t->policy.ports[j];
		uint32_t size;

		if (!p->first || p->first > p->last)
			continue;
		size = (uint32_t)p->last - p->first + 1;
		if (k < size)
			return (uint16_t)(p->first + k);
		k -= size;
	}
	return 0;
}

static enum nat_lease_status nat_lease_status_of(enum nat_core_err e, bool exact)
{
	switch (e) {
	case NAT_CORE_OK:
		return NAT_LEASE_OK;
	case NAT_CORE_ERR_TAKEN:
		return exact ? NAT_LEASE_PORT_UNAVAILABLE : NAT_LEASE_NO_RESOURCES;
	case NAT_CORE_ERR_INVALID:
		return NAT_LEASE_UNSUPPORTED;
	case NAT_CORE_ERR_FULL:
	default:
		return NAT_LEASE_NO_RESOURCES;
	}
}

/* Ask the core for a new mapping within the allowed ports. */
static enum nat_lease_status nat_lease_map_new(struct nat_lease_table *t,
					       const struct nat_lease_req *r,
					       struct nat_endpoint4 *out)
{
	struct nat_endpoint4 in = { .addr = r->client, .port = r->int_port };
	uint16_t want = r->want_port ? r->want_port : r->int_port;
	enum nat_core_err e;

	if (nat_lease_port_allowed(t, want)) {
		e = t->ops->map(t->core, r->proto, &in, want, r->exact, r->lifetime_s, out);
		if (e == NAT_CORE_OK && nat_lease_port_allowed(t, out->port))
			return NAT_LEASE_OK;
		if (e == NAT_CORE_OK)
			t->ops->unmap(t->core, r->proto, out); /* a port outside the policy */
		else if (e != NAT_CORE_ERR_TAKEN || r->exact)
			return nat_lease_status_of(e, r->exact);
	} else if (r->exact) {
		return NAT_LEASE_PORT_UNAVAILABLE;
	}
	if (r->exact)
		return NAT_LEASE_PORT_UNAVAILABLE;
	for (unsigned i = 0; i < NAT_LEASE_PORT_TRIES; i++) {
		uint16_t p = nat_lease_candidate(t, r, i);

		if (!p)
			break;
		e = t->ops->map(t->core, r->proto, &in, p, true, r->lifetime_s, out);
		if (e == NAT_CORE_OK && out->port == p)
			return NAT_LEASE_OK;
		if (e == NAT_CORE_OK) {
			t->ops->unmap(t->core, r->proto, out); /* core ignored "exact" */
			continue;
		}
		if (e != NAT_CORE_ERR_TAKEN)
			return nat_lease_status_of(e, false);
	}
	return NAT_LEASE_NO_RESOURCES;
}

static void nat_lease_set(struct nat_lease *l, const struct nat_lease_req *r, uint64_t now)
{
	l->lifetime_s = r->lifetime_s;
	l->expires = now + (uint64_t)r->lifetime_s * 1000000000ull;
	/* A PEER renewal does not downgrade a MAP / NAT-PMP lease. */
	if (r->kind != NAT_LEASE_PEER || !l->kind)
		l->kind = r->kind;
	if (r->nonce) {
		l->has_nonce = true;
		memcpy(l->nonce, r->nonce, NAT_LEASE_NONCE_LEN);
	}
}

enum nat_lease_status nat_lease_grant(struct nat_lease_table *t, const struct nat_lease_req *r,
				      uint64_t now, struct nat_lease **out)
{
	struct nat_lease *l;
	struct nat_endpoint4 got;
	enum nat_lease_status st;

	*out = NULL;
	if (!nat_lease_inside_allowed(t, r->client) || r->int_port == 0)
		return NAT_LEASE_DENIED;
	l = nat_lease_find(t, r->client, r->proto, r->int_port);
	if (l) {
		struct nat_endpoint4 in = { .addr = r->client, .port = r->int_port };
		enum nat_core_err e;

		e = t->ops->map(t->core, r->proto, &in, l->outside.port, true, r->lifetime_s, &got);
		if (e == NAT_CORE_OK && got.port == l->outside.port &&
		    got.addr == l->outside.addr) {
			nat_lease_set(l, r, now);
			*out = l;
			return NAT_LEASE_OK;
		}
		/* The core lost or moved the mapping: start again. */
		if (e == NAT_CORE_OK)
			t->ops->unmap(t->core, r->proto, &got);
		nat_lease_remove(t, l);
	}
	if (t->policy.max_per_client &&
	    nat_lease_count_client(t, r->client) >= t->policy.max_per_client)
		return NAT_LEASE_QUOTA;
	if (t->n >= t->policy.max_leases)
		return NAT_LEASE_NO_RESOURCES;
	st = nat_lease_map_new(t, r, &got);
	if (st != NAT_LEASE_OK)
		return st;
	l = &t->v[t->n++];
	memset(l, 0, sizeof(*l));
	l->client = r->client;
	l->proto = r->proto;
	l->int_port = r->int_port;
	l->outside = got;
	nat_lease_set(l, r, now);
	*out = l;
	return NAT_LEASE_OK;
}

void nat_lease_remove(struct nat_lease_table *t, struct nat_lease *l)
{
	unsigned i = (unsigned)(l - t->v);

	g_return_if_fail(i < t->n);
	t->ops->unmap(t->core, l->proto, &l->outside);
	t->n--;
	if (i != t->n)
		t->v[i] = t->v[t->n];
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
}

uint64_t nat_lease_next_expiry(const struct nat_lease_table *t)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < t->n; i++)
		if (t->v[i].expires < next)
			next = t->v[i].expires;
	return next;
}

unsigned nat_lease_expire(struct nat_lease_table *t, uint64_t now)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->n;) {
		if (t->v[i].expires <= now) {
			nat_lease_remove(t, &t->v[i]); /* the last one moves into slot i */
			n++;
		} else {
			i++;
		}
	}
	return n;
}

unsigned nat_lease_flush(struct nat_lease_table *t)
{
	unsigned n = t->n;

	while (t->n)
		nat_lease_remove(t, &t->v[t->n - 1]);
	return n;
}
