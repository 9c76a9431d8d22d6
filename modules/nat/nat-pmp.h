/* SPDX-License-Identifier: MIT
 * nat-pmp.h - NAT-PMP (RFC 6886) and PCP (RFC 6887) server without I/O
 *
 * One server answers both protocols on UDP port 5351 of the NAT's inside
 * address: version 0 is NAT-PMP, version 2 is PCP, any other version gets
 * PCP's UNSUPP_VERSION. Mappings are leases in a table the two share
 * (nat-lease.h), made through the NAT core's nat_core_ops.
 *
 * The device feeds each datagram to nat_pmp_server_handle() and sends the
 * reply (if any) back to the client's address and port; it arms a timer for
 * nat_pmp_server_next_deadline() and calls nat_pmp_server_tick(), then
 * multicasts what nat_pmp_server_announcements() gives (to 224.0.0.1:5350,
 * and ff02::1:5350 when asked).
 *
 * Times are the device clock in nanoseconds (pk_dev_now()).
 * Context: the device's context; a server is single-threaded.
 */
#ifndef PK_NAT_PMP_H
#define PK_NAT_PMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nat-core-ops.h"
#include "nat-lease.h"

#define NAT_PMP_SERVER_PORT 5351 /* where requests arrive */
#define NAT_PMP_CLIENT_PORT 5350 /* where announcements go */
#define NAT_PMP_REPLY_MAX 1100	 /* the largest reply (PCP's limit) */

/* NAT-PMP result codes (RFC 6886 §3.5). */
enum nat_pmp_result {
	NAT_PMP_SUCCESS = 0,
	NAT_PMP_UNSUPP_VERSION = 1,
	NAT_PMP_NOT_AUTHORIZED = 2,
	NAT_PMP_NETWORK_FAILURE = 3,
	NAT_PMP_NO_RESOURCES = 4,
	NAT_PMP_UNSUPP_OPCODE = 5,
};

/* A client address as PCP carries it: IPv6, or IPv4 as ::ffff:a.b.c.d. */
struct nat_pmp_addr {
	uint8_t b[16];
};

/* The IPv4-mapped form of @addr (network byte order). */
static inline struct nat_pmp_addr nat_pmp_addr_v4(uint32_t addr)
{
	struct nat_pmp_addr a = { .b = { [10] = 0xff, [11] = 0xff } };

	memcpy(&a.b[12], &addr, 4);
	return a;
}

/* Whether @a is IPv4-mapped; then *@v4 is its address (network byte order). */
static inline bool nat_pmp_addr_is_v4(const struct nat_pmp_addr *a, uint32_t *v4)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a->b, pre, 12) != 0)
		return false;
	memcpy(v4, &a->b[12], 4);
	return true;
}

/**
 * struct nat_pmp_config - How a server is set up
 * @policy:		What clients may map (copied)
 * @outside_addr:	The NAT's outside IPv4 address, network order; 0: none yet
 *			(mapping requests then fail with NETWORK_FAILURE)
 * @announce_ipv6:	Also announce PCP restarts to ff02::1:5350
 */
struct nat_pmp_config {
	struct nat_lease_policy policy;
	uint32_t outside_addr;
	bool announce_ipv6;
};

/**
 * struct nat_pmp_datagram - An unsolicited announcement to multicast
 * @ipv6:	false: to 224.0.0.1; true: to ff02::1
 * @port:	Destination UDP port (NAT_PMP_CLIENT_PORT)
 * @len:	Bytes in @data
 * @data:	The UDP payload
 */
struct nat_pmp_datagram {
	bool ipv6;
	uint16_t port;
	uint16_t len;
	uint8_t data[24];
};

/* Datagrams one announcement round gives at most: NAT-PMP and PCP over IPv4, PCP over IPv6. */
#define NAT_PMP_ANNOUNCE_BATCH 3

struct nat_pmp_server;

