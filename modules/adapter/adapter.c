// SPDX-License-Identifier: MIT
/* adapter.c - Device type l3.adapter: bridges an L3 port onto an L2 segment (ARP, NDP, DHCP client) */
#include <errno.h>

#include <pktkit/build.h>
#include <pktkit/error.h>
#include <pktkit/toolkit/gso.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/module.h>
#include <pktkit/status.h>

#include "adapter.h"
#include "ndp.h"

/* Parameters ----------------------------------------------------------- */

struct ad_addr_rec {
	struct pk_prefix prefix;
};

struct ad_config {
	struct pk_mac mac;
	struct pk_list addresses;
	struct pk_ip4 gateway4;
	struct pk_ip6 gateway6;
	bool dhcp;
	char *dhcp_hostname;
	int64_t arp_timeout;
	uint32_t arp_retries;
	int64_t cache_ttl;
	uint32_t cache_size;
	uint32_t pending_max;
	bool icmp_unreachable;
};

enum {
	AD_P_MAC,
	AD_P_ADDRESSES,
	AD_P_GATEWAY4,
	AD_P_GATEWAY6,
	AD_P_DHCP,
	AD_P_DHCP_HOSTNAME,
	AD_P_ARP_TIMEOUT,
	AD_P_ARP_RETRIES,
	AD_P_CACHE_TTL,
	AD_P_CACHE_SIZE,
	AD_P_PENDING_MAX,
	AD_P_ICMP_UNREACHABLE,
};

static const struct pk_param ad_addr_fields[] = {
	PK_PARAM_PREFIX(struct ad_addr_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"Interface address with its prefix length, e.g. \"10.0.0.2/24\" or "
			"\"fd00::2/64\""),
};

static const struct pk_param_record ad_addr_record = {
	PK_ARRAY(params, ad_addr_fields),
	.record_size = sizeof(struct ad_addr_rec),
};

static const struct pk_param ad_params[] = {
	[AD_P_MAC] = PK_PARAM_MAC(struct ad_config, mac, "mac", NULL, 0,
				  "Our Ethernet address; unset (00:00:00:00:00:00): a random locally "
				  "administered one, chosen when the device is created"),
	[AD_P_ADDRESSES] = PK_PARAM_LIST(struct ad_config, addresses, "addresses", &ad_addr_record,
					 0, AD_MAX_CFG_ADDRS, PK_PF_LIVE,
					 "IPv4/IPv6 addresses of the L3 side, [{\"prefix\": "
					 "\"10.0.0.2/24\"}]: answered in ARP/NDP, their prefixes are "
					 "on-link"),
	[AD_P_GATEWAY4] = PK_PARAM_IP4(struct ad_config, gateway4, "gateway4", NULL, PK_PF_LIVE,
				       "IPv4 next hop for off-link destinations (0.0.0.0: the DHCP "
				       "router, else none)"),
	[AD_P_GATEWAY6] = PK_PARAM_IP6(struct ad_config, gateway6, "gateway6", NULL, PK_PF_LIVE,
				       "IPv6 next hop for off-link destinations (:: for none)"),
	[AD_P_DHCP] = PK_PARAM_BOOL(struct ad_config, dhcp, "dhcp", "false", 0,
				    "Run a DHCP client: the leased address, mask and router are "
				    "used like configured ones"),
	[AD_P_DHCP_HOSTNAME] = PK_PARAM_STR(struct ad_config, dhcp_hostname, "dhcp-hostname", NULL,
					    0, "Host name sent to the DHCP server (option 12)"),
	[AD_P_ARP_TIMEOUT] = PK_PARAM_DURATION(struct ad_config, arp_timeout, "arp-timeout",
					       "\"1s\"", 10 * PK_NSEC_PER_MSEC,
					       60 * PK_NSEC_PER_SEC, 0,
					       "Time between ARP requests / neighbour solicitations "
					       "for an unresolved next hop"),
	[AD_P_ARP_RETRIES] = PK_PARAM_U32(struct ad_config, arp_retries, "arp-retries", "3", 1, 100,
					  0, "Requests sent for a next hop before its queued packets "
					  "are dropped (counted as dropped-unresolved)"),
	[AD_P_CACHE_TTL] = PK_PARAM_DURATION(struct ad_config, cache_ttl, "cache-ttl", "\"5m\"",
					     PK_NSEC_PER_SEC, 24 * 3600 * PK_NSEC_PER_SEC, 0,
					     "Lifetime of a learned neighbour"),
	[AD_P_CACHE_SIZE] = PK_PARAM_U32(struct ad_config, cache_size, "cache-size", "4096", 1,
					 1u << 20, 0,
					 "Most neighbours remembered (being resolved included); "
					 "the oldest learned one makes room. A limit: the cache "
					 "starts with room for 16 and doubles as neighbours appear"),
	[AD_P_PENDING_MAX] = PK_PARAM_U32(struct ad_config, pending_max, "pending-max", "16", 1,
					  1024, 0,
					  "Most packets queued per next hop while it is resolved"),
	[AD_P_ICMP_UNREACHABLE] = PK_PARAM_BOOL(struct ad_config, icmp_unreachable,
						"icmp-unreachable", "false", PK_PF_LIVE,
						"Answer packets dropped for an unresolved next hop "
						"with ICMP host / address unreachable on \"ip\""),
};

