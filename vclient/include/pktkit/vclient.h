/* SPDX-License-Identifier: MIT
 * vclient.h - Virtual client: a user-space host with TCP and UDP sockets on a pktkit L3 port
 *
 * An `l3.vclient` device is a host of its own on the virtual network: it owns
 * the addresses in its configuration, answers ICMP/ICMPv6 echo, sends RST for
 * closed TCP ports and ICMP port-unreachable for closed UDP ports, and runs
 * the libpktkit TCP engine for its connections. This library (libpktkit-
 * vclient-1) implements the device type and gives applications sockets on it,
 * integrated with the GLib main loop and GIO:
 *
 *  - TCP: pk_vclient_tcp_connect_async() and PkVclientListener yield GIOStream
 *    objects. Their input and output streams are pollable, so GIO's async API
 *    (g_input_stream_read_async(), g_output_stream_write_all_async(),
 *    g_output_stream_splice_async(), GDataInputStream, ...) works on them.
 *  - UDP: PkVclientUdp, bound or connected datagram sockets.
 *  - DNS: pk_vclient_resolver_new() returns a GResolver (PkVclientResolver)
 *    resolving over the virtual network: g_resolver_lookup_by_name_async()
 *    and ..._with_flags_async() ask the given servers for A and AAAA records
 *    with the libpktkit stub resolver (pktkit/toolkit/dns.h: retries over several
 *    servers, CNAME chains, TCP after a truncated reply, a TTL-respecting
 *    cache). Each lookup sends from its own random UDP port. Synchronous,
 *    reverse, SRV and record lookups fail with G_IO_ERROR_NOT_SUPPORTED.
 *
 * Threading: a vclient, its sockets and their streams belong to the thread
 * that runs the graph's GMainContext. Call everything here from that thread;
 * async callbacks run there too. Synchronous reads and writes never block:
 * with nothing to read (or no room to write) they fail with
 * G_IO_ERROR_WOULD_BLOCK, so use the async or pollable API.
 *
 * Lifetime: socket objects hold no reference on the device. When the device
 * stops or is removed, its sockets fail with G_IO_ERROR_CLOSED (streams) or
 * G_IO_ERROR_NOT_CONNECTED; they stay valid objects until unreffed.
 */
#ifndef PKTKIT_VCLIENT_H
#define PKTKIT_VCLIENT_H

#include <gio/gio.h>
#include <pktkit/embed/graph.h>
#include <pktkit/embed/registry.h>
#include <pktkit/toolkit/tcp.h>

G_BEGIN_DECLS

/* Name of the device type this library implements. */
#define PK_VCLIENT_TYPE_NAME "l3.vclient"

struct pk_vclient;

/**
 * pk_vclient_register() - Make "l3.vclient" known to a registry
 * @reg:	Registry
 * @error:	Set when the registry refuses it (e.g. a type of that name
 *		came first from another module)
 *
 * Needed only when the registry does not find the pk-vclient module on its
 * module path. Registering twice is harmless.
 *
 * Context: main context.
 * Return: true if the type is (now) available from this library.
 */
bool pk_vclient_register(struct pk_registry *reg, GError **error);

/**
 * pk_vclient_module_info() - The module descriptor of the l3.vclient type
 *
 * The one description of the type and its module: pk_vclient_register()
 * adds it to a registry, and the pk-vclient module's pk_module_query()
 * returns it, so applications and topologies see the same type, version and
 * ABI numbers.
 *
 * Context: any thread.
 * Return: (transfer none) static data.
 * Since: 1.2
 */
const struct pk_module_info *pk_vclient_module_info(void);

/**
 * pk_vclient_from_dev() - The virtual client behind a device
 * @dev:	A device of the graph (pk_graph_lookup())
 *
 * Context: the graph's context thread.
 * Return: (transfer none) the vclient, valid until the device is removed, or
 * NULL when @dev is not an l3.vclient of this library.
 */
struct pk_vclient *pk_vclient_from_dev(struct pk_dev *dev);

