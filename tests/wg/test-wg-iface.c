/* SPDX-License-Identifier: MIT
 * test-wg-iface.c - Two WireGuard interfaces on a fake clock: sessions, every timer, load, refusals
 *
 * A and B are wg_iface instances whose sends land in a queue the test
 * delivers (or loses) by hand, with a fake monotonic clock and wall clock.
 * Each case drives the whitepaper's timers (section 6) to their edges:
 * retransmission with jitter and giving up, keepalives, rekeying by time and
 * by message count, expiry, zeroing, persistent keepalive, the crossed
 * initiations, and cookies under load.
 */
#include <string.h>
#include <glib.h>

#include "wg-iface.h"

#define MTU 1420u

struct dgram {
	uint8_t data[2048];
	size_t len;
	struct wg_source to;
	bool to_set;
};

struct side {
	const char *name;
	struct wg_iface *w;
	struct wg_peer *peer; /* the other side */
	struct wg_source addr;
	GQueue out;    /* struct dgram *, sent and not yet delivered */
	GQueue staged; /* GBytes *, inner packets waiting for a session */
	unsigned keys_ready;
	unsigned failed;
	GPtrArray *received; /* GBytes *, inner packets delivered */
	unsigned keepalives;
	unsigned drops[WG_DROP_COUNT];
};

static uint64_t now = 1000 * WG_SEC;
static const uint64_t wall0 = UINT64_C(1700000000) * WG_SEC;

static uint64_t wall_ns(void *ud)
{
	(void)ud;
	return wall0 + now;
}

static void op_send(void *ud, struct wg_peer *peer, const struct wg_source *to, const uint8_t *msg,
		    size_t len)
{
	struct side *s = ud;
	struct dgram *d = g_new0(struct dgram, 1);

	(void)peer;
	g_assert_cmpuint(len, <=, sizeof(d->data));
	memcpy(d->data, msg, len);
	d->len = len;
	if (to) {
		d->to = *to;
		d->to_set = true;
	}
	g_queue_push_tail(&s->out, d);
}

static bool seal_one(struct side *s, GBytes *pkt);

static void op_keys_ready(void *ud, struct wg_peer *peer)
{
	struct side *s = ud;
	GBytes *b;

	(void)peer;
	s->keys_ready++;
	while ((b = g_queue_pop_head(&s->staged))) {
		g_assert_true(seal_one(s, b));
		g_bytes_unref(b);
	}
}

static void op_failed(void *ud, struct wg_peer *peer)
{
	struct side *s = ud;

	(void)peer;
	s->failed++;
	g_queue_clear_full(&s->staged, (GDestroyNotify)g_bytes_unref);
}

static const struct wg_iface_ops ops = {
	.send = op_send,
	.keys_ready = op_keys_ready,
	.handshake_failed = op_failed,
	.wall_ns = wall_ns,
};

/* Seal @pkt for the peer; false if no session (the caller stages it). */
static bool seal_one(struct side *s, GBytes *pkt)
{
	gsize n;
	const uint8_t *p = g_bytes_get_data(pkt, &n);
	uint8_t msg[2048] = { 0 };
	size_t padded = wg_padded_len(n, MTU);

	memcpy(msg + WG_DATA_HEADER_LEN, p, n);
	if (!wg_iface_seal(s->w, s->peer, msg, padded, now))
		return false;
	op_send(s, s->peer, NULL, msg, WG_DATA_HEADER_LEN + padded + WG_AEAD_TAG_LEN);
	return true;
}

/* The device's send path: seal, or stage and let the interface handshake. */
static void app_send(struct side *s, const char *text)
{
	GBytes *b = g_bytes_new(text, strlen(text));

	if (!seal_one(s, b))
		g_queue_push_tail(&s->staged, g_bytes_ref(b));
	g_bytes_unref(b);
}

