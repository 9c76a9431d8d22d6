#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-nat.sh - l3.nat between two namespaces over io.tun: curl through NAPT, a port forward, unsolicited refused
#
# IN:  pktnin 10.70.0.2/24, default route via 10.70.0.1 (the NAT)
# OUT: pktnout 198.51.100.2/24; the NAT's outside address is 198.51.100.1
# The inside host downloads 4 MB from a python3 http.server outside and checks
# its sha256; the outside host reaches an inside server through a forward;
# a connection from outside to a port nobody holds fails (dropped-no-mapping).
. "$(dirname "$0")/lib.sh"
interop_init nat
require curl python3 sha256sum
# The system python: a version manager's shim costs seconds per start.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
ctl_init

ns_new IN i
ns_new OUT o

mkdir -p "$T/www-out" "$T/www-in"
head -c 4194304 /dev/urandom >"$T/www-out/blob"
echo "inside server" >"$T/www-in/hello"

# The servers start while the host does (the background jobs end with the test).
ip netns exec "$OUT" "$PY" -u -m http.server 8000 --directory "$T/www-out" \
	>"$T/http-out.log" 2>&1 &
ip netns exec "$IN" "$PY" -u -m http.server 8080 --directory "$T/www-in" \
	>"$T/http-in.log" 2>&1 &

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tin": { "type": "io.tun", "ifname": "pktnin", "netns": "$IN",
             "addresses": [ { "prefix": "10.70.0.2/24" } ],
             "routes": [ { "prefix": "0.0.0.0/0", "via": "10.70.0.1" } ] },
    "tout": { "type": "io.tun", "ifname": "pktnout", "netns": "$OUT",
              "addresses": [ { "prefix": "198.51.100.2/24" } ] },
    "nat": { "type": "l3.nat", "outside-addresses": "198.51.100.1",
             "forwards": [ { "outside-port": 8080, "inside-address": "10.70.0.2" } ] }
  },
  "links": [ ["tin.ip", "nat.inside.0"], ["nat.outside", "tout.ip"] ]
}
JSON

"$PKTKIT_HOST" --check "$T/topo.json" || fail "pktkit-host --check refused the topology"
run_host_ctl "$T/topo.json"

wait_for "$T/http-out.log" "Serving HTTP" 10 || fail "the outside server did not start"
wait_for "$T/http-in.log" "Serving HTTP" 10 || fail "the inside server did not start"

echo "== inside -> outside: 4 MB over HTTP through the NAT"
ip netns exec "$IN" timeout 10 curl -sS --max-time 8 -o "$T/got" http://198.51.100.2:8000/blob ||
	fail "download through the NAT failed"
want=$(sha256sum <"$T/www-out/blob" | cut -d' ' -f1)
got=$(sha256sum <"$T/got" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "sha256 differs: $got, want $want"
grep -q '"GET /blob HTTP/1.1" 200' "$T/http-out.log" || fail "the server did not log the download"
grep -q '^198\.51\.100\.1 ' "$T/http-out.log" ||
	fail "the server saw another source than the NAT's outside address: $(cat "$T/http-out.log")"

echo "== the flow in the status table"
ctl status nat >"$T/status.txt" || fail "pktkitctl status failed"
grep -Eq '^flows +[1-9]' "$T/status.txt" &&
	grep -q '10.70.0.2:[0-9]* *198.51.100.1:[0-9]* *198.51.100.2:8000' "$T/status.txt" ||
	fail "no flow of 10.70.0.2 in: $(cat "$T/status.txt")"

echo "== outside -> inside through the forward"
out=$(ip netns exec "$OUT" timeout 5 curl -sS --max-time 4 http://198.51.100.1:8080/hello) ||
	fail "connection through the forward failed"
[ "$out" = "inside server" ] || fail "wrong answer through the forward: $out"

echo "== unsolicited connection from outside"
before=$(stat_of nat dropped-no-mapping)
if ip netns exec "$OUT" timeout 4 curl -sS --max-time 2 http://198.51.100.1:9999/ >/dev/null 2>&1; then
	fail "an unsolicited connection got through"
fi
after=$(stat_of nat dropped-no-mapping)
[ "${after:-0}" -gt "${before:-0}" ] || fail "dropped-no-mapping did not count it ($before -> $after)"

echo "== flush"
ctl set nat flush=true || fail "pktkitctl set nat flush=true failed"
ctl status nat >"$T/status2.txt" || fail "pktkitctl status failed"
grep -Eq '^flows +0$' "$T/status2.txt" || fail "flows left after flush: $(cat "$T/status2.txt")"
grep -q '198.51.100.1:8080' "$T/status2.txt" || fail "the forward went with the flush"

stop_host
echo "PASS"
