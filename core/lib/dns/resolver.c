/* SPDX-License-Identifier: MIT
 * resolver.c - Sans-I/O DNS stub resolver: tries across servers, reply validation, CNAME chains, TCP fallback, cache
 */
#include <string.h>

#include <pktkit/toolkit/dns.h>

#define NS_PER_S 1000000000ull
/* Queries with an ID at once, at most: a quarter of the ID space keeps
 * random IDs cheap to find and hard to guess. */
#define DNS_MAX_IN_FLIGHT 16384u

/* Why tries of a query failed, to choose the final status. */
#define FAIL_SERVER 1u
#define FAIL_MALFORMED 2u

/* One record type of a lookup. */
struct dns_query {
	struct pk_dns_lookup *l;
	uint16_t qtype;
	uint8_t family;
	bool done;
	bool queued;		/* on r->send_q */
	bool has_id;		/* registered in r->by_id */
	bool tcp;		/* tries go over TCP (after TC=1) */
	bool no_edns;		/* FORMERR to EDNS: resend without */
	uint16_t id;
	uint8_t fail_bits;
	unsigned int server;	/* server of the current try */
	uint32_t tries;		/* tries ended for the current name */
	uint32_t udp_mask;	/* servers the current ID went to over UDP */
	uint32_t tag;		/* current try */
	uint64_t deadline;
	uint32_t cname_depth;	/* CNAMEs followed by earlier replies */
	uint32_t chain_ttl;	/* smallest TTL of those CNAMEs */
	enum pk_dns_status status;
	uint8_t qname[PK_DNS_NAME_MAX];	/* name asked now (end of a CNAME chain) */
	uint32_t qname_len;
	uint8_t canon[PK_DNS_NAME_MAX];
	uint32_t canon_len;
	unsigned int n_addrs;
	struct pk_dns_addr addrs[PK_DNS_MAX_ADDRS];
	uint32_t wire_len;
	uint8_t wire[PK_DNS_TCP_PREFIX + PK_DNS_QUERY_MAX];
	GList send_link;
};

struct pk_dns_lookup {
	struct pk_dns_resolver *r;
	void *user_data;
	enum pk_dns_family family;
	enum pk_dns_status status;
	unsigned int n_q;
	unsigned int pending;
	bool in_done_q;
	uint8_t qname[PK_DNS_NAME_MAX];	/* as asked: the cache key */
	uint32_t qname_len;
	struct dns_query q[2];
	unsigned int n_addrs;
	struct pk_dns_addr addrs[2 * PK_DNS_MAX_ADDRS];
	const uint8_t *canon;
	uint32_t canon_len;
	GList link;		/* r->lookups */
	GList done_link;	/* r->done_q */
};

/* A cached answer for one (name, type). */
struct dns_cache_entry {
	uint16_t qtype;
	uint8_t name_len;
	uint8_t name[PK_DNS_NAME_MAX];	/* lower case */
	uint64_t expires;
	enum pk_dns_status status;	/* OK, NXDOMAIN or NODATA */
	uint8_t canon_len;
	uint8_t canon[PK_DNS_NAME_MAX];
	unsigned int n_addrs;
	GList lru_link;
	struct pk_dns_addr addrs[];
};

struct pk_dns_resolver {
	struct pk_dns_resolver_config cfg;
	struct pk_dns_server servers[PK_DNS_MAX_SERVERS];
	GHashTable *by_id;	/* ID -> struct dns_query, queries not done */
	GQueue send_q;
	GQueue done_q;
	GQueue lookups;
	GHashTable *cache;	/* set of struct dns_cache_entry */
	GQueue lru;		/* most recently used first */
	uint32_t next_tag;
	struct pk_dns_resolver_stats st;
};

/* Cache ------------------------------------------------------------------- */

static guint cache_hash(gconstpointer p)
{
	const struct dns_cache_entry *e = p;
	guint h = 2166136261u ^ e->qtype;

	for (unsigned int i = 0; i < e->name_len; i++)
		h = (h ^ e->name[i]) * 16777619u;
	return h;
}

static gboolean cache_equal(gconstpointer a, gconstpointer b)
{
	const struct dns_cache_entry *x = a, *y = b;

	return x->qtype == y->qtype && x->name_len == y->name_len &&
	       memcmp(x->name, y->name, x->name_len) == 0;
}

