// SPDX-License-Identifier: MIT
/* error.c - The GError domain of libpktkit */
#include "pktkit/error.h"

/**
 * pk_error_quark() - The GError domain PK_ERROR
 *
 * Context: any thread.
 * Return: the quark of "pktkit-error-quark".
 */
G_DEFINE_QUARK(pktkit-error-quark, pk_error)
