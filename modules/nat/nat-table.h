/* SPDX-License-Identifier: MIT
 * nat-table.h - NAT44 connection tracking: mappings, flows, port allocation, filtering, timeouts
 *
 * The sans-I/O core of l3.nat. A mapping binds an inside endpoint (address,
 * port or ICMP identifier) to an outside one (endpoint-independent mapping,
 * RFC 4787 REQ-1); a flow is one conversation of a mapping with one remote
 * endpoint, with its protocol state and idle timeout. Both live in pools
 * allocated when the table is made (bounded memory, no allocation per
 * packet) and are found through chained hash tables of indices.
 *
 * Time is a `now` argument in nanoseconds (the device's pk_dev_now()), so a
 * test drives it with a fake clock. Addresses are IPv4 in network byte order
 * (as uint32_t read with memcpy from the header), ports in host order.
 *
 * Context: single-threaded; the owner's context. Nothing here blocks or
 * allocates after nat_table_new().
 */
#ifndef PK_NAT_TABLE_H
#define PK_NAT_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "nat-core-ops.h"

#define NAT_NONE UINT32_MAX
/* Mappings the pool holds beyond max-flows, for port forwards and leases. */
#define NAT_STATIC_RESERVE 1024u
/* Most outside addresses. */
#define NAT_MAX_OUTSIDE 16u
/* Pending expectations (nat_core_ops.expect) at most. */
#define NAT_MAX_EXPECT 64u
/* Fragment tracking: entries of the direct-mapped table, and their lifetime. */
#define NAT_FRAG_SLOTS 1024u
#define NAT_FRAG_TIMEOUT_NS (30ull * 1000000000ull)

enum nat_filtering {
	NAT_FILTER_EI = 0, /* endpoint-independent */
	NAT_FILTER_AD,	   /* address-dependent */
	NAT_FILTER_APD,	   /* address-and-port-dependent */
};

/* TCP states (a reduced RFC 9293 view as a middlebox sees it). */
enum nat_tcp_state {
	NAT_TCP_NONE = 0, /* UDP and ICMP flows */
	NAT_TCP_SYN_SENT, /* SYN from the initiator only */
	NAT_TCP_SYN_RECV, /* SYN answered by SYN+ACK */
	NAT_TCP_ESTABLISHED,
	NAT_TCP_FIN_WAIT, /* FIN from one side */
	NAT_TCP_CLOSING,  /* FIN from both sides */
	NAT_TCP_CLOSED,	  /* RST seen */
};

/* Why a packet was not translated (the device counts each). */
enum nat_verdict {
	NAT_OK = 0,
	NAT_DROP_NO_MAPPING,	  /* inbound to an outside endpoint nobody holds */
	NAT_DROP_FILTERED,	  /* mapping exists, filtering refuses this remote */
	NAT_DROP_TABLE_FULL,	  /* a new flow refused: max-flows reached */
	NAT_DROP_PORTS_EXHAUSTED, /* a new mapping refused: no free outside port */
	NAT_DROP_TCP_NOT_SYN,	  /* inbound TCP without a flow that is not a SYN */
};

struct nat_params {
	uint32_t outside[NAT_MAX_OUTSIDE]; /* outside addresses, network order */
	uint32_t n_outside;
	uint16_t port_lo, port_hi; /* TCP/UDP outside port range */
	bool port_preserve;	   /* keep the inside port when free */
	bool port_parity;	   /* keep the inside port's parity */
	uint32_t filtering;	   /* enum nat_filtering */
	uint32_t max_flows;
	uint64_t tcp_est_ns, tcp_trans_ns, udp_ns, icmp_ns;
	uint32_t seed; /* hash seed */
};

/* A 5-tuple as seen on one side of the NAT. */
struct nat_tuple {
	uint32_t src, dst;
	uint16_t sport, dport; /* ICMP echo: the identifier in both */
	uint8_t proto;
};

/*
 * The ALG hook points of a flow: an ALG that claims a flow stores itself
 * and its state here; a TCP flow whose payload an ALG resizes keeps a
 * sequence offset per direction (nat-seqadj). Unused by the core.
 */
