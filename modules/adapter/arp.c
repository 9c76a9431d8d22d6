// SPDX-License-Identifier: MIT
/* arp.c - Neighbour cache with TTL, cap and bounded per-next-hop pending queues; ARP frames */
#include <glib.h>
#include <pktkit/build.h>

#include "arp.h"

/* Next hops whose queues may be full at the same time. */
#define NB_PENDING_HOPS 64u

/* Entries and pending slots of a new (or cleared) cache. */
#define NB_INITIAL 16u

/* Point the chain heads at 2^k >= @n buckets and hash every entry in use
 * into them; false (nothing changed) if they cannot be allocated. */
static bool nb_rehash(struct nb_cache *c, uint32_t n)
{
	uint32_t nb = 1, *bucket;

	while (nb < n && nb < (1u << 30))
		nb <<= 1;
	if (c->bucket && nb == c->mask + 1)
		return true;
	bucket = g_try_new(uint32_t, nb);
	if (!bucket)
		return false;
	g_free(c->bucket);
	c->bucket = bucket;
	c->mask = nb - 1;
	for (uint32_t i = 0; i < nb; i++)
		c->bucket[i] = NB_NONE;
	for (uint32_t i = 0; i < c->size; i++) {
		uint32_t h;

		if (c->e[i].state == NB_FREE)
			continue;
		h = nb_hash(c->e[i].key) & c->mask;
		c->e[i].hnext = c->bucket[h];
		c->bucket[h] = i;
	}
	return true;
}

/* Mark entries @from..@size-1 free and put them at the head of the free list. */
static void nb_free_range(struct nb_cache *c, uint32_t from)
{
	for (uint32_t i = from; i < c->size; i++) {
		c->e[i].state = NB_FREE;
		c->e[i].hnext = i + 1 < c->size ? i + 1 : c->free_head;
	}
	if (from < c->size)
		c->free_head = from;
}

/* Pending slots @from..@pend_size-1 empty, at the head of their free list. */
static void nb_pend_free_range(struct nb_cache *c, uint32_t from)
{
	for (uint32_t i = from; i < c->pend_size; i++) {
		c->pend[i].b = NULL;
		c->pend[i].next = i + 1 < c->pend_size ? i + 1 : c->pend_free;
	}
	if (from < c->pend_size)
		c->pend_free = from;
}

/* Double the entries (at most @cap): false when at the limit or out of memory. */
static bool nb_grow(struct nb_cache *c)
{
	uint32_t old = c->size, want = (uint32_t)MIN((uint64_t)c->cap, (uint64_t)old * 2);
	struct nb_entry *e;

	if (want <= old)
		return false;
	e = g_try_renew(struct nb_entry, c->e, want);
	if (!e)
		return false;
	c->e = e;
	c->size = want;
	memset(&c->e[old], 0, (size_t)(want - old) * sizeof(*c->e));
	nb_free_range(c, old);
	nb_rehash(c, want);	/* on failure the old chains stay valid, only longer */
	return true;
}

/* Double the pending slots (at most @pend_cap). */
static bool nb_pend_grow(struct nb_cache *c)
{
	uint32_t old = c->pend_size, want = (uint32_t)MIN((uint64_t)c->pend_cap, (uint64_t)old * 2);
	struct nb_pending *p;

	if (want <= old)
		return false;
	p = g_try_renew(struct nb_pending, c->pend, want);
	if (!p)
		return false;
	c->pend = p;
	c->pend_size = want;
	nb_pend_free_range(c, old);
	return true;
}

/**
 * nb_cache_init() - Make an empty cache
 * @c:			Cache (zeroed or freed)
 * @cap:		Most entries (incomplete ones included), >= 1
 * @pending_max:	Most packets waiting per next hop
 * @ttl:		Lifetime of a learned entry (ns)
 *
 * Allocates room for NB_INITIAL entries; the cache grows up to @cap.
 *
 * Context: owner context (cold).
 */
