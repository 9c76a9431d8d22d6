/* SPDX-License-Identifier: MIT
 * wg-device-config.c - l3.wg's parameters: keys, peers, endpoints, allowed-ips and the routing table
 */
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

#include "wg-conf.h"
#include "wg-device.h"

/* A key from a file holding its base64 text (wg genkey, wg genpsk), as
 * strictly as wg(8) reads it: canonical base64 of exactly 32 bytes. */
static bool read_key_file(const char *what, const char *path, uint8_t out[WG_KEY_LEN],
			  GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	bool ok;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "%s: %s", what, err->message);
		return false;
	}
	ok = wg_conf_parse_key(g_strstrip(text), out);
	wg_wipe(text, strlen(text));
	if (!ok)
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "%s: %s does not hold a key (44 characters of base64, as wg genkey "
			    "writes)",
			    what, path);
	return ok;
}

static bool key_is_zero(const struct pk_key32 *k)
{
	static const uint8_t zero[WG_KEY_LEN];

	return memcmp(k->b, zero, WG_KEY_LEN) == 0;
}

/* "host:port", "[v6]:port" -> a socket address of the device's family
 * (IPv4 as v4-mapped when the socket is dual-stack). Hostnames are
 * resolved here, once, as wg(8) does when it reads a configuration. */
static bool parse_endpoint(const char *text, int family, struct sockaddr_storage *ss,
			   socklen_t *len, GError **error)
{
	g_autofree char *host = NULL;
	const char *port;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':') {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "endpoint '%s': an IPv6 address is written [address]:port",
				    text);
			return false;
		}
		host = g_strndup(text + 1, (gsize)(close - text - 1));
		port = close + 2;
	} else {
		const char *colon = strrchr(text, ':');

		if (!colon || strchr(text, ':') != colon) {
			g_set_error(
				error, PK_ERROR, PK_ERROR_INVALID,
				"endpoint '%s': expected host:port (an IPv6 address in brackets)",
				text);
			return false;
		}
		host = g_strndup(text, (gsize)(colon - text));
		port = colon + 1;
	}
	if (!*port || strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 ||
	    atoi(port) > 65535) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "endpoint '%s': the port must be 1..65535", text);
		return false;
	}
	hints.ai_family = family == AF_INET ? AF_INET : AF_UNSPEC;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 || !res) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "endpoint '%s': %s", text,
			    rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
		return false;
	}
	memset(ss, 0, sizeof(*ss));
	if (res->ai_family == AF_INET && family == AF_INET6) {
		const struct sockaddr_in *in = (const void *)res->ai_addr;
		struct sockaddr_in6 *out = (void *)ss;

		out->sin6_family = AF_INET6;
		out->sin6_port = in->sin_port;
		out->sin6_addr.s6_addr[10] = 0xff;
		out->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&out->sin6_addr.s6_addr[12], &in->sin_addr, 4);
		*len = sizeof(*out);
	} else {
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
	}
	freeaddrinfo(res);
	return true;
}

/* "10.0.0.2/32, fd00::/64" -> prefixes (host bits cleared). */
static GArray *parse_allowed_ips(const char *text, GError **error)
{
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(struct pk_prefix));
	g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", -1);

	for (char **p = parts; *p; p++) {
		struct pk_prefix pfx;
		char *s = g_strstrip(*p);

		if (!*s)
			continue;
		if (!pk_prefix_parse(s, &pfx)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "allowed-ips: '%s' is not a prefix such as 10.0.0.2/32 or "
				    "fd00::/64",
				    s);
			return NULL;
		}
		for (unsigned bit = pfx.len; bit < (pfx.family == 4 ? 32u : 128u); bit++)
			pfx.addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
		g_array_append_val(out, pfx);
	}
	return g_steal_pointer(&out);
}

static struct pk_lpm_route route_of(const struct pk_prefix *pfx, uint32_t value)
{
	struct pk_lpm_route r = { .family = pfx->family, .len = pfx->len, .value = value };

	memcpy(r.addr, pfx->addr, sizeof(r.addr));
	return r;
}

/* One table of every peer's allowed-ips; an address listed for two peers
 * belongs to the later one in 'peers' (as wg set moves it). */
