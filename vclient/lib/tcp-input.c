// SPDX-License-Identifier: MIT
/* tcp-input.c - Segments and ICMP errors for the vclient's TCP: demux to connections, listeners, RST */
#include <string.h>

#include "tcp-listen.h"

void vc_send_segment(struct pk_vclient *vc, const struct pk_tcp_endpoints *ep, const uint8_t *seg,
		     uint32_t len)
{
	uint8_t *l4;
	struct pk_buf *b = vc_alloc_l4(vc, ep->ipv6, len, &l4);

	if (!b)
		return;
	memcpy(l4, seg, len);
	vc_send_l4(vc, b, ep->ipv6, PK_IPPROTO_TCP, ep->local_addr, ep->remote_addr, len);
}

static void vc_reply_rst(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
			 const struct pk_tcp_view *v)
{
	struct pk_tcp_endpoints ep;
	uint8_t seg[PK_TCP_HLEN];
	uint32_t n;

	if (v->flags & PK_TCP_RST)
		return;
	pk_dev_count(vc->dev, VC_C_TCP_RST_CLOSED, 1);
	if (!vc->cfg.reject_closed || !vc_icmp_allowed(vc))
		return;
	memset(&ep, 0, sizeof(ep));
	ep.ipv6 = ipv6;
	memcpy(ep.local_addr, dst, ipv6 ? 16 : 4);
	memcpy(ep.remote_addr, src, ipv6 ? 16 : 4);
	ep.local_port = v->dport;
	ep.remote_port = v->sport;
	n = pk_tcp_reply_rst(v, v->payload_len, &ep, seg, sizeof(seg));
	if (n)
		vc_send_segment(vc, &ep, seg, n);
}

void vc_tcp_input(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *pkt, uint32_t pkt_len, const uint8_t *seg, uint32_t seg_len,
		  bool csum_trusted)
{
	struct pk_tcp_view v;
	struct vc_key k;
	struct vc_tcp_sock *s;
	struct vc_listen *l;
	uint64_t now = pk_dev_now(vc->dev);

	(void)pkt;
	(void)pkt_len;
	if (!pk_tcp_parse(seg, seg_len, &v)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
		return;
	}
	if (!csum_trusted && !pk_tcp_csum_ok(ipv6, src, dst, seg, seg_len)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_CHECKSUM, 1);
		return;
	}
	memset(&k, 0, sizeof(k));
	k.ipv6 = ipv6;
	k.lport = v.dport;
	k.rport = v.sport;
	memcpy(k.laddr, dst, ipv6 ? 16 : 4);
	memcpy(k.raddr, src, ipv6 ? 16 : 4);
	s = g_hash_table_lookup(vc->conns, &k);
	if (s) {
		pk_tcp_conn_input(s->conn, &v, now);
		vc_sock_mark_dirty(s);
		return;
	}
	l = vc_listen_find(vc, ipv6, dst, v.dport);
	if (!l) {
		vc_reply_rst(vc, ipv6, src, dst, &v);
		return;
	}
	if ((v.flags & (PK_TCP_SYN | PK_TCP_ACK | PK_TCP_RST)) == PK_TCP_SYN &&
	    g_hash_table_size(vc->conns) >= vc->cfg.tcp_max_connections) {
		pk_dev_count(vc->dev, VC_C_TCP_CONN_LIMIT, 1);
		return;
	}
	vc_listen_input(vc, l, src, dst, &v, now);
}

/* ICMP errors about our segments (RFC 5927 checks: the quoted sequence is in flight). */
void vc_tcp_icmp_error(struct pk_vclient *vc, bool ipv6, uint8_t type, uint8_t code, uint32_t mtu,
		       const uint8_t *inner, uint32_t inner_len)
{
	uint32_t ihl = ipv6 ? PK_IP6_HLEN : (uint32_t)(inner[0] & 0x0f) * 4;
	const uint8_t *th = inner + ihl;
	struct vc_key k;
	struct vc_tcp_sock *s;

	if (inner_len < ihl + 8)
		return;
	memset(&k, 0, sizeof(k));
	k.ipv6 = ipv6;
	k.lport = pk_get_be16(th);
	k.rport = pk_get_be16(th + 2);
	memcpy(k.laddr, ipv6 ? inner + 8 : inner + 12, ipv6 ? 16 : 4);
	memcpy(k.raddr, ipv6 ? inner + 24 : inner + 16, ipv6 ? 16 : 4);
	s = g_hash_table_lookup(vc->conns, &k);
	if (!s || !pk_tcp_conn_icmp_seq_ok(s->conn, pk_get_be32(th + 4)))
		return;	/* not a segment we could have in flight: forged or stale */
	if (mtu) {
		pk_tcp_conn_set_path_mtu(s->conn, mtu, pk_dev_now(vc->dev));
		vc_sock_mark_dirty(s);
		return;
	}
	/* A hard error refuses a connection attempt (RFC 1122 4.2.3.9 leaves
	 * established connections alone). */
	bool port_unreach = ipv6 ? (type == PK_ICMP6_DEST_UNREACH && code == 4)
				 : (type == PK_ICMP_DEST_UNREACH && (code == 2 || code == 3));
	if (port_unreach && pk_tcp_conn_state(s->conn) == PK_TCP_SYN_SENT) {
		vc_sock_set_error(s, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused (ICMP)");
		vc_sock_fail_connect(s);
		vc_sock_drop_conn(s);
		if (s->app_refs == 0)
			vc_sock_free(s);
	}
}
