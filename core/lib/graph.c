// SPDX-License-Identifier: MIT
/* graph.c - The control path of a topology: devices, links, lifecycle, config, export
 *
 * Everything here runs on the graph's main context and outside any device
 * callback. Calls into modules (init, start, link, ...) run inside a dispatch
 * scope with the device marked busy, so a module may emit from any of them.
 */
#include "runtime.h"

#define DEV_GUARD_BEGIN(dev)                  \
	do {                                  \
		pk_dispatch_begin((dev)->graph); \
		pk_dev_enter(dev);            \
	} while (0)
#define DEV_GUARD_END(dev)         \
	do {                       \
		pk_dev_leave(dev); \
		pk_dispatch_end(); \
	} while (0)

struct pk_graph *pk_graph_new(struct pk_registry *reg, GMainContext *context, uint32_t flags)
{
	struct pk_graph *g = g_new0(struct pk_graph, 1);

	g->reg = reg;
	g->context = context ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	g->flags = flags;
	g->devices = g_hash_table_new(g_str_hash, g_str_equal);
	g->order = g_ptr_array_new();
	pk_graph_timers_init(g);
	pk_graph_templates_init(g);
	return g;
}

void pk_graph_free(struct pk_graph *g)
{
	if (!g)
		return;
	pk_graph_stop_captures(g, NULL);
	pk_graph_stop(g);
	while (g->order->len > 0) {
		struct pk_dev *dev = g_ptr_array_index(g->order, g->order->len - 1);

		pk_graph_remove_device_(g, dev);
	}
	pk_graph_deferred_fini(g);
	pk_graph_templates_fini(g);
	pk_graph_timers_fini(g);
	g_hash_table_unref(g->devices);
	g_ptr_array_unref(g->order);
	if (g->captures)
		g_ptr_array_unref(g->captures);
	g_main_context_unref(g->context);
	g_free(g);
}

void pk_graph_clear(struct pk_graph *g)
{
	g_return_if_fail(!pk_dispatch_active());
	pk_graph_stop_captures(g, NULL);
	while (g->order->len > 0)
		pk_graph_remove_device_(g, g_ptr_array_index(g->order, g->order->len - 1));
	while (g->template_order->len > 0) {
		struct pk_template *t = g_ptr_array_index(g->template_order,
							  g->template_order->len - 1);

		pk_graph_template_remove(g, t->name);
	}
}

struct pk_dev *pk_graph_lookup(struct pk_graph *g, const char *id)
{
	return g_hash_table_lookup(g->devices, id);
}

const char **pk_graph_devices(struct pk_graph *g)
{
	const char **ids = g_new0(const char *, g->order->len + 1);

	for (guint i = 0; i < g->order->len; i++)
		ids[i] = ((struct pk_dev *)g_ptr_array_index(g->order, i))->id;
	return ids;
}

bool pk_graph_is_running(const struct pk_graph *g)
{
	return g->running;
}

/* Devices ------------------------------------------------------------- */

static void dev_free_config(struct pk_dev *dev)
{
	if (dev->config) {
		pk_params_clear(&dev->params, dev->config);
		g_free(dev->config);
		dev->config = NULL;
	}
}

static void dev_destroy(struct pk_dev *dev)
{
	dev_free_config(dev);
	for (uint32_t i = 0; dev->groups && i < dev->type->n_ports; i++)
		g_free(dev->groups[i].ports);
	g_free(dev->groups);
	pk_dev_drop_pending(dev);
	g_free(dev->pending);
	dev->pending = NULL;
	dev->pend_cap = 0;
	g_free(dev->counters);
	g_free(dev->self);
	dev->self = NULL;
	g_ptr_array_unref(dev->timers);
	g_ptr_array_unref(dev->watches);
	g_clear_pointer(&dev->instances, g_ptr_array_unref);
	dev->removed = true;
	pk_dev_unref(dev);
}

