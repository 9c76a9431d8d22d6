/* SPDX-License-Identifier: MIT
 * dhcp.c - DHCPv4 codec: message parse, option access and building, UDP/IPv4/Ethernet framing
 */
#include <string.h>

#include <pktkit/build.h>
#include <pktkit/toolkit/dhcp.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

/* Parsing ------------------------------------------------------------------ */

/*
 * Walk one option area; false if an option runs past it. Records option 52 and
 * 53 when asked. The first end option stops the walk; what follows is padding.
 */
static bool dhcp_walk_area(const uint8_t *p, uint32_t len, struct pk_dhcp_msg *m, bool main)
{
	uint32_t off = 0;

	while (off < len) {
		uint8_t code = p[off], olen;

		if (code == PK_DHCP_OPT_PAD) {
			off++;
			continue;
		}
		if (code == PK_DHCP_OPT_END)
			return true;
		if (len - off < 2)
			return false;
		olen = p[off + 1];
		if (olen > len - off - 2)
			return false;
		if (main && code == PK_DHCP_OPT_OVERLOAD && olen == 1)
			m->overload = p[off + 2] & (PK_DHCP_OVERLOAD_FILE | PK_DHCP_OVERLOAD_SNAME);
		off += 2u + olen;
	}
	return true;
}

enum pk_dhcp_err pk_dhcp_parse(const uint8_t *p, uint32_t len, struct pk_dhcp_msg *m)
{
	uint32_t mlen;
	const uint8_t *mt;

	if (len < PK_DHCP_MIN_LEN)
		return PK_DHCP_E_SHORT;
	if (len > PK_DHCP_MAX_LEN)
		return PK_DHCP_E_LONG;
	if (p[0] != PK_DHCP_OP_REQUEST && p[0] != PK_DHCP_OP_REPLY)
		return PK_DHCP_E_HEADER;
	if (p[2] > 16)
		return PK_DHCP_E_HEADER;
	if (pk_get_be32(p + PK_DHCP_FIXED_LEN) != PK_DHCP_MAGIC)
		return PK_DHCP_E_COOKIE;

	memset(m, 0, sizeof(*m));
	m->raw = p;
	m->len = len;
	m->op = p[0];
	m->htype = p[1];
	m->hlen = p[2];
	m->hops = p[3];
	m->xid = pk_get_be32(p + 4);
	m->secs = pk_get_be16(p + 8);
	m->flags = pk_get_be16(p + 10);
	m->ciaddr = p + 12;
	m->yiaddr = p + 16;
	m->siaddr = p + 20;
	m->giaddr = p + 24;
	m->chaddr = p + 28;
	m->sname = p + PK_DHCP_OFF_SNAME;
	m->file = p + PK_DHCP_OFF_FILE;

	m->areas[0].p = p + PK_DHCP_MIN_LEN;
	m->areas[0].len = len - PK_DHCP_MIN_LEN;
	m->n_areas = 1;
	if (!dhcp_walk_area(m->areas[0].p, m->areas[0].len, m, true))
		return PK_DHCP_E_OPTIONS;
	/* RFC 3396: options field, then file, then sname. */
	if (m->overload & PK_DHCP_OVERLOAD_FILE) {
		struct pk_dhcp_area *a = &m->areas[m->n_areas++];

		a->p = p + PK_DHCP_OFF_FILE;
		a->len = PK_DHCP_FILE_LEN;
		m->file = NULL;
		if (!dhcp_walk_area(a->p, a->len, m, false))
			return PK_DHCP_E_OPTIONS;
	}
	if (m->overload & PK_DHCP_OVERLOAD_SNAME) {
		struct pk_dhcp_area *a = &m->areas[m->n_areas++];

		a->p = p + PK_DHCP_OFF_SNAME;
		a->len = PK_DHCP_SNAME_LEN;
		m->sname = NULL;
		if (!dhcp_walk_area(a->p, a->len, m, false))
			return PK_DHCP_E_OPTIONS;
	}
	mt = pk_dhcp_opt_data(m, PK_DHCP_OPT_MSG_TYPE, NULL, 0, &mlen);
	if (mt && mlen == 1)
		m->msg_type = mt[0];
	return PK_DHCP_OK;
}

