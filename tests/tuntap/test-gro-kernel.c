// SPDX-License-Identifier: MIT
/* test-gro-kernel.c - The kernel takes a pk_gro_add() super-packet (IPv4, IPv6) written to a TUN with a vnet header: its TCP socket receives every byte (root, own netns) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/gro.h>

#include "vnet.h"

#define NSEG 20u
#define MSS 1448u
#define PORT_K 5000u  /* the kernel listens */
#define PORT_U 40000u /* we are the client */

static const uint8_t addr_k[4] = { 10, 77, 0, 1 }, addr_u[4] = { 10, 77, 0, 2 };
static const uint8_t addr6_k[16] = { 0xfd, 0x77, [15] = 1 }, addr6_u[16] = { 0xfd, 0x77, [15] = 2 };
static bool use_v6; /* the current test's family */

/* An IPv4 or IPv6 TCP packet from us to the kernel with a complete checksum. */
static struct pk_buf *tcp_pkt(uint16_t id, uint32_t seq, uint32_t ack, uint8_t flags,
			      const uint8_t *opts, uint32_t opt_len, const uint8_t *data,
			      uint32_t len)
{
	uint32_t thl = PK_TCP_HLEN + opt_len, l4_len = thl + len;
	uint32_t iphl = use_v6 ? PK_IP6_HLEN : PK_IP4_HLEN, sum;
	struct pk_buf *b = pk_buf_alloc(iphl + l4_len);
	uint8_t *p = pk_buf_data(b), *th = p + iphl;

	memset(p, 0, iphl + thl);
	if (use_v6) {
		pk_put_be32(p, 6u << 28);
		pk_put_be16(p + 4, (uint16_t)l4_len);
		p[6] = PK_IPPROTO_TCP;
		p[7] = 64;
		memcpy(p + 8, addr6_u, 16);
		memcpy(p + 24, addr6_k, 16);
		sum = pk_csum_pseudo6(addr6_u, addr6_k, PK_IPPROTO_TCP, l4_len);
	} else {
		p[0] = 0x45;
		pk_put_be16(p + 2, (uint16_t)(iphl + l4_len));
		pk_put_be16(p + 4, id);
		pk_put_be16(p + 6, PK_IP4_DF);
		p[8] = 64;
		p[9] = PK_IPPROTO_TCP;
		memcpy(p + 12, addr_u, 4);
		memcpy(p + 16, addr_k, 4);
		pk_ip4_csum_fill(p, iphl);
		sum = pk_csum_pseudo4(addr_u, addr_k, PK_IPPROTO_TCP, l4_len);
	}
	pk_put_be16(th, PORT_U);
	pk_put_be16(th + 2, PORT_K);
	pk_put_be32(th + 4, seq);
	pk_put_be32(th + 8, ack);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	pk_put_be16(th + 14, 65535);
	if (opt_len)
		memcpy(th + PK_TCP_HLEN, opts, opt_len);
	if (len)
		memcpy(th + thl, data, len);
	pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len, sum)));
	return b;
}

/* Write @b with the vnet header io.tun would put in front of it. */
static void tun_write(int fd, const struct pk_buf *b)
{
	struct virtio_net_hdr_v1 h;
	struct iovec iov[2];

	g_assert_true(tuntap_vnet_ok(b));
	tuntap_buf_to_vnet(b, &h);
	iov[0] = (struct iovec){ &h, sizeof(h) };
	iov[1] = (struct iovec){ pk_buf_data(b), pk_buf_len(b) };
	g_assert_cmpint(writev(fd, iov, 2), ==, (ssize_t)(sizeof(h) + pk_buf_len(b)));
}

/* Read packets until a TCP one from the kernel's port to ours with @flags set; its seq/ack. */
static void tun_wait(int fd, uint8_t flags, uint32_t *seq, uint32_t *ack)
{
	static uint8_t buf[70000];

	for (int tries = 0; tries < 200; tries++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const uint8_t *p = buf + sizeof(struct virtio_net_hdr_v1), *th;
		ssize_t n;

		g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
		n = read(fd, buf, sizeof(buf));
		g_assert_cmpint(n, >, 0);
		n -= (ssize_t)sizeof(struct virtio_net_hdr_v1);
		if (use_v6 && n >= 60 && (p[0] >> 4) == 6 && p[6] == PK_IPPROTO_TCP)
			th = p + PK_IP6_HLEN;
		else if (!use_v6 && n >= 40 && p[0] == 0x45 && p[9] == PK_IPPROTO_TCP)
			th = p + PK_IP4_HLEN;
		else
			continue;
		if (pk_get_be16(th) != PORT_K || pk_get_be16(th + 2) != PORT_U ||
		    (th[13] & flags) != flags)
			continue;
		*seq = pk_get_be32(th + 4);
		*ack = pk_get_be32(th + 8);
		return;
	}
	g_assert_not_reached();
}

