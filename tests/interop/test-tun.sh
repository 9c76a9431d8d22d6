#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-tun.sh - Two io.tun devices in two namespaces linked L3 to L3: addresses and routes from params, ping and ping -6
#
# A: pktuna 10.68.0.1/24, fd68::1/64; route 10.99.0.0/24 via 10.68.0.2; route fd99::/64 (on-link)
# B: pktunb 10.68.0.2/24, fd68::2/64, and 10.99.0.1/32, fd99::1/128 reached only through those routes.
. "$(dirname "$0")/lib.sh"
interop_init tun
require ping

ns_new A a
ns_new B b

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tuna": { "type": "io.tun", "ifname": "pktuna", "netns": "$A", "mtu": 1400,
              "addresses": [ { "prefix": "10.68.0.1/24" }, { "prefix": "fd68::1/64" } ],
              "routes": [ { "prefix": "10.99.0.0/24", "via": "10.68.0.2" },
                          { "prefix": "fd99::/64", "metric": 50 } ] },
    "tunb": { "type": "io.tun", "ifname": "pktunb", "netns": "$B",
              "addresses": [ { "prefix": "10.68.0.2/24" }, { "prefix": "fd68::2/64" },
                             { "prefix": "10.99.0.1/32" }, { "prefix": "fd99::1/128" } ] }
  },
  "links": [ ["tuna.ip", "tunb.ip"] ]
}
JSON

run_host "$T/topo.json"
ip -n "$A" link show pktuna | grep -q 'mtu 1400' || fail "pktuna does not have MTU 1400"
ip -n "$A" route show 10.99.0.0/24 | grep -q 'via 10.68.0.2 dev pktuna' || fail "route 10.99.0.0/24 missing"
ip -n "$A" -6 route show fd99::/64 | grep -q 'dev pktuna.*metric 50' || fail "route fd99::/64 missing"

echo "== ping A -> B"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.68.0.2 || fail "IPv4 ping over TUN-TUN failed"
ip netns exec "$A" ping -6 -c 3 -i 0.2 -W 2 fd68::2 || fail "IPv6 ping over TUN-TUN failed"
echo "== ping A -> B through the routes"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.99.0.1 || fail "IPv4 ping via the route failed"
ip netns exec "$A" ping -6 -c 3 -i 0.2 -W 2 fd99::1 || fail "IPv6 ping via the route failed"
echo "== ping B -> A"
ip netns exec "$B" ping -c 2 -i 0.2 -W 2 10.68.0.1 || fail "IPv4 ping B->A failed"

stop_host
for x in "$A pktuna" "$B pktunb"; do
	set -- $x
	if ip -n "$1" link show "$2" >/dev/null 2>&1; then fail "$2 still exists in $1 after stop"; fi
done
echo "PASS"
