#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-slirp.sh - Issue 12: l3.slirp between a guest namespace and the host's sockets: HTTP, DNS, UDP, errors, ping, counters
#
# The set-up is slirp-lib.sh's: a guest namespace on a TAP, behind l2.hub and
# l3.adapter, reaches through the l3.slirp the servers on the loopback of the
# host namespace, which has no other interface. The l3.slirp parameters used:
#   dns4 10.0.2.3, dns6 fd00:2::3, host-loopback4 10.0.2.2 (-> 127.0.0.1),
#   host-loopback6 fd00:2::2 (-> ::1), dns-servers [{"address": "127.0.0.1"}];
#   everything else at its default (unreachable: icmp, icmp-echo: true).
# Each check is a function check_NAME run by run_check; the first failure ends
# the test (later ones, e.g. port forwards, deny lists, fault injection, are added
# the same way, with more l3.slirp parameters through slirp_topology's EXTRA_JSON).
#   http         GET of the index and of a 20 MB file over IPv4 (10.0.2.2) and IPv6
#                (fd00:2::2), sha256 compared; a 20 MB PUT each way, the server's
#                sha256 compared
#   dns          dig @10.0.2.3 and @fd00:2::3: A, MX, TXT, NXDOMAIN, A over TCP;
#                the guest's resolver (resolv.conf -> 10.0.2.3) finds example.test
#   udp          datagrams of 1..1400 bytes echoed by 127.0.0.1 / ::1, answered from
#                10.0.2.2 / fd00:2::2
#   refused      nothing listens on the port: curl gets "Connection refused" (RST)
#                within 2 s, IPv4 and IPv6
#   unreachable  192.0.2.1 and 2001:db8::1 are unreachable from the host: curl gets
#                an ICMP unreachable ("No route to host" / "Network is unreachable"),
#                neither a RST nor a time-out (bounded by --max-time 30)
#   ping         ping 10.0.2.2 and fd00:2::2: echo forwarded through the host's
#                unprivileged ICMP sockets, the reply from the address pinged
#   status       pktkitctl status slirp lists the open TCP flow and the UDP flow
#                (guest 10.0.2.15, remote 10.0.2.2, ports) in its table "flow-table",
#                "flows" counts at least 2; no device counted dropped-no-buffer
#   stop         SIGTERM: pktkit-host exits 0 and the TAP is gone
# SLIRP_SELFTEST=1 replaces the slirp by a core.pipe-l3 and checks only the set-up
# (servers in the host namespace, the guest's TAP, routes and neighbours).
# Environment: PKTKIT_HOST, PKTKIT_MODULE_PATH (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slirp-lib.sh"
interop_init slirp

# http -------------------------------------------------------------------------

http_family() {	# BASE-URL LABEL
	local base=$1 label=$2 got
	sl_curl "$T/index-$label" --max-time 10 "$base/"
	[ "$SL_RC" = 0 ] || { cat "$T/index-$label.log" >&2; cfail "$label: GET / failed (curl exit $SL_RC)"; }
	grep -q 'pktkit slirp interop index' "$T/index-$label" || cfail "$label: GET / returned something else"
	sl_curl "$T/big-$label" --max-time 30 "$base/big.bin"
	[ "$SL_RC" = 0 ] || { tail -n 20 "$T/big-$label.log" >&2; cfail "$label: GET of 20 MB failed (curl exit $SL_RC)"; }
	got=$(sha256sum <"$T/big-$label" | cut -d' ' -f1)
	[ "$got" = "$SL_BIG_SHA" ] || cfail "$label: GET of 20 MB: sha256 $got, expected $SL_BIG_SHA ($(stat -c %s "$T/big-$label") bytes)"
	echo "$label: GET 20 MB in $SL_MS ms, sha256 ok"
	sl_curl "$T/put-$label" --max-time 30 -H 'Expect:' -T "$T/www/big.bin" "$base/upload"
	[ "$SL_RC" = 0 ] || { tail -n 20 "$T/put-$label.log" >&2; cfail "$label: PUT of 20 MB failed (curl exit $SL_RC)"; }
	[ "$(cat "$T/put-$label")" = "sha256 $SL_BIG_SHA $SL_BIG" ] ||
		cfail "$label: PUT of 20 MB: the server got '$(cat "$T/put-$label")', expected 'sha256 $SL_BIG_SHA $SL_BIG'"
	echo "$label: PUT 20 MB in $SL_MS ms, sha256 ok"
}

check_http() {
	http_family "http://10.0.2.2:$SL_HTTP" ipv4
	http_family "http://[fd00:2::2]:$SL_HTTP" ipv6
}

# dns --------------------------------------------------------------------------

