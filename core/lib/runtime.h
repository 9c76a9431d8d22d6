/* SPDX-License-Identifier: MIT
 * runtime.h - Internal: the structures behind struct pk_dev and struct pk_graph
 *
 * Not installed. Shared by dev.c (data path), graph.c (control path),
 * timer.c (time, fds, invoke), topology.c (JSON) and pipe.c.
 */
#ifndef PKTKIT_RUNTIME_H
#define PKTKIT_RUNTIME_H

#include "core-counters.h"
#include "pktkit/embed/graph.h"
#include "pktkit/embed/testing.h"
#include "pktkit/error.h"

/* Deliveries a busy device can have queued before drops are counted. */
#define PK_PENDING_MAX 1024u
/* Slots of a device's queue when it first needs one; it doubles as needed
 * up to PK_PENDING_MAX, so a device that is rarely busy costs 256 bytes. */
#define PK_PENDING_MIN 16u
/* Queued deliveries (buffers) one dispatch may run before the rest is
 * deferred to the next main-loop iteration (struct pk_graph.deferred). */
#define PK_DISPATCH_BUDGET 4096u

/**
 * struct pk_port - One port of a device instance
 * @peer:	Linked device, or NULL
 * @peer_port:	Port number on @peer
 * @stats:	Traffic the core counted here
 * @tap:	Capture of this port (capture.c), or NULL: checked once per emit
 * @offload:	The port's group has PK_PORT_F_OFFLOAD (set when linked): it
 *		may receive super-packets and partial checksums as they are
 */
struct pk_port {
	struct pk_dev *peer;
	uint32_t peer_port;
	struct pk_port_stats stats;
	struct pk_capture_tap *tap;
	bool offload;
};

/**
 * struct pk_port_group_slots - The ports of one group, indexed by port index
 * @ports:	Array of @n_alloc entries (grown on link; cold)
 * @n_alloc:	Allocated entries
 * @n_linked:	Entries with a peer
 */
struct pk_port_group_slots {
	struct pk_port *ports;
	uint32_t n_alloc;
	uint32_t n_linked;
};

/* A delivery queued for a busy device, with the hops it leaves the buffer. */
struct pk_pending {
	struct pk_buf *buf;
	uint32_t port;
	uint32_t hops;
};

struct pk_dev {
	struct pk_graph *graph;
	const struct pk_registry_type *rtype;
	const struct pk_device_type *type;
	struct pk_param_table params;
	char *id;
	void *self;
	void *config;
	uint64_t *counters;
	uint64_t core[PK_CORE_C_N]; /* core-counters.h */
	struct pk_port_group_slots *groups;
	/* Groups (bit = group index, below 32) whose ports decline offloads now
	 * although their group has PK_PORT_F_OFFLOAD (pk_dev_group_set_offload()). */
	uint32_t offload_declined;
	/* Re-entrancy guard and the queue of deliveries that met it. */
	uint32_t busy;
	struct pk_pending *pending; /* ring of pend_cap (a power of two) slots */
	uint32_t pend_head;
	uint32_t pend_len;
	uint32_t pend_cap;
	/* The dispatch budget ran out with deliveries queued here: they wait in
	 * the graph's deferred list, and @busy holds one count for them so new
	 * deliveries queue behind (order is kept). */
	bool deferred;
	/* Lifecycle */
	bool initialized;
	bool started;
	bool removed;
	gint refcount;
	GPtrArray *timers;
	GPtrArray *watches;
	uint32_t add_order;
	bool starting;		/* inside ops->start */
	/* Template instances this device owns (struct pk_instance *), NULL until
	 * the first request; and the instance this device belongs to, if any. */
	GPtrArray *instances;
	uint32_t next_instance;
	uint64_t instances_refused;
	struct pk_instance *instance;
	/* Link information published per port (port -> struct pk_link_info *). */
	GHashTable *link_info;
};

struct pk_timer_heap {
	struct pk_timer **v;
	uint32_t n;
	uint32_t alloc;
};

