#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# slirp-compare.sh - User-mode NAT to host loopback: pktkit l3.slirp vs slirp4netns vs pasta, iperf3 both ways and latency
#
#   usage: bench/slirp-compare.sh [--quick] [BUILD_DIR]   (root; default BUILD_DIR: build)
#   env:   RUNS (default 3), IPERF_TIME seconds per run (default 10), CI
#          TOOLS="pktkit slirp4netns pasta" (default all: the NATs measured),
#          --quick: one run of 3 s (RUNS=1 IPERF_TIME=3), a smoke test
#
# Topology (nothing leaves the namespaces this script creates):
#   H  "the host": lo, and a veth pair hx0/hx1 whose both ends stay in H
#      (192.0.2.1/24 TEST-NET-1 on hx0, default route via 192.0.2.254: pasta
#      copies this interface into the guest and needs a default route).
#      The user-mode NAT runs in H, so its host sockets are H's; iperf3 -s and
#      the latency echo server listen on H's 127.0.0.1 only.
#   G  "the guest": a fresh namespace per configuration and run, reaching H's
#      loopback through the NAT at the NAT's host-loopback address:
#   pktkit       pktkit-host in H: io.tap (TAP in G, 10.0.2.15/24, default via
#                10.0.2.1) - l2.hub - l3.adapter (10.0.2.1, 10.0.2.2) - l3.slirp
#                with host-loopback4 10.0.2.2 (-> 127.0.0.1). Variants: MTU 1500
#                (TAP and slirp "mtu"), MTU 1500 with io.tap "offload" and
#                l3.slirp "tso" (64 KB super-packets both ways), MTU 65520.
#   slirp4netns  slirp4netns --configure --mtu=M --disable-dns in H, tap0 in G
#                (10.0.2.100/24 via 10.0.2.2); 10.0.2.2 is libslirp's mapping
#                to the host's loopback.
#   pasta        pasta -f -4 --config-net -m M (tap mode, the L2 path like the
#                others; no -T splice) in H, G gets a copy of hx0; connections to
#                the gateway 192.0.2.254 are mapped to host loopback (map-gw).
#                As root, pasta needs --runas 0 to enter the namespaces.
# Each configuration, MTU 1500 and 65520, is measured with: iperf3 TCP one
# stream guest -> host and host -> guest (-R), IPERF_TIME s each; ping -c 20
# -i 0.05 of the mapped address; 2000 one-byte TCP round trips (request,
# response, TCP_NODELAY) against an echo server on H's 127.0.0.1. Runs are
# interleaved (every configuration once, then again) so that machine noise
# hits all alike; each run is printed with /proc/loadavg and the CPU share the
# NAT process used during it (utime + stime from /proc/PID/stat; 100% = one
# core). A failed run of any configuration (pktkit or peer) fails the script,
# as does an iperf3 result without bytes: nothing is ever counted as 0.
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
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$M/hub:$M/adapter:$M/tuntap:$M/slirp}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}
IPORT=5201
RRPORT=5301

interop_init slb
require iperf3 python3 ss ping slirp4netns pasta
[ -x "$PKTKIT_HOST" ] || fail "no pktkit-host at $PKTKIT_HOST (build first)"

H=""; G=""
ns_new H h
ip -n "$H" link add hx0 type veth peer name hx1
ip -n "$H" addr add 192.0.2.1/24 dev hx0
ip -n "$H" link set hx0 up; ip -n "$H" link set hx1 up
ip -n "$H" route add default via 192.0.2.254 dev hx0
# unprivileged ICMP echo sockets (l3.slirp and pasta forward pings through them)
ip netns exec "$H" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

cat >"$T/rr.py" <<'PY'
import socket, statistics, sys, time
if sys.argv[1] == "serve":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[2]))); s.listen(1)
    print("LISTENING", flush=True)
    c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        b = c.recv(1)
        if not b:
            break
        c.sendall(b)
    sys.exit(0)
n = int(sys.argv[4])
c = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=10)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
t = []
for _ in range(n):
    t0 = time.perf_counter_ns(); c.sendall(b"x")
    if c.recv(1) != b"x":
        sys.exit("short reply")
    t.append((time.perf_counter_ns() - t0) / 1000)
c.close()
t.sort()
print("%.0f %.0f" % (statistics.median(t), t[int(len(t) * 0.99) - 1]))
PY

NAT_PID=
CONNECT=
ticks() { awk '{ print $14 + $15 }' "/proc/$NAT_PID/stat"; }

fresh_guest() {
	[ -z "$G" ] || ip netns del "$G"
	INTEROP_NS=("$H")
	ns_new G "g$1"
}

