// SPDX-License-Identifier: MIT
/* framing.c - QEMU stream framing parser: length-prefixed records to frames, no I/O */
#include <string.h>

#include "framing.h"

void qemu_stream_parser_init(struct qemu_stream_parser *p, uint32_t max_frame)
{
	memset(p, 0, sizeof(*p));
	p->max_frame = max_frame ? max_frame : 1;
}

uint8_t *qemu_stream_take_storage(struct qemu_stream_parser *p)
{
	uint8_t *s = p->storage;

	p->storage = NULL;
	return s;
}

int qemu_stream_feed(struct qemu_stream_parser *p, const uint8_t *data, size_t len,
		     const struct qemu_stream_sink *sink)
{
	size_t off = 0;

	if (p->error)
		return p->error;
	while (off < len) {
		if (p->need == 0) {
			/* In a header: fast path when all 4 bytes are here. */
			uint32_t n;

			if (p->hdr_have == 0 && len - off >= QEMU_STREAM_HDR) {
				memcpy(p->hdr, data + off, QEMU_STREAM_HDR);
				off += QEMU_STREAM_HDR;
			} else {
				size_t take = QEMU_STREAM_HDR - p->hdr_have;

				if (take > len - off)
					take = len - off;
				memcpy(p->hdr + p->hdr_have, data + off, take);
				p->hdr_have += (uint32_t)take;
				off += take;
				if (p->hdr_have < QEMU_STREAM_HDR)
					break;
			}
			p->hdr_have = 0;
			n = ((uint32_t)p->hdr[0] << 24) | ((uint32_t)p->hdr[1] << 16) |
			    ((uint32_t)p->hdr[2] << 8) | (uint32_t)p->hdr[3];
			if (n == 0) {
				p->error = QEMU_STREAM_E_ZERO;
				return p->error;
			}
			if (n > p->max_frame) {
				p->error = QEMU_STREAM_E_TOO_LONG;
				return p->error;
			}
			p->need = n;
			p->have = 0;
			p->storage = sink->alloc(sink->ctx, n);
		}
		{
			size_t take = p->need - p->have;

			if (take > len - off)
				take = len - off;
			if (p->storage)
				memcpy(p->storage + p->have, data + off, take);
			p->have += (uint32_t)take;
			off += take;
			if (p->have == p->need) {
				uint8_t *s = p->storage;
				uint32_t n = p->need;

				p->storage = NULL;
				p->need = p->have = 0;
				if (s)
					sink->frame(sink->ctx, s, n);
			}
		}
	}
	return QEMU_STREAM_OK;
}

const char *qemu_stream_error_str(int err)
{
	switch (err) {
	case QEMU_STREAM_OK:
		return "no error";
	case QEMU_STREAM_E_ZERO:
		return "record of length 0";
	case QEMU_STREAM_E_TOO_LONG:
		return "record longer than max-frame";
	default:
		return "unknown error";
	}
}
