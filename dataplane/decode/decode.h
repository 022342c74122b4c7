/* Bounds-checked L2-L4 decode of one captured packet into a DPDK-free view.
 * Nothing here reads past caplen; a packet that cannot be trusted is
 * reported by the counter that names the reason. */
#ifndef TW_DECODE_H
#define TW_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"

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

/* An IPv4 address is stored as an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) so that keys and host tables have one shape. */
struct ip_addr {
	uint8_t b[16];
};

enum {
	TW_PROTO_ICMP = 1,
	TW_PROTO_TCP = 6,
	TW_PROTO_UDP = 17,
	TW_PROTO_ICMPV6 = 58,
};

enum {
	TW_TCP_FIN = 0x01,
	TW_TCP_SYN = 0x02,
	TW_TCP_RST = 0x04,
	TW_TCP_PSH = 0x08,
	TW_TCP_ACK = 0x10,
};

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

/* Decodes pkt into pv, removing the encapsulations decap_configure()
 * enabled. Returns TW_CTR_PKTS when the packet is usable,
 * TW_CTR_IP_FRAGMENTS for an IP fragment (pv holds its addresses, the
 * frag_* fields, l3 and the fragment's data in payload; the worker
 * reassembles it), else the counter that names the drop reason. */
enum tw_counter decode_packet(const struct pkt *pkt, struct pkt_view *pv);

/* Decodes a whole IP packet (a reassembled datagram) of the given
 * version at ip into pv; pv->ts_ns and pv->tunnel are kept and further
 * layers are added to the tunnel. Same results as decode_packet(). */
enum tw_counter decode_ip_packet(const uint8_t *ip, uint32_t len,
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

bool ip_addr_is_v4(const struct ip_addr *a);
void ip_addr_from_v4(struct ip_addr *a, const uint8_t v4[4]);
/* Writes the printable form (dotted quad for IPv4-mapped) into buf. */
const char *ip_addr_format(const struct ip_addr *a, char *buf, unsigned len);
/* Parses "1.2.3.4" or an IPv6 text address; 0 on success, -1 otherwise. */
int ip_addr_parse(const char *s, struct ip_addr *a);
int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b);

#endif
