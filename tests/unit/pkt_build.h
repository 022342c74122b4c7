/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet crafting for unit tests: one spec in, one captured frame out.
 *
 * Lengths (IP total/payload length, UDP length, TCP data offset, IPv6
 * extension lengths) are always right; checksums are left at 0 because
 * nothing in tunnelwatch verifies them.
 *
 * Typical use:
 *	struct pb_spec s = {
 *		.linktype = TW_LINK_ETHERNET,
 *		.src = "10.0.0.1", .dst = "10.0.0.2",
 *		.proto = TW_PROTO_TCP, .sport = 40000, .dport = 22,
 *		.tcp_flags = TW_TCP_SYN, .seq = 1000,
 *	};
 *	uint8_t buf[PB_MAX_FRAME];
 *	struct pkt p;
 *	uint32_t n = pb_build(&s, buf, sizeof(buf));   (0 means error)
 *	pb_pkt(&p, buf, n, ts_ns, s.linktype);
 */
#ifndef TW_TEST_PKT_BUILD_H
#define TW_TEST_PKT_BUILD_H

#include <stdint.h>

#include "decode/decode.h"

#define PB_MAX_FRAME 2048

/* One extension header between the IPv6 header and L4 (pb_spec.ipv6_ext).
 * Not protocol numbers, because hop-by-hop is protocol 0. */
enum pb_ipv6_ext {
	PB_EXT_NONE = 0,
	PB_EXT_HOPOPTS,   /* 8 bytes, PadN */
	PB_EXT_ROUTING,   /* 8 bytes, type 0 segments left 0 */
	PB_EXT_DSTOPTS,   /* 8 bytes, PadN */
	PB_EXT_FRAGMENT,  /* 8 bytes, uses frag_offset / more_fragments */
	PB_EXT_AH,        /* 16 bytes (length field 2) */
};

struct pb_spec {
	uint16_t linktype;      /* TW_LINK_*; note 0 is TW_LINK_NULL */
	uint16_t vlan[3];       /* Ethernet only: TCIs, outermost first */
	uint16_t vlan_tpid[3];  /* 0: 0x88a8 for outer tags of a stack,
				 * 0x8100 for the innermost */
	uint8_t n_vlan;         /* 0..3 */
	uint16_t ethertype;     /* Ethernet/SLL/SLL2 override, 0: from IP */
	uint8_t ip_version;     /* 4 or 6; 0: 6 if src contains ':' */
	const char *src, *dst;  /* text; NULL: 10.0.0.1/10.0.0.2 or
				 * 2001:db8::1/2001:db8::2 */
	uint8_t ttl;            /* 0: 64 */
	uint8_t ip_opt_len;     /* IPv4 options (NOPs), multiple of 4, <= 40 */
	uint16_t frag_offset;   /* bytes, multiple of 8 (IPv4, or v6 with
				 * PB_EXT_FRAGMENT) */
	uint8_t more_fragments; /* MF flag */
	uint8_t ipv6_ext;       /* enum pb_ipv6_ext */
	uint8_t proto;          /* TW_PROTO_* or any IP protocol; 0: TCP.
				 * TW_PROTO_ICMP over IPv6 becomes ICMPv6 */
	uint16_t sport, dport;
	uint8_t tcp_flags;      /* TW_TCP_* */
	uint32_t seq, ack;
	uint16_t window;
	uint8_t tcp_opt_len;    /* TCP options (NOPs), multiple of 4, <= 40 */
	uint8_t icmp_type, icmp_code;   /* e.g. 8/0 echo request, 128 v6 */
	uint16_t icmp_id, icmp_seq;     /* written to bytes 4..7 of ICMP */
	const void *payload;    /* L4 payload (for other protocols: the
				 * bytes after the IP headers) */
	uint32_t payload_len;
	uint16_t trailer_len;   /* zero bytes after the IP packet, as
				 * Ethernet padding; not in any IP length */
};

/* Builds the frame described by s into buf. Returns its length, or 0 when
 * the spec is invalid (bad address text, too many tags) or cap is too
 * small. */
uint32_t pb_build(const struct pb_spec *s, uint8_t *buf, uint32_t cap);

/* Fills p as a capture source would: caplen = wirelen = len. */
void pb_pkt(struct pkt *p, const uint8_t *buf, uint32_t len, uint64_t ts_ns,
	    uint16_t linktype);

/* Offset of the IP header inside a frame that pb_build made from s. */
uint32_t pb_l3_offset(const struct pb_spec *s);

#endif
