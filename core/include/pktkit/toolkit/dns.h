/* SPDX-License-Identifier: MIT
 * toolkit/dns.h - DNS codec (zero-copy message view, names, query builder, TCP framing) and sans-I/O stub resolver
 *
 * Codec. A message is the UDP payload or one TCP-unframed message (RFC 1035
 * section 4). pk_dns_parse() checks the whole message before it says yes:
 * every name (compression pointers must point strictly backwards, before
 * the start of the run of labels that led to them, at most
 * PK_DNS_MAX_PTR_HOPS of them; labels <= 63 bytes, names <= 255 bytes),
 * every count against the bytes present, every RDATA length, and the RDATA
 * of A, AAAA, CNAME and SOA records. The view points into the caller's
 * bytes, which must outlive it; nothing is allocated. Records are then read
 * with an iterator; A, AAAA, CNAME and SOA come with typed views, other
 * types as raw RDATA.
 *
 * Resolver. struct pk_dns_resolver is a stub resolver (RFC 1123 section
 * 6.1.3.1) that does no I/O, owns no thread and runs no main loop. The
 * caller:
 *  - starts a lookup with pk_dns_resolver_lookup();
 *  - after every call into the resolver, sends what pk_dns_resolver_next_query()
 *    hands out (a UDP datagram, or for TCP the framed query to write on a
 *    new connection to that server) and collects finished lookups with
 *    pk_dns_resolver_next_done();
 *  - gives every datagram received from a server, and every message read
 *    from a TCP connection it opened for the resolver (unframed, see
 *    pk_dns_tcp_unframe()), to pk_dns_resolver_input() with the address and
 *    port it came from;
 *  - calls pk_dns_resolver_timer() when pk_dns_resolver_deadline() has passed.
 *
 * Times are nanoseconds on any monotonic clock the caller chooses (a fake
 * one in tests). Addresses are in wire order, integers in host order.
 */
#ifndef PKTKIT_TOOLKIT_DNS_H
#define PKTKIT_TOOLKIT_DNS_H

#include <pktkit/addr.h>

G_BEGIN_DECLS

#define PK_DNS_PORT 53u
#define PK_DNS_HDR_LEN 12u
/* Longest name in wire form, root label included (RFC 1035 section 2.3.4). */
#define PK_DNS_NAME_MAX 255u
#define PK_DNS_LABEL_MAX 63u
/* Compression pointers followed in one name, at most. */
#define PK_DNS_MAX_PTR_HOPS 64u
/* Buffer for pk_dns_name_to_text(): every byte escaped as \DDD, plus NUL. */
#define PK_DNS_NAME_STRLEN 1024u
/* Largest UDP message without EDNS (RFC 1035 section 4.2.1). */
#define PK_DNS_UDP_MAX 512u
/* Default EDNS UDP payload size (DNS flag day 2020 recommendation). */
#define PK_DNS_EDNS_UDP_DEFAULT 1232u
/* Largest query pk_dns_build_query() writes: header, longest name, type,
 * class and an OPT record. */
#define PK_DNS_QUERY_MAX (PK_DNS_HDR_LEN + PK_DNS_NAME_MAX + 4u + 11u)
/* Bytes of the TCP length prefix (RFC 1035 section 4.2.2, RFC 7766). */
#define PK_DNS_TCP_PREFIX 2u

/* Header flag bits (the second 16-bit word). */
#define PK_DNS_F_QR 0x8000u	/* response */
#define PK_DNS_F_AA 0x0400u	/* authoritative answer */
#define PK_DNS_F_TC 0x0200u	/* truncated */
#define PK_DNS_F_RD 0x0100u	/* recursion desired */
#define PK_DNS_F_RA 0x0080u	/* recursion available */
#define PK_DNS_F_AD 0x0020u	/* authentic data (RFC 4035) */
#define PK_DNS_F_CD 0x0010u	/* checking disabled (RFC 4035) */

/* Record types used here (RFC 1035, RFC 3596, RFC 6891). */
enum pk_dns_type {
	PK_DNS_T_A = 1,
	PK_DNS_T_NS = 2,
	PK_DNS_T_CNAME = 5,
	PK_DNS_T_SOA = 6,
	PK_DNS_T_PTR = 12,
	PK_DNS_T_MX = 15,
	PK_DNS_T_TXT = 16,
	PK_DNS_T_AAAA = 28,
	PK_DNS_T_OPT = 41,
	PK_DNS_T_ANY = 255,
};

#define PK_DNS_CLASS_IN 1u