static void side_init(struct side *s, const char *name, uint8_t last, const struct wg_timing *t)
{
	uint8_t k[WG_KEY_LEN];
	const char *why = NULL;

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->w = wg_iface_new(&ops, s, t, &why);
	g_assert_nonnull(s->w);
	wg_genkey(k);
	wg_iface_set_private_key(s->w, k);
	s->addr.addr_len = 4;
	s->addr.addr[0] = 10;
	s->addr.addr[3] = last;
	s->addr.port = 51820;
	g_queue_init(&s->out);
	g_queue_init(&s->staged);
	s->received = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

static void pair_psk(struct side *a, struct side *b, const struct wg_timing *t,
		     const uint8_t *psk_a, const uint8_t *psk_b)
{
	side_init(a, "A", 1, t);
	side_init(b, "B", 2, t);
	a->peer = wg_iface_peer_add(a->w, wg_iface_public_key(b->w), psk_a, 0, NULL);
	b->peer = wg_iface_peer_add(b->w, wg_iface_public_key(a->w), psk_b, 0, NULL);
	g_assert_nonnull(a->peer);
	g_assert_nonnull(b->peer);
}

static void pair(struct side *a, struct side *b, const struct wg_timing *t, const uint8_t *psk)
{
	pair_psk(a, b, t, psk, psk);
}

static void side_free(struct side *s)
{
	g_queue_clear_full(&s->out, g_free);
	g_queue_clear_full(&s->staged, (GDestroyNotify)g_bytes_unref);
	g_ptr_array_unref(s->received);
	wg_iface_free(s->w);
}

/* Deliver one datagram to @to from @from; what happened. */
static struct wg_rx_result deliver(struct side *from, struct side *to, struct dgram *d)
{
	struct wg_rx_result r;

	wg_iface_rx(to->w, &from->addr, d->data, d->len, now, &r);
	if (r.kind == WG_RX_DATA) {
		size_t n = strnlen((const char *)r.inner, r.inner_len);

		g_ptr_array_add(to->received, g_bytes_new(r.inner, n));
	} else if (r.kind == WG_RX_KEEPALIVE) {
		to->keepalives++;
	} else if (r.kind == WG_RX_DROPPED) {
		to->drops[r.drop]++;
	}
	return r;
}

/* Deliver everything both sides sent until nothing is in flight. */
static void pump(struct side *a, struct side *b)
{
	for (;;) {
		struct dgram *d;

		if ((d = g_queue_pop_head(&a->out))) {
			deliver(a, b, d);
			g_free(d);
		} else if ((d = g_queue_pop_head(&b->out))) {
			deliver(b, a, d);
			g_free(d);
		} else {
			return;
		}
	}
}

/* Lose what @s sent. */
static unsigned lose(struct side *s)
{
	unsigned n = g_queue_get_length(&s->out);

	g_queue_clear_full(&s->out, g_free);
	return n;
}

/* Advance the clock to @t, running both sides' timers at each deadline
 * on the way and delivering what they send (@deliver_all), or losing it. */
static void run_until(struct side *a, struct side *b, uint64_t t, bool deliver_all)
{
	for (;;) {
		uint64_t da = wg_iface_next_deadline(a->w), db = wg_iface_next_deadline(b->w);
		uint64_t d = da && (!db || da < db) ? da : db;

		if (!d || d > t)
			break;
		now = d > now ? d : now;
		wg_iface_tick(a->w, now);
		wg_iface_tick(b->w, now);
		if (deliver_all) {
			pump(a, b);
		} else {
			lose(a);
			lose(b);
		}
	}
	now = t > now ? t : now;
}

static unsigned count_type(struct side *s, uint8_t type)
{
	unsigned n = 0;

	for (GList *l = s->out.head; l; l = l->next)
		n += ((struct dgram *)l->data)->data[0] == type;
	return n;
}

static const char *received(struct side *s, unsigned i)
{
	static char buf[256];
	gsize n;
	const char *p;

	g_assert_cmpuint(i, <, s->received->len);
	p = g_bytes_get_data(s->received->pdata[i], &n);
	g_assert_cmpuint(n, <, sizeof(buf));
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

static void test_first_packet_starts_session(void)
{
	struct side a, b;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "hello");
	g_assert_cmpuint(g_queue_get_length(&a.staged), ==, 1);
	g_assert_cmpuint(count_type(&a, WG_MSG_INITIATION), ==, 1);
	pump(&a, &b);
	/* A got the response: keys ready, the staged packet sealed and
	 * delivered; B confirmed its next keypair with it. */
	g_assert_cmpuint(a.keys_ready, ==, 1);
	g_assert_cmpuint(b.keys_ready, ==, 1);
	g_assert_cmpuint(b.received->len, ==, 1);
	g_assert_cmpstr(received(&b, 0), ==, "hello");
	g_assert_true(wg_peer_has_session(a.peer, now));
	g_assert_true(wg_peer_has_session(b.peer, now));
	g_assert_cmpuint(a.peer->last_handshake_unix_ns, ==, wall0 + now);
	app_send(&b, "world");
	pump(&a, &b);
	g_assert_cmpstr(received(&a, 0), ==, "world");
	g_assert_cmpuint(a.peer->current->local_index, ==, b.peer->current->remote_index);
	/* Nothing dropped on the way. */
	for (unsigned i = 0; i < WG_DROP_COUNT; i++)
		g_assert_cmpuint(a.drops[i] + b.drops[i], ==, 0);
	side_free(&a);
	side_free(&b);
}

static void test_confirmation_keepalive(void)
{
	struct side a, b;

	/* A handshake with nothing staged (a persistent keepalive starts
	 * it): A confirms with a keepalive so B may send. */
	pair(&a, &b, NULL, NULL);
	wg_iface_peer_set_keepalive(a.w, a.peer, 25, now);
	run_until(&a, &b, now + 1, true);
	g_assert_true(wg_peer_has_session(a.peer, now));
	g_assert_true(wg_peer_has_session(b.peer, now));
	g_assert_cmpuint(b.keepalives, >=, 1);
	side_free(&a);
	side_free(&b);
}

static void test_keepalive_after_receive(void)
{
	struct side a, b;
	uint64_t t0;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "x");
	pump(&a, &b);
	t0 = now;
	/* B received data and sends nothing: a keepalive after
	 * KEEPALIVE_TIMEOUT, not before. */
	run_until(&a, &b, t0 + WG_KEEPALIVE_TIMEOUT - 1, false);
	g_assert_cmpuint(a.keepalives, ==, 0);
	g_assert_cmpuint(wg_iface_next_deadline(b.w), ==, t0 + WG_KEEPALIVE_TIMEOUT);
	run_until(&a, &b, t0 + WG_KEEPALIVE_TIMEOUT, true);
	g_assert_cmpuint(a.keepalives, ==, 1);
	/* If B answers with data instead, no keepalive. */
	app_send(&a, "y");
	pump(&a, &b);
	app_send(&b, "answer");
	pump(&a, &b);
	t0 = now;
	run_until(&a, &b, t0 + 2 * WG_KEEPALIVE_TIMEOUT, true);
	g_assert_cmpuint(a.keepalives, ==, 1);
	side_free(&a);
	side_free(&b);
}

