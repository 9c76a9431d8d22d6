/* SPDX-License-Identifier: MIT
 * core-counters.c - The table of the counters the core keeps for every device
 */
#include "core-counters.h"

#include <string.h>

#include <pktkit/embed/registry.h>

PK_COUNTERS_TABLE(core_counters, PK_CORE_COUNTERS);

const struct pk_counter *pk_core_counters(uint32_t *n)
{
	*n = PK_CORE_C_N;
	return core_counters;
}

int pk_core_counter_index(const char *name)
{
	for (int i = 0; i < PK_CORE_C_N; i++)
		if (strcmp(core_counters[i].name, name) == 0)
			return i;
	return -1;
}
