/* SPDX-License-Identifier: MIT
 * nat64-xlate.c - IP/ICMP translation between IPv6 and IPv4 (RFC 7915) for NAT64, sans-I/O
 *
 * Read nat64-xlate.h first. The shape of both directions: parse the input
 * (nat64_x6 / nat64_x4, also used for the packet an ICMP error quotes, whose
 * bytes may stop early), check what RFC 7915 drops or answers with an ICMP
 * error, write the new IP header, copy the payload and fix the transport
 * header in the copy: ports, echo type and identifier, and the checksum by
 * the difference of what it covers (RFC 1624), so a fragment or a quoted,
 * truncated header is fixed without the rest of its datagram.
 */
#include "nat64-xlate.h"

#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

/* An IPv4 packet up to this size gets DF clear when made from an
 * unfragmented IPv6 one (RFC 7915 section 5.1). */
#define NAT64_DF_LIMIT 1260u
/* Size limit of an ICMPv4 error we write (RFC 1812 section 4.3.2.3). */
#define NAT64_ICMP4_ERR_MAX 576u

static const char *const nat64_drop_names[NAT64_E_COUNT] = {
	[0] = "ok",
	[NAT64_E_MALFORMED] = "malformed",
	[NAT64_E_PROTO] = "protocol",
	[NAT64_E_EXT_HDR] = "extension-header",
	[NAT64_E_SRC_ROUTE] = "source-route",
	[NAT64_E_ICMP_TYPE] = "icmp-type",
	[NAT64_E_ICMP_FRAG] = "icmp-fragment",
	[NAT64_E_CSUM] = "checksum",
	[NAT64_E_UDP_CSUM0] = "udp-zero-checksum",
	[NAT64_E_TTL] = "ttl-exceeded",
	[NAT64_E_TOO_BIG] = "too-big",
	[NAT64_E_INNER] = "icmp-inner",
	[NAT64_E_NO_ROOM] = "no-room",
	[NAT64_E_RESUME] = "bad-resume",
};

const char *nat64_drop_name(int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason >= NAT64_E_COUNT)
		return "unknown";
	return nat64_drop_names[reason];
}

/* A parsed IPv6 packet: the fixed header and the extension headers we skip. */
struct nat64_x6 {
	const uint8_t *hdr;
	uint32_t avail;	  /* bytes usable from @hdr: min(given, 40 + payload length) */
	uint32_t plen;	  /* payload length field */
	uint32_t l4_off;  /* upper-layer header, or fragment data */
	uint32_t l4_decl; /* upper-layer length by the header: 40 + @plen - @l4_off */
	uint32_t frag_id;
	uint32_t bad_ptr; /* NAT64_E_EXT_HDR for a routing header: its Segments Left */
	uint16_t frag_off;
	uint8_t proto;
	uint8_t tclass;
	uint8_t hlim;
	bool frag;
	bool more;
};

/* A parsed IPv4 packet. */
struct nat64_x4 {
	const uint8_t *hdr;
	uint32_t avail; /* bytes usable from @hdr: min(given, total length) */
	uint32_t ihl;
	uint32_t total;
	uint16_t id;
	uint16_t frag_off;
	uint8_t proto;
	uint8_t tos;
	uint8_t ttl;
	bool df;
	bool mf;
};

/*
 * Parse an IPv6 header chain. @quoted: the packet an ICMP error carries; its
 * payload length may promise more bytes than are there, and the upper-layer
 * header may be cut.
 */
static int nat64_x6_parse(const uint8_t *p, uint32_t len, bool quoted, struct nat64_x6 *v)
{
	uint32_t off = PK_IP6_HLEN, hlen;
	uint8_t nh;

	memset(v, 0, sizeof(*v));
	if (len < PK_IP6_HLEN || (p[0] >> 4) != 6)
		return -NAT64_E_MALFORMED;
	v->hdr = p;
	v->plen = pk_get_be16(p + 4);
	if (v->plen > len - PK_IP6_HLEN) {
		if (!quoted)
			return -NAT64_E_MALFORMED;
		v->avail = len;
	} else {
		v->avail = PK_IP6_HLEN + v->plen;
	}
	v->tclass = (uint8_t)(pk_get_be16(p) >> 4);
	v->hlim = p[7];
	nh = p[6];
	for (;;) {
		switch (nh) {
		case PK_IPPROTO_HOPOPTS:
			if (off != PK_IP6_HLEN)
				return -NAT64_E_MALFORMED;
			/* fall through */
		case PK_IPPROTO_DSTOPTS:
		case PK_IPPROTO_ROUTING:
			if (off + 8 > v->avail)
				return -NAT64_E_MALFORMED;
			hlen = ((uint32_t)p[off + 1] + 1) * 8;
			if (off + hlen > v->avail)
				return -NAT64_E_MALFORMED;
			if (nh == PK_IPPROTO_ROUTING && p[off + 3] != 0) {
				v->bad_ptr = off + 3;
				return -NAT64_E_EXT_HDR;
			}
			nh = p[off];
			off += hlen;
			continue;
		case PK_IPPROTO_FRAGMENT:
			if (v->frag || off + 8 > v->avail)
				return -NAT64_E_MALFORMED;
			v->frag = true;
			v->frag_off = pk_get_be16(p + off + 2) & 0xfff8u;
			v->more = p[off + 3] & 1u;
			v->frag_id = pk_get_be32(p + off + 4);
			nh = p[off];
			off += 8;
			if (v->frag_off != 0)
				break; /* what follows is not a header */
			continue;
		case PK_IPPROTO_AH:
		case PK_IPPROTO_MOBILITY:
		case PK_IPPROTO_HIP:
		case PK_IPPROTO_SHIM6:
			return -NAT64_E_EXT_HDR;
		default:
			break;
		}
		break;
	}
	v->proto = nh;
	v->l4_off = off;
	v->l4_decl = PK_IP6_HLEN + v->plen - off;
	return 0;
}

