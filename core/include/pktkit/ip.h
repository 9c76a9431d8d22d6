/* SPDX-License-Identifier: MIT
 * ip.h - IPv4 and IPv6 header views, extension-header walk, TTL/hop-limit helpers
 *
 * Views are zero-copy and bounds-checked like those of eth.h: a parse
 * function returns false on short or malformed input and never reads past
 * @len. The payload a view reports is bounded by the header's own length
 * field (IPv4 total length, IPv6 payload length), so Ethernet padding after
 * the packet is never taken for data.
 */
#ifndef PKTKIT_IP_H
#define PKTKIT_IP_H

#include <pktkit/common.h>
#include <pktkit/checksum.h>

G_BEGIN_DECLS

#define PK_IP4_HLEN 20u		/* IPv4 header without options */
#define PK_IP4_MAX_HLEN 60u	/* IPv4 header with 40 bytes of options */
#define PK_IP6_HLEN 40u		/* IPv6 fixed header */
#define PK_IP6_MAX_EXT 8u	/* extension headers pk_ip6_parse() walks at most */

/* IP protocol numbers, also IPv6 next-header values. */
#define PK_IPPROTO_HOPOPTS 0u
#define PK_IPPROTO_ICMP 1u
#define PK_IPPROTO_TCP 6u
#define PK_IPPROTO_UDP 17u
#define PK_IPPROTO_ROUTING 43u
#define PK_IPPROTO_FRAGMENT 44u
#define PK_IPPROTO_ESP 50u
#define PK_IPPROTO_AH 51u
#define PK_IPPROTO_ICMPV6 58u
#define PK_IPPROTO_NONE 59u
#define PK_IPPROTO_DSTOPTS 60u
#define PK_IPPROTO_MOBILITY 135u
#define PK_IPPROTO_HIP 139u
#define PK_IPPROTO_SHIM6 140u

/* Bits of the IPv4 flags/fragment-offset word, host order. */
#define PK_IP4_DF 0x4000u
#define PK_IP4_MF 0x2000u
#define PK_IP4_OFF_MASK 0x1fffu

/**
 * pk_ip_version() - IP version of a packet from its first nibble
 * @p:		First byte of the IP header
 * @len:	Bytes available at @p
 *
 * Only a hint for dispatch on L3 ports; the parse functions check everything.
 *
 * Context: any thread, hot path.
 * Return: 4 or 6, or 0 if @len is 0 or the version is neither.
 */
static inline unsigned int pk_ip_version(const uint8_t *p, uint32_t len)
{
	unsigned int ver;

	if (PK_UNLIKELY(len == 0))
		return 0;
	ver = p[0] >> 4;
	return ver == 4 || ver == 6 ? ver : 0;
}

/**
 * struct pk_ip4_view - A parsed IPv4 header
 * @hdr:	First byte of the header
 * @src:	Source address (4 bytes in the header)
 * @dst:	Destination address (4 bytes in the header)
 * @opts:	Options (@opts_len bytes; points past the fixed header even when
 *		@opts_len is 0)
 * @payload:	First byte after the header
 * @hdr_len:	Header length in bytes (IHL * 4): 20..60
 * @opts_len:	@hdr_len - 20
 * @total_len:	Total length field: header plus payload, at most the @len given
 * @payload_len: @total_len - @hdr_len
 * @id:		Identification, host order
 * @frag_off:	Fragment offset in bytes (the field times 8)
 * @tos:	Type of service / DSCP+ECN byte
 * @ttl:	Time to live
 * @proto:	Protocol (PK_IPPROTO_*)
 * @df:		Don't-fragment flag
 * @mf:		More-fragments flag
 */
struct pk_ip4_view {
	const uint8_t *hdr;
	const uint8_t *src;
	const uint8_t *dst;
	const uint8_t *opts;
	const uint8_t *payload;
	uint32_t hdr_len;
	uint32_t opts_len;
	uint32_t total_len;
	uint32_t payload_len;
	uint16_t id;
	uint16_t frag_off;
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	bool df;
	bool mf;
};

