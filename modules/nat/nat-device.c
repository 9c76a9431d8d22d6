/* SPDX-License-Identifier: MIT
 * nat-device.c - The l3.nat device: configuration, forwards, the data path, expiry and status
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pktkit/build.h>
#include <pktkit/error.h>
#include <pktkit/status.h>

#include "nat-device.h"

/* How often expired flows are swept (lookups also drop them lazily). */
#define NAT_SWEEP_NS (2 * PK_NSEC_PER_SEC)

static void ep_format(uint32_t addr, uint16_t port, char *out, size_t size)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, a, sizeof(a));
	g_snprintf(out, size, "%s:%u", a, port);
}

static const char *proto_name(uint8_t proto)
{
	return proto == 6 ? "tcp" : proto == 17 ? "udp" : "icmp";
}

/* Configuration ------------------------------------------------------------------ */

static bool parse_outside(const char *text, struct nat_params *p, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", -1);

	p->n_outside = 0;
	for (guint i = 0; parts[i]; i++) {
		const char *s = g_strstrip(parts[i]);
		uint32_t a;

		if (!*s)
			continue;
		if (inet_pton(AF_INET, s, &a) != 1 || a == 0) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "outside-addresses: \"%s\" is not an IPv4 unicast address", s);
			return false;
		}
		if (p->n_outside == NAT_MAX_OUTSIDE) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "outside-addresses: more than %u addresses", NAT_MAX_OUTSIDE);
			return false;
		}
		for (uint32_t j = 0; j < p->n_outside; j++)
			if (p->outside[j] == a) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "outside-addresses: %s is given twice", s);
				return false;
			}
		p->outside[p->n_outside++] = a;
	}
	if (!p->n_outside) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "outside-addresses: give at least one IPv4 address");
		return false;
	}
	return true;
}

static bool outside_has(const struct nat_params *p, uint32_t a)
{
	for (uint32_t i = 0; i < p->n_outside; i++)
		if (p->outside[i] == a)
			return true;
	return false;
}

/* The forwards of @cfg, checked among themselves. */
static bool parse_forwards(const struct nat_config *cfg, const struct nat_params *p,
			   struct nat_fwd *out, uint32_t *n_out, GError **error)
{
	const struct nat_forward_rec *rec = cfg->forwards.items;

	for (uint32_t i = 0; i < cfg->forwards.n; i++) {
		struct nat_fwd *f = &out[i];
		char ep[32];

		f->proto = rec[i].proto == NAT_FWD_UDP ? 17 : 6;
		memcpy(&f->outside.addr, rec[i].outside_address.b, 4);
		if (!f->outside.addr)
			f->outside.addr = p->outside[0];
		f->outside.port = (uint16_t)rec[i].outside_port;
		memcpy(&f->inside.addr, rec[i].inside_address.b, 4);
		f->inside.port = (uint16_t)(rec[i].inside_port ? rec[i].inside_port
							       : rec[i].outside_port);
		f->ifindex = (uint16_t)rec[i].port;
		ep_format(f->outside.addr, f->outside.port, ep, sizeof(ep));
		if (!outside_has(p, f->outside.addr)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "forwards[%u]: outside-address of %s is not one of "
				    "outside-addresses",
				    i, ep);
			return false;
		}
		if (!f->inside.addr) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "forwards[%u]: inside-address must be a host address", i);
			return false;
		}
		for (uint32_t j = 0; j < i; j++)
			if (out[j].proto == f->proto && out[j].outside.addr == f->outside.addr &&
			    out[j].outside.port == f->outside.port) {
				g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
					    "forwards[%u]: %s %s is already forwarded by "
					    "forwards[%u]",
					    i, proto_name(f->proto), ep, j);
				return false;
			}
	}
	*n_out = cfg->forwards.n;
	return true;
}