/* Parse @params for @type into a new config struct, or NULL with @error. */
static void *config_from_json(const struct pk_device_type *type, JsonObject *params,
			      const char *path, GError **error)
{
	struct pk_param_table tab = pk_type_params(type);
	void *config = g_malloc0(MAX(type->config_size, 1u));
	g_autoptr(JsonObject) empty = NULL;

	if (!params)
		params = empty = json_object_new();
	if (!pk_params_set_defaults(&tab, config, error) ||
	    !pk_params_apply_json(&tab, params, config, path, "type", true, NULL, error)) {
		pk_params_clear(&tab, config);
		g_free(config);
		return NULL;
	}
	return config;
}

bool pk_graph_start_device(struct pk_dev *dev, GError **error)
{
	int rc = 0;

	if (dev->started)
		return true;
	if (dev->type->ops->start) {
		dev->starting = true;
		DEV_GUARD_BEGIN(dev);
		rc = dev->type->ops->start(dev, dev->self, error);
		DEV_GUARD_END(dev);
		dev->starting = false;
	}
	if (rc < 0) {
		if (error && !*error)
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "failed to start");
		g_prefix_error(error, "devices.%s: ", dev->id);
		pk_dev_quiesce(dev);
		pk_dev_instances_clear(dev);
		return false;
	}
	dev->started = true;
	return true;
}

static void dev_stop(struct pk_dev *dev)
{
	if (!dev->started)
		return;
	if (dev->type->ops->stop) {
		DEV_GUARD_BEGIN(dev);
		dev->type->ops->stop(dev, dev->self);
		DEV_GUARD_END(dev);
	}
	pk_dev_quiesce(dev);
	dev->started = false;
	/* Instances live while their owner runs. */
	pk_dev_instances_clear(dev);
}

/* Create and init a device without starting it. */
struct pk_dev *pk_graph_add_device_stopped(struct pk_graph *g, const char *id,
					   const char *type_name, JsonObject *params,
					   GError **error)
{
	const struct pk_registry_type *rt;
	const struct pk_device_type *type;
	g_autofree char *path = g_strdup_printf("devices.%s", id);
	struct pk_dev *dev;
	void *config;
	int rc = 0;

	g_return_val_if_fail(!pk_dispatch_active(), NULL);
	/* Instance devices (graph-instance.c) have ids "<owner>/<n>/<local>". */
	if (!pk_id_is_valid_ref(id)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "%s: invalid device id (use letters, digits, '_' and '-')", path);
		return NULL;
	}
	if (g_hash_table_contains(g->devices, id)) {
		g_set_error(error, PK_ERROR, PK_ERROR_EXISTS, "%s: device id already in use", path);
		return NULL;
	}
	rt = pk_registry_lookup(g->reg, type_name);
	if (!rt) {
		const char *near = pk_registry_closest(g->reg, type_name);

		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "%s.type: unknown device type '%s'%s%s%s",
			    path, type_name, near ? " (did you mean '" : "", near ? near : "",
			    near ? "'?)" : "");
		return NULL;
	}
	type = rt->type;
	config = config_from_json(type, params, path, error);
	if (!config)
		return NULL;
	if (!pk_graph_check_template_refs(g, rt, config, path, error)) {
		struct pk_param_table tab = pk_type_params(type);

		pk_params_clear(&tab, config);
		g_free(config);
		return NULL;
	}

	dev = g_new0(struct pk_dev, 1);
	dev->refcount = 1;
	dev->graph = g;
	dev->rtype = rt;
	dev->type = type;
	dev->params = pk_type_params(type);
	dev->id = g_strdup(id);
	dev->config = config;
	dev->self = g_malloc0(MAX(type->instance_size, 1u));
	dev->counters = g_new0(uint64_t, MAX(type->n_counters, 1u));
	dev->groups = g_new0(struct pk_port_group_slots, MAX(type->n_ports, 1u));
	dev->timers = g_ptr_array_new();
	dev->watches = g_ptr_array_new();
	dev->add_order = g->next_order++;

	if (type->ops->init) {
		DEV_GUARD_BEGIN(dev);
		rc = type->ops->init(dev, dev->self, dev->config, error);
		DEV_GUARD_END(dev);
	}
	if (rc < 0) {
		if (error && !*error)
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "initialisation failed");
		g_prefix_error(error, "%s: ", path);
		pk_dev_free_timers_and_watches(dev);
		dev_destroy(dev);
		return NULL;
	}
	dev->initialized = true;
	g_hash_table_insert(g->devices, dev->id, dev);
	g_ptr_array_add(g->order, dev);
	return dev;
}

