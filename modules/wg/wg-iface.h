/* SPDX-License-Identifier: MIT
 * wg-iface.h - A WireGuard interface without I/O: peers, indices, handshakes, sessions, timers
 *
 * The device (the socket, the L3 port, AllowedIPs, parameters) drives one
 * struct wg_iface. It hands in every datagram with wg_iface_rx(), seals
 * inner packets with wg_iface_seal(), and calls wg_iface_tick() when the
 * deadline wg_iface_next_deadline() gave has come. The interface calls back
 * through struct wg_iface_ops for what it needs done: send a handshake
 * message, a cookie reply or a keepalive; tell that a peer's session can
 * take traffic now, or that its handshake gave up. Times are monotonic ns
 * from the caller (a fake clock in tests); the wall clock (for TAI64N
 * timestamps and "latest handshake") comes through an op.
 *
 * What it implements (whitepaper sections): the handshake in both roles
 * with MAC1 always checked and MAC2/cookie replies under load (5.3, 5.4),
 * a per-source rate limit of handshake messages under load, sessions with
 * current/previous/next keypairs rotated as 5.4.6 and 6 say, every timer of
 * 6.1-6.5 (rekey by age and count, handshake retransmission with jitter,
 * giving up after REKEY_ATTEMPT_TIME, keepalives, persistent keepalive,
 * zeroing keys after 3 x REJECT_AFTER_TIME), and replay protection.
 *
 * Thread context: one thread (the device's owner context); no locks.
 */
#ifndef PK_WG_IFACE_H
#define PK_WG_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wg-cookie.h"
#include "wg-crypto.h"
#include "wg-keypair.h"
#include "wg-msg.h"
#include "wg-noise.h"

struct wg_iface;

/* Packets a peer keeps while it has no session, at most (the device
 * stores them; the interface only says when to send or drop them). */
#define WG_MAX_STAGED 128u
/* Handshake messages per second above which the interface is "under
 * load" (MAC2 demanded, cookie replies sent) for the next second. */
#define WG_LOAD_THRESHOLD_DEFAULT 128u

/**
 * struct wg_peer - One peer: its keys, handshake, session and timers
 * @hs:			Handshake state (holds the peer's public key and PSK)
 * @maker:		Our MACs on messages to it; its cookie
 * @current, @previous, @next: Keypairs (whitepaper 5.4.6: @next is a
 *			responder's until the initiator uses it)
 * @timing:		The interface's limits
 * @persistent_keepalive: Seconds (0: off)
 * @ud:			The device's data for this peer
 * @rx_bytes, @tx_bytes: Transport bytes (whole UDP payloads) received and sent
 * @last_handshake_unix_ns: Wall-clock time of the last completed handshake (0: never)
 *
 * The fields below are the interface's; the device reads the ones above.
 */
struct wg_peer {
	struct wg_handshake hs;
	struct wg_cookie_maker maker;
	struct wg_keypair *current;
	struct wg_keypair *previous;
	struct wg_keypair *next;
	const struct wg_timing *timing;
	uint16_t persistent_keepalive;
	void *ud;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t last_handshake_unix_ns;

	/* Timers: deadlines in monotonic ns, 0 when not armed. */
	uint64_t t_retransmit;	      /* no response to our initiation */
	uint64_t t_send_keepalive;    /* we received data and sent nothing back */
	uint64_t t_new_handshake;     /* we sent data and got nothing back */
	uint64_t t_zero_keys;	      /* the session's keys are wiped */
	uint64_t t_persistent;	      /* persistent keepalive */
	uint64_t last_handshake_sent; /* initiation or response; 0: never */
	uint64_t first_attempt;	      /* when the current series of attempts started */
	unsigned attempts;
	bool want_handshake;  /* staged packets wait for a session */
	bool lastminute_sent; /* the rekey before REJECT_AFTER_TIME was asked */
	bool need_keepalive;  /* keepalive again after the next timeout */
	bool removed;
};

