/* SPDX-License-Identifier: BSD-3-Clause */
/* Decapsulation, internal to dataplane/decode/: the link-layer walk
 * (VLAN, MPLS, PPPoE) that decode_link.c and inner Ethernet frames share,
 * and the step from an IP packet to the one it carries (VXLAN, Geneve,
 * ERSPAN, GRE, IP-in-IP). Configured by decap_configure() (decode.h). */
#ifndef TW_DECAP_H
#define TW_DECAP_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode_link.h"

#define DECAP_ALL (((1u << DECAP_KINDS) - 1) & ~1u)

/* Where the carried IP packet starts, from pv->l4. */
struct decap_next {
	uint32_t off;
	uint8_t ip_version;
	enum decode_result drop;  /* not DECODE_OK: the carried frame is no
				* IP packet; dropped for this reason */
};

/* From the ethertype at type_off of data on: VLAN tags (ids noted in
 * pv->tunnel), MPLS label stacks and PPPoE sessions (removed when
 * enabled), down to IPv4 or IPv6. Returns DECODE_OK with l2 set, or
 * the drop reason. The caller has checked type_off + 2 <= cap. */
enum decode_result decode_ethertype(const uint8_t *data, uint32_t cap,
				 uint32_t type_off, struct l2_result *l2,
				 struct pkt_view *pv);

#define DECAP_PROTO_IPIP 4
#define DECAP_PROTO_IPV6 41
#define DECAP_PROTO_GRE 47

/* Can an IP packet of this protocol carry another one? Checked before
 * decap_next_layer(), so TCP and ICMP, most packets, never call it. */
static inline bool decap_may_carry(uint8_t proto)
{
	return proto == TW_PROTO_UDP || proto == DECAP_PROTO_GRE ||
	       proto == DECAP_PROTO_IPIP || proto == DECAP_PROTO_IPV6;
}

/* pv is an IP packet whose L4 (protocol proto, cap captured bytes at
 * pv->l4) may carry another packet. Returns true with next set when a
 * layer was removed; false when the packet is the one to analyse (a
 * layer recognised but left in place is noted in pv->tunnel.left). */
bool decap_next_layer(struct pkt_view *pv, uint8_t proto, uint32_t cap,
		      struct decap_next *next);

#endif
