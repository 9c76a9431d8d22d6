/* SPDX-License-Identifier: MIT
 * fuzz-nat64.c - Arbitrary packets through the NAT64 translator both ways, DNS messages through DNS64
 *
 * The first byte picks what the rest is:
 *  bits 0-1: 0 an IPv6 packet for nat64_inspect6() and nat64_6to4();
 *            1 an IPv4 packet for nat64_inspect4() and nat64_4to6(), every
 *              fragment of it; 2 two DNS messages for DNS64, a AAAA
 *              response and an A response (two bytes: the length of the
 *              first, then both); 3 a NAT64 prefix as text, NUL, and an
 *              IPv4 address to embed and extract
 *  bits 2-3: MTU (mtu4 0/576/1280/1500, mtu6 0/1280/1500/9000)
 *  bit 4: NAT64_F_NO_TTL_DEC   bit 5: NAT64_F_TOS_ZERO
 *  bit 6: the Well-Known Prefix (else a /40) for DNS64
 * Invariants: a translation is a well-formed packet of the other family
 * (IPv4 header checksum right), within the output buffer and the MTU; an
 * input with a right transport checksum translates to one with a right
 * checksum; a DNS64 answer parses. Seeds: tests/fuzz/corpus/nat64
 * (tests/fuzz/gen-nat64-corpus.py).
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/dns.h>

#include "fuzz-util.h"
#include "nat64-dns64.h"
#include "nat64-prefix.h"
#include "nat64-xlate.h"

static const uint32_t mtu4s[4] = { 0, 576, 1280, 1500 };
static const uint32_t mtu6s[4] = { 0, 1280, 1500, 9000 };

static void fill_params(struct nat64_params *p, uint8_t ctl, bool to4)
{
	static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	static const uint8_t v6b[16] = { 0x00, 0x64, 0xff, 0x9b, [12] = 198, 51, 100, 7 };
	static const uint8_t v4a[4] = { 203, 0, 113, 1 }, v4b[4] = { 198, 51, 100, 7 };

	memset(p, 0, sizeof(*p));
	memcpy(p->outer.src, to4 ? v4a : v6b, to4 ? 4 : 16);
	memcpy(p->outer.dst, to4 ? v4b : v6a, to4 ? 4 : 16);
	memcpy(p->inner.src, to4 ? v4b : v6a, to4 ? 4 : 16);
	memcpy(p->inner.dst, to4 ? v4a : v6b, to4 ? 4 : 16);
	p->outer.sport = 61001;
	p->outer.dport = 53;
	p->inner.sport = 53;
	p->inner.dport = 61001;
	p->ip4_id = 0x1234;
	p->mtu4 = mtu4s[(ctl >> 2) & 3];
	p->mtu6 = mtu6s[(ctl >> 2) & 3];
	p->flags = (ctl & 0x10 ? NAT64_F_NO_TTL_DEC : 0) | (ctl & 0x20 ? NAT64_F_TOS_ZERO : 0);
}

/* Whether an IPv6 packet's transport checksum verifies (unfragmented). */
static bool l4_ok6(const uint8_t *p, uint32_t len)
{
	struct pk_ip6_view v;

	if (!pk_ip6_parse(p, len, &v) || v.frag || v.routing)
		return false;
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP && v.proto != PK_IPPROTO_ICMPV6)
		return false;
	return pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v));
}

static bool l4_ok4(const uint8_t *p, uint32_t len)
{
	struct pk_ip4_view v;

	if (!pk_ip4_parse(p, len, &v) || pk_ip4_is_fragment(&v))
		return false;
	if (v.proto == PK_IPPROTO_ICMP)
		return pk_csum_ok(v.payload, v.payload_len, 0);
	if (v.proto == PK_IPPROTO_UDP && v.payload_len >= 8 && pk_get_be16(v.payload + 6) == 0)
		return false;
	if (v.proto != PK_IPPROTO_TCP && v.proto != PK_IPPROTO_UDP)
		return false;
	return pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v));
}

static void small_out(const uint8_t *in, uint32_t len, const struct nat64_params *p, uint32_t cap,
		      bool to4)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	int n;

	FUZZ_CHECK(buf);
	if (to4)
		n = nat64_6to4(in, len, p, buf, cap, NULL);
	else
		n = nat64_4to6(in, len, p, 0, buf, cap, NULL);
	FUZZ_CHECK(n <= (int)cap);
	free(buf);
}

