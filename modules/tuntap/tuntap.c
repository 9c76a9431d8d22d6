// SPDX-License-Identifier: MIT
/* tuntap.c - Device types io.tap and io.tun: a kernel TAP/TUN interface as one L2/L3 port */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <endian.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <pktkit/error.h>
#include <pktkit/module.h>
#include <pktkit/pktkit.h>
#include <pktkit/toolkit/gso.h>

#include "netlink.h"
#include "tun-open.h"
#include "tuntap-types.h"
#include "vnet.h"

/* Parameters ---------------------------------------------------------------- */

struct tuntap_addr_rec {
	struct pk_prefix prefix;
	bool dad;
};

struct tuntap_route_rec {
	struct pk_prefix prefix;
	char *via;
	uint32_t metric;
};

struct tuntap_config {
	char *ifname;
	char *netns;
	uint32_t mtu;
	bool up;
	struct pk_list addresses;
	struct pk_list routes;
	bool persist;
	bool multi_queue;
	bool offload;
	struct pk_mac mac;	/* io.tap only; zero: the kernel's random address */
};

static const struct pk_param tuntap_addr_fields[] = {
	PK_PARAM_PREFIX(struct tuntap_addr_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"Address and prefix length, e.g. \"10.0.0.1/24\" or \"fd00::1/64\""),
	PK_PARAM_BOOL(struct tuntap_addr_rec, dad, "dad", "false", 0,
		      "IPv6: run duplicate address detection first (off: usable at once, "
		      "like `ip addr add ... nodad`)"),
};

static const struct pk_param_record tuntap_addr_record = {
	PK_ARRAY(params, tuntap_addr_fields),
	.record_size = sizeof(struct tuntap_addr_rec),
};

static const struct pk_param tuntap_route_fields[] = {
	PK_PARAM_PREFIX(struct tuntap_route_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"Destination, e.g. \"10.1.0.0/16\", \"0.0.0.0/0\" or \"::/0\""),
	PK_PARAM_STR(struct tuntap_route_rec, via, "via", NULL, 0,
		     "Gateway address of the same family; unset for a route on the link"),
	PK_PARAM_U32(struct tuntap_route_rec, metric, "metric", "0", 0, UINT32_MAX, 0,
		     "Route priority (lower wins); 0 for the kernel's default"),
};

static const struct pk_param_record tuntap_route_record = {
	PK_ARRAY(params, tuntap_route_fields),
	.record_size = sizeof(struct tuntap_route_rec),
};

#define TUNTAP_PARAMS_COMMON                                                                    \
	PK_PARAM_STR(struct tuntap_config, ifname, "ifname", NULL, 0,                             \
		     "Interface name; an existing TUN/TAP interface of that name is attached "    \
		     "to, otherwise it is created. Unset: the kernel picks \"pk0\", \"pk1\", ..."), \
	PK_PARAM_STR(struct tuntap_config, netns, "netns", NULL, 0,                               \
		     "Network namespace (a name under /run/netns, as made by `ip netns add`) "    \
		     "to put the interface in; unset: the host's own"),                           \
	PK_PARAM_U32(struct tuntap_config, mtu, "mtu", "1500", 68, 65521, 0,                       \
		     "MTU of the interface in bytes"),                                            \
	PK_PARAM_BOOL(struct tuntap_config, up, "up", "true", 0,                                  \
		      "Bring the interface up when the device starts"),                           \
	PK_PARAM_LIST(struct tuntap_config, addresses, "addresses", &tuntap_addr_record, 0, 64,   \
		      0, "Addresses to add: {\"prefix\": \"10.0.0.1/24\", \"dad\": false}"),      \
	PK_PARAM_LIST(struct tuntap_config, routes, "routes", &tuntap_route_record, 0, 64, 0,     \
		      "Routes through the interface, main table: {\"prefix\": \"10.1.0.0/16\", " \
		      "\"via\": \"10.0.0.254\", \"metric\": 0}"),                                 \
	PK_PARAM_BOOL(struct tuntap_config, persist, "persist", "false", 0,                       \
		      "Keep the interface (and its addresses) after the device stops"),           \
	PK_PARAM_BOOL(struct tuntap_config, multi_queue, "multi-queue", "false", 0,               \
		      "Open several queues (IFF_MULTI_QUEUE); not supported yet, must be false"),  \
	PK_PARAM_BOOL(struct tuntap_config, offload, "offload", "false", 0,                       \
		      "Segmentation and checksum offload with the kernel (IFF_VNET_HDR, "         \
		      "TUNSETOFFLOAD csum, tso4, tso6, tso-ecn): TCP moves as super-packets of up " \
		      "to 64 KB in both directions and checksums are left to whoever needs them")

