// SPDX-License-Identifier: MIT
/* bench-nat.c - NAT44 cost per packet of an established TCP flow, new flows per second, memory per mapping
 *
 * Usage: bench-nat [FILTER]   (FILTER: a substring of the case names)
 *
 * Cases, each on the l3.nat core (modules/nat: nat_xlate_packet() on the
 * connection-tracking table, the device's own hot path without the graph):
 *   out/64, in/64    64 packets of one established TCP flow (1500 bytes;
 *                    the NAT reads and writes headers only) translated
 *                    outbound, then inbound. Each round first restores the
 *                    40 header bytes the translation changed (a memcpy per
 *                    packet), so the times include that copy;
 *   copy/64          the header restore alone: the floor of the above;
 *   rewrite/64       the least any NAPT must do per packet, timed alike: the
 *                    source address and port replaced with incremental
 *                    checksum updates (RFC 1624) and the TTL decremented,
 *                    with no lookup: the reference the two cases above are
 *                    measured against;
 *   new-flows        SYNs of distinct flows (inside ports 1024..) through a
 *                    table of 65536 flows, until it is full: flows set up
 *                    per second;
 *   memory           a table made for 1,000,000 flows: its bytes per flow
 *                    and mapping (nat_table_memory()), then filled with
 *                    1,000,000 mappings (UDP and TCP, 100,000 inside hosts,
 *                    16 outside addresses with paired pooling) to check that
 *                    it holds them without growing.
 * Every translation is checked: the results must be NAT_R_FORWARD with the
 * expected addresses, or the benchmark fails.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <pktkit/checksum.h>
#include <pktkit/ip.h>

#include "bench-util.h"
#include "nat-xlate.h"

#define SEC 1000000000ull
#define BATCH 64u
#define PKT_LEN 1500u
#define HDR_LEN 40u

static uint32_t addr(const char *s)
{
	uint32_t a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

static void fail(const char *what)
{
	fprintf(stderr, "bench-nat: %s\n", what);
	exit(1);
}

static struct nat_table *table(uint32_t max_flows, uint32_t n_outside)
{
	struct nat_params p = {
		.n_outside = n_outside,
		.port_lo = 1024,
		.port_hi = 65535,
		.port_preserve = true,
		.filtering = NAT_FILTER_AD,
		.max_flows = max_flows,
		.tcp_est_ns = 7440 * SEC,
		.tcp_trans_ns = 240 * SEC,
		.udp_ns = 300 * SEC,
		.icmp_ns = 60 * SEC,
		.seed = 7,
	};

	for (uint32_t i = 0; i < n_outside; i++)
		p.outside[i] = htonl(0xc6336400u + i + 1); /* 198.51.100.1.. */
	return nat_table_new(&p);
}

/* A TCP/IPv4 packet of @len bytes with complete checksums. */
static void build_tcp(uint8_t *p, uint32_t len, uint32_t src, uint16_t sport, uint32_t dst,
		      uint16_t dport, uint8_t flags, uint32_t seq)
{
	uint8_t *l4 = p + 20;

	memset(p, 0, len);
	p[0] = 0x45;
	pk_put_be16(p + 2, (uint16_t)len);
	p[6] = 0x40;
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	pk_ip4_csum_fill(p, 20);
	pk_put_be16(l4, sport);
	pk_put_be16(l4 + 2, dport);
	pk_put_be32(l4 + 4, seq);
	l4[12] = 5 << 4;
	l4[13] = flags;
	pk_put_be16(l4 + 14, 65535);
	pk_put_be16(l4 + 16, pk_csum_fold(pk_csum_partial(
				     l4, len - 20, pk_csum_pseudo4(p + 12, p + 16, 6, len - 20))));
}

struct flow_case {
	struct nat_table *t;
	uint8_t tmpl[PKT_LEN];
	uint8_t *pkts; /* BATCH buffers of PKT_LEN */
	enum nat_dir dir;
	uint32_t expect_src, expect_dst;
};

static void run_xlate(void *ctx, uint64_t iters)
{
	struct flow_case *c = ctx;

	for (uint64_t it = 0; it < iters; it++) {
		for (uint32_t i = 0; i < BATCH; i++)
			memcpy(c->pkts + i * PKT_LEN, c->tmpl, HDR_LEN);
		for (uint32_t i = 0; i < BATCH; i++) {
			struct nat_action act;

			if (nat_xlate_packet(c->t, c->pkts + i * PKT_LEN, PKT_LEN, c->dir, 0, false,
					     1 * SEC, &act) != NAT_R_FORWARD)
				fail("a packet of the established flow was not forwarded");
		}
	}
}

static void run_copy(void *ctx, uint64_t iters)
{
	struct flow_case *c = ctx;

	for (uint64_t it = 0; it < iters; it++) {
		for (uint32_t i = 0; i < BATCH; i++)
			memcpy(c->pkts + i * PKT_LEN, c->tmpl, HDR_LEN);
		__asm__ volatile("" : : "r"(c->pkts) : "memory");
	}
}

