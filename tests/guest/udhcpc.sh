#!/bin/sh
# SPDX-License-Identifier: MIT
# udhcpc.sh - udhcpc event script of the test guest: configure eth0 and resolv.conf, print one PK-DHCP line
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
	p=${mask:-24}
	ip addr flush dev "$interface"
	ip addr add "$ip/$p" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	for d in $dns; do echo "nameserver $d"; done >/etc/resolv.conf
	echo "PK-DHCP ip=$ip/$p router=${router:-none} dns=$(echo ${dns:-none} | tr ' ' ,) server=${serverid:-none}" >/dev/console
	echo "$ip" >/run/lease ;;
esac
exit 0
