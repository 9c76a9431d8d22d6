// SPDX-License-Identifier: MIT
/* test-gro.c - Software receive offload: pk_gro_add() coalesces what pk_gso_segment() cuts back byte for byte, and stops at every reason it must */
#include <errno.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/gro.h>
#include <pktkit/toolkit/gso.h>

#define F_FIN 0x01
#define F_SYN 0x02
#define F_PSH 0x08
#define F_ACK 0x10
#define F_CWR 0x80

static const uint8_t src4[4] = { 10, 0, 0, 1 }, dst4[4] = { 10, 0, 0, 2 };
static const uint8_t src6[16] = { 0xfd, 0, [15] = 1 }, dst6[16] = { 0xfd, 0, [15] = 2 };

/**
 * struct seg - One TCP segment to build
 * @v6:		IPv6
 * @i:		Index in the stream: sequence number and IP id follow from it
 * @mss:	Payload bytes of a full segment
 * @len:	Payload bytes of this one
 * @flags:	TCP flags (ACK unless given)
 * @ts:		Timestamps option (a 32-byte TCP header)
 * @tsval:	Its TSval
 * @ack:	Acknowledgement number
 * @win:	Window
 * @sport:	Source port
 * @ttl:	TTL / hop limit
 * @id_step:	IPv4 id per segment (1 normally)
 */
struct seg {
	bool v6;
	uint32_t i, mss, len;
	uint8_t flags;
	bool ts;
	uint32_t tsval, ack;
	uint16_t win, sport;
	uint8_t ttl;
	uint16_t id_step;
};

static struct seg seg_default(bool v6, uint32_t i)
{
	return (struct seg){ .v6 = v6,
			     .i = i,
			     .mss = 1448,
			     .len = 1448,
			     .flags = F_ACK,
			     .ts = true,
			     .tsval = 0xaabbccdd,
			     .ack = 0x01020304,
			     .win = 4096,
			     .sport = 40000,
			     .ttl = 64,
			     .id_step = 1 };
}

/* Build the packet of @s with complete checksums. */
static struct pk_buf *mk(const struct seg *s)
{
	uint32_t iphl = s->v6 ? PK_IP6_HLEN : PK_IP4_HLEN, thl = s->ts ? 32 : 20;
	uint32_t l4_len = thl + s->len, seq = 0xfffff000u + s->i * s->mss, sum;
	struct pk_buf *b = pk_buf_alloc(iphl + l4_len);
	uint8_t *p, *th;

	g_assert_nonnull(b);
	p = pk_buf_data(b);
	th = p + iphl;
	memset(p, 0, iphl + thl);
	if (s->v6) {
		pk_put_be32(p, 6u << 28 | 0x12345);
		pk_put_be16(p + 4, (uint16_t)l4_len);
		p[6] = PK_IPPROTO_TCP;
		p[7] = s->ttl;
		memcpy(p + 8, src6, 16);
		memcpy(p + 24, dst6, 16);
	} else {
		p[0] = 0x45;
		pk_put_be16(p + 2, (uint16_t)(iphl + l4_len));
		pk_put_be16(p + 4, (uint16_t)(0xfff0 + s->i * s->id_step));
		pk_put_be16(p + 6, PK_IP4_DF);
		p[8] = s->ttl;
		p[9] = PK_IPPROTO_TCP;
		memcpy(p + 12, src4, 4);
		memcpy(p + 16, dst4, 4);
		pk_ip4_csum_fill(p, iphl);
	}
	pk_put_be16(th, s->sport);
	pk_put_be16(th + 2, 5201);
	pk_put_be32(th + 4, seq);
	pk_put_be32(th + 8, s->ack);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = s->flags;
	pk_put_be16(th + 14, s->win);
	if (s->ts) {
		th[20] = 1;
		th[21] = 1;
		th[22] = 8;
		th[23] = 10;
		pk_put_be32(th + 24, s->tsval);
		pk_put_be32(th + 28, 0x11223344);
	}
	for (uint32_t k = 0; k < s->len; k++)
		th[thl + k] = (uint8_t)((s->i * s->mss + k) * 7 + 3);
	sum = s->v6 ? pk_csum_pseudo6(src6, dst6, PK_IPPROTO_TCP, l4_len)
		    : pk_csum_pseudo4(src4, dst4, PK_IPPROTO_TCP, l4_len);
	pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len, sum)));
	return b;
}