static void cache_key(struct dns_cache_entry *e, const uint8_t *name, uint32_t len, uint16_t qtype)
{
	e->qtype = qtype;
	e->name_len = (uint8_t)len;
	for (uint32_t i = 0; i < len; i++)
		e->name[i] = name[i] >= 'A' && name[i] <= 'Z' ? (uint8_t)(name[i] + 32) : name[i];
}

static void cache_remove(struct pk_dns_resolver *r, struct dns_cache_entry *e)
{
	g_queue_unlink(&r->lru, &e->lru_link);
	g_hash_table_remove(r->cache, e);
	g_free(e);
}

/* The live entry for @name/@qtype, or NULL (an expired one is dropped). */
static struct dns_cache_entry *cache_find(struct pk_dns_resolver *r, const uint8_t *name,
					  uint32_t len, uint16_t qtype, uint64_t now)
{
	struct dns_cache_entry *probe = g_alloca(sizeof(*probe)), *e;

	cache_key(probe, name, len, qtype);
	e = g_hash_table_lookup(r->cache, probe);
	if (!e)
		return NULL;
	if (e->expires <= now) {
		cache_remove(r, e);
		return NULL;
	}
	g_queue_unlink(&r->lru, &e->lru_link);
	g_queue_push_head_link(&r->lru, &e->lru_link);
	return e;
}

static void cache_store(struct pk_dns_resolver *r, const struct dns_query *q, uint32_t ttl,
			uint64_t now)
{
	const struct pk_dns_lookup *l = q->l;
	struct dns_cache_entry *e, *old;

	if (r->cfg.no_cache || ttl == 0)
		return;
	e = g_malloc0(sizeof(*e) + q->n_addrs * sizeof(e->addrs[0]));
	cache_key(e, l->qname, l->qname_len, q->qtype);
	old = g_hash_table_lookup(r->cache, e);
	if (old)
		cache_remove(r, old);
	while (g_hash_table_size(r->cache) >= r->cfg.cache_size) {
		struct dns_cache_entry *victim = g_queue_peek_tail(&r->lru);

		if (victim->expires > now)
			r->st.cache_evictions++;
		cache_remove(r, victim);
	}
	e->expires = now + (uint64_t)ttl * NS_PER_S;
	e->status = q->status;
	e->canon_len = (uint8_t)q->canon_len;
	memcpy(e->canon, q->canon, q->canon_len);
	e->n_addrs = q->n_addrs;
	memcpy(e->addrs, q->addrs, q->n_addrs * sizeof(e->addrs[0]));
	e->lru_link.data = e;
	g_hash_table_add(r->cache, e);
	g_queue_push_head_link(&r->lru, &e->lru_link);
}

void pk_dns_resolver_cache_clear(struct pk_dns_resolver *r)
{
	struct dns_cache_entry *e;

	while ((e = g_queue_peek_head(&r->lru)))
		cache_remove(r, e);
}

unsigned int pk_dns_resolver_cache_count(const struct pk_dns_resolver *r)
{
	return g_hash_table_size(r->cache);
}

/* Queries ------------------------------------------------------------------ */

static bool query_take_id(struct pk_dns_resolver *r, struct dns_query *q)
{
	uint16_t id;

	if (g_hash_table_size(r->by_id) >= DNS_MAX_IN_FLIGHT)
		return false;
	do
		id = pk_dns_random_id();
	while (g_hash_table_contains(r->by_id, GUINT_TO_POINTER(id)));
	g_hash_table_insert(r->by_id, GUINT_TO_POINTER(id), q);
	q->id = id;
	q->has_id = true;
	q->udp_mask = 0;
	return true;
}

static void query_drop_id(struct pk_dns_resolver *r, struct dns_query *q)
{
	if (q->has_id)
		g_hash_table_remove(r->by_id, GUINT_TO_POINTER(q->id));
	q->has_id = false;
}

static void query_unqueue(struct pk_dns_resolver *r, struct dns_query *q)
{
	if (q->queued)
		g_queue_unlink(&r->send_q, &q->send_link);
	q->queued = false;
}

