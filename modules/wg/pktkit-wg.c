/* SPDX-License-Identifier: MIT
 * pktkit-wg.c - Turn a WireGuard configuration file into a topology (import) and an l3.wg device back into one (export)
 *
 * import reads a file as wg(8) and wg-quick(8) read it (wg-conf.c) and
 * prints a topology with one l3.wg device, and with --tun an io.tun device
 * carrying wg-quick's Address, MTU and routes. export reads a topology file
 * and prints the configuration of one l3.wg device. Nothing is written but
 * standard output; secrets appear in the output only when they were in the
 * input.
 *
 * Exit status: 0 success, 1 error, 2 usage.
 */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <pktkit/addr.h>
#include <pktkit/error.h>

#include "wg-conf.h"

#define PROG "pktkit-wg"
#define EXIT_USAGE 2
#define ID_MAX 64
#define WG_TYPE "l3.wg"
#define TUN_TYPE "io.tun"
#define WG_MTU_DEFAULT 1420u
/* l3.wg's range for "mtu" (io.tun's, 68..65521, is wider). */
#define WG_MTU_MIN 576u
#define WG_MTU_MAX 65440u

static const char help_text[] =
	"Usage:\n"
	"  " PROG " import FILE.conf [--id ID] [--tun IFNAME] [--key-file PATH]\n"
	"  " PROG " export TOPOLOGY.json ID [--strip]\n"
	"\n"
	"Moves a WireGuard configuration between the format of wg(8) and wg-quick(8)\n"
	"([Interface] and [Peer] sections) and a pktkit topology with an l3.wg device.\n"
	"\n"
	"import FILE.conf\n"
	"  Reads FILE.conf as `wg setconf` and `wg-quick up` read it and prints a\n"
	"  complete topology (JSON) with one l3.wg device holding the interface and\n"
	"  its peers. THE OUTPUT CONTAINS THE PRIVATE KEY (and preshared keys) of the\n"
	"  file unless --key-file is given: keep it as private as the file.\n"
	"  --id ID         device id (default: FILE's name without .conf, e.g. wg0)\n"
	"  --tun IFNAME    add an io.tun device \"ID-tun\" making the kernel interface\n"
	"                  IFNAME, linked to the l3.wg device's port \"ip\", with\n"
	"                  wg-quick's Address and MTU and a route for each peer's\n"
	"                  AllowedIPs (not for 0.0.0.0/0 or ::/0, which would route\n"
	"                  the tunnel's own packets into it; those are reported)\n"
	"  --key-file PATH the device reads its private key from PATH (base64, as\n"
	"                  `wg genkey` writes it) instead; FILE's PrivateKey is left out\n"
	"  wg-quick keys with no pktkit equivalent (DNS, Table, PreUp, PostUp,\n"
	"  PreDown, PostDown, SaveConfig) are reported on standard error and left out.\n"
	"\n"
	"export TOPOLOGY.json ID\n"
	"  Prints the configuration of the l3.wg device ID of a topology file (or of\n"
	"  `pktkitctl export` output). Keys come from \"private-key\" or from the file\n"
	"  \"private-key-file\" names (a comment says so when it cannot be read);\n"
	"  secrets are written only when the input has them. Addresses come from an\n"
	"  io.tun device linked to ID, MTU from the device's mtu. Settings with no\n"
	"  WireGuard equivalent (bind-address, isolate-peers, peer-template,\n"
	"  handshake-load-threshold) are written as comments.\n"
	"  --strip         only the keys `wg setconf` takes (no Address, DNS, MTU),\n"
	"                  like `wg-quick strip`\n"
	"\n"
	"Exit status: 0 success; 1 error (the message says which file, line and key);\n"
	"2 usage.\n"
	"See docs/wireguard.md for the mapping of keys to parameters.\n";

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int usage(const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", PROG, text, PROG);
	return EXIT_USAGE;
}

static int error_exit(const char *where, const char *msg)
{
	fprintf(stderr, "%s: %s%s%s\n", PROG, where ? where : "", where ? ": " : "", msg);
	return 1;
}

