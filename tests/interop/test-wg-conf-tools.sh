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
#   paste    a user's wg-quick file, imported with --tun, runs in pktkit-host
#            (in a second namespace, joined by a veth) and reaches the
#            wireguard-go interface of the first: ping through the tunnel,
#            the route for the other AllowedIPs is on the TUN
# Environment: PKTKIT_WG, PKTKIT_HOST (meson), CI, KEEP_TMP=1.
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

echo "== paste"
ns_new NSB b
VA=pkwgcva$$
VB=pkwgcvb$$
TUNB=wgpkcb$$
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$NS"
ip link set "$VB" netns "$NSB"
ip -n "$NS" addr add 10.88.0.1/24 dev "$VA"
ip -n "$NSB" addr add 10.88.0.2/24 dev "$VB"
ip -n "$NS" link set "$VA" up
ip -n "$NSB" link set "$VB" up
# wireguard-go: 10.77.0.1, one peer (pktkit) at 10.88.0.2:51821.
(umask 077; wg genkey >"$T/d.key"; wg pubkey <"$T/d.key" >"$T/d.pub")
printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.2/32\nEndpoint = 10.88.0.2:51821\n' \
	"$(cat "$T/a.key")" "$(cat "$T/d.pub")" >"$T/go.conf"
ip netns exec "$NS" wg setconf "$TUN" "$T/go.conf" || fail "wg setconf of wireguard-go's side"
ip -n "$NS" addr add 10.77.0.1/24 dev "$TUN"
ip -n "$NS" link set "$TUN" mtu 1420 up
# The file a user of the other side has.
cat >"$T/in/office.conf" <<EOF
[Interface]
PrivateKey = $(cat "$T/d.key")
ListenPort = 51821
Address = 10.77.0.2/24
DNS = 10.77.0.1
MTU = 1420

[Peer]
PublicKey = $(cat "$T/a.pub")
Endpoint = 10.88.0.1:51820
AllowedIPs = 10.77.0.0/24, 10.78.0.0/16
PersistentKeepalive = 25
EOF
"$PKTKIT_WG" import "$T/in/office.conf" --tun "$TUNB" >"$T/office.json" || fail "import of office.conf"
"$PKTKIT_HOST" --check "$T/office.json" || fail "pktkit-host --check refused the import"
cat >"$T/host.sh" <<SH
#!/bin/sh
exec ip netns exec "$NSB" "$PKTKIT_HOST" --dbus-address unix:path=$T/ctl.sock "\$@"
SH
chmod +x "$T/host.sh"
PKTKIT_HOST=$T/host.sh run_host "$T/office.json"
for _ in $(seq 50); do ip -n "$NSB" -br addr show "$TUNB" 2>/dev/null | grep -q 10.77.0.2 && break; sleep 0.1; done
ip -n "$NSB" route show dev "$TUNB" | grep -q '^10.78.0.0/16' ||
	{ ip -n "$NSB" route >&2; fail "paste: no route for 10.78.0.0/16 on $TUNB"; }
out=$(ip netns exec "$NSB" ping -c 3 -i 0.2 -W 2 10.77.0.1 2>&1) || { echo "$out" >&2; fail "paste: ping through the tunnel failed"; }
echo "paste: $(grep -E 'packets transmitted' <<<"$out")"
stop_host
echo "PASS"
