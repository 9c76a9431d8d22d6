// SPDX-License-Identifier: MIT
/* test-tuntap.c - Tests of the tuntap module: netlink message building, io.tap/io.tun in a namespace */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <pktkit/embed/graph.h>
#include <pktkit/pktkit.h>
#include <pktkit/embed/registry.h>
#include <pktkit/embed/testing.h>

#include "netlink.h"

#define TEST_ETHERTYPE 0x88b5

/* Netlink attribute lookup in a built message ------------------------------------ */

static const struct rtattr *find_attr(const struct netlink_msg *m, size_t body, uint16_t type)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)m->buf;
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(body));
	const struct rtattr *a = (const struct rtattr *)((const uint8_t *)NLMSG_DATA(h) +
							 NLMSG_ALIGN(body));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static uint32_t attr_u32(const struct rtattr *a)
{
	uint32_t v;

	g_assert_nonnull(a);
	g_assert_cmpuint(RTA_PAYLOAD(a), ==, 4);
	memcpy(&v, RTA_DATA(a), 4);
	return v;
}

static void test_build_set_link(void)
{
	struct netlink_msg m;
	struct pk_mac mac = { { 0x02, 0, 0, 0, 0, 0x42 } };
	const struct nlmsghdr *h = (const struct nlmsghdr *)m.buf;
	const struct ifinfomsg *ifi;
	const struct rtattr *a;

	netlink_msg_set_link(&m, 7, 12, 1, 1400, &mac);
	g_assert_cmpuint(h->nlmsg_len, ==, m.len);
	g_assert_cmpuint(h->nlmsg_type, ==, RTM_NEWLINK);
	g_assert_cmpuint(h->nlmsg_flags, ==, NLM_F_REQUEST | NLM_F_ACK);
	g_assert_cmpuint(h->nlmsg_seq, ==, 7);
	ifi = NLMSG_DATA(h);
	g_assert_cmpint(ifi->ifi_index, ==, 12);
	g_assert_cmpuint(ifi->ifi_change, ==, IFF_UP);
	g_assert_cmpuint(ifi->ifi_flags, ==, IFF_UP);
	g_assert_cmpuint(attr_u32(find_attr(&m, sizeof(*ifi), IFLA_MTU)), ==, 1400);
	a = find_attr(&m, sizeof(*ifi), IFLA_ADDRESS);
	g_assert_nonnull(a);
	g_assert_cmpmem(RTA_DATA(a), RTA_PAYLOAD(a), mac.b, 6);

	/* Leave everything: no change mask, no attributes. */
	netlink_msg_set_link(&m, 8, 3, -1, 0, NULL);
	g_assert_cmpuint(ifi->ifi_change, ==, 0);
	g_assert_null(find_attr(&m, sizeof(*ifi), IFLA_MTU));
	g_assert_null(find_attr(&m, sizeof(*ifi), IFLA_ADDRESS));
	g_assert_cmpuint(m.len, ==, NLMSG_LENGTH(sizeof(*ifi)));
	/* Down. */
	netlink_msg_set_link(&m, 9, 3, 0, 0, NULL);
	g_assert_cmpuint(ifi->ifi_change, ==, IFF_UP);
	g_assert_cmpuint(ifi->ifi_flags, ==, 0);
}