struct pk_dev *pk_graph_add_device(struct pk_graph *g, const char *id, const char *type,
				   JsonObject *params, GError **error)
{
	struct pk_dev *dev;

	if (!pk_id_is_valid(id)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "devices.%s: invalid device id (use letters, digits, '_' and '-')", id);
		return NULL;
	}
	dev = pk_graph_add_device_stopped(g, id, type, params, error);

	if (dev && g->running && !pk_graph_start_device(dev, error)) {
		pk_graph_remove_device(g, id, NULL);
		return NULL;
	}
	return dev;
}

static void port_unlink_both(struct pk_dev *dev, uint32_t port);

bool pk_graph_remove_device(struct pk_graph *g, const char *id, GError **error)
{
	struct pk_dev *dev = pk_graph_lookup(g, id);

	g_return_val_if_fail(!pk_dispatch_active(), false);
	if (!dev) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "no device '%s'", id);
		return false;
	}
	if (dev->instance) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE,
			    "device '%s' belongs to an instance of template '%s' made by '%s'; it goes when %s removes the instance",
			    id, dev->instance->tmpl->name, dev->instance->owner->id,
			    dev->instance->owner->id);
		return false;
	}
	pk_graph_remove_device_(g, dev);
	return true;
}

void pk_graph_remove_device_(struct pk_graph *g, struct pk_dev *dev)
{
	g_return_if_fail(!pk_dispatch_active());
	pk_graph_stop_captures(g, dev);
	dev_stop(dev);
	for (uint32_t grp = 0; grp < dev->type->n_ports; grp++)
		for (uint32_t i = 0; i < dev->groups[grp].n_alloc; i++)
			if (dev->groups[grp].ports[i].peer)
				port_unlink_both(dev, PK_PORT(grp, i));
	if (dev->type->ops->finalize) {
		DEV_GUARD_BEGIN(dev);
		dev->type->ops->finalize(dev, dev->self);
		DEV_GUARD_END(dev);
	}
	pk_dev_free_timers_and_watches(dev);
	g_hash_table_remove(g->devices, dev->id);
	g_ptr_array_remove(g->order, dev);
	dev_destroy(dev);
}

/* Start / stop -------------------------------------------------------- */

static bool graph_check_min_ports(struct pk_graph *g, GError **error)
{
	for (guint d = 0; d < g->order->len; d++) {
		struct pk_dev *dev = g_ptr_array_index(g->order, d);

		for (uint32_t grp = 0; grp < dev->type->n_ports; grp++) {
			const struct pk_port_group *pg = pk_type_port_group(dev->type, grp);

			if (dev->groups[grp].n_linked < pg->min) {
				g_set_error(error, PK_ERROR, PK_ERROR_STATE,
					    "devices.%s: port group '%s' needs at least %u link(s), has %u",
					    dev->id, pg->name, pg->min, dev->groups[grp].n_linked);
				return false;
			}
		}
	}
	return true;
}

bool pk_graph_start(struct pk_graph *g, GError **error)
{
	g_return_val_if_fail(!pk_dispatch_active(), false);
	if (g->running)
		return true;
	if (!graph_check_min_ports(g, error))
		return false;
	for (guint i = 0; i < g->order->len; i++) {
		if (!pk_graph_start_device(g_ptr_array_index(g->order, i), error)) {
			while (i-- > 0)
				dev_stop(g_ptr_array_index(g->order, i));
			return false;
		}
	}
	g->running = true;
	return true;
}

