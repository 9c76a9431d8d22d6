// SPDX-License-Identifier: MIT
/* dhcp-client.c - Sans-I/O DHCPv4 client (RFC 2131): INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING */
#include <string.h>
#include <glib.h>

#include "dhcp-client.h"

#define DC_SEC PK_NSEC_PER_SEC_

static const uint8_t dc_params[] = {
	PK_DHCP_OPT_SUBNET_MASK, PK_DHCP_OPT_ROUTER, PK_DHCP_OPT_DNS, PK_DHCP_OPT_DOMAIN,
	PK_DHCP_OPT_LEASE_TIME, PK_DHCP_OPT_T1, PK_DHCP_OPT_T2,
};

/* xorshift32: jitter and transaction ids; never 0. */
static uint32_t dc_rand(struct dhcp_client *c)
{
	uint32_t x = c->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->rng = x;
	return x;
}

/* @base randomised by -1..+1 s (RFC 2131 4.1). */
static uint64_t dc_jitter(struct dhcp_client *c, uint64_t base)
{
	int64_t j = (int64_t)(dc_rand(c) % (2 * DC_SEC + 1)) - (int64_t)DC_SEC;

	return (uint64_t)((int64_t)base + j);
}

/**
 * dc_init() - Set up a stopped client
 * @c:		Client (any contents)
 * @mac:	Our hardware address (chaddr, client identifier)
 * @hostname:	Option 12 to send, or NULL
 * @seed:	Seed of the jitter and transaction ids (non-zero preferred)
 *
 * Context: owner context (cold).
 */
void dc_init(struct dhcp_client *c, const uint8_t mac[6], const char *hostname, uint32_t seed)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	if (hostname)
		g_strlcpy(c->hostname, hostname, sizeof(c->hostname));
	c->rng = seed ? seed : 0x2545f491u;
	c->deadline = UINT64_MAX;
}

/**
 * dc_state_name() - Lowercase name of a state, for logs
 * @s:	State
 *
 * Context: any thread.
 */
const char *dc_state_name(enum dc_state s)
{
	static const char *const names[] = { "stopped", "init", "selecting", "requesting",
					     "bound", "renewing", "rebinding" };

	return (unsigned int)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

static struct pk_dhcp_builder dc_begin(struct dhcp_client *c, uint8_t type, uint64_t now,
				       const struct pk_ip4 *ciaddr)
{
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REQUEST, .xid = c->xid };
	struct pk_dhcp_builder b;
	uint8_t cid[7];
	uint64_t secs = now > c->began ? (now - c->began) / DC_SEC : 0;

	h.secs = (uint16_t)MIN(secs, 0xffffu);
	if (ciaddr)
		h.ciaddr = *ciaddr;
	memcpy(h.chaddr, c->mac, 6);
	pk_dhcp_build_init(&b, c->tx, sizeof(c->tx), &h);
	pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, type);
	cid[0] = PK_DHCP_HTYPE_ETHER;
	memcpy(cid + 1, c->mac, 6);
	pk_dhcp_put_opt(&b, PK_DHCP_OPT_CLIENT_ID, cid, sizeof(cid));
	return b;
}

static unsigned int dc_finish(struct dhcp_client *c, struct pk_dhcp_builder *b,
			      const struct pk_ip4 *src, const struct pk_ip4 *dst, bool unicast)
{
	static const struct pk_ip4 any, bcast = { { 255, 255, 255, 255 } };

	if (c->hostname[0])
		pk_dhcp_put_str(b, PK_DHCP_OPT_HOSTNAME, c->hostname);
	c->tx_len = pk_dhcp_build_finish(b);
	if (!c->tx_len)
		return 0;	/* cannot happen with our few options */
	c->tx_src = src ? *src : any;
	c->tx_dst = dst ? *dst : bcast;
	c->tx_unicast = unicast;
	return DC_ACT_SEND;
}

