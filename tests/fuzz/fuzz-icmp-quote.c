/* SPDX-License-Identifier: MIT
 * fuzz-icmp-quote.c - libFuzzer target: ICMP/ICMPv6 errors quoting arbitrary packets
 *
 * Input: one byte of options, one code byte, one room byte, then the
 * offending packet (any bytes, from its IP header on). Options, low bits
 * first: 3 bits pick the error type (a valid one of the packet's version;
 * bit 7 set: the raw option byte is the type, to reach the refusal of
 * non-error types), 2 bits the PK_ICMP_ERR_F_* flags, 1 bit builds the
 * error in place (the packet copied into the output buffer), 1 bit gives
 * our own source address. The room byte limits the buffer (0: a whole pool
 * buffer; n: n * 8 bytes).
 *
 * pk_icmp_error_build() must refuse exactly when pk_icmp_error_check()
 * does (or for want of room, or for an IPv6 group destination without a
 * source), and whatever it builds must be well formed: IP header and
 * lengths right, checksums right, at most 576 / 1280 bytes, the quote a
 * prefix of the packet's own bytes (no padding), at least the IP header + 8
 * bytes when the packet has them, as long as room and limit allow. The
 * sending rules are re-checked here from the RFCs independently of the
 * library. Violations trap. Seeds: tests/fuzz/corpus/icmp-quote/
 * (gen-icmp-quote-corpus.py).
 */
#include <stdlib.h>
#include <string.h>

#include <pktkit/build.h>

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t our4[4] = { 192, 0, 2, 254 };
static const uint8_t our6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0xee };

static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = sum;

	for (size_t i = 0; i < len; i++)
		s += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An empty buffer with at most @room bytes from its data to the end. */
static struct pk_buf *buf_with_room(uint32_t room)
{
	struct pk_buf *b = pk_buf_alloc(0);
	uint32_t total;

	if (!b)
		return NULL;
	total = pk_buf_tailroom(b);
	if (room && room < total) {
		pk_buf_put(b, total);
		pk_buf_pull(b, total - room);
		pk_buf_trim(b, 0);
	}
	return b;
}

/* The rules, again, from RFC 1122 3.2.2 / RFC 1812 4.3.2.7: true if an
 * IPv4 error about @p (parsed) may be sent. */
static bool rules4_allow(const struct pk_ip4_view *v, uint32_t flags)
{
	if (v->frag_off || (flags & (PK_ICMP_ERR_F_TO_GROUP | PK_ICMP_ERR_F_FROM_GROUP)))
		return false;
	if (v->dst[0] >= 224 && (v->dst[0] < 240 || pk_get_be32(v->dst) == 0xffffffffu))
		return false;
	if (v->src[0] == 0 || v->src[0] == 127 || v->src[0] >= 224)
		return false;
	if (v->proto == PK_IPPROTO_ICMP) {
		uint8_t t;

		if (v->payload_len == 0)
			return false;
		t = v->payload[0];
		return t == 0 || t == 8 || t == 9 || t == 10 || (t >= 13 && t <= 18);
	}
	return true;
}

/* RFC 4443 2.4(e), on the fixed header (and the ICMPv6 type if visible). */
static bool rules6_allow(const uint8_t *p, uint32_t len, uint8_t type, uint8_t code,
			 uint32_t flags)
{
	static const uint8_t zero[15];
	struct pk_ip6_view v;
	bool group_ok = type == PK_ICMP6_PACKET_TOO_BIG ||
			(type == PK_ICMP6_PARAM_PROBLEM && code == 2);

	if ((p[24] == 0xff || (flags & PK_ICMP_ERR_F_TO_GROUP)) && !group_ok)
		return false;
	if (p[8] == 0xff || (memcmp(p + 8, zero, 15) == 0 && p[23] <= 1) ||
	    (flags & PK_ICMP_ERR_F_FROM_GROUP))
		return false;
	if (pk_ip6_parse(p, len, &v) && v.proto == PK_IPPROTO_ICMPV6 && v.frag_off == 0)
		return v.l4_len > 0 && v.l4[0] >= 128 && v.l4[0] != 137;
	return true;
}

