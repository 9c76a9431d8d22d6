#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-sdk.sh - Prove the SDK out of tree: install pktkit, build sdk/template against it, load it
#
# usage: tests/sdk/check-sdk.sh [PKTKIT_SOURCE_DIR [SCRATCH_PARENT]]
#
#   PKTKIT_SOURCE_DIR  pktkit source tree (default: the tree this script is in)
#   SCRATCH_PARENT     where to create the scratch dir (default: $TMPDIR or /tmp);
#                      only the scratch dir created inside it is removed at exit
#
# Steps: configure pktkit into a private prefix and install it; copy
# sdk/template out of the source tree and build it with nothing but the
# installed pktkit-1.pc (warnings are errors); run its tests; install the
# module into the prefix's moduledir; run the installed pktkit-inspect and
# pktkit-host on it; remove it again and load it from its build dir through
# PKTKIT_MODULE_PATH instead. Prints "sdk check: ok" at the end; any failure
# prints the step, the command and the tail of its output, and exits 1.
#
# Environment: PKTKIT_SDK_CHECK_KEEP=1 keeps the scratch dir for a post-mortem.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src_arg=${1:-$script_dir/../..}
scratch_parent=${2:-${TMPDIR:-/tmp}}
step="start"
work=""

say() { printf 'sdk check: %s\n' "$*"; }

fail() {
	say "FAILED at step '$step': $*" >&2
	exit 1
}

