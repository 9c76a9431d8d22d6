/* SPDX-License-Identifier: MIT
 * nat64-prefix.h - IPv4-embedded IPv6 addresses (RFC 6052): prefixes, embedding, extraction
 *
 * A NAT64 prefix is the Well-Known Prefix 64:ff9b::/96 or a network-specific
 * prefix of length 32, 40, 48, 56, 64 or 96. The IPv4 address follows the
 * prefix, skipping bits 64-71 (the "u" octet, always zero); the bits after
 * it (the suffix) are zero when embedding and ignored when extracting.
 *
 * Embedding and extraction are the bit layout only. The policy of RFC 6052
 * section 3.1 (the Well-Known Prefix never stands for a non-global IPv4
 * address) is nat64_prefix_allows(): the stateful translator applies it
 * before it creates a binding, DNS64 before it synthesises a record. A
 * network-specific prefix may embed any address.
 *
 * All of it is pure and allocation-free. Context: any thread.
 */
#ifndef PK_NAT64_PREFIX_H
#define PK_NAT64_PREFIX_H

#include <stdbool.h>
#include <stdint.h>

#define NAT64_WKP_TEXT "64:ff9b::/96"

/**
 * struct nat64_prefix - A NAT64 prefix
 * @addr:	The prefix bits, wire order; bits past @len are zero
 * @len:	32, 40, 48, 56, 64 or 96
 */
struct nat64_prefix {
	uint8_t addr[16];
	uint8_t len;
};

/**
 * nat64_prefix_parse() - Parse "64:ff9b::/96" or a network-specific prefix
 * @text:	The prefix as text
 * @out:	Filled in on success
 * @why:	(optional) on failure, a static sentence saying what is wrong
 *
 * Refused: not IPv6, a length other than 32/40/48/56/64/96, bits set past
 * the length, and for a /96 a non-zero u octet (bits 64-71; RFC 6052
 * section 2.2 MUST).
 *
 * Context: any thread.
 * Return: true on success.
 */
bool nat64_prefix_parse(const char *text, struct nat64_prefix *out, const char **why);

/**
 * nat64_prefix_wkp() - The Well-Known Prefix 64:ff9b::/96
 * @out:	Filled in
 *
 * Context: any thread.
 */
void nat64_prefix_wkp(struct nat64_prefix *out);

/**
 * nat64_prefix_is_wkp() - Whether @p is the Well-Known Prefix
 * @p:	Prefix
 *
 * Context: any thread.
 */
bool nat64_prefix_is_wkp(const struct nat64_prefix *p);

/**
 * nat64_ip4_is_global() - Whether an IPv4 address is global unicast
 * @v4:	Address, wire order
 *
 * False for the special-purpose blocks RFC 6890 marks not global, and for
 * multicast and class E: 0/8, 10/8, 100.64/10, 127/8, 169.254/16,
 * 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15,
 * 198.51.100/24, 203.0.113/24, 224/4, 240/4 (with 255.255.255.255).
 *
 * Context: any thread, hot path.
 */
bool nat64_ip4_is_global(const uint8_t v4[4]);

/**
 * nat64_prefix_allows() - Whether @v4 may be represented under @p (RFC 6052 section 3.1)
 * @p:	Prefix
 * @v4:	IPv4 address, wire order
 *
 * The Well-Known Prefix MUST NOT represent non-global IPv4 addresses: a
 * translator does not translate to or from them, DNS64 does not synthesise
 * them. Any address may sit under a network-specific prefix.
 *
 * Context: any thread, hot path.
 * Return: false for the WKP with a non-global @v4, true otherwise.
 */
bool nat64_prefix_allows(const struct nat64_prefix *p, const uint8_t v4[4]);

/**
 * nat64_prefix_embed() - The IPv4-embedded IPv6 address of @v4 (RFC 6052 section 2.2)
 * @p:		Prefix
 * @v4:		IPv4 address, wire order
 * @v6:		(out) IPv6 address, wire order; u octet and suffix zero
 *
 * Context: any thread, hot path.
 */
void nat64_prefix_embed(const struct nat64_prefix *p, const uint8_t v4[4], uint8_t v6[16]);

/**
 * nat64_prefix_extract() - The IPv4 address embedded in @v6, if @v6 is under @p
 * @p:		Prefix
 * @v6:		IPv6 address, wire order
 * @v4:		(out) IPv4 address, wire order (written only on success)
 *
 * The suffix is ignored (RFC 6052 section 2.2); a non-zero u octet is
 * refused for prefixes shorter than /96, since embedding never writes one
 * (it would make a second name for the same IPv4 address).
 *
 * Context: any thread, hot path.
 * Return: true if @v6 is under @p (and its u octet is zero).
 */
bool nat64_prefix_extract(const struct nat64_prefix *p, const uint8_t v6[16], uint8_t v4[4]);

/**
 * nat64_prefix_contains() - Whether @v6 is under @p (the first @p->len bits match)
 * @p:		Prefix
 * @v6:		IPv6 address, wire order
 *
 * Context: any thread, hot path.
 */
bool nat64_prefix_contains(const struct nat64_prefix *p, const uint8_t v6[16]);

#endif /* PK_NAT64_PREFIX_H */
