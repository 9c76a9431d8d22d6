/* SPDX-License-Identifier: MIT
 * slirp-test.h - A pipe linked to an l3.slirp, and builders of guest packets, for the slirp tests
 *
 * The graph runs on the real clock in the default GMainContext: host sockets
 * are real (on loopback, through host-loopback4 10.0.2.2 / host-loopback6
 * fd00:2::2), so tests iterate the main context until what they wait for
 * arrives (slirp_test_wait()).
 */
#ifndef PK_SLIRP_TEST_H
#define PK_SLIRP_TEST_H

#include <pktkit/pktkit.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

/* The guest and the addresses of the slirp side every test uses. */
#define SLIRP_TEST_GUEST4 "10.0.2.15"
#define SLIRP_TEST_GUEST6 "fd00:2::15"
#define SLIRP_TEST_HOST4 "10.0.2.2"  /* host-loopback4: the host's 127.0.0.1 */
#define SLIRP_TEST_HOST6 "fd00:2::2" /* host-loopback6: the host's ::1 */
#define SLIRP_TEST_DNS4 "10.0.2.3"
#define SLIRP_TEST_DNS6 "fd00:2::3"

struct slirp_test {
	struct pk_registry *reg;
	struct pk_graph *g;
	struct pk_dev *pipe;  /* core.pipe-l3 "guest": what it pops, the guests got */
	struct pk_dev *slirp; /* l3.slirp "slirp" */
};

/* A started graph guest <-> slirp; @params_json: extra parameters of the
 * slirp as a JSON object text (or NULL), merged over the test defaults
 * (host-loopback4/6, dns4/6 as above). */
void slirp_test_setup(struct slirp_test *t, const char *params_json);
void slirp_test_teardown(struct slirp_test *t);
/* Iterate the main context until the pipe holds a packet or @timeout_ms
 * passed; the packet (owned by the caller) or NULL. */
struct pk_buf *slirp_test_wait(struct slirp_test *t, unsigned int timeout_ms);
/* Iterate the main context for @ms. */
void slirp_test_run(struct slirp_test *t, unsigned int ms);
/* The slirp's "flows" status field (device "slirp" of @g). */
uint64_t slirp_test_status_flows(struct pk_graph *g);
/* A counter of the slirp by name. */
uint64_t slirp_test_counter(struct slirp_test *t, const char *name);

/* Address text to bytes (4 or 16). */
void slirp_test_addr(const char *text, uint8_t *out, bool *ipv6);

/* Send the guest's IP packet with protocol @proto and transport bytes @l4
 * (checksum already right, or computed by the helpers below) from @src to
 * @dst (address texts of one family). */
void slirp_test_send(struct slirp_test *t, const char *src, const char *dst, uint8_t proto,
		     const uint8_t *l4, uint32_t l4_len);
/* A UDP datagram from the guest, checksum computed. */
void slirp_test_send_udp(struct slirp_test *t, const char *src, uint16_t sport, const char *dst,
			 uint16_t dport, const void *payload, uint32_t len);
/* A TCP segment from the guest (20-byte header, no options unless
 * @opts_len), checksum computed. */
void slirp_test_send_tcp(struct slirp_test *t, const char *src, uint16_t sport, const char *dst,
			 uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
			 const uint8_t *opts, uint32_t opts_len, const void *payload, uint32_t len);

/* What the guest received, parsed: IP version, addresses, protocol and the
 * transport bytes (pointing into @b). */
struct slirp_test_pkt {
	bool ipv6;
	uint8_t proto;
	uint8_t src[16], dst[16];
	const uint8_t *l4;
	uint32_t l4_len;
};
/* Parse @b (asserting a well-formed IP packet with right checksums). */
void slirp_test_parse(const struct pk_buf *b, struct slirp_test_pkt *out);

#endif /* PK_SLIRP_TEST_H */
