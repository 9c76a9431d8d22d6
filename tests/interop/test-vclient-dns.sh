#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test-vclient-dns.sh - Interop 5: the vclient resolver against dnsmasq (A, AAAA, CNAME, NXDOMAIN, truncated -> TCP), and an HTTP GET
#
# Usage: test-vclient-dns.sh PATH-OF-vclient-http-get (meson passes it)
#
# examples/vclient-http-get runs the topology in its own process: an io.tun
# in namespace S (kernel side 10.70.0.1/24, fd70::1/64) linked to an
# l3.vclient (10.70.0.2, fd70::2). dnsmasq and a python3 HTTP server in S
# listen on addresses of S's lo (10.70.53.53, fd70:53::53), which stay put
# while each run of the program creates and removes the TUN device.
#   a.pk.test      A 10.70.1.1, AAAA fd70:1::1      (--host-record)
#   alias.pk.test  CNAME a.pk.test                  (--cname)
#   www.pk.test    A 10.70.53.53, AAAA fd70:53::53  (the HTTP server; web.pk.test
#                  is a CNAME of it)
#   v4.pk.test     A 10.70.1.9                      (--address)
#   big.pk.test    100 A records: over 1232 bytes, so the UDP reply is
#                  truncated and the resolver asks again over TCP
#   *.pk.test      anything else: NXDOMAIN          (--local=/pk.test/)
. "$(dirname "$0")/lib.sh"
interop_init vdns
require dnsmasq python3 sha256sum socat
GET=${1:-}
[ -n "$GET" ] && [ -x "$GET" ] || fail "usage: $0 PATH-OF-vclient-http-get"

ns_new S s
ip -n "$S" addr add 10.70.53.53/32 dev lo
ip -n "$S" addr add fd70:53::53/128 dev lo nodad

cat >"$T/topo.json" <<JSON
{
  "devices": {
    "tun": { "type": "io.tun", "ifname": "pkvdns", "netns": "$S",
             "addresses": [ { "prefix": "10.70.0.1/24" }, { "prefix": "fd70::1/64" } ] },
    "vc": { "type": "l3.vclient",
            "addresses": [ { "prefix": "10.70.0.2/24" }, { "prefix": "fd70::2/64" } ] }
  },
  "links": [ ["tun.ip", "vc.ip"] ]
}
JSON

big=()
for i in $(seq 1 100); do big+=("--host-record=big.pk.test,10.70.2.$i"); done
ip netns exec "$S" dnsmasq --no-daemon --conf-file=/dev/null --no-hosts --no-resolv \
	--listen-address=10.70.53.53,fd70:53::53 --bind-interfaces --local=/pk.test/ \
	--host-record=a.pk.test,10.70.1.1,fd70:1::1 --cname=alias.pk.test,a.pk.test \
	--host-record=www.pk.test,10.70.53.53,fd70:53::53 --cname=web.pk.test,www.pk.test \
	--address=/v4.pk.test/10.70.1.9 "${big[@]}" \
	--log-queries --log-facility=- --pid-file="$T/dnsmasq.pid" >"$T/dnsmasq.log" 2>&1 &
wait_for "$T/dnsmasq.log" 'started, version' 10 || { cat "$T/dnsmasq.log" >&2; fail "dnsmasq did not start"; }

# run NAME EXPECTED-EXIT [options...]: resolve NAME, output in $OUT, stderr in $ERR
run() {
	local name=$1 want=$2 rc=0
	shift 2
	OUT=$T/out ERR=$T/err
	timeout 60 "$GET" --resolve --timeout 10 --verbose "$@" "$T/topo.json" vc "$name" >"$OUT" 2>"$ERR" || rc=$?
	if [ "$rc" != "$want" ]; then
		cat "$ERR" >&2; tail -n 20 "$T/dnsmasq.log" >&2
		fail "resolving $name ($*): exit $rc, expected $want"
	fi
	echo "$name $*: $(tr '\n' ' ' <"$OUT")$(grep -h '^error:' "$ERR" || true)"
}
expect() {	# expect "addr addr ...": the output, order kept
	local got
	got=$(tr '\n' ' ' <"$OUT" | sed 's/ $//')
	[ "$got" = "$1" ] || fail "got '$got', expected '$1'"
}