static bool fwd_same(const struct nat_fwd *a, const struct nat_fwd *b)
{
	return a->proto == b->proto && a->outside.addr == b->outside.addr &&
	       a->outside.port == b->outside.port && a->inside.addr == b->inside.addr &&
	       a->inside.port == b->inside.port && a->ifindex == b->ifindex;
}

static bool fwd_in(const struct nat_fwd *f, const struct nat_fwd *set, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (fwd_same(f, &set[i]))
			return true;
	return false;
}

/* Whether the outside endpoint of @f is that of a forward in @set. */
static bool fwd_outside_in(const struct nat_fwd *f, const struct nat_fwd *set, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (set[i].proto == f->proto && set[i].outside.addr == f->outside.addr &&
		    set[i].outside.port == f->outside.port)
			return true;
	return false;
}

/*
 * Apply forwards @nf to the running table: check that every new one can
 * be added (its outside endpoint free, or held by a forward going away),
 * then remove the old ones and add the new ones. All or nothing.
 */
static bool apply_forwards(struct nat_dev *d, struct nat_table *t, const struct nat_fwd *old,
			   uint32_t n_old, const struct nat_fwd *nf, uint32_t n, GError **error)
{
	for (uint32_t i = 0; i < n; i++) {
		struct nat_endpoint4 by = { 0 };
		enum nat_core_err e;
		char ep[32], in[32];

		if (fwd_in(&nf[i], old, n_old))
			continue;
		e = nat_table_static_check(t, nf[i].proto, &nf[i].outside, &nf[i].inside, &by);
		if (e == NAT_CORE_ERR_TAKEN && fwd_outside_in(&nf[i], old, n_old))
			continue; /* a forward this change removes */
		if (e == NAT_CORE_OK)
			continue;
		ep_format(nf[i].outside.addr, nf[i].outside.port, ep, sizeof(ep));
		ep_format(by.addr, by.port, in, sizeof(in));
		if (e == NAT_CORE_ERR_TAKEN)
			g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
				    "forwards[%u]: %s %s is in use by a mapping of %s; pick "
				    "another outside-port (or set flush to free it)",
				    i, proto_name(nf[i].proto), ep, in);
		else
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "forwards[%u]: %s %s cannot be added (%s)", i,
				    proto_name(nf[i].proto), ep,
				    e == NAT_CORE_ERR_FULL ? "no room for more mappings"
							   : "invalid endpoint");
		return false;
	}
	for (uint32_t i = 0; i < n_old; i++)
		if (!fwd_in(&old[i], nf, n))
			nat_table_static_remove(t, old[i].proto, &old[i].outside);
	for (uint32_t i = 0; i < n; i++) {
		if (fwd_in(&nf[i], old, n_old))
			continue;
		/* Checked above; a failure here would be a bug in the check. */
		if (nat_table_static_add(t, nf[i].proto, &nf[i].outside, &nf[i].inside,
					 nf[i].ifindex) != NAT_CORE_OK)
			pk_dev_warn(d->dev, "forwards[%u]: could not be added", i);
	}
	return true;
}

