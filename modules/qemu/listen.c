// SPDX-License-Identifier: MIT
/* listen.c - Device type io.qemu-listen: accepts any number of QEMU guests on a stream socket */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <pktkit/error.h>
#include <pktkit/module.h>
#include <pktkit/pktkit.h>

#include "conn.h"
#include "qemu-types.h"
#include "sockaddr.h"

#define LISTEN_DOC                                                                               \
	"Listens on a UNIX or TCP stream socket for QEMU guests started with `-netdev "             \
	"stream,server=off,addr.type=unix,addr.path=PATH` (or `addr.type=inet`) or `-netdev "      \
	"socket,connect=HOST:PORT`, and carries their Ethernet frames in QEMU's stream framing "    \
	"(a 4-byte big-endian length, then the frame). Any number of guests may connect, up to "   \
	"max-guests.\n\n"                                                                          \
	"The device is a small bridge of its own. With segments \"shared\" (the default) it "      \
	"learns which guest owns which source MAC: frames from a guest go to the guest that owns " \
	"the destination, or out of the \"lan\" port and to every other guest when the "          \
	"destination is unknown, broadcast or multicast; frames from \"lan\" go to the owning "    \
	"guest, or to every guest. Link \"lan\" to an l2.hub to put the guests on a LAN with "     \
	"other devices. With \"isolated\" guests never see each other's frames: everything a "    \
	"guest sends goes to \"lan\" only (like isolated ports of a private VLAN), and \"lan\" "   \
	"reaches every guest. With \"slots\" each guest gets its own segment: the first free "    \
	"linked port of the \"guest\" group (lowest index first); its frames go only to that "    \
	"port and that port's frames only to it, so each guest.N can lead to its own hub, DHCP "   \
	"server and gateway (a guest that finds no free linked slot is refused). With "           \
	"\"template\" each guest gets a segment made for it: the host instantiates the "          \
	"topology's template named by the template parameter (for example a hub, a DHCP server " \
	"and a gateway) and links its attach point to a new guest.N port; the guest's frames "   \
	"are read once that is done, and its segment is removed when it disconnects. Every "     \
	"instance is a copy, so all guests may get the same addressing. Its devices are named "  \
	"after the listener, the instance number and the template's device id (vms/1/lan, "       \
	"vms/1/dhcp, ...; pktkitctl list shows them).\n\n"                                         \
	"MAC entries live as long as the guest's connection; a MAC seen on another guest moves. "  \
	"When a guest disconnects, the device on its port (\"lan\" if the guest had sent "     \
	"frames, or its guest.N slot) gets a flush port event, so an l2.hub there forgets the "  \
	"MACs learned on that port at once instead of after aging (in shared mode that is every " \
	"guest's MAC behind \"lan\": the others are learned again from their next frame). The "  \
	"status lists the connected guests (id, peer, port, MACs). "                              \
	"A record of length 0 or above max-frame, or a connection that ends inside a record, "     \
	"closes that guest's connection with a log line naming it; other guests go on. Sockets "   \
	"are non-blocking: each guest has an outbound queue of queue-frames frames, written with " \
	"one writev() for many frames; when a guest does not read, its frames are dropped and "   \
	"counted (dropped-queue-full) and nobody else waits. Reads take up to 64 KiB per system " \
	"call and hand all frames in it on as one batch.\n\n"                                      \
	"A UNIX socket file is created with socket-mode before it accepts connections, a stale "   \
	"socket file (nobody listening) is replaced, a live one is an error, and the file is "    \
	"removed when the device stops. `tcp:127.0.0.1:0` picks a free port, which the start log " \
	"line names."

struct qlisten_config {
	char *listen;
	char *socket_mode;
	uint32_t segments;
	char *template_name;
	uint32_t max_guests;
	uint32_t max_frame;
	uint32_t queue_frames;
	uint32_t max_macs;
};

enum { SEG_SHARED, SEG_ISOLATED, SEG_SLOTS, SEG_TEMPLATE };