void pk_graph_stop(struct pk_graph *g)
{
	g_return_if_fail(!pk_dispatch_active());
	for (guint i = g->order->len; i-- > 0;)
		dev_stop(g_ptr_array_index(g->order, i));
	g->running = false;
}

/* Links --------------------------------------------------------------- */

bool pk_graph_resolve_group(const struct pk_device_type *type, const char *group,
			    uint32_t *group_index)
{
	if (!group) {
		if (type->n_ports != 1)
			return false;
		*group_index = 0;
		return true;
	}
	for (uint32_t i = 0; i < type->n_ports; i++) {
		if (strcmp(pk_type_port_group(type, i)->name, group) == 0) {
			*group_index = i;
			return true;
		}
	}
	return false;
}

static char *group_names(const struct pk_device_type *type)
{
	GString *s = g_string_new(NULL);

	for (uint32_t i = 0; i < type->n_ports; i++)
		g_string_append_printf(s, "%s'%s'", i ? ", " : "", pk_type_port_group(type, i)->name);
	if (type->n_ports == 0)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

/* A parsed, resolved endpoint. index < 0 means "lowest free". */
struct endpoint {
	struct pk_dev *dev;
	uint32_t group;
	int64_t index;
};

static bool endpoint_resolve(struct pk_graph *g, const char *text, struct endpoint *ep,
			     GError **error)
{
	g_autofree char *id = NULL, *group = NULL;

	if (!pk_endpoint_split(text, &id, &group, &ep->index)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "'%s': not an endpoint (expected \"device\", \"device.group\" or \"device.group.N\")",
			    text);
		return false;
	}
	ep->dev = pk_graph_lookup(g, id);
	if (!ep->dev) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "'%s': no device '%s'", text, id);
		return false;
	}
	if (!pk_graph_resolve_group(ep->dev->type, group, &ep->group)) {
		g_autofree char *names = group_names(ep->dev->type);

		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN,
			    group ? "'%s': type %s has no port group '%s' (port groups: %s)"
				  : "'%s': type %s has several port groups; name one (%s)",
			    text, ep->dev->type->name, group ? group : names, names);
		return false;
	}
	return true;
}

static void slots_ensure(struct pk_port_group_slots *s, uint32_t index)
{
	uint32_t n;

	if (index < s->n_alloc)
		return;
	n = MAX(index + 1, MAX(4u, s->n_alloc * 2));
	s->ports = g_renew(struct pk_port, s->ports, n);
	memset(s->ports + s->n_alloc, 0, (n - s->n_alloc) * sizeof(struct pk_port));
	s->n_alloc = n;
}

/* Choose the port index of @ep (lowest free if not given); @avoid is taken. */
static bool endpoint_pick(struct endpoint *ep, int64_t avoid, const char *text, GError **error)
{
	const struct pk_port_group *pg = pk_type_port_group(ep->dev->type, ep->group);
	struct pk_port_group_slots *s = &ep->dev->groups[ep->group];

	if (ep->index < 0) {
		int64_t i = 0;

		while (i < pg->max && ((i < s->n_alloc && s->ports[i].peer) || i == avoid))
			i++;
		if (i >= pg->max) {
			g_set_error(error, PK_ERROR, PK_ERROR_STATE,
				    "'%s': all %u port(s) of group '%s' are linked", text, pg->max,
				    pg->name);
			return false;
		}
		ep->index = i;
		return true;
	}
	if (ep->index >= pg->max) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "'%s': port index %" G_GINT64_FORMAT " out of range (group '%s' has %u)",
			    text, ep->index, pg->name, pg->max);
		return false;
	}
	if ((ep->index < s->n_alloc && s->ports[ep->index].peer) || ep->index == avoid) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE, "'%s': port already linked", text);
		return false;
	}
	return true;
}

