#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-dbus.sh - org.pktkit.Host1 through real clients: gdbus (not ours) and pktkitctl, on a private session bus
#
# Usage: test-dbus.sh PKTKIT_HOST PKTKITCTL
# Needs dbus-run-session, gdbus, tshark and capinfos, and the test types of
# pk-dbus-test.so (test.secret, test.beacon) on $PKTKIT_MODULE_PATH. Prints
# "ok: ..." / "FAIL: ..." and exits 1 if anything failed.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 PKTKIT_HOST PKTKITCTL" >&2
	exit 2
fi
for tool in dbus-run-session gdbus tshark capinfos; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/deps.sh)" >&2; exit 1; }
done
# Our own session bus, so nothing of the caller's is touched.
if [[ -z ${PK_TEST_DBUS_SESSION-} ]]; then
	PK_TEST_DBUS_SESSION=1 exec dbus-run-session -- bash "$0" "$@"
fi

HOST=$(realpath "$1")
CTL=$(realpath "$2")
WORK=$(mktemp -d)
HOST_PID=""
MON_PID=""
P2P_PID=""
cleanup() {
	[[ -n $MON_PID ]] && kill "$MON_PID" 2>/dev/null || true
	[[ -n $P2P_PID ]] && kill "$P2P_PID" 2>/dev/null || true
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

# run NAME WANT_RC CMD...: output (stdout+stderr) into $out; check the exit code.
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

M=(gdbus call --session -d org.pktkit.Host1 -o /org/pktkit/Host1)
MI=org.pktkit.Host1.Manager
call() { "${M[@]}" -m "$MI.$1" "${@:2}"; }
# err NAME ERROR METHOD ARGS...: the call fails with org.pktkit.Error.ERROR
err() {
	local name=$1 want=$2
	shift 2
	run "$name" 1 call "$@" || return 0
	expect "$name" "org.pktkit.Error.$want"
}

SECRET_PW='hunter2-never-echo'
SECRET_KEY='c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ='
cat >"$WORK/start.json" <<'JSON'
{ "devices": { "hub": { "type": "l2.hub" },
               "b1": { "type": "test.beacon", "src": "02:00:00:00:00:01" } },
  "links": [ ["hub.port.0", "b1.port"] ] }
JSON

"$HOST" "$WORK/start.json" >"$WORK/host.log" 2>&1 &
HOST_PID=$!
for _ in $(seq 100); do
	call ListDevices >/dev/null 2>&1 && break
	sleep 0.05
done
gdbus monitor --session -d org.pktkit.Host1 >"$WORK/monitor.log" 2>&1 &
MON_PID=$!
sleep 0.3

# --- Introspection and types
run "introspect the manager" 0 gdbus introspect --session -d org.pktkit.Host1 -o /org/pktkit/Host1
expect "introspect" "interface org.pktkit.Host1.Manager" "DescribeType" "StartCapture" "LinkAdded"
run "ListTypes" 0 call ListTypes
expect "ListTypes" "'l2.hub'" "'test.secret'" "'test.beacon'" "'core.pipe-l2'"
run "DescribeType l2.hub" 0 call DescribeType l2.hub
expect "DescribeType" "'name': <'aging'>" "'signature': <'s'>" "'flags': <['live']>" "'fields':" "'counters':"
err "DescribeType of an unknown type" UnknownType DescribeType l2.hubb
expect "DescribeType unknown" "did you mean 'l2.hub'"

# --- Devices
run "AddDevice test.secret" 0 call AddDevice s1 test.secret \
	"{'password': <'$SECRET_PW'>, 'key': <'$SECRET_KEY'>, 'label': <'first'>}"
expect "AddDevice" "/org/pktkit/Host1/devices/s1"
err "AddDevice with a taken id" Exists AddDevice s1 test.secret "{}"
err "AddDevice of an unknown type" UnknownType AddDevice s2 test.nope "{}"
err "AddDevice with a bad id" InvalidArgs AddDevice "bad id" test.secret "{}"
err "AddDevice without a required parameter" InvalidArgs AddDevice b9 test.beacon "{}"
expect "required" "devices.b9.src"
err "AddDevice with a bad value" InvalidArgs AddDevice s3 test.secret "{'level': <uint32 99>}"
expect "bad value" "devices.s3.level"
err "AddDevice with an unknown key" InvalidArgs AddDevice s4 test.secret "{'levle': <uint32 1>}"
expect "unknown key" "levle"
run "ListDevices" 0 call ListDevices
expect "ListDevices" "('hub', 'l2.hub', objectpath '/org/pktkit/Host1/devices/hub')" "'s1', 'test.secret'"

# --- Status (read-only, from the device between dispatches)
run "DescribeType has the status schema" 0 call DescribeType l2.hub
expect "DescribeType status" "'status': <[{'name': <'macs'>, 'type': <'uint'>" \
	"'status-tables': <[{'name': <'mac-table'>" "'name': <'age'>, 'type': <'duration'>"
run "introspect a device" 0 gdbus introspect --session -d org.pktkit.Host1 -o /org/pktkit/Host1/devices/hub
expect "introspect a device" "GetStatus("
run "Device.GetStatus" 0 gdbus call --session -d org.pktkit.Host1 -o /org/pktkit/Host1/devices/hub \
	-m org.pktkit.Host1.Device.GetStatus
expect "Device.GetStatus" "'macs': <uint64 1>" "'mac-table': <[{'vlan': <uint64 0>" \
	"'mac': <'02:00:00:00:00:01'>" "'port': <uint64 0>" "'age': <uint64 "
run "Manager.GetStatus" 0 call GetStatus hub
expect "Manager.GetStatus" "'mac': <'02:00:00:00:00:01'>"
run "GetStatus of a type without status" 0 call GetStatus s1
expect "GetStatus without status" "(@a{sv} {},)"
err "GetStatus of an unknown device" UnknownDevice GetStatus nope

# --- Config, SECRET never echoed
run "GetConfig" 0 call GetConfig s1
expect "GetConfig" "'level': <uint32 1>" "'label': <'first'>"
reject "GetConfig hides secrets" "$SECRET_PW" "$SECRET_KEY" "'password'" "'key'"
run "Device.GetConfig" 0 gdbus call --session -d org.pktkit.Host1 -o /org/pktkit/Host1/devices/s1 \
	-m org.pktkit.Host1.Device.GetConfig
expect "Device.GetConfig" "'label': <'first'>"
reject "Device.GetConfig hides secrets" "$SECRET_PW" "'password'"
run "SetConfig a live parameter" 0 call SetConfig s1 "{'level': <uint32 7>}"
run "SetConfig a live secret" 0 call SetConfig s1 "{'password': <'$SECRET_PW-2'>}"
run "GetConfig after SetConfig" 0 call GetConfig s1
expect "GetConfig after SetConfig" "'level': <uint32 7>"
reject "GetConfig after SetConfig hides secrets" "$SECRET_PW" "'password'"
err "SetConfig a non-live parameter while running" NotLive SetConfig s1 "{'label': <'second'>}"
expect "NotLive" "devices.s1.label" "stop it first"
err "SetConfig a bad value" InvalidArgs SetConfig s1 "{'level': <'lots'>}"
err "SetConfig out of range" InvalidArgs SetConfig s1 "{'level': <uint32 11>}"
err "SetConfig an unknown device" UnknownDevice SetConfig nope "{'level': <uint32 1>}"
err "GetConfig an unknown device" UnknownDevice GetConfig nope
run "ExportTopology" 0 call ExportTopology
reject "ExportTopology hides secrets" "$SECRET_PW" "$SECRET_KEY"

# --- Links
run "AddDevice pipes" 0 call AddDevice p1 core.pipe-l2 "{}"
call AddDevice q1 core.pipe-l3 "{}" >/dev/null
call AddDevice q2 core.pipe-l3 "{}" >/dev/null
run "Link" 0 call Link hub p1
expect "Link" "('hub.port.1', 'p1.io.0')"
err "Link a port already linked" Exists Link hub.port.1 p1
err "Link layers that differ" LayerMismatch Link q1 hub
expect "LayerMismatch" "put an adapter between them"
err "Link an unknown device" UnknownDevice Link nope.port hub
err "Link an unknown port group" InvalidArgs Link hub.nope p1
run "Link L3 pipes" 0 call Link q1 q2
run "ListLinks" 0 call ListLinks
expect "ListLinks" "('hub.port.0', 'b1.port.0')" "('hub.port.1', 'p1.io.0')" "('q1.io.0', 'q2.io.0')"
err "Unlink a port that is not linked" InvalidArgs Unlink hub.port.9
err "Unlink on an unknown device" UnknownDevice Unlink nope.port.0
run "Unlink" 0 call Unlink p1.io
run "Link again" 0 call Link hub.port.1 p1

# --- Counters property, rate-limited PropertiesChanged
sleep 1.2
run "Counters property" 0 gdbus call --session -d org.pktkit.Host1 -o /org/pktkit/Host1/devices/b1 \
	-m org.freedesktop.DBus.Properties.Get org.pktkit.Host1.Device Counters
sent=$(grep -oE "'sent': <?(uint64 )?[0-9]+" <<<"$out" | grep -oE '[0-9]+$' || echo 0)
[[ ${sent:-0} -gt 0 ]] && pass "beacon counted frames ($sent)" || fail "beacon sent nothing" "$out"
run "hub Counters" 0 gdbus call --session -d org.pktkit.Host1 -o /org/pktkit/Host1/devices/hub \
	-m org.freedesktop.DBus.Properties.Get org.pktkit.Host1.Device Counters
expect "hub Counters" "'flooded'" "'port.0.rx-packets'" "'unlinked-drops'"

# --- Capture
err "StartCapture on an unknown device" UnknownDevice StartCapture nope.port.0 "$WORK/x.pcapng" "{}"
err "StartCapture with a relative file" InvalidArgs StartCapture hub.port.0 x.pcapng "{}"
err "StartCapture on a port never linked" Failed StartCapture hub.port.7 "$WORK/x.pcapng" "{}"
err "StartCapture with an unknown option" InvalidArgs StartCapture hub.port.0 "$WORK/x.pcapng" "{'bogus': <1>}"
run "StartCapture L2" 0 call StartCapture hub.port.0 "$WORK/hub.pcapng" "{}"
err "StartCapture twice" Exists StartCapture hub.port.0 "$WORK/hub2.pcapng" "{}"
run "StartCapture L3 (µs)" 0 call StartCapture q1.io.0 "$WORK/l3.pcapng" "{'nanoseconds': <false>}"
sleep 0.5
run "StopCapture L2" 0 call StopCapture hub.port.0
written=$(grep -oE '[0-9]+' <<<"$out" | head -1)
[[ ${written:-0} -gt 0 ]] && pass "capture wrote $written packets" || fail "capture wrote nothing" "$out"
run "StopCapture L3" 0 call StopCapture q1.io.0
err "StopCapture without capture" InvalidArgs StopCapture hub.port.0
run "tshark reads the capture" 0 tshark -r "$WORK/hub.pcapng" -T fields -e eth.src -e eth.dst -e eth.type
expect "tshark" "02:00:00:00:00:01	ff:ff:ff:ff:ff:ff	0x88b5"
run "capinfos (L2)" 0 capinfos "$WORK/hub.pcapng"
expect "capinfos L2" "Ethernet" "Number of interfaces in file: 1" "nanoseconds"
run "capinfos (L3)" 0 capinfos "$WORK/l3.pcapng"
expect "capinfos L3" "Raw IP" "microseconds"
run "tshark reads interface statistics" 0 tshark -r "$WORK/hub.pcapng" -T fields -e frame.interface_name -c 1
expect "interface name" "hub.port.0"

# --- Topology round trip and validation
run "ExportTopology (before)" 0 call ExportTopology
before=$out
topo=$(python3 -c 'import ast,sys; print(ast.literal_eval(sys.stdin.read())[0])' <<<"$before")
run "LoadTopology replace with the export" 0 call LoadTopology "$topo" true
run "ExportTopology (after)" 0 call ExportTopology
[[ $out == "$before" ]] && pass "export -> load -> export is a fixed point" || fail "round trip differs" "$before
---
$out"
err "LoadTopology with a syntax error" InvalidArgs LoadTopology '{"devices": ' true
err "LoadTopology with an unknown type" InvalidArgs LoadTopology '{"devices": {"z": {"type": "l2.hubb"}}}' true
expect "LoadTopology unknown type" "did you mean"
err "LoadTopology merge with a taken id" InvalidArgs LoadTopology '{"devices": {"hub": {"type": "l2.hub"}}}' false
run "ExportTopology unchanged after errors" 0 call ExportTopology
[[ $out == "$before" ]] && pass "failed loads changed nothing" || fail "failed load changed the topology" "$out"
err "LoadTopology merge with a bad link" InvalidArgs LoadTopology '{"devices": {"h3": {"type": "l2.hub"}}, "links": [["h3.port", "nope.io"]]}' false
run "LoadTopology merge (good)" 0 call LoadTopology '{"devices": {"h4": {"type": "l2.hub"}, "p4": {"type": "core.pipe-l2"}}, "links": [["h4.port", "p4.io"]]}' false
run "ListDevices after merge" 0 call ListDevices
expect "merged" "'h4'" "'p4'"
reject "merge failure left nothing" "'h3'"

# --- Removal
err "RemoveDevice unknown" UnknownDevice RemoveDevice nope
run "RemoveDevice" 0 call RemoveDevice p4
run "RemoveDevice (secret type)" 0 call RemoveDevice s1

# --- Signals seen by a real monitor
sleep 0.8
out=$(cat "$WORK/monitor.log")
expect "signals" "org.pktkit.Host1.Manager.DeviceAdded ('s1', 'test.secret'" \
	"org.pktkit.Host1.Manager.LinkAdded ('hub.port.1', 'p1.io.0')" \
	"org.pktkit.Host1.Manager.LinkRemoved ('hub.port.1', 'p1.io.0')" \
	"org.pktkit.Host1.Manager.DeviceRemoved ('p4'" \
	"org.freedesktop.DBus.Properties.PropertiesChanged ('org.pktkit.Host1.Device', {'Counters'"
reject "signals never carry secrets" "$SECRET_PW" "$SECRET_KEY"

# --- pktkitctl
run "pktkitctl types" 0 "$CTL" types
expect "ctl types" "TYPE" "l2.hub" "test.beacon"
run "pktkitctl describe" 0 "$CTL" describe test.secret
expect "ctl describe" "password" "secret" "level"
run "pktkitctl describe --json" 0 "$CTL" --json describe l2.hub
expect "ctl describe json" '"signature" : "s"'
run "pktkitctl add" 0 "$CTL" add s5 test.secret "password=$SECRET_PW" level=3 label=ctl
expect "ctl add" "/org/pktkit/Host1/devices/s5"
run "pktkitctl get" 0 "$CTL" get s5
expect "ctl get" "level" "3" "ctl"
reject "ctl get hides secrets" "$SECRET_PW" "password"
run "pktkitctl get --json" 0 "$CTL" --json get s5
expect "ctl get json" '"level" : 3'
run "pktkitctl set" 0 "$CTL" set s5 level=4
run "pktkitctl set not live" 7 "$CTL" set s5 label=x
expect "ctl set not live" "stop it first"
run "pktkitctl set bad value" 4 "$CTL" set s5 level=many
run "pktkitctl get unknown" 5 "$CTL" get nope
run "pktkitctl status" 0 "$CTL" status hub
expect "ctl status" "FIELD" "macs" "ports" "mac-table:" "VLAN" "MAC" "AGE" "02:00:00:00:00:01"
run "pktkitctl status --json" 0 "$CTL" --json status hub
expect "ctl status json" '"macs" : 1' '"mac-table" : [' '"mac" : "02:00:00:00:00:01"'
run "pktkitctl status without status" 0 "$CTL" status s5
expect "ctl status without status" "s5 (test.secret) has no status"
run "pktkitctl status unknown" 5 "$CTL" status nope
run "pktkitctl status usage" 2 "$CTL" status
run "pktkitctl add unknown type" 6 "$CTL" add z9 l2.hubb
run "pktkitctl add taken id" 9 "$CTL" add s5 test.secret
run "pktkitctl add p5" 0 "$CTL" add p5 core.pipe-l2 capacity=0
run "pktkitctl link" 0 "$CTL" link hub p5
expect "ctl link" "hub.port.2 <-> p5.io.0"
run "pktkitctl link layers" 8 "$CTL" link q2 hub
run "pktkitctl list" 0 "$CTL" list
expect "ctl list" "DEVICE" "p5" "io.0->hub.port.2"
run "pktkitctl list --json" 0 "$CTL" --json list
expect "ctl list json" '"devices"' '"links"'
run "pktkitctl stats" 0 "$CTL" stats b1
expect "ctl stats" "b1" "sent"
run "pktkitctl stats --json" 0 "$CTL" --json stats
expect "ctl stats json" '"hub"' '"flooded"'
run "pktkitctl stats --watch" 124 timeout 1.5 "$CTL" stats b1 --watch
expect "ctl stats --watch" "sent"
[[ $(grep -c 'sent' <<<"$out") -ge 2 ]] && pass "watch printed updates" || fail "watch printed no update" "$out"
run "pktkitctl capture" 0 "$CTL" capture hub.port.2 "$WORK/ctl.pcapng" --duration 1
expect "ctl capture" "packets written"
run "tshark on the pktkitctl capture" 0 tshark -r "$WORK/ctl.pcapng" -T fields -e eth.src
expect "ctl capture tshark" "02:00:00:00:00:01"
run "pktkitctl unlink" 0 "$CTL" unlink p5.io
run "pktkitctl rm" 0 "$CTL" rm p5
run "pktkitctl rm unknown" 5 "$CTL" rm p5
run "pktkitctl export" 0 "$CTL" export
echo "$out" >"$WORK/exported.json"
expect "ctl export" '"s5"'
reject "ctl export hides secrets" "$SECRET_PW"
run "pktkitctl load invalid" 4 "$CTL" load /dev/null
run "pktkitctl load" 0 "$CTL" load "$WORK/start.json"
run "pktkitctl list after load" 0 "$CTL" list
reject "load replaced" "s5"
expect "load replaced" "b1"
run "pktkitctl usage" 2 "$CTL" frobnicate
run "pktkitctl unreachable" 3 "$CTL" --address "unix:path=$WORK/none.sock" list

# --- Peer to peer
"$HOST" --dbus-address="unix:path=$WORK/p2p.sock" "$WORK/start.json" >"$WORK/p2p.log" 2>&1 &
P2P_PID=$!
for _ in $(seq 100); do [[ -S $WORK/p2p.sock ]] && break; sleep 0.05; done
run "pktkitctl over a private address" 0 "$CTL" --address "unix:path=$WORK/p2p.sock" list
expect "p2p list" "b1" "test.beacon"
run "pktkitctl types over a private address" 0 "$CTL" --address "unix:path=$WORK/p2p.sock" types
expect "p2p types" "test.secret"
# finished clients must not leave their sockets open in the host
fds_before=$(ls "/proc/$P2P_PID/fd" | wc -l)
for _ in $(seq 20); do "$CTL" --address "unix:path=$WORK/p2p.sock" list >/dev/null; done
sleep 0.3
fds_after=$(ls "/proc/$P2P_PID/fd" | wc -l)
((fds_after <= fds_before + 2)) || fail "p2p clients leak fds" "$fds_before fds before 20 clients, $fds_after after"
kill "$P2P_PID"
wait "$P2P_PID" || fail "p2p host exit code" "$(cat "$WORK/p2p.log")"
P2P_PID=""

# --- Host options
run "second host on the same bus refuses" 3 "$HOST" --session "$WORK/start.json"
expect "name taken" "already owned"
run "options exclude each other" 2 "$HOST" --system --no-dbus "$WORK/start.json"

# --- Shutdown: no secret ever logged
kill "$HOST_PID"
wait "$HOST_PID" && pass "host stopped cleanly" || fail "host exit code $?" "$(cat "$WORK/host.log")"
HOST_PID=""
out=$(cat "$WORK/host.log")
reject "host log hides secrets" "$SECRET_PW" "$SECRET_KEY"

if [[ ${#failures[@]} -gt 0 ]]; then
	printf '\n%d check(s) failed\n' "${#failures[@]}" >&2
	exit 1
fi
echo "all D-Bus checks passed"
