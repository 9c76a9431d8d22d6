/* SPDX-License-Identifier: MIT
 * test-tcp-cookies.c - SYN cookies (RFC 4987): round trips, rejections, the
 * half-open limit, a SYN flood and secret rotation
 */
#include "tcp-test-util.h"
#include "../../core/lib/tcp/tcp-private.h"

#define SLOT PK_TCP_COOKIE_SLOT_NS
#define PISS 0x7ffffff0u	/* the peer's ISN (its +1 wraps nothing, +16 crosses 2^31) */

static struct seg S, P;

/* Take the listener's next reply into @s; false if none. Checks the checksum. */
static bool lis_out(struct pk_tcp_listener *l, struct seg *s, struct pk_tcp_endpoints *rep)
{
	s->len = pk_tcp_listener_output(l, s->buf, sizeof(s->buf), rep);
	if (!s->len)
		return false;
	g_assert_true(pk_tcp_csum_ok(rep->ipv6, rep->local_addr, rep->remote_addr, s->buf, s->len));
	g_assert_true(pk_tcp_parse(s->buf, s->len, &s->v));
	g_assert_true(pk_tcp_opts_parse(&s->v, &s->o));
	return true;
}

static struct pk_tcp_listener *mklistener(struct pk_tcp_engine *e,
					  const struct pk_tcp_endpoints *ep,
					  const struct pk_tcp_config *cfg)
{
	return pk_tcp_listener_new(e, cfg, ep->ipv6, ep->local_addr, ep->local_port);
}

/* The peer sends a SYN; a cookie SYN-ACK must come back (nothing allocated). */
static void cookie_syn(struct pk_tcp_engine *e, struct pk_tcp_listener *l,
		       const struct pk_tcp_endpoints *ep, uint32_t piss, const struct pk_tcp_opts *po,
		       uint64_t now)
{
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	uint64_t created = st->conns_created, sent = st->syncookies_sent;
	struct pk_tcp_endpoints rep;

	mkseg(&P, ep, piss, 0, PK_TCP_SYN, 65535, po, NULL, 0);
	g_assert_null(pk_tcp_listener_input(l, ep->remote_addr, &P.v, now));
	g_assert_cmpuint(st->conns_created, ==, created);
	g_assert_cmpuint(st->syncookies_sent, ==, sent + 1);
	g_assert_true(lis_out(l, &S, &rep));
	g_assert_true(memcmp(&rep, ep, sizeof(rep)) == 0);
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	g_assert_cmphex(S.v.ack, ==, piss + 1);
	g_assert_cmpuint(pk_tcp_listener_output(l, P.buf, sizeof(P.buf), &rep), ==, 0);
}