const char *pk_dhcp_err_name(enum pk_dhcp_err err)
{
	switch (err) {
	case PK_DHCP_OK:
		return "ok";
	case PK_DHCP_E_SHORT:
		return "short";
	case PK_DHCP_E_LONG:
		return "oversized";
	case PK_DHCP_E_COOKIE:
		return "bad-cookie";
	case PK_DHCP_E_HEADER:
		return "bad-header";
	case PK_DHCP_E_OPTIONS:
		return "bad-options";
	case PK_DHCP_E_NOT_DHCP:
		return "not-dhcp";
	case PK_DHCP_E_BAD_IP:
		return "bad-ip";
	case PK_DHCP_E_BAD_UDP:
		return "bad-udp";
	}
	return "unknown";
}

void pk_dhcp_opt_iter_init(struct pk_dhcp_opt_iter *it, const struct pk_dhcp_msg *m)
{
	it->m = m;
	it->area = 0;
	it->off = 0;
}

bool pk_dhcp_opt_next(struct pk_dhcp_opt_iter *it, uint8_t *code, const uint8_t **data,
		      uint8_t *len)
{
	const struct pk_dhcp_msg *m = it->m;

	while (it->area < m->n_areas) {
		const struct pk_dhcp_area *a = &m->areas[it->area];

		while (it->off < a->len) {
			const uint8_t *o = a->p + it->off;
			uint8_t olen;

			if (o[0] == PK_DHCP_OPT_PAD) {
				it->off++;
				continue;
			}
			if (o[0] == PK_DHCP_OPT_END)
				break;
			/* Bounds were checked by pk_dhcp_parse(); stay safe anyway. */
			if (a->len - it->off < 2 || o[1] > a->len - it->off - 2)
				break;
			olen = o[1];
			*code = o[0];
			*data = o + 2;
			*len = olen;
			it->off += 2u + olen;
			return true;
		}
		it->area++;
		it->off = 0;
	}
	return false;
}

const uint8_t *pk_dhcp_opt_data(const struct pk_dhcp_msg *m, uint8_t code, uint8_t *scratch,
				uint32_t scratch_size, uint32_t *len)
{
	struct pk_dhcp_opt_iter it;
	const uint8_t *first = NULL, *d;
	uint32_t total = 0, n = 0;
	uint8_t c, l;

	*len = 0;
	if (code == PK_DHCP_OPT_PAD || code == PK_DHCP_OPT_END)
		return NULL;
	pk_dhcp_opt_iter_init(&it, m);
	while (pk_dhcp_opt_next(&it, &c, &d, &l)) {
		if (c != code)
			continue;
		if (n == 0) {
			first = d;
		} else {
			if (n == 1) {
				/* Second instance: start concatenating. */
				if (total > scratch_size)
					return NULL;
				if (total)
					memcpy(scratch, first, total);
			}
			if (l > scratch_size - total)
				return NULL;
			if (l)
				memcpy(scratch + total, d, l);
		}
		total += l;
		n++;
	}
	if (n == 0)
		return NULL;
	*len = total;
	if (n == 1)
		return first;
	return scratch;
}

bool pk_dhcp_opt_has(const struct pk_dhcp_msg *m, uint8_t code)
{
	struct pk_dhcp_opt_iter it;
	const uint8_t *d;
	uint8_t c, l;

	pk_dhcp_opt_iter_init(&it, m);
	while (pk_dhcp_opt_next(&it, &c, &d, &l))
		if (c == code)
			return true;
	return false;
}

/* A fixed-size option, concatenated if split; NULL unless exactly @want bytes. */
static const uint8_t *dhcp_opt_fixed(const struct pk_dhcp_msg *m, uint8_t code, uint8_t *tmp,
				     uint32_t want)
{
	uint32_t len;
	const uint8_t *d = pk_dhcp_opt_data(m, code, tmp, want, &len);

	return d && len == want ? d : NULL;
}

bool pk_dhcp_get_ip4(const struct pk_dhcp_msg *m, uint8_t code, struct pk_ip4 *out)
{
	uint8_t tmp[4];
	const uint8_t *d = dhcp_opt_fixed(m, code, tmp, 4);

	if (!d)
		return false;
	memcpy(out->b, d, 4);
	return true;
}

bool pk_dhcp_get_u32(const struct pk_dhcp_msg *m, uint8_t code, uint32_t *out)
{
	uint8_t tmp[4];
	const uint8_t *d = dhcp_opt_fixed(m, code, tmp, 4);

	if (!d)
		return false;
	*out = pk_get_be32(d);
	return true;
}

bool pk_dhcp_get_u16(const struct pk_dhcp_msg *m, uint8_t code, uint16_t *out)
{
	uint8_t tmp[2];
	const uint8_t *d = dhcp_opt_fixed(m, code, tmp, 2);

	if (!d)
		return false;
	*out = pk_get_be16(d);
	return true;
}

