// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the slirp module (pk-slirp.so): l3.slirp */
#include <pktkit/module.h>

#include "slirp-type.h"

PK_MODULE_DEFINE("slirp", "User-mode NAT to the host's sockets", "0.1.0", "MIT",
		 "https://pktkit.invalid", &l3_slirp_type)
