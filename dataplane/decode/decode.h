/* Bounds-checked L2-L4 decode of one captured packet into a DPDK-free view.
 * Nothing here reads past caplen; a packet that cannot be trusted is
 * reported by the counter that names the reason. */
#ifndef TW_DECODE_H
#define TW_DECODE_H

#include <stdbool.h>
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

struct pkt_view {
	uint64_t ts_ns;
	struct ip_addr src, dst;
	uint16_t sport, dport;    /* ICMP echo: both are the echo id */
	uint8_t proto;
	uint8_t ip_version;       /* 4 or 6 */
	uint8_t ttl;
	uint8_t tcp_flags;
	uint32_t seq, ack;        /* TCP */
	uint16_t window;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	uint32_t ip_len;          /* IP packet length on the wire (header+data) */
	const uint8_t *l3;        /* start of the outer IP header */
	const uint8_t *l4;        /* start of the L4 header */
	uint32_t l4_caplen;       /* captured bytes from l4 on */
	const uint8_t *payload;   /* L4 payload, captured part */
	uint32_t payload_len;     /* captured payload bytes */
	uint32_t payload_wire_len;/* payload bytes on the wire (from IP length) */
	uint8_t retransmit;       /* set by tcp_stream: nothing new in here */
};

/* Decodes pkt into pv. Returns TW_CTR_PKTS when the packet is usable,
 * else the counter that names the drop reason. */
enum tw_counter decode_packet(const struct pkt *pkt, struct pkt_view *pv);

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