static const struct pk_param tuntap_tap_params[] = {
	TUNTAP_PARAMS_COMMON,
	PK_PARAM_MAC(struct tuntap_config, mac, "mac", NULL, 0,
		     "Hardware address of the interface; unset: a random one from the kernel"),
};

static const struct pk_param tuntap_tun_params[] = {
	TUNTAP_PARAMS_COMMON,
};

/* Counters ------------------------------------------------------------------ */

#define TUNTAP_COUNTERS(_)                                                         \
	_(TUNTAP_C_RX_ERRORS, "rx-errors", "Reads from the interface that failed") \
	_(TUNTAP_C_DROPPED_TRUNCATED, "dropped-truncated",                         \
	  "Packets from the kernel longer than a buffer, dropped")                 \
	_(TUNTAP_C_TX_ERRORS, "tx-errors",                                         \
	  "Packets the kernel refused (malformed, too long), dropped")             \
	_(TUNTAP_C_DROPPED_TX_FULL, "dropped-tx-full",                             \
	  "Packets dropped because the interface would block")                     \
	_(TUNTAP_C_DROPPED_LINK_DOWN, "dropped-link-down",                         \
	  "Packets dropped because the interface is down")                         \
	_(TUNTAP_C_DROPPED_NOT_RUNNING, "dropped-not-running",                     \
	  "Packets that arrived while the device was stopped")                     \
	_(TUNTAP_C_RX_GSO_PACKETS, "rx-gso-packets",                               \
	  "TCP super-packets read from the kernel ('offload')")                    \
	_(TUNTAP_C_TX_GSO_PACKETS, "tx-gso-packets",                               \
	  "TCP super-packets written to the kernel, which segments "               \
	  "them ('offload')")                                                      \
	_(TUNTAP_C_DROPPED_BAD_VNET_HDR, "dropped-bad-vnet-hdr",                   \
	  "Packets from the kernel with a virtio-net header "                      \
	  "this device cannot take (unknown GSO type, checksum "                   \
	  "or lengths outside the packet), dropped")                               \
	_(TUNTAP_C_TX_SEGMENTED, "tx-segmented",                                   \
	  "Super-packets or partial checksums from the port "                      \
	  "segmented or completed in software (offload off)")
PK_COUNTERS_DECLARE(tuntap_counters, TUNTAP_COUNTERS);

/* Instance -------------------------------------------------------------------- */

struct tuntap_route {
	struct pk_prefix dst;
	bool has_via;
	uint8_t via[16];
	uint32_t metric;
};

struct tuntap {
	bool tap;
	/* Settings, copied from the config. */
	char *ifname;
	char *netns;
	uint32_t mtu;
	bool up;
	bool persist;
	bool has_mac;
	bool offload;
	struct pk_mac mac;
	struct tuntap_addr_rec *addrs;
	uint32_t n_addrs;
	struct tuntap_route *routes;
	uint32_t n_routes;
	/* While running. */
	int fd;
	bool created;
	int ifindex;
	char actual[IFNAMSIZ];
	uint32_t frame_max;
	uint32_t read_max;	/* frame_max, or 64 KB plus the vnet header with offload */
	struct pk_buf *spare;	/* offload: a 64 KB read buffer kept for the next read */
	struct pk_watch *watch;
	struct pk_batch rx;
	uint64_t last_tx;	/* pk_dev_now() of the last write */
};

/* How long stop waits after a recent write before removing the interface:
 * the kernel delivers written frames from a softirq backlog, and unregistering
 * the device drops what is still queued there (e.g. a DHCP RELEASE sent by a
 * peer's stop just before). */
#define TUNTAP_DRAIN_NS (5 * PK_NSEC_PER_MSEC)

