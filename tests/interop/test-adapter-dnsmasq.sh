#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-adapter-dnsmasq.sh - Interop 2: the l3.adapter DHCP client against dnsmasq on an io.tap: lease, renewal, rebind/expiry
#
# dnsmasq serves 10.69.0.50-60 with a 2-minute lease (its minimum) on the kernel side
# of an io.tap in namespace S; the adapter's eth is linked to that io.tap, its ip
# port to a core.pipe-l3 (a sink). The adapter logs its lease and state changes
# (G_MESSAGES_DEBUG=all), which this test follows; what it asserts is also checked
# on the wire, from a tcpdump capture on the kernel side read with tshark: dnsmasq's
# ACKs carry the address to the adapter's MAC and the renewal is a unicast REQUEST
# from that address to the server (RFC 2131 4.4.5). The kernel's ARP table must learn
# the adapter's MAC for the address (the adapter answers ARP for what it leased).
# The capture ends after the renewal; the RELEASE at stop is checked in dnsmasq's log.
#   default:            lease (address, router, DNS, domain), then renewal at T1 (~60 s)
#   ADAPTER_DHCP_FULL=1: then dnsmasq is stopped: rebinding at T2, expiry removes the
#                        address (~2 more minutes)
. "$(dirname "$0")/lib.sh"
interop_init dhcpc
require dnsmasq tcpdump tshark ping

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
ip netns exec "$S" tcpdump -n -U --immediate-mode -i pkdtap -w "$T/wire.pcap" 'arp or udp port 67 or udp port 68' \
	>"$T/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!
wait_for "$T/tcpdump.log" 'listening on' 10 || { cat "$T/tcpdump.log" >&2; fail "tcpdump did not start"; }
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
ADDR=$(sed -n 's/.*dhcp: bound \([0-9.]*\)\/24 .*/\1/p' "$HOST_LOG" | head -n 1)
# The kernel resolves the leased address: only the adapter can answer that ARP request.
ip netns exec "$S" ping -c 1 -W 2 "$ADDR" >/dev/null 2>&1 || true
MAC=$(ip -n "$S" neigh show "$ADDR" dev pkdtap | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
[ -n "$MAC" ] || { ip -n "$S" neigh show dev pkdtap >&2; fail "nobody answered ARP for the leased $ADDR"; }
echo "ARP: $ADDR is at $MAC"

echo "== renewal at T1 (60 s)"
wait_for "$HOST_LOG" 'dhcp: state renewing' 75 || fail "no renewal"
for _ in $(seq 100); do
	[ "$(grep -c 'dhcp: bound [0-9]' "$HOST_LOG")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c 'dhcp: bound [0-9]' "$HOST_LOG")" -ge 2 ] || fail "renewal not acknowledged"
[ "$(grep -c 'DHCPACK' "$T/dnsmasq.log")" -ge 2 ] || fail "dnsmasq acknowledged no renewal"

echo "== on the wire"
wire() { tshark -n -r "$T/wire.pcap" -Y "$1" -T fields -e frame.number 2>/dev/null | grep -c . || true; }
ACK_F="dhcp.option.dhcp == 5 && dhcp.ip.your == $ADDR && dhcp.hw.mac_addr == $MAC && eth.dst == $MAC"
RENEW_F="dhcp.option.dhcp == 3 && eth.src == $MAC && ip.src == $ADDR && ip.dst == 10.69.0.1 && dhcp.ip.client == $ADDR"
# The renewal was just logged: give the capture a moment to have it on file.
for _ in $(seq 10); do
	[ "$(wire "$ACK_F")" -ge 2 ] && [ "$(wire "$RENEW_F")" -ge 1 ] && break
	sleep 0.5
done
kill -0 "$TCPDUMP_PID" 2>/dev/null || { cat "$T/tcpdump.log" >&2; fail "tcpdump ended early"; }
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID" || true
acks=$(wire "$ACK_F")
renew=$(wire "$RENEW_F")
arp=$(wire "arp.opcode == 2 && arp.src.hw_mac == $MAC && arp.src.proto_ipv4 == $ADDR")
echo "wire: $acks ACKs of $ADDR to $MAC, $renew unicast renewal REQUESTs from $ADDR, $arp ARP replies for it"
[ "$acks" -ge 2 ] || fail "wire: fewer than 2 DHCPACKs of $ADDR to $MAC (the lease and its renewal)"
[ "$renew" -ge 1 ] || fail "wire: no renewal REQUEST unicast from $ADDR to the server"
[ "$arp" -ge 1 ] || fail "wire: the adapter did not answer ARP for $ADDR"

if [ "${ADAPTER_DHCP_FULL:-0}" = 1 ]; then
	echo "== server stopped: rebinding at T2, expiry after 120 s"
	kill "$DNSMASQ_PID"; wait "$DNSMASQ_PID" || true
	wait_for "$HOST_LOG" 'dhcp: state rebinding' 60 || fail "no rebinding"
	wait_for "$HOST_LOG" 'dhcp: address removed' 30 || fail "the address was not removed at expiry"
	wait_for "$HOST_LOG" 'dhcp: state selecting' 5 || fail "discovery did not start over"
else
	echo "== stop: RELEASE"
	stop_host
	# dnsmasq logs it within milliseconds; a loaded CI machine gets 10 s.
	for _ in $(seq 100); do grep -q DHCPRELEASE "$T/dnsmasq.log" && break; sleep 0.1; done
	grep -q DHCPRELEASE "$T/dnsmasq.log" ||
		{ tail -n 5 "$T/dnsmasq.log" >&2; fail "dnsmasq saw no DHCPRELEASE within 10 s of the stop"; }
	kill "$DNSMASQ_PID"; wait "$DNSMASQ_PID" || true
fi

echo "PASS"
