// SPDX-License-Identifier: MIT
/* vnet.c - The virtio-net header of a TUN/TAP with offload, to and from buffer metadata (pure) */
#include <endian.h>
#include <string.h>

#include <pktkit/ip.h>
#include <pktkit/l4.h>

#include "vnet.h"

bool tuntap_vnet_to_buf(bool tap, const struct virtio_net_hdr_v1 *h, struct pk_buf *b)
{
	uint8_t gso = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t len = pk_buf_len(b);

	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint32_t start = le16toh(h->csum_start), off = le16toh(h->csum_offset);

		if (start + off + 2 > len)
			return false;
		pk_buf_set_csum_partial(b, start, (uint16_t)off);
	} else if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		b->csum = PK_CSUM_VERIFIED;
	}
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return true;
	if ((gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6) ||
	    !le16toh(h->gso_size) || !(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return false;
	/* On a TUN the type must match the IP version (a TAP's frames are
	 * checked when they are segmented). */
	if (!tap && pk_ip_version(pk_buf_data(b), len) != (gso == VIRTIO_NET_HDR_GSO_TCPV4 ? 4u : 6u))
		return false;
	pk_buf_set_gso(b, le16toh(h->gso_size),
		       gso == VIRTIO_NET_HDR_GSO_TCPV4 ? PK_GSO_TCPV4 : PK_GSO_TCPV6);
	return true;
}

void tuntap_buf_to_vnet(const struct pk_buf *b, struct virtio_net_hdr_v1 *h)
{
	memset(h, 0, sizeof(*h));
	if (b->csum == PK_CSUM_PARTIAL) {
		h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->csum_start = htole16((uint16_t)pk_buf_csum_start(b));
		h->csum_offset = htole16(b->csum_offset);
	} else if (b->csum == PK_CSUM_VERIFIED) {
		h->flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	if (b->gso_size) {
		const uint8_t *th = pk_buf_data(b) + pk_buf_csum_start(b);

		h->gso_type = b->gso_type == PK_GSO_TCPV4 ? VIRTIO_NET_HDR_GSO_TCPV4
							  : VIRTIO_NET_HDR_GSO_TCPV6;
		if (th[13] & 0x80)	/* CWR: the kernel keeps it on the first segment only */
			h->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
		h->gso_size = htole16(b->gso_size);
		h->hdr_len = htole16((uint16_t)(pk_buf_csum_start(b) + (th[12] >> 4) * 4));
	}
}

bool tuntap_vnet_ok(const struct pk_buf *b)
{
	int32_t start = pk_buf_csum_start(b);

	if (b->csum != PK_CSUM_PARTIAL)
		return b->gso_size == 0;
	if (start < 0 || (uint32_t)start + b->csum_offset + 2 > pk_buf_len(b))
		return false;
	return b->gso_size == 0 ||
	       ((uint32_t)start + PK_TCP_HLEN <= pk_buf_len(b) &&
		(uint32_t)start + (pk_buf_data(b)[start + 12] >> 4) * 4u <= pk_buf_len(b));
}
