/* SPDX-License-Identifier: MIT
 * lease-file.c - Lease persistence: a line-based file written atomically (write, fsync, rename)
 *
 * Format, one lease per line after a header line:
 *   # pktkit dhcp leases 1
 *   <mac> <ipv4> <expiry, unix seconds> <hostname or ->
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <glib/gstdio.h>

#include <pktkit/error.h>

#include "lease-file.h"

#define LEASE_FILE_HEADER "# pktkit dhcp leases 1"

bool lease_file_save(const char *path, const struct lease_table *t, uint64_t mono_now,
		     int64_t wall_now_s, GError **error)
{
	g_autoptr(GString) s = g_string_new(LEASE_FILE_HEADER "\n");
	g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
	uint32_t cursor;
	size_t off = 0;
	int fd;

	for (struct lease *l = lease_table_first(t, &cursor); l; l = lease_table_next(t, &cursor)) {
		char mac[PK_MAC_STRLEN], ip[INET_ADDRSTRLEN];
		struct in_addr a = { htonl(l->ip) };
		int64_t expiry;

		if (l->state != LEASE_BOUND || l->expires <= mono_now)
			continue;
		expiry = wall_now_s + (int64_t)((l->expires - mono_now + PK_NSEC_PER_SEC - 1) /
						PK_NSEC_PER_SEC);
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		g_string_append_printf(s, "%s %s %" G_GINT64_FORMAT " %s\n",
				       pk_mac_format(&l->mac, mac), ip, expiry,
				       l->hostname[0] ? l->hostname : "-");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	while (off < s->len) {
		ssize_t n = write(fd, s->str + off, s->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			errno = e;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0)
		goto fail;
	if (rename(tmp, path) < 0)
		goto fail;
	return true;
fail:
	g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "cannot write lease file %s: %s", path,
		    g_strerror(errno));
	unlink(tmp);
	return false;
}

static bool parse_line(const char *line, struct pk_mac *mac, uint32_t *ip, int64_t *expiry,
		       char *host)
{
	g_auto(GStrv) f = g_strsplit(line, " ", -1);
	struct in_addr a;
	char *end;

	if (g_strv_length(f) != 4 || !pk_mac_parse(f[0], mac) ||
	    inet_pton(AF_INET, f[1], &a) != 1)
		return false;
	errno = 0;
	*expiry = g_ascii_strtoll(f[2], &end, 10);
	if (errno || *end || end == f[2])
		return false;
	if (strlen(f[3]) >= LEASE_HOSTNAME_MAX)
		return false;
	for (const char *c = f[3]; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' && *c != '_')
			return false;
	*ip = ntohl(a.s_addr);
	strcpy(host, strcmp(f[3], "-") ? f[3] : "");
	return true;
}

int lease_file_load(const char *path, struct lease_table *t, uint64_t mono_now,
		    int64_t wall_now_s, lease_file_keep_func keep, void *data, GError **error)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;
	int n = 0;

	if (!g_file_get_contents(path, &text, &len, &err)) {
		if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return 0;
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s", err->message);
		return -1;
	}
	if (memchr(text, '\0', len) || !g_str_has_prefix(text, LEASE_FILE_HEADER "\n")) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "%s: not a pktkit lease file", path);
		return -1;
	}
	lines = g_strsplit(text, "\n", -1);
	/* Validate everything first: a corrupt file loads nothing. */
	for (unsigned int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 1; lines[i]; i++) {
			char host[LEASE_HOSTNAME_MAX];
			struct pk_mac mac;
			int64_t expiry;
			uint32_t ip;
			struct lease *l;

			if (!lines[i][0])
				continue;
			/* An expiry further away than the device clock can count is
			 * not one this server wrote (it would wrap around). */
			if (!parse_line(lines[i], &mac, &ip, &expiry, host) ||
			    (expiry > wall_now_s &&
			     (uint64_t)expiry - (uint64_t)wall_now_s >
				     (UINT64_MAX - mono_now) / PK_NSEC_PER_SEC)) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "%s:%u: malformed lease line", path, i + 1);
				return -1;
			}
			if (pass == 0 || expiry <= wall_now_s || (keep && !keep(data, ip, &mac)))
				continue;
			if (lease_table_by_mac(t, &mac) || lease_table_by_ip(t, ip))
				continue;
			l = lease_table_add(t, ip, &mac, LEASE_BOUND,
					    mono_now + ((uint64_t)expiry - (uint64_t)wall_now_s) *
							       PK_NSEC_PER_SEC);
			if (!l)
				break;
			g_strlcpy(l->hostname, host, sizeof(l->hostname));
			n++;
		}
	}
	return n;
}

char *lease_file_set_aside(const char *path, GError **error)
{
	char *dst = g_strdup_printf("%s.corrupt", path);

	if (rename(path, dst) < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "cannot rename %s: %s", path,
			    g_strerror(errno));
		g_free(dst);
		return NULL;
	}
	return dst;
}