/* Parse an IPv4 header. Unless @quoted, the packet is whole and its header
 * checksum right. */
static int nat64_x4_parse(const uint8_t *p, uint32_t len, bool quoted, struct nat64_x4 *v)
{
	uint16_t frag;

	if (len < PK_IP4_HLEN || (p[0] >> 4) != 4)
		return -NAT64_E_MALFORMED;
	v->hdr = p;
	v->ihl = (uint32_t)(p[0] & 0x0f) * 4;
	v->total = pk_get_be16(p + 2);
	if (v->ihl < PK_IP4_HLEN || v->ihl > len || v->total < v->ihl)
		return -NAT64_E_MALFORMED;
	if (v->total > len) {
		if (!quoted)
			return -NAT64_E_MALFORMED;
		v->avail = len;
	} else {
		v->avail = v->total;
	}
	if (!quoted && !pk_csum_ok(p, v->ihl, 0))
		return -NAT64_E_MALFORMED;
	frag = pk_get_be16(p + 6);
	v->id = pk_get_be16(p + 4);
	v->frag_off = (uint16_t)((frag & PK_IP4_OFF_MASK) * 8);
	v->df = frag & PK_IP4_DF;
	v->mf = frag & PK_IP4_MF;
	v->tos = p[1];
	v->ttl = p[8];
	v->proto = p[9];
	return 0;
}

/* Whether the IPv4 options hold a source route not yet used up. */
static bool nat64_x4_src_route(const struct nat64_x4 *v)
{
	const uint8_t *o = v->hdr;
	uint32_t i = PK_IP4_HLEN;

	while (i < v->ihl) {
		uint8_t type = o[i], olen;

		if (type == 0)
			break;
		if (type == 1) {
			i++;
			continue;
		}
		if (i + 1 >= v->ihl)
			break;
		olen = o[i + 1];
		if (olen < 2 || i + olen > v->ihl)
			break;
		/* LSRR, SSRR: the pointer (1-based) still inside the option. */
		if ((type == 131 || type == 137) && olen >= 3 && o[i + 2] <= olen)
			return true;
		i += olen;
	}
	return false;
}

static void nat64_w4(uint8_t *o, uint8_t tos, uint32_t total, uint16_t id, uint16_t fragw,
		     uint8_t ttl, uint8_t proto, const uint8_t *src, const uint8_t *dst)
{
	o[0] = 0x45;
	o[1] = tos;
	pk_put_be16(o + 2, (uint16_t)(total > 0xffff ? 0xffff : total));
	pk_put_be16(o + 4, id);
	pk_put_be16(o + 6, fragw);
	o[8] = ttl;
	o[9] = proto;
	memcpy(o + 12, src, 4);
	memcpy(o + 16, dst, 4);
	pk_ip4_csum_fill(o, PK_IP4_HLEN);
}

static void nat64_w6(uint8_t *o, uint8_t tclass, uint32_t plen, uint8_t nh, uint8_t hlim,
		     const uint8_t *src, const uint8_t *dst)
{
	pk_put_be32(o, 6u << 28 | (uint32_t)tclass << 20);
	pk_put_be16(o + 4, (uint16_t)(plen > 0xffff ? 0xffff : plen));
	o[6] = nh;
	o[7] = hlim;
	memcpy(o + 8, src, 16);
	memcpy(o + 24, dst, 16);
}

static void nat64_wfrag(uint8_t *o, uint8_t nh, uint16_t off, bool more, uint32_t id)
{
	o[0] = nh;
	o[1] = 0;
	pk_put_be16(o + 2, (uint16_t)((off & 0xfff8u) | (more ? 1u : 0u)));
	pk_put_be32(o + 4, id);
}

/* Replace @old_sum by @new_sum in what the checksum at @field covers. */
static void nat64_csum_replace(uint8_t *field, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t s = (uint16_t)~pk_get_be16(field);

	s = pk_csum_add(s, pk_csum_fold(old_sum)); /* the complement: minus old */
	s = pk_csum_add(s, new_sum);
	pk_put_be16(field, pk_csum_fold(s));
}

/* Sum of two addresses (4 or 16 bytes each): inline, these blocks are too
 * small for pk_csum_partial()'s call and dispatch to pay. */
static uint32_t nat64_sum_addrs(const uint8_t *src, const uint8_t *dst, uint32_t alen)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i < alen; i += 2)
		sum += (uint32_t)pk_get_be16(src + i) + pk_get_be16(dst + i);
	return sum;
}

/*
 * Fix the transport header copied to @l4 (@n bytes of it present): ports or
 * echo type and identifier from @rw, checksum adjusted from the old addresses
 * (@osrc/@odst, @oalen bytes) to @rw's (@nalen bytes). @proto is the input's
 * (PK_IPPROTO_ICMPV6 when @to4, PK_IPPROTO_ICMP otherwise); @l4len the
 * transport length by the IP header, for the ICMPv6 pseudo header. A UDP
 * checksum of 0 is left alone (the callers deal with it). @quoted: the
 * header may be cut; what is missing is not touched.
 */
