/* SPDX-License-Identifier: MIT
 * test-tcp-engine.c - One engine driven with hand-built segments and a fake clock
 */
#include <pktkit/ip.h>

#include "tcp-test-util.h"

static struct seg S, P;	/* S: our output, P: the peer's segment */
static struct pk_tcp_engine *E;
static struct pk_tcp_endpoints EP;

#define PISS 0x10000000u	/* the peer's ISN */

static void setup(void)
{
	E = pk_tcp_engine_new(secret, 10);
	ep_init(&EP, false);
}

static void teardown(struct pk_tcp_conn *c)
{
	pk_tcp_conn_free(c);
	pk_tcp_engine_free(E);
}

static void feed(struct pk_tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t fl, uint16_t win,
		 const struct pk_tcp_opts *o, const void *d, uint32_t n, uint64_t now)
{
	mkseg(&P, &EP, seq, ack, fl, win, o, d, n);
	pk_tcp_conn_input(c, &P.v, now);
}

/* Active open with ISS @iss against a peer with ISN @piss; peer options @po. */
static struct pk_tcp_conn *establish(const struct pk_tcp_config *cfg0, uint32_t iss, uint32_t piss,
				     const struct pk_tcp_opts *po, uint16_t pwin)
{
	struct pk_tcp_config cfg = cfg0 ? *cfg0 : (struct pk_tcp_config){ 0 };
	struct pk_tcp_conn *c;

	cfg.fixed_iss = true;
	cfg.iss = iss;
	c = pk_tcp_connect(E, &cfg, &EP, 0);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_SYN_SENT);
	g_assert_true(out(c, 0, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN);
	g_assert_cmphex(S.v.seq, ==, iss);
	no_out(c, 0);
	feed(c, piss, iss + 1, PK_TCP_SYN | PK_TCP_ACK, pwin, po, NULL, 0, 1 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_ESTABLISHED);
	g_assert_true(out(c, 1 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, iss + 1);
	g_assert_cmphex(S.v.ack, ==, piss + 1);
	no_out(c, 1 * MS);
	return c;
}

static const struct pk_tcp_opts mss1000 = { .present = PK_TCP_HAS_MSS, .mss = 1000 };

static void test_active_open(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE | PK_TCP_HAS_SACK_PERM,
				  .mss = 1400, .wscale = 200 /* absurd: clamped */ };
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;

	setup();
	c = pk_tcp_connect(E, NULL, &EP, 0);
	g_assert_true(out(c, 0, &S));
	/* SYN offers MSS from the MTU, WS, SACK-permitted and timestamps by default */
	g_assert_cmphex(S.o.present, ==, PK_TCP_HAS_MSS | PK_TCP_HAS_WSCALE | PK_TCP_HAS_SACK_PERM |
					 PK_TCP_HAS_TIMESTAMP);
	g_assert_cmpuint(S.o.mss, ==, 1460);
	g_assert_cmpuint(S.o.wscale, ==, 3);	/* 256 KiB ring */
	g_assert_cmphex(S.v.seq, ==, pk_tcp_isn(E, &EP, 0));
	po.wscale = 200;
	feed(c, PISS, S.v.seq + 1, PK_TCP_SYN | PK_TCP_ACK, 1000, &po, NULL, 0, MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.snd_wscale, ==, 14);
	g_assert_cmpuint(info.mss, ==, 1400);
	g_assert_false(info.timestamps);
	g_assert_true(info.sack);
	g_assert_cmpuint(info.cwnd, ==, 14000);	/* RFC 6928: min(10 MSS, max(2 MSS, 14600)) */
	pk_tcp_conn_free(c);

	/* IPv6: MSS = MTU - 60 */
	ep_init(&EP, true);
	c = pk_tcp_connect(E, NULL, &EP, 0);
	g_assert_true(out(c, 0, &S));
	g_assert_cmpuint(S.o.mss, ==, 1440);
	teardown(c);
}

static void test_passive_open(void)
{
	struct pk_tcp_endpoints rep;
	struct pk_tcp_listener *l;
	struct pk_tcp_conn *c;
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_TIMESTAMP, .mss = 1460,
				  .ts_val = 5000 };
	uint32_t iss;

	setup();
	l = pk_tcp_listener_new(E, NULL, false, EP.local_addr, EP.local_port);
	/* a bare ACK to a listener: RST with SEQ = SEG.ACK */
	mkseg(&P, &EP, 77, 12345, PK_TCP_ACK, 100, NULL, NULL, 0);
	g_assert_null(pk_tcp_listener_input(l, EP.remote_addr, &P.v, 0));
	S.len = pk_tcp_listener_output(l, S.buf, sizeof(S.buf), &rep);
	g_assert_cmpuint(S.len, ==, 20);
	g_assert_true(pk_tcp_csum_ok(false, EP.local_addr, EP.remote_addr, S.buf, S.len));
	g_assert_true(pk_tcp_parse(S.buf, S.len, &S.v));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(S.v.seq, ==, 12345);
	g_assert_cmpuint(pk_tcp_listener_output(l, S.buf, sizeof(S.buf), &rep), ==, 0);
	/* a RST is ignored */
	mkseg(&P, &EP, 77, 0, PK_TCP_RST, 0, NULL, NULL, 0);
	g_assert_null(pk_tcp_listener_input(l, EP.remote_addr, &P.v, 0));
	g_assert_cmpuint(pk_tcp_listener_output(l, S.buf, sizeof(S.buf), &rep), ==, 0);

	mkseg(&P, &EP, PISS, 0, PK_TCP_SYN, 65535, &po, NULL, 0);
	c = pk_tcp_listener_input(l, EP.remote_addr, &P.v, 0);
	g_assert_nonnull(c);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_SYN_RECEIVED);
	g_assert_true(out(c, 0, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	g_assert_cmphex(S.v.ack, ==, PISS + 1);
	/* only what the peer offered is answered */
	g_assert_cmphex(S.o.present, ==, PK_TCP_HAS_MSS | PK_TCP_HAS_TIMESTAMP);
	g_assert_cmpuint(S.o.ts_ecr, ==, 5000);
	iss = S.v.seq;
	/* SYN-ACK retransmitted after the initial RTO (1 s), same ISS */
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 1000 * MS);
	pk_tcp_conn_timer(c, 1000 * MS);
	g_assert_true(out(c, 1000 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, iss);
	/* a bad ACK in SYN-RECEIVED: RST */
	po.present = PK_TCP_HAS_TIMESTAMP;
	po.ts_val = 5001;
	feed(c, PISS + 1, iss + 7, PK_TCP_ACK, 100, &po, NULL, 0, 1001 * MS);
	g_assert_true(out(c, 1001 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(S.v.seq, ==, iss + 7);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_SYN_RECEIVED);
	feed(c, PISS + 1, iss + 1, PK_TCP_ACK, 100, &po, NULL, 0, 1002 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_ESTABLISHED);
	pk_tcp_listener_free(l);
	teardown(c);
}

static void test_data_delack(void)
{
	struct pk_tcp_conn *c;
	uint8_t d[3000], r[3000];

	setup();
	for (unsigned i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)i;
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_events(c);
	/* quick ACKs: the first 16 segments are ACKed at once */
	for (uint32_t i = 0; i < 16; i++) {
		feed(c, PISS + 1 + 10 * i, 1001, PK_TCP_ACK, 65535, NULL, d, 10, 2 * MS);
		g_assert_true(out(c, 2 * MS, &S));
		g_assert_cmphex(S.v.ack, ==, PISS + 11 + 10 * i);
		no_out(c, 2 * MS);
	}
	g_assert_cmpuint(pk_tcp_conn_recv(c, r, sizeof(r)), ==, 160);
	no_out(c, 2 * MS);
	/* one segment: ACK delayed 40 ms */
	feed(c, PISS + 161, 1001, PK_TCP_ACK, 65535, NULL, d, 500, 10 * MS);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_READABLE);
	no_out(c, 10 * MS);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 50 * MS);
	pk_tcp_conn_timer(c, 50 * MS);
	g_assert_true(out(c, 50 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 661);
	/* two full segments: ACK at once */
	feed(c, PISS + 661, 1001, PK_TCP_ACK, 65535, NULL, d + 500, 1000, 60 * MS);
	no_out(c, 60 * MS);
	feed(c, PISS + 1661, 1001, PK_TCP_ACK, 65535, NULL, d + 1500, 1000, 61 * MS);
	g_assert_true(out(c, 61 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 2661);
	g_assert_cmpuint(pk_tcp_conn_recv(c, r, sizeof(r)), ==, 2500);
	g_assert_true(memcmp(r, d, 2500) == 0);
	/* sending: 2500 bytes = MSS 1000 + 1000; Nagle holds the 500-byte tail */
	g_assert_cmpint(pk_tcp_conn_send(c, d, 2500), ==, 2500);
	g_assert_true(out(c, 70 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	g_assert_true(out(c, 70 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	no_out(c, 70 * MS);
	feed(c, PISS + 2661, 1001 + 2000, PK_TCP_ACK, 65535, NULL, NULL, 0, 75 * MS);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_WRITABLE);
	g_assert_true(out(c, 75 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 500);
	g_assert_true(S.v.flags & PK_TCP_PSH);
	no_out(c, 75 * MS);
	/* Nagle: a small write waits while data is unacknowledged */
	g_assert_cmpint(pk_tcp_conn_send(c, d, 10), ==, 10);
	no_out(c, 76 * MS);
	feed(c, PISS + 2661, 1001 + 2500, PK_TCP_ACK, 65535, NULL, NULL, 0, 80 * MS);
	g_assert_true(out(c, 80 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 10);
	/* no-delay: it goes at once */
	pk_tcp_conn_set_nodelay(c, true);
	g_assert_cmpint(pk_tcp_conn_send(c, d, 10), ==, 10);
	g_assert_true(out(c, 81 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 10);
	teardown(c);
}

static void test_out_of_order_sack(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM, .mss = 1000 };
	struct pk_tcp_conn *c;
	uint8_t d[4000], r[4000];

	setup();
	for (unsigned i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 13);
	c = establish(NULL, 1000, PISS, &po, 65535);
	/* 1000..2000 and 3000..4000 arrive, 0..1000 and 2000..3000 missing */
	feed(c, PISS + 1 + 1000, 1001, PK_TCP_ACK, 65535, NULL, d + 1000, 1000, 2 * MS);
	g_assert_true(out(c, 2 * MS, &S));	/* immediate duplicate ACK with SACK */
	g_assert_cmphex(S.v.ack, ==, PISS + 1);
	g_assert_cmpuint(S.o.n_sack, ==, 1);
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 1001);
	g_assert_cmphex(S.o.sack[0].right, ==, PISS + 2001);
	feed(c, PISS + 1 + 3000, 1001, PK_TCP_ACK, 65535, NULL, d + 3000, 1000, 3 * MS);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmpuint(S.o.n_sack, ==, 2);
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 3001);	/* most recent first */
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 0);
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 4 * MS);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 2001);
	/* overlapping fill of the second hole: its old part is D-SACKed (RFC
	 * 2883: the first duplicate; the overlap with 3000.. is not adjacent) */
	feed(c, PISS + 1 + 1500, 1001, PK_TCP_ACK, 65535, NULL, d + 1500, 2000, 5 * MS);
	g_assert_true(out(c, 5 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 4001);
	g_assert_cmpuint(S.o.n_sack, ==, 1);
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 1501);
	g_assert_cmphex(S.o.sack[0].right, ==, PISS + 2001);
	no_out(c, 5 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv(c, r, sizeof(r)), ==, 4000);
	g_assert_true(memcmp(r, d, 4000) == 0);
	teardown(c);
}

/* RFC 2883: a duplicate is reported once, as the first SACK block. */
static void test_dsack_receiver(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM, .mss = 1000 };
	struct pk_tcp_conn *c;
	uint8_t d[4000];

	setup();
	memset(d, 7, sizeof(d));
	c = establish(NULL, 1000, PISS, &po, 65535);
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 2 * MS);
	g_assert_true(out(c, 2 * MS, &S));	/* quick ACK */
	g_assert_cmphex(S.v.ack, ==, PISS + 1001);
	g_assert_cmpuint(S.o.n_sack, ==, 0);
	/* entirely old (a spurious retransmission): D-SACK below the ACK */
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 3 * MS);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 1001);
	g_assert_cmpuint(S.o.n_sack, ==, 1);
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 1);
	g_assert_cmphex(S.o.sack[0].right, ==, PISS + 1001);
	no_out(c, 3 * MS);
	/* out of order, then the same again: D-SACK, then the block holding it */
	feed(c, PISS + 2001, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 4 * MS);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmpuint(S.o.n_sack, ==, 1);		/* reported once only */
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 2001);
	feed(c, PISS + 2501, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 5 * MS);
	g_assert_true(out(c, 5 * MS, &S));
	g_assert_cmpuint(S.o.n_sack, ==, 2);
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 2501);
	g_assert_cmphex(S.o.sack[0].right, ==, PISS + 3001);
	g_assert_cmphex(S.o.sack[1].left, ==, PISS + 2001);
	g_assert_cmphex(S.o.sack[1].right, ==, PISS + 3501);
	no_out(c, 5 * MS);
	/* a segment partly old: its old part */
	feed(c, PISS + 501, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 6 * MS);
	g_assert_true(out(c, 6 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 1501);
	g_assert_cmphex(S.o.sack[0].left, ==, PISS + 501);
	g_assert_cmphex(S.o.sack[0].right, ==, PISS + 1001);
	g_assert_cmphex(S.o.sack[1].left, ==, PISS + 2001);
	no_out(c, 6 * MS);
	teardown(c);

	/* without SACK negotiated: a plain duplicate ACK */
	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 2 * MS);
	g_assert_true(out(c, 2 * MS, &S));
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 3 * MS);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 1001);
	g_assert_false(S.o.present & PK_TCP_HAS_SACK);
	teardown(c);
}

