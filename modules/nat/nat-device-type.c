/* SPDX-License-Identifier: MIT
 * nat-device-type.c - Declaration of l3.nat: parameters, counters, status, ports and methods
 */
#include "nat-device.h"

static const struct pk_param_enum nat_fwd_protos[] = {
	{ "tcp", NAT_FWD_TCP },
	{ "udp", NAT_FWD_UDP },
	{ NULL, 0 },
};

static const struct pk_param_enum nat_filterings[] = {
	{ "endpoint-independent", NAT_FILTER_EI },
	{ "address-dependent", NAT_FILTER_AD },
	{ "address-and-port-dependent", NAT_FILTER_APD },
	{ NULL, 0 },
};

static const struct pk_param nat_forward_fields[] = {
	PK_PARAM_ENUM(struct nat_forward_rec, proto, "proto", "\"tcp\"", nat_fwd_protos, 0,
		      "Protocol"),
	PK_PARAM_IP4(struct nat_forward_rec, outside_address, "outside-address", "\"0.0.0.0\"", 0,
		     "Outside address the forward listens on (one of outside-addresses); 0.0.0.0: "
		     "the first of them"),
	PK_PARAM_U32(struct nat_forward_rec, outside_port, "outside-port", NULL, 1, 65535,
		     PK_PF_REQUIRED, "Outside port"),
	PK_PARAM_IP4(struct nat_forward_rec, inside_address, "inside-address", NULL, PK_PF_REQUIRED,
		     "Inside host the connections go to"),
	PK_PARAM_U32(struct nat_forward_rec, inside_port, "inside-port", "0", 0, 65535, 0,
		     "Its port; 0: the outside port"),
	PK_PARAM_U32(struct nat_forward_rec, port, "port", "0", 0, NAT_MAX_INSIDE - 1, 0,
		     "Index N of the port \"inside.N\" the host is behind"),
};

static const struct pk_param_record nat_forward_record = {
	PK_ARRAY(params, nat_forward_fields),
	.record_size = sizeof(struct nat_forward_rec),
};

#define NAT_NS(s) ((int64_t)(s)*PK_NSEC_PER_SEC)

