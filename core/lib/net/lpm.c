// SPDX-License-Identifier: MIT
/* lpm.c - Longest-prefix match for IPv4 and IPv6: building the tables, looking up (see toolkit/lpm.h) */
#include <string.h>
#include <glib.h>

#include <pktkit/addr.h>
#include <pktkit/error.h>
#include <pktkit/toolkit/lpm.h>

/* The same bytes as struct pk_prefix, then the value. */
G_STATIC_ASSERT(offsetof(struct pk_lpm_route, addr) == offsetof(struct pk_prefix, addr));
G_STATIC_ASSERT(sizeof(struct pk_lpm_route) == 24);

/* IPv4 trie entries: bit 31 links to a chunk, otherwise value + 1 (0: none). */
#define LPM_DIR_CHILD 0x80000000u
G_STATIC_ASSERT(PK_LPM_VALUE_MAX + 1 < LPM_DIR_CHILD);

/**
 * struct lpm_v4 - IPv4 table: DIR-16-8-8
 * @tbl16:	65536 entries indexed by the top 16 bits; NULL when no route is
 *		longer than /0
 * @chunks:	@n_chunks chunks of 256 entries (second and third level)
 * @n_chunks:	Chunks in use
 * @base:	Value of the 0.0.0.0/0 route, or PK_LPM_NONE (used without @tbl16)
 * @n_routes:	Distinct routes
 */
struct lpm_v4 {
	uint32_t *tbl16;
	uint32_t *chunks;
	uint32_t n_chunks;
	uint32_t base;
	uint32_t n_routes;
};

/* One IPv6 hash slot: a route or a marker; @len 0 marks a free slot. */
struct lpm_slot {
	uint64_t hi;
	uint64_t lo;
	uint32_t best;
	uint32_t len;
};

/* One distinct IPv6 prefix length and its netmask. */
struct lpm_level {
	uint64_t mask_hi;
	uint64_t mask_lo;
	uint32_t len;
};

/**
 * struct lpm_v6 - IPv6 table: binary search on lengths
 * @slots:	Hash slots (power of two), NULL when no route is longer than /0
 * @mask:	Number of slots - 1
 * @shift:	64 - log2(number of slots)
 * @n_levels:	Distinct prefix lengths > 0 present
 * @levels:	Those lengths, ascending, with their netmasks
 * @base:	Value of the ::/0 route, or PK_LPM_NONE
 * @n_routes:	Distinct routes
 * @n_slots_used:	Routes plus markers in @slots
 */
struct lpm_v6 {
	struct lpm_slot *slots;
	uint32_t mask;
	uint32_t shift;
	uint32_t n_levels;
	struct lpm_level levels[128];
	uint32_t base;
	uint32_t n_routes;
	uint32_t n_slots_used;
};

/* Both families. */
struct pk_lpm {
	struct lpm_v4 v4;
	struct lpm_v6 v6;
};

static inline uint32_t lpm_hash(uint64_t hi, uint64_t lo, uint32_t len, uint32_t shift)
{
	uint64_t x = hi ^ (lo * UINT64_C(0xc2b2ae3d27d4eb4f)) ^ len;

	return (uint32_t)((x * UINT64_C(0x9e3779b97f4a7c15)) >> shift);
}

static inline uint64_t lpm_load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Lookups ---------------------------------------------------------------- */

uint32_t pk_lpm_lookup4(const struct pk_lpm *lpm, const uint8_t addr[4])
{
	const struct lpm_v4 *f;
	uint32_t e;

	if (G_UNLIKELY(!lpm))
		return PK_LPM_NONE;
	f = &lpm->v4;
	if (G_UNLIKELY(!f->tbl16))
		return f->base;
	e = f->tbl16[(uint32_t)addr[0] << 8 | addr[1]];
	if (e & LPM_DIR_CHILD) {
		e = f->chunks[(size_t)(e & ~LPM_DIR_CHILD) << 8 | addr[2]];
		if (e & LPM_DIR_CHILD)
			e = f->chunks[(size_t)(e & ~LPM_DIR_CHILD) << 8 | addr[3]];
	}
	return e - 1; /* 0 (none) wraps to PK_LPM_NONE */
}

