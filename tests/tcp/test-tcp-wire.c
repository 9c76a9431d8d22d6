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
};

static void link_send(struct link *l, int to, const uint8_t *p, uint32_t len, uint64_t now)
{
	struct pkt *k;

	l->sent++;
	if (g_rand_double(l->rnd) < l->loss) {
		l->lost++;
		return;
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
}

static void run_transfer(bool v6, double loss, double reorder, uint32_t seed, size_t total)
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
	c[0] = pk_tcp_connect(e, NULL, &ep_a, now);
	c[1] = NULL;
	lis = pk_tcp_listener_new(e, NULL, v6, ep_b.local_addr, ep_b.local_port);

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
				link_send(&l, !i, buf, len, now);
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
	if (g_test_verbose()) {
		const struct pk_tcp_stats *st = pk_tcp_engine_stats(e);
		struct pk_tcp_conn_info info;

		pk_tcp_conn_get_info(c[0], &info);
		g_printerr("loss %.2f: %.3f s virtual, %" G_GUINT64_FORMAT " pkts, %" G_GUINT64_FORMAT
			   " lost, %" G_GUINT64_FORMAT " rtx, %" G_GUINT64_FORMAT " fast rtx, %"
			   G_GUINT64_FORMAT " timeouts; mss %u ws %u ts %d sack %d\n",
			   loss, now / 1e9, l.sent, l.lost, st->retransmits, st->fast_retransmits,
			   st->timeouts, info.mss, info.rcv_wscale, info.timestamps, info.sack);
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

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tcp/wire/clean-1M", test_clean);
	g_test_add_func("/tcp/wire/lossy-1M-v4", test_lossy_v4);
	g_test_add_func("/tcp/wire/lossy-1M-v6", test_lossy_v6);
	g_test_add_func("/tcp/wire/very-lossy", test_very_lossy);
	return g_test_run();
}
