#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# rs-flood.py - Send IPv6 router solicitations to ff02::2 on one interface as fast as asked
#
#   usage: rs-flood.py IFACE N SECS
#
# N solicitations spread evenly over SECS seconds from a raw ICMPv6 socket
# (hop limit 255; the kernel fills in the source address and the checksum).
# Prints "rs-flood sent=N secs=S".
import socket
import sys
import time


def main():
    iface, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    idx = socket.if_nametoindex(iface)
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
    rs = bytes([133, 0, 0, 0, 0, 0, 0, 0])	# type, code, checksum (kernel), reserved
    t0 = time.monotonic()
    sent = 0
    while sent < n:
        due = t0 + secs * sent / n
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        s.sendto(rs, ("ff02::2", 0, 0, idx))
        sent += 1
    print("rs-flood sent=%d secs=%.1f" % (sent, time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    main()
