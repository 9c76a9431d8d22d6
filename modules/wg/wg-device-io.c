/* SPDX-License-Identifier: MIT
 * wg-device-io.c - l3.wg's data path: encrypting what the ports send, decrypting what arrives
 *
 * Receive: each datagram the socket layer (wg-device-socket.c) read is
 * handled by the interface (decrypted in place), its inner packet checked
 * against the peer's allowed-ips and passed on in a batch, the 16-byte
 * header pulled off without a copy. Send: each inner packet is sealed in its
 * own buffer (header pushed into the headroom, padding and tag put in the
 * tailroom) and queued for the socket layer, which sends a batch at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "wg-device.h"

/* Wall clock for TAI64N timestamps and "latest handshake". */
static uint64_t wg_dev_wall(void *ud)
{
	(void)ud;
	return (uint64_t)g_get_real_time() * 1000u;
}

/* Interface callbacks -------------------------------------------------------------------- */

static void op_send(void *ud, struct wg_peer *peer, const struct wg_source *to, const uint8_t *msg,
		    size_t len)
{
	struct wg_dev *d = ud;
	struct sockaddr_storage ss;
	socklen_t sl = 0;

	if (to) {
		/* A reply goes where the message came from: rebuild the
		 * address in the socket's family. */
		memset(&ss, 0, sizeof(ss));
		if (d->family == AF_INET6) {
			struct sockaddr_in6 *a = (void *)&ss;

			a->sin6_family = AF_INET6;
			a->sin6_port = htons(to->port);
			if (to->addr_len == 4) {
				a->sin6_addr.s6_addr[10] = 0xff;
				a->sin6_addr.s6_addr[11] = 0xff;
				memcpy(&a->sin6_addr.s6_addr[12], to->addr, 4);
			} else {
				memcpy(&a->sin6_addr, to->addr, 16);
			}
			sl = sizeof(*a);
		} else {
			struct sockaddr_in *a = (void *)&ss;

			a->sin_family = AF_INET;
			a->sin_port = htons(to->port);
			memcpy(&a->sin_addr, to->addr, 4);
			sl = sizeof(*a);
		}
	} else {
		struct wg_dpeer *dp = peer->ud;

		if (!dp->endpoint_len) {
			pk_dev_count(d->dev, WG_C_DROPPED_NO_ENDPOINT, 1);
			return;
		}
		ss = dp->endpoint;
		sl = dp->endpoint_len;
	}
	wg_dev_txq_add(d, NULL, msg, len, &ss, sl);
	wg_dev_flush(d); /* handshake messages and keepalives go at once */
}

/* Seal the inner packet @b (borrowed or owned) for @dp and queue it; false
 * when there is no session (the caller stages it). */
static bool seal_and_queue(struct wg_dev *d, struct wg_dpeer *dp, struct pk_buf *b, uint64_t now)
{
	uint32_t len = pk_buf_len(b);
	size_t padded = wg_padded_len(len, d->mtu);
	struct pk_buf *w;
	uint8_t *msg;

	if (!wg_peer_has_session(dp->p, now))
		return false;
	if (!dp->endpoint_len) {
		pk_dev_count(d->dev, WG_C_DROPPED_NO_ENDPOINT, 1);
		return true;
	}
	w = pk_buf_writable(d->dev, b);
	if (w && (pk_buf_headroom(w) < WG_DATA_HEADER_LEN ||
		  pk_buf_tailroom(w) < padded - len + WG_AEAD_TAG_LEN)) {
		/* Too little room around it: a fresh buffer, one copy. */
		struct pk_buf *c = pk_buf_alloc((uint32_t)(padded + WG_AEAD_TAG_LEN));

		if (c) {
			memcpy(pk_buf_data(c), pk_buf_data(w), len);
			pk_buf_trim(c, len);
			pk_dev_autorelease(d->dev, c);
		}
		w = c;
	}
	if (!w) {
		pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
		return true;
	}
	memset(pk_buf_put(w, (uint32_t)(padded - len)), 0, padded - len);
	msg = pk_buf_push(w, WG_DATA_HEADER_LEN);
	pk_buf_put(w, WG_AEAD_TAG_LEN);
	if (!wg_iface_seal(d->iface, dp->p, msg, padded, now)) {
		/* Only the message-count limit ends a session this way. */
		pk_dev_count(d->dev, WG_C_DROPPED_STAGED_FULL, 1);
		return true;
	}
	pk_dev_count(d->dev, WG_C_TX_PACKETS, 1);
	wg_dev_txq_add(d, w, NULL, 0, &dp->endpoint, dp->endpoint_len);
	return true;
}

