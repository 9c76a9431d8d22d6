/* SPDX-License-Identifier: MIT
 * wg-conf.h - The WireGuard configuration file format ([Interface], [Peer]) as text in, struct out and back
 *
 * The format wg(8) setconf and wg-quick(8) read: an INI-like text of one
 * [Interface] section and any number of [Peer] sections. The rules followed
 * here are wg(8)'s: whatever follows '#' is a comment; whitespace anywhere
 * in a line is ignored ("Allowed IPs = 10.0.0.1/32" is "AllowedIPs=10.0.0.1/32");
 * section names and keys match case-insensitively; AllowedIPs may be given on
 * several lines, which accumulate; an address without "/len" is a host
 * (/32, /128); PersistentKeepalive and FwMark take "off"; FwMark takes "0x"
 * hex; keys are the canonical base64 of exactly 32 bytes (44 characters).
 * Stricter than wg(8): a second [Interface], a key given twice in one
 * section, two peers with the same PublicKey, a [Peer] without PublicKey, a
 * file without [Interface] and a port by service name are errors, and
 * Endpoint must be a literal host name or address with a numeric port.
 *
 * Of wg-quick(8)'s own [Interface] keys, Address, DNS and MTU are kept; the
 * others (Table, PreUp, PostUp, PreDown, PostDown, SaveConfig) are accepted
 * and listed in @ignored so a tool can say they were not carried over.
 *
 * Nothing here does I/O. The structs own their strings; keys are wiped when
 * cleared. Thread context: any thread; a struct belongs to its caller.
 */
#ifndef PK_WG_CONF_H
#define PK_WG_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#define WG_CONF_KEY_LEN 32u
/* Base64 of a key plus the terminating NUL. */
#define WG_CONF_KEY_TEXT_LEN 45u

/**
 * struct wg_conf_peer - One [Peer] section
 * @public_key:		PublicKey
 * @has_psk, @psk:	PresharedKey, when given
 * @endpoint:		Endpoint normalised to "host:port" or "[v6]:port"; NULL: none
 * @allowed_ips:	AllowedIPs: char * prefixes "a/len" as pk_prefix_format()
 *			writes them (host bits kept as given), in file order
 * @persistent_keepalive: Seconds; 0: off
 * @line:		Line of the "[Peer]" header (0: not parsed from text)
 * @comment:		Text wg_conf_format() writes as "# " lines under "[Peer]"
 *			(NULL: none); never set by wg_conf_parse(), comments are dropped
 */
struct wg_conf_peer {
	uint8_t public_key[WG_CONF_KEY_LEN];
	bool has_psk;
	uint8_t psk[WG_CONF_KEY_LEN];
	char *endpoint;
	GPtrArray *allowed_ips;
	uint16_t persistent_keepalive;
	unsigned line;
	char *comment;
};

/**
 * struct wg_conf - A whole configuration file
 * @has_private_key, @private_key: PrivateKey, when given
 * @has_listen_port, @listen_port: ListenPort, when given (0: any)
 * @fwmark:		FwMark; 0: off
 * @mtu:		MTU (wg-quick); 0: not given
 * @addresses:		Address (wg-quick): char * prefixes, "/32" or "/128" added
 *			where the file gave none
 * @dns:		DNS (wg-quick): char * servers or search domains
 * @ignored:		char * "Key (line N)" of each wg-quick key not kept
 * @peers:		struct wg_conf_peer *, in file order
 * @comment:		As struct wg_conf_peer's, under "[Interface]"
 *
 * Initialise with wg_conf_init() (or let wg_conf_parse() do it), release
 * with wg_conf_clear(). The arrays are non-NULL while initialised.
 */
struct wg_conf {
	bool has_private_key;
	uint8_t private_key[WG_CONF_KEY_LEN];
	bool has_listen_port;
	uint16_t listen_port;
	uint32_t fwmark;
	uint32_t mtu;
	GPtrArray *addresses;
	GPtrArray *dns;
	GPtrArray *ignored;
	GPtrArray *peers;
	char *comment;
};

