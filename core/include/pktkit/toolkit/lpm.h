/* SPDX-License-Identifier: MIT
 * toolkit/lpm.h - Longest-prefix match for IPv4 and IPv6: route tables, allowed-address sets
 *
 * A table maps prefixes (10.0.0.0/8, 2001:db8::/32) to 32-bit values (a port,
 * a peer index, a rule) and answers "which value belongs to the longest
 * prefix containing this address". It is what a router forwards by, what
 * WireGuard's cryptokey routing (AllowedIPs) picks a peer by and checks an
 * inner source address against, and what a NAT matches its rules by.
 *
 * It is a pure data structure: built once from a list of routes on the
 * control path, then immutable; lookups read a few words and never
 * allocate. To change a table, build a new one and swap the pointer. One
 * structure per family:
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
 * per /24 holding routes longer than /24; none for a table whose only IPv4
 * route is 0.0.0.0/0.
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
 *
 * ABI: struct pk_lpm is opaque and the lookups are exported functions, not
 * inline ones. Inlining would freeze the table's layout into every module
 * built against 1.2 (docs/abi.md section 3), and the layout is what a
 * better algorithm would change. The price is one call per lookup (about a
 * nanosecond); callers that see the same address many times in a row (a
 * router within a batch) keep the last answer. Since: 1.2
 */
#ifndef PKTKIT_TOOLKIT_LPM_H
#define PKTKIT_TOOLKIT_LPM_H

#include <pktkit/common.h>

G_BEGIN_DECLS

/* What a lookup returns when no route matches. */
#define PK_LPM_NONE UINT32_MAX
/* The largest value a route may carry (the table keeps one bit for itself). */
#define PK_LPM_VALUE_MAX 0x7ffffffeu

/**
 * struct pk_lpm_route - One route given to pk_lpm_build()
 * @family:	4 or 6
 * @len:	Prefix length: 0..32 (IPv4) or 0..128 (IPv6)
 * @addr:	Address in wire order; IPv4 uses the first 4 bytes. Host bits
 *		(those past @len) are ignored, so an interface address such as
 *		10.0.0.1/24 may be given as it is written.
 * @value:	What a lookup returns: 0..PK_LPM_VALUE_MAX
 *
 * The layout matches struct pk_prefix (<pktkit/addr.h>) followed by the
 * value. It is read by the library and frozen for 1.x: it never grows.
 */
struct pk_lpm_route {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
	uint32_t value;
};

/* A built table (opaque). */
struct pk_lpm;

/**
 * pk_lpm_build() - Build a longest-prefix-match table from a list of routes
 * @routes:	Routes, in any order; only read during the call. May be NULL
 *		when @n is 0.
 * @n:		Number of routes; 0 gives a table in which every lookup
 *		returns PK_LPM_NONE
 * @bad:	Optional (may be NULL). On failure, [0] is the index of the
 *		route refused and [1] the index of the earlier route it
 *		conflicts with (for an invalid route, [1] == [0]).
 * @error:	Return location for a GError, or NULL
 *
 * Duplicates: routes of the same family and length whose addresses agree in
 * the first @len bits are the same prefix. The same prefix given again with
 * the same value is accepted and counted once. Given with another value it
 * is an error (PK_ERROR_EXISTS): the table never picks a winner silently.
 * A caller whose rule is "the last one wins" (WireGuard moving an allowed
 * address from one peer to another) resolves that before building.
 *
 * IPv4 and IPv6 routes are separate: 0.0.0.0/0 never answers for an IPv6
 * address, nor ::/0 for an IPv4 one.
 *
 * Context: any thread; control path (allocates, up to a few hundred KiB
 * for an IPv4 table with routes longer than /0).
 * Return: (transfer full) the table, freed with pk_lpm_free(); NULL with
 * @error set (PK_ERROR_INVALID: a family other than 4 or 6, a length past
 * the family's width, a value above PK_LPM_VALUE_MAX; PK_ERROR_EXISTS: a
 * conflicting duplicate). The message names routes by index ("routes[3]").
 */
struct pk_lpm *pk_lpm_build(const struct pk_lpm_route *routes, size_t n, size_t bad[2],
			    GError **error);

/**
 * pk_lpm_free() - Free a table
 * @lpm:	(transfer full) Table from pk_lpm_build(), or NULL
 *
 * Nobody may be looking up in the table any more: a table shared with other
 * threads is freed only once they have stopped using it.
 *
 * Context: any thread; control path.
 */
void pk_lpm_free(struct pk_lpm *lpm);

/**
 * pk_lpm_lookup4() - Longest-prefix match of an IPv4 address
 * @lpm:	Table; NULL counts as an empty table
 * @addr:	Address, wire order
 *
 * Context: any thread, hot path: no allocation, no lock. A built table is
 * never written again, so any number of threads may look up in it at once
 * while nobody frees it.
 * Return: the value of the longest IPv4 route containing @addr, or
 * PK_LPM_NONE.
 */
uint32_t pk_lpm_lookup4(const struct pk_lpm *lpm, const uint8_t addr[4]);

/**
 * pk_lpm_lookup6() - Longest-prefix match of an IPv6 address
 * @lpm:	Table; NULL counts as an empty table
 * @addr:	Address, wire order
 *
 * Context: any thread, hot path (as pk_lpm_lookup4()).
 * Return: the value of the longest IPv6 route containing @addr, or
 * PK_LPM_NONE.
 */
uint32_t pk_lpm_lookup6(const struct pk_lpm *lpm, const uint8_t addr[16]);

/**
 * pk_lpm_lookup() - Longest-prefix match of an address of either family
 * @lpm:	Table; NULL counts as an empty table
 * @family:	4 or 6 (as in struct pk_prefix); anything else matches nothing
 * @addr:	Address, wire order: 4 or 16 bytes
 *
 * Context: any thread, hot path (as pk_lpm_lookup4()).
 * Return: the value of the longest route of @family containing @addr, or
 * PK_LPM_NONE.
 */
uint32_t pk_lpm_lookup(const struct pk_lpm *lpm, uint8_t family, const uint8_t *addr);

/**
 * pk_lpm_n_routes() - Distinct routes in a table
 * @lpm:	Table; NULL counts as an empty table
 * @family:	4 or 6 for that family's routes, 0 for both
 *
 * Duplicates accepted by pk_lpm_build() count once.
 *
 * Context: any thread.
 * Return: the number of routes.
 */
size_t pk_lpm_n_routes(const struct pk_lpm *lpm, uint8_t family);

/**
 * pk_lpm_memory() - Bytes a table holds
 * @lpm:	Table; NULL counts as an empty table
 *
 * For status displays and benchmarks: the table itself plus its arrays.
 *
 * Context: any thread.
 * Return: the size in bytes.
 */
size_t pk_lpm_memory(const struct pk_lpm *lpm);

G_END_DECLS

#endif /* PKTKIT_TOOLKIT_LPM_H */
