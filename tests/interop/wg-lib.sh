# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# wg-lib.sh - Set-up of the l3.wg interop tests: wireguard-go in one namespace, pktkit-host (io.tun + l3.wg) in another
#
# Source after lib.sh and interop_init. wg_setup builds:
#
#   $WGA  the real wireguard-go, TUN $TUNA (10.99.0.1/24, fd99::1/64), listening on
#         UDP 51820 with the private key $T/a.key, configured with wg(8)
#   $WGB  pktkit-host (wg_start_pktkit): io.tun "tun" ($TUNB: 10.99.0.2/24,
#         fd99::2/64) linked to the l3.wg "wg0" (UDP 51821, key $T/b.key) whose one
#         peer is wireguard-go
#
# joined by the veth $VA - $VB (10.88.0.1 / fd88::1 - 10.88.0.2 / fd88::2). Keys:
# $T/{a,b}.{key,pub}. Nothing routes out of the namespaces.
#
#   wg_setup                tools, namespaces, veth, keys, wireguard-go started; sets
#                           CTL and WG_PY (the python3 interpreter itself, not a pyenv
#                           shim, which costs a second per start)
#   wg_go_start NS IF KEY PORT LOG
#                           one more wireguard-go in NS (TUN IF, private key file KEY,
#                           listen-port PORT), its log in LOG (LOG_LEVEL=verbose)
#   wg_go_peer ENDPOINT [ARGS...]
#                           (re)configure wireguard-go's peer (the l3.wg): removed and
#                           added again, so it starts without a session or a queued
#                           handshake; allowed-ips 10.99.0.2/32, fd99::2/128 unless
#                           ARGS say otherwise (more `wg set ... peer` arguments)
#   wg_topology ENDPOINT [EXTRA_JSON]
#                           write $T/topo.json; ENDPOINT: the l3.wg's endpoint of
#                           wireguard-go ("" learnt from its initiation); EXTRA_JSON:
#                           more l3.wg parameters ('"test-timer-divisor": 30')
#   wg_start_pktkit         validate $T/topo.json, run pktkit-host in $WGB with D-Bus
#                           on $T/ctl.sock (HOST_PID is pktkit-host itself), wait for
#                           the TUN's address
#   ax/bx CMD...            run CMD in $WGA / $WGB
#   ping_ok NS-FUNCTION ADDR LABEL [PING-ARGS...]
#                           3 pings (0.2 s apart) must all come back; prints the summary
#   run_check NAME          run the check function NAME: prints "== NAME", then
#                           "PASS: NAME"; inside it, cfail MSG fails the test with
#                           "FAIL: NAME: MSG"
#   wg_stats FILE           pktkitctl stats wg0 into FILE (after the 500 ms refresh)
#   wg_c FILE COUNTER       one counter of wg0 from such a FILE (fails if absent)
#   wg_peer_row KEY         the l3.wg's peer-table row of the public key KEY (JSON)

WGA=
WGB=
VA=
VB=
TUNA=
TUNB=
WG_PY=python3
WG_CHECK=

ax() { ip netns exec "$WGA" "$@"; }
bx() { ip netns exec "$WGB" "$@"; }
cfail() { fail "${WG_CHECK:+$WG_CHECK: }$*"; }

run_check() {
	WG_CHECK=$1
	echo "== $1"
	"$1"
	echo "PASS: $1"
	WG_CHECK=
}

wg_go_start() {	# NS IF KEY PORT LOG
	local ns=$1 ifn=$2 key=$3 port=$4 log=$5
	ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=verbose wireguard-go "$ifn" >"$log" 2>&1 &
	for _ in $(seq 50); do [ -S "/var/run/wireguard/$ifn.sock" ] && break; sleep 0.1; done
	[ -S "/var/run/wireguard/$ifn.sock" ] || { cat "$log" >&2; fail "wireguard-go ($ifn) did not start"; }
	at_exit rm -f "/var/run/wireguard/$ifn.sock"
	ip netns exec "$ns" wg set "$ifn" private-key "$key" listen-port "$port"
}

