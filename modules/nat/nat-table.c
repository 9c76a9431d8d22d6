/* SPDX-License-Identifier: MIT
 * nat-table.c - NAT44 connection tracking: pools, hash chains, port allocation, filtering, timeouts
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "nat-table.h"

#define NS_PER_SEC 1000000000ull
#define IPPROTO_ICMP_ 1u
#define IPPROTO_TCP_ 6u
#define IPPROTO_UDP_ 17u
/* TCP flags, as in <pktkit/l4.h> (the core does not need the SDK). */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_ACK 0x10u

struct nat_table {
	struct nat_params p;
	struct nat_mapping *maps;
	struct nat_flow *flows;
	uint32_t n_maps_cap, n_flows_cap;
	uint32_t free_map, free_flow; /* free lists, through next_in */
	uint32_t n_maps, n_flows;
	/* Buckets (heads of chains), power-of-two sizes. */
	uint32_t *map_in, *map_out, *flow_in, *flow_out;
	uint32_t map_mask, flow_mask;
	struct nat_expect expect[NAT_MAX_EXPECT];
	struct nat_frag frags[NAT_FRAG_SLOTS];
	uint64_t now;	      /* for the core ops */
	uint16_t ops_ifindex; /* inside port of the mappings the core ops make */
	uint64_t last_sweep;  /* when a full table last triggered nat_table_expire() */
	uint32_t alloc_seq;   /* varies the start of port searches */
	struct nat_table_stats stats;
};

static inline uint32_t nat_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h;
}

static inline uint32_t nat_hash3(uint32_t seed, uint8_t proto, uint32_t addr, uint16_t port)
{
	return nat_mix(seed ^ nat_mix(addr ^ nat_mix(((uint32_t)proto << 16) | port)));
}

static inline uint32_t nat_hash5(uint32_t seed, uint8_t proto, uint32_t a, uint16_t ap, uint32_t b,
				 uint16_t bp)
{
	return nat_mix(nat_hash3(seed, proto, a, ap) ^ nat_mix(b + 0x9e3779b9u * bp));
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t v = 16;

	while (v < n)
		v <<= 1;
	return v;
}

struct nat_table *nat_table_new(const struct nat_params *p)
{
	struct nat_table *t = g_new0(struct nat_table, 1);

	t->p = *p;
	t->n_flows_cap = MAX(p->max_flows, 1u);
	t->n_maps_cap = t->n_flows_cap + NAT_STATIC_RESERVE;
	t->flows = g_new0(struct nat_flow, t->n_flows_cap);
	t->maps = g_new0(struct nat_mapping, t->n_maps_cap);
	t->flow_mask = pow2_at_least(t->n_flows_cap) - 1;
	t->map_mask = pow2_at_least(t->n_maps_cap) - 1;
	t->flow_in = g_new(uint32_t, t->flow_mask + 1);
	t->flow_out = g_new(uint32_t, t->flow_mask + 1);
	t->map_in = g_new(uint32_t, t->map_mask + 1);
	t->map_out = g_new(uint32_t, t->map_mask + 1);
	nat_table_flush(t);
	/* Static mappings too: a new table is empty. */
	for (uint32_t i = 0; i <= t->map_mask; i++)
		t->map_in[i] = t->map_out[i] = NAT_NONE;
	memset(t->maps, 0, sizeof(*t->maps) * t->n_maps_cap);
	t->n_maps = 0;
	t->free_map = NAT_NONE;
	for (uint32_t i = t->n_maps_cap; i-- > 0;) {
		t->maps[i].next_in = t->free_map;
		t->free_map = i;
	}
	return t;
}

void nat_table_free(struct nat_table *t)
{
	if (!t)
		return;
	g_free(t->flows);
	g_free(t->maps);
	g_free(t->flow_in);
	g_free(t->flow_out);
	g_free(t->map_in);
	g_free(t->map_out);
	g_free(t);
}

void nat_table_set_params(struct nat_table *t, const struct nat_params *p)
{
	uint32_t max_flows = t->p.max_flows, seed = t->p.seed, n_out = t->p.n_outside;
	uint32_t out[NAT_MAX_OUTSIDE];

	memcpy(out, t->p.outside, sizeof(out));
	t->p = *p;
	t->p.max_flows = max_flows;
	t->p.seed = seed;
	t->p.n_outside = n_out;
	memcpy(t->p.outside, out, sizeof(out));
}

const struct nat_params *nat_table_params(const struct nat_table *t)
{
	return &t->p;
}

void nat_table_set_now(struct nat_table *t, uint64_t now)
{
	t->now = now;
}

