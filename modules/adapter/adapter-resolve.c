/* SPDX-License-Identifier: MIT
 * adapter-resolve.c - Next-hop resolution: solicitations, parked packets, resolve/sweep timers
 */
#include <pktkit/build.h>
#include <pktkit/eth.h>
#include <pktkit/l4.h>

#include "adapter-private.h"
#include "ndp.h"

/* ARP request or neighbour solicitation for the next hop @key. */
static void ad_solicit(struct adapter *a, struct pk_dev *dev, const uint8_t key[NB_KEY_LEN])
{
	if (nb_key_is4(key)) {
		static const uint8_t any4[4];
		const uint8_t *spa = fr_table_src4(&a->fr, pk_get_be32(key + 12));

		ad_send_arp(a, dev, PK_ARP_OP_REQUEST, ad_bcast, spa ? spa : any4, ad_zero_mac,
			    key + 12);
		a->ctr[AD_C_ARP_REQUESTS_SENT]++;
	} else {
		uint8_t f[NDP_FRAME_LEN];
		uint32_t n = ndp_build_ns(f, a->mac, a->fr.v6[0].ip, key, false);

		ad_emit_bytes(a, dev, AD_PORT_ETH, f, n);
		a->ctr[AD_C_NS_SENT]++;
	}
}

/* ICMP errors ------------------------------------------------------------- */

/* Host unreachable (IPv4 type 3 code 1) / address unreachable (IPv6 type 1 code 3),
 * sent from our address on the sender's link. */