static const char *tuntap_type_name(const struct tuntap *t)
{
	return t->tap ? "io.tap" : "io.tun";
}

/* Configuration ------------------------------------------------------------------ */

static bool tuntap_name_ok(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || g_ascii_isspace(*p))
			return false;
	return true;
}

/* Check @cfg and fill the settings of @next (zeroed). */
static int tuntap_settings(struct tuntap *next, const struct tuntap_config *cfg, GError **error)
{
	const struct tuntap_addr_rec *a = cfg->addresses.items;
	const struct tuntap_route_rec *r = cfg->routes.items;
	static const struct pk_mac zero_mac;

	if (cfg->multi_queue) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "multi-queue: not supported yet (one queue per interface); set it to "
			    "false");
		return -1;
	}
	if (cfg->ifname && (strlen(cfg->ifname) >= IFNAMSIZ || !tuntap_name_ok(cfg->ifname))) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "ifname: '%s' is not a valid interface name (1 to %d characters, no "
			    "'/', ':' or spaces)", cfg->ifname, IFNAMSIZ - 1);
		return -1;
	}
	if (cfg->netns && !tuntap_name_ok(cfg->netns)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "netns: '%s' is not a namespace name (a file name under /run/netns)",
			    cfg->netns);
		return -1;
	}
	if (memcmp(&cfg->mac, &zero_mac, sizeof(zero_mac))) {
		if (cfg->mac.b[0] & 1) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "mac: a multicast address cannot be an interface address");
			return -1;
		}
		next->has_mac = true;
		next->mac = cfg->mac;
	}
	next->routes = g_new0(struct tuntap_route, cfg->routes.n ? cfg->routes.n : 1);
	for (uint32_t i = 0; i < cfg->routes.n; i++) {
		struct tuntap_route *out = &next->routes[i];

		out->dst = r[i].prefix;
		out->metric = r[i].metric;
		if (r[i].via) {
			int af = r[i].prefix.family == 4 ? AF_INET : AF_INET6;

			if (inet_pton(af, r[i].via, out->via) != 1) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "routes[%u].via: '%s' is not an IPv%u address (the "
					    "prefix is IPv%u)", i, r[i].via, r[i].prefix.family,
					    r[i].prefix.family);
				g_free(next->routes);
				next->routes = NULL;
				return -1;
			}
			out->has_via = true;
		}
	}
	next->n_routes = cfg->routes.n;
	next->addrs = g_memdup2(a, (gsize)cfg->addresses.n * sizeof(*a));
	next->n_addrs = cfg->addresses.n;
	next->ifname = g_strdup(cfg->ifname);
	next->netns = g_strdup(cfg->netns);
	next->mtu = cfg->mtu;
	next->up = cfg->up;
	next->persist = cfg->persist;
	next->offload = cfg->offload;
	return 0;
}

static void tuntap_settings_free(struct tuntap *t)
{
	g_clear_pointer(&t->ifname, g_free);
	g_clear_pointer(&t->netns, g_free);
	g_clear_pointer(&t->addrs, g_free);
	g_clear_pointer(&t->routes, g_free);
	t->n_addrs = t->n_routes = 0;
}

/* Swap the settings of @next into @t, freeing the old ones. */
static void tuntap_settings_take(struct tuntap *t, struct tuntap *next)
{
	tuntap_settings_free(t);
	t->ifname = next->ifname;
	t->netns = next->netns;
	t->mtu = next->mtu;
	t->up = next->up;
	t->persist = next->persist;
	t->offload = next->offload;
	t->has_mac = next->has_mac;
	t->mac = next->mac;
	t->addrs = next->addrs;
	t->n_addrs = next->n_addrs;
	t->routes = next->routes;
	t->n_routes = next->n_routes;
}

static int tuntap_init_common(struct tuntap *t, bool tap, const void *config, GError **error)
{
	struct tuntap next = { 0 };

	t->tap = tap;
	t->fd = -1;
	if (tuntap_settings(&next, config, error) < 0)
		return -1;
	tuntap_settings_take(t, &next);
	return 0;
}

