#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-wg-faults.sh - Issue 13: l3.wg against wireguard-go under faults: replays, roaming, rekeys, handshake floods, wrong keys
#
# The set-up is wg-lib.sh's ($WGA: wireguard-go on 10.99.0.1, $WGB: pktkit-host's
# io.tun + l3.wg on 10.99.0.2), with two additions:
#   - tests/interop/wg-relay.py runs in $WGA between the two: wireguard-go's
#     endpoint for the l3.wg is the relay (10.88.0.1:51900), which forwards to
#     10.88.0.2:51821 from its upstream socket 10.88.0.1:$RELAY_UP, the l3.wg's
#     configured endpoint for wireguard-go; faults are armed through its FIFO
#   - $WGC, joined to $WGB by a second veth (10.88.1.1 - 10.88.1.2): a second
#     wireguard-go (TUN 10.99.1.1/24, key $T/x.key, its peer the l3.wg at
#     10.88.1.2:51821) and the handshake flood
# An HTTP server (slirp-peer.py serve) on 10.99.0.1:8080 in $WGA serves a 32 MB
# file and takes uploads. Each check is a function run by run_check:
#   replay      the relay re-sends wireguard-go's first initiation 50 ms later,
#               duplicates every 7th data message, and sends 3 data messages
#               with a bit flipped too: 40 pings all answered, a 32 MB GET
#               intact; the l3.wg counted dropped-replayed-initiation >= 1,
#               dropped-replay >= the duplicates, dropped-data-auth >= 3
#   roaming     during a GET the relay moves to a new upstream port: the GET
#               completes intact and the l3.wg's endpoint is the new port;
#               during a PUT wireguard-go changes its listen-port: intact
#   rekey       the l3.wg with test-timer-divisor 30 (REKEY_AFTER_TIME 4 s,
#               REJECT_AFTER_TIME 6 s): a 20 s iperf3 each way, the first after
#               the l3.wg initiated, the second (then a GET) after wireguard-go
#               initiated, each with >= 3 new handshakes, the application
#               seeing nothing (iperf3 exit 0, sha256 ok); who initiated is
#               counted from wireguard-go's log
#   load        3000 forged initiations per second (valid MAC1) for 8 s from
#               $WGC while wireguard-go starts a fresh handshake: it gets a
#               cookie reply, its ping gets through within 20 s (its retry,
#               with a MAC2, during the flood), pktkit-host's CPU
#               time and RSS are printed (RSS growth < 32 MB), it still answers
#   wrong-key   the second wireguard-go, unknown to the l3.wg: no session,
#               dropped-unknown-peer; then added with a different preshared
#               key: no session, dropped-handshake-auth
#   source      wireguard-go sends from 10.99.7.7, outside the allowed-ips the
#               l3.wg has for it: no reply, dropped-source-not-allowed
# Environment: PKTKIT_HOST (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/wg-lib.sh"
interop_init wgf
# Under AddressSanitizer freed blocks wait in a quarantine (256 MB by default)
# before they are reused, so pktkit-host's RSS would grow with every malloc and
# free, leaked or not; a small one keeps the load check's RSS bound meaningful
# (LeakSanitizer still reports leaks at exit). Nothing else reads it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
require ss getconf
wg_setup
HERE=$(dirname "$0")
RELAY_UP=51901
RELAY_EP=10.88.0.1:51900
PK_EP=
BIG=$((32 * 1024 * 1024))

ns_new WGC c
VC=pkwgvc$$
VBC=pkwgvbc$$
TUNC=wgpkC$$
ip link add "$VC" type veth peer name "$VBC"
ip link set "$VC" netns "$WGC"
ip link set "$VBC" netns "$WGB"
ip -n "$WGC" addr add 10.88.1.1/24 dev "$VC"
ip -n "$WGB" addr add 10.88.1.2/24 dev "$VBC"
ip -n "$WGC" link set "$VC" up
ip -n "$WGB" link set "$VBC" up
cx() { ip netns exec "$WGC" "$@"; }
(umask 077
 wg genkey >"$T/x.key"; wg pubkey <"$T/x.key" >"$T/x.pub"
 wg genpsk >"$T/p1.psk"; wg genpsk >"$T/p2.psk")
