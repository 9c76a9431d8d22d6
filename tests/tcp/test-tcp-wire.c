/* SPDX-License-Identifier: MIT
 * test-tcp-wire.c - Two engines back to back over a seeded lossy, reordering link
 */
#include "tcp-test-util.h"

#define LINK_MAX 4096

struct pkt {
	uint64_t at;
	uint32_t len;
	int to;		/* 0: a, 1: b */
	uint8_t data[1600];
};

struct link {
	struct pkt *q;
	uint32_t n;
	GRand *rnd;
	double loss, reorder;
	uint64_t delay;
	uint64_t sent, lost;
	uint32_t mtu;		/* IP packets above it are refused (0: none) */
	uint32_t ip_hlen;
	uint64_t too_big;
};

/* false: too big for the link (the sender gets an ICMP error) */
static bool link_send(struct link *l, int to, const uint8_t *p, uint32_t len, uint64_t now)
{
	struct pkt *k;

	if (l->mtu && len + l->ip_hlen > l->mtu) {
		l->too_big++;
		return false;
	}
	l->sent++;
	if (g_rand_double(l->rnd) < l->loss) {
		l->lost++;
		return true;
	}
	g_assert_cmpuint(l->n, <, LINK_MAX);
	g_assert_cmpuint(len, <=, sizeof(k->data));
	k = &l->q[l->n++];
	k->to = to;
	k->len = len;
	k->at = now + l->delay;
	if (g_rand_double(l->rnd) < l->reorder)
		k->at += l->delay / 2 + g_rand_int_range(l->rnd, 0, (int)(l->delay));
	memcpy(k->data, p, len);
	return true;
}

/* Options of a transfer: both ends' config, and a path MTU that the link
 * enforces from the moment half the data has been written. */
struct xfer_opts {
	struct pk_tcp_config cfg;
	uint32_t pmtu;
	uint64_t *retransmits;	/* if set: the engine's count, returned */
	uint64_t *dsack_undos;
};

