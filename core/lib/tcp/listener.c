/* SPDX-License-Identifier: MIT
 * listener.c - TCP listeners: SYN cookies (RFC 4987), half-open limit, stateless replies
 */
#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#include "conn-private.h"

/* ---- SYN cookies (RFC 4987) ---- */

/*
 * ISS = hash:28 | slot parity:1 | MSS index:3. The hash is SipHash-2-4 keyed
 * with the cookie key over both addresses and ports, the peer's ISN, the
 * full 64-second slot number, the MSS index and the option bits (window
 * scale and SACK-permitted as sent in our TSval), so none of them can be
 * altered. The parity bit picks which of the current and previous slot to
 * check, so one hash per key validates an ACK.
 */
const uint16_t pk_tcp_cookie_mss[8] = { 256, 536, 1220, 1360, 1440, 1460, 4312, 8960 };

static uint32_t cookie_hash(const uint8_t key[16], const struct pk_tcp_endpoints *ep,
			    uint32_t irs, uint64_t slot, uint32_t mss_idx, uint32_t optbits)
{
	uint8_t in[16 + 16 + 4 + 4 + 8 + 2 + 1];
	size_t alen = ep->ipv6 ? 16 : 4, n = 0;

	memcpy(in + n, ep->local_addr, alen);
	n += alen;
	memcpy(in + n, ep->remote_addr, alen);
	n += alen;
	pk_put_be16(in + n, ep->local_port);
	pk_put_be16(in + n + 2, ep->remote_port);
	pk_put_be32(in + n + 4, irs);
	n += 8;
	for (int i = 0; i < 8; i++)
		in[n++] = (uint8_t)(slot >> (8 * i));
	in[n++] = (uint8_t)mss_idx;
	in[n++] = (uint8_t)optbits;
	in[n++] = 'C';
	return (uint32_t)(pk_tcp_siphash(key, in, n) >> 36);	/* 28 bits */
}

uint32_t pk_tcp_cookie_make(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
			    uint32_t irs, uint32_t mss_idx, uint32_t optbits, uint64_t now)
{
	uint64_t slot = now / PK_TCP_COOKIE_SLOT_NS;

	mss_idx &= 7;
	return cookie_hash(e->ck_key, ep, irs, slot, mss_idx, optbits) << 4 |
	       (uint32_t)(slot & 1) << 3 | mss_idx;
}

bool pk_tcp_cookie_check(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
			 uint32_t irs, uint32_t cookie, uint32_t optbits, uint64_t now)
{
	uint64_t cur = now / PK_TCP_COOKIE_SLOT_NS, slot = cur;
	uint32_t idx = cookie & 7, h = cookie >> 4;

	if (((cookie >> 3) & 1) != (cur & 1)) {
		if (cur == 0)
			return false;
		slot = cur - 1;
	}
	if (cookie_hash(e->ck_key, ep, irs, slot, idx, optbits) == h)
		return true;
	return e->ck_have_prev && slot <= e->ck_rot_slot &&
	       cookie_hash(e->ck_prev, ep, irs, slot, idx, optbits) == h;
}

/* ---- listener ---- */

struct pk_tcp_listener *pk_tcp_listener_new(struct pk_tcp_engine *e,
					    const struct pk_tcp_config *cfg, bool ipv6,
					    const uint8_t *local_addr, uint16_t local_port)
{
	struct pk_tcp_listener *l = g_new0(struct pk_tcp_listener, 1);

	l->e = e;
	tcp_config_resolve(&l->cfg, cfg);	/* idempotent: tcp_conn_new resolves it again */
	if (!l->cfg.max_half_open)
		l->cfg.max_half_open = DEFAULT_HALF_OPEN;
	l->ipv6 = ipv6;
	memcpy(l->addr, local_addr, ipv6 ? 16 : 4);
	l->port = local_port;
	return l;
}

void pk_tcp_listener_free(struct pk_tcp_listener *l)
{
	if (!l)
		return;
	while (l->half_open)
		tcp_halfopen_unlink(l->half_open);
	g_free(l);
}

static bool listener_queue(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
			   uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
			   const uint8_t *opts, uint32_t olen)
{
	uint32_t i;

	if (l->q_len == LISTENER_REPLYQ) {
		l->e->st.dropped++;
		return false;
	}
	i = (l->q_head + l->q_len++) % LISTENER_REPLYQ;
	l->q[i].ep = *ep;
	l->q[i].seq = seq;
	l->q[i].ack = ack;
	l->q[i].flags = flags;
	l->q[i].win = win;
	l->q[i].olen = (uint8_t)olen;
	if (olen)
		memcpy(l->q[i].opts, opts, olen);
	return true;
}

static void listener_rst(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
			 uint32_t seq, uint32_t ack, uint8_t flags)
{
	listener_queue(l, ep, seq, ack, flags, 0, NULL, 0);
}

