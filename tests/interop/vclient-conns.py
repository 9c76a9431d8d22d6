#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# vclient-conns.py - Open N TCP connections at once to an echo server, echo a message on each while all are open, report
#
#   usage: vclient-conns.py HOST PORT N [--size BYTES] [--timeout SECS]
#
# Every connection is opened (the server has all N at the same time), then each
# sends SIZE bytes naming its index and reads them back; only when all have been
# echoed do they half-close and read the server's EOF. Prints one line
#   conns connected=N echoed=N closed=N failed=N secs=S
# and the first few errors; exits 0 only if every connection succeeded.
import argparse
import asyncio
import resource
import sys
import time


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.n + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard) if hard > 0 else want, hard))

    counts = {"connected": 0, "echoed": 0, "closed": 0, "failed": 0}
    errors = []
    all_open = asyncio.Event()
    all_echoed = asyncio.Event()
    done_phase = {"open": 0, "echo": 0}

    def step(phase, event):
        done_phase[phase] += 1
        if done_phase[phase] == a.n:
            event.set()

    async def one(i):
        w = None
        stage = "connect"
        try:
            r, w = await asyncio.open_connection(a.host, a.port)
            counts["connected"] += 1
            step("open", all_open)
            await all_open.wait()
            stage = "echo"
            msg = (b"conn %06d " % i) * (a.size // 12 + 1)
            msg = msg[: a.size]
            w.write(msg)
            await w.drain()
            got = await r.readexactly(len(msg))
            if got != msg:
                raise ValueError("echo differs")
            counts["echoed"] += 1
            step("echo", all_echoed)
            await all_echoed.wait()
            stage = "close"
            w.write_eof()
            rest = await r.read()
            if rest:
                raise ValueError("%d bytes after the echo" % len(rest))
            counts["closed"] += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported
            counts["failed"] += 1
            if len(errors) < 10:
                errors.append("conn %d (%s): %r" % (i, stage, e))
            # Do not hold the others at a barrier forever.
            if stage == "connect":
                step("open", all_open)
                step("echo", all_echoed)
            elif stage == "echo":
                step("echo", all_echoed)
        finally:
            if w is not None:
                w.close()

    t0 = time.monotonic()
    try:
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(a.n))), a.timeout)
    except asyncio.TimeoutError:
        errors.append("timed out after %.0f s" % a.timeout)
        counts["failed"] = a.n - counts["closed"]
    print("conns connected=%d echoed=%d closed=%d failed=%d secs=%.2f"
          % (counts["connected"], counts["echoed"], counts["closed"], counts["failed"],
             time.monotonic() - t0))
    for e in errors:
        print("error", e, file=sys.stderr)
    return 0 if counts["closed"] == a.n else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
