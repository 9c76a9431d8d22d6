// SPDX-License-Identifier: MIT
/* device.c - The l3.vclient device type: configuration, IP input demux, ICMP echo, registration */
#include <string.h>

#include <pktkit/build.h>
#include <pktkit/checksum.h>
#include <pktkit/module.h>

#include "vclient-private.h"

enum {
	VC_P_ADDRESSES,
	VC_P_MTU,
	VC_P_TTL,
	VC_P_TCP_SNDBUF,
	VC_P_TCP_RCVBUF,
	VC_P_TCP_TIME_WAIT,
	VC_P_TCP_MAX_CONNECTIONS,
	VC_P_TCP_MAX_HALF_OPEN,
	VC_P_TCP_NO_SACK,
	VC_P_TCP_NO_TIMESTAMPS,
	VC_P_TCP_CC,
	VC_P_UDP_QUEUE,
	VC_P_ICMP_ECHO,
	VC_P_REJECT_CLOSED,
	VC_P_ICMP_ERROR_RATE,
	VC_P_USE_LINK_INFO,
	VC_P_TSO,
};

static const struct pk_param vc_addr_fields[] = {
	PK_PARAM_PREFIX(struct vc_addr_rec, prefix, "prefix", NULL, PK_PF_REQUIRED,
			"An address of the host with its prefix length, e.g. \"10.0.0.2/24\" or "
			"\"fd00::2/64\""),
};

static const struct pk_param_record vc_addr_record = {
	PK_ARRAY(params, vc_addr_fields),
	.record_size = sizeof(struct vc_addr_rec),
};

static const struct pk_param_enum vc_cc_names[] = {
	{ "cubic", PK_TCP_CC_CUBIC },
	{ "newreno", PK_TCP_CC_NEWRENO },
	{ NULL, 0 },
};

