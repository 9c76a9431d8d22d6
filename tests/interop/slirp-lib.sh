# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# slirp-lib.sh - Set-up of the l3.slirp interop tests: host and guest namespaces, local servers, topology, checks
#
# Source after lib.sh and interop_init. Two namespaces, nothing leaves them:
#
#   $SL_HOST  "the host": only lo, and unreachable default routes (IPv4 and IPv6),
#             so any address but loopback fails at once. pktkit-host runs here, so
#             the slirp's host sockets are this namespace's. Servers on loopback:
#               HTTP  127.0.0.1 and ::1 port $SL_HTTP (GET of $T/www, PUT answers
#                     "sha256 HEX LENGTH" of the body; tests/interop/slirp-peer.py)
#               UDP   echo on 127.0.0.1 and ::1 port $SL_UDP (same script)
#               DNS   dnsmasq on 127.0.0.1:53 (UDP and TCP): example.test A 10.0.2.2,
#                     MX 1 mail.example.test, TXT "hello"; other names under .test
#                     are NXDOMAIN (--local=/test/)
#             Nothing listens on port $SL_REFUSED; ICMP echo sockets are allowed
#             to every group (net.ipv4.ping_group_range), as the slirp needs.
#   $SL_GUEST "the guest": the TAP pkslirp0, which io.tap (running in $SL_HOST)
#             creates directly in this namespace ("netns" parameter) and configures:
#             10.0.2.15/24, fd00:2::15/64, default routes via 10.0.2.1 / fd00:2::1.
#             /etc/netns/$SL_GUEST/resolv.conf says "nameserver 10.0.2.3" (ip netns
#             exec bind-mounts it over /etc/resolv.conf); removed at exit.
#
# The topology (slirp_topology): io.tap "tap" - l2.hub "lan" - l3.adapter "gw"
# (MAC 52:54:00:12:35:01, dhcp off), whose "ip" port is linked to the l3.slirp "slirp".
# The adapter owns the gateway 10.0.2.1 / fd00:2::1 and also the slirp's virtual
# addresses 10.0.2.2, 10.0.2.3, fd00:2::2, fd00:2::3: the guest sees them on its
# link (as with QEMU's slirp) and resolves them by ARP / NDP, which only the adapter
# answers; it hands every IP packet sent to its MAC to the slirp.
#
#   slirp_require_type      fail at once unless pktkit-host knows l3.slirp (the module is
#                           built and on PKTKIT_MODULE_PATH)
#   slirp_setup             tools, namespaces, servers, resolv.conf; sets CTL and SL_PY
#                           (the python3 interpreter itself, not a wrapper such as a
#                           pyenv shim, which costs a second per start)
#   slirp_topology FILE [EXTRA_JSON]
#                           write the topology; EXTRA_JSON: more l3.slirp parameters
#                           (e.g. '"deny": [...]'); SLIRP_SELFTEST=1: a core.pipe-l3
#                           stands in for the slirp (set-up check without the device)
#   slirp_start FILE        validate it (pktkit-host --check: parameter names), run
#                           pktkit-host in $SL_HOST with D-Bus on $T/ctl.sock, wait for
#                           the guest's TAP, addresses and routes
#   run_check NAME          run the check function NAME: prints "== NAME", then
#                           "PASS: NAME"; inside it, cfail MSG fails the test with
#                           "FAIL: NAME: MSG"
#   gx CMD... / hx CMD...   run CMD in the guest / host namespace
#   sl_no_buffer_drops DEV  pktkitctl stats: DEV's counters printed; fails if DEV has no
#                           dropped-no-buffer counter or any device's is not 0
#   sl_curl OUT ARGS...     curl in the guest (verbose log in OUT.log); sets SL_RC (exit
#                           status) and SL_MS (milliseconds it took)
#   sl_hcurl OUT ARGS...    the same in the host namespace (e.g. through a port forward)
#   sl_guest_serve DIR HTTP_PORT UDP_PORT ADDR...
#                           slirp-peer.py serve in the guest namespace (the other end of
#                           port forwards), its log in $T/guest-peer.log (one line per
#                           request and datagram, with the client address it saw)
#   sl_counter DEV COUNTER  one counter (after the 500 ms D-Bus refresh); fails if absent
#   sl_iperf LABEL PORT [CLIENT_ARGS...]
#                           iperf3 -s on 127.0.0.1:PORT in the host namespace, the client
#                           in the guest to 10.0.2.2:PORT for 5 s (-J); fails unless both
#                           exit 0 and the receiver counted bytes; prints the Gbit/s
#                           (never asserted) and sets SL_GBPS

