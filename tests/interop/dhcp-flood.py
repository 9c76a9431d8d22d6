#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# dhcp-flood.py - Flood a DHCP server with DISCOVERs, or full DISCOVER/REQUEST exchanges, from random MACs
#
#   usage: dhcp-flood.py IFACE discover N [--seed S]
#          dhcp-flood.py IFACE dora N [--seed S] [--wait SECS]
#
# Frames are written with an AF_PACKET socket on IFACE (run it inside the
# namespace of the interface), each from a new random locally administered
# MAC, with the broadcast flag set so that the server's replies come back as
# broadcasts this socket sees. "discover" sends N DISCOVERs back to back and
# then collects the OFFERs for a moment; "dora" does N exchanges one after the
# other, waiting at most --wait seconds for each OFFER and ACK. Prints
# "dhcp-flood mode=M discovers=N offers=O requests=R acks=A naks=K secs=T".
import argparse
import random
import select
import socket
import struct
import time

ETH_P_IP = 0x0800


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def frame(mac, xid, msg_type, req_ip=None, server_id=None):
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                        bytes(4), bytes(4), bytes(4), bytes(4), mac + bytes(10), b"", b"")
    opts = b"\x63\x82\x53\x63" + bytes([53, 1, msg_type])
    if req_ip:
        opts += bytes([50, 4]) + req_ip
    if server_id:
        opts += bytes([54, 4]) + server_id
    opts += b"\xff"
    payload = bootp + opts
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    src, dst = bytes(4), b"\xff\xff\xff\xff"
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(udp))
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + struct.pack("!H", ETH_P_IP) + ip + udp


def parse_reply(f):
    """(xid, message type, yiaddr, server id) of a DHCP reply frame, or None."""
    if len(f) < 14 + 20 + 8 + 240 or struct.unpack("!H", f[12:14])[0] != ETH_P_IP:
        return None
    ihl = (f[14] & 0x0F) * 4
    if f[14 + 9] != 17:
        return None
    u = 14 + ihl
    if struct.unpack("!H", f[u + 2:u + 4])[0] != 68:
        return None
    b = u + 8
    if len(f) < b + 240 or f[b] != 2 or f[b + 236:b + 240] != b"\x63\x82\x53\x63":
        return None
    xid = struct.unpack("!I", f[b + 4:b + 8])[0]
    yiaddr = f[b + 16:b + 20]
    i, mtype, sid = b + 240, 0, None
    while i < len(f) and f[i] != 255:
        if f[i] == 0:
            i += 1
            continue
        if i + 2 > len(f):
            break
        code, ln = f[i], f[i + 1]
        val = f[i + 2:i + 2 + ln]
        if code == 53 and ln == 1:
            mtype = val[0]
        elif code == 54 and ln == 4:
            sid = val
        i += 2 + ln
    return xid, mtype, yiaddr, sid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("mode", choices=["discover", "dora"])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wait", type=float, default=0.1)
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    s.bind((a.iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    st = dict(discovers=0, offers=0, requests=0, acks=0, naks=0)
    t0 = time.monotonic()

    def new_client():
        mac = bytes([0x02 | (rnd.randrange(256) & 0xFC)] + [rnd.randrange(256) for _ in range(5)])
        return mac, rnd.randrange(1 << 32)

    def collect(until, want=None):
        """Count replies until the deadline; return the first one matching want=(xid, types)."""
        while True:
            left = max(0.0, until - time.monotonic())
            r, _, _ = select.select([s], [], [], left)
            if not r:
                return None
            p = parse_reply(s.recv(4096))
            if not p:
                continue
            xid, mtype, _, _ = p
            if mtype == 2:
                st["offers"] += 1
            elif mtype == 5:
                st["acks"] += 1
            elif mtype == 6:
                st["naks"] += 1
            if want and xid == want[0] and mtype in want[1]:
                return p

    if a.mode == "discover":
        for _ in range(a.n):
            mac, xid = new_client()
            s.send(frame(mac, xid, 1))
            st["discovers"] += 1
            collect(time.monotonic())	# drain what is already there
        collect(time.monotonic() + 1.0)
    else:
        for _ in range(a.n):
            mac, xid = new_client()
            s.send(frame(mac, xid, 1))
            st["discovers"] += 1
            offer = collect(time.monotonic() + a.wait, (xid, (2,)))
            if not offer:
                continue
            s.send(frame(mac, xid, 3, req_ip=offer[2], server_id=offer[3]))
            st["requests"] += 1
            collect(time.monotonic() + a.wait, (xid, (5, 6)))
        collect(time.monotonic() + 0.5)
    print("dhcp-flood mode=%s discovers=%d offers=%d requests=%d acks=%d naks=%d secs=%.1f" %
          (a.mode, st["discovers"], st["offers"], st["requests"], st["acks"], st["naks"],
           time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    main()
