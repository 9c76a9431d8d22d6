// SPDX-License-Identifier: MIT
/* bench-adapter.c - Micro benchmark of l3.adapter: packet->frame and frame->packet, ns/packet, allocations
 *
 * Graph: core.pipe-l3 "l3" -- "ip" [l3.adapter "dut"] "eth" -- core.pipe-l2 "l2",
 * both pipes with capacity 0 (counted, not queued), fake clock. Packets are
 * injected into "l3" with pk_pipe_inject_batch() and come out of "l2" as
 * frames (packet->frame, "out"), or frames to the adapter's MAC are injected
 * into "l2" and come out of "l3" as packets (frame->packet, "in"). The
 * neighbour cache is warmed before timing (an ARP request / a neighbour
 * solicitation for our address from each neighbour creates its entry), so
 * every next hop resolves.
 *
 * The adapter frames and unframes in place (pk_buf_push / pk_buf_pull) when
 * it holds the only reference. The benchmark keeps its buffers exclusive
 * (refcount 1, lent for the call) and puts the 14 bytes back after each
 * injection: a pointer move per packet, measured on its own in the
 * "driver restore loop" row. One row injects shared buffers instead (the
 * benchmark keeps a second reference), which makes the adapter copy each
 * packet; it is there to show what that costs.
 *
 * Baselines: pipe->pipe (no device) and pipe->null-adapter->pipe, where the
 * null adapter is a device with the same "ip" (L3) and "eth" (L2) ports that
 * forwards every batch unchanged. "adapter row - null hop row" is the
 * adapter's own work.
 *
 * Every case checks, around its timed rounds, that each injected packet
 * arrived at the far pipe and that the adapter counted no drop, ARP request,
 * neighbour solicitation or copy; a failed check aborts the run.
 *
 * Usage: bench-adapter [packets per case [filter]]; filter selects the cases
 * whose "name/batch" contains it. BENCH_REAL_CLOCK: use the monotonic clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <pktkit/checksum.h>
#include <pktkit/eth.h>
#include <pktkit/embed/graph.h>
#include <pktkit/module.h>
#include <pktkit/embed/testing.h>

#include "bench-util.h"

/* The null adapter ------------------------------------------------------- */

static void null_receive(struct pk_dev *dev, void *self, uint32_t port,
			 const struct pk_batch *batch)
{
	pk_dev_emit(dev, PK_PORT(PK_PORT_GROUP(port) ^ 1, 0), batch);
}

static const struct pk_device_ops null_ops = { .receive = null_receive };
static const struct pk_port_group null_ports[] = {
	{ "ip", PK_L3, 1, 1, "IP side", 0 },
	{ "eth", PK_L2, 1, 1, "Ethernet side", 0 },
};
static const struct pk_device_type null_type = {
	.name = "bench.null-adapter",
	.summary = "Forwards between an L3 and an L2 port, unchanged",
	.doc = "Benchmark baseline: one hop with the ports of l3.adapter and no work.",
	PK_ARRAY(ports, null_ports),
	.ops = &null_ops,
};
static const struct pk_device_type *const null_types[] = { &null_type, NULL };
static const struct pk_module_info null_module = {
	.abi_major = PK_ABI_MAJOR, .abi_minor = PK_ABI_MINOR, .name = "bench", .version = "0",
	.license = "MIT", .description = "Benchmark helpers", .origin = "bench/adapter",
	.types = null_types,
};

/* Addresses ----------------------------------------------------------------- */

#define BA_MAC "02:00:00:00:00:01"
static const uint8_t ba_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
#define BA_GW4 "10.0.0.254"
#define BA_GW6 "fd00::fe"
#define BA_NEIGHBOURS 32u	/* 10.0.0.2 + i and fd00::2 + i, MAC 02:00:00:00:01:02 + i */

#define BA_PARAMS                                                                   \
	"{\"mac\": \"" BA_MAC "\", \"addresses\": [{\"prefix\": \"10.0.0.1/24\"}, " \
	"{\"prefix\": \"fd00::1/64\"}], \"gateway4\": \"" BA_GW4 "\", "              \
	"\"gateway6\": \"" BA_GW6 "\"}"

static void ba_ip4(uint8_t a[4], const char *text)
{
	if (inet_pton(AF_INET, text, a) != 1)
		g_error("bad address %s", text);
}