/**
 * pk_vclient_lookup() - pk_vclient_from_dev(pk_graph_lookup(@g, @id))
 * @g:		Graph
 * @id:		Device id
 *
 * Context: the graph's context thread.
 * Return: (transfer none) the vclient or NULL.
 */
struct pk_vclient *pk_vclient_lookup(struct pk_graph *g, const char *id);

/**
 * pk_vclient_is_running() - Whether the device is started (sockets work)
 * @vc:	Virtual client
 *
 * Context: the graph's context thread.
 */
bool pk_vclient_is_running(const struct pk_vclient *vc);

/**
 * pk_vclient_dup_addresses() - The addresses the vclient owns now
 * @vc:	Virtual client
 *
 * The configured ones, then those the link published (use-link-info),  as
 * strings with a full-length prefix: "10.0.0.2/32", "fd00::2/128".
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a NULL-terminated array; g_strfreev() it.
 */
char **pk_vclient_dup_addresses(const struct pk_vclient *vc);

/**
 * pk_vclient_dup_dns_servers() - DNS servers the link published (e.g. from a DHCP lease)
 * @vc:	Virtual client
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a NULL-terminated array of address strings, maybe
 * empty; g_strfreev() it.
 */
char **pk_vclient_dup_dns_servers(const struct pk_vclient *vc);

/**
 * pk_vclient_tcp_stats() - Counters of the vclient's TCP engine
 * @vc:	Virtual client
 *
 * Context: the graph's context thread.
 * Return: (transfer none) the counters, valid while the device lives.
 */
const struct pk_tcp_stats *pk_vclient_tcp_stats(const struct pk_vclient *vc);

/**
 * pk_vclient_tcp_connections() - Connections that exist in the engine now
 * @vc:	Virtual client
 *
 * Includes those in TIME-WAIT and those not yet accepted.
 *
 * Context: the graph's context thread.
 */
guint pk_vclient_tcp_connections(const struct pk_vclient *vc);

/* TCP streams ---------------------------------------------------------- */

/**
 * struct pk_vclient_tcp_options - Per-socket settings (socket options)
 * @size:	sizeof(struct pk_vclient_tcp_options): the struct may grow
 * @sndbuf:	Send buffer bytes (0: the device's tcp-sndbuf; 1 KiB .. 64 MiB)
 * @rcvbuf:	Receive buffer bytes, the largest window (0: tcp-rcvbuf)
 * @nodelay:	Disable Nagle's algorithm
 * @keepalive_idle_s: Keepalive idle seconds (0: off); see
 *		pk_vclient_stream_set_keepalive()
 * @keepalive_intvl_s: Seconds between probes (0: 75)
 * @keepalive_count: Probes before the connection fails (0: 9)
 *
 * Buffer sizes are fixed when a connection is created, so they are given
 * here, to pk_vclient_tcp_connect_full_async() or pk_vclient_tcp_listen_full()
 * (every connection the listener accepts gets them).
 */
struct pk_vclient_tcp_options {
	guint32 size;
	guint32 sndbuf;
	guint32 rcvbuf;
	gboolean nodelay;
	guint32 keepalive_idle_s;
	guint32 keepalive_intvl_s;
	guint32 keepalive_count;
};

#define PK_TYPE_VCLIENT_STREAM (pk_vclient_stream_get_type())
G_DECLARE_FINAL_TYPE(PkVclientStream, pk_vclient_stream, PK, VCLIENT_STREAM, GIOStream)

/**
 * pk_vclient_tcp_connect_async() - Open a TCP connection
 * @vc:		Virtual client
 * @remote:	A GInetSocketAddress (IPv4 or IPv6); the local address is the
 *		vclient's first address of that family (IPv6: a link-local
 *		one for link-local destinations), the port a random free one
 * @cancellable: Or NULL
 * @callback:	Called on the graph's context when connected or failed
 * @user_data:	For @callback
 *
 * Errors: G_IO_ERROR_CONNECTION_REFUSED (RST), G_IO_ERROR_TIMED_OUT,
 * G_IO_ERROR_HOST_UNREACHABLE (no address of that family),
 * G_IO_ERROR_ADDRESS_IN_USE (no free port), G_IO_ERROR_NOT_CONNECTED (the
 * device is not running), G_IO_ERROR_CANCELLED.
 *
 * Context: the graph's context thread.
 */
