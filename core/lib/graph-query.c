// SPDX-License-Identifier: MIT
/* graph-query.c - Read-only questions about a graph for control front ends (D-Bus, tools) */
#include "runtime.h"

JsonObject *pk_graph_get_config(struct pk_graph *g, const char *id, bool with_secrets,
				GError **error)
{
	struct pk_dev *dev = pk_graph_lookup(g, id);

	if (!dev) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "no device '%s'", id);
		return NULL;
	}
	return pk_params_to_json(&dev->params, dev->config, with_secrets);
}
