// SPDX-License-Identifier: MIT
/* dev.c - The data path between devices: dispatch scopes, emit, re-entrancy queue, counters
 *
 * A dispatch is everything that happens because the core called into a device
 * from outside (a timer, an fd, an invoke, a test injection, a cold method).
 * Within it, emission is a synchronous call into the peer's receive, except
 * when the peer is already inside a callback: then the delivery is queued with
 * references and run when that callback returns. Each delivery costs the
 * buffer one hop (like an IP TTL): a buffer emitted with none left is in a
 * topology loop and is dropped and counted. Hops are counted without
 * writing to buffers on the synchronous path: a buffer holds the delivery
 * depth at which its count runs out (pk_buf.hop_limit), and a synchronous
 * delivery only raises this thread's depth (pk_hop_depth) for its call.
 * Each dispatch may run PK_DISPATCH_BUDGET queued deliveries; what is left
 * then runs from an idle source in the next main-loop iteration, in order.
 * Buffers handed to the dispatch (autorelease) are released when the
 * outermost scope ends.
 */
#include <errno.h>

#include "runtime.h"
#include "pktkit/toolkit/gso.h"

/* Per thread, hence per context: a worker context has its own. */
struct dispatch_state {
	uint32_t depth;
	uint32_t budget;	/* queued deliveries this dispatch may still run */
	uint64_t now;		/* clock read once per dispatch, on first use */
	bool now_valid;
	struct pk_graph *graph;
	struct pk_buf **autorelease;
	uint32_t n_autorelease;
	uint32_t autorelease_alloc;
};

/* initial-exec: libpktkit is loaded with the program, never dlopen'ed late,
 * so the state is one %fs-relative access instead of a __tls_get_addr call. */
static __thread struct dispatch_state dispatch __attribute__((tls_model("initial-exec")));
__thread uint32_t pk_hop_depth __attribute__((tls_model("initial-exec")));

void pk_dispatch_begin(struct pk_graph *g)
{
	if (dispatch.depth++ == 0) {
		dispatch.graph = g;
		dispatch.budget = PK_DISPATCH_BUDGET;
		dispatch.now_valid = false;
	}
}

void pk_dispatch_end(void)
{
	g_assert(dispatch.depth > 0);
	if (--dispatch.depth > 0)
		return;
	/* Releasing may run no device code, so the list cannot grow meanwhile. */
	for (uint32_t i = 0; i < dispatch.n_autorelease; i++)
		pk_buf_unref(dispatch.autorelease[i]);
	dispatch.n_autorelease = 0;
	dispatch.graph = NULL;
}

bool pk_dispatch_active(void)
{
	return dispatch.depth > 0;
}

void pk_dev_autorelease(struct pk_dev *dev, struct pk_buf *b)
{
	if (PK_UNLIKELY(dispatch.depth == 0)) {
		g_critical("pk_dev_autorelease() called outside a callback of '%s'", dev->id);
		pk_buf_unref(b);
		return;
	}
	if (PK_UNLIKELY(dispatch.n_autorelease == dispatch.autorelease_alloc)) {
		/* Grows to the largest dispatch seen, then stays: no steady-state malloc. */
		dispatch.autorelease_alloc = MAX(256u, dispatch.autorelease_alloc * 2);
		dispatch.autorelease = g_renew(struct pk_buf *, dispatch.autorelease,
					       dispatch.autorelease_alloc);
	}
	dispatch.autorelease[dispatch.n_autorelease++] = b;
}

struct pk_buf *pk_buf_writable_copy_(struct pk_dev *dev, struct pk_buf *b)
{
	struct pk_buf *copy;

	if (!pk_buf_is_shared(b))
		return b;
	if (PK_UNLIKELY(dispatch.depth == 0)) {
		g_critical("pk_buf_writable() on a shared buffer outside a callback of '%s'", dev->id);
		return NULL;
	}
	copy = pk_buf_alloc(b->len);
	if (PK_UNLIKELY(!copy)) {
		dev->core[PK_CORE_C_NO_BUFFER]++;
		return NULL;
	}
	/* Keep the original headroom so in-place prepends still fit. */
	if (pk_buf_headroom(b) > PK_HEADROOM &&
	    pk_buf_headroom(b) + b->len <= copy->size)
		copy->data = copy->head + pk_buf_headroom(b);
	memcpy(copy->data, b->data, b->len);
	pk_buf_offload_copy(copy, b);
	copy->hop_limit = b->hop_limit;	/* the same packet, travelling on */
	pk_dev_autorelease(dev, copy);
	return copy;
}