static int nat64_fix_l4(uint8_t proto, uint8_t *l4, uint32_t n, uint32_t l4len, const uint8_t *osrc,
			const uint8_t *odst, uint32_t oalen, const struct nat64_rewrite *rw,
			uint32_t nalen, bool to4, bool quoted)
{
	uint32_t old_sum, new_sum, coff;
	int t, nt;

	if (proto == PK_IPPROTO_TCP || proto == PK_IPPROTO_UDP) {
		coff = proto == PK_IPPROTO_TCP ? 16 : 6;
		if (n < 4)
			return 0;
		old_sum = nat64_sum_addrs(osrc, odst, oalen) + pk_get_be16(l4) +
			  pk_get_be16(l4 + 2);
		pk_put_be16(l4, rw->sport);
		pk_put_be16(l4 + 2, rw->dport);
		new_sum = nat64_sum_addrs(rw->src, rw->dst, nalen) + rw->sport + rw->dport;
		if (n < coff + 2)
			return 0;
		if (proto == PK_IPPROTO_UDP && pk_get_be16(l4 + 6) == 0)
			return 0;
		nat64_csum_replace(l4 + coff, old_sum, new_sum);
		if (proto == PK_IPPROTO_UDP && pk_get_be16(l4 + 6) == 0)
			pk_put_be16(l4 + 6, 0xffff);
		return 0;
	}
	/* ICMP echo */
	if (n < 1)
		return 0;
	t = l4[0];
	if (to4)
		nt = t == PK_ICMP6_ECHO_REQUEST ? (int)PK_ICMP_ECHO_REQUEST
		     : t == PK_ICMP6_ECHO_REPLY ? (int)PK_ICMP_ECHO_REPLY
						: -1;
	else
		nt = t == PK_ICMP_ECHO_REQUEST ? (int)PK_ICMP6_ECHO_REQUEST
		     : t == PK_ICMP_ECHO_REPLY ? (int)PK_ICMP6_ECHO_REPLY
					       : -1;
	if (nt < 0)
		return quoted ? -NAT64_E_INNER : -NAT64_E_ICMP_TYPE;
	old_sum = to4 ? pk_csum_pseudo6(osrc, odst, PK_IPPROTO_ICMPV6, l4len) : 0;
	new_sum = to4 ? 0 : pk_csum_pseudo6(rw->src, rw->dst, PK_IPPROTO_ICMPV6, l4len);
	l4[0] = (uint8_t)nt;
	if (n >= 2) {
		old_sum += (uint32_t)t << 8 | l4[1];
		new_sum += (uint32_t)nt << 8 | l4[1];
	}
	if (n >= 6) {
		old_sum += pk_get_be16(l4 + 4);
		pk_put_be16(l4 + 4, rw->sport);
		new_sum += rw->sport;
	}
	if (n >= 4)
		nat64_csum_replace(l4 + 2, old_sum, new_sum);
	return 0;
}

static void nat64_hint(struct nat64_result *res, uint8_t type, uint8_t code, uint32_t info)
{
	if (!res)
		return;
	res->icmp = true;
	res->icmp_type = type;
	res->icmp_code = code;
	res->icmp_info = info;
}

/* ---- IPv6 -> IPv4 ---- */

/* RFC 7915 section 5.2, figure 6: IPv6 header offset to IPv4's; -1: none. */
static int nat64_ptr6to4(uint32_t p)
{
	if (p <= 1)
		return (int)p;
	if (p == 4 || p == 5)
		return 2;
	if (p == 6)
		return 9;
	if (p == 7)
		return 8;
	if (p >= 8 && p <= 23)
		return 12;
	if (p >= 24 && p <= 39)
		return 16;
	return -1;
}

/* Write the IPv4 version of the quoted IPv6 packet at @q (@qlen bytes) to
 * @o (room for @room bytes). Return: bytes written or a negative reason. */
static int nat64_inner_6to4(const uint8_t *q, uint32_t qlen, const struct nat64_params *p,
			    uint8_t *o, uint32_t room)
{
	struct nat64_x6 iv;
	uint32_t n, total;
	uint16_t id = 0, fragw;
	bool later;
	int r;

	if (nat64_x6_parse(q, qlen, true, &iv) < 0)
		return -NAT64_E_INNER;
	if (iv.proto != PK_IPPROTO_TCP && iv.proto != PK_IPPROTO_UDP &&
	    iv.proto != PK_IPPROTO_ICMPV6)
		return -NAT64_E_INNER;
	later = iv.frag && iv.frag_off != 0;
	n = iv.avail - iv.l4_off;
	if (!later && n < 8)
		return -NAT64_E_INNER;
	if (room < PK_IP4_HLEN + 8)
		return -NAT64_E_NO_ROOM;
	if (n > room - PK_IP4_HLEN)
		n = room - PK_IP4_HLEN;
	total = PK_IP4_HLEN + iv.l4_decl;
	if (iv.frag) {
		id = (uint16_t)iv.frag_id;
		fragw = (uint16_t)(iv.frag_off / 8 | (iv.more ? PK_IP4_MF : 0));
	} else {
		fragw = total > NAT64_DF_LIMIT ? PK_IP4_DF : 0;
	}
	nat64_w4(o, iv.tclass, total, id, fragw, iv.hlim,
		 iv.proto == PK_IPPROTO_ICMPV6 ? PK_IPPROTO_ICMP : iv.proto, p->inner.src,
		 p->inner.dst);
	memcpy(o + PK_IP4_HLEN, q + iv.l4_off, n);
	if (!later) {
		r = nat64_fix_l4(iv.proto, o + PK_IP4_HLEN, n, iv.l4_decl, iv.hdr + 8, iv.hdr + 24,
				 16, &p->inner, 4, true, true);
		if (r < 0)
			return r;
	}
	return (int)(PK_IP4_HLEN + n);
}

