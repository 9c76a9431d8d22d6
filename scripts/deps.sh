#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deps.sh - Install (as root, on Debian 12) every package pktkit's build and tests need
set -euo pipefail

packages=(
	# build
	meson ninja-build gcc pkg-config libglib2.0-dev libjson-glib-dev libglib2.0-bin
	# WireGuard's crypto (modules/wg): OpenSSL (BLAKE2s, ChaCha20-Poly1305), libsodium (X25519)
	libssl-dev libsodium-dev
	# fuzzing (libFuzzer) and sanitizers
	clang libclang-rt-14-dev llvm
	# test helpers
	python3 procps
	# seed generator of the WireGuard fuzz targets (tests/fuzz/gen-wg-corpus.py): X25519, ChaCha20-Poly1305
	python3-cryptography
	# format check of changed C files (scripts/check-format.sh)
	clang-format git
	# real peers for the interop tests (network namespaces, DHCP, TCP, captures)
	iproute2 iputils-ping tcpdump tshark iperf3 socat ethtool
	dnsmasq udhcpc busybox isc-dhcp-client dhcpcd-base vde2
	# WireGuard interop (tests/interop/test-wg-*.sh): the userspace reference peer and wg(8)
	wireguard-go wireguard-tools
	# l3.slirp interop (tests/interop/test-slirp.sh): HTTP and DNS clients in the guest
	curl bind9-dnsutils
	# l3.nat port mapping interop (tests/interop/test-nat-pmp.sh): the NAT-PMP client
	natpmpc
	# benchmark peers (bench/slirp-compare.sh): the user-mode NATs l3.slirp is measured against
	slirp4netns passt
	# QEMU guests (tests/guest builds a tiny Linux guest from Debian packages)
	qemu-system-x86 cpio
	# D-Bus control tests
	dbus-daemon dbus-bin libglib2.0-bin
	# ABI checks (tests/abi: abidiff against the stored baseline)
	abigail-tools
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deps.sh: all build and test packages are installed"
