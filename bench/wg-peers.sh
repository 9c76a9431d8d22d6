#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# wg-peers.sh - Memory per idle WireGuard peer: pktkit-host's l3.wg vs wireguard-go, RSS with 0, 1000 and 5000 peers
#
#   usage: bench/wg-peers.sh [BUILD_DIR]   (root; default BUILD_DIR: build)
#   env:   COUNTS="0 1000 5000" peer counts (0 is the baseline and always run),
#          RUNS (default 3), SETTLE seconds between configuring and reading
#          the RSS (default 2), CI
#
# Each measurement runs in a fresh namespace (its own UDP port space):
#   pktkit        pktkit-host with one l3.wg "wg0" (listen-port 51820, no
#                 link) whose peers are given in the topology
#   wireguard-go  wireguard-go (foreground) on a TUN, link up, its peers set
#                 with wg setconf
# Every peer has its own public key (X25519, generated with python3's
# cryptography package), an allowed-ips /32 of its own (10.100.0.0/16 and
# up) and an endpoint (10.88.x.y:51820, never used: no traffic). VmRSS of the
# process is read SETTLE s after it has its peers; bytes per peer =
# (RSS(N) - RSS(0)) / N, with RSS(0) of the same run. The l3.wg takes at most
# WG_MAX_PEERS (65535) peers: a count above it is checked to be refused by
# pktkit-host --check and reported as such, not measured. The script also
# checks that each process has its peers (wg show peers | wc -l; the l3.wg
# status "peers").
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/interop/lib.sh"
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
COUNTS=${COUNTS:-0 1000 5000}
RUNS=${RUNS:-3}
SETTLE=${SETTLE:-2}
M=$BUILD/modules
export PKTKIT_HOST=${PKTKIT_HOST:-$BUILD/core/host/pktkit-host}
export PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-$M/tuntap:$M/wg}
export PKTKIT_MODULE_SYSTEM_PATH=${PKTKIT_MODULE_SYSTEM_PATH-}
PK_MAX=65535

interop_init wgm
require wireguard-go wg python3
[ -x "$PKTKIT_HOST" ] || fail "no pktkit-host at $PKTKIT_HOST (build first)"
ctl_init
at_exit rm -f "/var/run/wireguard/wgm$$.sock"
python3 -c 'import cryptography.hazmat.primitives.asymmetric.x25519' 2>/dev/null ||
	skip "python3's cryptography package (X25519) is not installed"
COUNTS=$(tr ' ' '\n' <<<"0 $COUNTS" | grep . | sort -un | tr '\n' ' ')
MAXN=$(tr ' ' '\n' <<<"$COUNTS" | sort -n | tail -1)

