/* SPDX-License-Identifier: MIT
 * bench-net.c - Micro benchmarks of the header views, the Internet checksum and longest-prefix match
 *
 * Prints a markdown table: ns/op, throughput (GB/s for checksums, Mpps for
 * parsers) and system allocations per op. After a calibration pass each case
 * runs three rounds of at least 0.2 s and the fastest is reported. The in-run
 * peer for the checksum is a naive byte-at-a-time RFC 1071 loop; the Go
 * pktkit library publishes 5.5 GB/s for a 1500-byte checksum (not measured
 * here: no Go toolchain in this build).
 *
 * Longest-prefix match (toolkit/lpm.h): lookups of 4096 addresses, in turn,
 * in tables of 1000 routes clustered so that prefixes nest (IPv4 /8../32,
 * IPv6 /32, /48, /64, /128), through the exported, non-inline functions a
 * module calls. The in-run peer is a linear scan of the same IPv4 routes,
 * what a module without the toolkit would write first.
 *
 * Receive offload (toolkit/gro.h): 44 TCP segments of 1448 payload bytes
 * (timestamps option) coalesced into one 63 KB super-packet and flushed,
 * reported per segment. The inputs are prebuilt and given with an extra
 * reference, so the first segment is copied into a 64 KB pool buffer as
 * a shared buffer would be; "verify" checks every TCP checksum, "trusted"
 * gives PK_CSUM_VERIFIED buffers. For scale, the inverse: pk_gso_segment()
 * cutting the same super-packet back, per segment.
 *
 * Allocations are counted by bench-util's wrappers of malloc and friends
 * around glibc's __libc_* entry points (glibc's mallinfo2() only gives bytes,
 * not calls). Sanitizer builds own malloc, so there the column says n/a.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/gro.h>
#include <pktkit/toolkit/gso.h>
#include <pktkit/toolkit/lpm.h>

#include "bench-util.h"

#define BENCH_MIN_SECONDS 0.2	/* per round */
#define BENCH_ROUNDS 3		/* the fastest round is reported */

/* --- harness ------------------------------------------------------------- */

