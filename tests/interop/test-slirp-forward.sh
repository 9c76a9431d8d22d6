#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-slirp-forward.sh - Issue 12: l3.slirp port forwards (host to guest), live changes over D-Bus, deny lists
#
# The set-up is slirp-lib.sh's (host namespace with only lo, guest namespace on
# a TAP behind l2.hub, l3.adapter and the l3.slirp, same parameters as
# test-slirp.sh), plus: an HTTP and UDP echo server in the GUEST (slirp-peer.py
# serve, 10.0.2.15 and fd00:2::15, ports 80 and 7777, a page of its own), the
# host-namespace addresses 198.51.100.7 and 2001:db8:77::7 on lo (clients that
# are not loopback, and ping targets), and these l3.slirp parameters:
#   forwards  tcp 127.0.0.1:18080 -> 10.0.2.15:80      tcp [::1]:18081 -> [fd00:2::15]:80
#             tcp [::1]:18082 -> 10.0.2.15:80 (the other family)
#             tcp 0.0.0.0:18083 -> 10.0.2.15:80        tcp [::]:18083 -> [fd00:2::15]:80
#             tcp 127.0.0.1:18084 -> 10.0.2.15:81 (nothing listens there)
#             udp 127.0.0.1:17777 -> 10.0.2.15:7777    udp [::1]:17778 -> [fd00:2::15]:7777
#   deny      tcp port 8081 and udp port 7781 of 10.0.2.2 and fd00:2::2 (the host's
#             loopback, where servers do listen on them; the lists match the address
#             the guest sends to, so host-loopback4/6 and not 127.0.0.1 / ::1), and
#             icmp to 198.51.100.0/24 and 2001:db8:77::/48
# Each check is a function check_NAME run by run_check; the first failure ends the test.
#   forward       curl in the host namespace through each TCP forward gets the guest's
#                 page (not the host's), and a 20 MB file through 127.0.0.1 and [::1]
#                 with sha256 compared; the guest's server logs each client as
#                 docs/types.md says: loopback clients as host-loopback4/6 (10.0.2.2,
#                 fd00:2::2, also for an IPv6 client of an IPv4 guest), clients on
#                 198.51.100.7 / 2001:db8:77::7 as themselves; UDP echo through both UDP
#                 forwards (answers from the forward's own address and port), the guest
#                 sees the datagrams from 10.0.2.2 / fd00:2::2; a forward to a closed
#                 guest port: the guest's RST reaches the host client as a reset
#                 (curl exit 56 or 7, 'Connection reset by peer') in < 2 s; pktkitctl status
#                 lists the forwards with their connection counts
#   live          pktkitctl set slirp forwards=[...]: added forwards (tcp and udp
#                 127.0.0.1:18090 / 17790) carry a GET and a UDP echo at once; removed
#                 again, their ports are closed (curl exit 7 'Connection refused', ICMP
#                 port unreachable) and the others still work; a set whose last
#                 forward's port is taken by another process (127.0.0.1:18091) fails
#                 with exit 1 (org.pktkit.Error.Failed) and a message naming
#                 127.0.0.1:18091/tcp and "Address already in use"; afterwards
#                 pktkitctl get shows the old forwards, the new forward listed before
#                 the taken one (127.0.0.1:18092) was not left bound (all or nothing),
#                 and the old forwards still carry GETs
#   deny          the servers on 8081 / 7781 answer on the host; from the guest, TCP to
#                 10.0.2.2:8081 and [fd00:2::2]:8081 gets curl exit 7 'Connection
#                 refused' (a RST) in < 2 s, UDP to 10.0.2.2:7781 gets ICMP type 3 code
#                 13 and to fd00:2::2 ICMPv6 type 1 code 1 (administratively prohibited,
#                 read from the socket's error queue), ping 198.51.100.7 prints "Packet
#                 filtered" and ping 2001:db8:77::7 "Administratively prohibited"; the
#                 'denied' counter grows by exactly 6; port 8080, UDP 7777 and ping of
#                 10.0.2.2 and fd00:2::2 (not denied) still work
#   stop          SIGTERM: pktkit-host exits 0
# Environment: PKTKIT_HOST, PKTKIT_MODULE_PATH (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slirp-lib.sh"
interop_init slfw

