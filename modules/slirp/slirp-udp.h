/* SPDX-License-Identifier: MIT
 * slirp-udp.h - UDP flows and ICMP echo of l3.slirp over host sockets
 */
#ifndef PK_SLIRP_UDP_H
#define PK_SLIRP_UDP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct slirp;
struct slirp_pkt;
struct slirp_udp;

#define SLIRP_UDP_COUNTERS(_)                                                                \
	_(SLIRP_C_UDP_FLOWS, "udp-flows", "UDP flows opened")                                \
	_(SLIRP_C_UDP_TIMEOUTS, "udp-timeouts",                                              \
	  "UDP and ICMP echo flows closed after 'udp-timeout' idle")                         \
	_(SLIRP_C_UDP_DATAGRAMS_IN, "udp-datagrams-in",                                      \
	  "UDP datagrams from the guests sent on host sockets")                              \
	_(SLIRP_C_UDP_DATAGRAMS_OUT, "udp-datagrams-out",                                    \
	  "UDP datagrams from host sockets sent to the guests")                              \
	_(SLIRP_C_UDP_SEND_ERRORS, "udp-send-errors",                                        \
	  "Guest datagrams or echo requests the host's send() refused (not for a full "      \
	  "socket buffer: that is dropped-queue-full)")                                      \
	_(SLIRP_C_UDP_TOO_BIG, "udp-dropped-too-big",                                        \
	  "Datagrams or echo replies from the host larger than 'mtu' allows (not "           \
	  "fragmented)")                                                                     \
	_(SLIRP_C_ICMP_ECHO_FLOWS, "icmp-echo-flows", "ICMP echo flows opened")              \
	_(SLIRP_C_ICMP_ECHO_REQUESTS, "icmp-echo-requests",                                  \
	  "Echo requests from the guests sent to the host")                                  \
	_(SLIRP_C_ICMP_ECHO_REPLIES, "icmp-echo-replies", "Echo replies sent to the guests") \
	_(SLIRP_C_ICMP_ECHO_DROPPED, "icmp-echo-dropped",                                    \
	  "ICMP echo requests not forwarded (icmp-echo off, or no ICMP socket)")             \
	_(SLIRP_C_ICMP_ERRORS_FROM_HOST, "icmp-errors-from-host",                            \
	  "Errors the host reported about a flow's datagrams (unreachable, too big, ...), "  \
	  "those with an ICMP equivalent reach the guest (icmp-errors-sent)")                \
	_(SLIRP_C_ICMP_DROPPED, "icmp-dropped",                                              \
	  "ICMP messages from the guests other than echo requests (not forwarded)")

/* Made in init, freed in finalize after every flow closed; @s must outlive
 * it. Context: the device's. */
struct slirp_udp *slirp_udp_new(struct slirp *s);
void slirp_udp_free(struct slirp_udp *u);
/* A UDP datagram from a guest (not to the DNS address's port 53). */
void slirp_udp_input(struct slirp *s, const struct slirp_pkt *p);
/* An ICMP or ICMPv6 message from a guest. */
void slirp_icmp_input(struct slirp *s, const struct slirp_pkt *p);
/* A datagram a UDP port forward received on @listen_fd (which stays the
 * forward's) from @client: to the guest @guest:@guest_port, from
 * @from:@from_port (the address the guest sees; its replies to it go back
 * to @client through @listen_fd). @data is borrowed for the call. The flow
 * it makes (or finds) closes after 'udp-timeout' idle or with the forward. */
void slirp_udp_forward_input(struct slirp *s, int listen_fd, const struct sockaddr_storage *client,
			     socklen_t client_len, bool ipv6, const uint8_t *guest,
			     uint16_t guest_port, const uint8_t *from, uint16_t from_port,
			     const uint8_t *data, uint32_t len);
/* The forward's socket @listen_fd is closing: end the flows that use it. */
void slirp_udp_forward_closed(struct slirp *s, int listen_fd);

#endif /* PK_SLIRP_UDP_H */
