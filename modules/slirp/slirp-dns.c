/* SPDX-License-Identifier: MIT
 * slirp-dns.c - The DNS forwarder of l3.slirp: guests' UDP queries relayed to the host's resolvers
 *
 * A query a guest sends to dns4/dns6, port 53, goes out unchanged but for
 * its ID: each waiting query gets a fresh random one (so equal IDs of two
 * guests cannot collide, and answers are harder to spoof), and the guest's
 * ID is put back into the answer. The queries leave through one unconnected,
 * non-blocking UDP socket per family (opened at the first query), with
 * IP_RECVERR / IPV6_RECVERR so that an ICMP error (port unreachable, ...)
 * names the resolver that failed.
 *
 * A resolver has SLIRP_DNS_TIMEOUT_NS to answer; then, or at once when it
 * is unreachable, the next one is asked (each at most once per query); when
 * every one failed the guest gets a SERVFAIL made from its query. An answer
 * is taken only from a resolver the query went to, with a waiting ID, QR
 * set and the query's questions; it goes to the guest as it is (TC set
 * included: the guest retries over TCP), from the DNS address it asked.
 *
 * Waiting queries are kept by ID and in one list by deadline (every try
 * lasts the same, so sending appends at the tail), with one timer for the
 * earliest. Everything runs on the device's context.
 */
#include <errno.h>
#include <time.h> /* struct timespec, before linux/errqueue.h */

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include <pktkit/toolkit/dns.h>

#include "slirp-private.h"

/* Largest datagram read from a resolver. */
#define SLIRP_DNS_RX_MAX 65536u
/* Datagrams read per wake-up of a socket (the watch fires again). */
#define SLIRP_DNS_RX_BUDGET 64

/* Who asked: where the answer goes and from which address. */
struct slirp_dns_peer {
	bool ipv6;
	uint16_t port;
	uint16_t id; /* the guest's query ID */
	uint8_t addr[16];
	uint8_t dns[16]; /* the DNS address it asked (dns4 or dns6) */
};

struct slirp_dns_query {
	GList link; /* in slirp_dns.queue while a try is under way */
	bool queued;
	uint64_t deadline;
	uint32_t tried;	     /* bit per resolver index */
	unsigned int server; /* the current try's */
	uint16_t id;	     /* in the forwarded query */
	struct slirp_dns_peer peer;
	uint32_t len;
	uint8_t msg[]; /* the query as forwarded (ID = @id) */
};

struct slirp_dns {
	struct slirp *s;
	struct slirp_dns_server servers[SLIRP_DNS_MAX_SERVERS];
	unsigned int n_servers;
	/* Where new queries go first: the resolver that answered last, or the
	 * one after a resolver that failed. */
	unsigned int preferred;
	int fd[2]; /* AF_INET, AF_INET6; -1 until needed */
	struct pk_watch *watch[2];
	struct pk_timer *timer;
	GHashTable *pending; /* SLIRP_DNS_KEY(forwarded ID) -> struct slirp_dns_query */
	GQueue queue;	     /* waiting queries, earliest deadline first */
	uint8_t *rx;	     /* SLIRP_DNS_RX_MAX bytes, with the sockets */
};

/* ID 0 must not be a NULL key. */
#define SLIRP_DNS_KEY(id) GUINT_TO_POINTER(0x10000u | (id))

static void slirp_dns_timer(struct pk_dev *dev, void *self, void *data);

static bool slirp_dns_enabled(const struct slirp_config *cfg)
{
	static const struct pk_ip6 none6;
	static const struct pk_ip4 none4;

	return memcmp(&cfg->dns4, &none4, sizeof(none4)) != 0 ||
	       memcmp(&cfg->dns6, &none6, sizeof(none6)) != 0;
}

struct slirp_dns *slirp_dns_new(struct slirp *s, const struct slirp_config *cfg, GError **error)
{
	const struct slirp_dns_server_rec *rec = cfg->dns_servers.items;
	struct slirp_dns *d = g_new0(struct slirp_dns, 1);

