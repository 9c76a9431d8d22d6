/* SPDX-License-Identifier: MIT
 * slirp-dns.h - The DNS forwarder behind l3.slirp's dns4/dns6 addresses
 *
 * The forwarder (slirp-dns.c) relays a guest's UDP query to the resolvers
 * and the answer back. The functions of slirp-dns-msg.c below it do no I/O
 * and need no device (the unit tests and the fuzz target call them): the
 * resolver addresses, /etc/resolv.conf, and the checks and replies built
 * with the DNS codec.
 */
#ifndef PK_SLIRP_DNS_H
#define PK_SLIRP_DNS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <sys/socket.h>

struct slirp;
struct slirp_config;
struct slirp_pkt;
struct slirp_dns;

#define SLIRP_DNS_COUNTERS(_)                                                                   \
	_(SLIRP_C_DNS_QUERIES, "dns-queries", "DNS queries from guests over UDP")               \
	_(SLIRP_C_DNS_ANSWERS, "dns-answers", "Resolver answers relayed to the guests")         \
	_(SLIRP_C_DNS_SERVFAIL, "dns-servfail",                                                 \
	  "SERVFAIL answers made by the forwarder (no resolver answered, or none is known)")    \
	_(SLIRP_C_DNS_DROPPED_MALFORMED, "dns-dropped-malformed",                               \
	  "Guest datagrams to the DNS address that are not a well-formed query")                \
	_(SLIRP_C_DNS_PENDING_FULL, "dns-pending-full",                                         \
	  "Queries answered SERVFAIL at once because too many were waiting for resolvers")      \
	_(SLIRP_C_DNS_RETRIES, "dns-retries",                                                   \
	  "Queries sent again to the next resolver (timeout or error of the previous one)")     \
	_(SLIRP_C_DNS_DROPPED_ANSWERS, "dns-dropped-answers",                                   \
	  "Datagrams from resolvers not matching a waiting query (unknown ID, wrong source or " \
	  "question, not a response)")                                                          \
	_(SLIRP_C_DNS_TRUNCATED, "dns-truncated",                                               \
	  "Answers too big for the mtu, sent to the guest as an empty answer with TC set")

/* Queries waiting for a resolver, at most, per device. */
#define SLIRP_DNS_MAX_PENDING 256u
/* How long one resolver has to answer before the next one is asked. */
#define SLIRP_DNS_TIMEOUT_NS (2 * G_GINT64_CONSTANT(1000000000))
/* Resolvers used, at most (the dns-servers list has at most as many). */
#define SLIRP_DNS_MAX_SERVERS 8u
/* Longest query a guest may send (real ones are a few hundred bytes). */
#define SLIRP_DNS_QUERY_MAX 4096u

/* The forwarder for @cfg's dns-servers (or /etc/resolv.conf's); NULL with
 * @error when the configuration is unusable (an address that does not
 * parse). Sockets are opened at the first query. Context: owner context. */
struct slirp_dns *slirp_dns_new(struct slirp *s, const struct slirp_config *cfg, GError **error);
/* Free @d (NULL is fine) with its sockets, watches and timer. */
void slirp_dns_free(struct slirp_dns *d);
/* The device stops: forget the waiting queries (unanswered), close the
 * sockets. Must run in stop, before the host frees the watches. */
void slirp_dns_stop(struct slirp_dns *d);
/* A UDP datagram from a guest to the DNS address, port 53 (@p->l4 is the
 * UDP header). Context: owner context, receive. */
void slirp_dns_udp_input(struct slirp *s, const struct slirp_pkt *p);
/* The resolvers in use, "127.0.0.1:53, [::1]:53" (free with g_free()), or NULL. */
char *slirp_dns_describe(const struct slirp_dns *d);
/* Where a guest's TCP connection to the DNS address, port 53, goes on the
 * host: the resolver that answered last (the first one at the start);
 * false if there is none. */
bool slirp_dns_tcp_target(struct slirp *s, struct sockaddr_storage *sa, socklen_t *len);

/* Without I/O (slirp-dns-msg.c) ------------------------------------------- */

/* A resolver's address and port. */
struct slirp_dns_server {
	struct sockaddr_storage sa;
	socklen_t len;
};

/* Parse an IPv4 or IPv6 literal ("192.0.2.1", "2001:db8::1",
 * "fe80::1%eth0", "fe80::1%2"; IPv4-mapped IPv6 becomes IPv4) with @port.
 * Context: any thread (an interface name is looked up with if_nametoindex()).
 * Return: false if @text is not such an address. */
bool slirp_dns_server_parse(const char *text, uint16_t port, struct slirp_dns_server *out);
/* The resolvers of resolv.conf(5) text: its "nameserver" lines, port 53, in
 * order; lines that do not parse are skipped. Return: how many were stored
 * in @out (at most @max). */
unsigned int slirp_dns_resolv_conf_parse(const char *text, struct slirp_dns_server *out,
					 unsigned int max);
/* "127.0.0.1:53, [::1]:53" for @n servers (free with g_free()); NULL if @n is 0. */
char *slirp_dns_servers_describe(const struct slirp_dns_server *v, unsigned int n);
/* Whether @from (as recvfrom() fills it in) is @srv's address and port. */
bool slirp_dns_server_match(const struct slirp_dns_server *srv, const struct sockaddr *from,
			    socklen_t from_len);

/* Whether @q (@len bytes, a guest's UDP payload) is a query the forwarder
 * relays: a message the DNS codec accepts entirely, QR clear, at most
 * SLIRP_DNS_QUERY_MAX bytes. Context: any thread. */
bool slirp_dns_query_ok(const uint8_t *q, uint32_t len);
/* Whether @a is an answer to the query @q (a message the codec accepts with
 * QR clear, else false): at least a header, the same ID and opcode, QR set,
 * and the same questions (names ASCII case-insensitively, types, classes).
 * The rest of @a is not judged: it goes to the guest as it is.
 * Context: any thread. */
bool slirp_dns_answer_matches(const uint8_t *q, uint32_t qlen, const uint8_t *a, uint32_t alen);
/* Write a reply without records to @q (accepted by slirp_dns_query_ok())
 * into @out: ID @id, flags word @flags, @q's question section (none if it
 * does not parse without the rest of @q), all other counts 0. Return: its
 * length, 0 if @cap is too small. */
uint32_t slirp_dns_reply_build(uint8_t *out, uint32_t cap, const uint8_t *q, uint32_t qlen,
			       uint16_t id, uint16_t flags);
/* The flags word of the SERVFAIL answer to a query with flags @qflags: QR,
 * RA and RCODE 2, the query's opcode, RD and CD. */
uint16_t slirp_dns_servfail_flags(uint16_t qflags);

#endif /* PK_SLIRP_DNS_H */
