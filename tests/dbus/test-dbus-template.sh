#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-dbus-template.sh - Template instances over D-Bus: devices a listener creates per guest come and go with signals
#
# Usage: test-dbus-template.sh PKTKIT_HOST PKTKITCTL
# pktkit-host runs an io.qemu-listen with segments "template" on a private
# session bus; synthetic stream clients (python3, no QEMU) connect and leave.
# Checks DeviceAdded/LinkAdded and DeviceRemoved/LinkRemoved for the instance's
# devices, pktkitctl list/stats, that instance devices cannot be removed on
# their own, that ExportTopology writes the template but no instance, and
# that LoadTopology with replace works with templates (twice).
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 PKTKIT_HOST PKTKITCTL" >&2
	exit 2
fi
for tool in dbus-run-session gdbus python3; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done
if [[ -z ${PK_TEST_DBUS_SESSION-} ]]; then
	PK_TEST_DBUS_SESSION=1 exec dbus-run-session -- bash "$0" "$@"
fi

HOST=$(realpath "$1")
CTL=$(realpath "$2")
WORK=$(mktemp -d)
HOST_PID="" MON_PID="" CLI_PID=""
cleanup() {
	for p in $CLI_PID $MON_PID; do kill "$p" 2>/dev/null || true; done
	[[ -n $HOST_PID ]] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

failures=()
out=""
fail() {
	failures+=("$1")
	printf 'FAIL: %s\n' "$1" >&2
	[[ -n ${2-} ]] && printf '%s\n' "$2" | sed 's/^/    | /' >&2
	return 0
}
pass() { printf 'ok: %s\n' "$1"; }
run() {
	local name=$1 want=$2 rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [[ $rc -ne $want ]]; then
		fail "$name: exit code $rc, expected $want" "$out"
		return 1
	fi
	pass "$name"
}
expect() {
	local name=$1 text
	shift
	for text in "$@"; do
		grep -qF -- "$text" <<<"$out" || fail "$name: output lacks: $text" "$out"
	done
}
reject() {
	local name=$1 text
	shift
	for text in "$@"; do
		! grep -qF -- "$text" <<<"$out" || fail "$name: output must not contain: $text" "$out"
	done
}
# wait_for NAME CMD...: until CMD succeeds (5 s)
wait_for() {
	local name=$1
	shift
	for _ in $(seq 100); do
		"$@" >/dev/null 2>&1 && { pass "$name"; return 0; }
		sleep 0.05
	done
	fail "$name: timed out"
}
call() { gdbus call --session -d org.pktkit.Host1 -o /org/pktkit/Host1 -m "org.pktkit.Host1.Manager.$1" "${@:2}"; }

SOCK=$WORK/vms.sock
cat >"$WORK/topo.json" <<JSON
{ "devices": { "vms": { "type": "io.qemu-listen", "listen": "unix:$SOCK",
                        "segments": "template", "template": "seg" } },
  "templates": { "seg": {
      "devices": { "lan": { "type": "l2.hub" },
                   "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.88.0.1",
                             "range-start": "10.88.0.100", "range-end": "10.88.0.120" } },
      "links": [ ["dhcp", "lan"] ],
      "attach": "lan" } } }
JSON

"$HOST" "$WORK/topo.json" >"$WORK/host.log" 2>&1 &
HOST_PID=$!
wait_for "host is up" call ListDevices
gdbus monitor --session -d org.pktkit.Host1 >"$WORK/monitor.log" 2>&1 &
MON_PID=$!
sleep 0.3

# One guest (a socket that stays connected until killed).
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); time.sleep(60)' "$SOCK" &
CLI_PID=$!
wait_for "the guest's segment exists" bash -c "'$CTL' list | grep -q 'vms/1/dhcp'"
run "pktkitctl list" 0 "$CTL" list
expect "list" "vms/1/lan" "vms/1/dhcp" "l2.hub" "svc.dhcp-server"
run "pktkitctl stats vms" 0 "$CTL" stats vms
expect "stats" "instances"
run "instance devices cannot be removed alone" 1 call RemoveDevice vms/1/lan
expect "remove refused" "belongs to an instance of template 'seg' made by 'vms'"
run "ExportTopology" 0 call ExportTopology
expect "export" "templates" "seg"
reject "export has no instance" "vms/1"
run "ListLinks" 0 call ListLinks
expect "links" "'vms.guest.0', 'vms/1/lan.port.1'" "'vms/1/lan.port.0', 'vms/1/dhcp.eth.0'"

kill "$CLI_PID"
wait "$CLI_PID" 2>/dev/null || true
CLI_PID=""
wait_for "the segment is gone" bash -c "! '$CTL' list | grep -q 'vms/1'"
sleep 0.3
out=$(cat "$WORK/monitor.log")
expect "signals" \
	"org.pktkit.Host1.Manager.DeviceAdded ('vms/1/lan', 'l2.hub', objectpath '/org/pktkit/Host1/devices/vms_2f1_2flan')" \
	"org.pktkit.Host1.Manager.DeviceAdded ('vms/1/dhcp', 'svc.dhcp-server'" \
	"org.pktkit.Host1.Manager.LinkAdded ('vms.guest.0', 'vms/1/lan.port.1')" \
	"org.pktkit.Host1.Manager.LinkRemoved ('vms.guest.0', 'vms/1/lan.port.1')" \
	"org.pktkit.Host1.Manager.DeviceRemoved ('vms/1/lan'" \
	"org.pktkit.Host1.Manager.DeviceRemoved ('vms/1/dhcp'"

# Replacing the topology removes templates too, so the same one loads again.
run "LoadTopology replace" 0 call LoadTopology "$(cat "$WORK/topo.json")" true
run "LoadTopology replace again" 0 call LoadTopology "$(cat "$WORK/topo.json")" true
run "merging a template that exists fails" 1 call LoadTopology "$(cat "$WORK/topo.json")" false
expect "merge" "templates.seg: a template with this name already exists"

kill "$HOST_PID"
wait "$HOST_PID" && pass "host stopped cleanly" || fail "host exit code $?" "$(cat "$WORK/host.log")"
HOST_PID=""

if [[ ${#failures[@]} -gt 0 ]]; then
	printf '\n%d check(s) failed\n' "${#failures[@]}" >&2
	exit 1
fi
echo "all D-Bus template checks passed"
