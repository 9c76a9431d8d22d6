// SPDX-License-Identifier: MIT
/* status.c - Read-only device status: the writer a status method fills, reading it, port events
 *
 * The writer checks each value against the type's declaration (index, type,
 * row or not) and builds the a{sv} GVariant that the D-Bus service returns
 * and pktkitctl turns into a table or JSON. Reading runs the device's status
 * method as a callback of the device, on the control path, so the data path
 * never waits for it.
 */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "runtime.h"
#include "pktkit/status.h"

struct pk_status_writer {
	struct pk_dev *dev;
	struct pk_status_schema schema;
	GVariantDict top;
	GVariantBuilder *tables;	/* n_tables builders of "aa{sv}" */
	/* The row being written: its table, or -1 */
	int64_t row_table;
	GVariantDict row;
	uint64_t dev_now;
	int64_t wall_now_us;
	bool complained;
};

/* A mistake in the module: tell once per reading, leave the value out. */
static void writer_complain(struct pk_status_writer *w, const char *what, uint32_t field)
{
	if (w->complained)
		return;
	w->complained = true;
	pk_dev_warn(w->dev, "status: %s (index %u%s); value left out", what, field,
		    w->row_table >= 0 ? " in a table row" : "");
}

/* The declaration @field refers to now, if it has type @type. */
static GVariantDict *writer_slot(struct pk_status_writer *w, uint32_t field, uint32_t type,
				 const char **name)
{
	const struct pk_status_field *f;

	if (w->row_table >= 0) {
		const struct pk_status_table *t =
			(const struct pk_status_table *)((const char *)w->schema.tables +
							 (size_t)w->row_table * w->schema.tables_size);

		if (field >= t->n_columns) {
			writer_complain(w, "no such column", field);
			return NULL;
		}
		f = pk_status_field_at(t->columns, t->columns_size, field);
	} else {
		if (field >= w->schema.n_fields) {
			writer_complain(w, "no such field", field);
			return NULL;
		}
		f = pk_status_field_at(w->schema.fields, w->schema.fields_size, field);
	}
	if (f->type != type) {
		writer_complain(w, "value of the wrong type", field);
		return NULL;
	}
	*name = f->name;
	return w->row_table >= 0 ? &w->row : &w->top;
}

static void writer_put(struct pk_status_writer *w, uint32_t field, uint32_t type, GVariant *v)
{
	const char *name;
	GVariantDict *d = writer_slot(w, field, type, &name);

	g_variant_ref_sink(v);
	if (d)
		g_variant_dict_insert_value(d, name, v);
	g_variant_unref(v);
}

void pk_status_set_str(struct pk_status_writer *w, uint32_t field, const char *value)
{
	/* D-Bus strings must be UTF-8: a module's bytes are made so. */
	g_autofree char *valid = g_utf8_make_valid(value ? value : "", -1);

	writer_put(w, field, PK_ST_STR, g_variant_new_string(valid));
}

void pk_status_set_uint(struct pk_status_writer *w, uint32_t field, uint64_t value)
{
	writer_put(w, field, PK_ST_UINT, g_variant_new_uint64(value));
}

void pk_status_set_int(struct pk_status_writer *w, uint32_t field, int64_t value)
{
	writer_put(w, field, PK_ST_INT, g_variant_new_int64(value));
}

void pk_status_set_bool(struct pk_status_writer *w, uint32_t field, bool value)
{
	writer_put(w, field, PK_ST_BOOL, g_variant_new_boolean(value));
}

void pk_status_set_mac(struct pk_status_writer *w, uint32_t field, const struct pk_mac *value)
{
	char buf[PK_MAC_STRLEN];

	writer_put(w, field, PK_ST_MAC, g_variant_new_string(pk_mac_format(value, buf)));
}

void pk_status_set_ip4(struct pk_status_writer *w, uint32_t field, struct pk_ip4 value)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, value.b, buf, sizeof(buf));
	writer_put(w, field, PK_ST_IP, g_variant_new_string(buf));
}

void pk_status_set_ip6(struct pk_status_writer *w, uint32_t field, const struct pk_ip6 *value)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, value->b, buf, sizeof(buf));
	writer_put(w, field, PK_ST_IP, g_variant_new_string(buf));
}

void pk_status_set_prefix(struct pk_status_writer *w, uint32_t field,
			  const struct pk_prefix *value)
{
	char buf[PK_PREFIX_STRLEN];

	writer_put(w, field, PK_ST_PREFIX, g_variant_new_string(pk_prefix_format(value, buf)));
}

void pk_status_set_duration(struct pk_status_writer *w, uint32_t field, uint64_t ns)
{
	writer_put(w, field, PK_ST_DURATION, g_variant_new_uint64(ns));
}

