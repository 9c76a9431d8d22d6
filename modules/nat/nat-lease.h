/* SPDX-License-Identifier: MIT
 * nat-lease.h - Port-forward leases granted by NAT-PMP and PCP, their policy and expiry
 *
 * One table both protocols share: a NAT-PMP mapping request and a PCP MAP for
 * the same (client, protocol, internal port) are the same lease. A lease is a
 * mapping the NAT core made with nat_core_ops.map() and a lifetime; the table
 * checks the policy before asking, refreshes on renewal and calls unmap()
 * exactly once when the lease is deleted, expires or the table is flushed.
 * Time is the caller's clock in nanoseconds (a fake clock in the tests).
 *
 * Context: the owner's context (single-threaded, cold path: a linear table).
 */
#ifndef PK_NAT_LEASE_H
#define PK_NAT_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat-core-ops.h"

#define NAT_LEASE_MAX_PREFIXES 8
#define NAT_LEASE_MAX_RANGES 8
#define NAT_LEASE_NONCE_LEN 12

#define NAT_LEASE_DEFAULT_MAX_LEASES 256u
#define NAT_LEASE_DEFAULT_MAX_LIFETIME 86400u /* s: PCP's suggested ceiling (RFC 6887 §15) */
#define NAT_LEASE_DEFAULT_MIN_LIFETIME 120u   /* s: PCP's floor for MAP/PEER (RFC 6887 §15) */

/* An IPv4 prefix: @addr network byte order, @len 0..32. */
struct nat_lease_prefix {
	uint32_t addr;
	uint8_t len;
};

/* An inclusive range of outside ports, host byte order, 1 <= first <= last. */
struct nat_lease_ports {
	uint16_t first;
	uint16_t last;
};

/**
 * struct nat_lease_policy - What clients may ask for
 * @inside:		Prefixes of the inside addresses that may hold leases
 * @n_inside:		Entries in @inside; 0: any address
 * @ports:		Outside ports a lease may use
 * @n_ports:		Entries in @ports; 0: any port 1..65535
 * @max_per_client:	Leases one inside address may hold; 0: no limit
 * @max_leases:		Capacity of the table; 0: NAT_LEASE_DEFAULT_MAX_LEASES
 * @max_lifetime_s:	Longest lease granted; 0: NAT_LEASE_DEFAULT_MAX_LIFETIME
 * @min_lifetime_s:	Shortest PCP lease granted; 0: NAT_LEASE_DEFAULT_MIN_LIFETIME
 * @allow_third_party:	PCP THIRD_PARTY (a client asking for another address) accepted
 */
struct nat_lease_policy {
	struct nat_lease_prefix inside[NAT_LEASE_MAX_PREFIXES];
	unsigned n_inside;
	struct nat_lease_ports ports[NAT_LEASE_MAX_RANGES];
	unsigned n_ports;
	unsigned max_per_client;
	unsigned max_leases;
	uint32_t max_lifetime_s;
	uint32_t min_lifetime_s;
	bool allow_third_party;
};

/* Who made a lease (the last protocol to renew it). */
enum nat_lease_kind {
	NAT_LEASE_PMP = 1, /* NAT-PMP mapping request */
	NAT_LEASE_MAP,	   /* PCP MAP */
	NAT_LEASE_PEER,	   /* PCP PEER (a MAP or NAT-PMP renewal makes it a MAP) */
};

/**
 * struct nat_lease - One granted port forward
 * @client:	Inside address, network byte order
 * @int_port:	Inside port, host order
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @kind:	enum nat_lease_kind
 * @has_nonce:	@nonce is set (the lease was made or renewed by PCP)
 * @nonce:	PCP mapping nonce; a PCP renewal must carry the same one
 * @outside:	Outside endpoint the core gave
 * @lifetime_s:	Lifetime last granted
 * @expires:	Clock time (ns) the lease ends
 */
struct nat_lease {
	uint32_t client;
	uint16_t int_port;
	uint8_t proto;
	uint8_t kind;
	bool has_nonce;
	uint8_t nonce[NAT_LEASE_NONCE_LEN];
	struct nat_endpoint4 outside;
	uint32_t lifetime_s;
	uint64_t expires;
};

/**
 * struct nat_lease_table - The leases and the policy that bounds them
 * @policy:	Copy of the policy, defaults filled in
 * @ops:	The NAT core's operations
 * @core:	Their opaque first argument
 * @v:		@policy.max_leases slots, @n of them in use (dense, unordered)
 * @n:		Leases in use
 */
struct nat_lease_table {
	struct nat_lease_policy policy;
	const struct nat_core_ops *ops;
	void *core;
	struct nat_lease *v;
	unsigned n;
};