static const struct pk_param vc_params[] = {
	[VC_P_ADDRESSES] = PK_PARAM_LIST(struct vc_config, addresses, "addresses", &vc_addr_record,
					 0, VC_MAX_CFG_ADDRS, 0,
					 "The host's IPv4 and IPv6 addresses (the first of a family is "
					 "the source of connections to that family); more come from "
					 "the link with use-link-info"),
	[VC_P_MTU] = PK_PARAM_U32(struct vc_config, mtu, "mtu", "1500", 576, 65535, 0,
				  "Largest IP packet sent; the TCP MSS offered is derived from it "
				  "(TCP segments stay within 65496 bytes, one buffer)"),
	[VC_P_TTL] = PK_PARAM_U32(struct vc_config, ttl, "ttl", "64", 1, 255, 0,
				  "TTL / hop limit of packets sent"),
	[VC_P_TCP_SNDBUF] = PK_PARAM_U32(struct vc_config, tcp_sndbuf, "tcp-sndbuf", "262144",
					 4096, 64u << 20, 0, "Send buffer bytes per TCP connection"),
	[VC_P_TCP_RCVBUF] = PK_PARAM_U32(struct vc_config, tcp_rcvbuf, "tcp-rcvbuf", "262144",
					 4096, 64u << 20, 0,
					 "Receive buffer bytes per TCP connection (the largest "
					 "window offered)"),
	[VC_P_TCP_TIME_WAIT] = PK_PARAM_DURATION(struct vc_config, tcp_time_wait, "tcp-time-wait",
						 "\"1s\"", PK_NSEC_PER_MSEC,
						 240 * PK_NSEC_PER_SEC, 0,
						 "How long a closed connection stays in TIME-WAIT "
						 "(short by default: virtual links do not keep old "
						 "duplicates for minutes)"),
	[VC_P_TCP_MAX_CONNECTIONS] = PK_PARAM_U32(struct vc_config, tcp_max_connections,
						  "tcp-max-connections", "65536", 1, 1u << 22, 0,
						  "TCP connections in any state; SYNs beyond it are "
						  "dropped and counted"),
	[VC_P_TCP_MAX_HALF_OPEN] = PK_PARAM_U32(struct vc_config, tcp_max_half_open,
						"tcp-max-half-open", "128", 1, 1u << 20, 0,
						"Half-open connections per listener before SYNs are "
						"answered with SYN cookies"),
	[VC_P_TCP_NO_SACK] = PK_PARAM_BOOL(struct vc_config, tcp_no_sack, "tcp-no-sack", "false", 0,
					   "Do not offer or accept SACK"),
	[VC_P_TCP_NO_TIMESTAMPS] = PK_PARAM_BOOL(struct vc_config, tcp_no_timestamps,
						 "tcp-no-timestamps", "false", 0,
						 "Do not offer or accept TCP timestamps"),
	[VC_P_TCP_CC] = PK_PARAM_ENUM(struct vc_config, tcp_cc, "tcp-congestion-control", "\"cubic\"",
				      vc_cc_names, 0,
				      "Congestion control of new connections: cubic (RFC 9438) or "
				      "newreno (RFC 6582)"),
	[VC_P_UDP_QUEUE] = PK_PARAM_U32(struct vc_config, udp_queue, "udp-queue", "256", 1, 65536, 0,
					"Datagrams a UDP socket holds until the application reads "
					"them; more are dropped and counted"),
	[VC_P_ICMP_ECHO] = PK_PARAM_BOOL(struct vc_config, icmp_echo, "icmp-echo", "true",
					 PK_PF_LIVE, "Answer ICMP and ICMPv6 echo requests"),
	[VC_P_REJECT_CLOSED] = PK_PARAM_BOOL(struct vc_config, reject_closed, "reject-closed",
					     "true", PK_PF_LIVE,
					     "Answer segments to closed TCP ports with RST and "
					     "datagrams to closed UDP ports with ICMP port unreachable "
					     "(false: drop them silently)"),
	[VC_P_ICMP_ERROR_RATE] = PK_PARAM_U32(struct vc_config, icmp_error_rate, "icmp-error-rate",
					      "100", 1, 1000000, PK_PF_LIVE,
					      "ICMP errors and closed-port RSTs sent per second at "
					      "most; the rest are counted in icmp-rate-limited"),
	[VC_P_USE_LINK_INFO] = PK_PARAM_BOOL(struct vc_config, use_link_info, "use-link-info",
					     "true", 0,
					     "Also own the addresses the device on \"ip\" publishes "
					     "(an l3.adapter: its addresses and DHCP lease), and take "
					     "its DNS servers as the resolver's default"),
	[VC_P_TSO] = PK_PARAM_BOOL(struct vc_config, tso, "tso", "false", 0,
				   "TCP segmentation offload: connections send up to 64 KB per "
				   "packet, marked as super-packets with the MSS of 'mtu' as their "
				   "segment size and a partial checksum, for a kernel TUN with "
				   "'offload' (or the core, for any other peer) to cut"),
};

PK_COUNTERS_TABLE(vc_counters, VC_COUNTERS);

static const struct pk_port_group vc_ports[] = {
	{ "ip", PK_L3, 1, 1, "IP packets to and from the network (an adapter, router or TUN)",
	  PK_PORT_F_OFFLOAD },
};

struct pk_vclient *vc_from_dev(struct pk_dev *dev)
{
	return pk_dev_instance(dev);
}

bool vc_addr_is_any(bool ipv6, const uint8_t *addr)
{
	static const uint8_t zero[16];

	return memcmp(addr, zero, ipv6 ? 16 : 4) == 0;
}

bool vc_is_local(const struct pk_vclient *vc, bool ipv6, const uint8_t *addr)
{
	if (ipv6) {
		for (uint32_t i = 0; i < vc->n_addr6; i++)
			if (memcmp(vc->addr6[i].b, addr, 16) == 0)
				return true;
		return false;
	}
	for (uint32_t i = 0; i < vc->n_addr4; i++)
		if (memcmp(vc->addr4[i].b, addr, 4) == 0)
			return true;
	return false;
}

