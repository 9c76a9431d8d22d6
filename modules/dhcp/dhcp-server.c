/* SPDX-License-Identifier: MIT
 * dhcp-server.c - DHCPv4 server protocol core (sans-I/O): RFC 2131 section 4.3 decisions
 */
#include <string.h>

#include "dhcp-server.h"

static const struct pk_mac mac_bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

void dhcp_server_init(struct dhcp_server *s, const struct dhcp_server_conf *conf,
		      uint32_t max_leases)
{
	memset(s, 0, sizeof(*s));
	s->conf = conf;
	lease_table_init(&s->leases, max_leases);
	s->static_by_ip = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (uint32_t i = 0; i < conf->n_statics; i++)
		g_hash_table_insert(s->static_by_ip, GUINT_TO_POINTER(conf->statics[i].ip + 1u),
				    &conf->statics[i]);
}

void dhcp_server_free(struct dhcp_server *s)
{
	lease_table_free(&s->leases);
	if (s->static_by_ip)
		g_hash_table_destroy(s->static_by_ip);
	s->static_by_ip = NULL;
}

static const struct dhcp_static *static_by_mac(const struct dhcp_server *s,
					       const struct pk_mac *mac)
{
	for (uint32_t i = 0; i < s->conf->n_statics; i++)
		if (!memcmp(s->conf->statics[i].mac.b, mac->b, 6))
			return &s->conf->statics[i];
	return NULL;
}

static const struct dhcp_static *static_by_ip(const struct dhcp_server *s, uint32_t ip)
{
	return g_hash_table_lookup(s->static_by_ip, GUINT_TO_POINTER(ip + 1u));
}

static bool in_subnet(const struct dhcp_server_conf *c, uint32_t ip)
{
	return (ip & c->mask) == c->net && ip != c->net && ip != (c->net | ~c->mask);
}

static bool in_pool(const struct dhcp_server_conf *c, uint32_t ip)
{
	return ip >= c->range_start && ip <= c->range_end;
}

/*
 * May @mac have @ip now? (Its own lease, a free pool address, or its
 * reservation; with @take_offer also an address only offered to another
 * client: a REQUEST completes an exchange, an offer does not hold against it.)
 */
static bool ip_usable_as(const struct dhcp_server *s, uint32_t ip, const struct pk_mac *mac,
			 uint64_t now, bool take_offer)
{
	const struct dhcp_server_conf *c = s->conf;
	const struct dhcp_static *st = static_by_ip(s, ip);
	struct lease *l;

	if (ip == c->server_ip || !in_subnet(c, ip))
		return false;
	if (st)
		return !memcmp(st->mac.b, mac->b, 6);
	if (!in_pool(c, ip))
		return false;
	l = lease_table_by_ip(&s->leases, ip);
	if (!l)
		return true;
	if (l->state == LEASE_DECLINED)
		return l->expires <= now;
	return !memcmp(l->mac.b, mac->b, 6) || l->expires <= now ||
	       (take_offer && l->state == LEASE_OFFERED);
}

static bool ip_usable(const struct dhcp_server *s, uint32_t ip, const struct pk_mac *mac,
		      uint64_t now)
{
	return ip_usable_as(s, ip, mac, now, false);
}

bool dhcp_server_ip_usable(const struct dhcp_server *s, uint32_t ip, const struct pk_mac *mac)
{
	return ip_usable(s, ip, mac, 0);
}

/*
 * Record the client's host name (option 12) cleaned to letters, digits and
 * "-._", at most 63 bytes; without one, the reservation's name if any.
 */
static void take_hostname(const struct dhcp_server *s, char *dst, const struct pk_dhcp_msg *m,
			  const struct pk_mac *mac)
{
	const struct dhcp_static *st;
	char buf[256];
	size_t j = 0;

	dst[0] = '\0';
	if (pk_dhcp_hostname(m, buf, sizeof(buf)) <= 0) {
		st = static_by_mac(s, mac);
		if (st)
			g_strlcpy(dst, st->hostname, LEASE_HOSTNAME_MAX);
		return;
	}
	for (size_t i = 0; buf[i] && j < LEASE_HOSTNAME_MAX - 1; i++) {
		char ch = buf[i];

		if (g_ascii_isalnum(ch) || ch == '-' || ch == '.' || ch == '_')
			dst[j++] = ch;
	}
	dst[j] = '\0';
}

