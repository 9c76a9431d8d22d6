/* SPDX-License-Identifier: MIT
 * adapter-addr.c - Our addresses: the address table, link info for "ip", announcements
 */
#include <pktkit/eth.h>

#include "adapter-private.h"
#include "ndp.h"

const uint8_t ad_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
const uint8_t ad_zero_mac[6];

/* Tell the L3 device on "ip" its addresses, router and DNS servers (the
 * configured ones and the DHCP lease), so that it needs no copy of them. */
static void ad_publish_link_info(struct adapter *a)
{
	struct pk_link_info info = { .size = sizeof(info) };
	const struct dc_lease *l = &a->dc.lease;

	if (!a->dev)
		return;
	for (uint32_t i = 0; i < a->n_cfg_addrs && info.n_addresses < PK_LINK_INFO_MAX_ADDRS; i++)
		info.addresses[info.n_addresses++] = a->cfg_addrs[i];
	if (info.n_addresses < PK_LINK_INFO_MAX_ADDRS) {
		/* The EUI-64 link-local address the adapter answers NDP for. */
		struct pk_prefix *p = &info.addresses[info.n_addresses++];

		p->family = 6;
		p->len = 64;
		ndp_eui64_link_local(a->mac, p->addr);
	}
	if (a->lease_applied && info.n_addresses < PK_LINK_INFO_MAX_ADDRS) {
		struct pk_prefix *p = &info.addresses[info.n_addresses++];

		p->family = 4;
		p->len = l->prefix_len;
		memcpy(p->addr, l->addr.b, 4);
	}
	info.gateway4 = a->cfg_gw4;
	if (!ad_ip4_num(&info.gateway4) && a->lease_applied)
		info.gateway4 = l->router;
	info.gateway6 = a->cfg_gw6;
	if (a->lease_applied) {
		for (uint32_t i = 0; i < l->n_dns && info.n_dns < PK_LINK_INFO_MAX_DNS; i++) {
			info.dns[info.n_dns].family = 4;
			memcpy(info.dns[info.n_dns++].addr, l->dns[i].b, 4);
		}
		g_strlcpy(info.domain, l->domain, sizeof(info.domain));
	}
	pk_dev_set_link_info(a->dev, AD_PORT_IP, &info);
}

/* Rebuild the table from the config copy, the lease and the link-local address. */
void ad_rebuild_table(struct adapter *a)
{
	struct fr_table *t = &a->fr;
	static const struct pk_ip6 any6;
	uint8_t ll[16];

	t->n4 = 0;
	t->n6 = 0;
	ndp_eui64_link_local(a->mac, ll);
	fr_table_add6(t, ll, 64);
	for (uint32_t i = 0; i < a->n_cfg_addrs; i++) {
		const struct pk_prefix *p = &a->cfg_addrs[i];

		if (p->family == 4)
			fr_table_add4(t, p->addr, p->len);
		else if (fr_table_find6(t, p->addr) < 0)
			fr_table_add6(t, p->addr, p->len);
	}
	if (a->lease_applied && fr_table_find4(t, a->dc.lease.addr.b) < 0)
		fr_table_add4(t, a->dc.lease.addr.b, a->dc.lease.prefix_len);
	t->gw4 = ad_ip4_num(&a->cfg_gw4);
	if (!t->gw4 && a->lease_applied)
		t->gw4 = ad_ip4_num(&a->dc.lease.router);
	t->has_gw6 = memcmp(&a->cfg_gw6, &any6, 16) != 0;
	memcpy(t->gw6, a->cfg_gw6.b, 16);
	ad_publish_link_info(a);
}

/* Gratuitous ARP for every IPv4 address, unsolicited NA for every IPv6 one. */
void ad_announce(struct adapter *a, struct pk_dev *dev)
{
	static const uint8_t all_nodes[16] = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t f[NDP_FRAME_LEN], mac[6];

	if (!pk_dev_port_is_linked(dev, AD_PORT_ETH))
		return;
	for (uint32_t i = 0; i < a->fr.n4; i++) {
		ad_send_arp(a, dev, PK_ARP_OP_REQUEST, ad_bcast, a->fr.v4[i].ip, ad_zero_mac,
			    a->fr.v4[i].ip);
		a->ctr[AD_C_ANNOUNCEMENTS_SENT]++;
	}
	ndp_mcast_mac(all_nodes, mac);
	for (uint32_t i = 0; i < a->fr.n6; i++) {
		uint32_t n = ndp_build_na(f, a->mac, mac, all_nodes, a->fr.v6[i].ip,
					  NDP_NA_OVERRIDE);

		ad_emit_bytes(a, dev, AD_PORT_ETH, f, n);
		a->ctr[AD_C_ANNOUNCEMENTS_SENT]++;
	}
}