static bool ip6_is_link_local(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

bool vc_pick_source(const struct pk_vclient *vc, bool ipv6, const uint8_t *dst, uint8_t *src)
{
	if (!ipv6) {
		if (!vc->n_addr4)
			return false;
		memcpy(src, vc->addr4[0].b, 4);
		return true;
	}
	/* Same scope as the destination when we have one, else the first. */
	for (uint32_t i = 0; i < vc->n_addr6; i++) {
		if (ip6_is_link_local(vc->addr6[i].b) == ip6_is_link_local(dst)) {
			memcpy(src, vc->addr6[i].b, 16);
			return true;
		}
	}
	if (!vc->n_addr6)
		return false;
	memcpy(src, vc->addr6[0].b, 16);
	return true;
}

bool vc_icmp_allowed(struct pk_vclient *vc)
{
	uint64_t now = pk_dev_now(vc->dev);

	if (now - vc->icmp_tokens_at >= PK_NSEC_PER_SEC) {
		vc->icmp_tokens_at = now;
		vc->icmp_tokens = vc->cfg.icmp_error_rate;
	}
	if (vc->icmp_tokens == 0) {
		pk_dev_count(vc->dev, VC_C_ICMP_RATE_LIMITED, 1);
		return false;
	}
	vc->icmp_tokens--;
	return true;
}

static void vc_flush_timer_fired(struct pk_dev *dev, void *self, void *data)
{
	struct pk_vclient *vc = self;

	(void)dev;
	(void)data;
	vc_flush_app_queue(vc);
	vc_tcp_flush(vc);
	vc_flush_out(vc);
}

void vc_schedule_flush(struct pk_vclient *vc)
{
	/* Inside receive the connections are flushed before it returns. */
	if (vc->in_receive)
		return;
	if (vc->flush_timer && !pk_timer_is_armed(vc->flush_timer))
		pk_timer_arm(vc->flush_timer, 0);
}

/* ICMP ----------------------------------------------------------------- */

static void vc_echo_reply(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
			  const uint8_t *icmp, uint32_t icmp_len)
{
	const struct pk_ip_fields f = { .version = ipv6 ? 6 : 4, .src = dst, .dst = src };
	uint8_t *l4;
	struct pk_buf *b = vc_alloc_l4(vc, ipv6, icmp_len, &l4);

	if (!b)
		return;
	if (!pk_icmp_echo_reply_write(l4, icmp_len, &f, icmp, icmp_len)) {
		pk_buf_unref(b);
		return;
	}
	vc_send_l4(vc, b, ipv6, ipv6 ? PK_IPPROTO_ICMPV6 : PK_IPPROTO_ICMP, dst, src, icmp_len);
	pk_dev_count(vc->dev, VC_C_ICMP_ECHO_REPLIES, 1);
}

/* An ICMP error quotes our packet: IP header + at least 8 bytes of L4. */
static void vc_icmp_error_in(struct pk_vclient *vc, bool ipv6, const struct pk_icmp_view *ic)
{
	const uint8_t *inner = ic->body;
	uint32_t inner_len = ic->body_len;
	uint8_t proto;
	uint32_t mtu = 0;

	pk_dev_count(vc->dev, VC_C_ICMP_ERRORS_IN, 1);
	if (ipv6) {
		struct pk_ip6_view v;

		if (!pk_ip6_parse(inner, inner_len, &v) && inner_len < PK_IP6_HLEN)
			return;
		if (inner_len < PK_IP6_HLEN || !vc_is_local(vc, true, inner + 8))
			return;
		proto = inner[6];
		if (ic->type == PK_ICMP6_PACKET_TOO_BIG)
			mtu = pk_get_be32(ic->rest);
	} else {
		uint32_t ihl;

		if (inner_len < PK_IP4_HLEN || (inner[0] >> 4) != 4)
			return;
		ihl = (uint32_t)(inner[0] & 0x0f) * 4;
		if (ihl < PK_IP4_HLEN || ihl + 8 > inner_len || !vc_is_local(vc, false, inner + 12))
			return;
		proto = inner[9];
		if (ic->type == PK_ICMP_DEST_UNREACH && ic->code == 4)
			mtu = pk_get_be16(ic->rest + 2);
	}
	if (proto == PK_IPPROTO_TCP)
		vc_tcp_icmp_error(vc, ipv6, ic->type, ic->code, mtu, inner, inner_len);
	else if (proto == PK_IPPROTO_UDP)
		vc_udp_icmp_error(vc, ipv6, inner, inner_len);
}

static void vc_icmp_input(struct pk_vclient *vc, bool ipv6, const uint8_t *src, const uint8_t *dst,
			  const uint8_t *l4, uint32_t l4_len)
{
	struct pk_icmp_view ic;
	uint32_t sum = ipv6 ? pk_csum_pseudo6(src, dst, PK_IPPROTO_ICMPV6, l4_len) : 0;

	if (!pk_icmp_parse(l4, l4_len, &ic)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
		return;
	}
	if (!pk_csum_ok(l4, l4_len, sum)) {
		pk_dev_count(vc->dev, VC_C_DROPPED_CHECKSUM, 1);
		return;
	}
	if (ipv6) {
		switch (ic.type) {
		case PK_ICMP6_ECHO_REQUEST:
			if (vc->cfg.icmp_echo)
				vc_echo_reply(vc, true, src, dst, l4, l4_len);
			return;
		case PK_ICMP6_DEST_UNREACH:
		case PK_ICMP6_PACKET_TOO_BIG:
		case PK_ICMP6_TIME_EXCEEDED:
		case PK_ICMP6_PARAM_PROBLEM:
			vc_icmp_error_in(vc, true, &ic);
			return;
		default:
			return;
		}
	}
	switch (ic.type) {
	case PK_ICMP_ECHO_REQUEST:
		if (vc->cfg.icmp_echo)
			vc_echo_reply(vc, false, src, dst, l4, l4_len);
		return;
	case PK_ICMP_DEST_UNREACH:
	case PK_ICMP_TIME_EXCEEDED:
	case PK_ICMP_PARAM_PROBLEM:
		vc_icmp_error_in(vc, false, &ic);
		return;
	default:
		return;
	}
}

/* Input ------------------------------------------------------------------ */

static void vc_l4_input(struct pk_vclient *vc, struct pk_buf *b, bool ipv6, uint8_t proto,
			const uint8_t *src, const uint8_t *dst, const uint8_t *pkt, uint32_t pkt_len,
			const uint8_t *l4, uint32_t l4_len)
{
	switch (proto) {
	case PK_IPPROTO_TCP:
		/* A partial checksum was never computed (a local sender that
		 * trusts memory, e.g. the kernel behind a TUN with offload) and a
		 * verified one was checked already: neither is verified again. */
		vc_tcp_input(vc, ipv6, src, dst, pkt, pkt_len, l4, l4_len,
			     b->csum != PK_CSUM_NONE);
		break;
	case PK_IPPROTO_UDP:
		vc_udp_input(vc, ipv6, src, dst, b, pkt, pkt_len, l4, l4_len);
		break;
	case PK_IPPROTO_ICMP:
		if (ipv6)
			goto unknown;
		vc_icmp_input(vc, false, src, dst, l4, l4_len);
		break;
	case PK_IPPROTO_ICMPV6:
		if (!ipv6)
			goto unknown;
		vc_icmp_input(vc, true, src, dst, l4, l4_len);
		break;
	case PK_IPPROTO_NONE:
		/* RFC 8200 4.7: No Next Header ends the packet; nothing to
		 * answer, whatever follows is ignored. */
		if (ipv6) {
			pk_dev_count(vc->dev, VC_C_DROPPED_PROTO, 1);
			break;
		}
		goto unknown;
	default:
unknown:
		pk_dev_count(vc->dev, VC_C_DROPPED_PROTO, 1);
		if (!vc->cfg.reject_closed || !vc_icmp_allowed(vc))
			break;
		/* IPv6: Parameter Problem, unrecognized Next Header, pointing at
		 * the field that named it; IPv4: protocol unreachable. */
		if (ipv6)
			vc_send_icmp_error(vc, true, pkt, pkt_len, PK_ICMP6_PARAM_PROBLEM, 1,
					   pk_ip6_last_nh_off(pkt, (uint32_t)(l4 - pkt)));
		else
			vc_send_icmp_error(vc, false, pkt, pkt_len, PK_ICMP_DEST_UNREACH, 2, 0);
		break;
	}
}

static void vc_packet_input(struct pk_vclient *vc, struct pk_buf *b)
{
	const uint8_t *p = pk_buf_data(b);
	uint32_t len = pk_buf_len(b);

	switch (pk_ip_version(p, len)) {
	case 4: {
		struct pk_ip4_view v;

		if (!pk_ip4_parse(p, len, &v)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
			return;
		}
		if (!pk_ip4_csum_ok(&v)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_CHECKSUM, 1);
			return;
		}
		if (!vc_is_local(vc, false, v.dst)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_NOT_OURS, 1);
			return;
		}
		if (pk_ip4_is_fragment(&v)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_FRAGMENT, 1);
			return;
		}
		vc_l4_input(vc, b, false, v.proto, v.src, v.dst, p, v.total_len, v.payload,
			    v.payload_len);
		return;
	}
	case 6: {
		struct pk_ip6_view v;

		if (!pk_ip6_parse(p, len, &v)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
			return;
		}
		if (!vc_is_local(vc, true, v.dst)) {
			pk_dev_count(vc->dev, VC_C_DROPPED_NOT_OURS, 1);
			return;
		}
		if (v.frag) {
			pk_dev_count(vc->dev, VC_C_DROPPED_FRAGMENT, 1);
			return;
		}
		vc_l4_input(vc, b, true, v.proto, v.src, v.dst, p, PK_IP6_HLEN + v.payload_len,
			    v.l4, v.l4_len);
		return;
	}
	default:
		pk_dev_count(vc->dev, VC_C_DROPPED_BAD_IP, 1);
		return;
	}
}