static void lookup_complete(struct pk_dns_resolver *r, struct pk_dns_lookup *l)
{
	const struct dns_query *a = &l->q[0], *b = l->n_q > 1 ? &l->q[1] : NULL;

	l->n_addrs = 0;
	l->canon = NULL;
	for (unsigned int i = 0; i < l->n_q; i++) {
		const struct dns_query *q = &l->q[i];

		memcpy(l->addrs + l->n_addrs, q->addrs, q->n_addrs * sizeof(q->addrs[0]));
		l->n_addrs += q->n_addrs;
		if (q->status == PK_DNS_ST_OK && !l->canon) {
			l->canon = q->canon;
			l->canon_len = q->canon_len;
		}
	}
	if (!b)
		l->status = a->status;
	else if (a->status == PK_DNS_ST_OK || b->status == PK_DNS_ST_OK)
		l->status = PK_DNS_ST_OK;
	else if (a->status == PK_DNS_ST_NXDOMAIN || b->status == PK_DNS_ST_NXDOMAIN)
		l->status = PK_DNS_ST_NXDOMAIN;
	else if (a->status != PK_DNS_ST_NODATA)
		l->status = a->status;
	else
		l->status = b->status;
	l->in_done_q = true;
	l->done_link.data = l;
	g_queue_push_tail_link(&r->done_q, &l->done_link);
}

static void query_finish(struct pk_dns_resolver *r, struct dns_query *q, enum pk_dns_status st)
{
	struct pk_dns_lookup *l = q->l;

	query_drop_id(r, q);
	query_unqueue(r, q);
	q->done = true;
	q->status = st;
	if (st != PK_DNS_ST_OK)
		q->n_addrs = 0;
	if (--l->pending == 0)
		lookup_complete(r, l);
}

/* Build the current try's message and queue it; its timeout starts now. */
static void query_start_try(struct pk_dns_resolver *r, struct dns_query *q, uint64_t now)
{
	struct pk_dns_query_params qp = {
		.id = q->id,
		.qtype = q->qtype,
		.rd = true,
		.edns_udp_size = r->cfg.no_edns || q->no_edns ? 0 : r->cfg.edns_udp_size,
	};
	uint32_t n;

	n = pk_dns_build_query(q->wire + PK_DNS_TCP_PREFIX, PK_DNS_QUERY_MAX, q->qname, q->qname_len,
			       &qp);
	g_assert(n > 0);
	if (q->tcp) {
		pk_dns_tcp_frame(q->wire, sizeof(q->wire), q->wire + PK_DNS_TCP_PREFIX, n);
		n += PK_DNS_TCP_PREFIX;
	} else {
		q->udp_mask |= 1u << q->server;
	}
	q->wire_len = n;
	if (++r->next_tag == 0)
		r->next_tag = 1;
	q->tag = r->next_tag;
	q->deadline = now + r->cfg.timeout_ns;
	if (!q->queued) {
		q->queued = true;
		q->send_link.data = q;
		g_queue_push_tail_link(&r->send_q, &q->send_link);
	}
}

/* Start asking for q->qname from the first try. */
static void query_begin(struct pk_dns_resolver *r, struct dns_query *q, uint64_t now)
{
	query_drop_id(r, q);
	if (!query_take_id(r, q)) {
		query_finish(r, q, PK_DNS_ST_LIMIT);
		return;
	}
	q->tries = 0;
	q->tcp = false;
	query_start_try(r, q, now);
}

/* The current try ended without an answer: next server, or give up. */
static void query_try_failed(struct pk_dns_resolver *r, struct dns_query *q, uint64_t now)
{
	unsigned int n = r->cfg.n_servers;

	if (++q->tries >= r->cfg.attempts * n) {
		query_finish(r, q, q->fail_bits & FAIL_SERVER ? PK_DNS_ST_SERVFAIL :
				   q->fail_bits & FAIL_MALFORMED ? PK_DNS_ST_MALFORMED :
				   PK_DNS_ST_TIMEOUT);
		return;
	}
	q->server = (q->server + 1) % n;
	r->st.retries++;
	query_start_try(r, q, now);
}

static void query_add_addr(struct dns_query *q, const struct pk_dns_rr *rr, uint32_t chain_ttl)
{
	struct pk_dns_addr *a;

	if (q->n_addrs >= PK_DNS_MAX_ADDRS)
		return;
	a = &q->addrs[q->n_addrs++];
	memset(a, 0, sizeof(*a));
	a->family = q->family;
	memcpy(a->addr, rr->rdata, q->family == 4 ? 4 : 16);
	a->ttl = MIN(rr->ttl, chain_ttl);
}