/* The port mapping policy of @cfg (NAT-PMP and PCP leases). */
static bool parse_pm_policy(const struct nat_config *cfg, struct nat_lease_policy *pol,
			    GError **error)
{
	g_auto(GStrv)
		pre = g_strsplit(cfg->pm_inside_prefixes ? cfg->pm_inside_prefixes : "", ",", -1);
	g_auto(GStrv) rng = g_strsplit(cfg->pm_ports ? cfg->pm_ports : "", ",", -1);

	memset(pol, 0, sizeof(*pol));
	for (guint i = 0; pre[i]; i++) {
		char *s = g_strstrip(pre[i]), *slash = strchr(s, '/');
		unsigned len = 32;
		uint32_t a;

		if (!*s)
			continue;
		if (slash) {
			char *end;

			*slash = '\0';
			len = (unsigned)strtoul(slash + 1, &end, 10);
			if (end == slash + 1 || *end || len > 32)
				len = 33;
		}
		if (inet_pton(AF_INET, s, &a) != 1 || len > 32 ||
		    (len < 32 && (ntohl(a) & (0xffffffffu >> len)))) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "port-mapping-inside-prefixes: \"%s%s%s\" is not an IPv4 "
				    "prefix (a.b.c.d/len, host bits 0)",
				    s, slash ? "/" : "", slash ? slash + 1 : "");
			return false;
		}
		if (pol->n_inside == NAT_LEASE_MAX_PREFIXES) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "port-mapping-inside-prefixes: more than %u prefixes",
				    NAT_LEASE_MAX_PREFIXES);
			return false;
		}
		pol->inside[pol->n_inside].addr = a;
		pol->inside[pol->n_inside++].len = (uint8_t)len;
	}
	for (guint i = 0; rng[i]; i++) {
		const char *s = g_strstrip(rng[i]);
		unsigned lo, hi;
		char extra;
		int k;

		if (!*s)
			continue;
		k = sscanf(s, "%u-%u%c", &lo, &hi, &extra);
		if (k == 1)
			hi = lo;
		if ((k != 1 && k != 2) || lo < 1 || hi > 65535 || lo > hi) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "port-mapping-ports: \"%s\" is not a port or a range "
				    "first-last within 1-65535",
				    s);
			return false;
		}
		if (pol->n_ports == NAT_LEASE_MAX_RANGES) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "port-mapping-ports: more than %u ranges",
				    NAT_LEASE_MAX_RANGES);
			return false;
		}
		pol->ports[pol->n_ports].first = (uint16_t)lo;
		pol->ports[pol->n_ports++].last = (uint16_t)hi;
	}
	pol->max_per_client = cfg->pm_max_per_client;
	pol->max_lifetime_s = (uint32_t)(cfg->pm_max_lifetime / PK_NSEC_PER_SEC);
	if (pol->max_lifetime_s < NAT_LEASE_DEFAULT_MIN_LIFETIME)
		pol->min_lifetime_s = pol->max_lifetime_s;
	return true;
}

int nat_dev_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			GError **error)
{
	const struct nat_config *cfg = config;
	struct nat_dev *d = self;
	struct nat_params p = { 0 };
	g_autofree struct nat_fwd *nf = g_new0(struct nat_fwd, NAT_MAX_FORWARDS);
	struct nat_table *fresh = NULL;
	struct nat_lease_policy pol;
	uint32_t n = 0;

	if (!parse_outside(cfg->outside_addresses, &p, error))
		return -1;
	if (cfg->port_range_start > cfg->port_range_end) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "port-range-start (%u) is above port-range-end (%u)",
			    cfg->port_range_start, cfg->port_range_end);
		return -1;
	}
	p.port_lo = (uint16_t)cfg->port_range_start;
	p.port_hi = (uint16_t)cfg->port_range_end;
	p.port_preserve = cfg->port_preservation;
	p.port_parity = cfg->port_parity;
	p.filtering = cfg->filtering;
	p.max_flows = cfg->max_flows;
	p.tcp_est_ns = (uint64_t)cfg->tcp_established_timeout;
	p.tcp_trans_ns = (uint64_t)cfg->tcp_transitory_timeout;
	p.udp_ns = (uint64_t)cfg->udp_timeout;
	p.icmp_ns = (uint64_t)cfg->icmp_timeout;
	p.seed = g_random_int();
	if (!parse_forwards(cfg, &p, nf, &n, error))
		return -1;
	if (!parse_pm_policy(cfg, &pol, error))
		return -1;
	if (cfg->port_mapping && !memcmp(cfg->inside_address.b, "\0\0\0\0", 4)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "port-mapping needs inside-address: the address inside hosts send "
			    "NAT-PMP/PCP requests to (their gateway, e.g. 10.0.0.1)");
		return -1;
	}

	if (!d->table || p.max_flows != d->params.max_flows || p.n_outside != d->params.n_outside ||
	    memcmp(p.outside, d->params.outside, sizeof(p.outside)) != 0) {
		/* A new table (only while stopped: these are not live). */
		fresh = nat_table_new(&p);
		if (!apply_forwards(d, fresh, NULL, 0, nf, n, error)) {
			nat_table_free(fresh);
			return -1;
		}
		nat_table_free(d->table);
		d->table = fresh;
	} else {
		nat_table_set_now(d->table, pk_dev_now(dev));
		if (!apply_forwards(d, d->table, d->fwd, d->n_fwd, nf, n, error))
			return -1;
		nat_table_set_params(d->table, &p);
		if (changed & PK_PARAM_BIT(NAT_P_FLUSH))
			nat_table_flush(d->table);
	}
	d->params = *nat_table_params(d->table);
	memcpy(d->fwd, nf, sizeof(*nf) * n);
	d->n_fwd = n;
	memcpy(&d->inside_addr, cfg->inside_address.b, 4);
	if (!d->inside_addr)
		d->inside_addr = p.outside[0];
	/* Not live: these change only while stopped (the server starts with the device). */
	d->port_mapping = cfg->port_mapping;
	d->pm_policy = pol;
	return 0;
}

