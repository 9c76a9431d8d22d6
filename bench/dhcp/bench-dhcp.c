// SPDX-License-Identifier: MIT
/* bench-dhcp.c - Micro benchmark of svc.dhcp-server: DISCOVER->OFFER and REQUEST->ACK, ns/message, allocations
 *
 * Graph: core.pipe-l2 "cl" (capacity 0) -- "eth" [svc.dhcp-server "dut"], fake
 * clock. Client frames, built with pktkit/toolkit/dhcp.h (pk_dhcp_build_*, then
 * pk_dhcp_frame_build), are injected into "cl" with pk_pipe_inject_batch();
 * the server's replies come back to "cl", which only counts them. The server
 * only reads its input, so the injected buffers are reused as they are.
 *
 * Steady state: a rotating set of client MACs (1024 by default), all of them
 * given an address before timing, so the timed messages find their table
 * entry and allocate nothing. Rows:
 *   - DISCOVER->OFFER from one client, and from the rotating clients (each
 *     holds an offer; the server renews it and answers);
 *   - REQUEST->ACK (selecting: server id + requested address) from the
 *     rotating clients (bound: the lease is extended and acknowledged);
 *   - new client: a DISCOVER from a MAC the server does not know, then its
 *     RELEASE, so the table size stays the same: the cost of creating and
 *     removing a table entry, and of choosing a free address with the
 *     rotating clients' leases held;
 *   - the same DISCOVER/REQUEST rows at other max-leases values: the table
 *     size must not change the per-message cost (the device used to walk
 *     the whole table per batch for a leases-bound gauge; the count is now
 *     status, computed only when read).
 *
 * Before timing, one DISCOVER and one REQUEST go through a capturing graph
 * and the OFFER and ACK are parsed and checked (type, address). Around each
 * timed case the server's counters must show exactly one OFFER/ACK per
 * message and no NAK, drop, exhaustion or full table; a failed check aborts.
 *
 * Usage: bench-dhcp [messages per case [filter [clients]]]; filter selects the
 * cases whose "name/batch" contains it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/dhcp.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "bench-util.h"

/* Server and clients -------------------------------------------------------- */

#define BD_SERVER_IP 0x0a000001u	/* 10.0.0.1 */
#define BD_RANGE_START 0x0a00000au	/* 10.0.0.10: client i is given range-start + i */
static const uint8_t bd_server_mac[6] = { 0x02, 0xdd, 0xcc, 0x00, 0x00, 0x01 };

#define BD_PARAMS_FMT                                                                    \
	"{\"server-ip\": \"10.0.0.1\", \"subnet\": \"10.0.0.0/16\", "                     \
	"\"range-start\": \"10.0.0.10\", \"range-end\": \"10.0.255.250\", "              \
	"\"router\": \"10.0.0.1\", \"dns\": [{\"address\": \"10.0.0.1\"}, "              \
	"{\"address\": \"192.0.2.53\"}], \"domain\": \"bench.test\", \"max-leases\": %u, "  \
	"\"new-lease-burst\": 65536}"	/* every client's first REQUEST is a new lease */

static struct pk_registry *bd_reg;

struct bd_server {
	struct pk_graph *g;
	struct pk_dev *dut, *cl;
	uint32_t max_leases;
};

static void bd_server_new(struct bd_server *s, uint32_t max_leases, uint32_t capacity)
{
	g_autofree char *params = g_strdup_printf(BD_PARAMS_FMT, max_leases);
	g_autofree char *pipe = g_strdup_printf("{\"capacity\": %u}", capacity);
	GError *error = NULL;

	s->max_leases = max_leases;
	s->g = bench_graph_new(bd_reg);
	s->dut = bench_device(s->g, "dut", "svc.dhcp-server", params);
	s->cl = bench_device(s->g, "cl", "core.pipe-l2", pipe);
	if (!pk_graph_link(s->g, "cl", "dut.eth", &error) || !pk_graph_start(s->g, &error))
		g_error("%s", error->message);
}

/* Client @i of set @set (0: the rotating clients, 1: the "new" ones). */
static struct pk_mac bd_client_mac(unsigned int set, unsigned int i)
{
	struct pk_mac m = { { 0x52, 0x54, (uint8_t)set, 0x00, (uint8_t)(i >> 8), (uint8_t)i } };

	return m;
}

static struct pk_ip4 bd_ip4(uint32_t a)
{
	struct pk_ip4 r;

	pk_put_be32(r.b, a);
	return r;
}

/*
 * A client message as a frame in a fresh buffer, like a Linux client sends
 * it: parameter request list, maximum message size, host name; DISCOVER and
 * REQUEST broadcast from 0.0.0.0, RELEASE unicast from @ip to the server.
 */
