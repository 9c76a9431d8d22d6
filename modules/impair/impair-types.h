/* SPDX-License-Identifier: MIT
 * impair-types.h - The device types of the impair module, for its descriptor in module.c
 */
#ifndef PK_IMPAIR_TYPES_H
#define PK_IMPAIR_TYPES_H

#include <pktkit/device-type.h>

extern const struct pk_device_type l2_impair_type;
extern const struct pk_device_type l3_impair_type;

#endif /* PK_IMPAIR_TYPES_H */
