/* SPDX-License-Identifier: MIT
 * dbus-params.h - Parameter schemas and values as GVariant: derived from the descriptors only
 *
 * Each parameter type has one fixed D-Bus type: bool "b", u32 "u", i64 "x",
 * list "aa{sv}" (one dictionary per record), every other type "s" in the
 * text form the JSON loader reads (addresses, prefixes, durations, enum
 * names, base64 keys). Values going in are converted to JSON with
 * json_gvariant_serialize() and parsed by the library like any topology, so
 * D-Bus accepts exactly what JSON accepts.
 */
#ifndef PKTKIT_HOST_DBUS_PARAMS_H
#define PKTKIT_HOST_DBUS_PARAMS_H

#include <pktkit/embed/registry.h>

G_BEGIN_DECLS

/**
 * dbus_param_signature() - The D-Bus type string of a parameter type
 * @type:	enum pk_param_type
 *
 * Context: any thread.
 */
const char *dbus_param_signature(uint32_t type);

/**
 * dbus_params_to_variant() - Values of @t in @values as an a{sv}
 * @t:		Schema
 * @values:	As pk_params_to_json() returns them (SECRET ones already left out)
 *
 * Context: main context.
 * Return: (transfer floating) an a{sv}.
 */
GVariant *dbus_params_to_variant(const struct pk_param_table *t, JsonObject *values);

/**
 * dbus_params_from_variant() - An a{sv} of parameter values as a JSON object
 * @dict:	a{sv}
 *
 * Context: main context.
 * Return: (transfer full) a new object (key types are checked by the library).
 */
JsonObject *dbus_params_from_variant(GVariant *dict);

/**
 * dbus_type_info() - Name, summary, doc, module, ports, counters and status
 * schema ("status", "status-tables") of a type as a{sv}
 * @rt:	Type and its module
 *
 * Context: main context.
 * Return: (transfer floating) an a{sv}.
 */
GVariant *dbus_type_info(const struct pk_registry_type *rt);

/**
 * dbus_type_params() - The parameter schema as aa{sv}, one dictionary per parameter
 * @t:	Schema
 *
 * Context: main context.
 * Return: (transfer floating) an aa{sv}.
 */
GVariant *dbus_type_params(const struct pk_param_table *t);

G_END_DECLS

#endif /* PKTKIT_HOST_DBUS_PARAMS_H */
