/* SPDX-License-Identifier: MIT
 * nat-device.h - The l3.nat device: what its files share (config, instance, counters, status)
 *
 * A thin shell around the sans-I/O core: nat-table (connection tracking)
 * and nat-xlate (rewriting). nat-device-type.c declares the type,
 * nat-device.c holds its methods.
 */
#ifndef PK_NAT_DEVICE_H
#define PK_NAT_DEVICE_H

#include <pktkit/pktkit.h>

#include "nat-pmp.h"
#include "nat-table.h"
#include "nat-xlate.h"

/* Inside ports at most. */
#define NAT_MAX_INSIDE 64u
/* Port forwards at most. */
#define NAT_MAX_FORWARDS 256u

enum {
	NAT_FWD_TCP,
	NAT_FWD_UDP
};

/* One entry of 'forwards'. */
struct nat_forward_rec {
	uint32_t proto;
	struct pk_ip4 outside_address;
	uint32_t outside_port;
	struct pk_ip4 inside_address;
	uint32_t inside_port;
	uint32_t port;
};

struct nat_config {
	char *outside_addresses;
	struct pk_ip4 inside_address;
	uint32_t port_range_start, port_range_end;
	bool port_preservation, port_parity;
	uint32_t filtering;
	uint32_t max_flows;
	int64_t tcp_established_timeout, tcp_transitory_timeout, udp_timeout, icmp_timeout;
	struct pk_list forwards;
	bool flush;
	bool port_mapping;
	char *pm_inside_prefixes, *pm_ports;
	uint32_t pm_max_per_client;
	int64_t pm_max_lifetime;
};

enum nat_param_index {
	NAT_P_OUTSIDE_ADDRESSES,
	NAT_P_INSIDE_ADDRESS,
	NAT_P_PORT_RANGE_START,
	NAT_P_PORT_RANGE_END,
	NAT_P_PORT_PRESERVATION,
	NAT_P_PORT_PARITY,
	NAT_P_FILTERING,
	NAT_P_MAX_FLOWS,
	NAT_P_TCP_ESTABLISHED_TIMEOUT,
	NAT_P_TCP_TRANSITORY_TIMEOUT,
	NAT_P_UDP_TIMEOUT,
	NAT_P_ICMP_TIMEOUT,
	NAT_P_FORWARDS,
	NAT_P_FLUSH,
	NAT_P_PORT_MAPPING,
	NAT_P_PM_INSIDE_PREFIXES,
	NAT_P_PM_PORTS,
	NAT_P_PM_MAX_PER_CLIENT,
	NAT_P_PM_MAX_LIFETIME,
};

/* Counters: what was done, then one per reason a packet was dropped, the
 * latter in the order of enum nat_result (from NAT_R_DROP_INVALID on). */
#define NAT_COUNTERS(_)                                                                          \
	_(NAT_C_TRANSLATED_OUT, "translated-out", "Packets from inside translated and sent out") \
	_(NAT_C_TRANSLATED_IN, "translated-in", "Packets from outside translated and sent in")   \
	_(NAT_C_HAIRPINNED, "hairpinned",                                                        \
	  "Packets from an inside host to another one through its outside mapping")              \
	_(NAT_C_ICMP_TRANSLATED, "icmp-errors-translated",                                       \
	  "ICMP errors passed on with their quoted packet translated")                           \
	_(NAT_C_FRAGMENTS, "fragments-translated",                                               \
	  "Fragments after the first, translated as their first fragment was")                   \
	_(NAT_C_ICMP_SENT, "icmp-errors-sent", "Time Exceeded errors sent for TTL run out")      \
	_(NAT_C_FLOWS_CREATED, "flows-created", "Flows (connections) tracked so far")            \
	_(NAT_C_FLOWS_EXPIRED, "flows-expired", "Flows ended by their idle timeout")             \
	_(NAT_C_DROPPED_INVALID, "dropped-invalid",                                              \
	  "Packets that are not well-formed IPv4 (header, lengths, L4 header too short)")        \
	_(NAT_C_DROPPED_BAD_CHECKSUM, "dropped-bad-checksum",                                    \
	  "IPv4 packets whose header checksum is wrong")                                         \
	_(NAT_C_DROPPED_PROTOCOL, "dropped-protocol",                                            \
	  "Packets of a protocol other than TCP, UDP and ICMP")                                  \
	_(NAT_C_DROPPED_NOT_OURS, "dropped-not-ours",                                            \
	  "Packets from outside to an address that is not one of outside-addresses")             \
	_(NAT_C_DROPPED_NO_MAPPING, "dropped-no-mapping",                                        \
	  "Packets from outside to an outside port nobody holds (unsolicited)")                  \
	_(NAT_C_DROPPED_FILTERED, "dropped-filtered",                                            \
	  "Packets from outside refused by the filtering of an existing mapping")                \
	_(NAT_C_DROPPED_TABLE_FULL, "dropped-table-full",                                        \
	  "New flows refused because max-flows are tracked")                                     \
	_(NAT_C_DROPPED_PORTS_EXHAUSTED, "dropped-ports-exhausted",                              \
	  "New mappings refused because no outside port of the range is free")                   \
	_(NAT_C_DROPPED_TCP_NOT_SYN, "dropped-tcp-not-syn",                                      \
	  "TCP segments from outside to a mapping, without a flow, that are not a SYN")          \
	_(NAT_C_DROPPED_FRAGMENT_NO_STATE, "dropped-fragment-no-state",                          \
	  "Fragments after the first whose first fragment was not seen (or 30 s ago)")           \
	_(NAT_C_DROPPED_ICMP_NO_FLOW, "dropped-icmp-no-flow",                                    \
	  "ICMP errors quoting a packet of no tracked flow")                                     \
	_(NAT_C_DROPPED_ICMP_UNSUPPORTED, "dropped-icmp-unsupported",                            \
	  "ICMP messages other than echo and errors, echo requests from outside, fragmented "    \
	  "ICMP errors")                                                                         \
	_(NAT_C_DROPPED_TTL_EXPIRED, "dropped-ttl-expired",                                      \
	  "Packets that arrived with TTL 0 or 1 (answered with Time Exceeded)")                  \
	_(NAT_C_DROPPED_NOT_IPV4, "dropped-not-ipv4", "IPv6 and other non-IPv4 packets")         \
	_(NAT_C_PM_REQUESTS, "pmp-requests",                                                     \
	  "NAT-PMP and PCP datagrams to inside-address port 5351 (port-mapping)")                \
	_(NAT_C_PM_REPLIES, "pmp-replies", "NAT-PMP and PCP replies sent")                       \
	_(NAT_C_PM_REFUSED, "pmp-refused", "Replies with a result code other than success")      \
	_(NAT_C_PM_ANNOUNCEMENTS, "pmp-announcements",                                           \
	  "Announcements multicast to 224.0.0.1:5350 (one per inside port and datagram)")        \
	_(NAT_C_PM_LEASES_EXPIRED, "pmp-leases-expired", "NAT-PMP and PCP leases that ran out")

