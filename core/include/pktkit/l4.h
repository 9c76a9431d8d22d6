/* SPDX-License-Identifier: MIT
 * l4.h - UDP, TCP (with options), ICMP and ICMPv6 header views
 *
 * Pass each parse function the L4 bytes the IP view reports
 * (pk_ip4_view.payload / payload_len, pk_ip6_view.l4 / l4_len), not the rest
 * of the frame: lengths are checked against it. Views are zero-copy,
 * read-only and never read past @len; short or malformed input yields false.
 */
#ifndef PKTKIT_L4_H
#define PKTKIT_L4_H

#include <pktkit/common.h>
#include <pktkit/checksum.h>

G_BEGIN_DECLS

#define PK_UDP_HLEN 8u
#define PK_TCP_HLEN 20u		/* TCP header without options */
#define PK_TCP_MAX_HLEN 60u
#define PK_ICMP_HLEN 8u		/* type, code, checksum and 4 bytes of "rest" */

/**
 * struct pk_udp_view - A parsed UDP header
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @len:	Length field: header plus data, 8..@len given
 * @csum:	Checksum field, host order (0: none, IPv4 only)
 * @payload:	First data byte
 * @payload_len: @len - 8
 */
struct pk_udp_view {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t csum;
	const uint8_t *payload;
	uint32_t payload_len;
};

/**
 * pk_udp_parse() - Parse a UDP header
 * @p:		First byte of the header
 * @len:	L4 bytes available at @p
 * @v:		Filled in on success; undefined on failure
 *
 * Context: any thread, hot path.
 * Return: true if 8 <= length field <= @len. Bytes after the length field's
 * end are ignored; a length of 0 (IPv6 jumbogram) is refused.
 */
static inline bool pk_udp_parse(const uint8_t *p, uint32_t len, struct pk_udp_view *v)
{
	uint16_t ulen;

	if (PK_UNLIKELY(len < PK_UDP_HLEN))
		return false;
	ulen = pk_get_be16(p + 4);
	if (PK_UNLIKELY(ulen < PK_UDP_HLEN || ulen > len))
		return false;
	v->sport = pk_get_be16(p);
	v->dport = pk_get_be16(p + 2);
	v->len = ulen;
	v->csum = pk_get_be16(p + 6);
	v->payload = p + PK_UDP_HLEN;
	v->payload_len = ulen - PK_UDP_HLEN;
	return true;
}

/* TCP flags (byte 13 of the header). */
#define PK_TCP_FIN 0x01u
#define PK_TCP_SYN 0x02u
#define PK_TCP_RST 0x04u
#define PK_TCP_PSH 0x08u
#define PK_TCP_ACK 0x10u
#define PK_TCP_URG 0x20u
#define PK_TCP_ECE 0x40u
#define PK_TCP_CWR 0x80u

/**
 * struct pk_tcp_view - A parsed TCP header
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @seq:	Sequence number, host order
 * @ack:	Acknowledgment number, host order
 * @window:	Window field (unscaled), host order
 * @csum:	Checksum field, host order
 * @urg_ptr:	Urgent pointer, host order
 * @flags:	PK_TCP_* bits
 * @hdr_len:	Header length in bytes (data offset * 4): 20..60
 * @opts:	Options area (@opts_len bytes, padding included)
 * @opts_len:	@hdr_len - 20
 * @payload:	First data byte
 * @payload_len: @len given - @hdr_len
 */
struct pk_tcp_view {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint16_t window;
	uint16_t csum;
	uint16_t urg_ptr;
	uint8_t flags;
	uint32_t hdr_len;
	const uint8_t *opts;
	uint32_t opts_len;
	const uint8_t *payload;
	uint32_t payload_len;
};

/**
 * pk_tcp_parse() - Parse a TCP header
 * @p:		First byte of the header
 * @len:	Segment length (header plus data) available at @p
 * @v:		Filled in on success; undefined on failure
 *
 * Context: any thread, hot path.
 * Return: true if the data offset is at least 5 and the header fits in @len.
 */
static inline bool pk_tcp_parse(const uint8_t *p, uint32_t len, struct pk_tcp_view *v)
{
	uint32_t hdr_len;

	if (PK_UNLIKELY(len < PK_TCP_HLEN))
		return false;
	hdr_len = (uint32_t)(p[12] >> 4) * 4;
	if (PK_UNLIKELY(hdr_len < PK_TCP_HLEN || hdr_len > len))
		return false;
	v->sport = pk_get_be16(p);
	v->dport = pk_get_be16(p + 2);
	v->seq = pk_get_be32(p + 4);
	v->ack = pk_get_be32(p + 8);
	v->flags = p[13];
	v->window = pk_get_be16(p + 14);
	v->csum = pk_get_be16(p + 16);
	v->urg_ptr = pk_get_be16(p + 18);
	v->hdr_len = hdr_len;
	v->opts = p + PK_TCP_HLEN;
	v->opts_len = hdr_len - PK_TCP_HLEN;
	v->payload = p + hdr_len;
	v->payload_len = len - hdr_len;
	return true;
}

