/* SPDX-License-Identifier: MIT
 * wg-conf.c - The WireGuard configuration file format: parser and writer, no I/O
 *
 * A line is read as wg(8) reads it: cut at '#', every whitespace character
 * removed, then "[Section]" or "Key=Value". Each key has one row in
 * conf_keys: its section, whether it may repeat, and how its value is kept.
 * Errors name the line and the key; values quoted in them are escaped and
 * shortened, since the text may be anything.
 */
#include "wg-conf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <arpa/inet.h>

#include <pktkit/addr.h>
#include <pktkit/error.h>

/* Longest value or key quoted in an error message. */
#define QUOTE_MAX 48

enum conf_section {
	SEC_NONE,
	SEC_INTERFACE,
	SEC_PEER,
};

enum conf_key {
	K_PRIVATE_KEY,
	K_LISTEN_PORT,
	K_FWMARK,
	K_ADDRESS,
	K_DNS,
	K_MTU,
	K_TABLE,
	K_PRE_UP,
	K_POST_UP,
	K_PRE_DOWN,
	K_POST_DOWN,
	K_SAVE_CONFIG,
	K_PUBLIC_KEY,
	K_PRESHARED_KEY,
	K_ALLOWED_IPS,
	K_ENDPOINT,
	K_PERSISTENT_KEEPALIVE,
	K_COUNT,
};

/* How often a key may appear in its section. */
enum conf_repeat {
	ONCE,	    /* a second one is an error */
	ACCUMULATE, /* lists: each line adds */
	IGNORED,    /* wg-quick's, not kept: listed in wg_conf.ignored */
};

static const struct conf_key_info {
	const char *name; /* canonical spelling, as written and in messages */
	enum conf_section section;
	enum conf_repeat repeat;
} conf_keys[K_COUNT] = {
	[K_PRIVATE_KEY] = { "PrivateKey", SEC_INTERFACE, ONCE },
	[K_LISTEN_PORT] = { "ListenPort", SEC_INTERFACE, ONCE },
	[K_FWMARK] = { "FwMark", SEC_INTERFACE, ONCE },
	[K_ADDRESS] = { "Address", SEC_INTERFACE, ACCUMULATE },
	[K_DNS] = { "DNS", SEC_INTERFACE, ACCUMULATE },
	[K_MTU] = { "MTU", SEC_INTERFACE, ONCE },
	[K_TABLE] = { "Table", SEC_INTERFACE, IGNORED },
	[K_PRE_UP] = { "PreUp", SEC_INTERFACE, IGNORED },
	[K_POST_UP] = { "PostUp", SEC_INTERFACE, IGNORED },
	[K_PRE_DOWN] = { "PreDown", SEC_INTERFACE, IGNORED },
	[K_POST_DOWN] = { "PostDown", SEC_INTERFACE, IGNORED },
	[K_SAVE_CONFIG] = { "SaveConfig", SEC_INTERFACE, IGNORED },
	[K_PUBLIC_KEY] = { "PublicKey", SEC_PEER, ONCE },
	[K_PRESHARED_KEY] = { "PresharedKey", SEC_PEER, ONCE },
	[K_ALLOWED_IPS] = { "AllowedIPs", SEC_PEER, ACCUMULATE },
	[K_ENDPOINT] = { "Endpoint", SEC_PEER, ONCE },
	[K_PERSISTENT_KEEPALIVE] = { "PersistentKeepalive", SEC_PEER, ONCE },
};

static const char *const section_names[] = {
	[SEC_NONE] = "(none)",
	[SEC_INTERFACE] = "[Interface]",
	[SEC_PEER] = "[Peer]",
};

/* ---- Keys ------------------------------------------------------------------ */

bool wg_conf_parse_key(const char *s, uint8_t out[WG_CONF_KEY_LEN])
{
	return pk_key32_parse(s, (struct pk_key32 *)out);
}

char *wg_conf_format_key(const uint8_t key[WG_CONF_KEY_LEN], char out[WG_CONF_KEY_TEXT_LEN])
{
	return pk_key32_format((const struct pk_key32 *)key, out);
}

/* ---- Values ---------------------------------------------------------------- */

/* @s (at most QUOTE_MAX bytes of it) escaped for a message (g_free). */
static char *quote(const char *s)
{
	g_autofree char *cut = g_strndup(s, QUOTE_MAX);
	char *q = g_strescape(cut, NULL);

	if (strlen(s) > QUOTE_MAX) {
		char *longer = g_strconcat(q, "...", NULL);

		g_free(q);
		q = longer;
	}
	return q;
}

