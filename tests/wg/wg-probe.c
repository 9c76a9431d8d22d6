/* SPDX-License-Identifier: MIT
 * wg-probe.c - A minimal WireGuard peer on pktkit's protocol core, to check it against wireguard-go
 *
 * Until the device exists, this is how the handshake, the cookie MACs and
 * the transport encryption of modules/wg meet a real peer: one UDP socket,
 * one peer, one handshake (as initiator or responder), then ICMP echo
 * requests through the tunnel to an address the peer answers for. It
 * prints what happened and exits 0 only if every echo got its reply.
 *
 *   wg-probe --key FILE --peer PUBKEY [--psk FILE] --port PORT --endpoint IP:PORT
 *            --mode initiate|respond --src ADDR --dst ADDR [--count N] [--timeout S]
 *
 * FILE holds a base64 key as wg(8) writes it. --src/--dst are the inner
 * IPv4 addresses (ours and the one pinged). In respond mode the probe waits
 * for the peer's initiation (wireguard-go sends one when it has a packet or
 * a persistent keepalive for us); the peer's endpoint is learnt from it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>
#include <pktkit/checksum.h>

#include "wg-cookie.h"
#include "wg-noise.h"
#include "wg-replay.h"

struct probe {
	struct wg_crypto *c;
	struct wg_identity id;
	struct wg_handshake hs;
	struct wg_cookie_checker checker;
	struct wg_cookie_maker maker;
	struct wg_noise_keys keys;
	struct wg_aead_key *tx, *rx;
	struct wg_replay replay;
	uint64_t tx_counter;
	int fd;
	struct sockaddr_in peer;
	bool have_peer;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * WG_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool read_key(const char *text, uint8_t out[WG_KEY_LEN])
{
	gsize n = 0;
	g_autofree char *trimmed = g_strstrip(g_strdup(text));
	g_autofree guchar *raw = g_base64_decode(trimmed, &n);

	if (n != WG_KEY_LEN)
		return false;
	memcpy(out, raw, WG_KEY_LEN);
	return true;
}

static bool read_key_file(const char *path, uint8_t out[WG_KEY_LEN])
{
	g_autofree char *text = NULL;

	return g_file_get_contents(path, &text, NULL, NULL) && read_key(text, out);
}

/* Wait up to @ms for a datagram; its length, or -1 on timeout. */
static ssize_t recv_one(struct probe *p, uint8_t *buf, size_t cap, int ms, struct sockaddr_in *from)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	return recvfrom(p->fd, buf, cap, 0, (struct sockaddr *)from, &fl);
}

static void send_to_peer(struct probe *p, const uint8_t *msg, size_t len)
{
	if (sendto(p->fd, msg, len, 0, (struct sockaddr *)&p->peer, sizeof(p->peer)) < 0)
		fprintf(stderr, "wg-probe: sendto: %s\n", strerror(errno));
}

static void install_keys(struct probe *p)
{
	p->tx = wg_aead_key_new(p->keys.send, true);
	p->rx = wg_aead_key_new(p->keys.recv, false);
	wg_replay_init(&p->replay);
	p->tx_counter = 0;
}

/* Seal @len bytes of inner packet (room for padding and tag after it). */
static void send_data(struct probe *p, const uint8_t *inner, size_t len)
{
	uint8_t msg[2048];
	size_t padded = (len + WG_DATA_PAD - 1) / WG_DATA_PAD * WG_DATA_PAD;

	memset(msg, 0, sizeof(msg));
	wg_put_type(msg, WG_MSG_DATA);
	wg_put_le32(msg + WG_DATA_RECEIVER, p->keys.remote_index);
	wg_put_le64(msg + WG_DATA_COUNTER, p->tx_counter);
	if (len) /* a keepalive has no packet (and @inner may be NULL) */
		memcpy(msg + WG_DATA_HEADER_LEN, inner, len);
	wg_aead_key_seal(p->tx, p->tx_counter++, msg + WG_DATA_HEADER_LEN, padded);
	send_to_peer(p, msg, WG_DATA_HEADER_LEN + padded + WG_AEAD_TAG_LEN);
}

