#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-wg-conf-tools.sh - Issue 13: what pktkit-wg writes, wg-quick(8) and wg(8) read as the same configuration
#
# A wg-quick file is imported (pktkit-wg import) and exported again
# (pktkit-wg export, i.e. wg_conf_format()). Then:
#   strip    `wg-quick strip` accepts the export; its output (wg-quick's keys
#            removed) imports to the same l3.wg device, less the MTU
#   setconf  `wg setconf` loads the stripped export into a real wireguard-go
#            interface (in a namespace); `wg showconf` of it imports to the
#            same device again (peers and AllowedIPs compared as sets:
#            wireguard-go lists them in its own order)
#   reject   `wg setconf` also refuses what our parser refuses: a key with
#            non-zero padding bits
# Environment: PKTKIT_WG (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
interop_init wgc
require wireguard-go wg wg-quick ip python3
[ -n "${PKTKIT_WG:-}" ] && [ -x "$PKTKIT_WG" ] || fail "PKTKIT_WG is not set to pktkit-wg (run through meson test)"

(umask 077
 for k in a b c; do wg genkey >"$T/$k.key"; wg pubkey <"$T/$k.key" >"$T/$k.pub"; done
 wg genpsk >"$T/psk")
mkdir -m 700 "$T/in" "$T/out"
cat >"$T/in/wgc.conf" <<EOF
# a wg-quick file as a user has it
[Interface]
PrivateKey = $(cat "$T/a.key")
ListenPort = 51999
FwMark = 0x2a
Address = 10.66.0.2/24, fd66::2/64
DNS = 10.66.0.1
MTU = 1380
PostUp = true

[Peer]
PublicKey = $(cat "$T/b.pub")
PresharedKey = $(cat "$T/psk")
Endpoint = 192.0.2.10:51820
AllowedIPs = 10.66.0.0/24, 10.67.0.0/16
AllowedIPs = fd66::/64
PersistentKeepalive = 25

[Peer]
PublicKey = $(cat "$T/c.pub")
Endpoint = [2001:db8::10]:4500
AllowedIPs = 10.68.0.1/32
EOF

"$PKTKIT_WG" import "$T/in/wgc.conf" >"$T/orig.json" 2>"$T/import.err" || { cat "$T/import.err"; fail "import"; }
"$PKTKIT_WG" export "$T/orig.json" wgc >"$T/out/wgc.conf" || fail "export"
sed 's/^/  export: /' "$T/out/wgc.conf" | grep -v 'Key = '

# same_device A.json B.json [--sets] [--no-mtu]: the l3.wg device "wgc" of both
same_device() {
	python3 - "$@" <<'EOF'
import json, sys
a, b = (json.load(open(p))["devices"]["wgc"] for p in sys.argv[1:3])
opts = sys.argv[3:]
for d in (a, b):
    if "--no-mtu" in opts:
        d.pop("mtu", None)
    if "--sets" in opts:
        for p in d["peers"]:
            if "allowed-ips" in p:
                p["allowed-ips"] = sorted(p["allowed-ips"].split(", "))
        d["peers"] = sorted(d["peers"], key=lambda p: p["public-key"])
if a != b:
    sys.exit("devices differ:\n%s\n%s" % (json.dumps(a, indent=1), json.dumps(b, indent=1)))
EOF
}

echo "== strip"
wg-quick strip "$T/out/wgc.conf" >"$T/stripped.conf" 2>"$T/strip.err" ||
	{ cat "$T/strip.err" >&2; fail "wg-quick strip refused pktkit-wg's export"; }
! grep -qE '^(Address|DNS|MTU) ' "$T/stripped.conf" || fail "wg-quick strip left wg-quick keys"
"$PKTKIT_WG" import "$T/stripped.conf" --id wgc >"$T/stripped.json" 2>/dev/null || fail "import of the stripped file"
same_device "$T/orig.json" "$T/stripped.json" --no-mtu || fail "strip: not the same device"
# pktkit-wg export --strip is the same text as wg-quick strip makes of the full export.
# (wg-quick strip ends with an empty line.)
"$PKTKIT_WG" export "$T/orig.json" wgc --strip | diff -u -B "$T/stripped.conf" - ||
	fail "export --strip differs from wg-quick strip"

echo "== setconf"
ns_new NS a
TUN=wgpkc$$
ip netns exec "$NS" env WG_PROCESS_FOREGROUND=1 wireguard-go "$TUN" >"$T/wireguard-go.log" 2>&1 &
for _ in $(seq 50); do [ -S "/var/run/wireguard/$TUN.sock" ] && break; sleep 0.1; done
[ -S "/var/run/wireguard/$TUN.sock" ] || { cat "$T/wireguard-go.log" >&2; fail "wireguard-go did not start"; }
at_exit rm -f "/var/run/wireguard/$TUN.sock"
ip netns exec "$NS" wg setconf "$TUN" "$T/stripped.conf" || fail "wg setconf refused the export"
ip netns exec "$NS" wg showconf "$TUN" >"$T/showconf.conf" || fail "wg showconf"
"$PKTKIT_WG" import "$T/showconf.conf" --id wgc >"$T/showconf.json" 2>/dev/null || fail "import of wg showconf's output"
same_device "$T/orig.json" "$T/showconf.json" --no-mtu --sets || fail "setconf: wireguard-go has another configuration"

echo "== reject"
# The last character of a key carries two padding bits; wg(8) refuses them set, as we do.
bad=$(cat "$T/b.pub" | sed 's/.=$//')
last=$(cut -c43 "$T/b.pub")
alphabet=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
idx=$(( $(expr index "$alphabet" "$last") - 1 ))
bad="$bad${alphabet:$(( (idx & ~3) | 1 )):1}="
printf '[Interface]\n[Peer]\nPublicKey = %s\n' "$bad" >"$T/bad.conf"
if ip netns exec "$NS" wg setconf "$TUN" "$T/bad.conf" 2>"$T/wg.err"; then
	fail "wg setconf took a key with padding bits set (our parser's rule is wrong)"
fi
"$PKTKIT_WG" import "$T/bad.conf" --id x >/dev/null 2>"$T/import.err" && fail "pktkit-wg took $bad"
grep -q "line 3: PublicKey: not a key" "$T/import.err" || { cat "$T/import.err" >&2; fail "wrong message"; }
echo "PASS"