/* An ICMPv6 error (@l4, @l4len bytes, checksum checked) to ICMPv4 at @o. */
static int nat64_icmp_err_6to4(const struct nat64_x6 *v, const uint8_t *l4, uint32_t l4len,
			       const struct nat64_params *p, uint8_t ttl, uint8_t *o, uint32_t cap)
{
	struct nat64_x6 iv;
	uint8_t type, code = 0;
	uint32_t info = 0, room, mtu, total, hdiff;
	int ptr, r;

	switch (l4[0]) {
	case PK_ICMP6_DEST_UNREACH:
		type = PK_ICMP_DEST_UNREACH;
		switch (l4[1]) {
		case 0: /* no route */
		case 2: /* beyond scope */
		case 3: /* address unreachable */
			code = 1;
			break;
		case 1: /* administratively prohibited */
			code = 10;
			break;
		case 4: /* port unreachable */
			code = 3;
			break;
		default:
			return -NAT64_E_ICMP_TYPE;
		}
		break;
	case PK_ICMP6_PACKET_TOO_BIG:
		type = PK_ICMP_DEST_UNREACH;
		code = 4;
		/* An IPv4 packet grows by 20 bytes into IPv6, by 28 when it
		 * needs a Fragment header (the quoted packet has one). */
		mtu = pk_get_be32(l4 + 4);
		hdiff = 20;
		if (nat64_x6_parse(l4 + PK_ICMP_HLEN, l4len - PK_ICMP_HLEN, true, &iv) == 0 &&
		    iv.frag)
			hdiff = 28;
		mtu = mtu > hdiff ? mtu - hdiff : 0;
		if (p->mtu4 && p->mtu4 < mtu)
			mtu = p->mtu4;
		if (mtu > 0xffff)
			mtu = 0xffff;
		if (mtu < 68)
			mtu = 68;
		info = mtu;
		break;
	case PK_ICMP6_TIME_EXCEEDED:
		if (l4[1] > 1)
			return -NAT64_E_ICMP_TYPE;
		type = PK_ICMP_TIME_EXCEEDED;
		code = l4[1];
		break;
	case PK_ICMP6_PARAM_PROBLEM:
		if (l4[1] == 1) { /* unrecognised next header */
			type = PK_ICMP_DEST_UNREACH;
			code = 2;
			break;
		}
		if (l4[1] != 0)
			return -NAT64_E_ICMP_TYPE;
		ptr = nat64_ptr6to4(pk_get_be32(l4 + 4));
		if (ptr < 0)
			return -NAT64_E_ICMP_TYPE;
		type = PK_ICMP_PARAM_PROBLEM;
		info = (uint32_t)ptr << 24;
		break;
	default:
		return -NAT64_E_ICMP_TYPE;
	}
	room = cap < NAT64_ICMP4_ERR_MAX ? cap : NAT64_ICMP4_ERR_MAX;
	if (room < PK_IP4_HLEN + PK_ICMP_HLEN)
		return -NAT64_E_NO_ROOM;
	room -= PK_IP4_HLEN + PK_ICMP_HLEN;
	r = nat64_inner_6to4(l4 + PK_ICMP_HLEN, l4len - PK_ICMP_HLEN, p,
			     o + PK_IP4_HLEN + PK_ICMP_HLEN, room);
	if (r < 0)
		return r;
	total = PK_IP4_HLEN + PK_ICMP_HLEN + (uint32_t)r;
	nat64_w4(o, (p->flags & NAT64_F_TOS_ZERO) ? 0 : v->tclass, total, p->ip4_id, 0, ttl,
		 PK_IPPROTO_ICMP, p->outer.src, p->outer.dst);
	o[PK_IP4_HLEN] = type;
	o[PK_IP4_HLEN + 1] = code;
	pk_put_be32(o + PK_IP4_HLEN + 4, info);
	o[PK_IP4_HLEN + 2] = 0;
	o[PK_IP4_HLEN + 3] = 0;
	pk_put_be16(o + PK_IP4_HLEN + 2, pk_csum(o + PK_IP4_HLEN, total - PK_IP4_HLEN));
	return (int)total;
}