static const struct pk_param_enum qlisten_segments[] = {
	{ "shared", SEG_SHARED },
	{ "isolated", SEG_ISOLATED },
	{ "slots", SEG_SLOTS },
	{ "template", SEG_TEMPLATE },
	{ NULL, 0 },
};

static const struct pk_param qlisten_params[] = {
	PK_PARAM_STR(struct qlisten_config, listen, "listen", NULL, PK_PF_REQUIRED,
		     "Where to listen: \"unix:/PATH\" or \"tcp:HOST:PORT\" (\"tcp:[::1]:PORT\")"),
	PK_PARAM_STR(struct qlisten_config, socket_mode, "socket-mode", "\"0600\"", 0,
		     "Octal permissions of a UNIX socket file (\"0660\" lets the group connect)"),
	PK_PARAM_ENUM(struct qlisten_config, segments, "segments", "\"shared\"", qlisten_segments,
		      0,
		      "Where guests go: \"shared\" (one bridged segment with lan), \"isolated\" "
		      "(each guest reaches lan only), \"slots\" (each guest on its own guest.N port), "
		      "\"template\" (each guest on a new instance of the template)"),
	PK_PARAM_STR(struct qlisten_config, template_name, "template", NULL, PK_PF_TEMPLATE,
		     "With segments \"template\": the topology's template to instantiate per guest "
		     "(its attach point is linked to the guest's guest.N port)"),
	PK_PARAM_U32(struct qlisten_config, max_guests, "max-guests", "64", 1, 65535, 0,
		     "Most guests connected at once; more are refused"),
	PK_PARAM_U32(struct qlisten_config, max_frame, "max-frame", "16384", 64, 65535, 0,
		     "Largest frame in bytes, both ways; a longer record from a guest closes its "
		     "connection (16384 covers jumbo frames and fits one pool buffer class)"),
	PK_PARAM_U32(struct qlisten_config, queue_frames, "queue-frames", "256", 1, 65536, 0,
		     "Frames queued per guest while its socket is full; more are dropped"),
	PK_PARAM_U32(struct qlisten_config, max_macs, "max-macs", "64", 1, 65536, 0,
		     "Most source MACs learned per guest (more are not learned; their replies "
		     "are flooded)"),
};

static const struct pk_port_group qlisten_ports[] = {
	{ "lan", PK_L2, 0, 1, "The segment the guests share (segments shared or isolated)", 0 },
	{ "guest", PK_L2, 0, 65535,
	  "Per-guest segments (segments slots or template): guest.N carries one guest's frames", 0 },
};

#define PORT_LAN PK_PORT(0, 0)
#define GROUP_GUEST 1u

#define QLISTEN_OWN_COUNTERS(_)                                                          \
	_(L_GUESTS_ACCEPTED, "guests-accepted", "Guest connections accepted")            \
	_(L_GUESTS_CLOSED, "guests-closed", "Guest connections ended (any reason)")      \
	_(L_GUESTS_CONNECTED, "guests-connected", "Guests connected now (a gauge)")      \
	_(L_GUESTS_REFUSED, "guests-refused",                                            \
	  "Connections closed at once: max-guests reached, no free slot, or no "         \
	  "segment could be made from the template")                                     \
	_(L_MACS, "macs", "MAC entries now (a gauge)")                                   \
	_(L_MACS_LEARNED, "macs-learned", "MAC entries created")                         \
	_(L_MACS_MOVED, "macs-moved", "MAC entries that moved to another guest")         \
	_(L_LEARN_REFUSED, "learn-refused", "Source MACs not learned: max-macs reached") \
	_(L_FLOODED, "flooded",                                                          \
	  "Frames sent to every guest (broadcast, multicast, unknown unicast)")          \
	_(L_DROPPED_LOCAL, "dropped-local",                                              \
	  "Frames from a guest to a MAC of the same guest, dropped")                     \
	_(L_ACCEPT_ERRORS, "accept-errors", "accept() calls that failed")
