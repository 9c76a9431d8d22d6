#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wg-compare.sh - WireGuard end to end: pktkit l3.wg vs wireguard-go over TUN in namespaces, iperf3 both ways, CPU per GB, RSS
#
#   usage: bench/wg-compare.sh [--quick] [BUILD_DIR]   (root; default BUILD_DIR: build)
#   env:   RUNS (default 3), IPERF_TIME seconds per run (default 10), CI
#          PAIRS="wggo pkgo pkpk pkpk-offload pkpk-noudp" (default all: the pairs
#          measured),
#          PERF=DIR: perf record -g each WireGuard process during each run
#          (IPERF_TIME - 2 s from the start) into DIR/<run>-<side>-<go|pk>.data,
#          --quick: one run of 3 s (RUNS=1 IPERF_TIME=3), a smoke test
#
# Topology (nothing leaves the namespaces this script creates): namespaces A
# and B joined by a veth (outer 10.88.0.1/24 - 10.88.0.2/24). In each, one
# WireGuard endpoint with a TUN of MTU 1420 (inner 10.99.0.1/24 in A,
# 10.99.0.2/24 in B; UDP port 51820 in A, 51821 in B), whose one peer is the
# other side (allowed-ips its /32, endpoint its outer address):
#   wireguard-go  wireguard-go (foreground) on TUN wgbA<pid> / wgbB<pid>,
#                 configured with wg(8), link MTU 1420
#   pktkit        pktkit-host in the namespace: io.tun (netns, addresses, mtu
#                 1420) linked to l3.wg "wg0".ip (private-key-file,
#                 listen-port, peers with endpoint and allowed-ips)
# Pairs (A - B):
#   wggo          wireguard-go - wireguard-go: the reference
#   pkgo          wireguard-go - pktkit: B -> A is pktkit sending to
#                 wireguard-go, A -> B (-R) wireguard-go sending to pktkit
#   pkpk          pktkit - pktkit (l3.wg with its UDP GSO/GRO, as by default)
#   pkpk-offload  pktkit - pktkit with io.tun "offload" (64 KB super-packets
#                 between the kernel and io.tun; l3.wg cuts them into
#                 datagrams that leave in UDP GSO sends). wireguard-go
#                 0.0.20220316 has no TUN or UDP offload, so there is no peer
#                 row for this one.
#   pkpk-noudp    as pkpk-offload, but l3.wg with "udp-offload": false: what
#                 UDP GSO/GRO add.
# Each pair runs iperf3 TCP, one stream, IPERF_TIME s, client in B and server
# on A's 10.99.0.1, B -> A and A -> B (-R). Runs are interleaved (every pair
# once, then again) so machine noise hits all alike; the WireGuard processes
# are started fresh for each pair and run. Each run is printed with
# /proc/loadavg before and after it, the receiver's bytes and the sender's
# retransmits, and for each side's WireGuard process (wireguard-go or
# pktkit-host) its CPU share (utime + stime from /proc/PID/stat, 100% = one
# core), CPU seconds per GB received, and VmRSS at the end of the run; and
# where packets were lost: each namespace's UDP RcvbufErrors (/proc/net/snmp:
# a WireGuard socket's receive buffer overflowed) and each TUN's TX dropped
# (the kernel's queue towards the WireGuard process overflowed); the l3.wg's
# drop and error counters (pktkitctl stats, cumulative); and the share of
# wall time each WireGuard process (all threads) spent on a CPU and runnable
# but waiting for one (/proc/PID/task/*/schedstat): on a busy machine the
# second says how much CPU it was refused.
# Checks: iperf3 exits 0 and its receiver got bytes; the receiving side's
# tunnel really carried them: its peer's rx bytes (wg show transfer, or the
# l3.wg peer-table rx-bytes) grew by 1.0-1.3 times the iperf3 bytes
# (WireGuard and TCP/IP headers on top). A failed run of any pair (pktkit or
# wireguard-go) fails the script: nothing is ever counted as 0.
HERE=$(cd "$(dirname "$0")" && pwd)
QUICK=0
if [ "${1:-}" = --quick ]; then QUICK=1; shift; fi
. "$HERE/../tests/interop/lib.sh"
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
if [ $QUICK = 1 ]; then RUNS=1; IPERF_TIME=3; fi
RUNS=${RUNS:-3}
IPERF_TIME=${IPERF_TIME:-10}
M=$BUILD/modules
export PKTKIT_HOST=${PKTKIT_HOST:-$BUILD/core/host/pktkit-host}
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$M/tuntap:$M/wg}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}
IPORT=5201

