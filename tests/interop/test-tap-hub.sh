#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-tap-hub.sh - Interop 3: two namespaces joined by io.tap - l2.hub - io.tap: ping, ping -6, iperf3, cleanup
#
# pktkit-host creates both TAPs directly inside the namespaces (netns param) and
# configures 10.67.0.x/24 and fd67::x/64 on them (IPv6 without DAD).
. "$(dirname "$0")/lib.sh"
interop_init tap
require ping iperf3 python3 ss

ns_new A a
ns_new B b

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "tapa": { "type": "io.tap", "ifname": "pktapa", "netns": "$A",
              "addresses": [ { "prefix": "10.67.0.1/24" }, { "prefix": "fd67::1/64" } ] },
    "tapb": { "type": "io.tap", "ifname": "pktapb", "netns": "$B", "mtu": 1500,
              "addresses": [ { "prefix": "10.67.0.2/24" }, { "prefix": "fd67::2/64" } ] }
  },
  "links": [ ["tapa", "lan"], ["tapb", "lan"] ]
}
JSON

run_host "$T/topo.json"
ip -n "$A" -br addr show pktapa
ip -n "$B" -br addr show pktapb
ip -n "$A" link show pktapa | grep -q 'state UNKNOWN\|state UP' || fail "pktapa is not up"

echo "== ping A -> B (IPv4)"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.67.0.2 || fail "IPv4 ping through the hub failed"
echo "== ping -6 A -> B"
ip netns exec "$A" ping -6 -c 3 -i 0.2 -W 2 fd67::2 || fail "IPv6 ping through the hub failed"
echo "== ping -6 B -> A (link-local, after the kernel's DAD on it)"
for _ in $(seq 50); do
	[ -z "$(ip -n "$A" -6 addr show dev pktapa tentative)$(ip -n "$B" -6 addr show dev pktapb tentative)" ] && break
	sleep 0.1
done
ip netns exec "$B" ping -6 -c 2 -i 0.2 -W 2 "$(ip -n "$A" -6 -br addr show pktapa scope link | awk '{print $3}' | cut -d/ -f1)%pktapb" \
	|| fail "IPv6 link-local ping through the hub failed"

echo "== iperf3 TCP A -> B"
IPERF_TIME=${IPERF_TIME:-3} iperf_pair "$B" "$A" 10.67.0.2 5201 "tap-hub-tap A->B" || fail "iperf3 through the hub failed"
[ "${IPERF_MBPS:-0}" -gt 0 ] || fail "iperf3 moved no data"

echo "== SIGTERM: the host stops cleanly and removes both interfaces"
stop_host
for x in "$A pktapa" "$B pktapb"; do
	set -- $x
	if ip -n "$1" link show "$2" >/dev/null 2>&1; then fail "$2 still exists in $1 after stop"; fi
done
echo "PASS"
