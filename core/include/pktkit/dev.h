/* SPDX-License-Identifier: MIT
 * dev.h - What a device instance asks of the host: emit, count, time, timers, fds, logging
 *
 * Every callback of an instance runs on that instance's context (for now the
 * graph's GMainContext). The host never re-enters an instance: a delivery to an
 * instance that is already inside one of its callbacks is queued (references
 * taken) and runs when that callback returns.
 */
#ifndef PKTKIT_DEV_H
#define PKTKIT_DEV_H

#include <pktkit/device.h>

G_BEGIN_DECLS

/**
 * pk_dev_emit() - Send a batch out of one of this device's ports
 * @dev:	Sending device
 * @port:	Port (PK_PORT(group, index))
 * @batch:	Buffers lent to the receiver for the duration of the call
 *
 * The peer's receive runs before this returns, unless the peer is busy (then
 * its delivery is queued with references taken). An unlinked port counts the
 * batch as dropped. After return the caller still owns what it owned; buffer
 * contents are unspecified unless the caller holds a reference.
 *
 * Context: owner context, hot path.
 */
PK_HOT void pk_dev_emit(struct pk_dev *dev, uint32_t port, const struct pk_batch *batch);

/**
 * pk_dev_emit_one() - pk_dev_emit() for a single buffer
 * @dev:	Sending device
 * @port:	Port
 * @b:		Buffer lent to the receiver
 *
 * Context: owner context, hot path.
 */
void pk_dev_emit_one(struct pk_dev *dev, uint32_t port, struct pk_buf *b);

/**
 * pk_dev_count() - Add to one of the type's declared counters
 * @dev:	Device
 * @counter:	Index into the type's counter table
 * @n:		Amount
 *
 * Context: owner context, hot path.
 */
void pk_dev_count(struct pk_dev *dev, uint32_t counter, uint64_t n);

/**
 * pk_dev_counters() - The counter array itself, for hot loops
 * @dev:	Device
 *
 * Context: owner context. The pointer stays valid until finalize.
 * Return: n_counters 64-bit counters, indexed like the type's table.
 */
uint64_t *pk_dev_counters(struct pk_dev *dev);

/**
 * pk_dev_now() - Current time of the device's clock
 * @dev:	Device
 *
 * Monotonic; a fake clock under test (pk_graph_clock_advance()). Read once
 * per dispatch: within one callback (and everything it causes downstream)
 * the value does not change.
 *
 * Context: owner context, hot path.
 * Return: nanoseconds.
 */
uint64_t pk_dev_now(struct pk_dev *dev);

/**
 * pk_dev_id() - The device's id in the topology
 * @dev:	Device
 *
 * Context: any thread (the id never changes).
 */
const char *pk_dev_id(const struct pk_dev *dev);

/**
 * pk_dev_port_is_linked() - Whether @port has a peer
 * @dev:	Device
 * @port:	Port
 *
 * Context: owner context.
 */
bool pk_dev_port_is_linked(const struct pk_dev *dev, uint32_t port);

/**
 * pk_buf_writable() - A buffer whose bytes this device may change
 * @dev:	Device asking
 * @b:		Borrowed or owned buffer
 *
 * Returns @b itself when nobody else holds a reference. Otherwise returns a
 * copy that belongs to the current dispatch (so this must be called from a
 * callback; outside one a shared buffer yields NULL): it stays valid until the
 * outermost callback returns (take a reference to keep it longer). @b is left
 * untouched in that case.
 *
 * Context: owner context, hot path (copies only when shared).
 * Return: a writable buffer, or NULL when no memory is left (count a drop).
 */
struct pk_buf *pk_buf_writable_copy_(struct pk_dev *dev, struct pk_buf *b);
static inline struct pk_buf *pk_buf_writable(struct pk_dev *dev, struct pk_buf *b)
{
	if (PK_LIKELY(!pk_buf_is_shared(b)))
		return b;
	return pk_buf_writable_copy_(dev, b);
}

/**
 * pk_dev_autorelease() - Hand an owned reference to the current dispatch
 * @dev:	Device
 * @b:		Buffer whose reference the caller gives up
 *
 * The reference is dropped when the outermost callback returns, so a freshly
 * allocated buffer can be emitted and forgotten.
 *
 * Context: owner context, inside a callback.
 */