/* Counters -------------------------------------------------------------- */

enum {
	AD_C_ARP_REQUESTS_SENT,
	AD_C_ARP_REPLIES_SENT,
	AD_C_NS_SENT,
	AD_C_NA_SENT,
	AD_C_ANNOUNCEMENTS_SENT,
	AD_C_LEARNED,
	AD_C_EVICTED,
	AD_C_RESOLVE_FAILED,
	AD_C_DROPPED_UNRESOLVED,
	AD_C_DROPPED_PENDING_FULL,
	AD_C_DROPPED_CACHE_FULL,
	AD_C_DROPPED_SHORT,
	AD_C_DROPPED_BAD_ARP,
	AD_C_DROPPED_BAD_NDP,
	AD_C_DROPPED_NDP_HOP_LIMIT,
	AD_C_DROPPED_BAD_IP,
	AD_C_DROPPED_NOT_FOR_US,
	AD_C_DROPPED_VLAN,
	AD_C_DROPPED_ETHERTYPE,
	AD_C_DROPPED_NO_ROUTE,
	AD_C_ADDRESS_CONFLICTS,
	AD_C_ICMP_UNREACHABLE_SENT,
	AD_C_DHCP_DISCOVERS,
	AD_C_DHCP_REQUESTS,
	AD_C_DHCP_RELEASES,
	AD_C_DHCP_OFFERS,
	AD_C_DHCP_ACKS,
	AD_C_DHCP_NAKS,
	AD_C_DHCP_RENEWALS,
	AD_C_DHCP_REBINDS,
	AD_C_DHCP_EXPIRIES,
	AD_C_DHCP_DROPPED,
	AD_C_N
};

