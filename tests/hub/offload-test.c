// SPDX-License-Identifier: MIT
/* offload-test.c - Shared helpers of the offload-path tests: TCP super-packets and a sink that accepts them */
#include <string.h>

#include <pktkit/module.h>

#include "offload-test.h"

#define OT_THL 32u
#define OT_SEQ 0xfffff000u	/* wraps within a super-packet */

static const uint8_t ot_src4[4] = { 10, 0, 0, 1 }, ot_dst4[4] = { 10, 0, 0, 2 };
static const uint8_t ot_src6[16] = { 0xfd, 0, [15] = 1 }, ot_dst6[16] = { 0xfd, 0, [15] = 2 };

/* Sink ------------------------------------------------------------------- */

struct ot_sink {
	GPtrArray *got;
};

static int ot_sink_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct ot_sink *s = self;

	(void)dev;
	(void)config;
	(void)error;
	s->got = g_ptr_array_new_with_free_func((GDestroyNotify)pk_buf_unref);
	return 0;
}

static void ot_sink_finalize(struct pk_dev *dev, void *self)
{
	struct ot_sink *s = self;

	(void)dev;
	g_ptr_array_unref(s->got);
}

static void ot_sink_receive(struct pk_dev *dev, void *self, uint32_t port,
			    const struct pk_batch *batch)
{
	struct ot_sink *s = self;

	(void)dev;
	(void)port;
	for (uint32_t i = 0; i < batch->n; i++)
		g_ptr_array_add(s->got, pk_buf_ref(batch->buf[i]));
}

static const struct pk_port_group ot_l2_ports[] = {
	{ "io", PK_L2, 0, 1, "Frames in; accepts offloads", PK_PORT_F_OFFLOAD },
};
static const struct pk_port_group ot_l3_ports[] = {
	{ "io", PK_L3, 0, 1, "Packets in; accepts offloads", PK_PORT_F_OFFLOAD },
};
static const struct pk_device_ops ot_sink_ops = {
	.init = ot_sink_init,
	.finalize = ot_sink_finalize,
	.receive = ot_sink_receive,
};
static const struct pk_device_type ot_sink_l2 = {
	.name = "test.offload-sink-l2",
	.summary = "Records frames; its port accepts offloads",
	PK_ARRAY(ports, ot_l2_ports),
	.instance_size = sizeof(struct ot_sink),
	.ops = &ot_sink_ops,
};
static const struct pk_device_type ot_sink_l3 = {
	.name = "test.offload-sink-l3",
	.summary = "Records packets; its port accepts offloads",
	PK_ARRAY(ports, ot_l3_ports),
	.instance_size = sizeof(struct ot_sink),
	.ops = &ot_sink_ops,
};
static const struct pk_device_type *const ot_types[] = { &ot_sink_l2, &ot_sink_l3, NULL };
static const struct pk_module_info ot_module = {
	.abi_major = PK_ABI_MAJOR,
	.abi_minor = PK_ABI_MINOR,
	.name = "test-offload",
	.version = "1",
	.license = "MIT",
	.description = "Offload sinks for tests",
	.origin = "tests",
	.types = ot_types,
};

void offload_test_register(struct pk_registry *reg)
{
	g_assert_true(pk_registry_add_module(reg, &ot_module, "(test)", NULL));
}

GPtrArray *offload_test_got(struct pk_dev *sink)
{
	return ((struct ot_sink *)pk_dev_instance(sink))->got;
}

struct ot_send {
	struct pk_buf *b;
	bool done;
};

static void ot_send_cb(struct pk_dev *dev, void *self, void *data)
{
	struct ot_send *o = data;

	(void)self;
	pk_dev_emit_one(dev, 0, o->b);
	o->done = true;
}

void offload_test_send(struct pk_dev *sink, const void *data, uint32_t len)
{
	struct ot_send o = { .b = pk_buf_new_copy(data, len) };

	g_assert_nonnull(o.b);
	pk_dev_invoke(sink, ot_send_cb, &o, NULL);
	while (!o.done)
		g_main_context_iteration(NULL, TRUE);
	pk_buf_unref(o.b);
}

void offload_test_clear(struct pk_dev *sink)
{
	GPtrArray *got = offload_test_got(sink);

	g_ptr_array_set_size(got, 0);
}

/* Packets ------------------------------------------------------------------ */

static uint8_t ot_pattern(uint32_t off)
{
	return (uint8_t)(off * 7 + 3);
}

