/* SPDX-License-Identifier: MIT
 * checksum.h - Internet checksum (RFC 1071, RFC 1624) and big-endian field access
 *
 * Byte order, once for the whole API: every 16-bit checksum value and every
 * 32-bit accumulator here is a plain number in host order, equal to what
 * pk_get_be16() reads from the wire. So the checksum of a header is stored
 * with pk_put_be16(field, pk_csum(...)), and a field is compared with
 * pk_get_be16(field). Functions that take a pointer to a checksum field in a
 * packet (pk_csum_update16() and friends) read and write it in wire order
 * themselves; the field need not be aligned.
 *
 * An accumulator (uint32_t "sum") is an unfolded one's-complement sum: chain
 * pk_csum_pseudo4() / pk_csum_partial() calls through it and finish with
 * pk_csum_fold(). Every block but the last must have an even length, since
 * the next block is summed as if it started at an even offset.
 */
#ifndef PKTKIT_CHECKSUM_H
#define PKTKIT_CHECKSUM_H

#include <pktkit/common.h>

G_BEGIN_DECLS

/**
 * pk_get_be16() - Read a big-endian 16-bit field
 * @p:	First byte of the field; any alignment
 *
 * Context: any thread, hot path.
 * Return: the field's value in host order.
 */
static inline uint16_t pk_get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

/**
 * pk_get_be32() - Read a big-endian 32-bit field
 * @p:	First byte of the field; any alignment
 *
 * Context: any thread, hot path.
 * Return: the field's value in host order.
 */
static inline uint32_t pk_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/**
 * pk_put_be16() - Write a big-endian 16-bit field
 * @p:	First byte of the field; any alignment
 * @v:	Value in host order
 *
 * Context: any thread, hot path.
 */
static inline void pk_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * pk_put_be32() - Write a big-endian 32-bit field
 * @p:	First byte of the field; any alignment
 * @v:	Value in host order
 *
 * Context: any thread, hot path.
 */
static inline void pk_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * pk_csum_add() - One's-complement addition of two accumulators
 * @a:	Accumulator
 * @b:	Accumulator (e.g. a partial sum of another block)
 *
 * Context: any thread, hot path.
 * Return: @a + @b with the end-around carry.
 */
static inline uint32_t pk_csum_add(uint32_t a, uint32_t b)
{
	uint32_t s = a + b;

	return s + (s < b);
}

/**
 * pk_csum_fold() - Fold an accumulator to 16 bits and complement it
 * @sum:	Accumulator
 *
 * The result is the value to store in a checksum field (with pk_put_be16()).
 * It is 0 only when the data summed to 0xffff; UDP must send such a checksum
 * as 0xffff (0 there means "no checksum").
 *
 * Context: any thread, hot path.
 * Return: the checksum, host order.
 */
static inline uint16_t pk_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * pk_csum_partial() - Add the 16-bit big-endian words of a block to an accumulator
 * @data:	Bytes; any alignment
 * @len:	Number of bytes; an odd last byte counts as the high byte of a word
 * @sum:	Accumulator to add to (0 to start)
 *
 * Uses AVX2 when the CPU has it, a portable 64-bit loop otherwise.
 *
 * Context: any thread, hot path.
 * Return: the new accumulator.
 */
PK_HOT uint32_t pk_csum_partial(const void *data, size_t len, uint32_t sum);

/**
 * pk_csum() - Internet checksum of a block (RFC 1071)
 * @data:	Bytes; any alignment
 * @len:	Number of bytes
 *
 * To fill an IPv4 header checksum: zero the field, then
 * pk_put_be16(hdr + 10, pk_csum(hdr, hdr_len)).
 *
 * Context: any thread, hot path.
 * Return: the checksum, host order.
 */
static inline uint16_t pk_csum(const void *data, size_t len)
{
	return pk_csum_fold(pk_csum_partial(data, len, 0));
}

/**
 * pk_csum_ok() - Whether a block that includes its checksum field verifies
 * @data:	Bytes, checksum field included as received
 * @len:	Number of bytes
 * @sum:	Accumulator to start from: 0, or a pseudo-header sum
 *
 * Context: any thread, hot path.
 * Return: true if the one's-complement sum is 0xffff (negative zero).
 */
static inline bool pk_csum_ok(const void *data, size_t len, uint32_t sum)
{
	return pk_csum_fold(pk_csum_partial(data, len, sum)) == 0;
}

/**
 * pk_csum_pseudo4() - Sum of the IPv4 pseudo header (RFC 768, RFC 9293)
 * @src:	Source address, wire order
 * @dst:	Destination address, wire order
 * @proto:	IP protocol (6 TCP, 17 UDP)
 * @l4len:	Length of the L4 header plus data in bytes
 *
 * Pass the result as @sum to pk_csum_partial() over the L4 header and data.
 *
 * Context: any thread, hot path.
 * Return: an accumulator.
 */
static inline uint32_t pk_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
				       uint8_t proto, uint32_t l4len)
{
	return (uint32_t)pk_get_be16(src) + pk_get_be16(src + 2) +
	       pk_get_be16(dst) + pk_get_be16(dst + 2) +
	       proto + (l4len >> 16) + (l4len & 0xffff);
}