# dig_expect SERVER STATUS ANSWER QUERY... : the reply's status and its answer
# section's data (RRs joined by spaces, "" for none) must be as given.
dig_expect() {
	local server=$1 want_st=$2 want=$3 out st got rc
	shift 3
	out=$T/dig.out
	rc=0
	gx dig +time=2 +tries=1 +noall +comments +answer "@$server" "$@" >"$out" 2>&1 || rc=$?
	[ $rc = 0 ] || { cat "$out" >&2; cfail "dig @$server $*: no answer (dig exit $rc)"; }
	st=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' "$out")
	got=$(awk '!/^;/ && NF { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' "$out" | paste -sd ' ' -)
	echo "dig @$server $*: $st ${got:-(no answer)}"
	[ "$st" = "$want_st" ] && [ "$got" = "$want" ] ||
		{ cat "$out" >&2; cfail "dig @$server $*: status $st answer '$got', expected $want_st '$want'"; }
}

check_dns() {
	local s got
	for s in 10.0.2.3 fd00:2::3; do
		dig_expect "$s" NOERROR 10.0.2.2 example.test A
		dig_expect "$s" NOERROR '1 mail.example.test.' example.test MX
		dig_expect "$s" NOERROR '"hello"' example.test TXT
		dig_expect "$s" NXDOMAIN '' nothere.test A
		dig_expect "$s" NOERROR 10.0.2.2 +tcp example.test A
	done
	got=$(gx getent ahostsv4 example.test | awk 'NR == 1 { print $1 }')
	echo "getent ahostsv4 example.test (resolv.conf: nameserver 10.0.2.3): ${got:-nothing}"
	[ "$got" = 10.0.2.2 ] || cfail "the guest's resolver did not find example.test through 10.0.2.3"
}

# udp --------------------------------------------------------------------------

check_udp() {
	gx timeout 20 python3 "$SL_PEER" udp-echo 10.0.2.2 "$SL_UDP" || cfail "UDP echo through 10.0.2.2 failed"
	gx timeout 20 python3 "$SL_PEER" udp-echo fd00:2::2 "$SL_UDP" || cfail "UDP echo through fd00:2::2 failed"
}

# refused, unreachable ---------------------------------------------------------

check_refused() {
	local url
	for url in "http://10.0.2.2:$SL_REFUSED/" "http://[fd00:2::2]:$SL_REFUSED/"; do
		sl_curl "$T/refused" --max-time 10 "$url"
		echo "$url: curl exit $SL_RC after $SL_MS ms: $(grep -m1 -E 'connect to .* failed|Connection refused' "$T/refused.log" || true)"
		[ "$SL_RC" = 7 ] && grep -q 'Connection refused' "$T/refused.log" ||
			{ cat "$T/refused.log" >&2; cfail "$url: expected curl exit 7 'Connection refused' (a RST), got exit $SL_RC"; }
		[ "$SL_MS" -lt 2000 ] || cfail "$url: refused only after $SL_MS ms (expected < 2000)"
	done
}

check_unreachable() {
	local url
	for url in http://192.0.2.1/ "http://[2001:db8::1]/"; do
		sl_curl "$T/unreach" --max-time 30 "$url"
		echo "$url: curl exit $SL_RC after $SL_MS ms: $(grep -m1 -E 'connect to .* failed|connect fail|timed out' "$T/unreach.log" || true)"
		case $SL_RC in
		0) cfail "$url: the connection succeeded, but the host has no route there" ;;
		28) cfail "$url: no answer within 30 s (expected an ICMP unreachable from the slirp)" ;;
		7) grep -qE 'No route to host|Network is unreachable|Host is unreachable' "$T/unreach.log" ||
			{ cat "$T/unreach.log" >&2; cfail "$url: failed, but not with an ICMP unreachable (the default 'unreachable' is icmp)"; } ;;
		*) cat "$T/unreach.log" >&2; cfail "$url: curl exit $SL_RC" ;;
		esac
	done
}

# ping -------------------------------------------------------------------------

check_ping() {
	local a out
	for a in 10.0.2.2 fd00:2::2; do
		out=$(gx ping -c 1 -W 3 "$a" 2>&1) || { echo "$out" >&2; cfail "ping $a: no reply"; }
		grep -E 'bytes from' <<<"$out" || true
		grep -q "bytes from $a: icmp_seq=1" <<<"$out" || { echo "$out" >&2; cfail "ping $a: the reply did not come from $a"; }
	done
}

# status and counters ----------------------------------------------------------

