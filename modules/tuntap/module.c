// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the tuntap module (pk-tuntap.so): io.tap and io.tun */
#include <pktkit/module.h>

#include "tuntap-types.h"

PK_MODULE_DEFINE("tuntap", "Kernel TAP (Ethernet) and TUN (IP) interfaces", "0.1.0", "MIT",
		 "https://pktkit.invalid", &tuntap_tap_type, &tuntap_tun_type)