SL_HOST=
SL_GUEST=
SL_TAP=pkslirp0
SL_HTTP=8080
SL_UDP=7777
SL_REFUSED=8099
SL_BIG=$((20 * 1024 * 1024))
SL_BIG_SHA=
SL_CHECK=
SL_RC=0
SL_MS=0
SL_GBPS=
SL_PY=python3
SL_PEER=$(dirname "${BASH_SOURCE[0]}")/slirp-peer.py

gx() { ip netns exec "$SL_GUEST" "$@"; }
hx() { ip netns exec "$SL_HOST" "$@"; }
cfail() { fail "${SL_CHECK:+$SL_CHECK: }$*"; }

run_check() {
	SL_CHECK=$1
	echo "== $1"
	"$1"
	echo "PASS: $1"
	SL_CHECK=
}

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# sl_curl_in gx|hx OUT ARGS...
sl_curl_in() {
	local x=$1 out=$2 t0
	shift 2
	t0=$(ms_now)
	SL_RC=0
	"$x" curl -sS -v "$@" -o "$out" 2>"$out.log" || SL_RC=$?
	SL_MS=$(( $(ms_now) - t0 ))
}

sl_curl() { sl_curl_in gx "$@"; }
sl_hcurl() { sl_curl_in hx "$@"; }

sl_guest_serve() {
	local dir=$1 http=$2 udp=$3
	shift 3
	gx "$SL_PY" "$SL_PEER" serve "$dir" "$http" "$udp" "$@" >"$T/guest-peer.log" 2>&1 &
	wait_for "$T/guest-peer.log" '^ready' 10 || { cat "$T/guest-peer.log" >&2; fail "slirp-peer.py serve did not start in the guest"; }
}

sl_counter() {
	local v
	sleep 0.7	# the D-Bus Counters property is refreshed every 500 ms
	v=$(stat_of "$1" "$2")
	[ -n "$v" ] || cfail "pktkitctl stats $1: no counter $2"
	echo "$v"
}

sl_iperf() {
	local label=$1 port=$2 j=$T/iperf-$1.json srv
	shift 2
	hx timeout 40 iperf3 -s -1 -B 127.0.0.1 -p "$port" >"$T/iperf-$label-server.log" 2>&1 &
	srv=$!
	for _ in $(seq 50); do
		hx ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	if ! gx timeout 30 iperf3 -c 10.0.2.2 -p "$port" -t 5 -J "$@" >"$j" 2>&1; then
		cat "$j" >&2
		cfail "$label: iperf3 -c 10.0.2.2 -p $port $* failed"
	fi
	wait "$srv" || { cat "$T/iperf-$label-server.log" >&2; cfail "$label: iperf3 -s failed"; }
	SL_GBPS=$("$SL_PY" - "$j" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))["end"]
r = e["sum_received"]
if r["bytes"] <= 0 or r["bits_per_second"] <= 0:
    sys.exit("the receiver got %d bytes" % r["bytes"])
print("%.2f" % (r["bits_per_second"] / 1e9))
PY
) || cfail "$label: no throughput in the iperf3 report ($j)"
	echo "RESULT $label: $SL_GBPS Gbit/s received (retransmits $("$SL_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["end"]["sum_sent"].get("retransmits","n/a"))' "$j"))"
}

