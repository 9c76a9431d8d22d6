/* SPDX-License-Identifier: MIT
 * qemu-types.h - The device types of the qemu module (pk-qemu.so)
 */
#ifndef QEMU_TYPES_H
#define QEMU_TYPES_H

#include <pktkit/device-type.h>

extern const struct pk_device_type qemu_listen_type;	/* io.qemu-listen */
extern const struct pk_device_type qemu_connect_type;	/* io.qemu-connect */
extern const struct pk_device_type qemu_dgram_type;	/* io.qemu-dgram */

/**
 * qemu_parse_mode() - Parse an octal file mode such as "0600"
 * @s:		Text
 * @out:	The mode
 *
 * Return: true if @s is 1 to 4 octal digits and at most 0777.
 */
bool qemu_parse_mode(const char *s, unsigned int *out);

#endif /* QEMU_TYPES_H */
