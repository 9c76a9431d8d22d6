/* SPDX-License-Identifier: MIT
 * dhcp-server-dev.c - Device type svc.dhcp-server: the shell around the DHCP server core
 */
#include <errno.h>
#include <string.h>

#include <pktkit/error.h>
#include <pktkit/module.h>
#include <pktkit/status.h>
#include <pktkit/toolkit/dhcp.h>

#include "dhcp-server.h"
#include "dhcp-types.h"
#include "host-reply.h"
#include "lease-file.h"

/* Parameters ------------------------------------------------------------ */

struct dhcpd_dns_rec {
	struct pk_ip4 address;
};

struct dhcpd_route_rec {
	struct pk_prefix prefix;
	struct pk_ip4 via;
};

struct dhcpd_static_rec {
	struct pk_mac mac;
	struct pk_ip4 ip;
	char *hostname;
};

struct dhcpd_config {
	struct pk_ip4 server_ip;
	struct pk_mac mac;
	struct pk_prefix subnet;
	struct pk_ip4 range_start;
	struct pk_ip4 range_end;
	struct pk_ip4 router;
	struct pk_list dns;
	char *domain;
	int64_t lease_time;
	int64_t t1;
	int64_t t2;
	uint32_t mtu;
	struct pk_ip4 broadcast;
	struct pk_list classless_routes;
	struct pk_list static_leases;
	uint32_t max_leases;
	char *state_dir;
	bool authoritative;
	uint32_t new_lease_burst;
	uint32_t new_lease_rate;
};

static const struct pk_param dhcpd_dns_fields[] = {
	PK_PARAM_IP4(struct dhcpd_dns_rec, address, "address", NULL, PK_PF_REQUIRED,
		     "DNS server address"),
};

static const struct pk_param_record dhcpd_dns_record = {
	PK_ARRAY(params, dhcpd_dns_fields),
	.record_size = sizeof(struct dhcpd_dns_rec),
};

static const struct pk_param dhcpd_route_fields[] = {
	PK_PARAM_PREFIX(struct dhcpd_route_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"Destination network, e.g. \"10.20.0.0/16\""),
	PK_PARAM_IP4(struct dhcpd_route_rec, via, "via", NULL, PK_PF_REQUIRED,
		     "Router for that network, on the client's subnet"),
};

static const struct pk_param_record dhcpd_route_record = {
	PK_ARRAY(params, dhcpd_route_fields),
	.record_size = sizeof(struct dhcpd_route_rec),
};

static const struct pk_param dhcpd_static_fields[] = {
	PK_PARAM_MAC(struct dhcpd_static_rec, mac, "mac", NULL, PK_PF_REQUIRED,
		     "Client hardware address"),
	PK_PARAM_IP4(struct dhcpd_static_rec, ip, "ip", NULL, PK_PF_REQUIRED,
		     "Address always given to that client and never to another"),
	PK_PARAM_STR(struct dhcpd_static_rec, hostname, "hostname", NULL, 0,
		     "Name recorded for the client when it sends none"),
};

static const struct pk_param_record dhcpd_static_record = {
	PK_ARRAY(params, dhcpd_static_fields),
	.record_size = sizeof(struct dhcpd_static_rec),
};

#define HOUR (3600 * PK_NSEC_PER_SEC)

