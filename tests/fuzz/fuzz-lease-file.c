/* SPDX-License-Identifier: MIT
 * fuzz-lease-file.c - libFuzzer target: the DHCP server's lease file loader (modules/dhcp/lease-file.c)
 *
 * Input: [table size][file contents]. The contents are served from a
 * memfd (its /proc/self/fd path) and loaded into a lease table of
 * 1 + (first byte % 32) entries, with a keep filter refusing x.x.x.255, at
 * a fixed wall clock. A file is either refused as a whole
 * (PK_ERROR_INVALID, nothing loaded) or gives bound leases that all expire
 * after now, with valid host names and as many as the return value says.
 * Leases that loaded are saved and loaded again: the same leases come back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include <pktkit/error.h>

#include "lease-file.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WALL_NOW INT64_C(1700000000)
#define MONO_NOW (UINT64_C(5000) * PK_NSEC_PER_SEC)

static int memfd = -1;
static char memfd_path[64];
static char *save_dir, *save_path;

static bool keep(void *data, uint32_t ip, const struct pk_mac *mac)
{
	(void)data;
	(void)mac;
	return (ip & 0xff) != 0xff;
}

static void cleanup(void)
{
	unlink(save_path);
	rmdir(save_dir);
}

static void setup(void)
{
	const char *shm = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : NULL;

	if (memfd >= 0)
		return;
	g_log_set_writer_func(g_log_writer_default, NULL, NULL);
	memfd = memfd_create("fuzz-lease-file", MFD_CLOEXEC);
	if (memfd < 0)
		abort();
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	/* Saves go to a private directory, on tmpfs when there is one. */
	save_dir = g_build_filename(shm ? shm : g_get_tmp_dir(), "fuzz-lease-file-XXXXXX", NULL);
	if (!g_mkdtemp(save_dir))
		abort();
	save_path = g_build_filename(save_dir, "leases", NULL);
	atexit(cleanup);
}

static bool host_ok(const char *h)
{
	size_t n = strnlen(h, LEASE_HOSTNAME_MAX);

	FUZZ_CHECK(n < LEASE_HOSTNAME_MAX);
	for (size_t i = 0; i < n; i++)
		if (!g_ascii_isalnum(h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_')
			return false;
	return true;
}

static void check_table(const struct lease_table *t, int n)
{
	uint32_t cursor, count = 0;

	FUZZ_CHECK(n >= 0 && t->n == (uint32_t)n && t->n + t->n_free == t->max);
	for (struct lease *l = lease_table_first(t, &cursor); l; l = lease_table_next(t, &cursor)) {
		FUZZ_CHECK(l->state == LEASE_BOUND);
		FUZZ_CHECK(l->expires > MONO_NOW);	/* expired ones are skipped */
		FUZZ_CHECK((l->ip & 0xff) != 0xff);	/* the filter was asked */
		FUZZ_CHECK(host_ok(l->hostname));
		FUZZ_CHECK(lease_table_by_mac(t, &l->mac) == l && lease_table_by_ip(t, l->ip) == l);
		count++;
	}
	FUZZ_CHECK(count == t->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lease_table t, back;
	GError *error = NULL;
	uint32_t max, cursor;
	int n;

	if (size < 1 || size > 65536)
		return 0;
	setup();
	max = 1 + data[0] % 32;
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data + 1, size - 1, 0) != (ssize_t)(size - 1))
		abort();

	lease_table_init(&t, max);
	n = lease_file_load(memfd_path, &t, MONO_NOW, WALL_NOW, keep, NULL, &error);
	if (n < 0) {
		FUZZ_CHECK(g_error_matches(error, PK_ERROR, PK_ERROR_INVALID));
		FUZZ_CHECK(t.n == 0);	/* a corrupt file loads nothing */
		g_clear_error(&error);
		lease_table_free(&t);
		return 0;
	}
	FUZZ_CHECK(error == NULL);
	check_table(&t, n);
	if (n > 0) {
		/* Save and load again: the same leases, expiring at the same time. */
		if (!lease_file_save(save_path, &t, MONO_NOW, WALL_NOW, &error))
			abort();	/* the fuzzer's own directory */
		lease_table_init(&back, max);
		FUZZ_CHECK(lease_file_load(save_path, &back, MONO_NOW, WALL_NOW, NULL, NULL,
					   &error) == n);
		check_table(&back, n);
		for (struct lease *l = lease_table_first(&t, &cursor); l;
		     l = lease_table_next(&t, &cursor)) {
			struct lease *b = lease_table_by_mac(&back, &l->mac);

			FUZZ_CHECK(b && b->ip == l->ip && b->expires == l->expires);
			FUZZ_CHECK(strcmp(b->hostname, l->hostname) == 0);
		}
		lease_table_free(&back);
	}
	lease_table_free(&t);
	return 0;
}
