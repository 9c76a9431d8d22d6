/* SPDX-License-Identifier: MIT
 * build.h - Packet builders: IP/UDP headers, ICMP errors, echo replies, ARP replies, NAs
 *
 * The writing counterpart of the header views (eth.h, ip.h, l4.h). Sans-I/O
 * and allocation-free: a builder writes into memory the caller provides,
 * either the headroom of a buffer (the *_push() functions prepend a header
 * in front of pk_buf_data(), see buf.h) or a byte array with its size (the
 * *_write() functions). Every builder checks that what it writes fits and
 * otherwise writes nothing and says so; none keeps a pointer after it
 * returns. Lengths and checksums are always the builder's.
 *
 * Build from the inside out: the payload first, then pk_udp_push(), then
 * pk_ip_push(), then the link header. All of it is Since: 1.2 (ELF node
 * PKTKIT_1.2).
 */
#ifndef PKTKIT_BUILD_H
#define PKTKIT_BUILD_H

#include <pktkit/common.h>
#include <pktkit/buf.h>
#include <pktkit/checksum.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

G_BEGIN_DECLS

/**
 * struct pk_ip_fields - What an IP header builder writes, lengths aside
 * @src:	Source address, wire order: 4 bytes (IPv4) or 16 (IPv6);
 *		borrowed for the call
 * @dst:	Destination address, as @src
 * @flow_label:	IPv6 flow label (low 20 bits; ignored for IPv4)
 * @id:		IPv4 identification, host order (ignored for IPv6)
 * @frag:	IPv4 flags and fragment offset word, host order: PK_IP4_DF,
 *		PK_IP4_MF, offset / 8 (ignored for IPv6)
 * @version:	4 or 6
 * @proto:	IPv4 protocol / IPv6 next header (PK_IPPROTO_*)
 * @ttl:	TTL / hop limit
 * @tos:	IPv4 type of service / IPv6 traffic class (DSCP and ECN)
 *
 * The caller fills it in (designated initializers: unset fields are 0) and
 * the builder only reads it during the call. The total / payload length and
 * the IPv4 header checksum are computed; no options or extension headers
 * are written. The layout is frozen for ABI 1.x: the caller allocates it and
 * the library reads it, so it can never grow.
 */
struct pk_ip_fields {
	const uint8_t *src;
	const uint8_t *dst;
	uint32_t flow_label;
	uint16_t id;
	uint16_t frag;
	uint8_t version;
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
};

/**
 * pk_ip_hdr_len() - Length of the header a builder writes for an IP version
 * @version:	4 or 6
 *
 * Context: any thread, hot path.
 * Return: 20 (PK_IP4_HLEN), 40 (PK_IP6_HLEN), or 0 for another version.
 */
static inline uint32_t pk_ip_hdr_len(uint8_t version)
{
	return version == 4 ? PK_IP4_HLEN : version == 6 ? PK_IP6_HLEN : 0;
}

/**
 * pk_ip_hdr_write() - Write an IPv4 or IPv6 header into bytes
 * @out:	Where the header goes; the payload is expected right after it
 * @size:	Bytes available at @out (only the header is written)
 * @f:		Header fields; @f->version selects the header
 * @payload_len: Bytes of payload after the header
 *
 * IPv4: 20 bytes, total length 20 + @payload_len, header checksum filled.
 * IPv6: 40 bytes, payload length @payload_len.
 *
 * Context: any thread, hot path.
 * Return: the header length, or 0 (nothing written) if @f->version is
 * neither 4 nor 6, @size is smaller than the header or the length does not
 * fit in the header's 16-bit length field.
 */
uint32_t pk_ip_hdr_write(uint8_t *out, uint32_t size, const struct pk_ip_fields *f,
			 uint32_t payload_len);