static void vc_receive(struct pk_dev *dev, void *self, uint32_t port, const struct pk_batch *batch)
{
	struct pk_vclient *vc = self;

	(void)port;
	pk_dev_count(dev, VC_C_RX_PACKETS, batch->n);
	if (!vc->running)
		return;
	/* Everything the batch causes is answered before receive returns:
	 * connections note what they received while the batch is read, then
	 * one pass over the marked connections sends their segments (one ACK
	 * per connection for the whole batch). Answers are new buffers, so the
	 * core does not take a conversation between two devices for a loop;
	 * a long one runs on across main-loop iterations (dispatch budget). */
	vc->in_receive = true;
	vc->inline_segs = VC_INLINE_SEGS;
	for (uint32_t i = 0; i < batch->n; i++)
		vc_packet_input(vc, batch->buf[i]);
	vc_tcp_flush(vc);
	vc->in_receive = false;
	if (!g_queue_is_empty(&vc->dirty))
		vc_schedule_flush(vc);	/* what did not fit in one batch */
	vc_flush_out(vc);
}

/* Lifecycle -------------------------------------------------------------- */

static void vc_add_addr(struct pk_vclient *vc, const struct pk_prefix *p)
{
	if (vc_is_local(vc, p->family == 6, p->addr))
		return;
	if (p->family == 4 && vc->n_addr4 < VC_MAX_ADDRS)
		memcpy(vc->addr4[vc->n_addr4++].b, p->addr, 4);
	else if (p->family == 6 && vc->n_addr6 < VC_MAX_ADDRS)
		memcpy(vc->addr6[vc->n_addr6++].b, p->addr, 16);
}