static int tuntap_tap_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct tuntap *t = self;

	if (tuntap_init_common(t, true, config, error) < 0)
		return -1;
	/* Without 'offload' the kernel takes no super-packets: the core cuts
	 * them before they reach us, and our peer knows not to build them. */
	pk_dev_group_set_offload(dev, 0, t->offload);
	return 0;
}

static int tuntap_tun_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct tuntap *t = self;

	if (tuntap_init_common(t, false, config, error) < 0)
		return -1;
	pk_dev_group_set_offload(dev, 0, t->offload);
	return 0;
}

/* No parameter is live, so this only runs while the device is stopped. */
static int tuntap_reconfigure(struct pk_dev *dev, void *self, const void *config,
			      uint64_t changed, GError **error)
{
	struct tuntap *t = self;
	struct tuntap next = { 0 };

	(void)changed;
	if (tuntap_settings(&next, config, error) < 0)
		return -1;
	tuntap_settings_take(t, &next);
	pk_dev_group_set_offload(dev, 0, t->offload);
	return 0;
}

static void tuntap_finalize(struct pk_dev *dev, void *self)
{
	(void)dev;
	tuntap_settings_free(self);
}

/* Start and stop ---------------------------------------------------------------- */

/* Apply link settings, addresses and routes over @nl; 0 or -errno with @error set. */
static int tuntap_configure(struct tuntap *t, int nl, GError **error)
{
	char why[256], buf[PK_PREFIX_STRLEN];
	struct netlink_msg m;
	uint32_t seq = 10;
	int rc;

	netlink_msg_set_link(&m, seq++, t->ifindex, t->up ? 1 : 0, t->mtu,
			     t->has_mac ? &t->mac : NULL);
	rc = netlink_transact(nl, &m, why, sizeof(why));
	if (rc < 0) {
		g_set_error(error, PK_ERROR, rc == -EPERM ? PK_ERROR_PERMISSION : PK_ERROR_FAILED,
			    "%s: cannot set mtu %u%s%s on '%s': %s%s%s", tuntap_type_name(t),
			    t->mtu, t->has_mac ? " and mac" : "", t->up ? " and bring it up" : "",
			    t->actual, g_strerror(-rc), *why ? ": " : "", why);
		return rc;
	}
	for (uint32_t i = 0; i < t->n_addrs; i++) {
		const struct tuntap_addr_rec *a = &t->addrs[i];

		netlink_msg_add_addr(&m, seq++, t->ifindex, &a->prefix, !a->dad);
		rc = netlink_transact(nl, &m, why, sizeof(why));
		if (rc < 0) {
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
				    "%s: addresses[%u]: cannot add %s to '%s': %s%s%s",
				    tuntap_type_name(t), i, pk_prefix_format(&a->prefix, buf),
				    t->actual, g_strerror(-rc), *why ? ": " : "", why);
			return rc;
		}
	}
	for (uint32_t i = 0; i < t->n_routes; i++) {
		const struct tuntap_route *r = &t->routes[i];

		netlink_msg_add_route(&m, seq++, t->ifindex, &r->dst, r->has_via ? r->via : NULL,
				      r->metric);
		rc = netlink_transact(nl, &m, why, sizeof(why));
		if (rc < 0) {
			char via[INET6_ADDRSTRLEN] = "";

			if (r->has_via)
				inet_ntop(r->dst.family == 4 ? AF_INET : AF_INET6, r->via, via,
					  sizeof(via));
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
				    "%s: routes[%u]: cannot add route to %s%s%s on '%s': %s%s%s%s",
				    tuntap_type_name(t), i, pk_prefix_format(&r->dst, buf),
				    *via ? " via " : "", via, t->actual, g_strerror(-rc),
				    *why ? ": " : "", why,
				    rc == -ENETDOWN ? " (is 'up' false?)" : "");
			return rc;
		}
	}
	return 0;
}

static void tuntap_on_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			       void *data);

/*
 * Offload: every packet is preceded by a struct virtio_net_hdr_v1 (12 bytes:
 * the 10-byte legacy header plus num_buffers, which TUN leaves 0). 12 keeps
 * the IP header of a TUN packet 4-byte aligned behind it. Fields are
 * little-endian (TUN's default on little-endian hosts; we never ask for
 * TUNSETVNETBE).
 */