uint32_t pk_dhcp_get_ip4_list(const struct pk_dhcp_msg *m, uint8_t code, struct pk_ip4 *out,
			      uint32_t max)
{
	uint8_t tmp[1024];
	uint32_t len, n;
	const uint8_t *d = pk_dhcp_opt_data(m, code, tmp, sizeof(tmp), &len);

	if (!d || len == 0 || len % 4)
		return 0;
	n = MIN(len / 4, max);
	for (uint32_t i = 0; i < n; i++)
		memcpy(out[i].b, d + 4 * i, 4);
	return n;
}

int pk_dhcp_get_str(const struct pk_dhcp_msg *m, uint8_t code, char *buf, size_t size)
{
	uint8_t tmp[1024];
	uint32_t len;
	const uint8_t *d;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	d = pk_dhcp_opt_data(m, code, tmp, sizeof(tmp), &len);
	if (!d)
		return -1;
	while (len > 0 && d[len - 1] == '\0')
		len--;
	if (len >= size || memchr(d, '\0', len))
		return -1;
	memcpy(buf, d, len);
	buf[len] = '\0';
	return (int)len;
}

bool pk_dhcp_param_requested(const struct pk_dhcp_msg *m, uint8_t code)
{
	uint8_t tmp[1024];
	uint32_t len;
	const uint8_t *d = pk_dhcp_param_list(m, tmp, sizeof(tmp), &len);

	return d && len && memchr(d, code, len) != NULL;
}

int pk_dhcp_get_routes(const struct pk_dhcp_msg *m, struct pk_dhcp_route *out, uint32_t max)
{
	uint8_t tmp[1024];
	uint32_t len, off = 0;
	int n = 0;
	const uint8_t *d = pk_dhcp_opt_data(m, PK_DHCP_OPT_CLASSLESS_ROUTES, tmp, sizeof(tmp), &len);

	if (!d)
		return 0;
	while (off < len) {
		uint8_t plen = d[off];
		uint32_t sig = (plen + 7u) / 8u;

		if (plen > 32 || len - off - 1 < sig + 4)
			return -1;
		if ((uint32_t)n < max) {
			struct pk_dhcp_route *r = &out[n];

			memset(r, 0, sizeof(*r));
			memcpy(r->dest.b, d + off + 1, sig);
			if (plen % 8)	/* keep the network clean of stray host bits */
				r->dest.b[sig - 1] &= (uint8_t)(0xff << (8 - plen % 8));
			r->len = plen;
			memcpy(r->via.b, d + off + 1 + sig, 4);
		}
		n++;
		off += 1 + sig + 4;
	}
	return n;
}

/* Building ------------------------------------------------------------------ */

void pk_dhcp_build_init(struct pk_dhcp_builder *b, uint8_t *buf, uint32_t size,
			const struct pk_dhcp_header *h)
{
	b->buf = buf;
	b->size = size;
	b->len = 0;
	b->overflow = false;
	if (size < PK_DHCP_MIN_LEN) {
		b->overflow = true;
		return;
	}
	memset(buf, 0, PK_DHCP_MIN_LEN);
	buf[0] = h->op;
	buf[1] = h->htype ? h->htype : PK_DHCP_HTYPE_ETHER;
	buf[2] = h->hlen ? MIN(h->hlen, 16) : PK_ETH_ALEN;
	buf[3] = h->hops;
	pk_put_be32(buf + 4, h->xid);
	pk_put_be16(buf + 8, h->secs);
	pk_put_be16(buf + 10, h->flags);
	memcpy(buf + 12, h->ciaddr.b, 4);
	memcpy(buf + 16, h->yiaddr.b, 4);
	memcpy(buf + 20, h->siaddr.b, 4);
	memcpy(buf + 24, h->giaddr.b, 4);
	memcpy(buf + 28, h->chaddr, buf[2]);
	pk_put_be32(buf + PK_DHCP_FIXED_LEN, PK_DHCP_MAGIC);
	b->len = PK_DHCP_MIN_LEN;
}

bool pk_dhcp_put_opt(struct pk_dhcp_builder *b, uint8_t code, const void *data, uint32_t len)
{
	const uint8_t *d = data;
	uint32_t pieces = len ? (len + 254) / 255 : 1, need = len + 2 * pieces;

	if (b->overflow || code == PK_DHCP_OPT_PAD || code == PK_DHCP_OPT_END ||
	    need + 1 > b->size - b->len) {
		b->overflow = true;
		return false;
	}
	do {
		uint8_t l = (uint8_t)MIN(len, 255u);

		b->buf[b->len] = code;
		b->buf[b->len + 1] = l;
		if (l)
			memcpy(b->buf + b->len + 2, d, l);
		b->len += 2u + l;
		d += l;
		len -= l;
	} while (len);
	return true;
}

