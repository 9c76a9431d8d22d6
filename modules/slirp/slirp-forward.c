/* SPDX-License-Identifier: MIT
 * slirp-forward.c - Port forwards of l3.slirp: host listeners whose connections reach a guest
 *
 * Each forward of the 'forwards' parameter is one host socket: a TCP
 * listener whose accepted connections become inbound TCP flows
 * (slirp_tcp_open_inbound()), or a UDP socket whose datagrams go to the UDP
 * area (slirp_udp_forward_input()), which answers through the same socket.
 *
 * The set changes while the device runs (the parameter is LIVE): the new
 * sockets are bound first, and only when all of them could be are the
 * removed ones closed, so a port that is taken leaves everything as it was.
 * (Only a new forward whose port a removed one holds, as when 127.0.0.1:8080
 * becomes 0.0.0.0:8080, is bound right after that one is closed; should it
 * still fail, the removed one is bound again.)
 * A forward that stays the same keeps its socket (and the connections it
 * made); one whose host side stays but whose guest side changes keeps its
 * socket too and sends what comes next to the new guest.
 *
 * The address the guest sees a connection or datagram come from
 * (slirp_fwd_from()): the client's own address when the guest can answer it
 * through the slirp (the guest's family, and not loopback, link-local,
 * multicast or unspecified: slirp_addr_forwardable()). Otherwise (a client
 * on the host's loopback, a link-local one, or one of the other family than
 * the guest) host-loopback4/6 of the guest's family when set, else dns4/6
 * when set. With neither, the connection is closed (the datagram dropped),
 * counted in forward-refused, and a warning is logged once per forward. The
 * client's port is kept in every case.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "slirp-private.h"

#define SLIRP_FWD_BACKLOG 128
/* Connections accepted or datagrams read per wakeup of one forward. */
#define SLIRP_FWD_BUDGET 64
/* Largest UDP payload (IPv4: 65507; IPv6 without jumbograms: 65527). */
#define SLIRP_FWD_DGRAM_MAX 65536
/* How long a forward stops accepting after the host ran out of descriptors
 * or memory (the listener would otherwise stay readable and spin). */
#define SLIRP_FWD_PAUSE_NS (100 * PK_NSEC_PER_MSEC)

/* One forward. Addresses in wire order, IPv4 in the first 4 bytes. */
struct slirp_fwd_entry {
	uint32_t index; /* position in the 'forwards' list, for messages */
	uint32_t proto; /* enum slirp_fwd_proto */
	bool host_v6;
	bool guest_v6;
	uint16_t host_port;
	uint16_t guest_port;
	uint8_t host_addr[16];
	uint8_t guest_addr[16];
	char host_text[INET6_ADDRSTRLEN];
	char guest_text[INET6_ADDRSTRLEN];
	int fd; /* -1 while not bound */
	struct pk_watch *watch;
	uint64_t connections;
	bool paused;   /* not watched until the pause timer fires */
	bool warned;   /* "no address for the guest to see" logged */
	bool kept;     /* apply: still in the new set */
	bool deferred; /* apply: its port is held by a forward being removed */
	bool released; /* apply: closed early for a deferred one */
};

struct slirp_fwd {
	struct slirp *s;
	GPtrArray *entries; /* struct slirp_fwd_entry *, in list order */
	struct pk_timer *pause;
	uint8_t *dgram; /* SLIRP_FWD_DGRAM_MAX bytes, for UDP forwards */
};

static const char *slirp_fwd_proto_name(uint32_t proto)
{
	return proto == SLIRP_FWD_UDP ? "udp" : "tcp";
}

static bool slirp_fwd_unspecified(bool ipv6, const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, ipv6 ? 16 : 4) == 0;
}

/* "127.0.0.1:8080/tcp" or "[::1]:8080/tcp". */
static char *slirp_fwd_describe(const struct slirp_fwd_entry *e)
{
	return g_strdup_printf(e->host_v6 ? "[%s]:%u/%s" : "%s:%u/%s", e->host_text, e->host_port,
			       slirp_fwd_proto_name(e->proto));
}

