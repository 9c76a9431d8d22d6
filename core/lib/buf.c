// SPDX-License-Identifier: MIT
/* buf.c - Packet buffers: size-classed pool with per-thread caches, refcount, copies
 *
 * Each buffer is one block: the struct pk_buf header followed by its storage.
 * Blocks are carved from slabs and never returned to the system. A thread
 * allocates from and frees into its own cache without locks; caches refill
 * from (and spill half into) a global free list under a mutex, a few dozen
 * buffers at a time.
 *
 * Under AddressSanitizer (or with PKTKIT_BUF_NO_POOL=1 in the environment)
 * every buffer is a separate malloc, so use-after-free and leaks are caught.
 * Under ThreadSanitizer the global lock is annotated (see buf_lock()).
 */
#include <stddef.h>
#include <stdlib.h>
#include "runtime.h"

/* struct pk_buf is ABI: modules built for 1.0 and 1.1 inline its accessors,
 * so the fields they know never move (LP64 offsets; 1.2 appended @hop_limit). */
#if UINTPTR_MAX == UINT64_MAX
G_STATIC_ASSERT(offsetof(struct pk_buf, data) == 0);
G_STATIC_ASSERT(offsetof(struct pk_buf, len) == 8);
G_STATIC_ASSERT(offsetof(struct pk_buf, refcnt) == 12);
G_STATIC_ASSERT(offsetof(struct pk_buf, size) == 16);
G_STATIC_ASSERT(offsetof(struct pk_buf, pool_class) == 20);
G_STATIC_ASSERT(offsetof(struct pk_buf, flags) == 22);
G_STATIC_ASSERT(offsetof(struct pk_buf, head) == 24);
G_STATIC_ASSERT(offsetof(struct pk_buf, next) == 32);
G_STATIC_ASSERT(offsetof(struct pk_buf, gso_size) == 40);
G_STATIC_ASSERT(offsetof(struct pk_buf, gso_type) == 42);
G_STATIC_ASSERT(offsetof(struct pk_buf, csum) == 43);
G_STATIC_ASSERT(offsetof(struct pk_buf, csum_start) == 44);
G_STATIC_ASSERT(offsetof(struct pk_buf, csum_offset) == 46);
G_STATIC_ASSERT(offsetof(struct pk_buf, hop_limit) == 48);
#endif

#if defined(__SANITIZE_THREAD__)
#define BUF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BUF_TSAN 1
#endif
#endif
#ifdef BUF_TSAN
#include <sanitizer/tsan_interface.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define BUF_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUF_SANITIZER 1
#endif
#endif
#ifndef BUF_SANITIZER
#define BUF_SANITIZER 0
#endif

/* Storage bytes per class, and how many a slab and a thread cache hold. */
struct buf_class {
	uint32_t storage;
	uint32_t per_slab;
	uint32_t cache_max;
};

static const struct buf_class buf_classes[] = {
	{ 2048, 64, 512 },				/* MTU 1500 frames, with VLAN tags */
	{ 16384, 8, 64 },				/* jumbo frames */
	{ PK_HEADROOM + PK_BUF_MAX_LEN + 64, 2, 8 },	/* 64 KiB GSO super-frames */
};
#define BUF_N_CLASSES G_N_ELEMENTS(buf_classes)
#define BUF_REFILL 32u
#define BUF_HDR_SIZE ((sizeof(struct pk_buf) + 63u) & ~63u)
G_STATIC_ASSERT(sizeof(struct pk_buf) <= 64);
#define BUF_CLASS_SYSTEM 0xffffu	/* a separate malloc (no-pool mode) */

struct buf_cache {
	struct pk_buf *free[BUF_N_CLASSES];
	uint32_t count[BUF_N_CLASSES];
	uint64_t allocs;
	uint64_t frees;
	struct buf_cache *next_cache;
};

struct buf_global {
	GMutex lock;
	struct pk_buf *free[BUF_N_CLASSES];
	uint32_t count[BUF_N_CLASSES];
	struct buf_cache *caches;	/* live thread caches, for statistics */
	uint64_t retired_allocs;	/* from caches of threads that exited */
	uint64_t retired_frees;
	uint64_t slabs;
	uint64_t system_allocs;
};

