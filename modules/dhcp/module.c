// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the dhcp module (pk-dhcp.so): svc.dhcp-server and svc.ipv6-ra */
#include <pktkit/module.h>

#include "dhcp-types.h"

PK_MODULE_DEFINE("dhcp", "DHCPv4 server and IPv6 router advertisements", "0.1.0", "MIT",
		 "https://pktkit.invalid", &dhcp_server_type, &ipv6_ra_type)
