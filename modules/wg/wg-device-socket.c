/* SPDX-License-Identifier: MIT
 * wg-device-socket.c - l3.wg's UDP socket: batched sends and receives, UDP GSO and GRO
 *
 * Send: datagrams are queued (wg_dev_txq_add) and handed to sendmmsg() per
 * batch. With UDP GSO (UDP_SEGMENT), a run of datagrams to one endpoint
 * whose lengths are equal (the last may be shorter) goes as ONE message:
 * the kernel builds one large UDP packet and cuts it late (in the NIC or
 * just before the device), so a 64 KB TCP super-packet from an offloading
 * TUN, cut into ~45 sealed datagrams, crosses the kernel's UDP stack once.
 *
 * Receive: recvmmsg() fills up to 64 pool buffers. With UDP GRO (UDP_GRO),
 * the kernel may hand over several datagrams of one sender back to back in
 * one buffer, saying their size in a control message; they are cut apart
 * here before the interface sees them.
 *
 * Kernels that do not offer these (or refuse them at send time: see
 * gso_refused()) are detected: the socket option fails at open, or the
 * first refused send turns GSO off for the life of the socket, its
 * datagrams resent one by one. Nothing is lost and
 * nothing fails because of it ('udp-gso-fallbacks' counts it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>

#include "wg-device.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/* Send ----------------------------------------------------------------------------------- */

void wg_dev_txq_add(struct wg_dev *d, struct pk_buf *b, const uint8_t *data, size_t len,
		    const struct sockaddr_storage *to, socklen_t to_len)
{
	struct wg_txq_ent *e;

	if (d->fd < 0)
		return;
	if (d->txq_n == WG_IO_BATCH)
		wg_dev_flush(d);
	if (!b) {
		b = pk_buf_new_copy(data, (uint32_t)len);
		if (!b) {
			pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
			return;
		}
	} else {
		pk_buf_ref(b);
	}
	e = &d->txq[d->txq_n++];
	e->b = b;
	memcpy(&e->to, to, to_len);
	e->to_len = to_len;
}

static bool same_destination(const struct wg_txq_ent *a, const struct wg_txq_ent *b)
{
	return a->to_len == b->to_len && memcmp(&a->to, &b->to, a->to_len) == 0;
}

/* How many queued datagrams from @first can share one GSO message: same
 * destination, the same length as the first (the last of the run may be
 * shorter, and ends it), within the kernel's limits. */
static uint32_t gso_run(const struct wg_dev *d, uint32_t first)
{
	const struct wg_txq_ent *head = &d->txq[first];
	uint32_t seg = pk_buf_len(head->b), total = seg, n = 1;

	if (!d->gso)
		return 1;
	while (first + n < d->txq_n && n < WG_GSO_MAX_SEGS) {
		const struct wg_txq_ent *e = &d->txq[first + n];
		uint32_t len = pk_buf_len(e->b);

		if (len > seg || total + len > WG_GSO_MAX_BYTES || !same_destination(head, e))
			break;
		total += len;
		n++;
		if (len < seg)
			break;
	}
	return n;
}