bool pk_dhcp_put_u8(struct pk_dhcp_builder *b, uint8_t code, uint8_t v)
{
	return pk_dhcp_put_opt(b, code, &v, 1);
}

bool pk_dhcp_put_u16(struct pk_dhcp_builder *b, uint8_t code, uint16_t v)
{
	uint8_t d[2];

	pk_put_be16(d, v);
	return pk_dhcp_put_opt(b, code, d, 2);
}

bool pk_dhcp_put_u32(struct pk_dhcp_builder *b, uint8_t code, uint32_t v)
{
	uint8_t d[4];

	pk_put_be32(d, v);
	return pk_dhcp_put_opt(b, code, d, 4);
}

bool pk_dhcp_put_ip4(struct pk_dhcp_builder *b, uint8_t code, const struct pk_ip4 *a)
{
	return pk_dhcp_put_opt(b, code, a->b, 4);
}

bool pk_dhcp_put_ip4_list(struct pk_dhcp_builder *b, uint8_t code, const struct pk_ip4 *a,
			  uint32_t n)
{
	uint8_t d[1020];

	if (n == 0)
		return true;
	if (n > sizeof(d) / 4) {
		b->overflow = true;
		return false;
	}
	for (uint32_t i = 0; i < n; i++)
		memcpy(d + 4 * i, a[i].b, 4);
	return pk_dhcp_put_opt(b, code, d, 4 * n);
}

bool pk_dhcp_put_str(struct pk_dhcp_builder *b, uint8_t code, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (len == 0)
		return true;
	if (len > PK_DHCP_MAX_LEN) {
		b->overflow = true;
		return false;
	}
	return pk_dhcp_put_opt(b, code, s, (uint32_t)len);
}

bool pk_dhcp_put_routes(struct pk_dhcp_builder *b, const struct pk_dhcp_route *r, uint32_t n)
{
	uint8_t d[1024];
	uint32_t len = 0;

	if (n == 0)
		return true;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t sig = (r[i].len + 7u) / 8u;

		if (r[i].len > 32 || len + 1 + sig + 4 > sizeof(d)) {
			b->overflow = true;
			return false;
		}
		d[len++] = r[i].len;
		memcpy(d + len, r[i].dest.b, sig);
		if (r[i].len % 8)
			d[len + sig - 1] &= (uint8_t)(0xff << (8 - r[i].len % 8));
		len += sig;
		memcpy(d + len, r[i].via.b, 4);
		len += 4;
	}
	return pk_dhcp_put_opt(b, PK_DHCP_OPT_CLASSLESS_ROUTES, d, len);
}

uint32_t pk_dhcp_build_finish(struct pk_dhcp_builder *b)
{
	uint32_t pad_to;

	if (b->overflow || b->len >= b->size)
		return 0;
	b->buf[b->len++] = PK_DHCP_OPT_END;
	pad_to = MIN(PK_DHCP_BOOTP_MIN_LEN, b->size);
	if (b->len < pad_to) {
		memset(b->buf + b->len, 0, pad_to - b->len);
		b->len = pad_to;
	}
	return b->len;
}

/* Framing ------------------------------------------------------------------- */

/* The IPv4 header of DHCP frames. */
static struct pk_ip_fields dhcp_ip_fields(const struct pk_dhcp_addrs *a)
{
	const struct pk_ip_fields f = {
		.version = 4, .proto = PK_IPPROTO_UDP, .ttl = 64,
		.tos = 0x10,	/* low delay, as BOOTP implementations commonly send */
		.src = a->src_ip.b, .dst = a->dst_ip.b,
	};

	return f;
}

static void dhcp_write_eth(uint8_t *hdr, const struct pk_dhcp_addrs *a)
{
	memcpy(hdr, a->dst_mac.b, 6);
	memcpy(hdr + 6, a->src_mac.b, 6);
	pk_put_be16(hdr + 12, PK_ETH_P_IPV4);
}

