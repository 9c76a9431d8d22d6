/* SPDX-License-Identifier: MIT
 * adapter-neigh-input.c - ARP and NDP input: answers for our addresses, cache policy, conflicts
 */
#include <pktkit/eth.h>
#include <pktkit/l4.h>

#include "adapter-private.h"
#include "ndp.h"

/* L2 -> L3: ARP ------------------------------------------------------------- */

void ad_arp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *eth, const uint8_t *arp,
		  uint32_t len)
{
	struct pk_arp_view v;
	uint8_t key[NB_KEY_LEN];
	bool for_us, learn = false, create = false;
	uint32_t idx;

	if (!pk_arp_parse(arp, len, &v) || pk_eth_is_multicast(v.sha) ||
	    memcmp(v.sha, ad_zero_mac, 6) == 0 ||
	    (v.op != PK_ARP_OP_REQUEST && v.op != PK_ARP_OP_REPLY)) {
		a->ctr[AD_C_DROPPED_BAD_ARP]++;
		return;
	}
	if (memcmp(v.sha, a->mac, 6) == 0)
		return; /* our own, looped back */
	if (fr_table_find4(&a->fr, v.spa) >= 0) {
		a->ctr[AD_C_ADDRESS_CONFLICTS]++;
		return;
	}
	for_us = fr_table_find4(&a->fr, v.tpa) >= 0;
	nb_key4(key, v.spa);
	idx = nb_cache_find(&a->nb, key);
	/*
	 * Policy: a request for one of our addresses creates or refreshes its
	 * sender (it is about to talk to us); a reply updates only an entry we
	 * are resolving, or one addressed to us. Gratuitous ARPs, requests for
	 * others and unsolicited replies never change the cache.
	 */
	if (pk_get_be32(v.spa) != 0) {
		if (v.op == PK_ARP_OP_REQUEST && for_us) {
			learn = create = true;
		} else if (v.op == PK_ARP_OP_REPLY && idx != NB_NONE) {
			learn = a->nb.e[idx].state == NB_INCOMPLETE ||
				(for_us && memcmp(v.tha, a->mac, 6) == 0);
		}
	}
	if (learn) {
		uint32_t evicted = 0;
		enum nb_learn r = nb_cache_learn(&a->nb, key, v.sha, pk_dev_now(dev), create, &idx,
						 &evicted);

		a->ctr[AD_C_EVICTED] += evicted;
		ad_learned(a, dev, r, idx);
	}
	if (v.op == PK_ARP_OP_REQUEST && for_us) {
		ad_send_arp(a, dev, PK_ARP_OP_REPLY, v.sha, v.tpa, v.sha, v.spa);
		a->ctr[AD_C_ARP_REPLIES_SENT]++;
	}
	(void)eth;
}

/* L2 -> L3: NDP ------------------------------------------------------------- */

void ad_ndp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *eth,
		  const struct pk_ip6_view *ip)
{
	static const uint8_t all_nodes[16] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct ndp_msg m;
	enum ndp_verdict vd = ndp_parse(ip, &m);
	uint32_t idx, evicted = 0;

	if (vd != NDP_OK) {
		a->ctr[vd == NDP_BAD_HOP_LIMIT ? AD_C_DROPPED_NDP_HOP_LIMIT
					       : AD_C_DROPPED_BAD_NDP]++;
		return;
	}
	if (m.type == PK_ICMP6_NEIGHBOR_SOLICIT) {
		uint8_t f[NDP_FRAME_LEN], mac[6];
		uint32_t n;

		if (fr_table_find6(&a->fr, m.target) < 0)
			return;
		if (ndp_is_unspecified(ip->src)) {
			/* DAD for our address: defend it to all nodes, S clear (7.2.4). */
			ndp_mcast_mac(all_nodes, mac);
			n = ndp_build_na(f, a->mac, mac, all_nodes, m.target, NDP_NA_OVERRIDE);
		} else {
			const uint8_t *dmac = m.lla ? m.lla : eth + 6;

			if (m.lla && !pk_eth_is_multicast(m.lla)) {
				enum nb_learn r = nb_cache_learn(&a->nb, ip->src, m.lla,
								 pk_dev_now(dev), true, &idx,
								 &evicted);

				a->ctr[AD_C_EVICTED] += evicted;
				ad_learned(a, dev, r, idx);
			}
			n = ndp_build_na(f, a->mac, dmac, ip->src, m.target,
					 NDP_NA_SOLICITED | NDP_NA_OVERRIDE);
		}
		ad_emit_bytes(a, dev, AD_PORT_ETH, f, n);
		a->ctr[AD_C_NA_SENT]++;
		return;
	}
	/* Neighbour advertisement. */
	if (fr_table_find6(&a->fr, m.target) >= 0) {
		if (memcmp(eth + 6, a->mac, 6) != 0)
			a->ctr[AD_C_ADDRESS_CONFLICTS]++;
		return;
	}
	idx = nb_cache_find(&a->nb, m.target);
	if (idx == NB_NONE || !m.lla || pk_eth_is_multicast(m.lla))
		return; /* unsolicited: never creates an entry (7.2.5) */
	if (a->nb.e[idx].state == NB_INCOMPLETE ||
	    (m.flags & (NDP_NA_SOLICITED | NDP_NA_OVERRIDE))) {
		enum nb_learn r = nb_cache_learn(&a->nb, m.target, m.lla, pk_dev_now(dev), false,
						 &idx, &evicted);

		ad_learned(a, dev, r, idx);
	}
}
