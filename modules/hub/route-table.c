// SPDX-License-Identifier: MIT
/* route-table.c - Building the longest-prefix-match tables of l3.router (see route-table.h) */
#include <string.h>
#include <glib.h>

#include "route-table.h"

/* A prefix while building: masked address and length. */
struct route_key {
	uint64_t hi;
	uint64_t lo;
	uint32_t len;
};

/* A hash entry while building: a real route or a marker. */
struct route_build_entry {
	struct route_key key;
	uint32_t value;		/* real routes only */
	bool real;
};

static guint route_key_hash(gconstpointer p)
{
	const struct route_key *k = p;

	return route_hash(k->hi, k->lo, k->len, 32);
}

static gboolean route_key_equal(gconstpointer a, gconstpointer b)
{
	const struct route_key *x = a, *y = b;

	return x->hi == y->hi && x->lo == y->lo && x->len == y->len;
}

static uint64_t route_mask_hi(uint32_t len)
{
	if (len == 0)
		return 0;
	return len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - len);
}

static uint64_t route_mask_lo(uint32_t len)
{
	return len <= 64 ? 0 : UINT64_MAX << (128 - len);
}

static struct route_key route_key_masked(uint64_t hi, uint64_t lo, uint32_t len)
{
	struct route_key k = { hi & route_mask_hi(len), lo & route_mask_lo(len), len };

	return k;
}

static struct route_key route_key_of(const struct route *r)
{
	uint64_t hi, lo = 0;

	if (r->family == 4) {
		hi = (uint64_t)r->addr[0] << 56 | (uint64_t)r->addr[1] << 48 |
		     (uint64_t)r->addr[2] << 40 | (uint64_t)r->addr[3] << 32;
	} else {
		hi = route_load_be64(r->addr);
		lo = route_load_be64(r->addr + 8);
	}
	return route_key_masked(hi, lo, r->len);
}

void route_table_init(struct route_table *t)
{
	memset(t, 0, sizeof(*t));
	t->v4.base = ROUTE_NONE;
	t->v6.base = ROUTE_NONE;
}

void route_table_free(struct route_table *t)
{
	g_free(t->v4.tbl16);
	g_free(t->v4.chunks);
	g_free(t->v6.slots);
	route_table_init(t);
}

/* Add (or find) the entry for @key in @all. */
static struct route_build_entry *route_build_add(GHashTable *all, struct route_key key)
{
	struct route_build_entry *e = g_hash_table_lookup(all, &key);

	if (!e) {
		e = g_new0(struct route_build_entry, 1);
		e->key = key;
		g_hash_table_insert(all, &e->key, e);
	}
	return e;
}

/*
 * The distinct routes of one family into @all (keyed by masked prefix) and
 * @reals (in order of first appearance). A prefix given twice must agree on
 * its value.
 */
static enum route_error route_collect(uint8_t family, const struct route *routes, uint32_t n,
				      GHashTable *all, GPtrArray *reals, uint32_t bad[2])
{
	g_autoptr(GHashTable) first = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (uint32_t i = 0; i < n; i++) {
		const struct route *r = &routes[i];
		struct route_build_entry *e;

		if (r->family != family)
			continue;
		e = route_build_add(all, route_key_of(r));
		if (e->real) {
			if (e->value != r->value) {
				if (bad) {
					bad[0] = i;
					bad[1] = GPOINTER_TO_UINT(g_hash_table_lookup(first, e));
				}
				return ROUTE_ERR_DUPLICATE;
			}
			continue;
		}
		e->real = true;
		e->value = r->value;
		g_hash_table_insert(first, e, GUINT_TO_POINTER(i));
		g_ptr_array_add(reals, e);
	}
	return ROUTE_OK;
}

/* IPv4: DIR-16-8-8 -------------------------------------------------------- */