uint32_t pk_lpm_lookup6(const struct pk_lpm *lpm, const uint8_t addr[16])
{
	const struct lpm_v6 *f;
	uint64_t hi, lo;
	uint32_t best;
	int l = 0, h;

	if (G_UNLIKELY(!lpm))
		return PK_LPM_NONE;
	f = &lpm->v6;
	hi = lpm_load_be64(addr);
	lo = lpm_load_be64(addr + 8);
	best = f->base;
	h = (int)f->n_levels - 1;
	while (l <= h) {
		int m = (l + h) >> 1;
		const struct lpm_level *lv = &f->levels[m];
		uint64_t mh = hi & lv->mask_hi, ml = lo & lv->mask_lo;
		uint32_t i = lpm_hash(mh, ml, lv->len, f->shift);
		const struct lpm_slot *s;

		for (;; i = (i + 1) & f->mask) {
			s = &f->slots[i];
			if (s->len == 0 || (s->hi == mh && s->lo == ml && s->len == lv->len))
				break;
		}
		if (s->len != 0) {
			best = s->best;
			l = m + 1;
		} else {
			h = m - 1;
		}
	}
	return best;
}

uint32_t pk_lpm_lookup(const struct pk_lpm *lpm, uint8_t family, const uint8_t *addr)
{
	if (family == 4)
		return pk_lpm_lookup4(lpm, addr);
	if (family == 6)
		return pk_lpm_lookup6(lpm, addr);
	return PK_LPM_NONE;
}

size_t pk_lpm_n_routes(const struct pk_lpm *lpm, uint8_t family)
{
	if (!lpm)
		return 0;
	switch (family) {
	case 4:
		return lpm->v4.n_routes;
	case 6:
		return lpm->v6.n_routes;
	case 0:
		return (size_t)lpm->v4.n_routes + lpm->v6.n_routes;
	default:
		return 0;
	}
}

size_t pk_lpm_memory(const struct pk_lpm *lpm)
{
	size_t bytes;

	if (!lpm)
		return 0;
	bytes = sizeof(*lpm);
	if (lpm->v4.tbl16)
		bytes += 65536 * sizeof(uint32_t);
	bytes += (size_t)lpm->v4.n_chunks * 256 * sizeof(uint32_t);
	if (lpm->v6.slots)
		bytes += ((size_t)lpm->v6.mask + 1) * sizeof(struct lpm_slot);
	return bytes;
}

/* Building --------------------------------------------------------------- */
/* A prefix while building: masked address and length. */
struct lpm_key {
	uint64_t hi;
	uint64_t lo;
	uint32_t len;
};

/* A hash entry while building: a real route or a marker. */
struct lpm_build_entry {
	struct lpm_key key;
	uint32_t value; /* real routes only */
	bool real;
	size_t first; /* real routes: index of the first route giving it */
};

static guint lpm_key_hash(gconstpointer p)
{
	const struct lpm_key *k = p;

	return lpm_hash(k->hi, k->lo, k->len, 32);
}

static gboolean lpm_key_equal(gconstpointer a, gconstpointer b)
{
	const struct lpm_key *x = a, *y = b;

	return x->hi == y->hi && x->lo == y->lo && x->len == y->len;
}

static uint64_t lpm_mask_hi(uint32_t len)
{
	if (len == 0)
		return 0;
	return len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - len);
}

static uint64_t lpm_mask_lo(uint32_t len)
{
	return len <= 64 ? 0 : UINT64_MAX << (128 - len);
}

static struct lpm_key lpm_key_masked(uint64_t hi, uint64_t lo, uint32_t len)
{
	struct lpm_key k = { hi & lpm_mask_hi(len), lo & lpm_mask_lo(len), len };

	return k;
}

static struct lpm_key lpm_key_of(const struct pk_lpm_route *r)
{
	uint64_t hi, lo = 0;

	if (r->family == 4) {
		hi = (uint64_t)r->addr[0] << 56 | (uint64_t)r->addr[1] << 48 |
		     (uint64_t)r->addr[2] << 40 | (uint64_t)r->addr[3] << 32;
	} else {
		hi = lpm_load_be64(r->addr);
		lo = lpm_load_be64(r->addr + 8);
	}
	return lpm_key_masked(hi, lo, r->len);
}

/* Add (or find) the entry for @key in @all. */
static struct lpm_build_entry *lpm_build_add(GHashTable *all, struct lpm_key key)
{
	struct lpm_build_entry *e = g_hash_table_lookup(all, &key);

