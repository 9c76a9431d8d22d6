/* SPDX-License-Identifier: MIT
 * toolkit/dhcp.h - DHCPv4 / BOOTP codec: zero-copy message view, option access, builder, framing
 *
 * Sans-I/O and shared by the DHCP server module and the adapter's DHCP client.
 * A message is the UDP payload (RFC 2131 section 2): a 236-byte fixed header,
 * the magic cookie 99.130.83.99 and options (RFC 2132). Parsing checks every
 * length before it reads; the view points into the caller's bytes, which must
 * outlive it. Options may be split over several instances and over the sname
 * and file fields (option overload, 52); pk_dhcp_opt_data() concatenates the
 * instances of one code as RFC 3396 says, copying only when there is more
 * than one.
 *
 * Addresses (struct pk_ip4) are in wire order; integer values are host order.
 */
#ifndef PKTKIT_TOOLKIT_DHCP_H
#define PKTKIT_TOOLKIT_DHCP_H

#include <pktkit/addr.h>
#include <pktkit/buf.h>

G_BEGIN_DECLS

#define PK_DHCP_SERVER_PORT 67u
#define PK_DHCP_CLIENT_PORT 68u

#define PK_DHCP_FIXED_LEN 236u	/* op .. file */
#define PK_DHCP_MIN_LEN 240u	/* fixed header + magic cookie */
#define PK_DHCP_BOOTP_MIN_LEN 300u	/* replies are padded to this (RFC 1542) */
/* Longest message pk_dhcp_parse() accepts: bigger ones are refused as oversized. */
#define PK_DHCP_MAX_LEN 4096u
/* What every client must accept (RFC 2131 section 2: 576-byte IP datagram). */
#define PK_DHCP_DEFAULT_MAX_MSG 548u
#define PK_DHCP_MAGIC 0x63825363u
/* Bytes of Ethernet + IPv4 + UDP headers pk_dhcp_frame_wrap() prepends. */
#define PK_DHCP_FRAME_HLEN 42u

/* Offsets in the fixed header. */
#define PK_DHCP_OFF_SNAME 44u
#define PK_DHCP_SNAME_LEN 64u
#define PK_DHCP_OFF_FILE 108u
#define PK_DHCP_FILE_LEN 128u

#define PK_DHCP_OP_REQUEST 1u	/* BOOTREQUEST */
#define PK_DHCP_OP_REPLY 2u	/* BOOTREPLY */
#define PK_DHCP_HTYPE_ETHER 1u
#define PK_DHCP_FLAG_BROADCAST 0x8000u

/* Message types (option 53). */
enum pk_dhcp_type {
	PK_DHCP_DISCOVER = 1,
	PK_DHCP_OFFER = 2,
	PK_DHCP_REQUEST = 3,
	PK_DHCP_DECLINE = 4,
	PK_DHCP_ACK = 5,
	PK_DHCP_NAK = 6,
	PK_DHCP_RELEASE = 7,
	PK_DHCP_INFORM = 8,
};

/* Option codes (RFC 2132, RFC 3442). */
enum pk_dhcp_option {
	PK_DHCP_OPT_PAD = 0,
	PK_DHCP_OPT_SUBNET_MASK = 1,
	PK_DHCP_OPT_ROUTER = 3,
	PK_DHCP_OPT_DNS = 6,
	PK_DHCP_OPT_HOSTNAME = 12,
	PK_DHCP_OPT_DOMAIN = 15,
	PK_DHCP_OPT_MTU = 26,
	PK_DHCP_OPT_BROADCAST = 28,
	PK_DHCP_OPT_REQUESTED_IP = 50,
	PK_DHCP_OPT_LEASE_TIME = 51,
	PK_DHCP_OPT_OVERLOAD = 52,
	PK_DHCP_OPT_MSG_TYPE = 53,
	PK_DHCP_OPT_SERVER_ID = 54,
	PK_DHCP_OPT_PARAM_LIST = 55,
	PK_DHCP_OPT_MESSAGE = 56,
	PK_DHCP_OPT_MAX_MSG_SIZE = 57,
	PK_DHCP_OPT_T1 = 58,
	PK_DHCP_OPT_T2 = 59,
	PK_DHCP_OPT_VENDOR_CLASS = 60,
	PK_DHCP_OPT_CLIENT_ID = 61,
	PK_DHCP_OPT_CLASSLESS_ROUTES = 121,
	PK_DHCP_OPT_END = 255,
};

