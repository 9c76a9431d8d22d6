/* SPDX-License-Identifier: MIT
 * sock-table.h - Bound-address tables of TCP and UDP: demux keys, ephemeral ports, addresses
 */
#ifndef PKTKIT_VCLIENT_SOCK_TABLE_H
#define PKTKIT_VCLIENT_SOCK_TABLE_H

#include "vclient-private.h"

#define VC_EPHEMERAL_LO 49152u
#define VC_EPHEMERAL_HI 65535u

/* A 4-tuple or a bound (family, address, port): the demux key. */
struct vc_key {
	uint8_t ipv6;
	uint8_t pad;
	uint16_t lport;
	uint16_t rport;
	uint8_t laddr[16];
	uint8_t raddr[16];
};

/* A table of sockets, each keyed by the struct vc_key it starts with (the
 * key pointer is the value: g_hash_table_add()). The hash is seeded once
 * per process, at the first table. */
GHashTable *vc_key_table_new(void);
/* A bound socket's entry in @table: (addr, port) exactly, else (any, port). */
gpointer vc_bound_lookup(GHashTable *table, bool ipv6, const uint8_t *addr, uint16_t port);
/* Set k->lport to a free ephemeral port, starting at a random one. */
bool vc_pick_ephemeral(struct pk_vclient *vc, struct vc_key *k,
		       bool (*is_free)(struct pk_vclient *vc, const struct vc_key *k));
/* The key of a socket bound to @local (one of our addresses or the any
 * address); false with @error if the device is not running or the address
 * is not ours. */
bool vc_bind_key(struct pk_vclient *vc, GSocketAddress *local, struct vc_key *k, uint16_t *port,
		 GError **error);

/* GSocketAddress from and to (family, address, port); @addr is 16 bytes,
 * of which IPv4 uses the first 4 (the rest zeroed by vc_sockaddr_get()). */
GSocketAddress *vc_sockaddr_new(bool ipv6, const uint8_t *addr, uint16_t port);
bool vc_sockaddr_get(GSocketAddress *sa, bool *ipv6, uint8_t *addr, uint16_t *port,
		     GError **error);

#endif /* PKTKIT_VCLIENT_SOCK_TABLE_H */