static void test_retransmit_and_give_up(void)
{
	struct side a, b;
	uint64_t t0 = now, last = now;
	unsigned inits = 1;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "lost");
	lose(&a);
	/* Every REKEY_TIMEOUT plus up to a third of a second of jitter, a
	 * new initiation (new ephemeral, new index), until REKEY_ATTEMPT_TIME. */
	while (now < t0 + WG_REKEY_ATTEMPT_TIME + 2 * WG_REKEY_TIMEOUT) {
		uint64_t d = wg_iface_next_deadline(a.w);

		if (!d || d > t0 + 3 * WG_REJECT_AFTER_TIME - 1)
			break;
		now = d;
		wg_iface_tick(a.w, now);
		if (count_type(&a, WG_MSG_INITIATION)) {
			g_assert_cmpuint(now - last, >=, WG_REKEY_TIMEOUT);
			g_assert_cmpuint(now - last, <, WG_REKEY_TIMEOUT + WG_REKEY_JITTER_MAX);
			last = now;
			inits++;
		}
		lose(&a);
		if (a.failed)
			break;
	}
	g_assert_cmpuint(a.failed, ==, 1);
	g_assert_cmpuint(g_queue_get_length(&a.staged), ==, 0); /* dropped */
	g_assert_cmpuint(inits, ==, 1 + WG_REKEY_ATTEMPT_TIME / WG_REKEY_TIMEOUT);
	g_assert_cmpuint(now - t0, >=, WG_REKEY_ATTEMPT_TIME);
	g_assert_cmpuint(now - t0, <, WG_REKEY_ATTEMPT_TIME + 2 * WG_REKEY_TIMEOUT);
	/* A new packet later starts a new series at once. */
	now += WG_SEC;
	app_send(&a, "again");
	g_assert_cmpuint(count_type(&a, WG_MSG_INITIATION), ==, 1);
	pump(&a, &b);
	g_assert_cmpstr(received(&b, 0), ==, "again");
	side_free(&a);
	side_free(&b);
}