/* A packet kept for comparison: its bytes. */
struct kept {
	uint8_t *data;
	uint32_t len;
};

static void add_ok(struct pk_gro *gro, struct pk_buf *b, struct pk_batch *out)
{
	g_assert_cmpint(pk_gro_add(gro, b, out), ==, 0);
}

/* Segment every buffer of @out (ordinary ones copied) into a list of byte strings. */
static GPtrArray *cut(struct pk_batch *out)
{
	GPtrArray *res = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	for (uint32_t i = 0; i < out->n; i++) {
		struct pk_buf *b = out->buf[i];

		if (!pk_buf_needs_offload(b)) {
			g_ptr_array_add(res, g_bytes_new(pk_buf_data(b), pk_buf_len(b)));
			continue;
		}
		uint32_t pos = 0;
		int rc;

		do {
			struct pk_batch segs;

			pk_batch_init(&segs);
			rc = pk_gso_segment(b, 0, &pos, &segs);
			g_assert_cmpint(rc, >=, 0);
			for (uint32_t k = 0; k < segs.n; k++)
				g_ptr_array_add(res, g_bytes_new(pk_buf_data(segs.buf[k]),
								 pk_buf_len(segs.buf[k])));
			pk_batch_unref_all(&segs);
		} while (rc == 0);
	}
	return res;
}

static void check_same(GPtrArray *got, GPtrArray *want)
{
	g_assert_cmpuint(got->len, ==, want->len);
	for (uint32_t i = 0; i < got->len; i++)
		g_assert_true(g_bytes_equal(got->pdata[i], want->pdata[i]));
}

static GBytes *bytes_of(const struct pk_buf *b)
{
	return g_bytes_new(pk_buf_data(b), pk_buf_len(b));
}

static int64_t pool_in_use(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	return st.allocated;
}

/* Is @b a super-packet of @nseg segments of @mss payload bytes each (the last maybe less)? */
static void check_super(const struct pk_buf *b, bool v6, uint16_t mss, uint32_t payload)
{
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN;
	const uint8_t *p = pk_buf_data(b);

	g_assert_cmpuint(b->gso_size, ==, mss);
	g_assert_cmpuint(b->gso_type, ==, v6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
	g_assert_cmpuint(b->csum, ==, PK_CSUM_PARTIAL);
	g_assert_cmpint(pk_buf_csum_start(b), ==, (int32_t)iphl);
	g_assert_cmpuint(b->csum_offset, ==, 16);
	g_assert_cmpuint(pk_buf_len(b), ==, iphl + (uint32_t)(p[iphl + 12] >> 4) * 4 + payload);
	if (v6) {
		g_assert_cmpuint(pk_get_be16(p + 4), ==, pk_buf_len(b) - PK_IP6_HLEN);
	} else {
		g_assert_cmpuint(pk_get_be16(p + 2), ==, pk_buf_len(b));
		g_assert_cmpuint(pk_csum(p, PK_IP4_HLEN), ==, 0);
	}
}

/* 44 full segments with timestamps and a short PSH tail: one super-packet,
 * cut back byte for byte. */
static void roundtrip(bool v6, uint32_t nseg, uint32_t tail)
{
	int64_t base = pool_in_use();
	struct pk_gro *gro = pk_gro_new(0, 0);
	GPtrArray *want = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref), *got;
	struct pk_batch out;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < nseg; i++) {
		struct seg s = seg_default(v6, i);
		struct pk_buf *b;

		if (tail && i + 1 == nseg) {
			s.len = tail;
			s.flags |= F_PSH;
		}
		b = mk(&s);
		g_ptr_array_add(want, bytes_of(b));
		add_ok(gro, b, &out);
	}
	/* A short or PSH last segment ends the super-packet at once. */
	g_assert_cmpuint(out.n, ==, tail ? 1 : 0);
	g_assert_cmpint(pk_gro_flush(gro, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 0);
	check_super(out.buf[0], v6, 1448, (nseg - (tail ? 1 : 0)) * 1448 + tail);
	if (tail)
		g_assert_cmpuint(pk_buf_data(out.buf[0])[(v6 ? 40 : 20) + 13], ==, F_ACK | F_PSH);
	got = cut(&out);
	check_same(got, want);
	pk_batch_unref_all(&out);
	g_ptr_array_unref(got);
	g_ptr_array_unref(want);
	pk_gro_free(gro);
	g_assert_cmpint(pool_in_use(), ==, base);
}

