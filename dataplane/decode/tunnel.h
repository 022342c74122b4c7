/* SPDX-License-Identifier: BSD-3-Clause */
/* What the decoder removes in front of a packet (decap.c): the kinds of
 * encapsulation and the outer layers' metadata a flow and its findings
 * carry. Apart from decode.h so that flows, findings and reports need not
 * include the decoder. */
#ifndef TW_DECODE_TUNNEL_H
#define TW_DECODE_TUNNEL_H

#include <stdint.h>

#include "base/net.h"

/* Encapsulations the decoder removes (decap.protocols), a bit each in
 * decap_config.enabled and pkt_tunnel.layers. */
enum decap_kind {
	DECAP_NONE = 0,
	DECAP_VXLAN,     /* UDP decap.vxlan_ports (4789) -> Ethernet */
	DECAP_GENEVE,    /* UDP decap.geneve_ports (6081) -> Ethernet or IP */
	DECAP_ERSPAN,    /* GRE 0x88be (I, II) or 0x22eb (III) -> Ethernet */
	DECAP_GRE,       /* GRE -> IPv4, IPv6, Ethernet (0x6558), MPLS */
	DECAP_MPLS,      /* label stack -> IP, or Ethernet pseudowire */
	DECAP_PPPOE,     /* PPPoE session -> PPP -> IP */
	DECAP_IPIP,      /* IPv4 or IPv6 in IPv4/IPv6 of the same version */
	DECAP_6IN4,      /* IPv6 in IPv4 (protocol 41) */
	DECAP_4IN6,      /* IPv4 in IPv6 (next header 4) */
	DECAP_KINDS
};

/* Why an encapsulation was left in place (pkt_tunnel.left). */
enum decap_left {
	DECAP_LEFT_NONE = 0,
	DECAP_LEFT_DISABLED,   /* recognised, not in decap.protocols */
	DECAP_LEFT_TOO_DEEP,   /* decap.max_depth layers already removed */
	DECAP_LEFT_MALFORMED,  /* tunnel header truncated or not understood */
};

/* What the decoder removed in front of the packet it reports: the
 * outermost tunnel's metadata (as Suricata's EVE "tunnel" object) and
 * the VLAN ids seen on the way in (EVE "vlan"). The head is zero for
 * plain packets; the tail is only written, and may only be read, where
 * the head says it holds something (decode does not clear it: plain
 * packets, nearly all, never pay for it). */
struct pkt_tunnel {
	uint16_t layers;          /* a bit per decap_kind removed */
	uint8_t kind;             /* outermost decap_kind removed */
	uint8_t has_id;           /* id is meaningful */
	uint8_t depth;            /* layers removed */
	uint8_t n_vlan;           /* ids in vlan[] */
	uint8_t left;             /* enum decap_left: a layer left in place */
	uint8_t outer_proto;      /* IP protocol that carried the outermost
				   * tunnel (UDP, GRE, 4, 41), 0 = none */
	/* tail, guarded by the head: */
	uint32_t id;              /* when has_id: VNI, ERSPAN session, GRE
				   * key, MPLS label */
	uint16_t vlan[2];         /* n_vlan ids, outermost first */
	struct ip_addr src, dst;  /* when outer_proto: the outermost
				   * tunnel's IP pair */
};

#endif