/* @s with every ASCII whitespace character removed (g_free). */
static char *compact(const char *s, size_t len)
{
	char *out = g_malloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isspace(s[i]))
			out[n++] = s[i];
	out[n] = '\0';
	return out;
}

/* Plain digits of @base (10 or 16), at most @max. */
static bool parse_uint(const char *s, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		int d = g_ascii_xdigit_value(*s);

		if (d < 0 || (unsigned)d >= base || (base == 10 && !g_ascii_isdigit(*s)))
			return false;
		v = v * base + (unsigned)d;
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* "off", or decimal within 0..@max. */
static bool parse_off_or_uint(const char *s, uint64_t max, uint64_t *out)
{
	if (g_ascii_strcasecmp(s, "off") == 0) {
		*out = 0;
		return true;
	}
	return parse_uint(s, 10, max, out);
}

bool wg_conf_parse_prefixes(const char *s, GPtrArray *out, GError **error)
{
	g_autofree char *all = compact(s, strlen(s));
	g_auto(GStrv) items = NULL;

	if (!*all)
		return true;
	items = g_strsplit(all, ",", -1);
	for (char **it = items; *it; it++) {
		g_autofree char *with_len = NULL;
		char buf[PK_PREFIX_STRLEN];
		struct pk_prefix p;

		if (!**it) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "empty item in the list (two commas, or one at an end)");
			return false;
		}
		if (strchr(*it, '/'))
			with_len = g_strdup(*it);
		else
			with_len = g_strconcat(*it, strchr(*it, ':') ? "/128" : "/32", NULL);
		if (!pk_prefix_parse(with_len, &p)) {
			g_autofree char *q = quote(*it);

			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "'%s' is not an address or prefix (10.0.0.1/32, fd00::/64)", q);
			return false;
		}
		g_ptr_array_add(out, g_strdup(pk_prefix_format(&p, buf)));
	}
	return true;
}

static bool host_name_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253)
		return false;
	for (; *h; h++)
		if (!g_ascii_isalnum(*h) && *h != '-' && *h != '.' && *h != '_')
			return false;
	return true;
}

/* An IPv6 literal, optionally with a zone ("fe80::1%eth0"). */
static bool ip6_literal_ok(const char *h)
{
	g_autofree char *addr = g_strdup(h);
	char *zone = strchr(addr, '%');
	struct in6_addr a;

	if (zone) {
		*zone++ = '\0';
		if (!host_name_ok(zone) || strlen(zone) > 15)
			return false;
	}
	return inet_pton(AF_INET6, addr, &a) == 1;
}

char *wg_conf_parse_endpoint(const char *s, GError **error)
{
	g_autofree char *all = compact(s, strlen(s));
	g_autofree char *host = NULL;
	const char *port_text;
	bool ip6;
	uint64_t port;

	if (all[0] == '[') {
		char *close = strchr(all, ']');

		if (!close || close[1] != ':') {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "an IPv6 endpoint is written [address]:port");
			return NULL;
		}
		host = g_strndup(all + 1, (size_t)(close - all - 1));
		port_text = close + 2;
		ip6 = true;
	} else {
		char *colon = strrchr(all, ':');

		if (!colon) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "no port: write host:port or [IPv6]:port");
			return NULL;
		}
		host = g_strndup(all, (size_t)(colon - all));
		port_text = colon + 1;
		ip6 = strchr(host, ':') != NULL;
	}
	if (ip6 ? !ip6_literal_ok(host) : !host_name_ok(host)) {
		g_autofree char *q = quote(host);

		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "'%s' is not %s", q,
			    ip6 ? "an IPv6 address" : "a host name or IPv4 address");
		return NULL;
	}
	if (!parse_uint(port_text, 10, 65535, &port) || port == 0) {
		g_autofree char *q = quote(port_text);

		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "'%s' is not a port (1..65535)", q);
		return NULL;
	}
	return ip6 ? g_strdup_printf("[%s]:%u", host, (unsigned)port)
		   : g_strdup_printf("%s:%u", host, (unsigned)port);
}

char *wg_conf_join(const GPtrArray *list)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; list && i < list->len; i++) {
		if (i)
			g_string_append(s, ", ");
		g_string_append(s, g_ptr_array_index(list, i));
	}
	return g_string_free(s, FALSE);
}

/* ---- Structs --------------------------------------------------------------- */

