/* SPDX-License-Identifier: MIT
 * test-nat-seqadj.c - TCP sequence adjustment: deltas, retransmissions, wraparound, SACK, checksums
 */
#include <string.h>
#include <glib.h>

#include <pktkit/checksum.h>
#include <pktkit/l4.h>

#include "nat-seqadj.h"

/* A change of +5 at 1000 (a 20-byte segment became 25 bytes). */
static void test_one_delta(void)
{
	struct nat_seqadj sa;

	nat_seqadj_init(&sa);
	g_assert_false(nat_seqadj_active(&sa));
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 20, 25));
	g_assert_true(nat_seqadj_active(&sa));
	/* Before and at the rewritten segment: no shift. */
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 900), ==, 900);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1000), ==, 1000);
	/* The next segment. */
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1020), ==, 1025);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 50000), ==, 50005);
	/* The other direction's sequence numbers do not move. */
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_IN, 1020), ==, 1020);
	/* Acks from the receiver: 1025 (all of the rewritten segment) is 1020. */
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_OUT, 1000), ==, 1000);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_OUT, 1025), ==, 1020);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_OUT, 2025), ==, 2020);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_IN, 2025), ==, 2025);
}

/* Shrinking, then growing: the deltas add up. */
static void test_several_deltas(void)
{
	struct nat_seqadj sa;

	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_IN, 100, 30, 27)); /* -3 */
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_IN, 200, 30, 40)); /* +10 */
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_IN, 100), ==, 100);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_IN, 130), ==, 127);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_IN, 200), ==, 197);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_IN, 230), ==, 237);
	/* Acks back: the receiver saw 100..127, 127..197, 197..237. */
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_IN, 127), ==, 130);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_IN, 197), ==, 200);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_IN, 237), ==, 230);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_IN, 1237), ==, 1230);
	/* Equal lengths record nothing. */
	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_IN, 5, 10, 10));
	g_assert_false(nat_seqadj_active(&sa));
}

static void test_retransmission(void)
{
	struct nat_seqadj sa;

	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 20, 25));
	/* The rewritten segment again, rewritten again: recorded once. */
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 20, 25));
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 20, 25));
	g_assert_cmpuint(sa.d[NAT_DIR_OUT].n, ==, 1);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1000), ==, 1000);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1020), ==, 1025);
	/* Rewritten differently the second time: refused, the first kept. */
	g_assert_false(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 20, 24));
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1020), ==, 1025);
	/* A later change, then a retransmission of data from before both. */
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 3000, 20, 22));
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 500), ==, 500);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 2000), ==, 2005);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 3000), ==, 3005);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 3020), ==, 3027);
	/* Too large a change. */
	g_assert_false(nat_seqadj_record(&sa, NAT_DIR_OUT, 9000, 0, 70000));
}

static void test_wraparound(void)
{
	struct nat_seqadj sa;

	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 0xfffffff0u, 20, 30));
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 0xffffffe0u), ==, 0xffffffe0u);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 0xfffffff0u), ==, 0xfffffff0u);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 4), ==, 14); /* 0xfffffff0 + 20 */
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 0xfffffffau), ==, 4);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_OUT, 14), ==, 4);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_OUT, 0xfffffff0u), ==, 0xfffffff0u);
	/* A shrink across zero. */
	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_IN, 0xfffffffeu, 10, 4));
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_IN, 8), ==, 2);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_IN, 2), ==, 8);
	/* A point half the sequence space behind a new one is folded, not misread. */
	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 10, 12));
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000 + 0x70000000u, 10, 13));
	g_assert_cmpuint(sa.d[NAT_DIR_OUT].n, ==, 1);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1010 + 0x70000000u), ==,
			 1015 + 0x70000000u);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 1000 + 0x70000000u), ==,
			 1002 + 0x70000000u);
}

static void test_many_points(void)
{
	struct nat_seqadj sa;

	nat_seqadj_init(&sa);
	for (uint32_t k = 0; k < 3 * NAT_SEQADJ_POINTS; k++)
		g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 100 * k, 10, 11));
	g_assert_cmpuint(sa.d[NAT_DIR_OUT].n, ==, NAT_SEQADJ_POINTS);
	/* Recent ones are exact; everything after all of them is +24. */
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 100 * 23), ==, 100 * 23 + 23);
	g_assert_cmpuint(nat_seqadj_map_seq(&sa, NAT_DIR_OUT, 100 * 23 + 10), ==, 100 * 23 + 34);
	g_assert_cmpuint(nat_seqadj_map_ack(&sa, NAT_DIR_OUT, 100 * 23 + 34), ==, 100 * 23 + 10);
}

