/* SPDX-License-Identifier: MIT
 * nat-alg-pptp.c - PPTP ALG: Call ID translation on the control channel and the GRE it implies
 *
 * PPTP (RFC 2637) carries PPP in enhanced GRE (IP protocol 47) whose key is
 * the receiver's Call ID, chosen by each side on the TCP control channel
 * (port 1723). Two inside hosts may pick the same Call ID towards one
 * server, so the inside host's Call ID is translated like a port: mapped
 * (protocol 47, "port" = Call ID) where the control channel announces it,
 * with an expectation for the peer's GRE to that outside Call ID, and
 * translated back where the peer quotes it.
 *
 * Outbound, the sender's own Call ID: Outgoing-Call-Request/Reply (7, 8),
 * Incoming-Call-Request/Reply (9, 10) map it; Call-Clear-Request (12) and
 * Call-Disconnect-Notify (13) translate it with the mapping made before.
 * Inbound, the receiver's Call ID as the peer quotes it: Outgoing-Call-Reply
 * and Incoming-Call-Reply (8, 10: Peer's Call ID), Incoming-Call-Connected
 * (11), WAN-Error-Notify (14), Set-Link-Info (15). The pairs live in the
 * flow's state (the last PPTP_CALLS calls). Same length: no sequence
 * adjustment. Every message must be whole, with the right magic cookie and
 * the length RFC 2637 gives its type; otherwise the payload passes unchanged
 * and is counted. The core translates the GRE packets themselves.
 */
#include <netinet/in.h>
#include <string.h>

#include <pktkit/checksum.h>

#include "nat-alg.h"

#define PPTP_CALLS 16
#define PPTP_MAGIC 0x1a2b3c4du
#define PPTP_GRE 47
#define PPTP_MAX_MSGS 16

struct pptp_state {
	uint32_t n, next;
	struct {
		uint16_t in_id, out_id;
	} call[PPTP_CALLS];
};

/* RFC 2637 section 2: the length of each control message type (1..15). */
static const uint16_t pptp_len[16] = {
	0, 156, 156, 16, 16, 16, 16, 168, 32, 220, 24, 28, 16, 148, 40, 24,
};

static void pptp_remember(struct pptp_state *st, uint16_t in_id, uint16_t out_id)
{
	for (uint32_t k = 0; k < st->n; k++)
		if (st->call[k].in_id == in_id) {
			st->call[k].out_id = out_id;
			return;
		}
	st->call[st->next].in_id = in_id;
	st->call[st->next].out_id = out_id;
	st->next = (st->next + 1) % PPTP_CALLS;
	if (st->n < PPTP_CALLS)
		st->n++;
}

static bool pptp_lookup(const struct pptp_state *st, bool by_out, uint16_t id, uint16_t *res)
{
	for (uint32_t k = 0; k < st->n; k++) {
		if (by_out && st->call[k].out_id == id) {
			*res = st->call[k].in_id;
			return true;
		}
		if (!by_out && st->call[k].in_id == id) {
			*res = st->call[k].out_id;
			return true;
		}
	}
	return false;
}

/* Offset of the Call ID to translate in a message of @type going @dir, 0: none. */
static size_t pptp_field(uint16_t type, enum nat_dir dir, bool *announce)
{
	*announce = false;
	if (dir == NAT_DIR_OUT) {
		switch (type) {
		case 7:
		case 8:
		case 9:
		case 10:
			*announce = true;
			return 12;
		case 12:
		case 13:
			return 12;
		default:
			return 0;
		}
	}
	switch (type) {
	case 8:
	case 10:
		return 14;
	case 11:
	case 14:
	case 15:
		return 12;
	default:
		return 0;
	}
}

static void pptp_init(void *state)
{
	memset(state, 0, sizeof(struct pptp_state));
}

static enum nat_alg_verdict pptp_process(const struct nat_alg_ctx *ctx, uint8_t *payload,
					 size_t *len, size_t cap)
{
	struct pptp_state *st = ctx->state;
	size_t offs[PPTP_MAX_MSGS];
	uint16_t types[PPTP_MAX_MSGS];
	size_t n = 0, i = 0;
	bool changed = false;

	(void)cap;
	if (ctx->proto != IPPROTO_TCP || !st || *len == 0)
		return NAT_ALG_PASS;
	/* Validate every message first: all or nothing. */
	while (i < *len) {
		if (*len - i < 16)
			return NAT_ALG_MALFORMED;
		uint16_t mlen = pk_get_be16(payload + i);
		uint16_t type = pk_get_be16(payload + i + 8);

		if (pk_get_be16(payload + i + 2) != 1 ||
		    pk_get_be32(payload + i + 4) != PPTP_MAGIC || type == 0 || type > 15 ||
		    mlen != pptp_len[type] || *len - i < mlen)
			return NAT_ALG_MALFORMED;
		if (n == PPTP_MAX_MSGS)
			return NAT_ALG_REFUSED;
		offs[n] = i;
		types[n++] = type;
		i += mlen;
	}
	/* Then map what is announced, and check everything translates. */
	uint16_t to[PPTP_MAX_MSGS];
	size_t at[PPTP_MAX_MSGS];

	for (size_t k = 0; k < n; k++) {
		bool announce;
		size_t f = pptp_field(types[k], ctx->dir, &announce);
		uint16_t id, res;

		at[k] = 0;
		if (!f)
			continue;
		id = pk_get_be16(payload + offs[k] + f);
		if (announce) {
			struct nat_endpoint4 in = { .addr = ctx->inside.addr, .port = id };
			struct nat_endpoint4 out, from = { .addr = ctx->remote.addr, .port = 0 };

			if (ctx->ops->map(ctx->core, PPTP_GRE, &in, id, false, 0, &out) !=
				    NAT_CORE_OK ||
			    ctx->ops->expect(ctx->core, PPTP_GRE, &from, &out, &in,
					     NAT_ALG_EXPECT_TIMEOUT_S) != NAT_CORE_OK)
				return NAT_ALG_REFUSED;
			pptp_remember(st, id, out.port);
			res = out.port;
		} else if (!pptp_lookup(st, ctx->dir == NAT_DIR_IN, id, &res)) {
			/* A call this flow never announced: leave it as it is. */
			continue;
		}
		at[k] = offs[k] + f;
		to[k] = res;
	}
	for (size_t k = 0; k < n; k++) {
		if (!at[k] || pk_get_be16(payload + at[k]) == to[k])
			continue;
		pk_put_be16(payload + at[k], to[k]);
		changed = true;
	}
	return changed ? NAT_ALG_REWRITTEN : NAT_ALG_PASS;
}

const struct nat_alg nat_alg_pptp = {
	.name = "pptp",
	.protos = NAT_ALG_PROTO_TCP,
	.default_port = 1723,
	.state_size = sizeof(struct pptp_state),
	.init = pptp_init,
	.process = pptp_process,
};