static void test_roundtrip(void)
{
	roundtrip(false, 44, 0);
	roundtrip(true, 44, 0);
	roundtrip(false, 10, 500);
	roundtrip(true, 10, 500);
	roundtrip(false, 2, 0);
}

/* A single segment leaves as the buffer that came in, checksum verified. */
static void test_single(void)
{
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct seg s = seg_default(false, 0);
	struct pk_buf *b = mk(&s), *shared = mk(&s);
	struct pk_batch out;

	pk_batch_init(&out);
	add_ok(gro, b, &out);
	g_assert_cmpuint(out.n, ==, 0);
	g_assert_cmpint(pk_gro_flush(gro, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_true(out.buf[0] == b);
	g_assert_cmpuint(b->gso_size, ==, 0);
	g_assert_cmpuint(b->csum, ==, PK_CSUM_VERIFIED);
	pk_batch_unref_all(&out);

	/* A shared buffer is not written. */
	pk_buf_ref(shared);
	add_ok(gro, shared, &out);
	pk_gro_flush(gro, &out);
	g_assert_true(out.buf[0] == shared);
	g_assert_cmpuint(shared->csum, ==, PK_CSUM_NONE);
	pk_batch_unref_all(&out);
	pk_buf_unref(shared);
	pk_gro_free(gro);
}

/* A shared first segment is copied into a new buffer, never written. */
static void test_shared_head(void)
{
	int64_t base = pool_in_use();
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct seg s0 = seg_default(true, 0), s1 = seg_default(true, 1);
	struct pk_buf *b0 = mk(&s0);
	GBytes *orig = bytes_of(b0);
	struct pk_batch out;

	pk_batch_init(&out);
	pk_buf_ref(b0);
	add_ok(gro, b0, &out);
	add_ok(gro, mk(&s1), &out);
	pk_gro_flush(gro, &out);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_true(out.buf[0] != b0);
	check_super(out.buf[0], true, 1448, 2 * 1448);
	g_assert_cmpmem(pk_buf_data(b0), pk_buf_len(b0), g_bytes_get_data(orig, NULL),
			g_bytes_get_size(orig));
	g_assert_cmpuint(b0->csum, ==, PK_CSUM_NONE);
	pk_batch_unref_all(&out);
	pk_buf_unref(b0);
	g_bytes_unref(orig);
	pk_gro_free(gro);
	g_assert_cmpint(pool_in_use(), ==, base);
}

enum brk {
	BRK_GAP,
	BRK_ACK,
	BRK_WIN,
	BRK_TSVAL,
	BRK_NO_OPTS,
	BRK_FIN,
	BRK_SYN,
	BRK_CWR,
	BRK_BIGGER,
	BRK_BAD_CSUM,
	BRK_PURE_ACK,
	BRK_TTL,
	BRK_IP_ID,
	BRK_PAD,
	BRK_SUPER,
};

/*
 * Three segments open a flow, then the fourth breaks it. @opens: the breaking
 * packet is a clean data segment that opens a flow of its own (so it leaves
 * on the flush); otherwise it passes at once, after the three.
 */
static void check_break(bool v6, enum brk why, bool opens)
{
	int64_t base = pool_in_use();
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct seg s = seg_default(v6, 3);
	GPtrArray *want = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref), *got;
	struct pk_batch out;
	struct pk_buf *b;
	uint8_t *p;
	uint32_t iphl = v6 ? PK_IP6_HLEN : PK_IP4_HLEN;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < 3; i++) {
		struct seg s0 = seg_default(v6, i);

		b = mk(&s0);
		g_ptr_array_add(want, bytes_of(b));
		add_ok(gro, b, &out);
	}
	g_assert_cmpuint(out.n, ==, 0);
	switch (why) {
	case BRK_GAP:
		s.i = 4;
		break;
	case BRK_ACK:
		s.ack++;
		break;
	case BRK_WIN:
		s.win++;
		break;
	case BRK_TSVAL:
		s.tsval++;
		break;
	case BRK_NO_OPTS:
		s.ts = false;
		break;
	case BRK_FIN:
		s.flags |= F_FIN;
		break;
	case BRK_SYN:
		s.flags |= F_SYN;
		break;
	case BRK_CWR:
		s.flags |= F_CWR;
		break;
	case BRK_BIGGER:
		s.len = 1449;
		break;
	case BRK_TTL:
		s.ttl = 63;
		break;
	case BRK_IP_ID:
		s.id_step = 2;
		break;
	case BRK_PURE_ACK:
		s.len = 0;
		break;
	default:
		break;
	}
	b = mk(&s);
	p = pk_buf_data(b);
	if (why == BRK_BAD_CSUM)
		p[pk_buf_len(b) - 1] ^= 0x55;
	if (why == BRK_PAD)
		memset(pk_buf_put(b, 4), 0, 4);
	if (why == BRK_SUPER) {
		/* A packet with offload metadata of its own (already a super-packet). */
		pk_buf_set_gso(b, 1000, v6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
		pk_buf_set_csum_partial(b, iphl, 16);
	}
	g_ptr_array_add(want, bytes_of(b));
	add_ok(gro, b, &out);
	if (opens) {
		/* The three leave as one super-packet, the fourth waits. */
		g_assert_cmpuint(out.n, ==, 1);
		g_assert_cmpuint(pk_gro_pending(gro), ==, 1);
	} else {
		g_assert_cmpuint(out.n, ==, 2);
		g_assert_true(out.buf[1] == b);
		g_assert_cmpuint(pk_gro_pending(gro), ==, 0);
	}
	check_super(out.buf[0], v6, 1448, 3 * 1448);
	pk_gro_flush(gro, &out);
	g_assert_cmpuint(out.n, ==, 2);
	if (why != BRK_SUPER) {
		got = cut(&out);
		check_same(got, want);
		g_ptr_array_unref(got);
	}
	pk_batch_unref_all(&out);
	g_ptr_array_unref(want);
	pk_gro_free(gro);
	g_assert_cmpint(pool_in_use(), ==, base);
}

static void test_breaks(void)
{
	for (int v6 = 0; v6 <= 1; v6++) {
		check_break(v6, BRK_GAP, true);
		check_break(v6, BRK_ACK, true);
		check_break(v6, BRK_WIN, true);
		check_break(v6, BRK_TSVAL, true);
		check_break(v6, BRK_NO_OPTS, true);
		check_break(v6, BRK_BIGGER, true);
		check_break(v6, BRK_TTL, true);
		check_break(v6, BRK_FIN, false);
		check_break(v6, BRK_SYN, false);
		check_break(v6, BRK_CWR, false);
		check_break(v6, BRK_BAD_CSUM, false);
		check_break(v6, BRK_PURE_ACK, false);
		check_break(v6, BRK_PAD, false);
		check_break(v6, BRK_SUPER, false);
	}
	check_break(false, BRK_IP_ID, true);
}

/* The checksum of a segment marked PK_CSUM_VERIFIED is trusted (the caller's rule). */
static void test_trust_verified(void)
{
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct seg s0 = seg_default(false, 0), s1 = seg_default(false, 1);
	struct pk_buf *b1 = mk(&s1);
	struct pk_batch out;

	pk_batch_init(&out);
	pk_buf_data(b1)[pk_buf_len(b1) - 1] ^= 0x55;
	b1->csum = PK_CSUM_VERIFIED;
	add_ok(gro, mk(&s0), &out);
	add_ok(gro, b1, &out);
	pk_gro_flush(gro, &out);
	g_assert_cmpuint(out.n, ==, 1);
	check_super(out.buf[0], false, 1448, 2 * 1448);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
}

/* PSH and a short segment end the super-packet; a short first segment cannot grow. */
static void test_end_of_packet(void)
{
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct pk_batch out;
	struct seg s;

	pk_batch_init(&out);
	/* A first segment with PSH passes alone at once. */
	s = seg_default(false, 0);
	s.flags |= F_PSH;
	add_ok(gro, mk(&s), &out);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_cmpuint(out.buf[0]->gso_size, ==, 0);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 0);
	pk_batch_unref_all(&out);

	/* Full, full, short: leaves at the short one. */
	for (uint32_t i = 0; i < 3; i++) {
		s = seg_default(false, i);
		if (i == 2)
			s.len = 100;
		add_ok(gro, mk(&s), &out);
	}
	g_assert_cmpuint(out.n, ==, 1);
	check_super(out.buf[0], false, 1448, 2 * 1448 + 100);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 0);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
}