/* Bits of option 52's value: which header fields also carry options. */
#define PK_DHCP_OVERLOAD_FILE 1u
#define PK_DHCP_OVERLOAD_SNAME 2u

/**
 * enum pk_dhcp_err - Why a message or frame was refused
 * @PK_DHCP_OK:			Well formed
 * @PK_DHCP_E_SHORT:		Shorter than the fixed header and cookie
 * @PK_DHCP_E_LONG:		Longer than PK_DHCP_MAX_LEN
 * @PK_DHCP_E_COOKIE:		Magic cookie missing
 * @PK_DHCP_E_HEADER:		Bad op or hardware address length (> 16)
 * @PK_DHCP_E_OPTIONS:		An option's length runs past its area, or an
 *				option is missing its length byte
 * @PK_DHCP_E_NOT_DHCP:		(frames) not untagged Ethernet/IPv4/UDP to port
 *				67 or 68
 * @PK_DHCP_E_BAD_IP:		(frames) IPv4 header malformed, bad header
 *				checksum, or a fragment
 * @PK_DHCP_E_BAD_UDP:		(frames) UDP length or checksum wrong
 */
enum pk_dhcp_err {
	PK_DHCP_OK = 0,
	PK_DHCP_E_SHORT,
	PK_DHCP_E_LONG,
	PK_DHCP_E_COOKIE,
	PK_DHCP_E_HEADER,
	PK_DHCP_E_OPTIONS,
	PK_DHCP_E_NOT_DHCP,
	PK_DHCP_E_BAD_IP,
	PK_DHCP_E_BAD_UDP,
};

/* One area options live in: the options field, then file, then sname (RFC 3396). */
struct pk_dhcp_area {
	const uint8_t *p;
	uint32_t len;
};

/**
 * struct pk_dhcp_msg - A parsed DHCP message (pointers into the caller's bytes)
 * @raw:	First byte of the message
 * @len:	Its length
 * @op:		PK_DHCP_OP_REQUEST or PK_DHCP_OP_REPLY
 * @htype:	Hardware type (1 for Ethernet)
 * @hlen:	Hardware address length, 0..16
 * @hops:	Relay hops
 * @xid:	Transaction id
 * @secs:	Seconds since the client began
 * @flags:	Flags (PK_DHCP_FLAG_BROADCAST)
 * @ciaddr:	Client address (4 bytes in the message)
 * @yiaddr:	"Your" address
 * @siaddr:	Next server address
 * @giaddr:	Relay agent address
 * @chaddr:	Client hardware address (16 bytes, @hlen of them meaningful)
 * @sname:	Server host name field (64 bytes), or NULL when it carries options
 * @file:	Boot file field (128 bytes), or NULL when it carries options
 * @overload:	Value of option 52 (PK_DHCP_OVERLOAD_* bits), 0 if absent
 * @msg_type:	Value of option 53 (enum pk_dhcp_type), 0 if absent or not
 *		one byte long: a BOOTP message
 * @n_areas:	Entries used in @areas (1..3)
 * @areas:	Option areas in RFC 3396 order
 */
struct pk_dhcp_msg {
	const uint8_t *raw;
	uint32_t len;
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	const uint8_t *ciaddr;
	const uint8_t *yiaddr;
	const uint8_t *siaddr;
	const uint8_t *giaddr;
	const uint8_t *chaddr;
	const uint8_t *sname;
	const uint8_t *file;
	uint8_t overload;
	uint8_t msg_type;
	uint8_t n_areas;
	struct pk_dhcp_area areas[3];
};

