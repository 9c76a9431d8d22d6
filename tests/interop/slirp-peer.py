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
  truncate ADDR PORT SIZE MODE
      on ADDR:PORT: an HTTP/1.0 server whose every answer announces SIZE bytes
      (Content-Length) but stops after a quarter of them: MODE close shuts the
      connection (FIN), MODE reset closes it with SO_LINGER 0 (RST); prints
      "ready", then one line per connection it cut
  conn-server ADDR PORT
      on ADDR:PORT: a TCP server whose client says what it is with its first
      line: "down" (the server writes until the connection fails), "up" (it
      reads until EOF or error), "hold" (reads, as up), "echo" (echoes each
      line); prints "ready", then "accepted MODE" and, when a connection ends,
      "end MODE REASON BYTES SECS" (REASON: eof or the error's name)
  stream ADDR PORT down|up
      from the guest: connect to a conn-server, print "connected", then read
      (down) or write (up) as fast as possible until the connection fails
  echo-server ADDR PORT
      on ADDR:PORT: a TCP echo server for many connections at once (one
      selector; raises its open-file limit); prints "ready"
  many ADDR PORT N SECS HOLD
      from the guest: N TCP connections at once to an echo-server (non-blocking,
      one selector), a line "echo I" on each and its echo back, all within SECS
      seconds; prints "answered N", keeps them open HOLD seconds, closes them
      and prints "closed N"; exits 1 unless every one was answered
  scan tcp|udp ADDR FIRST COUNT SECS
      from the guest: a non-blocking connect (tcp) or one datagram (udp) to each
      of COUNT ports from FIRST; tcp prints "scan tcp: COUNT connects sent",
      waits at most SECS seconds for the outcomes and prints "scan tcp: N refused, N unreachable, N timeout,
      N connected, N other"; udp prints "scan udp: N sent, N refused, N other"
  probe ADDR PORT
      from the guest: open a TCP connection (to a conn-server: "hold"), print
      "connected", then on each line of stdin send a line and print what
      became of it: "probe: reset", "probe: eof", "probe: data", "probe:
      timeout" (5 s) or "probe: ERRNAME"
"""
import hashlib
import http.server
import errno
import os
import select
import resource
import selectors
import socket
import socketserver
import struct
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
def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def listen(addr, port):
    srv = socket.socket(family(addr), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(4096)
    return srv


def err_name(e):
    return errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__


def truncate(addr, port, size, mode):
    srv = listen(addr, port)
    print("ready", flush=True)
    chunk = b"x" * 65536
    while True:
        c, peer = srv.accept()
        c.settimeout(10)
        try:
            req = b""
            while b"\r\n\r\n" not in req:
                d = c.recv(4096)
                if not d:
                    break
                req += d
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
                      b"Content-Length: %d\r\n\r\n" % size)
            sent = 0
            while sent < size // 4:
                c.sendall(chunk)
                sent += len(chunk)
            if mode == "reset":
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                c.shutdown(socket.SHUT_WR)
            print("cut %s after %d of %d bytes (%s)" % (peer[0], sent, size, mode), flush=True)
        except OSError as e:
            print("cut %s: %s" % (peer[0], err_name(e)), flush=True)
        c.close()


def conn_one(c):
    t0 = time.monotonic()
    n = 0
    mode = "?"
    try:
        f = c.makefile("rb", buffering=0)
        mode = f.readline().decode(errors="replace").strip() or "?"
        print("accepted %s" % mode, flush=True)
        if mode == "down":
            data = b"d" * 65536
            while True:
                n += c.send(data)
        elif mode == "echo":
            while True:
                line = f.readline()
                if not line:
                    break
                c.sendall(line)
                n += len(line)
        else:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                n += len(d)
        reason = "eof"
    except OSError as e:
        reason = err_name(e)
    print("end %s %s %d %.1f" % (mode, reason, n, time.monotonic() - t0), flush=True)
    c.close()


def conn_server(addr, port):
    srv = listen(addr, port)
    print("ready", flush=True)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=conn_one, args=(c,), daemon=True).start()


def stream(addr, port, mode):
    s = socket.create_connection((addr, port), timeout=5)
    s.settimeout(None)
    s.sendall(mode.encode() + b"\n")
    print("connected", flush=True)
    data = b"u" * 65536
    while True:
        if mode == "down":
            if not s.recv(65536):
                break
        else:
            s.sendall(data)


def echo_server_sel(addr, port):
    """The conn-server for many connections: one selector, echo only."""
    raise_nofile()
    srv = listen(addr, port)
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                while True:
                    try:
                        c, _ = srv.accept()
                    except BlockingIOError:
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, b"")
                continue
            c = key.fileobj
            try:
                d = c.recv(4096)
            except OSError:
                d = b""
            if not d:
                sel.unregister(c)
                c.close()
                continue
            try:
                c.send(d)  # a short line; the socket buffer takes it
            except OSError:
                pass


def many(addr, port, n, secs, hold_secs):
    raise_nofile()
    sel = selectors.DefaultSelector()
    deadline = time.monotonic() + secs
    conns = {}
    for i in range(n):
        s = socket.socket(family(addr), socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((addr, port))
        conns[s] = [i, b"echo %d\n" % i, b""]
        sel.register(s, selectors.EVENT_WRITE)
    answered = 0
    failed = 0
    while answered + failed < n and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=max(0, deadline - time.monotonic())):
            s = key.fileobj
            st = conns[s]
            if ev & selectors.EVENT_WRITE:
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    failed += 1
                    sel.unregister(s)
                    continue
                s.send(st[1])
                sel.modify(s, selectors.EVENT_READ)
                continue
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if not d:
                failed += 1
                sel.unregister(s)
                continue
            st[2] += d
            if st[2] == st[1]:
                answered += 1
                sel.unregister(s)
    print("answered %d of %d (%d failed) in %.1f s" % (answered, n, failed,
                                                     secs - (deadline - time.monotonic())),
          flush=True)
    time.sleep(hold_secs)
    for s in conns:
        s.close()
    print("closed %d" % n, flush=True)
    sys.exit(0 if answered == n else 1)


def scan(proto, addr, first, count, secs):
    raise_nofile()
    fam = family(addr)
    if proto == "udp":
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setblocking(False)
        sent = refused = other = 0
        for p in range(first, first + count):
            try:
                s.sendto(b"scan", (addr, p))
                sent += 1
            except BlockingIOError:
                time.sleep(0.001)
            except ConnectionRefusedError:
                refused += 1  # an ICMP error for an earlier datagram
            except OSError:
                other += 1
        print("scan udp: %d sent, %d refused, %d other" % (sent, refused, other), flush=True)
        return
    sel = selectors.DefaultSelector()
    res = {"refused": 0, "unreachable": 0, "timeout": 0, "connected": 0, "other": 0}
    socks = []
    for p in range(first, first + count):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((addr, p))
        socks.append(s)
        sel.register(s, selectors.EVENT_WRITE)
    print("scan tcp: %d connects sent" % count, flush=True)
    deadline = time.monotonic() + secs
    left = count
    while left and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0, deadline - time.monotonic())):
            e = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            sel.unregister(key.fileobj)
            left -= 1
            if e == errno.ECONNREFUSED:
                res["refused"] += 1
            elif e in (errno.EHOSTUNREACH, errno.ENETUNREACH):
                res["unreachable"] += 1
            elif e == errno.ETIMEDOUT:
                res["timeout"] += 1
            elif e == 0:
                res["connected"] += 1
            else:
                res["other"] += 1
    res["timeout"] += left
    for s in socks:
        s.close()
    print("scan tcp: %(refused)d refused, %(unreachable)d unreachable, %(timeout)d timeout, "
          "%(connected)d connected, %(other)d other" % res, flush=True)


def probe(addr, port):
    s = socket.create_connection((addr, port), timeout=5)
    s.sendall(b"hold\n")
    print("connected", flush=True)
    for _ in sys.stdin:
        try:
            s.sendall(b"probe\n")
            d = s.recv(4096)
            what = "data" if d else "eof"
        except socket.timeout:
            what = "timeout"
        except ConnectionResetError:
            what = "reset"
        except OSError as e:
            what = err_name(e)
        print("probe: %s" % what, flush=True)


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
    elif len(a) == 5 and a[0] == "truncate":
        truncate(a[1], int(a[2]), int(a[3]), a[4])
    elif len(a) == 3 and a[0] == "conn-server":
        conn_server(a[1], int(a[2]))
    elif len(a) == 3 and a[0] == "echo-server":
        echo_server_sel(a[1], int(a[2]))
    elif len(a) == 4 and a[0] == "stream":
        stream(a[1], int(a[2]), a[3])
    elif len(a) == 6 and a[0] == "many":
        many(a[1], int(a[2]), int(a[3]), float(a[4]), float(a[5]))
    elif len(a) == 6 and a[0] == "scan":
        scan(a[1], a[2], int(a[3]), int(a[4]), float(a[5]))
    elif len(a) == 3 and a[0] == "probe":
        probe(a[1], int(a[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