/**
 * pk_ip4_parse() - Parse an IPv4 header
 * @p:		First byte of the header
 * @len:	Bytes available at @p (may include link-layer padding)
 * @v:		Filled in on success; undefined on failure
 *
 * Checks version 4, IHL >= 5, the header within @len, and
 * IHL * 4 <= total length <= @len. Does not verify the header checksum: see
 * pk_ip4_csum_ok().
 *
 * Context: any thread, hot path.
 * Return: true if the header is well formed.
 */
static inline bool pk_ip4_parse(const uint8_t *p, uint32_t len, struct pk_ip4_view *v)
{
	uint32_t hdr_len, total_len;
	uint16_t frag;

	if (PK_UNLIKELY(len < PK_IP4_HLEN || (p[0] >> 4) != 4))
		return false;
	hdr_len = (uint32_t)(p[0] & 0x0f) * 4;
	total_len = pk_get_be16(p + 2);
	if (PK_UNLIKELY(hdr_len < PK_IP4_HLEN || hdr_len > len))
		return false;
	if (PK_UNLIKELY(total_len < hdr_len || total_len > len))
		return false;
	frag = pk_get_be16(p + 6);
	v->hdr = p;
	v->src = p + 12;
	v->dst = p + 16;
	v->opts = p + PK_IP4_HLEN;
	v->payload = p + hdr_len;
	v->hdr_len = hdr_len;
	v->opts_len = hdr_len - PK_IP4_HLEN;
	v->total_len = total_len;
	v->payload_len = total_len - hdr_len;
	v->id = pk_get_be16(p + 4);
	v->frag_off = (uint16_t)((frag & PK_IP4_OFF_MASK) * 8);
	v->tos = p[1];
	v->ttl = p[8];
	v->proto = p[9];
	v->df = frag & PK_IP4_DF;
	v->mf = frag & PK_IP4_MF;
	return true;
}

/**
 * pk_ip4_is_fragment() - Whether the packet is a fragment (MF set or offset > 0)
 * @v:	Parsed header
 *
 * Only the first fragment (@frag_off 0) carries the L4 header.
 *
 * Context: any thread, hot path.
 */
static inline bool pk_ip4_is_fragment(const struct pk_ip4_view *v)
{
	return v->mf || v->frag_off != 0;
}

/**
 * pk_ip4_csum_ok() - Verify the header checksum
 * @v:	Parsed header
 *
 * Context: any thread, hot path.
 * Return: true if the header, checksum field included, sums to 0xffff.
 */
static inline bool pk_ip4_csum_ok(const struct pk_ip4_view *v)
{
	return pk_csum_ok(v->hdr, v->hdr_len, 0);
}

/**
 * pk_ip4_csum_fill() - Compute and store the header checksum
 * @hdr:	First byte of a writable IPv4 header
 * @hdr_len:	Its length in bytes (IHL * 4), all present
 *
 * Context: any thread, hot path.
 */
static inline void pk_ip4_csum_fill(uint8_t *hdr, uint32_t hdr_len)
{
	hdr[10] = 0;
	hdr[11] = 0;
	pk_put_be16(hdr + 10, pk_csum(hdr, hdr_len));
}

/**
 * pk_ip4_pseudo() - Pseudo-header sum for the L4 checksum of a parsed packet
 * @v:	Parsed header
 *
 * Context: any thread, hot path.
 * Return: an accumulator for pk_csum_partial() over @v->payload.
 */
static inline uint32_t pk_ip4_pseudo(const struct pk_ip4_view *v)
{
	return pk_csum_pseudo4(v->src, v->dst, v->proto, v->payload_len);
}

/**
 * pk_ip4_dec_ttl() - Decrement the TTL and fix the header checksum (RFC 1624)
 * @hdr:	First byte of a writable IPv4 header of at least 20 bytes
 *
 * Context: any thread, hot path.
 * Return: false, changing nothing, if the TTL is 0 or 1 (the packet must not
 * be forwarded; answer with ICMP time exceeded).
 */