(umask 077; wg genkey >"$T/self.key")
# peers.txt: "public-key allowed-ip endpoint" per line, MAXN lines
python3 - "$MAXN" >"$T/peers.txt" <<'PY'
import base64, sys
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives import serialization
raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
for i in range(int(sys.argv[1])):
    pub = X25519PrivateKey.generate().public_key().public_bytes(*raw)
    print(base64.b64encode(pub).decode(), "10.%d.%d.%d/32" % (100 + i // 65536, i // 256 % 256, i % 256),
          "10.88.%d.%d:51820" % (i // 250 % 250, 1 + i % 250))
PY
[ "$(wc -l <"$T/peers.txt")" = "$MAXN" ] || fail "key generation gave $(wc -l <"$T/peers.txt") keys, not $MAXN"

N_NS=0
fresh_ns() { N_NS=$((N_NS + 1)); ns_new NSX "m$N_NS"; }
# the namespace is gone: lib.sh's cleanup must not delete it again
# shellcheck disable=SC2034
drop_ns() { ip netns del "$NSX"; INTEROP_NS=(); }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

topology() {	# N FILE
	python3 - "$1" "$T/peers.txt" "$T/self.key" >"$2" <<'PY'
import json, sys
n = int(sys.argv[1])
peers = []
for line in open(sys.argv[2]).read().splitlines()[:n]:
    k, a, e = line.split()
    peers.append({"public-key": k, "allowed-ips": a, "endpoint": e})
print(json.dumps({"devices": {"wg0": {"type": "l3.wg", "private-key-file": sys.argv[3],
                                      "listen-port": 51820, "peers": peers}}, "links": []}))
PY
}

# run_pk N: sets RSS (kB) of pktkit-host with N peers
run_pk() {
	local n=$1 log=$T/pk.log p got
	topology "$n" "$T/topo.json"
	fresh_ns
	ip netns exec "$NSX" "$PKTKIT_HOST" --dbus-address "unix:path=$T/ctl.sock" "$T/topo.json" >"$log" 2>&1 &
	p=$!
	for _ in $(seq 300); do
		grep -qE ': running [0-9]+ device' "$log" 2>/dev/null && break
		kill -0 "$p" 2>/dev/null || { cat "$log" >&2; fail "pktkit-host with $n peers exited"; }
		sleep 0.1
	done
	grep -qE ': running [0-9]+ device' "$log" || fail "pktkit-host with $n peers did not start"
	got=$(ctl --json status wg0 | python3 -c 'import json, sys; print(json.load(sys.stdin)["peers"])')
	[ "$got" = "$n" ] || fail "pktkit-host: l3.wg has $got peers, not $n"
	sleep "$SETTLE"
	RSS=$(rss_kb "$p")
	kill -TERM "$p"; wait "$p" || fail "pktkit-host with $n peers: exit status $? after SIGTERM"
	drop_ns
}

# run_go N: sets RSS (kB) of wireguard-go with N peers
run_go() {
	local n=$1 tun=wgm$$ p got
	fresh_ns
	ip netns exec "$NSX" env WG_PROCESS_FOREGROUND=1 wireguard-go "$tun" >"$T/go.log" 2>&1 &
	p=$!
	for _ in $(seq 50); do [ -S "/var/run/wireguard/$tun.sock" ] && break; sleep 0.1; done
	[ -S "/var/run/wireguard/$tun.sock" ] || { cat "$T/go.log" >&2; fail "wireguard-go did not start"; }
	ip -n "$NSX" link set "$tun" mtu 1420 up
	{ printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n' "$(cat "$T/self.key")"
	  head -n "$n" "$T/peers.txt" | while read -r k a e; do
		printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s\n' "$k" "$a" "$e"
	  done; } >"$T/go.conf"
	wg setconf "$tun" "$T/go.conf" || fail "wg setconf with $n peers failed"
	got=$(wg show "$tun" peers | wc -l)
	[ "$got" = "$n" ] || fail "wireguard-go has $got peers, not $n"
	sleep "$SETTLE"
	RSS=$(rss_kb "$p")
	kill -TERM "$p"; wait "$p" 2>/dev/null || true
	kill -0 "$p" 2>/dev/null && fail "wireguard-go did not stop"
	rm -f "/var/run/wireguard/$tun.sock"
	drop_ns
}

echo "loadavg at the start: $(cat /proc/loadavg)" >&2
declare -A R
for n in $COUNTS; do
	if [ "$n" -gt $PK_MAX ]; then
		topology "$n" "$T/big.json"
		if "$PKTKIT_HOST" --check "$T/big.json" >"$T/check.log" 2>&1; then
			fail "pktkit-host --check accepted $n peers (limit $PK_MAX?): measure it"
		fi
		echo "  pktkit $n peers: refused by pktkit-host --check: $(grep -m1 -i peers "$T/check.log" || head -1 "$T/check.log")" >&2
	fi
done
for r in $(seq "$RUNS"); do
	for n in $COUNTS; do
		for impl in pk go; do
			[ $impl = pk ] && [ "$n" -gt $PK_MAX ] && continue
			"run_$impl" "$n"
			R[$impl.$n]="${R[$impl.$n]:-} $RSS"
			echo "  run $r $impl $n peers: VmRSS $RSS kB (loadavg $(cut -d' ' -f1-3 /proc/loadavg))" >&2
		done
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
list() { sed 's/^ //; s/ /, /g'; }
per_peer() {	# IMPL N: bytes per peer of each run, from the same run's 0-peer RSS
	local i=1 base out=""
	for v in ${R[$1.$2]}; do
		base=$(echo "${R[$1.0]}" | cut -d' ' -f$((i + 1)))
		out="$out $(awk -v a="$v" -v b="$base" -v n="$2" 'BEGIN { printf "%.0f", (a - b) * 1024 / n }')"
		i=$((i + 1))
	done
	echo "$out"
}

echo
echo "RSS of the WireGuard process with N idle peers ($(uname -r), $(date -u '+%F %H:%M UTC'), $RUNS run(s), settle ${SETTLE} s)"
echo "versions: $(wireguard-go --version 2>&1 | head -1); loadavg at the end: $(cat /proc/loadavg)"
echo
echo "| process | peers | VmRSS kB (runs) | median | bytes per peer (runs) | median |"
echo "|---|---:|---|---:|---|---:|"
for impl in pk go; do
	for n in $COUNTS; do
		name=pktkit-host; [ $impl = go ] && name=wireguard-go
		if [ $impl = pk ] && [ "$n" -gt $PK_MAX ]; then
			echo "| $name | $n | refused (l3.wg takes at most $PK_MAX peers) | - | - | - |"
			continue
		fi
		if [ "$n" = 0 ]; then pp="-"; ppm="-"; else pp=$(per_peer $impl "$n"); ppm=$(echo "$pp" | median); pp=$(echo "$pp" | list); fi
		echo "| $name | $n | $(echo "${R[$impl.$n]}" | list) | $(echo "${R[$impl.$n]}" | median) | $pp | $ppm |"
	done
done