static void test_build_addr(void)
{
	struct netlink_msg m;
	const struct nlmsghdr *h = (const struct nlmsghdr *)m.buf;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct pk_prefix p4, p6;
	const struct rtattr *a;

	g_assert_true(pk_prefix_parse("10.0.0.1/24", &p4));
	g_assert_true(pk_prefix_parse("fd00::1/64", &p6));

	g_assert_true(netlink_msg_add_addr(&m, 1, 5, &p4, true));
	g_assert_cmpuint(h->nlmsg_type, ==, RTM_NEWADDR);
	g_assert_cmpuint(h->nlmsg_flags, ==,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	g_assert_cmpuint(ifa->ifa_family, ==, AF_INET);
	g_assert_cmpuint(ifa->ifa_prefixlen, ==, 24);
	g_assert_cmpuint(ifa->ifa_index, ==, 5);
	a = find_attr(&m, sizeof(*ifa), IFA_LOCAL);
	g_assert_nonnull(a);
	g_assert_cmpmem(RTA_DATA(a), RTA_PAYLOAD(a), p4.addr, 4);
	g_assert_nonnull(find_attr(&m, sizeof(*ifa), IFA_ADDRESS));
	/* nodad means nothing for IPv4. */
	g_assert_null(find_attr(&m, sizeof(*ifa), IFA_FLAGS));

	g_assert_true(netlink_msg_add_addr(&m, 2, 5, &p6, true));
	g_assert_cmpuint(ifa->ifa_family, ==, AF_INET6);
	g_assert_cmpuint(ifa->ifa_prefixlen, ==, 64);
	a = find_attr(&m, sizeof(*ifa), IFA_ADDRESS);
	g_assert_nonnull(a);
	g_assert_cmpmem(RTA_DATA(a), RTA_PAYLOAD(a), p6.addr, 16);
	g_assert_null(find_attr(&m, sizeof(*ifa), IFA_LOCAL));
	g_assert_cmpuint(attr_u32(find_attr(&m, sizeof(*ifa), IFA_FLAGS)), ==, IFA_F_NODAD);
	g_assert_cmpuint(ifa->ifa_flags, ==, IFA_F_NODAD);

	g_assert_true(netlink_msg_add_addr(&m, 3, 5, &p6, false));
	g_assert_null(find_attr(&m, sizeof(*ifa), IFA_FLAGS));

	memset(&p4, 0, sizeof(p4));
	g_assert_false(netlink_msg_add_addr(&m, 4, 5, &p4, false));
}

static void test_build_route(void)
{
	struct netlink_msg m;
	const struct nlmsghdr *h = (const struct nlmsghdr *)m.buf;
	const struct rtmsg *rt = NLMSG_DATA(h);
	struct pk_prefix p;
	const uint8_t want[4] = { 10, 1, 0, 0 }, gw[4] = { 10, 0, 0, 254 };
	uint8_t gw6[16] = { 0xfd, [15] = 1 };
	const struct rtattr *a;

	g_assert_true(pk_prefix_parse("10.1.2.3/16", &p));
	g_assert_true(netlink_msg_add_route(&m, 1, 9, &p, NULL, 0));
	g_assert_cmpuint(h->nlmsg_type, ==, RTM_NEWROUTE);
	g_assert_cmpuint(rt->rtm_family, ==, AF_INET);
	g_assert_cmpuint(rt->rtm_dst_len, ==, 16);
	g_assert_cmpuint(rt->rtm_table, ==, RT_TABLE_MAIN);
	g_assert_cmpuint(rt->rtm_scope, ==, RT_SCOPE_LINK);
	g_assert_cmpuint(rt->rtm_type, ==, RTN_UNICAST);
	a = find_attr(&m, sizeof(*rt), RTA_DST);
	g_assert_nonnull(a);
	g_assert_cmpmem(RTA_DATA(a), RTA_PAYLOAD(a), want, 4);	/* host bits cleared */
	g_assert_cmpuint(attr_u32(find_attr(&m, sizeof(*rt), RTA_OIF)), ==, 9);
	g_assert_null(find_attr(&m, sizeof(*rt), RTA_GATEWAY));
	g_assert_null(find_attr(&m, sizeof(*rt), RTA_PRIORITY));

	g_assert_true(netlink_msg_add_route(&m, 2, 9, &p, gw, 100));
	g_assert_cmpuint(rt->rtm_scope, ==, RT_SCOPE_UNIVERSE);
	a = find_attr(&m, sizeof(*rt), RTA_GATEWAY);
	g_assert_nonnull(a);
	g_assert_cmpmem(RTA_DATA(a), RTA_PAYLOAD(a), gw, 4);
	g_assert_cmpuint(attr_u32(find_attr(&m, sizeof(*rt), RTA_PRIORITY)), ==, 100);

	/* A default route has no RTA_DST. */
	g_assert_true(pk_prefix_parse("::/0", &p));
	g_assert_true(netlink_msg_add_route(&m, 3, 9, &p, gw6, 0));
	g_assert_cmpuint(rt->rtm_family, ==, AF_INET6);
	g_assert_cmpuint(rt->rtm_dst_len, ==, 0);
	g_assert_null(find_attr(&m, sizeof(*rt), RTA_DST));
	a = find_attr(&m, sizeof(*rt), RTA_GATEWAY);
	g_assert_cmpmem(RTA_DATA(a), RTA_PAYLOAD(a), gw6, 16);

	/* /31 keeps its bits, /0 clears all. */
	g_assert_true(pk_prefix_parse("10.1.2.3/31", &p));
	g_assert_true(netlink_msg_add_route(&m, 4, 9, &p, NULL, 0));
	a = find_attr(&m, sizeof(*rt), RTA_DST);
	g_assert_cmpuint(((const uint8_t *)RTA_DATA(a))[3], ==, 2);

	g_assert_false(netlink_msg_get_link(&m, 1, "0123456789abcdefX"));
	g_assert_false(netlink_msg_get_link(&m, 1, ""));
	g_assert_true(netlink_msg_get_link(&m, 1, "pk0"));
	g_assert_cmpuint(h->nlmsg_type, ==, RTM_GETLINK);
}

/* An NLMSG_ERROR for @seq with @err, and optionally an extended-ack message. */
static size_t make_error(uint8_t *buf, uint32_t seq, int err, const char *text)
{
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(sizeof(*e));

	memset(buf, 0, 256);
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_seq = seq;
	h->nlmsg_flags = NLM_F_CAPPED;
	e->error = err;
	e->msg.nlmsg_len = NLMSG_HDRLEN;
	e->msg.nlmsg_seq = seq;
	if (text) {
		struct nlattr *a = (struct nlattr *)(buf + NLMSG_ALIGN(len));

		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = (uint16_t)(NLA_HDRLEN + strlen(text) + 1);
		memcpy(a + 1, text, strlen(text) + 1);
		len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
		h->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	h->nlmsg_len = (uint32_t)len;
	return len;
}

static void test_parse_ack(void)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	const char *why;
	size_t len;

	len = make_error(buf, 5, 0, NULL);
	g_assert_cmpint(netlink_parse_ack(buf, len, 5, &why), ==, 0);
	g_assert_null(why);
	g_assert_cmpint(netlink_parse_ack(buf, len, 6, &why), ==, 1);

	len = make_error(buf, 5, -EEXIST, "Address already assigned");
	g_assert_cmpint(netlink_parse_ack(buf, len, 5, &why), ==, -EEXIST);
	g_assert_cmpstr(why, ==, "Address already assigned");

	/* Truncated or lying lengths are refused, never read past. */
	g_assert_cmpint(netlink_parse_ack(buf, NLMSG_HDRLEN + 2, 5, &why), ==, -EBADMSG);
	((struct nlmsghdr *)buf)->nlmsg_len = 4000;
	g_assert_cmpint(netlink_parse_ack(buf, len, 5, &why), ==, -EBADMSG);
	g_assert_cmpint(netlink_parse_ack(buf, 3, 5, &why), ==, 1);
	/* An extended-ack string without its NUL is ignored. */
	len = make_error(buf, 5, -EINVAL, "abc");
	buf[len - 1] = 'x';
	buf[len - 2] = 'x';
	buf[len - 3] = 'x';
	buf[len - 4] = 'x';
	g_assert_cmpint(netlink_parse_ack(buf, len, 5, &why), ==, -EINVAL);
	g_assert_null(why);
}

static void test_parse_link(void)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a;
	struct netlink_link link;
	uint32_t mtu = 1234;
	const uint8_t mac[6] = { 2, 1, 2, 3, 4, 5 };
	size_t len;

	memset(buf, 0, sizeof(buf));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_seq = 3;
	ifi->ifi_index = 42;
	ifi->ifi_flags = IFF_UP;
	len = NLMSG_LENGTH(sizeof(*ifi));
	a = (struct rtattr *)(buf + NLMSG_ALIGN(len));
	a->rta_type = IFLA_MTU;
	a->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(a), &mtu, 4);
	len = NLMSG_ALIGN(len) + RTA_SPACE(4);
	a = (struct rtattr *)(buf + len);
	a->rta_type = IFLA_ADDRESS;
	a->rta_len = RTA_LENGTH(6);
	memcpy(RTA_DATA(a), mac, 6);
	len += RTA_SPACE(6);
	a = (struct rtattr *)(buf + len);
	a->rta_type = IFLA_IFNAME;
	a->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(a), "pk7", 4);
	len += RTA_SPACE(4);
	h->nlmsg_len = (uint32_t)len;

	g_assert_cmpint(netlink_parse_link(buf, len, 3, &link), ==, 0);
	g_assert_cmpint(link.ifindex, ==, 42);
	g_assert_cmpuint(link.flags & IFF_UP, ==, IFF_UP);
	g_assert_cmpuint(link.mtu, ==, 1234);
	g_assert_true(link.has_mac);
	g_assert_cmpmem(link.mac.b, 6, mac, 6);
	g_assert_cmpstr(link.name, ==, "pk7");
	g_assert_cmpint(netlink_parse_link(buf, len, 4, &link), ==, 1);
	/* An attribute running past the message end is not read. */
	h->nlmsg_len = (uint32_t)(len - 2);
	g_assert_cmpint(netlink_parse_link(buf, len - 2, 3, &link), ==, 0);
	g_assert_cmpstr(link.name, ==, "");

	len = make_error(buf, 3, -ENODEV, NULL);
	g_assert_cmpint(netlink_parse_link(buf, len, 3, &link), ==, -ENODEV);
}

