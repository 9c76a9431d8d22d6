// SPDX-License-Identifier: MIT
/* l3-router.c - Device type l3.router: longest-prefix IPv4/IPv6 forwarding between L3 ports */
#include <pktkit/error.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/module.h>
#include <pktkit/toolkit/lpm.h>

#include "hub-types.h"
#include "port-set.h"

/* Parameters ----------------------------------------------------------- */

struct l3_router_route_rec {
	struct pk_prefix prefix;
	uint32_t port;
};

struct l3_router_config {
	struct pk_list routes;
	int64_t default_port;
	uint32_t link_local;
	uint32_t mtu;
};

enum { L3_ROUTER_P_ROUTES, L3_ROUTER_P_DEFAULT_PORT, L3_ROUTER_P_LINK_LOCAL, L3_ROUTER_P_MTU };

enum { L3_LINK_LOCAL_FLOOD, L3_LINK_LOCAL_DROP };

static const struct pk_param_enum l3_router_link_local_modes[] = {
	{ "flood", L3_LINK_LOCAL_FLOOD },
	{ "drop", L3_LINK_LOCAL_DROP },
	{ NULL, 0 },
};

static const struct pk_param l3_router_route_fields[] = {
	PK_PARAM_PREFIX(struct l3_router_route_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"Destination network, \"10.1.0.0/16\" or \"fd00:1::/64\" (host bits are "
			"ignored)"),
	PK_PARAM_U32(struct l3_router_route_rec, port, "port", NULL, 0, 65535, PK_PF_REQUIRED,
		     "Index N of the port \"<router>.port.N\" packets for it leave through"),
};

static const struct pk_param_record l3_router_route_record = {
	PK_ARRAY(params, l3_router_route_fields),
	.record_size = sizeof(struct l3_router_route_rec),
};

static const struct pk_param l3_router_params[] = {
	[L3_ROUTER_P_ROUTES] = PK_PARAM_LIST(
		struct l3_router_config, routes, "routes", &l3_router_route_record, 0, 0,
		PK_PF_LIVE,
		"Routes {\"prefix\": P, \"port\": N}, connected networks and static routes alike; "
		"the longest matching prefix wins"),
	[L3_ROUTER_P_DEFAULT_PORT] = PK_PARAM_I64(
		struct l3_router_config, default_port, "default-port", "-1", -1, 65535, PK_PF_LIVE,
		"Port of the default route (0.0.0.0/0 and ::/0), -1 for none; an explicit /0 "
		"route in 'routes' takes precedence"),
	[L3_ROUTER_P_LINK_LOCAL] = PK_PARAM_ENUM(
		struct l3_router_config, link_local, "link-local", "\"flood\"",
		l3_router_link_local_modes, PK_PF_LIVE,
		"Link-scoped broadcast and multicast (255.255.255.255, 224.0.0.0/24, ff02::/16): "
		"flood to the other ports unchanged, or drop"),
	[L3_ROUTER_P_MTU] = PK_PARAM_U32(
		struct l3_router_config, mtu, "mtu", "0", 0, 65535, PK_PF_LIVE,
		"Largest IP packet sent on any port, in bytes; larger ones are dropped "
		"(dropped-too-big), a TCP super-packet is judged by the size of its segments; "
		"0 for no limit"),
};

/* Counters -------------------------------------------------------------- */