/* An unexpired offer to a client other than @mac. */
static bool is_others_offer(const struct lease *l, const struct pk_mac *mac, uint64_t now)
{
	return l->state == LEASE_OFFERED && l->expires > now && memcmp(l->mac.b, mac->b, 6);
}

/* Remove an entry of another client that is in the way; count a withdrawn offer. */
static void evict(struct dhcp_server *s, struct lease *o, const struct pk_mac *mac, uint64_t now)
{
	if (is_others_offer(o, mac, now))
		s->events[DHCP_EV_OFFERS_RECLAIMED]++;
	lease_table_remove(&s->leases, o);
}

/* The oldest unexpired offer to a client other than @mac (a walk over the table). */
static struct lease *oldest_offer(const struct dhcp_server *s, const struct pk_mac *mac,
				  uint64_t now)
{
	struct lease *best = NULL, *l;
	uint32_t cursor;

	for (l = lease_table_first(&s->leases, &cursor); l; l = lease_table_next(&s->leases, &cursor))
		if (is_others_offer(l, mac, now) && (!best || l->expires < best->expires))
			best = l;
	return best;
}

/*
 * Bind @ip to @mac in the table with @state until @expires. Frees whatever
 * else the MAC held and the entry of another client on @ip (expired,
 * declined or only offered: checked by the caller). A full table makes
 * room by expiring, then by taking the oldest offer of another client.
 */
static struct lease *bind_ip(struct dhcp_server *s, uint32_t ip, const struct pk_mac *mac,
			     enum lease_state state, uint64_t now, uint64_t expires)
{
	struct lease *l = lease_table_by_mac(&s->leases, mac), *o;

	if (l && l->ip != ip) {
		lease_table_remove(&s->leases, l);
		l = NULL;
	}
	o = lease_table_by_ip(&s->leases, ip);
	if (o && o != l)
		evict(s, o, mac, now);
	if (!l) {
		l = lease_table_add(&s->leases, ip, mac, state, expires);
		if (!l) {	/* full: reclaim what has expired, then retry */
			dhcp_server_expire(s, now);
			l = lease_table_add(&s->leases, ip, mac, state, expires);
		}
		if (!l && (o = oldest_offer(s, mac, now))) {
			evict(s, o, mac, now);
			l = lease_table_add(&s->leases, ip, mac, state, expires);
		}
		if (!l)
			return NULL;
	}
	l->state = (uint8_t)state;
	l->expires = expires;
	return l;
}

/* Pick an address for a DISCOVER; 0 if none is left. */
static uint32_t choose_ip(struct dhcp_server *s, const struct pk_dhcp_msg *m,
			  const struct pk_mac *mac, uint64_t now)
{
	const struct dhcp_server_conf *c = s->conf;
	const struct dhcp_static *st = static_by_mac(s, mac);
	struct lease *l = lease_table_by_mac(&s->leases, mac);
	struct pk_ip4 req;
	uint32_t reclaim = 0, offered = 0;
	uint64_t offered_at = UINT64_MAX;

	if (st)
		return st->ip;
	if (l && ip_usable(s, l->ip, mac, now))
		return l->ip;
	if (pk_dhcp_requested_ip(m, &req) && ip_usable(s, dhcp_ip_get(req.b), mac, now))
		return dhcp_ip_get(req.b);
	/* Never used addresses first, then the first expired one of another
	 * client, then the oldest one only offered to another client (all offers
	 * hold for the same time, so the soonest to expire is the oldest). */
	for (uint64_t ip = c->range_start; ip <= c->range_end; ip++) {
		uint32_t a = (uint32_t)ip;

		if (a == c->server_ip || static_by_ip(s, a) || !in_subnet(c, a))
			continue;
		l = lease_table_by_ip(&s->leases, a);
		if (!l)
			return a;
		if (!reclaim && l->expires <= now)
			reclaim = a;
		if (is_others_offer(l, mac, now) && l->expires < offered_at) {
			offered = a;
			offered_at = l->expires;
		}
	}
	return reclaim ? reclaim : offered;
}

/* Reply construction ----------------------------------------------------- */

struct reply {
	struct pk_dhcp_builder b;
	uint8_t msg[1500];
};