/* The floor of NAPT: new source address and port, checksums updated
 * incrementally, TTL down by one; no lookup, no state. */
static void run_rewrite(void *ctx, uint64_t iters)
{
	struct flow_case *c = ctx;
	const uint32_t new_src = ntohl(c->expect_src);
	const uint16_t new_port = 40000;

	for (uint64_t it = 0; it < iters; it++) {
		for (uint32_t i = 0; i < BATCH; i++)
			memcpy(c->pkts + i * PKT_LEN, c->tmpl, HDR_LEN);
		for (uint32_t i = 0; i < BATCH; i++) {
			uint8_t *p = c->pkts + i * PKT_LEN, *l4 = p + 20;
			uint32_t old_src = pk_get_be32(p + 12);
			uint16_t old_port = pk_get_be16(l4), ttl_proto = pk_get_be16(p + 8);

			pk_put_be32(p + 12, new_src);
			pk_put_be16(l4, new_port);
			p[8]--;
			pk_csum_update16(p + 10, ttl_proto, pk_get_be16(p + 8));
			pk_csum_update32(p + 10, old_src, new_src);
			pk_csum_update32(l4 + 16, old_src, new_src);
			pk_csum_update16(l4 + 16, old_port, new_port);
		}
		__asm__ volatile("" : : "r"(c->pkts) : "memory");
	}
}

/* Translate @p and check it was forwarded. */
static void xlate_ok(struct nat_table *t, uint8_t *p, uint32_t len, enum nat_dir dir, uint64_t now)
{
	struct nat_action act;

	if (nat_xlate_packet(t, p, len, dir, 0, false, now, &act) != NAT_R_FORWARD)
		fail("setting up the flow failed");
}

static void bench_flow(const char *filter)
{
	struct flow_case out = { 0 }, in = { 0 };
	uint32_t inside = addr("10.0.0.2"), remote = addr("203.0.113.9");
	uint8_t p[PKT_LEN];
	uint16_t mapped;
	struct bench_result r;
	uint64_t iters = 20000;

	out.t = table(65536, 1);
	/* Establish it: SYN out, SYN+ACK in, ACK out. */
	build_tcp(p, 60, inside, 40000, remote, 80, 0x02, 1);
	xlate_ok(out.t, p, 60, NAT_DIR_OUT, SEC / 2);
	mapped = pk_get_be16(p + 20);
	build_tcp(p, 60, remote, 80, htonl(0xc6336401u), mapped, 0x12, 5000);
	xlate_ok(out.t, p, 60, NAT_DIR_IN, SEC / 2);
	build_tcp(p, 60, inside, 40000, remote, 80, 0x10, 2);
	xlate_ok(out.t, p, 60, NAT_DIR_OUT, SEC / 2);

	out.pkts = g_malloc(BATCH * PKT_LEN);
	out.dir = NAT_DIR_OUT;
	build_tcp(out.tmpl, PKT_LEN, inside, 40000, remote, 80, 0x10, 2);
	for (uint32_t i = 0; i < BATCH; i++)
		memcpy(out.pkts + i * PKT_LEN, out.tmpl, PKT_LEN);
	out.expect_src = htonl(0xc6336401u);
	in = out;
	in.pkts = g_malloc(BATCH * PKT_LEN);
	in.dir = NAT_DIR_IN;
	build_tcp(in.tmpl, PKT_LEN, remote, 80, htonl(0xc6336401u), mapped, 0x10, 5001);
	for (uint32_t i = 0; i < BATCH; i++)
		memcpy(in.pkts + i * PKT_LEN, in.tmpl, PKT_LEN);

	/* What a translation gives, checked once against a full recount. */
	{
		uint8_t q[PKT_LEN];
		struct nat_action act;

		memcpy(q, out.tmpl, PKT_LEN);
		if (nat_xlate_packet(out.t, q, PKT_LEN, NAT_DIR_OUT, 0, false, SEC, &act) !=
			    NAT_R_FORWARD ||
		    memcmp(q + 12, &out.expect_src, 4) != 0 || pk_csum(q, 20) != 0 ||
		    pk_csum_fold(
			    pk_csum_partial(q + 20, PKT_LEN - 20,
					    pk_csum_pseudo4(q + 12, q + 16, 6, PKT_LEN - 20))) != 0)
			fail("the outbound translation is not what it should be");
		memcpy(q, in.tmpl, PKT_LEN);
		if (nat_xlate_packet(out.t, q, PKT_LEN, NAT_DIR_IN, 0, false, SEC, &act) !=
			    NAT_R_FORWARD ||
		    memcmp(q + 16, &inside, 4) != 0 || pk_get_be16(q + 22) != 40000 ||
		    pk_csum(q, 20) != 0)
			fail("the inbound translation is not what it should be");
	}

	bench_rate_header(12, "ns/pkt", "malloc/pkt", "pool/pkt");
	if (bench_selected(filter, "out", BATCH)) {
		bench_rounds(9, run_xlate, &out, iters, iters * BATCH, &r);
		bench_rate_row(12, "out", BATCH, &r, 9 * iters * BATCH);
	}
	if (bench_selected(filter, "in", BATCH)) {
		bench_rounds(9, run_xlate, &in, iters, iters * BATCH, &r);
		bench_rate_row(12, "in", BATCH, &r, 9 * iters * BATCH);
	}
	if (bench_selected(filter, "copy", BATCH)) {
		bench_rounds(9, run_copy, &out, iters, iters * BATCH, &r);
		bench_rate_row(12, "copy", BATCH, &r, 9 * iters * BATCH);
	}
	if (bench_selected(filter, "rewrite", BATCH)) {
		bench_rounds(9, run_rewrite, &out, iters, iters * BATCH, &r);
		bench_rate_row(12, "rewrite", BATCH, &r, 9 * iters * BATCH);
	}
	g_free(out.pkts);
	g_free(in.pkts);
	nat_table_free(out.t);
}

