#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-tun-offload.sh - io.tun with 'offload' <-> l3.vclient with 'tso': 200 MB each way over IPv4 and IPv6, SHA-256 checked, super-packets seen in both directions
#
# Namespace A: pkoff (10.71.0.1/24, fd71::1/64), an io.tun opened with IFF_VNET_HDR and
# TSO/checksum offloads. The vclient behind it (10.71.0.2, fd71::2) runs in offload-peer
# (tests/vclient), which serves a sink on 5001 and a source on 5002. The kernel side is
# tcp-client.py. rx-gso-packets / tx-gso-packets of the io.tun prove that 64 KB
# super-packets crossed: kernel -> vclient and vclient -> kernel.
#
# How many: each direction carries 2 * BYTES (IPv4 then IPv6), 400 MB by default. A
# super-packet holds at most 64 KiB, so carrying it all takes >= 6,104 of them (about
# 7,300 in practice: not every one is full). Any other packet is at most the MTU
# (1500), so the bytes that crossed in super-packets are at least the port's bytes
# minus (its packets - super-packets) * MTU. The test asserts that at least 90% of
# the data crossed in super-packets each way, which also needs >= 5,494 of them.
. "$(dirname "$0")/lib.sh"
interop_init off
require python3 ethtool
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

echo "== kernel offloads on pkoff"
ip netns exec "$A" ethtool -k pkoff | grep -E '^(tcp-segmentation-offload|tx-checksumming):' | tee "$T/ethtool"
grep -q 'tcp-segmentation-offload: on' "$T/ethtool" || fail "TSO is not on for pkoff"
MTU=$(ip netns exec "$A" cat /sys/class/net/pkoff/mtu)

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
counter() { python3 -c 'import json,sys; l=[x for x in open(sys.argv[1]) if x.startswith("COUNTERS tun ")][-1]; c=json.loads(l.split(" ",2)[2]); print(c["ports"]["ip.0"][sys.argv[2][5:]] if sys.argv[2].startswith("port:") else c.get(sys.argv[2],0))' "$HOST_LOG" "$1"; }
rx=$(counter rx-gso-packets); tx=$(counter tx-gso-packets); bad=$(counter dropped-bad-vnet-hdr)
echo "rx-gso-packets $rx, tx-gso-packets $tx, dropped-bad-vnet-hdr $bad"
# Kernel -> vclient: super-packets read from the TUN leave on the port (its tx-*);
# vclient -> kernel: the port's rx-* are written to the TUN.
check_gso() {	# DIRECTION GSO PORT_PACKETS PORT_BYTES
	local total=$(( 2 * BYTES )) in_gso=$(( $4 - ($3 - $2) * MTU ))
	local min_pkts=$(( (total * 9 / 10 + 65535) / 65536 ))
	echo "$1: $2 super-packets of $3 packets, >= $in_gso of $4 bytes in super-packets" \
		"(need >= $(( total * 9 / 10 )) bytes, >= $min_pkts super-packets; $(( (total + 65535) / 65536 )) if all full)"
	[ "$2" -ge "$min_pkts" ] && [ "$in_gso" -ge $(( total * 9 / 10 )) ] ||
		fail "$1: less than 90% of the data crossed in super-packets: TSO did not happen"
}
check_gso "kernel -> vclient" "$rx" "$(counter port:tx-packets)" "$(counter port:tx-bytes)"
check_gso "vclient -> kernel" "$tx" "$(counter port:rx-packets)" "$(counter port:rx-bytes)"
[ "$bad" -eq 0 ] || fail "$bad malformed vnet headers"
echo "PASS"
