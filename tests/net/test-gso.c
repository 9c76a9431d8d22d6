// SPDX-License-Identifier: MIT
/* test-gso.c - Software segmentation offload: pk_gso_segment() against hand-built segments, buffer metadata, delivery to ports with and without PK_PORT_F_OFFLOAD */
#include <errno.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/embed/graph.h>
#include <pktkit/toolkit/gso.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/module.h>
#include <pktkit/pktkit.h>
#include <pktkit/embed/registry.h>
#include <pktkit/embed/testing.h>

#define F_FIN 0x01
#define F_PSH 0x08
#define F_ACK 0x10
#define F_CWR 0x80

static const uint8_t src4[4] = { 10, 0, 0, 1 }, dst4[4] = { 10, 0, 0, 2 };
static const uint8_t src6[16] = { 0xfd, 0, [15] = 1 }, dst6[16] = { 0xfd, 0, [15] = 2 };

/* Write one IP+TCP packet at @p: @thl bytes of TCP header (timestamps
 * option when 32), payload bytes pattern(seq offset). Returns its length.
 * @full_csum: a complete TCP checksum; otherwise the pseudo-header sum only
 * (PK_CSUM_PARTIAL convention). */
static uint32_t build_tcp(uint8_t *p, bool v6, uint16_t ip_id, uint32_t seq, uint8_t flags,
			  uint32_t thl, uint32_t payload_off, uint32_t payload_len, bool full_csum)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN, l4_len = thl + payload_len, sum;
	uint8_t *th = p + iphl;

	memset(p, 0, iphl + thl);
	if (v6) {
		pk_put_be32(p, 6u << 28);
		pk_put_be16(p + 4, (uint16_t)l4_len);
		p[6] = PK_IPPROTO_TCP;
		p[7] = 64;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
	} else {
		p[0] = 0x45;
		pk_put_be16(p + 2, (uint16_t)(iphl + l4_len));
		pk_put_be16(p + 4, ip_id);
		pk_put_be16(p + 6, PK_IP4_DF);
		p[8] = 64;
		p[9] = PK_IPPROTO_TCP;
		memcpy(p + 12, src4, 4);
		memcpy(p + 16, dst4, 4);
		pk_ip4_csum_fill(p, iphl);
	}
	pk_put_be16(th, 40000);
	pk_put_be16(th + 2, 5201);
	pk_put_be32(th + 4, seq);
	pk_put_be32(th + 8, 0x01020304);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	pk_put_be16(th + 14, 4096);
	if (thl >= 32) {
		th[20] = 1;
		th[21] = 1;
		th[22] = 8;
		th[23] = 10;
		pk_put_be32(th + 24, 0xaabbccdd);
		pk_put_be32(th + 28, 0x11223344);
	}
	for (uint32_t i = 0; i < payload_len; i++)
		th[thl + i] = (uint8_t)((payload_off + i) * 7 + 3);
	sum = v6 ? pk_csum_pseudo6(src6, dst6, PK_IPPROTO_TCP, l4_len)
		 : pk_csum_pseudo4(src4, dst4, PK_IPPROTO_TCP, l4_len);
	if (full_csum) {
		pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len, sum)));
	} else {
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		pk_put_be16(th + 16, (uint16_t)sum);
	}
	return iphl + l4_len;
}

static struct pk_buf *super_packet(bool v6, uint32_t payload, uint16_t mss, uint8_t flags,
				   uint32_t thl)
{
	struct pk_buf *b = pk_buf_alloc(PK_BUF_MAX_LEN - 64);
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN;

	g_assert_nonnull(b);
	pk_buf_trim(b, build_tcp(pk_buf_data(b), v6, 1000, 0xfffff000u, flags, thl, 0, payload,
				 false));
	pk_buf_set_csum_partial(b, iphl, 16);
	pk_buf_set_gso(b, mss, v6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
	return b;
}

static bool tcp_csum_verifies(const uint8_t *p, uint32_t len, bool v6)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN, l4 = len - iphl;
	uint32_t sum = v6 ? pk_csum_pseudo6(p + 8, p + 24, PK_IPPROTO_TCP, l4)
			  : pk_csum_pseudo4(p + 12, p + 16, PK_IPPROTO_TCP, l4);

	if (!v6 && pk_csum(p, PK_IP4_HLEN) != 0)
		return false;
	return pk_csum_ok(p + iphl, l4, sum);
}

