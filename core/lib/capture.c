// SPDX-License-Identifier: MIT
/* capture.c - pcapng capture of ports: a lock-free queue from the data path to a writer thread
 *
 * The data path (pk_capture_tap_batch(), called from pk_dev_emit() only for
 * ports with a tap) copies each packet into a single-producer single-consumer
 * byte ring: a fixed header then the bytes, 8-aligned, never split across
 * the end of the ring (the rest of the ring is skipped instead). It takes no
 * lock and makes no system call except reading the real-time clock once per
 * batch. The writer thread polls the ring, writes Enhanced Packet Blocks and
 * flushes; a full ring counts a drop per packet and per interface.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "pktkit/embed/capture.h"
#include "runtime.h"

#define CAP_DEFAULT_SNAPLEN 65535u
#define CAP_DEFAULT_QUEUE (4u << 20)
#define CAP_MIN_QUEUE (256u << 10)
#define CAP_IDLE_USEC 2000	/* writer's poll interval when the ring is empty */

/* pcapng block types, options and link types */
#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_ISB 5u
#define PCAPNG_EPB 6u
#define PCAPNG_BYTE_ORDER 0x1A2B3C4Du
#define OPT_END 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9
#define OPT_EPB_FLAGS 2
#define OPT_ISB_IFRECV 4
#define OPT_ISB_IFDROP 5
#define LINKTYPE_ETHERNET 1u
#define LINKTYPE_RAW 101u
#define EPB_INBOUND 1u
#define EPB_OUTBOUND 2u

/* A record in the ring; followed by cap_len bytes, padded to 8. */
struct cap_rec {
	uint32_t rec_len;	/* header + data + padding */
	uint32_t ifindex;
	uint64_t ts_ns;
	uint32_t orig_len;
	uint32_t cap_len;
	uint32_t flags;		/* EPB_INBOUND / EPB_OUTBOUND */
	uint32_t pad;
};
#define CAP_SKIP UINT32_MAX	/* ifindex of a record that only fills the ring's end */

struct pk_capture_tap {
	struct pk_capture *cap;
	struct pk_dev *dev;	/* a reference: dev->removed tells if ports are gone */
	uint32_t port;
	uint32_t ifindex;
	uint32_t linktype;
	char *name;
	uint64_t recv;		/* data path only; read after detach */
	uint64_t drop;
};

struct pk_capture {
	struct pk_graph *graph;
	char *file;
	FILE *f;
	bool nsec;
	uint32_t snaplen;
	GPtrArray *taps;
	/* The ring: producer owns head, consumer owns tail. */
	uint8_t *ring;
	size_t size;		/* power of two */
	_Atomic size_t head;
	_Atomic size_t tail;
	uint64_t captured;	/* producer */
	uint64_t dropped;	/* producer */
	uint64_t written;	/* consumer */
	GThread *writer;
	atomic_bool stop;
	atomic_bool write_failed;
	int write_errno;
};

/* Data path ---------------------------------------------------------------- */

static uint64_t cap_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cap_push(struct pk_capture_tap *tap, uint32_t flags, uint64_t ts,
		     const struct pk_batch *batch)
{
	struct pk_capture *cap = tap->cap;
	size_t head = atomic_load_explicit(&cap->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&cap->tail, memory_order_acquire);

	for (uint32_t i = 0; i < batch->n; i++) {
		const struct pk_buf *b = batch->buf[i];
		uint32_t cap_len = MIN(b->len, cap->snaplen);
		size_t rec_len = (sizeof(struct cap_rec) + cap_len + 7) & ~(size_t)7;
		size_t pos = head & (cap->size - 1), to_end = cap->size - pos;
		size_t need = rec_len + (to_end < rec_len ? to_end : 0);
		struct cap_rec *r;

		if (PK_UNLIKELY(cap->size - (head - tail) < need)) {
			tail = atomic_load_explicit(&cap->tail, memory_order_acquire);
			if (cap->size - (head - tail) < need) {
				tap->drop++;
				cap->dropped++;
				continue;
			}
		}
		if (to_end < rec_len) {
			if (to_end >= sizeof(struct cap_rec)) {
				r = (struct cap_rec *)(cap->ring + pos);
				r->rec_len = (uint32_t)to_end;
				r->ifindex = CAP_SKIP;
			}
			head += to_end;
			pos = 0;
		}
		r = (struct cap_rec *)(cap->ring + pos);
		r->rec_len = (uint32_t)rec_len;
		r->ifindex = tap->ifindex;
		r->ts_ns = ts;
		r->orig_len = b->len;
		r->cap_len = cap_len;
		r->flags = flags;
		memcpy(r + 1, b->data, cap_len);
		head += rec_len;
		tap->recv++;
		cap->captured++;
	}
	atomic_store_explicit(&cap->head, head, memory_order_release);
}