bool pk_dhcp_frame_wrap(struct pk_buf *b, const struct pk_dhcp_addrs *a)
{
	const struct pk_ip_fields f = dhcp_ip_fields(a);
	uint8_t *eth;

	/* Checked first so that no push fails half-way. */
	if (pk_buf_len(b) > 65535u - PK_IP4_HLEN - PK_UDP_HLEN ||
	    pk_buf_headroom(b) < PK_DHCP_FRAME_HLEN)
		return false;
	if (!pk_udp_push(b, &f, a->src_port, a->dst_port, 0) || !pk_ip_push(b, &f) ||
	    !(eth = pk_buf_push(b, PK_ETH_HLEN)))
		return false;
	dhcp_write_eth(eth, a);
	return true;
}

uint32_t pk_dhcp_frame_build(uint8_t *out, uint32_t size, const struct pk_dhcp_addrs *a,
			     const uint8_t *msg, uint32_t len)
{
	const struct pk_ip_fields f = dhcp_ip_fields(a);
	const uint32_t ulen = PK_UDP_HLEN + len;

	if (len > 65535u - PK_IP4_HLEN - PK_UDP_HLEN || size < PK_DHCP_FRAME_HLEN ||
	    len > size - PK_DHCP_FRAME_HLEN)
		return 0;
	memmove(out + PK_DHCP_FRAME_HLEN, msg, len);
	dhcp_write_eth(out, a);
	pk_ip_hdr_write(out + PK_ETH_HLEN, PK_IP4_HLEN, &f, ulen);
	pk_udp_hdr_write(out + PK_ETH_HLEN + PK_IP4_HLEN, ulen, &f, a->src_port, a->dst_port, 0);
	return PK_DHCP_FRAME_HLEN + len;
}

struct pk_buf *pk_dhcp_buf_new(struct pk_dhcp_builder *b, uint32_t size,
			       const struct pk_dhcp_header *h)
{
	struct pk_buf *buf = pk_buf_alloc(size);

	if (!buf)
		return NULL;
	pk_dhcp_build_init(b, pk_buf_data(buf), size, h);
	return buf;
}

bool pk_dhcp_buf_finish(struct pk_buf *buf, struct pk_dhcp_builder *b)
{
	uint32_t len = pk_dhcp_build_finish(b);

	if (!len)
		return false;
	pk_buf_trim(buf, len);
	return true;
}

bool pk_dhcp_is_candidate(const uint8_t *frame, uint32_t len, uint16_t port)
{
	uint32_t ihl;

	if (len < PK_DHCP_FRAME_HLEN || pk_get_be16(frame + 12) != PK_ETH_P_IPV4)
		return false;
	if ((frame[14] >> 4) != 4 || frame[14 + 9] != PK_IPPROTO_UDP)
		return false;
	ihl = (uint32_t)(frame[14] & 0x0f) * 4;
	if (ihl < PK_IP4_HLEN || len < PK_ETH_HLEN + ihl + PK_UDP_HLEN)
		return false;
	return pk_get_be16(frame + PK_ETH_HLEN + ihl + 2) == port;
}

enum pk_dhcp_err pk_dhcp_frame_parse(const uint8_t *frame, uint32_t len,
				     struct pk_dhcp_frame *f)
{
	struct pk_eth_view eth;
	struct pk_ip4_view ip;
	struct pk_udp_view udp;
	const uint8_t *l4;

	if (!pk_eth_parse(frame, len, &eth) || eth.tagged || eth.ethertype != PK_ETH_P_IPV4)
		return PK_DHCP_E_NOT_DHCP;
	if (!pk_ip4_parse(frame + eth.l3_off, eth.l3_len, &ip) || !pk_ip4_csum_ok(&ip) ||
	    pk_ip4_is_fragment(&ip))
		return PK_DHCP_E_BAD_IP;
	if (ip.proto != PK_IPPROTO_UDP)
		return PK_DHCP_E_NOT_DHCP;
	l4 = ip.payload;
	if (!pk_udp_parse(l4, ip.payload_len, &udp))
		return PK_DHCP_E_BAD_UDP;
	if (udp.dport != PK_DHCP_SERVER_PORT && udp.dport != PK_DHCP_CLIENT_PORT)
		return PK_DHCP_E_NOT_DHCP;
	if (udp.csum &&
	    !pk_csum_ok(l4, udp.len, pk_csum_pseudo4(ip.src, ip.dst, PK_IPPROTO_UDP, udp.len)))
		return PK_DHCP_E_BAD_UDP;
	f->eth_dst = eth.dst;
	f->eth_src = eth.src;
	f->ip_src = ip.src;
	f->ip_dst = ip.dst;
	f->src_port = udp.sport;
	f->dst_port = udp.dport;
	return pk_dhcp_parse(udp.payload, udp.payload_len, &f->msg);
}
