/* SPDX-License-Identifier: MIT
 * port-set.h - Linked ports of a hub or router: dense list, per-port output batches, held refs
 *
 * Both device types of the module forward the same way: classify every
 * buffer of an input batch, append it to the output batch of each port it
 * leaves through, then emit every non-empty output batch once. The port set
 * keeps one struct pk_batch per linked port (allocated when the port is
 * linked, never on the data path), the list of ports touched by the current
 * input batch, and the extra buffer references taken for floods, dropped once
 * everything has been emitted.
 */
#ifndef PK_HUB_PORT_SET_H
#define PK_HUB_PORT_SET_H

#include <pktkit/device-runtime.h>

#include "vlan.h"

/* "Not linked" in port_set.pos[]. */
#define PORT_SET_NONE UINT32_MAX
/* Extra references held at most before an early flush. */
#define PORT_SET_HELD_MAX (4u * PK_BATCH_MAX)

/**
 * struct pset_port - One linked port
 * @out:	Buffers to emit on this port when the input batch is done
 * @index:	Port index (PK_PORT_INDEX) within the device's only group
 * @queued:	In the touched list (or covered by a flood) this round
 * @vlan:	VLAN role (l2.hub only)
 */
struct pset_port {
	struct pk_batch out;
	uint32_t index;
	bool queued;
	struct vlan_port vlan;
};

/**
 * struct port_set - The linked ports of one device
 * @ports:	Dense array of @n linked ports (order changes on removal)
 * @n:		Linked ports
 * @alloc:	Allocated entries of @ports and @touched
 * @pos:	Port index -> position in @ports, or PORT_SET_NONE; @n_pos entries
 * @n_pos:	Entries of @pos
 * @touched:	Positions with buffers queued this round, unless @all
 * @n_touched:	Entries of @touched
 * @all:	A flood queued to (nearly) every port: scan them all at flush
 * @held:	References to drop after the flush
 * @n_held:	Entries of @held
 */
struct port_set {
	struct pset_port *ports;
	uint32_t n;
	uint32_t alloc;
	uint32_t *pos;
	uint32_t n_pos;
	uint32_t *touched;
	uint32_t n_touched;
	bool all;
	struct pk_buf *held[PORT_SET_HELD_MAX];
	uint32_t n_held;
};

/**
 * port_set_add() - A port was linked
 * @ps:		Port set
 * @index:	Port index
 *
 * Context: cold (allocates).
 * Return: the new entry (valid until the next add or remove).
 */
struct pset_port *port_set_add(struct port_set *ps, uint32_t index);

/**
 * port_set_remove() - A port was unlinked
 * @ps:		Port set
 * @index:	Port index
 *
 * Context: cold.
 */
void port_set_remove(struct port_set *ps, uint32_t index);

/**
 * port_set_free() - Free everything
 * @ps:	Port set; zeroed
 *
 * Context: cold.
 */
void port_set_free(struct port_set *ps);

/**
 * port_set_flush() - Emit every queued output batch, then drop held references
 * @ps:		Port set
 * @dev:	Device emitting
 *
 * Context: owner context, hot path.
 */
void port_set_flush(struct port_set *ps, struct pk_dev *dev);

/**
 * port_set_at() - Position of a port index
 * @ps:		Port set
 * @index:	Port index
 *
 * Context: owner context, hot path.
 * Return: the position in @ps->ports, or PORT_SET_NONE if not linked.
 */
static inline uint32_t port_set_at(const struct port_set *ps, uint32_t index)
{
	return index < ps->n_pos ? ps->pos[index] : PORT_SET_NONE;
}

/**
 * port_set_emit_port() - Emit one port's output batch now and empty it
 * @ps:		Port set
 * @dev:	Device emitting
 * @p:		Port (its batch is full, or the round is being flushed)
 *
 * Context: owner context, hot path.
 */
void port_set_emit_port(struct port_set *ps, struct pk_dev *dev, struct pset_port *p);

/**
 * port_set_queue() - Append a buffer to a port's output batch
 * @ps:		Port set
 * @dev:	Device (an early emit happens if the batch is full)
 * @pos:	Position of the port
 * @b:		Buffer; must stay valid until the flush
 *
 * Context: owner context, hot path.
 */
static inline void port_set_queue(struct port_set *ps, struct pk_dev *dev, uint32_t pos,
				  struct pk_buf *b)
{
	struct pset_port *p = &ps->ports[pos];

	if (G_UNLIKELY(p->out.n == PK_BATCH_MAX))
		port_set_emit_port(ps, dev, p);
	if (!p->queued) {
		p->queued = true;
		if (!ps->all)
			ps->touched[ps->n_touched++] = pos;
	}
	p->out.buf[p->out.n++] = b;
}