/* Keep a value alive and hide a pointer's provenance from the optimiser. */
static inline void bench_use(uint64_t v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

static inline const uint8_t *bench_launder(const uint8_t *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

/**
 * struct bench_case - One row of the table
 * @name:	What is measured
 * @bytes:	Bytes processed per op: throughput in GB/s if non-zero, else Mpps
 * @run:	Does @iters ops over @arg
 * @arg:	Input
 */
struct bench_case {
	const char *name;
	uint32_t bytes;
	void (*run)(const void *arg, uint64_t iters);
	const void *arg;
};

static void bench_report(const struct bench_case *c, double ns, double allocs_per_op)
{
	char tput[32], allocs[32];

	if (c->bytes)
		snprintf(tput, sizeof(tput), "%.2f GB/s", (double)c->bytes / ns);
	else
		snprintf(tput, sizeof(tput), "%.1f Mpps", 1e3 / ns);
	if (bench_allocs_counted())
		snprintf(allocs, sizeof(allocs), "%.3g", allocs_per_op);
	else
		snprintf(allocs, sizeof(allocs), "n/a");
	printf("| %-44s | %8.2f | %12s | %9s |\n", c->name, ns, tput, allocs);
}

static void bench_run_case(void *ctx, uint64_t iters)
{
	const struct bench_case *c = ctx;

	c->run(c->arg, iters);
}

static void bench_run(const struct bench_case *c)
{
	uint64_t iters = 1000;
	struct bench_result res;
	double t0, elapsed;

	/* Calibrate: grow until one run takes a tenth of the target. */
	for (;;) {
		t0 = bench_now_ns();
		c->run(c->arg, iters);
		elapsed = (bench_now_ns() - t0) * 1e-9;
		if (elapsed >= BENCH_MIN_SECONDS / 10)
			break;
		iters *= 4;
	}
	iters = (uint64_t)((double)iters * (BENCH_MIN_SECONDS * 1.25) / elapsed) + 1;

	/* Best of a few rounds of >= BENCH_MIN_SECONDS: the machine is shared. */
	bench_rounds(BENCH_ROUNDS, bench_run_case, (void *)c, iters, iters, &res);
	bench_report(c, res.best_ns, (double)res.counts.allocs / (double)(iters * BENCH_ROUNDS));
}

/* --- inputs ---------------------------------------------------------------- */

/* 802.1Q frame, IPv4, TCP with the options of a Linux SYN. */
static uint8_t frame_v4[80];
/* IPv6 with hop-by-hop and destination options, then TCP. */
static uint8_t pkt_v6[40 + 8 + 16 + 20 + 20];
static uint8_t data_buf[9000 + 64];

static void make_inputs(void)
{
	static const uint8_t syn_opts[] = {
		0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x01, 0xe2, 0x40,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
	};
	uint8_t *ip = frame_v4 + 18, *tcp = ip + 20;

	memset(frame_v4, 0, sizeof(frame_v4));
	memcpy(frame_v4, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	pk_put_be16(frame_v4 + 12, PK_ETH_P_VLAN);
	pk_put_be16(frame_v4 + 14, 100);
	pk_put_be16(frame_v4 + 16, PK_ETH_P_IPV4);
	ip[0] = 0x45;
	pk_put_be16(ip + 2, 20 + 40);
	ip[8] = 64;
	ip[9] = PK_IPPROTO_TCP;
	memcpy(ip + 12, "\xc0\0\x02\x01\xc6\x33\x64\x07", 8);
	pk_ip4_csum_fill(ip, 20);
	tcp[12] = 10 << 4;
	tcp[13] = PK_TCP_SYN;
	memcpy(tcp + 20, syn_opts, sizeof(syn_opts));

	memset(pkt_v6, 0, sizeof(pkt_v6));
	pkt_v6[0] = 0x60;
	pk_put_be16(pkt_v6 + 4, sizeof(pkt_v6) - 40);
	pkt_v6[6] = PK_IPPROTO_HOPOPTS;
	pkt_v6[7] = 64;
	pkt_v6[40] = PK_IPPROTO_DSTOPTS;	/* hop-by-hop, 8 bytes */
	pkt_v6[48] = PK_IPPROTO_TCP;		/* destination options, 16 bytes */
	pkt_v6[49] = 1;
	pkt_v6[64 + 12] = 10 << 4;

	for (size_t i = 0; i < sizeof(data_buf); i++)
		data_buf[i] = (uint8_t)(i * 131 + 7);
}

/* --- cases ----------------------------------------------------------------- */

static void run_eth(const void *arg, uint64_t iters)
{
	struct pk_eth_view v = { 0 };

	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *p = bench_launder(frame_v4);

		bench_use(pk_eth_parse(p, sizeof(frame_v4), &v) + v.ethertype + v.l3_off);
	}
}

static void run_ip4(const void *arg, uint64_t iters)
{
	struct pk_ip4_view v = { 0 };

	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *p = bench_launder(frame_v4 + 18);

		bench_use(pk_ip4_parse(p, sizeof(frame_v4) - 18, &v) + v.proto + v.payload_len);
	}
}

static void run_ip4_csum(const void *arg, uint64_t iters)
{
	struct pk_ip4_view v = { 0 };

	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *p = bench_launder(frame_v4 + 18);

		bench_use(pk_ip4_parse(p, sizeof(frame_v4) - 18, &v) && pk_ip4_csum_ok(&v));
	}
}

static void run_ip6(const void *arg, uint64_t iters)
{
	struct pk_ip6_view v = { 0 };

	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *p = bench_launder(pkt_v6);

		bench_use(pk_ip6_parse(p, sizeof(pkt_v6), &v) + v.proto + v.l4_off);
	}
}

static void run_tcp_opts(const void *arg, uint64_t iters)
{
	struct pk_tcp_view t = { 0 };
	struct pk_tcp_opts o;

	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *p = bench_launder(frame_v4 + 38);

		pk_tcp_parse(p, sizeof(frame_v4) - 38, &t);
		bench_use(pk_tcp_opts_parse(&t, &o) + o.mss + o.wscale + o.ts_val);
	}
}

/* The in-run peer: RFC 1071 one byte at a time, as a first attempt would be. */
static uint16_t naive_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void run_csum(const void *arg, uint64_t iters)
{
	size_t len = *(const uint32_t *)arg;

	for (uint64_t i = 0; i < iters; i++)
		bench_use(pk_csum_partial(bench_launder(data_buf), len, 0));
}

static void run_csum_generic(const void *arg, uint64_t iters)
{
	size_t len = *(const uint32_t *)arg;

	for (uint64_t i = 0; i < iters; i++)
		bench_use(pk_csum_partial_impl(PK_CSUM_IMPL_GENERIC, bench_launder(data_buf),
					       len, 0));
}

static void run_csum_naive(const void *arg, uint64_t iters)
{
	size_t len = *(const uint32_t *)arg;

	for (uint64_t i = 0; i < iters; i++)
		bench_use(naive_csum(bench_launder(data_buf), len));
}