void nat_table_set_ops_ifindex(struct nat_table *t, uint16_t ifindex)
{
	t->ops_ifindex = ifindex;
}

bool nat_table_is_outside(const struct nat_table *t, uint32_t addr)
{
	for (uint32_t i = 0; i < t->p.n_outside; i++)
		if (t->p.outside[i] == addr)
			return true;
	return false;
}

uint32_t nat_table_outside_for(const struct nat_table *t, uint32_t in_addr)
{
	if (t->p.n_outside <= 1)
		return t->p.outside[0];
	/* Paired pooling (RFC 4787 REQ-2): a function of the inside address
	 * alone, so every mapping of a host gets the same outside address. */
	return t->p.outside[nat_mix(in_addr ^ t->p.seed) % t->p.n_outside];
}

/* Mappings ---------------------------------------------------------------- */

static uint32_t map_find_out(const struct nat_table *t, uint8_t proto, uint32_t addr, uint16_t port)
{
	uint32_t i = t->map_out[nat_hash3(t->p.seed, proto, addr, port) & t->map_mask];

	for (; i != NAT_NONE; i = t->maps[i].next_out) {
		const struct nat_mapping *m = &t->maps[i];

		if (m->out_port == port && m->out_addr == addr && m->proto == proto)
			return i;
	}
	return NAT_NONE;
}

static uint32_t map_find_in(const struct nat_table *t, uint8_t proto, uint32_t addr, uint16_t port)
{
	uint32_t i = t->map_in[nat_hash3(t->p.seed, proto, addr, port) & t->map_mask];

	for (; i != NAT_NONE; i = t->maps[i].next_in) {
		const struct nat_mapping *m = &t->maps[i];

		if (m->in_port == port && m->in_addr == addr && m->proto == proto)
			return i;
	}
	return NAT_NONE;
}

static void chain_remove(uint32_t *head, uint32_t idx, void *base, size_t stride, size_t off)
{
	uint32_t *pp = head;

	while (*pp != NAT_NONE) {
		if (*pp == idx) {
			*pp = *(uint32_t *)((char *)base + (size_t)idx * stride + off);
			return;
		}
		pp = (uint32_t *)((char *)base + (size_t)*pp * stride + off);
	}
}

static uint32_t map_new(struct nat_table *t, uint8_t proto, uint32_t in_addr, uint16_t in_port,
			uint32_t out_addr, uint16_t out_port)
{
	uint32_t i = t->free_map, h;
	struct nat_mapping *m;

	if (i == NAT_NONE)
		return NAT_NONE;
	m = &t->maps[i];
	t->free_map = m->next_in;
	memset(m, 0, sizeof(*m));
	m->used = true;
	m->proto = proto;
	m->in_addr = in_addr;
	m->in_port = in_port;
	m->out_addr = out_addr;
	m->out_port = out_port;
	m->first_flow = NAT_NONE;
	h = nat_hash3(t->p.seed, proto, in_addr, in_port) & t->map_mask;
	m->next_in = t->map_in[h];
	t->map_in[h] = i;
	h = nat_hash3(t->p.seed, proto, out_addr, out_port) & t->map_mask;
	m->next_out = t->map_out[h];
	t->map_out[h] = i;
	t->n_maps++;
	return i;
}

static void map_free(struct nat_table *t, uint32_t i)
{
	struct nat_mapping *m = &t->maps[i];

	chain_remove(
		&t->map_in[nat_hash3(t->p.seed, m->proto, m->in_addr, m->in_port) & t->map_mask], i,
		t->maps, sizeof(*m), offsetof(struct nat_mapping, next_in));
	chain_remove(
		&t->map_out[nat_hash3(t->p.seed, m->proto, m->out_addr, m->out_port) & t->map_mask],
		i, t->maps, sizeof(*m), offsetof(struct nat_mapping, next_out));
	m->used = false;
	m->next_in = t->free_map;
	t->free_map = i;
	t->n_maps--;
}

/* Whether a mapping may go now: no flow, not static, no lease running. */
static void map_maybe_free(struct nat_table *t, uint32_t i, uint64_t now)
{
	struct nat_mapping *m = &t->maps[i];

	if (m->n_flows == 0 && !m->is_static && m->lease_until <= now)
		map_free(t, i);
}

/* A mapping open to every remote: a port forward or a lease. */
static inline bool map_is_open(const struct nat_mapping *m, uint64_t now)
{
	return m->is_static || (m->lease_until > now && m->open);
}

/*
 * Pick an outside port for @in_port on @out_addr: the inside port itself
 * when free and allowed (port preservation), else a free one of the range,
 * of the same parity when asked, searched from a varying start.
 */