static void test_fin_after_data_same_seq(void)
{
	struct pk_tcp_conn *c;
	uint8_t d[3000] = { 1 };
	uint32_t fin_seq;

	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 2000);	/* peer window 2000 */
	g_assert_cmpint(pk_tcp_conn_send(c, d, 3000), ==, 3000);
	pk_tcp_conn_shutdown(c);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_FIN_WAIT_1);
	g_assert_cmpint(pk_tcp_conn_send(c, d, 1), ==, -1);
	for (int i = 0; i < 2; i++) {
		g_assert_true(out(c, 2 * MS, &S));
		g_assert_cmpuint(S.v.payload_len, ==, 1000);
		g_assert_false(S.v.flags & PK_TCP_FIN);
	}
	no_out(c, 2 * MS);			/* no FIN while data is queued */
	feed(c, PISS + 1, 1001 + 2000, PK_TCP_ACK, 2000, NULL, NULL, 0, 3 * MS);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	g_assert_true(S.v.flags & PK_TCP_FIN);	/* FIN rides on the last data */
	no_out(c, 3 * MS);
	fin_seq = S.v.seq + 1000;
	g_assert_cmphex(fin_seq, ==, 1001 + 3000);
	/* data acknowledged, FIN lost: the RTO resends the FIN at the same seq, twice */
	feed(c, PISS + 1, fin_seq, PK_TCP_ACK, 2000, NULL, NULL, 0, 4 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_FIN_WAIT_1);
	for (int i = 0; i < 2; i++) {
		uint64_t dl = pk_tcp_conn_deadline(c);

		g_assert_cmpuint(dl, !=, UINT64_MAX);
		pk_tcp_conn_timer(c, dl);
		g_assert_true(out(c, dl, &S));
		g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK | PK_TCP_FIN);
		g_assert_cmphex(S.v.seq, ==, fin_seq);
		g_assert_cmpuint(S.v.payload_len, ==, 0);
		no_out(c, dl);
	}
	feed(c, PISS + 1, fin_seq + 1, PK_TCP_ACK, 1500, NULL, NULL, 0, 5000 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_FIN_WAIT_2);
	/* half-close: we still receive */
	feed(c, PISS + 1, fin_seq + 1, PK_TCP_ACK, 1500, NULL, d, 100, 5001 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 100);
	feed(c, PISS + 101, fin_seq + 1, PK_TCP_ACK | PK_TCP_FIN, 1500, NULL, NULL, 0, 5002 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_TIME_WAIT);
	g_assert_true(out(c, 5002 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 102);
	/* a retransmitted FIN in TIME-WAIT is ACKed again and restarts the timer */
	feed(c, PISS + 101, fin_seq + 1, PK_TCP_ACK | PK_TCP_FIN, 1500, NULL, NULL, 0, 5500 * MS);
	g_assert_true(out(c, 5500 * MS, &S));
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 6500 * MS);
	pk_tcp_conn_timer(c, 6500 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_CLOSED);
	teardown(c);
}

static void test_passive_close(void)
{
	struct pk_tcp_conn *c;

	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	feed(c, PISS + 1, 1001, PK_TCP_ACK | PK_TCP_FIN, 65535, NULL, "hi", 2, 2 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSE_WAIT);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_PEER_CLOSED);
	g_assert_false(pk_tcp_conn_peer_closed(c));	/* data still unread */
	g_assert_true(out(c, 2 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 4);
	/* CLOSE-WAIT still sends */
	g_assert_cmpint(pk_tcp_conn_send(c, "abc", 3), ==, 3);
	pk_tcp_conn_shutdown(c);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_LAST_ACK);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK | PK_TCP_PSH | PK_TCP_FIN);
	feed(c, PISS + 4, 1001 + 4, PK_TCP_ACK, 65535, NULL, NULL, 0, 4 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	teardown(c);
}