/* Response codes (header RCODE, extended by the OPT record's upper bits). */
enum pk_dns_rcode {
	PK_DNS_RCODE_NOERROR = 0,
	PK_DNS_RCODE_FORMERR = 1,
	PK_DNS_RCODE_SERVFAIL = 2,
	PK_DNS_RCODE_NXDOMAIN = 3,
	PK_DNS_RCODE_NOTIMP = 4,
	PK_DNS_RCODE_REFUSED = 5,
};

/**
 * enum pk_dns_err - Why a message or a name was refused
 * @PK_DNS_OK:			Well formed
 * @PK_DNS_E_SHORT:		Shorter than the 12-byte header
 * @PK_DNS_E_COUNTS:		The section counts need more bytes than the
 *				message has (a question takes at least 5, a
 *				record at least 11); the first question is
 *				still read if it is whole
 * @PK_DNS_E_NAME_TRUNC:	A name runs past the end of the message
 * @PK_DNS_E_LABEL_LONG:	A label length byte 64..191: a label longer than
 *				63 bytes, or an extended/reserved label type
 *				(wire); a label longer than 63 bytes (text)
 * @PK_DNS_E_NAME_LONG:		A name longer than 255 bytes in wire form
 * @PK_DNS_E_PTR_FORWARD:	A compression pointer to itself, past itself or
 *				into the header
 * @PK_DNS_E_PTR_LOOP:		A compression pointer not before the start of
 *				the labels that led to it (it would revisit
 *				them), or more than PK_DNS_MAX_PTR_HOPS pointers
 * @PK_DNS_E_RR_TRUNC:		A question's or record's fixed fields, or a
 *				record's RDATA, run past the end
 * @PK_DNS_E_RDATA:		RDATA of A (not 4 bytes), AAAA (not 16), CNAME
 *				or SOA (names and fields not exactly filling it)
 * @PK_DNS_E_OPT:		An OPT record outside the additional section, with
 *				an owner other than the root, or more than one
 * @PK_DNS_E_EMPTY_LABEL:	(text) an empty label: "a..b", ".a", ""
 * @PK_DNS_E_BAD_CHAR:		(text) a control character, space or DEL not
 *				escaped
 * @PK_DNS_E_BAD_ESCAPE:	(text) a backslash at the end, or \DDD above 255
 * @PK_DNS_E_NO_SPACE:		(building) the output buffer is too small
 */
enum pk_dns_err {
	PK_DNS_OK = 0,
	PK_DNS_E_SHORT,
	PK_DNS_E_COUNTS,
	PK_DNS_E_NAME_TRUNC,
	PK_DNS_E_LABEL_LONG,
	PK_DNS_E_NAME_LONG,
	PK_DNS_E_PTR_FORWARD,
	PK_DNS_E_PTR_LOOP,
	PK_DNS_E_RR_TRUNC,
	PK_DNS_E_RDATA,
	PK_DNS_E_OPT,
	PK_DNS_E_EMPTY_LABEL,
	PK_DNS_E_BAD_CHAR,
	PK_DNS_E_BAD_ESCAPE,
	PK_DNS_E_NO_SPACE,
};

/**
 * pk_dns_err_name() - Short kebab-case name of a result, for logs
 * @err:	Result
 *
 * Context: any thread.
 * Return: a static string ("ok", "pointer-loop", ...).
 */
const char *pk_dns_err_name(enum pk_dns_err err);

/**
 * struct pk_dns_name - A name inside a message, possibly compressed
 * @msg:	The message (or a buffer holding one uncompressed wire name)
 * @msg_len:	Its length
 * @off:	Offset of the name's first byte in @msg
 *
 * Names handed out by the parser have been checked; the functions below
 * check bounds again, so a name built by hand (pk_dns_name_wire()) is safe.
 */
struct pk_dns_name {
	const uint8_t *msg;
	uint32_t msg_len;
	uint32_t off;
};

/**
 * pk_dns_name_wire() - A name reference to an uncompressed wire name
 * @wire:	Wire name (labels, root label last)
 * @len:	Bytes at @wire
 *
 * Context: any thread.
 * Return: the reference.
 */
static inline struct pk_dns_name pk_dns_name_wire(const uint8_t *wire, uint32_t len)
{
	struct pk_dns_name n = { wire, len, 0 };

	return n;
}

/**
 * pk_dns_name_unpack() - Decompress a name into uncompressed wire form
 * @n:		Name
 * @out:	PK_DNS_NAME_MAX bytes
 * @len:	Wire length written (1 for the root)
 *
 * Context: any thread.
 * Return: PK_DNS_OK or why the name is invalid.
 */
enum pk_dns_err pk_dns_name_unpack(const struct pk_dns_name *n, uint8_t out[PK_DNS_NAME_MAX],
				   uint32_t *len);

