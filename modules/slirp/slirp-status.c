/* SPDX-License-Identifier: MIT
 * slirp-status.c - What l3.slirp shows: its flows and port forwards
 */
#include <string.h>

#include "slirp-private.h"

static const char *slirp_proto_name(uint8_t proto)
{
	switch (proto) {
	case PK_IPPROTO_TCP:
		return "tcp";
	case PK_IPPROTO_UDP:
		return "udp";
	case PK_IPPROTO_ICMP:
		return "icmp";
	default:
		return "icmpv6";
	}
}

static void slirp_status_ip(struct pk_status_writer *w, uint32_t col, bool ipv6,
			    const uint8_t *addr)
{
	if (ipv6) {
		struct pk_ip6 a;

		memcpy(a.b, addr, 16);
		pk_status_set_ip6(w, col, &a);
	} else {
		struct pk_ip4 a;

		memcpy(a.b, addr, 4);
		pk_status_set_ip4(w, col, a);
	}
}

static void slirp_status_flow(struct slirp *s, struct pk_status_writer *w,
			      const struct slirp_flow *f, uint64_t now)
{
	const struct slirp_flow_key *k = &f->key;

	if (!pk_status_row_begin(w, SLIRP_T_FLOWS))
		return;
	pk_status_set_str(w, SLIRP_FC_PROTO, slirp_proto_name(k->proto));
	slirp_status_ip(w, SLIRP_FC_GUEST, k->ipv6, k->guest_addr);
	pk_status_set_uint(w, SLIRP_FC_GUEST_PORT, k->guest_port);
	slirp_status_ip(w, SLIRP_FC_REMOTE, k->ipv6, k->remote_addr);
	pk_status_set_uint(w, SLIRP_FC_REMOTE_PORT, k->remote_port);
	pk_status_set_str(w, SLIRP_FC_STATE, f->ops->state(f));
	pk_status_set_duration(w, SLIRP_FC_AGE, now - f->created);
	pk_status_set_duration(w, SLIRP_FC_IDLE, now - f->last_active);
	pk_status_set_uint(w, SLIRP_FC_GUEST_BYTES, f->guest_bytes);
	pk_status_set_uint(w, SLIRP_FC_HOST_BYTES, f->host_bytes);
	pk_status_row_end(w);
}

void slirp_status_write(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	struct slirp *s = self;
	uint64_t now = pk_dev_now(dev);
	g_autofree char *servers = slirp_dns_describe(s->dns);

	pk_status_set_uint(w, SLIRP_S_FLOWS, slirp_flow_count(s));
	if (servers)
		pk_status_set_str(w, SLIRP_S_DNS_SERVERS, servers);
	for (GList *l = s->flow_list.head; l; l = l->next)
		slirp_status_flow(s, w, l->data, now);
	slirp_fwd_status(s, w);
}
