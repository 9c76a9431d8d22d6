/* SPDX-License-Identifier: MIT
 * ra.c - IPv6 router advertisement building and router solicitation recognition (sans-I/O)
 *
 * RFC 4861 section 4.2 (RA, source link-layer, prefix information, MTU) and
 * RFC 8106 (RDNSS).
 */
#include <string.h>

#include "ra.h"

#define ND_OPT_SOURCE_LL 1u
#define ND_OPT_PREFIX 3u
#define ND_OPT_MTU 5u
#define ND_OPT_RDNSS 25u

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

void ra_link_local(const struct pk_mac *mac, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac->b[0] ^ 0x02;
	out[9] = mac->b[1];
	out[10] = mac->b[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac->b[3];
	out[14] = mac->b[4];
	out[15] = mac->b[5];
}

uint32_t ra_build(const struct ra_conf *c, uint8_t *out, uint32_t size)
{
	uint32_t icmp_len = 16 + 8 + 32 + (c->mtu ? 8 : 0) +
			    (c->n_rdnss ? 8 + 16 * c->n_rdnss : 0);
	uint32_t len = PK_ETH_HLEN + PK_IP6_HLEN + icmp_len;
	uint8_t *ip = out + PK_ETH_HLEN, *p = ip + PK_IP6_HLEN, *icmp = p, src[16];
	const struct pk_ip_fields f = {
		.version = 6, .proto = PK_IPPROTO_ICMPV6, .ttl = 255, .src = src, .dst = all_nodes,
	};

	if (size < len)
		return 0;
	memset(out, 0, len);
	/* Ethernet: 33:33 + low 32 bits of ff02::1 */
	out[0] = 0x33;
	out[1] = 0x33;
	out[5] = 0x01;
	memcpy(out + 6, c->mac.b, 6);
	pk_put_be16(out + 12, PK_ETH_P_IPV6);

	ra_link_local(&c->mac, src);
	pk_ip_hdr_write(ip, PK_IP6_HLEN, &f, icmp_len);

	p[0] = PK_ICMP6_ROUTER_ADVERT;
	p[4] = 64;	/* cur hop limit */
	p[5] = (uint8_t)((c->managed ? 0x80 : 0) | (c->other ? 0x40 : 0));
	pk_put_be16(p + 6, c->router_lifetime_s);
	p += 16;	/* reachable time and retrans timer: 0, unspecified */

	p[0] = ND_OPT_SOURCE_LL;
	p[1] = 1;
	memcpy(p + 2, c->mac.b, 6);
	p += 8;

	p[0] = ND_OPT_PREFIX;
	p[1] = 4;
	p[2] = c->prefix_len;
	p[3] = 0xc0;	/* on-link, autonomous */
	pk_put_be32(p + 4, c->valid_s);
	pk_put_be32(p + 8, c->preferred_s);
	memcpy(p + 16, c->prefix, 16);
	p += 32;

	if (c->mtu) {
		p[0] = ND_OPT_MTU;
		p[1] = 1;
		pk_put_be32(p + 4, c->mtu);
		p += 8;
	}
	if (c->n_rdnss) {
		p[0] = ND_OPT_RDNSS;
		p[1] = (uint8_t)(1 + 2 * c->n_rdnss);
		pk_put_be32(p + 4, c->rdnss_lifetime_s);
		for (uint32_t i = 0; i < c->n_rdnss; i++)
			memcpy(p + 8 + 16 * i, c->rdnss[i].b, 16);
	}
	pk_icmp_csum_fill(icmp, icmp_len, &f);
	return len;
}

bool ra_is_solicit(const uint8_t *frame, uint32_t len)
{
	struct pk_eth_view eth;
	struct pk_ip6_view v;
	struct pk_icmp_view icmp;

	if (!pk_eth_parse(frame, len, &eth) || eth.tagged || eth.ethertype != PK_ETH_P_IPV6)
		return false;
	if (!pk_ip6_parse(frame + eth.l3_off, eth.l3_len, &v) || v.proto != PK_IPPROTO_ICMPV6 ||
	    v.routing || v.frag || v.hop_limit != 255)
		return false;
	if (!pk_icmp6_parse(v.l4, v.l4_len, &icmp) || icmp.type != PK_ICMP6_ROUTER_SOLICIT ||
	    icmp.code != 0)
		return false;
	return pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v));
}
