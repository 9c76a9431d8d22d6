#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-wg-go.sh - Issue 13: l3.wg (behind io.tun) against wireguard-go: handshakes both ways, ping, iperf3, 100 MB
#
# The set-up is wg-lib.sh's: two namespaces joined by a veth (10.88.0.1 /
# fd88::1 - 10.88.0.2 / fd88::2). $WGA: the real wireguard-go, TUN wgpkA
# (10.99.0.1/24, fd99::1/64), set up with wg(8). $WGB: pktkit-host with io.tun
# "tun" (wgpkB: 10.99.0.2/24, fd99::2/64) linked to the l3.wg "wg0" (port
# 51821), whose one peer is wireguard-go.
# Checks, in order:
#   pktkit-initiates   ping 10.99.0.1 from $WGB: the l3.wg starts the
#                      handshake (outer IPv4), the ping gets through
#   go-initiates       the l3.wg restarted (no session); wireguard-go pings
#                      10.99.0.2 and initiates: the l3.wg answers as responder
#   inner-ipv6         ping6 both ways over the session
#   outer-ipv6         the peer's endpoint moved to [fd88::1]:51820 with
#                      pktkitctl set (live): a new handshake over IPv6, ping
#   status             pktkitctl status wg0: the peer row has the endpoint,
#                      a latest-handshake, rx/tx bytes; `wg show` on the other
#                      side shows our endpoint and a handshake
#   bulk               100 MB each way over HTTP (GET and PUT), sha256 compared
#   iperf3             iperf3 both directions (numbers printed, not asserted)
#   counters           no decryption, replay or source drops on either side
# Environment: PKTKIT_HOST (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wg-lib.sh"
interop_init wgo
wg_setup
PEER=$(dirname "$0")/slirp-peer.py
wg_go_peer 10.88.0.2:51821

echo "== pktkit-initiates"
wg_topology 10.88.0.1:51820
wg_start_pktkit
ping_ok bx 10.99.0.1 pktkit-initiates
ping_ok ax 10.99.0.2 pktkit-initiates-reverse

echo "== go-initiates"
stop_host
wg_go_peer 10.88.0.2:51821
wg_topology ""	# no endpoint: learnt from wireguard-go's initiation
wg_start_pktkit
ping_ok ax 10.99.0.2 go-initiates
ctl --json status wg0 >"$T/st.json" || fail "pktkitctl status wg0 failed"
python3 - "$T/st.json" <<'PY' || fail "go-initiates: the l3.wg did not learn wireguard-go's endpoint"
import json, sys
rows = json.load(open(sys.argv[1]))["peer-table"]
assert rows[0].get("endpoint") == "10.88.0.1:51820", rows
print("go-initiates: endpoint learnt:", rows[0]["endpoint"])
PY

echo "== inner-ipv6"
ping_ok bx fd99::1 inner-ipv6
ping_ok ax fd99::2 inner-ipv6-reverse

echo "== outer-ipv6"
ax wg set "$TUNA" peer "$(cat "$T/b.pub")" endpoint "[fd88::2]:51821"
ctl set wg0 peers="[{\"public-key\": \"$(cat "$T/a.pub")\", \"endpoint\": \"[fd88::1]:51820\", \"allowed-ips\": \"10.99.0.0/24, fd99::/64\"}]" ||
	fail "outer-ipv6: pktkitctl set wg0 peers failed"
ping_ok bx 10.99.0.1 outer-ipv6
ax wg show "$TUNA" endpoints | grep -q 'fd88::2' || { ax wg show "$TUNA" >&2; fail "outer-ipv6: wireguard-go does not see us at fd88::2"; }

echo "== status"
ctl status wg0 || fail "pktkitctl status wg0 failed"
ctl --json status wg0 >"$T/st.json"
python3 - "$T/st.json" "$(cat "$T/b.pub")" <<'PY' || fail "status: the peer row is incomplete"
import json, sys
st = json.load(open(sys.argv[1]))
assert st["public-key"] == sys.argv[2], st
assert st["listen-port"] == 51821 and st["peers"] == 1, st
r = st["peer-table"][0]
assert r["endpoint"] == "[fd88::1]:51820", r
assert r["latest-handshake"] > 0 and r["rx-bytes"] > 0 and r["tx-bytes"] > 0, r
print("status: endpoint %s, rx %d, tx %d" % (r["endpoint"], r["rx-bytes"], r["tx-bytes"]))
PY
ax wg show "$TUNA" latest-handshakes | grep -q "	[1-9]" || fail "status: wireguard-go shows no handshake"

echo "== bulk"
mkdir -p "$T/www"
head -c $((100 * 1024 * 1024)) /dev/urandom >"$T/www/big.bin"
sha=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
ax python3 "$PEER" serve "$T/www" 8080 7777 10.99.0.1 >"$T/peer.log" 2>&1 &
wait_for "$T/peer.log" '^ready' 10 || { cat "$T/peer.log" >&2; fail "HTTP server did not start"; }
bx curl -sS --max-time 60 -o "$T/got.bin" http://10.99.0.1:8080/big.bin || fail "bulk: GET of 100 MB failed"
[ "$(sha256sum <"$T/got.bin" | cut -d' ' -f1)" = "$sha" ] || fail "bulk: GET: sha256 differs"
echo "bulk: GET 100 MB, sha256 ok"
got=$(bx curl -sS --max-time 60 -H 'Expect:' -T "$T/www/big.bin" http://10.99.0.1:8080/upload) ||
	fail "bulk: PUT of 100 MB failed"
[ "$got" = "sha256 $sha $((100 * 1024 * 1024))" ] || fail "bulk: PUT: the server got '$got'"
echo "bulk: PUT 100 MB, sha256 ok"
rm -f "$T/got.bin" "$T/www/big.bin"

echo "== iperf3"
iperf_pair "$WGA" "$WGB" 10.99.0.1 5201 "pktkit -> wireguard-go" || fail "iperf3 pktkit -> wireguard-go failed"
iperf_pair "$WGA" "$WGB" 10.99.0.1 5202 "wireguard-go -> pktkit" -R || fail "iperf3 wireguard-go -> pktkit failed"

echo "== counters"
sleep 0.7
ctl stats wg0 >"$T/stats.txt"
awk '$3 != 0' "$T/stats.txt"
for c in dropped-data-auth dropped-replay dropped-source-not-allowed dropped-handshake-auth dropped-mac1; do
	v=$(awk -v c="$c" '$2 == c { print $3 }' "$T/stats.txt")
	[ "$v" = 0 ] || fail "counters: $c is ${v:-missing}"
done
stop_host
echo "PASS"
