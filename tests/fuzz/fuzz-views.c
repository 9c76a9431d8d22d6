/* SPDX-License-Identifier: MIT
 * fuzz-views.c - libFuzzer target: every header view, the TCP options and the checksum
 *
 * The input is tried as an Ethernet frame (walking down to L4 by EtherType
 * and protocol) and, independently, as a bare ARP, IPv4, IPv6, TCP, UDP and
 * ICMP header. Every region a view reports is read in full, so a view that
 * points outside the input shows up as an ASan error; the invariants between
 * a view's lengths, the checksum implementations and the write helpers
 * (VLAN push/pop, TTL decrement, RFC 1624 updates) are checked and trap when
 * broken. Seeds: tests/fuzz/corpus/views/ (gen-views-corpus.py).
 */
#include <stdlib.h>
#include <string.h>

#include <pktkit/buf.h>
#include <pktkit/checksum.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every byte of a region a view reports (ASan checks the bounds). */
static uint32_t touch(const uint8_t *p, uint32_t len)
{
	return pk_csum_partial(p, len, 0);
}

static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void fuzz_tcp(const uint8_t *p, uint32_t len)
{
	struct pk_tcp_view t;
	struct pk_tcp_opts o;
	struct pk_tcp_opt_iter it;
	struct pk_tcp_opt opt;

	if (!pk_tcp_parse(p, len, &t))
		return;
	FUZZ_CHECK(t.hdr_len >= PK_TCP_HLEN && t.hdr_len + t.payload_len == len);
	FUZZ_CHECK(t.opts_len + PK_TCP_HLEN == t.hdr_len);
	touch(t.opts, t.opts_len);
	touch(t.payload, t.payload_len);
	pk_tcp_opt_iter_init(&it, &t);
	while (pk_tcp_opt_next(&it, &opt)) {
		FUZZ_CHECK(opt.len >= 2 && opt.data_len == opt.len - 2);
		FUZZ_CHECK(opt.data >= t.opts && opt.data + opt.data_len <= t.opts + t.opts_len);
		touch(opt.data, opt.data_len);
	}
	FUZZ_CHECK(!pk_tcp_opt_next(&it, &opt));
	FUZZ_CHECK(pk_tcp_opts_parse(&t, &o) == !it.malformed);
	FUZZ_CHECK(o.n_sack <= PK_TCP_MAX_SACK && o.wscale <= PK_TCP_MAX_WSCALE);
}

static void fuzz_udp(const uint8_t *p, uint32_t len)
{
	struct pk_udp_view u;

	if (!pk_udp_parse(p, len, &u))
		return;
	FUZZ_CHECK(u.len <= len && u.payload_len + PK_UDP_HLEN == u.len);
	touch(u.payload, u.payload_len);
}

static void fuzz_icmp(const uint8_t *p, uint32_t len)
{
	struct pk_icmp_view ic;

	if (!pk_icmp_parse(p, len, &ic))
		return;
	FUZZ_CHECK(ic.body_len + PK_ICMP_HLEN == len);
	touch(ic.rest, 4);
	touch(ic.body, ic.body_len);
	FUZZ_CHECK(pk_icmp6_parse(p, len, &ic));
}

static void fuzz_l4(uint8_t proto, const uint8_t *p, uint32_t len, uint32_t pseudo)
{
	switch (proto) {
	case PK_IPPROTO_TCP:
		fuzz_tcp(p, len);
		break;
	case PK_IPPROTO_UDP:
		fuzz_udp(p, len);
		break;
	case PK_IPPROTO_ICMP:
	case PK_IPPROTO_ICMPV6:
		fuzz_icmp(p, len);
		break;
	default:
		break;
	}
	(void)pk_csum_ok(p, len, pseudo);
}

