/* SPDX-License-Identifier: MIT
 * build.c - Packet builders: IP/UDP headers, ICMP errors, echo replies, ARP replies, NAs
 *
 * The rules on when not to send an ICMP error follow RFC 1122 3.2.2,
 * RFC 1812 4.3.2.7 and RFC 4443 2.4(e); the quote limits RFC 792,
 * RFC 1812 4.3.2.3 and RFC 4443 2.4(c). See build.h.
 */
#include <string.h>

#include <pktkit/build.h>

#define ICMP6_REDIRECT_TYPE 137u
#define ICMP6_INFO_MIN 128u	/* ICMPv6 types below are errors (RFC 4443 2.1) */
#define NDP_NA_LEN 24u
#define NDP_OPT_TLLA 2u

/* Pseudo-header sum of @f for an upper layer of @len bytes. */
static uint32_t build_pseudo(const struct pk_ip_fields *f, uint8_t proto, uint32_t len)
{
	return f->version == 6 ? pk_csum_pseudo6(f->src, f->dst, proto, len)
			       : pk_csum_pseudo4(f->src, f->dst, proto, len);
}

/* IP ------------------------------------------------------------------------ */

/* Whether @payload_len fits the length field of a header of @version. */
static bool ip_len_ok(uint8_t version, uint32_t payload_len)
{
	return version == 4 ? payload_len <= 65535u - PK_IP4_HLEN : payload_len <= 65535u;
}

uint32_t pk_ip_hdr_write(uint8_t *out, uint32_t size, const struct pk_ip_fields *f,
			 uint32_t payload_len)
{
	uint32_t hlen = pk_ip_hdr_len(f->version);

	if (!hlen || size < hlen || !ip_len_ok(f->version, payload_len))
		return 0;
	if (f->version == 4) {
		out[0] = 0x40 | (PK_IP4_HLEN / 4);
		out[1] = f->tos;
		pk_put_be16(out + 2, (uint16_t)(PK_IP4_HLEN + payload_len));
		pk_put_be16(out + 4, f->id);
		pk_put_be16(out + 6, f->frag);
		out[8] = f->ttl;
		out[9] = f->proto;
		memcpy(out + 12, f->src, 4);
		memcpy(out + 16, f->dst, 4);
		pk_ip4_csum_fill(out, PK_IP4_HLEN);
	} else {
		pk_put_be32(out, 6u << 28 | (uint32_t)f->tos << 20 | (f->flow_label & 0xfffffu));
		pk_put_be16(out + 4, (uint16_t)payload_len);
		out[6] = f->proto;
		out[7] = f->ttl;
		memcpy(out + 8, f->src, 16);
		memcpy(out + 24, f->dst, 16);
	}
	return hlen;
}

bool pk_ip_push(struct pk_buf *b, const struct pk_ip_fields *f)
{
	uint32_t hlen = pk_ip_hdr_len(f->version), len = pk_buf_len(b);
	uint8_t *p;

	if (!hlen || !ip_len_ok(f->version, len) || pk_buf_headroom(b) < hlen)
		return false;
	p = pk_buf_push(b, hlen);
	pk_ip_hdr_write(p, hlen, f, len);
	return true;
}

/* UDP ----------------------------------------------------------------------- */

bool pk_udp_hdr_write(uint8_t *udp, uint32_t len, const struct pk_ip_fields *f, uint16_t sport,
		      uint16_t dport, uint32_t flags)
{
	uint32_t sum;
	uint16_t c;

	if (len < PK_UDP_HLEN || len > 65535u || !pk_ip_hdr_len(f->version))
		return false;
	pk_put_be16(udp, sport);
	pk_put_be16(udp + 2, dport);
	pk_put_be16(udp + 4, (uint16_t)len);
	sum = build_pseudo(f, PK_IPPROTO_UDP, len);
	if (flags & PK_BUILD_CSUM_PARTIAL) {
		/* Folded, not complemented: completed over the datagram later. */
		pk_put_be16(udp + 6, (uint16_t)~pk_csum_fold(sum));
		return true;
	}
	pk_put_be16(udp + 6, 0);
	c = pk_csum_fold(pk_csum_partial(udp, len, sum));
	pk_put_be16(udp + 6, c ? c : 0xffff);	/* 0 means "no checksum" (RFC 768) */
	return true;
}

