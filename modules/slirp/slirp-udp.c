/* SPDX-License-Identifier: MIT
 * slirp-udp.c - UDP flows and ICMP echo of l3.slirp over connected host sockets
 *
 * Every flow (UDP, or ICMP echo keyed by the guest's identifier) owns one
 * connected, non-blocking host socket with IP_RECVERR / IPV6_RECVERR, so
 * the host's view of what went wrong (port unreachable, no route, too big)
 * comes back from its error queue and reaches the guest as an ICMP error
 * quoting the flow's last datagram. Flows made by a UDP port forward use
 * the forward's socket instead and own none. Idle flows close after
 * 'udp-timeout': the flows are kept in order of their last activity and
 * one timer per instance waits for the oldest.
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
/* After netinet/in.h, which tells the kernel headers what libc defined. */
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <unistd.h>

#include "slirp-private.h"

/* Datagrams read from one socket per wakeup, errors read from its queue. */
#define SLIRP_UDP_RX_BATCH 32
#define SLIRP_UDP_ERR_BATCH 8
/* What a flow keeps of its last guest datagram to quote in errors: the IP
 * header (with any IPv6 extension headers), the transport header and 8
 * bytes of data. */
#define SLIRP_UDP_QUOTE_DATA 8u
#define SLIRP_UDP_QUOTE_MAX 128u

struct slirp_udp {
	/* Flows of this file, least recently active first. */
	GQueue lru;
	struct pk_timer *reaper;
	/* One datagram of any size, to and from the host. */
	uint8_t *rx;
	uint8_t *tx;
	/* Echo identifiers used on raw ICMP sockets (the kernel picks them
	 * on ping sockets). */
	uint16_t next_raw_id;
	bool echo_warned;
};

struct slirp_udp_flow {
	struct slirp_flow base;
	GList lru; /* in slirp_udp.lru; data = the flow */
	int fd;	   /* own socket, or the forward's (inbound: not ours) */
	struct pk_watch *watch;
	bool echo;	  /* ICMP echo */
	bool raw;	  /* echo over a raw socket: @host_id is ours to set */
	uint16_t host_id; /* raw: the identifier used on the host */
	/* Inbound: where the guest's replies go through @fd. */
	struct sockaddr_storage client;
	socklen_t client_len;
	uint32_t quote_len;
	uint8_t quote[SLIRP_UDP_QUOTE_MAX];
};

static const char *slirp_udp_state(const struct slirp_flow *f)
{
	(void)f;
	return "open";
}

static void slirp_udp_close(struct slirp *s, struct slirp_flow *base)
{
	struct slirp_udp_flow *f = (struct slirp_udp_flow *)base;

	pk_watch_free(f->watch);
	if (!f->base.inbound && f->fd >= 0)
		close(f->fd);
	g_queue_unlink(&s->udp->lru, &f->lru);
	g_free(f);
}

static const struct slirp_flow_ops slirp_udp_ops = {
	.state = slirp_udp_state,
	.close = slirp_udp_close,
};

static struct slirp_udp_flow *slirp_udp_lookup(struct slirp *s, const struct slirp_flow_key *k)
{
	struct slirp_flow *f = slirp_flow_lookup(s, k);

	return f && f->ops == &slirp_udp_ops ? (struct slirp_udp_flow *)f : NULL;
}

/* Idle flows ---------------------------------------------------------------- */

static void slirp_udp_reap(struct pk_dev *dev, void *self, void *data)
{
	struct slirp *s = self;
	struct slirp_udp *u = data;
	uint64_t now = pk_dev_now(dev), timeout = (uint64_t)s->cfg.udp_timeout;
	GList *l;

	while ((l = u->lru.head)) {
		struct slirp_udp_flow *f = l->data;

		if (now - f->base.last_active < timeout) {
			pk_timer_arm(u->reaper, f->base.last_active + timeout - now);
			return;
		}
		s->ctr[SLIRP_C_UDP_TIMEOUTS]++;
		slirp_flow_remove(s, &f->base);
	}
}

