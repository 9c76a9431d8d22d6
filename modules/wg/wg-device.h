/* SPDX-License-Identifier: MIT
 * wg-device.h - The l3.wg device: what its files share (config, instance, counters)
 *
 * The device is a thin shell around struct wg_iface (wg-iface.h): a UDP
 * socket with batches and offloads (wg-device-socket.c), the parameters and cryptokey routing
 * (wg-device-config.c), the packets to and from the L3 ports
 * (wg-device-io.c), and what the status shows (wg-device-status.c).
 */
#ifndef PK_WG_DEVICE_H
#define PK_WG_DEVICE_H

#include <sys/socket.h>
#include <pktkit/pktkit.h>
#include <pktkit/toolkit/gro.h>
#include <pktkit/toolkit/lpm.h>

#include "wg-iface.h"

/* One entry of 'peers'. */
struct wg_peer_rec {
	struct pk_key32 public_key;
	struct pk_key32 preshared_key;
	char *preshared_key_file;
	char *endpoint;
	char *allowed_ips;
	uint32_t persistent_keepalive;
};

struct wg_config {
	struct pk_key32 private_key;
	char *private_key_file;
	uint32_t listen_port;
	char *bind_address;
	uint32_t fwmark;
	uint32_t mtu;
	bool isolate_peers;
	struct pk_list peers;
	uint32_t load_threshold;
	uint32_t test_timer_divisor;
	char *peer_template;
	bool udp_offload;
};

enum wg_param_index {
	WG_P_PRIVATE_KEY,
	WG_P_PRIVATE_KEY_FILE,
	WG_P_LISTEN_PORT,
	WG_P_BIND_ADDRESS,
	WG_P_FWMARK,
	WG_P_MTU,
	WG_P_ISOLATE_PEERS,
	WG_P_PEERS,
	WG_P_LOAD_THRESHOLD,
	WG_P_TEST_TIMER_DIVISOR,
	WG_P_PEER_TEMPLATE,
	WG_P_UDP_OFFLOAD,
};

/* Peers of one device, at most (also the ports of the group "peer"). */
#define WG_MAX_PEERS 65535u
/* Datagrams per recvmmsg()/sendmmsg(). */
#define WG_IO_BATCH 64u
/* recvmmsg() calls per wake-up before other sources get their turn. */
#define WG_READS_PER_WAKEUP 8u
/* Largest datagram read: a 64 KiB inner packet, header and tag; also what
 * UDP GRO hands over at most (many datagrams of one sender, back to back). */
#define WG_RX_BUF_LEN 65535u
/* UDP GSO: most datagrams in one send (older kernels' UDP_MAX_SEGMENTS) and
 * most bytes (below IPv4's largest UDP payload, 65507). */
#define WG_GSO_MAX_SEGS 64u
#define WG_GSO_MAX_BYTES 65000u

/* The device's own counters, after the interface's drops (wg-iface.h). */
#define WG_DEV_COUNTERS(_)                                                                      \
	_(WG_C_RX_PACKETS, "rx-packets", "Inner packets decrypted and passed on")               \
	_(WG_C_TX_PACKETS, "tx-packets", "Inner packets encrypted and sent")                    \
	_(WG_C_KEEPALIVES_RECEIVED, "keepalives-received", "Authenticated empty messages")      \
	_(WG_C_HANDSHAKES, "handshakes", "Sessions established (as initiator or responder)")    \
	_(WG_C_DROPPED_SOURCE, "dropped-source-not-allowed",                                    \
	  "Decrypted packets whose inner source is not in the sending peer's allowed-ips")      \
	_(WG_C_DROPPED_INNER, "dropped-inner-malformed",                                        \
	  "Decrypted packets that are not a whole IPv4 or IPv6 packet")                         \
	_(WG_C_DROPPED_NO_PEER, "dropped-no-peer",                                              \
	  "Packets to send whose destination is in no peer's allowed-ips")                      \
	_(WG_C_DROPPED_NO_ENDPOINT, "dropped-no-endpoint",                                      \
	  "Packets for a peer whose address is not known yet (no endpoint, never heard from)")  \
	_(WG_C_DROPPED_TOO_BIG, "dropped-too-big", "Packets to send larger than mtu")           \
	_(WG_C_DROPPED_STAGED_FULL, "dropped-staged-full",                                      \
	  "Packets dropped because 128 already wait for the peer's handshake")                  \
	_(WG_C_DROPPED_HANDSHAKE_FAILED, "dropped-handshake-failed",                            \
	  "Waiting packets dropped when the peer's handshake gave up (90 s without an answer)") \
	_(WG_C_IO_ERRORS, "io-errors", "Socket errors other than a full send buffer")           \
	_(WG_C_GSO_SENDS, "udp-gso-sends",                                                      \
	  "Messages that carried several datagrams in one send (UDP GSO)")                      \
	_(WG_C_GRO_RECEIVES, "udp-gro-receives",                                                \
	  "Messages received that the kernel had coalesced from several datagrams (UDP GRO)")   \
	_(WG_C_GSO_FALLBACKS, "udp-gso-fallbacks",                                              \
	  "Times the kernel refused a GSO send and the device went on without UDP GSO")         \
	_(WG_C_RX_SUPER_PACKETS, "rx-super-packets",                                            \
	  "TCP super-packets built from decrypted segments for a port that takes them whole "   \
	  "(an io.tun with offload)")                                                           \
	_(WG_C_ICMP_ERRORS_SENT, "icmp-errors-sent",                                            \
	  "ICMP errors sent back on a port: no peer for the destination (unreachable), or "     \
	  "larger than mtu and not to be fragmented (at most 200 a second)")

