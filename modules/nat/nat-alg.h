/* SPDX-License-Identifier: MIT
 * nat-alg.h - Application-level gateways: the interface between the NAT core and each helper
 *
 * An ALG looks into the payload of a tracked flow on its control port (FTP's
 * 21, TFTP's 69, ...), asks the core for the mappings and expectations the
 * protocol announces (a PORT command: "connect to me there") and rewrites the
 * inside addresses and ports the payload names into their outside mapping.
 *
 * Sans-I/O: process() gets one packet's L4 payload and the flow's endpoints,
 * calls the core only through struct nat_core_ops, and returns a verdict. The
 * core owns the packet, the per-flow state block (state_size bytes) and the
 * TCP sequence adjustment (nat-seqadj.h) a length change needs.
 *
 * A helper never rewrites blindly: a malformed or truncated payload passes
 * unchanged (NAT_ALG_MALFORMED, the core counts it); an address in the
 * payload that is not the flow's own inside address is never mapped (an
 * inside host cannot open a port for another one); a payload is either
 * rewritten completely or not at all.
 *
 * Context: the NAT device's context (single-threaded), hot path for
 * process() (no allocation, no locks).
 */
#ifndef PK_NAT_ALG_H
#define PK_NAT_ALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat-core-ops.h"

/* Protocols an ALG watches (struct nat_alg.protos). */
#define NAT_ALG_PROTO_TCP 0x1u
#define NAT_ALG_PROTO_UDP 0x2u

/* The most a rewrite grows one payload; the core gives process() at least
 * len + NAT_ALG_GROW_MAX of capacity where it can (less works: a rewrite
 * that does not fit is refused, the packet passes unchanged). */
#define NAT_ALG_GROW_MAX 256

/* Seconds an expectation waits for its connection. */
#define NAT_ALG_EXPECT_TIMEOUT_S 60

/**
 * enum nat_alg_verdict - What process() did with a payload
 * @NAT_ALG_PASS:	Nothing to rewrite (it may have created expectations);
 *			forward the packet as it is.
 * @NAT_ALG_REWRITTEN:	The payload was rewritten in place; *len is its new
 *			length (possibly different: see nat-seqadj.h).
 * @NAT_ALG_MALFORMED:	The payload looks like the protocol's but does not
 *			parse (or is truncated); unchanged, forward it and
 *			count it (counter alg-malformed).
 * @NAT_ALG_REFUSED:	Well-formed, but not translated: it names an
 *			address other than the flow's inside one, the core
 *			refused a mapping or expectation, or the rewrite did
 *			not fit in @cap. Unchanged; forward and count it
 *			(counter alg-refused).
 */
enum nat_alg_verdict {
	NAT_ALG_PASS = 0,
	NAT_ALG_REWRITTEN,
	NAT_ALG_MALFORMED,
	NAT_ALG_REFUSED,
};

/**
 * struct nat_alg_ctx - One packet of a tracked flow, as an ALG sees it
 * @ops:	The core's operations (map, expect, ...)
 * @core:	Their opaque first argument
 * @state:	The flow's ALG state: state_size bytes the core allocated with
 *		the flow and passed to init() (NULL when state_size is 0)
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @dir:	NAT_DIR_OUT: the packet goes inside -> outside (its payload
 *		was written by the inside host); NAT_DIR_IN: the reverse
 * @server_inside: false: the inside host is the client (it connected to
 *		the remote's control port); true: the inside host is the
 *		server, reached through a port forward
 * @inside:	The flow's inside endpoint (the inside host's own address)
 * @outside:	Its outside mapping (the NAT's address and port)
 * @remote:	The outside peer
 * @seq:	TCP: sequence number of the payload's first byte as its
 *		sender wrote it (before any sequence adjustment); 0 for UDP
 * @now_ms:	The device's clock, milliseconds
 */
struct nat_alg_ctx {
	const struct nat_core_ops *ops;
	void *core;
	void *state;
	uint8_t proto;
	enum nat_dir dir;
	bool server_inside;
	struct nat_endpoint4 inside;
	struct nat_endpoint4 outside;
	struct nat_endpoint4 remote;
	uint32_t seq;
	uint64_t now_ms;
};