/**
 * pk_dhcp_parse() - Parse a DHCP/BOOTP message
 * @p:		First byte (the UDP payload)
 * @len:	Its length
 * @m:		Filled in on success; undefined on failure
 *
 * Checks the length (PK_DHCP_MIN_LEN..PK_DHCP_MAX_LEN), op, hlen <= 16 and
 * the magic cookie, then walks every option area: pad and end are honoured,
 * an option whose length byte is missing or whose data runs past its area
 * makes the whole message invalid. An area without an end option ends at its
 * last byte. Option 52 is honoured only in the options field.
 *
 * Context: any thread.
 * Return: PK_DHCP_OK, or why the message was refused.
 */
enum pk_dhcp_err pk_dhcp_parse(const uint8_t *p, uint32_t len, struct pk_dhcp_msg *m);

/**
 * pk_dhcp_err_name() - Short kebab-case name of a parse result, for logs
 * @err:	Result
 *
 * Context: any thread.
 * Return: a static string ("ok", "short", "bad-cookie", ...).
 */
const char *pk_dhcp_err_name(enum pk_dhcp_err err);

/**
 * struct pk_dhcp_opt_iter - Walks every option instance of a parsed message
 * @m:		Message
 * @area:	Current area index
 * @off:	Offset in the current area
 */
struct pk_dhcp_opt_iter {
	const struct pk_dhcp_msg *m;
	uint32_t area;
	uint32_t off;
};

/**
 * pk_dhcp_opt_iter_init() - Start walking the options of @m
 * @it:	Iterator
 * @m:	Message parsed by pk_dhcp_parse()
 *
 * Context: any thread.
 */
void pk_dhcp_opt_iter_init(struct pk_dhcp_opt_iter *it, const struct pk_dhcp_msg *m);

/**
 * pk_dhcp_opt_next() - Next option instance (pad and end are skipped)
 * @it:		Iterator
 * @code:	Option code
 * @data:	Its data, inside the message
 * @len:	Its length (0..255)
 *
 * Instances come in RFC 3396 order: options field, file, sname.
 *
 * Context: any thread.
 * Return: false at the end.
 */
bool pk_dhcp_opt_next(struct pk_dhcp_opt_iter *it, uint8_t *code, const uint8_t **data,
		      uint8_t *len);

/**
 * pk_dhcp_opt_data() - The value of an option, its instances concatenated (RFC 3396)
 * @m:		Message
 * @code:	Option code (not pad or end)
 * @scratch:	Where to concatenate when the option occurs more than once;
 *		may be NULL if @scratch_size is 0
 * @scratch_size:	Bytes at @scratch
 * @len:	Length of the value
 *
 * Zero-copy for a single instance: the result points into the message.
 *
 * Context: any thread.
 * Return: the value (possibly empty, then non-NULL), or NULL if the option is
 * absent or its instances do not fit in @scratch.
 */
const uint8_t *pk_dhcp_opt_data(const struct pk_dhcp_msg *m, uint8_t code, uint8_t *scratch,
				uint32_t scratch_size, uint32_t *len);

/**
 * pk_dhcp_opt_has() - Whether an option is present
 * @m:		Message
 * @code:	Option code
 *
 * Context: any thread.
 */
bool pk_dhcp_opt_has(const struct pk_dhcp_msg *m, uint8_t code);

/**
 * pk_dhcp_get_ip4() - An option holding exactly one IPv4 address
 * @m:		Message
 * @code:	Option code (50, 54, 1, 28, ...)
 * @out:	The address
 *
 * Context: any thread.
 * Return: false if absent or not 4 bytes long.
 */
bool pk_dhcp_get_ip4(const struct pk_dhcp_msg *m, uint8_t code, struct pk_ip4 *out);

/**
 * pk_dhcp_get_ip4_list() - An option holding a list of IPv4 addresses (3, 6, ...)
 * @m:		Message
 * @code:	Option code
 * @out:	Up to @max addresses
 * @max:	Room in @out
 *
 * Context: any thread.
 * Return: addresses stored (at most @max); 0 if absent, empty or not a
 * multiple of 4 bytes long.
 */
uint32_t pk_dhcp_get_ip4_list(const struct pk_dhcp_msg *m, uint8_t code, struct pk_ip4 *out,
			      uint32_t max);

/**
 * pk_dhcp_get_u32() - An option holding a 32-bit number (51, 58, 59)
 * @m:		Message
 * @code:	Option code
 * @out:	Value, host order
 *
 * Context: any thread.
 * Return: false if absent or not 4 bytes long.
 */
