// SPDX-License-Identifier: MIT
/* port-set.c - Linked ports of a hub or router: membership, output batches, flush */
#include "port-set.h"

struct pset_port *port_set_add(struct port_set *ps, uint32_t index)
{
	struct pset_port *p;

	if (index >= ps->n_pos) {
		uint32_t n_pos = MAX(index + 1, MIN(ps->n_pos * 2, 65536u));

		ps->pos = g_renew(uint32_t, ps->pos, n_pos);
		for (uint32_t i = ps->n_pos; i < n_pos; i++)
			ps->pos[i] = PORT_SET_NONE;
		ps->n_pos = n_pos;
	}
	g_return_val_if_fail(ps->pos[index] == PORT_SET_NONE, &ps->ports[ps->pos[index]]);
	if (ps->n == ps->alloc) {
		ps->alloc = MAX(8u, ps->alloc * 2);
		ps->ports = g_renew(struct pset_port, ps->ports, ps->alloc);
		ps->touched = g_renew(uint32_t, ps->touched, ps->alloc);
	}
	p = &ps->ports[ps->n];
	memset(p, 0, sizeof(*p));
	p->index = index;
	ps->pos[index] = ps->n++;
	return p;
}

void port_set_remove(struct port_set *ps, uint32_t index)
{
	uint32_t at = port_set_at(ps, index);

	if (at == PORT_SET_NONE)
		return;
	/* Never called during a receive, so no output batch is pending. */
	ps->n--;
	if (at != ps->n) {
		ps->ports[at] = ps->ports[ps->n];
		ps->pos[ps->ports[at].index] = at;
	}
	ps->pos[index] = PORT_SET_NONE;
}

void port_set_free(struct port_set *ps)
{
	g_free(ps->ports);
	g_free(ps->pos);
	g_free(ps->touched);
	memset(ps, 0, sizeof(*ps));
}

void port_set_emit_port(struct port_set *ps, struct pk_dev *dev, struct pset_port *p)
{
	pk_dev_emit(dev, PK_PORT(0, p->index), &p->out);
	p->out.n = 0;
}

void port_set_flush(struct port_set *ps, struct pk_dev *dev)
{
	if (ps->all) {
		for (uint32_t i = 0; i < ps->n; i++) {
			struct pset_port *p = &ps->ports[i];

			if (p->out.n)
				port_set_emit_port(ps, dev, p);
			p->queued = false;
		}
		ps->all = false;
	} else {
		for (uint32_t i = 0; i < ps->n_touched; i++) {
			struct pset_port *p = &ps->ports[ps->touched[i]];

			if (p->out.n)
				port_set_emit_port(ps, dev, p);
			p->queued = false;
		}
	}
	ps->n_touched = 0;
	for (uint32_t i = 0; i < ps->n_held; i++)
		pk_buf_unref(ps->held[i]);
	ps->n_held = 0;
}
