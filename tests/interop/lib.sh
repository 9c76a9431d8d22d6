# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# lib.sh - Shared helpers of the interop tests: namespaces, cleanup, waiting, pktkit-host (and pktkitctl), iperf3, QEMU guests, DHCP clients
#
# Source it first thing from a test script:   . "$(dirname "$0")/lib.sh"
# It sets `set -euo pipefail`, makes a temp dir $T, and installs an EXIT/INT/TERM
# trap that kills the test's background jobs and pktkit-host, deletes its
# namespaces and removes $T. Exit status 77 means "skipped" to meson.
#
#   interop_init TAG          call once: names become pk<TAG><pid>..., checks root
#   ns_new VAR NAME           create netns "pk<TAG><pid><NAME>" (lo up), store its name in $VAR
#   require CMD...            a missing command: exit 77 (skip), or fail when CI=true
#   wait_for FILE REGEX SECS  poll FILE until REGEX matches (0) or time out (1)
#   run_host TOPOLOGY_JSON    start $PKTKIT_HOST in the background; waits for its
#                             "running" line; sets HOST_PID and HOST_LOG
#   stop_host                 SIGTERM pktkit-host, wait (10 s at most), fail unless exit 0
#   iperf_pair SRV_NS CLI_NS ADDR PORT LABEL [client args]
#                             one iperf3 TCP run (IPERF_TIME s, default 3), prints
#                             "RESULT <label>: <n> Mbit/s (retrans <r>)"; sets IPERF_MBPS
#   fail MSG / skip MSG       print and exit 1 / 77 (skip becomes a failure when CI=true)
#   at_exit CMD [ARGS...]     run CMD at exit too, after the namespaces are deleted (files
#                             outside $T, such as /etc/netns/NAME)
#
# pktkit-host with pktkitctl:
#   ctl_init                  find pktkitctl (next to pktkit-host, or $PKTKITCTL); sets CTL
#   run_host_ctl TOPOLOGY     run_host with a private D-Bus address, $T/ctl.sock
#   ctl ARGS...               pktkitctl on that address (a function: to signal a background
#                             run, start "$CTL" --address unix:path=$T/ctl.sock itself)
#   stat_of DEVICE COUNTER    one counter of DEVICE (D-Bus refreshes them every 500 ms)
# QEMU guests:
#   guest_init                build the test guest (tests/guest; cached) or skip; sets
#                             GUEST_SRC and GUEST ($PKTKIT_GUEST_DIR overrides the cache)
#   guest_boot NAME MAC NETDEV CMD...
#                             boot it in the background (120 s at most), its NIC on the
#                             -netdev NETDEV (id n0), one --cmd per CMD; console in $T/NAME.log
# DHCP clients:
#   dhcp_state_init           make $T/state (for svc.dhcp-server's "state-dir"); sets
#                             LEASES, its lease file
#   udhcpc_script             write $T/udhcpc.script: prints "udhcpc-event: EVENT ip=... ..."
#                             and configures the address, nothing else (no resolv.conf)
#
# Environment: PKTKIT_HOST (path of pktkit-host; set by tests/interop/meson.build),
# PKTKIT_MODULE_PATH (module dirs of the build tree), CI, KEEP_TMP=1 (keep $T).

set -euo pipefail

INTEROP_TAG=x
INTEROP_NS=()
INTEROP_AT_EXIT=()
HOST_PID=
HOST_LOG=
IPERF_MBPS=
T=
CTL=
GUEST_SRC=
GUEST=
LEASES=

fail() { echo "FAIL: $*" >&2; exit 1; }

skip() {
	if [ "${CI:-}" = true ]; then fail "$* (CI=true: a missing peer is a failure, not a skip)"; fi
	echo "SKIP: $*" >&2
	exit 77
}

require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed (see tests/interop and the peers recipes)"
	done
}

# kill_tree PID: SIGTERM to PID's descendants, then to PID. A job started as
# `ns_function CMD &` (a function running ip netns exec) is a subshell whose
# child is CMD: killing the job alone would leave CMD running, orphaned, in a
# deleted namespace.
kill_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
	kill "$1" 2>/dev/null
}

interop_cleanup() {
	local rc=$? p n
	set +e
	trap - EXIT INT TERM
	if [ -n "$HOST_PID" ] && kill -0 "$HOST_PID" 2>/dev/null; then
		kill -TERM "$HOST_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$HOST_PID" 2>/dev/null
	fi
	for p in $(jobs -p); do kill_tree "$p"; done
	wait 2>/dev/null
	for n in "${INTEROP_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
	for n in "${INTEROP_AT_EXIT[@]}"; do eval "$n"; done
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$HOST_LOG" ] && [ -s "$HOST_LOG" ]; then
		echo "--- pktkit-host log ($HOST_LOG)" >&2; tail -n 40 "$HOST_LOG" >&2
	fi
	if [ -n "$T" ] && [ "${KEEP_TMP:-0}" != 1 ]; then rm -rf "$T"; fi
	exit $rc
}

at_exit() {
	local q
	printf -v q '%q ' "$@"
	INTEROP_AT_EXIT+=("$q")
}

interop_init() {
	INTEROP_TAG=$1
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TAP interfaces)"
	require ip timeout
	T=$(mktemp -d "/tmp/pk-interop-$INTEROP_TAG.XXXXXX")
	trap interop_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

