// SPDX-License-Identifier: MIT
/* sock-async.c - Main-context glue of the socket objects: deferred GTask completion, wait sources */
#include "sock-async.h"

/* Deferred completion ---------------------------------------------------------- */

struct vc_later {
	GTask *task;
	gpointer obj;
	GError *error;
};

static gboolean vc_later_run(gpointer p)
{
	struct vc_later *l = p;

	if (l->error)
		g_task_return_error(l->task, g_steal_pointer(&l->error));
	else
		g_task_return_pointer(l->task, g_steal_pointer(&l->obj), g_object_unref);
	return G_SOURCE_REMOVE;
}

static void vc_later_free(gpointer p)
{
	struct vc_later *l = p;

	g_clear_object(&l->obj);
	g_clear_error(&l->error);
	g_object_unref(l->task);
	g_free(l);
}

void vc_task_return_later(GTask *task, gpointer obj, GError *error)
{
	struct vc_later *l = g_new0(struct vc_later, 1);
	GSource *src = g_idle_source_new();

	l->task = task;
	l->obj = obj;
	l->error = error;
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, vc_later_run, l, vc_later_free);
	g_source_set_static_name(src, "pktkit vclient completion");
	g_source_attach(src, g_task_get_context(task));
	g_source_unref(src);
}

/* Wait source: ready while a predicate holds --------------------------------------------- */

/*
 * Readiness is re-evaluated in prepare and check on every main-loop
 * iteration. Connection state only changes on the graph's context thread
 * (packet input, timers, application calls), so the iteration that follows a
 * change always sees it: no wake-up is needed.
 */
struct vc_wait_source {
	GSource source;
	GObject *obj;
	gboolean (*ready)(gpointer arg);
	gpointer arg;
};

static gboolean vc_wait_prepare(GSource *source, gint *timeout)
{
	struct vc_wait_source *w = (struct vc_wait_source *)source;

	*timeout = -1;
	return w->ready(w->arg);
}

static gboolean vc_wait_check(GSource *source)
{
	struct vc_wait_source *w = (struct vc_wait_source *)source;

	return w->ready(w->arg);
}

static gboolean vc_wait_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	struct vc_wait_source *w = (struct vc_wait_source *)source;
	GPollableSourceFunc func = (GPollableSourceFunc)(void (*)(void))callback;

	if (!func)
		return G_SOURCE_REMOVE;
	return func(w->obj, user_data);
}

static void vc_wait_finalize(GSource *source)
{
	struct vc_wait_source *w = (struct vc_wait_source *)source;

	g_clear_object(&w->obj);
}

static GSourceFuncs vc_wait_funcs = {
	.prepare = vc_wait_prepare,
	.check = vc_wait_check,
	.dispatch = vc_wait_dispatch,
	.finalize = vc_wait_finalize,
};

GSource *vc_wait_source_new(GObject *obj, gboolean (*ready)(gpointer arg), gpointer arg,
			    GCancellable *cancellable)
{
	GSource *source = g_source_new(&vc_wait_funcs, sizeof(struct vc_wait_source));
	struct vc_wait_source *w = (struct vc_wait_source *)source;

	w->obj = g_object_ref(obj);
	w->ready = ready;
	w->arg = arg;
	g_source_set_static_name(source, "pktkit vclient socket");
	if (cancellable) {
		GSource *c = g_cancellable_source_new(cancellable);

		g_source_set_dummy_callback(c);
		g_source_add_child_source(source, c);
		g_source_unref(c);
	}
	return source;
}
