/* SPDX-License-Identifier: MIT
 * framing.h - QEMU stream netdev framing (4-byte big-endian length + frame), sans I/O
 *
 * QEMU's `-netdev stream` and `-netdev socket,listen=/connect=` carry Ethernet
 * frames over a byte stream as records: a uint32 length in network byte order,
 * then that many bytes of frame (no FCS, no padding, no virtio-net header).
 * This file only turns bytes into frames and back; it never touches a socket,
 * so it is unit-tested and fuzzed on its own (tests/qemu, tests/fuzz).
 */
#ifndef QEMU_FRAMING_H
#define QEMU_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of the length prefix of one stream record. */
#define QEMU_STREAM_HDR 4u
/* Largest frame QEMU 7.2 accepts on a stream (NET_BUFSIZE = 4096 + 65536). */
#define QEMU_STREAM_QEMU_MAX 69632u

/* Why the parser refused a stream. */
enum qemu_stream_error {
	QEMU_STREAM_OK = 0,
	QEMU_STREAM_E_ZERO = 1,		/* a record of length 0 */
	QEMU_STREAM_E_TOO_LONG = 2,	/* a record longer than max_frame */
};

/**
 * struct qemu_stream_sink - Where the parser puts frames
 * @alloc:	Asked for storage for a frame of @len bytes once its header is
 *		complete; return NULL to have the frame's bytes skipped (the
 *		caller counts the drop).
 * @frame:	A frame is complete in the storage @alloc returned.
 * @ctx:	Passed to both.
 */
struct qemu_stream_sink {
	uint8_t *(*alloc)(void *ctx, uint32_t len);
	void (*frame)(void *ctx, uint8_t *storage, uint32_t len);
	void *ctx;
};

/**
 * struct qemu_stream_parser - Reassembly state of one byte stream
 * @max_frame:	Largest record accepted; longer ones are a protocol error
 * @hdr:	Header bytes gathered so far
 * @hdr_have:	How many of @hdr are valid (0..4)
 * @need:	Length of the record whose body is being read (0: in a header)
 * @have:	Body bytes of that record consumed so far
 * @storage:	Where the body goes, NULL while skipping it
 * @error:	Sticky enum qemu_stream_error once the stream is refused
 */
struct qemu_stream_parser {
	uint32_t max_frame;
	uint8_t hdr[QEMU_STREAM_HDR];
	uint32_t hdr_have;
	uint32_t need;
	uint32_t have;
	uint8_t *storage;
	int error;
};

/**
 * qemu_stream_parser_init() - Reset a parser
 * @p:		Parser
 * @max_frame:	Largest record length accepted (1..UINT32_MAX)
 */
void qemu_stream_parser_init(struct qemu_stream_parser *p, uint32_t max_frame);

/**
 * qemu_stream_feed() - Consume bytes read from the stream
 * @p:		Parser
 * @data:	Bytes
 * @len:	How many
 * @sink:	Receives every frame completed by these bytes, in order
 *
 * Frames split over several calls are reassembled into the storage the sink
 * supplied for them. After an error the parser stays in error and consumes
 * nothing more: the connection must be closed.
 *
 * Return: QEMU_STREAM_OK or the enum qemu_stream_error that ended the stream.
 */
int qemu_stream_feed(struct qemu_stream_parser *p, const uint8_t *data, size_t len,
		     const struct qemu_stream_sink *sink);

/**
 * qemu_stream_mid_record() - Whether the stream stopped inside a record
 * @p:	Parser
 *
 * At end of stream, true means the peer sent a truncated record.
 *
 * Return: true if part of a header or body has been consumed.
 */
static inline int qemu_stream_mid_record(const struct qemu_stream_parser *p)
{
	return p->hdr_have != 0 || p->need != 0;
}

/**
 * qemu_stream_take_storage() - Take the storage of the record being filled, if any
 * @p:	Parser
 *
 * Lets the caller release the storage of an unfinished record when it drops
 * the connection. The parser forgets it.
 *
 * Return: the storage pointer given by the sink's alloc, or NULL.
 */
uint8_t *qemu_stream_take_storage(struct qemu_stream_parser *p);

/**
 * qemu_stream_put_header() - Write the length prefix of a record
 * @out:	4 bytes
 * @len:	Frame length
 */
static inline void qemu_stream_put_header(uint8_t out[QEMU_STREAM_HDR], uint32_t len)
{
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

/**
 * qemu_stream_error_str() - Text for a parser error, for log lines
 * @err:	enum qemu_stream_error
 *
 * Return: a static string.
 */
const char *qemu_stream_error_str(int err);

#endif /* QEMU_FRAMING_H */
