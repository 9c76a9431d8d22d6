#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-vclient-kernel.sh - Issue 6 interop 1-2: bulk TCP between the kernel (socat) and an l3.vclient over io.tun, clean and through l3.impair
#
# Namespace K has the TUN "pkvc" (10.98.0.1/24, fd98::1/64) that io.tun creates;
# the vclient (vclient-peer) is 10.98.0.2 / fd98::2. For IPv4 and IPv6:
#   kernel socat client -> vclient sink     (sha256 of the stream checked)
#   vclient source      -> kernel socat server (sha256sum on the kernel side)
# first on a clean link (VC_CLEAN_BYTES, 100 MB), then through an l3.impair with
# 1% loss, 1% reordering and 20 ms delay each way (VC_IMPAIRED_BYTES, 2 MB: at a
# 40 ms RTT and 1% loss any Reno-like TCP gets a few Mbit/s, ~ MSS/RTT*1.2/sqrt(p)).
# Every run checks that SACK and timestamps were negotiated: the vclient's own
# connection info, and the SYN and SYN-ACK captured on the kernel's TUN.
# Prints "RESULT <label>: <n> Mbit/s (retrans <r>)" lines. Kernel sockets use CUBIC.
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/vclient-lib.sh"
interop_init vck
vc_setup
require nstat tcpdump

CLEAN=${VC_CLEAN_BYTES:-100000000}
IMPAIRED=${VC_IMPAIRED_BYTES:-2000000}
vc_topology "$T/clean.json"
vc_topology "$T/impaired.json" '"loss": "1%", "reorder": "1%", "delay": "20ms", "seed": 7'
CAPTURE=

kernel_retrans() {
	ip netns exec "$VC_NS" nstat -asz TcpRetransSegs | awk '/TcpRetransSegs/ { print $2 }'
}

# The handshake as the kernel sees it: its SYN or SYN-ACK and the vclient's. (This
# machine's `ss -ti`, iproute2 6.1 on a newer kernel, shows neither "ts" nor "sack"
# even for loopback connections, so the capture is the kernel-side check.)
capture_start() {	# FILE: needs pkvc to exist
	for _ in $(seq 100); do ip -n "$VC_NS" link show pkvc >/dev/null 2>&1 && break; sleep 0.05; done
	ip netns exec "$VC_NS" timeout 150 tcpdump --immediate-mode -l -c 2 -ni pkvc -v \
		'tcp[tcpflags] & tcp-syn != 0 or (ip6 and ip6[6] == 6 and ip6[53] & 2 != 0)' >"$1" 2>&1 &
	CAPTURE=$!
	wait_for "$1" 'listening on' 10 || fail "tcpdump did not start"
}

capture_check() {	# FILE LABEL
	wait "$CAPTURE" 2>/dev/null || true
	[ "$(grep -c 'Flags \[S' "$1")" = 2 ] && [ "$(grep -c 'sackOK,TS val' "$1")" = 2 ] || {
		cat "$1" >&2; fail "$2: SYN and SYN-ACK do not both carry SACK-permitted and timestamps"; }
	echo "handshake ($2):"; grep -o 'Flags \[S.*\]' "$1" | sed 's/^/  /'
}

check_options() {	# LOG LABEL: SACK and timestamps on in the vclient's connection
	[ "$(vc_field "$1" info sack)" = 1 ] && [ "$(vc_field "$1" info timestamps)" = 1 ] || {
		cat "$1" >&2; fail "$2: SACK or timestamps not negotiated by the vclient"; }
}

# kernel client -> vclient sink
to_vclient() {	# LABEL TOPO FAMILY BYTES
	local label=$1 topo=$2 fam=$3 n=$4 log=$T/peer-$RANDOM.log exp r0 dst lst
	if [ "$fam" = 6 ]; then dst="TCP6:[fd98::2]:5000"; lst="[fd98::2]:5000"
	else dst="TCP4:10.98.0.2:5000"; lst="10.98.0.2:5000"; fi
	exp=$(vc_expect_sha "$n")
	vc_peer_start "$log" "$topo" --listen "$lst" --sink --max-conns 1
	r0=$(kernel_retrans)
	capture_start "$T/syn.txt"
	"$VCLIENT_PEER" --gen "$n" | ip netns exec "$VC_NS" timeout 150 socat -u - "$dst$VC_CC" ||
		{ cat "$log" >&2; fail "$label: kernel socat client failed"; }
	vc_peer_wait "$log"
	capture_check "$T/syn.txt" "$label"
	[ "$(vc_field "$log" conn received)" = "$n" ] && [ "$(vc_field "$log" conn sha256-in)" = "$exp" ] || {
		cat "$log" >&2; fail "$label: the vclient received other data than the kernel sent"; }
	check_options "$log" "$label"
	grep -E '^(info|counters vc|tcp-stats)' "$log"
	echo "RESULT $label: $(vc_field "$log" conn mbps | cut -d. -f1) Mbit/s (retrans $(( $(kernel_retrans) - r0 )))"
}

# vclient source -> kernel socat server
from_vclient() {	# LABEL TOPO FAMILY BYTES
	local label=$1 topo=$2 fam=$3 n=$4 log=$T/peer-$RANDOM.log exp got srv dst sp
	if [ "$fam" = 6 ]; then srv="TCP6-LISTEN:5001,reuseaddr"; dst="[fd98::1]:5001"
	else srv="TCP4-LISTEN:5001,reuseaddr"; dst="10.98.0.1:5001"; fi
	exp=$(vc_expect_sha "$n")
	rm -f "$T/kernel.sha"
	ip netns exec "$VC_NS" timeout 150 socat -u "$srv$VC_CC" - | sha256sum >"$T/kernel.sha" &
	sp=$!
	vc_wait_listen 5001
	vc_peer_start "$log" "$topo" --delay 1000 --connect "$dst" --send "$n"
	capture_start "$T/syn.txt"
	vc_peer_wait "$log"
	wait "$sp" || fail "$label: kernel socat server failed"
	capture_check "$T/syn.txt" "$label"
	got=$(cut -d' ' -f1 "$T/kernel.sha")
	[ "$got" = "$exp" ] && [ "$(vc_field "$log" conn sha256-out)" = "$exp" ] || {
		cat "$log" >&2; fail "$label: the kernel received $got, expected $exp"; }
	check_options "$log" "$label"
	grep -E '^(info|counters vc|tcp-stats)' "$log"
	echo "RESULT $label: $(vc_field "$log" conn mbps | cut -d. -f1) Mbit/s (retrans $(vc_field "$log" 'counters vc' tcp-retransmits))"
}

for fam in 4 6; do
	echo "== clean, IPv$fam, $CLEAN bytes each way"
	to_vclient "kernel->vclient IPv$fam clean" "$T/clean.json" $fam "$CLEAN"
	from_vclient "vclient->kernel IPv$fam clean" "$T/clean.json" $fam "$CLEAN"
done
for fam in 4 6; do
	echo "== impaired (1% loss, 1% reorder, 20 ms each way), IPv$fam, $IMPAIRED bytes each way"
	to_vclient "kernel->vclient IPv$fam impaired" "$T/impaired.json" $fam "$IMPAIRED"
	from_vclient "vclient->kernel IPv$fam impaired" "$T/impaired.json" $fam "$IMPAIRED"
done
echo "PASS"