/**
 * struct nat_alg - An application-level gateway
 * @name:	Its name in the device's "algs" parameter ("ftp")
 * @protos:	NAT_ALG_PROTO_TCP and/or NAT_ALG_PROTO_UDP
 * @default_port: The control port it watches unless configured otherwise
 * @state_size:	Bytes of per-flow state (0: none)
 * @init:	Set up a flow's state (NULL: the core zeroes it)
 * @fini:	Release what the state holds when the flow ends (NULL: nothing)
 * @process:	Look at one packet's L4 payload (see below)
 *
 * process(ctx, payload, len, cap): @payload holds *@len bytes and may be
 * written up to @cap bytes. Returns a verdict; on NAT_ALG_REWRITTEN, *@len
 * is the new length (<= @cap). On any other verdict the payload is
 * unchanged, byte for byte.
 */
struct nat_alg {
	const char *name;
	unsigned protos;
	uint16_t default_port;
	size_t state_size;
	void (*init)(void *state);
	void (*fini)(void *state, const struct nat_core_ops *ops, void *core);
	enum nat_alg_verdict (*process)(const struct nat_alg_ctx *ctx, uint8_t *payload,
					size_t *len, size_t cap);
};

extern const struct nat_alg nat_alg_ftp;
extern const struct nat_alg nat_alg_tftp;
extern const struct nat_alg nat_alg_irc;
extern const struct nat_alg nat_alg_sip;
extern const struct nat_alg nat_alg_pptp;
extern const struct nat_alg nat_alg_h323;

/**
 * nat_alg_builtin() - The ALGs this build has
 *
 * Return: a NULL-terminated array of pointers to static descriptors.
 * Context: any thread.
 */
const struct nat_alg *const *nat_alg_builtin(void);

/**
 * nat_alg_find() - An ALG by name
 * @name:	As in the "algs" parameter, case-sensitive ("ftp", "tftp", "irc", "sip", "pptp",
 *		"h323")
 *
 * Return: the static descriptor, or NULL if there is none by that name.
 * Context: any thread.
 */
const struct nat_alg *nat_alg_find(const char *name);

/**
 * nat_alg_handles() - Whether @alg watches transport protocol @proto
 * @alg:	An ALG
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 *
 * Context: any thread.
 */
bool nat_alg_handles(const struct nat_alg *alg, uint8_t proto);

/* --- Shared by the ALG implementations (nat-alg.c): pure, Context: any thread --- */

/* One replacement in a payload: bytes [off, off + len) become text. */
struct nat_alg_edit {
	size_t off;
	size_t len;
	size_t text_len;
	char text[48];
};

/*
 * nat_alg_apply_edits - Apply @n edits, sorted by offset and not overlapping
 * Return: true and *len updated; false (payload untouched) when the result
 * would exceed @cap.
 */
bool nat_alg_apply_edits(uint8_t *payload, size_t *len, size_t cap,
			 const struct nat_alg_edit *edits, size_t n);

/* Parse 1..@maxdig decimal digits at p[*i] (no sign, no leading '+') into
 * *v, <= @max. Leading zeros are accepted. Advances *i. */
bool nat_alg_parse_dec(const uint8_t *p, size_t len, size_t *i, unsigned maxdig, uint32_t max,
		       uint32_t *v);

/* Parse a dotted-quad IPv4 address at p[*i] into *addr (network order). */
bool nat_alg_parse_dotted(const uint8_t *p, size_t len, size_t *i, uint32_t *addr);

/* Format @addr (network order) as a dotted quad with separator @sep ('.' or
 * ','); returns the length written (at most 15, no NUL). */
size_t nat_alg_fmt_addr(char *out, uint32_t addr, char sep);

/* Format @v in decimal; returns the length written (no NUL). */
size_t nat_alg_fmt_dec(char *out, uint32_t v);

#endif /* PK_NAT_ALG_H */
