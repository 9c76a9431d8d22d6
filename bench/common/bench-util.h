// SPDX-License-Identifier: MIT
/* bench-util.h - Harness shared by the micro benchmarks: malloc counting, rounds, tables */
#ifndef PK_BENCH_UTIL_H
#define PK_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pktkit/embed/graph.h>

/*
 * Linking this library interposes malloc(), calloc(), realloc(), memalign(),
 * aligned_alloc() and posix_memalign() for the whole process (glibc, no
 * sanitizer): each call is counted. The definitions live in the object that
 * also defines bench_allocs(), so every benchmark that reads the counter
 * links them.
 */

/**
 * bench_allocs_counted() - Whether the C allocator calls are counted
 *
 * Return: false in sanitizer builds (the sanitizer owns malloc) and without
 * glibc; bench_allocs() is then always 0.
 */
bool bench_allocs_counted(void);

/**
 * bench_allocs() - C allocator calls made so far by the whole process
 *
 * Context: any thread.
 * Return: the number of malloc()-family calls, setup included.
 */
uint64_t bench_allocs(void);

/**
 * bench_now_ns() - Read the monotonic clock
 *
 * Return: CLOCK_MONOTONIC in nanoseconds.
 */
double bench_now_ns(void);

/**
 * struct bench_counts - Allocations over a measured span
 * @allocs:	C allocator calls (see bench_allocs())
 * @pool_allocs:	System allocations made by the buffer pool (pk_buf_pool_stats())
 */
struct bench_counts {
	uint64_t allocs;
	uint64_t pool_allocs;
};

/**
 * bench_counts_begin() - Start counting allocations
 * @c:	Filled in with the current totals
 */
void bench_counts_begin(struct bench_counts *c);

/**
 * bench_counts_end() - Stop counting allocations
 * @c:	Started with bench_counts_begin(); becomes what was allocated since
 */
void bench_counts_end(struct bench_counts *c);

/**
 * struct bench_result - What bench_rounds() measured
 * @best_ns:	Nanoseconds per unit in the fastest round
 * @median_ns:	Nanoseconds per unit in the median round
 * @counts:	Allocations over all the rounds
 */
struct bench_result {
	double best_ns;
	double median_ns;
	struct bench_counts counts;
};

/**
 * bench_rounds() - Time a case in rounds: the fastest and the median
 * @n_rounds:	Rounds, at most 16; the machine is shared, so the fastest round
 *		is the least disturbed one
 * @run:	Does @iters iterations of the case on @ctx
 * @ctx:	Passed to @run
 * @iters:	Iterations per round
 * @units:	Units (frames, packets, ops) per round: the times are per unit
 * @res:	Filled in; @res->counts covers all the rounds and nothing else
 */
void bench_rounds(unsigned int n_rounds, void (*run)(void *ctx, uint64_t iters), void *ctx,
		  uint64_t iters, uint64_t units, struct bench_result *res);

/**
 * bench_selected() - Whether a case passes the command line filter
 * @filter:	Substring to look for, or NULL for every case
 * @name:	Name of the case
 * @batch:	Batch size of the case
 *
 * Return: true if @filter is NULL or "@name/@batch" contains it.
 */
bool bench_selected(const char *filter, const char *name, unsigned int batch);

/**
 * struct bench_col - A column of a markdown table
 * @title:	Header text
 * @width:	Field width; the first column is left-aligned, the others right-aligned
 */
struct bench_col {
	const char *title;
	int width;
};

/**
 * bench_table_header() - Print the header and separator lines of a markdown table
 * @cols:	The columns
 * @n_cols:	How many
 */
void bench_table_header(const struct bench_col *cols, size_t n_cols);

/**
 * bench_rate_header() - Print the header of a table of bench_rate_row() rows
 * @name_width:	Width of the first column ("case")
 * @ns_title:	Title of the time column, e.g. "ns/frame"
 * @malloc_title:	Title of the C allocator column, e.g. "malloc/fr"
 * @pool_title:	Title of the buffer-pool column, e.g. "pool/fr"
 */
void bench_rate_header(int name_width, const char *ns_title, const char *malloc_title,
		       const char *pool_title);

/**
 * bench_rate_row() - Print a "case | batch | ns | median | M/s | malloc | pool" row
 * @name_width:	Width of the first column
 * @name:	Name of the case
 * @batch:	Batch size
 * @res:	From bench_rounds()
 * @units:	Units over all the rounds: the allocations are per unit
 *
 * Flushes stdout, so that rows show up while the benchmark runs.
 */
void bench_rate_row(int name_width, const char *name, unsigned int batch,
		    const struct bench_result *res, uint64_t units);

/**
 * bench_print_conditions() - Print the date and /proc/loadavg on one line
 *
 * The machine may be shared: every benchmark prints the conditions of its
 * run (bench_registry_load() calls this).
 */
void bench_print_conditions(void);

/**
 * bench_registry_load() - Registry of the modules found, plus one built in
 * @out:	Set to the registry, or to NULL on failure
 * @builtin:	Module of the benchmark itself, or NULL
 * @origin:	Where @builtin comes from, for messages
 * @types:	NULL-terminated device types the benchmark needs
 * @missing:	Line to print on stderr when one of @types is not found
 *
 * Scans $PKTKIT_MODULE_PATH and the install directory (pk_registry_scan_default()).
 * Prints the run's conditions first (bench_print_conditions()).
 *
 * Return: 0; 1 if @builtin cannot be added; 77 (skipped) if a type is missing.
 */
int bench_registry_load(struct pk_registry **out, const struct pk_module_info *builtin,
			const char *origin, const char *const *types, const char *missing);

/**
 * bench_graph_new() - A graph on a fake clock, or on the monotonic clock with BENCH_REAL_CLOCK
 * @reg:	Registry of the device types
 *
 * Return: the graph, not started.
 */
struct pk_graph *bench_graph_new(struct pk_registry *reg);

/**
 * bench_device() - Add a device or abort
 * @g:		Graph
 * @id:		Device id
 * @type:	Device type
 * @json:	Parameters as a JSON object, or NULL for none
 *
 * Return: the device.
 */
struct pk_dev *bench_device(struct pk_graph *g, const char *id, const char *type,
			    const char *json);

/**
 * bench_link() - Link two endpoints or abort
 * @g:	Graph
 * @a:	Endpoint
 * @b:	Endpoint
 */
void bench_link(struct pk_graph *g, const char *a, const char *b);

#endif /* PK_BENCH_UTIL_H */
