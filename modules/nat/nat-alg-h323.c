/* SPDX-License-Identifier: MIT
 * nat-alg-h323.c - H.323 ALG (H.225 call signalling): the H.245 control address of an inside endpoint
 *
 * H.225.0 call signalling (TCP 1720) carries Q.931 messages in TPKT frames
 * (RFC 1006: version 3, reserved 0, 16-bit length). The user-user part is
 * ASN.1 PER: where an endpoint offers its H.245 control channel (Setup,
 * Call Proceeding, Alerting, Connect, Facility: h245Address) the
 * TransportAddress is the 4 address bytes followed by the 2 port bytes. As
 * far as the Go library went, without an ASN.1 decoder: in Q.931 frames
 * (protocol discriminator 8) an inside endpoint sends, each run of its own
 * 4 address bytes followed by a port >= 1024 is taken for such an address:
 * the port is mapped (TCP), a connection from the signalling peer's address
 * is expected there, and address and port are rewritten in place (same
 * length: no sequence adjustment).
 *
 * Not done: Fast Start and H.245 tunnelling (RTP addresses inside encoded
 * OpenLogicalChannel), the H.245 channel's own OpenLogicalChannel messages,
 * RAS (UDP 1719). Frames must be whole; a cut or malformed one leaves the
 * payload unchanged, counted.
 */
#include <netinet/in.h>
#include <string.h>

#include <pktkit/checksum.h>

#include "nat-alg.h"

#define H323_MAX_EDITS 8
#define H323_Q931 0x08

static enum nat_alg_verdict h323_process(const struct nat_alg_ctx *ctx, uint8_t *payload,
					 size_t *len, size_t cap)
{
	size_t at[H323_MAX_EDITS];
	size_t n = 0, i = 0;
	uint8_t addr[4];

	(void)cap;
	if (ctx->dir != NAT_DIR_OUT || ctx->proto != IPPROTO_TCP || *len == 0)
		return NAT_ALG_PASS;
	memcpy(addr, &ctx->inside.addr, 4);
	/* Frames first: all must be whole. */
	while (i < *len) {
		if (*len - i < 4 || payload[i] != 3 || payload[i + 1] != 0)
			return NAT_ALG_MALFORMED;
		size_t flen = pk_get_be16(payload + i + 2);

		if (flen < 4 || flen > *len - i)
			return NAT_ALG_MALFORMED;
		if (flen > 4 && payload[i + 4] == H323_Q931) {
			for (size_t k = i + 5; k + 6 <= i + flen; k++) {
				if (memcmp(payload + k, addr, 4) != 0 ||
				    pk_get_be16(payload + k + 4) < 1024)
					continue;
				if (n == H323_MAX_EDITS)
					return NAT_ALG_REFUSED;
				at[n++] = k;
				k += 5;
			}
		}
		i += flen;
	}
	if (n == 0)
		return NAT_ALG_PASS;
	struct nat_endpoint4 outs[H323_MAX_EDITS];

	for (size_t k = 0; k < n; k++) {
		struct nat_endpoint4 in = { .addr = ctx->inside.addr,
					    .port = pk_get_be16(payload + at[k] + 4) };
		struct nat_endpoint4 from = { .addr = ctx->remote.addr, .port = 0 };

		if (ctx->ops->map(ctx->core, IPPROTO_TCP, &in, in.port, false, 0, &outs[k]) !=
			    NAT_CORE_OK ||
		    ctx->ops->expect(ctx->core, IPPROTO_TCP, &from, &outs[k], &in,
				     NAT_ALG_EXPECT_TIMEOUT_S) != NAT_CORE_OK)
			return NAT_ALG_REFUSED;
	}
	for (size_t k = 0; k < n; k++) {
		memcpy(payload + at[k], &outs[k].addr, 4);
		pk_put_be16(payload + at[k] + 4, outs[k].port);
	}
	return NAT_ALG_REWRITTEN;
}

const struct nat_alg nat_alg_h323 = {
	.name = "h323",
	.protos = NAT_ALG_PROTO_TCP,
	.default_port = 1720,
	.state_size = 0,
	.process = h323_process,
};
