#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-corpus.py - Write the seeds of fuzz-tcp, fuzz-qemu-stream, fuzz-offload, fuzz-netlink,
# fuzz-dbus-params, fuzz-lease-file and fuzz-ra into corpus/<target>/,
# and the host-answer seeds of fuzz-dhcp and the offload seeds of fuzz-vclient.
#
# Usage: tests/fuzz/gen-corpus.py [TARGET...]   (default: all of them)
# Input formats are described at the top of each tests/fuzz/fuzz-<target>.c.
# Checksums are computed here, independently of libpktkit.
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")
IP4_A = bytes([10, 0, 0, 1])
IP4_B = bytes([10, 0, 0, 2])
IP6_A = bytes.fromhex("fd000000000000000000000000000001")
IP6_B = bytes.fromhex("fd000000000000000000000000000002")


def csum_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum(data):
    return ~csum_sum(data) & 0xFFFF


def ip4(proto, payload, src=IP4_A, dst=IP4_B, ident=0x1234):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      src, dst)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def ip6(nh, payload, src=IP6_A, dst=IP6_B, hlim=64):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, hlim) + src + dst + payload


def pseudo4(src, dst, proto, length):
    return src + dst + struct.pack("!BBH", 0, proto, length)


def pseudo6(src, dst, proto, length):
    return src + dst + struct.pack("!IxxxB", length, proto)