/* Against the kernel (root) --------------------------------------------------- */

static char ns_name[64];

static bool need_root(void)
{
	if (geteuid() == 0)
		return true;
	if (g_strcmp0(g_getenv("CI"), "true") == 0)
		g_error("needs root (CI=true: not skipped)");
	g_test_skip("needs root");
	return false;
}

static void run_ip(const char *args)
{
	g_autofree char *cmd = g_strdup_printf("ip %s", args);
	g_autofree char *err = NULL;
	int status = 0;

	g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status, NULL));
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("%s: %s", cmd, err);
}

static char *ip_output(const char *args)
{
	g_autofree char *cmd = g_strdup_printf("ip %s", args);
	char *out = NULL;
	int status = 0;

	g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
	return out;
}

/* Delete namespaces left by earlier runs of this test that were killed (pktt<pid>, pid gone). */
static void ns_reap_stale(void)
{
	g_autoptr(GDir) dir = g_dir_open("/run/netns", 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *cmd = NULL;
		long pid;
		char *end;

		if (strncmp(name, "pktt", 4))
			continue;
		pid = strtol(name + 4, &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		cmd = g_strdup_printf("ip netns del %s", name);
		g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
	}
}

static void ns_create(void)
{
	g_autofree char *cmd = NULL;

	g_snprintf(ns_name, sizeof(ns_name), "pktt%d", (int)getpid());
	cmd = g_strdup_printf("netns add %s", ns_name);
	run_ip(cmd);
}

static void ns_delete(void)
{
	g_autofree char *cmd = NULL;
	g_autofree char *out = NULL;

	if (!ns_name[0])
		return;
	cmd = g_strdup_printf("ip netns del %s", ns_name);
	g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL);
	ns_name[0] = '\0';
}

