/* SPDX-License-Identifier: MIT
 * ra-sched.c - When to send router advertisements: RFC 4861 6.2.4 and 6.2.6 timing (sans-I/O)
 */
#include "ra-sched.h"

/* floor(@rnd * @span / 2^32): a value in [0, @span) from a uniform 32-bit random. */
static uint64_t pick(uint32_t rnd, uint64_t span)
{
	return (span >> 32) * rnd + (((span & 0xffffffffu) * rnd) >> 32);
}

uint64_t ra_sched_default_min(uint64_t max_ns)
{
	uint64_t min = max_ns / 100 * 33;

	return CLAMP(min, (uint64_t)RA_MIN_DELAY_BETWEEN_RAS, max_ns / 4 * 3);
}

void ra_sched_init(struct ra_sched *s, uint64_t min_ns, uint64_t max_ns, uint64_t now)
{
	s->min_interval = MAX(min_ns, (uint64_t)RA_MIN_DELAY_BETWEEN_RAS);
	s->max_interval = MAX(max_ns, s->min_interval);
	s->next = now;
	s->last = 0;
	s->n_sent = 0;
	s->answer_pending = false;
}

enum ra_solicit_result ra_sched_solicit(struct ra_sched *s, uint64_t now, uint32_t rnd)
{
	uint64_t delay = pick(rnd, RA_MAX_RA_DELAY_TIME + 1), due = now + delay;
	enum ra_solicit_result res = RA_SOLICIT_SCHEDULED;

	if (s->answer_pending)
		return RA_SOLICIT_COALESCED;
	s->answer_pending = true;
	/* Rate limit: at most one multicast advertisement per MIN_DELAY_BETWEEN_RAS. */
	if (s->n_sent && now < s->last + RA_MIN_DELAY_BETWEEN_RAS) {
		due = s->last + RA_MIN_DELAY_BETWEEN_RAS + delay;
		res = RA_SOLICIT_DEFERRED;
	}
	/* Never later than the advertisement already due: that one answers. */
	if (due >= s->next)
		return RA_SOLICIT_COALESCED;
	s->next = due;
	return res;
}

void ra_sched_sent(struct ra_sched *s, uint64_t now, uint32_t rnd)
{
	uint64_t iv = s->min_interval + pick(rnd, s->max_interval - s->min_interval + 1);

	s->last = now;
	s->n_sent++;
	s->answer_pending = false;
	if (s->n_sent <= RA_MAX_INITIAL_RTR_ADVERTISEMENTS && iv > RA_MAX_INITIAL_RTR_ADVERT_INTERVAL)
		iv = RA_MAX_INITIAL_RTR_ADVERT_INTERVAL;
	s->next = now + iv;
}
