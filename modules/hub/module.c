// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the hub module (pk-hub.so): l2.hub and l3.router */
#include <pktkit/module.h>

#include "hub-types.h"

PK_MODULE_DEFINE("hub", "Learning switch and IP router", "0.1.0", "MIT",
		 "https://pktkit.invalid", &l2_hub_type, &l3_router_type)