/* Segment a super-packet and compare every segment with one built by hand. */
static void check_segments(bool v6, uint32_t payload, uint16_t mss, uint32_t thl)
{
	uint8_t flags = F_ACK | F_PSH | F_FIN | F_CWR;
	struct pk_buf *b = super_packet(v6, payload, mss, flags, thl);
	uint32_t nseg = (payload + mss - 1) / mss, pos = 0, got = 0;
	struct pk_batch out;
	uint8_t *orig = g_memdup2(pk_buf_data(b), pk_buf_len(b));
	uint32_t orig_len = pk_buf_len(b);
	int rc;

	do {
		pk_batch_init(&out);
		rc = pk_gso_segment(b, 0, &pos, &out);
		g_assert_cmpint(rc, >=, 0);
		for (uint32_t i = 0; i < out.n; i++, got++) {
			uint8_t want[2048];
			uint32_t off = got * mss, n = MIN(mss, payload - off);
			uint8_t fl = F_ACK;
			uint32_t wlen;

			if (got == 0)
				fl |= F_CWR;
			if (got == nseg - 1)
				fl |= F_PSH | F_FIN;
			wlen = build_tcp(want, v6, (uint16_t)(1000 + got), 0xfffff000u + off, fl, thl,
					 off, n, true);
			g_assert_cmpuint(pk_buf_len(out.buf[i]), ==, wlen);
			g_assert_cmpmem(pk_buf_data(out.buf[i]), wlen, want, wlen);
			g_assert_true(tcp_csum_verifies(pk_buf_data(out.buf[i]), wlen, v6));
			g_assert_false(pk_buf_needs_offload(out.buf[i]));
			g_assert_cmpuint(out.buf[i]->csum, ==, PK_CSUM_NONE);
		}
		pk_batch_unref_all(&out);
	} while (rc == 0);
	g_assert_cmpint(rc, ==, 1);
	g_assert_cmpuint(got, ==, nseg);
	g_assert_cmpuint(pos, ==, nseg);
	/* The source is untouched. */
	g_assert_cmpmem(pk_buf_data(b), pk_buf_len(b), orig, orig_len);
	g_free(orig);
	pk_buf_unref(b);
}

static void test_segment_v4(void)
{
	check_segments(false, 4000, 1448, 32);	/* 1448 + 1448 + 1104 */
	check_segments(false, 2896, 1448, 20);	/* exact multiple */
	check_segments(false, 1449, 1448, 32);	/* one byte left over */
	check_segments(false, 65000, 1448, 32);	/* a real super-packet: 45 segments */
}

static void test_segment_v6(void)
{
	check_segments(true, 3001, 1000, 32);	/* odd: the last has 1 byte */
	check_segments(true, 4000, 1428, 20);
	check_segments(true, 64000, 1428, 32);
}

/* More segments than a batch holds: the cursor continues. */
static void test_segment_continue(void)
{
	check_segments(false, 1000, 10, 20);	/* 100 segments: 64 + 36 */
	check_segments(true, 6401, 100, 32);	/* 65 segments */
}

