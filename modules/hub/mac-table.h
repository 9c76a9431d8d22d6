/* SPDX-License-Identifier: MIT
 * mac-table.h - MAC learning table of l2.hub: (VLAN, MAC) -> port, with aging
 *
 * Pure data structure, no I/O and no clock of its own: callers pass the time
 * as a 32-bit tick count (MAC_TABLE_TICK_SHIFT converts nanoseconds). Open
 * addressing with linear probing and backward-shift deletion.
 *
 * Memory follows use, not the limit: a table starts with MAC_TABLE_MIN_SLOTS
 * slots (256 bytes), doubles when a new key would make it more than half full,
 * and halves again in mac_table_sweep()/mac_table_purge_port() when it is
 * less than an eighth full, never beyond the size @cap needs. Looking up and
 * refreshing known keys never allocates; only learning a key that needs a
 * bigger table does (a rehash, amortised over the keys that filled it).
 *
 * Aging: an entry last refreshed at tick s is stale at tick t when
 * t - s > max_age (u32 arithmetic, so ticks may wrap). A stale entry is
 * invisible to lookups, is replaced in place by the next key that probes past
 * it, and is removed by mac_table_sweep().
 */
#ifndef PK_HUB_MAC_TABLE_H
#define PK_HUB_MAC_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

/* One tick is 2^20 ns (about 1.05 ms): u32 ticks wrap after about 52 days. */
#define MAC_TABLE_TICK_SHIFT 20
/* Returned by mac_table_lookup() when the key is unknown or stale. */
#define MAC_TABLE_MISS UINT32_MAX
/* Largest number of entries a table may be created for. */
#define MAC_TABLE_MAX_ENTRIES (1u << 20)
/* Slots of an empty table (log2): 16 slots of 16 bytes. */
#define MAC_TABLE_MIN_BITS 4

/**
 * struct mac_entry - One slot
 * @key:	mac_table_key() of (VLAN, MAC); 0 marks a free slot
 * @port:	Port the MAC was last seen on
 * @seen:	Tick of the last frame from the MAC
 */
struct mac_entry {
	uint64_t key;
	uint32_t port;
	uint32_t seen;
};

/**
 * struct mac_table - The table
 * @slots:	Power-of-two array, at least twice @count entries
 * @mask:	Number of slots - 1
 * @shift:	64 - log2(number of slots), for the hash
 * @count:	Occupied slots, stale ones included
 * @cap:	Most occupied slots allowed
 * @max_age:	Ticks after which an unrefreshed entry is stale
 * @max_bits:	log2 of the most slots the table grows to (twice @cap, rounded up)
 * @min_bits:	log2 of the slots of an empty table
 */
struct mac_table {
	struct mac_entry *slots;
	uint32_t mask;
	uint32_t shift;
	uint32_t count;
	uint32_t cap;
	uint32_t max_age;
	uint32_t max_bits;
	uint32_t min_bits;
};

/*
 * Outcome of mac_table_learn(): one of the first four values, possibly with
 * MAC_LEARN_AGED or'ed in when a stale entry was dropped on the way (the
 * key's own stale entry, which then counts as NEW, or a stale entry of
 * another key whose slot was reused).
 */
enum mac_learn {
	MAC_LEARN_REFRESHED = 0,	/* known on this port: timestamp refreshed */
	MAC_LEARN_NEW = 1,		/* unknown (or stale) before: added */
	MAC_LEARN_MOVED = 2,		/* known on another port: moved to this one */
	MAC_LEARN_FULL = 3,		/* unknown and the table is full: not added */
	MAC_LEARN_AGED = 4,		/* flag, see above */
};
#define MAC_LEARN_WHAT(r) ((r) & 3)

/**
 * mac_table_key() - The key of a (VLAN, MAC) pair
 * @vlan:	VLAN id, 0..4095 (0 for the untagged domain)
 * @mac48:	The 48-bit MAC as loaded by mac_table_load_mac()
 *
 * Bit 63 is always set so that a key is never 0 (the free-slot mark).
 *
 * Context: any thread, hot path.
 */
static inline uint64_t mac_table_key(uint32_t vlan, uint64_t mac48)
{
	return UINT64_C(1) << 63 | (uint64_t)(vlan & 0xfff) << 48 | mac48;
}

/**
 * mac_table_load_mac() - Read 6 MAC bytes into the low 48 bits of an integer
 * @p:	First byte of the address (wire order); 8 bytes must be readable
 *
 * Byte 0 (which carries the group bit) ends up in the lowest byte, on any
 * host byte order.
 *
 * Context: any thread, hot path.
 */
static inline uint64_t mac_table_load_mac(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v & UINT64_C(0xffffffffffff);
}

