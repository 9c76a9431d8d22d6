#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-tap-offload.sh - Issue 10: io.tap 'offload' end to end: TAP-hub-TAP and TAP-adapter-vclient move 64 KB super-frames, SHA-256 checked
#
# Part 1, TAP-hub-TAP: namespaces A (pktoffa, 10.72.0.1/24, fd72::1/64) and B
# (pktoffb, 10.72.0.2, fd72::2), both io.tap with 'offload' (IFF_VNET_HDR, TSO),
# joined by an l2.hub. The kernel in A sends BYTES to a socat sink in B, over
# IPv4 and IPv6; the SHA-256 of what B got must be what A sent.
# Part 2, TAP-adapter-vclient: namespace C (pktoffc, 10.73.0.1/24, fd73::1/64),
# io.tap with 'offload' - l3.adapter - l3.vclient with 'tso' (10.73.0.2, fd73::2),
# run by offload-peer (tests/vclient): kernel -> vclient and vclient -> kernel.
#
# Super-frames are counted, and their number must be of the right order. The
# kernel cuts TCP into TSO super-packets of at most 64 KB (gso_max_size 65536),
# carrying up to 44 segments of 1448 bytes (1428 over IPv6) at MTU 1500. So
# BYTES = 100 MB moved in super-frames takes at least BYTES / 65536 = 1526 of them.
# Assertions, per direction and family:
#   - GSO super-frames >= BYTES / 65536 / 2: at least half the data in super-frames
#     (in practice nearly all of it; the sender also sends smaller ones when the
#     window or the application limits it);
#   - as many super-frames written to the receiving kernel as were read from the
#     sending one (90 %), and in part 1 the receiving TAP's average write is >= 8 KB:
#     super-frames crossed the hub / adapter whole (without offload on the path every
#     write is <= 1514 bytes, which is what issue 10 measured);
#   - no TAP segmented anything in software (tx-segmented 0).
# ethtool -k must show TSO and TX checksumming on for every offload TAP.
# Finally iperf3 TAP-hub-TAP with and without 'offload' (RESULT lines; information,
# never asserted).
HERE=$(dirname "$0")
. "$HERE/lib.sh"
interop_init toff
require python3 socat sha256sum ethtool iperf3 ss
[ -n "${OFFLOAD_PEER:-}" ] && [ -x "$OFFLOAD_PEER" ] || fail "OFFLOAD_PEER is not set (run through meson test)"
CTL=${PKTKITCTL:-$(dirname "$PKTKIT_HOST")/pktkitctl}
[ -x "$CTL" ] || fail "pktkitctl not found next to pktkit-host ($CTL)"
CLIENT=$HERE/tcp-client.py
BYTES=${BYTES:-100000000}
MIN_GSO=$(( BYTES / 65536 / 2 ))
MIN_AVG=8192

ns_new A a
ns_new B b
ns_new C c

# ethtool -k NS IFNAME: TSO and TX checksumming must be on.
check_ethtool() {
	ip netns exec "$1" ethtool -k "$2" | grep -E '^(tcp-segmentation-offload|tx-checksumming):' |
		tee "$T/ethtool-$2"
	grep -q '^tcp-segmentation-offload: on' "$T/ethtool-$2" || fail "$2: TSO is not on (ethtool -k)"
	grep -q '^tx-checksumming: on' "$T/ethtool-$2" || fail "$2: TX checksumming is not on (ethtool -k)"
}

# Part 1: TAP - hub - TAP -------------------------------------------------------

hub_topology() {	# FILE OFFLOAD
	cat >"$1" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "tapa": { "type": "io.tap", "ifname": "pktoffa", "netns": "$A", "offload": $2,
              "addresses": [ { "prefix": "10.72.0.1/24" }, { "prefix": "fd72::1/64" } ] },
    "tapb": { "type": "io.tap", "ifname": "pktoffb", "netns": "$B", "offload": $2,
              "addresses": [ { "prefix": "10.72.0.2/24" }, { "prefix": "fd72::2/64" } ] }
  },
  "links": [ ["tapa", "lan"], ["tapb", "lan"] ]
}
JSON
}
hub_topology "$T/hub.json" true
hub_topology "$T/hub-plain.json" false

# pktkit-host with a private D-Bus address, for pktkitctl stats.
cat >"$T/host.sh" <<SH
#!/bin/sh
exec "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
chmod +x "$T/host.sh"

# All counters of a device as "name value" lines.
stats() { "$CTL" --address "unix:path=$T/ctl.sock" stats "$1" | awk '{ print $2, $3 }'; }
stat_of() { stats "$1" | awk -v c="$2" '$1 == c { print $2 }'; }
# The D-Bus Counters property is refreshed at most every 500 ms.
settle() { sleep 0.7; }