def tcp(sport, dport, seq, ack, flags, payload=b"", opts=b"", pseudo=None, win=65535):
    off = (20 + len(opts)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts
    seg += payload
    if pseudo is not None:
        c = csum(pseudo(len(seg)) + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def write(target, seeds):
    out = os.path.join(HERE, "corpus", target)
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


# fuzz-offload: [mode][virtio_net_hdr_v1, little-endian][packet]
def vnet(flags=0, gso_type=0, hdr_len=0, gso_size=0, csum_start=0, csum_offset=0):
    return struct.pack("<BBHHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, 0)


def offload():
    data = bytes(range(256)) * 12
    seeds = {}
    # A TCP/IPv4 super-packet with the pseudo header's sum in the checksum field.
    seg = tcp(40000, 80, 1000, 1, 0x18 | 0x80, data[:3000])
    ps = csum_sum(pseudo4(IP4_A, IP4_B, 6, len(seg)))
    seg = seg[:16] + struct.pack("!H", ps) + seg[18:]
    pkt4 = ip4(6, seg)
    seeds["tun-tso4"] = b"\x00" + vnet(1, 1, 40, 1448, 20, 16) + pkt4
    seeds["tun-tso4-ecn-small-mss"] = b"\x00" + vnet(1, 0x81, 40, 100, 20, 16) + pkt4[:20 + 20 + 450]
    seg6 = tcp(40000, 443, 7, 9, 0x11, data[:2500], opts=b"\x01\x01\x08\x0a" + bytes(8))
    ps6 = csum_sum(pseudo6(IP6_A, IP6_B, 6, len(seg6)))
    seg6 = seg6[:16] + struct.pack("!H", ps6) + seg6[18:]
    pkt6 = ip6(6, seg6)
    seeds["tun-tso6"] = b"\x00" + vnet(1, 4, 72, 1220, 40, 16) + pkt6
    seeds["tap-tso4"] = b"\x01" + vnet(1, 1, 54, 1448, 34, 16) + eth(MAC_B, MAC_A, 0x0800, pkt4)
    seeds["tap-tso6-vlan"] = (b"\x01" + vnet(1, 4, 90, 1000, 58, 16) + MAC_B + MAC_A +
                              struct.pack("!HHH", 0x8100, 5, 0x86DD) + pkt6)
    # Checksum only: UDP, and a verified one.
    udp = struct.pack("!HHHH", 5353, 53, 8 + 30, 0) + data[:30]
    ps = csum_sum(pseudo4(IP4_A, IP4_B, 17, len(udp)))
    udp = udp[:6] + struct.pack("!H", ps) + udp[8:]
    seeds["tun-csum-udp"] = b"\x00" + vnet(1, 0, 0, 0, 20, 6) + ip4(17, udp)
    seeds["tun-data-valid"] = b"\x00" + vnet(2) + ip4(17, udp)
    # Raw metadata (mode bit 1): GSO without a partial checksum; IPv6 with a
    # destination options header before TCP (csum_start says where TCP is).
    seeds["raw-gso4-nocsum"] = b"\x02" + vnet(0, 0, 0, 500) + pkt4
    dst_opts = bytes([6, 0, 1, 4, 0, 0, 0, 0])
    pkt6x = ip6(60, dst_opts + seg6)
    seeds["raw-gso6-ext"] = b"\x06" + vnet(1, 0, 0, 700, 48, 16) + pkt6x
    return seeds


# fuzz-dhcp (host answers): frames to the server at 02:00:00:00:00:01, 192.168.0.1
def dhcp_host():
    server_mac, server_ip = bytes.fromhex("020000000001"), bytes([192, 168, 0, 1])
    client_mac, client_ip = bytes.fromhex("525400000007"), bytes([192, 168, 0, 7])
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + client_mac + client_ip + bytes(6) + server_ip
    echo = struct.pack("!BBHHH", 8, 0, 0, 0x77, 1) + b"abcdefgh" * 4
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    return {
        "host-arp-request": eth(b"\xff" * 6, client_mac, 0x0806, arp + bytes(18)),
        "host-echo-request": eth(server_mac, client_mac, 0x0800,
                                 ip4(1, echo, src=client_ip, dst=server_ip)),
    }


# fuzz-vclient (offload records): [len | 0x8000, 2 bytes][flags][meta, gso_size, csum_start,
# csum_offset][packet]; the vclient is 10.0.0.2 and fd00::2 with TCP :80, :443 and UDP :53
def vclient():
    vc4, peer4 = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 9])
    vc6, peer6 = bytes.fromhex("fd000000000000000000000000000002"), IP6_A

    def plain(pkt, flags=0):
        return struct.pack("!HB", len(pkt), flags) + pkt

    def off(pkt, meta, gso=0, start=0, offset=0, flags=0):
        return struct.pack("!HBBHBB", len(pkt) | 0x8000, flags, meta, gso, start, offset) + pkt

    payload = bytes(range(256)) * 12
    udp = struct.pack("!HHHH", 5000, 53, 8 + 40, 0) + payload[:40]
    udp = udp[:6] + struct.pack("!H", csum_sum(pseudo4(peer4, vc4, 17, len(udp)))) + udp[8:]
    syn = tcp(5000, 80, 100, 0, 0x02, opts=b"\x02\x04\x05\xb4",
              pseudo=lambda n: pseudo4(peer4, vc4, 6, n))
    # The vclient's initial sequence numbers for these two connections with the
    # target's fixed random seed (they change if the vclient draws differently).
    iss4, iss6 = 1773642335, 1527472309
    ack = tcp(5000, 80, 101, iss4 + 1, 0x10, pseudo=lambda n: pseudo4(peer4, vc4, 6, n))
    sup = tcp(5000, 80, 101, iss4 + 1, 0x18, payload[:3000])
    sup = sup[:16] + struct.pack("!H", csum_sum(pseudo4(peer4, vc4, 6, len(sup)))) + sup[18:]
    syn6 = tcp(5001, 443, 7, 0, 0x02, pseudo=lambda n: pseudo6(peer6, vc6, 6, n))
    sup6 = tcp(5001, 443, 8, iss6 + 1, 0x10, payload[:2000])
    sup6 = sup6[:16] + struct.pack("!H", csum_sum(pseudo6(peer6, vc6, 6, len(sup6)))) + sup6[18:]
    return {
        "offload-udp-partial": off(ip4(17, udp, peer4, vc4), 1, 0, 20, 6),
        "offload-tcp4-super": plain(ip4(6, syn, peer4, vc4)) + plain(ip4(6, ack, peer4, vc4)) +
                              off(ip4(6, sup, peer4, vc4), 1 | 4, 1460, 20, 16, flags=3) +
                              plain(ip4(6, ack, peer4, vc4), flags=0x41),
        "offload-tcp6-super-verified": plain(ip6(6, syn6, peer6, vc6)) +
                                       off(ip6(6, sup6, peer6, vc6), 2 | 4 | 8, 1000, flags=3),
    }


# fuzz-netlink: [seq, 4 bytes little-endian][datagram]
def nlmsg(mtype, flags, seq, body):
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def nla(atype, data):
    a = struct.pack("=HH", 4 + len(data), atype) + data
    return a + bytes(-len(a) % 4)


def netlink():
    seq = 10
    req = nlmsg(16, 5, seq, bytes(16))  # the request an ack quotes (RTM_NEWLINK)
    ack = nlmsg(2, 0, seq, struct.pack("=i", 0) + req[:16])
    err = nlmsg(2, 0x100 | 0x200, seq, struct.pack("=i", -17) + req[:16] +
                nla(1, b"Address already assigned\0"))
    ifi = struct.pack("=BxHiII", 0, 1, 7, 0x1043, 0xFFFFFFFF)
    link = nlmsg(16, 0, 11, ifi + nla(4, struct.pack("=I", 1500)) + nla(1, MAC_A) +
                 nla(3, b"pk0\0"))
    noise = nlmsg(1, 0, seq, b"")  # NLMSG_NOOP
    pre = struct.pack("<I", seq)
    return {
        "ack": pre + ack,
        "error-ext-ack": pre + err,
        "noop-then-ack": pre + noise + ack,
        "newlink": struct.pack("<I", 11) + link,
        "enodev": struct.pack("<I", 11) + nlmsg(2, 0, 11, struct.pack("=i", -19) + req[:16]),
    }


# fuzz-tcp: [step][2-byte length][segment]; fixed handshake first (see fuzz-tcp.c)
def tcp_records(recs):
    return b"".join(bytes([step]) + struct.pack("!H", len(s)) + s for step, s in recs)


def tcp_corpus():
    # Relative numbers (step bit 0): seq % 20000 + peer_nxt - 10000, ack % 40000 + iss - 20000.
    def rel(flags, seq_d=0, ack_d=12, payload=b"", opts=b""):
        return tcp(4000, 80, 10000 + seq_d, 20000 + ack_d, flags, payload, opts)

    return {
        "data-in-order": b"\x00" + tcp_records([
            (0x03, rel(0x18, 0, 12, b"GET / HTTP/1.0\r\n\r\n")),
            (0x21, rel(0x10, 18, 12)),
            (0x31, rel(0x11, 18, 12)),
        ]),
        "out-of-order-sack": b"\x02" + tcp_records([
            (0x01, rel(0x10, 100, 12, b"x" * 100)),
            (0x01, rel(0x10, 0, 12, b"y" * 100)),
            (0x0d, rel(0x10, 200, 12, b"z" * 50)),
        ]),
        "dupacks-newreno": b"\x06" + tcp_records([
            (0x0d, rel(0x10, 0, 0, b"a" * 10)),
            (0x01, rel(0x10, 10, 0)),
            (0x01, rel(0x10, 10, 0)),
            (0x01, rel(0x10, 10, 0)),
            (0xff, rel(0x10, 10, 12)),
        ]),
        "rst": b"\x00" + tcp_records([(0x01, rel(0x04, 0, 12))]),
        "pmtu-shutdown": b"\x00" + tcp_records([(0xfc, b"\x10" + bytes(11)), (0xfe, b"")]),
        "listener-syn": b"\x01" + tcp_records([
            (0x02, tcp(5000, 80, 77, 0, 0x02, opts=b"\x02\x04\x05\xb4\x04\x02\x01\x01")),
        ]),
    }


# fuzz-qemu-stream: [max-frame, 2 bytes][chunk size][stream of 4-byte length + frame]
def qemu_stream():
    frame = eth(MAC_B, MAC_A, 0x0800, ip4(17, struct.pack("!HHHH", 1, 2, 12, 0) + b"ping"))

    def rec(f):
        return struct.pack("!I", len(f)) + f

    return {
        "two-frames": struct.pack("!HB", 1999, 3) + rec(frame) + rec(frame[:20]),
        "split-header": struct.pack("!HB", 1535, 1) + rec(frame) + rec(frame)[:3],
        "zero-length": struct.pack("!HB", 1535, 5) + rec(frame) + struct.pack("!I", 0),
        "too-long": struct.pack("!HB", 59, 16) + rec(frame),
        "big-frame": struct.pack("!HB", 0xFFFF, 16) + rec(bytes(3000)),
    }


# fuzz-lease-file: [table size][the file]
def lease_file():
    hdr = b"# pktkit dhcp leases 1\n"
    return {
        "two": b"\x00" + hdr + b"02:00:00:00:00:01 192.168.0.5 2000000000 laptop\n"
                              b"02:00:00:00:00:02 192.168.0.6 2000000500 -\n",
        "expired-dup": b"\x00" + hdr + b"02:00:00:00:00:01 192.168.0.5 100 a\n"
                                      b"02:00:00:00:00:01 192.168.0.7 2000000000 b\n"
                                      b"02:00:00:00:00:03 192.168.0.7 2000000000 c\n\n",
        "malformed": b"\x00" + hdr + b"02:00:00:00:00:01 192.168.0.5 soon x\n",
        "far-future": b"\x00" + hdr + b"02:00:00:00:00:09 192.168.0.9 9223372036854775807 z\n",
        "not-a-lease-file": b"\x00" + b"hello\n",
    }


# fuzz-ra: records [len_hi][len_lo][flags][frame]
def ra():
    rs = bytes([133, 0, 0, 0, 0, 0, 0, 0]) + bytes([1, 1]) + MAC_A
    src = bytes.fromhex("fe800000000000000000000000000001")
    dst = bytes.fromhex("ff020000000000000000000000000002")
    c = csum(pseudo6(src, dst, 58, len(rs)) + rs)
    rs = rs[:2] + struct.pack("!H", c) + rs[4:]
    frame = eth(bytes.fromhex("333300000002"), MAC_A, 0x86DD, ip6(58, rs, src, dst, 255))
    unspec = bytes(16)
    rs0 = bytes([133, 0, 0, 0, 0, 0, 0, 0])
    c = csum(pseudo6(unspec, dst, 58, len(rs0)) + rs0)
    rs0 = rs0[:2] + struct.pack("!H", c) + rs0[4:]
    frame0 = eth(bytes.fromhex("333300000002"), MAC_A, 0x86DD, ip6(58, rs0, unspec, dst, 255))

    def rec(flags, f):
        return struct.pack("!HB", len(f), flags) + f

    return {
        "solicit": rec(0, frame),
        "solicit-unspecified-twice": rec(0, frame0) + rec(3, frame0),
        "solicit-hoplimit-64": rec(0, frame[:21] + b"\x40" + frame[22:]),
    }


# fuzz-dbus-params: [type string][NUL][GVariant serialized data], here a{sv}.
def gv_offsets_size(content, n):
    """Bytes per framing offset: the smallest that can address the whole container."""
    for size in (1, 2, 4):
        if content + n * size < 1 << (8 * size):
            return size
    return 8


def gv_frame(content, ends):
    """Append framing offsets (little-endian) to a variable-size container."""
    if not ends:
        return content
    size = gv_offsets_size(len(content), len(ends))
    return content + b"".join(e.to_bytes(size, "little") for e in ends)


def gv_pad(buf, align):
    return buf + bytes(-len(buf) % align)


def gv_value(sig, v):
    """Serialize a value; returns (bytes, alignment)."""
    if sig == "b":
        return bytes([1 if v else 0]), 1
    if sig == "u":
        return struct.pack("<I", v), 4
    if sig == "x":
        return struct.pack("<q", v), 8
    if sig == "s":
        return v.encode() + b"\0", 1
    if sig == "a{sv}":
        return gv_dict(v), 8
    if sig == "aa{sv}":
        buf, ends = b"", []
        for d in v:
            buf = gv_pad(buf, 8) + gv_dict(d)
            ends.append(len(buf))
        return gv_frame(buf, ends), 8
    raise ValueError(sig)


def gv_variant(sig, v):
    data, _ = gv_value(sig, v)
    return data + b"\0" + sig.encode()


def gv_entry(key, sig, v):
    buf = key.encode() + b"\0"
    key_end = len(buf)
    buf = gv_pad(buf, 8) + gv_variant(sig, v)
    return gv_frame(buf, [key_end])


def gv_dict(d):
    buf, ends = b"", []
    for key, (sig, v) in d.items():
        buf = gv_pad(buf, 8) + gv_entry(key, sig, v)
        ends.append(len(buf))
    return gv_frame(buf, ends)


def dbus_params():
    T = b"a{sv}\0"
    return {
        "empty": T,
        "hub": T + gv_dict({"mac-table-size": ("u", 128), "vlans": ("aa{sv}", [
            {"port": ("u", 1), "mode": ("s", "access"), "vlan": ("u", 10)}])}),
        "tap": T + gv_dict({"ifname": ("s", "pk9"), "mtu": ("u", 9000), "offload": ("b", True)}),
        "router-routes": T + gv_dict({
            "routes": ("aa{sv}", [{"prefix": ("s", "10.0.0.0/8"), "port": ("u", 0)},
                                  {"prefix": ("s", "fd00::/64"), "port": ("u", 1)}]),
            "default-port": ("u", 1)}),
        "dhcp": T + gv_dict({"range-start": ("s", "192.168.0.10"), "lease-time": ("s", "30m"),
                             "authoritative": ("b", False)}),
        "impair": T + gv_dict({"loss": ("s", "1%"), "delay": ("s", "10ms"),
                               "seed": ("x", -5)}),
        "other-type-as": b"as\0" + gv_frame(b"a\0bc\0", [2, 5]),
    }


GENERATORS = {
    "offload": offload,
    "netlink": netlink,
    "dhcp": dhcp_host,
    "vclient": vclient,
    "tcp": tcp_corpus,
    "qemu-stream": qemu_stream,
    "lease-file": lease_file,
    "ra": ra,
    "dbus-params": dbus_params,
}


def main():
    targets = sys.argv[1:] or list(GENERATORS)
    for t in targets:
        write(t, GENERATORS[t]())


if __name__ == "__main__":
    main()
