#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# vclient-synflood.py - Send IPv4 TCP SYNs from random spoofed sources (raw socket) to one address and port
#
#   usage: vclient-synflood.py DST PORT --secs S [--net 10.98.0.0/16] [--rate PPS] [--seed N]
#
# Sources are random addresses of --net (never DST) and random ports; the kernel
# fills in the IPv4 header checksum (IP_HDRINCL). Nobody answers the SYN-ACKs:
# a namespace without forwarding drops them. Stops after --secs or at SIGTERM/SIGINT;
# prints "synflood sent=N secs=S".
import argparse
import ipaddress
import random
import signal
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dst")
    ap.add_argument("port", type=int)
    ap.add_argument("--secs", type=float, default=5)
    ap.add_argument("--net", default="10.98.0.0/16")
    ap.add_argument("--rate", type=float, default=0, help="packets per second (0: as fast as possible)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    net = ipaddress.ip_network(a.net)
    dst = socket.inet_aton(a.dst)
    first, size = int(net.network_address), net.num_addresses
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    sent = 0
    t0 = time.monotonic()
    end = t0 + a.secs
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        if a.rate and sent > (now - t0) * a.rate:
            time.sleep(0.001)
            continue
        src = socket.inet_aton(str(ipaddress.ip_address(first + 1 + rnd.randrange(size - 2))))
        if src == dst:
            continue
        sport = rnd.randrange(1024, 65536)
        seq = rnd.getrandbits(32)
        # SYN with MSS, SACK-permitted, timestamps and window scale, like a Linux SYN.
        opts = struct.pack("!BBHBBBBIIBBBB", 2, 4, 1460, 4, 2, 8, 10,
                           rnd.getrandbits(32), 0, 1, 3, 3, 7)
        tcp = struct.pack("!HHIIBBHHH", sport, a.port, seq, 0, (5 + len(opts) // 4) << 4,
                          0x02, 64240, 0, 0) + opts
        pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rnd.getrandbits(16), 0,
                         64, socket.IPPROTO_TCP, 0, src, dst)
        try:
            s.sendto(ip + tcp, (a.dst, 0))
            sent += 1
        except (BlockingIOError, OSError):
            time.sleep(0.0005)	# the TUN's queue is full: the peer is behind
    print("synflood sent=%d secs=%.2f" % (sent, time.monotonic() - t0))
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())
