/* SPDX-License-Identifier: MIT
 * netlink.h - rtnetlink messages for TUN/TAP set-up: pure builders and parsers, one blocking transact
 *
 * The builders and parsers only fill or read memory (they are unit-tested
 * without a socket). netlink_transact() and netlink_get_link() are the only
 * functions that do I/O; they run on cold paths (device start) and block for
 * at most NETLINK_TIMEOUT_MS.
 */
#ifndef TUNTAP_NETLINK_H
#define TUNTAP_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include <pktkit/addr.h>

#define NETLINK_MSG_MAX 512u
#define NETLINK_TIMEOUT_MS 2000

/**
 * struct netlink_msg - One request being built
 * @len:	Bytes used in @buf (equals nlmsg_len of the header)
 * @buf:	The message, starting with a struct nlmsghdr
 */
struct netlink_msg {
	size_t len;
	union {
		uint8_t buf[NETLINK_MSG_MAX];
		uint32_t align_;
	};
};

/**
 * struct netlink_link - What netlink_parse_link() reads from an RTM_NEWLINK
 * @ifindex:	Interface index
 * @flags:	IFF_* flags (ifi_flags)
 * @mtu:	MTU, 0 if absent
 * @has_mac:	Whether @mac was present with 6 bytes
 * @mac:	Hardware address
 * @name:	Interface name ("" if absent)
 */
struct netlink_link {
	int ifindex;
	uint32_t flags;
	uint32_t mtu;
	bool has_mac;
	struct pk_mac mac;
	char name[IFNAMSIZ];
};

/**
 * netlink_msg_get_link() - RTM_GETLINK for one interface by name
 * @m:		Message to fill
 * @seq:	Sequence number
 * @ifname:	Interface name (shorter than IFNAMSIZ)
 *
 * Context: any thread; pure.
 * Return: false if @ifname is too long.
 */
bool netlink_msg_get_link(struct netlink_msg *m, uint32_t seq, const char *ifname);

/**
 * netlink_msg_set_link() - RTM_NEWLINK changing MTU, MAC and up/down of an interface
 * @m:		Message to fill
 * @seq:	Sequence number
 * @ifindex:	Interface
 * @up:		1 to set IFF_UP, 0 to clear it, -1 to leave it
 * @mtu:	New MTU, 0 to leave it
 * @mac:	New hardware address, NULL to leave it
 *
 * Requests an acknowledgement.
 *
 * Context: any thread; pure.
 */
void netlink_msg_set_link(struct netlink_msg *m, uint32_t seq, int ifindex, int up,
			  uint32_t mtu, const struct pk_mac *mac);

/**
 * netlink_msg_add_addr() - RTM_NEWADDR (create or replace) of an interface address
 * @m:		Message to fill
 * @seq:	Sequence number
 * @ifindex:	Interface
 * @p:		Address with prefix length, host bits kept (10.0.0.1/24)
 * @nodad:	Set IFA_F_NODAD: an IPv6 address is usable at once, without
 *		duplicate address detection (ignored for IPv4)
 *
 * Context: any thread; pure.
 * Return: false if @p has no family.
 */
bool netlink_msg_add_addr(struct netlink_msg *m, uint32_t seq, int ifindex,
			  const struct pk_prefix *p, bool nodad);

/**
 * netlink_msg_add_route() - RTM_NEWROUTE (create or replace) in the main table
 * @m:		Message to fill
 * @seq:	Sequence number
 * @ifindex:	Output interface
 * @dst:	Destination; host bits are cleared (10.1.2.3/16 means 10.1.0.0/16)
 * @via:	Gateway address of @dst's family, or NULL for an on-link route
 * @metric:	Route priority, 0 for the kernel's default
 *
 * Context: any thread; pure.
 * Return: false if @dst has no family.
 */
bool netlink_msg_add_route(struct netlink_msg *m, uint32_t seq, int ifindex,
			   const struct pk_prefix *dst, const uint8_t *via, uint32_t metric);

/**
 * netlink_parse_ack() - Read the answer to request @seq from a received datagram
 * @buf:	Received bytes
 * @len:	Their length
 * @seq:	Sequence number of the request
 * @ext_msg:	Receives the kernel's extended-ack text (points into @buf), or
 *		NULL when there is none; may be NULL
 *
 * Context: any thread; pure.
 * Return: 0 for a positive ack, a negative errno for an error, 1 when @buf
 * holds nothing about @seq (keep reading), -EBADMSG if it is malformed.
 */
int netlink_parse_ack(const void *buf, size_t len, uint32_t seq, const char **ext_msg);

/**
 * netlink_parse_link() - Read an RTM_NEWLINK answer to request @seq
 * @buf:	Received bytes
 * @len:	Their length
 * @seq:	Sequence number of the RTM_GETLINK
 * @out:	Filled on success
 *
 * Context: any thread; pure.
 * Return: 0 with @out filled, a negative errno carried by an NLMSG_ERROR
 * (-ENODEV: no such interface), 1 when @buf holds nothing about @seq,
 * -EBADMSG if it is malformed.
 */
int netlink_parse_link(const void *buf, size_t len, uint32_t seq, struct netlink_link *out);

/**
 * netlink_open() - A NETLINK_ROUTE socket in the calling thread's network namespace
 *
 * Context: any thread, cold.
 * Return: the descriptor (close-on-exec, extended acks on), or a negative errno.
 */
int netlink_open(void);

/**
 * netlink_transact() - Send @m and wait for its acknowledgement
 * @fd:		Socket from netlink_open()
 * @m:		Request (its sequence number is used to match the answer)
 * @why:	Receives the kernel's extended-ack text on error ("" if none)
 * @why_len:	Size of @why
 *
 * Context: any thread, cold; blocks for at most NETLINK_TIMEOUT_MS.
 * Return: 0, or a negative errno (-ETIMEDOUT when no answer came).
 */
int netlink_transact(int fd, const struct netlink_msg *m, char *why, size_t why_len);

/**
 * netlink_get_link() - Look an interface up by name
 * @fd:		Socket from netlink_open()
 * @seq:	Sequence number to use
 * @ifname:	Interface name
 * @out:	Filled on success
 *
 * Context: any thread, cold; blocks for at most NETLINK_TIMEOUT_MS.
 * Return: 0, -ENODEV when there is no such interface, or another negative errno.
 */
int netlink_get_link(int fd, uint32_t seq, const char *ifname, struct netlink_link *out);

#endif /* TUNTAP_NETLINK_H */
