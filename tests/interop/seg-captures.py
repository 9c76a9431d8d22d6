#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# seg-captures.py - Check the pcapng captures of two QEMU guests on separate segments: each saw its own guest only
#
#   usage: seg-captures.py LABEL CAP0 CAP1 MAC_A MAC_B PROBE_A PROBE_B [TX RX]
#
# CAPn holds the frames of guest n's segment (A's is 0, B's is 1). Each must have
# frames from its own guest's MAC, among them ARP requests for the other guest's
# probe address, and no frame from or to the other guest's MAC (as Ethernet source
# or destination, or ARP sender or target). Each capture is summed up on a line
# "LABEL<n>: ...". With TX and RX (io.qemu-listen's counters: frames to guests or
# dropped, frames from guests), the first port of each capture must be the
# listener's guest.N and its frames in and out must match them exactly: a frame the
# listener passes from one guest to another crosses no captured port.
# Exit status 0 if all holds.
import socket
import struct
import sys


def packets(path):
    """(interface, flags, frame) of each enhanced packet block of a little-endian pcapng file."""
    d = open(path, "rb").read()
    if len(d) < 12 or struct.unpack_from("<II", d, 0)[0] != 0x0A0D0D0A or \
       struct.unpack_from("<I", d, 8)[0] != 0x1A2B3C4D:
        sys.exit(f"{path}: not a little-endian pcapng file")
    o = 0
    while o + 12 <= len(d):
        t, n = struct.unpack_from("<II", d, o)
        if n < 12 or o + n > len(d):
            sys.exit(f"{path}: bad block length {n} at {o}")
        if t == 6:
            ifc, _, _, cap = struct.unpack_from("<IIII", d, o + 8)
            flags, p = 0, o + 28 + (cap + 3) // 4 * 4
            while p + 4 <= o + n - 4:			# options: code, length, value (padded)
                code, ln = struct.unpack_from("<HH", d, p)
                if code == 0:
                    break
                if code == 2 and ln == 4:		# epb_flags: 1 inbound, 2 outbound
                    flags = struct.unpack_from("<I", d, p + 4)[0] & 3
                p += 4 + (ln + 3) // 4 * 4
            yield ifc, flags, d[o + 28:o + 28 + cap]
        o += n


def main():
    label, f0, f1, maca, macb, proba, probb = sys.argv[1:8]
    counts = sys.argv[8:]
    mac = lambda m: bytes.fromhex(m.replace(":", ""))
    ok, to_vms, from_vms = True, 0, 0
    for seg, (path, own, other, probe) in enumerate([(f0, maca, macb, probb),
                                                     (f1, macb, maca, proba)]):
        own_b, other_b, probe_b = mac(own), mac(other), socket.inet_aton(probe)
        n = from_own = arp_probe = foreign = 0
        for ifc, flags, f in packets(path):
            n += 1
            if ifc == 0:				# vms.guest.N, the first port of the capture
                to_vms += flags == 1		# delivered to the listener
                from_vms += flags == 2		# emitted by the listener
            if f[6:12] == own_b:
                from_own += 1
                # ARP request (0x0806, op 1) for the other guest's probe address
                if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == probe_b:
                    arp_probe += 1
            # the other guest's MAC as Ethernet source/destination or ARP sender/target
            if other_b in (f[0:6], f[6:12]) or \
               (f[12:14] == b"\x08\x06" and other_b in (f[22:28], f[32:38])):
                foreign += 1
        print(f"{label}{seg}: {n} frames, {from_own} from {own}, {arp_probe} ARP requests "
              f"for {probe}, {foreign} with {other}")
        ok &= from_own > 0 and arp_probe > 0 and foreign == 0
    if counts:
        tx, rx = (int(c) for c in counts)
        print(f"listener: {to_vms} frames in on guest.N, {tx} to guests or dropped; "
              f"{from_vms} out on guest.N, {rx} from guests")
        ok &= to_vms == tx and from_vms == rx
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
