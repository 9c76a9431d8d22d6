// SPDX-License-Identifier: MIT
/* gro.c - Software receive offload: coalesce in-order TCP segments into super-packets
 *
 * The flow table is a short array kept in the order the flows were opened
 * (oldest first), searched linearly by a 32-bit hash of the 4-tuple: with
 * 8..16 flows that is a few compares per packet and keeps flush order and
 * eviction trivial. A flow holds the buffer of its first segment; the second
 * one moves it into a 64 KB pool buffer (or keeps it, if it is ours alone and
 * has the room), and every further segment is one memcpy of its payload.
 */
#include <errno.h>
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/toolkit/gro.h>

#define GRO_MIN_LEN 1280u
#define GRO_KEY_MAX 36u /* IPv6 addresses and the two ports */

/* What gro_parse() made of a packet. */
enum gro_kind {
	GRO_OTHER, /* not TCP: passes, nothing to keep in order with */
	GRO_PAIR,  /* TCP whose ports cannot be read: flushes its address pair */
	GRO_FLOW,  /* TCP of a known 4-tuple that cannot be merged */
	GRO_MERGE, /* a data segment that may start or continue a flow */
};

/* A parsed packet; offsets from its first byte. */
struct gro_seg {
	const uint8_t *p;
	const uint8_t *addrs; /* source then destination address */
	const uint8_t *th;    /* TCP header */
	uint32_t len;
	uint32_t l4;	  /* IP header length */
	uint32_t hdr_end; /* IP + TCP headers: the payload starts here */
	uint32_t seq;
	uint32_t hash;
	uint8_t pair_len; /* 8 (IPv4) or 32 (IPv6) */
	uint8_t flags;
	bool v6;
	bool verified; /* the TCP checksum was checked here */
};

/**
 * struct gro_flow - One open flow
 * @b:		Its buffer: the first segment as it came, or (@own) the
 *		super-packet being built, with room up to the limit
 * @hash:	Hash of @key
 * @next_seq:	Sequence number the next segment must carry
 * @hdr_end:	Bytes of IP and TCP header
 * @l4:		Bytes of IP header
 * @gso_size:	Payload of the first segment
 * @count:	Segments in @b
 * @ip_id:	IPv4: identification the next segment must carry
 * @v6:		IPv6
 * @own:	@b is storage of ours, writable, with room up to the limit
 * @verified:	The first segment's checksum was verified here
 * @pair_len:	Bytes of addresses at the start of @key
 * @key:	Source and destination address, then the two ports
 */
struct gro_flow {
	struct pk_buf *b;
	uint32_t hash;
	uint32_t next_seq;
	uint32_t hdr_end;
	uint16_t l4;
	uint16_t gso_size;
	uint16_t count;
	uint16_t ip_id;
	bool v6;
	bool own;
	bool verified;
	uint8_t pair_len;
	uint8_t key[GRO_KEY_MAX];
};

struct pk_gro {
	uint32_t max_flows;
	uint32_t max_len;
	uint32_t n; /* open flows, oldest first */
	struct gro_flow flows[];
};

struct pk_gro *pk_gro_new(uint32_t max_flows, uint32_t max_len)
{
	struct pk_gro *gro;

	if (max_flows == 0)
		max_flows = PK_GRO_DEFAULT_FLOWS;
	max_flows = MIN(max_flows, PK_GRO_MAX_FLOWS);
	if (max_len == 0 || max_len > PK_GRO_MAX_LEN)
		max_len = PK_GRO_MAX_LEN;
	max_len = MAX(max_len, GRO_MIN_LEN);
	gro = g_malloc0(sizeof(*gro) + max_flows * sizeof(gro->flows[0]));
	gro->max_flows = max_flows;
	gro->max_len = max_len;
	return gro;
}

void pk_gro_free(struct pk_gro *gro)
{
	if (!gro)
		return;
	for (uint32_t i = 0; i < gro->n; i++)
		pk_buf_unref(gro->flows[i].b);
	g_free(gro);
}

