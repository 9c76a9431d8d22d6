/* SPDX-License-Identifier: MIT
 * buf.h - Packet buffers: pooled storage with headroom, refcount, copy-on-write
 *
 * A struct pk_buf holds one Ethernet frame (L2 ports) or one IP packet (L3
 * ports). Storage comes from a process-wide pool with per-thread caches; every
 * buffer has PK_HEADROOM bytes in front of the data so headers (802.1Q,
 * Ethernet, UDP/IP, WireGuard, OpenVPN) are prepended in place.
 *
 * Ownership (docs/architecture.md, "Buffers"): a buffer handed to a receive
 * callback is borrowed until the callback returns. Keep it with pk_buf_ref();
 * modify it only through pk_buf_writable(), which copies a shared buffer.
 */
#ifndef PKTKIT_BUF_H
#define PKTKIT_BUF_H

#include <string.h>
#include <pktkit/common.h>

G_BEGIN_DECLS

/* Bytes reserved in front of the data of every pool buffer. */
#define PK_HEADROOM 128u
/* Largest packet a buffer can hold (64 KiB GSO super-frames included). */
#define PK_BUF_MAX_LEN 65536u

/**
 * struct pk_buf - One frame or packet
 * @data:	First byte of the packet. Read-only for modules: move it with
 *		pk_buf_push() / pk_buf_pull().
 * @len:	Bytes of packet at @data.
 * @refcnt:	Private: references; atomic. Use pk_buf_ref() / pk_buf_unref()
 *		and pk_buf_is_shared().
 * @size:	Bytes of storage at @head.
 * @head:	Start of storage.
 * @pool_class:	Private: size class of the storage, for the pool.
 * @flags:	Private: PK_BUF_F_* bits of the core.
 * @next:	Private: free-list and queue link of the core.
 * @gso_size:	(Since: 1.1) Segmentation offload: payload bytes per TCP
 *		segment of a super-packet (one IP packet larger than the link
 *		carries, to be cut into segments of at most @gso_size payload
 *		bytes); 0: an ordinary packet. Use pk_buf_set_gso().
 * @gso_type:	(Since: 1.1) PK_GSO_TCPV4 or PK_GSO_TCPV6 with @gso_size;
 *		PK_GSO_NONE (0) otherwise.
 * @csum:	(Since: 1.1) PK_CSUM_NONE, PK_CSUM_PARTIAL or PK_CSUM_VERIFIED.
 * @csum_start:	(Since: 1.1) PK_CSUM_PARTIAL: where the L4 checksum starts,
 *		counted from @head (not @data, so that pushing or pulling
 *		headers keeps it right). Read it with pk_buf_csum_start().
 * @csum_offset: (Since: 1.1) PK_CSUM_PARTIAL: offset of the checksum field
 *		from the checksum start (16 for TCP, 6 for UDP).
 * @hop_limit: (Since: 1.2) Private: where the packet's hop count runs
 *		out (see "Hop count" below), counted in the core's delivery
 *		depth. Written by the core only; modules neither read nor
 *		write it.
 *
 * The layout is part of the ABI so that the accessors below are inline; only
 * ever append fields. The private fields (PK_PRIVATE(): @refcnt,
 * @pool_class, @flags, @next, @hop_limit) keep their places but are
 * libpktkit's alone: outside it their names are mangled, so a module that
 * touches one does not compile.
 *
 * Offload metadata (@gso_size .. @csum_offset, "Since: 1.1"): it lets a
 * device that talks to a kernel with offloads (io.tun with 'offload') move
 * 64 KB TCP super-packets and skip checksums nobody computed or that were
 * verified already. pk_buf_alloc() clears it, pk_buf_copy() and the copy
 * pk_buf_writable() makes keep it. The core never hands a buffer with
 * @gso_size or PK_CSUM_PARTIAL to a port whose group lacks
 * PK_PORT_F_OFFLOAD (<pktkit/device-type.h>): it segments the packet and
 * completes the checksums in software first (pk_gso_segment()), so devices
 * built for 1.0 never see either. A device that changes the bytes of a
 * buffer it received must keep the checksums right, as always, or call
 * pk_buf_offload_clear() on its writable copy.
 *
 * Hop count (@hop_limit, like an IP TTL; docs/architecture.md, "Dispatch"): a
 * buffer starts with PK_BUF_HOPS from pk_buf_alloc() and pk_buf_new_copy().
 * Each delivery by pk_dev_emit() costs one hop: the receiver sees the
 * count of the emitter minus one; a buffer emitted with no hop left is a
 * topology loop and is dropped, counted in the emitting device's
 * "loop-drops". A device that forwards the buffer it received (or the
 * copy pk_buf_writable() made, or pk_buf_copy() of it, or segments the core
 * cut from it) passes the decremented count on. A device that answers with
 * a NEW buffer (a reply, an ACK) starts it at PK_BUF_HOPS: a conversation
 * is not a loop, however long it goes on. The count is a property of the
 * delivery chain: when a synchronous delivery returns, the emitter's count
 * is back, so flooding one buffer to many ports costs one hop per port
 * path, not one per port. A queued delivery (to a busy device) leaves its
 * count in the buffer. A device that keeps a buffer and emits it from a
 * later callback emits it with the hops synchronous deliveries took given
 * back (the count of the chain's source, or of the last queued delivery);
 * such store-and-forward loops are bounded in rate by that device's
 * timers, not in hops.
 */
