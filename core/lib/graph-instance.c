// SPDX-License-Identifier: MIT
/* graph-instance.c - Templates and their instances: sub-topologies a device asks the host to create
 *
 * pk_dev_instantiate() and pk_dev_instance_remove() run on the owner's
 * context, usually inside a dispatch (an fd watch accepting a guest), where
 * the graph must not change. So they only record the request. One idle
 * source per graph then builds or tears down what was asked for, outside any
 * dispatch, tells the owner through its done callback and the host through
 * the graph's change function. Stopping the owner tears its instances down
 * at once (that runs on the control path, never in a dispatch).
 */
#include "runtime.h"

#define DEFAULT_MAX_INSTANCES 64u

static void template_free(gpointer p)
{
	struct pk_template *t = p;

	json_node_unref(t->spec);
	g_free(t->attach);
	g_free(t->name);
	g_free(t);
}

void pk_graph_templates_init(struct pk_graph *g)
{
	g->templates = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, template_free);
	g->template_order = g_ptr_array_new();
	g->instance_work = g_ptr_array_new();
}

void pk_graph_templates_fini(struct pk_graph *g)
{
	if (g->instance_source) {
		g_source_destroy(g->instance_source);
		g->instance_source = NULL;
	}
	g_ptr_array_unref(g->instance_work);
	g_ptr_array_unref(g->template_order);
	g_hash_table_unref(g->templates);
}

/* Layer of the port group the endpoint @ep of template @spec names. */
static uint32_t template_attach_layer(struct pk_graph *g, JsonObject *spec, const char *ep)
{
	g_autofree char *id = NULL, *group = NULL;
	JsonObject *devices = json_object_get_object_member(spec, "devices");
	const struct pk_registry_type *rt;
	uint32_t gi;
	int64_t index;

	if (!pk_endpoint_split(ep, &id, &group, &index) || !json_object_has_member(devices, id))
		return 0;
	rt = pk_registry_lookup(g->reg,
				json_object_get_string_member(json_object_get_object_member(devices, id),
							      "type"));
	if (!rt || !pk_graph_resolve_group(rt->type, group, &gi))
		return 0;
	return pk_type_port_group(rt->type, gi)->layer;
}

struct pk_template *pk_graph_template_add(struct pk_graph *g, const char *name, JsonNode *spec)
{
	struct pk_template *t = g_new0(struct pk_template, 1);
	JsonObject *o = json_node_get_object(spec);

	t->name = g_strdup(name);
	t->spec = json_node_ref(spec);
	t->attach = g_strdup(json_object_get_string_member(o, "attach"));
	t->layer = template_attach_layer(g, o, t->attach);
	t->max_instances = json_object_has_member(o, "max-instances")
				   ? (uint32_t)json_object_get_int_member(o, "max-instances")
				   : DEFAULT_MAX_INSTANCES;
	g_hash_table_insert(g->templates, t->name, t);
	g_ptr_array_add(g->template_order, t);
	return t;
}

void pk_graph_template_remove(struct pk_graph *g, const char *name)
{
	struct pk_template *t = g_hash_table_lookup(g->templates, name);

	if (!t)
		return;
	g_ptr_array_remove(g->template_order, t);
	g_hash_table_remove(g->templates, name);
}

void pk_graph_set_change_func(struct pk_graph *g, pk_graph_change_func fn, void *data)
{
	g->change_fn = fn;
	g->change_data = data;
}

/* Instances ------------------------------------------------------------------ */

static gboolean instances_run(gpointer data);

static void instance_queue(struct pk_instance *inst)
{
	struct pk_graph *g = inst->owner->graph;

	if (!inst->queued) {
		g_ptr_array_add(g->instance_work, inst);
		inst->queued = true;
	}
	if (!g->instance_source) {
		g->instance_source = g_idle_source_new();
		g_source_set_priority(g->instance_source, G_PRIORITY_DEFAULT);
		g_source_set_callback(g->instance_source, instances_run, g, NULL);
		g_source_set_static_name(g->instance_source, "pktkit instances");
		g_source_attach(g->instance_source, g->context);
		g_source_unref(g->instance_source);
	}
}

/* Drop the record: out of the work list and the owner's list, freed. */
static void instance_forget(struct pk_instance *inst)
{
	struct pk_dev *owner = inst->owner;

	if (inst->queued)
		g_ptr_array_remove(owner->graph->instance_work, inst);
	g_ptr_array_remove(owner->instances, inst);
	if (inst->devs)
		g_ptr_array_unref(inst->devs);
	g_free(inst);
}

/* Remove the instance's devices, newest first; the owner's port is unlinked with them. */
static void instance_teardown(struct pk_instance *inst)
{
	struct pk_dev *owner = inst->owner;
	struct pk_port *p;

	while (inst->devs && inst->devs->len > 0) {
		struct pk_dev *dev = g_ptr_array_steal_index(inst->devs, inst->devs->len - 1);

		pk_graph_remove_device_(owner->graph, dev);
	}
	/* The port existed for this instance only: its statistics go with it. */
	p = pk_dev_port_get(owner, inst->port);
	if (p && !p->peer)
		memset(&p->stats, 0, sizeof(p->stats));
}