slirp_setup() {
	require curl dig python3 dnsmasq ping sha256sum ss sysctl
	SL_PY=$(python3 -c 'import sys; print(sys.executable)')
	ctl_init
	ns_new SL_HOST h
	ns_new SL_GUEST g
	ip -n "$SL_HOST" route add unreachable default
	ip -n "$SL_HOST" -6 route add unreachable default
	hx sysctl -qw net.ipv4.ping_group_range="0 2147483647"

	mkdir -p "/etc/netns/$SL_GUEST"
	at_exit rm -rf "/etc/netns/$SL_GUEST"
	printf 'nameserver 10.0.2.3\n' >"/etc/netns/$SL_GUEST/resolv.conf"

	mkdir -p "$T/www"
	echo "pktkit slirp interop index" >"$T/www/index.html"
	head -c "$SL_BIG" /dev/urandom >"$T/www/big.bin"
	SL_BIG_SHA=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)

	hx dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
		--listen-address=127.0.0.1 --port=53 --bind-interfaces \
		--address=/example.test/10.0.2.2 --txt-record=example.test,hello \
		--mx-host=example.test,mail.example.test --local=/test/ \
		--pid-file="$T/dnsmasq.pid" --log-queries --log-facility=- >"$T/dnsmasq.log" 2>&1 &
	hx "$SL_PY" "$SL_PEER" serve "$T/www" "$SL_HTTP" "$SL_UDP" 127.0.0.1 ::1 \
		>"$T/peer.log" 2>&1 &
	wait_for "$T/dnsmasq.log" 'started, version' 10 || { cat "$T/dnsmasq.log" >&2; fail "dnsmasq did not start"; }
	wait_for "$T/peer.log" '^ready' 10 || { cat "$T/peer.log" >&2; fail "slirp-peer.py serve did not start"; }
}

slirp_topology() {
	local file=$1 extra=${2:-} slirp
	if [ "${SLIRP_SELFTEST:-0}" = 1 ]; then
		slirp='{ "type": "core.pipe-l3" }'
	else
		slirp="{ \"type\": \"l3.slirp\",
		  \"dns4\": \"10.0.2.3\", \"dns6\": \"fd00:2::3\",
		  \"host-loopback4\": \"10.0.2.2\", \"host-loopback6\": \"fd00:2::2\",
		  \"dns-servers\": [ { \"address\": \"127.0.0.1\" } ]${extra:+, $extra} }"
	fi
	cat >"$file" <<JSON
{
  "devices": {
    "tap": { "type": "io.tap", "ifname": "$SL_TAP", "netns": "$SL_GUEST",
             "addresses": [ { "prefix": "10.0.2.15/24" }, { "prefix": "fd00:2::15/64" } ],
             "routes": [ { "prefix": "0.0.0.0/0", "via": "10.0.2.1" },
                         { "prefix": "::/0", "via": "fd00:2::1" } ] },
    "lan": { "type": "l2.hub" },
    "gw": { "type": "l3.adapter", "mac": "52:54:00:12:35:01", "dhcp": false,
            "addresses": [ { "prefix": "10.0.2.1/24" }, { "prefix": "10.0.2.2/24" },
                           { "prefix": "10.0.2.3/24" }, { "prefix": "fd00:2::1/64" },
                           { "prefix": "fd00:2::2/64" }, { "prefix": "fd00:2::3/64" } ] },
    "slirp": $slirp
  },
  "links": [ ["tap", "lan"], ["gw.eth", "lan"], ["gw.ip", "slirp"] ]
}
JSON
}

