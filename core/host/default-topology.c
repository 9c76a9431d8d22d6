// SPDX-License-Identifier: MIT
/* default-topology.c - The topology pktkit-host runs when it is given no file
 *
 * This is the only copy of the default: `pktkit-host --print-default` prints
 * it, `pktkit-host --check` with no file checks it. A LAN: a hub with a DHCP
 * server. Later work adds a QEMU guest port and NAT to the host's network.
 */
#include "default-topology.h"

const char host_default_topology[] =
	"{\n"
	"  \"comment\": \"pktkit-host built-in default: a LAN (hub lan) with a DHCP server for 10.77.0.0/24\",\n"
	"  \"devices\": {\n"
	"    \"lan\": { \"type\": \"l2.hub\" },\n"
	"    \"dhcp\": { \"type\": \"svc.dhcp-server\",\n"
	"              \"server-ip\": \"10.77.0.1\", \"subnet\": \"10.77.0.0/24\",\n"
	"              \"range-start\": \"10.77.0.100\", \"range-end\": \"10.77.0.199\",\n"
	"              \"router\": \"10.77.0.1\", \"lease-time\": \"1h\" }\n"
	"  },\n"
	"  \"links\": [ [\"dhcp\", \"lan.port\"] ]\n"
	"}\n";