static unsigned int dc_send_discover(struct dhcp_client *c, uint64_t now)
{
	struct pk_dhcp_builder b = dc_begin(c, PK_DHCP_DISCOVER, now, NULL);

	if (c->prev_addr.b[0])
		pk_dhcp_put_ip4(&b, PK_DHCP_OPT_REQUESTED_IP, &c->prev_addr);
	pk_dhcp_put_opt(&b, PK_DHCP_OPT_PARAM_LIST, dc_params, sizeof(dc_params));
	c->stats.discovers++;
	return dc_finish(c, &b, NULL, NULL, false);
}

static unsigned int dc_send_select_request(struct dhcp_client *c, uint64_t now)
{
	struct pk_dhcp_builder b = dc_begin(c, PK_DHCP_REQUEST, now, NULL);

	pk_dhcp_put_ip4(&b, PK_DHCP_OPT_REQUESTED_IP, &c->offered);
	pk_dhcp_put_ip4(&b, PK_DHCP_OPT_SERVER_ID, &c->selected_server);
	pk_dhcp_put_opt(&b, PK_DHCP_OPT_PARAM_LIST, dc_params, sizeof(dc_params));
	c->stats.requests++;
	return dc_finish(c, &b, NULL, NULL, false);
}

/* RENEWING: unicast to the server; REBINDING: broadcast. Both carry ciaddr (4.3.2). */
static unsigned int dc_send_extend(struct dhcp_client *c, uint64_t now)
{
	struct pk_dhcp_builder b = dc_begin(c, PK_DHCP_REQUEST, now, &c->lease.addr);
	bool renew = c->state == DC_RENEWING;

	pk_dhcp_put_opt(&b, PK_DHCP_OPT_PARAM_LIST, dc_params, sizeof(dc_params));
	c->stats.requests++;
	return dc_finish(c, &b, &c->lease.addr, renew ? &c->lease.server : NULL, renew);
}

/* Start (or restart) discovery: new transaction, first DISCOVER now. */
static unsigned int dc_restart(struct dhcp_client *c, uint64_t now)
{
	c->state = DC_SELECTING;
	c->xid = dc_rand(c);
	c->began = now;
	c->rto = DC_RTO_MIN_NS;
	c->tries = 1;
	c->deadline = now + dc_jitter(c, c->rto);
	return dc_send_discover(c, now);
}

/* Forget the address: the caller removes it. */
static unsigned int dc_drop_lease(struct dhcp_client *c)
{
	if (!dc_has_lease(c))
		return 0;
	c->prev_addr = c->lease.addr;
	memset(&c->lease, 0, sizeof(c->lease));
	return DC_ACT_UNBOUND;
}

/**
 * dc_start() - Begin acquiring a lease
 * @c:		Stopped client
 * @now:	Current time (ns)
 *
 * Context: owner context.
 * Return: DC_ACT_* (a DISCOVER to send).
 */
unsigned int dc_start(struct dhcp_client *c, uint64_t now)
{
	if (c->state != DC_STOPPED)
		return 0;
	return dc_restart(c, now);
}

/**
 * dc_stop() - Give the lease back and stop
 * @c:		Client
 * @now:	Current time
 *
 * Sends a RELEASE to the server when a lease is held (RFC 2131 4.4.6).
 *
 * Context: owner context.
 * Return: DC_ACT_* (RELEASE to send, address to remove).
 */
unsigned int dc_stop(struct dhcp_client *c, uint64_t now)
{
	unsigned int act = 0;

	if (dc_has_lease(c)) {
		struct pk_dhcp_builder b;

		c->xid = dc_rand(c);
		c->began = now;
		b = dc_begin(c, PK_DHCP_RELEASE, now, &c->lease.addr);
		pk_dhcp_put_ip4(&b, PK_DHCP_OPT_SERVER_ID, &c->lease.server);
		c->stats.releases++;
		act |= dc_finish(c, &b, &c->lease.addr, &c->lease.server, true);
		act |= dc_drop_lease(c);
		memset(&c->prev_addr, 0, sizeof(c->prev_addr));
	}
	c->state = DC_STOPPED;
	c->deadline = UINT64_MAX;
	return act;
}