PK_COUNTERS_ENUM_FROM(QC_N_COMMON, QLISTEN_OWN_COUNTERS);
#define QLISTEN_COUNTERS(_) QEMU_COMMON_COUNTERS(_) QLISTEN_OWN_COUNTERS(_)
PK_COUNTERS_TABLE(qlisten_counters, QLISTEN_COUNTERS);

struct qlisten;

struct qguest {
	struct qemu_conn c;
	struct qlisten *l;
	uint32_t id;
	int slot;	/* guest.N port, or -1 */
	uint32_t n_macs;
	uint32_t instance;	/* segments template: its instance, 0 if none */
	int pending_fd;		/* segments template: socket until the segment is made, or -1 */
	char peer[128];
};

struct qlisten {
	struct pk_dev *dev;
	/* Settings, copied from the config. */
	struct qemu_addr addr;
	unsigned int mode;
	uint32_t segments;
	const char *template_name;	/* config string: valid until the next reconfigure */
	uint32_t max_guests;
	uint32_t max_frame;
	uint32_t queue_frames;
	uint32_t max_macs;
	/* While running. */
	int lfd;
	struct pk_watch *lwatch;
	struct stat st;
	bool running;
	GPtrArray *guests;	/* struct qguest *, in connection order */
	GHashTable *macs;	/* MAC key -> struct qguest * */
	GPtrArray *slots;	/* guest.N -> struct qguest * or NULL */
	GArray *linked;		/* guest.N linked (gboolean per index) */
	uint8_t *rbuf;
	uint32_t next_id;
	bool reap;
	struct pk_batch lan_out;
};

bool qemu_parse_mode(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || strlen(s) > 4)
		return false;
	v = strtoul(s, &end, 8);
	if (*end || v > 0777)
		return false;
	*out = (unsigned int)v;
	return true;
}

static inline gpointer mac_key(const uint8_t *m)
{
	return GSIZE_TO_POINTER(((gsize)m[0] << 40) | ((gsize)m[1] << 32) | ((gsize)m[2] << 24) |
				((gsize)m[3] << 16) | ((gsize)m[4] << 8) | (gsize)m[5]);
}

/* Configuration ---------------------------------------------------------------- */

static int qlisten_settings(struct qlisten *l, const struct qlisten_config *cfg, GError **error)
{
	if (!qemu_parse_mode(cfg->socket_mode, &l->mode)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "socket-mode: '%s' is not an octal mode such as \"0600\"",
			    cfg->socket_mode ? cfg->socket_mode : "");
		return -1;
	}
	if (!qemu_addr_parse(cfg->listen, "tcp", &l->addr, error)) {
		g_prefix_error(error, "listen: ");
		return -1;
	}
	if (cfg->segments == SEG_TEMPLATE && (!cfg->template_name || !*cfg->template_name)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "template: required with segments \"template\" (name one of the topology's templates)");
		return -1;
	}
	if (cfg->segments != SEG_TEMPLATE && cfg->template_name && *cfg->template_name) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "template: only used with segments \"template\"");
		return -1;
	}
	l->segments = cfg->segments;
	l->template_name = cfg->template_name;
	l->max_guests = cfg->max_guests;
	l->max_frame = cfg->max_frame;
	l->queue_frames = cfg->queue_frames;
	l->max_macs = cfg->max_macs;
	return 0;
}

static int qlisten_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct qlisten *l = self;

	l->dev = dev;
	l->lfd = -1;
	if (qlisten_settings(l, config, error) < 0)
		return -1;
	l->guests = g_ptr_array_new();
	l->macs = g_hash_table_new(g_direct_hash, g_direct_equal);
	l->slots = g_ptr_array_new();
	l->linked = g_array_new(FALSE, TRUE, sizeof(gboolean));
	l->rbuf = g_malloc(QEMU_READ_CHUNK);
	return 0;
}

static int qlisten_reconfigure(struct pk_dev *dev, void *self, const void *config,
			       uint64_t changed, GError **error)
{
	struct qlisten next = *(struct qlisten *)self;

	(void)dev;
	(void)changed;
	if (qlisten_settings(&next, config, error) < 0)
		return -1;
	*(struct qlisten *)self = next;
	return 0;
}