/* A NOERROR or NXDOMAIN reply: follow the CNAME chain from q->qname. */
static void query_answer(struct pk_dns_resolver *r, struct dns_query *q,
			 const struct pk_dns_msg *m, uint64_t now)
{
	struct pk_dns_name chain[PK_DNS_MAX_CNAME + 1];
	struct pk_dns_name cur = pk_dns_name_wire(q->qname, q->qname_len);
	uint32_t chain_ttl = q->chain_ttl, depth = q->cname_depth, neg_ttl, ttl;
	unsigned int n_chain = 0;
	bool have_soa = false;
	struct pk_dns_iter it;
	struct pk_dns_rr rr;

	q->n_addrs = 0;
	chain[n_chain++] = cur;
	for (;;) {
		struct pk_dns_name target = { 0 };
		uint32_t target_ttl = 0;
		bool got_cname = false;

		pk_dns_iter_init(&it, m);
		while (pk_dns_next_rr(&it, &rr) && rr.section == PK_DNS_SEC_ANSWER) {
			if (rr.rclass != PK_DNS_CLASS_IN || !pk_dns_name_equal(&rr.name, &cur))
				continue;
			if (rr.type == q->qtype) {
				query_add_addr(q, &rr, chain_ttl);
			} else if (rr.type == PK_DNS_T_CNAME && !got_cname) {
				got_cname = true;
				target = rr.cname;
				target_ttl = rr.ttl;
			}
		}
		if (q->n_addrs || !got_cname)
			break;
		for (unsigned int i = 0; i < n_chain; i++)
			if (pk_dns_name_equal(&chain[i], &target)) {
				query_finish(r, q, PK_DNS_ST_CNAME_LOOP);
				return;
			}
		if (++depth > PK_DNS_MAX_CNAME) {
			query_finish(r, q, PK_DNS_ST_CNAME_LOOP);
			return;
		}
		chain_ttl = MIN(chain_ttl, target_ttl);
		chain[n_chain++] = target;
		cur = target;
	}
	/* cur was checked by the parser: it unpacks */
	pk_dns_name_unpack(&cur, q->canon, &q->canon_len);
	if (q->n_addrs) {
		ttl = r->cfg.max_ttl;
		for (unsigned int i = 0; i < q->n_addrs; i++)
			ttl = MIN(ttl, q->addrs[i].ttl);
		q->status = PK_DNS_ST_OK;
		cache_store(r, q, ttl, now);
		query_finish(r, q, PK_DNS_ST_OK);
		return;
	}

	/* Negative: the SOA in the authority section says for how long (RFC 2308). */
	neg_ttl = r->cfg.neg_ttl;
	pk_dns_iter_init(&it, m);
	while (pk_dns_next_rr(&it, &rr)) {
		if (rr.section == PK_DNS_SEC_AUTHORITY && rr.type == PK_DNS_T_SOA) {
			have_soa = true;
			neg_ttl = MIN(rr.ttl, rr.soa.minimum);
			break;
		}
	}
	neg_ttl = MIN(MIN(neg_ttl, r->cfg.max_neg_ttl), chain_ttl);
	if ((m->rcode & 0xf) == PK_DNS_RCODE_NXDOMAIN) {
		q->status = PK_DNS_ST_NXDOMAIN;
		cache_store(r, q, neg_ttl, now);
		query_finish(r, q, PK_DNS_ST_NXDOMAIN);
		return;
	}
	if (n_chain > 1 && !have_soa) {
		/* The chain stops without an answer or a negative answer for
		 * its end: ask for the end (RFC 1034 section 5.3.3). */
		memcpy(q->qname, q->canon, q->canon_len);
		q->qname_len = q->canon_len;
		q->cname_depth = depth;
		q->chain_ttl = chain_ttl;
		r->st.cname_requeries++;
		query_begin(r, q, now);
		return;
	}
	q->status = PK_DNS_ST_NODATA;
	cache_store(r, q, neg_ttl, now);
	query_finish(r, q, PK_DNS_ST_NODATA);
}

static int server_index(const struct pk_dns_resolver *r, const struct pk_dns_server *from)
{
	for (unsigned int i = 0; i < r->cfg.n_servers; i++) {
		const struct pk_dns_server *s = &r->servers[i];

		if (s->ipv6 == from->ipv6 && s->port == from->port &&
		    memcmp(s->addr, from->addr, s->ipv6 ? 16 : 4) == 0)
			return (int)i;
	}
	return -1;
}

