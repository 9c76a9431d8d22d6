/* SPDX-License-Identifier: MIT
 * tuntap-types.h - The device types of the tuntap module (pk-tuntap.so)
 */
#ifndef TUNTAP_TYPES_H
#define TUNTAP_TYPES_H

#include <pktkit/device-type.h>

extern const struct pk_device_type tuntap_tap_type;	/* io.tap */
extern const struct pk_device_type tuntap_tun_type;	/* io.tun */

#endif /* TUNTAP_TYPES_H */
