#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-slots.sh - Real VMs: io.qemu-listen with "segments": "slots", two guests on identically addressed per-guest segments
#
# pktkit-host (D-Bus peer to peer on $T/ctl.sock, for pktkitctl) runs one io.qemu-listen
# on a UNIX socket in slots mode with two guest ports. vms.guest.0 is linked to hub
# sega with DHCP server dhcpa, vms.guest.1 to hub segb with dhcpb. Both servers have
# the same configuration: 10.88.0.1 (the segment's "gateway": svc.dhcp-server answers
# ARP and ICMP echo for server-ip), pool .100-.120, same server MAC. So both guests
# usually get the same address: that is the point, each segment is separate.
# Guest A connects first (slot guest.0), then guest B (guest.1); a third connection
# is refused (no free linked slot). Each guest gets a lease, pings 10.88.0.1, and
# must not reach the other guest. After both have powered off, a new guest takes
# the lowest free slot, guest.0, again.
#
# How "cannot reach the other guest" is checked. Pinging the other guest's lease
# address proves nothing when both got the same address (the ping answers locally),
# so each guest adds a fixed probe address outside the pool (A 10.88.0.201, B
# 10.88.0.202) and pings the other's probe address: the ARP requests are broadcast on
# its own segment and must stay unanswered. A negative ping alone could also pass
# because the other guest was not up yet, so the decisive check is on the host:
# the topology captures both ports of each segment (the listener's guest.N and the
# DHCP server's eth.0) to a pcapng file for the whole run, and afterwards
#   * segment 0's file has frames from A's MAC (including A's ARP requests for
#     10.88.0.202, so the probe really went out) and no frame from or to B's MAC,
#   * segment 1's file likewise, the other way round.
# That holds whatever the boot timing, and whether the leases are equal or not.
# A frame the listener itself hands from one slot to another guest crosses no captured
# port, so the listener's counters must also match the captures exactly: frames to
# guests (tx-frames + drops) = frames in on the guest.N ports, rx-frames = frames out.
# Each guest also checks that the other's MAC never got into its ARP table, and the
# servers' counters show that each answered its own guest (acks, echo-replies).
. "$(dirname "$0")/lib.sh"
interop_init qs
require qemu-system-x86_64 cpio python3
GUEST_SRC=$(cd "$(dirname "$0")/../guest" && pwd)
GUEST=${PKTKIT_GUEST_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pktkit-guest/out}
CTL=${PKTKITCTL:-$(dirname "$PKTKIT_HOST")/pktkitctl}
[ -x "$CTL" ] || fail "pktkitctl not found next to pktkit-host ($CTL)"
grc=0
"$GUEST_SRC/build-guest.sh" "$GUEST" || grc=$?
[ $grc -eq 77 ] && skip "cannot build the test guest"
[ $grc -eq 0 ] || fail "build-guest.sh failed ($grc)"
MACA=52:54:00:77:02:0a MACB=52:54:00:77:02:0b MACC=52:54:00:77:02:0c
PROBEA=10.88.0.201 PROBEB=10.88.0.202
SOCK=$T/guests.sock
ND="stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK"

