// SPDX-License-Identifier: MIT
/* test-topology.c - JSON topologies: every validation error by path, atomic load, export round-trip */
#include <pktkit/embed/testing.h>
#include <pktkit/embed/capture.h>
#include <glib/gstdio.h>
#include "test-devices.h"

struct bad_case {
	const char *name;
	const char *json;
	const char *error;	/* the whole message, or a substring if it starts with '~' */
};

static const struct bad_case bad_cases[] = {
	{ "not-an-object", "[1, 2]",
	  "(root): expected an object with \"devices\" and \"links\"" },
	{ "no-devices", "{\"links\": []}",
	  "devices: required: an object mapping device ids to devices" },
	{ "unknown-root-key", "{\"devices\": {}, \"link\": []}",
	  "link: unknown key (a topology has \"devices\", \"links\", and optional \"captures\", \"templates\" and \"comment\")" },
	{ "device-not-object", "{\"devices\": {\"a\": 3}}",
	  "devices.a: expected an object with a \"type\", got a number" },
	{ "missing-type", "{\"devices\": {\"a\": {}}}",
	  "devices.a.type: required: a device type name as a string" },
	{ "unknown-type-hint", "{\"devices\": {\"a\": {\"type\": \"core.pipe-2\"}}}",
	  "devices.a.type: unknown device type 'core.pipe-2' (did you mean 'core.pipe-l2'?)" },
	{ "unknown-type", "{\"devices\": {\"a\": {\"type\": \"vpn.wireguard\"}}}",
	  "devices.a.type: unknown device type 'vpn.wireguard' (pktkit-inspect lists the known types)" },
	{ "bad-id", "{\"devices\": {\"a b\": {\"type\": \"test.echo\"}}}",
	  "devices.a b: invalid device id (use up to 64 letters, digits, '_' and '-')" },
	{ "unknown-param", "{\"devices\": {\"t\": {\"type\": \"test.ticker\", \"perod\": \"1s\"}}}",
	  "~devices.t.perod: unknown parameter" },
	{ "bad-value", "{\"devices\": {\"t\": {\"type\": \"test.ticker\", \"count\": 5000}}}",
	  "~devices.t.count:" },
	{ "bad-duration", "{\"devices\": {\"t\": {\"type\": \"test.ticker\", \"period\": \"fast\"}}}",
	  "~devices.t.period:" },
	{ "links-not-array", "{\"devices\": {}, \"links\": {}}",
	  "links: expected an array of endpoint pairs, got an object" },
	{ "link-not-pair", "{\"devices\": {\"a\": {\"type\": \"test.echo\"}}, \"links\": [[\"a\"]]}",
	  "links[0]: expected a pair of endpoints such as [\"a.port\", \"b.port\"]" },
	{ "dangling-link",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}}, \"links\": [[\"a\", \"b.port\"]]}",
	  "links[0][1]: 'b.port' names no device 'b'" },
	{ "bad-endpoint",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}}, \"links\": [[\"a.eth.x\", \"a\"]]}",
	  "links[0][0]: 'a.eth.x' is not an endpoint (expected \"device\", \"device.group\" or \"device.group.N\")" },
	{ "no-such-group",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"b\": {\"type\": \"test.echo\"}}, \"links\": [[\"a.port\", \"b\"]]}",
	  "links[0][0]: type test.echo has no port group 'port' (port groups: 'eth')" },
	{ "layer-mismatch",
	  "{\"devices\": {\"a\": {\"type\": \"core.pipe-l2\"}, \"b\": {\"type\": \"core.pipe-l3\"}}, \"links\": [[\"a\", \"b\"]]}",
	  "links[0]: cannot link a.io (L2) to b.io (L3): the layers differ; put an adapter between them" },
	{ "port-twice",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"b\": {\"type\": \"test.tee\"}}, \"links\": [[\"a\", \"b\"], [\"b.port.0\", \"a.eth.0\"]]}",
	  "links[1][0]: port b.port.0 is linked twice" },
	{ "group-full",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"b\": {\"type\": \"test.tee\"}, \"c\": {\"type\": \"test.tee\"}}, \"links\": [[\"b\", \"a\"], [\"c\", \"a\"]]}",
	  "links[1][1]: all 1 port(s) of a.eth are taken" },
	{ "index-range",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"b\": {\"type\": \"test.tee\"}}, \"links\": [[\"b\", \"a.eth.3\"]]}",
	  "links[0][1]: port index 3 out of range: a.eth has 1 port(s) (0..0)" },
	{ "min-ports", "{\"devices\": {\"s\": {\"type\": \"test.l3sink\"}}}",
	  "devices.s: port group 'ip' needs at least 1 link(s), has 0" },
	{ "capture-not-array", "{\"devices\": {}, \"captures\": {}}",
	  "captures: expected an array of captures, got an object" },
	{ "capture-no-file",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"b\": {\"type\": \"test.echo\"}}, \"links\": [[\"a\", \"b\"]], \"captures\": [{\"ports\": [\"a\"]}]}",
	  "captures[0].file: required: the pcapng file to write" },
	{ "capture-unlinked-port",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"t\": {\"type\": \"test.tee\"}}, \"links\": [[\"a\", \"t\"]], \"captures\": [{\"ports\": [\"t.port.3\"], \"file\": \"x.pcapng\"}]}",
	  "captures[0].ports[0]: port t.port.3 is not linked (links name the ports that exist)" },
	/* templates */
	{ "template-missing",
	  "{\"devices\": {\"s\": {\"type\": \"test.spawner\", \"template\": \"nope\"}}}",
	  "devices.s.template: no template 'nope' (\"templates\" declares them)" },
	{ "template-not-object",
	  "{\"devices\": {}, \"templates\": {\"t\": []}}",
	  "templates.t: expected an object with \"devices\", \"links\" and \"attach\", got an array" },
	{ "template-bad-name",
	  "{\"devices\": {}, \"templates\": {\"t.x\": {}}}",
	  "templates.t.x: invalid template name (use up to 64 letters, digits, '_' and '-')" },
	{ "template-unknown-key",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"attach\": \"h\", \"atach\": 1}}}",
	  "templates.t.atach: unknown key (a template has \"devices\", \"links\", \"attach\", and optional \"max-instances\" and \"comment\")" },
	{ "template-no-devices",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"attach\": \"h\"}}}",
	  "~templates.t.devices: required: an object mapping device ids to devices" },
	{ "template-no-attach",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}}}}",
	  "~templates.t.attach: required: the endpoint of a template device" },
	{ "template-bad-attach",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"attach\": \"x.port\"}}}",
	  "templates.t.attach: 'x.port' names no device 'x' of the template" },
	{ "template-attach-bad-group",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"attach\": \"h.eth\"}}}",
	  "templates.t.attach: type test.tee has no port group 'eth' (port groups: 'port')" },
	{ "template-attach-linked",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"e\": {\"type\": \"test.echo\"}, \"h\": {\"type\": \"test.tee\"}}, \"links\": [[\"e\", \"h\"]], \"attach\": \"e.eth.0\"}}}",
	  "templates.t.attach: port e.eth.0 is attached and linked twice" },
	{ "template-bad-device",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.te\"}}, \"attach\": \"h\"}}}",
	  "~templates.t.devices.h.type: unknown device type 'test.te' (did you mean 'test.tee'?)" },
	{ "template-bad-param",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}, \"k\": {\"type\": \"test.ticker\", \"count\": 5000}}, \"links\": [[\"k\", \"h\"]], \"attach\": \"h\"}}}",
	  "~templates.t.devices.k.count:" },
	{ "template-bad-link",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"links\": [[\"h\", \"y\"]], \"attach\": \"h\"}}}",
	  "templates.t.links[0][1]: 'y' names no device 'y' of the template" },
	{ "template-links-outside",
	  "{\"devices\": {\"top\": {\"type\": \"test.echo\"}}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"links\": [[\"h\", \"top\"]], \"attach\": \"h\"}}}",
	  "templates.t.links[0][1]: 'top' names no device 'top' of the template" },
	{ "template-min-ports",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}, \"s\": {\"type\": \"test.l3sink\"}}, \"attach\": \"h\"}}}",
	  "templates.t.devices.s: port group 'ip' needs at least 1 link(s), has 0" },
	{ "template-max-instances",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}}, \"attach\": \"h\", \"max-instances\": 0}}}",
	  "templates.t.max-instances: expected an integer between 1 and 65535" },
	{ "template-self",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}, \"s\": {\"type\": \"test.spawner\", \"template\": \"t\"}}, \"attach\": \"h\"}}}",
	  "templates.t.devices.s.template: template 't' would instantiate itself (t -> t)" },
	{ "template-cycle",
	  "{\"devices\": {}, \"templates\": {"
	  "\"a\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}, \"s\": {\"type\": \"test.spawner\", \"template\": \"b\"}}, \"attach\": \"h\"},"
	  "\"b\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}, \"s\": {\"type\": \"test.spawner\", \"template\": \"a\"}}, \"attach\": \"h\"}}}",
	  "templates.a.devices.s.template: template 'a' would instantiate itself (a -> b -> a)\n"
	  "templates.b.devices.s.template: template 'b' would instantiate itself (b -> a -> b)" },
	{ "template-inner-missing",
	  "{\"devices\": {}, \"templates\": {\"t\": {\"devices\": {\"h\": {\"type\": \"test.tee\"}, \"s\": {\"type\": \"test.spawner\", \"template\": \"zz\"}}, \"attach\": \"h\"}}}",
	  "templates.t.devices.s.template: no template 'zz' (\"templates\" declares them)" },
	{ "templates-not-object", "{\"devices\": {}, \"templates\": []}",
	  "templates: expected an object mapping template names to templates, got an array" },
	{ "capture-bad-key",
	  "{\"devices\": {\"a\": {\"type\": \"test.echo\"}, \"b\": {\"type\": \"test.echo\"}}, \"links\": [[\"a\", \"b\"]], \"captures\": [{\"ports\": [\"a\"], \"file\": \"x\", \"format\": \"pcap\"}]}",
	  "captures[0].format: unknown key (a capture has \"ports\", \"file\", \"timestamps\" and \"snaplen\")" },
};