/* Our addresses: the configured ones first, then those of the link. */
static void vc_rebuild_addrs(struct pk_vclient *vc)
{
	vc->n_addr4 = vc->n_addr6 = 0;
	for (uint32_t i = 0; i < vc->n_cfg_addrs; i++)
		vc_add_addr(vc, &vc->cfg_addrs[i]);
	if (vc->cfg.use_link_info)
		for (uint32_t i = 0; i < vc->link.n_addresses; i++)
			vc_add_addr(vc, &vc->link.addresses[i]);
}

static void vc_apply_config(struct pk_vclient *vc, const struct vc_config *cfg)
{
	const struct vc_addr_rec *r = cfg->addresses.items;
	struct pk_list keep = vc->cfg.addresses;

	vc->cfg = *cfg;
	vc->cfg.addresses = keep;	/* the list storage is the host's: keep the copies below */
	vc->n_cfg_addrs = 0;
	for (uint32_t i = 0; i < cfg->addresses.n; i++)
		vc->cfg_addrs[vc->n_cfg_addrs++] = r[i].prefix;
	vc_rebuild_addrs(vc);
	memset(&vc->tcp_cfg, 0, sizeof(vc->tcp_cfg));
	vc->tcp_cfg.sndbuf = cfg->tcp_sndbuf;
	vc->tcp_cfg.rcvbuf = cfg->tcp_rcvbuf;
	/* A segment (IP header, TCP header with options, MSS bytes) must fit
	 * in one pool buffer. */
	vc->tcp_cfg.mtu = MIN(cfg->mtu, PK_BUF_MAX_LEN - (PK_TCP_MAX_HLEN - PK_TCP_HLEN));
	vc->tcp_cfg.time_wait_ns = (uint64_t)cfg->tcp_time_wait;
	vc->tcp_cfg.no_sack = cfg->tcp_no_sack;
	vc->tcp_cfg.no_timestamps = cfg->tcp_no_timestamps;
	vc->tcp_cfg.max_half_open = cfg->tcp_max_half_open;
	vc->tcp_cfg.cc = cfg->tcp_cc;
}