static const struct pk_counter ad_counters[] = {
	[AD_C_ARP_REQUESTS_SENT] = { "arp-requests-sent", "ARP requests sent to resolve a next hop" },
	[AD_C_ARP_REPLIES_SENT] = { "arp-replies-sent", "ARP replies sent for our addresses" },
	[AD_C_NS_SENT] = { "ndp-solicits-sent", "Neighbour solicitations sent to resolve a next hop" },
	[AD_C_NA_SENT] = { "ndp-adverts-sent", "Neighbour advertisements sent for our addresses" },
	[AD_C_ANNOUNCEMENTS_SENT] = { "announcements-sent",
				      "Gratuitous ARPs and unsolicited NAs sent when an address "
				      "was set" },
	[AD_C_LEARNED] = { "neighbours-learned", "Neighbour entries created or resolved" },
	[AD_C_EVICTED] = { "neighbours-evicted", "Learned neighbours dropped to make room" },
	[AD_C_RESOLVE_FAILED] = { "resolve-failed", "Next hops given up after arp-retries requests" },
	[AD_C_DROPPED_UNRESOLVED] = { "dropped-unresolved",
				      "Packets dropped because their next hop did not answer" },
	[AD_C_DROPPED_PENDING_FULL] = { "dropped-pending-full",
					"Packets dropped because pending-max packets already wait "
					"for their next hop" },
	[AD_C_DROPPED_CACHE_FULL] = { "dropped-cache-full",
				      "Packets dropped because every cache entry is being resolved" },
	[AD_C_DROPPED_SHORT] = { "dropped-short", "Frames shorter than an Ethernet header" },
	[AD_C_DROPPED_BAD_ARP] = { "dropped-bad-arp",
				   "ARP packets with wrong sizes or types, or a group sender address" },
	[AD_C_DROPPED_BAD_NDP] = { "dropped-bad-ndp",
				   "NS/NA with a bad length, code, checksum, option or target" },
	[AD_C_DROPPED_NDP_HOP_LIMIT] = { "dropped-ndp-hop-limit",
					 "NS/NA whose hop limit is not 255 (RFC 4861 7.1)" },
	[AD_C_DROPPED_BAD_IP] = { "dropped-bad-ip",
				  "Packets (either side) whose IPv4/IPv6 header is malformed" },
	[AD_C_DROPPED_NOT_FOR_US] = { "dropped-not-for-us",
				      "Frames to another MAC or to a multicast group we are not in" },
	[AD_C_DROPPED_VLAN] = { "dropped-vlan", "VLAN-tagged frames (the adapter is untagged)" },
	[AD_C_DROPPED_ETHERTYPE] = { "dropped-ethertype", "Frames neither IPv4, IPv6 nor ARP" },
	[AD_C_DROPPED_NO_ROUTE] = { "dropped-no-route",
				    "Packets to 0.0.0.0, :: or ::1, which never go on a link" },
	[AD_C_ADDRESS_CONFLICTS] = { "address-conflicts",
				     "ARP/NA from another MAC claiming one of our addresses" },
	[AD_C_ICMP_UNREACHABLE_SENT] = { "icmp-unreachable-sent",
					 "ICMP unreachable errors sent back on \"ip\"" },
	[AD_C_DHCP_DISCOVERS] = { "dhcp-discovers-sent", "DHCPDISCOVERs sent (retransmissions too)" },
	[AD_C_DHCP_REQUESTS] = { "dhcp-requests-sent",
				 "DHCPREQUESTs sent (selecting, renewing, rebinding)" },
	[AD_C_DHCP_RELEASES] = { "dhcp-releases-sent", "DHCPRELEASEs sent when stopping" },
	[AD_C_DHCP_OFFERS] = { "dhcp-offers", "DHCPOFFERs taken" },
	[AD_C_DHCP_ACKS] = { "dhcp-acks", "DHCPACKs taken" },
	[AD_C_DHCP_NAKS] = { "dhcp-naks", "DHCPNAKs that restarted the client" },
	[AD_C_DHCP_RENEWALS] = { "dhcp-renewals", "Times T1 passed and renewing began" },
	[AD_C_DHCP_REBINDS] = { "dhcp-rebinds", "Times T2 passed and rebinding began" },
	[AD_C_DHCP_EXPIRIES] = { "dhcp-expiries", "Leases that ran out (the address was removed)" },
	[AD_C_DHCP_DROPPED] = { "dhcp-dropped",
				"Frames to port 68 that were malformed or not for this client" },
};

G_STATIC_ASSERT(G_N_ELEMENTS(ad_counters) == AD_C_N);