# Guest side of the forwards; host-side ports.
G_HTTP=80
G_UDP=7777
G_CLOSED=81
F_TCP4=18080
F_TCP6=18081
F_TCPX=18082
F_TCPANY=18083
F_CLOSED=18084
F_UDP4=17777
F_UDP6=17778
F_ADDED=18090
F_ADDED_UDP=17790
F_TAKEN=18091
F_BEFORE_TAKEN=18092
# Denied ports of 10.0.2.2 / fd00:2::2 (servers listen there on the host).
D_TCP=8081
D_UDP=7781
# Host addresses on lo that are not loopback ones.
H_ADDR4=198.51.100.7
H_ADDR6=2001:db8:77::7

fwd() {	# PROTO HOST-ADDRESS HOST-PORT GUEST-ADDRESS GUEST-PORT
	printf '{"proto": "%s", "host-address": "%s", "host-port": %s, "guest-address": "%s", "guest-port": %s}' "$@"
}

FORWARDS="[ $(fwd tcp 127.0.0.1 $F_TCP4 10.0.2.15 $G_HTTP),
    $(fwd tcp ::1 $F_TCP6 fd00:2::15 $G_HTTP),
    $(fwd tcp ::1 $F_TCPX 10.0.2.15 $G_HTTP),
    $(fwd tcp 0.0.0.0 $F_TCPANY 10.0.2.15 $G_HTTP),
    $(fwd tcp :: $F_TCPANY fd00:2::15 $G_HTTP),
    $(fwd tcp 127.0.0.1 $F_CLOSED 10.0.2.15 $G_CLOSED),
    $(fwd udp 127.0.0.1 $F_UDP4 10.0.2.15 $G_UDP),
    $(fwd udp ::1 $F_UDP6 fd00:2::15 $G_UDP) ]"