static struct buf_global buf_global;
static __thread struct buf_cache *buf_tls_cache;
static void buf_cache_retire(gpointer data);
static GPrivate buf_cache_key = G_PRIVATE_INIT(buf_cache_retire);

/* GLib's GMutex is built on futexes inside (uninstrumented) GLib, so ThreadSanitizer
 * cannot see it order anything: tell it that an unlock happens before the next lock. */
static inline void buf_lock(void)
{
	g_mutex_lock(&buf_global.lock);
#ifdef BUF_TSAN
	__tsan_acquire(&buf_global.lock);
#endif
}

static inline void buf_unlock(void)
{
#ifdef BUF_TSAN
	__tsan_release(&buf_global.lock);
#endif
	g_mutex_unlock(&buf_global.lock);
}

static bool buf_no_pool(void)
{
	static int no_pool = -1;

	if (G_UNLIKELY(no_pool < 0)) {
		const char *env = g_getenv("PKTKIT_BUF_NO_POOL");

		no_pool = BUF_SANITIZER || (env && *env && strcmp(env, "0") != 0);
	}
	return no_pool;
}

static void buf_init_block(struct pk_buf *b, uint8_t *storage, uint32_t size, uint16_t cls)
{
	b->head = storage;
	b->size = size;
	b->pool_class = cls;
	b->flags = 0;
	b->next = NULL;
}

/* Carve a new slab for @cls into a chain; called with the global lock held. */
static struct pk_buf *buf_slab_new(unsigned int cls, uint32_t *n_out)
{
	const struct buf_class *c = &buf_classes[cls];
	size_t block = BUF_HDR_SIZE + c->storage;
	void *mem = NULL;
	uint8_t *slab;

	/* Cache-line aligned (block sizes are multiples of 64), so a header is
	 * one cache line: everything pk_dev_emit() reads per buffer (length,
	 * offload metadata, hop limit) is in it. */
	if (posix_memalign(&mem, 64, block * c->per_slab) != 0)
		g_error("pktkit: out of memory for a buffer slab");
	slab = mem;
	struct pk_buf *chain = NULL;

	buf_global.slabs++;
	buf_global.system_allocs++;
	for (uint32_t i = 0; i < c->per_slab; i++) {
		struct pk_buf *b = (struct pk_buf *)(slab + i * block);

		buf_init_block(b, (uint8_t *)b + BUF_HDR_SIZE, c->storage, (uint16_t)cls);
		b->next = chain;
		chain = b;
	}
	*n_out = c->per_slab;
	return chain;
}

static struct buf_cache *buf_cache_get(void)
{
	struct buf_cache *tc = buf_tls_cache;

	if (G_LIKELY(tc))
		return tc;
	tc = g_new0(struct buf_cache, 1);
	buf_lock();
	tc->next_cache = buf_global.caches;
	buf_global.caches = tc;
	buf_unlock();
	g_private_set(&buf_cache_key, tc);
	buf_tls_cache = tc;
	return tc;
}

/* Thread exit: hand the cached buffers and the counts to the global pool. */
static void buf_cache_retire(gpointer data)
{
	struct buf_cache *tc = data, **pp;

	buf_lock();
	for (unsigned int cls = 0; cls < BUF_N_CLASSES; cls++) {
		while (tc->free[cls]) {
			struct pk_buf *b = tc->free[cls];

			tc->free[cls] = b->next;
			b->next = buf_global.free[cls];
			buf_global.free[cls] = b;
			buf_global.count[cls]++;
		}
	}
	for (pp = &buf_global.caches; *pp; pp = &(*pp)->next_cache) {
		if (*pp == tc) {
			*pp = tc->next_cache;
			break;
		}
	}
	buf_global.retired_allocs += tc->allocs;
	buf_global.retired_frees += tc->frees;
	buf_unlock();
	buf_tls_cache = NULL;
	g_free(tc);
}

/* Move up to BUF_REFILL buffers of @cls from the global list (or a new slab). */
static void buf_cache_refill(struct buf_cache *tc, unsigned int cls)
{
	buf_lock();
	if (!buf_global.free[cls]) {
		uint32_t n;

		buf_global.free[cls] = buf_slab_new(cls, &n);
		buf_global.count[cls] += n;
	}
	for (uint32_t i = 0; i < BUF_REFILL && buf_global.free[cls]; i++) {
		struct pk_buf *b = buf_global.free[cls];

		buf_global.free[cls] = b->next;
		buf_global.count[cls]--;
		b->next = tc->free[cls];
		tc->free[cls] = b;
		tc->count[cls]++;
	}
	buf_unlock();
}

