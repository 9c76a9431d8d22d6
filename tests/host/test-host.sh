#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-host.sh - Command-line tests of pktkit-host and pktkit-inspect (meson test --suite host)
#
# Usage: test-host.sh PKTKIT_HOST PKTKIT_INSPECT
# Runs every check, prints "ok: ..." or "FAIL: ..." with the output that was
# wrong, and exits 1 if anything failed. Checks marked "[hub]" need the l2.hub
# and l3.router types of modules/hub on $PKTKIT_MODULE_PATH.
set -euo pipefail

if [[ $# -ne 2 ]]; then
	echo "usage: $0 PKTKIT_HOST PKTKIT_INSPECT" >&2
	exit 2
fi
# Absolute paths: the tests run from the data directory.
abs_path() {
	printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd)" "$(basename "$1")"
}
HOST=$(abs_path "$1")
INSPECT=$(abs_path "$2")
DATA=$(cd "$(dirname "${BASH_SOURCE[0]}")/data" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The default topology's QEMU socket goes to $XDG_RUNTIME_DIR/pktkit: keep it in $WORK.
export XDG_RUNTIME_DIR=$WORK/run
mkdir -m 0700 "$XDG_RUNTIME_DIR"
# Messages name files as given: run from the data directory for short names.
cd "$DATA"

failures=()
out=""

fail() {
	failures+=("$1")
	printf 'FAIL: %s\n' "$1" >&2
	if [[ -n ${2-} ]]; then
		printf '%s\n' "$2" | sed 's/^/    | /' >&2
	fi
}

pass() {
	printf 'ok: %s\n' "$1"
}

# run NAME WANT_RC CMD...: run CMD, stdout and stderr into $out; check the exit code.
run() {
	local name=$1 want=$2 rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [[ $rc -ne $want ]]; then
		fail "$name: exit code $rc, expected $want" "$out"
		return 1
	fi
}

# expect NAME TEXT...: each TEXT is a substring of $out. Failures are recorded,
# not returned, so that every check runs under `set -e`.
expect() {
	local name=$1 text
	shift
	for text in "$@"; do
		if ! grep -qF -- "$text" <<<"$out"; then
			fail "$name: output lacks: $text" "$out"
			return 0
		fi
	done
	pass "$name"
}

# check_bad [--hub] FILE TEXT...: --check FILE exits 1 and prints every TEXT.
check_bad() {
	local tag=""
	if [[ $1 == --hub ]]; then
		tag=" [hub]"
		shift
	fi
	local file=$1
	shift
	if run "--check $file$tag" 1 "$HOST" --check "$file"; then
		expect "--check $file$tag" "$@"
	fi
}

# start_stop NAME SUMMARY ARGS...: the host starts, prints the device SUMMARY
# line, says it runs, and exits 0 on SIGTERM.
start_stop() {
	local name=$1 summary=$2 log pid rc=0 i
	shift 2
	# A fresh log each time: a stale "running" must not trigger the signal
	# before the host has installed its handlers.
	log=$(mktemp "$WORK/start-stop.XXXXXX")
	timeout 30 "$HOST" "$@" >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		if grep -q "running" "$log" || ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	out=$(cat "$log")
	if [[ $rc -ne 0 ]]; then
		fail "$name: exit code $rc after SIGTERM, expected 0" "$out"
		return 0
	fi
	expect "$name" "$summary" "running" "stop with Ctrl-C" "SIGTERM received, stopping" \
		"stopped"
}

# round_trip FILE: export, check the export, export it again: identical JSON.
round_trip() {
	local file=$1 name="--export round trip of $1"
	local first=$WORK/export-1.json second=$WORK/export-2.json

	if ! "$HOST" --export "$file" >"$first" 2>"$WORK/err"; then
		fail "$name: first export failed" "$(cat "$WORK/err")"
		return 0
	fi
	run "$name: check" 0 "$HOST" --check "$first" || return 0
	if ! "$HOST" --export "$first" >"$second" 2>"$WORK/err"; then
		fail "$name: second export failed" "$(cat "$WORK/err")"
		return 0
	fi
	if ! cmp -s "$first" "$second"; then
		fail "$name: exports differ" "$(diff "$first" "$second" || true)"
		return 0
	fi
	pass "$name"
}

# --- pktkit-host --check ---------------------------------------------------

run "--check good.json [hub]" 0 "$HOST" --check good.json &&
	expect "--check good.json [hub]" "good.json: ok (5 devices, 3 links)"
# the LAN example of docs/topology.md
run "--check lan-example.json [hub]" 0 "$HOST" --check lan-example.json &&
	expect "--check lan-example.json [hub]" "lan-example.json: ok (4 devices, 3 links)"
run "--check pipes.json" 0 "$HOST" --check pipes.json &&
	expect "--check pipes.json" "pipes.json: ok (2 devices, 1 link)"

check_bad bad-unknown-type.json \
	"bad-unknown-type.json: devices.a.type: unknown device type 'core.pipe-ll2' (did you mean 'core.pipe-l2'?)"
check_bad bad-value.json \
	"bad-value.json: devices.a.capacity: expected a u32 between 0 and 1048576, got \"lots\""
check_bad bad-range.json \
	"bad-range.json: devices.a.capacity: expected a u32 between 0 and 1048576, got 2000000"
check_bad bad-dangling-link.json \
	"bad-dangling-link.json: links[0][1]: 'ghost.io' names no device 'ghost'"
check_bad --hub bad-layer.json \
	"bad-layer.json: links[0]: cannot link r.io (L3) to lan." "the layers differ"
check_bad bad-duplicate-id.json \
	"bad-duplicate-id.json: duplicate key 'a' (line 4)"
check_bad bad-unknown-key.json \
	"bad-unknown-key.json: devices.a.capacty: unknown parameter; did you mean 'capacity'?"
check_bad bad-syntax.json "bad-syntax.json:3:"

run "--check of several files" 1 "$HOST" --check pipes.json bad-value.json nope.json &&
	expect "--check of several files" "pipes.json: ok" "bad-value.json: devices.a.capacity" \
		"nope.json"

# --- pktkit-host: exit codes, default topology, running ------------------------

run "missing file exits 1" 1 "$HOST" nope.json && expect "missing file exits 1" "nope.json"
run "unknown option exits 2" 2 "$HOST" --no-such-option &&
	expect "unknown option exits 2" "pktkit-host --help"
run "two files exit 2" 2 "$HOST" pipes.json good.json && expect "two files exit 2" "one topology"
run "--check with --export exits 2" 2 "$HOST" --check --export pipes.json &&
	pass "--check with --export exits 2"
run "--version" 0 "$HOST" --version && expect "--version" "pktkit-host " "module ABI"
run "--help" 0 "$HOST" --help && expect "--help" "--check" "--export" "--print-default" \
	"Exit status"

"$HOST" --print-default >"$WORK/default.json"
run "--print-default is the default [hub]" 0 "$HOST" --check "$WORK/default.json" &&
	expect "--print-default is the default [hub]" "ok (5 devices, 4 links)"
if grep -qF "\"listen\": \"unix:$XDG_RUNTIME_DIR/pktkit/qemu.sock\"" "$WORK/default.json"; then
	pass "--print-default fills in the socket path"
else
	fail "--print-default fills in the socket path" "$(cat "$WORK/default.json")"
fi
run "--check without FILE checks the default [hub]" 0 "$HOST" --check &&
	expect "--check without FILE checks the default [hub]" "(built-in default): ok"

start_stop "runs pipes.json, stops on SIGTERM" "b: core.pipe-l2, 1 port linked" pipes.json
start_stop "runs the default topology, stops on SIGTERM [hub]" "dhcp: svc.dhcp-server, 1 port linked" \
	--no-dbus
expect "the default topology prints the QEMU option line [hub]" \
	"vms: io.qemu-listen, 1 port linked" "gw: l3.adapter, 2 ports linked" \
	"nat: l3.slirp, 1 port linked" \
	"attach a QEMU guest with: qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,addr.path=$XDG_RUNTIME_DIR/pktkit/qemu.sock -device virtio-net-pci,netdev=n0"
if [[ $(stat -c %a "$XDG_RUNTIME_DIR/pktkit") == 700 && ! -e $XDG_RUNTIME_DIR/pktkit/qemu.sock ]]; then
	pass "runtime dir is 0700, socket removed on stop [hub]"
else
	fail "runtime dir is 0700, socket removed on stop [hub]" "$(ls -la "$XDG_RUNTIME_DIR/pktkit")"
fi

# A second default host while one runs: a clear error, exit 3, the first one unharmed.
first_log=$WORK/first.log
timeout 20 "$HOST" --no-dbus >"$first_log" 2>&1 &
first=$!
for ((i = 0; i < 50; i++)); do
	grep -q running "$first_log" && break
	sleep 0.1
done
if run "a second default host exits 3 [hub]" 3 "$HOST" --no-dbus; then
	expect "a second default host exits 3 [hub]" \
		"$XDG_RUNTIME_DIR/pktkit/qemu.sock: another process is listening on this socket" \
		"is another pktkit-host running the default topology?"
fi
if [[ -S $XDG_RUNTIME_DIR/pktkit/qemu.sock ]] && kill -0 "$first" 2>/dev/null; then
	pass "the first host keeps its socket"
else
	fail "the first host keeps its socket" "$(cat "$first_log")"
fi
kill -TERM "$first" 2>/dev/null || true
wait "$first" || true

# An unsafe runtime directory is refused, not used.
chmod 0777 "$XDG_RUNTIME_DIR/pktkit"
run "group/world-writable runtime dir is refused [hub]" 3 "$HOST" --no-dbus &&
	expect "group/world-writable runtime dir is refused [hub]" "writable by nobody else"
rmdir "$XDG_RUNTIME_DIR/pktkit"
ln -s /tmp "$XDG_RUNTIME_DIR/pktkit"
run "symlinked runtime dir is refused [hub]" 3 "$HOST" --no-dbus &&
	expect "symlinked runtime dir is refused [hub]" "is not a directory"
rm "$XDG_RUNTIME_DIR/pktkit"

round_trip pipes.json
round_trip good.json

# --- pktkit-inspect ------------------------------------------------------------

run "inspect lists types" 0 "$INSPECT" && listing=$out &&
	expect "inspect lists types" "Modules" "Types" "core.pipe-l2" "core.pipe-l3"
run "inspect lists hub types [hub]" 0 "$INSPECT" &&
	expect "inspect lists hub types [hub]" "l2.hub" "l3.router"
run "inspect core.pipe-l2" 0 "$INSPECT" core.pipe-l2 &&
	expect "inspect core.pipe-l2" \
		"core.pipe-l2 -- Inject and capture Ethernet frames" "[module core " \
		"  ports     io: L2, 0..1" \
		"  params    capacity  u32  default 1024  [0..1048576]" \
		"  counters  received" "dropped-full" "A test endpoint."
run "inspect l2.hub [hub]" 0 "$INSPECT" l2.hub &&
	expect "inspect l2.hub [hub]" "l2.hub -- " "  ports     " "  params    " "  counters  " \
		"  status    macs   uint  MAC addresses known now" \
		"  table     mac-table: A learned address" "              age   duration  "
run "inspect unknown type" 1 "$INSPECT" core.pipe-ll2 &&
	expect "inspect unknown type" "unknown type 'core.pipe-ll2' (did you mean 'core.pipe-l2'?)"
run "inspect --markdown --json exits 2" 2 "$INSPECT" --markdown --json &&
	pass "inspect --markdown --json exits 2"

run "inspect --markdown" 0 "$INSPECT" --markdown && markdown=$out &&
	expect "inspect --markdown" "# pktkit device types" "### Parameters" \
		"| \`capacity\` | u32 | \`1024\` | 0..1048576 |"
# Type names: the lines of the "Types" section that are not wrapped summaries.
for type in $(awk '/^Types$/ { t = 1; next } t && /^$/ { exit } t && /^  [^ ]/ { print $1 }' \
	<<<"${listing-}"); do
	if grep -qxF "## $type" <<<"${markdown-}"; then
		pass "inspect --markdown has a heading for $type"
	else
		fail "inspect --markdown has no heading '## $type'"
	fi
done

run "inspect --json" 0 "$INSPECT" --json &&
	expect "inspect --json" '"pktkit-version" :' '"name" : "core.pipe-l2"' '"diagnostics" :'
run "inspect --json TYPE" 0 "$INSPECT" --json core.pipe-l3 &&
	expect "inspect --json TYPE" '"layer" : "L3"' '"default" : 1024' '"range" : "0..1048576"' \
		'"status" : [' '"status-tables" : ['
run "inspect --json l2.hub [hub]" 0 "$INSPECT" --json l2.hub &&
	expect "inspect --json l2.hub [hub]" '"name" : "mac-table"' '"type" : "duration"'
run "inspect --markdown l2.hub [hub]" 0 "$INSPECT" --markdown l2.hub &&
	expect "inspect --markdown l2.hub [hub]" "### Status" "Table \`mac-table\`: A learned address" \
		"| \`mac\` | mac | Source address |"

# --- Summary --------------------------------------------------------------------

if [[ ${#failures[@]} -gt 0 ]]; then
	printf '\n%d check(s) failed:\n' "${#failures[@]}" >&2
	printf '  %s\n' "${failures[@]}" >&2
	exit 1
fi
echo "all checks passed"
