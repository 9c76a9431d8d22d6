/* SPDX-License-Identifier: MIT
 * lease-file.h - Lease persistence: a line-based file written atomically (write, fsync, rename)
 */
#ifndef DHCP_LEASE_FILE_H
#define DHCP_LEASE_FILE_H

#include "lease-table.h"

/**
 * lease_file_save() - Write the bound leases to a file atomically
 * @path:	Lease file; "@path.tmp" is written, synced, then renamed over it
 * @t:		Table; only live LEASE_BOUND entries are written
 * @mono_now:	Device-clock time now
 * @wall_now_s:	Wall-clock time now (seconds since the epoch): the file stores
 *		each expiry as @wall_now_s + (expires - @mono_now) rounded up
 * @error:	Set on failure (the old file is then unchanged)
 *
 * Context: owner context (blocking file I/O: DHCP rates only).
 * Return: true on success.
 */
bool lease_file_save(const char *path, const struct lease_table *t, uint64_t mono_now,
		     int64_t wall_now_s, GError **error);

/* Whether a loaded lease may be kept (still in the pool, not reserved for another). */
typedef bool (*lease_file_keep_func)(void *data, uint32_t ip, const struct pk_mac *mac);

/**
 * lease_file_load() - Read a lease file into a table
 * @path:	Lease file; a missing one is not an error
 * @t:		Table, normally empty
 * @mono_now:	Device-clock time now
 * @wall_now_s:	Wall-clock time now, seconds since the epoch
 * @keep:	Filter, or NULL; leases it rejects are skipped
 * @data:	Passed to @keep
 * @error:	PK_ERROR_INVALID for a malformed file (nothing is loaded: set it
 *		aside with lease_file_set_aside()), PK_ERROR_FAILED if unreadable
 *
 * Expired leases and duplicates are skipped.
 *
 * Context: owner context (blocking file I/O, at start).
 * Return: leases loaded, or -1 on error.
 */
int lease_file_load(const char *path, struct lease_table *t, uint64_t mono_now,
		    int64_t wall_now_s, lease_file_keep_func keep, void *data, GError **error);

/**
 * lease_file_set_aside() - Rename a bad lease file to "@path.corrupt"
 * @path:	Lease file
 * @error:	Set if the rename fails
 *
 * Context: owner context (cold).
 * Return: (transfer full) the new name, or NULL.
 */
char *lease_file_set_aside(const char *path, GError **error);

#endif /* DHCP_LEASE_FILE_H */