static void qlisten_finalize(struct pk_dev *dev, void *self)
{
	struct qlisten *l = self;

	(void)dev;
	g_clear_pointer(&l->guests, g_ptr_array_unref);
	g_clear_pointer(&l->macs, g_hash_table_unref);
	g_clear_pointer(&l->slots, g_ptr_array_unref);
	if (l->linked)
		g_array_unref(l->linked);
	l->linked = NULL;
	g_clear_pointer(&l->rbuf, g_free);
}

/* Guests ------------------------------------------------------------------------ */

static void qguest_forget_macs(struct qlisten *l, struct qguest *g)
{
	GHashTableIter it;
	gpointer k, v;

	if (g->n_macs == 0)
		return;
	g_hash_table_iter_init(&it, l->macs);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (v == g)
			g_hash_table_iter_remove(&it);
	pk_dev_counters(l->dev)[L_MACS] = g_hash_table_size(l->macs);
	g->n_macs = 0;
}

/* The guest's addresses are gone: tell the device behind its port (an
 * l2.hub would otherwise keep them until aging). A template segment goes
 * away with the guest and needs no telling. */
static void qguest_flush_peer(struct qlisten *l, struct qguest *g)
{
	if (g->instance)
		return;
	if (g->slot >= 0)
		pk_dev_port_event(l->dev, PK_PORT(GROUP_GUEST, (uint32_t)g->slot),
				  PK_PORT_EVENT_FLUSH);
	else if (g->n_macs)
		pk_dev_port_event(l->dev, PORT_LAN, PK_PORT_EVENT_FLUSH);
}

static void qguest_free(struct qlisten *l, struct qguest *g)
{
	uint64_t *ctr = pk_dev_counters(l->dev);

	qguest_flush_peer(l, g);
	qguest_forget_macs(l, g);
	if (g->slot >= 0 && (guint)g->slot < l->slots->len)
		g_ptr_array_index(l->slots, g->slot) = NULL;
	/* The host removes the segment later, outside this dispatch. */
	if (g->instance)
		pk_dev_instance_remove(l->dev, g->instance);
	if (g->pending_fd >= 0)
		close(g->pending_fd);
	qemu_conn_close(&g->c);
	g_ptr_array_remove(l->guests, g);
	ctr[L_GUESTS_CLOSED]++;
	ctr[L_GUESTS_CONNECTED] = l->guests->len;
	g_free(g);
}

/* Close and free every guest whose connection failed. */
static void qlisten_reap(struct qlisten *l)
{
	if (!l->reap)
		return;
	l->reap = false;
	for (guint i = l->guests->len; i-- > 0;) {
		struct qguest *g = g_ptr_array_index(l->guests, i);

		if (g->c.failed)
			qguest_free(l, g);
	}
}

static void qlisten_flush_all(struct qlisten *l)
{
	for (guint i = 0; i < l->guests->len; i++) {
		struct qguest *g = g_ptr_array_index(l->guests, i);

		if (!qemu_txq_empty(&g->c.tx))
			qemu_conn_flush(&g->c);
	}
}

static void qguest_learn(struct qlisten *l, struct qguest *g, const uint8_t *src, uint64_t *ctr)
{
	gpointer key = mac_key(src);
	struct qguest *owner = g_hash_table_lookup(l->macs, key);

	if (PK_LIKELY(owner == g))
		return;
	if (g->n_macs >= l->max_macs) {
		ctr[L_LEARN_REFUSED]++;
		return;
	}
	if (owner) {
		owner->n_macs--;
		ctr[L_MACS_MOVED]++;
	} else {
		ctr[L_MACS_LEARNED]++;
	}
	g_hash_table_insert(l->macs, key, g);
	g->n_macs++;
	ctr[L_MACS] = g_hash_table_size(l->macs);
}

