// SPDX-License-Identifier: MIT
/* impair-math.c - Pure helpers of the impair module: PRNG, percentages, serialization clock */
#include <math.h>
#include <stdlib.h>

#include <glib.h>

#include "impair-math.h"

/* splitmix64: one step of the seed expander. */
static uint64_t impair_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void impair_prng_seed(struct impair_prng *p, uint64_t seed, uint64_t stream)
{
	/* Mix the stream number in through one splitmix round of its own, so
	 * that (seed, stream) and (seed + 1, stream - 1) do not collide. */
	uint64_t st = stream;
	uint64_t x = seed ^ impair_splitmix(&st);

	for (int i = 0; i < 4; i++)
		p->s[i] = impair_splitmix(&x);
	/* xoshiro must not start from all zeros; splitmix never gives four. */
	if (!(p->s[0] | p->s[1] | p->s[2] | p->s[3]))
		p->s[0] = 1;
}

bool impair_percent_parse(const char *s, uint64_t *thr)
{
	const char *p = s;
	char *end;
	double v;

	if (!s)
		return false;
	while (g_ascii_isspace(*p))
		p++;
	/* strtod would take "inf", "nan", exponents and hex: plain decimals only. */
	for (const char *q = p; *q && *q != '%' && !g_ascii_isspace(*q); q++)
		if (!g_ascii_isdigit(*q) && *q != '.')
			return false;
	v = g_ascii_strtod(p, &end);
	if (end == p || !isfinite(v) || v < 0.0 || v > 100.0)
		return false;
	if (*end == '%')
		end++;
	while (g_ascii_isspace(*end))
		end++;
	if (*end)
		return false;
	*thr = v >= 100.0 ? IMPAIR_P_ONE : (uint64_t)(v / 100.0 * (double)IMPAIR_P_ONE);
	return true;
}

uint64_t impair_clock_send(struct impair_clock *c, uint64_t now, uint32_t len, uint64_t rate)
{
	uint64_t bits_ns;

	if (c->free_at <= now) {	/* idle link: start afresh */
		c->free_at = now;
		c->rem = 0;
	}
	/* len * 8e9 < 2^50 and rem < rate <= 1e12: no overflow. */
	bits_ns = (uint64_t)len * 8 * UINT64_C(1000000000) + c->rem;
	c->free_at += bits_ns / rate;
	c->rem = bits_ns % rate;
	return c->free_at;
}
