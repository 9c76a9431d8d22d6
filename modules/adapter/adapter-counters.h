/* SPDX-License-Identifier: MIT
 * adapter-counters.h - The counters of l3.adapter: their indices and their names, side by side
 *
 * The table is defined here, next to the enum, so the two cannot drift apart;
 * only adapter-type.c uses it (in l3_adapter_type), every other file counts
 * through the indices.
 */
#ifndef PK_ADAPTER_COUNTERS_H
#define PK_ADAPTER_COUNTERS_H

#include <pktkit/device-type.h>

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
	AD_C_DROPPED_NO_BUFFER,
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

G_GNUC_UNUSED static const struct pk_counter ad_counters[] = {
	[AD_C_ARP_REQUESTS_SENT] = { "arp-requests-sent",
				     "ARP requests sent to resolve a next hop" },
	[AD_C_ARP_REPLIES_SENT] = { "arp-replies-sent", "ARP replies sent for our addresses" },
	[AD_C_NS_SENT] = { "ndp-solicits-sent",
			   "Neighbour solicitations sent to resolve a next hop" },
	[AD_C_NA_SENT] = { "ndp-adverts-sent", "Neighbour advertisements sent for our addresses" },
	[AD_C_ANNOUNCEMENTS_SENT] = { "announcements-sent",
				      "Gratuitous ARPs and unsolicited NAs sent when an address "
				      "was set" },
	[AD_C_LEARNED] = { "neighbours-learned", "Neighbour entries created or resolved" },
	[AD_C_EVICTED] = { "neighbours-evicted", "Learned neighbours dropped to make room" },
	[AD_C_RESOLVE_FAILED] = { "resolve-failed",
				  "Next hops given up after arp-retries requests" },
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
	[AD_C_DROPPED_NO_BUFFER] = { "dropped-no-buffer", "Packets lost for want of a buffer" },
	[AD_C_ADDRESS_CONFLICTS] = { "address-conflicts",
				     "ARP/NA from another MAC claiming one of our addresses" },
	[AD_C_ICMP_UNREACHABLE_SENT] = { "icmp-unreachable-sent",
					 "ICMP unreachable errors sent back on \"ip\"" },
	[AD_C_DHCP_DISCOVERS] = { "dhcp-discovers-sent",
				  "DHCPDISCOVERs sent (retransmissions too)" },
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

#endif /* PK_ADAPTER_COUNTERS_H */