/* Activity on @f: to the young end of the list. */
static void slirp_udp_touch(struct slirp *s, struct slirp_udp_flow *f)
{
	struct slirp_udp *u = s->udp;

	f->base.last_active = pk_dev_now(s->dev);
	if (u->lru.tail != &f->lru) {
		g_queue_unlink(&u->lru, &f->lru);
		g_queue_push_tail_link(&u->lru, &f->lru);
	}
}

static struct slirp_udp_flow *slirp_udp_flow_new(struct slirp *s, const struct slirp_flow_key *k,
						 int fd)
{
	struct slirp_udp_flow *f = g_new0(struct slirp_udp_flow, 1);

	f->base.key = *k;
	f->base.ops = &slirp_udp_ops;
	f->fd = fd;
	f->lru.data = f;
	slirp_flow_add(s, &f->base);
	g_queue_push_tail_link(&s->udp->lru, &f->lru);
	if (!pk_timer_is_armed(s->udp->reaper))
		pk_timer_arm(s->udp->reaper, (uint64_t)s->cfg.udp_timeout);
	return f;
}

/* Quoting ------------------------------------------------------------------- */

/* Keep the headers and the first bytes of the guest's packet, its length
 * fields cut to what is kept, so that it is a well-formed packet to quote. */
static void slirp_udp_keep_quote(struct slirp_udp_flow *f, const struct slirp_pkt *p)
{
	uint32_t l4_off = (uint32_t)(p->l4 - p->pkt);
	uint32_t n = MIN(p->pkt_len, l4_off + PK_UDP_HLEN + SLIRP_UDP_QUOTE_DATA);

	if (n > sizeof(f->quote)) {
		f->quote_len = 0;
		return;
	}
	memcpy(f->quote, p->pkt, n);
	if (p->ipv6) {
		pk_put_be16(f->quote + 4, (uint16_t)(n - PK_IP6_HLEN));
	} else {
		pk_put_be16(f->quote + 2, (uint16_t)n);
		pk_put_be16(f->quote + 10, 0);
		pk_put_be16(f->quote + 10, pk_csum(f->quote, l4_off));
	}
	f->quote_len = n;
}

/* The ICMP error (type, code, info) of the guest's IP version that says
 * what @ee says, if there is one. */
static bool slirp_udp_error_icmp(bool ipv6, const struct sock_extended_err *ee, uint8_t *type,
				 uint8_t *code, uint32_t *info)
{
	*info = 0;
	if (!ipv6 && ee->ee_origin == SO_EE_ORIGIN_ICMP) {
		*type = ee->ee_type;
		*code = ee->ee_code;
		if (*type == PK_ICMP_DEST_UNREACH && *code == 4)
			*info = MAX(ee->ee_info, 68u) & 0xffff;
		else if (*type == PK_ICMP_PARAM_PROBLEM)
			*info = ee->ee_info << 24;
		return *type == PK_ICMP_DEST_UNREACH || *type == PK_ICMP_TIME_EXCEEDED ||
		       *type == PK_ICMP_PARAM_PROBLEM;
	}
	if (ipv6 && ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		*type = ee->ee_type;
		*code = ee->ee_code;
		if (*type == PK_ICMP6_PACKET_TOO_BIG)
			*info = MAX(ee->ee_info, 1280u);
		else if (*type == PK_ICMP6_PARAM_PROBLEM)
			*info = ee->ee_info;
		return *type >= PK_ICMP6_DEST_UNREACH && *type <= PK_ICMP6_PARAM_PROBLEM;
	}
	/* Found locally (or by another origin): by the error number. */
	switch (ee->ee_errno) {
	case ECONNREFUSED:
		*type = ipv6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH;
		*code = ipv6 ? 4 : 3;
		return true;
	case EHOSTUNREACH:
		*type = ipv6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH;
		*code = ipv6 ? 3 : 1;
		return true;
	case ENETUNREACH:
		*type = ipv6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH;
		*code = 0;
		return true;
	case EACCES:
	case EPERM:
		*type = ipv6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH;
		*code = ipv6 ? 1 : 13;
		return true;
	case EMSGSIZE:
		*type = ipv6 ? PK_ICMP6_PACKET_TOO_BIG : PK_ICMP_DEST_UNREACH;
		*code = ipv6 ? 0 : 4;
		*info = ipv6 ? MAX(ee->ee_info, 1280u) : MAX(ee->ee_info, 68u) & 0xffff;
		return true;
	default:
		return false;
	}
}

