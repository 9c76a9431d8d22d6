/* SPDX-License-Identifier: MIT
 * toolkit/tcp.h - Sans-I/O TCP engine: segments and time in, segments and events out
 *
 * The engine does no I/O, owns no thread and runs no main loop. The caller:
 *  - demultiplexes received segments by 4-tuple, verifies the checksum
 *    (pk_tcp_csum_ok()), parses them with pk_tcp_parse() and hands the view
 *    to pk_tcp_conn_input() (or to pk_tcp_listener_input() for a SYN to a
 *    listening port);
 *  - drains pk_tcp_conn_output() into packets after every call that can
 *    produce segments (input, timer, send, recv, shutdown, abort); each call
 *    writes one complete TCP segment with its checksum set over the pseudo
 *    header of the connection's addresses, so only an IP header is missing
 *    (with pk_tcp_conn_set_tso() the checksum of every segment is left
 *    partial instead, see there);
 *  - calls pk_tcp_conn_timer() when pk_tcp_conn_deadline() has passed;
 *  - reads pk_tcp_conn_events() to learn about state changes.
 *
 * Times are nanoseconds on any monotonic clock the caller chooses (a fake one
 * in tests). Buffers are fixed-size rings allocated when the connection is
 * created; out-of-order data is kept inside the receive ring, tracked by a
 * bounded range list, so nothing is allocated per segment.
 *
 * Implemented: RFC 9293 state machine (active/passive/simultaneous open,
 * half-close, simultaneous close, TIME-WAIT, keepalive), RFC 5961 RST/SYN/ACK
 * checks with challenge ACKs under a randomized per-second budget, RFC 7323
 * window scaling, timestamps and PAWS (with the 24-day idle rule), RFC 6298
 * RTO with Karn and backoff, RFC 6928 initial window, RFC 9438 CUBIC
 * (default) or RFC 5681 NewReno congestion control, RFC 2018 SACK on both
 * sides with RFC 6675 loss recovery including the rescue retransmission
 * (RFC 6582 NewReno recovery without SACK), RFC 2883 D-SACK on both sides
 * (the receiver reports duplicates; the sender counts them and undoes a
 * fast recovery whose retransmissions were all D-SACKed, detection as in
 * RFC 3708), a duplicate-ACK threshold that adapts to measured reordering
 * (Linux's reordering degree: raised by D-SACKed retransmissions and by
 * never-retransmitted data filling a hole below the highest SACKed byte, to
 * at most 127 segments and 3/4 of the flight, reset to 3 by a timeout; see
 * pk_tcp_conn_info.reordering), RFC 3042 limited transmit (extended to
 * DupThresh - 1 segments), zero-window probes, delayed ACKs with
 * quick ACKs at the start and after reordering, Nagle, path-MTU updates from
 * caller-validated ICMP (RFC 5927, RFC 8201), RFC 6528 ISNs, RFC 4987 SYN
 * cookies with a bound on half-open connections per listener, and
 * stateless RSTs for closed ports (pk_tcp_reply_rst()).
 * PAWS lets through, as Linux does, a reordered pure duplicate ACK whose
 * timestamp is behind by less than one RTO (see pk_tcp_conn_input()).
 * Not implemented: ECN, urgent data, TCP Fast Open, PRR, RACK, HyStart++,
 * undo after a timeout (F-RTO, Eifel), reordering detection without SACK,
 * raising the MSS again
 * (PMTU probing).
 *
 * Memory: a connection costs pk_tcp_conn_sizeof() (752 bytes on x86-64 at
 * the time of writing, SACK scoreboard and congestion state included) plus
 * its two rings, sndbuf + rcvbuf: 512 KiB with the defaults, allocated when
 * the connection is created, whether used or not. For many mostly idle
 * connections choose small rings (e.g. 4 KiB + 4 KiB: 8944 bytes, about 8.7 KiB, per
 * connection, so 100 000 connections fit in under 1 GiB); the window cannot
 * exceed rcvbuf, so bulk transfers want large ones. Nothing is allocated per
 * segment.
 */
#ifndef PKTKIT_TOOLKIT_TCP_H
#define PKTKIT_TOOLKIT_TCP_H

#include <pktkit/common.h>
#include <pktkit/l4.h>

G_BEGIN_DECLS

/**
 * enum pk_tcp_state - RFC 9293 connection states
 */
enum pk_tcp_state {
	PK_TCP_CLOSED,
	PK_TCP_LISTEN,
	PK_TCP_SYN_SENT,
	PK_TCP_SYN_RECEIVED,
	PK_TCP_ESTABLISHED,
	PK_TCP_FIN_WAIT_1,
	PK_TCP_FIN_WAIT_2,
	PK_TCP_CLOSE_WAIT,
	PK_TCP_CLOSING,
	PK_TCP_LAST_ACK,
	PK_TCP_TIME_WAIT,
};