static bool port_pick(struct nat_table *t, uint8_t proto, uint32_t out_addr, uint32_t in_addr,
		      uint16_t in_port, uint16_t want, uint16_t *out)
{
	uint32_t lo = t->p.port_lo, hi = t->p.port_hi, n, start;

	if (proto == IPPROTO_ICMP_) {
		lo = 1;
		hi = 65535;
	}
	if (want && want >= lo && want <= hi &&
	    (!t->p.port_parity || (want & 1) == (in_port & 1)) &&
	    map_find_out(t, proto, out_addr, want) == NAT_NONE) {
		*out = want;
		return true;
	}
	if (hi < lo)
		return false;
	n = hi - lo + 1;
	start = nat_mix(nat_hash3(t->p.seed, proto, in_addr, in_port) + t->alloc_seq++) % n;
	for (uint32_t k = 0; k < n; k++) {
		uint16_t port = (uint16_t)(lo + (start + k) % n);

		if (t->p.port_parity && (port & 1) != (in_port & 1))
			continue;
		if (map_find_out(t, proto, out_addr, port) == NAT_NONE) {
			*out = port;
			return true;
		}
	}
	return false;
}

/* Flows ------------------------------------------------------------------- */

static inline uint32_t flow_hash_in(const struct nat_table *t, const struct nat_mapping *m,
				    uint32_t rem, uint16_t rport)
{
	return nat_hash5(t->p.seed, m->proto, m->in_addr, m->in_port, rem, rport) & t->flow_mask;
}

static inline uint32_t flow_hash_out(const struct nat_table *t, const struct nat_mapping *m,
				     uint32_t rem, uint16_t rport)
{
	return nat_hash5(t->p.seed, m->proto, m->out_addr, m->out_port, rem, rport) & t->flow_mask;
}

static uint32_t flow_find(const struct nat_table *t, enum nat_dir dir, uint8_t proto, uint32_t addr,
			  uint16_t port, uint32_t rem, uint16_t rport)
{
	uint32_t i = dir == NAT_DIR_OUT
			     ? t->flow_in[nat_hash5(t->p.seed, proto, addr, port, rem, rport) &
					  t->flow_mask]
			     : t->flow_out[nat_hash5(t->p.seed, proto, addr, port, rem, rport) &
					   t->flow_mask];

	while (i != NAT_NONE) {
		const struct nat_flow *f = &t->flows[i];
		const struct nat_mapping *m = &t->maps[f->mapping];

		if (f->rem_addr == rem && f->rem_port == rport && m->proto == proto &&
		    (dir == NAT_DIR_OUT ? m->in_addr == addr && m->in_port == port
					: m->out_addr == addr && m->out_port == port))
			return i;
		i = dir == NAT_DIR_OUT ? f->next_in : f->next_out;
	}
	return NAT_NONE;
}

uint64_t nat_table_flow_timeout(const struct nat_table *t, const struct nat_flow *f)
{
	const struct nat_mapping *m = &t->maps[f->mapping];

	switch (m->proto) {
	case IPPROTO_TCP_:
		return f->tcp_state == NAT_TCP_ESTABLISHED && f->seen == 3 ? t->p.tcp_est_ns
									   : t->p.tcp_trans_ns;
	case IPPROTO_UDP_:
		return t->p.udp_ns;
	default:
		return t->p.icmp_ns;
	}
}

static void flow_free(struct nat_table *t, uint32_t i, uint64_t now)
{
	struct nat_flow *f = &t->flows[i];
	struct nat_mapping *m = &t->maps[f->mapping];

	chain_remove(&t->flow_in[flow_hash_in(t, m, f->rem_addr, f->rem_port)], i, t->flows,
		     sizeof(*f), offsetof(struct nat_flow, next_in));
	chain_remove(&t->flow_out[flow_hash_out(t, m, f->rem_addr, f->rem_port)], i, t->flows,
		     sizeof(*f), offsetof(struct nat_flow, next_out));
	if (f->prev_m != NAT_NONE)
		t->flows[f->prev_m].next_m = f->next_m;
	else
		m->first_flow = f->next_m;
	if (f->next_m != NAT_NONE)
		t->flows[f->next_m].prev_m = f->prev_m;
	m->n_flows--;
	f->used = false;
	f->next_in = t->free_flow;
	t->free_flow = i;
	t->n_flows--;
	map_maybe_free(t, f->mapping, now);
}

/* A free flow entry; when none is left, expired ones are reclaimed (at
 * most one sweep per second of the clock, so a flood costs little). */
