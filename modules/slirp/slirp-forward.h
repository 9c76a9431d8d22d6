/* SPDX-License-Identifier: MIT
 * slirp-forward.h - Port forwards of l3.slirp: host listeners that reach a guest
 *
 * Everything here runs on the device's context (one thread), like the rest
 * of the slirp.
 */
#ifndef PK_SLIRP_FORWARD_H
#define PK_SLIRP_FORWARD_H

#include <glib.h>

struct slirp;
struct slirp_config;
struct slirp_fwd;
struct pk_status_writer;

#define SLIRP_FWD_COUNTERS(_)                                                                     \
	_(SLIRP_C_FWD_ACCEPTED, "forward-accepted", "Host connections accepted by port forwards") \
	_(SLIRP_C_FWD_REFUSED, "forward-refused",                                                 \
	  "Connections (or datagrams) of port forwards not carried to the guest: no flow for "    \
	  "them (max-flows), or no address to show the guest as their source")                    \
	_(SLIRP_C_FWD_ACCEPT_ERRORS, "forward-accept-errors",                                     \
	  "accept() or recvfrom() failures on port forward sockets (EMFILE, ENFILE, ...)")

/* The forwards of an instance (none yet); NULL only without memory. Init. */
struct slirp_fwd *slirp_fwd_new(struct slirp *s);
/* Free @f, closing any listener left (finalize). */
void slirp_fwd_free(struct slirp *s, struct slirp_fwd *f);
/* Take @cfg's forwards (copied: the list is the host's storage). While the
 * device runs, also make the host listeners match: bind what is new, close
 * what is gone, keep what is unchanged. On an error (a bad address, a
 * duplicate, a port taken, no permission) nothing changes and @error names
 * the forward that failed ("forwards[1]: 127.0.0.1:8080/tcp: Address already
 * in use"). Init and reconfigure. */
bool slirp_fwd_apply(struct slirp *s, const struct slirp_config *cfg, GError **error);
/* Bind the listeners of every forward taken (start); false with @error,
 * nothing left bound, when one cannot be. */
bool slirp_fwd_start(struct slirp *s, GError **error);
/* Close every listener (stop); the UDP area is told of each UDP one
 * (slirp_udp_forward_closed()). TCP connections already handed over are
 * flows: they end with the other flows. */
void slirp_fwd_stop(struct slirp *s);
/* Rows of the "forwards" status table. */
void slirp_fwd_status(struct slirp *s, struct pk_status_writer *w);
/* For the UDP area: a datagram of the UDP forward listening on @listen_fd
 * opened a new flow (counted in that forward's "connections"). */
void slirp_fwd_udp_flow_opened(struct slirp *s, int listen_fd);

#endif /* PK_SLIRP_FORWARD_H */