struct nat_alg;
struct nat_flow_alg {
	const struct nat_alg *alg;
	void *state;
	int32_t seq_delta[2];  /* per enum nat_dir, for sequence adjustment */
	uint32_t seq_after[2]; /* sequence number from which the delta applies */
};

struct nat_mapping {
	uint32_t in_addr, out_addr;
	uint16_t in_port, out_port;
	uint8_t proto;
	bool is_static; /* a port forward: stays until removed */
	bool open;	/* a lease from map() with a lifetime: any remote may come in */
	bool used;
	uint16_t in_ifindex; /* inside port index the host is behind */
	uint32_t n_flows;
	uint64_t lease_until;	    /* a lease (map() with a lifetime): lives until then; 0: none */
	uint32_t next_in, next_out; /* hash chains */
	uint32_t first_flow;	    /* this mapping's flows */
};

struct nat_flow {
	uint32_t mapping;
	uint32_t rem_addr;
	uint16_t rem_port;
	uint8_t tcp_state;
	uint8_t seen; /* bit per enum nat_dir that has carried a packet */
	uint8_t fin;  /* bit per enum nat_dir that has sent a FIN */
	bool used;
	uint64_t expires;
	uint64_t created;
	uint64_t packets[2];
	uint32_t next_in, next_out; /* hash chains (inside key, outside key) */
	uint32_t next_m, prev_m;    /* the mapping's list */
	struct nat_flow_alg alg;
};

struct nat_expect {
	uint8_t proto;
	bool used;
	uint32_t rem_addr; /* 0: any */
	uint16_t rem_port; /* 0: any */
	struct nat_endpoint4 outside, inside;
	uint64_t expires;
};

/* How a fragment's first piece was rewritten (for those that follow). */
struct nat_frag {
	uint32_t src, dst; /* before translation */
	uint16_t id;
	uint8_t proto;
	uint8_t dir;
	uint32_t new_src, new_dst;
	uint16_t out_if; /* where it went: NAT_IF_OUTSIDE or an inside port index */
	uint64_t expires;
};

#define NAT_IF_OUTSIDE 0xffffu

struct nat_table_stats {
	uint64_t flows_created, flows_expired;
};

/*
 * The result of translating one packet: the new tuple and where it goes.
 * @flow: the flow (index) or NAT_NONE; @mapping likewise.
 */
struct nat_xlate_res {
	struct nat_tuple t; /* translated tuple */
	uint32_t flow, mapping;
	uint16_t in_ifindex; /* inbound: inside port to use */
};

struct nat_table;

/**
 * nat_table_new() - Allocate a table and its pools
 * @p:	Parameters (copied)
 *
 * Context: cold. Return: (transfer full) the table.
 */
struct nat_table *nat_table_new(const struct nat_params *p);
void nat_table_free(struct nat_table *t);
/* Change the timeouts, filtering and port choice (not max-flows nor addresses). */
void nat_table_set_params(struct nat_table *t, const struct nat_params *p);
const struct nat_params *nat_table_params(const struct nat_table *t);

/**
 * nat_table_outbound() - Find or create the flow of a packet from inside
 * @t:		Table
 * @in:		The packet's tuple (inside view)
 * @tcp_flags:	TCP flags of the packet (0 for other protocols)
 * @ifindex:	Inside port it arrived on
 * @now:	Clock
 * @out:	The translated tuple and flow
 *
 * Context: owner context, hot path.
 * Return: NAT_OK, or why the packet must be dropped.
 */
enum nat_verdict nat_table_outbound(struct nat_table *t, const struct nat_tuple *in,
				    uint8_t tcp_flags, uint16_t ifindex, uint64_t now,
				    struct nat_xlate_res *out);

/**
 * nat_table_inbound() - Find (or, where filtering allows, create) the flow of a packet from outside
 * @t:		Table
 * @in:		The packet's tuple (outside view: dst is one of ours)
 * @tcp_flags:	TCP flags (0 for other protocols)
 * @now:	Clock
 * @out:	The translated tuple, flow and inside port
 *
 * Context: owner context, hot path.
 */