#define L3_ROUTER_COUNTERS(_)                                                   \
	_(L3_ROUTER_FORWARDED, "forwarded", "Unicast packets routed to a port") \
	_(L3_ROUTER_FLOODED, "flooded",                                         \
	  "Broadcast and multicast packets sent to every other port")           \
	_(L3_ROUTER_DROPPED_INVALID, "dropped-invalid",                         \
	  "Packets that are not well-formed IPv4 or IPv6 (version, "            \
	  "header or length fields)")                                           \
	_(L3_ROUTER_DROPPED_BAD_CHECKSUM, "dropped-bad-checksum",               \
	  "IPv4 packets whose header checksum is wrong")                        \
	_(L3_ROUTER_DROPPED_BAD_ADDRESS, "dropped-bad-address",                 \
	  "Packets with an impossible address: multicast, "                     \
	  "broadcast or loopback source, 0.0.0.0/8, 127/8, :: or "              \
	  "::1 destination")                                                    \
	_(L3_ROUTER_DROPPED_SCOPE, "dropped-scope",                             \
	  "Packets that must not leave their link: link-local "                 \
	  "unicast (fe80::/10), interface-local multicast, and "                \
	  "link-scoped traffic when link-local is \"drop\"")                    \
	_(L3_ROUTER_DROPPED_NO_ROUTE, "dropped-no-route",                       \
	  "Unicast packets matching no route of a linked port")                 \
	_(L3_ROUTER_DROPPED_SAME_PORT, "dropped-same-port",                     \
	  "Unicast packets whose route leads back out of the port "             \
	  "they came in on")                                                    \
	_(L3_ROUTER_DROPPED_TTL_EXPIRED, "dropped-ttl-expired",                 \
	  "Packets to route that arrived with TTL or hop limit "                \
	  "0 or 1")                                                             \
	_(L3_ROUTER_DROPPED_TOO_BIG, "dropped-too-big",                         \
	  "Packets larger than 'mtu', and super-packets whose "                 \
	  "segments would be")
PK_COUNTERS_DECLARE(l3_router_counters, L3_ROUTER_COUNTERS);

static const struct pk_port_group l3_router_ports[] = {
	{ "port", PK_L3, 0, 65535, "Router ports; link as many as needed", PK_PORT_F_OFFLOAD },
};

/* Instance -------------------------------------------------------------- */

struct l3_router {
	struct port_set ports;
	struct pk_lpm_route *routes; /* configured, default routes included */
	uint32_t n_routes;
	struct pk_lpm *table; /* routes whose port is linked */
	uint32_t link_local;
	uint32_t mtu;			/* 0: no limit */
	uint64_t *ctr;			/* pk_dev_counters(), valid until finalize */
};

/* (Re)build the forwarding table from the routes whose port is linked. */
static void l3_router_rebuild(struct l3_router *r)
{
	g_autofree struct pk_lpm_route *active = g_new(struct pk_lpm_route, MAX(r->n_routes, 1u));
	struct pk_lpm *next;
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->n_routes; i++)
		if (port_set_at(&r->ports, r->routes[i].value) != PORT_SET_NONE)
			active[n++] = r->routes[i];
	/* A subset of a list that built once cannot fail. */
	next = pk_lpm_build(active, n, NULL, NULL);
	g_assert(next);
	pk_lpm_free(r->table);
	r->table = next;
}

/* Routes of a configuration, the default-port routes appended. */
static bool l3_router_routes_parse(const struct l3_router_config *cfg, struct pk_lpm_route **out,
				   uint32_t *n_out, GError **error)
{
	const struct l3_router_route_rec *rec = cfg->routes.items;
	g_autofree struct pk_lpm_route *routes = g_new0(struct pk_lpm_route, cfg->routes.n + 2);
	bool has_default4 = false, has_default6 = false;
	g_autoptr(GError) err = NULL;
	struct pk_lpm *check;
	uint32_t n = 0;
	size_t bad[2];

	for (uint32_t i = 0; i < cfg->routes.n; i++) {
		struct pk_lpm_route *rt = &routes[n++];

		rt->family = rec[i].prefix.family;
		rt->len = rec[i].prefix.len;
		memcpy(rt->addr, rec[i].prefix.addr, sizeof(rt->addr));
		rt->value = rec[i].port;
		has_default4 |= rt->family == 4 && rt->len == 0;
		has_default6 |= rt->family == 6 && rt->len == 0;
	}
	if (cfg->default_port >= 0) {
		if (!has_default4)
			routes[n++] = (struct pk_lpm_route){ .family = 4,
							     .value = (uint32_t)cfg->default_port };
		if (!has_default6)
			routes[n++] = (struct pk_lpm_route){ .family = 6,
							     .value = (uint32_t)cfg->default_port };
	}
	check = pk_lpm_build(routes, n, bad, &err);
	if (!check && g_error_matches(err, PK_ERROR, PK_ERROR_EXISTS)) {
		char text[PK_PREFIX_STRLEN];

		pk_prefix_format(&rec[bad[0]].prefix, text);
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "routes[%zu]: %s is already routed to port %u by routes[%zu]", bad[0],
			    text, rec[bad[1]].port, bad[1]);
		return false;
	}
	if (!check) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "routes[%zu]: not a valid route",
			    bad[0]);
		return false;
	}
	pk_lpm_free(check);
	*out = g_steal_pointer(&routes);
	*n_out = n;
	return true;
}