/* Bits returned by pk_tcp_conn_events(). */
#define PK_TCP_EV_ESTABLISHED (1u << 0)	/* handshake completed */
#define PK_TCP_EV_READABLE (1u << 1)	/* new in-order data to pk_tcp_conn_recv() */
#define PK_TCP_EV_WRITABLE (1u << 2)	/* send buffer space freed by an ACK */
#define PK_TCP_EV_PEER_CLOSED (1u << 3)	/* FIN received: recv() returns 0 after the data */
#define PK_TCP_EV_RESET (1u << 4)	/* connection reset by the peer (or refused) */
#define PK_TCP_EV_TIMEOUT (1u << 5)	/* retransmissions exhausted: aborted */
#define PK_TCP_EV_CLOSED (1u << 6)	/* state is CLOSED: the caller may free it */

/**
 * struct pk_tcp_endpoints - Addresses and ports of a connection
 * @ipv6:	true for IPv6 (16-byte addresses), false for IPv4 (first 4 bytes)
 * @local_addr:	Our address, wire order
 * @remote_addr: The peer's address, wire order
 * @local_port:	Our port, host order
 * @remote_port: The peer's port, host order
 */
struct pk_tcp_endpoints {
	bool ipv6;
	uint8_t local_addr[16];
	uint8_t remote_addr[16];
	uint16_t local_port;
	uint16_t remote_port;
};

/**
 * enum pk_tcp_cc - Congestion control algorithm of a connection
 * @PK_TCP_CC_CUBIC:	RFC 9438 CUBIC with the Reno-friendly region and fast
 *			convergence (default)
 * @PK_TCP_CC_NEWRENO:	RFC 5681 slow start and congestion avoidance
 *
 * Loss recovery does not depend on it: RFC 6675 SACK recovery when SACK
 * was negotiated, RFC 6582 NewReno recovery otherwise.
 */
enum pk_tcp_cc {
	PK_TCP_CC_CUBIC = 0,
	PK_TCP_CC_NEWRENO,
};

/**
 * struct pk_tcp_config - Per-connection settings
 * @sndbuf:	Send ring bytes (default 256 KiB; 1 KiB .. 64 MiB)
 * @rcvbuf:	Receive ring bytes, also the largest window (default 256 KiB)
 * @ooo_max:	Bytes beyond RCV.NXT out-of-order data may reach (default and
 *		maximum: @rcvbuf)
 * @mtu:	Link MTU; the MSS offered is MTU - 40 (IPv4) or - 60 (IPv6)
 *		(default 1500)
 * @time_wait_ns: TIME-WAIT duration (default 1 s: virtual links)
 * @delack_ns:	Delayed-ACK timer (default 40 ms)
 * @rto_min_ns:	Lower bound of the RTO (default 200 ms)
 * @rto_max_ns:	Upper bound of the RTO and of the persist interval (default 60 s)
 * @rto_initial_ns: RTO before the first sample (default 1 s, RFC 6298)
 * @max_retries: Consecutive timeouts before the connection aborts (default 8)
 * @nodelay:	Disable Nagle
 * @no_wscale:	Do not offer window scaling (default: offered)
 * @no_timestamps: Do not offer timestamps (default: offered)
 * @no_sack:	Do not offer SACK-permitted (default: offered)
 * @fixed_iss:	Tests only: use @iss instead of the RFC 6528 ISN (a SYN
 *		cookie still replaces it)
 * @iss:	See @fixed_iss
 * @max_half_open: Listeners only: connections in SYN-RECEIVED a listener
 *		created and that still are in SYN-RECEIVED (default 128); beyond
 *		it SYNs are answered with SYN cookies (or dropped with
 *		@no_syncookies)
 * @syncookies_always: Listeners only: answer every SYN with a SYN cookie,
 *		never allocate before the handshake completes (ignored with
 *		@no_syncookies)
 * @no_syncookies: Listeners only: never send SYN cookies; SYNs beyond
 *		@max_half_open are dropped (counted in listen_overflows)
 * @cc:		Congestion control (default CUBIC; unknown values: CUBIC)
 * @keepalive_idle_ns: Idle time (nothing received) before the first
 *		keepalive probe; 0: keepalive off (default)
 * @keepalive_intvl_ns: Time between unanswered probes (default 75 s)
 * @keepalive_count: Unanswered probes before the connection is aborted
 *		(default 9)
 *
 * Zero fields take the defaults, so a zeroed struct is a valid config.
 */