/* The 64 KB limit and a caller's smaller one. */
static void check_cap(uint32_t max_len, uint32_t per_super)
{
	int64_t base = pool_in_use();
	struct pk_gro *gro = pk_gro_new(0, max_len);
	GPtrArray *want = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref), *got;
	struct pk_batch out;
	uint32_t nseg = per_super + 3;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < nseg; i++) {
		struct seg s = seg_default(false, i);
		struct pk_buf *b;

		s.ts = false;
		b = mk(&s);
		g_ptr_array_add(want, bytes_of(b));
		add_ok(gro, b, &out);
	}
	/* The full super-packet left as soon as no segment fitted any more. */
	g_assert_cmpuint(out.n, ==, 1);
	check_super(out.buf[0], false, 1448, per_super * 1448);
	g_assert_cmpuint(pk_buf_len(out.buf[0]), <=, max_len ? max_len : 65535);
	pk_gro_flush(gro, &out);
	g_assert_cmpuint(out.n, ==, 2);
	check_super(out.buf[1], false, 1448, 3 * 1448);
	got = cut(&out);
	check_same(got, want);
	g_ptr_array_unref(got);
	g_ptr_array_unref(want);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
	g_assert_cmpint(pool_in_use(), ==, base);
}

static void test_cap(void)
{
	check_cap(0, 45);   /* 40 + 45 * 1448 = 65200 */
	check_cap(8000, 5); /* 40 + 5 * 1448 = 7280 */
}

