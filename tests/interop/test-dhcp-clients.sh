#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-dhcp-clients.sh - Interop 1: udhcpc, dhclient and dhcpcd against svc.dhcp-server behind io.tap - l2.hub
#
# Three namespaces, each with a TAP of a fixed MAC made by pktkit-host; the
# server (10.68.0.1, pool .100-.110, lease 20 s, a reservation .50 for the
# dhclient MAC, leases in $T/state). Checked: every client gets a lease and
# can ping the server (ARP + ICMP answered by the server), the reserved MAC
# gets .50, dhclient renews (unicast, T1 = 10 s), dhclient -r and udhcpc -R
# release (the lease leaves the lease file), and after a host restart a lease
# is still held (another client does not get it; its owner gets it back).
# The clients never touch /etc/resolv.conf: each gets a private script.
. "$(dirname "$0")/lib.sh"
interop_init dhc
require ping udhcpc dhclient dhcpcd

ns_new N1 u	# udhcpc
ns_new N2 d	# dhclient (reserved MAC)
ns_new N3 c	# dhcpcd
MAC1=52:54:00:68:00:01 MAC2=52:54:00:68:00:02 MAC3=52:54:00:68:00:03
dhcp_state_init

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "lan": { "type": "l2.hub" },
    "dhcp": { "type": "svc.dhcp-server", "server-ip": "10.68.0.1",
              "range-start": "10.68.0.100", "range-end": "10.68.0.110",
              "router": "10.68.0.1", "dns": [ { "address": "10.68.0.53" } ],
              "domain": "interop.test", "lease-time": "20s", "state-dir": "$T/state",
              "static-leases": [ { "mac": "$MAC2", "ip": "10.68.0.50", "hostname": "reserved" } ] },
    "tap1": { "type": "io.tap", "ifname": "pkdh1", "netns": "$N1", "mac": "$MAC1" },
    "tap2": { "type": "io.tap", "ifname": "pkdh2", "netns": "$N2", "mac": "$MAC2" },
    "tap3": { "type": "io.tap", "ifname": "pkdh3", "netns": "$N3", "mac": "$MAC3" }
  },
  "links": [ ["dhcp", "lan"], ["tap1", "lan"], ["tap2", "lan"], ["tap3", "lan"] ]
}
JSON

# ---- event scripts: print the lease, configure the address, nothing else ----
udhcpc_script
cat >"$T/dhclient.script" <<'EOF'
#!/bin/sh
echo "dhclient-event: reason=$reason ip=$new_ip_address mask=$new_subnet_mask routers=$new_routers lease=$new_dhcp_lease_time server=$new_dhcp_server_identifier"
case "$reason" in
  PREINIT) ip link set dev "$interface" up ;;
  BOUND|RENEW|REBIND|REBOOT) ip addr flush dev "$interface"; ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
  EXPIRE|FAIL|RELEASE)  ip addr flush dev "$interface" ;;
  # STOP (the daemon killed below) keeps the address: `dhclient -r` then sends
  # its RELEASE by unicast from it, as it would on a host.