void pk_dev_ref(struct pk_dev *dev)
{
	g_atomic_int_inc(&dev->refcount);
}

void pk_dev_unref(struct pk_dev *dev)
{
	if (!g_atomic_int_dec_and_test(&dev->refcount))
		return;
	pk_link_info_free(dev);
	g_free(dev->id);
	g_free(dev);
}

struct pk_port *pk_dev_port_get(const struct pk_dev *dev, uint32_t port)
{
	uint32_t group = PK_PORT_GROUP(port), index = PK_PORT_INDEX(port);

	if (PK_UNLIKELY(group >= dev->type->n_ports || index >= dev->groups[group].n_alloc))
		return NULL;
	return &dev->groups[group].ports[index];
}

bool pk_dev_port_is_linked(const struct pk_dev *dev, uint32_t port)
{
	const struct pk_port *p = pk_dev_port_get(dev, port);

	return p && p->peer;
}

bool pk_dev_group_takes_offload(const struct pk_dev *dev, uint32_t group)
{
	if (!(pk_port_group_flags(dev, group) & PK_PORT_F_OFFLOAD))
		return false;
	return group >= 32 || !(dev->offload_declined & (1u << group));
}

void pk_dev_group_set_offload(struct pk_dev *dev, uint32_t group, bool take)
{
	struct pk_port_group_slots *s;

	if (group >= dev->type->n_ports || group >= 32)
		return;
	if (take)
		dev->offload_declined &= ~(1u << group);
	else
		dev->offload_declined |= 1u << group;
	/* Ports linked already follow at once. */
	s = &dev->groups[group];
	for (uint32_t i = 0; i < s->n_alloc; i++)
		if (s->ports[i].peer)
			s->ports[i].offload = pk_dev_group_takes_offload(dev, group);
}

bool pk_dev_port_takes_offload(const struct pk_dev *dev, uint32_t port)
{
	const struct pk_port *p = pk_dev_port_get(dev, port);
	const struct pk_port *q;

	if (!p || !p->peer || p->peer->removed)
		return false;
	q = pk_dev_port_get(p->peer, p->peer_port);
	return q && q->offload;
}

/* Make room for one more queued delivery: allocate the ring or double it,
 * the queued slots moved to its start. False when it is at PK_PENDING_MAX. */
static bool dev_pending_grow(struct pk_dev *dst)
{
	uint32_t cap = dst->pend_cap ? dst->pend_cap * 2 : PK_PENDING_MIN;
	struct pk_pending *ring;

	if (cap > PK_PENDING_MAX)
		return false;
	ring = g_new(struct pk_pending, cap);
	for (uint32_t i = 0; i < dst->pend_len; i++)
		ring[i] = dst->pending[(dst->pend_head + i) & (dst->pend_cap - 1)];
	g_free(dst->pending);
	dst->pending = ring;
	dst->pend_cap = cap;
	dst->pend_head = 0;
	return true;
}

/* Queue @batch for @dst, which is busy; references are taken. Every buffer
 * has a hop left (pk_dev_emit() dropped the others); the slot keeps the
 * hops the delivery leaves it, for the drain. */
static void dev_enqueue(struct pk_dev *dst, uint32_t port, const struct pk_batch *batch)
{
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_pending *slot;

		if (PK_UNLIKELY(dst->pend_len == dst->pend_cap) && !dev_pending_grow(dst)) {
			struct pk_port *p = pk_dev_port_get(dst, port);

			if (p)
				p->stats.drops++;
			dst->core[PK_CORE_C_QUEUE_FULL]++;
			continue;
		}
		slot = &dst->pending[(dst->pend_head + dst->pend_len++) & (dst->pend_cap - 1)];
		slot->buf = pk_buf_ref(batch->buf[i]);
		slot->port = port;
		slot->hops = batch->buf[i]->hop_limit - pk_hop_depth - 1u;
	}
}

static void dev_receive(struct pk_dev *dst, uint32_t port, const struct pk_batch *batch)
{
	if (PK_LIKELY(dst->type->ops->receive != NULL))
		dst->type->ops->receive(dst, dst->self, port, batch);
}