static const struct pk_param dhcpd_params[] = {
	PK_PARAM_IP4(struct dhcpd_config, server_ip, "server-ip", NULL, PK_PF_REQUIRED,
		     "The server's own address: source of replies, server identifier, never leased"),
	PK_PARAM_MAC(struct dhcpd_config, mac, "mac", "\"02:dd:cc:00:00:01\"", 0,
		     "The server's Ethernet address"),
	PK_PARAM_PREFIX(struct dhcpd_config, subnet, "subnet", NULL, 0,
			"IPv4 subnet of the clients, e.g. \"192.168.0.0/24\"; unset: the /24 of "
			"server-ip"),
	PK_PARAM_IP4(struct dhcpd_config, range_start, "range-start", NULL, PK_PF_REQUIRED,
		     "First address of the dynamic pool"),
	PK_PARAM_IP4(struct dhcpd_config, range_end, "range-end", NULL, PK_PF_REQUIRED,
		     "Last address of the dynamic pool"),
	PK_PARAM_IP4(struct dhcpd_config, router, "router", NULL, 0,
		     "Default gateway given to clients (option 3); unset: none"),
	PK_PARAM_LIST(struct dhcpd_config, dns, "dns", &dhcpd_dns_record, 0, DHCP_SERVER_MAX_DNS,
		      0, "DNS servers given to clients (option 6): [{\"address\": \"192.0.2.53\"}]"),
	PK_PARAM_STR(struct dhcpd_config, domain, "domain", NULL, 0,
		     "Domain name given to clients (option 15)"),
	PK_PARAM_DURATION(struct dhcpd_config, lease_time, "lease-time", "\"1h\"",
			  10 * PK_NSEC_PER_SEC, 365 * 24 * HOUR, 0, "Lease duration (option 51)"),
	PK_PARAM_DURATION(struct dhcpd_config, t1, "t1", NULL, 0, 365 * 24 * HOUR, 0,
			  "Renewal time (option 58); unset: half the lease time"),
	PK_PARAM_DURATION(struct dhcpd_config, t2, "t2", NULL, 0, 365 * 24 * HOUR, 0,
			  "Rebinding time (option 59); unset: 7/8 of the lease time"),
	PK_PARAM_U32(struct dhcpd_config, mtu, "mtu", "0", 0, 65535, 0,
		     "Interface MTU given to clients (option 26, at least 68); 0: not sent"),
	PK_PARAM_IP4(struct dhcpd_config, broadcast, "broadcast", NULL, 0,
		     "Broadcast address given to clients (option 28); unset: the subnet's"),
	PK_PARAM_LIST(struct dhcpd_config, classless_routes, "classless-routes",
		      &dhcpd_route_record, 0, DHCP_SERVER_MAX_ROUTES, 0,
		      "Classless static routes (option 121, RFC 3442) for clients that ask: "
		      "[{\"prefix\": \"10.20.0.0/16\", \"via\": \"192.168.0.2\"}]"),
	PK_PARAM_LIST(struct dhcpd_config, static_leases, "static-leases", &dhcpd_static_record, 0,
		      65536, 0,
		      "Reservations: [{\"mac\": \"52:54:00:00:00:01\", \"ip\": \"192.168.0.5\", "
		      "\"hostname\": \"vm1\"}]; inside or outside the pool"),
	PK_PARAM_U32(struct dhcpd_config, max_leases, "max-leases", "4096", 1, 65536, 0,
		     "Most addresses tracked at once (offers, leases, declined addresses)"),
	PK_PARAM_STR(struct dhcpd_config, state_dir, "state-dir", NULL, 0,
		     "Directory of the lease file <state-dir>/<device id>.leases; unset or "
		     "empty: leases are not kept across restarts"),
	PK_PARAM_BOOL(struct dhcpd_config, authoritative, "authoritative", "true", 0,
		      "NAK requests for addresses of the subnet that this server cannot give, "
		      "even from clients it does not know"),
	PK_PARAM_U32(struct dhcpd_config, new_lease_burst, "new-lease-burst", "128", 0, 65536, 0,
		     "New leases granted at once before new-lease-rate applies (renewals and "
		     "reservations do not count); 0: no limit"),
	PK_PARAM_U32(struct dhcpd_config, new_lease_rate, "new-lease-rate", "2", 1, 1000000, 0,
		     "New leases per second once the burst is spent: the budget refills at this "
		     "rate up to new-lease-burst"),
};

/* Counters: the sans-I/O server's events (dhcp-server.h), then the device's own. */
#define DHCPD_OWN_COUNTERS(_)                                                               \
	_(DHCPD_C_ARP_REPLIES, "arp-replies", "ARP requests for server-ip answered")        \
	_(DHCPD_C_ECHO_REPLIES, "echo-replies", "ICMP echo requests to server-ip answered") \
	_(DHCPD_C_DROPPED_HOST, "dropped-host", "Malformed ARP or ICMP for server-ip")      \
	_(DHCPD_C_LEASE_FILE_ERRORS, "lease-file-errors",                                   \
	  "Lease file writes that failed, corrupt files set aside")
