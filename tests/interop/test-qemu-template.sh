#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-template.sh - Real VMs: io.qemu-listen with "segments": "template", a fresh segment per guest, made on connect
#
# pktkit-host (D-Bus peer to peer on $T/ctl.sock, for pktkitctl) runs one io.qemu-listen on a
# UNIX socket in template mode; the topology's template "seg" is a hub with a DHCP server
# (10.88.0.1, which answers ARP and ICMP echo: the segment's gateway, pool .100-.120). Nothing
# per guest is in the topology: when guest A connects, the host builds vms/1/lan + vms/1/dhcp
# and links it to vms.guest.0; guest B gets vms/2/* on vms.guest.1. Each segment is a fresh
# copy, so both guests get the very same lease, 10.88.0.100. Each pings 10.88.0.1 and must not
# reach the other guest; when they power off their segments are removed (pktkitctl list shows
# only vms again); a third guest gets a new segment (vms/3) on the freed port guest.0.
#
# "Cannot reach the other guest" is checked as in test-qemu-slots.sh: each guest adds a probe
# address outside the pool (A .201, B .202) and pings the other's from it (the ARP requests
# must stay unanswered), and the host captures each guest's port. The topology cannot name
# those ports (they are linked at run time), so pktkitctl starts a capture on vms.guest.N as
# soon as the guest's segment exists, well before the guest's kernel is up. Afterwards each
# capture must hold frames of its own guest (among them the ARP requests for the other probe)
# and no frame from or to the other guest's MAC.
. "$(dirname "$0")/lib.sh"
interop_init qt
require qemu-system-x86_64 cpio python3
GUEST_SRC=$(cd "$(dirname "$0")/../guest" && pwd)
GUEST=${PKTKIT_GUEST_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pktkit-guest/out}
CTL=${PKTKITCTL:-$(dirname "$PKTKIT_HOST")/pktkitctl}
[ -x "$CTL" ] || fail "pktkitctl not found next to pktkit-host ($CTL)"
grc=0
"$GUEST_SRC/build-guest.sh" "$GUEST" || grc=$?
[ $grc -eq 77 ] && skip "cannot build the test guest"
[ $grc -eq 0 ] || fail "build-guest.sh failed ($grc)"
MACA=52:54:00:77:03:0a MACB=52:54:00:77:03:0b MACC=52:54:00:77:03:0c
PROBEA=10.88.0.201 PROBEB=10.88.0.202
SOCK=$T/guests.sock
ND="stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK"

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "vms": { "type": "io.qemu-listen", "listen": "unix:$SOCK",
             "segments": "template", "template": "seg" }
  },
  "templates": {
    "seg": {
      "devices": {
        "lan": { "type": "l2.hub" },
        "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.88.0.1", "router": "10.88.0.1",
                  "range-start": "10.88.0.100", "range-end": "10.88.0.120" }
      },
      "links": [ ["dhcp", "lan"] ],
      "attach": "lan"
    }
  }
}
JSON
cat >"$T/host.sh" <<SH
#!/bin/sh
exec "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
chmod +x "$T/host.sh"
PKTKIT_HOST=$T/host.sh run_host "$T/topo.json"
ctl() { "$CTL" --address "unix:path=$T/ctl.sock" "$@"; }
devices() { ctl list | awk 'NR > 1 && NF >= 2 { print $1 }' | sort | tr '\n' ' '; }

steps() {	# OWN_PROBE OTHER_PROBE OTHER_MAC (as in test-qemu-slots.sh)
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
	[ $rc -eq 0 ] || fail "$1: guest ended with status $rc (a step failed, see PK-STEP-FAIL)"
}
capture() {	# PORT FILE: in the background until SIGTERM; sets CAP_PID
	"$CTL" --address "unix:path=$T/ctl.sock" capture "$1" "$2" >"$2.log" 2>&1 &
	CAP_PID=$!
	# started once it says so (the port must be linked: the segment exists)
	for _ in $(seq 50); do grep -q capturing "$2.log" && return 0; sleep 0.1; done
	fail "capture of $1 did not start: $(cat "$2.log")"
}

[ "$(devices)" = "vms " ] || fail "devices before any guest: $(devices)"

# ---- two guests, a segment each -------------------------------------------------------------
mapfile -t STEPS < <(steps $PROBEA $PROBEB $MACB)
boot A "$MACA" "${STEPS[@]}"
PA=$!
wait_for "$HOST_LOG" 'guest 1 connected from unix:.* on guest\.0 \(instance vms/1 of template seg\)' 20 ||
	fail "A did not get segment vms/1 on guest.0"