enum nat_verdict nat_table_inbound(struct nat_table *t, const struct nat_tuple *in,
				   uint8_t tcp_flags, uint64_t now, struct nat_xlate_res *out);

/**
 * nat_table_lookup_flow() - The flow of a tuple, without creating or refreshing anything
 * @t:	Table
 * @dir: Side @tp was seen on: NAT_DIR_OUT (inside view) or NAT_DIR_IN (outside view)
 * @tp:	Tuple
 * @now: Clock (expired flows are not found)
 * @out: Translated tuple when found
 *
 * For the packet quoted in an ICMP error. Context: owner context, hot path.
 * Return: true if found.
 */
bool nat_table_lookup_flow(struct nat_table *t, enum nat_dir dir, const struct nat_tuple *tp,
			   uint64_t now, struct nat_xlate_res *out);

/* Whether @addr (network order) is one of the outside addresses. */
bool nat_table_is_outside(const struct nat_table *t, uint32_t addr);
/* The outside address of an inside host (paired pooling: always the same one). */
uint32_t nat_table_outside_for(const struct nat_table *t, uint32_t in_addr);

/**
 * nat_table_expire() - Free flows, mappings and expectations whose time has come
 * @t:		Table
 * @now:	Clock
 *
 * Context: owner context (a timer). Return: flows freed.
 */
uint32_t nat_table_expire(struct nat_table *t, uint64_t now);
/* Remove every flow and every mapping that is not static or a lease. */
void nat_table_flush(struct nat_table *t);

/*
 * Static mappings (port forwards). nat_table_static_check() tells whether
 * nat_table_static_add() would succeed; @in_use_by (may be NULL) gets the
 * conflicting mapping's inside endpoint.
 */
enum nat_core_err nat_table_static_check(struct nat_table *t, uint8_t proto,
					 const struct nat_endpoint4 *outside,
					 const struct nat_endpoint4 *inside,
					 struct nat_endpoint4 *in_use_by);
enum nat_core_err nat_table_static_add(struct nat_table *t, uint8_t proto,
				       const struct nat_endpoint4 *outside,
				       const struct nat_endpoint4 *inside, uint16_t ifindex);
void nat_table_static_remove(struct nat_table *t, uint8_t proto,
			     const struct nat_endpoint4 *outside);

/* The nat_core_ops on this table; @core is the struct nat_table. The caller
 * sets the clock for them with nat_table_set_now() before each call. */
extern const struct nat_core_ops nat_table_core_ops;
void nat_table_set_now(struct nat_table *t, uint64_t now);
/* The inside port index (inside.N) the hosts of the next core ops calls are
 * behind: a mapping map() makes sends inbound traffic there. Default 0. */
void nat_table_set_ops_ifindex(struct nat_table *t, uint16_t ifindex);

/* Fragments: remember how the first fragment went; look it up for the rest. */
void nat_table_frag_note(struct nat_table *t, const struct nat_frag *f, uint64_t now);
const struct nat_frag *nat_table_frag_find(struct nat_table *t, uint8_t dir, uint32_t src,
					   uint32_t dst, uint8_t proto, uint16_t id, uint64_t now);

/* Iteration for status: the flow at pool index @i if in use (else NULL). */
uint32_t nat_table_capacity(const struct nat_table *t);
uint32_t nat_table_mapping_capacity(const struct nat_table *t);
const struct nat_flow *nat_table_flow_at(const struct nat_table *t, uint32_t i);
const struct nat_mapping *nat_table_mapping_at(const struct nat_table *t, uint32_t i);
struct nat_flow *nat_table_flow_mut(struct nat_table *t, uint32_t i);
uint32_t nat_table_n_flows(const struct nat_table *t);
uint32_t nat_table_n_mappings(const struct nat_table *t);
const struct nat_table_stats *nat_table_stats(const struct nat_table *t);
/* The idle timeout a flow has now (its protocol and state). */
uint64_t nat_table_flow_timeout(const struct nat_table *t, const struct nat_flow *f);
/* Memory held by the table (constant after nat_table_new()). */
size_t nat_table_memory(const struct nat_table *t);

const char *nat_tcp_state_name(uint8_t state);

#endif /* PK_NAT_TABLE_H */