static void run_transfer_opts(bool v6, double loss, double reorder, uint32_t seed, size_t total,
			      const struct xfer_opts *xo)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_endpoints ep_a, ep_b;
	struct pk_tcp_conn *c[2];
	struct pk_tcp_listener *lis;
	struct link l = { 0 };
	uint8_t *src[2], *dst[2];
	size_t sent[2] = { 0 }, rcvd[2] = { 0 };
	bool shut[2] = { false }, eof[2] = { false };
	uint64_t now = 0;
	uint8_t buf[1600];
	int iter = 0;

	l.q = g_new0(struct pkt, LINK_MAX);
	l.rnd = g_rand_new_with_seed(seed);
	l.loss = loss;
	l.reorder = reorder;
	l.delay = 1 * MS;
	ep_init(&ep_a, v6);
	ep_b = ep_a;
	memcpy(ep_b.local_addr, ep_a.remote_addr, 16);
	memcpy(ep_b.remote_addr, ep_a.local_addr, 16);
	ep_b.local_port = ep_a.remote_port;
	ep_b.remote_port = ep_a.local_port;
	for (int i = 0; i < 2; i++) {
		GRand *r = g_rand_new_with_seed(seed + 100 + i);

		src[i] = g_malloc(total);
		dst[i] = g_malloc(total);
		for (size_t k = 0; k < total; k++)
			src[i][k] = (uint8_t)g_rand_int(r);
		g_rand_free(r);
	}
	l.ip_hlen = v6 ? 40 : 20;
	c[0] = pk_tcp_connect(e, xo ? &xo->cfg : NULL, &ep_a, now);
	c[1] = NULL;
	lis = pk_tcp_listener_new(e, xo ? &xo->cfg : NULL, v6, ep_b.local_addr, ep_b.local_port);

	while (!(eof[0] && eof[1] && c[1] && pk_tcp_conn_state(c[0]) == PK_TCP_CLOSED &&
		 pk_tcp_conn_state(c[1]) == PK_TCP_CLOSED)) {
		uint64_t next = UINT64_MAX;

		g_assert_cmpint(++iter, <, 5000000);
		/* application: write, read, shut down */
		for (int i = 0; i < 2; i++) {
			size_t n;

			if (!c[i])
				continue;
			if (sent[i] < total && pk_tcp_conn_state(c[i]) >= PK_TCP_ESTABLISHED) {
				int64_t w = pk_tcp_conn_send(c[i], src[i] + sent[i], total - sent[i]);

				g_assert_cmpint(w, >=, 0);
				sent[i] += (size_t)w;
			}
			if (xo && xo->pmtu && !l.mtu && sent[0] >= total / 2)
				l.mtu = xo->pmtu;
			if (sent[i] == total && !shut[i]) {
				pk_tcp_conn_shutdown(c[i]);
				shut[i] = true;
			}
			while ((n = pk_tcp_conn_recv(c[i], dst[i] + rcvd[i], total + 1 - rcvd[i])) > 0) {
				rcvd[i] += n;
				g_assert_cmpuint(rcvd[i], <=, total);
			}
			if (pk_tcp_conn_peer_closed(c[i]))
				eof[i] = true;
			pk_tcp_conn_timer(c[i], now);
			g_assert_false(pk_tcp_conn_events(c[i]) & (PK_TCP_EV_RESET | PK_TCP_EV_TIMEOUT));
			for (uint32_t len; (len = pk_tcp_conn_output(c[i], now, buf, sizeof(buf))) > 0;) {
				const struct pk_tcp_endpoints *ep = pk_tcp_conn_endpoints(c[i]);

				g_assert_true(pk_tcp_csum_ok(v6, ep->local_addr, ep->remote_addr, buf, len));
				if (!link_send(&l, !i, buf, len, now)) {
					/* the ICMP error quotes the segment: validate, apply */
					g_assert_true(pk_tcp_conn_icmp_seq_ok(c[i], pk_get_be32(buf + 4)));
					pk_tcp_conn_set_path_mtu(c[i], l.mtu, now);
				}
			}
			next = MIN(next, pk_tcp_conn_deadline(c[i]));
		}
		/* deliver what is due */
		for (uint32_t k = 0; k < l.n;) {
			struct pkt *p = &l.q[k];
			struct pk_tcp_view v;

			if (p->at > now) {
				next = MIN(next, p->at);
				k++;
				continue;
			}
			g_assert_true(pk_tcp_parse(p->data, p->len, &v));
			if (p->to == 1 && !c[1]) {
				c[1] = pk_tcp_listener_input(lis, ep_a.local_addr, &v, now);
			} else if (c[p->to]) {
				pk_tcp_conn_input(c[p->to], &v, now);
			}
			l.q[k] = l.q[--l.n];
			next = now;
		}
		if (next == UINT64_MAX) {
			for (int i = 0; i < 2; i++)
				if (c[i])
					g_printerr("stalled: %d ev %x %s sent %zu rcvd %zu pending %zu\n", i, pk_tcp_conn_events(c[i]),
						   pk_tcp_state_name(pk_tcp_conn_state(c[i])), sent[i], rcvd[i],
						   pk_tcp_conn_send_pending(c[i]));
			break;
		}
		if (next > now)
			now = next;
	}
	for (int i = 0; i < 2; i++) {
		g_assert_cmpuint(rcvd[i], ==, total);
		g_assert_true(memcmp(src[!i], dst[i], total) == 0);
	}
	{
		const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
		struct pk_tcp_conn_info info;

		pk_tcp_conn_get_info(c[0], &info);
		g_assert_cmpint(info.cc, ==, xo ? xo->cfg.cc : PK_TCP_CC_CUBIC);
		if (info.sack && loss > 0)
			g_assert_cmpuint(st->sack_recoveries, >, 0);
		if (!info.sack)
			g_assert_cmpuint(st->sack_recoveries, ==, 0);
		if (xo && xo->pmtu) {
			g_assert_cmpuint(l.too_big, >, 0);
			g_assert_cmpuint(st->pmtu_updates, >=, 1);
			g_assert_cmpuint(info.mss + (info.timestamps ? 12 : 0) + l.ip_hlen + 20, <=,
					 xo->pmtu);
		}
		if (xo && xo->retransmits)
			*xo->retransmits = st->retransmits;
		if (xo && xo->dsack_undos)
			*xo->dsack_undos = st->dsack_undos;
		if (g_test_verbose())
			g_printerr("loss %.2f reorder %.2f: %.3f s virtual, %" G_GUINT64_FORMAT " pkts, %"
				   G_GUINT64_FORMAT " lost, %" G_GUINT64_FORMAT " rtx, %"
				   G_GUINT64_FORMAT " fast rtx, %" G_GUINT64_FORMAT " sack rec, %"
				   G_GUINT64_FORMAT " timeouts, %" G_GUINT64_FORMAT " dsack, %"
				   G_GUINT64_FORMAT " undos, %" G_GUINT64_FORMAT
				   " reordering raised (now %u); mss %u ws %u ts %d sack %d cc %d\n",
				   loss, reorder, now / 1e9, l.sent, l.lost, st->retransmits,
				   st->fast_retransmits, st->sack_recoveries, st->timeouts,
				   st->dsack_received, st->dsack_undos, st->reordering_raised,
				   info.reordering, info.mss,
				   info.rcv_wscale, info.timestamps, info.sack, info.cc);
	}
	for (int i = 0; i < 2; i++) {
		pk_tcp_conn_free(c[i]);
		g_free(src[i]);
		g_free(dst[i]);
	}
	pk_tcp_listener_free(lis);
	pk_tcp_engine_free(e);
	g_rand_free(l.rnd);
	g_free(l.q);
}

