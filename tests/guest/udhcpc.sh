#!/bin/sh
# SPDX-License-Identifier: MIT
# udhcpc.sh - udhcpc event script of the test guest: configure eth0, print one PK-DHCP line
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
	p=${mask:-24}
	ip addr flush dev "$interface"
	ip addr add "$ip/$p" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	echo "PK-DHCP ip=$ip/$p router=${router:-none} server=${serverid:-none}" >/dev/console
	echo "$ip" >/run/lease ;;
esac
exit 0