/* Why a grant failed (each protocol turns it into its result code). */
enum nat_lease_status {
	NAT_LEASE_OK = 0,
	NAT_LEASE_DENIED,	    /* inside address or port outside the policy */
	NAT_LEASE_QUOTA,	    /* the client holds max_per_client leases */
	NAT_LEASE_NO_RESOURCES,	    /* table full, core full, no allowed port free */
	NAT_LEASE_PORT_UNAVAILABLE, /* exact port asked for and not available */
	NAT_LEASE_UNSUPPORTED,	    /* the core does not translate this protocol/endpoint */
};

/**
 * struct nat_lease_req - A request to create or renew a lease
 * @client:	Inside address, network order
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @int_port:	Inside port (non-zero)
 * @want_port:	Outside port suggested; 0: none (the inside port is tried)
 * @exact:	Fail with NAT_LEASE_PORT_UNAVAILABLE rather than give another port
 * @lifetime_s:	Lifetime granted (already clamped by the protocol; non-zero)
 * @kind:	enum nat_lease_kind of the requester
 * @nonce:	PCP nonce, or NULL (NAT-PMP)
 */
struct nat_lease_req {
	uint32_t client;
	uint8_t proto;
	uint16_t int_port;
	uint16_t want_port;
	bool exact;
	uint32_t lifetime_s;
	uint8_t kind;
	const uint8_t *nonce;
};

/**
 * nat_lease_table_init() - Make an empty table
 * @t:		Table
 * @policy:	Policy (copied; zero fields take their defaults)
 * @ops:	NAT core operations (borrowed; must outlive the table)
 * @core:	Their first argument
 *
 * Context: owner context.
 */
void nat_lease_table_init(struct nat_lease_table *t, const struct nat_lease_policy *policy,
			  const struct nat_core_ops *ops, void *core);

/**
 * nat_lease_table_clear() - Unmap every lease and free the table's memory
 * @t:	Table (may be used again only after nat_lease_table_init())
 *
 * Context: owner context.
 */
void nat_lease_table_clear(struct nat_lease_table *t);

/**
 * nat_lease_inside_allowed() - Whether the policy lets @client hold leases
 * @t:		Table
 * @client:	Inside address, network order
 *
 * Context: owner context. Return: true if allowed.
 */
bool nat_lease_inside_allowed(const struct nat_lease_table *t, uint32_t client);

/**
 * nat_lease_port_allowed() - Whether the policy lets a lease use outside @port
 * Context: owner context. Return: true if allowed.
 */
bool nat_lease_port_allowed(const struct nat_lease_table *t, uint16_t port);

/**
 * nat_lease_find() - The lease of (@client, @proto, @int_port)
 * Context: owner context. Return: the lease (owned by @t, valid until the
 * next call that adds or removes one) or NULL.
 */
struct nat_lease *nat_lease_find(struct nat_lease_table *t, uint32_t client, uint8_t proto,
				 uint16_t int_port);

/**
 * nat_lease_count_client() - Leases @client holds
 * Context: owner context.
 */
unsigned nat_lease_count_client(const struct nat_lease_table *t, uint32_t client);

/**
 * nat_lease_grant() - Create a lease or renew the existing one
 * @t:		Table
 * @r:		Request (policy checks are done here: inside prefix, quota, ports)
 * @now:	Clock (ns)
 * @out:	(out) the lease on NAT_LEASE_OK
 *
 * A renewal keeps the outside port already given (@r->want_port is then
 * ignored, as both protocols ask) and refreshes the core's mapping with the
 * new lifetime. The caller has checked the nonce of an existing lease.
 *
 * Context: owner context. Return: NAT_LEASE_OK or why not.
 */
enum nat_lease_status nat_lease_grant(struct nat_lease_table *t, const struct nat_lease_req *r,
				      uint64_t now, struct nat_lease **out);

/**
 * nat_lease_remove() - Delete a lease: unmap() its mapping, free its slot
 * @t:	Table
 * @l:	A lease of @t (invalid afterwards, as are other lease pointers)
 *
 * Context: owner context.
 */
void nat_lease_remove(struct nat_lease_table *t, struct nat_lease *l);

/**
 * nat_lease_next_expiry() - When the first lease ends
 * Context: owner context. Return: clock time (ns), UINT64_MAX with no lease.
 */
uint64_t nat_lease_next_expiry(const struct nat_lease_table *t);

/**
 * nat_lease_expire() - Remove (and unmap) every lease whose time has come
 * @t:		Table
 * @now:	Clock (ns); a lease ends when @now >= its expiry
 *
 * Context: owner context. Return: leases removed.
 */
unsigned nat_lease_expire(struct nat_lease_table *t, uint64_t now);

/**
 * nat_lease_flush() - Remove (and unmap) every lease, keep the table
 * Context: owner context. Return: leases removed.
 */
unsigned nat_lease_flush(struct nat_lease_table *t);

#endif /* PK_NAT_LEASE_H */
