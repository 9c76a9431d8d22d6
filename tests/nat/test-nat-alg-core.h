/* SPDX-License-Identifier: MIT
 * test-nat-alg-core.h - A fake NAT core for the ALG tests: records map/expect calls, answers as told
 */
#ifndef TEST_NAT_ALG_CORE_H
#define TEST_NAT_ALG_CORE_H

#include <arpa/inet.h>
#include <string.h>
#include <glib.h>

#include "nat-alg.h"

#define FAKE_MAX_CALLS 16

struct fake_call {
	uint8_t proto;
	struct nat_endpoint4 inside, outside, remote;
	uint16_t want_port;
	bool exact;
	uint32_t lifetime_s, timeout_s;
};

struct fake_core {
	uint32_t outside_addr; /* network order */
	uint16_t port_offset;  /* map() gives inside port + this (0: the inside port) */
	bool fail_map, fail_expect;
	unsigned n_map, n_expect, n_unmap;
	struct fake_call map[FAKE_MAX_CALLS];
	struct fake_call expect[FAKE_MAX_CALLS];
};

static inline uint32_t fake_ip(const char *s)
{
	struct in_addr a;

	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a.s_addr;
}

static enum nat_core_err fake_map(void *core, uint8_t proto, const struct nat_endpoint4 *inside,
				  uint16_t want_port, bool exact, uint32_t lifetime_s,
				  struct nat_endpoint4 *outside)
{
	struct fake_core *f = core;

	if (f->fail_map)
		return NAT_CORE_ERR_FULL;
	g_assert_cmpuint(f->n_map, <, FAKE_MAX_CALLS);
	outside->addr = f->outside_addr;
	outside->port = (uint16_t)(inside->port + f->port_offset);
	f->map[f->n_map++] = (struct fake_call){ .proto = proto,
						 .inside = *inside,
						 .outside = *outside,
						 .want_port = want_port,
						 .exact = exact,
						 .lifetime_s = lifetime_s };
	return NAT_CORE_OK;
}

static void fake_unmap(void *core, uint8_t proto, const struct nat_endpoint4 *outside)
{
	struct fake_core *f = core;

	(void)proto;
	(void)outside;
	f->n_unmap++;
}

static enum nat_core_err fake_expect(void *core, uint8_t proto, const struct nat_endpoint4 *remote,
				     const struct nat_endpoint4 *outside,
				     const struct nat_endpoint4 *inside, uint32_t timeout_s)
{
	struct fake_core *f = core;

	if (f->fail_expect)
		return NAT_CORE_ERR_FULL;
	g_assert_cmpuint(f->n_expect, <, FAKE_MAX_CALLS);
	f->expect[f->n_expect++] = (struct fake_call){ .proto = proto,
						       .remote = *remote,
						       .outside = *outside,
						       .inside = *inside,
						       .timeout_s = timeout_s };
	return NAT_CORE_OK;
}

static uint32_t fake_outside_addr(void *core, uint32_t inside_addr)
{
	(void)inside_addr;
	return ((struct fake_core *)core)->outside_addr;
}

static const struct nat_core_ops fake_ops = {
	.map = fake_map,
	.unmap = fake_unmap,
	.expect = fake_expect,
	.outside_addr = fake_outside_addr,
};

/* Run @alg on a copy of @in (with @cap bytes of room) and check the result. */
static inline enum nat_alg_verdict fake_run(const struct nat_alg *alg, struct nat_alg_ctx *ctx,
					    const char *in, size_t in_len, size_t cap,
					    GByteArray *out)
{
	uint8_t *buf = g_malloc0(cap ? cap : 1);
	size_t len = in_len;
	enum nat_alg_verdict v;

	g_assert_cmpuint(in_len, <=, cap);
	memcpy(buf, in, in_len);
	v = alg->process(ctx, buf, &len, cap);
	g_assert_cmpuint(len, <=, cap);
	if (v != NAT_ALG_REWRITTEN) {
		/* Anything but a rewrite leaves the payload alone, byte for byte. */
		g_assert_cmpuint(len, ==, in_len);
		g_assert_cmpmem(buf, len, in, in_len);
	}
	g_byte_array_set_size(out, 0);
	g_byte_array_append(out, buf, (guint)len);
	g_free(buf);
	return v;
}

#endif /* TEST_NAT_ALG_CORE_H */