void nb_cache_init(struct nb_cache *c, uint32_t cap, uint32_t pending_max, uint64_t ttl)
{
	memset(c, 0, sizeof(*c));
	c->cap = cap;
	c->pending_max = pending_max;
	c->pend_cap = pending_max * MIN(cap, NB_PENDING_HOPS);
	c->ttl = ttl;
	nb_cache_clear(c);
}

/**
 * nb_cache_clear() - Forget every entry and drop every pending packet
 * @c:	Cache
 *
 * The cache shrinks back to its initial size.
 *
 * Context: owner context (cold: allocates).
 */
void nb_cache_clear(struct nb_cache *c)
{
	for (uint32_t i = 0; i < c->pend_size; i++)
		pk_buf_unref(c->pend[i].b);
	c->size = MIN(c->cap, NB_INITIAL);
	c->pend_size = MAX(MIN(c->pend_cap, NB_INITIAL), 1u);
	c->e = g_renew(struct nb_entry, c->e, c->size);
	c->pend = g_renew(struct nb_pending, c->pend, c->pend_size);
	memset(c->e, 0, (size_t)c->size * sizeof(*c->e));
	c->free_head = NB_NONE;
	c->pend_free = NB_NONE;
	nb_free_range(c, 0);
	nb_pend_free_range(c, 0);
	g_free(c->bucket);
	c->bucket = NULL;
	if (!nb_rehash(c, c->size))
		g_error("nb_cache: out of memory");
	c->inc_head = NB_NONE;
	c->n = 0;
	c->n_incomplete = 0;
}

/**
 * nb_cache_free() - Release everything the cache holds
 * @c:	Cache; zeroed afterwards
 *
 * Context: owner context (cold).
 */
void nb_cache_free(struct nb_cache *c)
{
	for (uint32_t i = 0; i < c->pend_size; i++)
		pk_buf_unref(c->pend[i].b);
	g_free(c->e);
	g_free(c->bucket);
	g_free(c->pend);
	memset(c, 0, sizeof(*c));
}

static void nb_unlink_hash(struct nb_cache *c, uint32_t idx)
{
	uint32_t *pp = &c->bucket[nb_hash(c->e[idx].key) & c->mask];

	while (*pp != idx)
		pp = &c->e[*pp].hnext;
	*pp = c->e[idx].hnext;
}

static void nb_unlink_incomplete(struct nb_cache *c, uint32_t idx)
{
	struct nb_entry *e = &c->e[idx];

	if (e->lprev != NB_NONE)
		c->e[e->lprev].lnext = e->lnext;
	else
		c->inc_head = e->lnext;
	if (e->lnext != NB_NONE)
		c->e[e->lnext].lprev = e->lprev;
	c->n_incomplete--;
}

/**
 * nb_cache_remove() - Free an entry, dropping the packets still queued on it
 * @c:		Cache
 * @idx:	Entry index
 *
 * Context: owner context.
 */
void nb_cache_remove(struct nb_cache *c, uint32_t idx)
{
	struct nb_entry *e = &c->e[idx];
	struct pk_buf *b;

	if (e->state == NB_FREE)
		return;
	while ((b = nb_cache_dequeue(c, idx)))
		pk_buf_unref(b);
	if (e->state == NB_INCOMPLETE)
		nb_unlink_incomplete(c, idx);
	nb_unlink_hash(c, idx);
	e->state = NB_FREE;
	e->hnext = c->free_head;
	c->free_head = idx;
	c->n--;
}

/* A slot for a new entry: a free one, else an expired or the oldest reachable one. */
static uint32_t nb_alloc(struct nb_cache *c, uint32_t *evicted)
{
	uint32_t idx = c->free_head, victim = NB_NONE;
	uint64_t oldest = UINT64_MAX;

	if (idx == NB_NONE && nb_grow(c))
		idx = c->free_head;
	if (idx != NB_NONE) {
		c->free_head = c->e[idx].hnext;
		return idx;
	}
	/* Full: O(cap), only when a new neighbour appears in a full cache. */
	for (uint32_t i = 0; i < c->size; i++) {
		if (c->e[i].state == NB_REACHABLE && c->e[i].deadline < oldest) {
			oldest = c->e[i].deadline;
			victim = i;
		}
	}
	if (victim == NB_NONE)
		return NB_NONE;	/* everything is being resolved */
	nb_cache_remove(c, victim);
	if (evicted)
		(*evicted)++;
	idx = c->free_head;
	c->free_head = c->e[idx].hnext;
	return idx;
}