static bool slirp_fwd_parse_addr(const char *text, uint8_t *out, bool *ipv6, char *norm)
{
	if (!text)
		return false;
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1)
		*ipv6 = false;
	else if (inet_pton(AF_INET6, text, out) == 1)
		*ipv6 = true;
	else
		return false;
	inet_ntop(*ipv6 ? AF_INET6 : AF_INET, out, norm, INET6_ADDRSTRLEN);
	return true;
}

/* Whether @a and @b listen on the same host socket address. */
static bool slirp_fwd_same_host(const struct slirp_fwd_entry *a, const struct slirp_fwd_entry *b)
{
	return a->proto == b->proto && a->host_v6 == b->host_v6 && a->host_port == b->host_port &&
	       memcmp(a->host_addr, b->host_addr, 16) == 0;
}

static bool slirp_fwd_same_guest(const struct slirp_fwd_entry *a, const struct slirp_fwd_entry *b)
{
	return a->guest_v6 == b->guest_v6 && a->guest_port == b->guest_port &&
	       memcmp(a->guest_addr, b->guest_addr, 16) == 0;
}

static void slirp_fwd_entry_free(gpointer p)
{
	struct slirp_fwd_entry *e = p;

	if (!e)
		return;
	/* Sockets are closed by slirp_fwd_close() before this. */
	g_assert(e->fd < 0 && !e->watch);
	g_free(e);
}

/* Parse and check @cfg's forwards into a new array (no sockets yet). */
static GPtrArray *slirp_fwd_parse(const struct slirp_config *cfg, GError **error)
{
	const struct slirp_forward_rec *recs = cfg->forwards.items;
	g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(slirp_fwd_entry_free);

	for (uint32_t i = 0; i < cfg->forwards.n; i++) {
		const struct slirp_forward_rec *r = &recs[i];
		struct slirp_fwd_entry *e = g_new0(struct slirp_fwd_entry, 1);

		e->fd = -1;
		e->index = i;
		e->proto = r->proto;
		g_ptr_array_add(list, e);
		if (r->proto != SLIRP_FWD_TCP && r->proto != SLIRP_FWD_UDP) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "forwards[%u]: proto: neither tcp nor udp", i);
			return NULL;
		}
		if (!slirp_fwd_parse_addr(r->host_address, e->host_addr, &e->host_v6,
					  e->host_text)) {
			g_set_error(
				error, PK_ERROR, PK_ERROR_INVALID,
				"forwards[%u]: host-address \"%s\": not an IPv4 or IPv6 address", i,
				r->host_address ? r->host_address : "");
			return NULL;
		}
		if (!slirp_fwd_parse_addr(r->guest_address, e->guest_addr, &e->guest_v6,
					  e->guest_text)) {
			g_set_error(
				error, PK_ERROR, PK_ERROR_INVALID,
				"forwards[%u]: guest-address \"%s\": not an IPv4 or IPv6 address",
				i, r->guest_address ? r->guest_address : "");
			return NULL;
		}
		if (!slirp_addr_forwardable(e->guest_v6, e->guest_addr)) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "forwards[%u]: guest-address \"%s\": not a unicast address a "
				    "guest can have",
				    i, r->guest_address);
			return NULL;
		}
		if (r->host_port < 1 || r->host_port > 65535 || r->guest_port < 1 ||
		    r->guest_port > 65535) {
			g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
				    "forwards[%u]: ports must be 1..65535", i);
			return NULL;
		}
		e->host_port = (uint16_t)r->host_port;
		e->guest_port = (uint16_t)r->guest_port;
		for (uint32_t j = 0; j < i; j++) {
			const struct slirp_fwd_entry *o = list->pdata[j];

			if (slirp_fwd_same_host(o, e)) {
				g_autofree char *what = slirp_fwd_describe(e);

				g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
					    "forwards[%u]: %s: also forwards[%u]", i, what, j);
				return NULL;
			}
		}
	}
	return g_steal_pointer(&list);
}

/* The address the guest sees @client as (see the top of the file); false
 * when there is none. */