static void roundtrip(bool v6, bool ts)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	struct pk_tcp_config cfg = { .syncookies_always = true };
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE | PK_TCP_HAS_SACK_PERM,
				  .mss = 1400, .wscale = 7, .ts_val = 1000 };
	struct pk_tcp_endpoints ep;
	struct pk_tcp_listener *l;
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;
	uint32_t cookie, synack_tsval = 0;
	uint64_t now = 5 * SLOT + 123 * MS;
	char buf[16];

	if (ts)
		po.present |= PK_TCP_HAS_TIMESTAMP;
	ep_init(&ep, v6);
	l = mklistener(e, &ep, &cfg);
	cookie_syn(e, l, &ep, PISS, &po, now);
	cookie = S.v.seq;
	g_assert_cmpuint(S.o.mss, ==, v6 ? 1440 : 1460);
	g_assert_cmpuint(S.v.window, ==, 65535);
	if (ts) {
		/* WS and SACK-permitted are offered: they ride in the TSval */
		g_assert_cmphex(S.o.present, ==, PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE |
						  PK_TCP_HAS_SACK_PERM | PK_TCP_HAS_TIMESTAMP);
		g_assert_cmpuint(S.o.wscale, ==, 3);	/* 256 KiB ring */
		g_assert_cmpuint(S.o.ts_ecr, ==, 1000);
		synack_tsval = S.o.ts_val;
		g_assert_cmpuint(synack_tsval & 0x1f, ==, 7 | 16);
	} else {
		/* no timestamps: nothing to remember WS and SACK in */
		g_assert_cmphex(S.o.present, ==, PK_TCP_HAS_MSS);
	}
	/* the same SYN again (a retransmission) gets the same cookie */
	cookie_syn(e, l, &ep, PISS, &po, now + 5 * MS);
	g_assert_cmphex(S.v.seq, ==, cookie);

	/* the final ACK, carrying data */
	po.present = ts ? PK_TCP_HAS_TIMESTAMP : 0;
	po.ts_val = 1010;
	po.ts_ecr = synack_tsval;
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_ACK | PK_TCP_PSH, 1000, ts ? &po : NULL, "hello", 5);
	now += 20 * MS;
	c = pk_tcp_listener_input(l, ep.remote_addr, &P.v, now);
	g_assert_nonnull(c);
	g_assert_cmpuint(st->conns_created, ==, 1);
	g_assert_cmpuint(st->syncookies_ok, ==, 1);
	g_assert_cmpuint(st->syncookies_failed, ==, 0);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_ESTABLISHED);
	g_assert_true(memcmp(pk_tcp_conn_endpoints(c), &ep, sizeof(ep)) == 0);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmphex(info.iss, ==, cookie);
	g_assert_cmphex(info.irs, ==, PISS);
	g_assert_cmpuint(info.timestamps, ==, ts);
	g_assert_cmpuint(info.sack, ==, ts);
	g_assert_cmpuint(info.snd_wscale, ==, ts ? 7 : 0);
	g_assert_cmpuint(info.rcv_wscale, ==, ts ? 3 : 0);
	/* MSS 1400 is encoded as the table entry below it, 1360 */
	g_assert_cmpuint(info.mss, ==, 1360 - (ts ? 12 : 0));
	g_assert_cmpuint(info.snd_wnd, ==, ts ? 1000u << 7 : 1000u);
	/* the data in the ACK was taken */
	g_assert_cmpuint(pk_tcp_conn_recv(c, buf, sizeof(buf)), ==, 5);
	g_assert_true(memcmp(buf, "hello", 5) == 0);
	/* our data starts after the cookie; ACK and TS echo are right */
	g_assert_cmpint(pk_tcp_conn_send(c, "world", 5), ==, 5);
	g_assert_true(out(c, now, &S));
	g_assert_cmphex(S.v.seq, ==, cookie + 1);
	g_assert_cmphex(S.v.ack, ==, PISS + 6);
	g_assert_cmpuint(S.v.payload_len, ==, 5);
	if (ts) {
		g_assert_true(S.o.present & PK_TCP_HAS_TIMESTAMP);
		g_assert_cmpuint(S.o.ts_ecr, ==, 1010);
		/* our clock did not jump back from the SYN-ACK's TSval */
		g_assert_cmpint((int32_t)(S.o.ts_val - synack_tsval), >=, 0);
		g_assert_cmpint((int32_t)(S.o.ts_val - synack_tsval), <, 60);
	} else {
		g_assert_false(S.o.present & PK_TCP_HAS_TIMESTAMP);
	}
	/* the peer ACKs it: the connection works on */
	mkseg(&P, &ep, PISS + 6, cookie + 6, PK_TCP_ACK, 1000, ts ? &po : NULL, NULL, 0);
	pk_tcp_conn_input(c, &P.v, now + 1 * MS);
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 0);
	g_assert_cmpuint(st->paws_dropped, ==, 0);

	pk_tcp_conn_free(c);
	pk_tcp_listener_free(l);
	pk_tcp_engine_free(e);
}

static void test_roundtrip_v4(void) { roundtrip(false, false); }
static void test_roundtrip_v4_ts(void) { roundtrip(false, true); }
static void test_roundtrip_v6(void) { roundtrip(true, false); }
static void test_roundtrip_v6_ts(void) { roundtrip(true, true); }