void pk_capture_tap_batch(struct pk_capture_tap *out, struct pk_capture_tap *in,
			  const struct pk_batch *batch)
{
	uint64_t ts = cap_now_ns();

	if (out)
		cap_push(out, EPB_OUTBOUND, ts, batch);
	if (in)
		cap_push(in, EPB_INBOUND, ts, batch);
}

/* Writer ----------------------------------------------------------------- */

static void cap_put(struct pk_capture *cap, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, cap->f) != n && !atomic_load(&cap->write_failed)) {
		cap->write_errno = errno;
		atomic_store(&cap->write_failed, true);
	}
}

static void cap_put32(struct pk_capture *cap, uint32_t v)
{
	cap_put(cap, &v, 4);
}

static void cap_put_option(struct pk_capture *cap, uint16_t code, const void *v, uint16_t len)
{
	static const uint8_t zero[4];
	uint16_t hdr[2] = { code, len };

	cap_put(cap, hdr, 4);
	cap_put(cap, v, len);
	cap_put(cap, zero, (4 - len % 4) % 4);
}

static uint32_t cap_option_len(size_t len)
{
	return 4 + (uint32_t)((len + 3) & ~(size_t)3);
}

static void cap_write_epb(struct pk_capture *cap, const struct cap_rec *r)
{
	static const uint8_t zero[4];
	uint32_t padded = (r->cap_len + 3) & ~3u;
	uint32_t len = 28 + padded + cap_option_len(4) + 4 + 4;
	uint64_t ts = cap->nsec ? r->ts_ns : r->ts_ns / 1000;

	cap_put32(cap, PCAPNG_EPB);
	cap_put32(cap, len);
	cap_put32(cap, r->ifindex);
	cap_put32(cap, (uint32_t)(ts >> 32));
	cap_put32(cap, (uint32_t)ts);
	cap_put32(cap, r->cap_len);
	cap_put32(cap, r->orig_len);
	cap_put(cap, r + 1, r->cap_len);
	cap_put(cap, zero, padded - r->cap_len);
	cap_put_option(cap, OPT_EPB_FLAGS, &r->flags, 4);
	cap_put32(cap, OPT_END);
	cap_put32(cap, len);
	cap->written++;
}

/* Write what is queued; true if anything was. */
static bool cap_drain(struct pk_capture *cap)
{
	size_t tail = atomic_load_explicit(&cap->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&cap->head, memory_order_acquire);

	if (tail == head)
		return false;
	while (tail != head) {
		size_t pos = tail & (cap->size - 1), to_end = cap->size - pos;
		const struct cap_rec *r = (const struct cap_rec *)(cap->ring + pos);

		if (to_end < sizeof(struct cap_rec) || r->ifindex == CAP_SKIP) {
			tail += to_end;
			continue;
		}
		cap_write_epb(cap, r);
		tail += r->rec_len;
	}
	atomic_store_explicit(&cap->tail, tail, memory_order_release);
	fflush(cap->f);
	return true;
}

static gpointer cap_writer(gpointer data)
{
	struct pk_capture *cap = data;

	for (;;) {
		bool stopping = atomic_load(&cap->stop);

		if (!cap_drain(cap)) {
			if (stopping)
				break;
			g_usleep(CAP_IDLE_USEC);
		}
	}
	return NULL;
}

/* Blocks written on the main context ---------------------------------- */

static void cap_write_shb(struct pk_capture *cap)
{
	static const char appl[] = "pktkit";
	uint32_t len = 28 + cap_option_len(sizeof(appl) - 1) + 4;
	uint16_t version[2] = { 1, 0 };
	int64_t section_len = -1;

	cap_put32(cap, PCAPNG_SHB);
	cap_put32(cap, len);
	cap_put32(cap, PCAPNG_BYTE_ORDER);
	cap_put(cap, version, 4);
	cap_put(cap, &section_len, 8);
	cap_put_option(cap, OPT_SHB_USERAPPL, appl, sizeof(appl) - 1);
	cap_put32(cap, OPT_END);
	cap_put32(cap, len);
}

