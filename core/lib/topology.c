// SPDX-License-Identifier: MIT
/* topology.c - JSON topologies: parse, validate everything, then create; endpoints
 *
 * Format (docs/topology.md):
 *   { "devices": { "<id>": { "type": "<type>", <param>: <value>, ... }, ... },
 *     "links": [ ["<endpoint>", "<endpoint>"], ... ],
 *     "captures": [ { "ports": ["<endpoint>", ...], "file": "x.pcapng" }, ... ],
 *     "templates": { "<name>": { "devices": {...}, "links": [...],
 *                                "attach": "<endpoint>" }, ... } }
 * An endpoint is "device", "device.group" or "device.group.N". A template is
 * validated like a topology of its own, its attach endpoint counting as a
 * link; PK_PF_TEMPLATE parameters must name a template, and templates must
 * not instantiate each other in a cycle.
 *
 * Validation collects every problem as "<json path>: <reason>" before anything
 * is created, so a topology either loads whole or not at all.
 */
#include <errno.h>
#include "runtime.h"

bool pk_id_is_valid(const char *id)
{
	if (!id || !*id || strlen(id) > 64)
		return false;
	for (const char *c = id; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
			return false;
	return true;
}

bool pk_id_is_valid_ref(const char *id)
{
	g_auto(GStrv) parts = NULL;

	if (!id || !strchr(id, '/'))
		return pk_id_is_valid(id);
	parts = g_strsplit(id, "/", -1);
	for (guint i = 0; parts[i]; i++)
		if (!pk_id_is_valid(parts[i]))
			return false;
	return true;
}

bool pk_endpoint_split(const char *endpoint, char **dev_id, char **group, int64_t *index)
{
	g_auto(GStrv) parts = g_strsplit(endpoint, ".", 4);
	guint n = g_strv_length(parts);

	*dev_id = *group = NULL;
	*index = -1;
	if (n == 0 || n > 3 || !pk_id_is_valid_ref(parts[0]))
		return false;
	if (n >= 2 && !*parts[1])
		return false;
	if (n == 3) {
		char *end;
		guint64 v;

		if (!g_ascii_isdigit(parts[2][0]))
			return false;
		errno = 0;
		v = g_ascii_strtoull(parts[2], &end, 10);
		if (errno || *end || v > 65535)
			return false;
		*index = (int64_t)v;
	}
	*dev_id = g_strdup(parts[0]);
	if (n >= 2)
		*group = g_strdup(parts[1]);
	return true;
}

/* Validation ------------------------------------------------------------ */

/* What validation knows about one device of the topology or the graph. */
struct vdev {
	const struct pk_device_type *type;
	GHashTable *used;	/* "group.index" strings taken */
	uint32_t *linked;	/* links per group */
	bool from_topology;
	char *id;
};

static void vdev_free(gpointer p)
{
	struct vdev *v = p;

	g_hash_table_unref(v->used);
	g_free(v->linked);
	g_free(v->id);
	g_free(v);
}

static struct vdev *vdev_new(const struct pk_device_type *type, const char *id, bool from_topology)
{
	struct vdev *v = g_new0(struct vdev, 1);

	v->type = type;
	v->used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	v->linked = g_new0(uint32_t, MAX(type->n_ports, 1u));
	v->from_topology = from_topology;
	v->id = g_strdup(id);
	return v;
}

/* A PK_PF_TEMPLATE parameter naming a template. */
struct tref {
	char *path;	/* "templates.a.devices.l.template" */
	char *from;	/* template it appears in, or NULL at top level */
	char *name;	/* template named */
};

static void tref_free(gpointer p)
{
	struct tref *r = p;

	g_free(r->path);
	g_free(r->from);
	g_free(r->name);
	g_free(r);
}

struct validation {
	struct pk_registry *reg;
	GHashTable *vdevs;	/* id -> struct vdev */
	GPtrArray *order;	/* struct vdev *, topology devices only */
	GString *errors;
	const char *prefix;	/* "" or "templates.<name>.": prepended to every error */
	const char *in_template;	/* template being validated, or NULL */
	GPtrArray *refs;	/* struct tref *, shared by all templates */
};

G_GNUC_PRINTF(2, 3)
static void verror(struct validation *v, const char *fmt, ...)
{
	va_list ap;

	if (v->errors->len)
		g_string_append_c(v->errors, '\n');
	g_string_append(v->errors, v->prefix);
	va_start(ap, fmt);
	g_string_append_vprintf(v->errors, fmt, ap);
	va_end(ap);
}

static const char *json_kind(JsonNode *node)
{
	if (JSON_NODE_HOLDS_OBJECT(node))
		return "an object";
	if (JSON_NODE_HOLDS_ARRAY(node))
		return "an array";
	if (JSON_NODE_HOLDS_NULL(node))
		return "null";
	switch (json_node_get_value_type(node) == G_TYPE_STRING ? 0 : 1) {
	case 0:
		return "a string";
	default:
		return json_node_get_value_type(node) == G_TYPE_BOOLEAN ? "a boolean" : "a number";
	}
}

/* Remember the templates @config names, for the checks at the end. */
static void validate_template_refs(struct validation *v, const struct pk_registry_type *rt,
				   const void *config, const char *path)
{
	struct pk_param_table tab = pk_type_params(rt->type);

	for (uint32_t i = 0; i < tab.n; i++) {
		const struct pk_param *p = pk_param_at(&tab, i);
		const char *name;
		struct tref *r;

		if (!pk_param_is_template_ref(rt, p))
			continue;
		name = *(char *const *)((const char *)config + p->offset);
		if (!name || !*name)
			continue;
		r = g_new0(struct tref, 1);
		r->path = g_strdup_printf("%s%s.%s", v->prefix, path, p->name);
		r->from = g_strdup(v->in_template);
		r->name = g_strdup(name);
		g_ptr_array_add(v->refs, r);
	}
}

static void validate_device(struct validation *v, const char *id, JsonNode *node)
{
	const struct pk_registry_type *rt;
	const char *type_name;
	JsonObject *obj;
	void *config;
	GError *error = NULL;
	struct pk_param_table tab;

	if (!pk_id_is_valid(id)) {
		verror(v, "devices.%s: invalid device id (use up to 64 letters, digits, '_' and '-')",
		       id);
		return;
	}
	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		verror(v, "devices.%s: expected an object with a \"type\", got %s", id,
		       json_kind(node));
		return;
	}
	if (g_hash_table_contains(v->vdevs, id)) {
		verror(v, "devices.%s: a device with this id already exists", id);
		return;
	}
	obj = json_node_get_object(node);
	if (!json_object_has_member(obj, "type") ||
	    json_node_get_value_type(json_object_get_member(obj, "type")) != G_TYPE_STRING) {
		verror(v, "devices.%s.type: required: a device type name as a string", id);
		return;
	}
	type_name = json_object_get_string_member(obj, "type");
	rt = pk_registry_lookup(v->reg, type_name);
	if (!rt) {
		const char *near = pk_registry_closest(v->reg, type_name);

		if (near)
			verror(v, "devices.%s.type: unknown device type '%s' (did you mean '%s'?)", id,
			       type_name, near);
		else
			verror(v, "devices.%s.type: unknown device type '%s' (pktkit-inspect lists the known types)",
			       id, type_name);
		return;
	}
	tab = pk_type_params(rt->type);
	config = g_malloc0(MAX(rt->type->config_size, 1u));
	{
		g_autofree char *path = g_strdup_printf("devices.%s", id);

		if (!pk_params_set_defaults(&tab, config, &error) ||
		    !pk_params_apply_json(&tab, obj, config, path, "type", true, NULL, &error)) {
			verror(v, "%s", error->message);
			g_clear_error(&error);
		} else {
			validate_template_refs(v, rt, config, path);
		}
	}
	pk_params_clear(&tab, config);
	g_free(config);
	{
		struct vdev *vd = vdev_new(rt->type, id, true);

		g_hash_table_insert(v->vdevs, vd->id, vd);
		g_ptr_array_add(v->order, vd);
	}
}

