#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tun-offload.sh - Kernel <-> l3.vclient TCP over io.tun with and without offload, kernel <-> kernel through two io.tun and over a veth pair, in one run
#
#   usage: bench/tun-offload.sh [BUILD_DIR]      (root; default BUILD_DIR: build)
#   env:   RUNS (default 3), BYTES per vclient transfer (default 1000000000),
#          IPERF_TIME seconds per iperf3 run (default 5), CI
#
# vclient rows: one TCP connection per direction, BYTES one way, between
# bench/tcp-time.py in namespace K (zeros; it times connect -> EOF) and
# tests/vclient/offload-peer (sink 5001, source 5002, NOHASH=1: measure TCP,
# not SHA-256) behind an io.tun. Every kernel socket runs CUBIC, as the
# vclient does (this machine's default may be another, e.g. bbr). "up" is kernel -> vclient, "down" the other
# way. Each transfer checks the byte counts on both ends and offload-peer's
# exit status.
# iperf3 runs with -C cubic everywhere.
# TUN pair rows: kernel <-> kernel between namespaces TA and TB through two
# io.tun devices linked back to back in pktkit-host (IPv4 and IPv6, iperf3,
# kernel -> kernel one way), with and without "offload".
# veth rows: kernel <-> kernel over a veth pair, iperf3, both directions: the
# limit the vclient rows are compared with.
# Every run is printed with /proc/loadavg; the tables show every run and the
# median. A failed run fails the script.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/interop/lib.sh"
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
RUNS=${RUNS:-3}
BYTES=${BYTES:-1000000000}
export IPERF_TIME=${IPERF_TIME:-5}
export PKTKIT_HOST=${PKTKIT_HOST:-$BUILD/core/host/pktkit-host}
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$BUILD/modules/tuntap:$BUILD/modules/vclient}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}
PEER=$BUILD/tests/vclient/offload-peer
CLIENT=$HERE/tcp-time.py

interop_init tunoff
require iperf3 python3 ss ping
[ -x "$PEER" ] || fail "$PEER not built"
ns_new K k
ns_new V v
ns_new TA ta
ns_new TB tb
ip link add "pkva$$" netns "$K" type veth peer name "pkvb$$" netns "$V"
ip -n "$K" addr add 10.73.0.1/24 dev "pkva$$"; ip -n "$K" link set "pkva$$" up
ip -n "$V" addr add 10.73.0.2/24 dev "pkvb$$"; ip -n "$V" link set "pkvb$$" up

declare -A RES
add() { RES[$1]="${RES[$1]:-} $2"; }
PID=