static void test_rekey_after_time(void)
{
	struct side a, b;
	uint32_t first;
	uint64_t t0;
	unsigned got;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "start");
	pump(&a, &b);
	first = a.peer->current->local_index;
	t0 = now;
	/* Traffic both ways every second: the initiator (A) rekeys once the
	 * session is REKEY_AFTER_TIME old; no packet is lost on the way. */
	for (unsigned s = 1; s <= 125; s++) {
		run_until(&a, &b, t0 + s * WG_SEC, true);
		app_send(&a, "a");
		app_send(&b, "b");
		pump(&a, &b);
	}
	got = b.received->len;
	g_assert_cmpuint(got, ==, 126);
	g_assert_cmpuint(a.received->len, ==, 125);
	g_assert_cmpuint(a.peer->current->local_index, !=, first);
	g_assert_cmpuint(a.peer->previous->local_index, ==, first);
	g_assert_true(a.peer->current->initiator);
	g_assert_cmpuint(now - a.peer->current->born_ns, <, 10 * WG_SEC);
	side_free(&a);
	side_free(&b);
}

static void test_responder_lastminute_and_expiry(void)
{
	struct side a, b;
	uint64_t t0;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "start");
	pump(&a, &b);
	t0 = now;
	/* Only B sends data from now on; A (the initiator) answers with
	 * keepalives. B never rekeys by age; A's keepalives do once the
	 * session is REKEY_AFTER_TIME old: nothing is lost on the way. */
	for (unsigned s = 1; s <= 170; s++) {
		run_until(&a, &b, t0 + s * WG_SEC, true);
		app_send(&b, "b");
		pump(&a, &b);
	}
	g_assert_cmpuint(a.received->len, ==, 170);
	g_assert_cmpuint(a.peer->current->born_ns, >=, t0 + WG_REKEY_AFTER_TIME);
	g_assert_cmpuint(a.peer->current->born_ns, <, t0 + WG_REKEY_AFTER_TIME + 15 * WG_SEC);
	side_free(&a);

	/* Without any traffic the session expires: sealing after
	 * REJECT_AFTER_TIME needs a new handshake. */
	pair(&a, &b, NULL, NULL);
	app_send(&a, "start");
	pump(&a, &b);
	t0 = now;
	run_until(&a, &b, t0 + WG_REJECT_AFTER_TIME, true);
	g_assert_false(wg_peer_has_session(a.peer, now));
	app_send(&a, "late");
	g_assert_cmpuint(g_queue_get_length(&a.staged), ==, 1);
	pump(&a, &b);
	g_assert_cmpstr(received(&b, 1), ==, "late");
	side_free(&a);
	side_free(&b);
}

static void test_rekey_after_messages(void)
{
	struct side a, b;
	struct wg_timing t;
	uint32_t first;

	wg_timing_init(&t);
	t.rekey_after_messages = 10;
	t.reject_after_messages = 20;
	pair(&a, &b, &t, NULL);
	app_send(&a, "start");
	pump(&a, &b);
	first = a.peer->current->local_index;
	/* Rate limit of initiations: let REKEY_TIMEOUT pass once. */
	now += WG_REKEY_TIMEOUT;
	for (unsigned i = 0; i < 15; i++) {
		app_send(&b, "from b"); /* B may start the rekey too */
		app_send(&a, "from a");
		pump(&a, &b);
	}
	g_assert_cmpuint(a.peer->current->local_index, !=, first);
	g_assert_cmpuint(b.received->len, ==, 16);
	g_assert_cmpuint(a.received->len, ==, 15);
	side_free(&a);
	side_free(&b);
}

static void test_zero_keys(void)
{
	struct side a, b;
	uint64_t t0;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "start");
	pump(&a, &b);
	t0 = now;
	g_assert_nonnull(a.peer->current);
	run_until(&a, &b, t0 + 3 * WG_REJECT_AFTER_TIME - 1, false);
	g_assert_nonnull(a.peer->current);
	run_until(&a, &b, t0 + 3 * WG_REJECT_AFTER_TIME, false);
	g_assert_null(a.peer->current);
	g_assert_null(a.peer->previous);
	g_assert_null(a.peer->next);
	g_assert_null(b.peer->current);
	g_assert_cmpuint(wg_iface_next_deadline(a.w), ==, 0);
	side_free(&a);
	side_free(&b);
}