/* Give half of an overfull cache back to the global list. */
static void buf_cache_spill(struct buf_cache *tc, unsigned int cls)
{
	uint32_t n = tc->count[cls] / 2;

	buf_lock();
	for (uint32_t i = 0; i < n; i++) {
		struct pk_buf *b = tc->free[cls];

		tc->free[cls] = b->next;
		tc->count[cls]--;
		b->next = buf_global.free[cls];
		buf_global.free[cls] = b;
		buf_global.count[cls]++;
	}
	buf_unlock();
}

static int buf_class_for(uint32_t len)
{
	for (unsigned int cls = 0; cls < BUF_N_CLASSES; cls++)
		if (PK_HEADROOM + (size_t)len <= buf_classes[cls].storage)
			return (int)cls;
	return -1;
}

static struct pk_buf *buf_alloc_system(int cls)
{
	uint32_t storage = buf_classes[cls].storage;
	struct pk_buf *b = malloc(BUF_HDR_SIZE + storage);

	if (!b)
		return NULL;
	buf_init_block(b, (uint8_t *)b + BUF_HDR_SIZE, storage, BUF_CLASS_SYSTEM);
	buf_lock();
	buf_global.system_allocs++;
	buf_unlock();
	return b;
}

struct pk_buf *pk_buf_alloc(uint32_t len)
{
	int cls = buf_class_for(len);
	struct buf_cache *tc;
	struct pk_buf *b;

	if (PK_UNLIKELY(len > PK_BUF_MAX_LEN || cls < 0))
		return NULL;
	tc = buf_cache_get();
	if (PK_UNLIKELY(buf_no_pool())) {
		b = buf_alloc_system(cls);
		if (!b)
			return NULL;
	} else {
		if (PK_UNLIKELY(!tc->free[cls]))
			buf_cache_refill(tc, (unsigned int)cls);
		b = tc->free[cls];
		tc->free[cls] = b->next;
		tc->count[cls]--;
	}
	tc->allocs++;
	b->next = NULL;
	b->refcnt = 1;
	b->flags = 0;
	b->data = b->head + PK_HEADROOM;
	b->len = len;
	b->hop_limit = pk_hop_depth + PK_BUF_HOPS;	/* a new packet: a full count */
	pk_buf_offload_clear(b);	/* a recycled block keeps the last user's metadata */
	return b;
}

void pk_buf_release_(struct pk_buf *b)
{
	struct buf_cache *tc = buf_cache_get();
	unsigned int cls = b->pool_class;

	tc->frees++;
	if (cls == BUF_CLASS_SYSTEM) {
		free(b);
		return;
	}
	b->next = tc->free[cls];
	tc->free[cls] = b;
	if (PK_UNLIKELY(++tc->count[cls] > buf_classes[cls].cache_max))
		buf_cache_spill(tc, cls);
}

struct pk_buf *pk_buf_new_copy(const void *data, uint32_t len)
{
	struct pk_buf *b = pk_buf_alloc(len);

	if (b && len)
		memcpy(b->data, data, len);
	return b;
}

struct pk_buf *pk_buf_copy(const struct pk_buf *src)
{
	struct pk_buf *b = pk_buf_new_copy(src->data, src->len);

	if (b) {
		pk_buf_offload_copy(b, src);
		b->hop_limit = src->hop_limit;	/* the same packet, travelling on */
	}
	return b;
}

void pk_buf_pool_stats(struct pk_buf_stats *out)
{
	uint64_t allocs, frees;

	buf_lock();
	allocs = buf_global.retired_allocs;
	frees = buf_global.retired_frees;
	for (struct buf_cache *tc = buf_global.caches; tc; tc = tc->next_cache) {
		allocs += tc->allocs;
		frees += tc->frees;
	}
	out->allocated = (int64_t)(allocs - frees);
	out->slabs = buf_global.slabs;
	out->system_allocs = buf_global.system_allocs;
	buf_unlock();
}
