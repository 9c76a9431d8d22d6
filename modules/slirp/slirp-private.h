/* SPDX-License-Identifier: MIT
 * slirp-private.h - l3.slirp's instance, flows and the functions its files share
 *
 * Everything here runs on the device's context (one thread): receive, timers,
 * fd watches and the control methods. Nothing blocks: host sockets are
 * non-blocking and watched with pk_watch_fd().
 */
#ifndef PK_SLIRP_PRIVATE_H
#define PK_SLIRP_PRIVATE_H

#include <sys/socket.h>

#include <pktkit/pktkit.h>
#include <pktkit/toolkit/tcp.h>

#include "slirp-dns.h"
#include "slirp-forward.h"
#include "slirp-tcp.h"
#include "slirp-udp.h"

/* Configuration (the parameter schema is in slirp-type.c) ------------------ */

struct slirp_dns_server_rec {
	char *address;
	uint32_t port;
};

enum slirp_rule_proto {
	SLIRP_PROTO_ANY,
	SLIRP_PROTO_TCP,
	SLIRP_PROTO_UDP,
	SLIRP_PROTO_ICMP
};

struct slirp_rule_rec {
	struct pk_prefix prefix;
	uint32_t proto; /* enum slirp_rule_proto */
	char *ports;	/* "" or NULL: all; "80,443,8000-8100" */
};

enum slirp_fwd_proto {
	SLIRP_FWD_TCP,
	SLIRP_FWD_UDP
};

struct slirp_forward_rec {
	uint32_t proto; /* enum slirp_fwd_proto */
	char *host_address;
	uint32_t host_port;
	char *guest_address;
	uint32_t guest_port;
};

enum slirp_unreachable {
	SLIRP_UNREACH_ICMP,
	SLIRP_UNREACH_RST
};

struct slirp_config {
	struct pk_ip4 dns4;
	struct pk_ip6 dns6;
	struct pk_list dns_servers; /* struct slirp_dns_server_rec */
	struct pk_ip4 host_loopback4;
	struct pk_ip6 host_loopback6;
	struct pk_list allow;	 /* struct slirp_rule_rec */
	struct pk_list deny;	 /* struct slirp_rule_rec */
	struct pk_list forwards; /* struct slirp_forward_rec */
	uint32_t max_flows;
	uint32_t flow_buffer;
	int64_t tcp_connect_timeout;
	int64_t keepalive;
	int64_t udp_timeout;
	uint32_t unreachable; /* enum slirp_unreachable */
	uint32_t mtu;
	bool tso;
	bool icmp_echo;
};

/* Parameter indices, for reconfigure's @changed (PK_PARAM_BIT()). */
enum {
	SLIRP_P_DNS4,
	SLIRP_P_DNS6,
	SLIRP_P_DNS_SERVERS,
	SLIRP_P_HOST_LOOPBACK4,
	SLIRP_P_HOST_LOOPBACK6,
	SLIRP_P_ALLOW,
	SLIRP_P_DENY,
	SLIRP_P_FORWARDS,
	SLIRP_P_MAX_FLOWS,
	SLIRP_P_FLOW_BUFFER,
	SLIRP_P_TCP_CONNECT_TIMEOUT,
	SLIRP_P_KEEPALIVE,
	SLIRP_P_UDP_TIMEOUT,
	SLIRP_P_UNREACHABLE,
	SLIRP_P_MTU,
	SLIRP_P_TSO,
	SLIRP_P_ICMP_ECHO,
};

/* Counters: the device's own list, then one per area (their headers). ------- */

#define SLIRP_CORE_COUNTERS(_)                                                                \
	_(SLIRP_C_RX_PACKETS, "rx-packets", "IP packets received from the guests")            \
	_(SLIRP_C_TX_PACKETS, "tx-packets", "IP packets sent to the guests")                  \
	_(SLIRP_C_DROPPED_BAD_IP, "dropped-bad-ip", "Malformed IP or transport headers")      \
	_(SLIRP_C_DROPPED_CHECKSUM, "dropped-checksum", "Packets with a wrong checksum")      \
	_(SLIRP_C_DROPPED_FRAGMENT, "dropped-fragment", "IP fragments (not reassembled)")     \
	_(SLIRP_C_DROPPED_PROTO, "dropped-proto",                                             \
	  "Packets of a transport protocol the slirp does not carry")                         \
	_(SLIRP_C_DROPPED_NOT_UNICAST, "dropped-not-unicast",                                 \
	  "Packets to broadcast, multicast or unspecified addresses: never forwarded")        \
	_(SLIRP_C_DENIED, "denied", "New flows refused by the allow/deny lists")              \
	_(SLIRP_C_FLOW_LIMIT, "flow-limit", "New flows refused because max-flows were open")  \
	_(SLIRP_C_HOST_SOCKET_ERRORS, "host-socket-errors",                                   \
	  "New flows refused because the host gave no socket (EMFILE, ENFILE, ENOBUFS, ...)") \
	_(SLIRP_C_ICMP_ERRORS_SENT, "icmp-errors-sent", "ICMP errors sent to the guests")