/* Resolve the endpoint at @where ("links[0][1]", "attach"); on success fill
 * *vd, *group, *index. */
static bool validate_endpoint(struct validation *v, const char *where, JsonNode *node,
			      struct vdev **vd, uint32_t *group, int64_t *index)
{
	g_autofree char *id = NULL, *grp = NULL;
	const char *text;

	if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING) {
		verror(v, "%s: expected an endpoint string such as \"hub.port\", got %s", where,
		       node ? json_kind(node) : "nothing");
		return false;
	}
	text = json_node_get_string(node);
	if (!pk_endpoint_split(text, &id, &grp, index)) {
		verror(v, "%s: '%s' is not an endpoint (expected \"device\", \"device.group\" or \"device.group.N\")",
		       where, text);
		return false;
	}
	*vd = g_hash_table_lookup(v->vdevs, id);
	if (!*vd) {
		verror(v, "%s: '%s' names no device '%s'%s", where, text, id,
		       v->in_template && strchr(id, '/') == NULL ? " of the template" : "");
		return false;
	}
	if (!pk_graph_resolve_group((*vd)->type, grp, group)) {
		GString *names = g_string_new(NULL);

		for (uint32_t g = 0; g < (*vd)->type->n_ports; g++)
			g_string_append_printf(names, "%s'%s'", g ? ", " : "",
					       pk_type_port_group((*vd)->type, g)->name);
		if (grp)
			verror(v, "%s: type %s has no port group '%s' (port groups: %s)", where,
			       (*vd)->type->name, grp, names->len ? names->str : "none");
		else
			verror(v, "%s: type %s has %s; write \"%s.<group>\" (port groups: %s)",
			       where, (*vd)->type->name,
			       (*vd)->type->n_ports ? "several port groups" : "no ports", id,
			       names->len ? names->str : "none");
		g_string_free(names, TRUE);
		return false;
	}
	return true;
}