uint32_t pk_gro_pending(const struct pk_gro *gro)
{
	return gro->n;
}

static uint32_t gro_hash(const uint8_t *addrs, uint32_t pair_len, const uint8_t *ports)
{
	uint32_t h = pk_get_be32(ports);

	for (uint32_t i = 0; i < pair_len; i += 4)
		h = (h ^ pk_get_be32(addrs + i)) * 0x9e3779b1u;
	return h ^ (h >> 15);
}

static uint32_t gro_pseudo(const uint8_t *ip, bool v6, uint32_t l4_len)
{
	if (v6)
		return pk_csum_pseudo6(ip + 8, ip + 24, PK_IPPROTO_TCP, l4_len);
	return pk_csum_pseudo4(ip + 12, ip + 16, PK_IPPROTO_TCP, l4_len);
}

/* Sort @b into one of enum gro_kind; fill @s as far as the kind needs. */
static enum gro_kind gro_parse(const struct pk_buf *b, struct gro_seg *s)
{
	const uint8_t *p = pk_buf_data(b);
	uint32_t len = pk_buf_len(b), tot, thl;

	s->p = p;
	s->len = len;
	s->verified = false;
	if (len == 0)
		return GRO_OTHER;
	switch (p[0] >> 4) {
	case 4:
		if (len < PK_IP4_HLEN || p[9] != PK_IPPROTO_TCP)
			return GRO_OTHER;
		s->v6 = false;
		s->addrs = p + 12;
		s->pair_len = 8;
		tot = pk_get_be16(p + 2);
		if (p[0] != 0x45 || (pk_get_be16(p + 6) & (PK_IP4_MF | PK_IP4_OFF_MASK)) ||
		    tot < PK_IP4_HLEN + PK_TCP_HLEN || tot > len)
			return GRO_PAIR;
		s->l4 = PK_IP4_HLEN;
		break;
	case 6:
		if (len < PK_IP6_HLEN)
			return GRO_OTHER;
		s->v6 = true;
		s->addrs = p + 8;
		s->pair_len = 32;
		if (p[6] != PK_IPPROTO_TCP)
			return pk_ip6_is_ext_hdr(p[6]) ? GRO_PAIR : GRO_OTHER;
		tot = PK_IP6_HLEN + pk_get_be16(p + 4);
		if (tot < PK_IP6_HLEN + PK_TCP_HLEN || tot > len)
			return GRO_PAIR;
		s->l4 = PK_IP6_HLEN;
		break;
	default:
		return GRO_OTHER;
	}
	s->th = p + s->l4;
	thl = (uint32_t)(s->th[12] >> 4) * 4;
	if (thl < PK_TCP_HLEN || s->l4 + thl > tot)
		return GRO_PAIR;
	s->hdr_end = s->l4 + thl;
	s->hash = gro_hash(s->addrs, s->pair_len, s->th);
	s->seq = pk_get_be32(s->th + 4);
	s->flags = s->th[13];

	/* A 4-tuple: from here on the packet is ordered with its flow. */
	if (tot != len || s->hdr_end == tot || (s->flags & ~PK_TCP_PSH) != PK_TCP_ACK ||
	    b->gso_size)
		return GRO_FLOW;
	if (b->csum == PK_CSUM_PARTIAL &&
	    (pk_buf_csum_start(b) != (int32_t)s->l4 || b->csum_offset != 16))
		return GRO_FLOW;
	if (!s->v6 && pk_csum(p, PK_IP4_HLEN) != 0)
		return GRO_FLOW;
	if (b->csum == PK_CSUM_NONE) {
		if (!pk_csum_ok(s->th, len - s->l4, gro_pseudo(p, s->v6, len - s->l4)))
			return GRO_FLOW;
		s->verified = true;
	}
	return GRO_MERGE;
}