/* Status (ABI 1.2): addresses, the DHCP lease, routers and DNS servers. */
enum {
	AD_S_MAC,
	AD_S_DHCP_STATE,
	AD_S_DHCP_SERVER,
	AD_S_LEASE_TIME,
	AD_S_LEASE_EXPIRES,
	AD_S_LEASE_EXPIRES_IN,
	AD_S_RENEW_IN,
	AD_S_ROUTER4,
	AD_S_ROUTER6,
	AD_S_DOMAIN,
};
enum { AD_T_ADDRESSES, AD_T_DNS };
enum { AD_AC_ADDRESS, AD_AC_ORIGIN };

static const struct pk_status_field ad_status[] = {
	[AD_S_MAC] = { "mac", PK_ST_MAC, "The adapter's Ethernet address" },
	[AD_S_DHCP_STATE] = { "dhcp-state", PK_ST_STR,
			      "DHCP client state: init, selecting, requesting, bound, renewing, "
			      "rebinding (absent without 'dhcp')" },
	[AD_S_DHCP_SERVER] = { "dhcp-server", PK_ST_IP, "Server that granted the lease" },
	[AD_S_LEASE_TIME] = { "lease-time", PK_ST_DURATION, "Lease time granted" },
	[AD_S_LEASE_EXPIRES] = { "lease-expires", PK_ST_TIMESTAMP, "When the lease runs out" },
	[AD_S_LEASE_EXPIRES_IN] = { "lease-expires-in", PK_ST_DURATION,
				    "Time left until the lease runs out" },
	[AD_S_RENEW_IN] = { "renew-in", PK_ST_DURATION,
			    "Time left until renewing (T1) begins; absent while renewing" },
	[AD_S_ROUTER4] = { "router4", PK_ST_IP,
			   "IPv4 default router: 'gateway4', else the lease's router" },
	[AD_S_ROUTER6] = { "router6", PK_ST_IP, "IPv6 default router ('gateway6')" },
	[AD_S_DOMAIN] = { "domain", PK_ST_STR, "DNS domain of the lease" },
};

static const struct pk_status_field ad_addr_columns[] = {
	[AD_AC_ADDRESS] = { "address", PK_ST_PREFIX, "Address and prefix length" },
	[AD_AC_ORIGIN] = { "origin", PK_ST_STR, "static, link-local or dhcp" },
};

static const struct pk_status_field ad_dns_columns[] = {
	[AD_AC_ADDRESS] = { "address", PK_ST_IP, "Server address" },
	[AD_AC_ORIGIN] = { "origin", PK_ST_STR, "dhcp" },
};

static const struct pk_status_table ad_status_tables[] = {
	[AD_T_ADDRESSES] = { "addresses", "An address the adapter owns",
			     PK_ARRAY(columns, ad_addr_columns) },
	[AD_T_DNS] = { "dns", "A DNS server of the lease", PK_ARRAY(columns, ad_dns_columns) },
};

static const struct pk_port_group ad_ports[] = {
	{ "ip", PK_L3, 1, 1, "IP packets of the L3 device the adapter puts on the link",
	  PK_PORT_F_OFFLOAD },
	{ "eth", PK_L2, 1, 1, "The Ethernet segment (a hub, a TAP device, ...)", PK_PORT_F_OFFLOAD },
};

static const uint8_t ad_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ad_zero_mac[6];

/* Addresses -------------------------------------------------------------- */

static uint32_t ad_ip4_num(const struct pk_ip4 *a)
{
	return pk_get_be32(a->b);
}

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
static void ad_rebuild_table(struct adapter *a)
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

/* Control frames ---------------------------------------------------------- */

static void ad_emit_bytes(struct adapter *a, struct pk_dev *dev, uint32_t port,
			  const uint8_t *p, uint32_t len)
{
	struct pk_buf *b = pk_buf_new_copy(p, len);

	if (!b) {
		pk_dev_drop(dev, PK_DROP_NO_BUFFER, 1);
		return;
	}
	pk_dev_emit_one(dev, port, b);
	pk_buf_unref(b);
}