#define TUNTAP_VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr_v1))
#define TUNTAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)
/* Packets from the kernel up to this size are copied out of the 64 KB read
 * buffer into a small one (ACKs, small writes), so the big one is reused. */
#define TUNTAP_COPY_MAX 1024u

/* Ask for the vnet header length and the offloads; 0 or -errno with @error set. */
static int tuntap_setup_offload(struct tuntap *t, GError **error)
{
	int hdr_len = TUNTAP_VNET_HDR_LEN;

	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		int e = errno;

		g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
			    "%s: offload: the kernel refused TUNSETVNETHDRSZ %d on '%s': %s",
			    tuntap_type_name(t), hdr_len, t->actual, g_strerror(e));
		return -e;
	}
	if (ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)TUNTAP_OFFLOADS) < 0) {
		int e = errno;

		g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
			    "%s: offload: the kernel refused TUNSETOFFLOAD (csum, tso4, tso6, "
			    "tso-ecn) on '%s': %s (set 'offload' to false)",
			    tuntap_type_name(t), t->actual, g_strerror(e));
		return -e;
	}
	return 0;
}

static int tuntap_start(struct pk_dev *dev, void *self, GError **error)
{
	struct tuntap *t = self;
	struct tun_open_req req = {
		.type_name = tuntap_type_name(t),
		.tap = t->tap,
		.ifname = t->ifname,
		.netns = t->netns,
		.vnet_hdr = t->offload,
	};
	struct tun_open_result res;
	int rc = tun_open(&req, &res, error);

	if (rc < 0)
		return rc;
	t->fd = res.tun_fd;
	t->ifindex = res.ifindex;
	t->created = res.created;
	g_strlcpy(t->actual, res.ifname, sizeof(t->actual));
	rc = t->offload ? tuntap_setup_offload(t, error) : 0;
	if (rc == 0)
		rc = tuntap_configure(t, res.nl_fd, error);
	/* Persist last, so that a failed start leaves nothing behind. */
	if (rc == 0 && t->persist && ioctl(t->fd, TUNSETPERSIST, 1) < 0) {
		rc = -errno;
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s: cannot make '%s' persistent: %s",
			    tuntap_type_name(t), t->actual, g_strerror(errno));
	}
	close(res.nl_fd);
	if (rc < 0) {
		close(t->fd);
		t->fd = -1;
		return rc;
	}
	/* Ethernet header and one 802.1Q tag on top of the MTU for a TAP. */
	t->frame_max = MIN(t->mtu + (t->tap ? 18u : 0u), PK_BUF_MAX_LEN);
	/* With offload the kernel hands over up to 64 KB (plus a link header
	 * and the vnet header): the pool's 64 KB class. */
	t->read_max = t->offload ? PK_BUF_MAX_LEN : t->frame_max;
	t->watch = pk_watch_fd(dev, t->fd, G_IO_IN, tuntap_on_readable, NULL);
	pk_dev_info(dev, "%s '%s'%s%s (ifindex %d, %s%s)", t->created ? "created" : "attached to",
		    t->actual, t->netns ? " in netns " : "", t->netns ? t->netns : "", t->ifindex,
		    t->persist ? "persistent" : t->created ? "removed on stop" : "kept on stop",
		    t->offload ? ", offload: csum tso4 tso6" : "");
	return 0;
}

static void tuntap_stop(struct pk_dev *dev, void *self)
{
	struct tuntap *t = self;

	pk_watch_free(t->watch);
	t->watch = NULL;
	if (t->fd >= 0 && t->created && !t->persist && t->last_tx &&
	    pk_dev_now(dev) - t->last_tx < TUNTAP_DRAIN_NS)
		g_usleep(TUNTAP_DRAIN_NS / PK_NSEC_PER_USEC);
	/* Closing the only queue of a non-persistent interface removes it. */
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	pk_buf_unref(t->spare);
	t->spare = NULL;
}

/* Hot path -------------------------------------------------------------------- */

