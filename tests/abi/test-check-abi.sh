#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-check-abi.sh - check-abi.py itself: each rule fails on a library that breaks it
#
# Builds a two-function library twice (the second changes a struct the API
# passes by pointer, then drops a function) and runs check-abi.py on maps,
# baselines and ABI dumps that break one rule each; every run must fail with
# the rule's message, and the intact case must pass.
set -euo pipefail
CHECK=${1:?usage: test-check-abi.sh CHECK-ABI.PY}
for t in cc nm abidw abidiff; do
	command -v "$t" >/dev/null || { echo "test-check-abi: '$t' is not installed" >&2; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
mkdir inc

lib() { # lib NAME STRUCT-BODY WITH-BYE: a shared library with version script v.map
	cat >inc/t.h <<H
struct t_point { $2 };
int t_hello(const struct t_point *p);
int t_bye(void);
H
	{
		echo '#include "inc/t.h"'
		echo 'int t_hello(const struct t_point *p) { return p->x; }'
		[ "$3" = 1 ] && echo 'int t_bye(void) { return 2; }'
	} >t.c
	cc -g -O0 -shared -fPIC -Wl,--version-script=v.map -o "$1" t.c
}

expect_fail() { # expect_fail WHAT REGEX ARGS...
	local what=$1 re=$2 out
	shift 2
	if out=$(python3 "$CHECK" "$@" 2>&1); then
		echo "FAIL: $what: check-abi.py passed"; echo "$out"; exit 1
	fi
	grep -Eq "$re" <<<"$out" || { echo "FAIL: $what: no '$re' in:"; echo "$out"; exit 1; }
	echo "ok: $what"
}

printf 'T_1.0 {\n global:\n  t_hello;\n  t_bye;\n local:\n  *;\n};\n' >v.map
lib libt.so 'int x; int y;' 1
args=(--lib libt.so --map v.map --prefix T --minor 1 --symbols base.symbols --abi base.abi --headers inc)
python3 "$CHECK" --write-baseline "${args[@]}" >/dev/null
python3 "$CHECK" "${args[@]}" >/dev/null || { echo "FAIL: intact library rejected"; exit 1; }
echo "ok: intact library passes"

printf 'T_1.0 {\n global:\n  t_*;\n local:\n  *;\n};\n' >glob.map
expect_fail "glob in a node" 'by pattern' --lib libt.so --map glob.map --prefix T --minor 1 --symbols base.symbols

printf 'T_1.0 {\n global:\n  t_hello;\n  t_bye;\n  t_gone;\n local:\n  *;\n};\n' >extra.map
expect_fail "listed but not exported" 't_gone.*not exported' --lib libt.so --map extra.map --prefix T --minor 1 --symbols base.symbols

printf 'T_1.0 {\n global:\n  t_hello;\n local:\n  *;\n};\nT_1.1 {\n global:\n  t_bye;\n} T_1.0;\n' >v.map
lib libmoved.so 'int x; int y;' 1
expect_fail "symbol moved to another node" 't_bye moved' --lib libmoved.so --map v.map --prefix T --minor 1 --symbols base.symbols
expect_fail "node newer than the minor" 'newer than the ABI minor' --lib libmoved.so --map v.map --prefix T --minor 0 --symbols base.symbols

printf 'T_1.0 {\n global:\n  t_hello;\n  t_bye;\n local:\n  *;\n};\n' >v.map
sed -i '$a t_new T_1.0' base.symbols   # the baseline knows a function the library lacks
expect_fail "function removed" 't_new.*removed' --lib libt.so --map v.map --prefix T --minor 1 --symbols base.symbols
sed -i '$d' base.symbols

lib libtype.so 'long x; int y;' 1
expect_fail "struct layout changed (abidiff)" 'other than an addition' "${args[@]/libt.so/libtype.so}"

lib libgrown.so 'int x; int y; int z;' 1
python3 "$CHECK" "${args[@]/libt.so/libgrown.so}" >/dev/null || { echo "FAIL: a struct grown at its end was rejected"; exit 1; }
echo "ok: a struct grown at its end passes"
# A new function in the node of the next minor (raised) is an addition: allowed.
printf 'T_1.0 {\n global:\n  t_hello;\n  t_bye;\n local:\n  *;\n};\nT_1.2 {\n global:\n  t_new;\n} T_1.0;\n' >v.map
cat >>inc/t.h <<H
int t_new(void);
H
cc -g -O0 -shared -fPIC -Wl,--version-script=v.map -o libnew.so t.c -x c - <<'C'
int t_new(void) { return 3; }
C
python3 "$CHECK" "${args[@]/libt.so/libnew.so}" --minor 2 >/dev/null || { echo "FAIL: an added function was rejected"; exit 1; }
echo "ok: a function added in a new node passes"
expect_fail "new node without raising the minor" 'newer than the ABI minor' --lib libnew.so --map v.map --prefix T --minor 1 --symbols base.symbols
echo "check-abi.py: every rule has teeth"
