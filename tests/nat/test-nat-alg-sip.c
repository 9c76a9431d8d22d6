/* SPDX-License-Identifier: MIT
 * test-nat-alg-sip.c - The SIP ALG against a fake core: Via/Contact, SDP media, Content-Length
 */
#include <netinet/in.h>
#include <string.h>
#include <glib.h>

#include "nat-alg.h"
#include "test-nat-alg-core.h"

/* An inside UA 10.0.0.2:5060 mapped to 203.0.113.7:40000, its proxy 198.51.100.9:5060. */
static void ctx_init(struct nat_alg_ctx *ctx, struct fake_core *core, uint8_t proto)
{
	memset(core, 0, sizeof(*core));
	core->outside_addr = fake_ip("203.0.113.7");
	*ctx = (struct nat_alg_ctx){
		.ops = &fake_ops,
		.core = core,
		.proto = proto,
		.dir = NAT_DIR_OUT,
		.inside = { fake_ip("10.0.0.2"), 5060 },
		.outside = { fake_ip("203.0.113.7"), 40000 },
		.remote = { fake_ip("198.51.100.9"), 5060 },
	};
}

/* A message: headers (CRLF after each), Content-Length of @body, the body. */
static char *sip_msg(const char *headers, const char *body)
{
	return g_strdup_printf("%sContent-Length: %zu\r\n\r\n%s", headers, strlen(body), body);
}

static enum nat_alg_verdict run(struct nat_alg_ctx *ctx, const char *in, GByteArray *out)
{
	return fake_run(&nat_alg_sip, ctx, in, strlen(in), strlen(in) + NAT_ALG_GROW_MAX, out);
}

static void expect_out(GByteArray *out, const char *want)
{
	g_assert_cmpmem(out->data, out->len, want, strlen(want));
}

static const char invite_hdr[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK776asdhds\r\n"
				 "Max-Forwards: 70\r\n"
				 "From: <sip:alice@example.com>;tag=1928301774\r\n"
				 "To: <sip:bob@example.com>\r\n"
				 "Call-ID: a84b4c76e66710@10.0.0.2\r\n"
				 "CSeq: 314159 INVITE\r\n"
				 "Contact: <sip:alice@10.0.0.2>\r\n"
				 "Content-Type: application/sdp\r\n";
static const char invite_hdr_out[] =
	"INVITE sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bK776asdhds\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:alice@example.com>;tag=1928301774\r\n"
	"To: <sip:bob@example.com>\r\n"
	"Call-ID: a84b4c76e66710@10.0.0.2\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@203.0.113.7:40000>\r\n"
	"Content-Type: application/sdp\r\n";
static const char sdp[] = "v=0\r\n"
			  "o=alice 2890844526 2890844526 IN IP4 10.0.0.2\r\n"
			  "s=-\r\n"
			  "c=IN IP4 10.0.0.2\r\n"
			  "t=0 0\r\n"
			  "m=audio 49170 RTP/AVP 0\r\n"
			  "m=video 0 RTP/AVP 31\r\n";

static void test_invite(void)
{
	const char sdp_out[] = "v=0\r\n"
			       "o=alice 2890844526 2890844526 IN IP4 203.0.113.7\r\n"
			       "s=-\r\n"
			       "c=IN IP4 203.0.113.7\r\n"
			       "t=0 0\r\n"
			       "m=audio 49180 RTP/AVP 0\r\n"
			       "m=video 0 RTP/AVP 31\r\n";
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	for (int tcp = 0; tcp < 2; tcp++) {
		g_autofree char *in = sip_msg(invite_hdr, sdp);
		g_autofree char *want = sip_msg(invite_hdr_out, sdp_out);

		ctx_init(&ctx, &core, tcp ? IPPROTO_TCP : IPPROTO_UDP);
		core.port_offset = 10;
		g_assert_cmpint(run(&ctx, in, out), ==, NAT_ALG_REWRITTEN);
		expect_out(out, want);
		/* RTP and RTCP of the audio stream; the disabled video stream nothing. */
		g_assert_cmpuint(core.n_map, ==, 2);
		g_assert_cmpuint(core.map[0].proto, ==, IPPROTO_UDP);
		g_assert_cmpuint(core.map[0].inside.port, ==, 49170);
		g_assert_cmpuint(core.map[1].inside.port, ==, 49171);
		g_assert_cmpuint(core.map[1].want_port, ==, 49181);
		g_assert_true(core.map[1].exact);
		g_assert_cmpuint(core.n_expect, ==, 2);
		g_assert_cmpuint(core.expect[0].outside.port, ==, 49180);
		g_assert_cmpuint(core.expect[0].inside.port, ==, 49170);
		g_assert_cmpuint(core.expect[0].timeout_s, ==, 120);
		g_assert_cmpuint(core.expect[1].outside.port, ==, 49181);
		g_assert_cmpuint(core.expect[1].inside.port, ==, 49171);
	}
	g_byte_array_free(out, TRUE);
}

static void test_compact_and_ports(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core, IPPROTO_UDP);
	/* Compact forms; a Contact on another port (not this flow's) is left;
	 * without Content-Length over UDP the body runs to the end. */
	g_assert_cmpint(run(&ctx,
			    "REGISTER sip:example.com SIP/2.0\r\n"
			    "v: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1\r\n"
			    "m: <sip:alice@10.0.0.2:5062>\r\n"
			    "m: <sip:alice@10.0.0.22:5060>\r\n"
			    "\r\n",
			    out),
			==, NAT_ALG_REWRITTEN);
	expect_out(out, "REGISTER sip:example.com SIP/2.0\r\n"
			"v: SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bK1\r\n"
			"m: <sip:alice@10.0.0.2:5062>\r\n"
			"m: <sip:alice@10.0.0.22:5060>\r\n"
			"\r\n");
	/* Nothing of ours in it. */
	g_assert_cmpint(
		run(&ctx, "OPTIONS sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP host\r\n\r\n", out),
		==, NAT_ALG_PASS);
	g_assert_cmpint(run(&ctx, "\r\n\r\n", out), ==, NAT_ALG_PASS);
	g_assert_cmpuint(core.n_map, ==, 0);
	g_byte_array_free(out, TRUE);
}

