/* SPDX-License-Identifier: MIT
 * slirp-dns-msg.c - The DNS forwarder's parts without I/O: resolver addresses, resolv.conf, checks
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <pktkit/pktkit.h>
#include <pktkit/toolkit/dns.h>

#include "slirp-dns.h"

/* Opcode bits of the flags word. */
#define SLIRP_DNS_F_OPCODE 0x7800u

static bool slirp_dns_scope_parse(const char *text, uint32_t *scope)
{
	char *end;
	unsigned long v;

	if (!*text)
		return false;
	if (g_ascii_isdigit(*text)) {
		v = strtoul(text, &end, 10);
		if (*end || v == 0 || v > UINT32_MAX)
			return false;
		*scope = (uint32_t)v;
		return true;
	}
	*scope = if_nametoindex(text);
	return *scope != 0;
}

bool slirp_dns_server_parse(const char *text, uint16_t port, struct slirp_dns_server *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->sa;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *pct;
	uint32_t scope = 0;

	memset(out, 0, sizeof(*out));
	if (!text || strlen(text) >= sizeof(buf))
		return false;
	if (inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		out->len = sizeof(*sin);
		return true;
	}
	strcpy(buf, text);
	pct = strchr(text, '%');
	if (pct) {
		buf[pct - text] = '\0';
		if (!slirp_dns_scope_parse(pct + 1, &scope))
			return false;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && !scope) {
		struct in_addr a;

		memcpy(&a, sin6->sin6_addr.s6_addr + 12, 4);
		memset(out, 0, sizeof(*out));
		sin->sin_family = AF_INET;
		sin->sin_addr = a;
		sin->sin_port = htons(port);
		out->len = sizeof(*sin);
		return true;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_scope_id = scope;
	out->len = sizeof(*sin6);
	return true;
}

unsigned int slirp_dns_resolv_conf_parse(const char *text, struct slirp_dns_server *out,
					 unsigned int max)
{
	g_auto(GStrv) lines = NULL;
	unsigned int n = 0;

	if (!text)
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l && n < max; l++) {
		g_auto(GStrv) words = NULL;
		char *line = *l, *c;
		unsigned int w = 0;

		/* As the C library reads it: "nameserver", blanks, the address;
		 * '#' and ';' start comments. */
		for (c = line; *c; c++)
			if (*c == '#' || *c == ';') {
				*c = '\0';
				break;
			}
		g_strdelimit(line, "\t\r\v\f", ' ');
		words = g_strsplit(line, " ", -1);
		for (char **wd = words; *wd; wd++)
			if (**wd)
				words[w++] = *wd;
			else
				g_free(*wd);
		words[w] = NULL;
		if (w >= 2 && strcmp(words[0], "nameserver") == 0 &&
		    slirp_dns_server_parse(words[1], PK_DNS_PORT, &out[n]))
			n++;
	}
	return n;
}

static void slirp_dns_server_append(GString *s, const struct slirp_dns_server *srv)
{
	char addr[INET6_ADDRSTRLEN];

	if (srv->sa.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&srv->sa;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		g_string_append_printf(s, "%s:%u", addr, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&srv->sa;
		char ifname[IF_NAMESIZE];

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		g_string_append_printf(s, "[%s", addr);
		if (sin6->sin6_scope_id) {
			if (if_indextoname(sin6->sin6_scope_id, ifname))
				g_string_append_printf(s, "%%%s", ifname);
			else
				g_string_append_printf(s, "%%%u", sin6->sin6_scope_id);
		}
		g_string_append_printf(s, "]:%u", ntohs(sin6->sin6_port));
	}
}

char *slirp_dns_servers_describe(const struct slirp_dns_server *v, unsigned int n)
{
	GString *s;

	if (!n)
		return NULL;
	s = g_string_new(NULL);
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			g_string_append(s, ", ");
		slirp_dns_server_append(s, &v[i]);
	}
	return g_string_free(s, FALSE);
}

