// SPDX-License-Identifier: MIT
/* ip-out.c - Outgoing IP packets of the vclient: headers around L4 payloads, ICMP errors, batching */
#include <string.h>

#include <pktkit/checksum.h>

#include "vclient-private.h"

uint32_t vc_ip_hlen(bool ipv6)
{
	return ipv6 ? PK_IP6_HLEN : PK_IP4_HLEN;
}

struct pk_buf *vc_alloc_l4(struct pk_vclient *vc, bool ipv6, uint32_t l4_cap, uint8_t **l4)
{
	struct pk_buf *b = pk_buf_alloc(vc_ip_hlen(ipv6) + l4_cap);

	if (PK_UNLIKELY(!b)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_NO_BUFFER, 1);
		return NULL;
	}
	*l4 = pk_buf_data(b) + vc_ip_hlen(ipv6);
	return b;
}

void vc_flush_out(struct pk_vclient *vc)
{
	if (!vc->out.n)
		return;
	pk_dev_count(vc->dev, VC_C_TX_PACKETS, vc->out.n);
	pk_dev_emit(vc->dev, 0, &vc->out);
	pk_batch_unref_all(&vc->out);
}

/* Write the IP header in front of the @l4_len bytes of L4 at the end of @b's
 * reserved header space, and trim @b to the packet. */
static void vc_ip_header(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
			 const uint8_t *src, const uint8_t *dst, uint32_t l4_len)
{
	uint8_t *h = pk_buf_data(b);

	if (ipv6) {
		pk_put_be32(h, 6u << 28);
		pk_put_be16(h + 4, (uint16_t)l4_len);
		h[6] = proto;
		h[7] = (uint8_t)vc->cfg.ttl;
		memcpy(h + 8, src, 16);
		memcpy(h + 24, dst, 16);
	} else {
		h[0] = 0x45;
		h[1] = 0;
		pk_put_be16(h + 2, (uint16_t)(PK_IP4_HLEN + l4_len));
		pk_put_be16(h + 4, vc->ip_id++);
		pk_put_be16(h + 6, PK_IP4_DF);
		h[8] = (uint8_t)vc->cfg.ttl;
		h[9] = proto;
		memcpy(h + 12, src, 4);
		memcpy(h + 16, dst, 4);
		pk_ip4_csum_fill(h, PK_IP4_HLEN);
	}
	pk_buf_trim(b, vc_ip_hlen(ipv6) + l4_len);
}

void vc_send_l4(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
		const uint8_t *src, const uint8_t *dst, uint32_t l4_len)
{
	vc_ip_header(vc, b, ipv6, proto, src, dst, l4_len);
	if (pk_batch_full(&vc->out))
		vc_flush_out(vc);
	pk_batch_add(&vc->out, b);
}

bool vc_queue_l4(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
		 const uint8_t *src, const uint8_t *dst, uint32_t l4_len)
{
	if (vc->app_len == VC_APP_QUEUE) {
		pk_buf_unref(b);
		return false;
	}
	vc_ip_header(vc, b, ipv6, proto, src, dst, l4_len);
	vc->app_q[(vc->app_head + vc->app_len++) % VC_APP_QUEUE] = b;
	vc_schedule_flush(vc);
	return true;
}

void vc_flush_app_queue(struct pk_vclient *vc)
{
	for (; vc->app_len > 0; vc->app_len--, vc->app_head = (vc->app_head + 1) % VC_APP_QUEUE) {
		if (pk_batch_full(&vc->out))
			vc_flush_out(vc);
		pk_batch_add(&vc->out, vc->app_q[vc->app_head]);
	}
}

void vc_drop_app_queue(struct pk_vclient *vc)
{
	for (; vc->app_len > 0; vc->app_len--, vc->app_head = (vc->app_head + 1) % VC_APP_QUEUE)
		pk_buf_unref(vc->app_q[vc->app_head]);
}

void vc_send_icmp_error(struct pk_vclient *vc, bool ipv6, const uint8_t *pkt, uint32_t pkt_len,
			uint8_t type, uint8_t code)
{
	/* Quote as much as fits in the minimum MTU (RFC 1812 4.3.2.3, RFC 4443 2.4). */
	uint32_t limit = ipv6 ? 1280 - PK_IP6_HLEN - PK_ICMP_HLEN : 576 - PK_IP4_HLEN - PK_ICMP_HLEN;
	uint32_t quote = MIN(pkt_len, limit);
	const uint8_t *src = ipv6 ? pkt + 8 : pkt + 12;
	const uint8_t *dst = ipv6 ? pkt + 24 : pkt + 16;
	uint8_t *l4;
	struct pk_buf *b = vc_alloc_l4(vc, ipv6, PK_ICMP_HLEN + quote, &l4);

	if (!b)
		return;
	l4[0] = type;
	l4[1] = code;
	memset(l4 + 2, 0, 6);
	memcpy(l4 + PK_ICMP_HLEN, pkt, quote);
	if (ipv6) {
		uint32_t sum = pk_csum_pseudo6(dst, src, PK_IPPROTO_ICMPV6, PK_ICMP_HLEN + quote);

		pk_put_be16(l4 + 2, pk_csum_fold(pk_csum_partial(l4, PK_ICMP_HLEN + quote, sum)));
	} else {
		pk_put_be16(l4 + 2, pk_csum(l4, PK_ICMP_HLEN + quote));
	}
	/* The error goes back from the address the offending packet was sent to. */
	vc_send_l4(vc, b, ipv6, ipv6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP, dst, src,
		   PK_ICMP_HLEN + quote);
}
