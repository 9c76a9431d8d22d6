// SPDX-License-Identifier: MIT
/* test-param.c - Parameter schemas: every type, defaults, errors, secrets, round trips */
#include <string.h>
#include <pktkit/error.h>
#include <pktkit/param.h>

/* 32 bytes 0x00..0x1f, and 32 bytes 0xff..0xe0, as base64. */
#define KEY_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_B "//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA="
#define KEY_C "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="
#define PATH "devices.x"

/* ---- Schemas ------------------------------------------------------------- */

enum { MODE_AUTO = 1, MODE_ON = 2, MODE_OFF = 7 };

static const struct pk_param_enum mode_names[] = {
	{ "auto", MODE_AUTO }, { "on", MODE_ON }, { "off", MODE_OFF }, { NULL, 0 },
};

/* Innermost record: a route of a peer. */
struct route {
	struct pk_prefix dst;
	struct pk_ip4 via;
	char *note;
};

static const struct pk_param route_params[] = {
	PK_PARAM_PREFIX(struct route, dst, "dst", NULL, PK_PF_REQUIRED, "Destination."),
	PK_PARAM_IP4(struct route, via, "via", "\"0.0.0.0\"", 0, "Gateway."),
	PK_PARAM_STR(struct route, note, "note", NULL, 0, "Free text."),
};

static const struct pk_param_record route_record = {
	route_params, G_N_ELEMENTS(route_params), sizeof(struct pk_param), sizeof(struct route),
};

/* Record of a list: a peer, with a nested list of routes. */
struct peer {
	struct pk_key32 public_key;
	struct pk_key32 psk;
	char *name;
	int64_t keepalive;
	struct pk_list routes;
	uint32_t weight;
};

static const struct pk_param peer_params[] = {
	PK_PARAM_KEY32(struct peer, public_key, "public-key", NULL, PK_PF_REQUIRED,
		       "Public key of the peer."),
	PK_PARAM_KEY32(struct peer, psk, "preshared-key", NULL, PK_PF_SECRET, "Preshared key."),
	PK_PARAM_STR(struct peer, name, "name", NULL, 0, "Name of the peer."),
	PK_PARAM_DURATION(struct peer, keepalive, "keepalive", "\"25s\"", 0,
			  3600 * PK_NSEC_PER_SEC, 0, "Keepalive interval."),
	PK_PARAM_LIST(struct peer, routes, "routes", &route_record, 0, 0, 0, "Routes."),
	PK_PARAM_U32(struct peer, weight, "weight", "1", 1, 100, 0, "Weight."),
};

static const struct pk_param_record peer_record = {
	peer_params, G_N_ELEMENTS(peer_params), sizeof(struct pk_param), sizeof(struct peer),
};

/* A device config with one field of every type. */
struct all {
	bool enable;
	uint32_t mtu;
	int64_t offset;
	char *name;
	uint32_t mode;
	struct pk_mac mac;
	struct pk_ip4 addr4;
	struct pk_ip6 addr6;
	struct pk_prefix net;
	struct pk_key32 private_key;
	int64_t timeout;
	struct pk_list peers;
	char *password;
};

static const struct pk_param all_params[] = {
	PK_PARAM_BOOL(struct all, enable, "enable", "true", PK_PF_LIVE, "Whether it runs."),
	PK_PARAM_U32(struct all, mtu, "mtu", "1500", 68, 65535, 0, "Largest frame."),
	PK_PARAM_I64(struct all, offset, "offset", "-5", -1000, 1000, 0, "An offset."),
	PK_PARAM_STR(struct all, name, "name", "\"eth0\"", 0, "Interface name."),
	PK_PARAM_ENUM(struct all, mode, "mode", "\"auto\"", mode_names, 0, "Mode."),
	PK_PARAM_MAC(struct all, mac, "mac", "\"02:00:00:00:00:01\"", 0, "MAC address."),
	PK_PARAM_IP4(struct all, addr4, "address", "\"10.0.0.1\"", 0, "IPv4 address."),
	PK_PARAM_IP6(struct all, addr6, "address6", "\"fd00::1\"", 0, "IPv6 address."),
	PK_PARAM_PREFIX(struct all, net, "network", "\"10.0.0.0/24\"", 0, "Network."),
	PK_PARAM_KEY32(struct all, private_key, "private-key", NULL,
		       PK_PF_REQUIRED | PK_PF_SECRET, "Private key of the device."),
	PK_PARAM_DURATION(struct all, timeout, "timeout", "\"30s\"", PK_NSEC_PER_MSEC,
			  7200 * PK_NSEC_PER_SEC, 0, "Idle timeout."),
	PK_PARAM_LIST(struct all, peers, "peers", &peer_record, 0, 4, 0, "Peers."),
	PK_PARAM_STR(struct all, password, "password", NULL, PK_PF_SECRET, "Password."),
};

enum {
	I_ENABLE, I_MTU, I_OFFSET, I_NAME, I_MODE, I_MAC, I_ADDR4, I_ADDR6, I_NET, I_KEY,
	I_TIMEOUT, I_PEERS, I_PASSWORD,
};

static const struct pk_param_table all_table = {
	all_params, G_N_ELEMENTS(all_params), sizeof(struct pk_param),
};

/* ---- Helpers --------------------------------------------------------------- */

static JsonObject *obj_from(const char *text)
{
	GError *error = NULL;
	JsonNode *node = json_from_string(text, &error);
	JsonObject *obj;

	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	obj = json_node_dup_object(node);
	json_node_unref(node);
	return obj;
}

static char *obj_text(JsonObject *obj)
{
	JsonNode *node = json_node_init_object(json_node_alloc(), obj);
	char *text = json_to_string(node, FALSE);

	json_node_unref(node);
	return text;
}

static bool apply_text(const struct pk_param_table *t, void *config, const char *json,
		       bool check_required, uint64_t *changed, GError **error)
{
	JsonObject *obj = obj_from(json);
	bool ok = pk_params_apply_json(t, obj, config, PATH, "type", check_required, changed,
				       error);

	json_object_unref(obj);
	return ok;
}

static char *config_text(const struct pk_param_table *t, const void *config)
{
	JsonObject *obj = pk_params_to_json(t, config, true);
	char *text = obj_text(obj);

	json_object_unref(obj);
	return text;
}

static void all_defaults(struct all *c)
{
	GError *error = NULL;

	memset(c, 0, sizeof(*c));
	g_assert_true(pk_params_set_defaults(&all_table, c, &error));
	g_assert_no_error(error);
}

static void apply_ok(struct all *c, const char *json)
{
	GError *error = NULL;

	g_test_message("apply %s", json);
	apply_text(&all_table, c, json, false, NULL, &error);
	g_assert_no_error(error);
}