/**
 * pk_ip_push() - Prepend an IPv4 or IPv6 header to the payload held in a buffer
 * @b:	Buffer, writable (not shared); its bytes are the IP payload
 * @f:	Header fields; @f->version selects the header
 *
 * Pushes the header into @b's headroom (PK_HEADROOM is plenty). Offload
 * metadata stays valid: a PK_CSUM_PARTIAL checksum start is counted from
 * the start of storage, so pushing does not move it; the L4 checksum field
 * must already hold the pseudo-header sum for @f's addresses (as
 * pk_udp_push() with PK_BUILD_CSUM_PARTIAL leaves it).
 *
 * Context: owner context, hot path.
 * Return: false, changing nothing, if the headroom is too small, the
 * version is neither 4 nor 6, or the packet would exceed 65535 bytes (IPv4)
 * or its payload 65535 bytes (IPv6).
 */
bool pk_ip_push(struct pk_buf *b, const struct pk_ip_fields *f);

/* Flags of pk_udp_hdr_write() and pk_udp_push(). */
#define PK_BUILD_CSUM_PARTIAL 0x1u	/* leave the checksum for offload (PK_CSUM_PARTIAL) */

/**
 * pk_udp_hdr_write() - Write a UDP header in front of a payload already in place
 * @udp:	First byte of the datagram: 8 bytes of header are written here,
 *		the payload must follow
 * @len:	Datagram length, header included: 8..65535 bytes at @udp
 * @f:		The IP header's fields: @f->version, @f->src and @f->dst make
 *		the pseudo header (@f->proto is not used)
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @flags:	0, or PK_BUILD_CSUM_PARTIAL: store the folded, uncomplemented
 *		pseudo-header sum instead of the checksum (mark the buffer with
 *		pk_buf_set_csum_partial(b, offset of @udp, 6))
 *
 * The checksum covers the pseudo header (RFC 768, RFC 8200 8.1); a computed
 * 0 is sent as 0xffff.
 *
 * Context: any thread, hot path.
 * Return: false, writing nothing, if @len is out of range or the version
 * is neither 4 nor 6.
 */
bool pk_udp_hdr_write(uint8_t *udp, uint32_t len, const struct pk_ip_fields *f, uint16_t sport,
		      uint16_t dport, uint32_t flags);

/**
 * pk_udp_push() - Prepend a UDP header to the payload held in a buffer
 * @b:		Buffer, writable (not shared); its bytes are the UDP payload
 * @f:		The fields of the IP header that will follow (pk_ip_push()
 *		with the same @f): version and addresses make the pseudo header
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @flags:	0, or PK_BUILD_CSUM_PARTIAL: leave the checksum to offload; @b
 *		is then marked PK_CSUM_PARTIAL (start: the UDP header, offset
 *		6), and the core completes it before a port that does not take
 *		offloads sees the packet
 *
 * Context: owner context, hot path.
 * Return: false, changing nothing, if the headroom is smaller than 8, the
 * datagram would exceed 65535 bytes or the version is neither 4 nor 6.
 */
bool pk_udp_push(struct pk_buf *b, const struct pk_ip_fields *f, uint16_t sport, uint16_t dport,
		 uint32_t flags);

/**
 * pk_icmp_csum_fill() - Compute and store the checksum of an ICMP or ICMPv6 message
 * @msg:	First byte of the message (type, code, checksum, ...); writable
 * @len:	Message length, at least 4
 * @f:		The IP header's fields: version 4 sums the message alone,
 *		version 6 adds the pseudo header of @f->src and @f->dst
 *
 * For callers that build other ICMP messages (router advertisements,
 * solicitations) around the builders below.
 *
 * Context: any thread, hot path.
 */
void pk_icmp_csum_fill(uint8_t *msg, uint32_t len, const struct pk_ip_fields *f);

/* Quote limits of ICMP errors: the whole error fits in 576 bytes (IPv4,
 * RFC 1812 4.3.2.3) or in the IPv6 minimum MTU of 1280 (RFC 4443 2.4(c)). */