/**
 * nat_pmp_server_new() - Start a server: epoch 0, announcements scheduled
 * @cfg:	Configuration (copied)
 * @ops:	The NAT core's operations (borrowed; must outlive the server)
 * @core:	Their first argument
 * @now:	Clock (ns): the start of the epoch
 *
 * With an outside address, the first announcement round is due at @now.
 *
 * Context: device context. Return: the server (free with nat_pmp_server_free()).
 */
struct nat_pmp_server *nat_pmp_server_new(const struct nat_pmp_config *cfg,
					  const struct nat_core_ops *ops, void *core, uint64_t now);

/**
 * nat_pmp_server_free() - Unmap every lease and free the server
 * Context: device context. @s may be NULL.
 */
void nat_pmp_server_free(struct nat_pmp_server *s);

/**
 * nat_pmp_server_handle() - Answer one request datagram
 * @s:		Server
 * @client:	Source address of the datagram (IPv4-mapped for IPv4)
 * @req:	UDP payload (borrowed)
 * @len:	Its length
 * @now:	Clock (ns)
 * @reply:	(out) the reply's UDP payload, to the datagram's source address and port
 * @cap:	Room in @reply; at least NAT_PMP_REPLY_MAX or nothing is answered
 *
 * Creates, renews and deletes leases through the core as asked.
 *
 * Context: device context. Return: bytes of reply, 0: send nothing (the
 * RFCs say some inputs get no answer: responses, runts, NAT-PMP over IPv6).
 */
size_t nat_pmp_server_handle(struct nat_pmp_server *s, const struct nat_pmp_addr *client,
			     const uint8_t *req, size_t len, uint64_t now, uint8_t *reply,
			     size_t cap);

/**
 * nat_pmp_server_next_deadline() - When nat_pmp_server_tick() or
 * nat_pmp_server_announcements() next has work
 * Context: device context. Return: clock time (ns); UINT64_MAX: none.
 */
uint64_t nat_pmp_server_next_deadline(const struct nat_pmp_server *s);

/**
 * nat_pmp_server_tick() - Expire the leases whose time has come (unmap each once)
 * Context: device context. Return: leases expired.
 */
unsigned nat_pmp_server_tick(struct nat_pmp_server *s, uint64_t now);

/**
 * nat_pmp_server_announcements() - The announcements due at @now
 * @s:		Server
 * @now:	Clock (ns)
 * @out:	(out) up to NAT_PMP_ANNOUNCE_BATCH datagrams to multicast
 *
 * After a start or an address change the server announces its epoch ten
 * times, 250 ms apart first, each gap twice the one before (RFC 6886
 * §3.2.1; PCP's ANNOUNCE, RFC 6887 §14.1.3, uses the same schedule here).
 *
 * Context: device context. Return: datagrams filled in (0: none due).
 */
unsigned nat_pmp_server_announcements(struct nat_pmp_server *s, uint64_t now,
				      struct nat_pmp_datagram out[NAT_PMP_ANNOUNCE_BATCH]);

/**
 * nat_pmp_server_set_outside_addr() - The NAT's outside address changed
 * @s:		Server
 * @addr:	New address, network order; 0: lost
 * @now:	Clock (ns)
 *
 * Mappings on the old address are gone: every lease is unmapped, the epoch
 * starts again at @now and, with an address, a new announcement round is
 * scheduled so clients renew. The same address again changes nothing.
 *
 * Context: device context.
 */
void nat_pmp_server_set_outside_addr(struct nat_pmp_server *s, uint32_t addr, uint64_t now);

/**
 * nat_pmp_server_epoch() - Seconds since the start of the epoch at @now
 * Context: device context.
 */
uint32_t nat_pmp_server_epoch(const struct nat_pmp_server *s, uint64_t now);

/**
 * nat_pmp_server_leases() - The lease table, read-only (for status rows)
 * Context: device context. Return: borrowed; valid until the next call that changes leases.
 */
const struct nat_lease_table *nat_pmp_server_leases(const struct nat_pmp_server *s);

#endif /* PK_NAT_PMP_H */