static void nat_dev_sweep(struct pk_dev *dev, void *self, void *data);
static void nat_dev_pmp_timer(struct pk_dev *dev, void *self, void *data);

int nat_dev_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct nat_dev *d = self;

	d->dev = dev;
	d->ctr = pk_dev_counters(dev);
	d->timer = pk_timer_new(dev, nat_dev_sweep, NULL);
	d->pmp_timer = pk_timer_new(dev, nat_dev_pmp_timer, NULL);
	return nat_dev_reconfigure(dev, self, config, UINT64_MAX, error);
}

void nat_dev_finalize(struct pk_dev *dev, void *self)
{
	struct nat_dev *d = self;

	if (d->pmp) {
		nat_table_set_now(d->table, pk_dev_now(dev));
		nat_pmp_server_free(d->pmp);
		d->pmp = NULL;
	}
	nat_table_free(d->table);
	d->table = NULL;
}

/* Counters that mirror the table's statistics. */
static void nat_dev_sync_stats(struct nat_dev *d)
{
	const struct nat_table_stats *st = nat_table_stats(d->table);

	d->ctr[NAT_C_FLOWS_CREATED] = st->flows_created;
	d->ctr[NAT_C_FLOWS_EXPIRED] = st->flows_expired;
}

static void nat_dev_sweep(struct pk_dev *dev, void *self, void *data)
{
	struct nat_dev *d = self;

	nat_table_expire(d->table, pk_dev_now(dev));
	nat_dev_sync_stats(d);
	pk_timer_arm(d->timer, NAT_SWEEP_NS);
}

/* Port mapping (NAT-PMP, PCP) --------------------------------------------------------- */

/* Re-arm the port mapping timer for the server's next deadline. */
static void pmp_arm(struct nat_dev *d, uint64_t now)
{
	uint64_t due = nat_pmp_server_next_deadline(d->pmp);

	if (due == UINT64_MAX)
		pk_timer_cancel(d->pmp_timer);
	else
		pk_timer_arm(d->pmp_timer, due > now ? due - now : 0);
}

/* A UDP datagram of @len payload bytes from @src:@sport to @dst:@dport, emitted on @port. */
static bool pmp_send(struct nat_dev *d, uint32_t port, uint32_t src, uint32_t dst, uint16_t sport,
		     uint16_t dport, const uint8_t *payload, uint32_t len)
{
	struct pk_ip_fields f = { .src = (const uint8_t *)&src,
				  .dst = (const uint8_t *)&dst,
				  .version = 4,
				  .proto = PK_IPPROTO_UDP,
				  .ttl = 64 };
	struct pk_buf *e = pk_buf_new_copy(payload, len);

	if (!e) {
		pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
		return false;
	}
	if (!pk_udp_push(e, &f, sport, dport, 0) || !pk_ip_push(e, &f)) {
		pk_buf_unref(e);
		return false;
	}
	pk_dev_autorelease(d->dev, e);
	pk_dev_emit_one(d->dev, port, e);
	return true;
}

