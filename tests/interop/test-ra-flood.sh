#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-ra-flood.sh - svc.ipv6-ra answers a burst of router solicitations from a namespace with few RAs
#
# A namespace behind io.tap - l2.hub - svc.ipv6-ra (interval 60 s). rs-flood.py
# sends 3000 router solicitations in 6 s from the kernel's raw ICMPv6 socket;
# tcpdump on the namespace's interface counts the advertisements meanwhile:
# multicast RAs are at least 3 s apart (RFC 4861 6.2.6), so at most one per
# 3 s of capture plus one, and at least one answer.
. "$(dirname "$0")/lib.sh"
interop_init raf
require python3 tcpdump

ns_new N h
# No DAD (the solicitations leave at once from the link-local address), no
# solicitations of the kernel's own.
ip netns exec "$N" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
	net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.forwarding=0

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "ra": { "type": "svc.ipv6-ra", "prefix": "fd6a:0:0:1::/64", "interval": "60s" },
    "tap": { "type": "io.tap", "ifname": "pkraf1", "netns": "$N", "mac": "52:54:00:6b:00:01" }
  },
  "links": [ ["ra", "lan"], ["tap", "lan"] ]
}
JSON

run_host "$T/topo.json"
for _ in $(seq 50); do
	ip -n "$N" -6 -o addr show dev pkraf1 scope link | grep -q fe80 && break; sleep 0.1
done
ip -n "$N" -6 -o addr show dev pkraf1 scope link | grep -q fe80 || fail "no link-local address on pkraf1"

ip netns exec "$N" tcpdump -i pkraf1 -n -U -w "$T/nd.pcap" icmp6 2>"$T/tcpdump.err" &
TD=$!
wait_for "$T/tcpdump.err" 'listening on' 10 || fail "tcpdump did not start"
t0=$(date +%s.%N)
ip netns exec "$N" timeout 60 python3 "$(dirname "$0")/rs-flood.py" pkraf1 3000 6 | tee "$T/flood.out"
sleep 1	# an answer still due goes out within 3.5 s of the previous one: let it count
t1=$(date +%s.%N)
kill -INT "$TD"; wait "$TD" 2>/dev/null || true

count() { tcpdump -r "$T/nd.pcap" -n "icmp6 and ip6[40] == $1" 2>/dev/null | wc -l; }
rs=$(count 133) ra=$(count 134)
max=$(python3 -c "import sys; print(int((float(sys.argv[2]) - float(sys.argv[1])) / 3) + 1)" "$t0" "$t1")
echo "on the wire: $rs solicitations, $ra advertisements (at most $max allowed)"
[ "$rs" -ge 2000 ] || fail "only $rs solicitations on the wire"
[ "$ra" -ge 1 ] || fail "no advertisement answered the solicitations"
[ "$ra" -le "$max" ] || fail "$ra advertisements for $rs solicitations (RAs must be 3 s apart: at most $max)"
stop_host
echo "PASS"
