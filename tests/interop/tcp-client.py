#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# tcp-client.py - Kernel-side TCP client of the offload interop test: send N bytes or receive to EOF, print bytes, SHA-256 and Mbit/s
#
#   tcp-client.py send ADDR PORT BYTES      tcp-client.py recv ADDR PORT
import hashlib, os, socket, sys, time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(60)
s.connect((addr, port))
h = hashlib.sha256()
if os.environ.get('NOHASH'):  # benchmarks: measure TCP, not SHA-256
    class _NoHash:
        def update(self, _): pass
        def hexdigest(self): return '-'
    h = _NoHash()
done = 0
t0 = time.monotonic()
if mode == 'send':
    total = int(sys.argv[4])
    block = bytearray(os.urandom(1 << 20))
    i = 0
    while done < total:
        block[0:8] = i.to_bytes(8, 'little')  # every MB differs
        n = min(len(block), total - done)
        view = memoryview(block)[:n]
        h.update(view)
        s.sendall(view)
        done += n
        i += 1
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # wait for the peer's close: everything was read
else:
    buf = bytearray(1 << 20)
    while True:
        n = s.recv_into(buf)
        if n == 0:
            break
        h.update(memoryview(buf)[:n])
        done += n
dt = time.monotonic() - t0
s.close()
print('%s %d %s %.0f' % (mode.upper(), done, h.hexdigest(), done * 8 / dt / 1e6))
