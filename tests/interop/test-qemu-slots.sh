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
ctl_init
guest_init
. "$(dirname "$0")/qemu-seg-lib.sh"
MACA=52:54:00:77:02:0a MACB=52:54:00:77:02:0b MACC=52:54:00:77:02:0c

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
run_host_ctl "$T/topo.json"
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

# ---- two guests, one slot each --------------------------------------------------------------
mapfile -t STEPS < <(seg_steps $PROBEA $PROBEB $MACB)
guest_boot A "$MACA" "$ND" "${STEPS[@]}"
PA=$!
# QEMU connects before the guest boots: wait, so that A is guest 1 on guest.0 and B guest 2 on guest.1.
wait_for "$HOST_LOG" 'guest 1 connected from unix:.* on guest\.0' 20 || fail "A did not get slot guest.0"
mapfile -t STEPS < <(seg_steps $PROBEB $PROBEA $MACA)
guest_boot B "$MACB" "$ND" "${STEPS[@]}"
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

seg_check A $PA 100 120
LA=$LEASE
seg_check B $PB 100 120
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
guest_boot C "$MACC" "$ND" "ping -c 2 -W 2 10.88.0.1"
wait_for "$HOST_LOG" 'guest 3 connected from unix:.* on guest\.0' 20 || fail "C did not get the freed slot guest.0"
seg_check C $! 100 120
echo "RESULT qemu-slots: after both left, a new guest took guest.0 and got lease $LEASE"
# Nothing sends any more (no guest, the servers only answer): these are the final counters.
wait_for "$HOST_LOG" 'guest 3 .* disconnected' 10 || fail "C's disconnect not logged"
# The D-Bus counters lag by up to 500 ms: take them once two reads 0.6 s apart agree.
VMS= prev=
for _ in $(seq 10); do
	VMS=$(ctl stats vms)
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
seg_captures "segment " "$T/seg0.pcapng" "$T/seg1.pcapng" "$MACA" "$MACB" "$TX" "$RX" ||
	fail "a guest's frames on the other segment, no probe at all, or the listener's counts differ from the captures"
echo "RESULT qemu-slots: captures: no frame of a guest's MAC on the other guest's segment, listener counts match"
echo PASS
