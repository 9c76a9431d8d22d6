/* SPDX-License-Identifier: MIT
 * fuzz-offload.c - libFuzzer target: vnet headers into buffer metadata, and pk_gso_segment()
 *
 * Input: [mode][12-byte virtio_net_hdr_v1][packet]. mode bit 0: the packet
 * is an Ethernet frame (io.tap) rather than an IP packet (io.tun).
 *
 * mode bit 1 clear: the header goes through io.tun/io.tap's translation
 * (modules/tuntap/vnet.c) as a read from the kernel does; metadata it accepts
 * must lie inside the packet, and when the device could write it back the
 * header it would write translates to the same metadata.
 *
 * mode bit 1 set: the header's fields become the metadata unchecked
 * (gso_size, gso_type from bit 2, partial checksum at csum_start/csum_offset
 * when flags bit 0, verified when flags bit 1), and the IP header is taken
 * at the offset in hdr_len's low byte, as any device may hand the core.
 *
 * Either way a buffer that needs offload is segmented as the core does for
 * a port without offload. pk_gso_segment() must not crash, and what it
 * makes is checked: segment payloads at most gso_size and together the
 * original payload, IP lengths and IPv4 header checksums right, TCP
 * sequence numbers consecutive and every TCP checksum valid; a packet that
 * is not cut has its partial checksum completed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/buf.h>
#include <pktkit/checksum.h>
#include <pktkit/toolkit/gso.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>

#include "vnet.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr_v1))

/* Where the headers of the original are: what the segments must repeat. */
struct orig {
	const uint8_t *p;
	uint32_t l3, l4, hdr_end, end;
	bool v6;
	uint32_t seq;
	uint32_t seen;		/* payload bytes seen in segments so far */
	uint32_t n;		/* segments seen */
};

static uint32_t tcp_pseudo(const uint8_t *ip, bool v6, uint32_t l4_len)
{
	if (v6)
		return pk_csum_pseudo6(ip + 8, ip + 24, PK_IPPROTO_TCP, l4_len);
	return pk_csum_pseudo4(ip + 12, ip + 16, PK_IPPROTO_TCP, l4_len);
}

/* Fill @o from a super-packet pk_gso_segment() cut into more than one segment. */
static void orig_parse(const struct pk_buf *b, uint32_t l3, struct orig *o)
{
	const uint8_t *p = pk_buf_data(b);

	memset(o, 0, sizeof(*o));
	o->p = p;
	o->l3 = l3;
	o->v6 = (p[l3] >> 4) == 6;
	if (o->v6) {
		o->l4 = l3 + PK_IP6_HLEN;
		if (b->csum == PK_CSUM_PARTIAL && pk_buf_csum_start(b) > (int32_t)o->l4)
			o->l4 = (uint32_t)pk_buf_csum_start(b);
		o->end = l3 + PK_IP6_HLEN + pk_get_be16(p + l3 + 4);
	} else {
		o->l4 = l3 + (uint32_t)(p[l3] & 0x0f) * 4;
		o->end = l3 + pk_get_be16(p + l3 + 2);
	}
	o->hdr_end = o->l4 + (uint32_t)(p[o->l4 + 12] >> 4) * 4;
	o->seq = pk_get_be32(p + o->l4 + 4);
}

