/* SPDX-License-Identifier: MIT
 * host-reply.h - Answers a service owes as an IPv4 host: ARP for its address, ICMP echo (sans-I/O)
 */
#ifndef DHCP_HOST_REPLY_H
#define DHCP_HOST_REPLY_H

#include <pktkit/pktkit.h>

enum host_reply_kind {
	HOST_REPLY_NONE,
	HOST_REPLY_ARP,
	HOST_REPLY_ECHO,
	HOST_REPLY_DROPPED,	/* meant for us but malformed */
};

/**
 * host_reply() - Answer an ARP request for @ip or an ICMP echo request to @ip at @mac
 * @frame:	Received Ethernet frame
 * @len:	Its length
 * @mac:	Our MAC
 * @ip:		Our address
 * @out:	Where the reply frame is written
 * @size:	Bytes at @out (a reply needs at least 60, an echo reply @len)
 * @out_len:	Length of the reply, 0 if none
 *
 * Context: any thread.
 * Return: what was recognised.
 */
enum host_reply_kind host_reply(const uint8_t *frame, uint32_t len, const struct pk_mac *mac,
				const struct pk_ip4 *ip, uint8_t *out, uint32_t size,
				uint32_t *out_len);

#endif /* DHCP_HOST_REPLY_H */