static const struct pk_param nat_params[] = {
	[NAT_P_OUTSIDE_ADDRESSES] = PK_PARAM_STR(
		struct nat_config, outside_addresses, "outside-addresses", NULL, PK_PF_REQUIRED,
		"The NAT's outside IPv4 addresses, comma-separated (at most 16); an inside host "
		"is always mapped to the same one (paired pooling)"),
	[NAT_P_INSIDE_ADDRESS] = PK_PARAM_IP4(
		struct nat_config, inside_address, "inside-address", "\"0.0.0.0\"", 0,
		"Source of the ICMP errors the NAT sends to inside hosts, and the address that "
		"answers NAT-PMP/PCP (port-mapping); 0.0.0.0: the first outside address"),
	[NAT_P_PORT_RANGE_START] = PK_PARAM_U32(struct nat_config, port_range_start,
						"port-range-start", "1024", 1, 65535, PK_PF_LIVE,
						"Lowest outside TCP/UDP port given to mappings"),
	[NAT_P_PORT_RANGE_END] = PK_PARAM_U32(struct nat_config, port_range_end, "port-range-end",
					      "65535", 1, 65535, PK_PF_LIVE,
					      "Highest outside TCP/UDP port given to mappings"),
	[NAT_P_PORT_PRESERVATION] = PK_PARAM_BOOL(
		struct nat_config, port_preservation, "port-preservation", "true", PK_PF_LIVE,
		"Keep the inside port as the outside one when it is free and in the range"),
	[NAT_P_PORT_PARITY] = PK_PARAM_BOOL(struct nat_config, port_parity, "port-parity", "false",
					    PK_PF_LIVE,
					    "Give outside ports of the inside port's parity "
					    "(RFC 4787 REQ-4: RTP/RTCP pairs)"),
	[NAT_P_FILTERING] = PK_PARAM_ENUM(
		struct nat_config, filtering, "filtering", "\"address-dependent\"", nat_filterings,
		PK_PF_LIVE,
		"Which remotes may send to a mapping (RFC 4787 section 5): any, those the inside "
		"host has sent to (by address), or by address and port"),
	[NAT_P_MAX_FLOWS] = PK_PARAM_U32(struct nat_config, max_flows, "max-flows", "65536", 16,
					 4194304, 0,
					 "Flows tracked at most; memory for them is taken when the "
					 "device is made, new flows beyond are refused"),
	[NAT_P_TCP_ESTABLISHED_TIMEOUT] = PK_PARAM_DURATION(
		struct nat_config, tcp_established_timeout, "tcp-established-timeout", "\"2h4m\"",
		PK_NSEC_PER_SEC, NAT_NS(7 * 24 * 3600), PK_PF_LIVE,
		"Idle timeout of an established TCP connection (RFC 5382: at least 2h4m)"),
	[NAT_P_TCP_TRANSITORY_TIMEOUT] = PK_PARAM_DURATION(
		struct nat_config, tcp_transitory_timeout, "tcp-transitory-timeout", "\"4m\"",
		PK_NSEC_PER_SEC, NAT_NS(7 * 24 * 3600), PK_PF_LIVE,
		"Idle timeout of a TCP connection opening or closing (RFC 5382: at least 4m)"),
	[NAT_P_UDP_TIMEOUT] = PK_PARAM_DURATION(
		struct nat_config, udp_timeout, "udp-timeout", "\"5m\"", PK_NSEC_PER_SEC,
		NAT_NS(7 * 24 * 3600), PK_PF_LIVE,
		"Idle timeout of a UDP flow (RFC 4787 REQ-5: at least 2m)"),
	[NAT_P_ICMP_TIMEOUT] = PK_PARAM_DURATION(
		struct nat_config, icmp_timeout, "icmp-timeout", "\"60s\"", PK_NSEC_PER_SEC,
		NAT_NS(7 * 24 * 3600), PK_PF_LIVE, "Idle timeout of an ICMP echo flow (RFC 5508)"),
	[NAT_P_FORWARDS] = PK_PARAM_LIST(
		struct nat_config, forwards, "forwards", &nat_forward_record, 0, NAT_MAX_FORWARDS,
		PK_PF_LIVE,
		"Port forwards (static mappings) {\"proto\", \"outside-port\", "
		"\"inside-address\", ...}; changeable while running"),
	[NAT_P_FLUSH] = PK_PARAM_BOOL(
		struct nat_config, flush, "flush", "false", PK_PF_LIVE,
		"Setting it while running (to any value) forgets every flow and dynamic mapping, "
		"as conntrack -F; port forwards stay"),
	[NAT_P_PORT_MAPPING] = PK_PARAM_BOOL(
		struct nat_config, port_mapping, "port-mapping", "false", 0,
		"Answer NAT-PMP (RFC 6886) and PCP (RFC 6887) on inside-address, UDP port 5351: "
		"inside hosts may then open outside ports to themselves (needs inside-address)"),
	[NAT_P_PM_INSIDE_PREFIXES] = PK_PARAM_STR(
		struct nat_config, pm_inside_prefixes, "port-mapping-inside-prefixes", "\"\"", 0,
		"Inside hosts that may map ports: IPv4 prefixes, comma-separated (at most 8); "
		"empty: any"),
	[NAT_P_PM_PORTS] = PK_PARAM_STR(
		struct nat_config, pm_ports, "port-mapping-ports", "\"1024-65535\"", 0,
		"Outside ports port mapping may give: ports or ranges first-last, comma-separated "
		"(at most 8)"),
	[NAT_P_PM_MAX_PER_CLIENT] = PK_PARAM_U32(struct nat_config, pm_max_per_client,
						 "port-mapping-max-per-client", "16", 0, 65535, 0,
						 "Port mappings one inside host may hold; 0: no "
						 "limit (the table holds 256)"),
	[NAT_P_PM_MAX_LIFETIME] = PK_PARAM_DURATION(
		struct nat_config, pm_max_lifetime, "port-mapping-max-lifetime", "\"24h\"",
		PK_NSEC_PER_SEC, NAT_NS(7 * 24 * 3600), 0,
		"Longest lifetime granted to a port mapping (longer requests get this)"),
};

PK_COUNTERS_TABLE(nat_counters, NAT_COUNTERS);

static const struct pk_status_field nat_status[] = {
	[NAT_S_FLOWS] = { "flows", PK_ST_UINT, "Flows tracked now" },
	[NAT_S_MAPPINGS] = { "mappings", PK_ST_UINT, "Mappings now (port forwards included)" },
	[NAT_S_MAX_FLOWS] = { "max-flows", PK_ST_UINT, "Flows tracked at most" },
	[NAT_S_OUTSIDE_ADDRESSES] = { "outside-addresses", PK_ST_STR, "The outside addresses" },
};

static const struct pk_status_field nat_flow_columns[] = {
	[NAT_FC_PROTO] = { "proto", PK_ST_STR, "tcp, udp or icmp" },
	[NAT_FC_STATE] = { "state", PK_ST_STR,
			   "TCP state: syn-sent, syn-recv, established, fin-wait, closing, "
			   "closed" },
	[NAT_FC_INSIDE] = { "inside", PK_ST_STR, "Inside endpoint (address:port or :id)" },
	[NAT_FC_OUTSIDE] = { "outside", PK_ST_STR, "Its outside endpoint" },
	[NAT_FC_REMOTE] = { "remote", PK_ST_STR, "The remote endpoint" },
	[NAT_FC_EXPIRES_IN] = { "expires-in", PK_ST_DURATION, "Time left without traffic" },
	[NAT_FC_PACKETS_OUT] = { "packets-out", PK_ST_UINT, "Packets from inside" },
	[NAT_FC_PACKETS_IN] = { "packets-in", PK_ST_UINT, "Packets from outside" },
};