/**
 * pk_dns_name_equal() - Compare two names, ASCII case-insensitively (RFC 4343)
 * @a:	Name
 * @b:	Name (may be in another message)
 *
 * Compression is followed on both sides; bytes outside A-Z/a-z compare
 * exactly.
 *
 * Context: any thread.
 * Return: true if both are valid and equal.
 */
bool pk_dns_name_equal(const struct pk_dns_name *a, const struct pk_dns_name *b);

/**
 * pk_dns_name_to_text() - Presentation form of a name
 * @n:		Name
 * @buf:	Destination; PK_DNS_NAME_STRLEN bytes always suffice
 * @cap:	Bytes at @buf
 *
 * Labels are joined with '.', without a trailing dot; the root is ".".
 * '.' and '\' inside a label are escaped with '\', bytes outside 0x21..0x7e
 * as \DDD (decimal).
 *
 * Context: any thread.
 * Return: length of the text (NUL not counted), or 0 if the name is invalid
 * or does not fit.
 */
size_t pk_dns_name_to_text(const struct pk_dns_name *n, char *buf, size_t cap);

/**
 * pk_dns_name_from_text() - Wire form of a host name given as text
 * @text:	NUL-terminated name; one trailing '.' is allowed, "." is the root
 * @out:	PK_DNS_NAME_MAX bytes
 * @len:	Wire length written
 *
 * Permissive like glibc's resolver: any byte from 0x21 to 0xff is taken as it
 * is (letters, digits, '-', '_', UTF-8 ...: no LDH or IDNA check; that is the
 * application's business). '\' escapes the next character (\. is a dot inside
 * a label) and \DDD is a byte in decimal. Refused: empty labels, labels over
 * 63 bytes, names over 255 bytes in wire form (253 characters of text without
 * escapes), unescaped control characters, space and DEL.
 *
 * Context: any thread.
 * Return: PK_DNS_OK or why the name was refused.
 */
enum pk_dns_err pk_dns_name_from_text(const char *text, uint8_t out[PK_DNS_NAME_MAX],
				      uint32_t *len);

/**
 * struct pk_dns_question - One entry of the question section
 * @name:	QNAME
 * @qtype:	QTYPE
 * @qclass:	QCLASS
 */
struct pk_dns_question {
	struct pk_dns_name name;
	uint16_t qtype;
	uint16_t qclass;
};

/* Sections records come from. */
enum pk_dns_section {
	PK_DNS_SEC_ANSWER = 1,
	PK_DNS_SEC_AUTHORITY = 2,
	PK_DNS_SEC_ADDITIONAL = 3,
};

/**
 * struct pk_dns_soa - Typed view of SOA RDATA
 * @mname:	Primary server
 * @rname:	Mailbox
 * @serial:	Serial
 * @refresh:	Refresh interval, s
 * @retry:	Retry interval, s
 * @expire:	Expiry, s
 * @minimum:	MINIMUM: the negative-caching TTL (RFC 2308)
 */
struct pk_dns_soa {
	struct pk_dns_name mname;
	struct pk_dns_name rname;
	uint32_t serial;
	uint32_t refresh;
	uint32_t retry;
	uint32_t expire;
	uint32_t minimum;
};

/**
 * struct pk_dns_rr - One resource record
 * @section:	Where it was found
 * @name:	Owner name
 * @type:	TYPE
 * @rclass:	CLASS (for OPT: the UDP payload size)
 * @ttl:	TTL in seconds; values with the top bit set read as 0 (RFC
 *		2181 section 8). For OPT the raw 32 bits (extended RCODE,
 *		version, flags).
 * @rdata:	RDATA, inside the message
 * @rdlen:	Its length
 * @a:		PK_DNS_T_A: the address
 * @aaaa:	PK_DNS_T_AAAA: the address
 * @cname:	PK_DNS_T_CNAME: the target
 * @soa:	PK_DNS_T_SOA: the fields
 */
struct pk_dns_rr {
	enum pk_dns_section section;
	struct pk_dns_name name;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
	union {
		struct pk_ip4 a;
		struct pk_ip6 aaaa;
		struct pk_dns_name cname;
		struct pk_dns_soa soa;
	};
};

