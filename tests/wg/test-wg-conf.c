/* SPDX-License-Identifier: MIT
 * test-wg-conf.c - The WireGuard configuration file parser and writer (modules/wg/wg-conf.c)
 *
 * A full wg-quick file parsed, formatted and parsed again gives the same
 * struct; wg(8)'s reading rules (case, whitespace, comments, accumulating
 * AllowedIPs, "off", hex FwMark, IPv6 endpoints); every error with its line
 * and key; keys in base64.
 */
#include <string.h>

#include <glib.h>
#include <pktkit/error.h>

#include "wg-conf.h"

#define KEY_A "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
#define KEY_B "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
#define KEY_C "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
#define KEY_D "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA="

static const char full_file[] =
	"# A wg-quick file as people write them\n"
	"[Interface]\n"
	"PrivateKey = " KEY_A "\n"
	"ListenPort = 51820\n"
	"FwMark = 0x1234\n"
	"Address = 10.192.122.1/24, fd00:abcd::1/64\n"
	"Address = 10.192.123.1\n"
	"DNS = 10.192.122.53, example.internal\n"
	"MTU = 1380\n"
	"Table = off\n"
	"PostUp = iptables -A FORWARD -i %i -j ACCEPT; echo up # with a comment\n"
	"PostDown = iptables -D FORWARD -i %i -j ACCEPT\n"
	"SaveConfig = false\n"
	"\n"
	"[Peer]\n"
	"# the hub\n"
	"PublicKey = " KEY_B "\n"
	"PresharedKey = " KEY_D "\n"
	"Endpoint = 192.95.5.67:1234\n"
	"AllowedIPs = 10.192.122.3/32, 10.192.124.1/24\n"
	"AllowedIPs = fd00:abcd::/64\n"
	"PersistentKeepalive = 25\n"
	"\n"
	"[Peer]\n"
	"PublicKey = " KEY_C "\n"
	"Endpoint = [2607:5300:60:6b0::c05f:543]:2468\n"
	"AllowedIPs = 10.192.122.4/32, 192.168.0.0/16\n"
	"\n"
	"[Peer]\n"
	"PublicKey = " KEY_D "\n"
	"Endpoint = test.wireguard.com:18981\n"
	"AllowedIPs = 10.10.10.230\n";

static void parse_ok(const char *text, struct wg_conf *c)
{
	g_autoptr(GError) error = NULL;

	if (!wg_conf_parse(text, strlen(text), c, &error))
		g_error("parse failed: %s\n%s", error->message, text);
}

static void assert_list(const GPtrArray *list, const char *joined)
{
	g_autofree char *s = wg_conf_join(list);

	g_assert_cmpstr(s, ==, joined);
}

static void assert_key(const uint8_t key[WG_CONF_KEY_LEN], const char *b64)
{
	char buf[WG_CONF_KEY_TEXT_LEN];

	g_assert_cmpstr(wg_conf_format_key(key, buf), ==, b64);
}

static struct wg_conf_peer *peer(const struct wg_conf *c, guint i)
{
	g_assert_cmpuint(i, <, c->peers->len);
	return g_ptr_array_index(c->peers, i);
}

