// SPDX-License-Identifier: MIT
/* hub-test-util.c - Shared helpers of the l2.hub / l3.router tests: graphs, pipes, packets */
#include <string.h>
#include <arpa/inet.h>
#include <pktkit/error.h>
#include <pktkit/module.h>

#include "hub-test-util.h"

struct pk_registry *hub_test_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		if (!pk_registry_lookup(reg, "l2.hub") || !pk_registry_lookup(reg, "l3.router"))
			g_error("pk-hub.so not found: is PKTKIT_MODULE_PATH set (meson test)?");
		hub_test_register_scribblers(reg);
	}
	return reg;
}

struct pk_graph *hub_test_graph(void)
{
	return pk_graph_new(hub_test_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
}

static JsonObject *hub_test_json(const char *json)
{
	g_autoptr(JsonNode) node = NULL;
	GError *error = NULL;

	if (!json)
		return NULL;
	node = json_from_string(json, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(node));
	return json_object_ref(json_node_get_object(node));
}

struct pk_dev *hub_test_device(struct pk_graph *g, const char *id, const char *type,
			       const char *json)
{
	g_autoptr(JsonObject) obj = hub_test_json(json);
	GError *error = NULL;
	struct pk_dev *dev = pk_graph_add_device(g, id, type, obj, &error);

	g_assert_no_error(error);
	g_assert_nonnull(dev);
	return dev;
}

void hub_test_device_fails(struct pk_graph *g, const char *id, const char *type,
			   const char *json, const char *needle)
{
	g_autoptr(JsonObject) obj = hub_test_json(json);
	g_autoptr(GError) error = NULL;

	g_assert_null(pk_graph_add_device(g, id, type, obj, &error));
	g_assert_nonnull(error);
	if (!strstr(error->message, needle))
		g_error("error \"%s\" does not mention \"%s\"", error->message, needle);
}

char *hub_test_set_config(struct pk_graph *g, const char *id, const char *json)
{
	g_autoptr(JsonObject) obj = hub_test_json(json);
	g_autoptr(GError) error = NULL;

	if (pk_graph_set_config(g, id, obj, &error))
		return NULL;
	return g_strdup(error->message);
}

void hub_test_link(struct pk_graph *g, const char *a, const char *b)
{
	GError *error = NULL;

	g_assert_true(pk_graph_link(g, a, b, &error));
	g_assert_no_error(error);
}

void hub_test_pipes(struct pk_graph *g, const char *dev_id, const char *pipe_type,
		    unsigned int n, unsigned int capacity, struct pk_dev **out)
{
	g_autofree char *params = g_strdup_printf("{\"capacity\": %u}", capacity);

	for (unsigned int i = 0; i < n; i++) {
		g_autofree char *id = g_strdup_printf("p%u", i);
		g_autofree char *ep = g_strdup_printf("%s.port.%u", dev_id, i);
		struct pk_dev *p = hub_test_device(g, id, pipe_type, params);

		hub_test_link(g, id, ep);
		if (out)
			out[i] = p;
	}
}

unsigned int hub_test_drain(struct pk_dev *pipe)
{
	unsigned int n = 0;
	struct pk_buf *b;

	while ((b = pk_pipe_pop(pipe))) {
		pk_buf_unref(b);
		n++;
	}
	return n;
}

char *hub_test_pending(struct pk_dev **pipes, unsigned int n)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(s, "%s%u", i ? " " : "", pk_pipe_pending(pipes[i]));
	return g_string_free(s, FALSE);
}

struct pk_buf *hub_test_pop1(struct pk_dev *pipe)
{
	g_assert_cmpuint(pk_pipe_pending(pipe), ==, 1);
	return pk_pipe_pop(pipe);
}

void hub_test_assert_bytes(const struct pk_buf *b, const void *want, uint32_t len)
{
	g_assert_nonnull(b);
	g_assert_cmpmem(pk_buf_data(b), pk_buf_len(b), want, len);
}

void hub_test_mac(uint8_t out[6], unsigned int n)
{
	const uint8_t m[6] = { 0x02, 0x00, 0x00, 0x00, (uint8_t)(n >> 8), (uint8_t)n };

	memcpy(out, m, 6);
}

uint32_t hub_test_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], int tci,
		      uint32_t payload_len, uint8_t seed)
{
	uint32_t off = 12;

	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	if (tci >= 0) {
		buf[off++] = 0x81;
		buf[off++] = 0x00;
		buf[off++] = (uint8_t)(tci >> 8);
		buf[off++] = (uint8_t)tci;
	}
	buf[off++] = 0x88;
	buf[off++] = 0xb5;
	for (uint32_t i = 0; i < payload_len; i++)
		buf[off + i] = (uint8_t)(seed + i * 7);
	return off + payload_len;
}

