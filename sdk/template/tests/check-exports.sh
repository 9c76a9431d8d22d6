#!/bin/sh
# SPDX-License-Identifier: MIT
# check-exports.sh - Fail unless a module's only exported function or object is pk_module_query
# usage: check-exports.sh NM MODULE.so
set -eu
nm_prog=$1
module=$2
# Defined dynamic symbols of type code/data (T, D, R, B; weak too), minus the
# linker's own markers.
exports=$("$nm_prog" -D --defined-only "$module" | awk '$2 ~ /^[TDRBVW]$/ { print $3 }' |
	  grep -v -e '^_init$' -e '^_fini$' -e '^_edata$' -e '^_end$' -e '^__bss_start$' || true)
if [ "$exports" != "pk_module_query" ]; then
	echo "$module: exports must be exactly pk_module_query; found:" >&2
	echo "${exports:-(nothing)}" | sed 's/^/  /' >&2
	echo "make every other function and variable static (or build with hidden visibility)" >&2
	exit 1
fi
echo "$module: exports pk_module_query only"