/* Take port (@group, @index) of @vd, or the lowest free one when @index < 0. */
static bool validate_take_port(struct validation *v, const char *where, struct vdev *vd,
			       uint32_t group, int64_t index)
{
	const struct pk_port_group *pg = pk_type_port_group(vd->type, group);
	g_autofree char *key = NULL;

	if (index < 0) {
		for (index = 0; index < pg->max; index++) {
			g_autofree char *k = g_strdup_printf("%u.%" G_GINT64_FORMAT, group, index);

			if (!g_hash_table_contains(vd->used, k))
				break;
		}
		if (index >= pg->max) {
			verror(v, "%s: all %u port(s) of %s.%s are taken", where, pg->max, vd->id,
			       pg->name);
			return false;
		}
	} else if (index >= pg->max) {
		verror(v, "%s: port index %" G_GINT64_FORMAT " out of range: %s.%s has %u port(s) (0..%u)",
		       where, index, vd->id, pg->name, pg->max, pg->max - 1);
		return false;
	}
	key = g_strdup_printf("%u.%" G_GINT64_FORMAT, group, index);
	if (g_hash_table_contains(vd->used, key)) {
		verror(v, "%s: port %s.%s.%" G_GINT64_FORMAT " is %s twice", where, vd->id, pg->name,
		       index, strcmp(where, "attach") ? "linked" : "attached and linked");
		return false;
	}
	g_hash_table_add(vd->used, g_steal_pointer(&key));
	vd->linked[group]++;
	return true;
}

static void validate_link(struct validation *v, guint i, JsonNode *node)
{
	struct vdev *va, *vb;
	uint32_t ga, gb;
	int64_t ia, ib;
	JsonArray *pair;
	const struct pk_port_group *pa, *pb;
	char w0[32], w1[32];

	if (!JSON_NODE_HOLDS_ARRAY(node) || json_array_get_length(json_node_get_array(node)) != 2) {
		verror(v, "links[%u]: expected a pair of endpoints such as [\"a.port\", \"b.port\"]", i);
		return;
	}
	pair = json_node_get_array(node);
	g_snprintf(w0, sizeof(w0), "links[%u][0]", i);
	g_snprintf(w1, sizeof(w1), "links[%u][1]", i);
	if (!validate_endpoint(v, w0, json_array_get_element(pair, 0), &va, &ga, &ia) ||
	    !validate_endpoint(v, w1, json_array_get_element(pair, 1), &vb, &gb, &ib))
		return;
	pa = pk_type_port_group(va->type, ga);
	pb = pk_type_port_group(vb->type, gb);
	if (pa->layer != pb->layer) {
		verror(v, "links[%u]: cannot link %s.%s (L%u) to %s.%s (L%u): the layers differ; put an adapter between them",
		       i, va->id, pa->name, pa->layer, vb->id, pb->name, pb->layer);
		return;
	}
	if (validate_take_port(v, w0, va, ga, ia))
		validate_take_port(v, w1, vb, gb, ib);
}

/* A captured port: must exist and be linked by the topology or the graph. */
static void validate_capture_port(struct validation *v, guint i, guint j, JsonNode *node)
{
	g_autofree char *id = NULL, *grp = NULL, *key = NULL;
	const struct pk_port_group *pg;
	struct vdev *vd;
	uint32_t group;
	int64_t index;
	const char *text;

	if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING) {
		verror(v, "captures[%u].ports[%u]: expected an endpoint string such as \"lan.port.0\", got %s",
		       i, j, json_kind(node));
		return;
	}
	text = json_node_get_string(node);
	if (!pk_endpoint_split(text, &id, &grp, &index) || !(vd = g_hash_table_lookup(v->vdevs, id)) ||
	    !pk_graph_resolve_group(vd->type, grp, &group)) {
		verror(v, "captures[%u].ports[%u]: '%s' names no port of a device in the topology", i, j,
		       text);
		return;
	}
	pg = pk_type_port_group(vd->type, group);
	if (index < 0 && pg->max == 1)
		index = 0;
	if (index < 0) {
		verror(v, "captures[%u].ports[%u]: '%s': name the port index (\"%s.%s.N\")", i, j, text,
		       id, pg->name);
		return;
	}
	key = g_strdup_printf("%u.%" G_GINT64_FORMAT, group, index);
	if (!g_hash_table_contains(vd->used, key))
		verror(v, "captures[%u].ports[%u]: port %s.%s.%" G_GINT64_FORMAT " is not linked (links name the ports that exist)",
		       i, j, id, pg->name, index);
}

static void validate_capture(struct validation *v, guint i, JsonNode *node)
{
	JsonObjectIter iter;
	const char *key;
	JsonNode *member, *ports, *file;
	JsonObject *obj;

	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		verror(v, "captures[%u]: expected an object {\"ports\": [...], \"file\": \"...\"}", i);
		return;
	}
	obj = json_node_get_object(node);
	json_object_iter_init_ordered(&iter, obj);
	while (json_object_iter_next_ordered(&iter, &key, &member)) {
		if (strcmp(key, "ports") && strcmp(key, "file") && strcmp(key, "timestamps") &&
		    strcmp(key, "snaplen"))
			verror(v, "captures[%u].%s: unknown key (a capture has \"ports\", \"file\", \"timestamps\" and \"snaplen\")",
			       i, key);
	}
	ports = json_object_get_member(obj, "ports");
	file = json_object_get_member(obj, "file");
	if (!file || !JSON_NODE_HOLDS_VALUE(file) || json_node_get_value_type(file) != G_TYPE_STRING ||
	    !*json_node_get_string(file))
		verror(v, "captures[%u].file: required: the pcapng file to write", i);
	if (!ports || !JSON_NODE_HOLDS_ARRAY(ports) ||
	    json_array_get_length(json_node_get_array(ports)) == 0) {
		verror(v, "captures[%u].ports: required: a non-empty array of endpoints", i);
	} else {
		JsonArray *a = json_node_get_array(ports);

		for (guint j = 0; j < json_array_get_length(a); j++)
			validate_capture_port(v, i, j, json_array_get_element(a, j));
	}
	member = json_object_get_member(obj, "timestamps");
	if (member && (!JSON_NODE_HOLDS_VALUE(member) ||
		       json_node_get_value_type(member) != G_TYPE_STRING ||
		       (strcmp(json_node_get_string(member), "ns") &&
			strcmp(json_node_get_string(member), "us"))))
		verror(v, "captures[%u].timestamps: expected \"ns\" or \"us\"", i);
	member = json_object_get_member(obj, "snaplen");
	if (member && (!JSON_NODE_HOLDS_VALUE(member) ||
		       json_node_get_value_type(member) != G_TYPE_INT64 ||
		       json_node_get_int(member) < 64 || json_node_get_int(member) > 262144))
		verror(v, "captures[%u].snaplen: expected an integer between 64 and 262144", i);
}