	d->s = s;
	d->fd[0] = d->fd[1] = -1;
	for (uint32_t i = 0; i < cfg->dns_servers.n && i < SLIRP_DNS_MAX_SERVERS; i++) {
		if (!slirp_dns_server_parse(rec[i].address, (uint16_t)rec[i].port,
					    &d->servers[i])) {
			g_set_error(
				error, PK_ERROR, PK_ERROR_INVALID,
				"dns-servers[%u].address: \"%s\" is not an IPv4 or IPv6 address", i,
				rec[i].address ? rec[i].address : "");
			g_free(d);
			return NULL;
		}
		d->n_servers++;
	}
	if (!cfg->dns_servers.n) {
		g_autofree char *text = NULL;

		/* Read once, at creation (a small local file). */
		if (g_file_get_contents("/etc/resolv.conf", &text, NULL, NULL))
			d->n_servers = slirp_dns_resolv_conf_parse(text, d->servers,
								   SLIRP_DNS_MAX_SERVERS);
		if (!d->n_servers && slirp_dns_enabled(cfg))
			pk_dev_warn(s->dev, "no dns-servers and no nameserver in /etc/resolv.conf: "
					    "DNS queries of the guests get SERVFAIL");
	}
	d->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_queue_init(&d->queue);
	d->timer = pk_timer_new(s->dev, slirp_dns_timer, d);
	return d;
}

static void slirp_dns_query_free(struct slirp_dns *d, struct slirp_dns_query *q)
{
	g_hash_table_remove(d->pending, SLIRP_DNS_KEY(q->id));
	if (q->queued)
		g_queue_unlink(&d->queue, &q->link);
	g_free(q);
}

static void slirp_dns_close(struct slirp_dns *d)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, d->pending);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct slirp_dns_query *q = v;

		g_hash_table_iter_remove(&it);
		if (q->queued)
			g_queue_unlink(&d->queue, &q->link);
		g_free(q);
	}
	for (int i = 0; i < 2; i++) {
		g_clear_pointer(&d->watch[i], pk_watch_free);
		if (d->fd[i] >= 0)
			close(d->fd[i]);
		d->fd[i] = -1;
	}
	g_clear_pointer(&d->rx, g_free);
	pk_timer_cancel(d->timer);
}

void slirp_dns_stop(struct slirp_dns *d)
{
	if (d)
		slirp_dns_close(d);
}

void slirp_dns_free(struct slirp_dns *d)
{
	if (!d)
		return;
	slirp_dns_close(d);
	pk_timer_free(d->timer);
	g_hash_table_destroy(d->pending);
	g_free(d);
}

char *slirp_dns_describe(const struct slirp_dns *d)
{
	return d ? slirp_dns_servers_describe(d->servers, d->n_servers) : NULL;
}

bool slirp_dns_tcp_target(struct slirp *s, struct sockaddr_storage *sa, socklen_t *len)
{
	const struct slirp_dns *d = s->dns;

	if (!d || !d->n_servers)
		return false;
	*sa = d->servers[d->preferred].sa;
	*len = d->servers[d->preferred].len;
	return true;
}

/* Replies to the guests ---------------------------------------------------- */

static void slirp_dns_to_guest(struct slirp_dns *d, const struct slirp_dns_peer *g,
			       const uint8_t *msg, uint32_t len)
{
	struct slirp *s = d->s;
	const struct pk_ip_fields f = {
		.src = g->dns,
		.dst = g->addr,
		.version = g->ipv6 ? 6 : 4,
		.proto = PK_IPPROTO_UDP,
	};
	struct pk_buf *b;
	uint8_t *l4;

	b = slirp_alloc_l4(s, g->ipv6, PK_UDP_HLEN + len, &l4);
	if (!b)
		return;
	memcpy(l4 + PK_UDP_HLEN, msg, len);
	pk_udp_hdr_write(l4, PK_UDP_HLEN + len, &f, PK_DNS_PORT, g->port, 0);
	slirp_send_l4(s, b, g->ipv6, PK_IPPROTO_UDP, g->dns, g->addr);
}

/* A reply without records to @query (the guest's ID @g->id put in), or just
 * its header if even the question does not fit in @room. */
static void slirp_dns_short_reply(struct slirp_dns *d, const struct slirp_dns_peer *g,
				  const uint8_t *query, uint32_t qlen, uint16_t flags,
				  uint32_t room)
{
	uint8_t buf[SLIRP_DNS_QUERY_MAX];
	uint32_t n = slirp_dns_reply_build(buf, MIN(room, (uint32_t)sizeof(buf)), query, qlen,
					   g->id, flags);

	if (!n) {
		memset(buf, 0, PK_DNS_HDR_LEN);
		pk_put_be16(buf, g->id);
		pk_put_be16(buf + 2, flags | PK_DNS_F_TC);
		n = PK_DNS_HDR_LEN;
	}
	slirp_dns_to_guest(d, g, buf, n);
}