static void nat_dev_pmp_timer(struct pk_dev *dev, void *self, void *data)
{
	struct nat_dev *d = self;
	struct nat_pmp_datagram out[NAT_PMP_ANNOUNCE_BATCH];
	uint64_t now = pk_dev_now(dev);
	uint32_t all = htonl(0xe0000001u); /* 224.0.0.1 */
	unsigned n;

	nat_table_set_now(d->table, now);
	d->ctr[NAT_C_PM_LEASES_EXPIRED] += nat_pmp_server_tick(d->pmp, now);
	n = nat_pmp_server_announcements(d->pmp, now, out);
	for (unsigned i = 0; i < n; i++) {
		if (out[i].ipv6)
			continue; /* IPv4 inside ports only */
		for (uint32_t p = 0; p < NAT_MAX_INSIDE; p++) {
			uint32_t port = PK_PORT(NAT_G_INSIDE, p);

			if (pk_dev_port_is_linked(dev, port) &&
			    pmp_send(d, port, d->inside_addr, all, NAT_PMP_SERVER_PORT, out[i].port,
				     out[i].data, out[i].len))
				d->ctr[NAT_C_PM_ANNOUNCEMENTS]++;
		}
	}
	nat_dev_sync_stats(d);
	pmp_arm(d, now);
}

/*
 * If @p (an IPv4 packet from inside port @port) is a UDP datagram to
 * inside-address port 5351, answer it and return true: it is the device's,
 * not translated. Fragments and anything else go on to the NAT.
 */
static bool pmp_consume(struct nat_dev *d, uint32_t port, const uint8_t *p, uint32_t len,
			uint64_t now)
{
	uint8_t reply[NAT_PMP_REPLY_MAX];
	struct nat_pmp_addr client;
	uint32_t ihl, dst, src, ulen;
	uint16_t sport;
	size_t n;

	if (len < PK_IP4_HLEN + 8 || p[9] != PK_IPPROTO_UDP)
		return false;
	memcpy(&dst, p + 16, 4);
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (dst != d->inside_addr || ihl < PK_IP4_HLEN || len < ihl + 8)
		return false;
	if (((uint32_t)p[ihl + 2] << 8 | p[ihl + 3]) != NAT_PMP_SERVER_PORT)
		return false;
	if ((((uint32_t)p[6] << 8 | p[7]) & 0x3fff) != 0)
		return false; /* a fragment: not ours to reassemble */
	d->ctr[NAT_C_PM_REQUESTS]++;
	ulen = (uint32_t)p[ihl + 4] << 8 | p[ihl + 5];
	if (ulen < 8 || ihl + ulen > len)
		return true; /* malformed: dropped */
	memcpy(&src, p + 12, 4);
	sport = (uint16_t)((uint16_t)p[ihl] << 8 | p[ihl + 1]);
	client = nat_pmp_addr_v4(src);
	nat_table_set_now(d->table, now);
	nat_table_set_ops_ifindex(d->table, (uint16_t)PK_PORT_INDEX(port));
	n = nat_pmp_server_handle(d->pmp, &client, p + ihl + 8, ulen - 8, now, reply,
				  sizeof(reply));
	nat_table_set_ops_ifindex(d->table, 0);
	if (n >= 4 && (reply[0] == 0 ? (reply[2] | reply[3]) != 0 : reply[3] != 0))
		d->ctr[NAT_C_PM_REFUSED]++;
	if (n > 0 &&
	    pmp_send(d, port, d->inside_addr, src, NAT_PMP_SERVER_PORT, sport, reply, (uint32_t)n))
		d->ctr[NAT_C_PM_REPLIES]++;
	pmp_arm(d, now);
	return true;
}