/* Read up to one batch from the interface and emit it on the single port. */
static void tuntap_on_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			       void *data)
{
	struct tuntap *t = self;
	uint64_t *ctr = pk_dev_counters(dev);
	uint32_t vh = t->offload ? (uint32_t)TUNTAP_VNET_HDR_LEN : 0;

	(void)data;
	(void)revents;
	pk_batch_init(&t->rx);
	while (!pk_batch_full(&t->rx)) {
		struct pk_buf *b = t->spare ? t->spare : pk_buf_alloc(t->read_max);
		struct virtio_net_hdr_v1 hdr;
		uint32_t cap;
		ssize_t n;

		t->spare = NULL;
		if (PK_UNLIKELY(!b)) {
			uint8_t one;

			/* Consume the packet anyway, or the watch would spin. */
			n = read(fd, &one, 1);
			if (n < 0)
				break;
			pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
			continue;
		}
		cap = pk_buf_len(b) + pk_buf_tailroom(b);
		n = read(fd, pk_buf_data(b), cap);
		if (n <= 0) {
			if (vh)
				t->spare = b;
			else
				pk_buf_unref(b);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				ctr[TUNTAP_C_RX_ERRORS]++;
			if (n < 0 && errno == EBADFD && t->watch) {
				/* The interface was deleted under us: the file is
				 * detached and polls as an error for ever. Stop
				 * reading (writes count tx-errors); stop closes it. */
				pk_dev_log(dev, G_LOG_LEVEL_WARNING,
					   "interface '%s' is gone (deleted): no more reading",
					   t->actual);
				g_clear_pointer(&t->watch, pk_watch_free);
			}
			break;
		}
		/* The kernel returns the whole length when it had to cut the packet. */
		if (PK_UNLIKELY((size_t)n > cap)) {
			pk_buf_unref(b);
			ctr[TUNTAP_C_DROPPED_TRUNCATED]++;
			continue;
		}
		if ((uint32_t)n <= pk_buf_len(b))
			pk_buf_trim(b, (uint32_t)n);
		else
			pk_buf_put(b, (uint32_t)n - pk_buf_len(b));
		if (vh) {
			if (PK_UNLIKELY((uint32_t)n < vh)) {
				t->spare = b;
				ctr[TUNTAP_C_DROPPED_BAD_VNET_HDR]++;
				continue;
			}
			memcpy(&hdr, pk_buf_data(b), sizeof(hdr));
			pk_buf_pull(b, vh);
			pk_buf_offload_clear(b);
			if (PK_UNLIKELY(!tuntap_vnet_to_buf(t->tap, &hdr, b))) {
				pk_buf_push(b, vh);
				t->spare = b;
				ctr[TUNTAP_C_DROPPED_BAD_VNET_HDR]++;
				continue;
			}
			if (b->gso_size)
				ctr[TUNTAP_C_RX_GSO_PACKETS]++;
			if (pk_buf_len(b) <= TUNTAP_COPY_MAX) {
				/* Small: copy it out and keep the 64 KB buffer. */
				struct pk_buf *small = pk_buf_new_copy(pk_buf_data(b), pk_buf_len(b));

				if (PK_UNLIKELY(!small)) {
					pk_buf_push(b, vh);
					t->spare = b;
					pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
					continue;
				}
				pk_buf_offload_copy(small, b);
				pk_buf_push(b, vh);	/* the next read starts where this one did */
				t->spare = b;
				b = small;
			}
		}
		pk_batch_add(&t->rx, b);
	}
	if (t->rx.n) {
		pk_dev_emit(dev, 0, &t->rx);
		pk_batch_unref_all(&t->rx);
	}
}

/* Write one packet, the vnet header in front with offload. */
static ssize_t tuntap_write_one(struct tuntap *t, const struct pk_buf *b)
{
	struct virtio_net_hdr_v1 hdr;
	struct iovec iov[2];
	ssize_t n;

	if (!t->offload) {
		do
			n = write(t->fd, pk_buf_data(b), pk_buf_len(b));
		while (PK_UNLIKELY(n < 0 && errno == EINTR));
		return n;
	}
	tuntap_buf_to_vnet(b, &hdr);
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof(hdr);
	iov[1].iov_base = pk_buf_data(b);
	iov[1].iov_len = pk_buf_len(b);
	do
		n = writev(t->fd, iov, 2);
	while (PK_UNLIKELY(n < 0 && errno == EINTR));
	return n;
}