static void ba_ip6(uint8_t a[16], const char *text)
{
	if (inet_pton(AF_INET6, text, a) != 1)
		g_error("bad address %s", text);
}

static void ba_neigh_mac(uint8_t mac[6], unsigned int i)
{
	const uint8_t m[6] = { 0x02, 0, 0, 0, 0x01, (uint8_t)(2 + i) };

	memcpy(mac, m, 6);
}

/* Graph --------------------------------------------------------------------- */

static struct pk_registry *ba_reg;

struct ba_graph {
	struct pk_graph *g;
	struct pk_dev *dut;	/* NULL for the pipe->pipe baseline */
	struct pk_dev *l3, *l2;
	struct pk_dev *sink3, *sink2;	/* baseline only: what l3 / l2 are linked to */
};

/* "l3" -- dut -- "l2" with @type as dut; for NULL, l3 -- l3-sink and l2 -- l2-sink. */
static void ba_graph_new(struct ba_graph *bg, const char *type, const char *params)
{
	GError *error = NULL;

	bg->g = bench_graph_new(ba_reg);
	bg->dut = type ? bench_device(bg->g, "dut", type, params) : NULL;
	bg->l3 = bench_device(bg->g, "l3", "core.pipe-l3", "{\"capacity\": 0}");
	bg->l2 = bench_device(bg->g, "l2", "core.pipe-l2", "{\"capacity\": 0}");
	bg->sink3 = bg->sink2 = NULL;
	if (type) {
		bench_link(bg->g, "l3", "dut.ip");
		bench_link(bg->g, "l2", "dut.eth");
	} else {
		bg->sink3 = bench_device(bg->g, "l3-sink", "core.pipe-l3", "{\"capacity\": 0}");
		bg->sink2 = bench_device(bg->g, "l2-sink", "core.pipe-l2", "{\"capacity\": 0}");
		bench_link(bg->g, "l3", "l3-sink");
		bench_link(bg->g, "l2", "l2-sink");
	}
	if (!pk_graph_start(bg->g, &error))
		g_error("%s", error->message);
}

/* Frames and packets ------------------------------------------------------- */

static uint32_t ba_packet4(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint32_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = 17;	/* UDP, zero payload */
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	pk_put_be16(p + 10, pk_csum(p, 20));
	pk_put_be16(p + 20, 40000);
	pk_put_be16(p + 22, 9);
	pk_put_be16(p + 24, (uint16_t)(len - 20));
	return len;
}

static uint32_t ba_packet6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16],
			   uint32_t len)
{
	memset(p, 0, len);
	p[0] = 0x60;
	pk_put_be16(p + 4, (uint16_t)(len - 40));
	p[6] = 17;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	pk_put_be16(p + 40, 40000);
	pk_put_be16(p + 42, 9);
	pk_put_be16(p + 44, (uint16_t)(len - 40));
	return len;
}

static uint8_t *ba_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	pk_put_be16(f + 12, type);
	return f + 14;
}

/* ARP request from neighbour @i for 10.0.0.1: the adapter learns the sender. */
static void ba_warm_arp(struct ba_graph *bg, unsigned int i, const char *sender)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t f[60] = { 0 }, mac[6], *a;

	ba_neigh_mac(mac, i);
	a = ba_eth(f, bcast, mac, PK_ETH_P_ARP);
	pk_put_be16(a, 1);		/* Ethernet */
	pk_put_be16(a + 2, PK_ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	pk_put_be16(a + 6, PK_ARP_OP_REQUEST);
	memcpy(a + 8, mac, 6);
	ba_ip4(a + 14, sender);
	ba_ip4(a + 24, "10.0.0.1");
	pk_pipe_inject(bg->l2, f, sizeof(f));
}

