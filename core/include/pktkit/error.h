/* SPDX-License-Identifier: MIT
 * error.h - The GError domain and codes of libpktkit (control paths only)
 */
#ifndef PKTKIT_ERROR_H
#define PKTKIT_ERROR_H

#include <pktkit/common.h>

G_BEGIN_DECLS

#define PK_ERROR (pk_error_quark())

/**
 * enum pk_error_code - Why a control-path operation failed
 * @PK_ERROR_FAILED:	Anything not listed below (a module's own failure)
 * @PK_ERROR_INVALID:	A value does not parse or is out of range
 * @PK_ERROR_UNKNOWN:	Unknown key, type, device or port name
 * @PK_ERROR_EXISTS:	The name is taken already
 * @PK_ERROR_LAYER:	Linking ports of different layers
 * @PK_ERROR_ABI:	A module is built for another ABI
 * @PK_ERROR_STATE:	Not allowed in the current state (e.g. a non-live
 *			parameter while running, a port already linked)
 * @PK_ERROR_PERMISSION:	A capability or file permission is missing
 */
enum pk_error_code {
	PK_ERROR_FAILED,
	PK_ERROR_INVALID,
	PK_ERROR_UNKNOWN,
	PK_ERROR_EXISTS,
	PK_ERROR_LAYER,
	PK_ERROR_ABI,
	PK_ERROR_STATE,
	PK_ERROR_PERMISSION,
};

GQuark pk_error_quark(void);

G_END_DECLS

#endif /* PKTKIT_ERROR_H */
