/* SPDX-License-Identifier: MIT
 * fuzz-slirp.c - libFuzzer target: arbitrary IP packets from a guest into an l3.slirp
 *
 * Input: records [len_hi, len_lo, flags, packet...] injected from a
 * core.pipe-l3 (the guests). flags bit 0: advance the fake clock by
 * (flags >> 1) * 100 ms first, so timers (DNS retries, idle flows) run.
 * The slirp denies every destination (0.0.0.0/0 and ::/0), so no packet
 * makes it open a socket towards anything; only its DNS forwarder talks,
 * to 127.0.0.1 port 9 where nothing answers. What it sends back must be a
 * well-formed IPv4 or IPv6 packet with right checksums, addressed to a
 * unicast guest.
 */
#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>
#include <pktkit/pktkit.h>

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool unicast(bool ipv6, const uint8_t *a)
{
	return ipv6 ? a[0] != 0xff : a[0] < 224 && (a[0] | a[1] | a[2] | a[3]) != 0;
}

static void check_l4(bool ipv6, uint8_t proto, const uint8_t *src, const uint8_t *dst,
		     const uint8_t *l4, uint32_t len)
{
	uint32_t ps;

	switch (proto) {
	case PK_IPPROTO_TCP:
	case PK_IPPROTO_UDP:
	case PK_IPPROTO_ICMPV6:
		ps = ipv6 ? pk_csum_pseudo6(src, dst, proto, len)
			  : pk_csum_pseudo4(src, dst, proto, len);
		FUZZ_CHECK(pk_csum_fold(pk_csum_partial(l4, len, ps)) == 0);
		break;
	case PK_IPPROTO_ICMP:
		FUZZ_CHECK(!ipv6 && pk_csum_fold(pk_csum_partial(l4, len, 0)) == 0);
		break;
	default:
		FUZZ_CHECK(false); /* the slirp sends nothing else */
	}
}

static void check_sent(struct pk_dev *pipe)
{
	struct pk_buf *b;

	while ((b = pk_pipe_pop(pipe))) {
		const uint8_t *p = pk_buf_data(b);
		uint32_t len = pk_buf_len(b);

		if (pk_ip_version(p, len) == 4) {
			struct pk_ip4_view v;

			FUZZ_CHECK(pk_ip4_parse(p, len, &v) && pk_ip4_csum_ok(&v));
			FUZZ_CHECK(unicast(false, v.dst));
			check_l4(false, v.proto, v.src, v.dst, v.payload, v.payload_len);
		} else {
			struct pk_ip6_view v;

			FUZZ_CHECK(pk_ip6_parse(p, len, &v));
			FUZZ_CHECK(unicast(true, v.dst));
			check_l4(true, v.proto, v.src, v.dst, v.l4, v.l4_len);
		}
		pk_buf_unref(b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_graph *g = pk_graph_new(fuzz_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	struct pk_dev *guest;
	size_t off = 0;

	guest = fuzz_add(g, "guest", "core.pipe-l3", "{\"capacity\": 256}");
	fuzz_add(
		g, "slirp", "l3.slirp",
		"{\"dns4\": \"10.0.2.3\", \"dns6\": \"fd00:2::3\", \"host-loopback4\": \"10.0.2.2\", "
		"\"dns-servers\": [{\"address\": \"127.0.0.1\", \"port\": 9}], "
		"\"deny\": [{\"prefix\": \"0.0.0.0/0\"}, {\"prefix\": \"::/0\"}], "
		"\"max-flows\": 16}");
	if (!pk_graph_link(g, "guest", "slirp", NULL) || !pk_graph_start(g, NULL))
		abort();
	while (size - off >= 3) {
		uint32_t len = (uint32_t)data[off] << 8 | data[off + 1];
		uint8_t flags = data[off + 2];

		off += 3;
		len = (uint32_t)MIN((size_t)len, size - off);
		if (flags & 1)
			pk_graph_clock_advance(g, (uint64_t)(flags >> 1) * 100 * PK_NSEC_PER_MSEC);
		pk_pipe_inject(guest, data + off, len);
		check_sent(guest);
		off += len;
	}
	pk_graph_clock_advance(g, 10 * PK_NSEC_PER_SEC);
	check_sent(guest);
	pk_graph_free(g);
	return 0;
}
