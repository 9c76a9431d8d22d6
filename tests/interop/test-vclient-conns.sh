#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-vclient-conns.sh - Issue 6 interop 3: 2000 concurrent kernel TCP connections to an l3.vclient echo listener, all served
#
# The kernel (python3 asyncio, vclient-conns.py) opens VC_CONNS (2000) connections
# to vclient-peer --echo on 10.98.0.2:7 through io.tun, all at once; each echoes a
# message while every other one is still open, then closes. The vclient has 4 KiB
# send and receive buffers. Checks: the client saw every connection echoed and
# closed; the peer served them all with VC_CONNS open at the same time, none
# failed; its TCP counters agree (no RST from a full backlog, no connection limit
# hit, nothing reset).
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/vclient-lib.sh"
interop_init vcc
vc_setup

N=${VC_CONNS:-2000}
vc_topology "$T/topo.json" "" '"tcp-sndbuf": 4096, "tcp-rcvbuf": 4096, "tcp-time-wait": "100ms"'
log=$T/peer.log
vc_peer_start "$log" "$T/topo.json" --listen 10.98.0.2:7 --echo --max-conns "$N" --quiet --backlog 4096
# 2000 SYNs in a burst: room for them in the TUN's queue.
ip -n "$VC_NS" link set pkvc txqueuelen 10000
ip netns exec "$VC_NS" timeout 150 python3 "$HERE/vclient-conns.py" 10.98.0.2 7 "$N" --timeout 120 \
	>"$T/client.txt" 2>&1 || { cat "$T/client.txt" >&2; cat "$log" >&2; fail "kernel client: not every connection was served"; }
cat "$T/client.txt"
vc_peer_wait "$log"
grep -E '^(summary|counters vc|tcp-stats|peer)' "$log"
served=$(vc_field "$log" summary served)
maxc=$(vc_field "$log" summary max-concurrent)
[ "$served" = "$N" ] && [ "$(vc_field "$log" summary failed)" = 0 ] ||
	fail "the vclient served $served of $N connections (failed $(vc_field "$log" summary failed))"
[ "$maxc" = "$N" ] || fail "only $maxc connections were open at the same time, expected $N"
for c in tcp-backlog-full tcp-conn-limit dropped-no-buffer; do
	[ "$(vc_field "$log" 'counters vc' $c)" = 0 ] || fail "counter $c is $(vc_field "$log" 'counters vc' $c)"
done
[ "$(vc_field "$log" tcp-stats rst-accepted)" = 0 ] || fail "connections were reset"
created=$(vc_field "$log" tcp-stats conns-created)
[ "$created" -ge "$N" ] || fail "conns-created $created < $N"
echo "RESULT $N concurrent connections: $(grep -o 'secs=[0-9.]*' "$T/client.txt") (SYN cookies $(vc_field "$log" tcp-stats syncookies-ok) of them)"
echo "PASS"
