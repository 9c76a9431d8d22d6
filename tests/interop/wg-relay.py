#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# wg-relay.py - A UDP relay between two WireGuard peers that replays, duplicates, corrupts and moves on command
"""UDP relay of tests/interop/test-wg-faults.sh.

  wg-relay.py --listen ADDR:PORT --client ADDR:PORT --upstream ADDR:PORT
              --target ADDR:PORT --control FIFO

      The "client" (wireguard-go, whose endpoint for its peer is --listen)
      talks to the relay's --listen socket; the relay sends what it gets there
      to --target (the l3.wg) from its --upstream socket, and what comes back on
      that socket to the client. The client's address starts as --client and
      follows the source of the latest datagram on --listen (so the client may
      change its port). IPv4 only.

      Faults apply to datagrams from the client to the target only, and are
      armed by lines written to the FIFO --control (created if missing):

        replay-init MS   the next handshake initiation (type 1) is sent again,
                         unchanged, MS milliseconds later (a replay)
        dup N            from now on every Nth data message (type 4) is sent
                         twice in a row (0: off)
        flip N           the next N data messages are each preceded by a copy
                         with one bit of the ciphertext flipped
        rebind PORT      a new upstream socket on the same address, port PORT
                         (0: any); the old one is closed (the client "moves",
                         as behind a NAT that rebinds)
        stats            print the statistics line below
        quit             exit 0

      Every command is answered on stdout by "ok COMMAND" (rebind: "ok rebind
      PORT" with the port bound). Lines on stdout: "ready upstream=PORT", then
      "replayed-init", "rebound PORT" and "stats fwd=N back=N dups=N replays=N
      flips=N rebinds=N client=ADDR:PORT" (fwd: client to target, back: target
      to client, dups/replays/flips: extra datagrams sent). Unknown commands:
      "error ...". Stops on SIGTERM.
"""
import argparse
import heapq
import os
import select
import signal
import socket
import sys
import time

INITIATION = 1
DATA = 4


def addr(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def say(*words):
    print(*words, flush=True)


class Relay:
    def __init__(self, a):
        self.target = addr(a.target)
        self.client = addr(a.client)
        self.up_addr = addr(a.upstream)
        self.listen = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.listen.bind(addr(a.listen))
        self.listen.setblocking(False)
        self.up = self.bind_up(self.up_addr[1])
        if not os.path.exists(a.control):
            os.mkfifo(a.control)
        # O_RDWR: the FIFO never reads as closed between two writers.
        self.ctl = os.open(a.control, os.O_RDWR | os.O_NONBLOCK)
        self.ctl_buf = b""
        self.timers = []  # (when, seq, datagram): delayed sends to the target
        self.seq = 0
        self.replay_ms = None
        self.dup_every = 0
        self.data_seen = 0
        self.flip_left = 0
        self.n = dict(fwd=0, back=0, dups=0, replays=0, flips=0, rebinds=0)

    def bind_up(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for sz in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            s.setsockopt(socket.SOL_SOCKET, sz, 4 << 20)
        s.bind((self.up_addr[0], port))
        s.setblocking(False)
        return s

    def to_target(self, d):
        try:
            self.up.sendto(d, self.target)
        except (BlockingIOError, ConnectionRefusedError):
            pass

    def forward(self, d):
        self.n["fwd"] += 1
        kind = d[0] if d else 0
        if kind == INITIATION and self.replay_ms is not None:
            self.seq += 1
            heapq.heappush(self.timers, (time.monotonic() + self.replay_ms / 1000.0, self.seq, bytes(d)))
            self.replay_ms = None
        if kind == DATA and self.flip_left and len(d) > 32:
            bad = bytearray(d)
            bad[len(bad) // 2] ^= 0x10
            self.to_target(bytes(bad))
            self.flip_left -= 1
            self.n["flips"] += 1
        self.to_target(d)
        if kind == DATA:
            self.data_seen += 1
            if self.dup_every and self.data_seen % self.dup_every == 0:
                self.to_target(d)
                self.n["dups"] += 1

    def command(self, line):
        w = line.split()
        if not w:
            return
        try:
            if w[0] == "replay-init":
                self.replay_ms = int(w[1])
            elif w[0] == "dup":
                self.dup_every = int(w[1])
                self.data_seen = 0
            elif w[0] == "flip":
                self.flip_left = int(w[1])
            elif w[0] == "rebind":
                new = self.bind_up(int(w[1]))
                self.up.close()
                self.up = new
                self.n["rebinds"] += 1
                port = self.up.getsockname()[1]
                say("rebound", port)
                say("ok rebind", port)
                return
            elif w[0] == "stats":
                self.stats()
            elif w[0] == "quit":
                say("ok quit")
                sys.exit(0)
            else:
                say("error unknown command", line)
                return
        except (IndexError, ValueError, OSError) as e:
            say("error", line, e)
            return
        say("ok", line)

    def stats(self):
        say("stats " + " ".join("%s=%d" % kv for kv in self.n.items()) +
            " client=%s:%d" % self.client)

    def read_ctl(self):
        try:
            self.ctl_buf += os.read(self.ctl, 4096)
        except BlockingIOError:
            return
        while b"\n" in self.ctl_buf:
            line, self.ctl_buf = self.ctl_buf.split(b"\n", 1)
            self.command(line.decode(errors="replace").strip())

    def drain(self, sock, upstream):
        for _ in range(256):
            try:
                d, src = sock.recvfrom(65535)
            except (BlockingIOError, ConnectionRefusedError):
                return
            if upstream:
                self.n["back"] += 1
                try:
                    self.listen.sendto(d, self.client)
                except (BlockingIOError, ConnectionRefusedError):
                    pass
            else:
                self.client = src
                self.forward(d)

    def run(self):
        say("ready upstream=%d" % self.up.getsockname()[1])
        while True:
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                _, _, d = heapq.heappop(self.timers)
                self.to_target(d)
                self.n["replays"] += 1
                say("replayed-init")
            wait = max(0.0, self.timers[0][0] - now) if self.timers else 1.0
            r, _, _ = select.select([self.listen, self.up, self.ctl], [], [], wait)
            if self.listen in r:
                self.drain(self.listen, False)
            if self.up in r:
                self.drain(self.up, True)
            if self.ctl in r:
                self.read_ctl()


def main():
    p = argparse.ArgumentParser(description="UDP relay with faults between two WireGuard peers")
    p.add_argument("--listen", required=True)
    p.add_argument("--client", required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--control", required=True)
    a = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    Relay(a).run()


if __name__ == "__main__":
    main()
