/* SPDX-License-Identifier: MIT
 * nat64-xlate.h - IP/ICMP translation between IPv6 and IPv4 (RFC 7915) for NAT64, sans-I/O
 *
 * The stateless half of a stateful NAT64 (RFC 6146): given a packet and the
 * addresses and ports to put in it, write the translated packet. The caller
 * owns all state: it looks the packet up (nat64_inspect6/4() give the tuple
 * to look up, the quoted one for an ICMP error), decides the new addresses
 * (nat64-prefix.h embeds and extracts IPv4 addresses) and ports, and hands
 * them in struct nat64_params. Nothing here allocates, keeps a pointer or
 * touches global state: every function may run on any thread.
 *
 * Buffers: the input is read-only; the output is a separate buffer of @cap
 * bytes that must not overlap it (the caller gives a pool buffer). IPv6 to
 * IPv4 never grows a packet; IPv4 to IPv6 grows it by 20 bytes plus 8 when a
 * Fragment header is needed, less IPv4 options.
 *
 * What is translated: TCP, UDP, ICMP echo request/reply, and the ICMP errors
 * RFC 7915 sections 4.2 and 5.2 map, their quoted packet included (its
 * addresses and ports come from nat64_params.inner). IPv6 hop-by-hop,
 * destination options and routing headers with Segments Left 0 are skipped;
 * any other extension header but Fragment, and any other upper layer, is a
 * drop. IPv4 options are dropped from the header, except that an unexpired
 * source route drops the packet (RFC 7915 section 4.1).
 *
 * Checksums: TCP and UDP checksums are adjusted for the address and port
 * changes (the pseudo-header length is the same on both sides), so
 * fragments translate without reassembly. A UDP/IPv4 datagram without a
 * checksum gets one computed; if it is a fragment it is dropped (RFC 7915
 * section 4.5). ICMPv6 has a pseudo header and ICMPv4 none: echo messages
 * are adjusted incrementally, errors (whose body changes) recomputed after
 * their own checksum is verified. Fragmented ICMP messages are dropped: the
 * pseudo header needs the whole message's length.
 *
 * Fragments and MTU (RFC 7915 sections 4 and 5): an IPv6 Fragment header
 * becomes the IPv4 ID/MF/offset and the reverse. An IPv4 packet with DF
 * clear whose translation exceeds nat64_params.mtu6 (default and minimum
 * 1280) is fragmented here, with Fragment headers: nat64_4to6() writes one
 * fragment per call (see @resume). An IPv4 packet with DF set that would
 * exceed it is refused with an ICMPv4 Fragmentation Needed hint.
 *
 * TTL and hop limit are decremented (unless NAT64_F_NO_TTL_DEC); where they
 * run out, and for every other case RFC 7915 answers with an ICMP error, the
 * functions fail and fill nat64_result with the error to send back about
 * the *input* packet (type, code, info as pk_icmp_error_build() takes them:
 * build it with <pktkit/build.h>, from the translator's address of the input
 * packet's family). The caller rate-limits them.
 */
#ifndef PK_NAT64_XLATE_H
#define PK_NAT64_XLATE_H

#include <stdbool.h>
#include <stdint.h>

/* The minimum IPv6 MTU (RFC 8200). */
#define NAT64_MIN_MTU6 1280u

/**
 * enum nat64_drop - Why a packet was not translated (the negative of a return value)
 * @NAT64_E_MALFORMED:	Not a well-formed IPv4/IPv6 packet (header, lengths,
 *			IPv4 header checksum, L4 header cut short)
 * @NAT64_E_PROTO:	Upper layer not translated (not TCP, UDP, ICMP)
 * @NAT64_E_EXT_HDR:	IPv6 extension header that cannot be skipped (AH,
 *			mobility, ...; routing header with Segments Left > 0,
 *			with a Parameter Problem hint)
 * @NAT64_E_SRC_ROUTE:	IPv4 unexpired source route option (hint: source
 *			route failed)
 * @NAT64_E_ICMP_TYPE:	ICMP type or code RFC 7915 does not translate
 *			(silently dropped)
 * @NAT64_E_ICMP_FRAG:	A fragmented ICMP message
 * @NAT64_E_CSUM:	An ICMP error's checksum is wrong
 * @NAT64_E_UDP_CSUM0:	A UDP checksum of 0 that cannot be filled: IPv4
 *			fragment, or IPv6 (where 0 is invalid)
 * @NAT64_E_TTL:	TTL / hop limit ran out (hint: Time Exceeded)
 * @NAT64_E_TOO_BIG:	Larger than the MTU and may not be fragmented (hint:
 *			Fragmentation Needed / Packet Too Big)
 * @NAT64_E_INNER:	An ICMP error whose quoted packet cannot be translated
 *			(too short, not IP of the right version, itself an
 *			ICMP error, ...)
 * @NAT64_E_NO_ROOM:	The output buffer is too small
 * @NAT64_E_RESUME:	@resume does not name a fragment of this packet
 * @NAT64_E_COUNT:	Number of reasons (for counter arrays)
 */
