#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tun-offload.sh - Kernel <-> l3.vclient TCP over io.tun with and without offload, and kernel <-> kernel over a veth pair, in one run
#
#   bash bench/tun-offload.sh [BUILD_DIR]      (root; default build dir: build)
#
# Each row: one TCP connection, BYTES (default 2 GB) one way, from the kernel side's
# tests/interop/tcp-client.py without hashing (NOHASH=1); the vclient side is
# tests/vclient/offload-peer (sink 5001, source 5002). The veth rows use iperf3
# (kernel on both ends) for the same direction and time scale. Prints a table.
set -euo pipefail
B=$(cd "${1:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
export PKTKIT_MODULE_PATH=$B/modules/tuntap:$B/modules/vclient
PEER=$B/tests/vclient/offload-peer
CLIENT=$SRC/tests/interop/tcp-client.py
BYTES=${BYTES:-2000000000}
NS=pkbenchoff$$
T=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del $NS 2>/dev/null; ip netns del ${NS}v 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ip netns add $NS

run_vclient() {	# label offload tso
	cat >"$T/topo.json" <<JSON
{ "devices": {
    "tun": { "type": "io.tun", "ifname": "pkbench", "netns": "$NS", "offload": $2,
             "addresses": [ { "prefix": "10.72.0.1/24" } ] },
    "vc": { "type": "l3.vclient", "tso": $3, "tcp-sndbuf": 4194304, "tcp-rcvbuf": 4194304,
            "addresses": [ { "prefix": "10.72.0.2/24" } ] } },
  "links": [ ["tun.ip", "vc.ip"] ] }
JSON
	NOHASH=1 "$PEER" "$T/topo.json" vc 5001 5002 "$BYTES" >"$T/peer.log" 2>&1 &
	PID=$!
	for _ in $(seq 100); do grep -q READY "$T/peer.log" && break; sleep 0.1; done
	local up down
	up=$(NOHASH=1 ip netns exec $NS python3 "$CLIENT" send 10.72.0.2 5001 "$BYTES" | awk '{print $4}')
	down=$(NOHASH=1 ip netns exec $NS python3 "$CLIENT" recv 10.72.0.2 5002 | awk '{print $4}')
	kill "$PID"; wait "$PID" || true; PID=
	printf '| %-44s | %8s | %8s |\n' "$1" "$up" "$down"
}

run_veth() {
	ip netns add ${NS}v
	ip link add pkva netns $NS type veth peer name pkvb netns ${NS}v
	ip -n $NS addr add 10.73.0.1/24 dev pkva; ip -n $NS link set pkva up
	ip -n ${NS}v addr add 10.73.0.2/24 dev pkvb; ip -n ${NS}v link set pkvb up; ip -n ${NS}v link set lo up
	ip netns exec ${NS}v iperf3 -s -D -p 5201 -B 10.73.0.2 >/dev/null 2>&1
	sleep 0.3
	local secs up down
	secs=${VETH_SECS:-5}
	up=$(ip netns exec $NS iperf3 -c 10.73.0.2 -p 5201 -t "$secs" -J | python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))')
	down=$(ip netns exec $NS iperf3 -c 10.73.0.2 -p 5201 -t "$secs" -R -J | python3 -c 'import json,sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6))')
	printf '| %-44s | %8s | %8s |\n' "kernel <-> kernel, veth pair (iperf3)" "$up" "$down"
	ip netns exec ${NS}v pkill -f "iperf3 -s -D -p 5201" 2>/dev/null || true
}

echo "Mbit/s, one TCP connection; 'up' = kernel -> peer, 'down' = peer -> kernel; $(nproc) CPUs, $(uname -r)"
printf '| %-44s | %8s | %8s |\n' "path" "up" "down"
printf '|%s|%s|%s|\n' "----------------------------------------------" "---------:" "---------:"
run_vclient "kernel <-> vclient over TUN, no offload" false false
run_vclient "kernel <-> vclient over TUN, offload + tso" true true
run_vclient "kernel <-> vclient over TUN, offload, no tso" true false
run_veth
