/* SPDX-License-Identifier: MIT
 * nat-alg-sip.c - SIP ALG (UDP and TCP): Via/Contact and SDP media of an inside user agent
 *
 * An inside user agent writes its own address into SIP (RFC 3261) headers
 * the other side uses to reach it: Via (where responses go) and Contact
 * (where later requests go), and into the SDP body (RFC 4566) of its offers
 * and answers: c= (the media address) and m= (one port per stream).
 *
 * Outbound (the inside UA's messages): in Via and Contact headers (and
 * their compact forms v:, m:), "inside-addr[:port]" whose port is the
 * flow's inside port (5060 when absent) becomes the flow's outside mapping.
 * In an application/sdp body, c= and o= lines naming the inside address
 * get the outside address; each m= port of a stream whose connection
 * address is the inside host is mapped (UDP), with an expectation for RTP
 * there and for RTCP on the next port (when the core gives the adjacent
 * outside port), from any address (the media peer is not known here), and
 * rewritten. Content-Length follows the body's new length.
 *
 * Inbound (to the inside UA): the Request-URI and Via headers naming the
 * outside mapping get the inside endpoint back, so responses match the
 * transaction the UA sent and requests reach it as it registered.
 *
 * One complete message per payload (headers ended by an empty line, the
 * body as long as Content-Length says; over TCP the header is mandatory):
 * anything else (a message cut by a segment, two in one) passes unchanged
 * and is counted malformed. Header folding is not followed.
 */
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "nat-alg.h"

#define SIP_MAX_EDITS 24
#define SIP_MAX_MEDIA 8
#define SIP_MEDIA_TIMEOUT_S 120
#define SIP_DEFAULT_PORT 5060

struct sip_msg {
	const uint8_t *p;
	size_t len;
	size_t hdr_end; /* offset of the empty line ending the headers */
	size_t body;	/* offset of the body */
	size_t cl_off;	/* Content-Length value (digits), 0: none */
	size_t cl_len;
	bool sdp; /* Content-Type: application/sdp */
	bool request;
};

struct sip_edits {
	struct nat_alg_edit e[SIP_MAX_EDITS];
	size_t n;
	size_t worst; /* growth the worst case would need */
	bool full;
};

static bool sip_is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static void sip_edit_add(struct sip_edits *ed, size_t off, size_t len, const char *text, size_t tl)
{
	if (ed->n == SIP_MAX_EDITS) {
		ed->full = true;
		return;
	}
	struct nat_alg_edit *e = &ed->e[ed->n++];

	e->off = off;
	e->len = len;
	memcpy(e->text, text, tl);
	e->text_len = tl;
}

/* Header name match (case-insensitive) for the line at p[0..n): "Name:" with
 * optional whitespace before the colon. Returns the value's offset or 0. */
static size_t sip_header(const uint8_t *p, size_t n, const char *name, const char *compact)
{
	for (int k = 0; k < 2; k++) {
		const char *nm = k ? compact : name;
		size_t l = strlen(nm);
		size_t i = l;

		if (!nm[0] || n <= l || strncasecmp((const char *)p, nm, l) != 0)
			continue;
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i < n && p[i] == ':')
			return i + 1;
	}
	return 0;
}

/*
 * Every "addr[:port]" in p[a..b) with address @addr and port @port (an
 * absent port counts as 5060) is replaced by "to_addr:to_port" (the port
 * written only if there was one or to_port is not 5060).
 */