/* Neighbour solicitation from @sender (neighbour @i) for fd00::1, with its MAC. */
static void ba_warm_ns(struct ba_graph *bg, unsigned int i, const char *sender)
{
	uint8_t f[14 + 40 + 32] = { 0 }, mac[6], *ip, *icmp;
	static const uint8_t group_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 0x01 };

	ba_neigh_mac(mac, i);
	ip = ba_eth(f, group_mac, mac, PK_ETH_P_IPV6);
	ip[0] = 0x60;
	pk_put_be16(ip + 4, 32);
	ip[6] = 58;	/* ICMPv6 */
	ip[7] = 255;
	ba_ip6(ip + 8, sender);
	ba_ip6(ip + 24, "ff02::1:ff00:1");
	icmp = ip + 40;
	icmp[0] = 135;	/* NS */
	ba_ip6(icmp + 8, "fd00::1");
	icmp[24] = 1;	/* source link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	pk_put_be16(icmp + 2, pk_csum_fold(pk_csum_partial(icmp, 32,
							   pk_csum_pseudo6(ip + 8, ip + 24, 58,
									   32))));
	pk_pipe_inject(bg->l2, f, sizeof(f));
}

static void ba_warm(struct ba_graph *bg)
{
	for (unsigned int i = 0; i < BA_NEIGHBOURS; i++) {
		g_autofree char *v4 = g_strdup_printf("10.0.0.%u", 2 + i);
		g_autofree char *v6 = g_strdup_printf("fd00::%x", 2 + i);

		ba_warm_arp(bg, i, v4);
		ba_warm_ns(bg, i, v6);
	}
	ba_warm_arp(bg, BA_NEIGHBOURS, BA_GW4);
	ba_warm_ns(bg, BA_NEIGHBOURS, BA_GW6);
	if (bg->dut && pk_dev_counter(bg->dut, "neighbours-learned") != 2 * (BA_NEIGHBOURS + 1))
		g_error("neighbour cache not warmed: %" G_GUINT64_FORMAT " learned",
			pk_dev_counter(bg->dut, "neighbours-learned"));
}

/* Cases ---------------------------------------------------------------------- */

enum ba_restore {
	BA_KEEP,	/* buffers unchanged by the path (baselines, shared input) */
	BA_UNPUSH,	/* the adapter prepended 14 bytes: take them off */
	BA_UNPULL,	/* the adapter stripped 14 bytes: put them back */
};

struct ba_case {
	const char *name;
	struct ba_graph *bg;
	struct pk_dev *src, *dst;
	struct pk_batch batch;
	enum ba_restore restore;
	bool shared;		/* a second reference is held: the adapter must copy */
	bool no_inject;		/* time the restore loop alone */
	uint8_t first[32][64];	/* first bytes of each buffer, to check the restore */
	uint32_t len[32];
};

static void ba_restore_batch(struct ba_case *c)
{
	struct pk_buf *const *buf = c->batch.buf;
	uint32_t n = c->batch.n;

	if (c->restore == BA_UNPUSH) {
		for (uint32_t i = 0; i < n; i++)
			pk_buf_pull(buf[i], PK_ETH_HLEN);
	} else if (c->restore == BA_UNPULL) {
		for (uint32_t i = 0; i < n; i++)
			pk_buf_push(buf[i], PK_ETH_HLEN);
	}
}

static inline void ba_run_once(struct ba_case *c)
{
	if (PK_LIKELY(!c->no_inject))
		pk_pipe_inject_batch(c->src, &c->batch);
	ba_restore_batch(c);
}

/* @iters runs of the case @ctx: the timed loop. */
static void ba_run_iters(void *ctx, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		ba_run_once(ctx);
}

/* @n buffers from @pkts[i % n_pkts]; @in: as frames to our MAC from neighbour i % n_pkts. */
static void ba_case_init(struct ba_case *c, struct ba_graph *bg, const char *name, bool in,
			 unsigned int n, uint8_t (*pkts)[128], const uint32_t *lens,
			 unsigned int n_pkts)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->bg = bg;
	c->src = in ? bg->l2 : bg->l3;
	c->dst = in ? bg->l3 : bg->l2;
	if (!bg->dut)
		c->dst = in ? bg->sink2 : bg->sink3;
	if (bg->dut && strcmp(pk_dev_type(bg->dut)->name, "l3.adapter") == 0)
		c->restore = in ? BA_UNPULL : BA_UNPUSH;
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *p = pkts[i % n_pkts];
		uint32_t len = lens[i % n_pkts];
		struct pk_buf *b;

		if (in) {
			uint8_t f[160], mac[6];

			ba_neigh_mac(mac, i % n_pkts);
			memcpy(ba_eth(f, ba_mac, mac, (p[0] >> 4) == 6 ? PK_ETH_P_IPV6
								    : PK_ETH_P_IPV4), p, len);
			b = pk_buf_new_copy(f, len + PK_ETH_HLEN);
		} else {
			b = pk_buf_new_copy(p, len);
		}
		if (!b)
			g_error("no buffer");
		c->len[i] = pk_buf_len(b);
		memcpy(c->first[i], pk_buf_data(b), MIN(c->len[i], 64u));
		c->batch.buf[c->batch.n++] = b;
	}
}