int nat64_6to4(const uint8_t *in, uint32_t len, const struct nat64_params *p, uint8_t *out,
	       uint32_t cap, struct nat64_result *res)
{
	struct nat64_x6 v;
	const uint8_t *l4;
	uint32_t l4len, total;
	uint16_t id, fragw;
	uint8_t ttl;
	bool later;
	int r;

	if (res)
		memset(res, 0, sizeof(*res));
	r = nat64_x6_parse(in, len, false, &v);
	if (r < 0) {
		if (r == -NAT64_E_EXT_HDR && v.bad_ptr)
			nat64_hint(res, PK_ICMP6_PARAM_PROBLEM, 0, v.bad_ptr);
		return r;
	}
	ttl = v.hlim;
	if (!(p->flags & NAT64_F_NO_TTL_DEC)) {
		if (ttl <= 1) {
			nat64_hint(res, PK_ICMP6_TIME_EXCEEDED, 0, 0);
			return -NAT64_E_TTL;
		}
		ttl--;
	}
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP && v.proto != PK_IPPROTO_ICMPV6)
		return -NAT64_E_PROTO;
	later = v.frag && v.frag_off != 0;
	l4 = in + v.l4_off;
	l4len = v.l4_decl;
	if (v.proto == PK_IPPROTO_ICMPV6) {
		if (v.frag)
			return -NAT64_E_ICMP_FRAG;
		if (l4len < PK_ICMP_HLEN)
			return -NAT64_E_MALFORMED;
		if (l4[0] < 128) {
			uint32_t sum = pk_csum_pseudo6(v.hdr + 8, v.hdr + 24, PK_IPPROTO_ICMPV6,
						       l4len);

			if (!pk_csum_ok(l4, l4len, sum))
				return -NAT64_E_CSUM;
			return nat64_icmp_err_6to4(&v, l4, l4len, p, ttl, out, cap);
		}
		if (l4[0] != PK_ICMP6_ECHO_REQUEST && l4[0] != PK_ICMP6_ECHO_REPLY)
			return -NAT64_E_ICMP_TYPE;
	} else if (!later) {
		if (l4len < (v.proto == PK_IPPROTO_TCP ? PK_TCP_HLEN : PK_UDP_HLEN))
			return -NAT64_E_MALFORMED;
		if (v.proto == PK_IPPROTO_UDP && pk_get_be16(l4 + 6) == 0)
			return -NAT64_E_UDP_CSUM0;
	}
	total = PK_IP4_HLEN + l4len;
	if (total > 0xffff)
		return -NAT64_E_MALFORMED;
	if (p->mtu4 && total > p->mtu4) {
		uint32_t mtu6 = p->mtu4 + 20 < NAT64_MIN_MTU6 ? NAT64_MIN_MTU6 : p->mtu4 + 20;

		nat64_hint(res, PK_ICMP6_PACKET_TOO_BIG, 0, mtu6);
		return -NAT64_E_TOO_BIG;
	}
	if (cap < total)
		return -NAT64_E_NO_ROOM;
	if (v.frag) {
		id = (uint16_t)v.frag_id;
		fragw = (uint16_t)(v.frag_off / 8 | (v.more ? PK_IP4_MF : 0));
	} else {
		id = p->ip4_id;
		fragw = total > NAT64_DF_LIMIT ? PK_IP4_DF : 0;
	}
	nat64_w4(out, (p->flags & NAT64_F_TOS_ZERO) ? 0 : v.tclass, total, id, fragw, ttl,
		 v.proto == PK_IPPROTO_ICMPV6 ? PK_IPPROTO_ICMP : v.proto, p->outer.src,
		 p->outer.dst);
	memcpy(out + PK_IP4_HLEN, l4, l4len);
	if (!later) {
		r = nat64_fix_l4(v.proto, out + PK_IP4_HLEN, l4len, l4len, v.hdr + 8, v.hdr + 24,
				 16, &p->outer, 4, true, false);
		if (r < 0)
			return r;
	}
	return (int)total;
}

/* ---- IPv4 -> IPv6 ---- */

/* RFC 7915 section 4.2, figure 3: IPv4 header offset to IPv6's; -1: none. */
static int nat64_ptr4to6(uint32_t p)
{
	if (p <= 1)
		return (int)p;
	if (p == 2 || p == 3)
		return 4;
	if (p == 8)
		return 7;
	if (p == 9)
		return 6;
	if (p >= 12 && p <= 15)
		return 8;
	if (p >= 16 && p <= 19)
		return 24;
	return -1;
}

/* The RFC 1191 plateau below an IPv4 packet's length: a next-hop MTU for a
 * Fragmentation Needed that did not say one. */
static uint32_t nat64_plateau(uint32_t total)
{
	static const uint16_t plateaus[] = { 65535, 32000, 17914, 8166, 4352, 2002,
					     1492,  1006,  508,	  296,	68 };

	for (size_t i = 0; i < sizeof(plateaus) / sizeof(plateaus[0]); i++)
		if (plateaus[i] < total)
			return plateaus[i];
	return 68;
}

/* Write the IPv6 version of the quoted IPv4 packet at @q to @o. */
static int nat64_inner_4to6(const uint8_t *q, uint32_t qlen, const struct nat64_params *p,
			    uint8_t *o, uint32_t room)
{
	struct nat64_x4 iv;
	uint32_t n, hlen, l4decl;
	uint8_t proto6;
	bool frag, later;
	int r;

	if (nat64_x4_parse(q, qlen, true, &iv) < 0)
		return -NAT64_E_INNER;
	if (iv.proto != PK_IPPROTO_TCP && iv.proto != PK_IPPROTO_UDP && iv.proto != PK_IPPROTO_ICMP)
		return -NAT64_E_INNER;
	frag = iv.mf || iv.frag_off;
	later = iv.frag_off != 0;
	n = iv.avail - iv.ihl;
	if (!later && n < 8)
		return -NAT64_E_INNER;
	hlen = PK_IP6_HLEN + (frag ? 8 : 0);
	if (room < hlen + 8)
		return -NAT64_E_NO_ROOM;
	if (n > room - hlen)
		n = room - hlen;
	l4decl = iv.total - iv.ihl;
	proto6 = iv.proto == PK_IPPROTO_ICMP ? PK_IPPROTO_ICMPV6 : iv.proto;
	nat64_w6(o, iv.tos, l4decl + (frag ? 8 : 0), frag ? PK_IPPROTO_FRAGMENT : proto6, iv.ttl,
		 p->inner.src, p->inner.dst);
	if (frag)
		nat64_wfrag(o + PK_IP6_HLEN, proto6, iv.frag_off, iv.mf, iv.id);
	memcpy(o + hlen, q + iv.ihl, n);
	if (!later) {
		r = nat64_fix_l4(iv.proto, o + hlen, n, l4decl, iv.hdr + 12, iv.hdr + 16, 4,
				 &p->inner, 16, false, true);
		if (r < 0)
			return r;
	}
	return (int)(hlen + n);
}