/**
 * struct pk_dns_msg - A parsed DNS message (pointers into the caller's bytes)
 * @raw:	First byte of the message
 * @len:	Its length
 * @id:		ID
 * @flags:	Second header word (PK_DNS_F_* bits, opcode, rcode)
 * @opcode:	OPCODE (0: standard query)
 * @rcode:	RCODE, with the OPT record's extended bits when there is one
 * @qdcount:	Questions
 * @ancount:	Answer records
 * @nscount:	Authority records
 * @arcount:	Additional records
 * @has_question: @question holds the first question. Also set when
 *		pk_dns_parse() fails later in the message, so that a reply can
 *		be matched to its query before it is judged malformed.
 * @question:	First question
 * @an_off:	Offset of the first answer record
 * @end:	Offset after the last record; bytes beyond it are ignored
 * @edns:	An OPT record is present
 * @edns_udp_size: Its UDP payload size
 * @edns_version: Its version
 * @edns_do:	Its DO bit
 */
struct pk_dns_msg {
	const uint8_t *raw;
	uint32_t len;
	uint16_t id;
	uint16_t flags;
	uint8_t opcode;
	uint16_t rcode;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
	bool has_question;
	struct pk_dns_question question;
	uint32_t an_off;
	uint32_t end;
	bool edns;
	uint16_t edns_udp_size;
	uint8_t edns_version;
	bool edns_do;
};

/**
 * pk_dns_parse() - Parse and check a whole DNS message
 * @p:		First byte (UDP payload, or a TCP message without its prefix)
 * @len:	Its length
 * @m:		Filled in; on failure only the header fields (unless
 *		PK_DNS_E_SHORT) and, if @m->has_question, the first question
 *		are meaningful
 *
 * Every question and record is walked and checked (see the top of this
 * file); the iterator functions then cannot fail.
 *
 * Context: any thread.
 * Return: PK_DNS_OK, or the first problem found.
 */
enum pk_dns_err pk_dns_parse(const uint8_t *p, uint32_t len, struct pk_dns_msg *m);

/**
 * struct pk_dns_iter - Walks the questions and records of a parsed message
 * @m:		Message
 * @off:	Offset of the next entry
 * @idx:	Entries (questions first) already walked
 */
struct pk_dns_iter {
	const struct pk_dns_msg *m;
	uint32_t off;
	uint32_t idx;
};

/**
 * pk_dns_iter_init() - Start at the first question
 * @it:	Iterator
 * @m:	Message that pk_dns_parse() accepted
 *
 * Context: any thread.
 */
void pk_dns_iter_init(struct pk_dns_iter *it, const struct pk_dns_msg *m);

/**
 * pk_dns_next_question() - Next question
 * @it:	Iterator
 * @q:	Filled in
 *
 * Context: any thread.
 * Return: false when the questions are exhausted.
 */
bool pk_dns_next_question(struct pk_dns_iter *it, struct pk_dns_question *q);

/**
 * pk_dns_next_rr() - Next record of the answer, authority and additional sections
 * @it:	Iterator (questions not yet walked are skipped)
 * @rr:	Filled in
 *
 * Context: any thread.
 * Return: false after the last record.
 */
bool pk_dns_next_rr(struct pk_dns_iter *it, struct pk_dns_rr *rr);

/**
 * struct pk_dns_query_params - What pk_dns_build_query() asks
 * @id:		ID (pk_dns_random_id())
 * @qtype:	QTYPE
 * @qclass:	QCLASS; 0 means IN
 * @rd:		Set RD (recursion desired): what a stub resolver does
 * @edns_udp_size: If non-zero, add an OPT record (RFC 6891) advertising
 *		this UDP payload size (values below 512 are sent as 512)
 */
struct pk_dns_query_params {
	uint16_t id;
	uint16_t qtype;
	uint16_t qclass;
	bool rd;
	uint16_t edns_udp_size;
};

/**
 * pk_dns_build_query() - Write a query with one question
 * @out:	Destination; PK_DNS_QUERY_MAX bytes always suffice
 * @cap:	Bytes at @out
 * @qname:	Uncompressed wire name (pk_dns_name_from_text())
 * @qname_len:	Its length
 * @qp:		Parameters
 *
 * Context: any thread.
 * Return: message length, or 0 if @qname is not a valid wire name or @cap
 * is too small.
 */
uint32_t pk_dns_build_query(uint8_t *out, uint32_t cap, const uint8_t *qname, uint32_t qname_len,
			    const struct pk_dns_query_params *qp);

/**
 * pk_dns_random_id() - An unpredictable 16-bit query ID (getrandom(2))
 *
 * Context: any thread.
 */
uint16_t pk_dns_random_id(void);

/**
 * pk_dns_tcp_frame() - Prefix a message with its 2-byte length for TCP
 * @out:	Destination, @len + 2 bytes; may be @msg - 2 or overlap @msg
 * @cap:	Bytes at @out
 * @msg:	Message
 * @len:	Its length (at most 65535)
 *
 * Context: any thread.
 * Return: bytes written (@len + 2), or 0 if they do not fit.
 */
