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

#define SLIRP_UDP_COUNTERS(_)                                 \
	_(SLIRP_C_UDP_FLOWS, "udp-flows", "UDP flows opened") \
	_(SLIRP_C_ICMP_ECHO_DROPPED, "icmp-echo-dropped",     \
	  "ICMP echo requests not forwarded (icmp-echo off, or no ICMP socket)")

struct slirp_udp *slirp_udp_new(struct slirp *s);
void slirp_udp_free(struct slirp_udp *u);
/* A UDP datagram from a guest (not to the DNS address's port 53). */
void slirp_udp_input(struct slirp *s, const struct slirp_pkt *p);
/* An ICMP or ICMPv6 message from a guest. */
void slirp_icmp_input(struct slirp *s, const struct slirp_pkt *p);
/* A datagram a UDP port forward received on @listen_fd (which stays the
 * forward's) from @client: to the guest @guest:@guest_port, from
 * @from:@from_port (the address the guest sees; its replies to it go back
 * to @client through @listen_fd). */
void slirp_udp_forward_input(struct slirp *s, int listen_fd, const struct sockaddr_storage *client,
			     socklen_t client_len, bool ipv6, const uint8_t *guest,
			     uint16_t guest_port, const uint8_t *from, uint16_t from_port,
			     const uint8_t *data, uint32_t len);
/* The forward's socket @listen_fd is closing: end the flows that use it. */
void slirp_udp_forward_closed(struct slirp *s, int listen_fd);

#endif /* PK_SLIRP_UDP_H */