/* Index of the home slot of @key. */
static inline uint32_t mac_table_home(const struct mac_table *t, uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> t->shift);
}

static inline bool mac_table_stale(const struct mac_table *t, const struct mac_entry *e,
				   uint32_t now)
{
	return (uint32_t)(now - e->seen) > t->max_age;
}

/**
 * mac_table_lookup() - Port a (VLAN, MAC) key was learned on
 * @t:		Table
 * @key:	mac_table_key()
 * @now:	Current tick
 *
 * Context: any thread, hot path (no allocation).
 * Return: the port, or MAC_TABLE_MISS if unknown or stale.
 */
static inline uint32_t mac_table_lookup(const struct mac_table *t, uint64_t key, uint32_t now)
{
	for (uint32_t i = mac_table_home(t, key);; i = (i + 1) & t->mask) {
		const struct mac_entry *e = &t->slots[i];

		if (e->key == key)
			return mac_table_stale(t, e, now) ? MAC_TABLE_MISS : e->port;
		if (e->key == 0)
			return MAC_TABLE_MISS;
	}
}

/**
 * mac_table_init() - Make an empty table for at most @cap entries
 * @t:		Table to fill
 * @cap:	1..MAC_TABLE_MAX_ENTRIES
 * @max_age:	Ticks, see mac_table_set_max_age()
 *
 * Allocates the smallest table; it grows with the keys learned.
 *
 * Context: cold (allocates).
 * Return: false if @cap is out of range.
 */
bool mac_table_init(struct mac_table *t, uint32_t cap, uint32_t max_age);

/**
 * mac_table_free() - Free the storage
 * @t:	Table; zeroed afterwards
 *
 * Context: cold.
 */
void mac_table_free(struct mac_table *t);

/**
 * mac_table_clear() - Forget every entry
 * @t:	Table
 *
 * The table shrinks back to its empty size.
 *
 * Context: cold (may allocate).
 */
void mac_table_clear(struct mac_table *t);

/**
 * mac_table_bytes() - Memory the slots take now
 * @t:	Table
 *
 * Context: any thread.
 */
static inline size_t mac_table_bytes(const struct mac_table *t)
{
	return t->slots ? ((size_t)t->mask + 1) * sizeof(struct mac_entry) : 0;
}

/**
 * mac_table_set_max_age() - Change the aging time
 * @t:		Table
 * @max_age:	Ticks; at most UINT32_MAX / 2 so that wrapping stays unambiguous
 *
 * Applies to existing entries too.
 *
 * Context: cold.
 */
void mac_table_set_max_age(struct mac_table *t, uint32_t max_age);

unsigned int mac_table_learn_slow(struct mac_table *t, uint64_t key, uint32_t port,
				  uint32_t now);

/**
 * mac_table_learn() - Record that @key was seen on @port at @now
 * @t:		Table
 * @key:	mac_table_key() of the frame's VLAN and source MAC
 * @port:	Ingress port
 * @now:	Current tick
 *
 * Every call refreshes the timestamp. A stale entry met on the probe path of
 * a new key is reused for it. The common case, a known address in its home
 * slot on the same port, is inline.
 *
 * Context: any thread, hot path: allocates only when a new key needs a bigger
 * table (if that allocation fails the key is not learned: MAC_LEARN_FULL).
 * Return: what happened; see enum mac_learn.
 */
static inline unsigned int mac_table_learn(struct mac_table *t, uint64_t key, uint32_t port,
					   uint32_t now)
{
	struct mac_entry *e = &t->slots[mac_table_home(t, key)];

	if (G_LIKELY(e->key == key && e->port == port && !mac_table_stale(t, e, now))) {
		if (e->seen != now)	/* a store per tick (1 ms), not per frame */
			e->seen = now;
		return MAC_LEARN_REFRESHED;
	}
	return mac_table_learn_slow(t, key, port, now);
}

/**
 * mac_table_remove() - Remove one key
 * @t:		Table
 * @key:	Key
 *
 * Context: any thread (no allocation).
 * Return: true if it was present (stale or not).
 */
bool mac_table_remove(struct mac_table *t, uint64_t key);

/**
 * mac_table_sweep() - Remove every stale entry
 * @t:		Table
 * @now:	Current tick
 *
 * Context: any thread; O(slots); may shrink the table (allocates).
 * Return: number of entries removed.
 */
uint32_t mac_table_sweep(struct mac_table *t, uint32_t now);

/**
 * mac_table_purge_port() - Remove every entry pointing to @port
 * @t:		Table
 * @port:	Port that went away
 *
 * Context: any thread; O(slots); may shrink the table (allocates).
 * Return: number of entries removed.
 */
uint32_t mac_table_purge_port(struct mac_table *t, uint32_t port);

#endif /* PK_HUB_MAC_TABLE_H */
