/* SPDX-License-Identifier: MIT
 * fuzz-gro.c - libFuzzer target: pk_gro_add() / pk_gro_flush() on arbitrary packet sequences
 *
 * Input: [config] then records of 4 bytes [op][a][b][c]:
 *  op bits 0-1: flow 0..3 (0, 1 IPv4, 2, 3 IPv6; ports differ);
 *  op bit 2: a raw packet instead: a | (b & 7) << 8 bytes taken from the
 *	input follow the record;
 *  op bit 3: pk_gro_flush() after this packet;
 *  op bit 4: the caller keeps a reference (a shared buffer);
 *  a: payload length: below 192 the flow's MSS, else (a - 192) * 23;
 *  b: bit 0 PSH, 1 FIN, 2 a sequence gap, 3 another ack, 4 a corrupt TCP
 *	checksum, 5 marked PK_CSUM_VERIFIED, 6 a new TSval, 7 another TTL;
 *  c: bit 0 the IP id skips, 1 no timestamps option, 2 SYN, 3 another
 *	window, 4 a byte of padding after the IP packet.
 * config: bits 0-2 max flows - 1, bit 3 a 9000-byte limit instead of 64 KB.
 *
 * Checked: every output with offload metadata is a super-packet of at most
 * 64 KB that pk_gso_segment() cuts into two or more segments whose IP lengths
 * and IPv4 and TCP checksums are right; cutting every output and grouping
 * inputs and outputs by TCP 4-tuple (everything that is not plain TCP in one
 * group), each group's packets come out in the order they went in, each
 * exactly once, byte for byte apart from the checksum fields; a shared input
 * is never written; no buffer leaks.
 */
#include <errno.h>
#include <string.h>

#include <pktkit/buf.h>
#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/gro.h>
#include <pktkit/toolkit/gso.h>

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PKTS 256u

struct flow_state {
	uint32_t seq, ack, tsval;
	uint16_t id, win, sport;
	uint8_t ttl;
	bool v6;
};

struct fuzz {
	struct pk_buf *in[MAX_PKTS]; /* inputs (valid while shared) */
	GBytes *in_bytes[MAX_PKTS];
	bool in_shared[MAX_PKTS];
	uint32_t n_in;
	GPtrArray *outs; /* struct pk_buf *, one reference each */
};

static const uint8_t addr6[2][16] = { { 0xfd, 0, [15] = 1 }, { 0xfd, 0, [15] = 2 } };

static struct pk_buf *build(struct flow_state *f, uint8_t a, uint8_t b, uint8_t c)
{
	uint32_t iphl = f->v6 ? PK_IP6_HLEN : PK_IP4_HLEN, thl = (c & 2) ? 20 : 32;
	uint32_t len = a < 192 ? 1448 : (uint32_t)(a - 192) * 23, l4_len = thl + len, sum;
	struct pk_buf *pb = pk_buf_alloc(iphl + l4_len + 1);
	uint8_t *p, *th, flags = 0x10;