void pk_vclient_tcp_connect_async(struct pk_vclient *vc, GSocketAddress *remote,
				  GCancellable *cancellable, GAsyncReadyCallback callback,
				  gpointer user_data);

/**
 * pk_vclient_tcp_connect_full_async() - pk_vclient_tcp_connect_async() with socket options
 * @vc:		Virtual client
 * @remote:	As for pk_vclient_tcp_connect_async()
 * @opts:	Options (copied), or NULL for the device's defaults
 * @cancellable: Or NULL
 * @callback:	Called on the graph's context
 * @user_data:	For @callback
 *
 * Finish with pk_vclient_tcp_connect_finish().
 *
 * Context: the graph's context thread.
 */
void pk_vclient_tcp_connect_full_async(struct pk_vclient *vc, GSocketAddress *remote,
				       const struct pk_vclient_tcp_options *opts,
				       GCancellable *cancellable, GAsyncReadyCallback callback,
				       gpointer user_data);

/**
 * pk_vclient_tcp_connect_finish() - Result of pk_vclient_tcp_connect_async()
 * @vc:		Virtual client
 * @result:	From the callback
 * @error:	Set on failure
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a PkVclientStream, or NULL.
 */
GIOStream *pk_vclient_tcp_connect_finish(struct pk_vclient *vc, GAsyncResult *result,
					 GError **error);

/**
 * pk_vclient_stream_shutdown_write() - Send FIN after the queued data (half-close)
 * @stream:	Stream
 * @error:	Set when the connection is already reset or closed
 *
 * Reading goes on until the peer closes too. Closing the output stream does
 * the same.
 *
 * Context: the graph's context thread.
 * Return: true on success.
 */
gboolean pk_vclient_stream_shutdown_write(PkVclientStream *stream, GError **error);

/**
 * pk_vclient_stream_set_nodelay() - Disable (true) or enable Nagle's algorithm
 * @stream:	Stream
 * @nodelay:	New setting
 *
 * Context: the graph's context thread.
 */
void pk_vclient_stream_set_nodelay(PkVclientStream *stream, gboolean nodelay);

/**
 * pk_vclient_stream_set_keepalive() - Probe an idle connection, abort it when the peer is gone
 * @stream:	Stream
 * @idle_s:	Seconds without traffic before the first probe; 0: off
 * @intvl_s:	Seconds between unanswered probes (0: 75)
 * @count:	Unanswered probes before the connection fails with
 *		G_IO_ERROR_TIMED_OUT (0: 9)
 *
 * Context: the graph's context thread.
 */
void pk_vclient_stream_set_keepalive(PkVclientStream *stream, guint idle_s, guint intvl_s,
				     guint count);

/**
 * pk_vclient_stream_get_info() - Negotiated options and congestion state
 * @stream:	Stream
 * @info:	Filled in
 *
 * Context: the graph's context thread.
 * Return: false once the connection is gone from the engine.
 */
gboolean pk_vclient_stream_get_info(PkVclientStream *stream, struct pk_tcp_conn_info *info);

/**
 * pk_vclient_stream_get_local_address() - Our address and port
 * @stream:	Stream
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a GInetSocketAddress.
 */
GSocketAddress *pk_vclient_stream_get_local_address(PkVclientStream *stream);

/**
 * pk_vclient_stream_get_remote_address() - The peer's address and port
 * @stream:	Stream
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a GInetSocketAddress.
 */
GSocketAddress *pk_vclient_stream_get_remote_address(PkVclientStream *stream);

/* TCP listeners --------------------------------------------------------- */

#define PK_TYPE_VCLIENT_LISTENER (pk_vclient_listener_get_type())
G_DECLARE_FINAL_TYPE(PkVclientListener, pk_vclient_listener, PK, VCLIENT_LISTENER, GObject)

