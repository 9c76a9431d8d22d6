#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh - Build pktkit and run the whole test suite: plain build, ASan+UBSan build,
#           the out-of-tree SDK check and a short libFuzzer run of every fuzz target
#
# Usage: scripts/test.sh [--quick]   (--quick: plain build only)
# Prints "N passed, N failed" at the end; exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
[ "${1:-}" = "--quick" ] && quick=1

bash scripts/deps.sh

passed=0
failed=0
failures=()

# Count the results of one meson test run from its JSON log.
count_meson() {
	local log=$1/meson-logs/testlog.json p f
	read -r p f < <(python3 - "$log" <<'PY'
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("result") in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r.get("result") != "SKIP":
        bad += 1
print(ok, bad)
PY
)
	passed=$((passed + p))
	failed=$((failed + f))
	# A skipped test is a failure in CI: a missing peer must not pass silently.
	if [ "${CI:-}" = "true" ] && grep -q '"result": "SKIP"' "$log"; then
		failed=$((failed + 1))
		failures+=("$1: a test was skipped (CI treats a skip as a failure)")
	fi
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
	local dir=$1
	shift
	if ! meson test -C "$dir" --print-errorlogs "$@"; then
		failures+=("meson test in $dir")
	fi
	count_meson "$dir"
}

echo "== build and test (debugoptimized)"
setup build
run_meson_tests build

if [ "$quick" = 0 ]; then
	echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false \
		-Dc_args=-fno-sanitize-recover=all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_meson_tests build-asan --timeout-multiplier 4

	echo "== out-of-tree SDK check"
	if bash tests/sdk/check-sdk.sh "$root"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("tests/sdk/check-sdk.sh")
	fi

	echo "== fuzz targets (short run each)"
	CC=clang setup build-fuzz -Dfuzzing=true -Dbenchmarks=false -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
	if bash tests/fuzz/run-fuzzers.sh build-fuzz "${PKTKIT_FUZZ_SECONDS:-20}"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("tests/fuzz/run-fuzzers.sh")
	fi
fi

echo
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "pktkit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
