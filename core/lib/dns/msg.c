/* SPDX-License-Identifier: MIT
 * msg.c - DNS codec: name walk and decompression, message parse and iteration, query building, TCP framing
 */
#include <string.h>
#include <sys/random.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/dns.h>

/* Names ------------------------------------------------------------------- */

/*
 * Walk the name at @off of @msg. @end (if not NULL) gets the offset after the
 * name's own bytes: after its root label or its first pointer. @out (if not
 * NULL) gets the uncompressed wire form, @out_len its length.
 *
 * Loops cannot happen: every pointer must point before the start of the run
 * of labels that reached it (the name's start, or the previous pointer's
 * target), so the positions visited strictly decrease from jump to jump.
 */
static enum pk_dns_err dns_name_walk(const uint8_t *msg, uint32_t len, uint32_t off,
				     uint32_t *end, uint8_t *out, uint32_t *out_len)
{
	uint32_t pos = off, run = off, wlen = 0, hops = 0;
	bool jumped = false;

	for (;;) {
		uint8_t b;

		if (pos >= len)
			return PK_DNS_E_NAME_TRUNC;
		b = msg[pos];
		if ((b & 0xc0) == 0xc0) {
			uint32_t target;

			if (len - pos < 2)
				return PK_DNS_E_NAME_TRUNC;
			target = (uint32_t)(b & 0x3f) << 8 | msg[pos + 1];
			if (!jumped && end)
				*end = pos + 2;
			jumped = true;
			if (target >= pos || target < PK_DNS_HDR_LEN)
				return PK_DNS_E_PTR_FORWARD;
			if (target >= run || ++hops > PK_DNS_MAX_PTR_HOPS)
				return PK_DNS_E_PTR_LOOP;
			pos = run = target;
			continue;
		}
		if (b & 0xc0)
			return PK_DNS_E_LABEL_LONG;
		if (b == 0) {
			/* wlen < PK_DNS_NAME_MAX always: the root fits */
			if (out)
				out[wlen] = 0;
			wlen++;
			if (!jumped && end)
				*end = pos + 1;
			break;
		}
		/* the label and, after it, at least the root label */
		if (wlen + 1u + b >= PK_DNS_NAME_MAX)
			return PK_DNS_E_NAME_LONG;
		if (len - pos - 1 < b)
			return PK_DNS_E_NAME_TRUNC;
		if (out)
			memcpy(out + wlen, msg + pos, 1u + b);
		wlen += 1u + b;
		pos += 1u + b;
	}
	if (out_len)
		*out_len = wlen;
	return PK_DNS_OK;
}

enum pk_dns_err pk_dns_name_unpack(const struct pk_dns_name *n, uint8_t out[PK_DNS_NAME_MAX],
				   uint32_t *len)
{
	return dns_name_walk(n->msg, n->msg_len, n->off, NULL, out, len);
}

static inline uint8_t dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool pk_dns_name_equal(const struct pk_dns_name *a, const struct pk_dns_name *b)
{
	uint8_t wa[PK_DNS_NAME_MAX], wb[PK_DNS_NAME_MAX];
	uint32_t la, lb;

	if (pk_dns_name_unpack(a, wa, &la) != PK_DNS_OK || pk_dns_name_unpack(b, wb, &lb) != PK_DNS_OK)
		return false;
	if (la != lb)
		return false;
	/* Same length and both well formed: label length bytes are < 64, so
	 * they are unchanged by lowering and must match exactly. */
	for (uint32_t i = 0; i < la; i++)
		if (dns_lower(wa[i]) != dns_lower(wb[i]))
			return false;
	return true;
}

