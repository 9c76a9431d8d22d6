/* SPDX-License-Identifier: MIT
 * nat64-dns64.c - DNS64 (RFC 6147): synthesise AAAA records from A records, sans-I/O
 */
#include "nat64-dns64.h"

#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/dns.h>

/* ::ffff:0:0/96, the default exclusion (RFC 6147 section 5.1.4). */
static const struct pk_prefix nat64_dns64_mapped = {
	.family = 6,
	.len = 96,
	.addr = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff },
};

/* Parse a response to a standard query with one question of @qtype. */
static bool nat64_dns64_parse(const uint8_t *p, uint32_t len, uint16_t qtype, struct pk_dns_msg *m)
{
	if (!p || pk_dns_parse(p, len, m) != PK_DNS_OK)
		return false;
	return (m->flags & PK_DNS_F_QR) && m->opcode == 0 && m->qdcount == 1 && m->has_question &&
	       m->question.qtype == qtype;
}

static bool nat64_dns64_excluded(const struct nat64_dns64_config *cfg, const uint8_t v6[16])
{
	if (!cfg->exclude)
		return pk_prefix_contains(&nat64_dns64_mapped, 6, v6);
	for (unsigned int i = 0; i < cfg->n_exclude; i++)
		if (cfg->exclude[i].family == 6 && pk_prefix_contains(&cfg->exclude[i], 6, v6))
			return true;
	return false;
}

enum nat64_dns64_action nat64_dns64_check(const uint8_t *resp, uint32_t len,
					  const struct nat64_dns64_config *cfg)
{
	struct pk_dns_msg m;
	struct pk_dns_iter it;
	struct pk_dns_rr rr;

	if (!nat64_dns64_parse(resp, len, PK_DNS_T_AAAA, &m) ||
	    m.question.qclass != PK_DNS_CLASS_IN)
		return NAT64_DNS64_INVALID;
	if (m.flags & PK_DNS_F_CD)
		return NAT64_DNS64_PASS;
	if (m.rcode == PK_DNS_RCODE_NXDOMAIN)
		return NAT64_DNS64_PASS;
	if (m.rcode != PK_DNS_RCODE_NOERROR)
		return NAT64_DNS64_NEED_A;
	pk_dns_iter_init(&it, &m);
	while (pk_dns_next_rr(&it, &rr)) {
		if (rr.section != PK_DNS_SEC_ANSWER)
			break;
		if (rr.type == PK_DNS_T_AAAA && rr.rclass == PK_DNS_CLASS_IN &&
		    !nat64_dns64_excluded(cfg, rr.aaaa.b))
			return NAT64_DNS64_PASS;
	}
	return NAT64_DNS64_NEED_A;
}

uint32_t nat64_dns64_a_query(const uint8_t *aaaa, uint32_t len, uint16_t id, uint8_t *out,
			     uint32_t cap)
{
	struct pk_dns_msg m;
	struct pk_dns_query_params qp = { 0 };
	uint8_t qname[PK_DNS_NAME_MAX];
	uint32_t qlen;

	if (!nat64_dns64_parse(aaaa, len, PK_DNS_T_AAAA, &m))
		return 0;
	if (pk_dns_name_unpack(&m.question.name, qname, &qlen) != PK_DNS_OK)
		return 0;
	qp.id = id;
	qp.qtype = PK_DNS_T_A;
	qp.qclass = m.question.qclass;
	qp.rd = m.flags & PK_DNS_F_RD;
	qp.edns_udp_size = m.edns ? PK_DNS_EDNS_UDP_DEFAULT : 0;
	return pk_dns_build_query(out, cap, qname, qlen, &qp);
}

/* A writer that refuses what does not fit. */
struct nat64_dns64_w {
	uint8_t *out;
	uint32_t cap;
	uint32_t len;
};

static bool nat64_dns64_put(struct nat64_dns64_w *w, const void *p, uint32_t n)
{
	if (n > w->cap - w->len)
		return false;
	memcpy(w->out + w->len, p, n);
	w->len += n;
	return true;
}

/* Write one record: @owner uncompressed, then type, class, TTL and RDATA. */
static bool nat64_dns64_put_rr(struct nat64_dns64_w *w, const struct pk_dns_name *owner,
			       uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
			       uint16_t rdlen)
{
	uint8_t name[PK_DNS_NAME_MAX], fixed[10];
	uint32_t nlen, start = w->len;

	if (pk_dns_name_unpack(owner, name, &nlen) != PK_DNS_OK)
		return false;
	pk_put_be16(fixed, type);
	pk_put_be16(fixed + 2, rclass);
	pk_put_be32(fixed + 4, ttl);
	pk_put_be16(fixed + 8, rdlen);
	if (nat64_dns64_put(w, name, nlen) && nat64_dns64_put(w, fixed, 10) &&
	    nat64_dns64_put(w, rdata, rdlen))
		return true;
	w->len = start;
	return false;
}

