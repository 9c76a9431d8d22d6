/* SPDX-License-Identifier: MIT
 * nat-alg-ftp.c - FTP ALG: PORT/EPRT from an inside client, 227/229 replies from an inside server
 *
 * Active mode, inside client (RFC 959 4.1.2, RFC 2428 2): the client's
 * "PORT h1,h2,h3,h4,p1,p2" or "EPRT |1|a.b.c.d|port|" names its own data
 * port; the ALG maps it, lets the server's data connection in (from the
 * server's address, any port) and rewrites the command to the mapping.
 *
 * Passive mode, inside server behind a port forward: its "227 ... (h1,...,p2)"
 * reply names its own data port; same treatment towards the client. A "229
 * ... (|||port|)" reply has no address (the client reuses the control
 * connection's): the port is mapped and expected, and rewritten only when the
 * mapping got another outside port.
 *
 * Only complete lines (ending in LF) are looked at: a command cut by a
 * segment boundary is counted malformed and passes unchanged, as do
 * arguments that do not parse exactly. Commands going the other way (the
 * outside client's PORT to an inside server, an outside server's 227) need
 * nothing: the resulting connections go out through ordinary NAT.
 */
#include <netinet/in.h>
#include <string.h>

#include "nat-alg.h"

#define FTP_MAX_EDITS 4

enum ftp_kind {
	FTP_PORT, /* PORT and 227: six comma-separated numbers */
	FTP_EPRT, /* a.b.c.d<d>port */
	FTP_EPSV, /* port only */
};

struct ftp_item {
	enum ftp_kind kind;
	size_t off, len; /* the argument's bytes */
	char delim;	 /* EPRT's delimiter */
	uint32_t addr;	 /* network order; EPSV: unused */
	uint16_t port;
};

static bool ftp_prefix_ci(const uint8_t *p, size_t len, const char *word)
{
	size_t n = strlen(word);

	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 'a' + 'A');
		if (c != (uint8_t)word[i])
			return false;
	}
	return true;
}

static bool ftp_is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Six comma-separated numbers 0..255 at p[*i]; address and port out. */
static bool ftp_parse_six(const uint8_t *p, size_t len, size_t *i, uint32_t *addr, uint16_t *port)
{
	uint32_t v[6];
	size_t j = *i;
	uint8_t b[4];

	for (int k = 0; k < 6; k++) {
		if (k > 0) {
			if (j >= len || p[j] != ',')
				return false;
			j++;
		}
		if (!nat_alg_parse_dec(p, len, &j, 3, 255, &v[k]))
			return false;
	}
	for (int k = 0; k < 4; k++)
		b[k] = (uint8_t)v[k];
	memcpy(addr, b, 4);
	*port = (uint16_t)(v[4] << 8 | v[5]);
	*i = j;
	return *port != 0;
}

/* Line content ends at @end (the LF's position, or the CR before it). */
static size_t ftp_content_end(const uint8_t *p, size_t start, size_t lf)
{
	return (lf > start && p[lf - 1] == '\r') ? lf - 1 : lf;
}

/* "PORT" SP h1,h2,h3,h4,p1,p2 CRLF; @p..@end is the line without CRLF. */
static bool ftp_parse_port(const uint8_t *p, size_t end, struct ftp_item *it)
{
	size_t i = 5;

	if (end < 5 || p[4] != ' ')
		return false;
	it->kind = FTP_PORT;
	it->off = i;
	if (!ftp_parse_six(p, end, &i, &it->addr, &it->port) || i != end)
		return false;
	it->len = i - it->off;
	return true;
}

/*
 * "EPRT" SP <d> net-prt <d> net-addr <d> tcp-port <d>, <d> one of the
 * printable ASCII characters 33..126 (RFC 2428 2). Returns 1 for an IPv4
 * one (parsed into @it), 0 for another protocol (not ours), -1 if malformed.
 */