/* The largest DNS message the guest can get in one packet of the mtu. */
static uint32_t slirp_dns_room(const struct slirp *s, bool ipv6)
{
	return s->cfg.mtu - pk_ip_hdr_len(ipv6 ? 6 : 4) - PK_UDP_HLEN;
}

static void slirp_dns_servfail(struct slirp_dns *d, const struct slirp_dns_peer *g,
			       const uint8_t *query, uint32_t qlen)
{
	d->s->ctr[SLIRP_C_DNS_SERVFAIL]++;
	slirp_dns_short_reply(d, g, query, qlen, slirp_dns_servfail_flags(pk_get_be16(query + 2)),
			      slirp_dns_room(d->s, g->ipv6));
}

/* Relay @a (an answer to @q, @len bytes, writable) to the guest. */
static void slirp_dns_answer_to_guest(struct slirp_dns *d, const struct slirp_dns_query *q,
				      uint8_t *a, uint32_t len)
{
	uint32_t room = slirp_dns_room(d->s, q->peer.ipv6);

	d->s->ctr[SLIRP_C_DNS_ANSWERS]++;
	if (len > room) {
		/* No IP fragments towards the guests: an empty answer with TC
		 * set makes the guest ask again over TCP. */
		d->s->ctr[SLIRP_C_DNS_TRUNCATED]++;
		slirp_dns_short_reply(d, &q->peer, q->msg, q->len, pk_get_be16(a + 2) | PK_DNS_F_TC,
				      room);
		return;
	}
	pk_put_be16(a, q->peer.id);
	slirp_dns_to_guest(d, &q->peer, a, len);
}

/* Sending to the resolvers ------------------------------------------------- */

static void slirp_dns_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			       void *data);

static int slirp_dns_socket(struct slirp_dns *d, int family)
{
	int i = family == AF_INET6, fd, on = 1;

	if (d->fd[i] >= 0)
		return d->fd[i];
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		slirp_count_socket_error(d->s, errno);
		return -1;
	}
	/* ICMP errors go to the error queue, with the destination they are
	 * about: that resolver is then skipped at once. */
	if (family == AF_INET6) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
	} else {
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	}
	if (!d->rx)
		d->rx = g_malloc(SLIRP_DNS_RX_MAX);
	d->fd[i] = fd;
	d->watch[i] = pk_watch_fd(d->s->dev, fd, G_IO_IN | G_IO_ERR, slirp_dns_readable, d);
	return fd;
}

static bool slirp_dns_sendto(struct slirp_dns *d, const struct slirp_dns_query *q, unsigned int i)
{
	const struct slirp_dns_server *srv = &d->servers[i];
	int fd = slirp_dns_socket(d, srv->sa.ss_family);

	if (fd < 0)
		return false;
	/* A second try: an ICMP error reported earlier (IP_RECVERR) fails the
	 * next send once, whatever its destination. */
	for (int k = 0; k < 2; k++) {
		ssize_t n = sendto(fd, q->msg, q->len, MSG_DONTWAIT | MSG_NOSIGNAL,
				   (const struct sockaddr *)&srv->sa, srv->len);

		if (n == (ssize_t)q->len)
			return true;
		if (n >= 0)
			return false;
		pk_dev_debug(d->s->dev, "DNS query to resolver %u: %s", i, g_strerror(errno));
	}
	return false;
}

/* Resolver @i timed out or is unreachable: new queries go to the next one. */
static void slirp_dns_server_failed(struct slirp_dns *d, unsigned int i)
{
	if (d->preferred == i)
		d->preferred = (i + 1) % d->n_servers;
}

/* Send @q to the first resolver it has not tried, from @start on. Return:
 * false when every one was tried (or could not be sent to). */
static bool slirp_dns_send_next(struct slirp_dns *d, struct slirp_dns_query *q, unsigned int start)
{
	for (unsigned int k = 0; k < d->n_servers; k++) {
		unsigned int i = (start + k) % d->n_servers;

		if (q->tried & (1u << i))
			continue;
		if (q->tried)
			d->s->ctr[SLIRP_C_DNS_RETRIES]++;
		q->tried |= 1u << i;
		q->server = i;
		if (slirp_dns_sendto(d, q, i)) {
			if (q->queued)
				g_queue_unlink(&d->queue, &q->link);
			q->deadline = pk_dev_now(d->s->dev) + SLIRP_DNS_TIMEOUT_NS;
			g_queue_push_tail_link(&d->queue, &q->link);
			q->queued = true;
			return true;
		}
		slirp_dns_server_failed(d, i);
	}
	return false;
}

