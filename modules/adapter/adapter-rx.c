/* SPDX-License-Identifier: MIT
 * adapter-rx.c - L2 -> L3: destination filter, ARP/NDP/DHCP dispatch, header stripped in place
 */
#include <errno.h>

#include <pktkit/toolkit/gso.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

#include "adapter-private.h"

static inline bool ad_wants_dst(const struct adapter *a, const uint8_t *d)
{
	if (memcmp(d, a->mac, 6) == 0 || pk_eth_is_broadcast(d))
		return true;
	if (!(d[0] & 1))
		return false;
	if (d[0] == 0x33 && d[1] == 0x33) {
		if (d[2] == 0 && d[3] == 0 && d[4] == 0 && d[5] == 1)
			return true; /* all-nodes */
		if (d[2] == 0xff)    /* solicited-node of one of ours? */
			for (uint32_t i = 0; i < a->fr.n6; i++)
				if (memcmp(a->fr.v6[i].ip + 13, d + 3, 3) == 0)
					return true;
		return false;
	}
	/* 224.0.0.1, all hosts */
	return d[0] == 1 && d[1] == 0 && d[2] == 0x5e && d[3] == 0 && d[4] == 0 && d[5] == 1;
}

/*
 * A frame the adapter reads itself (DHCP, NDP) whose L4 checksum its sender
 * left to offload (PK_CSUM_PARTIAL, e.g. a kernel UDP socket behind a TAP
 * with 'offload'): a copy with the checksum completed, owned by the dispatch.
 * Only control frames take this path; forwarded packets keep their metadata.
 */
static struct pk_buf *ad_csum_complete(struct adapter *a, struct pk_dev *dev,
				       const struct pk_buf *b)
{
	struct pk_batch one;
	uint32_t pos = 0;
	int rc;

	pk_batch_init(&one);
	rc = pk_gso_segment(b, PK_ETH_HLEN, &pos, &one);
	if (rc != 1 || one.n != 1) {
		pk_batch_unref_all(&one);
		if (rc == -ENOMEM)
			pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		else
			a->ctr[AD_C_DROPPED_BAD_IP]++;
		return NULL;
	}
	pk_dev_autorelease(dev, one.buf[0]);
	return one.buf[0];
}

void ad_receive_eth(struct adapter *a, struct pk_dev *dev, const struct pk_batch *batch)
{
	struct pk_batch *out = &a->out;
	uint64_t *ctr = a->ctr;

	pk_batch_init(out);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i], *w;
		const uint8_t *p = pk_buf_data(b), *l3 = p + PK_ETH_HLEN;
		uint32_t len = pk_buf_len(b), l3_len, ip_len;
		uint16_t type;

		if (PK_UNLIKELY(len < PK_ETH_HLEN)) {
			ctr[AD_C_DROPPED_SHORT]++;
			continue;
		}
		l3_len = len - PK_ETH_HLEN;
		type = pk_get_be16(p + 12);
		if (PK_UNLIKELY(!ad_wants_dst(a, p))) {
			ctr[AD_C_DROPPED_NOT_FOR_US]++;
			continue;
		}
		if (type == PK_ETH_P_IPV4) {
			struct pk_ip4_view v;

			if (PK_UNLIKELY(!pk_ip4_parse(l3, l3_len, &v))) {
				ctr[AD_C_DROPPED_BAD_IP]++;
				continue;
			}
			if (v.proto == PK_IPPROTO_UDP && a->dhcp && v.payload_len >= 4 &&
			    pk_get_be16(v.payload + 2) == PK_DHCP_CLIENT_PORT && !v.frag_off) {
				if (PK_UNLIKELY(b->csum == PK_CSUM_PARTIAL)) {
					b = ad_csum_complete(a, dev, b);
					if (!b)
						continue;
				}
				ad_dhcp_input(a, dev, pk_buf_data(b), pk_buf_len(b));
				continue;
			}
			ip_len = v.total_len;
		} else if (type == PK_ETH_P_IPV6) {
			struct pk_ip6_view v;

			if (PK_UNLIKELY(!pk_ip6_parse(l3, l3_len, &v))) {
				ctr[AD_C_DROPPED_BAD_IP]++;
				continue;
			}
			if (v.proto == PK_IPPROTO_ICMPV6 && v.l4_len >= 1 && !v.frag_off &&
			    (v.l4[0] == PK_ICMP6_NEIGHBOR_SOLICIT ||
			     v.l4[0] == PK_ICMP6_NEIGHBOR_ADVERT)) {
				if (PK_UNLIKELY(b->csum == PK_CSUM_PARTIAL)) {
					b = ad_csum_complete(a, dev, b);
					if (!b)
						continue;
					p = pk_buf_data(b);
					if (!pk_ip6_parse(p + PK_ETH_HLEN,
							  pk_buf_len(b) - PK_ETH_HLEN, &v)) {
						ctr[AD_C_DROPPED_BAD_IP]++;
						continue;
					}
				}
				ad_ndp_input(a, dev, p, &v);
				continue;
			}
			ip_len = PK_IP6_HLEN + v.payload_len;
		} else if (type == PK_ETH_P_ARP) {
			ad_arp_input(a, dev, p, l3, l3_len);
			continue;
		} else if (pk_eth_is_vlan_tpid(type)) {
			ctr[AD_C_DROPPED_VLAN]++;
			continue;
		} else {
			ctr[AD_C_DROPPED_ETHERTYPE]++;
			continue;
		}
		w = pk_buf_writable(dev, b);
		if (PK_UNLIKELY(!w)) /* pk_buf_writable() counted it */
			continue;
		pk_buf_pull(w, PK_ETH_HLEN);
		pk_buf_trim(w, ip_len);
		out->buf[out->n++] = w;
	}
	if (out->n)
		pk_dev_emit(dev, AD_PORT_IP, out);
}