#define PK_ICMP_ERR_MAX_LEN4 576u
#define PK_ICMP_ERR_MAX_LEN6 1280u
#define PK_ICMP_ERR_MAX_QUOTE4 (PK_ICMP_ERR_MAX_LEN4 - PK_IP4_HLEN - PK_ICMP_HLEN)
#define PK_ICMP_ERR_MAX_QUOTE6 (PK_ICMP_ERR_MAX_LEN6 - PK_IP6_HLEN - PK_ICMP_HLEN)

/* Flags of pk_icmp_error_check() / pk_icmp_error_build(): what the caller
 * knows about the offending packet and its bytes do not show. */
#define PK_ICMP_ERR_F_TO_GROUP 0x1u	/* it arrived as a link-layer broadcast or
					 * multicast, or was sent to an IPv4
					 * subnet-directed broadcast address */
#define PK_ICMP_ERR_F_FROM_GROUP 0x2u	/* its source is an IPv4 subnet broadcast
					 * or an IPv6 anycast address */

/**
 * enum pk_icmp_err - Whether an ICMP error may be sent about a packet
 * @PK_ICMP_ERR_OK:		It may (pk_icmp_error_build(): it was built)
 * @PK_ICMP_ERR_INVALID:	The type is not an error type of the packet's
 *				IP version (IPv4: 3, 4, 5, 11, 12; IPv6: 1-4)
 * @PK_ICMP_ERR_MALFORMED:	The packet is not a well-formed IPv4 or IPv6
 *				packet (pk_ip4_parse(), IPv6 fixed header)
 * @PK_ICMP_ERR_ABOUT_ERROR:	The packet is an ICMP error or an ICMPv6
 *				redirect, or its ICMP type cannot be read
 * @PK_ICMP_ERR_FRAGMENT:	IPv4 fragment other than the first
 * @PK_ICMP_ERR_TO_GROUP:	Sent to a broadcast or multicast address (or
 *				PK_ICMP_ERR_F_TO_GROUP)
 * @PK_ICMP_ERR_FROM_GROUP:	Its source does not name a single host (or
 *				PK_ICMP_ERR_F_FROM_GROUP)
 * @PK_ICMP_ERR_NO_ROOM:	The buffer cannot hold even the minimum quote
 *
 * Values are ABI: new ones are only appended.
 */
enum pk_icmp_err {
	PK_ICMP_ERR_OK = 0,
	PK_ICMP_ERR_INVALID,
	PK_ICMP_ERR_MALFORMED,
	PK_ICMP_ERR_ABOUT_ERROR,
	PK_ICMP_ERR_FRAGMENT,
	PK_ICMP_ERR_TO_GROUP,
	PK_ICMP_ERR_FROM_GROUP,
	PK_ICMP_ERR_NO_ROOM,
};

/**
 * pk_icmp_error_check() - Whether an ICMP error may be sent about a packet
 * @pkt:	The offending packet, from its IP header (IPv4 or IPv6)
 * @len:	Bytes at @pkt (link-layer padding after the packet allowed)
 * @type:	Error type to send: PK_ICMP_DEST_UNREACH, ... for IPv4,
 *		PK_ICMP6_DEST_UNREACH, ... for IPv6
 * @code:	Its code
 * @flags:	PK_ICMP_ERR_F_* bits
 *
 * The rules of RFC 1122 3.2.2 and RFC 1812 4.3.2.7 (IPv4) and RFC 4443
 * 2.4(e) (IPv6): no error about an ICMP error (for IPv4, an ICMP message of
 * any type but the queries 0, 8, 9, 10 and 13-18), an ICMPv6 error (type
 * below 128) or redirect; none about a packet sent to a broadcast or
 * multicast address, except, for IPv6, Packet Too Big and Parameter
 * Problem code 2; none about an IPv4 fragment other than the first (an IPv6
 * one gets errors: RFC 4443 has no such rule, and its ICMPv6 type is not
 * visible); none about a packet whose source is not one host: IPv4
 * 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/3 (multicast, class E, broadcast), IPv6
 * ::, ::1 and multicast. Rate limiting is the caller's.
 *
 * Context: any thread.
 * Return: PK_ICMP_ERR_OK or the reason not to send.
 */