static int vc_init(struct pk_dev *dev, void *self, const void *config, GError **error)
{
	struct pk_vclient *vc = self;
	const struct vc_config *cfg = config;
	const struct vc_addr_rec *r = cfg->addresses.items;

	for (uint32_t i = 0; i < cfg->addresses.n; i++) {
		if (vc_addr_is_any(r[i].prefix.family == 6, r[i].prefix.addr)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "addresses[%u]: the unspecified address cannot be a host address",
				    i);
			return -1;
		}
	}
	if (cfg->addresses.n == 0 && !cfg->use_link_info) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "addresses: none given and use-link-info is false: this host "
				    "would never have an address");
		return -1;
	}
	vc->dev = dev;
	vc_apply_config(vc, cfg);
	vc->flush_timer = pk_timer_new(dev, vc_flush_timer_fired, NULL);
	return 0;
}

static int vc_reconfigure(struct pk_dev *dev, void *self, const void *config, uint64_t changed,
			  GError **error)
{
	struct pk_vclient *vc = self;
	const struct vc_config *cfg = config;

	(void)dev;
	(void)error;
	(void)changed;
	/* Only live parameters reach us while running; apply all when stopped. */
	if (vc->running) {
		vc->cfg.icmp_echo = cfg->icmp_echo;
		vc->cfg.reject_closed = cfg->reject_closed;
		vc->cfg.icmp_error_rate = cfg->icmp_error_rate;
	} else {
		vc_apply_config(vc, cfg);
	}
	return 0;
}

static int vc_start(struct pk_dev *dev, void *self, GError **error)
{
	struct pk_vclient *vc = self;
	uint8_t secret[16];

	(void)error;
	for (size_t i = 0; i < sizeof(secret); i += 4) {
		guint32 r = g_random_int();

		memcpy(secret + i, &r, 4);
	}
	vc->engine = pk_tcp_engine_new(secret, 0);
	vc->icmp_tokens_at = pk_dev_now(dev);
	vc->icmp_tokens = vc->cfg.icmp_error_rate;
	vc_tcp_init(vc);
	vc_udp_init(vc);
	vc->running = true;
	return 0;
}

