/* SPDX-License-Identifier: MIT
 * slirp-type.c - Declaration of l3.slirp: parameters, counters, status, ports and methods
 */
#include "slirp-private.h"
#include "slirp-type.h"

static const struct pk_param slirp_dns_server_fields[] = {
	PK_PARAM_STR(struct slirp_dns_server_rec, address, "address", NULL, PK_PF_REQUIRED,
		     "IPv4 or IPv6 address of a resolver on the host's network"),
	PK_PARAM_U32(struct slirp_dns_server_rec, port, "port", "53", 1, 65535, 0, "Its port"),
};

static const struct pk_param_record slirp_dns_server_record = {
	PK_ARRAY(params, slirp_dns_server_fields),
	.record_size = sizeof(struct slirp_dns_server_rec),
};

static const struct pk_param_enum slirp_rule_protos[] = {
	{ "any", SLIRP_PROTO_ANY },
	{ "tcp", SLIRP_PROTO_TCP },
	{ "udp", SLIRP_PROTO_UDP },
	{ "icmp", SLIRP_PROTO_ICMP },
	{ NULL, 0 },
};

static const struct pk_param slirp_rule_fields[] = {
	PK_PARAM_PREFIX(struct slirp_rule_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"Destinations the rule matches, e.g. \"10.0.0.0/8\" or \"::/0\""),
	PK_PARAM_ENUM(struct slirp_rule_rec, proto, "proto", "\"any\"", slirp_rule_protos, 0,
		      "Protocol the rule matches"),
	PK_PARAM_STR(struct slirp_rule_rec, ports, "ports", "\"\"", 0,
		     "Destination ports, e.g. \"53,80,8000-8100\" (at most 16 ranges); empty: all"),
};

static const struct pk_param_record slirp_rule_record = {
	PK_ARRAY(params, slirp_rule_fields),
	.record_size = sizeof(struct slirp_rule_rec),
};

static const struct pk_param_enum slirp_fwd_protos[] = {
	{ "tcp", SLIRP_FWD_TCP },
	{ "udp", SLIRP_FWD_UDP },
	{ NULL, 0 },
};

static const struct pk_param slirp_forward_fields[] = {
	PK_PARAM_ENUM(struct slirp_forward_rec, proto, "proto", "\"tcp\"", slirp_fwd_protos, 0,
		      "Protocol"),
	PK_PARAM_STR(struct slirp_forward_rec, host_address, "host-address", "\"127.0.0.1\"", 0,
		     "Host address to listen on (IPv4 or IPv6; \"0.0.0.0\" or \"::\" for all)"),
	PK_PARAM_U32(struct slirp_forward_rec, host_port, "host-port", NULL, 1, 65535,
		     PK_PF_REQUIRED, "Host port to listen on"),
	PK_PARAM_STR(struct slirp_forward_rec, guest_address, "guest-address", NULL, PK_PF_REQUIRED,
		     "Guest address the connections go to"),
	PK_PARAM_U32(struct slirp_forward_rec, guest_port, "guest-port", NULL, 1, 65535,
		     PK_PF_REQUIRED, "Guest port"),
};

static const struct pk_param_record slirp_forward_record = {
	PK_ARRAY(params, slirp_forward_fields),
	.record_size = sizeof(struct slirp_forward_rec),
};

static const struct pk_param_enum slirp_unreachable_names[] = {
	{ "icmp", SLIRP_UNREACH_ICMP },
	{ "rst", SLIRP_UNREACH_RST },
	{ NULL, 0 },
};

