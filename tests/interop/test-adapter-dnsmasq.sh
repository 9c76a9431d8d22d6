#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-adapter-dnsmasq.sh - Interop 2: the l3.adapter DHCP client against dnsmasq on an io.tap: lease, renewal, rebind/expiry
#
# dnsmasq serves 10.69.0.50-60 with a 2-minute lease (its minimum) on the kernel side
# of an io.tap in namespace S; the adapter's eth is linked to that io.tap, its ip
# port to a core.pipe-l3 (a sink). The adapter logs its lease and state changes
# (G_MESSAGES_DEBUG=all), which is what this test reads.
#   default:            lease (address, router, DNS, domain), then renewal at T1 (~60 s)
#   ADAPTER_DHCP_FULL=1: then dnsmasq is stopped: rebinding at T2, expiry removes the
#                        address (~2 more minutes)
. "$(dirname "$0")/lib.sh"
interop_init dhcpc
require dnsmasq

ns_new S s
export G_MESSAGES_DEBUG=all

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "taps": { "type": "io.tap", "ifname": "pkdtap", "netns": "$S",
              "addresses": [ { "prefix": "10.69.0.1/24" } ] },
    "adapter": { "type": "l3.adapter", "dhcp": true, "dhcp-hostname": "pk-adapter" },
    "sink": { "type": "core.pipe-l3" }
  },
  "links": [ ["adapter.eth", "taps"], ["adapter.ip", "sink"] ]
}
JSON

run_host "$T/topo.json"
ip netns exec "$S" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
	--interface=pkdtap --bind-interfaces --dhcp-authoritative \
	--dhcp-range=10.69.0.50,10.69.0.60,255.255.255.0,2m \
	--dhcp-option=option:router,10.69.0.1 --dhcp-option=option:dns-server,10.69.0.53,10.69.0.54 \
	--dhcp-option=option:domain-name,pk.test \
	--dhcp-leasefile="$T/leases" --pid-file="$T/dnsmasq.pid" --log-dhcp >"$T/dnsmasq.log" 2>&1 &
DNSMASQ_PID=$!

echo "== lease"
wait_for "$HOST_LOG" 'dhcp: bound 10\.69\.0\.(5[0-9]|60)/24 router 10\.69\.0\.1 dns 10\.69\.0\.53,10\.69\.0\.54 domain "pk\.test" lease 120s' 30 \
	|| { cat "$HOST_LOG" "$T/dnsmasq.log" >&2; fail "no lease from dnsmasq"; }
grep 'dhcp: bound [0-9]' "$HOST_LOG"
grep -q 'DHCPACK.*pk-adapter' "$T/dnsmasq.log" || fail "dnsmasq did not record the host name"

echo "== renewal at T1 (60 s)"
wait_for "$HOST_LOG" 'dhcp: state renewing' 75 || fail "no renewal"
for _ in $(seq 100); do
	[ "$(grep -c 'dhcp: bound [0-9]' "$HOST_LOG")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c 'dhcp: bound [0-9]' "$HOST_LOG")" -ge 2 ] || fail "renewal not acknowledged"
grep -c 'DHCPACK' "$T/dnsmasq.log" | grep -qv '^1$' || fail "dnsmasq saw no renewal"

if [ "${ADAPTER_DHCP_FULL:-0}" = 1 ]; then
	echo "== server stopped: rebinding at T2, expiry after 120 s"
	kill "$DNSMASQ_PID"; wait "$DNSMASQ_PID" || true
	wait_for "$HOST_LOG" 'dhcp: state rebinding' 60 || fail "no rebinding"
	wait_for "$HOST_LOG" 'dhcp: address removed' 30 || fail "the address was not removed at expiry"
	wait_for "$HOST_LOG" 'dhcp: state selecting' 5 || fail "discovery did not start over"
else
	echo "== stop: RELEASE"
	stop_host
	for _ in $(seq 30); do grep -q DHCPRELEASE "$T/dnsmasq.log" && break; sleep 0.1; done
	grep -q DHCPRELEASE "$T/dnsmasq.log" || fail "dnsmasq saw no DHCPRELEASE"
	kill "$DNSMASQ_PID"; wait "$DNSMASQ_PID" || true
fi
echo "PASS"