interop_init wgb
require wireguard-go wg iperf3 python3 ss ping
[ -x "$PKTKIT_HOST" ] || fail "no pktkit-host at $PKTKIT_HOST (build first)"
ctl_init
at_exit rm -f "/var/run/wireguard/wgbA$$.sock" "/var/run/wireguard/wgbB$$.sock"

ns_new A a
ns_new B b
ip link add "pkwgba$$" type veth peer name "pkwgbb$$"
ip link set "pkwgba$$" netns "$A"
ip link set "pkwgbb$$" netns "$B"
ip -n "$A" addr add 10.88.0.1/24 dev "pkwgba$$"
ip -n "$B" addr add 10.88.0.2/24 dev "pkwgbb$$"
ip -n "$A" link set "pkwgba$$" up
ip -n "$B" link set "pkwgbb$$" up
(umask 077
 for s in A B; do wg genkey >"$T/$s.key"; wg pubkey <"$T/$s.key" >"$T/$s.pub"; done)

declare -A NS=([A]=$A [B]=$B) IN=([A]=10.99.0.1 [B]=10.99.0.2) PORT=([A]=51820 [B]=51821)
declare -A OUTER=([A]=10.88.0.1 [B]=10.88.0.2) OTHER=([A]=B [B]=A)
declare -A IMPL PID	# per side: go|pk, the WireGuard process

# start_go SIDE: wireguard-go on TUN wgb<SIDE><pid>, its peer the other side
start_go() {
	local s=$1 o=${OTHER[$1]} tun=wgb$1$$
	ip netns exec "${NS[$s]}" env WG_PROCESS_FOREGROUND=1 wireguard-go "$tun" \
		>"$T/go-$s.log" 2>&1 &
	PID[$s]=$!
	for _ in $(seq 50); do [ -S "/var/run/wireguard/$tun.sock" ] && break; sleep 0.1; done
	[ -S "/var/run/wireguard/$tun.sock" ] || { cat "$T/go-$s.log" >&2; fail "wireguard-go in $s did not start"; }
	ip -n "${NS[$s]}" addr add "${IN[$s]}/24" dev "$tun"
	ip -n "${NS[$s]}" link set "$tun" mtu 1420 up
	wg set "$tun" private-key "$T/$s.key" listen-port "${PORT[$s]}" \
		peer "$(cat "$T/$o.pub")" allowed-ips "${IN[$o]}/32" endpoint "${OUTER[$o]}:${PORT[$o]}" ||
		fail "wg set $tun failed"
	IMPL[$s]=go
}