DENY="[ {\"prefix\": \"10.0.2.2/32\", \"proto\": \"tcp\", \"ports\": \"$D_TCP\"},
    {\"prefix\": \"fd00:2::2/128\", \"proto\": \"tcp\", \"ports\": \"$D_TCP\"},
    {\"prefix\": \"10.0.2.2/32\", \"proto\": \"udp\", \"ports\": \"$D_UDP\"},
    {\"prefix\": \"fd00:2::2/128\", \"proto\": \"udp\", \"ports\": \"$D_UDP\"},
    {\"prefix\": \"198.51.100.0/24\", \"proto\": \"icmp\"},
    {\"prefix\": \"2001:db8:77::/48\", \"proto\": \"icmp\"} ]"

# get_page LABEL URL [CURL_ARGS...]: curl in the host namespace must get the
# guest's index page; the URL carries ?via=LABEL, so the guest's log line of
# this request is found. Sets SEEN to the client address the guest logged.
get_page() {
	local label=$1 url=$2
	shift 2
	sl_hcurl "$T/page-$label" --max-time 10 "$@" "$url?via=$label"
	[ "$SL_RC" = 0 ] || { cat "$T/page-$label.log" >&2; cfail "$label: GET $url failed (curl exit $SL_RC)"; }
	grep -q 'pktkit slirp guest index' "$T/page-$label" ||
		cfail "$label: GET $url returned something else than the guest's page: $(head -c 200 "$T/page-$label")"
	SEEN=$(sed -n "s/^http \\([^ ]*\\): \"GET \\/?via=$label .*/\\1/p" "$T/guest-peer.log" | tail -n 1)
	echo "$label: GET $url in $SL_MS ms from the guest; it saw the client as ${SEEN:-nothing}"
}

# expect_seen LABEL URL WANT [CURL_ARGS...]
expect_seen() {
	local label=$1 url=$2 want=$3
	shift 3
	get_page "$label" "$url" "$@"
	[ "$SEEN" = "$want" ] || cfail "$label: the guest saw the client of $url as '$SEEN', expected $want"
}

# big_get LABEL URL: the 20 MB file through a forward, sha256 compared.
big_get() {
	local label=$1 url=$2 got
	sl_hcurl "$T/big-$label" --max-time 30 "$url"
	[ "$SL_RC" = 0 ] || { tail -n 20 "$T/big-$label.log" >&2; cfail "$label: GET of 20 MB through $url failed (curl exit $SL_RC)"; }
	got=$(sha256sum <"$T/big-$label" | cut -d' ' -f1)
	[ "$got" = "$SL_BIG_SHA" ] || cfail "$label: GET of 20 MB: sha256 $got, expected $SL_BIG_SHA ($(stat -c %s "$T/big-$label") bytes)"
	echo "$label: GET 20 MB through $url in $SL_MS ms, sha256 ok"
	rm -f "$T/big-$label"
}

# expect_refused_host LABEL URL: curl in the host namespace: exit 7 'Connection refused'.
expect_refused_host() {
	sl_hcurl "$T/refused-$1" --max-time 10 "$2"
	echo "$1: $2: curl exit $SL_RC after $SL_MS ms"
	[ "$SL_RC" = 7 ] && grep -q 'Connection refused' "$T/refused-$1.log" ||
		{ cat "$T/refused-$1.log" >&2; cfail "$1: $2: expected curl exit 7 'Connection refused' (nothing listening), got exit $SL_RC"; }
}

# forward ----------------------------------------------------------------------

check_forward() {
	local n
	expect_seen tcp4 "http://127.0.0.1:$F_TCP4/" 10.0.2.2
	expect_seen tcp6 "http://[::1]:$F_TCP6/" fd00:2::2
	expect_seen cross "http://[::1]:$F_TCPX/" 10.0.2.2
	expect_seen any4 "http://$H_ADDR4:$F_TCPANY/" "$H_ADDR4"
	expect_seen any6 "http://[$H_ADDR6]:$F_TCPANY/" "$H_ADDR6"
	expect_seen any4-lo "http://127.0.0.1:$F_TCPANY/" 10.0.2.2
	big_get big4 "http://127.0.0.1:$F_TCP4/big.bin"
	big_get big6 "http://[::1]:$F_TCP6/big.bin"

	hx timeout 20 "$SL_PY" "$SL_PEER" udp-echo 127.0.0.1 "$F_UDP4" || cfail "UDP echo through 127.0.0.1:$F_UDP4 failed"
	hx timeout 20 "$SL_PY" "$SL_PEER" udp-echo ::1 "$F_UDP6" || cfail "UDP echo through [::1]:$F_UDP6 failed"
	n=$(grep -c "^udp 10\\.0\\.2\\.2 [0-9]*: " "$T/guest-peer.log" || true)
	echo "the guest's UDP echo saw $n datagrams from 10.0.2.2, $(grep -c '^udp fd00:2::2 ' "$T/guest-peer.log" || true) from fd00:2::2"
	grep -v '^udp \(10\.0\.2\.2\|fd00:2::2\) ' "$T/guest-peer.log" | grep '^udp ' >&2 &&
		cfail "the guest's UDP echo saw datagrams from other addresses (above)"
	[ "$n" -ge 4 ] || cfail "the guest's UDP echo did not see the 4 datagrams of 127.0.0.1 as from 10.0.2.2"
	grep -q '^udp fd00:2::2 ' "$T/guest-peer.log" || cfail "the guest's UDP echo did not see the datagrams of ::1 as from fd00:2::2"

	sl_hcurl "$T/closed" --max-time 10 "http://127.0.0.1:$F_CLOSED/"
	echo "127.0.0.1:$F_CLOSED -> 10.0.2.15:$G_CLOSED (closed): curl exit $SL_RC after $SL_MS ms: $(grep -m1 -E 'Recv failure|reset|Empty reply' "$T/closed.log" || true)"
	# The RST comes so fast that curl often reports it as its connect failing (7).
	{ [ "$SL_RC" = 56 ] || [ "$SL_RC" = 7 ]; } && grep -q 'Connection reset by peer' "$T/closed.log" ||
		{ cat "$T/closed.log" >&2; cfail "127.0.0.1:$F_CLOSED: expected curl exit 56 or 7 'Connection reset by peer' (the guest's RST), got exit $SL_RC"; }
	[ "$SL_MS" -lt 2000 ] || cfail "127.0.0.1:$F_CLOSED: reset only after $SL_MS ms (expected < 2000)"

	ctl --json status slirp >"$T/status.json" || cfail "pktkitctl --json status slirp failed"
	"$SL_PY" - "$T/status.json" <<PY || cfail "the status table 'forwards' is wrong"
import json, sys
rows = json.load(open(sys.argv[1])).get("forwards")
if not isinstance(rows, list):
    sys.exit("status: no table 'forwards'")
got = {(r["proto"], r["host"], r["host-port"]): (r["guest"], r["guest-port"], r["connections"]) for r in rows}
want = {("tcp", "127.0.0.1", $F_TCP4): ("10.0.2.15", $G_HTTP, 2),
        ("tcp", "::1", $F_TCP6): ("fd00:2::15", $G_HTTP, 2),
        ("tcp", "::1", $F_TCPX): ("10.0.2.15", $G_HTTP, 1),
        ("tcp", "0.0.0.0", $F_TCPANY): ("10.0.2.15", $G_HTTP, 2),
        ("tcp", "::", $F_TCPANY): ("fd00:2::15", $G_HTTP, 1),
        ("tcp", "127.0.0.1", $F_CLOSED): ("10.0.2.15", $G_CLOSED, 1),
        ("udp", "127.0.0.1", $F_UDP4): ("10.0.2.15", $G_UDP, 1),
        ("udp", "::1", $F_UDP6): ("fd00:2::15", $G_UDP, 1)}
if got != want:
    sys.exit("status forwards (proto, host, port): (guest, port, connections):\n  got  %s\n  want %s"
             % (sorted(got.items()), sorted(want.items())))
print("status: %d forwards, their guests and connection counts as expected" % len(rows))
PY
}

# live -------------------------------------------------------------------------

# The 'forwards' parameter as pktkitctl --json get gives it (one line of JSON).
get_forwards() {
	ctl --json get slirp | "$SL_PY" -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["forwards"], sort_keys=True))'
}

check_live() {
	local before after rc out added taken
	before=$(get_forwards) || cfail "pktkitctl get slirp: no forwards"
	echo "forwards now: $(grep -o host-port <<<"$before" | wc -l) ($before)" | cut -c1-200
	added="${FORWARDS%]}, $(fwd tcp 127.0.0.1 $F_ADDED 10.0.2.15 $G_HTTP),
	    $(fwd udp 127.0.0.1 $F_ADDED_UDP 10.0.2.15 $G_UDP) ]"
	ctl set slirp forwards="$added" || cfail "pktkitctl set slirp forwards=[... 127.0.0.1:$F_ADDED] failed"
	get_page added "http://127.0.0.1:$F_ADDED/"
	hx timeout 20 "$SL_PY" "$SL_PEER" udp-echo 127.0.0.1 "$F_ADDED_UDP" >/dev/null ||
		cfail "UDP echo through the added forward 127.0.0.1:$F_ADDED_UDP failed"
	echo "added-udp: UDP echo through 127.0.0.1:$F_ADDED_UDP ok"

	ctl set slirp forwards="$FORWARDS" || cfail "pktkitctl set slirp forwards (removing 127.0.0.1:$F_ADDED) failed"
	expect_refused_host removed "http://127.0.0.1:$F_ADDED/"
	out=$(hx timeout 10 "$SL_PY" "$SL_PEER" udp-error 127.0.0.1 "$F_ADDED_UDP" 2>&1) || true
	echo "removed-udp: 127.0.0.1:$F_ADDED_UDP: $out"
	grep -q '^icmp type 3 code 3 ' <<<"$out" || cfail "removed-udp: 127.0.0.1:$F_ADDED_UDP still takes datagrams (expected a port unreachable)"
	get_page kept4 "http://127.0.0.1:$F_TCP4/"
	get_page kept6 "http://[::1]:$F_TCP6/"

	# Another process holds 127.0.0.1:$F_TAKEN.
	hx "$SL_PY" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
print("listening", flush=True); time.sleep(60)' "$F_TAKEN" >"$T/taken.log" 2>&1 &
	wait_for "$T/taken.log" '^listening' 10 || { cat "$T/taken.log" >&2; cfail "the listener on 127.0.0.1:$F_TAKEN did not start"; }
	taken="${FORWARDS%]}, $(fwd tcp 127.0.0.1 $F_BEFORE_TAKEN 10.0.2.15 $G_HTTP),
	    $(fwd tcp 127.0.0.1 $F_TAKEN 10.0.2.15 $G_HTTP) ]"
	rc=0
	out=$(ctl set slirp forwards="$taken" 2>&1) || rc=$?
	echo "set with 127.0.0.1:$F_TAKEN taken: exit $rc: $out"
	[ $rc = 1 ] || cfail "pktkitctl set of a forward on a taken port: exit $rc, expected 1 (org.pktkit.Error.Failed)"
	grep -q "127\\.0\\.0\\.1:$F_TAKEN/tcp" <<<"$out" && grep -q 'Address already in use' <<<"$out" ||
		cfail "the error does not name 127.0.0.1:$F_TAKEN/tcp and 'Address already in use': $out"
	after=$(get_forwards) || cfail "pktkitctl get slirp: no forwards"
	[ "$after" = "$before" ] || cfail "after the failed set, forwards are '$after', expected '$before'"
	expect_refused_host half "http://127.0.0.1:$F_BEFORE_TAKEN/"
	get_page after4 "http://127.0.0.1:$F_TCP4/"
	get_page after6 "http://[::1]:$F_TCP6/"
	get_page afterx "http://[::1]:$F_TCPX/"
	hx timeout 20 "$SL_PY" "$SL_PEER" udp-echo 127.0.0.1 "$F_UDP4" >/dev/null ||
		cfail "UDP echo through 127.0.0.1:$F_UDP4 failed after the failed set"
}

# deny -------------------------------------------------------------------------

check_deny() {
	local d0 d1 a out url
	# The denied ports do listen on the host (so only the deny refuses them).
	hx "$SL_PY" "$SL_PEER" serve "$T/www" "$D_TCP" "$D_UDP" 127.0.0.1 ::1 >"$T/deny-peer.log" 2>&1 &
	wait_for "$T/deny-peer.log" '^ready' 10 || { cat "$T/deny-peer.log" >&2; cfail "the server on $D_TCP did not start"; }
	out=$(hx curl -sS --max-time 5 "http://127.0.0.1:$D_TCP/") || cfail "no HTTP server on 127.0.0.1:$D_TCP in the host namespace"
	grep -q 'slirp interop index' <<<"$out" || cfail "127.0.0.1:$D_TCP: unexpected page"
	hx "$SL_PY" "$SL_PEER" udp-echo ::1 "$D_UDP" >/dev/null || cfail "no UDP echo on [::1]:$D_UDP in the host namespace"
	d0=$(sl_counter slirp denied)

	for url in "http://10.0.2.2:$D_TCP/" "http://[fd00:2::2]:$D_TCP/"; do
		sl_curl "$T/denied" --max-time 10 "$url"
		echo "$url: curl exit $SL_RC after $SL_MS ms: $(grep -m1 -E 'connect to .* failed|Connection refused' "$T/denied.log" || true)"
		[ "$SL_RC" = 7 ] && grep -q 'Connection refused' "$T/denied.log" ||
			{ cat "$T/denied.log" >&2; cfail "$url: denied, expected curl exit 7 'Connection refused' (a RST), got exit $SL_RC"; }
		[ "$SL_MS" -lt 2000 ] || cfail "$url: refused only after $SL_MS ms (expected < 2000)"
	done

	out=$(gx timeout 10 "$SL_PY" "$SL_PEER" udp-error 10.0.2.2 "$D_UDP" 2>&1) || { echo "$out" >&2; cfail "UDP to 10.0.2.2:$D_UDP: no ICMP error"; }
	echo "UDP to 10.0.2.2:$D_UDP: $out"
	grep -q '^icmp type 3 code 13 from 10\.0\.2\.2 ' <<<"$out" ||
		cfail "UDP to 10.0.2.2:$D_UDP: expected ICMP type 3 code 13 (administratively prohibited) from 10.0.2.2"
	out=$(gx timeout 10 "$SL_PY" "$SL_PEER" udp-error fd00:2::2 "$D_UDP" 2>&1) || { echo "$out" >&2; cfail "UDP to [fd00:2::2]:$D_UDP: no ICMPv6 error"; }
	echo "UDP to [fd00:2::2]:$D_UDP: $out"
	grep -q '^icmp type 1 code 1 from fd00:2::2 ' <<<"$out" ||
		cfail "UDP to [fd00:2::2]:$D_UDP: expected ICMPv6 type 1 code 1 (administratively prohibited) from fd00:2::2"

	# iputils ping: ICMP type 3 code 13 is "Packet filtered", ICMPv6 type 1
	# code 1 "Destination unreachable: Administratively prohibited".
	out=$(gx ping -c 1 -W 3 "$H_ADDR4" 2>&1) && { echo "$out" >&2; cfail "ping $H_ADDR4 (denied) got a reply"; }
	echo "ping $H_ADDR4: $(grep -m1 -E '^From' <<<"$out" || true)"
	grep -q "^From $H_ADDR4 icmp_seq=1 Packet filtered" <<<"$out" ||
		{ echo "$out" >&2; cfail "ping $H_ADDR4: no 'Packet filtered' (ICMP type 3 code 13) from $H_ADDR4"; }
	out=$(gx ping -c 1 -W 3 "$H_ADDR6" 2>&1) && { echo "$out" >&2; cfail "ping $H_ADDR6 (denied) got a reply"; }
	echo "ping $H_ADDR6: $(grep -m1 -E '^From' <<<"$out" || true)"
	grep -q "^From $H_ADDR6 icmp_seq=1 Destination unreachable: Administratively prohibited" <<<"$out" ||
		{ echo "$out" >&2; cfail "ping $H_ADDR6: no 'Administratively prohibited' (ICMPv6 type 1 code 1) from $H_ADDR6"; }

	d1=$(sl_counter slirp denied)
	echo "denied: $d0 before, $d1 after"
	[ $((d1 - d0)) = 6 ] || cfail "the counter 'denied' grew by $((d1 - d0)), expected 6 (2 TCP, 2 UDP, 2 ICMP)"

	# What the deny list does not match still goes out.
	sl_curl "$T/allowed" --max-time 10 "http://10.0.2.2:$SL_HTTP/"
	[ "$SL_RC" = 0 ] || { cat "$T/allowed.log" >&2; cfail "GET of 10.0.2.2:$SL_HTTP (not denied) failed (curl exit $SL_RC)"; }
	gx timeout 20 "$SL_PY" "$SL_PEER" udp-echo fd00:2::2 "$SL_UDP" >/dev/null || cfail "UDP echo through fd00:2::2:$SL_UDP (not denied) failed"
	for a in 10.0.2.2 fd00:2::2; do
		gx ping -c 1 -W 3 "$a" >/dev/null 2>&1 || cfail "ping $a (not denied) got no reply"
	done
	echo "not denied: 10.0.2.2:$SL_HTTP/tcp, [fd00:2::2]:$SL_UDP/udp, ping 10.0.2.2 and fd00:2::2 work"
}

# stop -------------------------------------------------------------------------

check_stop() {
	stop_host
}

slirp_require_type
slirp_setup
ip -n "$SL_HOST" addr add "$H_ADDR4/32" dev lo
ip -n "$SL_HOST" addr add "$H_ADDR6/128" dev lo nodad
slirp_topology "$T/topo.json" "\"forwards\": $FORWARDS, \"deny\": $DENY"
slirp_start "$T/topo.json"
for _ in $(seq 50); do
	[ -z "$(gx ip -6 addr show dev "$SL_TAP" tentative)" ] && break
	sleep 0.1
done
mkdir -p "$T/gwww"
echo "pktkit slirp guest index" >"$T/gwww/index.html"
ln "$T/www/big.bin" "$T/gwww/big.bin"
sl_guest_serve "$T/gwww" "$G_HTTP" "$G_UDP" 10.0.2.15 fd00:2::15
for c in forward live deny stop; do
	run_check "check_$c"
done
echo "PASS"