static struct pk_buf *bd_frame(uint8_t type, const struct pk_mac *mac, uint32_t xid, uint32_t ip)
{
	static const uint8_t params[] = { 1, 3, 6, 15, 26, 28, 51, 58, 59, 119 };
	struct pk_dhcp_header h = { .op = PK_DHCP_OP_REQUEST, .xid = xid };
	struct pk_dhcp_addrs ad = { .src_mac = *mac, .src_port = PK_DHCP_CLIENT_PORT,
				    .dst_port = PK_DHCP_SERVER_PORT };
	struct pk_dhcp_builder b;
	uint8_t msg[PK_DHCP_DEFAULT_MAX_MSG], frame[PK_DHCP_FRAME_HLEN + sizeof(msg)];
	struct pk_ip4 sid = bd_ip4(BD_SERVER_IP), req = bd_ip4(ip);
	char host[32];
	uint32_t len;

	memcpy(h.chaddr, mac->b, 6);
	if (type == PK_DHCP_RELEASE)
		h.ciaddr = req;
	pk_dhcp_build_init(&b, msg, sizeof(msg), &h);
	pk_dhcp_put_u8(&b, PK_DHCP_OPT_MSG_TYPE, type);
	if (type == PK_DHCP_REQUEST)
		pk_dhcp_put_ip4(&b, PK_DHCP_OPT_REQUESTED_IP, &req);
	if (type != PK_DHCP_DISCOVER)
		pk_dhcp_put_ip4(&b, PK_DHCP_OPT_SERVER_ID, &sid);
	if (type != PK_DHCP_RELEASE) {
		g_snprintf(host, sizeof(host), "client-%02x%02x%02x", mac->b[2], mac->b[4],
			   mac->b[5]);
		pk_dhcp_put_u16(&b, PK_DHCP_OPT_MAX_MSG_SIZE, 1500);
		pk_dhcp_put_str(&b, PK_DHCP_OPT_HOSTNAME, host);
		pk_dhcp_put_opt(&b, PK_DHCP_OPT_PARAM_LIST, params, sizeof(params));
	}
	len = pk_dhcp_build_finish(&b);
	if (type == PK_DHCP_RELEASE) {
		ad.src_ip = req;
		ad.dst_ip = sid;
		memcpy(ad.dst_mac.b, bd_server_mac, 6);
	} else {
		ad.dst_ip = bd_ip4(0xffffffffu);
		memset(ad.dst_mac.b, 0xff, 6);
	}
	len = len ? pk_dhcp_frame_build(frame, sizeof(frame), &ad, msg, len) : 0;
	if (!len)
		g_error("cannot build a DHCP frame");
	return pk_buf_new_copy(frame, len);
}

static void bd_inject1(struct bd_server *s, struct pk_buf *b)
{
	struct pk_batch batch = { .n = 1 };

	batch.buf[0] = b;
	pk_pipe_inject_batch(s->cl, &batch);
}

/* One DISCOVER then REQUEST through a capturing pipe: the replies are what we expect. */
static void bd_check_replies(void)
{
	struct pk_mac mac = bd_client_mac(0, 0);
	struct bd_server s;
	const uint8_t types[2] = { PK_DHCP_DISCOVER, PK_DHCP_REQUEST };
	const uint8_t want[2] = { PK_DHCP_OFFER, PK_DHCP_ACK };

	bd_server_new(&s, 4096, 16);
	for (int k = 0; k < 2; k++) {
		struct pk_buf *in = bd_frame(types[k], &mac, 0x1000, BD_RANGE_START);
		struct pk_buf *out;
		struct pk_dhcp_frame f;

		bd_inject1(&s, in);
		pk_buf_unref(in);
		out = pk_pipe_pop(s.cl);
		if (!out || pk_dhcp_frame_parse(pk_buf_data(out), pk_buf_len(out), &f) != PK_DHCP_OK ||
		    f.msg.msg_type != want[k] || pk_get_be32(f.msg.yiaddr) != BD_RANGE_START ||
		    memcmp(f.msg.chaddr, mac.b, 6) != 0 || f.msg.xid != 0x1000)
			g_error("check: no valid %s", k ? "ACK" : "OFFER");
		pk_buf_unref(out);
	}
	pk_graph_free(s.g);
}

/* Cases ---------------------------------------------------------------------- */

struct bd_case {
	const char *name;
	struct bd_server *s;
	struct pk_buf **frames;	/* the ring */
	uint32_t n_frames;
	uint32_t per_op;	/* messages per op: 2 for DISCOVER + RELEASE */
	uint32_t batch_n;	/* messages per injection */
	uint32_t pos;
	struct pk_batch batch;
	const char *reply;	/* server counter of the replies: "offers" or "acks" */
	uint32_t replies_per_op;
};