uint16_t hub_test_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t hub_test_ip4(uint8_t *buf, const char *src, const char *dst, uint8_t ttl,
		      uint32_t opt_words, uint32_t payload_len)
{
	uint32_t hl = 20 + 4 * opt_words, total = hl + payload_len;
	uint16_t c;

	memset(buf, 0, hl);
	buf[0] = (uint8_t)(0x40 | (hl / 4));
	buf[1] = 0x10;
	buf[2] = (uint8_t)(total >> 8);
	buf[3] = (uint8_t)total;
	buf[4] = 0x12;
	buf[5] = 0x34;
	buf[6] = 0x40;	/* DF */
	buf[8] = ttl;
	buf[9] = 17;
	g_assert_cmpint(inet_pton(AF_INET, src, buf + 12), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET, dst, buf + 16), ==, 1);
	memset(buf + 20, 1, 4 * opt_words);	/* NOP options */
	c = hub_test_csum(buf, hl);
	buf[10] = (uint8_t)(c >> 8);
	buf[11] = (uint8_t)c;
	for (uint32_t i = 0; i < payload_len; i++)
		buf[hl + i] = (uint8_t)(i * 13 + ttl);
	return total;
}

uint32_t hub_test_ip6(uint8_t *buf, const char *src, const char *dst, uint8_t hop_limit,
		      uint32_t payload_len)
{
	memset(buf, 0, 40);
	buf[0] = 0x60;
	buf[1] = 0x0a;
	buf[3] = 0x42;
	buf[4] = (uint8_t)(payload_len >> 8);
	buf[5] = (uint8_t)payload_len;
	buf[6] = 17;
	buf[7] = hop_limit;
	g_assert_cmpint(inet_pton(AF_INET6, src, buf + 8), ==, 1);
	g_assert_cmpint(inet_pton(AF_INET6, dst, buf + 24), ==, 1);
	for (uint32_t i = 0; i < payload_len; i++)
		buf[40 + i] = (uint8_t)(i * 11 + hop_limit);
	return 40 + payload_len;
}

/* Scribbler: a receiver that writes to every buffer it gets. ------------ */

struct scribbler {
	unsigned int copies;
	unsigned int in_place;
};

static void scribbler_receive(struct pk_dev *dev, void *self, uint32_t port,
			      const struct pk_batch *batch)
{
	struct scribbler *s = self;

	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *w = pk_buf_writable(dev, batch->buf[i]);

		g_assert_nonnull(w);
		if (w == batch->buf[i])
			s->in_place++;
		else
			s->copies++;
		pk_buf_data(w)[0] ^= 0xff;
	}
}

static const struct pk_device_ops scribbler_ops = { .receive = scribbler_receive };
static const struct pk_port_group scribbler_l2_ports[] = { { "io", PK_L2, 0, 1, "In", 0 } };
static const struct pk_port_group scribbler_l3_ports[] = { { "io", PK_L3, 0, 1, "In", 0 } };

static const struct pk_device_type scribbler_l2_type = {
	.name = "test.scribbler-l2",
	.summary = "Writes to every frame it receives",
	.doc = "Test device.",
	PK_ARRAY(ports, scribbler_l2_ports),
	.instance_size = sizeof(struct scribbler),
	.ops = &scribbler_ops,
};

static const struct pk_device_type scribbler_l3_type = {
	.name = "test.scribbler-l3",
	.summary = "Writes to every packet it receives",
	.doc = "Test device.",
	PK_ARRAY(ports, scribbler_l3_ports),
	.instance_size = sizeof(struct scribbler),
	.ops = &scribbler_ops,
};

static const struct pk_device_type *const scribbler_types[] = {
	&scribbler_l2_type, &scribbler_l3_type, NULL,
};

static const struct pk_module_info scribbler_module = {
	.abi_major = PK_ABI_MAJOR,
	.abi_minor = PK_ABI_MINOR,
	.name = "hub-tests",
	.version = "0",
	.license = "MIT",
	.description = "Devices of the hub tests",
	.origin = "tests/hub",
	.types = scribbler_types,
};

void hub_test_register_scribblers(struct pk_registry *reg)
{
	GError *error = NULL;

	g_assert_true(pk_registry_add_module(reg, &scribbler_module, "(tests/hub)", &error));
	g_assert_no_error(error);
}

void hub_test_scribbled(struct pk_dev *dev, unsigned int *copies, unsigned int *in_place)
{
	struct scribbler *s = pk_dev_instance(dev);

	*copies = s->copies;
	*in_place = s->in_place;
}
