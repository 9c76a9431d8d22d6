#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-dhcp-flood.sh - svc.dhcp-server under DISCOVER and REQUEST floods from random MACs still leases to udhcpc
#
# Two namespaces behind io.tap - l2.hub - svc.dhcp-server (pool of 64 addresses,
# new-lease-burst 10, new-lease-rate 1/s, leases in $T/state). From the first,
# dhcp-flood.py (AF_PACKET) sends 1000 DISCOVERs from random MACs, which offers
# every pool address many times over; then udhcpc in the second namespace must
# get a lease within its first tries (an address only offered is given to the
# new client). Then 40 random MACs do full DISCOVER/REQUEST exchanges: at most
# the burst plus the refill of the elapsed time get a lease, and udhcpc with
# a new MAC must still get one afterwards.
. "$(dirname "$0")/lib.sh"
interop_init dfl
require python3 udhcpc

ns_new N1 f	# the flood
ns_new N2 u	# udhcpc
MAC2=52:54:00:6a:00:02
dhcp_state_init

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.69.0.1",
              "range-start": "10.69.0.100", "range-end": "10.69.0.163",
              "lease-time": "10m", "state-dir": "$T/state",
              "new-lease-burst": 10, "new-lease-rate": 1 },
    "tap1": { "type": "io.tap", "ifname": "pkdf1", "netns": "$N1", "mac": "52:54:00:6a:00:01" },
    "tap2": { "type": "io.tap", "ifname": "pkdf2", "netns": "$N2", "mac": "$MAC2" }
  },
  "links": [ ["dhcp", "lan"], ["tap1", "lan"], ["tap2", "lan"] ]
}
JSON

udhcpc_script

flood() {	# MODE N: prints the flooder's summary line, sets FLOOD
	FLOOD=$(ip netns exec "$N1" timeout 120 python3 "$(dirname "$0")/dhcp-flood.py" pkdf1 "$@") \
		|| fail "dhcp-flood.py $* failed"
	echo "$FLOOD"
}
field() { echo "$FLOOD" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# udhcpc: 3 DISCOVERs 1 s apart at most, leave once bound (-q).
lease_udhcpc() {	# LABEL
	ip netns exec "$N2" timeout 20 udhcpc -f -q -n -t 3 -T 1 -A 1 -i pkdf2 \
		-s "$T/udhcpc.script" >"$T/udhcpc-$1.out" 2>&1 \
		|| { cat "$T/udhcpc-$1.out"; fail "$1: udhcpc got no lease within 3 tries"; }
	grep 'udhcpc-event: bound' "$T/udhcpc-$1.out" || fail "$1: udhcpc not bound"
}

run_host "$T/topo.json"
ip -n "$N1" link set pkdf1 up
ip -n "$N2" link set pkdf2 up
for _ in $(seq 50); do
	ip -n "$N1" link show pkdf1 | grep -q LOWER_UP && break; sleep 0.1
done

echo "== DISCOVER flood: 1000 random MACs, no REQUEST"
flood discover 1000 --seed 1
[ "$(field offers)" -ge 64 ] || fail "the flood got fewer offers than the pool holds"
lease_udhcpc discover-flood
echo "PASS udhcpc leased after a DISCOVER flood"

echo "== REQUEST flood: 40 random MACs doing DISCOVER/REQUEST"
flood dora 40 --seed 2 --wait 0.1
acks=$(field acks) secs=$(field secs)
max=$(python3 -c "import math,sys; print(10 + math.ceil(float(sys.argv[1])) + 1)" "$secs")
[ "$acks" -le "$max" ] || fail "REQUEST flood: $acks new leases in $secs s (burst 10 + 1/s allows $max)"
[ "$acks" -ge 1 ] || fail "REQUEST flood: no lease at all"
bound=$(grep -vc "^#" "$LEASES" 2>/dev/null || true)
echo "new leases granted: $acks of 40 (limit $max); bound leases in the lease file: $bound"
# A new client (new MAC): its lease is a new one, so it needs the budget the
# flood spent; it refills at 1/s while udhcpc retries its REQUEST.
ip -n "$N2" link set pkdf2 address 52:54:00:6a:00:03
lease_udhcpc request-flood
echo "PASS udhcpc leased after a REQUEST flood"
stop_host
echo "PASS"