static void test_simultaneous(void)
{
	struct pk_tcp_config cfg = { .fixed_iss = true, .iss = 500 };
	struct pk_tcp_conn *c;

	setup();
	/* simultaneous open: SYN crosses SYN */
	c = pk_tcp_connect(E, &cfg, &EP, 0);
	g_assert_true(out(c, 0, &S));
	feed(c, PISS, 0, PK_TCP_SYN, 65535, &mss1000, NULL, 0, MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_SYN_RECEIVED);
	g_assert_true(out(c, MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN | PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, 500);
	g_assert_cmphex(S.v.ack, ==, PISS + 1);
	/* the peer's SYN-ACK: its SYN is old news, our SYN is acknowledged */
	feed(c, PISS, 501, PK_TCP_SYN | PK_TCP_ACK, 65535, &mss1000, NULL, 0, 2 * MS);
	feed(c, PISS + 1, 501, PK_TCP_ACK, 65535, NULL, NULL, 0, 2 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	while (out(c, 2 * MS, &S))
		;
	/* simultaneous close: FIN crosses FIN */
	pk_tcp_conn_shutdown(c);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK | PK_TCP_FIN);
	g_assert_cmphex(S.v.seq, ==, 501);
	feed(c, PISS + 1, 501, PK_TCP_ACK | PK_TCP_FIN, 65535, NULL, NULL, 0, 4 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSING);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 2);
	feed(c, PISS + 2, 502, PK_TCP_ACK, 65535, NULL, NULL, 0, 5 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_TIME_WAIT);
	pk_tcp_conn_timer(c, 5 * MS + 1000 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	teardown(c);
}

static void test_rfc5961(void)
{
	struct pk_tcp_conn *c;
	const struct pk_tcp_stats *st;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	/* RST out of the window: ignored silently */
	feed(c, PISS + 1 + 10000000, 0, PK_TCP_RST, 0, NULL, NULL, 0, 2 * MS);
	no_out(c, 2 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	/* RST in the window but not exact: challenge ACK */
	feed(c, PISS + 100, 0, PK_TCP_RST, 0, NULL, NULL, 0, 3 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, 1001);
	g_assert_cmphex(S.v.ack, ==, PISS + 1);
	g_assert_cmpuint(st->challenge_acks, ==, 1);
	/* SYN in a synchronized state: challenge ACK, no reset */
	feed(c, PISS + 5, 0, PK_TCP_SYN, 65535, NULL, NULL, 0, 4 * MS);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.ack, ==, PISS + 1);
	g_assert_cmpuint(st->syn_in_sync, ==, 1);
	/* ACK for data never sent: ACK back, dropped */
	feed(c, PISS + 1, 5000, PK_TCP_ACK, 65535, NULL, "x", 1, 5 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 0);
	g_assert_true(out(c, 5 * MS, &S));
	/* storm: 1000 in-window RSTs and SYNs within a second: 10 challenge ACKs (limit) */
	for (int i = 0; i < 1000; i++) {
		feed(c, PISS + 2 + (uint32_t)i, 0, (i & 1) ? PK_TCP_SYN : PK_TCP_RST, 0, NULL, NULL, 0,
		     6 * MS);
		while (out(c, 6 * MS, &S))
			;
	}
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	/* the budget of a window is drawn from [limit/2, limit/2 + limit) */
	g_assert_cmpuint(st->challenge_acks, >=, 5);
	g_assert_cmpuint(st->challenge_acks, <, 15);
	g_assert_cmpuint(st->challenge_acks + st->challenge_acks_suppressed, ==, 1002);
	/* the budget comes back a second later */
	feed(c, PISS + 100, 0, PK_TCP_RST, 0, NULL, NULL, 0, 1100 * MS);
	g_assert_true(out(c, 1100 * MS, &S));
	/* exact RST: reset */
	feed(c, PISS + 1, 0, PK_TCP_RST, 0, NULL, NULL, 0, 1200 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_RESET);
	no_out(c, 1200 * MS);
	teardown(c);
}

static void test_syn_sent_rst(void)
{
	struct pk_tcp_config cfg = { .fixed_iss = true, .iss = 700 };
	struct pk_tcp_conn *c;

	setup();
	c = pk_tcp_connect(E, &cfg, &EP, 0);
	g_assert_true(out(c, 0, &S));
	/* RST without ACK: ignored; bad ACK: RST seq=ack; RST with good ACK: refused */
	feed(c, 1, 0, PK_TCP_RST, 0, NULL, NULL, 0, MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_SYN_SENT);
	feed(c, 1, 9999, PK_TCP_SYN | PK_TCP_ACK, 100, NULL, NULL, 0, MS);
	g_assert_true(out(c, MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(S.v.seq, ==, 9999);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_SYN_SENT);
	feed(c, 0, 701, PK_TCP_RST | PK_TCP_ACK, 0, NULL, NULL, 0, MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_RESET);
	teardown(c);
}

static void test_syn_backoff_timeout(void)
{
	struct pk_tcp_config cfg = { .fixed_iss = true, .iss = 42, .max_retries = 4 };
	struct pk_tcp_conn *c;
	uint64_t now = 0, expect = 1000 * MS;

	setup();
	c = pk_tcp_connect(E, &cfg, &EP, 0);
	g_assert_true(out(c, 0, &S));
	for (int i = 0; i < 4; i++) {
		g_assert_cmpuint(pk_tcp_conn_deadline(c) - now, ==, expect);
		now = pk_tcp_conn_deadline(c);
		pk_tcp_conn_timer(c, now);
		g_assert_true(out(c, now, &S));
		g_assert_cmphex(S.v.flags, ==, PK_TCP_SYN);
		g_assert_cmphex(S.v.seq, ==, 42);
		expect *= 2;
	}
	now = pk_tcp_conn_deadline(c);
	pk_tcp_conn_timer(c, now);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_TIMEOUT);
	no_out(c, now);
	teardown(c);
}

/* RFC 6298 5.7: the handshake's backoff does not carry over into data
 * transfer when no RTT sample could be taken (Karn, no timestamps). */
static void test_syn_backoff_rto_reset(void)
{
	struct pk_tcp_config cfg = { .fixed_iss = true, .iss = 42, .no_timestamps = true };
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS, .mss = 1000 };
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;
	uint64_t now = 0;

	setup();
	c = pk_tcp_connect(E, &cfg, &EP, 0);
	g_assert_true(out(c, 0, &S));
	for (int i = 0; i < 3; i++) {	/* 1 s, 2 s, 4 s: the RTO is now 8 s */
		now = pk_tcp_conn_deadline(c);
		pk_tcp_conn_timer(c, now);
		g_assert_true(out(c, now, &S));
	}
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.rto_ns, ==, 8000 * MS);
	feed(c, PISS, 43, PK_TCP_SYN | PK_TCP_ACK, 65535, &po, NULL, 0, now + MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.srtt_ns, ==, 0);
	g_assert_cmpuint(info.rto_ns, ==, 3000 * MS);
	teardown(c);
}

static void test_rto_data(void)
{
	struct pk_tcp_conn *c;
	struct pk_tcp_conn_info info;
	uint8_t d[1000] = { 0 };

	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_get_info(c, &info);
	/* SYN RTT 1 ms: RTO clamps to 200 ms */
	g_assert_cmpuint(info.rto_ns, ==, 200 * MS);
	pk_tcp_conn_send(c, d, 1000);
	g_assert_true(out(c, 10 * MS, &S));
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 210 * MS);
	pk_tcp_conn_timer(c, 210 * MS);
	g_assert_true(out(c, 210 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 610 * MS);	/* doubled */
	/* Karn: the ACK of the retransmission gives no sample; RTO keeps the backoff */
	feed(c, PISS + 1, 2001, PK_TCP_ACK, 65535, NULL, NULL, 0, 700 * MS);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.rto_ns, ==, 400 * MS);
	g_assert_cmpuint(info.cwnd, ==, 2000);	/* 1 MSS after the timeout, +1 MSS */
	teardown(c);
}

static void test_fast_retransmit(void)
{
	struct pk_tcp_conn *c;
	uint8_t d[10000] = { 0 };
	const struct pk_tcp_stats *st;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_send(c, d, 10000);
	for (int i = 0; i < 10; i++)
		g_assert_true(out(c, 2 * MS, &S));
	no_out(c, 2 * MS);	/* initial window: 10 segments */
	/* segment 1 lost: three duplicate ACKs */
	for (int i = 0; i < 3; i++) {
		feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, NULL, 0, 3 * MS);
		if (i < 2)
			no_out(c, 3 * MS);	/* limited transmit: nothing new queued */
	}
	g_assert_cmpuint(st->fast_retransmits, ==, 1);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	/* partial ACK (NewReno): the next hole is retransmitted at once */
	feed(c, PISS + 1, 3001, PK_TCP_ACK, 65535, NULL, NULL, 0, 4 * MS);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 3001);
	/* full ACK ends recovery */
	feed(c, PISS + 1, 11001, PK_TCP_ACK, 65535, NULL, NULL, 0, 5 * MS);
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 0);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, UINT64_MAX);
	teardown(c);
}

static void test_zero_window_probe(void)
{
	struct pk_tcp_conn *c;
	uint8_t d[3000] = { 0 };
	uint64_t t;

	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 0);
	pk_tcp_conn_send(c, d, 3000);
	no_out(c, 2 * MS);
	t = pk_tcp_conn_deadline(c);
	g_assert_cmpuint(t, !=, UINT64_MAX);
	pk_tcp_conn_timer(c, t);
	g_assert_true(out(c, t, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 1);	/* probe */
	g_assert_cmphex(S.v.seq, ==, 1001);
	no_out(c, t);
	/* still closed: the probe interval backs off */
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 0, NULL, NULL, 0, t + MS);
	g_assert_cmpuint(pk_tcp_conn_deadline(c) - t, >, t - 2 * MS);
	t = pk_tcp_conn_deadline(c);
	pk_tcp_conn_timer(c, t);
	g_assert_true(out(c, t, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 1);
	g_assert_cmpuint(pk_tcp_engine_stats(E)->zero_window_probes, ==, 2);
	/* the window opens (and the probe byte was taken) */
	feed(c, PISS + 1, 1002, PK_TCP_ACK, 5000, NULL, NULL, 0, t + MS);
	g_assert_true(out(c, t + MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1002);
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	teardown(c);
}

/* The peer answers every zero-window probe with the same ACK and window 0:
 * those are not duplicate ACKs (no fast retransmit, no recovery). */
static void test_zero_window_no_dupacks(void)
{
	struct pk_tcp_conn *c;
	uint8_t d[3000] = { 0 };
	uint64_t t = 2 * MS;

	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 0);
	pk_tcp_conn_send(c, d, 3000);
	no_out(c, t);
	for (int i = 0; i < 5; i++) {
		t = pk_tcp_conn_deadline(c);
		pk_tcp_conn_timer(c, t);
		g_assert_true(out(c, t, &S));
		g_assert_cmpuint(S.v.payload_len, ==, 1);
		feed(c, PISS + 1, 1001, PK_TCP_ACK, 0, NULL, NULL, 0, t + MS);
		no_out(c, t + MS);
	}
	g_assert_cmpuint(pk_tcp_engine_stats(E)->fast_retransmits, ==, 0);
	g_assert_cmpuint(pk_tcp_engine_stats(E)->zero_window_probes, ==, 5);
	teardown(c);
}

/* An application-limited sender (a little data, all acknowledged) does not
 * grow its congestion window (RFC 7661). */
static void test_cwnd_app_limited(void)
{
	struct pk_tcp_conn *c;
	struct pk_tcp_conn_info info;
	uint8_t d[100] = { 0 };
	uint32_t seq = 1001, cwnd0;
	uint64_t t = 2 * MS;

	setup();
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_get_info(c, &info);
	cwnd0 = info.cwnd;
	for (int i = 0; i < 200; i++) {
		pk_tcp_conn_send(c, d, sizeof(d));
		g_assert_true(out(c, t, &S));
		g_assert_cmpuint(S.v.payload_len, ==, sizeof(d));
		seq += sizeof(d);
		t += MS;
		feed(c, PISS + 1, seq, PK_TCP_ACK, 65535, NULL, NULL, 0, t);
		t += MS;
	}
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cwnd, ==, cwnd0);
	teardown(c);
}

static void test_wraparound(void)
{
	struct pk_tcp_conn *c;
	uint8_t d[6000], r[6000];
	uint32_t piss = 0xffffffffu - 2500;

	setup();
	for (unsigned i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 31 + 7);
	c = establish(NULL, 0xfffffff0u, piss, &mss1000, 65535);
	pk_tcp_conn_send(c, d, 6000);
	for (uint32_t off = 0; off < 6000;) {
		g_assert_true(out(c, 2 * MS, &S));
		g_assert_cmphex(S.v.seq, ==, 0xfffffff1u + off);
		g_assert_true(memcmp(S.v.payload, d + off, S.v.payload_len) == 0);
		off += S.v.payload_len;
		feed(c, piss + 1, 0xfffffff1u + off, PK_TCP_ACK, 65535, NULL, NULL, 0, 3 * MS);
	}
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 0);
	/* receive across the wrap, out of order */
	feed(c, piss + 1 + 3000, 0xfffffff1u + 6000, PK_TCP_ACK, 65535, NULL, d + 3000, 3000, 4 * MS);
	feed(c, piss + 1, 0xfffffff1u + 6000, PK_TCP_ACK, 65535, NULL, d, 3000, 4 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv(c, r, sizeof(r)), ==, 6000);
	g_assert_true(memcmp(r, d, 6000) == 0);
	while (out(c, 4 * MS, &S))
		g_assert_cmphex(S.v.ack, ==, piss + 6001);
	teardown(c);
}

