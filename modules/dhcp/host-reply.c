/* SPDX-License-Identifier: MIT
 * host-reply.c - Answers a service owes as an IPv4 host: ARP for its address, ICMP echo (sans-I/O)
 */
#include <string.h>

#include "host-reply.h"

enum host_reply_kind host_reply(const uint8_t *frame, uint32_t len, const struct pk_mac *mac,
				const struct pk_ip4 *ip, uint8_t *out, uint32_t size,
				uint32_t *out_len)
{
	struct pk_eth_view eth;
	struct pk_ip4_view v;
	struct pk_icmp_view icmp;
	struct pk_ip_fields f = { .version = 4, .proto = PK_IPPROTO_ICMP, .ttl = 64 };
	uint8_t *o;

	*out_len = 0;
	if (!pk_eth_parse(frame, len, &eth) || eth.tagged)
		return HOST_REPLY_NONE;
	if (eth.ethertype == PK_ETH_P_ARP) {
		struct pk_arp_view arp;

		if (!pk_arp_parse(frame + eth.l3_off, eth.l3_len, &arp) ||
		    arp.op != PK_ARP_OP_REQUEST || memcmp(arp.tpa, ip->b, 4))
			return HOST_REPLY_NONE;
		/* A reply never goes to a group address, whichever source it
		 * would answer (the ARP sender or the frame's). */
		if ((arp.sha[0] & 1) || (eth.src[0] & 1))
			return HOST_REPLY_DROPPED;
		*out_len = pk_arp_reply_write(out, size, &arp, mac->b, ip->b);
		return *out_len ? HOST_REPLY_ARP : HOST_REPLY_DROPPED;
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
	f.src = ip->b;
	f.dst = v.src;
	memcpy(out, eth.src, 6);
	memcpy(out + 6, mac->b, 6);
	pk_put_be16(out + 12, PK_ETH_P_IPV4);
	o = out + PK_ETH_HLEN;
	pk_ip_hdr_write(o, PK_IP4_HLEN, &f, v.payload_len);
	pk_icmp_echo_reply_write(o + PK_IP4_HLEN, v.payload_len, &f, v.payload, v.payload_len);
	*out_len = PK_ETH_HLEN + PK_IP4_HLEN + v.payload_len;
	return HOST_REPLY_ECHO;
}
