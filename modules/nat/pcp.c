/* SPDX-License-Identifier: MIT
 * pcp.c - Port Control Protocol (RFC 6887): ANNOUNCE, MAP and PEER on the shared leases
 */
#include "nat-pmp-private.h"
#include "pcp.h"

#include <string.h>
#include <netinet/in.h>
#include <glib.h>

/**
 * struct pcp_opts - The options of one request
 * @third_party:	THIRD_PARTY seen; @tp is its address
 * @tp:			The internal address THIRD_PARTY names
 * @prefer_failure:	PREFER_FAILURE seen
 * @filter_restricts:	A FILTER with a non-zero prefix length (one that asks
 *			for inbound traffic to be limited) seen
 * @echo_len:		Bytes in @echo
 * @echo:		The options understood, as received, for the response
 */
struct pcp_opts {
	bool third_party;
	struct nat_pmp_addr tp;
	bool prefer_failure;
	bool filter_restricts;
	size_t echo_len;
	uint8_t echo[PCP_MAX_LEN];
};

static uint32_t pcp_error_lifetime(uint8_t result)
{
	switch (result) {
	case PCP_NETWORK_FAILURE:
	case PCP_NO_RESOURCES:
	case PCP_USER_EX_QUOTA:
	case PCP_CANNOT_PROVIDE_EXTERNAL:
		return PCP_SHORT_ERROR_LIFETIME;
	default:
		return PCP_LONG_ERROR_LIFETIME;
	}
}

/* The response header (§7.2); the 96 reserved bits are zero. */
static void pcp_header(const struct nat_pmp_server *s, uint8_t *out, uint8_t op, uint8_t result,
		       uint32_t lifetime, uint64_t now)
{
	memset(out, 0, PCP_HDR_LEN);
	out[0] = PCP_VERSION;
	out[1] = (uint8_t)(PCP_R_BIT | op);
	out[3] = result;
	nat_pmp_put32(out + 4, lifetime);
	nat_pmp_put32(out + 8, nat_pmp_server_epoch(s, now));
}

/*
 * The error response to a request that could not be parsed (§8.3): the
 * header with the last 96 bits of the request's client address copied into
 * the reserved field, then @copy bytes of the request after its header.
 */
static size_t pcp_unparsed_error(const struct nat_pmp_server *s, const uint8_t *req, size_t len,
				 uint8_t result, size_t copy, uint64_t now, uint8_t *reply)
{
	pcp_header(s, reply, req[1] & 0x7f, result, pcp_error_lifetime(result), now);
	if (len > 12)
		memcpy(reply + 12, req + 12, MIN(len, (size_t)PCP_HDR_LEN) - 12);
	if (len <= PCP_HDR_LEN)
		return PCP_HDR_LEN;
	copy = MIN(copy, MIN(len, (size_t)PCP_MAX_LEN) - PCP_HDR_LEN) & ~(size_t)3;
	memcpy(reply + PCP_HDR_LEN, req + PCP_HDR_LEN, copy);
	return PCP_HDR_LEN + copy;
}

size_t pcp_announce(const struct nat_pmp_server *s, uint64_t now, uint8_t *out)
{
	pcp_header(s, out, PCP_OP_ANNOUNCE, PCP_SUCCESS, 0, now);
	return PCP_HDR_LEN;
}

static bool pcp_addr_is_zero(const struct nat_pmp_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->b, zero, 16) == 0;
}