/* Equal as configurations: every field but @ignored, lines and comments. */
static void assert_same(const struct wg_conf *a, const struct wg_conf *b, bool wg_only)
{
	g_assert_cmpint(a->has_private_key, ==, b->has_private_key);
	g_assert_cmpmem(a->private_key, WG_CONF_KEY_LEN, b->private_key, WG_CONF_KEY_LEN);
	g_assert_cmpint(a->has_listen_port, ==, b->has_listen_port);
	g_assert_cmpuint(a->listen_port, ==, b->listen_port);
	g_assert_cmpuint(a->fwmark, ==, b->fwmark);
	if (!wg_only) {
		g_assert_cmpuint(a->mtu, ==, b->mtu);
		g_assert_cmpuint(a->addresses->len, ==, b->addresses->len);
		for (guint i = 0; i < a->addresses->len; i++)
			g_assert_cmpstr(a->addresses->pdata[i], ==, b->addresses->pdata[i]);
		g_assert_cmpuint(a->dns->len, ==, b->dns->len);
		for (guint i = 0; i < a->dns->len; i++)
			g_assert_cmpstr(a->dns->pdata[i], ==, b->dns->pdata[i]);
	}
	g_assert_cmpuint(a->peers->len, ==, b->peers->len);
	for (guint i = 0; i < a->peers->len; i++) {
		const struct wg_conf_peer *p = peer(a, i), *q = peer(b, i);

		g_assert_cmpmem(p->public_key, WG_CONF_KEY_LEN, q->public_key, WG_CONF_KEY_LEN);
		g_assert_cmpint(p->has_psk, ==, q->has_psk);
		g_assert_cmpmem(p->psk, WG_CONF_KEY_LEN, q->psk, WG_CONF_KEY_LEN);
		g_assert_cmpstr(p->endpoint, ==, q->endpoint);
		g_assert_cmpuint(p->allowed_ips->len, ==, q->allowed_ips->len);
		for (guint j = 0; j < p->allowed_ips->len; j++)
			g_assert_cmpstr(p->allowed_ips->pdata[j], ==, q->allowed_ips->pdata[j]);
		g_assert_cmpuint(p->persistent_keepalive, ==, q->persistent_keepalive);
	}
}

static void test_full_round_trip(void)
{
	struct wg_conf c, back;
	g_autofree char *text = NULL, *again = NULL;

	parse_ok(full_file, &c);
	g_assert_true(c.has_private_key);
	assert_key(c.private_key, KEY_A);
	g_assert_true(c.has_listen_port);
	g_assert_cmpuint(c.listen_port, ==, 51820);
	g_assert_cmpuint(c.fwmark, ==, 0x1234);
	g_assert_cmpuint(c.mtu, ==, 1380);
	assert_list(c.addresses, "10.192.122.1/24, fd00:abcd::1/64, 10.192.123.1/32");
	assert_list(c.dns, "10.192.122.53, example.internal");
	assert_list(c.ignored, "Table (line 10), PostUp (line 11), PostDown (line 12), "
			       "SaveConfig (line 13)");
	g_assert_cmpuint(c.peers->len, ==, 3);
	assert_key(peer(&c, 0)->public_key, KEY_B);
	g_assert_true(peer(&c, 0)->has_psk);
	assert_key(peer(&c, 0)->psk, KEY_D);
	g_assert_cmpstr(peer(&c, 0)->endpoint, ==, "192.95.5.67:1234");
	assert_list(peer(&c, 0)->allowed_ips, "10.192.122.3/32, 10.192.124.1/24, fd00:abcd::/64");
	g_assert_cmpuint(peer(&c, 0)->persistent_keepalive, ==, 25);
	g_assert_cmpuint(peer(&c, 0)->line, ==, 15);
	g_assert_false(peer(&c, 1)->has_psk);
	g_assert_cmpstr(peer(&c, 1)->endpoint, ==, "[2607:5300:60:6b0::c05f:543]:2468");
	g_assert_cmpuint(peer(&c, 1)->persistent_keepalive, ==, 0);
	g_assert_cmpstr(peer(&c, 2)->endpoint, ==, "test.wireguard.com:18981");
	assert_list(peer(&c, 2)->allowed_ips, "10.10.10.230/32");

	text = wg_conf_format(&c, WG_CONF_SECRETS);
	parse_ok(text, &back);
	assert_same(&c, &back, false);
	g_assert_cmpuint(back.ignored->len, ==, 0);
	/* The canonical form is a fixed point. */
	again = wg_conf_format(&back, WG_CONF_SECRETS);
	g_assert_cmpstr(again, ==, text);
	g_assert_nonnull(strstr(text, "[Interface]\nPrivateKey = " KEY_A "\nListenPort = 51820\n"
				      "FwMark = 0x1234\nAddress = 10.192.122.1/24, "
				      "fd00:abcd::1/64, 10.192.123.1/32\n"));
	g_assert_nonnull(strstr(text, "\n[Peer]\nPublicKey = " KEY_B "\nPresharedKey = " KEY_D
				      "\nAllowedIPs = 10.192.122.3/32, 10.192.124.1/24, "
				      "fd00:abcd::/64\nEndpoint = 192.95.5.67:1234\n"
				      "PersistentKeepalive = 25\n"));
	explicit_bzero(text, strlen(text));
	explicit_bzero(again, strlen(again));
	wg_conf_clear(&back);
	wg_conf_clear(&c);
	wg_conf_clear(&c); /* twice is fine */
}

