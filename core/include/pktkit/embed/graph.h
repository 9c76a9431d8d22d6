/* SPDX-License-Identifier: MIT
 * embed/graph.h - A running topology: devices, links between ports, lifecycle, JSON
 *
 * Used by pktkit-host, by tests and by applications embedding libpktkit. All
 * functions here are control-path: call them on the graph's main context,
 * never from inside a device callback.
 */
#ifndef PKTKIT_EMBED_GRAPH_H
#define PKTKIT_EMBED_GRAPH_H

#include <pktkit/embed/registry.h>
#include <pktkit/device-runtime.h>

G_BEGIN_DECLS

struct pk_graph;

/* Flags of pk_graph_new(). */
#define PK_GRAPH_FAKE_CLOCK (1u << 0)	/* time only moves with pk_graph_clock_advance() */

/**
 * pk_graph_new() - An empty, stopped graph
 * @reg:	Registry to find types in; must outlive the graph
 * @context:	Main context to run on; NULL for the thread-default one
 * @flags:	PK_GRAPH_* bits
 *
 * Context: main context.
 * Return: (transfer full) the graph; free with pk_graph_free().
 */
struct pk_graph *pk_graph_new(struct pk_registry *reg, GMainContext *context, uint32_t flags);

/**
 * pk_graph_free() - Stop, unlink and finalize everything, then free
 * @g:	Graph, or NULL
 *
 * Context: main context.
 */
void pk_graph_free(struct pk_graph *g);

/**
 * pk_graph_add_device() - Create and initialise a device
 * @g:		Graph
 * @id:		Unique id: letters, digits, '_' and '-'
 * @type:	Type name
 * @params:	Parameters (a "type" member is ignored); NULL for defaults
 * @error:	Set on failure, naming the id and the problem
 *
 * Starts the device too if the graph is running.
 *
 * Context: main context.
 * Return: (transfer none) the device, or NULL.
 */
struct pk_dev *pk_graph_add_device(struct pk_graph *g, const char *id, const char *type,
				   JsonObject *params, GError **error);

/**
 * pk_graph_remove_device() - Stop, unlink, finalize and free a device
 * @g:		Graph
 * @id:		Device id
 * @error:	Set if there is no such device, or (PK_ERROR_STATE) if it
 *		belongs to a template instance (its owner removes it)
 *
 * Other devices keep running; peers see their ports unlinked. The
 * template instances the device owns go with it.
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_remove_device(struct pk_graph *g, const char *id, GError **error);

/**
 * pk_graph_clear() - Remove every device (with its links and instances), capture and template
 * @g:	Graph; stays running or stopped as it was
 *
 * What a host does before loading a topology that replaces the current one.
 *
 * Context: main context.
 * Since: 1.1
 */
void pk_graph_clear(struct pk_graph *g);

/**
 * pk_graph_lookup() - Find a device by id
 * @g:	Graph
 * @id:	Device id
 *
 * Context: main context.
 * Return: (transfer none) the device or NULL.
 */
struct pk_dev *pk_graph_lookup(struct pk_graph *g, const char *id);

/**
 * pk_graph_link() - Join two ports of the same layer
 * @g:		Graph
 * @a:		Endpoint "dev", "dev.group" or "dev.group.N"
 * @b:		Endpoint
 * @error:	Set on failure (unknown device or group, layer mismatch,
 *		port already linked, group full)
 *
 * "dev" names the device's only port group; leaving out N takes the
 * lowest free port of the group.
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_link(struct pk_graph *g, const char *a, const char *b, GError **error);

/**
 * pk_graph_unlink() - Remove the link at an endpoint "dev.group.N"
 * @g:		Graph
 * @endpoint:	Either end of the link
 * @error:	Set if there is no link there
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_unlink(struct pk_graph *g, const char *endpoint, GError **error);

/**
 * pk_graph_start() - Start every device, in the order they were added
 * @g:		Graph
 * @error:	Set if a device failed to start (those started are stopped)
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_start(struct pk_graph *g, GError **error);

/**
 * pk_graph_stop() - Stop every device, in reverse order
 * @g:	Graph
 *
 * Context: main context.
 */