bool pk_dhcp_get_u32(const struct pk_dhcp_msg *m, uint8_t code, uint32_t *out);

/**
 * pk_dhcp_get_u16() - An option holding a 16-bit number (26, 57)
 * @m:		Message
 * @code:	Option code
 * @out:	Value, host order
 *
 * Context: any thread.
 * Return: false if absent or not 2 bytes long.
 */
bool pk_dhcp_get_u16(const struct pk_dhcp_msg *m, uint8_t code, uint16_t *out);

/**
 * pk_dhcp_get_str() - A text option (12, 15, 56) as a C string
 * @m:		Message
 * @code:	Option code
 * @buf:	Receives the text, NUL-terminated; at most 256 bytes are used
 *		per instance, so 256 holds any single-instance option
 * @size:	Bytes at @buf (at least 1)
 *
 * Trailing NULs some clients send are dropped. A value with an embedded NUL,
 * or longer than @size - 1, is refused.
 *
 * Context: any thread.
 * Return: the length of the text, or -1 if absent or refused (@buf is then "").
 */
int pk_dhcp_get_str(const struct pk_dhcp_msg *m, uint8_t code, char *buf, size_t size);

/* Convenience accessors; same results as the generic ones above. */
static inline bool pk_dhcp_requested_ip(const struct pk_dhcp_msg *m, struct pk_ip4 *out)
{
	return pk_dhcp_get_ip4(m, PK_DHCP_OPT_REQUESTED_IP, out);
}
static inline bool pk_dhcp_server_id(const struct pk_dhcp_msg *m, struct pk_ip4 *out)
{
	return pk_dhcp_get_ip4(m, PK_DHCP_OPT_SERVER_ID, out);
}
static inline bool pk_dhcp_subnet_mask(const struct pk_dhcp_msg *m, struct pk_ip4 *out)
{
	return pk_dhcp_get_ip4(m, PK_DHCP_OPT_SUBNET_MASK, out);
}
static inline bool pk_dhcp_broadcast_addr(const struct pk_dhcp_msg *m, struct pk_ip4 *out)
{
	return pk_dhcp_get_ip4(m, PK_DHCP_OPT_BROADCAST, out);
}
static inline bool pk_dhcp_lease_time(const struct pk_dhcp_msg *m, uint32_t *out)
{
	return pk_dhcp_get_u32(m, PK_DHCP_OPT_LEASE_TIME, out);
}
static inline bool pk_dhcp_t1(const struct pk_dhcp_msg *m, uint32_t *out)
{
	return pk_dhcp_get_u32(m, PK_DHCP_OPT_T1, out);
}
static inline bool pk_dhcp_t2(const struct pk_dhcp_msg *m, uint32_t *out)
{
	return pk_dhcp_get_u32(m, PK_DHCP_OPT_T2, out);
}
static inline bool pk_dhcp_mtu(const struct pk_dhcp_msg *m, uint16_t *out)
{
	return pk_dhcp_get_u16(m, PK_DHCP_OPT_MTU, out);
}
static inline uint32_t pk_dhcp_routers(const struct pk_dhcp_msg *m, struct pk_ip4 *out,
				       uint32_t max)
{
	return pk_dhcp_get_ip4_list(m, PK_DHCP_OPT_ROUTER, out, max);
}
static inline uint32_t pk_dhcp_dns_servers(const struct pk_dhcp_msg *m, struct pk_ip4 *out,
					   uint32_t max)
{
	return pk_dhcp_get_ip4_list(m, PK_DHCP_OPT_DNS, out, max);
}
static inline int pk_dhcp_hostname(const struct pk_dhcp_msg *m, char *buf, size_t size)
{
	return pk_dhcp_get_str(m, PK_DHCP_OPT_HOSTNAME, buf, size);
}
static inline int pk_dhcp_domain(const struct pk_dhcp_msg *m, char *buf, size_t size)
{
	return pk_dhcp_get_str(m, PK_DHCP_OPT_DOMAIN, buf, size);
}
/* Client identifier (61) and parameter request list (55): raw bytes, see pk_dhcp_opt_data(). */
static inline const uint8_t *pk_dhcp_client_id(const struct pk_dhcp_msg *m, uint8_t *scratch,
					       uint32_t scratch_size, uint32_t *len)
{
	return pk_dhcp_opt_data(m, PK_DHCP_OPT_CLIENT_ID, scratch, scratch_size, len);
}
static inline const uint8_t *pk_dhcp_param_list(const struct pk_dhcp_msg *m, uint8_t *scratch,
						uint32_t scratch_size, uint32_t *len)
{
	return pk_dhcp_opt_data(m, PK_DHCP_OPT_PARAM_LIST, scratch, scratch_size, len);
}

