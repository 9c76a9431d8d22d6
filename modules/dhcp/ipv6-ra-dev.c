/* SPDX-License-Identifier: MIT
 * ipv6-ra-dev.c - Device type svc.ipv6-ra: periodic and solicited IPv6 router advertisements
 */
#include <string.h>

#include <pktkit/error.h>
#include <pktkit/module.h>

#include "dhcp-types.h"
#include "ra.h"
#include "ra-sched.h"

struct ra_rdnss_rec {
	struct pk_ip6 address;
};

struct ra_config {
	struct pk_prefix prefix;
	struct pk_mac mac;
	int64_t interval;
	int64_t min_interval;
	bool managed;
	bool other;
	uint32_t mtu;
	struct pk_list rdnss;
	int64_t lifetime;
	int64_t valid_lifetime;
	int64_t preferred_lifetime;
};

static const struct pk_param ra_rdnss_fields[] = {
	PK_PARAM_IP6(struct ra_rdnss_rec, address, "address", NULL, PK_PF_REQUIRED,
		     "Recursive DNS server address"),
};

static const struct pk_param_record ra_rdnss_record = {
	PK_ARRAY(params, ra_rdnss_fields),
	.record_size = sizeof(struct ra_rdnss_rec),
};

#define SEC PK_NSEC_PER_SEC

static const struct pk_param ra_params[] = {
	PK_PARAM_PREFIX(struct ra_config, prefix, "prefix", "\"fd00::/64\"", 0,
			"Prefix advertised for SLAAC (on-link, autonomous); must be a /64"),
	PK_PARAM_MAC(struct ra_config, mac, "mac", "\"02:dd:cc:00:00:02\"", 0,
		     "Router's Ethernet address; its link-local address is derived (EUI-64)"),
	PK_PARAM_DURATION(struct ra_config, interval, "interval", "\"10s\"", 4 * SEC, 1800 * SEC,
			  0, "MaxRtrAdvInterval: longest time between unsolicited advertisements"),
	PK_PARAM_DURATION(struct ra_config, min_interval, "min-interval", NULL, 0, 1350 * SEC, 0,
			  "MinRtrAdvInterval: shortest time between unsolicited advertisements, "
			  "3 s .. 3/4 of interval; unset: a third of interval, at least 3 s"),
	PK_PARAM_BOOL(struct ra_config, managed, "managed", "false", 0,
		      "M flag: addresses are also available by DHCPv6"),
	PK_PARAM_BOOL(struct ra_config, other, "other", "false", 0,
		      "O flag: other configuration is available by DHCPv6"),
	PK_PARAM_U32(struct ra_config, mtu, "mtu", "0", 0, 65535, 0,
		     "Link MTU advertised (at least 1280); 0: no MTU option"),
	PK_PARAM_LIST(struct ra_config, rdnss, "rdnss", &ra_rdnss_record, 0, RA_MAX_RDNSS, 0,
		      "DNS servers advertised (RFC 8106): [{\"address\": \"fd00::53\"}]"),
	PK_PARAM_DURATION(struct ra_config, lifetime, "lifetime", "\"30m\"", 0, 9000 * SEC, 0,
			  "Router lifetime: how long hosts use this router as default; 0: not "
			  "a default router"),
	PK_PARAM_DURATION(struct ra_config, valid_lifetime, "valid-lifetime", "\"24h\"", 0,
			  (int64_t)UINT32_MAX * SEC, 0, "Valid lifetime of the prefix"),
	PK_PARAM_DURATION(struct ra_config, preferred_lifetime, "preferred-lifetime", "\"4h\"", 0,
			  (int64_t)UINT32_MAX * SEC, 0, "Preferred lifetime of the prefix"),
};

#define RA_COUNTERS(_)                                                               \
	_(RA_C_SENT, "advertisements", "Router advertisements sent (all multicast)") \
	_(RA_C_SOLICITED, "solicitations", "Valid router solicitations received")    \
	_(RA_C_SOLICITED_SENT, "solicited-advertisements",                           \
	  "Advertisements sent that answered solicitations (included in "            \
	  "advertisements)")                                                         \
	_(RA_C_COALESCED, "solicitations-coalesced",                                 \
	  "Solicitations answered by an advertisement already due (a pending "       \
	  "answer or the next unsolicited one) instead of one of their own")         \
	_(RA_C_DEFERRED, "solicitations-deferred",                                   \
	  "Solicitations whose answer waited until 3 s after the previous "          \
	  "advertisement (rate limit)")
