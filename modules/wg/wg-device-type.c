/* SPDX-License-Identifier: MIT
 * wg-device-type.c - Declaration of l3.wg: parameters, counters, status, ports and methods
 */
#include "wg-device.h"

static const struct pk_param wg_peer_fields[] = {
	PK_PARAM_KEY32(struct wg_peer_rec, public_key, "public-key", NULL, PK_PF_REQUIRED,
		       "The peer's public key (base64, as wg pubkey prints it)"),
	PK_PARAM_KEY32(struct wg_peer_rec, preshared_key, "preshared-key", NULL, PK_PF_SECRET,
		       "Preshared key shared with this peer (base64, wg genpsk); none by default"),
	PK_PARAM_STR(struct wg_peer_rec, preshared_key_file, "preshared-key-file", "\"\"", 0,
		     "File holding the preshared key instead (base64)"),
	PK_PARAM_STR(struct wg_peer_rec, endpoint, "endpoint", "\"\"", 0,
		     "Where to reach the peer: \"host:port\" or \"[v6]:port\"; empty: learnt from "
		     "its first authenticated message"),
	PK_PARAM_STR(struct wg_peer_rec, allowed_ips, "allowed-ips", "\"\"", 0,
		     "Inner addresses of the peer, comma-separated prefixes (\"10.0.0.2/32, "
		     "fd00::/64\"): what is sent to them goes to this peer, and what it sends must "
		     "come from them"),
	PK_PARAM_U32(struct wg_peer_rec, persistent_keepalive, "persistent-keepalive", "0", 0,
		     65535, 0,
		     "Seconds between keepalives sent to keep a NAT mapping open; 0: off"),
};

static const struct pk_param_record wg_peer_record = {
	PK_ARRAY(params, wg_peer_fields),
	.record_size = sizeof(struct wg_peer_rec),
};

static const struct pk_param wg_params[] = {
	[WG_P_PRIVATE_KEY] = PK_PARAM_KEY32(struct wg_config, private_key, "private-key", NULL,
					    PK_PF_SECRET,
					    "The interface's private key (base64, wg genkey); "
					    "this or private-key-file is needed"),
	[WG_P_PRIVATE_KEY_FILE] = PK_PARAM_STR(struct wg_config, private_key_file,
					       "private-key-file", "\"\"", 0,
					       "File holding the private key (base64)"),
	[WG_P_LISTEN_PORT] = PK_PARAM_U32(struct wg_config, listen_port, "listen-port", "0", 0,
					  65535, 0, "UDP port to listen on; 0: any free port"),
	[WG_P_BIND_ADDRESS] = PK_PARAM_STR(struct wg_config, bind_address, "bind-address", "\"\"",
					   0,
					   "Local address of the UDP socket; empty: every IPv4 and "
					   "IPv6 address"),
	[WG_P_FWMARK] = PK_PARAM_U32(struct wg_config, fwmark, "fwmark", "0", 0, UINT32_MAX, 0,
				     "Firewall mark of the datagrams sent (needs CAP_NET_ADMIN); "
				     "0: none"),
	[WG_P_MTU] = PK_PARAM_U32(struct wg_config, mtu, "mtu", "1420", 576, 65440, 0,
				  "Largest inner packet"),
	[WG_P_ISOLATE_PEERS] = PK_PARAM_BOOL(
		struct wg_config, isolate_peers, "isolate-peers", "false", 0,
		"Give every peer its own port (\"peer\", by its "
		"position in peers) instead of one shared \"ip\" port"),
	[WG_P_PEERS] = PK_PARAM_LIST(struct wg_config, peers, "peers", &wg_peer_record, 0,
				     WG_MAX_PEERS, PK_PF_LIVE,
				     "The peers; changeable while running"),
	[WG_P_LOAD_THRESHOLD] = PK_PARAM_U32(struct wg_config, load_threshold,
					     "handshake-load-threshold", "128", 0, 1000000, 0,
					     "Handshake messages per second above which senders "
					     "must prove their address with a cookie first"),
	[WG_P_TEST_TIMER_DIVISOR] = PK_PARAM_U32(
		struct wg_config, test_timer_divisor, "test-timer-divisor", "1", 1, 1000, 0,
		"For tests only: divide every protocol timer (rekey, expiry, retransmission, "
		"keepalive) by this, so rekeys happen in seconds"),
	[WG_P_PEER_TEMPLATE] = PK_PARAM_STR(
		struct wg_config, peer_template, "peer-template", NULL, PK_PF_TEMPLATE,
		"With isolate-peers: the topology's template to instantiate per peer, its attach "
		"point linked to the peer's port (a segment of its own: DHCP, NAT, ...)"),
	[WG_P_UDP_OFFLOAD] = PK_PARAM_BOOL(
		struct wg_config, udp_offload, "udp-offload", "true", 0,
		"Use the kernel's UDP segmentation (GSO) and receive coalescing (GRO) where it "
		"has them: a run of datagrams to one peer crosses the kernel's UDP stack as one. "
		"A kernel that lacks or refuses them is detected and the device goes on without "
		"(see the status fields udp-gso and udp-gro); false: never use them"),
};

#define WG_ALL_COUNTERS(_) WG_RX_DROPS(_) WG_DEV_COUNTERS(_)
PK_COUNTERS_TABLE(wg_counters, WG_ALL_COUNTERS);