static void fuzz_ip4(const uint8_t *p, uint32_t len)
{
	struct pk_ip4_view v;
	uint8_t hdr[PK_IP4_MAX_HLEN];

	if (!pk_ip4_parse(p, len, &v))
		return;
	FUZZ_CHECK(v.hdr_len >= PK_IP4_HLEN && v.hdr_len <= PK_IP4_MAX_HLEN);
	FUZZ_CHECK(v.hdr_len + v.payload_len == v.total_len && v.total_len <= len);
	touch(v.opts, v.opts_len);
	touch(v.payload, v.payload_len);

	/* A TTL decrement keeps a valid header checksum valid. */
	memcpy(hdr, p, v.hdr_len);
	if (pk_ip4_csum_ok(&v) && pk_ip4_dec_ttl(hdr))
		FUZZ_CHECK(pk_csum_ok(hdr, v.hdr_len, 0) && hdr[8] == v.ttl - 1);

	if (!pk_ip4_is_fragment(&v) || v.frag_off == 0)
		fuzz_l4(v.proto, v.payload, v.payload_len, pk_ip4_pseudo(&v));
}

static void fuzz_ip6(const uint8_t *p, uint32_t len)
{
	struct pk_ip6_view v;

	if (!pk_ip6_parse(p, len, &v))
		return;
	FUZZ_CHECK(v.payload_len + PK_IP6_HLEN <= len);
	FUZZ_CHECK(v.l4_off + v.l4_len == PK_IP6_HLEN + v.payload_len);
	FUZZ_CHECK(v.l4 == p + v.l4_off && v.n_ext <= PK_IP6_MAX_EXT);
	FUZZ_CHECK(!pk_ip6_is_ext_hdr(v.proto) || v.frag_off != 0);
	touch(v.payload, v.payload_len);
	touch(v.l4, v.l4_len);
	if (v.frag_off == 0)
		fuzz_l4(v.proto, v.l4, v.l4_len, pk_ip6_pseudo(&v));
}

static void fuzz_arp(const uint8_t *p, uint32_t len)
{
	struct pk_arp_view a;

	if (!pk_arp_parse(p, len, &a))
		return;
	touch(a.sha, PK_ETH_ALEN);
	touch(a.spa, 4);
	touch(a.tha, PK_ETH_ALEN);
	touch(a.tpa, 4);
}

static void fuzz_frame(const uint8_t *p, uint32_t len)
{
	struct pk_eth_view e;
	const uint8_t *l3;

	if (!pk_eth_parse(p, len, &e))
		return;
	FUZZ_CHECK(e.l3_off + e.l3_len == len && e.n_tags <= PK_ETH_MAX_TAGS);
	(void)pk_eth_is_broadcast(e.dst);
	(void)pk_eth_is_multicast(e.src);
	l3 = p + e.l3_off;
	switch (e.ethertype) {
	case PK_ETH_P_ARP:
		fuzz_arp(l3, e.l3_len);
		break;
	case PK_ETH_P_IPV4:
		fuzz_ip4(l3, e.l3_len);
		break;
	case PK_ETH_P_IPV6:
		fuzz_ip6(l3, e.l3_len);
		break;
	default:
		break;
	}
}

static void fuzz_vlan_round_trip(struct pk_buf *b, const uint8_t *p, uint32_t len, uint16_t tci,
				 const uint8_t *start)
{
	bool tagged;

	tagged = len >= PK_ETH_HLEN + PK_VLAN_HLEN && pk_eth_is_vlan_tpid(pk_get_be16(p + 12));
	if (pk_eth_vlan_pop(b)) {
		FUZZ_CHECK(tagged && b->len == len - PK_VLAN_HLEN);
		FUZZ_CHECK(memcmp(b->data + 12, p + 16, len - 16) == 0);
		FUZZ_CHECK(pk_eth_vlan_push(b, pk_get_be16(p + 12), pk_get_be16(p + 14)));
	} else {
		FUZZ_CHECK(!tagged);
		if (!pk_eth_vlan_push(b, PK_ETH_P_VLAN, tci)) {
			FUZZ_CHECK(len < PK_ETH_HLEN);
			return;
		}
		FUZZ_CHECK(pk_eth_vlan_pop(b));
	}
	FUZZ_CHECK(b->len == len && b->data == start);
	FUZZ_CHECK(memcmp(b->data, p, len) == 0);
}

