#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-wg-go-probe.sh - Issue 13: pktkit's WireGuard protocol core against wireguard-go: handshakes both ways, PSK, echo
#
# Two namespaces joined by a veth (10.88.0.1 - 10.88.0.2). In $WGA the real
# wireguard-go with its TUN wgpk0 (10.99.0.1/24), configured with wg(8); in
# $WGB tests/wg/wg-probe: one UDP socket and the protocol of modules/wg, no
# device yet. Each check pings 10.99.0.1 (the kernel in $WGA answers on the
# TUN) through the tunnel from 10.99.0.2:
#   initiate       the probe initiates, no preshared key
#   initiate-psk   the probe initiates, both sides with the same preshared key
#   respond        wireguard-go initiates (persistent keepalive 1 s towards the
#                  probe), the probe answers and pings
#   wrong-psk      the probe's preshared key differs: the PSK enters only at
#                  the response, so wireguard-go answers, but its response does
#                  not authenticate at the probe ("no valid response")
#   wrong-key      the probe uses a key wireguard-go does not know: no response
# Environment: WG_PROBE (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
interop_init wgp
require wireguard-go wg ip
[ -n "${WG_PROBE:-}" ] && [ -x "$WG_PROBE" ] || fail "WG_PROBE is not set to tests/wg/wg-probe (run through meson test)"

ns_new WGA a
ns_new WGB b
VA=pkwgpva$$
VB=pkwgpvb$$
TUN=wgpk$$
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$WGA"
ip link set "$VB" netns "$WGB"
ip -n "$WGA" addr add 10.88.0.1/24 dev "$VA"
ip -n "$WGB" addr add 10.88.0.2/24 dev "$VB"
ip -n "$WGA" link set "$VA" up
ip -n "$WGB" link set "$VB" up

(umask 077
 wg genkey >"$T/a.key"; wg pubkey <"$T/a.key" >"$T/a.pub"
 wg genkey >"$T/b.key"; wg pubkey <"$T/b.key" >"$T/b.pub"
 wg genkey >"$T/x.key"
 wg genpsk >"$T/psk"; wg genpsk >"$T/psk2")

ip netns exec "$WGA" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=verbose wireguard-go "$TUN" \
	>"$T/wireguard-go.log" 2>&1 &
for _ in $(seq 50); do [ -S "/var/run/wireguard/$TUN.sock" ] && break; sleep 0.1; done
[ -S "/var/run/wireguard/$TUN.sock" ] || { cat "$T/wireguard-go.log" >&2; fail "wireguard-go did not start"; }
at_exit rm -f "/var/run/wireguard/$TUN.sock"
ip -n "$WGA" addr add 10.99.0.1/24 dev "$TUN"
ip -n "$WGA" link set "$TUN" up
wg_a() { ip netns exec "$WGA" wg "$@"; }
wg_a set "$TUN" private-key "$T/a.key" listen-port 51820

# peer_set [wg set peer options...]: (re)configure wireguard-go's one peer,
# the probe's key; a fresh peer each time, so no session survives a check.
peer_set() {
	wg_a set "$TUN" peer "$(cat "$T/b.pub")" remove
	wg_a set "$TUN" peer "$(cat "$T/b.pub")" allowed-ips 10.99.0.2/32 "$@"
}

probe() {	# MODE [probe options...]: runs the probe in $WGB, output in $T/probe.out
	local mode=$1 rc=0
	shift
	ip netns exec "$WGB" "$WG_PROBE" --key "$T/b.key" --peer "$(cat "$T/a.pub")" --port 51821 \
		--mode "$mode" --src 10.99.0.2 --dst 10.99.0.1 --count 3 --timeout 8 "$@" \
		>"$T/probe.out" 2>&1 || rc=$?
	sed 's/^/  probe: /' "$T/probe.out"
	return $rc
}

echo "== initiate"
peer_set endpoint 10.88.0.2:51821
probe initiate --endpoint 10.88.0.1:51820 || fail "initiate: the probe's handshake or echo failed"
grep -q '^handshake ok (initiator)' "$T/probe.out" && grep -q '^echo 3/3' "$T/probe.out" ||
	fail "initiate: expected 'handshake ok (initiator)' and 'echo 3/3'"
wg_a show "$TUN" latest-handshakes | grep -q "$(cat "$T/b.pub")	[1-9]" ||
	fail "initiate: wireguard-go shows no handshake with the probe"

echo "== initiate-psk"
peer_set endpoint 10.88.0.2:51821 preshared-key "$T/psk"
probe initiate --endpoint 10.88.0.1:51820 --psk "$T/psk" || fail "initiate-psk: failed"
grep -q '^echo 3/3' "$T/probe.out" || fail "initiate-psk: expected 'echo 3/3'"

echo "== respond"
# wireguard-go initiates as soon as it has something for the peer: the
# persistent keepalive sends one within a second of the configuration.
peer_set endpoint 10.88.0.2:51821 persistent-keepalive 1 preshared-key "$T/psk"
probe respond --psk "$T/psk" || fail "respond: failed"
grep -q '^handshake ok (responder)' "$T/probe.out" && grep -q '^echo 3/3' "$T/probe.out" ||
	fail "respond: expected 'handshake ok (responder)' and 'echo 3/3'"

echo "== wrong-psk"
peer_set endpoint 10.88.0.2:51821 preshared-key "$T/psk"
if probe initiate --endpoint 10.88.0.1:51820 --psk "$T/psk2"; then
	fail "wrong-psk: a session came up with different preshared keys"
fi
grep -q 'no valid response' "$T/probe.out" || fail "wrong-psk: expected 'no valid response to the initiation'"

echo "== wrong-key"
peer_set endpoint 10.88.0.2:51821
if ip netns exec "$WGB" "$WG_PROBE" --key "$T/x.key" --peer "$(cat "$T/a.pub")" --port 51821 \
	--mode initiate --endpoint 10.88.0.1:51820 --src 10.99.0.2 --dst 10.99.0.1 --timeout 3 \
	>"$T/probe.out" 2>&1; then
	cat "$T/probe.out"
	fail "wrong-key: wireguard-go answered a key it does not know"
fi
sed 's/^/  probe: /' "$T/probe.out"
grep -q 'no valid response' "$T/probe.out" || fail "wrong-key: expected 'no valid response to the initiation'"
echo "PASS"
