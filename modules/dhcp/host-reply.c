/* SPDX-License-Identifier: MIT
 * host-reply.c - Answers a service owes as an IPv4 host: ARP for its address, ICMP echo (sans-I/O)
 */
#include <string.h>

#include "host-reply.h"

static uint32_t arp_reply(const struct pk_eth_view *eth, const struct pk_arp_view *arp,
			  const struct pk_mac *mac, const struct pk_ip4 *ip, uint8_t *out)
{
	uint8_t *a = out + PK_ETH_HLEN;

	memcpy(out, eth->src, 6);
	memcpy(out + 6, mac->b, 6);
	pk_put_be16(out + 12, PK_ETH_P_ARP);
	pk_put_be16(a, PK_ARP_HTYPE_ETHER);
	pk_put_be16(a + 2, PK_ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	pk_put_be16(a + 6, PK_ARP_OP_REPLY);
	memcpy(a + 8, mac->b, 6);
	memcpy(a + 14, ip->b, 4);
	memcpy(a + 18, arp->sha, 6);
	memcpy(a + 24, arp->spa, 4);
	memset(out + PK_ETH_HLEN + PK_ARP_LEN, 0, 60 - PK_ETH_HLEN - PK_ARP_LEN);
	return 60;	/* minimum Ethernet frame without FCS */
}

enum host_reply_kind host_reply(const uint8_t *frame, uint32_t len, const struct pk_mac *mac,
				const struct pk_ip4 *ip, uint8_t *out, uint32_t size,
				uint32_t *out_len)
{
	struct pk_eth_view eth;
	struct pk_ip4_view v;
	struct pk_icmp_view icmp;
	uint8_t *o;

	*out_len = 0;
	if (!pk_eth_parse(frame, len, &eth) || eth.tagged)
		return HOST_REPLY_NONE;
	if (eth.ethertype == PK_ETH_P_ARP) {
		struct pk_arp_view arp;

		if (!pk_arp_parse(frame + eth.l3_off, eth.l3_len, &arp) ||
		    arp.op != PK_ARP_OP_REQUEST || memcmp(arp.tpa, ip->b, 4))
			return HOST_REPLY_NONE;
		/* A reply goes to the frame's source: never to a group address. */
		if (size < 60 || (arp.sha[0] & 1) || (eth.src[0] & 1))
			return HOST_REPLY_DROPPED;
		*out_len = arp_reply(&eth, &arp, mac, ip, out);
		return HOST_REPLY_ARP;
	}
	if (eth.ethertype != PK_ETH_P_IPV4 || memcmp(eth.dst, mac->b, 6))
		return HOST_REPLY_NONE;
	if (!pk_ip4_parse(frame + eth.l3_off, eth.l3_len, &v) || v.proto != PK_IPPROTO_ICMP ||
	    memcmp(v.dst, ip->b, 4))
		return HOST_REPLY_NONE;
	if (!pk_ip4_csum_ok(&v) || pk_ip4_is_fragment(&v) ||
	    !pk_icmp_parse(v.payload, v.payload_len, &icmp) || (v.src[0] & 0xf0) >= 0xe0 ||
	    (eth.src[0] & 1))
		return HOST_REPLY_DROPPED;
	if (icmp.type != PK_ICMP_ECHO_REQUEST)
		return HOST_REPLY_NONE;
	if (!pk_csum_ok(v.payload, v.payload_len, 0) ||
	    size < PK_ETH_HLEN + PK_IP4_HLEN + v.payload_len)
		return HOST_REPLY_DROPPED;
	memcpy(out, eth.src, 6);
	memcpy(out + 6, mac->b, 6);
	pk_put_be16(out + 12, PK_ETH_P_IPV4);
	o = out + PK_ETH_HLEN;
	memset(o, 0, PK_IP4_HLEN);
	o[0] = 0x45;
	pk_put_be16(o + 2, (uint16_t)(PK_IP4_HLEN + v.payload_len));
	o[8] = 64;
	o[9] = PK_IPPROTO_ICMP;
	memcpy(o + 12, ip->b, 4);
	memcpy(o + 16, v.src, 4);
	pk_ip4_csum_fill(o, PK_IP4_HLEN);
	o += PK_IP4_HLEN;
	memcpy(o, v.payload, v.payload_len);
	o[0] = PK_ICMP_ECHO_REPLY;
	o[2] = 0;
	o[3] = 0;
	pk_put_be16(o + 2, pk_csum(o, v.payload_len));
	*out_len = PK_ETH_HLEN + PK_IP4_HLEN + v.payload_len;
	return HOST_REPLY_ECHO;
}
