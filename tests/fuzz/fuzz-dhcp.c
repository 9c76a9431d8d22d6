/* SPDX-License-Identifier: MIT
 * fuzz-dhcp.c - libFuzzer target: the DHCP codec (message and frame parsers) and the server core
 *
 * The input is parsed as a bare DHCP message and every option, accessor and
 * region is read in full (ASan catches reads outside the input); it is then
 * wrapped in Ethernet/IPv4/UDP with valid checksums and fed to the dhcp
 * module's sans-I/O server core, whose table must stay consistent. A message
 * that parses is rebuilt with the builder and must parse again. The input
 * is also a frame for the server's host answers (host-reply.c: ARP for its
 * address, ICMP echo), with an output buffer of ample and of fuzzed size:
 * a reply must be well formed and fit. Seeds: tests/fuzz/corpus/dhcp/.
 */
#include <stdlib.h>
#include <string.h>

#include <pktkit/toolkit/dhcp.h>

#include "dhcp-server.h"
#include "host-reply.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t sink;

static void touch(const uint8_t *p, uint32_t len)
{
	uint32_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s += p[i];
	sink += s;
}

static void exercise(const struct pk_dhcp_msg *m)
{
	struct pk_dhcp_opt_iter it;
	struct pk_dhcp_route rt[8];
	struct pk_ip4 a[8];
	uint8_t scratch[PK_DHCP_MAX_LEN], code, olen;
	const uint8_t *d;
	uint32_t u, len;
	uint16_t s;
	char str[300];

	pk_dhcp_opt_iter_init(&it, m);
	while (pk_dhcp_opt_next(&it, &code, &d, &olen)) {
		FUZZ_CHECK(d >= m->raw && d + olen <= m->raw + m->len);
		touch(d, olen);
		d = pk_dhcp_opt_data(m, code, scratch, sizeof(scratch), &len);
		FUZZ_CHECK(d != NULL && len <= m->len);
		touch(d, len);
	}
	sink += pk_dhcp_get_ip4(m, PK_DHCP_OPT_REQUESTED_IP, a);
	sink += pk_dhcp_get_u32(m, PK_DHCP_OPT_LEASE_TIME, &u);
	sink += pk_dhcp_get_u16(m, PK_DHCP_OPT_MTU, &s);
	sink += pk_dhcp_get_ip4_list(m, PK_DHCP_OPT_DNS, a, 8);
	sink += (uint32_t)pk_dhcp_get_str(m, PK_DHCP_OPT_HOSTNAME, str, sizeof(str));
	sink += (uint32_t)pk_dhcp_get_str(m, PK_DHCP_OPT_DOMAIN, str, 8);
	sink += (uint32_t)pk_dhcp_get_routes(m, rt, 8);
	sink += pk_dhcp_param_requested(m, 121);
	if (m->sname)
		touch(m->sname, PK_DHCP_SNAME_LEN);
	if (m->file)
		touch(m->file, PK_DHCP_FILE_LEN);
	touch(m->chaddr, 16);
}

/* Rebuild: header and every option instance through the builder; must parse. */
static void rebuild(const struct pk_dhcp_msg *m)
{
	static uint8_t out[PK_DHCP_MAX_LEN + 512];
	struct pk_dhcp_header h = { .op = m->op, .htype = m->htype, .hlen = m->hlen,
				    .xid = m->xid, .flags = m->flags };
	struct pk_dhcp_builder b;
	struct pk_dhcp_opt_iter it;
	struct pk_dhcp_msg back;
	const uint8_t *d;
	uint8_t code, olen;
	uint32_t len;

	memcpy(h.chaddr, m->chaddr, 16);
	pk_dhcp_build_init(&b, out, sizeof(out), &h);
	pk_dhcp_opt_iter_init(&it, m);
	while (pk_dhcp_opt_next(&it, &code, &d, &olen))
		if (code != PK_DHCP_OPT_OVERLOAD)
			pk_dhcp_put_opt(&b, code, d, olen);
	len = pk_dhcp_build_finish(&b);
	if (len && len <= PK_DHCP_MAX_LEN)
		FUZZ_CHECK(pk_dhcp_parse(out, len, &back) == PK_DHCP_OK);
}