uint32_t pk_dns_tcp_frame(uint8_t *out, uint32_t cap, const uint8_t *msg, uint32_t len);

/**
 * pk_dns_tcp_unframe() - Find the first complete message in TCP stream bytes
 * @stream:	Bytes received so far (starting at a length prefix)
 * @len:	How many
 * @msg:	Set to the message, inside @stream
 * @msg_len:	Its length
 *
 * Context: any thread.
 * Return: bytes the message took with its prefix (drop them from the
 * stream), or 0 if it is not complete yet.
 */
size_t pk_dns_tcp_unframe(const uint8_t *stream, size_t len, const uint8_t **msg,
			  uint32_t *msg_len);

/* Resolver ------------------------------------------------------------------ */

/* Servers a resolver can have. */
#define PK_DNS_MAX_SERVERS 8u
/* Addresses kept per record type of a lookup; more are ignored. */
#define PK_DNS_MAX_ADDRS 32u
/* CNAME records followed in one lookup and type (within replies and across
 * re-queries together). */
#define PK_DNS_MAX_CNAME 8u

/**
 * struct pk_dns_server - Where a DNS server listens
 * @ipv6:	true for IPv6 (16 bytes of @addr), false for IPv4 (first 4)
 * @addr:	Address, wire order
 * @port:	UDP and TCP port; 0 means 53
 */
struct pk_dns_server {
	bool ipv6;
	uint8_t addr[16];
	uint16_t port;
};

/* Transport of a query or a reply. */
enum pk_dns_transport {
	PK_DNS_UDP,
	PK_DNS_TCP,
};

/* What a lookup asks for. */
enum pk_dns_family {
	PK_DNS_FAMILY_V4 = 1,	/* A */
	PK_DNS_FAMILY_V6 = 2,	/* AAAA */
	PK_DNS_FAMILY_ANY = 3,	/* A and AAAA, queried in parallel */
};

/**
 * enum pk_dns_status - State or outcome of a lookup
 * @PK_DNS_ST_PENDING:	Still running
 * @PK_DNS_ST_OK:	At least one address
 * @PK_DNS_ST_NXDOMAIN:	The name does not exist (RCODE 3)
 * @PK_DNS_ST_NODATA:	The name exists without addresses of that family
 * @PK_DNS_ST_SERVFAIL:	Every try ended, at least one with a server error
 *			(SERVFAIL, REFUSED, NOTIMP, FORMERR, ...)
 * @PK_DNS_ST_TIMEOUT:	Every try ended without an answer
 * @PK_DNS_ST_MALFORMED: Every try ended, at least one with a reply that
 *			matched the query but was malformed (and no server
 *			error)
 * @PK_DNS_ST_CNAME_LOOP: A CNAME chain loops or is longer than
 *			PK_DNS_MAX_CNAME
 * @PK_DNS_ST_LIMIT:	Too many queries in flight (16384)
 */
enum pk_dns_status {
	PK_DNS_ST_PENDING,
	PK_DNS_ST_OK,
	PK_DNS_ST_NXDOMAIN,
	PK_DNS_ST_NODATA,
	PK_DNS_ST_SERVFAIL,
	PK_DNS_ST_TIMEOUT,
	PK_DNS_ST_MALFORMED,
	PK_DNS_ST_CNAME_LOOP,
	PK_DNS_ST_LIMIT,
};

/**
 * pk_dns_status_name() - Short kebab-case name of a status, for logs
 * @st:	Status
 *
 * Context: any thread.
 */
const char *pk_dns_status_name(enum pk_dns_status st);

/**
 * struct pk_dns_resolver_config - Resolver settings
 * @servers:	Servers, tried in this order (copied)
 * @n_servers:	How many: 1..PK_DNS_MAX_SERVERS
 * @timeout_ns:	Wait for a reply to one try (UDP datagram or TCP
 *		exchange) (default 2 s)
 * @attempts:	Rounds over all servers (default 2): a query is sent at
 *		most @attempts * @n_servers times before it fails
 * @cache_size:	Cache entries (one per name and type, negative ones
 *		included) (default 256); least recently used go first
 * @no_cache:	Disable the cache
 * @max_ttl:	Longest time, s, an answer is cached (default 86400)
 * @neg_ttl:	Time, s, a negative answer without SOA is cached (default 15)
 * @max_neg_ttl: Longest time, s, any negative answer is cached (default 3600)
 * @edns_udp_size: EDNS UDP payload size offered (default 1232)
 * @no_edns:	Send no OPT record (replies are then limited to 512 bytes)
 *
 * Zero fields take the defaults.
 */