/* The port accepts offloads whatever 'offload' says: without it (or when the
 * kernel could not take the metadata) packets are segmented and checksums
 * completed here. Returns the packets that failed; sets *errno_out. */
static uint32_t tuntap_write_soft(struct pk_dev *dev, struct tuntap *t, const struct pk_buf *b,
				  int *errno_out)
{
	struct pk_batch segs;
	uint32_t pos = 0, failed = 0;
	int32_t l3 = t->tap ? pk_eth_l3_offset(pk_buf_data(b), pk_buf_len(b)) : 0;
	int rc;

	pk_dev_count(dev, TUNTAP_C_TX_SEGMENTED, 1);
	if (l3 < 0) {
		*errno_out = EINVAL;
		return 1;
	}
	do {
		pk_batch_init(&segs);
		rc = pk_gso_segment(b, (uint32_t)l3, &pos, &segs);
		for (uint32_t i = 0; i < segs.n; i++) {
			if (tuntap_write_one(t, segs.buf[i]) < 0) {
				*errno_out = errno;
				failed++;
			}
		}
		pk_batch_unref_all(&segs);
	} while (rc == 0);
	if (rc < 0) {
		*errno_out = -rc == ENOMEM ? ENOBUFS : EINVAL;
		failed++;
	}
	return failed;
}

/*
 * Write each packet with one write(). The kernel never makes a TUN/TAP write
 * wait for room (it queues into the stack or drops), so EAGAIN is rare; when
 * it happens the packet is dropped and counted rather than queued, which keeps
 * this path free of allocation and of G_IO_OUT bookkeeping.
 */
static void tuntap_receive(struct pk_dev *dev, void *self, uint32_t port,
			   const struct pk_batch *batch)
{
	struct tuntap *t = self;
	uint64_t full = 0, down = 0, err = 0, gso = 0;

	(void)port;
	if (PK_UNLIKELY(t->fd < 0)) {
		pk_dev_count(dev, TUNTAP_C_DROPPED_NOT_RUNNING, batch->n);
		return;
	}
	for (uint32_t i = 0; i < batch->n; i++) {
		const struct pk_buf *b = batch->buf[i];
		int e = 0;

		if (PK_UNLIKELY(pk_buf_needs_offload(b)) && (!t->offload || !tuntap_vnet_ok(b))) {
			if (tuntap_write_soft(dev, t, b, &e) == 0)
				continue;
		} else if (PK_LIKELY(tuntap_write_one(t, b) >= 0)) {
			gso += b->gso_size != 0;
			continue;
		} else {
			e = errno;
		}
		if (e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS)
			full++;
		else if (e == EIO)
			down++;
		else
			err++;
	}
	t->last_tx = pk_dev_now(dev);
	if (gso)
		pk_dev_count(dev, TUNTAP_C_TX_GSO_PACKETS, gso);
	if (PK_UNLIKELY(full | down | err)) {
		uint64_t *ctr = pk_dev_counters(dev);

		ctr[TUNTAP_C_DROPPED_TX_FULL] += full;
		ctr[TUNTAP_C_DROPPED_LINK_DOWN] += down;
		ctr[TUNTAP_C_TX_ERRORS] += err;
	}
}

/* Types ------------------------------------------------------------------------ */

static const struct pk_port_group tuntap_tap_ports[] = {
	{ "eth", PK_L2, 0, 1, "Ethernet frames to and from the kernel's TAP interface",
	  PK_PORT_F_OFFLOAD },
};

static const struct pk_port_group tuntap_tun_ports[] = {
	{ "ip", PK_L3, 0, 1, "IPv4 and IPv6 packets to and from the kernel's TUN interface",
	  PK_PORT_F_OFFLOAD },
};

static const struct pk_device_ops tuntap_tap_ops = {
	.init = tuntap_tap_init,
	.start = tuntap_start,
	.stop = tuntap_stop,
	.finalize = tuntap_finalize,
	.reconfigure = tuntap_reconfigure,
	.receive = tuntap_receive,
};

static const struct pk_device_ops tuntap_tun_ops = {
	.init = tuntap_tun_init,
	.start = tuntap_start,
	.stop = tuntap_stop,
	.finalize = tuntap_finalize,
	.reconfigure = tuntap_reconfigure,
	.receive = tuntap_receive,
};