static uint64_t batch_bytes(const struct pk_batch *batch);

static void dev_count_rx(struct pk_dev *dev, uint32_t port, const struct pk_batch *batch)
{
	struct pk_port *p = pk_dev_port_get(dev, port);

	if (p) {
		p->stats.rx_packets += batch->n;
		p->stats.rx_bytes += batch_bytes(batch);
	}
}

static void dev_defer(struct pk_dev *dev);

/* Run what was queued for @dev while it was busy, as batches per port, as
 * long as the dispatch's budget lasts; then defer the rest. A queued
 * delivery runs at the current depth with the hops its slot kept, written
 * into the buffer, where they stay. */
static void dev_drain(struct pk_dev *dev)
{
	struct pk_batch batch;

	while (dev->pend_len > 0 && !dev->removed) {
		uint32_t port = dev->pending[dev->pend_head].port;

		if (PK_UNLIKELY(dispatch.budget == 0)) {
			dev_defer(dev);
			return;
		}
		pk_batch_init(&batch);
		while (dev->pend_len > 0 && batch.n < PK_BATCH_MAX && batch.n < dispatch.budget) {
			struct pk_pending *p = &dev->pending[dev->pend_head];

			if (p->port != port)
				break;
			p->buf->hop_limit = pk_hop_depth + p->hops;
			batch.buf[batch.n++] = p->buf;
			dev->pend_head = (dev->pend_head + 1) & (dev->pend_cap - 1);
			dev->pend_len--;
		}
		dispatch.budget -= batch.n;
		dev_count_rx(dev, port, &batch);
		dev->busy++;
		dev_receive(dev, port, &batch);
		dev->busy--;
		pk_batch_unref_all(&batch);
	}
	if (dev->removed)
		pk_dev_drop_pending(dev);
}

/* Idle source: run deferred deliveries, each device in a dispatch (and
 * budget) of its own. Devices deferred again meanwhile wait for the next
 * iteration, so other sources of the context get their turn. */
static gboolean dev_run_deferred(gpointer data)
{
	struct pk_graph *g = data;
	GPtrArray *list = g->deferred;

	g->deferred = g_ptr_array_new();
	for (uint32_t i = 0; i < list->len; i++) {
		struct pk_dev *dev = g_ptr_array_index(list, i);

		dev->deferred = false;
		if (dev->removed) {
			dev->busy--;
		} else {
			pk_dispatch_begin(g);
			pk_dev_leave(dev);	/* the deferral's busy count: drains */
			pk_dispatch_end();
		}
		pk_dev_unref(dev);
	}
	g_ptr_array_unref(list);
	if (g->deferred->len > 0)
		return G_SOURCE_CONTINUE;
	g_source_destroy(g->deferred_source);
	g_source_unref(g->deferred_source);
	g->deferred_source = NULL;
	return G_SOURCE_REMOVE;
}

/* The budget is spent and @dev (not busy) has deliveries queued: keep it
 * busy so newer deliveries queue behind them, and run them next iteration. */
static void dev_defer(struct pk_dev *dev)
{
	struct pk_graph *g = dev->graph;

	dev->busy++;
	dev->deferred = true;
	pk_dev_ref(dev);
	if (!g->deferred)
		g->deferred = g_ptr_array_new();
	g_ptr_array_add(g->deferred, dev);
	if (!g->deferred_source) {
		g->deferred_source = g_idle_source_new();
		g_source_set_priority(g->deferred_source, G_PRIORITY_DEFAULT);
		g_source_set_callback(g->deferred_source, dev_run_deferred, g, NULL);
		g_source_set_name(g->deferred_source, "pktkit deferred deliveries");
		g_source_attach(g->deferred_source, g->context);
	}
}

void pk_graph_deferred_fini(struct pk_graph *g)
{
	if (g->deferred_source) {
		g_source_destroy(g->deferred_source);
		g_source_unref(g->deferred_source);
		g->deferred_source = NULL;
	}
	if (!g->deferred)
		return;
	for (uint32_t i = 0; i < g->deferred->len; i++) {
		struct pk_dev *dev = g_ptr_array_index(g->deferred, i);

		dev->deferred = false;
		dev->busy--;
		pk_dev_drop_pending(dev);
		pk_dev_unref(dev);
	}
	g_clear_pointer(&g->deferred, g_ptr_array_unref);
}

