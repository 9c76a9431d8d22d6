// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the nat module (pk-nat.so): l3.nat */
#include <pktkit/module.h>

#include "nat-device.h"

PK_MODULE_DEFINE("nat", "Packet NAT: NAT44 with connection tracking", "0.1.0", "MIT",
		 "https://pktkit.invalid", &l3_nat_type)
