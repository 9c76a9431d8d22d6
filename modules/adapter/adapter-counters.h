/* SPDX-License-Identifier: MIT
 * adapter-counters.h - The counters of l3.adapter, declared once: indices, names and blurbs
 *
 * Every file counts through the AD_C_* indices; adapter-type.c makes the
 * table from the same list (PK_COUNTERS_TABLE), so the two cannot drift apart.
 */
#ifndef PK_ADAPTER_COUNTERS_H
#define PK_ADAPTER_COUNTERS_H

#include <pktkit/device-type.h>

#define AD_COUNTERS(_)                                                                             \
	_(AD_C_ARP_REQUESTS_SENT, "arp-requests-sent", "ARP requests sent to resolve a next hop")  \
	_(AD_C_ARP_REPLIES_SENT, "arp-replies-sent", "ARP replies sent for our addresses")         \
	_(AD_C_NS_SENT, "ndp-solicits-sent", "Neighbour solicitations sent to resolve a next hop") \
	_(AD_C_NA_SENT, "ndp-adverts-sent", "Neighbour advertisements sent for our addresses")     \
	_(AD_C_ANNOUNCEMENTS_SENT, "announcements-sent",                                           \
	  "Gratuitous ARPs and unsolicited NAs sent when an address "                              \
	  "was set")                                                                               \
	_(AD_C_LEARNED, "neighbours-learned", "Neighbour entries created or resolved")             \
	_(AD_C_EVICTED, "neighbours-evicted", "Learned neighbours dropped to make room")           \
	_(AD_C_RESOLVE_FAILED, "resolve-failed", "Next hops given up after arp-retries requests")  \
	_(AD_C_DROPPED_UNRESOLVED, "dropped-unresolved",                                           \
	  "Packets dropped because their next hop did not answer")                                 \
	_(AD_C_DROPPED_PENDING_FULL, "dropped-pending-full",                                       \
	  "Packets dropped because pending-max packets already wait "                              \
	  "for their next hop")                                                                    \
	_(AD_C_DROPPED_CACHE_FULL, "dropped-cache-full",                                           \
	  "Packets dropped because every cache entry is being resolved")                           \
	_(AD_C_DROPPED_SHORT, "dropped-short", "Frames shorter than an Ethernet header")           \
	_(AD_C_DROPPED_BAD_ARP, "dropped-bad-arp",                                                 \
	  "ARP packets with wrong sizes or types, or a group sender address")                      \
	_(AD_C_DROPPED_BAD_NDP, "dropped-bad-ndp",                                                 \
	  "NS/NA with a bad length, code, checksum, option or target")                             \
	_(AD_C_DROPPED_NDP_HOP_LIMIT, "dropped-ndp-hop-limit",                                     \
	  "NS/NA whose hop limit is not 255 (RFC 4861 7.1)")                                       \
	_(AD_C_DROPPED_BAD_IP, "dropped-bad-ip",                                                   \
	  "Packets (either side) whose IPv4/IPv6 header is malformed")                             \
	_(AD_C_DROPPED_NOT_FOR_US, "dropped-not-for-us",                                           \
	  "Frames to another MAC or to a multicast group we are not in")                           \
	_(AD_C_DROPPED_VLAN, "dropped-vlan", "VLAN-tagged frames (the adapter is untagged)")       \
	_(AD_C_DROPPED_ETHERTYPE, "dropped-ethertype", "Frames neither IPv4, IPv6 nor ARP")        \
	_(AD_C_DROPPED_NO_ROUTE, "dropped-no-route",                                               \
	  "Packets to 0.0.0.0, :: or ::1, which never go on a link")                               \
	_(AD_C_ADDRESS_CONFLICTS, "address-conflicts",                                             \
	  "ARP/NA from another MAC claiming one of our addresses")                                 \
	_(AD_C_ICMP_UNREACHABLE_SENT, "icmp-unreachable-sent",                                     \
	  "ICMP unreachable errors sent back on \"ip\"")                                           \
	_(AD_C_DHCP_DISCOVERS, "dhcp-discovers-sent", "DHCPDISCOVERs sent (retransmissions too)")  \
	_(AD_C_DHCP_REQUESTS, "dhcp-requests-sent",                                                \
	  "DHCPREQUESTs sent (selecting, renewing, rebinding)")                                    \
	_(AD_C_DHCP_RELEASES, "dhcp-releases-sent", "DHCPRELEASEs sent when stopping")             \
	_(AD_C_DHCP_OFFERS, "dhcp-offers", "DHCPOFFERs taken")                                     \
	_(AD_C_DHCP_ACKS, "dhcp-acks", "DHCPACKs taken")                                           \
	_(AD_C_DHCP_NAKS, "dhcp-naks", "DHCPNAKs that restarted the client")                       \
	_(AD_C_DHCP_RENEWALS, "dhcp-renewals", "Times T1 passed and renewing began")               \
	_(AD_C_DHCP_REBINDS, "dhcp-rebinds", "Times T2 passed and rebinding began")                \
	_(AD_C_DHCP_EXPIRIES, "dhcp-expiries", "Leases that ran out (the address was removed)")    \
	_(AD_C_DHCP_DROPPED, "dhcp-dropped",                                                       \
	  "Frames to port 68 that were malformed or not for this client")
PK_COUNTERS_ENUM(AD_COUNTERS);
enum {
	AD_C_N = PK_COUNTERS_COUNT(AD_COUNTERS)
};

#endif /* PK_ADAPTER_COUNTERS_H */
