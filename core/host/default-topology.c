// SPDX-License-Identifier: MIT
/* default-topology.c - The topology pktkit-host runs when it is given no file
 *
 * This is the only copy of the default: `pktkit-host --print-default` prints
 * it, `pktkit-host --check` with no file checks it. Later issues grow it into
 * a LAN that is useful on its own: a DHCP server on the hub, a QEMU guest
 * port, and NAT to the host's network.
 */
#include "default-topology.h"

const char host_default_topology[] =
	"{\n"
	"  \"comment\": \"pktkit-host built-in default: one L2 hub named lan\",\n"
	"  \"devices\": {\n"
	"    \"lan\": { \"type\": \"l2.hub\" }\n"
	"  },\n"
	"  \"links\": []\n"
	"}\n";
