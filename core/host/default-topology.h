/* SPDX-License-Identifier: MIT
 * default-topology.h - The topology pktkit-host runs when it is given no file
 */
#ifndef PKTKIT_HOST_DEFAULT_TOPOLOGY_H
#define PKTKIT_HOST_DEFAULT_TOPOLOGY_H

/* JSON text of the built-in default topology (NUL-terminated). */
extern const char host_default_topology[];

#endif /* PKTKIT_HOST_DEFAULT_TOPOLOGY_H */