static int l3_router_reconfigure(struct pk_dev *dev, void *self, const void *config,
				 uint64_t changed, GError **error)
{
	const struct l3_router_config *cfg = config;
	struct l3_router *r = self;

	if (changed & (PK_PARAM_BIT(L3_ROUTER_P_ROUTES) | PK_PARAM_BIT(L3_ROUTER_P_DEFAULT_PORT))) {
		struct pk_lpm_route *routes;
		uint32_t n;

		if (!l3_router_routes_parse(cfg, &routes, &n, error))
			return -1;
		g_free(r->routes);
		r->routes = routes;
		r->n_routes = n;
		l3_router_rebuild(r);
	}
	r->link_local = cfg->link_local;
	r->mtu = cfg->mtu;
	return 0;
}

static int l3_router_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct l3_router *r = self;

	r->ctr = pk_dev_counters(dev);
	return l3_router_reconfigure(dev, self, config, UINT64_MAX, error);
}

static void l3_router_finalize(struct pk_dev *dev, void *self)
{
	struct l3_router *r = self;

	pk_lpm_free(r->table);
	port_set_free(&r->ports);
	g_free(r->routes);
}

static int l3_router_link(struct pk_dev *dev, void *self, uint32_t port, GError **error)
{
	struct l3_router *r = self;

	port_set_add(&r->ports, PK_PORT_INDEX(port));
	l3_router_rebuild(r);
	return 0;
}

static void l3_router_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	struct l3_router *r = self;

	port_set_remove(&r->ports, PK_PORT_INDEX(port));
	l3_router_rebuild(r);
}

/* Data path --------------------------------------------------------------- */

/* What to do with one packet. */
enum l3_action {
	L3_DROP,		/* counted already */
	L3_ROUTE,		/* unicast to @pos, TTL decremented */
	L3_FLOOD_LINK,		/* link-scoped: every other port, unchanged */
	L3_FLOOD_ROUTED,	/* wider-scope multicast: every other port, TTL decremented */
};

/*
 * The last destination of each family looked up in this batch: consecutive
 * packets of one flow skip the table (it cannot change within a batch).
 */
struct l3_last {
	bool has4;
	bool has6;
	uint32_t dst4;
	uint32_t port4;
	uint64_t dst6[2];
	uint32_t port6;
};

/* One's-complement check of an IPv4 header (inline for the usual 20 bytes). */
static inline bool l3_ip4_csum_ok(const uint8_t *hdr, uint32_t hdr_len)
{
	if (G_LIKELY(hdr_len == PK_IP4_HLEN)) {
		uint64_t a, b;
		uint32_t c;
		uint64_t s;

		memcpy(&a, hdr, 8);
		memcpy(&b, hdr + 8, 8);
		memcpy(&c, hdr + 16, 4);
		/* Summing 32-bit words in host order and folding gives the
		 * 16-bit one's-complement sum, byte-swapped on little-endian
		 * hosts, and 0xffff is its own swap. */
		s = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) + c;
		s = (s & 0xffffffff) + (s >> 32);
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
		return s == 0xffff;
	}
	return pk_csum_ok(hdr, hdr_len, 0);
}

static inline bool l3_ip4_bad_source(uint32_t src)
{
	/* 0.0.0.0/8, 127/8, multicast, class E and limited broadcast. */
	return (src >> 24) == 0 || (src >> 24) == 127 || (src >> 28) >= 0xe;
}

/* The checks every routed unicast packet passes once its route is known:
 * a route exists, leads elsewhere, the TTL/hop limit allows one more hop, and
 * the port is linked. */