/* Flows interleave; flush emits them oldest first; a full table emits its oldest. */
static void test_flows(void)
{
	int64_t base = pool_in_use();
	struct pk_gro *gro = pk_gro_new(2, 0);
	struct pk_batch out;
	struct seg a, b, c;

	pk_batch_init(&out);
	for (uint32_t i = 0; i < 3; i++) {
		a = seg_default(false, i);
		b = seg_default(false, i);
		b.sport = 40001;
		add_ok(gro, mk(&b), &out);
		add_ok(gro, mk(&a), &out);
	}
	g_assert_cmpuint(out.n, ==, 0);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 2);
	/* A third flow: the oldest (b) leaves. */
	c = seg_default(true, 0);
	add_ok(gro, mk(&c), &out);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(out.buf[0]) + 20), ==, 40001);
	check_super(out.buf[0], false, 1448, 3 * 1448);
	pk_gro_flush(gro, &out);
	g_assert_cmpuint(out.n, ==, 3);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(out.buf[1]) + 20), ==, 40000);
	check_super(out.buf[1], false, 1448, 3 * 1448);
	g_assert_cmpuint(pk_buf_data(out.buf[2])[0] >> 4, ==, 6);
	g_assert_cmpuint(out.buf[2]->gso_size, ==, 0);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
	g_assert_cmpint(pool_in_use(), ==, base);
}

