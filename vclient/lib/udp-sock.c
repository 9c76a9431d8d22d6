// SPDX-License-Identifier: MIT
/* udp-sock.c - UDP sockets of the vclient: bind, connect, send, queued receive, port unreachable */
#include <string.h>

#include <pktkit/build.h>
#include <pktkit/checksum.h>

#include "sock-async.h"
#include "sock-table.h"

/* A bound UDP port; the object owns it, the device's table points at it. */
struct vc_udp {
	struct vc_key key;	/* first: laddr/lport bound, raddr/rport zero */
	struct pk_vclient *vc;	/* NULL once closed or detached */
	bool connected;
	bool refused;		/* ICMP port unreachable seen (connected only) */
	uint8_t raddr[16];
	uint16_t rport;
	/* Received datagrams: a ring of udp-queue slots, allocated at bind, so
	 * nothing is allocated per datagram. */
	struct vc_dgram *ring;
	uint32_t cap, head, len;
};

struct vc_dgram {
	struct pk_buf *buf;	/* the packet, referenced */
	const uint8_t *payload;
	uint32_t len;
	uint16_t sport;
	uint8_t src[16];
};

struct _PkVclientUdp {
	GObject parent;
	struct vc_udp *u;
};

G_DEFINE_FINAL_TYPE(PkVclientUdp, pk_vclient_udp, G_TYPE_OBJECT)

static void vc_udp_purge(struct vc_udp *u)
{
	for (; u->len > 0; u->len--, u->head = (u->head + 1) % u->cap)
		pk_buf_unref(u->ring[u->head].buf);
}

static void vc_udp_unbind(struct vc_udp *u)
{
	if (u->vc && u->vc->udp)
		g_hash_table_remove(u->vc->udp, u);
	u->vc = NULL;
	vc_udp_purge(u);
}

static void pk_vclient_udp_finalize(GObject *obj)
{
	PkVclientUdp *self = PK_VCLIENT_UDP(obj);

	vc_udp_unbind(self->u);
	g_free(self->u->ring);
	g_free(self->u);
	G_OBJECT_CLASS(pk_vclient_udp_parent_class)->finalize(obj);
}

static void pk_vclient_udp_class_init(PkVclientUdpClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = pk_vclient_udp_finalize;
}

static void pk_vclient_udp_init(PkVclientUdp *self)
{
	self->u = g_new0(struct vc_udp, 1);
}

/* Bound sockets: exact address first, then the any address. */
static struct vc_udp *vc_udp_find(struct pk_vclient *vc, bool ipv6, const uint8_t *addr,
				  uint16_t port)
{
	return vc_bound_lookup(vc->udp, ipv6, addr, port);
}

static bool vc_udp_port_free(struct pk_vclient *vc, const struct vc_key *k)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, vc->udp);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		const struct vc_key *o = key;

		if (o->ipv6 == k->ipv6 && o->lport == k->lport &&
		    (vc_addr_is_any(k->ipv6, k->laddr) || vc_addr_is_any(o->ipv6, o->laddr) ||
		     memcmp(o->laddr, k->laddr, 16) == 0))
			return false;
	}
	return true;
}

PkVclientUdp *pk_vclient_udp_new(struct pk_vclient *vc, GSocketAddress *local,
				 GSocketFamily family, GError **error)
{
	struct vc_key k;
	bool ipv6 = family == G_SOCKET_FAMILY_IPV6;
	uint16_t port = 0;
	PkVclientUdp *obj;

	if (local) {
		if (!vc_bind_key(vc, local, &k, &port, error))
			return NULL;
	} else if (family != G_SOCKET_FAMILY_IPV4 && family != G_SOCKET_FAMILY_IPV6) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "family must be IPv4 or IPv6");
		return NULL;
	} else if (!vc->running) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "The virtual client is not running");
		return NULL;
	} else {
		memset(&k, 0, sizeof(k));
		k.ipv6 = ipv6;
	}
	if (port) {
		k.lport = port;
		if (!vc_udp_port_free(vc, &k)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "UDP port %u is already bound", port);
			return NULL;
		}
	} else if (!vc_pick_ephemeral(vc, &k, vc_udp_port_free)) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
				    "No free UDP port");
		return NULL;
	}
	obj = g_object_new(PK_TYPE_VCLIENT_UDP, NULL);
	obj->u->key = k;
	obj->u->vc = vc;
	obj->u->cap = vc->cfg.udp_queue;
	obj->u->ring = g_new(struct vc_dgram, obj->u->cap);
	g_hash_table_add(vc->udp, obj->u);
	return obj;
}