static void warn(const char *where, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void warn(const char *where, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: warning: %s: %s\n", PROG, where, text);
}

static bool id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > ID_MAX)
		return false;
	for (; *id; id++)
		if (!g_ascii_isalnum(*id) && *id != '_' && *id != '-')
			return false;
	return true;
}

/* A key file's content: the base64 key and optional whitespace. */
static bool read_key_file(const char *path, uint8_t key[WG_CONF_KEY_LEN], GError **error)
{
	g_autofree char *text = NULL;
	size_t len = 0;
	bool ok;

	if (!g_file_get_contents(path, &text, &len, error))
		return false;
	g_strstrip(text);
	ok = wg_conf_parse_key(text, key);
	explicit_bzero(text, len);
	if (!ok)
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "%s: not a key (one line of 44 characters of base64, as `wg genkey` "
			    "writes it)",
			    path);
	return ok;
}

/* ---- import ---------------------------------------------------------------- */

/* @p with its host bits cleared. */
static void prefix_mask(struct pk_prefix *p)
{
	unsigned bytes = p->family == 4 ? 4 : 16;

	for (unsigned i = 0; i < bytes; i++) {
		unsigned from = i * 8;

		if (from >= p->len)
			p->addr[i] = 0;
		else if (p->len - from < 8)
			p->addr[i] &= (uint8_t)(0xff00u >> (p->len - from));
	}
}

/* Whether @outer covers @inner (same family, no longer, @inner's network inside). */
static bool prefix_covers(const struct pk_prefix *outer, const struct pk_prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	       pk_prefix_contains(outer, outer->family, inner->addr);
}

/* The routes io.tun needs for the peers' AllowedIPs: each network once, none
 * already covered by a broader one or by an address's on-link prefix (as
 * wg-quick skips routes the interface has), no default routes. */
static GPtrArray *tun_routes(const struct wg_conf *c, const char *where)
{
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(struct pk_prefix));
	g_autoptr(GArray) on_link = g_array_new(FALSE, FALSE, sizeof(struct pk_prefix));
	GPtrArray *routes = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < c->addresses->len; i++) {
		struct pk_prefix p;

		if (pk_prefix_parse(g_ptr_array_index(c->addresses, i), &p)) {
			prefix_mask(&p);
			g_array_append_val(on_link, p);
		}
	}
	for (guint i = 0; i < c->peers->len; i++) {
		const struct wg_conf_peer *peer = g_ptr_array_index(c->peers, i);

		for (guint j = 0; j < peer->allowed_ips->len; j++) {
			struct pk_prefix p;

			if (!pk_prefix_parse(g_ptr_array_index(peer->allowed_ips, j), &p))
				continue;
			prefix_mask(&p);
			if (p.len == 0) {
				char buf[PK_PREFIX_STRLEN];

				warn(where,
				     "AllowedIPs %s of the peer of line %u: no route added (a "
				     "default route through the tunnel would carry the tunnel's "
				     "own UDP packets too); add narrower routes to \"routes\" "
				     "if you want them",
				     pk_prefix_format(&p, buf), peer->line);
				continue;
			}
			g_array_append_val(all, p);
		}
	}
	for (guint i = 0; i < all->len; i++) {
		const struct pk_prefix *p = &g_array_index(all, struct pk_prefix, i);
		char buf[PK_PREFIX_STRLEN];
		bool covered = false;

		for (guint j = 0; j < on_link->len && !covered; j++)
			covered = prefix_covers(&g_array_index(on_link, struct pk_prefix, j), p);
		for (guint j = 0; j < all->len && !covered; j++) {
			const struct pk_prefix *q = &g_array_index(all, struct pk_prefix, j);

			/* A broader one, or the same one seen earlier. */
			covered = j != i && prefix_covers(q, p) && (q->len < p->len || j < i);
		}
		if (!covered)
			g_ptr_array_add(routes, g_strdup(pk_prefix_format(p, buf)));
	}
	return routes;
}