static void run_transfer(bool v6, double loss, double reorder, uint32_t seed, size_t total)
{
	run_transfer_opts(v6, loss, reorder, seed, total, NULL);
}

static void test_clean(void)
{
	run_transfer(false, 0, 0, 1, 1 << 20);
}

static void test_lossy_v4(void)
{
	run_transfer(false, 0.01, 0.02, 7, 1 << 20);
}

static void test_lossy_v6(void)
{
	run_transfer(true, 0.01, 0.02, 42, 1 << 20);
}

static void test_very_lossy(void)
{
	run_transfer(false, 0.05, 0.1, 3, 256 << 10);
}

static void test_newreno_sack(void)
{
	struct xfer_opts xo = { .cfg = { .cc = PK_TCP_CC_NEWRENO } };

	run_transfer_opts(false, 0.02, 0.02, 11, 1 << 20, &xo);
}

static void test_cubic_no_sack(void)
{
	struct xfer_opts xo = { .cfg = { .no_sack = true } };

	run_transfer_opts(false, 0.02, 0.02, 12, 1 << 20, &xo);
}

static void test_newreno_no_sack(void)
{
	struct xfer_opts xo = { .cfg = { .no_sack = true, .cc = PK_TCP_CC_NEWRENO } };

	run_transfer_opts(true, 0.02, 0.02, 13, 1 << 20, &xo);
}

static void test_pmtu_v4(void)
{
	struct xfer_opts xo = { .pmtu = 1280 };

	run_transfer_opts(false, 0.01, 0.02, 14, 1 << 20, &xo);
}

static void test_pmtu_v6(void)
{
	struct xfer_opts xo = { .pmtu = 1280, .cfg = { .no_timestamps = true } };

	run_transfer_opts(true, 0.01, 0.02, 15, 1 << 20, &xo);
}

/* Reordering without loss: every retransmission is spurious. The receiver
 * D-SACKs them and the sender undoes the reductions, so the window stays
 * large and the transfer is not slowed down by phantom losses; and it
 * raises its duplicate-ACK threshold to the reordering it saw, so most
 * reorderings start no recovery at all (353 spurious retransmissions in
 * these five runs with a fixed threshold of 3, 82 with the adaptive one). */
static void test_reorder(void)
{
	uint64_t rtx = 0, undos = 0, total_rtx = 0, total_undos = 0;

	for (uint32_t seed = 20; seed < 25; seed++) {
		struct xfer_opts xo = { .retransmits = &rtx, .dsack_undos = &undos };

		run_transfer_opts(false, 0, 0.05, seed, 1 << 20, &xo);
		total_rtx += rtx;
		total_undos += undos;
	}
	if (g_test_verbose())
		g_printerr("reorder 5%%, 5 x 1 MiB: %" G_GUINT64_FORMAT " spurious retransmissions, %"
			   G_GUINT64_FORMAT " undos\n", total_rtx, total_undos);
	g_assert_cmpuint(total_rtx, >, 0);	/* the reordering is deep enough */
	g_assert_cmpuint(total_rtx, <, 353 / 2);
	g_assert_cmpuint(total_undos, >, 0);
}

/* An idle connection with keepalive: probes are answered for a while, then
 * the link dies and the prober gives up. */
