/* SPDX-License-Identifier: MIT
 * test-checksum.c - Internet checksum: vectors, every implementation against a reference, RFC 1624
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>

/* RFC 1071 done the slow, obvious way: big-endian words, odd byte padded. */
static uint16_t ref_csum_sum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t ref_csum(const uint8_t *p, size_t len)
{
	return (uint16_t)~ref_csum_sum(p, len);
}

static void fill_random(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)g_test_rand_int();
}

/* Known frames, checksums verified with tcpdump -vv (tests/fuzz/gen-views-corpus.py). */
static const uint8_t udp4_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x28, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x11,
	0x32, 0x43, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x9c, 0x40,
	0x00, 0x35, 0x00, 0x14, 0x7a, 0xbd, 0x12, 0x34, 0x70, 0x6b, 0x74, 0x6b,
	0x69, 0x74, 0x2d, 0x64, 0x6e, 0x73,
};

static const uint8_t udp6_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x60, 0x01, 0x23, 0x45, 0x00, 0x14, 0x11, 0x40, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x14, 0xe9, 0x14, 0xe9, 0x00, 0x14,
	0x26, 0x3b, 0x70, 0x6b, 0x74, 0x6b, 0x69, 0x74, 0x2d, 0x6d, 0x64, 0x6e,
	0x73, 0x21,
};

static const uint8_t tcp4_syn_frame[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
	0x32, 0x3a, 0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x07, 0x9c, 0x41,
	0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
	0xff, 0xff, 0xdc, 0xef, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
	0x08, 0x0a, 0x00, 0x01, 0xe2, 0x40, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
	0x03, 0x07,
};

