// SPDX-License-Identifier: MIT
/* link-info.c - Link information a device publishes to the peer of a port (addresses, router, DNS, MTU) */
#include <string.h>

#include "runtime.h"

/* The link_info method exists only in the ops of modules built for 1.1+. */
static bool dev_has_link_info_op(const struct pk_dev *dev)
{
	const struct pk_registry_type *rt = dev->rtype;

	if (rt && rt->module && rt->module->info && rt->module->info->abi_minor < 1)
		return false;
	return dev->type->ops->link_info != NULL;
}

static const struct pk_link_info *stored(const struct pk_dev *dev, uint32_t port)
{
	return dev->link_info ? g_hash_table_lookup(dev->link_info, GUINT_TO_POINTER(port + 1))
			      : NULL;
}

/* Runs on @dev's context as its callback: hand it what its peer published. */
static void deliver(struct pk_dev *dev, void *self, void *data)
{
	uint32_t port = GPOINTER_TO_UINT(data);
	const struct pk_port *p = pk_dev_port_get(dev, port);

	if (!p || !p->peer || !dev_has_link_info_op(dev))
		return;
	dev->type->ops->link_info(dev, self, port, stored(p->peer, p->peer_port));
}

static void schedule(struct pk_dev *dev, uint32_t port)
{
	if (dev_has_link_info_op(dev))
		pk_dev_invoke(dev, deliver, GUINT_TO_POINTER(port), NULL);
}

void pk_dev_set_link_info(struct pk_dev *dev, uint32_t port, const struct pk_link_info *info)
{
	const struct pk_port *p;

	if (info) {
		struct pk_link_info *copy = g_new0(struct pk_link_info, 1);

		memcpy(copy, info, MIN(info->size ? info->size : sizeof(*info), sizeof(*copy)));
		copy->size = sizeof(*copy);
		copy->n_addresses = MIN(copy->n_addresses, PK_LINK_INFO_MAX_ADDRS);
		copy->n_dns = MIN(copy->n_dns, PK_LINK_INFO_MAX_DNS);
		copy->domain[sizeof(copy->domain) - 1] = '\0';
		if (!dev->link_info)
			dev->link_info = g_hash_table_new_full(NULL, NULL, NULL, g_free);
		g_hash_table_replace(dev->link_info, GUINT_TO_POINTER(port + 1), copy);
	} else if (dev->link_info) {
		if (!g_hash_table_remove(dev->link_info, GUINT_TO_POINTER(port + 1)))
			return;
	} else {
		return;
	}
	p = pk_dev_port_get(dev, port);
	if (p && p->peer)
		schedule(p->peer, p->peer_port);
}

bool pk_dev_get_link_info(struct pk_dev *dev, uint32_t port, struct pk_link_info *out)
{
	const struct pk_port *p = pk_dev_port_get(dev, port);
	const struct pk_link_info *info;

	if (!p || !p->peer || !(info = stored(p->peer, p->peer_port)))
		return false;
	*out = *info;
	return true;
}

void pk_link_info_linked(struct pk_dev *a, uint32_t pa, struct pk_dev *b, uint32_t pb)
{
	if (stored(b, pb))
		schedule(a, pa);
	if (stored(a, pa))
		schedule(b, pb);
}

void pk_link_info_free(struct pk_dev *dev)
{
	g_clear_pointer(&dev->link_info, g_hash_table_destroy);
}