static const char *const bd_bad[] = {
	"naks", "ignored", "ignored-other-server", "dropped-malformed", "dropped-not-for-us",
	"pool-exhausted", "lease-table-full", "dropped-reply-too-big",
	"new-leases-rate-limited",
};

static uint64_t bd_trouble(struct bd_server *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(bd_bad); i++)
		n += pk_dev_counter(s->dut, bd_bad[i]);
	return n;
}

static inline void bd_run_once(struct bd_case *c)
{
	memcpy(c->batch.buf, c->frames + c->pos, c->batch_n * sizeof(c->frames[0]));
	c->batch.n = c->batch_n;
	c->pos += c->batch_n;
	if (c->pos == c->n_frames)
		c->pos = 0;
	pk_pipe_inject_batch(c->s->cl, &c->batch);
}

/* @iters runs of the case @ctx: the timed loop. */
static void bd_run_iters(void *ctx, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		bd_run_once(ctx);
}

#define BD_ROUNDS 9

static const char *bd_filter;

static void bd_measure(struct bd_case *c, uint64_t target_ops)
{
	uint64_t iters, ops, trouble, replies, arrived;
	uint32_t ops_per_iter = c->batch_n / c->per_op;
	struct bench_result res;
	g_autofree char *id = g_strdup_printf("%s/%u", c->name, c->batch_n);

	if (!bench_selected(bd_filter, c->name, c->batch_n))
		return;
	g_assert(c->n_frames % c->batch_n == 0 && c->batch_n % c->per_op == 0);
	/* At least one trip round the ring per round, so every client is seen. */
	iters = MAX(target_ops / ops_per_iter / BD_ROUNDS, c->n_frames / c->batch_n);
	iters = MAX(iters, 100);
	ops = iters * BD_ROUNDS * ops_per_iter;
	bd_run_iters(c, c->n_frames / c->batch_n);	/* warm up: one trip */
	trouble = bd_trouble(c->s);
	replies = pk_dev_counter(c->s->dut, c->reply);
	arrived = pk_dev_counter(c->s->cl, "received");
	bench_rounds(BD_ROUNDS, bd_run_iters, c, iters, iters * ops_per_iter, &res);
	replies = pk_dev_counter(c->s->dut, c->reply) - replies;
	arrived = pk_dev_counter(c->s->cl, "received") - arrived;
	if (bd_trouble(c->s) != trouble || replies != ops * c->replies_per_op ||
	    arrived != replies)
		g_error("%s: %" G_GUINT64_FORMAT " ops, %" G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT
			" replies arrived, %" G_GUINT64_FORMAT " NAKs/drops", id, ops, replies,
			c->reply, arrived, bd_trouble(c->s) - trouble);
	printf("| %-50s | %6u | %5u | %9.1f | %9.1f | %8.3f | %9.4f | %9.4f |\n", c->name,
	       c->s->max_leases, c->batch_n, res.best_ns, res.median_ns, 1e3 / res.best_ns,
	       (double)res.counts.allocs / (double)ops,
	       (double)res.counts.pool_allocs / (double)ops);
	fflush(stdout);
}

/* The rotating clients' frames of @type (they were given range-start + i). */
static struct pk_buf **bd_client_frames(uint8_t type, uint32_t n_clients)
{
	struct pk_buf **f = g_new(struct pk_buf *, n_clients);

	for (uint32_t i = 0; i < n_clients; i++) {
		struct pk_mac mac = bd_client_mac(0, i);

		f[i] = bd_frame(type, &mac, 0x10000 + i, BD_RANGE_START + i);
	}
	return f;
}

/* DISCOVER + RELEASE of @n new clients, who all get the first free address. */
static struct pk_buf **bd_new_client_frames(uint32_t n, uint32_t ip)
{
	struct pk_buf **f = g_new(struct pk_buf *, 2 * n);

	for (uint32_t i = 0; i < n; i++) {
		struct pk_mac mac = bd_client_mac(1, i);

		f[2 * i] = bd_frame(PK_DHCP_DISCOVER, &mac, 0x20000 + i, 0);
		f[2 * i + 1] = bd_frame(PK_DHCP_RELEASE, &mac, 0x20000 + i, ip);
	}
	return f;
}

static void bd_frames_free(struct pk_buf **f, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		pk_buf_unref(f[i]);
	g_free(f);
}