static void test_without_secrets(void)
{
	struct wg_conf c, back;
	g_autofree char *text = NULL;

	parse_ok(full_file, &c);
	text = wg_conf_format(&c, 0);
	g_assert_null(strstr(text, KEY_A));
	g_assert_nonnull(strstr(text, "# PrivateKey left out (secret)\n"));
	g_assert_nonnull(strstr(text, "# PresharedKey left out (secret)\n"));
	g_assert_nonnull(strstr(text, KEY_D)); /* as the third peer's public key only */
	g_assert_null(strstr(text, "PresharedKey = "));
	parse_ok(text, &back);
	g_assert_false(back.has_private_key);
	g_assert_false(peer(&back, 0)->has_psk);
	wg_conf_clear(&back);
	wg_conf_clear(&c);
}

static void test_wg_only(void)
{
	struct wg_conf c, back;
	g_autofree char *text = NULL;

	parse_ok(full_file, &c);
	text = wg_conf_format(&c, WG_CONF_SECRETS | WG_CONF_WG_ONLY);
	g_assert_null(strstr(text, "Address"));
	g_assert_null(strstr(text, "DNS"));
	g_assert_null(strstr(text, "MTU"));
	parse_ok(text, &back);
	assert_same(&c, &back, true);
	g_assert_cmpuint(back.addresses->len, ==, 0);
	g_assert_cmpuint(back.mtu, ==, 0);
	explicit_bzero(text, strlen(text));
	wg_conf_clear(&back);
	wg_conf_clear(&c);
}

/* wg(8) ignores case in sections and keys and whitespace anywhere. */
static void test_case_and_whitespace(void)
{
	static const char text[] = "  [ interface ]  # trailing comment\r\n"
				   "privatekey=" KEY_A "\r\n"
				   "\tLISTENPORT \t =  5 1 8 2 0\n"
				   "fwmark = OFF\n"
				   "mtu=1420\n"
				   "#[Peer] commented out\n"
				   "   \n"
				   "[pEeR]\n"
				   "Public Key = " KEY_B "\n"
				   "allowed ips = 10.0.0.2 , fd00::2\n"
				   "ALLOWEDIPS=\n"
				   "allowedips = 10.0.1.0/24 #, 10.0.2.0/24\n"
				   "persistentkeepalive = Off\n"
				   "endpoint = Example.COM : 51820";
	struct wg_conf c;

	parse_ok(text, &c);
	assert_key(c.private_key, KEY_A);
	g_assert_cmpuint(c.listen_port, ==, 51820);
	g_assert_cmpuint(c.fwmark, ==, 0);
	g_assert_cmpuint(c.mtu, ==, 1420);
	g_assert_cmpuint(c.peers->len, ==, 1);
	assert_list(peer(&c, 0)->allowed_ips, "10.0.0.2/32, fd00::2/128, 10.0.1.0/24");
	g_assert_cmpuint(peer(&c, 0)->persistent_keepalive, ==, 0);
	g_assert_cmpstr(peer(&c, 0)->endpoint, ==, "Example.COM:51820");
	wg_conf_clear(&c);
}

