/* SPDX-License-Identifier: MIT
 * sockaddr.h - Socket addresses of the qemu module: "unix:/path", "tcp:host:port", "udp:host:port"
 */
#ifndef QEMU_SOCKADDR_H
#define QEMU_SOCKADDR_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib.h>

enum qemu_addr_kind {
	QEMU_ADDR_UNIX = 1,	/* AF_UNIX path */
	QEMU_ADDR_INET = 2,	/* AF_INET / AF_INET6 host and port */
};

/**
 * struct qemu_addr - A parsed and resolved address
 * @kind:	enum qemu_addr_kind
 * @ss:		The socket address
 * @len:	Its length
 * @text:	The address as the user wrote it (for log lines)
 */
struct qemu_addr {
	int kind;
	struct sockaddr_storage ss;
	socklen_t len;
	char text[128];
};

/**
 * qemu_addr_parse() - Parse "unix:/path" or "<scheme>:host:port"
 * @s:		Text
 * @inet_scheme:	"tcp" or "udp": the scheme accepted for IP addresses
 * @out:	Filled in
 * @error:	Set on failure, saying what is wrong
 *
 * Hosts are numeric IPv4/IPv6 (IPv6 in brackets) or names resolved with
 * getaddrinfo() (the first result is used). Port 0 is allowed (any port).
 *
 * Return: true on success.
 */
bool qemu_addr_parse(const char *s, const char *inet_scheme, struct qemu_addr *out,
		     GError **error);

/**
 * qemu_addr_format() - Write a socket address as "unix:/p" or "tcp:1.2.3.4:5"
 * @sa:		Address
 * @len:	Its length
 * @scheme:	"tcp" or "udp" for IP addresses
 * @buf:	Output
 * @size:	Its size
 *
 * Return: @buf.
 */
char *qemu_addr_format(const struct sockaddr *sa, socklen_t len, const char *scheme, char *buf,
		       size_t size);

/**
 * qemu_socket_bind() - Make a bound non-blocking socket, replacing a stale UNIX socket
 * @a:		Address
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @mode:	Permissions of a UNIX socket file (e.g. 0600)
 * @st:		Set to the socket file's stat after binding (UNIX only), so that
 *		stop removes the file only if it is still ours
 * @error:	Set on failure
 *
 * A UNIX path that exists is replaced only if it is a socket nobody answers
 * on (connect() refused); a live socket or another kind of file is an error.
 * The mode is applied before the socket listens or receives.
 *
 * Return: the fd, or -1.
 */
int qemu_socket_bind(const struct qemu_addr *a, int type, unsigned int mode, struct stat *st,
		     GError **error);

/**
 * qemu_socket_unlink() - Remove a UNIX socket file if it is still the one we made
 * @a:	Address
 * @st:	What qemu_socket_bind() recorded
 */
void qemu_socket_unlink(const struct qemu_addr *a, const struct stat *st);

#endif /* QEMU_SOCKADDR_H */
