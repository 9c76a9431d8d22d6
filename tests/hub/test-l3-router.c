// SPDX-License-Identifier: MIT
/* test-l3-router.c - Tests of the l3.router device type through a graph of pipes */
#include <string.h>

#include "hub-test-util.h"
#include "offload-test.h"

#define ROUTES4                                                        \
	"{\"routes\": ["                                               \
	"{\"prefix\": \"10.0.0.0/8\", \"port\": 1},"                  \
	"{\"prefix\": \"10.1.2.0/24\", \"port\": 3},"                 \
	"{\"prefix\": \"10.1.0.0/16\", \"port\": 2},"                 \
	"{\"prefix\": \"192.168.0.0/16\", \"port\": 0},"              \
	"{\"prefix\": \"fd00::/8\", \"port\": 1},"                    \
	"{\"prefix\": \"fd00:1::/64\", \"port\": 2},"                 \
	"{\"prefix\": \"fd00:1::5/128\", \"port\": 3}"                \
	"]%s}"

static struct pk_graph *router_setup(const char *extra, unsigned int n, struct pk_dev **pipes)
{
	struct pk_graph *g = hub_test_graph();
	g_autofree char *params = g_strdup_printf(ROUTES4, extra ? extra : "");
	GError *error = NULL;

	hub_test_device(g, "r", "l3.router", params);
	hub_test_pipes(g, "r", "core.pipe-l3", n, 64, pipes);
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	return g;
}

static uint64_t ctr(struct pk_graph *g, const char *name)
{
	return pk_dev_counter(pk_graph_lookup(g, "r"), name);
}

/* Send an IPv4 packet from pipe @in; return the index of the pipe that got it (-1: none). */
static int route4(struct pk_dev **p, unsigned int n, unsigned int in, const char *dst)
{
	uint8_t pkt[256];
	uint32_t len = hub_test_ip4(pkt, "192.168.1.1", dst, 64, 0, 30);
	int got = -1;

	g_assert_true(pk_pipe_inject(p[in], pkt, len));
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = hub_test_drain(p[i]);

		g_assert_cmpuint(k, <=, 1);
		if (k) {
			g_assert_cmpint(got, ==, -1);
			got = (int)i;
		}
	}
	return got;
}

static int route6(struct pk_dev **p, unsigned int n, unsigned int in, const char *dst)
{
	uint8_t pkt[256];
	uint32_t len = hub_test_ip6(pkt, "fd00:9::1", dst, 64, 30);
	int got = -1;

	g_assert_true(pk_pipe_inject(p[in], pkt, len));
	for (unsigned int i = 0; i < n; i++) {
		unsigned int k = hub_test_drain(p[i]);

		g_assert_cmpuint(k, <=, 1);
		if (k) {
			g_assert_cmpint(got, ==, -1);
			got = (int)i;
		}
	}
	return got;
}

static void test_lpm(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(NULL, 4, p);

	g_assert_cmpint(route4(p, 4, 0, "10.1.2.5"), ==, 3);
	g_assert_cmpint(route4(p, 4, 0, "10.1.9.9"), ==, 2);
	g_assert_cmpint(route4(p, 4, 0, "10.9.9.9"), ==, 1);
	g_assert_cmpint(route4(p, 4, 1, "192.168.7.7"), ==, 0);
	g_assert_cmpint(route4(p, 4, 0, "11.0.0.1"), ==, -1);
	g_assert_cmpuint(ctr(g, "dropped-no-route"), ==, 1);
	g_assert_cmpint(route6(p, 4, 0, "fd00:1::5"), ==, 3);
	g_assert_cmpint(route6(p, 4, 0, "fd00:1::6"), ==, 2);
	g_assert_cmpint(route6(p, 4, 0, "fd00:2::6"), ==, 1);
	g_assert_cmpint(route6(p, 4, 0, "2001:db8::1"), ==, -1);
	g_assert_cmpuint(ctr(g, "dropped-no-route"), ==, 2);
	g_assert_cmpuint(ctr(g, "forwarded"), ==, 7);
	pk_graph_free(g);
}

