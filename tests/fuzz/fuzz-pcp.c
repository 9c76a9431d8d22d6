/* SPDX-License-Identifier: MIT
 * fuzz-pcp.c - PCP requests with a valid header and arbitrary opcode data and options (see fuzz-nat-pmp.h)
 *
 * The payload's first byte is the opcode, the next four the lifetime, the
 * rest follows the 24-byte header, whose version is 2 and whose client
 * address is the sender's (so ADDRESS_MISMATCH does not stop everything);
 * the length is rounded down to a multiple of 4 unless bit 7 of the step's
 * control byte is set. Seeds: tests/fuzz/corpus/pcp (gen-nat-pmp-corpus.py).
 */
#include "fuzz-nat-pmp.h"

static size_t fuzz_nat_pmp_datagram(const struct nat_pmp_addr *client, const uint8_t *p, size_t n,
				    uint8_t ctl, uint8_t *out)
{
	size_t len;

	memset(out, 0, 24);
	out[0] = 2;
	if (n >= 1)
		out[1] = p[0] & 0x7f;
	if (n >= 5)
		memcpy(out + 4, p + 1, 4);
	memcpy(out + 8, client->b, 16);
	len = 24;
	if (n > 5) {
		memcpy(out + 24, p + 5, n - 5);
		len += n - 5;
	}
	if (!(ctl & 0x80))
		len &= ~(size_t)3;
	return len;
}
