/* SPDX-License-Identifier: MIT
 * wg-noise.h - The Noise_IKpsk2 handshake of WireGuard, without I/O: messages in, messages and keys out
 *
 * One struct wg_handshake per peer holds the peer's static public key, the
 * preshared key and the state of the handshake in progress. The functions
 * write and read the encrypted parts of initiation and response messages
 * (whitepaper section 5.4.2-5.4.3); the two MACs at their end are the cookie
 * layer's (wg-cookie.h), the indices and the timers the session's. Nothing
 * here reads a clock or the random generator: the caller passes the time, the
 * ephemeral private key and the local index, so tests replay exact messages.
 *
 * Responder side, in two steps, because who sent an initiation is known only
 * once its static key is decrypted:
 *
 *	wg_noise_initiation_open()     decrypt the initiator's static key
 *	(look the peer up by that key)
 *	wg_noise_initiation_accept()   decrypt and check its timestamp; the
 *	                               peer's handshake takes the new state
 *	wg_noise_response_create()     answer; then wg_noise_derive_keys()
 *
 * Initiator side: wg_noise_initiation_create(), then on the answer
 * wg_noise_response_consume() and wg_noise_derive_keys().
 *
 * Thread context: a handshake belongs to its device's owner context.
 */
#ifndef PK_WG_NOISE_H
#define PK_WG_NOISE_H

#include <stdbool.h>
#include <stdint.h>

#include "wg-crypto.h"
#include "wg-msg.h"

/**
 * struct wg_identity - This side's static key pair and the keys derived from it
 * @priv, @pub:	The interface's key pair
 * @mac1_key:	HASH("mac1----" || pub): MAC1 of every message sent to us
 * @cookie_key:	HASH("cookie--" || pub): seals the cookie replies we send
 */
struct wg_identity {
	uint8_t priv[WG_KEY_LEN];
	uint8_t pub[WG_KEY_LEN];
	uint8_t mac1_key[WG_HASH_LEN];
	uint8_t cookie_key[WG_HASH_LEN];
};

/* Fill @id from the private key @priv (used as given: clamp it first if it
 * came from elsewhere than wg_genkey()). */
void wg_identity_set(struct wg_crypto *c, struct wg_identity *id, const uint8_t priv[WG_KEY_LEN]);
/* HASH("mac1----" || @pub): the key of MAC1 on messages to the owner of @pub. */
void wg_noise_mac1_key(struct wg_crypto *c, uint8_t out[WG_HASH_LEN],
		       const uint8_t pub[WG_KEY_LEN]);
/* HASH("cookie--" || @pub): the key of the cookie replies the owner of @pub seals. */
void wg_noise_cookie_key(struct wg_crypto *c, uint8_t out[WG_HASH_LEN],
			 const uint8_t pub[WG_KEY_LEN]);
/* Wipe @id. */
void wg_identity_clear(struct wg_identity *id);

enum wg_hs_state {
	WG_HS_ZEROED,		  /* nothing in progress */
	WG_HS_CREATED_INITIATION, /* we sent an initiation, waiting for the response */
	WG_HS_CONSUMED_INITIATION,
	WG_HS_CREATED_RESPONSE,	 /* keys ready for wg_noise_derive_keys() (responder) */
	WG_HS_CONSUMED_RESPONSE, /* keys ready for wg_noise_derive_keys() (initiator) */
};

/**
 * struct wg_handshake - One peer's side of the handshake
 * @remote_static:	The peer's public key (set once by wg_handshake_init())
 * @static_static:	DH(our private key, @remote_static), computed once
 * @static_ok:		False when @remote_static is a low-order point: no
 *			handshake with it can succeed
 * @psk:		Preshared key (zero when none is configured)
 * @state:		Where the handshake stands
 * @local_index:	Our index for the handshake in progress (we chose it)
 * @remote_index:	The peer's index (from its initiation or response)
 * @ephemeral_priv:	Our ephemeral key while the handshake is in progress
 * @remote_ephemeral:	The peer's ephemeral public key
 * @hash, @chaining_key: The Noise state (H and C of the whitepaper)
 * @latest_timestamp:	TAI64N of the newest initiation accepted from the
 *			peer: an initiation not newer than it is a replay
 * @last_initiation_ns:	When (our clock) we last accepted one; 0: never
 */