static void validate_min_ports(struct validation *v)
{
	for (guint d = 0; d < v->order->len; d++) {
		struct vdev *vd = g_ptr_array_index(v->order, d);

		for (uint32_t g = 0; g < vd->type->n_ports; g++) {
			const struct pk_port_group *pg = pk_type_port_group(vd->type, g);

			if (vd->linked[g] < pg->min)
				verror(v, "devices.%s: port group '%s' needs at least %u link(s), has %u",
				       vd->id, pg->name, pg->min, vd->linked[g]);
		}
	}
}

/* Seed validation with the devices and taken ports already in @g. */
static void validation_add_graph(struct validation *v, struct pk_graph *g)
{
	for (guint d = 0; g && d < g->order->len; d++) {
		struct pk_dev *dev = g_ptr_array_index(g->order, d);
		struct vdev *vd = vdev_new(dev->type, dev->id, false);

		for (uint32_t grp = 0; grp < dev->type->n_ports; grp++) {
			for (uint32_t i = 0; i < dev->groups[grp].n_alloc; i++) {
				if (!dev->groups[grp].ports[i].peer)
					continue;
				g_hash_table_add(vd->used, g_strdup_printf("%u.%u", grp, i));
				vd->linked[grp]++;
			}
		}
		g_hash_table_insert(v->vdevs, vd->id, vd);
	}
}

/* A template: a topology of its own whose "attach" endpoint counts as a link. */
static void validate_template(struct validation *v, struct pk_graph *g, const char *name,
			      JsonNode *node)
{
	g_autofree char *prefix = g_strdup_printf("templates.%s.", name);
	struct validation t = {
		.reg = v->reg,
		.vdevs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, vdev_free),
		.order = g_ptr_array_new(),
		.errors = v->errors,
		.prefix = prefix,
		.in_template = name,
		.refs = v->refs,
	};
	gsize errors_before = v->errors->len;
	JsonObjectIter iter;
	const char *key;
	JsonNode *member;
	JsonObject *obj;

	if (!pk_id_is_valid(name)) {
		verror(v, "templates.%s: invalid template name (use up to 64 letters, digits, '_' and '-')",
		       name);
		goto out;
	}
	if (g && g_hash_table_contains(g->templates, name)) {
		verror(v, "templates.%s: a template with this name already exists", name);
		goto out;
	}
	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		verror(v, "templates.%s: expected an object with \"devices\", \"links\" and \"attach\", got %s",
		       name, json_kind(node));
		goto out;
	}
	obj = json_node_get_object(node);
	json_object_iter_init_ordered(&iter, obj);
	while (json_object_iter_next_ordered(&iter, &key, &member))
		if (strcmp(key, "devices") && strcmp(key, "links") && strcmp(key, "attach") &&
		    strcmp(key, "max-instances") && strcmp(key, "comment"))
			verror(&t, "%s: unknown key (a template has \"devices\", \"links\", \"attach\", and optional \"max-instances\" and \"comment\")",
			       key);
	member = json_object_get_member(obj, "devices");
	if (!member || !JSON_NODE_HOLDS_OBJECT(member) ||
	    json_object_get_size(json_node_get_object(member)) == 0) {
		verror(&t, "devices: required: an object mapping device ids to devices (at least one)");
	} else {
		json_object_iter_init_ordered(&iter, json_node_get_object(member));
		while (json_object_iter_next_ordered(&iter, &key, &member))
			validate_device(&t, key, member);
	}
	member = json_object_get_member(obj, "links");
	if (member && !JSON_NODE_HOLDS_ARRAY(member)) {
		verror(&t, "links: expected an array of endpoint pairs, got %s", json_kind(member));
	} else if (member) {
		JsonArray *links = json_node_get_array(member);

		for (guint i = 0; i < json_array_get_length(links); i++)
			validate_link(&t, i, json_array_get_element(links, i));
	}
	member = json_object_get_member(obj, "attach");
	if (!member) {
		verror(&t, "attach: required: the endpoint of a template device that is linked to the port of the device making the instance");
	} else {
		struct vdev *vd;
		uint32_t group;
		int64_t index;

		if (validate_endpoint(&t, "attach", member, &vd, &group, &index))
			validate_take_port(&t, "attach", vd, group, index);
	}
	member = json_object_get_member(obj, "max-instances");
	if (member && (!JSON_NODE_HOLDS_VALUE(member) ||
		       json_node_get_value_type(member) != G_TYPE_INT64 ||
		       json_node_get_int(member) < 1 || json_node_get_int(member) > 65535))
		verror(&t, "max-instances: expected an integer between 1 and 65535");
	if (v->errors->len == errors_before)
		validate_min_ports(&t);