	if (!pb)
		return NULL;
	pk_buf_trim(pb, iphl + l4_len + ((c & 16) ? 1 : 0));
	p = pk_buf_data(pb);
	th = p + iphl;
	memset(p, 0, pk_buf_len(pb));
	if (b & 4)
		f->seq += 1000;
	if (b & 8)
		f->ack += 1;
	if (b & 64)
		f->tsval++;
	if (b & 128)
		f->ttl--;
	if (c & 1)
		f->id += 7;
	if (c & 8)
		f->win++;
	if (b & 1)
		flags |= 0x08;
	if (b & 2)
		flags |= 0x01;
	if (c & 4)
		flags |= 0x02;
	if (f->v6) {
		pk_put_be32(p, 6u << 28);
		pk_put_be16(p + 4, (uint16_t)l4_len);
		p[6] = PK_IPPROTO_TCP;
		p[7] = f->ttl;
		memcpy(p + 8, addr6[0], 16);
		memcpy(p + 24, addr6[1], 16);
	} else {
		p[0] = 0x45;
		pk_put_be16(p + 2, (uint16_t)(iphl + l4_len));
		pk_put_be16(p + 4, f->id++);
		pk_put_be16(p + 6, PK_IP4_DF);
		p[8] = f->ttl;
		p[9] = PK_IPPROTO_TCP;
		memcpy(p + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
		pk_ip4_csum_fill(p, iphl);
	}
	pk_put_be16(th, f->sport);
	pk_put_be16(th + 2, 443);
	pk_put_be32(th + 4, f->seq);
	pk_put_be32(th + 8, f->ack);
	th[12] = (uint8_t)((thl / 4) << 4);
	th[13] = flags;
	pk_put_be16(th + 14, f->win);
	if (thl == 32) {
		th[20] = 1;
		th[21] = 1;
		th[22] = 8;
		th[23] = 10;
		pk_put_be32(th + 24, f->tsval);
	}
	for (uint32_t i = 0; i < len; i++)
		th[thl + i] = (uint8_t)(f->seq + i);
	f->seq += len;
	sum = f->v6 ? pk_csum_pseudo6(p + 8, p + 24, PK_IPPROTO_TCP, l4_len)
		    : pk_csum_pseudo4(p + 12, p + 16, PK_IPPROTO_TCP, l4_len);
	pk_put_be16(th + 16, pk_csum_fold(pk_csum_partial(th, l4_len, sum)));
	if (b & 16)
		th[16] ^= 0x40;
	if (b & 32)
		pb->csum = PK_CSUM_VERIFIED;
	return pb;
}

/* Where the TCP header of a plain TCP packet is (as the coalescer sees it), or 0. */
static uint32_t tcp_at(const uint8_t *p, uint32_t len)
{
	uint32_t tot, l4;

	if (len >= PK_IP4_HLEN && p[0] == 0x45 && p[9] == PK_IPPROTO_TCP &&
	    !(pk_get_be16(p + 6) & (PK_IP4_MF | PK_IP4_OFF_MASK))) {
		tot = pk_get_be16(p + 2);
		l4 = PK_IP4_HLEN;
	} else if (len >= PK_IP6_HLEN && (p[0] >> 4) == 6 && p[6] == PK_IPPROTO_TCP) {
		tot = PK_IP6_HLEN + pk_get_be16(p + 4);
		l4 = PK_IP6_HLEN;
	} else {
		return 0;
	}
	if (tot < l4 + PK_TCP_HLEN || tot > len || (uint32_t)(p[l4 + 12] >> 4) * 4 < PK_TCP_HLEN ||
	    l4 + (uint32_t)(p[l4 + 12] >> 4) * 4 > tot)
		return 0;
	return l4;
}

/* The group of a packet: "-" or its 4-tuple in hex. */
static char *group_of(GBytes *pkt)
{
	gsize len;
	const uint8_t *p = g_bytes_get_data(pkt, &len);
	uint32_t l4 = tcp_at(p, (uint32_t)len);
	GString *s;

	if (!l4)
		return g_strdup("-");
	s = g_string_new(NULL);
	for (uint32_t i = l4 == PK_IP4_HLEN ? 12 : 8; i < l4; i++)
		g_string_append_printf(s, "%02x", p[i]);
	for (uint32_t i = l4; i < l4 + 4; i++)
		g_string_append_printf(s, "%02x", p[i]);
	return g_string_free(s, FALSE);
}

/* The packet with its IPv4 and TCP checksum fields zeroed. */
static GBytes *normal(GBytes *pkt)
{
	gsize len;
	uint8_t *p = g_memdup2(g_bytes_get_data(pkt, &len), len);
	uint32_t l4 = tcp_at(p, (uint32_t)len);

	if (l4 == PK_IP4_HLEN)
		pk_put_be16(p + 10, 0);
	if (l4)
		pk_put_be16(p + l4 + 16, 0);
	return g_bytes_new_take(p, len);
}

static void group_add(GHashTable *groups, GBytes *pkt)
{
	char *key = group_of(pkt);
	GPtrArray *list = g_hash_table_lookup(groups, key);

	if (!list) {
		list = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
		g_hash_table_insert(groups, key, list);
	} else {
		g_free(key);
	}
	g_ptr_array_add(list, normal(pkt));
}

static bool tcp_valid(const uint8_t *p, uint32_t len)
{
	uint32_t l4 = tcp_at(p, len), l4_len = len - l4, sum;

	if (!l4)
		return false;
	if (l4 == PK_IP4_HLEN) {
		if (pk_csum(p, PK_IP4_HLEN) != 0 || pk_get_be16(p + 2) != len)
			return false;
		sum = pk_csum_pseudo4(p + 12, p + 16, PK_IPPROTO_TCP, l4_len);
	} else {
		if (PK_IP6_HLEN + pk_get_be16(p + 4) != len)
			return false;
		sum = pk_csum_pseudo6(p + 8, p + 24, PK_IPPROTO_TCP, l4_len);
	}
	return pk_csum_ok(p + l4, l4_len, sum);
}

static void drain(struct fuzz *fz, struct pk_batch *out)
{
	for (uint32_t i = 0; i < out->n; i++)
		g_ptr_array_add(fz->outs, out->buf[i]);
	pk_batch_init(out);
}

static void check(struct fuzz *fz)
{
	GHashTable *want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						 (GDestroyNotify)g_ptr_array_unref);
	GHashTable *got = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)g_ptr_array_unref);
	GHashTableIter it;
	gpointer key, val;

	for (uint32_t i = 0; i < fz->n_in; i++)
		group_add(want, fz->in_bytes[i]);
	for (uint32_t k = 0; k < fz->outs->len; k++) {
		struct pk_buf *b = fz->outs->pdata[k];

		if (!pk_buf_needs_offload(b)) {
			GBytes *pkt = g_bytes_new(pk_buf_data(b), pk_buf_len(b));

			group_add(got, pkt);
			g_bytes_unref(pkt);
			continue;
		}
		/* A super-packet of ours: it must cut cleanly. */
		FUZZ_CHECK(b->gso_size != 0 && b->csum == PK_CSUM_PARTIAL);
		FUZZ_CHECK(pk_buf_len(b) <= PK_GRO_MAX_LEN);
		uint32_t pos = 0, nseg = 0;
		int rc;

		do {
			struct pk_batch segs;

			pk_batch_init(&segs);
			rc = pk_gso_segment(b, 0, &pos, &segs);
			FUZZ_CHECK(rc >= 0);
			for (uint32_t s = 0; s < segs.n; s++) {
				struct pk_buf *sb = segs.buf[s];
				GBytes *pkt = g_bytes_new(pk_buf_data(sb), pk_buf_len(sb));

				FUZZ_CHECK(tcp_valid(pk_buf_data(sb), pk_buf_len(sb)));
				group_add(got, pkt);
				g_bytes_unref(pkt);
				nseg++;
			}
			pk_batch_unref_all(&segs);
		} while (rc == 0);
		FUZZ_CHECK(nseg >= 2);
	}
	FUZZ_CHECK(g_hash_table_size(want) == g_hash_table_size(got));
	g_hash_table_iter_init(&it, want);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		GPtrArray *w = val, *g = g_hash_table_lookup(got, key);

		FUZZ_CHECK(g && g->len == w->len);
		for (uint32_t i = 0; i < w->len; i++)
			FUZZ_CHECK(g_bytes_equal(w->pdata[i], g->pdata[i]));
	}
	g_hash_table_unref(want);
	g_hash_table_unref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct flow_state flows[4];
	struct pk_buf_stats st0, st1;
	struct pk_batch out;
	struct pk_gro *gro;
	struct fuzz fz;
	size_t off = 1;

	if (size < 1)
		return 0;
	pk_buf_pool_stats(&st0);
	memset(&fz, 0, sizeof(fz));
	fz.outs = g_ptr_array_new();
	for (uint32_t i = 0; i < 4; i++)
		flows[i] = (struct flow_state){ .seq = 0xffff0000u + i,
						.ack = 77,
						.tsval = 5,
						.id = (uint16_t)(0xfff0 + i),
						.win = 512,
						.sport = (uint16_t)(1000 + i),
						.ttl = 64,
						.v6 = i >= 2 };
	gro = pk_gro_new((data[0] & 7) + 1, (data[0] & 8) ? 9000 : 0);
	pk_batch_init(&out);
	while (off + 4 <= size && fz.n_in < MAX_PKTS) {
		uint8_t op = data[off], a = data[off + 1], b = data[off + 2], c = data[off + 3];
		struct pk_buf *pb;
		uint32_t i = fz.n_in;

		off += 4;
		if (op & 4) {
			uint32_t n = a | (uint32_t)(b & 7) << 8;

			n = (uint32_t)MIN((size_t)n, size - off);
			pb = pk_buf_new_copy(data + off, n);
			off += n;
		} else {
			pb = build(&flows[op & 3], a, b, c);
		}
		if (!pb)
			break;
		fz.in[i] = pb;
		fz.in_bytes[i] = g_bytes_new(pk_buf_data(pb), pk_buf_len(pb));
		fz.in_shared[i] = (op & 16) != 0;
		if (fz.in_shared[i])
			pk_buf_ref(pb);
		fz.n_in++;
		if (pk_gro_add(gro, pb, &out) == -ENOSPC) {
			drain(&fz, &out);
			FUZZ_CHECK(pk_gro_add(gro, pb, &out) == 0);
		}
		if (op & 8) {
			while (pk_gro_flush(gro, &out) == 0)
				drain(&fz, &out);
		}
		if (out.n > PK_BATCH_MAX / 2)
			drain(&fz, &out);
	}
	while (pk_gro_flush(gro, &out) == 0)
		drain(&fz, &out);
	drain(&fz, &out);
	FUZZ_CHECK(pk_gro_pending(gro) == 0);
	check(&fz);
	for (uint32_t i = 0; i < fz.n_in; i++) {
		if (fz.in_shared[i]) {
			FUZZ_CHECK(pk_buf_len(fz.in[i]) == g_bytes_get_size(fz.in_bytes[i]));
			FUZZ_CHECK(memcmp(pk_buf_data(fz.in[i]),
					  g_bytes_get_data(fz.in_bytes[i], NULL),
					  pk_buf_len(fz.in[i])) == 0);
			pk_buf_unref(fz.in[i]);
		}
		g_bytes_unref(fz.in_bytes[i]);
	}
	for (uint32_t k = 0; k < fz.outs->len; k++)
		pk_buf_unref(fz.outs->pdata[k]);
	g_ptr_array_unref(fz.outs);
	pk_gro_free(gro);
	pk_buf_pool_stats(&st1);
	FUZZ_CHECK(st1.allocated == st0.allocated);
	return 0;
}