static inline bool pk_ip4_dec_ttl(uint8_t *hdr)
{
	uint16_t from = pk_get_be16(hdr + 8);	/* TTL and protocol: one word */

	if (hdr[8] <= 1)
		return false;
	hdr[8]--;
	pk_csum_update16(hdr + 10, from, pk_get_be16(hdr + 8));
	return true;
}

/**
 * struct pk_ip6_view - A parsed IPv6 header and its extension-header chain
 * @hdr:	First byte of the fixed header
 * @src:	Source address (16 bytes in the header)
 * @dst:	Destination address (16 bytes in the header)
 * @payload:	First byte after the fixed header
 * @payload_len: Payload length field: extension headers plus upper layer,
 *		at most the @len given minus 40
 * @l4:		First byte of the upper-layer header (or, for a non-first
 *		fragment, of the fragment data)
 * @l4_off:	Offset of @l4 from @hdr
 * @l4_len:	Bytes from @l4 to the end of the payload
 * @flow_label:	Flow label (20 bits)
 * @tclass:	Traffic class
 * @hop_limit:	Hop limit
 * @next_hdr:	Next header of the fixed header
 * @proto:	Upper-layer protocol after the extension headers (PK_IPPROTO_*;
 *		PK_IPPROTO_ESP and PK_IPPROTO_NONE end the walk too)
 * @n_ext:	Extension headers walked
 * @routing:	A routing header is present: the destination of the
 *		pseudo header is then the final one, not @dst
 * @frag:	A fragment header is present
 * @frag_more:	M flag of the fragment header
 * @frag_off:	Fragment offset in bytes; when non-zero, @l4 is fragment data,
 *		not a header
 * @frag_id:	Identification of the fragment header, host order
 */
struct pk_ip6_view {
	const uint8_t *hdr;
	const uint8_t *src;
	const uint8_t *dst;
	const uint8_t *payload;
	uint32_t payload_len;
	const uint8_t *l4;
	uint32_t l4_off;
	uint32_t l4_len;
	uint32_t flow_label;
	uint8_t tclass;
	uint8_t hop_limit;
	uint8_t next_hdr;
	uint8_t proto;
	uint8_t n_ext;
	bool routing;
	bool frag;
	bool frag_more;
	uint16_t frag_off;
	uint32_t frag_id;
};

/**
 * pk_ip6_is_ext_hdr() - Whether a next-header value names an extension header to walk
 * @nh:	Next-header value
 *
 * Hop-by-hop, routing, fragment, destination options, AH, mobility, HIP and
 * shim6 headers; ESP is not walked (its contents are encrypted).
 *
 * Context: any thread, hot path.
 */
static inline bool pk_ip6_is_ext_hdr(uint8_t nh)
{
	switch (nh) {
	case PK_IPPROTO_HOPOPTS:
	case PK_IPPROTO_ROUTING:
	case PK_IPPROTO_FRAGMENT:
	case PK_IPPROTO_AH:
	case PK_IPPROTO_DSTOPTS:
	case PK_IPPROTO_MOBILITY:
	case PK_IPPROTO_HIP:
	case PK_IPPROTO_SHIM6:
		return true;
	default:
		return false;
	}
}

/**
 * pk_ip6_walk_ext_() - Internal: the extension-header walk of pk_ip6_parse()
 * @v:	View with the fixed-header fields filled in
 *
 * Context: any thread, hot path.
 * Return: see pk_ip6_parse().
 */
bool pk_ip6_walk_ext_(struct pk_ip6_view *v);

/**
 * pk_ip6_parse() - Parse an IPv6 header and walk its extension headers
 * @p:		First byte of the header
 * @len:	Bytes available at @p (may include link-layer padding)
 * @v:		Filled in on success; undefined on failure
 *
 * Checks version 6 and 40 + payload length <= @len (jumbograms are refused),
 * then walks at most PK_IP6_MAX_EXT extension headers within the payload. A
 * hop-by-hop header anywhere but first, a second fragment header, or a header
 * that does not fit is refused. The walk stops after a fragment header with
 * a non-zero offset, since what follows is not a header.
 *
 * Context: any thread, hot path; headers without extension headers are parsed
 * inline.
 * Return: true if the header chain is well formed.
 */