static gboolean vc_udp_check(struct vc_udp *u, GError **error)
{
	if (!u->vc) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CLOSED, "Socket is closed");
		return FALSE;
	}
	return TRUE;
}

gboolean pk_vclient_udp_connect(PkVclientUdp *self, GSocketAddress *remote, GError **error)
{
	struct vc_udp *u = self->u;
	bool ipv6;
	uint8_t addr[16];
	uint16_t port;

	if (!vc_udp_check(u, error) || !vc_sockaddr_get(remote, &ipv6, addr, &port, error))
		return FALSE;
	if (ipv6 != u->key.ipv6 || port == 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "Peer of another family, or port 0");
		return FALSE;
	}
	memcpy(u->raddr, addr, 16);
	u->rport = port;
	u->connected = true;
	u->refused = false;
	return TRUE;
}

gssize pk_vclient_udp_send_to(PkVclientUdp *self, GSocketAddress *to, const void *data, gsize len,
			      GError **error)
{
	struct vc_udp *u = self->u;
	struct pk_vclient *vc = u->vc;
	uint8_t dst[16], src[16];
	uint16_t dport;
	bool ipv6;
	uint8_t *l4;
	struct pk_buf *b;
	uint32_t l4_len = (uint32_t)len + PK_UDP_HLEN;

	if (!vc_udp_check(u, error))
		return -1;
	if (to) {
		if (!vc_sockaddr_get(to, &ipv6, dst, &dport, error))
			return -1;
		if (ipv6 != u->key.ipv6 || dport == 0) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "Destination of another family, or port 0");
			return -1;
		}
	} else if (u->connected) {
		memcpy(dst, u->raddr, 16);
		dport = u->rport;
	} else {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "No destination: the socket is not connected");
		return -1;
	}
	if (!vc->running) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
				    "The virtual client is not running");
		return -1;
	}
	if (len > vc->cfg.mtu - vc_ip_hlen(u->key.ipv6) - PK_UDP_HLEN) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
			    "Datagram of %zu bytes exceeds the MTU of %u", (size_t)len, vc->cfg.mtu);
		return -1;
	}
	if (vc_addr_is_any(u->key.ipv6, u->key.laddr)) {
		if (!vc_pick_source(vc, u->key.ipv6, dst, src)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE,
				    "The virtual client has no IPv%d address", u->key.ipv6 ? 6 : 4);
			return -1;
		}
	} else {
		memcpy(src, u->key.laddr, 16);
	}
	b = vc_alloc_l4(vc, u->key.ipv6, l4_len, &l4);
	if (!b) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "No packet buffer");
		return -1;
	}
	memcpy(l4 + PK_UDP_HLEN, data, len);
	{
		const struct pk_ip_fields f = {
			.version = u->key.ipv6 ? 6 : 4, .src = src, .dst = dst,
		};

		pk_udp_hdr_write(l4, l4_len, &f, u->key.lport, dport, 0);
	}
	if (!vc_queue_l4(vc, b, u->key.ipv6, PK_IPPROTO_UDP, src, dst, l4_len)) {
		pk_dev_drop(vc->dev, PK_DROP_NO_BUFFER, 1);
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
				    "Send queue full: let the main loop run");
		return -1;
	}
	pk_dev_count(vc->dev, VC_C_UDP_DATAGRAMS_OUT, 1);
	return (gssize)len;
}

gssize pk_vclient_udp_receive_from(PkVclientUdp *self, GSocketAddress **from, void *buf, gsize len,
				   GError **error)
{
	struct vc_udp *u = self->u;
	struct vc_dgram *d;
	gsize n;

	if (!vc_udp_check(u, error))
		return -1;
	if (u->refused) {
		u->refused = false;
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
				    "Port unreachable");
		return -1;
	}
	if (u->len == 0) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "No datagram queued");
		return -1;
	}
	d = &u->ring[u->head];
	n = MIN(len, d->len);
	memcpy(buf, d->payload, n);
	if (from)
		*from = vc_sockaddr_new(u->key.ipv6, d->src, d->sport);
	pk_buf_unref(d->buf);
	u->head = (u->head + 1) % u->cap;
	u->len--;
	return (gssize)n;
}