static int dev_call_link(struct pk_dev *dev, uint32_t port, GError **error)
{
	int rc = 0;

	if (!dev->type->ops->link)
		return 0;
	DEV_GUARD_BEGIN(dev);
	rc = dev->type->ops->link(dev, dev->self, port, error);
	DEV_GUARD_END(dev);
	if (rc < 0 && error && !*error)
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "device '%s' refused the link", dev->id);
	return rc;
}

static void dev_call_unlink(struct pk_dev *dev, uint32_t port)
{
	if (!dev->type->ops->unlink)
		return;
	DEV_GUARD_BEGIN(dev);
	dev->type->ops->unlink(dev, dev->self, port);
	DEV_GUARD_END(dev);
}

static void port_connect(struct pk_dev *a, uint32_t pa, struct pk_dev *b, uint32_t pb)
{
	struct pk_port *x = pk_dev_port_get(a, pa), *y = pk_dev_port_get(b, pb);

	x->peer = b;
	x->peer_port = pb;
	x->offload = pk_dev_group_takes_offload(a, PK_PORT_GROUP(pa));
	y->peer = a;
	y->peer_port = pa;
	y->offload = pk_dev_group_takes_offload(b, PK_PORT_GROUP(pb));
	a->groups[PK_PORT_GROUP(pa)].n_linked++;
	b->groups[PK_PORT_GROUP(pb)].n_linked++;
}

static void port_disconnect(struct pk_dev *a, uint32_t pa)
{
	struct pk_port *x = pk_dev_port_get(a, pa);
	struct pk_dev *b = x->peer;
	struct pk_port *y = pk_dev_port_get(b, x->peer_port);

	a->groups[PK_PORT_GROUP(pa)].n_linked--;
	b->groups[PK_PORT_GROUP(x->peer_port)].n_linked--;
	y->peer = NULL;
	x->peer = NULL;
}

/* Drop the link at @port: tell both ends, after the link is gone. */
static void port_unlink_both(struct pk_dev *dev, uint32_t port)
{
	struct pk_port *x = pk_dev_port_get(dev, port);
	struct pk_dev *peer = x->peer;
	uint32_t peer_port = x->peer_port;

	port_disconnect(dev, port);
	dev_call_unlink(dev, port);
	dev_call_unlink(peer, peer_port);
}

bool pk_graph_link(struct pk_graph *g, const char *a, const char *b, GError **error)
{
	struct endpoint ea, eb;
	uint32_t pa, pb;

	g_return_val_if_fail(!pk_dispatch_active(), false);
	if (!endpoint_resolve(g, a, &ea, error) || !endpoint_resolve(g, b, &eb, error))
		return false;
	if (pk_type_port_group(ea.dev->type, ea.group)->layer !=
	    pk_type_port_group(eb.dev->type, eb.group)->layer) {
		g_set_error(error, PK_ERROR, PK_ERROR_LAYER,
			    "cannot link '%s' (L%u) to '%s' (L%u): the layers differ; put an adapter between them",
			    a, pk_type_port_group(ea.dev->type, ea.group)->layer, b,
			    pk_type_port_group(eb.dev->type, eb.group)->layer);
		return false;
	}
	if (!endpoint_pick(&ea, -1, a, error))
		return false;
	if (!endpoint_pick(&eb, (eb.dev == ea.dev && eb.group == ea.group) ? ea.index : -1, b,
			   error))
		return false;
	pa = PK_PORT(ea.group, ea.index);
	pb = PK_PORT(eb.group, eb.index);
	slots_ensure(&ea.dev->groups[ea.group], (uint32_t)ea.index);
	slots_ensure(&eb.dev->groups[eb.group], (uint32_t)eb.index);
	port_connect(ea.dev, pa, eb.dev, pb);
	if (dev_call_link(ea.dev, pa, error) < 0) {
		port_disconnect(ea.dev, pa);
		return false;
	}
	if (dev_call_link(eb.dev, pb, error) < 0) {
		port_disconnect(ea.dev, pa);
		dev_call_unlink(ea.dev, pa);
		return false;
	}
	pk_link_info_linked(ea.dev, pa, eb.dev, pb);
	return true;
}