/**
 * pk_dhcp_param_requested() - Whether option 55 asks for @code
 * @m:		Message
 * @code:	Option code
 *
 * Context: any thread.
 */
bool pk_dhcp_param_requested(const struct pk_dhcp_msg *m, uint8_t code);

/**
 * struct pk_dhcp_route - One classless static route (option 121, RFC 3442)
 * @dest:	Destination network (host bits zero)
 * @len:	Prefix length, 0..32
 * @via:	Router
 */
struct pk_dhcp_route {
	struct pk_ip4 dest;
	uint8_t len;
	struct pk_ip4 via;
};

/**
 * pk_dhcp_get_routes() - Decode option 121
 * @m:		Message
 * @out:	Up to @max routes
 * @max:	Room in @out
 *
 * Context: any thread.
 * Return: routes in the option (stored up to @max), 0 if absent, -1 if the
 * option is malformed (a prefix length above 32 or a truncated entry; RFC
 * 3442 says to ignore the whole option then).
 */
int pk_dhcp_get_routes(const struct pk_dhcp_msg *m, struct pk_dhcp_route *out, uint32_t max);

/* Building messages ------------------------------------------------------ */

/**
 * struct pk_dhcp_header - Fixed header fields for pk_dhcp_build_init()
 * @op:		PK_DHCP_OP_REQUEST or PK_DHCP_OP_REPLY
 * @htype:	Hardware type; 0 means Ethernet (1)
 * @hlen:	Hardware address length; 0 means 6
 * @hops:	Relay hops
 * @xid:	Transaction id
 * @secs:	Seconds
 * @flags:	Flags
 * @ciaddr:	Client address
 * @yiaddr:	"Your" address
 * @siaddr:	Next server
 * @giaddr:	Relay agent
 * @chaddr:	Client hardware address (@hlen bytes used, rest zero)
 */
struct pk_dhcp_header {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	struct pk_ip4 ciaddr;
	struct pk_ip4 yiaddr;
	struct pk_ip4 siaddr;
	struct pk_ip4 giaddr;
	uint8_t chaddr[16];
};

/**
 * struct pk_dhcp_builder - Writes a message into a caller's buffer
 * @buf:	Start of the message
 * @size:	Room at @buf
 * @len:	Bytes written so far
 * @overflow:	Something did not fit; pk_dhcp_build_finish() then fails
 */
struct pk_dhcp_builder {
	uint8_t *buf;
	uint32_t size;
	uint32_t len;
	bool overflow;
};

/**
 * pk_dhcp_build_init() - Write the fixed header and cookie
 * @b:		Builder
 * @buf:	Output, at least PK_DHCP_MIN_LEN + 1 bytes for a useful message
 * @size:	Bytes at @buf (use PK_DHCP_DEFAULT_MAX_MSG unless the peer said more)
 * @h:		Header fields
 *
 * sname and file are zeroed.
 *
 * Context: any thread.
 */
void pk_dhcp_build_init(struct pk_dhcp_builder *b, uint8_t *buf, uint32_t size,
			const struct pk_dhcp_header *h);

/**
 * pk_dhcp_put_opt() - Append an option; longer than 255 bytes splits it (RFC 3396)
 * @b:		Builder
 * @code:	Option code (not pad or end)
 * @data:	Value
 * @len:	Its length (0 allowed)
 *
 * Room for the end option is always kept.
 *
 * Context: any thread.
 * Return: false (and @b->overflow set) if it does not fit; nothing is written then.
 */
