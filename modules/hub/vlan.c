// SPDX-License-Identifier: MIT
/* vlan.c - 802.1Q for l2.hub: VLAN list parsing and tag push/pop/rewrite on egress */
#include <errno.h>
#include <stdlib.h>

#include <pktkit/error.h>

#include "vlan.h"

/* Parse one VLAN id at *p, advancing it. */
static bool vlan_list_number(const char **p, uint32_t *out)
{
	char *end;
	unsigned long v;

	while (**p == ' ')
		(*p)++;
	if (!g_ascii_isdigit(**p))
		return false;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v < 1 || v > VLAN_ID_MAX)
		return false;
	*p = end;
	while (**p == ' ')
		(*p)++;
	*out = (uint32_t)v;
	return true;
}

bool vlan_list_parse(const char *text, uint64_t *bits, bool *all, GError **error)
{
	const char *p = text;

	memset(bits, 0, VLAN_BITMAP_WORDS * sizeof(*bits));
	*all = !text || !*text;
	if (*all) {
		memset(bits, 0xff, VLAN_BITMAP_WORDS * sizeof(*bits));
		return true;
	}
	for (;;) {
		const char *item = p;
		uint32_t lo, hi;

		if (!vlan_list_number(&p, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (!vlan_list_number(&p, &hi) || hi < lo)
				goto bad;
		}
		for (uint32_t v = lo; v <= hi; v++)
			bits[v >> 6] |= UINT64_C(1) << (v & 63);
		if (*p == '\0')
			return true;
		if (*p != ',')
			goto bad;
		p++;
		continue;
bad:
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "bad VLAN list at \"%.20s\": use ids 1..4094 and ranges like \"10,20,100-199\"",
			    item);
		return false;
	}
}

/* Set the VID of the outer tag, keeping priority and DEI. */
static void vlan_set_vid(uint8_t *frame, uint32_t vid)
{
	uint16_t tci = pk_get_be16(frame + 2 * PK_ETH_ALEN + 2);

	pk_put_be16(frame + 2 * PK_ETH_ALEN + 2,
		    (uint16_t)((tci & ~PK_VLAN_VID_MASK) | (vid & PK_VLAN_VID_MASK)));
}

/* Offload metadata of @b for its copy @n whose payload moved by @shift bytes
 * (a tag inserted or removed in front of it). */
static void vlan_offload_copy(struct pk_buf *n, const struct pk_buf *b, int32_t shift)
{
	pk_buf_offload_copy(n, b);
	if (n->csum == PK_CSUM_PARTIAL)
		n->csum_start = (uint16_t)((int32_t)n->csum_start + shift);
}

struct pk_buf *vlan_reform_copy(const struct pk_buf *b, const struct vlan_frame *f,
				enum vlan_form form)
{
	const uint8_t *src = pk_buf_data(b);
	uint32_t len = pk_buf_len(b);
	const uint32_t macs = 2 * PK_ETH_ALEN;
	struct pk_buf *n;
	uint8_t *dst;

	if (form == VLAN_FORM_TAGGED && f->tagged) {
		n = pk_buf_copy(b);
		if (n)
			vlan_set_vid(pk_buf_data(n), f->vlan);
		return n;
	}
	if (form == VLAN_FORM_TAGGED) {
		n = pk_buf_alloc(len + PK_VLAN_HLEN);
		if (!n)
			return NULL;
		dst = pk_buf_data(n);
		memcpy(dst, src, macs);
		pk_put_be16(dst + macs, PK_ETH_P_VLAN);
		pk_put_be16(dst + macs + 2, (uint16_t)f->vlan);
		memcpy(dst + macs + PK_VLAN_HLEN, src + macs, len - macs);
		vlan_offload_copy(n, b, (int32_t)PK_VLAN_HLEN);
		return n;
	}
	/* Untagged: the caller only asks this of a tagged frame (>= 18 bytes). */
	n = pk_buf_alloc(len - PK_VLAN_HLEN);
	if (!n)
		return NULL;
	dst = pk_buf_data(n);
	memcpy(dst, src, macs);
	memcpy(dst + macs, src + macs + PK_VLAN_HLEN, len - macs - PK_VLAN_HLEN);
	vlan_offload_copy(n, b, -(int32_t)PK_VLAN_HLEN);
	return n;
}

struct pk_buf *vlan_reform_inplace(struct pk_dev *dev, struct pk_buf *b,
				   const struct vlan_frame *f, enum vlan_form form)
{
	struct pk_buf *w = pk_buf_writable(dev, b);

	if (G_UNLIKELY(!w))
		return NULL;
	if (form == VLAN_FORM_UNTAGGED) {
		pk_eth_vlan_pop(w);
		return w;
	}
	if (f->tagged) {
		vlan_set_vid(pk_buf_data(w), f->vlan);
		return w;
	}
	if (G_LIKELY(pk_eth_vlan_push(w, PK_ETH_P_VLAN, (uint16_t)f->vlan)))
		return w;
	/* Not enough headroom (a buffer not from the pool): build a new one. */
	w = vlan_reform_copy(w, f, form);
	if (w)
		pk_dev_autorelease(dev, w);
	return w;
}
