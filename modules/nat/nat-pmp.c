/* SPDX-License-Identifier: MIT
 * nat-pmp.c - The NAT-PMP/PCP server object and NAT-PMP itself (RFC 6886)
 */
#include "nat-pmp-private.h"

#include <string.h>
#include <netinet/in.h>
#include <glib.h>

#define NAT_PMP_OP_ADDR 0
#define NAT_PMP_OP_MAP_UDP 1
#define NAT_PMP_OP_MAP_TCP 2

static void nat_pmp_server_schedule(struct nat_pmp_server *s, uint64_t now)
{
	if (!s->outside_addr) {
		s->announce_left = 0;
		return;
	}
	s->announce_left = NAT_PMP_ANNOUNCE_ROUNDS;
	s->announce_at = now;
	s->announce_gap = NAT_PMP_ANNOUNCE_FIRST_GAP;
}

struct nat_pmp_server *nat_pmp_server_new(const struct nat_pmp_config *cfg,
					  const struct nat_core_ops *ops, void *core, uint64_t now)
{
	struct nat_pmp_server *s = g_new0(struct nat_pmp_server, 1);

	nat_lease_table_init(&s->leases, &cfg->policy, ops, core);
	s->outside_addr = cfg->outside_addr;
	s->announce_ipv6 = cfg->announce_ipv6;
	s->epoch_start = now;
	nat_pmp_server_schedule(s, now);
	return s;
}

void nat_pmp_server_free(struct nat_pmp_server *s)
{
	if (!s)
		return;
	nat_lease_table_clear(&s->leases);
	g_free(s);
}

uint32_t nat_pmp_server_epoch(const struct nat_pmp_server *s, uint64_t now)
{
	if (now <= s->epoch_start)
		return 0;
	return (uint32_t)((now - s->epoch_start) / 1000000000ull);
}

const struct nat_lease_table *nat_pmp_server_leases(const struct nat_pmp_server *s)
{
	return &s->leases;
}

void nat_pmp_server_set_outside_addr(struct nat_pmp_server *s, uint32_t addr, uint64_t now)
{
	if (addr == s->outside_addr)
		return;
	nat_lease_flush(&s->leases);
	s->outside_addr = addr;
	s->epoch_start = now;
	nat_pmp_server_schedule(s, now);
}

uint64_t nat_pmp_server_next_deadline(const struct nat_pmp_server *s)
{
	uint64_t next = nat_lease_next_expiry(&s->leases);

	if (s->announce_left && s->announce_at < next)
		next = s->announce_at;
	return next;
}

unsigned nat_pmp_server_tick(struct nat_pmp_server *s, uint64_t now)
{
	return nat_lease_expire(&s->leases, now);
}

/* The public address response (RFC 6886 §3.2): 12 bytes. */
static size_t nat_pmp_addr_reply(const struct nat_pmp_server *s, uint16_t result, uint64_t now,
				 uint8_t *out)
{
	out[0] = 0;
	out[1] = 128 + NAT_PMP_OP_ADDR;
	nat_pmp_put16(out + 2, result);
	nat_pmp_put32(out + 4, nat_pmp_server_epoch(s, now));
	memcpy(out + 8, result == NAT_PMP_SUCCESS ? &s->outside_addr : &(uint32_t){ 0 }, 4);
	return 12;
}

unsigned nat_pmp_server_announcements(struct nat_pmp_server *s, uint64_t now,
				      struct nat_pmp_datagram out[NAT_PMP_ANNOUNCE_BATCH])
{
	unsigned n = 0;

	if (!s->announce_left || now < s->announce_at)
		return 0;
	memset(out, 0, sizeof(*out) * NAT_PMP_ANNOUNCE_BATCH);
	out[n].port = NAT_PMP_CLIENT_PORT;
	out[n].len = (uint16_t)nat_pmp_addr_reply(s, NAT_PMP_SUCCESS, now, out[n].data);
	n++;
	out[n].port = NAT_PMP_CLIENT_PORT;
	out[n].len = (uint16_t)pcp_announce(s, now, out[n].data);
	n++;
	if (s->announce_ipv6) {
		out[n] = out[n - 1];
		out[n].ipv6 = true;
		n++;
	}
	s->announce_left--;
	/* A late tick does not bunch the rest of the rounds together. */
	s->announce_at = now + s->announce_gap;
	s->announce_gap *= 2;
	return n;
}

/* A mapping response (RFC 6886 §3.3): 16 bytes. */
static size_t nat_pmp_map_reply(const struct nat_pmp_server *s, uint8_t op, uint16_t result,
				uint16_t int_port, uint16_t ext_port, uint32_t lifetime,
				uint64_t now, uint8_t *out)
{
	out[0] = 0;
	out[1] = (uint8_t)(128 + op);
	nat_pmp_put16(out + 2, result);
	nat_pmp_put32(out + 4, nat_pmp_server_epoch(s, now));
	nat_pmp_put16(out + 8, int_port);
	nat_pmp_put16(out + 10, ext_port);
	nat_pmp_put32(out + 12, lifetime);
	return 16;
}