slirp_require_type() {
	local out
	[ -n "${PKTKIT_HOST:-}" ] && [ -x "$PKTKIT_HOST" ] || fail "PKTKIT_HOST is not set to pktkit-host (run through meson test)"
	[ "${SLIRP_SELFTEST:-0}" = 1 ] && return 0
	echo '{ "devices": { "slirp": { "type": "l3.slirp" } } }' >"$T/type.json"
	out=$("$PKTKIT_HOST" --check "$T/type.json" 2>&1) && return 0
	echo "$out" >&2
	fail "device type l3.slirp is missing: module slirp (pk-slirp.so) not built or not on PKTKIT_MODULE_PATH=${PKTKIT_MODULE_PATH:-} (a missing peer is a failure, never a skip)"
}

slirp_start() {
	local topo=$1 out
	if ! out=$("$PKTKIT_HOST" --check "$topo" 2>&1); then
		echo "$out" >&2
		fail "pktkit-host --check refused the topology (above; errors under devices.slirp: the l3.slirp parameters this test uses, in slirp-lib.sh, differ from the type's)"
	fi
	# run_host_ctl's wrapper, inside the host namespace: ip netns exec execs, so
	# HOST_PID is pktkit-host itself and stop_host's SIGTERM reaches it.
	cat >"$T/host.sh" <<SH
#!/bin/sh
exec ip netns exec "$SL_HOST" "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
	chmod +x "$T/host.sh"
	PKTKIT_HOST=$T/host.sh run_host "$topo"
	for _ in $(seq 50); do
		grep -q 'via fd00:2::1' <<<"$(gx ip -6 route show default 2>/dev/null)" &&
			grep -q 'via 10.0.2.1' <<<"$(gx ip -4 route show default 2>/dev/null)" && break
		sleep 0.1
	done
	gx ip -br addr show "$SL_TAP"
	grep -q 'via 10.0.2.1' <<<"$(gx ip -4 route show default)" || fail "no IPv4 default route via 10.0.2.1 in the guest"
	grep -q 'via fd00:2::1' <<<"$(gx ip -6 route show default)" || fail "no IPv6 default route via fd00:2::1 in the guest"
}

sl_no_buffer_drops() {
	sleep 0.7	# the D-Bus Counters property is refreshed every 500 ms
	ctl stats >"$T/stats.txt" || cfail "pktkitctl stats failed"
	echo "$1 counters (not 0): $(awk -v d="$1" '$1 == d && $3 != 0 { printf "%s %s=%s", s, $2, $3; s = "," }' "$T/stats.txt")"
	awk -v d="$1" '$1 == d && $2 == "dropped-no-buffer" { f = 1 } END { exit !f }' "$T/stats.txt" ||
		cfail "no dropped-no-buffer counter for the device $1"
	if awk '$2 == "dropped-no-buffer" && $3 != 0 { bad = 1; print "  " $0 } END { exit !bad }' \
		"$T/stats.txt" >&2; then
		cfail "packets were dropped for want of a buffer (dropped-no-buffer above)"
	fi
}

# Flow table helpers (test-slirp-faults.sh and others):
#   sl_flows [PROTO]        print how many flows the slirp lists (PROTO tcp, udp, ...: of
#                           that protocol, from the table "flow-table"; none: the scalar "flows")
#   sl_wait_flows PROTO N SECS
#                           poll until at most N flows of PROTO ("" : all) are listed; 1 if
#                           they are not within SECS seconds; sets SL_MS (time it took)
sl_flows() {
	ctl --json status slirp | python3 -c '
import json, sys
st = json.load(sys.stdin)
p = sys.argv[1] if len(sys.argv) > 1 else ""
print(sum(1 for r in st.get("flow-table", []) if r.get("proto") == p) if p else st.get("flows", 0))
' "$@"
}

sl_wait_flows() {
	local t0 n
	t0=$(ms_now)
	while :; do
		n=$(sl_flows ${1:+"$1"}) || return 1
		SL_MS=$(( $(ms_now) - t0 ))
		[ "$n" -le "$2" ] && return 0
		[ "$SL_MS" -lt $(( $3 * 1000 )) ] || { echo "sl_wait_flows: still $n ${1:-} flows after $3 s" >&2; return 1; }
		sleep 0.2
	done
}
