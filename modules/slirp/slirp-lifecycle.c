/* SPDX-License-Identifier: MIT
 * slirp-lifecycle.c - l3.slirp's init, start, stop, reconfigure and finalize
 */
#include "slirp-private.h"
#include "slirp-type.h"

/* The scalar settings; the lists are the host's storage, valid only during
 * the call, so each area keeps what it needs of them. */
static void slirp_take_scalars(struct slirp *s, const struct slirp_config *cfg)
{
	s->cfg = *cfg;
	s->cfg.dns_servers = (struct pk_list){ 0 };
	s->cfg.allow = (struct pk_list){ 0 };
	s->cfg.deny = (struct pk_list){ 0 };
	s->cfg.forwards = (struct pk_list){ 0 };
}

int slirp_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct slirp *s = self;
	const struct slirp_config *cfg = config;

	s->dev = dev;
	s->ctr = pk_dev_counters(dev);
	slirp_take_scalars(s, cfg);
	slirp_flows_init(s);
	if (!slirp_policy_compile(s, cfg, error))
		goto fail;
	s->dns = slirp_dns_new(s, cfg, error);
	if (!s->dns)
		goto fail;
	s->tcp = slirp_tcp_new(s);
	s->udp = slirp_udp_new(s);
	s->fwd = slirp_fwd_new(s);
	if (!s->tcp || !s->udp || !s->fwd) {
		g_set_error_literal(error, PK_ERROR, PK_ERROR_FAILED, "out of memory");
		goto fail;
	}
	if (slirp_fwd_apply(s, cfg, error))
		return 0;
fail:
	/* A failed init gets no finalize: free what was made (finalize copes
	 * with the parts never made). */
	slirp_finalize(dev, self);
	return -1;
}

int slirp_start(struct pk_dev *dev, void *self, GError **error)
{
	struct slirp *s = self;

	if (!slirp_fwd_start(s, error))
		return -1;
	s->running = true;
	return 0;
}

void slirp_stop(struct pk_dev *dev, void *self)
{
	struct slirp *s = self;

	s->running = false;
	slirp_fwd_stop(s);
	slirp_flows_close_all(s);
	slirp_dns_stop(s->dns);
}

void slirp_finalize(struct pk_dev *dev, void *self)
{
	struct slirp *s = self;

	slirp_flows_close_all(s);
	if (s->fwd)
		slirp_fwd_free(s, s->fwd);
	slirp_udp_free(s->udp);
	slirp_tcp_free(s->tcp);
	slirp_dns_free(s->dns);
	slirp_policy_free(s);
	if (s->flows)
		g_hash_table_destroy(s->flows);
	if (s->reaper)
		pk_timer_free(s->reaper);
}

int slirp_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
		      GError **error)
{
	struct slirp *s = self;
	const struct slirp_config *cfg = config;

	struct slirp scratch = { 0 };
	struct slirp_dns *d;

	/* Only 'forwards' is live: the new listeners are bound before the old
	 * ones close, so a port that is taken leaves the old forwards as they
	 * were. */
	if (s->running)
		return (changed & PK_PARAM_BIT(SLIRP_P_FORWARDS)) && !slirp_fwd_apply(s, cfg, error)
			       ? -1
			       : 0;
	/* Stopped: everything may change, all or nothing. What can fail is
	 * checked or built aside first (the policy on a scratch instance, the
	 * DNS forwarder), then the forwards are taken (they change nothing on
	 * an error), and only then is anything swapped in. */
	if (!slirp_policy_compile(&scratch, cfg, error))
		return -1;
	slirp_policy_free(&scratch);
	d = slirp_dns_new(s, cfg, error);
	if (!d)
		return -1;
	if (!slirp_fwd_apply(s, cfg, error)) {
		slirp_dns_free(d);
		return -1;
	}
	slirp_policy_compile(s, cfg, NULL); /* compiled above: cannot fail */
	slirp_dns_free(s->dns);
	s->dns = d;
	slirp_take_scalars(s, cfg);
	return 0;
}
