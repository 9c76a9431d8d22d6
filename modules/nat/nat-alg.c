/* SPDX-License-Identifier: MIT
 * nat-alg.c - The registry of built-in ALGs and the parsing/rewriting helpers they share
 */
#include <netinet/in.h>
#include <string.h>

#include "nat-alg.h"

static const struct nat_alg *const nat_alg_list[] = {
	&nat_alg_ftp, &nat_alg_tftp, &nat_alg_irc, &nat_alg_sip, &nat_alg_pptp, &nat_alg_h323, NULL,
};

const struct nat_alg *const *nat_alg_builtin(void)
{
	return nat_alg_list;
}

const struct nat_alg *nat_alg_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; nat_alg_list[i]; i++)
		if (strcmp(nat_alg_list[i]->name, name) == 0)
			return nat_alg_list[i];
	return NULL;
}

bool nat_alg_handles(const struct nat_alg *alg, uint8_t proto)
{
	if (proto == IPPROTO_TCP)
		return (alg->protos & NAT_ALG_PROTO_TCP) != 0;
	if (proto == IPPROTO_UDP)
		return (alg->protos & NAT_ALG_PROTO_UDP) != 0;
	return false;
}

bool nat_alg_apply_edits(uint8_t *payload, size_t *len, size_t cap,
			 const struct nat_alg_edit *edits, size_t n)
{
	size_t old_len = *len;
	size_t new_len = old_len;

	for (size_t k = 0; k < n; k++) {
		if (edits[k].off + edits[k].len > old_len)
			return false;
		if (k > 0 && edits[k].off < edits[k - 1].off + edits[k - 1].len)
			return false;
		new_len = new_len - edits[k].len + edits[k].text_len;
	}
	if (new_len > cap)
		return false;
	/*
	 * Shrinking edits first, then growing ones, each pass from the last
	 * edit to the first (so the offsets of those not yet applied in the
	 * pass stay valid): the length goes down to at least the final one,
	 * then up to it, never above max(old, new) <= @cap on the way.
	 */
	size_t cur_len = old_len;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = n; k-- > 0;) {
			const struct nat_alg_edit *e = &edits[k];
			size_t off = e->off;

			if ((pass == 0) != (e->text_len <= e->len))
				continue;
			/* In the second pass, earlier shrinking edits moved this one. */
			for (size_t j = 0; pass == 1 && j < k; j++)
				if (edits[j].text_len <= edits[j].len)
					off -= edits[j].len - edits[j].text_len;
			size_t tail = cur_len - (off + e->len);

			memmove(payload + off + e->text_len, payload + off + e->len, tail);
			memcpy(payload + off, e->text, e->text_len);
			cur_len = cur_len - e->len + e->text_len;
		}
	}
	*len = cur_len;
	return true;
}

bool nat_alg_parse_dec(const uint8_t *p, size_t len, size_t *i, unsigned maxdig, uint32_t max,
		       uint32_t *v)
{
	uint64_t acc = 0;
	unsigned nd = 0;
	size_t j = *i;

	while (j < len && p[j] >= '0' && p[j] <= '9') {
		if (++nd > maxdig)
			return false;
		acc = acc * 10 + (uint64_t)(p[j] - '0');
		j++;
	}
	if (nd == 0 || acc > max)
		return false;
	*v = (uint32_t)acc;
	*i = j;
	return true;
}

bool nat_alg_parse_dotted(const uint8_t *p, size_t len, size_t *i, uint32_t *addr)
{
	size_t j = *i;
	uint8_t b[4];

	for (int k = 0; k < 4; k++) {
		uint32_t v;

		if (k > 0) {
			if (j >= len || p[j] != '.')
				return false;
			j++;
		}
		if (!nat_alg_parse_dec(p, len, &j, 3, 255, &v))
			return false;
		b[k] = (uint8_t)v;
	}
	memcpy(addr, b, 4);
	*i = j;
	return true;
}

size_t nat_alg_fmt_dec(char *out, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t k = 0; k < n; k++)
		out[k] = tmp[n - 1 - k];
	return n;
}

size_t nat_alg_fmt_addr(char *out, uint32_t addr, char sep)
{
	uint8_t b[4];
	size_t n = 0;

	memcpy(b, &addr, 4);
	for (int k = 0; k < 4; k++) {
		if (k > 0)
			out[n++] = sep;
		n += nat_alg_fmt_dec(out + n, b[k]);
	}
	return n;
}
