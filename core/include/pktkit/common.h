/* SPDX-License-Identifier: MIT
 * common.h - Compiler helpers and attributes shared by every SDK header
 */
#ifndef PKTKIT_COMMON_H
#define PKTKIT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

G_BEGIN_DECLS

/* Visibility of the single entry point of a module (built -fvisibility=hidden). */
#define PK_EXPORT __attribute__((visibility("default")))

/* Marks for functions on the data path and on the control path (Click's CLICK_COLD). */
#define PK_HOT __attribute__((hot))
#define PK_COLD __attribute__((cold))

/*
 * PK_PRIVATE() - Name of a struct field only libpktkit may touch
 *
 * The field keeps its place and size (it is part of the ABI, and inline
 * functions of the headers may use it through this macro), but outside
 * libpktkit its name is mangled, so code that reaches into it does not
 * compile. libpktkit is built with PKTKIT_COMPILATION defined. Since: 1.2
 */
#ifdef PKTKIT_COMPILATION
#define PK_PRIVATE(name) name
#else
#define PK_PRIVATE(name) name##_private_
#endif

#define PK_LIKELY(x) __builtin_expect(!!(x), 1)
#define PK_UNLIKELY(x) __builtin_expect(!!(x), 0)

G_END_DECLS

#endif /* PKTKIT_COMMON_H */