/* TCP option kinds. */
#define PK_TCP_OPT_EOL 0u
#define PK_TCP_OPT_NOP 1u
#define PK_TCP_OPT_MSS 2u
#define PK_TCP_OPT_WSCALE 3u
#define PK_TCP_OPT_SACK_PERM 4u
#define PK_TCP_OPT_SACK 5u
#define PK_TCP_OPT_TIMESTAMP 8u

/**
 * struct pk_tcp_opt - One TCP option, as returned by pk_tcp_opt_next()
 * @kind:	Option kind (PK_TCP_OPT_*)
 * @len:	Length byte: kind, length and data, >= 2
 * @data:	@len - 2 bytes of option data in the header
 * @data_len:	@len - 2
 */
struct pk_tcp_opt {
	uint8_t kind;
	uint8_t len;
	uint8_t data_len;
	const uint8_t *data;
};

/**
 * struct pk_tcp_opt_iter - Position in a TCP options area
 * @p:		Options area
 * @len:	Its length
 * @off:	Offset of the next option
 * @malformed:	Set when iteration stopped at an option whose length byte is
 *		missing, below 2, or runs past the area
 */
struct pk_tcp_opt_iter {
	const uint8_t *p;
	uint32_t len;
	uint32_t off;
	bool malformed;
};

/**
 * pk_tcp_opt_iter_init() - Start iterating over the options of a TCP header
 * @it:		Iterator
 * @tcp:	Parsed header
 *
 * Context: any thread, hot path.
 */
static inline void pk_tcp_opt_iter_init(struct pk_tcp_opt_iter *it,
					const struct pk_tcp_view *tcp)
{
	it->p = tcp->opts;
	it->len = tcp->opts_len;
	it->off = 0;
	it->malformed = false;
}

/**
 * pk_tcp_opt_next() - Next option with a length byte; NOPs are skipped
 * @it:		Iterator
 * @opt:	Filled in when true is returned
 *
 * Iteration ends at the end of the area, at an end-of-list option, or at a
 * malformed option (then @it->malformed is set). An ended iterator stays ended.
 *
 * Context: any thread, hot path.
 * Return: true if @opt holds an option.
 */
static inline bool pk_tcp_opt_next(struct pk_tcp_opt_iter *it, struct pk_tcp_opt *opt)
{
	while (it->off < it->len) {
		uint32_t left = it->len - it->off;
		const uint8_t *o = it->p + it->off;

		if (o[0] == PK_TCP_OPT_EOL)
			break;
		if (o[0] == PK_TCP_OPT_NOP) {
			it->off++;
			continue;
		}
		if (PK_UNLIKELY(left < 2 || o[1] < 2 || o[1] > left)) {
			it->malformed = true;
			break;
		}
		opt->kind = o[0];
		opt->len = o[1];
		opt->data_len = (uint8_t)(o[1] - 2);
		opt->data = o + 2;
		it->off += o[1];
		return true;
	}
	it->off = it->len;
	return false;
}

/* Bits of pk_tcp_opts.present. */
#define PK_TCP_HAS_MSS (1u << 0)
#define PK_TCP_HAS_WSCALE (1u << 1)
#define PK_TCP_HAS_SACK_PERM (1u << 2)
#define PK_TCP_HAS_SACK (1u << 3)
#define PK_TCP_HAS_TIMESTAMP (1u << 4)

#define PK_TCP_MAX_SACK 4u	/* SACK blocks that fit in 40 bytes of options */
#define PK_TCP_MAX_WSCALE 14u	/* RFC 7323 section 2.3 */

/**
 * struct pk_tcp_sack_block - One SACK block, host order
 * @left:	First sequence number of the block
 * @right:	Sequence number after the block
 */
struct pk_tcp_sack_block {
	uint32_t left;
	uint32_t right;
};

/**
 * struct pk_tcp_opts - The options of a TCP header that the TCP engine uses
 * @present:	PK_TCP_HAS_* bits; fields whose bit is clear are 0
 * @mss:	Maximum segment size
 * @wscale:	Window scale shift, clamped to PK_TCP_MAX_WSCALE
 * @n_sack:	SACK blocks in @sack
 * @ts_val:	Timestamp value
 * @ts_ecr:	Timestamp echo reply
 * @sack:	SACK blocks
 */
