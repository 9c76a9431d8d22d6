#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# l2-switch-compare.sh - iperf3 between two namespaces through TAP-l2.hub-TAP vs vde_switch vs a kernel bridge, medians in a table
#
#   usage: bench/l2-switch-compare.sh [BUILD_DIR]      (root; default BUILD_DIR: build)
#   env:   RUNS (default 3), IPERF_TIME seconds per run (default 3), CI
#
# Each configuration gets fresh namespaces A (10.55.0.1/24) and B (10.55.0.2/24),
# MTU 1500, one iperf3 TCP stream A -> B. Runs are interleaved (pktkit, vde,
# bridge, pktkit, ...) so that machine noise hits all three alike; the table
# shows every run and the median.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/interop/lib.sh"
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
RUNS=${RUNS:-3}
export IPERF_TIME=${IPERF_TIME:-3}
export PKTKIT_HOST=${PKTKIT_HOST:-$BUILD/core/host/pktkit-host}
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$BUILD/modules/hub:$BUILD/modules/tuntap}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}

interop_init bench
require iperf3 python3 ss vde_switch vde_plug2tap

declare -A RES
A= B= S=

fresh() {
	local n
	for n in "${INTEROP_NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	INTEROP_NS=()
	ns_new A "a$1"; ns_new B "b$1"; ns_new S "s$1"
}

addr_up() {	# NS IF ADDR
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
}

ready() {
	for _ in $(seq 50); do ip netns exec "$A" ping -c1 -W1 10.55.0.2 >/dev/null 2>&1 && return 0; sleep 0.1; done
	fail "no connectivity A -> B"
}

run_pktkit() {
	cat >"$T/topo.json" <<JSON
{ "devices": {
    "lan": { "type": "l2.hub" },
    "ta": { "type": "io.tap", "ifname": "tapA", "netns": "$A", "addresses": [ { "prefix": "10.55.0.1/24" } ] },
    "tb": { "type": "io.tap", "ifname": "tapB", "netns": "$B", "addresses": [ { "prefix": "10.55.0.2/24" } ] } },
  "links": [ ["ta", "lan"], ["tb", "lan"] ] }
JSON
	run_host "$T/topo.json"
	ready
	iperf_pair "$B" "$A" 10.55.0.2 5201 "pktkit l2.hub run $1" >&2
	stop_host
}

run_vde() {
	local d=$T/vde$1
	vde_switch -s "$d" -d -p "$d.pid" -M "$d.mgmt"
	for _ in $(seq 50); do [ -S "$d/ctl" ] && break; sleep 0.1; done
	ip netns exec "$A" vde_plug2tap -s "$d" -d -P "$d.a.pid" tapA
	ip netns exec "$B" vde_plug2tap -s "$d" -d -P "$d.b.pid" tapB
	for _ in $(seq 50); do ip -n "$A" link show tapA >/dev/null 2>&1 && ip -n "$B" link show tapB >/dev/null 2>&1 && break; sleep 0.1; done
	addr_up "$A" tapA 10.55.0.1; addr_up "$B" tapB 10.55.0.2
	ready
	iperf_pair "$B" "$A" 10.55.0.2 5201 "vde_switch run $1" >&2 || true
	for f in "$d.a.pid" "$d.b.pid" "$d.pid"; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	sleep 0.3
}

run_bridge() {
	local x
	ip -n "$S" link add br0 type bridge; ip -n "$S" link set br0 up
	for x in A B; do
		local ns=$A; [ $x = B ] && ns=$B
		ip link add "v$x$$" type veth peer name "p$x$$"
		ip link set "v$x$$" netns "$ns"; ip link set "p$x$$" netns "$S"
		ip -n "$S" link set "p$x$$" master br0; ip -n "$S" link set "p$x$$" up
	done
	addr_up "$A" "vA$$" 10.55.0.1; addr_up "$B" "vB$$" 10.55.0.2
	ready
	iperf_pair "$B" "$A" 10.55.0.2 5201 "kernel bridge run $1" >&2 || true
}

for i in $(seq "$RUNS"); do
	for c in pktkit vde bridge; do
		fresh "$i$c"
		IPERF_MBPS=
		"run_$c" "$i"
		RES[$c]="${RES[$c]:-} ${IPERF_MBPS:-0}"
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo
echo "iperf3 TCP, 1 stream, MTU 1500, ${IPERF_TIME} s per run, $RUNS runs each ($(uname -r), $(nproc) cores)"
echo
echo "| path | runs (Mbit/s) | median (Mbit/s) |"
echo "|---|---|---|"
for c in pktkit vde bridge; do
	case $c in
	pktkit) label="TAP - pktkit l2.hub - TAP" ;;
	vde) label="TAP - vde_switch - TAP (vde_plug2tap)" ;;
	bridge) label="veth - kernel bridge - veth" ;;
	esac
	echo "| $label | $(echo "${RES[$c]}" | sed 's/^ //; s/ /, /g') | $(echo "${RES[$c]}" | median) |"
done