PK_COUNTERS_DECLARE(ra_counters, RA_COUNTERS);

static const struct pk_port_group ra_ports[] = {
	{ "eth", PK_L2, 0, 1, "Ethernet segment of the hosts (link to an l2.hub port)", 0 },
};

struct ra_dev {
	struct ra_conf conf;
	uint64_t interval, min_interval;
	struct ra_sched sched;
	struct pk_timer *timer;
	uint8_t frame[256];
	uint32_t frame_len;
};

static uint32_t ra_secs(int64_t ns)
{
	return (uint32_t)MIN(ns / SEC, (int64_t)UINT32_MAX);
}

static int ra_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			  GError **error)
{
	const struct ra_config *cfg = config;
	const struct ra_rdnss_rec *rd = cfg->rdnss.items;
	struct ra_dev *r = self;
	struct ra_conf *c = &r->conf;

	(void)dev;
	(void)changed;
	if (cfg->prefix.family != 6 || cfg->prefix.len != 64) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "prefix: SLAAC needs an IPv6 /64 prefix");
		return -1;
	}
	if (cfg->mtu && cfg->mtu < 1280) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "mtu: at least 1280 (or 0)");
		return -1;
	}
	if (cfg->mac.b[0] & 1) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "mac: must be a unicast address");
		return -1;
	}
	if (cfg->min_interval &&
	    (cfg->min_interval < RA_MIN_DELAY_BETWEEN_RAS || cfg->min_interval > cfg->interval / 4 * 3)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "min-interval: 3 s .. 3/4 of interval (RFC 4861 6.2.1)");
		return -1;
	}
	if (cfg->preferred_lifetime > cfg->valid_lifetime) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "preferred-lifetime: longer than valid-lifetime");
		return -1;
	}
	memset(c, 0, sizeof(*c));
	c->mac = cfg->mac;
	memcpy(c->prefix, cfg->prefix.addr, 8);	/* host bits cleared */
	c->prefix_len = 64;
	c->managed = cfg->managed;
	c->other = cfg->other;
	c->mtu = cfg->mtu;
	c->router_lifetime_s = (uint16_t)ra_secs(cfg->lifetime);
	c->valid_s = ra_secs(cfg->valid_lifetime);
	c->preferred_s = ra_secs(cfg->preferred_lifetime);
	c->rdnss_lifetime_s = ra_secs(MAX(3 * cfg->interval, 60 * SEC));
	c->n_rdnss = cfg->rdnss.n;
	for (uint32_t i = 0; i < cfg->rdnss.n; i++)
		c->rdnss[i] = rd[i].address;
	r->interval = (uint64_t)cfg->interval;
	r->min_interval = cfg->min_interval ? (uint64_t)cfg->min_interval
					    : ra_sched_default_min(r->interval);
	r->frame_len = ra_build(c, r->frame, sizeof(r->frame));
	return 0;
}

static void ra_send(struct pk_dev *dev, struct ra_dev *r)
{
	struct pk_buf *b = pk_buf_new_copy(r->frame, r->frame_len);

	if (!b) {
		pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	pk_dev_count(dev, RA_C_SENT, 1);
	if (r->sched.answer_pending)
		pk_dev_count(dev, RA_C_SOLICITED_SENT, 1);
	pk_dev_emit_one(dev, PK_PORT(0, 0), b);
	pk_buf_unref(b);
}

/* Arm the timer at the schedule's deadline. */
static void ra_rearm(struct pk_dev *dev, struct ra_dev *r)
{
	uint64_t now = pk_dev_now(dev), due = ra_sched_deadline(&r->sched);

	pk_timer_arm(r->timer, due > now ? due - now : 0);
}

static void ra_tick(struct pk_dev *dev, void *self, void *data)
{
	struct ra_dev *r = self;
	uint64_t now = pk_dev_now(dev);

	(void)data;
	if (now >= ra_sched_deadline(&r->sched)) {
		ra_send(dev, r);
		ra_sched_sent(&r->sched, now, g_random_int());
	}
	ra_rearm(dev, r);
}

static int ra_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	return ra_reconfigure(dev, self, config, UINT64_MAX, error);
}