echo "== A, AAAA, CNAME over UDP (IPv4 server)"
run a.pk.test 0 --dns 10.70.53.53
expect "10.70.1.1 fd70:1::1"
run a.pk.test 0 --dns 10.70.53.53 -4
expect "10.70.1.1"
run alias.pk.test 0 --dns 10.70.53.53 -6
expect "fd70:1::1"
run alias.pk.test 0 --dns 10.70.53.53
expect "10.70.1.1 fd70:1::1"
run v4.pk.test 0 --dns 10.70.53.53 -4
expect "10.70.1.9"

echo "== IPv6 server"
run alias.pk.test 0 --dns '[fd70:53::53]:53'
expect "10.70.1.1 fd70:1::1"

echo "== NXDOMAIN, NODATA"
run nothere.pk.test 2 --dns 10.70.53.53
grep -q '^error: not-found:' "$ERR" || fail "NXDOMAIN not reported as not-found"
run a.pk.test 0 --dns 10.70.53.53 -6
run v4.pk.test 2 --dns 10.70.53.53 -6
grep -q '^error: not-found:' "$ERR" || fail "NODATA not reported as not-found"

echo "== truncated -> TCP"
run big.pk.test 0 --dns 10.70.53.53 -4
[ "$(wc -l <"$OUT")" = 32 ] || fail "expected 32 addresses (PK_DNS_MAX_ADDRS), got $(wc -l <"$OUT")"
grep -qE '^10\.70\.2\.([1-9]|[1-9][0-9]|100)$' "$OUT" || fail "unexpected addresses for big.pk.test"
grep -q 'tcp 1 truncated 1 ' "$ERR" || { cat "$ERR" >&2; fail "no TCP retry after truncation"; }

echo "== a dead first server: timeout, then the second"
run a.pk.test 0 --dns 10.70.53.99 --dns 10.70.53.53 -4
expect "10.70.1.1"
grep -q 'timeouts 1 ' "$ERR" || { cat "$ERR" >&2; fail "expected one timeout"; }

echo "== HTTP GET through the vclient, body sha256 compared"
mkdir -p "$T/www"
head -c 3000000 /dev/urandom >"$T/www/blob.bin"
ip netns exec "$S" python3 -m http.server --bind 10.70.53.53 --directory "$T/www" 8080 \
	>"$T/http.log" 2>&1 &
for _ in $(seq 50); do ip netns exec "$S" ss -Hltn 'sport = :8080' | grep -q . && break; sleep 0.1; done
rc=0
timeout 60 "$GET" --dns 10.70.53.53 --timeout 30 "$T/topo.json" vc \
	"http://web.pk.test:8080/blob.bin" >"$T/got.bin" 2>"$T/get.err" || rc=$?
cat "$T/get.err"
[ $rc = 0 ] || fail "vclient-http-get exited with $rc"
grep -q '^HTTP/1.[01] 200' "$T/get.err" || fail "no 200 status line on stderr"
want=$(sha256sum <"$T/www/blob.bin" | cut -d' ' -f1)
got=$(sha256sum <"$T/got.bin" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "body sha256 $got, expected $want"
echo "sha256 ok: $got"
rc=0
timeout 60 "$GET" --dns 10.70.53.53 --timeout 30 "$T/topo.json" vc \
	"http://web.pk.test:8080/missing" >/dev/null 2>"$T/get.err" || rc=$?
[ $rc = 4 ] || { cat "$T/get.err" >&2; fail "a 404 should exit with 4, not $rc"; }

echo "== a chunked HTTP/1.1 response (socat)"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=1\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n' >"$T/chunked.txt"
ip netns exec "$S" timeout 30 socat TCP-LISTEN:8081,bind=10.70.53.53,reuseaddr \
	SYSTEM:"cat $T/chunked.txt; sleep 2" >"$T/socat.log" 2>&1 &
for _ in $(seq 50); do ip netns exec "$S" ss -Hltn 'sport = :8081' | grep -q . && break; sleep 0.1; done
got=$(timeout 60 "$GET" --dns 10.70.53.53 --timeout 30 "$T/topo.json" vc \
	"http://www.pk.test:8081/" 2>"$T/get.err") || { cat "$T/get.err" >&2; fail "chunked GET failed"; }
[ "$got" = "hello, world" ] || fail "chunked body '$got', expected 'hello, world'"
echo "PASS"