wait_ll() {	# NS IFNAME: no tentative address left (DAD done)
	for _ in $(seq 50); do
		[ -z "$(ip -n "$1" -6 addr show dev "$2" tentative)" ] && return 0
		sleep 0.1
	done
	fail "$2 keeps tentative addresses"
}

# Send BYTES from A to a socat sink in B at ADDR; compare the SHA-256.
hub_transfer() {	# ADDR LABEL
	local addr=$1 label=$2 lst out sent got
	case $addr in *:*) lst="TCP6-LISTEN:5300,reuseaddr" ;; *) lst="TCP4-LISTEN:5300,reuseaddr" ;; esac
	ip netns exec "$B" timeout 120 socat -u "$lst" - | sha256sum | cut -d' ' -f1 >"$T/sink.sha" &
	local sp=$!
	for _ in $(seq 50); do
		ip netns exec "$B" ss -Hltn "sport = :5300" 2>/dev/null | grep -q . && break; sleep 0.1
	done
	out=$(ip netns exec "$A" timeout 120 python3 "$CLIENT" send "$addr" 5300 "$BYTES") ||
		fail "$label: the kernel client failed"
	wait "$sp" || fail "$label: the socat sink failed"
	set -- $out
	sent=$3
	got=$(cat "$T/sink.sha")
	echo "$label: $2 bytes, sha256 $sent, $4 Mbit/s"
	[ "$2" = "$BYTES" ] && [ "$sent" = "$got" ] ||
		fail "$label: A sent $2 bytes with SHA-256 $sent, B received SHA-256 $got"
}

# Check the super-frame counters of one direction: DEV_RX read them from its
# kernel, DEV_TX wrote them to its kernel; BEFORE_* are the values before.
check_gso() {	# LABEL DEV_RX RX_BEFORE DEV_TX TX_BEFORE
	local label=$1 rx tx
	settle
	rx=$(( $(stat_of "$2" rx-gso-packets) - $3 ))
	tx=$(( $(stat_of "$4" tx-gso-packets) - $5 ))
	echo "$label: $rx super-frames read from the sender's kernel, $tx written to the receiver's (at least $MIN_GSO expected)"
	[ "$rx" -ge "$MIN_GSO" ] || fail "$label: only $rx super-frames from the sending TAP (expected >= $MIN_GSO)"
	[ "$tx" -ge "$MIN_GSO" ] || fail "$label: only $tx super-frames to the receiving TAP (expected >= $MIN_GSO): segmented on the way"
	[ "$tx" -ge $(( rx * 9 / 10 )) ] || fail "$label: $rx super-frames went in, only $tx came out whole"
}

echo "== part 1: TAP - hub - TAP with offload"
PKTKIT_HOST=$T/host.sh run_host "$T/hub.json"
check_ethtool "$A" pktoffa
check_ethtool "$B" pktoffb
wait_ll "$A" pktoffa
wait_ll "$B" pktoffb
for addr in 10.72.0.2 fd72::2; do
	settle
	rx0=$(stat_of tapa rx-gso-packets); tx0=$(stat_of tapb tx-gso-packets)
	p0=$(stat_of tapb eth.0.rx-packets); b0=$(stat_of tapb eth.0.rx-bytes)
	hub_transfer "$addr" "A -> B $addr"
	check_gso "A -> B $addr" tapa "$rx0" tapb "$tx0"
	p=$(( $(stat_of tapb eth.0.rx-packets) - p0 )); b=$(( $(stat_of tapb eth.0.rx-bytes) - b0 ))
	echo "A -> B $addr: pktoffb got $p writes, $(( b / p )) bytes on average"
	[ $(( b / p )) -ge $MIN_AVG ] || fail "A -> B $addr: the receiving TAP got $(( b / p ))-byte writes on average (>= $MIN_AVG expected): super-frames were cut on the way"
done
[ "$(stat_of tapa tx-segmented)" = 0 ] && [ "$(stat_of tapb tx-segmented)" = 0 ] ||
	fail "a TAP segmented in software: $(stat_of tapa tx-segmented) / $(stat_of tapb tx-segmented)"
[ "$(stat_of tapa dropped-bad-vnet-hdr)" = 0 ] && [ "$(stat_of tapb dropped-bad-vnet-hdr)" = 0 ] ||
	fail "malformed vnet headers"
stats lan | grep -E '^(forwarded-unicast|flooded|dropped)' || true

echo "== iperf3 TAP - hub - TAP, offload on (information only)"
IPERF_TIME=${IPERF_TIME:-3} iperf_pair "$B" "$A" 10.72.0.2 5201 "tap-hub-tap offload" ||
	fail "iperf3 with offload failed"
stop_host

