// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the adapter module (pk-adapter.so): l3.adapter */
#include <pktkit/module.h>

#include "adapter.h"

PK_MODULE_DEFINE("adapter", "L3-to-L2 adapter: ARP, NDP and a DHCP client", "0.1.0", "MIT",
		 "https://pktkit.invalid", &l3_adapter_type)