static void run_6to4(const uint8_t *in, uint32_t len, uint8_t ctl)
{
	static uint8_t out[65536 + 64];
	struct nat64_params p;
	struct nat64_result res;
	struct nat64_tuple t;
	struct pk_ip4_view v;
	int n;

	nat64_inspect6(in, len, &t);
	fill_params(&p, ctl, true);
	n = nat64_6to4(in, len, &p, out, sizeof(out), &res);
	if (n < 0) {
		FUZZ_CHECK(-n > 0 && -n < NAT64_E_COUNT);
		return;
	}
	FUZZ_CHECK((uint32_t)n <= len);
	FUZZ_CHECK(pk_ip4_parse(out, (uint32_t)n, &v) && v.total_len == (uint32_t)n);
	FUZZ_CHECK(pk_ip4_csum_ok(&v));
	if (p.mtu4)
		FUZZ_CHECK((uint32_t)n <= p.mtu4);
	if (v.proto == PK_IPPROTO_ICMP && !pk_ip4_is_fragment(&v) && in[6] == PK_IPPROTO_ICMPV6 &&
	    v.payload[0] != PK_ICMP_ECHO_REQUEST && v.payload[0] != PK_ICMP_ECHO_REPLY)
		FUZZ_CHECK(pk_csum_ok(v.payload, v.payload_len, 0)); /* errors: recomputed */
	if (l4_ok6(in, len) && !pk_ip4_is_fragment(&v))
		FUZZ_CHECK(l4_ok4(out, (uint32_t)n));
	/* Too small an output buffer is never written past (ASan sees the heap). */
	small_out(in, len, &p, (uint32_t)n / 2, true);
}

static void run_4to6(const uint8_t *in, uint32_t len, uint8_t ctl)
{
	static uint8_t out[65536 + 64];
	struct nat64_params p;
	struct nat64_result res;
	struct nat64_tuple t;
	uint32_t resume = 0, mtu6;
	bool whole_ok = l4_ok4(in, len);
	int n, count = 0;

	nat64_inspect4(in, len, &t);
	fill_params(&p, ctl, false);
	mtu6 = p.mtu6 < 1280 ? 1280 : p.mtu6;
	do {
		struct pk_ip6_view v;

		n = nat64_4to6(in, len, &p, resume, out, sizeof(out), &res);
		if (n < 0) {
			FUZZ_CHECK(-n > 0 && -n < NAT64_E_COUNT);
			FUZZ_CHECK(resume == 0); /* later fragments cannot fail */
			return;
		}
		FUZZ_CHECK((uint32_t)n <= len + 48);
		if (resume == 0)
			small_out(in, len, &p, (uint32_t)n / 2, false);
		FUZZ_CHECK(pk_ip6_parse(out, (uint32_t)n, &v) && v.payload_len + 40 == (uint32_t)n);
		FUZZ_CHECK((uint32_t)n <= mtu6);
		if (!v.frag && whole_ok)
			FUZZ_CHECK(l4_ok6(out, (uint32_t)n));
		if (!v.frag && v.proto == PK_IPPROTO_ICMPV6 && v.l4_len && v.l4[0] < 128)
			FUZZ_CHECK(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
		FUZZ_CHECK(res.resume == 0 || res.resume > resume);
		resume = res.resume;
		FUZZ_CHECK(++count <= 65536 / 8);
	} while (resume);
}

static void run_dns64(const uint8_t *data, uint32_t size, uint8_t ctl)
{
	static uint8_t out[4096];
	struct nat64_dns64_config cfg = { 0 };
	uint8_t q[PK_DNS_QUERY_MAX];
	struct pk_dns_msg m;
	uint32_t split;
	int n;

	if (size < 2)
		return;
	split = (uint32_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	if (split > size)
		split = size;
	if (ctl & 0x40)
		nat64_prefix_wkp(&cfg.prefix);
	else
		nat64_prefix_parse("2001:db8:100::/40", &cfg.prefix, NULL);
	nat64_dns64_check(data, split, &cfg);
	n = (int)nat64_dns64_a_query(data, split, 1, q, sizeof(q));
	if (n > 0)
		FUZZ_CHECK(pk_dns_parse(q, (uint32_t)n, &m) == PK_DNS_OK);
	n = nat64_dns64_synthesize(data, split, data + split, size - split, &cfg, out,
				   512u << ((ctl >> 2) & 3));
	if (n > 0) {
		FUZZ_CHECK((uint32_t)n <= 512u << ((ctl >> 2) & 3));
		FUZZ_CHECK(pk_dns_parse(out, (uint32_t)n, &m) == PK_DNS_OK);
	}
}

static void run_prefix(const uint8_t *data, size_t size)
{
	char text[128];
	struct nat64_prefix p;
	uint8_t v6[16], v4[4] = { 0 }, back[4];
	size_t n = 0;

	while (n < size && n < sizeof(text) - 1 && data[n])
		n++;
	memcpy(text, data, n);
	text[n] = 0;
	if (!nat64_prefix_parse(text, &p, NULL))
		return;
	if (size > n + 1)
		memcpy(v4, data + n + 1, size - n - 1 < 4 ? size - n - 1 : 4);
	nat64_prefix_embed(&p, v4, v6);
	FUZZ_CHECK(nat64_prefix_extract(&p, v6, back) && memcmp(back, v4, 4) == 0);
	(void)nat64_prefix_allows(&p, v4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ctl;

	if (size < 1 || size > 65536 + 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	switch (ctl & 3) {
	case 0:
		run_6to4(data, (uint32_t)size, ctl);
		break;
	case 1:
		run_4to6(data, (uint32_t)size, ctl);
		break;
	case 2:
		run_dns64(data, (uint32_t)size, ctl);
		break;
	default:
		run_prefix(data, size);
		break;
	}
	return 0;
}