bool slirp_dns_server_match(const struct slirp_dns_server *srv, const struct sockaddr *from,
			    socklen_t from_len)
{
	if (from->sa_family != srv->sa.ss_family)
		return false;
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&srv->sa;
		const struct sockaddr_in *b = (const struct sockaddr_in *)from;

		return from_len >= sizeof(*b) && a->sin_port == b->sin_port &&
		       a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&srv->sa;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)from;

		return from_len >= sizeof(*b) && a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0 &&
		       (!a->sin6_scope_id || a->sin6_scope_id == b->sin6_scope_id);
	}
	return false;
}

bool slirp_dns_query_ok(const uint8_t *q, uint32_t len)
{
	struct pk_dns_msg m;

	if (len < PK_DNS_HDR_LEN || len > SLIRP_DNS_QUERY_MAX)
		return false;
	if (pk_dns_parse(q, len, &m) != PK_DNS_OK)
		return false;
	return !(m.flags & PK_DNS_F_QR);
}

static bool slirp_dns_question_equal(const struct pk_dns_question *a,
				     const struct pk_dns_question *b)
{
	return a->qtype == b->qtype && a->qclass == b->qclass &&
	       pk_dns_name_equal(&a->name, &b->name);
}

bool slirp_dns_answer_matches(const uint8_t *q, uint32_t qlen, const uint8_t *a, uint32_t alen)
{
	struct pk_dns_msg qm, am;
	struct pk_dns_iter qi, ai;
	struct pk_dns_question qq, aq;
	enum pk_dns_err err;

	if (alen < PK_DNS_HDR_LEN || pk_dns_parse(q, qlen, &qm) != PK_DNS_OK ||
	    (qm.flags & PK_DNS_F_QR))
		return false;
	err = pk_dns_parse(a, alen, &am);
	if (err == PK_DNS_E_SHORT)
		return false;
	if (!(am.flags & PK_DNS_F_QR) || am.id != qm.id || am.opcode != qm.opcode ||
	    am.qdcount != qm.qdcount)
		return false;
	if (qm.qdcount == 0)
		return true;
	if (err != PK_DNS_OK) {
		/* Only the first question is known of a message the codec
		 * refused later on (a truncated answer may be cut anywhere). */
		return qm.qdcount == 1 && am.has_question &&
		       slirp_dns_question_equal(&qm.question, &am.question);
	}
	pk_dns_iter_init(&qi, &qm);
	pk_dns_iter_init(&ai, &am);
	while (pk_dns_next_question(&qi, &qq)) {
		if (!pk_dns_next_question(&ai, &aq) || !slirp_dns_question_equal(&qq, &aq))
			return false;
	}
	return true;
}

uint32_t slirp_dns_reply_build(uint8_t *out, uint32_t cap, const uint8_t *q, uint32_t qlen,
			       uint16_t id, uint16_t flags)
{
	struct pk_dns_msg m, r;
	uint32_t len;

	if (pk_dns_parse(q, qlen, &m) != PK_DNS_OK)
		return 0;
	/* The question section ends where the answers would start; its
	 * compression pointers (into earlier questions) stay valid as the
	 * offsets do not move. */
	len = m.an_off;
	if (len < PK_DNS_HDR_LEN || len > cap)
		return 0;
	memcpy(out, q, len);
	pk_put_be16(out, id);
	pk_put_be16(out + 2, flags);
	memset(out + 6, 0, 6);
	/* A name may run on past its question into the rest of a crafted
	 * query: then the questions cannot be copied alone; none are. */
	if (pk_dns_parse(out, len, &r) != PK_DNS_OK) {
		pk_put_be16(out + 4, 0);
		len = PK_DNS_HDR_LEN;
	}
	return len;
}

uint16_t slirp_dns_servfail_flags(uint16_t qflags)
{
	return (uint16_t)(PK_DNS_F_QR |
			  (qflags & (SLIRP_DNS_F_OPCODE | PK_DNS_F_RD | PK_DNS_F_CD)) |
			  PK_DNS_F_RA | PK_DNS_RCODE_SERVFAIL);
}
