/* SPDX-License-Identifier: MIT
 * eth.h - Ethernet II / 802.1Q / 802.1ad and ARP header views, VLAN tag push/pop
 *
 * Views are zero-copy: a parse function checks every length it relies on and
 * fills a small struct of values and pointers into the frame. Short or
 * malformed input yields false and nothing past @len is ever read. Pointers
 * in a view are valid as long as the frame is.
 */
#ifndef PKTKIT_ETH_H
#define PKTKIT_ETH_H

#include <string.h>
#include <pktkit/common.h>
#include <pktkit/buf.h>
#include <pktkit/checksum.h>

G_BEGIN_DECLS

#define PK_ETH_ALEN 6u		/* bytes of a MAC address */
#define PK_ETH_HLEN 14u		/* untagged Ethernet header */
#define PK_VLAN_HLEN 4u		/* one 802.1Q tag: TPID + TCI */
#define PK_ETH_MAX_TAGS 2u	/* tags pk_eth_parse() accepts (QinQ) */

#define PK_ETH_P_IPV4 0x0800u
#define PK_ETH_P_ARP 0x0806u
#define PK_ETH_P_VLAN 0x8100u	/* 802.1Q customer tag */
#define PK_ETH_P_QINQ 0x88a8u	/* 802.1ad service tag */
#define PK_ETH_P_IPV6 0x86ddu
/* EtherType values below this are 802.3 length fields (LLC frames). */
#define PK_ETH_P_802_3_MIN 0x0600u

/* Parts of a tag control information (TCI) field. */
#define PK_VLAN_VID_MASK 0x0fffu
#define PK_VLAN_DEI 0x1000u
#define PK_VLAN_PCP_SHIFT 13

/**
 * struct pk_eth_view - A parsed Ethernet header
 * @dst:	Destination MAC (6 bytes in the frame)
 * @src:	Source MAC (6 bytes in the frame)
 * @ethertype:	EtherType after the tags, host order; below
 *		PK_ETH_P_802_3_MIN it is an 802.3 length
 * @n_tags:	VLAN tags found: 0, 1 or 2
 * @tagged:	@n_tags > 0
 * @pcp:	Priority of the outer tag (0 if untagged)
 * @vid:	VLAN ID of the outer tag (the S-tag of QinQ; 0 if untagged)
 * @inner_vid:	VLAN ID of the inner tag (C-tag) when @n_tags is 2, else 0
 * @outer_tpid:	TPID of the outer tag (0x8100 or 0x88a8; 0 if untagged)
 * @l3_off:	Offset of the L3 header from the start of the frame
 * @l3_len:	Bytes from @l3_off to the end of the frame
 */
struct pk_eth_view {
	const uint8_t *dst;
	const uint8_t *src;
	uint16_t ethertype;
	uint8_t n_tags;
	bool tagged;
	uint8_t pcp;
	uint16_t vid;
	uint16_t inner_vid;
	uint16_t outer_tpid;
	uint32_t l3_off;
	uint32_t l3_len;
};

/**
 * pk_eth_is_vlan_tpid() - Whether an EtherType announces a VLAN tag
 * @type:	EtherType, host order
 *
 * Context: any thread, hot path.
 */
static inline bool pk_eth_is_vlan_tpid(uint16_t type)
{
	return type == PK_ETH_P_VLAN || type == PK_ETH_P_QINQ;
}

/**
 * pk_eth_parse() - Parse an Ethernet header with up to two VLAN tags
 * @p:		First byte of the frame
 * @len:	Bytes available at @p
 * @v:		Filled in on success; undefined on failure
 *
 * Accepts an untagged frame, one tag (TPID 0x8100 or 0x88a8) or two stacked
 * tags (QinQ). A third tag is refused.
 *
 * Context: any thread, hot path.
 * Return: true if the header and its tags fit in @len.
 */
static inline bool pk_eth_parse(const uint8_t *p, uint32_t len, struct pk_eth_view *v)
{
	uint32_t off = 2 * PK_ETH_ALEN;
	uint16_t type;

	if (PK_UNLIKELY(len < PK_ETH_HLEN))
		return false;
	v->dst = p;
	v->src = p + PK_ETH_ALEN;
	v->n_tags = 0;
	v->pcp = 0;
	v->vid = 0;
	v->inner_vid = 0;
	v->outer_tpid = 0;
	type = pk_get_be16(p + off);
	while (pk_eth_is_vlan_tpid(type)) {
		uint16_t tci;

		if (PK_UNLIKELY(v->n_tags == PK_ETH_MAX_TAGS || len - off < PK_VLAN_HLEN + 2))
			return false;
		tci = pk_get_be16(p + off + 2);
		if (v->n_tags == 0) {
			v->outer_tpid = type;
			v->pcp = (uint8_t)(tci >> PK_VLAN_PCP_SHIFT);
			v->vid = tci & PK_VLAN_VID_MASK;
		} else {
			v->inner_vid = tci & PK_VLAN_VID_MASK;
		}
		v->n_tags++;
		off += PK_VLAN_HLEN;
		type = pk_get_be16(p + off);
	}
	v->tagged = v->n_tags > 0;
	v->ethertype = type;
	v->l3_off = off + 2;
	v->l3_len = len - v->l3_off;
	return true;
}

/**
 * pk_eth_is_multicast() - Whether a MAC address is group (multicast or broadcast)
 * @mac:	6 bytes, wire order
 *
 * Context: any thread, hot path.
 */