static void peer_free(gpointer data)
{
	struct wg_conf_peer *p = data;

	g_free(p->endpoint);
	g_free(p->comment);
	g_ptr_array_unref(p->allowed_ips);
	explicit_bzero(p, sizeof(*p));
	g_free(p);
}

void wg_conf_init(struct wg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->addresses = g_ptr_array_new_with_free_func(g_free);
	c->dns = g_ptr_array_new_with_free_func(g_free);
	c->ignored = g_ptr_array_new_with_free_func(g_free);
	c->peers = g_ptr_array_new_with_free_func(peer_free);
}

void wg_conf_clear(struct wg_conf *c)
{
	g_clear_pointer(&c->addresses, g_ptr_array_unref);
	g_clear_pointer(&c->dns, g_ptr_array_unref);
	g_clear_pointer(&c->ignored, g_ptr_array_unref);
	g_clear_pointer(&c->peers, g_ptr_array_unref);
	g_free(c->comment);
	explicit_bzero(c, sizeof(*c));
}

struct wg_conf_peer *wg_conf_add_peer(struct wg_conf *c)
{
	struct wg_conf_peer *p = g_new0(struct wg_conf_peer, 1);

	p->allowed_ips = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(c->peers, p);
	return p;
}

/* ---- Parser ---------------------------------------------------------------- */

struct parser {
	struct wg_conf *c;
	enum conf_section section;
	unsigned line;		   /* the current line, from 1 */
	unsigned interface_line;   /* of "[Interface]"; 0: none yet */
	unsigned seen[K_COUNT];	   /* line of each key in this section; 0: not yet */
	struct wg_conf_peer *peer; /* in [Peer]: the one being filled */
	bool peer_has_key;
};

static bool fail(struct parser *ps, GError **error, const char *key, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* A "line N: Key: ..." error (no "Key: " when @key is NULL). */
static bool fail(struct parser *ps, GError **error, const char *key, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "line %u: %s%s%s", ps->line, key ? key : "",
		    key ? ": " : "", msg);
	return false;
}

/* The [Peer] being left is complete and its key unique. */
static bool peer_done(struct parser *ps, GError **error)
{
	struct wg_conf_peer *p = ps->peer;
	GPtrArray *peers = ps->c->peers;

	if (!p)
		return true;
	ps->peer = NULL;
	if (!ps->peer_has_key) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "line %u: [Peer]: no PublicKey (every peer needs one)", p->line);
		return false;
	}
	for (guint i = 0; i + 1 < peers->len; i++) {
		const struct wg_conf_peer *o = g_ptr_array_index(peers, i);

		if (memcmp(o->public_key, p->public_key, WG_CONF_KEY_LEN) == 0) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "line %u: PublicKey: the peer of line %u has the same key",
				    ps->seen[K_PUBLIC_KEY], o->line);
			return false;
		}
	}
	return true;
}

static bool parse_section(struct parser *ps, const char *text, GError **error)
{
	size_t n = strlen(text);
	g_autofree char *name = NULL;

	if (n < 2 || text[n - 1] != ']') {
		g_autofree char *q = quote(text);

		return fail(ps, error, NULL, "'%s': expected [Interface] or [Peer]", q);
	}
	name = g_strndup(text + 1, n - 2);
	if (!peer_done(ps, error))
		return false;
	memset(ps->seen, 0, sizeof(ps->seen));
	if (g_ascii_strcasecmp(name, "Interface") == 0) {
		if (ps->interface_line)
			return fail(ps, error, NULL,
				    "a second [Interface] section (the first is on line %u)",
				    ps->interface_line);
		ps->section = SEC_INTERFACE;
		ps->interface_line = ps->line;
		return true;
	}
	if (g_ascii_strcasecmp(name, "Peer") == 0) {
		ps->section = SEC_PEER;
		ps->peer = wg_conf_add_peer(ps->c);
		ps->peer->line = ps->line;
		ps->peer_has_key = false;
		return true;
	}
	{
		g_autofree char *q = quote(name);

		return fail(ps, error, NULL,
			    "unknown section [%s]: the sections are [Interface] and [Peer]", q);
	}
}

static bool parse_list(struct parser *ps, const char *key, const char *value, GPtrArray *out,
		       GError **error)
{
	g_auto(GStrv) items = NULL;

	if (!*value)
		return true;
	items = g_strsplit(value, ",", -1);
	for (char **it = items; *it; it++) {
		for (const char *ch = *it; *ch; ch++) {
			if (*ch < 0x21 || *ch > 0x7e) {
				g_autofree char *q = quote(*it);

				return fail(ps, error, key, "'%s' is not a server or domain", q);
			}
		}
		if (!**it)
			return fail(ps, error, key,
				    "empty item in the list (two commas, or one at an end)");
		g_ptr_array_add(out, g_strdup(*it));
	}
	return true;
}