/* The current try of @q failed: the next resolver, or SERVFAIL. */
static void slirp_dns_try_failed(struct slirp_dns *d, struct slirp_dns_query *q)
{
	if (slirp_dns_send_next(d, q, q->server + 1))
		return;
	slirp_dns_servfail(d, &q->peer, q->msg, q->len);
	slirp_dns_query_free(d, q);
}

static void slirp_dns_rearm(struct slirp_dns *d)
{
	const struct slirp_dns_query *q = d->queue.head ? d->queue.head->data : NULL;
	uint64_t now;

	if (!q) {
		pk_timer_cancel(d->timer);
		return;
	}
	now = pk_dev_now(d->s->dev);
	pk_timer_arm(d->timer, q->deadline > now ? q->deadline - now : 0);
}

static void slirp_dns_timer(struct pk_dev *dev, void *self, void *data)
{
	struct slirp_dns *d = data;
	uint64_t now = pk_dev_now(dev);
	struct slirp_dns_query *q;

	/* A try sent again goes to the tail with a later deadline: the loop
	 * ends. */
	while (d->queue.head && (q = d->queue.head->data)->deadline <= now) {
		slirp_dns_server_failed(d, q->server);
		slirp_dns_try_failed(d, q);
	}
	slirp_dns_rearm(d);
}

/* Resolver @i is unreachable (an ICMP error about a datagram to it): every
 * query waiting for it moves on now. */
static void slirp_dns_server_unreachable(struct slirp_dns *d, unsigned int i)
{
	struct slirp_dns_query *hit[SLIRP_DNS_MAX_PENDING];
	unsigned int n = 0;

	slirp_dns_server_failed(d, i);
	for (GList *l = d->queue.head; l && n < G_N_ELEMENTS(hit); l = l->next) {
		struct slirp_dns_query *q = l->data;

		if (q->server == i)
			hit[n++] = q;
	}
	for (unsigned int k = 0; k < n; k++)
		slirp_dns_try_failed(d, hit[k]);
}

/* Receiving from the resolvers --------------------------------------------- */

static void slirp_dns_errqueue(struct slirp_dns *d, int fd)
{
	for (int budget = SLIRP_DNS_RX_BUDGET; budget > 0; budget--) {
		struct sockaddr_storage to;
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err)) +
				 CMSG_SPACE(sizeof(struct sockaddr_in6))];
			struct cmsghdr align;
		} ctrl;
		struct iovec iov = { .iov_base = d->rx, .iov_len = SLIRP_DNS_RX_MAX };
		struct msghdr mh = {
			.msg_name = &to,
			.msg_namelen = sizeof(to),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = ctrl.buf,
			.msg_controllen = sizeof(ctrl.buf),
		};
		const struct sock_extended_err *ee = NULL;

		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
				ee = (const struct sock_extended_err *)CMSG_DATA(c);
		/* Only an ICMP error says a resolver is unreachable; "packet
		 * too big" does not (the kernel learns the path MTU). */
		if (!ee || ee->ee_errno == EMSGSIZE ||
		    (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6))
			continue;
		/* The error's address is the destination of the datagram that
		 * failed: the resolver. */
		for (unsigned int i = 0; i < d->n_servers; i++)
			if (slirp_dns_server_match(&d->servers[i], (struct sockaddr *)&to,
						   mh.msg_namelen)) {
				pk_dev_debug(d->s->dev, "DNS resolver %u unreachable: %s", i,
					     g_strerror((int)ee->ee_errno));
				slirp_dns_server_unreachable(d, i);
			}
	}
}

/* Which resolver that @q was sent to @from is; -1 if none. */
static int slirp_dns_source(const struct slirp_dns *d, const struct slirp_dns_query *q,
			    const struct sockaddr *from, socklen_t from_len)
{
	for (unsigned int i = 0; i < d->n_servers; i++)
		if ((q->tried & (1u << i)) &&
		    slirp_dns_server_match(&d->servers[i], from, from_len))
			return (int)i;
	return -1;
}