struct pk_tcp_config {
	uint32_t sndbuf;
	uint32_t rcvbuf;
	uint32_t ooo_max;
	uint32_t mtu;
	uint64_t time_wait_ns;
	uint64_t delack_ns;
	uint64_t rto_min_ns;
	uint64_t rto_max_ns;
	uint64_t rto_initial_ns;
	uint32_t max_retries;
	bool nodelay;
	bool no_wscale;
	bool no_timestamps;
	bool no_sack;
	bool fixed_iss;
	uint32_t iss;
	uint32_t max_half_open;
	bool syncookies_always;
	bool no_syncookies;
	enum pk_tcp_cc cc;
	uint64_t keepalive_idle_ns;
	uint64_t keepalive_intvl_ns;
	uint32_t keepalive_count;
};

/**
 * struct pk_tcp_stats - Engine-wide counters (all connections of an engine)
 * @segs_in:		Segments given to the engine
 * @segs_out:		Segments produced
 * @retransmits:	Segments retransmitted (RTO, fast retransmit, probes excluded)
 * @timeouts:		RTO expirations
 * @fast_retransmits:	NewReno fast retransmits (third duplicate ACK)
 * @dropped:		Segments dropped for any reason below, or unacceptable
 * @bad_header:		Malformed options (walk stopped) in an accepted segment
 * @paws_dropped:	Segments dropped by PAWS
 * @challenge_acks:	RFC 5961 challenge ACKs sent
 * @challenge_acks_suppressed: Challenge ACKs not sent (rate limit)
 * @rst_accepted:	RSTs that reset a connection
 * @rst_ignored:	RSTs out of window or only in window (challenged)
 * @syn_in_sync:	SYNs received in a synchronized state
 * @ooo_dropped:	Out-of-order segments not queued (range list full)
 * @zero_window_probes:	Window probes sent
 * @conns_created:	Connection objects allocated (active and passive opens,
 *			connections completed from a SYN cookie)
 * @syncookies_sent:	SYN-ACKs sent with a SYN cookie instead of allocating
 * @syncookies_ok:	ACKs to a listener that carried a valid cookie
 * @syncookies_failed:	ACKs to a listener (no connection) whose cookie did
 *			not validate: wrong tuple, tampered, expired (also
 *			counted in @dropped; answered with a RST)
 * @listen_overflows:	SYNs dropped: half-open limit with cookies disabled,
 *			or the listener's reply queue full
 * @sack_recoveries:	RFC 6675 loss recoveries entered (also counted in
 *			@fast_retransmits)
 * @sack_blocks_ignored: SACK blocks received that were not used: empty or
 *			reversed, beyond SND.MAX, or entirely below SND.UNA
 *			(D-SACK blocks excepted, see @dsack_received)
 * @sack_retransmits:	Holes retransmitted by RFC 6675 NextSeg() (also
 *			counted in @retransmits)
 * @keepalive_probes:	Keepalive probes sent
 * @keepalive_timeouts:	Connections aborted because probes went unanswered
 * @pmtu_updates:	pk_tcp_conn_set_path_mtu() calls that lowered the MSS
 * @paws_idle_expired:	Segments that would have failed PAWS but were accepted
 *			because TS.Recent was older than 24 days (RFC 7323 5.5)
 * @dsack_received:	D-SACK blocks received (RFC 2883: the first SACK block
 *			at or below the ACK, or inside the second block): the
 *			peer got those bytes twice. Not used as SACK information
 * @paws_acks_accepted: Pure duplicate ACKs accepted although they failed PAWS
 *			by less than one RTO (reordered ACKs, as Linux accepts
 *			them; see pk_tcp_conn_input())
 * @sack_rescues:	RFC 6675 rescue retransmissions (NextSeg() rule 4: the
 *			highest unSACKed segment, once per recovery; also
 *			counted in @sack_retransmits and @retransmits)
 * @dsack_undos:	Fast recoveries whose congestion-window reduction was
 *			undone because every retransmission in them was D-SACKed
 *			(RFC 3708 detection): the loss was reordering
 * @reordering_raised:	Times a connection's reordering degree (DupThresh,
 *			see pk_tcp_conn_info.reordering) was raised
 */
struct pk_tcp_stats {
	uint64_t segs_in;
	uint64_t segs_out;
	uint64_t retransmits;
	uint64_t timeouts;
	uint64_t fast_retransmits;
	uint64_t dropped;
	uint64_t bad_header;
	uint64_t paws_dropped;
	uint64_t challenge_acks;
	uint64_t challenge_acks_suppressed;
	uint64_t rst_accepted;
	uint64_t rst_ignored;
	uint64_t syn_in_sync;
	uint64_t ooo_dropped;
	uint64_t zero_window_probes;
	uint64_t conns_created;
	uint64_t syncookies_sent;
	uint64_t syncookies_ok;
	uint64_t syncookies_failed;
	uint64_t listen_overflows;
	uint64_t sack_recoveries;
	uint64_t sack_blocks_ignored;
	uint64_t sack_retransmits;
	uint64_t keepalive_probes;
	uint64_t keepalive_timeouts;
	uint64_t pmtu_updates;
	uint64_t paws_idle_expired;
	uint64_t dsack_received;
	uint64_t dsack_undos;
	uint64_t sack_rescues;
	uint64_t paws_acks_accepted;
	uint64_t reordering_raised;
};