static uint8_t dc_mask_len(const struct pk_ip4 *m)
{
	uint32_t v = (uint32_t)m->b[0] << 24 | (uint32_t)m->b[1] << 16 | (uint32_t)m->b[2] << 8 |
		     m->b[3];
	uint8_t n = 0;

	while (n < 32 && (v & (0x80000000u >> n)))
		n++;
	return n;
}

/* Take the lease an ACK grants; false if it is unusable. */
static bool dc_take_ack(struct dhcp_client *c, const struct pk_dhcp_msg *m, uint64_t now,
			bool *changed)
{
	struct dc_lease l = { 0 };
	struct pk_ip4 routers[1];

	memcpy(l.addr.b, m->yiaddr, 4);
	if (!l.addr.b[0] && !l.addr.b[1] && !l.addr.b[2] && !l.addr.b[3])
		return false;
	if (!pk_dhcp_lease_time(m, &l.lease_s))
		return false;	/* an ACK to a REQUEST must carry one (RFC 2131 table 3) */
	l.lease_s = MAX(l.lease_s, 10u);
	if (!pk_dhcp_subnet_mask(m, &l.mask) || dc_mask_len(&l.mask) == 0) {
		static const struct pk_ip4 m24 = { { 255, 255, 255, 0 } };

		l.mask = m24;
	}
	l.prefix_len = dc_mask_len(&l.mask);
	if (pk_dhcp_routers(m, routers, 1))
		l.router = routers[0];
	if (!pk_dhcp_server_id(m, &l.server))
		l.server = c->state == DC_REQUESTING ? c->selected_server : c->lease.server;
	l.n_dns = pk_dhcp_dns_servers(m, l.dns, DC_MAX_DNS);
	if (pk_dhcp_domain(m, l.domain, sizeof(l.domain)) < 0)
		l.domain[0] = 0;
	if (!pk_dhcp_t1(m, &l.t1_s) || l.t1_s >= l.lease_s)
		l.t1_s = l.lease_s / 2;
	if (!pk_dhcp_t2(m, &l.t2_s) || l.t2_s >= l.lease_s || l.t2_s <= l.t1_s)
		l.t2_s = (uint32_t)((uint64_t)l.lease_s * 7 / 8);
	if (l.t2_s <= l.t1_s)
		l.t1_s = l.t2_s / 2;

	*changed = !dc_has_lease(c) || memcmp(&l, &c->lease, offsetof(struct dc_lease, lease_s));
	c->lease = l;
	c->t1 = now + (uint64_t)l.t1_s * DC_SEC;
	c->t2 = now + (uint64_t)l.t2_s * DC_SEC;
	c->expiry = now + (uint64_t)l.lease_s * DC_SEC;
	c->state = DC_BOUND;
	c->deadline = c->t1;
	c->stats.acks++;
	return true;
}

/* Next retransmission in RENEWING/REBINDING: half the time left, >= 60 s, <= @until. */
static uint64_t dc_extend_deadline(uint64_t now, uint64_t until)
{
	uint64_t half = until > now ? (until - now) / 2 : 0;

	return MIN(now + MAX(half, DC_RENEW_MIN_NS), until);
}

/**
 * dc_input() - A DHCP message arrived for the client port
 * @c:		Client
 * @m:		Parsed message (any: foreign xids and requests are ignored)
 * @now:	Current time
 *
 * Context: owner context.
 * Return: DC_ACT_*.
 */
