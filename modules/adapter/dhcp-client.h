/* SPDX-License-Identifier: MIT
 * dhcp-client.h - Sans-I/O DHCPv4 client state machine (RFC 2131): messages and time in, actions out
 *
 * The caller feeds parsed messages (dc_input()), clock ticks (dc_timeout()
 * when dc_deadline() is reached), start and stop. Each call returns DC_ACT_*
 * bits: a message to send waits in @tx, a lease to apply in @lease.
 */
#ifndef PK_ADAPTER_DHCP_CLIENT_H
#define PK_ADAPTER_DHCP_CLIENT_H

#include <pktkit/toolkit/dhcp.h>

enum dc_state {
	DC_STOPPED = 0,
	DC_INIT,
	DC_SELECTING,
	DC_REQUESTING,
	DC_BOUND,
	DC_RENEWING,
	DC_REBINDING,
};

/* What the caller must do after a call. */
#define DC_ACT_SEND (1u << 0)		/* send @tx as described by @tx_* */
#define DC_ACT_BOUND (1u << 1)		/* apply @lease (new, renewed with changes) */
#define DC_ACT_UNBOUND (1u << 2)	/* remove the leased address and router */

#define DC_MAX_DNS 4u
#define DC_RTO_MIN_NS (4 * PK_NSEC_PER_SEC_)
#define DC_RTO_MAX_NS (64 * PK_NSEC_PER_SEC_)
#define DC_REQUEST_TRIES 4u		/* REQUESTs in REQUESTING before starting over */
#define DC_RENEW_MIN_NS (60 * PK_NSEC_PER_SEC_)	/* RFC 2131 4.4.5 */
#define PK_NSEC_PER_SEC_ UINT64_C(1000000000)

/**
 * struct dc_lease - What the server granted
 * @addr:	Leased address
 * @mask:	Subnet mask (option 1; /24 when absent)
 * @prefix_len:	@mask as a length
 * @router:	First router (option 3), 0.0.0.0 if none
 * @server:	Server identifier (option 54)
 * @dns:	DNS servers (option 6), @n_dns of them
 * @domain:	Domain name (option 15), "" if none
 * @lease_s:	Lease time (s)
 * @t1_s:	Renewal time (s)
 * @t2_s:	Rebinding time (s)
 */
struct dc_lease {
	struct pk_ip4 addr;
	struct pk_ip4 mask;
	uint8_t prefix_len;
	struct pk_ip4 router;
	struct pk_ip4 server;
	struct pk_ip4 dns[DC_MAX_DNS];
	uint32_t n_dns;
	char domain[256];
	uint32_t lease_s, t1_s, t2_s;
};

/* Message counts, for the device's counters. */
struct dc_stats {
	uint64_t discovers, requests, releases, offers, acks, naks, renewals, rebinds,
		expiries, ignored;
};

/**
 * struct dhcp_client - State of one client
 * @state:	enum dc_state
 * @tx:		The message to send when DC_ACT_SEND is returned
 * @tx_len:	Its length
 * @tx_src:	IPv4 source to send it from
 * @tx_dst:	IPv4 destination (255.255.255.255: broadcast frame)
 * @tx_unicast:	Send to the server's MAC, not the broadcast address
 * @lease:	Current lease (BOUND, RENEWING, REBINDING)
 * @stats:	Counts
 */
struct dhcp_client {
	enum dc_state state;
	uint8_t mac[6];
	char hostname[64];
	uint32_t xid;
	uint32_t rng;
	uint64_t began;		/* start of the current exchange, for secs */
	uint64_t deadline;	/* next dc_timeout(), UINT64_MAX: none */
	uint64_t rto;		/* current retransmission base interval */
	uint32_t tries;
	uint64_t t1, t2, expiry;	/* absolute times of the lease */
	struct pk_ip4 offered, selected_server;
	struct pk_ip4 prev_addr;	/* to ask for again (option 50) */
	struct dc_lease lease;
	struct dc_stats stats;
	uint8_t tx[PK_DHCP_DEFAULT_MAX_MSG];
	uint32_t tx_len;
	struct pk_ip4 tx_src, tx_dst;
	bool tx_unicast;
};

void dc_init(struct dhcp_client *c, const uint8_t mac[6], const char *hostname, uint32_t seed);
unsigned int dc_start(struct dhcp_client *c, uint64_t now);
unsigned int dc_stop(struct dhcp_client *c, uint64_t now);
unsigned int dc_input(struct dhcp_client *c, const struct pk_dhcp_msg *m, uint64_t now);
unsigned int dc_timeout(struct dhcp_client *c, uint64_t now);
const char *dc_state_name(enum dc_state s);

/* When dc_timeout() is due; UINT64_MAX when nothing is scheduled. */
static inline uint64_t dc_deadline(const struct dhcp_client *c)
{
	return c->deadline;
}

/* Whether the client holds an address (BOUND, RENEWING or REBINDING). */
static inline bool dc_has_lease(const struct dhcp_client *c)
{
	return c->state >= DC_BOUND;
}

#endif /* PK_ADAPTER_DHCP_CLIENT_H */
