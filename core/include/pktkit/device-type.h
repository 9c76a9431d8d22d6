/* SPDX-License-Identifier: MIT
 * device-type.h - What a module declares: a device type, its ports, counters and methods
 *
 * Everything here is plain const data a module hands to the host. Structs
 * only ever grow at the end; a field appended later is marked with the ABI
 * minor that added it, and the host reads it only from modules built for
 * that minor or newer. Arrays of descriptors carry their element size.
 */
#ifndef PKTKIT_DEVICE_TYPE_H
#define PKTKIT_DEVICE_TYPE_H

#include <pktkit/batch.h>
#include <pktkit/param.h>

G_BEGIN_DECLS

struct pk_dev;

/* What a port carries: Ethernet frames or IP packets. */
enum pk_layer {
	PK_L2 = 2,
	PK_L3 = 3,
};

/**
 * struct pk_port_group - A named group of ports of a device type
 * @name:	Kebab-case name used in links ("port", "eth", "inside")
 * @layer:	PK_L2 or PK_L3
 * @min:	Ports of this group that must be linked before start
 * @max:	Most ports of this group (1..65535)
 * @blurb:	One sentence for inspect and docs
 * @flags:	(Since: 1.1) PK_PORT_F_* bits; read only from modules built for
 *		1.1 or later whose @ports_size covers the field
 */
struct pk_port_group {
	const char *name;
	uint32_t layer;
	uint16_t min;
	uint16_t max;
	const char *blurb;
	/* Since: 1.1 -- append only below this line */
	uint32_t flags;
};

/*
 * PK_PORT_F_OFFLOAD - The ports of this group accept segmentation offload:
 * TCP super-packets (pk_buf.gso_size set) and PK_CSUM_PARTIAL checksums
 * (<pktkit/buf.h>). Without it the core cuts super-packets into segments and
 * completes checksums before delivering to the port (pk_gso_segment()), so a
 * device only sets it if its receive handles both: passes them on to a peer
 * that understands them (a kernel TUN with offloads, another such port), or
 * takes them as they are (a TCP stack that accepts large segments), or calls
 * pk_gso_segment() itself where it cannot. PK_CSUM_VERIFIED reaches every
 * port. Since: 1.1
 */
#define PK_PORT_F_OFFLOAD (1u << 0)

/*
 * Port numbers: a device's ports are addressed by (group, index) packed in a
 * uint32_t. Single-group devices see plain indices 0, 1, 2, ...
 */
#define PK_PORT(group, index) (((uint32_t)(group) << 16) | (uint32_t)(index))
#define PK_PORT_GROUP(port) ((uint32_t)(port) >> 16)
#define PK_PORT_INDEX(port) ((uint32_t)(port) & 0xffffu)

/**
 * struct pk_counter - A counter a device type declares
 * @name:	Kebab-case name ("dropped-short")
 * @blurb:	What is counted
 */
struct pk_counter {
	const char *name;
	const char *blurb;
};

/*
 * Declaring a type's counters once (Since: 1.2). Write the list as a macro
 * that applies its argument to (ID, "name", "blurb") per counter, then
 * declare the index enum and the table from it:
 *
 *	#define ACME_COUNTERS(_)						\
 *		_(ACME_C_REFLECTED, "reflected", "Frames sent back")		\
 *		_(ACME_C_DROPPED_SHORT, "dropped-short", "Frames under 14 bytes")
 *	PK_COUNTERS_DECLARE(acme_counters, ACME_COUNTERS);
 *
 * gives enum { ACME_C_REFLECTED, ACME_C_DROPPED_SHORT }, a static table
 * acme_counters[] indexed by it, and a compile-time check that the two
 * agree; the type then names the table with PK_ARRAY(counters,
 * acme_counters). Indices and names cannot drift apart, because there is
 * one list. When the indices are needed in several files, put the list and
 * PK_COUNTERS_ENUM(LIST) in a header and PK_COUNTERS_TABLE(table, LIST) in
 * the file that declares the type. Drops every device can have (no buffer,
 * queue full, loops) are the core's, not the type's: see pk_dev_drop().
 */