/* One segment of @o: headers as the original's, lengths and checksums right. */
static void check_segment(struct orig *o, const struct pk_buf *s, uint16_t gso_size)
{
	const uint8_t *p = pk_buf_data(s), *ip = p + o->l3, *th = p + o->l4;
	uint32_t len = pk_buf_len(s), n, l4_len;
	uint8_t flags;

	FUZZ_CHECK(!pk_buf_needs_offload(s) && s->gso_size == 0);
	FUZZ_CHECK(len > o->hdr_end);
	n = len - o->hdr_end;
	FUZZ_CHECK(n <= gso_size && o->seen + n <= o->end - o->hdr_end);
	/* Link header, options and extension headers are the original's. */
	FUZZ_CHECK(memcmp(p, o->p, o->l3) == 0);
	FUZZ_CHECK(memcmp(p + o->hdr_end, o->p + o->hdr_end + o->seen, n) == 0);
	FUZZ_CHECK(pk_get_be32(th + 4) == o->seq + o->seen);
	FUZZ_CHECK(memcmp(th, o->p + o->l4, 4) == 0);	/* ports */
	FUZZ_CHECK(memcmp(th + 8, o->p + o->l4 + 8, 5) == 0);
	FUZZ_CHECK(memcmp(th + 18, o->p + o->l4 + 18, o->hdr_end - o->l4 - 18) == 0);
	/* FIN and PSH only on the last segment, CWR only on the first. */
	flags = o->p[o->l4 + 13];
	if (o->seen + n < o->end - o->hdr_end)
		flags &= (uint8_t)~0x09;
	if (o->n > 0)
		flags &= (uint8_t)~0x80;
	FUZZ_CHECK(th[13] == flags);
	if (o->v6) {
		FUZZ_CHECK(pk_get_be16(ip + 4) == len - o->l3 - PK_IP6_HLEN);
		FUZZ_CHECK(memcmp(ip, o->p + o->l3, 4) == 0);
		FUZZ_CHECK(memcmp(ip + 6, o->p + o->l3 + 6, o->l4 - o->l3 - 6) == 0);
	} else {
		uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;

		FUZZ_CHECK(pk_get_be16(ip + 2) == len - o->l3);
		FUZZ_CHECK(memcmp(ip + 12, o->p + o->l3 + 12, ihl - 12) == 0);
		FUZZ_CHECK(pk_csum_ok(ip, ihl, 0));
		FUZZ_CHECK(pk_get_be16(ip + 4) ==
			   (uint16_t)(pk_get_be16(o->p + o->l3 + 4) + o->n));
	}
	l4_len = len - o->l4;
	FUZZ_CHECK(pk_csum_ok(th, l4_len, tcp_pseudo(ip, o->v6, l4_len)));
	o->seen += n;
	o->n++;
}

/* A packet pk_gso_segment() did not cut: one copy, checksum completed. */
static void check_single(const struct pk_buf *b, uint32_t l3, const struct pk_buf *s)
{
	const uint8_t *p = pk_buf_data(s), *orig = pk_buf_data(b);
	uint32_t len = pk_buf_len(s);

	FUZZ_CHECK(!pk_buf_needs_offload(s) && len <= pk_buf_len(b) && len > l3);
	if (b->csum == PK_CSUM_PARTIAL) {
		uint32_t start = (uint32_t)pk_buf_csum_start(b), at = start + b->csum_offset;
		uint32_t old = pk_get_be16(orig + at);

		FUZZ_CHECK(at + 2 <= len);
		/* Everything but the checksum field is the original's. */
		FUZZ_CHECK(memcmp(p, orig, at) == 0);
		FUZZ_CHECK(memcmp(p + at + 2, orig + at + 2, len - at - 2) == 0);
		/* The field held the pseudo header's sum: with it, the range
		 * verifies (a field at an odd offset straddles two words of the
		 * sum: no real protocol has one, nothing to check). */
		if (!(b->csum_offset & 1))
			FUZZ_CHECK(pk_csum_ok(p + start, len - start, old));
	} else {
		/* A super-packet that fits one segment: full TCP checksum. */
		const uint8_t *ip = p + l3;
		bool v6 = (ip[0] >> 4) == 6;
		uint32_t l4 = l3 + (v6 ? PK_IP6_HLEN : (uint32_t)(ip[0] & 0x0f) * 4);

		FUZZ_CHECK(b->gso_size != 0 && l4 + PK_TCP_HLEN <= len);
		FUZZ_CHECK(pk_csum_ok(p + l4, len - l4, tcp_pseudo(ip, v6, len - l4)));
	}
}