/* An error the host found for @f: an ICMP error to the guest, from the
 * address the guest talked to, quoting the flow's last datagram. */
static void slirp_udp_host_error(struct slirp *s, struct slirp_udp_flow *f,
				 const struct sock_extended_err *ee)
{
	uint8_t type, code;
	uint32_t info;

	s->ctr[SLIRP_C_ICMP_ERRORS_FROM_HOST]++;
	if (!f->quote_len || !slirp_udp_error_icmp(f->base.key.ipv6, ee, &type, &code, &info))
		return;
	slirp_send_icmp_error(s, f->base.key.ipv6, f->quote, f->quote_len, type, code, info,
			      f->base.key.remote_addr);
}

static void slirp_udp_read_errors(struct slirp *s, struct slirp_udp_flow *f)
{
	for (int i = 0; i < SLIRP_UDP_ERR_BATCH; i++) {
		union {
			struct cmsghdr align;
			uint8_t b[256];
		} ctrl;
		uint8_t data[64];
		struct sockaddr_storage from;
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = &ctrl,
			.msg_controllen = sizeof(ctrl),
		};

		if (recvmsg(f->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if ((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
				struct sock_extended_err ee;

				memcpy(&ee, CMSG_DATA(c), sizeof(ee));
				slirp_udp_host_error(s, f, &ee);
				break;
			}
		}
	}
}

/* Host sockets -------------------------------------------------------------- */

static bool slirp_udp_sock_setup(int fd, bool ipv6)
{
	int on = 1;

	if (ipv6)
		return setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on)) == 0;
	return setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof(on)) == 0;
}

static void slirp_udp_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			       void *data);

/* Connect @fd to the host side of @k and watch it; false (errno set) when
 * it cannot be. */
static bool slirp_udp_sock_connect(struct slirp *s, int fd, const struct slirp_flow_key *k,
				   uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t len;

	if (!slirp_udp_sock_setup(fd, k->ipv6))
		return false;
	slirp_host_sockaddr(s, k->ipv6, k->remote_addr, port, &sa, &len);
	return connect(fd, (struct sockaddr *)&sa, len) == 0;
}

/* The guest gets what connect() or socket() said as an ICMP error. */
static void slirp_udp_refuse(struct slirp *s, const struct slirp_pkt *p, int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		slirp_send_unreach(s, p, true, false);
		break;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case EADDRNOTAVAIL:
		slirp_send_unreach(s, p, false, false);
		break;
	default:
		slirp_send_unreach(s, p, false, p->proto == PK_IPPROTO_UDP);
		break;
	}
}

/* UDP --------------------------------------------------------------------- */

static bool slirp_udp_csum_ok(const struct slirp_pkt *p, const struct pk_udp_view *v)
{
	uint32_t ps;

	if (v->csum == 0)
		return !p->ipv6; /* "no checksum": IPv4 only (RFC 768, RFC 8200 8.1) */
	ps = p->ipv6 ? pk_csum_pseudo6(p->src, p->dst, PK_IPPROTO_UDP, v->len)
		     : pk_csum_pseudo4(p->src, p->dst, PK_IPPROTO_UDP, v->len);
	return pk_csum_fold(pk_csum_partial(p->l4, v->len, ps)) == 0;
}

