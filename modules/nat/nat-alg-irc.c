/* SPDX-License-Identifier: MIT
 * nat-alg-irc.c - IRC DCC ALG: an inside client's DCC SEND/CHAT offer names its mapping
 *
 * A DCC offer travels inside a CTCP message of a PRIVMSG through the IRC
 * server: "\x01DCC SEND name ip port [size]\x01" or "\x01DCC CHAT chat ip
 * port\x01", the address a decimal 32-bit number. The peer then connects
 * straight to that address. For an offer from an inside client the ALG maps
 * the port, expects a TCP connection to it from any address (the peer is
 * not known until it connects) and rewrites address and port.
 *
 * A name with spaces is quoted ("my file.txt"). Port 0 is a passive
 * ("reverse") offer: the other side will listen, nothing to open. Offers
 * naming an address other than the sender's own are refused; those that do
 * not parse, or that a segment boundary cut, are counted malformed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "nat-alg.h"

#define IRC_MAX_EDITS 4

struct irc_item {
	size_t off, len; /* "ip port" */
	uint32_t addr;	 /* network order */
	uint16_t port;
};

/*
 * Parse the body of one CTCP DCC message: p[0..end) is what follows
 * "\x01DCC ". Returns 1 with @it filled for an offer to translate, 0 for one
 * that needs nothing, -1 if malformed.
 */
static int irc_parse_dcc(const uint8_t *p, size_t end, struct irc_item *it)
{
	size_t i = 0;
	uint32_t ip, port;

	if (end >= 5 && strncasecmp((const char *)p, "SEND ", 5) == 0)
		i = 5;
	else if (end >= 5 && strncasecmp((const char *)p, "CHAT ", 5) == 0)
		i = 5;
	else
		return 0; /* RESUME, ACCEPT, ...: no address */
	/* The argument: a quoted string or one token. */
	if (i < end && p[i] == '"') {
		const uint8_t *q = memchr(p + i + 1, '"', end - i - 1);

		if (!q || q == p + i + 1)
			return -1;
		i = (size_t)(q - p) + 1;
	} else {
		size_t s = i;

		while (i < end && p[i] != ' ')
			i++;
		if (i == s)
			return -1;
	}
	if (i >= end || p[i] != ' ')
		return -1;
	i++;
	it->off = i;
	if (!nat_alg_parse_dec(p, end, &i, 10, UINT32_MAX, &ip)) {
		/* An IPv6 address in text is some client's extension: not ours. */
		return memchr(p + it->off, ':', end - it->off) ? 0 : -1;
	}
	if (i >= end || p[i] != ' ')
		return -1;
	i++;
	if (!nat_alg_parse_dec(p, end, &i, 5, 65535, &port))
		return -1;
	it->len = i - it->off;
	/* Optional size, then optional token (passive DCC): numbers only. */
	for (int k = 0; k < 2 && i < end; k++) {
		if (p[i] != ' ')
			return -1;
		i++;
		/* Digits only, up to 20 (sizes past 4 GiB), not interpreted. */
		size_t s = i;

		while (i < end && p[i] >= '0' && p[i] <= '9' && i - s < 20)
			i++;
		if (i == s || (i < end && p[i] >= '0' && p[i] <= '9'))
			return -1;
	}
	if (i != end)
		return -1;
	if (port == 0)
		return 0;
	it->addr = htonl(ip);
	it->port = (uint16_t)port;
	return 1;
}

static enum nat_alg_verdict irc_scan(const uint8_t *p, size_t len, struct irc_item *items,
				     size_t *n)
{
	size_t start = 0;

	*n = 0;
	while (start < len) {
		const uint8_t *lf = memchr(p + start, '\n', len - start);
		size_t stop = lf ? (size_t)(lf - p) : len;
		size_t i = start;

		/* Every CTCP DCC message on this line. */
		while (i < stop) {
			const uint8_t *c = memchr(p + i, 0x01, stop - i);
			struct irc_item it;

			if (!c)
				break;
			i = (size_t)(c - p) + 1;
			if (stop - i < 4 || strncasecmp((const char *)p + i, "DCC ", 4) != 0)
				continue;
			const uint8_t *e = memchr(p + i + 4, 0x01, stop - i - 4);

			if (!e)
				return NAT_ALG_MALFORMED; /* unterminated, or cut by the segment */
			int r = irc_parse_dcc(p + i + 4, (size_t)(e - p) - i - 4, &it);

			if (r < 0)
				return NAT_ALG_MALFORMED;
			if (r > 0) {
				if (*n == IRC_MAX_EDITS)
					return NAT_ALG_REFUSED;
				it.off += i + 4;
				items[(*n)++] = it;
			}
			i = (size_t)(e - p) + 1;
		}
		start = stop + 1;
	}
	return NAT_ALG_PASS;
}

static enum nat_alg_verdict irc_process(const struct nat_alg_ctx *ctx, uint8_t *payload,
					size_t *len, size_t cap)
{
	struct irc_item items[IRC_MAX_EDITS];
	struct nat_alg_edit edits[IRC_MAX_EDITS];
	size_t n, worst;
	enum nat_alg_verdict v;

	if (ctx->dir != NAT_DIR_OUT || ctx->proto != IPPROTO_TCP || *len == 0)
		return NAT_ALG_PASS;
	v = irc_scan(payload, *len, items, &n);
	if (v != NAT_ALG_PASS || n == 0)
		return v;
	worst = *len;
	for (size_t k = 0; k < n; k++) {
		if (items[k].addr != ctx->inside.addr)
			return NAT_ALG_REFUSED;
		worst = worst - items[k].len + 16; /* 4294967295 65535 */
	}
	if (worst > cap)
		return NAT_ALG_REFUSED;
	for (size_t k = 0; k < n; k++) {
		struct nat_endpoint4 in = { .addr = ctx->inside.addr, .port = items[k].port };
		struct nat_endpoint4 out, any = { 0 };
		struct nat_alg_edit *e = &edits[k];
		size_t t;

		if (ctx->ops->map(ctx->core, IPPROTO_TCP, &in, in.port, false, 0, &out) !=
			    NAT_CORE_OK ||
		    ctx->ops->expect(ctx->core, IPPROTO_TCP, &any, &out, &in,
				     NAT_ALG_EXPECT_TIMEOUT_S) != NAT_CORE_OK)
			return NAT_ALG_REFUSED;
		e->off = items[k].off;
		e->len = items[k].len;
		t = nat_alg_fmt_dec(e->text, ntohl(out.addr));
		e->text[t++] = ' ';
		t += nat_alg_fmt_dec(e->text + t, out.port);
		e->text_len = t;
	}
	if (!nat_alg_apply_edits(payload, len, cap, edits, n))
		return NAT_ALG_REFUSED;
	return NAT_ALG_REWRITTEN;
}

const struct nat_alg nat_alg_irc = {
	.name = "irc",
	.protos = NAT_ALG_PROTO_TCP,
	.default_port = 6667,
	.state_size = 0,
	.process = irc_process,
};
