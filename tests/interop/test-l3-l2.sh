#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-l3-l2.sh - Interop 4: namespace A on io.tun - l3.adapter - l2.hub - io.tap namespace B: ping, ping -6 both ways
#
# The adapter stands for A on B's Ethernet segment: it owns A's addresses, answers
# B's kernel ARP/NS for them and resolves B with its own ARP/NS. B is the kernel.
. "$(dirname "$0")/lib.sh"
interop_init l3l2
require ping

ns_new A a
ns_new B b

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tuna": { "type": "io.tun", "ifname": "pktuna", "netns": "$A",
              "addresses": [ { "prefix": "10.68.0.1/24" }, { "prefix": "fd68::1/64" } ] },
    "adapter": { "type": "l3.adapter", "mac": "02:68:00:00:00:01",
                 "addresses": [ { "prefix": "10.68.0.1/24" }, { "prefix": "fd68::1/64" } ] },
    "lan": { "type": "l2.hub" },
    "tapb": { "type": "io.tap", "ifname": "pktapb", "netns": "$B",
              "addresses": [ { "prefix": "10.68.0.2/24" }, { "prefix": "fd68::2/64" } ] }
  },
  "links": [ ["tuna", "adapter.ip"], ["adapter.eth", "lan"], ["tapb", "lan"] ]
}
JSON

run_host "$T/topo.json"
ip -n "$A" -br addr show pktuna
ip -n "$B" -br addr show pktapb

echo "== ping A -> B (IPv4: our ARP resolves B)"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.68.0.2 || fail "IPv4 ping A -> B failed"
echo "== ping B -> A (IPv4: B's kernel ARPs, the adapter answers)"
ip netns exec "$B" ip neigh flush dev pktapb
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.68.0.1 || fail "IPv4 ping B -> A failed"
ip -n "$B" neigh show 10.68.0.1 | grep -q '02:68:00:00:00:01' || fail "B did not learn the adapter's MAC"

for _ in $(seq 50); do
	[ -z "$(ip -n "$B" -6 addr show dev pktapb tentative)" ] && break
	sleep 0.1
done
echo "== ping -6 A -> B (our NS resolves B)"
ip netns exec "$A" ping -6 -c 3 -i 0.2 -W 2 fd68::2 || fail "IPv6 ping A -> B failed"
echo "== ping -6 B -> A (B's kernel solicits, the adapter advertises)"
ip netns exec "$B" ip -6 neigh flush dev pktapb
ip netns exec "$B" ping -6 -c 3 -i 0.2 -W 2 fd68::1 || fail "IPv6 ping B -> A failed"
ip -n "$B" -6 neigh show fd68::1 | grep -q '02:68:00:00:00:01' || fail "B did not learn the adapter's MAC by NDP"

stop_host
echo "PASS"
