/* SPDX-License-Identifier: MIT
 * fuzz-dhcp.c - libFuzzer target: the DHCP codec (message and frame parsers) and the server core
 *
 * The input is parsed as a bare DHCP message and every option, accessor and
 * region is read in full (ASan catches reads outside the input); it is then
 * wrapped in Ethernet/IPv4/UDP with valid checksums and fed to the dhcp
 * module's sans-I/O server core, whose table must stay consistent. A message
 * that parses is rebuilt with the builder and must parse again. Seeds:
 * tests/fuzz/corpus/dhcp/.
 */
#include <stdlib.h>
#include <string.h>

#include <pktkit/dhcp.h>

#include "dhcp-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)			\
	do {					\
		if (!(cond))			\
			__builtin_trap();	\
	} while (0)

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