struct pk_buf {
	uint8_t *data;
	uint32_t len;
	uint32_t PK_PRIVATE(refcnt);
	uint32_t size;
	uint16_t PK_PRIVATE(pool_class);
	uint16_t PK_PRIVATE(flags);
	uint8_t *head;
	struct pk_buf *PK_PRIVATE(next);
	/* Since: 1.1 -- append only below this line */
	uint16_t gso_size;
	uint8_t gso_type;
	uint8_t csum;
	uint16_t csum_start;
	uint16_t csum_offset;
	/* Since: 1.2 */
	uint32_t PK_PRIVATE(hop_limit);
};

/* Device hops a new buffer may make before it counts as looping. Since: 1.2 */
#define PK_BUF_HOPS 64u

/* Values of pk_buf.gso_type. Since: 1.1 */
#define PK_GSO_NONE 0u
#define PK_GSO_TCPV4 1u		/* TCP over IPv4: the IP id counts up per segment */
#define PK_GSO_TCPV6 2u		/* TCP over IPv6 */

/* Values of pk_buf.csum: the state of the L4 checksum. Since: 1.1 */
#define PK_CSUM_NONE 0u		/* nothing known: the checksum field is what it is */
#define PK_CSUM_PARTIAL 1u	/* not computed yet: the field holds the pseudo-header
				 * sum only (folded, not complemented); the checksum over
				 * csum_start..end is still to be computed and stored at
				 * csum_start + csum_offset */
#define PK_CSUM_VERIFIED 2u	/* the sender vouches that the packet is intact (a
				 * kernel that checked it, or data that never left
				 * memory): receivers may skip verifying it */

/**
 * pk_buf_needs_offload() - Whether the buffer is a super-packet or lacks its checksum
 * @b:	Buffer
 *
 * Such a buffer may only go to ports that accept offloads (PK_PORT_F_OFFLOAD);
 * the core makes sure of it.
 *
 * Context: any thread, hot path. Since: 1.1
 */
static inline bool pk_buf_needs_offload(const struct pk_buf *b)
{
	return (b->gso_size | (b->csum & PK_CSUM_PARTIAL)) != 0;
}

/**
 * pk_buf_set_gso() - Mark a TCP super-packet
 * @b:		Buffer, writable; it also needs PK_CSUM_PARTIAL
 *		(pk_buf_set_csum_partial())
 * @gso_size:	Payload bytes per segment (the MSS), 1..65535
 * @gso_type:	PK_GSO_TCPV4 or PK_GSO_TCPV6
 *
 * Context: owner context. Since: 1.1
 */
static inline void pk_buf_set_gso(struct pk_buf *b, uint16_t gso_size, uint8_t gso_type)
{
	b->gso_size = gso_size;
	b->gso_type = gso_type;
}

/**
 * pk_buf_set_csum_partial() - Mark the L4 checksum as still to be completed
 * @b:		Buffer, writable
 * @start:	Checksum start, counted from pk_buf_data() (the L4 header)
 * @offset:	Checksum field offset from @start (16 TCP, 6 UDP)
 *
 * The checksum field must hold the folded, uncomplemented pseudo-header
 * sum (as Linux's CHECKSUM_PARTIAL).
 *
 * Context: owner context. Since: 1.1
 */