static const struct pk_param slirp_params[] = {
	[SLIRP_P_DNS4] = PK_PARAM_IP4(struct slirp_config, dns4, "dns4", "\"0.0.0.0\"", 0,
				      "IPv4 address where guests find the DNS forwarder (UDP and "
				      "TCP port 53); 0.0.0.0: none"),
	[SLIRP_P_DNS6] = PK_PARAM_IP6(struct slirp_config, dns6, "dns6", "\"::\"", 0,
				      "IPv6 address of the DNS forwarder; ::: none"),
	[SLIRP_P_DNS_SERVERS] = PK_PARAM_LIST(struct slirp_config, dns_servers, "dns-servers",
					      &slirp_dns_server_record, 0, 8, 0,
					      "Resolvers the forwarder asks, in order; empty: the "
					      "nameservers of /etc/resolv.conf at start"),
	[SLIRP_P_HOST_LOOPBACK4] = PK_PARAM_IP4(struct slirp_config, host_loopback4,
						"host-loopback4", "\"0.0.0.0\"", 0,
						"Guest-visible IPv4 address that reaches the "
						"host's 127.0.0.1; 0.0.0.0: the host's loopback "
						"is out of reach"),
	[SLIRP_P_HOST_LOOPBACK6] = PK_PARAM_IP6(struct slirp_config, host_loopback6,
						"host-loopback6", "\"::\"", 0,
						"Guest-visible IPv6 address that reaches the "
						"host's ::1; ::: out of reach"),
	[SLIRP_P_ALLOW] = PK_PARAM_LIST(struct slirp_config, allow, "allow", &slirp_rule_record, 0,
					256, 0,
					"Destinations new flows may go to; empty: all (but deny)"),
	[SLIRP_P_DENY] = PK_PARAM_LIST(
		struct slirp_config, deny, "deny", &slirp_rule_record, 0, 256, 0,
		"Destinations new flows may not go to; deny wins over allow"),
	[SLIRP_P_FORWARDS] = PK_PARAM_LIST(struct slirp_config, forwards, "forwards",
					   &slirp_forward_record, 0, 256, PK_PF_LIVE,
					   "Port forwards: host listeners whose connections or "
					   "datagrams go to a guest"),
	[SLIRP_P_MAX_FLOWS] = PK_PARAM_U32(struct slirp_config, max_flows, "max-flows", "4096", 1,
					   1048576, 0,
					   "Flows (TCP, UDP, ICMP) open at once; more are refused"),
	[SLIRP_P_FLOW_BUFFER] = PK_PARAM_U32(struct slirp_config, flow_buffer, "flow-buffer",
					     "262144", 4096, 16777216, 0,
					     "Bytes a TCP flow buffers per direction (the window "
					     "the guest sees)"),
	[SLIRP_P_TCP_CONNECT_TIMEOUT] = PK_PARAM_DURATION(
		struct slirp_config, tcp_connect_timeout, "tcp-connect-timeout", "\"20s\"",
		PK_NSEC_PER_SEC, 600 * PK_NSEC_PER_SEC, 0,
		"How long a host connect() may take before the guest is told it failed"),
	[SLIRP_P_KEEPALIVE] = PK_PARAM_DURATION(struct slirp_config, keepalive, "keepalive",
						"\"0s\"", 0, 86400 * PK_NSEC_PER_SEC, 0,
						"Idle time before TCP keepalive probes to the "
						"guest, then the time between probes (at most "
						"75 s); 9 unanswered reset the flow; 0: none"),
	[SLIRP_P_UDP_TIMEOUT] = PK_PARAM_DURATION(
		struct slirp_config, udp_timeout, "udp-timeout", "\"60s\"", PK_NSEC_PER_SEC,
		86400 * PK_NSEC_PER_SEC, 0, "Idle time after which a UDP or ICMP flow closes"),
	[SLIRP_P_UNREACHABLE] = PK_PARAM_ENUM(struct slirp_config, unreachable, "unreachable",
					      "\"icmp\"", slirp_unreachable_names, 0,
					      "What a guest gets when a host connect() times out "
					      "or finds no route: an ICMP unreachable or a RST "
					      "(a refused connect always gets a RST)"),
	[SLIRP_P_MTU] = PK_PARAM_U32(struct slirp_config, mtu, "mtu", "1500", 576, 65520, 0,
				     "Largest IP packet sent to the guests (the TCP MSS follows)"),
	[SLIRP_P_TSO] = PK_PARAM_BOOL(struct slirp_config, tso, "tso", "false", 0,
				      "Send TCP super-packets (up to 64 KB) to the guests, for "
				      "peers that take segmentation offload"),
	[SLIRP_P_ICMP_ECHO] = PK_PARAM_BOOL(struct slirp_config, icmp_echo, "icmp-echo", "true", 0,
					    "Forward echo requests through the host's "
					    "unprivileged ICMP sockets"),
};

PK_COUNTERS_TABLE(slirp_counters, SLIRP_COUNTERS);

static const struct pk_status_field slirp_status[] = {
	[SLIRP_S_FLOWS] = { "flows", PK_ST_UINT, "Flows open now" },
	[SLIRP_S_DNS_SERVERS] = { "dns-servers", PK_ST_STR, "Resolvers the forwarder asks" },
};

static const struct pk_status_field slirp_flow_columns[] = {
	[SLIRP_FC_PROTO] = { "proto", PK_ST_STR, "tcp, udp, icmp or icmpv6" },
	[SLIRP_FC_GUEST] = { "guest", PK_ST_IP, "The guest's address" },
	[SLIRP_FC_GUEST_PORT] = { "guest-port", PK_ST_UINT,
				  "The guest's port (ICMP: the echo identifier)" },
	[SLIRP_FC_REMOTE] = { "remote", PK_ST_IP, "The address the guest talks to" },
	[SLIRP_FC_REMOTE_PORT] = { "remote-port", PK_ST_UINT, "Its port" },
	[SLIRP_FC_STATE] = { "state", PK_ST_STR, "State of the flow" },
	[SLIRP_FC_AGE] = { "age", PK_ST_DURATION, "Time since it was opened" },
	[SLIRP_FC_IDLE] = { "idle", PK_ST_DURATION, "Time since its last byte" },
	[SLIRP_FC_GUEST_BYTES] = { "guest-bytes", PK_ST_UINT, "Payload bytes from the guest" },
	[SLIRP_FC_HOST_BYTES] = { "host-bytes", PK_ST_UINT, "Payload bytes to the guest" },
};

