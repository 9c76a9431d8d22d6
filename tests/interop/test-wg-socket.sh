#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-wg-socket.sh - Issue 13: l3.wg's UDP socket between two pktkit-hosts: GSO/GRO, their fallback, fwmark
#
# Namespaces A and B joined by a veth (10.88.0.1 - 10.88.0.2). In each a
# pktkit-host runs io.tun (with 'offload': 64 KB super-packets between the
# kernel and io.tun) linked to an l3.wg whose one peer is the other side
# (inner 10.99.0.1/24 in A, 10.99.0.2/24 in B). A serves a 24 MB file over
# HTTP on 10.99.0.1:8080; B fetches it with curl and checks its sha256.
#   offload    both sides report udp-gso and udp-gro in their status; after
#              the download A (the sender) counted udp-gso-sends and B (the
#              receiver) udp-gro-receives: the datagrams really went in runs;
#              and B coalesced the decrypted segments into TCP super-packets
#              for its io.tun (rx-super-packets)
#   fallback   A's veth MTU drops to 1400, below a sealed datagram's 1480
#              bytes on the wire, so the kernel refuses A's UDP GSO sends
#              (EMSGSIZE: it will not build segments the route must
#              fragment; vendor kernels refuse every GSO send, with EINVAL
#              or EIO, and take the same path): the next
#              download is still intact (single sends, fragmented by IP), A
#              counted udp-gso-fallbacks 1, logged it, reports udp-gso false
#              and made no GSO send after it
#   off        both restarted with "udp-offload": false: neither reports
#              udp-gso/udp-gro, no GSO send or GRO receive is counted, the
#              download is intact
#   fwmark     B gets a second address 10.77.0.2 that A reaches only through
#              routing table 100, chosen by the rule "fwmark 100" (A's main
#              table has no route to it). A's l3.wg has B's endpoint there
#              and B has none for A (it learns it from A's initiation).
#              Without a mark A's pings fail (no handshake, io-errors
#              counted); with "fwmark": 100 they pass and the download is
#              intact
# Environment: PKTKIT_HOST (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
interop_init wgo
require curl python3 sha256sum wg
ctl_init
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$(python3 -c 'import sys; print(sys.executable)')

ns_new A a
ns_new B b
VA=pkwgoa$$
VB=pkwgob$$
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$A"
ip link set "$VB" netns "$B"
ip -n "$A" addr add 10.88.0.1/24 dev "$VA"
ip -n "$B" addr add 10.88.0.2/24 dev "$VB"
ip -n "$A" link set "$VA" up
ip -n "$B" link set "$VB" up
(umask 077
 wg genkey >"$T/a.key"; wg pubkey <"$T/a.key" >"$T/a.pub"
 wg genkey >"$T/b.key"; wg pubkey <"$T/b.key" >"$T/b.pub")

mkdir "$T/www"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$T/www/big"
WANT=$(sha256sum <"$T/www/big" | cut -d' ' -f1)

# topology SIDE OFFLOAD: the side's pktkit-host topology; the peer's endpoint
# is EP_a / EP_b (empty: learnt), EXTRA_a / EXTRA_b more l3.wg parameters
EP_a=10.88.0.2:51821
EP_b=10.88.0.1:51820
EXTRA_a=
EXTRA_b=
topology() {	# SIDE OFFLOAD
	local me=$1 other addr peer_addr port ns ep extra
	if [ "$me" = a ]; then other=b addr=10.99.0.1 peer_addr=10.99.0.2 port=51820 ns=$A
	else other=a addr=10.99.0.2 peer_addr=10.99.0.1 port=51821 ns=$B; fi
	ep=$(eval echo "\$EP_$me")
	extra=$(eval echo "\$EXTRA_$me")
	cat >"$T/topo-$me.json" <<JSON
{
  "devices": {
    "tun": { "type": "io.tun", "ifname": "wgo$me$$", "netns": "$ns", "mtu": 1420, "offload": true,
             "addresses": [ { "prefix": "$addr/24" } ] },
    "wg0": { "type": "l3.wg", "private-key-file": "$T/$me.key", "listen-port": $port,
             "udp-offload": $2,${extra:+ $extra,}
             "peers": [ { "public-key": "$(cat "$T/$other.pub")", "endpoint": "$ep",
                          "allowed-ips": "$peer_addr/32" } ] }
  },
  "links": [ ["tun", "wg0.ip"] ]
}
JSON
	"$PKTKIT_HOST" --check "$T/topo-$me.json" || fail "pktkit-host --check refused topo-$me.json"
}

