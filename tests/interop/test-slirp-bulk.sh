#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-slirp-bulk.sh - Issue 12: l3.slirp bulk transfers (100 MB each way, sha256) and iperf3 both directions
#
# The set-up is slirp-lib.sh's (host namespace with only lo, guest namespace on
# a TAP behind l2.hub, l3.adapter and the l3.slirp, same parameters as
# test-slirp.sh), plus one TCP forward 127.0.0.1:18080 -> 10.0.2.15:80 to a
# server in the guest (slirp-peer.py serve). A 100 MB random file in $T (removed
# at exit). Nothing here asserts a speed: throughputs are printed only.
# Each check is a function check_NAME run by run_check; the first failure ends the test.
#   get      the guest GETs the 100 MB file from 10.0.2.2 (the host's 127.0.0.1):
#            host -> guest, sha256 compared
#   put      the guest PUTs it to 10.0.2.2 (guest -> host): the server's sha256 and
#            length of the body compared
#   forward  the host GETs it from the guest's server through the forward (an
#            inbound flow, guest -> host), sha256 compared
#   iperf    iperf3 -s on 127.0.0.1 in the host namespace, iperf3 -c 10.0.2.2 -t 5 -J
#            in the guest, then with -R: both exit 0 and the receiver counted a
#            non-zero throughput (printed in Gbit/s, "RESULT ...")
#   drops    no device counted dropped-no-buffer
#   stop     SIGTERM: pktkit-host exits 0
# Registered only for builds without sanitizers (tests/interop/meson.build).
# Environment: PKTKIT_HOST, PKTKIT_MODULE_PATH (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slirp-lib.sh"
interop_init slbk

HUGE=$((100 * 1024 * 1024))
HUGE_SHA=
F_TCP4=18080
IPERF_PORT=5201

# got_huge LABEL FILE: FILE must be the 100 MB file; removed afterwards.
got_huge() {
	local got
	got=$(sha256sum <"$2" | cut -d' ' -f1)
	[ "$got" = "$HUGE_SHA" ] || cfail "$1: sha256 $got, expected $HUGE_SHA ($(stat -c %s "$2") bytes)"
	rm -f "$2"
}

rate() { echo "$(( HUGE * 8 / 1000 / (SL_MS > 0 ? SL_MS : 1) )) Mbit/s"; }

check_get() {
	sl_curl "$T/get" --max-time 60 "http://10.0.2.2:$SL_HTTP/huge.bin"
	[ "$SL_RC" = 0 ] || { tail -n 20 "$T/get.log" >&2; cfail "GET of 100 MB from 10.0.2.2 failed (curl exit $SL_RC)"; }
	got_huge get "$T/get"
	echo "RESULT get: 100 MB host -> guest in $SL_MS ms ($(rate)), sha256 ok"
}

check_put() {
	sl_curl "$T/put" --max-time 60 -H 'Expect:' -T "$T/www/huge.bin" "http://10.0.2.2:$SL_HTTP/upload"
	[ "$SL_RC" = 0 ] || { tail -n 20 "$T/put.log" >&2; cfail "PUT of 100 MB to 10.0.2.2 failed (curl exit $SL_RC)"; }
	[ "$(cat "$T/put")" = "sha256 $HUGE_SHA $HUGE" ] ||
		cfail "PUT of 100 MB: the server got '$(cat "$T/put")', expected 'sha256 $HUGE_SHA $HUGE'"
	echo "RESULT put: 100 MB guest -> host in $SL_MS ms ($(rate)), sha256 ok"
}

check_forward() {
	sl_hcurl "$T/fwd" --max-time 60 "http://127.0.0.1:$F_TCP4/huge.bin"
	[ "$SL_RC" = 0 ] || { tail -n 20 "$T/fwd.log" >&2; cfail "GET of 100 MB through 127.0.0.1:$F_TCP4 failed (curl exit $SL_RC)"; }
	got_huge forward "$T/fwd"
	echo "RESULT forward: 100 MB guest -> host through the forward in $SL_MS ms ($(rate)), sha256 ok"
}

check_iperf() {
	sl_iperf iperf-up "$IPERF_PORT"
	sl_iperf iperf-down "$IPERF_PORT" -R
}

check_drops() {
	sl_no_buffer_drops slirp
}

check_stop() {
	stop_host
}

slirp_require_type
require iperf3
slirp_setup
head -c "$HUGE" /dev/urandom >"$T/www/huge.bin"
HUGE_SHA=$(sha256sum <"$T/www/huge.bin" | cut -d' ' -f1)
slirp_topology "$T/topo.json" "\"forwards\": [ { \"proto\": \"tcp\", \"host-address\": \"127.0.0.1\",
    \"host-port\": $F_TCP4, \"guest-address\": \"10.0.2.15\", \"guest-port\": 80 } ]"
slirp_start "$T/topo.json"
mkdir -p "$T/gwww"
ln "$T/www/huge.bin" "$T/gwww/huge.bin"
sl_guest_serve "$T/gwww" 80 7777 10.0.2.15
for c in get put forward iperf drops stop; do
	run_check "check_$c"
done
echo "PASS"