void pk_dev_drop_pending(struct pk_dev *dev)
{
	while (dev->pend_len > 0) {
		pk_buf_unref(dev->pending[dev->pend_head].buf);
		dev->pend_head = (dev->pend_head + 1) & (dev->pend_cap - 1);
		dev->pend_len--;
	}
}

void pk_dev_enter(struct pk_dev *dev)
{
	dev->busy++;
}

void pk_dev_leave(struct pk_dev *dev)
{
	if (--dev->busy == 0 && dev->pend_len > 0)
		dev_drain(dev);
}

static uint64_t batch_bytes(const struct pk_batch *batch)
{
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < batch->n; i++)
		bytes += batch->buf[i]->len;
	return bytes;
}

/* Captures: one predictable branch when neither end of the link is captured. */
static inline void dev_capture(const struct pk_port *p, const struct pk_port *q,
			       const struct pk_batch *batch)
{
	if (PK_UNLIKELY(((uintptr_t)p->tap | (uintptr_t)q->tap) != 0))
		pk_capture_tap_batch(p->tap, q->tap, batch);
}

/* Deliver @out (segments we own, flagged in @owned, mixed with borrowed
 * buffers) and drop our references. */
static void dev_emit_flush(struct pk_dev *dev, uint32_t port, struct pk_batch *out,
			   uint64_t *owned)
{
	pk_dev_emit(dev, port, out);
	for (uint32_t i = 0; i < out->n; i++)
		if (*owned & (1ull << i))
			pk_buf_unref(out->buf[i]);
	*owned = 0;
	pk_batch_init(out);
}

/*
 * Slow path of pk_dev_emit() for offloads: @batch holds super-packets or
 * partial checksums. If the receiving port accepts them, return false
 * (deliver as is). Otherwise deliver software-segmented copies through
 * pk_dev_emit() again (they carry no metadata, so that takes the fast path;
 * they carry the hop count of their super-packet) and return true. Buffers
 * that cannot be segmented are dropped and counted.
 */
static G_GNUC_NO_INLINE bool dev_emit_soft(struct pk_dev *dev, uint32_t port, struct pk_port *p,
					   const struct pk_batch *batch)
{
	const struct pk_port *q;
	uint32_t layer;
	struct pk_batch out;
	uint64_t owned = 0;

	if (p->peer->removed)
		return false;
	q = pk_dev_port_get(p->peer, p->peer_port);
	if (!q || q->offload)
		return false;
	layer = pk_type_port_group(dev->type, PK_PORT_GROUP(port))->layer;
	pk_batch_init(&out);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		int32_t l3 = 0;
		uint32_t pos = 0;
		int rc;

		if (pk_batch_full(&out))
			dev_emit_flush(dev, port, &out, &owned);
		if (!pk_buf_needs_offload(b)) {
			pk_batch_add(&out, b);
			continue;
		}
		if (layer == PK_L2)
			l3 = pk_eth_l3_offset(pk_buf_data(b), pk_buf_len(b));
		do {
			uint32_t first = out.n;

			if (pk_batch_full(&out))
				dev_emit_flush(dev, port, &out, &owned), first = 0;
			rc = l3 < 0 ? -EINVAL : pk_gso_segment(b, (uint32_t)l3, &pos, &out);
			for (uint32_t k = first; k < out.n; k++) {
				owned |= 1ull << k;
				out.buf[k]->hop_limit = b->hop_limit;
			}
		} while (rc == 0);
		if (rc < 0)
			p->stats.drops++;
	}
	if (out.n)
		dev_emit_flush(dev, port, &out, &owned);
	return true;
}

/* Slow path of pk_dev_emit(): some buffers of @batch have no hop left.
 * They die here, counted as loop drops of the device that emitted them;
 * the others go on. */
static G_GNUC_NO_INLINE void dev_emit_live(struct pk_dev *dev, uint32_t port,
					   const struct pk_batch *batch)
{
	struct pk_batch live;

	pk_batch_init(&live);
	for (uint32_t i = 0; i < batch->n; i++) {
		if (batch->buf[i]->hop_limit <= pk_hop_depth)
			dev->core[PK_CORE_C_LOOP]++;
		else
			live.buf[live.n++] = batch->buf[i];
	}
	pk_dev_emit(dev, port, &live);
}

