#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-all.sh - Run every benchmark of docs/performance.md one after the other, each output kept in a file
#
#   usage: bench/run-all.sh [BUILD_DIR [OUT_DIR]]   (root for the shell benchmarks;
#          default BUILD_DIR build, OUT_DIR bench-results-<UTC date and time>)
#   env:   ONLY="hub vclient ..." runs only those (names below); the shell
#          benchmarks' own variables (RUNS, BYTES, IPERF_TIME) pass through.
#
# Benchmarks: net hub hub2 dispatch adapter dhcp qemu impair vclient scale wg (the C benchmarks,
# also `meson test -C BUILD --benchmark`; hub2 is a second run of bench-hub,
# since docs/performance.md reports two runs against the targets), then
# l2-switch-compare, vclient-kernel, tun-offload, slirp-compare, wg-compare, wg-peers
# (shell, root). They run sequentially, never two at once; each file starts with the date and
# /proc/loadavg and ends with /proc/loadavg. A benchmark that fails makes the
# script exit non-zero after the others ran.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:-$HERE/../build}" && pwd)
OUT=${2:-bench-results-$(date -u +%Y%m%d-%H%M)}
mkdir -p "$OUT"
M=$BUILD/modules
export PKTKIT_MODULE_SYSTEM_PATH=
ALL="net hub hub2 dispatch adapter dhcp qemu impair vclient scale wg l2-switch-compare vclient-kernel tun-offload slirp-compare wg-compare wg-peers"
failed=

run() {	# NAME MODULE_PATH COMMAND...
	local name=$1 mp=$2 rc=0
	shift 2
	case " ${ONLY:-$ALL} " in *" $name "*) ;; *) return 0 ;; esac
	echo "== $name ($(date -u '+%F %H:%M:%S UTC'), loadavg $(cat /proc/loadavg))"
	{
		echo "# $* ($(date -u '+%F %H:%M:%S UTC'), loadavg $(cat /proc/loadavg))"
		PKTKIT_MODULE_PATH=$mp "$@" 2>&1 || rc=$?
		echo "# exit status $rc, loadavg $(cat /proc/loadavg)"
	} >"$OUT/$name.txt"
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || { echo "   FAILED (status $rc), see $OUT/$name.txt"; failed="$failed $name"; }
}

run net "" "$BUILD/bench/net/bench-net"
run hub "$M/hub" "$BUILD/bench/hub/bench-hub"
run hub2 "$M/hub" "$BUILD/bench/hub/bench-hub"
run dispatch "$M/hub:$M/vclient" "$BUILD/bench/dispatch/bench-dispatch"
run adapter "$M/adapter" "$BUILD/bench/adapter/bench-adapter"
run dhcp "$M/dhcp" "$BUILD/bench/dhcp/bench-dhcp"
run qemu "$M/qemu:$M/hub" "$BUILD/bench/qemu/bench-qemu"
run impair "$M/impair" "$BUILD/bench/impair/bench-impair"
run vclient "$M/vclient" "$BUILD/bench/vclient/bench-vclient"
run scale "$M/hub:$M/dhcp:$M/adapter:$M/vclient" "$BUILD/bench/scale/bench-scale"
run wg "" "$BUILD/bench/wg/bench-wg-crypto"
if [ "$(id -u)" = 0 ]; then
	run l2-switch-compare "" bash "$HERE/l2-switch-compare.sh" "$BUILD"
	run vclient-kernel "" bash "$HERE/vclient-kernel.sh" "$BUILD"
	run tun-offload "" bash "$HERE/tun-offload.sh" "$BUILD"
	run slirp-compare "" bash "$HERE/slirp-compare.sh" "$BUILD"
	run wg-compare "" bash "$HERE/wg-compare.sh" "$BUILD"
	run wg-peers "" bash "$HERE/wg-peers.sh" "$BUILD"
else
	echo "not root: the shell benchmarks (l2-switch-compare, vclient-kernel, tun-offload, slirp-compare, wg-compare, wg-peers) were not run"
fi
echo "outputs in $OUT"
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }
