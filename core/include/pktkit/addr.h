/* SPDX-License-Identifier: MIT
 * addr.h - Address value types (MAC, IPv4, IPv6, prefixes, keys) with parse/format
 */
#ifndef PKTKIT_ADDR_H
#define PKTKIT_ADDR_H

#include <pktkit/common.h>

G_BEGIN_DECLS

/* A MAC address, in wire order. */
struct pk_mac {
	uint8_t b[6];
};

/* An IPv4 address, in wire (network) order. */
struct pk_ip4 {
	uint8_t b[4];
};

/* An IPv6 address, in wire order. */
struct pk_ip6 {
	uint8_t b[16];
};

/**
 * struct pk_prefix - An IPv4 or IPv6 prefix such as 10.0.0.0/8 or 2001:db8::/32
 * @family:	4 or 6; 0 for "unset"
 * @len:	Prefix length in bits (0..32 or 0..128)
 * @addr:	Address in wire order; IPv4 uses the first 4 bytes. Host bits are
 *		kept as written (10.0.0.1/24 names an interface address).
 */
struct pk_prefix {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

/* 32 bytes of key material (WireGuard keys), base64 in text form. */
struct pk_key32 {
	uint8_t b[32];
};

/* Longest text forms, including the terminating NUL. */
#define PK_MAC_STRLEN 18
#define PK_PREFIX_STRLEN 50
#define PK_KEY32_STRLEN 45 /* Since: 1.2 */

/**
 * pk_mac_parse() - Parse "aa:bb:cc:dd:ee:ff" (also '-' separated)
 * @s:		Text
 * @out:	Result
 *
 * Context: any thread.
 * Return: true on success.
 */
bool pk_mac_parse(const char *s, struct pk_mac *out);

/**
 * pk_mac_format() - Format as lowercase "aa:bb:cc:dd:ee:ff"
 * @mac:	Address
 * @buf:	At least PK_MAC_STRLEN bytes
 *
 * Context: any thread.
 * Return: @buf.
 */
char *pk_mac_format(const struct pk_mac *mac, char *buf);

/**
 * pk_prefix_parse() - Parse "a.b.c.d/len" or "x::y/len"
 * @s:		Text
 * @out:	Result
 *
 * Context: any thread.
 * Return: true on success; the length must be given and within range.
 */
bool pk_prefix_parse(const char *s, struct pk_prefix *out);

/**
 * pk_prefix_format() - Format a prefix as text
 * @p:		Prefix; one of family 0 (unset) gives ""
 * @buf:	At least PK_PREFIX_STRLEN bytes
 *
 * Context: any thread.
 * Return: @buf.
 */
char *pk_prefix_format(const struct pk_prefix *p, char *buf);

/**
 * pk_prefix_contains() - Whether @addr (4 or 16 bytes, per @p's family) is inside @p
 * @p:		Prefix
 * @family:	Family of @addr: 4 or 6
 * @addr:	Address in wire order
 *
 * Context: any thread, hot path.
 */
bool pk_prefix_contains(const struct pk_prefix *p, int family, const uint8_t *addr);

/**
 * pk_key32_parse() - Parse a 32-byte key written in base64 (as wg genkey writes it)
 * @s:		Text: exactly 44 characters of standard base64 ending in one '=',
 *		canonical (the 2 unused bits zero), nothing around it
 * @out:	Key; written only on success
 *
 * No intermediate copy of the key is left behind on the stack.
 *
 * Context: any thread.
 * Return: true if @s is such a key.
 * Since: 1.2
 */
bool pk_key32_parse(const char *s, struct pk_key32 *out);

/**
 * pk_key32_format() - Write a 32-byte key in base64
 * @k:		Key
 * @out:	Buffer of PK_KEY32_STRLEN bytes: 44 characters and a NUL
 *
 * Context: any thread.
 * Return: @out.
 * Since: 1.2
 */
char *pk_key32_format(const struct pk_key32 *k, char out[PK_KEY32_STRLEN]);

G_END_DECLS

#endif /* PKTKIT_ADDR_H */