/**
 * pk_vclient_tcp_listen() - Accept TCP connections on a port
 * @vc:		Virtual client
 * @local:	A GInetSocketAddress: one of the vclient's addresses, or the
 *		any address of a family (0.0.0.0 / ::) for all of that family;
 *		port 0 picks a random free port
 * @backlog:	Established connections waiting for accept (0: 128); more are
 *		reset and counted
 * @error:	G_IO_ERROR_ADDRESS_IN_USE, G_IO_ERROR_INVALID_ARGUMENT,
 *		G_IO_ERROR_NOT_CONNECTED (device not running)
 *
 * Half-open connections beyond the engine's limit are answered with SYN
 * cookies (RFC 4987).
 *
 * Context: the graph's context thread.
 * Return: (transfer full) the listener or NULL. Unref (or close) it to stop
 * listening; connections not yet accepted are then reset.
 */
PkVclientListener *pk_vclient_tcp_listen(struct pk_vclient *vc, GSocketAddress *local,
					 guint backlog, GError **error);

/**
 * pk_vclient_tcp_listen_full() - pk_vclient_tcp_listen() with options for accepted connections
 * @vc:		Virtual client
 * @local:	As for pk_vclient_tcp_listen()
 * @backlog:	As for pk_vclient_tcp_listen()
 * @opts:	Options (copied) every accepted connection gets, or NULL
 * @error:	As for pk_vclient_tcp_listen()
 *
 * Context: the graph's context thread.
 * Return: (transfer full) the listener or NULL.
 */
PkVclientListener *pk_vclient_tcp_listen_full(struct pk_vclient *vc, GSocketAddress *local,
					      guint backlog,
					      const struct pk_vclient_tcp_options *opts,
					      GError **error);

/**
 * pk_vclient_listener_get_port() - The port listened on
 * @listener:	Listener
 *
 * Context: the graph's context thread.
 */
guint16 pk_vclient_listener_get_port(PkVclientListener *listener);

/**
 * pk_vclient_listener_accept_async() - Wait for the next connection
 * @listener:	Listener
 * @cancellable: Or NULL
 * @callback:	Called on the graph's context
 * @user_data:	For @callback
 *
 * Context: the graph's context thread.
 */
void pk_vclient_listener_accept_async(PkVclientListener *listener, GCancellable *cancellable,
				      GAsyncReadyCallback callback, gpointer user_data);

/**
 * pk_vclient_listener_accept_finish() - Result of pk_vclient_listener_accept_async()
 * @listener:	Listener
 * @result:	From the callback
 * @error:	G_IO_ERROR_CLOSED, G_IO_ERROR_CANCELLED
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a PkVclientStream, or NULL.
 */
GIOStream *pk_vclient_listener_accept_finish(PkVclientListener *listener, GAsyncResult *result,
					     GError **error);

/**
 * pk_vclient_listener_close() - Stop listening; pending accepts fail with G_IO_ERROR_CLOSED
 * @listener:	Listener
 *
 * Context: the graph's context thread.
 */
void pk_vclient_listener_close(PkVclientListener *listener);

/* UDP ------------------------------------------------------------------- */

#define PK_TYPE_VCLIENT_UDP (pk_vclient_udp_get_type())
G_DECLARE_FINAL_TYPE(PkVclientUdp, pk_vclient_udp, PK, VCLIENT_UDP, GObject)

/**
 * pk_vclient_udp_new() - A UDP socket
 * @vc:		Virtual client
 * @local:	A GInetSocketAddress to bind (one of our addresses or the any
 *		address; port 0: a random free port), or NULL for the any
 *		address of @family and a random port
 * @family:	G_SOCKET_FAMILY_IPV4 or _IPV6 (used when @local is NULL)
 * @error:	G_IO_ERROR_ADDRESS_IN_USE, G_IO_ERROR_INVALID_ARGUMENT,
 *		G_IO_ERROR_NOT_CONNECTED (device not running)
 *
 * Up to the device's udp-queue datagrams wait to be received; more are
 * dropped and counted.
 *
 * Context: the graph's context thread.
 * Return: (transfer full) the socket or NULL.
 */