static inline enum l3_action l3_router_next_hop(struct l3_router *r, uint64_t *ctr,
						uint32_t port, uint32_t in, uint8_t ttl,
						uint32_t *pos)
{
	if (G_UNLIKELY(port == PK_LPM_NONE)) {
		ctr[L3_ROUTER_DROPPED_NO_ROUTE]++;
		return L3_DROP;
	}
	if (G_UNLIKELY(port == in)) {
		ctr[L3_ROUTER_DROPPED_SAME_PORT]++;
		return L3_DROP;
	}
	if (G_UNLIKELY(ttl <= 1)) {
		ctr[L3_ROUTER_DROPPED_TTL_EXPIRED]++;
		return L3_DROP;
	}
	*pos = port_set_at(&r->ports, port);
	if (G_UNLIKELY(*pos == PORT_SET_NONE)) {	/* only linked ports have routes */
		ctr[L3_ROUTER_DROPPED_NO_ROUTE]++;
		return L3_DROP;
	}
	return L3_ROUTE;
}

static inline enum l3_action l3_classify4(struct l3_router *r, uint64_t *ctr,
					  struct l3_last *last, const uint8_t *d, uint32_t len,
					  uint32_t in, uint32_t *pos)
{
	uint32_t hdr_len, total, src, dst;

	if (G_UNLIKELY(len < PK_IP4_HLEN)) {
		ctr[L3_ROUTER_DROPPED_INVALID]++;
		return L3_DROP;
	}
	hdr_len = (uint32_t)(d[0] & 0x0f) * 4;
	total = pk_get_be16(d + 2);
	if (G_UNLIKELY(hdr_len < PK_IP4_HLEN || hdr_len > total || total > len)) {
		ctr[L3_ROUTER_DROPPED_INVALID]++;
		return L3_DROP;
	}
	if (G_UNLIKELY(!l3_ip4_csum_ok(d, hdr_len))) {
		ctr[L3_ROUTER_DROPPED_BAD_CHECKSUM]++;
		return L3_DROP;
	}
	src = pk_get_be32(d + 12);
	dst = pk_get_be32(d + 16);

	if (G_UNLIKELY((dst >> 28) == 0xe || dst == 0xffffffffu)) {
		bool link_scope = dst == 0xffffffffu || (dst & 0xffffff00u) == 0xe0000000u;

		/* 0.0.0.0/8 is a valid source on the link (DHCP), not beyond it. */
		if (link_scope ? (src >> 28) >= 0xe || (src >> 24) == 127
			       : l3_ip4_bad_source(src)) {
			ctr[L3_ROUTER_DROPPED_BAD_ADDRESS]++;
			return L3_DROP;
		}
		if (link_scope) {
			if (r->link_local == L3_LINK_LOCAL_DROP) {
				ctr[L3_ROUTER_DROPPED_SCOPE]++;
				return L3_DROP;
			}
			return L3_FLOOD_LINK;
		}
		if (d[8] <= 1) {
			ctr[L3_ROUTER_DROPPED_TTL_EXPIRED]++;
			return L3_DROP;
		}
		return L3_FLOOD_ROUTED;
	}
	if (G_UNLIKELY(l3_ip4_bad_source(src) || (dst >> 24) == 0 || (dst >> 24) == 127)) {
		ctr[L3_ROUTER_DROPPED_BAD_ADDRESS]++;
		return L3_DROP;
	}
	if (!last->has4 || last->dst4 != dst) {
		last->has4 = true;
		last->dst4 = dst;
		last->port4 = pk_lpm_lookup4(r->table, d + 16);
	}
	return l3_router_next_hop(r, ctr, last->port4, in, d[8], pos);
}

static inline bool l3_ip6_is_unspecified_or_loopback(const uint8_t *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return hi == 0 && (lo == 0 || lo == GUINT64_TO_BE(1));
}

static inline bool l3_ip6_is_loopback(const uint8_t *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return hi == 0 && lo == GUINT64_TO_BE(1);
}

