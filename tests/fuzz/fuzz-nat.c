/* SPDX-License-Identifier: MIT
 * fuzz-nat.c - Arbitrary IPv4 packets through the NAT44 table and rewriting, both ways, on a fake clock
 *
 * The input is a sequence of records:
 *
 *   byte 0	bit 0: direction (0 from inside, 1 from outside); bit 1: the
 *		L4 checksum is partial (offload); bits 2-3: inside port;
 *		bit 4: before the packet, ask the core ops for a lease or an
 *		expectation (from the packet's addresses); bits 5-7: seconds
 *		the clock moves first (times 37)
 *   bytes 1-2	packet length (big-endian), then the packet
 *
 * A fresh small table (two outside addresses, 64 flows) per input. Checks:
 * nothing reads or writes out of bounds (ASan), a translated packet still
 * parses with a right IPv4 header checksum and, if its L4 checksum was right
 * before (whole datagram, not partial), it is right after; the table never
 * holds more flows than its bound.
 */
#include <string.h>
#include <glib.h>
#include <pktkit/checksum.h>
#include <pktkit/ip.h>

#include "nat-xlate.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the L4 checksum of a whole (unfragmented) packet is right. */
static bool l4_ok(const uint8_t *p, uint32_t len, bool *known)
{
	struct pk_ip4_view v;

	*known = false;
	if (!pk_ip4_parse(p, len, &v) || pk_ip4_is_fragment(&v))
		return false;
	switch (v.proto) {
	case 1:
		*known = true;
		return pk_csum_ok(v.payload, v.payload_len, 0);
	case 6:
		*known = v.payload_len >= 20;
		return pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v));
	case 17:
		if (v.payload_len < 8 || pk_get_be16(v.payload + 6) == 0 ||
		    pk_get_be16(v.payload + 4) != v.payload_len)
			return false;
		*known = true;
		return pk_csum_ok(v.payload, v.payload_len, pk_ip4_pseudo(&v));
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nat_params prm = {
		.n_outside = 2,
		.port_lo = 1024,
		.port_hi = 1100,
		.port_preserve = true,
		.filtering = NAT_FILTER_AD,
		.max_flows = 64,
		.tcp_est_ns = 7440ull * 1000000000,
		.tcp_trans_ns = 240ull * 1000000000,
		.udp_ns = 300ull * 1000000000,
		.icmp_ns = 60ull * 1000000000,
		.seed = 1,
	};
	static uint8_t pkt[65536];
	struct nat_table *t;
	uint64_t now = 1;
	size_t off = 0;

	memcpy(&prm.outside[0], (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(&prm.outside[1], (const uint8_t[]){ 192, 0, 2, 2 }, 4);
	t = nat_table_new(&prm);
	while (off + 3 <= size) {
		uint8_t h = data[off];
		uint32_t len = pk_get_be16(data + off + 1);
		enum nat_dir dir = h & 1 ? NAT_DIR_IN : NAT_DIR_OUT;
		bool partial = h & 2, known = false, was_ok;
		struct nat_action act;
		enum nat_result r;

		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		memcpy(pkt, data + off, len);
		off += len;
		now += (uint64_t)(h >> 5) * 37 * 1000000000ull;
		if ((h & 0x10) && len >= 24) {
			struct nat_endpoint4 in, o, rem;

			nat_table_set_now(t, now);
			memcpy(&in.addr, pkt + 12, 4);
			in.port = pk_get_be16(pkt + 20);
			memcpy(&rem.addr, pkt + 16, 4);
			rem.port = pk_get_be16(pkt + 22);
			if (nat_table_core_ops.map(t, pkt[9], &in, rem.port, pkt[1] & 1,
						   pkt[1] >> 4, &o) == NAT_CORE_OK)
				nat_table_core_ops.expect(t, pkt[9], &rem, &o, &in, pkt[8]);
		}
		was_ok = l4_ok(pkt, len, &known) && !partial;
		r = nat_xlate_packet(t, pkt, len, dir, (h >> 2) & 3, partial, now, &act);
		FUZZ_CHECK(r < NAT_R_COUNT);
		if (r == NAT_R_FORWARD) {
			struct pk_ip4_view v;
			bool k2;

			FUZZ_CHECK(act.len <= len);
			FUZZ_CHECK(pk_ip4_parse(pkt, act.len, &v));
			FUZZ_CHECK(pk_ip4_csum_ok(&v));
			if (was_ok && known)
				FUZZ_CHECK(l4_ok(pkt, act.len, &k2));
		}
		FUZZ_CHECK(nat_table_n_flows(t) <= prm.max_flows);
		if (h == 0xff)
			nat_table_expire(t, now);
	}
	nat_table_flush(t);
	FUZZ_CHECK(nat_table_n_flows(t) == 0);
	nat_table_free(t);
	return 0;
}