/* Sockets opened inside the test namespace by a helper thread. */
struct ns_socks {
	int nl;
	int pkt;
};

static gpointer ns_socks_thread(gpointer data)
{
	struct ns_socks *s = data;
	g_autofree char *path = g_strdup_printf("/run/netns/%s", ns_name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(setns(fd, CLONE_NEWNET), ==, 0);
	close(fd);
	s->nl = netlink_open();
	s->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
	return NULL;
}

static struct ns_socks ns_socks_open(void)
{
	struct ns_socks s = { -1, -1 };

	g_thread_join(g_thread_new("ns", ns_socks_thread, &s));
	g_assert_cmpint(s.nl, >=, 0);
	g_assert_cmpint(s.pkt, >=, 0);
	return s;
}

static struct pk_registry *registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		if (!pk_registry_lookup(reg, "io.tap"))
			g_error("pk-tuntap.so not found: is PKTKIT_MODULE_PATH set (meson test)?");
	}
	return reg;
}

static JsonObject *json_obj(const char *text)
{
	g_autoptr(JsonNode) node = json_from_string(text, NULL);

	g_assert_nonnull(node);
	return json_object_ref(json_node_get_object(node));
}

/* Run the default main context until @done(@data) or @ms pass. */
static bool spin_until(bool (*done)(void *), void *data, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (!done(data) && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE), g_usleep(1000);
	return done(data);
}

