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
 * @refcnt:	References; atomic. Use pk_buf_ref() / pk_buf_unref().
 * @size:	Bytes of storage at @head.
 * @head:	Start of storage.
 * @pool_class:	Internal: size class of the storage, for the pool.
 * @flags:	Internal: PK_BUF_F_* bits of the core.
 * @next:	Internal: free-list and queue link owned by whoever holds the
 *		only reference; modules must not use it.
 *
 * The layout is part of the ABI so that the accessors below are inline; only
 * ever append fields.
 */
struct pk_buf {
	uint8_t *data;
	uint32_t len;
	uint32_t refcnt;
	uint32_t size;
	uint16_t pool_class;
	uint16_t flags;
	uint8_t *head;
	struct pk_buf *next;
};

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
	__atomic_add_fetch(&b->refcnt, 1, __ATOMIC_RELAXED);
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
	if (b && __atomic_sub_fetch(&b->refcnt, 1, __ATOMIC_ACQ_REL) == 0)
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
	return __atomic_load_n(&b->refcnt, __ATOMIC_ACQUIRE) > 1;
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
 * pk_buf_copy() - Deep copy into a fresh pool buffer with the same headroom
 * @b:	Buffer to copy
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