/* Queue @b for every guest except @except. */
static void qlisten_flood(struct qlisten *l, struct qguest *except, struct pk_buf *b)
{
	for (guint i = 0; i < l->guests->len; i++) {
		struct qguest *g = g_ptr_array_index(l->guests, i);

		if (g != except && qemu_conn_is_open(&g->c))
			qemu_conn_send(&g->c, b);
	}
}

static void qguest_frames(struct qemu_conn *c, const struct pk_batch *batch)
{
	struct qguest *g = c->owner;
	struct qlisten *l = g->l;
	uint64_t *ctr = pk_dev_counters(l->dev);
	bool to_guests = false;

	if (l->segments == SEG_SLOTS || l->segments == SEG_TEMPLATE) {
		pk_dev_emit(l->dev, PK_PORT(GROUP_GUEST, (uint32_t)g->slot), batch);
		return;
	}
	pk_batch_init(&l->lan_out);
	for (uint32_t i = 0; i < batch->n; i++) {
		struct pk_buf *b = batch->buf[i];
		const uint8_t *f = pk_buf_data(b);

		if (!pk_eth_is_multicast(f + 6))
			qguest_learn(l, g, f + 6, ctr);
		if (l->segments == SEG_ISOLATED) {
			pk_batch_add(&l->lan_out, b);
			continue;
		}
		if (!pk_eth_is_multicast(f)) {
			struct qguest *dst = g_hash_table_lookup(l->macs, mac_key(f));

			if (dst == g) {
				ctr[L_DROPPED_LOCAL]++;
				continue;
			}
			if (dst) {
				qemu_conn_send(&dst->c, b);
				to_guests = true;
				continue;
			}
		}
		pk_batch_add(&l->lan_out, b);
		if (l->guests->len > 1) {
			qlisten_flood(l, g, b);
			ctr[L_FLOODED]++;
			to_guests = true;
		}
	}
	if (l->lan_out.n)
		pk_dev_emit(l->dev, PORT_LAN, &l->lan_out);
	if (to_guests)
		qlisten_flush_all(l);
}

static void qguest_closed(struct qemu_conn *c, const char *why)
{
	struct qguest *g = c->owner;

	pk_dev_log(g->l->dev, G_LOG_LEVEL_MESSAGE, "guest %u (%s) disconnected: %s", g->id,
		   c->name, why);
	g->l->reap = true;
}

static void qguest_idle(struct qemu_conn *c)
{
	struct qguest *g = c->owner;

	qlisten_reap(g->l);
}

static const struct qemu_conn_ops qguest_ops = {
	.frames = qguest_frames,
	.closed = qguest_closed,
	.idle = qguest_idle,
};

static int qlisten_free_slot(struct qlisten *l)
{
	for (guint i = 0; i < l->linked->len; i++)
		if (g_array_index(l->linked, gboolean, i) &&
		    (i >= l->slots->len || !g_ptr_array_index(l->slots, i)))
			return (int)i;
	return -1;
}

/* The guest's segment is ready (or failed): start serving it. */
static void qguest_instance_done(struct pk_dev *dev, void *self, uint32_t instance,
				 uint32_t port, const GError *error, void *data)
{
	struct qlisten *l = self;
	uint64_t *ctr = pk_dev_counters(dev);
	struct qguest *g = NULL;
	char name[160];
	int fd;

	(void)data;
	for (guint i = 0; i < l->guests->len && !g; i++)
		if (((struct qguest *)g_ptr_array_index(l->guests, i))->instance == instance)
			g = g_ptr_array_index(l->guests, i);
	if (!g)
		return;
	if (error) {
		pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "refusing guest %u from %s: %s", g->id,
			   g->peer, error->message);
		g->instance = 0;	/* gone already */
		ctr[L_GUESTS_REFUSED]++;	/* and closed: it was accepted */
		qguest_free(l, g);
		return;
	}
	g->slot = (int)PK_PORT_INDEX(port);
	if ((guint)g->slot >= l->slots->len)
		g_ptr_array_set_size(l->slots, g->slot + 1);
	g_ptr_array_index(l->slots, g->slot) = g;
	fd = g->pending_fd;
	g->pending_fd = -1;
	g_snprintf(name, sizeof(name), "%s#%u", g->peer, g->id);
	qemu_conn_open(&g->c, dev, fd, l->max_frame, l->queue_frames, l->rbuf, &qguest_ops, g,
		       name);
	pk_dev_log(dev, G_LOG_LEVEL_MESSAGE,
		   "guest %u connected from %s on guest.%d (instance %s/%u of template %s)", g->id,
		   g->peer, g->slot, pk_dev_id(dev), instance, l->template_name);
}

