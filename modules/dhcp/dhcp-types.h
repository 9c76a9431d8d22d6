/* SPDX-License-Identifier: MIT
 * dhcp-types.h - Device types of the dhcp module
 */
#ifndef DHCP_TYPES_H
#define DHCP_TYPES_H

#include <pktkit/device-type.h>

extern const struct pk_device_type dhcp_server_type;
extern const struct pk_device_type ipv6_ra_type;

#endif /* DHCP_TYPES_H */
