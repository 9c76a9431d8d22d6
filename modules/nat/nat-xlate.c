/* SPDX-License-Identifier: MIT
 * nat-xlate.c - NAT44 packet rewriting: parse, translate through the table, fix every checksum
 */
#include <string.h>
#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

#include "nat-xlate.h"

void nat_csum_partial_update32(uint8_t *field, uint32_t from, uint32_t to)
{
	/* pk_csum_update32() works on a complemented checksum; the partial
	 * field holds the sum itself: complement around it. */
	pk_put_be16(field, (uint16_t)~pk_get_be16(field));
	pk_csum_update32(field, from, to);
	pk_put_be16(field, (uint16_t)~pk_get_be16(field));
}

static inline uint32_t addr_rd(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	return a;
}

/* The value of a network-order address as the checksum functions take it. */
static inline uint32_t addr_be(uint32_t a)
{
	return pk_get_be32((const uint8_t *)&a);
}

/* Where the L4 checksum of a translated packet is, and how to treat it. */
struct l4sum {
	uint8_t *field; /* NULL: none to update */
	bool pseudo;	/* covers the pseudo header (TCP, UDP) */
	bool partial;	/* holds an uncomplemented partial sum (offload) */
	bool udp;	/* UDP: 0 means none, a computed 0 is sent as 0xffff */
};

static void addr_set(uint8_t *ip, uint32_t off, uint32_t from, uint32_t to, const struct l4sum *s)
{
	uint32_t f = addr_be(from), n = addr_be(to);

	memcpy(ip + off, &to, 4);
	pk_csum_update32(ip + 10, f, n);
	if (s->field && s->pseudo) {
		if (s->partial)
			nat_csum_partial_update32(s->field, f, n);
		else
			pk_csum_update32(s->field, f, n);
	}
}

static void port_set(uint8_t *p, uint16_t from, uint16_t to, const struct l4sum *s)
{
	pk_put_be16(p, to);
	/* A partial sum does not include the ports: they are summed with
	 * the data when the checksum is completed. */
	if (s->field && !s->partial)
		pk_csum_update16(s->field, from, to);
}

static void l4sum_init(struct l4sum *s, uint8_t proto, uint8_t *l4, bool has_l4, bool partial)
{
	memset(s, 0, sizeof(*s));
	if (!has_l4)
		return;
	switch (proto) {
	case PK_IPPROTO_TCP:
		s->field = l4 + 16;
		s->pseudo = true;
		s->partial = partial;
		break;
	case PK_IPPROTO_UDP:
		s->udp = true;
		s->pseudo = true;
		s->partial = partial;
		if (partial || pk_get_be16(l4 + 6) != 0)
			s->field = l4 + 6;
		break;
	case PK_IPPROTO_ICMP:
		s->field = l4 + 2;
		break;
	}
}

static void l4sum_finish(const struct l4sum *s)
{
	if (s->udp && s->field && !s->partial && pk_get_be16(s->field) == 0)
		pk_put_be16(s->field, 0xffff);
}

/* Rewrite addresses and ports from @o to @n; the L4 header is present
 * (not a later fragment) when @has_l4. */
static void rewrite(uint8_t *ip, uint8_t proto, uint8_t *l4, bool has_l4, const struct nat_tuple *o,
		    const struct nat_tuple *n, bool partial)
{
	struct l4sum s;

	l4sum_init(&s, proto, l4, has_l4, partial);
	if (o->src != n->src)
		addr_set(ip, 12, o->src, n->src, &s);
	if (o->dst != n->dst)
		addr_set(ip, 16, o->dst, n->dst, &s);
	if (has_l4) {
		if (proto == PK_IPPROTO_ICMP) {
			if (o->sport != n->sport)
				port_set(l4 + 4, o->sport, n->sport, &s);
		} else {
			if (o->sport != n->sport)
				port_set(l4, o->sport, n->sport, &s);
			if (o->dport != n->dport)
				port_set(l4 + 2, o->dport, n->dport, &s);
		}
	}
	l4sum_finish(&s);
}

static enum nat_result verdict_result(enum nat_verdict v)
{
	switch (v) {
	case NAT_OK:
		return NAT_R_FORWARD;
	case NAT_DROP_NO_MAPPING:
		return NAT_R_DROP_NO_MAPPING;
	case NAT_DROP_FILTERED:
		return NAT_R_DROP_FILTERED;
	case NAT_DROP_TABLE_FULL:
		return NAT_R_DROP_TABLE_FULL;
	case NAT_DROP_PORTS_EXHAUSTED:
		return NAT_R_DROP_PORTS;
	case NAT_DROP_TCP_NOT_SYN:
		return NAT_R_DROP_TCP_NOT_SYN;
	}
	return NAT_R_DROP_INVALID;
}

static inline bool icmp_is_error(uint8_t type)
{
	return type == PK_ICMP_DEST_UNREACH || type == PK_ICMP_TIME_EXCEEDED ||
	       type == PK_ICMP_PARAM_PROBLEM || type == 4 /* source quench */;
}