void pk_status_set_timestamp(struct pk_status_writer *w, uint32_t field, uint64_t ns)
{
	/* Wall clock now, moved by the distance on the device's clock. */
	int64_t delta_us = ns >= w->dev_now ? (int64_t)((ns - w->dev_now) / 1000u)
					     : -(int64_t)((w->dev_now - ns) / 1000u);

	writer_put(w, field, PK_ST_TIMESTAMP, g_variant_new_int64(w->wall_now_us + delta_us));
}

void pk_status_row_end(struct pk_status_writer *w)
{
	if (w->row_table < 0)
		return;
	g_variant_builder_add_value(&w->tables[w->row_table], g_variant_dict_end(&w->row));
	g_variant_dict_clear(&w->row);
	w->row_table = -1;
}

bool pk_status_row_begin(struct pk_status_writer *w, uint32_t table)
{
	pk_status_row_end(w);
	if (table >= w->schema.n_tables) {
		writer_complain(w, "no such table", table);
		return false;
	}
	w->row_table = table;
	g_variant_dict_init(&w->row, NULL);
	return true;
}

const char *pk_status_type_name(uint32_t type)
{
	static const char *const names[] = {
		[PK_ST_STR] = "str",	    [PK_ST_UINT] = "uint",	 [PK_ST_INT] = "int",
		[PK_ST_BOOL] = "bool",	    [PK_ST_MAC] = "mac",	 [PK_ST_IP] = "ip",
		[PK_ST_PREFIX] = "prefix",  [PK_ST_DURATION] = "duration",
		[PK_ST_TIMESTAMP] = "timestamp",
	};

	return type < G_N_ELEMENTS(names) && names[type] ? names[type] : "unknown";
}

/* Reading ------------------------------------------------------------------ */

/* The status method exists only in the ops of modules built for 1.2+. */
static void (*status_op(const struct pk_dev *dev))(struct pk_dev *, void *,
						   struct pk_status_writer *)
{
	return pk_dev_abi_minor(dev) >= 2 ? dev->type->ops->status : NULL;
}

GVariant *pk_graph_device_status(struct pk_graph *g, const char *id, GError **error)
{
	struct pk_dev *dev = pk_graph_lookup(g, id);
	struct pk_status_writer w = { 0 };
	GVariant *v;

	g_return_val_if_fail(!pk_dispatch_active(), NULL);
	if (!dev) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "no device '%s'", id);
		return NULL;
	}
	w.dev = dev;
	w.row_table = -1;
	pk_registry_type_status(dev->rtype, &w.schema);
	g_variant_dict_init(&w.top, NULL);
	w.tables = g_new(GVariantBuilder, MAX(w.schema.n_tables, 1u));
	for (uint32_t i = 0; i < w.schema.n_tables; i++)
		g_variant_builder_init(&w.tables[i], G_VARIANT_TYPE("aa{sv}"));
	w.dev_now = pk_graph_now(g);
	w.wall_now_us = g_get_real_time();
	if (status_op(dev) && dev->initialized && !dev->removed) {
		pk_dispatch_begin(g);
		pk_dev_enter(dev);
		status_op(dev)(dev, dev->self, &w);
		pk_dev_leave(dev);
		pk_dispatch_end();
	}
	pk_status_row_end(&w);
	for (uint32_t i = 0; i < w.schema.n_tables; i++) {
		const struct pk_status_table *t =
			(const struct pk_status_table *)((const char *)w.schema.tables +
							 (size_t)i * w.schema.tables_size);

		g_variant_dict_insert_value(&w.top, t->name, g_variant_builder_end(&w.tables[i]));
	}
	g_free(w.tables);
	v = g_variant_dict_end(&w.top);
	g_variant_dict_clear(&w.top);
	return g_variant_ref_sink(v);
}

/* Port events -------------------------------------------------------------- */

struct port_event {
	struct pk_dev *from;	/* compared, never dereferenced */
	uint32_t from_port;
	uint32_t port;		/* on the receiving device */
	uint32_t event;
};

/* Runs on the receiver's context as its callback. */
static void port_event_deliver(struct pk_dev *dev, void *self, void *data)
{
	const struct port_event *e = data;
	const struct pk_port *p = pk_dev_port_get(dev, e->port);

	/* The link may have gone (the receiver was told by unlink) or changed. */
	if (!p || p->peer != e->from || p->peer_port != e->from_port)
		return;
	if (pk_dev_abi_minor(dev) >= 2 && dev->type->ops->port_event)
		dev->type->ops->port_event(dev, self, e->port, e->event);
}

bool pk_dev_port_event(struct pk_dev *dev, uint32_t port, uint32_t event)
{
	const struct pk_port *p = pk_dev_port_get(dev, port);
	struct port_event *e;

	if (!p || !p->peer)
		return false;
	if (pk_dev_abi_minor(p->peer) < 2 || !p->peer->type->ops->port_event)
		return true;
	e = g_new(struct port_event, 1);
	e->from = dev;
	e->from_port = port;
	e->port = p->peer_port;
	e->event = event;
	pk_dev_invoke(p->peer, port_event_deliver, e, g_free);
	return true;
}