/* Apply @json, which must fail with @code and a message holding @needle; return it. */
static char *apply_fails_req(const struct pk_param_table *t, void *config, const char *json,
			     bool check_required, int code, const char *needle)
{
	GError *error = NULL;
	char *msg;

	g_assert_false(apply_text(t, config, json, check_required, NULL, &error));
	g_assert_error(error, PK_ERROR, code);
	g_test_message("%s -> %s", json, error->message);
	if (needle && !strstr(error->message, needle))
		g_error("message '%s' lacks '%s'", error->message, needle);
	msg = g_strdup(error->message);
	g_error_free(error);
	return msg;
}

static char *apply_fails(const struct pk_param_table *t, void *config, const char *json,
			 int code, const char *needle)
{
	return apply_fails_req(t, config, json, false, code, needle);
}

/* {"<key>": <value>} must fail on a config with defaults and change nothing. */
static void check_bad(const char *key, const char *value)
{
	struct all c;
	char *json = g_strdup_printf("{\"%s\": %s}", key, value);
	char *prefix = g_strdup_printf(PATH ".%s: expected ", key);
	char *before, *after, *msg;

	all_defaults(&c);
	before = config_text(&all_table, &c);
	msg = apply_fails(&all_table, &c, json, PK_ERROR_INVALID, prefix);
	g_assert_true(g_str_has_prefix(msg, prefix));
	after = config_text(&all_table, &c);
	g_assert_cmpstr(before, ==, after);
	g_free(before);
	g_free(after);
	g_free(msg);
	g_free(prefix);
	g_free(json);
	pk_params_clear(&all_table, &c);
}

static void check_bad_all(const char *key, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_bad(key, values[i]);
}

#define CHECK_BAD(key, ...)                                                   \
	do {                                                                  \
		static const char *const vals_[] = { __VA_ARGS__ };          \
		check_bad_all(key, vals_, G_N_ELEMENTS(vals_));               \
	} while (0)

/* Wrong JSON types and garbage that no scalar parameter takes. */
#define WRONG_TYPES "null", "[]", "[1]", "{}", "{\"a\":1}"

/* ---- Types ------------------------------------------------------------------ */

static void test_defaults(void)
{
	struct all c;
	char buf[PK_PREFIX_STRLEN];

	all_defaults(&c);
	g_assert_true(c.enable);
	g_assert_cmpuint(c.mtu, ==, 1500);
	g_assert_cmpint(c.offset, ==, -5);
	g_assert_cmpstr(c.name, ==, "eth0");
	g_assert_cmpuint(c.mode, ==, MODE_AUTO);
	g_assert_cmpstr(pk_mac_format(&c.mac, buf), ==, "02:00:00:00:00:01");
	g_assert_cmpmem(c.addr4.b, 4, ((uint8_t[]){ 10, 0, 0, 1 }), 4);
	g_assert_cmpuint(c.addr6.b[0], ==, 0xfd);
	g_assert_cmpuint(c.addr6.b[15], ==, 1);
	g_assert_cmpstr(pk_prefix_format(&c.net, buf), ==, "10.0.0.0/24");
	g_assert_cmpint(c.timeout, ==, 30 * PK_NSEC_PER_SEC);
	g_assert_cmpuint(c.peers.n, ==, 0);
	g_assert_null(c.peers.items);
	g_assert_null(c.password);
	pk_params_clear(&all_table, &c);
	g_assert_null(c.name);
	g_assert_cmpuint(c.mtu, ==, 0);
}

static void test_bool(void)
{
	struct all c;

	all_defaults(&c);
	apply_ok(&c, "{\"enable\": false}");
	g_assert_false(c.enable);
	apply_ok(&c, "{\"enable\": true}");
	g_assert_true(c.enable);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("enable", "\"true\"", "1", "0", "1.0", "\"yes\"", WRONG_TYPES);
}

static void test_u32(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	apply_ok(&c, "{\"mtu\": 68}");
	g_assert_cmpuint(c.mtu, ==, 68);
	apply_ok(&c, "{\"mtu\": 65535}");
	g_assert_cmpuint(c.mtu, ==, 65535);
	msg = apply_fails(&all_table, &c, "{\"mtu\": 67}", PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==, PATH ".mtu: expected a u32 between 68 and 65535, got 67");
	g_free(msg);
	g_assert_cmpuint(c.mtu, ==, 65535);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("mtu", "67", "65536", "-1", "0", "4294967296", "1500.0", "1.5e3", "\"1500\"",
		  "true", WRONG_TYPES);
}

static void test_i64(void)
{
	struct all c;

	all_defaults(&c);
	apply_ok(&c, "{\"offset\": -1000}");
	g_assert_cmpint(c.offset, ==, -1000);
	apply_ok(&c, "{\"offset\": 1000}");
	g_assert_cmpint(c.offset, ==, 1000);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("offset", "-1001", "1001", "1.5", "\"5\"", "false", WRONG_TYPES);
}

static void test_str(void)
{
	struct all c;

	all_defaults(&c);
	apply_ok(&c, "{\"name\": \"\"}");
	g_assert_cmpstr(c.name, ==, "");
	apply_ok(&c, "{\"name\": \"wan \\u00e9\"}");
	g_assert_cmpstr(c.name, ==, "wan \xc3\xa9");
	pk_params_clear(&all_table, &c);
	CHECK_BAD("name", "5", "true", WRONG_TYPES);
}

static void test_enum(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	apply_ok(&c, "{\"mode\": \"off\"}");
	g_assert_cmpuint(c.mode, ==, MODE_OFF);
	apply_ok(&c, "{\"mode\": \"on\"}");
	g_assert_cmpuint(c.mode, ==, MODE_ON);
	msg = apply_fails(&all_table, &c, "{\"mode\": \"ON\"}", PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".mode: expected one of \"auto\", \"on\", \"off\", got \"ON\"");
	g_free(msg);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("mode", "\"ON\"", "\"\"", "\"auto \"", "2", "7", "true", WRONG_TYPES);
}

static void test_mac(void)
{
	struct all c;
	char buf[PK_MAC_STRLEN];

	all_defaults(&c);
	apply_ok(&c, "{\"mac\": \"AA-bb-CC-dd-EE-ff\"}");
	g_assert_cmpstr(pk_mac_format(&c.mac, buf), ==, "aa:bb:cc:dd:ee:ff");
	pk_params_clear(&all_table, &c);
	CHECK_BAD("mac", "\"aa:bb:cc:dd:ee\"", "\"aa:bb:cc:dd:ee:ff:00\"",
		  "\"aa:bb-cc:dd:ee:ff\"", "\"aa:bb:cc:dd:ee:fg\"", "\" aa:bb:cc:dd:ee:ff\"",
		  "\"\"", "5", WRONG_TYPES);
}