static bool pipe_has_data(void *data)
{
	return pk_pipe_pending(data) > 0;
}

static void make_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint8_t seed)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = TEST_ETHERTYPE >> 8;
	f[13] = TEST_ETHERTYPE & 0xff;
	for (int i = 14; i < 64; i++)
		f[i] = (uint8_t)(seed + i);
}

/* Read frames on @pkt until one with our EtherType arrives (incoming to the kernel). */
static ssize_t pkt_recv_test_frame(int pkt, uint8_t *buf, size_t cap)
{
	gint64 end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

	while (g_get_monotonic_time() < end) {
		struct pollfd p = { .fd = pkt, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recvfrom(pkt, buf, cap, 0, (struct sockaddr *)&from, &fl);
		if (n >= 14 && from.sll_pkttype != PACKET_OUTGOING &&
		    buf[12] == (TEST_ETHERTYPE >> 8) && buf[13] == (TEST_ETHERTYPE & 0xff))
			return n;
	}
	return -1;
}

static void test_tap_kernel(void)
{
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct pk_graph *g;
	struct pk_dev *pipe, *tap;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) params = NULL;
	g_autofree char *json = NULL, *args = NULL, *addrs = NULL;
	struct netlink_link link;
	struct ns_socks s;
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	uint8_t frame[64], got[2048];
	ssize_t n;
	struct pk_buf *b = NULL;

	if (!need_root())
		return;
	ns_create();
	s = ns_socks_open();
	json = g_strdup_printf("{\"ifname\": \"pkt0\", \"netns\": \"%s\", \"mtu\": 1400, "
			       "\"mac\": \"02:00:00:00:00:42\", \"addresses\": ["
			       "{\"prefix\": \"10.70.0.1/24\"}, {\"prefix\": \"fd70::1/64\"}], "
			       "\"routes\": [{\"prefix\": \"10.71.0.0/16\", \"via\": \"10.70.0.254\"}]}",
			       ns_name);
	params = json_obj(json);
	g = pk_graph_new(registry(), NULL, 0);
	pipe = pk_graph_add_device(g, "pipe", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	tap = pk_graph_add_device(g, "tap", "io.tap", params, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(g, "pipe", "tap", &error));
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);

	/* The interface exists in the namespace with the configured settings. */
	g_assert_cmpint(netlink_get_link(s.nl, 100, "pkt0", &link), ==, 0);
	g_assert_cmpuint(link.mtu, ==, 1400);
	g_assert_cmpuint(link.flags & IFF_UP, ==, IFF_UP);
	g_assert_true(link.has_mac);
	g_assert_cmpmem(link.mac.b, 6, mac, 6);
	args = g_strdup_printf("-n %s addr show dev pkt0", ns_name);
	addrs = ip_output(args);
	g_assert_nonnull(strstr(addrs, "10.70.0.1/24"));
	g_assert_nonnull(strstr(addrs, "fd70::1/64"));
	g_assert_nonnull(strstr(addrs, "nodad"));
	g_free(args);
	g_free(addrs);
	args = g_strdup_printf("-n %s route show 10.71.0.0/16", ns_name);
	addrs = ip_output(args);
	g_assert_nonnull(strstr(addrs, "via 10.70.0.254 dev pkt0"));

	/* pipe -> kernel */
	to.sll_ifindex = link.ifindex;
	to.sll_protocol = htons(ETH_P_ALL);
	g_assert_cmpint(bind(s.pkt, (struct sockaddr *)&to, sizeof(to)), ==, 0);
	make_frame(frame, bcast, src, 1);
	g_assert_true(pk_pipe_inject(pipe, frame, sizeof(frame)));
	n = pkt_recv_test_frame(s.pkt, got, sizeof(got));
	g_assert_cmpint(n, ==, sizeof(frame));
	g_assert_cmpmem(got, (size_t)n, frame, sizeof(frame));

	/* kernel -> pipe */
	make_frame(frame, bcast, mac, 2);
	pk_pipe_clear(pipe);
	g_assert_cmpint(send(s.pkt, frame, sizeof(frame), 0), ==, sizeof(frame));
	for (int tries = 0; tries < 20; tries++) {
		g_assert_true(spin_until(pipe_has_data, pipe, 2000));
		b = pk_pipe_pop(pipe);
		if (pk_buf_len(b) >= 14 && pk_buf_data(b)[12] == (TEST_ETHERTYPE >> 8))
			break;
		pk_buf_unref(b);	/* the kernel's own IPv6 chatter */
		b = NULL;
	}
	g_assert_nonnull(b);
	g_assert_cmpmem(pk_buf_data(b), pk_buf_len(b), frame, sizeof(frame));
	pk_buf_unref(b);
	g_assert_cmpuint(pk_dev_counter(tap, "rx-errors"), ==, 0);
	g_assert_cmpuint(pk_dev_counter(tap, "tx-errors"), ==, 0);

	/* Stop removes the interface it created. */
	pk_graph_stop(g);
	g_assert_cmpint(netlink_get_link(s.nl, 101, "pkt0", &link), ==, -ENODEV);
	/* And a restart brings it back. */
	g_assert_true(pk_graph_start(g, &error));
	g_assert_cmpint(netlink_get_link(s.nl, 102, "pkt0", &link), ==, 0);
	pk_graph_free(g);
	g_assert_cmpint(netlink_get_link(s.nl, 103, "pkt0", &link), ==, -ENODEV);
	close(s.nl);
	close(s.pkt);
	ns_delete();
}