static void test_persistent_keepalive(void)
{
	struct side a, b;
	uint64_t t0;

	pair(&a, &b, NULL, NULL);
	app_send(&a, "start");
	pump(&a, &b);
	wg_iface_peer_set_keepalive(a.w, a.peer, 25, now);
	t0 = now;
	run_until(&a, &b, t0 + 100 * WG_SEC, true);
	/* One at once (as wg(8) does when it is set), then every 25 s. */
	g_assert_cmpuint(b.keepalives, >=, 4);
	g_assert_cmpuint(b.keepalives, <=, 6);
	wg_iface_peer_set_keepalive(a.w, a.peer, 0, now);
	b.keepalives = 0;
	run_until(&a, &b, now + 100 * WG_SEC, true);
	g_assert_cmpuint(b.keepalives, ==, 0);
	side_free(&a);
	side_free(&b);
}

static void test_crossed_initiations(void)
{
	struct side a, b;
	uint64_t t0 = now;

	/* Both have data at the same instant: two initiations cross. The
	 * responses' rate limit and the jitter untangle it; both packets
	 * arrive within a few REKEY_TIMEOUTs. */
	pair(&a, &b, NULL, NULL);
	app_send(&a, "from a");
	app_send(&b, "from b");
	pump(&a, &b);
	run_until(&a, &b, t0 + 4 * WG_REKEY_TIMEOUT, true);
	g_assert_cmpuint(b.received->len, ==, 1);
	g_assert_cmpuint(a.received->len, ==, 1);
	g_assert_cmpstr(received(&b, 0), ==, "from a");
	g_assert_cmpstr(received(&a, 0), ==, "from b");
	g_assert_true(wg_peer_has_session(a.peer, now));
	g_assert_true(wg_peer_has_session(b.peer, now));
	side_free(&a);
	side_free(&b);
}

static void test_cookie_under_load(void)
{
	struct side a, b;
	uint64_t t0 = now;

	pair(&a, &b, NULL, NULL);
	wg_iface_set_load_threshold(b.w, 0); /* always under load */
	app_send(&a, "behind a cookie");
	pump(&a, &b);
	/* B answered with a cookie reply, not a handshake. */
	g_assert_cmpuint(b.drops[WG_DROP_COOKIE_SENT], ==, 1);
	g_assert_false(wg_peer_has_session(a.peer, now));
	/* A's retransmission carries MAC2 with the cookie and goes through. */
	run_until(&a, &b, t0 + 2 * WG_REKEY_TIMEOUT, true);
	g_assert_cmpuint(b.drops[WG_DROP_COOKIE_SENT], ==, 1);
	g_assert_cmpstr(received(&b, 0), ==, "behind a cookie");
	side_free(&a);
	side_free(&b);
}