static void test_default_route(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(", \"default-port\": 2", 4, p);

	g_assert_cmpint(route4(p, 4, 0, "11.0.0.1"), ==, 2);
	g_assert_cmpint(route6(p, 4, 0, "2001:db8::1"), ==, 2);
	g_assert_cmpint(route4(p, 4, 0, "10.9.9.9"), ==, 1);
	/* Live: an explicit /0 route overrides default-port for its family. */
	g_assert_null(hub_test_set_config(
		g, "r", "{\"routes\": [{\"prefix\": \"0.0.0.0/0\", \"port\": 3}]}"));
	g_assert_cmpint(route4(p, 4, 0, "10.9.9.9"), ==, 3);
	g_assert_cmpint(route6(p, 4, 0, "fd00:1::5"), ==, 2);
	g_assert_null(hub_test_set_config(g, "r", "{\"default-port\": -1}"));
	g_assert_cmpint(route6(p, 4, 0, "fd00:1::5"), ==, -1);
	g_assert_cmpint(route4(p, 4, 0, "10.9.9.9"), ==, 3);
	pk_graph_free(g);
}

static void test_same_port(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(", \"default-port\": 0", 4, p);

	/* The default route leads back out of port 0. */
	g_assert_cmpint(route4(p, 4, 0, "8.8.8.8"), ==, -1);
	g_assert_cmpint(route4(p, 4, 1, "10.5.5.5"), ==, -1);
	g_assert_cmpuint(ctr(g, "dropped-same-port"), ==, 2);
	pk_graph_free(g);
}

/* Routes through unlinked ports are inactive: the next shorter match applies. */
static void test_inactive_routes(void)
{
	struct pk_dev *p[4], *p5;
	struct pk_graph *g = router_setup(NULL, 4, p);
	GError *error = NULL;

	g_assert_null(hub_test_set_config(
		g, "r",
		"{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"port\": 1},"
		"{\"prefix\": \"10.1.0.0/16\", \"port\": 5}]}"));
	g_assert_cmpint(route4(p, 4, 0, "10.1.1.1"), ==, 1);
	p5 = hub_test_device(g, "p5", "core.pipe-l3", NULL);
	hub_test_link(g, "p5", "r.port.5");
	{
		uint8_t pkt[256];
		uint32_t len = hub_test_ip4(pkt, "192.168.1.1", "10.1.1.1", 64, 0, 30);

		g_assert_true(pk_pipe_inject(p[0], pkt, len));
		g_assert_cmpuint(hub_test_drain(p5), ==, 1);
		g_assert_cmpuint(hub_test_drain(p[1]), ==, 0);
	}
	g_assert_true(pk_graph_unlink(g, "r.port.5", &error));
	g_assert_no_error(error);
	g_assert_cmpint(route4(p, 4, 0, "10.1.1.1"), ==, 1);
	g_assert_true(pk_graph_remove_device(g, "p1", &error));
	g_assert_cmpint(route4(p, 1, 0, "10.1.1.1"), ==, -1);
	g_assert_cmpuint(ctr(g, "dropped-no-route"), ==, 1);
	pk_graph_free(g);
}

/* Everything but TTL and checksum is unchanged; the checksum is right. */
static void check_ttl_decrement(struct pk_dev **p, const uint8_t *sent, uint32_t len,
				unsigned int out)
{
	struct pk_buf *b = hub_test_pop1(p[out]);
	const uint8_t *d = pk_buf_data(b);
	uint32_t hl = (sent[0] & 0xf) * 4u;

	g_assert_cmpuint(pk_buf_len(b), ==, len);
	g_assert_cmpuint(d[8], ==, sent[8] - 1);
	g_assert_cmpmem(d, 8, sent, 8);
	g_assert_cmpmem(d + 9, 1, sent + 9, 1);
	g_assert_cmpmem(d + 12, len - 12, sent + 12, len - 12);
	/* Recompute from scratch, independently of the router's arithmetic. */
	{
		uint8_t hdr[60];

		memcpy(hdr, d, hl);
		hdr[10] = hdr[11] = 0;
		g_assert_cmphex(hub_test_csum(hdr, hl), ==, (uint16_t)(d[10] << 8 | d[11]));
	}
	pk_buf_unref(b);
}

