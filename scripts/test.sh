#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh - Build pktkit and run the whole test suite: format check of new lines, plain
#           build, ASan+UBSan build, ThreadSanitizer build (tests/core), the out-of-tree
#           SDK check and a short libFuzzer run of every fuzz target
#
# Usage: scripts/test.sh [--quick]   (--quick: plain build only)
# Prints "pktkit: N passed, N failed, N skipped" at the end (skips listed with their
# reason above it); exits non-zero if anything failed. With CI=true a skip (a whole
# test or a GLib subtest) counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
[ "${1:-}" = "--quick" ] && quick=1

bash scripts/deps.sh

passed=0
failed=0
skipped=0
failures=()
skips=()

# Count the results of one meson test run from its JSON log (one record per test,
# with the test's output). Tests run by meson with the default "exitcode" protocol,
# so a GLib test binary whose subtests called g_test_skip() is still "OK" as a
# whole: its TAP output ("ok N /path # SKIP reason", GLib's default output) is read
# to count those subtests too. A skipped test or subtest is a failure in CI
# (CI=true): a missing peer or privilege must not pass silently.
count_meson() {
	local dir=$1 kind what
	while IFS=$'\t' read -r kind what; do
		case "$kind" in
		PASS) passed=$((passed + 1)) ;;
		FAIL) failed=$((failed + 1)); failures+=("$dir: $what") ;;
		SKIP)
			if [ "${CI:-}" = true ]; then
				failed=$((failed + 1))
				failures+=("$dir: $what (skipped; CI=true treats a skip as a failure)")
			else
				skipped=$((skipped + 1))
				skips+=("$dir: $what")
			fi ;;
		esac
	done < <(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, re, sys

def reason(text):
    """The reason a skipped test gave: lib.sh's "SKIP: ...", TAP's "1..0 # SKIP ..."."""
    found = re.findall(r"^(?:SKIP: |1\.\.0 # SKIP ?)(.*)$", text, re.M)
    return found[-1].strip() if found else "exit status 77, no reason printed"

for line in open(sys.argv[1]):
    r = json.loads(line)
    name, result = r["name"], r.get("result")
    out = r.get("stdout") or ""
    out += r.get("stderr") or ""
    if result == "SKIP":
        print(f"SKIP\t{name}: {reason(out)}")
    elif result in ("OK", "EXPECTEDFAIL"):
        print(f"PASS\t{name}")
        for m in re.finditer(r"^ok \d+ (\S+) # SKIP ?(.*)$", out, re.M):
            print(f"SKIP\t{name} {m.group(1)}: {m.group(2).strip() or 'no reason given'}")
    else:
        print(f"FAIL\t{name}: {result}")
PY
)
}

setup() {
	local dir=$1
	shift
	if [ -d "$dir/meson-info" ]; then
		meson setup --reconfigure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
}

run_meson_tests() {
	local dir=$1 rc=0 before=$failed
	shift
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs "$@" || rc=$?
	# Failing tests are listed and counted by count_meson from the log; a run that
	# failed without any failing test in it (no log, a build error) is one failure.
	[ -f "$dir/meson-logs/testlog.json" ] && count_meson "$dir"
	if [ $rc -ne 0 ] && [ "$failed" -eq "$before" ]; then
		failed=$((failed + 1))
		failures+=("meson test in $dir exited with status $rc")
	fi
}

echo "== format of the C lines written since .clang-format (scripts/check-format.sh)"
rc=0
bash scripts/check-format.sh || rc=$?
if [ $rc -eq 0 ]; then
	passed=$((passed + 1))
elif [ $rc -eq 77 ] && [ "${CI:-}" != true ]; then
	skipped=$((skipped + 1))
	skips+=("scripts/check-format.sh: not a git checkout")
else
	failed=$((failed + 1))
	failures+=("scripts/check-format.sh (scripts/check-format.sh --fix reformats the new lines)")
fi

echo "== build and test (debugoptimized)"
setup build
run_meson_tests build

if [ "$quick" = 0 ]; then
	echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false \
		-Dc_args=-fno-sanitize-recover=all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_meson_tests build-asan --timeout-multiplier 4

	# The threaded parts (buffer pool's per-thread caches, pk_dev_invoke from other
	# threads, the capture writer thread) are exercised by tests/core; GLib-internal
	# reports are suppressed in tests/tsan.supp, each entry with its reason.
	echo "== build and test tests/core under ThreadSanitizer"
	setup build-tsan -Db_sanitize=thread -Db_lundef=false -Dbenchmarks=false
	TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp" \
		run_meson_tests build-tsan --timeout-multiplier 4 buf registry graph topology template param addr

	echo "== out-of-tree SDK check"
	if bash tests/sdk/check-sdk.sh "$root"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("tests/sdk/check-sdk.sh")
	fi

	# 15 s per target: with 27 targets the fuzz stage stays near 7 minutes,
	# inside the suite's 45-minute budget; longer runs: PKTKIT_FUZZ_SECONDS.
	echo "== fuzz targets (short run each)"
	CC=clang setup build-fuzz -Dfuzzing=true -Dbenchmarks=false -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
	if bash tests/fuzz/run-fuzzers.sh build-fuzz "${PKTKIT_FUZZ_SECONDS:-15}"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("tests/fuzz/run-fuzzers.sh")
	fi
fi

echo
for f in "${skips[@]}"; do
	echo "SKIPPED: $f"
done
if ((${#skips[@]})) && [ "$(id -u)" != 0 ]; then
	echo "NOTE: not run as root: the interop suite (tests/interop: real peers in network"
	echo "      namespaces) and the root-only subtests above did NOT run. Run scripts/test.sh"
	echo "      as root to run them; CI=true turns every skip into a failure."
fi
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "pktkit: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