static void stage(struct wg_dev *d, struct wg_dpeer *dp, struct pk_buf *b, uint64_t now)
{
	if (dp->staged_n == WG_MAX_STAGED) {
		/* Keep the newest (wg does too): the oldest goes. */
		pk_buf_unref(dp->staged[dp->staged_head]);
		dp->staged_head = (dp->staged_head + 1) % WG_MAX_STAGED;
		dp->staged_n--;
		pk_dev_count(d->dev, WG_C_DROPPED_STAGED_FULL, 1);
	}
	dp->staged[(dp->staged_head + dp->staged_n) % WG_MAX_STAGED] = pk_buf_ref(b);
	dp->staged_n++;
	wg_iface_peer_want_session(d->iface, dp->p, now);
}

static void op_keys_ready(void *ud, struct wg_peer *peer)
{
	struct wg_dev *d = ud;
	struct wg_dpeer *dp = peer->ud;
	uint64_t now = pk_dev_now(d->dev);

	dp->last_handshake = now ? now : 1;
	pk_dev_count(d->dev, WG_C_HANDSHAKES, 1);
	while (dp->staged_n && wg_peer_has_session(peer, now)) {
		struct pk_buf *b = dp->staged[dp->staged_head];

		dp->staged[dp->staged_head] = NULL;
		dp->staged_head = (dp->staged_head + 1) % WG_MAX_STAGED;
		dp->staged_n--;
		seal_and_queue(d, dp, b, now);
		pk_buf_unref(b);
	}
	wg_dev_flush(d);
}

static void op_handshake_failed(void *ud, struct wg_peer *peer)
{
	struct wg_dev *d = ud;

	wg_dpeer_drop_staged(d, peer->ud, WG_C_DROPPED_HANDSHAKE_FAILED);
}

const struct wg_iface_ops wg_dev_iface_ops = {
	.send = op_send,
	.keys_ready = op_keys_ready,
	.handshake_failed = op_handshake_failed,
	.wall_ns = wg_dev_wall,
};

/* Timers --------------------------------------------------------------------------------- */

void wg_dev_rearm(struct wg_dev *d)
{
	uint64_t next, now;

	if (!d->timer || d->fd < 0 || d->in_tick)
		return;
	next = wg_iface_next_deadline(d->iface);
	if (!next) {
		pk_timer_cancel(d->timer);
		return;
	}
	now = pk_dev_now(d->dev);
	pk_timer_arm(d->timer, next > now ? next - now : 0);
}

void wg_dev_timer_fired(struct pk_dev *dev, void *self, void *data)
{
	struct wg_dev *d = self;

	(void)data;
	d->in_tick = true;
	wg_iface_tick(d->iface, pk_dev_now(dev));
	d->in_tick = false;
	wg_dev_flush(d);
	wg_dev_rearm(d);
}

/* Send: packets from the ports ----------------------------------------------------------- */

/* ICMP errors sent back on the ports: a token bucket of WG_ICMP_PER_SECOND
 * with bursts of WG_ICMP_BURST (a sender flooding a destination no peer
 * has gets a trickle of answers, not one per packet). */
#define WG_ICMP_PER_SECOND 200u
#define WG_ICMP_BURST 50u
#define WG_ICMP_COST_NS (UINT64_C(1000000000) / WG_ICMP_PER_SECOND)

static bool icmp_allowed(struct wg_dev *d, uint64_t now)
{
	uint64_t credit = d->icmp_credit_ns + (now - d->icmp_last_ns);

	if (!d->icmp_last_ns || credit > WG_ICMP_BURST * WG_ICMP_COST_NS)
		credit = WG_ICMP_BURST * WG_ICMP_COST_NS;
	d->icmp_last_ns = now ? now : 1;
	if (credit < WG_ICMP_COST_NS) {
		d->icmp_credit_ns = credit;
		return false;
	}
	d->icmp_credit_ns = credit - WG_ICMP_COST_NS;
	return true;
}

/* Tell the sender of @pkt, back on @port, why it goes no further, as a
 * kernel WireGuard interface does: no peer has its destination (host /
 * address unreachable), or it is larger than the mtu and may not be
 * fragmented (fragmentation needed / packet too big, with the mtu). The
 * error's source is the packet's destination: the device has no address
 * of its own. */
