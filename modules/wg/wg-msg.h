/* SPDX-License-Identifier: MIT
 * wg-msg.h - WireGuard's four messages on the wire: types, sizes, field offsets, protocol constants
 *
 * Every multi-byte integer is little-endian, except the TAI64N timestamp
 * (big-endian) inside the encrypted timestamp field. Offsets are bytes from
 * the start of the UDP payload.
 */
#ifndef PK_WG_MSG_H
#define PK_WG_MSG_H

#include <stdint.h>

#include "wg-crypto.h"

enum wg_msg_type {
	WG_MSG_INITIATION = 1,
	WG_MSG_RESPONSE = 2,
	WG_MSG_COOKIE = 3,
	WG_MSG_DATA = 4,
};

/* Handshake initiation: 148 bytes. */
#define WG_INIT_SENDER 4u
#define WG_INIT_EPHEMERAL 8u
#define WG_INIT_STATIC 40u    /* 32 + tag */
#define WG_INIT_TIMESTAMP 88u /* 12 + tag */
#define WG_INIT_MAC1 116u
#define WG_INIT_MAC2 132u
#define WG_INIT_LEN 148u

/* Handshake response: 92 bytes. */
#define WG_RESP_SENDER 4u
#define WG_RESP_RECEIVER 8u
#define WG_RESP_EPHEMERAL 12u
#define WG_RESP_EMPTY 44u /* 0 + tag */
#define WG_RESP_MAC1 60u
#define WG_RESP_MAC2 76u
#define WG_RESP_LEN 92u

/* Cookie reply: 64 bytes. */
#define WG_COOKIE_RECEIVER 4u
#define WG_COOKIE_NONCE 8u
#define WG_COOKIE_COOKIE 32u /* 16 + tag */
#define WG_COOKIE_LEN 64u

/* Transport data: a 16-byte header, then the sealed packet (padded to a
 * multiple of 16) and its tag. A keepalive seals nothing: 32 bytes. */
#define WG_DATA_RECEIVER 4u
#define WG_DATA_COUNTER 8u
#define WG_DATA_HEADER_LEN 16u
#define WG_DATA_MIN_LEN (WG_DATA_HEADER_LEN + WG_AEAD_TAG_LEN)
#define WG_DATA_PAD 16u

/* Time and message limits of the whitepaper (section 6.1), in ns. */
#define WG_SEC (UINT64_C(1000000000))
#define WG_REKEY_AFTER_MESSAGES (UINT64_C(1) << 60)
#define WG_REJECT_AFTER_MESSAGES (UINT64_MAX - (UINT64_C(1) << 13))
#define WG_REKEY_AFTER_TIME (120 * WG_SEC)
#define WG_REJECT_AFTER_TIME (180 * WG_SEC)
#define WG_REKEY_ATTEMPT_TIME (90 * WG_SEC)
#define WG_REKEY_TIMEOUT (5 * WG_SEC)
#define WG_KEEPALIVE_TIMEOUT (10 * WG_SEC)
#define WG_COOKIE_REFRESH_TIME (120 * WG_SEC)
/* Random extra delay of a handshake retransmission, at most (whitepaper
 * 6.1: "jitter"), so two peers' retries do not stay in lock step. */
#define WG_REKEY_JITTER_MAX (WG_SEC / 3)
/* A peer accepts one initiation from the same peer per this interval at
 * most (a flood of valid but replayed initiations costs one DH each). */
#define WG_INITIATION_MIN_INTERVAL (WG_SEC / 50)

/**
 * struct wg_timing - The limits a device runs with
 *
 * The whitepaper's values (wg_timing_init()) unless a test shortens them
 * (the device's test-only parameter): rekeys and expiries then happen in
 * seconds instead of minutes, with the same logic.
 */
struct wg_timing {
	uint64_t rekey_after_messages;
	uint64_t reject_after_messages;
	uint64_t rekey_after_time;
	uint64_t reject_after_time;
	uint64_t rekey_attempt_time;
	uint64_t rekey_timeout;
	uint64_t keepalive_timeout;
	uint64_t rekey_jitter_max;
};

/* The whitepaper's limits. */
static inline void wg_timing_init(struct wg_timing *t)
{
	t->rekey_after_messages = WG_REKEY_AFTER_MESSAGES;
	t->reject_after_messages = WG_REJECT_AFTER_MESSAGES;
	t->rekey_after_time = WG_REKEY_AFTER_TIME;
	t->reject_after_time = WG_REJECT_AFTER_TIME;
	t->rekey_attempt_time = WG_REKEY_ATTEMPT_TIME;
	t->rekey_timeout = WG_REKEY_TIMEOUT;
	t->keepalive_timeout = WG_KEEPALIVE_TIMEOUT;
	t->rekey_jitter_max = WG_REKEY_JITTER_MAX;
}

static inline uint32_t wg_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wg_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint64_t wg_get_le64(const uint8_t *p)
{
	return (uint64_t)wg_get_le32(p) | (uint64_t)wg_get_le32(p + 4) << 32;
}

static inline void wg_put_le64(uint8_t *p, uint64_t v)
{
	wg_put_le32(p, (uint32_t)v);
	wg_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* The first four bytes of every message: the type and three zero bytes. */
static inline void wg_put_type(uint8_t *msg, enum wg_msg_type t)
{
	wg_put_le32(msg, (uint32_t)t);
}

#endif /* PK_WG_MSG_H */