static void ba_case_free(struct ba_case *c)
{
	if (c->shared)
		for (uint32_t i = 0; i < c->batch.n; i++)
			pk_buf_unref(c->batch.buf[i]);
	pk_batch_unref_all(&c->batch);
}

static const char *const ba_watch[] = {
	"arp-requests-sent", "ndp-solicits-sent", "dropped-unresolved", "dropped-pending-full",
	"dropped-cache-full", "dropped-short", "dropped-bad-ip", "dropped-not-for-us",
	"dropped-ethertype", "dropped-no-route", "dropped-no-buffer", "dropped-vlan",
};

static uint64_t ba_trouble(struct ba_case *c)
{
	uint64_t n = 0;

	if (!c->bg->dut || strcmp(pk_dev_type(c->bg->dut)->name, "l3.adapter") != 0)
		return 0;
	for (size_t i = 0; i < G_N_ELEMENTS(ba_watch); i++)
		n += pk_dev_counter(c->bg->dut, ba_watch[i]);
	return n;
}

/* The buffers are back as built, and the adapter worked in place (or copied when shared). */
static void ba_check_one_round(struct ba_case *c)
{
	uint64_t before = pk_dev_counter(c->dst, "received");

	pk_pipe_inject_batch(c->src, &c->batch);
	if (pk_dev_counter(c->dst, "received") != before + c->batch.n)
		g_error("%s: %u injected, %" G_GUINT64_FORMAT " arrived", c->name, c->batch.n,
			pk_dev_counter(c->dst, "received") - before);
	for (uint32_t i = 0; i < c->batch.n; i++) {
		const struct pk_buf *b = c->batch.buf[i];
		const uint8_t *d = pk_buf_data(b);

		if (c->shared || c->restore == BA_KEEP) {
			if (pk_buf_len(b) != c->len[i] || memcmp(d, c->first[i], 64) != 0)
				g_error("%s: a shared buffer was changed", c->name);
		} else if (c->restore == BA_UNPUSH) {
			/* Framed in place: next hop's MAC, ours, then the packet as built. */
			uint8_t want[6];
			unsigned int k = (unsigned int)(c->first[i][0] >> 4 == 4
				? c->first[i][19] : c->first[i][39]);

			ba_neigh_mac(want, k == 0xfe ? BA_NEIGHBOURS : k - 2);
			if (pk_buf_len(b) != c->len[i] + PK_ETH_HLEN || memcmp(d, want, 6) ||
			    memcmp(d + 6, ba_mac, 6) || memcmp(d + 14, c->first[i], 50))
				g_error("%s: buffer %u not framed in place", c->name, i);
		} else {
			if (pk_buf_len(b) != c->len[i] - PK_ETH_HLEN ||
			    memcmp(d, c->first[i] + 14, 50))
				g_error("%s: buffer %u not unframed in place", c->name, i);
		}
	}
	ba_restore_batch(c);
	for (uint32_t i = 0; i < c->batch.n; i++)
		if (pk_buf_len(c->batch.buf[i]) != c->len[i] ||
		    memcmp(pk_buf_data(c->batch.buf[i]), c->first[i], 64) != 0)
			g_error("%s: buffer %u not restored", c->name, i);
}

#define BA_ROUNDS 9

static const char *ba_filter;

static void ba_measure(struct ba_case *c, uint64_t target)
{
	uint64_t iters = MAX(target / c->batch.n / BA_ROUNDS, 1000), trouble, arrived;
	uint64_t pkts = iters * BA_ROUNDS * c->batch.n;
	struct bench_result res;

	if (!bench_selected(ba_filter, c->name, c->batch.n))
		return;
	if (c->shared)
		for (uint32_t i = 0; i < c->batch.n; i++)
			pk_buf_ref(c->batch.buf[i]);
	if (!c->no_inject)
		ba_check_one_round(c);
	ba_run_iters(c, iters);	/* warm up */
	trouble = ba_trouble(c);
	arrived = pk_dev_counter(c->dst, "received");
	bench_rounds(BA_ROUNDS, ba_run_iters, c, iters, iters * c->batch.n, &res);
	if (!c->no_inject) {
		arrived = pk_dev_counter(c->dst, "received") - arrived;
		if (arrived != pkts || ba_trouble(c) != trouble)
			g_error("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " arrived, "
				"%" G_GUINT64_FORMAT " drops/solicitations", c->name, arrived, pkts,
				ba_trouble(c) - trouble);
		ba_check_one_round(c);
	}
	bench_rate_row(44, c->name, c->batch.n, &res, pkts);
}