bool pk_dhcp_put_opt(struct pk_dhcp_builder *b, uint8_t code, const void *data, uint32_t len);

/**
 * pk_dhcp_put_u8() - Append a one-byte option (53, ...)
 * @b:		Builder
 * @code:	Option code
 * @v:		Value
 *
 * Context: any thread.
 * Return: false if it does not fit.
 */
bool pk_dhcp_put_u8(struct pk_dhcp_builder *b, uint8_t code, uint8_t v);

/**
 * pk_dhcp_put_u16() - Append a 16-bit option (26, 57)
 * @b:		Builder
 * @code:	Option code
 * @v:		Value, host order
 *
 * Context: any thread.
 * Return: false if it does not fit.
 */
bool pk_dhcp_put_u16(struct pk_dhcp_builder *b, uint8_t code, uint16_t v);

/**
 * pk_dhcp_put_u32() - Append a 32-bit option (51, 58, 59)
 * @b:		Builder
 * @code:	Option code
 * @v:		Value, host order
 *
 * Context: any thread.
 * Return: false if it does not fit.
 */
bool pk_dhcp_put_u32(struct pk_dhcp_builder *b, uint8_t code, uint32_t v);

/**
 * pk_dhcp_put_ip4() - Append an option holding one address (1, 28, 50, 54)
 * @b:		Builder
 * @code:	Option code
 * @a:		Address
 *
 * Context: any thread.
 * Return: false if it does not fit.
 */
bool pk_dhcp_put_ip4(struct pk_dhcp_builder *b, uint8_t code, const struct pk_ip4 *a);

/**
 * pk_dhcp_put_ip4_list() - Append an option holding addresses (3, 6)
 * @b:		Builder
 * @code:	Option code
 * @a:		Addresses
 * @n:		How many (nothing is written for 0)
 *
 * Context: any thread.
 * Return: false if it does not fit.
 */
bool pk_dhcp_put_ip4_list(struct pk_dhcp_builder *b, uint8_t code, const struct pk_ip4 *a,
			  uint32_t n);

/**
 * pk_dhcp_put_str() - Append a text option (12, 15, 56), without a NUL
 * @b:		Builder
 * @code:	Option code
 * @s:		Text (nothing is written for NULL or "")
 *
 * Context: any thread.
 * Return: false if it does not fit.
 */
bool pk_dhcp_put_str(struct pk_dhcp_builder *b, uint8_t code, const char *s);

/**
 * pk_dhcp_put_routes() - Append option 121 in the compact encoding of RFC 3442
 * @b:		Builder
 * @r:		Routes (host bits of @dest beyond @len are not sent)
 * @n:		How many (nothing is written for 0)
 *
 * Context: any thread.
 * Return: false if it does not fit or a length is above 32.
 */
bool pk_dhcp_put_routes(struct pk_dhcp_builder *b, const struct pk_dhcp_route *r, uint32_t n);

/**
 * pk_dhcp_build_finish() - Append the end option and pad to 300 bytes (BOOTP)
 * @b:		Builder
 *
 * Padding stops at @b->size if that is smaller.
 *
 * Context: any thread.
 * Return: the message length, or 0 if anything overflowed.
 */
uint32_t pk_dhcp_build_finish(struct pk_dhcp_builder *b);

/* Framing: Ethernet + IPv4 + UDP --------------------------------------------- */

/**
 * struct pk_dhcp_addrs - Addresses of a DHCP frame
 * @src_mac:	Ethernet source
 * @dst_mac:	Ethernet destination
 * @src_ip:	IPv4 source (0.0.0.0 for a client without an address)
 * @dst_ip:	IPv4 destination (255.255.255.255 for a broadcast)
 * @src_port:	UDP source port, host order
 * @dst_port:	UDP destination port, host order
 */
struct pk_dhcp_addrs {
	struct pk_mac src_mac;
	struct pk_mac dst_mac;
	struct pk_ip4 src_ip;
	struct pk_ip4 dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
};