/* What wg_conf_format() writes:
 * WG_CONF_SECRETS	PrivateKey and PresharedKey (without it a comment says
 *			each was left out)
 * WG_CONF_WG_ONLY	only wg(8)'s keys, for `wg setconf` (no Address, DNS, MTU)
 */
enum wg_conf_format_flags {
	WG_CONF_SECRETS = 1u << 0,
	WG_CONF_WG_ONLY = 1u << 1,
};

/* An empty configuration. */
void wg_conf_init(struct wg_conf *c);

/* Free what @c holds and wipe its keys; @c is all zero afterwards (NULL
 * arrays: wg_conf_init() it again to reuse it), so clearing twice is fine. */
void wg_conf_clear(struct wg_conf *c);

/* A new, empty peer appended to @c (owned by @c). */
struct wg_conf_peer *wg_conf_add_peer(struct wg_conf *c);

/**
 * wg_conf_parse() - Parse a configuration file's text
 * @text:	The text; need not be NUL-terminated
 * @len:	Its length in bytes
 * @out:	Initialised by this call (any previous content is overwritten,
 *		not freed); on failure it is left all zero, holding nothing
 * @error:	PK_ERROR_INVALID with "line N: Key: reason", or for a whole-file
 *		problem (no [Interface]) a message without a line
 *
 * Return: true on success; release @out with wg_conf_clear().
 */
bool wg_conf_parse(const char *text, size_t len, struct wg_conf *out, GError **error);

/**
 * wg_conf_format() - Write a configuration file
 * @c:		The configuration
 * @flags:	enum wg_conf_format_flags
 *
 * The text is in canonical form ("Key = value", one AllowedIPs line per
 * peer, keys in the order wg(8) documents them); wg_conf_parse() of it gives
 * @c back (less the keys left out by @flags, and @ignored, which is never
 * written).
 *
 * Return: the text (g_free()). With WG_CONF_SECRETS it holds secrets: wipe
 * it (explicit_bzero()) before freeing.
 */
char *wg_conf_format(const struct wg_conf *c, unsigned flags);

/* Canonical base64 of exactly 32 bytes (44 characters ending in '=', unused
 * low bits zero) into @out; false (and @out untouched) otherwise. */
bool wg_conf_parse_key(const char *s, uint8_t out[WG_CONF_KEY_LEN]);

/* The base64 of @key into @out. Return: @out. */
char *wg_conf_format_key(const uint8_t key[WG_CONF_KEY_LEN], char out[WG_CONF_KEY_TEXT_LEN]);

/**
 * wg_conf_parse_prefixes() - Parse a comma-separated list of prefixes
 * @s:		"10.0.0.1/32, fd00::/64" (whitespace ignored); "" is an empty list
 * @out:	Each prefix appended as a normalised char * (g_free)
 * @error:	PK_ERROR_INVALID naming the item that does not parse
 *
 * An address without "/len" is a host (/32 or /128). On failure @out may
 * have received the items before the bad one.
 *
 * Return: true on success.
 */
bool wg_conf_parse_prefixes(const char *s, GPtrArray *out, GError **error);

/**
 * wg_conf_parse_endpoint() - Check and normalise an Endpoint
 * @s:		"host:port", "a.b.c.d:port" or "[v6]:port" (whitespace ignored); an
 *		unbracketed IPv6 address before the last ':' is accepted as wg(8) does
 * @error:	PK_ERROR_INVALID saying what is wrong
 *
 * Return: "host:port" or "[v6]:port" (g_free), NULL on error.
 */
char *wg_conf_parse_endpoint(const char *s, GError **error);

/* @list's char * items joined by ", " (g_free); "" for an empty list. */
char *wg_conf_join(const GPtrArray *list);

#endif /* PK_WG_CONF_H */
