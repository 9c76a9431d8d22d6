// SPDX-License-Identifier: MIT
/* fuzz-vclient.c - libFuzzer target: arbitrary IP packets into an l3.vclient with listeners and a UDP socket */
#include <string.h>

#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>
#include <pktkit/vclient.h>

#include "fuzz-util.h"

/*
 * Input: records [len_hi, len_lo, flags, bytes...] injected as IP packets
 * from the network side. flags bit 0: advance the fake clock by
 * (flags >> 1) * 10 ms first, so retransmission, delayed-ACK, TIME-WAIT and
 * ICMP rate-limit timers run; every record also runs the vclient's flush
 * timer (it sends what connections produced). The vclient listens on TCP
 * 10.0.0.2:80 (any address) and [fd00::2]:443 (backlog 2) and has a UDP socket
 * on port 53, none of which the application ever reads: queues fill up. The
 * application accepts up to four connections on port 80 and writes to them
 * after every record (never reading), so data, retransmissions and, with
 * 'tso', super-packets go out.
 *
 * Offload: the port accepts super-packets and partial checksums, as a TUN
 * with offload hands them over. When bit 7 of len_hi is set (the length is
 * then 15 bits) five bytes of metadata follow flags: [meta, gso_size_hi,
 * gso_size_lo, csum_start, csum_offset]; meta bits 0-1: checksum 1 partial
 * (at csum_start/csum_offset), 2 verified, else none; bit 2: a super-packet
 * of gso_size, bit 3: of type TCPv6 (else TCPv4). None of it is checked
 * first, as a device may send anything. The vclient has 'tso' on, so its own
 * connections send super-packets too, which the core segments for the pipe.
 */
static struct pk_registry *fuzz_registry(void)
{
	static struct pk_registry *reg;

	if (!reg) {
		g_log_set_writer_func(g_log_writer_default, NULL, NULL);
		g_setenv("G_MESSAGES_DEBUG", "", TRUE);
		reg = pk_registry_new();
		if (!pk_vclient_register(reg, NULL))
			abort();
	}
	return reg;
}

/* The application side of port 80: accepted connections, written to. */
struct app {
	GIOStream *streams[4];
	unsigned int n;
	bool closing;
};

static struct app app;

static void app_write(void)
{
	static const uint8_t chunk[6000] = { 'x' };

	for (unsigned int i = 0; i < app.n; i++) {
		GOutputStream *o = g_io_stream_get_output_stream(app.streams[i]);

		if (G_IS_POLLABLE_OUTPUT_STREAM(o))
			g_pollable_output_stream_write_nonblocking(G_POLLABLE_OUTPUT_STREAM(o), chunk,
								   sizeof(chunk), NULL, NULL);
	}
}

static void app_accepted(GObject *obj, GAsyncResult *res, gpointer data)
{
	GIOStream *s = pk_vclient_listener_accept_finish(PK_VCLIENT_LISTENER(obj), res, NULL);

	(void)data;
	if (!s)
		return;
	if (app.closing || app.n == G_N_ELEMENTS(app.streams)) {
		g_object_unref(s);
		return;
	}
	app.streams[app.n++] = s;
	pk_vclient_listener_accept_async(PK_VCLIENT_LISTENER(obj), NULL, app_accepted, NULL);
}

/* Run what the graph's context has pending (accept completions). */
static void app_run(void)
{
	for (int i = 0; i < 16 && g_main_context_iteration(NULL, FALSE); i++)
		;
}