# start_pk SIDE OFFLOAD: pktkit-host (io.tun + l3.wg) in SIDE's namespace,
# D-Bus on $T/ctl-SIDE.sock; the wrapper execs, so PID is pktkit-host itself.
# OFFLOAD: io.tun's "offload" (true/false), "true-noudp": and l3.wg without
# UDP GSO/GRO.
start_pk() {
	local s=$1 o=${OTHER[$1]} log=$T/pk-$1.log tun=${2%-noudp} udp=true
	[ "$2" = "$tun" ] || udp=false
	cat >"$T/topo-$s.json" <<JSON
{ "devices": {
    "tun": { "type": "io.tun", "ifname": "wgb$s$$", "netns": "${NS[$s]}", "mtu": 1420,
             "offload": $tun, "addresses": [ { "prefix": "${IN[$s]}/24" } ] },
    "wg0": { "type": "l3.wg", "private-key-file": "$T/$s.key", "listen-port": ${PORT[$s]},
             "udp-offload": $udp,
             "peers": [ { "public-key": "$(cat "$T/$o.pub")", "endpoint": "${OUTER[$o]}:${PORT[$o]}",
                          "allowed-ips": "${IN[$o]}/32" } ] } },
  "links": [ ["tun", "wg0.ip"] ] }
JSON
	ip netns exec "${NS[$s]}" "$PKTKIT_HOST" --dbus-address "unix:path=$T/ctl-$s.sock" \
		"$T/topo-$s.json" >"$log" 2>&1 &
	PID[$s]=$!
	for _ in $(seq 100); do
		grep -qE ': running [0-9]+ device' "$log" 2>/dev/null && break
		kill -0 "${PID[$s]}" 2>/dev/null || { cat "$log" >&2; fail "pktkit-host in $s exited before it was running"; }
		sleep 0.1
	done
	grep -qE ': running [0-9]+ device' "$log" || { cat "$log" >&2; fail "pktkit-host in $s did not start"; }
	for _ in $(seq 50); do ip -n "${NS[$s]}" -br addr show "wgb$s$$" 2>/dev/null | grep -q "${IN[$s]}" && break; sleep 0.1; done
	IMPL[$s]=pk
}

# stop SIDE: SIGTERM its WireGuard process; fail if it died during the run or
# does not exit cleanly (pktkit-host: status 0)
stop() {
	local s=$1 p=${PID[$1]} rc=0
	kill -TERM "$p" 2>/dev/null || fail "${IMPL[$s]} in $s (pid $p) died during the run"
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && { kill -KILL "$p"; fail "${IMPL[$s]} in $s did not stop within 10 s"; }
	wait "$p" || rc=$?
	if [ "${IMPL[$s]}" = pk ] && [ $rc -ne 0 ]; then
		tail -n 20 "$T/pk-$s.log" >&2; fail "pktkit-host in $s exited with status $rc"
	fi
	PID[$s]=
}

ticks() { awk '{ print $14 + $15 }' "/proc/${PID[$1]}/stat"; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/${PID[$1]}/status"; }

# rx_bytes SIDE: bytes received from its one peer (UDP payloads)
rx_bytes() {
	local s=$1
	if [ "${IMPL[$s]}" = go ]; then
		wg show "wgb$s$$" transfer | awk '{ print $2 }'
	else
		"$CTL" --address "unix:path=$T/ctl-$s.sock" --json status wg0 |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["peer-table"][0]["rx-bytes"])'
	fi
}

pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d%%", a / b * 100 }'; }

# drops SIDE: "UDP-RcvbufErrors TUN-tx-dropped" of SIDE's namespace: where
# packets are lost (the UDP socket's buffer full; the TUN's queue towards its
# reader full)
drops() {
	local u t
	u=$(ip netns exec "${NS[$1]}" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $6 }' /proc/net/snmp)
	t=$(ip -n "${NS[$1]}" -s link show "wgb$1$$" | awk 'f { print $4; exit } $1 == "TX:" { f = 1 }')
	echo "$u $t"
}