int nat_dev_start(struct pk_dev *dev, void *self, GError **error)
{
	struct nat_dev *d = self;

	pk_timer_arm(d->timer, NAT_SWEEP_NS);
	if (d->port_mapping && !d->pmp) {
		struct nat_pmp_config cfg = { .policy = d->pm_policy,
					      .outside_addr = d->params.outside[0] };
		uint64_t now = pk_dev_now(dev);

		d->pmp = nat_pmp_server_new(&cfg, &nat_table_core_ops, d->table, now);
		pmp_arm(d, now);
	}
	return 0;
}

void nat_dev_stop(struct pk_dev *dev, void *self)
{
	struct nat_dev *d = self;

	pk_timer_cancel(d->timer);
	pk_timer_cancel(d->pmp_timer);
	if (d->pmp) {
		/* The leases go with the server (clients renew after the restart announcements). */
		nat_table_set_now(d->table, pk_dev_now(dev));
		nat_pmp_server_free(d->pmp);
		d->pmp = NULL;
	}
}

/* Data path ------------------------------------------------------------------------ */

static inline uint32_t out_slot(uint16_t out_if)
{
	return out_if == NAT_IF_OUTSIDE ? NAT_MAX_INSIDE : out_if;
}

static void out_flush(struct nat_dev *d, uint32_t slot)
{
	struct pk_batch *b = &d->out[slot];
	uint32_t port = slot == NAT_MAX_INSIDE ? PK_PORT(NAT_G_OUTSIDE, 0)
					       : PK_PORT(NAT_G_INSIDE, slot);

	if (!b->n)
		return;
	pk_dev_emit(d->dev, port, b);
	pk_batch_init(b);
}

