/* SPDX-License-Identifier: MIT
 * device-runtime.h - What a running device asks of the runtime: emit, count, time, timers, fds, logs
 *
 * Every callback of an instance runs on that instance's context (for now the
 * graph's GMainContext). The host never re-enters an instance: a delivery to an
 * instance that is already inside one of its callbacks is queued (references
 * taken) and runs when that callback returns.
 */
#ifndef PKTKIT_DEVICE_RUNTIME_H
#define PKTKIT_DEVICE_RUNTIME_H

#include <pktkit/device-type.h>

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
 * enum pk_drop - Drops the core counts for every device
 * @PK_DROP_NO_BUFFER:	"dropped-no-buffer": a packet lost because no
 *			buffer was free (pk_buf_alloc() or a copy failed)
 * @PK_DROP_QUEUE_FULL:	"dropped-queue-full": a packet lost because a
 *			bounded queue was full (a socket's send queue, a
 *			delay line, the core's queue of deliveries to a
 *			busy device)
 *
 * Types do not declare these: every device has them, and the documentation
 * of the core counters says what they mean once. Since: 1.2
 */
enum pk_drop {
	PK_DROP_NO_BUFFER = 0,
	PK_DROP_QUEUE_FULL = 1,
};

/**
 * pk_dev_drop() - Count packets dropped for a reason every device shares
 * @dev:	Device that dropped them
 * @why:	PK_DROP_*; other values are ignored
 * @n:		Packets
 *
 * pk_buf_writable() counts its own failures (PK_DROP_NO_BUFFER): do not
 * count them again.
 *
 * Context: owner context. Since: 1.2
 */
void pk_dev_drop(struct pk_dev *dev, enum pk_drop why, uint64_t n);

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
 * pk_dev_port_takes_offload() - Whether the peer of @port takes offload metadata as it is
 * @dev:	Device
 * @port:	Port
 *
 * True when @port is linked to a port whose group has PK_PORT_F_OFFLOAD
 * and whose device has not declined offloads for now
 * (pk_dev_group_set_offload()): TCP super-packets and partial checksums
 * emitted on @port reach it whole
 * (an io.tun with offload writes them to the kernel in one go). Otherwise
 * the core cuts them into segments on the way, so a device that would build
 * super-packets only for that receiver's sake (pk_gro) should not. The
 * answer changes only when the port is linked or unlinked.
 *
 * Context: owner context.
 * Since: 1.2
 */
bool pk_dev_port_takes_offload(const struct pk_dev *dev, uint32_t port);

/**
 * pk_dev_group_set_offload() - Whether the ports of one of our groups take offloads now
 * @dev:	Device
 * @group:	One of its port groups (below 32) with PK_PORT_F_OFFLOAD
 * @take:	false: its ports do not take super-packets and partial checksums
 *		as they are now, so the core segments and completes them for
 *		them; true (the default): they do
 *
 * PK_PORT_F_OFFLOAD says what a port may take; this says what it takes in
 * the device's present configuration (io.tun takes them whole only with
 * 'offload', when the kernel segments). The core then segments before
 * delivering rather than the device, and peers that ask
 * pk_dev_port_takes_offload() learn not to build super-packets for it.
 * Kept across links; has no effect on groups without the flag.
 *
 * Context: owner context (init, start, reconfigure).
 * Since: 1.2
 */
void pk_dev_group_set_offload(struct pk_dev *dev, uint32_t group, bool take);

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
 * Return: a writable buffer, or NULL when no memory is left: the core has
 * counted the drop in "dropped-no-buffer" (since 1.2; modules built for 1.0
 * or 1.1 count it themselves).
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

/* Template instances (Since: 1.1) */

/* Port index meaning "the lowest index of the group that is neither linked nor
 * held by another instance of this device" (groups have at most 65535 ports,
 * so 0xffff is never a real index). Since: 1.1 */
#define PK_PORT_ANY 0xffffu

/**
 * typedef pk_instance_func - The outcome of pk_dev_instantiate()
 * @dev:	Owner device
 * @self:	Its instance memory
 * @instance:	The handle pk_dev_instantiate() returned
 * @port:	The owner's port now linked to the template's attach point
 *		(the port asked for, or the one PK_PORT_ANY chose)
 * @error:	NULL on success; otherwise why the instance could not be
 *		built (it is then gone: do not remove it)
 * @data:	As passed to pk_dev_instantiate()
 *
 * Runs on the owner's context as a callback of its own (it may emit, count,
 * arm timers, instantiate and remove). Since: 1.1
 */
