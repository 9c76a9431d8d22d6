#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# wg-flood.py - A flood of forged WireGuard handshake initiations with a valid MAC1
"""Load generator of tests/interop/test-wg-faults.sh.

  wg-flood.py --target ADDR:PORT --pubkey BASE64 [--rate N] [--seconds S]
              [--bind ADDR]

      Sends N (default 3000) handshake initiations per second for S seconds
      (default 5) to ADDR:PORT from one UDP socket (bound to --bind, any port).
      Each is 148 bytes: type 1, three zero bytes, 112 random bytes (sender
      index, ephemeral key, sealed static key and timestamp: garbage no
      responder can open), MAC1 over the first 116 bytes keyed with
      HASH("mac1----" || the responder's public key) as the whitepaper says
      (so it passes the responder's first, cheap check), and a zero MAC2.
      Replies (cookie replies, type 3, 64 bytes) are read and counted.
      Prints at the end: "flood sent=N seconds=S rate=R replies=N
      cookie-replies=N".
"""
import argparse
import base64
import hashlib
import os
import socket
import time


def addr(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def main():
    p = argparse.ArgumentParser(description="flood of WireGuard initiations with a valid MAC1")
    p.add_argument("--target", required=True)
    p.add_argument("--pubkey", required=True)
    p.add_argument("--rate", type=int, default=3000)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--bind", default="0.0.0.0")
    a = p.parse_args()

    pub = base64.b64decode(a.pubkey.strip())
    assert len(pub) == 32, "the public key is not 32 bytes"
    mac1_key = hashlib.blake2s(b"mac1----" + pub, digest_size=32).digest()
    target = addr(a.target)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 0))
    s.setblocking(False)

    sent = replies = cookies = 0
    t0 = time.monotonic()
    end = t0 + a.seconds
    burst = max(1, a.rate // 100)  # paced in 10 ms slices
    next_slice = t0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now < next_slice:
            time.sleep(next_slice - now)
        for _ in range(burst):
            body = b"\x01\x00\x00\x00" + os.urandom(112)
            mac1 = hashlib.blake2s(body, key=mac1_key, digest_size=16).digest()
            try:
                s.sendto(body + mac1 + bytes(16), target)
                sent += 1
            except BlockingIOError:
                pass
        next_slice += 0.01
        while True:
            try:
                d = s.recv(2048)
            except (BlockingIOError, ConnectionRefusedError):
                break
            replies += 1
            if len(d) == 64 and d[0] == 3:
                cookies += 1
    took = time.monotonic() - t0
    time.sleep(0.2)
    while True:
        try:
            d = s.recv(2048)
        except (BlockingIOError, ConnectionRefusedError):
            break
        replies += 1
        if len(d) == 64 and d[0] == 3:
            cookies += 1
    print("flood sent=%d seconds=%.1f rate=%.0f replies=%d cookie-replies=%d"
          % (sent, took, sent / took, replies, cookies), flush=True)


if __name__ == "__main__":
    main()