esac
exit 0
EOF
cat >"$T/dhcpcd.script" <<'EOF'
#!/bin/sh
echo "dhcpcd-event: reason=$reason if=$interface ip=$new_ip_address cidr=$new_subnet_cidr routers=$new_routers lease=$new_dhcp_lease_time"
EOF
chmod +x "$T"/*.script

addr_of() { ip -n "$1" -4 -o addr show dev "$2" | awk '{print $4}' | cut -d/ -f1 | head -n 1; }
in_pool() { case "$1" in 10.68.0.1[0-9][0-9]) [ "${1##*.}" -ge 100 ] && [ "${1##*.}" -le 110 ] ;; *) return 1 ;; esac; }
lease_has() { grep -q "^$1 $2 " "$LEASES" 2>/dev/null; }
wait_lease() {	# MAC IP present(1)/absent(0) within 5 s
	for _ in $(seq 50); do
		if lease_has "$1" "$2"; then [ "$3" = 1 ] && return 0; else [ "$3" = 0 ] && return 0; fi
		sleep 0.1
	done
	cat "$LEASES" >&2 || true
	return 1
}
ping_server() { ip netns exec "$1" ping -c 2 -i 0.2 -W 2 10.68.0.1 >/dev/null || fail "$2: cannot ping the server"; }

run_host "$T/topo.json"

echo "== udhcpc (busybox): lease in the pool, then release on exit (-R)"
ip netns exec "$N1" timeout 60 udhcpc -f -R -t 5 -T 1 -A 1 -i pkdh1 -s "$T/udhcpc.script" \
	>"$T/udhcpc.out" 2>&1 &
UPID=$!
wait_for "$T/udhcpc.out" 'udhcpc-event: bound' 10 || { cat "$T/udhcpc.out"; fail "udhcpc got no lease"; }
grep 'udhcpc-event: bound' "$T/udhcpc.out"
grep -q 'domain=interop.test dns=10.68.0.53' "$T/udhcpc.out" || fail "udhcpc: domain or DNS missing"
A1=$(addr_of "$N1" pkdh1)
in_pool "$A1" || fail "udhcpc: address '$A1' not in the pool"
ping_server "$N1" udhcpc
wait_lease "$MAC1" "$A1" 1 || fail "udhcpc's lease $A1 is not in the lease file"
kill -TERM "$UPID"; wait "$UPID" 2>/dev/null || true
wait_lease "$MAC1" "$A1" 0 || fail "udhcpc -R: the lease was not released"
echo "PASS udhcpc: $A1, released"

echo "== dhclient (ISC): reserved address, renewal, release (-r)"
ip netns exec "$N2" timeout 60 dhclient -4 -1 -d -v -sf "$T/dhclient.script" -lf "$T/dhclient.leases" \
	-pf "$T/dhclient.pid" pkdh2 >"$T/dhclient.out" 2>&1 &
DPID=$!
wait_for "$T/dhclient.out" '^bound to' 10 || { cat "$T/dhclient.out"; fail "dhclient got no lease"; }
A2=$(addr_of "$N2" pkdh2)
[ "$A2" = 10.68.0.50 ] || fail "dhclient: reserved MAC got '$A2', not 10.68.0.50"
ping_server "$N2" dhclient
# T1 is 10 s: the renewal is a unicast REQUEST to the server (its MAC by ARP).
for _ in $(seq 200); do [ "$(grep -c '^DHCPACK' "$T/dhclient.out")" -ge 2 ] && break; sleep 0.1; done
grep -E '^DHCP(REQUEST|ACK)|^bound' "$T/dhclient.out"
[ "$(grep -c '^DHCPACK' "$T/dhclient.out")" -ge 2 ] || fail "dhclient did not renew within 20 s"
grep -q 'DHCPREQUEST for 10.68.0.50 on pkdh2 to 10.68.0.1 port 67' "$T/dhclient.out" \
	|| fail "dhclient's renewal was not unicast to the server"
kill -TERM "$DPID"; wait "$DPID" 2>/dev/null || true
ip netns exec "$N2" timeout 20 dhclient -4 -r -v -sf "$T/dhclient.script" -lf "$T/dhclient.leases" \
	-pf "$T/dhclient.pid" pkdh2 >"$T/dhclient-r.out" 2>&1 || { cat "$T/dhclient-r.out"; fail "dhclient -r failed"; }
if ! wait_lease "$MAC2" 10.68.0.50 0; then
	# A RELEASE is one unacknowledged datagram (RFC 2131 4.4.6). Under heavy
	# load it was lost once in a while in CI; say so loudly, with what the host
	# saw, and release again: a second loss fails the test.
	echo "WARN: dhclient -r: first RELEASE not applied within 5 s; host log tail:" >&2
	tail -n 20 "$HOST_LOG" >&2 || true
	ip netns exec "$N2" timeout 20 dhclient -4 -r -v -sf "$T/dhclient.script" -lf "$T/dhclient.leases" \
		-pf "$T/dhclient.pid" pkdh2 >>"$T/dhclient-r.out" 2>&1 || true
	wait_lease "$MAC2" 10.68.0.50 0 || { cat "$T/dhclient.out" "$T/dhclient-r.out" 2>/dev/null; fail "dhclient -r: the lease was not released"; }
fi
echo "PASS dhclient: $A2 (reserved), renewed, released"

echo "== dhcpcd: lease in the pool"
ip netns exec "$N3" timeout 30 dhcpcd -f /dev/null -4 -1 -B -t 15 --noarp --nohook resolv.conf \
	-c "$T/dhcpcd.script" pkdh3 >"$T/dhcpcd.out" 2>&1 || { cat "$T/dhcpcd.out"; fail "dhcpcd failed"; }
A3=$(addr_of "$N3" pkdh3)
in_pool "$A3" || { cat "$T/dhcpcd.out"; fail "dhcpcd: address '$A3' not in the pool"; }
ping_server "$N3" dhcpcd
wait_lease "$MAC3" "$A3" 1 || fail "dhcpcd's lease $A3 is not in the lease file"
echo "PASS dhcpcd: $A3"

echo "== restart: the lease file keeps dhcpcd's lease"
stop_host
lease_has "$MAC3" "$A3" || fail "the lease file lost $A3 on stop"
# The server says how many leases it loaded at info level: have the host log it.
G_MESSAGES_DEBUG=all run_host "$T/topo.json"
NL=$(grep -c "^[0-9a-f]" "$LEASES")
grep -qF "$NL lease(s) loaded from $LEASES" "$HOST_LOG" ||
	{ grep 'lease' "$HOST_LOG" >&2; fail "the server did not log that it loaded the $NL lease(s) of $LEASES"; }
ip netns exec "$N1" timeout 20 udhcpc -f -q -n -t 5 -T 1 -A 1 -i pkdh1 -s "$T/udhcpc.script" \
	>"$T/udhcpc2.out" 2>&1 || { cat "$T/udhcpc2.out"; fail "udhcpc after restart got no lease"; }
B1=$(addr_of "$N1" pkdh1)
in_pool "$B1" || fail "udhcpc after restart: '$B1' not in the pool"
[ "$B1" != "$A3" ] || fail "after restart $A3 (dhcpcd's lease) was given to another client"
ip netns exec "$N3" timeout 30 dhcpcd -f /dev/null -4 -1 -B -t 15 --noarp --nohook resolv.conf \
	-c "$T/dhcpcd.script" pkdh3 >"$T/dhcpcd2.out" 2>&1 || { cat "$T/dhcpcd2.out"; fail "dhcpcd after restart failed"; }
B3=$(addr_of "$N3" pkdh3)
[ "$B3" = "$A3" ] || fail "dhcpcd after restart got '$B3', not its lease $A3"
echo "PASS restart: $A3 kept for its owner, udhcpc got $B1"
stop_host
rm -f /var/lib/dhcpcd/pkdh3.lease /var/lib/dhcpcd/pkdh3*.lease 2>/dev/null || true
echo "PASS"
