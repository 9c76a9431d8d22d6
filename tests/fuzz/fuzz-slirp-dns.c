/* SPDX-License-Identifier: MIT
 * fuzz-slirp-dns.c - Arbitrary queries, answers and resolv.conf text into l3.slirp's DNS checks
 *
 * Input: [2-byte query length][query][answer]. The query goes through the
 * forwarder's query check; when it passes, the SERVFAIL built from it must
 * be a well-formed message, an answer to it unless its questions could not
 * be copied alone. The answer goes through the answer check
 * against the query; an accepted one must have the query's ID, QR set and
 * its question count. The whole input is also read as resolv.conf text;
 * every resolver found is described and matched against itself.
 * Seeds: tests/fuzz/corpus/slirp-dns (tests/fuzz/gen-slirp-dns-corpus.py).
 */
#include <string.h>

#include <pktkit/pktkit.h>
#include <pktkit/toolkit/dns.h>

#include "fuzz-util.h"
#include "slirp-dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_query(const uint8_t *q, uint32_t qlen, const uint8_t *a, uint32_t alen)
{
	static uint8_t out[SLIRP_DNS_QUERY_MAX];
	struct pk_dns_msg qm, rm;
	uint32_t n;
	bool ok = slirp_dns_query_ok(q, qlen);

	if (slirp_dns_answer_matches(q, qlen, a, alen)) {
		FUZZ_CHECK(ok);
		FUZZ_CHECK(alen >= PK_DNS_HDR_LEN);
		FUZZ_CHECK(pk_get_be16(a) == pk_get_be16(q));
		FUZZ_CHECK(a[2] & 0x80);
		FUZZ_CHECK(pk_get_be16(a + 4) == pk_get_be16(q + 4));
	}
	if (!ok)
		return;
	FUZZ_CHECK(pk_dns_parse(q, qlen, &qm) == PK_DNS_OK);
	n = slirp_dns_reply_build(out, sizeof(out), q, qlen, 0x4242,
				  slirp_dns_servfail_flags(qm.flags));
	FUZZ_CHECK(n >= PK_DNS_HDR_LEN && n <= qlen);
	FUZZ_CHECK(pk_dns_parse(out, n, &rm) == PK_DNS_OK);
	FUZZ_CHECK(rm.id == 0x4242 && rm.rcode == PK_DNS_RCODE_SERVFAIL);
	FUZZ_CHECK(!rm.ancount && !rm.nscount && !rm.arcount);
	/* The questions, or none (a crafted name running on past them). */
	FUZZ_CHECK(rm.qdcount == qm.qdcount || (!rm.qdcount && n == PK_DNS_HDR_LEN));
	/* With the query's ID it answers the query. */
	pk_put_be16(out, qm.id);
	FUZZ_CHECK(slirp_dns_answer_matches(q, qlen, out, n) == (rm.qdcount == qm.qdcount));
	/* One byte short never fits. */
	FUZZ_CHECK(slirp_dns_reply_build(out, n - 1, q, qlen, 0, 0) == 0);
}

static void check_resolv_conf(const uint8_t *data, size_t size)
{
	struct slirp_dns_server v[SLIRP_DNS_MAX_SERVERS];
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autofree char *d = NULL;
	unsigned int n = slirp_dns_resolv_conf_parse(text, v, SLIRP_DNS_MAX_SERVERS);

	FUZZ_CHECK(n <= SLIRP_DNS_MAX_SERVERS);
	d = slirp_dns_servers_describe(v, n);
	FUZZ_CHECK((d != NULL) == (n > 0));
	for (unsigned int i = 0; i < n; i++)
		FUZZ_CHECK(
			slirp_dns_server_match(&v[i], (const struct sockaddr *)&v[i].sa, v[i].len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t qlen;

	if (size > 70000)
		return 0;
	check_resolv_conf(data, size);
	if (size < 2)
		return 0;
	qlen = pk_get_be16(data);
	if (qlen > size - 2)
		qlen = (uint32_t)(size - 2);
	check_query(data + 2, qlen, data + 2 + qlen, (uint32_t)(size - 2 - qlen));
	return 0;
}