/* MSS table, option combinations recovered from the TSecr. */
static void test_options(void)
{
	static const struct {
		uint16_t mss;		/* 0: no MSS option */
		bool v6;
		int ws;			/* -1: no WS option */
		bool sack;
		uint32_t want_mss;	/* mss_base the connection ends with */
	} cases[] = {
		{ 0, false, -1, false, 536 },	 { 0, true, -1, false, 1220 },
		{ 100, false, 0, true, 256 },	 { 1460, false, 14, false, 1460 },
		{ 1440, true, 2, true, 1440 },	 { 9000, false, 9, true, 1460 },
		{ 9000, true, 20, false, 1440 }, { 65535, false, 1, true, 1460 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
		struct pk_tcp_config cfg = { .syncookies_always = true };
		struct pk_tcp_opts po = { .present = PK_TCP_HAS_TIMESTAMP, .ts_val = 7 };
		struct pk_tcp_endpoints ep;
		struct pk_tcp_listener *l;
		struct pk_tcp_conn_info info;
		struct pk_tcp_conn *c;
		uint64_t now = (uint64_t)i * 777 * MS;

		ep_init(&ep, cases[i].v6);
		l = mklistener(e, &ep, &cfg);
		if (cases[i].mss) {
			po.present |= PK_TCP_HAS_MSS;
			po.mss = cases[i].mss;
		}
		if (cases[i].ws >= 0) {
			po.present |= PK_TCP_HAS_WSCALE;
			po.wscale = (uint8_t)cases[i].ws;
		}
		if (cases[i].sack)
			po.present |= PK_TCP_HAS_SACK_PERM;
		cookie_syn(e, l, &ep, 42, &po, now);
		g_assert_cmpuint(!!(S.o.present & PK_TCP_HAS_WSCALE), ==, cases[i].ws >= 0);
		g_assert_cmpuint(!!(S.o.present & PK_TCP_HAS_SACK_PERM), ==, cases[i].sack);
		po.present = PK_TCP_HAS_TIMESTAMP;
		po.ts_ecr = S.o.ts_val;
		mkseg(&P, &ep, 43, S.v.seq + 1, PK_TCP_ACK, 100, &po, NULL, 0);
		c = pk_tcp_listener_input(l, ep.remote_addr, &P.v, now + 3 * MS);
		g_assert_nonnull(c);
		pk_tcp_conn_get_info(c, &info);
		g_assert_cmpuint(info.mss, ==, cases[i].want_mss - 12);
		g_assert_cmpuint(info.snd_wscale, ==, cases[i].ws < 0 ? 0 : MIN(cases[i].ws, 14));
		g_assert_cmpuint(info.rcv_wscale, ==, cases[i].ws < 0 ? 0 : 3);
		g_assert_cmpuint(info.sack, ==, cases[i].sack);
		g_assert_true(info.timestamps);
		pk_tcp_conn_free(c);
		pk_tcp_listener_free(l);
		pk_tcp_engine_free(e);
	}
}

/* An ACK that must be refused: no connection, counted, and a RST SEQ=SEG.ACK. */
static void expect_reject(struct pk_tcp_engine *e, struct pk_tcp_listener *l, const uint8_t *raddr,
			  uint64_t now)
{
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	uint64_t failed = st->syncookies_failed, created = st->conns_created;
	struct pk_tcp_endpoints rep;
	struct seg r;

	g_assert_null(pk_tcp_listener_input(l, raddr, &P.v, now));
	g_assert_cmpuint(st->syncookies_failed, ==, failed + 1);
	g_assert_cmpuint(st->conns_created, ==, created);
	g_assert_true(lis_out(l, &r, &rep));
	g_assert_cmphex(r.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(r.v.seq, ==, P.v.ack);
	g_assert_cmpuint(r.v.payload_len, ==, 0);
	g_assert_cmpuint(pk_tcp_listener_output(l, r.buf, sizeof(r.buf), &rep), ==, 0);
}

static void rejects(bool v6)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	struct pk_tcp_config cfg = { .syncookies_always = true };
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE | PK_TCP_HAS_TIMESTAMP,
				  .mss = 1460, .wscale = 2, .ts_val = 99 };
	struct pk_tcp_endpoints ep, other;
	struct pk_tcp_listener *l;
	struct pk_tcp_conn *c;
	uint8_t raddr[16];
	uint32_t cookie, tsval;
	uint64_t t0 = 3 * SLOT + 10000 * MS;

	ep_init(&ep, v6);
	l = mklistener(e, &ep, &cfg);
	cookie_syn(e, l, &ep, PISS, &po, t0);
	cookie = S.v.seq;
	tsval = S.o.ts_val;
	po.present = PK_TCP_HAS_TIMESTAMP;
	po.ts_ecr = tsval;

	/* from another port */
	other = ep;
	other.remote_port++;
	mkseg(&P, &other, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	expect_reject(e, l, other.remote_addr, t0);
	/* from another address */
	other = ep;
	other.remote_addr[v6 ? 15 : 3] ^= 0x40;
	memcpy(raddr, other.remote_addr, 16);
	mkseg(&P, &other, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	expect_reject(e, l, raddr, t0);
	/* to another local address: the same cookie at another listener */
	{
		struct pk_tcp_endpoints o2 = ep;
		struct pk_tcp_listener *l2;

		o2.local_addr[v6 ? 14 : 2] ^= 1;
		l2 = mklistener(e, &o2, &cfg);
		mkseg(&P, &o2, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
		expect_reject(e, l2, o2.remote_addr, t0);
		pk_tcp_listener_free(l2);
	}
	/* tampered: hash bits, slot parity, MSS index (to a bigger MSS) */
	for (uint32_t bit = 0; bit < 32; bit++) {
		mkseg(&P, &ep, PISS + 1, (cookie ^ (1u << bit)) + 1, PK_TCP_ACK, 100, &po, NULL, 0);
		expect_reject(e, l, ep.remote_addr, t0);
	}
	/* another peer ISN (the ACK's SEQ) */
	mkseg(&P, &ep, PISS + 2, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	expect_reject(e, l, ep.remote_addr, t0);
	/* tampered option bits in the TSecr (bigger window scale, SACK on) */
	po.ts_ecr = tsval ^ 0x08;
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	expect_reject(e, l, ep.remote_addr, t0);
	po.ts_ecr = tsval ^ 0x10;
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	expect_reject(e, l, ep.remote_addr, t0);
	/* timestamps dropped from the ACK: the options cannot be trusted */
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_ACK, 100, NULL, NULL, 0);
	expect_reject(e, l, ep.remote_addr, t0);
	po.ts_ecr = tsval;
	/* expired: two slots later (fake clock) */
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	expect_reject(e, l, ep.remote_addr, t0 + 2 * SLOT);
	expect_reject(e, l, ep.remote_addr, t0 + 7 * SLOT);
	/* and from before it was issued */
	expect_reject(e, l, ep.remote_addr, t0 - SLOT);
	/* a SYN-ACK to a listener is never a cookie ACK */
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_SYN | PK_TCP_ACK, 100, &po, NULL, 0);
	g_assert_null(pk_tcp_listener_input(l, ep.remote_addr, &P.v, t0));
	g_assert_true(lis_out(l, &S, &other));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmpuint(st->syncookies_ok, ==, 0);
	g_assert_cmpuint(st->conns_created, ==, 0);

	/* the genuine one, still within the next slot, is accepted */
	mkseg(&P, &ep, PISS + 1, cookie + 1, PK_TCP_ACK, 100, &po, NULL, 0);
	c = pk_tcp_listener_input(l, ep.remote_addr, &P.v, t0 + SLOT);
	g_assert_nonnull(c);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_cmpuint(st->syncookies_ok, ==, 1);
	g_assert_cmpuint(pk_tcp_listener_output(l, S.buf, sizeof(S.buf), &other), ==, 0);
	pk_tcp_conn_free(c);
	pk_tcp_listener_free(l);
	pk_tcp_engine_free(e);
}

static void test_rejects_v4(void) { rejects(false); }
static void test_rejects_v6(void) { rejects(true); }

/* Slot boundaries of the bare cookie functions. */
static void test_slots(void)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_endpoints ep;

	ep_init(&ep, false);
	for (uint64_t s = 0; s < 4; s++) {
		uint64_t t = s * SLOT + 1;
		uint32_t ck = pk_tcp_cookie_make(e, &ep, 1234, 5, 0x27, t);

		g_assert_cmpuint(ck & 7, ==, 5);
		g_assert_cmpuint((ck >> 3) & 1, ==, s & 1);
		g_assert_true(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x27, t));
		g_assert_true(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x27, (s + 1) * SLOT - 1));
		g_assert_true(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x27, (s + 2) * SLOT - 1));
		g_assert_false(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x27, (s + 2) * SLOT));
		g_assert_false(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x27, (s + 3) * SLOT));
		if (s)
			g_assert_false(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x27, s * SLOT - 1));
		g_assert_false(pk_tcp_cookie_check(e, &ep, 1234, ck, 0x26, t));
		g_assert_false(pk_tcp_cookie_check(e, &ep, 1235, ck, 0x27, t));
	}
	pk_tcp_engine_free(e);
}

