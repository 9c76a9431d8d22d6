/* SPDX-License-Identifier: MIT
 * fuzz-wg-replay.c - Arbitrary counter sequences into WireGuard's replay window, checked against a model
 *
 * The input is a sequence of steps, each an operation byte and its operand;
 * the operation says how the counter is made:
 *
 *   op & 3 == 0	8 bytes: the counter itself (little-endian)
 *   op & 3 == 1	2 bytes: the highest counter accepted so far plus this
 *			signed 16-bit offset (around the window's edges)
 *   op & 3 == 2	2 bytes: the highest plus this value << (op >> 2) (jumps
 *			of every size, from one word to past the whole ring)
 *   op & 3 == 3	2 bytes: WG_REJECT_AFTER_MESSAGES minus this value, plus
 *			(op >> 2) (around the last counters allowed)
 *
 * Each counter goes to wg_replay_accept() and to a model: a set of the
 * counters accepted and the rule "accepted iff below WG_REJECT_AFTER_MESSAGES,
 * not seen before and at most WG_REPLAY_WINDOW below the highest accepted".
 * Any disagreement traps. Seeds: tests/fuzz/corpus/wg-replay
 * (tests/fuzz/gen-wg-corpus.py).
 */
#include <string.h>
#include <glib.h>

#include "wg-msg.h"
#include "wg-replay.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct model {
	GHashTable *seen; /* of the counters accepted (gint64 keys) */
	uint64_t highest;
	bool any;
};

static bool model_accept(struct model *m, uint64_t counter)
{
	gint64 key = (gint64)counter;

	if (counter >= WG_REJECT_AFTER_MESSAGES)
		return false;
	if (m->any && counter < m->highest && m->highest - counter > WG_REPLAY_WINDOW)
		return false;
	if (g_hash_table_contains(m->seen, &key))
		return false;
	g_hash_table_add(m->seen, g_memdup2(&key, sizeof(key)));
	if (!m->any || counter > m->highest)
		m->highest = counter;
	m->any = true;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wg_replay r;
	struct model m = { .seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
							 NULL) };
	size_t i = 0;

	wg_replay_init(&r);
	while (i < size) {
		uint8_t op = data[i++];
		uint64_t counter, v;
		bool got;

		if ((op & 3) == 0) {
			if (size - i < 8)
				break;
			counter = wg_get_le64(data + i);
			i += 8;
		} else {
			if (size - i < 2)
				break;
			v = (uint64_t)data[i] | (uint64_t)data[i + 1] << 8;
			i += 2;
			if ((op & 3) == 1)
				counter = m.highest + (uint64_t)(int64_t)(int16_t)v;
			else if ((op & 3) == 2)
				counter = m.highest + (v << (op >> 2));
			else
				counter = WG_REJECT_AFTER_MESSAGES - v + (op >> 2);
		}
		got = wg_replay_accept(&r, counter);
		FUZZ_CHECK(got == model_accept(&m, counter));
		FUZZ_CHECK(!m.any || r.next == m.highest + 1);
	}
	g_hash_table_destroy(m.seen);
	return 0;
}