out:
	g_ptr_array_unref(t.order);
	g_hash_table_unref(t.vdevs);
}

/* Does following references from template @at reach @target? Appends the path. */
static bool tref_reaches(GPtrArray *refs, const char *at, const char *target, GHashTable *seen,
			 GString *path)
{
	if (!g_hash_table_add(seen, (gpointer)at))
		return false;
	for (guint i = 0; i < refs->len; i++) {
		struct tref *r = g_ptr_array_index(refs, i);
		gsize len = path->len;

		if (!r->from || strcmp(r->from, at))
			continue;
		g_string_append_printf(path, " -> %s", r->name);
		if (strcmp(r->name, target) == 0 || tref_reaches(refs, r->name, target, seen, path))
			return true;
		g_string_truncate(path, len);
	}
	return false;
}

/* Every template named must exist; templates must not instantiate themselves. */
static void validate_refs(struct validation *v, struct pk_graph *g, JsonObject *templates)
{
	for (guint i = 0; i < v->refs->len; i++) {
		struct tref *r = g_ptr_array_index(v->refs, i);

		if ((templates && json_object_has_member(templates, r->name)) ||
		    (g && g_hash_table_contains(g->templates, r->name))) {
			g_autoptr(GHashTable) seen = NULL;
			g_autoptr(GString) path = NULL;

			if (!r->from)
				continue;
			seen = g_hash_table_new(g_str_hash, g_str_equal);
			path = g_string_new(r->from);
			g_string_append_printf(path, " -> %s", r->name);
			if (strcmp(r->name, r->from) == 0 ||
			    tref_reaches(v->refs, r->name, r->from, seen, path))
				verror(v, "%s: template '%s' would instantiate itself (%s)", r->path,
				       r->from, path->str);
			continue;
		}
		verror(v, "%s: no template '%s' (\"templates\" declares them)", r->path, r->name);
	}
}

static bool topology_validate(struct pk_registry *reg, struct pk_graph *g, JsonNode *root,
			      GError **error)
{
	struct validation v = {
		.reg = reg,
		.vdevs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, vdev_free),
		.order = g_ptr_array_new(),
		.errors = g_string_new(NULL),
		.prefix = "",
		.refs = g_ptr_array_new_with_free_func(tref_free),
	};
	JsonObject *obj, *templates = NULL;
	JsonObjectIter iter;
	const char *key;
	JsonNode *node;
	bool ok;

	validation_add_graph(&v, g);
	if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
		verror(&v, "(root): expected an object with \"devices\" and \"links\"");
		goto out;
	}
	obj = json_node_get_object(root);
	json_object_iter_init_ordered(&iter, obj);
	while (json_object_iter_next_ordered(&iter, &key, &node))
		if (strcmp(key, "devices") && strcmp(key, "links") && strcmp(key, "captures") &&
		    strcmp(key, "templates") && strcmp(key, "comment"))
			verror(&v, "%s: unknown key (a topology has \"devices\", \"links\", and optional \"captures\", \"templates\" and \"comment\")",
			       key);
	node = json_object_get_member(obj, "devices");
	if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
		verror(&v, "devices: required: an object mapping device ids to devices");
	} else {
		json_object_iter_init_ordered(&iter, json_node_get_object(node));
		while (json_object_iter_next_ordered(&iter, &key, &node))
			validate_device(&v, key, node);
	}
	node = json_object_get_member(obj, "links");
	if (node && !JSON_NODE_HOLDS_ARRAY(node)) {
		verror(&v, "links: expected an array of endpoint pairs, got %s", json_kind(node));
	} else if (node) {
		JsonArray *links = json_node_get_array(node);

		for (guint i = 0; i < json_array_get_length(links); i++)
			validate_link(&v, i, json_array_get_element(links, i));
	}
	node = json_object_get_member(obj, "captures");
	if (node && !JSON_NODE_HOLDS_ARRAY(node)) {
		verror(&v, "captures: expected an array of captures, got %s", json_kind(node));
	} else if (node) {
		JsonArray *caps = json_node_get_array(node);

		for (guint i = 0; i < json_array_get_length(caps); i++)
			validate_capture(&v, i, json_array_get_element(caps, i));
	}
	node = json_object_get_member(obj, "templates");
	if (node && !JSON_NODE_HOLDS_OBJECT(node)) {
		verror(&v, "templates: expected an object mapping template names to templates, got %s",
		       json_kind(node));
	} else if (node) {
		templates = json_node_get_object(node);
		json_object_iter_init_ordered(&iter, templates);
		while (json_object_iter_next_ordered(&iter, &key, &node))
			validate_template(&v, g, key, node);
	}
	validate_refs(&v, g, templates);
	if (v.errors->len == 0)
		validate_min_ports(&v);