static struct pk_lpm *build_routes(GPtrArray *order, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
							   (GDestroyNotify)g_bytes_unref, NULL);
	g_autoptr(GArray) routes = g_array_new(FALSE, FALSE, sizeof(struct pk_lpm_route));

	for (guint i = order->len; i-- > 0;) {
		struct wg_dpeer *dp = order->pdata[i];

		for (guint k = 0; k < dp->allowed->len; k++) {
			struct pk_prefix *pfx = &g_array_index(dp->allowed, struct pk_prefix, k);
			struct pk_lpm_route r = route_of(pfx, dp->slot);
			GBytes *key = g_bytes_new(pfx, sizeof(*pfx));

			if (g_hash_table_contains(seen, key)) {
				g_bytes_unref(key);
				continue; /* a later peer has it */
			}
			g_hash_table_add(seen, key);
			g_array_append_val(routes, r);
		}
	}
	return pk_lpm_build((const struct pk_lpm_route *)(void *)routes->data, routes->len, NULL,
			    error);
}

void wg_dpeer_drop_staged(struct wg_dev *d, struct wg_dpeer *dp, int counter)
{
	while (dp->staged_n) {
		pk_buf_unref(dp->staged[dp->staged_head]);
		dp->staged[dp->staged_head] = NULL;
		dp->staged_head = (dp->staged_head + 1) % WG_MAX_STAGED;
		dp->staged_n--;
		if (counter >= 0)
			pk_dev_count(d->dev, (uint32_t)counter, 1);
	}
	dp->staged_head = 0;
}

static void slot_set_busy(struct wg_dev *d, uint32_t slot, bool busy)
{
	if (busy)
		d->slot_busy[slot / 64] |= UINT64_C(1) << (slot % 64);
	else
		d->slot_busy[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
}

static void dpeer_free(struct wg_dev *d, struct wg_dpeer *dp)
{
	if (!dp)
		return;
	if (dp->instance) {
		/* Its port stays taken until the host has removed the
		 * segment (unlink): the slot is not reused before. */
		pk_dev_instance_remove(d->dev, dp->instance);
		slot_set_busy(d, dp->slot, true);
		dp->instance = 0;
	}
	wg_dpeer_drop_staged(d, dp, -1);
	wg_wipe(dp->psk, sizeof(dp->psk));
	if (dp->p)
		wg_iface_peer_remove(d->iface, dp->p);
	pk_lpm_free(dp->own);
	if (dp->allowed)
		g_array_unref(dp->allowed);
	g_free(dp->configured_endpoint);
	g_free(dp);
}

/**
 * struct wg_plan - A configuration checked in full before anything changes
 * @priv:	The private key
 * @peers:	One new struct wg_dpeer per entry of 'peers', in order, not yet
 *		attached to the interface
 * @routes:	The routing table of all of them (without isolate-peers)
 */
struct wg_plan {
	uint8_t priv[WG_KEY_LEN];
	GPtrArray *peers;
	struct pk_lpm *routes;
};

static void plan_clear(struct wg_dev *d, struct wg_plan *pl)
{
	if (pl->peers) {
		for (guint i = 0; i < pl->peers->len; i++)
			dpeer_free(d, pl->peers->pdata[i]);
		g_ptr_array_unref(pl->peers);
	}
	pk_lpm_free(pl->routes);
	wg_wipe(pl->priv, sizeof(pl->priv));
	memset(pl, 0, sizeof(*pl));
}

static bool plan_private_key(const struct wg_config *cfg, struct wg_plan *pl, GError **error)
{
	bool file = cfg->private_key_file && *cfg->private_key_file;

	if (!key_is_zero(&cfg->private_key)) {
		if (file) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "private-key and private-key-file are both given: keep one");
			return false;
		}
		memcpy(pl->priv, cfg->private_key.b, WG_KEY_LEN);
		return true;
	}
	if (file)
		return read_key_file("private-key-file", cfg->private_key_file, pl->priv, error);
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
		    "private-key or private-key-file is needed (wg genkey makes one)");
	return false;
}

/* One entry of 'peers' into @dp; false with the reason in @error. */
static bool plan_peer(const struct wg_peer_rec *r, int family, struct wg_dpeer *dp, GError **error)
{
	bool file = r->preshared_key_file && *r->preshared_key_file;

	if (key_is_zero(&r->public_key)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "public-key is all zero");
		return false;
	}
	memcpy(dp->public_key, r->public_key.b, WG_KEY_LEN);
	if (!key_is_zero(&r->preshared_key)) {
		if (file) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "preshared-key and preshared-key-file are both given");
			return false;
		}
		memcpy(dp->psk, r->preshared_key.b, WG_KEY_LEN);
	} else if (file &&
		   !read_key_file("preshared-key-file", r->preshared_key_file, dp->psk, error)) {
		return false;
	}
	dp->keepalive = (uint16_t)r->persistent_keepalive;
	dp->configured_endpoint = g_strdup(r->endpoint ? r->endpoint : "");
	if (*dp->configured_endpoint && !parse_endpoint(dp->configured_endpoint, family,
							&dp->endpoint, &dp->endpoint_len, error))
		return false;
	dp->allowed = parse_allowed_ips(r->allowed_ips, error);
	return dp->allowed != NULL;
}