static uint32_t flow_alloc(struct nat_table *t, uint64_t now)
{
	if (t->free_flow == NAT_NONE && now >= t->last_sweep + NS_PER_SEC) {
		t->last_sweep = now;
		nat_table_expire(t, now);
	}
	return t->free_flow;
}

static uint32_t flow_new(struct nat_table *t, uint32_t mi, uint32_t rem, uint16_t rport,
			 uint64_t now)
{
	uint32_t i = t->free_flow, h;
	struct nat_mapping *m = &t->maps[mi];
	struct nat_flow *f;

	g_assert(i != NAT_NONE);
	f = &t->flows[i];
	t->free_flow = f->next_in;
	memset(f, 0, sizeof(*f));
	f->used = true;
	f->mapping = mi;
	f->rem_addr = rem;
	f->rem_port = rport;
	f->created = now;
	h = flow_hash_in(t, m, rem, rport);
	f->next_in = t->flow_in[h];
	t->flow_in[h] = i;
	h = flow_hash_out(t, m, rem, rport);
	f->next_out = t->flow_out[h];
	t->flow_out[h] = i;
	f->prev_m = NAT_NONE;
	f->next_m = m->first_flow;
	if (m->first_flow != NAT_NONE)
		t->flows[m->first_flow].prev_m = i;
	m->first_flow = i;
	m->n_flows++;
	t->n_flows++;
	t->stats.flows_created++;
	return i;
}

/* Advance the TCP state of @f for a segment with @flags travelling @dir. */
static void tcp_track(struct nat_flow *f, enum nat_dir dir, uint8_t flags)
{
	uint8_t bit = (uint8_t)(1u << dir);

	if (flags & TCP_RST) {
		f->tcp_state = NAT_TCP_CLOSED;
		return;
	}
	switch (f->tcp_state) {
	case NAT_TCP_SYN_SENT:
		/* The answer (SYN+ACK) or a simultaneous open (SYN). */
		if ((flags & TCP_SYN) && !(f->seen & bit))
			f->tcp_state = NAT_TCP_SYN_RECV;
		break;
	case NAT_TCP_SYN_RECV:
		if ((flags & (TCP_ACK | TCP_SYN)) == TCP_ACK)
			f->tcp_state = NAT_TCP_ESTABLISHED;
		break;
	case NAT_TCP_CLOSED:
	case NAT_TCP_CLOSING:
		/* A new connection on the same ports. */
		if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
			f->tcp_state = NAT_TCP_SYN_SENT;
			f->fin = 0;
			f->seen = 0;
		}
		break;
	default:
		break;
	}
	if ((flags & TCP_FIN) && f->tcp_state >= NAT_TCP_SYN_RECV) {
		f->fin |= bit;
		f->tcp_state = f->fin == 3 ? NAT_TCP_CLOSING : NAT_TCP_FIN_WAIT;
	}
}

static void flow_touch(struct nat_table *t, struct nat_flow *f, enum nat_dir dir, uint8_t flags,
		       uint64_t now)
{
	if (t->maps[f->mapping].proto == IPPROTO_TCP_)
		tcp_track(f, dir, flags);
	f->seen |= (uint8_t)(1u << dir);
	f->packets[dir]++;
	f->expires = now + nat_table_flow_timeout(t, f);
}

static void res_fill(const struct nat_table *t, uint32_t fi, enum nat_dir dir,
		     const struct nat_tuple *in, struct nat_xlate_res *out)
{
	const struct nat_flow *f = &t->flows[fi];
	const struct nat_mapping *m = &t->maps[f->mapping];

	out->flow = fi;
	out->mapping = f->mapping;
	out->t = *in;
	out->in_ifindex = m->in_ifindex;
	if (dir == NAT_DIR_OUT) {
		out->t.src = m->out_addr;
		out->t.sport = m->out_port;
		if (in->proto == IPPROTO_ICMP_)
			out->t.dport = m->out_port;
	} else {
		out->t.dst = m->in_addr;
		out->t.dport = m->in_port;
		if (in->proto == IPPROTO_ICMP_)
			out->t.sport = m->in_port;
	}
}

/* The live flow at @i, or NAT_NONE after freeing it when it has expired. */
static uint32_t flow_live(struct nat_table *t, uint32_t i, uint64_t now)
{
	if (i != NAT_NONE && t->flows[i].expires <= now) {
		t->stats.flows_expired++;
		flow_free(t, i, now);
		return NAT_NONE;
	}
	return i;
}

/* The remote port of a flow: ICMP echo has none (the identifier is ours). */
static inline uint16_t rem_port_of(uint8_t proto, uint16_t port)
{
	return proto == IPPROTO_ICMP_ ? 0 : port;
}

