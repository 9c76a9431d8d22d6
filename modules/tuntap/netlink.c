// SPDX-License-Identifier: MIT
/* netlink.c - rtnetlink messages for TUN/TAP set-up: pure builders and parsers, one blocking transact */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <glib.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

/* Builders ----------------------------------------------------------------- */

static void *netlink_start(struct netlink_msg *m, uint16_t type, uint16_t flags, uint32_t seq,
			   size_t body)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m->buf;

	memset(m->buf, 0, sizeof(m->buf));
	m->len = NLMSG_LENGTH(body);
	h->nlmsg_len = (uint32_t)m->len;
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = seq;
	return NLMSG_DATA(h);
}

/* Append one attribute; the message buffer is sized for the largest request built here. */
static void netlink_put(struct netlink_msg *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->len));
	size_t total = NLMSG_ALIGN(m->len) + RTA_SPACE(len);

	if (total > sizeof(m->buf))
		return;	/* cannot happen with the fixed set of attributes below */
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->len = total;
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)m->len;
}

static void netlink_put_u32(struct netlink_msg *m, uint16_t type, uint32_t v)
{
	netlink_put(m, type, &v, sizeof(v));
}

static size_t netlink_addr_len(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

static uint8_t netlink_af(uint8_t family)
{
	return family == 4 ? AF_INET : AF_INET6;
}

bool netlink_msg_get_link(struct netlink_msg *m, uint32_t seq, const char *ifname)
{
	struct ifinfomsg *ifi;
	size_t n = strlen(ifname);

	if (n == 0 || n >= IFNAMSIZ)
		return false;
	ifi = netlink_start(m, RTM_GETLINK, 0, seq, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	netlink_put(m, IFLA_IFNAME, ifname, n + 1);
	return true;
}

void netlink_msg_set_link(struct netlink_msg *m, uint32_t seq, int ifindex, int up,
			  uint32_t mtu, const struct pk_mac *mac)
{
	struct ifinfomsg *ifi = netlink_start(m, RTM_NEWLINK, NLM_F_ACK, seq, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu)
		netlink_put_u32(m, IFLA_MTU, mtu);
	if (mac)
		netlink_put(m, IFLA_ADDRESS, mac->b, sizeof(mac->b));
}

bool netlink_msg_add_addr(struct netlink_msg *m, uint32_t seq, int ifindex,
			  const struct pk_prefix *p, bool nodad)
{
	struct ifaddrmsg *ifa;
	size_t alen;
	uint32_t flags = 0;

	if (p->family != 4 && p->family != 6)
		return false;
	alen = netlink_addr_len(p->family);
	ifa = netlink_start(m, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq,
			    sizeof(*ifa));
	ifa->ifa_family = netlink_af(p->family);
	ifa->ifa_prefixlen = p->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (p->family == 4) {
		/* As `ip addr add`: IFA_LOCAL is the address, IFA_ADDRESS the peer (the same). */
		netlink_put(m, IFA_LOCAL, p->addr, alen);
		netlink_put(m, IFA_ADDRESS, p->addr, alen);
	} else {
		netlink_put(m, IFA_ADDRESS, p->addr, alen);
		if (nodad)
			flags |= IFA_F_NODAD;
	}
	ifa->ifa_flags = (uint8_t)flags;
	if (flags)
		netlink_put_u32(m, IFA_FLAGS, flags);
	return true;
}

bool netlink_msg_add_route(struct netlink_msg *m, uint32_t seq, int ifindex,
			   const struct pk_prefix *dst, const uint8_t *via, uint32_t metric)
{
	struct rtmsg *rt;
	uint8_t net[16] = { 0 };
	size_t alen;

	if (dst->family != 4 && dst->family != 6)
		return false;
	alen = netlink_addr_len(dst->family);
	for (unsigned int bit = 0; bit < dst->len && bit < alen * 8; bit++)
		if (dst->addr[bit / 8] & (0x80u >> (bit % 8)))
			net[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
	rt = netlink_start(m, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, seq,
			   sizeof(*rt));
	rt->rtm_family = netlink_af(dst->family);
	rt->rtm_dst_len = dst->len;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	if (dst->len)
		netlink_put(m, RTA_DST, net, alen);
	netlink_put_u32(m, RTA_OIF, (uint32_t)ifindex);
	if (via)
		netlink_put(m, RTA_GATEWAY, via, alen);
	if (metric)
		netlink_put_u32(m, RTA_PRIORITY, metric);
	return true;
}

/* Parsers ------------------------------------------------------------------ */

/* The extended-ack text of an NLMSG_ERROR, if the kernel sent one. */
static const char *netlink_ext_msg(const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off, end = h->nlmsg_len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	off = NLMSG_ALIGN(off);
	while (off + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const struct nlattr *)((const uint8_t *)h + off);

		if (a->nla_len < sizeof(*a) || off + a->nla_len > end)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > sizeof(*a)) {
			const char *s = (const char *)(a + 1);

			/* Only a NUL-terminated string inside the attribute. */
			if (memchr(s, '\0', a->nla_len - sizeof(*a)))
				return s;
			return NULL;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Walk @buf; for the message about @seq return it in @out (0), or 1 if none, -EBADMSG. */
static int netlink_find(const void *buf, size_t len, uint32_t seq, const struct nlmsghdr **out)
{
	size_t off = 0;

	while (len - off >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)((const uint8_t *)buf + off);

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len - off)
			return -EBADMSG;
		if (h->nlmsg_seq == seq && h->nlmsg_type != NLMSG_NOOP) {
			if (h->nlmsg_type == NLMSG_ERROR &&
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EBADMSG;
			*out = h;
			return 0;
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
		if (off > len)
			break;
	}
	return 1;
}

int netlink_parse_ack(const void *buf, size_t len, uint32_t seq, const char **ext_msg)
{
	const struct nlmsghdr *h;
	const struct nlmsgerr *e;
	int rc = netlink_find(buf, len, seq, &h);

	if (ext_msg)
		*ext_msg = NULL;
	if (rc)
		return rc;
	if (h->nlmsg_type != NLMSG_ERROR)
		return 1;	/* some other answer about @seq; the ack follows */
	e = NLMSG_DATA(h);
	if (e->error > 0)
		return -EBADMSG;
	if (ext_msg)
		*ext_msg = netlink_ext_msg(h);
	return e->error;
}

int netlink_parse_link(const void *buf, size_t len, uint32_t seq, struct netlink_link *out)
{
	const struct nlmsghdr *h;
	const struct ifinfomsg *ifi;
	const struct rtattr *a;
	int alen, rc = netlink_find(buf, len, seq, &h);

	if (rc)
		return rc;
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);

		return e->error < 0 ? e->error : -EBADMSG;
	}
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EBADMSG;
	ifi = NLMSG_DATA(h);
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		size_t n = RTA_PAYLOAD(a);

		switch (a->rta_type) {
		case IFLA_MTU:
			if (n >= 4)
				memcpy(&out->mtu, RTA_DATA(a), 4);
			break;
		case IFLA_ADDRESS:
			if (n == 6) {
				memcpy(out->mac.b, RTA_DATA(a), 6);
				out->has_mac = true;
			}
			break;
		case IFLA_IFNAME:
			if (n > 0) {
				size_t c = n < IFNAMSIZ ? n : IFNAMSIZ - 1;

				memcpy(out->name, RTA_DATA(a), c);
				out->name[c] = '\0';
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/* I/O ---------------------------------------------------------------------- */

int netlink_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	/* Best effort: without extended acks errors are still reported by errno. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Send @m, then call @parse on each datagram until it returns <= 0. */
static int netlink_exchange(int fd, const struct netlink_msg *m,
			    int (*parse)(const void *, size_t, void *), void *ctx)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		uint8_t b[8192];
		struct nlmsghdr align_;
	} rx;
	int remaining = NETLINK_TIMEOUT_MS;

	if (sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	while (remaining > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int rc = poll(&pfd, 1, 100);

		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0) {
			remaining -= 100;
			continue;
		}
		n = recv(fd, rx.b, sizeof(rx.b), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		rc = parse(rx.b, (size_t)n, ctx);
		if (rc <= 0)
			return rc;
	}
	return -ETIMEDOUT;
}

struct netlink_ack_ctx {
	uint32_t seq;
	char *why;
	size_t why_len;
};

static int netlink_ack_parse(const void *buf, size_t len, void *data)
{
	struct netlink_ack_ctx *c = data;
	const char *msg = NULL;
	int rc = netlink_parse_ack(buf, len, c->seq, &msg);

	if (rc < 0 && msg && c->why_len)
		g_strlcpy(c->why, msg, c->why_len);
	return rc;
}

int netlink_transact(int fd, const struct netlink_msg *m, char *why, size_t why_len)
{
	struct netlink_ack_ctx c = {
		.seq = ((const struct nlmsghdr *)m->buf)->nlmsg_seq,
		.why = why,
		.why_len = why_len,
	};

	if (why_len)
		why[0] = '\0';
	return netlink_exchange(fd, m, netlink_ack_parse, &c);
}

struct netlink_link_ctx {
	uint32_t seq;
	struct netlink_link *out;
};

static int netlink_link_parse(const void *buf, size_t len, void *data)
{
	struct netlink_link_ctx *c = data;

	return netlink_parse_link(buf, len, c->seq, c->out);
}

int netlink_get_link(int fd, uint32_t seq, const char *ifname, struct netlink_link *out)
{
	struct netlink_msg m;
	struct netlink_link_ctx c = { .seq = seq, .out = out };

	if (!netlink_msg_get_link(&m, seq, ifname))
		return -EINVAL;
	return netlink_exchange(fd, &m, netlink_link_parse, &c);
}