static void bench_new_flows(const char *filter)
{
	uint32_t inside = addr("10.0.0.2"), remote = addr("203.0.113.9");
	uint8_t p[64];

	if (!bench_selected(filter, "new-flows", 1))
		return;
	for (int round = 0; round < 5; round++) {
		struct nat_table *t = table(65536, 1);
		struct bench_counts k;
		uint32_t n = 0;
		double t0, t1;

		bench_counts_begin(&k);
		t0 = bench_now_ns();
		for (uint32_t i = 0; i < 60000; i++) {
			struct nat_action act;

			build_tcp(p, 40, inside, (uint16_t)(1024 + i), remote, 80, 0x02, 1);
			if (nat_xlate_packet(t, p, 40, NAT_DIR_OUT, 0, false, SEC, &act) !=
			    NAT_R_FORWARD)
				break;
			n++;
		}
		t1 = bench_now_ns();
		bench_counts_end(&k);
		if (n != 60000)
			fail("a new flow was refused below the table's size");
		printf("new-flows round %d: %u flows in %.1f ms: %.0f ns/flow, %.2f M flows/s, "
		       "malloc/flow %.3f (packet build included)\n",
		       round + 1, n, (t1 - t0) / 1e6, (t1 - t0) / n, n / (t1 - t0) * 1e3,
		       (double)k.allocs / n);
		nat_table_free(t);
	}
}

static void bench_memory(const char *filter)
{
	const uint32_t max = 1000000, hosts = 100000;
	struct nat_table *t;
	uint32_t made = 0, refused = 0;
	size_t mem;
	uint8_t p[64];
	uint32_t remote = addr("203.0.113.9");

	if (!bench_selected(filter, "memory", 1))
		return;
	t = table(max, 16);
	mem = nat_table_memory(t);
	printf("memory: table for %u flows (and %u + %u mappings): %zu bytes, %.1f bytes per "
	       "flow slot\n",
	       max, max, NAT_STATIC_RESERVE, mem, (double)mem / max);
	/* 5 TCP and 5 UDP flows per inside host: 1,000,000 mappings. */
	for (uint32_t h = 0; h < hosts; h++) {
		uint32_t in = htonl(0x0a000000u + h + 1);

		for (uint32_t k = 0; k < 10; k++) {
			struct nat_action act;
			uint8_t proto = k < 5 ? 6 : 17;

			build_tcp(p, 40, in, (uint16_t)(2000 + k), remote, 80, 0x02, 1);
			if (proto == 17) {
				/* The same header bytes as UDP: ports, length, checksum. */
				p[9] = 17;
				pk_put_be16(p + 2, 28);
				pk_put_be16(p + 10, 0);
				pk_ip4_csum_fill(p, 20);
				pk_put_be16(p + 24, 8);
				pk_put_be16(p + 26, 0);
			}
			if (nat_xlate_packet(t, p, proto == 17 ? 28 : 40, NAT_DIR_OUT, 0, false,
					     SEC, &act) == NAT_R_FORWARD)
				made++;
			else
				refused++;
		}
	}
	printf("memory: %u mappings made, %u refused (outside ports of a paired address "
	       "exhausted), %u flows; table %zu bytes (unchanged: %s), %.1f bytes per mapping "
	       "made\n",
	       nat_table_n_mappings(t), refused, nat_table_n_flows(t), nat_table_memory(t),
	       nat_table_memory(t) == mem ? "yes" : "NO", (double)mem / nat_table_n_mappings(t));
	if (nat_table_memory(t) != mem || made < max / 2)
		fail("the table grew, or held far fewer mappings than asked");
	nat_table_free(t);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;

	printf("bench-nat: NAT44 core (modules/nat), %u-byte packets, batch %u\n\n", PKT_LEN,
	       BATCH);
	bench_flow(filter);
	bench_new_flows(filter);
	bench_memory(filter);
	return 0;
}