static void test_ip4(void)
{
	struct all c;

	all_defaults(&c);
	apply_ok(&c, "{\"address\": \"192.0.2.255\"}");
	g_assert_cmpmem(c.addr4.b, 4, ((uint8_t[]){ 192, 0, 2, 255 }), 4);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("address", "\"192.0.2\"", "\"192.0.2.256\"", "\"192.0.2.1.5\"", "\"::1\"",
		  "\"10.0.0.1/24\"", "\" 10.0.0.1\"", "\"10.0.0.1 \"", "\"0x0a.0.0.1\"",
		  "\"167772161\"", "167772161", WRONG_TYPES);
}

static void test_ip6(void)
{
	struct all c;

	all_defaults(&c);
	apply_ok(&c, "{\"address6\": \"::ffff:192.0.2.1\"}");
	g_assert_cmpuint(c.addr6.b[10], ==, 0xff);
	g_assert_cmpuint(c.addr6.b[12], ==, 192);
	apply_ok(&c, "{\"address6\": \"2001:DB8::1\"}");
	g_assert_cmpuint(c.addr6.b[1], ==, 0x01);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("address6", "\"2001:db8::g\"", "\"1.2.3.4\"", "\"2001:db8::1/64\"",
		  "\"fe80::1%eth0\"", "\"1:2:3:4:5:6:7:8:9\"", "\"\"", WRONG_TYPES);
}

static void test_prefix(void)
{
	struct all c;
	char buf[PK_PREFIX_STRLEN];

	all_defaults(&c);
	apply_ok(&c, "{\"network\": \"fd00::1/64\"}");
	g_assert_cmpstr(pk_prefix_format(&c.net, buf), ==, "fd00::1/64");
	apply_ok(&c, "{\"network\": \"0.0.0.0/0\"}");
	g_assert_cmpint(c.net.family, ==, 4);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("network", "\"10.0.0.0\"", "\"10.0.0.0/33\"", "\"fd00::/129\"",
		  "\"10.0.0.0/+8\"", "\"10.0.0.0/8/8\"", "\"10.0.0.0/ 8\"", "\"10.0.0.0/8 \"",
		  "\"/8\"", "\"\"", "8", WRONG_TYPES);
}

static void test_key32(void)
{
	struct all c;
	char *b64;

	all_defaults(&c);
	apply_ok(&c, "{\"private-key\": \"" KEY_A "\"}");
	for (int i = 0; i < 32; i++)
		g_assert_cmpuint(c.private_key.b[i], ==, i);
	apply_ok(&c, "{\"private-key\": \"" KEY_B "\"}");
	for (int i = 0; i < 32; i++)
		g_assert_cmpuint(c.private_key.b[i], ==, 255 - i);
	b64 = g_base64_encode(c.private_key.b, 32);
	g_assert_cmpstr(b64, ==, KEY_B);
	g_free(b64);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("private-key",
		  "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"",	/* 43, no '=' */
		  "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==\"",	/* 45 */
		  "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\"",	/* 31 bytes */
		  "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\"",	/* non-canonical */
		  "\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh*=\"",	/* bad char */
		  "\"__79_Pv6-fj39vX08_Lx8O_u7ezr6uno5-bl5OPi4eA=\"",	/* base64url */
		  "\"AAECAwQFBgcICQoLDA0O DxAREhMUFRYXGBkaGxwdHh=\"",	/* space */
		  "\"\"", "32", WRONG_TYPES);
}

static void test_duration(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	apply_ok(&c, "{\"timeout\": \"2h\"}");
	g_assert_cmpint(c.timeout, ==, 7200 * PK_NSEC_PER_SEC);
	apply_ok(&c, "{\"timeout\": \"1ms\"}");
	g_assert_cmpint(c.timeout, ==, PK_NSEC_PER_MSEC);
	apply_ok(&c, "{\"timeout\": \"1h30m\"}");
	g_assert_cmpint(c.timeout, ==, 5400 * PK_NSEC_PER_SEC);
	apply_ok(&c, "{\"timeout\": \"2.5s\"}");
	g_assert_cmpint(c.timeout, ==, 2500 * PK_NSEC_PER_MSEC);
	apply_ok(&c, "{\"timeout\": 90}");
	g_assert_cmpint(c.timeout, ==, 90 * PK_NSEC_PER_SEC);
	apply_ok(&c, "{\"timeout\": 0.25}");
	g_assert_cmpint(c.timeout, ==, 250 * PK_NSEC_PER_MSEC);
	apply_ok(&c, "{\"timeout\": \"5\"}");
	g_assert_cmpint(c.timeout, ==, 5 * PK_NSEC_PER_SEC);
	msg = apply_fails(&all_table, &c, "{\"timeout\": \"3h\"}", PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".timeout: expected a duration between 1ms and 2h (text such as "
			"\"1h30m\", \"2.5s\", \"250ms\", or a number of seconds), got \"3h\"");
	g_free(msg);
	pk_params_clear(&all_table, &c);
	CHECK_BAD("timeout", "\"999us\"", "\"2h1ns\"", "7201", "0", "0.0001", "-1", "-0.5",
		  "\"-5s\"", "\"+5s\"", "\"5x\"", "\"\"", "\"1m 30s\"", "\" 5s\"", "\"1.s\"",
		  "\".5s\"", "\"s\"", "\"30m1h\"", "\"1s1s\"", "\"5S\"", "true", WRONG_TYPES);
}

/* ---- Durations alone --------------------------------------------------------- */

static void test_duration_parse(void)
{
	static const struct {
		const char *text;
		int64_t ns;
	} good[] = {
		{ "0", 0 },
		{ "0s", 0 },
		{ "90", 90 * PK_NSEC_PER_SEC },
		{ "1.5", 1500 * PK_NSEC_PER_MSEC },
		{ "1h30m", 5400 * PK_NSEC_PER_SEC },
		{ "250ms", 250 * PK_NSEC_PER_MSEC },
		{ "2.5s", 2500 * PK_NSEC_PER_MSEC },
		{ "100us", 100 * PK_NSEC_PER_USEC },
		{ "10ns", 10 },
		{ "5m", 300 * PK_NSEC_PER_SEC },
		{ "90s", 90 * PK_NSEC_PER_SEC },
		{ "1h2m3s4ms5us6ns", 3723004005006 },
		{ "1.5h", 5400 * PK_NSEC_PER_SEC },
		{ "0.001ms", 1000 },
		{ "0.001us", 1 },
		{ "0.0009us", 0 },
		{ "1.0000000019s", 1000000001 },	/* finer than 1 ns: truncated */
		{ "0.3s", 300 * PK_NSEC_PER_MSEC },
		{ "9223372036.854775807s", INT64_MAX },
		{ "2562047h47m16.854775807s", INT64_MAX },
	};
	static const char *const bad[] = {
		"", "s", "h1", "-1s", "+1s", " 1s", "1s ", "1 s", "1sec", "1S", "1.s", ".5s",
		"1..5s", "1e3s", "1m1h", "1s1s", "1s1", "1µs", "9223372036.854775808s",
		"2562048h", "99999999999999999999ns", "0x10s",
	};
	int64_t ns;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_test_message("good duration '%s'", good[i].text);
		g_assert_true(pk_duration_parse(good[i].text, &ns));
		g_assert_cmpint(ns, ==, good[i].ns);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		ns = 42;
		g_test_message("bad duration '%s'", bad[i]);
		g_assert_false(pk_duration_parse(bad[i], &ns));
		g_assert_cmpint(ns, ==, 42);
	}
	g_assert_false(pk_duration_parse(NULL, &ns));
}