PkVclientUdp *pk_vclient_udp_new(struct pk_vclient *vc, GSocketAddress *local,
				 GSocketFamily family, GError **error);

/**
 * pk_vclient_udp_connect() - Fix the peer: send() goes there, only its datagrams are received
 * @u:		Socket
 * @remote:	GInetSocketAddress of the same family
 * @error:	Set on a family mismatch
 *
 * Context: the graph's context thread.
 */
gboolean pk_vclient_udp_connect(PkVclientUdp *u, GSocketAddress *remote, GError **error);

/**
 * pk_vclient_udp_send_to() - Send one datagram
 * @u:		Socket
 * @to:		Destination, or NULL on a connected socket
 * @data:	Payload
 * @len:	Its length (at most 65507 for IPv4, 65527 for IPv6; larger
 *		than the MTU allows fails with G_IO_ERROR_MESSAGE_TOO_LARGE:
 *		the vclient does not fragment)
 * @error:	Set on failure; G_IO_ERROR_WOULD_BLOCK when 1024 datagrams
 *		already wait to leave (they go out when the main loop runs)
 *
 * Context: the graph's context thread.
 * Return: @len, or -1.
 */
gssize pk_vclient_udp_send_to(PkVclientUdp *u, GSocketAddress *to, const void *data, gsize len,
			      GError **error);

/**
 * pk_vclient_udp_receive_from() - Take the next datagram, without waiting
 * @u:		Socket
 * @from:	(out) (optional) (transfer full) its source address
 * @buf:	Destination; a longer datagram is truncated
 * @len:	Size of @buf
 * @error:	G_IO_ERROR_WOULD_BLOCK when none is queued;
 *		G_IO_ERROR_CONNECTION_REFUSED after an ICMP port unreachable
 *		for a connected socket (reported once)
 *
 * Context: the graph's context thread.
 * Return: bytes copied, or -1.
 */
gssize pk_vclient_udp_receive_from(PkVclientUdp *u, GSocketAddress **from, void *buf, gsize len,
				   GError **error);

/**
 * pk_vclient_udp_create_source() - A source that fires while a datagram is queued
 * @u:		Socket
 * @cancellable: Or NULL
 *
 * The callback is a GPollableSourceFunc whose first argument is @u.
 *
 * Context: the graph's context thread.
 * Return: (transfer full) the source, not attached.
 */
GSource *pk_vclient_udp_create_source(PkVclientUdp *u, GCancellable *cancellable);

/**
 * pk_vclient_udp_get_local_address() - The bound address and port
 * @u:		Socket
 *
 * Context: the graph's context thread.
 * Return: (transfer full) a GInetSocketAddress.
 */
GSocketAddress *pk_vclient_udp_get_local_address(PkVclientUdp *u);

/**
 * pk_vclient_udp_close() - Unbind; later calls fail with G_IO_ERROR_CLOSED
 * @u:		Socket
 *
 * Context: the graph's context thread.
 */
void pk_vclient_udp_close(PkVclientUdp *u);

/* DNS ------------------------------------------------------------------- */

#define PK_TYPE_VCLIENT_RESOLVER (pk_vclient_resolver_get_type())
G_DECLARE_FINAL_TYPE(PkVclientResolver, pk_vclient_resolver, PK, VCLIENT_RESOLVER, GResolver)

struct pk_dns_resolver_stats;

/**
 * struct pk_vclient_resolver_options - Settings of pk_vclient_resolver_new_full()
 * @timeout_ms:	Wait for the reply to one try (UDP datagram or TCP exchange);
 *		0: 2000
 * @attempts:	Rounds over all servers before a query fails; 0: 2
 * @cache_size:	Cached answers (per name and record type, negative ones
 *		included); 0: 256
 * @no_cache:	Cache nothing
 */