/* Parse the options (§7.3) at @p; PCP_SUCCESS or the error to return. */
static uint8_t pcp_parse_options(uint8_t op, const uint8_t *p, size_t len, struct pcp_opts *o)
{
	size_t off = 0;

	while (off < len) {
		const uint8_t *d = p + off + 4;
		uint8_t code;
		uint16_t olen;
		size_t total;

		if (len - off < 4)
			return PCP_MALFORMED_OPTION;
		code = p[off];
		olen = nat_pmp_get16(p + off + 2);
		total = 4 + (((size_t)olen + 3) & ~(size_t)3);
		if (total > len - off)
			return PCP_MALFORMED_OPTION;
		switch (code) {
		case PCP_OPT_THIRD_PARTY:
			if (op == PCP_OP_ANNOUNCE)
				return PCP_UNSUPP_OPTION;
			if (olen != 16 || o->third_party)
				return PCP_MALFORMED_OPTION;
			o->third_party = true;
			memcpy(o->tp.b, d, 16);
			break;
		case PCP_OPT_PREFER_FAILURE:
			if (op != PCP_OP_MAP)
				return PCP_UNSUPP_OPTION;
			if (olen != 0 || o->prefer_failure)
				return PCP_MALFORMED_OPTION;
			o->prefer_failure = true;
			break;
		case PCP_OPT_FILTER: {
			struct nat_pmp_addr peer;
			uint32_t v4;
			uint8_t plen;

			if (op != PCP_OP_MAP)
				return PCP_UNSUPP_OPTION;
			if (olen != 20)
				return PCP_MALFORMED_OPTION;
			plen = d[1];
			memcpy(peer.b, d + 4, 16);
			/* §13.3 with erratum 3891: IPv4 97..128, IPv6 1..128; 0 clears. */
			if (plen > 128 || (plen && nat_pmp_addr_is_v4(&peer, &v4) && plen < 97))
				return PCP_MALFORMED_OPTION;
			if (plen)
				o->filter_restricts = true;
			break;
		}
		default:
			if (code < 128)
				return PCP_UNSUPP_OPTION; /* mandatory to process */
			off += total;			  /* optional: skipped, not echoed */
			continue;
		}
		memcpy(o->echo + o->echo_len, p + off, total);
		o->echo_len += total;
		off += total;
	}
	return PCP_SUCCESS;
}

/* Finish a parsed MAP/PEER response of @n bytes: the header. */
static size_t pcp_finish(const struct nat_pmp_server *s, uint8_t *reply, uint8_t op, uint8_t result,
			 uint32_t lifetime, uint64_t now, size_t n)
{
	pcp_header(s, reply, op, result,
		   result == PCP_SUCCESS ? lifetime : pcp_error_lifetime(result), now);
	return n;
}

static uint8_t pcp_result_of(enum nat_lease_status st)
{
	switch (st) {
	case NAT_LEASE_OK:
		return PCP_SUCCESS;
	case NAT_LEASE_DENIED:
		return PCP_NOT_AUTHORIZED;
	case NAT_LEASE_QUOTA:
		return PCP_USER_EX_QUOTA;
	case NAT_LEASE_PORT_UNAVAILABLE:
		return PCP_CANNOT_PROVIDE_EXTERNAL;
	case NAT_LEASE_UNSUPPORTED:
		return PCP_UNSUPP_PROTOCOL;
	case NAT_LEASE_NO_RESOURCES:
	default:
		return PCP_NO_RESOURCES;
	}
}

static bool pcp_nonce_ok(const struct nat_lease *l, const uint8_t *nonce)
{
	return !l->has_nonce || memcmp(l->nonce, nonce, NAT_LEASE_NONCE_LEN) == 0;
}

/* Write the assigned external endpoint into a MAP/PEER response body. */
static void pcp_put_external(uint8_t *body, const struct nat_endpoint4 *ext)
{
	struct nat_pmp_addr a = nat_pmp_addr_v4(ext->addr);

	nat_pmp_put16(body + 18, ext->port);
	memcpy(body + 20, a.b, 16);
}

/* MAP or PEER with lifetime 0 (§11.3, §15): delete. */
static size_t pcp_delete(struct nat_pmp_server *s, uint8_t op, uint32_t inside, uint8_t proto,
			 uint16_t int_port, const uint8_t *nonce, uint64_t now, uint8_t *reply,
			 size_t n)
{
	struct nat_lease_table *t = &s->leases;
	struct nat_lease *l;

	if (proto == 0 || int_port == 0) {
		/* All the client's mappings (of @proto) made with this nonce. */
		for (unsigned i = 0; i < t->n;) {
			l = &t->v[i];
			if (l->client == inside && (proto == 0 || l->proto == proto) &&
			    pcp_nonce_ok(l, nonce))
				nat_lease_remove(t, l);
			else
				i++;
		}
		return pcp_finish(s, reply, op, PCP_SUCCESS, 0, now, n);
	}
	l = nat_lease_find(t, inside, proto, int_port);
	if (l && !pcp_nonce_ok(l, nonce))
		return pcp_finish(s, reply, op, PCP_NOT_AUTHORIZED, 0, now, n);
	/* A PEER deletion does not remove a port forward made by MAP or NAT-PMP. */
	if (l && (op == PCP_OP_MAP || l->kind == NAT_LEASE_PEER)) {
		pcp_put_external(reply + PCP_HDR_LEN, &l->outside);
		nat_lease_remove(t, l);
	}
	return pcp_finish(s, reply, op, PCP_SUCCESS, 0, now, n);
}