static inline bool l3_ip6_is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static inline enum l3_action l3_classify6(struct l3_router *r, uint64_t *ctr,
					  struct l3_last *last, const uint8_t *d, uint32_t len,
					  uint32_t in, uint32_t *pos)
{
	const uint8_t *src = d + 8, *dst = d + 24;
	uint32_t port;

	if (G_UNLIKELY(len < PK_IP6_HLEN || PK_IP6_HLEN + pk_get_be16(d + 4) > len)) {
		ctr[L3_ROUTER_DROPPED_INVALID]++;
		return L3_DROP;
	}
	if (G_UNLIKELY(src[0] == 0xff)) {
		ctr[L3_ROUTER_DROPPED_BAD_ADDRESS]++;
		return L3_DROP;
	}
	if (G_UNLIKELY(dst[0] == 0xff)) {
		uint32_t scope = dst[1] & 0x0f;

		if (scope <= 1) {	/* reserved, interface-local */
			ctr[L3_ROUTER_DROPPED_SCOPE]++;
			return L3_DROP;
		}
		if (scope == 2) {	/* link-local: :: and fe80:: sources are fine */
			if (l3_ip6_is_loopback(src)) {
				ctr[L3_ROUTER_DROPPED_BAD_ADDRESS]++;
				return L3_DROP;
			}
			if (r->link_local == L3_LINK_LOCAL_DROP) {
				ctr[L3_ROUTER_DROPPED_SCOPE]++;
				return L3_DROP;
			}
			return L3_FLOOD_LINK;
		}
		if (l3_ip6_is_unspecified_or_loopback(src)) {
			ctr[L3_ROUTER_DROPPED_BAD_ADDRESS]++;
			return L3_DROP;
		}
		if (l3_ip6_is_link_local(src)) {
			ctr[L3_ROUTER_DROPPED_SCOPE]++;
			return L3_DROP;
		}
		if (d[7] <= 1) {
			ctr[L3_ROUTER_DROPPED_TTL_EXPIRED]++;
			return L3_DROP;
		}
		return L3_FLOOD_ROUTED;
	}
	if (G_UNLIKELY(l3_ip6_is_unspecified_or_loopback(src) ||
		       l3_ip6_is_unspecified_or_loopback(dst))) {
		ctr[L3_ROUTER_DROPPED_BAD_ADDRESS]++;
		return L3_DROP;
	}
	if (G_UNLIKELY(l3_ip6_is_link_local(src) || l3_ip6_is_link_local(dst))) {
		ctr[L3_ROUTER_DROPPED_SCOPE]++;
		return L3_DROP;
	}
	{
		uint64_t a[2];

		memcpy(a, dst, sizeof(a));
		if (!last->has6 || last->dst6[0] != a[0] || last->dst6[1] != a[1]) {
			last->has6 = true;
			last->dst6[0] = a[0];
			last->dst6[1] = a[1];
			last->port6 = pk_lpm_lookup6(r->table, dst);
		}
		port = last->port6;
	}
	return l3_router_next_hop(r, ctr, port, in, d[7], pos);
}

/*
 * Decrement the TTL of an IPv4 header and fix its checksum: RFC 1624 eq. 3,
 * HC' = ~(~HC + ~m + m'), for the word m holding TTL and protocol. With
 * m' = m - 0x0100, ~m + m' is the constant 0xfeff. This is what
 * pk_ip4_dec_ttl() computes, with the constant folded in.
 */
static inline void l3_ip4_dec_ttl(uint8_t *hdr)
{
	uint32_t sum = (uint16_t)~pk_get_be16(hdr + 10) + 0xfeffu;

	sum = (sum & 0xffff) + (sum >> 16);	/* at most 0xfeff: no second carry */
	hdr[8]--;
	pk_put_be16(hdr + 10, (uint16_t)~sum);
}

/* A writable @b with TTL / hop limit decremented and link padding trimmed. */
static inline struct pk_buf *l3_router_hop(struct pk_dev *dev, struct pk_buf *b)
{
	uint8_t *d;

	if (pk_buf_is_shared(b)) {	/* pk_buf_writable() returns @b otherwise */
		b = pk_buf_writable(dev, b);
		if (G_UNLIKELY(!b))
			return NULL;
	}
	d = pk_buf_data(b);
	if ((d[0] >> 4) == 4) {
		l3_ip4_dec_ttl(d);	/* TTL > 1 was checked */
		pk_buf_trim(b, pk_get_be16(d + 2));
	} else {
		d[7]--;
		pk_buf_trim(b, PK_IP6_HLEN + pk_get_be16(d + 4));
	}
	return b;
}