static struct slirp_udp_flow *slirp_udp_open(struct slirp *s, const struct slirp_pkt *p,
					     const struct slirp_flow_key *k)
{
	struct slirp_udp_flow *f;
	int fd, err;

	if (!slirp_policy_allows(s, p->ipv6, p->dst, PK_IPPROTO_UDP, k->remote_port)) {
		slirp_send_unreach(s, p, true, false);
		return NULL;
	}
	if (!slirp_flow_admit(s)) {
		slirp_send_unreach(s, p, false, true);
		return NULL;
	}
	fd = socket(p->ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		slirp_count_socket_error(s, errno);
		slirp_send_unreach(s, p, false, true);
		return NULL;
	}
	if (!slirp_udp_sock_connect(s, fd, k, k->remote_port)) {
		err = errno;
		close(fd);
		pk_dev_debug(s->dev, "udp flow to port %u: %s", k->remote_port, g_strerror(err));
		slirp_udp_refuse(s, p, err);
		return NULL;
	}
	f = slirp_udp_flow_new(s, k, fd);
	f->watch = pk_watch_fd(s->dev, fd, G_IO_IN | G_IO_ERR, slirp_udp_readable, f);
	s->ctr[SLIRP_C_UDP_FLOWS]++;
	return f;
}

/* send() said no: a full buffer is a drop, a pending error from an earlier
 * datagram is reported through the error queue (and this one tried once
 * more), too big gets the guest the MTU. Returns whether to retry. */
static bool slirp_udp_send_failed(struct slirp *s, struct slirp_udp_flow *f, int err, bool retried)
{
	switch (err) {
	case EAGAIN:
#if EAGAIN != EWOULDBLOCK
	case EWOULDBLOCK:
#endif
	case ENOBUFS:
		pk_dev_drop(s->dev, PK_DROP_QUEUE_FULL, 1);
		return false;
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
		if (!retried)
			return true;
		break;
	case EMSGSIZE:
		if (!f->base.inbound && f->quote_len) {
			int mtu = 0;
			socklen_t len = sizeof(mtu);
			struct sock_extended_err ee = { .ee_errno = EMSGSIZE,
							.ee_origin = SO_EE_ORIGIN_LOCAL };

			if (getsockopt(f->fd, f->base.key.ipv6 ? SOL_IPV6 : SOL_IP,
				       f->base.key.ipv6 ? IPV6_MTU : IP_MTU, &mtu, &len) == 0 &&
			    mtu > 0) {
				ee.ee_info = (uint32_t)mtu;
				slirp_udp_host_error(s, f, &ee);
			}
		}
		break;
	default:
		break;
	}
	s->ctr[SLIRP_C_UDP_SEND_ERRORS]++;
	return false;
}

/* @data to the host side of @f; true when sent. */
static bool slirp_udp_send(struct slirp *s, struct slirp_udp_flow *f, const void *data,
			   uint32_t len)
{
	for (bool retried = false;; retried = true) {
		ssize_t n;

		if (f->base.inbound)
			n = sendto(f->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&f->client,
				   f->client_len);
		else
			n = send(f->fd, data, len, MSG_DONTWAIT);
		if (n >= 0)
			return true;
		if (!slirp_udp_send_failed(s, f, errno, retried))
			return false;
	}
}

void slirp_udp_input(struct slirp *s, const struct slirp_pkt *p)
{
	struct pk_udp_view v;
	struct slirp_flow_key k;
	struct slirp_udp_flow *f;

	if (!pk_udp_parse(p->l4, p->l4_len, &v)) {
		s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
		return;
	}
	if (!p->csum_trusted && !slirp_udp_csum_ok(p, &v)) {
		s->ctr[SLIRP_C_DROPPED_CHECKSUM]++;
		return;
	}
	slirp_flow_key_from_pkt(&k, p, v.sport, v.dport);
	f = slirp_udp_lookup(s, &k);
	if (!f) {
		if (slirp_flow_lookup(s, &k))
			return; /* someone else's flow (DNS): not ours to carry */
		f = slirp_udp_open(s, p, &k);
		if (!f)
			return;
	}
	slirp_udp_touch(s, f);
	if (!f->base.inbound)
		slirp_udp_keep_quote(f, p);
	if (slirp_udp_send(s, f, v.payload, v.payload_len)) {
		s->ctr[SLIRP_C_UDP_DATAGRAMS_IN]++;
		f->base.guest_bytes += v.payload_len;
	}
}