static int gro_find(const struct pk_gro *gro, const struct gro_seg *s)
{
	for (uint32_t i = 0; i < gro->n; i++) {
		const struct gro_flow *f = &gro->flows[i];

		if (f->hash == s->hash && f->v6 == s->v6 &&
		    memcmp(f->key, s->addrs, s->pair_len) == 0 &&
		    memcmp(f->key + s->pair_len, s->th, 4) == 0)
			return (int)i;
	}
	return -1;
}

/* Fix the headers of a super-packet of several segments and mark it. */
static void gro_finish(const struct gro_flow *f)
{
	struct pk_buf *b = f->b;
	uint8_t *p = pk_buf_data(b);
	uint32_t len = pk_buf_len(b), l4_len = len - f->l4, sum;

	if (f->v6) {
		pk_put_be16(p + 4, (uint16_t)(len - PK_IP6_HLEN));
	} else {
		pk_put_be16(p + 2, (uint16_t)len);
		pk_put_be16(p + 10, 0);
		pk_ip4_csum_fill(p, PK_IP4_HLEN);
	}
	/* PK_CSUM_PARTIAL: the folded, uncomplemented pseudo-header sum. */
	sum = gro_pseudo(p, f->v6, l4_len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	pk_put_be16(p + f->l4 + 16, (uint16_t)sum);
	pk_buf_offload_clear(b);
	pk_buf_set_csum_partial(b, f->l4, 16);
	pk_buf_set_gso(b, f->gso_size, f->v6 ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
}

/* Emit flow @i to @out (which has room) and close it. */
static void gro_emit(struct pk_gro *gro, uint32_t i, struct pk_batch *out)
{
	struct gro_flow *f = &gro->flows[i];

	if (f->count > 1)
		gro_finish(f);
	else if (f->verified && f->b->csum == PK_CSUM_NONE && !pk_buf_is_shared(f->b))
		f->b->csum = PK_CSUM_VERIFIED;
	pk_batch_add(out, f->b);
	gro->n--;
	memmove(f, f + 1, (gro->n - i) * sizeof(*f));
}

/* Emit every flow between the addresses of @s. */
static void gro_flush_pair(struct pk_gro *gro, const struct gro_seg *s, struct pk_batch *out)
{
	for (uint32_t i = 0; i < gro->n;) {
		const struct gro_flow *f = &gro->flows[i];

		if (f->v6 == s->v6 && memcmp(f->key, s->addrs, s->pair_len) == 0)
			gro_emit(gro, i, out);
		else
			i++;
	}
}

/* Whether segment @s continues flow @f exactly. */
static bool gro_continues(const struct pk_gro *gro, const struct gro_flow *f,
			  const struct gro_seg *s)
{
	const uint8_t *h = pk_buf_data(f->b), *p = s->p, *hth = h + f->l4, *th = s->th;
	uint32_t payload = s->len - s->hdr_end;

	if (s->hdr_end != f->hdr_end || s->seq != f->next_seq || payload > f->gso_size ||
	    pk_buf_len(f->b) + payload > gro->max_len)
		return false;
	if (s->v6) {
		if (memcmp(p, h, 4) != 0 || p[7] != h[7])
			return false;
	} else if (p[1] != h[1] || memcmp(p + 6, h + 6, 4) != 0 || pk_get_be16(p + 4) != f->ip_id) {
		return false;
	}
	/* Acknowledgement, header length, flags but PSH, window, urgent
	 * pointer, options: as the first segment's. */
	return memcmp(th + 8, hth + 8, 5) == 0 && (th[13] & ~PK_TCP_PSH) == hth[13] &&
	       memcmp(th + 14, hth + 14, 2) == 0 &&
	       memcmp(th + 18, hth + 18, f->hdr_end - f->l4 - 18) == 0;
}

/* Append @b's payload to flow @i; false (nothing done) if no buffer was free. */
static bool gro_append(struct pk_gro *gro, uint32_t i, struct pk_buf *b, const struct gro_seg *s,
		       struct pk_batch *out)
{
	struct gro_flow *f = &gro->flows[i];
	uint32_t payload = s->len - s->hdr_end;

	if (!f->own) {
		struct pk_buf *h = f->b;
		uint32_t hlen = pk_buf_len(h);

		if (pk_buf_is_shared(h) || pk_buf_tailroom(h) < gro->max_len - hlen) {
			struct pk_buf *nb = pk_buf_alloc(gro->max_len);

			if (!nb)
				return false;
			pk_buf_trim(nb, hlen);
			memcpy(pk_buf_data(nb), pk_buf_data(h), hlen);
			nb->hop_limit = h->hop_limit; /* the same packet, travelling on */
			pk_buf_unref(h);
			f->b = nb;
		}
		f->own = true;
	}
	memcpy(pk_buf_put(f->b, payload), s->p + s->hdr_end, payload);
	pk_buf_unref(b);
	f->count++;
	f->next_seq += payload;
	f->ip_id++;
	/* A short segment or PSH ends the super-packet; so does a full one. */
	if ((s->flags & PK_TCP_PSH) || payload < f->gso_size ||
	    pk_buf_len(f->b) + f->gso_size > gro->max_len) {
		pk_buf_data(f->b)[f->l4 + 13] |= s->flags & PK_TCP_PSH;
		gro_emit(gro, i, out);
	}
	return true;
}

/* Open a flow for segment @s in @b (the table has room). */
static void gro_open(struct pk_gro *gro, struct pk_buf *b, const struct gro_seg *s)
{
	struct gro_flow *f = &gro->flows[gro->n++];
	uint32_t payload = s->len - s->hdr_end;

	f->b = b;
	f->hash = s->hash;
	f->next_seq = s->seq + payload;
	f->hdr_end = s->hdr_end;
	f->l4 = (uint16_t)s->l4;
	f->gso_size = (uint16_t)payload;
	f->count = 1;
	f->ip_id = s->v6 ? 0 : (uint16_t)(pk_get_be16(s->p + 4) + 1);
	f->v6 = s->v6;
	f->own = false;
	f->verified = s->verified;
	f->pair_len = s->pair_len;
	memcpy(f->key, s->addrs, s->pair_len);
	memcpy(f->key + s->pair_len, s->th, 4);
}

int pk_gro_add(struct pk_gro *gro, struct pk_buf *b, struct pk_batch *out)
{
	struct gro_seg s;
	enum gro_kind kind;
	int i;

	if (PK_UNLIKELY(out->n + gro->n + 1 > PK_BATCH_MAX))
		return -ENOSPC;
	kind = gro_parse(b, &s);
	switch (kind) {
	case GRO_OTHER:
		pk_batch_add(out, b);
		return 0;
	case GRO_PAIR:
		gro_flush_pair(gro, &s, out);
		pk_batch_add(out, b);
		return 0;
	case GRO_FLOW:
	case GRO_MERGE:
		break;
	}
	i = gro_find(gro, &s);
	if (i >= 0) {
		if (kind == GRO_MERGE && gro_continues(gro, &gro->flows[i], &s) &&
		    gro_append(gro, (uint32_t)i, b, &s, out))
			return 0;
		gro_emit(gro, (uint32_t)i, out);
	}
	/* Nothing to wait for: passes alone. */
	if (kind != GRO_MERGE || (s.flags & PK_TCP_PSH) ||
	    s.len + (s.len - s.hdr_end) > gro->max_len) {
		if (s.verified && b->csum == PK_CSUM_NONE && !pk_buf_is_shared(b))
			b->csum = PK_CSUM_VERIFIED;
		pk_batch_add(out, b);
		return 0;
	}
	if (gro->n == gro->max_flows)
		gro_emit(gro, 0, out);
	gro_open(gro, b, &s);
	return 0;
}

int pk_gro_flush(struct pk_gro *gro, struct pk_batch *out)
{
	while (gro->n > 0) {
		if (pk_batch_full(out))
			return 0;
		gro_emit(gro, 0, out);
	}
	return 1;
}