PK_COUNTERS_ENUM_FROM(DHCP_EV_COUNT, DHCPD_OWN_COUNTERS);
#define DHCPD_COUNTERS(_) DHCP_EVENTS(_) DHCPD_OWN_COUNTERS(_)
PK_COUNTERS_TABLE(dhcpd_counters, DHCPD_COUNTERS);

static const struct pk_port_group dhcpd_ports[] = {
	{ "eth", PK_L2, 0, 1, "Ethernet segment of the clients (link to an l2.hub port)", 0 },
};

/* Instance ----------------------------------------------------------------- */

struct dhcpd {
	struct dhcp_server_conf conf;
	struct dhcp_server core;
	bool running;
	char *lease_path;		/* NULL: no persistence */
	uint32_t max_leases;
	uint64_t sweep_period;
	struct pk_timer *sweep;
	bool exhausted_logged_once;
	uint64_t last_exhausted_log;
	uint64_t exhausted_logged;	/* core count at the last log line */
	uint8_t out[DHCP_OUTPUT_SIZE];
};

static uint32_t ip_of(const struct pk_ip4 *a)
{
	return pk_get_be32(a->b);
}

/* Validate @cfg into @c (zeroed by the caller); c->statics must be freed either way. */
static bool dhcpd_build_conf(struct dhcp_server_conf *c, const struct dhcpd_config *cfg,
			     GError **error)
{
	const struct dhcpd_static_rec *st = cfg->static_leases.items;
	const struct dhcpd_route_rec *rt = cfg->classless_routes.items;
	const struct dhcpd_dns_rec *dns = cfg->dns.items;
	uint32_t len;

	c->mac = cfg->mac;
	if (c->mac.b[0] & 1) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "mac: must be a unicast address");
		return false;
	}
	c->server_ip = ip_of(&cfg->server_ip);
	if (cfg->subnet.family == 0) {
		len = 24;
		c->net = c->server_ip & 0xffffff00u;
	} else if (cfg->subnet.family != 4) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "subnet: must be an IPv4 prefix");
		return false;
	} else {
		len = cfg->subnet.len;
		c->net = pk_get_be32(cfg->subnet.addr);
	}
	if (len < 8 || len > 30) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "subnet: length must be 8..30");
		return false;
	}
	c->mask = 0xffffffffu << (32 - len);
	c->net &= c->mask;
#define IN_NET(ip) (((ip) & c->mask) == c->net && (ip) != c->net && (ip) != (c->net | ~c->mask))
	if (!IN_NET(c->server_ip)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "server-ip: not a host address of the subnet");
		return false;
	}
	c->range_start = ip_of(&cfg->range_start);
	c->range_end = ip_of(&cfg->range_end);
	if (!IN_NET(c->range_start) || !IN_NET(c->range_end) || c->range_start > c->range_end) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "range-start, range-end: must be host addresses of the subnet, "
			    "start <= end");
		return false;
	}
	c->router = ip_of(&cfg->router);
	c->broadcast = ip_of(&cfg->broadcast);
	if (!c->broadcast)
		c->broadcast = c->net | ~c->mask;
	c->n_dns = cfg->dns.n;
	for (uint32_t i = 0; i < cfg->dns.n; i++)
		c->dns[i] = dns[i].address;
	if (cfg->domain && strlen(cfg->domain) > 255) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "domain: longer than 255 bytes");
		return false;
	}
	g_strlcpy(c->domain, cfg->domain ? cfg->domain : "", sizeof(c->domain));
	c->lease_s = (uint32_t)(cfg->lease_time / PK_NSEC_PER_SEC);
	c->t1_s = cfg->t1 ? (uint32_t)(cfg->t1 / PK_NSEC_PER_SEC) : c->lease_s / 2;
	c->t2_s = cfg->t2 ? (uint32_t)(cfg->t2 / PK_NSEC_PER_SEC) : c->lease_s / 8 * 7;
	if (c->t1_s > c->t2_s || c->t2_s > c->lease_s) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "t1, t2: need t1 <= t2 <= lease-time");
		return false;
	}
	if (cfg->mtu && cfg->mtu < 68) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "mtu: at least 68 (or 0)");
		return false;
	}
	c->mtu = cfg->mtu;
	for (uint32_t i = 0; i < cfg->classless_routes.n; i++) {
		if (rt[i].prefix.family != 4) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "classless-routes[%u].prefix: must be IPv4", i);
			return false;
		}
		memcpy(c->routes[i].dest.b, rt[i].prefix.addr, 4);
		c->routes[i].len = rt[i].prefix.len;
		c->routes[i].via = rt[i].via;
	}
	c->n_routes = cfg->classless_routes.n;
	c->statics = g_new0(struct dhcp_static, MAX(cfg->static_leases.n, 1u));
	for (uint32_t i = 0; i < cfg->static_leases.n; i++) {
		uint32_t ip = ip_of(&st[i].ip);

		if (!IN_NET(ip) || ip == c->server_ip || (st[i].mac.b[0] & 1)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "static-leases[%u]: ip must be a host address of the subnet "
				    "other than server-ip, mac a unicast address", i);
			return false;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (c->statics[j].ip == ip || !memcmp(c->statics[j].mac.b, st[i].mac.b, 6)) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "static-leases[%u]: same mac or ip as "
					    "static-leases[%u]", i, j);
				return false;
			}
		}
		c->statics[i].mac = st[i].mac;
		c->statics[i].ip = ip;
		g_strlcpy(c->statics[i].hostname, st[i].hostname ? st[i].hostname : "",
			  sizeof(c->statics[i].hostname));
	}
	c->n_statics = cfg->static_leases.n;