static void test_inbound(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();

	ctx_init(&ctx, &core, IPPROTO_UDP);
	ctx.dir = NAT_DIR_IN;
	g_assert_cmpint(
		run(&ctx,
		    "SIP/2.0 200 OK\r\n"
		    "Via: SIP/2.0/UDP 203.0.113.7:40000;branch=z9hG4bK1;received=203.0.113.7\r\n"
		    "Content-Length: 0\r\n\r\n",
		    out),
		==, NAT_ALG_REWRITTEN);
	/* received= names the outside address without a port: 5060 is not 40000, kept. */
	expect_out(out, "SIP/2.0 200 OK\r\n"
			"Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1;received=203.0.113.7\r\n"
			"Content-Length: 0\r\n\r\n");
	g_assert_cmpint(run(&ctx,
			    "BYE sip:alice@203.0.113.7:40000 SIP/2.0\r\n"
			    "Via: SIP/2.0/UDP 198.51.100.9\r\n"
			    "Contact: <sip:x@203.0.113.7:40000>\r\n"
			    "Content-Length: 0\r\n\r\n",
			    out),
			==, NAT_ALG_REWRITTEN);
	expect_out(out, "BYE sip:alice@10.0.0.2:5060 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.9\r\n"
			"Contact: <sip:x@203.0.113.7:40000>\r\n"
			"Content-Length: 0\r\n\r\n");
	g_assert_cmpuint(core.n_map, ==, 0);
	g_byte_array_free(out, TRUE);
}

static void test_malformed_refused(void)
{
	struct fake_core core;
	struct nat_alg_ctx ctx;
	GByteArray *out = g_byte_array_new();
	g_autofree char *good = sip_msg(invite_hdr, sdp);
	g_autofree char *two = g_strconcat(good, good, NULL);
	g_autofree char *cut = g_strndup(good, strlen(good) - 3);
	g_autofree char *badc = sip_msg(invite_hdr, "v=0\r\nc=IN IP4 media.example\r\n");
	g_autofree char *badm = sip_msg(invite_hdr,
					"v=0\r\nc=IN IP4 10.0.0.2\r\nm=audio x RTP\r\n");

	ctx_init(&ctx, &core, IPPROTO_TCP);
	g_assert_cmpint(run(&ctx, cut, out), ==, NAT_ALG_MALFORMED); /* cut by the segment */
	g_assert_cmpint(run(&ctx, two, out), ==, NAT_ALG_MALFORMED);
	g_assert_cmpint(
		run(&ctx, "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.2\r\n\r\n", out), ==,
		NAT_ALG_MALFORMED); /* TCP needs Content-Length */
	g_assert_cmpint(run(&ctx, "INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.2\r\n", out),
			==, NAT_ALG_MALFORMED);
	g_assert_cmpint(run(&ctx, "HELLO\r\n\r\n", out), ==, NAT_ALG_MALFORMED);
	g_assert_cmpint(run(&ctx, "SIP/2.0 200 OK\r\nContent-Length: x\r\n\r\n", out), ==,
			NAT_ALG_MALFORMED);
	g_assert_cmpint(run(&ctx, "SIP/2.0 200 OK\r\nl: 0\r\nl: 0\r\n\r\n", out), ==,
			NAT_ALG_MALFORMED);
	g_assert_cmpint(run(&ctx, badc, out), ==, NAT_ALG_MALFORMED);
	g_assert_cmpint(run(&ctx, badm, out), ==, NAT_ALG_MALFORMED);
	g_assert_cmpuint(core.n_map + core.n_expect, ==, 0);
	/* No room; the core refusing the media. */
	g_assert_cmpint(fake_run(&nat_alg_sip, &ctx, good, strlen(good), strlen(good) + 8, out), ==,
			NAT_ALG_REFUSED);
	core.fail_map = true;
	g_assert_cmpint(run(&ctx, good, out), ==, NAT_ALG_REFUSED);
	g_byte_array_free(out, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat/alg/sip/invite", test_invite);
	g_test_add_func("/nat/alg/sip/compact-and-ports", test_compact_and_ports);
	g_test_add_func("/nat/alg/sip/inbound", test_inbound);
	g_test_add_func("/nat/alg/sip/malformed-refused", test_malformed_refused);
	return g_test_run();
}