/* Other traffic: UDP overtakes a held flow; TCP with IPv4 options flushes its address pair. */
static void test_passthrough(void)
{
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct seg s0 = seg_default(false, 0), s1 = seg_default(false, 1);
	struct pk_batch out;
	struct pk_buf *udp, *opt, *junk;
	uint8_t *p;

	pk_batch_init(&out);
	add_ok(gro, mk(&s0), &out);
	add_ok(gro, mk(&s1), &out);

	udp = mk(&s0);
	p = pk_buf_data(udp);
	p[9] = PK_IPPROTO_UDP;
	add_ok(gro, udp, &out);
	g_assert_cmpuint(out.n, ==, 1);
	g_assert_true(out.buf[0] == udp);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 1);

	junk = pk_buf_new_copy("\x00\x01\x02", 3);
	add_ok(gro, junk, &out);
	g_assert_true(out.buf[1] == junk);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 1);

	/* The same addresses, IPv4 options (ports unknown to the coalescer). */
	opt = pk_buf_alloc(24 + 20);
	p = pk_buf_data(opt);
	memset(p, 0, 44);
	p[0] = 0x46;
	pk_put_be16(p + 2, 44);
	p[9] = PK_IPPROTO_TCP;
	memcpy(p + 12, src4, 4);
	memcpy(p + 16, dst4, 4);
	add_ok(gro, opt, &out);
	g_assert_cmpuint(out.n, ==, 4);
	check_super(out.buf[2], false, 1448, 2 * 1448);
	g_assert_true(out.buf[3] == opt);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 0);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
}

/* -ENOSPC when @out may not take what a call can add; nothing is consumed. */
static void test_nospace(void)
{
	struct pk_gro *gro = pk_gro_new(0, 0);
	struct seg s0 = seg_default(false, 0), a = seg_default(false, 0);
	struct pk_buf *b;
	struct pk_batch out;

	pk_batch_init(&out);
	add_ok(gro, mk(&s0), &out);
	a.sport = 1;
	b = mk(&a);
	out.n = PK_BATCH_MAX - 1; /* pretend: no buffer is read past n */
	g_assert_cmpint(pk_gro_add(gro, b, &out), ==, -ENOSPC);
	g_assert_cmpuint(out.n, ==, PK_BATCH_MAX - 1);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 1);
	out.n = PK_BATCH_MAX;
	g_assert_cmpint(pk_gro_flush(gro, &out), ==, 0);
	out.n = 0;
	add_ok(gro, b, &out);
	g_assert_cmpint(pk_gro_flush(gro, &out), ==, 1);
	g_assert_cmpuint(out.n, ==, 2);
	pk_batch_unref_all(&out);
	pk_gro_free(gro);
}

/* Freeing a coalescer drops what it holds; limits are clamped. */
static void test_free_held(void)
{
	int64_t base = pool_in_use();
	struct pk_gro *gro = pk_gro_new(1000, 10);
	struct seg s0 = seg_default(false, 0), s1 = seg_default(false, 1);
	struct pk_batch out;

	/* 1280 bytes at least: room for more than one 100-byte segment. */
	s0.mss = s0.len = s1.mss = s1.len = 100;
	pk_batch_init(&out);
	add_ok(gro, mk(&s0), &out);
	add_ok(gro, mk(&s1), &out);
	g_assert_cmpuint(out.n, ==, 0);
	g_assert_cmpuint(pk_gro_pending(gro), ==, 1);
	pk_gro_free(gro);
	pk_gro_free(NULL);
	g_assert_cmpint(pool_in_use(), ==, base);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gro/roundtrip", test_roundtrip);
	g_test_add_func("/gro/single", test_single);
	g_test_add_func("/gro/shared-head", test_shared_head);
	g_test_add_func("/gro/breaks", test_breaks);
	g_test_add_func("/gro/trust-verified", test_trust_verified);
	g_test_add_func("/gro/end-of-packet", test_end_of_packet);
	g_test_add_func("/gro/cap", test_cap);
	g_test_add_func("/gro/flows", test_flows);
	g_test_add_func("/gro/passthrough", test_passthrough);
	g_test_add_func("/gro/nospace", test_nospace);
	g_test_add_func("/gro/free-held", test_free_held);
	return g_test_run();
}
