// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the wg module (pk-wg.so): l3.wg */
#include <pktkit/module.h>

#include "wg-device.h"

PK_MODULE_DEFINE("wg", "WireGuard", "0.1.0", "MIT", "https://pktkit.invalid", &l3_wg_type)