static void slirp_dns_answer_input(struct slirp_dns *d, uint8_t *a, uint32_t len,
				   const struct sockaddr *from, socklen_t from_len)
{
	struct slirp_dns_query *q = NULL;
	int i = -1;

	if (len >= PK_DNS_HDR_LEN)
		q = g_hash_table_lookup(d->pending, SLIRP_DNS_KEY(pk_get_be16(a)));
	if (q)
		i = slirp_dns_source(d, q, from, from_len);
	/* A late answer of a resolver asked before is as good. */
	if (i < 0 || !slirp_dns_answer_matches(q->msg, q->len, a, len)) {
		d->s->ctr[SLIRP_C_DNS_DROPPED_ANSWERS]++;
		return;
	}
	d->preferred = (unsigned int)i;
	slirp_dns_answer_to_guest(d, q, a, len);
	slirp_dns_query_free(d, q);
}

static void slirp_dns_readable(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			       void *data)
{
	struct slirp_dns *d = data;

	if (revents & G_IO_ERR)
		slirp_dns_errqueue(d, fd);
	for (int budget = SLIRP_DNS_RX_BUDGET; budget > 0; budget--) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(fd, d->rx, SLIRP_DNS_RX_MAX, MSG_DONTWAIT | MSG_TRUNC,
				     (struct sockaddr *)&from, &from_len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* An ICMP error reported once more (the error queue
			 * said which resolver): read on. */
			continue;
		}
		if ((size_t)n > SLIRP_DNS_RX_MAX) {
			d->s->ctr[SLIRP_C_DNS_DROPPED_ANSWERS]++;
			continue;
		}
		slirp_dns_answer_input(d, d->rx, (uint32_t)n, (struct sockaddr *)&from, from_len);
	}
	slirp_dns_rearm(d);
}

/* Queries from the guests -------------------------------------------------- */

static bool slirp_dns_udp_csum_ok(const struct slirp_pkt *p, const struct pk_udp_view *u)
{
	uint32_t sum;

	if (p->csum_trusted)
		return true;
	if (!u->csum)
		return !p->ipv6; /* IPv4: no checksum; IPv6: it is mandatory */
	sum = p->ipv6 ? pk_csum_pseudo6(p->src, p->dst, PK_IPPROTO_UDP, u->len)
		      : pk_csum_pseudo4(p->src, p->dst, PK_IPPROTO_UDP, u->len);
	return pk_csum_fold(pk_csum_partial(p->l4, u->len, sum)) == 0;
}

void slirp_dns_udp_input(struct slirp *s, const struct slirp_pkt *p)
{
	struct slirp_dns *d = s->dns;
	struct slirp_dns_peer g = { .ipv6 = p->ipv6 };
	struct slirp_dns_query *q;
	struct pk_udp_view u;
	unsigned int alen = p->ipv6 ? 16 : 4;

	if (!pk_udp_parse(p->l4, p->l4_len, &u)) {
		s->ctr[SLIRP_C_DROPPED_BAD_IP]++;
		return;
	}
	if (!slirp_dns_udp_csum_ok(p, &u)) {
		s->ctr[SLIRP_C_DROPPED_CHECKSUM]++;
		return;
	}
	if (!u.sport || !slirp_dns_query_ok(u.payload, u.payload_len)) {
		s->ctr[SLIRP_C_DNS_DROPPED_MALFORMED]++;
		return;
	}
	s->ctr[SLIRP_C_DNS_QUERIES]++;
	g.port = u.sport;
	g.id = pk_get_be16(u.payload);
	memcpy(g.addr, p->src, alen);
	memcpy(g.dns, p->dst, alen);
	if (!d->n_servers) {
		slirp_dns_servfail(d, &g, u.payload, u.payload_len);
		return;
	}
	if (g_hash_table_size(d->pending) >= SLIRP_DNS_MAX_PENDING) {
		s->ctr[SLIRP_C_DNS_PENDING_FULL]++;
		slirp_dns_servfail(d, &g, u.payload, u.payload_len);
		return;
	}
	q = g_malloc0(sizeof(*q) + u.payload_len);
	q->link.data = q;
	q->peer = g;
	q->len = u.payload_len;
	memcpy(q->msg, u.payload, u.payload_len);
	/* A fresh ID no other waiting query has (at most 256 of 65536). */
	do
		q->id = pk_dns_random_id();
	while (g_hash_table_contains(d->pending, SLIRP_DNS_KEY(q->id)));
	pk_put_be16(q->msg, q->id);
	g_hash_table_insert(d->pending, SLIRP_DNS_KEY(q->id), q);
	if (!slirp_dns_send_next(d, q, d->preferred)) {
		slirp_dns_servfail(d, &q->peer, q->msg, q->len);
		slirp_dns_query_free(d, q);
	}
	slirp_dns_rearm(d);
}