enum pk_dns_input_result pk_dns_resolver_input(struct pk_dns_resolver *r,
					       const struct pk_dns_server *from,
					       enum pk_dns_transport transport,
					       const uint8_t *msg, uint32_t len, uint64_t now_ns)
{
	struct pk_dns_msg m;
	enum pk_dns_err err = pk_dns_parse(msg, len, &m);
	struct dns_query *q;
	bool current;
	unsigned int rc;
	int si;

	if (err == PK_DNS_E_SHORT) {
		r->st.drop_malformed++;
		return PK_DNS_IN_MALFORMED;
	}
	if (!(m.flags & PK_DNS_F_QR) || m.opcode != 0) {
		r->st.drop_not_response++;
		return PK_DNS_IN_NOT_RESPONSE;
	}
	q = g_hash_table_lookup(r->by_id, GUINT_TO_POINTER(m.id));
	if (!q) {
		r->st.drop_unknown_id++;
		return PK_DNS_IN_UNKNOWN_ID;
	}
	si = server_index(r, from);
	if (si < 0 || (transport == PK_DNS_UDP && !(q->udp_mask & (1u << si))) ||
	    (transport == PK_DNS_TCP && (!q->tcp || q->server != (unsigned int)si))) {
		r->st.drop_wrong_source++;
		return PK_DNS_IN_WRONG_SOURCE;
	}
	rc = m.rcode;
	/* A FORMERR may come without the question (RFC 6891 section 7). */
	if (!(err == PK_DNS_OK && m.qdcount == 0 && rc == PK_DNS_RCODE_FORMERR)) {
		struct pk_dns_name qn = pk_dns_name_wire(q->qname, q->qname_len);

		if (!m.has_question || (err == PK_DNS_OK && m.qdcount != 1) ||
		    m.question.qtype != q->qtype || m.question.qclass != PK_DNS_CLASS_IN ||
		    !pk_dns_name_equal(&m.question.name, &qn)) {
			r->st.drop_question++;
			return PK_DNS_IN_WRONG_QUESTION;
		}
	}
	/* Replies from earlier tries (UDP, other server) are used if good,
	 * but their failures do not end the current try. */
	current = transport == PK_DNS_TCP || (!q->tcp && q->server == (unsigned int)si);
	if (err != PK_DNS_OK) {
		r->st.drop_malformed++;
		q->fail_bits |= FAIL_MALFORMED;
		if (current)
			query_try_failed(r, q, now_ns);
		return PK_DNS_IN_MALFORMED;
	}
	r->st.replies++;
	if ((m.flags & PK_DNS_F_TC) && transport == PK_DNS_UDP) {
		r->st.truncated++;
		q->tcp = true;
		q->server = (unsigned int)si;
		query_start_try(r, q, now_ns);
		return PK_DNS_IN_ACCEPTED;
	}
	if (rc == PK_DNS_RCODE_FORMERR && !q->no_edns && !r->cfg.no_edns) {
		r->st.edns_fallbacks++;
		q->no_edns = true;
		q->server = (unsigned int)si;
		query_start_try(r, q, now_ns);
		return PK_DNS_IN_ACCEPTED;
	}
	if (rc != PK_DNS_RCODE_NOERROR && rc != PK_DNS_RCODE_NXDOMAIN) {
		r->st.server_errors++;
		q->fail_bits |= FAIL_SERVER;
		if (current)
			query_try_failed(r, q, now_ns);
		return PK_DNS_IN_ACCEPTED;
	}
	query_answer(r, q, &m, now_ns);
	return PK_DNS_IN_ACCEPTED;
}

/* Resolver ------------------------------------------------------------------ */

struct pk_dns_resolver *pk_dns_resolver_new(const struct pk_dns_resolver_config *cfg)
{
	struct pk_dns_resolver *r;

