#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-two.sh - Real VMs: two guests on io.qemu-listen (stream over UNIX, legacy socket,connect= over TCP), then isolation
#
# Phase 1: l2.hub + svc.dhcp-server (static leases .50/.51 by MAC) + two listeners
# (unix socket; tcp:127.0.0.1:0, port read from the log). Guest A boots with
# `-netdev stream` on the UNIX socket, guest B with the legacy `-netdev
# socket,connect=127.0.0.1:PORT`; both get their lease and ping each other.
# Phase 2: one listener with "segments": "isolated": both guests still get
# leases and reach the server, but cannot reach each other.
. "$(dirname "$0")/lib.sh"
interop_init q2
require qemu-system-x86_64 cpio
GUEST_SRC=$(cd "$(dirname "$0")/../guest" && pwd)
GUEST=${PKTKIT_GUEST_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pktkit-guest/out}
grc=0
"$GUEST_SRC/build-guest.sh" "$GUEST" || grc=$?
[ $grc -eq 77 ] && skip "cannot build the test guest"
[ $grc -eq 0 ] || fail "build-guest.sh failed ($grc)"
MACA=52:54:00:77:00:0a MACB=52:54:00:77:00:0b
# Ping until the peer answers (it boots at the same time), at most ~20 s.
reach() { echo "i=0; until ping -c 1 -W 1 $1 >/dev/null; do i=\$((i+1)); [ \$i -lt 20 ] || exit 1; done"; }
noreach() { echo "sleep 3; ! ping -c 3 -W 1 $1"; }

topology() {	# SEGMENTS EXTRA_DEVICES EXTRA_LINKS
	cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.77.0.1",
              "range-start": "10.77.0.100", "range-end": "10.77.0.120",
              "static-leases": [ { "mac": "$MACA", "ip": "10.77.0.50" },
                                 { "mac": "$MACB", "ip": "10.77.0.51" } ] },
    "vms": { "type": "io.qemu-listen", "listen": "unix:$T/guests.sock", "segments": "$1" }$2
  },
  "links": [ ["dhcp", "lan"], ["vms.lan", "lan"]$3 ]
}
JSON
}

boot() {	# NAME MAC NETDEV CMD...
	local name=$1 mac=$2 nd=$3 args=()
	shift 3
	for c in "$@"; do args+=(--cmd "$c"); done
	"$GUEST_SRC/run-guest.sh" "$GUEST" --mac "$mac" --timeout 120 "${args[@]}" -- -netdev "$nd" \
		>"$T/$name.log" 2>&1 &
}

check() {	# NAME PID IP
	local rc=0
	wait "$2" || rc=$?
	sed "s/^/[$1] /" "$T/$1.log"
	grep -q "^PK-DHCP ip=$3/" "$T/$1.log" || fail "$1: no lease $3"
	[ $rc -eq 0 ] || fail "$1: guest ended with status $rc"
}

# ---- phase 1: shared segment, stream + legacy socket -----------------------------------------
topology shared ', "tcpvms": { "type": "io.qemu-listen", "listen": "tcp:127.0.0.1:0" }' \
	', ["tcpvms.lan", "lan"]'
run_host "$T/topo.json"
wait_for "$HOST_LOG" 'listening for QEMU guests on tcp:127.0.0.1:[0-9]+' 5 || fail "no TCP port"
PORT=$(sed -n 's/.*listening for QEMU guests on tcp:127.0.0.1:\([0-9]*\).*/\1/p' "$HOST_LOG" | head -n 1)
boot A "$MACA" "stream,id=n0,server=off,addr.type=unix,addr.path=$T/guests.sock" \
	"$(reach 10.77.0.51)" "ping -c 2 -W 2 10.77.0.1"
PA=$!
boot B "$MACB" "socket,id=n0,connect=127.0.0.1:$PORT" "$(reach 10.77.0.50)"
PB=$!
check A $PA 10.77.0.50
check B $PB 10.77.0.51
echo "RESULT qemu-two: stream/unix guest and socket/tcp guest pinged each other"
stop_host

# ---- phase 2: isolated segments ----------------------------------------------------------------
topology isolated '' ''
run_host "$T/topo.json"
ND="stream,id=n0,server=off,addr.type=unix,addr.path=$T/guests.sock"
boot A "$MACA" "$ND" "ping -c 2 -W 2 10.77.0.1" "$(noreach 10.77.0.51)"
PA=$!
boot B "$MACB" "$ND" "ping -c 2 -W 2 10.77.0.1" "$(noreach 10.77.0.50)"
PB=$!
check A $PA 10.77.0.50
check B $PB 10.77.0.51
echo "RESULT qemu-two: isolated guests reach the server, not each other"
stop_host
echo PASS
