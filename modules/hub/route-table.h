/* SPDX-License-Identifier: MIT
 * route-table.h - Longest-prefix match for IPv4 and IPv6 (l3.router's forwarding table)
 *
 * Pure data structure: built once from a list of routes on the control path,
 * then read-only; lookups never allocate. One structure per family:
 *
 * IPv4: a DIR-16-8-8 multibit trie (Gupta, Lin, McKeown, "Routing Lookups in
 * Hardware at Memory Access Speeds", INFOCOM 1998; the layout of DPDK's
 * rte_lpm). A 65536-entry table indexed by the top 16 address bits holds
 * either the answer or a link to a 256-entry chunk for the next 8 bits, whose
 * entries again hold an answer or a link to a chunk for the last 8 bits.
 * Routes are expanded into every entry they cover ("leaf pushing", shorter
 * routes first so longer ones overwrite them), so a lookup is 1 to 3 array
 * reads with no comparisons: 1 for addresses only covered by routes of /16
 * or shorter. Memory: 256 KiB plus 1 KiB per /16 holding longer routes and
 * per /24 holding routes longer than /24.
 *
 * IPv6: binary search on prefix lengths (Waldvogel, Varghese, Turner,
 * Plattner, "Scalable High Speed IP Routing Lookups", SIGCOMM 1997). One
 * open-addressing hash table holds every route, keyed by (length, masked
 * address), plus "markers": copies of a route cut to the lengths a binary
 * search over the sorted distinct lengths visits before reaching the route's
 * own length. Every entry stores the value of the longest real route covering
 * it, so a lookup is
 *
 *	best = value of the ::/0 route (or none)
 *	binary search over the k distinct lengths:
 *		hit  -> best = entry.best, continue with longer lengths
 *		miss -> continue with shorter lengths
 *
 * i.e. at most ceil(log2(k + 1)) hash probes: 1-2 for typical tables (/48,
 * /64, /128), 8 if every length is used. Memory is O(routes * log k).
 */
#ifndef PK_HUB_ROUTE_TABLE_H
#define PK_HUB_ROUTE_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

/* Value of a lookup that matched no route. */
#define ROUTE_NONE UINT32_MAX

/**
 * struct route - One route given to route_table_build()
 * @family:	4 or 6
 * @len:	Prefix length: 0..32 or 0..128
 * @addr:	Address in wire order (IPv4 uses 4 bytes); host bits are ignored
 * @value:	What a lookup returns (e.g. a port); not ROUTE_NONE
 */
struct route {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
	uint32_t value;
};

/* IPv4 trie entries: bit 31 links to a chunk, otherwise value + 1 (0: none). */
#define ROUTE_DIR_CHILD 0x80000000u
/* Values a table can hold: below this. */
#define ROUTE_VALUE_LIMIT 0x7fffffffu

/**
 * struct route_v4 - IPv4 table: DIR-16-8-8
 * @tbl16:	65536 entries indexed by the top 16 bits; NULL when no route is
 *		longer than /0
 * @chunks:	@n_chunks chunks of 256 entries (second and third level)
 * @n_chunks:	Chunks in use
 * @base:	Value of the 0.0.0.0/0 route, or ROUTE_NONE (used without @tbl16)
 * @n_routes:	Distinct routes
 */
struct route_v4 {
	uint32_t *tbl16;
	uint32_t *chunks;
	uint32_t n_chunks;
	uint32_t base;
	uint32_t n_routes;
};

/* One IPv6 hash slot: a route or a marker; @len 0 marks a free slot. */
struct route_slot {
	uint64_t hi;
	uint64_t lo;
	uint32_t best;
	uint32_t len;
};

/* One distinct IPv6 prefix length and its netmask. */
struct route_level {
	uint64_t mask_hi;
	uint64_t mask_lo;
	uint32_t len;
};

/**
 * struct route_v6 - IPv6 table: binary search on lengths
 * @slots:	Hash slots (power of two), NULL when no route is longer than /0
 * @mask:	Number of slots - 1
 * @shift:	64 - log2(number of slots)
 * @n_levels:	Distinct prefix lengths > 0 present
 * @levels:	Those lengths, ascending, with their netmasks
 * @base:	Value of the ::/0 route, or ROUTE_NONE
 * @n_routes:	Distinct routes
 * @n_slots_used:	Routes plus markers in @slots
 */
