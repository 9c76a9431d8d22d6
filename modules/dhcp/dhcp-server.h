/* SPDX-License-Identifier: MIT
 * dhcp-server.h - DHCPv4 server protocol core (sans-I/O): request frame + time -> reply + lease changes
 */
#ifndef DHCP_SERVER_H
#define DHCP_SERVER_H

#include <pktkit/pktkit.h>
#include <pktkit/toolkit/dhcp.h>

#include "lease-table.h"

#define DHCP_SERVER_MAX_DNS 8
#define DHCP_SERVER_MAX_ROUTES 16
#define DHCP_OFFER_HOLD_NS (60 * PK_NSEC_PER_SEC)	/* an offer reserves its address this long */
#define DHCP_DECLINE_HOLD_NS (600 * PK_NSEC_PER_SEC)	/* a declined address is blocked this long */

/* A static reservation. */
struct dhcp_static {
	struct pk_mac mac;
	uint32_t ip;		/* host order */
	char hostname[LEASE_HOSTNAME_MAX];
};

/* What the core needs to know; addresses host order unless struct pk_ip4. */
struct dhcp_server_conf {
	struct pk_mac mac;
	uint32_t server_ip;
	uint32_t net, mask;	/* subnet */
	uint32_t range_start, range_end;
	uint32_t router;	/* 0: none */
	uint32_t broadcast;	/* option 28 value */
	struct pk_ip4 dns[DHCP_SERVER_MAX_DNS];
	uint32_t n_dns;
	char domain[256];
	uint32_t lease_s, t1_s, t2_s;
	uint32_t mtu;		/* 0: not sent */
	struct pk_dhcp_route routes[DHCP_SERVER_MAX_ROUTES];
	uint32_t n_routes;
	struct dhcp_static *statics;
	uint32_t n_statics;
	bool authoritative;
	uint32_t new_lease_burst;	/* new leases at once; 0: no limit */
	uint64_t new_lease_interval;	/* ns per new lease once the burst is spent */
};

/* Outcomes the shell counts; indexes of its counter table. */
enum dhcp_event {
	DHCP_EV_DISCOVER,
	DHCP_EV_OFFER,
	DHCP_EV_REQUEST,
	DHCP_EV_ACK,
	DHCP_EV_NAK,
	DHCP_EV_DECLINE,
	DHCP_EV_RELEASE,
	DHCP_EV_INFORM,
	DHCP_EV_IGNORED_OTHER_SERVER,
	DHCP_EV_IGNORED,		/* well formed, nothing to answer */
	DHCP_EV_DROPPED_MALFORMED,
	DHCP_EV_DROPPED_NOT_FOR_US,
	DHCP_EV_POOL_EXHAUSTED,
	DHCP_EV_TABLE_FULL,
	DHCP_EV_LEASES_EXPIRED,
	DHCP_EV_REPLY_TOO_BIG,
	DHCP_EV_OFFERS_RECLAIMED,	/* an offered-only address given to a new client */
	DHCP_EV_NEW_LEASE_LIMITED,	/* REQUEST for a new lease over the rate: ignored */
	DHCP_EV_COUNT,
};

struct dhcp_server {
	const struct dhcp_server_conf *conf;
	struct lease_table leases;
	GHashTable *static_by_ip;	/* ip + 1 -> struct dhcp_static * */
	uint64_t events[DHCP_EV_COUNT];	/* counts since init (the shell mirrors them) */
	uint64_t new_lease_tat;		/* new-lease budget: when it would be full again (GCRA) */
	bool dirty;			/* bound leases changed: persist */
};

/* Result of dhcp_server_input(). */
struct dhcp_output {
	uint8_t *frame;		/* caller's buffer, at least DHCP_OUTPUT_SIZE */
	uint32_t len;		/* 0: nothing to send */
};
#define DHCP_OUTPUT_SIZE (PK_DHCP_FRAME_HLEN + 1500u)

/**
 * dhcp_server_init() - Set up a server with an empty lease table
 * @s:		Server
 * @conf:	Configuration, validated; must outlive @s
 * @max_leases:	Entries of the lease table
 *
 * Context: owner context (cold).
 */
void dhcp_server_init(struct dhcp_server *s, const struct dhcp_server_conf *conf,
		      uint32_t max_leases);

/**
 * dhcp_server_free() - Free the tables
 * @s:	Server
 *
 * Context: owner context (cold).
 */
void dhcp_server_free(struct dhcp_server *s);

/**
 * dhcp_server_input() - Handle one frame that may carry a DHCP request
 * @s:		Server
 * @frame:	Ethernet frame (UDP to port 67 expected; anything else is
 *		counted as malformed)
 * @len:	Its length
 * @now:	Device-clock time (ns)
 * @out:	The reply frame, if any (@out->len 0 otherwise)
 *
 * Updates the lease table and @s->events; sets @s->dirty when bound leases
 * changed. Never allocates per message except for new lease-table entries.
 *
 * An offer holds its address for DHCP_OFFER_HOLD_NS only while the pool has
 * others: when none is free, a DISCOVER gets the address of the oldest offer
 * to another client, and a REQUEST naming this server may take an address
 * only offered to another, so only completed exchanges hold addresses.
 * New leases (not renewals, not reservations) take from a budget of
 * conf->new_lease_burst refilled one per conf->new_lease_interval; a REQUEST
 * finding it empty is ignored (the client retries) and counted.
 *
 * Context: owner context.
 */
void dhcp_server_input(struct dhcp_server *s, const uint8_t *frame, uint32_t len,
		       uint64_t now, struct dhcp_output *out);

/**
 * dhcp_server_expire() - Reclaim expired offers, leases and declined addresses
 * @s:		Server
 * @now:	Device-clock time
 *
 * Context: owner context.
 * Return: bound leases that expired (also counted in DHCP_EV_LEASES_EXPIRED).
 */
uint32_t dhcp_server_expire(struct dhcp_server *s, uint64_t now);

/**
 * dhcp_server_ip_usable() - Whether @mac may hold @ip (for loading a lease file)
 * @s:		Server
 * @ip:		Address, host order
 * @mac:	Client
 *
 * In the subnet, not the server's, in the pool or reserved for @mac, and not
 * held by another client.
 *
 * Context: owner context.
 */
bool dhcp_server_ip_usable(const struct dhcp_server *s, uint32_t ip, const struct pk_mac *mac);

static inline uint32_t dhcp_ip_get(const uint8_t *p)
{
	return pk_get_be32(p);
}

static inline struct pk_ip4 dhcp_ip4(uint32_t ip)
{
	struct pk_ip4 a;

	pk_put_be32(a.b, ip);
	return a;
}

#endif /* DHCP_SERVER_H */