#undef IN_NET
	c->authoritative = cfg->authoritative;
	c->new_lease_burst = cfg->new_lease_burst;
	c->new_lease_interval = (uint64_t)PK_NSEC_PER_SEC / cfg->new_lease_rate;
	return true;
}

/* Copy the core's event counts. */
static void dhcpd_sync_counters(struct pk_dev *dev, struct dhcpd *d)
{
	memcpy(pk_dev_counters(dev), d->core.events, sizeof(d->core.events));
}

/* Status (ABI 1.2): the lease table, walked only when someone reads it. */
enum { DHCPD_S_BOUND, DHCPD_S_OFFERED, DHCPD_S_DECLINED };
enum { DHCPD_T_LEASES };
enum { DHCPD_LC_MAC, DHCPD_LC_ADDRESS, DHCPD_LC_STATE, DHCPD_LC_EXPIRES, DHCPD_LC_EXPIRES_IN,
       DHCPD_LC_HOSTNAME };

static const struct pk_status_field dhcpd_status[] = {
	[DHCPD_S_BOUND] = { "leases-bound", PK_ST_UINT, "Addresses bound now" },
	[DHCPD_S_OFFERED] = { "leases-offered", PK_ST_UINT,
			      "Addresses offered and held for a REQUEST" },
	[DHCPD_S_DECLINED] = { "addresses-declined", PK_ST_UINT,
			       "Addresses blocked because a client declined them" },
};

static const struct pk_status_field dhcpd_lease_columns[] = {
	[DHCPD_LC_MAC] = { "mac", PK_ST_MAC, "Client hardware address" },
	[DHCPD_LC_ADDRESS] = { "address", PK_ST_IP, "Address" },
	[DHCPD_LC_STATE] = { "state", PK_ST_STR, "offered, bound or declined" },
	[DHCPD_LC_EXPIRES] = { "expires", PK_ST_TIMESTAMP,
			       "When the lease (offer, block) runs out" },
	[DHCPD_LC_EXPIRES_IN] = { "expires-in", PK_ST_DURATION, "Time left" },
	[DHCPD_LC_HOSTNAME] = { "hostname", PK_ST_STR, "Host name the client sent (option 12)" },
};

static const struct pk_status_table dhcpd_status_tables[] = {
	[DHCPD_T_LEASES] = { "leases", "An address the server tracks",
			     PK_ARRAY(columns, dhcpd_lease_columns) },
};

