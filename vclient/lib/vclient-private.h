/* SPDX-License-Identifier: MIT
 * vclient-private.h - Internal state of the l3.vclient device shared by its source files
 */
#ifndef PKTKIT_VCLIENT_PRIVATE_H
#define PKTKIT_VCLIENT_PRIVATE_H

#include <pktkit/device-runtime.h>
#include <pktkit/device-type.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/vclient.h>

#define VC_MAX_CFG_ADDRS 16u
/* Configured addresses plus those the link peer published (pk_link_info). */
#define VC_MAX_ADDRS (VC_MAX_CFG_ADDRS + PK_LINK_INFO_MAX_ADDRS)
#define VC_APP_QUEUE 1024u
/* Data segments one receive call may answer with; the rest leaves from the
 * flush timer (a burst must not overflow the queue of a busy peer). */
#define VC_INLINE_SEGS PK_BATCH_MAX

struct vc_addr_rec {
	struct pk_prefix prefix;
};

struct vc_config {
	struct pk_list addresses;
	uint32_t mtu;
	uint32_t ttl;
	uint32_t tcp_sndbuf;
	uint32_t tcp_rcvbuf;
	int64_t tcp_time_wait;
	uint32_t tcp_max_connections;
	uint32_t tcp_max_half_open;
	bool tcp_no_sack;
	bool tcp_no_timestamps;
	uint32_t tcp_cc;
	uint32_t udp_queue;
	bool icmp_echo;
	bool reject_closed;
	uint32_t icmp_error_rate;
	bool use_link_info;
	bool tso;
};

/* The device's counters, declared once: device.c makes the table from the list. */
#define VC_COUNTERS(_)                                                                         \
	_(VC_C_RX_PACKETS, "rx-packets", "IP packets received")                                \
	_(VC_C_TX_PACKETS, "tx-packets", "IP packets sent")                                    \
	_(VC_C_DROPPED_BAD_IP, "dropped-bad-ip", "Malformed IP or L4 headers")                 \
	_(VC_C_DROPPED_NOT_OURS, "dropped-not-ours", "Packets to an address that is not ours") \
	_(VC_C_DROPPED_CHECKSUM, "dropped-checksum", "IP, TCP, UDP or ICMP checksum errors")   \
	_(VC_C_DROPPED_FRAGMENT, "dropped-fragment", "IP fragments (not reassembled)")         \
	_(VC_C_DROPPED_PROTO, "dropped-proto", "Protocols other than TCP, UDP and ICMP")       \
	_(VC_C_ICMP_ECHO_REPLIES, "icmp-echo-replies", "Echo replies sent")                    \
	_(VC_C_ICMP_ERRORS_IN, "icmp-errors-in", "ICMP errors received about our packets")     \
	_(VC_C_TCP_RST_CLOSED, "tcp-rst-closed", "RSTs sent for segments to closed ports")     \
	_(VC_C_UDP_UNREACH_SENT, "udp-unreachable-sent",                                       \
	  "Port unreachables sent for closed UDP ports")                                       \
	_(VC_C_ICMP_RATE_LIMITED, "icmp-rate-limited", "ICMP errors and RSTs not sent (rate)") \
	_(VC_C_UDP_QUEUE_FULL, "udp-queue-full", "Datagrams dropped: socket queue full")       \
	_(VC_C_UDP_DATAGRAMS_IN, "udp-datagrams-in", "Datagrams queued on a socket")           \
	_(VC_C_UDP_DATAGRAMS_OUT, "udp-datagrams-out", "Datagrams sent")                       \
	_(VC_C_TCP_CONN_LIMIT, "tcp-conn-limit", "SYNs dropped at tcp-max-connections")        \
	_(VC_C_TCP_BACKLOG_FULL, "tcp-backlog-full",                                           \
	  "Established connections reset: accept backlog full")                                \
	_(VC_C_TCP_SEGS_IN, "tcp-segs-in", "TCP segments given to the engine")                 \
	_(VC_C_TCP_SEGS_OUT, "tcp-segs-out", "TCP segments produced by the engine")            \
	_(VC_C_TCP_RETRANSMITS, "tcp-retransmits", "TCP segments retransmitted")               \
	_(VC_C_TCP_TIMEOUTS, "tcp-timeouts", "TCP retransmission timeouts")                    \
	_(VC_C_TCP_DROPPED, "tcp-dropped", "TCP segments the engine dropped")                  \
	_(VC_C_TCP_CHALLENGE_ACKS, "tcp-challenge-acks", "RFC 5961 challenge ACKs sent")       \
	_(VC_C_TCP_SYNCOOKIES_SENT, "tcp-syncookies-sent", "SYN-ACKs carrying a SYN cookie")   \
	_(VC_C_TCP_SYNCOOKIES_OK, "tcp-syncookies-ok", "Connections completed from a cookie")  \
	_(VC_C_TCP_CONNECTIONS, "tcp-connections", "Gauge: connections in the engine now")