static void test_values(void)
{
	static const char text[] = "[Interface]\n"
				   "ListenPort = 0\n"
				   "FwMark = 4294967295\n"
				   "[Peer]\n"
				   "PublicKey = " KEY_B "\n"
				   "Endpoint = fd00::1:51820\n"
				   "PersistentKeepalive = 65535\n"
				   "[Peer]\n"
				   "PublicKey = " KEY_C "\n"
				   "Endpoint = [fe80::1%eth0]:1\n"
				   "PersistentKeepalive = 0\n"
				   "[Peer]\n"
				   "PublicKey = " KEY_D "\n"
				   "Endpoint = 10.0.0.1:00080\n";
	struct wg_conf c;
	g_autofree char *out = NULL;

	parse_ok(text, &c);
	g_assert_false(c.has_private_key);
	g_assert_true(c.has_listen_port);
	g_assert_cmpuint(c.listen_port, ==, 0);
	g_assert_cmpuint(c.fwmark, ==, UINT32_MAX);
	g_assert_cmpstr(peer(&c, 0)->endpoint, ==, "[fd00::1]:51820");
	g_assert_cmpuint(peer(&c, 0)->persistent_keepalive, ==, 65535);
	g_assert_cmpstr(peer(&c, 1)->endpoint, ==, "[fe80::1%eth0]:1");
	g_assert_cmpstr(peer(&c, 2)->endpoint, ==, "10.0.0.1:80");
	out = wg_conf_format(&c, 0);
	g_assert_nonnull(strstr(out, "ListenPort = 0\nFwMark = 0xffffffff\n"));
	g_assert_null(strstr(out, "PrivateKey"));
	wg_conf_clear(&c);
}