static uint32_t listener_ts_now(const struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
				uint64_t now)
{
	/* the clock the connection will have: same offset as tcp_conn_new() */
	return (uint32_t)(now / NS_PER_MS) + (uint32_t)pk_tcp_tuple_hash(l->e->secret, ep, 'T');
}

/* Answer a SYN with a cookie SYN-ACK, keeping no state. */
static void listener_cookie_synack(struct pk_tcp_listener *l, const struct pk_tcp_endpoints *ep,
				   const struct pk_tcp_view *t, const struct pk_tcp_opts *o,
				   uint64_t now)
{
	const struct pk_tcp_config *cfg = &l->cfg;
	uint32_t peer_mss = (o->present & PK_TCP_HAS_MSS) && o->mss ? o->mss
								   : (ep->ipv6 ? 1220u : 536u);
	uint32_t idx = 0, optbits = 0, olen, cookie;
	struct pk_tcp_opts so;
	uint8_t opts[40];

	for (uint32_t i = 1; i < G_N_ELEMENTS(pk_tcp_cookie_mss); i++)
		if (pk_tcp_cookie_mss[i] <= peer_mss)
			idx = i;
	memset(&so, 0, sizeof(so));
	so.present = PK_TCP_HAS_MSS;
	so.mss = (uint16_t)MIN(cfg->mtu - (ep->ipv6 ? 60u : 40u), 65535u);
	if ((o->present & PK_TCP_HAS_TIMESTAMP) && !cfg->no_timestamps) {
		/* RFC 7323 options ride in the low bits of our TSval, which the
		 * peer echoes in the ACK's TSecr; without timestamps we cannot
		 * remember them, so window scale and SACK are not offered. */
		uint32_t ws = PK_TCP_COOKIE_NO_WS, low, tsnow, tsval;
		bool sack = (o->present & PK_TCP_HAS_SACK_PERM) && !cfg->no_sack;

		if ((o->present & PK_TCP_HAS_WSCALE) && !cfg->no_wscale)
			ws = MIN(o->wscale, (uint8_t)PK_TCP_MAX_WSCALE);
		low = ws | (sack ? 1u << 4 : 0);
		tsnow = listener_ts_now(l, ep, now);
		/* round down so that TSval never runs ahead of the clock */
		tsval = (tsnow & ~((1u << PK_TCP_COOKIE_TS_BITS) - 1)) | low;
		if ((int32_t)(tsval - tsnow) > 0)
			tsval -= 1u << PK_TCP_COOKIE_TS_BITS;
		optbits = 1u << PK_TCP_COOKIE_TS_BITS | low;
		so.present |= PK_TCP_HAS_TIMESTAMP;
		so.ts_val = tsval;
		so.ts_ecr = o->ts_val;
		if (ws != PK_TCP_COOKIE_NO_WS) {
			so.present |= PK_TCP_HAS_WSCALE;
			so.wscale = choose_wscale(cfg->rcvbuf);
		}
		if (sack)
			so.present |= PK_TCP_HAS_SACK_PERM;
	}
	cookie = pk_tcp_cookie_make(l->e, ep, t->seq, idx, optbits, now);
	olen = pk_tcp_opts_build(&so, opts, true);
	if (listener_queue(l, ep, cookie, t->seq + 1, PK_TCP_SYN | PK_TCP_ACK,
			   (uint16_t)MIN(cfg->rcvbuf, MAX_WIN16), opts, olen))
		l->e->st.syncookies_sent++;
	else
		l->e->st.listen_overflows++;
}

/* An ACK for which no connection exists: complete a cookie handshake. */
static struct pk_tcp_conn *listener_cookie_ack(struct pk_tcp_listener *l,
					       const struct pk_tcp_endpoints *ep,
					       const struct pk_tcp_view *t,
					       const struct pk_tcp_opts *o, uint64_t now)
{
	uint32_t irs = t->seq - 1, cookie = t->ack - 1, optbits = 0;
	struct pk_tcp_opts so;
	struct pk_tcp_conn *c;

	if ((o->present & PK_TCP_HAS_TIMESTAMP) && !l->cfg.no_timestamps)
		optbits = 1u << PK_TCP_COOKIE_TS_BITS |
			  (o->ts_ecr & ((1u << PK_TCP_COOKIE_TS_BITS) - 1));
	if (!pk_tcp_cookie_check(l->e, ep, irs, cookie, optbits, now))
		return NULL;
	c = tcp_conn_new(l->e, &l->cfg, ep, now);
	if (!c)
		return NULL;
	l->e->st.syncookies_ok++;
	/* as if our SYN-ACK (ISS = cookie) had just been sent */
	c->iss = cookie;
	c->recover = c->high_rxt = cookie;
	c->snd_una = cookie;
	c->snd_nxt = c->snd_max = cookie + 1;
	c->sb_seq = cookie + 1;
	c->state = PK_TCP_SYN_RECEIVED;		/* not on the half-open list */
	c->irs = irs;
	c->rcv_nxt = t->seq;
	c->rcv_adv = c->rcv_nxt + MIN(c->cfg.rcvbuf, MAX_WIN16);
	c->last_ack_sent = c->rcv_nxt;
	c->snd_wl1 = irs;
	memset(&so, 0, sizeof(so));
	so.present = PK_TCP_HAS_MSS;
	so.mss = pk_tcp_cookie_mss[cookie & 7];
	if (optbits) {
		uint32_t ws = optbits & 0xf;

		so.present |= PK_TCP_HAS_TIMESTAMP;
		so.ts_val = o->ts_val;		/* the SYN's is lost; this one passes PAWS */
		if (ws != PK_TCP_COOKIE_NO_WS) {
			so.present |= PK_TCP_HAS_WSCALE;
			so.wscale = (uint8_t)ws;
		}
		if (optbits & (1u << 4))
			so.present |= PK_TCP_HAS_SACK_PERM;
	}
	tcp_take_syn_options(c, &so, false);
	c->ts_recent_time = now;
	/* the normal SYN-RECEIVED path takes the ACK (and any data, FIN) */
	tcp_conn_input(c, t, o, now);
	return c;
}

