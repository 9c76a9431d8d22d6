// SPDX-License-Identifier: MIT
/* test-buf.c - Buffer pool: sizes, headroom, push/pull/put, refcount, threads, accounting */
#include <unistd.h>
#include <pktkit/pktkit.h>

/* Outside libpktkit the private fields have mangled names (PK_PRIVATE())
 * but the places libpktkit gives them (core/lib/buf.c checks those). */
G_STATIC_ASSERT(offsetof(struct pk_buf, refcnt_private_) == 12);
G_STATIC_ASSERT(offsetof(struct pk_buf, pool_class_private_) == 20);
G_STATIC_ASSERT(offsetof(struct pk_buf, flags_private_) == 22);
G_STATIC_ASSERT(offsetof(struct pk_buf, next_private_) == 32);
G_STATIC_ASSERT(offsetof(struct pk_buf, hop_limit_private_) == 48);

static int64_t outstanding(void)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	return st.allocated;
}

static void test_alloc_sizes(void)
{
	static const uint32_t lens[] = { 0, 1, 60, 1514, 1518, 1920, 9000, 16000, 65535, 65536 };
	int64_t before = outstanding();

	for (guint i = 0; i < G_N_ELEMENTS(lens); i++) {
		struct pk_buf *b = pk_buf_alloc(lens[i]);

		g_assert_nonnull(b);
		g_assert_cmpuint(pk_buf_len(b), ==, lens[i]);
		g_assert_cmpuint(pk_buf_headroom(b), >=, PK_HEADROOM);
		g_assert_false(pk_buf_is_shared(b));	/* one reference */
		memset(pk_buf_data(b), 0xab, lens[i]);	/* the storage is really there */
		pk_buf_unref(b);
	}
	g_assert_null(pk_buf_alloc(PK_BUF_MAX_LEN + 1));
	g_assert_cmpint(outstanding(), ==, before);
}

static void test_push_pull_put(void)
{
	static const uint8_t payload[] = "payload";
	struct pk_buf *b = pk_buf_new_copy(payload, sizeof(payload));
	uint32_t head = pk_buf_headroom(b), tail = pk_buf_tailroom(b);
	uint8_t *p;

	p = pk_buf_push(b, 14);
	g_assert_nonnull(p);
	g_assert_cmpuint(pk_buf_len(b), ==, sizeof(payload) + 14);
	g_assert_cmpmem(p + 14, sizeof(payload), payload, sizeof(payload));
	g_assert_null(pk_buf_push(b, head));	/* more than what is left */
	g_assert_nonnull(pk_buf_pull(b, 14));
	g_assert_cmpmem(pk_buf_data(b), sizeof(payload), payload, sizeof(payload));
	g_assert_null(pk_buf_pull(b, sizeof(payload) + 1));
	p = pk_buf_put(b, 4);
	g_assert_nonnull(p);
	g_assert_cmpuint(pk_buf_tailroom(b), ==, tail - 4);
	g_assert_null(pk_buf_put(b, tail));
	pk_buf_trim(b, 3);
	g_assert_cmpuint(pk_buf_len(b), ==, 3);
	pk_buf_trim(b, 100);
	g_assert_cmpuint(pk_buf_len(b), ==, 3);
	pk_buf_unref(b);
}

static void test_refcount_copy(void)
{
	struct pk_buf *b = pk_buf_new_copy("abcd", 4), *c;

	g_assert_false(pk_buf_is_shared(b));
	pk_buf_ref(b);
	g_assert_true(pk_buf_is_shared(b));
	c = pk_buf_copy(b);
	g_assert_true(c != b);
	g_assert_false(pk_buf_is_shared(c));
	g_assert_cmpmem(pk_buf_data(c), 4, "abcd", 4);
	pk_buf_data(c)[0] = 'x';
	g_assert_cmpint(pk_buf_data(b)[0], ==, 'a');
	pk_buf_unref(b);
	g_assert_false(pk_buf_is_shared(b));
	pk_buf_unref(b);
	pk_buf_unref(c);
	pk_buf_unref(NULL);
}

/* Many buffers out at once: the pool grows by slabs and takes them all back. */
static void test_many_and_reuse(void)
{
	enum { N = 5000 };
	struct pk_buf **v = g_new(struct pk_buf *, N);
	struct pk_buf_stats a, b;
	int64_t before = outstanding();

	for (int i = 0; i < N; i++)
		v[i] = pk_buf_alloc(1500);
	g_assert_cmpint(outstanding(), ==, before + N);
	for (int i = 0; i < N; i++)
		pk_buf_unref(v[i]);
	g_assert_cmpint(outstanding(), ==, before);
	/* Steady state: the same count again needs no new system memory
	 * (unless the pool is off, as under AddressSanitizer). */
	pk_buf_pool_stats(&a);
	pk_buf_unref(pk_buf_alloc(1500));
	pk_buf_pool_stats(&b);
	if (b.system_allocs == a.system_allocs) {
		for (int round = 0; round < 3; round++) {
			for (int i = 0; i < N; i++)
				v[i] = pk_buf_alloc(1500);
			for (int i = 0; i < N; i++)
				pk_buf_unref(v[i]);
		}
		pk_buf_pool_stats(&b);
		g_assert_cmpuint(b.system_allocs, ==, a.system_allocs);
	}
	g_free(v);
}

/* Buffers allocated on one thread and freed on another; counts stay exact. The
 * pointers go through a pipe rather than a GAsyncQueue: ThreadSanitizer sees a pipe
 * order the hand-over, but not GLib's futex-based locks. */
static gpointer free_thread(gpointer data)
{
	int fd = GPOINTER_TO_INT(data);
	struct pk_buf *b;

	while (read(fd, &b, sizeof(b)) == sizeof(b) && b)
		pk_buf_unref(b);
	return NULL;
}

static void test_cross_thread(void)
{
	int fds[2];
	g_assert_cmpint(pipe(fds), ==, 0);
	GThread *t = g_thread_new("free", free_thread, GINT_TO_POINTER(fds[0]));
	int64_t before = outstanding();
	struct pk_buf *end = NULL;

	for (int i = 0; i < 20000; i++) {
		struct pk_buf *b = pk_buf_alloc((uint32_t)(i % 3000));

		g_assert_cmpint(write(fds[1], &b, sizeof(b)), ==, sizeof(b));
	}
	g_assert_cmpint(write(fds[1], &end, sizeof(end)), ==, sizeof(end));
	g_thread_join(t);
	close(fds[0]);
	close(fds[1]);
	g_assert_cmpint(outstanding(), ==, before);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/buf/alloc-sizes", test_alloc_sizes);
	g_test_add_func("/buf/push-pull-put", test_push_pull_put);
	g_test_add_func("/buf/refcount-copy", test_refcount_copy);
	g_test_add_func("/buf/many-and-reuse", test_many_and_reuse);
	g_test_add_func("/buf/cross-thread", test_cross_thread);
	return g_test_run();
}