static void test_paws(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_TIMESTAMP, .mss = 1000,
				  .ts_val = 1000 };
	struct pk_tcp_conn *c;

	setup();
	c = establish(NULL, 1000, PISS, &po, 65535);
	po.present = PK_TCP_HAS_TIMESTAMP;
	po.ts_val = 2000;
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, "ab", 2, 2 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 2);
	/* an old timestamp: dropped by PAWS, ACKed */
	po.ts_val = 1500;
	feed(c, PISS + 3, 1001, PK_TCP_ACK, 65535, &po, "cd", 2, 3 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 2);
	g_assert_cmpuint(pk_tcp_engine_stats(E)->paws_dropped, ==, 1);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.o.ts_ecr, ==, 2000);
	teardown(c);
}

/* A reordered pure duplicate ACK with an older timestamp passes PAWS (as in
 * Linux) if it is behind by less than one RTO and changes nothing; data,
 * FINs, ACKs of new data and window changes with old timestamps do not. */
static void test_paws_disordered_ack(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_TIMESTAMP, .mss = 1000,
				  .ts_val = 1000 };
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn *c;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish(NULL, 1000, PISS, &po, 65535);
	po.present = PK_TCP_HAS_TIMESTAMP;
	pk_tcp_conn_send(c, "xyz", 3);
	g_assert_true(out(c, 2 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, ==, 3);
	/* the peer's latest: a duplicate ACK with TSval 2000 */
	po.ts_val = 2000;
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, NULL, 0, 3 * MS);
	g_assert_cmpuint(st->paws_dropped, ==, 0);
	/* an earlier one (TSval 1990) overtaken by it: accepted */
	po.ts_val = 1990;
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, NULL, 0, 4 * MS);
	g_assert_cmpuint(st->paws_acks_accepted, ==, 1);
	g_assert_cmpuint(st->paws_dropped, ==, 0);
	no_out(c, 4 * MS);					/* no dupack answer */
	/* too old (RTO is 200 ms): dropped */
	po.ts_val = 2000 - 500;
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, NULL, 0, 5 * MS);
	g_assert_cmpuint(st->paws_dropped, ==, 1);
	while (out(c, 5 * MS, &S))
		;
	po.ts_val = 1990;
	/* another window: dropped */
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 60000, &po, NULL, 0, 6 * MS);
	g_assert_cmpuint(st->paws_dropped, ==, 2);
	while (out(c, 6 * MS, &S))
		;
	/* acknowledging new data: dropped, nothing acknowledged */
	feed(c, PISS + 1, 1004, PK_TCP_ACK, 65535, &po, NULL, 0, 7 * MS);
	g_assert_cmpuint(st->paws_dropped, ==, 3);
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 3);
	while (out(c, 7 * MS, &S))
		;
	/* a FIN, or data: dropped */
	feed(c, PISS + 1, 1001, PK_TCP_ACK | PK_TCP_FIN, 65535, &po, NULL, 0, 8 * MS);
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, "a", 1, 8 * MS);
	g_assert_cmpuint(st->paws_dropped, ==, 5);
	g_assert_false(pk_tcp_conn_peer_closed(c));
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 0);
	/* TS.Recent was not moved back by the accepted ACK */
	g_assert_true(out(c, 8 * MS, &S));
	g_assert_cmphex(S.o.ts_ecr, ==, 2000);
	g_assert_cmpuint(st->paws_acks_accepted, ==, 1);
	teardown(c);
}

static void test_bad_input(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM, .mss = 1000 };
	struct pk_tcp_conn *c;
	uint8_t d[100] = { 0 };

	setup();
	c = establish(NULL, 1000, PISS, &po, 65535);
	pk_tcp_conn_send(c, d, 100);
	g_assert_true(out(c, 2 * MS, &S));
	/* SACK blocks outside the window, reversed, wrapping */
	po.present = PK_TCP_HAS_SACK;
	po.n_sack = 3;
	po.sack[0] = (struct pk_tcp_sack_block){ 5, 0xfffffff0u };
	po.sack[1] = (struct pk_tcp_sack_block){ 900000, 100 };
	po.sack[2] = (struct pk_tcp_sack_block){ 1001, 1101 };
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, NULL, 0, 3 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 100);
	/* option length running past the header: counted, segment still used */
	mkseg(&P, &EP, PISS + 1, 1101, PK_TCP_ACK, 65535, NULL, NULL, 0);
	{
		uint8_t raw[24];
		struct pk_tcp_view v;

		memcpy(raw, P.buf, 20);
		raw[12] = 0x60;
		raw[20] = PK_TCP_OPT_TIMESTAMP;
		raw[21] = 40;
		raw[22] = raw[23] = 0;
		g_assert_true(pk_tcp_parse(raw, 24, &v));
		pk_tcp_conn_input(c, &v, 4 * MS);
	}
	g_assert_cmpuint(pk_tcp_engine_stats(E)->bad_header, ==, 1);
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 0);
	/* abort: RST at SND.NXT */
	pk_tcp_conn_abort(c);
	g_assert_true(out(c, 5 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(S.v.seq, ==, 1101);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	no_out(c, 5 * MS);
	teardown(c);
}

/* RFC 9293 3.10.7.1: the answer of a closed port */
static void test_reply_rst(void)
{
	struct pk_tcp_endpoints ep6;
	uint8_t small[19];

	setup();
	/* SYN with 3 data bytes, no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><RST,ACK> */
	mkseg(&P, &EP, 0xfffffffeu, 0, PK_TCP_SYN, 100, &mss1000, "abc", 3);
	S.len = pk_tcp_reply_rst(&P.v, P.v.payload_len, &EP, S.buf, sizeof(S.buf));
	g_assert_cmpuint(S.len, ==, 20);
	g_assert_true(pk_tcp_csum_ok(false, EP.local_addr, EP.remote_addr, S.buf, S.len));
	g_assert_true(pk_tcp_parse(S.buf, S.len, &S.v));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST | PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, 0);
	g_assert_cmphex(S.v.ack, ==, 2);	/* wraps: SYN + 3 bytes */
	g_assert_cmpuint(S.v.sport, ==, EP.local_port);
	g_assert_cmpuint(S.v.dport, ==, EP.remote_port);
	g_assert_cmpuint(S.v.window, ==, 0);
	/* FIN without ACK: the FIN counts */
	mkseg(&P, &EP, 500, 0, PK_TCP_FIN, 100, NULL, NULL, 0);
	S.len = pk_tcp_reply_rst(&P.v, 0, &EP, S.buf, sizeof(S.buf));
	g_assert_true(pk_tcp_parse(S.buf, S.len, &S.v));
	g_assert_cmphex(S.v.ack, ==, 501);
	/* with ACK: <SEQ=SEG.ACK><RST>, data ignored */
	mkseg(&P, &EP, 500, 0x12345678u, PK_TCP_ACK | PK_TCP_PSH, 100, NULL, "xyz", 3);
	S.len = pk_tcp_reply_rst(&P.v, 3, &EP, S.buf, sizeof(S.buf));
	g_assert_true(pk_tcp_parse(S.buf, S.len, &S.v));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(S.v.seq, ==, 0x12345678u);
	g_assert_cmphex(S.v.ack, ==, 0);
	/* a RST is never answered, with or without ACK */
	mkseg(&P, &EP, 500, 7, PK_TCP_RST | PK_TCP_ACK, 0, NULL, NULL, 0);
	g_assert_cmpuint(pk_tcp_reply_rst(&P.v, 0, &EP, S.buf, sizeof(S.buf)), ==, 0);
	mkseg(&P, &EP, 500, 0, PK_TCP_RST, 0, NULL, NULL, 0);
	g_assert_cmpuint(pk_tcp_reply_rst(&P.v, 0, &EP, S.buf, sizeof(S.buf)), ==, 0);
	/* too little room: nothing */
	mkseg(&P, &EP, 500, 0, PK_TCP_SYN, 0, NULL, NULL, 0);
	g_assert_cmpuint(pk_tcp_reply_rst(&P.v, 0, &EP, small, sizeof(small)), ==, 0);
	/* IPv6 pseudo header */
	ep_init(&ep6, true);
	mkseg(&P, &ep6, 9, 0, PK_TCP_SYN, 0, NULL, NULL, 0);
	S.len = pk_tcp_reply_rst(&P.v, 0, &ep6, S.buf, sizeof(S.buf));
	g_assert_cmpuint(S.len, ==, 20);
	g_assert_true(pk_tcp_csum_ok(true, ep6.local_addr, ep6.remote_addr, S.buf, S.len));
	g_assert_true(pk_tcp_parse(S.buf, S.len, &S.v));
	g_assert_cmphex(S.v.ack, ==, 10);
	pk_tcp_engine_free(E);
}

/* ---- sender SACK, CUBIC, keepalive, quick ACK, PMTU, PAWS idle ---- */

static uint32_t ts_off;		/* our TSval minus our ms clock */
static uint32_t peer_tsv = 100;

/* Peer ACK @ack with timestamps (RTT 1 ms) and SACK blocks (pairs). */
static void ack_sack(struct pk_tcp_conn *c, uint32_t ack, uint64_t now, int nb, const uint32_t *b)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_TIMESTAMP, .ts_val = peer_tsv++,
				  .ts_ecr = (uint32_t)(now / MS) - 1 + ts_off };

	if (nb) {
		po.present |= PK_TCP_HAS_SACK;
		po.n_sack = (uint8_t)nb;
		for (int i = 0; i < nb; i++)
			po.sack[i] = (struct pk_tcp_sack_block){ b[2 * i], b[2 * i + 1] };
	}
	feed(c, PISS + 1, ack, PK_TCP_ACK, 65535, &po, NULL, 0, now);
}

