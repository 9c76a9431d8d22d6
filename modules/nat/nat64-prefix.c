/* SPDX-License-Identifier: MIT
 * nat64-prefix.c - IPv4-embedded IPv6 addresses (RFC 6052): prefixes, embedding, extraction
 */
#include "nat64-prefix.h"

#include <string.h>

#include <pktkit/addr.h>

static const uint8_t nat64_wkp_addr[16] = { 0x00, 0x64, 0xff, 0x9b };

/* The byte of the IPv6 address that holds IPv4 byte @i under a prefix of
 * @len bits: the IPv4 bytes follow the prefix, skipping byte 8 (bits 64-71). */
static unsigned int nat64_prefix_pos(unsigned int len, unsigned int i)
{
	unsigned int pos;

	if (len == 96)
		return 12 + i;
	pos = len / 8 + i;
	return pos >= 8 ? pos + 1 : pos;
}

static bool nat64_prefix_len_ok(unsigned int len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

bool nat64_prefix_parse(const char *text, struct nat64_prefix *out, const char **why)
{
	struct pk_prefix pfx;
	const char *dummy;

	if (!why)
		why = &dummy;
	if (!text || !pk_prefix_parse(text, &pfx)) {
		*why = "not a prefix: write it as an IPv6 address and a length, e.g. 64:ff9b::/96";
		return false;
	}
	if (pfx.family != 6) {
		*why = "a NAT64 prefix is an IPv6 prefix, e.g. 64:ff9b::/96";
		return false;
	}
	if (!nat64_prefix_len_ok(pfx.len)) {
		*why = "the prefix length must be 32, 40, 48, 56, 64 or 96 (RFC 6052 section 2.2)";
		return false;
	}
	for (unsigned int bit = pfx.len; bit < 128; bit++) {
		if (pfx.addr[bit / 8] & (0x80u >> (bit % 8))) {
			*why = "bits are set after the prefix length";
			return false;
		}
	}
	if (pfx.addr[8] != 0) {
		*why = "bits 64-71 (the u octet) must be zero (RFC 6052 section 2.2)";
		return false;
	}
	memcpy(out->addr, pfx.addr, 16);
	out->len = pfx.len;
	return true;
}

void nat64_prefix_wkp(struct nat64_prefix *out)
{
	memcpy(out->addr, nat64_wkp_addr, 16);
	out->len = 96;
}

bool nat64_prefix_is_wkp(const struct nat64_prefix *p)
{
	return p->len == 96 && memcmp(p->addr, nat64_wkp_addr, 12) == 0;
}

bool nat64_ip4_is_global(const uint8_t v4[4])
{
	uint32_t a = (uint32_t)v4[0] << 24 | (uint32_t)v4[1] << 16 | (uint32_t)v4[2] << 8 | v4[3];
	static const struct {
		uint32_t net;
		uint32_t mask;
	} non_global[] = {
		{ 0x00000000u, 0xff000000u }, /* 0.0.0.0/8 "this network" */
		{ 0x0a000000u, 0xff000000u }, /* 10.0.0.0/8 */
		{ 0x64400000u, 0xffc00000u }, /* 100.64.0.0/10 shared (CGN) */
		{ 0x7f000000u, 0xff000000u }, /* 127.0.0.0/8 loopback */
		{ 0xa9fe0000u, 0xffff0000u }, /* 169.254.0.0/16 link local */
		{ 0xac100000u, 0xfff00000u }, /* 172.16.0.0/12 */
		{ 0xc0000000u, 0xffffff00u }, /* 192.0.0.0/24 IETF protocol assignments */
		{ 0xc0000200u, 0xffffff00u }, /* 192.0.2.0/24 TEST-NET-1 */
		{ 0xc0a80000u, 0xffff0000u }, /* 192.168.0.0/16 */
		{ 0xc6120000u, 0xfffe0000u }, /* 198.18.0.0/15 benchmarking */
		{ 0xc6336400u, 0xffffff00u }, /* 198.51.100.0/24 TEST-NET-2 */
		{ 0xcb007100u, 0xffffff00u }, /* 203.0.113.0/24 TEST-NET-3 */
		{ 0xe0000000u, 0xe0000000u }, /* 224.0.0.0/3: multicast, class E, broadcast */
	};

	for (size_t i = 0; i < sizeof(non_global) / sizeof(non_global[0]); i++)
		if ((a & non_global[i].mask) == non_global[i].net)
			return false;
	return true;
}

bool nat64_prefix_allows(const struct nat64_prefix *p, const uint8_t v4[4])
{
	return !nat64_prefix_is_wkp(p) || nat64_ip4_is_global(v4);
}

void nat64_prefix_embed(const struct nat64_prefix *p, const uint8_t v4[4], uint8_t v6[16])
{
	memset(v6, 0, 16);
	memcpy(v6, p->addr, p->len / 8);
	for (unsigned int i = 0; i < 4; i++)
		v6[nat64_prefix_pos(p->len, i)] = v4[i];
}

bool nat64_prefix_contains(const struct nat64_prefix *p, const uint8_t v6[16])
{
	/* Every valid length is a multiple of 8. */
	return memcmp(v6, p->addr, p->len / 8) == 0;
}

bool nat64_prefix_extract(const struct nat64_prefix *p, const uint8_t v6[16], uint8_t v4[4])
{
	if (!nat64_prefix_contains(p, v6))
		return false;
	if (p->len < 96 && v6[8] != 0)
		return false;
	for (unsigned int i = 0; i < 4; i++)
		v4[i] = v6[nat64_prefix_pos(p->len, i)];
	return true;
}