static void dhcpd_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	static const char *const states[] = { [LEASE_OFFERED] = "offered",
					      [LEASE_BOUND] = "bound",
					      [LEASE_DECLINED] = "declined" };
	struct dhcpd *d = self;
	uint64_t now = pk_dev_now(dev), n[LEASE_DECLINED + 1] = { 0 };
	uint32_t cursor;

	for (struct lease *l = lease_table_first(&d->core.leases, &cursor); l;
	     l = lease_table_next(&d->core.leases, &cursor)) {
		struct pk_ip4 ip;

		/* Expired, waiting for the sweep: gone already. */
		if (l->expires <= now || l->state < LEASE_OFFERED || l->state > LEASE_DECLINED)
			continue;
		n[l->state]++;
		pk_put_be32(ip.b, l->ip);
		pk_status_row_begin(w, DHCPD_T_LEASES);
		if (l->state != LEASE_DECLINED)
			pk_status_set_mac(w, DHCPD_LC_MAC, &l->mac);
		pk_status_set_ip4(w, DHCPD_LC_ADDRESS, ip);
		pk_status_set_str(w, DHCPD_LC_STATE, states[l->state]);
		pk_status_set_timestamp(w, DHCPD_LC_EXPIRES, l->expires);
		pk_status_set_duration(w, DHCPD_LC_EXPIRES_IN, l->expires - now);
		if (l->hostname[0])
			pk_status_set_str(w, DHCPD_LC_HOSTNAME, l->hostname);
	}
	pk_status_row_end(w);
	pk_status_set_uint(w, DHCPD_S_BOUND, n[LEASE_BOUND]);
	pk_status_set_uint(w, DHCPD_S_OFFERED, n[LEASE_OFFERED]);
	pk_status_set_uint(w, DHCPD_S_DECLINED, n[LEASE_DECLINED]);
}

static void dhcpd_save(struct pk_dev *dev, struct dhcpd *d)
{
	g_autoptr(GError) error = NULL;

	d->core.dirty = false;
	if (!d->lease_path)
		return;
	if (!lease_file_save(d->lease_path, &d->core.leases, pk_dev_now(dev),
			     g_get_real_time() / G_USEC_PER_SEC, &error)) {
		pk_dev_count(dev, DHCPD_C_LEASE_FILE_ERRORS, 1);
		pk_dev_warn(dev, "%s", error->message);
	}
}

/* Log pool exhaustion at most once a minute, with the count since the last line. */
static void dhcpd_log_exhaustion(struct pk_dev *dev, struct dhcpd *d)
{
	uint64_t n = d->core.events[DHCP_EV_POOL_EXHAUSTED], now = pk_dev_now(dev);

	if (n == d->exhausted_logged)
		return;
	if (d->exhausted_logged_once && now - d->last_exhausted_log < 60 * PK_NSEC_PER_SEC)
		return;
	pk_dev_warn(dev, "address pool exhausted: %" G_GUINT64_FORMAT " DISCOVER(s) unanswered "
		    "(%u addresses tracked, max-leases %u)", n - d->exhausted_logged,
		    d->core.leases.n, d->core.leases.max);
	d->exhausted_logged = n;
	d->last_exhausted_log = now;
	d->exhausted_logged_once = true;
}

static void dhcpd_sweep(struct pk_dev *dev, void *self, void *data)
{
	struct dhcpd *d = self;

	dhcp_server_expire(&d->core, pk_dev_now(dev));
	if (d->core.dirty)
		dhcpd_save(dev, d);
	dhcpd_sync_counters(dev, d);
	pk_timer_arm(d->sweep, d->sweep_period);
}

static bool dhcpd_keep(void *data, uint32_t ip, const struct pk_mac *mac)
{
	return dhcp_server_ip_usable(data, ip, mac);
}

static void dhcpd_load(struct pk_dev *dev, struct dhcpd *d)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = NULL;
	int n;

	if (!d->lease_path)
		return;
	dir = g_path_get_dirname(d->lease_path);
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		pk_dev_count(dev, DHCPD_C_LEASE_FILE_ERRORS, 1);
		pk_dev_warn(dev, "cannot create state-dir %s: %s; leases will not be kept", dir,
			    g_strerror(errno));
		return;
	}
	n = lease_file_load(d->lease_path, &d->core.leases, pk_dev_now(dev),
			    g_get_real_time() / G_USEC_PER_SEC, dhcpd_keep, &d->core, &error);
	if (n >= 0) {
		if (n)
			pk_dev_info(dev, "%d lease(s) loaded from %s", n, d->lease_path);
		return;
	}
	pk_dev_count(dev, DHCPD_C_LEASE_FILE_ERRORS, 1);
	lease_table_clear(&d->core.leases);
	if (g_error_matches(error, PK_ERROR, PK_ERROR_INVALID)) {
		g_autoptr(GError) err2 = NULL;
		g_autofree char *aside = lease_file_set_aside(d->lease_path, &err2);

		pk_dev_warn(dev, "%s; starting without leases, file moved to %s", error->message,
			    aside ? aside : err2->message);
	} else {
		pk_dev_warn(dev, "%s; starting without leases", error->message);
	}
}