static void run_csum_unaligned(const void *arg, uint64_t iters)
{
	size_t len = *(const uint32_t *)arg;

	for (uint64_t i = 0; i < iters; i++)
		bench_use(pk_csum_partial(bench_launder(data_buf + 1), len, 0));
}

/* --- longest-prefix match -------------------------------------------------- */

#define LPM_ROUTES 1000
#define LPM_ADDRS 4096 /* power of two */

static struct pk_lpm_route lpm_routes4[LPM_ROUTES];
static uint8_t lpm_addrs4[LPM_ADDRS][4];
static uint8_t lpm_addrs6[LPM_ADDRS][16];
static struct pk_lpm *lpm_table4, *lpm_table6;

/* Routes near a few bases so they nest; addresses half inside routes. */
static void make_lpm(void)
{
	static const uint8_t lens6[] = { 32, 48, 64, 128 };
	struct pk_lpm_route r6[LPM_ROUTES];
	GRand *rnd = g_rand_new_with_seed(7);

	for (uint32_t i = 0; i < LPM_ROUTES; i++) {
		struct pk_lpm_route *r = &lpm_routes4[i];

		r->family = 4;
		r->len = (uint8_t)g_rand_int_range(rnd, 8, 33);
		r->addr[0] = (uint8_t)(10 + i % 4);
		for (uint32_t j = 1; j < 4; j++)
			r->addr[j] = (uint8_t)g_rand_int(rnd);
		r->value = i;
		r = &r6[i];
		r->family = 6;
		r->len = lens6[g_rand_int_range(rnd, 0, 4)];
		memcpy(r->addr, "\x20\x01\x0d\xb8", 4);
		r->addr[4] = (uint8_t)(i % 4);
		for (uint32_t j = 5; j < 16; j++)
			r->addr[j] = (uint8_t)g_rand_int(rnd);
		r->value = i;
	}
	/* Host bits cleared, so that a repeated prefix shows as equal bytes;
	 * random bytes may repeat one with another value: the last one wins. */
	for (uint32_t i = 0; i < LPM_ROUTES; i++) {
		for (uint32_t bit = lpm_routes4[i].len; bit < 32; bit++)
			lpm_routes4[i].addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
		for (uint32_t bit = r6[i].len; bit < 128; bit++)
			r6[i].addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	}
	for (uint32_t i = 0; i < LPM_ROUTES; i++)
		for (uint32_t j = i + 1; j < LPM_ROUTES; j++) {
			if (lpm_routes4[j].len == lpm_routes4[i].len &&
			    memcmp(lpm_routes4[j].addr, lpm_routes4[i].addr, 4) == 0)
				lpm_routes4[i].value = lpm_routes4[j].value;
			if (r6[j].len == r6[i].len && memcmp(r6[j].addr, r6[i].addr, 16) == 0)
				r6[i].value = r6[j].value;
		}
	lpm_table4 = pk_lpm_build(lpm_routes4, LPM_ROUTES, NULL, NULL);
	lpm_table6 = pk_lpm_build(r6, LPM_ROUTES, NULL, NULL);
	if (!lpm_table4 || !lpm_table6)
		abort();
	for (uint32_t i = 0; i < LPM_ADDRS; i++) {
		const struct pk_lpm_route *a = &lpm_routes4[i % LPM_ROUTES],
					  *b = &r6[i % LPM_ROUTES];

		memcpy(lpm_addrs4[i], a->addr, 4);
		memcpy(lpm_addrs6[i], b->addr, 16);
		if (i % 2) { /* elsewhere in the same cluster */
			lpm_addrs4[i][3] = (uint8_t)g_rand_int(rnd);
			lpm_addrs4[i][2] = (uint8_t)g_rand_int(rnd);
			lpm_addrs6[i][15] = (uint8_t)g_rand_int(rnd);
			lpm_addrs6[i][7] = (uint8_t)g_rand_int(rnd);
		}
	}
	g_rand_free(rnd);
}

static void run_lpm4(const void *arg, uint64_t iters)
{
	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *a = bench_launder(lpm_addrs4[i & (LPM_ADDRS - 1)]);

		bench_use(pk_lpm_lookup4(lpm_table4, a));
	}
}

static void run_lpm6(const void *arg, uint64_t iters)
{
	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *a = bench_launder(lpm_addrs6[i & (LPM_ADDRS - 1)]);

		bench_use(pk_lpm_lookup6(lpm_table6, a));
	}
}