/* MAP (§11) and PEER (§12): the request is parsed, options in @o. */
static size_t pcp_mapping(struct nat_pmp_server *s, const struct nat_pmp_addr *client,
			  const uint8_t *req, uint8_t op, const struct pcp_opts *o, uint64_t now,
			  uint8_t *reply)
{
	const uint8_t *b = req + PCP_HDR_LEN;
	size_t body_len = op == PCP_OP_MAP ? PCP_MAP_LEN : PCP_PEER_LEN;
	const uint8_t *nonce = b;
	uint8_t proto = b[12];
	uint16_t int_port = nat_pmp_get16(b + 16);
	uint16_t want = nat_pmp_get16(b + 18);
	uint32_t life = nat_pmp_get32(req + 4);
	const struct nat_lease_policy *pol = &s->leases.policy;
	struct nat_pmp_addr sugg, in6 = o->third_party ? o->tp : *client;
	struct nat_lease_req r;
	struct nat_lease *l;
	enum nat_lease_status st;
	uint32_t inside, want_addr;
	bool addr_ok;
	size_t n;

	/* An error response copies the request's fields; success overwrites
	 * the assigned port and address. Understood options are echoed. */
	memcpy(reply + PCP_HDR_LEN, b, body_len);
	memcpy(reply + PCP_HDR_LEN + body_len, o->echo, o->echo_len);
	n = PCP_HDR_LEN + body_len + o->echo_len;
	memcpy(sugg.b, b + 20, 16);

	if (o->third_party && !pol->allow_third_party)
		return pcp_finish(s, reply, op, PCP_NOT_AUTHORIZED, 0, now, n);
	if (op == PCP_OP_PEER) {
		struct nat_pmp_addr peer;
		uint32_t peer4;

		memcpy(peer.b, b + 40, 16);
		if (proto == 0 || int_port == 0 || nat_pmp_get16(b + 36) == 0 ||
		    pcp_addr_is_zero(&peer) || (nat_pmp_addr_is_v4(&peer, &peer4) && peer4 == 0))
			return pcp_finish(s, reply, op, PCP_MALFORMED_REQUEST, 0, now, n);
	} else if (proto == 0 && int_port != 0) {
		return pcp_finish(s, reply, op, PCP_MALFORMED_REQUEST, 0, now, n);
	}
	/* A NAT44 has no IPv6 inside hosts to map. */
	if (!nat_pmp_addr_is_v4(&in6, &inside) || !nat_lease_inside_allowed(&s->leases, inside))
		return pcp_finish(s, reply, op, PCP_NOT_AUTHORIZED, 0, now, n);
	if (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return pcp_finish(s, reply, op, PCP_UNSUPP_PROTOCOL, 0, now, n);
	if (life == 0)
		return pcp_delete(s, op, inside, proto, int_port, nonce, now, reply, n);
	/* All-protocol and all-port mappings are not something a NAPT gives. */
	if (proto == 0 || int_port == 0)
		return pcp_finish(s, reply, op, PCP_UNSUPP_PROTOCOL, 0, now, n);
	if (!s->outside_addr)
		return pcp_finish(s, reply, op, PCP_NETWORK_FAILURE, 0, now, n);
	/* The core cannot limit a forward to some remote peers: a FILTER that
	 * asks for it is mandatory to process and not supported. */
	if (o->filter_restricts)
		return pcp_finish(s, reply, op, PCP_UNSUPP_OPTION, 0, now, n);
	if (nat_pmp_addr_is_v4(&sugg, &want_addr))
		addr_ok = want_addr == 0 || want_addr == s->outside_addr;
	else
		addr_ok = pcp_addr_is_zero(&sugg);
	if (!addr_ok && o->prefer_failure)
		return pcp_finish(s, reply, op, PCP_CANNOT_PROVIDE_EXTERNAL, 0, now, n);

	l = nat_lease_find(&s->leases, inside, proto, int_port);
	if (l && !pcp_nonce_ok(l, nonce))
		return pcp_finish(s, reply, op, PCP_NOT_AUTHORIZED, 0, now, n);
	if (l && o->prefer_failure && want && want != l->outside.port)
		return pcp_finish(s, reply, op, PCP_CANNOT_PROVIDE_EXTERNAL, 0, now, n);
	if (l && op == PCP_OP_PEER && l->kind != NAT_LEASE_PEER) {
		/* PEER on a port forward: report it, leave its lifetime alone. */
		uint64_t left = l->expires > now ? (l->expires - now) / 1000000000ull : 0;

		pcp_put_external(reply + PCP_HDR_LEN, &l->outside);
		return pcp_finish(s, reply, op, PCP_SUCCESS, (uint32_t)left, now, n);
	}
	r = (struct nat_lease_req){
		.client = inside,
		.proto = proto,
		.int_port = int_port,
		.want_port = want,
		.exact = o->prefer_failure && want != 0,
		.lifetime_s = CLAMP(life, pol->min_lifetime_s, pol->max_lifetime_s),
		.kind = op == PCP_OP_MAP ? NAT_LEASE_MAP : NAT_LEASE_PEER,
		.nonce = nonce,
	};
	st = nat_lease_grant(&s->leases, &r, now, &l);
	if (st != NAT_LEASE_OK)
		return pcp_finish(s, reply, op, pcp_result_of(st), 0, now, n);
	pcp_put_external(reply + PCP_HDR_LEN, &l->outside);
	return pcp_finish(s, reply, op, PCP_SUCCESS, l->lifetime_s, now, n);
}

size_t pcp_handle(struct nat_pmp_server *s, const struct nat_pmp_addr *client, const uint8_t *req,
		  size_t len, uint64_t now, uint8_t *reply)
{
	struct pcp_opts o = { 0 };
	size_t body_len, n;
	uint8_t op, result;

	/* §8.3: runts and responses get nothing. */
	if (len < 2 || (req[1] & PCP_R_BIT))
		return 0;
	op = req[1] & 0x7f;
	if (req[0] != PCP_VERSION)
		return pcp_unparsed_error(s, req, len, PCP_UNSUPP_VERSION, 0, now, reply);
	if (op > PCP_OP_PEER)
		return pcp_unparsed_error(s, req, len, PCP_UNSUPP_OPCODE, PCP_MAX_LEN, now, reply);
	if (len < PCP_HDR_LEN || len % 4 || len > PCP_MAX_LEN)
		return pcp_unparsed_error(s, req, len, PCP_MALFORMED_REQUEST, PCP_MAX_LEN, now,
					  reply);
	body_len = op == PCP_OP_MAP ? PCP_MAP_LEN : op == PCP_OP_PEER ? PCP_PEER_LEN : 0;
	if (memcmp(req + 8, client->b, 16) != 0) {
		n = pcp_unparsed_error(s, req, len, PCP_ADDRESS_MISMATCH, PCP_MAX_LEN, now, reply);
		memset(reply + 12, 0, 12); /* the request was parsed */
		return n;
	}
	if (len < PCP_HDR_LEN + body_len)
		return pcp_unparsed_error(s, req, len, PCP_MALFORMED_REQUEST, PCP_MAX_LEN, now,
					  reply);
	result = pcp_parse_options(op, req + PCP_HDR_LEN + body_len, len - PCP_HDR_LEN - body_len,
				   &o);
	if (result != PCP_SUCCESS)
		return pcp_unparsed_error(s, req, len, result, body_len, now, reply);
	if (op == PCP_OP_ANNOUNCE)
		return pcp_finish(s, reply, op, PCP_SUCCESS, 0, now, PCP_HDR_LEN);
	return pcp_mapping(s, client, req, op, &o, now, reply);
}
