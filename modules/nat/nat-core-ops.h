/* SPDX-License-Identifier: MIT
 * nat-core-ops.h - What the ALGs and the port mapping protocols ask of the NAT core
 *
 * The contract between the connection-tracking core (nat-table, the l3.nat
 * device) and the parts that create mappings on behalf of others: the ALGs
 * (an FTP PORT command announces a connection to come) and NAT-PMP / PCP /
 * UPnP (an application asks for a port forward). Those parts are written
 * against these operations only, so they are tested with a fake core and
 * never see the table's layout.
 *
 * All addresses are IPv4 in network byte order, ports in host byte order.
 * Context: the device's context (the core is single-threaded); @core is the
 * opaque pointer the caller was given with the ops.
 */
#ifndef PK_NAT_CORE_OPS_H
#define PK_NAT_CORE_OPS_H

#include <stdbool.h>
#include <stdint.h>

/* An IPv4 transport endpoint. For ICMP echo the port is the identifier; for
 * GRE (PPTP) it is the call ID. */
struct nat_endpoint4 {
	uint32_t addr; /* network byte order; 0: any (where a wildcard is allowed) */
	uint16_t port; /* host byte order; 0: any (where a wildcard is allowed) */
};

/* Which way a packet crosses the NAT. */
enum nat_dir {
	NAT_DIR_OUT = 0, /* inside -> outside */
	NAT_DIR_IN = 1,	 /* outside -> inside */
};

/* Why the core refused a request (for the protocol's result code). */
enum nat_core_err {
	NAT_CORE_OK = 0,
	NAT_CORE_ERR_FULL,    /* the table or the port range is exhausted */
	NAT_CORE_ERR_TAKEN,   /* the asked-for outside port is in use by another inside endpoint */
	NAT_CORE_ERR_INVALID, /* protocol or endpoint the core does not translate */
};

struct nat_core_ops {
	/*
	 * map - Create (or refresh) an endpoint-independent mapping
	 * @proto:	IPPROTO_TCP, IPPROTO_UDP (IPPROTO_ICMP / 47 where it applies)
	 * @inside:	the inside endpoint (no wildcards)
	 * @want_port:	outside port asked for; 0: any (the inside port is kept when free)
	 * @exact:	true: fail with NAT_CORE_ERR_TAKEN rather than pick another port
	 * @lifetime_s:	seconds the mapping lives without traffic; 0: the protocol's
	 *		idle timeout. A mapping made here with a lifetime is a lease: it
	 *		stays until then even with no flow, and accepts inbound
	 *		connections from any remote (a port forward).
	 * @outside:	(out) the outside endpoint given
	 */
	enum nat_core_err (*map)(void *core, uint8_t proto, const struct nat_endpoint4 *inside,
				 uint16_t want_port, bool exact, uint32_t lifetime_s,
				 struct nat_endpoint4 *outside);
	/* unmap - Remove a mapping map() made, by its outside endpoint. */
	void (*unmap)(void *core, uint8_t proto, const struct nat_endpoint4 *outside);
	/*
	 * expect - Let one related connection in
	 * @proto:	its protocol
	 * @remote:	where it will come from (addr or port 0: any)
	 * @outside:	the outside endpoint it will be sent to (from map())
	 * @inside:	where the core sends it
	 * @timeout_s:	seconds the expectation waits; the first matching packet
	 *		consumes it and starts an ordinary tracked flow
	 */
	enum nat_core_err (*expect)(void *core, uint8_t proto, const struct nat_endpoint4 *remote,
				    const struct nat_endpoint4 *outside,
				    const struct nat_endpoint4 *inside, uint32_t timeout_s);
	/* outside_addr - The NAT's outside address @inside is (or would be) mapped to. */
	uint32_t (*outside_addr)(void *core, uint32_t inside_addr);
};

#endif /* PK_NAT_CORE_OPS_H */