start_pktkit() {	# MTU OFFLOAD(true|false)
	cat >"$T/topo.json" <<JSON
{ "devices": {
    "tap": { "type": "io.tap", "ifname": "pkslb0", "netns": "$G", "mtu": $1, "offload": $2,
             "addresses": [ { "prefix": "10.0.2.15/24" } ],
             "routes": [ { "prefix": "0.0.0.0/0", "via": "10.0.2.1" } ] },
    "lan": { "type": "l2.hub" },
    "gw": { "type": "l3.adapter", "mac": "52:54:00:12:35:01", "dhcp": false,
            "addresses": [ { "prefix": "10.0.2.1/24" }, { "prefix": "10.0.2.2/24" } ] },
    "slirp": { "type": "l3.slirp", "host-loopback4": "10.0.2.2", "mtu": $1, "tso": $2 } },
  "links": [ ["tap", "lan"], ["gw.eth", "lan"], ["gw.ip", "slirp"] ] }
JSON
	# ip netns exec execs: HOST_PID is pktkit-host itself (its CPU time, its SIGTERM)
	cat >"$T/host.sh" <<SH
#!/bin/sh
exec ip netns exec "$H" "$BUILD/core/host/pktkit-host" "\$@"
SH
	chmod +x "$T/host.sh"
	PKTKIT_HOST=$T/host.sh run_host "$T/topo.json"
	NAT_PID=$HOST_PID
	for _ in $(seq 50); do
		ip -n "$G" -4 route show default 2>/dev/null | grep -q 'via 10.0.2.1' && break
		sleep 0.1
	done
	CONNECT=10.0.2.2
}
stop_pktkit() { stop_host; NAT_PID=; }

start_slirp4netns() {	# MTU
	ip netns exec "$H" slirp4netns --configure --mtu="$1" --disable-dns \
		--netns-type=path "/run/netns/$G" tap0 >"$T/nat.log" 2>&1 &
	NAT_PID=$!
	for _ in $(seq 50); do ip -n "$G" -4 addr show tap0 2>/dev/null | grep -q inet && break; sleep 0.1; done
	ip -n "$G" -4 addr show tap0 2>/dev/null | grep -q inet || { cat "$T/nat.log" >&2; fail "slirp4netns did not configure tap0"; }
	CONNECT=10.0.2.2
}

start_pasta() {	# MTU
	ip netns exec "$H" pasta -f -q -4 --runas 0 --config-net --netns "$G" \
		-t none -u none -T none -U none -m "$1" >"$T/nat.log" 2>&1 &
	NAT_PID=$!
	for _ in $(seq 50); do ip -n "$G" -4 addr show hx0 2>/dev/null | grep -q inet && break; sleep 0.1; done
	ip -n "$G" -4 addr show hx0 2>/dev/null | grep -q inet || { cat "$T/nat.log" >&2; fail "pasta did not configure hx0"; }
	CONNECT=192.0.2.254
}

stop_peer() {
	kill "$NAT_PID" 2>/dev/null || fail "$1 (pid $NAT_PID) died during the run"
	wait "$NAT_PID" 2>/dev/null || true
	NAT_PID=
}

# iperf LABEL [-R]: one iperf3 TCP run guest -> H's 127.0.0.1 (or back with -R);
# sets MBPS and CPU, fails unless iperf3 exits 0 and the receiver got bytes.
MBPS=; CPU=
iperf() {
	local label=$1 j=$T/iperf.json sp c0 c1 out
	shift
	ip netns exec "$H" timeout $((IPERF_TIME + 30)) iperf3 -s -1 -B 127.0.0.1 -p $IPORT >/dev/null 2>&1 &
	sp=$!
	for _ in $(seq 50); do ip netns exec "$H" ss -Hltn "sport = :$IPORT" | grep -q . && break; sleep 0.1; done
	c0=$(ticks)
	if ! ip netns exec "$G" timeout $((IPERF_TIME + 20)) iperf3 -c "$CONNECT" -p $IPORT \
		-t "$IPERF_TIME" -J "$@" >"$j" 2>&1; then
		cat "$j" >&2; kill "$sp" 2>/dev/null || true
		fail "$label: iperf3 failed"
	fi
	c1=$(ticks)
	wait "$sp" 2>/dev/null || true
	out=$(python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
r = e["sum_received"]
print("%d %.0f %s" % (r["bytes"], r["bits_per_second"] / 1e6, e["sum_sent"].get("retransmits", "n/a")))' "$j") ||
		{ cat "$j" >&2; fail "$label: iperf3 JSON unreadable"; }
	read -r bytes MBPS retr <<<"$out"
	[ "$bytes" -gt 0 ] || fail "$label: iperf3 reports $bytes bytes received"
	CPU=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v t="$IPERF_TIME" 'BEGIN { printf "%d%%", d / hz / t * 100 }')
	echo "  $label: $MBPS Mbit/s, $bytes bytes, retrans $retr, NAT CPU $CPU" >&2
}