unsigned int dc_input(struct dhcp_client *c, const struct pk_dhcp_msg *m, uint64_t now)
{
	struct pk_ip4 sid;
	bool changed = false;
	unsigned int act = 0;

	if (m->op != PK_DHCP_OP_REPLY || m->xid != c->xid || m->hlen != 6 ||
	    memcmp(m->chaddr, c->mac, 6) != 0 || c->state == DC_STOPPED ||
	    c->state == DC_BOUND || c->state == DC_INIT) {
		c->stats.ignored++;
		return 0;
	}
	switch (m->msg_type) {
	case PK_DHCP_OFFER:
		if (c->state != DC_SELECTING || !pk_dhcp_server_id(m, &sid) || !m->yiaddr[0]) {
			c->stats.ignored++;
			return 0;
		}
		/* The first offer wins (RFC 2131 4.4.1 allows any choice). */
		c->stats.offers++;
		memcpy(c->offered.b, m->yiaddr, 4);
		c->selected_server = sid;
		c->state = DC_REQUESTING;
		c->rto = DC_RTO_MIN_NS;
		c->tries = 1;
		c->deadline = now + dc_jitter(c, c->rto);
		return dc_send_select_request(c, now);
	case PK_DHCP_ACK:
		if (c->state == DC_SELECTING) {
			c->stats.ignored++;
			return 0;
		}
		if (c->state == DC_REQUESTING && pk_dhcp_server_id(m, &sid) &&
		    memcmp(&sid, &c->selected_server, 4) != 0) {
			c->stats.ignored++;
			return 0;
		}
		if (!dc_take_ack(c, m, now, &changed)) {
			c->stats.ignored++;
			return 0;
		}
		/* Renewals too: the caller re-applies (and logs) the refreshed lease. */
		(void)changed;
		return DC_ACT_BOUND;
	case PK_DHCP_NAK:
		if (c->state == DC_SELECTING ||
		    (c->state == DC_REQUESTING && pk_dhcp_server_id(m, &sid) &&
		     memcmp(&sid, &c->selected_server, 4) != 0)) {
			c->stats.ignored++;
			return 0;
		}
		c->stats.naks++;
		act = dc_drop_lease(c);
		memset(&c->prev_addr, 0, sizeof(c->prev_addr));
		return act | dc_restart(c, now);
	default:
		c->stats.ignored++;
		return 0;
	}
}

/**
 * dc_timeout() - Time passed: retransmit, renew, rebind or expire
 * @c:		Client
 * @now:	Current time; nothing happens before dc_deadline()
 *
 * Context: owner context.
 * Return: DC_ACT_*.
 */
unsigned int dc_timeout(struct dhcp_client *c, uint64_t now)
{
	unsigned int act = 0;

	if (now < c->deadline)
		return 0;
	switch (c->state) {
	case DC_SELECTING:
		c->rto = MIN(c->rto * 2, DC_RTO_MAX_NS);
		c->tries++;
		c->deadline = now + dc_jitter(c, c->rto);
		return dc_send_discover(c, now);
	case DC_REQUESTING:
		if (c->tries >= DC_REQUEST_TRIES)
			return dc_restart(c, now);
		c->rto = MIN(c->rto * 2, DC_RTO_MAX_NS);
		c->tries++;
		c->deadline = now + dc_jitter(c, c->rto);
		return dc_send_select_request(c, now);
	case DC_BOUND:
	case DC_RENEWING:
	case DC_REBINDING:
		if (now >= c->expiry) {
			c->stats.expiries++;
			act = dc_drop_lease(c);
			return act | dc_restart(c, now);
		}
		if (now >= c->t2) {
			if (c->state != DC_REBINDING) {
				c->state = DC_REBINDING;
				c->xid = dc_rand(c);
				c->began = now;
				c->stats.rebinds++;
			}
			c->deadline = dc_extend_deadline(now, c->expiry);
			return dc_send_extend(c, now);
		}
		if (c->state == DC_BOUND) {
			c->state = DC_RENEWING;
			c->xid = dc_rand(c);
			c->began = now;
			c->stats.renewals++;
		}
		c->deadline = dc_extend_deadline(now, c->t2);
		return dc_send_extend(c, now);
	default:
		c->deadline = UINT64_MAX;
		return 0;
	}
}
