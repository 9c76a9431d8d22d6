#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-slaac.sh - Interop 5: the kernel in a namespace configures an address by SLAAC from svc.ipv6-ra
#
# Namespace behind io.tap - l2.hub - svc.ipv6-ra (prefix fd69:0:0:1::/64, RDNSS,
# MTU 1400). The kernel must form a global address in the prefix from the
# router advertisement, take the MTU, and install a default route via the
# router's link-local address; a solicitation (interface brought up again)
# is answered (the interval is 60 s, so only an answer to it configures the
# address again within the test's 10 s).
. "$(dirname "$0")/lib.sh"
interop_init sla
require python3

ns_new N h
# Accept RAs and autoconfigure (defaults, made explicit for the namespace).
ip netns exec "$N" sysctl -qw net.ipv6.conf.default.accept_ra=1 net.ipv6.conf.default.autoconf=1 \
	net.ipv6.conf.all.forwarding=0

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "ra": { "type": "svc.ipv6-ra", "prefix": "fd69:0:0:1::/64", "interval": "60s",
            "mtu": 1400, "rdnss": [ { "address": "fd69:0:0:1::53" } ] },
    "tap": { "type": "io.tap", "ifname": "pkslaac", "netns": "$N", "mac": "52:54:00:69:00:01" }
  },
  "links": [ ["ra", "lan"], ["tap", "lan"] ]
}
JSON

run_host "$T/topo.json"
want=fd69::1:5054:ff:fe69:1
got=
for _ in $(seq 150); do
	got=$(ip -n "$N" -6 -o addr show dev pkslaac scope global | awk '{print $4}')
	[ -n "$got" ] && break
	sleep 0.1
done
ip -n "$N" -6 addr show dev pkslaac
[ "$got" = "$want/64" ] || fail "no SLAAC address $want/64 (got '$got')"
ip -n "$N" -6 -o addr show dev pkslaac scope global | grep -q dynamic || fail "the address is not dynamic (not from SLAAC)"
ip -n "$N" -6 route show default | tee "$T/route"
grep -q 'via fe80::dd:ccff:fe00:2 dev pkslaac' "$T/route" || fail "no default route via the router's link-local address"
mtu=$(ip netns exec "$N" cat /proc/sys/net/ipv6/conf/pkslaac/mtu)
[ "$mtu" = 1400 ] || fail "advertised MTU not applied (got $mtu)"

echo "== solicitation: interface down/up, the kernel's RS is answered at once"
ip -n "$N" link set pkslaac down
if ip -n "$N" -6 -o addr show dev pkslaac scope global | grep -q fd69; then
	fail "the SLAAC address survived link down (keep_addr_on_down?)"
fi
ip -n "$N" link set pkslaac up
for _ in $(seq 100); do
	ip -n "$N" -6 -o addr show dev pkslaac scope global | grep -q fd69 && break
	sleep 0.1
done
ip -n "$N" -6 -o addr show dev pkslaac scope global | grep -q fd69 || fail "no address 10 s after the interface came up again (interval is 60 s: RS not answered)"
stop_host
echo "PASS"
