// SPDX-License-Identifier: MIT
/* test-l2-hub.c - Tests of the l2.hub device type through a graph of pipes */
#include <string.h>

#include "hub-test-util.h"
#include "offload-test.h"

#define SEC INT64_C(1000000000)

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };

/* A hub "hub" with @n pipes p0..p(n-1) on ports 0..n-1, graph started. */
static struct pk_graph *hub_setup(const char *params, unsigned int n, struct pk_dev **pipes)
{
	struct pk_graph *g = hub_test_graph();
	GError *error = NULL;

	hub_test_device(g, "hub", "l2.hub", params);
	hub_test_pipes(g, "hub", "core.pipe-l2", n, 64, pipes);
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	return g;
}

/* Inject a frame from host @src to host @dst (MAC numbers; 0xffff = broadcast). */
static void send(struct pk_dev *pipe, unsigned int src, unsigned int dst, int tci)
{
	uint8_t s[6], d[6], frame[128];
	uint32_t len;

	hub_test_mac(s, src);
	if (dst == 0xffff)
		memcpy(d, bcast, 6);
	else
		hub_test_mac(d, dst);
	len = hub_test_eth(frame, d, s, tci, 46, (uint8_t)src);
	g_assert_true(pk_pipe_inject(pipe, frame, len));
}

static void assert_pending(struct pk_dev **pipes, unsigned int n, const char *want)
{
	g_autofree char *got = hub_test_pending(pipes, n);

	g_assert_cmpstr(got, ==, want);
	for (unsigned int i = 0; i < n; i++)
		hub_test_drain(pipes[i]);
}

static uint64_t ctr(struct pk_graph *g, const char *name)
{
	return pk_dev_counter(pk_graph_lookup(g, "hub"), name);
}

static void test_learning(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup(NULL, 3, p);

	send(p[0], 1, 2, -1);	/* A -> B: B unknown, flooded */
	assert_pending(p, 3, "0 1 1");
	send(p[1], 2, 1, -1);	/* B -> A: A learned on port 0 */
	assert_pending(p, 3, "1 0 0");
	send(p[0], 1, 2, -1);	/* A -> B: B learned on port 1 */
	assert_pending(p, 3, "0 1 0");
	g_assert_cmpuint(ctr(g, "flooded"), ==, 1);
	g_assert_cmpuint(ctr(g, "forwarded-unicast"), ==, 2);
	g_assert_cmpuint(ctr(g, "mac-learned"), ==, 2);
	g_assert_cmpuint(ctr(g, "mac-moved"), ==, 0);

	/* A moves to port 2. */
	send(p[2], 1, 0xffff, -1);
	assert_pending(p, 3, "1 1 0");
	g_assert_cmpuint(ctr(g, "mac-moved"), ==, 1);
	send(p[1], 2, 1, -1);
	assert_pending(p, 3, "0 0 1");
	pk_graph_free(g);
}

static void test_flooding(void)
{
	struct pk_dev *p[4];
	struct pk_graph *g = hub_setup(NULL, 4, p);
	uint8_t s[6], frame[128];
	uint32_t len;

	for (unsigned int i = 0; i < 4; i++)
		send(p[i], 10 + i, 0xffff, -1);	/* everyone learned */
	assert_pending(p, 4, "3 3 3 3");

	send(p[0], 10, 0xffff, -1);
	assert_pending(p, 4, "0 1 1 1");
	hub_test_mac(s, 10);
	len = hub_test_eth(frame, mcast, s, -1, 46, 1);
	g_assert_true(pk_pipe_inject(p[1], frame, len));
	assert_pending(p, 4, "1 0 1 1");
	send(p[2], 12, 99, -1);	/* unknown unicast */
	assert_pending(p, 4, "1 1 0 1");
	g_assert_cmpuint(ctr(g, "flooded"), ==, 7);
	pk_graph_free(g);
}

static void test_hairpin(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup(NULL, 3, p);

	send(p[0], 1, 0xffff, -1);	/* A on port 0 */
	send(p[1], 2, 0xffff, -1);	/* B on port 1 */
	assert_pending(p, 3, "1 1 2");
	/* C, also behind port 0, talks to A: nothing goes anywhere. */
	send(p[0], 3, 1, -1);
	assert_pending(p, 3, "0 0 0");
	g_assert_cmpuint(ctr(g, "dropped-hairpin"), ==, 1);
	/* The entry survives (the Go hub deleted it and flooded). */
	send(p[1], 2, 1, -1);
	assert_pending(p, 3, "1 0 0");
	pk_graph_free(g);
}