static struct pk_registry *reg;

static void test_bad_topology(gconstpointer data)
{
	const struct bad_case *c = data;
	g_autoptr(JsonNode) root = json_from_string(c->json, NULL);
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	GError *error = NULL;

	g_assert_nonnull(root);
	g_assert_false(pk_topology_check(reg, root, &error));
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	if (c->error[0] == '~') {
		if (!strstr(error->message, c->error + 1))
			g_error("'%s' does not contain '%s'", error->message, c->error + 1);
	} else {
		g_assert_cmpstr(error->message, ==, c->error);
	}
	g_clear_error(&error);
	/* Loading fails the same way and creates nothing. */
	g_assert_false(pk_graph_load(g, root, &error));
	g_clear_error(&error);
	g_autofree const char **ids = pk_graph_devices(g);
	g_assert_null(ids[0]);
	pk_graph_free(g);
}

/* All problems are reported at once, one per line. */
static void test_errors_accumulate(void)
{
	g_autoptr(JsonNode) root = json_from_string(
		"{\"devices\": {\"a\": {\"type\": \"nope\"}, \"b\": {\"type\": \"test.ticker\", \"count\": -1}},"
		" \"links\": [[\"x\", \"y\"]]}",
		NULL);
	GError *error = NULL;
	g_auto(GStrv) lines = NULL;

	g_assert_false(pk_topology_check(reg, root, &error));
	lines = g_strsplit(error->message, "\n", -1);
	g_assert_cmpuint(g_strv_length(lines), ==, 3);
	g_assert_true(g_str_has_prefix(lines[0], "devices.a.type: unknown device type 'nope'"));
	g_assert_true(g_str_has_prefix(lines[1], "devices.b.count:"));
	g_assert_cmpstr(lines[2], ==, "links[0][0]: 'x' names no device 'x'");
	g_clear_error(&error);
}

