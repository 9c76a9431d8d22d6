#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-slirp-dns-corpus.py - Write the seeds of fuzz-slirp-dns into corpus/slirp-dns/
#
# Usage: tests/fuzz/gen-slirp-dns-corpus.py [OUTDIR]
# A seed is [2-byte query length][query][answer] (see fuzz-slirp-dns.c); one
# is resolv.conf text.
import os
import struct
import sys


def name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, qname, qtype, edns=False):
    msg = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns else 0)
    msg += name(qname) + struct.pack("!HH", qtype, 1)
    if edns:
        msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return msg


def answer(q, flags, records):
    qd_end = 12 + q[12:].index(b"\0") + 1 + 4
    msg = q[:2] + struct.pack("!HHHHH", flags, 1, len(records), 0, 0) + q[12:qd_end]
    for rdata in records:
        msg += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, len(rdata)) + rdata
    return msg


def seed(q, a):
    return struct.pack("!H", len(q)) + q + a


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "slirp-dns")
    os.makedirs(out, exist_ok=True)
    q = query(0x1234, "www.example.com", 1)
    qe = query(0x2345, "Mixed.Case.Example", 28, edns=True)
    seeds = {
        "a-answer": seed(q, answer(q, 0x8180, [bytes([192, 0, 2, 1])])),
        "edns-truncated": seed(qe, answer(qe, 0x8380, [bytes(16)])[:-7]),
        "wrong-question": seed(q, answer(query(0x1234, "www.example.org", 1), 0x8180, [])),
        "servfail": seed(q, answer(q, 0x8182, [])),
        # a third question's name points into the first and runs on past
        # the questions: the SERVFAIL cannot copy them alone
        "name-runs-on": bytes.fromhex(
            "00ff003401000003000000000000037755000000046f6d0000030001c01200003c00fafafafa"
            "000000000000fafafa0000" + "fa" * 72 + "77"),
        "resolv-conf": b"# comment\nsearch example\nnameserver 192.0.2.53\n"
                       b"nameserver 2001:db8::53\nnameserver fe80::1%1\nnameserver bogus\n",
    }
    for fname, data in seeds.items():
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