static void reply_begin(struct reply *r, const struct pk_dhcp_msg *m, uint32_t yiaddr,
			uint8_t type, const struct dhcp_server_conf *c)
{
	struct pk_dhcp_header h = {
		.op = PK_DHCP_OP_REPLY,
		.htype = m->htype,
		.hlen = m->hlen,
		.xid = m->xid,
		.flags = m->flags,
	};
	uint16_t maxsz = 0;
	uint32_t size = PK_DHCP_DEFAULT_MAX_MSG;

	if (pk_dhcp_get_u16(m, PK_DHCP_OPT_MAX_MSG_SIZE, &maxsz) && maxsz > 576)
		size = MIN((uint32_t)maxsz - 28u, (uint32_t)sizeof(r->msg));
	memcpy(h.chaddr, m->chaddr, 16);
	memcpy(h.giaddr.b, m->giaddr, 4);
	if (type != PK_DHCP_NAK) {
		if (type == PK_DHCP_ACK)
			memcpy(h.ciaddr.b, m->ciaddr, 4);
		h.yiaddr = dhcp_ip4(yiaddr);
	}
	pk_dhcp_build_init(&r->b, r->msg, size, &h);
	pk_dhcp_put_u8(&r->b, PK_DHCP_OPT_MSG_TYPE, type);
	{
		struct pk_ip4 sid = dhcp_ip4(c->server_ip);

		pk_dhcp_put_ip4(&r->b, PK_DHCP_OPT_SERVER_ID, &sid);
	}
}

/* The configuration options of an OFFER/ACK; @lease false for INFORM. */
static void reply_config(struct reply *r, const struct pk_dhcp_msg *m,
			 const struct dhcp_server_conf *c, bool lease)
{
	struct pk_ip4 a;

	if (lease) {
		pk_dhcp_put_u32(&r->b, PK_DHCP_OPT_LEASE_TIME, c->lease_s);
		pk_dhcp_put_u32(&r->b, PK_DHCP_OPT_T1, c->t1_s);
		pk_dhcp_put_u32(&r->b, PK_DHCP_OPT_T2, c->t2_s);
	}
	a = dhcp_ip4(c->mask);
	pk_dhcp_put_ip4(&r->b, PK_DHCP_OPT_SUBNET_MASK, &a);
	if (c->router) {
		a = dhcp_ip4(c->router);
		pk_dhcp_put_ip4(&r->b, PK_DHCP_OPT_ROUTER, &a);
	}
	pk_dhcp_put_ip4_list(&r->b, PK_DHCP_OPT_DNS, c->dns, c->n_dns);
	pk_dhcp_put_str(&r->b, PK_DHCP_OPT_DOMAIN, c->domain);
	a = dhcp_ip4(c->broadcast);
	pk_dhcp_put_ip4(&r->b, PK_DHCP_OPT_BROADCAST, &a);
	if (c->mtu)
		pk_dhcp_put_u16(&r->b, PK_DHCP_OPT_MTU, (uint16_t)c->mtu);
	if (c->n_routes && pk_dhcp_param_requested(m, PK_DHCP_OPT_CLASSLESS_ROUTES)) {
		/* RFC 3442: a client using 121 ignores option 3, so repeat the
		 * default route in it. */
		struct pk_dhcp_route rt[DHCP_SERVER_MAX_ROUTES + 1];
		uint32_t n = c->n_routes;

		memcpy(rt, c->routes, n * sizeof(rt[0]));
		if (c->router) {
			memset(&rt[n], 0, sizeof(rt[n]));
			rt[n].via = dhcp_ip4(c->router);
			n++;
		}
		pk_dhcp_put_routes(&r->b, rt, n);
	}
}

/*
 * Address the reply (RFC 2131 4.1): relay -> giaddr:67; NAK -> broadcast;
 * ciaddr -> unicast; broadcast flag -> broadcast; else unicast to yiaddr at chaddr.
 */