void pk_graph_stop(struct pk_graph *g);

/**
 * pk_graph_is_running() - Whether pk_graph_start() succeeded and no stop followed
 * @g:	Graph
 *
 * Context: main context.
 */
bool pk_graph_is_running(const struct pk_graph *g);

/**
 * pk_graph_set_config() - Change parameters of a device
 * @g:		Graph
 * @id:		Device id
 * @params:	Members to change
 * @error:	Set on a bad value, an unknown key, or a non-LIVE key while
 *		running; the device's configuration is then unchanged
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_set_config(struct pk_graph *g, const char *id, JsonObject *params,
			 GError **error);

/**
 * pk_graph_get_config() - Every parameter of a device, as pk_params_to_json() writes it
 * @g:			Graph
 * @id:			Device id
 * @with_secrets:	Include PK_PF_SECRET values (never for D-Bus, logs or inspect)
 * @error:		Set if there is no such device
 *
 * Context: main context.
 * Return: (transfer full) a new object, or NULL.
 */
JsonObject *pk_graph_get_config(struct pk_graph *g, const char *id, bool with_secrets,
				GError **error);

/**
 * pk_graph_load() - Validate a whole topology, then create it
 * @g:		Graph; devices and templates in the topology must not exist
 *		in it yet
 * @root:	{"devices": {...}, "links": [...], "templates": {...}}
 *		(docs/topology.md)
 * @error:	Every problem found, one "<json path>: <reason>" per line;
 *		nothing is created then
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_load(struct pk_graph *g, JsonNode *root, GError **error);

/**
 * pk_graph_load_file() - pk_graph_load() on a JSON file
 * @g:		Graph
 * @file:	Path
 * @error:	As pk_graph_load(), or a syntax error with line and column
 *
 * Context: main context.
 * Return: true on success.
 */
bool pk_graph_load_file(struct pk_graph *g, const char *file, GError **error);

/**
 * pk_topology_parse() - Parse topology JSON text, refusing duplicate keys
 * @text:	JSON text
 * @len:	Its length, or -1 if NUL-terminated
 * @error:	Syntax errors with line and column, or duplicate keys
 *
 * Context: main context.
 * Return: (transfer full) the root node, or NULL.
 */
JsonNode *pk_topology_parse(const char *text, gssize len, GError **error);

/**
 * pk_topology_check() - Validate a topology without creating anything
 * @reg:	Registry
 * @root:	Topology
 * @error:	As pk_graph_load()
 *
 * Context: main context.
 * Return: true if pk_graph_load() on an empty graph would get past
 * validation.
 */
bool pk_topology_check(struct pk_registry *reg, JsonNode *root, GError **error);

/**
 * pk_graph_export() - The running topology as JSON that pk_graph_load() accepts
 * @g:			Graph
 * @with_secrets:	Include SECRET parameters
 *
 * Templates are written under "templates"; the devices and links of their
 * instances are not written (the owners make them again at run time).
 *
 * Context: main context.
 * Return: (transfer full) the root node.
 */
JsonNode *pk_graph_export(struct pk_graph *g, bool with_secrets);

/**
 * pk_graph_clock_advance() - Move a fake clock forward, firing due timers in order
 * @g:		Graph made with PK_GRAPH_FAKE_CLOCK
 * @ns:		Nanoseconds
 *
 * Context: main context.
 */
void pk_graph_clock_advance(struct pk_graph *g, uint64_t ns);

/**
 * pk_graph_now() - The graph's clock
 * @g:	Graph
 *
 * Context: main context.
 * Return: nanoseconds (monotonic, or the fake clock).
 */
uint64_t pk_graph_now(struct pk_graph *g);

/**
 * pk_graph_devices() - Device ids in the order they were added
 * @g:	Graph
 *
 * Context: main context.
 * Return: (transfer container) NULL-terminated array of borrowed strings.
 */
const char **pk_graph_devices(struct pk_graph *g);

