#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tcp-time.py - Kernel-side end of the TCP benchmarks, timed like vclient-peer: accept (or connect) to EOF
#
#   tcp-time.py sink ADDR PORT [CC]          listen, accept one connection, read to EOF
#   tcp-time.py send ADDR PORT BYTES [CC]    connect, send BYTES zeros, shut down, read to EOF
#   tcp-time.py recv ADDR PORT [CC]          connect, read to EOF
#
# Prints "bytes=N secs=S mbps=M": the clock starts when the connection is
# established (accept() returned / connect() returned) and stops at EOF, which
# is how tests/vclient/vclient-peer times its connections, so that kernel and
# vclient rows of bench/vclient-kernel.sh measure the same span. CC sets the
# socket's congestion control (e.g. cubic). Exit status 1 on any error.
import socket, sys, time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
cc_arg = 5 if mode == 'send' else 4
cc = sys.argv[cc_arg] if len(sys.argv) > cc_arg else None


def set_cc(s):
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())


done = 0
buf = bytearray(1 << 20)
if mode == 'sink':
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    set_cc(ls)
    ls.bind((addr, port))
    ls.listen(1)
    print('LISTENING', flush=True)
    s, _ = ls.accept()
    t0 = time.monotonic()
    while True:
        n = s.recv_into(buf)
        if n == 0:
            break
        done += n
elif mode == 'send':
    total = int(sys.argv[4])
    s = socket.socket(fam, socket.SOCK_STREAM)
    set_cc(s)
    s.settimeout(120)
    s.connect((addr, port))
    t0 = time.monotonic()
    view = memoryview(buf)
    while done < total:
        n = min(len(buf), total - done)
        s.sendall(view[:n])
        done += n
    s.shutdown(socket.SHUT_WR)
    while s.recv_into(buf):
        pass
elif mode == 'recv':
    s = socket.socket(fam, socket.SOCK_STREAM)
    set_cc(s)
    s.settimeout(120)
    s.connect((addr, port))
    t0 = time.monotonic()
    while True:
        n = s.recv_into(buf)
        if n == 0:
            break
        done += n
else:
    sys.exit('usage: tcp-time.py sink ADDR PORT [CC] | send ADDR PORT BYTES [CC] | recv ADDR PORT [CC]')
dt = time.monotonic() - t0
s.close()
print('bytes=%d secs=%.3f mbps=%.0f' % (done, dt, done * 8 / dt / 1e6))