struct wg_handshake {
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t static_static[WG_KEY_LEN];
	bool static_ok;
	uint8_t psk[WG_KEY_LEN];
	enum wg_hs_state state;
	uint32_t local_index;
	uint32_t remote_index;
	uint8_t ephemeral_priv[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint8_t latest_timestamp[WG_TAI64N_LEN];
	uint64_t last_initiation_ns;
};

/* Prepare @hs for the peer @remote_pub with preshared key @psk (NULL: none).
 * Also when the local private key changes (static_static depends on it). */
void wg_handshake_init(struct wg_crypto *c, struct wg_handshake *hs, const struct wg_identity *id,
		       const uint8_t remote_pub[WG_KEY_LEN], const uint8_t *psk);
/* Forget the handshake in progress (state, ephemeral keys, Noise state);
 * the peer's keys and latest timestamp stay. */
void wg_handshake_reset(struct wg_handshake *hs);
/* Wipe everything of @hs. */
void wg_handshake_clear(struct wg_handshake *hs);

/* Why a message was refused. */
enum wg_noise_result {
	WG_NOISE_OK,
	WG_NOISE_BAD_AUTH, /* a tag did not authenticate, or a DH gave zero */
	WG_NOISE_REPLAY,   /* an initiation not newer than the last one accepted */
	WG_NOISE_FLOOD,	   /* an initiation sooner than WG_INITIATION_MIN_INTERVAL after the last */
	WG_NOISE_BAD_STATE, /* a response to no initiation of ours */
};

/* Write an initiation to @hs's peer into @msg (all but the MACs), as of
 * @unix_ns, with the ephemeral key @eph_priv and our index @local_index.
 * False if the peer's key is unusable (low order). State: CREATED_INITIATION. */
bool wg_noise_initiation_create(struct wg_crypto *c, const struct wg_identity *id,
				struct wg_handshake *hs, uint8_t msg[WG_INIT_LEN],
				uint32_t local_index, const uint8_t eph_priv[WG_KEY_LEN],
				uint64_t unix_ns);

/**
 * struct wg_noise_pending - An initiation whose sender is known but not yet checked
 *
 * Filled by wg_noise_initiation_open(); @remote_static names the peer. The
 * rest is the Noise state carried to wg_noise_initiation_accept(); wipe it
 * with wg_noise_pending_clear() when not accepted.
 */
struct wg_noise_pending {
	uint8_t remote_static[WG_KEY_LEN];
	uint8_t remote_ephemeral[WG_KEY_LEN];
	uint8_t hash[WG_HASH_LEN];
	uint8_t chaining_key[WG_HASH_LEN];
	uint32_t remote_index;
	const uint8_t *msg;
};

/* Decrypt the initiator's static key of @msg (its MAC1 already checked).
 * WG_NOISE_OK fills @p, which keeps a pointer to @msg. */
enum wg_noise_result wg_noise_initiation_open(struct wg_crypto *c, const struct wg_identity *id,
					      const uint8_t msg[WG_INIT_LEN],
					      struct wg_noise_pending *p);
/* Finish an initiation from @hs's peer: its timestamp must authenticate and
 * be newer than any accepted before, and @now_ns (our clock) at least
 * WG_INITIATION_MIN_INTERVAL after the last one accepted. On WG_NOISE_OK
 * @hs is in CONSUMED_INITIATION (whatever it was doing before: the peer's
 * new handshake wins). @p is wiped either way. */
enum wg_noise_result wg_noise_initiation_accept(struct wg_crypto *c, struct wg_noise_pending *p,
						struct wg_handshake *hs, uint64_t now_ns);
void wg_noise_pending_clear(struct wg_noise_pending *p);

/* Answer the consumed initiation of @hs into @msg (all but the MACs), with
 * the ephemeral key @eph_priv and our index @local_index. False if a DH gave
 * zero (a low-order ephemeral from the peer). State: CREATED_RESPONSE. */
bool wg_noise_response_create(struct wg_crypto *c, const struct wg_identity *id,
			      struct wg_handshake *hs, uint8_t msg[WG_RESP_LEN],
			      uint32_t local_index, const uint8_t eph_priv[WG_KEY_LEN]);
/* A response to @hs's initiation (the caller found @hs by the receiver
 * index of @msg). On WG_NOISE_OK the state is CONSUMED_RESPONSE. */
enum wg_noise_result wg_noise_response_consume(struct wg_crypto *c, const struct wg_identity *id,
					       struct wg_handshake *hs,
					       const uint8_t msg[WG_RESP_LEN]);

/**
 * struct wg_noise_keys - The transport keys a completed handshake gives
 * @send, @recv:	ChaCha20-Poly1305 keys, ours to send and to receive
 * @local_index:	Index the peer puts in the data messages it sends us
 * @remote_index:	Index we put in the data messages we send
 * @initiator:		We initiated this handshake
 */
struct wg_noise_keys {
	uint8_t send[WG_KEY_LEN];
	uint8_t recv[WG_KEY_LEN];
	uint32_t local_index;
	uint32_t remote_index;
	bool initiator;
};

/* Derive the transport keys of @hs (CREATED_RESPONSE or CONSUMED_RESPONSE)
 * into @out and reset @hs. False in any other state. */
bool wg_noise_derive_keys(struct wg_crypto *c, struct wg_handshake *hs, struct wg_noise_keys *out);

#endif /* PK_WG_NOISE_H */
