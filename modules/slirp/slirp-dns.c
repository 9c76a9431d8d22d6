/* SPDX-License-Identifier: MIT
 * slirp-dns.c - The DNS forwarder of l3.slirp (for now: queries are counted, not answered)
 */
#include "slirp-private.h"

struct slirp_dns {
	int unused;
};

struct slirp_dns *slirp_dns_new(struct slirp *s, const struct slirp_config *cfg, GError **error)
{
	return g_new0(struct slirp_dns, 1);
}

void slirp_dns_free(struct slirp_dns *d)
{
	g_free(d);
}

char *slirp_dns_describe(const struct slirp_dns *d)
{
	return NULL;
}

void slirp_dns_udp_input(struct slirp *s, const struct slirp_pkt *p)
{
	s->ctr[SLIRP_C_DNS_QUERIES]++;
}

bool slirp_dns_tcp_target(struct slirp *s, struct sockaddr_storage *sa, socklen_t *len)
{
	return false;
}