ns_new() {
	local n="pk$INTEROP_TAG$$$2"
	[ ${#n} -le 64 ] || fail "namespace name $n too long"
	ip netns add "$n" || fail "cannot create netns $n"
	INTEROP_NS+=("$n")
	ip -n "$n" link set lo up
	printf -v "$1" '%s' "$n"
}

wait_for() {
	local f=$1 re=$2 n=$(( $3 * 10 ))
	for _ in $(seq "$n"); do grep -qE "$re" "$f" 2>/dev/null && return 0; sleep 0.1; done
	echo "wait_for: '$re' not seen in $f after $3 s" >&2
	return 1
}

run_host() {
	local topo=$1
	[ -n "${PKTKIT_HOST:-}" ] && [ -x "$PKTKIT_HOST" ] || fail "PKTKIT_HOST is not set to pktkit-host (run through meson test)"
	HOST_LOG=$T/host.log
	# No `timeout` wrapper: its pid would get the SIGTERM and stop_host could not see the
	# host's own exit status; the EXIT trap kills the host instead.
	"$PKTKIT_HOST" "$topo" >"$HOST_LOG" 2>&1 &
	HOST_PID=$!
	for _ in $(seq 100); do
		grep -qE ': running [0-9]+ device' "$HOST_LOG" 2>/dev/null && return 0
		if ! kill -0 "$HOST_PID" 2>/dev/null; then
			local rc=0
			wait "$HOST_PID" || rc=$?
			HOST_PID=
			fail "pktkit-host exited with status $rc before it was running"
		fi
		sleep 0.1
	done
	fail "pktkit-host did not log 'running' within 10 s"
}

stop_host() {
	local rc=0
	[ -n "$HOST_PID" ] || return 0
	kill -TERM "$HOST_PID" 2>/dev/null || fail "pktkit-host (pid $HOST_PID) died early"
	for _ in $(seq 100); do kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$HOST_PID" 2>/dev/null; then
		kill -KILL "$HOST_PID"; HOST_PID=; fail "pktkit-host did not stop within 10 s of SIGTERM"
	fi
	wait "$HOST_PID" || rc=$?
	HOST_PID=
	[ $rc -eq 0 ] || fail "pktkit-host exited with status $rc after SIGTERM"
}

iperf_pair() {
	local sns=$1 cns=$2 addr=$3 port=$4 label=$5 j sp
	shift 5
	require iperf3 python3 ss
	j=$T/iperf-$port.json
	ip netns exec "$sns" timeout $(( ${IPERF_TIME:-3} + 30 )) iperf3 -s -1 -B "$addr" -p "$port" >/dev/null 2>&1 &
	sp=$!
	for _ in $(seq 50); do
		ip netns exec "$sns" ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break; sleep 0.1
	done
	if ! ip netns exec "$cns" timeout $(( ${IPERF_TIME:-3} + 20 )) iperf3 -c "$addr" -p "$port" -t "${IPERF_TIME:-3}" -J "$@" >"$j" 2>&1; then
		echo "RESULT $label: iperf3 FAILED" >&2; cat "$j" >&2
		kill "$sp" 2>/dev/null || true
		return 1
	fi
	wait "$sp" 2>/dev/null || true
	IPERF_MBPS=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; print("%.0f" % (e["sum_received"]["bits_per_second"]/1e6))' "$j")
	echo "RESULT $label: $IPERF_MBPS Mbit/s (retrans $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_sent"].get("retransmits","n/a"))' "$j"))"
}

ctl_init() {
	CTL=${PKTKITCTL:-$(dirname "$PKTKIT_HOST")/pktkitctl}
	[ -x "$CTL" ] || fail "pktkitctl not found next to pktkit-host ($CTL)"
}

run_host_ctl() {
	# run_host starts $PKTKIT_HOST TOPOLOGY: a wrapper adds the D-Bus address.
	cat >"$T/host.sh" <<SH
#!/bin/sh
exec "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
	chmod +x "$T/host.sh"
	PKTKIT_HOST=$T/host.sh run_host "$1"
}

ctl() { "$CTL" --address "unix:path=$T/ctl.sock" "$@"; }

stat_of() { ctl stats "$1" | awk -v c="$2" '$2 == c { print $3 }'; }

guest_init() {
	local grc=0
	GUEST_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../guest" && pwd)
	GUEST=${PKTKIT_GUEST_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pktkit-guest/out}
	"$GUEST_SRC/build-guest.sh" "$GUEST" || grc=$?
	[ $grc -eq 77 ] && skip "cannot build the test guest"
	[ $grc -eq 0 ] || fail "build-guest.sh failed ($grc)"
}

guest_boot() {
	local name=$1 mac=$2 nd=$3 c args=()
	shift 3
	for c in "$@"; do args+=(--cmd "$c"); done
	"$GUEST_SRC/run-guest.sh" "$GUEST" --mac "$mac" --timeout 120 "${args[@]}" -- -netdev "$nd" \
		>"$T/$name.log" 2>&1 &
}

dhcp_state_init() {
	LEASES=$T/state/dhcp.leases
	mkdir -p "$T/state"
}

udhcpc_script() {
	cat >"$T/udhcpc.script" <<'EOF'
#!/bin/sh
echo "udhcpc-event: $1 ip=$ip mask=$mask router=$router lease=$lease serverid=$serverid domain=$domain dns=$dns"
case "$1" in
  deconfig)    ip link set "$interface" up; ip addr flush dev "$interface" ;;
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface" ;;
esac
EOF
	chmod +x "$T/udhcpc.script"
}
