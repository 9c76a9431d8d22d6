// SPDX-License-Identifier: MIT
/* default-topology.c - The topology pktkit-host runs when it is given no file
 *
 * This is the only copy of the default: `pktkit-host --print-default` prints
 * it, `pktkit-host --check` with no file checks it. A LAN: a hub with a DHCP
 * server, a gateway to the host's network (an l3.adapter in front of an
 * l3.slirp: user-mode NAT through the host's sockets, DNS forwarded) and a
 * listener for QEMU guests. The listener's socket lives in the
 * runtime directory, which is known only at run time, so the text below holds
 * the placeholder @QEMU_SOCKET@ (HOST_DEFAULT_SOCKET_PLACEHOLDER) and
 * host_default_topology_text() replaces it with the JSON-escaped path.
 * --print-default, --check and running all use that substituted text.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <pktkit/error.h>

#include "default-topology.h"

const char host_default_topology[] =
	"{\n"
	"  \"comment\": \"pktkit-host built-in default: a LAN (hub lan) for 10.77.0.0/24 with a DHCP server (dhcp, 10.77.0.2), a gateway 10.77.0.1 (gw) to the host's network through user-mode NAT (nat, also the guests' DNS) and QEMU guests on a UNIX socket in the runtime directory ($XDG_RUNTIME_DIR/pktkit, or /run/pktkit as root)\",\n"
	"  \"devices\": {\n"
	"    \"lan\": { \"type\": \"l2.hub\" },\n"
	"    \"dhcp\": { \"type\": \"svc.dhcp-server\",\n"
	"              \"server-ip\": \"10.77.0.2\", \"subnet\": \"10.77.0.0/24\",\n"
	"              \"range-start\": \"10.77.0.100\", \"range-end\": \"10.77.0.199\",\n"
	"              \"router\": \"10.77.0.1\", \"dns\": [ { \"address\": \"10.77.0.1\" } ],\n"
	"              \"lease-time\": \"1h\" },\n"
	"    \"gw\": { \"type\": \"l3.adapter\", \"addresses\": [ { \"prefix\": \"10.77.0.1/24\" } ] },\n"
	"    \"nat\": { \"type\": \"l3.slirp\", \"dns4\": \"10.77.0.1\" },\n"
	"    \"vms\": { \"type\": \"io.qemu-listen\", \"listen\": \"unix:" HOST_DEFAULT_SOCKET_PLACEHOLDER
	"\" }\n"
	"  },\n"
	"  \"links\": [ [\"dhcp\", \"lan.port\"], [\"gw.eth\", \"lan.port\"], [\"gw.ip\", \"nat\"],\n"
	"             [\"vms.lan\", \"lan.port\"] ]\n"
	"}\n";

char *host_runtime_dir(void)
{
	const char *xdg = g_getenv("XDG_RUNTIME_DIR");

	if (xdg && g_path_is_absolute(xdg))
		return g_build_filename(xdg, "pktkit", NULL);
	if (geteuid() == 0)
		return g_strdup("/run/pktkit");
	return g_build_filename(g_get_user_runtime_dir(), "pktkit", NULL);
}

bool host_runtime_dir_prepare(const char *dir, GError **error)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int e = errno;

		g_set_error(error, PK_ERROR, e == EACCES ? PK_ERROR_PERMISSION : PK_ERROR_FAILED,
			    "cannot create the runtime directory %s: %s", dir, g_strerror(e));
		return false;
	}
	if (lstat(dir, &st) < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s: %s", dir, g_strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
			    "runtime directory %s is not a directory (a symbolic link or a file); "
			    "not using it", dir);
		return false;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		g_set_error(error, PK_ERROR, PK_ERROR_PERMISSION,
			    "runtime directory %s is owned by uid %u with mode %04o; it must be "
			    "owned by uid %u and writable by nobody else",
			    dir, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777),
			    (unsigned int)geteuid());
		return false;
	}
	return true;
}

/* Append @s to @out as the inside of a JSON string. */
static void json_escape_into(GString *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			g_string_append_c(out, '\\'), g_string_append_c(out, (char)c);
		else if (c < 0x20)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_c(out, (char)c);
	}
}

char *host_default_topology_text(const char *socket_path)
{
	const char *at = strstr(host_default_topology, HOST_DEFAULT_SOCKET_PLACEHOLDER);
	GString *out = g_string_new(NULL);

	g_string_append_len(out, host_default_topology, at - host_default_topology);
	json_escape_into(out, socket_path);
	g_string_append(out, at + strlen(HOST_DEFAULT_SOCKET_PLACEHOLDER));
	return g_string_free(out, FALSE);
}