/*
 * An ICMP error (RFC 5508): find the flow of the quoted packet, translate
 * the quote (its address and port, IP and transport checksums) and the
 * outer address, then recompute the ICMP checksum over all of it.
 */
static enum nat_result icmp_error(struct nat_table *t, uint8_t *pkt, const struct pk_ip4_view *v,
				  enum nat_dir dir, uint64_t now, struct nat_action *act)
{
	uint8_t *l4 = pkt + v->hdr_len, *in, *il4;
	uint32_t l4_len = v->payload_len, avail, ihl, ilen;
	struct nat_tuple it, rt;
	struct nat_xlate_res r;
	struct l4sum s;
	uint8_t iproto;

	if (pk_ip4_is_fragment(v))
		return NAT_R_DROP_ICMP_UNSUPPORTED;
	if (l4_len < PK_ICMP_HLEN + PK_IP4_HLEN + 8)
		return NAT_R_DROP_INVALID;
	in = l4 + PK_ICMP_HLEN;
	avail = l4_len - PK_ICMP_HLEN;
	ihl = (uint32_t)(in[0] & 0x0f) * 4;
	if ((in[0] >> 4) != 4 || ihl < PK_IP4_HLEN || ihl + 8 > avail)
		return NAT_R_DROP_INVALID;
	if (pk_get_be16(in + 6) & PK_IP4_OFF_MASK)
		return NAT_R_DROP_ICMP_NO_FLOW; /* a later fragment: no ports to match */
	iproto = in[9];
	il4 = in + ihl;
	ilen = avail - ihl;
	it.proto = iproto;
	it.src = addr_rd(in + 12);
	it.dst = addr_rd(in + 16);
	switch (iproto) {
	case PK_IPPROTO_TCP:
	case PK_IPPROTO_UDP:
		it.sport = pk_get_be16(il4);
		it.dport = pk_get_be16(il4 + 2);
		break;
	case PK_IPPROTO_ICMP:
		if (il4[0] != PK_ICMP_ECHO_REQUEST && il4[0] != PK_ICMP_ECHO_REPLY)
			return NAT_R_DROP_ICMP_NO_FLOW;
		it.sport = it.dport = pk_get_be16(il4 + 4);
		break;
	default:
		return NAT_R_DROP_ICMP_NO_FLOW;
	}
	/* The quoted packet went the other way: look up its reply's tuple. */
	rt = (struct nat_tuple){
		.src = it.dst, .dst = it.src, .sport = it.dport, .dport = it.sport, .proto = iproto
	};
	if (!nat_table_lookup_flow(t, dir, &rt, now, &r))
		return NAT_R_DROP_ICMP_NO_FLOW;

	/* The quote: the address and port that face the error's receiver. */
	memset(&s, 0, sizeof(s));
	if (iproto == PK_IPPROTO_TCP && ilen >= 18) {
		s.field = il4 + 16;
		s.pseudo = true;
	} else if (iproto == PK_IPPROTO_UDP && pk_get_be16(il4 + 6) != 0) {
		s.field = il4 + 6;
		s.pseudo = true;
		s.udp = true;
	} else if (iproto == PK_IPPROTO_ICMP) {
		s.field = il4 + 2;
	}
	{
		/* Inner IP header checksum: addr_set() fixes the one at +10 of
		 * the header it is given, here the quoted one. */
		uint32_t off = dir == NAT_DIR_IN ? 12 : 16;
		uint32_t from = dir == NAT_DIR_IN ? it.src : it.dst;
		uint32_t to = dir == NAT_DIR_IN ? r.t.dst : r.t.src;
		uint16_t pfrom = dir == NAT_DIR_IN ? it.sport : it.dport;
		uint16_t pto = dir == NAT_DIR_IN ? r.t.dport : r.t.sport;

		if (from != to)
			addr_set(in, off, from, to, &s);
		if (pfrom != pto) {
			if (iproto == PK_IPPROTO_ICMP)
				port_set(il4 + 4, pfrom, pto, &s);
			else
				port_set(dir == NAT_DIR_IN ? il4 : il4 + 2, pfrom, pto, &s);
		}
		l4sum_finish(&s);
	}
	/* The outer header: the error goes to the inside host, or comes from
	 * our outside address. */
	memset(&s, 0, sizeof(s));
	if (dir == NAT_DIR_IN) {
		if (addr_rd(pkt + 16) != r.t.dst)
			addr_set(pkt, 16, addr_rd(pkt + 16), r.t.dst, &s);
		act->out_if = r.in_ifindex;
	} else {
		if (addr_rd(pkt + 12) != r.t.src)
			addr_set(pkt, 12, addr_rd(pkt + 12), r.t.src, &s);
		act->out_if = NAT_IF_OUTSIDE;
	}
	l4[2] = 0;
	l4[3] = 0;
	pk_put_be16(l4 + 2, pk_csum(l4, l4_len));
	act->flags |= NAT_ACT_ICMP_ERROR;
	pk_ip4_dec_ttl(pkt);
	return NAT_R_FORWARD;
}