static void test_refusals(void)
{
	struct side a, b, x;
	struct dgram *init, *data;
	struct wg_rx_result r;
	uint8_t copy[2048];

	pair(&a, &b, NULL, NULL);
	app_send(&a, "one");
	init = g_queue_peek_head(&a.out);
	memcpy(copy, init->data, init->len);
	pump(&a, &b);
	/* The initiation again: a replay (its timestamp is not newer). */
	now += WG_SEC;
	r = deliver(&a, &b, &(struct dgram){ .len = WG_INIT_LEN });
	g_assert_cmpint(r.drop, ==, WG_DROP_MALFORMED); /* type 0 */
	{
		struct dgram d = { .len = WG_INIT_LEN };

		memcpy(d.data, copy, WG_INIT_LEN);
		r = deliver(&a, &b, &d);
		g_assert_cmpint(r.kind, ==, WG_RX_DROPPED);
		g_assert_cmpint(r.drop, ==, WG_DROP_REPLAYED_INITIATION);
	}
	/* A data message twice: the second is a replay. */
	app_send(&a, "two");
	data = g_queue_pop_head(&a.out);
	memcpy(copy, data->data, data->len);
	r = deliver(&a, &b, data);
	g_assert_cmpint(r.kind, ==, WG_RX_DATA);
	g_assert_true(r.peer == b.peer);
	memcpy(data->data, copy, data->len);
	r = deliver(&a, &b, data);
	g_assert_cmpint(r.drop, ==, WG_DROP_REPLAY);
	/* Tampered: does not authenticate, and does not move the window. */
	memcpy(data->data, copy, data->len);
	wg_put_le64(data->data + WG_DATA_COUNTER, 1000);
	r = deliver(&a, &b, data);
	g_assert_cmpint(r.drop, ==, WG_DROP_DATA_AUTH);
	/* Unknown index; short; unknown type. */
	memcpy(data->data, copy, data->len);
	wg_put_le32(data->data + WG_DATA_RECEIVER, 0xdeadbeef);
	r = deliver(&a, &b, data);
	g_assert_cmpint(r.drop, ==, WG_DROP_UNKNOWN_INDEX);
	data->len = 20;
	g_assert_cmpint(deliver(&a, &b, data).drop, ==, WG_DROP_MALFORMED);
	data->data[0] = 9;
	data->len = 100;
	g_assert_cmpint(deliver(&a, &b, data).drop, ==, WG_DROP_MALFORMED);
	g_free(data);

	/* X knows B's public key but is not B's peer. */
	side_init(&x, "X", 3, NULL);
	x.peer = wg_iface_peer_add(x.w, wg_iface_public_key(b.w), NULL, 0, NULL);
	app_send(&x, "intruder");
	init = g_queue_pop_head(&x.out);
	g_assert_cmpint(deliver(&x, &b, init).drop, ==, WG_DROP_UNKNOWN_PEER);
	/* Sent to A, whose key it was not made for: MAC1. */
	g_assert_cmpint(deliver(&x, &a, init).drop, ==, WG_DROP_MAC1);
	g_free(init);
	g_assert_cmpuint(b.received->len, ==, 2);

	/* A removed: its indices go, data for them is unknown. */
	app_send(&a, "three");
	data = g_queue_pop_head(&a.out);
	wg_iface_peer_remove(b.w, b.peer);
	b.peer = NULL;
	g_assert_cmpint(deliver(&a, &b, data).drop, ==, WG_DROP_UNKNOWN_INDEX);
	g_free(data);
	/* Adding a peer twice, or ourselves, is refused. */
	g_assert_nonnull(wg_iface_peer_add(b.w, wg_iface_public_key(a.w), NULL, 0, NULL));
	g_assert_null(wg_iface_peer_add(b.w, wg_iface_public_key(a.w), NULL, 0, NULL));
	g_assert_null(wg_iface_peer_add(b.w, wg_iface_public_key(b.w), NULL, 0, NULL));
	side_free(&x);
	side_free(&a);
	side_free(&b);
}

static void test_psk(void)
{
	struct side a, b;
	uint8_t psk[WG_KEY_LEN], other[WG_KEY_LEN];

	wg_random(psk, sizeof(psk));
	pair_psk(&a, &b, NULL, psk, psk);
	app_send(&a, "secret");
	pump(&a, &b);
	g_assert_cmpstr(received(&b, 0), ==, "secret");
	side_free(&a);
	side_free(&b);

	/* Different PSKs: the response does not authenticate at A. */
	wg_random(other, sizeof(other));
	pair_psk(&a, &b, NULL, psk, other);
	app_send(&a, "secret");
	pump(&a, &b);
	g_assert_cmpuint(a.drops[WG_DROP_HANDSHAKE_AUTH], ==, 1);
	g_assert_cmpuint(b.received->len, ==, 0);
	side_free(&a);
	side_free(&b);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/wg/iface/first-packet-starts-session", test_first_packet_starts_session);
	g_test_add_func("/wg/iface/confirmation-keepalive", test_confirmation_keepalive);
	g_test_add_func("/wg/iface/keepalive-after-receive", test_keepalive_after_receive);
	g_test_add_func("/wg/iface/retransmit-and-give-up", test_retransmit_and_give_up);
	g_test_add_func("/wg/iface/rekey-after-time", test_rekey_after_time);
	g_test_add_func("/wg/iface/responder-lastminute-and-expiry",
			test_responder_lastminute_and_expiry);
	g_test_add_func("/wg/iface/rekey-after-messages", test_rekey_after_messages);
	g_test_add_func("/wg/iface/zero-keys", test_zero_keys);
	g_test_add_func("/wg/iface/persistent-keepalive", test_persistent_keepalive);
	g_test_add_func("/wg/iface/crossed-initiations", test_crossed_initiations);
	g_test_add_func("/wg/iface/cookie-under-load", test_cookie_under_load);
	g_test_add_func("/wg/iface/refusals", test_refusals);
	g_test_add_func("/wg/iface/psk", test_psk);
	return g_test_run();
}
