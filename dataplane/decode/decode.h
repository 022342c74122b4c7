/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounds-checked L2-L4 decode of one captured packet into a DPDK-free view.
 * Nothing here reads past caplen; a packet that cannot be trusted is
 * dropped with the reason (enum decode_result). */
#ifndef TW_DECODE_H
#define TW_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/net.h"
#include "decode/tunnel.h"

/* Link types, numbered as libpcap's DLT_* values on Linux. */
enum {
	TW_LINK_NULL = 0,       /* BSD loopback, host byte order family */
	TW_LINK_ETHERNET = 1,
	TW_LINK_RAW = 12,       /* raw IPv4/IPv6 (LINKTYPE_RAW 101) */
	TW_LINK_LOOP = 108,     /* OpenBSD loopback, network byte order */
	TW_LINK_LINUX_SLL = 113,
	TW_LINK_IPV4 = 228,
	TW_LINK_IPV6 = 229,
	TW_LINK_LINUX_SLL2 = 276,
};

/* One captured packet as a source hands it to a worker. */
struct pkt {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
	uint64_t ts_ns;
	uint16_t linktype;
};

struct pkt_view {
	uint64_t ts_ns;
	struct ip_addr src, dst;
	uint16_t sport, dport;    /* ICMP echo: both are the echo id */
	uint8_t proto;
	uint8_t ip_version;       /* 4 or 6 */
	uint8_t ttl;
	uint8_t tcp_flags;
	union {
		struct {
			uint32_t seq, ack;        /* TCP */
		};
		struct {                          /* IP fragment */
			uint32_t frag_id;         /* IPv4 or IPv6 id */
			uint16_t frag_offset;     /* data offset, 8-byte units */
			uint8_t frag_more;        /* more fragments follow */
		};
	};
	uint16_t window;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	uint32_t ip_len;          /* IP packet length on the wire (header+data) */
	const uint8_t *l3;        /* start of the (innermost) IP header */
	const uint8_t *l4;        /* start of the L4 header */
	uint32_t l4_caplen;       /* captured bytes from l4 on */
	const uint8_t *payload;   /* L4 payload, captured part */
	uint32_t payload_len;     /* captured payload bytes */
	uint32_t payload_wire_len;/* payload bytes on the wire (from IP length) */
	uint8_t retransmit;       /* set by tcp_stream: nothing new in here */
	uint8_t overlap_conflict; /* set by tcp_stream: bytes differ from the
				   * same sequence numbers seen before */
	struct pkt_tunnel tunnel; /* layers removed in front of l3; last */
};

/* What decode clears of a pkt_view: all but the tunnel's guarded tail. */
#define PKT_VIEW_HEAD_SIZE \
	(offsetof(struct pkt_view, tunnel) + offsetof(struct pkt_tunnel, id))

/* Does pv's tunnel tail hold anything a copy must carry? */
static inline bool pkt_view_has_tail(const struct pkt_view *pv)
{
	return pv->tunnel.depth || pv->tunnel.n_vlan;
}

/* What decode made of a packet: usable, a fragment to reassemble, or the
 * reason it is dropped. The engine counts each result under the counter
 * of the same name (decode_result_counter(), engine/worker.h). The layer
 * walks of decap.c use 1 for "go on with the next header": no result
 * takes it. */
enum decode_result {
	DECODE_OK = 0,
	DECODE_IP_FRAGMENT = 2,     /* pv holds a fragment: reassemble it */
	DECODE_DROP_LINKTYPE,
	DECODE_DROP_L2_TRUNCATED,
	DECODE_DROP_NOT_IP,
	DECODE_DROP_IPV4_TRUNCATED,
	DECODE_DROP_IPV4_BAD_HEADER,
	DECODE_DROP_IPV6_TRUNCATED,
	DECODE_DROP_IPV6_BAD_EXT,
	DECODE_DROP_L4_TRUNCATED,
	DECODE_DROP_TCP_BAD_HEADER,
};

/* Decodes pkt into pv, removing the encapsulations decap_configure()
 * enabled. Returns DECODE_OK when the packet is usable,
 * DECODE_IP_FRAGMENT for an IP fragment (pv holds its addresses, the
 * frag_* fields, l3 and the fragment's data in payload; the worker
 * reassembles it), else the drop reason. */
enum decode_result decode_packet(const struct pkt *pkt, struct pkt_view *pv);

/* Decodes a whole IP packet (a reassembled datagram) of the given
 * version at ip into pv; pv->ts_ns and pv->tunnel are kept and further
 * layers are added to the tunnel. Same results as decode_packet(). */
enum decode_result decode_ip_packet(const uint8_t *ip, uint32_t len,
				    uint8_t version, struct pkt_view *pv);

/* What decode_packet() removes (config keys decap.*). Set once, before
 * any thread decodes; until then every kind is enabled with the default
 * ports. */
#define DECAP_MAX_PORTS 32
struct decap_config {
	uint32_t enabled;                    /* 1u << enum decap_kind */
	uint8_t max_depth;                   /* layers removed at most, 1-8 */
	bool mpls_pseudowire;                /* Ethernet after the labels */
	bool mpls_control_word;              /* ... behind a control word */
	uint16_t vxlan_ports[DECAP_MAX_PORTS];
	uint16_t geneve_ports[DECAP_MAX_PORTS];
	uint8_t n_vxlan_ports, n_geneve_ports;
};

void decap_configure(const struct decap_config *c);
void decap_config_defaults(struct decap_config *c);
/* "vxlan" for DECAP_VXLAN; NULL out of range. */
const char *decap_kind_name(unsigned kind);
/* DECAP_VXLAN for "vxlan"; DECAP_NONE when unknown. */
enum decap_kind decap_kind_parse(const char *name);

/* Hash of the unordered address pair: both directions and every connection
 * between the same two hosts land on the same worker. */
uint32_t decode_pair_hash(const struct pkt_view *pv);

#endif