static void test_bad_frames(void)
{
	struct pk_dev *p[2];
	struct pk_graph *g = hub_setup(NULL, 2, p);
	uint8_t s[6], frame[128];
	uint32_t len;

	memset(frame, 0, sizeof(frame));
	g_assert_true(pk_pipe_inject(p[0], frame, 13));
	/* 802.1Q TPID but no room for the tag and EtherType. */
	hub_test_mac(frame, 1);
	hub_test_mac(frame + 6, 2);
	frame[12] = 0x81;
	frame[13] = 0x00;
	g_assert_true(pk_pipe_inject(p[0], frame, 16));
	g_assert_cmpuint(ctr(g, "dropped-short"), ==, 2);
	/* Multicast source: dropped, not learned. */
	hub_test_mac(s, 1);
	len = hub_test_eth(frame, s, mcast, -1, 46, 0);
	g_assert_true(pk_pipe_inject(p[0], frame, len));
	g_assert_cmpuint(ctr(g, "dropped-bad-source"), ==, 1);
	g_assert_cmpuint(ctr(g, "mac-learned"), ==, 0);
	g_assert_true(pk_pipe_inject(p[0], frame, 0));
	g_assert_cmpuint(ctr(g, "dropped-short"), ==, 3);
	/* A minimal 14-byte frame is fine. */
	len = hub_test_eth(frame, bcast, s, -1, 0, 0);
	g_assert_cmpuint(len, ==, 14);
	g_assert_true(pk_pipe_inject(p[0], frame, len));
	assert_pending(p, 2, "0 1");
	pk_graph_free(g);
}

static void test_aging(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup("{\"aging\": \"10s\"}", 3, p);

	send(p[0], 1, 0xffff, -1);	/* t=0: A on 0 */
	send(p[1], 2, 0xffff, -1);	/* t=0: B on 1 */
	assert_pending(p, 3, "1 1 2");
	pk_graph_clock_advance(g, 5 * SEC);
	send(p[0], 1, 0xffff, -1);	/* t=5: A refreshed */
	assert_pending(p, 3, "0 1 1");
	pk_graph_clock_advance(g, 4 * SEC);
	send(p[2], 3, 1, -1);	/* t=9: both still known */
	send(p[2], 3, 2, -1);
	assert_pending(p, 3, "1 1 0");
	pk_graph_clock_advance(g, 2 * SEC);
	send(p[2], 3, 2, -1);	/* t=11: B (seen at 0) is gone: flood */
	assert_pending(p, 3, "1 1 0");
	send(p[2], 3, 1, -1);	/* A (seen at 5) is known */
	assert_pending(p, 3, "1 0 0");
	pk_graph_clock_advance(g, 4 * SEC + SEC / 2);
	send(p[1], 2, 1, -1);	/* t=15.5: A gone too */
	assert_pending(p, 3, "1 0 1");
	/* The sweep (every aging/4) reclaimed B before it came back at 15.5. */
	g_assert_cmpuint(ctr(g, "mac-aged"), ==, 1);
	pk_graph_clock_advance(g, 30 * SEC);
	g_assert_cmpuint(ctr(g, "mac-aged"), ==, 4);	/* A, C, B again */
	g_assert_cmpuint(ctr(g, "mac-learned"), ==, 4);	/* A, B, C, B again */

	/* Aging is live. */
	g_assert_null(hub_test_set_config(g, "hub", "{\"aging\": \"1h\"}"));
	send(p[0], 1, 0xffff, -1);
	assert_pending(p, 3, "0 1 1");
	pk_graph_clock_advance(g, 600 * SEC);
	send(p[1], 2, 1, -1);
	assert_pending(p, 3, "1 0 0");
	pk_graph_free(g);
}

static void test_table_full(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup("{\"mac-table-size\": 4}", 3, p);

	for (unsigned int i = 0; i < 6; i++)
		send(p[i % 2], 100 + i, 0xffff, -1);
	assert_pending(p, 3, "3 3 6");
	g_assert_cmpuint(ctr(g, "mac-learned"), ==, 4);
	g_assert_cmpuint(ctr(g, "mac-table-full"), ==, 2);
	/* Known ones are forwarded, the unlearned ones flooded. */
	send(p[2], 7, 101, -1);
	assert_pending(p, 3, "0 1 0");
	send(p[2], 7, 105, -1);
	assert_pending(p, 3, "1 1 0");
	g_assert_cmpuint(ctr(g, "mac-table-full"), ==, 4);	/* host 7 twice */
	/* Not live. */
	g_autofree char *err = hub_test_set_config(g, "hub", "{\"mac-table-size\": 100}");
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err, "mac-table-size"));
	pk_graph_free(g);
}

static void test_port_removal(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup(NULL, 3, p);
	GError *error = NULL;

	send(p[0], 1, 0xffff, -1);
	send(p[1], 2, 0xffff, -1);
	assert_pending(p, 3, "1 1 2");
	g_assert_true(pk_graph_unlink(g, "hub.port.0", &error));
	g_assert_no_error(error);
	send(p[1], 2, 1, -1);	/* A was purged: flood to what is left */
	assert_pending(p, 3, "0 0 1");
	hub_test_link(g, "p0", "hub.port.0");
	send(p[1], 2, 1, -1);	/* still unknown: flooded, also to the new link */
	assert_pending(p, 3, "1 0 1");
	/* Removing a device unlinks its port: B is forgotten. */
	g_assert_true(pk_graph_remove_device(g, "p1", &error));
	g_assert_no_error(error);
	send(p[0], 1, 2, -1);
	g_assert_cmpuint(pk_pipe_pending(p[2]), ==, 1);
	hub_test_drain(p[2]);
	pk_graph_free(g);
}