/* Public keys are random: their first bytes hash well. */
static guint key_hash(gconstpointer k)
{
	guint h;

	memcpy(&h, k, sizeof(h));
	return h;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, WG_KEY_LEN) == 0;
}

/* @peers (some slots NULL) by public key: reconfiguring thousands of peers
 * looks each up once, not in a scan of all of them. */
static GHashTable *index_by_key(GPtrArray *peers)
{
	GHashTable *h = g_hash_table_new(key_hash, key_equal);

	for (guint i = 0; peers && i < peers->len; i++) {
		struct wg_dpeer *dp = peers->pdata[i];

		if (dp)
			g_hash_table_insert(h, dp->public_key, dp);
	}
	return h;
}

/* Slots for the plan's peers: a peer the device has already keeps its
 * slot, a new one takes the lowest slot neither kept nor still busy. */
static bool plan_slots(const struct wg_dev *d, struct wg_plan *pl, GError **error)
{
	g_autoptr(GHashTable) old = index_by_key(d->peers);
	g_autofree uint64_t *used = g_memdup2(d->slot_busy, sizeof(d->slot_busy));
	uint32_t next = 0;

	for (guint i = 0; i < pl->peers->len; i++) {
		struct wg_dpeer *np = pl->peers->pdata[i];
		struct wg_dpeer *op = g_hash_table_lookup(old, np->public_key);

		np->slot = op ? op->slot : UINT32_MAX;
		if (op)
			used[op->slot / 64] |= UINT64_C(1) << (op->slot % 64);
	}
	for (guint i = 0; i < pl->peers->len; i++) {
		struct wg_dpeer *np = pl->peers->pdata[i];

		if (np->slot != UINT32_MAX)
			continue;
		while (next < WG_MAX_PEERS && (used[next / 64] >> (next % 64) & 1))
			next++;
		if (next == WG_MAX_PEERS) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "peers[%u]: no free peer port (%u at most, some still being "
				    "removed)",
				    i, WG_MAX_PEERS);
			return false;
		}
		np->slot = next++;
	}
	return true;
}

static bool plan_build(const struct wg_dev *d, const struct wg_config *cfg, int family,
		       bool isolate, struct wg_plan *pl, GError **error)
{
	const struct wg_peer_rec *recs = cfg->peers.items;
	g_autoptr(GHashTable) seen = g_hash_table_new(key_hash, key_equal);
	uint8_t own[WG_KEY_LEN], clamped[WG_KEY_LEN];

	memset(pl, 0, sizeof(*pl));
	pl->peers = g_ptr_array_new();
	if (!plan_private_key(cfg, pl, error))
		return false;
	memcpy(clamped, pl->priv, WG_KEY_LEN);
	wg_clamp(clamped);
	wg_pubkey(own, clamped);
	wg_wipe(clamped, sizeof(clamped));
	for (uint32_t i = 0; i < cfg->peers.n; i++) {
		struct wg_dpeer *dp = g_new0(struct wg_dpeer, 1);
		g_autoptr(GError) err = NULL;

		g_ptr_array_add(pl->peers, dp);
		if (!plan_peer(&recs[i], family, dp, &err)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "peers[%u]: %s", i,
				    err->message);
			return false;
		}
		if (memcmp(dp->public_key, own, WG_KEY_LEN) == 0) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "peers[%u]: public-key is this interface's own public key", i);
			return false;
		}
		if (g_hash_table_contains(seen, dp->public_key)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "peers[%u]: public-key is the same as peers[%u]'s", i,
				    GPOINTER_TO_UINT(g_hash_table_lookup(seen, dp->public_key)) -
					    1);
			return false;
		}
		g_hash_table_insert(seen, dp->public_key, GUINT_TO_POINTER(i + 1));
	}
	if (!plan_slots(d, pl, error))
		return false;
	for (guint i = 0; isolate && i < pl->peers->len; i++) {
		struct wg_dpeer *dp = pl->peers->pdata[i];
		g_autoptr(GPtrArray) one = g_ptr_array_new();
		g_autoptr(GError) err = NULL;

		g_ptr_array_add(one, dp);
		dp->own = build_routes(one, &err);
		if (!dp->own) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "peers[%u]: allowed-ips: %s",
				    i, err->message);
			return false;
		}
	}
	if (!isolate) {
		pl->routes = build_routes(pl->peers, error);
		if (!pl->routes)
			return false;
	}
	return true;
}