static void add_wg_device(JsonBuilder *b, const struct wg_conf *c, const char *key_file)
{
	char b64[WG_CONF_KEY_TEXT_LEN];

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, WG_TYPE);
	if (key_file) {
		json_builder_set_member_name(b, "private-key-file");
		json_builder_add_string_value(b, key_file);
	} else {
		json_builder_set_member_name(b, "private-key");
		json_builder_add_string_value(b, wg_conf_format_key(c->private_key, b64));
	}
	if (c->has_listen_port && c->listen_port) {
		json_builder_set_member_name(b, "listen-port");
		json_builder_add_int_value(b, c->listen_port);
	}
	if (c->fwmark) {
		json_builder_set_member_name(b, "fwmark");
		json_builder_add_int_value(b, c->fwmark);
	}
	if (c->mtu) {
		json_builder_set_member_name(b, "mtu");
		json_builder_add_int_value(b, c->mtu);
	}
	json_builder_set_member_name(b, "peers");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->peers->len; i++) {
		const struct wg_conf_peer *p = g_ptr_array_index(c->peers, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "public-key");
		json_builder_add_string_value(b, wg_conf_format_key(p->public_key, b64));
		if (p->has_psk) {
			json_builder_set_member_name(b, "preshared-key");
			json_builder_add_string_value(b, wg_conf_format_key(p->psk, b64));
		}
		if (p->endpoint) {
			json_builder_set_member_name(b, "endpoint");
			json_builder_add_string_value(b, p->endpoint);
		}
		if (p->allowed_ips->len) {
			g_autofree char *ips = wg_conf_join(p->allowed_ips);

			json_builder_set_member_name(b, "allowed-ips");
			json_builder_add_string_value(b, ips);
		}
		if (p->persistent_keepalive) {
			json_builder_set_member_name(b, "persistent-keepalive");
			json_builder_add_int_value(b, p->persistent_keepalive);
		}
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	explicit_bzero(b64, sizeof(b64));
}

