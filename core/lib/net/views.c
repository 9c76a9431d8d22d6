/* SPDX-License-Identifier: MIT
 * views.c - Out-of-line parts of the header views: IPv6 extension walk, TCP options
 */
#include <string.h>

#include <pktkit/ip.h>
#include <pktkit/l4.h>

#define IP6_EXT_MIN_LEN 8u	/* every extension header is at least 8 bytes */
#define IP6_FRAG_HLEN 8u

/* Length in bytes of the extension header at @h (at least 8 bytes there). */
static uint32_t ip6_ext_len(uint8_t nh, const uint8_t *h)
{
	if (nh == PK_IPPROTO_FRAGMENT)
		return IP6_FRAG_HLEN;
	if (nh == PK_IPPROTO_AH)
		return ((uint32_t)h[1] + 2) * 4;	/* RFC 4302: 4-byte units minus 2 */
	return ((uint32_t)h[1] + 1) * 8;	/* RFC 8200: 8-byte units minus 1 */
}

/* Record the fragment header at @h; return false for a second one. */
static bool ip6_take_frag(struct pk_ip6_view *v, const uint8_t *h)
{
	uint16_t off_flags = pk_get_be16(h + 2);

	if (v->frag)
		return false;
	v->frag = true;
	v->frag_off = off_flags & 0xfff8u;	/* 13-bit offset in 8-byte units, << 3 */
	v->frag_more = off_flags & 1u;
	v->frag_id = pk_get_be32(h + 4);
	return true;
}

bool pk_ip6_walk_ext_(struct pk_ip6_view *v)
{
	const uint8_t *p = v->payload;
	uint32_t len = v->payload_len;
	uint32_t off = 0;
	uint8_t nh = v->next_hdr;
	unsigned int n = 0;

	while (pk_ip6_is_ext_hdr(nh)) {
		const uint8_t *h = p + off;
		uint32_t hlen;

		if (n == PK_IP6_MAX_EXT)
			return false;
		if (nh == PK_IPPROTO_HOPOPTS && n != 0)
			return false;	/* RFC 8200 4.1: only right after the fixed header */
		if (len - off < IP6_EXT_MIN_LEN)
			return false;
		hlen = ip6_ext_len(nh, h);
		if (hlen > len - off)
			return false;
		if (nh == PK_IPPROTO_FRAGMENT && !ip6_take_frag(v, h))
			return false;
		if (nh == PK_IPPROTO_ROUTING)
			v->routing = true;
		n++;
		off += hlen;
		nh = h[0];
		if (v->frag_off != 0)
			break;	/* a later fragment: no more headers here */
	}
	v->n_ext = (uint8_t)n;
	v->proto = nh;
	v->l4 = p + off;
	v->l4_off = PK_IP6_HLEN + off;
	v->l4_len = len - off;
	return true;
}

/* Fill in one known option of @o; options with unexpected lengths are skipped. */
static void tcp_opts_take(struct pk_tcp_opts *out, const struct pk_tcp_opt *o)
{
	switch (o->kind) {
	case PK_TCP_OPT_MSS:
		if (o->data_len != 2)
			return;
		out->mss = pk_get_be16(o->data);
		out->present |= PK_TCP_HAS_MSS;
		return;
	case PK_TCP_OPT_WSCALE:
		if (o->data_len != 1)
			return;
		out->wscale = MIN(o->data[0], PK_TCP_MAX_WSCALE);
		out->present |= PK_TCP_HAS_WSCALE;
		return;
	case PK_TCP_OPT_SACK_PERM:
		if (o->data_len != 0)
			return;
		out->present |= PK_TCP_HAS_SACK_PERM;
		return;
	case PK_TCP_OPT_SACK:
		if (o->data_len == 0 || o->data_len % 8 != 0 ||
		    o->data_len / 8 > PK_TCP_MAX_SACK)
			return;
		out->n_sack = o->data_len / 8;
		for (unsigned int i = 0; i < out->n_sack; i++) {
			out->sack[i].left = pk_get_be32(o->data + 8 * i);
			out->sack[i].right = pk_get_be32(o->data + 8 * i + 4);
		}
		out->present |= PK_TCP_HAS_SACK;
		return;
	case PK_TCP_OPT_TIMESTAMP:
		if (o->data_len != 8)
			return;
		out->ts_val = pk_get_be32(o->data);
		out->ts_ecr = pk_get_be32(o->data + 4);
		out->present |= PK_TCP_HAS_TIMESTAMP;
		return;
	default:
		return;
	}
}

bool pk_tcp_opts_parse(const struct pk_tcp_view *tcp, struct pk_tcp_opts *out)
{
	struct pk_tcp_opt_iter it;
	struct pk_tcp_opt o;

	memset(out, 0, sizeof(*out));
	pk_tcp_opt_iter_init(&it, tcp);
	while (pk_tcp_opt_next(&it, &o))
		tcp_opts_take(out, &o);
	return !it.malformed;
}