wg_go_start "$WGC" "$TUNC" "$T/x.key" 51820 "$T/wireguard-go-x.log"
ip -n "$WGC" addr add 10.99.1.1/24 dev "$TUNC"
ip -n "$WGC" link set "$TUNC" mtu 1420 up
ip -n "$WGC" route add 10.99.0.2/32 dev "$TUNC"

ax "$WG_PY" "$HERE/wg-relay.py" --listen "$RELAY_EP" --client 10.88.0.1:51820 \
	--upstream 10.88.0.1:$RELAY_UP --target 10.88.0.2:51821 --control "$T/relay.ctl" \
	>"$T/relay.log" 2>&1 &
wait_for "$T/relay.log" '^ready' 10 || { cat "$T/relay.log" >&2; fail "wg-relay.py did not start"; }

mkdir -p "$T/www"
head -c "$BIG" /dev/urandom >"$T/www/big.bin"
BIG_SHA=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
ax "$WG_PY" "$HERE/slirp-peer.py" serve "$T/www" 8080 7777 10.99.0.1 >"$T/peer.log" 2>&1 &
wait_for "$T/peer.log" '^ready' 10 || { cat "$T/peer.log" >&2; fail "HTTP server did not start"; }

# relay_cmd LINE: send LINE to the relay, wait for its "ok"; prints the answer.
relay_cmd() {
	local n
	n=$(grep -c '^ok\|^error' "$T/relay.log" || true)
	echo "$1" >"$T/relay.ctl"
	for _ in $(seq 100); do
		[ "$(grep -c '^ok\|^error' "$T/relay.log" || true)" -gt "$n" ] && break
		sleep 0.05
	done
	grep '^ok\|^error' "$T/relay.log" | tail -n 1 | grep -q '^ok' || cfail "relay: '$1' not acknowledged"
}

