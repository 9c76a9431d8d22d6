// SPDX-License-Identifier: MIT
/* mac-table.c - MAC learning table of l2.hub: open addressing, aging, purge by port */
#include <stdlib.h>
#include <glib.h>

#include "mac-table.h"

/* Point @t at a zeroed array of 2^@bits slots (the old one is not freed). */
static bool mac_table_alloc(struct mac_table *t, uint32_t bits)
{
	struct mac_entry *slots = g_try_new0(struct mac_entry, (gsize)1 << bits);

	if (!slots)
		return false;
	t->slots = slots;
	t->mask = (1u << bits) - 1;
	t->shift = 64 - bits;
	return true;
}

static uint32_t mac_table_bits(const struct mac_table *t)
{
	return 64 - t->shift;
}

/* Move every entry into a new array of 2^@bits slots; false (table unchanged)
 * if it cannot be allocated. */
static bool mac_table_resize(struct mac_table *t, uint32_t bits)
{
	struct mac_table old = *t;

	if (!mac_table_alloc(t, bits))
		return false;
	for (uint32_t i = 0; i <= old.mask; i++) {
		const struct mac_entry *e = &old.slots[i];
		uint32_t j;

		if (e->key == 0)
			continue;
		for (j = mac_table_home(t, e->key); t->slots[j].key != 0; j = (j + 1) & t->mask)
			;
		t->slots[j] = *e;
	}
	g_free(old.slots);
	return true;
}

bool mac_table_init(struct mac_table *t, uint32_t cap, uint32_t max_age)
{
	uint32_t bits = 1;

	memset(t, 0, sizeof(*t));
	if (cap == 0 || cap > MAC_TABLE_MAX_ENTRIES)
		return false;
	/* At most half full: probe sequences stay short. */
	while ((UINT64_C(1) << bits) < (uint64_t)cap * 2)
		bits++;
	t->max_bits = bits;
	t->min_bits = MIN(bits, MAC_TABLE_MIN_BITS);
	if (!mac_table_alloc(t, t->min_bits))
		return false;
	t->cap = cap;
	mac_table_set_max_age(t, max_age);
	return true;
}

void mac_table_free(struct mac_table *t)
{
	g_free(t->slots);
	memset(t, 0, sizeof(*t));
}

void mac_table_clear(struct mac_table *t)
{
	if (!t->slots)
		return;
	if (mac_table_bits(t) > t->min_bits) {
		struct mac_entry *big = t->slots;

		if (mac_table_alloc(t, t->min_bits)) {
			g_free(big);
			t->count = 0;
			return;
		}
	}
	memset(t->slots, 0, mac_table_bytes(t));
	t->count = 0;
}

/* After removals: halve the table while it is less than an eighth full. */
static void mac_table_maybe_shrink(struct mac_table *t)
{
	uint32_t bits = mac_table_bits(t);

	while (bits > t->min_bits && (uint64_t)t->count * 8 < (UINT64_C(1) << bits))
		bits--;
	/* Keep it at most half full after shrinking. */
	while ((uint64_t)t->count * 2 > (UINT64_C(1) << bits))
		bits++;
	if (bits < mac_table_bits(t))
		mac_table_resize(t, bits);	/* on failure the bigger table stays */
}

void mac_table_set_max_age(struct mac_table *t, uint32_t max_age)
{
	t->max_age = MIN(max_age, UINT32_MAX / 2);
}

/* mac_table_learn() when the key is not fresh in its home slot on @port. */
unsigned int mac_table_learn_slow(struct mac_table *t, uint64_t key, uint32_t port,
				  uint32_t now)
{
	struct mac_entry *reuse = NULL, *e;

	for (uint32_t i = mac_table_home(t, key);; i = (i + 1) & t->mask) {
		e = &t->slots[i];
		if (e->key == key) {
			unsigned int r;

			if (G_UNLIKELY(mac_table_stale(t, e, now)))
				r = MAC_LEARN_NEW | MAC_LEARN_AGED;
			else if (e->port == port)
				r = MAC_LEARN_REFRESHED;
			else
				r = MAC_LEARN_MOVED;
			e->port = port;
			e->seen = now;
			return r;
		}
		if (e->key == 0)
			break;
		if (!reuse && mac_table_stale(t, e, now))
			reuse = e;
	}
	/* @key is not in the table; @e is the free slot ending its probe path. */
	if (reuse) {
		reuse->key = key;
		reuse->port = port;
		reuse->seen = now;
		return MAC_LEARN_NEW | MAC_LEARN_AGED;
	}
	if (t->count >= t->cap)
		return MAC_LEARN_FULL;
	if ((uint64_t)(t->count + 1) * 2 > (uint64_t)t->mask + 1) {
		/* Past half full: grow, then find the key's free slot anew. */
		if (mac_table_bits(t) >= t->max_bits || !mac_table_resize(t, mac_table_bits(t) + 1))
			return MAC_LEARN_FULL;
		for (uint32_t i = mac_table_home(t, key);; i = (i + 1) & t->mask) {
			e = &t->slots[i];
			if (e->key == 0)
				break;
		}
	}
	e->key = key;
	e->port = port;
	e->seen = now;
	t->count++;
	return MAC_LEARN_NEW;
}

/* Empty slot @i and close the gap (backward-shift deletion, no tombstones). */
static void mac_table_remove_at(struct mac_table *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (t->slots[j].key == 0)
			break;
		home = mac_table_home(t, t->slots[j].key);
		/* The entry at j may fill the hole at i if i lies on its probe
		 * path, i.e. i is at least as far from j as its home is. */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slots[i] = t->slots[j];
			i = j;
		}
	}
	t->slots[i].key = 0;
	t->count--;
}

bool mac_table_remove(struct mac_table *t, uint64_t key)
{
	for (uint32_t i = mac_table_home(t, key);; i = (i + 1) & t->mask) {
		if (t->slots[i].key == key) {
			mac_table_remove_at(t, i);
			return true;
		}
		if (t->slots[i].key == 0)
			return false;
	}
}

/*
 * Remove every entry for which @pred holds. Removal may shift a later entry
 * into slot i, so slot i is examined again before moving on; entries only
 * ever move backwards, and those moved from the start of the array to its
 * end (a wrapped cluster) were examined already and are examined again.
 */
static uint32_t mac_table_remove_if(struct mac_table *t,
				    bool (*pred)(const struct mac_table *t,
						 const struct mac_entry *e, uint32_t arg),
				    uint32_t arg)
{
	uint32_t removed = 0;

	if (!t->slots)
		return 0;
	for (uint32_t i = 0; i <= t->mask;) {
		const struct mac_entry *e = &t->slots[i];

		if (e->key != 0 && pred(t, e, arg)) {
			mac_table_remove_at(t, i);
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

static bool mac_table_pred_stale(const struct mac_table *t, const struct mac_entry *e,
				 uint32_t now)
{
	return mac_table_stale(t, e, now);
}

static bool mac_table_pred_port(const struct mac_table *t, const struct mac_entry *e,
				uint32_t port)
{
	return e->port == port;
}

uint32_t mac_table_sweep(struct mac_table *t, uint32_t now)
{
	uint32_t n = mac_table_remove_if(t, mac_table_pred_stale, now);

	if (n)
		mac_table_maybe_shrink(t);
	return n;
}

uint32_t mac_table_purge_port(struct mac_table *t, uint32_t port)
{
	uint32_t n = mac_table_remove_if(t, mac_table_pred_port, port);

	if (n)
		mac_table_maybe_shrink(t);
	return n;
}