/* Packets ------------------------------------------------------------------------ */

static uint8_t ba_v4[BA_NEIGHBOURS + 1][128], ba_v6[BA_NEIGHBOURS + 1][128];
static uint32_t ba_v4_len[BA_NEIGHBOURS + 1], ba_v6_len[BA_NEIGHBOURS + 1];
static uint8_t ba_off4[1][128], ba_off6[1][128];
static uint32_t ba_off4_len[1], ba_off6_len[1];

static void ba_build_packets(void)
{
	uint8_t s4[4], d4[4], s6[16], d6[16];

	ba_ip4(s4, "10.0.0.1");
	ba_ip6(s6, "fd00::1");
	for (unsigned int i = 0; i < BA_NEIGHBOURS; i++) {
		g_autofree char *v4 = g_strdup_printf("10.0.0.%u", 2 + i);
		g_autofree char *v6 = g_strdup_printf("fd00::%x", 2 + i);

		ba_ip4(d4, v4);
		ba_ip6(d6, v6);
		ba_v4_len[i] = ba_packet4(ba_v4[i], s4, d4, 64);
		ba_v6_len[i] = ba_packet6(ba_v6[i], s6, d6, 80);
	}
	/* Off-link: through gateway4 / gateway6. The destination's last byte, 0xfe, tells
	 * ba_check_one_round() to expect the gateway's MAC (neighbour BA_NEIGHBOURS). */
	ba_ip4(d4, "192.0.2.254");
	ba_ip6(d6, "2001:db8::fe");
	ba_off4_len[0] = ba_packet4(ba_off4[0], s4, d4, 64);
	ba_off6_len[0] = ba_packet6(ba_off6[0], s6, d6, 80);
}

static void ba_run(struct ba_graph *bg, const char *name, bool in, unsigned int n,
		   uint8_t (*pkts)[128], const uint32_t *lens, unsigned int n_pkts,
		   uint64_t target, bool shared)
{
	struct ba_case *c = g_new0(struct ba_case, 1);

	ba_case_init(c, bg, name, in, n, pkts, lens, n_pkts);
	if (shared) {
		c->shared = true;
		c->restore = BA_KEEP;
	}
	ba_measure(c, target);
	ba_case_free(c);
	g_free(c);
}