struct pk_graph {
	struct pk_registry *reg;
	GMainContext *context;
	uint32_t flags;
	GHashTable *devices;		/* id -> struct pk_dev * */
	GPtrArray *order;		/* struct pk_dev *, in add order */
	bool running;
	uint32_t next_order;
	/* Time */
	uint64_t fake_now;
	struct pk_timer_heap timers;
	GSource *timer_source;
	uint64_t timer_seq;
	/* Captures the topology asked for: struct topo_capture *, stopped with the graph */
	GPtrArray *captures;
	/* Templates by name (struct pk_template *) and in load order */
	GHashTable *templates;
	GPtrArray *template_order;
	/* Instances with work to do (build or tear down), run from one idle source */
	GPtrArray *instance_work;
	GSource *instance_source;
	/* Devices whose queued deliveries outlived a dispatch's budget (struct
	 * pk_dev *, referenced), run by one default-priority idle source. Per
	 * graph, hence per context: worker contexts get a list each. */
	GPtrArray *deferred;
	GSource *deferred_source;
	pk_graph_change_func change_fn;
	void *change_data;
};

/**
 * struct pk_template - A sub-topology devices may instantiate (graph-instance.c)
 * @name:		Name in "templates"
 * @spec:		The validated JSON object, as loaded
 * @attach:		Endpoint of a template device ("lan.port")
 * @layer:		Layer of the attach endpoint's port group
 * @max_instances:	Live instances allowed per owner
 */
struct pk_template {
	char *name;
	JsonNode *spec;
	char *attach;
	uint32_t layer;
	uint32_t max_instances;
};

enum pk_instance_state {
	PK_INSTANCE_PENDING,	/* asked for; built by the idle source */
	PK_INSTANCE_LIVE,	/* built; devices exist */
	PK_INSTANCE_DOOMED,	/* removed by the owner; torn down by the idle source */
};

/**
 * struct pk_instance - One instance of a template, owned by a device
 * @owner:	Owner device
 * @tmpl:	Template (templates live as long as the graph)
 * @handle:	Owner-unique number, part of the device ids
 * @port:	Owner port the attach endpoint is (to be) linked to
 * @state:	enum pk_instance_state
 * @queued:	In the graph's instance_work
 * @devs:	Devices created (struct pk_dev *), in creation order
 * @done:	Owner callback
 * @data:	For @done
 */
struct pk_instance {
	struct pk_dev *owner;
	struct pk_template *tmpl;
	uint32_t handle;
	uint32_t port;
	uint32_t state;
	bool queued;
	GPtrArray *devs;
	pk_instance_func done;
	void *data;
};

struct pk_timer {
	struct pk_dev *dev;
	pk_timer_func fn;
	void *data;
	uint64_t deadline;
	uint64_t seq;		/* FIFO order among equal deadlines */
	int32_t heap_index;	/* -1 when disarmed */
};

/* Internal functions: not exported from libpktkit even though named pk_. */
#pragma GCC visibility push(hidden)

/* dev.c: synchronous deliveries on this thread's stack (the delivery depth).
 * Inside a receive at depth d a buffer has pk_buf.hop_limit - d hops left;
 * a new buffer gets d + PK_BUF_HOPS (buf.c). initial-exec: libpktkit is
 * loaded with the program, so this is one %fs-relative access. */
extern __thread uint32_t pk_hop_depth __attribute__((tls_model("initial-exec")));

/* dev.c: dispatch scopes and deliveries */
void pk_link_info_linked(struct pk_dev *a, uint32_t pa, struct pk_dev *b, uint32_t pb);
void pk_link_info_free(struct pk_dev *dev);
void pk_dispatch_begin(struct pk_graph *g);
void pk_dispatch_end(void);
bool pk_dispatch_active(void);
void pk_dev_ref(struct pk_dev *dev);
void pk_dev_unref(struct pk_dev *dev);
void pk_dev_enter(struct pk_dev *dev);
void pk_dev_leave(struct pk_dev *dev);
void pk_dev_drop_pending(struct pk_dev *dev);
/* Forget deferred work (graph teardown): no more idle source, no references. */
void pk_graph_deferred_fini(struct pk_graph *g);
struct pk_port *pk_dev_port_get(const struct pk_dev *dev, uint32_t port);
/* registry.c: PK_PORT_F_* of group @group, 0 for modules that predate the field. */
uint32_t pk_port_group_flags(const struct pk_dev *dev, uint32_t group);
/* dev.c: whether ports of @group take offloads whole now: the group's
 * PK_PORT_F_OFFLOAD, unless the device declined them. */
bool pk_dev_group_takes_offload(const struct pk_dev *dev, uint32_t group);
/* registry.c: the ABI minor @dev's module was built for: which descriptor
 * fields and ops exist. */