static void test_ttl(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(NULL, 4, p);
	static const uint8_t ttls[] = { 255, 64, 2, 128, 17 };
	GRand *rnd = g_rand_new_with_seed(7);
	uint8_t pkt[256];
	uint32_t len;

	for (guint i = 0; i < G_N_ELEMENTS(ttls); i++) {
		for (uint32_t opts = 0; opts <= 10; opts += 5) {
			len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", ttls[i], opts, 20 + i);
			g_assert_true(pk_pipe_inject(p[0], pkt, len));
			check_ttl_decrement(p, pkt, len, 3);
		}
	}
	/* Random header contents (id, tos, flags, addresses) with a valid checksum. */
	for (int i = 0; i < 500; i++) {
		uint16_t c;

		len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", 2 + g_rand_int_range(rnd, 0, 254),
				   0, 8);
		for (int k = 1; k < 8; k++)
			if (k != 2 && k != 3)
				pkt[k] = (uint8_t)g_rand_int(rnd);
		pkt[12] = (uint8_t)g_rand_int_range(rnd, 1, 126);	/* unicast source */
		pkt[13] = (uint8_t)g_rand_int(rnd);
		pkt[19] = (uint8_t)g_rand_int(rnd);
		pkt[10] = pkt[11] = 0;
		c = hub_test_csum(pkt, 20);
		pkt[10] = (uint8_t)(c >> 8);
		pkt[11] = (uint8_t)c;
		g_assert_true(pk_pipe_inject(p[0], pkt, len));
		check_ttl_decrement(p, pkt, len, 3);
	}
	/* Checksums at the edges of one's-complement arithmetic: choose the ID
	 * so that the checksum before forwarding has a given value. */
	{
		static const uint16_t edges[] = { 0xfeff, 0xff00, 0xffff, 0x0000, 0x0001, 0x00ff,
						  0x0100, 0xfffe };
		guint n_found = 0;

		for (guint e = 0; e < G_N_ELEMENTS(edges); e++) {
			bool found = false;

			len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", 77, 0, 8);
			for (uint32_t id = 0; id <= 0xffff && !found; id++) {
				uint16_t c;

				pkt[4] = (uint8_t)(id >> 8);
				pkt[5] = (uint8_t)id;
				pkt[10] = pkt[11] = 0;
				c = hub_test_csum(pkt, 20);
				found = c == edges[e];
				pkt[10] = (uint8_t)(c >> 8);
				pkt[11] = (uint8_t)c;
			}
			if (!found)
				continue;	/* 0xffff is never a computed checksum */
			n_found++;
			g_assert_true(pk_pipe_inject(p[0], pkt, len));
			check_ttl_decrement(p, pkt, len, 3);
		}
		g_assert_cmpuint(n_found, ==, G_N_ELEMENTS(edges) - 1);
	}

	/* Expiry. */
	len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", 1, 0, 20);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", 0, 0, 20);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	len = hub_test_ip6(pkt, "fd00:9::1", "fd00:1::5", 1, 20);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	g_assert_cmpuint(ctr(g, "dropped-ttl-expired"), ==, 3);
	g_assert_cmpuint(pk_pipe_pending(p[3]), ==, 0);

	/* A buffer someone else still holds is never written. */
	{
		struct pk_batch batch = { .n = 1 };
		uint8_t orig[256];

		len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", 30, 0, 20);
		memcpy(orig, pkt, len);
		batch.buf[0] = pk_buf_new_copy(pkt, len);
		pk_buf_ref(batch.buf[0]);
		g_assert_true(pk_pipe_inject_batch(p[0], &batch));
		check_ttl_decrement(p, orig, len, 3);
		hub_test_assert_bytes(batch.buf[0], orig, len);
		pk_buf_unref(batch.buf[0]);
		pk_buf_unref(batch.buf[0]);
	}

	/* IPv6 hop limit. */
	len = hub_test_ip6(pkt, "fd00:9::1", "fd00:1::5", 2, 20);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	{
		struct pk_buf *b = hub_test_pop1(p[3]);

		pkt[7] = 1;
		hub_test_assert_bytes(b, pkt, len);
		pk_buf_unref(b);
	}
	g_rand_free(rnd);
	pk_graph_free(g);
}

/* Link-layer padding after the IP packet is not forwarded. */
static void test_padding_trimmed(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(NULL, 4, p);
	uint8_t pkt[256] = { 0 };
	uint32_t len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.77", 9, 0, 6);
	struct pk_buf *b;

	g_assert_true(pk_pipe_inject(p[0], pkt, 60));	/* 26 bytes + padding */
	b = hub_test_pop1(p[3]);
	g_assert_cmpuint(pk_buf_len(b), ==, len);
	pk_buf_unref(b);
	len = hub_test_ip6(pkt, "fd00:9::1", "fd00:1::5", 9, 2);
	g_assert_true(pk_pipe_inject(p[0], pkt, 64));
	b = hub_test_pop1(p[3]);
	g_assert_cmpuint(pk_buf_len(b), ==, len);
	pk_buf_unref(b);
	pk_graph_free(g);
}