static const struct pk_status_field nat_mapping_columns[] = {
	[NAT_MC_PROTO] = { "proto", PK_ST_STR, "tcp, udp or icmp" },
	[NAT_MC_INSIDE] = { "inside", PK_ST_STR, "Inside endpoint" },
	[NAT_MC_OUTSIDE] = { "outside", PK_ST_STR, "Outside endpoint" },
	[NAT_MC_KIND] = { "kind", PK_ST_STR,
			  "dynamic (made by traffic), forward (forwards) or lease (asked for by "
			  "a port mapping protocol or an ALG)" },
	[NAT_MC_FLOWS] = { "flows", PK_ST_UINT, "Its flows" },
	[NAT_MC_LEASE_EXPIRES_IN] = { "lease-expires-in", PK_ST_DURATION,
				      "A lease: time it has left" },
};

static const struct pk_status_field nat_lease_columns[] = {
	[NAT_LC_PROTO] = { "proto", PK_ST_STR, "tcp or udp" },
	[NAT_LC_INSIDE] = { "inside", PK_ST_STR, "The inside endpoint the client asked for" },
	[NAT_LC_OUTSIDE] = { "outside", PK_ST_STR, "The outside endpoint it was given" },
	[NAT_LC_KIND] = { "kind", PK_ST_STR,
			  "nat-pmp, pcp-map or pcp-peer: the protocol that last renewed it" },
	[NAT_LC_LIFETIME] = { "lifetime", PK_ST_DURATION, "Lifetime last granted" },
	[NAT_LC_EXPIRES_IN] = { "expires-in", PK_ST_DURATION, "Time left before it is removed" },
};

static const struct pk_status_table nat_status_tables[] = {
	[NAT_T_FLOWS] = { "flow-table", "A tracked flow, as conntrack -L shows it",
			  PK_ARRAY(columns, nat_flow_columns) },
	[NAT_T_MAPPINGS] = { "mapping-table", "An inside endpoint and the outside endpoint it has",
			     PK_ARRAY(columns, nat_mapping_columns) },
	[NAT_T_LEASES] = { "pmp-lease-table",
			   "A port mapping granted by NAT-PMP or PCP (with port-mapping)",
			   PK_ARRAY(columns, nat_lease_columns) },
};

static const struct pk_port_group nat_ports[] = {
	[NAT_G_INSIDE] = { "inside", PK_L3, 0, NAT_MAX_INSIDE,
			   "Inside networks (private addresses): link a router, adapter or TUN",
			   PK_PORT_F_OFFLOAD },
	[NAT_G_OUTSIDE] = { "outside", PK_L3, 0, 1, "The outside network", PK_PORT_F_OFFLOAD },
};

static const struct pk_device_ops nat_ops = {
	.init = nat_dev_init,
	.start = nat_dev_start,
	.stop = nat_dev_stop,
	.finalize = nat_dev_finalize,
	.reconfigure = nat_dev_reconfigure,
	.receive = nat_dev_receive,
	.status = nat_dev_status,
};

#define NAT_DOC                                                                                   \
	"NAT44 with connection tracking (NAPT): IPv4 packets from the \"inside\" ports leave "    \
	"through \"outside\" with their source translated to one of 'outside-addresses' and a "   \
	"port (an ICMP echo identifier) of the NAT; answers come back translated the other way. " \
	"TCP, UDP and ICMP echo are translated; ICMP errors have the packet they quote "          \
	"translated too (RFC 5508).\n\n"                                                          \
	"Mappings are endpoint-independent (RFC 4787 REQ-1): an inside endpoint keeps its "       \
	"outside endpoint for every remote, and keeps its own port when free ("                   \
	"'port-preservation'). 'filtering' decides who may send to a mapping. Every host is "     \
	"mapped to one outside address (paired pooling). An inside host reaches another through " \
	"its outside endpoint (hairpinning). Flows time out per protocol and TCP state; at "      \
	"'max-flows' new ones are refused (dropped-table-full).\n\n"                              \
	"'forwards' publishes inside servers on outside ports, and may change while running. "    \
	"The status shows the flows and mappings; setting 'flush' forgets them. Packets with "    \
	"TTL 1 are answered with Time Exceeded. Fragments: the first one is translated and "      \
	"remembered for 30 s, the others follow it; one whose first was not seen is dropped.\n\n" \
	"With 'port-mapping', the NAT answers NAT-PMP and PCP on 'inside-address', UDP port "     \
	"5351: inside hosts open outside ports to themselves (leases, within the "                \
	"port-mapping-* policy), shown in pmp-lease-table; restarts are announced to "            \
	"224.0.0.1:5350 on every inside port."

const struct pk_device_type l3_nat_type = {
	.name = "l3.nat",
	.summary = "NAT44 with connection tracking: NAPT, filtering, port forwards, hairpinning",
	.doc = NAT_DOC,
	PK_ARRAY(ports, nat_ports),
	PK_ARRAY(params, nat_params),
	PK_ARRAY(counters, nat_counters),
	.config_size = sizeof(struct nat_config),
	.instance_size = sizeof(struct nat_dev),
	.ops = &nat_ops,
	PK_ARRAY(status, nat_status),
	PK_ARRAY(status_tables, nat_status_tables),
};