static void test_rfc1071_example(void)
{
	/* RFC 1071 section 3: the sum of these bytes is ddf2, so the checksum 220d. */
	static const uint8_t data[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t sum = pk_csum_partial(data, sizeof(data), 0);

	g_assert_cmphex(pk_csum_fold(sum), ==, 0x220d);
	g_assert_cmphex((uint16_t)~pk_csum_fold(sum), ==, 0xddf2);
	g_assert_cmphex(pk_csum(data, sizeof(data)), ==, 0x220d);
	/* Chained in two even blocks, and through pk_csum_add(). */
	sum = pk_csum_partial(data + 4, 4, pk_csum_partial(data, 4, 0));
	g_assert_cmphex(pk_csum_fold(sum), ==, 0x220d);
	sum = pk_csum_add(pk_csum_partial(data, 2, 0), pk_csum_partial(data + 2, 6, 0));
	g_assert_cmphex(pk_csum_fold(sum), ==, 0x220d);
}

static void test_ip4_header(void)
{
	/* The classic example header: checksum b861. */
	uint8_t hdr[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};

	g_assert_true(pk_csum_ok(hdr, sizeof(hdr), 0));
	pk_ip4_csum_fill(hdr, sizeof(hdr));
	g_assert_cmphex(pk_get_be16(hdr + 10), ==, 0xb861);
	hdr[10] = hdr[11] = 0;
	g_assert_cmphex(pk_csum(hdr, sizeof(hdr)), ==, 0xb861);
	hdr[15] ^= 1;
	g_assert_false(pk_csum_ok(hdr, sizeof(hdr), 0));
}

/* Recompute an L4 checksum at @at after zeroing it; it must equal the original. */
static uint16_t recompute_l4(const uint8_t *seg, size_t len, size_t at, uint32_t pseudo)
{
	uint8_t copy[128];

	g_assert_cmpuint(len, <=, sizeof(copy));
	memcpy(copy, seg, len);
	copy[at] = copy[at + 1] = 0;
	return pk_csum_fold(pk_csum_partial(copy, len, pseudo));
}

static void test_udp4_vector(void)
{
	const uint8_t *ip = udp4_frame + 14;
	const uint8_t *udp = ip + 20;
	size_t udp_len = sizeof(udp4_frame) - 34;
	uint32_t pseudo = pk_csum_pseudo4(ip + 12, ip + 16, PK_IPPROTO_UDP, (uint32_t)udp_len);

	g_assert_true(pk_csum_ok(ip, 20, 0));
	g_assert_cmphex(recompute_l4(ip, 20, 10, 0), ==, 0x3243);
	g_assert_true(pk_csum_ok(udp, udp_len, pseudo));
	g_assert_cmphex(recompute_l4(udp, udp_len, 6, pseudo), ==, 0x7abd);
}

static void test_udp6_vector(void)
{
	const uint8_t *ip = udp6_frame + 14;
	const uint8_t *udp = ip + 40;
	size_t udp_len = sizeof(udp6_frame) - 54;
	uint32_t pseudo = pk_csum_pseudo6(ip + 8, ip + 24, PK_IPPROTO_UDP, (uint32_t)udp_len);

	g_assert_true(pk_csum_ok(udp, udp_len, pseudo));
	g_assert_cmphex(recompute_l4(udp, udp_len, 6, pseudo), ==, 0x263b);
	/* A 32-bit length splits into two words (jumbo-sized lengths). */
	g_assert_cmphex(pk_csum_fold(pk_csum_pseudo6(ip + 8, ip + 24, 17, 0x10014)), ==,
			pk_csum_fold(pk_csum_add(pseudo, 1)));
}

static void test_tcp4_vector(void)
{
	const uint8_t *ip = tcp4_syn_frame + 14;
	const uint8_t *tcp = ip + 20;
	size_t tcp_len = sizeof(tcp4_syn_frame) - 34;
	uint32_t pseudo = pk_csum_pseudo4(ip + 12, ip + 16, PK_IPPROTO_TCP, (uint32_t)tcp_len);

	g_assert_cmphex(recompute_l4(ip, 20, 10, 0), ==, 0x323a);
	g_assert_cmphex(recompute_l4(tcp, tcp_len, 16, pseudo), ==, 0xdcef);
}

static void test_odd_lengths(void)
{
	static const uint8_t one[] = { 0xab };
	static const uint8_t three[] = { 0x12, 0x34, 0x56 };

	/* An odd last byte is the high byte of a word padded with zero. */
	g_assert_cmphex(pk_csum(one, 1), ==, (uint16_t)~0xab00);
	g_assert_cmphex(pk_csum(three, 3), ==, (uint16_t)~(0x1234 + 0x5600));
	g_assert_cmphex(pk_csum(three, 0), ==, 0xffff);
	/* An even first block chains with an odd last block. */
	g_assert_cmphex(pk_csum_fold(pk_csum_partial(three + 2, 1, pk_csum_partial(three, 2, 0))),
			==, pk_csum(three, 3));
}

static void check_impl_matches_reference(enum pk_csum_impl impl)
{
	enum { MAX_LEN = 2000, MAX_ALIGN = 16 };
	g_autofree uint8_t *buf = g_malloc(MAX_LEN + MAX_ALIGN);

	fill_random(buf, MAX_LEN + MAX_ALIGN);
	for (size_t align = 0; align < MAX_ALIGN; align++) {
		for (size_t len = 0; len <= MAX_LEN; len++) {
			const uint8_t *p = buf + align;
			uint16_t want = ref_csum(p, len);
			uint32_t sum = pk_csum_partial_impl(impl, p, len, 0);

			if (pk_csum_fold(sum) != want)
				g_error("impl %d align %zu len %zu: got %04x want %04x", impl,
					align, len, pk_csum_fold(sum), want);
		}
	}
}

static void test_impl_auto(void)
{
	check_impl_matches_reference(PK_CSUM_IMPL_AUTO);
}

static void test_impl_generic(void)
{
	check_impl_matches_reference(PK_CSUM_IMPL_GENERIC);
}

static void test_impl_avx2(void)
{
	if (!pk_csum_impl_available(PK_CSUM_IMPL_AVX2)) {
		g_test_skip("CPU has no AVX2");
		return;
	}
	check_impl_matches_reference(PK_CSUM_IMPL_AVX2);
}

/* Carries galore: every word 0xffff, lengths up to 64 KiB, all implementations. */
static void test_all_ones(void)
{
	enum { LEN = 65536 + 7 };
	static const enum pk_csum_impl impls[] = {
		PK_CSUM_IMPL_AUTO, PK_CSUM_IMPL_GENERIC, PK_CSUM_IMPL_AVX2,
	};
	g_autofree uint8_t *buf = g_malloc(LEN);

	memset(buf, 0xff, LEN);
	for (size_t i = 0; i < G_N_ELEMENTS(impls); i++) {
		if (!pk_csum_impl_available(impls[i]))
			continue;
		for (size_t len = LEN - 64; len <= LEN; len++)
			g_assert_cmphex(pk_csum_fold(pk_csum_partial_impl(impls[i], buf, len, 0)),
					==, ref_csum(buf, len));
	}
}

/* Chaining with a non-zero, unfolded starting sum gives the same result as folding first. */
static void test_chain_random(void)
{
	uint8_t buf[1500];

	for (int iter = 0; iter < 2000; iter++) {
		size_t len = (size_t)g_test_rand_int_range(0, sizeof(buf) + 1);
		size_t cut = (size_t)g_test_rand_int_range(0, (int)len / 2 + 1) * 2;
		uint32_t start = g_test_rand_int();
		uint32_t sum;

		fill_random(buf, len);
		sum = pk_csum_partial(buf + cut, len - cut, pk_csum_partial(buf, cut, start));
		g_assert_cmphex(pk_csum_fold(sum), ==,
				pk_csum_fold(pk_csum_add(start, ref_csum_sum(buf, len))));
	}
}

/* A random even-sized block (40..@max bytes) whose checksum field is at @at, filled in. */
static size_t make_block(uint8_t *buf, size_t max, size_t *at)
{
	size_t len = (size_t)g_test_rand_int_range(20, (int)max / 2 + 1) * 2;

	fill_random(buf, len);
	buf[len - 1] |= 1;	/* never all zero: keeps 0x0000 vs 0xffff out of it */
	*at = (size_t)g_test_rand_int_range(0, (int)len / 2 - 1) * 2;	/* not the last word */
	buf[*at] = buf[*at + 1] = 0;
	pk_put_be16(buf + *at, pk_csum(buf, len));
	return len;
}

/* Pick an even offset of a 2*@words long run that neither overlaps @at nor the last byte. */
static size_t pick_field(size_t len, size_t at, size_t words)
{
	for (;;) {
		size_t off = (size_t)g_test_rand_int_range(0, (int)(len / 2 - words) + 1) * 2;

		if ((at + 2 <= off || at >= off + 2 * words) && off + 2 * words < len)
			return off;
	}
}

static void check_recomputed(uint8_t *buf, size_t len, size_t at)
{
	uint16_t updated = pk_get_be16(buf + at);

	buf[at] = buf[at + 1] = 0;
	g_assert_cmphex(updated, ==, pk_csum(buf, len));
	pk_put_be16(buf + at, updated);
	g_assert_true(pk_csum_ok(buf, len, 0));
}

static void test_update16_random(void)
{
	uint8_t buf[256];

	for (int iter = 0; iter < 20000; iter++) {
		size_t at, len = make_block(buf, sizeof(buf), &at);
		size_t off = pick_field(len, at, 1);
		uint16_t from = pk_get_be16(buf + off);
		uint16_t to = (uint16_t)g_test_rand_int();

		if (iter % 7 == 0)
			to = (uint16_t)~from;	/* the extreme change */
		pk_put_be16(buf + off, to);
		pk_csum_update16(buf + at, from, to);
		check_recomputed(buf, len, at);
	}
}

static void test_update32_random(void)
{
	uint8_t buf[256];

	for (int iter = 0; iter < 20000; iter++) {
		size_t at, len = make_block(buf, sizeof(buf), &at);
		size_t off = pick_field(len, at, 2);
		uint32_t from = pk_get_be32(buf + off);
		uint32_t to = g_test_rand_int();

		pk_put_be32(buf + off, to);
		pk_csum_update32(buf + at, from, to);
		check_recomputed(buf, len, at);
	}
}

static void test_update_bytes_random(void)
{
	uint8_t buf[256], old[16];

	for (int iter = 0; iter < 20000; iter++) {
		size_t at, len = make_block(buf, sizeof(buf), &at);
		size_t words = (size_t)g_test_rand_int_range(1, 9);	/* up to an IPv6 address */
		size_t off = pick_field(len, at, words);
		memcpy(old, buf + off, 2 * words);
		fill_random(buf + off, 2 * words);
		pk_csum_update_bytes(buf + at, old, buf + off, 2 * words);
		check_recomputed(buf, len, at);
	}
}

static void test_ip4_dec_ttl(void)
{
	uint8_t hdr[20];

	for (int iter = 0; iter < 5000; iter++) {
		fill_random(hdr, sizeof(hdr));
		hdr[0] = 0x45;
		pk_ip4_csum_fill(hdr, sizeof(hdr));
		if (hdr[8] <= 1) {
			g_assert_false(pk_ip4_dec_ttl(hdr));
			continue;
		}
		uint8_t ttl = hdr[8];

		g_assert_true(pk_ip4_dec_ttl(hdr));
		g_assert_cmpuint(hdr[8], ==, ttl - 1);
		check_recomputed(hdr, sizeof(hdr), 10);
	}
	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 0x45;
	hdr[8] = 1;
	pk_ip4_csum_fill(hdr, sizeof(hdr));
	g_assert_false(pk_ip4_dec_ttl(hdr));
	g_assert_cmpuint(hdr[8], ==, 1);
	g_assert_true(pk_csum_ok(hdr, sizeof(hdr), 0));
}

static void test_be_access(void)
{
	uint8_t b[6] = { 0 };

	pk_put_be16(b + 1, 0xabcd);
	pk_put_be32(b + 2, 0x01020304);
	g_assert_cmphex(b[1], ==, 0xab);
	g_assert_cmphex(pk_get_be32(b + 2), ==, 0x01020304);
	g_assert_cmphex(pk_get_be16(b), ==, 0x00ab);
	g_assert_cmphex(pk_csum_add(0xffffffffu, 1), ==, 1);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/net/checksum/rfc1071-example", test_rfc1071_example);
	g_test_add_func("/net/checksum/ip4-header", test_ip4_header);
	g_test_add_func("/net/checksum/udp4-vector", test_udp4_vector);
	g_test_add_func("/net/checksum/udp6-vector", test_udp6_vector);
	g_test_add_func("/net/checksum/tcp4-vector", test_tcp4_vector);
	g_test_add_func("/net/checksum/odd-lengths", test_odd_lengths);
	g_test_add_func("/net/checksum/impl-auto", test_impl_auto);
	g_test_add_func("/net/checksum/impl-generic", test_impl_generic);
	g_test_add_func("/net/checksum/impl-avx2", test_impl_avx2);
	g_test_add_func("/net/checksum/all-ones", test_all_ones);
	g_test_add_func("/net/checksum/chain-random", test_chain_random);
	g_test_add_func("/net/checksum/update16-random", test_update16_random);
	g_test_add_func("/net/checksum/update32-random", test_update32_random);
	g_test_add_func("/net/checksum/update-bytes-random", test_update_bytes_random);
	g_test_add_func("/net/checksum/ip4-dec-ttl", test_ip4_dec_ttl);
	g_test_add_func("/net/checksum/be-access", test_be_access);
	return g_test_run();
}
