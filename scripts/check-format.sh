#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-format.sh - Check (or fix) the clang-format style of the C lines written since the style was set
#
# Usage: scripts/check-format.sh [--fix] [REF]
#
# Which lines: those of *.c / *.h files that `git blame` attributes to a commit made
# on top of the newest commit that changed .clang-format (its descendants: written
# with the style in place), or to uncommitted changes. Lines of older commits,
# including those of branches forked before that commit and merged later, are
# legacy: never checked, so an untouched line never fails; lines moved or copied
# from elsewhere in the same commit keep their origin (git blame -M -C). With REF (or
# $PKTKIT_FORMAT_REF) naming an existing ref, only commits not in REF count (a
# pull request's own commits, e.g. REF=origin/main).
# Needs a clone with full history (a shallow one may attribute old lines to new
# commits). Not a git checkout: exit 77 (skip). Style problems: the diff clang-format
# wants, exit 1; --fix applies it to those lines instead.
set -euo pipefail
cd "$(dirname "$0")/.."

fix=0
if [ "${1:-}" = --fix ]; then
	fix=1
	shift
fi
ref=${1:-${PKTKIT_FORMAT_REF:-}}

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "check-format: not a git checkout: cannot tell new lines from legacy ones" >&2
	exit 77
fi
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed (scripts/deps.sh)" >&2; exit 1; }
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
	echo "check-format: shallow clone: fetch the full history (git fetch --unshallow)" >&2
	exit 1
fi

base=$(git log -1 --format=%H -- .clang-format)
range=()
if [ -n "$base" ]; then
	range=(--ancestry-path "$base..HEAD")
	if [ -n "$ref" ]; then
		git rev-parse --verify -q "$ref^{commit}" >/dev/null || { echo "check-format: no such ref '$ref'" >&2; exit 1; }
		range+=("^$ref")
	fi
	mapfile -t commits < <(git rev-list "${range[@]}")
else
	commits=()	# .clang-format not committed yet: only uncommitted lines are new
	base=HEAD
fi
# The uncommitted lines are blamed on the null commit.
declare -A new=([0000000000000000000000000000000000000000]=1)
for c in "${commits[@]}"; do new[$c]=1; done

# The commit of each line of the working-tree file $1; a file not in HEAD is all new.
blame() {
	if git cat-file -e "HEAD:$1" 2>/dev/null; then
		git blame -M -C -l -s -- "$1" | cut -c1-40 | sed 's/^\^//'
	else
		sed 's/.*/0000000000000000000000000000000000000000/' "$1"
	fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0 files=0 lines=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue
	# Line ranges (1-based, inclusive) of the new lines of $f.
	args=()
	start=0 prev=0 n=0
	while read -r hash; do
		n=$((n + 1))
		[ -n "${new[$hash]:-}" ] || continue
		lines=$((lines + 1))
		if [ $prev -eq $((n - 1)) ] && [ $start -gt 0 ]; then
			prev=$n
		else
			[ $start -gt 0 ] && args+=("--lines=$start:$prev")
			start=$n prev=$n
		fi
	done < <(blame "$f")
	[ $start -gt 0 ] && args+=("--lines=$start:$prev")
	((${#args[@]})) || continue
	files=$((files + 1))
	clang-format --style=file "${args[@]}" "$f" >"$tmp/out"
	if ! cmp -s "$f" "$tmp/out"; then
		if [ $fix = 1 ]; then
			cat "$tmp/out" >"$f"
			echo "check-format: reformatted the new lines of $f"
		else
			diff -u --label "a/$f" --label "b/$f" "$f" "$tmp/out" || true
			bad=$((bad + 1))
		fi
	fi
done < <({ # files the new commits touched, then uncommitted and untracked ones
	((${#commits[@]})) && git log -z --format= --name-only --no-renames "${range[@]}" -- '*.c' '*.h'
	git diff -z --name-only HEAD -- '*.c' '*.h'
	git ls-files -z --others --exclude-standard -- '*.c' '*.h'; } | sort -zu)

echo "check-format: $lines new line(s) in $files C file(s) since ${base:0:12}${ref:+ (not in $ref)}"
if [ $bad -gt 0 ]; then
	echo "check-format: $bad file(s) not in the .clang-format style (diff above); scripts/check-format.sh --fix applies it" >&2
	exit 1
fi