static bool slirp_fwd_from(struct slirp *s, struct slirp_fwd_entry *e,
			   const struct sockaddr_storage *client, uint8_t *from,
			   uint16_t *from_port)
{
	const uint8_t *addr = NULL;
	bool v6 = false;

	memset(from, 0, 16);
	*from_port = 0;
	if (client->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)client;

		addr = (const uint8_t *)&in->sin_addr;
		*from_port = ntohs(in->sin_port);
	} else if (client->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)client;

		addr = in6->sin6_addr.s6_addr;
		v6 = true;
		*from_port = ntohs(in6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			addr += 12;
			v6 = false;
		}
	}
	if (addr && v6 == e->guest_v6 && slirp_addr_forwardable(v6, addr)) {
		memcpy(from, addr, v6 ? 16 : 4);
		return true;
	}
	if (e->guest_v6) {
		if (!slirp_fwd_unspecified(true, s->cfg.host_loopback6.b))
			memcpy(from, s->cfg.host_loopback6.b, 16);
		else if (!slirp_fwd_unspecified(true, s->cfg.dns6.b))
			memcpy(from, s->cfg.dns6.b, 16);
	} else {
		if (!slirp_fwd_unspecified(false, s->cfg.host_loopback4.b))
			memcpy(from, s->cfg.host_loopback4.b, 4);
		else if (!slirp_fwd_unspecified(false, s->cfg.dns4.b))
			memcpy(from, s->cfg.dns4.b, 4);
	}
	if (!slirp_fwd_unspecified(e->guest_v6, from))
		return true;
	if (!e->warned) {
		g_autofree char *what = slirp_fwd_describe(e);

		e->warned = true;
		pk_dev_warn(s->dev,
			    "forwards[%u]: %s: refusing clients the guest cannot answer "
			    "directly (on the host's loopback, link-local, or of the other "
			    "family): set %s or %s, the address the guest then sees them as",
			    e->index, what, e->guest_v6 ? "host-loopback6" : "host-loopback4",
			    e->guest_v6 ? "dns6" : "dns4");
	}
	return false;
}

/* accept() or recvfrom() failed with @err: count it; when the host is out
 * of descriptors or memory, stop watching the forward for a moment. */
static void slirp_fwd_read_error(struct slirp *s, struct slirp_fwd_entry *e, int err)
{
	s->ctr[SLIRP_C_FWD_ACCEPT_ERRORS]++;
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return;
	pk_dev_log(s->dev, G_LOG_LEVEL_DEBUG, "forwards[%u]: %s; pausing it", e->index,
		   g_strerror(err));
	if (e->watch && !e->paused) {
		pk_watch_set_events(e->watch, 0);
		e->paused = true;
	}
	if (!pk_timer_is_armed(s->fwd->pause))
		pk_timer_arm(s->fwd->pause, SLIRP_FWD_PAUSE_NS);
}

static void slirp_fwd_resume(struct pk_dev *dev, void *self, void *data)
{
	struct slirp_fwd *f = data;

	for (guint i = 0; i < f->entries->len; i++) {
		struct slirp_fwd_entry *e = f->entries->pdata[i];

		if (e->paused && e->watch)
			pk_watch_set_events(e->watch, G_IO_IN);
		e->paused = false;
	}
}

static void slirp_fwd_tcp_ready(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
				void *data)
{
	struct slirp *s = self;
	struct slirp_fwd_entry *e = data;

	for (int i = 0; i < SLIRP_FWD_BUDGET; i++) {
		struct sockaddr_storage client;
		socklen_t len = sizeof(client);
		uint8_t from[16];
		uint16_t from_port;
		int c = accept4(fd, (struct sockaddr *)&client, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			slirp_fwd_read_error(s, e, errno);
			if (e->paused)
				return;
			continue;
		}
		s->ctr[SLIRP_C_FWD_ACCEPTED]++;
		if (!slirp_fwd_from(s, e, &client, from, &from_port)) {
			close(c);
			s->ctr[SLIRP_C_FWD_REFUSED]++;
			continue;
		}
		/* Takes @c, closing it when refused. */
		if (slirp_tcp_open_inbound(s, c, e->guest_v6, e->guest_addr, e->guest_port, from,
					   from_port))
			e->connections++;
		else
			s->ctr[SLIRP_C_FWD_REFUSED]++;
	}
}

