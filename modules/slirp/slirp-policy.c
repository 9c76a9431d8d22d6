/* SPDX-License-Identifier: MIT
 * slirp-policy.c - Which destinations new flows may have, and where they go on the host
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "slirp-private.h"

/* "53,80,8000-8100" into ranges; "" or NULL: every port (no range). */
static bool slirp_ports_parse(const char *text, struct slirp_rule *r, GError **error)
{
	const char *p = text;

	r->n_ranges = 0;
	if (!text || !*text)
		return true;
	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			goto bad;
		if (*end == '-') {
			p = end + 1;
			hi = strtoul(p, &end, 10);
			if (end == p)
				goto bad;
		}
		if (lo < 1 || hi > 65535 || lo > hi || r->n_ranges == G_N_ELEMENTS(r->lo))
			goto bad;
		r->lo[r->n_ranges] = (uint16_t)lo;
		r->hi[r->n_ranges++] = (uint16_t)hi;
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	return true;
bad:
	g_set_error(error, PK_ERROR, PK_ERROR_INVALID,
		    "ports \"%s\": expected port numbers or ranges 1..65535 separated by commas "
		    "(at most %u)",
		    text, (unsigned int)G_N_ELEMENTS(r->lo));
	return false;
}

static struct slirp_rule *slirp_rules_compile(const struct pk_list *list, const char *what,
					      GError **error)
{
	const struct slirp_rule_rec *rec = list->items;
	struct slirp_rule *rules = g_new0(struct slirp_rule, MAX(list->n, 1u));

	for (uint32_t i = 0; i < list->n; i++) {
		rules[i].prefix = rec[i].prefix;
		rules[i].proto = rec[i].proto;
		if (!slirp_ports_parse(rec[i].ports, &rules[i], error)) {
			g_prefix_error(error, "%s[%u]: ", what, i);
			g_free(rules);
			return NULL;
		}
	}
	return rules;
}

bool slirp_policy_compile(struct slirp *s, const struct slirp_config *cfg, GError **error)
{
	struct slirp_rule *allow, *deny;

	allow = slirp_rules_compile(&cfg->allow, "allow", error);
	if (!allow)
		return false;
	deny = slirp_rules_compile(&cfg->deny, "deny", error);
	if (!deny) {
		g_free(allow);
		return false;
	}
	slirp_policy_free(s);
	s->allow = allow;
	s->n_allow = cfg->allow.n;
	s->deny = deny;
	s->n_deny = cfg->deny.n;
	return true;
}

void slirp_policy_free(struct slirp *s)
{
	g_clear_pointer(&s->allow, g_free);
	g_clear_pointer(&s->deny, g_free);
	s->n_allow = s->n_deny = 0;
}

static bool slirp_rule_matches(const struct slirp_rule *r, bool ipv6, const uint8_t *dst,
			       uint8_t proto, uint16_t port)
{
	bool icmp = proto == PK_IPPROTO_ICMP || proto == PK_IPPROTO_ICMPV6;

	if (!pk_prefix_contains(&r->prefix, ipv6 ? 6 : 4, dst))
		return false;
	switch (r->proto) {
	case SLIRP_PROTO_TCP:
		if (proto != PK_IPPROTO_TCP)
			return false;
		break;
	case SLIRP_PROTO_UDP:
		if (proto != PK_IPPROTO_UDP)
			return false;
		break;
	case SLIRP_PROTO_ICMP:
		if (!icmp)
			return false;
		break;
	default:
		break;
	}
	if (r->n_ranges == 0 || icmp)
		return true;
	for (uint32_t i = 0; i < r->n_ranges; i++)
		if (port >= r->lo[i] && port <= r->hi[i])
			return true;
	return false;
}

bool slirp_policy_allows(struct slirp *s, bool ipv6, const uint8_t *dst, uint8_t proto,
			 uint16_t port)
{
	bool ok = s->n_allow == 0;

	for (uint32_t i = 0; !ok && i < s->n_allow; i++)
		ok = slirp_rule_matches(&s->allow[i], ipv6, dst, proto, port);
	for (uint32_t i = 0; ok && i < s->n_deny; i++)
		ok = !slirp_rule_matches(&s->deny[i], ipv6, dst, proto, port);
	if (!ok)
		s->ctr[SLIRP_C_DENIED]++;
	return ok;
}

static bool slirp_ip4_set(const struct pk_ip4 *a)
{
	return (a->b[0] | a->b[1] | a->b[2] | a->b[3]) != 0;
}

static bool slirp_ip6_set(const struct pk_ip6 *a)
{
	static const struct pk_ip6 zero;

	return memcmp(a, &zero, sizeof(zero)) != 0;
}

void slirp_host_sockaddr(const struct slirp *s, bool ipv6, const uint8_t *dst, uint16_t port,
			 struct sockaddr_storage *sa, socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	if (ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)sa;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (slirp_ip6_set(&s->cfg.host_loopback6) &&
		    memcmp(dst, s->cfg.host_loopback6.b, 16) == 0)
			a->sin6_addr = in6addr_loopback;
		else
			memcpy(&a->sin6_addr, dst, 16);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)sa;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (slirp_ip4_set(&s->cfg.host_loopback4) &&
		    memcmp(dst, s->cfg.host_loopback4.b, 4) == 0)
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else
			memcpy(&a->sin_addr, dst, 4);
		*len = sizeof(*a);
	}
}

bool slirp_is_dns_addr(const struct slirp *s, bool ipv6, const uint8_t *dst)
{
	if (ipv6)
		return slirp_ip6_set(&s->cfg.dns6) && memcmp(dst, s->cfg.dns6.b, 16) == 0;
	return slirp_ip4_set(&s->cfg.dns4) && memcmp(dst, s->cfg.dns4.b, 4) == 0;
}

bool slirp_is_host_loopback(const struct slirp *s, bool ipv6, const uint8_t *dst)
{
	if (ipv6)
		return slirp_ip6_set(&s->cfg.host_loopback6) &&
		       memcmp(dst, s->cfg.host_loopback6.b, 16) == 0;
	return slirp_ip4_set(&s->cfg.host_loopback4) &&
	       memcmp(dst, s->cfg.host_loopback4.b, 4) == 0;
}

bool slirp_addr_forwardable(bool ipv6, const uint8_t *dst)
{
	if (ipv6) {
		static const uint8_t zero[10];

		/* Not multicast (ff00::/8), not link-local (fe80::/10: no scope
		 * on the host), and nothing in ::/80, which holds ::, ::1 (the
		 * host's loopback: only through host-loopback6) and the
		 * IPv4-mapped ::ffff:0:0/96. */
		return dst[0] != 0xff && !(dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) &&
		       memcmp(dst, zero, sizeof(zero)) != 0;
	}
	/* Not 0.0.0.0/8, not 127.0.0.0/8 (the host's loopback: only through
	 * host-loopback4), not multicast or reserved (224.0.0.0/3 includes
	 * 255.255.255.255). */
	return dst[0] != 0 && dst[0] != 127 && dst[0] < 224;
}
