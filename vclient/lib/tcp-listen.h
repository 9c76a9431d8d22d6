/* SPDX-License-Identifier: MIT
 * tcp-listen.h - TCP listening ports of the vclient: engine listeners and the accept queue
 */
#ifndef PKTKIT_VCLIENT_TCP_LISTEN_H
#define PKTKIT_VCLIENT_TCP_LISTEN_H

#include "tcp-sock.h"

/* A listening port: the engine listener plus the accept queue. */
struct vc_listen {
	struct vc_key key;		/* first: the hash table key points here */
	struct pk_vclient *vc;		/* NULL once detached */
	/* The engine binds a listener to one address: a listener on the any
	 * address gets one per local address of the family, made when the
	 * first segment for that address arrives (addresses may come later,
	 * e.g. from a DHCP lease). */
	struct pk_tcp_listener *l[VC_MAX_ADDRS];
	uint8_t laddr[VC_MAX_ADDRS][16];
	uint32_t n_l;
	PkVclientListener *obj;		/* not a reference: it owns us */
	GQueue ready;			/* established socks not yet accepted */
	GQueue waiters;			/* GTask of pending accepts */
	guint backlog;
	struct pk_tcp_config cfg;	/* of the connections it accepts */
};

/* The listener bound to (@addr, @port) exactly, else to (any, @port). */
struct vc_listen *vc_listen_find(struct pk_vclient *vc, bool ipv6, const uint8_t *addr,
				 uint16_t port);
/* Segment @v for @l's port from @src to @dst (one of our addresses): the
 * engine listener answers; a completed handshake makes a sock of @l. */
void vc_listen_input(struct pk_vclient *vc, struct vc_listen *l, const uint8_t *src,
		     const uint8_t *dst, const struct pk_tcp_view *v, uint64_t now);
/* Established passive open @s: queue it for accept, true. With the backlog
 * full, reset and free it instead: false, and @s is gone. */
bool vc_listen_offer(struct vc_listen *l, struct vc_tcp_sock *s);
/* Reset what was never accepted, fail pending accepts, free the engine listener. */
void vc_listen_teardown(struct vc_listen *l);

#endif /* PKTKIT_VCLIENT_TCP_LISTEN_H */