static void test_duplicate_ids(void)
{
	GError *error = NULL;
	JsonNode *root = pk_topology_parse(
		"{\"devices\": {\n\"a\": {\"type\": \"test.echo\"},\n\"a\": {\"type\": \"test.tee\"}}}", -1,
		&error);

	g_assert_null(root);
	g_assert_error(error, PK_ERROR, PK_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "duplicate key 'a'"));
	g_clear_error(&error);
	root = pk_topology_parse("{\"devices\": ", -1, &error);
	g_assert_null(root);
	g_assert_nonnull(error);
	g_clear_error(&error);
}

static const char *roundtrip_json =
	"{\"devices\": {"
	" \"src\": {\"type\": \"core.pipe-l2\", \"capacity\": 16},"
	" \"tee\": {\"type\": \"test.tee\"},"
	" \"t\": {\"type\": \"test.ticker\", \"period\": \"1m30s\"},"
	" \"e\": {\"type\": \"test.echo\"},"
	" \"m\": {\"type\": \"test.mutate\"}},"
	" \"links\": [[\"src\", \"tee\"], [\"tee\", \"t\"], [\"m.out\", \"tee.port.7\"], [\"e\", \"m.in\"]]}";

static char *export_text(struct pk_graph *g)
{
	g_autoptr(JsonNode) out = pk_graph_export(g, false);

	return json_to_string(out, TRUE);
}

