/* SPDX-License-Identifier: MIT
 * adapter-status.c - Status of l3.adapter: addresses, the DHCP lease, routers, DNS servers
 */
#include <pktkit/status.h>

#include "adapter-private.h"
#include "ndp.h"

static void ad_status_addr(struct pk_status_writer *w, uint32_t table, const struct pk_prefix *p,
			   const char *origin)
{
	pk_status_row_begin(w, table);
	pk_status_set_prefix(w, AD_AC_ADDRESS, p);
	pk_status_set_str(w, AD_AC_ORIGIN, origin);
	pk_status_row_end(w);
}

void ad_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	struct adapter *a = self;
	const struct dc_lease *l = &a->dc.lease;
	bool leased = a->dhcp && dc_has_lease(&a->dc);
	struct pk_prefix p = { .family = 6, .len = 64 };
	struct pk_ip4 gw4 = a->cfg_gw4;
	static const struct pk_ip6 none6;
	uint64_t now = pk_dev_now(dev);

	pk_status_set_mac(w, AD_S_MAC, (const struct pk_mac *)a->mac);
	for (uint32_t i = 0; i < a->n_cfg_addrs; i++)
		ad_status_addr(w, AD_T_ADDRESSES, &a->cfg_addrs[i], "static");
	ndp_eui64_link_local(a->mac, p.addr);
	ad_status_addr(w, AD_T_ADDRESSES, &p, "link-local");
	if (a->dhcp)
		pk_status_set_str(w, AD_S_DHCP_STATE, dc_state_name(a->dc.state));
	if (leased) {
		p.family = 4;
		p.len = l->prefix_len;
		memcpy(p.addr, l->addr.b, 4);
		ad_status_addr(w, AD_T_ADDRESSES, &p, "dhcp");
		pk_status_set_ip4(w, AD_S_DHCP_SERVER, l->server);
		pk_status_set_duration(w, AD_S_LEASE_TIME, (uint64_t)l->lease_s * PK_NSEC_PER_SEC_);
		pk_status_set_timestamp(w, AD_S_LEASE_EXPIRES, a->dc.expiry);
		pk_status_set_duration(w, AD_S_LEASE_EXPIRES_IN,
				       a->dc.expiry > now ? a->dc.expiry - now : 0);
		if (a->dc.state == DC_BOUND)
			pk_status_set_duration(w, AD_S_RENEW_IN,
					       a->dc.t1 > now ? a->dc.t1 - now : 0);
		if (l->domain[0])
			pk_status_set_str(w, AD_S_DOMAIN, l->domain);
		for (uint32_t i = 0; i < l->n_dns; i++) {
			pk_status_row_begin(w, AD_T_DNS);
			pk_status_set_ip4(w, AD_AC_ADDRESS, l->dns[i]);
			pk_status_set_str(w, AD_AC_ORIGIN, "dhcp");
			pk_status_row_end(w);
		}
		if (!ad_ip4_num(&gw4))
			gw4 = l->router;
	}
	if (ad_ip4_num(&gw4))
		pk_status_set_ip4(w, AD_S_ROUTER4, gw4);
	if (memcmp(&a->cfg_gw6, &none6, sizeof(none6)) != 0)
		pk_status_set_ip6(w, AD_S_ROUTER6, &a->cfg_gw6);
}
