/* SPDX-License-Identifier: MIT
 * adapter-lifecycle.c - Lifecycle of l3.adapter (init, start, stop, finalize, reconfigure), receive
 */
#include <pktkit/error.h>
#include <pktkit/eth.h>

#include "adapter-private.h"

int ad_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
		   GError **error)
{
	const struct ad_config *cfg = config;
	struct adapter *a = self;

	if (changed & PK_PARAM_BIT(AD_P_ADDRESSES)) {
		const struct ad_addr_rec *r = cfg->addresses.items;

		for (uint32_t i = 0; i < cfg->addresses.n; i++) {
			if (r[i].prefix.family != 4 && r[i].prefix.family != 6) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "addresses[%u].prefix: not an IPv4 or IPv6 prefix", i);
				return -1;
			}
		}
		a->n_cfg_addrs = cfg->addresses.n;
		for (uint32_t i = 0; i < cfg->addresses.n; i++)
			a->cfg_addrs[i] = r[i].prefix;
	}
	a->cfg_gw4 = cfg->gateway4;
	a->cfg_gw6 = cfg->gateway6;
	a->icmp_unreachable = cfg->icmp_unreachable;
	ad_rebuild_table(a);
	if (a->running && (changed & PK_PARAM_BIT(AD_P_ADDRESSES)))
		ad_announce(a, dev);
	return 0;
}

int ad_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	const struct ad_config *cfg = config;
	struct adapter *a = self;
	char text[PK_MAC_STRLEN];

	a->dev = dev;
	a->ctr = pk_dev_counters(dev);
	memcpy(a->mac, cfg->mac.b, 6);
	if (memcmp(a->mac, ad_zero_mac, 6) == 0) {
		for (int i = 0; i < 6; i++)
			a->mac[i] = (uint8_t)g_random_int_range(0, 256);
		a->mac[0] = (uint8_t)((a->mac[0] & 0xfc) | 0x02); /* local, unicast */
		pk_dev_info(dev, "mac %s (generated)",
			    pk_mac_format((const struct pk_mac *)a->mac, text));
	} else if (pk_eth_is_multicast(a->mac)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "mac: must be a unicast address");
		return -1;
	}
	a->arp_timeout = (uint64_t)cfg->arp_timeout;
	a->arp_retries = cfg->arp_retries;
	a->cache_ttl = (uint64_t)cfg->cache_ttl;
	a->dhcp = cfg->dhcp;
	g_strlcpy(a->hostname, cfg->dhcp_hostname ? cfg->dhcp_hostname : "", sizeof(a->hostname));
	nb_cache_init(&a->nb, cfg->cache_size, cfg->pending_max, a->cache_ttl);
	dc_init(&a->dc, a->mac, a->hostname, g_random_int());
	return ad_reconfigure(dev, self, config, UINT64_MAX, error);
}

int ad_start(struct pk_dev *dev, void *self, GError **error)
{
	struct adapter *a = self;

	a->running = true;
	if (!a->resolve_timer) {
		a->resolve_timer = pk_timer_new(dev, ad_resolve_tick, NULL);
		a->sweep_timer = pk_timer_new(dev, ad_sweep, NULL);
		a->dhcp_timer = pk_timer_new(dev, ad_dhcp_tick, NULL);
	}
	pk_timer_arm(a->sweep_timer, MAX(a->cache_ttl / 2, (uint64_t)PK_NSEC_PER_SEC));
	ad_announce(a, dev);
	if (a->dhcp)
		ad_dhcp_act(a, dev, dc_start(&a->dc, pk_dev_now(dev)));
	return 0;
}

void ad_stop(struct pk_dev *dev, void *self)
{
	struct adapter *a = self;

	if (a->dhcp)
		ad_dhcp_act(a, dev, dc_stop(&a->dc, pk_dev_now(dev)));
	a->running = false;
	nb_cache_clear(&a->nb);
}

void ad_finalize(struct pk_dev *dev, void *self)
{
	struct adapter *a = self;

	nb_cache_free(&a->nb);
	pk_timer_free(a->resolve_timer);
	pk_timer_free(a->sweep_timer);
	pk_timer_free(a->dhcp_timer);
}

/* Both data paths enter here: "ip" (group 0) or "eth". */
void ad_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch)
{
	struct adapter *a = self;

	if (PK_PORT_GROUP(port) == 0)
		ad_receive_ip(a, dev, batch);
	else
		ad_receive_eth(a, dev, batch);
}