/* SACK + timestamps, segments of 1000 payload bytes. */
static struct pk_tcp_conn *establish_sack(const struct pk_tcp_config *cfg)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM |
					     PK_TCP_HAS_TIMESTAMP,
				  .mss = 1012, .ts_val = peer_tsv++ };
	struct pk_tcp_conn *c = establish(cfg, 1000, PISS, &po, 65535);

	ts_off = S.o.ts_val - 1;	/* the ACK was sent at 1 ms */
	g_assert_cmpuint(pk_tcp_conn_mss(c), ==, 1000);
	return c;
}

static uint32_t snd_hi;		/* highest sequence number sent + 1 */

static uint32_t drain_count(struct pk_tcp_conn *c, uint64_t now)
{
	uint32_t n = 0;

	while (out(c, now, &S)) {
		n++;
		if ((int32_t)(S.v.seq + S.v.payload_len - snd_hi) > 0)
			snd_hi = S.v.seq + S.v.payload_len;
	}
	return n;
}

static void test_sack_recovery(void)
{
	static uint8_t d[20000];
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish_sack(NULL);
	pk_tcp_conn_send(c, d, sizeof(d));
	g_assert_cmpuint(drain_count(c, 2 * MS), ==, 10);	/* 1001 .. 11001 */
	/* 1001 and 4001 lost. Two SACKs: limited transmit sends new data */
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 3001 });
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 11001);
	no_out(c, 3 * MS);
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 4001 });
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 12001);
	no_out(c, 3 * MS);
	/* third: recovery, SND.UNA first; cwnd = ssthresh = 0.7 * 10000 */
	ack_sack(c, 1001, 4 * MS, 2, (uint32_t[]){ 2001, 4001, 5001, 6001 });
	g_assert_cmpuint(st->sack_recoveries, ==, 1);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	pk_tcp_conn_get_info(c, &info);
	g_assert_true(info.in_recovery);
	g_assert_cmpuint(info.cwnd, ==, 7000);
	g_assert_cmpuint(info.sacked_bytes, ==, 3000);
	/* pipe: 1000 retransmitted + hole 4001 (not yet lost) + 6001..13001 */
	g_assert_cmpuint(info.pipe, ==, 9000);
	no_out(c, 4 * MS);
	ack_sack(c, 1001, 5 * MS, 2, (uint32_t[]){ 2001, 4001, 5001, 7001 });
	no_out(c, 5 * MS);			/* pipe 8000 */
	/* 3 segments SACKed above 4001: lost, and it goes before new data */
	ack_sack(c, 1001, 6 * MS, 2, (uint32_t[]){ 2001, 4001, 5001, 8001 });
	g_assert_true(out(c, 6 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 4001);
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	no_out(c, 6 * MS);
	g_assert_cmpuint(st->sack_retransmits, ==, 1);
	/* holes done: new data as the pipe drains */
	ack_sack(c, 1001, 7 * MS, 2, (uint32_t[]){ 2001, 4001, 5001, 9001 });
	g_assert_true(out(c, 7 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 13001);
	no_out(c, 7 * MS);
	/* partial ACK: still in recovery, no NewReno retransmission of 4001 */
	ack_sack(c, 4001, 8 * MS, 1, (uint32_t[]){ 5001, 9001 });
	g_assert_true(out(c, 8 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 14001);
	no_out(c, 8 * MS);
	/* blocks out of the window: ignored and counted */
	ack_sack(c, 4001, 9 * MS, 3, (uint32_t[]){ 20001, 30001, 3001, 4001, 9001, 5001 });
	g_assert_cmpuint(st->sack_blocks_ignored, ==, 3);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.sacked_bytes, ==, 4000);
	/* ACK beyond the recovery point (13001): recovery over, cwnd = ssthresh */
	ack_sack(c, 13001, 10 * MS, 0, NULL);
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.in_recovery);
	g_assert_cmpuint(info.cwnd, ==, 7000);
	g_assert_cmpuint(info.sacked_bytes, ==, 0);
	g_assert_cmpuint(st->fast_retransmits, ==, 1);
	g_assert_cmpuint(st->dsack_undos, ==, 0);
	teardown(c);
}

/* A recovery caused by reordering: the original of the retransmitted
 * segment arrives after all, the peer D-SACKs the retransmission, and the
 * reduction is undone when the recovery ends. */
static void test_dsack_undo(void)
{
	static uint8_t d[30000];
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish_sack(NULL);
	pk_tcp_conn_send(c, d, sizeof(d));
	snd_hi = 1001;
	g_assert_cmpuint(drain_count(c, 2 * MS), ==, 10);	/* 1001 .. 11001 */
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 3001 });
	drain_count(c, 3 * MS);
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 4001 });
	drain_count(c, 3 * MS);
	ack_sack(c, 1001, 4 * MS, 1, (uint32_t[]){ 2001, 5001 });
	g_assert_cmpuint(st->sack_recoveries, ==, 1);
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);		/* the only retransmission */
	drain_count(c, 4 * MS);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cwnd, ==, 7000);
	/* the original was only late: cumulative ACK, then the D-SACK */
	ack_sack(c, 5001, 5 * MS, 0, NULL);
	drain_count(c, 5 * MS);
	/* a D-SACK of bytes never retransmitted: counted, nothing else */
	ack_sack(c, 5001, 5 * MS, 1, (uint32_t[]){ 3001, 4001 });
	g_assert_cmpuint(st->dsack_received, ==, 1);
	ack_sack(c, 5001, 6 * MS, 1, (uint32_t[]){ 1001, 2001 });
	g_assert_cmpuint(st->dsack_received, ==, 2);
	g_assert_cmpuint(st->sack_blocks_ignored, ==, 0);
	drain_count(c, 6 * MS);
	pk_tcp_conn_get_info(c, &info);
	g_assert_true(info.in_recovery);		/* undone at its end */
	g_assert_cmpuint(info.cwnd, ==, 7000);
	g_assert_cmpuint(st->dsack_undos, ==, 0);
	/* a D-SACK inside the second block is no new SACK information */
	ack_sack(c, 5001, 6 * MS, 2, (uint32_t[]){ 6001, 6501, 6001, 7001 });
	g_assert_cmpuint(st->dsack_received, ==, 3);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.sacked_bytes, ==, 1000);
	drain_count(c, 6 * MS);
	/* full ACK: recovery over, and the reduction undone */
	ack_sack(c, snd_hi, 7 * MS, 0, NULL);
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.in_recovery);
	g_assert_cmpuint(st->dsack_undos, ==, 1);
	g_assert_cmpuint(info.cwnd, ==, 10000);
	g_assert_cmpuint(info.ssthresh, ==, UINT32_MAX);
	g_assert_cmpuint(st->retransmits, ==, 1);
	teardown(c);
}

/* The D-SACK may come after the recovery ended: undone then. A recovery
 * with a retransmission never D-SACKed is not undone. */
static void test_dsack_undo_late(void)
{
	static uint8_t d[30000];
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish_sack(NULL);
	pk_tcp_conn_send(c, d, sizeof(d));
	snd_hi = 1001;
	g_assert_cmpuint(drain_count(c, 2 * MS), ==, 10);
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 5001 });	/* 3 SACKed: lost */
	g_assert_cmpuint(st->sack_recoveries, ==, 1);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);
	drain_count(c, 3 * MS);
	ack_sack(c, snd_hi, 4 * MS, 0, NULL);
	drain_count(c, 4 * MS);
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.in_recovery);
	g_assert_cmpuint(info.cwnd, <, 10000);
	ack_sack(c, snd_hi, 5 * MS, 1, (uint32_t[]){ 1001, 2001 });
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(st->dsack_undos, ==, 1);
	g_assert_cmpuint(info.cwnd, >=, 10000);
	/* once per episode: the same D-SACK again does nothing */
	ack_sack(c, snd_hi, 5 * MS, 1, (uint32_t[]){ 1001, 2001 });
	g_assert_cmpuint(st->dsack_undos, ==, 1);
	g_assert_cmpuint(st->dsack_received, ==, 2);
	teardown(c);
}

/* Adaptive DupThresh: a D-SACK shows the fast retransmission was spurious
 * (the original came after 5 segments), the reordering degree rises to 5,
 * and the next segment late by 4 segments starts no recovery; 5 SACKed
 * above a hole still do. A timeout resets the degree to 3. */
static void test_reordering_degree(void)
{
	static uint8_t d[60000];
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;
	uint32_t una, hi;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish_sack(NULL);
	pk_tcp_conn_send(c, d, sizeof(d));
	snd_hi = 1001;
	g_assert_cmpuint(drain_count(c, 2 * MS), ==, 10);	/* 1001 .. 11001 */
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.reordering, ==, 3);
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 5001 });	/* 3 SACKed: lost */
	g_assert_cmpuint(st->sack_recoveries, ==, 1);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);
	drain_count(c, 3 * MS);
	/* the original arrives late: a retransmitted hole filling says nothing */
	ack_sack(c, 6001, 4 * MS, 0, NULL);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.reordering, ==, 3);
	/* the retransmission is D-SACKed: 1001 arrived after 2001 .. 6001 */
	ack_sack(c, 6001, 5 * MS, 1, (uint32_t[]){ 1001, 2001 });
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.reordering, ==, 5);
	g_assert_cmpuint(st->reordering_raised, ==, 1);
	drain_count(c, 5 * MS);
	una = snd_hi;
	ack_sack(c, una, 6 * MS, 0, NULL);		/* recovery over, undone */
	g_assert_cmpuint(st->dsack_undos, ==, 1);
	drain_count(c, 6 * MS);

	/* the segment at SND.UNA is late by 4 segments: 4 SACKs, no recovery,
	 * only new data goes out (limited transmit beyond 2 segments) */
	g_assert_cmpuint(snd_hi - una, ==, 10000);
	hi = snd_hi;
	for (uint32_t k = 1; k <= 4; k++) {
		ack_sack(c, una, 8 * MS, 1, (uint32_t[]){ una + 1000, una + 1000 + k * 1000 });
		while (out(c, 8 * MS, &S)) {
			g_assert_cmphex(S.v.seq, ==, hi);	/* new data, no retransmission */
			hi += S.v.payload_len;
		}
	}
	g_assert_cmpuint(hi, >, snd_hi + 2 * 1000);
	snd_hi = hi;
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.in_recovery);
	g_assert_cmpuint(st->sack_recoveries, ==, 1);
	/* it arrives: reordering of 5 segments, the degree stays */
	ack_sack(c, una + 5000, 9 * MS, 0, NULL);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.reordering, ==, 5);
	g_assert_cmpuint(st->retransmits, ==, 1);
	drain_count(c, 9 * MS);

	/* a real loss: 5 segments SACKed above the hole start recovery */
	una += 5000;
	for (uint32_t k = 1; k <= 5; k++)
		ack_sack(c, una, 10 * MS, 1, (uint32_t[]){ una + 1000, una + 1000 + k * 1000 });
	g_assert_cmpuint(st->sack_recoveries, ==, 2);
	g_assert_true(out(c, 10 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, una);
	drain_count(c, 10 * MS);

	/* a timeout: back to 3 */
	pk_tcp_conn_timer(c, 2000 * MS);
	g_assert_cmpuint(st->timeouts, ==, 1);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.reordering, ==, 3);
	teardown(c);
}