bool pk_udp_push(struct pk_buf *b, const struct pk_ip_fields *f, uint16_t sport, uint16_t dport,
		 uint32_t flags)
{
	uint32_t len = pk_buf_len(b);
	uint8_t *p;

	if (len > 65535u - PK_UDP_HLEN || !pk_ip_hdr_len(f->version) ||
	    pk_buf_headroom(b) < PK_UDP_HLEN)
		return false;
	p = pk_buf_push(b, PK_UDP_HLEN);
	pk_udp_hdr_write(p, len + PK_UDP_HLEN, f, sport, dport, flags);
	if (flags & PK_BUILD_CSUM_PARTIAL)
		pk_buf_set_csum_partial(b, 0, 6);
	return true;
}

/* ICMP ---------------------------------------------------------------------- */

void pk_icmp_csum_fill(uint8_t *msg, uint32_t len, const struct pk_ip_fields *f)
{
	uint32_t sum;

	if (len < 4)
		return;
	sum = f->version == 6 ? build_pseudo(f, PK_IPPROTO_ICMPV6, len) : 0;
	msg[2] = 0;
	msg[3] = 0;
	pk_put_be16(msg + 2, pk_csum_fold(pk_csum_partial(msg, len, sum)));
}

/* IPv4 error types the builder sends: unreachable, source quench, redirect,
 * time exceeded, parameter problem (RFC 792). */