typedef void (*pk_instance_func)(struct pk_dev *dev, void *self, uint32_t instance, uint32_t port,
				 const GError *error, void *data);

/**
 * pk_dev_instantiate() - Ask the host for a fresh copy of a template, linked to one of my ports
 * @dev:		Owner device (started)
 * @template_name:	A template of the topology ("templates" in docs/topology.md)
 * @port:		Owner port to link to the template's "attach" endpoint:
 *			PK_PORT(group, index), or PK_PORT(group, PK_PORT_ANY)
 * @done:		Called once when the instance is built or failed; not
 *			called if it is removed, or the owner stops, first
 * @data:		Passed to @done
 * @error:		Set when refused at once: unknown template, bad or taken
 *			port, layers differ, the template's max-instances for
 *			this owner reached (counted in the core counter
 *			"instances-refused"), owner not started
 *
 * Nothing changes in the graph during this call, so it may be called from
 * any callback (receive, a timer, an fd watch). The host builds the
 * instance later on the main context, outside any dispatch: it creates the
 * template's devices with ids "<owner id>/<handle>/<template device id>",
 * links them as the template says, links the attach endpoint to @port (the
 * owner's link method runs), starts them, then calls @done. The devices are
 * ordinary devices for inspection (listing, counters, D-Bus) but are left
 * out of pk_graph_export() and cannot be removed on their own.
 *
 * Context: owner context.
 * Return: the instance handle (> 0, unique per owner), or 0 with @error set.
 * Since: 1.1
 */
uint32_t pk_dev_instantiate(struct pk_dev *dev, const char *template_name, uint32_t port,
			    pk_instance_func done, void *data, GError **error);

/**
 * pk_dev_instance_remove() - Give an instance back
 * @dev:	Owner device
 * @instance:	Handle from pk_dev_instantiate(); unknown handles are ignored
 *
 * Returns at once: @done will not be called for it any more. Its devices,
 * links, timers, fd watches and ports are freed later on the main context
 * (outside any dispatch); the owner's unlink method then runs for its port,
 * which stays taken (PK_PORT_ANY skips it) until then. Stopping the owner
 * removes all its instances.
 *
 * Context: owner context.
 * Since: 1.1
 */
void pk_dev_instance_remove(struct pk_dev *dev, uint32_t instance);

/* Link information (Since: 1.1) */

/**
 * pk_dev_set_link_info() - Tell the peer of @port what we know of the link
 * @dev:	Device
 * @port:	One of its ports (linked or not yet)
 * @info:	What to publish (copied), or NULL to withdraw it
 *
 * The host keeps the latest value per port and hands it to the peer's
 * link_info method: now (from a source of its own: never inside this call)
 * and whenever the port is linked again. Peers built for ABI 1.0 have no
 * such method and are not told. Example: an l3.adapter publishes its
 * addresses, DHCP lease, router and DNS servers on "ip", so an l3.vclient
 * behind it uses the leased address.
 *
 * Context: owner context (any callback, start, stop).
 * Since: 1.1
 */
void pk_dev_set_link_info(struct pk_dev *dev, uint32_t port, const struct pk_link_info *info);

/**
 * pk_dev_get_link_info() - What the peer of @port published, if anything
 * @dev:	Device
 * @port:	Port
 * @out:	Filled in when the result is true
 *
 * Context: owner context.
 * Return: true if @port is linked and its peer published link information.
 * Since: 1.1
 */
bool pk_dev_get_link_info(struct pk_dev *dev, uint32_t port, struct pk_link_info *out);

/* Port events (Since: 1.2) */

/**
 * pk_dev_port_event() - Send a cold message to the peer of @port
 * @dev:	Device
 * @port:	One of its ports
 * @event:	enum pk_port_event (PK_PORT_EVENT_FLUSH: the addresses behind
 *		this port are gone, forget them)
 *
 * The peer's port_event method runs later on its context as a callback of
 * its own, never inside this call and never on the data path; an event for
 * a link that is gone by then is dropped, and so is one for a peer built
 * before ABI 1.2 or without the method. Example: io.qemu-listen flushes the
 * l2.hub port a disconnected guest was behind, so the hub forgets its MAC
 * at once instead of after aging.
 *
 * Context: owner context (any callback, start, stop).
 * Return: true if the port is linked (the event was queued for the peer).
 * Since: 1.2
 */
bool pk_dev_port_event(struct pk_dev *dev, uint32_t port, uint32_t event);

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

#endif /* PKTKIT_DEVICE_RUNTIME_H */