bool pk_graph_unlink(struct pk_graph *g, const char *endpoint, GError **error)
{
	struct endpoint ep;
	struct pk_port *p;

	g_return_val_if_fail(!pk_dispatch_active(), false);
	if (!endpoint_resolve(g, endpoint, &ep, error))
		return false;
	if (ep.index < 0) {
		if (pk_type_port_group(ep.dev->type, ep.group)->max != 1) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "'%s': name the port index (\"device.group.N\")", endpoint);
			return false;
		}
		ep.index = 0;
	}
	p = pk_dev_port_get(ep.dev, PK_PORT(ep.group, ep.index));
	if (!p || !p->peer) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE, "'%s': port is not linked", endpoint);
		return false;
	}
	port_unlink_both(ep.dev, PK_PORT(ep.group, ep.index));
	return true;
}

/* Config -------------------------------------------------------------- */

static bool config_check_live(struct pk_dev *dev, JsonObject *params, GError **error)
{
	JsonObjectIter iter;
	const char *key;

	json_object_iter_init(&iter, params);
	while (json_object_iter_next(&iter, &key, NULL)) {
		for (uint32_t i = 0; i < dev->params.n; i++) {
			const struct pk_param *p = pk_param_at(&dev->params, i);

			if (strcmp(p->name, key) == 0 && !(p->flags & PK_PF_LIVE)) {
				g_set_error(error, PK_ERROR, PK_ERROR_STATE,
					    "devices.%s.%s: cannot change while the device runs (not a live parameter); stop it first",
					    dev->id, key);
				return false;
			}
		}
	}
	return true;
}

bool pk_graph_set_config(struct pk_graph *g, const char *id, JsonObject *params,
			 GError **error)
{
	struct pk_dev *dev = pk_graph_lookup(g, id);
	g_autofree char *path = g_strdup_printf("devices.%s", id);
	uint64_t changed = 0;
	void *next;
	int rc = 0;

	g_return_val_if_fail(!pk_dispatch_active(), false);
	if (!dev) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "no device '%s'", id);
		return false;
	}
	next = g_malloc0(MAX(dev->type->config_size, 1u));
	pk_params_copy(&dev->params, next, dev->config);
	if (!pk_params_apply_json(&dev->params, params, next, path, NULL, false, &changed, error) ||
	    (dev->started && !config_check_live(dev, params, error)) ||
	    !pk_graph_check_template_refs(g, dev->rtype, next, path, error))
		goto fail;
	if (changed && !dev->type->ops->reconfigure) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE,
			    "%s: type %s cannot be reconfigured; remove and re-add the device", path,
			    dev->type->name);
		goto fail;
	}
	if (changed) {
		DEV_GUARD_BEGIN(dev);
		rc = dev->type->ops->reconfigure(dev, dev->self, next, changed, error);
		DEV_GUARD_END(dev);
	}
	if (rc < 0) {
		if (error && !*error)
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "reconfiguration refused");
		g_prefix_error(error, "%s: ", path);
		goto fail;
	}
	dev_free_config(dev);
	dev->config = next;
	return true;
fail:
	pk_params_clear(&dev->params, next);
	g_free(next);
	return false;
}

/* Export -------------------------------------------------------------- */

JsonObject *pk_params_non_defaults(const struct pk_param_table *tab, uint32_t config_size,
				   const void *config, bool with_secrets)
{
	g_autoptr(JsonObject) cur = pk_params_to_json(tab, config, with_secrets);
	g_autoptr(JsonObject) def = NULL;
	void *defaults = g_malloc0(MAX(config_size, 1u));
	JsonObject *out = json_object_new();
	JsonObjectIter iter;
	const char *key;
	JsonNode *node;

	pk_params_set_defaults(tab, defaults, NULL);
	def = pk_params_to_json(tab, defaults, with_secrets);
	pk_params_clear(tab, defaults);
	g_free(defaults);
	json_object_iter_init_ordered(&iter, cur);
	while (json_object_iter_next_ordered(&iter, &key, &node)) {
		JsonNode *d = json_object_get_member(def, key);

		if (!d || !json_node_equal(d, node))
			json_object_set_member(out, key, json_node_copy(node));
	}
	return out;
}