static bool parse_value(struct parser *ps, enum conf_key k, const char *value, GError **error)
{
	const char *name = conf_keys[k].name;
	struct wg_conf *c = ps->c;
	struct wg_conf_peer *p = ps->peer;
	g_autoptr(GError) why = NULL;
	g_autofree char *q = quote(value);
	uint64_t v;

	switch (k) {
	case K_PRIVATE_KEY:
	case K_PUBLIC_KEY:
	case K_PRESHARED_KEY: {
		uint8_t *dst = k == K_PRIVATE_KEY  ? c->private_key
			       : k == K_PUBLIC_KEY ? p->public_key
						   : p->psk;

		if (!wg_conf_parse_key(value, dst))
			return fail(ps, error, name,
				    "not a key (44 characters of base64 for 32 bytes, as "
				    "`wg %s` writes it)",
				    k == K_PRESHARED_KEY ? "genpsk"
				    : k == K_PUBLIC_KEY	 ? "pubkey"
							 : "genkey");
		if (k == K_PRIVATE_KEY)
			c->has_private_key = true;
		else if (k == K_PUBLIC_KEY)
			ps->peer_has_key = true;
		else
			p->has_psk = true;
		return true;
	}
	case K_LISTEN_PORT:
		if (!parse_uint(value, 10, 65535, &v))
			return fail(ps, error, name, "'%s' is not a port (0..65535)", q);
		c->has_listen_port = true;
		c->listen_port = (uint16_t)v;
		return true;
	case K_FWMARK:
		if (g_ascii_strncasecmp(value, "0x", 2) == 0
			    ? !parse_uint(value + 2, 16, UINT32_MAX, &v)
			    : !parse_off_or_uint(value, UINT32_MAX, &v))
			return fail(ps, error, name,
				    "'%s' is not a mark (\"off\", 0..4294967295 or 0x hex)", q);
		c->fwmark = (uint32_t)v;
		return true;
	case K_MTU:
		if (!parse_uint(value, 10, 65535, &v) || v < 68)
			return fail(ps, error, name, "'%s' is not an MTU (68..65535)", q);
		c->mtu = (uint32_t)v;
		return true;
	case K_ADDRESS:
	case K_ALLOWED_IPS:
		if (!wg_conf_parse_prefixes(value, k == K_ADDRESS ? c->addresses : p->allowed_ips,
					    &why))
			return fail(ps, error, name, "%s", why->message);
		return true;
	case K_DNS:
		return parse_list(ps, name, value, c->dns, error);
	case K_ENDPOINT:
		g_free(p->endpoint);
		p->endpoint = wg_conf_parse_endpoint(value, &why);
		if (!p->endpoint)
			return fail(ps, error, name, "%s", why->message);
		return true;
	case K_PERSISTENT_KEEPALIVE:
		if (!parse_off_or_uint(value, 65535, &v))
			return fail(ps, error, name,
				    "'%s' is not an interval (\"off\" or 0..65535 seconds)", q);
		p->persistent_keepalive = (uint16_t)v;
		return true;
	default:
		g_ptr_array_add(c->ignored, g_strdup_printf("%s (line %u)", name, ps->line));
		return true;
	}
}

static bool parse_line(struct parser *ps, const char *text, GError **error)
{
	const char *eq;
	g_autofree char *key = NULL;
	int k;

	if (text[0] == '[')
		return parse_section(ps, text, error);
	eq = strchr(text, '=');
	if (!eq || eq == text) {
		g_autofree char *q = quote(text);

		return fail(ps, error, NULL, "'%s': expected Key = Value or a [Section]", q);
	}
	key = g_strndup(text, (size_t)(eq - text));
	for (k = 0; k < K_COUNT; k++)
		if (g_ascii_strcasecmp(key, conf_keys[k].name) == 0)
			break;
	if (k == K_COUNT) {
		g_autofree char *q = quote(key);

		return fail(ps, error, NULL, "unknown key '%s' in %s", q,
			    section_names[ps->section]);
	}
	if (ps->section == SEC_NONE)
		return fail(ps, error, conf_keys[k].name, "outside a section: put it under %s",
			    section_names[conf_keys[k].section]);
	if (conf_keys[k].section != ps->section)
		return fail(ps, error, conf_keys[k].name, "belongs in %s, not in %s",
			    section_names[conf_keys[k].section], section_names[ps->section]);
	if (conf_keys[k].repeat == ONCE && ps->seen[k])
		return fail(ps, error, conf_keys[k].name, "given twice (first on line %u)",
			    ps->seen[k]);
	ps->seen[k] = ps->line;
	return parse_value(ps, (enum conf_key)k, eq + 1, error);
}