static void cap_write_idb(struct pk_capture *cap, const struct pk_capture_tap *tap)
{
	uint8_t tsresol = cap->nsec ? 9 : 6;
	size_t name_len = strlen(tap->name);
	uint32_t len = 20 + cap_option_len(name_len) + cap_option_len(1) + 4;
	uint16_t lt[2] = { (uint16_t)tap->linktype, 0 };

	cap_put32(cap, PCAPNG_IDB);
	cap_put32(cap, len);
	cap_put(cap, lt, 4);
	cap_put32(cap, cap->snaplen);
	cap_put_option(cap, OPT_IF_NAME, tap->name, (uint16_t)name_len);
	cap_put_option(cap, OPT_IF_TSRESOL, &tsresol, 1);
	cap_put32(cap, OPT_END);
	cap_put32(cap, len);
}

static void cap_write_isb(struct pk_capture *cap, const struct pk_capture_tap *tap, uint64_t ns)
{
	uint32_t len = 24 + 2 * cap_option_len(8) + 4;
	uint64_t ts = cap->nsec ? ns : ns / 1000;

	cap_put32(cap, PCAPNG_ISB);
	cap_put32(cap, len);
	cap_put32(cap, tap->ifindex);
	cap_put32(cap, (uint32_t)(ts >> 32));
	cap_put32(cap, (uint32_t)ts);
	cap_put_option(cap, OPT_ISB_IFRECV, &tap->recv, 8);
	cap_put_option(cap, OPT_ISB_IFDROP, &tap->drop, 8);
	cap_put32(cap, OPT_END);
	cap_put32(cap, len);
}

/* Control ----------------------------------------------------------------- */

static void cap_tap_free(gpointer p)
{
	struct pk_capture_tap *tap = p;

	pk_dev_unref(tap->dev);
	g_free(tap->name);
	g_free(tap);
}

/* Resolve @text to a port that exists and has no tap. */
static struct pk_capture_tap *cap_tap_new(struct pk_graph *g, const char *text, GError **error)
{
	g_autofree char *id = NULL, *group = NULL;
	const struct pk_port_group *pg;
	struct pk_capture_tap *tap;
	struct pk_port *p;
	uint32_t gi;
	int64_t index;
	struct pk_dev *dev;

	if (!pk_endpoint_split(text, &id, &group, &index)) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "'%s': not an endpoint (expected \"device.group.N\")", text);
		return NULL;
	}
	dev = pk_graph_lookup(g, id);
	if (!dev) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN, "'%s': no device '%s'", text, id);
		return NULL;
	}
	if (!pk_graph_resolve_group(dev->type, group, &gi)) {
		g_set_error(error, PK_ERROR, PK_ERROR_UNKNOWN,
			    "'%s': type %s has no such port group; name it (\"device.group.N\")",
			    text, dev->type->name);
		return NULL;
	}
	pg = pk_type_port_group(dev->type, gi);
	if (index < 0 && pg->max != 1) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
			    "'%s': name the port index (\"%s.%s.N\")", text, id, pg->name);
		return NULL;
	}
	index = MAX(index, 0);
	p = index < 65536 ? pk_dev_port_get(dev, PK_PORT(gi, index)) : NULL;
	if (!p) {
		g_set_error(error, PK_ERROR, PK_ERROR_STATE,
			    "'%s': port %s.%s.%" G_GINT64_FORMAT " has never been linked; link it first",
			    text, id, pg->name, index);
		return NULL;
	}
	if (p->tap) {
		g_set_error(error, PK_ERROR, PK_ERROR_EXISTS, "'%s': port is captured already", text);
		return NULL;
	}
	tap = g_new0(struct pk_capture_tap, 1);
	tap->dev = dev;
	pk_dev_ref(dev);
	tap->port = PK_PORT(gi, index);
	tap->linktype = pg->layer == PK_L3 ? LINKTYPE_RAW : LINKTYPE_ETHERNET;
	tap->name = g_strdup_printf("%s.%s.%" G_GINT64_FORMAT, id, pg->name, index);
	return tap;
}

static void cap_free(struct pk_capture *cap)
{
	if (cap->f)
		fclose(cap->f);
	g_ptr_array_unref(cap->taps);
	g_free(cap->ring);
	g_free(cap->file);
	g_free(cap);
}

