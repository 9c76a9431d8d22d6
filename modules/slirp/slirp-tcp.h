/* SPDX-License-Identifier: MIT
 * slirp-tcp.h - TCP flows of l3.slirp: guest connections carried over host sockets
 */
#ifndef PK_SLIRP_TCP_H
#define PK_SLIRP_TCP_H

#include <stdbool.h>
#include <stdint.h>

struct slirp;
struct slirp_pkt;
struct slirp_tcp;

#define SLIRP_TCP_COUNTERS(_)                                                            \
	_(SLIRP_C_TCP_FLOWS, "tcp-flows", "TCP flows opened")                            \
	_(SLIRP_C_TCP_RST_SENT, "tcp-rst-sent",                                          \
	  "RSTs sent to guests for segments of no flow and refused connections")         \
	_(SLIRP_C_TCP_REFUSED, "tcp-refused",                                            \
	  "Guest connections the host refused (ECONNREFUSED): answered with RST")        \
	_(SLIRP_C_TCP_UNREACHABLE, "tcp-unreachable",                                    \
	  "Guest connections whose host connect() found no route (network or host "      \
	  "unreachable)")                                                                \
	_(SLIRP_C_TCP_CONNECT_TIMEOUTS, "tcp-connect-timeouts",                          \
	  "Guest connections whose host connect() took longer than tcp-connect-timeout") \
	_(SLIRP_C_TCP_RESETS_FROM_HOST, "tcp-resets-from-host",                          \
	  "Flows the host side reset or failed (RST passed on to the guest)")            \
	_(SLIRP_C_TCP_RESETS_FROM_GUEST, "tcp-resets-from-guest",                        \
	  "Flows the guest reset or timed out (host socket closed with RST)")            \
	_(SLIRP_C_TCP_RETRANSMITS, "tcp-retransmits",                                    \
	  "Segments retransmitted to guests (the TCP engine's count)")

/* The TCP state of an instance (engine, demux); NULL only without memory. */
struct slirp_tcp *slirp_tcp_new(struct slirp *s);
void slirp_tcp_free(struct slirp_tcp *t);
/* A TCP segment from a guest. */
void slirp_tcp_input(struct slirp *s, const struct slirp_pkt *p);
/* A host connection a port forward accepted (@fd: non-blocking, owned by the
 * slirp from now on, closed on failure) to carry to the guest @guest:@guest_port
 * (4 or 16 bytes per @ipv6): an active open from @from:@from_port, the address
 * the guest sees the connection come from. False if refused (max-flows). */
bool slirp_tcp_open_inbound(struct slirp *s, int fd, bool ipv6, const uint8_t *guest,
			    uint16_t guest_port, const uint8_t *from, uint16_t from_port);

#endif /* PK_SLIRP_TCP_H */