/* Push then pop a VLAN tag on a pool buffer holding the input: bytes must round-trip. */
static void fuzz_vlan(const uint8_t *p, uint32_t len)
{
	struct pk_buf *b = pk_buf_new_copy(p, len);
	uint16_t tci = len >= 2 ? pk_get_be16(p) : 0;
	const uint8_t *start;

	if (!b)
		return; /* longer than a buffer holds */
	start = pk_buf_data(b);
	fuzz_vlan_round_trip(b, p, len, tci, start);
	pk_buf_unref(b);
}

/* Every implementation agrees with the byte-wise reference, at two alignments. */
static void fuzz_csum(const uint8_t *p, uint32_t len)
{
	static const enum pk_csum_impl impls[] = {
		PK_CSUM_IMPL_AUTO, PK_CSUM_IMPL_GENERIC, PK_CSUM_IMPL_AVX2,
	};
	uint16_t want = ref_csum(p, len);

	for (size_t i = 0; i < G_N_ELEMENTS(impls); i++) {
		if (!pk_csum_impl_available(impls[i]))
			continue;
		FUZZ_CHECK(pk_csum_fold(pk_csum_partial_impl(impls[i], p, len, 0)) == want);
		if (len > 1)
			FUZZ_CHECK(pk_csum_fold(pk_csum_partial_impl(impls[i], p + 1, len - 1, 0)) ==
				   ref_csum(p + 1, len - 1));
	}
}

/*
 * RFC 1624: put a valid checksum at offset 0 of a copy, rewrite words after
 * it with the input's own bytes, update incrementally: it must still verify.
 * The last byte is made non-zero and left alone: for all-zero data the
 * incremental result is 0x0000 where recomputation gives 0xffff.
 */
static void fuzz_csum_update(const uint8_t *p, uint32_t len)
{
	uint8_t buf[256], old[16];
	uint32_t n = len & ~1u;
	uint32_t run, from32, to32;
	uint16_t to16;

	if (n < 8 || n > sizeof(buf))
		return;
	memcpy(buf, p, n);
	buf[n - 1] |= 1;
	buf[0] = buf[1] = 0;
	pk_put_be16(buf, pk_csum(buf, n));

	to16 = pk_get_be16(p + n - 2);
	pk_csum_update16(buf, pk_get_be16(buf + 2), to16);
	pk_put_be16(buf + 2, to16);
	FUZZ_CHECK(pk_csum_ok(buf, n, 0));

	from32 = pk_get_be32(buf + 2);
	to32 = ~from32;
	pk_csum_update32(buf, from32, to32);
	pk_put_be32(buf + 2, to32);
	FUZZ_CHECK(pk_csum_ok(buf, n, 0));

	run = MIN(16u, n - 4) & ~1u;
	memcpy(old, buf + 2, run);
	for (uint32_t i = 0; i < run; i++)
		buf[2 + i] = (uint8_t)(old[i] ^ p[i]);
	pk_csum_update_bytes(buf, old, buf + 2, run);
	FUZZ_CHECK(pk_csum_ok(buf, n, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t len;

	if (size > PK_BUF_MAX_LEN)
		return 0;
	len = (uint32_t)size;
	fuzz_frame(data, len);
	fuzz_arp(data, len);
	fuzz_ip4(data, len);
	fuzz_ip6(data, len);
	fuzz_tcp(data, len);
	fuzz_udp(data, len);
	fuzz_icmp(data, len);
	fuzz_vlan(data, len);
	fuzz_csum(data, len);
	fuzz_csum_update(data, len);
	return 0;
}