check_status() {
	local hold
	gx timeout 30 python3 "$SL_PEER" hold 10.0.2.2 "$SL_HTTP" 20 >"$T/hold.log" 2>&1 &
	hold=$!
	wait_for "$T/hold.log" '^connected' 10 || { cat "$T/hold.log" >&2; cfail "the held TCP connection did not open"; }
	gx timeout 20 python3 "$SL_PEER" udp-echo 10.0.2.2 "$SL_UDP" >/dev/null || cfail "UDP echo failed"
	ctl status slirp || cfail "pktkitctl status slirp failed"
	ctl --json status slirp >"$T/status.json" || cfail "pktkitctl --json status slirp failed"
	python3 - "$T/status.json" "$SL_HTTP" "$SL_UDP" <<'PY' || cfail "the flow table does not list the open flows"
import json, re, sys
st = json.load(open(sys.argv[1]))
# The table of open flows: "flow-table" (columns proto, guest, guest-port, remote,
# remote-port, state, ...); the scalar "flows" counts them.
rows = st.get("flow-table", st.get("flows"))
if not isinstance(rows, list):
    sys.exit("status: no table 'flow-table' (keys: %s)" % ", ".join(st))
def port_of(r):
    if "remote-port" in r:
        return str(r["remote-port"])
    m = re.search(r"(\d+)$", str(r.get("remote", "")))
    return m.group(1) if m else ""
def has(proto, port):
    return any(str(r.get("proto", "")).lower() == proto and
               re.match(r"10\.0\.2\.15(\D|$)", str(r.get("guest", ""))) and
               re.match(r"10\.0\.2\.2(\D|$)", str(r.get("remote", ""))) and port_of(r) == port
               for r in rows)
for proto, port in (("tcp", sys.argv[2]), ("udp", sys.argv[3])):
    if not has(proto, port):
        sys.exit("status: no %s flow from 10.0.2.15 to 10.0.2.2 port %s among %d rows: %s"
                 % (proto, port, len(rows), rows))
n = st.get("flows")
if isinstance(n, int) and n < 2:
    sys.exit("status: 'flows' says %d open, the table lists %d" % (n, len(rows)))
print("status: %d flows listed, the held TCP flow and the UDP echo flow among them" % len(rows))
PY
	kill "$hold" 2>/dev/null || true
	wait "$hold" 2>/dev/null || true
	sl_no_buffer_drops slirp
}

# stop -------------------------------------------------------------------------

check_stop() {
	stop_host
	if gx ip link show "$SL_TAP" >/dev/null 2>&1; then cfail "$SL_TAP still exists after the host stopped"; fi
}

# set-up check without the device (SLIRP_SELFTEST=1) ---------------------------

check_selftest() {
	local a mac out
	# hcurl URL: curl -v in the host namespace, its output (with stderr) in $out
	hcurl() { out=$(hx curl -sS -v --max-time 5 "$1" 2>&1) || true; }
	hcurl "http://127.0.0.1:$SL_HTTP/"
	grep -q 'slirp interop' <<<"$out" || cfail "HTTP on 127.0.0.1"
	hcurl "http://[::1]:$SL_HTTP/"
	grep -q 'slirp interop' <<<"$out" || cfail "HTTP on ::1"
	[ "$(hx dig +short +time=2 +tries=1 @127.0.0.1 example.test A)" = 10.0.2.2 ] || cfail "dnsmasq A"
	[ "$(hx dig +short +tcp +time=2 +tries=1 @127.0.0.1 example.test MX)" = '1 mail.example.test.' ] || cfail "dnsmasq MX over TCP"
	grep -q 'status: NXDOMAIN' <<<"$(hx dig +time=2 +tries=1 @127.0.0.1 nothere.test)" || cfail "dnsmasq NXDOMAIN"
	hx python3 "$SL_PEER" udp-echo 127.0.0.1 "$SL_UDP" >/dev/null || cfail "UDP echo on 127.0.0.1"
	hx python3 "$SL_PEER" udp-echo ::1 "$SL_UDP" >/dev/null || cfail "UDP echo on ::1"
	hx ping -c 1 -W 2 127.0.0.1 >/dev/null || cfail "ping 127.0.0.1 in the host namespace"
	hcurl "http://127.0.0.1:$SL_REFUSED/"
	grep -q 'Connection refused' <<<"$out" || cfail "port $SL_REFUSED is not refused"
	hcurl http://192.0.2.1/
	grep -q 'No route to host' <<<"$out" || cfail "192.0.2.1 is reachable from the host namespace"
	hcurl 'http://[2001:db8::1]/'
	grep -q 'No route to host' <<<"$out" || cfail "2001:db8::1 is reachable from the host namespace"
	gx grep -q '^nameserver 10.0.2.3' /etc/resolv.conf || cfail "the guest's resolv.conf"
	# Every address the guest uses on its link is answered by the adapter.
	for a in 10.0.2.1 10.0.2.2 10.0.2.3 fd00:2::1 fd00:2::2 fd00:2::3; do
		gx ping -c 1 -W 1 "$a" >/dev/null 2>&1 || true	# the sink answers nothing
		mac=$(gx ip neigh show "$a" dev "$SL_TAP" | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
		echo "neighbour $a: ${mac:-unresolved}"
		[ "$mac" = 52:54:00:12:35:01 ] || cfail "$a is not resolved to the adapter's MAC"
	done
	mac=$(gx ip neigh show 192.0.2.1 2>/dev/null || true)
	[ -z "$mac" ] || cfail "the guest tried to resolve an off-link address ($mac)"
	sl_no_buffer_drops gw
}

slirp_require_type
slirp_setup
slirp_topology "$T/topo.json"
slirp_start "$T/topo.json"
if [ "${SLIRP_SELFTEST:-0}" = 1 ]; then
	run_check check_selftest
	run_check check_stop
	echo "PASS (SLIRP_SELFTEST: set-up only, the l3.slirp checks did not run)"
	exit 0
fi
for c in http dns udp refused unreachable ping status stop; do
	run_check "check_$c"
done
echo "PASS"
