#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-guest.sh - Boot pktkit's test guest under QEMU (TCG), console on stdout, exit with its result
#
# usage: run-guest.sh GUESTDIR [--mac MAC] [--ip A.B.C.D/P] [--cmd CMD]... [--timeout S] -- NETDEV-ARGS...
# NETDEV-ARGS must define a netdev with id n0 (e.g. -netdev stream,id=n0,server=off,
# addr.type=unix,addr.path=/run/x.sock); a virtio-net NIC is attached to it.
# Exit: 0 PK-DONE with fail=0 net=ok; 1 PK-DONE otherwise; 3 no PK-DONE; 124 timeout.
set -euo pipefail

DIR=${1:?usage: run-guest.sh GUESTDIR [options] -- NETDEV-ARGS}
shift
MAC=52:54:00:12:34:56 TMO=60 NET=dhcp IP= CMDLINE= n=0
while [ $# -gt 0 ]; do
	case "$1" in
	--mac) MAC=$2; shift 2 ;;
	--ip) NET=static IP=$2; shift 2 ;;
	--cmd) n=$((n + 1)); CMDLINE+=" pk.cmd$n.b64=$(printf '%s' "$2" | base64 -w0)"; shift 2 ;;
	--timeout) TMO=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "run-guest: unknown option $1" >&2; exit 2 ;;
	esac
done
[ $n -le 9 ] || { echo "run-guest: at most 9 --cmd" >&2; exit 2; }
LOG=$(mktemp "${TMPDIR:-/tmp}/pk-guest-console.XXXXXX")
trap 'rm -f "$LOG"' EXIT
rc=0
# Line-buffered, so that a caller can follow the console while the guest runs.
LB=()
command -v stdbuf >/dev/null && LB=(stdbuf -oL)
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check can miss
# the 8254's ticks and panic ("IO-APIC + timer doesn't work"); skip it.
# The pipeline runs as its own process group (job control on), so that a SIGTERM or
# SIGINT to this script stops QEMU too instead of leaving it running.
set -m
{
	timeout --foreground -k 5 "$TMO" qemu-system-x86_64 -accel tcg -cpu max -m 256 -smp 1 -nodefaults \
		-no-user-config -display none -no-reboot -serial stdio \
		-kernel "$DIR/vmlinuz" -initrd "$DIR/initrd.img" \
		-append "console=ttyS0 panic=-1 quiet mitigations=off no_timer_check pk.net=$NET pk.ip=$IP$CMDLINE" \
		-device "virtio-net-pci,netdev=n0,mac=$MAC,romfile=" "$@" </dev/null |
		"${LB[@]}" tr -d '\r' | tee "$LOG"
} &
PG=$!
set +m
trap 'kill -TERM -- -$PG 2>/dev/null; exit 143' TERM
trap 'kill -TERM -- -$PG 2>/dev/null; exit 130' INT
wait "$PG" || rc=$?
[ $rc -eq 124 ] && exit 124
grep -q '^PK-DONE .*fail=0 net=ok' "$LOG" && exit 0
grep -q '^PK-DONE' "$LOG" && exit 1
exit 3
