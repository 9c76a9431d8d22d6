#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-qemu-default.sh - Issue 12: a QEMU guest on pktkit-host's built-in default topology gets a lease, resolves a name and fetches a URL of the host
#
# Nothing leaves this machine. The namespace $NS stands for "the host": only lo,
# which also has 192.0.2.80/32 (TEST-NET-1, only inside $NS; lo, as a dummy
# interface may not exist), and unreachable default routes (IPv4 and IPv6). In it:
#   - python3 -m http.server on 192.0.2.80:8080 serving $T/www/file (256 KiB of
#     random bytes, sha256 known); the slirp refuses 127/8 unless host-loopback4
#     is set, and the default topology does not set it, hence the dummy address
#   - dnsmasq on 127.0.0.1:53: web.test A 192.0.2.80 (no AAAA: NODATA), other
#     names under .test NXDOMAIN; /etc/netns/$NS/resolv.conf says "nameserver 127.0.0.1" (ip netns
#     exec bind-mounts it over /etc/resolv.conf: the slirp's DNS forwarder reads it)
#   - pktkit-host with no topology argument (the built-in default: hub lan, dhcp
#     10.77.0.2, gw 10.77.0.1, nat l3.slirp with dns4 10.77.0.1, vms io.qemu-listen)
#     and --no-dbus, XDG_RUNTIME_DIR=$T, so its QEMU socket is $T/pktkit/qemu.sock
# QEMU runs in the root namespace (the UNIX socket's path is the same there) with
# the -netdev option pktkit-host prints. The test guest (tests/guest) takes a DHCP
# lease at boot (its udhcpc script writes /etc/resolv.conf), then runs:
#   step 1  resolv   /etc/resolv.conf is "nameserver 10.77.0.1" (the lease's DNS)
#   step 2  dns      nslookup web.test (through 10.77.0.1, the slirp's forwarder,
#                    to dnsmasq) answers 192.0.2.80
#   step 3  http-ip  wget http://192.0.2.80:8080/file (TCP through the slirp, no
#                    DNS), sha256 printed
#   step 4  http     wget http://web.test:8080/file (the name resolved by the guest's
#                    libc through 10.77.0.1), sha256 printed
# (busybox wget's -T crashes in the guest's busybox-static: `timeout` bounds it.)
# Checked on the console: the lease (pool .100-.199, router 10.77.0.1, DNS
# 10.77.0.1, server 10.77.0.2), each step, the file's sha256 and that dnsmasq and
# the web server saw the guest's queries and GETs. Every check is
# reported ("CHECK name: PASS|FAIL ..."); the test fails if any failed. Then
# pktkit-host must stop with status 0 on SIGTERM and remove its socket.
# Environment: PKTKIT_HOST, PKTKIT_MODULE_PATH (meson), CI, KEEP_TMP=1.
. "$(dirname "$0")/lib.sh"
interop_init qdef
require qemu-system-x86_64 cpio dnsmasq python3 curl getent sha256sum
guest_init

NS=
ns_new NS h
ip -n "$NS" route add unreachable default
ip -n "$NS" -6 route add unreachable default
ip -n "$NS" addr add 192.0.2.80/32 dev lo
hx() { ip netns exec "$NS" "$@"; }

mkdir -p "/etc/netns/$NS"
at_exit rm -rf "/etc/netns/$NS"
printf 'nameserver 127.0.0.1\n' >"/etc/netns/$NS/resolv.conf"

mkdir -p "$T/www"
head -c $((256 * 1024)) /dev/urandom >"$T/www/file"
SHA=$(sha256sum <"$T/www/file" | cut -d' ' -f1)

# Not through hx: a function in the background is a subshell, and the EXIT trap's
# kill of the job would leave its child running; this way the job is the server.
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
	--listen-address=127.0.0.1 --port=53 --bind-interfaces \
	--host-record=web.test,192.0.2.80 --local=/test/ \
	--pid-file="$T/dnsmasq.pid" --log-queries --log-facility=- >"$T/dnsmasq.log" 2>&1 &
ip netns exec "$NS" python3 -m http.server 8080 --bind 192.0.2.80 --directory "$T/www" >"$T/http.log" 2>&1 &
wait_for "$T/dnsmasq.log" 'started, version' 10 || { cat "$T/dnsmasq.log" >&2; fail "dnsmasq did not start"; }
# The set-up, seen from the host namespace: the name, the URL, nothing outside.
for _ in $(seq 50); do
	hx curl -sS --max-time 2 -o "$T/self" http://192.0.2.80:8080/file 2>/dev/null && break
	sleep 0.1
done
[ "$(sha256sum <"$T/self" | cut -d' ' -f1)" = "$SHA" ] || { cat "$T/http.log" >&2; fail "set-up: the web server on 192.0.2.80:8080"; }
[ "$(hx getent ahostsv4 web.test | awk 'NR == 1 { print $1 }')" = 192.0.2.80 ] ||
	fail "set-up: web.test does not resolve to 192.0.2.80 in $NS (resolv.conf -> dnsmasq)"
if hx curl -sS --max-time 2 -o /dev/null http://192.0.2.1/ 2>/dev/null; then
	fail "set-up: $NS reaches 192.0.2.1; it should reach nothing outside"
fi

# What the set-up checks left in the servers' logs; the guest's come on top.
q0=$(grep -c 'query\[A\] web\.test' "$T/dnsmasq.log" || true)
g0=$(grep -c '"GET /file' "$T/http.log" || true)

