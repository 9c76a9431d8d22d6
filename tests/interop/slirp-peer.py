#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# slirp-peer.py - Host-side servers and guest-side clients of the l3.slirp interop test
"""Peers of tests/interop/test-slirp.sh.

  serve DIR HTTP_PORT UDP_PORT ADDR...
      on each ADDR (e.g. 127.0.0.1 ::1): an HTTP/1.0 server of the files in DIR
      (GET) that also takes uploads (PUT /anything: answers "sha256 HEX LENGTH"
      for the body and keeps nothing), and a UDP echo server; prints "ready"
      when every socket listens. Logs on stderr "http ADDR: REQUEST ..." per
      request and "udp ADDR PORT: N bytes" per datagram (ADDR: the client's
      address as this server sees it)
  udp-echo ADDR PORT
      from the guest: datagrams of several sizes to ADDR:PORT, each must come
      back unchanged from ADDR:PORT within 3 s; prints one line per datagram
  hold ADDR PORT SECS
      from the guest: open a TCP connection, print "connected", keep it idle
      for SECS seconds (so a status shows the flow), then close it
  udp-error ADDR PORT
      from the guest: one datagram to ADDR:PORT from a connected socket that
      reads its ICMP errors (IP_RECVERR); prints "icmp type T code C from SRC
      (ERRNO)" and exits 0 when an error comes within 3 s, 1 on an answer or
      nothing
"""
import hashlib
import http.server
import os
import select
import socket
import struct
import socketserver
import sys
import threading
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("http %s: %s\n" % (self.client_address[0], fmt % args))

    def do_PUT(self):
        left = int(self.headers.get("Content-Length", "0"))
        h = hashlib.sha256()
        n = 0
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            h.update(chunk)
            n += len(chunk)
            left -= len(chunk)
        body = ("sha256 %s %d\n" % (h.hexdigest(), n)).encode()
        self.send_response(200 if left == 0 else 400)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def serve(directory, http_port, udp_port, addrs):
    handler = lambda *a, **kw: Handler(*a, directory=directory, **kw)  # noqa: E731
    threads = []
    for addr in addrs:
        cls = type("Server", (socketserver.ThreadingMixIn, http.server.HTTPServer),
                   {"address_family": family(addr), "daemon_threads": True,
                    "allow_reuse_address": True})
        srv = cls((addr, http_port), handler)
        threads.append(threading.Thread(target=srv.serve_forever, daemon=True))
        u = socket.socket(family(addr), socket.SOCK_DGRAM)
        u.bind((addr, udp_port))
        threads.append(threading.Thread(target=echo, args=(u,), daemon=True))
    for t in threads:
        t.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def echo(sock):
    while True:
        data, peer = sock.recvfrom(65535)
        sys.stderr.write("udp %s %d: %d bytes\n" % (peer[0], peer[1], len(data)))
        sock.sendto(data, peer)


def udp_echo(addr, port):
    fam = family(addr)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(3)
    want = socket.getaddrinfo(addr, port, fam, socket.SOCK_DGRAM)[0][4][:2]
    for size in (1, 64, 512, 1400):
        data = os.urandom(size)
        s.sendto(data, (addr, port))
        try:
            got, peer = s.recvfrom(65535)
        except socket.timeout:
            sys.exit("udp-echo: no answer to a %d-byte datagram to %s port %d within 3 s"
                     % (size, addr, port))
        if peer[:2] != want:
            sys.exit("udp-echo: the answer came from %s, expected %s" % (peer[:2], want))
        if got != data:
            sys.exit("udp-echo: %d bytes sent, %d different bytes back" % (size, len(got)))
        print("udp-echo: %d bytes back from %s port %d" % (size, peer[0], peer[1]))


def hold(addr, port, secs):
    s = socket.create_connection((addr, port), timeout=5)
    print("connected from %s port %d" % s.getsockname()[:2], flush=True)
    time.sleep(secs)
    s.close()


# Linux <linux/in.h>, <linux/in6.h>, <linux/errqueue.h>
IP_RECVERR, IPV6_RECVERR, MSG_ERRQUEUE = 11, 25, 0x2000


def udp_error(addr, port):
    fam = family(addr)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    s.connect((addr, port))
    s.send(b"denied?")
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLERR)
    if not p.poll(3000):
        sys.exit("udp-error: neither an answer nor an ICMP error from %s port %d within 3 s"
                 % (addr, port))
    try:
        data = s.recv(65535)
        sys.exit("udp-error: %s port %d answered %d bytes" % (addr, port, len(data)))
    except OSError as e:
        err = e.errno
    _, anc, _, _ = s.recvmsg(512, 512, MSG_ERRQUEUE)
    for _level, _type, cdata in anc:
        # struct sock_extended_err, then the offender's sockaddr (SO_EE_OFFENDER)
        ee_errno, origin, itype, icode = struct.unpack_from("=IBBB", cdata)
        off = cdata[16:]
        sfam = struct.unpack_from("=H", off)[0]
        src = (socket.inet_ntop(socket.AF_INET, off[4:8]) if sfam == socket.AF_INET else
               socket.inet_ntop(socket.AF_INET6, off[8:24]) if sfam == socket.AF_INET6 else "?")
        print("icmp type %d code %d from %s (%s)" % (itype, icode, src,
                                                     os.strerror(ee_errno or err)))
        return
    sys.exit("udp-error: %s (no ICMP error in the error queue)" % os.strerror(err))


def main():
    a = sys.argv[1:]
    if len(a) >= 5 and a[0] == "serve":
        serve(a[1], int(a[2]), int(a[3]), a[4:])
    elif len(a) == 3 and a[0] == "udp-echo":
        udp_echo(a[1], int(a[2]))
    elif len(a) == 4 and a[0] == "hold":
        hold(a[1], int(a[2]), float(a[3]))
    elif len(a) == 3 and a[0] == "udp-error":
        udp_error(a[1], int(a[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