/* Move every segment @from has to @to (NULL: drop them). */
static void xfer(struct pk_tcp_conn *from, struct pk_tcp_conn *to, uint64_t now)
{
	while (out(from, now, &S))
		if (to)
			pk_tcp_conn_input(to, &S.v, now);
}

/* A bare SYN (no options) from @port to the listener. */
static struct pk_tcp_conn *syn_from(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep0,
				    uint16_t port, uint64_t now)
{
	struct pk_tcp_endpoints ep = *ep0;

	ep.remote_port = port;
	mkseg(&P, &ep, 1000u * port, 0, PK_TCP_SYN, 65535, NULL, NULL, 0);
	return pk_tcp_listener_input(l, ep.remote_addr, &P.v, now);
}

static void test_half_open_limit(void)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	struct pk_tcp_config cfg = { .max_half_open = 4 };
	struct pk_tcp_conn *c[4], *x;
	struct pk_tcp_endpoints ep, rep;
	struct pk_tcp_listener *l;
	uint64_t now = 0;

	ep_init(&ep, false);
	l = mklistener(e, &ep, &cfg);
	for (int i = 0; i < 4; i++) {
		c[i] = syn_from(l, &ep, (uint16_t)(3000 + i), now);
		g_assert_nonnull(c[i]);
		g_assert_cmpint(pk_tcp_conn_state(c[i]), ==, PK_TCP_SYN_RECEIVED);
		g_assert_false(lis_out(l, &S, &rep));
	}
	g_assert_cmpuint(st->conns_created, ==, 4);
	/* beyond the limit: cookies, no allocation */
	for (int i = 0; i < 100; i++) {
		g_assert_null(syn_from(l, &ep, (uint16_t)(4000 + i), now));
		g_assert_true(lis_out(l, &S, &rep));
		g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
		g_assert_cmpuint(rep.remote_port, ==, 4000 + i);
	}
	g_assert_cmpuint(st->conns_created, ==, 4);
	g_assert_cmpuint(st->syncookies_sent, ==, 100);
	/* a half-open connection completes: room for one more */
	g_assert_true(out(c[0], now, &S));
	ep.remote_port = 3000;
	mkseg(&P, &ep, 3000u * 1000 + 1, S.v.seq + 1, PK_TCP_ACK, 100, NULL, NULL, 0);
	pk_tcp_conn_input(c[0], &P.v, now);
	g_assert_cmpint(pk_tcp_conn_state(c[0]), ==, PK_TCP_ESTABLISHED);
	x = syn_from(l, &ep, 5000, now);
	g_assert_nonnull(x);
	g_assert_null(syn_from(l, &ep, 5001, now));
	g_assert_true(lis_out(l, &S, &rep));
	/* one freed in SYN-RECEIVED: room again */
	pk_tcp_conn_free(c[1]);
	c[1] = syn_from(l, &ep, 5002, now);
	g_assert_nonnull(c[1]);
	/* one times out (SYN-ACK retransmissions exhausted): room again */
	g_assert_null(syn_from(l, &ep, 5003, now));
	g_assert_true(lis_out(l, &S, &rep));
	xfer(c[2], NULL, now);
	while (pk_tcp_conn_state(c[2]) != PK_TCP_CLOSED) {
		now = pk_tcp_conn_deadline(c[2]);
		g_assert_cmpuint(now, !=, UINT64_MAX);
		pk_tcp_conn_timer(c[2], now);
		while (out(c[2], now, &S))
			;
	}
	g_assert_true(pk_tcp_conn_events(c[2]) & PK_TCP_EV_TIMEOUT);
	pk_tcp_conn_free(c[2]);
	c[2] = syn_from(l, &ep, 5004, now);
	g_assert_nonnull(c[2]);
	g_assert_cmpuint(st->conns_created, ==, 7);
	/* the listener goes away first: its connections live on */
	pk_tcp_listener_free(l);
	pk_tcp_conn_abort(c[3]);
	for (int i = 0; i < 4; i++)
		pk_tcp_conn_free(c[i]);
	pk_tcp_conn_free(x);
	pk_tcp_engine_free(e);
}

