/* SPDX-License-Identifier: MIT
 * slirp-flow.c - The table of l3.slirp's flows: admission, lookup, removal
 */
#include <errno.h>
#include <string.h>

#include "slirp-private.h"

static guint slirp_key_hash(gconstpointer p)
{
	const struct slirp_flow_key *k = p;
	uint32_t h = 2166136261u;
	const uint8_t *b = p;

	/* FNV-1a over the whole key: it is small and has no padding. */
	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static gboolean slirp_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct slirp_flow_key)) == 0;
}

G_STATIC_ASSERT(sizeof(struct slirp_flow_key) == 38); /* no padding bytes to hash */

void slirp_flows_init(struct slirp *s)
{
	s->flows = g_hash_table_new(slirp_key_hash, slirp_key_equal);
	g_queue_init(&s->flow_list);
}

bool slirp_flow_admit(struct slirp *s)
{
	if (g_hash_table_size(s->flows) < s->cfg.max_flows)
		return true;
	s->ctr[SLIRP_C_FLOW_LIMIT]++;
	return false;
}

void slirp_flow_add(struct slirp *s, struct slirp_flow *f)
{
	f->created = f->last_active = pk_dev_now(s->dev);
	g_hash_table_insert(s->flows, &f->key, f);
	g_queue_push_tail(&s->flow_list, f);
}

struct slirp_flow *slirp_flow_lookup(struct slirp *s, const struct slirp_flow_key *k)
{
	return g_hash_table_lookup(s->flows, k);
}

void slirp_flow_remove(struct slirp *s, struct slirp_flow *f)
{
	g_hash_table_remove(s->flows, &f->key);
	g_queue_remove(&s->flow_list, f);
	f->ops->close(s, f);
}

uint32_t slirp_flow_count(const struct slirp *s)
{
	return s->flows ? g_hash_table_size(s->flows) : 0;
}

void slirp_flows_close_all(struct slirp *s)
{
	struct slirp_flow *f;

	if (!s->flows)
		return;
	while ((f = g_queue_peek_head(&s->flow_list)))
		slirp_flow_remove(s, f);
}

void slirp_flow_key_from_pkt(struct slirp_flow_key *k, const struct slirp_pkt *p,
			     uint16_t guest_port, uint16_t remote_port)
{
	uint32_t alen = p->ipv6 ? 16 : 4;

	memset(k, 0, sizeof(*k));
	k->proto = p->proto;
	k->ipv6 = p->ipv6;
	k->guest_port = guest_port;
	k->remote_port = remote_port;
	memcpy(k->guest_addr, p->src, alen);
	memcpy(k->remote_addr, p->dst, alen);
}

void slirp_count_socket_error(struct slirp *s, int err)
{
	s->ctr[SLIRP_C_HOST_SOCKET_ERRORS]++;
	if (err == EMFILE || err == ENFILE)
		pk_dev_log(s->dev, G_LOG_LEVEL_DEBUG, "no host socket for a new flow: %s",
			   g_strerror(err));
}