enum pk_icmp_err pk_icmp_error_check(const uint8_t *pkt, uint32_t len, uint8_t type, uint8_t code,
				     uint32_t flags);

/**
 * pk_icmp_error_build() - Build an ICMP or ICMPv6 error quoting an offending packet
 * @b:		Buffer, writable (not shared), receiving the error; its length
 *		is reset and its offload metadata cleared. pk_buf_alloc(0)
 *		gives one with room for the largest error. @pkt may lie in
 *		@b's own data (to turn a writable copy of the offending
 *		packet into the error in place)
 * @ip:		Fields of the error's IP header, or NULL for the defaults:
 *		@ip->src is our address sending it (of the offending packet's
 *		family), NULL to use the offending packet's destination;
 *		@ip->ttl (0: 64), @ip->tos, @ip->id, @ip->frag and
 *		@ip->flow_label as given. The version, protocol and
 *		destination (the offending packet's source) are the builder's
 * @type:	Error type (see pk_icmp_error_check())
 * @code:	Code
 * @info:	The 4 bytes after the checksum, host order: 0 for most errors,
 *		the next-hop MTU for IPv4 fragmentation needed (low 16 bits)
 *		and IPv6 Packet Too Big, the pointer for IPv6 Parameter
 *		Problem, pointer << 24 for IPv4 Parameter Problem, the gateway
 *		address for a redirect
 * @pkt:	The offending packet, from its IP header
 * @len:	Bytes at @pkt (padding after the packet's own length ignored)
 * @flags:	PK_ICMP_ERR_F_* bits
 *
 * First applies pk_icmp_error_check(). The quote is as much of the packet
 * as fits: the whole error stays within PK_ICMP_ERR_MAX_LEN4 (576) or
 * PK_ICMP_ERR_MAX_LEN6 (1280) bytes, so it quotes at least the IP header
 * and 8 bytes of payload that RFC 792 asks for; it is shortened to @b's
 * room, but never below that minimum. The IP header has no options, the
 * checksums are complete.
 *
 * Context: owner context (writes @b).
 * Return: PK_ICMP_ERR_OK with the error in @b, or the reason it was not
 * built (@b then holds nothing of value).
 */
enum pk_icmp_err pk_icmp_error_build(struct pk_buf *b, const struct pk_ip_fields *ip,
				     uint8_t type, uint8_t code, uint32_t info,
				     const uint8_t *pkt, uint32_t len, uint32_t flags);

/**
 * pk_icmp_echo_reply_write() - Write the ICMP or ICMPv6 echo reply to an echo request
 * @out:	Where the reply message goes; may be @req itself (in place)
 * @size:	Bytes available at @out
 * @f:		The reply's IP header fields: version 4 answers an ICMP echo
 *		request (type 8), version 6 an ICMPv6 one (type 128) and uses
 *		@f->src (our address) and @f->dst (the requester) for the
 *		checksum
 * @req:	The request message (from its ICMP header to the end of the
 *		IP payload), checksum already verified by the caller
 * @req_len:	Its length
 *
 * The reply carries the request's identifier, sequence number and data
 * (RFC 792, RFC 4443 4.2), with type 0 / 129, code 0 and a new checksum.
 * Put the IP header in front with pk_ip_hdr_write() or pk_ip_push().
 *
 * Context: any thread.
 * Return: the reply's length (@req_len), or 0 if @req is not an echo
 * request of @f's version or does not fit in @size.
 */
uint32_t pk_icmp_echo_reply_write(uint8_t *out, uint32_t size, const struct pk_ip_fields *f,
				  const uint8_t *req, uint32_t req_len);