cleanup() {
	local rc=$?

	if [[ -n "$work" && -d "$work" ]]; then
		if [[ "${PKTKIT_SDK_CHECK_KEEP:-0}" == 1 ]]; then
			say "keeping scratch dir $work" >&2
		else
			rm -rf -- "$work"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
# Anything failing outside run() still names the step and the line.
trap 'say "FAILED at step '"'"'$step'"'"' (line $LINENO: $BASH_COMMAND)" >&2' ERR

# run LOGNAME CMD...: run CMD with its output in $work/logs/LOGNAME.log;
# on failure show the command and the end of that output.
run() {
	local log="$work/logs/$1.log"
	shift
	if ! "$@" >"$log" 2>&1; then
		{
			say "FAILED at step '$step'"
			printf '  command: %s\n' "$*"
			printf '  last lines of %s:\n' "$log"
			tail -n 40 "$log" | sed 's/^/    /'
			[[ "${PKTKIT_SDK_CHECK_KEEP:-0}" == 1 ]] ||
				printf '  (set PKTKIT_SDK_CHECK_KEEP=1 to keep the logs and build dirs)\n'
		} >&2
		exit 1
	fi
}

# run_json LOGNAME CMD...: like run(), but stdout alone goes to $work/logs/LOGNAME.json.
run_json() {
	local log="$work/logs/$1.log" out="$work/logs/$1.json"
	shift
	if ! "$@" >"$out" 2>"$log"; then
		{
			say "FAILED at step '$step'"
			printf '  command: %s\n' "$*"
			tail -n 40 "$out" "$log" | sed 's/^/    /'
		} >&2
		exit 1
	fi
}

# expect_in FILE PATTERN WHAT: FILE must contain the fixed string PATTERN.
expect_in() {
	if ! grep -qF -- "$2" "$1"; then
		{
			say "FAILED at step '$step': $3 (no '$2' in the output)"
			sed 's/^/    /' "$1"
		} >&2
		exit 1
	fi
}

src=$(cd "$src_arg" 2>/dev/null && pwd) || fail "pktkit source dir '$src_arg' does not exist"
for tool in meson ninja pkg-config; do
	command -v "$tool" >/dev/null || fail "'$tool' is not installed"
done
[[ -f "$src/meson.build" && -d "$src/sdk/template" ]] ||
	fail "$src does not look like a pktkit source tree (no meson.build or sdk/template)"
mkdir -p "$scratch_parent"
work=$(mktemp -d "$scratch_parent/pktkit-sdk-check.XXXXXX")
mkdir -p "$work/logs"
prefix="$work/prefix"

# Nothing from the caller's environment may find modules or a pktkit for us.
unset PKTKIT_MODULE_PATH PKG_CONFIG_LIBDIR
export PKG_CONFIG_PATH=""

say "source $src, scratch $work"

# 1. pktkit itself, into a private prefix --------------------------------
step="configure pktkit"
run pktkit-setup meson setup "$work/pktkit-build" "$src" --prefix="$prefix" -Dbenchmarks=false
step="build pktkit"
run pktkit-compile meson compile -C "$work/pktkit-build"
step="install pktkit"
run pktkit-install meson install -C "$work/pktkit-build"

step="find the installed SDK"
pcdir=""
for d in lib/x86_64-linux-gnu/pkgconfig lib64/pkgconfig lib/pkgconfig; do
	if [[ -f "$prefix/$d/pktkit-1.pc" ]]; then
		pcdir="$prefix/$d"
		break
	fi
done
[[ -n "$pcdir" ]] || fail "no pktkit-1.pc under $prefix/lib*/ (was it installed?)"
export PKG_CONFIG_PATH="$pcdir"
libdir=$(pkg-config --variable=libdir pktkit-1)
moduledir=$(pkg-config --variable=moduledir pktkit-1)
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[[ "$moduledir" == "$prefix"/* ]] || fail "moduledir '$moduledir' is not inside $prefix"
inspect="$prefix/bin/pktkit-inspect"
host="$prefix/bin/pktkit-host"
say "installed pktkit-1 $(pkg-config --modversion pktkit-1)," \
	"ABI $(pkg-config --variable=abi_major pktkit-1).$(pkg-config --variable=abi_minor pktkit-1)," \
	"moduledir $moduledir"

# 2. The template, out of tree, against the installed SDK only ----------
step="copy sdk/template"
tpl="$work/acme-echo"
mkdir -p "$tpl"
# Copy without any build dir a developer may have left in the template.
(cd "$src/sdk/template" && tar --exclude='./build*' --exclude='./_build*' -cf - .) |
	(cd "$tpl" && tar -xf -)
tpl_build="$work/acme-echo-build"

step="configure the template"
run template-setup meson setup "$tpl_build" "$tpl" --prefix="$prefix" -Dwerror=true
step="build the template (-Wall -Wextra -Wpedantic -Werror)"
run template-compile meson compile -C "$tpl_build"
step="test the template"
run template-test meson test -C "$tpl_build" --print-errorlogs
say "template built and its tests passed"

step="install the template module"
run template-install meson install -C "$tpl_build"
[[ -f "$moduledir/pk-acme-echo.so" ]] ||
	fail "meson install did not put pk-acme-echo.so into $moduledir"

# 3. The installed tools load it -----------------------------------------
step="find the installed tools"
for prog in "$inspect" "$host"; do
	[[ -x "$prog" ]] ||
		fail "installed $(basename "$prog") not found at $prog (does core/host build and install it?)"
done

topology="$work/echo.json"
cat >"$topology" <<'JSON'
{
  "comment": "sdk check: a pipe linked to the template's echo device",
  "devices": {
    "tap": { "type": "core.pipe-l2" },
    "echo": { "type": "acme.echo", "swap-mac": false, "max-len": 1500 }
  },
  "links": [ ["tap", "echo.eth"] ]
}
JSON

# check_tools LABEL FILE: the installed tools must load acme.echo from FILE.
check_tools() {
	local label=$1 file=$2 log="$work/logs"

	step="pktkit-inspect ($label)"
	run "inspect-modules-$label" "$inspect"
	expect_in "$log/inspect-modules-$label.log" "$file" \
		"pktkit-inspect does not list the module as loaded from $file"

	step="pktkit-inspect acme.echo ($label)"
	run "inspect-$label" "$inspect" acme.echo
	expect_in "$log/inspect-$label.log" "acme.echo" "pktkit-inspect does not describe the type"
	expect_in "$log/inspect-$label.log" "swap-mac" \
		"pktkit-inspect does not show the swap-mac parameter"

	step="pktkit-host --check ($label)"
	run "host-check-$label" "$host" --check "$topology"

	step="pktkit-host --export ($label)"
	run_json "host-export-$label" "$host" --export "$topology"
	expect_in "$log/host-export-$label.json" '"acme.echo"' \
		"the exported topology lacks the echo device"
	# swap-mac differs from its default, so the export must carry it.
	if ! grep -qE '"swap-mac" *: *false' "$log/host-export-$label.json"; then
		say "FAILED at step '$step': the export lacks \"swap-mac\": false" >&2
		sed 's/^/    /' "$log/host-export-$label.json" >&2
		exit 1
	fi
	say "installed pktkit-inspect and pktkit-host load acme.echo from $file"
}

check_tools moduledir "$moduledir/pk-acme-echo.so"

# 4. Not installed: found through PKTKIT_MODULE_PATH only ----------------
step="uninstall the module"
rm -f -- "$moduledir/pk-acme-echo.so"
step="pktkit-host --check without the module"
if "$host" --check "$topology" >"$work/logs/host-check-missing.log" 2>&1; then
	fail "pktkit-host accepted acme.echo with the module removed from $moduledir"
fi
expect_in "$work/logs/host-check-missing.log" "acme.echo" "the refusal does not name the unknown type"

export PKTKIT_MODULE_PATH="$tpl_build"
check_tools module-path "$tpl_build/pk-acme-echo.so"
unset PKTKIT_MODULE_PATH

step="done"
say "ok"
