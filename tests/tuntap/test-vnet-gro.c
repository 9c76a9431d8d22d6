// SPDX-License-Identifier: MIT
/* test-vnet-gro.c - What pk_gro_add() emits is what io.tun with 'offload' writes to the kernel: vnet headers of coalesced super-packets and verified singles */
#include <endian.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/gro.h>

#include "vnet.h"

/* Segment @i of a TCP stream with timestamps and 1448 payload bytes. */
static struct pk_buf *segment(bool v6, uint32_t i, uint8_t flags)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN, l4_len = 32 + 1448, sum;
	struct pk_buf *b = pk_buf_alloc(iphl + l4_len);
	uint8_t *p = pk_buf_data(b), *th = p + iphl;

	memset(p, 0, iphl + l4_len);
	if (v6) {
		pk_put_be32(p, 6u << 28);
		pk_put_be16(p + 4, (uint16_t)l4_len);
		p[6] = PK_IPPROTO_TCP;
		p[7] = 64;
		p[8] = p[24] = 0xfd;
		p[23] = 1;
		p[39] = 2;
	} else {
		p[0] = 0x45;
		pk_put_be16(p + 2, (uint16_t)(iphl + l4_len));
		pk_put_be16(p + 4, (uint16_t)(7 + i));
		pk_put_be16(p + 6, PK_IP4_DF);
		p[8] = 64;
		p[9] = PK_IPPROTO_TCP;
		memcpy(p + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
		pk_ip4_csum_fill(p, iphl);
	}
	pk_put_be16(th, 40000);
	pk_put_be16(th + 2, 5201);
	pk_put_be32(th + 4, 1000 + i * 1448);
	pk_put_be32(th + 8, 1);
	th[12] = 8 << 4;
	th[13] = flags;
	pk_put_be16(th + 14, 1024);
	memcpy(th + 20, "\x01\x01\x08\x0a\0\0\0\x09\0\0\0\x08", 12);
	for (uint32_t k = 0; k < 1448; k++)
		th[32 + k] = (uint8_t)(i + k);
	sum = v6 ? pk_csum_pseudo6(p + 8, p + 24, PK_IPPROTO_TCP, l4_len)
		 : pk_csum_pseudo4(p + 12, p + 16, PK_IPPROTO_TCP, l4_len);
	pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len, sum)));
	return b;
}

static void check_super(bool v6)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN;
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct virtio_net_hdr_v1 h;
	struct pk_batch out;
	struct pk_buf *b, *back;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < 10; i++)
		g_assert_cmpint(pk_gro_add(gro, segment(v6, i, 0x10 | (i == 9 ? 0x08 : 0)), &out),
				==, 0);
	g_assert_cmpuint(out.n, ==, 1);
	b = out.buf[0];
	g_assert_true(tuntap_vnet_ok(b));
	tuntap_buf_to_vnet(b, &h);
	g_assert_cmpuint(h.flags, ==, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	g_assert_cmpuint(h.gso_type, ==, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	g_assert_cmpuint(le16toh(h.gso_size), ==, 1448);
	g_assert_cmpuint(le16toh(h.hdr_len), ==, iphl + 32);
	g_assert_cmpuint(le16toh(h.csum_start), ==, iphl);
	g_assert_cmpuint(le16toh(h.csum_offset), ==, 16);

	/* Read back as the kernel's header: the same metadata. */
	back = pk_buf_new_copy(pk_buf_data(b), pk_buf_len(b));
	g_assert_true(tuntap_vnet_to_buf(false, &h, back));
	g_assert_cmpuint(back->gso_size, ==, b->gso_size);
	g_assert_cmpuint(back->gso_type, ==, b->gso_type);
	g_assert_cmpuint(back->csum, ==, PK_CSUM_PARTIAL);
	g_assert_cmpint(pk_buf_csum_start(back), ==, pk_buf_csum_start(b));
	pk_buf_unref(back);
	pk_batch_unref_all(&out);

	/* A lone segment goes as an ordinary packet the kernel need not check. */
	g_assert_cmpint(pk_gro_add(gro, segment(v6, 0, 0x10), &out), ==, 0);
	g_assert_cmpint(pk_gro_flush(gro, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_true(tuntap_vnet_ok(out.buf[0]));
	tuntap_buf_to_vnet(out.buf[0], &h);
	g_assert_cmpuint(h.flags, ==, VIRTIO_NET_HDR_F_DATA_VALID);
	g_assert_cmpuint(h.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
}

static void test_super_v4(void)
{
	check_super(false);
}

static void test_super_v6(void)
{
	check_super(true);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tuntap/vnet/gro-v4", test_super_v4);
	g_test_add_func("/tuntap/vnet/gro-v6", test_super_v6);
	return g_test_run();
}