static inline void pk_buf_set_csum_partial(struct pk_buf *b, uint32_t start, uint16_t offset)
{
	b->csum = PK_CSUM_PARTIAL;
	b->csum_start = (uint16_t)(start + (uint32_t)(b->data - b->head));
	b->csum_offset = offset;
}

/**
 * pk_buf_csum_start() - Checksum start of a PK_CSUM_PARTIAL buffer, from pk_buf_data()
 * @b:	Buffer
 *
 * Context: any thread. Since: 1.1
 * Return: the offset, or -1 if it lies before the data (headers were pulled
 * past it: the metadata is stale).
 */
static inline int32_t pk_buf_csum_start(const struct pk_buf *b)
{
	int32_t hr = (int32_t)(b->data - b->head);

	return b->csum_start >= hr ? (int32_t)b->csum_start - hr : -1;
}

/**
 * pk_buf_offload_clear() - Forget all offload metadata (an ordinary packet again)
 * @b:	Buffer, writable
 *
 * Context: owner context. Since: 1.1
 */
static inline void pk_buf_offload_clear(struct pk_buf *b)
{
	b->gso_size = 0;
	b->gso_type = PK_GSO_NONE;
	b->csum = PK_CSUM_NONE;
	b->csum_start = 0;
	b->csum_offset = 0;
}

/**
 * pk_buf_offload_copy() - Give @dst the offload metadata of @src
 * @dst:	Buffer, writable, holding a copy of @src's packet at pk_buf_data()
 * @src:	Original
 *
 * The checksum start is moved to @dst's headroom; metadata whose checksum
 * start lies before @src's data is not copied.
 *
 * Context: owner context. Since: 1.1
 */
static inline void pk_buf_offload_copy(struct pk_buf *dst, const struct pk_buf *src)
{
	int32_t start = pk_buf_csum_start(src);

	if (PK_LIKELY((src->gso_size | src->csum) == 0) || (src->csum == PK_CSUM_PARTIAL && start < 0)) {
		pk_buf_offload_clear(dst);
		return;
	}
	dst->gso_size = src->gso_size;
	dst->gso_type = src->gso_type;
	dst->csum = src->csum;
	dst->csum_start = src->csum == PK_CSUM_PARTIAL
				  ? (uint16_t)(start + (int32_t)(dst->data - dst->head)) : 0;
	dst->csum_offset = src->csum_offset;
}

/**
 * pk_buf_alloc() - Take a buffer from the pool
 * @len:	Initial packet length (contents undefined), at most PK_BUF_MAX_LEN
 *
 * The buffer has at least PK_HEADROOM bytes of headroom and some tailroom.
 *
 * Context: any thread; allocation-free in steady state (per-thread cache).
 * Return: a buffer with one reference owned by the caller, or NULL if @len is
 * too large or memory is exhausted.
 */
struct pk_buf *pk_buf_alloc(uint32_t len);

/**
 * pk_buf_new_copy() - Take a buffer from the pool and fill it
 * @data:	Bytes to copy
 * @len:	Number of bytes
 *
 * Context: any thread.
 * Return: a buffer with one reference owned by the caller, or NULL.
 */
struct pk_buf *pk_buf_new_copy(const void *data, uint32_t len);

/**
 * pk_buf_ref() - Take a reference
 * @b:	Buffer
 *
 * Context: any thread, hot path.
 * Return: @b.
 */
static inline struct pk_buf *pk_buf_ref(struct pk_buf *b)
{
	__atomic_add_fetch(&b->PK_PRIVATE(refcnt), 1, __ATOMIC_RELAXED);
	return b;
}

void pk_buf_release_(struct pk_buf *b);

/**
 * pk_buf_unref() - Drop a reference; the last one returns the buffer to the pool
 * @b:	Buffer, or NULL (ignored)
 *
 * Context: any thread, hot path.
 */
static inline void pk_buf_unref(struct pk_buf *b)
{
	if (b && __atomic_sub_fetch(&b->PK_PRIVATE(refcnt), 1, __ATOMIC_ACQ_REL) == 0)
		pk_buf_release_(b);
}