struct pk_tcp_engine;
struct pk_tcp_conn;
struct pk_tcp_listener;

/**
 * pk_tcp_engine_new() - Create an engine: ISN secret, shared limits, counters
 * @secret:	16 random bytes keying RFC 6528 ISNs and timestamp offsets
 * @challenge_ack_limit: Challenge ACKs allowed per second for all
 *		connections together (RFC 5961 section 7); 0: 100. The budget
 *		of each one-second window is drawn anew between half and one
 *		and a half times this (keyed by @secret), so the number of
 *		challenge ACKs seen is no side channel (CVE-2016-5696)
 *
 * Connections and listeners keep a pointer to their engine: free them first.
 *
 * Context: any thread; the engine and its connections are then used from
 * one thread at a time.
 * Return: the engine (never NULL).
 */
struct pk_tcp_engine *pk_tcp_engine_new(const uint8_t secret[16], uint32_t challenge_ack_limit);

/**
 * pk_tcp_engine_free() - Free an engine
 * @e:	Engine or NULL; its connections and listeners must be freed already
 *
 * Context: the engine's thread.
 */
void pk_tcp_engine_free(struct pk_tcp_engine *e);

/**
 * pk_tcp_engine_stats() - Engine-wide counters
 * @e:	Engine
 *
 * Context: the engine's thread.
 * Return: the counters, valid while @e lives.
 */
const struct pk_tcp_stats *pk_tcp_engine_stats(const struct pk_tcp_engine *e);

/* Width of the coarse time counter of SYN cookies: a cookie is accepted
 * in the slot it was issued in and in the next one (64 to 128 s). */
#define PK_TCP_COOKIE_SLOT_NS (64ull * 1000000000ull)

/**
 * pk_tcp_engine_rotate_cookie_secret() - Replace the SYN-cookie key
 * @e:		Engine
 * @secret:	16 new random bytes
 * @now_ns:	Current time
 *
 * Cookies issued from now on use @secret. The previous key is still
 * accepted for cookies of the current time slot (PK_TCP_COOKIE_SLOT_NS), so
 * those live their normal life, through the next slot; it never validates a
 * cookie of a later slot (a leaked old key mints nothing new). Only one
 * previous key is kept: rotating twice within two slots may refuse
 * handshakes in flight. The initial key is
 * derived from the engine secret; the ISN and timestamp-offset secret is not
 * changed (that would make live connections' timestamps jump).
 *
 * Context: the engine's thread.
 */
void pk_tcp_engine_rotate_cookie_secret(struct pk_tcp_engine *e, const uint8_t secret[16],
					uint64_t now_ns);

/**
 * pk_tcp_isn() - RFC 6528 initial sequence number
 * @e:		Engine (holds the secret)
 * @ep:		Connection endpoints
 * @now_ns:	Current time
 *
 * ISN = 4-microsecond clock + SipHash-2-4(secret, addresses, ports).
 *
 * Context: the engine's thread.
 * Return: the ISN.
 */
uint32_t pk_tcp_isn(const struct pk_tcp_engine *e, const struct pk_tcp_endpoints *ep,
		    uint64_t now_ns);

/**
 * pk_tcp_connect() - Active open: create a connection in SYN-SENT
 * @e:		Engine
 * @cfg:	Settings, or NULL for the defaults
 * @ep:		Endpoints (the caller picks the local port)
 * @now_ns:	Current time
 *
 * The SYN is produced by the next pk_tcp_conn_output().
 *
 * Context: the engine's thread.
 * Return: the connection, or NULL if memory for the rings is exhausted.
 */
struct pk_tcp_conn *pk_tcp_connect(struct pk_tcp_engine *e, const struct pk_tcp_config *cfg,
				   const struct pk_tcp_endpoints *ep, uint64_t now_ns);

