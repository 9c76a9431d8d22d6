/* SPDX-License-Identifier: MIT
 * impair-math.h - Pure helpers of the impair module: PRNG, percentages, serialization clock
 *
 * Nothing here touches the graph, so tests/impair compiles it in and checks
 * it directly.
 */
#ifndef PK_IMPAIR_MATH_H
#define PK_IMPAIR_MATH_H

#include <stdbool.h>
#include <stdint.h>

/* A probability as a threshold over 53-bit uniform draws: 0 never, 2^53 always. */
#define IMPAIR_P_ONE (UINT64_C(1) << 53)

/* xoshiro256** state; seed it with impair_prng_seed(). */
struct impair_prng {
	uint64_t s[4];
};

/*
 * impair_prng_seed() - Seed stream @stream of @seed (splitmix64 expansion)
 *
 * Different streams of one seed are independent sequences, so each random
 * decision (loss, duplicate, ...) of each direction draws from its own.
 */
void impair_prng_seed(struct impair_prng *p, uint64_t seed, uint64_t stream);

static inline uint64_t impair_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits. */
static inline uint64_t impair_prng_next(struct impair_prng *p)
{
	uint64_t *s = p->s;
	uint64_t r = impair_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = impair_rotl(s[3], 45);
	return r;
}

/* True with the probability @thr / 2^53 (impair_percent_parse()). */
static inline bool impair_prng_chance(struct impair_prng *p, uint64_t thr)
{
	return (impair_prng_next(p) >> 11) < thr;
}

/* Uniform in [0, n] (n < 2^63; the modulo bias is below 2^-20 for n < 2^44). */
static inline uint64_t impair_prng_upto(struct impair_prng *p, uint64_t n)
{
	return impair_prng_next(p) % (n + 1);
}

/*
 * impair_percent_parse() - Parse "12.5%", "12.5" or "0%" (a percentage, 0 to 100)
 * @s:		Text; surrounding blanks are allowed, the '%' is optional
 * @thr:	Out: the probability as a threshold over 2^53 (IMPAIR_P_ONE for 100)
 *
 * Return: false for anything else: empty, negative, above 100, NaN, trailing text.
 */
bool impair_percent_parse(const char *s, uint64_t *thr);

/*
 * struct impair_clock - Serialization clock of a rate-limited direction
 * @free_at:	When the link finishes sending what it has been given (ns)
 * @rem:	Carried remainder of bits*1e9 / rate, so that back-to-back
 *		packets add up exactly (N packets of S bytes take N*S*8/R)
 */
struct impair_clock {
	uint64_t free_at;
	uint64_t rem;
};

/*
 * impair_clock_send() - When a packet of @len bytes given at @now is fully sent
 * @c:		Clock; updated
 * @now:	Arrival time
 * @len:	Bytes
 * @rate:	Bits per second, > 0
 *
 * The link sends one packet at a time: a packet starts when the link is free
 * (or at @now if it is idle already) and takes len*8/rate seconds.
 *
 * Return: the time the last bit leaves.
 */
uint64_t impair_clock_send(struct impair_clock *c, uint64_t now, uint32_t len, uint64_t rate);

#endif /* PK_IMPAIR_MATH_H */