/* A fragment after the first: rewritten as its first fragment was. */
static enum nat_result later_fragment(struct nat_table *t, uint8_t *pkt,
				      const struct pk_ip4_view *v, enum nat_dir dir, uint64_t now,
				      struct nat_action *act)
{
	uint32_t src = addr_rd(v->src), dst = addr_rd(v->dst);
	const struct nat_frag *f = nat_table_frag_find(t, (uint8_t)dir, src, dst, v->proto, v->id,
						       now);
	struct l4sum none = { 0 };

	if (!f)
		return NAT_R_DROP_FRAG_NO_STATE;
	if (f->new_src != src)
		addr_set(pkt, 12, src, f->new_src, &none);
	if (f->new_dst != dst)
		addr_set(pkt, 16, dst, f->new_dst, &none);
	act->out_if = f->out_if;
	act->flags |= NAT_ACT_FRAGMENT;
	pk_ip4_dec_ttl(pkt);
	return NAT_R_FORWARD;
}

enum nat_result nat_xlate_packet(struct nat_table *t, uint8_t *pkt, uint32_t len, enum nat_dir dir,
				 uint16_t ifindex, bool partial, uint64_t now,
				 struct nat_action *act)
{
	struct pk_ip4_view v;
	struct nat_tuple tp;
	struct nat_xlate_res r;
	enum nat_verdict vd;
	uint8_t *l4, flags = 0;

	act->flags = 0;
	act->out_if = NAT_IF_OUTSIDE;
	act->len = len;
	if (!pk_ip4_parse(pkt, len, &v))
		return NAT_R_DROP_INVALID;
	if (!pk_ip4_csum_ok(&v))
		return NAT_R_DROP_BAD_CSUM;
	act->len = v.total_len;
	tp.proto = v.proto;
	tp.src = addr_rd(v.src);
	tp.dst = addr_rd(v.dst);
	if (dir == NAT_DIR_IN && !nat_table_is_outside(t, tp.dst))
		return NAT_R_DROP_NOT_OURS;
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP && v.proto != PK_IPPROTO_ICMP)
		return NAT_R_DROP_PROTO;
	if (v.ttl <= 1)
		return NAT_R_TTL_EXCEEDED;
	if (v.frag_off != 0)
		return later_fragment(t, pkt, &v, dir, now, act);
	l4 = pkt + v.hdr_len;
	switch (v.proto) {
	case PK_IPPROTO_TCP:
		if (v.payload_len < PK_TCP_HLEN)
			return NAT_R_DROP_INVALID;
		flags = l4[13];
		tp.sport = pk_get_be16(l4);
		tp.dport = pk_get_be16(l4 + 2);
		break;
	case PK_IPPROTO_UDP:
		if (v.payload_len < PK_UDP_HLEN)
			return NAT_R_DROP_INVALID;
		tp.sport = pk_get_be16(l4);
		tp.dport = pk_get_be16(l4 + 2);
		break;
	default: /* ICMP */
		if (v.payload_len < PK_ICMP_HLEN)
			return NAT_R_DROP_INVALID;
		if (icmp_is_error(l4[0]))
			return icmp_error(t, pkt, &v, dir, now, act);
		if (l4[0] != PK_ICMP_ECHO_REQUEST && l4[0] != PK_ICMP_ECHO_REPLY)
			return NAT_R_DROP_ICMP_UNSUPPORTED;
		/* Requests go out, replies come in: the other way round would
		 * be a ping to an inside host, which no mapping allows. */
		if ((dir == NAT_DIR_OUT) != (l4[0] == PK_ICMP_ECHO_REQUEST))
			return dir == NAT_DIR_OUT ? NAT_R_DROP_ICMP_UNSUPPORTED
						  : NAT_R_DROP_NO_MAPPING;
		tp.sport = tp.dport = pk_get_be16(l4 + 4);
		partial = false;
		break;
	}
	if (dir == NAT_DIR_OUT) {
		vd = nat_table_outbound(t, &tp, flags, ifindex, now, &r);
		if (vd != NAT_OK)
			return verdict_result(vd);
		act->out_if = NAT_IF_OUTSIDE;
		if (nat_table_is_outside(t, r.t.dst)) {
			/* Hairpinning (RFC 4787 REQ-9): to another inside host
			 * by its outside mapping, from our outside endpoint. */
			struct nat_tuple mid = r.t;

			vd = nat_table_inbound(t, &mid, flags, now, &r);
			if (vd != NAT_OK)
				return verdict_result(vd);
			act->out_if = r.in_ifindex;
			act->flags |= NAT_ACT_HAIRPIN;
		}
	} else {
		vd = nat_table_inbound(t, &tp, flags, now, &r);
		if (vd != NAT_OK)
			return verdict_result(vd);
		act->out_if = r.in_ifindex;
	}
	rewrite(pkt, v.proto, l4, true, &tp, &r.t, partial);
	if (v.mf) {
		struct nat_frag f = {
			.src = tp.src,
			.dst = tp.dst,
			.id = v.id,
			.proto = v.proto,
			.dir = (uint8_t)dir,
			.new_src = r.t.src,
			.new_dst = r.t.dst,
			.out_if = act->out_if,
		};

		nat_table_frag_note(t, &f, now);
	}
	pk_ip4_dec_ttl(pkt);
	return NAT_R_FORWARD;
}