/* Answer a packet whose TTL ran out with Time Exceeded, back where it came from. */
static void send_time_exceeded(struct nat_dev *d, uint32_t port, enum nat_dir dir,
			       const uint8_t *pkt, uint32_t len)
{
	struct pk_buf *e = pk_buf_alloc(0);
	uint32_t src = dir == NAT_DIR_OUT ? d->inside_addr : 0;
	struct pk_ip_fields f = { .version = 4, .ttl = 64 };

	if (!e) {
		pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	/* From outside: from the address it was sent to (one of ours). */
	f.src = dir == NAT_DIR_OUT ? (const uint8_t *)&src : NULL;
	if (pk_icmp_error_build(e, &f, PK_ICMP_TIME_EXCEEDED, 0, 0, pkt, len, 0) !=
	    PK_ICMP_ERR_OK) {
		pk_buf_unref(e);
		return;
	}
	pk_dev_autorelease(d->dev, e);
	pk_dev_emit_one(d->dev, port, e);
	d->ctr[NAT_C_ICMP_SENT]++;
}

/* Whether the offload state of @b is one nat-xlate handles; *partial says
 * whether the L4 checksum is left to offload. */
static bool offload_ok(const struct pk_buf *b, const uint8_t *p, uint32_t len, bool *partial)
{
	int32_t start;
	uint32_t ihl;

	*partial = false;
	if (b->csum != PK_CSUM_PARTIAL)
		return !b->gso_size;
	if (len < PK_IP4_HLEN)
		return false;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	start = pk_buf_csum_start(b);
	if (start < 0 || (uint32_t)start != ihl)
		return false;
	if (!((p[9] == PK_IPPROTO_TCP && b->csum_offset == 16) ||
	      (p[9] == PK_IPPROTO_UDP && b->csum_offset == 6)))
		return false;
	if (b->gso_size && (p[9] != PK_IPPROTO_TCP || b->gso_type != PK_GSO_TCPV4))
		return false;
	*partial = true;
	return true;
}

void nat_dev_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch)
{
	struct nat_dev *d = self;
	enum nat_dir dir = PK_PORT_GROUP(port) == NAT_G_INSIDE ? NAT_DIR_OUT : NAT_DIR_IN;
	uint16_t ifindex = (uint16_t)PK_PORT_INDEX(port);
	uint64_t now = pk_dev_now(dev);
	uint64_t *ctr = d->ctr;

	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		const uint8_t *p = pk_buf_data(b);
		uint32_t len = pk_buf_len(b), slot;
		struct nat_action act;
		enum nat_result r;
		bool partial;

		if (G_UNLIKELY(len == 0 || (p[0] >> 4) != 4)) {
			ctr[len && (p[0] >> 4) == 6 ? NAT_C_DROPPED_NOT_IPV4
						    : NAT_C_DROPPED_INVALID]++;
			continue;
		}
		if (d->pmp && dir == NAT_DIR_OUT && pmp_consume(d, port, p, len, now))
			continue;
		if (G_UNLIKELY(!offload_ok(b, p, len, &partial))) {
			ctr[NAT_C_DROPPED_INVALID]++;
			continue;
		}
		b = pk_buf_writable(dev, b);
		if (G_UNLIKELY(!b))
			continue; /* counted by the core */
		r = nat_xlate_packet(d->table, pk_buf_data(b), len, dir, ifindex, partial, now,
				     &act);
		if (G_UNLIKELY(r != NAT_R_FORWARD)) {
			ctr[NAT_C_DROPPED_INVALID + (r - NAT_R_DROP_INVALID)]++;
			if (r == NAT_R_TTL_EXCEEDED)
				send_time_exceeded(d, port, dir, pk_buf_data(b), len);
			continue;
		}
		if (G_UNLIKELY(act.out_if != NAT_IF_OUTSIDE && act.out_if >= NAT_MAX_INSIDE)) {
			ctr[NAT_C_DROPPED_NO_MAPPING]++;
			continue;
		}
		pk_buf_trim(b, act.len);
		if (act.flags & NAT_ACT_HAIRPIN)
			ctr[NAT_C_HAIRPINNED]++;
		else
			ctr[dir == NAT_DIR_OUT ? NAT_C_TRANSLATED_OUT : NAT_C_TRANSLATED_IN]++;
		if (act.flags & NAT_ACT_ICMP_ERROR)
			ctr[NAT_C_ICMP_TRANSLATED]++;
		if (act.flags & NAT_ACT_FRAGMENT)
			ctr[NAT_C_FRAGMENTS]++;
		slot = out_slot(act.out_if);
		if (pk_batch_full(&d->out[slot]))
			out_flush(d, slot);
		pk_batch_add(&d->out[slot], b);
	}
	for (uint32_t s = 0; s <= NAT_MAX_INSIDE; s++)
		out_flush(d, s);
	nat_dev_sync_stats(d);
}

/* Status ------------------------------------------------------------------------------ */

