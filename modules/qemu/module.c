// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the qemu module (pk-qemu.so): QEMU socket netdev peers */
#include <pktkit/module.h>

#include "qemu-types.h"

PK_MODULE_DEFINE("qemu", "Peers of QEMU's stream and socket netdevs (UNIX and TCP)", "0.1.0", "MIT",
		 "https://pktkit.invalid", &qemu_listen_type, &qemu_connect_type)