wg_setup() {
	require wireguard-go wg ip ping curl python3 iperf3 sha256sum
	WG_PY=$(python3 -c 'import sys; print(sys.executable)')
	ctl_init
	ns_new WGA a
	ns_new WGB b
	VA=pkwgva$$
	VB=pkwgvb$$
	TUNA=wgpkA$$
	TUNB=wgpkB$$
	ip link add "$VA" type veth peer name "$VB"
	ip link set "$VA" netns "$WGA"
	ip link set "$VB" netns "$WGB"
	ip -n "$WGA" addr add 10.88.0.1/24 dev "$VA"
	ip -n "$WGB" addr add 10.88.0.2/24 dev "$VB"
	ip -n "$WGA" addr add fd88::1/64 dev "$VA" nodad
	ip -n "$WGB" addr add fd88::2/64 dev "$VB" nodad
	ip -n "$WGA" link set "$VA" up
	ip -n "$WGB" link set "$VB" up

	(umask 077
	 wg genkey >"$T/a.key"; wg pubkey <"$T/a.key" >"$T/a.pub"
	 wg genkey >"$T/b.key"; wg pubkey <"$T/b.key" >"$T/b.pub")

	wg_go_start "$WGA" "$TUNA" "$T/a.key" 51820 "$T/wireguard-go.log"
	ip -n "$WGA" addr add 10.99.0.1/24 dev "$TUNA"
	ip -n "$WGA" addr add fd99::1/64 dev "$TUNA" nodad
	ip -n "$WGA" link set "$TUNA" mtu 1420 up
}

wg_go_peer() {	# ENDPOINT [ARGS...]
	local ep=$1
	shift
	ax wg set "$TUNA" peer "$(cat "$T/b.pub")" remove
	if [ $# = 0 ]; then set -- allowed-ips 10.99.0.2/32,fd99::2/128; fi
	ax wg set "$TUNA" peer "$(cat "$T/b.pub")" endpoint "$ep" "$@"
}

wg_topology() {	# ENDPOINT [EXTRA_JSON]
	local extra=${2:-}
	cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tun": { "type": "io.tun", "ifname": "$TUNB", "netns": "$WGB", "mtu": 1420,
             "addresses": [ { "prefix": "10.99.0.2/24" }, { "prefix": "fd99::2/64" } ] },
    "wg0": { "type": "l3.wg", "private-key-file": "$T/b.key", "listen-port": 51821,
             "peers": [ { "public-key": "$(cat "$T/a.pub")", "endpoint": "$1",
                          "allowed-ips": "10.99.0.0/24, fd99::/64" } ]${extra:+, $extra} }
  },
  "links": [ ["tun", "wg0.ip"] ]
}
JSON
}

wg_start_pktkit() {
	"$PKTKIT_HOST" --check "$T/topo.json" || fail "pktkit-host --check refused the topology"
	# run_host_ctl's wrapper, inside $WGB: ip netns exec execs, so HOST_PID is
	# pktkit-host itself (stop_host's SIGTERM reaches it, /proc/HOST_PID is its).
	cat >"$T/host.sh" <<SH
#!/bin/sh
exec ip netns exec "$WGB" "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
	chmod +x "$T/host.sh"
	PKTKIT_HOST=$T/host.sh run_host "$T/topo.json"
	for _ in $(seq 50); do bx ip -br addr show "$TUNB" 2>/dev/null | grep -q 10.99.0.2 && break; sleep 0.1; done
}

ping_ok() {	# NS-FUNCTION ADDR LABEL [PING-ARGS...]
	local x=$1 addr=$2 label=$3 out
	shift 3
	out=$("$x" ping -c 3 -i 0.2 -W 2 "$@" "$addr" 2>&1) || { echo "$out" >&2; fail "$label: ping $addr failed"; }
	echo "$label: $(grep -E 'packets transmitted' <<<"$out")"
}

wg_stats() {	# FILE
	sleep 0.7	# the D-Bus Counters property is refreshed every 500 ms
	ctl stats wg0 >"$1" || cfail "pktkitctl stats wg0 failed"
}

wg_c() {	# FILE COUNTER
	local v
	v=$(awk -v c="$2" '$2 == c { print $3 }' "$1")
	[ -n "$v" ] || cfail "pktkitctl stats wg0: no counter $2"
	echo "$v"
}

wg_peer_row() {	# PUBLIC-KEY
	ctl --json status wg0 >"$T/st.json" || cfail "pktkitctl status wg0 failed"
	"$WG_PY" - "$T/st.json" "$1" <<'PY'
import json, sys
rows = [r for r in json.load(open(sys.argv[1])).get("peer-table", []) if r.get("public-key") == sys.argv[2]]
print(json.dumps(rows[0]) if rows else "")
PY
}
