/* SPDX-License-Identifier: MIT
 * slirp-forward.c - Port forwards of l3.slirp (for now: none are made)
 */
#include "slirp-private.h"

struct slirp_fwd {
	int unused;
};

struct slirp_fwd *slirp_fwd_new(struct slirp *s)
{
	return g_new0(struct slirp_fwd, 1);
}

void slirp_fwd_free(struct slirp *s, struct slirp_fwd *f)
{
	g_free(f);
}

bool slirp_fwd_apply(struct slirp *s, const struct slirp_config *cfg, GError **error)
{
	if (cfg->forwards.n == 0)
		return true;
	g_set_error_literal(error, PK_ERROR, PK_ERROR_INVALID, "forwards: not supported yet");
	return false;
}

bool slirp_fwd_start(struct slirp *s, GError **error)
{
	return true;
}

void slirp_fwd_stop(struct slirp *s)
{
}

void slirp_fwd_status(struct slirp *s, struct pk_status_writer *w)
{
}