struct pk_capture *pk_graph_capture_start(struct pk_graph *g, const char *const *endpoints,
					  const char *file,
					  const struct pk_capture_options *opt, GError **error)
{
	struct pk_capture_options o = opt ? *opt : (struct pk_capture_options){ 0 };
	struct pk_capture *cap;

	g_return_val_if_fail(!pk_dispatch_active(), NULL);
	if (!endpoints || !endpoints[0]) {
		g_set_error(error, PK_ERROR, PK_ERROR_INVALID, "no port to capture");
		return NULL;
	}
	cap = g_new0(struct pk_capture, 1);
	cap->graph = g;
	cap->file = g_strdup(file);
	cap->nsec = !(o.flags & PK_CAPTURE_USEC);
	cap->snaplen = o.snaplen ? MIN(o.snaplen, 262144u) : CAP_DEFAULT_SNAPLEN;
	cap->size = g_bit_storage(MAX(o.queue_bytes ? o.queue_bytes : CAP_DEFAULT_QUEUE,
				      CAP_MIN_QUEUE) - 1);
	cap->size = (size_t)1 << cap->size;
	cap->taps = g_ptr_array_new_with_free_func(cap_tap_free);
	for (const char *const *ep = endpoints; *ep; ep++) {
		struct pk_capture_tap *tap = cap_tap_new(g, *ep, error);

		if (!tap) {
			cap_free(cap);
			return NULL;
		}
		for (guint i = 0; i < cap->taps->len; i++) {
			struct pk_capture_tap *t = g_ptr_array_index(cap->taps, i);

			if (t->dev == tap->dev && t->port == tap->port) {
				g_set_error(error, PK_ERROR, PK_ERROR_EXISTS,
					    "'%s': port listed twice", *ep);
				cap_tap_free(tap);
				cap_free(cap);
				return NULL;
			}
		}
		tap->cap = cap;
		tap->ifindex = cap->taps->len;
		g_ptr_array_add(cap->taps, tap);
	}
	cap->f = fopen(file, "wb");
	if (!cap->f) {
		int e = errno;

		g_set_error(error, PK_ERROR, PK_ERROR_PERMISSION, "cannot write capture file %s: %s",
			    file, g_strerror(e));
		cap_free(cap);
		return NULL;
	}
	cap->ring = g_malloc(cap->size);
	cap_write_shb(cap);
	for (guint i = 0; i < cap->taps->len; i++)
		cap_write_idb(cap, g_ptr_array_index(cap->taps, i));
	fflush(cap->f);
	cap->writer = g_thread_new("pk-capture", cap_writer, cap);
	/* Attach last: from here the data path feeds the ring. */
	for (guint i = 0; i < cap->taps->len; i++) {
		struct pk_capture_tap *tap = g_ptr_array_index(cap->taps, i);

		pk_dev_port_get(tap->dev, tap->port)->tap = tap;
	}
	return cap;
}

bool pk_capture_stop(struct pk_capture *cap, struct pk_capture_stats *stats, GError **error)
{
	uint64_t now = cap_now_ns();
	bool ok;

	if (!cap)
		return true;
	g_return_val_if_fail(!pk_dispatch_active(), false);
	for (guint i = 0; i < cap->taps->len; i++) {
		struct pk_capture_tap *tap = g_ptr_array_index(cap->taps, i);
		struct pk_port *p = tap->dev->removed ? NULL : pk_dev_port_get(tap->dev, tap->port);

		if (p && p->tap == tap)
			p->tap = NULL;
	}
	atomic_store(&cap->stop, true);
	g_thread_join(cap->writer);
	for (guint i = 0; i < cap->taps->len; i++)
		cap_write_isb(cap, g_ptr_array_index(cap->taps, i), now);
	if (fflush(cap->f) != 0 && !atomic_load(&cap->write_failed)) {
		cap->write_errno = errno;
		atomic_store(&cap->write_failed, true);
	}
	ok = !atomic_load(&cap->write_failed);
	if (!ok)
		g_set_error(error, PK_ERROR, PK_ERROR_FAILED, "writing capture file %s failed: %s",
			    cap->file, g_strerror(cap->write_errno));
	if (stats) {
		stats->captured = cap->captured;
		stats->dropped = cap->dropped;
		stats->written = cap->written;
	}
	cap_free(cap);
	return ok;
}

bool pk_capture_uses_device(const struct pk_capture *cap, const struct pk_dev *dev)
{
	for (guint i = 0; i < cap->taps->len; i++)
		if (((const struct pk_capture_tap *)g_ptr_array_index(cap->taps, i))->dev == dev)
			return true;
	return false;
}

const char *pk_capture_file(const struct pk_capture *cap)
{
	return cap->file;
}