/* ARP and echo answers of the server's address, into @cap bytes (ASan checks the writes). */
static void host_answers(const uint8_t *data, uint32_t size, uint32_t cap)
{
	static const struct pk_mac mac = { { 0x02, 0, 0, 0, 0, 0x01 } };
	static const struct pk_ip4 ip = { { 192, 168, 0, 1 } };
	uint8_t *out = malloc(cap ? cap : 1);
	struct pk_eth_view e;
	uint32_t len = 1;
	enum host_reply_kind k = host_reply(data, size, &mac, &ip, out, cap, &len);

	FUZZ_CHECK(len <= cap && (len > 0) == (k == HOST_REPLY_ARP || k == HOST_REPLY_ECHO));
	if (len) {
		FUZZ_CHECK(pk_eth_parse(out, len, &e) && !e.tagged);
		FUZZ_CHECK(memcmp(e.src, mac.b, 6) == 0 && !(e.dst[0] & 1));
	}
	if (k == HOST_REPLY_ARP) {
		struct pk_arp_view a, req;
		struct pk_eth_view in;

		FUZZ_CHECK(pk_eth_parse(data, size, &in) &&
			   pk_arp_parse(data + in.l3_off, in.l3_len, &req));
		FUZZ_CHECK(len == 60 && pk_arp_parse(out + e.l3_off, e.l3_len, &a));
		FUZZ_CHECK(a.op == PK_ARP_OP_REPLY && memcmp(a.spa, ip.b, 4) == 0 &&
			   memcmp(a.sha, mac.b, 6) == 0 && memcmp(a.tha, req.sha, 6) == 0 &&
			   memcmp(a.tpa, req.spa, 4) == 0 && memcmp(e.dst, req.sha, 6) == 0);
	} else if (k == HOST_REPLY_ECHO) {
		struct pk_ip4_view v, req;
		struct pk_icmp_view ic;
		struct pk_eth_view in;

		FUZZ_CHECK(pk_eth_parse(data, size, &in) &&
			   pk_ip4_parse(data + in.l3_off, in.l3_len, &req));
		FUZZ_CHECK(pk_ip4_parse(out + e.l3_off, e.l3_len, &v) && pk_ip4_csum_ok(&v));
		FUZZ_CHECK(v.proto == PK_IPPROTO_ICMP && memcmp(v.src, ip.b, 4) == 0 &&
			   memcmp(v.dst, req.src, 4) == 0 && v.total_len == e.l3_len);
		FUZZ_CHECK(pk_icmp_parse(v.payload, v.payload_len, &ic) &&
			   ic.type == PK_ICMP_ECHO_REPLY && pk_csum_ok(v.payload, v.payload_len, 0));
		FUZZ_CHECK(v.payload_len == req.payload_len &&
			   memcmp(v.payload + 4, req.payload + 4, v.payload_len - 4) == 0);
	}
	free(out);
}

static struct dhcp_server_conf conf;
static struct dhcp_server server;
static struct dhcp_static statics[1];
static uint64_t now;

static void server_setup(void)
{
	if (conf.server_ip)
		return;
	conf.mac.b[0] = 0x02;
	conf.mac.b[5] = 0x01;
	conf.server_ip = 0xc0a80001;
	conf.net = 0xc0a80000;
	conf.mask = 0xffffff00;
	conf.range_start = 0xc0a80001;
	conf.range_end = 0xc0a80010;
	conf.router = conf.server_ip;
	conf.broadcast = 0xc0a800ff;
	conf.lease_s = 60;
	conf.t1_s = 30;
	conf.t2_s = 50;
	conf.authoritative = true;
	statics[0].mac.b[0] = 0x52;
	statics[0].mac.b[5] = 0x09;
	statics[0].ip = 0xc0a80005;
	conf.statics = statics;
	conf.n_statics = 1;
	dhcp_server_init(&server, &conf, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[PK_DHCP_FRAME_HLEN + 70000], out_buf[DHCP_OUTPUT_SIZE];
	struct pk_dhcp_addrs a = { .src_port = 68, .dst_port = 67 };
	struct dhcp_output out = { out_buf, 0 };
	struct pk_dhcp_frame f;
	struct pk_dhcp_msg m;
	uint32_t flen;

	if (pk_dhcp_parse(data, (uint32_t)size, &m) == PK_DHCP_OK) {
		exercise(&m);
		rebuild(&m);
	}
	/* The same bytes as a raw frame. */
	if (pk_dhcp_frame_parse(data, (uint32_t)size, &f) == PK_DHCP_OK)
		exercise(&f.msg);

	if (size <= 65535) {
		host_answers(data, (uint32_t)size, (uint32_t)size + 64);
		host_answers(data, (uint32_t)size, size ? data[size - 1] : 0);
	}

	/* Through the server core, framed with valid checksums. */
	server_setup();
	memset(a.dst_mac.b, 0xff, 6);
	memset(a.dst_ip.b, 0xff, 4);
	if (size >= 34)
		memcpy(a.src_mac.b, data + 28, 6);
	a.src_mac.b[0] &= 0xfe;
	flen = pk_dhcp_frame_build(frame, sizeof(frame), &a, data, (uint32_t)MIN(size, 65000u));
	if (flen) {
		dhcp_server_input(&server, frame, flen, now, &out);
		if (out.len)
			FUZZ_CHECK(pk_dhcp_frame_parse(out_buf, out.len, &f) == PK_DHCP_OK &&
				   f.msg.op == PK_DHCP_OP_REPLY);
	}
	dhcp_server_input(&server, data, (uint32_t)size, now, &out);
	now += (size & 0xff) * PK_NSEC_PER_SEC;
	dhcp_server_expire(&server, now);
	FUZZ_CHECK(server.leases.n + server.leases.n_free == server.leases.max);
	return 0;
}