/* A partial checksum without GSO: one copy, checksum completed. */
static void test_partial_only(void)
{
	uint8_t want[256];
	struct pk_buf *b = pk_buf_alloc(256);
	struct pk_batch out;
	uint32_t len, pos = 0;

	len = build_tcp(pk_buf_data(b), false, 7, 1, F_ACK | F_PSH, 32, 0, 77, false);
	pk_buf_trim(b, len);
	pk_buf_set_csum_partial(b, PK_IP4_HLEN, 16);
	g_assert_true(pk_buf_needs_offload(b));
	pk_batch_init(&out);
	g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 1);
	build_tcp(want, false, 7, 1, F_ACK | F_PSH, 32, 0, 77, true);
	g_assert_cmpmem(pk_buf_data(out.buf[0]), pk_buf_len(out.buf[0]), want, len);
	pk_batch_unref_all(&out);
	/* A super-packet whose payload fits one segment: the same. */
	pk_buf_set_gso(b, 1448, PK_GSO_TCPV4);
	pos = 0;
	g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_cmpmem(pk_buf_data(out.buf[0]), pk_buf_len(out.buf[0]), want, len);
	pk_batch_unref_all(&out);
	pk_buf_unref(b);

	/* UDP over IPv6, partial: completed generically (start + offset). */
	{
		uint8_t *p;
		uint32_t sum;

		b = pk_buf_alloc(PK_IP6_HLEN + 8 + 11);
		p = pk_buf_data(b);
		memset(p, 0, PK_IP6_HLEN);
		pk_put_be32(p, 6u << 28);
		pk_put_be16(p + 4, 19);
		p[6] = PK_IPPROTO_UDP;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
		pk_put_be16(p + 40, 53);
		pk_put_be16(p + 42, 5353);
		pk_put_be16(p + 44, 19);
		memcpy(p + 48, "hello world", 11);
		sum = pk_csum_pseudo6(src6, dst6, PK_IPPROTO_UDP, 19);
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		pk_put_be16(p + 46, (uint16_t)sum);
		pk_buf_set_csum_partial(b, PK_IP6_HLEN, 6);
		pos = 0;
		g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, 1);
		p = pk_buf_data(out.buf[0]);
		g_assert_true(pk_csum_ok(p + 40, 19, pk_csum_pseudo6(src6, dst6, PK_IPPROTO_UDP, 19)));
		pk_batch_unref_all(&out);
		pk_buf_unref(b);
	}
}

static void test_malformed(void)
{
	struct pk_buf *b = super_packet(false, 4000, 1448, F_ACK, 20);
	struct pk_batch out;
	uint32_t pos = 0;

	pk_batch_init(&out);
	b->gso_type = PK_GSO_TCPV6;	/* type does not match the version */
	g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, -EINVAL);
	b->gso_type = PK_GSO_TCPV4;
	b->csum_start += 4;		/* checksum start is not the TCP header */
	g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, -EINVAL);
	b->csum_start -= 4;
	pk_put_be16(pk_buf_data(b) + 2, 30);	/* IP total length too short for TCP */
	g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, -EINVAL);
	pk_put_be16(pk_buf_data(b) + 2, (uint16_t)(pk_buf_len(b) + 1));	/* beyond the buffer */
	g_assert_cmpint(pk_gso_segment(b, 0, &pos, &out), ==, -EINVAL);
	g_assert_cmpuint(out.n, ==, 0);
	/* Headers pulled past the checksum start: stale metadata. */
	pk_buf_pull(b, 30);
	g_assert_cmpint(pk_buf_csum_start(b), ==, -1);
	pk_buf_unref(b);
}

