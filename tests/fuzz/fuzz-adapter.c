// SPDX-License-Identifier: MIT
/* fuzz-adapter.c - libFuzzer target: arbitrary frames into an l3.adapter (ARP, NDP, DHCP client, IP) */
#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

#include "fuzz-util.h"

/*
 * Input: a sequence of records [len_hi, len_lo, side, bytes...]: side bit 0
 * picks the "eth" pipe (frames) or the "ip" pipe (packets), bit 1 advances
 * the fake clock by a second first, so retransmissions, cache expiry and
 * DHCP timers run too.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_graph *g = pk_graph_new(fuzz_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	struct pk_dev *ipp, *ethp;
	size_t off = 0;

	ipp = fuzz_add(g, "ipp", "core.pipe-l3", "{\"capacity\": 64}");
	ethp = fuzz_add(g, "ethp", "core.pipe-l2", "{\"capacity\": 64}");
	fuzz_add(g, "ad", "l3.adapter",
		 "{\"mac\": \"02:aa:00:00:00:01\", \"dhcp\": true, \"pending-max\": 4, "
		 "\"cache-size\": 8, \"icmp-unreachable\": true, \"gateway4\": \"10.0.0.1\", "
		 "\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, {\"prefix\": \"fd00::2/64\"}]}");
	if (!pk_graph_link(g, "ipp", "ad.ip", NULL) || !pk_graph_link(g, "ethp", "ad.eth", NULL) ||
	    !pk_graph_start(g, NULL))
		abort();
	while (size - off >= 3) {
		uint32_t len = (uint32_t)data[off] << 8 | data[off + 1];
		uint8_t side = data[off + 2];

		off += 3;
		len = (uint32_t)MIN((size_t)len, size - off);
		if (side & 2)
			pk_graph_clock_advance(g, PK_NSEC_PER_SEC);
		pk_pipe_inject((side & 1) ? ethp : ipp, data + off, len);
		off += len;
		pk_pipe_clear(ipp);
		pk_pipe_clear(ethp);
	}
	pk_graph_clock_advance(g, 400 * PK_NSEC_PER_SEC);
	pk_graph_free(g);
	return 0;
}