static int ra_start(struct pk_dev *dev, void *self, GError **error)
{
	struct ra_dev *r = self;

	(void)error;
	r->timer = pk_timer_new(dev, ra_tick, NULL);
	ra_sched_init(&r->sched, r->min_interval, r->interval, pk_dev_now(dev));
	ra_rearm(dev, r);	/* the first one at once */
	return 0;
}

static void ra_stop(struct pk_dev *dev, void *self)
{
	struct ra_dev *r = self;

	(void)dev;
	pk_timer_free(r->timer);
	r->timer = NULL;
}

static void ra_receive(struct pk_dev *dev, void *self, uint32_t port,
		       const struct pk_batch *batch)
{
	struct ra_dev *r = self;
	uint64_t now = pk_dev_now(dev), due = ra_sched_deadline(&r->sched);
	uint64_t *ctr = pk_dev_counters(dev);

	(void)port;
	if (!r->timer)
		return;
	/* Answers leave from the timer, after RFC 4861 6.2.6's random delay
	 * and rate limit; solicitations meanwhile share them. */
	for (uint32_t i = 0; i < batch->n; i++) {
		if (!ra_is_solicit(pk_buf_data(batch->buf[i]), pk_buf_len(batch->buf[i])))
			continue;
		ctr[RA_C_SOLICITED]++;
		switch (ra_sched_solicit(&r->sched, now, g_random_int())) {
		case RA_SOLICIT_SCHEDULED:
			break;
		case RA_SOLICIT_DEFERRED:
			ctr[RA_C_DEFERRED]++;
			break;
		case RA_SOLICIT_COALESCED:
			ctr[RA_C_COALESCED]++;
			break;
		}
	}
	if (ra_sched_deadline(&r->sched) != due)
		ra_rearm(dev, r);
}

static const struct pk_device_ops ra_ops = {
	.init = ra_init,
	.start = ra_start,
	.stop = ra_stop,
	.reconfigure = ra_reconfigure,
	.receive = ra_receive,
};

#define RA_DOC                                                                                 \
	"Sends IPv6 router advertisements (RFC 4861) on its Ethernet port so that hosts "         \
	"configure addresses by SLAAC. Timing follows RFC 4861 6.2.4 and 6.2.6: one at start, "   \
	"then after random intervals between 'min-interval' and 'interval' (at most 16 s after "  \
	"each of the first three). A valid router solicitation is answered after a random "      \
	"delay of up to 500 ms, and multicast advertisements are at least 3 s apart, so an "       \
	"answer may wait for that; solicitations arriving while an answer is due share it, and " \
	"an answer resets the unsolicited interval. A flood of solicitations thus yields at "    \
	"most one advertisement every 3 s (counted in solicitations-coalesced and "               \
	"solicitations-deferred). Advertisements go to ff02::1 "                                  \
	"(33:33:00:00:00:01) from the EUI-64 link-local address of 'mac' with hop limit 255 "     \
	"and carry the source link-layer address, the prefix (on-link and autonomous flags), "    \
	"the MTU if set and DNS servers (RDNSS, RFC 8106, lifetime 3 intervals, at least a "      \
	"minute). With a router 'lifetime' above 0 hosts also take the router as their default " \
	"gateway; this device forwards nothing itself."

const struct pk_device_type ipv6_ra_type = {
	.name = "svc.ipv6-ra",
	.summary = "IPv6 router advertisements for SLAAC (prefix, flags, MTU, RDNSS)",
	.doc = RA_DOC,
	PK_ARRAY(ports, ra_ports),
	PK_ARRAY(params, ra_params),
	PK_ARRAY(counters, ra_counters),
	.config_size = sizeof(struct ra_config),
	.instance_size = sizeof(struct ra_dev),
	.ops = &ra_ops,
};