static int dhcpd_reconfigure(struct pk_dev *dev, void *self, const void *config,
			     uint64_t changed, GError **error)
{
	const struct dhcpd_config *cfg = config;
	struct dhcpd *d = self;
	struct dhcp_server_conf c = { 0 };

	(void)changed;
	if (d->running) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE, "stop the device to reconfigure it");
		return -1;
	}
	if (!dhcpd_build_conf(&c, cfg, error)) {
		g_free(c.statics);
		return -1;
	}
	g_free(d->conf.statics);
	d->conf = c;
	d->max_leases = cfg->max_leases;
	d->sweep_period = (uint64_t)CLAMP(cfg->lease_time / 8, PK_NSEC_PER_SEC,
					  30 * PK_NSEC_PER_SEC);
	g_free(d->lease_path);
	d->lease_path = NULL;
	if (cfg->state_dir && cfg->state_dir[0]) {
		g_autofree char *name = g_strdup_printf("%s.leases", pk_dev_id(dev));

		d->lease_path = g_build_filename(cfg->state_dir, name, NULL);
	}
	return 0;
}

static int dhcpd_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	return dhcpd_reconfigure(dev, self, config, UINT64_MAX, error);
}

static int dhcpd_start(struct pk_dev *dev, void *self, GError **error)
{
	struct dhcpd *d = self;

	(void)error;
	dhcp_server_init(&d->core, &d->conf, d->max_leases);
	/* Counters survive a restart: the core continues from them. */
	memcpy(d->core.events, pk_dev_counters(dev), sizeof(d->core.events));
	d->running = true;
	dhcpd_load(dev, d);
	d->sweep = pk_timer_new(dev, dhcpd_sweep, NULL);
	pk_timer_arm(d->sweep, d->sweep_period);
	dhcpd_sync_counters(dev, d);
	return 0;
}

static void dhcpd_stop(struct pk_dev *dev, void *self)
{
	struct dhcpd *d = self;

	if (!d->running)
		return;
	if (d->core.dirty)
		dhcpd_save(dev, d);
	pk_timer_free(d->sweep);
	d->sweep = NULL;
	dhcp_server_free(&d->core);
	d->running = false;
}

static void dhcpd_finalize(struct pk_dev *dev, void *self)
{
	struct dhcpd *d = self;

	dhcpd_stop(dev, self);
	g_free(d->conf.statics);
	g_free(d->lease_path);
}

static void dhcpd_receive(struct pk_dev *dev, void *self, uint32_t port,
			  const struct pk_batch *batch)
{
	struct dhcpd *d = self;
	uint64_t now = pk_dev_now(dev);
	bool any = false, changed;

	if (!d->running)
		return;
	for (uint32_t i = 0; i < batch->n; i++) {
		const uint8_t *f = pk_buf_data(batch->buf[i]);
		uint32_t len = pk_buf_len(batch->buf[i]), out_len = 0;
		struct pk_ip4 sip = dhcp_ip4(d->conf.server_ip);
		struct pk_buf *reply;

		if (pk_dhcp_is_candidate(f, len, PK_DHCP_SERVER_PORT)) {
			struct dhcp_output out = { d->out, 0 };

			dhcp_server_input(&d->core, f, len, now, &out);
			out_len = out.len;
			any = true;
		} else {
			switch (host_reply(f, len, &d->conf.mac, &sip, d->out, sizeof(d->out),
					   &out_len)) {
			case HOST_REPLY_ARP:
				pk_dev_count(dev, DHCPD_C_ARP_REPLIES, 1);
				break;
			case HOST_REPLY_ECHO:
				pk_dev_count(dev, DHCPD_C_ECHO_REPLIES, 1);
				break;
			case HOST_REPLY_DROPPED:
				pk_dev_count(dev, DHCPD_C_DROPPED_HOST, 1);
				break;
			case HOST_REPLY_NONE:
				break;
			}
		}
		if (!out_len)
			continue;
		reply = pk_buf_new_copy(d->out, out_len);
		if (!reply)
			continue;
		pk_dev_emit_one(dev, port, reply);
		pk_buf_unref(reply);
	}
	if (!any)
		return;
	changed = d->core.dirty;
	if (changed)
		dhcpd_save(dev, d);
	dhcpd_log_exhaustion(dev, d);
	dhcpd_sync_counters(dev, d);
}