static void ad_send_unreachable(struct adapter *a, struct pk_dev *dev, const struct pk_buf *orig)
{
	const uint8_t *p = pk_buf_data(orig);
	uint32_t len = pk_buf_len(orig);
	bool v6 = pk_ip_version(p, len) == 6;
	uint8_t type = v6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH, code = v6 ? 3 : 1;
	struct pk_ip_fields f = { .ttl = 64 };
	struct pk_buf *b;

	if (pk_icmp_error_check(p, len, type, code, 0) != PK_ICMP_ERR_OK)
		return;
	if (v6) {
		f.src = a->fr.v6[0].ip; /* link-local, unless the sender is not */
		if (!(p[8] == 0xfe && (p[9] & 0xc0) == 0x80) && a->fr.n6 > 1)
			f.src = a->fr.v6[1].ip;
	} else {
		f.src = fr_table_src4(&a->fr, pk_get_be32(p + 12));
		if (!f.src)
			return;
	}
	b = pk_buf_alloc(0);
	if (!b) {
		pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	if (pk_icmp_error_build(b, &f, type, code, 0, p, len, 0) == PK_ICMP_ERR_OK) {
		pk_dev_emit_one(dev, AD_PORT_IP, b);
		a->ctr[AD_C_ICMP_UNREACHABLE_SENT]++;
	}
	pk_buf_unref(b);
}

/* Resolution -------------------------------------------------------------- */

static void ad_arm_resolve(struct adapter *a, uint64_t now)
{
	uint64_t t = nb_cache_next_deadline(&a->nb);

	if (t == UINT64_MAX)
		pk_timer_cancel(a->resolve_timer);
	else
		pk_timer_arm(a->resolve_timer, t > now ? t - now : 0);
}

/* Frame and send every packet parked on a just-resolved entry. */
static void ad_drain(struct adapter *a, struct pk_dev *dev, uint32_t idx)
{
	const struct nb_entry *e = &a->nb.e[idx];
	struct pk_batch batch;
	struct pk_buf *held[PK_BATCH_MAX];
	uint32_t n_held = 0;
	struct pk_buf *b;

	pk_batch_init(&batch);
	while ((b = nb_cache_dequeue(&a->nb, idx))) {
		struct pk_buf *w = pk_buf_writable(dev, b);
		uint16_t type = (pk_buf_data(b)[0] >> 4) == 6 ? PK_ETH_P_IPV6 : PK_ETH_P_IPV4;

		held[n_held++] = b;
		if (w && fr_push_eth(w, e->mac, a->mac, type))
			pk_batch_add(&batch, w);
		else if (w) /* (without @w, pk_buf_writable() counted it) */
			pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		if (n_held == PK_BATCH_MAX) {
			pk_dev_emit(dev, AD_PORT_ETH, &batch);
			for (uint32_t i = 0; i < n_held; i++)
				pk_buf_unref(held[i]);
			n_held = 0;
			pk_batch_init(&batch);
		}
	}
	if (batch.n)
		pk_dev_emit(dev, AD_PORT_ETH, &batch);
	for (uint32_t i = 0; i < n_held; i++)
		pk_buf_unref(held[i]);
}

void ad_learned(struct adapter *a, struct pk_dev *dev, enum nb_learn r, uint32_t idx)
{
	if (r == NB_LEARN_NEW || r == NB_LEARN_RESOLVED)
		a->ctr[AD_C_LEARNED]++;
	if (r == NB_LEARN_RESOLVED) {
		ad_drain(a, dev, idx);
		ad_arm_resolve(a, pk_dev_now(dev));
	}
}

static void ad_resolve_fail(struct adapter *a, struct pk_dev *dev, uint32_t idx)
{
	struct pk_buf *b;

	a->ctr[AD_C_RESOLVE_FAILED]++;
	while ((b = nb_cache_dequeue(&a->nb, idx))) {
		a->ctr[AD_C_DROPPED_UNRESOLVED]++;
		if (a->icmp_unreachable)
			ad_send_unreachable(a, dev, b);
		pk_buf_unref(b);
	}
	nb_cache_remove(&a->nb, idx);
}

void ad_resolve_tick(struct pk_dev *dev, void *self, void *data)
{
	struct adapter *a = self;
	uint64_t now = pk_dev_now(dev);
	uint32_t idx, next;

	for (idx = a->nb.inc_head; idx != NB_NONE; idx = next) {
		struct nb_entry *e = &a->nb.e[idx];

		next = e->lnext;
		if (e->deadline > now)
			continue;
		if (e->tries >= a->arp_retries) {
			ad_resolve_fail(a, dev, idx);
			continue;
		}
		e->tries++;
		e->deadline = now + (uint64_t)a->arp_timeout;
		ad_solicit(a, dev, e->key);
	}
	ad_arm_resolve(a, now);
}

void ad_sweep(struct pk_dev *dev, void *self, void *data)
{
	struct adapter *a = self;

	nb_cache_expire(&a->nb, pk_dev_now(dev));
	pk_timer_arm(a->sweep_timer, MAX(a->cache_ttl / 2, (uint64_t)PK_NSEC_PER_SEC));
}

/* A packet whose next hop @key has no usable entry: park it, solicit if new. */
void ad_miss(struct adapter *a, struct pk_dev *dev, const uint8_t key[NB_KEY_LEN], struct pk_buf *b,
	     uint64_t now)
{
	uint32_t idx = nb_cache_find(&a->nb, key), evicted = 0;
	bool fresh = false;

	if (idx != NB_NONE && a->nb.e[idx].state != NB_INCOMPLETE) {
		nb_cache_remove(&a->nb, idx); /* expired */
		idx = NB_NONE;
	}
	if (idx == NB_NONE) {
		idx = nb_cache_add_incomplete(&a->nb, key, now + (uint64_t)a->arp_timeout,
					      &evicted);
		a->ctr[AD_C_EVICTED] += evicted;
		if (idx == NB_NONE) {
			a->ctr[AD_C_DROPPED_CACHE_FULL]++;
			return;
		}
		fresh = true;
	}
	if (nb_cache_enqueue(&a->nb, idx, b))
		pk_buf_ref(b);
	else
		a->ctr[AD_C_DROPPED_PENDING_FULL]++;
	if (fresh) {
		a->nb.e[idx].tries = 1;
		ad_solicit(a, dev, key);
		if (!pk_timer_is_armed(a->resolve_timer))
			pk_timer_arm(a->resolve_timer, (uint64_t)a->arp_timeout);
	}
}