# relay_stat NAME: a field of a fresh "stats" line of the relay.
relay_stat() {
	relay_cmd stats
	grep '^stats ' "$T/relay.log" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# restart_pktkit ENDPOINT [EXTRA_JSON]: a new pktkit-host, and wireguard-go's
# peer configured afresh (no session on either side).
restart_pktkit() {
	stop_host
	PK_EP=$1
	wg_topology "$1" "${2:-}"
	wg_go_peer "$RELAY_EP"
	wg_start_pktkit
}

# get_file LABEL [CURL-ARGS...]: GET big.bin from $WGB; fails unless intact.
get_file() {
	local label=$1 got
	shift
	bx curl -sS --max-time 120 "$@" -o "$T/got.bin" http://10.99.0.1:8080/big.bin ||
		cfail "$label: GET of $BIG bytes failed"
	got=$(sha256sum <"$T/got.bin" | cut -d' ' -f1)
	[ "$got" = "$BIG_SHA" ] || cfail "$label: GET: sha256 differs ($(stat -c %s "$T/got.bin") bytes)"
	rm -f "$T/got.bin"
	echo "$label: GET $BIG bytes, sha256 ok"
}

go_log_mark() { wc -l <"$T/wireguard-go.log"; }
go_log_count() {	# MARK REGEX
	tail -n +"$(($1 + 1))" "$T/wireguard-go.log" | grep -c "$2" || true
}

# replay -------------------------------------------------------------------------

check_replay() {
	local out dups replays flips
	relay_cmd "replay-init 50"
	ping_ok ax 10.99.0.2 replay-go-initiates
	wait_for "$T/relay.log" '^replayed-init' 5 || cfail "the relay did not replay the initiation"
	relay_cmd "dup 7"
	relay_cmd "flip 3"
	out=$(ax ping -c 40 -i 0.05 -W 2 10.99.0.2 2>&1) || true
	grep -q ' 40 received' <<<"$out" || { echo "$out" >&2; cfail "pings lost under duplicates"; }
	echo "replay: $(grep -E 'packets transmitted' <<<"$out")"
	get_file replay
	relay_cmd "dup 0"
	dups=$(relay_stat dups)
	replays=$(relay_stat replays)
	flips=$(relay_stat flips)
	wg_stats "$T/st-replay.txt"
	echo "replay: relay sent $replays replayed initiation(s), $dups duplicates, $flips corrupted"
	echo "replay: l3.wg counted dropped-replayed-initiation $(wg_c "$T/st-replay.txt" dropped-replayed-initiation)," \
		"dropped-replay $(wg_c "$T/st-replay.txt" dropped-replay)," \
		"dropped-data-auth $(wg_c "$T/st-replay.txt" dropped-data-auth)"
	[ "$replays" -ge 1 ] && [ "$dups" -ge 1 ] && [ "$flips" = 3 ] || cfail "the relay did not inject its faults"
	[ "$(wg_c "$T/st-replay.txt" dropped-replayed-initiation)" -ge 1 ] ||
		cfail "the replayed initiation was not counted as dropped-replayed-initiation"
	[ "$(wg_c "$T/st-replay.txt" dropped-replay)" -ge "$dups" ] ||
		cfail "dropped-replay is below the $dups duplicates sent"
	[ "$(wg_c "$T/st-replay.txt" dropped-data-auth)" -ge "$flips" ] ||
		cfail "dropped-data-auth is below the $flips corrupted messages sent"
}

# roaming ------------------------------------------------------------------------

check_roaming() {
	local pid row got
	# A rate-limited GET (about 4 s) from wireguard-go's side: the relay moves
	# to port 51902 after 1.5 s.
	bx curl -sS --max-time 120 --limit-rate 8M -o "$T/got.bin" http://10.99.0.1:8080/big.bin &
	pid=$!
	sleep 1.5
	kill -0 "$pid" 2>/dev/null || cfail "the GET ended before the relay moved (too fast to test roaming)"
	relay_cmd "rebind 51902"
	RELAY_UP=51902
	wait "$pid" || cfail "GET across the relay's move failed"
	got=$(sha256sum <"$T/got.bin" | cut -d' ' -f1)
	[ "$got" = "$BIG_SHA" ] || cfail "GET across the relay's move: sha256 differs"
	rm -f "$T/got.bin"
	echo "roaming: GET $BIG bytes across the relay's move to port 51902, sha256 ok"
	row=$(wg_peer_row "$(cat "$T/a.pub")")
	echo "roaming: l3.wg peer row: $row"
	grep -q '"endpoint": "10.88.0.1:51902"' <<<"$row" || cfail "the l3.wg did not follow wireguard-go to 10.88.0.1:51902"

	# An upload while wireguard-go itself moves to listen-port 51830.
	bx curl -sS --max-time 120 --limit-rate 8M -H 'Expect:' -T "$T/www/big.bin" \
		http://10.99.0.1:8080/upload >"$T/put.out" &
	pid=$!
	sleep 1.5
	kill -0 "$pid" 2>/dev/null || cfail "the PUT ended before wireguard-go moved"
	ax wg set "$TUNA" listen-port 51830
	wait "$pid" || cfail "PUT across wireguard-go's new listen-port failed"
	[ "$(cat "$T/put.out")" = "sha256 $BIG_SHA $BIG" ] || cfail "PUT: the server got '$(cat "$T/put.out")'"
	[ "$(ax wg show "$TUNA" listen-port)" = 51830 ] || cfail "wireguard-go's listen-port is not 51830"
	[ "$(relay_stat client)" = 10.88.0.1:51830 ] || cfail "the relay did not see wireguard-go move"
	echo "roaming: PUT $BIG bytes while wireguard-go moved to port 51830, sha256 ok"
	ping_ok bx 10.99.0.1 roaming-after
}

# rekey --------------------------------------------------------------------------

# rekey_report LABEL BEFORE-FILE AFTER-FILE MARK: handshakes counted, who initiated.
rekey_report() {
	local label=$1 h0 h1 by_pk by_go
	h0=$(wg_c "$2" handshakes)
	h1=$(wg_c "$3" handshakes)
	by_pk=$(go_log_count "$4" 'Received handshake initiation')
	by_go=$(go_log_count "$4" 'Sending handshake initiation')
	echo "rekey $label: handshakes $h0 -> $h1; initiations seen by wireguard-go: from the l3.wg $by_pk," \
		"its own $by_go; l3.wg dropped-expired-keys $(wg_c "$3" dropped-expired-keys)," \
		"dropped-replay $(wg_c "$3" dropped-replay), dropped-unknown-index $(wg_c "$3" dropped-unknown-index)"
	[ $((h1 - h0)) -ge 3 ] || cfail "$label: only $((h1 - h0)) new handshakes (>= 3 expected)"
	REKEY_BY_PK=$by_pk
	REKEY_BY_GO=$by_go
}

check_rekey() {
	local mark lh0 lh1
	# The l3.wg initiates (it pings first), then 20 s of iperf3 towards wireguard-go.
	restart_pktkit "10.88.0.1:$RELAY_UP" '"test-timer-divisor": 30'
	mark=$(go_log_mark)
	ping_ok bx 10.99.0.1 rekey-pktkit-initiates
	wg_stats "$T/st-rk0.txt"
	lh0=$(wg_peer_row "$(cat "$T/a.pub")")
	IPERF_TIME=20 iperf_pair "$WGA" "$WGB" 10.99.0.1 5201 "rekey pktkit -> wireguard-go (20 s)" ||
		cfail "iperf3 across rekeys failed"
	wg_stats "$T/st-rk1.txt"
	lh1=$(wg_peer_row "$(cat "$T/a.pub")")
	rekey_report pktkit-initiator "$T/st-rk0.txt" "$T/st-rk1.txt" "$mark"
	[ "$REKEY_BY_PK" -ge 3 ] || cfail "the l3.wg started fewer than 3 handshakes"
	[ "$("$WG_PY" -c 'import json,sys; print(json.loads(sys.argv[1])["latest-handshake"] != json.loads(sys.argv[2])["latest-handshake"])' "$lh0" "$lh1")" = True ] ||
		cfail "latest-handshake did not move"

	# wireguard-go initiates (the l3.wg has no endpoint until its initiation),
	# then 20 s of iperf3 from wireguard-go's side, and a GET checked by sha256.
	# (Not a rate-limited GET: curl --limit-rate slows its reads, not the
	# tunnel, which empties into the socket buffer in a few seconds.)
	restart_pktkit "" '"test-timer-divisor": 30'
	mark=$(go_log_mark)
	ping_ok ax 10.99.0.2 rekey-go-initiates
	wg_stats "$T/st-rk2.txt"
	IPERF_TIME=20 iperf_pair "$WGA" "$WGB" 10.99.0.1 5202 "rekey wireguard-go -> pktkit (20 s)" -R ||
		cfail "iperf3 -R across rekeys failed"
	get_file "rekey go-initiated"
	wg_stats "$T/st-rk3.txt"
	rekey_report go-initiator "$T/st-rk2.txt" "$T/st-rk3.txt" "$mark"
	[ "$REKEY_BY_GO" -ge 1 ] || cfail "wireguard-go started no handshake"
}

# load ---------------------------------------------------------------------------

# proc_cpu / proc_rss: pktkit-host's CPU time (ms, user + system) and RSS (kB).
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$HOST_PID/stat"; }
proc_rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$HOST_PID/status"; }

check_load() {
	local cpu0 rss0 cpu1 rss1 mark t0 ms=-1 fl cookies gcookies
	# The default handshake-load-threshold (128 handshake messages a second) is
	# kept: the flood's 3000 a second is far above it even when a loaded
	# machine slows the sender tenfold, and wireguard-go's initiation meets a
	# device under load, as a real one would.
	restart_pktkit "10.88.0.1:$RELAY_UP"
	ping_ok bx 10.99.0.1 load-baseline
	wg_stats "$T/st-ld0.txt"
	cpu0=$(proc_cpu)
	rss0=$(proc_rss)
	cx "$WG_PY" "$HERE/wg-flood.py" --target 10.88.1.2:51821 --pubkey "$(cat "$T/b.pub")" \
		--rate 3000 --seconds 8 --bind 10.88.1.1 >"$T/flood.log" 2>&1 &
	fl=$!
	sleep 1
	# wireguard-go starts afresh: its initiation meets the flood and gets a
	# cookie reply; its retransmission 5 s later, with a MAC2 made from that
	# cookie, still meets it (the flood lasts 8 s) and is answered.
	mark=$(go_log_mark)
	wg_go_peer "$RELAY_EP"
	t0=$(date +%s%N)
	for _ in $(seq 20); do
		if ax ping -c 1 -W 1 10.99.0.2 >/dev/null 2>&1; then
			ms=$((($(date +%s%N) - t0) / 1000000))
			break
		fi
	done
	wait "$fl" || { cat "$T/flood.log" >&2; cfail "wg-flood.py failed"; }
	cat "$T/flood.log"
	cpu1=$(proc_cpu)
	rss1=$(proc_rss)
	kill -0 "$HOST_PID" 2>/dev/null || cfail "pktkit-host died under the flood"
	ctl status wg0 >/dev/null || cfail "pktkitctl status wg0 does not answer after the flood"
	wg_stats "$T/st-ld1.txt"
	cookies=$(($(wg_c "$T/st-ld1.txt" cookie-replies-sent) - $(wg_c "$T/st-ld0.txt" cookie-replies-sent)))
	gcookies=$(go_log_count "$mark" 'Receiving cookie response')
	echo "load: wireguard-go's ping through after $ms ms; it got $gcookies cookie replies"
	echo "load: l3.wg cookie-replies-sent +$cookies, dropped-ratelimit $(wg_c "$T/st-ld1.txt" dropped-ratelimit)," \
		"dropped-handshake-auth $(wg_c "$T/st-ld1.txt" dropped-handshake-auth)," \
		"dropped-mac1 $(wg_c "$T/st-ld1.txt" dropped-mac1), handshakes $(wg_c "$T/st-ld1.txt" handshakes)"
	echo "RESULT load: pktkit-host CPU $((cpu1 - cpu0)) ms during the flood; RSS $rss0 kB -> $rss1 kB"
	[ "$ms" -ge 0 ] || cfail "wireguard-go's ping did not get through within 20 s of the flood"
	[ "$cookies" -gt 0 ] || cfail "no cookie reply was sent under the flood"
	[ "$gcookies" -gt 0 ] || cfail "wireguard-go's initiation did not meet a device under load (no cookie reply)"
	[ $((rss1 - rss0)) -lt $((32 * 1024)) ] || cfail "RSS grew by $((rss1 - rss0)) kB (32 MB allowed)"
	ping_ok ax 10.99.0.2 load-after
	sleep 1.5	# the device is under load for a second after the flood
}

# wrong-key ----------------------------------------------------------------------

check_wrong_key() {
	local u0 u1 a0 a1 row
	wg_stats "$T/st-wk0.txt"
	u0=$(wg_c "$T/st-wk0.txt" dropped-unknown-peer)
	cx wg set "$TUNC" peer "$(cat "$T/b.pub")" endpoint 10.88.1.2:51821 allowed-ips 10.99.0.2/32
	if cx ping -c 2 -i 0.5 -W 2 10.99.0.2 >/dev/null 2>&1; then cfail "a ping from an unknown key got an answer"; fi
	wg_stats "$T/st-wk1.txt"
	u1=$(wg_c "$T/st-wk1.txt" dropped-unknown-peer)
	echo "wrong-key: unknown key: dropped-unknown-peer $u0 -> $u1"
	[ "$u1" -gt "$u0" ] || cfail "the unknown key's initiation was not counted as dropped-unknown-peer"
	[ "$(cx wg show "$TUNC" latest-handshakes | cut -f2)" = 0 ] || cfail "the unknown key got a session"

	# Now a peer of the l3.wg, with another preshared key: the l3.wg initiates,
	# the response (mixing in the other PSK) does not authenticate.
	cx wg set "$TUNC" peer "$(cat "$T/b.pub")" remove
	cx wg set "$TUNC" peer "$(cat "$T/b.pub")" endpoint 10.88.1.2:51821 allowed-ips 10.99.0.2/32 \
		preshared-key "$T/p2.psk"
	ctl set wg0 peers="[{\"public-key\": \"$(cat "$T/a.pub")\", \"endpoint\": \"$PK_EP\", \"allowed-ips\": \"10.99.0.0/24, fd99::/64\"},
		{\"public-key\": \"$(cat "$T/x.pub")\", \"endpoint\": \"10.88.1.1:51820\", \"allowed-ips\": \"10.99.1.0/24\",
		 \"preshared-key-file\": \"$T/p1.psk\"}]" || cfail "pktkitctl set wg0 peers failed"
	bx ip route replace 10.99.1.0/24 dev "$TUNB"
	a0=$(wg_c "$T/st-wk1.txt" dropped-handshake-auth)
	if bx ping -c 2 -i 0.5 -W 2 10.99.1.1 >/dev/null 2>&1; then cfail "a ping across different preshared keys got an answer"; fi
	wg_stats "$T/st-wk2.txt"
	a1=$(wg_c "$T/st-wk2.txt" dropped-handshake-auth)
	row=$(wg_peer_row "$(cat "$T/x.pub")")
	echo "wrong-key: other PSK: dropped-handshake-auth $a0 -> $a1; peer row $row"
	[ "$a1" -gt "$a0" ] || cfail "the response with the other PSK was not counted as dropped-handshake-auth"
	"$WG_PY" -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if not r.get("latest-handshake") else 1)' "$row" ||
		cfail "a session with the other PSK exists"
	[ "$(cx wg show "$TUNC" latest-handshakes | cut -f2)" = 0 ] || cfail "wireguard-go made a session across PSKs"
	ping_ok bx 10.99.0.1 wrong-key-first-peer-unaffected
}

# source -------------------------------------------------------------------------

check_source() {
	local s0 s1
	ax ip addr add 10.99.7.7/32 dev "$TUNA"
	wg_stats "$T/st-src0.txt"
	s0=$(wg_c "$T/st-src0.txt" dropped-source-not-allowed)
	if ax ping -c 3 -i 0.2 -W 1 -I 10.99.7.7 10.99.0.2 >/dev/null 2>&1; then cfail "a ping from 10.99.7.7 got an answer"; fi
	wg_stats "$T/st-src1.txt"
	s1=$(wg_c "$T/st-src1.txt" dropped-source-not-allowed)
	echo "source: dropped-source-not-allowed $s0 -> $s1"
	[ $((s1 - s0)) -ge 3 ] || cfail "the 3 echo requests from 10.99.7.7 were not all counted"
	ax ip addr del 10.99.7.7/32 dev "$TUNA"
	ping_ok ax 10.99.0.2 source-allowed-still-ok
}

PK_EP=10.88.0.1:$RELAY_UP
wg_topology "$PK_EP"
wg_go_peer "$RELAY_EP"
wg_start_pktkit
run_check check_replay
run_check check_roaming
run_check check_rekey
run_check check_load
run_check check_wrong_key
run_check check_source
ctl stats wg0 | awk '$3 != 0'
stop_host
relay_cmd quit
echo "PASS"