int nat64_dns64_synthesize(const uint8_t *aaaa, uint32_t aaaa_len, const uint8_t *a, uint32_t a_len,
			   const struct nat64_dns64_config *cfg, uint8_t *out, uint32_t cap)
{
	struct pk_dns_msg m6, m4;
	struct pk_dns_iter it;
	struct pk_dns_rr rr;
	struct nat64_dns64_w w = { out, cap, 0 };
	uint8_t qname[PK_DNS_NAME_MAX], buf[PK_DNS_NAME_MAX];
	uint32_t qlen, ttl_cap = NAT64_DNS64_DEFAULT_TTL, opt_room, n_an = 0;
	uint16_t flags;
	bool tc = false;

	if (!nat64_dns64_parse(aaaa, aaaa_len, PK_DNS_T_AAAA, &m6) ||
	    !nat64_dns64_parse(a, a_len, PK_DNS_T_A, &m4))
		return -1;
	if (m6.question.qclass != m4.question.qclass ||
	    !pk_dns_name_equal(&m6.question.name, &m4.question.name))
		return -1;
	if (m4.rcode != PK_DNS_RCODE_NOERROR)
		return 0;
	if (pk_dns_name_unpack(&m6.question.name, qname, &qlen) != PK_DNS_OK)
		return -1;

	/* The negative-caching TTL of the AAAA response (RFC 2308 section 5). */
	pk_dns_iter_init(&it, &m6);
	while (pk_dns_next_rr(&it, &rr)) {
		if (rr.section == PK_DNS_SEC_AUTHORITY && rr.type == PK_DNS_T_SOA) {
			ttl_cap = rr.ttl < rr.soa.minimum ? rr.ttl : rr.soa.minimum;
			break;
		}
	}

	opt_room = m6.edns ? 11u : 0u;
	if (cap < PK_DNS_HDR_LEN + qlen + 4 + opt_room)
		return -1;
	w.cap = cap - opt_room;
	w.len = PK_DNS_HDR_LEN;
	nat64_dns64_put(&w, qname, qlen);
	pk_put_be16(buf, PK_DNS_T_AAAA);
	pk_put_be16(buf + 2, m6.question.qclass);
	nat64_dns64_put(&w, buf, 4);

	pk_dns_iter_init(&it, &m4);
	while (!tc && pk_dns_next_rr(&it, &rr)) {
		uint8_t v6[16];
		bool ok = true;

		if (rr.section != PK_DNS_SEC_ANSWER)
			break;
		if (rr.rclass != m6.question.qclass)
			continue;
		if (rr.type == PK_DNS_T_CNAME) {
			uint32_t tlen;

			if (pk_dns_name_unpack(&rr.cname, buf, &tlen) != PK_DNS_OK)
				return -1;
			ok = nat64_dns64_put_rr(&w, &rr.name, PK_DNS_T_CNAME, rr.rclass, rr.ttl,
						buf, (uint16_t)tlen);
		} else if (rr.type == PK_DNS_T_A) {
			if (!nat64_prefix_allows(&cfg->prefix, rr.a.b))
				continue;
			nat64_prefix_embed(&cfg->prefix, rr.a.b, v6);
			ok = nat64_dns64_put_rr(&w, &rr.name, PK_DNS_T_AAAA, rr.rclass,
						rr.ttl < ttl_cap ? rr.ttl : ttl_cap, v6, 16);
		} else {
			continue;
		}
		if (ok)
			n_an++;
		else
			tc = true;
	}

	w.cap = cap;
	if (m6.edns) {
		uint8_t opt[11] = { 0 };

		pk_put_be16(opt + 1, PK_DNS_T_OPT);
		pk_put_be16(opt + 3, m6.edns_udp_size);
		pk_put_be32(opt + 5, (uint32_t)m6.edns_version << 16 | (m6.edns_do ? 0x8000u : 0));
		nat64_dns64_put(&w, opt, sizeof(opt));
	}
	flags = PK_DNS_F_QR | (m6.flags & (PK_DNS_F_RD | PK_DNS_F_RA | PK_DNS_F_CD));
	if (tc)
		flags |= PK_DNS_F_TC;
	pk_put_be16(out, m6.id);
	pk_put_be16(out + 2, flags);
	pk_put_be16(out + 4, 1);
	pk_put_be16(out + 6, (uint16_t)n_an);
	pk_put_be16(out + 8, 0);
	pk_put_be16(out + 10, m6.edns ? 1 : 0);
	return (int)w.len;
}
