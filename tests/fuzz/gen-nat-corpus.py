#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-nat-corpus.py - Write the seeds of fuzz-nat into corpus/nat/
#
# Usage: tests/fuzz/gen-nat-corpus.py [OUTDIR]   (default tests/fuzz/corpus)
# Each seed is a sequence of records [flags][length, 2 bytes][IPv4 packet]
# (see fuzz-nat.c): conversations through the NAT's outside addresses
# 192.0.2.1 and 192.0.2.2, with right checksums so the fuzzer starts from
# packets the NAT translates.
import os
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def addr(a):
    return bytes(int(x) for x in a.split("."))


def ip(proto, src, dst, l4, ttl=64, frag=0, ident=0x1234):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident, frag, ttl, proto, 0,
                    addr(src), addr(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4


def pseudo(src, dst, proto, n):
    return addr(src) + addr(dst) + struct.pack("!BBH", 0, proto, n)


def udp(src, sp, dst, dp, payload=b"hello"):
    n = 8 + len(payload)
    u = struct.pack("!HHHH", sp, dp, n, 0) + payload
    c = csum(pseudo(src, dst, 17, n) + u) or 0xFFFF
    return ip(17, src, dst, u[:6] + struct.pack("!H", c) + u[8:])


def tcp(src, sp, dst, dp, flags, payload=b""):
    t = struct.pack("!HHIIBBHHH", sp, dp, 1000, 0, 5 << 4, flags, 65535, 0, 0) + payload
    c = csum(pseudo(src, dst, 6, len(t)) + t)
    return ip(6, src, dst, t[:16] + struct.pack("!H", c) + t[18:])


def icmp(src, dst, typ, rest, body=b"ping"):
    m = struct.pack("!BBH", typ, 0, 0) + rest + body
    return ip(1, src, dst, m[:2] + struct.pack("!H", csum(m)) + m[4:])


def rec(flags, pkt):
    return struct.pack("!BH", flags, len(pkt)) + pkt


def main():
    out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__) or ".",
                       "corpus", "nat") if len(sys.argv) <= 1 else os.path.join(sys.argv[1], "nat")
    os.makedirs(out, exist_ok=True)
    sent = udp("10.0.0.2", 5000, "198.51.100.1", 53)
    seeds = {
        "udp-both-ways": rec(0, sent) + rec(1, udp("198.51.100.1", 53, "192.0.2.1", 5000)),
        "tcp-handshake": rec(0, tcp("10.0.0.2", 40000, "198.51.100.1", 80, 0x02))
        + rec(1, tcp("198.51.100.1", 80, "192.0.2.1", 40000, 0x12))
        + rec(0, tcp("10.0.0.2", 40000, "198.51.100.1", 80, 0x10, b"GET / HTTP/1.0\r\n"))
        + rec(0, tcp("10.0.0.2", 40000, "198.51.100.1", 80, 0x11)),
        "ping": rec(0, icmp("10.0.0.2", "198.51.100.1", 8, struct.pack("!HH", 7, 1)))
        + rec(1, icmp("198.51.100.1", "192.0.2.1", 0, struct.pack("!HH", 7, 1))),
        "icmp-error-in": rec(0, sent)
        + rec(1, icmp("203.0.113.1", "192.0.2.1", 3, b"\0\0\0\0",
                      ip(17, "192.0.2.1", "198.51.100.1", sent[20:28]))),
        "icmp-error-out": rec(0, sent)
        + rec(0, icmp("10.0.0.2", "198.51.100.1", 3, b"\0\0\0\0",
                      udp("198.51.100.1", 53, "10.0.0.2", 5000)[:28])),
        "hairpin-lease": rec(0x10, udp("10.0.0.3", 6000, "198.51.100.1", 6000))
        + rec(0, udp("10.0.0.2", 5000, "192.0.2.1", 6000)),
        "fragments": rec(0, ip(17, "10.0.0.2", "198.51.100.1", sent[20:36], frag=0x2000))
        + rec(0, ip(17, "10.0.0.2", "198.51.100.1", b"x" * 8, frag=2)),
        "ttl": rec(0, ip(17, "10.0.0.2", "198.51.100.1", sent[20:], ttl=1)),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


main()
