// SPDX-License-Identifier: MIT
/* gso.c - Software segmentation offload: cut TCP super-packets, complete partial checksums
 *
 * The slow path behind the offload metadata of struct pk_buf: the core runs
 * it when a super-packet or a partial checksum would reach a port that does
 * not accept them, devices run it where their medium needs ordinary packets.
 */
#include <errno.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/gso.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

#define GSO_TCP_FIN 0x01u
#define GSO_TCP_PSH 0x08u
#define GSO_TCP_CWR 0x80u

/* What pk_gso_segment() learned from the headers, offsets from the data. */
struct gso_pkt {
	uint32_t l3;		/* IP header */
	uint32_t l4;		/* L4 header (TCP when segmenting) */
	uint32_t hdr_end;	/* end of the TCP header: the payload starts here */
	uint32_t end;		/* end of the IP packet */
	bool v6;
	bool segment;		/* more than one segment to make */
};

int32_t pk_eth_l3_offset(const uint8_t *frame, uint32_t len)
{
	uint32_t off = 12;

	for (int tags = 0; tags <= 2; tags++) {
		uint16_t type;

		if (len < off + 2)
			return -1;
		type = pk_get_be16(frame + off);
		if (type == 0x0800 || type == 0x86dd)
			return (int32_t)off + 2;
		if (type != 0x8100 && type != 0x88a8)
			return -1;
		off += 4;
	}
	return -1;
}