uint32_t pk_dev_abi_minor(const struct pk_dev *dev);

/* timer.c: the graph's clock and timer heap; fd watches */
void pk_graph_timers_init(struct pk_graph *g);
void pk_graph_timers_fini(struct pk_graph *g);
uint64_t pk_clock_monotonic_ns(void);
/* After stop: cancel every timer (they stay usable), free every fd watch. */
void pk_dev_quiesce(struct pk_dev *dev);
/* After finalize (or a failed init): free every timer and watch. */
void pk_dev_free_timers_and_watches(struct pk_dev *dev);

/* pipe.c */
extern const struct pk_module_info pk_core_module_info;

/* topology.c */
bool pk_endpoint_split(const char *endpoint, char **dev_id, char **group, int64_t *index);
bool pk_id_is_valid(const char *id);
/* An id as found in the graph: a topology id, or an instance device's
 * "<owner>/<n>/<local>" (each '/'-separated part a valid id) */
bool pk_id_is_valid_ref(const char *id);
/* Canonical JSON of a template (non-default parameters) for export */
JsonNode *pk_template_to_json(struct pk_graph *g, const struct pk_template *t,
			      bool with_secrets);

/* text.c: edits (insert, delete, substitute, swap neighbours) from @a to @b */
unsigned int pk_edit_distance(const char *a, const char *b);

/* param.c: bytes of the C field a value type fills (0 for an unknown type) */
size_t pk_param_field_size(uint32_t type);

/* capture.c: copy @batch into the captures of the sending port (@out) and of
 * the receiving port (@in); either may be NULL. Hot path, never blocks. */
struct pk_capture_tap;
void pk_capture_tap_batch(struct pk_capture_tap *out, struct pk_capture_tap *in,
			  const struct pk_batch *batch);

/* capture.c: whether @cap taps a port of @dev */
struct pk_capture;
bool pk_capture_uses_device(const struct pk_capture *cap, const struct pk_dev *dev);

/* topology-capture.c: the captures of a topology (validated JSON object),
 * stopping them (all, or those tapping @dev) and exporting them */
bool pk_graph_capture_from_json(struct pk_graph *g, JsonNode *spec, GError **error);
void pk_graph_stop_captures(struct pk_graph *g, const struct pk_dev *dev);
JsonArray *pk_graph_captures_to_json(struct pk_graph *g);

/* graph.c */
struct pk_dev *pk_graph_add_device_stopped(struct pk_graph *g, const char *id,
					   const char *type_name, JsonObject *params,
					   GError **error);
bool pk_graph_start_device(struct pk_dev *dev, GError **error);
bool pk_graph_resolve_group(const struct pk_device_type *type, const char *group,
			    uint32_t *group_index);
/* Remove a device even if it belongs to an instance (stop, unlink, finalize). */
void pk_graph_remove_device_(struct pk_graph *g, struct pk_dev *dev);
/* Check the PK_PF_TEMPLATE parameters of @config name templates of @g. */
bool pk_graph_check_template_refs(struct pk_graph *g, const struct pk_registry_type *rt,
				  const void *config, const char *path, GError **error);
/* Parameters of @config that differ from the defaults of @tab. */
JsonObject *pk_params_non_defaults(const struct pk_param_table *tab, uint32_t config_size,
				   const void *config, bool with_secrets);
/* Whether parameter @p of a type from module @rt is a template reference. */
bool pk_param_is_template_ref(const struct pk_registry_type *rt, const struct pk_param *p);

/* graph-instance.c */
void pk_graph_templates_init(struct pk_graph *g);
void pk_graph_templates_fini(struct pk_graph *g);
/* Add a validated template (takes a reference on @spec). */
struct pk_template *pk_graph_template_add(struct pk_graph *g, const char *name, JsonNode *spec);
void pk_graph_template_remove(struct pk_graph *g, const char *name);
/* The owner stops or goes: cancel pending instances, tear down live ones, now. */
void pk_dev_instances_clear(struct pk_dev *dev);
/* Whether @dev's type can instantiate (has a template parameter) or did. */
bool pk_dev_uses_instances(const struct pk_dev *dev);
uint32_t pk_dev_instances_live(const struct pk_dev *dev);

#pragma GCC visibility pop

#endif /* PKTKIT_RUNTIME_H */