/* An ICMPv4 error (@l4, @l4len bytes, checksum checked) to ICMPv6 at @o. */
static int nat64_icmp_err_4to6(const struct nat64_x4 *v, const uint8_t *l4, uint32_t l4len,
			       const struct nat64_params *p, uint32_t mtu6, uint8_t hlim,
			       uint8_t *o, uint32_t cap)
{
	uint8_t type, code = 0;
	uint32_t info = 0, room, mtu, plen, sum;
	int ptr, r;

	switch (l4[0]) {
	case PK_ICMP_DEST_UNREACH:
		type = PK_ICMP6_DEST_UNREACH;
		switch (l4[1]) {
		case 0: /* net unreachable */
		case 1: /* host unreachable */
		case 5: /* source route failed */
		case 6:
		case 7:
		case 8:
		case 11:
		case 12:
			code = 0;
			break;
		case 2: /* protocol unreachable */
			type = PK_ICMP6_PARAM_PROBLEM;
			code = 1;
			info = 6; /* the Next Header field */
			break;
		case 3: /* port unreachable */
			code = 4;
			break;
		case 4: /* fragmentation needed */
			type = PK_ICMP6_PACKET_TOO_BIG;
			mtu = pk_get_be16(l4 + 6);
			if (mtu == 0 && l4len >= PK_ICMP_HLEN + 4)
				mtu = nat64_plateau(pk_get_be16(l4 + PK_ICMP_HLEN + 2));
			mtu += 20;
			if (mtu > mtu6)
				mtu = mtu6;
			info = mtu < NAT64_MIN_MTU6 ? NAT64_MIN_MTU6 : mtu;
			break;
		case 9:	 /* network administratively prohibited */
		case 10: /* host administratively prohibited */
		case 13: /* communication administratively prohibited */
		case 15: /* precedence cutoff */
			code = 1;
			break;
		default:
			return -NAT64_E_ICMP_TYPE;
		}
		break;
	case PK_ICMP_TIME_EXCEEDED:
		if (l4[1] > 1)
			return -NAT64_E_ICMP_TYPE;
		type = PK_ICMP6_TIME_EXCEEDED;
		code = l4[1];
		break;
	case PK_ICMP_PARAM_PROBLEM:
		if (l4[1] != 0 && l4[1] != 2)
			return -NAT64_E_ICMP_TYPE;
		ptr = nat64_ptr4to6(l4[4]);
		if (ptr < 0)
			return -NAT64_E_ICMP_TYPE;
		type = PK_ICMP6_PARAM_PROBLEM;
		code = 0;
		info = (uint32_t)ptr;
		break;
	default:
		return -NAT64_E_ICMP_TYPE;
	}
	/* An ICMPv6 error fits in the minimum MTU (RFC 4443 section 2.4(c)). */
	room = cap < NAT64_MIN_MTU6 ? cap : NAT64_MIN_MTU6;
	if (room < PK_IP6_HLEN + PK_ICMP_HLEN)
		return -NAT64_E_NO_ROOM;
	room -= PK_IP6_HLEN + PK_ICMP_HLEN;
	r = nat64_inner_4to6(l4 + PK_ICMP_HLEN, l4len - PK_ICMP_HLEN, p,
			     o + PK_IP6_HLEN + PK_ICMP_HLEN, room);
	if (r < 0)
		return r;
	plen = PK_ICMP_HLEN + (uint32_t)r;
	nat64_w6(o, (p->flags & NAT64_F_TOS_ZERO) ? 0 : v->tos, plen, PK_IPPROTO_ICMPV6, hlim,
		 p->outer.src, p->outer.dst);
	o[PK_IP6_HLEN] = type;
	o[PK_IP6_HLEN + 1] = code;
	o[PK_IP6_HLEN + 2] = 0;
	o[PK_IP6_HLEN + 3] = 0;
	pk_put_be32(o + PK_IP6_HLEN + 4, info);
	sum = pk_csum_pseudo6(p->outer.src, p->outer.dst, PK_IPPROTO_ICMPV6, plen);
	pk_put_be16(o + PK_IP6_HLEN + 2, pk_csum_fold(pk_csum_partial(o + PK_IP6_HLEN, plen, sum)));
	return (int)(PK_IP6_HLEN + plen);
}

