/* SPDX-License-Identifier: MIT
 * rst.c - Stateless RST answering a segment that reached no connection (RFC 9293 3.10.7.1)
 */
#include <pktkit/toolkit/tcp.h>

#include "tcp-private.h"

uint32_t pk_tcp_reply_rst(const struct pk_tcp_view *seg, uint32_t seg_payload_len,
			  const struct pk_tcp_endpoints *ep, uint8_t *buf, uint32_t cap)
{
	uint32_t seq, ack, n;
	uint8_t flags;

	/* never answer a RST (RFC 9293 3.10.7.1: "an incoming segment
	 * containing a RST is discarded") */
	if (!seg || !ep || !buf || cap < PK_TCP_HLEN || (seg->flags & PK_TCP_RST))
		return 0;
	if (seg->flags & PK_TCP_ACK) {
		/* <SEQ=SEG.ACK><CTL=RST> */
		seq = seg->ack;
		ack = 0;
		flags = PK_TCP_RST;
	} else {
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; SYN and FIN count */
		seq = 0;
		ack = seg->seq + seg_payload_len + ((seg->flags & PK_TCP_SYN) ? 1u : 0u) +
		      ((seg->flags & PK_TCP_FIN) ? 1u : 0u);
		flags = PK_TCP_RST | PK_TCP_ACK;
	}
	/* the reply travels back: our ports are the segment's destination */
	n = pk_tcp_write_header(buf, seg->dport, seg->sport, seq, ack, flags, 0, 0);
	pk_tcp_csum_set(ep, buf, n);
	return n;
}