static void check_built(const struct pk_buf *b, const uint8_t *pkt, uint32_t len, uint8_t type,
			uint8_t code, uint32_t room, const uint8_t *src)
{
	const uint8_t *e = pk_buf_data(b);
	uint32_t elen = pk_buf_len(b);

	if ((pkt[0] >> 4) == 4) {
		struct pk_ip4_view o, v;
		uint32_t max_q, min_q, q;

		FUZZ_CHECK(pk_ip4_parse(pkt, len, &o));
		FUZZ_CHECK(pk_ip4_parse(e, elen, &v));
		FUZZ_CHECK(v.total_len == elen && v.hdr_len == PK_IP4_HLEN);
		FUZZ_CHECK(ref_csum(e, PK_IP4_HLEN, 0) == 0);
		FUZZ_CHECK(v.proto == PK_IPPROTO_ICMP && v.ttl != 0);
		FUZZ_CHECK(elen <= 576 && v.payload_len >= PK_ICMP_HLEN);
		FUZZ_CHECK(ref_csum(v.payload, v.payload_len, 0) == 0);
		FUZZ_CHECK(v.payload[0] == type && v.payload[1] == code);
		FUZZ_CHECK(memcmp(v.dst, o.src, 4) == 0);
		FUZZ_CHECK(memcmp(v.src, src ? src : o.dst, 4) == 0);
		q = v.payload_len - PK_ICMP_HLEN;
		max_q = o.total_len < 548 ? o.total_len : 548;
		if (room < max_q)
			max_q = room;
		min_q = o.total_len < o.hdr_len + 8 ? o.total_len : o.hdr_len + 8;
		FUZZ_CHECK(q == max_q && q >= min_q && q <= o.total_len);
		FUZZ_CHECK(memcmp(v.payload + PK_ICMP_HLEN, pkt, q) == 0);
		FUZZ_CHECK(rules4_allow(&o, 0));
	} else {
		uint32_t total = PK_IP6_HLEN + pk_get_be16(pkt + 4), q, max_q;
		uint32_t sum;

		FUZZ_CHECK((pkt[0] >> 4) == 6 && total <= len);
		FUZZ_CHECK(elen >= PK_IP6_HLEN + PK_ICMP_HLEN && elen <= 1280);
		FUZZ_CHECK((e[0] >> 4) == 6 && pk_get_be16(e + 4) == elen - PK_IP6_HLEN);
		FUZZ_CHECK(e[6] == PK_IPPROTO_ICMPV6 && e[7] != 0);
		FUZZ_CHECK(memcmp(e + 24, pkt + 8, 16) == 0);
		FUZZ_CHECK(memcmp(e + 8, src ? src : pkt + 24, 16) == 0 && e[8] != 0xff);
		sum = pk_csum_pseudo6(e + 8, e + 24, PK_IPPROTO_ICMPV6, elen - PK_IP6_HLEN);
		FUZZ_CHECK(ref_csum(e + PK_IP6_HLEN, elen - PK_IP6_HLEN, sum) == 0);
		FUZZ_CHECK(e[40] == type && e[41] == code);
		q = elen - PK_IP6_HLEN - PK_ICMP_HLEN;
		max_q = total < 1232 ? total : 1232;
		if (room < max_q)
			max_q = room;
		FUZZ_CHECK(q == max_q && q >= (total < 48 ? total : 48u));
		FUZZ_CHECK(memcmp(e + 48, pkt, q) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t types4[8] = { 3, 3, 3, 4, 5, 11, 12, 3 };
	static const uint8_t types6[8] = { 1, 1, 2, 2, 3, 4, 4, 1 };
	const uint8_t *pkt = data + 3;
	uint32_t len, flags, room, full_room;
	uint8_t opt, type, code, ver;
	struct pk_ip_fields f = { .ttl = 0 }, *ip;
	const uint8_t *src = NULL;
	enum pk_icmp_err chk, r;
	struct pk_buf *b;

	if (size < 3 || size - 3 > 4000)
		return 0;
	opt = data[0];
	code = data[1];
	len = (uint32_t)(size - 3);
	ver = len ? pkt[0] >> 4 : 0;
	type = (opt & 0x80) ? opt : ver == 6 ? types6[opt & 7] : types4[opt & 7];
	flags = (opt >> 3) & 3;
	if (opt & 0x40) {
		src = ver == 6 ? our6 : our4;
		f.src = src;
		f.ttl = 200;
	}
	chk = pk_icmp_error_check(pkt, len, type, code, flags);
	FUZZ_CHECK(chk <= PK_ICMP_ERR_NO_ROOM && chk != PK_ICMP_ERR_NO_ROOM);
	if (chk == PK_ICMP_ERR_OK && ver == 4) {
		struct pk_ip4_view o;

		FUZZ_CHECK(pk_ip4_parse(pkt, len, &o) && rules4_allow(&o, flags));
	} else if (chk == PK_ICMP_ERR_OK) {
		FUZZ_CHECK(ver == 6 && rules6_allow(pkt, len, type, code, flags));
	}

	b = buf_with_room((uint32_t)data[2] * 8);
	if (!b)
		return 0;
	full_room = pk_buf_tailroom(b);
	room = full_room;
	ip = (opt & 0x40) || !(code & 0x80) ? &f : NULL;	/* NULL: the defaults */
	if ((opt & 0x20) && len <= room) {
		/* In place: the packet is the buffer's own data. */
		memcpy(pk_buf_put(b, len), pkt, len);
		r = pk_icmp_error_build(b, ip, type, code, 0x01020304, pk_buf_data(b), len, flags);
	} else {
		r = pk_icmp_error_build(b, ip, type, code, 0x01020304, pkt, len, flags);
	}
	if (r == PK_ICMP_ERR_OK) {
		FUZZ_CHECK(chk == PK_ICMP_ERR_OK);
		check_built(b, pkt, len, type, code, room, src);
	} else if (chk == PK_ICMP_ERR_OK) {
		/* Only for want of room, or an IPv6 group destination with no
		 * unicast source of ours to send from. */
		FUZZ_CHECK((r == PK_ICMP_ERR_NO_ROOM && room < PK_IP4_MAX_HLEN + 8) ||
			   (r == PK_ICMP_ERR_TO_GROUP && ver == 6 && !src && pkt[24] == 0xff));
	} else {
		FUZZ_CHECK(r == chk);
	}
	pk_buf_unref(b);
	return 0;
}