static void ad_send_arp(struct adapter *a, struct pk_dev *dev, uint16_t op,
			const uint8_t *eth_dst, const uint8_t spa[4], const uint8_t *tha,
			const uint8_t tpa[4])
{
	uint8_t f[ARP_FRAME_LEN];

	arp_build(f, op, eth_dst, a->mac, spa, tha, tpa);
	ad_emit_bytes(a, dev, AD_PORT_ETH, f, sizeof(f));
}

/* Gratuitous ARP for every IPv4 address, unsolicited NA for every IPv6 one. */
static void ad_announce(struct adapter *a, struct pk_dev *dev)
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
		f.src = a->fr.v6[0].ip;	/* link-local, unless the sender is not */
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

static void ad_learned(struct adapter *a, struct pk_dev *dev, enum nb_learn r, uint32_t idx)
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

static void ad_resolve_tick(struct pk_dev *dev, void *self, void *data)
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

static void ad_sweep(struct pk_dev *dev, void *self, void *data)
{
	struct adapter *a = self;

	nb_cache_expire(&a->nb, pk_dev_now(dev));
	pk_timer_arm(a->sweep_timer, MAX(a->cache_ttl / 2, (uint64_t)PK_NSEC_PER_SEC));
}

/* A packet whose next hop @key has no usable entry: park it, solicit if new. */
static void ad_miss(struct adapter *a, struct pk_dev *dev, const uint8_t key[NB_KEY_LEN],
		    struct pk_buf *b, uint64_t now)
{
	uint32_t idx = nb_cache_find(&a->nb, key), evicted = 0;
	bool fresh = false;

	if (idx != NB_NONE && a->nb.e[idx].state != NB_INCOMPLETE) {
		nb_cache_remove(&a->nb, idx);	/* expired */
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

/* L3 -> L2 ------------------------------------------------------------------ */

static void ad_receive_ip(struct adapter *a, struct pk_dev *dev, const struct pk_batch *batch)
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

/* L2 -> L3: ARP ------------------------------------------------------------- */

static void ad_arp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *eth,
			 const uint8_t *arp, uint32_t len)
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
		return;	/* our own, looped back */
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

static void ad_ndp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *eth,
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
		return;	/* unsolicited: never creates an entry (7.2.5) */
	if (a->nb.e[idx].state == NB_INCOMPLETE ||
	    (m.flags & (NDP_NA_SOLICITED | NDP_NA_OVERRIDE))) {
		enum nb_learn r = nb_cache_learn(&a->nb, m.target, m.lla, pk_dev_now(dev), false,
						 &idx, &evicted);

		ad_learned(a, dev, r, idx);
	}
}

/* DHCP client shell ----------------------------------------------------------- */

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
#define AD_FMT4(buf, x) g_snprintf(buf, sizeof(buf), "%u.%u.%u.%u", (x).b[0], (x).b[1], (x).b[2], (x).b[3])
	AD_FMT4(ip, l->addr);
	AD_FMT4(rt, l->router);
	AD_FMT4(sv, l->server);
#undef AD_FMT4
	pk_dev_info(dev, "dhcp: bound %s/%u router %s dns %s domain \"%s\" lease %us "
		    "(t1 %us, t2 %us) from %s", ip, l->prefix_len, rt, dns->len ? dns->str : "-",
		    l->domain, l->lease_s, l->t1_s, l->t2_s, sv);
	g_string_free(dns, TRUE);
}

static void ad_dhcp_act(struct adapter *a, struct pk_dev *dev, unsigned int act)
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

static void ad_dhcp_tick(struct pk_dev *dev, void *self, void *data)
{
	struct adapter *a = self;

	ad_dhcp_act(a, dev, dc_timeout(&a->dc, pk_dev_now(dev)));
}

static void ad_dhcp_input(struct adapter *a, struct pk_dev *dev, const uint8_t *frame,
			  uint32_t len)
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

/* L2 -> L3 ----------------------------------------------------------------- */