static void kernel_takes_super_packet(bool v6)
{
	static const uint8_t mss_opt[4] = { 2, 4, 0x05, 0xb4 };
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR };
	int hdr_len = (int)sizeof(struct virtio_net_hdr_v1), one = 1, tun, ls, cs;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT_K) };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_port = htons(PORT_K) };
	uint32_t iss = 0x12345678, kseq, kack, got = 0;
	uint8_t *data = g_malloc(NSEG * MSS), *rx = g_malloc0(NSEG * MSS);
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct pk_batch out;
	struct pk_buf *b;

	use_v6 = v6;
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		if (g_strcmp0(g_getenv("CI"), "true") == 0)
			g_error("needs root and a network namespace (CI=true: not skipped)");
		g_test_skip("needs root (a network namespace of its own)");
		goto out;
	}
	tun = open("/dev/net/tun", O_RDWR);
	if (tun < 0) {
		g_test_skip("no /dev/net/tun");
		goto out;
	}
	g_strlcpy(ifr.ifr_name, "pkgro0", IFNAMSIZ);
	g_assert_cmpint(ioctl(tun, TUNSETIFF, &ifr), ==, 0);
	g_assert_cmpint(ioctl(tun, TUNSETVNETHDRSZ, &hdr_len), ==, 0);
	g_assert_cmpint(ioctl(tun, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6), ==, 0);
	g_assert_cmpint(system("ip addr add 10.77.0.1/24 dev pkgro0 && "
			       "ip addr add fd77::1/64 dev pkgro0 nodad && ip link set pkgro0 up"),
			==, 0);

	ls = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	memcpy(&sa.sin_addr, addr_k, 4);
	memcpy(&sa6.sin6_addr, addr6_k, 16);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		g_assert_cmpint(bind(ls, (struct sockaddr *)&sa6, sizeof(sa6)), ==, 0);
	else
		g_assert_cmpint(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
	g_assert_cmpint(listen(ls, 1), ==, 0);

	/* Handshake, by hand. */
	b = tcp_pkt(1, iss, 0, PK_TCP_SYN, mss_opt, sizeof(mss_opt), NULL, 0);
	tun_write(tun, b);
	pk_buf_unref(b);
	tun_wait(tun, PK_TCP_SYN | PK_TCP_ACK, &kseq, &kack);
	g_assert_cmpuint(kack, ==, iss + 1);
	b = tcp_pkt(2, iss + 1, kseq + 1, PK_TCP_ACK, NULL, 0, NULL, 0);
	tun_write(tun, b);
	pk_buf_unref(b);
	cs = accept(ls, NULL, NULL);
	g_assert_cmpint(cs, >=, 0);

	/* NSEG segments, coalesced into one super-packet. */
	for (uint32_t i = 0; i < NSEG * MSS; i++)
		data[i] = (uint8_t)(i * 13 + 5);
	pk_batch_init(&out);
	for (uint32_t i = 0; i < NSEG; i++)
		g_assert_cmpint(pk_gro_add(gro,
					   tcp_pkt((uint16_t)(3 + i), iss + 1 + i * MSS, kseq + 1,
						   PK_TCP_ACK | (i + 1 == NSEG ? PK_TCP_PSH : 0),
						   NULL, 0, data + i * MSS, MSS),
					   &out),
				==, 0);
	g_assert_cmpint(pk_gro_flush(gro, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_cmpuint(out.buf[0]->gso_size, ==, MSS);
	tun_write(tun, out.buf[0]);
	pk_batch_unref_all(&out);

	/* The socket has every byte, and the kernel acknowledges them all. */
	while (got < NSEG * MSS) {
		struct pollfd pfd = { .fd = cs, .events = POLLIN };
		ssize_t n;

		g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
		n = recv(cs, rx + got, NSEG * MSS - got, 0);
		g_assert_cmpint(n, >, 0);
		got += (uint32_t)n;
	}
	g_assert_cmpmem(rx, NSEG * MSS, data, NSEG * MSS);
	do
		tun_wait(tun, PK_TCP_ACK, &kseq, &kack);
	while (kack != iss + 1 + NSEG * MSS);
	close(cs);
	close(ls);
	close(tun);
out:
	pk_gro_free(gro);
	g_free(data);
	g_free(rx);
}

static void test_kernel_v4(void)
{
	kernel_takes_super_packet(false);
}

static void test_kernel_v6(void)
{
	kernel_takes_super_packet(true);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tuntap/gro/kernel-takes-super-packet-v4", test_kernel_v4);
	g_test_add_func("/tuntap/gro/kernel-takes-super-packet-v6", test_kernel_v6);
	return g_test_run();
}