static void vc_stop(struct pk_dev *dev, void *self)
{
	struct pk_vclient *vc = self;

	(void)dev;
	vc->running = false;
	vc_tcp_shutdown(vc);
	vc_udp_shutdown(vc);
	vc_drop_app_queue(vc);
	pk_batch_unref_all(&vc->out);
	pk_tcp_engine_free(vc->engine);
	vc->engine = NULL;
}

static void vc_finalize(struct pk_dev *dev, void *self)
{
	struct pk_vclient *vc = self;

	(void)dev;
	pk_timer_free(vc->flush_timer);
	vc->flush_timer = NULL;
}

static void vc_link_info(struct pk_dev *dev, void *self, uint32_t port,
			 const struct pk_link_info *info)
{
	struct pk_vclient *vc = self;
	char text[PK_PREFIX_STRLEN];
	GString *addrs = g_string_new(NULL);

	(void)port;
	if (info)
		vc->link = *info;
	else
		memset(&vc->link, 0, sizeof(vc->link));
	vc_rebuild_addrs(vc);
	for (uint32_t i = 0; i < vc->link.n_addresses; i++)
		g_string_append_printf(addrs, "%s%s", i ? " " : "",
				       pk_prefix_format(&vc->link.addresses[i], text));
	pk_dev_info(dev, "link: %s%s", addrs->len ? addrs->str : "no addresses",
		    vc->cfg.use_link_info ? "" : " (ignored: use-link-info is false)");
	g_string_free(addrs, TRUE);
}

static void vc_unlink(struct pk_dev *dev, void *self, uint32_t port)
{
	struct pk_vclient *vc = self;

	(void)dev;
	(void)port;
	memset(&vc->link, 0, sizeof(vc->link));
	vc_rebuild_addrs(vc);
}

static const struct pk_device_ops vc_ops = {
	.unlink = vc_unlink,
	.link_info = vc_link_info,
	.init = vc_init,
	.start = vc_start,
	.stop = vc_stop,
	.finalize = vc_finalize,
	.reconfigure = vc_reconfigure,
	.receive = vc_receive,
};

#define VC_DOC                                                                                 \
	"A host of its own in user space, for tests, tools and applications embedding "        \
	"libpktkit: it owns 'addresses' (and, with 'use-link-info', the addresses an "         \
	"l3.adapter in front of it publishes, its DHCP lease included), answers ICMP and "     \
	"ICMPv6 echo requests, and gives programs TCP and UDP sockets through the "            \
	"libpktkit-vclient C API (GIOStream objects for TCP, datagram sockets, a GResolver "   \
	"for DNS), driven by the GLib main loop. Put an l3.adapter in front of it to attach "  \
	"it to an Ethernet segment, or link it to a router or a TUN device directly.\n\n"      \
	"TCP uses the libpktkit engine: window scaling, timestamps and SACK offered, SYN "     \
	"cookies beyond 'tcp-max-half-open' half-open connections per listener, "              \
	"'tcp-time-wait' of TIME-WAIT. The MSS offered is 'mtu' minus the IP and TCP "         \
	"headers. Segments to closed ports are answered with RST, datagrams to closed UDP "    \
	"ports with ICMP port unreachable, other protocols with ICMP protocol unreachable "    \
	"(IPv6: parameter problem; a packet with No Next Header is only counted, RFC 8200), "  \
	"at most 'icmp-error-rate' per second ('reject-closed' false: silently dropped). "     \
	"ICMP errors about our packets are matched to the connection or socket: port "         \
	"unreachable refuses a connection attempt or a connected UDP socket.\n\n"              \
	"Packets to addresses that are not ours, IP fragments (no reassembly) and packets "    \
	"with bad checksums are dropped and counted. The vclient never fragments: a datagram " \
	"larger than 'mtu' is refused to the application.\n\n"                                 \
	"The port accepts segmentation offload: TCP super-packets (up to 64 KB, as a TUN "     \
	"with 'offload' reads them) go to the TCP engine as one segment, and packets whose "   \
	"checksum is marked partial (never computed) or verified are not checked again. With " \
	"'tso' its own connections send super-packets too."

