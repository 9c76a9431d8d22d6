/* SPDX-License-Identifier: MIT
 * slirp-udp.c - UDP flows and ICMP echo of l3.slirp (for now: port unreachable, echo dropped)
 */
#include "slirp-private.h"

struct slirp_udp {
	int unused;
};

struct slirp_udp *slirp_udp_new(struct slirp *s)
{
	return g_new0(struct slirp_udp, 1);
}

void slirp_udp_free(struct slirp_udp *u)
{
	g_free(u);
}

void slirp_udp_input(struct slirp *s, const struct slirp_pkt *p)
{
	slirp_send_unreach(s, p, false, true);
}

void slirp_udp_forward_input(struct slirp *s, int listen_fd, const struct sockaddr_storage *client,
			     socklen_t client_len, bool ipv6, const uint8_t *guest,
			     uint16_t guest_port, const uint8_t *from, uint16_t from_port,
			     const uint8_t *data, uint32_t len)
{
}

void slirp_udp_forward_closed(struct slirp *s, int listen_fd)
{
}

void slirp_icmp_input(struct slirp *s, const struct slirp_pkt *p)
{
	s->ctr[SLIRP_C_ICMP_ECHO_DROPPED]++;
}