static void reply_send(struct dhcp_server *s, struct reply *r, const struct pk_dhcp_frame *f,
		       uint8_t type, uint32_t yiaddr, struct dhcp_output *out)
{
	const struct pk_dhcp_msg *m = &f->msg;
	struct pk_dhcp_addrs a = {
		.src_mac = s->conf->mac,
		.src_ip = dhcp_ip4(s->conf->server_ip),
		.src_port = PK_DHCP_SERVER_PORT,
		.dst_port = PK_DHCP_CLIENT_PORT,
	};
	uint32_t len = pk_dhcp_build_finish(&r->b);

	if (!len) {
		s->events[DHCP_EV_REPLY_TOO_BIG]++;
		return;
	}
	if (dhcp_ip_get(m->giaddr)) {
		memcpy(a.dst_mac.b, f->eth_src, 6);
		memcpy(a.dst_ip.b, m->giaddr, 4);
		a.dst_port = PK_DHCP_SERVER_PORT;
		if (type == PK_DHCP_NAK)	/* the relay must broadcast it */
			pk_put_be16(r->msg + 10, pk_get_be16(r->msg + 10) | PK_DHCP_FLAG_BROADCAST);
	} else if (type == PK_DHCP_NAK ||
		   (!dhcp_ip_get(m->ciaddr) && (m->flags & PK_DHCP_FLAG_BROADCAST)) ||
		   (!dhcp_ip_get(m->ciaddr) && !yiaddr)) {
		a.dst_mac = mac_bcast;
		a.dst_ip = dhcp_ip4(0xffffffffu);
	} else {
		memcpy(a.dst_mac.b, m->chaddr, 6);
		if (dhcp_ip_get(m->ciaddr))
			memcpy(a.dst_ip.b, m->ciaddr, 4);
		else
			a.dst_ip = dhcp_ip4(yiaddr);
	}
	out->len = pk_dhcp_frame_build(out->frame, DHCP_OUTPUT_SIZE, &a, r->msg, len);
}

static void send_nak(struct dhcp_server *s, const struct pk_dhcp_frame *f, const char *why,
		     struct dhcp_output *out)
{
	struct reply r;

	reply_begin(&r, &f->msg, 0, PK_DHCP_NAK, s->conf);
	pk_dhcp_put_str(&r.b, PK_DHCP_OPT_MESSAGE, why);
	reply_send(s, &r, f, PK_DHCP_NAK, 0, out);
	s->events[DHCP_EV_NAK]++;
}

static void send_offer_ack(struct dhcp_server *s, const struct pk_dhcp_frame *f, uint8_t type,
			   uint32_t ip, struct dhcp_output *out)
{
	struct reply r;

	reply_begin(&r, &f->msg, ip, type, s->conf);
	reply_config(&r, &f->msg, s->conf, true);
	reply_send(s, &r, f, type, ip, out);
	s->events[type == PK_DHCP_OFFER ? DHCP_EV_OFFER : DHCP_EV_ACK]++;
}

/* Message handlers ----------------------------------------------------------- */

static void on_discover(struct dhcp_server *s, const struct pk_dhcp_frame *f,
			const struct pk_mac *mac, uint64_t now, struct dhcp_output *out)
{
	uint32_t ip = choose_ip(s, &f->msg, mac, now);
	struct lease *l;

	s->events[DHCP_EV_DISCOVER]++;
	if (!ip) {
		s->events[DHCP_EV_POOL_EXHAUSTED]++;
		return;
	}
	l = lease_table_by_mac(&s->leases, mac);
	if (l && l->ip == ip && l->state == LEASE_BOUND && l->expires > now) {
		/* Already bound: offer it again without shortening the lease. */
	} else {
		l = bind_ip(s, ip, mac, LEASE_OFFERED, now, now + DHCP_OFFER_HOLD_NS);
		if (!l) {
			s->events[DHCP_EV_TABLE_FULL]++;
			s->events[DHCP_EV_POOL_EXHAUSTED]++;
			return;
		}
	}
	take_hostname(s, l->hostname, &f->msg, mac);
	send_offer_ack(s, f, PK_DHCP_OFFER, ip, out);
}

/*
 * The new-lease budget, a GCRA: new_lease_tat is when the bucket would be
 * full again; a new lease fits while that is at most burst - 1 intervals
 * away, and pushes it one interval further.
 */
static bool new_lease_allowed(const struct dhcp_server *s, uint64_t now)
{
	const struct dhcp_server_conf *c = s->conf;

	if (!c->new_lease_burst)
		return true;
	return MAX(s->new_lease_tat, now) + c->new_lease_interval - now <=
	       (uint64_t)c->new_lease_burst * c->new_lease_interval;
}

