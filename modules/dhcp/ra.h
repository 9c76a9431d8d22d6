/* SPDX-License-Identifier: MIT
 * ra.h - IPv6 router advertisement building and router solicitation recognition (sans-I/O)
 */
#ifndef DHCP_RA_H
#define DHCP_RA_H

#include <pktkit/pktkit.h>

#define RA_MAX_RDNSS 8

struct ra_conf {
	struct pk_mac mac;
	uint8_t prefix[16];
	uint8_t prefix_len;
	bool managed, other;
	uint32_t mtu;			/* 0: no MTU option */
	uint16_t router_lifetime_s;
	uint32_t valid_s, preferred_s;	/* prefix lifetimes */
	uint32_t rdnss_lifetime_s;
	struct pk_ip6 rdnss[RA_MAX_RDNSS];
	uint32_t n_rdnss;
};

/**
 * ra_link_local() - The EUI-64 link-local address of a MAC (RFC 4291 appendix A)
 * @mac:	MAC
 * @out:	fe80::/64 address
 *
 * Context: any thread.
 */
void ra_link_local(const struct pk_mac *mac, uint8_t out[16]);

/**
 * ra_build() - Write a router advertisement frame to ff02::1
 * @c:		What to advertise
 * @out:	Frame
 * @size:	Bytes at @out
 *
 * Context: any thread.
 * Return: the frame length, or 0 if @size is too small.
 */
uint32_t ra_build(const struct ra_conf *c, uint8_t *out, uint32_t size);

/**
 * ra_is_solicit() - Whether a frame is a valid router solicitation
 * @frame:	Ethernet frame
 * @len:	Its length
 *
 * Untagged IPv6, ICMPv6 type 133 code 0, hop limit 255, correct checksum.
 *
 * Context: any thread.
 */
bool ra_is_solicit(const uint8_t *frame, uint32_t len);

#endif /* DHCP_RA_H */