/**
 * struct wg_iface_ops - What the interface needs done (all called in the
 * owner context, from inside wg_iface_rx(), _seal(), _tick() or peer calls)
 * @send:		Send @len bytes to @peer's endpoint, or to @to when it is
 *			not NULL (a reply goes where the message came from; @peer
 *			is NULL for a cookie reply). Copy @msg before returning.
 * @keys_ready:		@peer can seal now: send what was staged for it (if it
 *			sends nothing after a handshake we initiated, the
 *			interface sends a keepalive to confirm the session)
 * @handshake_failed:	@peer gave up (REKEY_ATTEMPT_TIME): drop what was staged
 * @wall_ns:		The wall clock, ns since 1970 (timestamps)
 * @random:		@n random bytes (NULL: the system's CSPRNG)
 */
struct wg_iface_ops {
	void (*send)(void *ud, struct wg_peer *peer, const struct wg_source *to, const uint8_t *msg,
		     size_t len);
	void (*keys_ready)(void *ud, struct wg_peer *peer);
	void (*handshake_failed)(void *ud, struct wg_peer *peer);
	uint64_t (*wall_ns)(void *ud);
	void (*random)(void *ud, void *buf, size_t n);
};

/* Why wg_iface_rx() did not deliver a packet; the device counts each. */
#define WG_RX_DROPS(_)                                                                       \
	_(WG_DROP_MALFORMED, "dropped-malformed",                                            \
	  "Datagrams too short for their type, or of an unknown type")                       \
	_(WG_DROP_MAC1, "dropped-mac1", "Handshake messages whose MAC1 is wrong")            \
	_(WG_DROP_COOKIE_SENT, "cookie-replies-sent",                                        \
	  "Handshake messages answered with a cookie reply (under load, no valid MAC2)")     \
	_(WG_DROP_RATELIMIT, "dropped-ratelimit",                                            \
	  "Handshake messages over the per-source rate under load")                          \
	_(WG_DROP_HANDSHAKE_AUTH, "dropped-handshake-auth",                                  \
	  "Handshake messages that did not authenticate (wrong key or PSK, tampered)")       \
	_(WG_DROP_UNKNOWN_PEER, "dropped-unknown-peer",                                      \
	  "Initiations from a public key that is not a peer")                                \
	_(WG_DROP_REPLAYED_INITIATION, "dropped-replayed-initiation",                        \
	  "Initiations whose timestamp is not newer than the last accepted (replays)")       \
	_(WG_DROP_INITIATION_FLOOD, "dropped-initiation-flood",                              \
	  "Initiations from a peer sooner than 20 ms after its last one")                    \
	_(WG_DROP_UNKNOWN_INDEX, "dropped-unknown-index",                                    \
	  "Responses, cookie replies and data for an index we do not have")                  \
	_(WG_DROP_BAD_COOKIE, "dropped-bad-cookie",                                          \
	  "Cookie replies that did not open (forged, stale or repeated)")                    \
	_(WG_DROP_EXPIRED_KEYS, "dropped-expired-keys",                                      \
	  "Data for a session older than REJECT_AFTER_TIME")                                 \
	_(WG_DROP_DATA_AUTH, "dropped-data-auth", "Data messages that did not authenticate") \
	_(WG_DROP_REPLAY, "dropped-replay",                                                  \
	  "Data messages replayed, or older than the replay window")

enum wg_drop {
#define WG_DROP_ENUM(id, name, help) id,
	WG_RX_DROPS(WG_DROP_ENUM)
#undef WG_DROP_ENUM
	WG_DROP_COUNT
};

enum wg_rx_kind {
	WG_RX_DROPPED,	 /* see @drop */
	WG_RX_HANDSHAKE, /* a handshake message or cookie reply, handled */
	WG_RX_KEEPALIVE, /* an authenticated empty data message */
	WG_RX_DATA,	 /* an inner packet, decrypted in place */
};

/**
 * struct wg_rx_result - What a datagram was
 * @kind:	What happened
 * @drop:	Why, when @kind is WG_RX_DROPPED
 * @peer:	The peer it authenticated as (NULL when dropped, and for a
 *		cookie reply): the device moves the peer's endpoint to the
 *		datagram's source (roaming, whitepaper 2.1)
 * @inner:	WG_RX_DATA: the plaintext, inside the datagram's buffer
 * @inner_len:	Its length, padding included (the IP header tells the real one)
 */
struct wg_rx_result {
	enum wg_rx_kind kind;
	enum wg_drop drop;
	struct wg_peer *peer;
	uint8_t *inner;
	size_t inner_len;
};

