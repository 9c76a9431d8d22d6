/* SPDX-License-Identifier: MIT
 * lease-table.c - Bounded table of DHCP leases, indexed by client MAC and by address, grown in chunks
 */
#include <string.h>

#include "lease-table.h"

/* 255.255.255.255 is never leased, so ip + 1 is never 0 (NULL). */
static gpointer ip_key(uint32_t ip)
{
	return GUINT_TO_POINTER(ip + 1u);
}

static struct lease *lease_at(const struct lease_table *t, uint32_t i)
{
	return &t->chunks[i / LEASE_CHUNK][i % LEASE_CHUNK];
}

void lease_table_init(struct lease_table *t, uint32_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->chunks = g_new0(struct lease *, (max + LEASE_CHUNK - 1) / LEASE_CHUNK);
	t->by_ip = g_hash_table_new(g_direct_hash, g_direct_equal);
	t->by_mac = g_hash_table_new(g_int64_hash, g_int64_equal);
	lease_table_clear(t);
}

void lease_table_clear(struct lease_table *t)
{
	g_hash_table_remove_all(t->by_ip);
	g_hash_table_remove_all(t->by_mac);
	for (uint32_t c = 0; c * LEASE_CHUNK < t->next_new; c++) {
		g_free(t->chunks[c]);
		t->chunks[c] = NULL;
	}
	g_free(t->free);
	t->free = NULL;
	t->free_len = t->free_cap = 0;
	t->next_new = 0;
	t->n_free = t->max;
	t->n = 0;
}

void lease_table_free(struct lease_table *t)
{
	if (t->by_ip)
		g_hash_table_destroy(t->by_ip);
	if (t->by_mac)
		g_hash_table_destroy(t->by_mac);
	for (uint32_t c = 0; t->chunks && c * LEASE_CHUNK < t->next_new; c++)
		g_free(t->chunks[c]);
	g_free(t->chunks);
	g_free(t->free);
	memset(t, 0, sizeof(*t));
}

struct lease *lease_table_by_ip(const struct lease_table *t, uint32_t ip)
{
	return g_hash_table_lookup(t->by_ip, ip_key(ip));
}

struct lease *lease_table_by_mac(const struct lease_table *t, const struct pk_mac *mac)
{
	uint64_t k = lease_mac_key(mac);

	return g_hash_table_lookup(t->by_mac, &k);
}

static void lease_index_mac(struct lease_table *t, struct lease *l)
{
	struct lease *old;

	l->mac_key = 0;
	if (l->state == LEASE_DECLINED)
		return;
	l->mac_key = lease_mac_key(&l->mac);
	/* One address per client: an older entry of this MAC loses its index
	 * entry (the caller removes it before adding, normally). */
	old = g_hash_table_lookup(t->by_mac, &l->mac_key);
	if (old && old != l)
		old->mac_key = 0;
	g_hash_table_replace(t->by_mac, &l->mac_key, l);
}

static void lease_unindex_mac(struct lease_table *t, struct lease *l)
{
	if (l->mac_key && g_hash_table_lookup(t->by_mac, &l->mac_key) == l)
		g_hash_table_remove(t->by_mac, &l->mac_key);
	l->mac_key = 0;
}

struct lease *lease_table_add(struct lease_table *t, uint32_t ip, const struct pk_mac *mac,
			      enum lease_state state, uint64_t expires)
{
	struct lease *l;

	uint32_t slot;

	if (t->n_free == 0 || lease_table_by_ip(t, ip))
		return NULL;
	if (t->free_len) {
		slot = t->free[--t->free_len];
	} else {
		slot = t->next_new;
		if (slot % LEASE_CHUNK == 0)
			t->chunks[slot / LEASE_CHUNK] = g_new(struct lease, LEASE_CHUNK);
		t->next_new++;
	}
	t->n_free--;
	l = lease_at(t, slot);
	memset(l, 0, sizeof(*l));
	l->slot = slot;
	l->ip = ip;
	if (mac)
		l->mac = *mac;
	l->state = (uint8_t)state;
	l->expires = expires;
	g_hash_table_insert(t->by_ip, ip_key(ip), l);
	lease_index_mac(t, l);
	t->n++;
	return l;
}

void lease_table_remove(struct lease_table *t, struct lease *l)
{
	lease_unindex_mac(t, l);
	g_hash_table_remove(t->by_ip, ip_key(l->ip));
	l->state = 0;
	if (t->free_len == t->free_cap) {
		t->free_cap = MAX(t->free_cap * 2, LEASE_CHUNK);
		t->free = g_renew(uint32_t, t->free, t->free_cap);
	}
	t->free[t->free_len++] = l->slot;
	t->n_free++;
	t->n--;
}

void lease_table_set_mac(struct lease_table *t, struct lease *l, const struct pk_mac *mac)
{
	lease_unindex_mac(t, l);
	if (mac)
		l->mac = *mac;
	else
		memset(&l->mac, 0, sizeof(l->mac));
	lease_index_mac(t, l);
}

uint32_t lease_table_expire(struct lease_table *t, uint64_t now, uint32_t *n_bound)
{
	uint32_t n = 0, bound = 0;

	for (uint32_t i = 0; i < t->next_new && t->n; i++) {
		struct lease *l = lease_at(t, i);

		if (!l->state || l->expires > now)
			continue;
		if (l->state == LEASE_BOUND)
			bound++;
		lease_table_remove(t, l);
		n++;
	}
	if (n_bound)
		*n_bound = bound;
	return n;
}

uint64_t lease_table_next_expiry(const struct lease_table *t)
{
	uint64_t next = UINT64_MAX;

	for (uint32_t i = 0; i < t->next_new; i++)
		if (lease_at(t, i)->state && lease_at(t, i)->expires < next)
			next = lease_at(t, i)->expires;
	return next;
}

struct lease *lease_table_next(const struct lease_table *t, uint32_t *cursor)
{
	while (*cursor < t->next_new) {
		struct lease *l = lease_at(t, (*cursor)++);

		if (l->state)
			return l;
	}
	return NULL;
}

struct lease *lease_table_first(const struct lease_table *t, uint32_t *cursor)
{
	*cursor = 0;
	return lease_table_next(t, cursor);
}
