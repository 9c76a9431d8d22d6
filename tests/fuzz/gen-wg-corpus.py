#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-wg-corpus.py - Write the seeds of fuzz-wg-handshake and fuzz-wg-replay into corpus/wg-*/
#
# Usage: tests/fuzz/gen-wg-corpus.py [OUTDIR]   (default tests/fuzz/corpus;
#        needs python3-cryptography for X25519 and ChaCha20-Poly1305)
# The handshake seeds are [control byte][message] (see fuzz-wg-handshake.c)
# for the harness's fixed keys, computed here independently of the C code
# (Noise_IKpsk2 as the whitepaper writes it; BLAKE2s from hashlib), so a seed
# the harness accepts also checks the core against a second implementation.
# The replay seeds are step sequences (see fuzz-wg-replay.c).
import hashlib
import hmac
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

SEC = 10**9
T_INIT = 1700000000 * SEC
I_INDEX = 0x1A2B3C4D
R_INDEX = 0x5E6F7081
SRC_I = bytes([192, 0, 2, 7]) + struct.pack("!H", 51820)  # address || port, as the cookie binds it


def h(*parts):
    return hashlib.blake2s(b"".join(parts)).digest()


def mac(key, msg):
    return hashlib.blake2s(msg, key=key, digest_size=16).digest()


def kdf(key, data, n):
    prk = hmac.new(key, data, hashlib.blake2s).digest()
    out, t = [], b""
    for i in range(1, n + 1):
        t = hmac.new(prk, t + bytes([i]), hashlib.blake2s).digest()
        out.append(t)
    return out


def clamp(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


def fixed_key(label, clamped):
    k = h(b"fuzz-wg ", label.encode())
    return clamp(k) if clamped else k


def pub(priv):
    # public_bytes(Raw, Raw), not public_bytes_raw(): Debian 12 has cryptography 38
    key = X25519PrivateKey.from_private_bytes(priv).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def dh(priv, peer):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(peer))


def aead(key, plain, ad):
    return ChaCha20Poly1305(key).encrypt(bytes(12), plain, ad)


def rotl(v, n):
    return ((v << n) & 0xFFFFFFFF) | (v >> (32 - n))


def hchacha20(key, nonce16):
    s = list(struct.unpack("<4I", b"expand 32-byte k")) + list(struct.unpack("<8I", key)) + \
        list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xaead(key, nonce24, plain, ad):
    return ChaCha20Poly1305(hchacha20(key, nonce24[:16])).encrypt(bytes(4) + nonce24[16:], plain, ad)