/* The peer: every route compared, the longest match kept. */
static void run_lpm4_scan(const void *arg, uint64_t iters)
{
	(void)arg;
	for (uint64_t i = 0; i < iters; i++) {
		const uint8_t *a = bench_launder(lpm_addrs4[i & (LPM_ADDRS - 1)]);
		uint32_t addr = pk_get_be32(a), best = PK_LPM_NONE;
		int best_len = -1;

		for (uint32_t k = 0; k < LPM_ROUTES; k++) {
			const struct pk_lpm_route *r = &lpm_routes4[k];
			uint32_t mask = r->len ? UINT32_MAX << (32 - r->len) : 0;

			if (((addr ^ pk_get_be32(r->addr)) & mask) == 0 && (int)r->len > best_len) {
				best_len = r->len;
				best = r->value;
			}
		}
		bench_use(best);
	}
}

/* --- receive offload ------------------------------------------------------- */

#define GRO_SEGS 44u
#define GRO_MSS 1448u

/**
 * struct gro_input - A stream of segments to coalesce
 * @seg:	The segments, built once
 * @gro:	Coalescer
 * @super:	Their super-packet (for the segmentation case)
 */
struct gro_input {
	struct pk_buf *seg[GRO_SEGS];
	struct pk_gro *gro;
	struct pk_buf *super;
};

static struct gro_input gro_in[3]; /* IPv4 verify, IPv4 trusted, IPv6 verify */

static void make_gro(struct gro_input *in, bool v6, bool trusted)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN, thl = 32, l4_len = thl + GRO_MSS;
	struct pk_batch out;

	for (uint32_t i = 0; i < GRO_SEGS; i++) {
		struct pk_buf *b = pk_buf_alloc(iphl + l4_len);
		uint8_t *p = pk_buf_data(b), *th = p + iphl;
		uint32_t sum;

		memset(p, 0, iphl + thl);
		if (v6) {
			pk_put_be32(p, 6u << 28);
			pk_put_be16(p + 4, (uint16_t)l4_len);
			p[6] = PK_IPPROTO_TCP;
			p[7] = 64;
			p[8] = p[24] = 0xfd;
			p[23] = 1;
			p[39] = 2;
		} else {
			p[0] = 0x45;
			pk_put_be16(p + 2, (uint16_t)(iphl + l4_len));
			pk_put_be16(p + 4, (uint16_t)(100 + i));
			pk_put_be16(p + 6, PK_IP4_DF);
			p[8] = 64;
			p[9] = PK_IPPROTO_TCP;
			memcpy(p + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
			pk_ip4_csum_fill(p, iphl);
		}
		pk_put_be16(th, 40000);
		pk_put_be16(th + 2, 5201);
		pk_put_be32(th + 4, 1 + i * GRO_MSS);
		pk_put_be32(th + 8, 77);
		th[12] = (uint8_t)((thl / 4) << 4);
		th[13] = PK_TCP_ACK;
		pk_put_be16(th + 14, 4096);
		memcpy(th + 20, "\x01\x01\x08\x0a\0\0\0\x05\0\0\0\x06", 12);
		memcpy(th + thl, data_buf + i, GRO_MSS);
		sum = v6 ? pk_csum_pseudo6(p + 8, p + 24, PK_IPPROTO_TCP, l4_len)
			 : pk_csum_pseudo4(p + 12, p + 16, PK_IPPROTO_TCP, l4_len);
		pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len, sum)));
		if (trusted)
			b->csum = PK_CSUM_VERIFIED;
		in->seg[i] = b;
	}
	in->gro = pk_gro_new(0, 0);
	pk_batch_init(&out);
	for (uint32_t i = 0; i < GRO_SEGS; i++)
		pk_gro_add(in->gro, pk_buf_ref(in->seg[i]), &out);
	pk_gro_flush(in->gro, &out);
	if (out.n != 1 || out.buf[0]->gso_size != GRO_MSS)
		abort();
	in->super = out.buf[0];
}

static void free_gro(struct gro_input *in)
{
	for (uint32_t i = 0; i < GRO_SEGS; i++)
		pk_buf_unref(in->seg[i]);
	pk_buf_unref(in->super);
	pk_gro_free(in->gro);
}

/* One op: one segment added; every GRO_SEGS, the flush and the super-packet freed. */
static void run_gro(const void *arg, uint64_t iters)
{
	const struct gro_input *in = arg;
	struct pk_batch out;

	pk_batch_init(&out);
	for (uint64_t i = 0; i < iters; i++) {
		uint32_t k = (uint32_t)(i % GRO_SEGS);

		pk_gro_add(in->gro, pk_buf_ref(in->seg[k]), &out);
		if (k == GRO_SEGS - 1) {
			pk_gro_flush(in->gro, &out);
			pk_batch_unref_all(&out);
		}
	}
	pk_gro_flush(in->gro, &out);
	pk_batch_unref_all(&out);
}