static gint route_cmp_len(gconstpointer a, gconstpointer b)
{
	const struct route_build_entry *x = *(const struct route_build_entry *const *)a;
	const struct route_build_entry *y = *(const struct route_build_entry *const *)b;

	return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

/*
 * The chunk an entry links to, made if the entry holds an answer: the new
 * chunk repeats that answer in all 256 entries. @table is &f->tbl16 or
 * &f->chunks, read again after f->chunks may have moved.
 */
static uint32_t route_v4_descend(struct route_v4 *f, uint32_t *const *table, size_t slot,
				 uint32_t *alloc)
{
	uint32_t e = (*table)[slot], idx;

	if (e & ROUTE_DIR_CHILD)
		return e & ~ROUTE_DIR_CHILD;
	if (f->n_chunks == *alloc) {
		*alloc = MAX(16u, *alloc * 2);
		f->chunks = g_renew(uint32_t, f->chunks, (gsize)*alloc << 8);
	}
	idx = f->n_chunks++;
	for (uint32_t i = 0; i < 256; i++)
		f->chunks[((size_t)idx << 8) + i] = e;
	(*table)[slot] = ROUTE_DIR_CHILD | idx;
	return idx;
}

static void route_v4_build(struct route_v4 *f, GPtrArray *reals)
{
	uint32_t alloc = 0;

	f->n_routes = reals->len;
	for (guint r = 0; r < reals->len; r++) {
		const struct route_build_entry *e = g_ptr_array_index(reals, r);

		if (e->key.len == 0)
			f->base = e->value;
	}
	if (reals->len == 0 || (reals->len == 1 && f->base != ROUTE_NONE))
		return;	/* nothing or only a default route: no trie needed */
	/* Shorter routes first: longer ones then overwrite what they cover.
	 * A range being filled never holds a chunk link, since links are only
	 * made by routes longer than the level the range is in. */
	g_ptr_array_sort(reals, route_cmp_len);
	f->tbl16 = g_new0(uint32_t, 65536);
	for (guint r = 0; r < reals->len; r++) {
		const struct route_build_entry *e = g_ptr_array_index(reals, r);
		uint32_t a = (uint32_t)(e->key.hi >> 32), len = e->key.len, v = e->value + 1;
		uint32_t *dst;
		size_t first, count;

		if (len <= 16) {
			dst = f->tbl16;
			first = a >> 16;
			count = (size_t)1 << (16 - len);
		} else {
			uint32_t c = route_v4_descend(f, &f->tbl16, a >> 16, &alloc);

			if (len <= 24) {
				first = ((size_t)c << 8) | ((a >> 8) & 0xff);
				count = (size_t)1 << (24 - len);
			} else {
				c = route_v4_descend(f, &f->chunks,
						     ((size_t)c << 8) | ((a >> 8) & 0xff), &alloc);
				first = ((size_t)c << 8) | (a & 0xff);
				count = (size_t)1 << (32 - len);
			}
			dst = f->chunks;
		}
		for (size_t i = 0; i < count; i++)
			dst[first + i] = v;
	}
}

/* IPv6: binary search on lengths --------------------------------------- */

/* Value of the longest real route covering @key (lengths <= key->len), or the base. */
static uint32_t route_v6_best(const struct route_v6 *f, GHashTable *all,
			      const int *level_of, const struct route_key *key)
{
	for (int i = level_of[key->len]; i >= 0; i--) {
		struct route_key k = route_key_masked(key->hi, key->lo, f->levels[i].len);
		const struct route_build_entry *e = g_hash_table_lookup(all, &k);

		if (e && e->real)
			return e->value;
	}
	return f->base;
}

static void route_v6_build(struct route_v6 *f, GHashTable *all, GPtrArray *reals)
{
	bool present[129] = { false };
	int level_of[129];
	GHashTableIter it;
	gpointer v;
	uint32_t bits = 3;

	f->n_routes = reals->len;
	for (guint r = 0; r < reals->len; r++) {
		const struct route_build_entry *e = g_ptr_array_index(reals, r);

		if (e->key.len == 0)
			f->base = e->value;
		else
			present[e->key.len] = true;
	}
	/* Distinct lengths, ascending; level_of maps any length to the index of
	 * the longest present length <= it (-1 if none). */
	for (uint32_t len = 0; len <= 128; len++) {
		if (len > 0 && present[len]) {
			struct route_level *lv = &f->levels[f->n_levels++];

			lv->len = len;
			lv->mask_hi = route_mask_hi(len);
			lv->mask_lo = route_mask_lo(len);
		}
		level_of[len] = (int)f->n_levels - 1;
	}
	if (f->n_levels == 0)
		return;

	/* Markers on the binary-search path to each route's length. */
	for (guint r = 0; r < reals->len; r++) {
		const struct route_build_entry *e = g_ptr_array_index(reals, r);
		int target = level_of[e->key.len], l = 0, h = (int)f->n_levels - 1;
		struct route_key key = e->key;

		if (key.len == 0)
			continue;
		while (l <= h) {
			int m = (l + h) >> 1;

			if (m == target)
				break;
			if (m < target) {
				route_build_add(all, route_key_masked(key.hi, key.lo,
								      f->levels[m].len));
				l = m + 1;
			} else {
				h = m - 1;
			}
		}
	}

	/* The hash table proper, at most half full. */
	while ((1u << bits) < g_hash_table_size(all) * 2)
		bits++;
	f->slots = g_new0(struct route_slot, (gsize)1 << bits);
	f->mask = (1u << bits) - 1;
	f->shift = 64 - bits;
	g_hash_table_iter_init(&it, all);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct route_build_entry *e = v;
		uint32_t i;

		if (e->key.len == 0)
			continue;	/* the ::/0 route is f->base */
		i = route_hash(e->key.hi, e->key.lo, e->key.len, f->shift);
		while (f->slots[i].len != 0)
			i = (i + 1) & f->mask;
		f->slots[i].hi = e->key.hi;
		f->slots[i].lo = e->key.lo;
		f->slots[i].len = e->key.len;
		f->slots[i].best = route_v6_best(f, all, level_of, &e->key);
		f->n_slots_used++;
	}
}

enum route_error route_table_build(struct route_table *t, const struct route *routes,
				   uint32_t n, uint32_t bad[2])
{
	g_autoptr(GHashTable) all4 = g_hash_table_new_full(route_key_hash, route_key_equal,
							    NULL, g_free);
	g_autoptr(GHashTable) all6 = g_hash_table_new_full(route_key_hash, route_key_equal,
							    NULL, g_free);
	g_autoptr(GPtrArray) reals4 = g_ptr_array_new();
	g_autoptr(GPtrArray) reals6 = g_ptr_array_new();
	enum route_error err;

	route_table_init(t);
	for (uint32_t i = 0; i < n; i++) {
		const struct route *r = &routes[i];

		if (!((r->family == 4 && r->len <= 32) || (r->family == 6 && r->len <= 128)) ||
		    r->value >= ROUTE_VALUE_LIMIT) {
			if (bad)
				bad[0] = bad[1] = i;
			return ROUTE_ERR_INVALID;
		}
	}
	err = route_collect(4, routes, n, all4, reals4, bad);
	if (err == ROUTE_OK)
		err = route_collect(6, routes, n, all6, reals6, bad);
	if (err != ROUTE_OK)
		return err;
	route_v4_build(&t->v4, reals4);
	route_v6_build(&t->v6, all6, reals6);
	return ROUTE_OK;
}
