/* SPDX-License-Identifier: MIT
 * default-topology.h - The topology pktkit-host runs when it is given no file
 */
#ifndef PKTKIT_HOST_DEFAULT_TOPOLOGY_H
#define PKTKIT_HOST_DEFAULT_TOPOLOGY_H

#include <stdbool.h>

#include <glib.h>

/* Placeholder in host_default_topology for the QEMU listener's socket path. */
#define HOST_DEFAULT_SOCKET_PLACEHOLDER "@QEMU_SOCKET@"
/* File name of that socket in the runtime directory. */
#define HOST_DEFAULT_SOCKET_NAME "qemu.sock"

/*
 * JSON text of the built-in default topology (NUL-terminated), with
 * HOST_DEFAULT_SOCKET_PLACEHOLDER where the socket path goes. Use
 * host_default_topology_text() to get a runnable document.
 */
extern const char host_default_topology[];

/**
 * host_runtime_dir() - Directory of pktkit-host's run-time files
 *
 * $XDG_RUNTIME_DIR/pktkit when XDG_RUNTIME_DIR is set (and absolute),
 * /run/pktkit for root without it, else GLib's fallback
 * (g_get_user_runtime_dir(), usually ~/.cache) + /pktkit.
 *
 * Return: a newly allocated path.
 */
char *host_runtime_dir(void);

/**
 * host_runtime_dir_prepare() - Create the runtime directory with safe permissions
 * @dir:	Path from host_runtime_dir()
 * @error:	Set on failure
 *
 * Creates @dir with mode 0700 if missing. An existing @dir must be a
 * directory (not a symbolic link) owned by the effective user and writable
 * by nobody else; otherwise it is refused, never changed.
 *
 * Return: true if @dir is ready.
 */
bool host_runtime_dir_prepare(const char *dir, GError **error);

/**
 * host_default_topology_text() - The default topology with its socket path filled in
 * @socket_path:	Path of the QEMU listener's UNIX socket
 *
 * Return: newly allocated JSON text.
 */
char *host_default_topology_text(const char *socket_path);

#endif /* PKTKIT_HOST_DEFAULT_TOPOLOGY_H */
