#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vclient-kernel.sh - TCP throughput kernel <-> l3.vclient over io.tun (clean, big MTU, impaired) vs kernel <-> kernel over veth, same run
#
#   usage: bench/vclient-kernel.sh [BUILD_DIR]      (root; default BUILD_DIR: build)
#   env:   RUNS (default 3), BYTES per clean transfer (default 200000000),
#          IMPAIRED_BYTES (default 2000000), IPERF_TIME (default 3), CI
#
# One TCP stream per run. The kernel sends with socat (zeros, 128 KiB writes)
# and receives with bench/tcp-time.py; the vclient side is vclient-peer
# --no-checksum. Every row except iperf3's is timed the same way, by the
# receiver, from the connection's establishment (accept) to EOF: vclient-peer
# when the vclient receives, tcp-time.py when the kernel does (veth rows too),
# so no row includes a process start-up. Each run checks the receiver got
# every byte and every program exited 0. Kernel and vclient both use CUBIC.
# Rows:
#   kernel -> vclient, vclient -> kernel over TUN, MTU 1500
#   the same with MTU 65521 on the TUN and the vclient (fewer, larger packets)
#   MTU 1500 with io.tun 'offload' and l3.vclient 'tso' (64 KB super-packets)
#   both directions through l3.impair: 1% loss, 1% reorder, 20 ms each way
#   kernel -> kernel over a veth pair between two namespaces, MTU 1500: socat
#   to tcp-time.py with the same byte count, and iperf3 (its own timing,
#   IPERF_TIME seconds; the limit)
# Each row shows the median of RUNS runs and every run; each run is logged
# with /proc/loadavg.
HERE=$(cd "$(dirname "$0")" && pwd)
TCP_TIME=$HERE/tcp-time.py
. "$HERE/../tests/interop/lib.sh"
. "$HERE/../tests/interop/vclient-lib.sh"
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
RUNS=${RUNS:-3}
BYTES=${BYTES:-200000000}
IMPAIRED_BYTES=${IMPAIRED_BYTES:-2000000}
export IPERF_TIME=${IPERF_TIME:-3}
export PKTKIT_HOST=${PKTKIT_HOST:-$BUILD/core/host/pktkit-host}
export VCLIENT_PEER=${VCLIENT_PEER:-$BUILD/tests/vclient/vclient-peer}
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$BUILD/modules/tuntap:$BUILD/modules/impair:$BUILD/modules/vclient}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}

interop_init vcb
vc_setup
require iperf3
ns_new VA va
ns_new VB vb
ip link add "vba$$" netns "$VA" type veth peer name "vbb$$" netns "$VB"
ip -n "$VA" addr add 10.97.0.1/24 dev "vba$$"; ip -n "$VA" link set "vba$$" up
ip -n "$VB" addr add 10.97.0.2/24 dev "vbb$$"; ip -n "$VB" link set "vbb$$" up

vc_topology "$T/clean.json"
vc_topology "$T/impaired.json" '"loss": "1%", "reorder": "1%", "delay": "20ms", "seed": 0'
vc_topology "$T/big.json" "" '"mtu": 65521'
sed -i 's/"ifname": "pkvc",/"ifname": "pkvc", "mtu": 65521,/' "$T/big.json"
vc_topology "$T/tso.json" "" '"tso": true'
sed -i 's/"ifname": "pkvc",/"ifname": "pkvc", "offload": true,/' "$T/tso.json"

declare -A RES
add() { RES[$1]="${RES[$1]:-} $2"; }

# Each run sets MBPS. (Not called in $(...): background jobs of a command
# substitution would outlive a failure there and escape the cleanup trap.)
MBPS=

to_vclient() {	# TOPO BYTES
	local log=$T/peer.log got
	vc_peer_start "$log" "$1" --listen 10.98.0.2:5000 --sink --max-conns 1 --no-checksum
	ip netns exec "$VC_NS" socat -b 131072 -u "OPEN:/dev/zero,readbytes=$2" TCP4:10.98.0.2:5000$VC_CC ||
		fail "socat client"
	vc_peer_wait "$log"
	got=$(vc_field "$log" conn received)
	[ "$got" = "$2" ] || fail "vclient received $got of $2 bytes"
	MBPS=$(vc_field "$log" conn mbps | cut -d. -f1)
}