/* A datagram of @len bytes at @data from the remote of @f to its guest. */
static void slirp_udp_to_guest(struct slirp *s, struct slirp_udp_flow *f, const uint8_t *data,
			       uint32_t len)
{
	const struct slirp_flow_key *k = &f->base.key;
	const struct pk_ip_fields ipf = {
		.version = k->ipv6 ? 6 : 4,
		.src = k->remote_addr,
		.dst = k->guest_addr,
	};
	struct pk_buf *b;
	uint8_t *l4;

	if (pk_ip_hdr_len(ipf.version) + PK_UDP_HLEN + len > s->cfg.mtu) {
		s->ctr[SLIRP_C_UDP_TOO_BIG]++;
		return;
	}
	b = slirp_alloc_l4(s, k->ipv6, PK_UDP_HLEN + len, &l4);
	if (!b)
		return;
	memcpy(l4 + PK_UDP_HLEN, data, len);
	pk_udp_hdr_write(l4, PK_UDP_HLEN + len, &ipf, k->remote_port, k->guest_port, 0);
	s->ctr[SLIRP_C_UDP_DATAGRAMS_OUT]++;
	f->base.host_bytes += len;
	slirp_udp_touch(s, f);
	slirp_send_l4(s, b, k->ipv6, PK_IPPROTO_UDP, k->remote_addr, k->guest_addr);
}

/* ICMP echo ----------------------------------------------------------------- */

/* An echo reply the host got (@msg: from the ICMP header) to the guest,
 * with the guest's identifier and a new checksum. */
static void slirp_echo_to_guest(struct slirp *s, struct slirp_udp_flow *f, uint8_t *msg,
				uint32_t len)
{
	const struct slirp_flow_key *k = &f->base.key;
	const struct pk_ip_fields ipf = {
		.version = k->ipv6 ? 6 : 4,
		.src = k->remote_addr,
		.dst = k->guest_addr,
	};
	struct pk_buf *b;
	uint8_t *l4;

	if (len < PK_ICMP_HLEN || msg[0] != (k->ipv6 ? PK_ICMP6_ECHO_REPLY : PK_ICMP_ECHO_REPLY))
		return;
	if (f->raw && pk_get_be16(msg + 4) != f->host_id)
		return; /* someone else's echo, seen by our raw socket */
	if (pk_ip_hdr_len(ipf.version) + len > s->cfg.mtu) {
		s->ctr[SLIRP_C_UDP_TOO_BIG]++;
		return;
	}
	b = slirp_alloc_l4(s, k->ipv6, len, &l4);
	if (!b)
		return;
	memcpy(l4, msg, len);
	pk_put_be16(l4 + 4, k->guest_port);
	pk_icmp_csum_fill(l4, len, &ipf);
	s->ctr[SLIRP_C_ICMP_ECHO_REPLIES]++;
	f->base.host_bytes += len - PK_ICMP_HLEN;
	slirp_udp_touch(s, f);
	slirp_send_l4(s, b, k->ipv6, k->ipv6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP, k->remote_addr,
		      k->guest_addr);
}

/* A raw ICMP socket sees every ICMP message: let only echo replies through. */
static bool slirp_echo_raw_filter(int fd, bool ipv6)
{
	if (ipv6) {
		struct icmp6_filter flt;

		ICMP6_FILTER_SETBLOCKALL(&flt);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &flt);
		return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof(flt)) == 0;
	} else {
		struct icmp_filter flt = { .data = ~(1u << ICMP_ECHOREPLY) };

		return setsockopt(fd, SOL_RAW, ICMP_FILTER, &flt, sizeof(flt)) == 0;
	}
}

/* An ICMP socket of the guest's family: an unprivileged ping socket, else
 * (not in net.ipv4.ping_group_range) a raw one when we may; -1 with errno. */