/**
 * pk_buf_is_shared() - Whether more than one reference exists
 * @b:	Buffer
 *
 * Context: any thread, hot path.
 */
static inline bool pk_buf_is_shared(const struct pk_buf *b)
{
	return __atomic_load_n(&b->PK_PRIVATE(refcnt), __ATOMIC_ACQUIRE) > 1;
}

static inline uint8_t *pk_buf_data(const struct pk_buf *b) { return b->data; }
static inline uint32_t pk_buf_len(const struct pk_buf *b) { return b->len; }
static inline uint32_t pk_buf_headroom(const struct pk_buf *b)
{
	return (uint32_t)(b->data - b->head);
}
static inline uint32_t pk_buf_tailroom(const struct pk_buf *b)
{
	return b->size - pk_buf_headroom(b) - b->len;
}

/**
 * pk_buf_push() - Grow the packet at the front (prepend a header)
 * @b:	Buffer; must be writable
 * @n:	Bytes to prepend
 *
 * Context: owner context, hot path.
 * Return: the new first byte, or NULL if the headroom is smaller than @n.
 */
static inline uint8_t *pk_buf_push(struct pk_buf *b, uint32_t n)
{
	if (PK_UNLIKELY(pk_buf_headroom(b) < n))
		return NULL;
	b->data -= n;
	b->len += n;
	return b->data;
}

/**
 * pk_buf_pull() - Strip bytes from the front (remove a header)
 * @b:	Buffer; must be writable (every holder sees the change)
 * @n:	Bytes to strip
 *
 * Context: owner context, hot path.
 * Return: the new first byte, or NULL if the packet is shorter than @n.
 */
static inline uint8_t *pk_buf_pull(struct pk_buf *b, uint32_t n)
{
	if (PK_UNLIKELY(b->len < n))
		return NULL;
	b->data += n;
	b->len -= n;
	return b->data;
}

/**
 * pk_buf_put() - Grow the packet at the end
 * @b:	Buffer; must be writable
 * @n:	Bytes to append (contents undefined)
 *
 * Context: owner context, hot path.
 * Return: the first appended byte, or NULL if the tailroom is smaller than @n.
 */
static inline uint8_t *pk_buf_put(struct pk_buf *b, uint32_t n)
{
	uint8_t *tail;

	if (PK_UNLIKELY(pk_buf_tailroom(b) < n))
		return NULL;
	tail = b->data + b->len;
	b->len += n;
	return tail;
}

/**
 * pk_buf_trim() - Shorten the packet to @len bytes
 * @b:		Buffer; must be writable (every holder sees the change)
 * @len:	New length; ignored if not shorter than the current one
 *
 * Context: owner context, hot path.
 */
static inline void pk_buf_trim(struct pk_buf *b, uint32_t len)
{
	if (len < b->len)
		b->len = len;
}

/**
 * pk_buf_copy() - Deep copy into a fresh pool buffer
 * @b:	Buffer to copy
 *
 * The copy has PK_HEADROOM bytes of headroom and the same offload metadata
 * (Since: 1.1; the checksum start moves with the data) and hop count (Since:
 * 1.2: the copy is the same packet travelling on; pk_buf_new_copy() of its
 * bytes is a new packet with a full count).
 *
 * Context: any thread.
 * Return: a new buffer with one reference owned by the caller, or NULL.
 */
struct pk_buf *pk_buf_copy(const struct pk_buf *b);

/**
 * struct pk_buf_stats - Pool statistics (process-wide)
 * @allocated:	Buffers currently handed out (not in any cache)
 * @slabs:	Storage slabs obtained from the system allocator so far
 * @system_allocs:	Calls to the system allocator made by the pool so far
 */
struct pk_buf_stats {
	int64_t allocated;
	uint64_t slabs;
	uint64_t system_allocs;
};

/**
 * pk_buf_pool_stats() - Read the pool statistics
 * @out:	Filled in
 *
 * Used by tests (leak checks) and benchmarks (allocations per op).
 * Context: any thread.
 */
void pk_buf_pool_stats(struct pk_buf_stats *out);

G_END_DECLS

#endif /* PKTKIT_BUF_H */