static void check_format(int64_t ns, const char *text)
{
	char *s = pk_duration_format(ns);
	int64_t back;

	g_assert_cmpstr(s, ==, text);
	if (ns >= 0) {
		g_assert_true(pk_duration_parse(s, &back));
		g_assert_cmpint(back, ==, ns);
	}
	g_free(s);
}

static void test_duration_format(void)
{
	check_format(0, "0s");
	check_format(1, "1ns");
	check_format(10, "10ns");
	check_format(1500, "1.5us");
	check_format(100 * PK_NSEC_PER_USEC, "100us");
	check_format(250 * PK_NSEC_PER_MSEC, "250ms");
	check_format(1500 * PK_NSEC_PER_MSEC, "1.5s");
	check_format(2500 * PK_NSEC_PER_MSEC, "2.5s");
	check_format(PK_NSEC_PER_SEC + 1000, "1s1us");
	check_format(PK_NSEC_PER_SEC + 1, "1s1ns");
	check_format(PK_NSEC_PER_SEC + 10 * PK_NSEC_PER_MSEC, "1.01s");
	check_format(90 * PK_NSEC_PER_SEC, "1m30s");
	check_format(300 * PK_NSEC_PER_SEC, "5m");
	check_format(3600 * PK_NSEC_PER_SEC, "1h");
	check_format(5400 * PK_NSEC_PER_SEC, "1h30m");
	check_format(3600 * PK_NSEC_PER_SEC + 500 * PK_NSEC_PER_MSEC, "1h500ms");
	check_format(3723004005006, "1h2m3s4ms5us6ns");
	check_format(INT64_MAX, "2562047h47m16.854775807s");
	check_format(-1500 * PK_NSEC_PER_MSEC, "-1.5s");
	check_format(INT64_MIN, "-2562047h47m16.854775808s");
}

static void test_duration_roundtrip(void)
{
	for (int i = 0; i < 20000; i++) {
		int64_t ns = (int64_t)(((uint64_t)g_test_rand_int() << 32 | g_test_rand_int()) >>
				       g_test_rand_int_range(1, 63));
		char *s = pk_duration_format(ns);
		int64_t back = -1;

		if (!pk_duration_parse(s, &back) || back != ns)
			g_error("%" G_GINT64_FORMAT " -> '%s' -> %" G_GINT64_FORMAT, ns, s, back);
		g_free(s);
	}
}

/* ---- Object-level rules ------------------------------------------------------ */