static int ftp_parse_eprt(const uint8_t *p, size_t end, struct ftp_item *it)
{
	size_t i = 5;
	uint32_t af, port;
	char d;

	if (end < 6 || p[4] != ' ' || p[5] < 33 || p[5] > 126)
		return -1;
	d = (char)p[5];
	i = 6;
	if (!nat_alg_parse_dec(p, end, &i, 5, 65535, &af) || i >= end || p[i] != (uint8_t)d)
		return -1;
	i++;
	if (af != 1) {
		/* Another protocol family (2: IPv6) is not translated here. */
		return af == 2 ? 0 : -1;
	}
	it->kind = FTP_EPRT;
	it->delim = d;
	it->off = i;
	if (!nat_alg_parse_dotted(p, end, &i, &it->addr) || i >= end || p[i] != (uint8_t)d)
		return -1;
	i++;
	if (!nat_alg_parse_dec(p, end, &i, 5, 65535, &port) || port == 0)
		return -1;
	it->port = (uint16_t)port;
	it->len = i - it->off;
	if (i + 1 != end || p[i] != (uint8_t)d)
		return -1;
	return 1;
}

/* "227 <text> h1,h2,h3,h4,p1,p2<text>": the first digit after the code starts the numbers. */
static bool ftp_parse_227(const uint8_t *p, size_t end, struct ftp_item *it)
{
	size_t i = 4;

	while (i < end && !(p[i] >= '0' && p[i] <= '9'))
		i++;
	it->kind = FTP_PORT;
	it->off = i;
	if (!ftp_parse_six(p, end, &i, &it->addr, &it->port))
		return false;
	/* A seventh number would mean this was not the host-port. */
	if (i < end && (p[i] == ',' || (p[i] >= '0' && p[i] <= '9')))
		return false;
	it->len = i - it->off;
	return true;
}

/* "229 <text> (<d><d><d>port<d>)" (RFC 2428 3). */
static bool ftp_parse_229(const uint8_t *p, size_t end, struct ftp_item *it)
{
	size_t i = 4;
	uint32_t port;
	uint8_t d;

	while (i < end && p[i] != '(')
		i++;
	if (i + 4 >= end)
		return false;
	d = p[i + 1];
	if (d < 33 || d > 126 || p[i + 2] != d || p[i + 3] != d)
		return false;
	i += 4;
	it->kind = FTP_EPSV;
	it->off = i;
	if (!nat_alg_parse_dec(p, end, &i, 5, 65535, &port) || port == 0)
		return false;
	it->port = (uint16_t)port;
	it->len = i - it->off;
	if (i + 1 >= end || p[i] != d || p[i + 1] != ')')
		return false;
	return true;
}

/* Longest text an item's rewrite can have. */
static size_t ftp_max_text(enum ftp_kind k)
{
	switch (k) {
	case FTP_PORT:
		return 23; /* 255,255,255,255,255,255 */
	case FTP_EPRT:
		return 21; /* 255.255.255.255|65535 */
	default:
		return 5;
	}
}

/*
 * Find the lines to translate. Returns PASS with *n items, or MALFORMED /
 * REFUSED (too many lines to translate in one segment).
 */
static enum nat_alg_verdict ftp_scan(const struct nat_alg_ctx *ctx, const uint8_t *p, size_t len,
				     struct ftp_item *items, size_t *n)
{
	bool client = !ctx->server_inside;
	size_t start = 0;

	*n = 0;
	while (start < len) {
		const uint8_t *lf = memchr(p + start, '\n', len - start);
		const uint8_t *line = p + start;
		size_t avail = len - start;
		struct ftp_item it = { 0 };
		bool cand;

		if (client)
			cand = ftp_prefix_ci(line, avail, "PORT") ||
			       ftp_prefix_ci(line, avail, "EPRT");
		else
			cand = ftp_prefix_ci(line, avail, "227 ") ||
			       ftp_prefix_ci(line, avail, "229 ");
		if (!lf)
			return cand ? NAT_ALG_MALFORMED : NAT_ALG_PASS; /* cut by the segment */
		size_t end = ftp_content_end(p, start, (size_t)(lf - p)) - start;

		start = (size_t)(lf - p) + 1;
		if (!cand)
			continue;
		/* Another verb that starts the same ("PORTX") is not ours. */
		if (client && end > 4 && ftp_is_alnum(line[4]))
			continue;
		if (client && ftp_prefix_ci(line, avail, "PORT")) {
			if (!ftp_parse_port(line, end, &it))
				return NAT_ALG_MALFORMED;
		} else if (client) {
			int r = ftp_parse_eprt(line, end, &it);

			if (r < 0)
				return NAT_ALG_MALFORMED;
			if (r == 0)
				continue;
		} else if (line[2] == '7') {
			if (!ftp_parse_227(line, end, &it))
				return NAT_ALG_MALFORMED;
		} else {
			if (!ftp_parse_229(line, end, &it))
				return NAT_ALG_MALFORMED;
		}
		if (*n == FTP_MAX_EDITS)
			return NAT_ALG_REFUSED;
		it.off += (size_t)(line - p);
		items[(*n)++] = it;
	}
	return NAT_ALG_PASS;
}