PK_COUNTERS_ENUM_FROM(WG_DROP_COUNT, WG_DEV_COUNTERS);

/**
 * struct wg_dpeer - A configured peer, as the device keeps it
 * @public_key:		Its public key
 * @psk:		Its preshared key while a configuration is applied (then wiped:
 *			the interface keeps it)
 * @keepalive:		Its persistent-keepalive
 * @p:			The interface's peer
 * @slot:		Index in wg_dev.peers, for life: the port PK_PORT(1, @slot)
 *			with isolate-peers, and the value of its routes
 * @instance:		Its instance of peer-template (0: none)
 * @endpoint:		Where its datagrams go (roaming moves it); @endpoint_len 0: unknown
 * @configured_endpoint: The endpoint parameter as last applied ("" none)
 * @allowed:		Its allowed-ips, parsed
 * @own:		With isolate-peers: a table of its allowed-ips only
 * @staged:		Packets waiting for a session (references), a ring
 * @last_handshake:	pk_dev_now() of the last session established (0: never)
 */
struct wg_dpeer {
	uint8_t public_key[WG_KEY_LEN];
	uint8_t psk[WG_KEY_LEN];
	uint16_t keepalive;
	struct wg_peer *p;
	uint32_t slot;
	uint32_t instance;
	struct sockaddr_storage endpoint;
	socklen_t endpoint_len;
	char *configured_endpoint;
	GArray *allowed; /* struct pk_prefix */
	struct pk_lpm *own;
	struct pk_buf *staged[WG_MAX_STAGED];
	uint32_t staged_head, staged_n;
	uint64_t last_handshake;
};

/* A datagram queued for sendmmsg(). */
struct wg_txq_ent {
	struct pk_buf *b; /* a reference */
	struct sockaddr_storage to;
	socklen_t to_len;
};

