#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build-guest.sh - Build pktkit's QEMU test guest: a Debian kernel + busybox-static initramfs
#
# usage: build-guest.sh OUTDIR
# Writes OUTDIR/vmlinuz and OUTDIR/initrd.img. The kernel (linux-image-cloud-amd64's
# current version) and busybox-static are fetched with `apt-get download` (never
# installed: busybox-static conflicts with busybox) into a cache outside the
# work tree, $PKTKIT_GUEST_CACHE (default ~/.cache/pktkit-guest), so clones
# share it. The initrd holds busybox, the virtio-net driver modules and the
# /init and udhcpc script of this directory. Exit 77 if a tool is missing.
set -euo pipefail

OUT=${1:?usage: build-guest.sh OUTDIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PKTKIT_GUEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pktkit-guest}
FLAVOUR=${PKTKIT_GUEST_FLAVOUR:-cloud-amd64}
MODS="virtio_pci virtio_net"
say() { echo "build-guest: $*" >&2; }

for t in apt-get apt-cache dpkg-deb cpio gzip flock; do
	command -v "$t" >/dev/null || { say "missing tool: $t"; exit 77; }
done
mkdir -p "$OUT" "$CACHE/debs"
OUT=$(cd "$OUT" && pwd)
exec 8>"$CACHE/lock"
flock 8	# concurrent builds share the cache

# The kernel metapackage names the current ABI version's image package.
kpkg() { apt-cache depends "linux-image-$FLAVOUR" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1; }
KPKG=$(kpkg)
if [ -z "$KPKG" ]; then apt-get update -qq >&2 || true; KPKG=$(kpkg); fi
[ -n "$KPKG" ] || { say "cannot resolve linux-image-$FLAVOUR"; exit 77; }

getdeb() {	# PKG -> path of its cached .deb
	local f
	f=$(ls "$CACHE/debs/$1"_*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$f" ]; then
		say "downloading $1"
		(cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root -o Acquire::Retries=3 download "$1" >&2) ||
			{ apt-get update -qq >&2 || true; (cd "$CACHE/debs" && apt-get -o APT::Sandbox::User=root download "$1" >&2); }
		f=$(ls "$CACHE/debs/$1"_*.deb | head -n 1)
	fi
	echo "$f"
}
unpack() {	# DEB DIR (cached, keyed by the .deb's name)
	if [ "$(cat "$2/.deb" 2>/dev/null)" != "$(basename "$1")" ]; then
		rm -rf "$2"; mkdir -p "$2"; dpkg-deb -x "$1" "$2"; basename "$1" >"$2/.deb"
	fi
}
KDEB=$(getdeb "$KPKG")
BDEB=$(getdeb busybox-static)
unpack "$KDEB" "$CACHE/kernel"
unpack "$BDEB" "$CACHE/busybox"
KVER=$(ls "$CACHE/kernel/lib/modules" | head -n 1)
MODDIR=$CACHE/kernel/lib/modules/$KVER

# Stage the initramfs.
S=$(mktemp -d "${TMPDIR:-/tmp}/pk-guest.XXXXXX")
trap 'rm -rf "$S"' EXIT
mkdir -p "$S"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,lib/modules}
cp "$CACHE/busybox/bin/busybox" "$S/bin/busybox"
for a in $("$S/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$S/bin/$a"; done

# NIC driver modules, dependencies first (from each module's modinfo "depends=").
declare -A done_mod=()
order=()
modpath() { find "$MODDIR/kernel" -name "$1.ko" -o -name "${1//_/-}.ko" | head -n 1; }
addmod() {
	local m=$1 p d
	[ -z "${done_mod[$m]:-}" ] || return 0
	done_mod[$m]=1
	p=$(modpath "$m")
	[ -n "$p" ] || { say "module $m not found in $KPKG"; exit 1; }
	for d in $(tr '\0' '\n' <"$p" | sed -n 's/^depends=//p' | tr ',' ' '); do addmod "$d"; done
	cp "$p" "$S/lib/modules/$m.ko"
	order+=("$m")
}
for m in $MODS; do addmod "$m"; done
printf '%s\n' "${order[@]}" >"$S/etc/modules"
install -m 0755 "$HERE/init" "$S/init"
install -m 0755 "$HERE/udhcpc.sh" "$S/etc/udhcpc.sh"
echo "root:x:0:0:root:/root:/bin/sh" >"$S/etc/passwd"

(cd "$S" && find . -mindepth 1 -exec touch -h -d @0 {} + && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -n -9) >"$OUT/initrd.img.tmp"
mv "$OUT/initrd.img.tmp" "$OUT/initrd.img"
cp "$CACHE/kernel/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
say "built $OUT (kernel $KVER, modules: ${order[*]})"
