/* SPDX-License-Identifier: MIT
 * adapter-tx.c - L3 -> L2: next hop and Ethernet framing in place; control frames we send
 */
#include <pktkit/eth.h>
#include <pktkit/ip.h>

#include "adapter-private.h"
#include "ndp.h"

void ad_emit_bytes(struct adapter *a, struct pk_dev *dev, uint32_t port, const uint8_t *p,
		   uint32_t len)
{
	struct pk_buf *b = pk_buf_new_copy(p, len);

	if (!b) {
		pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	pk_dev_emit_one(dev, port, b);
	pk_buf_unref(b);
}

void ad_send_arp(struct adapter *a, struct pk_dev *dev, uint16_t op, const uint8_t *eth_dst,
		 const uint8_t spa[4], const uint8_t *tha, const uint8_t tpa[4])
{
	uint8_t f[ARP_FRAME_LEN];

	arp_build(f, op, eth_dst, a->mac, spa, tha, tpa);
	ad_emit_bytes(a, dev, AD_PORT_ETH, f, sizeof(f));
}

void ad_receive_ip(struct adapter *a, struct pk_dev *dev, const struct pk_batch *batch)
{
	struct pk_batch *out = &a->out;
	uint64_t now = pk_dev_now(dev);
	uint64_t *ctr = a->ctr;

	pk_batch_init(out);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i], *w;
		const uint8_t *p = pk_buf_data(b), *dmac = NULL;
		uint32_t len = pk_buf_len(b);
		uint8_t key[NB_KEY_LEN], gmac[6];
		uint16_t type;

		if (len >= PK_IP4_HLEN && (p[0] >> 4) == 4) {
			uint32_t dst = pk_get_be32(p + 16), nh = 0;
			uint8_t ip[4];

			type = PK_ETH_P_IPV4;
			switch (fr_route4(&a->fr, dst, &nh)) {
			case FR_UNICAST:
				pk_put_be32(ip, nh);
				nb_key4(key, ip);
				dmac = nb_cache_lookup(&a->nb, key, now);
				break;
			case FR_BROADCAST:
				dmac = ad_bcast;
				break;
			case FR_MULTICAST:
				fr_mcast4_mac(dst, gmac);
				dmac = gmac;
				break;
			default:
				ctr[AD_C_DROPPED_NO_ROUTE]++;
				continue;
			}
		} else if (len >= PK_IP6_HLEN && (p[0] >> 4) == 6) {
			const uint8_t *nh = NULL;

			type = PK_ETH_P_IPV6;
			switch (fr_route6(&a->fr, p + 24, &nh)) {
			case FR_UNICAST:
				memcpy(key, nh, NB_KEY_LEN);
				dmac = nb_cache_lookup(&a->nb, key, now);
				break;
			case FR_MULTICAST:
				ndp_mcast_mac(p + 24, gmac);
				dmac = gmac;
				break;
			default:
				ctr[AD_C_DROPPED_NO_ROUTE]++;
				continue;
			}
		} else {
			ctr[AD_C_DROPPED_BAD_IP]++;
			continue;
		}
		if (PK_UNLIKELY(!dmac)) {
			ad_miss(a, dev, key, b, now);
			continue;
		}
		w = pk_buf_writable(dev, b);
		if (PK_UNLIKELY(!w)) /* pk_buf_writable() counted it */
			continue;
		if (PK_UNLIKELY(!fr_push_eth(w, dmac, a->mac, type))) {
			pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
			continue;
		}
		out->buf[out->n++] = w;
	}
	if (out->n)
		pk_dev_emit(dev, AD_PORT_ETH, out);
}