/* RFC 6675 NextSeg() rule 4: with no new data, the tail above the highest
 * SACK block gets one rescue retransmission per recovery; rule 3 no longer
 * resends bytes above the highest SACKed one. */
static void test_sack_rescue(void)
{
	static uint8_t d[10000];
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn *c;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish_sack(NULL);
	snd_hi = 1001;
	pk_tcp_conn_send(c, d, sizeof(d));			/* all of it: 1001 .. 11001 */
	g_assert_cmpuint(drain_count(c, 2 * MS), ==, 10);
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 5001 });
	g_assert_cmpuint(st->sack_recoveries, ==, 1);
	g_assert_true(out(c, 3 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 1001);
	no_out(c, 3 * MS);					/* pipe 7000 = cwnd */
	/* one more SACKed: room for a segment, no new data, no hole below
	 * the highest SACK block: the rescue, ending at SND.MAX */
	ack_sack(c, 1001, 4 * MS, 1, (uint32_t[]){ 2001, 6001 });
	g_assert_true(out(c, 4 * MS, &S));
	g_assert_cmphex(S.v.seq, ==, 10001);
	g_assert_cmpuint(S.v.payload_len, ==, 1000);
	g_assert_true(S.v.flags & PK_TCP_PSH);
	no_out(c, 4 * MS);
	g_assert_cmpuint(st->sack_rescues, ==, 1);
	g_assert_cmpuint(st->sack_retransmits, ==, 1);
	/* once per recovery, though the window opens further */
	ack_sack(c, 1001, 5 * MS, 1, (uint32_t[]){ 2001, 8001 });
	no_out(c, 5 * MS);
	/* a partial ACK (HighACK not beyond RescueRxt): still no second one */
	ack_sack(c, 8001, 6 * MS, 0, NULL);
	no_out(c, 6 * MS);
	g_assert_cmpuint(st->sack_rescues, ==, 1);
	g_assert_cmpuint(st->retransmits, ==, 2);
	teardown(c);
}

static void test_sack_scoreboard_bound(void)
{
	static uint8_t d[80000];
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;
	uint64_t t = 2 * MS;

	setup();
	c = establish_sack(NULL);
	pk_tcp_conn_send(c, d, sizeof(d));
	/* grow the window: slow start, one ACK per segment */
	for (int r = 0; r < 20; r++) {
		drain_count(c, t);
		ack_sack(c, 1001 + (uint32_t)(sizeof(d) - pk_tcp_conn_send_pending(c)) + 1000, t,
			 0, NULL);
		t += MS;
	}
	drain_count(c, t);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.pipe, >=, 24000);
	/* 12 disjoint 100-byte blocks, 3 per ACK, most recent first */
	for (uint32_t k = 0; k < 12; k++) {
		uint32_t una = 1001 + (uint32_t)(sizeof(d) - pk_tcp_conn_send_pending(c));
		uint32_t l = una + 1000 + 2000 * k;

		ack_sack(c, una, t, 1, (uint32_t[]){ l, l + 100 });
		while (out(c, t, &S))
			;
	}
	pk_tcp_conn_get_info(c, &info);
	/* 8 ranges kept: the highest are forgotten */
	g_assert_cmpuint(info.sacked_bytes, ==, 800);
	g_assert_true(info.in_recovery);
	teardown(c);
}

static void test_newreno_without_sack(void)
{
	struct pk_tcp_config cfg = { .no_sack = true, .cc = PK_TCP_CC_NEWRENO };
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM, .mss = 1000 };
	uint32_t blk[2] = { 2001, 5001 };
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;
	static uint8_t d[10000];

	setup();
	c = establish(&cfg, 1000, PISS, &po, 65535);
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.sack);
	g_assert_cmpint(info.cc, ==, PK_TCP_CC_NEWRENO);
	pk_tcp_conn_send(c, d, sizeof(d));
	drain_count(c, 2 * MS);
	/* SACK blocks from a peer that was not allowed to send them: no effect */
	for (int i = 0; i < 3; i++) {
		struct pk_tcp_opts so = { .present = PK_TCP_HAS_SACK, .n_sack = 1 };

		so.sack[0] = (struct pk_tcp_sack_block){ blk[0], blk[1] };
		feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &so, NULL, 0, 3 * MS);
	}
	pk_tcp_conn_get_info(c, &info);
	g_assert_true(info.in_recovery);
	g_assert_cmpuint(info.sacked_bytes, ==, 0);
	g_assert_cmpuint(info.ssthresh, ==, 5000);	/* NewReno: flight / 2 */
	g_assert_cmpuint(info.cwnd, ==, 8000);		/* + 3 MSS */
	g_assert_cmpuint(pk_tcp_engine_stats(E)->sack_recoveries, ==, 0);
	teardown(c);
}

static void test_cubic(void)
{
	static uint8_t d[400000];
	struct pk_tcp_conn_info info;
	struct pk_tcp_conn *c;
	uint32_t una = 1001, prior, w;
	uint64_t t;

	setup();
	snd_hi = 0;
	c = establish_sack(NULL);
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpint(info.cc, ==, PK_TCP_CC_CUBIC);
	g_assert_cmpuint(info.cubic_wmax, ==, 0);
	pk_tcp_conn_send(c, d, sizeof(d));
	drain_count(c, 2 * MS);
	/* loss of 1001: ssthresh = 0.7 * 10000, W_max = 10000 */
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 3001 });
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 4001 });
	ack_sack(c, 1001, 3 * MS, 1, (uint32_t[]){ 2001, 5001 });
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.ssthresh, ==, 7000);
	g_assert_cmpuint(info.cubic_wmax, ==, 10000);
	drain_count(c, 3 * MS);		/* 1001 again; pipe = cwnd */
	una = 11001;
	ack_sack(c, una, 4 * MS, 0, NULL);
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.in_recovery);
	g_assert_cmpuint(info.cwnd, ==, 7000);
	/* Reno-friendly region: at once after the loss W_cubic = 7 segments,
	 * W_est grows by 3 (1 - b) / (1 + b) = 0.53 segment per window */
	t = 10 * MS;
	drain_count(c, t);
	for (int i = 0; i < 7; i++) {
		una += 1000;
		ack_sack(c, una, t, 0, NULL);
		drain_count(c, t);
	}
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cwnd, >, 7500);
	g_assert_cmpuint(info.cwnd, <, 7560);
	/* concave region: K = cbrt((10 - 7) / 0.4) = 1.957 s; around K the
	 * window approaches W_max and stays near it */
	t = 10 * MS + 1957 * MS;
	for (int i = 0; i < 20; i++) {
		una += 1000;
		ack_sack(c, una, t, 0, NULL);
		drain_count(c, t);
	}
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cwnd, >, 9400);
	g_assert_cmpuint(info.cwnd, <=, 10050);
	/* convex region: 3 s after K, W_cubic = 0.4 * 27 + 10 = 20.8 segments */
	t += 3000 * MS;
	for (int i = 0; i < 60; i++) {
		una += 1000;
		ack_sack(c, una, t, 0, NULL);
		drain_count(c, t);
	}
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cwnd, >, 15000);
	g_assert_cmpuint(info.cwnd, <=, 20900);
	/* a loss above W_max: W_max = the window */
	prior = MIN(info.cwnd, info.pipe);
	t += MS;
	for (uint32_t k = 1; k <= 3; k++)
		ack_sack(c, una, t, 1, (uint32_t[]){ una + 1000, una + 1000 + 1000 * k });
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cubic_wmax, ==, prior);
	g_assert_cmpuint(info.ssthresh, ==, (uint32_t)(prior * 0.7));
	/* recovery ends; a second loss below W_max: fast convergence,
	 * W_max = window * (1 + 0.7) / 2 */
	drain_count(c, t);
	una = snd_hi;
	t += MS;
	ack_sack(c, una, t, 0, NULL);
	drain_count(c, t);
	pk_tcp_conn_get_info(c, &info);
	g_assert_false(info.in_recovery);
	prior = MIN(info.cwnd, info.pipe);
	w = info.cubic_wmax;
	g_assert_cmpuint(prior, <, w);
	t += MS;
	for (uint32_t k = 1; k <= 3; k++)
		ack_sack(c, una, t, 1, (uint32_t[]){ una + 1000, una + 1000 + 1000 * k });
	pk_tcp_conn_get_info(c, &info);
	g_assert_cmpuint(info.cubic_wmax, ==, (uint32_t)(prior * 1.7 / 2));
	teardown(c);
}

