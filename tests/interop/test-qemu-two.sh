#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-two.sh - Real VMs: two guests on io.qemu-listen (stream over UNIX, legacy socket,connect= over TCP), then isolation
#
# Phase 1: l2.hub + svc.dhcp-server (static leases .50/.51 by MAC) + two listeners
# (unix socket; tcp:127.0.0.1:0, port read from the log). Guest A boots with
# `-netdev stream` on the UNIX socket, guest B with the legacy `-netdev
# socket,connect=127.0.0.1:PORT`; both get their lease and ping each other.
# Phase 2: one listener with "segments": "isolated": both guests still get
# leases and reach the server, but cannot reach each other. A failed ping alone
# would also pass if the other guest were not up yet, so the guests probe each
# other in a loop until the test lets them stop, and it does so only once both
# guests have said they are probing and each has then finished two more failed
# probes: at least one whole failed probe of each guest happened while the other
# was provably up (it leaves its loop only after the stop signal). The stop
# signal is an address, 10.77.0.3, that the test adds to an io.tap on the hub
# (namespace G, 10.77.0.2) and that the guests ping between their probes.
. "$(dirname "$0")/lib.sh"
interop_init q2
require qemu-system-x86_64 cpio
guest_init
MACA=52:54:00:77:00:0a MACB=52:54:00:77:00:0b
# Ping until the peer answers (it boots at the same time), at most ~20 s.
reach() { echo "i=0; until ping -c 1 -W 1 $1 >/dev/null; do i=\$((i+1)); [ \$i -lt 20 ] || exit 1; done"; }
# Probe $1 until 10.77.0.3 answers; any answer from $1 fails; at most ~100 probes.
noreach() {
	echo "echo PK-PROBING; n=0; until ping -c 1 -W 1 10.77.0.3 >/dev/null; do" \
		"! ping -c 1 -W 1 $1 >/dev/null || { echo PK-REACHED; exit 1; };" \
		"n=\$((n+1)); echo PK-NOREACH \$n; [ \$n -lt 100 ] || exit 1; done"
}
noreach_count() { grep -c '^PK-NOREACH' "$T/$1.log" || true; }

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
guest_boot A "$MACA" "stream,id=n0,server=off,addr.type=unix,addr.path=$T/guests.sock" \
	"$(reach 10.77.0.51)" "ping -c 2 -W 2 10.77.0.1"
PA=$!
guest_boot B "$MACB" "socket,id=n0,connect=127.0.0.1:$PORT" "$(reach 10.77.0.50)"
PB=$!
check A $PA 10.77.0.50
check B $PB 10.77.0.51
echo "RESULT qemu-two: stream/unix guest and socket/tcp guest pinged each other"
stop_host

# ---- phase 2: isolated segments ----------------------------------------------------------------
ns_new G g
topology isolated ', "gw": { "type": "io.tap", "ifname": "pkq2gw", "netns": "'"$G"'",
                            "addresses": [ { "prefix": "10.77.0.2/24" } ] }' ', ["gw", "lan"]'
run_host "$T/topo.json"
ND="stream,id=n0,server=off,addr.type=unix,addr.path=$T/guests.sock"
guest_boot A "$MACA" "$ND" "ping -c 2 -W 2 10.77.0.1" "$(noreach 10.77.0.51)"
PA=$!
guest_boot B "$MACB" "$ND" "ping -c 2 -W 2 10.77.0.1" "$(noreach 10.77.0.50)"
PB=$!
# A guest that reached the other, or ended, stops the wait at once.
phase2_fail() {
	kill "$PA" "$PB" 2>/dev/null || true
	sed "s/^/[A] /" "$T/A.log"; sed "s/^/[B] /" "$T/B.log"
	grep -q '^PK-REACHED' "$T/A.log" && fail "A reached B (10.77.0.51) across isolated segments"
	grep -q '^PK-REACHED' "$T/B.log" && fail "B reached A (10.77.0.50) across isolated segments"
	fail "$1"
}
ended() { grep -qE '^(PK-REACHED|PK-DONE)' "$T/A.log" "$T/B.log"; }
for _ in $(seq 1500); do
	grep -q '^PK-PROBING' "$T/A.log" && grep -q '^PK-PROBING' "$T/B.log" && break
	ended && break
	sleep 0.1
done
grep -q '^PK-PROBING' "$T/A.log" && grep -q '^PK-PROBING' "$T/B.log" && ! ended ||
	phase2_fail "the guests were not both probing each other within 150 s"
# Both are up and in their loops now: two more failed probes each, then the stop signal.
NA=$(noreach_count A) NB=$(noreach_count B)
for _ in $(seq 300); do
	[ "$(noreach_count A)" -ge $((NA + 2)) ] && [ "$(noreach_count B)" -ge $((NB + 2)) ] && break
	ended && break
	sleep 0.1
done
[ "$(noreach_count A)" -ge $((NA + 2)) ] && [ "$(noreach_count B)" -ge $((NB + 2)) ] && ! ended ||
	phase2_fail "the guests did not both fail two probes while the other was up"
ip -n "$G" addr add 10.77.0.3/24 dev pkq2gw
check A $PA 10.77.0.50
check B $PB 10.77.0.51
echo "RESULT qemu-two: isolated guests reach the server, and failed to reach each other while both were up" \
	"(A probes $NA+$(( $(noreach_count A) - NA )), B probes $NB+$(( $(noreach_count B) - NB )))"
stop_host
echo PASS
