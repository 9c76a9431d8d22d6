#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-host.sh - Install the dependencies, build, install pktkit and run pktkit-host
#
# Usage: scripts/run-host.sh [pktkit-host arguments...]
# With no argument pktkit-host runs its built-in default topology.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
if [ -d build/meson-info ]; then
	meson setup --reconfigure build >/dev/null
else
	meson setup build >/dev/null
fi
ninja -C build
meson install -C build --quiet
ldconfig
exec pktkit-host "$@"