/* What the core does on delivery to a port without offload, checked. */
static void segment(const struct pk_buf *b, uint32_t l3)
{
	struct pk_batch out;
	struct orig o = { 0 };
	uint32_t pos = 0, rounds = 0;
	bool first = true, single = false;
	int rc;

	do {
		pk_batch_init(&out);
		rc = pk_gso_segment(b, l3, &pos, &out);
		FUZZ_CHECK(rc == 0 || rc == 1 || rc == -EINVAL || rc == -ENOMEM);
		FUZZ_CHECK(rc != 0 || out.n > 0);
		for (uint32_t i = 0; i < out.n; i++) {
			if (first) {
				/* Headers are valid once something came out: cut, or one copy? */
				single = b->gso_size == 0;
				if (!single) {
					orig_parse(b, l3, &o);
					single = o.end - o.hdr_end <= b->gso_size;
				}
				first = false;
			}
			if (single)
				check_single(b, l3, out.buf[i]);
			else
				check_segment(&o, out.buf[i], b->gso_size);
		}
		pk_batch_unref_all(&out);
		FUZZ_CHECK(++rounds < 70000);
	} while (rc == 0);
	if (rc == 1 && !single)
		FUZZ_CHECK(o.seen == o.end - o.hdr_end && o.n == pos);
	if (rc == 1 && single)
		FUZZ_CHECK(pos == 1);
	/* Called again after the end, nothing more comes. */
	if (rc == 1) {
		pk_batch_init(&out);
		FUZZ_CHECK(pk_gso_segment(b, l3, &pos, &out) == 1 && out.n == 0);
	}
}

/* Metadata straight from the header's fields, unchecked. */
static void raw_metadata(const struct virtio_net_hdr_v1 *h, uint8_t mode, struct pk_buf *b)
{
	pk_buf_offload_clear(b);
	if (h->flags & 1)
		pk_buf_set_csum_partial(b, le16toh(h->csum_start), le16toh(h->csum_offset));
	else if (h->flags & 2)
		b->csum = PK_CSUM_VERIFIED;
	if (le16toh(h->gso_size))
		pk_buf_set_gso(b, le16toh(h->gso_size), (mode & 4) ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr_v1 h, back;
	struct pk_buf *b;
	uint8_t mode;
	bool tap;
	int32_t l3;

	if (size < 1 + HDR_LEN || size - 1 - HDR_LEN > PK_BUF_MAX_LEN)
		return 0;
	mode = data[0];
	tap = mode & 1;
	memcpy(&h, data + 1, HDR_LEN);
	b = pk_buf_new_copy(data + 1 + HDR_LEN, (uint32_t)(size - 1 - HDR_LEN));
	if (!b)
		return 0;
	pk_buf_offload_clear(b);
	if (!(mode & 2)) {
		if (!tuntap_vnet_to_buf(tap, &h, b))
			goto out;
		if (b->csum == PK_CSUM_PARTIAL)
			FUZZ_CHECK(pk_buf_csum_start(b) >= 0 &&
				   (uint32_t)pk_buf_csum_start(b) + b->csum_offset + 2 <=
					   pk_buf_len(b));
		FUZZ_CHECK(b->gso_size == 0 || b->csum == PK_CSUM_PARTIAL);
		if (tuntap_vnet_ok(b)) {
			struct pk_buf *c = pk_buf_new_copy(pk_buf_data(b), pk_buf_len(b));

			/* Written back to the kernel and read again: same metadata. */
			tuntap_buf_to_vnet(b, &back);
			FUZZ_CHECK(c != NULL);
			pk_buf_offload_clear(c);
			FUZZ_CHECK(tuntap_vnet_to_buf(tap, &back, c));
			FUZZ_CHECK(c->gso_size == b->gso_size && c->csum == b->csum);
			if (b->gso_size)
				FUZZ_CHECK(c->gso_type == b->gso_type);
			if (b->csum == PK_CSUM_PARTIAL)
				FUZZ_CHECK(pk_buf_csum_start(c) == pk_buf_csum_start(b) &&
					   c->csum_offset == b->csum_offset);
			pk_buf_unref(c);
		}
		l3 = tap ? pk_eth_l3_offset(pk_buf_data(b), pk_buf_len(b)) : 0;
	} else {
		raw_metadata(&h, mode, b);
		l3 = le16toh(h.hdr_len) & 0xff;
	}
	if (pk_buf_needs_offload(b) && l3 >= 0)
		segment(b, (uint32_t)l3);
out:
	pk_buf_unref(b);
	return 0;
}