struct pk_vclient_resolver_options {
	guint timeout_ms;
	guint attempts;
	guint cache_size;
	gboolean no_cache;
};

/**
 * pk_vclient_resolver_new() - A GResolver that asks DNS servers on the virtual network
 * @vc:		Virtual client whose sockets carry the queries
 * @servers:	NULL-terminated list of 1..8 servers, tried in this order:
 *		"10.0.0.1", "10.0.0.1:5353", "fd00::1", "[fd00::1]:5353"
 *		(port 53 when none is given); NULL: the DNS servers the link
 *		published at this moment (pk_vclient_dup_dns_servers(), e.g.
 *		from the DHCP lease of the l3.adapter in front)
 * @error:	G_IO_ERROR_INVALID_ARGUMENT for a bad or missing server
 *
 * Lookups (g_resolver_lookup_by_name_async(),
 * g_resolver_lookup_by_name_with_flags_async() with
 * G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY or _IPV6_ONLY) return the addresses
 * as GInetAddress, IPv4 before IPv6, in the order of the replies. Without a
 * flag both A and AAAA are asked, unless the vclient has addresses of one
 * family only (like AI_ADDRCONFIG). Names are taken as fully qualified (no
 * search domains); address literals are answered without a query. Each
 * lookup sends its UDP queries from its own random port, a truncated reply
 * is asked again over TCP, answers are cached for their TTL.
 *
 * Errors: G_RESOLVER_ERROR_NOT_FOUND (NXDOMAIN, no address of the family,
 * CNAME loop, invalid name), G_RESOLVER_ERROR_TEMPORARY_FAILURE (no server
 * answered, server errors, malformed replies), G_RESOLVER_ERROR_INTERNAL
 * (the vclient is not running), G_IO_ERROR_CANCELLED.
 *
 * Synchronous lookups (g_resolver_lookup_by_name()) of names fail with
 * G_IO_ERROR_NOT_SUPPORTED: the resolver works on the graph's context, which
 * a blocking call on that thread would stall. Reverse, SRV and record
 * lookups fail with G_IO_ERROR_NOT_SUPPORTED too.
 *
 * The resolver holds no reference on the device, like the sockets; unlike
 * them it keeps @vc: unref it before the device is removed. While the device
 * is stopped lookups fail.
 *
 * Context: the graph's context thread, which must be the thread-default
 * context when this is called: the resolver's sources (timer, sockets,
 * cancellation) are attached to it and every callback runs there. Use it
 * only from that thread (not with g_resolver_set_default() in a program
 * with other threads using GIO).
 * Return: (transfer full) the resolver, or NULL.
 */
GResolver *pk_vclient_resolver_new(struct pk_vclient *vc, const char *const *servers,
				   GError **error);

/**
 * pk_vclient_resolver_new_full() - pk_vclient_resolver_new() with settings
 * @vc:		Virtual client
 * @servers:	As for pk_vclient_resolver_new()
 * @opts:	Settings, or NULL for the defaults
 * @error:	As for pk_vclient_resolver_new()
 *
 * Context: the graph's context thread (thread-default).
 * Return: (transfer full) the resolver, or NULL.
 */
GResolver *pk_vclient_resolver_new_full(struct pk_vclient *vc, const char *const *servers,
					const struct pk_vclient_resolver_options *opts,
					GError **error);

/**
 * pk_vclient_resolver_get_stats() - Counters of the underlying stub resolver
 * @resolver:	Resolver
 *
 * Context: the resolver's thread.
 * Return: (transfer none) the counters (pktkit/toolkit/dns.h), valid while @resolver lives.
 */
const struct pk_dns_resolver_stats *pk_vclient_resolver_get_stats(PkVclientResolver *resolver);

/**
 * pk_vclient_resolver_clear_cache() - Forget every cached answer
 * @resolver:	Resolver
 *
 * Context: the resolver's thread.
 */
void pk_vclient_resolver_clear_cache(PkVclientResolver *resolver);

G_END_DECLS

#endif /* PKTKIT_VCLIENT_H */
