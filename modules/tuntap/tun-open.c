// SPDX-License-Identifier: MIT
/* tun-open.c - Open /dev/net/tun and a netlink socket inside a named network namespace, attach an interface */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include <linux/if_tun.h>

#include <pktkit/error.h>

#include "netlink.h"
#include "tun-open.h"

#define TUN_OPEN_DEV "/dev/net/tun"
#define TUN_OPEN_NETNS_DIR "/run/netns"
#define TUN_OPEN_CAP_HINT \
	"needs CAP_NET_ADMIN, e.g. run as root or grant it with setcap cap_net_admin+ep"

/* Where opening the descriptors failed, for the message. */
enum tun_open_stage { TUN_OPEN_OK, TUN_OPEN_NETNS, TUN_OPEN_SETNS, TUN_OPEN_NETLINK, TUN_OPEN_DEVNODE };

struct tun_open_job {
	const char *netns;
	int tun_fd;
	int nl_fd;
	int err;
	enum tun_open_stage stage;
};

/* Open both descriptors in the calling thread's namespace. */
static void tun_open_fds(struct tun_open_job *j)
{
	j->nl_fd = netlink_open();
	if (j->nl_fd < 0) {
		j->err = -j->nl_fd;
		j->stage = TUN_OPEN_NETLINK;
		return;
	}
	j->tun_fd = open(TUN_OPEN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (j->tun_fd < 0) {
		j->err = errno;
		j->stage = TUN_OPEN_DEVNODE;
	}
}

/* Thread body: enter the namespace, open, exit (the namespace change dies with the thread). */
static gpointer tun_open_thread(gpointer data)
{
	struct tun_open_job *j = data;
	g_autofree char *path = g_build_filename(TUN_OPEN_NETNS_DIR, j->netns, NULL);
	int ns = open(path, O_RDONLY | O_CLOEXEC);

	if (ns < 0) {
		j->err = errno;
		j->stage = TUN_OPEN_NETNS;
		return NULL;
	}
	if (setns(ns, CLONE_NEWNET) < 0) {
		j->err = errno;
		j->stage = TUN_OPEN_SETNS;
		close(ns);
		return NULL;
	}
	close(ns);
	tun_open_fds(j);
	return NULL;
}

static int tun_open_fail_fds(const struct tun_open_req *req, const struct tun_open_job *j,
			     GError **error)
{
	const char *t = req->type_name;
	int e = j->err;

	switch (j->stage) {
	case TUN_OPEN_NETNS:
		if (e == ENOENT)
			g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN,
				    "%s: network namespace '%s' not found: %s/%s does not exist "
				    "(create it with `ip netns add %s`)",
				    t, req->netns, TUN_OPEN_NETNS_DIR, req->netns, req->netns);
		else
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
				    "%s: cannot open network namespace %s/%s: %s", t,
				    TUN_OPEN_NETNS_DIR, req->netns, g_strerror(e));
		break;
	case TUN_OPEN_SETNS:
		g_set_error(error, PK_ERROR, e == EPERM ? PK_ERROR_PERMISSION : PK_ERROR_FAILED,
			    "%s: cannot enter network namespace '%s': %s%s", t, req->netns,
			    g_strerror(e),
			    e == EPERM ? " (needs CAP_SYS_ADMIN, e.g. run as root)" : "");
		break;
	case TUN_OPEN_NETLINK:
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
			    "%s: cannot open a NETLINK_ROUTE socket: %s", t, g_strerror(e));
		break;
	case TUN_OPEN_DEVNODE:
		if (e == ENOENT || e == ENODEV || e == ENXIO)
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
				    "%s: cannot open %s: %s (the tun driver is missing: load it "
				    "with `modprobe tun`; if the node is missing create it with "
				    "`mkdir -p /dev/net && mknod %s c 10 200`)",
				    t, TUN_OPEN_DEV, g_strerror(e), TUN_OPEN_DEV);
		else if (e == EACCES || e == EPERM)
			g_set_error(error, PK_ERROR, PK_ERROR_PERMISSION,
				    "%s: cannot open %s: %s (%s, and read-write access to %s)", t,
				    TUN_OPEN_DEV, g_strerror(e), TUN_OPEN_CAP_HINT, TUN_OPEN_DEV);
		else
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s: cannot open %s: %s", t,
				    TUN_OPEN_DEV, g_strerror(e));
		break;
	case TUN_OPEN_OK:
		break;
	}
	return -e;
}

