/* SPDX-License-Identifier: MIT
 * checksum.c - Internet checksum: portable 64-bit kernel and an AVX2 kernel
 *
 * Both kernels sum the block as 16-bit words in the CPU's own byte order
 * (RFC 1071 section 2(B): the one's-complement sum commutes with swapping the
 * bytes of every word), in wide lanes that cannot overflow, and fold once at
 * the end. Loads go through memcpy() or unaligned vector loads, so the start
 * address needs no alignment. The folded native-order sum is swapped to the
 * host-order value of big-endian words that the API promises.
 */
#include <string.h>

#include <pktkit/checksum.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define CSUM_HAVE_AVX2 1
#include <immintrin.h>
#else
#define CSUM_HAVE_AVX2 0
#endif

/* Below this many bytes the AVX2 setup and reduction cost more than they save. */
#define CSUM_AVX2_MIN_LEN 128

/* a + b with the end-around carry, in 64 bits. */
static inline uint64_t csum_add64(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;

	return s + (s < b);
}

/* Fold a 64-bit native-order sum to 16 bits (not complemented). */
static inline uint16_t csum_fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint16_t)s;
}

static inline uint64_t csum_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The last 0..7 bytes, as native-order words. A word may sit at any 16-bit
 * position of the sum (2^16 == 1 modulo 0xffff), only its byte order matters:
 * an odd last byte is the first byte of a word, i.e. its high byte in
 * big-endian order, its low byte in little-endian order.
 */
static inline uint64_t csum_tail(const uint8_t *p, size_t len)
{
	uint64_t s = 0;
	uint32_t w32;
	uint16_t w16;

	if (len & 4) {
		memcpy(&w32, p, sizeof(w32));
		s += w32;
		p += 4;
	}
	if (len & 2) {
		memcpy(&w16, p, sizeof(w16));
		s += w16;
		p += 2;
	}
	if (len & 1) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		s += p[0];
#else
		s += (uint64_t)p[0] << 8;
#endif
	}
	return s;
}

#ifdef __SIZEOF_INT128__
/*
 * Portable kernel: 64-bit words into 128-bit accumulators. The compiler turns
 * each addition into add + adc; four independent chains keep the ALUs busy.
 */
static uint64_t csum_native_generic(const uint8_t *p, size_t len)
{
	unsigned __int128 a = 0, b = 0, c = 0, d = 0;

	for (; len >= 32; p += 32, len -= 32) {
		a += csum_load64(p);
		b += csum_load64(p + 8);
		c += csum_load64(p + 16);
		d += csum_load64(p + 24);
	}
	for (; len >= 8; p += 8, len -= 8)
		a += csum_load64(p);
	a += csum_tail(p, len);
	a += b + c + d;	/* 128 bits cannot overflow for any size_t length */
	return csum_add64((uint64_t)a, (uint64_t)(a >> 64));
}
#else
/*
 * Portable kernel without 128-bit integers (32-bit targets): 32-bit halves
 * into 64-bit sums, exact below 32 GiB.
 */
static uint64_t csum_native_generic(const uint8_t *p, size_t len)
{
	uint64_t a = 0, b = 0, v;

	for (; len >= 8; p += 8, len -= 8) {
		v = csum_load64(p);
		a += v & 0xffffffffu;
		b += v >> 32;
	}
	return csum_add64(a + csum_tail(p, len), b);
}
#endif

#if CSUM_HAVE_AVX2
/*
 * AVX2 kernel: each 256-bit load is split into its low and high 32-bit halves
 * per 64-bit lane and added into 64-bit lanes, which cannot overflow below
 * 128 GiB. Four vectors per iteration, two accumulators.
 */
__attribute__((target("avx2")))
static uint64_t csum_native_avx2(const uint8_t *p, size_t len)
{
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
	__m256i acc0 = _mm256_setzero_si256();
	__m256i acc1 = _mm256_setzero_si256();
	__m128i half;
	uint64_t s;

	for (; len >= 128; p += 128, len -= 128) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
		__m256i v2 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 64));
		__m256i v3 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 96));

		acc0 = _mm256_add_epi64(acc0, _mm256_and_si256(v0, lo32));
		acc1 = _mm256_add_epi64(acc1, _mm256_srli_epi64(v0, 32));
		acc0 = _mm256_add_epi64(acc0, _mm256_and_si256(v1, lo32));
		acc1 = _mm256_add_epi64(acc1, _mm256_srli_epi64(v1, 32));
		acc0 = _mm256_add_epi64(acc0, _mm256_and_si256(v2, lo32));
		acc1 = _mm256_add_epi64(acc1, _mm256_srli_epi64(v2, 32));
		acc0 = _mm256_add_epi64(acc0, _mm256_and_si256(v3, lo32));
		acc1 = _mm256_add_epi64(acc1, _mm256_srli_epi64(v3, 32));
	}
	for (; len >= 32; p += 32, len -= 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);

		acc0 = _mm256_add_epi64(acc0, _mm256_and_si256(v, lo32));
		acc1 = _mm256_add_epi64(acc1, _mm256_srli_epi64(v, 32));
	}
	acc0 = _mm256_add_epi64(acc0, acc1);
	half = _mm_add_epi64(_mm256_castsi256_si128(acc0), _mm256_extracti128_si256(acc0, 1));
	s = csum_add64((uint64_t)_mm_cvtsi128_si64(half), (uint64_t)_mm_extract_epi64(half, 1));
	return csum_add64(s, csum_native_generic(p, len));
}

static bool csum_cpu_has_avx2(void)
{
	static int cached = -1;	/* -1 unknown, 0 no, 1 yes; racing writers agree */
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (PK_UNLIKELY(v < 0)) {
		__builtin_cpu_init();
		v = __builtin_cpu_supports("avx2") ? 1 : 0;
		__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	}
	return v;
}
#else
static bool csum_cpu_has_avx2(void)
{
	return false;
}
#endif

/* Turn a folded native-order sum into the host-order value of big-endian words. */
static inline uint32_t csum_native_to_host(uint16_t folded)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap16(folded);
#else
	return folded;
#endif
}

static uint64_t csum_native(enum pk_csum_impl impl, const uint8_t *p, size_t len)
{
	(void)impl;	/* unused where only the generic kernel exists */
#if CSUM_HAVE_AVX2
	if (impl == PK_CSUM_IMPL_AVX2 && csum_cpu_has_avx2())
		return csum_native_avx2(p, len);
#endif
	return csum_native_generic(p, len);
}

bool pk_csum_impl_available(enum pk_csum_impl impl)
{
	switch (impl) {
	case PK_CSUM_IMPL_AUTO:
	case PK_CSUM_IMPL_GENERIC:
		return true;
	case PK_CSUM_IMPL_AVX2:
		return csum_cpu_has_avx2();
	}
	return false;
}

uint32_t pk_csum_partial_impl(enum pk_csum_impl impl, const void *data, size_t len,
			      uint32_t sum)
{
	uint64_t native;

	if (impl == PK_CSUM_IMPL_AUTO)
		return pk_csum_partial(data, len, sum);
	native = csum_native(impl, data, len);
	return pk_csum_add(sum, csum_native_to_host(csum_fold64(native)));
}

uint32_t pk_csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t native;

#if CSUM_HAVE_AVX2
	if (len >= CSUM_AVX2_MIN_LEN && csum_cpu_has_avx2())
		native = csum_native_avx2(p, len);
	else
#endif
		native = csum_native_generic(p, len);
	return pk_csum_add(sum, csum_native_to_host(csum_fold64(native)));
}