/* A new interface with no key and no peers; NULL if the crypto library
 * cannot start (the reason in *why, static). @timing NULL: the whitepaper's.
 * @ops and @ud are kept. */
struct wg_iface *wg_iface_new(const struct wg_iface_ops *ops, void *ud,
			      const struct wg_timing *timing, const char **why);
/* Free @w with its peers' state (not the device's @ud of each peer). */
void wg_iface_free(struct wg_iface *w);
/* Set the private key (32 bytes, clamped here). Sessions and handshakes
 * in progress end; peers stay. */
void wg_iface_set_private_key(struct wg_iface *w, const uint8_t priv[WG_KEY_LEN]);
/* Our public key; all zero until a private key is set. */
const uint8_t *wg_iface_public_key(const struct wg_iface *w);
/* Handshake messages per second above which MAC2 is demanded (default
 * WG_LOAD_THRESHOLD_DEFAULT; 0: always under load, for tests). */
void wg_iface_set_load_threshold(struct wg_iface *w, unsigned per_second);

/* Add the peer @pub (NULL if it exists already, is our own key, or memory
 * ran out) with the preshared key @psk (NULL: none). */
struct wg_peer *wg_iface_peer_add(struct wg_iface *w, const uint8_t pub[WG_KEY_LEN],
				  const uint8_t *psk, uint16_t persistent_keepalive, void *ud);
/* The peer with public key @pub, or NULL. */
struct wg_peer *wg_iface_peer_find(const struct wg_iface *w, const uint8_t pub[WG_KEY_LEN]);
/* Change a peer's preshared key (the next handshake uses it). */
void wg_iface_peer_set_psk(struct wg_iface *w, struct wg_peer *p, const uint8_t *psk);
/* Change a peer's persistent keepalive (seconds, 0 off), from @now_ns. */
void wg_iface_peer_set_keepalive(struct wg_iface *w, struct wg_peer *p, uint16_t seconds,
				 uint64_t now_ns);
/* Remove @p: its sessions end, its keys are wiped, @p is freed. */
void wg_iface_peer_remove(struct wg_iface *w, struct wg_peer *p);
/* Peers, in no particular order (for status and configuration). */
unsigned wg_iface_n_peers(const struct wg_iface *w);
void wg_iface_foreach_peer(const struct wg_iface *w, void (*fn)(struct wg_peer *p, void *data),
			   void *data);

/* Handle one datagram of @len bytes from @src, received at @now_ns. Data
 * is decrypted in place in @msg; see struct wg_rx_result. */
void wg_iface_rx(struct wg_iface *w, const struct wg_source *src, uint8_t *msg, size_t len,
		 uint64_t now_ns, struct wg_rx_result *res);

/* Bytes of padding-plus-packet WireGuard seals for an inner packet of @len
 * bytes with the interface MTU @mtu: @len rounded up to 16, not above @mtu
 * (but never below @len). */
size_t wg_padded_len(size_t len, size_t mtu);

/* Seal an inner packet for @p. @msg has WG_DATA_HEADER_LEN bytes of
 * header room, then @padded_len bytes (the packet, its padding already
 * zeroed), then room for the 16-byte tag. On true the datagram is
 * WG_DATA_HEADER_LEN + @padded_len + 16 bytes at @msg. False: no session
 * can send; the device stages the packet (WG_MAX_STAGED at most) and the
 * interface has started a handshake (keys_ready comes when it completes). */
bool wg_iface_seal(struct wg_iface *w, struct wg_peer *p, uint8_t *msg, size_t padded_len,
		   uint64_t now_ns);
/* Tell the interface that @p has staged packets waiting (a handshake is
 * started if none is in progress). */
void wg_iface_peer_want_session(struct wg_iface *w, struct wg_peer *p, uint64_t now_ns);

/* Run the timers due at @now_ns. */
void wg_iface_tick(struct wg_iface *w, uint64_t now_ns);
/* The earliest armed timer of any peer (monotonic ns), 0 if none. */
uint64_t wg_iface_next_deadline(const struct wg_iface *w);

/* Whether @p has a session it can send with now. */
bool wg_peer_has_session(const struct wg_peer *p, uint64_t now_ns);

#endif /* PK_WG_IFACE_H */
