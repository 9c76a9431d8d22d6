/* SPDX-License-Identifier: MIT
 * nat64-dns64.h - DNS64 (RFC 6147): synthesise AAAA records from A records, sans-I/O
 *
 * A DNS64 sits between IPv6-only clients and a recursive resolver. For a
 * AAAA query it forwards the query; when the AAAA response has no usable
 * AAAA record it asks for the A records of the same name and answers with
 * AAAA records made from them under the NAT64 prefix. This file is the
 * message logic only; the caller does the I/O:
 *
 *  1. nat64_dns64_check() on the AAAA response: NAT64_DNS64_PASS: forward it
 *     unchanged; NAT64_DNS64_NEED_A: send the A query nat64_dns64_a_query()
 *     writes (or use the answer of an A query sent in parallel);
 *  2. nat64_dns64_synthesize() with both responses writes the answer for the
 *     client (or says to forward the AAAA response after all).
 *
 * Messages are parsed with the project's DNS codec (<pktkit/toolkit/dns.h>)
 * and never trusted: every function copes with arbitrary bytes. Nothing is
 * allocated; no pointer is kept. Context: any thread.
 */
#ifndef PK_NAT64_DNS64_H
#define PK_NAT64_DNS64_H

#include <stdbool.h>
#include <stdint.h>

#include <pktkit/addr.h>

#include "nat64-prefix.h"

/* TTL of synthesised records when the AAAA response has no SOA (RFC 6147
 * section 5.1.7). */
#define NAT64_DNS64_DEFAULT_TTL 600u

/**
 * struct nat64_dns64_config - How to synthesise
 * @prefix:	The NAT64 prefix; with the Well-Known Prefix, A records of
 *		non-global addresses are not synthesised (RFC 6052 3.1)
 * @exclude:	IPv6 prefixes whose AAAA records count as absent (RFC 6147
 *		section 5.1.4); NULL: the default, ::ffff:0:0/96
 * @n_exclude:	Entries in @exclude (0 with a non-NULL @exclude: none)
 */
struct nat64_dns64_config {
	struct nat64_prefix prefix;
	const struct pk_prefix *exclude;
	unsigned int n_exclude;
};

/* What to do with a AAAA response. */
enum nat64_dns64_action {
	NAT64_DNS64_PASS = 0, /* forward it unchanged */
	NAT64_DNS64_NEED_A,   /* synthesise: ask for the A records */
	NAT64_DNS64_INVALID,  /* malformed, or not a response to a AAAA/IN query */
};

/**
 * nat64_dns64_check() - Whether a AAAA response needs synthesis
 * @resp:	The AAAA response (a UDP payload or unframed TCP message)
 * @len:	Its length
 * @cfg:	Configuration
 *
 * NAT64_DNS64_NEED_A when the response to a AAAA query of class IN has
 * RCODE 0 and no AAAA record for the name outside the excluded prefixes
 * (section 5.1.1, 5.1.4), or an RCODE other than 0 and 3 (5.1.2: treated
 * as empty). NXDOMAIN passes (5.1.3), and so does a response with CD set: a
 * validating client asked and gets the real data (5.5).
 *
 * Context: any thread.
 */
enum nat64_dns64_action nat64_dns64_check(const uint8_t *resp, uint32_t len,
					  const struct nat64_dns64_config *cfg);

/**
 * nat64_dns64_a_query() - The A query for the name a AAAA response answers
 * @aaaa:	The AAAA response
 * @len:	Its length
 * @id:		Query ID to use (pk_dns_random_id())
 * @out:	Destination, PK_DNS_QUERY_MAX bytes suffice
 * @cap:	Bytes at @out
 *
 * RD as in the response, EDNS (1232 bytes) when the response had it.
 *
 * Context: any thread.
 * Return: query length, or 0 if @aaaa is not a valid AAAA response or
 * @cap is too small.
 */
uint32_t nat64_dns64_a_query(const uint8_t *aaaa, uint32_t len, uint16_t id, uint8_t *out,
			     uint32_t cap);

/**
 * nat64_dns64_synthesize() - The answer with AAAA records made from A records
 * @aaaa:	The AAAA response nat64_dns64_check() asked to synthesise for
 * @aaaa_len:	Its length
 * @a:		The response to the A query for the same name and class
 * @a_len:	Its length
 * @cfg:	Configuration
 * @out:	Destination (must not overlap the inputs)
 * @cap:	Bytes at @out: the largest message the client takes
 *
 * The answer keeps the AAAA response's ID, question, RD, RA and CD, clears
 * AA and AD (the records are made here), and carries the A response's
 * CNAME records and one AAAA record per A record of the answer section
 * (in order; addresses the prefix may not represent left out). Their TTL
 * is the smallest of the A record's, and when the AAAA response has an SOA
 * in its authority section, of that SOA's TTL and MINIMUM; else at most
 * NAT64_DNS64_DEFAULT_TTL (section 5.1.7). Names are written without
 * compression. An OPT record (payload size and flags, no options) follows
 * if the AAAA response had one. If the records do not all fit in @cap,
 * those that fit are written and TC is set.
 *
 * Context: any thread.
 * Return: length of the answer; 0: forward the AAAA response unchanged,
 * because the A response's RCODE is not 0 (section 5.1.6: the AAAA response
 * is then the best there is); negative: the responses are malformed or do
 * not belong together (question, class) (drop, or answer SERVFAIL).
 */
int nat64_dns64_synthesize(const uint8_t *aaaa, uint32_t aaaa_len, const uint8_t *a, uint32_t a_len,
			   const struct nat64_dns64_config *cfg, uint8_t *out, uint32_t cap);

#endif /* PK_NAT64_DNS64_H */
