/* SPDX-License-Identifier: MIT
 * tcp-test-util.h - Hand-built segments and output capture for the TCP engine tests
 */
#ifndef TCP_TEST_UTIL_H
#define TCP_TEST_UTIL_H

#include <string.h>

#include <pktkit/checksum.h>
#include <pktkit/toolkit/tcp.h>

#define MS 1000000ull

static const uint8_t secret[16] = "0123456789abcdef";

/* A segment as the peer sends it (or as we captured it). */
struct seg {
	uint8_t buf[70000];
	uint32_t len;
	struct pk_tcp_view v;
	struct pk_tcp_opts o;
};

static G_GNUC_UNUSED void ep_init(struct pk_tcp_endpoints *ep, bool v6)
{
	memset(ep, 0, sizeof(*ep));
	ep->ipv6 = v6;
	if (v6) {
		ep->local_addr[0] = 0xfd; ep->local_addr[15] = 1;
		ep->remote_addr[0] = 0xfd; ep->remote_addr[15] = 2;
	} else {
		memcpy(ep->local_addr, (uint8_t[]){ 10, 0, 0, 1 }, 4);
		memcpy(ep->remote_addr, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	}
	ep->local_port = 1000;
	ep->remote_port = 2000;
}

/* Build a peer segment (remote -> local of @ep) and parse it into s->v. */
static G_GNUC_UNUSED void mkseg(struct seg *s, const struct pk_tcp_endpoints *ep, uint32_t seq, uint32_t ack,
		  uint8_t flags, uint16_t win, const struct pk_tcp_opts *o, const void *data,
		  uint32_t dlen)
{
	uint8_t opts[40];
	uint32_t olen = o ? pk_tcp_opts_build(o, opts, flags & PK_TCP_SYN) : 0;
	struct pk_tcp_endpoints rev = *ep;

	memcpy(rev.local_addr, ep->remote_addr, 16);
	memcpy(rev.remote_addr, ep->local_addr, 16);
	rev.local_port = ep->remote_port;
	rev.remote_port = ep->local_port;
	memset(s->buf, 0, 60);
	pk_put_be16(s->buf, rev.local_port);
	pk_put_be16(s->buf + 2, rev.remote_port);
	pk_put_be32(s->buf + 4, seq);
	pk_put_be32(s->buf + 8, ack);
	s->buf[12] = (uint8_t)(((20 + olen) / 4) << 4);
	s->buf[13] = flags;
	pk_put_be16(s->buf + 14, win);
	memcpy(s->buf + 20, opts, olen);
	if (dlen)
		memcpy(s->buf + 20 + olen, data, dlen);
	s->len = 20 + olen + dlen;
	pk_tcp_csum_set(&rev, s->buf, s->len);
	g_assert_true(pk_tcp_parse(s->buf, s->len, &s->v));
	pk_tcp_opts_parse(&s->v, &s->o);
}

/* Take the next output segment of @c; false if none. Checks its checksum. */
static G_GNUC_UNUSED bool out(struct pk_tcp_conn *c, uint64_t now, struct seg *s)
{
	const struct pk_tcp_endpoints *ep = pk_tcp_conn_endpoints(c);

	s->len = pk_tcp_conn_output(c, now, s->buf, sizeof(s->buf));
	if (!s->len)
		return false;
	g_assert_true(pk_tcp_csum_ok(ep->ipv6, ep->local_addr, ep->remote_addr, s->buf, s->len));
	g_assert_true(pk_tcp_parse(s->buf, s->len, &s->v));
	g_assert_true(pk_tcp_opts_parse(&s->v, &s->o));
	return true;
}

static G_GNUC_UNUSED void no_out(struct pk_tcp_conn *c, uint64_t now)
{
	struct seg s;

	g_assert_false(out(c, now, &s));
}

#endif
