#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-nat-pmp-corpus.py - Seeds for fuzz-nat-pmp and fuzz-pcp (input format: fuzz-nat-pmp.h)
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))


def step(payload, client=0, action=0, secs=0, odd=False):
    ctl = client | action << 2 | (secs & 7) << 4 | (0x80 if odd else 0)
    return bytes([len(payload), ctl]) + payload


def v4mapped(a):
    return bytes(10) + b"\xff\xff" + bytes(int(x) for x in a.split("."))


def pmp_map(op, priv, pub, life):
    return struct.pack(">BBHHHI", 0, op, 0, priv, pub, life)


def map_body(nonce, proto, iport, eport, eaddr="0.0.0.0"):
    return nonce + bytes([proto, 0, 0, 0]) + struct.pack(">HH", iport, eport) + v4mapped(eaddr)


def opt(code, data):
    pad = (4 - len(data) % 4) % 4
    return bytes([code, 0]) + struct.pack(">H", len(data)) + data + bytes(pad)


def pcp(op, life, rest):
    """fuzz-pcp's payload: opcode, lifetime, what follows the header."""
    return bytes([op]) + struct.pack(">I", life) + rest


def pcp_full(op, life, client, rest):
    """A whole PCP request, for fuzz-nat-pmp."""
    return bytes([2, op, 0, 0]) + struct.pack(">I", life) + v4mapped(client) + rest


N1 = bytes(range(1, 13))
N2 = bytes(range(13, 25))
FILTER = opt(3, bytes([0, 120]) + struct.pack(">H", 53) + v4mapped("192.0.2.0"))
THIRD = opt(1, v4mapped("10.0.0.9"))
PREFER = opt(2, b"")
PEER_TAIL = struct.pack(">HH", 443, 0) + v4mapped("192.0.2.1")

nat_pmp = {
    "natpmpc-a": bytes([0]) + step(b"\x00\x00") + step(pmp_map(2, 80, 8080, 3600)),
    "delete-all": bytes([0]) + step(pmp_map(1, 5000, 0, 60)) + step(pmp_map(1, 0, 0, 0)),
    "expire": bytes([16]) + step(pmp_map(1, 5000, 0, 30)) + step(b"", action=1, secs=7)
    + step(b"", action=2) + step(b"\x01", action=3),
    "pcp-map": bytes([4]) + step(pcp_full(1, 600, "10.0.0.2", map_body(N1, 6, 22, 22) + THIRD))
    + step(pcp_full(1, 0, "10.0.0.2", map_body(N2, 6, 22, 0)), client=0),
    "versions": bytes([0]) + step(b"\x01\x00") + step(b"\x00\x05" + bytes(10))
    + step(pcp_full(0, 0, "10.0.0.2", b"")),
}
pcp_seeds = {
    "map": bytes([0]) + step(pcp(1, 600, map_body(N1, 17, 5000, 5000))),
    "map-options": bytes([12]) + step(pcp(1, 600, map_body(N1, 6, 80, 80) + PREFER + THIRD))
    + step(pcp(1, 600, map_body(N1, 6, 81, 0) + FILTER)),
    "peer": bytes([0]) + step(pcp(2, 600, map_body(N1, 6, 5000, 0) + PEER_TAIL))
    + step(pcp(2, 0, map_body(N1, 6, 5000, 0) + PEER_TAIL)),
    "nonce": bytes([0]) + step(pcp(1, 600, map_body(N1, 17, 7000, 0)))
    + step(pcp(1, 600, map_body(N2, 17, 7000, 0))) + step(pcp(1, 0, map_body(N1, 0, 0, 0))),
    "announce": bytes([2]) + step(pcp(0, 0, b"")) + step(b"", action=2),
}

for name, seeds in (("nat-pmp", nat_pmp), ("pcp", pcp_seeds)):
    d = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus"), name)
    os.makedirs(d, exist_ok=True)
    for k, v in seeds.items():
        with open(os.path.join(d, k), "wb") as f:
            f.write(v)