static void test_no_cookies(void)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	struct pk_tcp_config cfg = { .max_half_open = 2, .no_syncookies = true };
	struct pk_tcp_conn *c[2];
	struct pk_tcp_endpoints ep, rep;
	struct pk_tcp_listener *l;

	ep_init(&ep, true);
	l = mklistener(e, &ep, &cfg);
	c[0] = syn_from(l, &ep, 1, 0);
	c[1] = syn_from(l, &ep, 2, 0);
	g_assert_nonnull(c[0]);
	g_assert_nonnull(c[1]);
	for (int i = 0; i < 10; i++)
		g_assert_null(syn_from(l, &ep, (uint16_t)(10 + i), 0));
	g_assert_false(lis_out(l, &S, &rep));
	g_assert_cmpuint(st->listen_overflows, ==, 10);
	g_assert_cmpuint(st->syncookies_sent, ==, 0);
	g_assert_cmpuint(st->conns_created, ==, 2);
	pk_tcp_conn_free(c[0]);
	pk_tcp_conn_free(c[1]);
	pk_tcp_listener_free(l);
	pk_tcp_engine_free(e);
}

static void flood(bool v6)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_engine *ce = pk_tcp_engine_new((const uint8_t *)"client-secret-16", 0);
	const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
	struct pk_tcp_conn **half = g_new0(struct pk_tcp_conn *, 10000);
	struct pk_tcp_endpoints ep, cep, rep;
	struct pk_tcp_listener *l;
	struct pk_tcp_conn *cli, *srv;
	GRand *rnd = g_rand_new_with_seed(4987);
	uint32_t n_half = 0, synacks = 0;
	uint64_t now = 1000 * MS;
	size_t total = 200000, sent = 0, rcvd = 0, back = 0;
	uint8_t *src = g_malloc(total), *dst = g_malloc(total);

	ep_init(&ep, v6);
	l = mklistener(e, &ep, NULL);	/* default limit: 128 */
	for (int i = 0; i < 10000; i++) {
		struct pk_tcp_endpoints a = ep;
		struct pk_tcp_conn *c;

		a.remote_port = (uint16_t)g_rand_int_range(rnd, 1024, 65536);
		a.remote_addr[v6 ? 15 : 3] = (uint8_t)g_rand_int(rnd);
		a.remote_addr[v6 ? 14 : 2] = (uint8_t)g_rand_int(rnd);
		mkseg(&P, &a, g_rand_int(rnd), 0, PK_TCP_SYN, 65535, NULL, NULL, 0);
		c = pk_tcp_listener_input(l, a.remote_addr, &P.v, now);
		if (c) {
			half[n_half++] = c;
			xfer(c, NULL, now);	/* its SYN-ACK goes nowhere */
		}
		while (lis_out(l, &S, &rep))
			synacks++;
		now += 10000;	/* 100k SYN/s */
	}
	/* memory is bounded: one connection object per half-open slot only */
	g_assert_cmpuint(n_half, ==, 128);
	g_assert_cmpuint(st->conns_created, ==, 128);
	g_assert_cmpuint(synacks, ==, 10000 - 128);
	g_assert_cmpuint(st->syncookies_sent, ==, 10000 - 128);
	/* a caller that does not drain: at most 16 replies wait, the rest are
	 * dropped and counted */
	for (int i = 0; i < 1000; i++) {
		struct pk_tcp_endpoints a = ep;

		a.remote_port = (uint16_t)(i + 1);
		mkseg(&P, &a, (uint32_t)i, 0, PK_TCP_SYN, 65535, NULL, NULL, 0);
		g_assert_null(pk_tcp_listener_input(l, a.remote_addr, &P.v, now));
	}
	g_assert_cmpuint(st->listen_overflows, ==, 1000 - 16);
	g_assert_cmpuint(st->conns_created, ==, 128);
	while (lis_out(l, &S, &rep))
		synacks++;
	g_assert_cmpuint(synacks, ==, 10000 - 128 + 16);

	/* a legitimate client still gets through, with all its options */
	cep = ep;
	memcpy(cep.local_addr, ep.remote_addr, 16);
	memcpy(cep.remote_addr, ep.local_addr, 16);
	cep.local_port = ep.remote_port;
	cep.remote_port = ep.local_port;
	cli = pk_tcp_connect(ce, NULL, &cep, now);
	g_assert_true(out(cli, now, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN);
	g_assert_null(pk_tcp_listener_input(l, cep.local_addr, &S.v, now));
	now += 1 * MS;
	g_assert_true(lis_out(l, &S, &rep));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	pk_tcp_conn_input(cli, &S.v, now);
	g_assert_cmpint(pk_tcp_conn_state(cli), ==, PK_TCP_ESTABLISHED);
	for (size_t k = 0; k < total; k++)
		src[k] = (uint8_t)(k * 7 + (k >> 8));
	sent = (size_t)pk_tcp_conn_send(cli, src, total);
	now += 1 * MS;
	g_assert_true(out(cli, now, &S));	/* the ACK, or data carrying it */
	srv = pk_tcp_listener_input(l, cep.local_addr, &S.v, now);
	g_assert_nonnull(srv);
	g_assert_cmpint(pk_tcp_conn_state(srv), ==, PK_TCP_ESTABLISHED);
	g_assert_cmpuint(st->conns_created, ==, 129);
	{
		struct pk_tcp_conn_info ci, si;

		pk_tcp_conn_get_info(cli, &ci);
		pk_tcp_conn_get_info(srv, &si);
		g_assert_true(si.timestamps && si.sack && ci.timestamps && ci.sack);
		g_assert_cmpuint(si.snd_wscale, ==, ci.rcv_wscale);
		g_assert_cmpuint(si.rcv_wscale, ==, ci.snd_wscale);
		g_assert_cmpuint(si.snd_wscale, ==, 3);
		g_assert_cmpuint(si.mss, ==, ci.mss);
	}
	/* the flood goes on while the transfer runs; data goes both ways */
	for (int iter = 0; rcvd < total || back < total; iter++) {
		size_t n;

		g_assert_cmpint(iter, <, 100000);
		if (sent < total)
			sent += (size_t)pk_tcp_conn_send(cli, src + sent, total - sent);
		xfer(cli, srv, now);
		while ((n = pk_tcp_conn_recv(srv, dst + rcvd, total - rcvd)) > 0) {
			g_assert_cmpint(pk_tcp_conn_send(srv, dst + rcvd, n), ==, (int64_t)n);
			rcvd += n;
		}
		xfer(srv, cli, now);
		{
			uint8_t tmp[65536];

			while ((n = pk_tcp_conn_recv(cli, tmp, sizeof(tmp))) > 0) {
				g_assert_true(memcmp(tmp, src + back, n) == 0);
				back += n;
			}
		}
		for (int k = 0; k < 10; k++) {
			struct pk_tcp_endpoints a = ep;

			a.remote_port = (uint16_t)g_rand_int_range(rnd, 1024, 65536);
			mkseg(&P, &a, g_rand_int(rnd), 0, PK_TCP_SYN, 65535, NULL, NULL, 0);
			g_assert_null(pk_tcp_listener_input(l, a.remote_addr, &P.v, now));
			/* forged ACKs too */
			mkseg(&P, &a, g_rand_int(rnd), g_rand_int(rnd), PK_TCP_ACK, 65535, NULL, NULL, 0);
			g_assert_null(pk_tcp_listener_input(l, a.remote_addr, &P.v, now));
			while (lis_out(l, &S, &rep))
				;
		}
		now += 1 * MS;
		pk_tcp_conn_timer(cli, now);
		pk_tcp_conn_timer(srv, now);
	}
	g_assert_true(memcmp(src, dst, total) == 0);
	g_assert_cmpuint(st->conns_created, ==, 129);
	g_assert_cmpuint(st->syncookies_ok, ==, 1);
	g_assert_cmpuint(st->syncookies_failed, >, 0);
	g_assert_false(pk_tcp_conn_events(cli) & (PK_TCP_EV_RESET | PK_TCP_EV_TIMEOUT));

	for (uint32_t i = 0; i < n_half; i++)
		pk_tcp_conn_free(half[i]);
	g_free(half);
	pk_tcp_conn_free(cli);
	pk_tcp_conn_free(srv);
	pk_tcp_listener_free(l);
	pk_tcp_engine_free(e);
	pk_tcp_engine_free(ce);
	g_rand_free(rnd);
	g_free(src);
	g_free(dst);
}