static void test_keepalive(void)
{
	struct pk_tcp_config cfg = { .keepalive_idle_ns = 10000 * MS, .keepalive_intvl_ns = 1000 * MS,
				     .keepalive_count = 3 };
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn *c;
	uint64_t t;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish(&cfg, 1000, PISS, &mss1000, 65535);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 1 * MS + 10000 * MS);
	/* data received restarts the idle time */
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, NULL, "x", 1, 5000 * MS);
	while (out(c, 5000 * MS, &S))
		;
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 15000 * MS);
	pk_tcp_conn_timer(c, 15000 * MS);
	g_assert_true(out(c, 15000 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, 1000);	/* SND.NXT - 1 */
	g_assert_cmphex(S.v.ack, ==, PISS + 2);
	g_assert_cmpuint(S.v.payload_len, ==, 0);
	no_out(c, 15000 * MS);
	g_assert_cmpuint(st->keepalive_probes, ==, 1);
	/* answered: idle again */
	feed(c, PISS + 2, 1001, PK_TCP_ACK, 65535, NULL, NULL, 0, 15001 * MS);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 25001 * MS);
	/* unanswered: 3 probes 1 s apart, then RST and TIMEOUT */
	t = 25001 * MS;
	for (int i = 0; i < 3; i++) {
		pk_tcp_conn_timer(c, t);
		g_assert_true(out(c, t, &S));
		g_assert_cmphex(S.v.seq, ==, 1000);
		g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, t + 1000 * MS);
		t += 1000 * MS;
	}
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	pk_tcp_conn_timer(c, t);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_TIMEOUT);
	g_assert_true(out(c, t, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmpuint(st->keepalive_probes, ==, 4);
	g_assert_cmpuint(st->keepalive_timeouts, ==, 1);
	pk_tcp_conn_free(c);

	/* off by default; switched on later; no probes while data is in flight */
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, UINT64_MAX);
	pk_tcp_conn_set_keepalive(c, 2000 * MS, 0, 0);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 2001 * MS);
	pk_tcp_conn_send(c, "abc", 3);
	g_assert_true(out(c, 1500 * MS, &S));
	pk_tcp_conn_timer(c, 2001 * MS);
	g_assert_true(out(c, 2001 * MS, &S));	/* the RTO, not a probe */
	g_assert_cmpuint(S.v.payload_len, ==, 3);
	g_assert_cmpuint(st->keepalive_probes, ==, 4);
	pk_tcp_conn_set_keepalive(c, 0, 0, 0);
	feed(c, PISS + 1, 1004, PK_TCP_ACK, 65535, NULL, NULL, 0, 2002 * MS);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, UINT64_MAX);
	teardown(c);
}

/* Keepalive is armed when the handshake completes, whichever way: a
 * connection idle from its start is probed too. */