/* A TCP header with an ACK and SACK option, checksum valid over a pseudo header. */
static size_t build_tcp(uint8_t *t, uint32_t seq, uint32_t ack, bool odd_sack,
			const uint32_t sack[4])
{
	size_t o = 20;

	memset(t, 0, 60);
	pk_put_be16(t, 1234);
	pk_put_be16(t + 2, 21);
	pk_put_be32(t + 4, seq);
	pk_put_be32(t + 8, ack);
	t[13] = PK_TCP_ACK;
	pk_put_be16(t + 14, 1000);
	if (odd_sack) {
		t[o++] = PK_TCP_OPT_NOP; /* blocks at an odd offset */
	} else {
		t[o++] = PK_TCP_OPT_NOP;
		t[o++] = PK_TCP_OPT_NOP;
	}
	t[o++] = PK_TCP_OPT_SACK;
	t[o++] = 18;
	for (int k = 0; k < 4; k++, o += 4)
		pk_put_be32(t + o, sack[k]);
	while (o % 4)
		t[o++] = PK_TCP_OPT_EOL;
	t[12] = (uint8_t)((o / 4) << 4);
	memcpy(t + o, "data", 4);
	o += 4;
	pk_put_be16(t + 16, pk_csum(t, o));
	return o;
}

static void test_apply_tcp(void)
{
	struct nat_seqadj sa;
	uint8_t t[64];
	uint8_t ref[64];
	struct pk_tcp_view v;
	struct pk_tcp_opts opts;

	nat_seqadj_init(&sa);
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_OUT, 1000, 20, 25)); /* out: +5 */
	g_assert_true(nat_seqadj_record(&sa, NAT_DIR_IN, 7000, 10, 7));	  /* in: -3 */
	for (int odd = 0; odd < 2; odd++) {
		const uint32_t sack[4] = { 1025, 1100, 1200, 1300 };
		size_t n = build_tcp(t, 8000, 1025, odd, sack);
		const uint32_t want_sack[4] = { 1020, 1095, 1195, 1295 };
		size_t m;

		/* An outbound segment: seq moves by the out delta, ack/SACK by the in one. */
		g_assert_true(nat_seqadj_apply_tcp(&sa, NAT_DIR_IN, t, n));
		g_assert_true(pk_tcp_parse(t, (uint32_t)n, &v));
		g_assert_cmpuint(v.seq, ==, 7997);
		g_assert_cmpuint(v.ack, ==, 1020);
		g_assert_true(pk_tcp_opts_parse(&v, &opts));
		g_assert_cmpuint(opts.n_sack, ==, 2);
		for (int k = 0; k < 2; k++) {
			g_assert_cmpuint(opts.sack[k].left, ==, want_sack[2 * k]);
			g_assert_cmpuint(opts.sack[k].right, ==, want_sack[2 * k + 1]);
		}
		/* The incremental checksum equals a recomputation. */
		memcpy(ref, t, n);
		ref[16] = ref[17] = 0;
		pk_put_be16(ref + 16, pk_csum(ref, n));
		g_assert_cmpmem(t, n, ref, n);
		/* Without ACK only the sequence number moves. */
		m = build_tcp(t, 1020, 7, odd, sack);
		t[13] = 0;
		t[16] = t[17] = 0;
		pk_put_be16(t + 16, pk_csum(t, m));
		g_assert_true(nat_seqadj_apply_tcp(&sa, NAT_DIR_OUT, t, m));
		g_assert_cmpuint(pk_get_be32(t + 4), ==, 1025);
		g_assert_cmpuint(pk_get_be32(t + 8), ==, 7);
		memcpy(ref, t, m);
		ref[16] = ref[17] = 0;
		pk_put_be16(ref + 16, pk_csum(ref, m));
		g_assert_cmpmem(t, m, ref, m);
	}
	/* A short or malformed header is left alone. */
	memset(t, 0, sizeof(t));
	g_assert_false(nat_seqadj_apply_tcp(&sa, NAT_DIR_OUT, t, 19));
	t[12] = 0x40; /* data offset 4 */
	g_assert_false(nat_seqadj_apply_tcp(&sa, NAT_DIR_OUT, t, 40));
	t[12] = 0xf0; /* 60 bytes, only 40 there */
	g_assert_false(nat_seqadj_apply_tcp(&sa, NAT_DIR_OUT, t, 40));
	/* A SACK option running past the header stops the walk, nothing past it read. */
	memset(t, 0, sizeof(t));
	t[12] = 0x60;
	t[13] = PK_TCP_ACK;
	t[20] = PK_TCP_OPT_SACK;
	t[21] = 34;
	g_assert_true(nat_seqadj_apply_tcp(&sa, NAT_DIR_OUT, t, 24));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/seqadj/one-delta", test_one_delta);
	g_test_add_func("/nat/seqadj/several-deltas", test_several_deltas);
	g_test_add_func("/nat/seqadj/retransmission", test_retransmission);
	g_test_add_func("/nat/seqadj/wraparound", test_wraparound);
	g_test_add_func("/nat/seqadj/many-points", test_many_points);
	g_test_add_func("/nat/seqadj/apply-tcp", test_apply_tcp);
	return g_test_run();
}