static char *instance_endpoint(const char *prefix, const char *ep)
{
	g_autofree char *id = NULL, *group = NULL;
	int64_t index;

	if (!pk_endpoint_split(ep, &id, &group, &index))
		return g_strdup(ep);	/* validated at load: cannot happen */
	if (index >= 0)
		return g_strdup_printf("%s/%s.%s.%" G_GINT64_FORMAT, prefix, id, group, index);
	if (group)
		return g_strdup_printf("%s/%s.%s", prefix, id, group);
	return g_strdup_printf("%s/%s", prefix, id);
}

static bool instance_build(struct pk_instance *inst, GError **error)
{
	struct pk_dev *owner = inst->owner;
	struct pk_graph *g = owner->graph;
	JsonObject *spec = json_node_get_object(inst->tmpl->spec);
	JsonObject *devices = json_object_get_object_member(spec, "devices");
	JsonArray *links = json_object_has_member(spec, "links")
				   ? json_object_get_array_member(spec, "links")
				   : NULL;
	g_autofree char *prefix = g_strdup_printf("%s/%u", owner->id, inst->handle);
	g_autofree char *own = NULL, *att = NULL;
	JsonObjectIter iter;
	const char *local;
	JsonNode *node;

	inst->devs = g_ptr_array_new();
	json_object_iter_init_ordered(&iter, devices);
	while (json_object_iter_next_ordered(&iter, &local, &node)) {
		JsonObject *obj = json_node_get_object(node);
		g_autofree char *id = g_strdup_printf("%s/%s", prefix, local);
		struct pk_dev *dev = pk_graph_add_device_stopped(
			g, id, json_object_get_string_member(obj, "type"), obj, error);

		if (!dev)
			goto fail;
		dev->instance = inst;
		g_ptr_array_add(inst->devs, dev);
	}
	for (guint i = 0; links && i < json_array_get_length(links); i++) {
		JsonArray *pair = json_array_get_array_element(links, i);
		g_autofree char *a = instance_endpoint(prefix, json_array_get_string_element(pair, 0));
		g_autofree char *b = instance_endpoint(prefix, json_array_get_string_element(pair, 1));

		if (!pk_graph_link(g, a, b, error)) {
			g_prefix_error(error, "links[%u]: ", i);
			goto fail;
		}
	}
	own = g_strdup_printf("%s.%s.%u", owner->id,
			      pk_type_port_group(owner->type, PK_PORT_GROUP(inst->port))->name,
			      PK_PORT_INDEX(inst->port));
	att = instance_endpoint(prefix, inst->tmpl->attach);
	if (!pk_graph_link(g, own, att, error)) {
		g_prefix_error(error, "attach: ");
		goto fail;
	}
	for (guint i = 0; owner->started && i < inst->devs->len; i++)
		if (!pk_graph_start_device(g_ptr_array_index(inst->devs, i), error))
			goto fail;
	return true;
fail:
	instance_teardown(inst);
	g_prefix_error(error, "instance %s of template '%s': ", prefix, inst->tmpl->name);
	return false;
}

static gboolean instances_run(gpointer data)
{
	struct pk_graph *g = data;
	bool changed = false;

	/* A nested main loop inside a device callback: the graph may not change now. */
	if (pk_dispatch_active())
		return G_SOURCE_CONTINUE;
	while (g->instance_work->len > 0) {
		struct pk_instance *inst = g_ptr_array_steal_index(g->instance_work, 0);
		struct pk_dev *owner = inst->owner;
		pk_instance_func done = inst->done;
		void *done_data = inst->data;
		uint32_t handle = inst->handle, port = inst->port;
		GError *error = NULL;

		inst->queued = false;
		if (inst->state == PK_INSTANCE_DOOMED) {
			instance_teardown(inst);
			instance_forget(inst);
			changed = true;
			continue;
		}
		if (instance_build(inst, &error)) {
			inst->state = PK_INSTANCE_LIVE;
			changed = true;
		} else {
			pk_dev_log(owner, G_LOG_LEVEL_MESSAGE, "%s", error->message);
			instance_forget(inst);
		}
		if (done) {
			pk_dispatch_begin(g);
			pk_dev_enter(owner);
			done(owner, owner->self, handle, port, error, done_data);
			pk_dev_leave(owner);
			pk_dispatch_end();
		}
		g_clear_error(&error);
	}
	g->instance_source = NULL;	/* this source ends; new work makes a new one */
	if (changed && g->change_fn)
		g->change_fn(g, g->change_data);
	return G_SOURCE_REMOVE;
}

uint32_t pk_dev_instances_live(const struct pk_dev *dev)
{
	uint32_t n = 0;

	for (guint i = 0; dev->instances && i < dev->instances->len; i++)
		if (((struct pk_instance *)g_ptr_array_index(dev->instances, i))->state !=
		    PK_INSTANCE_DOOMED)
			n++;
	return n;
}