static const struct pk_device_ops dhcpd_ops = {
	.init = dhcpd_init,
	.start = dhcpd_start,
	.stop = dhcpd_stop,
	.finalize = dhcpd_finalize,
	.reconfigure = dhcpd_reconfigure,
	.receive = dhcpd_receive,
	.status = dhcpd_status_write,
};

#define DHCPD_DOC                                                                              \
	"A DHCPv4 server (RFC 2131, 2132) that sits on an Ethernet segment like a host: link "    \
	"its port to an l2.hub. It answers DISCOVER with an OFFER, REQUEST with an ACK or a "    \
	"NAK (wrong network, address taken, or not one it can give; with 'authoritative' off "   \
	"it stays silent for clients it does not know), ignores REQUESTs naming another "         \
	"server and withdraws its offer to them, blocks DECLINEd addresses for 10 minutes, "      \
	"frees RELEASEd ones and answers INFORM without a lease. Replies honour the broadcast "   \
	"flag, go unicast to ciaddr or to the offered address at the client's MAC otherwise, "   \
	"and to the relay (giaddr, port 67) for relayed requests.\n\n"                            \
	"Addresses come from a static reservation for the client's MAC, else its previous "      \
	"lease, else the address it asks for, else the first free one of range-start.."          \
	"range-end. server-ip and reserved addresses are never given to anyone else. Expired "   \
	"leases are reclaimed; at most max-leases addresses are tracked, and a DISCOVER that "    \
	"finds nothing free is counted in pool-exhausted and logged (at most once a minute).\n\n" \
	"Flood defences: an OFFER holds its address for 60 s only while others are free. When "  \
	"the pool (or max-leases) is full, the address of the oldest offer not yet REQUESTed "   \
	"goes to the new client (offers-reclaimed), and a client that lost its offer so still "  \
	"gets the address if its REQUEST comes before anyone else's: DISCOVERs from random MACs " \
	"cannot use up the pool, only completed DISCOVER/REQUEST exchanges hold addresses. New " \
	"leases (not renewals of a bound lease, not reservations) are limited on the device's "  \
	"port by a budget of new-lease-burst, refilled at new-lease-rate per second: the "       \
	"defaults (128, 2/s) let a hundred machines boot at once; a REQUEST beyond it is "       \
	"ignored (the client retries) and counted in new-leases-rate-limited, so a flood of "    \
	"complete exchanges from random MACs binds at most burst + rate x time addresses.\n\n"  \
	"Replies carry the lease time, T1/T2, subnet mask, router, DNS servers, domain, "        \
	"broadcast address, MTU and, to clients that ask, classless static routes (121; the "     \
	"default route via router is appended as RFC 3442 requires). The client's host name "    \
	"(option 12) is recorded. The status lists the leases (MAC, address, state, expiry, "    \
	"host name) and how many are bound, offered and declined.\n\n"                         \
	"With state-dir set, bound leases are written to <state-dir>/<id>.leases (write to a "   \
	"temporary file, then rename) on every change and loaded at start; a corrupt file is "    \
	"renamed to *.corrupt and the server starts empty. The server also answers ARP "         \
	"requests for server-ip and ICMP echo requests to it."

const struct pk_device_type dhcp_server_type = {
	.name = "svc.dhcp-server",
	.summary = "DHCPv4 server with static leases, relay support and a lease file",
	.doc = DHCPD_DOC,
	PK_ARRAY(ports, dhcpd_ports),
	PK_ARRAY(params, dhcpd_params),
	PK_ARRAY(counters, dhcpd_counters),
	.config_size = sizeof(struct dhcpd_config),
	.instance_size = sizeof(struct dhcpd),
	.ops = &dhcpd_ops,
	PK_ARRAY(status, dhcpd_status),
	PK_ARRAY(status_tables, dhcpd_status_tables),
};
