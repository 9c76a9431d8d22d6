#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-dgram.sh - Real VMs: a -netdev stream guest and a -netdev dgram guest on one hub: leases, ping, 10 MB file; then a guest killed mid-transfer
#
# pktkit-host (D-Bus peer to peer on $T/ctl.sock, for pktkitctl) runs l2.hub +
# svc.dhcp-server (static leases .50/.51 by MAC) + io.qemu-listen on a UNIX
# socket + io.qemu-dgram on two free UDP ports.
# Phase 1: guest A boots with `-netdev stream` (UNIX), guest B with `-netdev
# dgram` (UDP). Both get their lease and ping each other; B sends A 10 MB of
# random data with busybox nc; the sha256 sums printed by both must match.
# Phase 2: A receives an endless stream from B and is killed (SIGKILL to QEMU)
# mid-transfer. Then the listener has no guest and no MAC entry left
# (pktkitctl stats), the host has as many fds as before any guest, and a new
# guest on the same socket gets its lease again. Run with PKTKIT_HOST of an
# ASan build to have LeakSanitizer check the host's memory at exit.
. "$(dirname "$0")/lib.sh"
interop_init qg
require qemu-system-x86_64 cpio python3
ctl_init
guest_init
MACA=52:54:00:77:01:0a MACB=52:54:00:77:01:0b
SOCK=$T/guests.sock
# Two free UDP ports on loopback: the device's (QEMU's remote) and QEMU's local.
read -r PDEV PQEMU < <(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.77.0.1",
              "range-start": "10.77.0.100", "range-end": "10.77.0.120",
              "static-leases": [ { "mac": "$MACA", "ip": "10.77.0.50" },
                                 { "mac": "$MACB", "ip": "10.77.0.51" } ] },
    "vms": { "type": "io.qemu-listen", "listen": "unix:$SOCK" },
    "dg": { "type": "io.qemu-dgram", "local": "udp:127.0.0.1:$PDEV",
            "remote": "udp:127.0.0.1:$PQEMU" }
  },
  "links": [ ["dhcp", "lan"], ["vms.lan", "lan"], ["dg", "lan"] ]
}
JSON
run_host_ctl "$T/topo.json"
ND_A="stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK"
ND_B="dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$PQEMU,remote.type=inet,remote.host=127.0.0.1,remote.port=$PDEV"
grep -qF -- "dg: attach a QEMU guest with: qemu-system-x86_64 ... -netdev $ND_B -device" "$HOST_LOG" ||
	fail "the host did not print the dgram option line"

# All of the host's fds, its D-Bus connections included: a pktkitctl connection that has
# ended must be closed by the host as well (it once was not).
require ss
fds() { ls "/proc/$HOST_PID/fd" | wc -l; }
# Accepted guest connections the host holds on the listener's socket.
guest_socks() { ss -xpH | grep -F "$SOCK" | grep "pid=$HOST_PID," | grep -vc LISTEN || true; }
# The D-Bus Counters property is refreshed every 500 ms: poll for a value.
wait_stat() {	# DEVICE COUNTER VALUE
	for _ in $(seq 30); do [ "$(stat_of "$1" "$2")" = "$3" ] && return 0; sleep 0.2; done
	echo "wait_stat: $1 $2 is $(stat_of "$1" "$2"), not $3" >&2
	return 1
}
wait_fds() {	# COUNT
	for _ in $(seq 30); do [ "$(fds)" = "$1" ] && return 0; sleep 0.2; done
	return 1
}
stat_of vms macs >/dev/null	# the first D-Bus client makes GDBus open its worker's fds
# The baseline is taken once the host has closed that client's connection.
ctl_conns() { ss -xpH | grep -F "$T/ctl.sock" | grep "pid=$HOST_PID," | grep -vc LISTEN || true; }
for _ in $(seq 30); do [ "$(ctl_conns)" = 0 ] && break; sleep 0.2; done
[ "$(ctl_conns)" = 0 ] || fail "the host did not close a finished pktkitctl connection within 6 s"
FD0=$(fds)

# Ping until the peer answers (it boots at the same time), at most ~20 s.
reach() { echo "i=0; until ping -c 1 -W 1 $1 >/dev/null; do i=\$((i+1)); [ \$i -lt 20 ] || exit 1; done"; }
# Connect until the receiver listens, at most ~20 s.
send_to() { echo "i=0; until $1 | nc $2 5000; do i=\$((i+1)); [ \$i -lt 40 ] || exit 1; sleep 0.5; done"; }
boot() {	# NAME MAC NETDEV CMD...
	local name=$1 mac=$2 nd=$3 args=()
	shift 3
	for c in "$@"; do args+=(--cmd "$c"); done
	"$GUEST_SRC/run-guest.sh" "$GUEST" --mac "$mac" --timeout 240 "${args[@]}" -- -netdev "$nd" \
		-pidfile "$T/$name.pid" >"$T/$name.log" 2>&1 &
}
check() {	# NAME PID IP
	local rc=0
	wait "$2" || rc=$?
	sed "s/^/[$1] /" "$T/$1.log"
	grep -q "^PK-DHCP ip=$3/" "$T/$1.log" || fail "$1: no lease $3"
	[ $rc -eq 0 ] || fail "$1: guest ended with status $rc"
}

