/* SPDX-License-Identifier: MIT
 * ra-sched.h - When to send router advertisements: RFC 4861 6.2.4 and 6.2.6 timing (sans-I/O)
 */
#ifndef DHCP_RA_SCHED_H
#define DHCP_RA_SCHED_H

#include <pktkit/pktkit.h>

/* RFC 4861 section 10, router constants (ns). */
#define RA_MAX_INITIAL_RTR_ADVERT_INTERVAL (16 * PK_NSEC_PER_SEC)
#define RA_MAX_INITIAL_RTR_ADVERTISEMENTS 3
#define RA_MIN_DELAY_BETWEEN_RAS (3 * PK_NSEC_PER_SEC)
#define RA_MAX_RA_DELAY_TIME (500 * PK_NSEC_PER_MSEC)

/*
 * One advertising interface. Every advertisement is multicast to ff02::1,
 * so solicited and unsolicited ones share one deadline (@next): the caller
 * sends when it is reached and then calls ra_sched_sent().
 */
struct ra_sched {
	uint64_t min_interval;	/* MinRtrAdvInterval (ns), at least 3 s */
	uint64_t max_interval;	/* MaxRtrAdvInterval (ns), at least @min_interval */
	uint64_t next;		/* device-clock time the next advertisement is due */
	uint64_t last;		/* time the last one was sent (if @n_sent) */
	uint64_t n_sent;	/* advertisements sent */
	bool answer_pending;	/* the one at @next answers a solicitation */
};

/* What ra_sched_solicit() did with a solicitation. */
enum ra_solicit_result {
	RA_SOLICIT_SCHEDULED,	/* an answer is due within MAX_RA_DELAY_TIME */
	RA_SOLICIT_DEFERRED,	/* due MIN_DELAY_BETWEEN_RAS after the last advertisement */
	RA_SOLICIT_COALESCED,	/* answered by the advertisement already due at @next */
};

/**
 * ra_sched_init() - Start advertising: the first advertisement is due at @now
 * @s:		Schedule
 * @min_ns:	MinRtrAdvInterval, 3 s .. @max_ns
 * @max_ns:	MaxRtrAdvInterval
 * @now:	Device-clock time
 *
 * Context: owner context.
 */
void ra_sched_init(struct ra_sched *s, uint64_t min_ns, uint64_t max_ns, uint64_t now);

/**
 * ra_sched_solicit() - A valid router solicitation arrived (RFC 4861 6.2.6)
 * @s:		Schedule
 * @now:	Device-clock time
 * @rnd:	A uniformly random 32-bit value (the delay is drawn from it)
 *
 * The answer is due after a random delay of 0..MAX_RA_DELAY_TIME, counted
 * from MIN_DELAY_BETWEEN_RAS after the last advertisement if that was less
 * than MIN_DELAY_BETWEEN_RAS ago, and never later than the advertisement
 * already due. While an answer is pending, further solicitations are
 * answered by it. May move ra_sched_deadline() earlier.
 *
 * Context: owner context.
 * Return: what became of the solicitation.
 */
enum ra_solicit_result ra_sched_solicit(struct ra_sched *s, uint64_t now, uint32_t rnd);

/**
 * ra_sched_sent() - The advertisement due was sent at @now (RFC 4861 6.2.4)
 * @s:		Schedule
 * @now:	Device-clock time
 * @rnd:	A uniformly random 32-bit value
 *
 * The next one is due after a random interval between MinRtrAdvInterval
 * and MaxRtrAdvInterval, at most MAX_INITIAL_RTR_ADVERT_INTERVAL after
 * each of the first MAX_INITIAL_RTR_ADVERTISEMENTS.
 *
 * Context: owner context.
 */
void ra_sched_sent(struct ra_sched *s, uint64_t now, uint32_t rnd);

/**
 * ra_sched_deadline() - When the next advertisement is due
 * @s:	Schedule
 *
 * Context: owner context.
 * Return: a device-clock time.
 */
static inline uint64_t ra_sched_deadline(const struct ra_sched *s)
{
	return s->next;
}

/**
 * ra_sched_default_min() - MinRtrAdvInterval's default for a MaxRtrAdvInterval
 * @max_ns:	MaxRtrAdvInterval, at least 4 s
 *
 * 0.33 * MaxRtrAdvInterval (RFC 4861 6.2.1), within 3 s .. 0.75 * MaxRtrAdvInterval.
 *
 * Context: any thread.
 * Return: ns.
 */
uint64_t ra_sched_default_min(uint64_t max_ns);

#endif /* DHCP_RA_SCHED_H */
