// SPDX-License-Identifier: MIT
/* timer.c - Time for devices: the graph clock, a timer heap on one GSource, fd watches, invoke
 *
 * All timers of a graph live in one binary min-heap ordered by (deadline,
 * arming sequence). With the real clock a single GSource wakes at the earliest
 * deadline (its prepare and check compare it with the clock in nanoseconds); with the fake clock nothing fires until pk_graph_clock_advance().
 */
#include <time.h>
#include "runtime.h"

uint64_t pk_clock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t pk_graph_now(struct pk_graph *g)
{
	if (g->flags & PK_GRAPH_FAKE_CLOCK)
		return g->fake_now;
	return pk_clock_monotonic_ns();
}

/* Heap ---------------------------------------------------------------- */

static bool timer_before(const struct pk_timer *a, const struct pk_timer *b)
{
	return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void heap_set(struct pk_timer_heap *h, uint32_t i, struct pk_timer *t)
{
	h->v[i] = t;
	t->heap_index = (int32_t)i;
}

static void heap_sift_up(struct pk_timer_heap *h, uint32_t i)
{
	struct pk_timer *t = h->v[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!timer_before(t, h->v[parent]))
			break;
		heap_set(h, i, h->v[parent]);
		i = parent;
	}
	heap_set(h, i, t);
}

static void heap_sift_down(struct pk_timer_heap *h, uint32_t i)
{
	struct pk_timer *t = h->v[i];

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && timer_before(h->v[child + 1], h->v[child]))
			child++;
		if (!timer_before(h->v[child], t))
			break;
		heap_set(h, i, h->v[child]);
		i = child;
	}
	heap_set(h, i, t);
}

static void heap_remove(struct pk_timer_heap *h, struct pk_timer *t)
{
	uint32_t i = (uint32_t)t->heap_index;
	struct pk_timer *last = h->v[--h->n];

	t->heap_index = -1;
	if (last == t)
		return;
	heap_set(h, i, last);
	heap_sift_down(h, i);
	heap_sift_up(h, (uint32_t)last->heap_index);
}

static void heap_insert(struct pk_timer_heap *h, struct pk_timer *t)
{
	if (h->n == h->alloc) {
		h->alloc = MAX(64u, h->alloc * 2);
		h->v = g_renew(struct pk_timer *, h->v, h->alloc);
	}
	heap_set(h, h->n++, t);
	heap_sift_up(h, h->n - 1);
}

/* GSource ------------------------------------------------------------- */

/*
 * The source decides readiness itself in nanoseconds (prepare/check) rather
 * than through g_source_set_ready_time(): GLib's ready time is in whole
 * microseconds and its poll timeout in whole milliseconds, rounded up, so a
 * timer armed with delay 0 whose deadline rounded up to the next microsecond
 * made the main loop poll() for a full millisecond before firing it (one
 * millisecond per vclient connection set-up). Here a due timer makes prepare
 * return TRUE with timeout 0; a future one sleeps until its deadline, rounded
 * up to the next millisecond.
 */
struct graph_timer_source {
	GSource source;
	struct pk_graph *graph;
};

static struct pk_graph *timer_source_graph(GSource *source)
{
	return ((struct graph_timer_source *)source)->graph;
}

static gboolean graph_timer_prepare(GSource *source, gint *timeout)
{
	struct pk_graph *g = timer_source_graph(source);
	uint64_t now, deadline;

	if (g->timers.n == 0) {
		*timeout = -1;
		return FALSE;
	}
	deadline = g->timers.v[0]->deadline;
	now = pk_graph_now(g);
	if (deadline <= now) {
		*timeout = 0;
		return TRUE;
	}
	*timeout = (gint)MIN((deadline - now + 999999) / 1000000, (uint64_t)G_MAXINT);
	return FALSE;
}

static gboolean graph_timer_check(GSource *source)
{
	struct pk_graph *g = timer_source_graph(source);

	return g->timers.n > 0 && g->timers.v[0]->deadline <= pk_graph_now(g);
}