run_vclient() {	# LABEL OFFLOAD TSO
	local log=$T/peer.log up down rc=0 n
	cat >"$T/topo.json" <<JSON
{ "devices": {
    "tun": { "type": "io.tun", "ifname": "pkbench", "netns": "$K", "offload": $2,
             "addresses": [ { "prefix": "10.72.0.1/24" } ] },
    "vc": { "type": "l3.vclient", "tso": $3, "tcp-sndbuf": 4194304, "tcp-rcvbuf": 4194304,
            "addresses": [ { "prefix": "10.72.0.2/24" } ] } },
  "links": [ ["tun.ip", "vc.ip"] ] }
JSON
	NOHASH=1 "$PEER" "$T/topo.json" vc 5001 5002 "$BYTES" >"$log" 2>&1 &
	PID=$!
	wait_for "$log" '^READY' 10 || { cat "$log" >&2; fail "$1: offload-peer did not start"; }
	up=$(ip netns exec "$K" python3 "$CLIENT" send 10.72.0.2 5001 "$BYTES" cubic) ||
		fail "$1: kernel -> vclient transfer failed"
	down=$(ip netns exec "$K" python3 "$CLIENT" recv 10.72.0.2 5002 cubic) ||
		fail "$1: vclient -> kernel transfer failed"
	kill -TERM "$PID"
	wait "$PID" || rc=$?
	PID=
	[ $rc -eq 0 ] || { cat "$log" >&2; fail "$1: offload-peer exited with status $rc"; }
	n=$(awk '$1 == "SINK" { print $2 }' "$log" | tail -n 1)
	[ "$n" = "$BYTES" ] || fail "$1: the vclient received ${n:-nothing} of $BYTES bytes"
	n=$(awk '$1 == "SOURCE" { print $2 }' "$log" | tail -n 1)
	[ "$n" = "$BYTES" ] || fail "$1: the vclient sent ${n:-nothing} of $BYTES bytes"
	n=$(echo "$down" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
	[ "$n" = "$BYTES" ] || fail "$1: the kernel received ${n:-nothing} of $BYTES bytes"
	add "$1 down" "$(echo "$down" | sed -n 's/.*mbps=\([0-9]*\).*/\1/p')"
	n=$(echo "$up" | sed -n 's/.*bytes=\([0-9]*\).*/\1/p')
	[ "$n" = "$BYTES" ] || fail "$1: the kernel sent ${n:-nothing} of $BYTES bytes"
	add "$1 up" "$(echo "$up" | sed -n 's/.*mbps=\([0-9]*\).*/\1/p')"
}

run_tun_pair() {	# LABEL OFFLOAD RUN
	cat >"$T/pair.json" <<JSON
{ "devices": {
    "ta": { "type": "io.tun", "ifname": "pkpta", "netns": "$TA", "offload": $2,
            "addresses": [ { "prefix": "10.74.0.1/24" }, { "prefix": "fd74::1/64" } ] },
    "tb": { "type": "io.tun", "ifname": "pkptb", "netns": "$TB", "offload": $2,
            "addresses": [ { "prefix": "10.74.0.2/24" }, { "prefix": "fd74::2/64" } ] } },
  "links": [ ["ta.ip", "tb.ip"] ] }
JSON
	run_host "$T/pair.json"
	for _ in $(seq 50); do
		ip netns exec "$TA" ping -c1 -W1 10.74.0.2 >/dev/null 2>&1 &&
			ip netns exec "$TA" ping -6 -c1 -W1 fd74::2 >/dev/null 2>&1 && break
		sleep 0.1
	done
	IPERF_MBPS=
	iperf_pair "$TB" "$TA" 10.74.0.2 5201 "$1 IPv4 run $3" -C cubic >&2 || fail "$1 IPv4: iperf3 failed"
	add "$1 v4" "$IPERF_MBPS"
	IPERF_MBPS=
	iperf_pair "$TB" "$TA" fd74::2 5202 "$1 IPv6 run $3" -C cubic >&2 || fail "$1 IPv6: iperf3 failed"
	add "$1 v6" "$IPERF_MBPS"
	stop_host
}

run_veth() {	# RUN
	IPERF_MBPS=
	iperf_pair "$V" "$K" 10.73.0.2 5201 "veth up run $1" -C cubic >&2 || fail "veth up: iperf3 failed"
	add "veth up" "$IPERF_MBPS"
	IPERF_MBPS=
	iperf_pair "$V" "$K" 10.73.0.2 5201 "veth down run $1" -R -C cubic >&2 || fail "veth down: iperf3 failed"
	add "veth down" "$IPERF_MBPS"
}

VC_ROWS=("kernel <-> vclient over TUN, no offload|false|false"
	"kernel <-> vclient over TUN, offload + tso|true|true"
	"kernel <-> vclient over TUN, offload, no tso|true|false")
for r in $(seq "$RUNS"); do
	echo "== run $r, loadavg $(cat /proc/loadavg)" >&2
	for row in "${VC_ROWS[@]}"; do
		IFS='|' read -r label off tso <<<"$row"
		run_vclient "$label" "$off" "$tso"
		echo "run $r $label: up $(echo "${RES[$label up]}" | awk '{ print $NF }'), down $(echo "${RES[$label down]}" | awk '{ print $NF }') Mbit/s, loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >&2
	done
	run_tun_pair "two io.tun back to back, no offload" false "$r"
	run_tun_pair "two io.tun back to back, offload" true "$r"
	run_veth "$r"
done

med() {	# the median of the words of $1
	# shellcheck disable=SC2086
	printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
runs() { echo "$1" | sed 's/^ //; s/ /, /g'; }

echo
echo "$RUNS runs; vclient rows $BYTES bytes each way, iperf3 rows ${IPERF_TIME} s ($(uname -r), $(nproc) cores, $(date -u '+%F %H:%M UTC'))"
echo "loadavg at the end: $(cat /proc/loadavg)"
echo
echo "Mbit/s, one TCP connection; up = kernel -> vclient (or the iperf3 server), down = the other way"
echo
echo "| path | up median | up runs | down median | down runs |"
echo "|---|---:|---|---:|---|"
for row in "${VC_ROWS[@]}" "veth|"; do
	label=${row%%|*}
	name=$label; [ "$label" = veth ] && name="kernel <-> kernel, veth pair (iperf3)"
	echo "| $name | $(med "${RES[$label up]}") | $(runs "${RES[$label up]}") | $(med "${RES[$label down]}") | $(runs "${RES[$label down]}") |"
done
echo
echo "| kernel -> kernel through pktkit (iperf3) | IPv4 median | IPv4 runs | IPv6 median | IPv6 runs |"
echo "|---|---:|---|---:|---|"
for label in "two io.tun back to back, no offload" "two io.tun back to back, offload"; do
	echo "| $label | $(med "${RES[$label v4]}") | $(runs "${RES[$label v4]}") | $(med "${RES[$label v6]}") | $(runs "${RES[$label v6]}") |"
done