static void slirp_fwd_udp_ready(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
				void *data)
{
	struct slirp *s = self;
	struct slirp_fwd_entry *e = data;

	for (int i = 0; i < SLIRP_FWD_BUDGET; i++) {
		struct sockaddr_storage client;
		socklen_t len = sizeof(client);
		uint8_t from[16];
		uint16_t from_port;
		ssize_t n = recvfrom(fd, s->fwd->dgram, SLIRP_FWD_DGRAM_MAX, 0,
				     (struct sockaddr *)&client, &len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			slirp_fwd_read_error(s, e, errno);
			if (e->paused)
				return;
			continue;
		}
		if (!slirp_fwd_from(s, e, &client, from, &from_port)) {
			s->ctr[SLIRP_C_FWD_REFUSED]++;
			continue;
		}
		slirp_udp_forward_input(s, fd, &client, len, e->guest_v6, e->guest_addr,
					e->guest_port, from, from_port, s->fwd->dgram, (uint32_t)n);
	}
}

/* Open @e's socket and watch it; false with errno set. */
static bool slirp_fwd_open(struct slirp *s, struct slirp_fwd_entry *e)
{
	bool tcp = e->proto == SLIRP_FWD_TCP;
	struct sockaddr_storage sa = { 0 };
	socklen_t sa_len;
	int one = 1, err;
	int fd = socket(e->host_v6 ? AF_INET6 : AF_INET,
			(tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	if (e->host_v6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(e->host_port);
		memcpy(in6->sin6_addr.s6_addr, e->host_addr, 16);
		sa_len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		in->sin_family = AF_INET;
		in->sin_port = htons(e->host_port);
		memcpy(&in->sin_addr, e->host_addr, 4);
		sa_len = sizeof(*in);
	}
	/* SO_REUSEADDR for TCP only: it lets a listener rebind over
	 * connections in TIME_WAIT; on a Linux UDP socket it would let
	 * another socket share the port and take its datagrams. */
	if ((tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    (e->host_v6 && slirp_fwd_unspecified(true, e->host_addr) &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sa, sa_len) < 0 ||
	    (tcp && listen(fd, SLIRP_FWD_BACKLOG) < 0)) {
		err = errno;
		close(fd);
		errno = err;
		return false;
	}
	e->fd = fd;
	e->paused = false;
	e->watch = pk_watch_fd(s->dev, fd, G_IO_IN, tcp ? slirp_fwd_tcp_ready : slirp_fwd_udp_ready,
			       e);
	return true;
}

/* Close @e's socket, telling the UDP area first. */
static void slirp_fwd_close(struct slirp *s, struct slirp_fwd_entry *e)
{
	if (e->fd < 0)
		return;
	if (e->proto == SLIRP_FWD_UDP)
		slirp_udp_forward_closed(s, e->fd);
	pk_watch_free(e->watch);
	e->watch = NULL;
	close(e->fd);
	e->fd = -1;
	e->paused = false;
}

static void slirp_fwd_bind_error(struct slirp_fwd_entry *e, int err, GError **error)
{
	g_autofree char *what = slirp_fwd_describe(e);
	int code = err == EACCES || err == EPERM ? PK_ERROR_PERMISSION : PK_ERROR_FAILED;

	g_set_error(error, PK_ERROR, code, "forwards[%u]: %s: %s", e->index, what, g_strerror(err));
}

/* Bind every entry of @list marked for it (fd < 0 and not kept); all or
 * nothing: on a failure those this call bound are closed again. */
static bool slirp_fwd_open_all(struct slirp *s, GPtrArray *list, GError **error)
{
	for (guint i = 0; i < list->len; i++) {
		struct slirp_fwd_entry *e = list->pdata[i];
		int err;

		if (e->fd >= 0 || e->kept)
			continue;
		if (slirp_fwd_open(s, e))
			continue;
		err = errno;
		slirp_fwd_bind_error(e, err, error);
		while (i-- > 0) {
			e = list->pdata[i];
			if (!e->kept)
				slirp_fwd_close(s, e);
		}
		return false;
	}
	return true;
}

/* Whether @o, an old forward the change removes, may hold the port @n wants. */
static bool slirp_fwd_holds(const struct slirp_fwd_entry *o, const struct slirp_fwd_entry *n)
{
	return !o->kept && o->fd >= 0 && o->proto == n->proto && o->host_port == n->host_port;
}

/* Close the sockets a failed change bound. */
static void slirp_fwd_unbind_new(struct slirp *s, GPtrArray *next)
{
	for (guint i = 0; i < next->len; i++) {
		struct slirp_fwd_entry *n = next->pdata[i];

		if (!n->kept)
			slirp_fwd_close(s, n);
	}
}

/* Bind the forwards of @next that are new (not kept), all or nothing. A port
 * that is in use by an old forward the change removes (127.0.0.1:8080
 * becoming 0.0.0.0:8080) is bound last: the old forward is closed just
 * before, and bound again should that still fail. */
static bool slirp_fwd_bind_new(struct slirp *s, GPtrArray *old, GPtrArray *next, GError **error)
{
	bool deferred = false;
	int err;

	for (guint i = 0; i < next->len; i++) {
		struct slirp_fwd_entry *n = next->pdata[i];

		if (n->kept || slirp_fwd_open(s, n))
			continue;
		err = errno;
		if (err == EADDRINUSE)
			for (guint j = 0; j < old->len && !n->deferred; j++)
				n->deferred = slirp_fwd_holds(old->pdata[j], n);
		if (n->deferred) {
			deferred = true;
			continue;
		}
		slirp_fwd_bind_error(n, err, error);
		slirp_fwd_unbind_new(s, next);
		return false;
	}
	if (!deferred)
		return true;

	for (guint j = 0; j < old->len; j++) {
		struct slirp_fwd_entry *o = old->pdata[j];

		for (guint i = 0; i < next->len; i++) {
			struct slirp_fwd_entry *n = next->pdata[i];

			if (n->deferred && slirp_fwd_holds(o, n)) {
				slirp_fwd_close(s, o);
				o->released = true;
				break;
			}
		}
	}
	for (guint i = 0; i < next->len; i++) {
		struct slirp_fwd_entry *n = next->pdata[i];

		if (!n->deferred)
			continue;
		n->deferred = false;
		if (slirp_fwd_open(s, n))
			continue;
		err = errno;
		slirp_fwd_bind_error(n, err, error);
		slirp_fwd_unbind_new(s, next);
		for (guint j = 0; j < old->len; j++) {
			struct slirp_fwd_entry *o = old->pdata[j];

			if (!o->released)
				continue;
			o->released = false;
			if (!slirp_fwd_open(s, o)) {
				g_autofree char *what = slirp_fwd_describe(o);

				pk_dev_warn(s->dev,
					    "forwards[%u]: %s: not listening any more (bound again "
					    "after a failed change: %s)",
					    o->index, what, g_strerror(errno));
			}
		}
		return false;
	}
	return true;
}

struct slirp_fwd *slirp_fwd_new(struct slirp *s)
{
	struct slirp_fwd *f = g_new0(struct slirp_fwd, 1);

	f->s = s;
	f->entries = g_ptr_array_new_with_free_func(slirp_fwd_entry_free);
	f->pause = pk_timer_new(s->dev, slirp_fwd_resume, f);
	return f;
}

void slirp_fwd_free(struct slirp *s, struct slirp_fwd *f)
{
	if (!f)
		return;
	for (guint i = 0; i < f->entries->len; i++)
		slirp_fwd_close(s, f->entries->pdata[i]);
	g_ptr_array_unref(f->entries);
	pk_timer_free(f->pause);
	g_free(f->dgram);
	g_free(f);
}

bool slirp_fwd_apply(struct slirp *s, const struct slirp_config *cfg, GError **error)
{
	struct slirp_fwd *f = s->fwd;
	g_autoptr(GPtrArray) next = slirp_fwd_parse(cfg, error);
	GPtrArray *old = f->entries;

	if (!next)
		return false;
	for (guint i = 0; i < next->len; i++)
		if (((struct slirp_fwd_entry *)next->pdata[i])->proto == SLIRP_FWD_UDP &&
		    !f->dgram) {
			f->dgram = g_malloc(SLIRP_FWD_DGRAM_MAX);
			break;
		}
	if (!s->running) {
		/* Stopped: no sockets are open; just keep the new set. */
		f->entries = g_steal_pointer(&next);
		g_ptr_array_unref(old);
		return true;
	}

	/* Running. Match every new forward with an old one on the same host
	 * socket address: that socket stays (kept). The others are bound now,
	 * before anything old is closed (but see slirp_fwd_bind_new()). */
	for (guint i = 0; i < next->len; i++) {
		struct slirp_fwd_entry *n = next->pdata[i];

		for (guint j = 0; j < old->len; j++) {
			struct slirp_fwd_entry *o = old->pdata[j];

			if (!o->kept && slirp_fwd_same_host(o, n)) {
				o->kept = true;
				n->kept = true;
				break;
			}
		}
	}
	if (!slirp_fwd_bind_new(s, old, next, error)) {
		for (guint j = 0; j < old->len; j++)
			((struct slirp_fwd_entry *)old->pdata[j])->kept = false;
		return false;
	}

	/* All bound: the old entries that stay move into the new set (their
	 * watches point at them), those that go are closed. */
	for (guint i = 0; i < next->len; i++) {
		struct slirp_fwd_entry *n = next->pdata[i];

		if (!n->kept)
			continue;
		for (guint j = 0; j < old->len; j++) {
			struct slirp_fwd_entry *o = old->pdata[j];

			if (!o || !o->kept || !slirp_fwd_same_host(o, n))
				continue;
			if (!slirp_fwd_same_guest(o, n)) {
				/* Same socket, another guest: UDP flows made for
				 * the old guest end; TCP connections already
				 * made are flows and go on. */
				if (o->proto == SLIRP_FWD_UDP)
					slirp_udp_forward_closed(s, o->fd);
				o->guest_v6 = n->guest_v6;
				o->guest_port = n->guest_port;
				memcpy(o->guest_addr, n->guest_addr, 16);
				memcpy(o->guest_text, n->guest_text, sizeof(o->guest_text));
				o->connections = 0;
				o->warned = false;
			}
			o->index = n->index;
			o->kept = false;
			old->pdata[j] = NULL;
			next->pdata[i] = o;
			slirp_fwd_entry_free(n);
			break;
		}
	}
	for (guint j = 0; j < old->len; j++) {
		struct slirp_fwd_entry *o = old->pdata[j];

		if (o)
			slirp_fwd_close(s, o);
	}
	f->entries = g_steal_pointer(&next);
	g_ptr_array_unref(old);
	return true;
}

bool slirp_fwd_start(struct slirp *s, GError **error)
{
	return slirp_fwd_open_all(s, s->fwd->entries, error);
}

void slirp_fwd_stop(struct slirp *s)
{
	struct slirp_fwd *f = s->fwd;

	for (guint i = 0; i < f->entries->len; i++)
		slirp_fwd_close(s, f->entries->pdata[i]);
	pk_timer_cancel(f->pause);
}

void slirp_fwd_status(struct slirp *s, struct pk_status_writer *w)
{
	struct slirp_fwd *f = s->fwd;

	for (guint i = 0; i < f->entries->len; i++) {
		const struct slirp_fwd_entry *e = f->entries->pdata[i];

		if (!pk_status_row_begin(w, SLIRP_T_FORWARDS))
			return;
		pk_status_set_str(w, SLIRP_WC_PROTO, slirp_fwd_proto_name(e->proto));
		pk_status_set_str(w, SLIRP_WC_HOST, e->host_text);
		pk_status_set_uint(w, SLIRP_WC_HOST_PORT, e->host_port);
		pk_status_set_str(w, SLIRP_WC_GUEST, e->guest_text);
		pk_status_set_uint(w, SLIRP_WC_GUEST_PORT, e->guest_port);
		pk_status_set_uint(w, SLIRP_WC_CONNECTIONS, e->connections);
		pk_status_row_end(w);
	}
}

void slirp_fwd_udp_flow_opened(struct slirp *s, int listen_fd)
{
	struct slirp_fwd *f = s->fwd;

	for (guint i = 0; i < f->entries->len; i++) {
		struct slirp_fwd_entry *e = f->entries->pdata[i];

		if (e->fd == listen_fd && e->proto == SLIRP_FWD_UDP) {
			e->connections++;
			return;
		}
	}
}
