// SPDX-License-Identifier: MIT
/* sock-table.c - Bound-address tables of TCP and UDP: demux keys, ephemeral ports, addresses */
#include <string.h>

#include "sock-table.h"

static guint32 vc_hash_seed;

static guint vc_key_hash(gconstpointer k)
{
	const uint8_t *p = k;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ vc_hash_seed;

	for (size_t i = 0; i < sizeof(struct vc_key); i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (guint)(h ^ (h >> 32));
}

static gboolean vc_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct vc_key)) == 0;
}

GHashTable *vc_key_table_new(void)
{
	if (!vc_hash_seed)
		vc_hash_seed = g_random_int() | 1;
	return g_hash_table_new(vc_key_hash, vc_key_equal);
}

gpointer vc_bound_lookup(GHashTable *table, bool ipv6, const uint8_t *addr, uint16_t port)
{
	struct vc_key k;
	gpointer found;

	memset(&k, 0, sizeof(k));
	k.ipv6 = ipv6;
	k.lport = port;
	memcpy(k.laddr, addr, ipv6 ? 16 : 4);
	found = g_hash_table_lookup(table, &k);
	if (found)
		return found;
	memset(k.laddr, 0, sizeof(k.laddr));
	return g_hash_table_lookup(table, &k);
}

bool vc_pick_ephemeral(struct pk_vclient *vc, struct vc_key *k,
		       bool (*is_free)(struct pk_vclient *vc, const struct vc_key *k))
{
	uint32_t span = VC_EPHEMERAL_HI - VC_EPHEMERAL_LO + 1;
	uint32_t start = (uint32_t)g_random_int_range(0, (gint32)span);

	/* A random start, then the next free one: random and collision-free. */
	for (uint32_t i = 0; i < span; i++) {
		k->lport = (uint16_t)(VC_EPHEMERAL_LO + (start + i) % span);
		if (is_free(vc, k))
			return true;
	}
	return false;
}

bool vc_bind_key(struct pk_vclient *vc, GSocketAddress *local, struct vc_key *k, uint16_t *port,
		 GError **error)
{
	bool ipv6;

	memset(k, 0, sizeof(*k));
	if (!vc_sockaddr_get(local, &ipv6, k->laddr, port, error))
		return false;
	if (!vc->running) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "The virtual client is not running");
		return false;
	}
	k->ipv6 = ipv6;
	if (!vc_addr_is_any(ipv6, k->laddr) && !vc_is_local(vc, ipv6, k->laddr)) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "Not an address of this virtual client");
		return false;
	}
	return true;
}

GSocketAddress *vc_sockaddr_new(bool ipv6, const uint8_t *addr, uint16_t port)
{
	GInetAddress *ia = g_inet_address_new_from_bytes(
		addr, ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
	GSocketAddress *sa = g_inet_socket_address_new(ia, port);

	g_object_unref(ia);
	return sa;
}

bool vc_sockaddr_get(GSocketAddress *sa, bool *ipv6, uint8_t *addr, uint16_t *port,
		     GError **error)
{
	GInetAddress *ia;

	if (!G_IS_INET_SOCKET_ADDRESS(sa)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "not an IP socket address");
		return false;
	}
	ia = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa));
	*ipv6 = g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV6;
	memset(addr, 0, 16);
	memcpy(addr, g_inet_address_to_bytes(ia), *ipv6 ? 16 : 4);
	*port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(sa));
	return true;
}