static uint32_t nb_insert(struct nb_cache *c, const uint8_t key[NB_KEY_LEN], uint32_t *evicted)
{
	uint32_t idx = nb_alloc(c, evicted), h;
	struct nb_entry *e;

	if (idx == NB_NONE)
		return NB_NONE;
	e = &c->e[idx];
	memcpy(e->key, key, NB_KEY_LEN);
	e->tries = 0;
	e->n_pend = 0;
	e->pend_head = e->pend_tail = NB_NONE;
	e->lprev = e->lnext = NB_NONE;
	h = nb_hash(key) & c->mask;
	e->hnext = c->bucket[h];
	c->bucket[h] = idx;
	c->n++;
	return idx;
}

/**
 * nb_cache_learn() - Record that @key is at @mac
 * @c:		Cache
 * @key:	Neighbour
 * @mac:	Its link-layer address
 * @now:	Current time (ns); the entry lives until @now + ttl
 * @create:	Make a new entry if there is none (else only update)
 * @idx:	Out: the entry, NB_NONE if none
 * @evicted:	Incremented when an old entry made room (may be NULL)
 *
 * An INCOMPLETE entry becomes REACHABLE and keeps its queue for the caller
 * to drain with nb_cache_dequeue().
 *
 * Context: owner context.
 * Return: what happened.
 */
enum nb_learn nb_cache_learn(struct nb_cache *c, const uint8_t key[NB_KEY_LEN],
			     const uint8_t mac[PK_ETH_ALEN], uint64_t now, bool create,
			     uint32_t *idx, uint32_t *evicted)
{
	uint32_t i = nb_cache_find(c, key);
	enum nb_learn r = NB_LEARN_UPDATED;

	if (i == NB_NONE) {
		if (!create || (i = nb_insert(c, key, evicted)) == NB_NONE) {
			*idx = NB_NONE;
			return NB_LEARN_NONE;
		}
		r = NB_LEARN_NEW;
	} else if (c->e[i].state == NB_INCOMPLETE) {
		nb_unlink_incomplete(c, i);
		r = NB_LEARN_RESOLVED;
	}
	c->e[i].state = NB_REACHABLE;
	memcpy(c->e[i].mac, mac, PK_ETH_ALEN);
	c->e[i].deadline = now + c->ttl;
	*idx = i;
	return r;
}

/**
 * nb_cache_add_incomplete() - Start resolving @key
 * @c:		Cache
 * @key:	Neighbour, not in the cache
 * @deadline:	When the first retransmission is due
 * @evicted:	Incremented when an old entry made room (may be NULL)
 *
 * Context: owner context, hot path (on a miss).
 * Return: the new entry (tries 0, queue empty) or NB_NONE if every entry is
 * being resolved.
 */
uint32_t nb_cache_add_incomplete(struct nb_cache *c, const uint8_t key[NB_KEY_LEN],
				 uint64_t deadline, uint32_t *evicted)
{
	uint32_t i = nb_insert(c, key, evicted);
	struct nb_entry *e;

	if (i == NB_NONE)
		return NB_NONE;
	e = &c->e[i];
	e->state = NB_INCOMPLETE;
	e->deadline = deadline;
	e->lnext = c->inc_head;
	if (c->inc_head != NB_NONE)
		c->e[c->inc_head].lprev = i;
	c->inc_head = i;
	c->n_incomplete++;
	return i;
}