static const struct {
	const char *text;
	const char *message; /* the whole message, or its start */
} errors[] = {
	{ "", "no [Interface] section" },
	{ "# only a comment\n[Peer]\nPublicKey = " KEY_B "\n", "no [Interface] section" },
	{ "PrivateKey = " KEY_A "\n[Interface]\n",
	  "line 1: PrivateKey: outside a section: put it under [Interface]" },
	{ "[Interface]\n[Interface]\n",
	  "line 2: a second [Interface] section (the first is on line 1)" },
	{ "[Interface]\n[Peers]\n", "line 2: unknown section [Peers]" },
	{ "[Interface]\n[Peer\n", "line 2: '[Peer': expected [Interface] or [Peer]" },
	{ "[Interface]\nListenPort\n", "line 2: 'ListenPort': expected Key = Value" },
	{ "[Interface]\n= 3\n", "line 2: '=3': expected Key = Value" },
	{ "[Interface]\nListenPrt = 1\n", "line 2: unknown key 'ListenPrt' in [Interface]" },
	{ "[Interface]\nPublicKey = " KEY_B "\n",
	  "line 2: PublicKey: belongs in [Peer], not in [Interface]" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nListenPort = 1\n",
	  "line 4: ListenPort: belongs in [Interface], not in [Peer]" },
	{ "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBm=\n",
	  "line 2: PrivateKey: not a key" },
	{ "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=\n",
	  "line 2: PrivateKey: not a key" }, /* non-zero unused bits */
	{ "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk\n",
	  "line 2: PrivateKey: not a key" },
	{ "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3f!mk=\n",
	  "line 2: PrivateKey: not a key" },
	{ "[Interface]\nPrivateKey =\n", "line 2: PrivateKey: not a key" },
	{ "[Interface]\nPrivateKey = " KEY_A "\nPrivateKey = " KEY_A "\n",
	  "line 3: PrivateKey: given twice (first on line 2)" },
	{ "[Interface]\nListenPort = 65536\n", "line 2: ListenPort: '65536' is not a port" },
	{ "[Interface]\nListenPort = -1\n", "line 2: ListenPort: '-1' is not a port" },
	{ "[Interface]\nListenPort = http\n", "line 2: ListenPort: 'http' is not a port" },
	{ "[Interface]\nFwMark = 0x100000000\n", "line 2: FwMark: '0x100000000' is not a mark" },
	{ "[Interface]\nFwMark = 0x\n", "line 2: FwMark: '0x' is not a mark" },
	{ "[Interface]\nFwMark = 12ab\n", "line 2: FwMark: '12ab' is not a mark" },
	{ "[Interface]\nMTU = 67\n", "line 2: MTU: '67' is not an MTU (68..65535)" },
	{ "[Interface]\nAddress = 10.0.0.300/24\n",
	  "line 2: Address: '10.0.0.300/24' is not an address or prefix" },
	{ "[Interface]\nDNS = 1.1.1.1,,8.8.8.8\n", "line 2: DNS: empty item in the list" },
	{ "[Interface]\n\n[Peer]\nAllowedIPs = 10.0.0.0/8\n",
	  "line 3: [Peer]: no PublicKey (every peer needs one)" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\n[Peer]\nAllowedIPs = 10.0.0.0/8\n[Peer]\n",
	  "line 4: [Peer]: no PublicKey" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\n\n[Peer]\n# again\nPublicKey = " KEY_B "\n",
	  "line 7: PublicKey: the peer of line 2 has the same key" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nAllowedIPs = 10.0.0.1/33\n",
	  "line 4: AllowedIPs: '10.0.0.1/33' is not an address or prefix" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nAllowedIPs = 10.0.0.1/32,\n",
	  "line 4: AllowedIPs: empty item" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nAllowedIPs = fd00::/129\n",
	  "line 4: AllowedIPs: 'fd00::/129' is not an address or prefix" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nEndpoint = 10.0.0.1\n",
	  "line 4: Endpoint: no port" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nEndpoint = 10.0.0.1:0\n",
	  "line 4: Endpoint: '0' is not a port (1..65535)" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nEndpoint = [fd00::1:51820\n",
	  "line 4: Endpoint: an IPv6 endpoint is written [address]:port" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nEndpoint = [fd00::g]:51820\n",
	  "line 4: Endpoint: 'fd00::g' is not an IPv6 address" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nEndpoint = a/b:1\n",
	  "line 4: Endpoint: 'a/b' is not a host name or IPv4 address" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nEndpoint =\n", "line 4: Endpoint: no port" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nPersistentKeepalive = 65536\n",
	  "line 4: PersistentKeepalive: '65536' is not an interval" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nPersistentKeepalive = on\n",
	  "line 4: PersistentKeepalive: 'on' is not an interval" },
	{ "[Interface]\n[Peer]\nPublicKey = " KEY_B "\nPresharedKey = " KEY_C "\n"
	  "PresharedKey = " KEY_C "\n",
	  "line 5: PresharedKey: given twice (first on line 4)" },
	{ "[Interface]\nPost\tUp = x\nunknown\n", "line 3: 'unknown': expected Key = Value" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(errors); i++) {
		g_autoptr(GError) error = NULL;
		struct wg_conf c;

		g_test_message("case %zu: %s", i, errors[i].message);
		g_assert_false(wg_conf_parse(errors[i].text, strlen(errors[i].text), &c, &error));
		g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
		if (!g_str_has_prefix(error->message, errors[i].message))
			g_error("case %zu: got \"%s\", expected \"%s...\"", i, error->message,
				errors[i].message);
		/* A failed parse holds nothing; clearing it is harmless. */
		g_assert_null(c.peers);
		wg_conf_clear(&c);
	}
}

static void test_error_quoting(void)
{
	static const char text[] =
		"[Interface]\nListenPort = \x01\xff"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";
	static const char nul[] = "[Interface]\nListenPort = 1\0\n";
	g_autoptr(GError) error = NULL;
	struct wg_conf c;

	g_assert_false(wg_conf_parse(text, strlen(text), &c, &error));
	g_assert_true(g_utf8_validate(error->message, -1, NULL));
	g_assert_true(g_str_has_prefix(error->message, "line 2: ListenPort: '\\001\\377aaa"));
	g_assert_nonnull(strstr(error->message, "aaa...' is not a port"));
	g_clear_error(&error);
	g_assert_false(wg_conf_parse(nul, sizeof(nul) - 1, &c, &error));
	g_assert_cmpstr(error->message, ==, "line 2: a NUL byte: this is not a text file");
	g_clear_error(&error);
	/* A NUL inside a comment is as good as any other comment byte. */
	g_assert_true(wg_conf_parse("[Interface]#\0\n", 14, &c, &error));
	wg_conf_clear(&c);
}

static void test_keys(void)
{
	uint8_t k[WG_CONF_KEY_LEN], back[WG_CONF_KEY_LEN];
	char b64[WG_CONF_KEY_TEXT_LEN];

	memset(k, 0, sizeof(k));
	g_assert_cmpstr(wg_conf_format_key(k, b64), ==,
			"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	memset(k, 0xff, sizeof(k));
	g_assert_cmpstr(wg_conf_format_key(k, b64), ==,
			"//////////////////////////////////////////8=");
	for (int round = 0; round < 256; round++) {
		for (size_t i = 0; i < sizeof(k); i++)
			k[i] = (uint8_t)g_test_rand_int();
		wg_conf_format_key(k, b64);
		g_assert_cmpuint(strlen(b64), ==, WG_CONF_KEY_TEXT_LEN - 1);
		g_assert_true(wg_conf_parse_key(b64, back));
		g_assert_cmpmem(k, sizeof(k), back, sizeof(back));
	}
	g_assert_false(wg_conf_parse_key("//////////////////////////////////////////9=", back));
	g_assert_false(wg_conf_parse_key("AAAA", back));
	g_assert_false(wg_conf_parse_key(NULL, back));
}

static void test_helpers(void)
{
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	g_autofree char *joined = NULL, *ep = NULL;

	g_assert_true(wg_conf_parse_prefixes("", list, &error));
	g_assert_true(wg_conf_parse_prefixes(" 10.0.0.1 , ::ffff:1.2.3.4/128,2001:DB8::/32 ", list,
					     &error));
	joined = wg_conf_join(list);
	g_assert_cmpstr(joined, ==, "10.0.0.1/32, ::ffff:1.2.3.4/128, 2001:db8::/32");
	g_assert_false(wg_conf_parse_prefixes("10.0.0.0/8, bogus", list, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==,
			"'bogus' is not an address or prefix (10.0.0.1/32, fd00::/64)");
	g_clear_error(&error);
	ep = wg_conf_parse_endpoint(" [::1] : 51820 ", &error);
	g_assert_cmpstr(ep, ==, "[::1]:51820");
	g_assert_null(wg_conf_parse_endpoint("host:port", &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
}

/* A struct built by hand formats to what wg-quick expects. */
static void test_build(void)
{
	struct wg_conf c, back;
	struct wg_conf_peer *p;
	g_autofree char *text = NULL;

	wg_conf_init(&c);
	g_assert_true(wg_conf_parse_key(KEY_A, c.private_key));
	c.has_private_key = true;
	c.comment = g_strdup("made by hand\nsecond line");
	p = wg_conf_add_peer(&c);
	g_assert_true(wg_conf_parse_key(KEY_B, p->public_key));
	p->comment = g_strdup("a peer");
	text = wg_conf_format(&c, WG_CONF_SECRETS);
	g_assert_cmpstr(text, ==,
			"[Interface]\n# made by hand\n# second line\nPrivateKey = " KEY_A "\n"
			"\n[Peer]\n# a peer\nPublicKey = " KEY_B "\n");
	parse_ok(text, &back);
	assert_same(&c, &back, false);
	g_assert_null(back.comment);
	explicit_bzero(text, strlen(text));
	wg_conf_clear(&back);
	wg_conf_clear(&c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wg-conf/full-round-trip", test_full_round_trip);
	g_test_add_func("/wg-conf/without-secrets", test_without_secrets);
	g_test_add_func("/wg-conf/wg-only", test_wg_only);
	g_test_add_func("/wg-conf/case-and-whitespace", test_case_and_whitespace);
	g_test_add_func("/wg-conf/values", test_values);
	g_test_add_func("/wg-conf/errors", test_errors);
	g_test_add_func("/wg-conf/error-quoting", test_error_quoting);
	g_test_add_func("/wg-conf/keys", test_keys);
	g_test_add_func("/wg-conf/helpers", test_helpers);
	g_test_add_func("/wg-conf/build", test_build);
	return g_test_run();
}
