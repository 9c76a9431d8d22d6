// SPDX-License-Identifier: MIT
/* module.c - Module pk-vclient.so: the l3.vclient type implemented in libpktkit-vclient */
#include <pktkit/module.h>
#include <pktkit/vclient.h>

/* The descriptor lives in the library, so that applications linking it and
 * topologies loading this module share one type (pk_vclient_from_dev()). */
extern const struct pk_device_type pk_vclient_device_type;

PK_MODULE_DEFINE("vclient", "Virtual client: a user-space host with TCP/UDP sockets and DNS",
		 "0.1.0", "MIT", "https://pktkit.invalid", &pk_vclient_device_type)