/* In pk_dev_emit()'s summary word: a buffer without a hop left (gso_size
 * and the checksum flag fill the low 16 bits). */
#define DEV_SLOW_DEAD 0x80000000u

void pk_dev_emit(struct pk_dev *dev, uint32_t port, const struct pk_batch *batch)
{
	struct pk_port *p = pk_dev_port_get(dev, port);
	struct pk_dev *dst;
	uint64_t bytes = 0;
	uint32_t slow = 0, depth;

	if (PK_UNLIKELY(batch->n == 0))
		return;
	if (PK_UNLIKELY(!p || !p->peer)) {
		dev->core[PK_CORE_C_UNLINKED] += batch->n;
		if (p)
			p->stats.drops += batch->n;
		return;
	}
	dst = p->peer;
	depth = pk_hop_depth;
	/* Offload metadata and spent hop counts are gathered with the byte
	 * count into one word, without branches and without writes: the
	 * common case pays one predictable branch per batch. The top bit says
	 * that some buffer has no hop left (hop_limit <= depth). */
	for (uint32_t i = 0; i < batch->n; i++) {
		const struct pk_buf *b = batch->buf[i];

		bytes += b->len;
		slow |= (uint32_t)b->gso_size | (b->csum & PK_CSUM_PARTIAL) |
			((b->hop_limit - depth - 1u) & DEV_SLOW_DEAD);
	}
	if (PK_UNLIKELY(slow != 0)) {
		if (slow & DEV_SLOW_DEAD) {
			dev_emit_live(dev, port, batch);
			return;
		}
		if (dev_emit_soft(dev, port, p, batch))
			return;
	}
	p->stats.tx_packets += batch->n;
	p->stats.tx_bytes += bytes;
	if (PK_UNLIKELY(dst->busy || dst->removed)) {
		if (!dst->removed) {
			dev_capture(p, pk_dev_port_get(dst, p->peer_port), batch);
			dev_enqueue(dst, p->peer_port, batch);
		}
		return;
	}
	{
		struct pk_port *q = &dst->groups[PK_PORT_GROUP(p->peer_port)]
					     .ports[PK_PORT_INDEX(p->peer_port)];

		dev_capture(p, q, batch);
		q->stats.rx_packets += batch->n;
		q->stats.rx_bytes += bytes;
	}
	/* The delivery costs a hop: one level deeper for the call. */
	pk_hop_depth = depth + 1;
	dst->busy++;
	dev_receive(dst, p->peer_port, batch);
	pk_hop_depth = depth;
	if (--dst->busy == 0 && PK_UNLIKELY(dst->pend_len > 0))
		dev_drain(dst);
}

void pk_dev_emit_one(struct pk_dev *dev, uint32_t port, struct pk_buf *b)
{
	struct pk_batch batch = { .n = 1 };

	batch.buf[0] = b;
	pk_dev_emit(dev, port, &batch);
}

void pk_dev_count(struct pk_dev *dev, uint32_t counter, uint64_t n)
{
	if (PK_LIKELY(counter < dev->type->n_counters))
		dev->counters[counter] += n;
}

void pk_dev_drop(struct pk_dev *dev, enum pk_drop why, uint64_t n)
{
	if (PK_LIKELY((uint32_t)why <= PK_DROP_QUEUE_FULL))
		dev->core[why] += n;
}

uint64_t *pk_dev_counters(struct pk_dev *dev)
{
	return dev->counters;
}

uint64_t pk_dev_now(struct pk_dev *dev)
{
	if (PK_LIKELY(dispatch.depth > 0 && dispatch.graph == dev->graph)) {
		if (!dispatch.now_valid) {
			dispatch.now = pk_graph_now(dev->graph);
			dispatch.now_valid = true;
		}
		return dispatch.now;
	}
	return pk_graph_now(dev->graph);
}

const char *pk_dev_id(const struct pk_dev *dev)
{
	return dev->id;
}

const struct pk_device_type *pk_dev_type(const struct pk_dev *dev)
{
	return dev->type;
}

void *pk_dev_instance(struct pk_dev *dev)
{
	return dev->self;
}

void pk_dev_log(struct pk_dev *dev, GLogLevelFlags level, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_log_structured("pktkit", level, "PKTKIT_DEVICE", dev->id, "PKTKIT_TYPE",
			 dev->type->name, "MESSAGE", "[%s] %s", dev->id, msg);
}