/* Parameters that differ from the type's defaults. */
static JsonObject *config_non_defaults(struct pk_dev *dev, bool with_secrets)
{
	return pk_params_non_defaults(&dev->params, dev->type->config_size, dev->config,
				      with_secrets);
}

/* Template references ------------------------------------------------------ */

bool pk_param_is_template_ref(const struct pk_registry_type *rt, const struct pk_param *p)
{
	/* PK_PF_TEMPLATE means something only to modules built for 1.1 or later. */
	return (p->flags & PK_PF_TEMPLATE) && p->type == PK_PT_STR &&
	       (!rt->module || !rt->module->info || rt->module->info->abi_minor >= 1);
}

bool pk_graph_check_template_refs(struct pk_graph *g, const struct pk_registry_type *rt,
				  const void *config, const char *path, GError **error)
{
	struct pk_param_table tab = pk_type_params(rt->type);

	for (uint32_t i = 0; i < tab.n; i++) {
		const struct pk_param *p = pk_param_at(&tab, i);
		const char *name;

		if (!pk_param_is_template_ref(rt, p))
			continue;
		name = *(char *const *)((const char *)config + p->offset);
		if (name && *name && !g_hash_table_contains(g->templates, name)) {
			g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN,
				    "%s.%s: no template '%s' (a topology's \"templates\" declares them)",
				    path, p->name, name);
			return false;
		}
	}
	return true;
}

static char *endpoint_format(const struct pk_dev *dev, uint32_t port)
{
	return g_strdup_printf("%s.%s.%u", dev->id,
			       pk_type_port_group(dev->type, PK_PORT_GROUP(port))->name,
			       PK_PORT_INDEX(port));
}

/* Append @dev's links to @links, each link once: from the end added first
 * (then the lower port); links to instance devices only if @instances. */
static void dev_links_to_json(struct pk_dev *dev, JsonArray *links, bool instances)
{
	for (uint32_t grp = 0; grp < dev->type->n_ports; grp++) {
		for (uint32_t i = 0; i < dev->groups[grp].n_alloc; i++) {
			const struct pk_port *p = &dev->groups[grp].ports[i];
			uint32_t self = PK_PORT(grp, i);
			JsonArray *pair;

			if (!p->peer || p->peer->add_order < dev->add_order ||
			    (p->peer == dev && p->peer_port < self) ||
			    (!instances && (dev->instance || p->peer->instance)))
				continue;
			g_autofree char *from = endpoint_format(dev, self);
			g_autofree char *to = endpoint_format(p->peer, p->peer_port);

			pair = json_array_new();
			json_array_add_string_element(pair, from);
			json_array_add_string_element(pair, to);
			json_array_add_array_element(links, pair);
		}
	}
}

JsonArray *pk_graph_links(struct pk_graph *g)
{
	JsonArray *links = json_array_new();

	for (guint d = 0; d < g->order->len; d++)
		dev_links_to_json(g_ptr_array_index(g->order, d), links, true);
	return links;
}