#define SLIRP_COUNTERS(_)      \
	SLIRP_CORE_COUNTERS(_) \
	SLIRP_TCP_COUNTERS(_) SLIRP_UDP_COUNTERS(_) SLIRP_DNS_COUNTERS(_) SLIRP_FWD_COUNTERS(_)
PK_COUNTERS_ENUM(SLIRP_COUNTERS);

/* Status fields and tables (slirp-status.c). */
enum {
	SLIRP_S_FLOWS,
	SLIRP_S_DNS_SERVERS
};
enum {
	SLIRP_T_FLOWS,
	SLIRP_T_FORWARDS
};
enum {
	SLIRP_FC_PROTO,
	SLIRP_FC_GUEST,
	SLIRP_FC_GUEST_PORT,
	SLIRP_FC_REMOTE,
	SLIRP_FC_REMOTE_PORT,
	SLIRP_FC_STATE,
	SLIRP_FC_AGE,
	SLIRP_FC_IDLE,
	SLIRP_FC_GUEST_BYTES,
	SLIRP_FC_HOST_BYTES,
};
enum {
	SLIRP_WC_PROTO,
	SLIRP_WC_HOST,
	SLIRP_WC_HOST_PORT,
	SLIRP_WC_GUEST,
	SLIRP_WC_GUEST_PORT,
	SLIRP_WC_CONNECTIONS,
};

/* Flows ------------------------------------------------------------------- */

/* What identifies a flow, from the guest's side. Addresses in wire order,
 * IPv4 in the first 4 bytes (the rest zero); ports in host order. */
struct slirp_flow_key {
	uint8_t proto; /* PK_IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	uint8_t ipv6;
	uint16_t guest_port;  /* ICMP: the echo identifier */
	uint16_t remote_port; /* ICMP: 0 */
	uint8_t guest_addr[16];
	uint8_t remote_addr[16];
};

struct slirp_flow;

/**
 * struct slirp_flow_ops - What a kind of flow does for the common code
 * @state:	Short state name for the status table ("connecting", ...)
 * @close:	Free everything of the flow (sockets, watches, timers, engine
 *		connection) and the flow itself; the flow is already out of
 *		the table. Called by slirp_flow_remove() and at stop.
 */
struct slirp_flow_ops {
	const char *(*state)(const struct slirp_flow *f);
	void (*close)(struct slirp *s, struct slirp_flow *f);
};

/**
 * struct slirp_flow - The part every flow has; embed it first
 * @key:	Guest-side identity (the table's key)
 * @ops:	Kind
 * @created:	pk_dev_now() when it was made
 * @last_active: pk_dev_now() of the last byte either way
 * @guest_bytes: Payload bytes from the guest to the host
 * @host_bytes:	Payload bytes from the host to the guest
 * @inbound:	Made by a port forward (host to guest), not by the guest
 */
struct slirp_flow {
	struct slirp_flow_key key;
	const struct slirp_flow_ops *ops;
	uint64_t created;
	uint64_t last_active;
	uint64_t guest_bytes;
	uint64_t host_bytes;
	bool inbound;
};

/* A parsed, checked packet from a guest (slirp-input.c). */
struct slirp_pkt {
	struct pk_buf *b;
	bool ipv6;
	uint8_t proto;
	bool csum_trusted;  /* PK_CSUM_PARTIAL or _VERIFIED: do not verify L4 */
	const uint8_t *src; /* the guest */
	const uint8_t *dst; /* where it is going */
	const uint8_t *pkt; /* whole IP packet */
	uint32_t pkt_len;
	const uint8_t *l4;
	uint32_t l4_len;
};

/* A compiled allow/deny rule (slirp-policy.c). */
struct slirp_rule {
	struct pk_prefix prefix;
	uint32_t proto;
	uint32_t n_ranges; /* 0: every port */
	uint16_t lo[16], hi[16];
};