void pk_dev_autorelease(struct pk_dev *dev, struct pk_buf *b);

/* Timers */

struct pk_timer;
typedef void (*pk_timer_func)(struct pk_dev *dev, void *self, void *data);

/**
 * pk_timer_new() - Create a disarmed timer owned by the device
 * @dev:	Device
 * @fn:		Called on the device's context when the timer fires
 * @data:	Passed to @fn
 *
 * Create timers in init (or start). When the device stops the host cancels
 * its timers (they can be armed again after the next start); after finalize
 * it frees those the device did not free itself.
 *
 * Context: owner context (cold).
 * Return: the timer.
 */
struct pk_timer *pk_timer_new(struct pk_dev *dev, pk_timer_func fn, void *data);

/**
 * pk_timer_arm() - Fire once, @delay_ns from now (re-arming moves the deadline)
 * @t:		Timer
 * @delay_ns:	Delay
 *
 * Context: owner context, hot path.
 */
void pk_timer_arm(struct pk_timer *t, uint64_t delay_ns);

/**
 * pk_timer_cancel() - Disarm
 * @t:	Timer
 *
 * Context: owner context.
 */
void pk_timer_cancel(struct pk_timer *t);

/**
 * pk_timer_is_armed() - Whether the timer will fire
 * @t:	Timer
 *
 * Context: owner context.
 */
bool pk_timer_is_armed(const struct pk_timer *t);

/**
 * pk_timer_free() - Cancel and free
 * @t:	Timer, or NULL
 *
 * Context: owner context (cold).
 */
void pk_timer_free(struct pk_timer *t);

/* File descriptor watches */

struct pk_watch;
typedef void (*pk_watch_func)(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			      void *data);

/**
 * pk_watch_fd() - Call @fn on the device's context when @fd is ready
 * @dev:	Device
 * @fd:		Descriptor, still owned by the caller
 * @events:	G_IO_IN, G_IO_OUT, ...
 * @fn:		Callback
 * @data:	Passed to @fn
 *
 * Context: owner context (cold), normally from start.
 * Return: the watch; free it before closing @fd. Watches still held when the
 * device stops are freed by the host right after stop.
 */
struct pk_watch *pk_watch_fd(struct pk_dev *dev, int fd, GIOCondition events, pk_watch_func fn,
			     void *data);

/**
 * pk_watch_set_events() - Change the conditions watched (e.g. add G_IO_OUT)
 * @w:		Watch
 * @events:	New set
 *
 * Context: owner context.
 */
void pk_watch_set_events(struct pk_watch *w, GIOCondition events);

/**
 * pk_watch_free() - Stop watching
 * @w:	Watch, or NULL
 *
 * Context: owner context.
 */
void pk_watch_free(struct pk_watch *w);

/* Crossing threads */

typedef void (*pk_invoke_func)(struct pk_dev *dev, void *self, void *data);

/**
 * pk_dev_invoke() - Run @fn on the device's context
 * @dev:	Device
 * @fn:		Function, called once unless the device is removed first
 * @data:	Passed to @fn
 * @destroy:	Frees @data afterwards (also when @fn was not called); may be NULL
 *
 * The only way for another thread (crypto worker, poller) to reach a device.
 *
 * Context: any thread.
 */
void pk_dev_invoke(struct pk_dev *dev, pk_invoke_func fn, void *data, GDestroyNotify destroy);

/* Logging */

/**
 * pk_dev_log() - Log through GLib structured logging, tagged with the device id
 * @dev:	Device
 * @level:	G_LOG_LEVEL_*
 * @fmt:	printf format
 *
 * Adds the fields PKTKIT_DEVICE and PKTKIT_TYPE. Never log SECRET values.
 *
 * Context: owner context (cold paths; rate-limit anything per packet).
 */
void pk_dev_log(struct pk_dev *dev, GLogLevelFlags level, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);

#define pk_dev_warn(dev, ...) pk_dev_log((dev), G_LOG_LEVEL_WARNING, __VA_ARGS__)
#define pk_dev_info(dev, ...) pk_dev_log((dev), G_LOG_LEVEL_INFO, __VA_ARGS__)
#define pk_dev_debug(dev, ...) pk_dev_log((dev), G_LOG_LEVEL_DEBUG, __VA_ARGS__)

G_END_DECLS

#endif /* PKTKIT_DEV_H */