size_t pk_dns_name_to_text(const struct pk_dns_name *n, char *buf, size_t cap)
{
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl, i = 0;
	size_t o = 0;

	if (pk_dns_name_unpack(n, w, &wl) != PK_DNS_OK || cap < 2)
		return 0;
	if (wl == 1) {
		buf[0] = '.';
		buf[1] = 0;
		return 1;
	}
	while (w[i]) {
		uint8_t ll = w[i++];

		if (o > 0) {
			if (o + 1 >= cap)
				return 0;
			buf[o++] = '.';
		}
		for (uint8_t k = 0; k < ll; k++) {
			uint8_t c = w[i++];

			if (c == '.' || c == '\\') {
				if (o + 2 >= cap)
					return 0;
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else if (c >= 0x21 && c <= 0x7e) {
				if (o + 1 >= cap)
					return 0;
				buf[o++] = (char)c;
			} else {
				if (o + 4 >= cap)
					return 0;
				buf[o++] = '\\';
				buf[o++] = (char)('0' + c / 100);
				buf[o++] = (char)('0' + c / 10 % 10);
				buf[o++] = (char)('0' + c % 10);
			}
		}
	}
	buf[o] = 0;
	return o;
}

static inline bool dns_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

enum pk_dns_err pk_dns_name_from_text(const char *text, uint8_t out[PK_DNS_NAME_MAX],
				      uint32_t *len)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t w = 1, lab = 0, lab_len = 0;

	if (s[0] == '.' && s[1] == 0) {
		out[0] = 0;
		*len = 1;
		return PK_DNS_OK;
	}
	if (s[0] == 0)
		return PK_DNS_E_EMPTY_LABEL;
	while (*s) {
		unsigned int c = *s;

		if (c == '.') {
			if (lab_len == 0)
				return PK_DNS_E_EMPTY_LABEL;
			out[lab] = (uint8_t)lab_len;
			s++;
			if (*s == 0)
				break;	/* trailing dot */
			/* a new label: its length byte, a byte and the root must fit */
			if (w + 2 >= PK_DNS_NAME_MAX)
				return PK_DNS_E_NAME_LONG;
			lab = w++;
			lab_len = 0;
			continue;
		}
		if (c == '\\') {
			s++;
			if (*s == 0)
				return PK_DNS_E_BAD_ESCAPE;
			if (dns_digit(s[0])) {
				if (!dns_digit(s[1]) || !dns_digit(s[2]))
					return PK_DNS_E_BAD_ESCAPE;
				c = (s[0] - '0') * 100u + (s[1] - '0') * 10u + (s[2] - '0');
				if (c > 255)
					return PK_DNS_E_BAD_ESCAPE;
				s += 3;
			} else {
				c = *s++;
			}
		} else {
			if (c <= 0x20 || c == 0x7f)
				return PK_DNS_E_BAD_CHAR;
			s++;
		}
		if (lab_len == PK_DNS_LABEL_MAX)
			return PK_DNS_E_LABEL_LONG;
		/* this byte and the root label after it */
		if (w + 1 >= PK_DNS_NAME_MAX)
			return PK_DNS_E_NAME_LONG;
		out[w++] = (uint8_t)c;
		lab_len++;
	}
	out[lab] = (uint8_t)lab_len;
	out[w++] = 0;
	*len = w;
	return PK_DNS_OK;
}

/* Parsing ------------------------------------------------------------------ */

static enum pk_dns_section dns_section(const struct pk_dns_msg *m, uint32_t rr_idx)
{
	if (rr_idx < m->ancount)
		return PK_DNS_SEC_ANSWER;
	if (rr_idx < (uint32_t)m->ancount + m->nscount)
		return PK_DNS_SEC_AUTHORITY;
	return PK_DNS_SEC_ADDITIONAL;
}

/* Read (and check) the record at @off; @next gets the offset after it. */
static enum pk_dns_err dns_rr_read(const uint8_t *p, uint32_t len, uint32_t off,
				   struct pk_dns_rr *rr, uint32_t *next)
{
	enum pk_dns_err err;
	uint32_t end, rd, rd_end, e2;