static void test_required(void)
{
	struct all c;
	GError *error = NULL;
	char *msg;

	all_defaults(&c);
	msg = apply_fails_req(&all_table, &c, "{\"mtu\": 1400}", true, PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".private-key: required parameter missing "
			"(key32: Private key of the device.)");
	g_free(msg);
	g_assert_cmpuint(c.mtu, ==, 1500);	/* nothing applied */
	/* without check_required the same object is fine (e.g. a later SetConfig) */
	g_assert_true(apply_text(&all_table, &c, "{\"mtu\": 1400}", false, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(apply_text(&all_table, &c, "{\"private-key\": \"" KEY_A "\"}", true, NULL,
				 &error));
	g_assert_no_error(error);
	pk_params_clear(&all_table, &c);
}

static void test_unknown_key(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	msg = apply_fails(&all_table, &c, "{\"mut\": 1400}", PK_ERROR_UNKNOWN, NULL);
	g_assert_cmpstr(msg, ==, PATH ".mut: unknown parameter; did you mean 'mtu'?");
	g_free(msg);
	msg = apply_fails(&all_table, &c, "{\"pers\": []}", PK_ERROR_UNKNOWN, NULL);
	g_assert_cmpstr(msg, ==, PATH ".pers: unknown parameter; did you mean 'peers'?");
	g_free(msg);
	msg = apply_fails(&all_table, &c, "{\"timoeut\": 1}", PK_ERROR_UNKNOWN, NULL);
	g_assert_cmpstr(msg, ==, PATH ".timoeut: unknown parameter; did you mean 'timeout'?");
	g_free(msg);
	msg = apply_fails(&all_table, &c, "{\"mtu\": 1400, \"colour\": \"red\"}",
			  PK_ERROR_UNKNOWN, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".colour: unknown parameter; known: enable, mtu, offset, name, mode, "
			"mac, address, address6, network, private-key, timeout, peers, password");
	g_free(msg);
	g_assert_cmpuint(c.mtu, ==, 1500);	/* unknown keys are found before writing */
	pk_params_clear(&all_table, &c);
}

static void test_skip_and_changed(void)
{
	struct all c;
	GError *error = NULL;
	uint64_t changed = ~UINT64_C(0);

	all_defaults(&c);
	g_assert_true(apply_text(&all_table, &c,
				 "{\"type\": \"l2.hub\", \"name\": \"lan\", \"mtu\": 9000, "
				 "\"peers\": []}",
				 false, &changed, &error));
	g_assert_no_error(error);
	g_assert_cmphex(changed, ==,
			PK_PARAM_BIT(I_NAME) | PK_PARAM_BIT(I_MTU) | PK_PARAM_BIT(I_PEERS));
	g_assert_cmpstr(c.name, ==, "lan");
	pk_params_clear(&all_table, &c);
}

static void test_failed_key_keeps_field(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	apply_ok(&c, "{\"name\": \"keep\", \"peers\": [{\"public-key\": \"" KEY_A "\"}]}");
	msg = apply_fails(&all_table, &c, "{\"private-key\": \"" KEY_A "\", \"name\": 5}",
			  PK_ERROR_INVALID, PATH ".name: expected a string, got 5");
	g_free(msg);
	g_assert_cmpstr(c.name, ==, "keep");
	msg = apply_fails(&all_table, &c,
			  "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \""
			  KEY_B "\", \"name\": \"new\"}, {\"public-key\": 1}]}",
			  PK_ERROR_INVALID, PATH ".peers[1].public-key: expected a 32-byte key");
	g_free(msg);
	g_assert_cmpuint(c.peers.n, ==, 1);
	g_assert_cmpuint(((struct peer *)c.peers.items)[0].public_key.b[1], ==, 1);
	g_assert_null(((struct peer *)c.peers.items)[0].name);
	pk_params_clear(&all_table, &c);
}

static void test_long_value_shortened(void)
{
	struct all c;
	GString *big = g_string_new("{\"mtu\": {\"k\": \"");
	char *msg;

	for (int i = 0; i < 500; i++)
		g_string_append(big, "x");
	g_string_append(big, "\"}}");
	all_defaults(&c);
	msg = apply_fails(&all_table, &c, big->str, PK_ERROR_INVALID, "got {\"k\":\"xxx");
	g_assert_true(g_str_has_suffix(msg, "..."));
	g_assert_cmpuint(strlen(msg), <, 200);
	g_free(msg);
	g_string_free(big, TRUE);
	pk_params_clear(&all_table, &c);
}

/* ---- Lists -------------------------------------------------------------------- */

static void test_list(void)
{
	struct all c;
	struct peer *p;
	struct route *r;
	char buf[PK_PREFIX_STRLEN];

	all_defaults(&c);
	apply_ok(&c, "{\"peers\": [{\"public-key\": \"" KEY_A "\", \"name\": \"a\"},"
		     " {\"public-key\": \"" KEY_B "\", \"keepalive\": \"0s\", \"weight\": 100,"
		     "  \"routes\": [{\"dst\": \"10.1.0.0/16\", \"note\": \"n\"},"
		     "              {\"dst\": \"fd01::/48\", \"via\": \"10.0.0.254\"}]}]}");
	g_assert_cmpuint(c.peers.n, ==, 2);
	p = c.peers.items;
	g_assert_cmpstr(p[0].name, ==, "a");
	g_assert_cmpint(p[0].keepalive, ==, 25 * PK_NSEC_PER_SEC);	/* record default */
	g_assert_cmpuint(p[0].weight, ==, 1);
	g_assert_cmpuint(p[0].routes.n, ==, 0);
	g_assert_null(p[1].name);
	g_assert_cmpint(p[1].keepalive, ==, 0);
	g_assert_cmpuint(p[1].weight, ==, 100);
	g_assert_cmpuint(p[1].public_key.b[0], ==, 0xff);
	g_assert_cmpuint(p[1].routes.n, ==, 2);
	r = p[1].routes.items;
	g_assert_cmpstr(pk_prefix_format(&r[0].dst, buf), ==, "10.1.0.0/16");
	g_assert_cmpstr(r[0].note, ==, "n");
	g_assert_cmpmem(r[0].via.b, 4, ((uint8_t[]){ 0, 0, 0, 0 }), 4);
	g_assert_cmpstr(pk_prefix_format(&r[1].dst, buf), ==, "fd01::/48");
	g_assert_cmpmem(r[1].via.b, 4, ((uint8_t[]){ 10, 0, 0, 254 }), 4);
	g_assert_null(r[1].note);
	apply_ok(&c, "{\"peers\": []}");	/* replaces (and frees) the old list */
	g_assert_cmpuint(c.peers.n, ==, 0);
	pk_params_clear(&all_table, &c);
}

static void test_list_errors(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	msg = apply_fails(&all_table, &c,
			  "{\"private-key\": \"" KEY_A "\", \"peers\": [{}, {}, {}, {}, {}]}",
			  PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".peers: expected an array of 0 to 4 objects, got an array of 5 items");
	g_free(msg);
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": {\"public-key\": 1}}",
			   PK_ERROR_INVALID, PATH ".peers: expected an array of 0 to 4 objects, "
			   "got {\"public-key\":1}"));
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \""
			   KEY_A "\"}, 7]}",
			   PK_ERROR_INVALID, PATH ".peers[1]: expected an object, got 7"));
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"name\": \"x\"}]}",
			   PK_ERROR_INVALID, PATH ".peers[0].public-key: required parameter "
			   "missing (key32: Public key of the peer.)"));
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \""
			   KEY_A "\", \"wieght\": 3}]}",
			   PK_ERROR_UNKNOWN, PATH ".peers[0].wieght: unknown parameter; did you "
			   "mean 'weight'?"));
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \""
			   KEY_A "\", \"weight\": 0}]}",
			   PK_ERROR_INVALID, PATH ".peers[0].weight: expected a u32 between 1 "
			   "and 100, got 0"));
	msg = apply_fails(&all_table, &c,
			  "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \"" KEY_A
			  "\"}, {\"public-key\": \"" KEY_B "\", \"routes\": [{\"dst\": \"::/0\"},"
			  " {\"dst\": \"10.0.0.0/8\"}, {\"dst\": \"10.0.0.0\"}]}]}",
			  PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".peers[1].routes[2].dst: expected an address with a prefix length "
			"such as \"10.0.0.1/24\" or \"fd00::/64\", got \"10.0.0.0\"");
	g_free(msg);
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \""
			   KEY_A "\", \"routes\": [{\"dst\": \"::/0\", \"gw\": 1}]}]}",
			   PK_ERROR_UNKNOWN, PATH ".peers[0].routes[0].gw: unknown parameter; "
			   "known: dst, via, note"));
	g_assert_cmpuint(c.peers.n, ==, 0);
	pk_params_clear(&all_table, &c);
}

/* A list with at least one item. */
struct needs_one {
	struct pk_list routes;
};

static const struct pk_param needs_one_params[] = {
	PK_PARAM_LIST(struct needs_one, routes, "routes", &route_record, 1, 2, PK_PF_REQUIRED,
		      "At least one route."),
};

static void test_list_required_bounds(void)
{
	struct pk_param_table t = { needs_one_params, 1, sizeof(struct pk_param) };
	struct needs_one c = { { 0, NULL } };
	GError *error = NULL;

	/* the "[]" default of a REQUIRED list is not applied, so min 1 is no conflict */
	g_assert_true(pk_params_set_defaults(&t, &c, &error));
	g_assert_no_error(error);
	g_free(apply_fails_req(&t, &c, "{}", true, PK_ERROR_INVALID,
			   PATH ".routes: required parameter missing (list: At least one route.)"));
	g_free(apply_fails(&t, &c, "{\"routes\": []}", PK_ERROR_INVALID,
			   PATH ".routes: expected an array of 1 to 2 objects, got an array of "
			   "0 items"));
	g_assert_true(apply_text(&t, &c, "{\"routes\": [{\"dst\": \"::/0\"}]}", true, NULL,
				 &error));
	g_assert_no_error(error);
	g_assert_cmpuint(c.routes.n, ==, 1);
	pk_params_clear(&t, &c);
	g_assert_null(c.routes.items);
}

/* ---- Defaults through the parser ---------------------------------------------- */

struct small {
	uint32_t port;
	uint32_t mode;
	struct pk_list routes;
	char *secret;
};

