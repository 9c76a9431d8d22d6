/* SPDX-License-Identifier: MIT
 * pcp.h - Port Control Protocol (RFC 6887) wire constants
 *
 * The server itself is nat-pmp.h's (one server answers NAT-PMP and PCP);
 * these name the fields and codes for it, the tests and the fuzz target.
 */
#ifndef PK_PCP_H
#define PK_PCP_H

#define PCP_VERSION 2
#define PCP_HDR_LEN 24
#define PCP_MAP_LEN 36	/* opcode-specific part of MAP */
#define PCP_PEER_LEN 56 /* opcode-specific part of PEER */
#define PCP_MAX_LEN 1100
#define PCP_R_BIT 0x80

enum pcp_opcode {
	PCP_OP_ANNOUNCE = 0,
	PCP_OP_MAP = 1,
	PCP_OP_PEER = 2,
};

enum pcp_option {
	PCP_OPT_THIRD_PARTY = 1,    /* 16 bytes: the internal address */
	PCP_OPT_PREFER_FAILURE = 2, /* no data */
	PCP_OPT_FILTER = 3,	    /* 20 bytes: reserved, prefix length, port, address */
};

enum pcp_result {
	PCP_SUCCESS = 0,
	PCP_UNSUPP_VERSION = 1,
	PCP_NOT_AUTHORIZED = 2,
	PCP_MALFORMED_REQUEST = 3,
	PCP_UNSUPP_OPCODE = 4,
	PCP_UNSUPP_OPTION = 5,
	PCP_MALFORMED_OPTION = 6,
	PCP_NETWORK_FAILURE = 7,
	PCP_NO_RESOURCES = 8,
	PCP_UNSUPP_PROTOCOL = 9,
	PCP_USER_EX_QUOTA = 10,
	PCP_CANNOT_PROVIDE_EXTERNAL = 11,
	PCP_ADDRESS_MISMATCH = 12,
	PCP_EXCESSIVE_REMOTE_PEERS = 13,
};

/* Lifetimes of error responses: how long a client may assume the same answer. */
#define PCP_SHORT_ERROR_LIFETIME 30u  /* s: NETWORK_FAILURE, NO_RESOURCES, quotas */
#define PCP_LONG_ERROR_LIFETIME 1800u /* s: the others */

#endif /* PK_PCP_H */