	if (off >= len)
		return PK_DNS_E_RR_TRUNC;	/* the count promised one more */
	err = dns_name_walk(p, len, off, &end, NULL, NULL);
	if (err)
		return err;
	if (len - end < 10)
		return PK_DNS_E_RR_TRUNC;
	rr->name = (struct pk_dns_name){ p, len, off };
	rr->type = pk_get_be16(p + end);
	rr->rclass = pk_get_be16(p + end + 2);
	rr->ttl = pk_get_be32(p + end + 4);
	rr->rdlen = pk_get_be16(p + end + 8);
	rd = end + 10;
	if (len - rd < rr->rdlen)
		return PK_DNS_E_RR_TRUNC;
	rd_end = rd + rr->rdlen;
	rr->rdata = p + rd;
	if (rr->type != PK_DNS_T_OPT && (rr->ttl & 0x80000000u))
		rr->ttl = 0;
	switch (rr->type) {
	case PK_DNS_T_A:
		if (rr->rdlen != 4)
			return PK_DNS_E_RDATA;
		memcpy(rr->a.b, rr->rdata, 4);
		break;
	case PK_DNS_T_AAAA:
		if (rr->rdlen != 16)
			return PK_DNS_E_RDATA;
		memcpy(rr->aaaa.b, rr->rdata, 16);
		break;
	case PK_DNS_T_CNAME:
		/* The name may be compressed (RFC 3597 section 4) but its own
		 * bytes must be exactly the RDATA. */
		if (rr->rdlen == 0)
			return PK_DNS_E_RDATA;
		err = dns_name_walk(p, rd_end, rd, &e2, NULL, NULL);
		if (err == PK_DNS_E_NAME_TRUNC)
			return PK_DNS_E_RDATA;
		if (err)
			return err;
		if (e2 != rd_end)
			return PK_DNS_E_RDATA;
		rr->cname = (struct pk_dns_name){ p, len, rd };
		break;
	case PK_DNS_T_SOA: {
		struct pk_dns_soa *s = &rr->soa;

		if (rr->rdlen == 0)
			return PK_DNS_E_RDATA;
		err = dns_name_walk(p, rd_end, rd, &e2, NULL, NULL);
		if (err == PK_DNS_E_NAME_TRUNC)
			return PK_DNS_E_RDATA;
		if (err)
			return err;
		s->mname = (struct pk_dns_name){ p, len, rd };
		s->rname = (struct pk_dns_name){ p, len, e2 };
		err = dns_name_walk(p, rd_end, e2, &e2, NULL, NULL);
		if (err == PK_DNS_E_NAME_TRUNC)
			return PK_DNS_E_RDATA;
		if (err)
			return err;
		if (rd_end - e2 != 20)
			return PK_DNS_E_RDATA;
		s->serial = pk_get_be32(p + e2);
		s->refresh = pk_get_be32(p + e2 + 4);
		s->retry = pk_get_be32(p + e2 + 8);
		s->expire = pk_get_be32(p + e2 + 12);
		s->minimum = pk_get_be32(p + e2 + 16);
		break;
	}
	default:
		break;
	}
	*next = rd_end;
	return PK_DNS_OK;
}

enum pk_dns_err pk_dns_parse(const uint8_t *p, uint32_t len, struct pk_dns_msg *m)
{
	enum pk_dns_err err;
	uint32_t off = PK_DNS_HDR_LEN, n_rr;
	uint64_t need;

	memset(m, 0, sizeof(*m));
	m->raw = p;
	m->len = len;
	if (len < PK_DNS_HDR_LEN)
		return PK_DNS_E_SHORT;
	m->id = pk_get_be16(p);
	m->flags = pk_get_be16(p + 2);
	m->opcode = (uint8_t)(m->flags >> 11 & 0xf);
	m->rcode = m->flags & 0xf;
	m->qdcount = pk_get_be16(p + 4);
	m->ancount = pk_get_be16(p + 6);
	m->nscount = pk_get_be16(p + 8);
	m->arcount = pk_get_be16(p + 10);
	n_rr = (uint32_t)m->ancount + m->nscount + m->arcount;
	/* root name + type + class (+ ttl + rdlength): the smallest entries */
	need = PK_DNS_HDR_LEN + 5ull * m->qdcount + 11ull * n_rr;
	if (need > len) {
		uint32_t end;

		/* still show the question, so a reply can be matched */
		if (m->qdcount && !dns_name_walk(p, len, off, &end, NULL, NULL) && len - end >= 4) {
			m->question.name = (struct pk_dns_name){ p, len, off };
			m->question.qtype = pk_get_be16(p + end);
			m->question.qclass = pk_get_be16(p + end + 2);
			m->has_question = true;
		}
		return PK_DNS_E_COUNTS;
	}

