/* SPDX-License-Identifier: MIT
 * seg.c - TCP segment glue: options writer, checksums, RFC 6528 ISNs (SipHash-2-4)
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "tcp-private.h"

/* SipHash-2-4 (Aumasson and Bernstein), written from the paper's description. */
#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL64(v[1], 13); v[1] ^= v[0]; v[0] = ROTL64(v[0], 32);
	v[2] += v[3]; v[3] = ROTL64(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL64(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL64(v[1], 17); v[1] ^= v[2]; v[2] = ROTL64(v[2], 32);
}

uint64_t pk_tcp_siphash(const uint8_t key[16], const uint8_t *in, size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
			  k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
	size_t full = len & ~(size_t)7;
	uint64_t m, last = (uint64_t)(len & 0xff) << 56;

	for (size_t i = 0; i < full; i += 8) {
		m = le64(in + i);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (size_t i = 0; i < (len & 7); i++)
		last |= (uint64_t)in[full + i] << (8 * i);
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t pk_tcp_tuple_hash(const uint8_t key[16], const struct pk_tcp_endpoints *ep,
			   uint8_t purpose)
{
	uint8_t in[16 + 16 + 4 + 1];
	size_t alen = ep->ipv6 ? 16 : 4, n = 0;

	memcpy(in + n, ep->local_addr, alen);
	n += alen;
	memcpy(in + n, ep->remote_addr, alen);
	n += alen;
	pk_put_be16(in + n, ep->local_port);
	pk_put_be16(in + n + 2, ep->remote_port);
	n += 4;
	in[n++] = purpose;
	return pk_tcp_siphash(key, in, n);
}

uint32_t pk_tcp_isn(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
		    uint64_t now_ns)
{
	/* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
	 * M a 4-microsecond timer. */
	return (uint32_t)(now_ns / 4000) + (uint32_t)pk_tcp_tuple_hash(e->secret, ep, 'I');
}

uint32_t pk_tcp_opts_build(const struct pk_tcp_opts *o, uint8_t *out, bool syn)
{
	uint32_t n = 0;

	if (syn && (o->present & PK_TCP_HAS_MSS)) {
		out[n++] = PK_TCP_OPT_MSS;
		out[n++] = 4;
		pk_put_be16(out + n, o->mss);
		n += 2;
	}
	if (syn && (o->present & PK_TCP_HAS_SACK_PERM)) {
		if (o->present & PK_TCP_HAS_TIMESTAMP) {
			/* SACK-permitted then timestamps: 2 + 10 = 12 bytes, no padding */
			out[n++] = PK_TCP_OPT_SACK_PERM;
			out[n++] = 2;
		} else {
			out[n++] = PK_TCP_OPT_NOP;
			out[n++] = PK_TCP_OPT_NOP;
			out[n++] = PK_TCP_OPT_SACK_PERM;
			out[n++] = 2;
		}
	}
	if (o->present & PK_TCP_HAS_TIMESTAMP) {
		if (!(syn && (o->present & PK_TCP_HAS_SACK_PERM))) {
			out[n++] = PK_TCP_OPT_NOP;
			out[n++] = PK_TCP_OPT_NOP;
		}
		out[n++] = PK_TCP_OPT_TIMESTAMP;
		out[n++] = 10;
		pk_put_be32(out + n, o->ts_val);
		pk_put_be32(out + n + 4, o->ts_ecr);
		n += 8;
	}
	if (syn && (o->present & PK_TCP_HAS_WSCALE)) {
		out[n++] = PK_TCP_OPT_NOP;
		out[n++] = PK_TCP_OPT_WSCALE;
		out[n++] = 3;
		out[n++] = o->wscale > PK_TCP_MAX_WSCALE ? PK_TCP_MAX_WSCALE : o->wscale;
	}
	if ((o->present & PK_TCP_HAS_SACK) && o->n_sack > 0 && n + 12 <= PK_TCP_MAX_HLEN - PK_TCP_HLEN) {
		uint32_t room = (PK_TCP_MAX_HLEN - PK_TCP_HLEN - n - 4) / 8;
		uint32_t nb = o->n_sack < room ? o->n_sack : room;

		out[n++] = PK_TCP_OPT_NOP;
		out[n++] = PK_TCP_OPT_NOP;
		out[n++] = PK_TCP_OPT_SACK;
		out[n++] = (uint8_t)(2 + 8 * nb);
		for (uint32_t i = 0; i < nb; i++) {
			pk_put_be32(out + n, o->sack[i].left);
			pk_put_be32(out + n + 4, o->sack[i].right);
			n += 8;
		}
	}
	while (n & 3)
		out[n++] = PK_TCP_OPT_EOL;
	return n;
}

static uint32_t pseudo_sum(bool ipv6, const uint8_t *src, const uint8_t *dst, uint32_t len)
{
	return ipv6 ? pk_csum_pseudo6(src, dst, 6, len) : pk_csum_pseudo4(src, dst, 6, len);
}

void pk_tcp_csum_set(const struct pk_tcp_endpoints *ep, uint8_t *seg, uint32_t len)
{
	uint32_t sum = pseudo_sum(ep->ipv6, ep->local_addr, ep->remote_addr, len);

	pk_put_be16(seg + 16, 0);
	pk_put_be16(seg + 16, pk_csum_fold(pk_csum_partial(seg, len, sum)));
}

void pk_tcp_csum_set_partial_(const struct pk_tcp_endpoints *ep, uint8_t *seg, uint32_t len)
{
	uint32_t sum = pseudo_sum(ep->ipv6, ep->local_addr, ep->remote_addr, len);

	/* Folded, not complemented: completed over the segment later. */
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	pk_put_be16(seg + 16, (uint16_t)sum);
}

bool pk_tcp_csum_ok(bool ipv6, const uint8_t *src, const uint8_t *dst, const uint8_t *seg,
		    uint32_t len)
{
	return pk_csum_ok(seg, len, pseudo_sum(ipv6, src, dst, len));
}

uint32_t pk_tcp_write_header(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq,
			     uint32_t ack, uint8_t flags, uint16_t win, uint32_t opt_len)
{
	pk_put_be16(p, sport);
	pk_put_be16(p + 2, dport);
	pk_put_be32(p + 4, seq);
	pk_put_be32(p + 8, ack);
	p[12] = (uint8_t)(((PK_TCP_HLEN + opt_len) / 4) << 4);
	p[13] = flags;
	pk_put_be16(p + 14, win);
	pk_put_be16(p + 16, 0);
	pk_put_be16(p + 18, 0);
	return PK_TCP_HLEN + opt_len;
}

static const char *const state_names[] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
	"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

const char *pk_tcp_state_name(enum pk_tcp_state s)
{
	return (unsigned int)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}