static void sip_replace_hostport(const uint8_t *p, size_t a, size_t b, uint32_t addr, uint16_t port,
				 uint32_t to_addr, uint16_t to_port, struct sip_edits *ed)
{
	size_t i = a;

	while (i < b) {
		uint32_t v, pv = SIP_DEFAULT_PORT;
		size_t s = i, j = i;
		bool has_port = false;

		if (!sip_is_digit(p[i]) || (i > a && (sip_is_digit(p[i - 1]) || p[i - 1] == '.'))) {
			i++;
			continue;
		}
		if (!nat_alg_parse_dotted(p, b, &j, &v) ||
		    (j < b && (sip_is_digit(p[j]) || p[j] == '.'))) {
			i = j > i ? j : i + 1;
			while (i < b && (sip_is_digit(p[i]) || p[i] == '.'))
				i++;
			continue;
		}
		if (j + 1 < b && p[j] == ':' && sip_is_digit(p[j + 1])) {
			size_t k = j + 1;

			if (!nat_alg_parse_dec(p, b, &k, 5, 65535, &pv) ||
			    (k < b && sip_is_digit(p[k]))) {
				i = k;
				continue;
			}
			j = k;
			has_port = true;
		}
		if (v == addr && pv == port) {
			char t[24];
			size_t tl = nat_alg_fmt_addr(t, to_addr, '.');

			if (has_port || to_port != SIP_DEFAULT_PORT) {
				t[tl++] = ':';
				tl += nat_alg_fmt_dec(t + tl, to_port);
			}
			sip_edit_add(ed, s, j - s, t, tl);
			ed->worst += 21 - (j - s < 21 ? j - s : 21);
		}
		i = j;
	}
}