static void test_export_roundtrip(void)
{
	g_autoptr(JsonNode) root = json_from_string(roundtrip_json, NULL);
	struct pk_graph *g1 = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	struct pk_graph *g2 = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_autofree char *text1 = NULL, *text2 = NULL;
	g_autoptr(JsonNode) again = NULL;
	GError *error = NULL;

	g_assert_true(pk_graph_load(g1, root, &error));
	g_assert_no_error(error);
	text1 = export_text(g1);
	/* defaults are left out, non-defaults kept in their text form, ports explicit */
	g_assert_nonnull(strstr(text1, "\"capacity\" : 16"));
	g_assert_nonnull(strstr(text1, "\"period\" : \"1m30s\""));
	g_assert_null(strstr(text1, "\"count\""));
	g_assert_nonnull(strstr(text1, "\"tee.port.7\""));
	again = json_from_string(text1, NULL);
	g_assert_true(pk_graph_load(g2, again, &error));
	g_assert_no_error(error);
	text2 = export_text(g2);
	g_assert_cmpstr(text1, ==, text2);
	pk_graph_free(g1);
	pk_graph_free(g2);
}

/* Loading into a graph that has devices: new ids only, ports already taken count. */
static void test_merge_load(void)
{
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_autoptr(JsonNode) first = json_from_string(
		"{\"devices\": {\"e\": {\"type\": \"test.echo\"}, \"tee\": {\"type\": \"test.tee\"}}, \"links\": [[\"e\", \"tee\"]]}",
		NULL);
	g_autoptr(JsonNode) clash = json_from_string(
		"{\"devices\": {\"e\": {\"type\": \"test.echo\"}}}", NULL);
	g_autoptr(JsonNode) taken = json_from_string(
		"{\"devices\": {\"f\": {\"type\": \"test.echo\"}}, \"links\": [[\"f\", \"e\"]]}", NULL);
	g_autoptr(JsonNode) more = json_from_string(
		"{\"devices\": {\"f\": {\"type\": \"test.echo\"}}, \"links\": [[\"f\", \"tee\"]]}", NULL);
	GError *error = NULL;

	g_assert_true(pk_graph_load(g, first, &error));
	g_assert_true(pk_graph_start(g, &error));
	g_assert_false(pk_graph_load(g, clash, &error));
	g_assert_cmpstr(error->message, ==, "devices.e: a device with this id already exists");
	g_clear_error(&error);
	g_assert_false(pk_graph_load(g, taken, &error));
	g_assert_cmpstr(error->message, ==, "links[0][1]: all 1 port(s) of e.eth are taken");
	g_clear_error(&error);
	g_assert_null(pk_graph_lookup(g, "f"));
	g_assert_true(pk_graph_load(g, more, &error));
	g_assert_no_error(error);
	g_assert_true(pk_dev_port_is_linked(pk_graph_lookup(g, "tee"), 1));
	pk_graph_free(g);
}