enum nat64_drop {
	NAT64_E_MALFORMED = 1,
	NAT64_E_PROTO,
	NAT64_E_EXT_HDR,
	NAT64_E_SRC_ROUTE,
	NAT64_E_ICMP_TYPE,
	NAT64_E_ICMP_FRAG,
	NAT64_E_CSUM,
	NAT64_E_UDP_CSUM0,
	NAT64_E_TTL,
	NAT64_E_TOO_BIG,
	NAT64_E_INNER,
	NAT64_E_NO_ROOM,
	NAT64_E_RESUME,
	NAT64_E_COUNT,
};

/**
 * nat64_drop_name() - Kebab-case name of a drop reason (for counters and logs)
 * @reason:	A reason, or its negative (a return value)
 *
 * Context: any thread.
 * Return: a static string; "unknown" for a value out of range.
 */
const char *nat64_drop_name(int reason);

/**
 * struct nat64_rewrite - Addresses and ports one IP header gets
 * @src:	Source address, wire order: 16 bytes for an IPv6 header, the
 *		first 4 for an IPv4 header
 * @dst:	Destination address, as @src
 * @sport:	TCP/UDP source port, host order; for ICMP echo the identifier
 * @dport:	TCP/UDP destination port, host order (unused for ICMP)
 */
struct nat64_rewrite {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

/* Flags of struct nat64_params. */
#define NAT64_F_NO_TTL_DEC 0x1u /* leave TTL / hop limit as they are */
#define NAT64_F_TOS_ZERO 0x2u	/* traffic class / TOS set to 0, not copied (RFC 7915 4.1) */

/**
 * struct nat64_params - What the caller decided for one packet
 * @outer:	The translated packet's header and transport ports
 * @inner:	ICMP errors only: the quoted packet's header and ports after
 *		translation (it travelled the other way: for an error coming
 *		from IPv4, @inner.src is the IPv6 host the error is about)
 * @ip4_id:	nat64_6to4(): Identification of an IPv4 packet made from an
 *		unfragmented IPv6 one (a counter of the caller's, RFC 7915 5.1)
 * @mtu4:	nat64_6to4(): MTU of the IPv4 next hop; 0: not checked here.
 *		A larger result fails with a Packet Too Big hint
 * @mtu6:	nat64_4to6(): the smallest MTU of the IPv6 side: DF-clear
 *		packets are fragmented to it, larger DF-set ones refused, PTB
 *		values capped; 0 or below 1280: 1280
 * @flags:	NAT64_F_* bits
 */
struct nat64_params {
	struct nat64_rewrite outer;
	struct nat64_rewrite inner;
	uint16_t ip4_id;
	uint32_t mtu4;
	uint32_t mtu6;
	uint32_t flags;
};

/**
 * struct nat64_result - More about what a translation did
 * @resume:	nat64_4to6() on success: 0 if the packet is complete,
 *		otherwise the value to pass as @resume for the next fragment
 * @icmp:	On failure: send the ICMP error below about the input packet
 *		(IPv6 input: ICMPv6; IPv4 input: ICMPv4)
 * @icmp_type:	Its type
 * @icmp_code:	Its code
 * @icmp_info:	Its 4 bytes after the checksum, host order as
 *		pk_icmp_error_build() takes them (MTU, pointer << 24 for
 *		IPv4 Parameter Problem, pointer for IPv6)
 */
struct nat64_result {
	uint32_t resume;
	bool icmp;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint32_t icmp_info;
};

/**
 * struct nat64_tuple - What a stateful translator looks a packet up by
 * @proto:	PK_IPPROTO_TCP, PK_IPPROTO_UDP, or PK_IPPROTO_ICMPV6 /
 *		PK_IPPROTO_ICMP for ICMP echo (of the packet's family)
 * @src:	Source address (16 bytes IPv6, 4 IPv4), wire order
 * @dst:	Destination address, as @src
 * @sport:	Source port, host order; echo: the identifier
 * @dport:	Destination port; echo: the identifier
 * @icmp_type:	The packet's ICMP type (0 unless ICMP)
 * @is_error:	An ICMP error: @proto, @src, @dst and the ports are those of
 *		the quoted packet (it went the other way); @err_src and
 *		@err_dst the error's own addresses
 * @fragment:	The packet is a fragment (IPv6 Fragment header, IPv4 MF or
 *		offset); not set for the quoted packet of an error
 * @later_fragment: A fragment other than the first: no ports (0)
 * @frag_id:	@fragment: its identification (IPv4: 16 bits), which with
 *		the addresses and protocol ties a later fragment to the
 *		first one's binding (RFC 6146 section 3.4)
 * @err_src:	ICMP error: its source (a router, a server)
 * @err_dst:	ICMP error: its destination
 */
struct nat64_tuple {
	uint8_t proto;
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t icmp_type;
	bool is_error;
	bool fragment;
	bool later_fragment;
	uint32_t frag_id;
	uint8_t err_src[16];
	uint8_t err_dst[16];
};

/**
 * nat64_inspect6() - The tuple of an IPv6 packet, for the binding lookup
 * @pkt:	IPv6 packet from its fixed header
 * @len:	Bytes at @pkt (padding after the payload allowed)
 * @t:		(out) the tuple
 *
 * Checks what nat64_6to4() would refuse for the packet's shape (not the
 * TTL, MTU and checksums).
 *
 * Context: any thread, hot path.
 * Return: 0, or the negative enum nat64_drop reason.
 */
int nat64_inspect6(const uint8_t *pkt, uint32_t len, struct nat64_tuple *t);

/**
 * nat64_inspect4() - The tuple of an IPv4 packet, for the binding lookup
 * @pkt:	IPv4 packet from its header
 * @len:	Bytes at @pkt
 * @t:		(out) the tuple (addresses in the first 4 bytes)
 *
 * Context: any thread, hot path.
 * Return: 0, or the negative enum nat64_drop reason.
 */
int nat64_inspect4(const uint8_t *pkt, uint32_t len, struct nat64_tuple *t);

/**
 * nat64_6to4() - Translate an IPv6 packet to IPv4
 * @in:		IPv6 packet from its fixed header; read only
 * @len:	Bytes at @in
 * @p:		Addresses, ports and limits (@p->outer.src/dst are IPv4)
 * @out:	Output buffer, not overlapping @in
 * @cap:	Bytes at @out (@len always suffices)
 * @res:	(out, optional) the ICMPv6 error to send on failure
 *
 * Context: any thread, hot path; allocation-free.
 * Return: length of the IPv4 packet written, or the negative enum
 * nat64_drop reason.
 */
int nat64_6to4(const uint8_t *in, uint32_t len, const struct nat64_params *p, uint8_t *out,
	       uint32_t cap, struct nat64_result *res);

/**
 * nat64_4to6() - Translate an IPv4 packet (or the next fragment of it) to IPv6
 * @in:		IPv4 packet from its header; read only
 * @len:	Bytes at @in
 * @p:		Addresses, ports and limits (@p->outer.src/dst are IPv6)
 * @resume:	0 for the first call; then @res->resume of the previous call
 *		while it is non-zero (each call writes one fragment of at
 *		most @p->mtu6 bytes; the same @in and @p each time)
 * @out:	Output buffer, not overlapping @in
 * @cap:	Bytes at @out: the smaller of @len + 48 and the IPv6 MTU
 *		(@p->mtu6, at least 1280) always suffices; nothing written is
 *		larger than that MTU. An ICMP error (which may gain two
 *		headers and a Fragment header) is cut to fit @cap
 * @res:	(out, optional) @resume for the next fragment; the ICMPv4 error
 *		to send on failure
 *
 * Context: any thread, hot path; allocation-free.
 * Return: length of the IPv6 packet written, or the negative enum
 * nat64_drop reason. Without @res a fragmented translation stops at the
 * first fragment.
 */
int nat64_4to6(const uint8_t *in, uint32_t len, const struct nat64_params *p, uint32_t resume,
	       uint8_t *out, uint32_t cap, struct nat64_result *res);

#endif /* PK_NAT64_XLATE_H */