/* Open a data message in place; the inner bytes (padding included) or NULL. */
static uint8_t *open_data(struct probe *p, uint8_t *msg, size_t len, size_t *inner_len)
{
	uint64_t ctr;

	if (len < WG_DATA_MIN_LEN || wg_get_le32(msg + WG_DATA_RECEIVER) != p->keys.local_index)
		return NULL;
	ctr = wg_get_le64(msg + WG_DATA_COUNTER);
	if (!wg_aead_key_open(p->rx, ctr, msg + WG_DATA_HEADER_LEN, len - WG_DATA_MIN_LEN)) {
		fprintf(stderr, "wg-probe: a data message did not authenticate\n");
		return NULL;
	}
	if (!wg_replay_accept(&p->replay, ctr)) {
		fprintf(stderr, "wg-probe: replayed counter %" G_GUINT64_FORMAT "\n", ctr);
		return NULL;
	}
	*inner_len = len - WG_DATA_MIN_LEN;
	return msg + WG_DATA_HEADER_LEN;
}

static bool initiate(struct probe *p, int timeout_ms)
{
	uint8_t msg[WG_INIT_LEN], buf[2048], eph[WG_KEY_LEN];
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
	struct sockaddr_in from;

	wg_genkey(eph);
	if (!wg_noise_initiation_create(p->c, &p->id, &p->hs, msg, 0x50524f42u, eph, now_ns()))
		return false;
	wg_cookie_add_macs(p->c, &p->maker, msg, sizeof(msg), now_ns());
	send_to_peer(p, msg, sizeof(msg));
	while (mono_ms() < deadline) {
		ssize_t n = recv_one(p, buf, sizeof(buf), (int)(deadline - mono_ms()), &from);

		if (n < 0)
			break;
		if (n == WG_RESP_LEN && buf[0] == WG_MSG_RESPONSE &&
		    wg_cookie_check(p->c, &p->checker, buf, (size_t)n, NULL, false, 0, NULL) ==
			    WG_MAC1_ONLY &&
		    wg_noise_response_consume(p->c, &p->id, &p->hs, buf) == WG_NOISE_OK) {
			wg_noise_derive_keys(p->c, &p->hs, &p->keys);
			install_keys(p);
			/* Confirm the session: the responder waits for our first data. */
			send_data(p, NULL, 0);
			return true;
		}
		fprintf(stderr, "wg-probe: ignored a %zd-byte message of type %u\n", n, buf[0]);
	}
	fprintf(stderr, "wg-probe: no valid response to the initiation\n");
	return false;
}

/* A responder sends nothing on new keys before the initiator used them
 * (whitepaper 5.4.6 and 6.1): wait for its first data message. */
static bool wait_confirmation(struct probe *p, uint64_t deadline)
{
	uint8_t buf[2048];
	struct sockaddr_in from;
	size_t inner_len;

	while (mono_ms() < deadline) {
		ssize_t n = recv_one(p, buf, sizeof(buf), (int)(deadline - mono_ms()), &from);

		if (n < 0)
			break;
		if (buf[0] == WG_MSG_DATA && open_data(p, buf, (size_t)n, &inner_len))
			return true;
	}
	fprintf(stderr, "wg-probe: the initiator never used the new keys\n");
	return false;
}