enum nat_verdict nat_table_outbound(struct nat_table *t, const struct nat_tuple *in,
				    uint8_t tcp_flags, uint16_t ifindex, uint64_t now,
				    struct nat_xlate_res *out)
{
	uint16_t rport = rem_port_of(in->proto, in->dport);
	uint32_t fi, mi;
	bool new_map = false;

	fi = flow_find(t, NAT_DIR_OUT, in->proto, in->src, in->sport, in->dst, rport);
	fi = flow_live(t, fi, now);
	if (fi == NAT_NONE) {
		if (in->proto == IPPROTO_TCP_ && (tcp_flags & TCP_RST))
			return NAT_DROP_NO_MAPPING;
		if (flow_alloc(t, now) == NAT_NONE)
			return NAT_DROP_TABLE_FULL;
		mi = map_find_in(t, in->proto, in->src, in->sport);
		if (mi == NAT_NONE) {
			uint32_t oa = nat_table_outside_for(t, in->src);
			uint16_t op;

			if (!port_pick(t, in->proto, oa, in->src, in->sport,
				       t->p.port_preserve ? in->sport : 0, &op))
				return NAT_DROP_PORTS_EXHAUSTED;
			mi = map_new(t, in->proto, in->src, in->sport, oa, op);
			if (mi == NAT_NONE)
				return NAT_DROP_TABLE_FULL;
			new_map = true;
		}
		if (new_map || !t->maps[mi].is_static)
			t->maps[mi].in_ifindex = ifindex;
		fi = flow_new(t, mi, in->dst, rport, now);
		if (in->proto == IPPROTO_TCP_)
			t->flows[fi].tcp_state = (tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN
							 ? NAT_TCP_SYN_SENT
							 : NAT_TCP_ESTABLISHED;
	}
	flow_touch(t, &t->flows[fi], NAT_DIR_OUT, tcp_flags, now);
	res_fill(t, fi, NAT_DIR_OUT, in, out);
	return NAT_OK;
}

/* An expectation for a packet to @in (outside view), consumed if found. */
static bool expect_take(struct nat_table *t, const struct nat_tuple *in, uint64_t now,
			struct nat_expect *out)
{
	for (uint32_t i = 0; i < NAT_MAX_EXPECT; i++) {
		struct nat_expect *e = &t->expect[i];

		if (!e->used)
			continue;
		if (e->expires <= now) {
			e->used = false;
			continue;
		}
		if (e->proto == in->proto && e->outside.addr == in->dst &&
		    e->outside.port == in->dport && (!e->rem_addr || e->rem_addr == in->src) &&
		    (!e->rem_port || e->rem_port == in->sport)) {
			*out = *e;
			e->used = false;
			return true;
		}
	}
	return false;
}

enum nat_verdict nat_table_inbound(struct nat_table *t, const struct nat_tuple *in,
				   uint8_t tcp_flags, uint64_t now, struct nat_xlate_res *out)
{
	uint16_t lport = in->proto == IPPROTO_ICMP_ ? in->dport : in->dport;
	uint16_t rport = rem_port_of(in->proto, in->sport);
	struct nat_expect e;
	uint32_t fi, mi;

	fi = flow_find(t, NAT_DIR_IN, in->proto, in->dst, lport, in->src, rport);
	fi = flow_live(t, fi, now);
	if (fi != NAT_NONE)
		goto found;
	if (in->proto == IPPROTO_TCP_ && (tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN) {
		/* Only a SYN opens a connection; check the mapping first so
		 * that the counter tells a closed port from a stray segment. */
		return map_find_out(t, in->proto, in->dst, lport) == NAT_NONE
			       ? NAT_DROP_NO_MAPPING
			       : NAT_DROP_TCP_NOT_SYN;
	}
	mi = map_find_out(t, in->proto, in->dst, lport);
	if (expect_take(t, in, now, &e)) {
		if (flow_alloc(t, now) == NAT_NONE)
			return NAT_DROP_TABLE_FULL;
		if (mi == NAT_NONE) {
			mi = map_new(t, in->proto, e.inside.addr, e.inside.port, in->dst, lport);
			if (mi == NAT_NONE)
				return NAT_DROP_TABLE_FULL;
		}
		goto create;
	}
	if (mi == NAT_NONE)
		return NAT_DROP_NO_MAPPING;
	if (!map_is_open(&t->maps[mi], now)) {
		const struct nat_mapping *m = &t->maps[mi];
		bool ok = false;

		if (in->proto == IPPROTO_ICMP_) {
			/* Echo identifiers are ours: only replies come in. */
			return NAT_DROP_FILTERED;
		}
		switch (t->p.filtering) {
		case NAT_FILTER_EI:
			ok = true;
			break;
		case NAT_FILTER_AD:
			for (uint32_t k = m->first_flow; k != NAT_NONE; k = t->flows[k].next_m)
				if (t->flows[k].rem_addr == in->src && t->flows[k].expires > now) {
					ok = true;
					break;
				}
			break;
		default:
			break; /* the exact flow would have been found */
		}
		if (!ok)
			return NAT_DROP_FILTERED;
	}
	if (flow_alloc(t, now) == NAT_NONE)
		return NAT_DROP_TABLE_FULL;
create:
	fi = flow_new(t, mi, in->src, rport, now);
	if (in->proto == IPPROTO_TCP_)
		t->flows[fi].tcp_state = NAT_TCP_SYN_SENT;
found:
	flow_touch(t, &t->flows[fi], NAT_DIR_IN, tcp_flags, now);
	res_fill(t, fi, NAT_DIR_IN, in, out);
	return NAT_OK;
}

bool nat_table_lookup_flow(struct nat_table *t, enum nat_dir dir, const struct nat_tuple *tp,
			   uint64_t now, struct nat_xlate_res *out)
{
	uint32_t fi;

	if (dir == NAT_DIR_OUT)
		fi = flow_find(t, NAT_DIR_OUT, tp->proto, tp->src, tp->sport, tp->dst,
			       rem_port_of(tp->proto, tp->dport));
	else
		fi = flow_find(t, NAT_DIR_IN, tp->proto, tp->dst, tp->dport, tp->src,
			       rem_port_of(tp->proto, tp->sport));
	if (fi == NAT_NONE || t->flows[fi].expires <= now)
		return false;
	res_fill(t, fi, dir, tp, out);
	return true;
}

uint32_t nat_table_expire(struct nat_table *t, uint64_t now)
{
	uint32_t freed = 0;

	for (uint32_t i = 0; i < t->n_flows_cap; i++)
		if (t->flows[i].used && t->flows[i].expires <= now) {
			flow_free(t, i, now);
			freed++;
		}
	t->stats.flows_expired += freed;
	for (uint32_t i = 0; i < t->n_maps_cap; i++) {
		struct nat_mapping *m = &t->maps[i];

		if (!m->used || !m->lease_until || m->lease_until > now)
			continue;
		m->lease_until = 0;
		m->open = false;
		map_maybe_free(t, i, now);
	}
	for (uint32_t i = 0; i < NAT_MAX_EXPECT; i++)
		if (t->expect[i].used && t->expect[i].expires <= now)
			t->expect[i].used = false;
	return freed;
}

void nat_table_flush(struct nat_table *t)
{
	t->free_flow = NAT_NONE;
	for (uint32_t i = t->n_flows_cap; i-- > 0;) {
		t->flows[i].used = false;
		t->flows[i].next_in = t->free_flow;
		t->free_flow = i;
	}
	t->n_flows = 0;
	for (uint32_t i = 0; i <= t->flow_mask; i++)
		t->flow_in[i] = t->flow_out[i] = NAT_NONE;
	for (uint32_t i = 0; t->maps && i < t->n_maps_cap; i++) {
		struct nat_mapping *m = &t->maps[i];

		if (!m->used)
			continue;
		m->n_flows = 0;
		m->first_flow = NAT_NONE;
		if (!m->is_static && !m->lease_until)
			map_free(t, i);
	}
	memset(t->expect, 0, sizeof(t->expect));
	memset(t->frags, 0, sizeof(t->frags));
}

/* Static mappings ----------------------------------------------------------- */

static bool proto_ok(uint8_t proto)
{
	return proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_;
}

enum nat_core_err nat_table_static_check(struct nat_table *t, uint8_t proto,
					 const struct nat_endpoint4 *outside,
					 const struct nat_endpoint4 *inside,
					 struct nat_endpoint4 *in_use_by)
{
	uint32_t mi;

	if (!proto_ok(proto) || !outside->port || !inside->port || !inside->addr ||
	    !nat_table_is_outside(t, outside->addr))
		return NAT_CORE_ERR_INVALID;
	mi = map_find_out(t, proto, outside->addr, outside->port);
	if (mi == NAT_NONE)
		return t->free_map == NAT_NONE ? NAT_CORE_ERR_FULL : NAT_CORE_OK;
	if (t->maps[mi].in_addr == inside->addr && t->maps[mi].in_port == inside->port &&
	    !t->maps[mi].is_static)
		return NAT_CORE_OK; /* that host's own dynamic mapping becomes static */
	if (in_use_by) {
		in_use_by->addr = t->maps[mi].in_addr;
		in_use_by->port = t->maps[mi].in_port;
	}
	return NAT_CORE_ERR_TAKEN;
}

enum nat_core_err nat_table_static_add(struct nat_table *t, uint8_t proto,
				       const struct nat_endpoint4 *outside,
				       const struct nat_endpoint4 *inside, uint16_t ifindex)
{
	enum nat_core_err err = nat_table_static_check(t, proto, outside, inside, NULL);
	uint32_t mi;

	if (err != NAT_CORE_OK)
		return err;
	mi = map_find_out(t, proto, outside->addr, outside->port);
	if (mi == NAT_NONE)
		mi = map_new(t, proto, inside->addr, inside->port, outside->addr, outside->port);
	if (mi == NAT_NONE)
		return NAT_CORE_ERR_FULL;
	t->maps[mi].is_static = true;
	t->maps[mi].in_ifindex = ifindex;
	return NAT_CORE_OK;
}

void nat_table_static_remove(struct nat_table *t, uint8_t proto,
			     const struct nat_endpoint4 *outside)
{
	uint32_t mi = map_find_out(t, proto, outside->addr, outside->port);

	if (mi == NAT_NONE || !t->maps[mi].is_static)
		return;
	/* Its connections go with it: the outside port is free at once for
	 * whatever replaces the forward. */
	t->maps[mi].is_static = false;
	t->maps[mi].lease_until = 0;
	t->maps[mi].open = false;
	if (t->maps[mi].n_flows == 0) {
		map_free(t, mi);
		return;
	}
	while (t->maps[mi].used && t->maps[mi].first_flow != NAT_NONE)
		flow_free(t, t->maps[mi].first_flow, t->now);
}

/* The core ops (nat-core-ops.h) ---------------------------------------------- */

static uint64_t idle_ns(const struct nat_table *t, uint8_t proto)
{
	return proto == IPPROTO_TCP_   ? t->p.tcp_trans_ns
	       : proto == IPPROTO_UDP_ ? t->p.udp_ns
				       : t->p.icmp_ns;
}

static enum nat_core_err core_map(void *core, uint8_t proto, const struct nat_endpoint4 *inside,
				  uint16_t want_port, bool exact, uint32_t lifetime_s,
				  struct nat_endpoint4 *outside)
{
	struct nat_table *t = core;
	uint64_t until = t->now + (lifetime_s ? lifetime_s * NS_PER_SEC : idle_ns(t, proto));
	uint32_t mi, oa;
	uint16_t port;

	if ((!proto_ok(proto) && proto != IPPROTO_ICMP_) || !inside->addr || !inside->port)
		return NAT_CORE_ERR_INVALID;
	mi = map_find_in(t, proto, inside->addr, inside->port);
	if (mi != NAT_NONE && (!exact || !want_port || t->maps[mi].out_port == want_port)) {
		struct nat_mapping *m = &t->maps[mi];

		if (until > m->lease_until)
			m->lease_until = until;
		m->open |= lifetime_s > 0;
		outside->addr = m->out_addr;
		outside->port = m->out_port;
		return NAT_CORE_OK;
	}
	oa = nat_table_outside_for(t, inside->addr);
	if (exact && want_port && map_find_out(t, proto, oa, want_port) != NAT_NONE)
		return NAT_CORE_ERR_TAKEN;
	if (exact && want_port)
		port = want_port;
	else if (!port_pick(t, proto, oa, inside->addr, inside->port,
			    want_port ? want_port : inside->port, &port))
		return NAT_CORE_ERR_FULL;
	mi = map_new(t, proto, inside->addr, inside->port, oa, port);
	if (mi == NAT_NONE)
		return NAT_CORE_ERR_FULL;
	t->maps[mi].lease_until = until;
	t->maps[mi].open = lifetime_s > 0;
	t->maps[mi].in_ifindex = t->ops_ifindex;
	outside->addr = oa;
	outside->port = port;
	return NAT_CORE_OK;
}

static void core_unmap(void *core, uint8_t proto, const struct nat_endpoint4 *outside)
{
	struct nat_table *t = core;
	uint32_t mi = map_find_out(t, proto, outside->addr, outside->port);

	if (mi == NAT_NONE || t->maps[mi].is_static)
		return;
	t->maps[mi].lease_until = 0;
	t->maps[mi].open = false;
	map_maybe_free(t, mi, t->now);
}

static enum nat_core_err core_expect(void *core, uint8_t proto, const struct nat_endpoint4 *remote,
				     const struct nat_endpoint4 *outside,
				     const struct nat_endpoint4 *inside, uint32_t timeout_s)
{
	struct nat_table *t = core;

	if ((!proto_ok(proto)) || !nat_table_is_outside(t, outside->addr) || !outside->port ||
	    !inside->addr || !inside->port)
		return NAT_CORE_ERR_INVALID;
	for (uint32_t i = 0; i < NAT_MAX_EXPECT; i++) {
		struct nat_expect *e = &t->expect[i];

		if (e->used && e->expires > t->now)
			continue;
		e->used = true;
		e->proto = proto;
		e->rem_addr = remote ? remote->addr : 0;
		e->rem_port = remote ? remote->port : 0;
		e->outside = *outside;
		e->inside = *inside;
		e->expires = t->now + (uint64_t)timeout_s * NS_PER_SEC;
		return NAT_CORE_OK;
	}
	return NAT_CORE_ERR_FULL;
}

static uint32_t core_outside_addr(void *core, uint32_t inside_addr)
{
	return nat_table_outside_for(core, inside_addr);
}

const struct nat_core_ops nat_table_core_ops = {
	.map = core_map,
	.unmap = core_unmap,
	.expect = core_expect,
	.outside_addr = core_outside_addr,
};

/* Fragments ------------------------------------------------------------------ */

static uint32_t frag_slot(const struct nat_table *t, uint8_t dir, uint32_t src, uint32_t dst,
			  uint8_t proto, uint16_t id)
{
	return nat_hash5(t->p.seed, (uint8_t)(proto ^ dir), src, id, dst, dir) &
	       (NAT_FRAG_SLOTS - 1);
}

void nat_table_frag_note(struct nat_table *t, const struct nat_frag *f, uint64_t now)
{
	struct nat_frag *s = &t->frags[frag_slot(t, f->dir, f->src, f->dst, f->proto, f->id)];

	*s = *f;
	s->expires = now + NAT_FRAG_TIMEOUT_NS;
}

const struct nat_frag *nat_table_frag_find(struct nat_table *t, uint8_t dir, uint32_t src,
					   uint32_t dst, uint8_t proto, uint16_t id, uint64_t now)
{
	const struct nat_frag *s = &t->frags[frag_slot(t, dir, src, dst, proto, id)];

	if (s->expires > now && s->src == src && s->dst == dst && s->proto == proto &&
	    s->id == id && s->dir == dir)
		return s;
	return NULL;
}

/* Inspection ------------------------------------------------------------------ */

uint32_t nat_table_capacity(const struct nat_table *t)
{
	return t->n_flows_cap;
}

uint32_t nat_table_mapping_capacity(const struct nat_table *t)
{
	return t->n_maps_cap;
}

const struct nat_flow *nat_table_flow_at(const struct nat_table *t, uint32_t i)
{
	return i < t->n_flows_cap && t->flows[i].used ? &t->flows[i] : NULL;
}

struct nat_flow *nat_table_flow_mut(struct nat_table *t, uint32_t i)
{
	return i < t->n_flows_cap && t->flows[i].used ? &t->flows[i] : NULL;
}

const struct nat_mapping *nat_table_mapping_at(const struct nat_table *t, uint32_t i)
{
	return i < t->n_maps_cap && t->maps[i].used ? &t->maps[i] : NULL;
}

uint32_t nat_table_n_flows(const struct nat_table *t)
{
	return t->n_flows;
}

uint32_t nat_table_n_mappings(const struct nat_table *t)
{
	return t->n_maps;
}

const struct nat_table_stats *nat_table_stats(const struct nat_table *t)
{
	return &t->stats;
}

size_t nat_table_memory(const struct nat_table *t)
{
	return sizeof(*t) + (size_t)t->n_flows_cap * sizeof(struct nat_flow) +
	       (size_t)t->n_maps_cap * sizeof(struct nat_mapping) +
	       2 * sizeof(uint32_t) * ((size_t)t->flow_mask + 1 + t->map_mask + 1);
}

const char *nat_tcp_state_name(uint8_t state)
{
	static const char *const names[] = {
		[NAT_TCP_NONE] = "",
		[NAT_TCP_SYN_SENT] = "syn-sent",
		[NAT_TCP_SYN_RECV] = "syn-recv",
		[NAT_TCP_ESTABLISHED] = "established",
		[NAT_TCP_FIN_WAIT] = "fin-wait",
		[NAT_TCP_CLOSING] = "closing",
		[NAT_TCP_CLOSED] = "closed",
	};

	return state < G_N_ELEMENTS(names) ? names[state] : "?";
}
