#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-vclient-synflood.sh - Issue 6 interop 4: SYN flood from the kernel side at a vclient listener; SYN cookies keep a real client working, memory bounded
#
# A raw-socket flooder (vclient-synflood.py) in the namespace sends SYNs from random
# spoofed 10.98.0.0/16 sources to 10.98.0.2:5000 (VC_FLOOD_RATE per second, for the
# whole test) while the kernel's socat sends VC_FLOOD_BYTES (10 MB) to the same
# listener of vclient-peer --sink. The vclient allows 64 half-open connections
# per listener (tcp-max-half-open), so the real client's SYN is answered with a
# cookie. Checks: the data arrives intact with SACK, timestamps and window scaling
# recovered from the cookie; tcp-syncookies-sent > 0 and the connection came from
# a cookie; the engine never held more than 64 + a few connections (sampled every
# 100 ms and at every accept) and the peer's RSS grew by less than 32 MiB. (Under
# AddressSanitizer every packet buffer is a malloc and freed memory waits in ASan's
# quarantine, 256 MiB by default: the peer then runs with a 16 MiB quarantine and
# the bound is 32 MiB more.)
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/vclient-lib.sh"
interop_init vcf
vc_setup

BYTES=${VC_FLOOD_BYTES:-10000000}
RATE=${VC_FLOOD_RATE:-20000}
HALF_OPEN=64
RSS_BOUND_KB=32768
if ldd "$VCLIENT_PEER" 2>/dev/null | grep -q libasan; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	RSS_BOUND_KB=65536
fi
vc_topology "$T/topo.json" "" "\"tcp-max-half-open\": $HALF_OPEN"
log=$T/peer.log
vc_peer_start "$log" "$T/topo.json" --listen 10.98.0.2:5000 --sink --max-conns 1 --stats-interval 100
ip -n "$VC_NS" link set pkvc txqueuelen 10000
exp=$(vc_expect_sha "$BYTES")

ip netns exec "$VC_NS" timeout 150 python3 "$HERE/vclient-synflood.py" 10.98.0.2 5000 \
	--secs 120 --rate "$RATE" >"$T/flood.txt" 2>&1 &
flood=$!
# Let the half-open slots fill up and the cookies start.
for _ in $(seq 100); do
	[ "$(vc_field "$log" stats syncookies-sent)" -gt 100 ] 2>/dev/null && break; sleep 0.1
done
echo "flooding: $(grep '^stats' "$log" | tail -n 1)"
"$VCLIENT_PEER" --gen "$BYTES" | ip netns exec "$VC_NS" timeout 120 socat -u - "TCP4:10.98.0.2:5000$VC_CC" ||
	{ cat "$log" >&2; fail "the kernel client could not send during the flood"; }
vc_peer_wait "$log"
kill -TERM "$flood" 2>/dev/null; wait "$flood" 2>/dev/null || true
grep -E '^(conn|info|summary|counters vc|tcp-stats|peer)' "$log"

[ "$(vc_field "$log" conn received)" = "$BYTES" ] && [ "$(vc_field "$log" conn sha256-in)" = "$exp" ] ||
	fail "the data received during the flood differs from what was sent"
[ "$(vc_field "$log" info sack)" = 1 ] && [ "$(vc_field "$log" info timestamps)" = 1 ] &&
	[ "$(vc_field "$log" info wscale | cut -d, -f1)" -gt 0 ] ||
	fail "SACK, timestamps or window scaling lost through the SYN cookie"
sent=$(vc_field "$log" 'counters vc' tcp-syncookies-sent)
ok=$(vc_field "$log" 'counters vc' tcp-syncookies-ok)
[ "$sent" -gt 0 ] || fail "no SYN cookies were sent"
[ "$ok" -ge 1 ] || fail "the client's connection did not come from a SYN cookie (syncookies-ok $ok)"
max=$(grep -E '^stats|^peer' "$log" | grep -oE '(tcp-connections|max-tcp-connections)=[0-9]+' | cut -d= -f2 | sort -n | tail -n 1)
[ "$max" -le $(( HALF_OPEN + 4 )) ] || fail "the engine held $max connections (bound $(( HALF_OPEN + 4 )))"
rss0=$(awk '/^stats/ { for (i = 2; i <= NF; i++) if ($i ~ /^rss-kb=/) { sub(/.*=/, "", $i); print $i; exit } }' "$log")
rss1=$(vc_field "$log" peer max-rss-kb)
[ $(( rss1 - rss0 )) -lt $RSS_BOUND_KB ] || fail "the peer's RSS grew from $rss0 to $rss1 KiB"
echo "RESULT SYN flood: $(cat "$T/flood.txt"), $sent cookies sent, client $(vc_field "$log" conn mbps) Mbit/s, at most $max connections, RSS ${rss0} -> ${rss1} KiB"
echo "PASS"