struct route_v6 {
	struct route_slot *slots;
	uint32_t mask;
	uint32_t shift;
	uint32_t n_levels;
	struct route_level levels[128];
	uint32_t base;
	uint32_t n_routes;
	uint32_t n_slots_used;
};

/* Both families. A zeroed struct is not valid: use route_table_init(). */
struct route_table {
	struct route_v4 v4;
	struct route_v6 v6;
};

/* Why route_table_build() refused a list. */
enum route_error {
	ROUTE_OK = 0,
	ROUTE_ERR_INVALID,	/* bad family, length, or value >= ROUTE_VALUE_LIMIT */
	ROUTE_ERR_DUPLICATE,	/* the same prefix twice with different values */
};

/**
 * route_table_init() - An empty table (every lookup returns ROUTE_NONE)
 * @t:	Table
 *
 * Context: any thread.
 */
void route_table_init(struct route_table *t);

/**
 * route_table_build() - Build a table from a list of routes
 * @t:		Table to fill; on success free it with route_table_free()
 * @routes:	Routes; host bits of each address are ignored
 * @n:		Number of routes
 * @bad:	On failure, the indices of the offending route ([0]) and, for a
 *		duplicate, of the earlier route it repeats ([1]); may be NULL
 *
 * The same prefix given twice with the same value is accepted.
 *
 * Context: cold (allocates).
 * Return: ROUTE_OK, or why the list was refused (@t is then empty).
 */
enum route_error route_table_build(struct route_table *t, const struct route *routes,
				   uint32_t n, uint32_t bad[2]);

/**
 * route_table_free() - Free a built table and make it empty
 * @t:	Table
 *
 * Context: cold.
 */
void route_table_free(struct route_table *t);

/**
 * route_table_lookup4() - Longest-prefix match of an IPv4 address
 * @t:		Table
 * @addr:	Address, wire order
 *
 * Context: any thread, hot path (no allocation).
 * Return: the value of the longest matching route, or ROUTE_NONE.
 */
static inline uint32_t route_table_lookup4(const struct route_table *t, const uint8_t addr[4])
{
	const struct route_v4 *f = &t->v4;
	uint32_t e;

	if (G_UNLIKELY(!f->tbl16))
		return f->base;
	e = f->tbl16[(uint32_t)addr[0] << 8 | addr[1]];
	if (e & ROUTE_DIR_CHILD) {
		e = f->chunks[(size_t)(e & ~ROUTE_DIR_CHILD) << 8 | addr[2]];
		if (e & ROUTE_DIR_CHILD)
			e = f->chunks[(size_t)(e & ~ROUTE_DIR_CHILD) << 8 | addr[3]];
	}
	return e - 1;	/* 0 (none) wraps to ROUTE_NONE */
}

static inline uint32_t route_hash(uint64_t hi, uint64_t lo, uint32_t len, uint32_t shift)
{
	uint64_t x = hi ^ (lo * UINT64_C(0xc2b2ae3d27d4eb4f)) ^ len;

	return (uint32_t)((x * UINT64_C(0x9e3779b97f4a7c15)) >> shift);
}

static inline uint64_t route_load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/**
 * route_table_lookup6() - Longest-prefix match of an IPv6 address
 * @t:		Table
 * @addr:	Address, wire order
 *
 * Context: any thread, hot path (no allocation).
 * Return: the value of the longest matching route, or ROUTE_NONE.
 */
static inline uint32_t route_table_lookup6(const struct route_table *t, const uint8_t addr[16])
{
	const struct route_v6 *f = &t->v6;
	uint64_t hi = route_load_be64(addr), lo = route_load_be64(addr + 8);
	uint32_t best = f->base;
	int l = 0, h = (int)f->n_levels - 1;

	while (l <= h) {
		int m = (l + h) >> 1;
		const struct route_level *lv = &f->levels[m];
		uint64_t mh = hi & lv->mask_hi, ml = lo & lv->mask_lo;
		uint32_t i = route_hash(mh, ml, lv->len, f->shift);
		const struct route_slot *s;

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

#endif /* PK_HUB_ROUTE_TABLE_H */
