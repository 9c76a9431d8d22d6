/* SPDX-License-Identifier: MIT
 * bench-net.c - Micro benchmarks of the header views and the Internet checksum
 *
 * Prints a markdown table: ns/op, throughput (GB/s for checksums, Mpps for
 * parsers) and system allocations per op. After a calibration pass each case
 * runs three rounds of at least 0.2 s and the fastest is reported. The in-run
 * peer for the checksum is a naive byte-at-a-time RFC 1071 loop; the Go
 * pktkit library publishes 5.5 GB/s for a 1500-byte checksum (not measured
 * here: no Go toolchain in this build).
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

static const uint32_t sizes[] = { 64, 576, 1500, 9000 };

int main(void)
{
	const struct bench_case parsers[] = {
		{ "eth parse (802.1Q)", 0, run_eth, NULL },
		{ "ip4 parse", 0, run_ip4, NULL },
		{ "ip4 parse + header checksum verify", 0, run_ip4_csum, NULL },
		{ "ip6 parse, 2 extension headers", 0, run_ip6, NULL },
		{ "tcp parse + options (MSS, SACK-perm, TS, WS)", 0, run_tcp_opts, NULL },
	};
	static const struct bench_col columns[] = {
		{ "case", 44 }, { "ns/op", 8 }, { "throughput", 12 }, { "allocs/op", 9 },
	};
	char names[3][G_N_ELEMENTS(sizes)][64];

	make_inputs();
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
	printf("\nPeer not run here: Go pktkit publishes 5.5 GB/s for a 1500 B checksum.\n");
	return 0;
}
