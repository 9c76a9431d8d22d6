/* SPDX-License-Identifier: MIT
 * pktkit.h - Umbrella header of the pktkit SDK: include this in a module
 */
#ifndef PKTKIT_PKTKIT_H
#define PKTKIT_PKTKIT_H

#include <pktkit/version.h>
#include <pktkit/common.h>
#include <pktkit/error.h>
#include <pktkit/addr.h>
#include <pktkit/buf.h>
#include <pktkit/batch.h>
#include <pktkit/param.h>
#include <pktkit/device.h>
#include <pktkit/module.h>
#include <pktkit/dev.h>
#include <pktkit/status.h>
#include <pktkit/checksum.h>
#include <pktkit/eth.h>
#include <pktkit/ip.h>
#include <pktkit/l4.h>
#include <pktkit/build.h>
#include <pktkit/dhcp.h>
#include <pktkit/gso.h>

#endif /* PKTKIT_PKTKIT_H */