#define PK_COUNTER_ID_(id, name, blurb) id,
#define PK_COUNTER_ENTRY_(id, name, blurb) [id] = { name, blurb },
#define PK_COUNTER_ONE_(id, name, blurb) +1
#define PK_COUNTERS_ENUM(LIST)       \
	enum {                       \
		LIST(PK_COUNTER_ID_) \
	}
#define PK_COUNTERS_TABLE(table, LIST)                                                \
	static const struct pk_counter table[] = { LIST(PK_COUNTER_ENTRY_) };         \
	_Static_assert(sizeof(table) / sizeof((table)[0]) == PK_COUNTERS_COUNT(LIST), \
		       #table ": one entry per counter of " #LIST)
/* The number of counters in LIST, as a constant expression. */
#define PK_COUNTERS_COUNT(LIST) (0 LIST(PK_COUNTER_ONE_))
/* The enum of a list that extends a shared one: its indices start at @first
 * (the count of the shared list); the table then spans both lists. */
#define PK_COUNTERS_ENUM_FROM(first, LIST)        \
	enum {                                    \
		LIST##_BEFORE_FIRST_ = (first)-1, \
		LIST(PK_COUNTER_ID_)              \
	}
#define PK_COUNTERS_DECLARE(table, LIST) \
	PK_COUNTERS_ENUM(LIST);          \
	PK_COUNTERS_TABLE(table, LIST)

/* Bounds of struct pk_link_info. Since: 1.1 */
#define PK_LINK_INFO_MAX_ADDRS 8u
#define PK_LINK_INFO_MAX_DNS 4u

/**
 * struct pk_link_info - What a device tells the peer of one of its ports about the link
 * @size:	sizeof(struct pk_link_info) as the sender knew it; the host
 *		copies that much and zeroes the rest, so the struct may grow
 * @mtu:	Largest packet the link carries, 0 if unknown
 * @n_addresses: Entries in @addresses
 * @addresses:	Addresses the peer owns on this link, with prefix lengths (an
 *		l3.adapter: its configured addresses and its DHCP lease)
 * @gateway4:	IPv4 default router (0.0.0.0: none)
 * @gateway6:	IPv6 default router (:: for none)
 * @n_dns:	Entries in @dns
 * @dns:	DNS servers (family 4 or 6; the length is ignored)
 * @domain:	DNS domain, NUL-terminated, "" if none
 *
 * A device publishes it with pk_dev_set_link_info(); the peer of that port
 * receives it through its link_info method. Since: 1.1
 */
struct pk_link_info {
	uint32_t size;
	uint32_t mtu;
	uint32_t n_addresses;
	struct pk_prefix addresses[PK_LINK_INFO_MAX_ADDRS];
	struct pk_ip4 gateway4;
	struct pk_ip6 gateway6;
	uint32_t n_dns;
	struct pk_prefix dns[PK_LINK_INFO_MAX_DNS];
	char domain[64];
};

/**
 * enum pk_status_type - Value types of read-only status (Since: 1.2)
 * @PK_ST_STR:		Text (pk_status_set_str())
 * @PK_ST_UINT:		Unsigned 64-bit number
 * @PK_ST_INT:		Signed 64-bit number
 * @PK_ST_BOOL:		true/false
 * @PK_ST_MAC:		Ethernet address
 * @PK_ST_IP:		IPv4 or IPv6 address
 * @PK_ST_PREFIX:	Address with a prefix length ("10.0.0.2/24")
 * @PK_ST_DURATION:	Nanoseconds (an age, a time left)
 * @PK_ST_TIMESTAMP:	A moment on the device's clock (pk_dev_now()); shown
 *			as wall-clock time at the moment of reading
 *
 * Front ends: D-Bus 's', 't', 'x', 'b', 's', 's', 's', 't' (ns) and 'x'
 * (Unix time in microseconds); JSON alike (addresses as text).
 */
enum pk_status_type {
	PK_ST_STR = 1,
	PK_ST_UINT,
	PK_ST_INT,
	PK_ST_BOOL,
	PK_ST_MAC,
	PK_ST_IP,
	PK_ST_PREFIX,
	PK_ST_DURATION,
	PK_ST_TIMESTAMP,
};

/**
 * struct pk_status_field - One read-only status value a device type declares
 * @name:	Kebab-case name ("lease-expires-in"), unique among the type's
 *		fields and tables (or among the columns of its table)
 * @type:	enum pk_status_type
 * @blurb:	What it shows
 *
 * A field may be left unset by the status method: it is then absent (no
 * lease, no router). Since: 1.2
 */
struct pk_status_field {
	const char *name;
	uint32_t type;
	const char *blurb;
};

/**
 * struct pk_status_table - A table of rows a device type declares (Since: 1.2)
 * @name:	Kebab-case name ("leases", "mac-table")
 * @blurb:	What one row is
 * @columns:	@n_columns entries of @columns_size bytes (PK_ARRAY())
 */
struct pk_status_table {
	const char *name;
	const char *blurb;
	const struct pk_status_field *columns;
	uint32_t n_columns, columns_size;
};

/* Opaque: what a status method fills (<pktkit/status.h>). Since: 1.2 */
struct pk_status_writer;

/**
 * enum pk_port_event - Cold messages a device sends the peer of a port (Since: 1.2)
 * @PK_PORT_EVENT_FLUSH:	The addresses behind this port are gone (a
 *				guest disconnected): forget what was learned
 *				on the port (MACs, neighbours), re-learn later
 */
enum pk_port_event {
	PK_PORT_EVENT_FLUSH = 1,
};

/**
 * struct pk_device_ops - Methods of a device type; NULL means "nothing to do"
 *
 * Cold methods run on the main context, may allocate and report failure
 * through @error (then return a negative errno or -1). Hot methods run on the
 * instance's context and must not block or allocate in steady state.
 *
 * @init:	Cold. @self is zeroed instance memory; @config has been parsed
 *		and validated against the schema. Keep nothing from @config
 *		that you do not copy, except for the lifetime rule in
 *		docs/module-guide.md (strings live until the next reconfigure).
 * @start:	Cold. Begin I/O: open fds, arm timers.
 * @stop:	Cold. Undo @start. Afterwards the host cancels the device's
 *		timers (they remain valid) and frees its fd watches.
 * @finalize:	Cold. Free what @init allocated.
 * @reconfigure:	Cold. @config is the new full configuration; @changed
 *		has PK_PARAM_BIT(i) set for each parameter that was given. While
 *		running only PK_PF_LIVE parameters reach this.
 * @receive:	Hot. @batch arrived on @port; its buffers are borrowed until
 *		return (take references to keep them).
 * @link:	Cold. @port was just linked to a peer. May refuse with @error.
 * @unlink:	Cold. @port's link is gone; forget state tied to it.
 * @link_info:	Cold (Since: 1.1). The peer of @port published what it knows
 *		of the link (pk_dev_set_link_info()), or withdrew it (@info
 *		NULL). Runs as a callback of this device, after the link
 *		exists; @info is valid during the call only. Also called
 *		right after a link is made when the new peer has published.
 * @status:	Cold (Since: 1.2). Fill the type's declared status fields and
 *		table rows into @w with the pk_status_*() functions. Runs as a
 *		callback of this device between dispatches (never inside the
 *		data path); must not block; allocate nothing beyond what the
 *		writer's functions do. Values not set are absent.
 * @port_event:	Cold (Since: 1.2). The peer of @port sent @event (enum
 *		pk_port_event, pk_dev_port_event()). Runs as a callback of this
 *		device, never inside the sender's call. Unknown events must be
 *		ignored.
 */
struct pk_device_ops {
	int (*init)(struct pk_dev *dev, void *self, const void *config, GError **error);
	int (*start)(struct pk_dev *dev, void *self, GError **error);
	void (*stop)(struct pk_dev *dev, void *self);
	void (*finalize)(struct pk_dev *dev, void *self);
	int (*reconfigure)(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			   GError **error);
	void (*receive)(struct pk_dev *dev, void *self, uint32_t port,
			const struct pk_batch *batch);
	int (*link)(struct pk_dev *dev, void *self, uint32_t port, GError **error);
	void (*unlink)(struct pk_dev *dev, void *self, uint32_t port);
	/* Since: 1.1 -- append only below this line */
	void (*link_info)(struct pk_dev *dev, void *self, uint32_t port,
			  const struct pk_link_info *info);
	/* Since: 1.2 -- append only below this line */
	void (*status)(struct pk_dev *dev, void *self, struct pk_status_writer *w);
	void (*port_event)(struct pk_dev *dev, void *self, uint32_t port, uint32_t event);
};

/* Device type flags. */
#define PK_TYPE_NEEDS_NET_ADMIN (1u << 0)	/* start needs CAP_NET_ADMIN */

/**
 * struct pk_device_type - Everything the host knows about a device type
 * @name:	"<area>.<name>" in kebab-case; out-of-tree types carry a vendor
 *		prefix ("acme.echo")
 * @summary:	One line
 * @doc:	Reference text (paragraphs separated by blank lines)
 * @ports:	Port groups; @n_ports entries of @ports_size bytes
 * @params:	Parameter schema; @n_params entries of @params_size bytes
 *		(at most 64: nest records for more)
 * @counters:	Counter names; @n_counters entries of @counters_size bytes
 * @flags:	PK_TYPE_* bits
 * @config_size:	sizeof() the config struct the schema fills
 * @instance_size:	sizeof() the instance state the host allocates zeroed
 * @ops:	Methods
 * @status:	(Since: 1.2) Read-only status fields; @n_status entries of
 *		@status_size bytes (PK_ARRAY()). Read only from modules built
 *		for 1.2 or later.
 * @status_tables:	(Since: 1.2) Status tables; @n_status_tables entries
 *		of @status_tables_size bytes (PK_ARRAY())
 */
struct pk_device_type {
	const char *name;
	const char *summary;
	const char *doc;
	const struct pk_port_group *ports;
	uint32_t n_ports, ports_size;
	const struct pk_param *params;
	uint32_t n_params, params_size;
	const struct pk_counter *counters;
	uint32_t n_counters, counters_size;
	uint32_t flags;
	uint32_t config_size;
	uint32_t instance_size;
	const struct pk_device_ops *ops;
	/* Since: 1.1 -- append only below this line */
	/* Since: 1.2 -- append only below this line */
	const struct pk_status_field *status;
	uint32_t n_status, status_size;
	const struct pk_status_table *status_tables;
	uint32_t n_status_tables, status_tables_size;
};

/* Fill x, n_x and x_size of a descriptor from a static array. */
#define PK_ARRAY(f, a) .f = (a), .n_##f = G_N_ELEMENTS(a), .f##_size = sizeof((a)[0])

/* Strided access to descriptor arrays (use these, not [] on the pointers). */
static inline const struct pk_port_group *pk_type_port_group(const struct pk_device_type *t,
							     uint32_t i)
{
	return (const struct pk_port_group *)((const char *)t->ports + (size_t)i * t->ports_size);
}

static inline const struct pk_counter *pk_type_counter(const struct pk_device_type *t,
						       uint32_t i)
{
	return (const struct pk_counter *)((const char *)t->counters +
					   (size_t)i * t->counters_size);
}

/* Status field @i of a type's table @tab (Since: 1.2; the host checks the
 * module's minor before it uses these). */
static inline const struct pk_status_table *pk_type_status_table(const struct pk_device_type *t,
								 uint32_t i)
{
	return (const struct pk_status_table *)((const char *)t->status_tables +
						(size_t)i * t->status_tables_size);
}

static inline const struct pk_status_field *pk_status_field_at(const struct pk_status_field *a,
							       uint32_t stride, uint32_t i)
{
	return (const struct pk_status_field *)((const char *)a + (size_t)i * stride);
}

static inline struct pk_param_table pk_type_params(const struct pk_device_type *t)
{
	struct pk_param_table tab = { t->params, t->n_params, t->params_size };
	return tab;
}

G_END_DECLS

#endif /* PKTKIT_DEVICE_TYPE_H */