echo "== iperf3 TAP - hub - TAP, offload off (information only)"
PKTKIT_HOST=$T/host.sh run_host "$T/hub-plain.json"
for _ in $(seq 50); do ip netns exec "$A" ping -c 1 -W 1 10.72.0.2 >/dev/null 2>&1 && break; sleep 0.1; done
IPERF_TIME=${IPERF_TIME:-3} iperf_pair "$B" "$A" 10.72.0.2 5201 "tap-hub-tap no offload" ||
	fail "iperf3 without offload failed"
stop_host

# Part 2: TAP - adapter - vclient -----------------------------------------------

echo "== part 2: TAP - adapter - vclient with offload"
cat >"$T/vc.json" <<JSON
{
  "devices": {
    "tap": { "type": "io.tap", "ifname": "pktoffc", "netns": "$C", "offload": true,
             "addresses": [ { "prefix": "10.73.0.1/24" }, { "prefix": "fd73::1/64" } ] },
    "ad": { "type": "l3.adapter",
            "addresses": [ { "prefix": "10.73.0.2/24" }, { "prefix": "fd73::2/64" } ] },
    "vc": { "type": "l3.vclient", "tso": true,
            "addresses": [ { "prefix": "10.73.0.2/24" }, { "prefix": "fd73::2/64" } ] }
  },
  "links": [ ["tap", "ad.eth"], ["ad.ip", "vc.ip"] ]
}
JSON
PEER_LOG=$T/peer.log
"$OFFLOAD_PEER" "$T/vc.json" vc 5001 5002 "$BYTES" >"$PEER_LOG" 2>&1 &
PEER_PID=$!
wait_for "$PEER_LOG" '^READY' 10 || fail "offload-peer did not start"
for _ in $(seq 100); do ip -n "$C" link show pktoffc >/dev/null 2>&1 && break; sleep 0.05; done
check_ethtool "$C" pktoffc
wait_ll "$C" pktoffc

# The Nth "WHAT bytes sha" line of the peer (appended to, never rewritten).
nth() { awk -v w="$1" -v n="$2" '$1 == w && ++k == n { print $2 " " $3 }' "$PEER_LOG"; }
wait_nth() {
	for _ in $(seq 100); do [ -n "$(nth "$1" "$2")" ] && return 0; sleep 0.1; done
	fail "the vclient did not report $1 number $2"
}
i=0
for addr in 10.73.0.2 fd73::2; do
	i=$((i + 1))
	out=$(ip netns exec "$C" timeout 120 python3 "$CLIENT" send "$addr" 5001 "$BYTES") ||
		fail "kernel -> vclient $addr failed"
	wait_nth SINK $i
	set -- $out
	echo "kernel -> vclient $addr: $2 bytes, sha256 $3, $4 Mbit/s"
	[ "$(nth SINK $i)" = "$BYTES $3" ] ||
		fail "kernel -> vclient $addr: sent $BYTES bytes with SHA-256 $3, got $(nth SINK $i)"
	out=$(ip netns exec "$C" timeout 120 python3 "$CLIENT" recv "$addr" 5002) ||
		fail "vclient -> kernel $addr failed"
	wait_nth SOURCE $i
	set -- $out
	echo "vclient -> kernel $addr: $2 bytes, sha256 $3, $4 Mbit/s"
	[ "$(nth SOURCE $i)" = "$BYTES $3" ] ||
		fail "vclient -> kernel $addr: got $2 bytes with SHA-256 $3, sent $(nth SOURCE $i)"
done
kill -TERM "$PEER_PID"
wait "$PEER_PID" || fail "offload-peer exited with an error"
grep -E '^(STATS|COUNTERS)' "$PEER_LOG"
counter() {	# DEVICE NAME: the device's counter as offload-peer printed it at exit
	python3 -c 'import json,sys; l=[x for x in open(sys.argv[1]) if x.startswith("COUNTERS %s " % sys.argv[2])][-1]; print(json.loads(l.split(" ",2)[2])[sys.argv[3]])' "$PEER_LOG" "$1" "$2"
}
rx=$(counter tap rx-gso-packets); tx=$(counter tap tx-gso-packets)
seg=$(counter tap tx-segmented); bad=$(counter tap dropped-bad-vnet-hdr)
echo "TAP - adapter - vclient: rx-gso-packets $rx, tx-gso-packets $tx (each >= $(( 2 * MIN_GSO )) expected: two transfers), tx-segmented $seg"
[ "$rx" -ge $(( 2 * MIN_GSO )) ] || fail "only $rx super-frames kernel -> vclient (expected >= $(( 2 * MIN_GSO )))"
[ "$tx" -ge $(( 2 * MIN_GSO )) ] || fail "only $tx super-frames vclient -> kernel (expected >= $(( 2 * MIN_GSO ))): segmented on the way"
[ "$seg" -eq 0 ] || fail "the TAP segmented $seg super-frames in software"
[ "$bad" -eq 0 ] || fail "$bad malformed vnet headers"
echo "PASS"