static bool never(void *data)
{
	(void)data;
	return false;
}

/* The interface deleted under a running io.tap (`ip link del`): its file
 * stays open, detached, and polls as an error for ever. io.tap stops
 * reading once (one rx-error) instead of spinning; writes count tx-errors;
 * stop and free cope. */
static void test_tap_deleted(void)
{
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct pk_graph *g;
	struct pk_dev *pipe, *tap;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) params = NULL;
	g_autofree char *json = NULL, *args = NULL;
	GLogLevelFlags old;
	uint8_t frame[64];

	if (!need_root())
		return;
	ns_create();
	json = g_strdup_printf("{\"ifname\": \"pkt0\", \"netns\": \"%s\"}", ns_name);
	params = json_obj(json);
	g = pk_graph_new(registry(), NULL, 0);
	pipe = pk_graph_add_device(g, "pipe", "core.pipe-l2", NULL, &error);
	g_assert_no_error(error);
	tap = pk_graph_add_device(g, "tap", "io.tap", params, &error);
	g_assert_no_error(error);
	g_assert_true(pk_graph_link(g, "pipe", "tap", &error));
	g_assert_true(pk_graph_start(g, &error));
	args = g_strdup_printf("-n %s link del pkt0", ns_name);
	/* io.tap warns that the interface is gone (a warning is fatal in a test). */
	old = g_log_set_always_fatal(G_LOG_FATAL_MASK);
	run_ip(args);
	spin_until(never, NULL, 300);
	g_log_set_always_fatal(old);
	g_test_message("rx-errors %" G_GUINT64_FORMAT " in 300 ms after the delete",
		       pk_dev_counter(tap, "rx-errors"));
	g_assert_cmpuint(pk_dev_counter(tap, "rx-errors"), ==, 1);
	make_frame(frame, bcast, src, 3);
	g_assert_true(pk_pipe_inject(pipe, frame, sizeof(frame)));
	g_assert_cmpuint(pk_dev_counter(tap, "tx-errors"), ==, 1);
	pk_graph_stop(g);
	pk_graph_free(g);
	ns_delete();
}

