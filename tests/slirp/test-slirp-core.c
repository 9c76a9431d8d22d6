/* SPDX-License-Identifier: MIT
 * test-slirp-core.c - l3.slirp's input checks, policy parsing and refusals, through a pipe
 */
#include <string.h>

#include "slirp-test.h"

static bool addr_is(const uint8_t *a, const char *text)
{
	uint8_t want[16];
	bool v6;

	slirp_test_addr(text, want, &v6);
	return memcmp(a, want, v6 ? 16 : 4) == 0;
}

/* A protocol the slirp does not carry: IPv4 protocol unreachable, IPv6
 * Parameter Problem pointing at the Next Header field; both from the
 * address the guest sent to. */
static void test_unknown_proto(void)
{
	static const uint8_t junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;

	slirp_test_setup(&t, NULL);
	slirp_test_send(&t, SLIRP_TEST_GUEST4, "192.0.2.7", 253, junk, sizeof(junk));
	b = slirp_test_wait(&t, 1000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.proto, ==, PK_IPPROTO_ICMP);
	g_assert_true(addr_is(r.src, "192.0.2.7"));
	g_assert_true(addr_is(r.dst, SLIRP_TEST_GUEST4));
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP_DEST_UNREACH);
	g_assert_cmpuint(r.l4[1], ==, 2);
	pk_buf_unref(b);

	slirp_test_send(&t, SLIRP_TEST_GUEST6, "2001:db8::7", 253, junk, sizeof(junk));
	b = slirp_test_wait(&t, 1000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.proto, ==, PK_IPPROTO_ICMPV6);
	g_assert_cmpuint(r.l4[0], ==, PK_ICMP6_PARAM_PROBLEM);
	g_assert_cmpuint(r.l4[1], ==, 1);
	g_assert_cmpuint(pk_get_be32(r.l4 + 4), ==, 6);
	pk_buf_unref(b);
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-proto"), ==, 2);
	slirp_test_teardown(&t);
}

/* Broadcast, multicast, the host's own loopback and link-local addresses are
 * never a flow's destination: dropped and counted, nothing answered. */
static void test_not_unicast(void)
{
	static const char *const dsts[] = { "255.255.255.255", "224.0.0.251",	  "127.0.0.1",
					    "0.1.2.3",	       "ff02::1",	  "::1",
					    "fe80::1",	       "::ffff:127.0.0.1" };
	struct slirp_test t;

	slirp_test_setup(&t, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(dsts); i++)
		slirp_test_send_udp(&t,
				    strchr(dsts[i], ':') ? SLIRP_TEST_GUEST6 : SLIRP_TEST_GUEST4,
				    5000, dsts[i], 9, "x", 1);
	g_assert_null(slirp_test_wait(&t, 200));
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-not-unicast"), ==, G_N_ELEMENTS(dsts));
	slirp_test_teardown(&t);
}

/* Malformed input is counted, never answered. */
static void test_bad_input(void)
{
	static const uint8_t short4[] = { 0x45, 0, 0, 40, 0, 0 };
	uint8_t frag[28] = { 0x45, 0, 0, 28, 0, 1, 0x20, 0, 64, PK_IPPROTO_UDP };
	struct slirp_test t;
	uint8_t a[16];
	bool v6;

	slirp_test_setup(&t, NULL);
	g_assert_true(pk_pipe_inject(t.pipe, short4, sizeof(short4)));
	slirp_test_addr(SLIRP_TEST_GUEST4, a, &v6);
	memcpy(frag + 12, a, 4);
	slirp_test_addr("192.0.2.9", a, &v6);
	memcpy(frag + 16, a, 4);
	pk_put_be16(frag + 10, pk_csum(frag, 20));
	g_assert_true(pk_pipe_inject(t.pipe, frag, sizeof(frag))); /* MF set: a fragment */
	frag[8] = 63; /* now the header checksum is wrong */
	g_assert_true(pk_pipe_inject(t.pipe, frag, sizeof(frag)));
	g_assert_null(slirp_test_wait(&t, 100));
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-bad-ip"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-fragment"), ==, 1);
	g_assert_cmpuint(slirp_test_counter(&t, "dropped-checksum"), ==, 1);
	slirp_test_teardown(&t);
}

/* Bad allow/deny lists are refused at creation with a message naming them. */
static void test_policy_errors(void)
{
	static const char *const bad[] = {
		"{\"deny\": [{\"prefix\": \"10.0.0.0/8\", \"ports\": \"80-\"}]}",
		"{\"allow\": [{\"prefix\": \"10.0.0.0/8\", \"ports\": \"0\"}]}",
		"{\"allow\": [{\"prefix\": \"10.0.0.0/8\", \"ports\": \"90-80\"}]}",
		"{\"deny\": [{\"prefix\": \"::/0\", \"ports\": \"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\"}]}",
	};
	struct pk_registry *reg = pk_registry_new();
	struct pk_graph *g;

	pk_registry_scan_default(reg);
	g = pk_graph_new(reg, NULL, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(JsonNode) n = json_from_string(bad[i], NULL);
		g_autofree char *id = g_strdup_printf("s%zu", i);

		g_assert_null(
			pk_graph_add_device(g, id, "l3.slirp", json_node_get_object(n), &error));
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, "ports"));
	}
	pk_graph_free(g);
	pk_registry_free(reg);
}

/* A TCP segment to a host port nothing listens on is refused with a RST
 * from the address the guest talked to. */
static void test_tcp_closed(void)
{
	struct slirp_test t;
	struct slirp_test_pkt r;
	struct pk_buf *b;

	slirp_test_setup(&t, NULL);
	/* port 1 on the host's loopback: nobody listens there */
	slirp_test_send_tcp(&t, SLIRP_TEST_GUEST4, 40000, SLIRP_TEST_HOST4, 1, 1000, 0, PK_TCP_SYN,
			    65535, NULL, 0, NULL, 0);
	b = slirp_test_wait(&t, 3000);
	g_assert_nonnull(b);
	slirp_test_parse(b, &r);
	g_assert_cmpuint(r.proto, ==, PK_IPPROTO_TCP);
	g_assert_true(addr_is(r.src, SLIRP_TEST_HOST4));
	g_assert_cmpuint(pk_get_be16(r.l4), ==, 1);
	g_assert_cmpuint(pk_get_be16(r.l4 + 2), ==, 40000);
	g_assert_cmpuint(r.l4[13] & (PK_TCP_RST | PK_TCP_ACK), ==, PK_TCP_RST | PK_TCP_ACK);
	g_assert_cmpuint(pk_get_be32(r.l4 + 8), ==, 1001);
	pk_buf_unref(b);
	slirp_test_teardown(&t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slirp/unknown-proto", test_unknown_proto);
	g_test_add_func("/slirp/not-unicast", test_not_unicast);
	g_test_add_func("/slirp/bad-input", test_bad_input);
	g_test_add_func("/slirp/policy-errors", test_policy_errors);
	g_test_add_func("/slirp/tcp-closed", test_tcp_closed);
	return g_test_run();
}
