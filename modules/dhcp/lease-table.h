/* SPDX-License-Identifier: MIT
 * lease-table.h - Bounded table of DHCP leases, indexed by client MAC and by address
 */
#ifndef DHCP_LEASE_TABLE_H
#define DHCP_LEASE_TABLE_H

#include <pktkit/pktkit.h>

#define LEASE_HOSTNAME_MAX 64	/* bytes with the NUL */

enum lease_state {
	LEASE_OFFERED = 1,	/* held for a client between OFFER and REQUEST */
	LEASE_BOUND,		/* acknowledged */
	LEASE_DECLINED,		/* a client said the address is in use: blocked */
};

/**
 * struct lease - One address the server has handed out or blocked
 * @ip:		Address, host order
 * @mac:	Client hardware address (zero for LEASE_DECLINED)
 * @state:	enum lease_state
 * @expires:	Device-clock time (ns) the entry stops holding the address
 * @hostname:	Client host name (option 12), sanitised; "" if none
 * @mac_key:	Internal: key of the MAC index (lease_mac_key(@mac))
 * @slot:	Internal: index of the entry in its table
 */
struct lease {
	uint64_t mac_key;
	uint32_t slot;
	uint32_t ip;
	struct pk_mac mac;
	uint8_t state;
	uint64_t expires;
	char hostname[LEASE_HOSTNAME_MAX];
};

/* Entries are allocated this many at a time, as the table fills. */
#define LEASE_CHUNK 32u

/**
 * struct lease_table - At most @max leases; memory follows the entries in use
 * @chunks:	Storage, LEASE_CHUNK entries each, allocated on first use
 *		(entries never move: pointers to them stay valid)
 * @max:	Capacity
 * @n:		Leases in use
 * @free:	Indexes of slots used before and free again (stack)
 * @n_free:	Entries that can still be added: those on @free plus the
 *		never-used slots from @next_new to @max
 * @by_ip:	ip -> struct lease *
 * @by_mac:	48-bit MAC as uint64 -> struct lease * (DECLINED entries excluded)
 * @next_new:	First never-used slot; slots below it are allocated
 * @free_len:	Entries on @free
 * @free_cap:	Room on @free
 */
struct lease_table {
	struct lease **chunks;
	uint32_t max;
	uint32_t n;
	uint32_t *free;
	uint32_t n_free;
	GHashTable *by_ip;
	GHashTable *by_mac;
	uint32_t next_new;
	uint32_t free_len;
	uint32_t free_cap;
};

/**
 * lease_table_init() - Make an empty table for at most @max entries
 * @t:		Table
 * @max:	Capacity (1..65536)
 *
 * Storage is allocated LEASE_CHUNK entries at a time as leases are added,
 * and given back by lease_table_clear().
 *
 * Context: owner context (cold).
 */
void lease_table_init(struct lease_table *t, uint32_t max);

/**
 * lease_table_free() - Free what lease_table_init() allocated
 * @t:	Table (may be zeroed)
 *
 * Context: owner context (cold).
 */
void lease_table_free(struct lease_table *t);

/**
 * lease_table_clear() - Forget every entry and free their storage
 * @t:	Table
 *
 * Context: owner context (cold).
 */
void lease_table_clear(struct lease_table *t);

/**
 * lease_table_by_ip() - The entry holding an address
 * @t:	Table
 * @ip:	Address, host order
 *
 * Context: owner context.
 * Return: the entry or NULL.
 */
struct lease *lease_table_by_ip(const struct lease_table *t, uint32_t ip);

/**
 * lease_table_by_mac() - The (offered or bound) entry of a client
 * @t:		Table
 * @mac:	Client hardware address
 *
 * Context: owner context.
 * Return: the entry or NULL; declined entries are never returned.
 */
struct lease *lease_table_by_mac(const struct lease_table *t, const struct pk_mac *mac);

/**
 * lease_table_add() - Add an entry
 * @t:		Table
 * @ip:		Address, host order
 * @mac:	Owner, or NULL (declined addresses)
 * @state:	enum lease_state
 * @expires:	Device-clock time the entry ends
 *
 * Context: owner context.
 * Return: the new entry, or NULL if the table is full or @ip is taken.
 */
struct lease *lease_table_add(struct lease_table *t, uint32_t ip, const struct pk_mac *mac,
			      enum lease_state state, uint64_t expires);

/**
 * lease_table_remove() - Remove an entry
 * @t:	Table
 * @l:	Entry of @t
 *
 * Context: owner context.
 */
void lease_table_remove(struct lease_table *t, struct lease *l);

/**
 * lease_table_set_mac() - Change the owner of an entry (the MAC index follows)
 * @t:		Table
 * @l:		Entry
 * @mac:	New owner, or NULL for none
 *
 * Context: owner context.
 */
void lease_table_set_mac(struct lease_table *t, struct lease *l, const struct pk_mac *mac);

/**
 * lease_table_expire() - Remove the entries whose time is up
 * @t:		Table
 * @now:	Device-clock time; entries with expires <= @now go
 * @n_bound:	Out, may be NULL: how many of them were LEASE_BOUND
 *
 * Context: owner context.
 * Return: entries removed.
 */
uint32_t lease_table_expire(struct lease_table *t, uint64_t now, uint32_t *n_bound);

/**
 * lease_table_next_expiry() - The soonest expiry of any entry
 * @t:	Table
 *
 * Context: owner context.
 * Return: a device-clock time, or UINT64_MAX if the table is empty.
 */
uint64_t lease_table_next_expiry(const struct lease_table *t);

/**
 * lease_table_first() - Start iterating over the entries
 * @t:		Table
 * @cursor:	Iteration state
 *
 * for (l = lease_table_first(t, &i); l; l = lease_table_next(t, &i)); do not
 * add entries while iterating (removing the current one is fine).
 *
 * Context: owner context.
 * Return: the first entry or NULL.
 */
struct lease *lease_table_first(const struct lease_table *t, uint32_t *cursor);

/**
 * lease_table_next() - Continue iterating
 * @t:		Table
 * @cursor:	Iteration state from lease_table_first()
 *
 * Context: owner context.
 * Return: the next entry or NULL.
 */
struct lease *lease_table_next(const struct lease_table *t, uint32_t *cursor);

/* The key of the MAC index: the 48 bits of @m plus bit 48, so never 0. */
static inline uint64_t lease_mac_key(const struct pk_mac *m)
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = k << 8 | m->b[i];
	return k | (UINT64_C(1) << 48);	/* never 0 */
}

#endif /* DHCP_LEASE_TABLE_H */