struct pk_dns_resolver_config {
	const struct pk_dns_server *servers;
	unsigned int n_servers;
	uint64_t timeout_ns;
	unsigned int attempts;
	unsigned int cache_size;
	bool no_cache;
	uint32_t max_ttl;
	uint32_t neg_ttl;
	uint32_t max_neg_ttl;
	uint16_t edns_udp_size;
	bool no_edns;
};

/**
 * struct pk_dns_resolver_stats - Resolver counters
 * @lookups:		Lookups started
 * @queries_sent:	Queries handed out by pk_dns_resolver_next_query()
 *			(UDP and TCP, first tries and retries)
 * @queries_tcp:	Of those, over TCP
 * @retries:		Tries after the first of a query (next server or
 *			round), after a timeout, send failure or bad reply
 * @timeouts:		Tries that timed out
 * @send_failures:	Tries reported by pk_dns_resolver_send_failed()
 * @replies:		Replies accepted (matched to a query)
 * @truncated:		Accepted UDP replies with TC set: query moved to TCP
 * @server_errors:	Accepted replies with a server-error RCODE
 * @edns_fallbacks:	FORMERR to a query with EDNS: resent without
 * @cname_requeries:	Queries repeated for the end of a CNAME chain
 * @drop_malformed:	Replies dropped: shorter than a header, or not a
 *			valid message but matching a query (that ends the try
 *			if it was the current one)
 * @drop_not_response:	Dropped: QR clear or opcode not QUERY
 * @drop_unknown_id:	Dropped: no query in flight with this ID
 * @drop_wrong_source:	Dropped: ID known but the address, port or
 *			transport is not one the query was sent to
 * @drop_question:	Dropped: question section does not match the query
 * @cache_hits:		Record types of a lookup answered from the cache
 *			(negative answers included)
 * @cache_misses:	Record types that had to be queried
 * @cache_evictions:	Live entries evicted to make room
 *
 * A received message is checked in the order of the drop_* counters
 * (header, QR and opcode, ID, source, question, the rest of the message)
 * and counted once, under the first check it fails.
 */
struct pk_dns_resolver_stats {
	uint64_t lookups;
	uint64_t queries_sent;
	uint64_t queries_tcp;
	uint64_t retries;
	uint64_t timeouts;
	uint64_t send_failures;
	uint64_t replies;
	uint64_t truncated;
	uint64_t server_errors;
	uint64_t edns_fallbacks;
	uint64_t cname_requeries;
	uint64_t drop_malformed;
	uint64_t drop_not_response;
	uint64_t drop_unknown_id;
	uint64_t drop_wrong_source;
	uint64_t drop_question;
	uint64_t cache_hits;
	uint64_t cache_misses;
	uint64_t cache_evictions;
};

/**
 * enum pk_dns_input_result - What pk_dns_resolver_input() did with a message
 * @PK_DNS_IN_ACCEPTED:		Matched a query and was used
 * @PK_DNS_IN_MALFORMED:	Dropped: not a valid message (if it matched a
 *				query, that try ended)
 * @PK_DNS_IN_NOT_RESPONSE:	Dropped: not a response to a standard query
 * @PK_DNS_IN_UNKNOWN_ID:	Dropped: no such query in flight
 * @PK_DNS_IN_WRONG_SOURCE:	Dropped: wrong server address, port or transport
 * @PK_DNS_IN_WRONG_QUESTION:	Dropped: question does not match
 */
enum pk_dns_input_result {
	PK_DNS_IN_ACCEPTED,
	PK_DNS_IN_MALFORMED,
	PK_DNS_IN_NOT_RESPONSE,
	PK_DNS_IN_UNKNOWN_ID,
	PK_DNS_IN_WRONG_SOURCE,
	PK_DNS_IN_WRONG_QUESTION,
};

/**
 * struct pk_dns_addr - One address a lookup found
 * @family:	4 or 6
 * @addr:	Address, wire order (IPv4: first 4 bytes)
 * @ttl:	Seconds it may still be used: the smallest TTL of the record
 *		and the CNAMEs that led to it (for cached answers, what is left)
 */
struct pk_dns_addr {
	uint8_t family;
	uint8_t addr[16];
	uint32_t ttl;
};