static enum nat_alg_verdict ftp_process(const struct nat_alg_ctx *ctx, uint8_t *payload,
					size_t *len, size_t cap)
{
	struct ftp_item items[FTP_MAX_EDITS];
	struct nat_alg_edit edits[FTP_MAX_EDITS];
	size_t n, ne = 0, worst;
	enum nat_alg_verdict v;

	/* Only what the inside host writes names inside endpoints. */
	if (ctx->dir != NAT_DIR_OUT || ctx->proto != IPPROTO_TCP || *len == 0)
		return NAT_ALG_PASS;
	v = ftp_scan(ctx, payload, *len, items, &n);
	if (v != NAT_ALG_PASS || n == 0)
		return v;
	worst = *len;
	for (size_t k = 0; k < n; k++) {
		/* Never open a port for another host than the one speaking. */
		if (items[k].kind != FTP_EPSV && items[k].addr != ctx->inside.addr)
			return NAT_ALG_REFUSED;
		worst = worst - items[k].len + ftp_max_text(items[k].kind);
	}
	if (worst > cap)
		return NAT_ALG_REFUSED;

	for (size_t k = 0; k < n; k++) {
		const struct ftp_item *it = &items[k];
		struct nat_endpoint4 in = { .addr = ctx->inside.addr, .port = it->port };
		struct nat_endpoint4 out, from = { .addr = ctx->remote.addr, .port = 0 };
		struct nat_alg_edit *e = &edits[ne];
		size_t t = 0;

		if (ctx->ops->map(ctx->core, IPPROTO_TCP, &in, it->port, false, 0, &out) !=
		    NAT_CORE_OK)
			return NAT_ALG_REFUSED; /* all or nothing: no edit made yet */
		if (ctx->ops->expect(ctx->core, IPPROTO_TCP, &from, &out, &in,
				     NAT_ALG_EXPECT_TIMEOUT_S) != NAT_CORE_OK)
			return NAT_ALG_REFUSED;
		e->off = it->off;
		e->len = it->len;
		switch (it->kind) {
		case FTP_PORT:
			t = nat_alg_fmt_addr(e->text, out.addr, ',');
			e->text[t++] = ',';
			t += nat_alg_fmt_dec(e->text + t, out.port >> 8);
			e->text[t++] = ',';
			t += nat_alg_fmt_dec(e->text + t, out.port & 0xff);
			break;
		case FTP_EPRT:
			t = nat_alg_fmt_addr(e->text, out.addr, '.');
			e->text[t++] = it->delim;
			t += nat_alg_fmt_dec(e->text + t, out.port);
			break;
		case FTP_EPSV:
			if (out.port == it->port)
				continue; /* same port: the reply stays as it is */
			t = nat_alg_fmt_dec(e->text, out.port);
			break;
		}
		e->text_len = t;
		ne++;
	}
	if (ne == 0)
		return NAT_ALG_PASS;
	if (!nat_alg_apply_edits(payload, len, cap, edits, ne))
		return NAT_ALG_REFUSED;
	return NAT_ALG_REWRITTEN;
}

const struct nat_alg nat_alg_ftp = {
	.name = "ftp",
	.protos = NAT_ALG_PROTO_TCP,
	.default_port = 21,
	.state_size = 0,
	.process = ftp_process,
};
