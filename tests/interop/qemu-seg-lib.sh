# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# qemu-seg-lib.sh - Helpers of the tests of two QEMU guests on separate segments of one io.qemu-listen (qemu-slots, qemu-template)
#
# Source after lib.sh, interop_init and guest_init. Each guest's segment has its
# own svc.dhcp-server, 10.88.0.1 (the gateway: it answers ARP and ICMP echo), pool
# .100-.120. "Cannot reach the other guest" is checked with probe addresses outside
# the pool: guest A adds $PROBEA, B $PROBEB, and each pings the other's from its own.
#
#   SOCK, ND                  the listener's socket ($T/guests.sock) and the -netdev
#                             that connects a guest to it
#   seg_steps OWN_PROBE OTHER_PROBE OTHER_MAC
#                             a guest's steps, one a line (for guest_boot): probe address
#                             up, own gateway reachable, the other's probe address not
#                             (after 3 s, so that the other guest is up too), the other's
#                             MAC not in the ARP table
#   seg_check NAME PID [LOW HIGH]
#                             wait for guest NAME, show its console; fail without a lease
#                             from 10.88.0.1 (or one outside .LOW-.HIGH) or if a step
#                             failed; sets LEASE
#   seg_captures LABEL CAP0 CAP1 MAC_A MAC_B [TX RX]
#                             check the captures of the two segments (seg-captures.py)

SOCK=$T/guests.sock
ND="stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK"
PROBEA=10.88.0.201 PROBEB=10.88.0.202
LEASE=

# The probe ping is sent from the probe address: an ARP request whose sender IP is the
# lease (possibly the other guest's address too) would be dropped by the other kernel.
seg_steps() {
	echo "ip addr add $1/24 dev eth0"
	echo "ping -c 2 -W 2 10.88.0.1"
	echo "sleep 3; ! ping -c 3 -W 1 -I $1 $2"
	echo "cat /proc/net/arp; ! grep -qi '$3' /proc/net/arp"
}

seg_check() {
	local rc=0
	wait "$2" || rc=$?
	sed "s/^/[$1] /" "$T/$1.log"
	LEASE=$(sed -n 's/^PK-DHCP ip=\(10\.88\.0\.[0-9]*\)\/24 .*server=10\.88\.0\.1$/\1/p' "$T/$1.log" | head -n 1)
	[ -n "$LEASE" ] || fail "$1: no lease in 10.88.0.0/24 from 10.88.0.1"
	if [ $# -ge 4 ]; then
		[ "${LEASE##*.}" -ge "$3" ] && [ "${LEASE##*.}" -le "$4" ] || fail "$1: lease $LEASE outside the pool"
	fi
	[ $rc -eq 0 ] || fail "$1: guest ended with status $rc (a step failed, see PK-STEP-FAIL)"
}

seg_captures() {
	local label=$1 cap0=$2 cap1=$3 maca=$4 macb=$5
	shift 5
	python3 "$(dirname "${BASH_SOURCE[0]}")/seg-captures.py" "$label" "$cap0" "$cap1" "$maca" "$macb" \
		"$PROBEA" "$PROBEB" "$@"
}