static void test_load_file(void)
{
	g_autofree char *dir = g_dir_make_tmp("pktkit-topo-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "t.json", NULL);
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	GError *error = NULL;

	g_assert_true(g_file_set_contents(file, "{\"devices\": {\"x\": {\"type\": \"test.echo\", \"bogus\": 1}}}", -1, NULL));
	g_assert_false(pk_graph_load_file(g, file, &error));
	g_assert_nonnull(strstr(error->message, "devices.x.bogus: unknown parameter"));
	g_clear_error(&error);
	g_assert_true(g_file_set_contents(file, "{\"devices\": {\"x\": {\"type\": \"test.echo\"}}}", -1, NULL));
	g_assert_true(pk_graph_load_file(g, file, &error));
	g_assert_false(pk_graph_load_file(g, "/nonexistent.json", &error));
	g_clear_error(&error);
	pk_graph_free(g);
	g_unlink(file);
	g_rmdir(dir);
}

/* A capture in the topology writes pcapng while the graph lives, and is exported. */
static void test_capture_in_topology(void)
{
	g_autofree char *dir = g_dir_make_tmp("pktkit-cap-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "a.pcapng", NULL);
	g_autofree char *json = g_strdup_printf(
		"{\"devices\": {\"a\": {\"type\": \"core.pipe-l2\"}, \"b\": {\"type\": \"core.pipe-l2\", \"capacity\": 0}},"
		" \"links\": [[\"a\", \"b\"]],"
		" \"captures\": [{\"ports\": [\"a.io.0\"], \"file\": \"%s\", \"timestamps\": \"us\"}]}",
		file);
	g_autoptr(JsonNode) root = json_from_string(json, NULL);
	g_autoptr(JsonNode) out = NULL;
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_autofree char *text = NULL, *contents = NULL;
	GError *error = NULL;
	gsize len;
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };

	g_assert_true(pk_graph_load(g, root, &error));
	g_assert_no_error(error);
	for (int i = 0; i < 3; i++)
		g_assert_true(pk_pipe_inject(pk_graph_lookup(g, "a"), frame, sizeof(frame)));
	out = pk_graph_export(g, false);
	text = json_to_string(out, FALSE);
	g_assert_nonnull(strstr(text, "\"captures\":[{\"ports\":[\"a.io.0\"]"));
	pk_graph_free(g);	/* stops the capture: the file is complete */

	g_assert_true(g_file_get_contents(file, &contents, &len, NULL));
	g_assert_cmpuint(len, >, 28 + 3 * (32 + 60));
	g_assert_cmpuint((uint8_t)contents[0], ==, 0x0a);	/* section header block */
	g_assert_cmpuint((uint8_t)contents[3], ==, 0x0a);
	g_unlink(file);
	g_rmdir(dir);
}

/* The data path fills the capture ring while its writer thread drains it: the ring
 * wraps many times (1.9 MB through 256 KiB). Every packet is written or counted as
 * dropped, and the file holds exactly the written ones. Run under ThreadSanitizer
 * by scripts/test.sh (build-tsan). */
static void test_capture_concurrent_writer(void)
{
	g_autofree char *dir = g_dir_make_tmp("pktkit-cap-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "a.pcapng", NULL);
	const char *json = "{\"devices\": {\"a\": {\"type\": \"core.pipe-l2\"},"
			   " \"b\": {\"type\": \"core.pipe-l2\", \"capacity\": 0}},"
			   " \"links\": [[\"a\", \"b\"]]}";
	const char *ports[] = { "a.io.0", NULL };
	const struct pk_capture_options opt = { .queue_bytes = 256u << 10 };
	g_autoptr(JsonNode) root = json_from_string(json, NULL);
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	struct pk_capture_stats st;
	struct pk_capture *cap;
	g_autofree char *contents = NULL;
	GError *error = NULL;
	uint64_t blocks = 0;
	gsize len, off;
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00 };
	const int n = 20000;

	g_assert_true(pk_graph_load(g, root, &error));
	g_assert_no_error(error);
	cap = pk_graph_capture_start(g, ports, file, &opt, &error);
	g_assert_no_error(error);
	g_assert_nonnull(cap);
	for (int i = 0; i < n; i++) {
		frame[59] = (uint8_t)i;
		g_assert_true(pk_pipe_inject(pk_graph_lookup(g, "a"), frame, sizeof(frame)));
	}
	g_assert_true(pk_capture_stop(cap, &st, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(st.captured + st.dropped, ==, (uint64_t)n);
	g_assert_cmpuint(st.written, ==, st.captured);
	g_assert_cmpuint(st.written, >, 0);

	/* Count the Enhanced Packet Blocks (type 6) of the file, block by block. */
	g_assert_true(g_file_get_contents(file, &contents, &len, NULL));
	for (off = 0; off + 12 <= len;) {
		uint32_t type, blen;

		memcpy(&type, contents + off, 4);
		memcpy(&blen, contents + off + 4, 4);
		g_assert_cmpuint(blen, >=, 12);
		g_assert_cmpuint(off + blen, <=, len);
		blocks += type == 6;
		off += blen;
	}
	g_assert_cmpuint(off, ==, len);
	g_assert_cmpuint(blocks, ==, st.written);
	pk_graph_free(g);
	g_unlink(file);
	g_rmdir(dir);
}

/* A capture that cannot start (unwritable file) undoes the whole load. */
static void test_capture_failure_rolls_back(void)
{
	g_autoptr(JsonNode) root = json_from_string(
		"{\"devices\": {\"a\": {\"type\": \"core.pipe-l2\"}, \"b\": {\"type\": \"core.pipe-l2\"}},"
		" \"links\": [[\"a\", \"b\"]],"
		" \"captures\": [{\"ports\": [\"a\"], \"file\": \"/nonexistent/dir/a.pcapng\"}]}",
		NULL);
	struct pk_graph *g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	GError *error = NULL;

	g_assert_false(pk_graph_load(g, root, &error));
	g_assert_nonnull(strstr(error->message, "captures[0]: cannot write capture file /nonexistent/dir/a.pcapng"));
	g_clear_error(&error);
	g_assert_null(pk_graph_lookup(g, "a"));
	pk_graph_free(g);
}

int main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	reg = test_devices_registry();
	for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		g_autofree char *path = g_strdup_printf("/topology/bad/%s", bad_cases[i].name);

		g_test_add_data_func(path, &bad_cases[i], test_bad_topology);
	}
	g_test_add_func("/topology/errors-accumulate", test_errors_accumulate);
	g_test_add_func("/topology/duplicate-ids", test_duplicate_ids);
	g_test_add_func("/topology/export-roundtrip", test_export_roundtrip);
	g_test_add_func("/topology/merge-load", test_merge_load);
	g_test_add_func("/topology/load-file", test_load_file);
	g_test_add_func("/topology/capture-in-topology", test_capture_in_topology);
	g_test_add_func("/topology/capture-failure-rolls-back", test_capture_failure_rolls_back);
	g_test_add_func("/topology/capture-concurrent-writer", test_capture_concurrent_writer);
	rc = g_test_run();
	pk_registry_free(reg);
	return rc;
}