static const struct pk_status_field wg_status[] = {
	[WG_S_PUBLIC_KEY] = { "public-key", PK_ST_STR, "The interface's public key" },
	[WG_S_LISTEN_PORT] = { "listen-port", PK_ST_UINT, "UDP port listened on" },
	[WG_S_PEERS] = { "peers", PK_ST_UINT, "Number of peers" },
	[WG_S_UDP_GSO] = { "udp-gso", PK_ST_BOOL,
			   "Whether sends use UDP GSO now (false: off, not offered, or refused)" },
	[WG_S_UDP_GRO] = { "udp-gro", PK_ST_BOOL, "Whether receives use UDP GRO" },
};

static const struct pk_status_field wg_peer_columns[] = {
	[WG_PC_PUBLIC_KEY] = { "public-key", PK_ST_STR, "The peer's public key" },
	[WG_PC_ENDPOINT] = { "endpoint", PK_ST_STR, "Where its datagrams go now" },
	[WG_PC_ALLOWED_IPS] = { "allowed-ips", PK_ST_STR, "Its inner addresses" },
	[WG_PC_LATEST_HANDSHAKE] = { "latest-handshake", PK_ST_TIMESTAMP,
				     "When the last session was established" },
	[WG_PC_RX_BYTES] = { "rx-bytes", PK_ST_UINT, "Bytes received from it (UDP payloads)" },
	[WG_PC_TX_BYTES] = { "tx-bytes", PK_ST_UINT, "Bytes sent to it (UDP payloads)" },
	[WG_PC_PERSISTENT_KEEPALIVE] = { "persistent-keepalive", PK_ST_UINT,
					 "Seconds between keepalives; 0: off" },
	[WG_PC_PORT] = { "port", PK_ST_STR, "Its port with isolate-peers (\"peer.N\")" },
};

static const struct pk_status_table wg_status_tables[] = {
	[WG_T_PEERS] = { "peer-table", "A peer, as wg show prints it",
			 PK_ARRAY(columns, wg_peer_columns) },
};

static const struct pk_port_group wg_ports[] = {
	{ "ip", PK_L3, 0, 1,
	  "Inner IP packets of all peers (without isolate-peers): link it to an io.tun, "
	  "l3.router or l3.adapter",
	  0 },
	{ "peer", PK_L3, 0, WG_MAX_PEERS,
	  "With isolate-peers: the inner packets of the peer at this position in peers only", 0 },
};

static const struct pk_device_ops wg_ops = {
	.init = wg_dev_init,
	.start = wg_dev_start,
	.stop = wg_dev_stop,
	.finalize = wg_dev_finalize,
	.reconfigure = wg_dev_reconfigure,
	.receive = wg_dev_receive,
	.unlink = wg_dev_unlink,
	.status = wg_dev_status,
};

#define WG_DOC                                                                                    \
	"A WireGuard interface (Noise_IKpsk2, the whitepaper's timers, cookies under load), "     \
	"interoperable with wireguard-go and Linux. Inner IP packets come and go on \"ip\"; the " \
	"encrypted datagrams use one UDP socket of the pktkit-host process ('listen-port', "      \
	"'bind-address'), IPv4 and IPv6.\n\n"                                                     \
	"Cryptokey routing: a packet to send goes to the peer whose 'allowed-ips' hold its "      \
	"destination (longest prefix; an address listed for two peers belongs to the later "      \
	"one), and a packet received from a peer is dropped unless its source is in that peer's " \
	"'allowed-ips'. Sessions start on the first packet to a peer and are renewed every two "  \
	"minutes; a packet waits (128 per peer at most) while its handshake runs. A packet no "   \
	"peer takes is answered with ICMP host (address) unreachable, one larger than 'mtu' "     \
	"that may not be fragmented with fragmentation needed (packet too big), as a kernel "     \
	"WireGuard interface does.\n\n"                                                           \
	"With 'isolate-peers' every peer gets its own port \"peer.N\" (N its position in "        \
	"'peers' when loaded; a peer added later takes the lowest free N and keeps it for "       \
	"life), so peers with overlapping inner addresses can each be served on a segment of "    \
	"their own; their 'allowed-ips' are then checked per peer only. With 'peer-template' "    \
	"every peer gets a new instance of that template attached to its port, made when the "    \
	"device starts or the peer is added, removed with the peer.\n\n"                          \
	"Keys are secret parameters, never shown; 'private-key-file' and 'preshared-key-file' "   \
	"read them from files (the base64 text wg genkey writes). 'peers' may change while "      \
	"running: peers added start fresh, removed ones lose their sessions and waiting "         \
	"packets, changed ones keep their sessions. pktkit-wg imports and exports wg-quick "      \
	"configuration files."

const struct pk_device_type l3_wg_type = {
	.name = "l3.wg",
	.summary = "WireGuard interface: inner IP packets in, encrypted UDP out",
	.doc = WG_DOC,
	PK_ARRAY(ports, wg_ports),
	PK_ARRAY(params, wg_params),
	PK_ARRAY(counters, wg_counters),
	.config_size = sizeof(struct wg_config),
	.instance_size = sizeof(struct wg_dev),
	.ops = &wg_ops,
	PK_ARRAY(status, wg_status),
	PK_ARRAY(status_tables, wg_status_tables),
};