out:
	ok = v.errors->len == 0;
	if (!ok)
		g_set_error_literal(error, PK_ERROR, PK_ERROR_INVALID, v.errors->str);
	g_string_free(v.errors, TRUE);
	g_ptr_array_unref(v.refs);
	g_ptr_array_unref(v.order);
	g_hash_table_unref(v.vdevs);
	return ok;
}

bool pk_topology_check(struct pk_registry *reg, JsonNode *root, GError **error)
{
	return topology_validate(reg, NULL, root, error);
}

/* Loading ----------------------------------------------------------------- */

bool pk_graph_load(struct pk_graph *g, JsonNode *root, GError **error)
{
	g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) added_templates = g_ptr_array_new_with_free_func(g_free);
	JsonObject *devices;
	JsonNode *links_node, *captures_node, *templates_node;
	JsonObjectIter iter;
	const char *id;
	JsonNode *node;

	if (!topology_validate(g->reg, g, root, error))
		return false;
	/* Templates first: devices are checked against them when created. */
	templates_node = json_object_get_member(json_node_get_object(root), "templates");
	if (templates_node) {
		json_object_iter_init_ordered(&iter, json_node_get_object(templates_node));
		while (json_object_iter_next_ordered(&iter, &id, &node)) {
			pk_graph_template_add(g, id, node);
			g_ptr_array_add(added_templates, g_strdup(id));
		}
	}
	devices = json_object_get_object_member(json_node_get_object(root), "devices");
	json_object_iter_init_ordered(&iter, devices);
	while (json_object_iter_next_ordered(&iter, &id, &node)) {
		JsonObject *obj = json_node_get_object(node);
		struct pk_dev *dev = pk_graph_add_device_stopped(
			g, id, json_object_get_string_member(obj, "type"), obj, error);

		if (!dev)
			goto rollback;
		g_ptr_array_add(added, g_strdup(id));
	}
	links_node = json_object_get_member(json_node_get_object(root), "links");
	if (links_node) {
		JsonArray *links = json_node_get_array(links_node);

		for (guint i = 0; i < json_array_get_length(links); i++) {
			JsonArray *pair = json_array_get_array_element(links, i);

			if (!pk_graph_link(g, json_array_get_string_element(pair, 0),
					   json_array_get_string_element(pair, 1), error)) {
				g_prefix_error(error, "links[%u]: ", i);
				goto rollback;
			}
		}
	}
	captures_node = json_object_get_member(json_node_get_object(root), "captures");
	if (captures_node) {
		JsonArray *caps = json_node_get_array(captures_node);

		for (guint i = 0; i < json_array_get_length(caps); i++) {
			if (!pk_graph_capture_from_json(g, json_array_get_element(caps, i), error)) {
				g_prefix_error(error, "captures[%u]: ", i);
				goto rollback;
			}
		}
	}
	for (guint i = 0; g->running && i < added->len; i++)
		if (!pk_graph_start_device(pk_graph_lookup(g, g_ptr_array_index(added, i)), error))
			goto rollback;
	return true;
rollback:
	for (guint i = added->len; i-- > 0;)
		pk_graph_remove_device(g, g_ptr_array_index(added, i), NULL);
	for (guint i = 0; i < added_templates->len; i++)
		pk_graph_template_remove(g, g_ptr_array_index(added_templates, i));
	return false;
}

/* Export ------------------------------------------------------------------ */