int nat64_4to6(const uint8_t *in, uint32_t len, const struct nat64_params *p, uint32_t resume,
	       uint8_t *out, uint32_t cap, struct nat64_result *res)
{
	struct nat64_x4 v;
	const uint8_t *l4;
	uint32_t l4len, mtu6, chunk, piece, hlen;
	uint8_t hlim, proto6, tos;
	bool fragmented, later, need_fh, more, udp0 = false;
	int r;

	if (res)
		memset(res, 0, sizeof(*res));
	r = nat64_x4_parse(in, len, false, &v);
	if (r < 0)
		return r;
	if (v.ihl > PK_IP4_HLEN && nat64_x4_src_route(&v)) {
		nat64_hint(res, PK_ICMP_DEST_UNREACH, 5, 0);
		return -NAT64_E_SRC_ROUTE;
	}
	hlim = v.ttl;
	if (!(p->flags & NAT64_F_NO_TTL_DEC)) {
		if (hlim <= 1) {
			nat64_hint(res, PK_ICMP_TIME_EXCEEDED, 0, 0);
			return -NAT64_E_TTL;
		}
		hlim--;
	}
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP && v.proto != PK_IPPROTO_ICMP)
		return -NAT64_E_PROTO;
	mtu6 = p->mtu6 < NAT64_MIN_MTU6 ? NAT64_MIN_MTU6 : p->mtu6;
	tos = (p->flags & NAT64_F_TOS_ZERO) ? 0 : v.tos;
	fragmented = v.mf || v.frag_off;
	later = v.frag_off != 0;
	l4 = in + v.ihl;
	l4len = v.total - v.ihl;
	if (v.proto == PK_IPPROTO_ICMP) {
		if (fragmented)
			return -NAT64_E_ICMP_FRAG;
		if (l4len < PK_ICMP_HLEN)
			return -NAT64_E_MALFORMED;
		if (l4[0] != PK_ICMP_ECHO_REQUEST && l4[0] != PK_ICMP_ECHO_REPLY) {
			if (l4[0] != PK_ICMP_DEST_UNREACH && l4[0] != PK_ICMP_TIME_EXCEEDED &&
			    l4[0] != PK_ICMP_PARAM_PROBLEM)
				return -NAT64_E_ICMP_TYPE;
			if (resume)
				return -NAT64_E_RESUME;
			if (!pk_csum_ok(l4, l4len, 0))
				return -NAT64_E_CSUM;
			return nat64_icmp_err_4to6(&v, l4, l4len, p, mtu6, hlim, out, cap);
		}
	} else if (!later) {
		if (l4len < (v.proto == PK_IPPROTO_TCP ? PK_TCP_HLEN : PK_UDP_HLEN))
			return -NAT64_E_MALFORMED;
		if (v.proto == PK_IPPROTO_UDP && pk_get_be16(l4 + 6) == 0) {
			if (fragmented)
				return -NAT64_E_UDP_CSUM0;
			udp0 = true;
		}
	}
	proto6 = v.proto == PK_IPPROTO_ICMP ? PK_IPPROTO_ICMPV6 : v.proto;
	need_fh = fragmented || (!v.df && PK_IP6_HLEN + l4len > mtu6);
	if (!need_fh) {
		if (PK_IP6_HLEN + l4len > mtu6) {
			nat64_hint(res, PK_ICMP_DEST_UNREACH, 4, mtu6 - 20);
			return -NAT64_E_TOO_BIG;
		}
		if (resume)
			return -NAT64_E_RESUME;
		hlen = PK_IP6_HLEN;
		piece = l4len;
		more = false;
	} else {
		chunk = (mtu6 - PK_IP6_HLEN - 8) & ~7u;
		if ((resume && resume >= l4len) || (resume & 7u))
			return -NAT64_E_RESUME;
		hlen = PK_IP6_HLEN + 8;
		piece = l4len - resume < chunk ? l4len - resume : chunk;
		more = resume + piece < l4len;
		if (res && more)
			res->resume = resume + piece;
		more = more || v.mf;
	}
	if (cap < hlen + piece)
		return -NAT64_E_NO_ROOM;
	if (need_fh) {
		nat64_w6(out, tos, 8 + piece, PK_IPPROTO_FRAGMENT, hlim, p->outer.src,
			 p->outer.dst);
		nat64_wfrag(out + PK_IP6_HLEN, proto6, (uint16_t)(v.frag_off + resume), more, v.id);
	} else {
		nat64_w6(out, tos, piece, proto6, hlim, p->outer.src, p->outer.dst);
	}
	memcpy(out + hlen, l4 + resume, piece);
	if (resume == 0 && !later) {
		uint8_t *o4 = out + hlen;

		r = nat64_fix_l4(v.proto, o4, piece, l4len, v.hdr + 12, v.hdr + 16, 4, &p->outer,
				 16, false, false);
		if (r < 0) {
			if (res)
				res->resume = 0;
			return r;
		}
		if (udp0) {
			uint32_t s = pk_csum_pseudo6(p->outer.src, p->outer.dst, PK_IPPROTO_UDP,
						     l4len);
			uint16_t c;

			s = pk_csum_partial(o4, PK_UDP_HLEN, s);
			s = pk_csum_partial(l4 + PK_UDP_HLEN, l4len - PK_UDP_HLEN, s);
			c = pk_csum_fold(s);
			pk_put_be16(o4 + 6, c ? c : 0xffff);
		}
	}
	return (int)(hlen + piece);
}

/* ---- Lookup tuples ---- */

static void nat64_tuple_l4(struct nat64_tuple *t, uint8_t proto, const uint8_t *l4, uint32_t n,
			   bool later)
{
	t->proto = proto;
	t->later_fragment = later;
	if (later || n < 4)
		return;
	if (proto == PK_IPPROTO_TCP || proto == PK_IPPROTO_UDP) {
		t->sport = pk_get_be16(l4);
		t->dport = pk_get_be16(l4 + 2);
	} else if (n >= 6) {
		t->sport = t->dport = pk_get_be16(l4 + 4);
	}
}