struct pk_tcp_opts {
	uint32_t present;
	uint16_t mss;
	uint8_t wscale;
	uint8_t n_sack;
	uint32_t ts_val;
	uint32_t ts_ecr;
	struct pk_tcp_sack_block sack[PK_TCP_MAX_SACK];
};

/**
 * pk_tcp_opts_parse() - Parse MSS, window scale, SACK-permitted, SACK and timestamps
 * @tcp:	Parsed header
 * @out:	Filled in (zeroed first)
 *
 * A known option with the wrong length is ignored, as are unknown options.
 * At a malformed option the walk stops, keeping what was found before it.
 *
 * Context: any thread, hot path.
 * Return: false if the options area is malformed.
 */
bool pk_tcp_opts_parse(const struct pk_tcp_view *tcp, struct pk_tcp_opts *out);

/* ICMP (RFC 792) types. */
#define PK_ICMP_ECHO_REPLY 0u
#define PK_ICMP_DEST_UNREACH 3u
#define PK_ICMP_REDIRECT 5u
#define PK_ICMP_ECHO_REQUEST 8u
#define PK_ICMP_TIME_EXCEEDED 11u
#define PK_ICMP_PARAM_PROBLEM 12u

/* ICMPv6 (RFC 4443, RFC 4861) types. */
#define PK_ICMP6_DEST_UNREACH 1u
#define PK_ICMP6_PACKET_TOO_BIG 2u
#define PK_ICMP6_TIME_EXCEEDED 3u
#define PK_ICMP6_PARAM_PROBLEM 4u
#define PK_ICMP6_ECHO_REQUEST 128u
#define PK_ICMP6_ECHO_REPLY 129u
#define PK_ICMP6_ROUTER_SOLICIT 133u
#define PK_ICMP6_ROUTER_ADVERT 134u
#define PK_ICMP6_NEIGHBOR_SOLICIT 135u
#define PK_ICMP6_NEIGHBOR_ADVERT 136u
#define PK_ICMP6_REDIRECT 137u

/**
 * struct pk_icmp_view - A parsed ICMP or ICMPv6 header (same layout)
 * @type:	Type
 * @code:	Code
 * @csum:	Checksum field, host order
 * @rest:	The 4 type-specific bytes after the checksum
 * @id:		First half of @rest, host order (echo identifier)
 * @seq:	Second half of @rest, host order (echo sequence number)
 * @body:	First byte after the 8-byte header
 * @body_len:	@len given - 8
 */
struct pk_icmp_view {
	uint8_t type;
	uint8_t code;
	uint16_t csum;
	const uint8_t *rest;
	uint16_t id;
	uint16_t seq;
	const uint8_t *body;
	uint32_t body_len;
};

/**
 * pk_icmp_parse() - Parse an ICMP header (IPv4)
 * @p:		First byte of the header
 * @len:	Message length available at @p
 * @v:		Filled in on success; undefined on failure
 *
 * The checksum covers the whole message without a pseudo header:
 * pk_csum_ok(p, len, 0).
 *
 * Context: any thread, hot path.
 * Return: true if the 8-byte header fits.
 */
static inline bool pk_icmp_parse(const uint8_t *p, uint32_t len, struct pk_icmp_view *v)
{
	if (PK_UNLIKELY(len < PK_ICMP_HLEN))
		return false;
	v->type = p[0];
	v->code = p[1];
	v->csum = pk_get_be16(p + 2);
	v->rest = p + 4;
	v->id = pk_get_be16(p + 4);
	v->seq = pk_get_be16(p + 6);
	v->body = p + PK_ICMP_HLEN;
	v->body_len = len - PK_ICMP_HLEN;
	return true;
}

/**
 * pk_icmp6_parse() - Parse an ICMPv6 header
 * @p:		First byte of the header
 * @len:	Message length available at @p
 * @v:		Filled in on success; undefined on failure
 *
 * The checksum includes the IPv6 pseudo header: pk_csum_ok(p, len,
 * pk_ip6_pseudo(ip)).
 *
 * Context: any thread, hot path.
 * Return: true if the 8-byte header fits.
 */
static inline bool pk_icmp6_parse(const uint8_t *p, uint32_t len, struct pk_icmp_view *v)
{
	return pk_icmp_parse(p, len, v);
}

G_END_DECLS

#endif /* PKTKIT_L4_H */
