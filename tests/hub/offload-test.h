/* SPDX-License-Identifier: MIT
 * offload-test.h - Shared helpers of the offload-path tests: TCP super-packets and a sink that accepts them
 *
 * Used by the hub, router, adapter and impair tests: a test builds a TCP
 * super-packet (GSO metadata and a partial checksum, as io.tap / io.tun read
 * them with 'offload'), injects it through a pipe and checks what a sink
 * whose port accepts offloads (PK_PORT_F_OFFLOAD) or an ordinary pipe got.
 */
#ifndef PK_OFFLOAD_TEST_H
#define PK_OFFLOAD_TEST_H

#include <pktkit/embed/graph.h>
#include <pktkit/pktkit.h>

/* Register "test.offload-sink-l2" and "test.offload-sink-l3" (one port "io"
 * with PK_PORT_F_OFFLOAD, keeping a reference to every buffer received). */
void offload_test_register(struct pk_registry *reg);

/* Buffers a sink received so far (owned by the sink). */
GPtrArray *offload_test_got(struct pk_dev *sink);

/* Send @len bytes out of a sink's port (through pk_dev_invoke(), running
 * the default main context until it is done). */
void offload_test_send(struct pk_dev *sink, const void *data, uint32_t len);

/* Forget what a sink received. */
void offload_test_clear(struct pk_dev *sink);

/*
 * A TCP super-packet: @payload bytes of a pattern behind IPv4 (or IPv6) and a
 * 32-byte TCP header (timestamps), 10.0.0.1 -> 10.0.0.2 / fd00::1 -> fd00::2,
 * TTL 64, gso_size @mss, PK_CSUM_PARTIAL (pseudo-header sum in the field).
 * With @eth, an Ethernet header dst @dst, src @src in front.
 * Return: a buffer with one reference owned by the caller.
 */
struct pk_buf *offload_test_super(bool v6, uint32_t payload, uint16_t mss, const uint8_t *eth_dst,
				  const uint8_t *eth_src);

/*
 * Check @n ordinary packets (no offload metadata) at @l3 offset in each of
 * @bufs: each carries at most @mss payload bytes, IP length and checksums
 * (IPv4 header, TCP) are right, sequence numbers follow each other and the
 * payloads together are the @payload bytes offload_test_super() wrote.
 */
void offload_test_check_segments(struct pk_buf *const *bufs, uint32_t n, uint32_t l3, bool v6,
				 uint32_t payload, uint16_t mss);

/* Whether @b is still the super-packet: GSO metadata and length as built. */
void offload_test_assert_super(const struct pk_buf *b, uint32_t l3, bool v6, uint32_t payload,
			       uint16_t mss);

#endif /* PK_OFFLOAD_TEST_H */