/* Messages for the queued datagrams from @first on; returns how many. */
static uint32_t build_messages(struct wg_dev *d, uint32_t first)
{
	uint32_t k = 0;

	for (uint32_t i = first; i < d->txq_n; i++) {
		struct wg_txq_ent *e = &d->txq[i];

		d->tx_iov[i].iov_base = pk_buf_data(e->b);
		d->tx_iov[i].iov_len = pk_buf_len(e->b);
	}
	for (uint32_t i = first; i < d->txq_n; k++) {
		struct msghdr *h = &d->tx_msg[k].msg_hdr;
		uint32_t n = gso_run(d, i);

		memset(&d->tx_msg[k], 0, sizeof(d->tx_msg[k]));
		h->msg_iov = &d->tx_iov[i];
		h->msg_iovlen = n;
		h->msg_name = &d->txq[i].to;
		h->msg_namelen = d->txq[i].to_len;
		if (n > 1) {
			struct cmsghdr *c;
			uint16_t seg = (uint16_t)pk_buf_len(d->txq[i].b);

			h->msg_control = d->tx_ctl[k].buf;
			h->msg_controllen = sizeof(d->tx_ctl[k].buf);
			c = CMSG_FIRSTHDR(h);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		d->tx_first[k] = (uint16_t)i;
		d->tx_count[k] = (uint16_t)n;
		i += n;
	}
	return k;
}

/* Whether a failed send of a GSO message says the kernel will not segment
 * it: EIO (a device that cannot checksum, on older kernels), EINVAL and
 * EOPNOTSUPP (kernels without it that still took the option), EMSGSIZE (a
 * route whose MTU is below a datagram: GSO will not build segments that
 * need fragments, single sends are fragmented by IP). GSO then stays off for
 * the socket: one odd path costs every peer the offload, never a packet. */
static bool gso_refused(int err)
{
	return err == EIO || err == EINVAL || err == EOPNOTSUPP || err == ENOPROTOOPT ||
	       err == EMSGSIZE;
}

void wg_dev_flush(struct wg_dev *d)
{
	uint32_t done = 0;

	while (done < d->txq_n) {
		uint32_t k = build_messages(d, done);
		int n = sendmmsg(d->fd, d->tx_msg, k, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			for (int m = 0; m < n; m++)
				if (d->tx_count[m] > 1)
					pk_dev_count(d->dev, WG_C_GSO_SENDS, 1);
			done = (uint32_t)n < k ? d->tx_first[n] : d->txq_n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && d->tx_count[0] > 1 && gso_refused(errno)) {
			/* This kernel (or the route's device) cannot segment:
			 * go on without, and send the same datagrams again. */
			d->gso = false;
			pk_dev_count(d->dev, WG_C_GSO_FALLBACKS, 1);
			pk_dev_log(
				d->dev, G_LOG_LEVEL_MESSAGE,
				"UDP GSO refused (%s): sending one datagram per message from now on",
				g_strerror(errno));
			continue;
		}
		/* The head message is refused: a full buffer drops it (UDP
		 * has no back-pressure worth waiting for), anything else is
		 * an error of that one destination. */
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			pk_dev_drop(d->dev, PK_DROP_QUEUE_FULL, d->tx_count[0]);
		else
			pk_dev_count(d->dev, WG_C_IO_ERRORS, d->tx_count[0]);
		done += d->tx_count[0];
	}
	for (uint32_t i = 0; i < d->txq_n; i++)
		pk_buf_unref(d->txq[i].b);
	d->txq_n = 0;
}

/* Receive -------------------------------------------------------------------------------- */

/* The datagram size of a message the kernel coalesced (UDP GRO), or 0. */
static uint32_t gro_size(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v > 0 ? (uint32_t)v : 0;
		}
	}
	return 0;
}

/* Hand the datagrams in @b (one, or several of @seg bytes each and a
 * shorter last one) to the data path. The last is handled in @b itself,
 * the others are copied into buffers of their own, since each inner
 * packet travels on in its own buffer. */
static void handle_message(struct wg_dev *d, struct pk_buf *b, uint32_t seg,
			   const struct sockaddr_storage *from, socklen_t from_len, uint64_t now,
			   struct wg_rx_out *o)
{
	uint32_t len = pk_buf_len(b), off = 0;

	if (seg && seg < len) {
		pk_dev_count(d->dev, WG_C_GRO_RECEIVES, 1);
		for (; len - off > seg; off += seg) {
			struct pk_buf *c = pk_buf_new_copy(pk_buf_data(b) + off, seg);

			if (!c) {
				pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
				continue;
			}
			wg_dev_handle_datagram(d, c, from, from_len, now, o);
			pk_buf_unref(c);
		}
		pk_buf_pull(b, off);
	}
	wg_dev_handle_datagram(d, b, from, from_len, now, o);
}

static void read_socket(struct wg_dev *d)
{
	uint64_t now = pk_dev_now(d->dev);

	for (unsigned round = 0; round < WG_READS_PER_WAKEUP; round++) {
		struct wg_rx_out out;
		unsigned want = WG_IO_BATCH;
		int n;

		for (unsigned i = 0; i < want; i++) {
			struct msghdr *h = &d->rx_msg[i].msg_hdr;

			if (!d->rxb[i]) {
				d->rxb[i] = pk_buf_alloc(WG_RX_BUF_LEN);
				if (!d->rxb[i]) {
					want = i;
					break;
				}
			}
			d->rx_iov[i].iov_base = pk_buf_data(d->rxb[i]);
			d->rx_iov[i].iov_len = pk_buf_len(d->rxb[i]);
			memset(&d->rx_msg[i], 0, sizeof(d->rx_msg[i]));
			h->msg_iov = &d->rx_iov[i];
			h->msg_iovlen = 1;
			h->msg_name = &d->from[i];
			h->msg_namelen = sizeof(d->from[i]);
			if (d->gro) {
				h->msg_control = d->rx_ctl[i].buf;
				h->msg_controllen = sizeof(d->rx_ctl[i].buf);
			}
		}
		if (!want) {
			char sink;

			if (recv(d->fd, &sink, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0)
				pk_dev_drop(d->dev, PK_DROP_NO_BUFFER, 1);
			break;
		}
		n = recvmmsg(d->fd, d->rx_msg, want, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				pk_dev_count(d->dev, WG_C_IO_ERRORS, 1);
			break;
		}
		wg_rx_out_begin(&out);
		for (int i = 0; i < n; i++) {
			struct pk_buf *b = d->rxb[i];
			struct msghdr *h = &d->rx_msg[i].msg_hdr;

			if (h->msg_flags & MSG_TRUNC) {
				pk_dev_count(d->dev, WG_C_IO_ERRORS, 1);
			} else {
				pk_buf_trim(b, d->rx_msg[i].msg_len);
				handle_message(d, b, d->gro ? gro_size(h) : 0, &d->from[i],
					       h->msg_namelen, now, &out);
			}
			/* A delivered buffer is referenced by the batch; either
			 * way the next round takes a fresh one (the pool's cache
			 * makes that allocation-free). */
			pk_buf_unref(b);
			d->rxb[i] = NULL;
		}
		wg_dev_deliver(d, &out);
		wg_dev_flush(d);
		if ((unsigned)n < want)
			break;
	}
	wg_dev_rearm(d);
}

static void on_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents, void *data)
{
	(void)dev;
	(void)fd;
	(void)data;
	if (revents & (G_IO_IN | G_IO_ERR))
		read_socket(self);
}