JsonNode *pk_template_to_json(struct pk_graph *g, const struct pk_template *t, bool with_secrets)
{
	JsonObject *spec = json_node_get_object(t->spec);
	JsonObject *out = json_object_new(), *devices = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	JsonObjectIter iter;
	const char *id;
	JsonNode *dn;

	if (json_object_has_member(spec, "comment"))
		json_object_set_member(out, "comment",
				       json_node_copy(json_object_get_member(spec, "comment")));
	json_object_iter_init_ordered(&iter, json_object_get_object_member(spec, "devices"));
	while (json_object_iter_next_ordered(&iter, &id, &dn)) {
		JsonObject *d = json_node_get_object(dn), *o = json_object_new();
		const char *type = json_object_get_string_member(d, "type");
		const struct pk_registry_type *rt = pk_registry_lookup(g->reg, type);
		struct pk_param_table tab = pk_type_params(rt->type);
		void *config = g_malloc0(MAX(rt->type->config_size, 1u));
		JsonObjectIter piter;
		const char *key;
		JsonNode *val;

		json_object_set_string_member(o, "type", type);
		if (pk_params_set_defaults(&tab, config, NULL) &&
		    pk_params_apply_json(&tab, d, config, "", "type", false, NULL, NULL)) {
			g_autoptr(JsonObject) params = pk_params_non_defaults(
				&tab, rt->type->config_size, config, with_secrets);

			json_object_iter_init_ordered(&piter, params);
			while (json_object_iter_next_ordered(&piter, &key, &val))
				json_object_set_member(o, key, json_node_copy(val));
		}
		pk_params_clear(&tab, config);
		g_free(config);
		json_object_set_object_member(devices, id, o);
	}
	json_object_set_object_member(out, "devices", devices);
	if (json_object_has_member(spec, "links"))
		json_object_set_member(out, "links",
				       json_node_copy(json_object_get_member(spec, "links")));
	json_object_set_string_member(out, "attach", t->attach);
	if (json_object_has_member(spec, "max-instances"))
		json_object_set_int_member(out, "max-instances", t->max_instances);
	json_node_take_object(node, out);
	return node;
}

/* Parsing text: json-glib keeps the last of duplicate keys silently, so watch
 * members as they are parsed and report duplicates ourselves. */

struct dup_watch {
	GHashTable *seen;	/* "<object ptr>/<name>" */
	GString *errors;
	JsonObject *last_dup_object;
};

static void on_object_member(JsonParser *parser, JsonObject *object, const char *name,
			     gpointer data)
{
	struct dup_watch *w = data;
	char *key = g_strdup_printf("%p/%s", (void *)object, name);

	if (!g_hash_table_add(w->seen, key))
		g_string_append_printf(w->errors, "%sduplicate key '%s' (line %u): ids and parameters must be unique",
				       w->errors->len ? "\n" : "", name,
				       json_parser_get_current_line(parser));
}

JsonNode *pk_topology_parse(const char *text, gssize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	struct dup_watch w = {
		.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.errors = g_string_new(NULL),
	};
	JsonNode *root = NULL;

	g_signal_connect(parser, "object-member", G_CALLBACK(on_object_member), &w);
	if (json_parser_load_from_data(parser, text, len, error)) {
		if (w.errors->len)
			g_set_error_literal(error, PK_ERROR, PK_ERROR_INVALID, w.errors->str);
		else if (!json_parser_get_root(parser))
			g_set_error_literal(error, PK_ERROR, PK_ERROR_INVALID, "empty document");
		else
			root = json_node_copy(json_parser_get_root(parser));
	}
	g_hash_table_unref(w.seen);
	g_string_free(w.errors, TRUE);
	return root;
}

bool pk_graph_load_file(struct pk_graph *g, const char *file, GError **error)
{
	g_autofree char *text = NULL;
	gsize len;
	JsonNode *root;
	bool ok;

	if (!g_file_get_contents(file, &text, &len, error))
		return false;
	root = pk_topology_parse(text, (gssize)len, error);
	if (!root) {
		/* json-glib names in-memory input "<data>": name the file instead. */
		if (error && *error && g_str_has_prefix((*error)->message, "<data>:")) {
			char *msg = g_strconcat(file, (*error)->message + strlen("<data>"), NULL);

			g_free((*error)->message);
			(*error)->message = msg;
		} else {
			g_prefix_error(error, "%s: ", file);
		}
		return false;
	}
	ok = pk_graph_load(g, root, error);
	json_node_unref(root);
	return ok;
}