static void test_tun_defaults_and_persist(void)
{
	struct pk_graph *g;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) params = NULL;
	g_autofree char *json = NULL;
	struct netlink_link link;
	struct ns_socks s;

	/* Every default parses (no start: the default namespace is the host's). */
	g = pk_graph_new(registry(), NULL, 0);
	g_assert_nonnull(pk_graph_add_device(g, "t", "io.tun", NULL, &error));
	g_assert_nonnull(pk_graph_add_device(g, "p", "io.tap", NULL, &error));
	g_assert_no_error(error);
	pk_graph_free(g);

	if (!need_root())
		return;
	ns_create();
	s = ns_socks_open();
	/* Kernel-chosen name, persistent: survives stop; a second start attaches to it. */
	json = g_strdup_printf("{\"netns\": \"%s\", \"persist\": true, \"ifname\": \"pkp%%d\"}",
			       ns_name);
	params = json_obj(json);
	g = pk_graph_new(registry(), NULL, 0);
	g_assert_nonnull(pk_graph_add_device(g, "t", "io.tun", params, &error));
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	g_assert_cmpint(netlink_get_link(s.nl, 1, "pkp0", &link), ==, 0);
	g_assert_cmpuint(link.mtu, ==, 1500);
	pk_graph_free(g);
	g_assert_cmpint(netlink_get_link(s.nl, 2, "pkp0", &link), ==, 0);

	g_clear_pointer(&params, json_object_unref);
	g_free(json);
	json = g_strdup_printf("{\"netns\": \"%s\", \"ifname\": \"pkp0\", \"up\": false}", ns_name);
	params = json_obj(json);
	g = pk_graph_new(registry(), NULL, 0);
	g_assert_nonnull(pk_graph_add_device(g, "t", "io.tun", params, &error));
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	g_assert_cmpint(netlink_get_link(s.nl, 3, "pkp0", &link), ==, 0);
	g_assert_cmpuint(link.flags & IFF_UP, ==, 0);
	pk_graph_free(g);
	/* Attached, not created: still there. */
	g_assert_cmpint(netlink_get_link(s.nl, 4, "pkp0", &link), ==, 0);
	close(s.nl);
	close(s.pkt);
	ns_delete();	/* takes the persistent interface with it */
}

/* Adding must fail (init) with @needle in the message. */
static void add_fails(const char *type, const char *json, const char *needle)
{
	struct pk_graph *g = pk_graph_new(registry(), NULL, 0);
	g_autoptr(JsonObject) params = json_obj(json);
	g_autoptr(GError) error = NULL;

	g_assert_null(pk_graph_add_device(g, "x", type, params, &error));
	g_assert_nonnull(error);
	if (!strstr(error->message, needle))
		g_error("'%s' not in '%s'", needle, error->message);
	pk_graph_free(g);
}