/* Fire every timer due at @now, earliest first, each in its own dispatch. */
static void graph_run_due_timers(struct pk_graph *g, uint64_t now)
{
	while (g->timers.n > 0 && g->timers.v[0]->deadline <= now) {
		struct pk_timer *t = g->timers.v[0];
		struct pk_dev *dev = t->dev;

		heap_remove(&g->timers, t);
		pk_dev_ref(dev);
		pk_dispatch_begin(g);
		pk_dev_enter(dev);
		t->fn(dev, dev->self, t->data);
		pk_dev_leave(dev);
		pk_dispatch_end();
		pk_dev_unref(dev);
	}
}

static gboolean graph_timer_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
	struct pk_graph *g = timer_source_graph(source);

	(void)cb;
	(void)data;
	graph_run_due_timers(g, pk_graph_now(g));
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs graph_timer_funcs = {
	.prepare = graph_timer_prepare,
	.check = graph_timer_check,
	.dispatch = graph_timer_dispatch,
};

void pk_graph_timers_init(struct pk_graph *g)
{
	if (g->flags & PK_GRAPH_FAKE_CLOCK)
		return;
	g->timer_source = g_source_new(&graph_timer_funcs, sizeof(struct graph_timer_source));
	((struct graph_timer_source *)g->timer_source)->graph = g;
	g_source_set_name(g->timer_source, "pktkit timers");
	g_source_attach(g->timer_source, g->context);
}

void pk_graph_timers_fini(struct pk_graph *g)
{
	if (g->timer_source) {
		g_source_destroy(g->timer_source);
		g_source_unref(g->timer_source);
		g->timer_source = NULL;
	}
	g_free(g->timers.v);
	g->timers.v = NULL;
	g->timers.n = g->timers.alloc = 0;
}

void pk_graph_clock_advance(struct pk_graph *g, uint64_t ns)
{
	uint64_t target;

	g_return_if_fail(g->flags & PK_GRAPH_FAKE_CLOCK);
	target = g->fake_now + ns;
	/* Step through deadlines so each timer sees the time it asked for. */
	while (g->timers.n > 0 && g->timers.v[0]->deadline <= target) {
		if (g->timers.v[0]->deadline > g->fake_now)
			g->fake_now = g->timers.v[0]->deadline;
		graph_run_due_timers(g, g->fake_now);
	}
	g->fake_now = target;
}

/* Timers -------------------------------------------------------------- */

struct pk_timer *pk_timer_new(struct pk_dev *dev, pk_timer_func fn, void *data)
{
	struct pk_timer *t = g_new0(struct pk_timer, 1);

	t->dev = dev;
	t->fn = fn;
	t->data = data;
	t->heap_index = -1;
	g_ptr_array_add(dev->timers, t);
	return t;
}

void pk_timer_arm(struct pk_timer *t, uint64_t delay_ns)
{
	struct pk_graph *g = t->dev->graph;

	if (t->heap_index >= 0)
		heap_remove(&g->timers, t);
	t->deadline = pk_graph_now(g) + delay_ns;
	t->seq = g->timer_seq++;
	heap_insert(&g->timers, t);
}

void pk_timer_cancel(struct pk_timer *t)
{
	if (t->heap_index < 0)
		return;
	heap_remove(&t->dev->graph->timers, t);
}

bool pk_timer_is_armed(const struct pk_timer *t)
{
	return t->heap_index >= 0;
}

void pk_timer_free(struct pk_timer *t)
{
	if (!t)
		return;
	pk_timer_cancel(t);
	g_ptr_array_remove_fast(t->dev->timers, t);
	g_free(t);
}

/* Fd watches ---------------------------------------------------------- */

struct pk_watch {
	GSource source;
	struct pk_dev *dev;
	gpointer tag;
	int fd;
	pk_watch_func fn;
	void *data;
};