/**
 * pk_tcp_conn_free() - Free a connection in any state, silently
 * @c:	Connection or NULL
 *
 * Call pk_tcp_conn_abort() and drain the output first to tell the peer.
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_free(struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_input() - Process one received segment
 * @c:		Connection whose 4-tuple the segment carries
 * @tcp:	Parsed segment (checksum verified by the caller)
 * @now_ns:	Current time
 *
 * Anything unacceptable is dropped and counted; this never fails.
 * PAWS (RFC 7323 section 5) drops a segment whose TSval is older than
 * TS.Recent, with one exception taken from Linux: a pure ACK (no data, SYN,
 * FIN or RST) at RCV.NXT that duplicates the last ACK, carries the same
 * window, updates no window and is behind TS.Recent by at most one RTO in
 * the peer's timestamp ticks (read as milliseconds) is accepted, without
 * touching TS.Recent (counted in paws_acks_accepted): it was merely
 * overtaken by a later ACK, cannot change data or state beyond what a
 * duplicate ACK does, and its SACK blocks help loss recovery.
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_input(struct pk_tcp_conn *c, const struct pk_tcp_view *tcp, uint64_t now_ns);

/**
 * pk_tcp_conn_output() - Produce the next segment to send, if any
 * @c:		Connection
 * @now_ns:	Current time
 * @buf:	Where the TCP segment (header, options, data) is written
 * @cap:	Bytes at @buf; at least PK_TCP_MAX_HLEN + pk_tcp_conn_mss()
 *		avoids short segments (less than PK_TCP_MAX_HLEN + 1: nothing)
 *
 * Call until it returns 0. The checksum covers the pseudo header of the
 * connection's endpoints (source: local).
 *
 * Context: the engine's thread.
 * Return: segment length, 0 if there is nothing to send.
 */
uint32_t pk_tcp_conn_output(struct pk_tcp_conn *c, uint64_t now_ns, uint8_t *buf, uint32_t cap);

/**
 * pk_tcp_conn_deadline() - When pk_tcp_conn_timer() must next be called
 * @c:	Connection
 *
 * Context: the engine's thread.
 * Return: absolute time in ns, or UINT64_MAX if no timer is armed.
 */
