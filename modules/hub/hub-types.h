/* SPDX-License-Identifier: MIT
 * hub-types.h - The device types of the hub module, for its descriptor in module.c
 */
#ifndef PK_HUB_TYPES_H
#define PK_HUB_TYPES_H

#include <pktkit/device-type.h>

extern const struct pk_device_type l2_hub_type;
extern const struct pk_device_type l3_router_type;

#endif /* PK_HUB_TYPES_H */
