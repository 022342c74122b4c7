/* SPDX-License-Identifier: BSD-3-Clause */
/* The link layer of the decode stage: finds where the IP header starts
 * and which IP version the frame announces, for every link type a capture
 * source may hand us. Kept apart from decode.c so that adding a link type
 * never touches the IP/L4 parsers. Internal to dataplane/decode/. */
#ifndef TW_DECODE_LINK_H
#define TW_DECODE_LINK_H

#include <stdint.h>

#include "decode/decode.h"

/* Where the IP header starts and which version the link layer announced. */
struct l2_result {
	uint32_t l3_off;
	uint8_t ip_version;
};

/* Big-endian readers shared by both halves of the decode stage; static
 * inline so that the per-packet path pays no call for them. The caller has
 * checked the bounds. */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Resolves pkt->linktype (a TW_LINK_* value, or LINKTYPE_RAW as stored in
 * files) into l2. Returns DECODE_OK, or the drop reason (VLAN ids and removed layers are noted in pv->tunnel);
 * decode_packet() still checks l3_off against caplen before it
 * reads IP. */
enum decode_result decode_link(const struct pkt *pkt, struct l2_result *l2,
			    struct pkt_view *pv);

#endif
