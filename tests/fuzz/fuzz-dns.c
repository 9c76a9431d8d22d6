/* SPDX-License-Identifier: MIT
 * fuzz-dns.c - Arbitrary bytes into the DNS parser, and as replies into a running stub resolver
 *
 * The whole input is first parsed as one DNS message (every question and
 * record walked, names decompressed, compared and printed). It is then read
 * as records [op][ctl][2-byte length][payload] driving a resolver with two
 * servers on a fake clock:
 *  op  bit 0: reply from server 1 (else 0)     bit 1: over TCP
 *      bit 2: payload is the body of a reply to the last query sent: the
 *             query's header and question, then flags (2 bytes, QR forced),
 *             answer/authority/additional counts (1 byte each) and records
 *      bit 3: start a lookup first            bits 4-7: time step, x 250 ms
 *  ctl bits 0-1: name of the lookup           bits 2-3: family (0: both)
 *      bit 4: report the last try as failed   bit 5: clear the cache
 * Seeds: tests/fuzz/corpus/dns (tests/fuzz/gen-dns-corpus.py).
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/dns.h>

static const struct pk_dns_server servers[2] = {
	{ .addr = { 10, 0, 0, 53 }, .port = 53 },
	{ .ipv6 = true, .addr = { 0xfd, [15] = 0x53 }, .port = 53 },
};

static const char *const names[4] = { "www.example.com", "a.example", "x.y.z.example.org", "." };

static void check_msg(const uint8_t *data, size_t size)
{
	struct pk_dns_msg m;
	struct pk_dns_iter it;
	struct pk_dns_question q;
	struct pk_dns_rr rr;
	char text[PK_DNS_NAME_STRLEN];
	uint8_t w[PK_DNS_NAME_MAX];
	uint32_t wl;

	if (size > 65535 || pk_dns_parse(data, (uint32_t)size, &m) != PK_DNS_OK)
		return;
	pk_dns_iter_init(&it, &m);
	while (pk_dns_next_question(&it, &q)) {
		if (!pk_dns_name_to_text(&q.name, text, sizeof(text)))
			__builtin_trap();	/* a checked name always prints */
		if (pk_dns_name_from_text(text, w, &wl) != PK_DNS_OK)
			__builtin_trap();	/* and reads back */
		struct pk_dns_name back = pk_dns_name_wire(w, wl);

		if (!pk_dns_name_equal(&q.name, &back))
			__builtin_trap();
	}
	while (pk_dns_next_rr(&it, &rr)) {
		if (pk_dns_name_unpack(&rr.name, w, &wl) != PK_DNS_OK)
			__builtin_trap();
		if (rr.type == PK_DNS_T_CNAME)
			(void)pk_dns_name_equal(&rr.name, &rr.cname);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t last[PK_DNS_QUERY_MAX], msg[70000];
	struct pk_dns_resolver_config cfg = {
		.servers = servers, .n_servers = 2, .timeout_ns = 1000000000ull, .attempts = 2,
		.cache_size = 4,
	};
	struct pk_dns_resolver *r;
	uint32_t last_len = 0, last_tag = 0, lookups = 0;
	uint64_t now = 0;

	check_msg(data, size);
	r = pk_dns_resolver_new(&cfg);
	while (size >= 4) {
		uint8_t op = data[0], ctl = data[1];
		uint32_t len = pk_get_be16(data + 2), mlen;
		struct pk_dns_outgoing out;
		struct pk_dns_lookup *l;
		struct pk_dns_server from = servers[op & 1];

		data += 4;
		size -= 4;
		if (len > size)
			len = (uint32_t)size;
		now += (uint64_t)(op >> 4) * 250000000ull;
		if (pk_dns_resolver_deadline(r) <= now)
			pk_dns_resolver_timer(r, now);
		if (ctl & 0x20)
			pk_dns_resolver_cache_clear(r);
		if ((op & 8) && lookups < 64) {
			unsigned int fam = ctl >> 2 & 3;

			lookups++;
			pk_dns_resolver_lookup(r, names[ctl & 3], fam ? fam : PK_DNS_FAMILY_ANY, NULL,
					       now, NULL);
		}
		if ((ctl & 0x10) && last_tag)
			pk_dns_resolver_send_failed(r, last_tag, now);
		if ((op & 4) && last_len >= PK_DNS_HDR_LEN && len >= 5) {
			struct pk_dns_msg q;

			/* the query parses: it was built by the resolver */
			if (pk_dns_parse(last, last_len, &q) != PK_DNS_OK)
				__builtin_trap();
			memcpy(msg, last, q.an_off);
			pk_put_be16(msg + 2, (uint16_t)(pk_get_be16(data) | PK_DNS_F_QR));
			pk_put_be16(msg + 6, data[2]);
			pk_put_be16(msg + 8, data[3]);
			pk_put_be16(msg + 10, data[4]);
			memcpy(msg + q.an_off, data + 5, len - 5);
			mlen = q.an_off + len - 5;
		} else {
			memcpy(msg, data, len);
			mlen = len;
		}
		data += len;
		size -= len;
		pk_dns_resolver_input(r, &from, op & 2 ? PK_DNS_TCP : PK_DNS_UDP, msg, mlen, now);

		while (pk_dns_resolver_next_query(r, &out)) {
			const uint8_t *m = out.data;
			uint32_t ml = out.len;

			if (out.transport == PK_DNS_TCP &&
			    pk_dns_tcp_unframe(out.data, out.len, &m, &ml) != out.len)
				__builtin_trap();
			if (ml > sizeof(last) || out.server > 1)
				__builtin_trap();
			memcpy(last, m, ml);
			last_len = ml;
			last_tag = out.tag;
		}
		while ((l = pk_dns_resolver_next_done(r))) {
			const struct pk_dns_addr *a;
			char text[PK_DNS_NAME_STRLEN];
			unsigned int n;

			a = pk_dns_lookup_addrs(l, &n);
			if (n > 2 * PK_DNS_MAX_ADDRS || (n && a[0].family != 4 && a[0].family != 6))
				__builtin_trap();
			if ((n > 0) != (pk_dns_lookup_status(l) == PK_DNS_ST_OK))
				__builtin_trap();
			pk_dns_lookup_canonical_name(l, text, sizeof(text));
			pk_dns_lookup_free(l);
		}
	}
	pk_dns_resolver_free(r);
	return 0;
}
