/* SPDX-License-Identifier: MIT
 * fuzz-nat-pmp.c - Arbitrary datagrams to the NAT-PMP/PCP server (see fuzz-nat-pmp.h)
 *
 * The payload is the datagram as is: NAT-PMP, PCP, other versions, runts.
 * Seeds: tests/fuzz/corpus/nat-pmp (tests/fuzz/gen-nat-pmp-corpus.py).
 */
#include "fuzz-nat-pmp.h"

static size_t fuzz_nat_pmp_datagram(const struct nat_pmp_addr *client, const uint8_t *p, size_t n,
				    uint8_t ctl, uint8_t *out)
{
	(void)client;
	(void)ctl;
	memcpy(out, p, n);
	return n;
}
