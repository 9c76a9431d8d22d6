/* SPDX-License-Identifier: MIT
 * slirp-tcp.c - TCP flows of l3.slirp (for now: every segment is answered as a closed port)
 */
#include <string.h>
#include <unistd.h>

#include "slirp-private.h"

struct slirp_tcp {
	int unused;
};

struct slirp_tcp *slirp_tcp_new(struct slirp *s)
{
	return g_new0(struct slirp_tcp, 1);
}

void slirp_tcp_free(struct slirp_tcp *t)
{
	g_free(t);
}

bool slirp_tcp_open_inbound(struct slirp *s, int fd, bool ipv6, const uint8_t *guest,
			    uint16_t guest_port, const uint8_t *from, uint16_t from_port)
{
	close(fd);
	return false;
}

void slirp_tcp_input(struct slirp *s, const struct slirp_pkt *p)
{
	struct pk_tcp_view seg;
	struct pk_tcp_endpoints ep = { .ipv6 = p->ipv6 };
	uint8_t *l4;
	struct pk_buf *b;
	uint32_t n;

	if (!pk_tcp_parse(p->l4, p->l4_len, &seg)) {
		s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
		return;
	}
	memcpy(ep.local_addr, p->dst, p->ipv6 ? 16 : 4);
	memcpy(ep.remote_addr, p->src, p->ipv6 ? 16 : 4);
	b = slirp_alloc_l4(s, p->ipv6, PK_TCP_HLEN, &l4);
	if (!b)
		return;
	n = pk_tcp_reply_rst(&seg, p->l4_len - seg.hdr_len, &ep, l4, PK_TCP_HLEN);
	if (!n) {
		pk_buf_unref(b);
		return;
	}
	s->ctr[SLIRP_C_TCP_RST_SENT]++;
	slirp_send_l4(s, b, p->ipv6, PK_IPPROTO_TCP, p->dst, p->src);
}