/* Ethernet with a VLAN tag in front: headers copied, IP found past the tag. */
static void test_l2(void)
{
	struct pk_buf *b = pk_buf_alloc(18 + 40 + 32 + 3000);
	uint8_t *p = pk_buf_data(b);
	struct pk_batch out;
	uint32_t len, pos = 0;
	int32_t l3;

	memset(p, 0x22, 12);
	pk_put_be16(p + 12, 0x8100);
	pk_put_be16(p + 14, 42);
	pk_put_be16(p + 16, 0x86dd);
	len = build_tcp(p + 18, true, 0, 5, F_ACK, 32, 0, 3000, false);
	pk_buf_trim(b, 18 + len);
	l3 = pk_eth_l3_offset(p, pk_buf_len(b));
	g_assert_cmpint(l3, ==, 18);
	pk_buf_set_csum_partial(b, 18 + PK_IP6_HLEN, 16);
	pk_buf_set_gso(b, 1000, PK_GSO_TCPV6);
	pk_batch_init(&out);
	g_assert_cmpint(pk_gso_segment(b, (uint32_t)l3, &pos, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 3);
	for (uint32_t i = 0; i < out.n; i++) {
		const uint8_t *q = pk_buf_data(out.buf[i]);

		g_assert_cmpmem(q, 18, p, 18);
		g_assert_true(tcp_csum_verifies(q + 18, pk_buf_len(out.buf[i]) - 18, true));
	}
	pk_batch_unref_all(&out);
	pk_buf_unref(b);
	g_assert_cmpint(pk_eth_l3_offset((const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\x08\x06", 14),
			==, -1);
}

/* Alloc clears the metadata of a recycled block; copies keep it. */
static void test_buf_metadata(void)
{
	struct pk_buf *b = super_packet(false, 3000, 1448, F_ACK, 20), *c;
	struct pk_buf_stats st;

	c = pk_buf_copy(b);
	g_assert_cmpuint(c->gso_size, ==, 1448);
	g_assert_cmpuint(c->gso_type, ==, PK_GSO_TCPV4);
	g_assert_cmpuint(c->csum, ==, PK_CSUM_PARTIAL);
	g_assert_cmpint(pk_buf_csum_start(c), ==, PK_IP4_HLEN);
	g_assert_cmpuint(c->csum_offset, ==, 16);
	pk_buf_unref(c);
	/* Headroom differs: the start moves with the data. */
	pk_buf_pull(b, 0);
	pk_buf_push(b, 8);
	c = pk_buf_copy(b);
	g_assert_cmpint(pk_buf_csum_start(c), ==, PK_IP4_HLEN + 8);
	pk_buf_unref(c);
	pk_buf_unref(b);
	pk_buf_pool_stats(&st);
	/* Whatever block comes next (possibly the one just freed) is clean. */
	for (int i = 0; i < 4; i++) {
		b = pk_buf_alloc(PK_BUF_MAX_LEN - 64);
		g_assert_false(pk_buf_needs_offload(b));
		g_assert_cmpuint(b->csum, ==, PK_CSUM_NONE);
		g_assert_cmpuint(b->gso_type, ==, PK_GSO_NONE);
		pk_buf_set_gso(b, 100, PK_GSO_TCPV4);
		b->csum = PK_CSUM_VERIFIED;
		pk_buf_unref(b);
	}
}

/* Delivery: a sink that accepts offloads and records what arrives. */

struct sink {
	GPtrArray *got;
};

static int sink_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct sink *s = self;

	(void)dev;
	(void)config;
	(void)error;
	s->got = g_ptr_array_new_with_free_func((GDestroyNotify)pk_buf_unref);
	return 0;
}

static void sink_finalize(struct pk_dev *dev, void *self)
{
	struct sink *s = self;

	(void)dev;
	g_ptr_array_unref(s->got);
}

static void sink_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch)
{
	struct sink *s = self;

	(void)dev;
	(void)port;
	for (uint32_t i = 0; i < batch->n; i++)
		g_ptr_array_add(s->got, pk_buf_ref(batch->buf[i]));
}

static const struct pk_port_group sink_ports[] = {
	{ "ip", PK_L3, 0, 1, "Accepts offloads", PK_PORT_F_OFFLOAD },
};
static const struct pk_device_ops sink_ops = {
	.init = sink_init, .finalize = sink_finalize, .receive = sink_receive,
};
static const struct pk_device_type sink_type = {
	.name = "test.gso-sink", .summary = "Records buffers; its port accepts offloads",
	PK_ARRAY(ports, sink_ports), .instance_size = sizeof(struct sink), .ops = &sink_ops,
};
/* The same descriptor under another name, from a module built for 1.0: the
 * host must ignore the flag (the field does not exist for it). */
static const struct pk_device_type old_sink_type = {
	.name = "test.old-sink", .summary = "Like test.gso-sink, but from a 1.0 module",
	PK_ARRAY(ports, sink_ports), .instance_size = sizeof(struct sink), .ops = &sink_ops,
};
static const struct pk_device_type *const sink_types[] = { &sink_type, NULL };
static const struct pk_device_type *const old_sink_types[] = { &old_sink_type, NULL };
static const struct pk_module_info sink_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR, .name = "test-gso", .version = "1",
	.license = "MIT", .description = "GSO test devices", .origin = "tests", .types = sink_types,
};
static const struct pk_module_info old_sink_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = 0, .name = "test-gso-old", .version = "1",
	.license = "MIT", .description = "GSO test devices (1.0)", .origin = "tests",
	.types = old_sink_types,
};

