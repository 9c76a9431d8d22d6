/* SPDX-License-Identifier: MIT
 * adapter-type.c - Declaration of l3.adapter: parameters, status, ports, doc text, ops
 */
#include <pktkit/module.h>
#include <pktkit/status.h>

#include "adapter-private.h"

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
	[AD_P_MAC] = PK_PARAM_MAC(
		struct ad_config, mac, "mac", NULL, 0,
		"Our Ethernet address; unset (00:00:00:00:00:00): a random locally "
		"administered one, chosen when the device is created"),
	[AD_P_ADDRESSES] = PK_PARAM_LIST(
		struct ad_config, addresses, "addresses", &ad_addr_record, 0, AD_MAX_CFG_ADDRS,
		PK_PF_LIVE,
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
	[AD_P_ARP_TIMEOUT] = PK_PARAM_DURATION(
		struct ad_config, arp_timeout, "arp-timeout", "\"1s\"", 10 * PK_NSEC_PER_MSEC,
		60 * PK_NSEC_PER_SEC, 0,
		"Time between ARP requests / neighbour solicitations "
		"for an unresolved next hop"),
	[AD_P_ARP_RETRIES] = PK_PARAM_U32(struct ad_config, arp_retries, "arp-retries", "3", 1, 100,
					  0,
					  "Requests sent for a next hop before its queued packets "
					  "are dropped (counted as dropped-unresolved)"),
	[AD_P_CACHE_TTL] = PK_PARAM_DURATION(struct ad_config, cache_ttl, "cache-ttl", "\"5m\"",
					     PK_NSEC_PER_SEC, 24 * 3600 * PK_NSEC_PER_SEC, 0,
					     "Lifetime of a learned neighbour"),
	[AD_P_CACHE_SIZE] = PK_PARAM_U32(
		struct ad_config, cache_size, "cache-size", "4096", 1, 1u << 20, 0,
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
	{ "eth", PK_L2, 1, 1, "The Ethernet segment (a hub, a TAP device, ...)",
	  PK_PORT_F_OFFLOAD },
};

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

PK_COUNTERS_TABLE(ad_counters, AD_COUNTERS);

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