static void add_tun_device(JsonBuilder *b, const struct wg_conf *c, const char *ifname,
			   const char *where)
{
	g_autoptr(GPtrArray) routes = tun_routes(c, where);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, TUN_TYPE);
	json_builder_set_member_name(b, "ifname");
	json_builder_add_string_value(b, ifname);
	/* wg-quick's automatic MTU is the l3.wg default's reasoning: 1420. */
	json_builder_set_member_name(b, "mtu");
	json_builder_add_int_value(b, c->mtu ? c->mtu : WG_MTU_DEFAULT);
	json_builder_set_member_name(b, "addresses");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->addresses->len; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "prefix");
		json_builder_add_string_value(b, g_ptr_array_index(c->addresses, i));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "routes");
	json_builder_begin_array(b);
	for (guint i = 0; i < routes->len; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "prefix");
		json_builder_add_string_value(b, g_ptr_array_index(routes, i));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static int cmd_import(int argc, char **argv)
{
	const char *path = NULL, *id = NULL, *tun = NULL, *key_file = NULL;
	g_autofree char *text = NULL, *derived_id = NULL, *tun_id = NULL, *json = NULL;
	g_autofree char *key_path = NULL, *base = NULL, *comment = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(JsonGenerator) gen = NULL;
	g_autoptr(JsonNode) root = NULL;
	struct wg_conf c;
	size_t len = 0;

	for (int i = 1; i < argc; i++) {
		const char **opt = strcmp(argv[i], "--id") == 0		? &id
				   : strcmp(argv[i], "--tun") == 0	? &tun
				   : strcmp(argv[i], "--key-file") == 0 ? &key_file
									: NULL;

		if (opt) {
			if (i + 1 >= argc)
				return usage("import: %s needs a value", argv[i]);
			*opt = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage("import: unknown option '%s'", argv[i]);
		} else if (path) {
			return usage("import: one FILE only ('%s' and '%s')", path, argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path)
		return usage("import: no FILE given");
	if (!id) {
		base = g_path_get_basename(path);
		derived_id = g_str_has_suffix(base, ".conf")
				     ? g_strndup(base, strlen(base) - strlen(".conf"))
				     : g_strdup(base);
		id = derived_id;
		if (!id_ok(id))
			return usage(
				"import: '%s' cannot be a device id (letters, digits, _ and -, "
				"at most %d): give --id ID",
				id, ID_MAX);
	} else if (!id_ok(id)) {
		return usage("import: --id '%s': letters, digits, _ and - only, at most %d", id,
			     ID_MAX);
	}
	if (tun) {
		tun_id = g_strconcat(id, "-tun", NULL);
		if (!id_ok(tun_id))
			return usage(
				"import: --id '%s' is too long for the io.tun device's id '%s'", id,
				tun_id);
		if (!*tun || strlen(tun) > 15 || strchr(tun, '/') || g_ascii_isspace(*tun))
			return usage("import: --tun '%s' is not an interface name (1..15 "
				     "characters)",
				     tun);
	}

	if (!g_file_get_contents(path, &text, &len, &error))
		return error_exit(NULL, error->message);
	if (!wg_conf_parse(text, len, &c, &error)) {
		explicit_bzero(text, len);
		return error_exit(path, error->message);
	}
	explicit_bzero(text, len);
	if (key_file) {
		key_path = g_canonicalize_filename(key_file, NULL);
		if (c.has_private_key)
			warn(path, "PrivateKey left out: the device reads %s", key_path);
	} else if (!c.has_private_key) {
		wg_conf_clear(&c);
		return error_exit(path, "no PrivateKey in [Interface]: add it, or give --key-file "
					"PATH");
	}
	if (c.mtu && (c.mtu < WG_MTU_MIN || c.mtu > WG_MTU_MAX)) {
		g_autofree char *msg = g_strdup_printf("MTU %u: an l3.wg device takes %u..%u",
						       c.mtu, WG_MTU_MIN, WG_MTU_MAX);

		wg_conf_clear(&c);
		return error_exit(path, msg);
	}
	for (guint i = 0; i < c.ignored->len; i++)
		warn(path, "%s: a wg-quick key with no pktkit equivalent; left out",
		     (const char *)g_ptr_array_index(c.ignored, i));
	if (c.dns->len)
		warn(path, "DNS: pktkit does not configure the host's resolver; left out");
	if (c.addresses->len && !tun)
		warn(path, "Address: only used with --tun (the io.tun device's addresses); left "
			   "out");

	b = json_builder_new();
	json_builder_begin_object(b);
	comment = g_strdup_printf("Imported by " PROG " from %s", path);
	json_builder_set_member_name(b, "comment");
	json_builder_add_string_value(b, comment);
	json_builder_set_member_name(b, "devices");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, id);
	add_wg_device(b, &c, key_path);
	if (tun) {
		json_builder_set_member_name(b, tun_id);
		add_tun_device(b, &c, tun, path);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "links");
	json_builder_begin_array(b);
	if (tun) {
		g_autofree char *wg_end = g_strconcat(id, ".ip", NULL);
		g_autofree char *tun_end = g_strconcat(tun_id, ".ip", NULL);

		json_builder_begin_array(b);
		json_builder_add_string_value(b, wg_end);
		json_builder_add_string_value(b, tun_end);
		json_builder_end_array(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	wg_conf_clear(&c);

	root = json_builder_get_root(b);
	gen = json_generator_new();
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	json = json_generator_to_data(gen, &len);
	fwrite(json, 1, len, stdout);
	fputc('\n', stdout);
	explicit_bzero(json, len);
	return fflush(stdout) == 0 ? 0 : error_exit("standard output", g_strerror(errno));
}

/* ---- export ---------------------------------------------------------------- */

/* An error about the value at @path ("devices.wg0.peers[1].endpoint"). */
static bool bad(GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static bool bad(GError **error, const char *path, const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "%s: %s", path, text);
	return false;
}

/* Members of a given JSON type, or NULL (never a critical for the wrong type). */
static const char *obj_string(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		       ? json_node_get_string(n)
		       : NULL;
}

/* A string member, "" when absent or not a string (get_string() reports the latter). */
static const char *str_or_empty(JsonObject *o, const char *name)
{
	const char *s = obj_string(o, name);

	return s ? s : "";
}

static JsonObject *obj_object(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *obj_array(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static bool get_string(JsonNode *n, const char *path, const char **out, GError **error)
{
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return bad(error, path, "expected a string");
	*out = json_node_get_string(n);
	return true;
}

static bool get_uint(JsonNode *n, const char *path, uint64_t max, uint64_t *out, GError **error)
{
	int64_t v;

	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return bad(error, path, "expected an integer");
	v = json_node_get_int(n);
	if (v < 0 || (uint64_t)v > max)
		return bad(error, path,
			   "%" G_GINT64_FORMAT " is out of range (0..%" G_GUINT64_FORMAT ")", v,
			   max);
	*out = (uint64_t)v;
	return true;
}

static bool get_key(JsonNode *n, const char *path, uint8_t key[WG_CONF_KEY_LEN], GError **error)
{
	const char *s = NULL;

	if (!get_string(n, path, &s, error))
		return false;
	if (!wg_conf_parse_key(s, key))
		return bad(error, path, "not a key (44 characters of base64 for 32 bytes)");
	return true;
}

/* A key from a "...-file" parameter: true with the key, or true with a
 * comment in *@note when the file cannot be read (the device's host may be
 * another machine); false for a file that holds no key. */
static bool get_key_file(JsonNode *n, const char *path, const char *what,
			 uint8_t key[WG_CONF_KEY_LEN], bool *have, char **note, GError **error)
{
	g_autoptr(GError) why = NULL;
	const char *file = NULL;

	if (!get_string(n, path, &file, error))
		return false;
	if (read_key_file(file, key, &why)) {
		*have = true;
		return true;
	}
	if (g_error_matches(why, PK_ERROR, PK_ERROR_INVALID))
		return bad(error, path, "%s", why->message);
	*note = g_strdup_printf("%s omitted: %s", what, why->message);
	return true;
}

static bool load_peer(JsonNode *node, const char *path, struct wg_conf *c, GError **error)
{
	struct wg_conf_peer *p;
	JsonObject *o;
	g_autoptr(GList) members = NULL;
	bool have_key = false, have_psk_inline;

	if (!JSON_NODE_HOLDS_OBJECT(node))
		return bad(error, path, "expected an object");
	o = json_node_get_object(node);
	have_psk_inline = json_object_has_member(o, "preshared-key");
	if (have_psk_inline && *str_or_empty(o, "preshared-key-file"))
		return bad(error, path, "preshared-key and preshared-key-file are both given");
	p = wg_conf_add_peer(c);
	members = json_object_get_members(o);
	for (GList *m = members; m; m = m->next) {
		const char *name = m->data;
		JsonNode *v = json_object_get_member(o, name);
		g_autofree char *at = g_strdup_printf("%s.%s", path, name);
		g_autoptr(GError) why = NULL;
		const char *s = NULL;
		uint64_t u;

		if (strcmp(name, "public-key") == 0) {
			if (!get_key(v, at, p->public_key, error))
				return false;
			have_key = true;
		} else if (strcmp(name, "preshared-key") == 0) {
			if (!get_key(v, at, p->psk, error))
				return false;
			p->has_psk = true;
		} else if (strcmp(name, "preshared-key-file") == 0) {
			if (!*str_or_empty(o, name))
				continue; /* "": none */
			if (!get_key_file(v, at, "PresharedKey", p->psk, &p->has_psk, &p->comment,
					  error))
				return false;
		} else if (strcmp(name, "endpoint") == 0) {
			if (!get_string(v, at, &s, error))
				return false;
			if (*s && !(p->endpoint = wg_conf_parse_endpoint(s, &why)))
				return bad(error, at, "%s", why->message);
		} else if (strcmp(name, "allowed-ips") == 0) {
			if (!get_string(v, at, &s, error))
				return false;
			if (!wg_conf_parse_prefixes(s, p->allowed_ips, &why))
				return bad(error, at, "%s", why->message);
		} else if (strcmp(name, "persistent-keepalive") == 0) {
			if (!get_uint(v, at, 65535, &u, error))
				return false;
			p->persistent_keepalive = (uint16_t)u;
		} else {
			return bad(error, at, "not a parameter of an %s peer", WG_TYPE);
		}
	}
	if (!have_key)
		return bad(error, path, "no public-key");
	for (guint i = 0; i + 1 < c->peers->len; i++) {
		const struct wg_conf_peer *o2 = g_ptr_array_index(c->peers, i);

		if (memcmp(o2->public_key, p->public_key, WG_CONF_KEY_LEN) == 0)
			return bad(error, path, "a second peer with the same public-key");
	}
	return true;
}

/* The io.tun device linked to @id's port, if any: its object. */
static JsonObject *linked_tun(JsonObject *root, JsonObject *devices, const char *id)
{
	JsonArray *links = obj_array(root, "links");
	size_t idlen = strlen(id);

	for (guint i = 0; links && i < json_array_get_length(links); i++) {
		JsonNode *ln = json_array_get_element(links, i);
		JsonArray *l = JSON_NODE_HOLDS_ARRAY(ln) ? json_node_get_array(ln) : NULL;

		if (!l || json_array_get_length(l) != 2)
			continue;
		for (guint e = 0; e < 2; e++) {
			JsonNode *a = json_array_get_element(l, e),
				 *o = json_array_get_element(l, !e);
			const char *as, *os;
			g_autofree char *odev = NULL;
			JsonObject *dev;

			if (!JSON_NODE_HOLDS_VALUE(a) ||
			    json_node_get_value_type(a) != G_TYPE_STRING ||
			    !JSON_NODE_HOLDS_VALUE(o) ||
			    json_node_get_value_type(o) != G_TYPE_STRING)
				continue;
			as = json_node_get_string(a);
			os = json_node_get_string(o);
			if (strncmp(as, id, idlen) != 0 || (as[idlen] && as[idlen] != '.'))
				continue;
			odev = g_strndup(os, strcspn(os, "."));
			dev = obj_object(devices, odev);
			if (g_strcmp0(obj_string(dev, "type"), TUN_TYPE) == 0)
				return dev;
		}
	}
	return NULL;
}

static bool load_tun(JsonObject *tun, struct wg_conf *c, GError **error)
{
	JsonArray *addrs = obj_array(tun, "addresses");

	for (guint i = 0; addrs && i < json_array_get_length(addrs); i++) {
		JsonNode *n = json_array_get_element(addrs, i);
		JsonObject *a = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
		const char *prefix = obj_string(a, "prefix");

		if (prefix && !wg_conf_parse_prefixes(prefix, c->addresses, error))
			return false;
	}
	return true;
}

static bool load_device(JsonObject *root, const char *id, struct wg_conf *c, GError **error)
{
	JsonObject *devices, *dev, *tun;
	g_autoptr(GList) members = NULL;
	g_autoptr(GString) notes = g_string_new(NULL);
	g_autofree char *key_note = NULL, *dpath = g_strdup_printf("devices.%s", id);
	bool have_inline_key;
	const char *type;

	devices = obj_object(root, "devices");
	if (!devices)
		return bad(error, "devices", "missing, or not an object");
	dev = obj_object(devices, id);
	if (!dev)
		return bad(error, dpath, "no such device");
	type = obj_string(dev, "type");
	if (g_strcmp0(type, WG_TYPE) != 0)
		return bad(error, dpath, "type %s, not %s", type ? type : "(none)", WG_TYPE);
	have_inline_key = json_object_has_member(dev, "private-key");
	if (have_inline_key && *str_or_empty(dev, "private-key-file"))
		return bad(error, dpath,
			   "private-key and private-key-file are both given: keep one");

	members = json_object_get_members(dev);
	for (GList *m = members; m; m = m->next) {
		const char *name = m->data;
		JsonNode *v = json_object_get_member(dev, name);
		g_autofree char *at = g_strdup_printf("%s.%s", dpath, name);
		const char *s = NULL;
		uint64_t u;

		if (strcmp(name, "type") == 0) {
			continue;
		} else if (strcmp(name, "private-key") == 0) {
			if (!get_key(v, at, c->private_key, error))
				return false;
			c->has_private_key = true;
		} else if (strcmp(name, "private-key-file") == 0) {
			if (!*str_or_empty(dev, name))
				continue; /* "": none, as the device reads it */
			if (!get_key_file(v, at, "PrivateKey", c->private_key, &c->has_private_key,
					  &key_note, error))
				return false;
		} else if (strcmp(name, "listen-port") == 0) {
			if (!get_uint(v, at, 65535, &u, error))
				return false;
			c->has_listen_port = u != 0;
			c->listen_port = (uint16_t)u;
		} else if (strcmp(name, "fwmark") == 0) {
			if (!get_uint(v, at, UINT32_MAX, &u, error))
				return false;
			c->fwmark = (uint32_t)u;
		} else if (strcmp(name, "mtu") == 0) {
			if (!get_uint(v, at, UINT32_MAX, &u, error))
				return false;
			c->mtu = (uint32_t)u;
		} else if (strcmp(name, "bind-address") == 0) {
			if (!get_string(v, at, &s, error))
				return false;
			if (*s)
				g_string_append_printf(
					notes,
					"%sbind-address \"%s\": a pktkit setting with no WireGuard key",
					notes->len ? "\n" : "", s);
		} else if (strcmp(name, "peer-template") == 0) {
			if (!get_string(v, at, &s, error))
				return false;
			if (*s)
				g_string_append_printf(
					notes,
					"%speer-template \"%s\": a pktkit setting with no WireGuard key",
					notes->len ? "\n" : "", s);
		} else if (strcmp(name, "isolate-peers") == 0) {
			if (!JSON_NODE_HOLDS_VALUE(v) ||
			    json_node_get_value_type(v) != G_TYPE_BOOLEAN)
				return bad(error, at, "expected true or false");
			if (json_node_get_boolean(v))
				g_string_append_printf(
					notes,
					"%sisolate-peers: a pktkit setting with no WireGuard key",
					notes->len ? "\n" : "");
		} else if (strcmp(name, "handshake-load-threshold") == 0 ||
			   strcmp(name, "test-timer-divisor") == 0) {
			if (!get_uint(v, at, UINT32_MAX, &u, error))
				return false;
			g_string_append_printf(notes,
					       "%s%s %" G_GUINT64_FORMAT
					       ": a pktkit setting with no WireGuard key",
					       notes->len ? "\n" : "", name, u);
		} else if (strcmp(name, "peers") == 0) {
			JsonArray *peers;

			if (!JSON_NODE_HOLDS_ARRAY(v))
				return bad(error, at, "expected a list");
			peers = json_node_get_array(v);
			for (guint i = 0; i < json_array_get_length(peers); i++) {
				g_autofree char *pat = g_strdup_printf("%s[%u]", at, i);

				if (!load_peer(json_array_get_element(peers, i), pat, c, error))
					return false;
			}
		} else {
			return bad(error, at, "not a parameter of %s", WG_TYPE);
		}
	}
	if (key_note && !c->has_private_key)
		g_string_prepend(notes, notes->len ? "\n" : "");
	if (key_note && !c->has_private_key)
		g_string_prepend(notes, key_note);
	if (notes->len)
		c->comment = g_strdup(notes->str);
	tun = linked_tun(root, devices, id);
	if (tun && !c->addresses->len && !load_tun(tun, c, error))
		return false;
	return true;
}

static int cmd_export(int argc, char **argv)
{
	const char *path = NULL, *id = NULL;
	bool strip = false;
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	JsonNode *root;
	struct wg_conf c;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--strip") == 0)
			strip = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return usage("export: unknown option '%s'", argv[i]);
		else if (!path)
			path = argv[i];
		else if (!id)
			id = argv[i];
		else
			return usage("export: unexpected argument '%s'", argv[i]);
	}
	if (!path || !id)
		return usage("export: give TOPOLOGY.json and the device ID");
	if (!json_parser_load_from_file(parser, path, &error))
		return error_exit(path, error->message);
	root = json_parser_get_root(parser);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root))
		return error_exit(path, "not a topology (a JSON object)");
	wg_conf_init(&c);
	if (!load_device(json_node_get_object(root), id, &c, &error)) {
		wg_conf_clear(&c);
		return error_exit(path, error->message);
	}
	text = wg_conf_format(&c, WG_CONF_SECRETS | (strip ? WG_CONF_WG_ONLY : 0));
	wg_conf_clear(&c);
	if (fputs(text, stdout) == EOF || fflush(stdout) != 0)
		rc = error_exit("standard output", g_strerror(errno));
	explicit_bzero(text, strlen(text));
	return rc;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2)
		return usage("no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(help_text, stdout);
		return 0;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(help_text, stdout);
			return 0;
		}
	}
	if (strcmp(argv[1], "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return cmd_export(argc - 1, argv + 1);
	return usage("unknown command '%s' (import or export)", argv[1]);
}