static int slirp_echo_socket(struct slirp *s, bool ipv6, bool *raw)
{
	int af = ipv6 ? AF_INET6 : AF_INET, proto = ipv6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	*raw = false;
	if (fd >= 0 || (errno != EACCES && errno != EPERM))
		return fd;
	fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -1;
	if (!slirp_echo_raw_filter(fd, ipv6)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	*raw = true;
	return fd;
}

static struct slirp_udp_flow *slirp_echo_open(struct slirp *s, const struct slirp_pkt *p,
					      const struct slirp_flow_key *k)
{
	struct slirp_udp *u = s->udp;
	struct slirp_udp_flow *f;
	bool raw;
	int fd, err;

	if (!slirp_policy_allows(s, p->ipv6, p->dst, p->proto, 0)) {
		slirp_send_unreach(s, p, true, false);
		return NULL;
	}
	if (!slirp_flow_admit(s)) {
		slirp_send_unreach(s, p, false, false);
		return NULL;
	}
	fd = slirp_echo_socket(s, p->ipv6, &raw);
	if (fd < 0) {
		err = errno;
		if (err == EACCES || err == EPERM) {
			s->ctr[SLIRP_C_ICMP_ECHO_DROPPED]++;
			if (!u->echo_warned) {
				u->echo_warned = true;
				pk_dev_warn(s->dev,
					    "ICMP echo not forwarded: no ping socket (this "
					    "process's group is outside "
					    "net.ipv4.ping_group_range) and no raw socket "
					    "(no CAP_NET_RAW): %s",
					    g_strerror(err));
			}
			return NULL;
		}
		slirp_count_socket_error(s, err);
		slirp_send_unreach(s, p, false, false);
		return NULL;
	}
	if (!slirp_udp_sock_connect(s, fd, k, 0)) {
		err = errno;
		close(fd);
		slirp_udp_refuse(s, p, err);
		return NULL;
	}
	f = slirp_udp_flow_new(s, k, fd);
	f->echo = true;
	f->raw = raw;
	if (raw)
		f->host_id = u->next_raw_id++;
	f->watch = pk_watch_fd(s->dev, fd, G_IO_IN | G_IO_ERR, slirp_udp_readable, f);
	s->ctr[SLIRP_C_ICMP_ECHO_FLOWS]++;
	return f;
}

static bool slirp_icmp_csum_ok(const struct slirp_pkt *p)
{
	uint32_t ps = p->ipv6 ? pk_csum_pseudo6(p->src, p->dst, PK_IPPROTO_ICMPV6, p->l4_len) : 0;

	return pk_csum_fold(pk_csum_partial(p->l4, p->l4_len, ps)) == 0;
}

void slirp_icmp_input(struct slirp *s, const struct slirp_pkt *p)
{
	struct slirp_flow_key k;
	struct slirp_udp_flow *f;
	const uint8_t *msg = p->l4;
	uint32_t len = p->l4_len;

	if (len < PK_ICMP_HLEN) {
		s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
		return;
	}
	if (!p->csum_trusted && !slirp_icmp_csum_ok(p)) {
		s->ctr[SLIRP_C_DROPPED_CHECKSUM]++;
		return;
	}
	if (msg[0] != (p->ipv6 ? PK_ICMP6_ECHO_REQUEST : PK_ICMP_ECHO_REQUEST)) {
		/* Errors about host flows, NDP, ...: nothing to pass on. */
		s->ctr[SLIRP_C_ICMP_DROPPED]++;
		return;
	}
	if (!s->cfg.icmp_echo) {
		s->ctr[SLIRP_C_ICMP_ECHO_DROPPED]++;
		return;
	}
	slirp_flow_key_from_pkt(&k, p, pk_get_be16(msg + 4), 0);
	f = slirp_udp_lookup(s, &k);
	if (!f) {
		f = slirp_echo_open(s, p, &k);
		if (!f)
			return;
	}
	slirp_udp_touch(s, f);
	slirp_udp_keep_quote(f, p);
	if (f->raw) {
		/* Our identifier; the checksum is ours to make for IPv4, the
		 * kernel's for ICMPv6 (RFC 3542 3.1). */
		memcpy(s->udp->tx, msg, len);
		pk_put_be16(s->udp->tx + 4, f->host_id);
		pk_put_be16(s->udp->tx + 2, 0);
		if (!p->ipv6)
			pk_put_be16(s->udp->tx + 2, pk_csum(s->udp->tx, len));
		msg = s->udp->tx;
	}
	/* Ping sockets: the kernel sets its identifier and the checksum. */
	if (slirp_udp_send(s, f, msg, len)) {
		s->ctr[SLIRP_C_ICMP_ECHO_REQUESTS]++;
		f->base.guest_bytes += len - PK_ICMP_HLEN;
	}
}

/* From the host ------------------------------------------------------------- */

static void slirp_udp_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			       void *data)
{
	struct slirp *s = self;
	struct slirp_udp_flow *f = data;
	uint8_t *rx = s->udp->rx;

	(void)dev;
	(void)revents;
	/* Errors first: reading them clears the socket's pending error, which
	 * recv() would otherwise return instead of data. */
	slirp_udp_read_errors(s, f);
	for (int i = 0; i < SLIRP_UDP_RX_BATCH; i++) {
		ssize_t n = recv(fd, rx, PK_BUF_MAX_LEN, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			continue; /* a pending error, already read from the queue */
		}
		if (!f->echo) {
			slirp_udp_to_guest(s, f, rx, (uint32_t)n);
		} else if (f->raw && !f->base.key.ipv6) {
			/* IPv4 raw sockets hand over the IP header too. */
			uint32_t hl = n > 0 ? (uint32_t)(rx[0] & 0x0f) * 4 : 0;

			if (hl >= PK_IP4_HLEN && hl <= (uint32_t)n)
				slirp_echo_to_guest(s, f, rx + hl, (uint32_t)n - hl);
		} else {
			slirp_echo_to_guest(s, f, rx, (uint32_t)n);
		}
	}
}