int main(int argc, char **argv)
{
	uint64_t pkts = argc > 1 ? g_ascii_strtoull(argv[1], NULL, 10) : 20000000;
	struct ba_graph bg;
	static const char *const needed[] = { "l3.adapter", NULL };
	int status;

	ba_filter = argc > 2 ? argv[2] : NULL;
	status = bench_registry_load(&ba_reg, &null_module, "(bench/adapter)", needed,
				     "bench-adapter: pk-adapter.so not found "
				     "(set PKTKIT_MODULE_PATH)");
	if (status)
		return status;
	ba_build_packets();
	bench_rate_header(44, "ns/pkt", "malloc/pk", "pool/pk");

	/* Baselines: the core alone, then one do-nothing hop with the adapter's ports. */
	ba_graph_new(&bg, NULL, NULL);
	ba_run(&bg, "baseline l3 pipe->pipe (no device)", false, 1, ba_v4, ba_v4_len, 1, pkts / 4,
	       false);
	ba_run(&bg, "baseline l3 pipe->pipe (no device)", false, 32, ba_v4, ba_v4_len, 1, pkts,
	       false);
	ba_run(&bg, "baseline l2 pipe->pipe (no device)", true, 1, ba_v4, ba_v4_len, 1,
	       pkts / 4, false);
	ba_run(&bg, "baseline l2 pipe->pipe (no device)", true, 32, ba_v4, ba_v4_len, 1, pkts,
	       false);
	pk_graph_free(bg.g);

	ba_graph_new(&bg, "bench.null-adapter", NULL);
	ba_run(&bg, "null hop l3 pipe->null-adapter->l2 pipe", false, 1, ba_v4, ba_v4_len, 1,
	       pkts / 4, false);
	ba_run(&bg, "null hop l3 pipe->null-adapter->l2 pipe", false, 32, ba_v4, ba_v4_len, 1,
	       pkts, false);
	ba_run(&bg, "null hop l2 pipe->null-adapter->l3 pipe", true, 1, ba_v4, ba_v4_len, 1,
	       pkts / 4, false);
	ba_run(&bg, "null hop l2 pipe->null-adapter->l3 pipe", true, 32, ba_v4, ba_v4_len, 1,
	       pkts, false);
	pk_graph_free(bg.g);

	ba_graph_new(&bg, "l3.adapter", BA_PARAMS);
	ba_warm(&bg);
	{
		/* What the driver adds to the adapter rows: undoing push/pull. */
		struct ba_case *c = g_new0(struct ba_case, 1);

		ba_case_init(c, &bg, "driver restore loop alone (no inject)", false, 32, ba_v4,
			     ba_v4_len, 1);
		c->no_inject = true;
		ba_measure(c, pkts);
		ba_case_free(c);
		g_free(c);
	}
	ba_run(&bg, "out: IPv4 packet->frame", false, 1, ba_v4, ba_v4_len, 1, pkts / 4, false);
	ba_run(&bg, "out: IPv4 packet->frame", false, 32, ba_v4, ba_v4_len, 1, pkts, false);
	ba_run(&bg, "out: IPv4 packet->frame, 32 neighbours", false, 32, ba_v4, ba_v4_len,
	       BA_NEIGHBOURS, pkts, false);
	ba_run(&bg, "out: IPv4 packet->frame, off-link (gateway4)", false, 32, ba_off4,
	       ba_off4_len, 1, pkts, false);
	ba_run(&bg, "out: IPv6 packet->frame", false, 1, ba_v6, ba_v6_len, 1, pkts / 4, false);
	ba_run(&bg, "out: IPv6 packet->frame", false, 32, ba_v6, ba_v6_len, 1, pkts, false);
	ba_run(&bg, "out: IPv6 packet->frame, 32 neighbours", false, 32, ba_v6, ba_v6_len,
	       BA_NEIGHBOURS, pkts, false);
	ba_run(&bg, "out: IPv6 packet->frame, off-link (gateway6)", false, 32, ba_off6,
	       ba_off6_len, 1, pkts, false);
	ba_run(&bg, "in: IPv4 frame->packet", true, 1, ba_v4, ba_v4_len, 1, pkts / 4, false);
	ba_run(&bg, "in: IPv4 frame->packet", true, 32, ba_v4, ba_v4_len, 1, pkts, false);
	ba_run(&bg, "in: IPv6 frame->packet", true, 1, ba_v6, ba_v6_len, 1, pkts / 4, false);
	ba_run(&bg, "in: IPv6 frame->packet", true, 32, ba_v6, ba_v6_len, 1, pkts, false);
	/* Honest worst case: the input is shared, so the adapter copies every packet. */
	ba_run(&bg, "out: IPv4 packet->frame, SHARED input (copy)", false, 32, ba_v4, ba_v4_len,
	       1, pkts / 4, true);
	ba_run(&bg, "in: IPv4 frame->packet, SHARED input (copy)", true, 32, ba_v4, ba_v4_len, 1,
	       pkts / 4, true);
	pk_graph_free(bg.g);

	printf("\nns/pkt: fastest of %d rounds (median next to it); Mpps from the fastest.\n"
	       "IPv4 packets 64 B, IPv6 80 B (frames 14 B longer). Adapter rows include the\n"
	       "driver putting back the 14 bytes the adapter pushed or pulled (see the\n"
	       "restore-loop row); SHARED rows hold a second reference, so the adapter copies.\n"
	       "malloc/pk: C allocator calls per packet; pool/pk: buffer-pool system\n"
	       "allocations per packet.\n", BA_ROUNDS);
	printf("C allocator calls in the whole run, setup included: %" G_GUINT64_FORMAT "\n",
	       bench_allocs());
	pk_registry_free(ba_reg);
	return 0;
}