/* Adding works, starting fails with @needle in the message. */
static void start_fails(const char *type, const char *json, const char *needle)
{
	struct pk_graph *g = pk_graph_new(registry(), NULL, 0);
	g_autoptr(JsonObject) params = json_obj(json);
	g_autoptr(GError) error = NULL;

	g_assert_nonnull(pk_graph_add_device(g, "x", type, params, &error));
	g_assert_false(pk_graph_start(g, &error));
	g_assert_nonnull(error);
	if (!strstr(error->message, needle))
		g_error("'%s' not in '%s'", needle, error->message);
	g_test_message("refused as expected: %s", error->message);
	pk_graph_free(g);
}

static void test_errors(void)
{
	g_autofree char *json = NULL;
	struct pk_graph *g;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonObject) params = NULL;

	add_fails("io.tap", "{\"ifname\": \"a/b\"}", "not a valid interface name");
	add_fails("io.tap", "{\"ifname\": \"0123456789abcdefg\"}", "not a valid interface name");
	add_fails("io.tun", "{\"netns\": \"../x\"}", "not a namespace name");
	add_fails("io.tap", "{\"multi-queue\": true}", "not supported yet");
	add_fails("io.tap", "{\"mac\": \"01:00:5e:00:00:01\"}", "multicast");
	add_fails("io.tun", "{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"via\": \"fd00::1\"}]}",
		  "not an IPv4 address");
	add_fails("io.tun", "{\"mac\": \"02:00:00:00:00:01\"}", "mac");

	if (!need_root())
		return;
	start_fails("io.tap", "{\"netns\": \"pk-no-such-ns\"}", "ip netns add pk-no-such-ns");
	ns_create();
	json = g_strdup_printf("{\"netns\": \"%s\", \"ifname\": \"lo\"}", ns_name);
	start_fails("io.tap", json, "exists and is not a TAP interface");
	g_free(json);
	json = g_strdup_printf("{\"netns\": \"%s\", \"addresses\": [{\"prefix\": \"10.0.0.1/24\"}], "
			       "\"routes\": [{\"prefix\": \"10.9.0.0/16\", \"via\": \"10.1.0.1\"}]}",
			       ns_name);
	start_fails("io.tap", json, "routes[0]: cannot add route to 10.9.0.0/16 via 10.1.0.1");
	g_free(json);

	/* A name in use by another running device. */
	json = g_strdup_printf("{\"netns\": \"%s\", \"ifname\": \"pkbusy\"}", ns_name);
	params = json_obj(json);
	g = pk_graph_new(registry(), NULL, 0);
	g_assert_nonnull(pk_graph_add_device(g, "first", "io.tap", params, &error));
	g_assert_true(pk_graph_start(g, &error));
	start_fails("io.tap", json, "in use by another program");
	start_fails("io.tun", json, "exists and is not a TUN interface");
	pk_graph_free(g);
	ns_delete();
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	if (geteuid() == 0)
		ns_reap_stale();
	g_test_add_func("/tuntap/netlink/set-link", test_build_set_link);
	g_test_add_func("/tuntap/netlink/add-addr", test_build_addr);
	g_test_add_func("/tuntap/netlink/add-route", test_build_route);
	g_test_add_func("/tuntap/netlink/parse-ack", test_parse_ack);
	g_test_add_func("/tuntap/netlink/parse-link", test_parse_link);
	g_test_add_func("/tuntap/tap/kernel", test_tap_kernel);
	g_test_add_func("/tuntap/tap/deleted", test_tap_deleted);
	g_test_add_func("/tuntap/tun/defaults-persist", test_tun_defaults_and_persist);
	g_test_add_func("/tuntap/errors", test_errors);
	int rc = g_test_run();

	ns_delete();
	return rc;
}