	if (!e) {
		e = g_new0(struct lpm_build_entry, 1);
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
static bool lpm_collect(uint8_t family, const struct pk_lpm_route *routes, size_t n,
			GHashTable *all, GPtrArray *reals, size_t bad[2], GError **error)
{
	for (size_t i = 0; i < n; i++) {
		const struct pk_lpm_route *r = &routes[i];
		struct lpm_build_entry *e;

		if (r->family != family)
			continue;
		e = lpm_build_add(all, lpm_key_of(r));
		if (e->real) {
			if (e->value != r->value) {
				const struct pk_lpm_route *prev = &routes[e->first];
				struct pk_prefix p = { r->family, r->len, { 0 } };
				char text[PK_PREFIX_STRLEN];

				memcpy(p.addr, r->addr, sizeof(p.addr));
				pk_prefix_format(&p, text);
				if (bad) {
					bad[0] = i;
					bad[1] = e->first;
				}
				g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
					    "routes[%zu]: %s has value %u, but routes[%zu] gave it "
					    "value %u",
					    i, text, (unsigned int)r->value, e->first,
					    (unsigned int)prev->value);
				return false;
			}
			continue;
		}
		e->real = true;
		e->value = r->value;
		e->first = i;
		g_ptr_array_add(reals, e);
	}
	return true;
}

/* IPv4: DIR-16-8-8 -------------------------------------------------------- */

static gint lpm_cmp_len(gconstpointer a, gconstpointer b)
{
	const struct lpm_build_entry *x = *(const struct lpm_build_entry *const *)a;
	const struct lpm_build_entry *y = *(const struct lpm_build_entry *const *)b;

	return (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

/*
 * The chunk an entry links to, made if the entry holds an answer: the new
 * chunk repeats that answer in all 256 entries. @table is &f->tbl16 or
 * &f->chunks, read again after f->chunks may have moved.
 */
static uint32_t lpm_v4_descend(struct lpm_v4 *f, uint32_t *const *table, size_t slot,
			       uint32_t *alloc)
{
	uint32_t e = (*table)[slot], idx;

	if (e & LPM_DIR_CHILD)
		return e & ~LPM_DIR_CHILD;
	if (f->n_chunks == *alloc) {
		*alloc = MAX(16u, *alloc * 2);
		f->chunks = g_renew(uint32_t, f->chunks, (gsize)*alloc << 8);
	}
	idx = f->n_chunks++;
	for (uint32_t i = 0; i < 256; i++)
		f->chunks[((size_t)idx << 8) + i] = e;
	(*table)[slot] = LPM_DIR_CHILD | idx;
	return idx;
}

static void lpm_v4_build(struct lpm_v4 *f, GPtrArray *reals)
{
	uint32_t alloc = 0;

	f->n_routes = reals->len;
	for (guint r = 0; r < reals->len; r++) {
		const struct lpm_build_entry *e = g_ptr_array_index(reals, r);

		if (e->key.len == 0)
			f->base = e->value;
	}
	if (reals->len == 0 || (reals->len == 1 && f->base != PK_LPM_NONE))
		return; /* nothing or only a default route: no trie needed */
	/* Shorter routes first: longer ones then overwrite what they cover.
	 * A range being filled never holds a chunk link, since links are only
	 * made by routes longer than the level the range is in. */
	g_ptr_array_sort(reals, lpm_cmp_len);
	f->tbl16 = g_new0(uint32_t, 65536);
	for (guint r = 0; r < reals->len; r++) {
		const struct lpm_build_entry *e = g_ptr_array_index(reals, r);
		uint32_t a = (uint32_t)(e->key.hi >> 32), len = e->key.len, v = e->value + 1;
		uint32_t *dst;
		size_t first, count;

		if (len <= 16) {
			dst = f->tbl16;
			first = a >> 16;
			count = (size_t)1 << (16 - len);
		} else {
			uint32_t c = lpm_v4_descend(f, &f->tbl16, a >> 16, &alloc);

			if (len <= 24) {
				first = ((size_t)c << 8) | ((a >> 8) & 0xff);
				count = (size_t)1 << (24 - len);
			} else {
				c = lpm_v4_descend(f, &f->chunks,
						   ((size_t)c << 8) | ((a >> 8) & 0xff), &alloc);
				first = ((size_t)c << 8) | (a & 0xff);
				count = (size_t)1 << (32 - len);
			}
			dst = f->chunks;
		}
		for (size_t i = 0; i < count; i++)
			dst[first + i] = v;
	}
	/* The table lives long: give back what the doubling reserved. */
	if (f->n_chunks < alloc)
		f->chunks = g_renew(uint32_t, f->chunks, (gsize)f->n_chunks << 8);
}

/* IPv6: binary search on lengths --------------------------------------- */

/* Value of the longest real route covering @key (lengths <= key->len), or the base. */
static uint32_t lpm_v6_best(const struct lpm_v6 *f, GHashTable *all, const int *level_of,
			    const struct lpm_key *key)
{
	for (int i = level_of[key->len]; i >= 0; i--) {
		struct lpm_key k = lpm_key_masked(key->hi, key->lo, f->levels[i].len);
		const struct lpm_build_entry *e = g_hash_table_lookup(all, &k);

		if (e && e->real)
			return e->value;
	}
	return f->base;
}

static void lpm_v6_build(struct lpm_v6 *f, GHashTable *all, GPtrArray *reals)
{
	bool present[129] = { false };
	int level_of[129];
	GHashTableIter it;
	gpointer v;
	uint32_t bits = 3;

	f->n_routes = reals->len;
	for (guint r = 0; r < reals->len; r++) {
		const struct lpm_build_entry *e = g_ptr_array_index(reals, r);

		if (e->key.len == 0)
			f->base = e->value;
		else
			present[e->key.len] = true;
	}
	/* Distinct lengths, ascending; level_of maps any length to the index of
	 * the longest present length <= it (-1 if none). */
	for (uint32_t len = 0; len <= 128; len++) {
		if (len > 0 && present[len]) {
			struct lpm_level *lv = &f->levels[f->n_levels++];

			lv->len = len;
			lv->mask_hi = lpm_mask_hi(len);
			lv->mask_lo = lpm_mask_lo(len);
		}
		level_of[len] = (int)f->n_levels - 1;
	}
	if (f->n_levels == 0)
		return;

	/* Markers on the binary-search path to each route's length. */
	for (guint r = 0; r < reals->len; r++) {
		const struct lpm_build_entry *e = g_ptr_array_index(reals, r);
		int target = level_of[e->key.len], l = 0, h = (int)f->n_levels - 1;
		struct lpm_key key = e->key;

		if (key.len == 0)
			continue;
		while (l <= h) {
			int m = (l + h) >> 1;

			if (m == target)
				break;
			if (m < target) {
				lpm_build_add(all,
					      lpm_key_masked(key.hi, key.lo, f->levels[m].len));
				l = m + 1;
			} else {
				h = m - 1;
			}
		}
	}

	/* The hash table proper, at most half full. */
	while ((1u << bits) < g_hash_table_size(all) * 2)
		bits++;
	f->slots = g_new0(struct lpm_slot, (gsize)1 << bits);
	f->mask = (1u << bits) - 1;
	f->shift = 64 - bits;
	g_hash_table_iter_init(&it, all);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct lpm_build_entry *e = v;
		uint32_t i;

		if (e->key.len == 0)
			continue; /* the ::/0 route is f->base */
		i = lpm_hash(e->key.hi, e->key.lo, e->key.len, f->shift);
		while (f->slots[i].len != 0)
			i = (i + 1) & f->mask;
		f->slots[i].hi = e->key.hi;
		f->slots[i].lo = e->key.lo;
		f->slots[i].len = e->key.len;
		f->slots[i].best = lpm_v6_best(f, all, level_of, &e->key);
		f->n_slots_used++;
	}
}

/* Whether @r is a route pk_lpm_build() accepts. */
static bool lpm_route_valid(const struct pk_lpm_route *r)
{
	return ((r->family == 4 && r->len <= 32) || (r->family == 6 && r->len <= 128)) &&
	       r->value <= PK_LPM_VALUE_MAX;
}

struct pk_lpm *pk_lpm_build(const struct pk_lpm_route *routes, size_t n, size_t bad[2],
			    GError **error)
{
	g_autoptr(GHashTable) all4 = NULL;
	g_autoptr(GHashTable) all6 = NULL;
	g_autoptr(GPtrArray) reals4 = NULL;
	g_autoptr(GPtrArray) reals6 = NULL;
	struct pk_lpm *lpm;

	g_return_val_if_fail(routes || n == 0, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct pk_lpm_route *r = &routes[i];

		if (!lpm_route_valid(r)) {
			if (bad)
				bad[0] = bad[1] = i;
			g_set_error(
				error, PK_ERROR, PK_ERROR_INVALID,
				"routes[%zu]: not a valid route (family %u, length %u, value %u)",
				i, r->family, r->len, (unsigned int)r->value);
			return NULL;
		}
	}
	all4 = g_hash_table_new_full(lpm_key_hash, lpm_key_equal, NULL, g_free);
	all6 = g_hash_table_new_full(lpm_key_hash, lpm_key_equal, NULL, g_free);
	reals4 = g_ptr_array_new();
	reals6 = g_ptr_array_new();
	if (!lpm_collect(4, routes, n, all4, reals4, bad, error) ||
	    !lpm_collect(6, routes, n, all6, reals6, bad, error))
		return NULL;
	lpm = g_new0(struct pk_lpm, 1);
	lpm->v4.base = PK_LPM_NONE;
	lpm->v6.base = PK_LPM_NONE;
	lpm_v4_build(&lpm->v4, reals4);
	lpm_v6_build(&lpm->v6, all6, reals6);
	return lpm;
}

void pk_lpm_free(struct pk_lpm *lpm)
{
	if (!lpm)
		return;
	g_free(lpm->v4.tbl16);
	g_free(lpm->v4.chunks);
	g_free(lpm->v6.slots);
	g_free(lpm);
}