/* The socket family the endpoints are written for. */
static int device_family(const struct wg_dev *d)
{
	return d->fd >= 0 ? d->family : AF_INET6;
}

/* Make the plan the device's peers: a peer already there (same public
 * key) keeps its sessions, and its roamed endpoint unless 'endpoint'
 * changed; new ones are added, missing ones removed with what they had
 * staged. Cannot fail. Empties @pl. */
static void plan_apply(struct wg_dev *d, struct wg_plan *pl)
{
	GPtrArray *old = d->peers;
	g_autoptr(GHashTable) old_by_key = index_by_key(old);
	uint64_t now = pk_dev_now(d->dev);
	static const uint8_t zero[WG_KEY_LEN];

	if (memcmp(pl->priv, d->private_key, WG_KEY_LEN) != 0) {
		memcpy(d->private_key, pl->priv, WG_KEY_LEN);
		wg_iface_set_private_key(d->iface, d->private_key);
	}
	d->peers = g_ptr_array_new();
	d->n_peers = pl->peers->len;
	for (guint i = 0; i < pl->peers->len; i++) {
		struct wg_dpeer *np = pl->peers->pdata[i];
		struct wg_dpeer *op = g_hash_table_lookup(old_by_key, np->public_key);
		bool has_psk = memcmp(np->psk, zero, WG_KEY_LEN) != 0;
		struct wg_dpeer *keep = np;

		if (op) {
			/* Keep the old one (sessions, staged packets, slot,
			 * segment), updated. */
			g_ptr_array_index(old, op->slot) = NULL;
			wg_iface_peer_set_psk(d->iface, op->p, has_psk ? np->psk : NULL);
			if (op->keepalive != np->keepalive)
				wg_iface_peer_set_keepalive(d->iface, op->p, np->keepalive, now);
			op->keepalive = np->keepalive;
			if (strcmp(op->configured_endpoint, np->configured_endpoint) != 0) {
				g_free(op->configured_endpoint);
				op->configured_endpoint = g_steal_pointer(&np->configured_endpoint);
				op->endpoint = np->endpoint;
				op->endpoint_len = np->endpoint_len;
			}
			g_array_unref(op->allowed);
			op->allowed = g_steal_pointer(&np->allowed);
			pk_lpm_free(op->own);
			op->own = g_steal_pointer(&np->own);
			dpeer_free(d, np);
			keep = op;
		} else {
			np->p = wg_iface_peer_add(d->iface, np->public_key,
						  has_psk ? np->psk : NULL, 0, np);
			wg_wipe(np->psk, WG_KEY_LEN); /* the interface keeps it */
			if (np->keepalive)
				wg_iface_peer_set_keepalive(d->iface, np->p, np->keepalive, now);
			if (d->fd >= 0)
				wg_dpeer_instantiate(d, np);
		}
		if (keep->slot >= d->peers->len)
			g_ptr_array_set_size(d->peers, keep->slot + 1);
		g_ptr_array_index(d->peers, keep->slot) = keep;
		pl->peers->pdata[i] = NULL;
	}
	for (guint i = 0; old && i < old->len; i++)
		dpeer_free(d, old->pdata[i]);
	if (old)
		g_ptr_array_unref(old);
	pk_lpm_free(d->routes);
	d->routes = g_steal_pointer(&pl->routes);
	plan_clear(d, pl);
}

static void instance_done(struct pk_dev *dev, void *self, uint32_t instance, uint32_t port,
			  const GError *error, void *data)
{
	struct wg_dev *d = self;
	struct wg_dpeer *dp = wg_dev_peer_at(d, PK_PORT_INDEX(port));

	(void)data;
	if (!error)
		return;
	pk_dev_log(dev, G_LOG_LEVEL_WARNING, "peer.%u: instance %u of template %s failed: %s",
		   PK_PORT_INDEX(port), instance, d->peer_template, error->message);
	if (dp && dp->instance == instance)
		dp->instance = 0;
}