start_side() {	# SIDE NS
	local log=$T/host-$1.log
	ip netns exec "$2" "$PKTKIT_HOST" --dbus-address "unix:path=$T/ctl-$1.sock" "$T/topo-$1.json" >"$log" 2>&1 &
	eval "PID_$1=$!"
	wait_for "$log" ': running [0-9]+ device' 10 || { cat "$log" >&2; fail "pktkit-host ($1) did not start"; }
}
stop_side() {	# SIDE
	local pid
	pid=$(eval echo "\$PID_$1")
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" || fail "pktkit-host ($1) exited with status $? after SIGTERM"
}
start_both() {	# OFFLOAD
	topology a "$1"
	topology b "$1"
	start_side a "$A"
	start_side b "$B"
	ip netns exec "$A" "$PY" "$HERE/slirp-peer.py" serve "$T/www" 8080 8081 10.99.0.1 >"$T/serve.log" 2>&1 &
	SERVE_JOB=$!
	wait_for "$T/serve.log" ready 10 || { cat "$T/serve.log" >&2; fail "HTTP server did not start"; }
}
stop_both() {
	kill_tree "$SERVE_JOB"
	wait "$SERVE_JOB" 2>/dev/null || true
	stop_side a
	stop_side b
}

ctl_of() { local s=$1; shift; "$CTL" --address "unix:path=$T/ctl-$s.sock" "$@"; }
counter() {	# SIDE NAME
	sleep 0.7	# the D-Bus Counters property is refreshed every 500 ms
	ctl_of "$1" stats wg0 | awk -v c="$2" '$2 == c { print $3 }'
}
status_field() {	# SIDE FIELD (JSON value, or nothing)
	ctl_of "$1" --json status wg0 | "$PY" -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else json.dumps(v))' "$2"
}
fetch() {	# LABEL
	local got
	got=$(ip netns exec "$B" curl -sS --max-time 60 http://10.99.0.1:8080/big | sha256sum | cut -d" " -f1 || true)
	[ "$got" = "$WANT" ] || { ctl_of a stats wg0 | grep -E "io-err|gso|gro|queue|tx-p" >&2; fail "$1: the 24 MB download through the tunnel is not intact"; }
	echo "$1: 24 MB through the tunnel, sha256 ok"
}

echo "== offload"
start_both true
for s in a b; do
	[ "$(status_field $s udp-gso)" = true ] || fail "offload: side $s does not report udp-gso true"
	[ "$(status_field $s udp-gro)" = true ] || fail "offload: side $s does not report udp-gro true"
done
fetch offload
sends=$(counter a udp-gso-sends)
gro=$(counter b udp-gro-receives)
supers=$(counter b rx-super-packets)
echo "offload: sender udp-gso-sends $sends, receiver udp-gro-receives $gro, rx-super-packets $supers"
[ "${sends:-0}" -gt 0 ] || fail "offload: the sender made no GSO send"
[ "${gro:-0}" -gt 0 ] || fail "offload: the receiver got no coalesced message"
[ "${supers:-0}" -gt 0 ] || fail "offload: the receiver built no TCP super-packet for its io.tun"
[ "$(counter a udp-gso-fallbacks)" = 0 ] || fail "offload: a fallback was counted on a path that can segment"
echo "PASS: offload"

echo "== fallback"
ip -n "$A" link set "$VA" mtu 1400 || fail "cannot set $VA's MTU"
before=$(counter a udp-gso-sends)
fetch fallback
[ "$(counter a udp-gso-fallbacks)" = 1 ] || fail "fallback: udp-gso-fallbacks is not 1"
[ "$(status_field a udp-gso)" = false ] || fail "fallback: side a still reports udp-gso true"
[ "$(counter a udp-gso-sends)" = "$before" ] || fail "fallback: GSO sends went on after the fallback"
grep -q "UDP GSO refused" "$T/host-a.log" || fail "fallback: the refusal was not logged"
echo "PASS: fallback"
stop_both
ip -n "$A" link set "$VA" mtu 1500

echo "== off"
start_both false
for s in a b; do
	[ "$(status_field $s udp-gso)" = false ] || fail "off: side $s reports udp-gso"
	[ "$(status_field $s udp-gro)" = false ] || fail "off: side $s reports udp-gro"
done
fetch off
[ "$(counter a udp-gso-sends)" = 0 ] || fail "off: GSO sends counted with udp-offload false"
[ "$(counter b udp-gro-receives)" = 0 ] || fail "off: GRO receives counted with udp-offload false"
echo "PASS: off"
stop_both

echo "== fwmark"
ip -n "$B" addr add 10.77.0.2/32 dev "$VB"
ip -n "$A" route add 10.77.0.2/32 dev "$VA" table 100
ip -n "$A" rule add fwmark 100 lookup 100
EP_a=10.77.0.2:51821
EP_b=
start_both true
if ip netns exec "$A" ping -c 2 -i 0.3 -W 1 10.99.0.2 >/dev/null 2>&1; then
	fail "fwmark: a ping got through without the mark, past a route A does not have"
fi
[ "$(counter a handshakes)" = 0 ] || fail "fwmark: a handshake without the mark"
[ "$(counter a io-errors)" -gt 0 ] || fail "fwmark: the unroutable sends were not counted as io-errors"
stop_both
EXTRA_a='"fwmark": 100'
start_both true
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 10.99.0.2 >/dev/null || fail "fwmark: no ping with the mark set"
[ "$(counter a handshakes)" = 1 ] || fail "fwmark: not one handshake with the mark"
fetch fwmark
echo "PASS: fwmark"
stop_both
echo "PASS: wg-socket"