# latency LABEL TOOL: sets PING (avg ms of 20 pings; n/a for pasta, whose map-gw
# does not cover ICMP: its echo to the gateway goes out unmapped and is lost)
# and RR ("median p99" us)
PING=; RR=
latency() {
	local out sp
	if [ "$2" = pasta ]; then
		PING=n/a	# pasta 2023-03 sends echo to the gateway as is (no map-gw for ICMP)
	else
		out=$(ip netns exec "$G" ping -n -q -c 20 -i 0.05 -W 2 "$CONNECT" 2>&1) ||
			{ echo "$out" >&2; fail "$1: ping $CONNECT failed"; }
		PING=$(sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' <<<"$out")
		[ -n "$PING" ] || { echo "$out" >&2; fail "$1: no ping rtt"; }
	fi
	ip netns exec "$H" timeout 60 python3 "$T/rr.py" serve $RRPORT >"$T/rr.log" 2>&1 &
	sp=$!
	wait_for "$T/rr.log" LISTENING 10 || fail "$1: echo server did not start"
	RR=$(ip netns exec "$G" timeout 50 python3 "$T/rr.py" client "$CONNECT" $RRPORT 2000) ||
		fail "$1: TCP round trips failed"
	wait "$sp" || fail "$1: echo server exited with an error"
	echo "  $1: ping avg $PING ms, TCP 1-byte round trip median/p99 $RR us" >&2
}

# configurations: NAME|TOOL|MTU|OFFLOAD
CONFIGS=("pktkit-1500|pktkit|1500|false"
	"pktkit-1500-tso|pktkit|1500|true"
	"slirp4netns-1500|slirp4netns|1500|-"
	"pasta-1500|pasta|1500|-"
	"pktkit-65520|pktkit|65520|false"
	"slirp4netns-65520|slirp4netns|65520|-"
	"pasta-65520|pasta|65520|-")
TOOLS=${TOOLS:-pktkit slirp4netns pasta}
SEL=()
for c in "${CONFIGS[@]}"; do
	case " $TOOLS " in *" $(cut -d'|' -f2 <<<"$c") "*) SEL+=("$c") ;; esac
done
CONFIGS=("${SEL[@]}")
((${#CONFIGS[@]})) || fail "TOOLS=$TOOLS selects no configuration"
declare -A UP DOWN UPCPU DOWNCPU PINGS RRS
n=0
for r in $(seq "$RUNS"); do
	for c in "${CONFIGS[@]}"; do
		n=$((n + 1))
		IFS='|' read -r name tool mtu off <<<"$c"
		echo "== run $r $name, loadavg $(cat /proc/loadavg)" >&2
		fresh_guest "$n"
		case $tool in
		pktkit) start_pktkit "$mtu" "$off" ;;
		*) "start_$tool" "$mtu" ;;
		esac
		iperf "$name run $r guest->host"
		UP[$name]="${UP[$name]:-} $MBPS"; UPCPU[$name]="${UPCPU[$name]:-} $CPU"
		iperf "$name run $r host->guest" -R
		DOWN[$name]="${DOWN[$name]:-} $MBPS"; DOWNCPU[$name]="${DOWNCPU[$name]:-} $CPU"
		latency "$name run $r" "$tool"
		PINGS[$name]="${PINGS[$name]:-} $PING"; RRS[$name]="${RRS[$name]:-} ${RR%% *}"
		case $tool in
		pktkit) stop_pktkit ;;
		*) stop_peer "$tool" ;;
		esac
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
list() { sed 's/^ //; s/ /, /g'; }

echo
echo "guest namespace -> user-mode NAT -> iperf3 on the host namespace's 127.0.0.1; TCP, 1 stream,"
echo "${IPERF_TIME} s per run, $RUNS run(s) each, interleaved ($(uname -r), $(nproc) cores, $(date -u '+%F %H:%M UTC'))"
echo "versions: $(slirp4netns --version | head -1), libslirp $(slirp4netns --version | sed -n 's/^libslirp: //p'), passt $(dpkg-query -W -f='${Version}' passt 2>/dev/null || echo '?')"
echo "loadavg at the end: $(cat /proc/loadavg)"
echo
echo "| NAT, MTU | guest -> host Mbit/s (runs) | median | NAT CPU | host -> guest Mbit/s (runs) | median | NAT CPU | ping avg ms | TCP RR median us |"
echo "|---|---|---:|---|---|---:|---|---:|---:|"
for c in "${CONFIGS[@]}"; do
	IFS='|' read -r name tool mtu off <<<"$c"
	label="$tool, MTU $mtu"
	[ "$off" != true ] || label="$label, TAP offload + slirp tso"
	echo "| $label | $(echo "${UP[$name]}" | list) | $(echo "${UP[$name]}" | median) | $(echo "${UPCPU[$name]}" | list) | $(echo "${DOWN[$name]}" | list) | $(echo "${DOWN[$name]}" | median) | $(echo "${DOWNCPU[$name]}" | list) | $(if [ "$tool" = pasta ]; then echo n/a; else echo "${PINGS[$name]}" | median; fi) | $(echo "${RRS[$name]}" | median) |"
done
