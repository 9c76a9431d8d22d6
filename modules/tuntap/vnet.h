/* SPDX-License-Identifier: MIT
 * vnet.h - The virtio-net header of a TUN/TAP with offload, to and from buffer metadata (pure)
 *
 * Split out of tuntap.c so the fuzz target (tests/fuzz/fuzz-offload.c) can
 * run the translation of untrusted headers without a kernel interface.
 */
#ifndef TUNTAP_VNET_H
#define TUNTAP_VNET_H

#include <stdbool.h>

#include <linux/virtio_net.h>

#include <pktkit/buf.h>

/**
 * tuntap_vnet_to_buf() - Translate the vnet header the kernel put in front of @b into metadata
 * @tap:	A TAP (Ethernet frames) rather than a TUN (IP packets)
 * @h:		The header, already pulled off @b
 * @b:		The packet, offload metadata cleared
 *
 * Context: any thread; pure.
 * Return: false if the header is malformed (unknown GSO type, no partial
 * checksum with GSO, checksum outside the packet, GSO type not matching a
 * TUN packet's IP version); @b's metadata is then undefined.
 */
bool tuntap_vnet_to_buf(bool tap, const struct virtio_net_hdr_v1 *h, struct pk_buf *b);

/**
 * tuntap_buf_to_vnet() - The vnet header for writing @b
 * @b:	Packet whose metadata tuntap_vnet_ok() accepted
 * @h:	Filled
 *
 * Context: any thread; pure.
 */
void tuntap_buf_to_vnet(const struct pk_buf *b, struct virtio_net_hdr_v1 *h);

/**
 * tuntap_vnet_ok() - Whether the kernel can take @b's metadata as a vnet header
 * @b:	Packet
 *
 * A super-packet needs a partial checksum at its TCP header, inside the packet.
 *
 * Context: any thread; pure.
 */
bool tuntap_vnet_ok(const struct pk_buf *b);

#endif /* TUNTAP_VNET_H */