bool pk_dev_uses_instances(const struct pk_dev *dev)
{
	struct pk_param_table tab = pk_type_params(dev->type);

	if (dev->instances || dev->instances_refused)
		return true;
	for (uint32_t i = 0; i < tab.n; i++)
		if (pk_param_is_template_ref(dev->rtype, pk_param_at(&tab, i)))
			return true;
	return false;
}

/* Is port @port of @dev held by one of its instances? */
static bool port_reserved(const struct pk_dev *dev, uint32_t port)
{
	for (guint i = 0; dev->instances && i < dev->instances->len; i++)
		if (((struct pk_instance *)g_ptr_array_index(dev->instances, i))->port == port)
			return true;
	return false;
}

uint32_t pk_dev_instantiate(struct pk_dev *dev, const char *template_name, uint32_t port,
			    pk_instance_func done, void *data, GError **error)
{
	struct pk_graph *g = dev->graph;
	struct pk_template *t = template_name ? g_hash_table_lookup(g->templates, template_name)
					      : NULL;
	uint32_t group = PK_PORT_GROUP(port), index = PK_PORT_INDEX(port), n = 0;
	const struct pk_port_group *pg;
	struct pk_instance *inst;

	if (!t) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "no template '%s'",
			    template_name ? template_name : "");
		return 0;
	}
	if (!dev->started && !dev->starting) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE,
			    "template '%s': the device is not running", t->name);
		return 0;
	}
	if (group >= dev->type->n_ports) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "template '%s': no port group %u",
			    t->name, group);
		return 0;
	}
	pg = pk_type_port_group(dev->type, group);
	if (pg->layer != t->layer) {
		g_set_error(error, PK_ERROR, PK_ERROR_LAYER,
			    "template '%s': its attach point %s is L%u, port group '%s' is L%u",
			    t->name, t->attach, t->layer, pg->name, pg->layer);
		return 0;
	}
	for (guint i = 0; dev->instances && i < dev->instances->len; i++) {
		struct pk_instance *o = g_ptr_array_index(dev->instances, i);

		if (o->tmpl == t && o->state != PK_INSTANCE_DOOMED)
			n++;
	}
	if (n >= t->max_instances) {
		dev->instances_refused++;
		g_set_error(error, PK_ERROR, PK_ERROR_STATE,
			    "template '%s': %u instance(s) already (its max-instances)", t->name, n);
		return 0;
	}
	if (index == PK_PORT_ANY) {
		for (index = 0; index < pg->max; index++)
			if (!pk_dev_port_is_linked(dev, PK_PORT(group, index)) &&
			    !port_reserved(dev, PK_PORT(group, index)))
				break;
		if (index >= pg->max) {
			dev->instances_refused++;
			g_set_error(error, PK_ERROR, PK_ERROR_STATE,
				    "template '%s': all %u port(s) of group '%s' are taken", t->name,
				    pg->max, pg->name);
			return 0;
		}
	} else if (index >= pg->max || pk_dev_port_is_linked(dev, PK_PORT(group, index)) ||
		   port_reserved(dev, PK_PORT(group, index))) {
		g_set_error(error, PK_ERROR, index >= pg->max ? PK_ERROR_INVALID : PK_ERROR_STATE,
			    "template '%s': port %s.%u is %s", t->name, pg->name, index,
			    index >= pg->max ? "out of range" : "taken");
		return 0;
	}
	inst = g_new0(struct pk_instance, 1);
	inst->owner = dev;
	inst->tmpl = t;
	inst->port = PK_PORT(group, index);
	inst->state = PK_INSTANCE_PENDING;
	inst->done = done;
	inst->data = data;
	do
		inst->handle = ++dev->next_instance;
	while (inst->handle == 0);
	if (!dev->instances)
		dev->instances = g_ptr_array_new();
	g_ptr_array_add(dev->instances, inst);
	instance_queue(inst);
	return inst->handle;
}

void pk_dev_instance_remove(struct pk_dev *dev, uint32_t instance)
{
	for (guint i = 0; dev->instances && i < dev->instances->len; i++) {
		struct pk_instance *inst = g_ptr_array_index(dev->instances, i);

		if (inst->handle != instance)
			continue;
		if (inst->state == PK_INSTANCE_PENDING)
			instance_forget(inst);
		else if (inst->state == PK_INSTANCE_LIVE) {
			inst->state = PK_INSTANCE_DOOMED;
			instance_queue(inst);
		}
		return;
	}
}

void pk_dev_instances_clear(struct pk_dev *dev)
{
	while (dev->instances && dev->instances->len > 0) {
		struct pk_instance *inst = g_ptr_array_index(dev->instances,
							     dev->instances->len - 1);

		if (inst->state != PK_INSTANCE_PENDING)
			instance_teardown(inst);
		instance_forget(inst);
	}
}
