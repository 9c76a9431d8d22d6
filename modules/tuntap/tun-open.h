/* SPDX-License-Identifier: MIT
 * tun-open.h - Open /dev/net/tun and a netlink socket inside a named network namespace, attach an interface
 */
#ifndef TUNTAP_TUN_OPEN_H
#define TUNTAP_TUN_OPEN_H

#include <stdbool.h>

#include <net/if.h>

#include <glib.h>

/**
 * struct tun_open_req - What to open
 * @type_name:	Device type for messages ("io.tap")
 * @tap:	IFF_TAP (true) or IFF_TUN
 * @ifname:	Interface name or pattern with "%d"; NULL or "" lets the kernel pick "pk%d"
 * @netns:	Name under /run/netns, or NULL for the caller's namespace
 * @vnet_hdr:	Open with IFF_VNET_HDR: every packet read or written is
 *		preceded by a struct virtio_net_hdr (offloads)
 */
struct tun_open_req {
	const char *type_name;
	bool tap;
	const char *ifname;
	const char *netns;
	bool vnet_hdr;
};

/**
 * struct tun_open_result - An attached TUN/TAP interface
 * @tun_fd:	The queue's descriptor, non-blocking, close-on-exec
 * @nl_fd:	A NETLINK_ROUTE socket in the interface's namespace
 * @ifindex:	Interface index in that namespace
 * @created:	Whether the interface did not exist before (it is removed
 *		when @tun_fd is closed unless made persistent)
 * @ifname:	The interface's actual name
 */
struct tun_open_result {
	int tun_fd;
	int nl_fd;
	int ifindex;
	bool created;
	char ifname[IFNAMSIZ];
};

/**
 * tun_open() - Create or attach a TUN/TAP interface (IFF_NO_PI, IFF_VNET_HDR if asked)
 * @req:	What to open
 * @out:	Filled on success; both descriptors belong to the caller
 * @error:	Why not, in words that name the fix (CAP_NET_ADMIN,
 *		`modprobe tun`, `ip netns add`, a name in use)
 *
 * With @req->netns the two descriptors are opened by a short-lived thread
 * that enters the namespace with setns(); sockets and the TUN file keep the
 * namespace they were created in, so the calling thread never changes
 * namespace and cannot be left in the wrong one.
 *
 * Context: main context, cold (blocks briefly on netlink).
 * Return: 0, or a negative errno with @error set.
 */
int tun_open(const struct tun_open_req *req, struct tun_open_result *out, GError **error);

/**
 * tun_open_close() - Close what tun_open() returned (descriptors < 0 are skipped)
 * @res:	Result; its descriptors are set to -1
 *
 * Context: main context, cold.
 */
void tun_open_close(struct tun_open_result *res);

#endif /* TUNTAP_TUN_OPEN_H */