JsonNode *pk_graph_export(struct pk_graph *g, bool with_secrets)
{
	JsonObject *root = json_object_new(), *devices = json_object_new();
	JsonArray *links = json_array_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);

	for (guint d = 0; d < g->order->len; d++) {
		struct pk_dev *dev = g_ptr_array_index(g->order, d);
		JsonObject *o;
		g_autoptr(JsonObject) params = NULL;
		JsonObjectIter iter;
		const char *key;
		JsonNode *val;

		/* Instances are made again by their owners at run time. */
		if (dev->instance)
			continue;
		o = json_object_new();
		params = config_non_defaults(dev, with_secrets);
		json_object_set_string_member(o, "type", dev->type->name);
		json_object_iter_init_ordered(&iter, params);
		while (json_object_iter_next_ordered(&iter, &key, &val))
			json_object_set_member(o, key, json_node_copy(val));
		json_object_set_object_member(devices, dev->id, o);
		dev_links_to_json(dev, links, false);
	}
	json_object_set_object_member(root, "devices", devices);
	json_object_set_array_member(root, "links", links);
	if (g->captures && g->captures->len)
		json_object_set_array_member(root, "captures", pk_graph_captures_to_json(g));
	if (g->template_order->len) {
		JsonObject *templates = json_object_new();

		for (guint i = 0; i < g->template_order->len; i++) {
			struct pk_template *t = g_ptr_array_index(g->template_order, i);

			json_object_set_member(templates, t->name,
					       pk_template_to_json(g, t, with_secrets));
		}
		json_object_set_object_member(root, "templates", templates);
	}
	json_node_take_object(node, root);
	return node;
}

/* Counters ------------------------------------------------------------ */

uint64_t pk_dev_counter(struct pk_dev *dev, const char *name)
{
	int core;

	for (uint32_t i = 0; i < dev->type->n_counters; i++)
		if (strcmp(pk_type_counter(dev->type, i)->name, name) == 0)
			return dev->counters[i];
	core = pk_core_counter_index(name);
	if (core >= 0)
		return dev->core[core];
	if (strcmp(name, "instances") == 0)
		return pk_dev_instances_live(dev);
	if (strcmp(name, "instances-refused") == 0)
		return dev->instances_refused;
	return 0;
}

bool pk_dev_port_stats(struct pk_dev *dev, uint32_t port, struct pk_port_stats *out)
{
	const struct pk_port *p = pk_dev_port_get(dev, port);

	if (!p)
		return false;
	*out = p->stats;
	return true;
}

JsonObject *pk_dev_counters_to_json(struct pk_dev *dev)
{
	JsonObject *o = json_object_new(), *ports = json_object_new();
	const struct pk_counter *core;
	uint32_t n_core;

	for (uint32_t i = 0; i < dev->type->n_counters; i++)
		json_object_set_int_member(o, pk_type_counter(dev->type, i)->name,
					   (gint64)dev->counters[i]);
	core = pk_core_counters(&n_core);
	for (uint32_t i = 0; i < n_core; i++) /* a 1.0/1.1 type's own name wins */
		if (!json_object_has_member(o, core[i].name))
			json_object_set_int_member(o, core[i].name, (gint64)dev->core[i]);
	if (pk_dev_uses_instances(dev)) {
		json_object_set_int_member(o, "instances", (gint64)pk_dev_instances_live(dev));
		json_object_set_int_member(o, "instances-refused", (gint64)dev->instances_refused);
	}
	for (uint32_t grp = 0; grp < dev->type->n_ports; grp++) {
		for (uint32_t i = 0; i < dev->groups[grp].n_alloc; i++) {
			const struct pk_port *p = &dev->groups[grp].ports[i];
			g_autofree char *name = NULL;
			JsonObject *s;

			if (!p->peer && !p->stats.rx_packets && !p->stats.tx_packets &&
			    !p->stats.drops)
				continue;
			s = json_object_new();
			json_object_set_int_member(s, "rx-packets", (gint64)p->stats.rx_packets);
			json_object_set_int_member(s, "rx-bytes", (gint64)p->stats.rx_bytes);
			json_object_set_int_member(s, "tx-packets", (gint64)p->stats.tx_packets);
			json_object_set_int_member(s, "tx-bytes", (gint64)p->stats.tx_bytes);
			json_object_set_int_member(s, "drops", (gint64)p->stats.drops);
			name = g_strdup_printf("%s.%u", pk_type_port_group(dev->type, grp)->name, i);
			json_object_set_object_member(ports, name, s);
		}
	}
	json_object_set_object_member(o, "ports", ports);
	return o;
}
