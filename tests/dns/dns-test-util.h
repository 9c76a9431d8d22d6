/* SPDX-License-Identifier: MIT
 * dns-test-util.h - Hand-built DNS messages for the codec and resolver tests
 */
#ifndef DNS_TEST_UTIL_H
#define DNS_TEST_UTIL_H

#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/dns.h>

#define MS 1000000ull
#define SEC 1000000000ull

/* A message under construction. */
struct mb {
	uint8_t b[8192];
	uint32_t len;
};

static G_GNUC_UNUSED void mb_u8(struct mb *m, uint8_t v)
{
	g_assert_cmpuint(m->len + 1, <=, sizeof(m->b));
	m->b[m->len++] = v;
}

static G_GNUC_UNUSED void mb_u16(struct mb *m, uint16_t v)
{
	mb_u8(m, (uint8_t)(v >> 8));
	mb_u8(m, (uint8_t)v);
}

static G_GNUC_UNUSED void mb_u32(struct mb *m, uint32_t v)
{
	mb_u16(m, (uint16_t)(v >> 16));
	mb_u16(m, (uint16_t)v);
}

static G_GNUC_UNUSED void mb_bytes(struct mb *m, const void *p, uint32_t n)
{
	g_assert_cmpuint(m->len + n, <=, sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static G_GNUC_UNUSED void mb_hdr(struct mb *m, uint16_t id, uint16_t flags, uint16_t qd,
				 uint16_t an, uint16_t ns, uint16_t ar)
{
	m->len = 0;
	mb_u16(m, id);
	mb_u16(m, flags);
	mb_u16(m, qd);
	mb_u16(m, an);
	mb_u16(m, ns);
	mb_u16(m, ar);
}

/* Overwrite a header count: 0 qd, 1 an, 2 ns, 3 ar. */
static G_GNUC_UNUSED void mb_set_count(struct mb *m, int which, uint16_t v)
{
	pk_put_be16(m->b + 4 + 2 * which, v);
}

/* Append a name uncompressed; returns its offset. */
static G_GNUC_UNUSED uint32_t mb_name(struct mb *m, const char *text)
{
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl, off = m->len;

	g_assert_cmpint(pk_dns_name_from_text(text, w, &wl), ==, PK_DNS_OK);
	mb_bytes(m, w, wl);
	return off;
}

/* Append a compression pointer. */
static G_GNUC_UNUSED void mb_ptr(struct mb *m, uint16_t off)
{
	mb_u16(m, (uint16_t)(0xc000u | off));
}

/* Append "label" then a pointer (a name compressed onto an earlier one). */
static G_GNUC_UNUSED uint32_t mb_label_ptr(struct mb *m, const char *label, uint16_t off)
{
	uint32_t at = m->len;

	mb_u8(m, (uint8_t)strlen(label));
	mb_bytes(m, label, (uint32_t)strlen(label));
	mb_ptr(m, off);
	return at;
}

static G_GNUC_UNUSED void mb_question(struct mb *m, const char *name, uint16_t qtype)
{
	mb_name(m, name);
	mb_u16(m, qtype);
	mb_u16(m, PK_DNS_CLASS_IN);
}

/* Type, class IN, TTL and RDLENGTH after an owner name already appended. */
static G_GNUC_UNUSED void mb_rr_fixed(struct mb *m, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	mb_u16(m, type);
	mb_u16(m, PK_DNS_CLASS_IN);
	mb_u32(m, ttl);
	mb_u16(m, rdlen);
}

/* Owner: a text name, or NULL for a pointer to the question (offset 12). */
static G_GNUC_UNUSED void mb_owner(struct mb *m, const char *owner)
{
	if (owner)
		mb_name(m, owner);
	else
		mb_ptr(m, PK_DNS_HDR_LEN);
}

static G_GNUC_UNUSED void mb_a(struct mb *m, const char *owner, uint32_t ttl, uint8_t a, uint8_t b,
			       uint8_t c, uint8_t d)
{
	mb_owner(m, owner);
	mb_rr_fixed(m, PK_DNS_T_A, ttl, 4);
	mb_u8(m, a);
	mb_u8(m, b);
	mb_u8(m, c);
	mb_u8(m, d);
}

static G_GNUC_UNUSED void mb_aaaa(struct mb *m, const char *owner, uint32_t ttl, uint8_t last)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	a[15] = last;
	mb_owner(m, owner);
	mb_rr_fixed(m, PK_DNS_T_AAAA, ttl, 16);
	mb_bytes(m, a, 16);
}

static G_GNUC_UNUSED void mb_cname(struct mb *m, const char *owner, uint32_t ttl, const char *target)
{
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl;

	g_assert_cmpint(pk_dns_name_from_text(target, w, &wl), ==, PK_DNS_OK);
	mb_owner(m, owner);
	mb_rr_fixed(m, PK_DNS_T_CNAME, ttl, (uint16_t)wl);
	mb_bytes(m, w, wl);
}

static G_GNUC_UNUSED void mb_soa(struct mb *m, const char *owner, uint32_t ttl, uint32_t minimum)
{
	uint32_t rdlen_at;

	mb_name(m, owner);
	mb_rr_fixed(m, PK_DNS_T_SOA, ttl, 0);
	rdlen_at = m->len - 2;
	mb_name(m, "ns.example");
	mb_name(m, "hostmaster.example");
	mb_u32(m, 2024010101);
	mb_u32(m, 7200);
	mb_u32(m, 900);
	mb_u32(m, 1209600);
	mb_u32(m, minimum);
	pk_put_be16(m->b + rdlen_at, (uint16_t)(m->len - rdlen_at - 2));
}

#endif /* DNS_TEST_UTIL_H */