/*
 * Whether a packet that passed classification is larger than the MTU. A TCP
 * super-packet is sent as segments of gso_size payload behind its IP and TCP
 * headers (cut by whoever cannot take it whole), so their size counts, not
 * the 64 KB of the buffer; the TCP header starts at the checksum start when
 * one is given (IPv6 extension headers), else right after the IP header.
 * A super-packet too malformed to tell is left to the segmentation, which
 * drops it.
 */
static bool l3_router_too_big(const struct pk_buf *b, const uint8_t *d, uint32_t mtu)
{
	bool v4 = (d[0] >> 4) == 4;
	uint32_t ip_len = v4 ? pk_get_be16(d + 2) : PK_IP6_HLEN + pk_get_be16(d + 4);
	uint32_t l4, seg;

	if (G_LIKELY(ip_len <= mtu))
		return false;
	if (!b->gso_size)
		return true;
	if (b->csum == PK_CSUM_PARTIAL && pk_buf_csum_start(b) > 0)
		l4 = (uint32_t)pk_buf_csum_start(b);
	else
		l4 = v4 ? (uint32_t)(d[0] & 0x0f) * 4 : PK_IP6_HLEN;
	if (l4 + PK_TCP_HLEN > ip_len)
		return false;
	seg = l4 + (uint32_t)(d[l4 + 12] >> 4) * 4 + b->gso_size;
	return MIN(seg, ip_len) > mtu;
}

static void l3_router_flood(struct l3_router *r, struct pk_dev *dev, uint64_t *ctr,
			    uint32_t in_pos, struct pk_buf *b)
{
	struct port_set *ps = &r->ports;

	ctr[L3_ROUTER_FLOODED]++;
	port_set_flood(ps, dev, in_pos, b);
}

static void l3_router_receive(struct pk_dev *dev, void *self, uint32_t port,
			      const struct pk_batch *batch)
{
	struct l3_router *r = self;
	uint64_t *ctr = r->ctr;
	uint32_t in = PK_PORT_INDEX(port), in_pos = port_set_at(&r->ports, in);
	uint64_t forwarded = 0;	/* the common counter stays in a register */
	struct l3_last last = { 0 };
	struct pset_run run;

	if (G_UNLIKELY(in_pos == PORT_SET_NONE))
		return;	/* a delivery queued before the port was unlinked */
	port_run_init(&run);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		const uint8_t *d = pk_buf_data(b);
		uint32_t len = pk_buf_len(b), pos = PORT_SET_NONE;
		enum l3_action act;

		if (G_LIKELY(len > 0 && (d[0] >> 4) == 4)) {
			act = l3_classify4(r, ctr, &last, d, len, in, &pos);
		} else if (len > 0 && (d[0] >> 4) == 6) {
			act = l3_classify6(r, ctr, &last, d, len, in, &pos);
		} else {
			ctr[L3_ROUTER_DROPPED_INVALID]++;
			continue;
		}
		if (r->mtu && act != L3_DROP && G_UNLIKELY(l3_router_too_big(b, d, r->mtu))) {
			ctr[L3_ROUTER_DROPPED_TOO_BIG]++;
			continue;
		}
		switch (act) {
		case L3_ROUTE:
			b = l3_router_hop(dev, b);
			if (G_UNLIKELY(!b)) /* pk_buf_writable() counted it */
				break;
			port_run_add(&r->ports, dev, &run, pos, b);
			forwarded++;
			break;
		case L3_FLOOD_ROUTED:
			b = l3_router_hop(dev, b);
			if (G_UNLIKELY(!b)) /* pk_buf_writable() counted it */
				break;
			port_run_end(&run);
			l3_router_flood(r, dev, ctr, in_pos, b);
			break;
		case L3_FLOOD_LINK:
			port_run_end(&run);
			l3_router_flood(r, dev, ctr, in_pos, b);
			break;
		case L3_DROP:
			break;
		}
	}
	port_run_end(&run);
	ctr[L3_ROUTER_FORWARDED] += forwarded;
	port_set_flush(&r->ports, dev);
}

