/* SPDX-License-Identifier: MIT
 * hub-test-util.h - Shared helpers of the l2.hub / l3.router tests: graphs, pipes, packets
 */
#ifndef HUB_TEST_UTIL_H
#define HUB_TEST_UTIL_H

#include <pktkit/embed/graph.h>
#include <pktkit/embed/testing.h>

/* The registry with pk-hub.so loaded (scanned once per process). */
struct pk_registry *hub_test_registry(void);

/* An empty graph on a fake clock. */
struct pk_graph *hub_test_graph(void);

/* Add a device with parameters given as JSON text (NULL for defaults); asserts success. */
struct pk_dev *hub_test_device(struct pk_graph *g, const char *id, const char *type,
			       const char *json);

/* Try to add a device that must be refused; asserts the error mentions @needle. */
void hub_test_device_fails(struct pk_graph *g, const char *id, const char *type,
			   const char *json, const char *needle);

/* Change parameters (JSON text) of a device; returns the error message or NULL. */
char *hub_test_set_config(struct pk_graph *g, const char *id, const char *json);

/* Link: device ids/endpoints; asserts success. */
void hub_test_link(struct pk_graph *g, const char *a, const char *b);

/*
 * Create n pipes "p0".."p<n-1>" of @pipe_type (capacity @capacity) and link
 * pipe i to "<dev_id>.port.i". @out (may be NULL) receives the devices.
 */
void hub_test_pipes(struct pk_graph *g, const char *dev_id, const char *pipe_type,
		    unsigned int n, unsigned int capacity, struct pk_dev **out);

/* Pop and drop everything a pipe received; returns how many. */
unsigned int hub_test_drain(struct pk_dev *pipe);

/* Pending counts of pipes 0..n-1 as a string like "0 1 1 0" (for assertions). */
char *hub_test_pending(struct pk_dev **pipes, unsigned int n);

/* Pop the single buffer a pipe must have received; asserts exactly one. */
struct pk_buf *hub_test_pop1(struct pk_dev *pipe);

/* Assert that a buffer holds exactly @len bytes equal to @want. */
void hub_test_assert_bytes(const struct pk_buf *b, const void *want, uint32_t len);

/* 02:00:00:00:hh:ll, locally administered unicast. */
void hub_test_mac(uint8_t out[6], unsigned int n);

/*
 * Build an Ethernet frame: dst, src, an optional 802.1Q tag (tci < 0: none),
 * EtherType 0x88b5 and @payload_len bytes of a pattern seeded by @seed.
 * Return: the length (buf must hold 18 + payload_len).
 */
uint32_t hub_test_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], int tci,
		      uint32_t payload_len, uint8_t seed);

/* Reference RFC 1071 checksum, written independently of libpktkit. */
uint16_t hub_test_csum(const uint8_t *p, size_t n);

/*
 * Build an IPv4 packet (UDP-ish payload of @payload_len bytes) with a valid
 * header checksum; @opt_words 32-bit words of options (NOPs).
 * Return: the length.
 */
uint32_t hub_test_ip4(uint8_t *buf, const char *src, const char *dst, uint8_t ttl,
		      uint32_t opt_words, uint32_t payload_len);

/* Build an IPv6 packet with @payload_len bytes of payload. Return: the length. */
uint32_t hub_test_ip6(uint8_t *buf, const char *src, const char *dst, uint8_t hop_limit,
		      uint32_t payload_len);

/* Register the in-test module with "test.scribbler-l2" / "test.scribbler-l3":
 * one port "io"; each received buffer is made writable and its first byte
 * inverted; hub_test_scribbled() reports whether a copy had to be made. */
void hub_test_register_scribblers(struct pk_registry *reg);

/* Of the last buffer a scribbler received: copies made, in-place writes. */
void hub_test_scribbled(struct pk_dev *dev, unsigned int *copies, unsigned int *in_place);

#endif /* HUB_TEST_UTIL_H */
