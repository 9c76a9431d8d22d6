#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-dhcp.sh - Real VM: a QEMU guest on io.qemu-listen (-netdev stream, UNIX socket) gets a DHCP lease and pings its gateway
#
# pktkit-host runs l2.hub + svc.dhcp-server (10.77.0.2, pool .100-.120, router
# 10.77.0.1) + a gateway host: l3.adapter (10.77.0.1, ARP) in front of an
# l3.vclient (10.77.0.1, answers ICMP echo) + io.qemu-listen on $T/guests.sock.
# The project's test guest (tests/guest, built into a cache outside the tree)
# boots under TCG with `-netdev stream,server=off,addr.type=unix`, gets a lease
# from the pool by DHCP and pings the router address, which only the vclient
# answers. Checked: the lease and its router, the ping, the listener's log
# lines (guest connected, then gone after power-off) and that the socket file
# is removed on stop.
. "$(dirname "$0")/lib.sh"
interop_init qd
require qemu-system-x86_64 cpio
guest_init

SOCK=$T/guests.sock
cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.77.0.2",
              "range-start": "10.77.0.100", "range-end": "10.77.0.120",
              "router": "10.77.0.1", "lease-time": "10m" },
    "gw": { "type": "l3.adapter", "addresses": [ { "prefix": "10.77.0.1/24" } ] },
    "gwhost": { "type": "l3.vclient", "addresses": [ { "prefix": "10.77.0.1/24" } ] },
    "vms": { "type": "io.qemu-listen", "listen": "unix:$SOCK" }
  },
  "links": [ ["dhcp", "lan"], ["gw.eth", "lan"], ["gw.ip", "gwhost"], ["vms.lan", "lan"] ]
}
JSON
run_host "$T/topo.json"
[ -S "$SOCK" ] || fail "no socket at $SOCK"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "socket mode is $(stat -c %a "$SOCK"), not 600"

t0=$(date +%s.%N)
rc=0
"$GUEST_SRC/run-guest.sh" "$GUEST" --mac 52:54:00:77:00:01 --timeout 90 \
	--cmd 'ping -c 3 -i 0.3 -W 2 10.77.0.1' \
	-- -netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK" >"$T/console.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
cat "$T/console.log"
[ $rc -eq 0 ] || fail "guest ended with status $rc"
ip=$(sed -n 's/^PK-DHCP ip=\([0-9.]*\)\/.*/\1/p' "$T/console.log" | head -n 1)
case "$ip" in
10.77.0.1[0-2][0-9]) [ "${ip##*.}" -ge 100 ] && [ "${ip##*.}" -le 120 ] || fail "lease $ip outside the pool" ;;
*) fail "no lease from the pool (got '$ip')" ;;
esac
grep -q '^PK-DHCP .*server=10.77.0.2' "$T/console.log" || fail "lease not from svc.dhcp-server"
grep -q '^PK-DHCP .*router=10.77.0.1' "$T/console.log" || fail "lease without router 10.77.0.1"
grep -q '^PK-STEP-OK 1' "$T/console.log" || fail "guest could not ping its gateway 10.77.0.1 (adapter + vclient)"
echo "RESULT qemu-dhcp: lease $ip, ping ok, boot+test $(echo "$t1 - $t0" | bc 2>/dev/null || echo '?') s"
wait_for "$HOST_LOG" 'guest 1 connected from unix:' 5 || fail "no connect line in the host log"
wait_for "$HOST_LOG" 'guest 1 .* disconnected: peer closed the connection' 10 ||
	fail "guest's disconnect not seen after power-off"
stop_host
[ ! -e "$SOCK" ] || fail "socket file left behind after stop"
echo "PASS"
