/* SPDX-License-Identifier: MIT
 * slirp-dns.h - The DNS forwarder behind l3.slirp's dns4/dns6 addresses
 */
#ifndef PK_SLIRP_DNS_H
#define PK_SLIRP_DNS_H

#include <stdbool.h>
#include <glib.h>
#include <sys/socket.h>

struct slirp;
struct slirp_config;
struct slirp_pkt;
struct slirp_dns;

#define SLIRP_DNS_COUNTERS(_) \
	_(SLIRP_C_DNS_QUERIES, "dns-queries", "DNS queries from guests over UDP")

/* The forwarder for @cfg's dns-servers (or /etc/resolv.conf's); NULL with
 * @error when the configuration is unusable. */
struct slirp_dns *slirp_dns_new(struct slirp *s, const struct slirp_config *cfg, GError **error);
void slirp_dns_free(struct slirp_dns *d);
/* A UDP datagram from a guest to the DNS address, port 53. */
void slirp_dns_udp_input(struct slirp *s, const struct slirp_pkt *p);
/* The resolvers in use, "127.0.0.1:53, [::1]:53" (free with g_free()), or NULL. */
char *slirp_dns_describe(const struct slirp_dns *d);
/* Where a guest's TCP connection to the DNS address, port 53, goes on the
 * host: the first resolver; false if there is none. */
bool slirp_dns_tcp_target(struct slirp *s, struct sockaddr_storage *sa, socklen_t *len);

#endif /* PK_SLIRP_DNS_H */
