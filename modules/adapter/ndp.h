/* SPDX-License-Identifier: MIT
 * ndp.h - IPv6 neighbour discovery (RFC 4861): NS/NA validation and building, EUI-64
 */
#ifndef PK_ADAPTER_NDP_H
#define PK_ADAPTER_NDP_H

#include <pktkit/eth.h>
#include <pktkit/ip.h>

#define NDP_HOP_LIMIT 255u
#define NDP_OPT_SLLA 1u
#define NDP_OPT_TLLA 2u
#define NDP_NA_ROUTER 0x80u
#define NDP_NA_SOLICITED 0x40u
#define NDP_NA_OVERRIDE 0x20u
/* Ethernet + IPv6 + NS/NA (24) + one link-layer address option (8). */
#define NDP_FRAME_LEN (PK_ETH_HLEN + PK_IP6_HLEN + 24u + 8u)

/* Why a message was refused by ndp_parse(). */
enum ndp_verdict {
	NDP_OK = 0,
	NDP_BAD_HOP_LIMIT,	/* not 255: may come from off-link (RFC 4861 7.1.1) */
	NDP_MALFORMED,		/* code, length, checksum, options, target, addresses */
};

/**
 * struct ndp_msg - A validated NS or NA
 * @type:	PK_ICMP6_NEIGHBOR_SOLICIT or PK_ICMP6_NEIGHBOR_ADVERT
 * @flags:	NA: NDP_NA_* bits
 * @target:	Target address (16 bytes in the packet)
 * @lla:	Source (NS) or target (NA) link-layer address option, or NULL
 */
struct ndp_msg {
	uint8_t type;
	uint8_t flags;
	const uint8_t *target;
	const uint8_t *lla;
};

enum ndp_verdict ndp_parse(const struct pk_ip6_view *ip, struct ndp_msg *m);

void ndp_eui64_link_local(const uint8_t mac[6], uint8_t out[16]);
void ndp_solicited_node(const uint8_t addr[16], uint8_t out[16]);
void ndp_mcast_mac(const uint8_t addr[16], uint8_t mac[6]);

uint32_t ndp_build_ns(uint8_t frame[NDP_FRAME_LEN], const uint8_t src_mac[6],
		      const uint8_t src_ip[16], const uint8_t target[16], bool dad);
uint32_t ndp_build_na(uint8_t frame[NDP_FRAME_LEN], const uint8_t src_mac[6],
		      const uint8_t dst_mac[6], const uint8_t dst_ip[16],
		      const uint8_t target[16], uint8_t flags);

static inline bool ndp_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

#endif /* PK_ADAPTER_NDP_H */