static bool respond(struct probe *p, int timeout_ms)
{
	uint8_t buf[2048], resp[WG_RESP_LEN], eph[WG_KEY_LEN];
	uint64_t deadline = mono_ms() + (uint64_t)timeout_ms;
	struct sockaddr_in from;
	struct wg_noise_pending pend;

	while (mono_ms() < deadline) {
		ssize_t n = recv_one(p, buf, sizeof(buf), (int)(deadline - mono_ms()), &from);
		struct wg_source src = { .addr_len = 4, .port = ntohs(from.sin_port) };

		if (n < 0)
			break;
		memcpy(src.addr, &from.sin_addr, 4);
		if (n != WG_INIT_LEN || buf[0] != WG_MSG_INITIATION ||
		    wg_cookie_check(p->c, &p->checker, buf, (size_t)n, &src, false, 0, NULL) !=
			    WG_MAC1_ONLY ||
		    wg_noise_initiation_open(p->c, &p->id, buf, &pend) != WG_NOISE_OK) {
			fprintf(stderr, "wg-probe: ignored a %zd-byte message of type %u\n", n,
				buf[0]);
			continue;
		}
		if (!wg_equal(pend.remote_static, p->hs.remote_static, WG_KEY_LEN)) {
			fprintf(stderr, "wg-probe: an initiation from an unknown key\n");
			wg_noise_pending_clear(&pend);
			continue;
		}
		if (wg_noise_initiation_accept(p->c, &pend, &p->hs, now_ns()) != WG_NOISE_OK) {
			fprintf(stderr,
				"wg-probe: initiation refused (replay, flood or bad timestamp)\n");
			continue;
		}
		wg_genkey(eph);
		if (!wg_noise_response_create(p->c, &p->id, &p->hs, resp, 0x52455350u, eph))
			return false;
		wg_cookie_add_macs(p->c, &p->maker, resp, sizeof(resp), now_ns());
		p->peer = from;
		p->have_peer = true;
		send_to_peer(p, resp, sizeof(resp));
		wg_noise_derive_keys(p->c, &p->hs, &p->keys);
		install_keys(p);
		return wait_confirmation(p, deadline);
	}
	fprintf(stderr, "wg-probe: no initiation came\n");
	return false;
}

static size_t build_echo(uint8_t *pkt, struct in_addr src, struct in_addr dst, uint16_t seq)
{
	size_t len = 20 + 8 + 56;

	memset(pkt, 0, len);
	pkt[0] = 0x45;
	pk_put_be16(pkt + 2, (uint16_t)len);
	pkt[8] = 64;
	pkt[9] = 1; /* ICMP */
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	pk_put_be16(pkt + 10, pk_csum(pkt, 20));
	pkt[20] = 8; /* echo request */
	pk_put_be16(pkt + 24, 0x7770);
	pk_put_be16(pkt + 26, seq);
	for (unsigned i = 0; i < 56; i++)
		pkt[28 + i] = (uint8_t)(i + seq);
	pk_put_be16(pkt + 22, pk_csum(pkt + 20, len - 20));
	return len;
}

/* Is @inner the echo reply to @seq from @dst? */
static bool is_reply(const uint8_t *inner, size_t len, struct in_addr dst, uint16_t seq)
{
	if (len < 28 || (inner[0] >> 4) != 4 || inner[9] != 1 || pk_get_be16(inner + 2) > len)
		return false;
	return memcmp(inner + 12, &dst, 4) == 0 && inner[20] == 0 &&
	       pk_get_be16(inner + 24) == 0x7770 && pk_get_be16(inner + 26) == seq &&
	       pk_csum(inner + 20, pk_get_be16(inner + 2) - 20u) == 0;
}

static unsigned ping(struct probe *p, struct in_addr src, struct in_addr dst, unsigned count)
{
	uint8_t pkt[128], buf[2048];
	unsigned got = 0;

	for (uint16_t seq = 1; seq <= count; seq++) {
		uint64_t deadline = mono_ms() + 2000;
		struct sockaddr_in from;

		send_data(p, pkt, build_echo(pkt, src, dst, seq));
		while (mono_ms() < deadline) {
			ssize_t n = recv_one(p, buf, sizeof(buf), (int)(deadline - mono_ms()),
					     &from);
			size_t inner_len = 0;
			uint8_t *inner;

			if (n < 0)
				break;
			if (buf[0] != WG_MSG_DATA)
				continue; /* e.g. a retransmitted initiation */
			inner = open_data(p, buf, (size_t)n, &inner_len);
			if (inner && inner_len == 0)
				continue; /* keepalive */
			if (inner && is_reply(inner, inner_len, dst, seq)) {
				got++;
				break;
			}
		}
	}
	return got;
}

