/* SPDX-License-Identifier: MIT
 * fuzz-netlink.c - libFuzzer target: rtnetlink replies into io.tun/io.tap's parsers (modules/tuntap/netlink.c)
 *
 * Input: [4-byte sequence number, little-endian][datagram]. The datagram is
 * copied to an aligned buffer of the size netlink_exchange() receives into
 * and read as the answer to a request (netlink_parse_ack()) and to an
 * RTM_GETLINK (netlink_parse_link()). Both must stay inside it: the
 * extended-ack text is a NUL-terminated string within the datagram, the
 * interface name is terminated, results are one of the documented values.
 */
#include <errno.h>
#include <string.h>

#include "netlink.h"

#include "fuzz-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As netlink_exchange() receives: 8 KB, aligned for struct nlmsghdr. */
	static union {
		uint8_t b[8192];
		uint64_t align_;
	} rx;
	struct netlink_link link;
	const char *msg = (const char *)1;
	uint32_t seq;
	size_t len;
	int rc;

	if (size < 4 || size - 4 > sizeof(rx.b))
		return 0;
	seq = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	      (uint32_t)data[3] << 24;
	len = size - 4;
	memcpy(rx.b, data + 4, len);

	rc = netlink_parse_ack(rx.b, len, seq, &msg);
	FUZZ_CHECK(rc <= 1);
	if (msg) {
		FUZZ_CHECK(rc <= 0 && (const uint8_t *)msg >= rx.b &&
			   (const uint8_t *)msg < rx.b + len);
		FUZZ_CHECK(memchr(msg, '\0', (size_t)(rx.b + len - (const uint8_t *)msg)) != NULL);
	}
	FUZZ_CHECK(netlink_parse_ack(rx.b, len, seq, NULL) == rc);

	memset(&link, 0xa5, sizeof(link));
	rc = netlink_parse_link(rx.b, len, seq, &link);
	FUZZ_CHECK(rc <= 1);
	if (rc == 0)
		FUZZ_CHECK(memchr(link.name, '\0', sizeof(link.name)) != NULL);
	return 0;
}