/* One packet with the offload metadata of @meta (see the top). */
static void inject_offload(struct pk_dev *net, const uint8_t *p, uint32_t len,
			   const uint8_t meta[5])
{
	struct pk_buf *b = pk_buf_new_copy(p, len);
	struct pk_batch batch;

	if (!b)
		return;
	pk_buf_offload_clear(b);
	if ((meta[0] & 3) == 1)
		pk_buf_set_csum_partial(b, meta[3], meta[4]);
	else if ((meta[0] & 3) == 2)
		b->csum = PK_CSUM_VERIFIED;
	if ((meta[0] & 4) && (meta[1] | meta[2]))
		pk_buf_set_gso(b, (uint16_t)(meta[1] << 8 | meta[2]),
			       (meta[0] & 8) ? PK_GSO_TCPV6 : PK_GSO_TCPV4);
	pk_batch_init(&batch);
	pk_batch_add(&batch, b);
	pk_pipe_inject_batch(net, &batch);
	pk_buf_unref(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pk_graph *g = pk_graph_new(fuzz_registry(), NULL, PK_GRAPH_FAKE_CLOCK);
	struct pk_dev *net;
	struct pk_vclient *vc;
	PkVclientListener *l4, *l6;
	PkVclientUdp *u;
	GSocketAddress *a4 = g_inet_socket_address_new_from_string("0.0.0.0", 80);
	GSocketAddress *a6 = g_inet_socket_address_new_from_string("fd00::2", 443);
	GSocketAddress *au = g_inet_socket_address_new_from_string("0.0.0.0", 53);
	size_t off = 0;

	/* The TCP secret, so sequence numbers, are the same every run: the
	 * fuzzer can learn the ones that complete a handshake. */
	g_random_set_seed(0x5eed);
	net = fuzz_add(g, "net", "core.pipe-l3", "{\"capacity\": 0}");
	fuzz_add(g, "vc", "l3.vclient",
		 "{\"addresses\": [{\"prefix\": \"10.0.0.2/24\"}, {\"prefix\": \"fd00::2/64\"}], "
		 "\"tcp-sndbuf\": 4096, \"tcp-rcvbuf\": 4096, \"tcp-max-connections\": 16, "
		 "\"tcp-max-half-open\": 4, \"udp-queue\": 4, \"tcp-time-wait\": \"50ms\", "
		 "\"tso\": true}");
	if (!pk_graph_link(g, "net", "vc", NULL) || !pk_graph_start(g, NULL))
		abort();
	vc = pk_vclient_lookup(g, "vc");
	l4 = pk_vclient_tcp_listen(vc, a4, 0, NULL);
	l6 = pk_vclient_tcp_listen(vc, a6, 2, NULL);
	u = pk_vclient_udp_new(vc, au, G_SOCKET_FAMILY_INVALID, NULL);
	if (!l4 || !l6 || !u)
		abort();
	app.closing = false;
	pk_vclient_listener_accept_async(l4, NULL, app_accepted, NULL);
	while (size - off >= 3) {
		uint32_t len = (uint32_t)data[off] << 8 | data[off + 1];
		uint8_t flags = data[off + 2], meta[5] = { 0 };
		bool offload = len & 0x8000;

		off += 3;
		if (offload) {
			if (size - off < sizeof(meta))
				break;
			memcpy(meta, data + off, sizeof(meta));
			off += sizeof(meta);
			len &= 0x7fff;
		}
		if (len > size - off)
			len = (uint32_t)(size - off);
		if (flags & 1)
			pk_graph_clock_advance(g, (uint64_t)(flags >> 1) * 10 * PK_NSEC_PER_MSEC);
		if (offload)
			inject_offload(net, data + off, len, meta);
		else
			pk_pipe_inject(net, data + off, len);
		pk_graph_clock_advance(g, 0);
		app_run();
		app_write();
		pk_graph_clock_advance(g, 0);
		off += len;
	}
	app.closing = true;
	pk_vclient_listener_close(l4);
	app_run();
	for (unsigned int i = 0; i < app.n; i++)
		g_object_unref(app.streams[i]);
	app.n = 0;
	g_object_unref(l4);
	g_object_unref(l6);
	g_object_unref(u);
	g_object_unref(a4);
	g_object_unref(a6);
	g_object_unref(au);
	pk_graph_free(g);
	return 0;
}
