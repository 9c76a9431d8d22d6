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
ctl_init
guest_init
. "$(dirname "$0")/qemu-seg-lib.sh"
MACA=52:54:00:77:03:0a MACB=52:54:00:77:03:0b MACC=52:54:00:77:03:0c

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
run_host_ctl "$T/topo.json"
devices() { ctl list | awk 'NR > 1 && NF >= 2 { print $1 }' | sort | tr '\n' ' '; }
capture() {	# PORT FILE: in the background until SIGTERM; sets CAP_PID
	# pktkitctl itself in the background (not ctl, a function: that would be a
	# subshell, and the SIGTERM below would not reach pktkitctl).
	"$CTL" --address "unix:path=$T/ctl.sock" capture "$1" "$2" >"$2.log" 2>&1 &
	CAP_PID=$!
	# started once it says so (the port must be linked: the segment exists)
	for _ in $(seq 50); do grep -q capturing "$2.log" && return 0; sleep 0.1; done
	fail "capture of $1 did not start: $(cat "$2.log")"
}

[ "$(devices)" = "vms " ] || fail "devices before any guest: $(devices)"

# ---- two guests, a segment each -------------------------------------------------------------
mapfile -t STEPS < <(seg_steps $PROBEA $PROBEB $MACB)
guest_boot A "$MACA" "$ND" "${STEPS[@]}"
PA=$!
wait_for "$HOST_LOG" 'guest 1 connected from unix:.* on guest\.0 \(instance vms/1 of template seg\)' 20 ||
	fail "A did not get segment vms/1 on guest.0"
capture vms.guest.0 "$T/seg0.pcapng"
CA=$CAP_PID
mapfile -t STEPS < <(seg_steps $PROBEB $PROBEA $MACA)
guest_boot B "$MACB" "$ND" "${STEPS[@]}"
PB=$!
wait_for "$HOST_LOG" 'guest 2 connected from unix:.* on guest\.1 \(instance vms/2 of template seg\)' 20 ||
	fail "B did not get segment vms/2 on guest.1"
capture vms.guest.1 "$T/seg1.pcapng"
CB=$CAP_PID
got=$(devices)
[ "$got" = "vms vms/1/dhcp vms/1/lan vms/2/dhcp vms/2/lan " ] || fail "devices with two guests: $got"
echo "RESULT qemu-template: two guests connected, devices now: $got"

seg_check A $PA
LA=$LEASE
seg_check B $PB
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
guest_boot C "$MACC" "$ND" "ping -c 2 -W 2 10.88.0.1"
PC=$!
wait_for "$HOST_LOG" 'guest 3 connected from unix:.* on guest\.0 \(instance vms/3 of template seg\)' 20 ||
	fail "C did not get a new segment vms/3 on guest.0"
seg_check C $PC
[ "$LEASE" = "$LA" ] || fail "C's fresh segment gave $LEASE, not $LA"
wait_for "$HOST_LOG" 'guest 3 .* disconnected' 10 || fail "C's disconnect not logged"
for _ in $(seq 50); do [ "$(devices)" = "vms " ] && break; sleep 0.1; done
[ "$(devices)" = "vms " ] || fail "segment left after C left: $(devices)"
echo "RESULT qemu-template: a third guest got segment vms/3 on guest.0 and lease $LEASE"
stop_host
[ ! -e "$SOCK" ] || fail "socket file left behind after stop"

# ---- the captures: each guest's port saw its own guest only ---------------------------------------
seg_captures guest. "$T/seg0.pcapng" "$T/seg1.pcapng" "$MACA" "$MACB" ||
	fail "a guest's frames on the other guest's port, or no probe at all"
echo "RESULT qemu-template: captures: no frame of a guest's MAC on the other guest's port"
echo PASS