static void send_icmp_error(struct wg_dev *d, uint32_t port, const uint8_t *pkt, uint32_t len,
			    bool too_big, uint64_t now)
{
	bool v6 = (pkt[0] >> 4) == 6;
	uint8_t type, code;
	uint32_t info = 0;
	struct pk_buf *e;

	if (too_big) {
		type = v6 ? PK_ICMP6_PACKET_TOO_BIG : PK_ICMP_DEST_UNREACH;
		code = v6 ? 0 : 4; /* fragmentation needed and DF set */
		info = d->mtu;
	} else {
		type = v6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH;
		code = v6 ? 3 : 1; /* address / host unreachable */
	}
	if (pk_icmp_error_check(pkt, len, type, code, 0) != PK_ICMP_ERR_OK || !icmp_allowed(d, now))
		return;
	e = pk_buf_alloc(0);
	if (!e) {
		pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	if (pk_icmp_error_build(e, NULL, type, code, info, pkt, len, 0) == PK_ICMP_ERR_OK) {
		pk_dev_count(d->dev, WG_C_ICMP_ERRORS_SENT, 1);
		pk_dev_emit_one(d->dev, port, e);
	}
	pk_buf_unref(e);
}

/* Whether IPv4 packet @p may not be fragmented (IPv6 never is on the way). */
static bool dont_fragment(const uint8_t *p)
{
	return (p[0] >> 4) == 6 || (p[6] & 0x40);
}

/* The inner destination of @b, or false if it is no IPv4/IPv6 packet. */
static bool inner_dst(const struct pk_buf *b, uint8_t *family, const uint8_t **addr)
{
	const uint8_t *p = pk_buf_data(b);
	uint32_t len = pk_buf_len(b);

	if (len >= 20 && (p[0] >> 4) == 4) {
		*family = 4;
		*addr = p + 16;
		return true;
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		*family = 6;
		*addr = p + 24;
		return true;
	}
	return false;
}

void wg_dev_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch)
{
	struct wg_dev *d = self;
	uint64_t now = pk_dev_now(dev);
	uint32_t group = PK_PORT_GROUP(port);

	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		struct wg_dpeer *dp = NULL;
		const uint8_t *dst;
		uint8_t family;

		if (!inner_dst(b, &family, &dst)) {
			pk_dev_count(dev, WG_C_DROPPED_INNER, 1);
			continue;
		}
		if (group == 0 && !d->isolate)
			dp = wg_dev_peer_at(d, pk_lpm_lookup(d->routes, family, dst));
		else if (group == 1 && d->isolate)
			dp = wg_dev_peer_at(d, PK_PORT_INDEX(port));
		if (dp && dp->own && pk_lpm_lookup(dp->own, family, dst) == PK_LPM_NONE)
			dp = NULL; /* isolated peer: only its own allowed-ips */
		if (!dp) {
			pk_dev_count(dev, WG_C_DROPPED_NO_PEER, 1);
			send_icmp_error(d, port, pk_buf_data(b), pk_buf_len(b), false, now);
			continue;
		}
		if (pk_buf_len(b) > d->mtu) {
			pk_dev_count(dev, WG_C_DROPPED_TOO_BIG, 1);
			if (dont_fragment(pk_buf_data(b)))
				send_icmp_error(d, port, pk_buf_data(b), pk_buf_len(b), true, now);
			continue;
		}
		if (d->fd < 0) {
			pk_dev_count(dev, WG_C_DROPPED_NO_ENDPOINT, 1);
			continue;
		}
		if (!seal_and_queue(d, dp, b, now))
			stage(d, dp, b, now);
	}
	wg_dev_flush(d);
	wg_dev_rearm(d);
}

/* Receive: datagrams from the socket ----------------------------------------------------- */

static void source_of(const struct sockaddr_storage *ss, struct wg_source *src)
{
	memset(src, 0, sizeof(*src));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		src->port = ntohs(a->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			src->addr_len = 4;
			memcpy(src->addr, &a->sin6_addr.s6_addr[12], 4);
		} else {
			src->addr_len = 16;
			memcpy(src->addr, &a->sin6_addr, 16);
		}
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		src->port = ntohs(a->sin_port);
		src->addr_len = 4;
		memcpy(src->addr, &a->sin_addr, 4);
	}
}

/* The inner packet's real length (from its header) and source; false if
 * it is not a whole IPv4 or IPv6 packet. */
static bool inner_check(const uint8_t *p, size_t len, uint32_t *real, uint8_t *family,
			const uint8_t **src)
{
	if (len >= 20 && (p[0] >> 4) == 4) {
		uint32_t tot = pk_get_be16(p + 2);

		if (tot < 20 || tot > len)
			return false;
		*real = tot;
		*family = 4;
		*src = p + 12;
		return true;
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		uint32_t tot = 40u + pk_get_be16(p + 4);

		if (tot > len)
			return false;
		*real = tot;
		*family = 6;
		*src = p + 8;
		return true;
	}
	return false;
}

void wg_rx_out_begin(struct wg_rx_out *o)
{
	pk_batch_init(&o->batch);
	o->port = UINT32_MAX;
	o->coalesce = false;
}

static void emit_gathered(struct wg_dev *d, struct wg_rx_out *o)
{
	if (!o->batch.n)
		return;
	if (o->coalesce) {
		uint64_t supers = 0;

		for (uint32_t i = 0; i < o->batch.n; i++)
			supers += o->batch.buf[i]->gso_size != 0;
		if (supers)
			pk_dev_count(d->dev, WG_C_RX_SUPER_PACKETS, supers);
	}
	pk_dev_emit(d->dev, o->port, &o->batch);
	pk_batch_unref_all(&o->batch);
}

