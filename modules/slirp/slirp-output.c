/* SPDX-License-Identifier: MIT
 * slirp-output.c - Packets from l3.slirp to the guests: IP header, emit, ICMP errors
 */
#include "slirp-private.h"

struct pk_buf *slirp_alloc_l4(struct slirp *s, bool ipv6, uint32_t l4_len, uint8_t **l4)
{
	struct pk_buf *b = pk_buf_alloc(pk_ip_hdr_len(ipv6 ? 6 : 4) + l4_len);

	if (PK_UNLIKELY(!b)) {
		pk_dev_drop(s->dev, PK_DROP_NO_BUFFER, 1);
		return NULL;
	}
	pk_buf_pull(b, pk_ip_hdr_len(ipv6 ? 6 : 4));
	*l4 = pk_buf_data(b);
	return b;
}

void slirp_send_l4(struct slirp *s, struct pk_buf *b, bool ipv6, uint8_t proto, const uint8_t *src,
		   const uint8_t *dst)
{
	const struct pk_ip_fields f = {
		.src = src,
		.dst = dst,
		.version = ipv6 ? 6 : 4,
		.proto = proto,
		.ttl = 64,
	};

	if (PK_UNLIKELY(!pk_ip_push(b, &f))) {
		pk_dev_drop(s->dev, PK_DROP_NO_BUFFER, 1);
		pk_buf_unref(b);
		return;
	}
	s->ctr[SLIRP_C_TX_PACKETS]++;
	pk_dev_emit_one(s->dev, PK_PORT(0, 0), b);
	pk_buf_unref(b);
}

void slirp_send_icmp_error(struct slirp *s, bool ipv6, const uint8_t *pkt, uint32_t len,
			   uint8_t type, uint8_t code, uint32_t info, const uint8_t *from)
{
	const struct pk_ip_fields f = { .src = from, .version = ipv6 ? 6 : 4 };
	struct pk_buf *b = pk_buf_alloc(0);

	if (!b) {
		pk_dev_drop(s->dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	/* Never about an ICMP error, a fragment, a broadcast or multicast
	 * (the builder checks, RFC 1122 3.2.2, RFC 4443 2.4(e)). */
	if (pk_icmp_error_build(b, &f, type, code, info, pkt, len, 0) == PK_ICMP_ERR_OK) {
		s->ctr[SLIRP_C_ICMP_ERRORS_SENT]++;
		s->ctr[SLIRP_C_TX_PACKETS]++;
		pk_dev_emit_one(s->dev, PK_PORT(0, 0), b);
	}
	pk_buf_unref(b);
}

void slirp_send_unreach(struct slirp *s, const struct slirp_pkt *p, bool admin, bool port)
{
	uint8_t type, code;

	if (p->ipv6) {
		type = PK_ICMP6_DEST_UNREACH;
		code = admin ? 1 : port ? 4 : 3; /* RFC 4443 3.1 */
	} else {
		type = PK_ICMP_DEST_UNREACH;
		code = admin ? 13 : port ? 3 : 1; /* RFC 792, RFC 1812 5.2.7.1 */
	}
	slirp_send_icmp_error(s, p->ipv6, p->pkt, p->pkt_len, type, code, 0, p->dst);
}