	for (uint32_t i = 0; i < m->qdcount; i++) {
		uint32_t end;

		if (off >= len)
			return PK_DNS_E_RR_TRUNC;
		err = dns_name_walk(p, len, off, &end, NULL, NULL);
		if (err)
			return err;
		if (len - end < 4)
			return PK_DNS_E_RR_TRUNC;
		if (i == 0) {
			m->question.name = (struct pk_dns_name){ p, len, off };
			m->question.qtype = pk_get_be16(p + end);
			m->question.qclass = pk_get_be16(p + end + 2);
			m->has_question = true;
		}
		off = end + 4;
	}
	m->an_off = off;
	for (uint32_t i = 0; i < n_rr; i++) {
		struct pk_dns_rr rr;
		uint32_t next;

		err = dns_rr_read(p, len, off, &rr, &next);
		if (err)
			return err;
		if (rr.type == PK_DNS_T_OPT) {
			if (dns_section(m, i) != PK_DNS_SEC_ADDITIONAL || p[off] != 0 || m->edns)
				return PK_DNS_E_OPT;
			m->edns = true;
			m->edns_udp_size = rr.rclass;
			m->rcode |= (uint16_t)((rr.ttl >> 24) << 4);
			m->edns_version = (uint8_t)(rr.ttl >> 16);
			m->edns_do = rr.ttl & 0x8000u;
		}
		off = next;
	}
	m->end = off;
	return PK_DNS_OK;
}

void pk_dns_iter_init(struct pk_dns_iter *it, const struct pk_dns_msg *m)
{
	it->m = m;
	it->off = PK_DNS_HDR_LEN;
	it->idx = 0;
}

bool pk_dns_next_question(struct pk_dns_iter *it, struct pk_dns_question *q)
{
	const struct pk_dns_msg *m = it->m;
	uint32_t end;

	if (it->idx >= m->qdcount)
		return false;
	if (dns_name_walk(m->raw, m->len, it->off, &end, NULL, NULL) || m->len - end < 4)
		return false;	/* not a message pk_dns_parse() accepted */
	q->name = (struct pk_dns_name){ m->raw, m->len, it->off };
	q->qtype = pk_get_be16(m->raw + end);
	q->qclass = pk_get_be16(m->raw + end + 2);
	it->off = end + 4;
	it->idx++;
	return true;
}

bool pk_dns_next_rr(struct pk_dns_iter *it, struct pk_dns_rr *rr)
{
	const struct pk_dns_msg *m = it->m;
	uint32_t next;

	if (it->idx < m->qdcount) {
		it->off = m->an_off;
		it->idx = m->qdcount;
	}
	if (it->idx - m->qdcount >= (uint32_t)m->ancount + m->nscount + m->arcount)
		return false;
	if (dns_rr_read(m->raw, m->len, it->off, rr, &next))
		return false;
	rr->section = dns_section(m, it->idx - m->qdcount);
	it->off = next;
	it->idx++;
	return true;
}

