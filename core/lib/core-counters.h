/* SPDX-License-Identifier: MIT
 * core-counters.h - The counters the core keeps for every device, declared once
 */
#ifndef PKTKIT_CORE_COUNTERS_H
#define PKTKIT_CORE_COUNTERS_H

#include <pktkit/device-type.h>
#include <pktkit/device-runtime.h>

/* The first two are PK_DROP_* (device-runtime.h), in that order. */
#define PK_CORE_COUNTERS(_)                                                               \
	_(PK_CORE_C_NO_BUFFER, "dropped-no-buffer",                                       \
	  "Packets lost because no buffer was free (for a copy, a reply, a segment)")     \
	_(PK_CORE_C_QUEUE_FULL, "dropped-queue-full",                                     \
	  "Packets lost because a bounded queue was full: the device's own (a socket's "  \
	  "send queue, a delay line) or the core's queue of deliveries to it while busy") \
	_(PK_CORE_C_LOOP, "loop-drops",                                                   \
	  "Packets this device emitted with no hop left: a topology loop cut here")       \
	_(PK_CORE_C_UNLINKED, "unlinked-drops", "Packets emitted on a port with no peer")

enum {
	PK_CORE_COUNTERS(PK_COUNTER_ID_) PK_CORE_C_N
};

_Static_assert(PK_CORE_C_NO_BUFFER == (int)PK_DROP_NO_BUFFER &&
		       PK_CORE_C_QUEUE_FULL == (int)PK_DROP_QUEUE_FULL,
	       "the core counters start with the PK_DROP_* reasons");

/* Index of the core counter @name in pk_dev.core[], or -1 if it is none.
 * ("instances" and "instances-refused" exist only on devices that
 * instantiate templates and are kept apart: see graph.c.) */
int pk_core_counter_index(const char *name);

#endif /* PKTKIT_CORE_COUNTERS_H */