PK_COUNTERS_ENUM(VC_COUNTERS);
enum {
	VC_N_COUNTERS = PK_COUNTERS_COUNT(VC_COUNTERS)
};

struct vc_tcp_sock;
struct vc_listen;
struct vc_udp;

struct pk_vclient {
	struct pk_dev *dev;
	bool running;
	struct vc_config cfg;
	/* vc->addr4/addr6: the configured addresses, then the link's. */
	struct pk_prefix cfg_addrs[VC_MAX_CFG_ADDRS];
	uint32_t n_cfg_addrs;
	struct pk_link_info link;	/* what the peer of "ip" published; size 0: nothing */
	struct pk_ip4 addr4[VC_MAX_ADDRS];
	struct pk_ip6 addr6[VC_MAX_ADDRS];
	uint32_t n_addr4, n_addr6;

	struct pk_tcp_engine *engine;
	struct pk_tcp_config tcp_cfg;
	GHashTable *conns;	/* struct vc_key* (in the sock) -> struct vc_tcp_sock* */
	GHashTable *listeners;	/* struct vc_key* (raddr/rport zero) -> struct vc_listen* */
	GHashTable *udp;	/* struct vc_key* (raddr/rport zero) -> struct vc_udp* */
	GQueue dirty;		/* vc_tcp_sock with output or events to process */
	/* Flushes what application calls (outside the device's callbacks)
	 * queued or marked; inside receive the device flushes before it returns. */
	struct pk_timer *flush_timer;
	bool in_receive;	/* vc_schedule_flush() need not arm the timer */
	uint32_t inline_segs;	/* data segments receive may still send */
	struct pk_batch out;	/* filled and emitted inside the device's callbacks */
	/* Packets of application calls (UDP sends), which run outside the
	 * device's callbacks: they leave from the flush timer. */
	struct pk_buf *app_q[VC_APP_QUEUE];
	uint32_t app_head, app_len;
	uint16_t ip_id;

	/* ICMP error token bucket (per second). */
	uint64_t icmp_tokens_at;
	uint32_t icmp_tokens;
};

/* device.c */
struct pk_vclient *vc_from_dev(struct pk_dev *dev);
bool vc_is_local(const struct pk_vclient *vc, bool ipv6, const uint8_t *addr);
bool vc_pick_source(const struct pk_vclient *vc, bool ipv6, const uint8_t *dst, uint8_t *src);
void vc_schedule_flush(struct pk_vclient *vc);
bool vc_icmp_allowed(struct pk_vclient *vc);
bool vc_addr_is_any(bool ipv6, const uint8_t *addr);

/* ip-out.c: build IP packets around L4 payloads. vc_send_l4() adds to
 * vc->out and may emit: only inside the device's callbacks. vc_queue_l4()
 * is for application calls: false (and @b freed) when its queue is full. */
struct pk_buf *vc_alloc_l4(struct pk_vclient *vc, bool ipv6, uint32_t l4_cap, uint8_t **l4);
void vc_send_l4(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
		const uint8_t *src, const uint8_t *dst, uint32_t l4_len);
void vc_flush_out(struct pk_vclient *vc);
bool vc_queue_l4(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
		 const uint8_t *src, const uint8_t *dst, uint32_t l4_len);
void vc_flush_app_queue(struct pk_vclient *vc);
void vc_drop_app_queue(struct pk_vclient *vc);
bool vc_send_icmp_error(struct pk_vclient *vc, bool ipv6, const uint8_t *pkt, uint32_t pkt_len,
			uint8_t type, uint8_t code, uint32_t info);
uint32_t vc_ip_hlen(bool ipv6);

/* tcp-sock.c */
void vc_tcp_init(struct pk_vclient *vc);
void vc_tcp_shutdown(struct pk_vclient *vc);
void vc_tcp_flush(struct pk_vclient *vc);

/* tcp-input.c */
void vc_tcp_input(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *pkt, uint32_t pkt_len, const uint8_t *seg, uint32_t seg_len,
		  bool csum_trusted);
void vc_tcp_icmp_error(struct pk_vclient *vc, bool ipv6, uint8_t type, uint8_t code,
		       uint32_t mtu, const uint8_t *inner, uint32_t inner_len);

/* udp-sock.c */
void vc_udp_init(struct pk_vclient *vc);
void vc_udp_shutdown(struct pk_vclient *vc);
void vc_udp_input(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
		  struct pk_buf *b, const uint8_t *pkt, uint32_t pkt_len, const uint8_t *l4,
		  uint32_t l4_len);
void vc_udp_icmp_error(struct pk_vclient *vc, bool ipv6, const uint8_t *inner,
		       uint32_t inner_len);

#endif /* PKTKIT_VCLIENT_PRIVATE_H */