static inline bool pk_eth_is_multicast(const uint8_t *mac)
{
	return mac[0] & 0x01;
}

/**
 * pk_eth_is_broadcast() - Whether a MAC address is ff:ff:ff:ff:ff:ff
 * @mac:	6 bytes, wire order
 *
 * Context: any thread, hot path.
 */
static inline bool pk_eth_is_broadcast(const uint8_t *mac)
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

/**
 * pk_eth_swap_addrs() - Swap the destination and source MAC of a frame
 * @frame:	First byte of a frame of at least 12 bytes; must be writable
 *
 * Context: any thread, hot path.
 */
static inline void pk_eth_swap_addrs(uint8_t *frame)
{
	uint8_t tmp[PK_ETH_ALEN];

	memcpy(tmp, frame, PK_ETH_ALEN);
	memcpy(frame, frame + PK_ETH_ALEN, PK_ETH_ALEN);
	memcpy(frame + PK_ETH_ALEN, tmp, PK_ETH_ALEN);
}

/**
 * pk_eth_vlan_push() - Insert a VLAN tag after the MAC addresses, in the headroom
 * @b:		Buffer holding an Ethernet frame; must be writable (not shared)
 * @tpid:	Tag protocol identifier, host order (PK_ETH_P_VLAN or PK_ETH_P_QINQ)
 * @tci:	Tag control information, host order (PCP, DEI, VID)
 *
 * Moves only the 12 MAC bytes into 4 bytes of headroom; the payload stays.
 * The new tag becomes the outer one.
 *
 * Context: owner context, hot path.
 * Return: false, changing nothing, if the frame is shorter than an Ethernet
 * header or the headroom is smaller than PK_VLAN_HLEN.
 */
static inline bool pk_eth_vlan_push(struct pk_buf *b, uint16_t tpid, uint16_t tci)
{
	uint8_t *p;

	if (PK_UNLIKELY(pk_buf_len(b) < PK_ETH_HLEN))
		return false;
	p = pk_buf_push(b, PK_VLAN_HLEN);
	if (PK_UNLIKELY(!p))
		return false;
	memmove(p, p + PK_VLAN_HLEN, 2 * PK_ETH_ALEN);
	pk_put_be16(p + 2 * PK_ETH_ALEN, tpid);
	pk_put_be16(p + 2 * PK_ETH_ALEN + 2, tci);
	return true;
}

/**
 * pk_eth_vlan_pop() - Remove the outer VLAN tag of a frame
 * @b:	Buffer holding an Ethernet frame; must be writable (not shared)
 *
 * Moves only the 12 MAC bytes forward over the tag; the payload stays. Read
 * the tag with pk_eth_parse() first if you need it.
 *
 * Context: owner context, hot path.
 * Return: false, changing nothing, if the frame has no VLAN tag (TPID 0x8100
 * or 0x88a8) or is too short to hold one and an EtherType after it.
 */
static inline bool pk_eth_vlan_pop(struct pk_buf *b)
{
	uint8_t *p = pk_buf_data(b);

	if (PK_UNLIKELY(pk_buf_len(b) < PK_ETH_HLEN + PK_VLAN_HLEN))
		return false;
	if (!pk_eth_is_vlan_tpid(pk_get_be16(p + 2 * PK_ETH_ALEN)))
		return false;
	memmove(p + PK_VLAN_HLEN, p, 2 * PK_ETH_ALEN);
	pk_buf_pull(b, PK_VLAN_HLEN);
	return true;
}

/* ARP for IPv4 over Ethernet (RFC 826). */
#define PK_ARP_LEN 28u
#define PK_ARP_HTYPE_ETHER 1u
#define PK_ARP_OP_REQUEST 1u
#define PK_ARP_OP_REPLY 2u

/**
 * struct pk_arp_view - A parsed ARP packet (Ethernet/IPv4 only)
 * @op:		Operation, host order (PK_ARP_OP_REQUEST, PK_ARP_OP_REPLY, ...)
 * @sha:	Sender hardware address (6 bytes in the packet)
 * @spa:	Sender protocol address (4 bytes)
 * @tha:	Target hardware address (6 bytes)
 * @tpa:	Target protocol address (4 bytes)
 */
struct pk_arp_view {
	uint16_t op;
	const uint8_t *sha;
	const uint8_t *spa;
	const uint8_t *tha;
	const uint8_t *tpa;
};

/**
 * pk_arp_parse() - Parse an ARP packet (the L3 payload of an 0x0806 frame)
 * @p:		First byte of the ARP header
 * @len:	Bytes available at @p (Ethernet padding after 28 bytes is ignored)
 * @v:		Filled in on success; undefined on failure
 *
 * Context: any thread, hot path.
 * Return: true for a 28-byte Ethernet/IPv4 ARP packet: hardware type 1,
 * protocol type 0x0800, address lengths 6 and 4.
 */
static inline bool pk_arp_parse(const uint8_t *p, uint32_t len, struct pk_arp_view *v)
{
	if (PK_UNLIKELY(len < PK_ARP_LEN))
		return false;
	if (pk_get_be16(p) != PK_ARP_HTYPE_ETHER || pk_get_be16(p + 2) != PK_ETH_P_IPV4 ||
	    p[4] != PK_ETH_ALEN || p[5] != 4)
		return false;
	v->op = pk_get_be16(p + 6);
	v->sha = p + 8;
	v->spa = p + 14;
	v->tha = p + 18;
	v->tpa = p + 24;
	return true;
}

G_END_DECLS

#endif /* PKTKIT_ETH_H */
