/* SPDX-License-Identifier: MIT
 * vclient-test.h - Helpers shared by the vclient unit tests: registry, socket addresses, a time guard
 */
#ifndef PK_VCLIENT_TEST_H
#define PK_VCLIENT_TEST_H

#include <pktkit/embed/graph.h>
#include <pktkit/vclient.h>

/* The registry of this build's modules plus the library's own l3.vclient. */
static G_GNUC_UNUSED struct pk_registry *registry(void)
{
	static struct pk_registry *reg;
	GError *error = NULL;

	if (!reg) {
		reg = pk_registry_new();
		pk_registry_scan_default(reg);
		g_assert_true(pk_vclient_register(reg, &error));
		g_assert_no_error(error);
	}
	return reg;
}

/* A GInetSocketAddress from text; the caller unrefs it. */
static G_GNUC_UNUSED GSocketAddress *sa(const char *addr, guint16 port)
{
	return g_inet_socket_address_new_from_string(addr, port);
}

/* Fails a test whose main loop never reaches its condition. */
static G_GNUC_UNUSED gboolean guard_fired(gpointer data)
{
	(void)data;
	g_error("test timed out");
	return G_SOURCE_REMOVE;
}

#endif /* PK_VCLIENT_TEST_H */