PK_COUNTERS_ENUM(NAT_COUNTERS);

_Static_assert(NAT_C_DROPPED_TTL_EXPIRED - NAT_C_DROPPED_INVALID ==
		       NAT_R_TTL_EXCEEDED - NAT_R_DROP_INVALID,
	       "drop counters follow enum nat_result");

enum nat_status_field {
	NAT_S_FLOWS,
	NAT_S_MAPPINGS,
	NAT_S_MAX_FLOWS,
	NAT_S_OUTSIDE_ADDRESSES,
};

enum nat_status_table {
	NAT_T_FLOWS,
	NAT_T_MAPPINGS,
	NAT_T_LEASES,
};

enum nat_lease_column {
	NAT_LC_PROTO,
	NAT_LC_INSIDE,
	NAT_LC_OUTSIDE,
	NAT_LC_KIND,
	NAT_LC_LIFETIME,
	NAT_LC_EXPIRES_IN,
};

enum nat_flow_column {
	NAT_FC_PROTO,
	NAT_FC_STATE,
	NAT_FC_INSIDE,
	NAT_FC_OUTSIDE,
	NAT_FC_REMOTE,
	NAT_FC_EXPIRES_IN,
	NAT_FC_PACKETS_OUT,
	NAT_FC_PACKETS_IN,
};

enum nat_mapping_column {
	NAT_MC_PROTO,
	NAT_MC_INSIDE,
	NAT_MC_OUTSIDE,
	NAT_MC_KIND,
	NAT_MC_FLOWS,
	NAT_MC_LEASE_EXPIRES_IN,
};

/* A forward as applied: what reconfigure compares against. */
struct nat_fwd {
	uint8_t proto;
	struct nat_endpoint4 outside, inside;
	uint16_t ifindex;
};

struct nat_dev {
	struct pk_dev *dev;
	struct nat_table *table;
	struct nat_params params;
	uint32_t inside_addr; /* source of the errors sent inside (network order) */
	struct nat_fwd fwd[NAT_MAX_FORWARDS];
	uint32_t n_fwd;
	struct pk_timer *timer;
	bool port_mapping;
	struct nat_lease_policy pm_policy;
	struct nat_pmp_server *pmp; /* while started with port-mapping */
	struct pk_timer *pmp_timer;
	uint64_t *ctr;
	struct pk_batch out[NAT_MAX_INSIDE + 1]; /* inside ports, then the outside */
};

extern const struct pk_device_type l3_nat_type;

/* nat-device.c */
int nat_dev_init(struct pk_dev *dev, void *self, const void *config, GError **error);
int nat_dev_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			GError **error);
void nat_dev_finalize(struct pk_dev *dev, void *self);
int nat_dev_start(struct pk_dev *dev, void *self, GError **error);
void nat_dev_stop(struct pk_dev *dev, void *self);
void nat_dev_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch);
void nat_dev_status(struct pk_dev *dev, void *self, struct pk_status_writer *w);

/* Port groups. */
enum {
	NAT_G_INSIDE,
	NAT_G_OUTSIDE
};

#endif /* PK_NAT_DEVICE_H */