static const struct pk_device_ops l3_router_ops = {
	.init = l3_router_init,
	.finalize = l3_router_finalize,
	.reconfigure = l3_router_reconfigure,
	.receive = l3_router_receive,
	.link = l3_router_link,
	.unlink = l3_router_unlink,
};

#define L3_ROUTER_DOC                                                                            \
	"Routes IPv4 and IPv6 packets between L3 ports (devices that exchange IP packets, such " \
	"as user-space stacks, NAT or VPN devices, or L2 segments behind an adapter). Each "     \
	"entry of 'routes' sends a prefix to a port; connected networks and static routes are "  \
	"written the same way, and 'default-port' adds 0.0.0.0/0 and ::/0. The longest "         \
	"matching prefix wins, whatever the order of the list. Routes to a port that is not "    \
	"linked are inactive, so its traffic falls back to the next shorter match, as a router " \
	"withdraws the routes of an interface that is down. Routes may change while running.\n\n" \
	"Forwarded unicast packets have their TTL (IPv4, header checksum updated per RFC 1624) " \
	"or hop limit (IPv6) decremented; packets arriving with 0 or 1 are dropped "             \
	"(dropped-ttl-expired). A packet whose route leads back out of its ingress port is "     \
	"dropped (dropped-same-port), which also stops two default routes pointing at each "     \
	"other from bouncing traffic. Packets without a route are dropped (dropped-no-route). "  \
	"IPv4 header checksums are verified; options and fragments are forwarded as they are, " \
	"link-layer padding after the IP packet is removed. No ICMP errors are sent.\n\n"        \
	"Broadcast and multicast: link-scoped destinations (255.255.255.255, 224.0.0.0/24, "     \
	"ff02::/16) treat all ports as one link: with link-local \"flood\" (the default) they "  \
	"are copied unchanged, TTL included, to every other port (so DHCP, mDNS or neighbour "   \
	"discovery work between hosts attached to the router); with \"drop\" they are dropped " \
	"as a strict router would. Wider-scope multicast (224.0.1.0 to 239.255.255.255; IPv6 "  \
	"scope 3 and wider, e.g. ff05::/16, ff0e::/16) is routed: flooded to every other port "  \
	"with TTL or hop limit decremented (there is no IGMP/MLD, so no group membership). "     \
	"Never forwarded: interface-local and reserved-scope IPv6 multicast (ff01::/16, "       \
	"ff00::/16), IPv6 link-local unicast (fe80::/10 as source or destination, and as "      \
	"source of routed multicast), and impossible addresses: multicast, broadcast, class E, " \
	"loopback or 0.0.0.0/8 sources (0.0.0.0 is accepted on link-scoped floods, for DHCP), "  \
	"0.0.0.0/8 and 127/8 destinations; IPv6 multicast or loopback sources, :: as source of " \
	"routed packets, :: and ::1 destinations. A flooded packet is shared among the ports; "  \
	"a receiver that modifies it works on its own copy.\n\n"                                  \
	"With 'mtu' set, packets larger than it are dropped (dropped-too-big); the router "      \
	"neither fragments nor sends ICMP errors. The ports accept segmentation offload: a TCP " \
	"super-packet (up to 64 KB, from a TUN or TAP with 'offload' or a vclient with 'tso') "  \
	"is routed whole, its TTL or hop limit decremented once in the one IP header every "     \
	"segment will copy (neither is part of the TCP pseudo-header, so a partial checksum "    \
	"stays right); 'mtu' applies to the segments it stands for (IP and TCP headers plus "   \
	"its segment size), so one whose segments would be too large is dropped whole. It is "  \
	"cut into segments in front of the first port that cannot take it."

const struct pk_device_type l3_router_type = {
	.name = "l3.router",
	.summary = "IPv4/IPv6 router: longest-prefix match, TTL handling, static routes",
	.doc = L3_ROUTER_DOC,
	PK_ARRAY(ports, l3_router_ports),
	PK_ARRAY(params, l3_router_params),
	PK_ARRAY(counters, l3_router_counters),
	.config_size = sizeof(struct l3_router_config),
	.instance_size = sizeof(struct l3_router),
	.ops = &l3_router_ops,
};
