/* SPDX-License-Identifier: MIT
 * arp.h - Neighbour cache with per-next-hop pending queues (ARP and NDP), and ARP packets
 *
 * Pure data structure: no device, no clock of its own (times are passed in).
 * One cache serves IPv4 and IPv6: keys are 16-byte IPv6 addresses, IPv4
 * next hops are stored IPv4-mapped (::ffff:a.b.c.d). Entries, buckets and
 * pending slots start small and double with use up to their limits (see
 * struct nb_cache).
 */
#ifndef PK_ADAPTER_ARP_H
#define PK_ADAPTER_ARP_H

#include <string.h>
#include <pktkit/buf.h>
#include <pktkit/eth.h>

#define NB_NONE UINT32_MAX
#define NB_KEY_LEN 16u

enum nb_state {
	NB_FREE = 0,
	NB_INCOMPLETE,	/* being resolved: requests sent, packets may wait */
	NB_REACHABLE,	/* MAC known until @deadline */
};

/**
 * struct nb_entry - One neighbour
 * @key:	IPv6 address or IPv4-mapped address
 * @mac:	Link-layer address (REACHABLE)
 * @state:	enum nb_state
 * @tries:	Requests sent so far (INCOMPLETE)
 * @n_pend:	Packets waiting (INCOMPLETE)
 * @deadline:	REACHABLE: expiry time; INCOMPLETE: next retransmission
 * @hnext:	Hash chain / free list link
 * @lprev:	Incomplete list links
 * @lnext:	Incomplete list links
 * @pend_head:	First pending slot
 * @pend_tail:	Last pending slot
 */
struct nb_entry {
	uint8_t key[NB_KEY_LEN];
	uint8_t mac[PK_ETH_ALEN];
	uint8_t state;
	uint8_t tries;
	uint32_t n_pend;
	uint64_t deadline;
	uint32_t hnext;
	uint32_t lprev, lnext;
	uint32_t pend_head, pend_tail;
};

struct nb_pending {
	struct pk_buf *b;
	uint32_t next;
};

/**
 * struct nb_cache - The cache
 * @e:		@size entries (grows by doubling up to @cap)
 * @cap:	Most entries (incomplete ones included)
 * @n:		Entries in use
 * @bucket:	@mask + 1 chain heads (a power of two >= @size, grows with it)
 * @pend:	@pend_size pending slots (grows by doubling up to @pend_cap)
 * @size:	Entries allocated
 * @pend_size:	Pending slots allocated
 *
 * Memory follows use: a new cache holds NB_INITIAL entries and pending
 * slots; they double when a new neighbour or packet finds none free, up to
 * the limits, and nb_cache_clear() returns to the initial size. Lookups never
 * allocate; only a new neighbour or a parked packet may.
 */
struct nb_cache {
	struct nb_entry *e;
	uint32_t cap;
	uint32_t n;
	uint32_t *bucket;
	uint32_t mask;
	uint32_t free_head;
	uint32_t inc_head;
	uint32_t n_incomplete;
	struct nb_pending *pend;
	uint32_t pend_cap;
	uint32_t pend_free;
	uint32_t pending_max;
	uint64_t ttl;
	uint32_t size;
	uint32_t pend_size;
};

/* IPv4-mapped key of an IPv4 address (4 bytes, wire order). */
static inline void nb_key4(uint8_t key[NB_KEY_LEN], const uint8_t ip[4])
{
	/* Two whole 8-byte stores, so nb_hash()'s 8-byte loads are forwarded
	 * from them (four small stores stalled every lookup). */
	const uint8_t high[8] = { 0, 0, 0xff, 0xff, ip[0], ip[1], ip[2], ip[3] };
	uint64_t lo = 0, hi;

	memcpy(&hi, high, sizeof(hi));
	memcpy(key, &lo, sizeof(lo));
	memcpy(key + 8, &hi, sizeof(hi));
}

static inline bool nb_key_is4(const uint8_t key[NB_KEY_LEN])
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(key, pfx, 12) == 0;
}

static inline uint32_t nb_hash(const uint8_t key[NB_KEY_LEN])
{
	uint64_t a, b;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	a = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
	return (uint32_t)(a ^ (a >> 29) ^ (a >> 47));
}

/**
 * nb_cache_find() - Entry of a key, in any state
 * @c:		Cache
 * @key:	Key
 *
 * Context: owner context, hot path.
 * Return: entry index or NB_NONE.
 */
static inline uint32_t nb_cache_find(const struct nb_cache *c, const uint8_t key[NB_KEY_LEN])
{
	for (uint32_t i = c->bucket[nb_hash(key) & c->mask]; i != NB_NONE; i = c->e[i].hnext)
		if (memcmp(c->e[i].key, key, NB_KEY_LEN) == 0)
			return i;
	return NB_NONE;
}

/**
 * nb_cache_lookup() - MAC of a reachable, unexpired neighbour
 * @c:		Cache
 * @key:	Key
 * @now:	Current time (ns)
 *
 * Context: owner context, hot path.
 * Return: 6 bytes inside the cache, or NULL.
 */
static inline const uint8_t *nb_cache_lookup(const struct nb_cache *c,
					     const uint8_t key[NB_KEY_LEN], uint64_t now)
{
	uint32_t i = nb_cache_find(c, key);

	if (i == NB_NONE || c->e[i].state != NB_REACHABLE || c->e[i].deadline <= now)
		return NULL;
	return c->e[i].mac;
}

void nb_cache_init(struct nb_cache *c, uint32_t cap, uint32_t pending_max, uint64_t ttl);
void nb_cache_free(struct nb_cache *c);
void nb_cache_clear(struct nb_cache *c);

/* What nb_cache_learn() did. */
enum nb_learn {
	NB_LEARN_NONE,		/* not created (create false) or cache full */
	NB_LEARN_NEW,
	NB_LEARN_UPDATED,	/* REACHABLE refreshed or changed */
	NB_LEARN_RESOLVED,	/* INCOMPLETE became REACHABLE: drain its queue */
};

enum nb_learn nb_cache_learn(struct nb_cache *c, const uint8_t key[NB_KEY_LEN],
			     const uint8_t mac[PK_ETH_ALEN], uint64_t now, bool create,
			     uint32_t *idx, uint32_t *evicted);
uint32_t nb_cache_add_incomplete(struct nb_cache *c, const uint8_t key[NB_KEY_LEN],
				 uint64_t deadline, uint32_t *evicted);
bool nb_cache_enqueue(struct nb_cache *c, uint32_t idx, struct pk_buf *b);
struct pk_buf *nb_cache_dequeue(struct nb_cache *c, uint32_t idx);
void nb_cache_remove(struct nb_cache *c, uint32_t idx);
uint64_t nb_cache_next_deadline(const struct nb_cache *c);
uint32_t nb_cache_expire(struct nb_cache *c, uint64_t now);

/* ARP frames (RFC 826): Ethernet header + 28 bytes, padded to 60. */
#define ARP_FRAME_LEN 60u

void arp_build(uint8_t frame[ARP_FRAME_LEN], uint16_t op, const uint8_t eth_dst[6],
	       const uint8_t sha[6], const uint8_t spa[4], const uint8_t tha[6],
	       const uint8_t tpa[4]);

#endif /* PK_ADAPTER_ARP_H */