kernel_sink_start() {	# NS ADDR PORT: tcp-time.py sink in the background (SINK_PID, $T/sink.out)
	ip netns exec "$1" python3 "$TCP_TIME" sink "$2" "$3" cubic >"$T/sink.out" 2>&1 &
	SINK_PID=$!
	for _ in $(seq 100); do
		grep -q LISTENING "$T/sink.out" && return 0
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$T/sink.out" >&2
	fail "tcp-time.py sink did not start"
}

kernel_sink_result() {	# BYTES: wait for the sink, check it, set MBPS
	local got
	wait "$SINK_PID" || { cat "$T/sink.out" >&2; fail "tcp-time.py sink failed"; }
	got=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$T/sink.out")
	[ "$got" = "$1" ] || fail "kernel received ${got:-nothing} of $1 bytes"
	MBPS=$(sed -n 's/.*mbps=\([0-9]*\).*/\1/p' "$T/sink.out")
}

from_vclient() {	# TOPO BYTES
	local log=$T/peer.log
	kernel_sink_start "$VC_NS" 0.0.0.0 5001	# the TUN appears with the peer
	vc_peer_start "$log" "$1" --delay 300 --connect 10.98.0.1:5001 --send "$2" --no-checksum
	vc_peer_wait "$log"
	kernel_sink_result "$2"
}

veth_socat() {	# BYTES: socat -> tcp-time.py over the veth pair, timed like the rows above
	kernel_sink_start "$VB" 10.97.0.2 5002
	ip netns exec "$VA" socat -b 131072 -u "OPEN:/dev/zero,readbytes=$1" TCP4:10.97.0.2:5002$VC_CC ||
		fail "veth socat"
	kernel_sink_result "$1"
}

for r in $(seq "$RUNS"); do
	echo "== run $r, loadavg $(cat /proc/loadavg)" >&2
	to_vclient "$T/clean.json" "$BYTES"; add "kernel -> vclient, TUN MTU 1500" "$MBPS"
	from_vclient "$T/clean.json" "$BYTES"; add "vclient -> kernel, TUN MTU 1500" "$MBPS"
	to_vclient "$T/big.json" "$BYTES"; add "kernel -> vclient, TUN MTU 65521" "$MBPS"
	from_vclient "$T/big.json" "$BYTES"; add "vclient -> kernel, TUN MTU 65521" "$MBPS"
	to_vclient "$T/tso.json" "$BYTES"; add "kernel -> vclient, TUN MTU 1500, offload + tso" "$MBPS"
	from_vclient "$T/tso.json" "$BYTES"; add "vclient -> kernel, TUN MTU 1500, offload + tso" "$MBPS"
	to_vclient "$T/impaired.json" "$IMPAIRED_BYTES"; add "kernel -> vclient, impaired" "$MBPS"
	from_vclient "$T/impaired.json" "$IMPAIRED_BYTES"; add "vclient -> kernel, impaired" "$MBPS"
	veth_socat "$BYTES"; add "kernel -> kernel, veth MTU 1500, socat" "$MBPS"
	iperf_pair "$VB" "$VA" 10.97.0.2 5201 "veth iperf3 run $r" -C cubic >&2 || fail "veth iperf3 run $r"
	[ -n "$IPERF_MBPS" ] || fail "veth iperf3 run $r: no result"
	add "kernel -> kernel, veth MTU 1500, iperf3" "$IPERF_MBPS"
done

echo
echo "$RUNS runs, $BYTES bytes per clean run, $IMPAIRED_BYTES impaired ($(uname -r), $(nproc) cores, $(date -u '+%F %H:%M UTC'))"
echo "loadavg at the end: $(cat /proc/loadavg)"
echo
echo "| path | median Mbit/s | runs |"
echo "|---|---:|---|"
for k in "kernel -> vclient, TUN MTU 1500" "vclient -> kernel, TUN MTU 1500" \
	"kernel -> vclient, TUN MTU 65521" "vclient -> kernel, TUN MTU 65521" \
	"kernel -> vclient, TUN MTU 1500, offload + tso" "vclient -> kernel, TUN MTU 1500, offload + tso" \
	"kernel -> vclient, impaired" "vclient -> kernel, impaired" \
	"kernel -> kernel, veth MTU 1500, socat" "kernel -> kernel, veth MTU 1500, iperf3"; do
	# shellcheck disable=SC2086
	med=$(printf '%s\n' ${RES[$k]} | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	echo "| $k | $med |$(printf ' %s,' ${RES[$k]} | sed 's/,$//') |"
done