int nat64_inspect6(const uint8_t *pkt, uint32_t len, struct nat64_tuple *t)
{
	struct nat64_x6 v, iv;
	const uint8_t *l4;
	bool later;
	int r;

	memset(t, 0, sizeof(*t));
	r = nat64_x6_parse(pkt, len, false, &v);
	if (r < 0)
		return r;
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP && v.proto != PK_IPPROTO_ICMPV6)
		return -NAT64_E_PROTO;
	later = v.frag && v.frag_off != 0;
	l4 = pkt + v.l4_off;
	t->fragment = v.frag;
	t->frag_id = v.frag_id;
	memcpy(t->src, v.hdr + 8, 16);
	memcpy(t->dst, v.hdr + 24, 16);
	if (v.proto != PK_IPPROTO_ICMPV6) {
		if (!later && v.l4_decl < (v.proto == PK_IPPROTO_TCP ? PK_TCP_HLEN : PK_UDP_HLEN))
			return -NAT64_E_MALFORMED;
		nat64_tuple_l4(t, v.proto, l4, v.l4_decl, later);
		return 0;
	}
	if (v.frag)
		return -NAT64_E_ICMP_FRAG;
	if (v.l4_decl < PK_ICMP_HLEN)
		return -NAT64_E_MALFORMED;
	t->icmp_type = l4[0];
	if (l4[0] == PK_ICMP6_ECHO_REQUEST || l4[0] == PK_ICMP6_ECHO_REPLY) {
		nat64_tuple_l4(t, v.proto, l4, v.l4_decl, false);
		return 0;
	}
	if (l4[0] > PK_ICMP6_PARAM_PROBLEM || l4[0] < PK_ICMP6_DEST_UNREACH)
		return -NAT64_E_ICMP_TYPE;
	t->is_error = true;
	memcpy(t->err_src, t->src, 16);
	memcpy(t->err_dst, t->dst, 16);
	if (nat64_x6_parse(l4 + PK_ICMP_HLEN, v.l4_decl - PK_ICMP_HLEN, true, &iv) < 0)
		return -NAT64_E_INNER;
	if (iv.proto != PK_IPPROTO_TCP && iv.proto != PK_IPPROTO_UDP &&
	    iv.proto != PK_IPPROTO_ICMPV6)
		return -NAT64_E_INNER;
	later = iv.frag && iv.frag_off != 0;
	if (!later && iv.avail - iv.l4_off < 8)
		return -NAT64_E_INNER;
	if (!later && iv.proto == PK_IPPROTO_ICMPV6 && iv.hdr[iv.l4_off] < 128)
		return -NAT64_E_INNER;
	memcpy(t->src, iv.hdr + 8, 16);
	memcpy(t->dst, iv.hdr + 24, 16);
	nat64_tuple_l4(t, iv.proto, iv.hdr + iv.l4_off, iv.avail - iv.l4_off, later);
	return 0;
}

int nat64_inspect4(const uint8_t *pkt, uint32_t len, struct nat64_tuple *t)
{
	struct nat64_x4 v, iv;
	const uint8_t *l4;
	uint32_t l4len;
	bool later;

	memset(t, 0, sizeof(*t));
	if (nat64_x4_parse(pkt, len, false, &v) < 0)
		return -NAT64_E_MALFORMED;
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP && v.proto != PK_IPPROTO_ICMP)
		return -NAT64_E_PROTO;
	later = v.frag_off != 0;
	l4 = pkt + v.ihl;
	l4len = v.total - v.ihl;
	t->fragment = v.mf || v.frag_off;
	t->frag_id = t->fragment ? v.id : 0;
	memcpy(t->src, v.hdr + 12, 4);
	memcpy(t->dst, v.hdr + 16, 4);
	if (v.proto != PK_IPPROTO_ICMP) {
		if (!later && l4len < (v.proto == PK_IPPROTO_TCP ? PK_TCP_HLEN : PK_UDP_HLEN))
			return -NAT64_E_MALFORMED;
		nat64_tuple_l4(t, v.proto, l4, l4len, later);
		return 0;
	}
	if (v.mf || v.frag_off)
		return -NAT64_E_ICMP_FRAG;
	if (l4len < PK_ICMP_HLEN)
		return -NAT64_E_MALFORMED;
	t->icmp_type = l4[0];
	if (l4[0] == PK_ICMP_ECHO_REQUEST || l4[0] == PK_ICMP_ECHO_REPLY) {
		nat64_tuple_l4(t, v.proto, l4, l4len, false);
		return 0;
	}
	if (l4[0] != PK_ICMP_DEST_UNREACH && l4[0] != PK_ICMP_TIME_EXCEEDED &&
	    l4[0] != PK_ICMP_PARAM_PROBLEM)
		return -NAT64_E_ICMP_TYPE;
	t->is_error = true;
	memcpy(t->err_src, t->src, 4);
	memcpy(t->err_dst, t->dst, 4);
	if (nat64_x4_parse(l4 + PK_ICMP_HLEN, l4len - PK_ICMP_HLEN, true, &iv) < 0)
		return -NAT64_E_INNER;
	if (iv.proto != PK_IPPROTO_TCP && iv.proto != PK_IPPROTO_UDP && iv.proto != PK_IPPROTO_ICMP)
		return -NAT64_E_INNER;
	later = iv.frag_off != 0;
	if (!later && iv.avail - iv.ihl < 8)
		return -NAT64_E_INNER;
	if (!later && iv.proto == PK_IPPROTO_ICMP && iv.hdr[iv.ihl] != PK_ICMP_ECHO_REQUEST &&
	    iv.hdr[iv.ihl] != PK_ICMP_ECHO_REPLY)
		return -NAT64_E_INNER;
	memset(t->src, 0, 16);
	memset(t->dst, 0, 16);
	memcpy(t->src, iv.hdr + 12, 4);
	memcpy(t->dst, iv.hdr + 16, 4);
	nat64_tuple_l4(t, iv.proto, iv.hdr + iv.ihl, iv.avail - iv.ihl, later);
	return 0;
}