int main(int argc, char **argv)
{
	g_autofree char *key = NULL, *peer = NULL, *psk_file = NULL, *endpoint = NULL;
	g_autofree char *mode = NULL, *src_s = NULL, *dst_s = NULL;
	int port = 0, count = 3, timeout = 10;
	GOptionEntry entries[] = {
		{ "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "Private key file", "FILE" },
		{ "peer", 0, 0, G_OPTION_ARG_STRING, &peer, "Peer public key (base64)", "KEY" },
		{ "psk", 0, 0, G_OPTION_ARG_FILENAME, &psk_file, "Preshared key file", "FILE" },
		{ "port", 0, 0, G_OPTION_ARG_INT, &port, "Local UDP port", "PORT" },
		{ "endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, "Peer IPv4:port", "EP" },
		{ "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "initiate or respond", "MODE" },
		{ "src", 0, 0, G_OPTION_ARG_STRING, &src_s, "Inner source IPv4", "ADDR" },
		{ "dst", 0, 0, G_OPTION_ARG_STRING, &dst_s, "Inner IPv4 to ping", "ADDR" },
		{ "count", 0, 0, G_OPTION_ARG_INT, &count, "Echo requests (3)", "N" },
		{ "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Handshake timeout (10 s)", "S" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- WireGuard probe");
	g_autoptr(GError) error = NULL;
	uint8_t priv[WG_KEY_LEN], peer_pub[WG_KEY_LEN], psk[WG_KEY_LEN];
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct in_addr src, dst;
	struct probe p = { 0 };
	const char *why = NULL;
	unsigned got;
	bool ok;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		fprintf(stderr, "wg-probe: %s\n", error->message);
		return 2;
	}
	if (!key || !peer || !mode || !src_s || !dst_s || !port ||
	    (strcmp(mode, "initiate") == 0 && !endpoint)) {
		fprintf(stderr, "wg-probe: --key, --peer, --port, --mode, --src, --dst (and "
				"--endpoint to initiate) are needed\n");
		return 2;
	}
	if (!read_key_file(key, priv) || !read_key(peer, peer_pub) ||
	    (psk_file && !read_key_file(psk_file, psk)) || inet_pton(AF_INET, src_s, &src) != 1 ||
	    inet_pton(AF_INET, dst_s, &dst) != 1) {
		fprintf(stderr, "wg-probe: a key or an address does not parse\n");
		return 2;
	}
	if (!wg_crypto_global_init(&why)) {
		fprintf(stderr, "wg-probe: %s\n", why);
		return 1;
	}
	p.c = wg_crypto_new();
	wg_identity_set(p.c, &p.id, priv);
	wg_handshake_init(p.c, &p.hs, &p.id, peer_pub, psk_file ? psk : NULL);
	wg_cookie_checker_init(&p.checker, &p.id);
	wg_cookie_maker_init(p.c, &p.maker, peer_pub);
	if (endpoint) {
		g_autofree char *host = g_strdup(endpoint);
		char *colon = strrchr(host, ':');

		p.peer.sin_family = AF_INET;
		if (!colon || (*colon = 0, inet_pton(AF_INET, host, &p.peer.sin_addr) != 1)) {
			fprintf(stderr, "wg-probe: --endpoint must be IPv4:PORT\n");
			return 2;
		}
		p.peer.sin_port = htons((uint16_t)atoi(colon + 1));
		p.have_peer = true;
	}
	p.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	local.sin_port = htons((uint16_t)port);
	if (p.fd < 0 || bind(p.fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		fprintf(stderr, "wg-probe: UDP port %d: %s\n", port, strerror(errno));
		return 1;
	}
	ok = strcmp(mode, "initiate") == 0 ? initiate(&p, timeout * 1000)
					   : respond(&p, timeout * 1000);
	if (!ok)
		return 1;
	printf("handshake ok (%s), local index %08x, remote index %08x\n",
	       p.keys.initiator ? "initiator" : "responder", p.keys.local_index,
	       p.keys.remote_index);
	got = ping(&p, src, dst, (unsigned)count);
	printf("echo %u/%d\n", got, count);
	wg_aead_key_free(p.tx);
	wg_aead_key_free(p.rx);
	wg_crypto_free(p.c);
	wg_identity_clear(&p.id);
	return got == (unsigned)count ? 0 : 1;
}
