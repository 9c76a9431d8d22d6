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

/* Outcomes the server counts: indexes of the device's counter table, with
 * the counter names and what they count (the shell declares the table). */
#define DHCP_EVENTS(_)                                                                        \
	_(DHCP_EV_DISCOVER, "discovers", "DHCPDISCOVER messages received")                    \
	_(DHCP_EV_OFFER, "offers", "DHCPOFFER messages sent")                                 \
	_(DHCP_EV_REQUEST, "requests", "DHCPREQUEST messages received")                       \
	_(DHCP_EV_ACK, "acks", "DHCPACK messages sent (leases and INFORM answers)")           \
	_(DHCP_EV_NAK, "naks",                                                                \
	  "DHCPNAK messages sent: wrong network, address taken or "                           \
	  "not ours")                                                                         \
	_(DHCP_EV_DECLINE, "declines", "Addresses clients declined (blocked for 10 minutes)") \
	_(DHCP_EV_RELEASE, "releases", "Leases clients released")                             \
	_(DHCP_EV_INFORM, "informs", "DHCPINFORM messages answered")                          \
	_(DHCP_EV_IGNORED_OTHER_SERVER, "ignored-other-server",                               \
	  "Requests naming another server (our offer is "                                     \
	  "withdrawn)")                                                                       \
	_(DHCP_EV_IGNORED, "ignored",                                                         \
	  "Well-formed messages needing no answer (unknown "                                  \
	  "lease, unknown type, not authoritative)")                                          \
	_(DHCP_EV_DROPPED_MALFORMED, "dropped-malformed",                                     \
	  "Frames to port 67 that are not valid DHCP requests "                               \
	  "(truncated, oversized, bad cookie, options or checksums)")                         \
	_(DHCP_EV_DROPPED_NOT_FOR_US, "dropped-not-for-us",                                   \
	  "DHCP requests unicast to another address")                                         \
	_(DHCP_EV_POOL_EXHAUSTED, "pool-exhausted",                                           \
	  "DISCOVERs left unanswered: no free "                                               \
	  "address")                                                                          \
	_(DHCP_EV_TABLE_FULL, "lease-table-full",                                             \
	  "Addresses not given because max-leases "                                           \
	  "entries are in use")                                                               \
	_(DHCP_EV_LEASES_EXPIRED, "leases-expired",                                           \
	  "Bound leases that ran out and were "                                               \
	  "reclaimed")                                                                        \
	_(DHCP_EV_REPLY_TOO_BIG, "dropped-reply-too-big",                                     \
	  "Replies whose options did not fit the client's maximum "                           \
	  "message size")                                                                     \
	_(DHCP_EV_OFFERS_RECLAIMED, "offers-reclaimed",                                       \
	  "Addresses only offered to a client (no REQUEST yet) given "                        \
	  "to another because none was free, oldest offer first")                             \
	_(DHCP_EV_NEW_LEASE_LIMITED, "new-leases-rate-limited",                               \
	  "REQUESTs for a new lease ignored because the "                                     \
	  "new-lease-burst/new-lease-rate budget was spent")
PK_COUNTERS_ENUM(DHCP_EVENTS);
enum {
	DHCP_EV_COUNT = PK_COUNTERS_COUNT(DHCP_EVENTS)
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