static void test_keepalive(void)
{
	struct pk_tcp_engine *e = pk_tcp_engine_new(secret, 0);
	struct pk_tcp_config cfg = { .keepalive_idle_ns = 200 * MS, .keepalive_intvl_ns = 50 * MS,
				     .keepalive_count = 3 };
	struct pk_tcp_endpoints ep_a, ep_b;
	struct pk_tcp_listener *lis;
	struct pk_tcp_conn *c[2] = { NULL, NULL };
	struct link l = { 0 };
	uint64_t now = 0, dead_at = 0;
	uint8_t buf[1600];
	bool timed_out = false;

	l.q = g_new0(struct pkt, LINK_MAX);
	l.rnd = g_rand_new_with_seed(5);
	l.delay = 1 * MS;
	ep_init(&ep_a, false);
	ep_b = ep_a;
	memcpy(ep_b.local_addr, ep_a.remote_addr, 16);
	memcpy(ep_b.remote_addr, ep_a.local_addr, 16);
	ep_b.local_port = ep_a.remote_port;
	ep_b.remote_port = ep_a.local_port;
	c[0] = pk_tcp_connect(e, &cfg, &ep_a, now);
	lis = pk_tcp_listener_new(e, NULL, false, ep_b.local_addr, ep_b.local_port);
	while (!timed_out) {
		uint64_t next = UINT64_MAX;

		g_assert_cmpuint(now, <, 10000 * MS);
		if (!dead_at && now >= 2000 * MS) {
			dead_at = now;
			l.loss = 1.0;	/* the peer vanishes */
		}
		for (int i = 0; i < 2; i++) {
			uint32_t ev, len;

			if (!c[i])
				continue;
			pk_tcp_conn_timer(c[i], now);
			ev = pk_tcp_conn_events(c[i]);
			if (ev & PK_TCP_EV_TIMEOUT) {
				g_assert_cmpint(i, ==, 0);
				timed_out = true;
			}
			while ((len = pk_tcp_conn_output(c[i], now, buf, sizeof(buf))) > 0)
				link_send(&l, !i, buf, len, now);
			next = MIN(next, pk_tcp_conn_deadline(c[i]));
		}
		for (uint32_t k = 0; k < l.n;) {
			struct pkt *p = &l.q[k];
			struct pk_tcp_view v;

			if (p->at > now) {
				next = MIN(next, p->at);
				k++;
				continue;
			}
			g_assert_true(pk_tcp_parse(p->data, p->len, &v));
			if (p->to == 1 && !c[1])
				c[1] = pk_tcp_listener_input(lis, ep_a.local_addr, &v, now);
			else if (c[p->to])
				pk_tcp_conn_input(c[p->to], &v, now);
			l.q[k] = l.q[--l.n];
			next = now;
		}
		if (!timed_out) {
			g_assert_cmpuint(next, !=, UINT64_MAX);
			now = MAX(now, next);
		}
	}
	/* ~ 9 answered probes while alive; then 3 unanswered and the abort
	 * one interval after the last: at most idle + 4 intervals later */
	g_assert_cmpuint(pk_tcp_engine_stats(e)->keepalive_probes, >=, 3 + 8);
	g_assert_cmpuint(pk_tcp_engine_stats(e)->keepalive_timeouts, ==, 1);
	g_assert_cmpuint(now - dead_at, <=, 200 * MS + 4 * 50 * MS);
	g_assert_cmpint(pk_tcp_conn_state(c[0]), ==, PK_TCP_CLOSED);
	g_assert_cmpint(pk_tcp_conn_state(c[1]), ==, PK_TCP_ESTABLISHED);
	pk_tcp_conn_free(c[0]);
	pk_tcp_conn_free(c[1]);
	pk_tcp_listener_free(lis);
	pk_tcp_engine_free(e);
	g_rand_free(l.rnd);
	g_free(l.q);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tcp/wire/clean-1M", test_clean);
	g_test_add_func("/tcp/wire/lossy-1M-v4", test_lossy_v4);
	g_test_add_func("/tcp/wire/lossy-1M-v6", test_lossy_v6);
	g_test_add_func("/tcp/wire/very-lossy", test_very_lossy);
	g_test_add_func("/tcp/wire/newreno-sack", test_newreno_sack);
	g_test_add_func("/tcp/wire/cubic-no-sack", test_cubic_no_sack);
	g_test_add_func("/tcp/wire/newreno-no-sack-v6", test_newreno_no_sack);
	g_test_add_func("/tcp/wire/pmtu-v4", test_pmtu_v4);
	g_test_add_func("/tcp/wire/pmtu-v6", test_pmtu_v6);
	g_test_add_func("/tcp/wire/reorder", test_reorder);
	g_test_add_func("/tcp/wire/keepalive", test_keepalive);
	return g_test_run();
}