/* Open and close ------------------------------------------------------------------------- */

static int open_socket(struct wg_dev *d, GError **error)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, off = 0, sz = 4 << 20;
	const char *bind_addr = d->bind_address;
	bool v4_only = false;

	memset(&ss, 0, sizeof(ss));
	if (*bind_addr) {
		struct in_addr a4;
		struct in6_addr a6;

		if (inet_pton(AF_INET, bind_addr, &a4) == 1) {
			struct sockaddr_in *a = (void *)&ss;

			a->sin_family = AF_INET;
			a->sin_addr = a4;
			a->sin_port = htons(d->listen_port);
			v4_only = true;
		} else if (inet_pton(AF_INET6, bind_addr, &a6) == 1) {
			struct sockaddr_in6 *a = (void *)&ss;

			a->sin6_family = AF_INET6;
			a->sin6_addr = a6;
			a->sin6_port = htons(d->listen_port);
		} else {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "bind-address: '%s' is not an IPv4 or IPv6 address", bind_addr);
			return -1;
		}
	}
	fd = v4_only ? -1 : socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct sockaddr_in6 *a = (void *)&ss;

		d->family = AF_INET6;
		if (!*bind_addr) {
			a->sin6_family = AF_INET6;
			a->sin6_port = htons(d->listen_port);
		}
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		sl = sizeof(*a);
	} else {
		/* No IPv6 in this namespace (or an IPv4 bind address). */
		struct sockaddr_in *a = (void *)&ss;

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "UDP socket: %s",
				    g_strerror(errno));
			return -1;
		}
		d->family = AF_INET;
		if (!*bind_addr) {
			a->sin_family = AF_INET;
			a->sin_port = htons(d->listen_port);
		}
		sl = sizeof(*a);
	}
	/* Room for bursts while the main loop is busy: beyond rmem_max /
	 * wmem_max when privileged (as wireguard-go does), else what they allow. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (d->fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &d->fwmark, sizeof(d->fwmark)) < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_PERMISSION,
			    "fwmark %u: %s (setting a mark needs CAP_NET_ADMIN)", d->fwmark,
			    g_strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "UDP port %u%s%s: %s", d->listen_port,
			    *bind_addr ? " on " : "", bind_addr, g_strerror(errno));
		close(fd);
		return -1;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	d->bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* Turn on what the kernel offers of UDP GSO and GRO (udp-offload). */
static void enable_offloads(struct wg_dev *d)
{
	int zero = 0, one = 1;

	d->gso = d->gro = false;
	if (!d->udp_offload)
		return;
	/* A socket-wide segment size of 0 changes nothing; the call only
	 * tells whether this kernel knows UDP_SEGMENT. */
	d->gso = setsockopt(d->fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0;
	d->gro = setsockopt(d->fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
	if (!d->gso || !d->gro)
		pk_dev_log(d->dev, G_LOG_LEVEL_INFO, "this kernel has no UDP %s%s%s",
			   d->gso ? "" : "GSO", !d->gso && !d->gro ? " or " : "",
			   d->gro ? "" : "GRO");
}

int wg_dev_socket_open(struct wg_dev *d, GError **error)
{
	d->fd = open_socket(d, error);
	if (d->fd < 0)
		return -1;
	enable_offloads(d);
	d->watch = pk_watch_fd(d->dev, d->fd, G_IO_IN, on_readable, NULL);
	return 0;
}

void wg_dev_socket_close(struct wg_dev *d)
{
	pk_watch_free(d->watch);
	d->watch = NULL;
	for (unsigned i = 0; i < WG_IO_BATCH; i++) {
		pk_buf_unref(d->rxb[i]);
		d->rxb[i] = NULL;
	}
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->gso = d->gro = false;
}