/* The instance ------------------------------------------------------------- */

struct slirp {
	struct pk_dev *dev;
	struct slirp_config cfg; /* lists inside point to the host's storage: use the copies */
	uint64_t *ctr;
	bool running;
	/* Flows by key; every flow also in @flow_list (oldest first). */
	GHashTable *flows;
	GQueue flow_list;
	struct pk_timer *reaper;
	/* Compiled allow/deny lists. */
	struct slirp_rule *allow, *deny;
	uint32_t n_allow, n_deny;
	/* Areas. */
	struct slirp_tcp *tcp;
	struct slirp_udp *udp;
	struct slirp_dns *dns;
	struct slirp_fwd *fwd;
};

/* slirp-flow.c */
void slirp_flows_init(struct slirp *s);
void slirp_flows_close_all(struct slirp *s);
/* Room for one more flow? Counts flow-limit when not. */
bool slirp_flow_admit(struct slirp *s);
/* Add @f (its key and ops filled in) to the table; sets created/last_active. */
void slirp_flow_add(struct slirp *s, struct slirp_flow *f);
struct slirp_flow *slirp_flow_lookup(struct slirp *s, const struct slirp_flow_key *k);
/* Take @f out of the table and call its close. */
void slirp_flow_remove(struct slirp *s, struct slirp_flow *f);
uint32_t slirp_flow_count(const struct slirp *s);
/* Fill @k from a packet (guest = source); ICMP echo passes its identifier. */
void slirp_flow_key_from_pkt(struct slirp_flow_key *k, const struct slirp_pkt *p,
			     uint16_t guest_port, uint16_t remote_port);
/* Counts host-socket-errors for an errno of socket(), refusing the flow. */
void slirp_count_socket_error(struct slirp *s, int err);

/* slirp-policy.c */
bool slirp_policy_compile(struct slirp *s, const struct slirp_config *cfg, GError **error);
void slirp_policy_free(struct slirp *s);
/* Whether a new flow to @dst (4 or 16 bytes), @proto (PK_IPPROTO_*), @port may
 * go out; counts "denied" when not. */
bool slirp_policy_allows(struct slirp *s, bool ipv6, const uint8_t *dst, uint8_t proto,
			 uint16_t port);
/* The host address a guest-visible destination maps to: host-loopback
 * addresses become 127.0.0.1 / ::1, anything else stays. */
void slirp_host_sockaddr(const struct slirp *s, bool ipv6, const uint8_t *dst, uint16_t port,
			 struct sockaddr_storage *sa, socklen_t *len);
/* Whether @dst is one of the slirp's own guest-visible addresses of @port's
 * service: the DNS address (dns4/dns6). */
bool slirp_is_dns_addr(const struct slirp *s, bool ipv6, const uint8_t *dst);
/* Whether @dst is host-loopback4 / host-loopback6 (when set). */
bool slirp_is_host_loopback(const struct slirp *s, bool ipv6, const uint8_t *dst);
/* Whether @dst may be a flow's destination at all: unicast, not the host's
 * loopback (reached only through the host-loopback addresses), not link-local. */
bool slirp_addr_forwardable(bool ipv6, const uint8_t *dst);

/* slirp-output.c */
/* A buffer with @l4_len bytes of transport header and payload at *@l4 and
 * room for the IP header in front; NULL (counted) without memory. */
struct pk_buf *slirp_alloc_l4(struct slirp *s, bool ipv6, uint32_t l4_len, uint8_t **l4);
/* Push the IP header (from @src to @dst) and send @b to the guests. Takes
 * @b. The transport checksum must be complete (or PK_CSUM_PARTIAL set). */
void slirp_send_l4(struct slirp *s, struct pk_buf *b, bool ipv6, uint8_t proto, const uint8_t *src,
		   const uint8_t *dst);
/* An ICMP error about the guest's packet @pkt (@len bytes), from @from. */
void slirp_send_icmp_error(struct slirp *s, bool ipv6, const uint8_t *pkt, uint32_t len,
			   uint8_t type, uint8_t code, uint32_t info, const uint8_t *from);
/* "Administratively prohibited" / "port unreachable" / "host unreachable"
 * for @p, as IPv4 or ICMPv6 codes say. */
void slirp_send_unreach(struct slirp *s, const struct slirp_pkt *p, bool admin, bool port);

/* slirp-input.c */
void slirp_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch);

/* slirp-status.c */
void slirp_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w);

#endif /* PK_SLIRP_PRIVATE_H */
