// SPDX-License-Identifier: MIT
/* module.c - Module pk-vclient.so: the l3.vclient type implemented in libpktkit-vclient */
#include <pktkit/module.h>
#include <pktkit/vclient.h>

/* The descriptor lives in the library, so that applications linking it and
 * topologies loading this module share one type (pk_vclient_from_dev()) and
 * one module description. The query only returns static data. */
PK_EXPORT const struct pk_module_info *pk_module_query(void);
PK_EXPORT const struct pk_module_info *pk_module_query(void)
{
	return pk_vclient_module_info();
}
