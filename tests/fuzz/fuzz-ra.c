/* SPDX-License-Identifier: MIT
 * fuzz-ra.c - libFuzzer target: router solicitations into svc.ipv6-ra (modules/dhcp)
 *
 * Input: records [len_hi, len_lo, flags, frame...]. flags bit 0: advance
 * the fake clock by (flags >> 1) * 50 ms first, so periodic and delayed
 * advertisements go out. Each frame is checked with the recogniser
 * (ra_is_solicit(), ra.c) and injected into a running svc.ipv6-ra from a
 * core.pipe-l2. Whatever the device sends must be a well-formed router
 * advertisement (Ethernet, IPv6 from a link-local address with hop limit
 * 255, ICMPv6 type 134 with a valid checksum), and a frame the recogniser
 * refuses must not make it send anything.
 */
#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "ra.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every frame the device sent is a router advertisement; returns how many. */
static unsigned int check_sent(struct pk_dev *pipe)
{
	unsigned int n = 0;
	struct pk_buf *b;

	while ((b = pk_pipe_pop(pipe))) {
		const uint8_t *p = pk_buf_data(b);
		struct pk_eth_view e;
		struct pk_ip6_view v;
		struct pk_icmp_view ic;

		FUZZ_CHECK(pk_eth_parse(p, pk_buf_len(b), &e) && e.ethertype == PK_ETH_P_IPV6);
		FUZZ_CHECK(!(e.src[0] & 1));
		FUZZ_CHECK(pk_ip6_parse(p + e.l3_off, e.l3_len, &v) && v.proto == PK_IPPROTO_ICMPV6);
		FUZZ_CHECK(v.hop_limit == 255 && v.src[0] == 0xfe && (v.src[1] & 0xc0) == 0x80);
		FUZZ_CHECK(pk_icmp6_parse(v.l4, v.l4_len, &ic) &&
			   ic.type == PK_ICMP6_ROUTER_ADVERT && ic.code == 0);
		FUZZ_CHECK(pk_csum_ok(v.l4, v.l4_len, pk_ip6_pseudo(&v)));
		pk_buf_unref(b);
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_graph *g = pk_graph_new(fuzz_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	struct pk_dev *ethp;
	size_t off = 0;

	ethp = fuzz_add(g, "ethp", "core.pipe-l2", "{\"capacity\": 64}");
	fuzz_add(g, "ra", "svc.ipv6-ra",
		 "{\"prefix\": \"fd00:1::/64\", \"mtu\": 1400, \"interval\": \"4s\", "
		 "\"rdnss\": [{\"address\": \"fd00:1::53\"}]}");
	if (!pk_graph_link(g, "ethp", "ra", NULL) || !pk_graph_start(g, NULL))
		abort();
	while (size - off >= 3) {
		uint32_t len = (uint32_t)data[off] << 8 | data[off + 1];
		uint8_t flags = data[off + 2];
		bool solicit;

		off += 3;
		len = (uint32_t)MIN((size_t)len, size - off);
		if (flags & 1)
			pk_graph_clock_advance(g, (uint64_t)(flags >> 1) * 50 * PK_NSEC_PER_MSEC);
		check_sent(ethp);
		solicit = ra_is_solicit(data + off, len);
		pk_pipe_inject(ethp, data + off, len);
		if (!solicit)
			FUZZ_CHECK(check_sent(ethp) == 0);
		else
			check_sent(ethp);
		off += len;
	}
	pk_graph_clock_advance(g, 10 * PK_NSEC_PER_SEC);
	check_sent(ethp);
	pk_graph_free(g);
	return 0;
}