/**
 * struct pset_run - Consecutive buffers for one port, counted in a register
 * @p:		Port being appended to, or NULL
 * @pos:	Its position
 * @n:		Its output batch length, not yet stored in @p->out.n
 *
 * A local variable of a receive loop: appending a run of buffers to the same
 * port then costs no load/store round trip through p->out.n per buffer. End
 * the run (port_run_end()) before any other use of the port set.
 */
struct pset_run {
	struct pset_port *p;
	uint32_t pos;
	uint32_t n;
};

/* Start a run (nothing appended yet). Context: owner context, hot path. */
static inline void port_run_init(struct pset_run *r)
{
	r->p = NULL;
	r->pos = PORT_SET_NONE;
	r->n = 0;
}

/* Store the run's count; the port set is consistent again. Context: hot path. */
static inline void port_run_end(struct pset_run *r)
{
	if (r->p) {
		r->p->out.n = r->n;
		r->p = NULL;
		r->pos = PORT_SET_NONE;
	}
}

/**
 * port_run_add() - port_set_queue() through a run
 * @ps:		Port set
 * @dev:	Device (an early emit happens if the batch is full)
 * @r:		Run
 * @pos:	Position of the port
 * @b:		Buffer; must stay valid until the flush
 *
 * Context: owner context, hot path.
 */
static inline void port_run_add(struct port_set *ps, struct pk_dev *dev, struct pset_run *r,
				uint32_t pos, struct pk_buf *b)
{
	if (G_UNLIKELY(pos != r->pos)) {
		struct pset_port *p = &ps->ports[pos];

		port_run_end(r);
		r->p = p;
		r->pos = pos;
		r->n = p->out.n;
		if (!p->queued) {
			p->queued = true;
			if (!ps->all)
				ps->touched[ps->n_touched++] = pos;
		}
	}
	if (G_UNLIKELY(r->n == PK_BATCH_MAX)) {
		r->p->out.n = r->n;
		port_set_emit_port(ps, dev, r->p);
		r->n = 0;
	}
	r->p->out.buf[r->n++] = b;
}

/**
 * port_set_flood_begin() - About to queue to most ports: stop tracking touches
 * @ps:	Port set
 *
 * Context: owner context, hot path.
 */
static inline void port_set_flood_begin(struct port_set *ps)
{
	ps->all = true;
}

/**
 * port_set_hold() - Keep an extra reference until the flush
 * @ps:		Port set
 * @dev:	Device (the flush happens early if the list is full)
 * @b:		Buffer to take a reference on
 *
 * Call it before queueing @b anywhere: an early flush emits what is queued
 * and drops the references held so far.
 *
 * Context: owner context, hot path.
 */
static inline void port_set_hold(struct port_set *ps, struct pk_dev *dev, struct pk_buf *b)
{
	if (G_UNLIKELY(ps->n_held == PORT_SET_HELD_MAX))
		port_set_flush(ps, dev);
	ps->held[ps->n_held++] = pk_buf_ref(b);
}

/**
 * port_set_give() - Hand over an owned reference, dropped at the flush
 * @ps:		Port set
 * @dev:	Device (the flush happens early if the list is full)
 * @b:		Buffer whose reference the caller gives up
 *
 * Like port_set_hold(), call it before queueing @b anywhere.
 *
 * Context: owner context, hot path.
 */
static inline void port_set_give(struct port_set *ps, struct pk_dev *dev, struct pk_buf *b)
{
	if (G_UNLIKELY(ps->n_held == PORT_SET_HELD_MAX))
		port_set_flush(ps, dev);
	ps->held[ps->n_held++] = b;
}

/**
 * port_set_flood() - Queue @b, unchanged, to every port but the one at @in_pos
 * @ps:		Port set
 * @dev:	Device
 * @in_pos:	Position of the ingress port (PORT_SET_NONE for none)
 * @b:		Buffer; one extra reference is held until the flush when it goes
 *		to more than one port, so any receiver that writes gets a copy
 *
 * Context: owner context, hot path.
 */
static inline void port_set_flood(struct port_set *ps, struct pk_dev *dev, uint32_t in_pos,
				  struct pk_buf *b)
{
	if (ps->n > 2)
		port_set_hold(ps, dev, b);	/* before queueing: may flush */
	port_set_flood_begin(ps);
	for (uint32_t pos = 0; pos < ps->n; pos++)
		if (pos != in_pos)
			port_set_queue(ps, dev, pos, b);
}

#endif /* PK_HUB_PORT_SET_H */
