/* SPDX-License-Identifier: MIT
 * wg-device-status.c - What l3.wg shows: its key and port, and per peer what wg show prints
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "wg-device.h"

void wg_sockaddr_format(const struct sockaddr_storage *ss, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a));
			g_snprintf(out, size, "%s:%u", a, ntohs(s6->sin6_port));
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
			g_snprintf(out, size, "[%s]:%u", a, ntohs(s6->sin6_port));
		}
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		g_snprintf(out, size, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		g_strlcpy(out, "", size);
	}
}

static char *allowed_text(const GArray *allowed)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < allowed->len; i++) {
		char buf[PK_PREFIX_STRLEN];

		pk_prefix_format(&g_array_index(allowed, struct pk_prefix, i), buf);
		g_string_append_printf(s, "%s%s", i ? ", " : "", buf);
	}
	return g_string_free(s, FALSE);
}

void wg_dev_status(struct pk_dev *dev, void *self, struct pk_status_writer *w)
{
	struct wg_dev *d = self;
	g_autofree char *pub = g_base64_encode(wg_iface_public_key(d->iface), WG_KEY_LEN);

	(void)dev;
	pk_status_set_str(w, WG_S_PUBLIC_KEY, pub);
	if (d->fd >= 0) {
		pk_status_set_uint(w, WG_S_LISTEN_PORT, d->bound_port);
		pk_status_set_bool(w, WG_S_UDP_GSO, d->gso);
		pk_status_set_bool(w, WG_S_UDP_GRO, d->gro);
	}
	pk_status_set_uint(w, WG_S_PEERS, d->n_peers);
	for (guint i = 0; i < d->peers->len; i++) {
		struct wg_dpeer *dp = d->peers->pdata[i];
		g_autofree char *key = NULL, *allowed = NULL;
		char ep[INET6_ADDRSTRLEN + 16];

		if (!dp)
			continue;
		key = g_base64_encode(dp->public_key, WG_KEY_LEN);
		allowed = allowed_text(dp->allowed);
		if (!pk_status_row_begin(w, WG_T_PEERS))
			return;
		pk_status_set_str(w, WG_PC_PUBLIC_KEY, key);
		if (dp->endpoint_len) {
			wg_sockaddr_format(&dp->endpoint, ep, sizeof(ep));
			pk_status_set_str(w, WG_PC_ENDPOINT, ep);
		}
		pk_status_set_str(w, WG_PC_ALLOWED_IPS, allowed);
		if (dp->last_handshake)
			pk_status_set_timestamp(w, WG_PC_LATEST_HANDSHAKE, dp->last_handshake);
		pk_status_set_uint(w, WG_PC_RX_BYTES, dp->p->rx_bytes);
		pk_status_set_uint(w, WG_PC_TX_BYTES, dp->p->tx_bytes);
		pk_status_set_uint(w, WG_PC_PERSISTENT_KEEPALIVE, dp->keepalive);
		if (d->isolate) {
			char port[24];

			g_snprintf(port, sizeof(port), "peer.%u", dp->slot);
			pk_status_set_str(w, WG_PC_PORT, port);
		}
		pk_status_row_end(w);
	}
}