uint64_t pk_tcp_conn_deadline(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_timer() - Run the timers that expired by @now_ns
 * @c:		Connection
 * @now_ns:	Current time
 *
 * Retransmission, persist, delayed ACK and TIME-WAIT. Calling it early is
 * harmless.
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_timer(struct pk_tcp_conn *c, uint64_t now_ns);

/**
 * pk_tcp_conn_events() - Take the events raised since the last call
 * @c:	Connection
 *
 * Context: the engine's thread.
 * Return: PK_TCP_EV_* bits (then cleared).
 */
uint32_t pk_tcp_conn_events(struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_send() - Queue data for sending
 * @c:		Connection (SYN-SENT, SYN-RECEIVED, ESTABLISHED or CLOSE-WAIT)
 * @data:	Bytes
 * @len:	Number of bytes
 *
 * Context: the engine's thread.
 * Return: bytes accepted (limited by free send-ring space), -1 if the
 * connection cannot send any more (shut down, reset, closed).
 */
int64_t pk_tcp_conn_send(struct pk_tcp_conn *c, const void *data, size_t len);

/**
 * pk_tcp_conn_recv() - Take received in-order data
 * @c:		Connection
 * @buf:	Destination
 * @len:	Its size
 *
 * Reading opens the window; a window update may become due.
 *
 * Context: the engine's thread.
 * Return: bytes copied; 0 if none (check pk_tcp_conn_peer_closed() for EOF).
 */
size_t pk_tcp_conn_recv(struct pk_tcp_conn *c, void *buf, size_t len);

/**
 * pk_tcp_conn_shutdown() - Close the sending direction (FIN after the data)
 * @c:	Connection
 *
 * The FIN goes out once every queued byte has been sent, at the sequence
 * number after the last one, and is retransmitted at that same number.
 * Receiving continues (half-close). Calling it again does nothing.
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_shutdown(struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_abort() - Reset the connection (RST to the peer), now CLOSED
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_abort(struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_state() - Current state
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
enum pk_tcp_state pk_tcp_conn_state(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_peer_closed() - Whether the peer's FIN has been received and
 *		every byte before it read
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
bool pk_tcp_conn_peer_closed(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_endpoints() - The connection's addresses and ports
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
const struct pk_tcp_endpoints *pk_tcp_conn_endpoints(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_mss() - Largest payload of a segment we send (options excluded)
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
uint32_t pk_tcp_conn_mss(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_set_tso() - Produce TCP super-segments (segmentation offload)
 * @c:		Connection
 * @max_payload: Largest payload of one segment pk_tcp_conn_output() makes
 *		of new data (at most 65535); 0 turns it off (the default)
 *
 * With it on, new data goes out in segments of up to @max_payload bytes:
 * whole multiples of the wire segment size, plus a short tail only where
 * Nagle would send one. Retransmissions stay one wire segment. The checksum
 * field of every segment pk_tcp_conn_output() makes for @c from then on
 * holds only the folded pseudo-header sum (not complemented), whatever the
 * segment: data, pure ACKs, SYNs, FINs, keepalive probes and the RSTs the
 * connection sends itself (abort, keepalive timeout, a bad ACK in
 * SYN-RECEIVED ...) alike, so the caller marks every one PK_CSUM_PARTIAL
 * and, when the payload exceeds pk_tcp_conn_seg_size(), as a super-packet
 * with that gso_size (<pktkit/buf.h>), for a kernel or pk_gso_segment() to
 * cut. (Segments not made by a connection, from pk_tcp_listener_output()
 * and pk_tcp_reply_rst(), always carry a complete checksum.)
 * Pass a @cap to pk_tcp_conn_output() large enough for such segments.
 *
 * Context: the engine's thread. Since: 1.1
 */
void pk_tcp_conn_set_tso(struct pk_tcp_conn *c, uint32_t max_payload);

/**
 * pk_tcp_conn_seg_size() - Payload bytes of one wire segment with a given TCP header
 * @c:		Connection
 * @tcp_hlen:	TCP header length (options included) of a segment it made
 *
 * The gso_size of a super-segment: the MSS less the options it carries.
 *
 * Context: the engine's thread. Since: 1.1
 */
uint32_t pk_tcp_conn_seg_size(const struct pk_tcp_conn *c, uint32_t tcp_hlen);

/**
 * pk_tcp_conn_send_space() - Free bytes in the send ring
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
size_t pk_tcp_conn_send_space(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_send_pending() - Bytes queued but not yet acknowledged
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
size_t pk_tcp_conn_send_pending(const struct pk_tcp_conn *c);

/**
 * pk_tcp_conn_recv_available() - Bytes ready for pk_tcp_conn_recv()
 * @c:	Connection
 *
 * Context: the engine's thread.
 */
size_t pk_tcp_conn_recv_available(const struct pk_tcp_conn *c);

/**
 * struct pk_tcp_conn_info - Negotiated parameters and congestion state
 * @mss:	Payload bytes per full segment we send
 * @snd_wscale:	Peer's window shift (0 if not negotiated)
 * @rcv_wscale:	Our window shift (0 if not negotiated)
 * @timestamps:	Timestamps negotiated
 * @sack:	SACK-permitted negotiated
 * @cwnd:	Congestion window, bytes
 * @ssthresh:	Slow-start threshold, bytes
 * @srtt_ns:	Smoothed RTT (0: no sample yet)
 * @rto_ns:	Current RTO including backoff
 * @snd_wnd:	Peer's window, bytes (scaled)
 * @iss:	Our initial sequence number
 * @irs:	The peer's initial sequence number
 * @cc:		Congestion control in use
 * @in_recovery: In fast recovery (RFC 6675 with SACK, RFC 6582 without)
 * @sacked_bytes: Bytes above SND.UNA the peer reported with SACK
 * @pipe:	RFC 6675 estimate of bytes in the network (during SACK
 *		recovery; otherwise SND.NXT - SND.UNA)
 * @keepalive_probes: Unanswered keepalive probes sent so far
 * @cubic_wmax:	CUBIC W_max, bytes: the window before the last reduction
 *		(after fast convergence); 0 before any loss or with NewReno
 * @reordering:	Reordering degree in segments, the RFC 6675 DupThresh (3
 *		until reordering is seen, at most 127; while less than 4/3 of
 *		it is in flight, the threshold used is 3/4 of the flight, not
 *		below 3). Raised when a D-SACK shows a fast retransmission was
 *		spurious, or when data never retransmitted fills a hole below
 *		the highest SACKed byte; the distance is measured up to the
 *		highest byte known received at that moment, so it may
 *		overestimate. Back to 3 after every retransmission timeout
 */
struct pk_tcp_conn_info {
	uint32_t mss;
	uint8_t snd_wscale;
	uint8_t rcv_wscale;
	bool timestamps;
	bool sack;
	uint32_t cwnd;
	uint32_t ssthresh;
	uint64_t srtt_ns;
	uint64_t rto_ns;
	uint32_t snd_wnd;
	uint32_t iss;
	uint32_t irs;
	enum pk_tcp_cc cc;
	bool in_recovery;
	uint32_t sacked_bytes;
	uint32_t pipe;
	uint32_t keepalive_probes;
	uint32_t cubic_wmax;
	uint32_t reordering;
};

/**
 * pk_tcp_conn_get_info() - Negotiated parameters and congestion state
 * @c:		Connection
 * @info:	Filled in
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_get_info(const struct pk_tcp_conn *c, struct pk_tcp_conn_info *info);

/**
 * pk_tcp_conn_set_nodelay() - Switch Nagle off (true) or on (false)
 * @c:		Connection
 * @nodelay:	New setting
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_set_nodelay(struct pk_tcp_conn *c, bool nodelay);

/**
 * pk_tcp_conn_set_keepalive() - Switch keepalive on or off (RFC 9293 3.8.4)
 * @c:		Connection
 * @idle_ns:	Time without receiving anything before the first probe;
 *		0 switches keepalive off
 * @intvl_ns:	Time between unanswered probes (0: 75 s)
 * @count:	Unanswered probes before the connection aborts (0: 9)
 *
 * Probes go out only in ESTABLISHED and CLOSE-WAIT while nothing is in
 * flight or queued (the retransmission and persist timers cover that):
 * an ACK with SEG.SEQ = SND.NXT - 1 and no data, which a live peer answers
 * with an ACK. Anything acceptable received restarts the idle time. After
 * @count unanswered probes (and one more @intvl_ns) the connection sends a
 * RST, raises PK_TCP_EV_TIMEOUT and is CLOSED. The idle time counts from
 * the last segment received, so switching it on late may probe at once.
 * Switched on before the handshake completes (or in the config), it is
 * armed when the connection becomes ESTABLISHED, by an active, passive or
 * simultaneous open or a SYN cookie alike: a connection idle from its
 * start is probed too.
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_set_keepalive(struct pk_tcp_conn *c, uint64_t idle_ns, uint64_t intvl_ns,
			       uint32_t count);

/**
 * pk_tcp_conn_icmp_seq_ok() - Whether an ICMP error may concern this connection
 * @c:		Connection
 * @seq:	Sequence number of the TCP header quoted in the ICMP error
 *
 * RFC 5927 section 4.1: an ICMP error (fragmentation needed,
 * packet too big, unreachable) is believable only if the segment it
 * quotes could be in flight: SND.UNA <= @seq < SND.MAX. The caller checks
 * this before pk_tcp_conn_set_path_mtu(); it also checks that the quoted
 * addresses and ports are the connection's (its demux does).
 *
 * Context: the engine's thread.
 */
bool pk_tcp_conn_icmp_seq_ok(const struct pk_tcp_conn *c, uint32_t seq);

/**
 * pk_tcp_conn_set_path_mtu() - Lower the path MTU (PMTUD, RFC 1191 / RFC 8201)
 * @c:		Connection
 * @mtu:	Next-hop MTU from an ICMPv4 fragmentation-needed or ICMPv6
 *		packet-too-big message, IP header included; raised to 68
 *		(IPv4) or 1280 (IPv6) if below
 * @now_ns:	Current time
 *
 * The caller must validate the ICMP message first: its quoted 4-tuple is
 * the connection's and pk_tcp_conn_icmp_seq_ok() accepts the quoted
 * sequence number; otherwise anyone could shrink our segments. An MTU that
 * would not lower the MSS is ignored (the MSS never grows back: the
 * connection keeps the smallest value). When it does, data in flight is
 * sent again from SND.UNA in segments of the new size (no congestion
 * response: this is not a loss signal, RFC 8201 section 4).
 *
 * Context: the engine's thread.
 */
void pk_tcp_conn_set_path_mtu(struct pk_tcp_conn *c, uint32_t mtu, uint64_t now_ns);

/**
 * pk_tcp_conn_sizeof() - Bytes of a connection object, rings excluded
 *
 * For memory accounting: an idle connection costs this plus its rings.
 *
 * Context: any thread.
 */
size_t pk_tcp_conn_sizeof(void);

/**
 * pk_tcp_listener_new() - A passive open on a local address and port
 * @e:		Engine
 * @cfg:	Settings for the connections it creates, or NULL
 * @ipv6:	Address family
 * @local_addr:	Local address (wire order; 4 or 16 bytes)
 * @local_port:	Local port, host order
 *
 * Context: the engine's thread.
 * Return: the listener (never NULL).
 */
struct pk_tcp_listener *pk_tcp_listener_new(struct pk_tcp_engine *e,
					    const struct pk_tcp_config *cfg, bool ipv6,
					    const uint8_t *local_addr, uint16_t local_port);

/**
 * pk_tcp_listener_free() - Free a listener (its connections live on)
 * @l:	Listener or NULL
 *
 * Context: the engine's thread.
 */
void pk_tcp_listener_free(struct pk_tcp_listener *l);

/**
 * pk_tcp_listener_input() - Process a segment for which no connection exists
 * @l:		Listener
 * @remote_addr: Source address of the segment (wire order)
 * @tcp:	Parsed segment (checksum verified by the caller)
 * @now_ns:	Current time
 *
 * A SYN (without ACK or RST) creates a connection in SYN-RECEIVED whose
 * output starts with the SYN-ACK; the caller adds it to its demux table.
 * When the listener already has @max_half_open connections in SYN-RECEIVED
 * (or with @syncookies_always), nothing is allocated: a SYN-ACK whose ISS is
 * a SYN cookie (RFC 4987) is queued for pk_tcp_listener_output() instead.
 * The cookie is a SipHash of the addresses, ports, the peer's ISN and a
 * 64-second time slot, with a 3-bit MSS index; window scale and
 * SACK-permitted travel in the low 5 bits of our TSval (when the SYN had
 * timestamps; without them the connection has neither). An ACK that
 * carries a valid cookie returns a new connection, already ESTABLISHED
 * (data in that ACK is accepted). SYN-ACKs from cookies are not
 * retransmitted.
 * An ACK without a valid cookie or any other segment without RST gets a
 * RST (RFC 9293 LISTEN rules), produced by pk_tcp_listener_output(); RSTs
 * are ignored.
 *
 * Context: the engine's thread.
 * Return: a new connection owned by the caller, or NULL.
 */
struct pk_tcp_conn *pk_tcp_listener_input(struct pk_tcp_listener *l, const uint8_t *remote_addr,
					  const struct pk_tcp_view *tcp, uint64_t now_ns);

/**
 * pk_tcp_listener_output() - Next RST or SYN-cookie SYN-ACK the listener must send
 * @l:		Listener
 * @buf:	Where the segment is written (PK_TCP_MAX_HLEN bytes always suffice)
 * @cap:	Bytes at @buf; if the next segment does not fit, nothing is
 *		written and it stays queued
 * @ep:		Filled in with the endpoints the segment travels between
 *
 * At most 16 segments are queued; more are dropped and counted (a SYN
 * dropped this way is also counted in listen_overflows): drain after each
 * pk_tcp_listener_input().
 *
 * Context: the engine's thread.
 * Return: segment length, 0 if none.
 */
uint32_t pk_tcp_listener_output(struct pk_tcp_listener *l, uint8_t *buf, uint32_t cap,
				struct pk_tcp_endpoints *ep);

/**
 * pk_tcp_reply_rst() - RST answering a segment that reached no connection or listener
 * @seg:	The offending segment, parsed (checksum verified by the caller)
 * @seg_payload_len: Its data bytes (SYN and FIN are counted from @seg->flags)
 * @ep:		@ep->local_addr is the address the segment was sent to (its
 *		receiver, us), @ep->remote_addr its source; the reply travels
 *		local -> remote. Ports are taken from @seg (the reply goes from
 *		@seg->dport to @seg->sport); @ep's ports are not used.
 * @buf:	Where the RST (20 bytes, no options) is written
 * @cap:	Bytes at @buf (at least PK_TCP_HLEN, else nothing is written)
 *
 * RFC 9293 section 3.10.7.1 (CLOSED state): a segment with RST gets no
 * answer; one with ACK gets <SEQ=SEG.ACK><CTL=RST>; otherwise
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN counting SYN and FIN.
 * The checksum is set. The caller adds the IP header, and must not answer
 * segments sent to broadcast or multicast addresses, and may rate-limit.
 *
 * Context: any thread; keeps no state.
 * Return: the segment length (20), or 0 if no RST must be sent.
 */
uint32_t pk_tcp_reply_rst(const struct pk_tcp_view *seg, uint32_t seg_payload_len,
			  const struct pk_tcp_endpoints *ep, uint8_t *buf, uint32_t cap);

/**
 * pk_tcp_opts_build() - Write TCP options, padded with NOPs/EOL to 4 bytes
 * @o:		Options to write: the PK_TCP_HAS_* bits of @o->present select
 *		MSS, window scale, SACK-permitted, timestamps and SACK blocks
 * @out:	Destination, at least 40 bytes
 * @syn:	true for a SYN (MSS, WS and SACK-permitted only go into SYNs)
 *
 * SACK blocks beyond what fits in 40 bytes are left out.
 *
 * Context: any thread.
 * Return: bytes written, a multiple of 4, at most 40.
 */
uint32_t pk_tcp_opts_build(const struct pk_tcp_opts *o, uint8_t *out, bool syn);

/**
 * pk_tcp_csum_set() - Fill in the checksum of a TCP segment
 * @ep:		Endpoints; the segment travels local -> remote
 * @seg:	Segment (header and data)
 * @len:	Its length
 *
 * Context: any thread.
 */
void pk_tcp_csum_set(const struct pk_tcp_endpoints *ep, uint8_t *seg, uint32_t len);

/**
 * pk_tcp_csum_ok() - Whether a received segment's checksum verifies
 * @ipv6:	Address family
 * @src:	Source address of the packet (wire order)
 * @dst:	Destination address
 * @seg:	Segment (header and data)
 * @len:	Its length
 *
 * Context: any thread.
 */
bool pk_tcp_csum_ok(bool ipv6, const uint8_t *src, const uint8_t *dst, const uint8_t *seg,
		    uint32_t len);

/**
 * pk_tcp_state_name() - Name of a state, e.g. "ESTABLISHED"
 * @s:	State
 *
 * Context: any thread.
 */
const char *pk_tcp_state_name(enum pk_tcp_state s);

G_END_DECLS

#endif /* PKTKIT_TOOLKIT_TCP_H */