static inline bool pk_ip6_parse(const uint8_t *p, uint32_t len, struct pk_ip6_view *v)
{
	uint32_t payload_len;

	if (PK_UNLIKELY(len < PK_IP6_HLEN || (p[0] >> 4) != 6))
		return false;
	payload_len = pk_get_be16(p + 4);
	if (PK_UNLIKELY(payload_len > len - PK_IP6_HLEN))
		return false;
	v->hdr = p;
	v->src = p + 8;
	v->dst = p + 24;
	v->payload = p + PK_IP6_HLEN;
	v->payload_len = payload_len;
	v->flow_label = pk_get_be32(p) & 0xfffffu;
	v->tclass = (uint8_t)(pk_get_be16(p) >> 4);
	v->hop_limit = p[7];
	v->next_hdr = p[6];
	v->n_ext = 0;
	v->routing = false;
	v->frag = false;
	v->frag_more = false;
	v->frag_off = 0;
	v->frag_id = 0;
	if (PK_UNLIKELY(pk_ip6_is_ext_hdr(v->next_hdr)))
		return pk_ip6_walk_ext_(v);
	v->proto = v->next_hdr;
	v->l4 = v->payload;
	v->l4_off = PK_IP6_HLEN;
	v->l4_len = payload_len;
	return true;
}

/**
 * pk_ip6_is_fragment() - Whether the packet carries a fragment header
 * @v:	Parsed header
 *
 * An atomic fragment (offset 0, M clear) also counts.
 *
 * Context: any thread, hot path.
 */
static inline bool pk_ip6_is_fragment(const struct pk_ip6_view *v)
{
	return v->frag;
}

/**
 * pk_ip6_pseudo() - Pseudo-header sum for the upper-layer checksum
 * @v:	Parsed header without a routing header (@v->routing false)
 *
 * Context: any thread, hot path.
 * Return: an accumulator for pk_csum_partial() over @v->l4.
 */
static inline uint32_t pk_ip6_pseudo(const struct pk_ip6_view *v)
{
	return pk_csum_pseudo6(v->src, v->dst, v->proto, v->l4_len);
}

/**
 * pk_ip6_dec_hop_limit() - Decrement the hop limit
 * @hdr:	First byte of a writable IPv6 header of at least 40 bytes
 *
 * Context: any thread, hot path.
 * Return: false, changing nothing, if the hop limit is 0 or 1.
 */
static inline bool pk_ip6_dec_hop_limit(uint8_t *hdr)
{
	if (hdr[7] <= 1)
		return false;
	hdr[7]--;
	return true;
}

/**
 * pk_ip6_last_nh_off() - Offset of the Next Header field that names the upper layer
 * @pkt:	IPv6 packet, its extension headers checked by pk_ip6_parse()
 * @l4_off:	Where the upper-layer header starts (pk_ip6_view.l4_off)
 *
 * The fixed header's field (6), or the first byte of the last extension
 * header: the pointer of a Parameter Problem code 1, "unrecognized Next
 * Header" (RFC 4443 3.4). The walk never goes past @l4_off.
 *
 * Context: any thread. Since: 1.2
 */
static inline uint32_t pk_ip6_last_nh_off(const uint8_t *pkt, uint32_t l4_off)
{
	uint32_t nh_off = 6, off = PK_IP6_HLEN;
	uint8_t nh = pkt[6];

	while (off < l4_off && pk_ip6_is_ext_hdr(nh)) {
		const uint8_t *h = pkt + off;

		nh_off = off;
		if (nh == PK_IPPROTO_FRAGMENT)
			off += 8;
		else if (nh == PK_IPPROTO_AH)
			off += ((uint32_t)h[1] + 2) * 4; /* RFC 4302: 4-byte units */
		else
			off += ((uint32_t)h[1] + 1) * 8; /* RFC 8200: 8-byte units */
		nh = h[0];
	}
	return nh_off;
}

G_END_DECLS

#endif /* PKTKIT_IP_H */
