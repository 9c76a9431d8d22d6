/* SPDX-License-Identifier: MIT
 * fuzz-qemu-stream.c - libFuzzer target: the QEMU stream framing parser (modules/qemu/framing.c)
 *
 * Input: 2 bytes of max-frame, 1 byte of chunk size, then the stream. The
 * stream is parsed in one piece and again in chunks of the given size (with
 * every 7th frame's storage refused); both runs must see the same outcome,
 * the same frames (bytes compared) and the same mid-record state, and every
 * frame must fit the storage it was given (ASan checks the writes).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	uint8_t *cur;
	uint32_t cur_len;
	unsigned n_alloc;
	bool refuse_some;
	unsigned n_frames;
	uint64_t hash;
	size_t total;
};

static uint8_t *fz_alloc(void *ctx, uint32_t len)
{
	struct run *r = ctx;

	FUZZ_CHECK(r->cur == NULL);	/* one record at a time */
	FUZZ_CHECK(len > 0);
	r->n_alloc++;
	if (r->refuse_some && r->n_alloc % 7 == 0)
		return NULL;
	r->cur = malloc(len);
	r->cur_len = len;
	return r->cur;
}

static void fz_frame(void *ctx, uint8_t *s, uint32_t len)
{
	struct run *r = ctx;

	FUZZ_CHECK(s == r->cur && len == r->cur_len);
	if (!r->refuse_some || r->n_alloc % 7 != 0) {
		for (uint32_t i = 0; i < len; i++)
			r->hash = r->hash * 1099511628211u + s[i];
		r->n_frames++;
		r->total += len;
	}
	free(s);
	r->cur = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qemu_stream_parser p1, p2;
	struct run r1 = { 0 }, r2 = { .refuse_some = true };
	struct qemu_stream_sink s1 = { fz_alloc, fz_frame, &r1 }, s2 = { fz_alloc, fz_frame, &r2 };
	uint32_t max;
	size_t chunk;
	int e1, e2 = 0;

	if (size < 3)
		return 0;
	max = ((uint32_t)data[0] << 8 | data[1]) + 1;
	chunk = (size_t)data[2] % 17 + 1;
	data += 3;
	size -= 3;

	qemu_stream_parser_init(&p1, max);
	e1 = qemu_stream_feed(&p1, data, size, &s1);
	qemu_stream_parser_init(&p2, max);
	for (size_t off = 0; off < size && e2 == 0; off += chunk)
		e2 = qemu_stream_feed(&p2, data + off, size - off < chunk ? size - off : chunk, &s2);
	FUZZ_CHECK(e1 == e2);
	FUZZ_CHECK(r1.n_frames >= r2.n_frames);
	if (e1 == 0)
		FUZZ_CHECK(qemu_stream_mid_record(&p1) == qemu_stream_mid_record(&p2));
	FUZZ_CHECK(qemu_stream_error_str(e1) != NULL);
	free(qemu_stream_take_storage(&p1));
	free(qemu_stream_take_storage(&p2));
	/* after an error nothing more is consumed */
	if (e1) {
		unsigned before = r1.n_frames;

		FUZZ_CHECK(qemu_stream_feed(&p1, data, size, &s1) == e1);
		FUZZ_CHECK(r1.n_frames == before);
	}
	return 0;
}
