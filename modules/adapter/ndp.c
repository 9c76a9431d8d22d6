// SPDX-License-Identifier: MIT
/* ndp.c - IPv6 neighbour discovery (RFC 4861): NS/NA validation and building, EUI-64 */
#include <pktkit/build.h>

#include "ndp.h"

/**
 * ndp_parse() - Validate a neighbour solicitation or advertisement (RFC 4861 7.1)
 * @ip:	Parsed IPv6 packet whose upper layer is ICMPv6 type 135 or 136
 * @m:	Filled in on NDP_OK
 *
 * Checks hop limit 255, code 0, length, checksum, the target (not
 * multicast), option lengths (no zero-length option), and for a DAD NS
 * (source ::) a solicited-node destination and no source link-layer option;
 * for an NA to a multicast address the Solicited flag clear.
 *
 * Context: any thread, hot path of control traffic.
 * Return: NDP_OK or why the message must be dropped.
 */
enum ndp_verdict ndp_parse(const struct pk_ip6_view *ip, struct ndp_msg *m)
{
	const uint8_t *p = ip->l4;
	uint32_t len = ip->l4_len, off;

	if (ip->hop_limit != NDP_HOP_LIMIT)
		return NDP_BAD_HOP_LIMIT;
	if (ip->n_ext || len < 24 || p[1] != 0)
		return NDP_MALFORMED;
	if (!pk_csum_ok(p, len, pk_ip6_pseudo(ip)))
		return NDP_MALFORMED;
	m->type = p[0];
	m->flags = m->type == PK_ICMP6_NEIGHBOR_ADVERT ? p[4] : 0;
	m->target = p + 8;
	m->lla = NULL;
	if (m->target[0] == 0xff)
		return NDP_MALFORMED;
	for (off = 24; off < len;) {
		uint32_t olen;

		if (len - off < 2 || p[off + 1] == 0)
			return NDP_MALFORMED;
		olen = (uint32_t)p[off + 1] * 8;
		if (olen > len - off)
			return NDP_MALFORMED;
		if (olen >= 8 && ((m->type == PK_ICMP6_NEIGHBOR_SOLICIT && p[off] == NDP_OPT_SLLA) ||
				  (m->type == PK_ICMP6_NEIGHBOR_ADVERT && p[off] == NDP_OPT_TLLA)))
			m->lla = p + off + 2;
		off += olen;
	}
	if (m->type == PK_ICMP6_NEIGHBOR_SOLICIT && ndp_is_unspecified(ip->src)) {
		static const uint8_t sn[13] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

		if (memcmp(ip->dst, sn, 13) != 0 || m->lla)
			return NDP_MALFORMED;
	}
	if (m->type == PK_ICMP6_NEIGHBOR_ADVERT && ip->dst[0] == 0xff &&
	    (m->flags & NDP_NA_SOLICITED))
		return NDP_MALFORMED;
	return NDP_OK;
}

/**
 * ndp_eui64_link_local() - fe80::/64 address with the modified EUI-64 of @mac (RFC 4291 2.5.1)
 * @mac:	MAC address
 * @out:	16 bytes
 *
 * Context: any thread.
 */
void ndp_eui64_link_local(const uint8_t mac[6], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

/**
 * ndp_solicited_node() - ff02::1:ffXX:XXXX of an address (RFC 4291 2.7.1)
 * @addr:	Unicast address
 * @out:	16 bytes
 *
 * Context: any thread.
 */
void ndp_solicited_node(const uint8_t addr[16], uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	memcpy(out + 13, addr + 13, 3);
}

/**
 * ndp_mcast_mac() - 33:33 plus the low 32 bits of an IPv6 multicast address (RFC 2464 7)
 * @addr:	Multicast address
 * @mac:	6 bytes
 *
 * Context: any thread, hot path.
 */
void ndp_mcast_mac(const uint8_t addr[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, addr + 12, 4);
}

G_STATIC_ASSERT(NDP_FRAME_LEN == PK_NDP_NA_FRAME_LEN);
G_STATIC_ASSERT(NDP_NA_SOLICITED == PK_NDP_NA_SOLICITED && NDP_NA_OVERRIDE == PK_NDP_NA_OVERRIDE &&
		NDP_NA_ROUTER == PK_NDP_NA_ROUTER);

/* Neighbour solicitation, with a source link-layer option unless @dad. */
static uint32_t ndp_build_ns_frame(uint8_t *frame, const uint8_t src_mac[6],
				   const uint8_t dst_mac[6], const uint8_t src_ip[16],
				   const uint8_t dst_ip[16], const uint8_t target[16], bool dad)
{
	const struct pk_ip_fields f = {
		.version = 6, .proto = PK_IPPROTO_ICMPV6, .ttl = NDP_HOP_LIMIT,
		.src = src_ip, .dst = dst_ip,
	};
	uint8_t *icmp = frame + PK_ETH_HLEN + PK_IP6_HLEN;
	uint32_t plen = 24 + (dad ? 0u : 8u);

	memcpy(frame, dst_mac, 6);
	memcpy(frame + 6, src_mac, 6);
	pk_put_be16(frame + 12, PK_ETH_P_IPV6);
	pk_ip_hdr_write(frame + PK_ETH_HLEN, PK_IP6_HLEN, &f, plen);
	memset(icmp, 0, plen);
	icmp[0] = PK_ICMP6_NEIGHBOR_SOLICIT;
	memcpy(icmp + 8, target, 16);
	if (!dad) {
		icmp[24] = NDP_OPT_SLLA;
		icmp[25] = 1;
		memcpy(icmp + 26, src_mac, 6);
	}
	pk_icmp_csum_fill(icmp, plen, &f);
	return PK_ETH_HLEN + PK_IP6_HLEN + plen;
}

/**
 * ndp_build_ns() - Neighbour solicitation for @target to its solicited-node group
 * @frame:	NDP_FRAME_LEN bytes
 * @src_mac:	Our MAC (frame source and source link-layer option)
 * @src_ip:	Our address (normally the link-local one)
 * @target:	Address to resolve
 * @dad:	Duplicate address detection: source ::, no option
 *
 * Context: any thread.
 * Return: the frame length.
 */
uint32_t ndp_build_ns(uint8_t frame[NDP_FRAME_LEN], const uint8_t src_mac[6],
		      const uint8_t src_ip[16], const uint8_t target[16], bool dad)
{
	static const uint8_t any[16];
	uint8_t dst[16], mac[6];

	ndp_solicited_node(target, dst);
	ndp_mcast_mac(dst, mac);
	return ndp_build_ns_frame(frame, src_mac, mac, dad ? any : src_ip, dst, target, dad);
}

/**
 * ndp_build_na() - Neighbour advertisement for one of our addresses
 * @frame:	NDP_FRAME_LEN bytes
 * @src_mac:	Our MAC (frame source and target link-layer option)
 * @dst_mac:	Frame destination
 * @dst_ip:	Destination address (the solicitor, or ff02::1)
 * @target:	Our address being advertised; also the source address
 * @flags:	NDP_NA_* bits
 *
 * Context: any thread.
 * Return: the frame length.
 */
uint32_t ndp_build_na(uint8_t frame[NDP_FRAME_LEN], const uint8_t src_mac[6],
		      const uint8_t dst_mac[6], const uint8_t dst_ip[16],
		      const uint8_t target[16], uint8_t flags)
{
	return pk_ndp_na_write(frame, NDP_FRAME_LEN, src_mac, dst_mac, target, dst_ip, target,
			       flags);
}
