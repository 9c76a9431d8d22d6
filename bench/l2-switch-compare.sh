#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# l2-switch-compare.sh - iperf3 between two namespaces through TAP-l2.hub-TAP (with and without offload) vs vde_switch vs a kernel bridge
#
#   usage: bench/l2-switch-compare.sh [BUILD_DIR]      (root; default BUILD_DIR: build)
#   env:   RUNS (default 5), IPERF_TIME seconds per run (default 3), CI
#
# Each configuration gets fresh namespaces A (10.55.0.1/24) and B (10.55.0.2/24),
# MTU 1500, one iperf3 TCP stream A -> B. Configurations:
#   pktkit          TAP - l2.hub (pktkit-host) - TAP, one read()/write() per frame
#   pktkit-offload  the same with io.tap "offload": vnet headers, TSO/checksum
#                   offload on the TAPs, GSO super-frames through the hub
#   vde             TAP - vde_switch - TAP (vde_plug2tap)
#   bridge          veth - Linux bridge - veth (the limit)
# Runs are interleaved (pktkit, pktkit-offload, vde, bridge, pktkit, ...) so that
# machine noise hits all alike. Every run is printed with /proc/loadavg and, for
# pktkit, the CPU share pktkit-host used during the run (one thread: 100% means
# it was the bottleneck); the table shows every run and the median. A failed
# run of any configuration (peer or pktkit) fails the script: it is never
# counted as 0.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/interop/lib.sh"
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
RUNS=${RUNS:-5}
export IPERF_TIME=${IPERF_TIME:-3}
export PKTKIT_HOST=${PKTKIT_HOST:-$BUILD/core/host/pktkit-host}
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$BUILD/modules/hub:$BUILD/modules/tuntap}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}

interop_init bench
require iperf3 python3 ss vde_switch vde_plug2tap

declare -A RES
A=""; B=""; S=""

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

host_ticks() {	# utime + stime of pktkit-host, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$HOST_PID/stat"
}

run_pktkit_common() {	# RUN OFFLOAD LABEL
	local c0 c1
	cat >"$T/topo.json" <<JSON
{ "devices": {
    "lan": { "type": "l2.hub" },
    "ta": { "type": "io.tap", "ifname": "tapA", "netns": "$A", "offload": $2, "addresses": [ { "prefix": "10.55.0.1/24" } ] },
    "tb": { "type": "io.tap", "ifname": "tapB", "netns": "$B", "offload": $2, "addresses": [ { "prefix": "10.55.0.2/24" } ] } },
  "links": [ ["ta", "lan"], ["tb", "lan"] ] }
JSON
	run_host "$T/topo.json"
	ready
	c0=$(host_ticks)
	iperf_pair "$B" "$A" 10.55.0.2 5201 "$3 run $1" >&2 || fail "$3 run $1: iperf3 failed"
	c1=$(host_ticks)
	HOST_CPU=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v t="$IPERF_TIME" 'BEGIN { printf "%d%%", d / hz / t * 100 }')
	stop_host
}

run_pktkit() { run_pktkit_common "$1" false "pktkit l2.hub"; }
run_pktkit_offload() { run_pktkit_common "$1" true "pktkit l2.hub offload"; }

run_vde() {
	local d=$T/vde$1
	vde_switch -s "$d" -d -p "$d.pid" -M "$d.mgmt"
	for _ in $(seq 50); do [ -S "$d/ctl" ] && break; sleep 0.1; done
	ip netns exec "$A" vde_plug2tap -s "$d" -d -P "$d.a.pid" tapA
	ip netns exec "$B" vde_plug2tap -s "$d" -d -P "$d.b.pid" tapB
	for _ in $(seq 50); do ip -n "$A" link show tapA >/dev/null 2>&1 && ip -n "$B" link show tapB >/dev/null 2>&1 && break; sleep 0.1; done
	addr_up "$A" tapA 10.55.0.1; addr_up "$B" tapB 10.55.0.2
	ready
	iperf_pair "$B" "$A" 10.55.0.2 5201 "vde_switch run $1" >&2 || fail "vde_switch run $1: iperf3 failed"
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
	iperf_pair "$B" "$A" 10.55.0.2 5201 "kernel bridge run $1" >&2 || fail "kernel bridge run $1: iperf3 failed"
}

CONFIGS="pktkit pktkit_offload vde bridge"
declare -A CPU
for i in $(seq "$RUNS"); do
	for c in $CONFIGS; do
		fresh "$i$c"
		IPERF_MBPS=""; HOST_CPU=""
		load=$(cut -d' ' -f1-3 /proc/loadavg)
		"run_$c" "$i"
		[ -n "$IPERF_MBPS" ] || fail "$c run $i: no result"
		echo "run $i $c: $IPERF_MBPS Mbit/s${HOST_CPU:+, pktkit-host CPU $HOST_CPU}, loadavg $load" >&2
		RES[$c]="${RES[$c]:-} $IPERF_MBPS"
		[ -z "$HOST_CPU" ] || CPU[$c]="${CPU[$c]:-} $HOST_CPU"
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo
echo "iperf3 TCP, 1 stream, MTU 1500, ${IPERF_TIME} s per run, $RUNS runs each, interleaved ($(uname -r), $(nproc) cores, $(date -u '+%F %H:%M UTC'))"
echo "loadavg at the end: $(cat /proc/loadavg)"
echo
echo "| path | runs (Mbit/s) | median (Mbit/s) | pktkit-host CPU per run |"
echo "|---|---|---:|---|"
for c in $CONFIGS; do
	case $c in
	pktkit) label="TAP - pktkit l2.hub - TAP" ;;
	pktkit_offload) label="TAP - pktkit l2.hub - TAP, io.tap offload" ;;
	vde) label="TAP - vde_switch - TAP (vde_plug2tap)" ;;
	bridge) label="veth - Linux bridge - veth" ;;
	esac
	echo "| $label | $(echo "${RES[$c]}" | sed 's/^ //; s/ /, /g') | $(echo "${RES[$c]}" | median) | $(echo "${CPU[$c]:--}" | sed 's/^ //; s/ /, /g') |"
done
pk=$(echo "${RES[pktkit]}" | median); pko=$(echo "${RES[pktkit_offload]}" | median)
vde=$(echo "${RES[vde]}" | median); br=$(echo "${RES[bridge]}" | median)
echo
awk -v p="$pk" -v o="$pko" -v v="$vde" -v b="$br" 'BEGIN {
	printf "pktkit / vde_switch (medians): %.2fx (goal >= 2x, without offload)\n", p / v
	printf "pktkit offload / Linux bridge (medians): %.0f%% (goal >= 50%%)\n", o / b * 100 }'