#define TUNTAP_DOC_COMMON                                                                          \
	"On start the device opens /dev/net/tun, creates the interface 'ifname' (or attaches to "  \
	"an existing TUN/TAP interface of that name), optionally inside the network namespace "    \
	"'netns', and configures it over rtnetlink: MTU, up, the 'addresses' and the 'routes'. "   \
	"A namespace is entered only by a short-lived helper thread that opens the descriptors; "  \
	"the host's threads never change namespace. Starting needs CAP_NET_ADMIN; errors name "    \
	"the missing capability, a missing /dev/net/tun (`modprobe tun`), a missing namespace or " \
	"a name in use.\n\n"                                                                       \
	"Reading is batched: every wake-up reads up to 64 packets and emits them together. Each "  \
	"packet received on the port is written to the interface at once; the kernel never makes " \
	"such a write wait, and a refused write is dropped and counted (dropped-tx-full, "         \
	"dropped-link-down, tx-errors), never queued or retried.\n\n"                              \
	"With 'offload' the interface is opened with IFF_VNET_HDR (a 12-byte virtio-net header "   \
	"in front of every packet) and the kernel is told it may hand over unchecksummed "         \
	"packets and TCP super-packets (TUNSETOFFLOAD csum, tso4, tso6, tso-ecn): reads of up "    \
	"to 64 KB arrive on the port as super-packets with their segment size and partial "        \
	"checksum (rx-gso-packets), and super-packets received on the port are written as one "    \
	"packet each for the kernel to segment (tx-gso-packets). A header the device cannot "      \
	"take is dropped and counted (dropped-bad-vnet-hdr). Without 'offload' the core cuts "     \
	"super-packets and completes partial checksums before they reach the device, and the "     \
	"device linked to it learns not to build them (what still needed it is counted as "        \
	"tx-segmented). A kernel that refuses the offloads fails the start with the reason.\n\n"   \
	"On stop an interface the device created is removed, together with its addresses and "     \
	"routes, unless 'persist' is true; an interface it attached to is left as it was found "   \
	"apart from the settings applied at start."

const struct pk_device_type tuntap_tap_type = {
	.name = "io.tap",
	.summary = "Kernel TAP interface: Ethernet frames between the host's stack and a port",
	.doc = "Joins an L2 port to a TAP interface of the kernel, so that the host (or a network "
	       "namespace, a VM or a container on it) is one station on the pktkit network: "
	       "frames the kernel sends on the interface leave through 'eth', frames arriving on "
	       "'eth' are delivered to the kernel. IPv6 addresses are usable at once (no "
	       "duplicate address detection) unless their record sets \"dad\": true.\n\n"
	       TUNTAP_DOC_COMMON,
	PK_ARRAY(ports, tuntap_tap_ports),
	PK_ARRAY(params, tuntap_tap_params),
	PK_ARRAY(counters, tuntap_counters),
	.flags = PK_TYPE_NEEDS_NET_ADMIN,
	.config_size = sizeof(struct tuntap_config),
	.instance_size = sizeof(struct tuntap),
	.ops = &tuntap_tap_ops,
};

const struct pk_device_type tuntap_tun_type = {
	.name = "io.tun",
	.summary = "Kernel TUN interface: IP packets between the host's routing table and a port",
	.doc = "Joins an L3 port to a TUN interface of the kernel: IPv4 and IPv6 packets the "
	       "kernel routes into the interface leave through 'ip', packets arriving on 'ip' are "
	       "handed to the kernel's stack. A TUN interface has no link layer, so use 'routes' "
	       "to send traffic into it; a route's 'via' is optional on such a point-to-point "
	       "link.\n\n"
	       TUNTAP_DOC_COMMON,
	PK_ARRAY(ports, tuntap_tun_ports),
	PK_ARRAY(params, tuntap_tun_params),
	PK_ARRAY(counters, tuntap_counters),
	.flags = PK_TYPE_NEEDS_NET_ADMIN,
	.config_size = sizeof(struct tuntap_config),
	.instance_size = sizeof(struct tuntap),
	.ops = &tuntap_tun_ops,
};
