/* SPDX-License-Identifier: MIT
 * fuzz-wg-iface.c - Arbitrary datagrams into a WireGuard interface with a live session, and its timers
 *
 * Two interfaces, A and B, with fixed keys and a deterministic random
 * source, complete a handshake in memory; then every record of the input
 * is a datagram for B, from A's address:
 *
 *	flags (1 byte), length (2 bytes, little-endian, cut to what is left), bytes
 *
 * flags bit 0: put one of B's live indices (its session's, or its
 * handshake's) in the receiver field, so the datagram reaches the keypair
 * or handshake code; bit 1: recompute MAC1 for B (handshake types), so it
 * reaches the Noise code; bits 2-7: advance the clock by that many 500 ms
 * steps and run B's timers first. What B sends goes nowhere.
 *
 * Invariants: nothing crashes or reads outside the datagram (ASan); a
 * delivered inner packet lies inside the datagram; B's next deadline is
 * never in the past after a tick.
 */
#include <string.h>
#include <glib.h>

#include "wg-iface.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct side {
	struct wg_iface *w;
	struct wg_peer *peer;
	GPtrArray *out; /* GBytes of what it sent */
	uint64_t rng;
};

static uint64_t now;

static void op_send(void *ud, struct wg_peer *peer, const struct wg_source *to, const uint8_t *msg,
		    size_t len)
{
	struct side *s = ud;

	(void)peer;
	(void)to;
	if (s->out)
		g_ptr_array_add(s->out, g_bytes_new(msg, len));
}

static uint64_t op_wall(void *ud)
{
	(void)ud;
	return UINT64_C(1700000000) * WG_SEC + now;
}

/* Deterministic "randomness": the same input takes the same path. */
static void op_random(void *ud, void *buf, size_t n)
{
	struct side *s = ud;
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++) {
		s->rng = s->rng * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		p[i] = (uint8_t)(s->rng >> 56);
	}
}

static const struct wg_iface_ops ops = {
	.send = op_send,
	.wall_ns = op_wall,
	.random = op_random,
};

static void side_init(struct side *s, uint8_t seed)
{
	uint8_t k[WG_KEY_LEN];

	memset(s, 0, sizeof(*s));
	s->rng = seed;
	s->out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	s->w = wg_iface_new(&ops, s, NULL, NULL);
	FUZZ_CHECK(s->w);
	for (unsigned i = 0; i < WG_KEY_LEN; i++)
		k[i] = (uint8_t)(seed * 31 + i);
	wg_iface_set_private_key(s->w, k);
}

/* Deliver what @from sent to @to until both are quiet. */
static void exchange(struct side *a, struct side *b)
{
	for (unsigned round = 0; round < 8; round++) {
		struct side *pair[2][2] = { { a, b }, { b, a } };
		bool any = false;

		for (unsigned d = 0; d < 2; d++) {
			struct side *from = pair[d][0], *to = pair[d][1];
			struct wg_source src = { .addr = { 10, 0, 0, (uint8_t)(d + 1) },
						 .addr_len = 4,
						 .port = 51820 };
			g_autoptr(GPtrArray) msgs = from->out;

			from->out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			for (guint i = 0; i < msgs->len; i++) {
				gsize n;
				const uint8_t *m = g_bytes_get_data(msgs->pdata[i], &n);
				uint8_t *copy = g_memdup2(m, n);
				struct wg_rx_result r;

				wg_iface_rx(to->w, &src, copy, n, now, &r);
				g_free(copy);
				any = true;
			}
		}
		if (!any)
			return;
	}
}

static void fix_mac1(struct side *b, uint8_t *msg, size_t len)
{
	struct wg_crypto *c = wg_crypto_new();
	uint8_t key[WG_HASH_LEN];

	FUZZ_CHECK(c);
	wg_noise_mac1_key(c, key, wg_iface_public_key(b->w));
	wg_mac(c, msg + len - 2 * WG_MAC_LEN, key, WG_HASH_LEN, msg, len - 2 * WG_MAC_LEN);
	wg_crypto_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hello[] = "E\0\0\x1c\0\0\0\0@\x11\0\0\n\0\0\x01\n\0\0\x02";
	struct side a, b;
	struct wg_source src = { .addr = { 10, 0, 0, 1 }, .addr_len = 4, .port = 51820 };
	uint8_t msg[2048] = { 0 };
	size_t off = 0;

	now = 1000 * WG_SEC;
	side_init(&a, 1);
	side_init(&b, 2);
	a.peer = wg_iface_peer_add(a.w, wg_iface_public_key(b.w), NULL, 0, NULL);
	b.peer = wg_iface_peer_add(b.w, wg_iface_public_key(a.w), NULL, 0, NULL);
	FUZZ_CHECK(a.peer && b.peer);
	/* A session: A seals a packet (it has none, so it initiates). */
	memcpy(msg + WG_DATA_HEADER_LEN, hello, sizeof(hello) - 1);
	FUZZ_CHECK(!wg_iface_seal(a.w, a.peer, msg, 32, now));
	exchange(&a, &b);
	FUZZ_CHECK(wg_peer_has_session(a.peer, now));

	while (off + 3 <= size) {
		uint8_t flags = data[off];
		size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
		struct wg_rx_result r;
		uint8_t *dg;

		off += 3;
		if (len > size - off)
			len = size - off;
		if (flags >> 2) {
			now += (uint64_t)(flags >> 2) * (WG_SEC / 2);
			wg_iface_tick(b.w, now);
			FUZZ_CHECK(!wg_iface_next_deadline(b.w) ||
				   wg_iface_next_deadline(b.w) > now);
		}
		/* Exactly the datagram's bytes on the heap: ASan sees overreads. */
		dg = g_malloc(len ? len : 1);
		memcpy(dg, data + off, len);
		off += len;
		if ((flags & 1) && len >= 12) {
			uint32_t idx = b.peer->current ? b.peer->current->local_index
						       : b.peer->hs.local_index;
			size_t at = dg[0] == WG_MSG_RESPONSE ? WG_RESP_RECEIVER : 4;

			if (at + 4 <= len)
				wg_put_le32(dg + at, idx);
		}
		if ((flags & 2) && (len == WG_INIT_LEN || len == WG_RESP_LEN))
			fix_mac1(&b, dg, len);
		wg_iface_rx(b.w, &src, dg, len, now, &r);
		if (r.kind == WG_RX_DATA)
			FUZZ_CHECK(r.inner >= dg + WG_DATA_HEADER_LEN &&
				   r.inner + r.inner_len <= dg + len);
		g_free(dg);
		g_ptr_array_set_size(b.out, 0);
	}
	g_ptr_array_unref(a.out);
	g_ptr_array_unref(b.out);
	wg_iface_free(a.w);
	wg_iface_free(b.w);
	return 0;
}