void wg_dev_deliver(struct wg_dev *d, struct wg_rx_out *o)
{
	if (o->coalesce)
		while (pk_gro_flush(d->gro_tcp, &o->batch) == 0)
			emit_gathered(d, o);
	emit_gathered(d, o);
}

/* Add the inner packet @b (a reference owned) to what @o gathers. */
static void gather(struct wg_dev *d, struct wg_rx_out *o, struct pk_buf *b)
{
	if (!o->coalesce) {
		if (pk_batch_full(&o->batch))
			emit_gathered(d, o);
		pk_batch_add(&o->batch, b);
		return;
	}
	/* A packet adds at most one buffer to the batch and open flows
	 * together, so with room for one pk_gro_add() cannot fail. */
	if (o->batch.n + pk_gro_pending(d->gro_tcp) >= PK_BATCH_MAX)
		wg_dev_deliver(d, o);
	if (pk_gro_add(d->gro_tcp, b, &o->batch) < 0) {
		pk_dev_drop(d->dev, PK_DROP_QUEUE_FULL, 1);
		pk_buf_unref(b);
	}
}

void wg_dev_handle_datagram(struct wg_dev *d, struct pk_buf *b, const struct sockaddr_storage *from,
			    socklen_t from_len, uint64_t now, struct wg_rx_out *o)
{
	struct wg_rx_result r;
	struct wg_source src;
	struct wg_dpeer *dp;
	const uint8_t *isrc;
	uint32_t real, port;
	uint8_t family;

	source_of(from, &src);
	wg_iface_rx(d->iface, &src, pk_buf_data(b), pk_buf_len(b), now, &r);
	if (r.kind == WG_RX_DROPPED) {
		pk_dev_count(d->dev, r.drop, 1);
		return;
	}
	if (!r.peer)
		return; /* a cookie reply */
	dp = r.peer->ud;
	/* Roaming: the peer is where its last authenticated message came from. */
	memcpy(&dp->endpoint, from, from_len);
	dp->endpoint_len = from_len;
	if (r.kind == WG_RX_KEEPALIVE) {
		pk_dev_count(d->dev, WG_C_KEEPALIVES_RECEIVED, 1);
		return;
	}
	if (r.kind != WG_RX_DATA)
		return;
	if (!inner_check(r.inner, r.inner_len, &real, &family, &isrc)) {
		pk_dev_count(d->dev, WG_C_DROPPED_INNER, 1);
		return;
	}
	if (dp->own ? pk_lpm_lookup(dp->own, family, isrc) == PK_LPM_NONE
		    : pk_lpm_lookup(d->routes, family, isrc) != dp->slot) {
		pk_dev_count(d->dev, WG_C_DROPPED_SOURCE, 1);
		return;
	}
	port = d->isolate ? PK_PORT(1, dp->slot) : PK_PORT(0, 0);
	if (port != o->port) {
		wg_dev_deliver(d, o);
		o->port = port;
		o->coalesce = d->gro_tcp && pk_dev_port_takes_offload(d->dev, port);
	}
	pk_buf_pull(b, WG_DATA_HEADER_LEN);
	pk_buf_trim(b, real);
	pk_dev_count(d->dev, WG_C_RX_PACKETS, 1);
	gather(d, o, pk_buf_ref(b));
}

/* Start and stop ------------------------------------------------------------------------- */

int wg_dev_start(struct pk_dev *dev, void *self, GError **error)
{
	struct wg_dev *d = self;
	uint64_t now = pk_dev_now(dev);

	if (wg_dev_socket_open(d, error) < 0)
		return -1;
	d->gro_tcp = pk_gro_new(16, 0);
	/* Persistent keepalives start at once (as wg set does); isolated
	 * peers get their segments. */
	for (guint i = 0; i < d->peers->len; i++) {
		struct wg_dpeer *dp = d->peers->pdata[i];

		if (!dp)
			continue;
		if (dp->keepalive)
			wg_iface_peer_set_keepalive(d->iface, dp->p, dp->keepalive, now);
		wg_dpeer_instantiate(d, dp);
	}
	wg_dev_rearm(d);
	return 0;
}

void wg_dev_stop(struct pk_dev *dev, void *self)
{
	struct wg_dev *d = self;

	(void)dev;
	wg_dev_flush(d);
	for (guint i = 0; i < d->peers->len; i++) {
		struct wg_dpeer *dp = d->peers->pdata[i];

		if (!dp)
			continue;
		wg_dpeer_drop_staged(d, dp, -1);
		dp->instance = 0; /* the host removes the instances of a stopped device */
	}
	wg_dev_socket_close(d);
	pk_gro_free(d->gro_tcp);
	d->gro_tcp = NULL;
}