static void test_flood_v4(void) { flood(false); }
static void test_flood_v6(void) { flood(true); }

static void test_rotation(void)
{
	static const uint8_t k1[16] = "rotated-key-0001", k2[16] = "rotated-key-0002";
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_engine *same = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_endpoints ep;
	uint64_t t = 10 * SLOT + 5 * MS;
	uint32_t c0, c0b, c1;

	ep_init(&ep, false);
	/* the initial key derives from the engine secret */
	c0 = pk_tcp_cookie_make(e, &ep, 777, 3, 0, t);
	g_assert_cmphex(c0, ==, pk_tcp_cookie_make(same, &ep, 777, 3, 0, t));
	g_assert_true(pk_tcp_cookie_check(e, &ep, 777, c0, 0, t));

	pk_tcp_engine_rotate_cookie_secret(e, k1, t + 1 * MS);
	c1 = pk_tcp_cookie_make(e, &ep, 777, 3, 0, t + 2 * MS);
	g_assert_cmphex(c1, !=, c0);
	g_assert_true(pk_tcp_cookie_check(e, &ep, 777, c1, 0, t + 2 * MS));
	g_assert_false(pk_tcp_cookie_check(same, &ep, 777, c1, 0, t + 2 * MS));
	/* the old key's cookie: accepted for the rest of this slot and the next */
	g_assert_true(pk_tcp_cookie_check(e, &ep, 777, c0, 0, t + 2 * MS));
	g_assert_true(pk_tcp_cookie_check(e, &ep, 777, c0, 0, 12 * SLOT - 1));
	g_assert_false(pk_tcp_cookie_check(e, &ep, 777, c0, 0, 12 * SLOT));
	/* but the old key mints nothing for the slots after the rotation:
	 * "same" still has it (as would someone who stole it) */
	for (uint64_t later = t + SLOT; later < t + 6 * SLOT; later += SLOT) {
		uint32_t forged = pk_tcp_cookie_make(same, &ep, 777, 3, 0, later);

		g_assert_true(pk_tcp_cookie_check(same, &ep, 777, forged, 0, later));
		g_assert_false(pk_tcp_cookie_check(e, &ep, 777, forged, 0, later));
	}

	/* a cookie from late in a slot, key rotated in the next slot: the old
	 * key is kept one slot from the rotation, so it lives its full life */
	t = 20 * SLOT + SLOT - 1;
	c0b = pk_tcp_cookie_make(e, &ep, 888, 1, 0x31, t);
	pk_tcp_engine_rotate_cookie_secret(e, k2, 21 * SLOT + 1);
	g_assert_true(pk_tcp_cookie_check(e, &ep, 888, c0b, 0x31, 22 * SLOT - 1));
	g_assert_false(pk_tcp_cookie_check(e, &ep, 888, c0b, 0x31, 22 * SLOT));
	/* only one previous key: after a second rotation, the first is gone */
	c1 = pk_tcp_cookie_make(e, &ep, 999, 0, 0, 21 * SLOT + 2);	/* key k2 */
	pk_tcp_engine_rotate_cookie_secret(e, k1, 21 * SLOT + 3);	/* back to k1; k2 previous */
	g_assert_true(pk_tcp_cookie_check(e, &ep, 999, c1, 0, 21 * SLOT + 4));
	pk_tcp_engine_rotate_cookie_secret(e, k2, 21 * SLOT + 5);	/* k1 previous, k2 current */
	c0 = pk_tcp_cookie_make(e, &ep, 999, 0, 0, 21 * SLOT + 6);
	g_assert_cmphex(c0, ==, c1);	/* same key, same slot: same cookie */
	pk_tcp_engine_rotate_cookie_secret(e, (const uint8_t *)"a-third-key-0003", 21 * SLOT + 7);
	pk_tcp_engine_rotate_cookie_secret(e, (const uint8_t *)"a-fourth-key-004", 21 * SLOT + 8);
	g_assert_false(pk_tcp_cookie_check(e, &ep, 999, c1, 0, 21 * SLOT + 9));

	/* end to end: a handshake spanning a rotation completes */
	{
		struct pk_tcp_config cfg = { .syncookies_always = true };
		struct pk_tcp_listener *l;
		struct pk_tcp_conn *c;

		l = mklistener(e, &ep, &cfg);
		cookie_syn(e, l, &ep, 5555, NULL, 30 * SLOT);
		pk_tcp_engine_rotate_cookie_secret(e, k1, 30 * SLOT + 10 * MS);
		mkseg(&P, &ep, 5556, S.v.seq + 1, PK_TCP_ACK, 100, NULL, NULL, 0);
		c = pk_tcp_listener_input(l, ep.remote_addr, &P.v, 30 * SLOT + 20 * MS);
		g_assert_nonnull(c);
		g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
		pk_tcp_conn_free(c);
		pk_tcp_listener_free(l);
	}
	pk_tcp_engine_free(e);
	pk_tcp_engine_free(same);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tcp/cookies/roundtrip-v4", test_roundtrip_v4);
	g_test_add_func("/tcp/cookies/roundtrip-v4-ts", test_roundtrip_v4_ts);
	g_test_add_func("/tcp/cookies/roundtrip-v6", test_roundtrip_v6);
	g_test_add_func("/tcp/cookies/roundtrip-v6-ts", test_roundtrip_v6_ts);
	g_test_add_func("/tcp/cookies/options", test_options);
	g_test_add_func("/tcp/cookies/rejects-v4", test_rejects_v4);
	g_test_add_func("/tcp/cookies/rejects-v6", test_rejects_v6);
	g_test_add_func("/tcp/cookies/slots", test_slots);
	g_test_add_func("/tcp/cookies/half-open-limit", test_half_open_limit);
	g_test_add_func("/tcp/cookies/no-cookies", test_no_cookies);
	g_test_add_func("/tcp/cookies/flood-v4", test_flood_v4);
	g_test_add_func("/tcp/cookies/flood-v6", test_flood_v6);
	g_test_add_func("/tcp/cookies/rotation", test_rotation);
	return g_test_run();
}