/* Segments template: ask for the guest's segment; its frames are read once it exists. */
static void qlisten_accept_templated(struct qlisten *l, int cfd, const char *peer)
{
	uint64_t *ctr = pk_dev_counters(l->dev);
	g_autoptr(GError) error = NULL;
	struct qguest *g = g_new0(struct qguest, 1);

	g->l = l;
	g->slot = -1;
	g->c.fd = -1;
	g->pending_fd = cfd;
	g_strlcpy(g->peer, peer, sizeof(g->peer));
	g->instance = pk_dev_instantiate(l->dev, l->template_name,
					 PK_PORT(GROUP_GUEST, PK_PORT_ANY), qguest_instance_done,
					 NULL, &error);
	if (!g->instance) {
		ctr[L_GUESTS_REFUSED]++;
		pk_dev_log(l->dev, G_LOG_LEVEL_MESSAGE, "refusing a guest from %s: %s", peer,
			   error->message);
		close(cfd);
		g_free(g);
		return;
	}
	g->id = ++l->next_id;
	g_ptr_array_add(l->guests, g);
	ctr[L_GUESTS_ACCEPTED]++;
	ctr[L_GUESTS_CONNECTED] = l->guests->len;
}

static void qlisten_on_accept(struct pk_dev *dev, void *self, int fd, GIOCondition revents,
			      void *data)
{
	struct qlisten *l = self;
	uint64_t *ctr = pk_dev_counters(dev);

	(void)revents;
	(void)data;
	for (int n = 0; n < 16; n++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		char peer[128], name[160];
		struct qguest *g;
		int slot = -1;

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED) {
				ctr[L_ACCEPT_ERRORS]++;
				pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "accept on %s: %s",
					   l->addr.text, g_strerror(errno));
			}
			return;
		}
		if (ss.ss_family == AF_UNIX)
			g_strlcpy(peer, l->addr.text, sizeof(peer));
		else
			qemu_addr_format((struct sockaddr *)&ss, sl, "tcp", peer, sizeof(peer));
		if (l->segments == SEG_SLOTS)
			slot = qlisten_free_slot(l);
		if (l->guests->len >= l->max_guests || (l->segments == SEG_SLOTS && slot < 0)) {
			ctr[L_GUESTS_REFUSED]++;
			pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "refusing a guest from %s: %s", peer,
				   slot < 0 && l->segments == SEG_SLOTS
					   ? "no free linked guest.N port"
					   : "max-guests reached");
			close(cfd);
			continue;
		}
		if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
			int one = 1;

			(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		}
		if (l->segments == SEG_TEMPLATE) {
			qlisten_accept_templated(l, cfd, peer);
			continue;
		}
		g = g_new0(struct qguest, 1);
		g->l = l;
		g->id = ++l->next_id;
		g->slot = slot;
		g->pending_fd = -1;
		if (slot >= 0) {
			if ((guint)slot >= l->slots->len)
				g_ptr_array_set_size(l->slots, slot + 1);
			g_ptr_array_index(l->slots, slot) = g;
		}
		g_snprintf(name, sizeof(name), "%s#%u", peer, g->id);
		qemu_conn_open(&g->c, dev, cfd, l->max_frame, l->queue_frames, l->rbuf,
			       &qguest_ops, g, name);
		g_ptr_array_add(l->guests, g);
		ctr[L_GUESTS_ACCEPTED]++;
		ctr[L_GUESTS_CONNECTED] = l->guests->len;
		if (slot >= 0)
			pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "guest %u connected from %s on guest.%d",
				   g->id, peer, slot);
		else
			pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "guest %u connected from %s", g->id,
				   peer);
	}
}

