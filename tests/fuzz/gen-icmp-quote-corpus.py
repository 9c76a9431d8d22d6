#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-icmp-quote-corpus.py - Write the seed inputs of fuzz-icmp-quote into corpus/icmp-quote/
#
# Usage: tests/fuzz/gen-icmp-quote-corpus.py [OUTDIR]
# Each seed is 3 bytes (options, code, room; see fuzz-icmp-quote.c) and an
# offending IPv4 or IPv6 packet, built here independently of libpktkit.
import os
import struct
import sys

IP4_A = bytes([192, 0, 2, 1])
IP4_B = bytes([198, 51, 100, 7])
IP6_A = bytes.fromhex("20010db8000000000000000000000001")
IP6_B = bytes.fromhex("20010db80000000000000000000000fe")
ALL_NODES = bytes.fromhex("ff020000000000000000000000000001")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(proto, payload, src=IP4_A, dst=IP4_B, frag=0x4000, opts=b""):
    ihl = 5 + len(opts) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), 0x1c46,
                      frag, 64, proto, 0, src, dst) + opts
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def ip6(nh, payload, src=IP6_A, dst=IP6_B):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload


def udp(data):
    return struct.pack("!HHHH", 40000, 40001, 8 + len(data), 0) + data


def icmp(typ, code, body):
    msg = struct.pack("!BBHI", typ, code, 0, 0) + body
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def seeds():
    s = {}
    s["udp4"] = (0x00, 3, 0, ip4(17, udp(b"pktkit builders")))
    s["udp4-padded"] = (0x00, 3, 0, ip4(17, udp(b"x")) + b"\0" * 17)
    s["udp4-big"] = (0x01, 4, 0, ip4(17, udp(bytes(range(256)) * 5)))
    s["udp4-room"] = (0x00, 3, 6, ip4(17, udp(b"y" * 200)))
    s["udp4-inplace-src"] = (0x60, 3, 0, ip4(17, udp(b"in place")))
    s["udp4-opts"] = (0x00, 3, 0, ip4(17, udp(b"z" * 9), opts=b"\x94\x04\x00\x00"))
    s["echo4"] = (0x00, 3, 0, ip4(1, icmp(8, 0, b"ping")))
    s["error-about-error4"] = (0x00, 1, 0, ip4(1, icmp(3, 1, ip4(17, udp(b"q"))[:28])))
    s["frag4-later"] = (0x00, 3, 0, ip4(17, b"f" * 16, frag=0x2000 | 185))
    s["bcast4"] = (0x00, 3, 0, ip4(17, udp(b"b"), dst=b"\xff\xff\xff\xff"))
    s["loopback-src4"] = (0x00, 3, 0, ip4(17, udp(b"l"), src=bytes([127, 0, 0, 1])))
    s["flags4"] = (0x18, 3, 0, ip4(17, udp(b"g")))
    s["not-error-type"] = (0x88, 0, 0, ip4(17, udp(b"t")))
    s["udp6"] = (0x00, 4, 0, ip6(17, udp(b"pktkit builders")))
    s["udp6-big"] = (0x02, 0, 0, ip6(17, udp(bytes(range(256)) * 6)))
    s["ptb6-mcast"] = (0x42, 0, 0, ip6(17, udp(b"m"), dst=ALL_NODES))
    s["pp6-code2-mcast"] = (0x05, 2, 0, ip6(17, udp(b"o"), dst=ALL_NODES))
    s["error-about-error6"] = (0x00, 4, 0, ip6(58, icmp(1, 4, b"\0" * 40)))
    s["echo6"] = (0x00, 4, 0, ip6(58, icmp(128, 0, b"ping6")))
    ext = bytes([60, 0, 1, 4, 0, 0, 0, 0]) + bytes([44, 0, 1, 4, 0, 0, 0, 0])
    s["ext-frag6-first"] = (0x00, 4, 0, ip6(0, ext + bytes([58, 0]) +
                                            struct.pack("!HI", 1, 7) + icmp(3, 0, b"")))
    s["frag6-later"] = (0x00, 4, 0, ip6(44, bytes([58, 0]) + struct.pack("!HI", 8 << 3, 7) +
                                        b"d" * 16))
    s["bad-chain6"] = (0x05, 1, 0, ip6(0, bytes([0, 0, 1, 4, 0, 0, 0, 0]) * 2))
    s["unspec-src6"] = (0x00, 4, 0, ip6(17, udp(b"u"), src=b"\0" * 16))
    s["short"] = (0x00, 3, 0, bytes([0x45, 0, 0]))
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus", "icmp-quote")
    os.makedirs(out, exist_ok=True)
    for name, (opt, code, room, pkt) in seeds().items():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(bytes([opt, code, room]) + pkt)


if __name__ == "__main__":
    main()