/* Ethernet + 28 bytes of ARP, zero-padded to the 60-byte minimum frame. */
#define PK_ARP_FRAME_LEN 60u

/**
 * pk_arp_write() - Write an Ethernet frame carrying an ARP request or reply
 * @out:	Where the frame goes
 * @size:	Bytes available at @out: at least PK_ARP_FRAME_LEN
 * @op:		PK_ARP_OP_REQUEST or PK_ARP_OP_REPLY
 * @eth_dst:	Destination MAC of the frame (6 bytes)
 * @sha:	Sender hardware address, also the frame's source (6 bytes)
 * @spa:	Sender protocol address (4 bytes)
 * @tha:	Target hardware address (6 bytes)
 * @tpa:	Target protocol address (4 bytes)
 *
 * RFC 826, Ethernet and IPv4 only.
 *
 * Context: any thread.
 * Return: PK_ARP_FRAME_LEN, or 0 if @size is too small.
 */
uint32_t pk_arp_write(uint8_t *out, uint32_t size, uint16_t op, const uint8_t *eth_dst,
		      const uint8_t *sha, const uint8_t *spa, const uint8_t *tha,
		      const uint8_t *tpa);

/**
 * pk_arp_reply_write() - Write the ARP reply to a request for one of our addresses
 * @out:	Where the frame goes (not overlapping the request)
 * @size:	Bytes available at @out: at least PK_ARP_FRAME_LEN
 * @req:	The parsed request (pk_arp_parse())
 * @mac:	Our MAC (6 bytes): the answer and the frame's source
 * @ip:		Our address the request asked for (4 bytes)
 *
 * The reply goes to the requester's hardware address (RFC 826). Whether to
 * answer (target address ours, sender not a group address) is the caller's
 * decision.
 *
 * Context: any thread.
 * Return: PK_ARP_FRAME_LEN, or 0 if @req is not a request or @size is too
 * small.
 */
uint32_t pk_arp_reply_write(uint8_t *out, uint32_t size, const struct pk_arp_view *req,
			    const uint8_t *mac, const uint8_t *ip);

/* Flags of a neighbour advertisement (RFC 4861 4.4). */
#define PK_NDP_NA_ROUTER 0x80u
#define PK_NDP_NA_SOLICITED 0x40u
#define PK_NDP_NA_OVERRIDE 0x20u
/* Ethernet + IPv6 + NA (24) + target link-layer address option (8). */
#define PK_NDP_NA_FRAME_LEN (PK_ETH_HLEN + PK_IP6_HLEN + 32u)

/**
 * pk_ndp_na_write() - Write an Ethernet frame carrying a neighbour advertisement
 * @out:	Where the frame goes
 * @size:	Bytes available at @out: at least PK_NDP_NA_FRAME_LEN
 * @src_mac:	Our MAC: frame source and target link-layer address option
 * @dst_mac:	Frame destination (the solicitor's, or 33:33:00:00:00:01)
 * @src_ip:	Source address: ours on this link (normally @target)
 * @dst_ip:	Destination: the solicitor's source, or ff02::1 (then
 *		PK_NDP_NA_SOLICITED must be clear, RFC 4861 7.2.4)
 * @target:	The address advertised
 * @flags:	PK_NDP_NA_* bits
 *
 * Hop limit 255, code 0, checksum filled (RFC 4861 4.4, 7.2.4).
 *
 * Context: any thread.
 * Return: PK_NDP_NA_FRAME_LEN, or 0 if @size is too small.
 */
uint32_t pk_ndp_na_write(uint8_t *out, uint32_t size, const uint8_t *src_mac,
			 const uint8_t *dst_mac, const uint8_t *src_ip, const uint8_t *dst_ip,
			 const uint8_t *target, uint8_t flags);

G_END_DECLS

#endif /* PKTKIT_BUILD_H */
