// SPDX-License-Identifier: MIT
/* duration.c - Durations as text: "1h30m", "250ms", "2.5s" to nanoseconds and back */
#include <string.h>
#include "pktkit/param.h"

#define DURATION_FRAC_DIGITS 17	/* fraction digits of a duration kept */

/* Duration units, largest first; h and m are never written with a fraction. */
struct duration_unit {
	const char *name;
	int64_t ns;
};

static const struct duration_unit duration_units[] = {
	{ "h", 3600 * PK_NSEC_PER_SEC }, { "m", 60 * PK_NSEC_PER_SEC },
	{ "s", PK_NSEC_PER_SEC },	  { "ms", PK_NSEC_PER_MSEC },
	{ "us", PK_NSEC_PER_USEC },	  { "ns", 1 },
};
#define DURATION_N_UNITS ((int)G_N_ELEMENTS(duration_units))
#define DURATION_UNIT_S 2

/* "12" or "12.345" as read from a duration. */
struct duration_decimal {
	int64_t whole;
	int64_t frac;
	int frac_digits;
};

/* Read "12" or "12.5" at *@sp: digits are required on both sides of a '.'. */
static bool duration_scan_decimal(const char **sp, struct duration_decimal *d)
{
	const char *s = *sp;

	*d = (struct duration_decimal){ 0 };
	if (!g_ascii_isdigit(*s))
		return false;
	for (; g_ascii_isdigit(*s); s++) {
		if (__builtin_mul_overflow(d->whole, 10, &d->whole) ||
		    __builtin_add_overflow(d->whole, *s - '0', &d->whole))
			return false;
	}
	if (*s == '.') {
		if (!g_ascii_isdigit(*++s))
			return false;
		for (; g_ascii_isdigit(*s); s++) {
			if (d->frac_digits < DURATION_FRAC_DIGITS) {
				d->frac = d->frac * 10 + (*s - '0');
				d->frac_digits++;
			}
		}
	}
	*sp = s;
	return true;
}

/* @d units of @unit ns in ns, exact down to the ns (finer digits truncated). */
static bool duration_decimal_ns(const struct duration_decimal *d, int64_t unit, int64_t *out)
{
	int64_t whole, frac = d->frac;
	int digits = d->frac_digits;

	if (__builtin_mul_overflow(d->whole, unit, &whole))
		return false;
	/* frac / 10^digits * unit: cancel tens first so the product stays small */
	for (; digits > 0 && unit % 10 == 0; digits--)
		unit /= 10;
	frac *= unit;
	for (; digits > 0; digits--)
		frac /= 10;
	return !__builtin_add_overflow(whole, frac, out);
}

/* Index in duration_units of the unit name at *@sp, or -1. */
static int duration_scan_unit(const char **sp)
{
	size_t n = 0;

	while (g_ascii_isalpha((*sp)[n]))
		n++;
	for (int u = 0; u < DURATION_N_UNITS; u++) {
		if (strlen(duration_units[u].name) == n && strncmp(duration_units[u].name, *sp, n) == 0) {
			*sp += n;
			return u;
		}
	}
	return -1;
}

/**
 * pk_duration_parse() - Parse "1h30m", "250ms", "2.5s", "90" (seconds)
 * @s:		Text: one or more <number><unit> with units h, m, s, ms, us, ns in
 *		decreasing order, or a bare number of seconds; a number may
 *		have a decimal fraction (digits finer than 1 ns are dropped).
 *		No sign, no spaces.
 * @out_ns:	Result in nanoseconds, written only on success
 *
 * Context: any thread.
 * Return: true on success; false on bad text or overflow of int64_t.
 */
bool pk_duration_parse(const char *s, int64_t *out_ns)
{
	struct duration_decimal d;
	int64_t total = 0, part;
	int last = -1;

	if (!s || !duration_scan_decimal(&s, &d))
		return false;
	if (*s == '\0')
		return duration_decimal_ns(&d, PK_NSEC_PER_SEC, out_ns);
	for (;;) {
		int u = duration_scan_unit(&s);

		if (u <= last || !duration_decimal_ns(&d, duration_units[u].ns, &part) ||
		    __builtin_add_overflow(total, part, &total))
			return false;
		last = u;
		if (*s == '\0')
			break;
		if (!duration_scan_decimal(&s, &d))
			return false;
	}
	*out_ns = total;
	return true;
}

/* Append @v ns as a decimal number of unit @u ("1.5s", "250ms"). */
static void duration_append_decimal(GString *s, uint64_t v, int u)
{
	uint64_t unit = (uint64_t)duration_units[u].ns;
	uint64_t frac = v % unit;
	char digits[24];
	int width = 0;

	g_string_append_printf(s, "%" G_GUINT64_FORMAT, v / unit);
	if (frac) {
		for (uint64_t x = unit; x > 1; x /= 10)
			width++;
		g_snprintf(digits, sizeof(digits), "%0*" G_GUINT64_FORMAT, width, frac);
		for (int i = width - 1; i > 0 && digits[i] == '0'; i--)
			digits[i] = '\0';
		g_string_append_printf(s, ".%s", digits);
	}
	g_string_append(s, duration_units[u].name);
}

/* @v ns (< 1 min) as whole s, ms, us above unit @d plus a decimal of @d;
 * NULL when that decimal would start with "0.". */
static char *duration_candidate(uint64_t v, int d)
{
	GString *s = g_string_new(NULL);

	for (int u = DURATION_UNIT_S; u < d; u++) {
		uint64_t q = v / (uint64_t)duration_units[u].ns;

		v %= (uint64_t)duration_units[u].ns;
		if (q)
			g_string_append_printf(s, "%" G_GUINT64_FORMAT "%s", q, duration_units[u].name);
	}
	if (v && v < (uint64_t)duration_units[d].ns) {
		g_string_free(s, TRUE);
		return NULL;
	}
	if (v)
		duration_append_decimal(s, v, d);
	return g_string_free(s, FALSE);
}

/* Shortest text of @v ns (0 < @v < 1 min); ties go to the larger unit. */
static char *duration_rest(uint64_t v)
{
	char *best = NULL;

	for (int d = DURATION_UNIT_S; d < DURATION_N_UNITS; d++) {
		char *c = duration_candidate(v, d);

		if (c && (!best || strlen(c) < strlen(best))) {
			g_free(best);
			best = c;
		} else {
			g_free(c);
		}
	}
	return best;
}

/**
 * pk_duration_format() - Format nanoseconds as the shortest exact text ("5m", "1.5s")
 * @ns:		Duration
 *
 * Whole hours and minutes come first ("1h30m", never "90m"); the rest is
 * the shortest exact form ("1.5s", "250ms", "1s1us"). Zero is "0s".
 * pk_duration_parse() reads the result back to the same value (for @ns >= 0).
 *
 * Context: any thread.
 * Return: (transfer full) a new string.
 */
char *pk_duration_format(int64_t ns)
{
	GString *s = g_string_new(NULL);
	uint64_t v = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	if (ns == 0)
		g_string_append(s, "0s");
	if (ns < 0)
		g_string_append_c(s, '-');
	for (int u = 0; u < DURATION_UNIT_S; u++) {
		uint64_t q = v / (uint64_t)duration_units[u].ns;

		v %= (uint64_t)duration_units[u].ns;
		if (q)
			g_string_append_printf(s, "%" G_GUINT64_FORMAT "%s", q, duration_units[u].name);
	}
	if (v) {
		g_autofree char *rest = duration_rest(v);

		g_string_append(s, rest);
	}
	return g_string_free(s, FALSE);
}
