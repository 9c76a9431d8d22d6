#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-nat-pmp.sh - l3.nat port-mapping with natpmpc: a mapping opens a port from outside, deleting it closes it
#
# IN:  pktpin 10.70.0.2/24, default route via 10.70.0.1 (the NAT's inside-address)
# OUT: pktpout 198.51.100.2/24 and .3; the NAT's outside address is 198.51.100.1
# natpmpc on the inside host maps outside TCP 8080 to its port 80 (an
# http.server); the outside host fetches a page through it; natpmpc deletes
# the mapping and a new remote (198.51.100.3) can no longer connect.
# Connections already going on when a lease ends continue until they end,
# so the last check comes from an address that had none.
. "$(dirname "$0")/lib.sh"
interop_init nat-pmp
require curl python3 natpmpc
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
ctl_init

ns_new IN i
ns_new OUT o

mkdir -p "$T/www-in"
echo "mapped server" >"$T/www-in/hello"
ip netns exec "$IN" "$PY" -u -m http.server 80 --directory "$T/www-in" \
	>"$T/http-in.log" 2>&1 &

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tin": { "type": "io.tun", "ifname": "pktpin", "netns": "$IN",
             "addresses": [ { "prefix": "10.70.0.2/24" } ],
             "routes": [ { "prefix": "0.0.0.0/0", "via": "10.70.0.1" } ] },
    "tout": { "type": "io.tun", "ifname": "pktpout", "netns": "$OUT",
              "addresses": [ { "prefix": "198.51.100.2/24" }, { "prefix": "198.51.100.3/24" } ] },
    "nat": { "type": "l3.nat", "outside-addresses": "198.51.100.1",
             "inside-address": "10.70.0.1", "port-mapping": true,
             "port-mapping-inside-prefixes": "10.70.0.0/24" }
  },
  "links": [ ["tin.ip", "nat.inside.0"], ["nat.outside", "tout.ip"] ]
}
JSON

"$PKTKIT_HOST" --check "$T/topo.json" || fail "pktkit-host --check refused the topology"
run_host_ctl "$T/topo.json"
wait_for "$T/http-in.log" "Serving HTTP" 10 || fail "the inside server did not start"

echo "== natpmpc maps outside TCP 8080 to the inside host's port 80"
ip netns exec "$IN" timeout 5 natpmpc -g 10.70.0.1 -a 8080 80 tcp 60 >"$T/map.txt" 2>&1 ||
	fail "natpmpc -a failed: $(cat "$T/map.txt")"
grep -q "Public IP address : 198.51.100.1" "$T/map.txt" ||
	fail "natpmpc did not get the outside address: $(cat "$T/map.txt")"
grep -Eq "Mapped public port 8080 protocol TCP to local port 80 (liftime|lifetime) 60" "$T/map.txt" ||
	fail "natpmpc did not get the mapping: $(cat "$T/map.txt")"

echo "== the lease in the status"
ctl status nat >"$T/status.txt" || fail "pktkitctl status failed"
grep -Eq 'tcp +10\.70\.0\.2:80 +198\.51\.100\.1:8080 +nat-pmp' "$T/status.txt" ||
	fail "no lease in: $(cat "$T/status.txt")"

echo "== outside -> inside through the mapping"
out=$(ip netns exec "$OUT" timeout 5 curl -sS --max-time 4 http://198.51.100.1:8080/hello) ||
	fail "connection through the mapping failed"
[ "$out" = "mapped server" ] || fail "wrong answer through the mapping: $out"

echo "== natpmpc deletes the mapping"
ip netns exec "$IN" timeout 5 natpmpc -g 10.70.0.1 -a 8080 80 tcp 0 >"$T/unmap.txt" 2>&1 ||
	fail "natpmpc delete failed: $(cat "$T/unmap.txt")"
before=$(stat_of nat dropped-no-mapping)
before_f=$(stat_of nat dropped-filtered)
if ip netns exec "$OUT" timeout 4 curl -sS --max-time 2 --interface 198.51.100.3 \
	http://198.51.100.1:8080/hello >/dev/null 2>&1; then
	fail "a connection got through after the mapping was deleted"
fi
after=$(stat_of nat dropped-no-mapping)
after_f=$(stat_of nat dropped-filtered)
[ $((${after:-0} + ${after_f:-0})) -gt $((${before:-0} + ${before_f:-0})) ] ||
	fail "the NAT did not count the refused connection"
[ "$(stat_of nat pmp-replies)" -ge 3 ] || fail "pmp-replies: $(stat_of nat pmp-replies)"

stop_host
echo "PASS"