static void new_lease_take(struct dhcp_server *s, uint64_t now)
{
	if (s->conf->new_lease_burst)
		s->new_lease_tat = MAX(s->new_lease_tat, now) + s->conf->new_lease_interval;
}

static void ack_lease(struct dhcp_server *s, const struct pk_dhcp_frame *f,
		      const struct pk_mac *mac, uint32_t ip, uint64_t now, struct dhcp_output *out)
{
	struct lease *l = lease_table_by_mac(&s->leases, mac);
	/* Renewals and reservations are never limited. */
	bool is_new = !(l && l->ip == ip && l->state == LEASE_BOUND && l->expires > now) &&
		      !static_by_mac(s, mac);

	if (is_new && !new_lease_allowed(s, now)) {
		s->events[DHCP_EV_NEW_LEASE_LIMITED]++;
		return;
	}
	l = bind_ip(s, ip, mac, LEASE_BOUND, now,
		    now + (uint64_t)s->conf->lease_s * PK_NSEC_PER_SEC);
	if (!l) {
		s->events[DHCP_EV_TABLE_FULL]++;
		send_nak(s, f, "lease table full", out);
		return;
	}
	if (is_new)
		new_lease_take(s, now);
	take_hostname(s, l->hostname, &f->msg, mac);
	s->dirty = true;
	send_offer_ack(s, f, PK_DHCP_ACK, ip, out);
}

static void on_request(struct dhcp_server *s, const struct pk_dhcp_frame *f,
		       const struct pk_mac *mac, uint64_t now, struct dhcp_output *out)
{
	const struct pk_dhcp_msg *m = &f->msg;
	const struct dhcp_server_conf *c = s->conf;
	struct pk_ip4 sid, req;
	bool has_sid = pk_dhcp_server_id(m, &sid), has_req = pk_dhcp_requested_ip(m, &req);
	struct lease *l = lease_table_by_mac(&s->leases, mac);
	uint32_t ip;

	s->events[DHCP_EV_REQUEST]++;
	if (has_sid) {
		/* SELECTING: the client chose a server. */
		if (dhcp_ip_get(sid.b) != c->server_ip) {
			s->events[DHCP_EV_IGNORED_OTHER_SERVER]++;
			if (l && l->state == LEASE_OFFERED)
				lease_table_remove(&s->leases, l);
			return;
		}
		ip = has_req ? dhcp_ip_get(req.b) : dhcp_ip_get(m->ciaddr);
		if (ip && l && l->ip == ip && ip_usable(s, ip, mac, now)) {
			ack_lease(s, f, mac, ip, now, out);
			return;
		}
		if (ip && !l && ip_usable_as(s, ip, mac, now, true)) {
			/* Offer expired or was given to another client meanwhile
			 * (pool full), but no other client completed an exchange
			 * for the address. */
			ack_lease(s, f, mac, ip, now, out);
			return;
		}
		send_nak(s, f, "address not available", out);
		return;
	}
	/* INIT-REBOOT (requested IP, no ciaddr) or RENEWING/REBINDING (ciaddr). */
	ip = has_req ? dhcp_ip_get(req.b) : dhcp_ip_get(m->ciaddr);
	if (!ip) {
		s->events[DHCP_EV_DROPPED_MALFORMED]++;
		return;
	}
	if (!in_subnet(c, ip)) {
		send_nak(s, f, "wrong network", out);
		return;
	}
	if (ip_usable(s, ip, mac, now)) {
		ack_lease(s, f, mac, ip, now, out);
		return;
	}
	/* In our subnet but not for this client. RFC 2131 4.3.2: silent unless
	 * we know the client or are authoritative. */
	if (c->authoritative || l)
		send_nak(s, f, "address not available", out);
	else
		s->events[DHCP_EV_IGNORED]++;
}

static bool for_us(const struct dhcp_server *s, const struct pk_dhcp_msg *m)
{
	struct pk_ip4 sid;

	return !pk_dhcp_server_id(m, &sid) || dhcp_ip_get(sid.b) == s->conf->server_ip;
}