/* Start and stop ---------------------------------------------------------------- */

static int qlisten_start(struct pk_dev *dev, void *self, GError **error)
{
	struct qlisten *l = self;
	char where[160];

	l->lfd = qemu_socket_bind(&l->addr, SOCK_STREAM, l->mode, &l->st, error);
	if (l->lfd < 0)
		return -1;
	if (listen(l->lfd, 64) < 0) {
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "listen on %s: %s", l->addr.text,
			    g_strerror(errno));
		close(l->lfd);
		qemu_socket_unlink(&l->addr, &l->st);
		l->lfd = -1;
		return -1;
	}
	if (l->addr.kind == QEMU_ADDR_INET) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getsockname(l->lfd, (struct sockaddr *)&ss, &sl) == 0)
			qemu_addr_format((struct sockaddr *)&ss, sl, "tcp", where, sizeof(where));
		else
			g_strlcpy(where, l->addr.text, sizeof(where));
	} else {
		g_snprintf(where, sizeof(where), "%s (mode %04o)", l->addr.text, l->mode);
	}
	l->lwatch = pk_watch_fd(dev, l->lfd, G_IO_IN, qlisten_on_accept, NULL);
	l->running = true;
	pk_dev_log(dev, G_LOG_LEVEL_MESSAGE, "listening for QEMU guests on %s", where);
	return 0;
}

static void qlisten_stop(struct pk_dev *dev, void *self)
{
	struct qlisten *l = self;
	uint64_t *ctr = pk_dev_counters(dev);

	while (l->guests->len > 0)
		qguest_free(l, g_ptr_array_index(l->guests, l->guests->len - 1));
	l->reap = false;
	pk_watch_free(l->lwatch);
	l->lwatch = NULL;
	if (l->lfd >= 0) {
		close(l->lfd);
		qemu_socket_unlink(&l->addr, &l->st);
	}
	l->lfd = -1;
	l->running = false;
	ctr[L_GUESTS_CONNECTED] = 0;
}

/* Data path from the graph --------------------------------------------------------- */

static void qlisten_receive(struct pk_dev *dev, void *self, uint32_t port,
			    const struct pk_batch *batch)
{
	struct qlisten *l = self;
	uint64_t *ctr = pk_dev_counters(dev);

	if (PK_UNLIKELY(!l->running || l->guests->len == 0)) {
		ctr[QC_DROPPED_NOT_CONNECTED] += batch->n;
		return;
	}
	if (PK_PORT_GROUP(port) == GROUP_GUEST) {
		uint32_t i = PK_PORT_INDEX(port);
		struct qguest *g = i < l->slots->len ? g_ptr_array_index(l->slots, i) : NULL;

		if (!g || !qemu_conn_is_open(&g->c)) {
			ctr[QC_DROPPED_NOT_CONNECTED] += batch->n;
			return;
		}
		for (uint32_t k = 0; k < batch->n; k++)
			qemu_conn_send(&g->c, batch->buf[k]);
		qemu_conn_flush(&g->c);
		qlisten_reap(l);
		return;
	}
	if (l->segments == SEG_SLOTS) {
		ctr[QC_DROPPED_NOT_CONNECTED] += batch->n;
		return;
	}
	for (uint32_t k = 0; k < batch->n; k++) {
		struct pk_buf *b = batch->buf[k];
		const uint8_t *f = pk_buf_data(b);
		struct qguest *dst = NULL;

		if (PK_UNLIKELY(pk_buf_len(b) < 14)) {
			ctr[QC_DROPPED_SHORT]++;
			continue;
		}
		if (!pk_eth_is_multicast(f))
			dst = g_hash_table_lookup(l->macs, mac_key(f));
		if (dst) {
			qemu_conn_send(&dst->c, b);
		} else {
			qlisten_flood(l, NULL, b);
			ctr[L_FLOODED]++;
		}
	}
	qlisten_flush_all(l);
	qlisten_reap(l);
}

