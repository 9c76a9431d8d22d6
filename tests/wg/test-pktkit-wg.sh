#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-pktkit-wg.sh - pktkit-wg import/export: topology structure, keys and key files, warnings, errors, exit codes
#
# The topology import prints is checked with python3's json, and pktkit-host
# --check loads it. export is checked against the exact text it must print.
# Environment: PKTKIT_WG, PKTKIT_HOST (meson).
set -euo pipefail
WG=${PKTKIT_WG:?run through meson test}
: "${PKTKIT_HOST:?run through meson test}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

KA=yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
KB=xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
KC=TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=
KD=gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA=

# expect_rc RC CMD...: run CMD, output in $T/out and $T/err, exit status must be RC.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" = "$want" ] || { cat "$T/err" >&2; fail "'$*' exited $rc, expected $want"; }
}
err_has() { grep -qF -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }; }
out_has() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }; }
out_lacks() { ! grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout has '$1'"; }; }

cat >"$T/wg0.conf" <<EOF
[Interface]
PrivateKey = $KA
ListenPort = 51820
FwMark = 0x10
Address = 10.7.0.2/24, fd07::2/64
DNS = 10.7.0.1
MTU = 1380
PostUp = echo up   # wg-quick only

[Peer]
PublicKey = $KB
PresharedKey = $KD
Endpoint = 192.0.2.7:51820
AllowedIPs = 0.0.0.0/0, ::/0
AllowedIPs = 10.7.0.0/24, 10.8.0.0/16, 10.8.1.0/24
PersistentKeepalive = 25

[Peer]
PublicKey = $KC
Endpoint = [2001:db8::1]:4500
AllowedIPs = 10.9.0.1, 10.8.0.0/16, fd09::/48
EOF

# ---- usage and errors ----
expect_rc 0 "$WG" --help
out_has "pktkit-wg import FILE.conf"
out_has "THE OUTPUT CONTAINS THE PRIVATE KEY"
expect_rc 2 "$WG"
expect_rc 2 "$WG" frobnicate
err_has "unknown command 'frobnicate'"
expect_rc 2 "$WG" import
expect_rc 2 "$WG" import "$T/wg0.conf" --bogus
expect_rc 2 "$WG" import "$T/wg0.conf" --id 'no spaces'
expect_rc 2 "$WG" import "$T/wg0.conf" --tun
expect_rc 2 "$WG" export "$T/x.json"
expect_rc 1 "$WG" import "$T/missing.conf"
err_has "missing.conf"
printf '[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.1/40\n' \
	"$KA" "$KB" >"$T/bad.conf"
expect_rc 1 "$WG" import "$T/bad.conf"
err_has "bad.conf: line 5: AllowedIPs: '10.0.0.1/40' is not an address or prefix"
printf '[Interface]\nListenPort = 1\n' >"$T/nokey.conf"
expect_rc 1 "$WG" import "$T/nokey.conf"
err_has "no PrivateKey in [Interface]: add it, or give --key-file PATH"

# ---- import with --tun ----
expect_rc 0 "$WG" import "$T/wg0.conf" --tun wgpk0
cp "$T/out" "$T/full.json"
err_has "PostUp (line 8): a wg-quick key with no pktkit equivalent"
err_has "DNS: pktkit does not configure the host's resolver"
err_has "AllowedIPs 0.0.0.0/0 of the peer of line 10: no route added"
err_has "AllowedIPs ::/0 of the peer of line 10: no route added"
python3 - "$T/full.json" "$KA" "$KB" "$KC" "$KD" <<'EOF'
import json, sys
path, ka, kb, kc, kd = sys.argv[1:]
t = json.load(open(path))
assert set(t) == {"comment", "devices", "links"}, t.keys()
assert list(t["devices"]) == ["wg0", "wg0-tun"], t["devices"].keys()
wg = t["devices"]["wg0"]
want = {
    "type": "l3.wg", "private-key": ka, "listen-port": 51820, "fwmark": 16, "mtu": 1380,
    "peers": [
        {"public-key": kb, "preshared-key": kd, "endpoint": "192.0.2.7:51820",
         "allowed-ips": "0.0.0.0/0, ::/0, 10.7.0.0/24, 10.8.0.0/16, 10.8.1.0/24",
         "persistent-keepalive": 25},
        {"public-key": kc, "endpoint": "[2001:db8::1]:4500",
         "allowed-ips": "10.9.0.1/32, 10.8.0.0/16, fd09::/48"},
    ],
}
assert wg == want, json.dumps(wg, indent=1)
tun = t["devices"]["wg0-tun"]
want_tun = {
    "type": "io.tun", "ifname": "wgpk0", "mtu": 1380,
    "addresses": [{"prefix": "10.7.0.2/24"}, {"prefix": "fd07::2/64"}],
    # 10.7.0.0/24 is on the link of 10.7.0.2/24, 10.8.1.0/24 inside 10.8.0.0/16,
    # the second 10.8.0.0/16 a repeat; no default routes.
    "routes": [{"prefix": "10.8.0.0/16"}, {"prefix": "10.9.0.1/32"}, {"prefix": "fd09::/48"}],
}
assert tun == want_tun, json.dumps(tun, indent=1)
assert t["links"] == [["wg0.ip", "wg0-tun.ip"]], t["links"]
EOF

# ---- import without --tun, with --id and --key-file ----
expect_rc 0 "$WG" import "$T/wg0.conf" --id office --key-file "$T/office.key"
err_has "PrivateKey left out: the device reads $T/office.key"
err_has "Address: only used with --tun"
out_lacks "$KA"
python3 - "$T/out" "$T/office.key" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
assert list(t["devices"]) == ["office"]
d = t["devices"]["office"]
assert d["private-key-file"] == sys.argv[2] and "private-key" not in d, d
assert t["links"] == []
EOF

# ---- export ----
cat >"$T/expected.conf" <<EOF
[Interface]
PrivateKey = $KA
ListenPort = 51820
FwMark = 0x10
Address = 10.7.0.2/24, fd07::2/64
MTU = 1380

[Peer]
PublicKey = $KB
PresharedKey = $KD
AllowedIPs = 0.0.0.0/0, ::/0, 10.7.0.0/24, 10.8.0.0/16, 10.8.1.0/24
Endpoint = 192.0.2.7:51820
PersistentKeepalive = 25

[Peer]
PublicKey = $KC
AllowedIPs = 10.9.0.1/32, 10.8.0.0/16, fd09::/48
Endpoint = [2001:db8::1]:4500
EOF
expect_rc 0 "$WG" export "$T/full.json" wg0
diff -u "$T/expected.conf" "$T/out" || fail "export differs from the expected text"
# The export imports to the same device (a round trip through both formats).
cp "$T/out" "$T/wg0.conf"
expect_rc 0 "$WG" import "$T/wg0.conf" --tun wgpk0
python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert a["devices"]==b["devices"], (a,b)' \
	"$T/full.json" "$T/out"
expect_rc 0 "$WG" export "$T/full.json" wg0 --strip
out_lacks "Address"
out_lacks "MTU"
out_has "PrivateKey = $KA"

# Key files: read when readable, a comment when not; never a key not in the input.
(umask 077; echo "$KA" >"$T/wg.key"; echo "$KD" >"$T/psk")
cat >"$T/files.json" <<EOF
{ "devices": {
    "hub": { "type": "l2.hub" },
    "w": { "type": "l3.wg", "private-key-file": "$T/wg.key", "bind-address": "192.0.2.1",
           "isolate-peers": true, "listen-port": 0,
           "peers": [ { "public-key": "$KB", "preshared-key-file": "$T/psk", "endpoint": "",
                        "allowed-ips": "" },
                      { "public-key": "$KC", "preshared-key-file": "$T/nopsk" } ] },
    "v": { "type": "l3.wg", "private-key-file": "$T/nokey", "peers": [] }
  },
  "links": [] }
EOF
expect_rc 0 "$WG" export "$T/files.json" w
cat >"$T/expected.conf" <<EOF
[Interface]
# bind-address "192.0.2.1": a pktkit setting with no WireGuard key
# isolate-peers: a pktkit setting with no WireGuard key
PrivateKey = $KA

[Peer]
PublicKey = $KB
PresharedKey = $KD

[Peer]
PublicKey = $KC
EOF
# (GLib's message for the missing file is translated and quoted per locale.)
grep -v '^# PresharedKey omitted: ' "$T/out" | diff -u "$T/expected.conf" - ||
	fail "export with key files differs"
grep -q "^# PresharedKey omitted: .*$T/nopsk" "$T/out" || fail "no comment for the missing PSK file"
expect_rc 0 "$WG" export "$T/files.json" v
out_has "# PrivateKey omitted: "
out_lacks "PrivateKey ="

# Export errors name the JSON path.
expect_rc 1 "$WG" export "$T/files.json" hub
err_has "devices.hub: type l2.hub, not l3.wg"
expect_rc 1 "$WG" export "$T/files.json" nothere
err_has "devices.nothere: no such device"
echo '{"devices": {"w": {"type": "l3.wg", "peers": [{"public-key": "x"}]}}}' >"$T/e.json"
expect_rc 1 "$WG" export "$T/e.json" w
err_has "devices.w.peers[0].public-key: not a key"
echo '{"devices": {"w": {"type": "l3.wg", "listen-port": 70000}}}' >"$T/e.json"
expect_rc 1 "$WG" export "$T/e.json" w
err_has "devices.w.listen-port: 70000 is out of range (0..65535)"
echo '{"devices": {"w": {"type": "l3.wg", "colour": "red"}}}' >"$T/e.json"
expect_rc 1 "$WG" export "$T/e.json" w
err_has "devices.w.colour: not a parameter of l3.wg"
echo '{"devices": ' >"$T/e.json"
expect_rc 1 "$WG" export "$T/e.json" w

# Both a key and a key file: the device refuses that, so does export.
echo "{\"devices\": {\"w\": {\"type\": \"l3.wg\", \"private-key\": \"$KA\",
      \"private-key-file\": \"$T/wg.key\"}}}" >"$T/e.json"
expect_rc 1 "$WG" export "$T/e.json" w
err_has "devices.w: private-key and private-key-file are both given: keep one"
echo "{\"devices\": {\"w\": {\"type\": \"l3.wg\", \"private-key\": \"$KA\",
      \"private-key-file\": \"\", \"handshake-load-threshold\": 64, \"peer-template\": \"seg\"}}}" >"$T/e.json"
expect_rc 0 "$WG" export "$T/e.json" w
printf '[Interface]\n# handshake-load-threshold 64: a pktkit setting with no WireGuard key\n# peer-template "seg": a pktkit setting with no WireGuard key\nPrivateKey = %s\n' \
	"$KA" | diff -u - "$T/out" || fail "export of private-key-file \"\" differs"

# An MTU l3.wg cannot take is refused at import, not left for the host to find.
printf '[Interface]\nPrivateKey = %s\nMTU = 500\n' "$KA" >"$T/mtu.conf"
expect_rc 1 "$WG" import "$T/mtu.conf"
err_has "mtu.conf: MTU 500: an l3.wg device takes 576..65440"

# What import prints, pktkit-host loads (validation only: no interface is made).
"$PKTKIT_HOST" --check "$T/full.json" >"$T/check.out" 2>&1 || { cat "$T/check.out" >&2; fail "pktkit-host --check refused the import"; }
"$WG" import "$T/wg0.conf" --key-file "$T/wg.key" >"$T/keyfile.json" 2>/dev/null
"$PKTKIT_HOST" --check "$T/keyfile.json" >"$T/check.out" 2>&1 || { cat "$T/check.out" >&2; fail "pktkit-host --check refused the import with --key-file"; }
echo "pktkit-wg: all checks passed"
