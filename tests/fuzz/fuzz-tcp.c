/* SPDX-License-Identifier: MIT
 * fuzz-tcp.c - Arbitrary segments into an established TCP connection (and a listener)
 *
 * Input: a sequence of records [1 byte time step][2 bytes length][segment].
 * The connection is brought to ESTABLISHED with a fixed handshake first; the
 * records' sequence and ack numbers are taken relative to the live values
 * when the first bit of the time step is set, so the fuzzer reaches the
 * in-window paths too. Bit 1 of the first byte makes the SYN-ACK carry
 * SACK-permitted and timestamps (sender SACK scoreboard and RFC 6675
 * recovery reachable), bit 2 selects NewReno instead of CUBIC; keepalive
 * is on with short timers, and a record whose time step is 0xfc lowers the
 * path MTU by its first byte.
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

static const uint8_t key[16] = "fuzz-tcp-secret!";

static void drain(struct pk_tcp_conn *c, uint64_t now, uint8_t *buf, size_t cap)
{
	int n = 0;

	while (pk_tcp_conn_output(c, now, buf, (uint32_t)cap) > 0)
		if (++n > 100000)
			__builtin_trap();	/* output must terminate */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[2048], seg[65536];
	struct pk_tcp_engine *e = pk_tcp_engine_new(key, 0);
	struct pk_tcp_config cfg = { .fixed_iss = true, .iss = 1000, .sndbuf = 8192, .rcvbuf = 8192,
				     .keepalive_idle_ns = 50000000u, .keepalive_intvl_ns = 20000000u,
				     .keepalive_count = 2 };
	struct pk_tcp_endpoints ep = { .local_port = 80, .remote_port = 4000 };
	/* Odd first byte: the listener answers every SYN with a SYN cookie. */
	struct pk_tcp_config lcfg = { .syncookies_always = size > 0 && (data[0] & 1) };
	struct pk_tcp_listener *l = pk_tcp_listener_new(e, &lcfg, false, ep.local_addr, 80);
	struct pk_tcp_conn *c = pk_tcp_connect(e, &cfg, &ep, 0);
	struct pk_tcp_view v;
	uint64_t now = 0;
	uint8_t synack[60] = { 0x0f, 0xa0, 0x00, 0x50, 0, 0, 0x10, 0, 0, 0, 0x03, 0xe9,
			       0x50, PK_TCP_SYN | PK_TCP_ACK, 0xff, 0xff };
	uint32_t peer_nxt = 0x1001, synack_len = 20;

	if (size > 0 && (data[0] & 4)) {
		cfg.cc = PK_TCP_CC_NEWRENO;
		pk_tcp_conn_free(c);
		c = pk_tcp_connect(e, &cfg, &ep, 0);
	}
	if (size > 0 && (data[0] & 2)) {
		struct pk_tcp_opts so = { .present = PK_TCP_HAS_MSS | PK_TCP_HAS_SACK_PERM |
						     PK_TCP_HAS_TIMESTAMP | PK_TCP_HAS_WSCALE,
					  .mss = 536, .wscale = 2, .ts_val = 1 };
		uint32_t olen = pk_tcp_opts_build(&so, synack + 20, true);

		synack_len = 20 + olen;
		synack[12] = (uint8_t)((synack_len / 4) << 4);
	}
	drain(c, now, out, sizeof(out));
	pk_tcp_parse(synack, synack_len, &v);
	pk_tcp_conn_input(c, &v, now);
	pk_tcp_conn_send(c, "hello world", 11);
	drain(c, now, out, sizeof(out));

	while (size >= 3) {
		uint8_t step = data[0];
		uint32_t len = pk_get_be16(data + 1);
		uint8_t tmp[8];

		data += 3;
		size -= 3;
		if (len > size)
			len = (uint32_t)size;
		memcpy(seg, data, len);
		data += len;
		size -= len;
		now += (uint64_t)(step >> 1) * 7000000u;
		if ((step & 1) && len >= 12) {
			/* relative sequence numbers: add the live ones */
			struct pk_tcp_conn_info info;

			pk_tcp_conn_get_info(c, &info);
			pk_put_be32(tmp, pk_get_be32(seg + 4) % 20000 + peer_nxt - 10000);
			memcpy(seg + 4, tmp, 4);
			pk_put_be32(tmp, pk_get_be32(seg + 8) % 40000 + info.iss - 20000);
			memcpy(seg + 8, tmp, 4);
		}
		if (pk_tcp_parse(seg, len, &v)) {
			pk_tcp_conn_input(c, &v, now);
			if (step & 2) {
				struct pk_tcp_conn *n = pk_tcp_listener_input(l, ep.remote_addr, &v, now);
				struct pk_tcp_endpoints rep;

				if (n) {
					drain(n, now, out, sizeof(out));
					pk_tcp_conn_free(n);
				}
				while (pk_tcp_listener_output(l, out, sizeof(out), &rep))
					;
			}
		}
		if ((step & 0x0c) == 0x0c)
			pk_tcp_conn_send(c, seg, len);
		if ((step & 0x30) == 0x30) {
			uint8_t rb[4096];

			pk_tcp_conn_recv(c, rb, sizeof(rb));
		}
		if (step == 0xfe)
			pk_tcp_conn_shutdown(c);
		if (step == 0xfc && len > 0) {
			uint32_t mtu = 1500u - (uint32_t)seg[0] * 6u;

			if (pk_tcp_conn_icmp_seq_ok(c, pk_get_be32(seg + (len >= 8 ? 4 : 0))))
				mtu -= 1;
			pk_tcp_conn_set_path_mtu(c, mtu, now);
		}
		if (pk_tcp_conn_deadline(c) <= now)
			pk_tcp_conn_timer(c, now);
		drain(c, now, out, sizeof(out));
		pk_tcp_conn_events(c);
	}
	pk_tcp_conn_free(c);
	pk_tcp_listener_free(l);
	pk_tcp_engine_free(e);
	return 0;
}