/**
 * pk_csum_pseudo6() - Sum of the IPv6 pseudo header (RFC 8200 section 8.1)
 * @src:	Source address, wire order
 * @dst:	Destination address, wire order (the final one if a routing
 *		header is present)
 * @next:	Upper-layer protocol (6 TCP, 17 UDP, 58 ICMPv6)
 * @l4len:	Length of the upper-layer header plus data in bytes
 *
 * Context: any thread, hot path.
 * Return: an accumulator.
 */
static inline uint32_t pk_csum_pseudo6(const uint8_t src[16], const uint8_t dst[16],
				       uint8_t next, uint32_t l4len)
{
	uint32_t sum = next + (l4len >> 16) + (l4len & 0xffff);

	for (unsigned int i = 0; i < 16; i += 2)
		sum += (uint32_t)pk_get_be16(src + i) + pk_get_be16(dst + i);
	return sum;
}

/**
 * pk_csum_update16() - Fix a checksum field after a 16-bit word changed (RFC 1624)
 * @csum_field:	The checksum field in the packet (2 bytes, wire order, any
 *		alignment); updated in place
 * @from:	Old value of the word, host order (as pk_get_be16() read it)
 * @to:		New value of the word, host order
 *
 * The word must lie at an even offset from the start of the checksummed data
 * (true of every address, port, TTL/protocol and ID field of IP, TCP, UDP and
 * ICMP). Uses equation 3 of RFC 1624: HC' = ~(~HC + ~m + m'), which equals a
 * full recomputation unless every other covered byte is zero (then it gives
 * 0x0000 for 0xffff; no IP, TCP or UDP header is all zero). A UDP field of 0
 * means "no checksum": leave it alone, and write 0xffff if an update gives 0.
 *
 * Context: any thread, hot path.
 */
static inline void pk_csum_update16(uint8_t *csum_field, uint16_t from, uint16_t to)
{
	uint32_t sum = (uint16_t)~pk_get_be16(csum_field);

	sum += (uint16_t)~from;
	sum += to;
	pk_put_be16(csum_field, pk_csum_fold(sum));
}

/**
 * pk_csum_update32() - Fix a checksum field after a 32-bit field changed (RFC 1624)
 * @csum_field:	The checksum field in the packet; updated in place
 * @from:	Old value, host order (as pk_get_be32() read it)
 * @to:		New value, host order
 *
 * As pk_csum_update16(), for an IPv4 address or a TCP sequence number.
 *
 * Context: any thread, hot path.
 */
static inline void pk_csum_update32(uint8_t *csum_field, uint32_t from, uint32_t to)
{
	uint32_t sum = (uint16_t)~pk_get_be16(csum_field);

	sum += (uint16_t)~(from >> 16);
	sum += (uint16_t)~from;
	sum += to >> 16;
	sum += to & 0xffff;
	pk_put_be16(csum_field, pk_csum_fold(sum));
}

/**
 * pk_csum_update_bytes() - Fix a checksum field after a run of bytes changed
 * @csum_field:	The checksum field in the packet; updated in place
 * @from:	Old bytes, wire order
 * @to:		New bytes, wire order (may be the rewritten packet bytes)
 * @len:	Number of bytes; even, at an even offset of the checksummed data
 *
 * For rewriting an IPv6 address (16 bytes) or a MAC-sized run of words.
 *
 * Context: any thread, hot path.
 */
static inline void pk_csum_update_bytes(uint8_t *csum_field, const void *from,
					const void *to, size_t len)
{
	uint32_t sum = (uint16_t)~pk_get_be16(csum_field);

	/* pk_csum_fold() of a sum is its complement: ~m of RFC 1624. */
	sum += pk_csum_fold(pk_csum_partial(from, len, 0));
	sum = pk_csum_add(sum, pk_csum_partial(to, len, 0));
	pk_put_be16(csum_field, pk_csum_fold(sum));
}

/**
 * enum pk_csum_impl - Implementations of pk_csum_partial()
 * @PK_CSUM_IMPL_AUTO:		The best one this CPU runs (what pk_csum_partial() uses)
 * @PK_CSUM_IMPL_GENERIC:	Portable C, 64-bit accumulation
 * @PK_CSUM_IMPL_AVX2:		x86-64 AVX2
 */
enum pk_csum_impl {
	PK_CSUM_IMPL_AUTO,
	PK_CSUM_IMPL_GENERIC,
	PK_CSUM_IMPL_AVX2,
};

/**
 * pk_csum_impl_available() - Whether an implementation runs on this CPU and build
 * @impl:	Implementation
 *
 * For tests and benchmarks.
 *
 * Context: any thread.
 */
bool pk_csum_impl_available(enum pk_csum_impl impl);

/**
 * pk_csum_partial_impl() - pk_csum_partial() with a chosen implementation
 * @impl:	Implementation; must be available
 * @data:	Bytes
 * @len:	Number of bytes
 * @sum:	Accumulator to add to
 *
 * For tests (every implementation must agree) and benchmarks. An unavailable
 * @impl falls back to the generic one.
 *
 * Context: any thread.
 * Return: the new accumulator.
 */
uint32_t pk_csum_partial_impl(enum pk_csum_impl impl, const void *data, size_t len,
			      uint32_t sum);

G_END_DECLS

#endif /* PKTKIT_CHECKSUM_H */
