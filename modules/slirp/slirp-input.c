/* SPDX-License-Identifier: MIT
 * slirp-input.c - Packets from the guests: checked, then handed to TCP, UDP, ICMP or DNS
 */
#include "slirp-private.h"

static void slirp_l4_input(struct slirp *s, struct slirp_pkt *p)
{
	switch (p->proto) {
	case PK_IPPROTO_TCP:
		slirp_tcp_input(s, p);
		return;
	case PK_IPPROTO_UDP:
		if (p->l4_len >= PK_UDP_HLEN && pk_get_be16(p->l4 + 2) == 53 &&
		    slirp_is_dns_addr(s, p->ipv6, p->dst))
			slirp_dns_udp_input(s, p);
		else
			slirp_udp_input(s, p);
		return;
	case PK_IPPROTO_ICMP:
	case PK_IPPROTO_ICMPV6:
		if ((p->proto == PK_IPPROTO_ICMPV6) == p->ipv6) {
			slirp_icmp_input(s, p);
			return;
		}
		break;
	default:
		break;
	}
	s->ctr[SLIRP_C_DROPPED_PROTO]++;
	slirp_send_icmp_error(
		s, p->ipv6, p->pkt, p->pkt_len,
		p->ipv6 ? PK_ICMP6_PARAM_PROBLEM : PK_ICMP_DEST_UNREACH, p->ipv6 ? 1 : 2,
		p->ipv6 ? pk_ip6_last_nh_off(p->pkt, (uint32_t)(p->l4 - p->pkt)) : 0, p->dst);
}

static void slirp_packet_input(struct slirp *s, struct pk_buf *b)
{
	const uint8_t *d = pk_buf_data(b);
	uint32_t len = pk_buf_len(b);
	struct slirp_pkt p = { .b = b, .pkt = d, .csum_trusted = b->csum != PK_CSUM_NONE };

	switch (pk_ip_version(d, len)) {
	case 4: {
		struct pk_ip4_view v;

		if (!pk_ip4_parse(d, len, &v)) {
			s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
			return;
		}
		if (!pk_ip4_csum_ok(&v)) {
			s->ctr[SLIRP_C_DROPPED_CHECKSUM]++;
			return;
		}
		if (pk_ip4_is_fragment(&v)) {
			s->ctr[SLIRP_C_DROPPED_FRAGMENT]++;
			return;
		}
		p.ipv6 = false;
		p.proto = v.proto;
		p.src = v.src;
		p.dst = v.dst;
		p.pkt_len = v.total_len;
		p.l4 = v.payload;
		p.l4_len = v.payload_len;
		break;
	}
	case 6: {
		struct pk_ip6_view v;

		if (!pk_ip6_parse(d, len, &v)) {
			s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
			return;
		}
		if (v.frag) {
			s->ctr[SLIRP_C_DROPPED_FRAGMENT]++;
			return;
		}
		p.ipv6 = true;
		p.proto = v.proto;
		p.src = v.src;
		p.dst = v.dst;
		p.pkt_len = PK_IP6_HLEN + v.payload_len;
		p.l4 = v.l4;
		p.l4_len = v.l4_len;
		break;
	}
	default:
		s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
		return;
	}
	/* Only a guest's unicast to a unicast address is carried (or to our
	 * DNS address); everything else would not be a flow of one guest. */
	if (!slirp_addr_forwardable(p.ipv6, p.src) ||
	    (!slirp_addr_forwardable(p.ipv6, p.dst) && !slirp_is_dns_addr(s, p.ipv6, p.dst) &&
	     !slirp_is_host_loopback(s, p.ipv6, p.dst))) {
		s->ctr[SLIRP_C_DROPPED_NOT_UNICAST]++;
		return;
	}
	slirp_l4_input(s, &p);
}

void slirp_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch)
{
	struct slirp *s = self;

	(void)port;
	s->ctr[SLIRP_C_RX_PACKETS] += batch->n;
	if (!s->running)
		return;
	for (uint32_t i = 0; i < batch->n; i++)
		slirp_packet_input(s, batch->buf[i]);
}
