/* SPDX-License-Identifier: MIT
 * pktkit.h - The module layer of the SDK: what every device module includes
 *
 * The SDK has three layers, one directory each (docs/abi.md, "Headers"):
 *  - <pktkit/...>: the module ABI (module descriptor, device types,
 *    parameters, status, buffers, batches, the runtime's services), the
 *    zero-copy header views and checksums, and the packet builders. This
 *    header includes all of it.
 *  - <pktkit/toolkit/...>: sans-I/O protocol toolkits shared by modules
 *    (tcp.h, dns.h, dhcp.h, gso.h). Include the ones a module uses.
 *  - <pktkit/embed/...>: the embedding API for hosts, applications and tests
 *    (graph.h, registry.h, capture.h, testing.h). Modules never need it.
 */
#ifndef PKTKIT_PKTKIT_H
#define PKTKIT_PKTKIT_H

#include <pktkit/version.h>
#include <pktkit/common.h>
#include <pktkit/error.h>
#include <pktkit/addr.h>
#include <pktkit/buf.h>
#include <pktkit/batch.h>
#include <pktkit/param.h>
#include <pktkit/status.h>
#include <pktkit/device-type.h>
#include <pktkit/device-runtime.h>
#include <pktkit/module.h>
#include <pktkit/checksum.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/build.h>

#endif /* PKTKIT_PKTKIT_H */
