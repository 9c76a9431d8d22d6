// SPDX-License-Identifier: MIT
/* sockaddr.c - Address parsing, binding with stale-socket replacement, and clean-up */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <pktkit/error.h>

#include "sockaddr.h"

bool qemu_addr_parse(const char *s, const char *inet_scheme, struct qemu_addr *out,
		     GError **error)
{
	size_t sl = strlen(inet_scheme);

	memset(out, 0, sizeof(*out));
	g_strlcpy(out->text, s ? s : "", sizeof(out->text));
	if (!s || !*s) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "empty address");
		return false;
	}
	if (g_str_has_prefix(s, "unix:")) {
		struct sockaddr_un *un = (struct sockaddr_un *)&out->ss;
		const char *path = s + 5;

		if (!*path || strlen(path) >= sizeof(un->sun_path)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "'%s': a UNIX socket path of 1 to %zu bytes is needed", s,
				    sizeof(un->sun_path) - 1);
			return false;
		}
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
		out->kind = QEMU_ADDR_UNIX;
		return true;
	}
	if (!strncmp(s, inet_scheme, sl) && s[sl] == ':') {
		g_autofree char *host = NULL;
		const char *rest = s + sl + 1, *port;
		struct addrinfo hints = { 0 }, *res = NULL;
		char *end;
		unsigned long pn;
		int rc;

		if (*rest == '[') {
			const char *close = strchr(rest, ']');

			if (!close || close[1] != ':') {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "'%s': expected %s:[IPv6]:PORT", s, inet_scheme);
				return false;
			}
			host = g_strndup(rest + 1, (gsize)(close - rest - 1));
			port = close + 2;
		} else {
			const char *colon = strrchr(rest, ':');

			if (!colon) {
				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "'%s': expected %s:HOST:PORT", s, inet_scheme);
				return false;
			}
			host = g_strndup(rest, (gsize)(colon - rest));
			port = colon + 1;
		}
		errno = 0;
		pn = strtoul(port, &end, 10);
		if (!*port || *end || errno || pn > 65535 || !*host) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "'%s': expected %s:HOST:PORT with a port of 0 to 65535", s,
				    inet_scheme);
			return false;
		}
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = strcmp(inet_scheme, "udp") ? SOCK_STREAM : SOCK_DGRAM;
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(host, port, &hints, &res);
		if (rc != 0 || !res) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "'%s': cannot resolve '%s': %s",
				    s, host, gai_strerror(rc));
			return false;
		}
		memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
		out->len = res->ai_addrlen;
		out->kind = QEMU_ADDR_INET;
		freeaddrinfo(res);
		return true;
	}
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "'%s': expected unix:/PATH or %s:HOST:PORT",
		    s, inet_scheme);
	return false;
}

char *qemu_addr_format(const struct sockaddr *sa, socklen_t len, const char *scheme, char *buf,
		       size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
		size_t n = len > offsetof(struct sockaddr_un, sun_path)
				   ? len - offsetof(struct sockaddr_un, sun_path)
				   : 0;

		snprintf(buf, size, "unix:%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%s:%u", scheme, host, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "%s:[%s]:%u", scheme, host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, size, "family-%d", sa->sa_family);
	}
	return buf;
}

/* Whether something answers on the UNIX socket at @a (stream or datagram). */
static bool unix_socket_alive(const struct qemu_addr *a, int type)
{
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return true;	/* cannot tell: do not remove it */
	alive = connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0 ||
		(errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return alive;
}

int qemu_socket_bind(const struct qemu_addr *a, int type, unsigned int mode, struct stat *st,
		     GError **error)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->ss;
	int fd, one = 1;

	if (a->kind == QEMU_ADDR_UNIX) {
		const char *path = ((const struct sockaddr_un *)&a->ss)->sun_path;
		struct stat old;

		if (lstat(path, &old) == 0) {
			if (!S_ISSOCK(old.st_mode)) {
				g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
					    "%s: exists and is not a socket; not replacing it",
					    path);
				return -1;
			}
			if (unix_socket_alive(a, type)) {
				g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
					    "%s: another process is listening on this socket", path);
				return -1;
			}
			if (unlink(path) < 0 && errno != ENOENT) {
				g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
					    "%s: cannot remove the stale socket: %s", path,
					    g_strerror(errno));
				return -1;
			}
		}
	}
	fd = socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s: socket: %s", a->text,
			    g_strerror(errno));
		return -1;
	}
	if (a->kind == QEMU_ADDR_INET && type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, sa, a->len) < 0) {
		int e = errno;

		g_set_error(error, PK_ERROR, e == EACCES ? PK_ERROR_PERMISSION : PK_ERROR_FAILED,
			    "%s: cannot bind: %s", a->text, g_strerror(e));
		close(fd);
		return -1;
	}
	if (a->kind == QEMU_ADDR_UNIX) {
		const char *path = ((const struct sockaddr_un *)&a->ss)->sun_path;

		/* Before listen(): nobody can connect while the mode is still the umask's. */
		if (chmod(path, mode) < 0 || lstat(path, st) < 0) {
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s: cannot set mode %04o: %s",
				    path, mode, g_strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
	}
	return fd;
}

void qemu_socket_unlink(const struct qemu_addr *a, const struct stat *st)
{
	const char *path;
	struct stat now;

	if (a->kind != QEMU_ADDR_UNIX)
		return;
	path = ((const struct sockaddr_un *)&a->ss)->sun_path;
	if (lstat(path, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino)
		unlink(path);
}