	if (cfg->n_servers == 0 || cfg->n_servers > PK_DNS_MAX_SERVERS || !cfg->servers)
		return NULL;
	r = g_new0(struct pk_dns_resolver, 1);
	r->cfg = *cfg;
	memcpy(r->servers, cfg->servers, cfg->n_servers * sizeof(r->servers[0]));
	for (unsigned int i = 0; i < cfg->n_servers; i++)
		if (r->servers[i].port == 0)
			r->servers[i].port = PK_DNS_PORT;
	r->cfg.servers = r->servers;
	if (!r->cfg.timeout_ns)
		r->cfg.timeout_ns = 2 * NS_PER_S;
	if (!r->cfg.attempts)
		r->cfg.attempts = 2;
	if (!r->cfg.cache_size)
		r->cfg.cache_size = 256;
	if (!r->cfg.max_ttl)
		r->cfg.max_ttl = 86400;
	if (!r->cfg.neg_ttl)
		r->cfg.neg_ttl = 15;
	if (!r->cfg.max_neg_ttl)
		r->cfg.max_neg_ttl = 3600;
	if (!r->cfg.edns_udp_size)
		r->cfg.edns_udp_size = PK_DNS_EDNS_UDP_DEFAULT;
	r->by_id = g_hash_table_new(g_direct_hash, g_direct_equal);
	r->cache = g_hash_table_new(cache_hash, cache_equal);
	g_queue_init(&r->send_q);
	g_queue_init(&r->done_q);
	g_queue_init(&r->lookups);
	g_queue_init(&r->lru);
	return r;
}

void pk_dns_resolver_free(struct pk_dns_resolver *r)
{
	struct pk_dns_lookup *l;

	if (!r)
		return;
	while ((l = g_queue_peek_head(&r->lookups)))
		pk_dns_lookup_free(l);
	pk_dns_resolver_cache_clear(r);
	g_hash_table_destroy(r->by_id);
	g_hash_table_destroy(r->cache);
	g_free(r);
}

struct pk_dns_lookup *pk_dns_resolver_lookup(struct pk_dns_resolver *r, const char *name,
					     enum pk_dns_family family, void *user_data,
					     uint64_t now_ns, enum pk_dns_err *err)
{
	uint8_t wire[PK_DNS_NAME_MAX];
	struct pk_dns_lookup *l;
	enum pk_dns_err e;
	uint32_t wl;

	e = pk_dns_name_from_text(name, wire, &wl);
	if (err)
		*err = e;
	if (e != PK_DNS_OK)
		return NULL;
	if (family != PK_DNS_FAMILY_V4 && family != PK_DNS_FAMILY_V6)
		family = PK_DNS_FAMILY_ANY;
	r->st.lookups++;
	l = g_new0(struct pk_dns_lookup, 1);
	l->r = r;
	l->user_data = user_data;
	l->family = family;
	l->status = PK_DNS_ST_PENDING;
	memcpy(l->qname, wire, wl);
	l->qname_len = wl;
	if (family & PK_DNS_FAMILY_V4) {
		l->q[l->n_q].qtype = PK_DNS_T_A;
		l->q[l->n_q++].family = 4;
	}
	if (family & PK_DNS_FAMILY_V6) {
		l->q[l->n_q].qtype = PK_DNS_T_AAAA;
		l->q[l->n_q++].family = 6;
	}
	l->link.data = l;
	g_queue_push_tail_link(&r->lookups, &l->link);
	l->pending = l->n_q;
	for (unsigned int i = 0; i < l->n_q; i++) {
		struct dns_query *q = &l->q[i];
		struct dns_cache_entry *ce;

		q->l = l;
		memcpy(q->qname, wire, wl);
		q->qname_len = wl;
		q->chain_ttl = UINT32_MAX;
		ce = r->cfg.no_cache ? NULL : cache_find(r, wire, wl, q->qtype, now_ns);
		if (ce) {
			uint32_t left = (uint32_t)MIN((ce->expires - now_ns) / NS_PER_S, UINT32_MAX);

			r->st.cache_hits++;
			q->n_addrs = ce->n_addrs;
			memcpy(q->addrs, ce->addrs, ce->n_addrs * sizeof(q->addrs[0]));
			for (unsigned int k = 0; k < q->n_addrs; k++)
				q->addrs[k].ttl = left;
			memcpy(q->canon, ce->canon, ce->canon_len);
			q->canon_len = ce->canon_len;
			query_finish(r, q, ce->status);
			continue;
		}
		r->st.cache_misses++;
		q->server = 0;
		query_begin(r, q, now_ns);
	}
	return l;
}

bool pk_dns_resolver_next_query(struct pk_dns_resolver *r, struct pk_dns_outgoing *out)
{
	GList *link = g_queue_pop_head_link(&r->send_q);
	struct dns_query *q;

	if (!link)
		return false;
	q = link->data;
	q->queued = false;
	out->lookup = q->l;
	out->tag = q->tag;
	out->server = q->server;
	out->to = &r->servers[q->server];
	out->transport = q->tcp ? PK_DNS_TCP : PK_DNS_UDP;
	out->data = q->wire + (q->tcp ? 0 : PK_DNS_TCP_PREFIX);
	out->len = q->wire_len;
	r->st.queries_sent++;
	if (q->tcp)
		r->st.queries_tcp++;
	return true;
}