# pktkit-host with its built-in default, inside $NS (ip netns exec and env exec:
# HOST_PID is pktkit-host itself, stop_host's SIGTERM reaches it).
cat >"$T/host.sh" <<SH
#!/bin/sh
exec ip netns exec "$NS" env XDG_RUNTIME_DIR="$T" "$PKTKIT_HOST" --no-dbus
SH
chmod +x "$T/host.sh"
[ -n "${PKTKIT_HOST:-}" ] && [ -x "$PKTKIT_HOST" ] || fail "PKTKIT_HOST is not set to pktkit-host (run through meson test)"
PKTKIT_HOST=$T/host.sh run_host default
SOCK=$T/pktkit/qemu.sock
[ -S "$SOCK" ] || fail "no socket at $SOCK"
ND=$(sed -n 's/.*attach a QEMU guest with: qemu-system-x86_64 \.\.\. -netdev \([^ ]*\) -device virtio-net-pci,netdev=n0.*/\1/p' "$HOST_LOG" | head -n 1)
echo "pktkit-host's QEMU line: -netdev $ND"
[ "$ND" = "stream,id=n0,server=off,addr.type=unix,addr.path=$SOCK" ] ||
	fail "pktkit-host printed the -netdev '$ND', expected one for $SOCK"
grep -q 'nat: l3.slirp' "$HOST_LOG" || fail "the default topology has no l3.slirp 'nat'"

t0=$(date +%s)
rc=0
"$GUEST_SRC/run-guest.sh" "$GUEST" --mac 52:54:00:77:00:01 --timeout 75 \
	--cmd 'cat /etc/resolv.conf; [ "$(cat /etc/resolv.conf)" = "nameserver 10.77.0.1" ]' \
	--cmd 'timeout 10 nslookup web.test >/tmp/ns 2>&1; r=$?; cat /tmp/ns; [ $r = 0 ] && grep -q "^Address:[[:space:]]*192\.0\.2\.80$" /tmp/ns' \
	--cmd 'timeout 20 wget -O /tmp/f3 http://192.0.2.80:8080/file; r=$?; [ $r = 0 ] || exit $r; echo "PK-SHA3 $(sha256sum </tmp/f3 | cut -d" " -f1) $(wc -c </tmp/f3)"' \
	--cmd 'timeout 20 wget -O /tmp/f4 http://web.test:8080/file; r=$?; [ $r = 0 ] || exit $r; echo "PK-SHA4 $(sha256sum </tmp/f4 | cut -d" " -f1) $(wc -c </tmp/f4)"' \
	-- -netdev "$ND" >"$T/console.log" 2>&1 || rc=$?
t1=$(date +%s)
cat "$T/console.log"
echo "guest: run-guest.sh status $rc after $((t1 - t0)) s"
[ $rc -ne 124 ] && grep -q '^PK-DONE' "$T/console.log" || fail "the guest did not finish (status $rc)"

NFAIL=0
check() {	# NAME OK(0/1) DETAIL
	if [ "$2" = 0 ]; then echo "CHECK $1: PASS $3"; else echo "CHECK $1: FAIL $3"; NFAIL=$((NFAIL + 1)); fi
}
step() { grep -q "^PK-STEP-OK $1\$" "$T/console.log" && echo 0 || echo 1; }

line=$(grep -m1 '^PK-DHCP ' "$T/console.log" || true)
ip=$(sed -n 's/^PK-DHCP ip=\([0-9.]*\)\/.*/\1/p' <<<"$line")
ok=1
case "$ip" in
10.77.0.1[0-9][0-9]) grep -q ' router=10\.77\.0\.1 dns=10\.77\.0\.1 server=10\.77\.0\.2$' <<<"$line" && ok=0 ;;
esac
check lease $ok "(${line:-no PK-DHCP line}; want 10.77.0.100-199, router and dns 10.77.0.1, server 10.77.0.2)"
check resolv "$(step 1)" "(/etc/resolv.conf from the lease: nameserver 10.77.0.1)"
q=$(( $(grep -c 'query\[A\] web\.test' "$T/dnsmasq.log" || true) - q0 ))
check dns "$(step 2)" "(nslookup web.test via 10.77.0.1 -> 192.0.2.80; dnsmasq got $q A queries from the slirp)"
g=$(( $(grep -c '"GET /file' "$T/http.log" || true) - g0 ))
for n in 3 4; do
	got=$(sed -n "s/^PK-SHA$n \([0-9a-f]*\) .*/\1/p" "$T/console.log" | head -n 1)
	ok=1
	[ "$(step $n)" = 0 ] && [ "$got" = "$SHA" ] && ok=0
	url=http://192.0.2.80:8080/file
	[ $n = 4 ] && url=http://web.test:8080/file
	check "$([ $n = 3 ] && echo http-ip || echo http)" $ok \
		"(wget $url: sha256 ${got:-none}, want $SHA; $(grep -m1 "^PK-STEP-FAIL $n " "$T/console.log" || true))"
done
echo "the web server logged $g GET /file from the guest"

stop_host
[ ! -e "$SOCK" ] || fail "socket file left behind after stop"
echo "RESULT qemu-default: $NFAIL check(s) failed, guest run $((t1 - t0)) s"
[ $NFAIL = 0 ] || fail "$NFAIL check(s) failed (CHECK lines above)"
echo "PASS"