/**
 * pk_dhcp_frame_wrap() - Prepend UDP, IPv4 and Ethernet headers to a message in @b
 * @b:		Writable buffer whose data is a DHCP message, with at least
 *		PK_DHCP_FRAME_HLEN bytes of headroom (pool buffers have 128)
 * @a:		Addresses
 *
 * Fills the IPv4 header (TTL 64, DF clear, header checksum) and the UDP
 * checksum (never 0).
 *
 * Context: any thread.
 * Return: false, changing nothing, if the headroom is too small or the
 * message is longer than a UDP datagram may be.
 */
bool pk_dhcp_frame_wrap(struct pk_buf *b, const struct pk_dhcp_addrs *a);

/**
 * pk_dhcp_frame_build() - Write a whole frame (headers + message) into bytes
 * @out:	Output
 * @size:	Bytes at @out
 * @a:		Addresses
 * @msg:	DHCP message
 * @len:	Its length
 *
 * Like pk_dhcp_frame_wrap(), for callers (tests, clients) without a pk_buf.
 *
 * Context: any thread.
 * Return: the frame length, or 0 if it does not fit in @size.
 */
uint32_t pk_dhcp_frame_build(uint8_t *out, uint32_t size, const struct pk_dhcp_addrs *a,
			     const uint8_t *msg, uint32_t len);

/**
 * pk_dhcp_buf_new() - A pool buffer to build a message in, then wrap
 * @b:		Builder, initialised on the buffer's data with @h
 * @size:	Most bytes the message may take (e.g. PK_DHCP_DEFAULT_MAX_MSG)
 * @h:		Header fields
 *
 * Build options with @b, then pk_dhcp_buf_finish() and pk_dhcp_frame_wrap().
 *
 * Context: any thread.
 * Return: a buffer with one reference owned by the caller, or NULL.
 */
struct pk_buf *pk_dhcp_buf_new(struct pk_dhcp_builder *b, uint32_t size,
			       const struct pk_dhcp_header *h);

/**
 * pk_dhcp_buf_finish() - pk_dhcp_build_finish() and trim the buffer to the message
 * @buf:	Buffer from pk_dhcp_buf_new()
 * @b:		Its builder
 *
 * Context: any thread.
 * Return: false if the message overflowed (drop the buffer).
 */
bool pk_dhcp_buf_finish(struct pk_buf *buf, struct pk_dhcp_builder *b);

/**
 * struct pk_dhcp_frame - A parsed Ethernet/IPv4/UDP frame carrying DHCP
 * @eth_dst:	Ethernet destination (6 bytes in the frame)
 * @eth_src:	Ethernet source
 * @ip_src:	IPv4 source (4 bytes in the frame)
 * @ip_dst:	IPv4 destination
 * @src_port:	UDP source port
 * @dst_port:	UDP destination port
 * @msg:	The DHCP message
 */
struct pk_dhcp_frame {
	const uint8_t *eth_dst;
	const uint8_t *eth_src;
	const uint8_t *ip_src;
	const uint8_t *ip_dst;
	uint16_t src_port;
	uint16_t dst_port;
	struct pk_dhcp_msg msg;
};

/**
 * pk_dhcp_is_candidate() - Cheap test: untagged IPv4/UDP to port @port?
 * @frame:	Ethernet frame
 * @len:	Its length
 * @port:	UDP destination port (67 for servers, 68 for clients)
 *
 * For demultiplexing before pk_dhcp_frame_parse(); checks no checksum.
 *
 * Context: any thread, hot path.
 */
bool pk_dhcp_is_candidate(const uint8_t *frame, uint32_t len, uint16_t port);

/**
 * pk_dhcp_frame_parse() - Parse an Ethernet frame carrying a DHCP message
 * @frame:	Ethernet frame (untagged)
 * @len:	Its length (padding after the IP packet is ignored)
 * @f:		Filled in on success
 *
 * Checks the IPv4 header and its checksum (fragments are refused), the UDP
 * length and checksum (when not 0), a destination port of 67 or 68, then
 * pk_dhcp_parse()s the payload.
 *
 * Context: any thread.
 * Return: PK_DHCP_OK or the reason for refusal.
 */
enum pk_dhcp_err pk_dhcp_frame_parse(const uint8_t *frame, uint32_t len,
				     struct pk_dhcp_frame *f);

G_END_DECLS

#endif /* PKTKIT_TOOLKIT_DHCP_H */