static struct pk_graph *delivery_graph(struct pk_registry **reg_out)
{
	struct pk_registry *reg = pk_registry_new();
	struct pk_graph *g;
	GError *error = NULL;

	g_assert_true(pk_registry_add_module(reg, &sink_module, "(test)", NULL));
	g_assert_true(pk_registry_add_module(reg, &old_sink_module, "(test-old)", NULL));
	g = pk_graph_new(reg, NULL, PK_GRAPH_FAKE_CLOCK);
	g_assert_nonnull(pk_graph_add_device(g, "src", "core.pipe-l3", NULL, &error));
	g_assert_nonnull(pk_graph_add_device(g, "src2", "core.pipe-l3", NULL, &error));
	g_assert_nonnull(pk_graph_add_device(g, "src3", "core.pipe-l3", NULL, &error));
	g_assert_nonnull(pk_graph_add_device(g, "plain", "core.pipe-l3", NULL, &error));
	g_assert_nonnull(pk_graph_add_device(g, "gso", "test.gso-sink", NULL, &error));
	g_assert_nonnull(pk_graph_add_device(g, "old", "test.old-sink", NULL, &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(g, "src.io", "plain.io", &error));
	g_assert_true(pk_graph_link(g, "src2.io", "gso.ip", &error));
	g_assert_true(pk_graph_link(g, "src3.io", "old.ip", &error));
	g_assert_no_error(error);
	g_assert_true(pk_graph_start(g, &error));
	*reg_out = reg;
	return g;
}

static void test_delivery(void)
{
	struct pk_registry *reg;
	struct pk_graph *g = delivery_graph(&reg);
	struct pk_dev *src = pk_graph_lookup(g, "src"), *plain = pk_graph_lookup(g, "plain");
	struct sink *gso = pk_dev_instance(pk_graph_lookup(g, "gso"));
	struct sink *old = pk_dev_instance(pk_graph_lookup(g, "old"));
	struct pk_batch in;
	struct pk_buf *b, *ordinary;
	uint32_t n = 0, total = 0;
	uint8_t small[100];

	/* What a device may ask before building super-packets: only the port
	 * linked to the offload sink of a 1.1+ module takes them whole. */
	g_assert_false(pk_dev_port_takes_offload(src, 0));
	g_assert_true(pk_dev_port_takes_offload(pk_graph_lookup(g, "src2"), 0));
	g_assert_false(pk_dev_port_takes_offload(pk_graph_lookup(g, "src3"), 0));
	g_assert_false(pk_dev_port_takes_offload(src, 7));

	/* One ordinary packet, one super-packet, one ordinary packet: order kept. */
	build_tcp(small, false, 1, 1, F_ACK, 20, 0, 60, true);
	ordinary = pk_buf_new_copy(small, 100);
	b = super_packet(false, 10000, 1448, F_ACK | F_PSH, 32);
	pk_batch_init(&in);
	pk_batch_add(&in, ordinary);
	pk_batch_add(&in, b);
	pk_batch_add(&in, ordinary);
	g_assert_true(pk_pipe_inject_batch(src, &in));
	while ((b = pk_pipe_pop(plain))) {
		const uint8_t *p = pk_buf_data(b);

		g_assert_false(pk_buf_needs_offload(b));
		if (n == 0 || pk_pipe_pending(plain) == 0) {
			g_assert_cmpmem(p, pk_buf_len(b), small, 100);
		} else {
			g_assert_true(tcp_csum_verifies(p, pk_buf_len(b), false));
			g_assert_cmpuint(pk_buf_len(b), <=, 20 + 32 + 1448);
			total += pk_buf_len(b) - 52;
		}
		n++;
		pk_buf_unref(b);
	}
	g_assert_cmpuint(n, ==, 1 + 7 + 1);
	g_assert_cmpuint(total, ==, 10000);

	/* The offload port gets the super-packet as it is. */
	g_assert_true(pk_pipe_inject_batch(pk_graph_lookup(g, "src2"), &in));
	g_assert_cmpuint(gso->got->len, ==, 3);
	g_assert_true(g_ptr_array_index(gso->got, 1) == in.buf[1]);
	g_assert_cmpuint(((struct pk_buf *)g_ptr_array_index(gso->got, 1))->gso_size, ==, 1448);

	/* Its device declines offloads for now: the core cuts for it, and its
	 * peer is told; taking them again restores both. */
	pk_dev_group_set_offload(pk_graph_lookup(g, "gso"), 0, false);
	g_assert_false(pk_dev_port_takes_offload(pk_graph_lookup(g, "src2"), 0));
	g_assert_true(pk_pipe_inject_batch(pk_graph_lookup(g, "src2"), &in));
	g_assert_cmpuint(gso->got->len, ==, 3 + 9);
	for (guint k = 3; k < gso->got->len; k++)
		g_assert_false(pk_buf_needs_offload(g_ptr_array_index(gso->got, k)));
	pk_dev_group_set_offload(pk_graph_lookup(g, "gso"), 0, true);
	g_assert_true(pk_dev_port_takes_offload(pk_graph_lookup(g, "src2"), 0));
	g_assert_true(pk_pipe_inject_batch(pk_graph_lookup(g, "src2"), &in));
	g_assert_cmpuint(gso->got->len, ==, 3 + 9 + 3);
	g_assert_true(g_ptr_array_index(gso->got, 13) == in.buf[1]);

	/* A 1.0 module's port is never an offload port, whatever its descriptor says. */
	g_assert_true(pk_pipe_inject_batch(pk_graph_lookup(g, "src3"), &in));
	g_assert_cmpuint(old->got->len, ==, 9);

	/* Malformed metadata to a plain port: dropped and counted, the rest delivered. */
	in.buf[1]->gso_type = PK_GSO_TCPV6;
	g_assert_true(pk_pipe_inject_batch(src, &in));
	g_assert_cmpuint(pk_pipe_pending(plain), ==, 2);
	pk_pipe_clear(plain);
	{
		struct pk_port_stats st;

		g_assert_true(pk_dev_port_stats(src, 0, &st));
		g_assert_cmpuint(st.drops, ==, 1);
	}
	pk_buf_unref(in.buf[1]);
	pk_buf_unref(ordinary);
	pk_graph_free(g);
	pk_registry_free(reg);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gso/segment-v4", test_segment_v4);
	g_test_add_func("/gso/segment-v6", test_segment_v6);
	g_test_add_func("/gso/segment-continue", test_segment_continue);
	g_test_add_func("/gso/partial-only", test_partial_only);
	g_test_add_func("/gso/malformed", test_malformed);
	g_test_add_func("/gso/l2", test_l2);
	g_test_add_func("/gso/buf-metadata", test_buf_metadata);
	g_test_add_func("/gso/delivery", test_delivery);
	return g_test_run();
}