def tai64n(ns):
    return struct.pack(">QI", 0x400000000000000A + ns // SEC, (ns % SEC) & ~((1 << 24) - 1))


R_PRIV = fixed_key("responder static", True)
I_PRIV = fixed_key("initiator static", True)
O_PRIV = fixed_key("other static", True)
PSK = fixed_key("preshared key", False)
I_EPH = fixed_key("initiator ephemeral", True)
R_EPH = fixed_key("responder ephemeral", True)
SECRET = fixed_key("cookie secret", False)
NONCE = fixed_key("cookie nonce", False)[:24]
R_PUB = pub(R_PRIV)
I_PUB = pub(I_PRIV)
COOKIE_I = mac(SECRET, SRC_I)


def macs(msg, receiver_pub, cookie=None):
    m1 = mac(h(b"mac1----", receiver_pub), msg)
    m2 = mac(cookie, msg + m1) if cookie else bytes(16)
    return msg + m1 + m2


def initiation(priv, eph, index, ns, claimed_pub=None, cookie=None):
    """An initiation to R (MACs included) and the Noise state (C, H) after it."""
    c = h(b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s")
    hh = h(h(c, b"WireGuard v1 zx2c4 Jason@zx2c4.com"), R_PUB)
    e = pub(eph)
    c = kdf(c, e, 1)[0]
    hh = h(hh, e)
    c, k = kdf(c, dh(eph, R_PUB), 2)
    static = aead(k, claimed_pub or pub(priv), hh)
    hh = h(hh, static)
    c, k = kdf(c, dh(priv, R_PUB), 2)
    ts = aead(k, tai64n(ns), hh)
    hh = h(hh, ts)
    msg = struct.pack("<II", 1, index) + e + static + ts
    return macs(msg, R_PUB, cookie), c, hh


def response(c, hh, init_eph_pub, init_pub, psk, receiver, cookie=None):
    e = pub(R_EPH)
    c = kdf(c, e, 1)[0]
    hh = h(hh, e)
    c = kdf(c, dh(R_EPH, init_eph_pub), 1)[0]
    c = kdf(c, dh(R_EPH, init_pub), 1)[0]
    c, tau, k = kdf(c, psk, 3)
    hh = h(hh, tau)
    empty = aead(k, b"", hh)
    msg = struct.pack("<III", 2, R_INDEX, receiver) + e + empty
    return macs(msg, init_pub, cookie)


def cookie_reply(msg, receiver, plain=None, seal=True):
    body = plain if plain is not None else COOKIE_I
    mac1 = msg[-32:-16]
    sealed = xaead(h(b"cookie--", R_PUB), NONCE, body, mac1) if seal else body + bytes(16)
    return struct.pack("<II", 3, receiver) + NONCE + sealed


def handshake_seeds():
    init, c, hh = initiation(I_PRIV, I_EPH, I_INDEX, T_INIT)
    resp = response(c, hh, pub(I_EPH), I_PUB, PSK, I_INDEX)
    newer, _, _ = initiation(I_PRIV, fixed_key("initiator ephemeral 2", True), I_INDEX,
                             T_INIT + SEC)
    other, _, _ = initiation(O_PRIV, fixed_key("other ephemeral", True), 0x0BADCAFE, T_INIT)
    low, _, _ = initiation(I_PRIV, I_EPH, I_INDEX, T_INIT, claimed_pub=bytes(32))
    stranger, _, _ = initiation(fixed_key("stranger static", True), I_EPH, 7, T_INIT)
    with_cookie, _, _ = initiation(I_PRIV, I_EPH, I_INDEX, T_INIT, cookie=COOKIE_I)
    no_macs = init[:-32] + bytes(32)
    return {
        "init": b"\x00" + init,
        "init-replay": b"\x20" + init,
        "init-flood": b"\x40" + init,
        "init-while-initiating": b"\x60" + init,
        "init-newer-after-replay": b"\x20" + newer,
        "init-other-peer": b"\x00" + other,
        "init-low-order-static": b"\x00" + low,
        "init-unknown-peer": b"\x00" + stranger,
        "init-load-no-cookie": b"\x10" + init,
        "init-load-cookie": b"\x10" + with_cookie,
        "init-fix-mac1": b"\x04" + no_macs,
        "init-fix-both-load": b"\x1c" + no_macs,
        "resp": b"\x01" + resp,
        "resp-nothing-sent": b"\x21" + resp,
        "resp-taken-already": b"\x41" + resp,
        "resp-other-index": b"\x61" + resp,
        "resp-load-no-cookie": b"\x11" + resp,
        "resp-fix-both-load": b"\x1d" + resp[:-32] + bytes(32),
        "cookie": b"\x02" + cookie_reply(init, I_INDEX),
        "cookie-taken-already": b"\x22" + cookie_reply(init, I_INDEX),
        "cookie-older-held": b"\x42" + cookie_reply(init, I_INDEX),
        "cookie-reseal": b"\x06" + cookie_reply(init, I_INDEX, seal=False),
        "cookie-reseal-wrong": b"\x06" + cookie_reply(init, I_INDEX, plain=bytes(range(16)),
                                                      seal=False),
    }


def step_abs(counter):
    return b"\x00" + struct.pack("<Q", counter)


def step_rel(offset):
    return b"\x01" + struct.pack("<h", offset)


def step_jump(value, shift):
    return bytes([2 | shift << 2]) + struct.pack("<H", value)


def step_limit(below, plus=0):
    return bytes([3 | plus << 2]) + struct.pack("<H", below)


def replay_seeds():
    return {
        "in-order": b"".join(step_abs(n) for n in range(40)),
        "reordered": b"".join(step_abs(n) for n in (5, 3, 4, 4, 9, 0, 1, 70, 2, 65, 64, 63)),
        "window-edge": step_abs(20000) + step_rel(-8128) + step_rel(-8129) + step_rel(-8127) +
        step_rel(-8128) + step_rel(1) + step_rel(-8128) + step_rel(-1),
        "jumps": b"".join(step_jump(1, s) + step_rel(-64) + step_rel(-8000) for s in
                          (6, 7, 12, 13, 14, 20, 40)),
        "ring-wrap": b"".join(step_jump(64, 0) + step_rel(-1) for _ in range(140)),
        "near-limit": step_limit(100) + step_limit(1) + step_limit(0) + step_limit(0, 5) +
        step_rel(-50) + step_limit(2),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for sub, seeds in (("wg-handshake", handshake_seeds()), ("wg-replay", replay_seeds())):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(out, sub, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