bool wg_conf_parse(const char *text, size_t len, struct wg_conf *out, GError **error)
{
	struct parser ps = { .c = out };
	size_t pos = 0;

	g_return_val_if_fail(text || len == 0, false);
	wg_conf_init(out);
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		const char *hash = memchr(start, '#', n);
		g_autofree char *line = NULL;

		pos += n + (nl != NULL);
		ps.line++;
		if (hash)
			n = (size_t)(hash - start);
		if (memchr(start, '\0', n)) {
			fail(&ps, error, NULL, "a NUL byte: this is not a text file");
			goto err;
		}
		line = compact(start, n);
		if (*line && !parse_line(&ps, line, error))
			goto err;
	}
	if (!peer_done(&ps, error))
		goto err;
	if (!ps.interface_line) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "no [Interface] section: a configuration needs one, with the "
			    "PrivateKey");
		goto err;
	}
	return true;
err:
	wg_conf_clear(out);
	return false;
}

/* ---- Writer ---------------------------------------------------------------- */

static void put_list(GString *s, const char *key, const GPtrArray *list)
{
	g_autofree char *joined = NULL;

	if (!list || !list->len)
		return;
	joined = wg_conf_join(list);
	g_string_append_printf(s, "%s = %s\n", key, joined);
}

static void put_comment(GString *s, const char *comment)
{
	g_auto(GStrv) lines = NULL;

	if (!comment)
		return;
	lines = g_strsplit(comment, "\n", -1);
	for (char **l = lines; *l; l++)
		g_string_append_printf(s, "# %s\n", *l);
}

static void put_key(GString *s, const char *key, const uint8_t k[WG_CONF_KEY_LEN], bool secrets)
{
	char b64[WG_CONF_KEY_TEXT_LEN];

	if (!secrets) {
		g_string_append_printf(s, "# %s left out (secret)\n", key);
		return;
	}
	g_string_append_printf(s, "%s = %s\n", key, wg_conf_format_key(k, b64));
	explicit_bzero(b64, sizeof(b64));
}

char *wg_conf_format(const struct wg_conf *c, unsigned flags)
{
	bool secrets = flags & WG_CONF_SECRETS;
	/* Big enough that the text holding keys is never reallocated (and a
	 * copy left behind unwiped) for a typical file. */
	GString *s = g_string_sized_new(1024 + (c->peers ? c->peers->len * 256u : 0));
	char b64[WG_CONF_KEY_TEXT_LEN];

	g_string_append(s, "[Interface]\n");
	put_comment(s, c->comment);
	if (c->has_private_key)
		put_key(s, "PrivateKey", c->private_key, secrets);
	if (c->has_listen_port)
		g_string_append_printf(s, "ListenPort = %u\n", c->listen_port);
	if (c->fwmark)
		g_string_append_printf(s, "FwMark = 0x%" PRIx32 "\n", c->fwmark);
	if (!(flags & WG_CONF_WG_ONLY)) {
		put_list(s, "Address", c->addresses);
		put_list(s, "DNS", c->dns);
		if (c->mtu)
			g_string_append_printf(s, "MTU = %" PRIu32 "\n", c->mtu);
	}
	for (guint i = 0; c->peers && i < c->peers->len; i++) {
		const struct wg_conf_peer *p = g_ptr_array_index(c->peers, i);

		g_string_append(s, "\n[Peer]\n");
		put_comment(s, p->comment);
		g_string_append_printf(s, "PublicKey = %s\n",
				       wg_conf_format_key(p->public_key, b64));
		if (p->has_psk)
			put_key(s, "PresharedKey", p->psk, secrets);
		put_list(s, "AllowedIPs", p->allowed_ips);
		if (p->endpoint)
			g_string_append_printf(s, "Endpoint = %s\n", p->endpoint);
		if (p->persistent_keepalive)
			g_string_append_printf(s, "PersistentKeepalive = %u\n",
					       p->persistent_keepalive);
	}
	return g_string_free(s, FALSE);
}