struct pk_buf *offload_test_super(bool v6, uint32_t payload, uint16_t mss, const uint8_t *eth_dst,
				  const uint8_t *eth_src)
{
	uint32_t l3 = eth_dst ? PK_ETH_HLEN : 0, iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN;
	uint32_t l4_len = OT_THL + payload, len = l3 + iphl + l4_len, sum;
	struct pk_buf *b = pk_buf_alloc(len);
	uint8_t *p, *ip, *th;

	g_assert_nonnull(b);
	p = pk_buf_data(b);
	memset(p, 0, l3 + iphl + OT_THL);
	if (eth_dst) {
		memcpy(p, eth_dst, 6);
		memcpy(p + 6, eth_src, 6);
		pk_put_be16(p + 12, v6 ? PK_ETH_P_IPV6 : PK_ETH_P_IPV4);
	}
	ip = p + l3;
	if (v6) {
		pk_put_be32(ip, 6u << 28);
		pk_put_be16(ip + 4, (uint16_t)l4_len);
		ip[6] = PK_IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, ot_src6, 16);
		memcpy(ip + 24, ot_dst6, 16);
	} else {
		ip[0] = 0x45;
		pk_put_be16(ip + 2, (uint16_t)(iphl + l4_len));
		pk_put_be16(ip + 4, 1000);
		pk_put_be16(ip + 6, PK_IP4_DF);
		ip[8] = 64;
		ip[9] = PK_IPPROTO_TCP;
		memcpy(ip + 12, ot_src4, 4);
		memcpy(ip + 16, ot_dst4, 4);
		pk_ip4_csum_fill(ip, iphl);
	}
	th = ip + iphl;
	pk_put_be16(th, 40000);
	pk_put_be16(th + 2, 5201);
	pk_put_be32(th + 4, OT_SEQ);
	pk_put_be32(th + 8, 0x01020304);
	th[12] = (uint8_t)((OT_THL / 4) << 4);
	th[13] = 0x18;	/* ACK PSH */
	pk_put_be16(th + 14, 4096);
	th[20] = 1;
	th[21] = 1;
	th[22] = 8;
	th[23] = 10;
	for (uint32_t i = 0; i < payload; i++)
		th[OT_THL + i] = ot_pattern(i);
	sum = v6 ? pk_csum_pseudo6(ot_src6, ot_dst6, PK_IPPROTO_TCP, l4_len)
		 : pk_csum_pseudo4(ot_src4, ot_dst4, PK_IPPROTO_TCP, l4_len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	pk_put_be16(th + 16, (uint16_t)sum);
	pk_buf_set_csum_partial(b, l3 + iphl, 16);
	pk_buf_set_gso(b, mss, v6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
	return b;
}

void offload_test_assert_super(const struct pk_buf *b, uint32_t l3, bool v6, uint32_t payload,
			       uint16_t mss)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN;

	g_assert_cmpuint(pk_buf_len(b), ==, l3 + iphl + OT_THL + payload);
	g_assert_cmpuint(b->gso_size, ==, mss);
	g_assert_cmpuint(b->gso_type, ==, v6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
	g_assert_cmpuint(b->csum, ==, PK_CSUM_PARTIAL);
	g_assert_cmpint(pk_buf_csum_start(b), ==, (int32_t)(l3 + iphl));
	g_assert_cmpuint(b->csum_offset, ==, 16);
	/* The payload is intact (its first and last bytes). */
	g_assert_cmpuint(pk_buf_data(b)[l3 + iphl + OT_THL], ==, ot_pattern(0));
	g_assert_cmpuint(pk_buf_data(b)[pk_buf_len(b) - 1], ==, ot_pattern(payload - 1));
}

void offload_test_check_segments(struct pk_buf *const *bufs, uint32_t n, uint32_t l3, bool v6,
				 uint32_t payload, uint16_t mss)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN, off = 0;

	g_assert_cmpuint(n, ==, (payload + mss - 1) / mss);
	for (uint32_t i = 0; i < n; i++) {
		const struct pk_buf *b = bufs[i];
		const uint8_t *ip = pk_buf_data(b) + l3, *th = ip + iphl;
		uint32_t len = pk_buf_len(b) - l3, l4_len = len - iphl, seg = l4_len - OT_THL, sum;

		g_assert_false(pk_buf_needs_offload(b));
		g_assert_cmpuint(seg, <=, mss);
		g_assert_cmpuint(seg, ==, MIN(mss, payload - off));
		if (v6) {
			g_assert_cmpuint(pk_get_be16(ip + 4), ==, l4_len);
			sum = pk_csum_pseudo6(ip + 8, ip + 24, PK_IPPROTO_TCP, l4_len);
		} else {
			g_assert_cmpuint(pk_get_be16(ip + 2), ==, len);
			g_assert_cmpuint(pk_csum(ip, PK_IP4_HLEN), ==, 0);
			sum = pk_csum_pseudo4(ip + 12, ip + 16, PK_IPPROTO_TCP, l4_len);
		}
		g_assert_true(pk_csum_ok(th, l4_len, sum));
		g_assert_cmpuint(pk_get_be32(th + 4), ==, OT_SEQ + off);
		for (uint32_t k = 0; k < seg; k++)
			g_assert_cmpuint(th[OT_THL + k], ==, ot_pattern(off + k));
		off += seg;
	}
	g_assert_cmpuint(off, ==, payload);
}