/* Room for one control message of @type per mmsghdr, aligned for cmsghdr. */
union wg_cmsg_u16 {
	char buf[CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};
union wg_cmsg_int {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

struct wg_dev {
	struct pk_dev *dev;
	struct wg_iface *iface;
	struct wg_timing timing;
	/* Settings. */
	uint8_t private_key[WG_KEY_LEN];
	uint16_t listen_port;
	char *bind_address;
	uint32_t fwmark;
	uint32_t mtu;
	bool isolate;
	char *peer_template;
	bool udp_offload;
	/* Peers by slot (NULL: free) and the routing table of all of them. */
	GPtrArray *peers;
	uint32_t n_peers;
	struct pk_lpm *routes;
	/* Slots whose port still waits for its removed instance to go. */
	uint64_t slot_busy[(WG_MAX_PEERS + 63) / 64];
	/* While running. */
	int fd;
	int family; /* AF_INET6 (dual-stack) or AF_INET */
	uint16_t bound_port;
	struct pk_watch *watch;
	struct pk_timer *timer;
	bool in_tick;
	/* TCP receive coalescing for ports that take super-packets (pk_gro),
	 * while running. */
	struct pk_gro *gro_tcp;
	/* Rate of ICMP errors sent (wg-device-io.c). */
	uint64_t icmp_credit_ns, icmp_last_ns;
	/* The kernel offloads in use: UDP_SEGMENT on send, UDP_GRO on receive. */
	bool gso, gro;
	/* Send: datagrams queued; per message its first entry and count (one
	 * message carries a run of datagrams with GSO). */
	struct wg_txq_ent txq[WG_IO_BATCH];
	uint32_t txq_n;
	struct iovec tx_iov[WG_IO_BATCH];
	struct mmsghdr tx_msg[WG_IO_BATCH];
	union wg_cmsg_u16 tx_ctl[WG_IO_BATCH];
	uint16_t tx_first[WG_IO_BATCH], tx_count[WG_IO_BATCH];
	/* Receive (apart from the send side's arrays: a datagram handled may
	 * send, and flush, before the rest of its batch is handled). */
	struct pk_buf *rxb[WG_IO_BATCH];
	struct sockaddr_storage from[WG_IO_BATCH];
	struct iovec rx_iov[WG_IO_BATCH];
	struct mmsghdr rx_msg[WG_IO_BATCH];
	union wg_cmsg_int rx_ctl[WG_IO_BATCH];
};

/* wg-device-config.c */
int wg_dev_init(struct pk_dev *dev, void *self, const void *config, GError **error);
int wg_dev_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
		       GError **error);
void wg_dev_finalize(struct pk_dev *dev, void *self);
/* Drop what @dp has staged; @counter is charged per packet (or none: -1). */
void wg_dpeer_drop_staged(struct wg_dev *d, struct wg_dpeer *dp, int counter);

/* The peer at @slot, or NULL. */
static inline struct wg_dpeer *wg_dev_peer_at(const struct wg_dev *d, uint32_t slot)
{
	return slot < d->peers->len ? d->peers->pdata[slot] : NULL;
}
/* With peer-template: give @dp its segment (the device runs). */
void wg_dpeer_instantiate(struct wg_dev *d, struct wg_dpeer *dp);
void wg_dev_unlink(struct pk_dev *dev, void *self, uint32_t port);

/* wg-device-io.c */
int wg_dev_start(struct pk_dev *dev, void *self, GError **error);
void wg_dev_stop(struct pk_dev *dev, void *self);
void wg_dev_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch);
extern const struct wg_iface_ops wg_dev_iface_ops;
/* The timer of the interface's deadlines fired. */
void wg_dev_timer_fired(struct pk_dev *dev, void *self, void *data);
/* Arm the timer for the interface's next deadline. */
void wg_dev_rearm(struct wg_dev *d);
/* What a read gathers for the ports: the inner packets for one port at a
 * time, TCP segments coalesced into super-packets (d->gro) when that port
 * takes them whole (an io.tun with offload). */
struct wg_rx_out {
	struct pk_batch batch;
	uint32_t port;
	bool coalesce;
};
/* Start gathering (no port yet). */
void wg_rx_out_begin(struct wg_rx_out *o);
/* Pass a datagram read from @from to the interface; its inner packet, if
 * any, joins @o (emitted first if it was gathered for another port). */
void wg_dev_handle_datagram(struct wg_dev *d, struct pk_buf *b, const struct sockaddr_storage *from,
			    socklen_t from_len, uint64_t now, struct wg_rx_out *o);
/* Emit what @o gathered (coalesced flows included) and empty it. */
void wg_dev_deliver(struct wg_dev *d, struct wg_rx_out *o);

/* wg-device-socket.c */
/* Open, bind and watch the UDP socket (d->fd), turning on the offloads
 * the kernel has when udp-offload is set. */
int wg_dev_socket_open(struct wg_dev *d, GError **error);
/* Stop watching, drop the receive buffers, close the socket. */
void wg_dev_socket_close(struct wg_dev *d);
/* Queue @len bytes at @data for @to: copied when @b is NULL, else @b
 * (the whole buffer) is sent and a reference taken. */
void wg_dev_txq_add(struct wg_dev *d, struct pk_buf *b, const uint8_t *data, size_t len,
		    const struct sockaddr_storage *to, socklen_t to_len);
/* Hand queued datagrams to the kernel. */
void wg_dev_flush(struct wg_dev *d);

/* wg-device-status.c */
void wg_dev_status(struct pk_dev *dev, void *self, struct pk_status_writer *w);
/* Text of @ss ("192.0.2.1:51820", "[2001:db8::1]:51820"; v4-mapped as IPv4). */
void wg_sockaddr_format(const struct sockaddr_storage *ss, char *out, size_t size);

enum wg_status_field {
	WG_S_PUBLIC_KEY,
	WG_S_LISTEN_PORT,
	WG_S_PEERS,
	WG_S_UDP_GSO,
	WG_S_UDP_GRO,
};

enum wg_status_table {
	WG_T_PEERS,
};

enum wg_peer_column {
	WG_PC_PUBLIC_KEY,
	WG_PC_ENDPOINT,
	WG_PC_ALLOWED_IPS,
	WG_PC_LATEST_HANDSHAKE,
	WG_PC_RX_BYTES,
	WG_PC_TX_BYTES,
	WG_PC_PERSISTENT_KEEPALIVE,
	WG_PC_PORT,
};

extern const struct pk_device_type l3_wg_type;

#endif /* PK_WG_DEVICE_H */
