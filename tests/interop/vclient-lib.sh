# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# vclient-lib.sh - Helpers of the vclient ↔ kernel TCP interop tests: topology, vclient-peer runs, result fields
#
# Source after lib.sh and interop_init. The kernel side is namespace $VC_NS with
# the TUN "pkvc" (10.98.0.1/24, fd98::1/64) that io.tun creates in it while a
# vclient-peer runs; the vclient "vc" is 10.98.0.2 / fd98::2.
#
#   vc_setup                        namespace, require the tools, $VCLIENT_PEER
#   vc_topology FILE [IMPAIR_JSON] [VCLIENT_EXTRA_JSON]
#                                   write a topology: tun - [l3.impair] - vc
#   vc_peer_start LOG TOPO ARGS...  run vclient-peer in the background (VC_PEER_PID);
#                                   with --listen, wait for its "listening" line
#   vc_peer_wait LOG [SECS]         wait for it to exit; fail (showing LOG) unless 0
#   vc_field LOG PREFIX KEY         value of KEY=... on the last line starting with PREFIX
#   vc_expect_sha N                 sha256 of the first N bytes of the peer's stream
#   vc_wait_listen PORT             wait until a kernel socket listens on PORT in $VC_NS
#   $VC_CC                          socat address option: the kernel socket runs CUBIC, as
#                                   the vclient does (a namespace may not change its default)

VC_NS=
VC_PEER_PID=
VC_CC=,setsockopt-string=6:13:cubic	# SOL_TCP, TCP_CONGESTION

vc_setup() {
	require socat sha256sum ss python3
	[ -n "${VCLIENT_PEER:-}" ] && [ -x "$VCLIENT_PEER" ] ||
		fail "VCLIENT_PEER is not set to vclient-peer (run through meson test)"
	ns_new VC_NS k
}

vc_topology() {
	local file=$1 impair=${2:-} extra=${3:-} links
	if [ -n "$impair" ]; then
		links='["tun.ip", "imp.a"], ["imp.b", "vc.ip"]'
		impair="\"imp\": { \"type\": \"l3.impair\", $impair },"
	else
		links='["tun.ip", "vc.ip"]'
	fi
	cat >"$file" <<JSON
{ "devices": {
    "tun": { "type": "io.tun", "ifname": "pkvc", "netns": "$VC_NS",
             "addresses": [ { "prefix": "10.98.0.1/24" }, { "prefix": "fd98::1/64" } ] },
    $impair
    "vc": { "type": "l3.vclient",
            "addresses": [ { "prefix": "10.98.0.2/24" }, { "prefix": "fd98::2/64" } ]${extra:+, $extra} } },
  "links": [ $links ] }
JSON
}

vc_peer_start() {
	local log=$1 topo=$2
	shift 2
	timeout --signal=TERM "${VC_PEER_TIMEOUT:-150}" "$VCLIENT_PEER" "$topo" "$@" >"$log" 2>&1 &
	VC_PEER_PID=$!
	case " $* " in
	*" --listen "*)
		for _ in $(seq 100); do
			grep -q '^listening ' "$log" 2>/dev/null && break
			kill -0 "$VC_PEER_PID" 2>/dev/null || break
			sleep 0.1
		done
		grep -q '^listening ' "$log" || { cat "$log" >&2; fail "vclient-peer did not start listening"; }
		# The TUN is configured when the graph starts; give the kernel's routes a moment.
		for _ in $(seq 50); do
			ip -n "$VC_NS" -6 route show dev pkvc 2>/dev/null | grep -q fd98 && break; sleep 0.1
		done ;;
	esac
}

vc_peer_wait() {
	local log=$1 rc=0
	wait "$VC_PEER_PID" || rc=$?
	VC_PEER_PID=
	if [ $rc -ne 0 ]; then
		echo "--- vclient-peer output ($log), exit status $rc" >&2
		cat "$log" >&2
		fail "vclient-peer failed (status $rc)"
	fi
}

vc_field() {
	grep "^$2" "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

vc_expect_sha() {
	"$VCLIENT_PEER" --gen "$1" | sha256sum | cut -d' ' -f1
}

vc_wait_listen() {
	for _ in $(seq 50); do
		ip netns exec "$VC_NS" ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	fail "no kernel listener on port $1"
}