static void bd_case(struct bd_server *s, const char *name, struct pk_buf **frames,
		    uint32_t n_frames, uint32_t batch_n, uint32_t per_op, const char *reply,
		    uint64_t target_ops)
{
	struct bd_case *c = g_new0(struct bd_case, 1);

	c->name = name;
	c->s = s;
	c->frames = frames;
	c->n_frames = n_frames;
	c->batch_n = batch_n;
	c->per_op = per_op;
	c->reply = reply;
	c->replies_per_op = 1;
	bd_measure(c, target_ops);
	g_free(c);
}

/*
 * A server with max-leases @max_leases and @n_clients clients that hold an
 * address (bound after the REQUEST rows); @full: every row, else the
 * rotating rows only.
 */
static void bd_server_rows(uint32_t max_leases, uint32_t n_clients, uint64_t ops, bool full)
{
	struct pk_buf **disc = bd_client_frames(PK_DHCP_DISCOVER, n_clients);
	struct pk_buf **reqs = bd_client_frames(PK_DHCP_REQUEST, n_clients);
	struct bd_server s;

	bd_server_new(&s, max_leases, 0);
	for (uint32_t i = 0; i < n_clients; i++)	/* in order: client i gets range-start + i */
		bd_inject1(&s, disc[i]);
	if (pk_dev_counter(s.dut, "offers") != n_clients || bd_trouble(&s))
		g_error("setup: %" G_GUINT64_FORMAT " offers for %u clients",
			pk_dev_counter(s.dut, "offers"), n_clients);
	if (full)
		bd_case(&s, "DISCOVER->OFFER, 1 client", disc, 1, 1, 1, "offers", ops);
	bd_case(&s, "DISCOVER->OFFER, rotating clients", disc, n_clients, 1, 1, "offers", ops);
	bd_case(&s, "DISCOVER->OFFER, rotating clients", disc, n_clients, 32, 1, "offers", ops);
	bd_case(&s, "REQUEST->ACK, rotating clients", reqs, n_clients, 1, 1, "acks", ops);
	bd_case(&s, "REQUEST->ACK, rotating clients", reqs, n_clients, 32, 1, "acks", ops);
	if (full && n_clients < max_leases) {
		/* New clients: 1024 MACs the server has not seen, each DISCOVER then RELEASE. */
		struct pk_buf **nc = bd_new_client_frames(1024, BD_RANGE_START + n_clients);

		bd_case(&s, "new client: DISCOVER->OFFER + RELEASE (per client)", nc, 2048, 2, 2,
			"offers", ops / 4);
		bd_case(&s, "new client: DISCOVER->OFFER + RELEASE (per client)", nc, 2048, 32, 2,
			"offers", ops / 4);
		/* A RELEASE that freed nothing would count as "ignored": checked above. */
		bd_frames_free(nc, 2048);
	}
	pk_graph_free(s.g);
	bd_frames_free(disc, n_clients);
	bd_frames_free(reqs, n_clients);
}

int main(int argc, char **argv)
{
	uint64_t ops = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 200000;
	uint32_t clients = argc > 3 ? (uint32_t)g_ascii_strtoull(argv[3], NULL, 10) : 1024;
	static const char *const needed[] = { "svc.dhcp-server", NULL };
	static const struct bench_col columns[] = {
		{ "case", 50 }, { "max-l.", 6 }, { "batch", 5 }, { "ns/op", 9 }, { "median", 9 },
		{ "Mops/s", 8 }, { "malloc/op", 9 }, { "pool/op", 9 },
	};
	int status;

	bd_filter = argc > 2 && argv[2][0] ? argv[2] : NULL;
	if (clients < 32 || clients % 32 || clients > 4096) {
		fprintf(stderr, "bench-dhcp: clients must be a multiple of 32, 32..4096\n");
		return 2;
	}
	status = bench_registry_load(&bd_reg, NULL, NULL, needed,
				     "bench-dhcp: pk-dhcp.so not found (set PKTKIT_MODULE_PATH)");
	if (status)
		return status;
	bd_check_replies();
	bench_table_header(columns, G_N_ELEMENTS(columns));
	/* Default max-leases (4096), then how the per-batch table walk scales. */
	bd_server_rows(4096, clients, ops, true);
	bd_server_rows(clients, clients, ops, false);
	bd_server_rows(65536, clients, ops / 4, false);

	printf("\nns/op: fastest of %d rounds (median next to it), per client message (per\n"
	       "client for the new-client rows: a DISCOVER and a RELEASE); %u rotating\n"
	       "clients, all holding an address. max-l.: the server's max-leases.\n"
	       "malloc/op: C allocator calls per op; pool/op: buffer-pool system allocations.\n",
	       BD_ROUNDS, clients);
	printf("C allocator calls in the whole run, setup included: %" G_GUINT64_FORMAT "\n",
	       bench_allocs());
	pk_registry_free(bd_reg);
	return 0;
}