/* The inverse, per segment: cut the super-packet into GRO_SEGS buffers. */
static void run_gso(const void *arg, uint64_t iters)
{
	const struct gro_input *in = arg;

	for (uint64_t i = 0; i < iters; i += GRO_SEGS) {
		struct pk_batch out;
		uint32_t pos = 0;

		pk_batch_init(&out);
		pk_gso_segment(in->super, 0, &pos, &out);
		pk_batch_unref_all(&out);
	}
}

static const uint32_t sizes[] = { 64, 576, 1500, 9000 };

int main(void)
{
	const struct bench_case parsers[] = {
		{ "eth parse (802.1Q)", 0, run_eth, NULL },
		{ "ip4 parse", 0, run_ip4, NULL },
		{ "ip4 parse + header checksum verify", 0, run_ip4_csum, NULL },
		{ "ip6 parse, 2 extension headers", 0, run_ip6, NULL },
		{ "tcp parse + options (MSS, SACK-perm, TS, WS)", 0, run_tcp_opts, NULL },
		{ "lpm lookup4, 1000 routes /8../32", 0, run_lpm4, NULL },
		{ "lpm lookup6, 1000 routes /32../128", 0, run_lpm6, NULL },
		{ "peer: linear scan of the 1000 IPv4 routes", 0, run_lpm4_scan, NULL },
	};
	static const struct bench_col columns[] = {
		{ "case", 44 }, { "ns/op", 8 }, { "throughput", 12 }, { "allocs/op", 9 },
	};
	char names[3][G_N_ELEMENTS(sizes)][64];

	make_inputs();
	make_lpm();
	make_gro(&gro_in[0], false, false);
	make_gro(&gro_in[1], false, true);
	make_gro(&gro_in[2], true, false);
	bench_print_conditions();
	printf("pk_csum_partial implementation: %s\n\n",
	       pk_csum_impl_available(PK_CSUM_IMPL_AVX2) ? "avx2" : "generic");
	bench_table_header(columns, G_N_ELEMENTS(columns));
	for (size_t i = 0; i < G_N_ELEMENTS(parsers); i++)
		bench_run(&parsers[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		struct bench_case c = { names[0][i], sizes[i], run_csum, &sizes[i] };

		snprintf(names[0][i], sizeof(names[0][i]), "checksum %u B", sizes[i]);
		bench_run(&c);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		struct bench_case c = { names[1][i], sizes[i], run_csum_generic, &sizes[i] };

		snprintf(names[1][i], sizeof(names[1][i]), "checksum %u B, portable path", sizes[i]);
		bench_run(&c);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		struct bench_case c = { names[2][i], sizes[i], run_csum_naive, &sizes[i] };

		snprintf(names[2][i], sizeof(names[2][i]), "peer: naive byte-wise RFC 1071, %u B",
			 sizes[i]);
		bench_run(&c);
	}
	{
		struct bench_case c = { "checksum 1500 B, odd start address", 1500,
					run_csum_unaligned, &sizes[2] };

		bench_run(&c);
	}
	{
		const struct bench_case gro[] = {
			{ "gro 44x1448 B TCP/IPv4 -> 1, verify, /seg", GRO_MSS, run_gro,
			  &gro_in[0] },
			{ "gro 44x1448 B TCP/IPv4 -> 1, trusted, /seg", GRO_MSS, run_gro,
			  &gro_in[1] },
			{ "gro 44x1448 B TCP/IPv6 -> 1, verify, /seg", GRO_MSS, run_gro,
			  &gro_in[2] },
			{ "gso the same super-packet -> 44, /seg", GRO_MSS, run_gso, &gro_in[0] },
		};

		for (size_t i = 0; i < G_N_ELEMENTS(gro); i++)
			bench_run(&gro[i]);
	}
	printf("\nPeer not run here: Go pktkit publishes 5.5 GB/s for a 1500 B checksum.\n");
	printf("LPM tables: IPv4 %zu routes, %zu KiB; IPv6 %zu routes, %zu KiB.\n",
	       pk_lpm_n_routes(lpm_table4, 4), pk_lpm_memory(lpm_table4) / 1024,
	       pk_lpm_n_routes(lpm_table6, 6), pk_lpm_memory(lpm_table6) / 1024);
	pk_lpm_free(lpm_table4);
	pk_lpm_free(lpm_table6);
	for (size_t i = 0; i < G_N_ELEMENTS(gro_in); i++)
		free_gro(&gro_in[i]);
	return 0;
}
