#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-dns-corpus.py - Write the seeds of fuzz-dns into corpus/dns/
#
# Usage: tests/fuzz/gen-dns-corpus.py [OUTDIR]
# Two kinds of seed: whole DNS messages (for the parser), and record streams
# for the resolver part (format at the top of fuzz-dns.c).
import os
import struct
import sys


def name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def hdr(qid, flags, qd, an, ns, ar):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def rr(owner, rtype, ttl, rdata):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def soa(owner, ttl, minimum):
    rd = name("ns.example") + name("hostmaster.example") + struct.pack("!IIIII", 1, 7200, 900, 1209600, minimum)
    return rr(name(owner), 6, ttl, rd)


PTR_Q = b"\xc0\x0c"


def record(op, ctl, payload=b""):
    return bytes([op, ctl]) + struct.pack("!H", len(payload)) + payload


def body(flags, an, ns, ar, records):
    """Payload of a templated reply: flags, counts, then records."""
    return struct.pack("!HBBB", flags, an, ns, ar) + records


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "dns")
    os.makedirs(out, exist_ok=True)
    seeds = {}

    q = name("www.example.com") + struct.pack("!HH", 1, 1)
    # Parser seeds: a compressed reply with a CNAME, an A and a SOA; a query with EDNS.
    cname_rd = b"\x04edge\xc0\x10"
    msg = hdr(7, 0x8180, 1, 2, 1, 0) + q
    msg += rr(PTR_Q, 5, 300, cname_rd)
    edge_at = len(msg) - len(cname_rd)
    msg += rr(struct.pack("!H", 0xC000 | edge_at), 1, 60, bytes([192, 0, 2, 1]))
    msg += soa("example.com", 3600, 60)
    seeds["msg-cname-compressed"] = msg
    seeds["msg-query-edns"] = hdr(0xBEEF, 0x0100, 1, 0, 0, 1) + q + b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    seeds["msg-pointer-loop"] = hdr(1, 0x8180, 1, 0, 0, 0) + b"\x01a\xc0\x0c" + struct.pack("!HH", 1, 1)

    ok = 0x8180
    a_www = rr(PTR_Q, 1, 300, bytes([192, 0, 2, 1]))
    aaaa_www = rr(PTR_Q, 28, 300, bytes.fromhex("20010db8000000000000000000000001"))
    # Resolver seeds.
    seeds["res-a"] = record(0x08, 0x04 | 0) + record(0x04, 0, body(ok, 1, 0, 0, a_www))
    seeds["res-both"] = (record(0x08, 0x00) + record(0x04, 0, body(ok, 1, 0, 0, aaaa_www))
                         + record(0x04, 0, body(ok, 0, 1, 0, soa("example.com", 300, 30))))
    seeds["res-tc-tcp"] = (record(0x08, 0x04) + record(0x04, 0, body(ok | 0x0200, 0, 0, 0, b""))
                           + record(0x06, 0, body(ok, 1, 0, 0, a_www)))
    chain = rr(PTR_Q, 5, 100, name("alias.example.net"))
    seeds["res-cname-requery"] = (record(0x08, 0x04) + record(0x04, 0, body(ok, 1, 0, 0, chain))
                                  + record(0x04, 0, body(ok, 1, 0, 0, a_www)))
    seeds["res-nxdomain"] = (record(0x08, 0x05) + record(0x04, 0, body(0x8183, 0, 1, 0, soa("example", 3600, 60)))
                             + record(0x18, 0x05))
    seeds["res-timeouts"] = record(0x08, 0x04) + record(0x40, 0) * 8 + record(0x48, 0x14)
    seeds["res-servfail-formerr"] = (record(0x08, 0x04) + record(0x04, 0, body(0x8182, 0, 0, 0, b""))
                                     + record(0x05, 0, body(0x8181, 0, 0, 0, b""))
                                     + record(0x05, 0, body(ok, 1, 0, 0, a_www)))
    for k, v in seeds.items():
        with open(os.path.join(out, k), "wb") as f:
            f.write(v)


if __name__ == "__main__":
    main()