/**
 * pk_graph_links() - Every link of the graph, template instances' included
 * @g:	Graph
 *
 * Each link once, as ["dev.group.N", "dev.group.N"], in the order
 * pk_graph_export() writes them (which leaves out the links of instances).
 *
 * Context: main context.
 * Return: (transfer full) a new array. Since: 1.1
 */
JsonArray *pk_graph_links(struct pk_graph *g);

/**
 * typedef pk_graph_change_func - The graph changed by itself
 * @g:		Graph
 * @data:	As given to pk_graph_set_change_func()
 *
 * Since: 1.1
 */
typedef void (*pk_graph_change_func)(struct pk_graph *g, void *data);

/**
 * pk_graph_set_change_func() - Be told when devices or links come or go without a call of yours
 * @g:		Graph
 * @fn:		Called on the main context, outside any dispatch, after
 *		template instances were built or removed; NULL to stop
 * @data:	Passed to @fn
 *
 * A host that mirrors the graph (D-Bus objects) compares again from @fn.
 * @fn may call any graph function.
 *
 * Context: main context.
 * Since: 1.1
 */
void pk_graph_set_change_func(struct pk_graph *g, pk_graph_change_func fn, void *data);

/* Per-device introspection for hosts and tests. */

/**
 * pk_graph_device_status() - Read a device's status (Since: 1.2)
 * @g:		Graph
 * @id:		Device id
 * @error:	PK_ERROR_UNKNOWN for no such device
 *
 * Calls the device's status method now, as a callback of the device (its
 * context is the graph's: this must run there, outside any device
 * callback). Fields the device set are entries of their declared type
 * (see enum pk_status_type); each declared table is an entry "aa{sv}" with
 * one dictionary per row, present even when empty. A device without status
 * (or built before ABI 1.2) gives an empty dictionary.
 *
 * Context: main context, control path.
 * Return: a new a{sv} GVariant (not floating; g_variant_unref() it), or
 * NULL with @error set.
 */
GVariant *pk_graph_device_status(struct pk_graph *g, const char *id, GError **error);

/**
 * pk_dev_type() - The device's type descriptor
 * @dev:	Device
 *
 * Context: any thread.
 */
const struct pk_device_type *pk_dev_type(const struct pk_dev *dev);

/**
 * pk_dev_instance() - The instance memory (for tests of a module's own type)
 * @dev:	Device
 *
 * Context: main context.
 */
void *pk_dev_instance(struct pk_dev *dev);

/**
 * pk_dev_counter() - Read a counter by name
 * @dev:	Device
 * @name:	A declared counter, or a core one ("loop-drops", "unlinked-drops",
 *		since 1.1 "instances" and "instances-refused", since 1.2
 *		"dropped-no-buffer" and "dropped-queue-full": pk_core_counters())
 *
 * Context: main context.
 * Return: the value; 0 for an unknown name.
 */
uint64_t pk_dev_counter(struct pk_dev *dev, const char *name);

/**
 * struct pk_port_stats - Traffic the core counted on one port
 * @rx_packets:	Buffers delivered to the device on this port
 * @rx_bytes:	Their bytes
 * @tx_packets:	Buffers the device emitted on this port to a peer
 * @tx_bytes:	Their bytes
 * @drops:	Buffers emitted while unlinked, or lost to a full queue
 */
struct pk_port_stats {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops;
};

/**
 * pk_dev_port_stats() - Traffic counters of one port
 * @dev:	Device
 * @port:	Port
 * @out:	Filled in
 *
 * Context: main context.
 * Return: false if the port does not exist.
 */
bool pk_dev_port_stats(struct pk_dev *dev, uint32_t port, struct pk_port_stats *out);

/**
 * pk_dev_counters_to_json() - Every counter, plus per-port stats under "ports"
 * @dev:	Device
 *
 * Context: main context.
 * Return: (transfer full) a new object.
 */
JsonObject *pk_dev_counters_to_json(struct pk_dev *dev);

G_END_DECLS

#endif /* PKTKIT_EMBED_GRAPH_H */