capture vms.guest.0 "$T/seg0.pcapng"
CA=$CAP_PID
mapfile -t STEPS < <(steps $PROBEB $PROBEA $MACA)
boot B "$MACB" "${STEPS[@]}"
PB=$!
wait_for "$HOST_LOG" 'guest 2 connected from unix:.* on guest\.1 \(instance vms/2 of template seg\)' 20 ||
	fail "B did not get segment vms/2 on guest.1"
capture vms.guest.1 "$T/seg1.pcapng"
CB=$CAP_PID
got=$(devices)
[ "$got" = "vms vms/1/dhcp vms/1/lan vms/2/dhcp vms/2/lan " ] || fail "devices with two guests: $got"
echo "RESULT qemu-template: two guests connected, devices now: $got"

check A $PA
LA=$LEASE
check B $PB
LB=$LEASE
[ "$LA" = "$LB" ] || fail "the two fresh segments gave different leases: $LA and $LB"
echo "RESULT qemu-template: A and B both got $LA from their own segment's server, pinged their own 10.88.0.1, not each other"

# ---- the segments go with the guests --------------------------------------------------------------
wait_for "$HOST_LOG" 'guest 1 .* disconnected' 10 && wait_for "$HOST_LOG" 'guest 2 .* disconnected' 10 ||
	fail "guests' disconnects not logged"
for _ in $(seq 50); do [ "$(devices)" = "vms " ] && break; sleep 0.1; done
[ "$(devices)" = "vms " ] || fail "segments left after both guests left: $(devices)"
kill -TERM $CA $CB
wait $CA || fail "capture of guest.0 failed: $(cat "$T/seg0.pcapng.log")"
wait $CB || fail "capture of guest.1 failed: $(cat "$T/seg1.pcapng.log")"
echo "RESULT qemu-template: both segments removed after the guests left"

# ---- a new guest gets a new segment on the freed port ------------------------------------------
boot C "$MACC" "ping -c 2 -W 2 10.88.0.1"
PC=$!
wait_for "$HOST_LOG" 'guest 3 connected from unix:.* on guest\.0 \(instance vms/3 of template seg\)' 20 ||
	fail "C did not get a new segment vms/3 on guest.0"
check C $PC
[ "$LEASE" = "$LA" ] || fail "C's fresh segment gave $LEASE, not $LA"
wait_for "$HOST_LOG" 'guest 3 .* disconnected' 10 || fail "C's disconnect not logged"
for _ in $(seq 50); do [ "$(devices)" = "vms " ] && break; sleep 0.1; done
[ "$(devices)" = "vms " ] || fail "segment left after C left: $(devices)"
echo "RESULT qemu-template: a third guest got segment vms/3 on guest.0 and lease $LEASE"
stop_host
[ ! -e "$SOCK" ] || fail "socket file left behind after stop"

# ---- the captures: each guest's port saw its own guest only ---------------------------------------
python3 - "$T/seg0.pcapng" "$T/seg1.pcapng" "$MACA" "$MACB" "$PROBEA" "$PROBEB" <<'PY' ||
import socket, struct, sys

def frames(path):
    """Frames of the enhanced packet blocks of a little-endian pcapng file."""
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
            cap = struct.unpack_from("<I", d, o + 20)[0]
            yield d[o + 28:o + 28 + cap]
        o += n

f0, f1, maca, macb, proba, probb = sys.argv[1:]
mac = lambda m: bytes.fromhex(m.replace(":", ""))
ok = True
for seg, (path, own, other, probe) in enumerate([(f0, maca, macb, probb), (f1, macb, maca, proba)]):
    own_b, other_b, probe_b = mac(own), mac(other), socket.inet_aton(probe)
    n = from_own = arp_probe = foreign = 0
    for f in frames(path):
        n += 1
        if f[6:12] == own_b:
            from_own += 1
            if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == probe_b:
                arp_probe += 1
        if other_b in (f[0:6], f[6:12]) or (f[12:14] == b"\x08\x06" and other_b in (f[22:28], f[32:38])):
            foreign += 1
    print(f"guest.{seg}: {n} frames, {from_own} from {own}, {arp_probe} ARP requests for {probe}, "
          f"{foreign} with {other}")
    ok &= from_own > 0 and arp_probe > 0 and foreign == 0
sys.exit(0 if ok else 1)
PY
	fail "a guest's frames on the other guest's port, or no probe at all"
echo "RESULT qemu-template: captures: no frame of a guest's MAC on the other guest's port"
echo PASS
