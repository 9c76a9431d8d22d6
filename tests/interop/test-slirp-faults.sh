#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-slirp-faults.sh - Issue 12: l3.slirp survives faults: servers that cut, guests that vanish, many flows, scans, restarts
#
# The set-up is slirp-lib.sh's (guest namespace on a TAP - l2.hub - l3.adapter -
# l3.slirp - the host namespace's loopback), with short timers in the slirp:
# keepalive 1s, udp-timeout 5s, tcp-connect-timeout 2s. The whole test runs with
# a soft open-file limit of 1024 (the usual default; the hard one as it is), so
# pktkit-host must raise its own to carry thousands of flows. More servers on the
# host's loopback (slirp-peer.py): "truncate" on 8081 (FIN) and 8082 (RST),
# "conn-server" on 8083, "echo-server" on 8084. Each check is a fault the slirp
# must survive: pktkit-host stays alive and answers, nothing hangs, no flow or
# host socket is left behind (flow table and /proc/PID/fd), numbers printed.
#   server-close  the server cuts a 32 MB answer after 8 MB: with a FIN curl ends
#                 with exit 18 (transfer closed), with SO_LINGER 0 (RST) with exit 56
#                 (reset), each within 5 s; the TCP flows drain to 0 within 10 s
#   many-flows    2000 TCP connections open at once, an echo on each (60 s at most);
#                 "flows" >= 2000 while they are open; then the table drains, fds back
#   restart       a held TCP connection and a UDP flow; `pktkitctl rm slirp`, add it
#                 again with the same parameters, link it: the host server sees its
#                 connection end within 5 s, the guest's next send gets a RST, the
#                 host's fd count is back at its baseline, a new curl works
#   port-scan     with max-flows 1000 and tcp-connect-timeout 5s: TCP connects to 10,000 refused ports, 20000-29999
#                 (below the ephemeral range: a host socket whose own port is the one
#                 it connects to would connect to itself; every one refused), to 10,000 ports of a black hole (the host's connect
#                 never completes: flows wait for tcp-connect-timeout, the excess is
#                 refused at once: 900..1000 flows after the burst), UDP to
#                 10,000 ports; "flows" sampled all along never above 1000,
#                 flow-limit counts the excess (>= 1000); after the reaping
#                 pktkit-host's fds within 8 of before, its RSS grown < 32 MB
#                 (+ 256 MB under AddressSanitizer: its quarantine of freed memory)
#   guest-vanish  a second and a third guest (io.tap added over D-Bus) download
#                 resp. upload without end; the guest's link goes down, the client
#                 is killed (-9) and, for the download, the TAP is deleted under io.tap
#                 and the namespace too (io.tap's open /dev/net/tun would keep the
#                 namespace, and so the TAP, alive). pktkit-host keeps answering and does
#                 not spin (CPU < 20% while idle); the host server sees its connection
#                 end within 150 s resp. 30 s: the TCP engine gives up after its 8th
#                 retransmission (backoff from the 200 ms minimum RTO: ~102 s), resp.
#                 9 keepalive probes 1 s apart go unanswered (~11 s); the flows drain
# Environment: PKTKIT_HOST, PKTKIT_MODULE_PATH (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slirp-lib.sh"
interop_init slirpf

PORT_CLOSE=8081
PORT_RESET=8082
PORT_CONN=8083
PORT_ECHO=8084
SLIRP_TIMERS='"keepalive": "1s", "udp-timeout": "5s", "tcp-connect-timeout": "2s"'