static inline bool ad_wants_dst(const struct adapter *a, const uint8_t *d)
{
	if (memcmp(d, a->mac, 6) == 0 || pk_eth_is_broadcast(d))
		return true;
	if (!(d[0] & 1))
		return false;
	if (d[0] == 0x33 && d[1] == 0x33) {
		if (d[2] == 0 && d[3] == 0 && d[4] == 0 && d[5] == 1)
			return true;	/* all-nodes */
		if (d[2] == 0xff)	/* solicited-node of one of ours? */
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

static void ad_receive_eth(struct adapter *a, struct pk_dev *dev, const struct pk_batch *batch)
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
					if (!pk_ip6_parse(p + PK_ETH_HLEN, pk_buf_len(b) - PK_ETH_HLEN,
							  &v)) {
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

static void ad_receive(struct pk_dev *dev, void *self, uint32_t port,
		       const struct pk_batch *batch)
{
	struct adapter *a = self;

	if (PK_PORT_GROUP(port) == 0)
		ad_receive_ip(a, dev, batch);
	else
		ad_receive_eth(a, dev, batch);
}

/* Lifecycle ------------------------------------------------------------------- */

static int ad_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
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

static int ad_init(struct pk_dev *dev, void *self, const void *config, GError **error)
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
		a->mac[0] = (uint8_t)((a->mac[0] & 0xfc) | 0x02);	/* local, unicast */
		pk_dev_info(dev, "mac %s (generated)", pk_mac_format((const struct pk_mac *)a->mac,
								     text));
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

static int ad_start(struct pk_dev *dev, void *self, GError **error)
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

static void ad_stop(struct pk_dev *dev, void *self)
{
	struct adapter *a = self;

	if (a->dhcp)
		ad_dhcp_act(a, dev, dc_stop(&a->dc, pk_dev_now(dev)));
	a->running = false;
	nb_cache_clear(&a->nb);
}

static void ad_finalize(struct pk_dev *dev, void *self)
{
	struct adapter *a = self;

	nb_cache_free(&a->nb);
	pk_timer_free(a->resolve_timer);
	pk_timer_free(a->sweep_timer);
	pk_timer_free(a->dhcp_timer);
}

/* Status --------------------------------------------------------------------- */

static void ad_status_addr(struct pk_status_writer *w, uint32_t table, const struct pk_prefix *p,
			   const char *origin)
{
	pk_status_row_begin(w, table);
	pk_status_set_prefix(w, AD_AC_ADDRESS, p);
	pk_status_set_str(w, AD_AC_ORIGIN, origin);
	pk_status_row_end(w);
}

static void ad_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w)
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
			pk_status_set_duration(w, AD_S_RENEW_IN, a->dc.t1 > now ? a->dc.t1 - now : 0);
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

static const struct pk_device_ops ad_ops = {
	.init = ad_init,
	.start = ad_start,
	.stop = ad_stop,
	.finalize = ad_finalize,
	.reconfigure = ad_reconfigure,
	.receive = ad_receive,
	.status = ad_status_write,
};

#define AD_DOC                                                                                      \
	"Bridges an L3 port onto an L2 segment: the device on \"ip\" (a TUN device, a router "      \
	"port, a user-space stack) appears on the Ethernet segment on \"eth\" as a host with "      \
	"the MAC 'mac' and the addresses in 'addresses' (and, with 'dhcp', the one it leases).\n\n" \
	"Packets from \"ip\" are framed in place in the buffer's headroom (no copy unless the "     \
	"buffer is shared). The next hop is the destination itself when it is on one of our "       \
	"prefixes (or IPv6 link-local), else gateway4/gateway6 (for IPv4 the DHCP router when "     \
	"gateway4 is unset); without a gateway every destination is resolved directly. "            \
	"255.255.255.255 and the broadcast address of our subnets go to ff:ff:ff:ff:ff:ff, IPv4 "   \
	"multicast to 01:00:5e plus the low 23 bits, IPv6 multicast to 33:33 plus the low 32 "      \
	"bits. An unresolved next hop gets an ARP request (IPv4) or a neighbour solicitation "      \
	"from the EUI-64 link-local address (IPv6) every 'arp-timeout', 'arp-retries' times; up "   \
	"to 'pending-max' packets wait meanwhile, and are dropped (dropped-unresolved, and ICMP "   \
	"unreachable back on \"ip\" with 'icmp-unreachable') when no answer came.\n\n"              \
	"The adapter tells the device on \"ip\" its addresses (configured, the EUI-64 "             \
	"link-local one and the DHCP lease), router, DNS servers and domain as link "               \
	"information (an l3.vclient there needs no addresses of its own).\n\n"                      \
	"Frames from \"eth\" are accepted when sent to our MAC, to the broadcast address, to "      \
	"all-nodes (33:33:00:00:00:01), to all-hosts (01:00:5e:00:00:01) or to the "                \
	"solicited-node group of one of our IPv6 addresses; the Ethernet header (and padding) is "  \
	"stripped in place and the packet goes out of \"ip\". VLAN-tagged frames are dropped. "     \
	"ARP requests and NS for our addresses are answered (the EUI-64 link-local fe80:: "         \
	"address derived from the MAC is always ours); a DAD NS (from ::) is answered to "          \
	"ff02::1 without the Solicited flag (RFC 4861 7.2.4). NS/NA with a hop limit other than "   \
	"255 are dropped. Gratuitous ARPs and unsolicited NAs announce every address when the "     \
	"device starts and when its addresses change.\n\n"                                          \
	"Cache policy (against ARP spoofing): the sender of an ARP request is learned only when "   \
	"it asks for one of our addresses; a reply is taken only for a next hop we are "            \
	"resolving or when it is addressed to our MAC and address; gratuitous ARPs, requests for "  \
	"others and unsolicited replies never change the cache. For IPv6 an NS for our address "    \
	"with a source link-layer option creates its sender; an NA only updates an existing "       \
	"entry (RFC 4861 7.2.5). A packet claiming one of our addresses from another MAC is "       \
	"counted in address-conflicts and ignored. Entries live 'cache-ttl'; with 'cache-size' "    \
	"entries, the oldest learned one makes room.\n\n"                                           \
	"DHCP client (RFC 2131): DISCOVER, retransmitted after 4 s, 8 s, ... up to 64 s, each "     \
	"±1 s; the first OFFER is requested (4 tries, then discovery starts over); at T1 a "       \
	"REQUEST goes to the server by unicast, at T2 by broadcast, retransmitted after half the "  \
	"remaining time (at least 60 s); when the lease expires the address is removed and "        \
	"discovery starts over; a NAK removes the address and restarts; stopping the device "       \
	"sends a RELEASE. The lease is logged (address, mask, router, DNS servers, domain, "        \
	"times), counted in the dhcp-* counters and shown in the status: the addresses table "      \
	"(static, link-local and dhcp), dhcp-state, the server, lease time, expiry and time "       \
	"to renewal, the routers, the domain and the dns table.\n\n"                                \
	"Both ports accept segmentation offload: TCP super-packets (up to 64 KB, from a vclient "   \
	"with 'tso', a TUN or a TAP with 'offload') and partial checksums cross whole, since "      \
	"only an Ethernet header is added or removed; they are cut into segments in front of "      \
	"the first port that cannot take them. DHCP and NDP packets the adapter reads itself "      \
	"get their checksum completed first."

const struct pk_device_type l3_adapter_type = {
	.name = "l3.adapter",
	.summary = "Bridges an L3 port onto an L2 segment (ARP, NDP, DHCP client)",
	.doc = AD_DOC,
	PK_ARRAY(ports, ad_ports),
	PK_ARRAY(params, ad_params),
	PK_ARRAY(counters, ad_counters),
	.config_size = sizeof(struct ad_config),
	.instance_size = sizeof(struct adapter),
	.ops = &ad_ops,
	PK_ARRAY(status, ad_status),
	PK_ARRAY(status_tables, ad_status_tables),
};