struct pk_tcp_conn *pk_tcp_listener_input(struct pk_tcp_listener *l, const uint8_t *remote_addr,
					  const struct pk_tcp_view *t, uint64_t now)
{
	struct pk_tcp_endpoints ep;
	struct pk_tcp_opts o;
	struct pk_tcp_conn *c;
	bool opts_ok;

	l->e->st.segs_in++;
	memset(&ep, 0, sizeof(ep));
	ep.ipv6 = l->ipv6;
	memcpy(ep.local_addr, l->addr, l->ipv6 ? 16 : 4);
	memcpy(ep.remote_addr, remote_addr, l->ipv6 ? 16 : 4);
	ep.local_port = l->port;
	ep.remote_port = t->sport;
	if (t->flags & PK_TCP_RST) {
		l->e->st.dropped++;
		return NULL;
	}
	opts_ok = pk_tcp_opts_parse(t, &o);
	if (t->flags & PK_TCP_ACK) {
		if (!(t->flags & PK_TCP_SYN) && t->dport == l->port) {
			c = listener_cookie_ack(l, &ep, t, &o, now);
			if (c) {
				if (!opts_ok)
					l->e->st.bad_header++;
				return c;
			}
			l->e->st.syncookies_failed++;
			l->e->st.dropped++;
		}
		listener_rst(l, &ep, t->ack, 0, PK_TCP_RST);
		return NULL;
	}
	if (!(t->flags & PK_TCP_SYN) || t->dport != l->port) {
		l->e->st.dropped++;
		return NULL;
	}
	if (!opts_ok)
		l->e->st.bad_header++;
	if (l->cfg.no_syncookies ? l->n_half_open >= l->cfg.max_half_open
				 : l->cfg.syncookies_always || l->n_half_open >= l->cfg.max_half_open) {
		if (l->cfg.no_syncookies) {
			l->e->st.listen_overflows++;
			l->e->st.dropped++;
		} else {
			listener_cookie_synack(l, &ep, t, &o, now);
		}
		return NULL;
	}
	c = tcp_conn_new(l->e, &l->cfg, &ep, now);
	if (!c) {
		l->e->st.dropped++;
		return NULL;
	}
	c->state = PK_TCP_SYN_RECEIVED;
	tcp_halfopen_link(l, c);
	c->irs = t->seq;
	c->rcv_nxt = t->seq + 1;
	c->rcv_adv = c->rcv_nxt;
	tcp_take_syn_options(c, &o, false);
	c->ts_recent_time = now;
	c->snd_wnd = t->window;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = t->seq;
	/* Data in a SYN is not kept (it would be acknowledged only after the
	 * handshake anyway); the peer retransmits it. */
	return c;
}

uint32_t pk_tcp_listener_output(struct pk_tcp_listener *l, uint8_t *buf, uint32_t cap,
				struct pk_tcp_endpoints *ep)
{
	uint32_t n, i = l->q_head;

	if (!l->q_len || cap < PK_TCP_HLEN + l->q[i].olen)
		return 0;
	l->q_head = (l->q_head + 1) % LISTENER_REPLYQ;
	l->q_len--;
	*ep = l->q[i].ep;
	n = pk_tcp_write_header(buf, ep->local_port, ep->remote_port, l->q[i].seq, l->q[i].ack,
				l->q[i].flags, l->q[i].win, l->q[i].olen);
	memcpy(buf + PK_TCP_HLEN, l->q[i].opts, l->q[i].olen);
	pk_tcp_csum_set(ep, buf, n);
	l->e->st.segs_out++;
	return n;
}
