/* SPDX-License-Identifier: MIT
 * nat-alg-tftp.c - TFTP ALG: a request to a server's port 69 lets the server's reply in
 *
 * A TFTP server answers a read or write request (RFC 1350) from a new port
 * of its own, towards the client's port: a different remote endpoint than
 * the one the request went to, which endpoint-dependent filtering would
 * drop. For each well-formed RRQ/WRQ an inside client sends, the ALG
 * expects UDP from the server's address, any port, to the client's mapping.
 * Only requests that parse (opcode, file name, mode, option pairs: RFC 2347)
 * open anything; other datagrams to port 69 are counted malformed. Nothing
 * is rewritten (TFTP names no addresses).
 */
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "nat-alg.h"

#define TFTP_RRQ 1
#define TFTP_WRQ 2

/* A NUL-terminated, non-empty string at p[*i]; advances past the NUL. */
static bool tftp_string(const uint8_t *p, size_t len, size_t *i, const uint8_t **s, size_t *slen)
{
	const uint8_t *nul;

	if (*i >= len)
		return false;
	nul = memchr(p + *i, 0, len - *i);
	if (!nul || nul == p + *i)
		return false;
	*s = p + *i;
	*slen = (size_t)(nul - (p + *i));
	*i += *slen + 1;
	return true;
}

static bool tftp_mode_ok(const uint8_t *s, size_t n)
{
	static const char *const modes[] = { "netascii", "octet", "mail" };

	for (size_t k = 0; k < 3; k++)
		if (n == strlen(modes[k]) && strncasecmp((const char *)s, modes[k], n) == 0)
			return true;
	return false;
}

static bool tftp_request_ok(const uint8_t *p, size_t len)
{
	const uint8_t *s;
	size_t i = 2, n;

	if (len < 2 || p[0] != 0 || (p[1] != TFTP_RRQ && p[1] != TFTP_WRQ))
		return false;
	if (!tftp_string(p, len, &i, &s, &n)) /* file name */
		return false;
	if (!tftp_string(p, len, &i, &s, &n) || !tftp_mode_ok(s, n))
		return false;
	/* Options (RFC 2347): name and value pairs, to the end exactly. */
	while (i < len) {
		if (!tftp_string(p, len, &i, &s, &n))
			return false;
		if (i < len && p[i] == 0) {
			i++; /* an empty value */
			continue;
		}
		if (!tftp_string(p, len, &i, &s, &n))
			return false;
	}
	return true;
}

static enum nat_alg_verdict tftp_process(const struct nat_alg_ctx *ctx, uint8_t *payload,
					 size_t *len, size_t cap)
{
	struct nat_endpoint4 from = { .addr = ctx->remote.addr, .port = 0 };

	(void)cap;
	/* Requests from an inside client; an inside server needs nothing (its
	 * reply goes out from a new port through ordinary NAT). */
	if (ctx->dir != NAT_DIR_OUT || ctx->server_inside || ctx->proto != IPPROTO_UDP)
		return NAT_ALG_PASS;
	if (!tftp_request_ok(payload, *len))
		return NAT_ALG_MALFORMED;
	if (ctx->ops->expect(ctx->core, IPPROTO_UDP, &from, &ctx->outside, &ctx->inside,
			     NAT_ALG_EXPECT_TIMEOUT_S) != NAT_CORE_OK)
		return NAT_ALG_REFUSED;
	return NAT_ALG_PASS;
}

const struct nat_alg nat_alg_tftp = {
	.name = "tftp",
	.protos = NAT_ALG_PROTO_UDP,
	.default_port = 69,
	.state_size = 0,
	.process = tftp_process,
};