static uint16_t nat_pmp_result_of(enum nat_lease_status st)
{
	switch (st) {
	case NAT_LEASE_OK:
		return NAT_PMP_SUCCESS;
	case NAT_LEASE_DENIED:
	case NAT_LEASE_UNSUPPORTED:
		return NAT_PMP_NOT_AUTHORIZED;
	case NAT_LEASE_QUOTA:
	case NAT_LEASE_NO_RESOURCES:
	case NAT_LEASE_PORT_UNAVAILABLE:
	default:
		return NAT_PMP_NO_RESOURCES;
	}
}

/* Delete every lease of @client for @proto (internal port 0, lifetime 0). */
static void nat_pmp_delete_all(struct nat_pmp_server *s, uint32_t client, uint8_t proto)
{
	struct nat_lease_table *t = &s->leases;

	for (unsigned i = 0; i < t->n;) {
		if (t->v[i].client == client && t->v[i].proto == proto)
			nat_lease_remove(t, &t->v[i]);
		else
			i++;
	}
}

static size_t nat_pmp_map(struct nat_pmp_server *s, uint32_t client, const uint8_t *req,
			  uint64_t now, uint8_t *out)
{
	uint8_t op = req[1];
	uint8_t proto = op == NAT_PMP_OP_MAP_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	uint16_t int_port = nat_pmp_get16(req + 4);
	uint16_t want = nat_pmp_get16(req + 6);
	uint32_t life = nat_pmp_get32(req + 8);
	struct nat_lease_req r;
	struct nat_lease *l;
	enum nat_lease_status st;

	if (!nat_lease_inside_allowed(&s->leases, client))
		return nat_pmp_map_reply(s, op, NAT_PMP_NOT_AUTHORIZED, int_port, 0, 0, now, out);
	if (life == 0) {
		/* Deletion (§3.4): of one mapping, or of all with internal port 0.
		 * Deleting what does not exist succeeds. */
		if (int_port == 0) {
			nat_pmp_delete_all(s, client, proto);
		} else {
			l = nat_lease_find(&s->leases, client, proto, int_port);
			if (l)
				nat_lease_remove(&s->leases, l);
		}
		return nat_pmp_map_reply(s, op, NAT_PMP_SUCCESS, int_port, 0, 0, now, out);
	}
	if (!s->outside_addr)
		return nat_pmp_map_reply(s, op, NAT_PMP_NETWORK_FAILURE, int_port, 0, 0, now, out);
	if (int_port == 0) /* only meaningful in a deletion */
		return nat_pmp_map_reply(s, op, NAT_PMP_NOT_AUTHORIZED, int_port, 0, 0, now, out);
	r = (struct nat_lease_req){
		.client = client,
		.proto = proto,
		.int_port = int_port,
		.want_port = want,
		.exact = false,
		.lifetime_s = MIN(life, s->leases.policy.max_lifetime_s),
		.kind = NAT_LEASE_PMP,
	};
	st = nat_lease_grant(&s->leases, &r, now, &l);
	if (st != NAT_LEASE_OK)
		return nat_pmp_map_reply(s, op, nat_pmp_result_of(st), int_port, 0, 0, now, out);
	return nat_pmp_map_reply(s, op, NAT_PMP_SUCCESS, int_port, l->outside.port, l->lifetime_s,
				 now, out);
}

size_t nat_pmp_server_handle(struct nat_pmp_server *s, const struct nat_pmp_addr *client,
			     const uint8_t *req, size_t len, uint64_t now, uint8_t *reply,
			     size_t cap)
{
	uint32_t v4;

	if (cap < NAT_PMP_REPLY_MAX || len < 2)
		return 0;
	if (req[0] != 0)
		return pcp_handle(s, client, req, len, now, reply);
	/* NAT-PMP: responses (opcode >= 128) are ignored; it is IPv4 only. */
	if (req[1] >= 128 || !nat_pmp_addr_is_v4(client, &v4))
		return 0;
	switch (req[1]) {
	case NAT_PMP_OP_ADDR:
		return nat_pmp_addr_reply(
			s, s->outside_addr ? NAT_PMP_SUCCESS : NAT_PMP_NETWORK_FAILURE, now, reply);
	case NAT_PMP_OP_MAP_UDP:
	case NAT_PMP_OP_MAP_TCP:
		if (len < 12)
			return 0;
		return nat_pmp_map(s, v4, req, now, reply);
	default:
		/* §3.5: the opcode with the top bit set, result 5, the epoch. */
		reply[0] = 0;
		reply[1] = (uint8_t)(req[1] | 128);
		nat_pmp_put16(reply + 2, NAT_PMP_UNSUPP_OPCODE);
		nat_pmp_put32(reply + 4, nat_pmp_server_epoch(s, now));
		return 8;
	}
}
