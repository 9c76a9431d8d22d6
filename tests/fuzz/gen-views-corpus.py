#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-views-corpus.py - Write the seed frames of fuzz-views into corpus/views/
#
# Usage: tests/fuzz/gen-views-corpus.py [OUTDIR] [--pcap FILE]
# Checksums are computed here independently of libpktkit; --pcap also writes
# the frames as a pcap so another tool (tcpdump -vv) can check them.
import os
import struct
import sys

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
BCAST = b"\xff" * 6
IP4_A = bytes([192, 0, 2, 1])
IP4_B = bytes([198, 51, 100, 7])
IP6_A = bytes.fromhex("20010db8000000000000000000000001")
IP6_B = bytes.fromhex("20010db80000000000000000000000fe")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload, tags=()):
    hdr = dst + src
    for tpid, tci in tags:
        hdr += struct.pack("!HH", tpid, tci)
    return hdr + struct.pack("!H", etype) + payload


def ip4(proto, payload, src=IP4_A, dst=IP4_B, opts=b"", ttl=64, frag=0x4000, ident=0x1c46):
    ihl = 5 + len(opts) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), ident,
                      frag, ttl, proto, 0, src, dst) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ip6(nh, payload, src=IP6_A, dst=IP6_B, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60012345, len(payload), nh, hlim, src, dst) + payload


def pseudo4(src, dst, proto, n):
    return src + dst + struct.pack("!BBH", 0, proto, n)


def pseudo6(src, dst, nh, n):
    return src + dst + struct.pack("!IxxxB", n, nh)


def with_csum(seg, at, pseudo, zero_as_ffff=False):
    c = csum(pseudo + seg)
    if zero_as_ffff and c == 0:
        c = 0xFFFF
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]


def udp(sport, dport, data, pseudo_fn):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return with_csum(seg, 6, pseudo_fn(17, len(seg)), True)


def tcp(sport, dport, seq, ack, flags, opts, data, pseudo_fn, win=65535):
    doff = (20 + len(opts)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, win, 0, 0) + opts + data
    return with_csum(seg, 16, pseudo_fn(6, len(seg)))


def icmp(typ, code, rest, body, pseudo=b""):
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    return with_csum(msg, 2, pseudo)


P4 = lambda proto, n: pseudo4(IP4_A, IP4_B, proto, n)
P6 = lambda nh, n: pseudo6(IP6_A, IP6_B, nh, n)

SYN_OPTS = bytes.fromhex("020405b4") + b"\x04\x02" + bytes.fromhex("080a0001e2400000000001030307")
SACK_OPTS = b"\x01\x01" + bytes.fromhex("080a0001e24100000002") + b"\x01\x01" + \
    b"\x05\x12" + struct.pack("!IIII", 1000, 2000, 3000, 4000)


def frames():
    f = {}
    f["eth-ip4-udp"] = eth(MAC_B, MAC_A, 0x0800, ip4(17, udp(40000, 53, b"\x12\x34pktkit-dns", P4)))
    f["eth-ip4-tcp-syn"] = eth(MAC_B, MAC_A, 0x0800,
                               ip4(6, tcp(40001, 80, 1, 0, 0x02, SYN_OPTS, b"", P4)))
    f["eth-ip4-tcp-sack"] = eth(MAC_B, MAC_A, 0x0800,
                                ip4(6, tcp(80, 40001, 5000, 2, 0x10, SACK_OPTS, b"hello", P4)))
    f["eth-ip4-opts-icmp"] = eth(MAC_B, MAC_A, 0x0800,
                                 ip4(1, icmp(8, 0, b"\x00\x07\x00\x01", b"ping" * 4),
                                     opts=b"\x94\x04\x00\x00"))
    f["eth-ip4-frag"] = eth(MAC_B, MAC_A, 0x0800, ip4(17, b"x" * 16, frag=0x2000 | 185))
    f["vlan-ip6-tcp"] = eth(MAC_B, MAC_A, 0x86DD,
                            ip6(6, tcp(443, 50000, 7, 9, 0x18, b"\x01\x01\x01\x00", b"data", P6)),
                            tags=[(0x8100, 0x6064)])
    f["qinq-arp"] = eth(BCAST, MAC_A, 0x0806,
                        struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_A, IP4_A,
                                    b"\0" * 6, IP4_B) + b"\0" * 18,
                        tags=[(0x88A8, 100), (0x8100, 200)])
    u6 = udp(546, 547, b"\x01\x00\x00\x01", P6)
    f["eth-ip6-udp"] = eth(MAC_B, MAC_A, 0x86DD, ip6(17, udp(5353, 5353, b"pktkit-mdns!", P6)))
    ext = bytes([60, 0, 1, 4, 0, 0, 0, 0])           # hop-by-hop -> dstopts, PadN
    ext += bytes([44, 0, 1, 4, 0, 0, 0, 0])          # dstopts -> fragment
    ext += bytes([17, 0]) + struct.pack("!HI", 0x0001, 0xCAFE)  # first fragment, M=1
    f["eth-ip6-ext-udp"] = eth(MAC_B, MAC_A, 0x86DD, ip6(0, ext + u6))
    later = bytes([17, 0]) + struct.pack("!HI", (8 << 3), 0xCAFE) + b"y" * 16
    f["eth-ip6-frag-later"] = eth(MAC_B, MAC_A, 0x86DD, ip6(44, later))
    ns = icmp(135, 0, b"\0\0\0\0", IP6_B + bytes([1, 1]) + MAC_A, P6(58, 32))
    f["eth-ip6-icmp6-ns"] = eth(bytes.fromhex("3333ff0000fe"), MAC_A, 0x86DD, ip6(58, ns, hlim=255))
    rh = bytes([6, 2, 0, 0, 0, 0, 0, 0]) + IP6_B      # routing type 0, 1 address
    ah = bytes([6, 4, 0, 0]) + struct.pack("!II", 0x100, 1) + b"\0" * 12
    f["eth-ip6-rh-ah-tcp"] = eth(MAC_B, MAC_A, 0x86DD,
                                 ip6(43, rh[:0] + bytes([51]) + rh[1:] + ah +
                                     tcp(1, 2, 3, 4, 0x10, b"", b"", P6)))
    f["eth-ip4-bad-ihl"] = eth(MAC_B, MAC_A, 0x0800, b"\x4f" + ip4(17, b"")[1:])
    f["eth-ip4-tcp-badopts"] = eth(MAC_B, MAC_A, 0x0800,
                                   ip4(6, tcp(1, 2, 3, 4, 0x02, b"\x02\x04\x05\xb4\x03\x00\x01\x01\x08\x40\x00\x00", b"", P4)))
    f["short-eth"] = MAC_B + MAC_A[:3]
    return f


def write_pcap(path, fr):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for data in fr.values():
            out.write(struct.pack("<IIII", 0, 0, len(data), len(data)) + data)


def main():
    args = sys.argv[1:]
    pcap = None
    if "--pcap" in args:
        i = args.index("--pcap")
        pcap = args[i + 1]
        del args[i:i + 2]
    outdir = args[0] if args else os.path.join(os.path.dirname(__file__), "corpus", "views")
    os.makedirs(outdir, exist_ok=True)
    fr = frames()
    for name, data in fr.items():
        with open(os.path.join(outdir, name + ".bin"), "wb") as out:
            out.write(data)
    if pcap:
        write_pcap(pcap, fr)


if __name__ == "__main__":
    main()