# sched SIDE: "ns-on-cpu ns-runnable-waiting" of SIDE's WireGuard process,
# all its threads (/proc/PID/task/*/schedstat)
sched() { cat /proc/"${PID[$1]}"/task/*/schedstat 2>/dev/null | awk '{ r += $1; w += $2 } END { printf "%.0f %.0f\n", r, w }'; }

# wgdrops SIDE: the l3.wg's non-zero drop and error counters ("name value ...")
wgdrops() {
	[ "${IMPL[$1]}" = pk ] || return 0
	"$CTL" --address "unix:path=$T/ctl-$1.sock" stats wg0 |
		awk '($2 ~ /drop|error|full|no-buffer/) && $3 != 0 { printf "%s%s %s", n++ ? ", " : "", $2, $3 }'
}

# handshake: ping across until the session is up (10 s at most)
handshake() {
	for _ in $(seq 10); do
		ip netns exec "$B" ping -n -q -c 1 -W 1 10.99.0.1 >/dev/null 2>&1 && return 0
	done
	fail "$1: no ping through the tunnel (handshake?)"
}

# iperf LABEL RECEIVER_SIDE [-R]: one iperf3 run, B's client to A's server;
# sets MBPS RETR CPU_A CPU_B SPG_A SPG_B RSS_A RSS_B; fails unless iperf3
# exits 0, the receiver got bytes and the receiving tunnel carried them.
iperf() {
	local label=$1 rs=$2 j=$T/iperf.json sp a0 a1 b0 b1 r0 r1 out bytes hz l0
	local ua0 ua1 ub0 ub1 ta0 ta1 tb0 tb1 wa0 wa1 wb0 wb1 sa0 sa1 sb0 sb1 swa0 swa1 swb0 swb1 t0 t1 s p pp
	shift 2
	hz=$(getconf CLK_TCK)
	l0=$(cut -d' ' -f1-3 /proc/loadavg)
	ip netns exec "$A" timeout $((IPERF_TIME + 30)) iperf3 -s -1 -B 10.99.0.1 -p $IPORT >/dev/null 2>&1 &
	sp=$!
	for _ in $(seq 50); do ip netns exec "$A" ss -Hltn "sport = :$IPORT" | grep -q . && break; sleep 0.1; done
	r0=$(rx_bytes "$rs")
	read -r ua0 ta0 <<<"$(drops A)"; read -r ub0 tb0 <<<"$(drops B)"
	wa0=$(wgdrops A); wb0=$(wgdrops B)
	pp=()
	if [ -n "${PERF:-}" ]; then
		for s in A B; do
			perf record -q -F 499 -g -o "$PERF/${label// /-}-$s-${IMPL[$s]}.data" -p "${PID[$s]}" \
				-- sleep $((IPERF_TIME - 2)) >/dev/null 2>&1 &
			pp+=($!)
		done
	fi
	read -r sa0 swa0 <<<"$(sched A)"; read -r sb0 swb0 <<<"$(sched B)"
	t0=$(date +%s%N)
	a0=$(ticks A); b0=$(ticks B)
	if ! ip netns exec "$B" timeout $((IPERF_TIME + 20)) iperf3 -c 10.99.0.1 -p $IPORT \
		-t "$IPERF_TIME" -J "$@" >"$j" 2>&1; then
		cat "$j" >&2; kill "$sp" 2>/dev/null || true
		fail "$label: iperf3 failed"
	fi
	a1=$(ticks A); b1=$(ticks B)
	t1=$(date +%s%N)
	read -r sa1 swa1 <<<"$(sched A)"; read -r sb1 swb1 <<<"$(sched B)"
	wait "$sp" 2>/dev/null || true
	for p in "${pp[@]}"; do wait "$p" || fail "$label: perf record failed"; done
	r1=$(rx_bytes "$rs")
	read -r ua1 ta1 <<<"$(drops A)"; read -r ub1 tb1 <<<"$(drops B)"
	wa1=$(wgdrops A); wb1=$(wgdrops B)
	out=$(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
r = e["sum_received"]
print("%d %.0f %s %.2f" % (r["bytes"], r["bits_per_second"] / 1e6,
      e["sum_sent"].get("retransmits", "n/a"), r["seconds"]))' "$j") ||
		{ cat "$j" >&2; fail "$label: iperf3 JSON unreadable"; }
	read -r bytes MBPS RETR secs <<<"$out"
	[ "$bytes" -gt 0 ] || fail "$label: iperf3 reports $bytes bytes received"
	local ratio
	ratio=$(awk -v d=$((r1 - r0)) -v b="$bytes" 'BEGIN { printf "%.3f", d / b }')
	awk -v r="$ratio" 'BEGIN { exit !(r >= 1.0 && r <= 1.3) }' ||
		fail "$label: the receiving tunnel ($rs, ${IMPL[$rs]}) counted $((r1 - r0)) bytes for iperf3's $bytes (ratio $ratio): not the tunnel's traffic?"
	CPU_A=$(awk -v d=$((a1 - a0)) -v hz="$hz" -v t="$secs" 'BEGIN { printf "%d", d / hz / t * 100 }')
	CPU_B=$(awk -v d=$((b1 - b0)) -v hz="$hz" -v t="$secs" 'BEGIN { printf "%d", d / hz / t * 100 }')
	SPG_A=$(awk -v d=$((a1 - a0)) -v hz="$hz" -v b="$bytes" 'BEGIN { printf "%.2f", d / hz / (b / 1e9) }')
	SPG_B=$(awk -v d=$((b1 - b0)) -v hz="$hz" -v b="$bytes" 'BEGIN { printf "%.2f", d / hz / (b / 1e9) }')
	RSS_A=$(rss_kb A); RSS_B=$(rss_kb B)
	echo "  $label: $MBPS Mbit/s, $bytes bytes, retrans $RETR, tunnel rx +$((r1 - r0)) B (x$ratio);" \
		"CPU A(${IMPL[A]}) $CPU_A% ${SPG_A} s/GB RSS ${RSS_A} kB, B(${IMPL[B]}) $CPU_B% ${SPG_B} s/GB RSS ${RSS_B} kB;" \
		"drops: UDP RcvbufErrors A $((ua1 - ua0)) B $((ub1 - ub0)), TUN tx-dropped A $((ta1 - ta0)) B $((tb1 - tb0));" \
		"l3.wg drop counters A ${wa0:+before [$wa0] }[${wa1:-none}] B ${wb0:+before [$wb0] }[${wb1:-none}];" \
		"on cpu / runnable waiting: A $(pct $((sa1 - sa0)) $((t1 - t0)))/$(pct $((swa1 - swa0)) $((t1 - t0)))" \
		"B $(pct $((sb1 - sb0)) $((t1 - t0)))/$(pct $((swb1 - swb0)) $((t1 - t0)));" \
		"loadavg $l0 -> $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}

# pairs: NAME|A|B|OFFLOAD|label
CONFIGS=("wggo|go|go|false|wireguard-go - wireguard-go"
	"pkgo|go|pk|false|wireguard-go (A) - pktkit (B)"
	"pkpk|pk|pk|false|pktkit - pktkit"
	"pkpk-offload|pk|pk|true|pktkit - pktkit, io.tun offload"
	"pkpk-noudp|pk|pk|true-noudp|pktkit - pktkit, io.tun offload, no UDP GSO/GRO")
PAIRS=${PAIRS:-wggo pkgo pkpk pkpk-offload pkpk-noudp}
SEL=()
for c in "${CONFIGS[@]}"; do
	case " $PAIRS " in *" ${c%%|*} "*) SEL+=("$c") ;; esac
done
CONFIGS=("${SEL[@]}")
((${#CONFIGS[@]})) || fail "PAIRS=$PAIRS selects no pair"
declare -A UP DOWN UPR DOWNR UPC DOWNC UPRSS DOWNRSS
LOAD0=$(cat /proc/loadavg)
echo "loadavg at the start: $LOAD0" >&2
for r in $(seq "$RUNS"); do
	for c in "${CONFIGS[@]}"; do
		IFS='|' read -r name ia ib off label <<<"$c"
		echo "== run $r $name ($label), loadavg $(cat /proc/loadavg)" >&2
		for s in A B; do
			impl=$ia; [ $s = A ] || impl=$ib
			if [ "$impl" = go ]; then start_go $s; else start_pk $s "$off"; fi
		done
		handshake "$name run $r"
		# B -> A: B sends, A receives; A -> B (-R): A sends, B receives
		iperf "$name run $r B->A" A
		UP[$name]="${UP[$name]:-} $MBPS"; UPR[$name]="${UPR[$name]:-} $RETR"
		UPC[$name]="${UPC[$name]:-} $SPG_B/$SPG_A"; UPRSS[$name]="${UPRSS[$name]:-} $RSS_B/$RSS_A"
		iperf "$name run $r A->B" B -R
		DOWN[$name]="${DOWN[$name]:-} $MBPS"; DOWNR[$name]="${DOWNR[$name]:-} $RETR"
		DOWNC[$name]="${DOWNC[$name]:-} $SPG_A/$SPG_B"; DOWNRSS[$name]="${DOWNRSS[$name]:-} $RSS_A/$RSS_B"
		stop B; stop A
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
list() { sed 's/^ //; s/ /, /g'; }
# medians of "sender/receiver" pairs
median2() { local v; v=$(cat); echo "$(tr ' ' '\n' <<<"$v" | grep . | cut -d/ -f1 | tr '\n' ' ' | median) / $(tr ' ' '\n' <<<"$v" | grep . | cut -d/ -f2 | tr '\n' ' ' | median)"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo
echo "WireGuard over TUN (MTU 1420) between two namespaces joined by a veth; iperf3 TCP, 1 stream,"
echo "${IPERF_TIME} s per run, $RUNS run(s) each, interleaved ($(uname -r), $(nproc) cores, $(date -u '+%F %H:%M UTC'))"
echo "versions: $(wireguard-go --version 2>&1 | head -1), wg $(dpkg-query -W -f='${Version}' wireguard-tools 2>/dev/null || echo '?'), iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2)"
echo "loadavg at the start: $LOAD0"
echo "loadavg at the end:   $(cat /proc/loadavg)"
echo "B -> A: the B side sends (iperf3 client), A -> B: iperf3 -R. CPU: WireGuard process"
echo "seconds per GB received, sender / receiver (medians); RSS kB at the run's end, sender / receiver."
echo
echo "| pair (A - B) | direction | Mbit/s (runs) | median | x wg-go | retrans (runs) | CPU s/GB snd / rcv | RSS kB snd / rcv |"
echo "|---|---|---|---:|---:|---|---|---|"
REFUP=; REFDOWN=
if [ -n "${UP[wggo]:-}" ]; then REFUP=$(echo "${UP[wggo]}" | median); REFDOWN=$(echo "${DOWN[wggo]}" | median); fi
for c in "${CONFIGS[@]}"; do
	IFS='|' read -r name ia ib off label <<<"$c"
	mu=$(echo "${UP[$name]}" | median); md=$(echo "${DOWN[$name]}" | median)
	echo "| $label | B -> A ($ib -> $ia) | $(echo "${UP[$name]}" | list) | $mu | $(ratio "$mu" "${REFUP:-0}") | $(echo "${UPR[$name]}" | list) | $(echo "${UPC[$name]}" | median2) | $(echo "${UPRSS[$name]}" | median2) |"
	echo "| $label | A -> B ($ia -> $ib) | $(echo "${DOWN[$name]}" | list) | $md | $(ratio "$md" "${REFDOWN:-0}") | $(echo "${DOWNR[$name]}" | list) | $(echo "${DOWNC[$name]}" | median2) | $(echo "${DOWNRSS[$name]}" | median2) |"
done

# targets (issue 13), on the medians
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; then echo met; else echo MISSED; fi; }
echo
echo "targets (medians):"
if [ -n "${REFUP:-}" ]; then
	for name in pkpk pkgo; do
		[ -n "${UP[$name]:-}" ] || continue
		want=1; [ $name = pkpk ] && want=2
		for d in up down; do
			if [ $d = up ]; then m=$(echo "${UP[$name]}" | median); ref=$REFUP; dl="B -> A"
			else m=$(echo "${DOWN[$name]}" | median); ref=$REFDOWN; dl="A -> B"; fi
			need=$(awk -v r="$ref" -v w=$want 'BEGIN { printf "%.0f", r * w }')
			echo "  $name $dl >= ${want}x wireguard-go - wireguard-go ($need Mbit/s): $m Mbit/s, $(verdict "$m" "$need")"
		done
	done
else
	echo "  (wggo not run: no reference for the ratio targets)"
fi
if [ -n "${UP[pkpk-offload]:-}" ]; then
	m=$(echo "${UP[pkpk-offload]}" | median)
	echo "  stretch: pkpk-offload B -> A >= 5000 Mbit/s: $m Mbit/s, $(verdict "$m" 5000)"
	m=$(echo "${DOWN[pkpk-offload]}" | median)
	echo "  stretch: pkpk-offload A -> B >= 5000 Mbit/s: $m Mbit/s, $(verdict "$m" 5000)"
fi