dhcp() {	# the same server on both segments
	echo '{ "type": "svc.dhcp-server", "server-ip": "10.88.0.1", "router": "10.88.0.1",
	        "range-start": "10.88.0.100", "range-end": "10.88.0.120" }'
}
cat >"$T/topo.json" <<JSON
{
  "devices": {
    "vms": { "type": "io.qemu-listen", "listen": "unix:$SOCK", "segments": "slots" },
    "sega": { "type": "l2.hub" },
    "dhcpa": $(dhcp),
    "segb": { "type": "l2.hub" },
    "dhcpb": $(dhcp)
  },
  "links": [ ["vms.guest.0", "sega"], ["dhcpa.eth.0", "sega"],
             ["vms.guest.1", "segb"], ["dhcpb.eth.0", "segb"] ],
  "captures": [ { "ports": ["vms.guest.0", "dhcpa.eth.0"], "file": "$T/seg0.pcapng" },
                { "ports": ["vms.guest.1", "dhcpb.eth.0"], "file": "$T/seg1.pcapng" } ]
}
JSON
# pktkit-host with a private D-Bus address (run_host starts $PKTKIT_HOST TOPOLOGY).
cat >"$T/host.sh" <<SH
#!/bin/sh
exec "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
chmod +x "$T/host.sh"
PKTKIT_HOST=$T/host.sh run_host "$T/topo.json"
stat_of() {	# DEVICE COUNTER
	"$CTL" --address "unix:path=$T/ctl.sock" stats "$1" | awk -v c="$2" '$2 == c { print $3 }'
}
# The D-Bus Counters property is refreshed every 500 ms: poll until COUNTER >= MIN.
wait_stat_ge() {	# DEVICE COUNTER MIN
	local v=
	for _ in $(seq 30); do
		v=$(stat_of "$1" "$2")
		[ -n "$v" ] && [ "$v" -ge "$3" ] && return 0
		sleep 0.2
	done
	echo "wait_stat_ge: $1 $2 is '$v', not >= $3" >&2
	return 1
}

# Steps of a guest: probe address up, own gateway reachable, the other's probe address
# not (after 3 s, so that the other guest is up too), the other's MAC not in the ARP table.
# The probe ping is sent from the probe address: an ARP request whose sender IP is the
# lease (possibly the other guest's address too) would be dropped by the other kernel.
steps() {	# OWN_PROBE OTHER_PROBE OTHER_MAC
	echo "ip addr add $1/24 dev eth0"
	echo "ping -c 2 -W 2 10.88.0.1"
	echo "sleep 3; ! ping -c 3 -W 1 -I $1 $2"
	echo "cat /proc/net/arp; ! grep -qi '$3' /proc/net/arp"
}
boot() {	# NAME MAC CMD...
	local name=$1 mac=$2 args=()
	shift 2
	for c in "$@"; do args+=(--cmd "$c"); done
	"$GUEST_SRC/run-guest.sh" "$GUEST" --mac "$mac" --timeout 120 "${args[@]}" -- -netdev "$ND" \
		>"$T/$name.log" 2>&1 &
}
check() {	# NAME PID -> sets LEASE
	local rc=0
	wait "$2" || rc=$?
	sed "s/^/[$1] /" "$T/$1.log"
	LEASE=$(sed -n 's/^PK-DHCP ip=\(10\.88\.0\.[0-9]*\)\/24 .*server=10\.88\.0\.1$/\1/p' "$T/$1.log" | head -n 1)
	[ -n "$LEASE" ] || fail "$1: no lease in 10.88.0.0/24 from 10.88.0.1"
	[ "${LEASE##*.}" -ge 100 ] && [ "${LEASE##*.}" -le 120 ] || fail "$1: lease $LEASE outside the pool"
	[ $rc -eq 0 ] || fail "$1: guest ended with status $rc (a step failed, see PK-STEP-FAIL)"
}

# ---- two guests, one slot each --------------------------------------------------------------
mapfile -t STEPS < <(steps $PROBEA $PROBEB $MACB)
boot A "$MACA" "${STEPS[@]}"
PA=$!
# QEMU connects before the guest boots: wait, so that A is guest 1 on guest.0 and B guest 2 on guest.1.
wait_for "$HOST_LOG" 'guest 1 connected from unix:.* on guest\.0' 20 || fail "A did not get slot guest.0"
mapfile -t STEPS < <(steps $PROBEB $PROBEA $MACA)
boot B "$MACB" "${STEPS[@]}"
PB=$!
wait_for "$HOST_LOG" 'guest 2 connected from unix:.* on guest\.1' 20 || fail "B did not get slot guest.1"

# Both slots taken: a third connection is closed at once.
python3 - "$SOCK" <<'PY' || fail "a third guest was not refused"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
sys.exit(0 if s.recv(1) == b"" else 1)
PY
wait_for "$HOST_LOG" 'refusing a guest from unix:.*: no free linked guest\.N port' 5 ||
	fail "no refusal line in the host log"