/* Split the message into start line, headers and body; false if it is not one complete message. */
static bool sip_frame(const struct nat_alg_ctx *ctx, struct sip_msg *m)
{
	const uint8_t *p = m->p;
	size_t len = m->len, i = 0;
	bool have_cl = false;
	uint32_t cl = 0;

	/* The start line: "SIP/2.0 code ..." or "METHOD uri SIP/2.0". */
	const uint8_t *lf = memchr(p, '\n', len);

	if (!lf || lf == p)
		return false;
	if (len >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0) {
		m->request = false;
	} else {
		size_t e = (size_t)(lf - p);

		if (e > 0 && p[e - 1] == '\r')
			e--;
		if (e < 8 || memcmp(p + e - 8, " SIP/2.0", 8) != 0)
			return false;
		m->request = true;
	}
	i = (size_t)(lf - p) + 1;
	for (;;) {
		lf = memchr(p + i, '\n', len - i);
		if (!lf)
			return false;
		size_t e = (size_t)(lf - p);
		size_t ce = (e > i && p[e - 1] == '\r') ? e - 1 : e;

		if (ce == i) {
			m->hdr_end = i;
			m->body = e + 1;
			break;
		}
		size_t v;

		if ((v = sip_header(p + i, ce - i, "Content-Length", "l"))) {
			size_t k = i + v;

			while (k < ce && (p[k] == ' ' || p[k] == '\t'))
				k++;
			m->cl_off = k;
			if (have_cl || !nat_alg_parse_dec(p, ce, &k, 5, 65535, &cl))
				return false;
			m->cl_len = k - m->cl_off;
			while (k < ce && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (k != ce)
				return false;
			have_cl = true;
		} else if ((v = sip_header(p + i, ce - i, "Content-Type", "c"))) {
			size_t k = i + v;

			while (k < ce && (p[k] == ' ' || p[k] == '\t'))
				k++;
			m->sdp = ce - k >= 15 &&
				 strncasecmp((const char *)p + k, "application/sdp", 15) == 0 &&
				 (ce - k == 15 || p[k + 15] == ';' || p[k + 15] == ' ' ||
				  p[k + 15] == '\t');
		}
		i = e + 1;
	}
	if (!have_cl)
		return ctx->proto == IPPROTO_UDP; /* the rest of the datagram is the body */
	return m->body + cl == len;
}

/* The media of an SDP body: its m= ports and where each's connection address is. */
struct sip_media {
	size_t port_off, port_len;
	uint16_t port;
	uint32_t conn; /* effective c= address, network order; 0: none */
};

/* Walk the SDP body: c=/o= addresses to rewrite, m= streams. */
static bool sip_sdp(const struct nat_alg_ctx *ctx, const struct sip_msg *m, struct sip_edits *ed,
		    struct sip_media *media, size_t *n_media)
{
	const uint8_t *p = m->p;
	size_t i = m->body;
	uint32_t session_conn = 0;

	*n_media = 0;
	while (i < m->len) {
		const uint8_t *lf = memchr(p + i, '\n', m->len - i);
		size_t e = lf ? (size_t)(lf - p) : m->len;
		size_t ce = (e > i && p[e - 1] == '\r') ? e - 1 : e;

		if (ce - i >= 2 && p[i + 1] == '=') {
			if (p[i] == 'c' || p[i] == 'o') {
				/* c=IN IP4 addr / o=user id version IN IP4 addr */
				const uint8_t *ip4 = NULL;

				for (size_t k = i + 2; k + 8 <= ce; k++)
					if (memcmp(p + k, "IN IP4 ", 7) == 0) {
						ip4 = p + k + 7;
						break;
					}
				if (ip4) {
					size_t k = (size_t)(ip4 - p);
					uint32_t a;

					if (!nat_alg_parse_dotted(p, ce, &k, &a) ||
					    (k < ce && p[k] != '/' && p[k] != ' ')) {
						/* A name: fine in o=, not in c= */
						if (p[i] == 'c')
							return false;
						i = e + 1;
						continue;
					}
					/* c= may have a /ttl for multicast: not ours anyway */
					if (p[i] == 'c') {
						if (*n_media)
							media[*n_media - 1].conn = a;
						else
							session_conn = a;
					}
					if (a == ctx->inside.addr) {
						char t[16];
						size_t s = (size_t)(ip4 - p);
						size_t tl = nat_alg_fmt_addr(t, ctx->outside.addr,
									     '.');

						sip_edit_add(ed, s, k - s, t, tl);
						ed->worst += 15 - (k - s < 15 ? k - s : 15);
					}
				}
			} else if (p[i] == 'm') {
				/* m=<media> <port>[/<count>] <proto> ... */
				size_t k = i + 2;
				uint32_t port;

				while (k < ce && p[k] != ' ')
					k++;
				k++;
				size_t s = k;

				if (k >= ce || !nat_alg_parse_dec(p, ce, &k, 5, 65535, &port) ||
				    k >= ce || (p[k] != ' ' && p[k] != '/'))
					return false;
				if (*n_media == SIP_MAX_MEDIA)
					return false;
				media[*n_media] = (struct sip_media){ .port_off = s,
								      .port_len = k - s,
								      .port = (uint16_t)port,
								      .conn = session_conn };
				(*n_media)++;
				ed->worst += 5 - (k - s);
			}
		}
		i = e + 1;
	}
	return true;
}

/* Map one stream's RTP and RTCP ports; false if the core refused RTP. */
static bool sip_map_media(const struct nat_alg_ctx *ctx, uint16_t port, uint16_t *out_port)
{
	struct nat_endpoint4 in = { .addr = ctx->inside.addr, .port = port };
	struct nat_endpoint4 out, out_rtcp, any = { 0 };

	if (ctx->ops->map(ctx->core, IPPROTO_UDP, &in, port, false, 0, &out) != NAT_CORE_OK ||
	    ctx->ops->expect(ctx->core, IPPROTO_UDP, &any, &out, &in, SIP_MEDIA_TIMEOUT_S) !=
		    NAT_CORE_OK)
		return false;
	*out_port = out.port;
	/* RTCP (RFC 3550: the next port) only if it lands next to RTP outside too. */
	in.port = (uint16_t)(port + 1);
	if (port < 65535 && out.port < 65535 &&
	    ctx->ops->map(ctx->core, IPPROTO_UDP, &in, (uint16_t)(out.port + 1), true, 0,
			  &out_rtcp) == NAT_CORE_OK)
		ctx->ops->expect(ctx->core, IPPROTO_UDP, &any, &out_rtcp, &in, SIP_MEDIA_TIMEOUT_S);
	return true;
}

static int sip_edit_cmp(const struct nat_alg_edit *a, const struct nat_alg_edit *b)
{
	return a->off < b->off ? -1 : a->off > b->off;
}

static enum nat_alg_verdict sip_process(const struct nat_alg_ctx *ctx, uint8_t *payload,
					size_t *len, size_t cap)
{
	struct sip_msg m = { .p = payload, .len = *len };
	struct sip_edits ed = { .n = 0 };
	struct sip_media media[SIP_MAX_MEDIA];
	size_t n_media = 0;
	bool out = ctx->dir == NAT_DIR_OUT;

	/* Nothing, or a keepalive (RFC 5626: CRLF). */
	size_t nl = 0;

	while (nl < *len && (payload[nl] == '\r' || payload[nl] == '\n'))
		nl++;
	if (nl == *len)
		return NAT_ALG_PASS;
	if (!sip_frame(ctx, &m))
		return NAT_ALG_MALFORMED;
	/* Header lines (and the start line inbound). */
	for (size_t i = 0; i < m.hdr_end;) {
		const uint8_t *lf = memchr(payload + i, '\n', m.hdr_end - i);
		size_t e = (size_t)(lf - payload);
		size_t ce = (e > i && payload[e - 1] == '\r') ? e - 1 : e;
		size_t v = 0;

		if (i == 0) {
			if (!out && m.request)
				v = 1; /* the Request-URI */
		} else if (out) {
			v = sip_header(payload + i, ce - i, "Via", "v");
			if (!v)
				v = sip_header(payload + i, ce - i, "Contact", "m");
		} else {
			v = sip_header(payload + i, ce - i, "Via", "v");
		}
		if (v && out)
			sip_replace_hostport(payload, i + v, ce, ctx->inside.addr, ctx->inside.port,
					     ctx->outside.addr, ctx->outside.port, &ed);
		else if (v)
			sip_replace_hostport(payload, i + (i == 0 ? 0 : v), ce, ctx->outside.addr,
					     ctx->outside.port, ctx->inside.addr, ctx->inside.port,
					     &ed);
		i = e + 1;
	}
	if (out && m.sdp && !sip_sdp(ctx, &m, &ed, media, &n_media))
		return NAT_ALG_MALFORMED;
	if (ed.full)
		return NAT_ALG_REFUSED;
	/* Streams of the inside host, with a port (0: disabled). */
	size_t n_map = 0;

	for (size_t k = 0; k < n_media; k++)
		if (media[k].conn == ctx->inside.addr && media[k].port != 0)
			n_map++;
	if (ed.n + n_map + 1 > SIP_MAX_EDITS)
		return NAT_ALG_REFUSED;
	if (ed.n == 0 && n_map == 0)
		return NAT_ALG_PASS;
	if (*len + ed.worst + 5 > cap)
		return NAT_ALG_REFUSED;
	for (size_t k = 0; k < n_media; k++) {
		uint16_t op;
		char t[6];

		if (media[k].conn != ctx->inside.addr || media[k].port == 0)
			continue;
		if (!sip_map_media(ctx, media[k].port, &op))
			return NAT_ALG_REFUSED;
		if (op != media[k].port)
			sip_edit_add(&ed, media[k].port_off, media[k].port_len, t,
				     nat_alg_fmt_dec(t, op));
	}
	/* Content-Length: the body's new length. */
	if (m.cl_len) {
		long body = (long)(m.len - m.body);
		char t[8];

		for (size_t k = 0; k < ed.n; k++)
			if (ed.e[k].off >= m.body)
				body += (long)ed.e[k].text_len - (long)ed.e[k].len;
		if (body != (long)(m.len - m.body))
			sip_edit_add(&ed, m.cl_off, m.cl_len, t,
				     nat_alg_fmt_dec(t, (uint32_t)body));
	}
	if (ed.n == 0)
		return NAT_ALG_PASS;
	/* Sort by offset (insertion sort: a handful of edits). */
	for (size_t k = 1; k < ed.n; k++)
		for (size_t j = k; j > 0 && sip_edit_cmp(&ed.e[j - 1], &ed.e[j]) > 0; j--) {
			struct nat_alg_edit tmp = ed.e[j];

			ed.e[j] = ed.e[j - 1];
			ed.e[j - 1] = tmp;
		}
	if (!nat_alg_apply_edits(payload, len, cap, ed.e, ed.n))
		return NAT_ALG_REFUSED;
	return NAT_ALG_REWRITTEN;
}

const struct nat_alg nat_alg_sip = {
	.name = "sip",
	.protos = NAT_ALG_PROTO_TCP | NAT_ALG_PROTO_UDP,
	.default_port = SIP_DEFAULT_PORT,
	.state_size = 0,
	.process = sip_process,
};