/* Port forwards ------------------------------------------------------------- */

void slirp_udp_forward_input(struct slirp *s, int listen_fd, const struct sockaddr_storage *client,
			     socklen_t client_len, bool ipv6, const uint8_t *guest,
			     uint16_t guest_port, const uint8_t *from, uint16_t from_port,
			     const uint8_t *data, uint32_t len)
{
	struct slirp_flow_key k = {
		.proto = PK_IPPROTO_UDP,
		.ipv6 = ipv6,
		.guest_port = guest_port,
		.remote_port = from_port,
	};
	struct slirp_udp_flow *f;

	if (!s->running)
		return;
	memcpy(k.guest_addr, guest, ipv6 ? 16 : 4);
	memcpy(k.remote_addr, from, ipv6 ? 16 : 4);
	f = slirp_udp_lookup(s, &k);
	if (!f) {
		if (slirp_flow_lookup(s, &k) || !slirp_flow_admit(s))
			return;
		f = slirp_udp_flow_new(s, &k, listen_fd);
		f->base.inbound = true;
		s->ctr[SLIRP_C_UDP_FLOWS]++;
		slirp_fwd_udp_flow_opened(s, listen_fd); /* its "connections" */
	}
	if (f->base.inbound) {
		f->fd = listen_fd;
		f->client_len = MIN(client_len, (socklen_t)sizeof(f->client));
		memcpy(&f->client, client, f->client_len);
	}
	slirp_udp_to_guest(s, f, data, len);
}

void slirp_udp_forward_closed(struct slirp *s, int listen_fd)
{
	GList *l = s->udp->lru.head;

	while (l) {
		struct slirp_udp_flow *f = l->data;

		l = l->next;
		if (f->base.inbound && f->fd == listen_fd)
			slirp_flow_remove(s, &f->base);
	}
}

/* The area ------------------------------------------------------------------ */

struct slirp_udp *slirp_udp_new(struct slirp *s)
{
	struct slirp_udp *u = g_new0(struct slirp_udp, 1);

	g_queue_init(&u->lru);
	u->reaper = pk_timer_new(s->dev, slirp_udp_reap, u);
	u->rx = g_malloc(PK_BUF_MAX_LEN);
	u->tx = g_malloc(PK_BUF_MAX_LEN);
	u->next_raw_id = (uint16_t)g_random_int();
	return u;
}

void slirp_udp_free(struct slirp_udp *u)
{
	if (!u)
		return;
	pk_timer_free(u->reaper);
	g_free(u->rx);
	g_free(u->tx);
	g_free(u);
}