# pktkit-host's open fds, resident memory (kB), CPU ticks (user + system).
host_fds() { find "/proc/$HOST_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
host_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$HOST_PID/status"; }
host_ticks() { awk '{ print $14 + $15 }' "/proc/$HOST_PID/stat"; }
host_alive() {
	kill -0 "$HOST_PID" 2>/dev/null || cfail "pktkit-host (pid $HOST_PID) died"
	ctl status slirp >/dev/null || cfail "pktkitctl status slirp failed: pktkit-host does not answer"
}

# wait_count FILE REGEX N SECS: until REGEX matches at least N lines of FILE.
wait_count() {
	for _ in $(seq $(( $4 * 10 ))); do
		[ "$(grep -cE "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# slirp_readd [KEY=VALUE...]: remove the slirp over D-Bus, add it again with the
# topology's parameters (KEY=VALUE overrides) and link it to the adapter.
slirp_readd() {
	local args
	mapfile -t args < <(python3 - "$T/topo.json" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["devices"]["slirp"]
d.pop("type")
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    d[k] = v
for k, v in d.items():
    print("%s=%s" % (k, v if isinstance(v, str) else json.dumps(v)))
PY
)
	ctl rm slirp || cfail "pktkitctl rm slirp failed"
	ctl add slirp l3.slirp "${args[@]}" || cfail "pktkitctl add slirp l3.slirp ${args[*]} failed"
	ctl link gw.ip slirp || cfail "pktkitctl link gw.ip slirp failed"
}

# server-close -------------------------------------------------------------------

check_server_close() {
	local port want what n
	for port in $PORT_CLOSE $PORT_RESET; do
		if [ "$port" = "$PORT_CLOSE" ]; then want=18 what=FIN; else want=56 what=RST; fi
		sl_curl "$T/cut" --max-time 20 "http://10.0.2.2:$port/big"
		n=$(stat -c %s "$T/cut" 2>/dev/null || echo 0)
		echo "$what: curl exit $SL_RC after $SL_MS ms, $n of $((32 << 20)) bytes: $(grep -m1 -E '^curl: ' "$T/cut.log" || true)"
		[ "$SL_RC" = "$want" ] || { tail -n 5 "$T/cut.log" >&2; cfail "$what from the server: curl exit $SL_RC, expected $want"; }
		[ "$SL_MS" -lt 5000 ] || cfail "$what from the server: curl saw it only after $SL_MS ms (expected < 5000)"
		[ "$n" -gt 0 ] && [ "$n" -lt $((32 << 20)) ] || cfail "$what: curl got $n bytes"
		sl_wait_flows tcp 0 10 || cfail "$what: TCP flows left after 10 s: $(sl_flows tcp)"
		echo "$what: the TCP flows drained in $SL_MS ms"
	done
	host_alive
}

# many-flows ---------------------------------------------------------------------

check_many_flows() {
	local n=2000 pid flows fds0 fds rc=0
	fds0=$(host_fds)
	gx timeout 120 python3 "$SL_PEER" many 10.0.2.2 "$PORT_ECHO" "$n" 60 8 >"$T/many.log" 2>&1 &
	pid=$!
	wait_for "$T/many.log" '^answered' 70 || { cat "$T/many.log" >&2; cfail "the client never reported"; }
	flows=$(sl_flows)
	fds=$(host_fds)
	echo "$(head -n1 "$T/many.log"); slirp flows $flows; pktkit-host fds $fds (before $fds0), $(grep 'open files' "/proc/$HOST_PID/limits")"
	wait "$pid" || rc=$?
	[ $rc = 0 ] || { cat "$T/many.log" >&2; ctl stats slirp | grep -E 'socket|limit' >&2; cfail "not every connection was answered (exit $rc)"; }
	[ "$flows" -ge "$n" ] || cfail "status 'flows' is $flows while $n connections were open"
	sl_wait_flows tcp 0 20 || cfail "TCP flows left 20 s after the close"
	echo "the $n flows drained in $SL_MS ms; pktkit-host fds $(host_fds)"
	[ "$(host_fds)" -le $((fds0 + 2)) ] || cfail "pktkit-host has $(host_fds) fds, $fds0 before"
	host_alive
}

# restart ------------------------------------------------------------------------

check_restart() {
	local fds0 fds pid ends tcp udp
	fds0=$(host_fds)
	ends=$(grep -c '^end hold' "$T/conn.log" || true)
	mkfifo "$T/probe.in"
	gx timeout 60 python3 "$SL_PEER" probe 10.0.2.2 "$PORT_CONN" <"$T/probe.in" >"$T/probe.log" 2>&1 &
	pid=$!
	exec 7>"$T/probe.in"
	wait_for "$T/probe.log" '^connected' 10 || { cat "$T/probe.log" >&2; cfail "the held connection did not open"; }
	gx timeout 20 python3 "$SL_PEER" udp-echo 10.0.2.2 "$SL_UDP" >/dev/null || cfail "UDP echo failed"
	# At once: the UDP flow lasts udp-timeout (5 s) only.
	tcp=$(sl_flows tcp) udp=$(sl_flows udp) fds=$(host_fds)
	echo "before: $tcp TCP and $udp UDP flows, pktkit-host fds $fds (baseline $fds0)"
	[ "$tcp" -ge 1 ] && [ "$udp" -ge 1 ] || cfail "the flows are not in the table"
	slirp_readd
	wait_count "$T/conn.log" '^end hold' $((ends + 1)) 5 ||
		cfail "the host server's held connection did not end within 5 s of the slirp's removal"
	echo "host server: $(grep '^end hold' "$T/conn.log" | tail -n1)"
	echo >&7
	wait_for "$T/probe.log" '^probe:' 10 || cfail "the guest's send after the restart got no answer in 10 s"
	exec 7>&-
	wait "$pid" 2>/dev/null || true
	echo "guest: $(grep '^probe:' "$T/probe.log")"
	grep -q '^probe: reset' "$T/probe.log" || cfail "the guest's old connection was not reset"
	fds=$(host_fds)
	echo "after: $(sl_flows) flows, pktkit-host fds $fds (baseline $fds0)"
	[ "$fds" -le $((fds0 + 1)) ] || cfail "pktkit-host has $fds fds after the restart, $fds0 before"
	sl_curl "$T/index" --max-time 10 "http://10.0.2.2:$SL_HTTP/"
	[ "$SL_RC" = 0 ] && grep -q 'slirp interop' "$T/index" || cfail "no HTTP through the restarted slirp (curl exit $SL_RC)"
	echo "new curl through the restarted slirp: ok in $SL_MS ms"
	host_alive
}

# port-scan ----------------------------------------------------------------------

# Sample "flows" every 0.1 s into $T/samples until $T/sampling goes away.
sample_flows() {
	: >"$T/samples"
	touch "$T/sampling"
	while [ -e "$T/sampling" ]; do
		sl_flows >>"$T/samples" 2>/dev/null || true
		sleep 0.1
	done
}

check_port_scan() {
	local fds0 rss0 fds rss lim0 lim max out sp pid n full bound
	slirp_readd max-flows=1000 tcp-connect-timeout=5s
	ip -n "$SL_HOST" route add 198.51.100.0/24 dev lo	# SYNs there vanish
	sleep 0.5
	fds0=$(host_fds) rss0=$(host_rss) lim0=$(stat_of slirp flow-limit)
	echo "before: pktkit-host fds $fds0, VmRSS $rss0 kB, flow-limit $lim0"
	sample_flows &
	sp=$!
	out=$(gx timeout 60 python3 "$SL_PEER" scan tcp 10.0.2.2 20000 10000 20) || cfail "scan tcp (refused) failed"
	echo "refused ports: $(tail -n1 <<<"$out")"
	grep -q '^scan tcp: 10000 refused' <<<"$out" || cfail "not every connect to a refused port was refused"
	# The black hole's flows wait 5 s (tcp-connect-timeout): the table fills
	# during the burst (which takes seconds under ASan) and stays full.
	gx timeout 60 python3 "$SL_PEER" scan tcp 198.51.100.1 20000 10000 20 >"$T/scan.log" 2>&1 &
	pid=$!
	wait_for "$T/scan.log" 'connects sent' 30 || cfail "scan tcp (black hole): no burst"
	full=0
	for _ in 1 2 3 4 5 6; do n=$(sl_flows); [ "$n" -gt "$full" ] && full=$n; done
	wait "$pid" || cfail "scan tcp (black hole) failed"
	echo "black hole: $(tail -n1 "$T/scan.log"); most flows in 6 samples after the burst: $full"
	[ "$full" -ge 900 ] && [ "$full" -le 1000 ] || cfail "$full flows right after the burst of 10,000 connects, max-flows is 1000"
	out=$(gx timeout 60 python3 "$SL_PEER" scan udp 10.0.2.2 20000 10000 0) || cfail "scan udp failed"
	echo "udp: $out"
	sleep 1
	rm -f "$T/sampling"
	wait "$sp"
	max=$(sort -n "$T/samples" | tail -n1)
	lim=$(stat_of slirp flow-limit)
	echo "flows sampled $(wc -l <"$T/samples") times, at most $max; flow-limit $lim0 -> $lim"
	[ "${max:-0}" -le 1000 ] || cfail "the slirp had $max flows, max-flows is 1000"
	[ $((lim - lim0)) -ge 1000 ] || cfail "flow-limit counted only $((lim - lim0)) refusals"
	sl_wait_flows "" 0 20 || cfail "flows left 20 s after the scans"
	sleep 1
	fds=$(host_fds) rss=$(host_rss)
	echo "after (flows drained in $SL_MS ms): pktkit-host fds $fds (before $fds0), VmRSS $rss kB (before $rss0: $(( rss - rss0 )) kB more)"
	[ "$fds" -le $((fds0 + 8)) ] || cfail "pktkit-host has $fds fds, $fds0 before"
	# AddressSanitizer keeps freed memory in its quarantine (256 MB by default):
	# there the bound is that much higher (its LeakSanitizer checks at exit).
	bound=32
	if grep -q libasan "/proc/$HOST_PID/maps"; then bound=$((32 + 256)); fi
	[ $((rss - rss0)) -lt $((bound * 1024)) ] || cfail "pktkit-host's RSS grew by $(( (rss - rss0) / 1024 )) MB (bound $bound MB)"
	ip -n "$SL_HOST" route del 198.51.100.0/24 dev lo
	host_alive
}

# guest-vanish -------------------------------------------------------------------

# vanish MODE NAME IFNAME ADDR4 BOUND DELNS
vanish() {
	local mode=$1 name=$2 ifn=$3 addr=$4 bound=$5 delns=$6 ns pid ends t0 c0 c1 secs
	ns_new ns "$name"
	ctl add "tap$name" io.tap ifname="$ifn" netns="$ns" \
		addresses="[{\"prefix\": \"$addr/24\"}]" \
		routes='[{"prefix": "0.0.0.0/0", "via": "10.0.2.1"}]' || cfail "pktkitctl add tap$name failed"
	ctl link "tap$name" lan || cfail "pktkitctl link tap$name lan failed"
	for _ in $(seq 50); do
		ip netns exec "$ns" ip -4 route show default 2>/dev/null | grep -q 'via 10.0.2.1' && break
		sleep 0.1
	done
	ends=$(grep -c "^end $mode" "$T/conn.log" || true)
	ip netns exec "$ns" timeout 300 python3 "$SL_PEER" stream 10.0.2.2 "$PORT_CONN" "$mode" \
		>"$T/stream-$name.log" 2>&1 &
	pid=$!
	wait_for "$T/stream-$name.log" '^connected' 10 || { cat "$T/stream-$name.log" >&2; cfail "$mode: no connection"; }
	sleep 1
	echo "$mode: the transfer runs: $(ctl --json status slirp | python3 -c '
import json, sys
for r in json.load(sys.stdin)["flow-table"]:
    if r["proto"] == "tcp":
        print("flow", r["guest"], r["state"], "guest-bytes", r["guest-bytes"], "host-bytes", r["host-bytes"])
' | grep "$addr")"
	t0=$(ms_now)
	ip -n "$ns" link set "$ifn" down
	# The client is a child of timeout: kill everything in the namespace.
	# shellcheck disable=SC2046
	kill -9 $(ip netns pids "$ns")
	wait "$pid" 2>/dev/null || true
	if [ "$delns" = 1 ]; then
		# Deleting the namespace alone would not remove the TAP: io.tap's fd
		# (/dev/net/tun, opened in it) keeps the namespace alive. Delete the
		# interface under io.tap, then the namespace: io.tap's fd stays open,
		# detached (its fdinfo no longer names the interface).
		ip -n "$ns" link del "$ifn"
		ip netns del "$ns"
		grep -qs "iff:.*$ifn" /proc/"$HOST_PID"/fdinfo/* && cfail "$mode: $ifn is still attached to io.tap's fd"
		echo "$mode: $ifn and the guest namespace are deleted"
	fi
	c0=$(host_ticks)
	sleep 3
	c1=$(host_ticks)
	echo "$mode: pktkit-host used $(( (c1 - c0) * 100 / $(getconf CLK_TCK) / 3 ))% CPU in the 3 s after the guest vanished"
	host_alive
	[ $(( (c1 - c0) * 100 / $(getconf CLK_TCK) / 3 )) -lt 20 ] || cfail "$mode: pktkit-host spins after the guest vanished"
	wait_count "$T/conn.log" "^end $mode" $((ends + 1)) $(( bound - ($(ms_now) - t0) / 1000 )) ||
		cfail "$mode: the host server's connection did not end within $bound s of the guest's vanishing"
	secs=$(( ($(ms_now) - t0) / 1000 ))
	echo "$mode: host server: $(grep "^end $mode" "$T/conn.log" | tail -n1) (${secs} s after the guest vanished)"
	sl_wait_flows tcp 0 10 || cfail "$mode: TCP flows left 10 s after the host socket closed"
	echo "$mode: tap$name counters (not 0): $(ctl stats "tap$name" | awk -v d="tap$name" '$1 == d && $3 != 0 { printf "%s%s=%s", s, $2, $3; s = ", " }')"
	ctl rm "tap$name" || cfail "pktkitctl rm tap$name failed"
	host_alive
}

check_guest_vanish() {
	local fds0
	fds0=$(host_fds)
	vanish down v1 pkslirp1 10.0.2.16 150 1
	vanish up v2 pkslirp2 10.0.2.17 30 0
	echo "pktkit-host fds $(host_fds) (before $fds0)"
	[ "$(host_fds)" -le $((fds0 + 1)) ] || cfail "pktkit-host has $(host_fds) fds, $fds0 before"
}

# The usual default soft limit; the hard one stays (pktkit-host may raise to it).
ulimit -Sn 1024
slirp_require_type
slirp_setup
for p in $PORT_CLOSE:close $PORT_RESET:reset; do
	hx python3 "$SL_PEER" truncate 127.0.0.1 "${p%:*}" $((32 << 20)) "${p#*:}" >"$T/truncate-${p#*:}.log" 2>&1 &
done
hx python3 "$SL_PEER" conn-server 127.0.0.1 "$PORT_CONN" >"$T/conn.log" 2>&1 &
hx python3 "$SL_PEER" echo-server 127.0.0.1 "$PORT_ECHO" >"$T/echo.log" 2>&1 &
for f in truncate-close truncate-reset conn echo; do
	wait_for "$T/$f.log" '^ready' 10 || { cat "$T/$f.log" >&2; fail "slirp-peer.py ($f) did not start"; }
done
slirp_topology "$T/topo.json" "$SLIRP_TIMERS"
slirp_start "$T/topo.json"
echo "pktkit-host: $(grep 'open files' "/proc/$HOST_PID/limits")"
for c in server_close many_flows restart port_scan guest_vanish; do
	run_check "check_$c"
done
stop_host
echo "PASS"
