#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-fuzzers.sh - Run every built libFuzzer target briefly on a copy of its seed corpus
#
# Usage: run-fuzzers.sh BUILD_DIR SECONDS_EACH
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz-*)
if ((${#targets[@]} == 0)); then
	echo "run-fuzzers: no fuzz targets in $build/tests/fuzz (configure with -Dfuzzing=true and CC=clang)" >&2
	exit 1
fi
# Every target in the tree must have been built: one left out of meson.build would
# otherwise just never run.
for src in "$here"/fuzz-*.c; do
	name=$(basename "$src" .c)
	if [ ! -x "$build/tests/fuzz/$name" ]; then
		echo "run-fuzzers: $name is not built (register it in tests/fuzz/meson.build)" >&2
		exit 1
	fi
done
for t in "${targets[@]}"; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	name=$(basename "$t")
	corpus="$here/corpus/${name#fuzz-}"
	mkdir -p "$work/$name"
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work/$name"/
	echo "run-fuzzers: $name for ${seconds}s"
	(cd "$work" && "$t" -max_total_time="$seconds" -print_final_stats=0 "$work/$name" \
		>"$work/$name.log" 2>&1) || {
		tail -n 60 "$work/$name.log"
		echo "run-fuzzers: $name FAILED" >&2
		exit 1
	}
	grep -E "^Done [0-9]+ runs" "$work/$name.log" | tail -n 1 || true
done
echo "run-fuzzers: all targets ran clean"
