#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-nat64-corpus.py - Write the seeds of fuzz-nat64 into corpus/nat64/
#
# Usage: tests/fuzz/gen-nat64-corpus.py [OUTDIR]
# Each seed is a control byte (format at the top of fuzz-nat64.c) and then an
# IPv6 or IPv4 packet, two DNS messages, or a prefix and an address.
import os
import struct
import sys

H6 = bytes.fromhex("20010db8000100000000000000000010")
S6 = bytes.fromhex("0064ff9b0000000000000000c6336407")
P4 = bytes([203, 0, 113, 1])
S4 = bytes([198, 51, 100, 7])


def csum(data, start=0):
    if len(data) % 2:
        data += b"\0"
    s = start
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pseudo6(src, dst, proto, length):
    s = 0
    for i in range(0, 16, 2):
        s += (src[i] << 8 | src[i + 1]) + (dst[i] << 8 | dst[i + 1])
    return s + proto + (length >> 16) + (length & 0xFFFF)


def pseudo4(src, dst, proto, length):
    return (src[0] << 8 | src[1]) + (src[2] << 8 | src[3]) + (dst[0] << 8 | dst[1]) + \
        (dst[2] << 8 | dst[3]) + proto + length


def put_csum(msg, off, value):
    return msg[:off] + struct.pack("!H", value) + msg[off + 2:]


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, payload):
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x10, 65535, 0, 0) + payload


def icmp(typ, code, rest, body):
    return struct.pack("!BBHI", typ, code, 0, rest) + body


def l4_6(proto, msg, src, dst):
    off = {6: 16, 17: 6, 58: 2}[proto]
    return put_csum(msg, off, csum(msg, pseudo6(src, dst, proto, len(msg))))


def l4_4(proto, msg, src, dst):
    off = {6: 16, 17: 6, 1: 2}[proto]
    start = 0 if proto == 1 else pseudo4(src, dst, proto, len(msg))
    return put_csum(msg, off, csum(msg, start))


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) + src + dst + payload


def ip4(src, dst, proto, payload, ttl=64, frag=0, ident=0x4242):
    h = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0) + src + dst
    return put_csum(h, 10, csum(h)) + payload


def name(text):
    out = b""
    for label in text.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns(qid, flags, qtype, answers=b"", an=0, ns=0, nsrecs=b""):
    return struct.pack("!HHHHHH", qid, flags, 1, an, ns, 0) + name("www.example.com") + \
        struct.pack("!HH", qtype, 1) + answers + nsrecs


def rr(rtype, ttl, rdata):
    return b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "nat64")
    os.makedirs(out, exist_ok=True)
    seeds = {}
    u6 = l4_6(17, udp(40000, 53, b"hello nat64"), H6, S6)
    seeds["6to4-udp"] = b"\x00" + ip6(H6, S6, 17, u6)
    t6 = l4_6(6, tcp(40000, 80, b"GET / HTTP/1.0\r\n\r\n"), H6, S6)
    seeds["6to4-tcp-hbh"] = b"\x10" + ip6(H6, S6, 0, bytes([6, 0, 1, 4, 0, 0, 0, 0]) + t6)
    e6 = l4_6(58, icmp(128, 0, 0x11110001, b"ping" * 8), H6, S6)
    seeds["6to4-echo"] = b"\x04" + ip6(H6, S6, 58, e6)
    frag = bytes([17, 0, 0, 1]) + struct.pack("!I", 0xABCD1234)
    seeds["6to4-frag"] = b"\x00" + ip6(H6, S6, 44, frag + u6)
    quoted = ip6(S6, H6, 17, l4_6(17, udp(53, 40000, b"x" * 20), S6, H6))
    err6 = l4_6(58, icmp(2, 0, 1400, quoted), H6, S6)
    seeds["6to4-ptb"] = b"\x08" + ip6(H6, S6, 58, err6)
    err6 = l4_6(58, icmp(4, 0, 7, quoted), H6, S6)
    seeds["6to4-param"] = b"\x00" + ip6(H6, S6, 58, err6)

    u4 = l4_4(17, udp(53, 61001, b"answer"), S4, P4)
    seeds["4to6-udp"] = b"\x01" + ip4(S4, P4, 17, u4)
    big = l4_4(17, udp(53, 61001, bytes(range(256)) * 12), S4, P4)
    seeds["4to6-udp-big"] = b"\x01" + ip4(S4, P4, 17, big)
    seeds["4to6-udp-big-df"] = b"\x09" + ip4(S4, P4, 17, big, frag=0x4000)
    seeds["4to6-frag"] = b"\x01" + ip4(S4, P4, 6, l4_4(6, tcp(80, 61001, b"y" * 64), S4, P4),
                                       frag=0x2000)
    e4 = l4_4(1, icmp(0, 0, 0x51510001, b"pong" * 8), S4, P4)
    seeds["4to6-echo"] = b"\x01" + ip4(S4, P4, 1, e4)
    q4 = ip4(P4, S4, 6, l4_4(6, tcp(61001, 80, b""), P4, S4), frag=0x4000)
    for name_, t, c, rest in (("unreach", 3, 3, 0), ("fragneeded", 3, 4, 1400),
                              ("timex", 11, 0, 0), ("param", 12, 0, 9 << 24)):
        seeds["4to6-" + name_] = b"\x05" + ip4(bytes([192, 0, 2, 1]), P4, 1,
                                                l4_4(1, icmp(t, c, rest, q4), None, None))

    soa = name("ns.example") + name("host.example") + struct.pack("!IIIII", 1, 2, 3, 4, 60)
    aaaa = dns(1, 0x8180, 28, ns=1, nsrecs=b"\xc0\x0c" + struct.pack("!HHIH", 6, 1, 300, len(soa)) + soa)
    a = dns(2, 0x8180, 1, rr(1, 30, bytes([8, 8, 4, 4])) + rr(1, 300, bytes([10, 0, 0, 1])), an=2)
    seeds["dns64-wkp"] = b"\x42" + struct.pack("!H", len(aaaa)) + aaaa + a
    seeds["dns64-nsp"] = b"\x06" + struct.pack("!H", len(aaaa)) + aaaa + a
    seeds["prefix-96"] = b"\x03" + b"64:ff9b::/96\0" + bytes([192, 0, 2, 33])
    seeds["prefix-40"] = b"\x03" + b"2001:db8:100::/40\0" + bytes([192, 0, 2, 33])
    for k, v in seeds.items():
        with open(os.path.join(out, k), "wb") as f:
            f.write(v)


if __name__ == "__main__":
    main()