wait_stat_ge vms guests-refused 1 || fail "guests-refused not counted"

check A $PA
LA=$LEASE
check B $PB
LB=$LEASE
for s in dhcpa dhcpb; do
	wait_stat_ge $s acks 1 && wait_stat_ge $s echo-replies 2 ||
		fail "$s did not answer its own guest (lease and ping)"
done
[ "$LA" = "$LB" ] && same="the same address $LA" || same="addresses $LA and $LB"
echo "RESULT qemu-slots: A on guest.0 and B on guest.1 got $same from their own servers, pinged their own 10.88.0.1, not each other"

# ---- slot reuse: both gone, a new guest takes guest.0 again --------------------------------------
wait_for "$HOST_LOG" 'guest 1 .* disconnected' 10 && wait_for "$HOST_LOG" 'guest 2 .* disconnected' 10 ||
	fail "guests' disconnects not logged"
boot C "$MACC" "ping -c 2 -W 2 10.88.0.1"
wait_for "$HOST_LOG" 'guest 3 connected from unix:.* on guest\.0' 20 || fail "C did not get the freed slot guest.0"
check C $!
echo "RESULT qemu-slots: after both left, a new guest took guest.0 and got lease $LEASE"
# Nothing sends any more (no guest, the servers only answer): these are the final counters.
wait_for "$HOST_LOG" 'guest 3 .* disconnected' 10 || fail "C's disconnect not logged"
# The D-Bus counters lag by up to 500 ms: take them once two reads 0.6 s apart agree.
VMS= prev=
for _ in $(seq 10); do
	VMS=$("$CTL" --address "unix:path=$T/ctl.sock" stats vms)
	[ "$VMS" = "$prev" ] && break
	prev=$VMS
	sleep 0.6
done
ctr() { awk -v c="$1" '$2 == c { print $3 }' <<<"$VMS"; }
TX=$(( $(ctr tx-frames) + $(ctr dropped-not-connected) + $(ctr dropped-queue-full) ))
RX=$(ctr rx-frames)
stop_host
[ ! -e "$SOCK" ] || fail "socket file left behind after stop"

# ---- the captures: each segment saw its own guest only --------------------------------------------
python3 - "$T/seg0.pcapng" "$T/seg1.pcapng" "$MACA" "$MACB" "$PROBEA" "$PROBEB" "$TX" "$RX" <<'PY' ||
import socket, struct, sys

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

f0, f1, maca, macb, proba, probb, tx, rx = sys.argv[1:]
mac = lambda m: bytes.fromhex(m.replace(":", ""))
ok, to_vms, from_vms = True, 0, 0
for seg, (path, own, other, probe) in enumerate([(f0, maca, macb, probb), (f1, macb, maca, proba)]):
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
        if other_b in (f[0:6], f[6:12]) or (f[12:14] == b"\x08\x06" and other_b in (f[22:28], f[32:38])):
            foreign += 1
    print(f"segment {seg}: {n} frames, {from_own} from {own}, {arp_probe} ARP requests "
          f"for {probe}, {foreign} with {other}")
    ok &= from_own > 0 and arp_probe > 0 and foreign == 0
# A frame the listener passes from one guest.N port (or guest) to another guest would
# never cross a captured port: count instead. What reached the guests (or was dropped
# for want of one) must be exactly what the guest.N ports delivered, and what the ports
# emitted exactly what the guests sent.
print(f"listener: {to_vms} frames in on guest.N, {tx} to guests or dropped; "
      f"{from_vms} out on guest.N, {rx} from guests")
ok &= to_vms == int(tx) and from_vms == int(rx)
sys.exit(0 if ok else 1)
PY
	fail "a guest's frames on the other segment, no probe at all, or the listener's counts differ from the captures"
echo "RESULT qemu-slots: captures: no frame of a guest's MAC on the other guest's segment, listener counts match"
echo PASS
