#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-tun-offload.sh - io.tun with 'offload' <-> l3.vclient with 'tso': 200 MB each way over IPv4 and IPv6, SHA-256 checked, super-packets seen in both directions
#
# Namespace A: pkoff (10.71.0.1/24, fd71::1/64), an io.tun opened with IFF_VNET_HDR and
# TSO/checksum offloads. The vclient behind it (10.71.0.2, fd71::2) runs in offload-peer
# (tests/vclient), which serves a sink on 5001 and a source on 5002. The kernel side is
# tcp-client.py. rx-gso-packets / tx-gso-packets of the io.tun prove that 64 KB
# super-packets crossed: kernel -> vclient and vclient -> kernel.
. "$(dirname "$0")/lib.sh"
interop_init off
require python3
[ -n "${OFFLOAD_PEER:-}" ] && [ -x "$OFFLOAD_PEER" ] || fail "OFFLOAD_PEER is not set (run through meson test)"
CLIENT=$(dirname "$0")/tcp-client.py
BYTES=${BYTES:-200000000}

ns_new A a

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tun": { "type": "io.tun", "ifname": "pkoff", "netns": "$A", "offload": true,
             "addresses": [ { "prefix": "10.71.0.1/24" }, { "prefix": "fd71::1/64" } ] },
    "vc": { "type": "l3.vclient", "tso": true,
            "addresses": [ { "prefix": "10.71.0.2/24" }, { "prefix": "fd71::2/64" } ] }
  },
  "links": [ ["tun.ip", "vc.ip"] ]
}
JSON

HOST_LOG=$T/peer.log
"$OFFLOAD_PEER" "$T/topo.json" vc 5001 5002 "$BYTES" >"$HOST_LOG" 2>&1 &
HOST_PID=$!
wait_for "$HOST_LOG" '^READY' 10 || fail "offload-peer did not start"

if command -v ethtool >/dev/null; then
	echo "== kernel offloads on pkoff"
	ip netns exec "$A" ethtool -k pkoff | grep -E '^(tcp-segmentation-offload|tx-checksumming):' | tee "$T/ethtool"
	grep -q 'tcp-segmentation-offload: on' "$T/ethtool" || fail "TSO is not on for pkoff"
fi

# The Nth "WHAT bytes sha" line of the peer (appended to, never rewritten).
nth() { awk -v w="$1" -v n="$2" '$1 == w && ++k == n { print $2 " " $3 }' "$HOST_LOG"; }
wait_nth() {
	for _ in $(seq 100); do [ -n "$(nth "$1" "$2")" ] && return 0; sleep 0.1; done
	fail "the vclient did not report $1 number $2"
}
i=0

for addr in 10.71.0.2 fd71::2; do
	i=$((i + 1))
	echo "== kernel -> vclient $addr: $BYTES bytes"
	out=$(ip netns exec "$A" timeout 120 python3 "$CLIENT" send "$addr" 5001 "$BYTES") || fail "send to $addr failed"
	echo "$out"
	wait_nth SINK $i
	set -- $out
	[ "$(nth SINK $i)" = "$BYTES $3" ] || fail "kernel -> vclient ($addr): sent $BYTES bytes with SHA-256 $3, got $(nth SINK $i)"

	echo "== vclient -> kernel $addr: $BYTES bytes"
	out=$(ip netns exec "$A" timeout 120 python3 "$CLIENT" recv "$addr" 5002) || fail "receive from $addr failed"
	echo "$out"
	wait_nth SOURCE $i
	set -- $out
	[ "$(nth SOURCE $i)" = "$BYTES $3" ] || fail "vclient -> kernel ($addr): got $2 bytes with SHA-256 $3, sent $(nth SOURCE $i)"
done

kill -TERM "$HOST_PID"
wait "$HOST_PID" || fail "offload-peer exited with an error"
HOST_PID=
grep -E '^(STATS|COUNTERS)' "$HOST_LOG"
counter() { python3 -c 'import json,sys; l=[x for x in open(sys.argv[1]) if x.startswith("COUNTERS tun ")][-1]; print(json.loads(l.split(" ",2)[2]).get(sys.argv[2],0))' "$HOST_LOG" "$1"; }
rx=$(counter rx-gso-packets); tx=$(counter tx-gso-packets); bad=$(counter dropped-bad-vnet-hdr)
echo "rx-gso-packets $rx, tx-gso-packets $tx, dropped-bad-vnet-hdr $bad"
[ "$rx" -gt 100 ] || fail "too few super-packets from the kernel ($rx): TSO towards the TUN did not happen"
[ "$tx" -gt 100 ] || fail "too few super-packets to the kernel ($tx): the vclient's TSO did not reach the TUN"
[ "$bad" -eq 0 ] || fail "$bad malformed vnet headers"
echo "PASS"