static void check_bad_default(const struct pk_param *params, size_t n, const char *want)
{
	struct pk_param_table t = { params, (uint32_t)n, sizeof(struct pk_param) };
	struct small c;
	GError *error = NULL;

	memset(&c, 0, sizeof(c));
	g_assert_false(pk_params_set_defaults(&t, &c, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_test_message("%s", error->message);
	if (g_str_has_suffix(want, "("))	/* the rest is json-glib's wording */
		g_assert_true(g_str_has_prefix(error->message, want));
	else
		g_assert_cmpstr(error->message, ==, want);
	g_error_free(error);
	pk_params_clear(&t, &c);
}

static void test_bad_defaults(void)
{
	static const struct pk_param out_of_range[] = {
		PK_PARAM_U32(struct small, port, "port", "70000", 1, 65535, 0, "Port."),
	};
	static const struct pk_param not_json[] = {
		PK_PARAM_U32(struct small, port, "port", "80", 1, 65535, 0, "Port."),
		PK_PARAM_ENUM(struct small, mode, "mode", "auto", mode_names, 0, "Mode."),
	};
	static const struct pk_param bad_name[] = {
		PK_PARAM_ENUM(struct small, mode, "mode", "\"automatic\"", mode_names, 0, "Mode."),
	};
	static const struct pk_param float_u32[] = {
		PK_PARAM_U32(struct small, port, "port", "80.0", 1, 65535, 0, "Port."),
	};
	static const struct pk_param bad_secret[] = {
		PK_PARAM_STR(struct small, secret, "secret", "12345", PK_PF_SECRET, "Secret."),
	};

	check_bad_default(out_of_range, 1,
			  "invalid default of port: expected a u32 between 1 and 65535, got 70000");
	check_bad_default(not_json, 2, "invalid default of mode: not JSON text (");
	check_bad_default(bad_name, 1, "invalid default of mode: expected one of \"auto\", "
			  "\"on\", \"off\", got \"automatic\"");
	check_bad_default(float_u32, 1, "invalid default of port: expected a u32 between 1 and "
			  "65535, got 80.0");
	check_bad_default(bad_secret, 1, "invalid default of secret: expected a string, got an "
			  "integer (not shown: secret)");
}

/* A record whose own default is broken is reported when an item is parsed. */
struct bad_rec {
	uint32_t weight;
};

static const struct pk_param bad_rec_params[] = {
	PK_PARAM_U32(struct bad_rec, weight, "weight", "0", 1, 10, 0, "Weight."),
};

static const struct pk_param_record bad_rec_record = {
	bad_rec_params, 1, sizeof(struct pk_param), sizeof(struct bad_rec),
};

static const struct pk_param bad_rec_list[] = {
	PK_PARAM_LIST(struct small, routes, "items", &bad_rec_record, 0, 0, 0, "Items."),
};

static void test_bad_record_default(void)
{
	struct pk_param_table t = { bad_rec_list, 1, sizeof(struct pk_param) };
	struct small c;
	GError *error = NULL;

	memset(&c, 0, sizeof(c));
	g_assert_true(pk_params_set_defaults(&t, &c, &error));
	g_assert_no_error(error);
	g_free(apply_fails(&t, &c, "{\"items\": [{}]}", PK_ERROR_INVALID,
			   "invalid default of " PATH ".items[0].weight: expected a u32 between "
			   "1 and 10, got 0"));
	g_assert_null(c.routes.items);
	pk_params_clear(&t, &c);
}

static void test_schema_bugs(void)
{
	static const struct pk_param no_names[] = {
		PK_PARAM_ENUM(struct small, mode, "mode", NULL, NULL, 0, "Mode."),
	};
	static const struct pk_param no_record[] = {
		PK_PARAM_LIST(struct small, routes, "items", NULL, 0, 0, 0, "Items."),
	};
	struct pk_param_table t = { no_names, 1, sizeof(struct pk_param) };
	struct pk_param_table t2 = { no_record, 1, sizeof(struct pk_param) };
	struct pk_param_table narrow = { no_names, 1, 8 };
	struct small c;
	GError *error = NULL;

	memset(&c, 0, sizeof(c));
	g_free(apply_fails(&t, &c, "{\"mode\": \"auto\"}", PK_ERROR_INVALID,
			   PATH ".mode: parameter is an enum without a table of names (a bug in "
			   "the module)"));
	g_assert_false(pk_params_set_defaults(&t2, &c, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_assert_cmpstr(error->message, ==,
			"invalid default of items: parameter is a list without a valid record "
			"schema (a bug in the module)");
	g_clear_error(&error);
	g_assert_false(pk_params_set_defaults(&narrow, &c, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_test_message("%s", error->message);
	g_clear_error(&error);
	g_assert_cmpstr(pk_param_type_name(0), ==, "unknown");
	g_assert_cmpstr(pk_param_type_name(PK_PT_LIST + 1), ==, "unknown");
}

static void test_type_names(void)
{
	static const char *const names[] = {
		"bool", "u32", "i64", "string", "enum", "mac", "ipv4", "ipv6", "prefix",
		"key32", "duration", "list",
	};

	for (uint32_t i = 0; i < G_N_ELEMENTS(names); i++)
		g_assert_cmpstr(pk_param_type_name(PK_PT_BOOL + i), ==, names[i]);
}

/* ---- Secrets ------------------------------------------------------------------ */

#define SECRET_PW "hunter2-correct-horse"

static void fill_everything(struct all *c)
{
	all_defaults(c);
	apply_ok(c, "{\"enable\": false, \"mtu\": 9000, \"offset\": -1000, \"name\": \"wg0\","
		    " \"mode\": \"off\", \"mac\": \"02:aa:bb:cc:dd:ee\", \"address\": \"192.0.2.7\","
		    " \"address6\": \"2001:db8::7\", \"network\": \"2001:db8::7/48\","
		    " \"private-key\": \"" KEY_A "\", \"timeout\": \"59m0.5s\","
		    " \"password\": \"" SECRET_PW "\", \"peers\": ["
		    "  {\"public-key\": \"" KEY_B "\", \"preshared-key\": \"" KEY_A "\","
		    "   \"name\": \"b\", \"keepalive\": 0.001, \"weight\": 7, \"routes\": ["
		    "    {\"dst\": \"10.9.0.0/16\", \"via\": \"10.0.0.9\", \"note\": \"r1\"},"
		    "    {\"dst\": \"::/0\"}]},"
		    "  {\"public-key\": \"" KEY_C "\"}]}");
}

static void test_secrets_not_echoed(void)
{
	struct all c;
	JsonObject *obj;
	char *text;

	fill_everything(&c);
	obj = pk_params_to_json(&all_table, &c, false);
	text = obj_text(obj);
	g_test_message("%s", text);
	g_assert_false(json_object_has_member(obj, "private-key"));
	g_assert_false(json_object_has_member(obj, "password"));
	g_assert_null(strstr(text, SECRET_PW));
	g_assert_null(strstr(text, "preshared-key"));
	g_assert_nonnull(strstr(text, "\"public-key\":\"" KEY_B "\""));	/* not secret */
	g_assert_null(strstr(text, KEY_A));	/* private key, psk */
	g_free(text);
	json_object_unref(obj);

	obj = pk_params_to_json(&all_table, &c, true);
	text = obj_text(obj);
	g_assert_cmpstr(json_object_get_string_member(obj, "password"), ==, SECRET_PW);
	g_assert_cmpstr(json_object_get_string_member(obj, "private-key"), ==, KEY_A);
	g_assert_nonnull(strstr(text, "\"preshared-key\":\"" KEY_A "\""));
	g_free(text);
	json_object_unref(obj);
	pk_params_clear(&all_table, &c);
}

static void test_secrets_not_in_errors(void)
{
	struct all c;
	char *msg;

	all_defaults(&c);
	msg = apply_fails(&all_table, &c, "{\"password\": 1234567}", PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".password: expected a string, got an integer (not shown: secret)");
	g_free(msg);
	msg = apply_fails(&all_table, &c,
			  "{\"private-key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\"}",
			  PK_ERROR_INVALID, NULL);
	g_assert_cmpstr(msg, ==,
			PATH ".private-key: expected a 32-byte key in base64 (44 characters ending "
			"in '='), got a string of 43 characters (not shown: secret)");
	g_free(msg);
	msg = apply_fails(&all_table, &c,
			  "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \"" KEY_B
			  "\", \"preshared-key\": \"sekrit-sekrit\"}]}",
			  PK_ERROR_INVALID, PATH ".peers[0].preshared-key: expected");
	g_assert_null(strstr(msg, "sekrit"));
	g_free(msg);
	/* a public key is not secret: its bad value is quoted */
	g_free(apply_fails(&all_table, &c,
			   "{\"private-key\": \"" KEY_A "\", \"peers\": [{\"public-key\": \"pub\"}]}",
			   PK_ERROR_INVALID, "got \"pub\""));
	pk_params_clear(&all_table, &c);
}

/* ---- Round trip, copy, clear ------------------------------------------------- */

static void assert_routes_equal(const struct pk_list *a, const struct pk_list *b)
{
	const struct route *x = a->items, *y = b->items;

	g_assert_cmpuint(a->n, ==, b->n);
	for (uint32_t i = 0; i < a->n; i++) {
		g_assert_cmpmem(&x[i].dst, sizeof(x[i].dst), &y[i].dst, sizeof(y[i].dst));
		g_assert_cmpmem(x[i].via.b, 4, y[i].via.b, 4);
		g_assert_cmpstr(x[i].note, ==, y[i].note);
	}
}

static void assert_peers_equal(const struct pk_list *a, const struct pk_list *b)
{
	const struct peer *x = a->items, *y = b->items;

	g_assert_cmpuint(a->n, ==, b->n);
	for (uint32_t i = 0; i < a->n; i++) {
		g_assert_cmpmem(x[i].public_key.b, 32, y[i].public_key.b, 32);
		g_assert_cmpmem(x[i].psk.b, 32, y[i].psk.b, 32);
		g_assert_cmpstr(x[i].name, ==, y[i].name);
		g_assert_cmpint(x[i].keepalive, ==, y[i].keepalive);
		g_assert_cmpuint(x[i].weight, ==, y[i].weight);
		assert_routes_equal(&x[i].routes, &y[i].routes);
	}
}

static void assert_all_equal(const struct all *a, const struct all *b)
{
	g_assert_cmpint(a->enable, ==, b->enable);
	g_assert_cmpuint(a->mtu, ==, b->mtu);
	g_assert_cmpint(a->offset, ==, b->offset);
	g_assert_cmpstr(a->name, ==, b->name);
	g_assert_cmpuint(a->mode, ==, b->mode);
	g_assert_cmpmem(a->mac.b, 6, b->mac.b, 6);
	g_assert_cmpmem(a->addr4.b, 4, b->addr4.b, 4);
	g_assert_cmpmem(a->addr6.b, 16, b->addr6.b, 16);
	g_assert_cmpmem(&a->net, sizeof(a->net), &b->net, sizeof(b->net));
	g_assert_cmpmem(a->private_key.b, 32, b->private_key.b, 32);
	g_assert_cmpint(a->timeout, ==, b->timeout);
	g_assert_cmpstr(a->password, ==, b->password);
	assert_peers_equal(&a->peers, &b->peers);
}

static void test_roundtrip(void)
{
	struct all c, d;
	char *text, *again;
	GError *error = NULL;

	fill_everything(&c);
	g_assert_cmpint(c.timeout, ==, 3540 * PK_NSEC_PER_SEC + 500 * PK_NSEC_PER_MSEC);
	text = config_text(&all_table, &c);
	g_test_message("%s", text);
	g_assert_nonnull(strstr(text, "\"timeout\":\"59m500ms\""));
	g_assert_nonnull(strstr(text, "\"keepalive\":\"1ms\""));
	g_assert_nonnull(strstr(text, "\"network\":\"2001:db8::7/48\""));
	g_assert_nonnull(strstr(text, "\"mode\":\"off\""));
	g_assert_nonnull(strstr(text, "\"mac\":\"02:aa:bb:cc:dd:ee\""));

	all_defaults(&d);
	g_assert_true(apply_text(&all_table, &d, text, true, NULL, &error));
	g_assert_no_error(error);
	assert_all_equal(&c, &d);
	again = config_text(&all_table, &d);
	g_assert_cmpstr(text, ==, again);
	g_free(again);
	g_free(text);
	pk_params_clear(&all_table, &d);

	/* defaults only (plus the required key) survive the trip as well */
	pk_params_clear(&all_table, &c);
	all_defaults(&c);
	apply_ok(&c, "{\"private-key\": \"" KEY_B "\"}");
	text = config_text(&all_table, &c);
	all_defaults(&d);
	g_assert_true(apply_text(&all_table, &d, text, true, NULL, &error));
	g_assert_no_error(error);
	assert_all_equal(&c, &d);
	g_free(text);
	pk_params_clear(&all_table, &c);
	pk_params_clear(&all_table, &d);
}

static void test_copy_clear(void)
{
	struct all c, d;
	struct peer *pc, *pd;

	fill_everything(&c);
	memset(&d, 0, sizeof(d));
	pk_params_copy(&all_table, &d, &c);
	assert_all_equal(&c, &d);
	/* deep: nothing is shared */
	g_assert_true(c.name != d.name);
	g_assert_true(c.peers.items != d.peers.items);
	pc = c.peers.items;
	pd = d.peers.items;
	g_assert_true(pc[0].name != pd[0].name);
	g_assert_true(pc[0].routes.items != pd[0].routes.items);
	g_assert_true(((struct route *)pc[0].routes.items)[0].note !=
		      ((struct route *)pd[0].routes.items)[0].note);
	pk_params_clear(&all_table, &c);
	g_assert_null(c.name);
	g_assert_null(c.password);
	g_assert_null(c.peers.items);
	g_assert_cmpuint(c.peers.n, ==, 0);
	g_assert_cmpuint(c.mtu, ==, 0);
	g_assert_cmpint(c.timeout, ==, 0);
	/* the copy outlives the original */
	g_assert_cmpstr(((struct route *)pd[0].routes.items)[0].note, ==, "r1");
	pk_params_clear(&all_table, &d);
	pk_params_clear(&all_table, &d);	/* clearing twice is harmless */
}

/* ---- Stride ------------------------------------------------------------------- */

/* As if the module were built with a larger struct pk_param (a newer SDK). */
struct wide_param {
	struct pk_param p;
	char pad[24];
};

struct wide_rec {
	char *tag;
	uint32_t n;
};

static const struct wide_param wide_rec_params[] = {
	{ PK_PARAM_STR(struct wide_rec, tag, "tag", "\"t\"", 0, "Tag."), "PADPADPADPADPADPADPADPA" },
	{ PK_PARAM_U32(struct wide_rec, n, "n", "3", 0, 9, 0, "N."), "PADPADPADPADPADPADPADPA" },
};

static const struct pk_param_record wide_record = {
	&wide_rec_params[0].p, G_N_ELEMENTS(wide_rec_params), sizeof(struct wide_param),
	sizeof(struct wide_rec),
};

struct wide_config {
	uint32_t port;
	char *host;
	int64_t wait;
	struct pk_list recs;
};

static const struct wide_param wide_params[] = {
	{ PK_PARAM_U32(struct wide_config, port, "port", "80", 1, 65535, 0, "Port."),
	  "PADPADPADPADPADPADPADPA" },
	{ PK_PARAM_STR(struct wide_config, host, "host", "\"localhost\"", 0, "Host."),
	  "PADPADPADPADPADPADPADPA" },
	{ PK_PARAM_DURATION(struct wide_config, wait, "wait", "\"2s\"", 0, INT64_MAX, 0,
			    "Wait."), "PADPADPADPADPADPADPADPA" },
	{ PK_PARAM_LIST(struct wide_config, recs, "recs", &wide_record, 0, 0, 0, "Records."),
	  "PADPADPADPADPADPADPADPA" },
};

static void test_stride(void)
{
	struct pk_param_table t = { &wide_params[0].p, G_N_ELEMENTS(wide_params),
				    sizeof(struct wide_param) };
	struct wide_config c, d;
	struct wide_rec *r;
	GError *error = NULL;
	JsonObject *obj;
	char *text;
	uint64_t changed;

	memset(&c, 0, sizeof(c));
	g_assert_true(pk_params_set_defaults(&t, &c, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(c.port, ==, 80);
	g_assert_cmpstr(c.host, ==, "localhost");
	g_assert_cmpint(c.wait, ==, 2 * PK_NSEC_PER_SEC);
	g_assert_true(apply_text(&t, &c, "{\"wait\": \"1m\", \"recs\": [{\"n\": 9}, {}]}", true,
				 &changed, &error));
	g_assert_no_error(error);
	g_assert_cmphex(changed, ==, PK_PARAM_BIT(2) | PK_PARAM_BIT(3));
	g_assert_cmpuint(c.recs.n, ==, 2);
	r = c.recs.items;
	g_assert_cmpuint(r[0].n, ==, 9);
	g_assert_cmpstr(r[0].tag, ==, "t");
	g_assert_cmpuint(r[1].n, ==, 3);
	g_free(apply_fails(&t, &c, "{\"recs\": [{\"n\": 10}]}", PK_ERROR_INVALID,
			   PATH ".recs[0].n: expected a u32 between 0 and 9, got 10"));
	g_free(apply_fails(&t, &c, "{\"hots\": 1}", PK_ERROR_UNKNOWN,
			   PATH ".hots: unknown parameter; did you mean 'host'?"));

	obj = pk_params_to_json(&t, &c, false);
	text = obj_text(obj);
	g_assert_cmpstr(text, ==,
			"{\"port\":80,\"host\":\"localhost\",\"wait\":\"1m\",\"recs\":"
			"[{\"tag\":\"t\",\"n\":9},{\"tag\":\"t\",\"n\":3}]}");
	g_free(text);
	json_object_unref(obj);

	memset(&d, 0, sizeof(d));
	pk_params_copy(&t, &d, &c);
	g_assert_cmpstr(((struct wide_rec *)d.recs.items)[1].tag, ==, "t");
	pk_params_clear(&t, &c);
	pk_params_clear(&t, &d);
	g_assert_null(d.host);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/param/defaults", test_defaults);
	g_test_add_func("/param/type/bool", test_bool);
	g_test_add_func("/param/type/u32", test_u32);
	g_test_add_func("/param/type/i64", test_i64);
	g_test_add_func("/param/type/string", test_str);
	g_test_add_func("/param/type/enum", test_enum);
	g_test_add_func("/param/type/mac", test_mac);
	g_test_add_func("/param/type/ipv4", test_ip4);
	g_test_add_func("/param/type/ipv6", test_ip6);
	g_test_add_func("/param/type/prefix", test_prefix);
	g_test_add_func("/param/type/key32", test_key32);
	g_test_add_func("/param/type/duration", test_duration);
	g_test_add_func("/param/type/names", test_type_names);
	g_test_add_func("/param/duration/parse", test_duration_parse);
	g_test_add_func("/param/duration/format", test_duration_format);
	g_test_add_func("/param/duration/roundtrip", test_duration_roundtrip);
	g_test_add_func("/param/object/required", test_required);
	g_test_add_func("/param/object/unknown-key", test_unknown_key);
	g_test_add_func("/param/object/skip-and-changed", test_skip_and_changed);
	g_test_add_func("/param/object/failed-key-keeps-field", test_failed_key_keeps_field);
	g_test_add_func("/param/object/long-value-shortened", test_long_value_shortened);
	g_test_add_func("/param/list/parse", test_list);
	g_test_add_func("/param/list/errors", test_list_errors);
	g_test_add_func("/param/list/required-bounds", test_list_required_bounds);
	g_test_add_func("/param/defaults/invalid", test_bad_defaults);
	g_test_add_func("/param/defaults/invalid-in-record", test_bad_record_default);
	g_test_add_func("/param/schema-bugs", test_schema_bugs);
	g_test_add_func("/param/secret/to-json", test_secrets_not_echoed);
	g_test_add_func("/param/secret/errors", test_secrets_not_in_errors);
	g_test_add_func("/param/roundtrip", test_roundtrip);
	g_test_add_func("/param/copy-clear", test_copy_clear);
	g_test_add_func("/param/stride", test_stride);
	return g_test_run();
}