# ---- phase 1: stream + dgram guests, ping, 10 MB with checksum --------------------------------
t0=$(date +%s)
boot A "$MACA" "$ND_A" "$(reach 10.77.0.51)" \
	"nc -l -p 5000 -e sh -c 'cat >/tmp/r' </dev/null" \
	'echo "PK-RECV $(sha256sum </tmp/r | cut -d" " -f1) $(wc -c </tmp/r)"'
PA=$!
boot B "$MACB" "$ND_B" "$(reach 10.77.0.50)" \
	'dd if=/dev/urandom of=/tmp/f bs=1M count=10 2>/dev/null && echo "PK-SENT $(sha256sum </tmp/f | cut -d" " -f1) $(wc -c </tmp/f)"' \
	"$(send_to 'cat /tmp/f' 10.77.0.50)"
PB=$!
check A $PA 10.77.0.50
check B $PB 10.77.0.51
t1=$(date +%s)
sent=$(sed -n 's/^PK-SENT //p' "$T/B.log")
recv=$(sed -n 's/^PK-RECV //p' "$T/A.log")
[ -n "$sent" ] && [ "$sent" = "$recv" ] || fail "checksums differ: sent '$sent', received '$recv'"
[ "${sent##* }" = 10485760 ] || fail "sent ${sent##* } bytes, not 10 MiB"
echo "RESULT qemu-dgram: stream guest and dgram guest got leases, pinged each other, 10 MiB sha256 ok (${sent%% *}), $((t1 - t0)) s boot to power-off"
wait_for "$HOST_LOG" 'guest 1 .* disconnected: peer closed the connection' 10 || fail "A's disconnect not logged"
[ "$(stat_of dg rx-frames)" -gt 7000 ] || fail "dg saw only $(stat_of dg rx-frames) frames"
wait_stat vms macs 0 || fail "listener MACs left after phase 1"
wait_fds "$FD0" || fail "host fds: $FD0 before, $(fds) after phase 1"

# ---- phase 2: A killed mid-transfer ------------------------------------------------------------
boot A "$MACA" "$ND_A" "$(reach 10.77.0.51)" \
	"nc -l -p 5000 -e sh -c 'cat >/dev/null' </dev/null"
PA=$!
boot B "$MACB" "$ND_B" "$(reach 10.77.0.50)" "$(send_to 'cat /dev/zero' 10.77.0.50)"
PB=$!
wait_for "$T/A.log" '^PK-STEP-START 2' 60 || fail "A never started to receive"
# The transfer runs: A's guest-bound frames keep flowing.
f0=$(stat_of vms tx-frames)
sleep 3
f1=$(stat_of vms tx-frames)
[ $((f1 - f0)) -gt 500 ] || fail "no transfer in progress ($f0 -> $f1 frames to A)"
wait_stat vms guests-connected 1 && wait_stat vms macs 1 || fail "A not connected"
[ "$(guest_socks)" = 1 ] || fail "expected 1 guest socket in the host, found $(guest_socks)"
kill -KILL "$(cat "$T/A.pid")"
wait "$PA" || true
wait_for "$HOST_LOG" 'guest 2 .* disconnected' 10 || fail "killed guest's disconnect not logged"
echo "killed A after $((f1 - f0)) frames in 3 s; host log: $(grep 'guest 2 .* disconnected' "$HOST_LOG")"
wait_stat vms guests-connected 0 || fail "guest still counted as connected"
wait_stat vms macs 0 || fail "MAC entry left behind"
wait_fds "$FD0" || fail "host fds: $FD0 before, $(fds) after the kill"
[ "$(guest_socks)" = 0 ] || fail "a guest socket is left in the host"
kill -KILL "$(cat "$T/B.pid")" 2>/dev/null || true
wait "$PB" || true

# A new guest on the same socket works.
boot A "$MACA" "$ND_A" "ping -c 2 -W 2 10.77.0.1"
check A $! 10.77.0.50
wait_stat vms macs 0 && wait_stat vms guests-connected 0 && wait_fds "$FD0" ||
	fail "state left after the last guest"
echo "RESULT qemu-dgram: killed guest left no guest, MAC entry or fd (fds $FD0); reconnect ok"
stop_host
[ ! -e "$SOCK" ] || fail "socket file left behind after stop"
echo PASS