static gboolean watch_dispatch(GSource *source, GSourceFunc cb, gpointer unused)
{
	struct pk_watch *w = (struct pk_watch *)source;
	struct pk_dev *dev = w->dev;
	GIOCondition revents = g_source_query_unix_fd(source, w->tag);

	if (!revents)
		return G_SOURCE_CONTINUE;
	pk_dev_ref(dev);
	pk_dispatch_begin(dev->graph);
	pk_dev_enter(dev);
	w->fn(dev, dev->self, w->fd, revents, w->data);
	pk_dev_leave(dev);
	pk_dispatch_end();
	pk_dev_unref(dev);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_funcs = {
	.dispatch = watch_dispatch,
};

struct pk_watch *pk_watch_fd(struct pk_dev *dev, int fd, GIOCondition events, pk_watch_func fn,
			     void *data)
{
	struct pk_watch *w = (struct pk_watch *)g_source_new(&watch_funcs, sizeof(*w));
	g_autofree char *name = g_strdup_printf("pktkit fd %d of %s", fd, dev->id);

	w->dev = dev;
	w->fd = fd;
	w->fn = fn;
	w->data = data;
	w->tag = g_source_add_unix_fd(&w->source, fd, events);
	g_source_set_name(&w->source, name);
	g_source_attach(&w->source, dev->graph->context);
	g_ptr_array_add(dev->watches, w);
	return w;
}

void pk_watch_set_events(struct pk_watch *w, GIOCondition events)
{
	g_source_modify_unix_fd(&w->source, w->tag, events);
}

void pk_watch_free(struct pk_watch *w)
{
	if (!w)
		return;
	g_ptr_array_remove_fast(w->dev->watches, w);
	g_source_destroy(&w->source);
	g_source_unref(&w->source);
}

void pk_dev_quiesce(struct pk_dev *dev)
{
	while (dev->watches->len > 0)
		pk_watch_free(g_ptr_array_index(dev->watches, dev->watches->len - 1));
	for (guint i = 0; i < dev->timers->len; i++)
		pk_timer_cancel(g_ptr_array_index(dev->timers, i));
}

void pk_dev_free_timers_and_watches(struct pk_dev *dev)
{
	while (dev->watches->len > 0)
		pk_watch_free(g_ptr_array_index(dev->watches, dev->watches->len - 1));
	while (dev->timers->len > 0)
		pk_timer_free(g_ptr_array_index(dev->timers, dev->timers->len - 1));
}

/* Invoke -------------------------------------------------------------- */

struct invoke_closure {
	struct pk_dev *dev;
	pk_invoke_func fn;
	void *data;
	GDestroyNotify destroy;
};

static gboolean invoke_run(gpointer p)
{
	struct invoke_closure *c = p;
	struct pk_dev *dev = c->dev;

	if (dev->removed || !dev->initialized)
		return G_SOURCE_REMOVE;
	pk_dispatch_begin(dev->graph);
	pk_dev_enter(dev);
	c->fn(dev, dev->self, c->data);
	pk_dev_leave(dev);
	pk_dispatch_end();
	return G_SOURCE_REMOVE;
}

static void invoke_free(gpointer p)
{
	struct invoke_closure *c = p;

	if (c->destroy)
		c->destroy(c->data);
	pk_dev_unref(c->dev);
	g_free(c);
}

void pk_dev_invoke(struct pk_dev *dev, pk_invoke_func fn, void *data, GDestroyNotify destroy)
{
	struct invoke_closure *c = g_new(struct invoke_closure, 1);

	pk_dev_ref(dev);
	c->dev = dev;
	c->fn = fn;
	c->data = data;
	c->destroy = destroy;
	/* Always through a source, never inline: the caller may be inside a
	 * callback of this very device on the owning thread. */
	GSource *source = g_idle_source_new();

	g_source_set_priority(source, G_PRIORITY_DEFAULT);
	g_source_set_callback(source, invoke_run, c, invoke_free);
	g_source_set_static_name(source, "pktkit invoke");
	g_source_attach(source, dev->graph->context);
	g_source_unref(source);
}