/**
 * struct pk_dns_outgoing - A query to send, from pk_dns_resolver_next_query()
 * @lookup:	Lookup it belongs to
 * @tag:	Identifies this try (for pk_dns_resolver_send_failed() and
 *		pk_dns_resolver_try_pending())
 * @server:	Index of the server in the configuration
 * @to:		The server's address and port (port never 0)
 * @transport:	PK_DNS_UDP: send @data as one datagram, from any local port
 *		(a fresh random one per query is best). PK_DNS_TCP: open a new
 *		connection to @to, write @data, read one framed reply
 *		(pk_dns_tcp_unframe()) and give the message to
 *		pk_dns_resolver_input() with PK_DNS_TCP; close the connection
 *		then, or when pk_dns_resolver_try_pending() says the try is
 *		over. Report a failed connect or a reset with
 *		pk_dns_resolver_send_failed().
 * @data:	The bytes: for UDP the message, for TCP the message with its
 *		2-byte length prefix. Valid until the next call into the
 *		resolver other than next_query(), next_done() and the getters.
 * @len:	Their length
 */
struct pk_dns_outgoing {
	struct pk_dns_lookup *lookup;
	uint32_t tag;
	unsigned int server;
	const struct pk_dns_server *to;
	enum pk_dns_transport transport;
	const uint8_t *data;
	uint32_t len;
};

struct pk_dns_resolver;
struct pk_dns_lookup;

/**
 * pk_dns_resolver_new() - Create a resolver
 * @cfg:	Settings (copied)
 *
 * Context: any thread; the resolver is then used from one thread at a time.
 * Return: the resolver, or NULL if @cfg has no servers or more than
 * PK_DNS_MAX_SERVERS.
 */
struct pk_dns_resolver *pk_dns_resolver_new(const struct pk_dns_resolver_config *cfg);

/**
 * pk_dns_resolver_free() - Free a resolver and every lookup it still has
 * @r:	Resolver or NULL
 *
 * Lookup handles become invalid.
 *
 * Context: the resolver's thread.
 */
void pk_dns_resolver_free(struct pk_dns_resolver *r);

/**
 * pk_dns_resolver_lookup() - Start looking up the addresses of a name
 * @r:		Resolver
 * @name:	Host name (pk_dns_name_from_text() rules); taken as fully
 *		qualified: search domains and ndots are the caller's business,
 *		and so are address literals and /etc/hosts
 * @family:	A, AAAA or both
 * @user_data:	Kept with the lookup (pk_dns_lookup_user_data())
 * @now_ns:	Current time
 * @err:	If not NULL, why @name was refused
 *
 * Record types found in the cache are answered at once; if every type is,
 * the lookup is finished before this returns (and also queued for
 * pk_dns_resolver_next_done()). Otherwise drain pk_dns_resolver_next_query().
 *
 * Context: the resolver's thread.
 * Return: the lookup, owned by the resolver until pk_dns_lookup_free(); NULL
 * if @name is invalid.
 */
struct pk_dns_lookup *pk_dns_resolver_lookup(struct pk_dns_resolver *r, const char *name,
					     enum pk_dns_family family, void *user_data,
					     uint64_t now_ns, enum pk_dns_err *err);

/**
 * pk_dns_resolver_next_query() - Next query to send, if any
 * @r:		Resolver
 * @out:	Filled in
 *
 * Call until it returns false after every call that can start tries:
 * lookup, input, timer and send_failed.
 *
 * Context: the resolver's thread.
 * Return: false if nothing is waiting to be sent.
 */
bool pk_dns_resolver_next_query(struct pk_dns_resolver *r, struct pk_dns_outgoing *out);

/**
 * pk_dns_resolver_input() - Consume a message received from a server
 * @r:		Resolver
 * @from:	Address and port it came from (for TCP: of the connection)
 * @transport:	How it came
 * @msg:	The message (TCP: without the length prefix)
 * @len:	Its length
 * @now_ns:	Current time
 *
 * A reply is used only if its ID belongs to a query in flight, it comes
 * from a server (address and port) and over a transport that query was
 * sent to, QR is set, the opcode is QUERY and its question is the query's
 * (name case-insensitively, type, class). Anything else is dropped and
 * counted; a spoofed reply cannot end a query. Late UDP replies to earlier
 * tries of the same query (other servers) are accepted.
 *
 * Context: the resolver's thread.
 * Return: what was done with it.
 */
enum pk_dns_input_result pk_dns_resolver_input(struct pk_dns_resolver *r,
					       const struct pk_dns_server *from,
					       enum pk_dns_transport transport,
					       const uint8_t *msg, uint32_t len, uint64_t now_ns);

/**
 * pk_dns_resolver_send_failed() - A try could not be sent or its TCP connection failed
 * @r:		Resolver
 * @tag:	pk_dns_outgoing.tag of the try
 * @now_ns:	Current time
 *
 * The query moves on to the next server at once instead of waiting for its
 * timeout. Unknown or finished tags are ignored.
 *
 * Context: the resolver's thread.
 */
void pk_dns_resolver_send_failed(struct pk_dns_resolver *r, uint32_t tag, uint64_t now_ns);