static const struct pk_status_field slirp_forward_columns[] = {
	[SLIRP_WC_PROTO] = { "proto", PK_ST_STR, "tcp or udp" },
	[SLIRP_WC_HOST] = { "host", PK_ST_STR, "Host address listened on" },
	[SLIRP_WC_HOST_PORT] = { "host-port", PK_ST_UINT, "Host port" },
	[SLIRP_WC_GUEST] = { "guest", PK_ST_STR, "Guest address" },
	[SLIRP_WC_GUEST_PORT] = { "guest-port", PK_ST_UINT, "Guest port" },
	[SLIRP_WC_CONNECTIONS] = { "connections", PK_ST_UINT,
				   "Connections (TCP) or flows (UDP) it made so far" },
};

static const struct pk_status_table slirp_status_tables[] = {
	[SLIRP_T_FLOWS] = { "flow-table", "An open flow", PK_ARRAY(columns, slirp_flow_columns) },
	[SLIRP_T_FORWARDS] = { "forwards", "A port forward",
			       PK_ARRAY(columns, slirp_forward_columns) },
};

static const struct pk_port_group slirp_ports[] = {
	{ "ip", PK_L3, 0, 1,
	  "IP packets of the guests (link it to an l3.adapter that is their gateway)",
	  PK_PORT_F_OFFLOAD },
};

static const struct pk_device_ops slirp_ops = {
	.init = slirp_init,
	.start = slirp_start,
	.stop = slirp_stop,
	.finalize = slirp_finalize,
	.reconfigure = slirp_reconfigure,
	.receive = slirp_receive,
	.status = slirp_status_write,
};

#define SLIRP_DOC                                                                                 \
	"User-mode NAT to the host's sockets: what the guests behind \"ip\" send to any address " \
	"leaves through ordinary (unprivileged) sockets of the pktkit-host process, in its "      \
	"network namespace, and the answers come back as packets from that address. Link "        \
	"\"ip\" to the \"ip\" port of an l3.adapter that is the guests' gateway.\n\n"             \
	"TCP: a guest's SYN starts a non-blocking connect() on the host; the guest gets its "     \
	"SYN-ACK when the host connection is established, a RST when it is refused, and an "      \
	"ICMP unreachable (or a RST, 'unreachable') when it times out "                           \
	"('tcp-connect-timeout') or finds no route. The guest side ends in pktkit's TCP engine "  \
	"(window scaling, SACK, timestamps) with at most 'flow-buffer' bytes per direction.\n\n"  \
	"UDP: one connected host socket per flow, closed after 'udp-timeout' idle. ICMP echo: "   \
	"through unprivileged ICMP sockets ('icmp-echo'). Broadcast and multicast are never "     \
	"forwarded.\n\n"                                                                          \
	"DNS: queries to 'dns4'/'dns6' port 53 are forwarded to 'dns-servers' (or the host's "    \
	"/etc/resolv.conf). The host's loopback is reachable only through 'host-loopback4' / "    \
	"'host-loopback6'. 'allow'/'deny' decide which destinations new flows may have, before "  \
	"any host socket is opened. At most 'max-flows' flows are open; more are refused and "    \
	"counted.\n\n"                                                                            \
	"Port forwards ('forwards', changeable while running) listen on a host address and "      \
	"port and carry each TCP connection or UDP datagram to a guest address and port; a "      \
	"change while running binds the new listeners before closing the removed ones, so an "    \
	"error (port in use, no permission) leaves the forwards as they were. The guest sees a "  \
	"forwarded connection come from the client's own address when it can answer it (same "    \
	"family, not loopback or link-local); otherwise from 'host-loopback4'/'host-loopback6' "  \
	"of the guest's family, else from 'dns4'/'dns6'; with neither set such clients are "      \
	"refused (counted in forward-refused)."

const struct pk_device_type l3_slirp_type = {
	.name = "l3.slirp",
	.summary = "User-mode NAT: guests reach the network through the host's sockets",
	.doc = SLIRP_DOC,
	PK_ARRAY(ports, slirp_ports),
	PK_ARRAY(params, slirp_params),
	PK_ARRAY(counters, slirp_counters),
	.config_size = sizeof(struct slirp_config),
	.instance_size = sizeof(struct slirp),
	.ops = &slirp_ops,
	PK_ARRAY(status, slirp_status),
	PK_ARRAY(status_tables, slirp_status_tables),
};