static int qlisten_link(struct pk_dev *dev, void *self, uint32_t port, GError **error)
{
	struct qlisten *l = self;
	gboolean yes = TRUE;
	uint32_t i = PK_PORT_INDEX(port);

	(void)dev;
	(void)error;
	if (PK_PORT_GROUP(port) != GROUP_GUEST)
		return 0;
	if (i >= l->linked->len)
		g_array_set_size(l->linked, i + 1);
	g_array_index(l->linked, gboolean, i) = yes;
	return 0;
}

static void qlisten_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	struct qlisten *l = self;
	uint32_t i = PK_PORT_INDEX(port);

	(void)dev;
	if (PK_PORT_GROUP(port) == GROUP_GUEST && i < l->linked->len)
		g_array_index(l->linked, gboolean, i) = FALSE;
}

/* Status (ABI 1.2): the connected guests. */
enum { QL_T_GUESTS };
enum { QL_GC_ID, QL_GC_PEER, QL_GC_PORT, QL_GC_MACS, QL_GC_STATE };

static const struct pk_status_field qlisten_guest_columns[] = {
	[QL_GC_ID] = { "id", PK_ST_UINT, "Guest number (as in the log)" },
	[QL_GC_PEER] = { "peer", PK_ST_STR, "Where it connected from" },
	[QL_GC_PORT] = { "port", PK_ST_STR, "Port its frames leave by: lan or guest.N" },
	[QL_GC_MACS] = { "macs", PK_ST_UINT, "Source MACs learned from it (shared, isolated)" },
	[QL_GC_STATE] = { "state", PK_ST_STR,
			  "connected, or waiting (its template segment is being made)" },
};

static const struct pk_status_table qlisten_status_tables[] = {
	[QL_T_GUESTS] = { "guests", "A connected guest", PK_ARRAY(columns, qlisten_guest_columns) },
};

static void qlisten_status(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	struct qlisten *l = self;

	for (guint i = 0; l->guests && i < l->guests->len; i++) {
		const struct qguest *g = g_ptr_array_index(l->guests, i);
		char port[24];

		if (g->slot >= 0)
			g_snprintf(port, sizeof(port), "guest.%d", g->slot);
		else
			g_strlcpy(port, g->instance ? "-" : "lan", sizeof(port));
		pk_status_row_begin(w, QL_T_GUESTS);
		pk_status_set_uint(w, QL_GC_ID, g->id);
		pk_status_set_str(w, QL_GC_PEER, g->peer);
		pk_status_set_str(w, QL_GC_PORT, port);
		pk_status_set_uint(w, QL_GC_MACS, g->n_macs);
		pk_status_set_str(w, QL_GC_STATE, g->pending_fd >= 0 ? "waiting" : "connected");
		pk_status_row_end(w);
	}
}

static const struct pk_device_ops qlisten_ops = {
	.init = qlisten_init,
	.start = qlisten_start,
	.stop = qlisten_stop,
	.finalize = qlisten_finalize,
	.reconfigure = qlisten_reconfigure,
	.receive = qlisten_receive,
	.link = qlisten_link,
	.unlink = qlisten_unlink,
	.status = qlisten_status,
};

const struct pk_device_type qemu_listen_type = {
	.name = "io.qemu-listen",
	.summary = "Accept QEMU guests (-netdev stream / socket,connect=) on a UNIX or TCP socket",
	.doc = LISTEN_DOC,
	PK_ARRAY(ports, qlisten_ports),
	PK_ARRAY(params, qlisten_params),
	PK_ARRAY(counters, qlisten_counters),
	.config_size = sizeof(struct qlisten_config),
	.instance_size = sizeof(struct qlisten),
	.ops = &qlisten_ops,
	PK_ARRAY(status_tables, qlisten_status_tables),
};
