// SPDX-License-Identifier: MIT
/* module.c - Descriptor of the impair module (pk-impair.so): l2.impair and l3.impair */
#include <pktkit/module.h>

#include "impair-types.h"

PK_MODULE_DEFINE("impair", "Link emulator: loss, duplication, reordering, delay, jitter, rate",
		 "0.1.0", "MIT", "https://pktkit.invalid", &l2_impair_type, &l3_impair_type)
