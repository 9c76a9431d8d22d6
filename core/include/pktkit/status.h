/* SPDX-License-Identifier: MIT
 * status.h - Filling a device's read-only status: values and table rows (Since: 1.2)
 *
 * A device type declares its status fields and tables in its descriptor
 * (struct pk_status_field, struct pk_status_table in <pktkit/device-type.h>) and
 * implements the status method, which the host calls on the device's context
 * between dispatches. The method reports through these functions; the writer
 * checks every value against the declaration, so a mistake (wrong index or
 * type, a column outside a row) is logged once per reading and the value
 * left out, never a crash. The writer copies what it is given; nothing here
 * blocks.
 */
#ifndef PKTKIT_STATUS_H
#define PKTKIT_STATUS_H

#include <pktkit/device-type.h>

G_BEGIN_DECLS

/*
 * Setting a value. @field indexes the type's status fields, or, between
 * pk_status_row_begin() and pk_status_row_end(), the columns of that table.
 * The declared type must match the function (pk_status_set_ip4() and
 * pk_status_set_ip6() both fill PK_ST_IP). Setting a value twice keeps the
 * last one.
 *
 * Context: owner context, inside the status method only.
 * Since: 1.2
 */
void pk_status_set_str(struct pk_status_writer *w, uint32_t field, const char *value);
void pk_status_set_uint(struct pk_status_writer *w, uint32_t field, uint64_t value);
void pk_status_set_int(struct pk_status_writer *w, uint32_t field, int64_t value);
void pk_status_set_bool(struct pk_status_writer *w, uint32_t field, bool value);
void pk_status_set_mac(struct pk_status_writer *w, uint32_t field, const struct pk_mac *value);
void pk_status_set_ip4(struct pk_status_writer *w, uint32_t field, struct pk_ip4 value);
void pk_status_set_ip6(struct pk_status_writer *w, uint32_t field, const struct pk_ip6 *value);
void pk_status_set_prefix(struct pk_status_writer *w, uint32_t field,
			  const struct pk_prefix *value);
/* @ns: a length of time in nanoseconds */
void pk_status_set_duration(struct pk_status_writer *w, uint32_t field, uint64_t ns);
/* @ns: a moment on the device's clock, as pk_dev_now() returns */
void pk_status_set_timestamp(struct pk_status_writer *w, uint32_t field, uint64_t ns);

/**
 * pk_status_row_begin() - Start a row of a table
 * @w:		Writer
 * @table:	Index into the type's status tables
 *
 * Until pk_status_row_end(), the set functions fill columns of this row.
 * Starting a row ends the previous one. Rows appear in the order written.
 *
 * Context: owner context, inside the status method only.
 * Return: false (and nothing starts) if @table is not declared.
 * Since: 1.2
 */
bool pk_status_row_begin(struct pk_status_writer *w, uint32_t table);

/**
 * pk_status_row_end() - Finish the current row; set functions fill fields again
 * @w:		Writer
 *
 * Context: owner context, inside the status method only.
 * Since: 1.2
 */
void pk_status_row_end(struct pk_status_writer *w);

/**
 * pk_status_type_name() - Name of a status value type ("str", "uint", "int",
 * "bool", "mac", "ip", "prefix", "duration", "timestamp")
 * @type:	enum pk_status_type
 *
 * Context: any thread.
 * Return: static text; "unknown" for other values.
 * Since: 1.2
 */
const char *pk_status_type_name(uint32_t type);

G_END_DECLS

#endif /* PKTKIT_STATUS_H */
