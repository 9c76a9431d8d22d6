// SPDX-License-Identifier: MIT
/* bench-util.c - Harness shared by the micro benchmarks: malloc counting, rounds, tables */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>

#include "bench-util.h"

/* Allocation counting ------------------------------------------------------ */

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BENCH_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define BENCH_SANITIZER 1
#endif
#endif
#ifndef BENCH_SANITIZER
#define BENCH_SANITIZER 0
#endif

#if !BENCH_SANITIZER && defined(__GLIBC__)
#define BENCH_COUNT_MALLOC 1

/*
 * These definitions interpose on libc for the whole process (the executable
 * comes first in symbol lookup). They are in the object that defines
 * bench_allocs(), which every benchmark calls, so the linker always takes
 * them from the static library.
 */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void __libc_free(void *p);

static uint64_t bench_alloc_calls;

static void bench_count_alloc(void)
{
	__atomic_add_fetch(&bench_alloc_calls, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
	bench_count_alloc();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	bench_count_alloc();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	bench_count_alloc();
	return __libc_realloc(p, size);
}

void *memalign(size_t align, size_t size)
{
	bench_count_alloc();
	return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p = memalign(align, size);

	if (!p)
		return 12;	/* ENOMEM */
	*out = p;
	return 0;
}

void free(void *p)
{
	__libc_free(p);
}

uint64_t bench_allocs(void)
{
	return __atomic_load_n(&bench_alloc_calls, __ATOMIC_RELAXED);
}
#else
#define BENCH_COUNT_MALLOC 0

uint64_t bench_allocs(void)
{
	return 0;
}
#endif

bool bench_allocs_counted(void)
{
	return BENCH_COUNT_MALLOC;
}

void bench_counts_begin(struct bench_counts *c)
{
	struct pk_buf_stats st;

	pk_buf_pool_stats(&st);
	c->pool_allocs = st.system_allocs;
	c->allocs = bench_allocs();
}

void bench_counts_end(struct bench_counts *c)
{
	struct pk_buf_stats st;

	c->allocs = bench_allocs() - c->allocs;
	pk_buf_pool_stats(&st);
	c->pool_allocs = st.system_allocs - c->pool_allocs;
}

/* Timing -------------------------------------------------------------------- */

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_rounds(unsigned int n_rounds, void (*run)(void *ctx, uint64_t iters), void *ctx,
		  uint64_t iters, uint64_t units, struct bench_result *res)
{
	double round_ns[16];

	g_assert(n_rounds >= 1 && n_rounds <= G_N_ELEMENTS(round_ns));
	bench_counts_begin(&res->counts);
	for (unsigned int r = 0; r < n_rounds; r++) {
		double t0 = bench_now_ns();

		run(ctx, iters);
		round_ns[r] = (bench_now_ns() - t0) / (double)units;
	}
	bench_counts_end(&res->counts);
	qsort(round_ns, n_rounds, sizeof(double), bench_cmp_double);
	res->best_ns = round_ns[0];
	res->median_ns = round_ns[n_rounds / 2];
}

bool bench_selected(const char *filter, const char *name, unsigned int batch)
{
	g_autofree char *id = NULL;

	if (!filter)
		return true;
	id = g_strdup_printf("%s/%u", name, batch);
	return strstr(id, filter) != NULL;
}

/* Tables -------------------------------------------------------------------- */

void bench_table_header(const struct bench_col *cols, size_t n_cols)
{
	for (size_t i = 0; i < n_cols; i++)
		printf(i ? " %*s |" : "| %-*s |", cols[i].width, cols[i].title);
	printf("\n|");
	for (size_t i = 0; i < n_cols; i++) {
		/* The field and the spaces around it; right-aligned columns end in ':'. */
		for (int k = 0; k < cols[i].width + (i ? 1 : 2); k++)
			putchar('-');
		printf(i ? ":|" : "|");
	}
	putchar('\n');
}

void bench_rate_header(int name_width, const char *ns_title, const char *malloc_title,
		       const char *pool_title)
{
	const struct bench_col cols[] = {
		{ "case", name_width }, { "batch", 5 }, { ns_title, 8 }, { "median", 8 },
		{ "Mpps", 7 }, { malloc_title, 9 }, { pool_title, 9 },
	};

	bench_table_header(cols, G_N_ELEMENTS(cols));
}

void bench_rate_row(int name_width, const char *name, unsigned int batch,
		    const struct bench_result *res, uint64_t units)
{
	printf("| %-*s | %5u | %8.2f | %8.2f | %7.1f | %9.4f | %9.4f |\n", name_width, name, batch,
	       res->best_ns, res->median_ns, 1e3 / res->best_ns,
	       (double)res->counts.allocs / (double)units,
	       (double)res->counts.pool_allocs / (double)units);
	fflush(stdout);
}

/* Registry and graphs --------------------------------------------------------- */

void bench_print_conditions(void)
{
	g_autofree char *load = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *date = g_date_time_format(now, "%F %H:%M UTC");

	if (!g_file_get_contents("/proc/loadavg", &load, NULL, NULL))
		load = g_strdup("unknown\n");
	printf("run %s, loadavg %s", date, load);
	fflush(stdout);
}

int bench_registry_load(struct pk_registry **out, const struct pk_module_info *builtin,
			const char *origin, const char *const *types, const char *missing)
{
	struct pk_registry *reg;

	bench_print_conditions();
	reg = pk_registry_new();

	*out = NULL;
	pk_registry_scan_default(reg);
	if (builtin && !pk_registry_add_module(reg, builtin, origin, NULL)) {
		pk_registry_free(reg);
		return 1;
	}
	for (const char *const *t = types; *t; t++) {
		if (!pk_registry_lookup(reg, *t)) {
			fprintf(stderr, "%s\n", missing);
			pk_registry_free(reg);
			return 77;
		}
	}
	*out = reg;
	return 0;
}

struct pk_graph *bench_graph_new(struct pk_registry *reg)
{
	return pk_graph_new(reg, NULL, getenv("BENCH_REAL_CLOCK") ? 0 : PK_GRAPH_FAKE_CLOCK);
}

struct pk_dev *bench_device(struct pk_graph *g, const char *id, const char *type,
			    const char *json)
{
	g_autoptr(JsonNode) node = NULL;
	GError *error = NULL;
	struct pk_dev *dev;

	if (json) {
		node = json_from_string(json, &error);
		if (!node)
			g_error("%s", error->message);
	}
	dev = pk_graph_add_device(g, id, type, node ? json_node_get_object(node) : NULL, &error);
	if (!dev)
		g_error("%s", error->message);
	return dev;
}

void bench_link(struct pk_graph *g, const char *a, const char *b)
{
	GError *error = NULL;

	if (!pk_graph_link(g, a, b, &error))
		g_error("%s", error->message);
}