static void on_decline(struct dhcp_server *s, const struct pk_dhcp_frame *f,
		       const struct pk_mac *mac, uint64_t now)
{
	struct pk_ip4 req;
	struct lease *l;

	if (!for_us(s, &f->msg) || !pk_dhcp_requested_ip(&f->msg, &req)) {
		s->events[DHCP_EV_IGNORED]++;
		return;
	}
	l = lease_table_by_ip(&s->leases, dhcp_ip_get(req.b));
	if (!l || memcmp(l->mac.b, mac->b, 6) || l->state == LEASE_DECLINED) {
		s->events[DHCP_EV_IGNORED]++;
		return;
	}
	s->events[DHCP_EV_DECLINE]++;
	if (l->state == LEASE_BOUND)
		s->dirty = true;
	l->state = LEASE_DECLINED;
	l->expires = now + DHCP_DECLINE_HOLD_NS;
	l->hostname[0] = '\0';
	lease_table_set_mac(&s->leases, l, NULL);
}

static void on_release(struct dhcp_server *s, const struct pk_dhcp_frame *f,
		       const struct pk_mac *mac)
{
	struct lease *l = lease_table_by_ip(&s->leases, dhcp_ip_get(f->msg.ciaddr));

	if (!for_us(s, &f->msg) || !l || l->state == LEASE_DECLINED ||
	    memcmp(l->mac.b, mac->b, 6)) {
		s->events[DHCP_EV_IGNORED]++;
		return;
	}
	s->events[DHCP_EV_RELEASE]++;
	lease_table_remove(&s->leases, l);
	s->dirty = true;
}

static void on_inform(struct dhcp_server *s, const struct pk_dhcp_frame *f,
		      struct dhcp_output *out)
{
	struct reply r;

	s->events[DHCP_EV_INFORM]++;
	reply_begin(&r, &f->msg, 0, PK_DHCP_ACK, s->conf);
	reply_config(&r, &f->msg, s->conf, false);
	reply_send(s, &r, f, PK_DHCP_ACK, 0, out);
	s->events[DHCP_EV_ACK]++;
}

void dhcp_server_input(struct dhcp_server *s, const uint8_t *frame, uint32_t len,
		       uint64_t now, struct dhcp_output *out)
{
	struct pk_dhcp_frame f;
	struct pk_mac mac;
	uint32_t dst;

	out->len = 0;
	if (pk_dhcp_frame_parse(frame, len, &f) != PK_DHCP_OK) {
		s->events[DHCP_EV_DROPPED_MALFORMED]++;
		return;
	}
	if (f.dst_port != PK_DHCP_SERVER_PORT || f.msg.op != PK_DHCP_OP_REQUEST ||
	    f.msg.htype != PK_DHCP_HTYPE_ETHER || f.msg.hlen != PK_ETH_ALEN || !f.msg.msg_type) {
		s->events[DHCP_EV_DROPPED_MALFORMED]++;
		return;
	}
	dst = dhcp_ip_get(f.ip_dst);
	if (dst != 0xffffffffu && dst != s->conf->server_ip &&
	    dst != (s->conf->net | ~s->conf->mask)) {
		s->events[DHCP_EV_DROPPED_NOT_FOR_US]++;
		return;
	}
	memcpy(mac.b, f.msg.chaddr, 6);
	if (mac.b[0] & 1) {
		s->events[DHCP_EV_DROPPED_MALFORMED]++;
		return;
	}
	switch (f.msg.msg_type) {
	case PK_DHCP_DISCOVER:
		on_discover(s, &f, &mac, now, out);
		break;
	case PK_DHCP_REQUEST:
		on_request(s, &f, &mac, now, out);
		break;
	case PK_DHCP_DECLINE:
		on_decline(s, &f, &mac, now);
		break;
	case PK_DHCP_RELEASE:
		on_release(s, &f, &mac);
		break;
	case PK_DHCP_INFORM:
		on_inform(s, &f, out);
		break;
	default:
		s->events[DHCP_EV_IGNORED]++;
		break;
	}
}

uint32_t dhcp_server_expire(struct dhcp_server *s, uint64_t now)
{
	uint32_t bound = 0;

	lease_table_expire(&s->leases, now, &bound);
	if (bound) {
		s->events[DHCP_EV_LEASES_EXPIRED] += bound;
		s->dirty = true;
	}
	return bound;
}