static const struct pk_device_type pk_vclient_device_type = {
	.name = PK_VCLIENT_TYPE_NAME,
	.summary = "User-space host with TCP/UDP sockets for applications (GIO streams, DNS)",
	.doc = VC_DOC,
	PK_ARRAY(ports, vc_ports),
	PK_ARRAY(params, vc_params),
	PK_ARRAY(counters, vc_counters),
	.config_size = sizeof(struct vc_config),
	.instance_size = sizeof(struct pk_vclient),
	.ops = &vc_ops,
};

/* Public ------------------------------------------------------------------ */

static const struct pk_device_type *const vclient_types[] = { &pk_vclient_device_type, NULL };

static const struct pk_module_info vclient_module_info = {
	.abi_major = PK_ABI_MAJOR,
	.abi_minor = PK_TARGET_ABI_MINOR,
	.name = "vclient",
	.version = PK_VERSION_STRING,
	.license = "MIT",
	.description = "Virtual client: a user-space host with TCP/UDP sockets and DNS",
	.origin = "https://pktkit.invalid",
	.types = vclient_types,
};

const struct pk_module_info *pk_vclient_module_info(void)
{
	return &vclient_module_info;
}

bool pk_vclient_register(struct pk_registry *reg, GError **error)
{
	const struct pk_registry_type *t = pk_registry_lookup(reg, PK_VCLIENT_TYPE_NAME);

	if (t && t->type->ops == &vc_ops)
		return true;
	if (t) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    "type %s is already provided by another module", PK_VCLIENT_TYPE_NAME);
		return false;
	}
	return pk_registry_add_module(reg, &vclient_module_info, "libpktkit-vclient", error);
}

struct pk_vclient *pk_vclient_from_dev(struct pk_dev *dev)
{
	if (!dev || pk_dev_type(dev)->ops != &vc_ops)
		return NULL;
	return pk_dev_instance(dev);
}

struct pk_vclient *pk_vclient_lookup(struct pk_graph *g, const char *id)
{
	return pk_vclient_from_dev(pk_graph_lookup(g, id));
}

bool pk_vclient_is_running(const struct pk_vclient *vc)
{
	return vc->running;
}

const struct pk_tcp_stats *pk_vclient_tcp_stats(const struct pk_vclient *vc)
{
	static const struct pk_tcp_stats none;

	return vc->engine ? pk_tcp_engine_stats(vc->engine) : &none;
}

guint pk_vclient_tcp_connections(const struct pk_vclient *vc)
{
	return vc->conns ? g_hash_table_size(vc->conns) : 0;
}

char **pk_vclient_dup_addresses(const struct pk_vclient *vc)
{
	GPtrArray *out = g_ptr_array_new();
	char text[PK_PREFIX_STRLEN];
	struct pk_prefix p;

	for (uint32_t i = 0; i < vc->n_addr4; i++) {
		memset(&p, 0, sizeof(p));
		p.family = 4;
		p.len = 32;
		memcpy(p.addr, vc->addr4[i].b, 4);
		g_ptr_array_add(out, g_strdup(pk_prefix_format(&p, text)));
	}
	for (uint32_t i = 0; i < vc->n_addr6; i++) {
		memset(&p, 0, sizeof(p));
		p.family = 6;
		p.len = 128;
		memcpy(p.addr, vc->addr6[i].b, 16);
		g_ptr_array_add(out, g_strdup(pk_prefix_format(&p, text)));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

char **pk_vclient_dup_dns_servers(const struct pk_vclient *vc)
{
	GPtrArray *out = g_ptr_array_new();

	for (uint32_t i = 0; vc->cfg.use_link_info && i < vc->link.n_dns; i++) {
		const struct pk_prefix *d = &vc->link.dns[i];
		GInetAddress *ia = g_inet_address_new_from_bytes(
			d->addr, d->family == 6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);

		g_ptr_array_add(out, g_inet_address_to_string(ia));
		g_object_unref(ia);
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}