const char *pk_dns_err_name(enum pk_dns_err err)
{
	switch (err) {
	case PK_DNS_OK:
		return "ok";
	case PK_DNS_E_SHORT:
		return "short";
	case PK_DNS_E_COUNTS:
		return "counts-exceed-message";
	case PK_DNS_E_NAME_TRUNC:
		return "name-truncated";
	case PK_DNS_E_LABEL_LONG:
		return "label-too-long";
	case PK_DNS_E_NAME_LONG:
		return "name-too-long";
	case PK_DNS_E_PTR_FORWARD:
		return "pointer-forward";
	case PK_DNS_E_PTR_LOOP:
		return "pointer-loop";
	case PK_DNS_E_RR_TRUNC:
		return "record-truncated";
	case PK_DNS_E_RDATA:
		return "bad-rdata";
	case PK_DNS_E_OPT:
		return "bad-opt";
	case PK_DNS_E_EMPTY_LABEL:
		return "empty-label";
	case PK_DNS_E_BAD_CHAR:
		return "bad-character";
	case PK_DNS_E_BAD_ESCAPE:
		return "bad-escape";
	case PK_DNS_E_NO_SPACE:
		return "no-space";
	}
	return "unknown";
}

/* Building and framing ----------------------------------------------------- */

uint32_t pk_dns_build_query(uint8_t *out, uint32_t cap, const uint8_t *qname, uint32_t qname_len,
			    const struct pk_dns_query_params *qp)
{
	uint32_t end, wl, need, o;

	/* A standalone wire name: no pointers (nothing to point to), and its
	 * bytes exactly @qname_len. */
	if (qname_len == 0 || qname_len > PK_DNS_NAME_MAX ||
	    dns_name_walk(qname, qname_len, 0, &end, NULL, &wl) || end != qname_len ||
	    wl != qname_len)
		return 0;
	need = PK_DNS_HDR_LEN + qname_len + 4 + (qp->edns_udp_size ? 11u : 0u);
	if (need > cap)
		return 0;
	pk_put_be16(out, qp->id);
	pk_put_be16(out + 2, qp->rd ? PK_DNS_F_RD : 0);
	pk_put_be16(out + 4, 1);
	pk_put_be16(out + 6, 0);
	pk_put_be16(out + 8, 0);
	pk_put_be16(out + 10, qp->edns_udp_size ? 1 : 0);
	memcpy(out + PK_DNS_HDR_LEN, qname, qname_len);
	o = PK_DNS_HDR_LEN + qname_len;
	pk_put_be16(out + o, qp->qtype);
	pk_put_be16(out + o + 2, qp->qclass ? qp->qclass : PK_DNS_CLASS_IN);
	o += 4;
	if (qp->edns_udp_size) {
		out[o] = 0;	/* root owner */
		pk_put_be16(out + o + 1, PK_DNS_T_OPT);
		pk_put_be16(out + o + 3, qp->edns_udp_size < PK_DNS_UDP_MAX ?
				 (uint16_t)PK_DNS_UDP_MAX : qp->edns_udp_size);
		pk_put_be32(out + o + 5, 0);	/* extended rcode, version 0, no DO */
		pk_put_be16(out + o + 9, 0);	/* no options */
		o += 11;
	}
	return o;
}

uint16_t pk_dns_random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
		id = (uint16_t)g_random_int();
	return id;
}

uint32_t pk_dns_tcp_frame(uint8_t *out, uint32_t cap, const uint8_t *msg, uint32_t len)
{
	if (len > 0xffff || cap < len + PK_DNS_TCP_PREFIX)
		return 0;
	memmove(out + PK_DNS_TCP_PREFIX, msg, len);
	pk_put_be16(out, (uint16_t)len);
	return len + PK_DNS_TCP_PREFIX;
}

size_t pk_dns_tcp_unframe(const uint8_t *stream, size_t len, const uint8_t **msg,
			  uint32_t *msg_len)
{
	uint32_t n;

	if (len < PK_DNS_TCP_PREFIX)
		return 0;
	n = pk_get_be16(stream);
	if (len - PK_DNS_TCP_PREFIX < n)
		return 0;
	*msg = stream + PK_DNS_TCP_PREFIX;
	*msg_len = n;
	return PK_DNS_TCP_PREFIX + (size_t)n;
}
