// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the qemu module (pk-qemu.so): QEMU socket netdev peers */
#include <pktkit/module.h>

#include "qemu-types.h"

PK_MODULE_DEFINE("qemu", "Peers of QEMU's stream, socket and dgram netdevs (UNIX, TCP and UDP)",
		 "0.1.0", "MIT", "https://pktkit.invalid", &qemu_listen_type, &qemu_connect_type,
		 &qemu_dgram_type)