/* Explain a failed TUNSETIFF. */
static int tun_open_fail_setiff(const struct tun_open_req *req, const char *name, bool existed,
				int e, GError **error)
{
	const char *t = req->type_name;
	const char *kind = req->tap ? "TAP" : "TUN";

	if (e == EPERM || e == EACCES)
		g_set_error(error, PK_ERROR, PK_ERROR_PERMISSION,
			    "%s: cannot %s interface '%s': %s (%s)", t,
			    existed ? "attach to" : "create", name, g_strerror(e), TUN_OPEN_CAP_HINT);
	else if (e == EBUSY)
		g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
			    "%s: interface '%s' is in use by another program (a %s interface "
			    "without multi-queue has one reader; pick another ifname)",
			    t, name, kind);
	else if (e == EINVAL && existed)
		g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
			    "%s: interface '%s' exists and is not a %s interface (pick another "
			    "ifname)", t, name, kind);
	else
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "%s: cannot %s interface '%s': %s",
			    t, existed ? "attach to" : "create", name, g_strerror(e));
	return -e;
}

int tun_open(const struct tun_open_req *req, struct tun_open_result *out, GError **error)
{
	struct tun_open_job j = { .netns = req->netns, .tun_fd = -1, .nl_fd = -1 };
	const char *name = req->ifname && *req->ifname ? req->ifname : "pk%d";
	struct netlink_link link;
	struct ifreq ifr;
	bool existed = false;
	int rc;

	memset(out, 0, sizeof(*out));
	out->tun_fd = out->nl_fd = -1;
	if (strlen(name) >= IFNAMSIZ) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "%s: interface name '%s' is longer than %d characters", req->type_name,
			    name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (req->netns && *req->netns) {
		GThread *th = g_thread_try_new("pk-tun-netns", tun_open_thread, &j, error);

		if (!th)
			return -EAGAIN;
		g_thread_join(th);
	} else {
		tun_open_fds(&j);
	}
	out->tun_fd = j.tun_fd;
	out->nl_fd = j.nl_fd;
	if (j.stage != TUN_OPEN_OK) {
		tun_open_close(out);
		return tun_open_fail_fds(req, &j, error);
	}

	/* A fixed name that exists already is attached to, not created (and not removed). */
	if (!strchr(name, '%')) {
		rc = netlink_get_link(out->nl_fd, 1, name, &link);
		if (rc == 0)
			existed = true;
		else if (rc != -ENODEV) {
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
				    "%s: cannot look up interface '%s': %s", req->type_name, name,
				    g_strerror(-rc));
			tun_open_close(out);
			return rc;
		}
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)((req->tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI |
				(req->vnet_hdr ? IFF_VNET_HDR : 0));
	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(out->tun_fd, TUNSETIFF, &ifr) < 0) {
		rc = tun_open_fail_setiff(req, name, existed, errno, error);
		tun_open_close(out);
		return rc;
	}
	g_strlcpy(out->ifname, ifr.ifr_name, sizeof(out->ifname));
	out->created = !existed;
	rc = netlink_get_link(out->nl_fd, 2, out->ifname, &link);
	if (rc < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED,
			    "%s: interface '%s' vanished after it was attached: %s", req->type_name,
			    out->ifname, g_strerror(-rc));
		tun_open_close(out);
		return rc;
	}
	out->ifindex = link.ifindex;
	return 0;
}

void tun_open_close(struct tun_open_result *res)
{
	if (res->tun_fd >= 0)
		close(res->tun_fd);
	if (res->nl_fd >= 0)
		close(res->nl_fd);
	res->tun_fd = res->nl_fd = -1;
}