/**
 * nb_cache_enqueue() - Park a packet until its next hop resolves
 * @c:		Cache
 * @idx:	INCOMPLETE entry
 * @b:		Buffer; on success the cache owns this reference
 *
 * Context: owner context, hot path.
 * Return: false (nothing taken) when the entry's queue holds pending_max
 * packets or the pool of slots is empty.
 */
bool nb_cache_enqueue(struct nb_cache *c, uint32_t idx, struct pk_buf *b)
{
	struct nb_entry *e = &c->e[idx];
	uint32_t s;

	if (e->n_pend >= c->pending_max)
		return false;
	if (c->pend_free == NB_NONE)
		nb_pend_grow(c);
	s = c->pend_free;
	if (s == NB_NONE)
		return false;
	c->pend_free = c->pend[s].next;
	c->pend[s].b = b;
	c->pend[s].next = NB_NONE;
	if (e->pend_tail != NB_NONE)
		c->pend[e->pend_tail].next = s;
	else
		e->pend_head = s;
	e->pend_tail = s;
	e->n_pend++;
	return true;
}

/**
 * nb_cache_dequeue() - Take the oldest packet parked on an entry
 * @c:		Cache
 * @idx:	Entry
 *
 * Context: owner context.
 * Return: (transfer full) the buffer, or NULL when the queue is empty.
 */
struct pk_buf *nb_cache_dequeue(struct nb_cache *c, uint32_t idx)
{
	struct nb_entry *e = &c->e[idx];
	uint32_t s = e->pend_head;
	struct pk_buf *b;

	if (s == NB_NONE)
		return NULL;
	b = c->pend[s].b;
	e->pend_head = c->pend[s].next;
	if (e->pend_head == NB_NONE)
		e->pend_tail = NB_NONE;
	e->n_pend--;
	c->pend[s].b = NULL;
	c->pend[s].next = c->pend_free;
	c->pend_free = s;
	return b;
}

/**
 * nb_cache_next_deadline() - Earliest retransmission due among INCOMPLETE entries
 * @c:	Cache
 *
 * Context: owner context.
 * Return: the time, or UINT64_MAX when nothing is being resolved.
 */
uint64_t nb_cache_next_deadline(const struct nb_cache *c)
{
	uint64_t t = UINT64_MAX;

	for (uint32_t i = c->inc_head; i != NB_NONE; i = c->e[i].lnext)
		t = MIN(t, c->e[i].deadline);
	return t;
}

/**
 * nb_cache_expire() - Free REACHABLE entries whose lifetime is over
 * @c:		Cache
 * @now:	Current time
 *
 * Lookups already ignore expired entries; this reclaims their slots.
 *
 * Context: owner context (a periodic sweep).
 * Return: entries freed.
 */
uint32_t nb_cache_expire(struct nb_cache *c, uint64_t now)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->size; i++) {
		if (c->e[i].state == NB_REACHABLE && c->e[i].deadline <= now) {
			nb_cache_remove(c, i);
			n++;
		}
	}
	return n;
}

/**
 * arp_build() - Write an Ethernet frame carrying an ARP packet
 * @frame:	ARP_FRAME_LEN bytes (Ethernet header, 28 bytes of ARP, zero padding)
 * @op:		PK_ARP_OP_REQUEST or PK_ARP_OP_REPLY
 * @eth_dst:	Destination MAC of the frame
 * @sha:	Sender hardware address (also the frame's source)
 * @spa:	Sender protocol address
 * @tha:	Target hardware address
 * @tpa:	Target protocol address
 *
 * Context: any thread.
 */
G_STATIC_ASSERT(ARP_FRAME_LEN == PK_ARP_FRAME_LEN);

void arp_build(uint8_t frame[ARP_FRAME_LEN], uint16_t op, const uint8_t eth_dst[6],
	       const uint8_t sha[6], const uint8_t spa[4], const uint8_t tha[6],
	       const uint8_t tpa[4])
{
	pk_arp_write(frame, ARP_FRAME_LEN, op, eth_dst, sha, spa, tha, tpa);
}