static void iterate(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

/* A flush port event from the device on a port forgets that port's MACs. */
static void test_port_flush(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup(NULL, 3, p);

	send(p[0], 1, 0xffff, -1);
	send(p[0], 4, 0xffff, -1);	/* A and D behind port 0 */
	send(p[1], 2, 0xffff, -1);	/* B on port 1 */
	assert_pending(p, 3, "1 2 3");
	send(p[2], 3, 1, -1);
	assert_pending(p, 3, "1 0 0");
	g_assert_true(pk_dev_port_event(p[0], 0, PK_PORT_EVENT_FLUSH));
	iterate();
	g_assert_cmpuint(ctr(g, "mac-flushed"), ==, 2);
	send(p[2], 3, 1, -1);	/* A was flushed: flooded */
	assert_pending(p, 3, "1 1 0");
	send(p[2], 3, 4, -1);	/* so was D */
	assert_pending(p, 3, "1 1 0");
	send(p[2], 3, 2, -1);	/* B on the other port is still known */
	assert_pending(p, 3, "0 1 0");
	/* An unknown event is ignored. */
	send(p[0], 1, 0xffff, -1);
	assert_pending(p, 3, "0 1 1");
	g_assert_true(pk_dev_port_event(p[0], 0, 99));
	iterate();
	send(p[2], 3, 1, -1);
	assert_pending(p, 3, "1 0 0");
	g_assert_cmpuint(ctr(g, "mac-flushed"), ==, 2);
	pk_graph_free(g);
}

/* The status lists the MAC table: VLAN, MAC, port and age of each entry. */
static void test_status(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup("{\"aging\": \"10s\"}", 3, p);
	g_autoptr(GVariant) st = NULL, table = NULL;
	GError *error = NULL;
	gboolean seen[3] = { FALSE };
	uint64_t u;

	send(p[0], 1, 0xffff, -1);
	pk_graph_clock_advance(g, 3 * SEC);
	send(p[1], 2, 0xffff, 7);	/* tagged VLAN 7 on a transparent port */
	send(p[2], 3, 0xffff, -1);
	assert_pending(p, 3, "2 2 2");
	pk_graph_clock_advance(g, 8 * SEC);	/* A (t=0) is stale at t=11 */
	st = pk_graph_device_status(g, "hub", &error);
	g_assert_no_error(error);
	g_assert_true(g_variant_lookup(st, "macs", "t", &u));
	g_assert_cmpuint(u, ==, 2);
	g_assert_true(g_variant_lookup(st, "ports", "t", &u));
	g_assert_cmpuint(u, ==, 3);
	table = g_variant_lookup_value(st, "mac-table", G_VARIANT_TYPE("aa{sv}"));
	g_assert_nonnull(table);
	g_assert_cmpuint(g_variant_n_children(table), ==, 2);
	for (gsize i = 0; i < 2; i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(table, i);
		const char *mac;
		uint64_t port, vlan, age;

		g_assert_true(g_variant_lookup(row, "mac", "&s", &mac));
		g_assert_true(g_variant_lookup(row, "port", "t", &port));
		g_assert_true(g_variant_lookup(row, "vlan", "t", &vlan));
		g_assert_true(g_variant_lookup(row, "age", "t", &age));
		/* Ages are kept in ticks of 2^20 ns. */
		g_assert_cmpuint(age, >=, 8 * SEC - (1u << 20));
		g_assert_cmpuint(age, <=, 8 * SEC + (1u << 20));
		if (strcmp(mac, "02:00:00:00:00:02") == 0) {
			g_assert_cmpuint(port, ==, 1);
			g_assert_cmpuint(vlan, ==, 7);
		} else {
			g_assert_cmpstr(mac, ==, "02:00:00:00:00:03");
			g_assert_cmpuint(port, ==, 2);
			g_assert_cmpuint(vlan, ==, 0);
		}
		g_assert_false(seen[port]);
		seen[port] = TRUE;
	}
	pk_graph_free(g);
}

static void test_many_ports(void)
{
	enum { N = 1000 };
	struct pk_dev **p = g_new(struct pk_dev *, N);
	struct pk_graph *g = hub_test_graph();
	unsigned int got = 0;
	GError *error = NULL;

	hub_test_device(g, "hub", "l2.hub", NULL);
	hub_test_pipes(g, "hub", "core.pipe-l2", N, 4, p);
	g_assert_true(pk_graph_start(g, &error));
	send(p[0], 1, 0xffff, -1);
	for (unsigned int i = 0; i < N; i++)
		got += hub_test_drain(p[i]);
	g_assert_cmpuint(got, ==, N - 1);
	g_assert_cmpuint(pk_pipe_pending(p[0]), ==, 0);
	/* Unicast after learning reaches exactly one port. */
	send(p[777], 2, 1, -1);
	g_assert_cmpuint(pk_pipe_pending(p[0]), ==, 1);
	got = 0;
	for (unsigned int i = 0; i < N; i++)
		got += hub_test_drain(p[i]);
	g_assert_cmpuint(got, ==, 1);
	send(p[0], 1, 2, -1);
	g_assert_cmpuint(pk_pipe_pending(p[777]), ==, 1);
	hub_test_drain(p[777]);
	pk_graph_free(g);
	g_free(p);
}

/* A flood is one shared buffer; a receiver that writes gets its own copy. */
static void test_shared_buffer(void)
{
	struct pk_graph *g = hub_test_graph();
	struct pk_dev *p[3], *scr;
	uint8_t s[6], frame[128];
	struct pk_buf *got[3];
	unsigned int copies, in_place;
	uint32_t len;
	GError *error = NULL;

	hub_test_device(g, "hub", "l2.hub", NULL);
	p[0] = hub_test_device(g, "p0", "core.pipe-l2", NULL);
	hub_test_link(g, "p0", "hub.port.0");
	/* The scribbler is linked second: it receives the flood first. */
	scr = hub_test_device(g, "scr", "test.scribbler-l2", NULL);
	hub_test_link(g, "scr", "hub.port.1");
	p[1] = hub_test_device(g, "p1", "core.pipe-l2", NULL);
	hub_test_link(g, "p1", "hub.port.2");
	p[2] = hub_test_device(g, "p2", "core.pipe-l2", NULL);
	hub_test_link(g, "p2", "hub.port.3");
	g_assert_true(pk_graph_start(g, &error));

	hub_test_mac(s, 1);
	len = hub_test_eth(frame, bcast, s, -1, 46, 9);
	g_assert_true(pk_pipe_inject(p[0], frame, len));
	hub_test_scribbled(scr, &copies, &in_place);
	g_assert_cmpuint(copies, ==, 1);
	g_assert_cmpuint(in_place, ==, 0);
	got[1] = hub_test_pop1(p[1]);
	got[2] = hub_test_pop1(p[2]);
	hub_test_assert_bytes(got[1], frame, len);
	hub_test_assert_bytes(got[2], frame, len);
	g_assert_true(got[1] == got[2]);	/* one buffer, shared */
	pk_buf_unref(got[1]);
	pk_buf_unref(got[2]);

	/* Unicast is the very buffer that came in: no copy. */
	send(p[1], 2, 0xffff, -1);	/* learn host 2 on port 2 */
	hub_test_drain(p[0]);
	hub_test_drain(p[2]);
	{
		struct pk_batch batch = { .n = 1 };
		uint8_t d[6];

		hub_test_mac(d, 2);
		len = hub_test_eth(frame, d, s, -1, 46, 3);
		batch.buf[0] = pk_buf_new_copy(frame, len);
		g_assert_true(pk_pipe_inject_batch(p[0], &batch));
		got[0] = hub_test_pop1(p[1]);
		g_assert_true(got[0] == batch.buf[0]);
		pk_buf_unref(got[0]);
		pk_buf_unref(batch.buf[0]);
	}
	pk_graph_free(g);
}

/* Batches: a mixed batch is split into one emission per output port. */
static void test_batch(void)
{
	struct pk_dev *p[3];
	struct pk_graph *g = hub_setup(NULL, 3, p);
	struct pk_batch batch = { .n = 0 };
	uint8_t s[6], d[6], frame[128];

	send(p[1], 2, 0xffff, -1);
	send(p[2], 3, 0xffff, -1);
	assert_pending(p, 3, "2 1 1");
	hub_test_mac(s, 1);
	for (unsigned int i = 0; i < PK_BATCH_MAX; i++) {
		uint32_t len;

		if (i % 8 == 7)
			memcpy(d, bcast, 6);
		else
			hub_test_mac(d, 2 + i % 2);
		len = hub_test_eth(frame, d, s, -1, 46, (uint8_t)i);
		batch.buf[batch.n++] = pk_buf_new_copy(frame, len);
	}
	g_assert_true(pk_pipe_inject_batch(p[0], &batch));
	/* 8 broadcasts to both; 32 unicasts to host 2, 24 to host 3. */
	assert_pending(p, 3, "0 40 32");
	{
		struct pk_port_stats st;

		g_assert_true(pk_dev_port_stats(pk_graph_lookup(g, "hub"), PK_PORT(0, 1), &st));
		g_assert_cmpuint(st.tx_packets, ==, 1 + 40);
	}
	pk_batch_unref_all(&batch);
	pk_graph_free(g);
}

/* VLANs ------------------------------------------------------------------- */

#define VLAN_PARAMS                                                     \
	"{\"vlans\": ["                                                   \
	"{\"port\": 0, \"mode\": \"access\", \"vlan\": 10},"             \
	"{\"port\": 1, \"mode\": \"access\", \"vlan\": 10},"             \
	"{\"port\": 2, \"mode\": \"access\", \"vlan\": 20},"             \
	"{\"port\": 3, \"mode\": \"trunk\", \"vlan\": 30, \"allowed\": \"10, 20,25-26\"}" \
	"]}"

/* The frame @f of @len bytes with a tag @tci inserted after the MACs. */
static uint32_t with_tag(uint8_t *out, const uint8_t *f, uint32_t len, uint16_t tci)
{
	memcpy(out, f, 12);
	out[12] = 0x81;
	out[13] = 0x00;
	out[14] = (uint8_t)(tci >> 8);
	out[15] = (uint8_t)tci;
	memcpy(out + 16, f + 12, len - 12);
	return len + 4;
}

static void expect_frame(struct pk_dev *pipe, const uint8_t *want, uint32_t len)
{
	struct pk_buf *b = hub_test_pop1(pipe);

	hub_test_assert_bytes(b, want, len);
	pk_buf_unref(b);
}

static void test_vlan_access_trunk(void)
{
	struct pk_dev *p[5];	/* p4: transparent */
	struct pk_graph *g = hub_setup(VLAN_PARAMS, 5, p);
	uint8_t s[6], d[6], f[128], t[128], u[128];
	uint32_t len, tlen, ulen;

	/* Untagged broadcast on access port 0 (VLAN 10). */
	hub_test_mac(s, 1);
	len = hub_test_eth(f, bcast, s, -1, 46, 1);
	tlen = with_tag(t, f, len, 10);
	g_assert_true(pk_pipe_inject(p[0], f, len));
	expect_frame(p[1], f, len);	/* access 10: untagged, as sent */
	expect_frame(p[3], t, tlen);	/* trunk: tagged 10 */
	expect_frame(p[4], t, tlen);	/* transparent: tagged 10 */
	assert_pending(p, 5, "0 0 0 0 0");	/* nothing to VLAN 20 */

	/* Tagged frames are refused on access ports. */
	len = hub_test_eth(f, bcast, s, 10, 46, 1);
	g_assert_true(pk_pipe_inject(p[0], f, len));
	assert_pending(p, 5, "0 0 0 0 0");
	g_assert_cmpuint(ctr(g, "dropped-vlan"), ==, 1);

	/* Tagged 20 on the trunk: untagged to access 20, unchanged to transparent. */
	hub_test_mac(s, 2);
	ulen = hub_test_eth(u, bcast, s, -1, 60, 2);
	tlen = with_tag(t, u, ulen, (5 << 13) | 20);	/* priority 5 is kept */
	g_assert_true(pk_pipe_inject(p[3], t, tlen));
	expect_frame(p[2], u, ulen);
	expect_frame(p[4], t, tlen);
	assert_pending(p, 5, "0 0 0 0 0");

	/* Untagged on the trunk: native VLAN 30, only the transparent port has it. */
	hub_test_mac(s, 3);
	ulen = hub_test_eth(u, bcast, s, -1, 46, 3);
	tlen = with_tag(t, u, ulen, 30);
	g_assert_true(pk_pipe_inject(p[3], u, ulen));
	expect_frame(p[4], t, tlen);
	assert_pending(p, 5, "0 0 0 0 0");

	/* A VID the trunk does not carry. */
	len = hub_test_eth(f, bcast, s, 40, 46, 1);
	g_assert_true(pk_pipe_inject(p[3], f, len));
	g_assert_cmpuint(ctr(g, "dropped-vlan"), ==, 2);
	/* VID 4095 is reserved, even on a transparent port. */
	len = hub_test_eth(f, bcast, s, 4095, 46, 1);
	g_assert_true(pk_pipe_inject(p[4], f, len));
	g_assert_cmpuint(ctr(g, "dropped-vlan"), ==, 3);

	/* Untagged on the transparent port: the untagged domain, no VLAN port has it. */
	hub_test_mac(s, 4);
	ulen = hub_test_eth(u, bcast, s, -1, 46, 4);
	g_assert_true(pk_pipe_inject(p[4], u, ulen));
	assert_pending(p, 5, "0 0 0 0 0");

	/* Tagged 10 on the transparent port: untagged to access 10, as-is to the trunk. */
	tlen = with_tag(t, u, ulen, 10);
	g_assert_true(pk_pipe_inject(p[4], t, tlen));
	expect_frame(p[0], u, ulen);
	expect_frame(p[1], u, ulen);
	expect_frame(p[3], t, tlen);
	assert_pending(p, 5, "0 0 0 0 0");

	/* Priority-tagged (VID 0) on access 10: accepted; VID set, priority kept. */
	hub_test_mac(s, 5);
	ulen = hub_test_eth(u, bcast, s, -1, 46, 5);
	len = with_tag(f, u, ulen, 6 << 13);
	tlen = with_tag(t, u, ulen, (6 << 13) | 10);
	g_assert_true(pk_pipe_inject(p[0], f, len));
	expect_frame(p[1], u, ulen);
	expect_frame(p[3], t, tlen);
	expect_frame(p[4], t, tlen);
	assert_pending(p, 5, "0 0 0 0 0");

	/* Unicast from access 10 to a host learned on the trunk in VLAN 10:
	 * the tag is pushed in place. */
	hub_test_mac(s, 6);
	ulen = hub_test_eth(u, bcast, s, -1, 46, 6);
	tlen = with_tag(t, u, ulen, 10);
	g_assert_true(pk_pipe_inject(p[3], t, tlen));	/* host 6 on trunk, VLAN 10 */
	assert_pending(p, 5, "1 1 0 0 1");
	hub_test_mac(d, 6);
	hub_test_mac(s, 1);
	ulen = hub_test_eth(u, d, s, -1, 46, 7);
	tlen = with_tag(t, u, ulen, 10);
	g_assert_true(pk_pipe_inject(p[0], u, ulen));
	expect_frame(p[3], t, tlen);
	/* A buffer someone else still holds is never written: the tag goes on
	 * a copy. */
	{
		struct pk_batch batch = { .n = 1 };
		struct pk_buf *got;

		batch.buf[0] = pk_buf_new_copy(u, ulen);
		pk_buf_ref(batch.buf[0]);	/* a second holder */
		g_assert_true(pk_pipe_inject_batch(p[0], &batch));
		got = hub_test_pop1(p[3]);
		g_assert_true(got != batch.buf[0]);
		hub_test_assert_bytes(got, t, tlen);
		hub_test_assert_bytes(batch.buf[0], u, ulen);
		pk_buf_unref(got);
		pk_buf_unref(batch.buf[0]);
		pk_buf_unref(batch.buf[0]);
	}
	/* And back: popped in place. */
	hub_test_mac(d, 1);
	hub_test_mac(s, 6);
	ulen = hub_test_eth(u, d, s, -1, 46, 8);
	tlen = with_tag(t, u, ulen, 10);
	g_assert_true(pk_pipe_inject(p[3], t, tlen));
	expect_frame(p[0], u, ulen);
	assert_pending(p, 5, "0 0 0 0 0");
	pk_graph_free(g);
}

/* The same MAC in two VLANs is two entries; frames never cross VLANs. */
static void test_vlan_separation(void)
{
	struct pk_dev *p[5];
	struct pk_graph *g = hub_setup(VLAN_PARAMS, 5, p);

	send(p[0], 1, 0xffff, -1);	/* host 1 in VLAN 10 on port 0 */
	send(p[2], 1, 0xffff, -1);	/* host 1 in VLAN 20 on port 2 */
	assert_pending(p, 5, "0 1 0 2 2");
	g_assert_cmpuint(ctr(g, "mac-learned"), ==, 2);
	g_assert_cmpuint(ctr(g, "mac-moved"), ==, 0);
	send(p[1], 2, 1, -1);	/* VLAN 10 -> port 0 only */
	assert_pending(p, 5, "1 0 0 0 0");
	send(p[3], 3, 1, 20);	/* VLAN 20 from the trunk -> port 2 only */
	assert_pending(p, 5, "0 0 1 0 0");
	send(p[3], 3, 1, 26);	/* VLAN 26: nobody has host 1 there; flood reaches p4 */
	assert_pending(p, 5, "0 0 0 0 1");
	/* Unknown unicast in VLAN 20 from port 2 goes only to VLAN 20 members. */
	send(p[2], 1, 77, -1);
	assert_pending(p, 5, "0 0 0 1 1");

	/* Changing roles while running clears the table. */
	g_assert_null(hub_test_set_config(g, "hub", "{\"vlans\": []}"));
	send(p[1], 2, 1, -1);	/* all transparent now; host 1 unknown */
	assert_pending(p, 5, "1 0 1 1 1");
	pk_graph_free(g);
}

/* Flooding to ports that want different forms: one copy per form. */
static void test_vlan_flood_forms(void)
{
	struct pk_graph *g = hub_setup(
		"{\"vlans\": [{\"port\": 0, \"mode\": \"trunk\"},"
		"{\"port\": 1, \"mode\": \"access\", \"vlan\": 7},"
		"{\"port\": 2, \"mode\": \"access\", \"vlan\": 7},"
		"{\"port\": 3, \"mode\": \"trunk\", \"vlan\": 7},"
		"{\"port\": 4, \"mode\": \"trunk\", \"allowed\": \"7\"}]}",
		6, NULL);
	struct pk_dev *p[6];
	uint8_t s[6], u[128], t[128];
	uint32_t ulen, tlen;
	struct pk_buf *a, *b;

	for (unsigned int i = 0; i < 6; i++) {
		g_autofree char *id = g_strdup_printf("p%u", i);

		p[i] = pk_graph_lookup(g, id);
	}
	hub_test_mac(s, 1);
	ulen = hub_test_eth(u, bcast, s, -1, 46, 1);
	tlen = with_tag(t, u, ulen, 7);
	g_assert_true(pk_pipe_inject(p[0], t, tlen));
	a = hub_test_pop1(p[1]);
	b = hub_test_pop1(p[2]);
	hub_test_assert_bytes(a, u, ulen);
	g_assert_true(a == b);	/* one untagged copy for both access ports */
	pk_buf_unref(a);
	pk_buf_unref(b);
	expect_frame(p[3], u, ulen);	/* native 7: untagged */
	expect_frame(p[4], t, tlen);	/* tagged, as received */
	expect_frame(p[5], t, tlen);	/* transparent */
	/* A trunk without a native VLAN drops untagged frames. */
	g_assert_true(pk_pipe_inject(p[0], u, ulen));
	g_assert_cmpuint(ctr(g, "dropped-vlan"), ==, 1);
	pk_graph_free(g);
}

static void test_vlan_config_errors(void)
{
	struct pk_graph *g = hub_test_graph();

	hub_test_device_fails(g, "h1", "l2.hub",
			      "{\"vlans\": [{\"port\": 0, \"mode\": \"access\"}]}",
			      "vlans[0].vlan");
	hub_test_device_fails(g, "h2", "l2.hub",
			      "{\"vlans\": [{\"port\": 0, \"mode\": \"trunk\"},"
			      "{\"port\": 0, \"mode\": \"trunk\"}]}",
			      "vlans[1]");
	hub_test_device_fails(g, "h3", "l2.hub",
			      "{\"vlans\": [{\"port\": 0, \"mode\": \"trunk\", \"allowed\": \"5-2\"}]}",
			      "vlans[0].allowed");
	hub_test_device_fails(g, "h4", "l2.hub",
			      "{\"vlans\": [{\"port\": 0, \"mode\": \"trunk\", \"allowed\": \"4095\"}]}",
			      "vlans[0].allowed");
	hub_test_device_fails(g, "h5", "l2.hub",
			      "{\"vlans\": [{\"port\": 0, \"mode\": \"access\", \"vlan\": 3,"
			      "\"allowed\": \"4\"}]}",
			      "vlans[0].allowed");
	hub_test_device_fails(g, "h6", "l2.hub", "{\"vlans\": [{\"mode\": \"trunk\"}]}", "port");
	hub_test_device_fails(g, "h7", "l2.hub",
			      "{\"vlans\": [{\"port\": 1, \"mode\": \"hybrid\"}]}", "mode");
	hub_test_device_fails(g, "h8", "l2.hub", "{\"aging\": \"1ms\"}", "aging");
	/* A refused live change leaves the old configuration in place. */
	hub_test_device(g, "ok", "l2.hub",
			"{\"vlans\": [{\"port\": 0, \"mode\": \"access\", \"vlan\": 3}]}");
	{
		g_autofree char *err = hub_test_set_config(
			g, "ok", "{\"vlans\": [{\"port\": 0, \"mode\": \"access\"}]}");

		g_assert_nonnull(err);
	}
	pk_graph_free(g);
}

/* Offload: hub "hub"; pipe "in" on port 0, offload sinks "a" and "b" on 1 and
 * 2, pipe "plain" on 3. */
static struct pk_graph *offload_setup(const char *params, struct pk_dev **d)
{
	struct pk_graph *g = hub_test_graph();
	GError *error = NULL;

	hub_test_device(g, "hub", "l2.hub", params);
	d[0] = hub_test_device(g, "in", "core.pipe-l2", NULL);
	d[1] = hub_test_device(g, "a", "test.offload-sink-l2", NULL);
	d[2] = hub_test_device(g, "b", "test.offload-sink-l2", NULL);
	d[3] = hub_test_device(g, "plain", "core.pipe-l2", "{\"capacity\": 256}");
	hub_test_link(g, "in.io", "hub.port.0");
	hub_test_link(g, "a.io", "hub.port.1");
	hub_test_link(g, "b.io", "hub.port.2");
	hub_test_link(g, "plain.io", "hub.port.3");
	g_assert_true(pk_graph_start(g, &error));
	g_assert_no_error(error);
	return g;
}

static void inject_buf(struct pk_dev *pipe, struct pk_buf *b)
{
	struct pk_batch batch = { .n = 1, .buf = { b } };

	g_assert_true(pk_pipe_inject_batch(pipe, &batch));
	pk_buf_unref(b);
}

/* Every frame a pipe received must be a segment of the super-frame. */
static void expect_segments(struct pk_dev *pipe, uint32_t l3, bool v6, uint32_t payload,
			    uint16_t mss)
{
	struct pk_buf *segs[64];
	uint32_t n = 0;
	struct pk_buf *b;

	while ((b = pk_pipe_pop(pipe))) {
		g_assert_cmpuint(n, <, G_N_ELEMENTS(segs));
		segs[n++] = b;
	}
	offload_test_check_segments(segs, n, l3, v6, payload, mss);
	for (uint32_t i = 0; i < n; i++)
		pk_buf_unref(segs[i]);
}

/* Super-frames are flooded and switched whole to ports that accept them;
 * a port without PK_PORT_F_OFFLOAD gets segments. */
static void test_offload(void)
{
	struct pk_dev *d[4];
	struct pk_graph *g = offload_setup(NULL, d);
	GPtrArray *a = offload_test_got(d[1]), *b = offload_test_got(d[2]);
	uint8_t mi[6], ma[6], mp[6], frame[128];

	hub_test_mac(mi, 1);
	hub_test_mac(ma, 2);
	/* Unknown destination: flooded, the same buffer to both sinks. */
	inject_buf(d[0], offload_test_super(false, 60000, 1448, ma, mi));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpuint(b->len, ==, 1);
	g_assert_true(g_ptr_array_index(a, 0) == g_ptr_array_index(b, 0));
	offload_test_assert_super(g_ptr_array_index(a, 0), PK_ETH_HLEN, false, 60000, 1448);
	expect_segments(d[3], PK_ETH_HLEN, false, 60000, 1448);
	g_assert_cmpuint(ctr(g, "flooded"), ==, 1);
	offload_test_clear(d[1]);
	offload_test_clear(d[2]);

	/* Once "a" is learned: unicast, whole, to it only. */
	offload_test_send(d[1], frame, hub_test_eth(frame, mi, ma, -1, 46, 2));
	g_assert_cmpuint(hub_test_drain(d[0]), ==, 1);
	for (int v6 = 0; v6 <= 1; v6++)
		inject_buf(d[0], offload_test_super(v6, 65000, 1448, ma, mi));
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpuint(b->len, ==, 0);
	g_assert_cmpuint(pk_pipe_pending(d[3]), ==, 0);
	offload_test_assert_super(g_ptr_array_index(a, 0), PK_ETH_HLEN, false, 65000, 1448);
	offload_test_assert_super(g_ptr_array_index(a, 1), PK_ETH_HLEN, true, 65000, 1448);
	g_assert_cmpuint(ctr(g, "forwarded-unicast"), ==, 1 + 2);	/* the reply, then these */

	/* To a host learned on "plain": segments only, there. */
	hub_test_mac(mp, 3);
	g_assert_true(pk_pipe_inject(d[3], frame, hub_test_eth(frame, mi, mp, -1, 46, 3)));
	g_assert_cmpuint(hub_test_drain(d[0]), ==, 1);
	inject_buf(d[0], offload_test_super(false, 60000, 1448, mp, mi));
	expect_segments(d[3], PK_ETH_HLEN, false, 60000, 1448);
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpuint(b->len, ==, 0);
	pk_graph_free(g);
}

/* Tags added or removed in a copy keep the offload metadata, the checksum
 * start moved with the payload. */
static void test_offload_vlan(void)
{
	struct pk_dev *d[4];
	struct pk_graph *g = offload_setup("{\"vlans\": ["
					   "{\"port\": 0, \"mode\": \"access\", \"vlan\": 7},"
					   "{\"port\": 1, \"mode\": \"trunk\"},"
					   "{\"port\": 2, \"mode\": \"access\", \"vlan\": 7},"
					   "{\"port\": 3, \"mode\": \"trunk\"}]}", d);
	GPtrArray *a = offload_test_got(d[1]), *b = offload_test_got(d[2]);
	uint8_t mi[6], ma[6];
	const struct pk_buf *t;
	struct pk_buf *tagged;

	hub_test_mac(mi, 1);
	hub_test_mac(ma, 2);
	/* Access -> trunks get a tagged copy, the other access port the original. */
	inject_buf(d[0], offload_test_super(false, 30000, 1448, ma, mi));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpuint(b->len, ==, 1);
	t = g_ptr_array_index(a, 0);
	offload_test_assert_super(t, PK_ETH_HLEN + PK_VLAN_HLEN, false, 30000, 1448);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(t) + 12), ==, PK_ETH_P_VLAN);
	g_assert_cmpuint(pk_get_be16(pk_buf_data(t) + 14) & 0xfff, ==, 7);
	offload_test_assert_super(g_ptr_array_index(b, 0), PK_ETH_HLEN, false, 30000, 1448);
	expect_segments(d[3], PK_ETH_HLEN + PK_VLAN_HLEN, false, 30000, 1448);
	offload_test_clear(d[1]);
	offload_test_clear(d[2]);

	/* Trunk -> the access ports get an untagged copy. */
	tagged = offload_test_super(true, 30000, 1448, ma, mi);
	g_assert_true(pk_eth_vlan_push(tagged, PK_ETH_P_VLAN, 7));
	inject_buf(d[3], tagged);
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpuint(b->len, ==, 1);
	offload_test_assert_super(g_ptr_array_index(a, 0), PK_ETH_HLEN + PK_VLAN_HLEN, true, 30000,
				  1448);
	offload_test_assert_super(g_ptr_array_index(b, 0), PK_ETH_HLEN, true, 30000, 1448);
	expect_segments(d[0], PK_ETH_HLEN, true, 30000, 1448);
	pk_graph_free(g);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	offload_test_register(hub_test_registry());
	g_test_add_func("/hub/l2/learning", test_learning);
	g_test_add_func("/hub/l2/flooding", test_flooding);
	g_test_add_func("/hub/l2/hairpin", test_hairpin);
	g_test_add_func("/hub/l2/bad-frames", test_bad_frames);
	g_test_add_func("/hub/l2/aging", test_aging);
	g_test_add_func("/hub/l2/table-full", test_table_full);
	g_test_add_func("/hub/l2/port-removal", test_port_removal);
	g_test_add_func("/hub/l2/port-flush", test_port_flush);
	g_test_add_func("/hub/l2/status", test_status);
	g_test_add_func("/hub/l2/many-ports", test_many_ports);
	g_test_add_func("/hub/l2/shared-buffer", test_shared_buffer);
	g_test_add_func("/hub/l2/batch", test_batch);
	g_test_add_func("/hub/l2/vlan-access-trunk", test_vlan_access_trunk);
	g_test_add_func("/hub/l2/vlan-separation", test_vlan_separation);
	g_test_add_func("/hub/l2/vlan-flood-forms", test_vlan_flood_forms);
	g_test_add_func("/hub/l2/vlan-config-errors", test_vlan_config_errors);
	g_test_add_func("/hub/l2/offload", test_offload);
	g_test_add_func("/hub/l2/offload-vlan", test_offload_vlan);
	return g_test_run();
}
