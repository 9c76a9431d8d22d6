/* SPDX-License-Identifier: MIT
 * slirp-forward.h - Port forwards of l3.slirp: host listeners that reach a guest
 */
#ifndef PK_SLIRP_FORWARD_H
#define PK_SLIRP_FORWARD_H

#include <glib.h>

struct slirp;
struct slirp_config;
struct slirp_fwd;
struct pk_status_writer;

#define SLIRP_FWD_COUNTERS(_) \
	_(SLIRP_C_FWD_ACCEPTED, "forward-accepted", "Host connections accepted by port forwards")

struct slirp_fwd *slirp_fwd_new(struct slirp *s);
void slirp_fwd_free(struct slirp *s, struct slirp_fwd *f);
/* Take @cfg's forwards (copied: the list is the host's storage). While the
 * device runs, also make the host listeners match: bind what is new, close
 * what is gone. On an error (a bad address, a port taken, no permission)
 * nothing changes and @error names the forward that failed. */
bool slirp_fwd_apply(struct slirp *s, const struct slirp_config *cfg, GError **error);
/* Bind the listeners of every forward taken (start); false with @error,
 * nothing left bound, when one cannot be. */
bool slirp_fwd_start(struct slirp *s, GError **error);
/* Close every listener and the connections they made (stop). */
void slirp_fwd_stop(struct slirp *s);
/* Rows of the "forwards" status table. */
void slirp_fwd_status(struct slirp *s, struct pk_status_writer *w);

#endif /* PK_SLIRP_FORWARD_H */