static void test_keepalive_handshake(void)
{
	struct pk_tcp_config cfg = { .keepalive_idle_ns = 10000 * MS,
				     .keepalive_intvl_ns = 1000 * MS,
				     .keepalive_count = 2 };
	const struct pk_tcp_stats *st;
	struct pk_tcp_endpoints rep;
	struct pk_tcp_listener *l;
	struct pk_tcp_conn *c;
	uint32_t iss;

	setup();
	st = pk_tcp_engine_stats(E);
	/* passive open: the ACK completing it arrives in SYN-RECEIVED */
	l = pk_tcp_listener_new(E, &cfg, false, EP.local_addr, EP.local_port);
	mkseg(&P, &EP, PISS, 0, PK_TCP_SYN, 65535, &mss1000, NULL, 0);
	c = pk_tcp_listener_input(l, EP.remote_addr, &P.v, 0);
	g_assert_nonnull(c);
	g_assert_true(out(c, 0, &S));
	iss = S.v.seq;
	feed(c, PISS + 1, iss + 1, PK_TCP_ACK, 65535, NULL, NULL, 0, 5 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	no_out(c, 5 * MS);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 10005 * MS);
	pk_tcp_conn_timer(c, 10005 * MS);
	g_assert_true(out(c, 10005 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK);
	g_assert_cmphex(S.v.seq, ==, iss); /* SND.NXT - 1 */
	g_assert_cmpuint(S.v.payload_len, ==, 0);
	g_assert_cmpuint(st->keepalive_probes, ==, 1);
	/* unanswered: one more probe, then RST and TIMEOUT */
	pk_tcp_conn_timer(c, 11005 * MS);
	g_assert_true(out(c, 11005 * MS, &S));
	pk_tcp_conn_timer(c, 12005 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(pk_tcp_conn_events(c) & PK_TCP_EV_TIMEOUT);
	g_assert_cmpuint(st->keepalive_timeouts, ==, 1);
	pk_tcp_conn_free(c);
	pk_tcp_listener_free(l);

	/* passive open completed from a SYN cookie */
	cfg.syncookies_always = true;
	l = pk_tcp_listener_new(E, &cfg, false, EP.local_addr, EP.local_port);
	mkseg(&P, &EP, PISS, 0, PK_TCP_SYN, 65535, &mss1000, NULL, 0);
	g_assert_null(pk_tcp_listener_input(l, EP.remote_addr, &P.v, 0));
	S.len = pk_tcp_listener_output(l, S.buf, sizeof(S.buf), &rep);
	g_assert_true(pk_tcp_parse(S.buf, S.len, &S.v));
	iss = S.v.seq;
	mkseg(&P, &EP, PISS + 1, iss + 1, PK_TCP_ACK, 65535, NULL, NULL, 0);
	c = pk_tcp_listener_input(l, EP.remote_addr, &P.v, 7 * MS);
	g_assert_nonnull(c);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 10007 * MS);
	pk_tcp_conn_free(c);
	pk_tcp_listener_free(l);
	cfg.syncookies_always = false;

	/* simultaneous open: established in SYN-RECEIVED as well */
	cfg.fixed_iss = true;
	cfg.iss = 500;
	c = pk_tcp_connect(E, &cfg, &EP, 0);
	g_assert_true(out(c, 0, &S));
	feed(c, PISS, 0, PK_TCP_SYN, 65535, &mss1000, NULL, 0, MS);
	g_assert_true(out(c, MS, &S));
	feed(c, PISS + 1, 501, PK_TCP_ACK, 65535, NULL, NULL, 0, 2 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	while (out(c, 2 * MS, &S))
		;
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 10002 * MS);
	pk_tcp_conn_free(c);

	/* active open: from the SYN-ACK */
	c = establish(&cfg, 1000, PISS, &mss1000, 65535);
	g_assert_cmpuint(pk_tcp_conn_deadline(c), ==, 10001 * MS);
	teardown(c);
}

/* Take the next output segment of @c made with TSO on: its checksum field
 * must hold the folded pseudo-header sum only; completed as a NIC or
 * pk_gso_segment() would, the checksum verifies. */
static bool out_partial(struct pk_tcp_conn *c, uint64_t now, struct seg *s)
{
	const struct pk_tcp_endpoints *ep = pk_tcp_conn_endpoints(c);
	uint32_t sum;

	s->len = pk_tcp_conn_output(c, now, s->buf, sizeof(s->buf));
	if (!s->len)
		return false;
	sum = ep->ipv6 ? pk_csum_pseudo6(ep->local_addr, ep->remote_addr, PK_IPPROTO_TCP, s->len)
		       : pk_csum_pseudo4(ep->local_addr, ep->remote_addr, PK_IPPROTO_TCP, s->len);
	g_assert_cmphex(pk_get_be16(s->buf + 16), ==, (uint16_t)~pk_csum_fold(sum));
	pk_put_be16(s->buf + 16, pk_csum_fold(pk_csum_partial(s->buf, s->len, 0)));
	g_assert_true(pk_tcp_csum_ok(ep->ipv6, ep->local_addr, ep->remote_addr, s->buf, s->len));
	g_assert_true(pk_tcp_parse(s->buf, s->len, &s->v));
	g_assert_true(pk_tcp_opts_parse(&s->v, &s->o));
	return true;
}

/* With TSO every segment of a connection carries a partial checksum: data,
 * ACKs, keepalive probes and the RSTs the engine queues itself. */
static void test_tso_csum(void)
{
	struct pk_tcp_config cfg = { .keepalive_idle_ns = 1000 * MS,
				     .keepalive_intvl_ns = 100 * MS,
				     .keepalive_count = 1 };
	static uint8_t data[8000];
	struct pk_tcp_conn *c;

	setup();
	c = establish(&cfg, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_set_tso(c, 60000);
	/* a super-segment of new data */
	g_assert_cmpint(pk_tcp_conn_send(c, data, sizeof(data)), ==, sizeof(data));
	g_assert_true(out_partial(c, 2 * MS, &S));
	g_assert_cmpuint(S.v.payload_len, >, pk_tcp_conn_mss(c));
	while (out_partial(c, 2 * MS, &S))
		;
	/* all acknowledged, then idle: a keepalive probe, then the RST */
	feed(c, PISS + 1, 1001 + sizeof(data), PK_TCP_ACK, 65535, NULL, NULL, 0, 3 * MS);
	while (out_partial(c, 3 * MS, &S))
		;
	pk_tcp_conn_timer(c, 1003 * MS);
	g_assert_true(out_partial(c, 1003 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_ACK);
	pk_tcp_conn_timer(c, 1103 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_CLOSED);
	g_assert_true(out_partial(c, 1103 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	pk_tcp_conn_free(c);

	/* pk_tcp_conn_abort(), IPv6 */
	ep_init(&EP, true);
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_set_tso(c, 60000);
	pk_tcp_conn_abort(c);
	g_assert_true(out_partial(c, 2 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	g_assert_cmphex(S.v.seq, ==, 1001);
	g_assert_false(out_partial(c, 2 * MS, &S));
	/* TSO off again: complete checksums, RSTs included */
	pk_tcp_conn_free(c);
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	pk_tcp_conn_set_tso(c, 60000);
	pk_tcp_conn_set_tso(c, 0);
	pk_tcp_conn_abort(c);
	g_assert_true(out(c, 2 * MS, &S));
	g_assert_cmphex(S.v.flags, ==, PK_TCP_RST);
	teardown(c);
}

static void test_quickack(void)
{
	struct pk_tcp_config cfg = { .rcvbuf = 4000 };
	struct pk_tcp_conn *c;
	uint8_t d[1000] = { 0 }, r[4000];
	uint32_t seq = PISS + 1;

	setup();
	/* small ring: rcvbuf / (2 MSS) = 2 quick ACKs */
	c = establish(&cfg, 1000, PISS, &mss1000, 65535);
	for (int i = 0; i < 2; i++) {
		feed(c, seq, 1001, PK_TCP_ACK, 65535, NULL, d, 100, 2 * MS);
		seq += 100;
		g_assert_true(out(c, 2 * MS, &S));
	}
	feed(c, seq, 1001, PK_TCP_ACK, 65535, NULL, d, 100, 2 * MS);
	seq += 100;
	no_out(c, 2 * MS);			/* delayed now */
	/* out of order, then the hole filled: quick ACKs again */
	feed(c, seq + 100, 1001, PK_TCP_ACK, 65535, NULL, d, 100, 3 * MS);
	g_assert_true(out(c, 3 * MS, &S));
	feed(c, seq, 1001, PK_TCP_ACK, 65535, NULL, d, 100, 3 * MS);
	g_assert_true(out(c, 3 * MS, &S));
	seq += 200;
	feed(c, seq, 1001, PK_TCP_ACK, 65535, NULL, d, 100, 4 * MS);
	g_assert_true(out(c, 4 * MS, &S));	/* the one after the fill too */
	seq += 100;
	feed(c, seq, 1001, PK_TCP_ACK, 65535, NULL, d, 100, 5 * MS);
	no_out(c, 5 * MS);
	/* fill the ring (window 0), then read: a big window update goes at
	 * once, the delayed ACK does not wait */
	feed(c, seq + 100, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 6 * MS);
	while (out(c, 6 * MS, &S))
		;
	feed(c, seq + 1100, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 6 * MS);
	while (out(c, 6 * MS, &S))
		;
	feed(c, seq + 2100, 1001, PK_TCP_ACK, 65535, NULL, d, 1000, 7 * MS);
	no_out(c, 7 * MS);
	pk_tcp_conn_timer(c, 47 * MS);
	g_assert_true(out(c, 47 * MS, &S));
	g_assert_cmpuint(S.v.window, ==, 300);
	g_assert_cmpuint(pk_tcp_conn_recv(c, r, sizeof(r)), ==, 3700);
	g_assert_true(out(c, 48 * MS, &S));
	g_assert_cmpuint(S.v.window, ==, 4000);
	teardown(c);
}

static void test_pmtu(void)
{
	static uint8_t d[10000];
	const struct pk_tcp_stats *st;
	struct pk_tcp_conn *c;
	struct pk_tcp_endpoints ep6;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish(NULL, 1000, PISS, &(struct pk_tcp_opts){ .present = PK_TCP_HAS_MSS, .mss = 1460 },
		      65535);
	pk_tcp_conn_send(c, d, 5000);
	g_assert_cmpuint(drain_count(c, 2 * MS), ==, 3);	/* 3 x 1460; Nagle holds 620 */
	/* ICMP validation: the quoted sequence number must be in flight */
	g_assert_true(pk_tcp_conn_icmp_seq_ok(c, 1001));
	g_assert_true(pk_tcp_conn_icmp_seq_ok(c, 5380));
	g_assert_false(pk_tcp_conn_icmp_seq_ok(c, 5381));
	g_assert_false(pk_tcp_conn_icmp_seq_ok(c, 1000));
	g_assert_false(pk_tcp_conn_icmp_seq_ok(c, 1001 + 0x80000000u));
	/* not lower: ignored */
	pk_tcp_conn_set_path_mtu(c, 1500, 3 * MS);
	pk_tcp_conn_set_path_mtu(c, 9000, 3 * MS);
	g_assert_cmpuint(st->pmtu_updates, ==, 0);
	no_out(c, 3 * MS);
	/* 1400: MSS 1360, everything in flight again in new segments */
	pk_tcp_conn_set_path_mtu(c, 1400, 3 * MS);
	g_assert_cmpuint(pk_tcp_conn_mss(c), ==, 1360);
	g_assert_cmpuint(st->pmtu_updates, ==, 1);
	for (uint32_t off = 0; off < 5000;) {
		g_assert_true(out(c, 3 * MS, &S));
		g_assert_cmphex(S.v.seq, ==, 1001 + off);
		g_assert_cmpuint(S.v.payload_len, ==, MIN(1360u, 5000 - off));
		off += S.v.payload_len;
	}
	no_out(c, 3 * MS);
	/* absurd values: the floor is a 68-byte link MTU */
	pk_tcp_conn_set_path_mtu(c, 10, 4 * MS);
	g_assert_cmpuint(pk_tcp_conn_mss(c), ==, 28);
	feed(c, PISS + 1, 6001, PK_TCP_ACK, 65535, NULL, NULL, 0, 5 * MS);
	g_assert_cmpuint(pk_tcp_conn_send_pending(c), ==, 0);
	pk_tcp_conn_free(c);
	/* IPv6: never below 1280 */
	ep_init(&ep6, true);
	EP = ep6;
	c = establish(NULL, 1000, PISS, &(struct pk_tcp_opts){ .present = PK_TCP_HAS_MSS, .mss = 1440 },
		      65535);
	pk_tcp_conn_set_path_mtu(c, 1000, 6 * MS);
	g_assert_cmpuint(pk_tcp_conn_mss(c), ==, 1220);
	teardown(c);
}

static void test_paws_idle(void)
{
	struct pk_tcp_opts po = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_TIMESTAMP, .mss = 1000,
				  .ts_val = 0x70000000u };
	const uint64_t day = 24ull * 3600 * 1000 * MS;
	struct pk_tcp_conn *c;

	setup();
	c = establish(NULL, 1000, PISS, &po, 65535);
	po.present = PK_TCP_HAS_TIMESTAMP;
	/* the peer's clock wrapped (or it rebooted its TS clock) while idle */
	po.ts_val = 5;
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, "a", 1, 23 * day);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 0);	/* PAWS */
	feed(c, PISS + 1, 1001, PK_TCP_ACK, 65535, &po, "a", 1, 24 * day + 2 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 1);	/* TS.Recent void */
	g_assert_cmpuint(pk_tcp_engine_stats(E)->paws_idle_expired, ==, 1);
	/* and TS.Recent is the new value */
	while (out(c, 24 * day + 2 * MS, &S))
		g_assert_cmphex(S.o.ts_ecr, ==, 5);
	po.ts_val = 4;
	feed(c, PISS + 2, 1001, PK_TCP_ACK, 65535, &po, "b", 1, 24 * day + 3 * MS);
	g_assert_cmpuint(pk_tcp_conn_recv_available(c), ==, 1);
	teardown(c);
}

static void test_challenge_budget(void)
{
	uint64_t seen = 0, prev = 0;
	uint32_t lo = UINT32_MAX, hi = 0;
	struct pk_tcp_conn *c;
	const struct pk_tcp_stats *st;

	setup();
	st = pk_tcp_engine_stats(E);
	c = establish(NULL, 1000, PISS, &mss1000, 65535);
	/* 20 one-second windows of 100 in-window RSTs each (limit 10) */
	for (uint64_t w = 0; w < 20; w++) {
		uint32_t n;

		for (int i = 0; i < 100; i++) {
			feed(c, PISS + 2 + (uint32_t)i, 0, PK_TCP_RST, 0, NULL, NULL, 0,
			     (10 + 1001 * w) * MS);
			while (out(c, (10 + 1001 * w) * MS, &S))
				;
		}
		n = (uint32_t)(st->challenge_acks - prev);
		prev = st->challenge_acks;
		g_assert_cmpuint(n, >=, 5);
		g_assert_cmpuint(n, <, 15);
		lo = MIN(lo, n);
		hi = MAX(hi, n);
		seen++;
	}
	g_assert_cmpuint(lo, <, hi);	/* it varies */
	g_assert_cmpint(pk_tcp_conn_state(c), ==, PK_TCP_ESTABLISHED);
	teardown(c);
}

static void test_memory(void)
{
	/* per-connection object size, rings excluded (the rings are
	 * sndbuf + rcvbuf, 256 KiB each by default) */
	g_assert_cmpuint(pk_tcp_conn_sizeof(), <, 1024);
	if (g_test_verbose())
		g_printerr("struct pk_tcp_conn: %zu bytes\n", pk_tcp_conn_sizeof());
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tcp/engine/active-open", test_active_open);
	g_test_add_func("/tcp/engine/passive-open", test_passive_open);
	g_test_add_func("/tcp/engine/data-delack-nagle", test_data_delack);
	g_test_add_func("/tcp/engine/out-of-order-sack", test_out_of_order_sack);
	g_test_add_func("/tcp/engine/dsack-receiver", test_dsack_receiver);
	g_test_add_func("/tcp/engine/fin-after-data-same-seq", test_fin_after_data_same_seq);
	g_test_add_func("/tcp/engine/passive-close", test_passive_close);
	g_test_add_func("/tcp/engine/simultaneous", test_simultaneous);
	g_test_add_func("/tcp/engine/rfc5961", test_rfc5961);
	g_test_add_func("/tcp/engine/syn-sent-rst", test_syn_sent_rst);
	g_test_add_func("/tcp/engine/syn-backoff-timeout", test_syn_backoff_timeout);
	g_test_add_func("/tcp/engine/rto-karn", test_rto_data);
	g_test_add_func("/tcp/engine/fast-retransmit", test_fast_retransmit);
	g_test_add_func("/tcp/engine/zero-window-probe", test_zero_window_probe);
	g_test_add_func("/tcp/engine/zero-window-no-dupacks", test_zero_window_no_dupacks);
	g_test_add_func("/tcp/engine/syn-backoff-rto-reset", test_syn_backoff_rto_reset);
	g_test_add_func("/tcp/engine/cwnd-app-limited", test_cwnd_app_limited);
	g_test_add_func("/tcp/engine/wraparound", test_wraparound);
	g_test_add_func("/tcp/engine/paws", test_paws);
	g_test_add_func("/tcp/engine/paws-disordered-ack", test_paws_disordered_ack);
	g_test_add_func("/tcp/engine/bad-input", test_bad_input);
	g_test_add_func("/tcp/engine/reply-rst", test_reply_rst);
	g_test_add_func("/tcp/engine/sack-recovery", test_sack_recovery);
	g_test_add_func("/tcp/engine/dsack-undo", test_dsack_undo);
	g_test_add_func("/tcp/engine/dsack-undo-late", test_dsack_undo_late);
	g_test_add_func("/tcp/engine/sack-rescue", test_sack_rescue);
	g_test_add_func("/tcp/engine/reordering-degree", test_reordering_degree);
	g_test_add_func("/tcp/engine/sack-scoreboard-bound", test_sack_scoreboard_bound);
	g_test_add_func("/tcp/engine/newreno-without-sack", test_newreno_without_sack);
	g_test_add_func("/tcp/engine/cubic", test_cubic);
	g_test_add_func("/tcp/engine/keepalive", test_keepalive);
	g_test_add_func("/tcp/engine/keepalive-handshake", test_keepalive_handshake);
	g_test_add_func("/tcp/engine/tso-csum", test_tso_csum);
	g_test_add_func("/tcp/engine/quickack", test_quickack);
	g_test_add_func("/tcp/engine/pmtu", test_pmtu);
	g_test_add_func("/tcp/engine/paws-idle", test_paws_idle);
	g_test_add_func("/tcp/engine/challenge-budget", test_challenge_budget);
	g_test_add_func("/tcp/engine/memory", test_memory);
	return g_test_run();
}