static struct dns_query *query_by_tag(const struct pk_dns_resolver *r, uint32_t tag)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, r->by_id);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct dns_query *q = v;

		if (q->tag == tag)
			return q;
	}
	return NULL;
}

void pk_dns_resolver_send_failed(struct pk_dns_resolver *r, uint32_t tag, uint64_t now_ns)
{
	struct dns_query *q = query_by_tag(r, tag);

	if (!q)
		return;
	r->st.send_failures++;
	query_try_failed(r, q, now_ns);
}

bool pk_dns_resolver_try_pending(const struct pk_dns_resolver *r, uint32_t tag)
{
	return query_by_tag(r, tag) != NULL;
}

uint64_t pk_dns_resolver_deadline(const struct pk_dns_resolver *r)
{
	uint64_t d = UINT64_MAX;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, r->by_id);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct dns_query *q = v;

		d = MIN(d, q->deadline);
	}
	return d;
}

void pk_dns_resolver_timer(struct pk_dns_resolver *r, uint64_t now_ns)
{
	GPtrArray *expired = NULL;
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, r->by_id);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct dns_query *q = v;

		if (q->deadline <= now_ns) {
			if (!expired)
				expired = g_ptr_array_new();
			g_ptr_array_add(expired, q);
		}
	}
	if (!expired)
		return;
	for (unsigned int i = 0; i < expired->len; i++) {
		struct dns_query *q = expired->pdata[i];

		r->st.timeouts++;
		query_try_failed(r, q, now_ns);
	}
	g_ptr_array_free(expired, TRUE);
}

struct pk_dns_lookup *pk_dns_resolver_next_done(struct pk_dns_resolver *r)
{
	GList *link = g_queue_pop_head_link(&r->done_q);
	struct pk_dns_lookup *l;

	if (!link)
		return NULL;
	l = link->data;
	l->in_done_q = false;
	return l;
}

const struct pk_dns_resolver_stats *pk_dns_resolver_stats(const struct pk_dns_resolver *r)
{
	return &r->st;
}

/* Lookups ------------------------------------------------------------------ */

void pk_dns_lookup_free(struct pk_dns_lookup *l)
{
	struct pk_dns_resolver *r;

	if (!l)
		return;
	r = l->r;
	for (unsigned int i = 0; i < l->n_q; i++) {
		query_drop_id(r, &l->q[i]);
		query_unqueue(r, &l->q[i]);
	}
	if (l->in_done_q)
		g_queue_unlink(&r->done_q, &l->done_link);
	g_queue_unlink(&r->lookups, &l->link);
	g_free(l);
}

enum pk_dns_status pk_dns_lookup_status(const struct pk_dns_lookup *l)
{
	return l->status;
}

const struct pk_dns_addr *pk_dns_lookup_addrs(const struct pk_dns_lookup *l, unsigned int *n)
{
	*n = l->status == PK_DNS_ST_PENDING ? 0 : l->n_addrs;
	return l->addrs;
}

size_t pk_dns_lookup_canonical_name(const struct pk_dns_lookup *l, char *buf, size_t cap)
{
	struct pk_dns_name n = l->canon ? pk_dns_name_wire(l->canon, l->canon_len) :
					  pk_dns_name_wire(l->qname, l->qname_len);

	return pk_dns_name_to_text(&n, buf, cap);
}

void *pk_dns_lookup_user_data(const struct pk_dns_lookup *l)
{
	return l->user_data;
}

const char *pk_dns_status_name(enum pk_dns_status st)
{
	switch (st) {
	case PK_DNS_ST_PENDING:
		return "pending";
	case PK_DNS_ST_OK:
		return "ok";
	case PK_DNS_ST_NXDOMAIN:
		return "nxdomain";
	case PK_DNS_ST_NODATA:
		return "nodata";
	case PK_DNS_ST_SERVFAIL:
		return "servfail";
	case PK_DNS_ST_TIMEOUT:
		return "timeout";
	case PK_DNS_ST_MALFORMED:
		return "malformed";
	case PK_DNS_ST_CNAME_LOOP:
		return "cname-loop";
	case PK_DNS_ST_LIMIT:
		return "limit";
	}
	return "unknown";
}