/* Check the headers of @b; fill @g. */
static int gso_parse(const struct pk_buf *b, uint32_t l3, struct gso_pkt *g)
{
	const uint8_t *p = pk_buf_data(b);
	uint32_t len = pk_buf_len(b), proto;
	bool gso = b->gso_size != 0;
	bool partial = b->csum == PK_CSUM_PARTIAL;

	memset(g, 0, sizeof(*g));
	g->l3 = l3;
	if (l3 >= len)
		return -EINVAL;
	switch (p[l3] >> 4) {
	case 4: {
		uint32_t ihl = (uint32_t)(p[l3] & 0x0f) * 4, tot;

		if (ihl < PK_IP4_HLEN || len < l3 + ihl)
			return -EINVAL;
		tot = pk_get_be16(p + l3 + 2);
		if (tot < ihl || len < l3 + tot)
			return -EINVAL;
		g->end = l3 + tot;
		g->l4 = l3 + ihl;
		proto = p[l3 + 9];
		if (gso && (b->gso_type != PK_GSO_TCPV4 || proto != PK_IPPROTO_TCP ||
			    (pk_get_be16(p + l3 + 6) & (PK_IP4_MF | PK_IP4_OFF_MASK))))
			return -EINVAL;
		break;
	}
	case 6:
		if (len < l3 + PK_IP6_HLEN)
			return -EINVAL;
		g->end = l3 + PK_IP6_HLEN + pk_get_be16(p + l3 + 4);
		if (len < g->end)
			return -EINVAL;
		g->v6 = true;
		g->l4 = l3 + PK_IP6_HLEN;
		proto = p[l3 + 6];
		/* Extension headers: the checksum start says where L4 begins. */
		if (partial && pk_buf_csum_start(b) > (int32_t)g->l4)
			g->l4 = (uint32_t)pk_buf_csum_start(b);
		else if (gso && proto != PK_IPPROTO_TCP)
			return -EINVAL;
		if (gso && b->gso_type != PK_GSO_TCPV6)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (partial) {
		int32_t start = pk_buf_csum_start(b);

		if (start < (int32_t)g->l4 || (uint32_t)start + b->csum_offset + 2 > g->end)
			return -EINVAL;
		if (gso && ((uint32_t)start != g->l4 || b->csum_offset != 16))
			return -EINVAL;
	}
	if (gso) {
		uint32_t thl;

		if (g->end < g->l4 + PK_TCP_HLEN)
			return -EINVAL;
		thl = (uint32_t)(p[g->l4 + 12] >> 4) * 4;
		if (thl < PK_TCP_HLEN || g->end < g->l4 + thl)
			return -EINVAL;
		g->hdr_end = g->l4 + thl;
		g->segment = g->end - g->hdr_end > b->gso_size;
	} else if (!partial) {
		return -EINVAL;	/* nothing to do: the caller should not have asked */
	}
	return 0;
}

/* The one's complement sum of the pseudo header for @l4_len bytes of TCP. */
static uint32_t gso_pseudo(const uint8_t *ip, bool v6, uint32_t l4_len)
{
	if (v6)
		return pk_csum_pseudo6(ip + 8, ip + 24, PK_IPPROTO_TCP, l4_len);
	return pk_csum_pseudo4(ip + 12, ip + 16, PK_IPPROTO_TCP, l4_len);
}

/* One copy of a non-segmented packet with its checksum completed. */
static int gso_complete_one(const struct pk_buf *b, const struct gso_pkt *g, struct pk_batch *out)
{
	struct pk_buf *nb = pk_buf_new_copy(pk_buf_data(b), g->end);
	uint8_t *p;

	if (!nb)
		return -ENOMEM;
	p = pk_buf_data(nb);
	if (b->csum == PK_CSUM_PARTIAL) {
		uint32_t start = (uint32_t)pk_buf_csum_start(b);
		uint16_t c = pk_csum_fold(pk_csum_partial(p + start, g->end - start, 0));

		/* UDP sends a computed 0 as 0xffff (0 means "no checksum"). */
		if (c == 0 && b->csum_offset == 6)
			c = 0xffff;
		pk_put_be16(p + start + b->csum_offset, c);
	} else {
		/* A super-packet that fits one segment and had no partial sum:
		 * compute the TCP checksum from scratch. */
		uint32_t l4_len = g->end - g->l4;

		pk_put_be16(p + g->l4 + 16, 0);
		pk_put_be16(p + g->l4 + 16,
			    pk_csum_fold(pk_csum_partial(p + g->l4, l4_len,
							 gso_pseudo(p + g->l3, g->v6, l4_len))));
	}
	pk_batch_add(out, nb);
	return 1;
}

int pk_gso_segment(const struct pk_buf *b, uint32_t l3_off, uint32_t *pos, struct pk_batch *out)
{
	const uint8_t *src = pk_buf_data(b);
	struct gso_pkt g;
	uint32_t payload, mss, nseg, seq0;
	uint16_t id0;
	int rc = gso_parse(b, l3_off, &g);

	if (rc < 0)
		return rc;
	if (!g.segment) {
		if (*pos > 0)
			return 1;
		if (pk_batch_full(out))
			return 0;
		rc = gso_complete_one(b, &g, out);
		if (rc > 0)
			*pos = 1;
		return rc;
	}
	payload = g.end - g.hdr_end;
	mss = b->gso_size;
	nseg = (payload + mss - 1) / mss;
	seq0 = pk_get_be32(src + g.l4 + 4);
	id0 = g.v6 ? 0 : pk_get_be16(src + g.l3 + 4);
	while (*pos < nseg) {
		uint32_t i = *pos, off = i * mss, n = MIN(mss, payload - off);
		uint32_t l4_len = g.hdr_end - g.l4 + n;
		struct pk_buf *nb;
		uint8_t *p, *ip, *th;

		if (pk_batch_full(out))
			return 0;
		nb = pk_buf_alloc(g.hdr_end + n);
		if (!nb)
			return -ENOMEM;
		p = pk_buf_data(nb);
		memcpy(p, src, g.hdr_end);
		memcpy(p + g.hdr_end, src + g.hdr_end + off, n);
		ip = p + g.l3;
		th = p + g.l4;
		if (g.v6) {
			pk_put_be16(ip + 4, (uint16_t)(g.hdr_end - g.l3 - PK_IP6_HLEN + n));
		} else {
			uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;

			pk_put_be16(ip + 2, (uint16_t)(g.hdr_end - g.l3 + n));
			pk_put_be16(ip + 4, (uint16_t)(id0 + i));
			pk_put_be16(ip + 10, 0);
			pk_ip4_csum_fill(ip, ihl);
		}
		pk_put_be32(th + 4, seq0 + off);
		if (i + 1 < nseg)
			th[13] &= (uint8_t)~(GSO_TCP_FIN | GSO_TCP_PSH);
		if (i > 0)
			th[13] &= (uint8_t)~GSO_TCP_CWR;
		pk_put_be16(th + 16, 0);
		pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len,
								  gso_pseudo(ip, g.v6, l4_len))));
		pk_batch_add(out, nb);
		*pos = i + 1;
	}
	return 1;
}
