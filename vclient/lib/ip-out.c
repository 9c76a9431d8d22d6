// SPDX-License-Identifier: MIT
/* ip-out.c - Outgoing IP packets of the vclient: headers around L4 payloads, ICMP errors, batching */
#include <string.h>

#include <pktkit/build.h>

#include "vclient-private.h"

uint32_t vc_ip_hlen(bool ipv6)
{
	return ipv6 ? PK_IP6_HLEN : PK_IP4_HLEN;
}

struct pk_buf *vc_alloc_l4(struct pk_vclient *vc, bool ipv6, uint32_t l4_cap, uint8_t **l4)
{
	struct pk_buf *b = pk_buf_alloc(vc_ip_hlen(ipv6) + l4_cap);

	if (PK_UNLIKELY(!b)) {
		pk_dev_drop(vc->dev, PK_DROP_NO_BUFFER, 1);
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

/* The IP header fields of our packets. */
static struct pk_ip_fields vc_ip_fields(struct pk_vclient *vc, bool ipv6, uint8_t proto,
					const uint8_t *src, const uint8_t *dst)
{
	struct pk_ip_fields f = {
		.version = ipv6 ? 6 : 4, .proto = proto, .ttl = (uint8_t)vc->cfg.ttl,
		.src = src, .dst = dst,
	};

	if (!ipv6) {
		f.id = vc->ip_id++;
		f.frag = PK_IP4_DF;
	}
	return f;
}

/* Put the IP header in front of the @l4_len bytes of L4 that follow @b's
 * reserved header space (vc_alloc_l4()), trimming @b to the packet. False
 * (never with the lengths the callers use) if the packet would exceed
 * 64 KiB; @b is then dropped and counted. */
static bool vc_ip_header(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
			 const uint8_t *src, const uint8_t *dst, uint32_t l4_len)
{
	struct pk_ip_fields f = vc_ip_fields(vc, ipv6, proto, src, dst);

	pk_buf_pull(b, vc_ip_hlen(ipv6));
	pk_buf_trim(b, l4_len);
	if (PK_UNLIKELY(!pk_ip_push(b, &f))) {
		pk_dev_drop(vc->dev, PK_DROP_NO_BUFFER, 1);
		pk_buf_unref(b);
		return false;
	}
	return true;
}

void vc_send_l4(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
		const uint8_t *src, const uint8_t *dst, uint32_t l4_len)
{
	if (!vc_ip_header(vc, b, ipv6, proto, src, dst, l4_len))
		return;
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
	if (!vc_ip_header(vc, b, ipv6, proto, src, dst, l4_len))
		return false;
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

bool vc_send_icmp_error(struct pk_vclient *vc, bool ipv6, const uint8_t *pkt, uint32_t pkt_len,
			uint8_t type, uint8_t code, uint32_t info)
{
	struct pk_ip_fields f;
	struct pk_buf *b;

	/* Never about an ICMP error, a broadcast or multicast, a fragment or
	 * a source that is not one host (RFC 1122 3.2.2, RFC 4443 2.4(e)). */
	if (pk_icmp_error_check(pkt, pkt_len, type, code, 0) != PK_ICMP_ERR_OK)
		return false;
	b = pk_buf_alloc(0);
	if (PK_UNLIKELY(!b)) {
		pk_dev_drop(vc->dev, PK_DROP_NO_BUFFER, 1);
		return false;
	}
	/* Sent from the address the offending packet was sent to (.src NULL),
	 * quoting as much as fits in 576 / 1280 bytes. */
	f = vc_ip_fields(vc, ipv6, 0, NULL, NULL);
	if (pk_icmp_error_build(b, &f, type, code, info, pkt, pkt_len, 0) != PK_ICMP_ERR_OK) {
		pk_buf_unref(b);
		return false;
	}
	if (pk_batch_full(&vc->out))
		vc_flush_out(vc);
	pk_batch_add(&vc->out, b);
	return true;
}
