/* SPDX-License-Identifier: MIT
 * embed/testing.h - Built-in pipe devices for injecting and capturing traffic in tests
 *
 * libpktkit registers two types in every registry: "core.pipe-l2" and
 * "core.pipe-l3", each with one port "io". What is injected leaves through
 * "io"; what arrives on "io" is queued for pk_pipe_pop().
 */
#ifndef PKTKIT_EMBED_TESTING_H
#define PKTKIT_EMBED_TESTING_H

#include <pktkit/embed/graph.h>

G_BEGIN_DECLS

/**
 * pk_pipe_inject() - Send bytes out of a pipe device, as one buffer
 * @dev:	A core.pipe-l2 or core.pipe-l3 device
 * @data:	Frame or packet
 * @len:	Length
 *
 * Runs one dispatch: everything downstream happens before this returns.
 *
 * Context: main context (outside any callback).
 * Return: false if @dev is not a pipe or no buffer could be had.
 */
bool pk_pipe_inject(struct pk_dev *dev, const void *data, uint32_t len);

/**
 * pk_pipe_inject_batch() - Send a batch out of a pipe device
 * @dev:	Pipe device
 * @batch:	Buffers lent for the call
 *
 * Context: main context (outside any callback).
 * Return: false if @dev is not a pipe.
 */
bool pk_pipe_inject_batch(struct pk_dev *dev, const struct pk_batch *batch);

/**
 * pk_pipe_pop() - Take the oldest buffer the pipe received
 * @dev:	Pipe device
 *
 * Context: main context.
 * Return: (transfer full) a buffer reference, or NULL when the queue is empty.
 */
struct pk_buf *pk_pipe_pop(struct pk_dev *dev);

/**
 * pk_pipe_pending() - How many received buffers are queued
 * @dev:	Pipe device
 *
 * Context: main context.
 */
unsigned int pk_pipe_pending(struct pk_dev *dev);

/**
 * pk_pipe_clear() - Drop every queued buffer
 * @dev:	Pipe device
 *
 * Context: main context.
 */
void pk_pipe_clear(struct pk_dev *dev);

G_END_DECLS

#endif /* PKTKIT_EMBED_TESTING_H */