static void expect_flood(struct pk_dev **p, unsigned int n, unsigned int in,
			 const uint8_t *want, uint32_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		struct pk_buf *b;

		if (i == in) {
			g_assert_cmpuint(pk_pipe_pending(p[i]), ==, 0);
			continue;
		}
		b = hub_test_pop1(p[i]);
		hub_test_assert_bytes(b, want, len);
		pk_buf_unref(b);
	}
}

static void test_broadcast_multicast(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(NULL, 4, p);
	uint8_t pkt[256], want[256];
	uint32_t len;
	uint16_t c;

	/* Link-scoped: unchanged, TTL 1 included. */
	len = hub_test_ip4(pkt, "0.0.0.0", "255.255.255.255", 1, 0, 30);
	g_assert_true(pk_pipe_inject(p[1], pkt, len));
	expect_flood(p, 4, 1, pkt, len);
	len = hub_test_ip4(pkt, "192.168.1.1", "224.0.0.251", 255, 0, 30);
	g_assert_true(pk_pipe_inject(p[2], pkt, len));
	expect_flood(p, 4, 2, pkt, len);
	len = hub_test_ip6(pkt, "fe80::1", "ff02::fb", 255, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	expect_flood(p, 4, 0, pkt, len);
	len = hub_test_ip6(pkt, "::", "ff02::1:ff00:1", 255, 30);	/* DAD */
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	expect_flood(p, 4, 0, pkt, len);

	/* Wider scope: routed, TTL decremented. */
	len = hub_test_ip4(pkt, "192.168.1.1", "239.1.2.3", 8, 0, 30);
	memcpy(want, pkt, len);
	want[8] = 7;
	want[10] = want[11] = 0;
	c = hub_test_csum(want, 20);
	want[10] = (uint8_t)(c >> 8);
	want[11] = (uint8_t)c;
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	expect_flood(p, 4, 3, want, len);
	len = hub_test_ip6(pkt, "fd00:9::1", "ff05::1:3", 8, 30);
	memcpy(want, pkt, len);
	want[7] = 7;
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	expect_flood(p, 4, 3, want, len);
	g_assert_cmpuint(ctr(g, "flooded"), ==, 6);
	len = hub_test_ip4(pkt, "192.168.1.1", "239.1.2.3", 1, 0, 30);
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	g_assert_cmpuint(ctr(g, "dropped-ttl-expired"), ==, 1);

	/* Never forwarded. */
	len = hub_test_ip6(pkt, "fd00:9::1", "ff01::1", 8, 30);	/* interface-local */
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	len = hub_test_ip6(pkt, "fd00:9::1", "fe80::2", 8, 30);	/* link-local unicast */
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	len = hub_test_ip6(pkt, "fe80::1", "ff05::2", 8, 30);	/* link-local source */
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	g_assert_cmpuint(ctr(g, "dropped-scope"), ==, 3);
	len = hub_test_ip4(pkt, "224.1.1.1", "10.1.2.3", 8, 0, 30);
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	len = hub_test_ip4(pkt, "10.1.1.1", "127.0.0.1", 8, 0, 30);
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	len = hub_test_ip4(pkt, "0.0.0.0", "10.1.2.3", 8, 0, 30);	/* only on the link */
	g_assert_true(pk_pipe_inject(p[3], pkt, len));
	len = hub_test_ip6(pkt, "ff02::1", "fd00:1::5", 8, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	len = hub_test_ip6(pkt, "fd00:9::1", "::1", 8, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	len = hub_test_ip6(pkt, "::1", "ff02::1", 8, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	g_assert_cmpuint(ctr(g, "dropped-bad-address"), ==, 6);
	for (unsigned int i = 0; i < 4; i++)
		g_assert_cmpuint(pk_pipe_pending(p[i]), ==, 0);

	/* Strict mode. */
	g_assert_null(hub_test_set_config(g, "r", "{\"link-local\": \"drop\"}"));
	len = hub_test_ip4(pkt, "0.0.0.0", "255.255.255.255", 1, 0, 30);
	g_assert_true(pk_pipe_inject(p[1], pkt, len));
	len = hub_test_ip6(pkt, "fe80::1", "ff02::fb", 255, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	g_assert_cmpuint(ctr(g, "dropped-scope"), ==, 5);
	for (unsigned int i = 0; i < 4; i++)
		g_assert_cmpuint(pk_pipe_pending(p[i]), ==, 0);
	pk_graph_free(g);
}

static void test_invalid(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(NULL, 4, p);
	uint8_t pkt[256];
	uint32_t len;

	len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.3", 8, 0, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, 19));	/* short */
	g_assert_true(pk_pipe_inject(p[0], pkt, len - 1));	/* total length > packet */
	pkt[0] = 0x44;	/* IHL 4 */
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	pkt[0] = 0x55;	/* version 5 */
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	g_assert_true(pk_pipe_inject(p[0], pkt, 0));
	len = hub_test_ip6(pkt, "fd00:9::1", "fd00:1::5", 8, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len - 1));
	g_assert_true(pk_pipe_inject(p[0], pkt, 39));
	g_assert_cmpuint(ctr(g, "dropped-invalid"), ==, 7);
	len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.3", 8, 0, 30);
	pkt[11] ^= 1;
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	len = hub_test_ip4(pkt, "192.168.1.1", "10.1.2.3", 8, 3, 30);	/* with options */
	pkt[22] ^= 1;
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	g_assert_cmpuint(ctr(g, "dropped-bad-checksum"), ==, 2);
	for (unsigned int i = 0; i < 4; i++)
		g_assert_cmpuint(pk_pipe_pending(p[i]), ==, 0);
	pk_graph_free(g);
}

/* A batch to several ports: one emission per port, order kept per port. */
static void test_batch(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = router_setup(NULL, 4, p);
	struct pk_batch batch = { .n = 0 };
	static const char *const dsts[] = { "10.1.2.1", "10.1.3.1", "10.2.0.1" };
	uint8_t pkt[256];

	for (unsigned int i = 0; i < PK_BATCH_MAX; i++) {
		uint32_t len = hub_test_ip4(pkt, "192.168.1.1", dsts[i % 3], 64, 0, i);

		batch.buf[batch.n++] = pk_buf_new_copy(pkt, len);
	}
	g_assert_true(pk_pipe_inject_batch(p[0], &batch));
	g_assert_cmpuint(pk_pipe_pending(p[3]), ==, 22);
	g_assert_cmpuint(pk_pipe_pending(p[2]), ==, 21);
	g_assert_cmpuint(pk_pipe_pending(p[1]), ==, 21);
	for (unsigned int i = 0; i < 22; i++) {
		struct pk_buf *b = pk_pipe_pop(p[3]);

		g_assert_cmpuint(pk_buf_len(b), ==, 20 + i * 3);	/* in order */
		pk_buf_unref(b);
	}
	for (unsigned int i = 0; i < 4; i++)
		hub_test_drain(p[i]);
	pk_batch_unref_all(&batch);
	pk_graph_free(g);
}

/* A flooded packet shared by several ports is copied for a writer. */
static void test_shared_buffer(void)
{
	struct pk_graph *g = hub_test_graph();
	struct pk_dev *p[3], *scr;
	uint8_t pkt[256];
	unsigned int copies, in_place;
	struct pk_buf *a, *b;
	uint32_t len;
	GError *error = NULL;

	hub_test_device(g, "r", "l3.router", NULL);
	p[0] = hub_test_device(g, "p0", "core.pipe-l3", NULL);
	hub_test_link(g, "p0", "r.port.0");
	scr = hub_test_device(g, "scr", "test.scribbler-l3", NULL);
	hub_test_link(g, "scr", "r.port.1");
	p[1] = hub_test_device(g, "p1", "core.pipe-l3", NULL);
	hub_test_link(g, "p1", "r.port.2");
	p[2] = hub_test_device(g, "p2", "core.pipe-l3", NULL);
	hub_test_link(g, "p2", "r.port.3");
	g_assert_true(pk_graph_start(g, &error));

	len = hub_test_ip4(pkt, "0.0.0.0", "255.255.255.255", 64, 0, 30);
	g_assert_true(pk_pipe_inject(p[0], pkt, len));
	hub_test_scribbled(scr, &copies, &in_place);
	g_assert_cmpuint(copies, ==, 1);
	g_assert_cmpuint(in_place, ==, 0);
	a = hub_test_pop1(p[1]);
	b = hub_test_pop1(p[2]);
	hub_test_assert_bytes(a, pkt, len);
	g_assert_true(a == b);
	pk_buf_unref(a);
	pk_buf_unref(b);
	pk_graph_free(g);
}

static void test_config_errors(void)
{
	struct pk_graph *g = hub_test_graph();

	hub_test_device_fails(g, "r1", "l3.router",
			      "{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"port\": 1},"
			      "{\"prefix\": \"10.9.9.9/8\", \"port\": 2}]}",
			      "routes[1]");
	hub_test_device_fails(g, "r2", "l3.router",
			      "{\"routes\": [{\"prefix\": \"10.0.0.0\", \"port\": 1}]}", "prefix");
	hub_test_device_fails(g, "r3", "l3.router", "{\"routes\": [{\"port\": 1}]}", "prefix");
	hub_test_device_fails(g, "r4", "l3.router", "{\"default-port\": -2}", "default-port");
	hub_test_device(g, "ok", "l3.router",
			"{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"port\": 1},"
			"{\"prefix\": \"10.9.9.9/8\", \"port\": 1}]}");
	pk_graph_free(g);
}

/* Router with the offload sink on port 1 and a plain pipe on port 2. */
static struct pk_graph *offload_setup(const char *mtu, struct pk_dev **in, struct pk_dev **sink,
				      struct pk_dev **plain)
{
	struct pk_graph *g = hub_test_graph();
	g_autofree char *params = g_strdup_printf(
		"{\"routes\": [{\"prefix\": \"10.0.0.0/24\", \"port\": 1},"
		"{\"prefix\": \"fd00::/64\", \"port\": 1}]%s}", mtu);
	GError *error = NULL;

	hub_test_device(g, "r", "l3.router", params);
	*in = hub_test_device(g, "in", "core.pipe-l3", NULL);
	*sink = hub_test_device(g, "sink", "test.offload-sink-l3", NULL);
	*plain = hub_test_device(g, "plain", "core.pipe-l3", "{\"capacity\": 256}");
	hub_test_link(g, "in.io", "r.port.0");
	hub_test_link(g, "sink.io", "r.port.1");
	hub_test_link(g, "plain.io", "r.port.2");
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	return g;
}

static void inject_super(struct pk_dev *in, bool v6, uint32_t payload, uint16_t mss)
{
	struct pk_buf *b = offload_test_super(v6, payload, mss, NULL, NULL);
	struct pk_batch batch = { .n = 1, .buf = { b } };

	g_assert_true(pk_pipe_inject_batch(in, &batch));
	pk_buf_unref(b);
}

/* Pop everything a pipe got into @out (at most @max); returns how many. */
static uint32_t pop_all(struct pk_dev *pipe, struct pk_buf **out, uint32_t max)
{
	uint32_t n = 0;
	struct pk_buf *b;

	while ((b = pk_pipe_pop(pipe))) {
		g_assert_cmpuint(n, <, max);
		out[n++] = b;
	}
	return n;
}

#define MSS(v6) ((v6) ? 1428 : 1448)

/* A super-packet is routed whole: one buffer, metadata intact, TTL / hop
 * limit decremented with a valid header checksum; to a port without offload
 * it arrives as segments that fit the MTU. */
static void test_offload_whole(void)
{
	struct pk_dev *in, *sink, *plain;
	struct pk_graph *g = offload_setup(", \"mtu\": 1500", &in, &sink, &plain);
	GPtrArray *got = offload_test_got(sink);
	struct pk_buf *segs[64];
	uint32_t n;

	/* Segments of 1500 bytes: 1448 payload bytes behind IPv4 and a TCP
	 * header with timestamps, 1428 behind IPv6. */
	for (int v6 = 0; v6 <= 1; v6++) {
		const struct pk_buf *b;

		inject_super(in, v6, 60000, MSS(v6));
		g_assert_cmpuint(got->len, ==, 1);
		b = g_ptr_array_index(got, 0);
		offload_test_assert_super(b, 0, v6, 60000, MSS(v6));
		if (v6) {
			g_assert_cmpuint(pk_buf_data(b)[7], ==, 63);
		} else {
			g_assert_cmpuint(pk_buf_data(b)[8], ==, 63);
			g_assert_cmpuint(pk_csum(pk_buf_data(b), PK_IP4_HLEN), ==, 0);
		}
		offload_test_clear(sink);
	}
	g_assert_cmpuint(ctr(g, "forwarded"), ==, 2);

	/* The same through port 2, which does not accept offloads: segments. */
	g_assert_null(hub_test_set_config(g, "r", "{\"routes\": ["
					  "{\"prefix\": \"10.0.0.0/24\", \"port\": 2},"
					  "{\"prefix\": \"fd00::/64\", \"port\": 2}]}"));
	for (int v6 = 0; v6 <= 1; v6++) {
		inject_super(in, v6, 60000, MSS(v6));
		n = pop_all(plain, segs, G_N_ELEMENTS(segs));
		offload_test_check_segments(segs, n, 0, v6, 60000, MSS(v6));
		for (uint32_t i = 0; i < n; i++) {
			g_assert_cmpuint(pk_buf_len(segs[i]), <=, 1500);
			g_assert_cmpuint(pk_buf_data(segs[i])[v6 ? 7 : 8], ==, 63);
			pk_buf_unref(segs[i]);
		}
	}
	g_assert_cmpuint(ctr(g, "dropped-too-big"), ==, 0);
	pk_graph_free(g);
}

/* 'mtu' judges a super-packet by its segments: IP + TCP header + gso_size. */
static void test_offload_mtu(void)
{
	struct pk_dev *in, *sink, *plain;
	struct pk_graph *g = offload_setup(", \"mtu\": 1500", &in, &sink, &plain);
	GPtrArray *got = offload_test_got(sink);
	uint8_t pkt[2048];

	/* IPv4: 20 + 32 + 1448 = 1500 fits, 1449 does not. IPv6: 40 + 32 + 1428. */
	inject_super(in, false, 60000, 1449);
	inject_super(in, true, 60000, 1429);
	g_assert_cmpuint(got->len, ==, 0);
	g_assert_cmpuint(ctr(g, "dropped-too-big"), ==, 2);
	inject_super(in, false, 60000, 1448);
	inject_super(in, true, 60000, 1428);
	g_assert_cmpuint(got->len, ==, 2);
	/* A super-packet whose payload fits in one segment counts by its length. */
	inject_super(in, false, 1000, 9000);
	g_assert_cmpuint(got->len, ==, 3);
	g_assert_cmpuint(ctr(g, "dropped-too-big"), ==, 2);
	/* Ordinary packets by their length. */
	g_assert_true(pk_pipe_inject(in, pkt, hub_test_ip4(pkt, "10.0.1.1", "10.0.0.2", 64, 0,
							   1500 - 20)));
	g_assert_true(pk_pipe_inject(in, pkt, hub_test_ip4(pkt, "10.0.1.1", "10.0.0.2", 64, 0,
							   1501 - 20)));
	g_assert_cmpuint(got->len, ==, 4);
	g_assert_cmpuint(ctr(g, "dropped-too-big"), ==, 3);
	/* Without an MTU anything goes. */
	g_assert_null(hub_test_set_config(g, "r", "{\"mtu\": 0}"));
	inject_super(in, false, 60000, 9000);
	g_assert_cmpuint(got->len, ==, 5);
	offload_test_assert_super(g_ptr_array_index(got, 4), 0, false, 60000, 9000);
	g_assert_cmpuint(ctr(g, "dropped-too-big"), ==, 3);
	pk_graph_free(g);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	offload_test_register(hub_test_registry());
	g_test_add_func("/hub/l3/lpm", test_lpm);
	g_test_add_func("/hub/l3/default-route", test_default_route);
	g_test_add_func("/hub/l3/same-port", test_same_port);
	g_test_add_func("/hub/l3/inactive-routes", test_inactive_routes);
	g_test_add_func("/hub/l3/ttl", test_ttl);
	g_test_add_func("/hub/l3/padding-trimmed", test_padding_trimmed);
	g_test_add_func("/hub/l3/broadcast-multicast", test_broadcast_multicast);
	g_test_add_func("/hub/l3/invalid", test_invalid);
	g_test_add_func("/hub/l3/batch", test_batch);
	g_test_add_func("/hub/l3/shared-buffer", test_shared_buffer);
	g_test_add_func("/hub/l3/config-errors", test_config_errors);
	g_test_add_func("/hub/l3/offload-whole", test_offload_whole);
	g_test_add_func("/hub/l3/offload-mtu", test_offload_mtu);
	return g_test_run();
}