void wg_dpeer_instantiate(struct wg_dev *d, struct wg_dpeer *dp)
{
	g_autoptr(GError) error = NULL;

	if (!d->isolate || !d->peer_template || !*d->peer_template || dp->instance)
		return;
	dp->instance = pk_dev_instantiate(d->dev, d->peer_template, PK_PORT(1, dp->slot),
					  instance_done, NULL, &error);
	if (!dp->instance)
		pk_dev_log(d->dev, G_LOG_LEVEL_WARNING, "peer.%u: no segment from template %s: %s",
			   dp->slot, d->peer_template, error->message);
}

void wg_dev_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	struct wg_dev *d = self;
	uint32_t slot = PK_PORT_INDEX(port);

	(void)dev;
	if (PK_PORT_GROUP(port) == 1 && slot < WG_MAX_PEERS)
		slot_set_busy(d, slot, false);
}

static void apply_settings(struct wg_dev *d, const struct wg_config *cfg)
{
	d->listen_port = (uint16_t)cfg->listen_port;
	g_free(d->bind_address);
	d->bind_address = g_strdup(cfg->bind_address ? cfg->bind_address : "");
	d->fwmark = cfg->fwmark;
	d->mtu = cfg->mtu;
	d->isolate = cfg->isolate_peers;
	d->udp_offload = cfg->udp_offload;
	g_free(d->peer_template);
	d->peer_template = g_strdup(cfg->peer_template);
}

int wg_dev_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct wg_dev *d = self;
	const struct wg_config *cfg = config;
	struct wg_plan pl;
	const char *why = NULL;

	d->dev = dev;
	d->fd = -1;
	wg_timing_init(&d->timing);
	if (cfg->test_timer_divisor > 1) {
		uint64_t k = cfg->test_timer_divisor;

		d->timing.rekey_after_time /= k;
		d->timing.reject_after_time /= k;
		d->timing.rekey_attempt_time /= k;
		d->timing.rekey_timeout /= k;
		d->timing.keepalive_timeout /= k;
		d->timing.rekey_jitter_max /= k;
	}
	d->iface = wg_iface_new(&wg_dev_iface_ops, d, &d->timing, &why);
	if (!d->iface) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s", why);
		return -1;
	}
	wg_iface_set_load_threshold(d->iface, cfg->load_threshold);
	apply_settings(d, cfg);
	if (cfg->peer_template && *cfg->peer_template && !cfg->isolate_peers) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "peer-template needs isolate-peers (one port per peer)");
		wg_dev_finalize(dev, d);
		return -1;
	}
	if (!plan_build(d, cfg, device_family(d), d->isolate, &pl, error)) {
		/* The host does not finalize a device whose init failed. */
		plan_clear(d, &pl);
		wg_dev_finalize(dev, d);
		return -1;
	}
	plan_apply(d, &pl);
	d->timer = pk_timer_new(dev, wg_dev_timer_fired, NULL);
	return 0;
}

int wg_dev_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
		       GError **error)
{
	struct wg_dev *d = self;
	const struct wg_config *cfg = config;
	struct wg_plan pl;

	(void)dev;
	(void)changed;
	if (cfg->isolate_peers != d->isolate && d->fd >= 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "isolate-peers cannot change while the device runs");
		return -1;
	}
	if (cfg->peer_template && *cfg->peer_template && !cfg->isolate_peers) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "peer-template needs isolate-peers (one port per peer)");
		return -1;
	}
	if (d->fd >= 0 && g_strcmp0(cfg->peer_template, d->peer_template) != 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "peer-template cannot change while the device runs");
		return -1;
	}
	if (!plan_build(d, cfg, device_family(d), cfg->isolate_peers, &pl, error)) {
		plan_clear(d, &pl);
		return -1;
	}
	if (d->fd < 0)
		apply_settings(d, cfg);
	wg_iface_set_load_threshold(d->iface, cfg->load_threshold);
	plan_apply(d, &pl);
	wg_dev_rearm(d);
	return 0;
}

void wg_dev_finalize(struct pk_dev *dev, void *self)
{
	struct wg_dev *d = self;

	(void)dev;
	for (guint i = 0; d->peers && i < d->peers->len; i++) {
		struct wg_dpeer *dp = d->peers->pdata[i];

		if (dp)
			dp->instance = 0; /* gone with the device's stop */
		dpeer_free(d, dp);
	}
	if (d->peers)
		g_ptr_array_unref(d->peers);
	d->peers = NULL;
	pk_lpm_free(d->routes);
	d->routes = NULL;
	wg_iface_free(d->iface);
	d->iface = NULL;
	pk_timer_free(d->timer);
	d->timer = NULL;
	g_free(d->bind_address);
	g_free(d->peer_template);
	wg_wipe(d->private_key, sizeof(d->private_key));
}
