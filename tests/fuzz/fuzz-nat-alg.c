/* SPDX-License-Identifier: MIT
 * fuzz-nat-alg.c - Every NAT ALG on arbitrary payloads, both directions and roles, at tight capacity
 *
 * Input: one flags byte, one capacity byte, then the payload. Each built-in
 * ALG runs on a copy of the payload in a heap block of exactly len + slack
 * bytes (slack from the capacity byte), so ASan catches a write past the
 * capacity, for each direction, each role (inside client / inside server),
 * TCP and UDP where the ALG takes them. The flags choose what the fake core
 * answers (a refusal, an outside address and port offset that make the
 * rewrite longer or shorter). Checked: a verdict other than REWRITTEN leaves
 * the payload byte for byte as it was; a rewrite stays within the capacity;
 * the sequence adjustment of the length change maps back through the ack.
 * Seeds: tests/fuzz/corpus/nat-alg.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "nat-alg.h"
#include "nat-seqadj.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_core {
	uint8_t flags;
};

static enum nat_core_err fz_map(void *core, uint8_t proto, const struct nat_endpoint4 *inside,
				uint16_t want_port, bool exact, uint32_t lifetime_s,
				struct nat_endpoint4 *outside)
{
	struct fz_core *c = core;

	(void)proto;
	(void)want_port;
	(void)exact;
	(void)lifetime_s;
	if (c->flags & 0x01)
		return NAT_CORE_ERR_FULL;
	outside->addr = (c->flags & 0x04) ? 0xffffffffu : htonl(0x01020304);
	outside->port = (c->flags & 0x08) ? 65535 : (uint16_t)(inside->port + 7);
	return NAT_CORE_OK;
}

static void fz_unmap(void *core, uint8_t proto, const struct nat_endpoint4 *outside)
{
	(void)core;
	(void)proto;
	(void)outside;
}

static enum nat_core_err fz_expect(void *core, uint8_t proto, const struct nat_endpoint4 *remote,
				   const struct nat_endpoint4 *outside,
				   const struct nat_endpoint4 *inside, uint32_t timeout_s)
{
	struct fz_core *c = core;

	(void)proto;
	(void)remote;
	(void)outside;
	(void)inside;
	(void)timeout_s;
	return (c->flags & 0x02) ? NAT_CORE_ERR_FULL : NAT_CORE_OK;
}

static uint32_t fz_outside_addr(void *core, uint32_t inside_addr)
{
	(void)core;
	(void)inside_addr;
	return htonl(0x01020304);
}

static const struct nat_core_ops fz_ops = {
	.map = fz_map,
	.unmap = fz_unmap,
	.expect = fz_expect,
	.outside_addr = fz_outside_addr,
};

static void fz_run(const struct nat_alg *alg, uint8_t proto, enum nat_dir dir, bool server_inside,
		   struct fz_core *core, const uint8_t *p, size_t len, size_t slack)
{
	size_t cap = len + slack;
	uint8_t *buf = malloc(cap ? cap : 1);
	void *state = alg->state_size ? calloc(1, alg->state_size) : NULL;
	struct nat_alg_ctx ctx = {
		.ops = &fz_ops,
		.core = core,
		.state = state,
		.proto = proto,
		.dir = dir,
		.server_inside = server_inside,
		/* 10.0.0.2 (the address seeds name), 10.0.0.2 as decimal for DCC */
		.inside = { htonl(0x0a000002), 40000 },
		.outside = { htonl(0x01020304), 40007 },
		.remote = { htonl(0xc6336409), alg->default_port },
		.seq = 0xfffffff0u,
	};
	size_t n = len;
	enum nat_alg_verdict v;

	FUZZ_CHECK(buf);
	if (alg->init && state)
		alg->init(state);
	memcpy(buf, p, len);
	v = alg->process(&ctx, buf, &n, cap);
	FUZZ_CHECK(v == NAT_ALG_PASS || v == NAT_ALG_REWRITTEN || v == NAT_ALG_MALFORMED ||
		   v == NAT_ALG_REFUSED);
	if (v != NAT_ALG_REWRITTEN) {
		FUZZ_CHECK(n == len);
		FUZZ_CHECK(len == 0 || memcmp(buf, p, len) == 0);
	} else {
		FUZZ_CHECK(n <= cap);
		/* The stream after the rewrite maps there and back. */
		struct nat_seqadj sa;

		nat_seqadj_init(&sa);
		if (nat_seqadj_record(&sa, dir, ctx.seq, len, n)) {
			uint32_t next = ctx.seq + (uint32_t)len;
			uint32_t seen = nat_seqadj_map_seq(&sa, dir, next);

			FUZZ_CHECK(seen == next + (uint32_t)(n - len));
			FUZZ_CHECK(nat_seqadj_map_ack(&sa, dir, seen) == next);
			FUZZ_CHECK(nat_seqadj_map_seq(&sa, dir, ctx.seq) == ctx.seq);
		}
	}
	if (alg->fini && state)
		alg->fini(state, &fz_ops, core);
	free(state);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_core core;
	size_t slack;

	if (size < 2)
		return 0;
	core.flags = data[0];
	slack = data[1] >> 2; /* 0..63 */
	data += 2;
	size -= 2;
	for (const struct nat_alg *const *a = nat_alg_builtin(); *a; a++) {
		for (int d = 0; d < 2; d++) {
			for (int s = 0; s < 2; s++) {
				if (nat_alg_handles(*a, IPPROTO_TCP))
					fz_run(*a, IPPROTO_TCP, (enum nat_dir)d, s, &core, data,
					       size, slack);
				if (nat_alg_handles(*a, IPPROTO_UDP))
					fz_run(*a, IPPROTO_UDP, (enum nat_dir)d, s, &core, data,
					       size, slack);
			}
		}
	}
	return 0;
}
