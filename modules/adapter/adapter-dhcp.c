/* SPDX-License-Identifier: MIT
 * adapter-dhcp.c - DHCP client shell: feeds dhcp-client.c frames and timers, applies the lease
 */
#include <pktkit/toolkit/dhcp.h>

#include "adapter-private.h"

static void ad_dhcp_counts(struct adapter *a)
{
	const struct dc_stats *s = &a->dc.stats;

	a->ctr[AD_C_DHCP_DISCOVERS] = s->discovers;
	a->ctr[AD_C_DHCP_REQUESTS] = s->requests;
	a->ctr[AD_C_DHCP_RELEASES] = s->releases;
	a->ctr[AD_C_DHCP_OFFERS] = s->offers;
	a->ctr[AD_C_DHCP_ACKS] = s->acks;
	a->ctr[AD_C_DHCP_NAKS] = s->naks;
	a->ctr[AD_C_DHCP_RENEWALS] = s->renewals;
	a->ctr[AD_C_DHCP_REBINDS] = s->rebinds;
	a->ctr[AD_C_DHCP_EXPIRIES] = s->expiries;
}

static void ad_dhcp_log_lease(struct adapter *a, struct pk_dev *dev)
{
	const struct dc_lease *l = &a->dc.lease;
	GString *dns = g_string_new(NULL);
	char ip[16], rt[16], sv[16];

	for (uint32_t i = 0; i < l->n_dns; i++)
		g_string_append_printf(dns, "%s%u.%u.%u.%u", i ? "," : "", l->dns[i].b[0],
				       l->dns[i].b[1], l->dns[i].b[2], l->dns[i].b[3]);
#define AD_FMT4(buf, x) \
	g_snprintf(buf, sizeof(buf), "%u.%u.%u.%u", (x).b[0], (x).b[1], (x).b[2], (x).b[3])
	AD_FMT4(ip, l->addr);
	AD_FMT4(rt, l->router);
	AD_FMT4(sv, l->server);
#undef AD_FMT4
	pk_dev_info(dev,
		    "dhcp: bound %s/%u router %s dns %s domain \"%s\" lease %us "
		    "(t1 %us, t2 %us) from %s",
		    ip, l->prefix_len, rt, dns->len ? dns->str : "-", l->domain, l->lease_s,
		    l->t1_s, l->t2_s, sv);
	g_string_free(dns, TRUE);
}

void ad_dhcp_act(struct adapter *a, struct pk_dev *dev, unsigned int act)
{
	uint64_t now = pk_dev_now(dev);

	if (act & DC_ACT_UNBOUND) {
		pk_dev_info(dev, "dhcp: address removed (%s)", dc_state_name(a->dc.state));
		a->lease_applied = false;
		ad_rebuild_table(a);
	}
	if (act & DC_ACT_BOUND) {
		a->lease_applied = true;
		ad_rebuild_table(a);
		ad_dhcp_log_lease(a, dev);
		ad_announce(a, dev);
	}
	if (act & DC_ACT_SEND) {
		struct pk_dhcp_addrs ad = { .src_port = PK_DHCP_CLIENT_PORT,
					    .dst_port = PK_DHCP_SERVER_PORT };
		struct pk_buf *b = pk_buf_new_copy(a->dc.tx, a->dc.tx_len);

		memcpy(ad.src_mac.b, a->mac, 6);
		memcpy(ad.dst_mac.b, a->dc.tx_unicast ? a->server_mac : ad_bcast, 6);
		ad.src_ip = a->dc.tx_src;
		ad.dst_ip = a->dc.tx_dst;
		if (b && pk_dhcp_frame_wrap(b, &ad))
			pk_dev_emit_one(dev, AD_PORT_ETH, b);
		else
			pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		pk_buf_unref(b);
	}
	if (a->dc.state != a->logged_state) {
		pk_dev_info(dev, "dhcp: state %s", dc_state_name(a->dc.state));
		a->logged_state = a->dc.state;
	}
	ad_dhcp_counts(a);
	if (a->dhcp_timer) {
		uint64_t t = dc_deadline(&a->dc);

		if (t == UINT64_MAX)
			pk_timer_cancel(a->dhcp_timer);
		else
			pk_timer_arm(a->dhcp_timer, t > now ? t - now : 0);
	}
}

void ad_dhcp_tick(struct pk_dev *dev, void *self, void *data)
{
	struct adapter *a = self;

	ad_dhcp_act(a, dev, dc_timeout(&a->dc, pk_dev_now(dev)));
}

void ad_dhcp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *frame, uint32_t len)
{
	struct pk_dhcp_frame f;
	unsigned int act;

	if (pk_dhcp_frame_parse(frame, len, &f) != PK_DHCP_OK) {
		a->ctr[AD_C_DHCP_DROPPED]++;
		return;
	}
	act = dc_input(&a->dc, &f.msg, pk_dev_now(dev));
	if (act & DC_ACT_BOUND)
		memcpy(a->server_mac, f.eth_src, 6);
	if (!act && f.msg.msg_type != PK_DHCP_ACK)
		a->ctr[AD_C_DHCP_DROPPED]++;
	ad_dhcp_act(a, dev, act);
}