static gboolean vc_udp_ready(gpointer arg)
{
	struct vc_udp *u = arg;

	return !u->vc || u->refused || u->len > 0;
}

GSource *pk_vclient_udp_create_source(PkVclientUdp *self, GCancellable *cancellable)
{
	return vc_wait_source_new(G_OBJECT(self), vc_udp_ready, self->u, cancellable);
}

GSocketAddress *pk_vclient_udp_get_local_address(PkVclientUdp *self)
{
	return vc_sockaddr_new(self->u->key.ipv6, self->u->key.laddr, self->u->key.lport);
}

void pk_vclient_udp_close(PkVclientUdp *self)
{
	vc_udp_unbind(self->u);
}

/* Device side ------------------------------------------------------------------------------------ */

void vc_udp_input(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
		  struct pk_buf *b, const uint8_t *pkt, uint32_t pkt_len, const uint8_t *l4,
		  uint32_t l4_len)
{
	struct pk_udp_view v;
	struct vc_udp *u;
	struct vc_dgram *d;

	if (!pk_udp_parse(l4, l4_len, &v)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
		return;
	}
	/* Partial (never computed) or verified elsewhere: not checked again. */
	if ((v.csum || ipv6) && b->csum == PK_CSUM_NONE) {
		uint32_t sum = ipv6 ? pk_csum_pseudo6(src, dst, PK_IPPROTO_UDP, v.len)
				    : pk_csum_pseudo4(src, dst, PK_IPPROTO_UDP, v.len);

		if ((ipv6 && !v.csum) || !pk_csum_ok(l4, v.len, sum)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_CHECKSUM, 1);
			return;
		}
	}
	u = vc_udp_find(vc, ipv6, dst, v.dport);
	if (!u) {
		if (vc->cfg.reject_closed && vc_icmp_allowed(vc) &&
		    vc_send_icmp_error(vc, ipv6, pkt, pkt_len,
				       ipv6 ? PK_ICMP6_DEST_UNREACH : PK_ICMP_DEST_UNREACH,
				       ipv6 ? 4 : 3, 0))
			pk_dev_count(vc->dev, VC_C_UDP_UNREACH_SENT, 1);
		return;
	}
	if (u->connected && (v.sport != u->rport || memcmp(src, u->raddr, ipv6 ? 16 : 4) != 0))
		return;
	if (u->len == u->cap) {
		pk_dev_count(vc->dev, VC_C_UDP_QUEUE_FULL, 1);
		return;
	}
	d = &u->ring[(u->head + u->len) % u->cap];
	d->buf = pk_buf_ref(b);
	d->payload = v.payload;
	d->len = v.payload_len;
	d->sport = v.sport;
	memset(d->src, 0, sizeof(d->src));
	memcpy(d->src, src, ipv6 ? 16 : 4);
	u->len++;
	pk_dev_count(vc->dev, VC_C_UDP_DATAGRAMS_IN, 1);
}

void vc_udp_icmp_error(struct pk_vclient *vc, bool ipv6, const uint8_t *inner, uint32_t inner_len)
{
	uint32_t ihl = ipv6 ? PK_IP6_HLEN : (uint32_t)(inner[0] & 0x0f) * 4;
	const uint8_t *uh = inner + ihl;
	struct vc_udp *u;

	if (inner_len < ihl + 8)
		return;
	u = vc_udp_find(vc, ipv6, ipv6 ? inner + 8 : inner + 12, pk_get_be16(uh));
	if (u && u->connected && u->rport == pk_get_be16(uh + 2) &&
	    memcmp(u->raddr, ipv6 ? inner + 24 : inner + 16, ipv6 ? 16 : 4) == 0)
		u->refused = true;
}

void vc_udp_init(struct pk_vclient *vc)
{
	vc->udp = vc_key_table_new();
}

void vc_udp_shutdown(struct pk_vclient *vc)
{
	GHashTableIter it;
	gpointer key;

	if (!vc->udp)
		return;
	g_hash_table_iter_init(&it, vc->udp);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct vc_udp *u = key;

		u->vc = NULL;
		vc_udp_purge(u);
	}
	g_clear_pointer(&vc->udp, g_hash_table_destroy);
}
