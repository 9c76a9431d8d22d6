// SPDX-License-Identifier: MIT
/* addr.c - MAC addresses and IP prefixes: strict parsing, formatting, matching
 *
 * The parsers accept exactly the canonical text forms and nothing around
 * them: no whitespace, no signs, no trailing junk. IPv4 is a dotted quad and
 * IPv6 whatever inet_pton() takes; a prefix length is always required.
 */
#include <arpa/inet.h>
#include <string.h>
#include "pktkit/addr.h"

#define ADDR_MAC_TEXT_LEN 17	/* "aa:bb:cc:dd:ee:ff" without the NUL */

/* Value of the two hex digits at @s, or -1. */
static int addr_hex_pair(const char *s)
{
	int hi = g_ascii_xdigit_value(s[0]);
	int lo = hi < 0 ? -1 : g_ascii_xdigit_value(s[1]);

	return lo < 0 ? -1 : hi << 4 | lo;
}

/**
 * pk_mac_parse() - Parse "aa:bb:cc:dd:ee:ff" (also '-' separated)
 * @s:		Text: six pairs of hex digits, one separator used throughout
 * @out:	Result, written only on success
 *
 * Context: any thread.
 * Return: true on success.
 */
bool pk_mac_parse(const char *s, struct pk_mac *out)
{
	struct pk_mac mac;
	char sep;

	if (!s || strlen(s) != ADDR_MAC_TEXT_LEN)
		return false;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return false;
	for (int i = 0; i < 6; i++) {
		const char *pair = s + 3 * i;
		int v = addr_hex_pair(pair);

		if (v < 0 || (i < 5 && pair[2] != sep))
			return false;
		mac.b[i] = (uint8_t)v;
	}
	*out = mac;
	return true;
}

/**
 * pk_mac_format() - Format as lowercase "aa:bb:cc:dd:ee:ff"
 * @mac:	Address
 * @buf:	At least PK_MAC_STRLEN bytes
 *
 * Context: any thread.
 * Return: @buf.
 */
char *pk_mac_format(const struct pk_mac *mac, char *buf)
{
	g_snprintf(buf, PK_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac->b[0], mac->b[1],
		   mac->b[2], mac->b[3], mac->b[4], mac->b[5]);
	return buf;
}

/* Parse a decimal prefix length without sign, spaces or leading zeros. */
static bool addr_parse_len(const char *s, unsigned max, uint8_t *out)
{
	unsigned v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!g_ascii_isdigit(s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint8_t)v;
	return true;
}

/**
 * pk_prefix_parse() - Parse "a.b.c.d/len" or "x::y/len"
 * @s:		Text; the address is parsed by inet_pton(), the length must be
 *		plain decimal within 0..32 (IPv4) or 0..128 (IPv6)
 * @out:	Result, written only on success; host bits are kept
 *
 * Context: any thread.
 * Return: true on success; the length must be given and within range.
 */
bool pk_prefix_parse(const char *s, struct pk_prefix *out)
{
	char addr[INET6_ADDRSTRLEN];
	struct pk_prefix p = { 0 };
	const char *slash = s ? strchr(s, '/') : NULL;
	size_t addr_len;

	if (!slash || strchr(slash + 1, '/'))
		return false;
	addr_len = (size_t)(slash - s);
	if (addr_len == 0 || addr_len >= sizeof(addr))
		return false;
	memcpy(addr, s, addr_len);
	addr[addr_len] = '\0';

	if (memchr(addr, ':', addr_len)) {
		p.family = 6;
		if (inet_pton(AF_INET6, addr, p.addr) != 1)
			return false;
	} else {
		p.family = 4;
		if (inet_pton(AF_INET, addr, p.addr) != 1)
			return false;
	}
	if (!addr_parse_len(slash + 1, p.family == 4 ? 32 : 128, &p.len))
		return false;
	*out = p;
	return true;
}

/**
 * pk_prefix_format() - Format a prefix as text
 * @p:		Prefix; an unset prefix (family 0) formats as ""
 * @buf:	At least PK_PREFIX_STRLEN bytes
 *
 * Context: any thread.
 * Return: @buf.
 */
char *pk_prefix_format(const struct pk_prefix *p, char *buf)
{
	int af = p->family == 4 ? AF_INET : AF_INET6;

	buf[0] = '\0';
	if ((p->family != 4 && p->family != 6) || !inet_ntop(af, p->addr, buf, INET6_ADDRSTRLEN))
		return buf;
	g_snprintf(buf + strlen(buf), PK_PREFIX_STRLEN - strlen(buf), "/%u", p->len);
	return buf;
}

/**
 * pk_prefix_contains() - Whether @addr (4 or 16 bytes, per @p's family) is inside @p
 * @p:		Prefix
 * @family:	Family of @addr: 4 or 6; a prefix of the other family never
 *		contains it
 * @addr:	Address in wire order
 *
 * Context: any thread, hot path.
 * Return: true if the first @p->len bits of @addr equal those of @p.
 */
PK_HOT bool pk_prefix_contains(const struct pk_prefix *p, int family, const uint8_t *addr)
{
	unsigned whole = p->len / 8u;
	unsigned rest = p->len % 8u;
	uint8_t mask;

	if (PK_UNLIKELY(p->family != family))
		return false;
	if (PK_UNLIKELY(family == 4 ? p->len > 32u : family != 6 || p->len > 128u))
		return false;
	if (memcmp(p->addr, addr, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xffu << (8u - rest));
	return ((p->addr[whole] ^ addr[whole]) & mask) == 0;
}

/* ---- 32-byte keys in base64 ---------------------------------------------- */

static const char key32_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int key32_b64_value(char c)
{
	const char *p = c ? strchr(key32_alphabet, c) : NULL;

	return p ? (int)(p - key32_alphabet) : -1;
}

bool pk_key32_parse(const char *s, struct pk_key32 *out)
{
	struct pk_key32 key;
	uint32_t acc = 0;
	unsigned bits = 0, n = 0;
	bool ok;

	if (!s || strlen(s) != PK_KEY32_STRLEN - 1 || s[PK_KEY32_STRLEN - 2] != '=')
		return false;
	/* 43 characters of 6 bits: 256 bits of key and 2 that must be zero. */
	for (unsigned i = 0; i < PK_KEY32_STRLEN - 2; i++) {
		int v = key32_b64_value(s[i]);

		if (v < 0) {
			explicit_bzero(&key, sizeof(key));
			return false;
		}
		acc = (acc << 6 | (uint32_t)v) & 0xffffu;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			key.b[n++] = (uint8_t)(acc >> bits);
		}
	}
	ok = n == sizeof(key.b) && (acc & ((1u << bits) - 1)) == 0;
	if (ok)
		*out = key;
	explicit_bzero(&key, sizeof(key));
	acc = 0;
	return ok;
}

char *pk_key32_format(const struct pk_key32 *k, char out[PK_KEY32_STRLEN])
{
	uint32_t acc = 0;
	unsigned bits = 0, n = 0;

	for (unsigned i = 0; i < sizeof(k->b); i++) {
		acc = (acc << 8 | k->b[i]) & 0xffffu;
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[n++] = key32_alphabet[(acc >> bits) & 63];
		}
	}
	out[n++] = key32_alphabet[(acc << (6 - bits)) & 63]; /* 256 = 42 * 6 + 4 */
	out[n++] = '=';
	out[n] = '\0';
	return out;
}