/**
 * pk_dns_resolver_try_pending() - Whether a try still waits for its reply
 * @r:		Resolver
 * @tag:	pk_dns_outgoing.tag of the try
 *
 * For TCP connections: close one as soon as this is false.
 *
 * Context: the resolver's thread.
 */
bool pk_dns_resolver_try_pending(const struct pk_dns_resolver *r, uint32_t tag);

/**
 * pk_dns_resolver_deadline() - When pk_dns_resolver_timer() must next be called
 * @r:	Resolver
 *
 * Context: the resolver's thread.
 * Return: absolute time in ns, or UINT64_MAX if no query waits.
 */
uint64_t pk_dns_resolver_deadline(const struct pk_dns_resolver *r);

/**
 * pk_dns_resolver_timer() - Expire the tries whose timeout has passed
 * @r:		Resolver
 * @now_ns:	Current time
 *
 * A timed-out try is followed by one to the next server (after the last
 * server, the next round starts at the first) until the attempts are
 * used up; then the query fails. Calling it early is harmless.
 *
 * Context: the resolver's thread.
 */
void pk_dns_resolver_timer(struct pk_dns_resolver *r, uint64_t now_ns);

/**
 * pk_dns_resolver_next_done() - Take a finished lookup
 * @r:	Resolver
 *
 * Each lookup is returned once, in the order they finished. It stays
 * valid until pk_dns_lookup_free().
 *
 * Context: the resolver's thread.
 * Return: the lookup, or NULL if none finished since the last call.
 */
struct pk_dns_lookup *pk_dns_resolver_next_done(struct pk_dns_resolver *r);

/**
 * pk_dns_resolver_stats() - Counters
 * @r:	Resolver
 *
 * Context: the resolver's thread.
 * Return: the counters, valid while @r lives.
 */
const struct pk_dns_resolver_stats *pk_dns_resolver_stats(const struct pk_dns_resolver *r);

/**
 * pk_dns_resolver_cache_clear() - Forget every cached answer
 * @r:	Resolver
 *
 * Context: the resolver's thread.
 */
void pk_dns_resolver_cache_clear(struct pk_dns_resolver *r);

/**
 * pk_dns_resolver_cache_count() - Entries in the cache (expired ones included
 *		until they are looked up or evicted)
 * @r:	Resolver
 *
 * Context: the resolver's thread.
 */
unsigned int pk_dns_resolver_cache_count(const struct pk_dns_resolver *r);

/**
 * pk_dns_lookup_free() - Cancel (if still running) and free a lookup
 * @l:	Lookup or NULL
 *
 * Its tries still in flight are forgotten: replies to them are dropped as
 * unknown.
 *
 * Context: the resolver's thread.
 */
void pk_dns_lookup_free(struct pk_dns_lookup *l);

/**
 * pk_dns_lookup_status() - State or outcome of a lookup
 * @l:	Lookup
 *
 * For PK_DNS_FAMILY_ANY: PK_DNS_ST_OK if either type found an address;
 * otherwise NXDOMAIN if either said so, NODATA if both did, else the A
 * query's failure (or the AAAA one's if A said NODATA).
 *
 * Context: the resolver's thread.
 */
enum pk_dns_status pk_dns_lookup_status(const struct pk_dns_lookup *l);

/**
 * pk_dns_lookup_addrs() - Addresses found (IPv4 first, then IPv6, each in
 *		the order of the reply)
 * @l:		Finished lookup
 * @n:		Number of addresses
 *
 * Sorting (RFC 6724) is the caller's business.
 *
 * Context: the resolver's thread.
 * Return: the array, valid while @l lives.
 */
const struct pk_dns_addr *pk_dns_lookup_addrs(const struct pk_dns_lookup *l, unsigned int *n);

/**
 * pk_dns_lookup_canonical_name() - The name the addresses belong to (end of
 *		the CNAME chain; the name asked for if there was none)
 * @l:		Finished lookup
 * @buf:	Destination (presentation form), PK_DNS_NAME_STRLEN bytes suffice
 * @cap:	Bytes at @buf
 *
 * Context: the resolver's thread.
 * Return: text length, 0 if it does not fit.
 */
size_t pk_dns_lookup_canonical_name(const struct pk_dns_lookup *l, char *buf, size_t cap);

/**
 * pk_dns_lookup_user_data() - The pointer given to pk_dns_resolver_lookup()
 * @l:	Lookup
 *
 * Context: the resolver's thread.
 */
void *pk_dns_lookup_user_data(const struct pk_dns_lookup *l);

G_END_DECLS

#endif /* PKTKIT_TOOLKIT_DNS_H */