void nat_dev_status(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	struct nat_dev *d = self;
	const struct nat_table *t = d->table;
	uint64_t now = pk_dev_now(dev);
	GString *addrs = g_string_new(NULL);

	for (uint32_t i = 0; i < d->params.n_outside; i++) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &d->params.outside[i], a, sizeof(a));
		g_string_append_printf(addrs, "%s%s", i ? ", " : "", a);
	}
	pk_status_set_uint(w, NAT_S_FLOWS, nat_table_n_flows(t));
	pk_status_set_uint(w, NAT_S_MAPPINGS, nat_table_n_mappings(t));
	pk_status_set_uint(w, NAT_S_MAX_FLOWS, d->params.max_flows);
	pk_status_set_str(w, NAT_S_OUTSIDE_ADDRESSES, addrs->str);
	g_string_free(addrs, TRUE);

	for (uint32_t i = 0; i < nat_table_capacity(t); i++) {
		const struct nat_flow *f = nat_table_flow_at(t, i);
		const struct nat_mapping *m;
		char buf[32];

		if (!f || f->expires <= now)
			continue;
		m = nat_table_mapping_at(t, f->mapping);
		if (!pk_status_row_begin(w, NAT_T_FLOWS))
			return;
		pk_status_set_str(w, NAT_FC_PROTO, proto_name(m->proto));
		if (m->proto == 6)
			pk_status_set_str(w, NAT_FC_STATE, nat_tcp_state_name(f->tcp_state));
		ep_format(m->in_addr, m->in_port, buf, sizeof(buf));
		pk_status_set_str(w, NAT_FC_INSIDE, buf);
		ep_format(m->out_addr, m->out_port, buf, sizeof(buf));
		pk_status_set_str(w, NAT_FC_OUTSIDE, buf);
		ep_format(f->rem_addr, f->rem_port, buf, sizeof(buf));
		pk_status_set_str(w, NAT_FC_REMOTE, buf);
		pk_status_set_duration(w, NAT_FC_EXPIRES_IN, f->expires - now);
		pk_status_set_uint(w, NAT_FC_PACKETS_OUT, f->packets[NAT_DIR_OUT]);
		pk_status_set_uint(w, NAT_FC_PACKETS_IN, f->packets[NAT_DIR_IN]);
		pk_status_row_end(w);
	}
	for (uint32_t i = 0; i < nat_table_mapping_capacity(t); i++) {
		const struct nat_mapping *m = nat_table_mapping_at(t, i);
		char buf[32];

		if (!m)
			continue;
		if (!pk_status_row_begin(w, NAT_T_MAPPINGS))
			return;
		pk_status_set_str(w, NAT_MC_PROTO, proto_name(m->proto));
		ep_format(m->in_addr, m->in_port, buf, sizeof(buf));
		pk_status_set_str(w, NAT_MC_INSIDE, buf);
		ep_format(m->out_addr, m->out_port, buf, sizeof(buf));
		pk_status_set_str(w, NAT_MC_OUTSIDE, buf);
		pk_status_set_str(w, NAT_MC_KIND,
				  m->is_static		 ? "forward"
				  : m->lease_until > now ? "lease"
							 : "dynamic");
		pk_status_set_uint(w, NAT_MC_FLOWS, m->n_flows);
		if (!m->is_static && m->lease_until > now)
			pk_status_set_duration(w, NAT_MC_LEASE_EXPIRES_IN, m->lease_until - now);
		pk_status_row_end(w);
	}
	if (d->pmp) {
		const struct nat_lease_table *lt = nat_pmp_server_leases(d->pmp);

		for (unsigned i = 0; i < lt->n; i++) {
			const struct nat_lease *l = &lt->v[i];
			char buf[32];

			if (!pk_status_row_begin(w, NAT_T_LEASES))
				return;
			pk_status_set_str(w, NAT_LC_PROTO, proto_name(l->proto));
			ep_format(l->client, l->int_port, buf, sizeof(buf));
			pk_status_set_str(w, NAT_LC_INSIDE, buf);
			ep_format(l->outside.addr, l->outside.port, buf, sizeof(buf));
			pk_status_set_str(w, NAT_LC_OUTSIDE, buf);
			pk_status_set_str(w, NAT_LC_KIND,
					  l->kind == NAT_LEASE_PMP   ? "nat-pmp"
					  : l->kind == NAT_LEASE_MAP ? "pcp-map"
								     : "pcp-peer");
			pk_status_set_duration(w, NAT_LC_LIFETIME,
					       (uint64_t)l->lifetime_s * PK_NSEC_PER_SEC);
			pk_status_set_duration(w, NAT_LC_EXPIRES_IN,
					       l->expires > now ? l->expires - now : 0);
			pk_status_row_end(w);
		}
	}
}