static bool icmp4_is_error_type(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* IPv4 ICMP queries (RFC 792, RFC 950, RFC 1256): echo, router advertisement
 * and solicitation, timestamp, information, address mask. Any other type is
 * an error or unknown, and gets no error. */
static bool icmp4_is_query(uint8_t type)
{
	return type == 0 || type == 8 || type == 9 || type == 10 || (type >= 13 && type <= 18);
}

/* What the builder needs of the offending packet. */
struct offender {
	uint8_t version;
	const uint8_t *src;
	const uint8_t *dst;
	uint32_t hdr_len;	/* the IP header: IHL * 4, or the 40-byte fixed header */
	uint32_t total;		/* the packet's own length */
};

static bool ip4_src_not_host(const uint8_t *a)
{
	/* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4 class E
	 * and the limited broadcast. */
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

static bool ip6_is_unspec_or_loopback(const uint8_t *a)
{
	static const uint8_t zero[15];

	return memcmp(a, zero, 15) == 0 && a[15] <= 1;
}

static enum pk_icmp_err icmp4_check(const uint8_t *pkt, uint32_t len, uint8_t type,
				    uint32_t flags, struct offender *o)
{
	struct pk_ip4_view v;

	if (!icmp4_is_error_type(type))
		return PK_ICMP_ERR_INVALID;
	if (!pk_ip4_parse(pkt, len, &v))
		return PK_ICMP_ERR_MALFORMED;
	if (v.frag_off)
		return PK_ICMP_ERR_FRAGMENT;
	if (v.proto == PK_IPPROTO_ICMP && (v.payload_len < 1 || !icmp4_is_query(v.payload[0])))
		return PK_ICMP_ERR_ABOUT_ERROR;
	if ((flags & PK_ICMP_ERR_F_TO_GROUP) || pk_get_be32(v.dst) == 0xffffffffu ||
	    (v.dst[0] & 0xf0) == 0xe0)
		return PK_ICMP_ERR_TO_GROUP;
	if ((flags & PK_ICMP_ERR_F_FROM_GROUP) || ip4_src_not_host(v.src))
		return PK_ICMP_ERR_FROM_GROUP;
	o->version = 4;
	o->src = v.src;
	o->dst = v.dst;
	o->hdr_len = v.hdr_len;
	o->total = v.total_len;
	return PK_ICMP_ERR_OK;
}

static enum pk_icmp_err icmp6_check(const uint8_t *pkt, uint32_t len, uint8_t type, uint8_t code,
				    uint32_t flags, struct offender *o)
{
	struct pk_ip6_view v;
	uint32_t plen;

	if (type < PK_ICMP6_DEST_UNREACH || type > PK_ICMP6_PARAM_PROBLEM)
		return PK_ICMP_ERR_INVALID;
	if (len < PK_IP6_HLEN || (pkt[0] >> 4) != 6)
		return PK_ICMP_ERR_MALFORMED;
	plen = pk_get_be16(pkt + 4);
	if (plen > len - PK_IP6_HLEN)
		return PK_ICMP_ERR_MALFORMED;
	/* A malformed extension-header chain may well be what the error is
	 * about: then only the fixed header is known. After a fragment header
	 * with a non-zero offset the ICMPv6 type is not visible. */
	if (pk_ip6_parse(pkt, len, &v) && v.proto == PK_IPPROTO_ICMPV6 && v.frag_off == 0 &&
	    (v.l4_len < 1 || v.l4[0] < ICMP6_INFO_MIN || v.l4[0] == ICMP6_REDIRECT_TYPE))
		return PK_ICMP_ERR_ABOUT_ERROR;
	if (((flags & PK_ICMP_ERR_F_TO_GROUP) || pkt[24] == 0xff) &&
	    type != PK_ICMP6_PACKET_TOO_BIG && !(type == PK_ICMP6_PARAM_PROBLEM && code == 2))
		return PK_ICMP_ERR_TO_GROUP;
	if ((flags & PK_ICMP_ERR_F_FROM_GROUP) || pkt[8] == 0xff ||
	    ip6_is_unspec_or_loopback(pkt + 8))
		return PK_ICMP_ERR_FROM_GROUP;
	o->version = 6;
	o->src = pkt + 8;
	o->dst = pkt + 24;
	o->hdr_len = PK_IP6_HLEN;
	o->total = PK_IP6_HLEN + plen;
	return PK_ICMP_ERR_OK;
}

static enum pk_icmp_err icmp_check(const uint8_t *pkt, uint32_t len, uint8_t type, uint8_t code,
				   uint32_t flags, struct offender *o)
{
	switch (pk_ip_version(pkt, len)) {
	case 4:
		return icmp4_check(pkt, len, type, flags, o);
	case 6:
		return icmp6_check(pkt, len, type, code, flags, o);
	default:
		return PK_ICMP_ERR_MALFORMED;
	}
}

enum pk_icmp_err pk_icmp_error_check(const uint8_t *pkt, uint32_t len, uint8_t type, uint8_t code,
				     uint32_t flags)
{
	struct offender o;

	return icmp_check(pkt, len, type, code, flags, &o);
}

enum pk_icmp_err pk_icmp_error_build(struct pk_buf *b, const struct pk_ip_fields *ip,
				     uint8_t type, uint8_t code, uint32_t info,
				     const uint8_t *pkt, uint32_t len, uint32_t flags)
{
	struct offender o;
	struct pk_ip_fields f = { 0 };
	uint8_t saddr[16], daddr[16], *icmp;
	uint32_t alen, hlen, quote, min_quote, room;
	enum pk_icmp_err r = icmp_check(pkt, len, type, code, flags, &o);

	if (r != PK_ICMP_ERR_OK)
		return r;
	alen = o.version == 6 ? 16 : 4;
	hlen = pk_ip_hdr_len(o.version);
	quote = MIN(o.total, o.version == 6 ? PK_ICMP_ERR_MAX_QUOTE6 : PK_ICMP_ERR_MAX_QUOTE4);
	min_quote = MIN(o.total, o.hdr_len + 8);
	room = pk_buf_len(b) + pk_buf_tailroom(b);
	quote = MIN(quote, room);
	if (quote < min_quote || pk_buf_headroom(b) < hlen + PK_ICMP_HLEN)
		return PK_ICMP_ERR_NO_ROOM;
	if (ip && ip->src) {
		memcpy(saddr, ip->src, alen);
	} else {
		/* An IPv6 error allowed about a multicast packet needs a
		 * unicast source from the caller. */
		if (o.version == 6 && o.dst[0] == 0xff)
			return PK_ICMP_ERR_TO_GROUP;
		memcpy(saddr, o.dst, alen);
	}
	memcpy(daddr, o.src, alen);	/* before the quote moves: @pkt may be in @b */

	memmove(pk_buf_data(b), pkt, quote);
	pk_buf_trim(b, 0);
	pk_buf_put(b, quote);
	pk_buf_offload_clear(b);
	icmp = pk_buf_push(b, PK_ICMP_HLEN);
	icmp[0] = type;
	icmp[1] = code;
	pk_put_be32(icmp + 4, info);

	if (ip) {
		f.ttl = ip->ttl;
		f.tos = ip->tos;
		f.id = ip->id;
		f.frag = ip->frag;
		f.flow_label = ip->flow_label;
	}
	if (!f.ttl)
		f.ttl = 64;
	f.version = o.version;
	f.proto = o.version == 6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP;
	f.src = saddr;
	f.dst = daddr;
	pk_icmp_csum_fill(icmp, PK_ICMP_HLEN + quote, &f);
	pk_ip_push(b, &f);
	return PK_ICMP_ERR_OK;
}

uint32_t pk_icmp_echo_reply_write(uint8_t *out, uint32_t size, const struct pk_ip_fields *f,
				  const uint8_t *req, uint32_t req_len)
{
	uint8_t want;

	if (f->version == 4)
		want = PK_ICMP_ECHO_REQUEST;
	else if (f->version == 6)
		want = PK_ICMP6_ECHO_REQUEST;
	else
		return 0;
	if (req_len < PK_ICMP_HLEN || req_len > size || req_len > 65535u || req[0] != want)
		return 0;
	memmove(out, req, req_len);
	out[0] = f->version == 4 ? PK_ICMP_ECHO_REPLY : PK_ICMP6_ECHO_REPLY;
	out[1] = 0;
	pk_icmp_csum_fill(out, req_len, f);
	return req_len;
}

/* ARP and NDP --------------------------------------------------------------- */

static void eth_hdr_write(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(out, dst, PK_ETH_ALEN);
	memcpy(out + PK_ETH_ALEN, src, PK_ETH_ALEN);
	pk_put_be16(out + 2 * PK_ETH_ALEN, type);
}

uint32_t pk_arp_write(uint8_t *out, uint32_t size, uint16_t op, const uint8_t *eth_dst,
		      const uint8_t *sha, const uint8_t *spa, const uint8_t *tha,
		      const uint8_t *tpa)
{
	uint8_t *a = out + PK_ETH_HLEN;

	if (size < PK_ARP_FRAME_LEN)
		return 0;
	eth_hdr_write(out, eth_dst, sha, PK_ETH_P_ARP);
	pk_put_be16(a, PK_ARP_HTYPE_ETHER);
	pk_put_be16(a + 2, PK_ETH_P_IPV4);
	a[4] = PK_ETH_ALEN;
	a[5] = 4;
	pk_put_be16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, tpa, 4);
	memset(a + PK_ARP_LEN, 0, PK_ARP_FRAME_LEN - PK_ETH_HLEN - PK_ARP_LEN);
	return PK_ARP_FRAME_LEN;
}

uint32_t pk_arp_reply_write(uint8_t *out, uint32_t size, const struct pk_arp_view *req,
			    const uint8_t *mac, const uint8_t *ip)
{
	if (req->op != PK_ARP_OP_REQUEST)
		return 0;
	return pk_arp_write(out, size, PK_ARP_OP_REPLY, req->sha, mac, ip, req->sha, req->spa);
}

uint32_t pk_ndp_na_write(uint8_t *out, uint32_t size, const uint8_t *src_mac,
			 const uint8_t *dst_mac, const uint8_t *src_ip, const uint8_t *dst_ip,
			 const uint8_t *target, uint8_t flags)
{
	const struct pk_ip_fields f = {
		.version = 6, .proto = PK_IPPROTO_ICMPV6, .ttl = 255, .src = src_ip, .dst = dst_ip,
	};
	const uint32_t plen = NDP_NA_LEN + 8;
	uint8_t *icmp = out + PK_ETH_HLEN + PK_IP6_HLEN;

	if (size < PK_NDP_NA_FRAME_LEN)
		return 0;
	eth_hdr_write(out, dst_mac, src_mac, PK_ETH_P_IPV6);
	pk_ip_hdr_write(out + PK_ETH_HLEN, PK_IP6_HLEN, &f, plen);
	memset(icmp, 0, plen);
	icmp[0] = PK_ICMP6_NEIGHBOR_ADVERT;
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	icmp[NDP_NA_LEN] = NDP_OPT_TLLA;
	icmp[NDP_NA_LEN + 1] = 1;	/* in units of 8 bytes */
	memcpy(icmp + NDP_NA_LEN + 2, src_mac, PK_ETH_ALEN);
	pk_icmp_csum_fill(icmp, plen, &f);
	return PK_NDP_NA_FRAME_LEN;
}
